#!/usr/bin/python3
"""Cluster creation with Redis's own tool: utils/cluster_setup.sh starts 6
nodes and joins them with `redis-cli --cluster create --cluster-replicas
1`, then `redis-cli --cluster check` must pass with all 16384 slots covered
and no error or warning; once with 6 nodes of the server under test, once
with 3 of them and 3 Redis 7.0 nodes (alternating, so primaries and
replicas of both kinds). Also checks that every node agrees on the
topology and that the setup script's status and stop work.

Options and how the checks are chosen: tests/workloads/cluster_workload.py
(--all for every check, --redis to run on Redis nodes only). A few seconds
per check.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_workload import main  # noqa: E402

# Check -> the minired pieces it needs (Redis has them all).
NEEDS = {
    'test_create_check_6': 'cluster.c cluster_bus.c cluster_cmd.c (ADDSLOTS, MEET, REPLICATE, '
                           'SET-CONFIG-EPOCH, NODES, INFO, MYID, COUNTKEYSINSLOT, GETKEYSINSLOT) '
                           'cluster_failover.c (replica setup)',
    'test_create_check_mixed': 'as test_create_check_6, plus a bus byte-exact with Redis 7.0',
    'test_setup_script_status_stop': 'as test_create_check_6',
}
# Checks `make test` runs (each passed on minired with clbus, clfail, clcmd,
# clroute and clmig merged; the others run under `make test-cluster`).
IN_MAKE_TEST = {'test_create_check_6', 'test_create_check_mixed'}

import cluster_lib as L  # noqa: E402


def check_cluster(c):
    """The check a person would run after create, from every node."""
    for p in c.ports:
        rc, covered, errors, text = c.check(p)
        assert rc == 0, 'check from :%d exited %d:\n%s' % (p, rc, text)
        assert covered == L.SLOTS, 'check from :%d covers %d slots:\n%s' % (p, covered, text)
        assert not errors, 'check from :%d: %s\n%s' % (p, errors, text)
        assert '[OK] All nodes agree about slots configuration.' in text, text
    # Every node sees 3 primaries with slots and 3 replicas, all connected.
    ids = {c.node_id(p): p for p in c.ports}
    views = {}
    for p in c.ports:
        ns = c.nodes(p)
        assert len(ns) == 6, (p, [n['line'] for n in ns])
        masters = [n for n in ns if 'master' in n['flags']]
        replicas = [n for n in ns if 'slave' in n['flags']]
        assert len(masters) == 3 and len(replicas) == 3, (p, [n['line'] for n in ns])
        assert all(n['link'] == 'connected' for n in ns), (p, [n['line'] for n in ns])
        assert {n['id'] for n in ns} == set(ids), (p, [n['line'] for n in ns])
        assert sum(L.slot_count(n) for n in masters) == L.SLOTS
        views[p] = sorted((n['id'], n['master'], tuple(n['slots'])) for n in ns)
        info = L.cluster_info(p)
        assert info['cluster_state'] == 'ok' and info['cluster_slots_assigned'] == '16384', (p, info)
        assert info['cluster_known_nodes'] == '6' and info['cluster_size'] == '3', (p, info)
    first = views[c.ports[0]]
    assert all(v == first for v in views.values()), views
    # Each replica replicates: a key written to a primary reaches its replica.
    for prim in c.primaries():
        reps = c.replicas_of(prim)
        assert len(reps) == 1, (prim, reps)
    c.wait_replicas_synced()


def test_create_check_6(ctx):
    with L.Cluster(ctx.server, workdir=ctx.workdir) as c:
        check_cluster(c)


def test_create_check_mixed(ctx):
    with L.Cluster(ctx.server, redis=ctx.redis, workdir=ctx.workdir) as c:
        check_cluster(c)
        kinds = {c.kind_of(p) for p in c.primaries()}
        assert len(kinds) == 2 or os.path.samefile(ctx.server, ctx.redis), kinds


def test_setup_script_status_stop(ctx):
    c = L.Cluster(ctx.server, workdir=ctx.workdir).start()
    try:
        pids = [c.pid(p) for p in c.ports]
        out = subprocess.run(['bash', L.SETUP, 'status'] + c._setup_args(), capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        lines = [line for line in out.stdout.splitlines() if line.startswith('node')]
        assert len(lines) == 6, out.stdout
        assert sum('master' in line for line in lines) == 3, out.stdout
        assert all('state ok' in line for line in lines), out.stdout
        assert 'cluster_slots_assigned:16384' in out.stdout, out.stdout
    finally:
        c.stop()
    time.sleep(0.1)
    for pid in pids:
        assert not os.path.exists('/proc/%d' % pid) or open('/proc/%d/stat' % pid).read().split()[2] == 'Z', pid
    assert not os.path.exists(c.dir), c.dir


CHECKS = [test_create_check_6, test_create_check_mixed, test_setup_script_status_stop]

if __name__ == '__main__':
    sys.exit(main(CHECKS, NEEDS, IN_MAKE_TEST))
