#!/bin/sh
# expire_latency.sh -- long test (make test-long): a client PINGing while
# 1,000,000 keys expire at the same moment, and while FLUSHALL ASYNC frees
# 1,000,000 keys, must never wait more than 25 ms (the design target is a
# few ms). With COMPARE_REDIS=1, prints redis-server's figures too.
#
#   sh tests/long/expire_latency.sh [/abs/path/to/minired-server]
set -e
cd "$(dirname "$0")/../.."
SERVER=${1:-${MINIRED_SERVER:-$PWD/build/epoll/minired-server}}
KEYS=${KEYS:-1000000}
MAX_MS=${MAX_MS:-25}

echo "== mass expiry: $SERVER"
python3 utils/expire_latency.py --server "$SERVER" --keys "$KEYS" --max-latency-ms "$MAX_MS"
echo "== FLUSHALL ASYNC: $SERVER"
python3 utils/expire_latency.py --server "$SERVER" --keys "$KEYS" --mode flush --max-latency-ms "$MAX_MS"
if [ "${COMPARE_REDIS:-0}" = 1 ] && command -v redis-server >/dev/null 2>&1; then
    echo "== reference (not checked): redis-server"
    python3 utils/expire_latency.py --server redis-server --keys "$KEYS" || true
    python3 utils/expire_latency.py --server redis-server --keys "$KEYS" --mode flush || true
fi
