#!/bin/sh
# tally.sh -- runs Check test binaries and keeps one count for a whole run.
#
#   sh tests/tally.sh run BINARY...     run each, show its output, count it
#   sh tests/tally.sh summary STATUS    print "N passed, N failed" for the run
#
# Each binary's Check summary lines ("NN%: Checks: C, Failures: F, Errors:
# E", one per suite) are summed: passed = C - F - E, failed = F + E. A
# binary that fails without any summary line (it crashed, or did not
# build) counts as one failure, so a failed run never reads "0 failed".
# With MINIRED_TEST_TALLY set (make test sets it), counts are appended to
# that file and `summary` prints the one closing line of the whole run;
# without it, `run` prints its own closing line. Exit status: non-zero if
# anything failed.
mode=$1
shift

count_output() { # file -> "passed failed" (failed may be 0)
    awk '/^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
             gsub(",", ""); c += $3; f += $5; e += $7; n++ }
         END { printf "%d %d %d\n", c - f - e, f + e, n }' "$1"
}

case "$mode" in
run)
    status=0
    total_p=0
    total_f=0
    out=$(mktemp "${TMPDIR:-/tmp}/minired-tally.XXXXXX")
    for t in "$@"; do
        echo "== $(basename "$t")"
        started=$(date +%s)
        "$t" >"$out" 2>&1
        rc=$?
        cat "$out"
        echo "   ($(basename "$t"): $(($(date +%s) - started)) s)"
        read -r p f n <<COUNTS
$(count_output "$out")
COUNTS
        if [ "$rc" -ne 0 ]; then
            status=1
            echo "FAILED: $t"
            [ "$f" -eq 0 ] && f=1
        fi
        [ "$n" -eq 0 ] && [ "$rc" -eq 0 ] && echo "WARNING: $t printed no Check summary"
        total_p=$((total_p + p))
        total_f=$((total_f + f))
    done
    rm -f "$out"
    if [ -n "$MINIRED_TEST_TALLY" ]; then
        echo "$total_p $total_f" >>"$MINIRED_TEST_TALLY"
    else
        echo "$total_p passed, $total_f failed"
    fi
    exit $status
    ;;
summary)
    status=${1:-0}
    read -r p f <<COUNTS
$(awk '{ p += $1; f += $2 } END { printf "%d %d\n", p, f }' "${MINIRED_TEST_TALLY:-/dev/null}")
COUNTS
    # A step that failed before any binary ran (a build error) still fails
    # the run, and is counted as one failure.
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "a test step failed before its checks ran (see above)"
        f=1
    fi
    echo "$p passed, $f failed"
    [ "$f" -eq 0 ]
    ;;
*)
    echo "usage: tally.sh run BINARY... | tally.sh summary STATUS" >&2
    exit 2
    ;;
esac
