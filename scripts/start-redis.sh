#!/usr/bin/env bash
# Make sure a Redis answers on 127.0.0.1:6379 for the tests of shared rate limits (RATELIMIT_STORAGE_URI).
set -euo pipefail
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then exit 0; fi
# Not running (a fresh machine, or a container without systemd): start one that keeps nothing on disk.
redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes >/dev/null
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0; sleep 0.2; done
echo "Redis did not start on 127.0.0.1:6379" >&2
exit 1
