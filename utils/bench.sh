#!/bin/sh
# Benchmark a minired-server binary against redis-server: see utils/README.md.
# Usage: sh utils/bench.sh /abs/path/to/minired-server [extra bench.py args]
set -e
if [ $# -lt 1 ]; then
    echo "usage: sh utils/bench.sh /path/to/minired-server [bench.py options]" >&2
    exit 2
fi
server=$1
shift
exec python3 "$(dirname "$0")/bench.py" --server "$server" "$@"
