#!/bin/sh
# Makes sure the build dependencies of the server are present: Lua 5.1
# (the language version Redis embeds, for scripting), found through
# pkg-config as `lua5.1` (Debian's liblua5.1-0-dev), and the cjson and bit
# libraries (lua-cjson-dev, lua-bitop-dev). Nothing is vendored.
# Debian/Ubuntu: installs what is missing through apt (waiting for the
# package lock if another install runs). Elsewhere: says what to install.
set -e

missing=""
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
pkg-config --exists lua5.1 2>/dev/null || missing="$missing liblua5.1-0-dev"
# The script libraries cjson and bit (lua5.1-cjson.pc, lua5.1-bitop.pc).
pkg-config --exists lua5.1-cjson 2>/dev/null || missing="$missing lua-cjson-dev"
pkg-config --exists lua5.1-bitop 2>/dev/null || missing="$missing lua-bitop-dev"
[ -z "$missing" ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "deps: need root (or sudo) to install:$missing" >&2; exit 1
        fi
    fi
    echo "deps: installing build dependencies:$missing"
    APT="$SUDO apt-get -o DPkg::Lock::Timeout=300"
    $APT update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive $APT install -y -qq pkg-config $missing >/dev/null
    exit 0
fi

echo "deps: missing build dependencies:$missing" >&2
echo "deps: install Lua 5.1 (with its pkg-config file lua5.1.pc) and pkg-config" >&2
echo "      with your package manager (e.g. 'apt-get install liblua5.1-0-dev')." >&2
exit 1
