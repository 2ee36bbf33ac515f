#!/bin/sh
# Start the outbox worker beside gunicorn (one command starts everything); stop both on Ctrl-C.
# Used by `make run`: scripts/serve.sh <venv bin> <port> <workers>
set -u
BIN=$1 PORT=$2 WORKERS=$3

"$BIN/flask" --app wsgi notifications send &
worker=$!
stop() {
    kill -TERM "$worker" 2>/dev/null
    [ -n "${web:-}" ] && kill -TERM "$web" 2>/dev/null
    wait
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

PORT="$PORT" WEB_CONCURRENCY="$WORKERS" "$BIN/gunicorn" --config gunicorn.conf.py wsgi:app &
web=$!
wait "$web"
status=$?
stop
exit "$status"
