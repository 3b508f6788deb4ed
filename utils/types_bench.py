#!/usr/bin/env python3
"""types_bench: the throughput and memory bars of the streams / HyperLogLog /
geo / SORT issue, minired against real Redis 7.0.

Throughput (50 clients, -P 1 and -P 16, servers pinned to core 1 with
taskset, the load generator to core 0, the two servers alternating run by
run, medians of rps and of the server's CPU per request from utime+stime in
/proc/PID/stat):
  xadd         XADD tb:s * f v                  (stream emptied before each run)
  xrange10     XRANGE tb:r <random id> + COUNT 10   (10,000-entry stream)
  xrg_xack     XREADGROUP GROUP g c COUNT 1 STREAMS tb:q > then XACK of the
               id it returned: one request = the pair (a Python driver, see
               below; the stream is pre-filled so every read gets an entry)
  pfadd        PFADD tb:h e:<random>            (key emptied before each run)
  pfcount      PFCOUNT tb:hc                    (100,000 elements, dense)
  geoadd       GEOADD tb:g <random lon> <random lat> m:<random>
  geosearch    GEOSEARCH tb:gs FROMLONLAT 13.4 52.5 BYRADIUS 1 km: 100 members
               in range among 2,000 in neighbouring cells and 8,000 elsewhere
  sort100      SORT tb:l                        (100 random integers)
Every command but the pair runs under redis-benchmark (-r for the random
parts, checked once per server to reply without error). The pair needs the
id XREADGROUP returned, which redis-benchmark cannot feed to XACK, so a
selector-driven client with 50 connections does it, pipelining P reads then
the P acks on each connection; its own CPU use is reported, and if it is
near 100% the pair's rps is bounded by the client (compare the servers'
CPU per pair then, which does not depend on the client).

Memory (fresh servers for each figure): RSS (VmRSS) and INFO used_memory
after 1,000,000 `XADD tb:ms * f v`, and after a 1,000,000-member geo set
(GEOADD of 1,000 random points per command), both pipelined.

Bounded: the default run takes a few minutes; --quick, --rounds, --requests,
--tests, --skip-memory and --max-seconds shorten it. Owns only its child
servers, killed by PID on exit. Standard library only.

  python3 utils/types_bench.py --server build/epoll/minired-server
  python3 utils/types_bench.py --server redis-server          # redis vs redis
  python3 utils/types_bench.py --server X --quick --tests xadd,pfadd --skip-memory
"""

import argparse
import csv
import io
import math
import os
import random
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ left in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (Server, pinning, the results table)

BENCH_RUN_TIMEOUT_S = 180.0
SOCKET_TIMEOUT_S = 60.0
SETUP_BATCH = 1000                 # commands per pipelined setup batch
XRANGE_ENTRIES = 10000
PFCOUNT_ELEMENTS = 100000
SORT_ELEMENTS = 100
GEO_CENTER = (13.4, 52.5)          # lon, lat of the GEOSEARCH centre
GEO_IN_RANGE = 100                 # members within GEO_RADIUS_KM of it
GEO_NEAR = 2000                    # members 1.5-6 km away (scanned, rejected)
GEO_FAR = 8000                     # members anywhere else
GEO_RADIUS_KM = 1.0
KM_PER_DEG_LAT = 111.2
MEMORY_ENTRIES = 1000000            # the bar's figure (--memory-entries)
GEO_FILL_PER_CMD = 1000


# --------------------------------------------------------------------------
# RESP: encoding, and finding where a reply ends (setup and checks only).

def encode(*args):
    out = [b'*%d\r\n' % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b'$%d\r\n%s\r\n' % (len(a), a))
    return b''.join(out)


def reply_end(buf, pos):
    """Index just past the reply starting at pos, or -1 if incomplete."""
    eol = buf.find(b'\r\n', pos)
    if eol < 0:
        return -1
    kind, head = buf[pos:pos + 1], buf[pos + 1:eol]
    if kind in b'+-:':
        return eol + 2
    n = int(head)
    if kind == b'$':
        if n < 0:
            return eol + 2
        end = eol + 2 + n + 2
        return end if len(buf) >= end else -1
    if kind == b'*':
        pos = eol + 2
        for _ in range(max(n, 0)):
            pos = reply_end(buf, pos)
            if pos < 0:
                return -1
        return pos
    raise RuntimeError('unexpected reply %r' % buf[pos:pos + 80])


def pipeline(port, commands):
    """Send encoded commands in batches; return the replies' raw bytes that
    are errors (an empty list when all succeeded) and the last reply."""
    errors, last = [], b''
    with socket.create_connection(('127.0.0.1', port), timeout=SOCKET_TIMEOUT_S) as s:
        for start in range(0, len(commands), SETUP_BATCH):
            batch = commands[start:start + SETUP_BATCH]
            s.sendall(b''.join(batch))
            buf, pos, seen = b'', 0, 0
            while seen < len(batch):
                end = reply_end(buf, pos) if pos < len(buf) else -1
                if end < 0:
                    chunk = s.recv(1 << 20)
                    if not chunk:
                        raise RuntimeError('connection closed during setup')
                    buf += chunk
                    continue
                if buf[pos:pos + 1] == b'-':
                    errors.append(buf[pos:end])
                last = buf[pos:end]
                pos, seen = end, seen + 1
    return errors, last


def run_setup(srv, commands, what):
    errors, last = pipeline(srv.port, commands)
    if errors:
        raise RuntimeError('%s: %s: %d errors, first %r' % (srv.name, what, len(errors), errors[0]))
    return last


# --------------------------------------------------------------------------
# Fixtures.

def geo_points(rng):
    """(lon, lat, name) of the GEOSEARCH set: GEO_IN_RANGE inside the radius."""
    lon0, lat0 = GEO_CENTER
    km_per_deg_lon = KM_PER_DEG_LAT * 0.6088     # cos(52.5 degrees)
    pts = []
    for i in range(GEO_IN_RANGE + GEO_NEAR):
        inside = i < GEO_IN_RANGE
        dist = rng.uniform(0.0, GEO_RADIUS_KM * 0.95) if inside else rng.uniform(1.5, 6.0)
        angle = rng.uniform(0, 6.283185307179586)
        pts.append((lon0 + dist * math.cos(angle) / km_per_deg_lon,
                    lat0 + dist * math.sin(angle) / KM_PER_DEG_LAT, 'g%d' % i))
    for i in range(GEO_FAR):
        pts.append((rng.uniform(-179.0, 179.0), rng.uniform(-80.0, 80.0), 'f%d' % i))
    return pts


def prepare_fixtures(srv, labels):
    """Build the keys the selected tests read, and check each answers as
    the bar says on this server."""
    rng = random.Random(10)
    cmds = [encode('DEL', 'tb:r', 'tb:hc', 'tb:gs', 'tb:l')]
    if 'xrange10' in labels:
        cmds += [encode('XADD', 'tb:r', '%d-0' % (i + 1), 'f', 'v') for i in range(XRANGE_ENTRIES)]
    if 'pfcount' in labels:
        cmds += [encode('PFADD', 'tb:hc', *['e%d' % (i + j) for j in range(100)])
                 for i in range(0, PFCOUNT_ELEMENTS, 100)]
    if 'geosearch' in labels:
        pts = geo_points(rng)
        for start in range(0, len(pts), 100):
            args = []
            for lon, lat, name in pts[start:start + 100]:
                args += ['%.6f' % lon, '%.6f' % lat, name]
            cmds.append(encode('GEOADD', 'tb:gs', *args))
    if 'sort100' in labels:
        cmds.append(encode('RPUSH', 'tb:l',
                           *[rng.randrange(1000000) for _ in range(SORT_ELEMENTS)]))
    run_setup(srv, cmds, 'fixtures')
    if 'geosearch' in labels:
        found = run_setup(srv, [encode(*GEOSEARCH_CMD)], 'GEOSEARCH check')
        if not found.startswith(b'*%d\r\n' % GEO_IN_RANGE):
            raise RuntimeError('%s: GEOSEARCH finds %r, not %d members'
                               % (srv.name, found[:20], GEO_IN_RANGE))
    if 'sort100' in labels:
        got = run_setup(srv, [encode('SORT', 'tb:l')], 'SORT check')
        if not got.startswith(b'*%d\r\n' % SORT_ELEMENTS):
            raise RuntimeError('%s: SORT replies %r' % (srv.name, got[:20]))


GEOSEARCH_CMD = ['GEOSEARCH', 'tb:gs', 'FROMLONLAT', GEO_CENTER[0], GEO_CENTER[1],
                 'BYRADIUS', GEO_RADIUS_KM, 'km']

# (label, redis-benchmark command, -r keyspace or None, key to delete before
# each run or None, share of --requests it runs: replies of 100 elements
# cost more, and a run should take about as long as the others).
# __rand_int__ is replaced by 12 zero-padded digits below the keyspace,
# independently at each place it appears.
BENCH_TESTS = [
    ('xadd', ['XADD', 'tb:s', '*', 'f', 'v'], None, 'tb:s', 1.0),
    ('xrange10', ['XRANGE', 'tb:r', '__rand_int__', '+', 'COUNT', '10'],
     XRANGE_ENTRIES - 10, None, 0.5),
    ('xrg_xack', None, None, None, 0.5),
    ('pfadd', ['PFADD', 'tb:h', 'e:__rand_int__'], 100000000, 'tb:h', 1.0),
    ('pfcount', ['PFCOUNT', 'tb:hc'], None, None, 1.0),
    ('geoadd', ['GEOADD', 'tb:g', '13.__rand_int__', '52.__rand_int__', 'm:__rand_int__'],
     1000000, 'tb:g', 1.0),
    ('geosearch', GEOSEARCH_CMD, None, None, 0.2),
    ('sort100', ['SORT', 'tb:l'], None, None, 0.2),
]


# --------------------------------------------------------------------------
# redis-benchmark runs.

def probe(srv, cmd, keyspace):
    """Run the command once (placeholders filled) and fail on an error."""
    filled = [str(a).replace('__rand_int__', '%012d' % (keyspace // 2 if keyspace else 0))
              for a in cmd]
    errors, _ = pipeline(srv.port, [encode(*filled)])
    if errors:
        raise RuntimeError('%s: %s: %r' % (srv.name, ' '.join(filled), errors[0]))


def run_benchmark(srv, label, cmd, keyspace, reset_key, pipe, requests, args):
    if reset_key:
        run_setup(srv, [encode('DEL', reset_key)], 'DEL')
    argv = ['redis-benchmark', '-h', '127.0.0.1', '-p', str(srv.port),
            '-c', str(args.clients), '-n', str(requests), '-P', str(pipe), '-q', '--csv']
    if keyspace:
        argv += ['-r', str(keyspace)]
    argv += [str(a) for a in cmd]
    if args.bench_cpu is not None:
        argv = ['taskset', '-c', str(args.bench_cpu)] + argv
    before = srv.cpu_ticks()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=BENCH_RUN_TIMEOUT_S)
    after = srv.cpu_ticks()
    rows = [r for r in csv.reader(io.StringIO(out.stdout)) if r and r[0] != 'test']
    if out.returncode != 0 or not rows:
        raise RuntimeError('redis-benchmark failed on %s (%s): %s%s'
                           % (srv.name, label, out.stdout[-500:], out.stderr[-500:]))
    cpu_us = (after - before) / bench.CLK_TCK * bench.US_PER_S / requests
    return float(rows[-1][1]), cpu_us


# --------------------------------------------------------------------------
# XREADGROUP + XACK: a client that acks what it reads.

XRG_REPLY = re.compile(rb'\*1\r\n\*2\r\n\$4\r\ntb:q\r\n\*1\r\n\*2\r\n\$\d+\r\n(\d+-\d+)\r\n'
                       rb'\*2\r\n\$1\r\nf\r\n\$1\r\nv\r\n')
XREADGROUP = encode('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 'tb:q', '>')


def prepare_group(srv, entries):
    cmds = [encode('DEL', 'tb:q')]
    cmds += [encode('XADD', 'tb:q', '*', 'f', 'v')] * entries
    cmds.append(encode('XGROUP', 'CREATE', 'tb:q', 'g', '0'))
    run_setup(srv, cmds, 'XREADGROUP setup')


class PairConn:
    """One connection's state: sending P reads, waiting, sending P acks."""

    def __init__(self, port, pipe):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=SOCKET_TIMEOUT_S)
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pipe, self.buf, self.reading, self.out = pipe, b'', True, b''

    def start_reads(self, n):
        self.reading, self.want, self.buf = True, n, b''
        self.out = XREADGROUP * n

    def on_data(self, data):
        """Returns the number of pairs completed by data (0 or want)."""
        self.buf += data
        if self.reading:
            if not self.buf.endswith(b'v\r\n'):
                if self.buf.startswith(b'-') or self.buf.startswith(b'*-1'):
                    raise RuntimeError('XREADGROUP replied %r' % self.buf[:100])
                return 0
            ids = XRG_REPLY.findall(self.buf)
            if len(ids) < self.want:
                return 0
            self.reading, self.buf = False, b''
            self.out = b''.join(encode('XACK', 'tb:q', 'g', i) for i in ids)
            return 0
        if self.buf.count(b'\r\n') < self.want:
            return 0
        if self.buf != b':1\r\n' * self.want:
            raise RuntimeError('XACK replied %r' % self.buf[:100])
        return self.want


def run_pairs(srv, pipe, requests, args):
    """Run requests XREADGROUP+XACK pairs over args.clients connections;
    return (pairs/s, server cpu us per pair, driver cpu share)."""
    prepare_group(srv, requests + args.clients * pipe)
    sel = selectors.DefaultSelector()
    conns = [PairConn(srv.port, pipe) for _ in range(args.clients)]
    started, done = 0, 0
    for c in conns:
        n = min(pipe, requests - started)
        if n <= 0:
            break
        c.start_reads(n)
        started += n
        sel.register(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
    cpu0, ticks0, t0 = time.process_time(), srv.cpu_ticks(), time.monotonic()
    while done < requests:
        if time.monotonic() - t0 > BENCH_RUN_TIMEOUT_S:
            raise RuntimeError('%s: XREADGROUP+XACK driver timed out' % srv.name)
        for key, events in sel.select(timeout=1.0):
            c = key.data
            if events & selectors.EVENT_WRITE and c.out:
                sent = c.sock.send(c.out)
                c.out = c.out[sent:]
                if not c.out:
                    sel.modify(c.sock, selectors.EVENT_READ, c)
            if events & selectors.EVENT_READ:
                data = c.sock.recv(1 << 20)
                if not data:
                    raise RuntimeError('%s closed a pair connection' % srv.name)
                finished = c.on_data(data)
                done += finished
                if finished:
                    n = min(pipe, requests - started)
                    if n <= 0:
                        sel.unregister(c.sock)
                        continue
                    c.start_reads(n)
                    started += n
                if c.out:
                    sel.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
    secs = time.monotonic() - t0
    ticks, cpu = srv.cpu_ticks() - ticks0, time.process_time() - cpu0
    for c in conns:
        c.sock.close()
    sel.close()
    return requests / secs, ticks / bench.CLK_TCK * bench.US_PER_S / requests, cpu / secs


# --------------------------------------------------------------------------
# Rounds.

def throughput(servers, args, deadline):
    tests = [t for t in BENCH_TESTS if t[0] in args.tests]
    pipes = [int(p) for p in args.pipelines.split(',')]
    for srv in servers:
        prepare_fixtures(srv, [t[0] for t in tests])
        for label, cmd, keyspace, _, _ in tests:
            if cmd:
                probe(srv, cmd, keyspace)
    results, driver_cpu = {}, {}
    for rnd in range(args.rounds):
        order = servers if rnd % 2 == 0 else servers[::-1]
        for label, cmd, keyspace, reset_key, share in tests:
            for p in pipes:
                requests = args.requests if p == 1 else args.pipelined_requests
                requests = max(1000, int(requests * share))
                for srv in order:
                    if time.monotonic() > deadline:
                        print('types_bench: time limit reached, partial results')
                        return results, driver_cpu
                    if cmd is None:
                        rps, cpu, driver_share = run_pairs(srv, p, requests, args)
                        driver_cpu.setdefault((p, srv.name), []).append(driver_share)
                    else:
                        rps, cpu = run_benchmark(srv, label, cmd, keyspace, reset_key, p,
                                                 requests, args)
                    entry = results.setdefault((label, p), {'name': label})
                    entry.setdefault(srv.name, []).append((rps, cpu))
                    if args.verbose:
                        print('  round %d %-10s P=%-3d %-8s %10.0f rps %7.2f cpu-us/req'
                              % (rnd + 1, label, p, srv.name, rps, cpu), flush=True)
    return results, driver_cpu


# --------------------------------------------------------------------------
# Memory.

_GEO_FILL = []


def geo_fill_commands():
    """The GEOADD commands of the 1,000,000-member set (built once: both
    servers get the same points)."""
    if not _GEO_FILL:
        rng = random.Random(11)
        for start in range(0, MEMORY_ENTRIES, GEO_FILL_PER_CMD):
            parts = [b'*%d\r\n$6\r\nGEOADD\r\n$5\r\ntb:mg\r\n' % (2 + 3 * GEO_FILL_PER_CMD)]
            for i in range(start, start + GEO_FILL_PER_CMD):
                lon = b'%.6f' % rng.uniform(-179.9, 179.9)
                lat = b'%.6f' % rng.uniform(-85.0, 85.0)
                name = b'member:%d' % i
                parts.append(b'$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n'
                             % (len(lon), lon, len(lat), lat, len(name), name))
            _GEO_FILL.append(b''.join(parts))
    return _GEO_FILL


def memory_fill(srv, what):
    if what == 'stream':
        cmds = [encode('XADD', 'tb:ms', '*', 'f', 'v')] * MEMORY_ENTRIES
    else:
        cmds = geo_fill_commands()
    run_setup(srv, cmds, what + ' fill')
    key = 'tb:ms' if what == 'stream' else 'tb:mg'
    n = run_setup(srv, [encode('XLEN' if what == 'stream' else 'ZCARD', key)], 'count')
    if n != b':%d\r\n' % MEMORY_ENTRIES:
        raise RuntimeError('%s: %s holds %r' % (srv.name, key, n))


def memory(args, workdir):
    print('memory: %d stream entries (XADD tb:ms * f v) / a %d-member geo set, fresh servers'
          % (MEMORY_ENTRIES, MEMORY_ENTRIES))
    head = '%-7s %-8s %10s %10s %10s %12s %12s' % (
        'what', 'server', 'rss0 KiB', 'rss KiB', 'delta KiB', 'used_mem0', 'used_mem')
    print(head)
    print('-' * len(head))
    figures = {}
    for what in args.memory_sets:
        for name, binary in (('minired', args.server), ('redis', args.redis)):
            srv = bench.Server(name, binary, [], workdir, args.server_cpu)
            try:
                srv.wait_ready()
                rss0, used0 = srv.rss_kib(), bench.used_memory(srv.port)
                memory_fill(srv, what)
                rss1, used1 = srv.rss_kib(), bench.used_memory(srv.port)
            finally:
                srv.stop()
            figures[(what, name)] = rss1
            print('%-7s %-8s %10d %10d %10d %12s %12s'
                  % (what, name, rss0, rss1, rss1 - rss0, bench._na(used0), bench._na(used1)),
                  flush=True)
    for what in args.memory_sets:
        a, b = figures[(what, 'minired')], figures[(what, 'redis')]
        print('%-7s rss minired/redis %.2fx (bar: <= 1.00)' % (what, bench._ratio(a, b)))


# --------------------------------------------------------------------------

def parse_cli(argv):
    p = argparse.ArgumentParser(description='Stream/HLL/geo/SORT bars, minired vs Redis.')
    p.add_argument('--server', required=True, help='minired-server binary (or redis-server)')
    p.add_argument('--redis', default='redis-server', help='reference server binary')
    p.add_argument('--tests', default=','.join(t[0] for t in BENCH_TESTS))
    p.add_argument('--pipelines', default='1,16', help='-P values, comma-separated')
    p.add_argument('--requests', type=int, default=50000, help='-n for pipeline 1')
    p.add_argument('--pipelined-requests', type=int, default=200000, help='-n for pipelines > 1')
    p.add_argument('--clients', type=int, default=50, help='-c')
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--quick', action='store_true',
                   help='1 round, 10000 / 50000 requests (a smoke run)')
    p.add_argument('--server-cpu', type=int, default=1, help='core for the servers')
    p.add_argument('--bench-cpu', type=int, default=0, help='core for the load generator')
    p.add_argument('--no-pin', action='store_true', help='do not use taskset')
    p.add_argument('--skip-memory', action='store_true')
    p.add_argument('--memory-sets', default='stream,geo', help='which memory figures')
    p.add_argument('--memory-entries', type=int, default=MEMORY_ENTRIES,
                   help='stream entries / geo members for the memory figures')
    p.add_argument('--skip-throughput', action='store_true')
    p.add_argument('--max-seconds', type=float, default=300.0, help='throughput time limit')
    p.add_argument('-v', '--verbose', action='store_true', help='print every run')
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.requests, args.pipelined_requests = 1, 10000, 50000
    args.tests = args.tests.split(',')
    args.memory_sets = args.memory_sets.split(',')
    if not set(args.memory_sets) <= {'stream', 'geo'}:
        p.error('--memory-sets takes stream and/or geo')
    if args.memory_entries <= 0 or args.memory_entries % GEO_FILL_PER_CMD:
        p.error('--memory-entries must be a positive multiple of %d' % GEO_FILL_PER_CMD)
    unknown = set(args.tests) - {t[0] for t in BENCH_TESTS}
    if unknown:
        p.error('unknown tests: %s' % ', '.join(sorted(unknown)))
    return args


def _sigterm(signum, frame):
    raise KeyboardInterrupt()


def main(argv):
    global MEMORY_ENTRIES
    args = parse_cli(argv)
    MEMORY_ENTRIES = args.memory_entries
    bench._pinning(args)
    signal.signal(signal.SIGTERM, _sigterm)
    deadline = time.monotonic() + args.max_seconds
    workdir = tempfile.mkdtemp(prefix='types_bench.')
    servers = []
    try:
        if not args.skip_throughput:
            for name, binary in (('minired', args.server), ('redis', args.redis)):
                servers.append(bench.Server(name, binary, [], workdir, args.server_cpu))
            for srv in servers:
                srv.wait_ready()
            print('minired: %s (pid %d)   redis: %s (pid %d)   server cpu %s, bench cpu %s'
                  % (servers[0].binary, servers[0].pid, servers[1].binary, servers[1].pid,
                     args.server_cpu, args.bench_cpu), flush=True)
            print('clients %d, requests %d (P=1) / %d (P>1) times each test\'s share, rounds %d'
                  % (args.clients, args.requests, args.pipelined_requests, args.rounds),
                  flush=True)
            results, driver_cpu = throughput(servers, args, deadline)
            bench.print_table(results, ('minired', 'redis'))
            for (p, name), shares in sorted(driver_cpu.items()):
                print('xrg_xack P=%d: the driver used %.0f%% of a core against %s'
                      % (p, 100 * max(shares), name))
            for srv in servers:
                srv.stop()
            servers = []
        if not args.skip_memory:
            memory(args, workdir)
        return 0
    except KeyboardInterrupt:
        print('types_bench: interrupted', file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
        dead = [s.name for s in servers if not s.alive()]
        print('types_bench: %s%s' % (e, ' (exited: %s)' % ', '.join(dead) if dead else ''),
              file=sys.stderr)
        return 2
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
