#!/bin/sh
# check_layers_selftest.sh -- proves tests/check_layers.sh catches a bad
# include: on a temporary copy of src/ it must pass as is, then fail once
# a library .c includes server.h, and fail once a library .h includes a
# server header other than server.h.
#
#   sh tests/check_layers_selftest.sh SRC_DIR lib1.c lib2.c ...
set -u
src=$1
shift
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() {
    echo "layer check self-test: $1"
    exit 1
}
copy() {
    rm -rf "$tmp/src"
    cp -R "$src" "$tmp/src"
}
copy
sh "$here/check_layers.sh" "$tmp/src" "$@" >/dev/null || fail "a clean copy of $src fails the check"
first=$1
copy
printf '#include "server.h"\n' >>"$tmp/src/$first"
sh "$here/check_layers.sh" "$tmp/src" "$@" >/dev/null && fail "$first including server.h passes the check"
copy
printf '#include "networking.h"\n' >>"$tmp/src/${first%.c}.h"
sh "$here/check_layers.sh" "$tmp/src" "$@" >/dev/null && fail "${first%.c}.h including networking.h passes the check"
echo "layer check self-test: a server include in a library .c or .h is caught"
