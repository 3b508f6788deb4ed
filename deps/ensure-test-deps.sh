#!/bin/sh
# Makes sure the test-only dependencies are present: Check (unit tests),
# hiredis (integration tests), pkg-config, redis-tools (redis-cli, for
# the --pipe test) and python3-redis (redis-py, for the script workloads in
# tests/workloads, run by Debian's /usr/bin/python3), redis-sentinel and
# nutcracker (the Sentinel and sharding-proxy tests, which run the utils/
# setup scripts). The server itself needs none of them.
# Debian/Ubuntu: installs what is missing through apt. Elsewhere: says what
# to install and fails.
set -e

missing=""
pkg-config --exists check 2>/dev/null || missing="$missing check"
pkg-config --exists hiredis 2>/dev/null || missing="$missing libhiredis-dev"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v redis-cli >/dev/null 2>&1 || missing="$missing redis-tools"
/usr/bin/python3 -c 'import redis' >/dev/null 2>&1 || missing="$missing python3-redis"
command -v redis-sentinel >/dev/null 2>&1 || missing="$missing redis-sentinel"
# Debian installs nutcracker in /usr/sbin, which a user's PATH may lack.
command -v nutcracker >/dev/null 2>&1 || [ -x /usr/sbin/nutcracker ] || missing="$missing nutcracker"
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
echo "deps: install Check, hiredis, pkg-config, redis-cli, redis-py, redis-sentinel and nutcracker" >&2
echo "      (twemproxy) with your package manager" >&2
echo "      (e.g. 'brew install check hiredis pkg-config redis' and 'pip3 install redis' on macOS)." >&2
exit 1
