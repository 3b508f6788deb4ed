#!/usr/bin/env python3
"""repl_bench: issue 13's replication bars, minired beside Redis 7.0.

1. CPU per SET on a primary with two replicas attached. Two topologies run
   side by side (a minired primary with two minired replicas, a Redis
   primary with two Redis replicas; --replicas redis|minired to change
   whose replicas they are). The primaries are pinned to one core
   (taskset -c 1), the replicas and redis-benchmark to the other (-c 0).
   Rounds alternate which system goes first; each run's primary CPU is
   utime+stime from /proc/PID/stat around it, divided by the requests.
   Bar: minired's median <= Redis's. With --instr the primaries run under
   callgrind instead and the figure is instructions per SET (user space
   only; steady where CPU time is noisy on a shared VM).
2. Replica lag during those runs: the primary's and each replica's
   master_repl_offset are polled every --lag-poll-ms; the lag in bytes is
   their difference, in time how long ago the primary had passed the
   replica's offset. Bar: the maximum stays under 1 s.
3. DEBUG DIGEST under a 50-client write load (SET, INCR, LPUSH, SADD, ZADD,
   HSET, XADD on random keys, EXPIRE, SET PX) for each pairing
   minired->minired, minired->redis, redis->minired: the replica's digest
   equals the primary's once it has caught up.

Owns only its child servers and benchmark processes (stopped by PID on
exit, error or Ctrl-C). Standard library only.

  python3 utils/repl_bench.py --server build/epoll/minired-server
  python3 utils/repl_bench.py --server build/epoll/minired-server --rounds 3 --requests 200000 --skip-digest
  python3 utils/repl_bench.py --server redis-server        # Redis in both columns: checks the script
"""

import argparse
import csv
import glob
import io
import os
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
from bench import CLK_TCK, Server  # noqa: E402

US_PER_S = 1e6
RUN_TIMEOUT_S = 600.0
SYNC_TIMEOUT_S = 120.0
LAG_BAR_S = 1.0
COMMON_ARGS = ['--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0']
# The write load: one redis-benchmark process per command, 50
# clients in all (same mix as tests/helpers/repl_harness.c).
LOAD_MIX = [
    (10, ['SET', 'key:__rand_int__', '__rand_int__']),
    (5, ['INCR', 'counter:__rand_int__']),
    (5, ['LPUSH', 'list:__rand_int__', '__rand_int__']),
    (5, ['SADD', 'set:__rand_int__', '__rand_int__']),
    (5, ['ZADD', 'zset:__rand_int__', '__rand_int__', 'm:__rand_int__']),
    (5, ['HSET', 'hash:__rand_int__', 'f:__rand_int__', '__rand_int__']),
    (5, ['XADD', 'stream:__rand_int__', '*', 'f', '__rand_int__']),
    (5, ['EXPIRE', 'key:__rand_int__', '100000']),
    (5, ['SET', 'tmp:__rand_int__', '__rand_int__', 'PX', '200']),
]


# --------------------------------------------------------------------------
# A small RESP client.

class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=30)
        self.buf = b''

    def close(self):
        self.sock.close()

    def _line(self):
        while b'\r\n' not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError('connection closed')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def _bytes(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError('connection closed')
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b'+':
            return rest.decode()
        if kind == b'-':
            return RuntimeError(rest.decode())
        if kind == b':':
            return int(rest)
        if kind == b'$':
            n = int(rest)
            return None if n < 0 else self._bytes(n).decode('utf-8', 'replace')
        if kind == b'*':
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RuntimeError('unexpected reply %r' % line)

    def call(self, *args):
        out = b'*%d\r\n' % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else str(a).encode() if isinstance(a, int) else a
            out += b'$%d\r\n%s\r\n' % (len(a), a)
        self.sock.sendall(out)
        reply = self._reply()
        if isinstance(reply, RuntimeError):
            raise reply
        return reply

    def info(self, section):
        fields = {}
        for line in self.call('INFO', section).splitlines():
            if ':' in line and not line.startswith('#'):
                k, v = line.split(':', 1)
                fields[k] = v
        return fields


def call_once(port, *args):
    c = Conn(port)
    try:
        return c.call(*args)
    finally:
        c.close()


def has_replication(port):
    """minired before issue 13 has neither command."""
    c = Conn(port)
    try:
        return all(c.call('COMMAND', 'INFO', name)[0] is not None for name in ('psync', 'replicaof'))
    finally:
        c.close()


# --------------------------------------------------------------------------
# Topologies.

class Topology:
    """A primary and its replicas; every server in workdir/<name>-N."""

    def __init__(self, name, primary_bin, replica_bins, workdir, primary_cpu, replica_cpu, instr=False):
        self.name = name
        self.servers = []
        self.primary = self._start(name + '-primary', primary_bin, workdir, primary_cpu, instr)
        self.replicas = [self._start('%s-replica%d' % (name, i), b, workdir, replica_cpu, False)
                         for i, b in enumerate(replica_bins)]
        for r in self.replicas:
            call_once(r.port, 'REPLICAOF', '127.0.0.1', self.primary.port)
        self.wait_synced()

    def _start(self, name, binary, workdir, cpu, instr):
        if instr:
            srv = GrindServer(name, binary, COMMON_ARGS, workdir)
        else:
            srv = Server(name, binary, list(COMMON_ARGS), workdir, cpu)
        self.servers.append(srv)
        srv.wait_ready()
        return srv

    def offsets(self, conns):
        """(primary offset, [replica offsets, None when its link is down])."""
        p = int(conns[0].info('replication')['master_repl_offset'])
        rs = []
        for c in conns[1:]:
            f = c.info('replication')
            rs.append(int(f['master_repl_offset']) if f.get('master_link_status') == 'up' else None)
        return p, rs

    def wait_synced(self, timeout=SYNC_TIMEOUT_S):
        conns = [Conn(s.port) for s in [self.primary] + self.replicas]
        try:
            deadline = time.monotonic() + timeout
            while True:
                p, rs = self.offsets(conns)
                if all(r == p for r in rs):
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError('%s: replicas not synced within %.0f s (primary %d, replicas %s)'
                                       % (self.name, timeout, p, rs))
                time.sleep(0.02)
        finally:
            for c in conns:
                c.close()

    def stop(self):
        for s in reversed(self.servers):
            s.stop()


class GrindServer:
    """A primary under callgrind, instrumentation off until asked (as
    utils/instr_bench.py runs its servers)."""

    def __init__(self, name, binary, extra_args, workdir):
        self.name = name
        self.port = socket_free_port()
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.out = os.path.join(self.dir, 'cg.out')
        argv = ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--callgrind-out-file=' + self.out,
                binary, '--port', str(self.port), '--bind', '127.0.0.1', '--save', '', '--dir', self.dir,
                '--daemonize', 'no'] + extra_args
        self.log = open(os.path.join(self.dir, 'server.log'), 'wb')
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     cwd=self.dir, start_new_session=True)
        self.pid = self.proc.pid

    def wait_ready(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                Conn(self.port).call('PING')
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError('%s under callgrind did not start' % self.name)

    def control(self, *args):
        subprocess.run(['callgrind_control'] + list(args) + [str(self.pid)], capture_output=True, timeout=120)

    def instructions(self):
        """Dumps the counters; returns the instructions counted since the
        last zeroing (the newest dump's summary line)."""
        before = set(glob.glob(self.out + '*'))
        self.control('-d')
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            new = sorted(set(glob.glob(self.out + '*')) - before)
            if new:
                with open(new[-1]) as f:
                    for line in f:
                        if line.startswith('summary:'):
                            return int(line.split()[1])
            time.sleep(0.1)
        raise RuntimeError('callgrind wrote no dump')

    def cpu_ticks(self):
        return 0

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def socket_free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Lag sampling.

class LagSampler(threading.Thread):
    """Polls the offsets of a topology until stopped; keeps the worst byte
    and time lag of any replica."""

    def __init__(self, topo, period_s):
        super().__init__(daemon=True)
        self.topo, self.period = topo, period_s
        self.stop_flag = threading.Event()
        self.max_bytes, self.max_time_s, self.samples = 0, 0.0, 0
        self.history = []   # (time, primary offset), increasing
        self.error = None

    def _time_lag(self, t, offset):
        """How long before t the primary's offset passed offset, linearly
        interpolated between the two samples around that moment."""
        prev = None
        for when, p in self.history:
            if p > offset:
                if prev is None or prev[1] >= p:
                    passed = when
                else:
                    passed = prev[0] + (when - prev[0]) * (offset - prev[1]) / (p - prev[1])
                return max(0.0, t - passed)
            prev = (when, p)
        return 0.0

    def run(self):
        conns = [Conn(s.port) for s in [self.topo.primary] + self.topo.replicas]
        try:
            while not self.stop_flag.is_set():
                p = int(conns[0].info('replication')['master_repl_offset'])
                self.history.append((time.monotonic(), p))
                for c in conns[1:]:
                    f = c.info('replication')
                    if f.get('master_link_status') != 'up':
                        continue
                    r, t = int(f['master_repl_offset']), time.monotonic()
                    self.max_bytes = max(self.max_bytes, p - r)
                    self.max_time_s = max(self.max_time_s, self._time_lag(t, r))
                self.samples += 1
                # Only the recent past can matter for a lag under a few seconds.
                if len(self.history) > 2000:
                    self.history = self.history[-1000:]
                self.stop_flag.wait(self.period)
        except Exception as e:  # reported by the caller
            self.error = e
        finally:
            for c in conns:
                c.close()


# --------------------------------------------------------------------------
# The CPU bar.

def set_run(topo, args):
    """One redis-benchmark SET run on the topology's primary; returns
    (rps, cost per request, max lag bytes, max lag s, catch-up s)."""
    argv = ['redis-benchmark', '-h', '127.0.0.1', '-p', str(topo.primary.port), '-c', str(args.clients),
            '-n', str(args.requests), '-P', str(args.pipeline), '-r', str(args.keys), '-d', str(args.data_size),
            '-t', 'set', '-q', '--csv']
    if not args.no_pin:
        argv = ['taskset', '-c', str(args.bench_cpu)] + argv
    sampler = LagSampler(topo, args.lag_poll_ms / 1000.0)
    sampler.start()
    if args.instr:
        topo.primary.control('-i', 'on')
        topo.primary.control('-z')
    before = topo.primary.cpu_ticks()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    after = topo.primary.cpu_ticks()
    if args.instr:
        # Dump before switching off (instr_bench.py's order).
        cost = topo.primary.instructions() / args.requests
        topo.primary.control('-i', 'off')
    else:
        cost = (after - before) / CLK_TCK * US_PER_S / args.requests
    t0 = time.monotonic()
    topo.wait_synced()
    catch_up = time.monotonic() - t0
    sampler.stop_flag.set()
    sampler.join()
    if sampler.error:
        raise sampler.error
    rows = [r for r in csv.reader(io.StringIO(out.stdout)) if r and r[0] != 'test']
    if out.returncode != 0 or not rows:
        raise RuntimeError('redis-benchmark failed: %s %s' % (out.stdout[-300:], out.stderr[-300:]))
    return float(rows[-1][1]), cost, sampler.max_bytes, sampler.max_time_s, catch_up


def cpu_bar(args, workdir):
    unit = 'instr/req' if args.instr else 'us/req'
    replica_bin = {'same': None, 'redis': args.redis, 'minired': args.server}[args.replicas]
    systems = [('minired', args.server), ('redis', args.redis)]
    topos = {}
    try:
        for name, binary in systems:
            topos[name] = Topology(name, binary, [replica_bin or binary] * 2, workdir,
                                   None if args.no_pin else args.server_cpu,
                                   None if args.no_pin else args.replica_cpu, args.instr)
        results = {name: [] for name, _ in systems}
        for rnd in range(args.rounds):
            order = systems if rnd % 2 == 0 else systems[::-1]
            for name, _ in order:
                r = set_run(topos[name], args)
                results[name].append(r)
                print('round %d %-8s %10.0f req/s %10.3f %s  lag max %8d bytes %6.3f s  catch-up %.3f s'
                      % (rnd + 1, name, r[0], r[1], unit, r[2], r[3], r[4]), flush=True)
        med = {n: statistics.median(x[1] for x in v) for n, v in results.items()}
        for n, v in results.items():
            print('median %-8s %10.0f req/s %10.3f %s; worst lag %d bytes, %.3f s'
                  % (n, statistics.median(x[0] for x in v), med[n], unit, max(x[2] for x in v),
                     max(x[3] for x in v)))
        worst_lag = max(max(x[3] for x in v) for v in results.values())
        cpu_ok = med['minired'] <= med['redis']
        lag_ok = max(x[3] for x in results['minired']) < LAG_BAR_S
        print('primary %s with two replicas: minired/redis %.3f (bar <= 1): %s'
              % (unit, med['minired'] / med['redis'], 'PASS' if cpu_ok else 'FAIL'))
        print('replica lag: minired worst %.3f s, any %.3f s (bar < %.0f s): %s'
              % (max(x[3] for x in results['minired']), worst_lag, LAG_BAR_S, 'PASS' if lag_ok else 'FAIL'))
        return cpu_ok and lag_ok
    finally:
        for t in topos.values():
            t.stop()


# --------------------------------------------------------------------------
# The digest bar.

def write_load(port, requests, keys):
    procs = []
    for clients, cmd in LOAD_MIX:
        argv = ['redis-benchmark', '-h', '127.0.0.1', '-p', str(port), '-c', str(clients),
                '-n', str(max(1, requests * clients // 50)), '-r', str(keys), '-q'] + cmd
        procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    failed = sum(1 for p in procs if p.wait(RUN_TIMEOUT_S) != 0)
    if failed:
        raise RuntimeError('%d redis-benchmark processes failed' % failed)


def same_digest(topo, timeout=SYNC_TIMEOUT_S):
    """Waits for the replicas, then compares digests (retrying while the
    primary's active expiry still deletes keys). Returns (equal, digests)."""
    conns = [Conn(s.port) for s in [topo.primary] + topo.replicas]
    deadline = time.monotonic() + timeout
    try:
        while True:
            topo.wait_synced()
            before = conns[0].call('DEBUG', 'DIGEST')
            ds = [c.call('DEBUG', 'DIGEST') for c in conns[1:]]
            after = conns[0].call('DEBUG', 'DIGEST')
            if before == after and all(d == before for d in ds):
                return True, [before] + ds
            if time.monotonic() > deadline:
                return False, [before] + ds
            time.sleep(0.2)
    finally:
        for c in conns:
            c.close()


def digest_bar(args, workdir):
    m, r = args.server, args.redis
    ok = True
    for name, p, rep in (('minired->minired', m, m), ('minired->redis', m, r), ('redis->minired', r, m)):
        topo = Topology('digest-' + name.replace('->', '-'), p, [rep], workdir, None, None)
        try:
            write_load(topo.primary.port, args.digest_requests, args.keys)
            t0 = time.monotonic()
            equal, ds = same_digest(topo)
            keys = call_once(topo.primary.port, 'DBSIZE')
            print('%-18s %s  %d keys, primary %s replica %s (caught up in %.2f s)'
                  % (name, 'EQUAL' if equal else 'DIFFERENT', keys, ds[0], ds[1], time.monotonic() - t0))
            ok = ok and equal
        finally:
            topo.stop()
    return ok


def main(argv):
    p = argparse.ArgumentParser(description='Replication bars: primary CPU per SET, lag, digests.')
    p.add_argument('--server', required=True, help='minired-server (redis-server to check the script)')
    p.add_argument('--redis', default='redis-server')
    p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--requests', type=int, default=500000)
    p.add_argument('--clients', type=int, default=50)
    p.add_argument('--pipeline', type=int, default=1)
    p.add_argument('--keys', type=int, default=100000)
    p.add_argument('--data-size', type=int, default=3)
    p.add_argument('--replicas', choices=('same', 'redis', 'minired'), default='same',
                   help='whose replicas the primaries get (default: their own kind)')
    p.add_argument('--lag-poll-ms', type=int, default=50)
    p.add_argument('--digest-requests', type=int, default=200000)
    p.add_argument('--server-cpu', type=int, default=1)
    p.add_argument('--replica-cpu', type=int, default=0)
    p.add_argument('--bench-cpu', type=int, default=0)
    p.add_argument('--no-pin', action='store_true')
    p.add_argument('--instr', action='store_true', help='instructions per SET under callgrind instead of CPU')
    p.add_argument('--skip-cpu', action='store_true')
    p.add_argument('--skip-digest', action='store_true')
    args = p.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix='repl-bench-')
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        probe = Server('probe', args.server, [], workdir, None)
        try:
            probe.wait_ready()
            if not has_replication(probe.port):
                print('repl_bench: %s has no replication yet (PSYNC / REPLICAOF are unknown commands)'
                      % args.server)
                return 2
        finally:
            probe.stop()
        ok = True
        if not args.skip_cpu:
            ok = cpu_bar(args, workdir) and ok
        if not args.skip_digest:
            ok = digest_bar(args, workdir) and ok
        return 0 if ok else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
