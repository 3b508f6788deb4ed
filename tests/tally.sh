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
# without it, `run` prints its own closing line. With MINIRED_TEST_JOBS=N
# (N > 1), `run` runs N binaries at a time and shows each output once all
# are done, in the order given. Exit status: non-zero if anything failed.
mode=$1
shift

count_output() { # file -> "passed failed" (failed may be 0)
    awk '/^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
             gsub(",", ""); c += $3; f += $5; e += $7; n++ }
         END { printf "%d %d %d\n", c - f - e, f + e, n }' "$1"
}

# Shows one binary's output and run time, and adds its counts to the
# totals; sets status=1 if it failed.
report() { # binary output-file exit-status seconds
    echo "== $(basename "$1")"
    cat "$2"
    echo "   ($(basename "$1"): $4 s)"
    read -r p f n <<COUNTS
$(count_output "$2")
COUNTS
    if [ "$3" -ne 0 ]; then
        status=1
        echo "FAILED: $1"
        [ "$f" -eq 0 ] && f=1
    fi
    [ "$n" -eq 0 ] && [ "$3" -eq 0 ] && echo "WARNING: $1 printed no Check summary"
    total_p=$((total_p + p))
    total_f=$((total_f + f))
}

case "$mode" in
run)
    status=0
    total_p=0
    total_f=0
    jobs=${MINIRED_TEST_JOBS:-1}
    work=$(mktemp -d "${TMPDIR:-/tmp}/minired-tally.XXXXXX")
    if [ "$jobs" -gt 1 ]; then
        # MINIRED_TEST_JOBS binaries at a time (each picks its own free
        # ports); outputs are shown afterwards, in the order given.
        i=0
        for t in "$@"; do
            i=$((i + 1))
            printf '%s\n%s\n' "$i" "$t"
        done | xargs -d '\n' -n 2 -P "$jobs" sh -c \
            'started=$(date +%s); "$2" >"$0/$1.out" 2>&1; echo "$? $(($(date +%s) - started))" >"$0/$1.rc"' "$work"
        i=0
        for t in "$@"; do
            i=$((i + 1))
            read -r rc secs <"$work/$i.rc"
            report "$t" "$work/$i.out" "$rc" "$secs"
        done
    else
        for t in "$@"; do
            started=$(date +%s)
            "$t" >"$work/out" 2>&1
            rc=$?
            report "$t" "$work/out" "$rc" "$(($(date +%s) - started))"
        done
    fi
    rm -rf "$work"
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
