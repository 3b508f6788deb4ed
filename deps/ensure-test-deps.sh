#!/bin/sh
# Makes sure the test-only dependencies are present: Check (unit tests),
# hiredis (integration tests), pkg-config, and redis-tools (redis-cli, for
# the --pipe test). The server itself needs none of them.
# Debian/Ubuntu: installs what is missing through apt. Elsewhere: says what
# to install and fails.
set -e

missing=""
pkg-config --exists check 2>/dev/null || missing="$missing check"
pkg-config --exists hiredis 2>/dev/null || missing="$missing libhiredis-dev"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v redis-cli >/dev/null 2>&1 || missing="$missing redis-tools"
[ -z "$missing" ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "deps: need root (or sudo) to install:$missing" >&2; exit 1
        fi
    fi
    echo "deps: installing test dependencies:$missing"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq pkg-config $missing >/dev/null
    exit 0
fi

echo "deps: missing test dependencies:$missing" >&2
echo "deps: install Check, hiredis, pkg-config and redis-cli with your package manager" >&2
echo "      (e.g. 'brew install check hiredis pkg-config redis' on macOS)." >&2
exit 1
