#!/usr/bin/env python3
"""diff_random.py -- randomized differential test: random command streams
over a small keyspace of every type, replayed on minired and redis-server by
utils/diffcheck.py, which compares every raw reply.

Only deterministic commands are generated: no random picks (SPOP,
SRANDMEMBER...), no KEYS/SCAN (table order), and set members are integers
so sets stay intsets and list in sorted order. Half the streams run in
RESP3.

Stream values (every fourth stream of commands is mostly stream commands):
x2 gets explicit and "ms-*" IDs only; x1 alone gets "*" IDs, and no
command deletes, renames or copies it, so a clock-made ID is never made
twice on one server. Every command runs under diffcheck's !stream-ids, which numbers
clock-made IDs per server and hides times and idle fields.

    python3 utils/diff_random.py --server build/epoll/minired-server [--streams 40] [--length 400] [--seed 1]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

KEYS = ['k1', 'k2', 'k3', 'l1', 'l2', 'h1', 's1', 's2', 'z1', 'z2']
STREAM_KEYS = ['x1', 'x2']
GROUPS = ['g1', 'g2']
CONSUMERS = ['c1', 'c2', 'c3']
VALUES = ['a', 'b', 'c', '1', '2', '10', '-3', '3.5', '', 'x y', '007']


def command(rng):
    k, k2, v = rng.choice(KEYS), rng.choice(KEYS), '"%s"' % rng.choice(VALUES)
    n, m = str(rng.randint(-3, 5)), str(rng.randint(0, 9))
    return rng.choice([
        f'SET {k} {v}', f'GET {k}', f'APPEND {k} {v}', f'INCR {k}', f'INCRBY {k} {n}', f'DEL {k}',
        f'EXISTS {k} {k2}', f'TYPE {k}', f'OBJECT ENCODING {k}', f'STRLEN {k}', f'GETRANGE {k} {n} {m}',
        # SORT: patterns that hit k1..k3 / h1 / l1 / z1 through the elements
        # ("1" -> k1); no ALPHA with BY (its ties keep the input order, a
        # sorted set's being its hash table's, which differs between servers)
        f'SORT {k}', f'SORT {k} ALPHA', f'SORT {k} DESC ALPHA LIMIT {n} {m}', f'SORT_RO {k} LIMIT {n} {m}',
        f'SORT {k} BY nosort LIMIT {n} {m}', f'SORT {k} BY nosort DESC', f'SORT {k} BY k* GET # GET k*',
        f'SORT_RO {k} BY h*->f{m} DESC GET h*->f1 GET l* LIMIT {n} {m}', f'SORT {k} ALPHA STORE {k2}',
        f'SORT {k} BY nosort GET k* GET z* STORE {k2}', f'SORT {k} BY k* DESC LIMIT {n} {m} STORE {k2}',
        f'SETRANGE {k} {m} {v}', f'LPUSH {k} {v} {v}', f'RPUSH {k} {v}', f'LPOP {k}', f'RPOP {k} {m}',
        f'LRANGE {k} {n} {m}', f'LLEN {k}', f'LINDEX {k} {n}', f'LSET {k} {n} {v}', f'LREM {k} {n} {v}',
        f'LTRIM {k} {n} {m}', f'LINSERT {k} BEFORE {v} {v}', f'LMOVE {k} {k2} LEFT RIGHT', f'LPOS {k} {v}',
        f'HSET {k} f{m} {v}', f'HGET {k} f{m}', f'HDEL {k} f{m}', f'HLEN {k}', f'HGETALL {k}',
        f'HINCRBY {k} f{m} {n}', f'HEXISTS {k} f{m}', f'HKEYS {k}', f'HMGET {k} f1 f2',
        f'SADD {k} {m} {n}', f'SREM {k} {m}', f'SMEMBERS {k}', f'SISMEMBER {k} {m}', f'SCARD {k}',
        f'SINTER {k} {k2}', f'SUNION {k} {k2}', f'SDIFF {k} {k2}', f'SINTERSTORE {k} {k2} {k}',
        f'SMOVE {k} {k2} {m}', f'ZADD {k} {n} {v}', f'ZINCRBY {k} {n} {v}', f'ZRANGE {k} 0 -1 WITHSCORES',
        f'ZREM {k} {v}', f'ZSCORE {k} {v}', f'ZRANK {k} {v}', f'ZCARD {k}', f'ZRANGEBYSCORE {k} -inf +inf',
        f'ZPOPMIN {k}', f'ZUNIONSTORE {k} 2 {k} {k2}', f'ZCOUNT {k} {n} {m}', f'RENAME {k} {k2}',
        f'COPY {k} {k2} REPLACE', f'EXPIRE {k} 100', f'TTL {k}', f'PERSIST {k}', 'DBSIZE',
        'MULTI', 'EXEC', 'DISCARD',
    ])


def stream_command(rng):
    """A stream command on x1 ("*" IDs) or x2 (explicit IDs)."""
    k, g, c = rng.choice(STREAM_KEYS), rng.choice(GROUPS), rng.choice(CONSUMERS)
    f, v = 'f%d' % rng.randint(0, 3), '"%s"' % rng.choice(VALUES)
    i = '%d-%d' % (rng.randint(1, 40), rng.randint(0, 2))
    n = rng.randint(0, 6)
    if k == 'x1':
        add = [f'XADD x1 * {f} {v}', f'XADD x1 MAXLEN ~ {n} * {f} {v} g {v}', f'XADD x1 MINID 0 * {f} {v}']
    else:
        add = [f'XADD x2 {i} {f} {v}', f'XADD x2 {rng.randint(1, 40)}-* {f} {v}',
               f'XADD x2 MAXLEN {n} {i} {f} {v}', f'XADD x2 NOMKSTREAM {i} {f} {v}', f'XDEL x2 {i} {i}',
               f'XTRIM x2 MINID {i}', f'XCLAIM x2 {g} {c} 0 {i} {i}', f'XCLAIM x2 {g} {c} 0 {i} JUSTID',
               f'XACK x2 {g} {i} {i}', f'XRANGE x2 {i} +', f'XSETID x2 {i}']
    groups = [f'XGROUP CREATE {k} {g} 0', f'XGROUP CREATE {k} {g} $ MKSTREAM', f'XGROUP SETID {k} {g} 0',
              f'XGROUP CREATECONSUMER {k} {g} {c}']
    reads = [f'XREADGROUP GROUP {g} {c} COUNT {n + 1} STREAMS {k} >', f'XREADGROUP GROUP {g} {c} STREAMS {k} 0',
             f'XREADGROUP GROUP {g} {c} NOACK COUNT 1 STREAMS {k} >', f'XPENDING {k} {g}',
             f'XPENDING {k} {g} - + 10', f'XPENDING {k} {g} - + 10 {c}', f'XAUTOCLAIM {k} {g} {c} 0 0-0 COUNT {n + 1}',
             f'XAUTOCLAIM {k} {g} {c} 0 0-0 JUSTID', f'XINFO GROUPS {k}', f'XINFO CONSUMERS {k} {g}']
    other = [f'XLEN {k}', f'XRANGE {k} - +', f'XRANGE {k} - + COUNT {n}', f'XREVRANGE {k} + - COUNT {n}',
             f'XTRIM {k} MAXLEN {n}', f'XTRIM {k} MAXLEN ~ {n}', f'XGROUP DESTROY {k} {g}',
             f'XGROUP DELCONSUMER {k} {g} {c}', f'XREAD COUNT {n + 1} STREAMS {k} 0', f'XINFO STREAM {k}',
             f'XINFO STREAM {k} FULL', f'TYPE {k}', f'EXISTS {k}', 'DEL x2', 'COPY x2 k1 REPLACE']
    pick = rng.random()
    kind = add if pick < 0.4 else groups if pick < 0.55 else reads if pick < 0.8 else other
    return rng.choice(kind)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', required=True)
    ap.add_argument('--streams', type=int, default=40)
    ap.add_argument('--length', type=int, default=400)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory(prefix='diff_random.') as tmp:
        files = []
        for i in range(args.streams):
            rng = random.Random(args.seed + i)
            lines = ['# seed %d' % (args.seed + i)]
            if i % 2:
                lines += ['!shape', 'HELLO 3']
            share = 0.9 if i % 4 == 3 else 0.1
            for _ in range(args.length):
                lines += ['!stream-ids', stream_command(rng) if rng.random() < share else command(rng)]
            path = os.path.join(tmp, 'stream%03d.txt' % i)
            with open(path, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            files.append(path)
        return subprocess.call([sys.executable, os.path.join(here, 'diffcheck.py'), '--server', args.server] + files)


if __name__ == '__main__':
    sys.exit(main())
