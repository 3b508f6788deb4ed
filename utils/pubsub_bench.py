#!/usr/bin/env python3
"""pubsub_bench: PUBLISH throughput of minired against real Redis, with
subscribers that read everything.

Starts both servers on free ports (server pinned with taskset -c 1), attaches
N subscribers to channel "ch" on each (raw sockets, read by one thread that
counts delivered bytes), and runs redis-benchmark's custom command
`PUBLISH ch msg` (50 clients, pinned with taskset -c 0) for each pipeline
depth and subscriber count, alternating minired and Redis run by run. After
each run it waits until every subscriber got every message (or the drain
timeout passes) and reports: rps, deliveries seen / expected, subscribers
disconnected, and server CPU (utime+stime from /proc/PID/stat) per
published message. Exit status 1 if a message was lost or a subscriber was
dropped. Owns only its child servers (killed by PID on exit).
Standard library only (Python 3.11).

  python3 utils/pubsub_bench.py --server build/epoll/minired-server
  python3 utils/pubsub_bench.py --server X --subscribers 1,100 --pipelines 1,16 --rounds 3
"""

import argparse
import csv
import io
import os
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import CLK_TCK, US_PER_S, Server  # noqa: E402

CHANNEL, PAYLOAD = b'ch', b'msg'
# What each subscriber receives per PUBLISH, and once for its SUBSCRIBE.
MESSAGE = b'*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nmsg\r\n'
CONFIRM = b'*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n'
BENCH_RUN_TIMEOUT_S = 300.0
DRAIN_TIMEOUT_S = 20.0        # after a run, longest wait for the last deliveries
RECV_BYTES = 1 << 20
SOCKET_TIMEOUT_S = 10.0


class Subscribers:
    """N subscriber connections to one server, drained by a thread."""

    def __init__(self, port, n):
        self.socks, self.received, self.closed = [], [], []
        for _ in range(n):
            s = socket.create_connection(('127.0.0.1', port), timeout=SOCKET_TIMEOUT_S)
            s.sendall(b'*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n')
            got = b''
            while len(got) < len(CONFIRM):
                chunk = s.recv(len(CONFIRM) - len(got))
                if not chunk:
                    raise RuntimeError('subscriber closed before its confirmation')
                got += chunk
            if got != CONFIRM:
                raise RuntimeError('unexpected SUBSCRIBE reply %r' % got)
            s.setblocking(False)
            self.socks.append(s)
            self.received.append(0)
            self.closed.append(False)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        sel = selectors.DefaultSelector()
        for i, s in enumerate(self.socks):
            sel.register(s, selectors.EVENT_READ, i)
        buf = bytearray(RECV_BYTES)
        while not self.stop.is_set():
            for key, _ in sel.select(timeout=0.1):
                i = key.data
                try:
                    n = self.socks[i].recv_into(buf)
                except BlockingIOError:
                    continue
                except OSError:
                    n = 0
                if n == 0:
                    self.closed[i] = True
                    sel.unregister(self.socks[i])
                else:
                    self.received[i] += n
        sel.close()

    def delivered(self):
        """Messages each subscriber has received so far."""
        return [b // len(MESSAGE) for b in self.received]

    def wait_for(self, expected_each, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(d >= expected_each or c for d, c in zip(self.delivered(), self.closed)):
                return
            time.sleep(0.02)

    def close(self):
        self.stop.set()
        self.thread.join()
        for s in self.socks:
            s.close()


def run_once(server, subs, pipeline, requests, args):
    """One redis-benchmark run: (rps, cpu_us_per_publish, lost, dropped)."""
    start = subs.delivered()
    closed_before = sum(subs.closed)
    argv = ['redis-benchmark', '-h', '127.0.0.1', '-p', str(server.port), '-c', str(args.clients),
            '-n', str(requests), '-P', str(pipeline), '-q', '--csv', 'PUBLISH', 'ch', 'msg']
    if args.bench_cpu is not None:
        argv = ['taskset', '-c', str(args.bench_cpu)] + argv
    before = server.cpu_ticks()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=BENCH_RUN_TIMEOUT_S)
    rows = [r for r in csv.reader(io.StringIO(out.stdout)) if r and r[0] != 'test']
    if out.returncode != 0 or not rows:
        raise RuntimeError('redis-benchmark failed on %s: %s%s' % (server.name, out.stdout[-300:], out.stderr[-300:]))
    target = [s + requests for s in start]
    subs.wait_for(max(target), DRAIN_TIMEOUT_S)
    after = server.cpu_ticks()  # includes the drain: delivery is part of a publish's cost
    got = [d - s for d, s in zip(subs.delivered(), start)]
    lost = sum(max(0, requests - g) for g in got)
    dropped = sum(subs.closed) - closed_before
    cpu_us = (after - before) / CLK_TCK * US_PER_S / requests
    return float(rows[-1][1]), cpu_us, lost, dropped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', required=True, help='minired-server binary')
    ap.add_argument('--redis', default='redis-server', help='reference server binary')
    ap.add_argument('--subscribers', default='1,100', help='comma-separated subscriber counts')
    ap.add_argument('--pipelines', default='1,16')
    ap.add_argument('--clients', type=int, default=50)
    ap.add_argument('--requests', type=int, default=100000, help='PUBLISH commands per run at P1')
    ap.add_argument('--pipelined-requests', type=int, default=400000, help='per run at P>1')
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--server-cpu', type=int, default=1)
    ap.add_argument('--bench-cpu', type=int, default=0)
    ap.add_argument('--time-limit', type=float, default=900.0, help='seconds for the whole run')
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()
    if shutil.which('taskset') is None:
        args.server_cpu = args.bench_cpu = None
    if args.bench_cpu is not None and hasattr(os, 'sched_setaffinity'):
        # The subscribers' reader thread shares the benchmark's core: left
        # free, the scheduler sometimes puts it on the server's core, and
        # whichever server is measured then is several times slower.
        os.sched_setaffinity(0, {args.bench_cpu})

    workdir = tempfile.mkdtemp(prefix='pubsub-bench-')
    servers = [Server('minired', os.path.abspath(args.server), [], workdir, args.server_cpu),
               Server('redis', args.redis, [], workdir, args.server_cpu)]
    failed = False
    deadline = time.monotonic() + args.time_limit
    try:
        for s in servers:
            s.wait_ready()
        results = {}
        for nsubs in [int(x) for x in args.subscribers.split(',')]:
            subs = {s.name: Subscribers(s.port, nsubs) for s in servers}
            try:
                for rnd in range(args.rounds):
                    order = servers if rnd % 2 == 0 else servers[::-1]
                    for p in [int(x) for x in args.pipelines.split(',')]:
                        n = args.requests if p == 1 else args.pipelined_requests
                        for srv in order:
                            if time.monotonic() > deadline:
                                raise TimeoutError
                            rps, cpu, lost, dropped = run_once(srv, subs[srv.name], p, n, args)
                            failed |= bool(lost or dropped)
                            results.setdefault((nsubs, p), {}).setdefault(srv.name, []).append(
                                (rps, cpu, lost, dropped))
                            if args.verbose:
                                print('  round %d subs=%-3d P=%-3d %-8s %10.0f rps %8.2f cpu-us/pub lost %d dropped %d'
                                      % (rnd + 1, nsubs, p, srv.name, rps, cpu, lost, dropped), flush=True)
            finally:
                for sb in subs.values():
                    sb.close()
    except TimeoutError:
        print('pubsub_bench: time limit reached, partial results')
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    head = '%5s %4s %12s %12s %7s %11s %11s %9s %10s' % (
        'subs', 'P', 'minired rps', 'redis rps', 'ratio', 'mr us/pub', 'rd us/pub', 'cpu ratio', 'lost/drop')
    print(head)
    print('-' * len(head))
    for (nsubs, p), e in sorted(results.items()):
        if 'minired' not in e or 'redis' not in e:
            continue
        med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v),
                   sum(x[2] for x in v), sum(x[3] for x in v)) for k, v in e.items()}
        m, r = med['minired'], med['redis']
        print('%5d %4d %12.0f %12.0f %6.2fx %11.2f %11.2f %8.2fx %5d/%d,%d/%d' % (
            nsubs, p, m[0], r[0], m[0] / r[0] if r[0] else float('nan'), m[1], r[1],
            m[1] / r[1] if r[1] else float('nan'), m[2], m[3], r[2], r[3]))
    print('medians of %d rounds; us/pub = server utime+stime per PUBLISH (incl. delivery to all '
          'subscribers); lost/drop = messages not delivered / subscribers disconnected (minired,redis)'
          % args.rounds)
    return 1 if failed else 0


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
