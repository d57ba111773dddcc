#!/usr/bin/env bash
# Stops the servers infra/up.sh started; their data stays in .local/ for the next start.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/infra/azurite.sh" stop
"$root/infra/rabbitmq.sh" stop
"$root/infra/postgres.sh" stop
echo "infra: down"
