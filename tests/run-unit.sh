#!/bin/sh
# Runs each unit-test binary given (the first argument is a label, ignored)
# and fails if any fails. Check prints a summary line per suite; tally.sh
# sums them into "N passed, N failed" (once for the whole of `make test`).
shift
exec sh "$(dirname "$0")/tally.sh" run "$@"
