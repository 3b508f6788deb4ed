#!/usr/bin/env python3
"""acl_bench: what ACL checks cost on the command path.

Starts one server pinned to a core (taskset -c 1), creates a user limited to
`~cache:* +@read`, and runs the same redis-benchmark custom command
(`GET cache:__rand_int__`, pinned to another core) alternately as the
default user and as the restricted one. Reports, per user, the median over
the rounds of the server's CPU time per request (utime+stime from
/proc/PID/stat around each run) and of the throughput, and their ratio.
The issue 11 bar: restricted / default CPU per request <= 1.03 (the median
of the per-round ratios is the figure checked; the ratio of the medians is
printed too).
Works against minired or redis-server (--server). Owns only its child
server, stopped by PID on exit. Standard library only.

  python3 utils/acl_bench.py --server build/epoll/minired-server
  python3 utils/acl_bench.py --server redis-server --rounds 5
"""

import argparse
import csv
import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import CLK_TCK, Server  # noqa: E402

US_PER_S = 1e6
RUN_TIMEOUT_S = 180.0
USER, PASSWORD = 'cacheuser', 'cachepass'


def command(port, *args):
    """One command over a fresh connection; returns the raw reply bytes."""
    payload = b'*%d\r\n' % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        payload += b'$%d\r\n%s\r\n' % (len(a), a)
    with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
        s.sendall(payload)
        return s.recv(65536)


def fill(port, keys):
    """cache:0 .. cache:keys-1 so every GET hits (redis-benchmark's -r names
    keys cache:000000000123, so fill those names)."""
    with socket.create_connection(('127.0.0.1', port), timeout=30) as s:
        batch = []
        for i in range(keys):
            k = b'cache:%012d' % i
            batch.append(b'*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$5\r\nvalue\r\n' % (len(k), k))
            if len(batch) == 1000 or i == keys - 1:
                s.sendall(b''.join(batch))
                want = len(batch) * len(b'+OK\r\n')
                got = 0
                while got < want:
                    got += len(s.recv(65536))
                batch = []


def run(server, args, user):
    argv = ['redis-benchmark', '-h', '127.0.0.1', '-p', str(server.port), '-c', str(args.clients),
            '-n', str(args.requests), '-P', str(args.pipeline), '-r', str(args.keys), '-q', '--csv']
    if user:
        argv += ['--user', USER, '-a', PASSWORD]
    argv += ['GET', 'cache:__rand_int__']
    if not args.no_pin:
        argv = ['taskset', '-c', str(args.bench_cpu)] + argv
    before = server.cpu_ticks()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    after = server.cpu_ticks()
    rows = [r for r in csv.reader(io.StringIO(out.stdout)) if r and r[0] != 'test']
    if out.returncode != 0 or not rows:
        raise RuntimeError('redis-benchmark failed: %s %s' % (out.stdout[-300:], out.stderr[-300:]))
    return float(rows[-1][1]), (after - before) / CLK_TCK * US_PER_S / args.requests


def main(argv):
    p = argparse.ArgumentParser(description='ACL check cost: restricted vs default user.')
    p.add_argument('--server', required=True, help='minired-server or redis-server binary')
    p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--requests', type=int, default=2000000)
    p.add_argument('--pipeline', type=int, default=16)
    p.add_argument('--clients', type=int, default=50)
    p.add_argument('--keys', type=int, default=100000)
    p.add_argument('--server-cpu', type=int, default=1)
    p.add_argument('--bench-cpu', type=int, default=0)
    p.add_argument('--no-pin', action='store_true')
    args = p.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix='acl-bench-')
    server = Server('server', args.server, [], workdir, None if args.no_pin else args.server_cpu)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        server.wait_ready()
        reply = command(server.port, 'ACL', 'SETUSER', USER, 'on', '>' + PASSWORD, 'resetkeys', '~cache:*',
                        'nocommands', '+@read')
        if reply != b'+OK\r\n':
            raise RuntimeError('ACL SETUSER failed: %r' % reply)
        fill(server.port, args.keys)
        results = {'default': [], 'restricted': []}
        for r in range(args.rounds):
            # Alternate which user goes first so drift hits both alike.
            order = ['default', 'restricted'] if r % 2 == 0 else ['restricted', 'default']
            for who in order:
                rps, cpu = run(server, args, who == 'restricted')
                results[who].append((rps, cpu))
                print('round %d %-10s %10.0f req/s %7.3f us/req' % (r + 1, who, rps, cpu), flush=True)
        med = {w: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
               for w, v in results.items()}
        for w, (rps, cpu) in med.items():
            print('median %-10s %10.0f req/s %7.3f us/req' % (w, rps, cpu))
        ratio = med['restricted'][1] / med['default'][1]
        # Each round's two runs are back to back, so their ratio cancels the
        # machine's drift between rounds; its median is the steadier figure.
        paired = statistics.median(r[1] / d[1] for r, d in zip(results['restricted'], results['default']))
        print('cpu/request restricted/default: ratio of medians %.3f, median of per-round ratios %.3f '
              '(bar <= 1.03)' % (ratio, paired))
        return 0 if paired <= 1.03 else 1
    finally:
        server.stop()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
