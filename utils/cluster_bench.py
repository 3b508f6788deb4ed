#!/usr/bin/python3
"""cluster_bench: issue 14's four bars (Redis Cluster), minired beside
Redis 7.0. Not part of make test: `make bench-cluster` runs `all`.

  create      bar 1: `redis-cli --cluster create` of 6 minired nodes (3
              primaries + 3 replicas) and of 3 minired + 3 Redis nodes, then
              `redis-cli --cluster check`: slots covered, errors (its [ERR] and
              [WARNING] lines). PASS: 16384 slots and no error, both clusters.
  reshard     bar 2: `redis-cli --cluster reshard` of 1000 slots between two
              minired primaries under a 50-client single-key SET/GET load (50
              threads, each its own redis-py RedisCluster client and keys, a
              third of them in the moving slots): errors that reached a client
              (MOVED and ASK are handled by the client and only counted), reads
              that saw a value other than the last acknowledged one, and keys
              lost (each key read back at the end must hold its last
              acknowledged value). PASS: 0, 0, 0. The same on Redis for
              reference (--skip-redis to leave it out).
  failover    bar 3: kill -9 of a primary, then SET every 5 ms on its replica
              (straight, not through a client) until one is accepted: the time
              from the kill, --runs runs each for minired and Redis with the same
              cluster-node-timeout, alternating which goes first, fresh cluster
              every run. Before the kill a key is written with SET and WAIT 1
              on one connection (a WAIT on a fresh connection acknowledges
              nothing); the promoted replica must still hold it. PASS:
              minired's median <= Redis's and the key kept (--skip-redis:
              minired only, the key kept).
  throughput  bar 4: GET/SET throughput of one cluster node (cluster-enabled
              yes, all 16384 slots assigned to it) for minired and Redis side by
              side: servers pinned with taskset -c 1, redis-benchmark with
              taskset -c 0, alternating runs, medians, CPU per request from
              /proc/PID/stat (utime+stime), as utils/bench.py measures.
              PASS: minired's rps >= 0.95x Redis's for both.
  all         the four in that order.

Owns only the servers it starts (stopped by the PIDs recorded when they
finish, fail or are interrupted). Needs redis-cli, redis-benchmark and, for
`reshard`, Debian's python3-redis (run it with /usr/bin/python3).

  python3 utils/cluster_bench.py all --server build/epoll/minired-server
  python3 utils/cluster_bench.py failover --server build/epoll/minired-server --runs 3 --node-timeout 1000
  python3 utils/cluster_bench.py all --server redis-server      # Redis in both columns: checks the script
"""

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import types

sys.dont_write_bytecode = True      # no __pycache__ in utils/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_lib as L  # noqa: E402
from bench import Server, run_benchmark  # noqa: E402

RATIO_BAR = 0.95


def log(msg):
    print(msg, flush=True)


# --------------------------------------------------------------------------
# Bar 1: create + check.

def bar_create(args, workdir):
    ok = True
    setups = [('6 minired', args.server, None), ('3 minired + 3 redis', args.server, args.redis)]
    if not args.skip_redis:
        setups.append(('6 redis (reference)', args.redis, None))
    for name, server, redis_bin in setups:
        c = L.Cluster(server, redis=redis_bin, node_timeout=args.node_timeout, workdir=workdir)
        try:
            c.start()
        except L.ClusterError as e:
            log('create %-22s FAILED: %s' % (name, str(e)[:2000]))
            ok = ok and 'reference' in name
            continue
        try:
            worst_covered, all_errors = L.SLOTS, []
            for p in c.ports:        # check from every node: each must agree
                rc, covered, errors, text = c.check(p)
                worst_covered = min(worst_covered, covered)
                all_errors += ['%d: %s' % (p, e) for e in errors] + ([] if rc == 0 else ['%d: exit %d' % (p, rc)])
            passed = worst_covered == L.SLOTS and not all_errors
            log('create %-22s %.1f s to cluster_state:ok; check from each of 6 nodes: %d slots covered, '
                '%d errors %s' % (name, c.create_seconds, worst_covered, len(all_errors),
                                  'PASS' if passed else 'FAIL'))
            for e in all_errors[:10]:
                log('    ' + e)
            if 'reference' not in name:
                ok = ok and passed
        finally:
            c.stop()
    log('bar 1 (create + check, 6 minired and 3+3 mixed): %s' % ('PASS' if ok else 'FAIL'))
    return ok


# --------------------------------------------------------------------------
# Bar 2: reshard 1000 slots under a 50-client load.

def reshard_run(name, server, args, workdir):
    import cluster_load as CL
    c = L.Cluster(server, node_timeout=args.node_timeout, workdir=workdir).start()
    try:
        src, dst = c.primaries()[:2]
        first = min(lo for lo, _ in [n for n in c.nodes() if n['port'] == src][0]['slots'])
        span = (first, first + args.slots)
        per_in = max(1, args.keys_per_client // 3)

        def keys_of(w):
            inside = L.slot_keys(span, per_in, prefix='c%d' % w)
            outside = [k for k in ('c%d:o:%d' % (w, i) for i in range(10 * args.keys_per_client))
                       if not span[0] <= L.key_slot(k) < span[1]][:args.keys_per_client - per_in]
            return inside + outside
        load = CL.Load(c.ports[0], args.clients, keys_of).start()
        try:
            time.sleep(2.0)
            ops0, t0 = load.ops(), time.monotonic()
            code, text = c.reshard(src, dst, args.slots)
            secs = time.monotonic() - t0
            ops_during = load.ops() - ops0
            time.sleep(1.0)
        finally:
            load.stop()
        if code != 0:
            log('reshard %-8s redis-cli --cluster reshard exited %d:\n%s' % (name, code, text[-2000:]))
        c.wait('the moved slots on :%d everywhere' % dst,
               lambda: all(c.owner_of_slot(span[1] - 1, p) == dst for p in c.ports), 30)
        errors, wrong = load.errors(), load.wrong_reads()
        lost = load.verify()
        rc, covered, check_errors, _ = c.check()
        moved_keys = sum(L.call(dst, 'CLUSTER', 'COUNTKEYSINSLOT', s) for s in range(*span))
        red = load.redirects()
        log('reshard %-8s %d slots (%d keys in them) in %.1f s under %d clients, %d ops meanwhile '
            '(%.0f ops/s); %d keys written; client errors %d, wrong reads %d, keys lost %d; '
            'redirections handled: %s; check after: %d slots, %d errors'
            % (name, args.slots, moved_keys, secs, args.clients, ops_during, ops_during / secs if secs else 0,
               load.keys_written(), len(errors), len(wrong), len(lost),
               ', '.join('%s %d' % kv for kv in sorted(red.items())) or 'none', covered, len(check_errors)))
        for e in [x for x in errors if x][:5]:
            log('    error: %s %s %s' % e[1:])
        for w in wrong[:5]:
            log('    wrong read: %s got %r, may hold %r' % w)
        for b in lost[:5]:
            log('    lost: %s holds %r, last acknowledged %r' % b)
        return code == 0 and not errors and not wrong and not lost and covered == L.SLOTS and not check_errors
    finally:
        c.stop()


def bar_reshard(args, workdir):
    ok = reshard_run('minired', args.server, args, workdir)
    if not args.skip_redis:
        reshard_run('redis', args.redis, args, workdir)
    log('bar 2 (reshard %d slots under %d clients: 0 errors, 0 keys lost): %s'
        % (args.slots, args.clients, 'PASS' if ok else 'FAIL'))
    return ok


# --------------------------------------------------------------------------
# Bar 3: failover time.

def failover_run(server, args, workdir):
    """Seconds from kill -9 of a primary to its replica accepting a SET
    (None if it never did), and what the replica then answers to GET of the
    key acknowledged by WAIT before the kill ('acked' if kept)."""
    c = L.Cluster(server, node_timeout=args.node_timeout, workdir=workdir).start()
    try:
        c.wait_replicas_synced()
        victim = c.primaries()[0]
        replica = c.replica_of(victim)
        lo, hi = [n for n in c.nodes() if n['port'] == victim][0]['slots'][0]
        # Two keys of the victim's slots: one acknowledged before the kill,
        # one the promoted replica must accept.
        key, key2 = L.slot_keys((lo, hi + 1), 2, prefix='failover')
        assert L.write_and_wait(victim, 1, 5000, 'SET', key, 'acked') == ('OK', 1)
        t0 = time.monotonic()
        c.kill9(victim)
        deadline = t0 + args.failover_timeout
        while time.monotonic() < deadline:
            try:
                if L.call(replica, 'SET', key2, 'x', timeout=1) == 'OK':
                    took = time.monotonic() - t0
                    return took, L.call(replica, 'GET', key)
            except (OSError, RuntimeError):
                pass
            time.sleep(0.005)
        return None, False
    finally:
        c.stop()


def bar_failover(args, workdir):
    systems = [('minired', args.server)] + ([] if args.skip_redis else [('redis', args.redis)])
    times = {n: [] for n, _ in systems}
    kept_all = True
    for run in range(args.runs):
        for name, binary in (systems if run % 2 == 0 else systems[::-1]):
            took, got = failover_run(binary, args, workdir)
            kept = took is None or got == 'acked'
            kept_all = kept_all and kept
            times[name].append(took if took is not None else float('inf'))
            log('failover run %d %-8s %s%s' % (run + 1, name, 'no promotion within %.0f s' % args.failover_timeout
                                               if took is None else '%.3f s' % took,
                                               '' if kept else ' (acknowledged key LOST: GET answered %r)' % (got,)))
    med = {n: statistics.median(v) for n, v in times.items()}
    for n, v in times.items():
        log('failover median %-8s %.3f s over %d runs (min %.3f, max %.3f), node timeout %d ms'
            % (n, med[n], len(v), min(v), max(v), args.node_timeout))
    if args.skip_redis:
        log('bar 3 (acknowledged key kept; no Redis run to compare with): %s' % ('PASS' if kept_all else 'FAIL'))
        return kept_all
    ok = med['minired'] <= med['redis'] and kept_all
    log('bar 3 (failover median minired %.3f s <= redis %.3f s, acknowledged key kept): %s'
        % (med['minired'], med['redis'], 'PASS' if ok else 'FAIL'))
    return ok


# --------------------------------------------------------------------------
# Bar 4: single-node throughput.

def assign_all_slots(port):
    try:
        L.call(port, 'CLUSTER', 'ADDSLOTSRANGE', 0, L.SLOTS - 1)
    except RuntimeError:
        L.call(port, 'CLUSTER', 'ADDSLOTS', *range(L.SLOTS))
    deadline = time.monotonic() + 30
    while L.cluster_info(port).get('cluster_state') != 'ok':
        if time.monotonic() > deadline:
            raise RuntimeError('single node on :%d never reached cluster_state:ok' % port)
        time.sleep(0.05)


def bar_throughput(args, workdir):
    cpus = os.sched_getaffinity(0)
    pin = not args.no_pin and shutil.which('taskset') and {args.server_cpu, args.bench_cpu} <= cpus
    bopts = types.SimpleNamespace(requests=args.requests, pipelined_requests=args.requests * 5,
                                  clients=50, keyspace=args.keyspace, data_size=0,
                                  bench_cpu=args.bench_cpu if pin else None)
    servers = []
    try:
        for name, binary in (('minired', args.server), ('redis', args.redis)):
            # A cluster node's port must leave room for its bus port (+10000).
            s = Server(name, binary, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
                       workdir, args.server_cpu if pin else None, port=L.free_base(1))
            servers.append(s)
            s.wait_ready()
            assign_all_slots(s.port)
        results = {}
        pipelines = [int(p) for p in args.pipelines.split(',')]
        for rnd in range(args.rounds):
            order = servers if rnd % 2 == 0 else servers[::-1]
            for test in ('set', 'get'):
                for p in pipelines:
                    for s in order:
                        _, rps, cpu = run_benchmark(s, test, p, bopts)
                        results.setdefault((test, p), {}).setdefault(s.name, []).append((rps, cpu))
                        if args.verbose:
                            log('  round %d %-4s P=%-3d %-8s %10.0f rps %7.2f us/req' % (rnd + 1, test, p, s.name,
                                                                                       rps, cpu))
        ok = True
        log('%-5s %4s %13s %13s %7s %13s %13s %8s' % ('test', 'P', 'minired rps', 'redis rps', 'ratio',
                                                      'minired us/req', 'redis us/req', 'cpu'))
        for (test, p), e in results.items():
            rm, rr = (statistics.median(x[0] for x in e[n]) for n in ('minired', 'redis'))
            cm, cr = (statistics.median(x[1] for x in e[n]) for n in ('minired', 'redis'))
            ok = ok and rm >= RATIO_BAR * rr
            log('%-5s %4d %13.0f %13.0f %6.2fx %13.2f %13.2f %7.2fx' % (test.upper(), p, rm, rr, rm / rr, cm, cr,
                                                                         cm / cr if cr else float('nan')))
        log('(single cluster node, all slots; medians of %d rounds, 50 clients, -r %d; pinned: %s)'
            % (args.rounds, args.keyspace, 'server cpu %d, bench cpu %d' % (args.server_cpu, args.bench_cpu)
               if pin else 'no'))
        log('bar 4 (single cluster node GET/SET rps >= %.2fx redis): %s' % (RATIO_BAR, 'PASS' if ok else 'FAIL'))
        return ok
    finally:
        for s in servers:
            s.stop()


# --------------------------------------------------------------------------

BARS = {'create': bar_create, 'reshard': bar_reshard, 'failover': bar_failover, 'throughput': bar_throughput}


def main(argv):
    p = argparse.ArgumentParser(description='Redis Cluster bars: minired beside Redis 7.0.')
    p.add_argument('bar', choices=sorted(BARS) + ['all'])
    p.add_argument('--server', default=L.DEFAULT_SERVER, help='minired-server (redis-server checks the script)')
    p.add_argument('--redis', default='redis-server')
    p.add_argument('--node-timeout', type=int, default=2000, help='cluster-node-timeout (ms), every cluster')
    p.add_argument('--skip-redis', action='store_true', help='create/reshard/failover: no Redis reference run')
    p.add_argument('--slots', type=int, default=1000, help='reshard: slots moved')
    p.add_argument('--clients', type=int, default=50, help='reshard: client threads')
    p.add_argument('--keys-per-client', type=int, default=12, help='reshard: keys each client owns')
    p.add_argument('--runs', type=int, default=5, help='failover: runs per system')
    p.add_argument('--failover-timeout', type=float, default=60.0, help='failover: give up after (s)')
    p.add_argument('--rounds', type=int, default=5, help='throughput: rounds')
    p.add_argument('--requests', type=int, default=200000, help='throughput: -n at P=1 (5x at P>1)')
    p.add_argument('--pipelines', default='1,16', help='throughput: -P values')
    p.add_argument('--keyspace', type=int, default=100000, help='throughput: -r')
    p.add_argument('--server-cpu', type=int, default=1)
    p.add_argument('--bench-cpu', type=int, default=0)
    p.add_argument('--no-pin', action='store_true')
    p.add_argument('-v', '--verbose', action='store_true')
    args = p.parse_args(argv)
    args.server = os.path.abspath(shutil.which(args.server) or args.server)
    args.redis = shutil.which(args.redis) or args.redis
    workdir = tempfile.mkdtemp(prefix='cluster-bench.')
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    ok = True
    try:
        log('minired: %s   redis: %s' % (args.server, args.redis))
        for name in (['create', 'reshard', 'failover', 'throughput'] if args.bar == 'all' else [args.bar]):
            t0 = time.monotonic()
            log('== %s' % name)
            try:
                ok = BARS[name](args, workdir) and ok
            except (L.ClusterError, RuntimeError, OSError, AssertionError) as e:
                log('%s: error: %s' % (name, e))
                ok = False
            log('   (%s: %.0f s)' % (name, time.monotonic() - t0))
        return 0 if ok else 1
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
