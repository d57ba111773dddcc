#!/usr/bin/env bash
# Azurite (Azure Storage emulator), blob service only, on 127.0.0.1:10010.
#   infra/azurite.sh start   install (once) and start; no-op when already answering
#   infra/azurite.sh stop    stop the instance started from this repo
#   infra/azurite.sh status  exit 0 when it answers
#   infra/azurite.sh reset   stop, wipe .local/azurite/data, start (Azurite frees deleted blobs' files only every 10 min)
# State lives under .local/azurite/ (git-ignored): node_modules, data, pid file, log.
set -euo pipefail

AZURITE_VERSION="3.37.0"
HOST="127.0.0.1"
PORT="${EMI_AZURITE_PORT:-10010}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$ROOT/.local/azurite"
DATA="$BASE/data"
PIDFILE="$BASE/azurite.pid"
LOG="$BASE/azurite.log"
BIN="$BASE/node_modules/.bin/azurite-blob"

# Any HTTP status means the server is up; an unauthenticated request gets 400/403 from Azurite.
answers() {
    curl -s -o /dev/null -m 2 "http://$HOST:$PORT/devstoreaccount1?comp=list" 2>/dev/null
}

running_pid() {
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid="$(cat "$PIDFILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

install() {
    local installed=""
    if [[ -f "$BASE/node_modules/azurite/package.json" ]]; then
        installed="$(node -p "require('$BASE/node_modules/azurite/package.json').version")"
    fi
    if [[ "$installed" != "$AZURITE_VERSION" ]]; then
        echo "azurite: installing azurite@$AZURITE_VERSION into $BASE" >&2
        mkdir -p "$BASE"
        npm install --prefix "$BASE" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >&2
    fi
}

start() {
    if answers; then
        echo "azurite: already answering on $HOST:$PORT" >&2
        return 0
    fi
    if pid="$(running_pid)"; then
        echo "azurite: pid $pid exists but does not answer; waiting for it" >&2
    else
        install
        mkdir -p "$DATA"
        # setsid: the server must outlive the shell (and process group) that ran `start`.
        setsid "$BIN" --blobHost "$HOST" --blobPort "$PORT" --location "$DATA" --silent \
            </dev/null >>"$LOG" 2>&1 &
        echo $! >"$PIDFILE"
    fi
    for _ in $(seq 1 150); do
        if answers; then
            echo "azurite: started on $HOST:$PORT (pid $(cat "$PIDFILE"))" >&2
            return 0
        fi
        if ! running_pid >/dev/null; then
            echo "azurite: process exited; last log lines:" >&2
            tail -n 20 "$LOG" >&2 || true
            return 1
        fi
        sleep 0.2
    done
    echo "azurite: did not answer on $HOST:$PORT within 30 s; see $LOG" >&2
    return 1
}

stop() {
    local pid
    if pid="$(running_pid)"; then
        kill "$pid"
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        echo "azurite: stopped pid $pid" >&2
    else
        echo "azurite: not running (no live pid in $PIDFILE)" >&2
    fi
    rm -f "$PIDFILE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) answers ;;
    reset) stop; rm -rf "$DATA"; start ;;
    *) echo "usage: $0 start|stop|status|reset" >&2; exit 2 ;;
esac
