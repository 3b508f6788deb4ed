#!/usr/bin/python3
"""A cluster-aware client against a cluster of the server under test:
redis-py's RedisCluster (Debian's python3-redis) on 6 nodes (3 primaries,
3 replicas) made by `redis-cli --cluster create`. SET/GET across slots,
the MOVED a client gets after a slot moved (and handles), ASK + ASKING
during a migration, hash tags and CROSSSLOT, a pipeline, pub/sub across
nodes (the bus carries PUBLISH) and sharded pub/sub, READONLY reads on a
replica. Redirection texts are checked as Redis 7.0 sends them.

Options and how the checks are chosen: tests/workloads/cluster_workload.py.
One cluster for all checks; about 15 s in all.
"""

import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_workload import main  # noqa: E402

NEEDS = {
    'test_set_get_across_slots': 'cluster.c cluster_bus.c cluster_cmd.c cluster_route.c (MOVED)',
    'test_hash_tags_crossslot': 'as above (CROSSSLOT, KEYSLOT)',
    'test_moved_after_slot_moves': 'as above + migrate.c (MIGRATE, RESTORE-ASKING) and SETSLOT '
                                   'IMPORTING/MIGRATING/NODE in cluster_cmd.c',
    'test_ask_during_migration': 'as above (ASK, ASKING, SETSLOT)',
    'test_pipeline': 'cluster.c cluster_bus.c cluster_cmd.c cluster_route.c',
    'test_pubsub_across_nodes': 'cluster_bus.c (PUBLISH messages on the bus)',
    'test_sharded_pubsub': 'cluster_route.c (SSUBSCRIBE/SPUBLISH by slot) cluster_bus.c (PUBLISHSHARD)',
    'test_readonly_replica_reads': 'cluster_route.c (READONLY) + replicas (cluster_failover.c sets them up)',
}
# Checks `make test` runs (each passed on minired with clbus, clfail, clcmd,
# clroute and clmig merged; the others run under `make test-cluster`).
IN_MAKE_TEST = {'test_set_get_across_slots', 'test_hash_tags_crossslot', 'test_moved_after_slot_moves',
                'test_ask_during_migration', 'test_pipeline', 'test_pubsub_across_nodes', 'test_sharded_pubsub',
                'test_readonly_replica_reads'}

import redis  # noqa: E402
import cluster_lib as L  # noqa: E402
import cluster_load as CL  # noqa: E402

MOVED_RE = re.compile(r'^MOVED (\d+) 127\.0\.0\.1:(\d+)$')
ASK_RE = re.compile(r'^ASK (\d+) 127\.0\.0\.1:(\d+)$')
CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot"


def cluster(ctx):
    c = ctx.shared.get('cluster')
    if c is None:
        c = ctx.shared['cluster'] = L.Cluster(ctx.server, workdir=ctx.workdir).start()
    return c


def raw_error(port, *args):
    """The error text a node answers with (no redirection followed)."""
    try:
        L.call(port, *args)
    except RuntimeError as e:
        return str(e)
    raise AssertionError('%s on :%d did not fail' % (args, port))


def test_set_get_across_slots(ctx):
    c = cluster(ctx)
    rc = CL.client(c.ports[0])
    keys = ['across:%d' % i for i in range(300)]
    for k in keys:
        assert rc.set(k, 'v-' + k) is True
    for k in keys:
        assert rc.get(k) == ('v-' + k).encode(), k
    # The keys really are spread: each primary owns some, counted per slot.
    per_primary = {}
    for k in keys:
        per_primary.setdefault(c.owner_of_slot(L.key_slot(k)), []).append(k)
    assert len(per_primary) == 3, per_primary.keys()
    for port, ks in per_primary.items():
        slot = L.key_slot(ks[0])
        n = L.call(port, 'CLUSTER', 'COUNTKEYSINSLOT', slot)
        assert n == sum(1 for k in keys if L.key_slot(k) == slot), (port, slot, n)
        assert ks[0] in L.call(port, 'CLUSTER', 'GETKEYSINSLOT', slot, 1000)
        # Another primary answers MOVED to the owner.
        other = [p for p in per_primary if p != port][0]
        m = MOVED_RE.match(raw_error(other, 'GET', ks[0]))
        assert m and int(m.group(1)) == slot and int(m.group(2)) == port, raw_error(other, 'GET', ks[0])
    assert rc.delete(*keys[:3]) == 3     # redis-py splits a multi-slot DEL per slot
    rc.close()


def test_hash_tags_crossslot(ctx):
    c = cluster(ctx)
    rc = CL.client(c.ports[0])
    for k in ('{user1000}.following', '{user1000}.followers', 'foo{}', '{}{x}'):
        assert rc.cluster_keyslot(k) == L.key_slot(k), k
    assert rc.mset({'{tag}a': '1', '{tag}b': '2', '{tag}c': '3'}) is True
    assert rc.mget('{tag}a', '{tag}b', '{tag}c') == [b'1', b'2', b'3']
    owner = c.owner_of_slot(L.key_slot('{tag}a'))
    assert L.call(owner, 'MGET', '{tag}a', '{tag}c') == ['1', '3']
    assert L.call(owner, 'RENAME', '{tag}a', '{tag}z') == 'OK'
    # Keys of two slots in one command: CROSSSLOT, from any node.
    a, b = 'cross:a', 'cross:b'
    assert L.key_slot(a) != L.key_slot(b)
    for p in c.primaries():
        assert raw_error(p, 'MSET', a, '1', b, '2') == CROSSSLOT, raw_error(p, 'MSET', a, '1', b, '2')
    rc.close()


def test_moved_after_slot_moves(ctx):
    c = cluster(ctx)
    rc = CL.client(c.ports[0], reinitialize_steps=1000)
    src, dst = c.primaries()[:2]
    # reshard takes the source's lowest slots: slot of a key there moves.
    first = min(lo for lo, _ in [n for n in c.nodes() if n['port'] == src][0]['slots'])
    key = L.slot_keys((first, first + 1), 1, prefix='moving')[0]
    assert rc.set(key, 'before') is True
    before = CL.redirect_counter().snapshot().get('MovedError', 0)
    code, text = c.reshard(src, dst, 1)
    assert code == 0, text
    c.wait('every node to see slot %d on :%d' % (first, dst),
           lambda: all(c.owner_of_slot(first, p) == dst for p in c.ports), 20)
    m = MOVED_RE.match(raw_error(src, 'GET', key))
    assert m and int(m.group(1)) == first and int(m.group(2)) == dst, raw_error(src, 'GET', key)
    # The client still maps the slot to src: it gets MOVED and follows it.
    assert rc.get(key) == b'before'
    assert rc.set(key, 'after') is True
    assert CL.redirect_counter().snapshot().get('MovedError', 0) > before
    assert L.call(dst, 'GET', key) == 'after'
    rc.close()
    rc, covered, errors, text = c.check()
    assert rc == 0 and covered == L.SLOTS and not errors, text


def test_ask_during_migration(ctx):
    c = cluster(ctx)
    rc = CL.client(c.ports[0])
    src, dst = c.primaries()[1:3]
    src_id, dst_id = c.node_id(src), c.node_id(dst)
    # An empty slot of src that no earlier check used.
    slot = max(hi for _, hi in [n for n in c.nodes() if n['port'] == src][0]['slots'])
    while L.call(src, 'CLUSTER', 'COUNTKEYSINSLOT', slot):
        slot -= 1
    key = L.slot_keys((slot, slot + 1), 1, prefix='asking')[0]
    assert L.call(dst, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', src_id) == 'OK'
    assert L.call(src, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', dst_id) == 'OK'
    # A key src does not hold: ASK to dst; dst refuses it without ASKING.
    m = ASK_RE.match(raw_error(src, 'SET', key, 'x'))
    assert m and int(m.group(1)) == slot and int(m.group(2)) == dst, raw_error(src, 'SET', key, 'x')
    m = MOVED_RE.match(raw_error(dst, 'SET', key, 'x'))
    assert m and int(m.group(2)) == src, raw_error(dst, 'SET', key, 'x')
    before = CL.redirect_counter().snapshot().get('AskError', 0)
    assert rc.set(key, 'asked') is True
    assert CL.redirect_counter().snapshot().get('AskError', 0) == before + 1
    assert rc.get(key) == b'asked'
    with socket.create_connection(('127.0.0.1', dst), 5) as s:
        s.sendall(b'*1\r\n$6\r\nASKING\r\n*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n' % (len(key), key.encode()))
        want = b'+OK\r\n$5\r\nasked\r\n'
        got = b''
        while len(got) < len(want):
            chunk = s.recv(100)
            assert chunk, got
            got += chunk
        assert got == want, got
    # Finish the move as redis-cli would: the slot is dst's everywhere.
    for p in (dst, src) + tuple(x for x in c.primaries() if x not in (src, dst)):
        assert L.call(p, 'CLUSTER', 'SETSLOT', slot, 'NODE', dst_id) == 'OK'
    c.wait('every node to see slot %d on :%d' % (slot, dst),
           lambda: all(c.owner_of_slot(slot, p) == dst for p in c.ports), 20)
    assert rc.get(key) == b'asked'
    rc.close()


def test_pipeline(ctx):
    c = cluster(ctx)
    rc = CL.client(c.ports[1])
    pipe = rc.pipeline()
    for i in range(200):
        pipe.set('pipe:%d' % i, i)
    assert pipe.execute() == [True] * 200
    pipe = rc.pipeline()
    for i in range(200):
        pipe.get('pipe:%d' % i)
        pipe.incr('pipe:%d' % i)
    out = pipe.execute()
    assert out[0::2] == [str(i).encode() for i in range(200)], out[:10]
    assert out[1::2] == [i + 1 for i in range(200)], out[:10]
    rc.close()


def recv_message(ps, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = ps.get_message(timeout=0.1)
        if m and m['type'] in ('message', 'smessage'):
            return m
    return None


def test_pubsub_across_nodes(ctx):
    c = cluster(ctx)
    sub_port, pub_port = c.ports[0], c.ports[4]
    r_sub = redis.Redis(port=sub_port, socket_timeout=5)
    ps = r_sub.pubsub()
    ps.subscribe('news')
    assert ps.get_message(timeout=2)['type'] == 'subscribe'
    # PUBLISH on another node reaches a subscriber anywhere (over the bus);
    # the reply counts only that node's own subscribers.
    assert L.call(pub_port, 'PUBLISH', 'news', 'hello') == 0
    m = recv_message(ps)
    assert m and m['channel'] == b'news' and m['data'] == b'hello', m
    # Through RedisCluster's own pub/sub object.
    rc = CL.client(c.ports[2])
    cps = rc.pubsub()
    cps.subscribe('weather')
    time.sleep(0.2)
    for p in c.ports:
        L.call(p, 'PUBLISH', 'weather', 'from-%d' % p)
    got = set()
    for _ in c.ports:
        m = recv_message(cps)
        assert m, got
        got.add(m['data'].decode())
    assert got == {'from-%d' % p for p in c.ports}, got
    ps.close()
    cps.close()
    rc.close()
    r_sub.close()


def test_sharded_pubsub(ctx):
    c = cluster(ctx)
    ch = 'orders'
    slot = L.key_slot(ch)
    owner = c.owner_of_slot(slot)
    other = [p for p in c.primaries() if p != owner][0]
    m = MOVED_RE.match(raw_error(other, 'SPUBLISH', ch, 'x'))
    assert m and int(m.group(1)) == slot and int(m.group(2)) == owner, raw_error(other, 'SPUBLISH', ch, 'x')
    # SSUBSCRIBE on the owner, SPUBLISH through the cluster client.
    with socket.create_connection(('127.0.0.1', owner), 5) as s:
        s.sendall(b'*2\r\n$10\r\nSSUBSCRIBE\r\n$6\r\norders\r\n')
        want = b'*3\r\n$10\r\nssubscribe\r\n$6\r\norders\r\n:1\r\n'
        got = b''
        while len(got) < len(want):
            got += s.recv(1000)
        assert got == want, got
        rc = CL.client(c.ports[0])
        # redis-py 4.3 does not know SPUBLISH's key: the node from its slot map.
        assert rc.execute_command('SPUBLISH', ch, 'paid', target_nodes=rc.get_node_from_key(ch)) == 1
        want = b'*3\r\n$8\r\nsmessage\r\n$6\r\norders\r\n$4\r\npaid\r\n'
        got = b''
        while len(got) < len(want):
            got += s.recv(1000)
        assert got == want, got
        rc.close()


def test_readonly_replica_reads(ctx):
    c = cluster(ctx)
    rc = CL.client(c.ports[0])
    key = 'replica-read'
    assert rc.set(key, 'v1') is True
    primary = c.owner_of_slot(L.key_slot(key))
    replica = c.replica_of(primary)
    assert L.call(primary, 'WAIT', 1, 5000) == 1
    m = MOVED_RE.match(raw_error(replica, 'GET', key))
    assert m and int(m.group(2)) == primary, raw_error(replica, 'GET', key)
    r = redis.Redis(port=replica, socket_timeout=5)
    assert r.execute_command('READONLY') in (b'OK', 'OK', True)
    assert r.get(key) == b'v1'
    # Writes still go to the primary.
    try:
        r.set(key, 'v2')
        raise AssertionError('a replica accepted a write after READONLY')
    except redis.exceptions.ResponseError as e:
        assert MOVED_RE.match(str(e)) and int(MOVED_RE.match(str(e)).group(2)) == primary, e
    assert r.execute_command('READWRITE') in (b'OK', 'OK', True)
    try:
        r.get(key)
        raise AssertionError('a replica served a read after READWRITE')
    except redis.exceptions.ResponseError as e:
        assert MOVED_RE.match(str(e)), e
    # A client reading from replicas.
    rr = CL.client(c.ports[0], read_from_replicas=True)
    assert rr.get(key) == b'v1'
    rr.close()
    r.close()
    rc.close()


CHECKS = [test_set_get_across_slots, test_hash_tags_crossslot, test_moved_after_slot_moves,
          test_ask_during_migration, test_pipeline, test_pubsub_across_nodes, test_sharded_pubsub,
          test_readonly_replica_reads]

if __name__ == '__main__':
    sys.exit(main(CHECKS, NEEDS, IN_MAKE_TEST))
