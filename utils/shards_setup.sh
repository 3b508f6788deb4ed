#!/usr/bin/env bash
# shards_setup.sh -- three shards behind twemproxy (Debian's nutcracker) on
# this machine: three servers, each a process with its own directory,
# config file and log, and one nutcracker that spreads keys over them
# (ketama over fnv1a_64 hashes, as twemproxy's own examples set it up).
# For people to try minired behind a sharding proxy, and used by the
# nutcracker test (the server binary is a parameter, so the same setup
# runs with redis-server for comparison).
#
#   utils/shards_setup.sh start  [options]  start the three servers and
#                                           nutcracker, wait until each
#                                           answers
#   utils/shards_setup.sh status [options]  each process: pid, port
#   utils/shards_setup.sh stop   [options]  stop every process it started,
#                                           by the PID it recorded; remove
#                                           the dir
#
# Options (the same for every subcommand):
#   --server BIN          server binary (default: this repo's
#                         build/epoll/minired-server, else src/minired-server)
#   --nutcracker BIN      default: nutcracker (on $PATH or in /usr/sbin)
#   --port BASE           nutcracker on BASE, shards on BASE+1..BASE+3,
#                         nutcracker's stats on BASE+4 (default 22121)
#   --proxy-port P        explicit proxy port
#   --shard-ports A,B,C   explicit shard ports
#   --stats-port P        explicit stats port
#   --dir DIR             state dir (default ${TMPDIR:-/tmp}/minired-shards-BASE)
#   --db N                nutcracker's redis_db: it sends SELECT N on each
#                         server connection (default: none)
#   --auth PASS           requirepass on the shards and nutcracker's
#                         redis_auth (it sends AUTH PASS on each connection)
#   --wait-timeout S      how long start waits (default 30)
#   --keep                stop leaves the state dir (logs) in place
#
# Each process runs in the foreground of its own session (setsid), started
# with its directory as working directory; its PID is in <dir>/<role>/pid.
# stop signals a PID only while that process still runs from that
# directory, so a recycled PID is never signalled.
set -u

tool=shards_setup
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=utils/setup_lib.sh
. "$here/setup_lib.sh"

cmd=${1:-}
[ -n "$cmd" ] || die "usage: $0 start|status|stop [options] (see the header of $0)"
shift

server=""
nutcracker=""
base=22121
proxy_port=""
shard_ports=""
stats_port=""
dir=""
db=""
auth=""
wait_timeout=30
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
    --server) server=$2; shift 2 ;;
    --nutcracker) nutcracker=$2; shift 2 ;;
    --port) base=$2; shift 2 ;;
    --proxy-port) proxy_port=$2; shift 2 ;;
    --shard-ports) shard_ports=$2; shift 2 ;;
    --stats-port) stats_port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --auth) auth=$2; shift 2 ;;
    --wait-timeout) wait_timeout=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) die "unknown option $1" ;;
    esac
done

[ -n "$proxy_port" ] || proxy_port=$base
[ -n "$shard_ports" ] || shard_ports="$((base + 1)),$((base + 2)),$((base + 3))"
[ -n "$stats_port" ] || stats_port=$((base + 4))
IFS=, read -r p_s1 p_s2 p_s3 <<<"$shard_ports"
[ -n "$p_s3" ] || die "--shard-ports takes three ports"
[ -n "$dir" ] || dir="${TMPDIR:-/tmp}/minired-shards-$proxy_port"

roles="shard1 shard2 shard3 proxy"
port_of() {
    case "$1" in
    shard1) echo "$p_s1" ;; shard2) echo "$p_s2" ;; shard3) echo "$p_s3" ;; proxy) echo "$proxy_port" ;;
    esac
}

# Sends PING (multibulk: nutcracker reads no inline commands) over bash's /dev/tcp (no client needed): 0 when the reply is
# +PONG or an authentication error (the server is up either way).
answers() {
    local port=$1 line
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    # shellcheck disable=SC2016 # $4 is RESP, not a variable
    printf '*1\r\n$4\r\nPING\r\n' >&3
    IFS= read -r -t 2 line <&3
    exec 3<&- 3>&-
    case "$line" in "+PONG"* | "-NOAUTH"*) return 0 ;; *) return 1 ;; esac
}

find_binaries() {
    find_server
    if [ -z "$nutcracker" ]; then
        nutcracker=$(PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v nutcracker) ||
            die "nutcracker not found (Debian package nutcracker) and no --nutcracker BIN"
    fi
    command -v "$nutcracker" >/dev/null 2>&1 || die "nutcracker binary $nutcracker not found"
}

write_shard_conf() { # role port
    local d="$dir/$1"
    mkdir -p "$d"
    {
        echo "# $1 of the shards_setup.sh setup"
        echo "port $2"
        echo "bind 127.0.0.1"
        echo "dir $d"
        echo "logfile $d/server.log"
        echo "save \"\""
        echo "appendonly no"
        [ -n "$auth" ] && echo "requirepass $auth"
    } >"$d/server.conf"
}

# The pool: ketama keeps most keys in place when a shard is added;
# auto_eject_hosts stays off so a key never moves to another shard.
write_proxy_conf() {
    local d="$dir/proxy"
    mkdir -p "$d"
    {
        echo "# nutcracker pool of the shards_setup.sh setup"
        echo "shards:"
        echo "  listen: 127.0.0.1:$proxy_port"
        echo "  hash: fnv1a_64"
        echo "  distribution: ketama"
        echo "  redis: true"
        [ -n "$db" ] && echo "  redis_db: $db"
        [ -n "$auth" ] && echo "  redis_auth: $auth"
        echo "  auto_eject_hosts: false"
        echo "  server_retry_timeout: 2000"
        echo "  server_failure_limit: 1"
        echo "  servers:"
        echo "   - 127.0.0.1:$p_s1:1 shard1"
        echo "   - 127.0.0.1:$p_s2:1 shard2"
        echo "   - 127.0.0.1:$p_s3:1 shard3"
    } >"$d/nutcracker.yml"
}

do_start() {
    find_binaries
    local r
    fresh_dir
    for r in shard1 shard2 shard3; do
        write_shard_conf "$r" "$(port_of "$r")"
        spawn "$r" "$server" "$dir/$r/server.conf"
    done
    for r in shard1 shard2 shard3; do
        wait_for "$r to answer on port $(port_of "$r")" answers "$(port_of "$r")" || return 1
    done
    write_proxy_conf
    "$nutcracker" -t -c "$dir/proxy/nutcracker.yml" >/dev/null 2>&1 ||
        die "nutcracker rejects $dir/proxy/nutcracker.yml"
    spawn proxy "$nutcracker" -c "$dir/proxy/nutcracker.yml" -s "$stats_port" -a 127.0.0.1 \
        -o "$dir/proxy/nutcracker.log"
    # nutcracker answers PING itself, so this proves it listens.
    wait_for "nutcracker on port $proxy_port" answers "$proxy_port" || return 1
    echo "shards_setup: started in $dir"
    echo "shards_setup: nutcracker 127.0.0.1:$proxy_port -> shards :$p_s1 :$p_s2 :$p_s3 (stats :$stats_port)"
}

do_status() {
    local r pid
    [ -d "$dir" ] || die "no setup in $dir"
    for r in $roles; do
        if pid=$(live_pid "$r"); then
            printf '%-7s port %-6s pid %s\n' "$r" "$(port_of "$r")" "$pid"
        else
            printf '%-7s port %-6s not running\n' "$r" "$(port_of "$r")"
        fi
    done
}

do_stop() {
    stop_roles proxy shard1 shard2 shard3
}

case "$cmd" in
start) do_start || { echo "shards_setup: start failed; logs in $dir/*/" >&2; exit 1; } ;;
status) do_status ;;
stop) do_stop ;;
*) die "unknown subcommand $cmd (start, status or stop)" ;;
esac
