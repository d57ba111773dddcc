#!/usr/bin/env bash
# Regenerates tests/fixtures/perception: inputs (public-domain face crops and random pixels) and what
# TensorFlow.js 4 (pure JavaScript CPU backend, npm, no native library) outputs for them with the
# original graph models of npm @vladmandic/human. Run it after changing the converter or the pinned
# package; it prints ONNX Runtime's max |diff| per output where the NuGet cache holds ONNX Runtime.
# Usage: tools/tfjs-parity/make-fixtures.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}

(cd "$root/tools/tfjs-parity" && npm ci --no-audit --no-fund --loglevel=error)
# A fresh conversion into a scratch bundle also leaves the unpacked package in .local/npm-human.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$root/infra/fetch-perception-models.sh" "$scratch" >/dev/null
PYTHONPATH=$root/ml "$python" -m emi_ml.perception_fixtures \
  --tfjs-models "$root/.local/npm-human/package/models" --onnx-dir "$scratch" --out "$root/tests/fixtures/perception"
