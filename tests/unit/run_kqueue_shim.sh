#!/bin/sh
# run_kqueue_shim.sh -- build and run the ae suite against src/ae_kqueue.c
# on a system without kqueue (Linux), using tests/unit/kqueue_shim/sys/event.h
# (kqueue/kevent emulated on poll). On a real BSD/macOS this is not needed:
# the normal build already uses the kqueue backend.
#
# Usage: sh tests/unit/run_kqueue_shim.sh [outdir]     (default build/kqueue-shim)
# Env:   CC (default cc), SANITIZE (e.g. address,undefined), CFLAGS, LDFLAGS.
# Run from the repository root. Exits non-zero if the build or a test fails.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-cc}
OUTDIR=${1:-$ROOT/build/kqueue-shim${SANITIZE:+-san-$(echo "$SANITIZE" | tr ',' '_')}}
SANFLAGS=""
if [ -n "${SANITIZE:-}" ]; then
    SANFLAGS="-fsanitize=$SANITIZE -fno-omit-frame-pointer -fno-sanitize-recover=all"
fi
CHECK_CFLAGS=$(pkg-config --cflags check 2>/dev/null || true)
CHECK_LIBS=$(pkg-config --libs check 2>/dev/null || echo "-lcheck -lsubunit -lrt -lpthread -lm")

mkdir -p "$OUTDIR"
# The shim directory comes first so <sys/event.h> resolves to it.
# shellcheck disable=SC2086
"$CC" -std=gnu11 -Wall -Wextra -g -O2 -D_GNU_SOURCE $SANFLAGS ${CFLAGS:-} \
    -I"$ROOT/tests/unit/kqueue_shim" -I"$ROOT/src" $CHECK_CFLAGS \
    -o "$OUTDIR/test_ae" \
    "$ROOT/tests/unit/test_ae.c" "$ROOT/src/ae.c" "$ROOT/src/ae_kqueue.c" \
    "$ROOT/src/monotonic.c" "$ROOT/src/zmalloc.c" \
    $SANFLAGS ${LDFLAGS:-} $CHECK_LIBS -lm

sh "$ROOT/tests/run-unit.sh" kqueue-shim "$OUTDIR/test_ae"
