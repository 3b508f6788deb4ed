#!/usr/bin/env python3
"""hll_random.py -- randomized HyperLogLog comparison, minired vs. Redis 7.0.

PFADDs random elements (random lengths, binary bytes, repeats) in random
batches to a few keys on both servers, now and then PFMERGEs, PFCOUNTs
several keys, converts with PFDEBUG TODENSE, changes hll-sparse-max-bytes
copies a value from Redis to minired with SET, SETs corrupted copies (bytes
changed, cut, added) and runs every command on them, and after every step
compares the raw replies and the exact bytes of every key (GET), so the
sparse opcode sequences, promotions, cached counts and estimates must all
match Redis's byte for byte. Big rounds push one key to 10^5-10^6
elements to compare the estimator far from the small-range corner.

    python3 utils/hll_random.py --server build/epoll/minired-server [--rounds 30] [--seed 1]
    python3 utils/hll_random.py --minired-port 7502 --redis-port 7501

Standard library only; servers it starts are killed by PID on exit.
Exit status 1 on the first difference (printed with the seed and step).
"""
import argparse
import os
import random
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diffcheck import Conn, Server, encode_command  # noqa: E402

KEYS = [b'h1', b'h2', b'h3', b'h4']
PIPELINE_CHUNK = 2000  # PFADDs sent before reading their replies


class Pair:
    """The same commands on both servers; every reply compared."""

    def __init__(self, mport, rport):
        self.m, self.r = Conn('127.0.0.1', mport), Conn('127.0.0.1', rport)
        self.step = 0
        self.last = b''

    def call(self, *args):
        self.step += 1
        self.last = b' '.join(a if isinstance(a, bytes) else str(a).encode() for a in args)[:200]
        data = encode_command([a if isinstance(a, bytes) else str(a).encode() for a in args])
        self.m.send(data)
        self.r.send(data)
        a, _ = self.m.read_reply()
        b, _ = self.r.read_reply()
        if a != b:
            raise AssertionError('step %d: %r\n  minired: %r\n  redis:   %r'
                                 % (self.step, self.last, a[:300], b[:300]))
        return a

    def pipeline(self, cmds):
        """Sends many commands, then compares all replies in order."""
        for i in range(0, len(cmds), PIPELINE_CHUNK):
            chunk = cmds[i:i + PIPELINE_CHUNK]
            data = b''.join(encode_command(c) for c in chunk)
            self.m.send(data)
            self.r.send(data)
            for c in chunk:
                self.step += 1
                a, _ = self.m.read_reply()
                b, _ = self.r.read_reply()
                if a != b:
                    raise AssertionError('step %d: %r\n  minired: %r\n  redis:   %r'
                                         % (self.step, b' '.join(c)[:200], a[:300], b[:300]))

    def check_keys(self):
        for k in KEYS:
            self.call(b'GET', k)


def element(rng):
    kind = rng.random()
    if kind < 0.5:
        return str(rng.randint(0, 10 ** rng.randint(1, 7))).encode()
    if kind < 0.8:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 20)))
    return b'e' * rng.randint(0, 40)


def small_round(p, rng):
    """Random small batches: sparse edits, promotions, merges, counts."""
    for _ in range(rng.randint(5, 40)):
        r = rng.random()
        k = rng.choice(KEYS)
        if r < 0.6:
            p.call(b'PFADD', k, *[element(rng) for _ in range(rng.randint(0, 30))])
        elif r < 0.7:
            p.call(b'PFCOUNT', k)
        elif r < 0.78:
            p.call(b'PFCOUNT', *rng.sample(KEYS, rng.randint(1, len(KEYS))))
        elif r < 0.86:
            p.call(b'PFMERGE', k, *rng.sample(KEYS, rng.randint(0, len(KEYS))))
        elif r < 0.9:
            p.call(b'PFDEBUG', b'TODENSE', k)
        elif r < 0.93:
            p.call(b'CONFIG', b'SET', b'hll-sparse-max-bytes', rng.choice([0, 20, 100, 300, 1000, 3000, 10000]))
        elif r < 0.96:
            p.call(b'DEL', k)
        else:
            p.call(b'PFDEBUG', b'ENCODING', k)
        p.check_keys()


def copy_from_redis(p, rng):
    """SET on minired the bytes Redis holds (and back): each must read the
    other's value the same way."""
    k = rng.choice(KEYS)
    p.r.send(encode_command([b'GET', k]))
    raw, tree = p.r.read_reply()
    if tree is None or tree[0] != '$' or tree[1] is None:
        return
    value = tree[1]
    p.call(b'SET', b'copy', value)
    p.call(b'PFCOUNT', b'copy')
    p.call(b'PFADD', b'copy', element(rng), element(rng))
    p.call(b'GET', b'copy')
    p.call(b'PFCOUNT', b'copy', k)


def corrupt_round(p, rng):
    """A sparse value from Redis with random bytes changed, cut or added:
    both servers must refuse or accept it alike, and never crash."""
    k = rng.choice(KEYS)
    p.r.send(encode_command([b'GET', k]))
    raw, tree = p.r.read_reply()
    if tree is None or tree[0] != '$' or tree[1] is None or len(tree[1]) < 16 or tree[1][4] != 1:
        return
    v = bytearray(tree[1])
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if r < 0.5 and len(v) > 16:
            v[rng.randrange(16, len(v))] = rng.getrandbits(8)
        elif r < 0.7 and len(v) > 17:
            del v[rng.randrange(16, len(v)):]
        elif r < 0.9:
            v += bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 3)))
        else:
            v[15] &= 0x7f  # a "valid" cache over a corrupt body
    p.call(b'SET', b'bad', bytes(v))
    for cmd in ([b'PFCOUNT', b'bad'], [b'PFCOUNT', b'bad', k], [b'PFDEBUG', b'DECODE', b'bad'],
                [b'PFADD', b'bad', element(rng), element(rng)], [b'PFMERGE', b'badm', b'bad'],
                [b'PFMERGE', b'bad', k], [b'PFDEBUG', b'TODENSE', b'bad'], [b'PFDEBUG', b'GETREG', b'bad'],
                [b'GET', b'bad'], [b'GET', b'badm']):
        p.call(*cmd)
    p.call(b'DEL', b'bad', b'badm')


def big_round(p, rng):
    """One key grown to a large cardinality, counted at checkpoints."""
    n = rng.choice([2000, 20000, 100000, 300000])
    k = rng.choice(KEYS)
    base = rng.getrandbits(32)
    added = 0
    while added < n:
        batch = rng.randint(1, 5000)
        cmds = []
        for i in range(added, min(n, added + batch), 50):
            cmds.append([b'PFADD', k] + [b'%d:%d' % (base, j) for j in range(i, min(i + 50, n))])
        p.pipeline(cmds)
        added = min(n, added + batch)
        p.call(b'PFCOUNT', k)
    p.call(b'GET', k)
    p.call(b'PFCOUNT', *KEYS)


def run(mport, rport, rounds, seed):
    p = Pair(mport, rport)
    p.call(b'FLUSHALL')
    p.call(b'CONFIG', b'SET', b'hll-sparse-max-bytes', b'3000')
    for i in range(rounds):
        rng = random.Random(seed + i)
        small_round(p, rng)
        copy_from_redis(p, rng)
        for _ in range(10):
            corrupt_round(p, rng)
        if i % 5 == 4:
            big_round(p, rng)
        if i % 10 == 9:
            p.call(b'FLUSHALL')
    return p.step


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', help='minired binary to start')
    ap.add_argument('--redis', default='redis-server')
    ap.add_argument('--minired-port', type=int)
    ap.add_argument('--redis-port', type=int)
    ap.add_argument('--rounds', type=int, default=30)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    servers = []
    try:
        with tempfile.TemporaryDirectory(prefix='hll_random.') as tmp:
            if args.server:
                servers = [Server('minired', args.server, [], tmp), Server('redis', args.redis, [], tmp)]
                for s in servers:
                    s.wait_ready()
                mport, rport = servers[0].port, servers[1].port
            else:
                mport, rport = args.minired_port, args.redis_port
            try:
                steps = run(mport, rport, args.rounds, args.seed)
            except AssertionError as e:
                print('hll_random: FAIL (seed %d) %s' % (args.seed, e))
                return 1
            print('hll_random: PASS (%d rounds, %d commands, seed %d)' % (args.rounds, steps, args.seed))
            return 0
    finally:
        for s in servers:
            s.stop()


if __name__ == '__main__':
    sys.exit(main())
