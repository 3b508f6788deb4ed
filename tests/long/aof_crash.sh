#!/bin/sh
# aof_crash.sh -- long test (make test-long): the issue's bar for the AOF.
# A writer pipelines RPUSHes with appendfsync always; the server is killed
# with SIGKILL mid-stream, restarted on the same files, and every push it
# acknowledged must be there (in order, without holes). 100 rounds, with a
# BGREWRITEAOF every tenth round so kills also hit rewrites. kill -9 keeps
# the page cache: this checks that no reply leaves before its write reached
# the file; fsync cadence itself cannot be observed here.
#
#   sh tests/long/aof_crash.sh /abs/path/to/minired-server /abs/path/to/itest_aof
set -e
cd "$(dirname "$0")/../.."
SERVER=${1:-${MINIRED_SERVER:-$PWD/build/epoll/minired-server}}
ITEST=${2:-$PWD/build/epoll/tests/itest_aof}
ROUNDS=${ROUNDS:-100}
echo "== AOF crash test: $ROUNDS rounds of kill -9 under appendfsync always"
MINIRED_SERVER="$SERVER" MINIRED_AOF_CRASH_ROUNDS="$ROUNDS" CK_RUN_CASE=crash "$ITEST"
