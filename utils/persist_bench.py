#!/usr/bin/env python3
"""persist_bench: persistence figures of minired beside redis-server 7.0.

Measures, for each server, alternating minired and Redis round by round and
reporting medians of the rounds:

  (a) a dataset of --keys small keys (DEBUG POPULATE: key:N -> value:N):
      the wall time of SAVE; the RDB file's size; the time a new server
      process takes from its start to the first PING answered with PONG
      (not -LOADING), and the load time its log reports ("DB loaded from
      disk: X seconds");
  (b) a client PINGing in a loop during BGSAVE of that dataset: its worst
      round trip (and, for scale, its worst one in the same time without a
      BGSAVE), plus the fork time INFO reports;
  (c) SET throughput with appendonly yes and appendfsync everysec at -P 1
      and -P 16 (redis-benchmark -t set), and the server's CPU time per
      request (utime+stime from /proc/PID/stat around the run).

Servers are pinned with taskset -c 1, this script and redis-benchmark with
taskset -c 0. Prints one table with ratios (minired / redis) and the
issue's bars. Owns only its child servers: stops them by PID on exit,
error or Ctrl-C. Python 3 standard library plus the redis-benchmark binary.

  python3 utils/persist_bench.py --minired-server build/epoll/minired-server
  python3 utils/persist_bench.py --minired-server redis-server   # dry run: redis vs redis
  python3 utils/persist_bench.py --minired-server X --keys 200000 --rounds 1 --parts a,b
"""

import argparse
import csv
import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

START_TIMEOUT_S = 15.0
LOAD_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
SOCKET_TIMEOUT_S = 120.0      # SAVE of a big dataset answers late
BENCH_RUN_TIMEOUT_S = 180.0
BGSAVE_TIMEOUT_S = 120.0
POLL_INTERVAL_S = 0.002        # while waiting for a loading server
INFO_POLL_INTERVAL_S = 0.01    # while waiting for BGSAVE to end
IDLE_PING_WINDOW_S = 1.0
PING_BAR_MS = 20.0
SET_RATIO_BAR = 0.95
US_PER_S = 1e6
CLK_TCK = os.sysconf('SC_CLK_TCK')
DONE_LOADING_RE = re.compile(rb'DB loaded from disk: ([0-9.]+) seconds')


class RespError(Exception):
    pass


class Conn:
    """A blocking RESP2 connection (enough for these commands)."""

    def __init__(self, port, timeout=SOCKET_TIMEOUT_S):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b''

    def close(self):
        self.sock.close()

    def _line(self):
        while b'\r\n' not in self.buf:
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError('connection closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b'+':
            return rest
        if kind == b'-':
            return RespError(rest.decode('latin-1'))
        if kind == b':':
            return int(rest)
        if kind == b'$':
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                data = self.sock.recv(1 << 16)
                if not data:
                    raise ConnectionError('connection closed')
                self.buf += data
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b'*':
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ValueError('bad reply %r' % line)

    def call(self, *args, check=True):
        out = [b'*%d\r\n' % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b'$%d\r\n%s\r\n' % (len(a), a))
        self.sock.sendall(b''.join(out))
        r = self._reply()
        if check and isinstance(r, RespError):
            raise r
        return r

    def info(self, section):
        text = self.call('INFO', section).decode('latin-1')
        fields = {}
        for line in text.split('\r\n'):
            if ':' in line and not line.startswith('#'):
                k, v = line.split(':', 1)
                fields[k] = v
        return fields


class Server:
    """One server process (taskset execs the binary: same PID)."""

    def __init__(self, name, binary, port, workdir, cpu, extra):
        self.name, self.binary, self.port = name, binary, port
        self.dir = workdir
        os.makedirs(self.dir, exist_ok=True)
        argv = [binary, '--port', str(port), '--bind', '127.0.0.1', '--dir', self.dir,
                '--dbfilename', 'dump.rdb', '--save', '', '--daemonize', 'no'] + extra
        argv += ['--enable-debug-command', 'yes']  # DEBUG POPULATE (refused by default)
        if cpu is not None:
            argv = ['taskset', '-c', str(cpu)] + argv
        self.log_path = os.path.join(self.dir, 'server.%d.log' % time.monotonic_ns())
        self.log = open(self.log_path, 'wb')
        self.t_start = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.dir, start_new_session=True)
        self.pid = self.proc.pid

    def wait_pong(self, timeout):
        """Seconds from process start to the first +PONG (not -LOADING)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                lines = [x for x in self.log_tail().splitlines() if x.strip()]
                raise RuntimeError('%s exited (status %s): %s' % (self.name, self.proc.returncode,
                                                                  ' / '.join(lines[-3:])))
            try:
                c = Conn(self.port, timeout=5)
                try:
                    while time.monotonic() < deadline:
                        r = c.call('PING', check=False)
                        if r == b'PONG':
                            return time.monotonic() - self.t_start
                        time.sleep(POLL_INTERVAL_S)
                finally:
                    c.close()
            except (OSError, ConnectionError):
                time.sleep(POLL_INTERVAL_S)
        raise RuntimeError('%s not answering PONG after %.0f s' % (self.name, timeout))

    def log_text(self):
        self.log.flush()
        with open(self.log_path, 'rb') as f:
            return f.read()

    def log_tail(self):
        return self.log_text()[-1500:].decode('utf-8', 'replace')

    def rss_mib(self):
        with open('/proc/%d/status' % self.pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024.0
        return None

    def cpu_ticks(self):
        with open('/proc/%d/stat' % self.pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ (a) + (b)

def ping_loop(port, stop, out):
    """PINGs back to back until stop is set; out gets round trips in ms."""
    c = Conn(port)
    try:
        while not stop.is_set():
            t0 = time.perf_counter()
            c.call('PING')
            out.append((time.perf_counter() - t0) * 1000.0)
    finally:
        c.close()


def worst_ping_during(port, action):
    """Runs action() while a second connection PINGs; returns (worst ms,
    number of PINGs, action's result)."""
    stop, lat = threading.Event(), []
    t = threading.Thread(target=ping_loop, args=(port, stop, lat), daemon=True)
    t.start()
    time.sleep(0.05)
    try:
        result = action()
    finally:
        stop.set()
        t.join(30)
    return (max(lat) if lat else float('nan')), len(lat), result


def bgsave_and_wait(conn):
    t0 = time.monotonic()
    conn.call('BGSAVE')
    while time.monotonic() - t0 < BGSAVE_TIMEOUT_S:
        time.sleep(INFO_POLL_INTERVAL_S)
        info = conn.info('persistence')
        if info.get('rdb_bgsave_in_progress') == '0':
            if info.get('rdb_last_bgsave_status') != 'ok':
                raise RuntimeError('BGSAVE failed')
            return time.monotonic() - t0
    raise RuntimeError('BGSAVE still running after %.0f s' % BGSAVE_TIMEOUT_S)


def snapshot_round(name, binary, args, workdir):
    """One round of (a) and (b) on a fresh server; returns a metrics dict."""
    d = os.path.join(workdir, '%s-rdb' % name)
    shutil.rmtree(d, ignore_errors=True)
    m = {}
    srv = Server(name, binary, args.port_for(name), d, args.server_cpu, [])
    try:
        srv.wait_pong(START_TIMEOUT_S)
        c = Conn(srv.port)
        c.call('DEBUG', 'POPULATE', args.keys)
        if c.call('DBSIZE') != args.keys:
            raise RuntimeError('%s: DEBUG POPULATE did not make %d keys' % (name, args.keys))
        m['rss_mib'] = srv.rss_mib()  # what fork copies page tables for
        t0 = time.monotonic()
        c.call('SAVE')
        m['save_s'] = time.monotonic() - t0
        m['rdb_bytes'] = os.path.getsize(os.path.join(d, 'dump.rdb'))
        if 'b' in args.parts:
            m['idle_ping_ms'], _, _ = worst_ping_during(srv.port, lambda: time.sleep(IDLE_PING_WINDOW_S))
            os.rename(os.path.join(d, 'dump.rdb'), os.path.join(d, 'saved.rdb'))
            m['bgsave_ping_ms'], m['bgsave_pings'], m['bgsave_s'] = worst_ping_during(
                srv.port, lambda: bgsave_and_wait(c))
            m['fork_ms'] = int(c.info('stats').get('latest_fork_usec', 0)) / 1000.0
            os.replace(os.path.join(d, 'saved.rdb'), os.path.join(d, 'dump.rdb'))
        c.close()
    finally:
        srv.stop()
    # Load at start: a new process on the same file.
    srv = Server(name, binary, args.port_for(name), d, args.server_cpu, [])
    try:
        m['load_pong_s'] = srv.wait_pong(LOAD_TIMEOUT_S)
        c = Conn(srv.port)
        n = c.call('DBSIZE')
        c.close()
        if n != args.keys:
            raise RuntimeError('%s loaded %d keys, not %d' % (name, n, args.keys))
        found = DONE_LOADING_RE.search(srv.log_text())
        m['load_log_s'] = float(found.group(1)) if found else None
    finally:
        srv.stop()
    shutil.rmtree(d, ignore_errors=True)
    return m


# ------------------------------------------------------------------ (c)

def set_round(name, binary, args, workdir, pipeline):
    """redis-benchmark -t set with appendonly yes / everysec on a fresh server."""
    d = os.path.join(workdir, '%s-aof' % name)
    shutil.rmtree(d, ignore_errors=True)
    srv = Server(name, binary, args.port_for(name), d, args.server_cpu,
                 ['--appendonly', 'yes', '--appendfsync', 'everysec'])
    try:
        srv.wait_pong(START_TIMEOUT_S)
        c = Conn(srv.port)
        aof = c.call('CONFIG', 'GET', 'appendonly')
        c.close()
        if aof != [b'appendonly', b'yes']:
            raise RuntimeError('%s: appendonly is not on (%r)' % (name, aof))
        n = args.requests if pipeline == 1 else args.pipelined_requests
        argv = ['redis-benchmark', '-h', '127.0.0.1', '-p', str(srv.port), '-c', str(args.clients),
                '-n', str(n), '-P', str(pipeline), '-r', str(args.keyspace), '-t', 'set', '-q', '--csv']
        if args.bench_cpu is not None:
            argv = ['taskset', '-c', str(args.bench_cpu)] + argv
        before = srv.cpu_ticks()
        out = subprocess.run(argv, capture_output=True, text=True, timeout=BENCH_RUN_TIMEOUT_S)
        after = srv.cpu_ticks()
        rows = [r for r in csv.reader(io.StringIO(out.stdout)) if r and r[0] != 'test']
        if out.returncode != 0 or not rows:
            raise RuntimeError('redis-benchmark failed on %s: %s%s' % (name, out.stdout[-300:], out.stderr[-300:]))
        return {'rps': float(rows[-1][1]), 'cpu_us': (after - before) / CLK_TCK * US_PER_S / n}
    finally:
        srv.stop()
        shutil.rmtree(d, ignore_errors=True)


# ------------------------------------------------------------------ report

ROWS = [
    # key, label, format, bar: 'le' (minired <= redis), 'ge95', 'abs20' or None
    ('save_s', 'SAVE wall time (s)', '%.3f', 'le'),
    ('rdb_bytes', 'RDB file size (bytes)', '%d', 'le'),
    ('load_pong_s', 'start -> first PONG (s)', '%.3f', 'le'),
    ('load_log_s', 'load time in log (s)', '%.3f', 'le'),
    ('idle_ping_ms', 'worst PING, no BGSAVE (ms)', '%.2f', None),
    ('bgsave_ping_ms', 'worst PING during BGSAVE (ms)', '%.2f', 'abs20'),
    ('bgsave_pings', 'PINGs during BGSAVE', '%d', None),
    ('bgsave_s', 'BGSAVE duration (s)', '%.3f', None),
    ('fork_ms', 'fork time, INFO (ms)', '%.2f', None),
    ('rss_mib', 'RSS with the dataset (MiB)', '%.1f', None),
    ('set_p1_rps', 'SET P1 aof everysec (rps)', '%.0f', 'ge95'),
    ('set_p16_rps', 'SET P16 aof everysec (rps)', '%.0f', 'ge95'),
    ('set_p1_cpu', 'SET P1 server CPU (us/req)', '%.2f', None),
    ('set_p16_cpu', 'SET P16 server CPU (us/req)', '%.2f', None),
]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def verdict(bar, a, b):
    if bar is None or a is None:
        return ''
    if bar == 'abs20':
        return 'ok' if a < PING_BAR_MS else 'OVER (bar < %g ms)' % PING_BAR_MS
    if b is None or b == 0:
        return ''
    if bar == 'le':
        return 'ok' if a <= b else 'OVER by %.0f%% (bar <= redis)' % ((a / b - 1) * 100)
    return 'ok' if a / b >= SET_RATIO_BAR else 'UNDER (bar >= %.2fx)' % SET_RATIO_BAR


def print_table(results, notes):
    head = '%-31s %14s %14s %8s  %s' % ('metric (median)', 'minired', 'redis', 'ratio', 'bar')
    print(head)
    print('-' * len(head))
    for key, label, fmt, bar in ROWS:
        a = median(results['minired'].get(key, []))
        b = median(results['redis'].get(key, []))
        if a is None and b is None:
            continue
        ratio = '%7.2fx' % (a / b) if a is not None and b else '%8s' % '-'
        print('%-31s %14s %14s %s  %s' % (label, fmt % a if a is not None else 'n/a',
                                          fmt % b if b is not None else 'n/a', ratio, verdict(bar, a, b)))
    for n in notes:
        print('note: ' + n)


# ------------------------------------------------------------------ main

def parse_cli(argv):
    p = argparse.ArgumentParser(description='Persistence benchmark: minired beside redis-server 7.0.')
    p.add_argument('--minired-server', required=True, help='minired-server binary (redis-server for a dry run)')
    p.add_argument('--redis-server', default='redis-server', help='reference server binary')
    p.add_argument('--keys', type=int, default=1000000, help='dataset size for (a) and (b)')
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--parts', default='a,b,c', help='a: SAVE/load/size, b: PING during BGSAVE, c: SET with AOF')
    p.add_argument('--requests', type=int, default=200000, help='redis-benchmark -n at -P 1')
    p.add_argument('--pipelined-requests', type=int, default=1000000, help='-n at -P 16')
    p.add_argument('--clients', type=int, default=50, help='redis-benchmark -c')
    p.add_argument('--keyspace', type=int, default=100000, help='redis-benchmark -r')
    p.add_argument('--base-port', type=int, default=0, help='minired on this port, redis on +1 (0: free ports)')
    p.add_argument('--server-cpu', type=int, default=1)
    p.add_argument('--bench-cpu', type=int, default=0, help='core for this script and redis-benchmark')
    p.add_argument('--no-pin', action='store_true')
    p.add_argument('--max-seconds', type=float, default=600.0, help='stop starting new runs after this')
    p.add_argument('-v', '--verbose', action='store_true', help='print every run')
    args = p.parse_args(argv)
    args.parts = set(x.strip() for x in args.parts.split(','))
    if 'b' in args.parts:
        args.parts.add('a')  # (b) runs on the dataset (a) builds
    ports = {'minired': args.base_port, 'redis': args.base_port + 1} if args.base_port else None
    args.port_for = (lambda name: ports[name]) if ports else (lambda name: free_port())
    return args


def pin(args):
    cpus = os.sched_getaffinity(0)
    if args.no_pin or not shutil.which('taskset') or not {args.server_cpu, args.bench_cpu} <= cpus:
        if not args.no_pin:
            print('persist_bench: taskset or cores %d/%d unavailable: not pinning' % (args.server_cpu, args.bench_cpu))
        args.server_cpu = args.bench_cpu = None
        return
    os.sched_setaffinity(0, {args.bench_cpu})


def run(args, workdir):
    servers = [('minired', args.minired_server), ('redis', args.redis_server)]
    results = {'minired': {}, 'redis': {}}
    notes, broken = [], set()
    deadline = time.monotonic() + args.max_seconds

    def record(name, metrics):
        for k, v in metrics.items():
            results[name].setdefault(k, []).append(v)
        if args.verbose:
            print('  %-8s %s' % (name, ' '.join('%s=%s' % (k, ('%.4g' % v) if isinstance(v, float) else v)
                                               for k, v in sorted(metrics.items()))), flush=True)

    def attempt(name, what, fn):
        if (name, what) in broken:
            return
        try:
            record(name, fn())
        except (RuntimeError, RespError, OSError, ConnectionError, subprocess.TimeoutExpired) as e:
            broken.add((name, what))
            notes.append('%s, %s: %s' % (name, what, str(e).strip().splitlines()[0] if str(e).strip() else e))

    for rnd in range(args.rounds):
        order = servers if rnd % 2 == 0 else servers[::-1]
        if args.verbose:
            print('round %d' % (rnd + 1), flush=True)
        for name, binary in order:
            if time.monotonic() > deadline:
                notes.append('time limit reached in round %d: partial results' % (rnd + 1))
                return results, notes
            if 'a' in args.parts:
                attempt(name, 'snapshot', lambda: snapshot_round(name, binary, args, workdir))
            if 'c' in args.parts:
                for p in (1, 16):
                    key = 'set_p%d' % p
                    attempt(name, key, lambda: {key + '_rps': (r := set_round(name, binary, args, workdir, p))['rps'],
                                                key + '_cpu': r['cpu_us']})
    return results, notes


def _sigterm(signum, frame):
    raise KeyboardInterrupt()


def main(argv):
    args = parse_cli(argv)
    pin(args)
    signal.signal(signal.SIGTERM, _sigterm)
    workdir = tempfile.mkdtemp(prefix='persist_bench.')
    try:
        print('minired: %s   redis: %s   keys %d, rounds %d, parts %s, server cpu %s, bench cpu %s'
              % (args.minired_server, args.redis_server, args.keys, args.rounds, ','.join(sorted(args.parts)),
                 args.server_cpu, args.bench_cpu), flush=True)
        t0 = time.monotonic()
        results, notes = run(args, workdir)
        print_table(results, notes)
        print('(%.0f s; ratio = minired / redis; SAVE, load and size: lower is better; SET rps: higher)'
              % (time.monotonic() - t0))
        return 0
    except KeyboardInterrupt:
        print('persist_bench: interrupted', file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
