#!/bin/sh
# Runs each unit-test binary given (the first argument is a label, ignored)
# and fails if any fails. Check prints its own summary line per binary.
shift
status=0
for t in "$@"; do
    echo "== $(basename "$t")"
    if ! "$t"; then status=1; echo "FAILED: $t"; fi
done
exit $status
