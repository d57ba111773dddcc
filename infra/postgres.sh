#!/usr/bin/env bash
# Private PostgreSQL cluster for development and tests: .local/pg (or $EMI_PG_DIR), loopback only, port ${EMI_PG_PORT:-55432}.
# Usage: infra/postgres.sh start|stop|status|log-file|env
# `env` prints the connection settings of every role (infra/up.sh writes them to .local/env.sh). The fault tests start
# a throwaway cluster of their own with EMI_PG_DIR and EMI_PG_PORT set, so they can restart it (tests/EmiPlatform.Testing).
# Creates the platform's roles (see docs/operations.md): emi_owner (owns the schema, runs migrations),
# emi_app (row-level security applies), emi_admin (platform-admin path, BYPASSRLS), emi_orleans (owns the orleans
# schema that Orleans's ADO.NET clustering and reminders use; emi_owner is a member so its migration can create it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="${EMI_PG_DIR:-$root/.local/pg}"
# The 'postgres' account must reach the data folder; a clone under /root is closed to it, so use a folder of its own.
if [ -z "${EMI_PG_DIR:-}" ] && [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$root/.local" 2>/dev/null && ! runuser -u postgres -- test -x "$root" 2>/dev/null; then
  dir="/var/tmp/emi-pg-$(printf %s "$root" | md5sum | cut -c1-8)"
fi
port="${EMI_PG_PORT:-55432}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "postgres.sh: PostgreSQL is not installed (run infra/install-deps.sh)" >&2; exit 1; }

# initdb and the server refuse to run as root; use the Debian 'postgres' account then.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start() {
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    mkdir -p "$dir/data" "$dir/run"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
    pw=$(mktemp); echo "postgres" >"$pw"; chmod 644 "$pw"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pw"
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
max_connections = 300
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
  fi
  as_pg "$bin/psql" -h "$dir/run" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'emi_owner') THEN
    CREATE ROLE emi_owner LOGIN CREATEDB PASSWORD 'emi-owner-dev';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'emi_app') THEN
    CREATE ROLE emi_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'emi-app-dev';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'emi_admin') THEN
    CREATE ROLE emi_admin LOGIN NOSUPERUSER BYPASSRLS PASSWORD 'emi-admin-dev';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'emi_orleans') THEN
    CREATE ROLE emi_orleans LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'emi-orleans-dev';
  END IF;
  IF NOT pg_has_role('emi_owner', 'emi_orleans', 'MEMBER') THEN
    GRANT emi_orleans TO emi_owner;
  END IF;
END $$;
SELECT 'CREATE DATABASE emi OWNER emi_owner' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'emi') \gexec
SQL
}

case "${1:-start}" in
  start) start; echo "postgres: 127.0.0.1:$port (data in $dir)" ;;
  stop) [ -f "$dir/data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true ;;
  status) as_pg "$bin/pg_ctl" -D "$dir/data" status ;;
  log-file) echo "$dir/server.log" ;;
  env)
    at="Host=127.0.0.1;Port=$port"
    echo "export EMI_PG=\"$at;Username=postgres;Password=postgres;Database=postgres\""
    echo "export EMI_PG_OWNER=\"$at;Username=emi_owner;Password=emi-owner-dev\""
    echo "export EMI_PG_APP=\"$at;Username=emi_app;Password=emi-app-dev\""
    echo "export EMI_PG_ADMIN=\"$at;Username=emi_admin;Password=emi-admin-dev\""
    echo "export EMI_PG_ORLEANS=\"$at;Username=emi_orleans;Password=emi-orleans-dev;Search Path=orleans\"" ;;
  *) echo "usage: $0 start|stop|status|log-file|env" >&2; exit 2 ;;
esac
