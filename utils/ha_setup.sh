#!/usr/bin/env bash
# ha_setup.sh -- a Redis Sentinel setup on this machine: one primary, two
# replicas and three Sentinels (Debian's redis-sentinel), each a process of
# its own with its own directory, config file and log under one state dir.
# For people to try minired with Sentinel, and used by the Sentinel tests
# and the failover bench (the server binary is a parameter, so the same
# setup runs with redis-server for comparison).
#
#   utils/ha_setup.sh start  [options]  start the six, wait until the
#                                       replicas are in sync and every
#                                       Sentinel sees both replicas and the
#                                       two other Sentinels
#   utils/ha_setup.sh status [options]  each process: pid, port, role; the
#                                       primary each Sentinel names
#   utils/ha_setup.sh stop   [options]  stop every process it started, by
#                                       the PID it recorded; remove the dir
#
# Options (the same for every subcommand):
#   --server BIN          server binary (default: this repo's
#                         build/epoll/minired-server, else src/minired-server)
#   --replica-server BIN  the replicas' binary (default: --server's), for
#                         mixed setups (a Redis primary, minired replicas)
#   --sentinel BIN        Sentinel binary (default: redis-sentinel; a
#                         redis-server binary is run with --sentinel)
#   --port BASE           primary on BASE, replicas on BASE+1 and BASE+2,
#                         Sentinels on BASE+3..BASE+5 (default 6400)
#   --server-ports P,R,R  explicit server ports (primary first)
#   --sentinel-ports A,B,C explicit Sentinel ports
#   --replica-priority A,B the replicas' replica-priority (default 100,100;
#                         0: never promoted)
#   --auth PASS           requirepass and masterauth on every server, and
#                         the Sentinels' auth-pass for the primary
#   --dir DIR             state dir (default ${TMPDIR:-/tmp}/minired-ha-BASE)
#   --name NAME           the monitored primary's name (default mymaster)
#   --down-after MS       sentinel down-after-milliseconds (default 5000)
#   --failover-timeout MS sentinel failover-timeout (default 60000)
#   --wait-timeout S      how long start waits for the setup (default 60)
#   --keep                stop leaves the state dir (logs) in place
#
# Each process runs in the foreground of its own session (setsid), started
# with its directory as working directory; its PID is in <dir>/<role>/pid.
# stop signals a PID only while that process still runs from that
# directory, so a recycled PID is never signalled.
set -u

tool=ha_setup
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=utils/setup_lib.sh
. "$here/setup_lib.sh"

cmd=${1:-}
[ -n "$cmd" ] || die "usage: $0 start|status|stop [options] (see the header of $0)"
shift

server=""
replica_server=""
sentinel=""
base=6400
server_ports=""
sentinel_ports=""
priorities="100,100"
auth=""
dir=""
name=mymaster
down_after=5000
failover_timeout=60000
wait_timeout=60
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
    --server) server=$2; shift 2 ;;
    --replica-server) replica_server=$2; shift 2 ;;
    --sentinel) sentinel=$2; shift 2 ;;
    --port) base=$2; shift 2 ;;
    --server-ports) server_ports=$2; shift 2 ;;
    --sentinel-ports) sentinel_ports=$2; shift 2 ;;
    --replica-priority) priorities=$2; shift 2 ;;
    --auth) auth=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --down-after) down_after=$2; shift 2 ;;
    --failover-timeout) failover_timeout=$2; shift 2 ;;
    --wait-timeout) wait_timeout=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) die "unknown option $1" ;;
    esac
done

[ -n "$server_ports" ] || server_ports="$base,$((base + 1)),$((base + 2))"
[ -n "$sentinel_ports" ] || sentinel_ports="$((base + 3)),$((base + 4)),$((base + 5))"
IFS=, read -r p_primary p_rep1 p_rep2 <<<"$server_ports"
IFS=, read -r p_s1 p_s2 p_s3 <<<"$sentinel_ports"
IFS=, read -r prio1 prio2 <<<"$priorities"
{ [ -n "$p_rep2" ] && [ -n "$p_s3" ]; } || die "--server-ports and --sentinel-ports take three ports each"
[ -n "$dir" ] || dir="${TMPDIR:-/tmp}/minired-ha-$p_primary"

# Roles in start order, with their ports.
roles="primary replica1 replica2 sentinel1 sentinel2 sentinel3"
port_of() {
    case "$1" in
    primary) echo "$p_primary" ;; replica1) echo "$p_rep1" ;; replica2) echo "$p_rep2" ;;
    sentinel1) echo "$p_s1" ;; sentinel2) echo "$p_s2" ;; sentinel3) echo "$p_s3" ;;
    esac
}

# One command to 127.0.0.1:port through redis-cli (empty output on error).
ask() {
    local port=$1
    shift
    redis-cli -h 127.0.0.1 -p "$port" --no-auth-warning "$@" 2>/dev/null | tr -d '\r'
}

# The same for a server (the Sentinels have no password).
ask_server() {
    local port=$1
    shift
    if [ -n "$auth" ]; then ask "$port" -a "$auth" "$@"; else ask "$port" "$@"; fi
}

info_field() { # port section field (of a server)
    ask_server "$1" info "$2" | sed -n "s/^$3://p"
}

find_servers() {
    find_server
    replica_server=$(resolve_binary "${replica_server:-$server}")
}

find_sentinel() {
    if [ -z "$sentinel" ]; then
        if command -v redis-sentinel >/dev/null 2>&1; then sentinel=redis-sentinel
        else die "redis-sentinel not found (Debian package redis-sentinel) and no --sentinel BIN"; fi
    fi
    command -v "$sentinel" >/dev/null 2>&1 || die "Sentinel binary $sentinel not found"
    sentinel=$(command -v "$sentinel")
}

write_server_conf() { # role port [primary-port priority]
    local d="$dir/$1"
    mkdir -p "$d"
    {
        echo "# $1 of the ha_setup.sh Sentinel setup"
        echo "port $2"
        echo "bind 127.0.0.1"
        echo "dir $d"
        echo "logfile $d/server.log"
        echo "save \"\""
        echo "appendonly no"
        # Full syncs start at once instead of waiting for more replicas.
        echo "repl-diskless-sync-delay 0"
        if [ -n "$auth" ]; then
            echo "requirepass \"$auth\""
            echo "masterauth \"$auth\""
        fi
        if [ $# -ge 3 ]; then
            echo "replicaof 127.0.0.1 $3"
            echo "replica-priority $4"
        fi
    } >"$d/server.conf"
}

write_sentinel_conf() { # role port
    local d="$dir/$1"
    mkdir -p "$d"
    {
        echo "# $1 of the ha_setup.sh Sentinel setup (Sentinel rewrites this file)"
        echo "port $2"
        echo "bind 127.0.0.1"
        echo "dir $d"
        echo "logfile $d/sentinel.log"
        echo "sentinel monitor $name 127.0.0.1 $p_primary 2"
        echo "sentinel down-after-milliseconds $name $down_after"
        echo "sentinel failover-timeout $name $failover_timeout"
        echo "sentinel parallel-syncs $name 1"
        if [ -n "$auth" ]; then echo "sentinel auth-pass $name \"$auth\""; fi
    } >"$d/sentinel.conf"
}

server_up() { [ "$(ask_server "$1" ping)" = "PONG" ]; }
sentinel_up() { [ "$(ask "$1" ping)" = "PONG" ]; }
replica_synced() { [ "$(info_field "$1" replication master_link_status)" = "up" ]; }
primary_has_two() { [ "$(info_field "$p_primary" replication connected_slaves)" = "2" ]; }
# Every Sentinel sees the two replicas and the two other Sentinels.
sentinels_ready() {
    local p out
    for p in $p_s1 $p_s2 $p_s3; do
        out=$(ask "$p" sentinel master "$name" | paste - - | tr '\t' ' ')
        echo "$out" | grep -q '^num-slaves 2$' || return 1
        echo "$out" | grep -q '^num-other-sentinels 2$' || return 1
    done
}

do_start() {
    find_servers
    find_sentinel
    command -v redis-cli >/dev/null 2>&1 || die "redis-cli not found (Debian package redis-tools)"
    local r
    fresh_dir
    {
        echo "server=$server"
        echo "replica_server=$replica_server"
        echo "sentinel=$sentinel"
    } >"$dir/setup.env"
    write_server_conf primary "$p_primary"
    write_server_conf replica1 "$p_rep1" "$p_primary" "${prio1:-100}"
    write_server_conf replica2 "$p_rep2" "$p_primary" "${prio2:-100}"
    spawn primary "$server" "$dir/primary/server.conf"
    for r in replica1 replica2; do
        spawn "$r" "$replica_server" "$dir/$r/server.conf"
    done
    for r in primary replica1 replica2; do
        wait_for "$r to answer PING on port $(port_of "$r")" server_up "$(port_of "$r")" || return 1
    done
    wait_for "replica1 in sync" replica_synced "$p_rep1" || return 1
    wait_for "replica2 in sync" replica_synced "$p_rep2" || return 1
    wait_for "the primary to list two replicas" primary_has_two || return 1
    # Sentinels start once both replicas are listed: a Sentinel learns the
    # replicas from the primary's INFO, which it reads again only every 10 s.
    local extra=""
    case "$(basename "$sentinel")" in *sentinel*) ;; *) extra="--sentinel" ;; esac
    for r in sentinel1 sentinel2 sentinel3; do
        write_sentinel_conf "$r" "$(port_of "$r")"
        # shellcheck disable=SC2086
        spawn "$r" "$sentinel" "$dir/$r/sentinel.conf" $extra
    done
    for r in sentinel1 sentinel2 sentinel3; do
        wait_for "$r to answer PING" sentinel_up "$(port_of "$r")" || return 1
    done
    wait_for "the Sentinels to see two replicas and each other" sentinels_ready || return 1
    echo "ha_setup: started in $dir"
    echo "ha_setup: primary 127.0.0.1:$p_primary, replicas :$p_rep1 :$p_rep2, sentinels :$p_s1 :$p_s2 :$p_s3 (name $name)"
}

do_status() {
    local r p pid what
    [ -d "$dir" ] || die "no setup in $dir"
    for r in $roles; do
        p=$(port_of "$r")
        if pid=$(live_pid "$r"); then
            case "$r" in
            sentinel*) what="primary $(ask "$p" sentinel get-master-addr-by-name "$name" | paste -sd: -)" ;;
            *) what="role $(info_field "$p" replication role)" ;;
            esac
            printf '%-10s port %-6s pid %-8s %s\n' "$r" "$p" "$pid" "$what"
        else
            printf '%-10s port %-6s not running\n' "$r" "$p"
        fi
    done
}

do_stop() {
    # Sentinels first, so none starts a failover while the servers stop.
    stop_roles sentinel1 sentinel2 sentinel3 replica1 replica2 primary
}

case "$cmd" in
start) do_start || { echo "ha_setup: start failed; logs in $dir/*/" >&2; exit 1; } ;;
status) do_status ;;
stop) do_stop ;;
*) die "unknown subcommand $cmd (start, status or stop)" ;;
esac
