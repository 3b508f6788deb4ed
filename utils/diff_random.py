#!/usr/bin/env python3
"""diff_random.py -- randomized differential test: random command streams
over a small keyspace of every type, replayed on minired and redis-server by
utils/diffcheck.py, which compares every raw reply.

Only deterministic commands are generated: no random picks (SPOP,
SRANDMEMBER...), no KEYS/SCAN (table order), and set members are integers
so sets stay intsets and list in sorted order. Half the streams run in
RESP3.

    python3 utils/diff_random.py --server build/epoll/minired-server [--streams 40] [--length 400] [--seed 1]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

KEYS = ['k1', 'k2', 'k3', 'l1', 'l2', 'h1', 's1', 's2', 'z1', 'z2']
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
            lines += [command(rng) for _ in range(args.length)]
            path = os.path.join(tmp, 'stream%03d.txt' % i)
            with open(path, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            files.append(path)
        return subprocess.call([sys.executable, os.path.join(here, 'diffcheck.py'), '--server', args.server] + files)


if __name__ == '__main__':
    sys.exit(main())
