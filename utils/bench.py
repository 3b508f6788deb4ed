#!/usr/bin/env python3
"""bench: throughput, CPU cost and memory of minired against real Redis.

Starts both servers pinned to one core (taskset -c 1) and drives them with
redis-benchmark pinned to another (taskset -c 0), alternating the two servers
round by round, and reports medians. CPU per request comes from the server's
utime+stime in /proc/PID/stat, read around each run. With --memory N it fills
N keys instead and reports RSS and INFO's used_memory.
Owns only its child servers: kills them by PID on exit, error or Ctrl-C.
Standard library only (Python 3.11).

  python3 utils/bench.py --server build/epoll/minired-server
  python3 utils/bench.py --server redis-server          # redis vs redis
  python3 utils/bench.py --server X --tests ping,set,get,incr --pipelines 1,16
  python3 utils/bench.py --server X --memory 1000000
"""

import argparse
import csv
import io
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
BENCH_RUN_TIMEOUT_S = 180.0     # one redis-benchmark invocation
FILL_BATCH_KEYS = 1000          # SETs per pipelined batch in --memory mode
SOCKET_TIMEOUT_S = 30.0
US_PER_S = 1e6
CLK_TCK = os.sysconf('SC_CLK_TCK')
# 'ping' runs two redis-benchmark tests; split it so each run has one row and
# the CPU measured around the run belongs to that row alone.
TEST_EXPANSION = {'ping': ['ping_inline', 'ping_mbulk']}


class Server:
    """A server child started with redis-server's command line, maybe pinned."""

    def __init__(self, name, binary, extra_args, workdir, cpu, port=None):
        self.name, self.binary = name, binary
        self.port = port or _free_port()
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        argv = [binary, '--port', str(self.port), '--bind', '127.0.0.1',
                '--save', '', '--dir', self.dir, '--daemonize', 'no'] + extra_args
        if cpu is not None:
            argv = ['taskset', '-c', str(cpu)] + argv      # taskset execs: same PID
        self.log_path = os.path.join(self.dir, 'server.log')
        self.log = open(self.log_path, 'wb')
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.dir,
                                     start_new_session=True)
        self.pid = self.proc.pid

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        with open(self.log_path, 'rb') as f:
            tail = f.read()[-2000:].decode('utf-8', 'replace')
        raise RuntimeError('%s (pid %d) did not accept on port %d; log tail:\n%s'
                           % (self.name, self.pid, self.port, tail))

    def cpu_ticks(self):
        """utime + stime of the whole process (all threads), in clock ticks."""
        with open('/proc/%d/stat' % self.pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        # after "pid (comm)": state is fields[0], utime fields[11], stime fields[12]
        return int(fields[11]) + int(fields[12])

    def rss_kib(self):
        with open('/proc/%d/status' % self.pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
        return None

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Throughput.

def run_benchmark(server, test, pipeline, args):
    """One redis-benchmark run; return (rps, cpu_us_per_request) or raise."""
    requests = args.requests if pipeline == 1 else args.pipelined_requests
    argv = ['redis-benchmark', '-h', '127.0.0.1', '-p', str(server.port),
            '-c', str(args.clients), '-n', str(requests), '-P', str(pipeline),
            '-t', test, '-q', '--csv']
    if args.keyspace:
        argv += ['-r', str(args.keyspace)]
    if args.data_size:
        argv += ['-d', str(args.data_size)]
    if args.bench_cpu is not None:
        argv = ['taskset', '-c', str(args.bench_cpu)] + argv
    before = server.cpu_ticks()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=BENCH_RUN_TIMEOUT_S)
    after = server.cpu_ticks()
    rows = [r for r in csv.reader(io.StringIO(out.stdout)) if r and r[0] != 'test']
    if out.returncode != 0 or not rows:
        raise RuntimeError('redis-benchmark failed on %s (%s): %s%s'
                           % (server.name, test, out.stdout[-500:], out.stderr[-500:]))
    # Tests such as lrange_100 first run a fill (an LPUSH row): report the
    # row of the test asked for, the last one. CPU covers all rows.
    row = rows[-1]
    rps = float(row[1])
    cpu_us = (after - before) / CLK_TCK * US_PER_S / (requests * len(rows))
    return row[0], rps, cpu_us


def throughput(servers, args, deadline):
    """Alternate the servers for each (test, pipeline), round by round."""
    tests = []
    for t in args.tests.split(','):
        tests += TEST_EXPANSION.get(t.strip().lower(), [t.strip().lower()])
    pipelines = [int(p) for p in args.pipelines.split(',')]
    results = {}            # (test, pipeline) -> {'name': str, server: [(rps, cpu)]}
    for rnd in range(args.rounds):
        order = servers if rnd % 2 == 0 else servers[::-1]
        for test in tests:
            for p in pipelines:
                for srv in order:
                    if time.monotonic() > deadline:
                        print('bench: time limit reached, reporting partial results')
                        return results
                    name, rps, cpu = run_benchmark(srv, test, p, args)
                    entry = results.setdefault((test, p), {'name': name})
                    entry.setdefault(srv.name, []).append((rps, cpu))
                    if args.verbose:
                        print('  round %d %-12s P=%-3d %-8s %12.0f rps %8.2f cpu-us/req'
                              % (rnd + 1, name, p, srv.name, rps, cpu), flush=True)
    return results


def print_table(results, names):
    a, b = names
    head = ('%-12s %4s %13s %13s %7s %12s %12s %9s'
            % ('test', 'P', a + ' rps', b + ' rps', 'ratio',
               a + ' us/req', b + ' us/req', 'cpu ratio'))
    print(head)
    print('-' * len(head))
    for (test, p), entry in results.items():
        if a not in entry or b not in entry:
            continue
        rps_a = statistics.median(x[0] for x in entry[a])
        rps_b = statistics.median(x[0] for x in entry[b])
        cpu_a = statistics.median(x[1] for x in entry[a])
        cpu_b = statistics.median(x[1] for x in entry[b])
        print('%-12s %4d %13.0f %13.0f %6.2fx %12.2f %12.2f %8.2fx'
              % (entry['name'], p, rps_a, rps_b, _ratio(rps_a, rps_b),
                 cpu_a, cpu_b, _ratio(cpu_a, cpu_b)))
    print('ratio = %s rps / %s rps (higher is better); cpu ratio = %s cpu / %s cpu '
          '(lower is better); medians; cpu from /proc/PID/stat at %d ticks/s'
          % (a, b, a, b, CLK_TCK))


def _ratio(x, y):
    return x / y if y else float('nan')


# --------------------------------------------------------------------------
# Memory.

def _read_replies(sock, count):
    """Read count one-line replies (+OK or -ERR); return how many were errors."""
    buf, seen, errors = b'', 0, 0
    while seen < count:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise RuntimeError('connection closed during fill')
        buf += chunk
        lines = buf.split(b'\r\n')
        buf = lines.pop()
        seen += len(lines)
        errors += sum(1 for line in lines if line.startswith(b'-'))
    return errors


def fill(port, keys):
    with socket.create_connection(('127.0.0.1', port), timeout=SOCKET_TIMEOUT_S) as s:
        errors = 0
        for start in range(0, keys, FILL_BATCH_KEYS):
            batch = []
            for i in range(start, min(keys, start + FILL_BATCH_KEYS)):
                k, v = b'key:%d' % i, b'value:%d' % i
                batch.append(b'*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n'
                             % (len(k), k, len(v), v))
            s.sendall(b''.join(batch))
            errors += _read_replies(s, len(batch))
        return errors


def used_memory(port):
    """INFO memory's used_memory in bytes, or None if the server lacks it."""
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=SOCKET_TIMEOUT_S) as s:
            s.sendall(b'*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n')
            buf = b''
            while True:
                head, sep, body = buf.partition(b'\r\n')
                if sep and not head.startswith(b'$'):
                    return None                 # an error: no INFO here
                if sep and len(body) >= int(head[1:]):
                    break
                chunk = s.recv(65536)
                if not chunk:
                    return None
                buf += chunk
    except (OSError, ValueError):
        return None
    for line in body.split(b'\r\n'):
        if line.startswith(b'used_memory:'):
            return int(line.split(b':', 1)[1])
    return None


def memory(servers, keys):
    print('memory after SET key:i value:i for %d keys' % keys)
    head = '%-8s %12s %12s %14s %14s %12s %12s' % (
        'server', 'rss0 KiB', 'rss KiB', 'used_mem0', 'used_mem', 'rss B/key', 'used B/key')
    print(head)
    print('-' * len(head))
    for srv in servers:
        rss0, used0 = srv.rss_kib(), used_memory(srv.port)
        t0 = time.monotonic()
        errors = fill(srv.port, keys)
        secs = time.monotonic() - t0
        rss1, used1 = srv.rss_kib(), used_memory(srv.port)
        per_rss = (rss1 - rss0) * 1024.0 / keys
        per_used = (used1 - used0) / keys if used0 is not None and used1 is not None else None
        print('%-8s %12d %12d %14s %14s %12.1f %12s   (fill %.1f s%s)'
              % (srv.name, rss0, rss1, _na(used0), _na(used1), per_rss,
                 'n/a' if per_used is None else '%.1f' % per_used, secs,
                 ', %d errors' % errors if errors else ''))


def _na(x):
    return 'n/a' if x is None else str(x)


# --------------------------------------------------------------------------

def parse_cli(argv):
    p = argparse.ArgumentParser(description='Benchmark minired against Redis.')
    p.add_argument('--server', required=True, help='minired-server binary (or redis-server)')
    p.add_argument('--redis', default='redis-server', help='reference server binary')
    p.add_argument('--server-args', default='', help='extra minired arguments (shell-quoted)')
    p.add_argument('--redis-args', default='', help='extra redis arguments (shell-quoted)')
    p.add_argument('--tests', default='ping,set,get', help='redis-benchmark -t names, comma-separated')
    p.add_argument('--pipelines', default='1,16', help='-P values, comma-separated')
    p.add_argument('--requests', type=int, default=100000, help='-n for pipeline 1')
    p.add_argument('--pipelined-requests', type=int, default=500000,
                   help='-n for pipelines > 1 (they run ~10x faster)')
    p.add_argument('--clients', type=int, default=50, help='-c')
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--keyspace', type=int, default=0, help='-r (random keys); 0 = one key')
    p.add_argument('--data-size', type=int, default=0, help='-d (value bytes); 0 = default 3')
    p.add_argument('--server-cpu', type=int, default=1, help='core for the servers')
    p.add_argument('--bench-cpu', type=int, default=0, help='core for redis-benchmark')
    p.add_argument('--no-pin', action='store_true', help='do not use taskset')
    p.add_argument('--max-seconds', type=float, default=600.0, help='overall time limit')
    p.add_argument('--memory', type=int, metavar='N', help='memory mode: fill N keys')
    p.add_argument('-v', '--verbose', action='store_true', help='print every run')
    return p.parse_args(argv)


def _pinning(args):
    cpus = os.sched_getaffinity(0)
    if args.no_pin or not shutil.which('taskset') or not {args.server_cpu, args.bench_cpu} <= cpus:
        if not args.no_pin:
            print('bench: taskset or cores %d/%d unavailable: not pinning'
                  % (args.server_cpu, args.bench_cpu))
        args.server_cpu = args.bench_cpu = None


def _sigterm(signum, frame):
    raise KeyboardInterrupt()


def main(argv):
    args = parse_cli(argv)
    _pinning(args)
    signal.signal(signal.SIGTERM, _sigterm)
    deadline = time.monotonic() + args.max_seconds
    workdir = tempfile.mkdtemp(prefix='bench.')
    servers = []
    try:
        for name, binary, extra in (('minired', args.server, args.server_args),
                                    ('redis', args.redis, args.redis_args)):
            servers.append(Server(name, binary, shlex.split(extra), workdir, args.server_cpu))
        for srv in servers:
            srv.wait_ready()
        print('minired: %s (pid %d, port %d)   redis: %s (pid %d, port %d)'
              % (servers[0].binary, servers[0].pid, servers[0].port,
                 servers[1].binary, servers[1].pid, servers[1].port))
        if args.memory:
            memory(servers, args.memory)
            return 0
        print('clients %d, requests %d (P=1) / %d (P>1), rounds %d, server cpu %s, bench cpu %s'
              % (args.clients, args.requests, args.pipelined_requests, args.rounds,
                 args.server_cpu, args.bench_cpu), flush=True)
        results = throughput(servers, args, deadline)
        print_table(results, ('minired', 'redis'))
        return 0
    except KeyboardInterrupt:
        print('bench: interrupted', file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
        dead = [s.name for s in servers if not s.alive()]
        print('bench: %s%s' % (e, ' (exited: %s)' % ', '.join(dead) if dead else ''),
              file=sys.stderr)
        return 2
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
