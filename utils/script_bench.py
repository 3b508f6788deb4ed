#!/usr/bin/env python3
"""script_bench: EVALSHA throughput and the BUSY / SCRIPT KILL bar, minired
against real Redis 7.0.

Throughput: EVALSHA of `return redis.call('GET', KEYS[1])` and of a script
of 10 commands, 50 clients, -P 1 and -P 16, each server pinned to core 1
(taskset -c 1) and redis-benchmark to core 0, the two servers alternating
run by run; medians of rps and of server CPU per request (utime+stime from
/proc/PID/stat around each run). Server and pinning code: utils/bench.py.

BUSY bar: client A runs a script that loops forever; client B sends PING
just after it and must get -BUSY within busy-reply-threshold + 100 ms of A's
EVAL; then B sends SCRIPT KILL and A's EVAL must end (its error reply is
timed from the KILL), and B's next PING must get PONG. The same for FCALL
and FUNCTION KILL. Rounds alternate the servers; medians and maxima.

Bounded: --max-seconds (default 300) stops the throughput rounds early.
Owns only its child servers, killed by PID on exit. Standard library only.

  python3 utils/script_bench.py --server build/epoll/minired-server
  python3 utils/script_bench.py --server redis-server       # redis vs redis
  python3 utils/script_bench.py --server X --rounds 1 --requests 20000 --skip-busy
"""

import argparse
import csv
import io
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ left in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (Server, pinning, the results table)

BENCH_RUN_TIMEOUT_S = 180.0
SOCKET_TIMEOUT_S = 10.0
BUSY_SLACK_MS = 100.0           # the bar: -BUSY within threshold + this
KILL_WAIT_S = 5.0               # longest wait for a killed script's reply
PING_DELAY_S = 0.01             # B's PING goes this long after A's EVAL

GET_SCRIPT = "return redis.call('GET', KEYS[1])"
TEN_SCRIPT = (
    "redis.call('INCR', KEYS[1]) "
    "redis.call('GET', KEYS[1]) "
    "redis.call('SET', KEYS[2], ARGV[1]) "
    "redis.call('GET', KEYS[2]) "
    "redis.call('HSET', KEYS[3], 'f', ARGV[1]) "
    "redis.call('HGET', KEYS[3], 'f') "
    "redis.call('LPUSH', KEYS[4], ARGV[1]) "
    "redis.call('LTRIM', KEYS[4], 0, 9) "
    "redis.call('EXISTS', KEYS[1], KEYS[2]) "
    "return redis.call('GET', KEYS[2])")
# (label, script, the arguments after the sha)
SCRIPTS = [
    ('evalsha_get', GET_SCRIPT, ['1', 'sb:key']),
    ('evalsha_10cmd', TEN_SCRIPT, ['4', 'sb:n', 'sb:s', 'sb:h', 'sb:l', 'value']),
]
LOOP_SCRIPT = 'local i = 0 while true do i = i + 1 end'
LOOP_LIBRARY = ("#!lua name=sbloop\n"
                "redis.register_function('sbloop', function() local i = 0 "
                "while true do i = i + 1 end end)")


# --------------------------------------------------------------------------
# A tiny RESP client: enough for SCRIPT LOAD, PING and error lines.

def encode(*args):
    out = [b'*%d\r\n' % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b'$%d\r\n%s\r\n' % (len(a), a))
    return b''.join(out)


def read_reply(sock):
    """Read one simple, error, integer or bulk reply; return its text."""
    buf = b''
    while b'\r\n' not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError('connection closed')
        buf += chunk
    head, rest = buf.split(b'\r\n', 1)
    if head[:1] == b'$' and int(head[1:]) >= 0:
        n = int(head[1:])
        while len(rest) < n + 2:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError('connection closed')
            rest += chunk
        return rest[:n].decode()
    return head.decode()


def command(port, *args):
    with socket.create_connection(('127.0.0.1', port), timeout=SOCKET_TIMEOUT_S) as s:
        s.sendall(encode(*args))
        return read_reply(s)


# --------------------------------------------------------------------------
# Throughput.

def prepare(servers):
    """Load both scripts and the key GET reads; return {label: sha}."""
    shas = {}
    for srv in servers:
        command(srv.port, 'SET', 'sb:key', 'value')
        for label, script, _ in SCRIPTS:
            sha = command(srv.port, 'SCRIPT', 'LOAD', script)
            if len(sha) != 40:
                raise RuntimeError('%s: SCRIPT LOAD replied %r' % (srv.name, sha))
            shas[label] = sha
    return shas


def run_one(srv, label, sha, extra, pipeline, args):
    requests = args.requests if pipeline == 1 else args.pipelined_requests
    argv = ['redis-benchmark', '-h', '127.0.0.1', '-p', str(srv.port),
            '-c', str(args.clients), '-n', str(requests), '-P', str(pipeline),
            '-q', '--csv', 'EVALSHA', sha] + extra
    if args.bench_cpu is not None:
        argv = ['taskset', '-c', str(args.bench_cpu)] + argv
    # A script error would still be counted as a request by redis-benchmark:
    # check once that this server really runs it.
    probe = command(srv.port, 'EVALSHA', sha, *extra)
    if probe.startswith('-'):
        raise RuntimeError('%s: EVALSHA %s: %s' % (srv.name, label, probe))
    before = srv.cpu_ticks()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=BENCH_RUN_TIMEOUT_S)
    after = srv.cpu_ticks()
    rows = [r for r in csv.reader(io.StringIO(out.stdout)) if r and r[0] != 'test']
    if out.returncode != 0 or not rows:
        raise RuntimeError('redis-benchmark failed on %s (%s): %s%s'
                           % (srv.name, label, out.stdout[-500:], out.stderr[-500:]))
    cpu_us = (after - before) / bench.CLK_TCK * bench.US_PER_S / requests
    return float(rows[-1][1]), cpu_us


def throughput(servers, args, deadline):
    shas = prepare(servers)
    pipelines = [int(p) for p in args.pipelines.split(',')]
    results = {}
    for rnd in range(args.rounds):
        order = servers if rnd % 2 == 0 else servers[::-1]
        for label, _, extra in SCRIPTS:
            for p in pipelines:
                for srv in order:
                    if time.monotonic() > deadline:
                        print('script_bench: time limit reached, partial results')
                        return results
                    rps, cpu = run_one(srv, label, shas[label], extra, p, args)
                    entry = results.setdefault((label, p), {'name': label})
                    entry.setdefault(srv.name, []).append((rps, cpu))
                    if args.verbose:
                        print('  round %d %-14s P=%-3d %-8s %10.0f rps %7.2f cpu-us/req'
                              % (rnd + 1, label, p, srv.name, rps, cpu), flush=True)
    return results


# --------------------------------------------------------------------------
# BUSY and KILL.

def busy_round(srv, threshold_ms, start_cmd, kill_cmd):
    """One loop/BUSY/KILL cycle; return (busy_ms, kill_ms, busy_text)."""
    a = socket.create_connection(('127.0.0.1', srv.port), timeout=SOCKET_TIMEOUT_S)
    b = socket.create_connection(('127.0.0.1', srv.port), timeout=SOCKET_TIMEOUT_S)
    try:
        t0 = time.monotonic()
        a.sendall(start_cmd)
        time.sleep(PING_DELAY_S)
        b.sendall(encode('PING'))
        busy = read_reply(b)
        busy_ms = (time.monotonic() - t0) * 1000
        if not busy.startswith('-BUSY'):
            raise RuntimeError('%s: expected -BUSY while the script loops, got %r'
                               % (srv.name, busy))
        t1 = time.monotonic()
        b.sendall(kill_cmd)
        killed = read_reply(b)
        if killed != '+OK':
            raise RuntimeError('%s: kill replied %r' % (srv.name, killed))
        a.settimeout(KILL_WAIT_S)
        ended = read_reply(a)
        kill_ms = (time.monotonic() - t1) * 1000
        if not ended.startswith('-'):
            raise RuntimeError('%s: the killed script replied %r' % (srv.name, ended))
        b.sendall(encode('PING'))
        pong = read_reply(b)
        if pong != '+PONG':
            raise RuntimeError('%s: PING after the kill replied %r' % (srv.name, pong))
        return busy_ms, kill_ms, busy
    finally:
        a.close()
        b.close()


def busy_bar(servers, args):
    threshold = args.busy_threshold_ms
    has_functions = {}
    for srv in servers:
        reply = command(srv.port, 'CONFIG', 'SET', 'busy-reply-threshold', threshold)
        if reply != '+OK':
            raise RuntimeError('%s: CONFIG SET busy-reply-threshold: %s' % (srv.name, reply))
        has_functions[srv.name] = not command(srv.port, 'FUNCTION', 'LOAD', 'REPLACE',
                                              LOOP_LIBRARY).startswith('-')
    kinds = [('EVAL + SCRIPT KILL', encode('EVAL', LOOP_SCRIPT, 0), encode('SCRIPT', 'KILL')),
             ('FCALL + FUNCTION KILL', encode('FCALL', 'sbloop', 0), encode('FUNCTION', 'KILL'))]
    print('BUSY bar: busy-reply-threshold %d ms; -BUSY must come within %d ms of the '
          'looping call' % (threshold, threshold + BUSY_SLACK_MS))
    head = '%-22s %-8s %10s %10s %10s %10s  %s' % (
        'cycle', 'server', 'busy med', 'busy max', 'kill med', 'kill max', 'bar')
    print(head)
    print('-' * len(head))
    ok = True
    for label, start, kill in kinds:
        times = {srv.name: [] for srv in servers}
        # A server without functions yet gets no FCALL cycle (and a note).
        able = [s for s in servers if has_functions[s.name] or not label.startswith('FCALL')]
        for rnd in range(args.busy_rounds):
            for srv in (able if rnd % 2 == 0 else able[::-1]):
                busy_ms, kill_ms, _ = busy_round(srv, threshold, start, kill)
                times[srv.name].append((busy_ms, kill_ms))
        for srv in servers:
            if srv not in able:
                print('%-22s %-8s %s' % (label, srv.name, 'n/a (FUNCTION LOAD refused)'))
                ok = ok and srv.name != 'minired'
                continue
            busy = [t[0] for t in times[srv.name]]
            kills = [t[1] for t in times[srv.name]]
            met = max(busy) <= threshold + BUSY_SLACK_MS
            ok = ok and (met or srv.name != 'minired')
            print('%-22s %-8s %8.1fms %8.1fms %8.1fms %8.1fms  %s'
                  % (label, srv.name, statistics.median(busy), max(busy),
                     statistics.median(kills), max(kills), 'met' if met else 'MISSED'))
    return ok


# --------------------------------------------------------------------------

def parse_cli(argv):
    p = argparse.ArgumentParser(description='EVALSHA throughput and the BUSY bar, minired vs Redis.')
    p.add_argument('--server', required=True, help='minired-server binary (or redis-server)')
    p.add_argument('--redis', default='redis-server', help='reference server binary')
    p.add_argument('--pipelines', default='1,16', help='-P values, comma-separated')
    p.add_argument('--requests', type=int, default=100000, help='-n for pipeline 1')
    p.add_argument('--pipelined-requests', type=int, default=300000, help='-n for pipelines > 1')
    p.add_argument('--clients', type=int, default=50, help='-c')
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--server-cpu', type=int, default=1, help='core for the servers')
    p.add_argument('--bench-cpu', type=int, default=0, help='core for redis-benchmark')
    p.add_argument('--no-pin', action='store_true', help='do not use taskset')
    p.add_argument('--busy-threshold-ms', type=int, default=200, help='busy-reply-threshold')
    p.add_argument('--busy-rounds', type=int, default=5, help='loop/KILL cycles per server')
    p.add_argument('--skip-busy', action='store_true')
    p.add_argument('--skip-throughput', action='store_true')
    p.add_argument('--max-seconds', type=float, default=300.0, help='throughput time limit')
    p.add_argument('-v', '--verbose', action='store_true', help='print every run')
    return p.parse_args(argv)


def _sigterm(signum, frame):
    raise KeyboardInterrupt()


def main(argv):
    args = parse_cli(argv)
    bench._pinning(args)
    signal.signal(signal.SIGTERM, _sigterm)
    deadline = time.monotonic() + args.max_seconds
    workdir = tempfile.mkdtemp(prefix='script_bench.')
    servers = []
    try:
        for name, binary in (('minired', args.server), ('redis', args.redis)):
            servers.append(bench.Server(name, binary, [], workdir, args.server_cpu))
        for srv in servers:
            srv.wait_ready()
        print('minired: %s (pid %d)   redis: %s (pid %d)   server cpu %s, bench cpu %s'
              % (servers[0].binary, servers[0].pid, servers[1].binary, servers[1].pid,
                 args.server_cpu, args.bench_cpu), flush=True)
        status = 0
        if not args.skip_throughput:
            print('EVALSHA: clients %d, requests %d (P=1) / %d (P>1), rounds %d'
                  % (args.clients, args.requests, args.pipelined_requests, args.rounds),
                  flush=True)
            bench.print_table(throughput(servers, args, deadline), ('minired', 'redis'))
        if not args.skip_busy:
            if not busy_bar(servers, args):
                status = 1
        return status
    except KeyboardInterrupt:
        print('script_bench: interrupted', file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
        dead = [s.name for s in servers if not s.alive()]
        print('script_bench: %s%s' % (e, ' (exited: %s)' % ', '.join(dead) if dead else ''),
              file=sys.stderr)
        return 2
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
