#!/usr/bin/env bash
# Private RabbitMQ node for development and tests: .local/rabbitmq, loopback only, AMQP port ${EMI_RABBITMQ_PORT:-55672}.
# Usage: infra/rabbitmq.sh start|stop|status
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.local/rabbitmq"
port="${EMI_RABBITMQ_PORT:-55672}"
# Debian's /usr/sbin wrappers switch to the rabbitmq account, which cannot write .local/; call the real scripts.
rmq=/usr/lib/rabbitmq/bin
[ -x "$rmq/rabbitmq-server" ] || { echo "rabbitmq.sh: RabbitMQ is not installed (run infra/install-deps.sh)" >&2; exit 1; }

# One node per port, so two checkouts on one machine (say, a CI clone beside a working copy) never collide.
export RABBITMQ_NODENAME="emi${port}@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT="$port"
export RABBITMQ_DIST_PORT=$((port + 1))
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/log"
export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
export HOME="$dir"   # the Erlang cookie lives here, not in the invoking user's home

start() {
  mkdir -p "$dir/mnesia" "$dir/log"
  [ -f "$dir/enabled_plugins" ] || echo "[]." >"$dir/enabled_plugins"
  [ -f "$dir/rabbitmq.conf" ] || printf 'loopback_users.guest = true\nlisteners.tcp.default = 127.0.0.1:%s\n' "$port" >"$dir/rabbitmq.conf"
  if "$rmq/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" status >/dev/null 2>&1; then return; fi
  "$rmq/rabbitmq-server" -detached >/dev/null 2>&1
  # 'wait' blocks until the broker accepts connections (or the node dies).
  timeout 90 "$rmq/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" wait --timeout 80 "$RABBITMQ_PID_FILE" >/dev/null
}

case "${1:-start}" in
  start) start; echo "rabbitmq: amqp://guest:guest@127.0.0.1:$port/ (data in .local/rabbitmq)" ;;
  stop) "$rmq/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || true ;;
  status) "$rmq/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
