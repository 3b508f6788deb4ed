#!/usr/bin/env python3
"""diff_lists.py -- randomized differential check of compressed lists:
minired against redis-server, reply for reply and DUMP for DUMP.

Each round starts both servers with a list-compress-depth (1..3), a small
list-max-listpack-size and sometimes a small packed threshold (PLAIN
nodes), then runs random LPUSH / RPUSH / LINSERT / LSET / LREM / LTRIM /
LPOP / RPOP / LMOVE / LINDEX / LRANGE / LPOS on a few keys. Every reply
must be equal; every few operations DUMP of each key (node boundaries,
which nodes are LZF-compressed and their bytes) and the quicklist fields
of DEBUG OBJECT must be equal too. Values mix compressible text, short
strings and integers, so nodes straddle the 48-byte compression floor and
the 8-byte gain rule.

    python3 utils/diff_lists.py --server build/epoll/minired-server [--rounds 12] [--ops 400] [--seed N]

Exits 1 at the first difference, printing the seed and the operations of
that round (enough to replay it by hand).
"""
import argparse
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time

KEYS = [b'la', b'lb', b'lc']
CHECK_EVERY_OPS = 4
START_TIMEOUT_S = 5.0


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.buf = b''

    def _fill(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise ConnectionError('server closed the connection')
        self.buf += data

    def _line(self):
        while b'\r\n' not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def _reply(self):
        """Returns the raw bytes of one reply (nested ones included)."""
        line = self._line()
        out = line + b'\r\n'
        t = line[:1]
        if t == b'$':
            n = int(line[1:])
            if n >= 0:
                while len(self.buf) < n + 2:
                    self._fill()
                out += self.buf[:n + 2]
                self.buf = self.buf[n + 2:]
        elif t == b'*':
            for _ in range(max(int(line[1:]), 0)):
                out += self._reply()
        return out

    def call(self, *args):
        args = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        self.sock.sendall(b'*%d\r\n' % len(args) + b''.join(b'$%d\r\n%s\r\n' % (len(a), a) for a in args))
        return self._reply()


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(binary, d, extra):
    port = free_port()
    p = subprocess.Popen([binary, '--port', str(port), '--bind', '127.0.0.1', '--save', '', '--dir', d,
                          '--enable-debug-command', 'yes'] + extra,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + START_TIMEOUT_S
    while time.time() < deadline:
        try:
            return p, Conn(port)
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise RuntimeError('%s did not start' % binary)


def value(rng, big):
    k = rng.random()
    if k < 0.2:
        return b'%d' % rng.randint(-1000, 100000)
    if k < 0.45:
        return b'v%d' % rng.randint(0, 50)
    if big and k < 0.6:  # around the packed threshold: PLAIN nodes
        return (b'P%d-' % rng.randint(0, 9)) * rng.randint(6, 30)
    # compressible text of 10..120 bytes
    rec = b'{"id":%d,"name":"user%d","role":"member"}' % (rng.randint(0, 999), rng.randint(0, 99))
    return (rec * 3)[:rng.randint(10, 120)]


def random_op(rng, big):
    key = rng.choice(KEYS)
    v = lambda: value(rng, big)
    idx = lambda: rng.randint(-12, 40)
    op = rng.random()
    if op < 0.25:
        return [rng.choice([b'LPUSH', b'RPUSH']), key] + [v() for _ in range(rng.randint(1, 6))]
    if op < 0.35:
        return [b'LINSERT', key, rng.choice([b'BEFORE', b'AFTER']), value(rng, big) if rng.random() < 0.3 else
                rng.choice([b'v1', b'v2', b'5', b'v7']), v()]
    if op < 0.45:
        return [b'LSET', key, idx(), v()]
    if op < 0.52:
        return [b'LREM', key, rng.randint(-3, 3), rng.choice([b'v1', b'v2', b'v3', b'7'])]
    if op < 0.57:
        return [b'LTRIM', key, rng.randint(-5, 5), rng.randint(-3, 60)]
    if op < 0.67:
        return [rng.choice([b'LPOP', b'RPOP']), key] + ([b'%d' % rng.randint(1, 4)] if rng.random() < 0.3 else [])
    if op < 0.74:
        return [b'LMOVE', key, rng.choice(KEYS), rng.choice([b'LEFT', b'RIGHT']), rng.choice([b'LEFT', b'RIGHT'])]
    if op < 0.84:
        return [b'LINDEX', key, idx()]
    if op < 0.94:
        return [b'LRANGE', key, rng.randint(-20, 20), rng.randint(-20, 60)]
    return [b'LPOS', key, rng.choice([b'v1', b'v2', b'5']), b'RANK', rng.choice([b'1', b'-1', b'2']), b'COUNT', b'0']


QL_FIELDS = re.compile(rb' (serializedlength|ql_nodes|ql_avg_node|ql_listpack_max|ql_compressed|'
                       rb'ql_uncompressed_size):(\S+)')


def state(conn):
    """What must be equal after some operations: DUMP bytes and quicklist fields."""
    out = []
    for k in KEYS:
        out.append((k, conn.call(b'DUMP', k)))
        obj = conn.call(b'DEBUG', b'OBJECT', k)
        out.append((k, b' '.join(b'%s:%s' % m for m in QL_FIELDS.findall(obj))))
    return out


def run_round(binary, redis, rng, ops, log):
    depth = rng.randint(1, 3)
    fill = rng.choice([2, 3, 4, 5, 8, -1])
    big = rng.random() < 0.4
    extra = ['--list-compress-depth', str(depth), '--list-max-listpack-size', str(fill)]
    log.append('# depth %d fill %d plain %s' % (depth, fill, big))
    with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
        servers = [start(binary, d1, extra), start(redis, d2, extra)]
        try:
            conns = [c for _, c in servers]
            if big:
                for c in conns:
                    c.call(b'DEBUG', b'QUICKLIST-PACKED-THRESHOLD', b'60')
            for i in range(ops):
                cmd = random_op(rng, big)
                log.append(' '.join(repr(a if isinstance(a, bytes) else b'%d' % a)[1:] for a in cmd))
                r = [c.call(*cmd) for c in conns]
                if r[0] != r[1]:
                    return 'reply differs:\n  minired %r\n  redis   %r' % (r[0], r[1])
                if i % CHECK_EVERY_OPS == CHECK_EVERY_OPS - 1 or i == ops - 1:
                    s = [state(c) for c in conns]
                    if s[0] != s[1]:
                        for a, b in zip(*s):
                            if a != b:
                                return 'state of %s differs:\n  minired %r\n  redis   %r' % (a[0].decode(), a[1],
                                                                                         b[1])
            r = [c.call(b'DEBUG', b'RELOAD') for c in conns]
            s = [state(c) for c in conns]
            if r[0] != r[1] or s[0] != s[1]:
                return 'after DEBUG RELOAD:\n  minired %r\n  redis   %r' % (s[0], s[1])
            return None
        finally:
            for p, _ in servers:
                p.kill()
                p.wait()


def main():
    global CHECK_EVERY_OPS
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', required=True)
    ap.add_argument('--redis', default='redis-server')
    ap.add_argument('--rounds', type=int, default=12)
    ap.add_argument('--ops', type=int, default=400)
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--check-every', type=int, default=4, help='operations between DUMP checks')
    args = ap.parse_args()
    CHECK_EVERY_OPS = args.check_every
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    binary = os.path.abspath(args.server)
    for rnd in range(args.rounds):
        log = []
        err = run_round(binary, args.redis, rng, args.ops, log)
        if err:
            print('diff_lists: seed %d round %d: %s' % (seed, rnd, err))
            print('\n'.join(log[:1] + log[-40:]))
            return 1
    print('diff_lists: %d rounds of %d operations equal (seed %d)' % (args.rounds, args.ops, seed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
