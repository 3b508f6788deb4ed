#!/bin/sh
# Runs each integration-test binary against the server in $MINIRED_SERVER.
# Each binary starts its own servers on free ports and stops them. Counts
# are summed by tally.sh, as for the unit tests.
exec sh "$(dirname "$0")/tally.sh" run "$@"
