#!/usr/bin/python3
"""Failover after kill -9 of a primary (cluster-node-timeout 1000): its
replica is elected and promoted, the cluster is ok again, and a
RedisCluster client that kept writing recovers by itself: its writes to
the dead primary's slots succeed again and every key holds its last
acknowledged value (keys written before the kill are replicated first:
WAIT, since replication is asynchronous in Redis too).

Once on 6 nodes of the server under test; once on 3 of them + 3 Redis 7.0
nodes, killing a minired primary whose replica is Redis, then a Redis
primary whose replica is minired (so elections run across
implementations), when create paired them so.
Options and how the checks are chosen: tests/workloads/cluster_workload.py.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_workload import main  # noqa: E402

NEEDS = {
    'test_failover_kill9': 'cluster.c cluster_bus.c (PFAIL -> FAIL) cluster_failover.c (election, '
                           'promotion, epochs) cluster_cmd.c cluster_route.c',
    'test_failover_mixed': 'as test_failover_kill9, with votes and FAIL reports across minired and Redis',
}
# Checks `make test` runs (each passed on minired with clbus, clfail, clcmd,
# clroute and clmig merged; the others run under `make test-cluster`).
IN_MAKE_TEST = {'test_failover_kill9'}

import cluster_lib as L  # noqa: E402
import cluster_load as CL  # noqa: E402

NODE_TIMEOUT_MS = 1000
RECOVER_TIMEOUT_S = 30.0
WORKERS = 4


def failover(c, victim):
    """Writes keys on every primary, kills victim, checks the failover."""
    replica = c.replica_of(victim)
    lo, hi = [n for n in c.nodes() if n['port'] == victim][0]['slots'][0]
    keys_in = L.slot_keys((lo, hi + 1), 40, prefix='fo')
    keys_out = [k for k in ('other:%d' % i for i in range(200)) if not lo <= L.key_slot(k) <= hi][:40]
    rc = CL.client([p for p in c.alive_ports() if p != victim][0])
    for k in keys_in + keys_out:
        assert rc.set(k, 'before-' + k) is True
    # WAIT covers the stream up to its own connection's last write: that
    # write, after the ones above, makes it cover them all.
    k = keys_in[0]
    assert L.write_and_wait(victim, 1, 5000, 'SET', k, 'before-' + k) == ('OK', 1), victim
    load = CL.Load(replica, WORKERS, lambda w: keys_in[w::WORKERS] + keys_out[w::WORKERS], pause_s=0.005)
    for w in load.workers:        # they start from what was written above
        for k in w.keys:
            w.state[k].acked = 'before-' + k
    load.start()
    time.sleep(0.5)
    t_kill = time.monotonic()
    c.kill9(victim)
    # The replica takes over: a write to the victim's slots sent straight
    # to it is accepted (before that it answers MOVED).
    deadline = t_kill + RECOVER_TIMEOUT_S
    while True:
        try:
            if L.call(replica, 'SET', keys_in[0], 'promoted', timeout=1) == 'OK':
                break
        except (OSError, RuntimeError):
            pass
        assert time.monotonic() < deadline, 'no promotion within %.0f s\n%s' % (RECOVER_TIMEOUT_S, c.log_tails())
        time.sleep(0.01)
    promoted_s = time.monotonic() - t_kill
    for w in load.workers:
        if keys_in[0] in w.state:
            w.state[keys_in[0]].maybe.add('promoted')
    c.wait_ok(RECOVER_TIMEOUT_S)
    # The clients recover: each worker succeeds after the promotion.
    t_ok = time.monotonic()
    c.wait('every client to succeed again', lambda: all(w.last_ok and w.last_ok > t_ok for w in load.workers),
           RECOVER_TIMEOUT_S)
    time.sleep(0.5)
    load.stop()
    assert not load.wrong_reads(), load.wrong_reads()[:10]
    bad = load.verify(port=replica)
    assert not bad, 'keys lost after the failover: %s' % bad[:10]
    info = L.cluster_info(replica)
    assert info['cluster_state'] == 'ok', info
    me = [n for n in c.nodes(replica) if 'myself' in n['flags']][0]
    assert 'master' in me['flags'] and me['slots'], me['line']
    dead = [n for n in c.nodes(replica) if n['port'] == victim][0]
    assert 'fail' in dead['flags'], dead['line']
    rc.close()
    print('      replica :%d (%s) accepted a write %.2f s after kill -9 of :%d (%s); '
          'client errors meanwhile: %d'
          % (replica, c.kind_of(replica), promoted_s, victim, c.kind_of(victim), len(load.errors())))


def test_failover_kill9(ctx):
    with L.Cluster(ctx.server, node_timeout=NODE_TIMEOUT_MS, workdir=ctx.workdir) as c:
        c.wait_replicas_synced()
        failover(c, c.primaries()[0])
        rc, covered, errors, text = c.check(c.alive_ports()[0])
        assert covered == L.SLOTS, text


def test_failover_mixed(ctx):
    with L.Cluster(ctx.server, redis=ctx.redis, node_timeout=NODE_TIMEOUT_MS, workdir=ctx.workdir) as c:
        c.wait_replicas_synced()
        # A minired primary with a Redis replica, then a Redis primary with a
        # minired replica (two of three primaries stay: still a majority).
        pairs = [(p, c.replica_of(p)) for p in c.primaries()]
        victims = [next((p for p, r in pairs if (c.kind_of(p), c.kind_of(r)) == kinds), None)
                   for kinds in (('server', 'redis'), ('redis', 'server'))]
        victims = [v for v in victims if v] or [pairs[0][0]]
        for v in victims:
            failover(c, v)


CHECKS = [test_failover_kill9, test_failover_mixed]

if __name__ == '__main__':
    sys.exit(main(CHECKS, NEEDS, IN_MAKE_TEST))
