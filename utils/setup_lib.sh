# setup_lib.sh -- what ha_setup.sh and shards_setup.sh share: processes that
# each run from a directory of their own under $dir/<role>, recorded by PID,
# waited for by polling, and stopped by the PID they were started with.
# Sourced, not run. The sourcing script sets `tool` (its name in messages),
# `repo`, `dir`, `roles`, `wait_timeout`, `keep` and `server` (may be empty).

die() { echo "$tool: $*" >&2; exit 1; }

# The PID recorded for a role, printed only while that process still runs
# from the role's directory.
live_pid() {
    local d="$dir/$1" pid
    [ -f "$d/pid" ] || return 1
    pid=$(cat "$d/pid")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # With procfs: a zombie (no cwd) counts as gone, another process
    # that got the PID (another cwd) too.
    if [ -d "/proc/$pid" ]; then
        [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$d" ] || return 1
    fi
    echo "$pid"
}

# Polls until the named check passes or wait_timeout seconds pass.
wait_for() {
    local what=$1
    shift
    local deadline=$(($(date +%s) + wait_timeout))
    until "$@"; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "$tool: timed out waiting for $what" >&2
            return 1
        fi
        sleep 0.1
    done
}

# Prints the absolute path of a binary (on $PATH or a path).
resolve_binary() {
    local b
    b=$(command -v "$1" 2>/dev/null) || die "binary $1 not found"
    case "$b" in /*) echo "$b" ;; *) echo "$PWD/$b" ;; esac
}

# Sets server to this repo's build when none was given, as an absolute path.
find_server() {
    local s
    if [ -z "$server" ]; then
        for s in "$repo/build/epoll/minired-server" "$repo/src/minired-server"; do
            [ -x "$s" ] && { server=$s; break; }
        done
    fi
    [ -n "$server" ] || die "no server binary: build minired (make) or pass --server BIN"
    server=$(resolve_binary "$server")
}

# Starts a process in its own session from its dir; records its PID.
spawn() { # role binary args...
    local d="$dir/$1"
    shift
    (cd "$d" && exec setsid "$@" >>"$d/stdout.log" 2>&1 </dev/null) &
    echo $! >"$d/pid"
}

# Refuses to start over a role that still runs, then makes a fresh $dir.
fresh_dir() {
    local r
    for r in $roles; do
        live_pid "$r" >/dev/null && die "$r already runs (pid $(live_pid "$r")); stop it first"
    done
    rm -rf "$dir"
    mkdir -p "$dir" || die "cannot create $dir"
}

# SIGTERM to the roles in the order given, SIGKILL to any left after 10 s;
# removes $dir unless keep=1.
stop_roles() { # role...
    local r pid left
    [ -d "$dir" ] || { echo "$tool: nothing in $dir"; return 0; }
    for r in "$@"; do
        pid=$(live_pid "$r") && kill -TERM "$pid" 2>/dev/null
    done
    for _ in $(seq 1 100); do
        left=""
        for r in "$@"; do live_pid "$r" >/dev/null && left="$left $r"; done
        [ -z "$left" ] && break
        sleep 0.1
    done
    for r in $left; do
        pid=$(live_pid "$r") && { echo "$tool: $r did not stop, killing pid $pid" >&2; kill -KILL "$pid"; }
    done
    [ "$keep" = 1 ] || rm -rf "$dir"
    echo "$tool: stopped"
}
