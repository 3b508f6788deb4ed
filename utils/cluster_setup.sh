#!/usr/bin/env bash
# cluster_setup.sh -- a Redis Cluster on this machine: N nodes (cluster-
# enabled yes), each a process of its own with its own directory, config
# file, nodes.conf and log under one state dir, joined by Redis's own tool
# (`redis-cli --cluster create`). For people to try minired as a cluster
# node, alone or mixed with real Redis 7.0 nodes, and used by the cluster
# tests and benches (the server binary is a parameter, so the same setup
# runs with redis-server for comparison).
#
#   utils/cluster_setup.sh start  [options]  start the nodes, create the
#                                            cluster, wait until every node
#                                            says cluster_state:ok and sees
#                                            every replica as one
#   utils/cluster_setup.sh status [options]  each node: port, pid, role,
#                                            slots, cluster_state; then the
#                                            slots and nodes one node sees
#   utils/cluster_setup.sh stop   [options]  stop every node it started, by
#                                            the PID it recorded; remove the
#                                            dir
#
# Options (the same for every subcommand):
#   --nodes N             how many nodes (default 6)
#   --replicas R          replicas per primary, as redis-cli --cluster
#                         create's --cluster-replicas (default 1); N must be
#                         at least 3 * (R + 1)
#   --base-port P         node K listens on P+K-1 and its bus on P+K-1+10000
#                         (default 30001)
#   --server BIN          every node's binary (default: this repo's
#                         build/epoll/minired-server, else src/minired-server)
#   --mixed BIN           minired binary for nodes 1, 3, 5...; nodes 2, 4,
#                         6... run Redis (--redis); so 6 nodes are 3 + 3
#   --redis BIN           Redis binary for --mixed (default redis-server)
#   --node-timeout MS     cluster-node-timeout (default 2000)
#   --dir DIR             state dir (default ${TMPDIR:-/tmp}/minired-cluster-P)
#   --wait-timeout S      how long start waits for each step (default 60)
#   --keep                stop leaves the state dir (logs) in place
#
# redis-cli --cluster create makes nodes 1..N/(R+1) the primaries (all
# share one host, so it keeps the given order) and gives each the replicas
# it picks among the others. Each node runs in the foreground of its own
# session (setsid) from its directory; its PID is in <dir>/nodeK/pid. stop
# signals a PID only while that process still runs from that directory, so
# a recycled PID is never signalled.
set -u

tool=cluster_setup
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=utils/setup_lib.sh
. "$here/setup_lib.sh"

cmd=${1:-}
[ -n "$cmd" ] || die "usage: $0 start|status|stop [options] (see the header of $0)"
shift

nodes=6
replicas=1
base=30001
server=""
mixed=""
redis="redis-server"
node_timeout=2000
dir=""
wait_timeout=60
keep=0
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || case "$1" in --keep) ;; *) die "option $1 needs a value" ;; esac
    case "$1" in
    --nodes) nodes=$2; shift 2 ;;
    --replicas) replicas=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    --server) server=$2; shift 2 ;;
    --mixed) mixed=$2; shift 2 ;;
    --redis) redis=$2; shift 2 ;;
    --node-timeout) node_timeout=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --wait-timeout) wait_timeout=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) die "unknown option $1" ;;
    esac
done

for v in "$nodes" "$replicas" "$base" "$node_timeout" "$wait_timeout"; do
    case "$v" in '' | *[!0-9]*) die "not a number: '$v'" ;; esac
done
[ "$nodes" -ge $((3 * (replicas + 1))) ] ||
    die "--nodes $nodes is too few for 3 primaries with $replicas replicas each"
[ $((base + nodes - 1 + 10000)) -le 65535 ] || die "--base-port $base: bus ports would pass 65535"
[ -z "$mixed" ] || [ -z "$server" ] || die "--server and --mixed exclude each other"
[ -n "$dir" ] || dir="${TMPDIR:-/tmp}/minired-cluster-$base"

# status and stop act on what start recorded (node count and ports).
if [ "$cmd" != start ] && [ -f "$dir/setup.env" ]; then
    nodes=$(sed -n 's/^nodes=//p' "$dir/setup.env")
    base=$(sed -n 's/^base=//p' "$dir/setup.env")
fi
roles=""
for k in $(seq 1 "$nodes"); do roles="$roles node$k"; done
port_of() { echo $((base + ${1#node} - 1)); }

# One command to 127.0.0.1:port through redis-cli (empty output on error).
ask() {
    local port=$1
    shift
    redis-cli -h 127.0.0.1 -p "$port" "$@" 2>/dev/null | tr -d '\r'
}

info_field() { # port field (of CLUSTER INFO)
    ask "$1" cluster info | sed -n "s/^$2://p"
}

# Which binary node K runs: with --mixed, the even nodes run Redis.
binary_of() {
    if [ -n "$mixed" ] && [ $((${1#node} % 2)) -eq 0 ]; then echo "$redis"; else echo "$server"; fi
}

find_binaries() {
    [ -n "$mixed" ] && server=$mixed
    find_server
    redis=$(resolve_binary "$redis")
    command -v redis-cli >/dev/null 2>&1 || die "redis-cli not found (Debian package redis-tools)"
}

write_conf() { # role port
    local d="$dir/$1"
    mkdir -p "$d"
    {
        echo "# $1 of the cluster_setup.sh cluster"
        echo "port $2"
        echo "bind 127.0.0.1"
        echo "dir $d"
        echo "logfile $d/server.log"
        echo "save \"\""
        echo "appendonly no"
        echo "cluster-enabled yes"
        echo "cluster-config-file nodes.conf"
        echo "cluster-node-timeout $node_timeout"
        # A replica's full sync starts at once instead of waiting for more.
        echo "repl-diskless-sync-delay 0"
    } >"$d/server.conf"
}

node_up() { [ "$(ask "$1" ping)" = "PONG" ]; }
cluster_enabled() { ask "$1" info cluster | grep -q '^cluster_enabled:1$'; }
state_ok() { [ "$(info_field "$1" cluster_state)" = "ok" ]; }
# Every node knows every other one, sees the whole cluster healthy, and
# sees every replica as one: a replica's new role reaches the others with
# its next ping, a moment after redis-cli's CLUSTER REPLICATE.
all_ok() {
    local r info want_replicas
    want_replicas=$((nodes - nodes / (replicas + 1)))
    for r in $roles; do
        info=$(ask "$(port_of "$r")" cluster info)
        echo "$info" | grep -q '^cluster_state:ok$' || return 1
        echo "$info" | grep -q "^cluster_known_nodes:$nodes\$" || return 1
        echo "$info" | grep -q '^cluster_slots_ok:16384$' || return 1
        [ "$(ask "$(port_of "$r")" cluster nodes | awk '$3 ~ /slave/' | wc -l)" -eq "$want_replicas" ] || return 1
    done
}

do_start() {
    find_binaries
    local r p addrs=""
    fresh_dir
    {
        echo "server=$server"
        [ -n "$mixed" ] && echo "redis=$redis"
        echo "nodes=$nodes"
        echo "replicas=$replicas"
        echo "base=$base"
        echo "node_timeout=$node_timeout"
    } >"$dir/setup.env"
    for r in $roles; do
        p=$(port_of "$r")
        write_conf "$r" "$p"
        spawn "$r" "$(binary_of "$r")" "$dir/$r/server.conf"
        addrs="$addrs 127.0.0.1:$p"
    done
    for r in $roles; do
        p=$(port_of "$r")
        wait_for "$r to answer PING on port $p" node_up "$p" || return 1
        cluster_enabled "$p" || die "$r ($(binary_of "$r")) does not report cluster_enabled:1"
    done
    # shellcheck disable=SC2086 # one argument per address
    redis-cli --cluster create $addrs --cluster-replicas "$replicas" --cluster-yes \
        >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; die "redis-cli --cluster create failed"; }
    # redis-cli colours its output even into a file.
    sed 's/\x1b\[[0-9;]*m//g' "$dir/create.log" | grep -q '^\[OK\] All 16384 slots covered' ||
        { cat "$dir/create.log" >&2; die "redis-cli --cluster create did not cover all slots"; }
    wait_for "cluster_state:ok and every replica seen on every node" all_ok || return 1
    echo "cluster_setup: started in $dir"
    echo "cluster_setup: $nodes nodes on 127.0.0.1:$base..$((base + nodes - 1)) (bus +10000)," \
        "$replicas replica(s) per primary, node timeout $node_timeout ms"
    echo "cluster_setup: try: redis-cli -c -p $base"
}

do_status() {
    local r p pid line first=""
    [ -d "$dir" ] || die "no setup in $dir"
    for r in $roles; do
        p=$(port_of "$r")
        if pid=$(live_pid "$r"); then
            [ -n "$first" ] || first=$p
            # myself's line of CLUSTER NODES: flags (3rd) and slots (9th on).
            line=$(ask "$p" cluster nodes | grep ' myself' | head -1)
            printf '%-7s port %-6s pid %-8s %-15s %-13s slots %s\n' "$r" "$p" "$pid" \
                "$(echo "$line" | awk '{ sub(/^myself,/, "", $3); print $3 }')" \
                "state $(info_field "$p" cluster_state)" \
                "$(echo "$line" | awk '{ s = ""; for (i = 9; i <= NF; i++) s = s $i " "; print (s == "" ? "-" : s) }')"
        else
            printf '%-7s port %-6s not running\n' "$r" "$p"
        fi
    done
    [ -n "$first" ] || return 0
    echo "-- CLUSTER INFO of :$first"
    ask "$first" cluster info | grep -E '^cluster_(state|slots_assigned|slots_ok|slots_pfail|slots_fail|known_nodes|size|current_epoch):'
}

do_stop() {
    # shellcheck disable=SC2086 # one role per word
    stop_roles $roles
}

case "$cmd" in
start) do_start || {
    echo "cluster_setup: start failed; logs in $dir/*/ (the nodes still run: $0 stop --dir $dir ...)" >&2
    exit 1
} ;;
status) do_status ;;
stop) do_stop ;;
*) die "unknown subcommand $cmd (start, status or stop)" ;;
esac
