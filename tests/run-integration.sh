#!/bin/sh
# Runs each integration-test binary against the server in $MINIRED_SERVER.
# Each binary starts its own servers on free ports and stops them.
status=0
for t in "$@"; do
    echo "== $(basename "$t")"
    if ! "$t"; then status=1; echo "FAILED: $t"; fi
done
exit $status
