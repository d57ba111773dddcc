#!/usr/bin/env bash
# Installs what is missing and starts every server the platform needs, then writes .local/env.sh
# (the connection settings tests and `make demo` read). Idempotent; a second run takes seconds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p .local

infra/install-deps.sh
infra/postgres.sh start
infra/rabbitmq.sh start
infra/azurite.sh start

cat >.local/env.sh <<ENV
# Written by infra/up.sh: settings of the local servers it started.
export EMI_PG_PORT=${EMI_PG_PORT:-55432} EMI_RABBITMQ_PORT=${EMI_RABBITMQ_PORT:-55672} EMI_AZURITE_PORT=${EMI_AZURITE_PORT:-10010}
$(infra/postgres.sh env)
export EMI_RABBITMQ="amqp://guest:guest@127.0.0.1:${EMI_RABBITMQ_PORT:-55672}/"
# The servers' own logs, which the secret-leak test reads too (tests/EmiPlatform.Api.Tests/SecretLogTests.cs).
export EMI_INFRA_LOGS="$(infra/postgres.sh log-file):$root/.local/rabbitmq/log:$root/.local/azurite/azurite.log"
export EMI_AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${EMI_AZURITE_PORT:-10010}/devstoreaccount1;"
ENV
echo "infra: up (settings in .local/env.sh)"
