#!/usr/bin/python3
"""Resharding under load: `redis-cli --cluster reshard --cluster-from A
--cluster-to B --cluster-slots N --cluster-yes` while RedisCluster clients
(one thread each, keys of their own, half of them in the slots that move)
keep SETting and GETting. No error may reach a client (MOVED and ASK are
handled by redis-py; TRYAGAIN is legitimate only for multi-key commands,
and this load has none), no read may see a value other than the key's
last acknowledged one, and at the end every key holds its last
acknowledged value; `redis-cli --cluster check` passes again.

Once on 6 nodes of the server under test; once on 3 of them + 3 Redis 7.0
nodes, resharding from a node of one kind to one of the other and back
(so MIGRATE and RESTORE-ASKING run in both directions).
Options and how the checks are chosen: tests/workloads/cluster_workload.py.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_workload import main  # noqa: E402

NEEDS = {
    'test_reshard_under_load': 'cluster.c cluster_bus.c cluster_cmd.c (SETSLOT, GETKEYSINSLOT, '
                               'COUNTKEYSINSLOT) cluster_route.c (MOVED, ASK, ASKING) migrate.c '
                               '(MIGRATE ... KEYS, RESTORE-ASKING)',
    'test_reshard_mixed_both_ways': 'as test_reshard_under_load, with Redis nodes on the other end',
}
# Checks `make test` runs (each passed on minired with clbus, clfail, clcmd,
# clroute and clmig merged; the others run under `make test-cluster`).
IN_MAKE_TEST = {'test_reshard_mixed_both_ways'}

import cluster_lib as L  # noqa: E402
import cluster_load as CL  # noqa: E402

WORKERS = 10
KEYS_IN = 6       # per worker, in the slots that move
KEYS_OUT = 4      # per worker, elsewhere
SLOTS_MOVED = 300


def keys_for(first_slot, slots):
    """worker -> its keys: KEYS_IN in [first_slot, first_slot + slots),
    KEYS_OUT outside."""
    def keys_of(w):
        inside = L.slot_keys((first_slot, first_slot + slots), KEYS_IN, prefix='w%d' % w)
        outside = [k for k in ('w%d:out:%d' % (w, i) for i in range(100))
                   if not first_slot <= L.key_slot(k) < first_slot + slots][:KEYS_OUT]
        return inside + outside
    return keys_of


def first_slot_of(c, port):
    return min(lo for lo, _ in [n for n in c.nodes() if n['port'] == port][0]['slots'])


def reshard_under_load(c, src, dst, slots):
    """Reshards slots from src to dst under the load; asserts the rules.
    Returns the load (for the caller's own figures)."""
    first = first_slot_of(c, src)
    load = CL.Load(c.ports[0], WORKERS, keys_for(first, slots), pause_s=0.002).start()
    try:
        time.sleep(1.0)            # every key written at least once, mostly
        ops0 = load.ops()
        code, text = c.reshard(src, dst, slots)
        assert code == 0, text[-3000:]
        time.sleep(0.5)
        during = load.ops() - ops0
    finally:
        load.stop()
    errors, wrong = load.errors(), load.wrong_reads()
    assert not errors, 'errors reached the clients: %s' % errors[:10]
    assert not wrong, 'reads saw values never acknowledged last: %s' % wrong[:10]
    assert during > 0, 'the load made no progress during the reshard'
    assert load.keys_written() >= WORKERS * (KEYS_IN + KEYS_OUT) * 0.8, load.keys_written()
    c.wait('every node to see the moved slots on :%d' % dst,
           lambda: all(c.owner_of_slot(first + slots - 1, p) == dst for p in c.alive_ports()), 20)
    bad = load.verify()
    assert not bad, 'keys lost or wrong after the reshard: %s' % bad[:10]
    rc, covered, errs, text = c.check()
    assert rc == 0 and covered == L.SLOTS and not errs, text
    # The moved slots' keys are on dst now, none left on src.
    assert L.call(src, 'CLUSTER', 'COUNTKEYSINSLOT', first) == 0
    moved = sum(L.call(dst, 'CLUSTER', 'COUNTKEYSINSLOT', s) for s in range(first, first + slots))
    assert moved >= WORKERS * KEYS_IN * 0.8, moved
    redirects = load.redirects()
    assert redirects.get('MovedError', 0) + redirects.get('AskError', 0) > 0, redirects
    print('      %d ops (%d during the reshard), redirections handled: %s'
          % (load.ops(), during, redirects))
    return load


def test_reshard_under_load(ctx):
    with L.Cluster(ctx.server, workdir=ctx.workdir) as c:
        src, dst = c.primaries()[:2]
        reshard_under_load(c, src, dst, SLOTS_MOVED)


def test_reshard_mixed_both_ways(ctx):
    with L.Cluster(ctx.server, redis=ctx.redis, workdir=ctx.workdir) as c:
        prims = c.primaries()
        ours = [p for p in prims if c.kind_of(p) == 'server']
        theirs = [p for p in prims if c.kind_of(p) == 'redis']
        assert ours and theirs, 'create made primaries of one kind only'
        reshard_under_load(c, ours[0], theirs[0], SLOTS_MOVED // 2)
        reshard_under_load(c, theirs[0], ours[0], SLOTS_MOVED // 2)


CHECKS = [test_reshard_under_load, test_reshard_mixed_both_ways]

if __name__ == '__main__':
    sys.exit(main(CHECKS, NEEDS, IN_MAKE_TEST))
