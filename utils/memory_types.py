#!/usr/bin/env python3
"""memory_types.py -- resident memory of one N-element collection of each
type (list, hash, set, sorted set) in minired and in redis-server.

`small-lists` is N/10 lists of 5 short elements each (100,000 for the
default N), the per-list overhead: Redis 7.0 keeps every list as a
quicklist, so this compares node and header sizes.

`list-lzf` is the list-compress-depth bar: N 100-byte JSON records (the
same field names in each, so nodes compress) pushed with
list-compress-depth 1 on both servers; the final RSS is shown too.

For each type and server: start the server fresh, read VmRSS, pipeline N
RPUSH / HSET / SADD / ZADD commands into one key, read VmRSS again; the
difference is reported in MB, with the final RSS and INFO's used_memory.

    python3 utils/memory_types.py --server build/epoll/minired-server [--redis redis-server] [-n 1000000]
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

BATCH = 2000
START_WAIT_S = 0.5


def rss_kb(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS'):
                return int(line.split()[1])
    return 0


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def encode(args):
    return b'*%d\r\n' % len(args) + b''.join(b'$%d\r\n%s\r\n' % (len(a), a) for a in args)


def fill(port, make, n):
    s = socket.create_connection(('127.0.0.1', port))
    for i in range(0, n, BATCH):
        s.sendall(b''.join(encode(make(j)) for j in range(i, min(n, i + BATCH))))
    s.sendall(b'PING\r\n')
    data = b''
    while not data.endswith(b'+PONG\r\n'):
        data += s.recv(1 << 20)
    s.close()


def info_field(port, name):
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(encode((b'INFO', b'memory')))
    data = b''
    while b'\r\n' not in data or len(data) < int(data.split(b'\r\n')[0][1:]) + 2:
        data += s.recv(1 << 20)
    s.close()
    m = re.search(rb'\r\n' + name + rb':(\d+)', data)
    return int(m.group(1)) if m else 0


def json_record(i):
    """A 100-byte JSON record whose field names repeat from record to record."""
    rec = b'{"id":%07d,"user":"user%07d","email":"u%07d@example.com","active":true,"score":%05d}' % (
        i, i, i, i % 100000)
    return rec + b' ' * (100 - len(rec))


TYPES = {
    'list': lambda i: (b'RPUSH', b'k', b'value:%d' % i),
    'list-lzf': lambda i: (b'RPUSH', b'k', json_record(i)),
    'small-lists': lambda i: (b'RPUSH', b'l:%d' % i, b'a1', b'b2', b'c3', b'd4', b'e5'),
    'hash': lambda i: (b'HSET', b'k', b'field:%d' % i, b'value:%d' % i),
    'set': lambda i: (b'SADD', b'k', b'member:%d' % i),
    'zset': lambda i: (b'ZADD', b'k', b'%d' % i, b'member:%d' % i),
}


EXTRA_ARGS = {'list-lzf': ['--list-compress-depth', '1']}
# Commands sent for a type are n // DIVISOR (one per key for small-lists).
DIVISOR = {'small-lists': 10}


def measure(binary, name, n):
    """Returns (RSS growth, final RSS, used_memory) in MB."""
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.Popen([binary, '--port', str(port), '--save', '', '--dir', d] + EXTRA_ARGS.get(name, []),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(START_WAIT_S)
            before = rss_kb(p.pid)
            fill(port, TYPES[name], n // DIVISOR.get(name, 1))
            after = rss_kb(p.pid)
            used = info_field(port, b'used_memory')
            return (after - before) / 1024, after / 1024, used / 1048576
        finally:
            p.terminate()
            p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', required=True)
    ap.add_argument('--redis', default='redis-server')
    ap.add_argument('-n', type=int, default=1000000)
    ap.add_argument('--types', default=','.join(TYPES), help='comma-separated subset of ' + ','.join(TYPES))
    args = ap.parse_args()
    print('%-11s %10s %9s %6s %11s %9s %12s %10s' % ('type', 'minired MB', 'redis MB', 'ratio', 'minired RSS',
                                                      'redis RSS', 'minired used', 'redis used'))
    for name in args.types.split(','):
        m, mt, mu = measure(os.path.abspath(args.server), name, args.n)
        r, rt, ru = measure(args.redis, name, args.n)
        print('%-11s %10.1f %9.1f %5.2fx %11.1f %9.1f %12.1f %10.1f' % (name, m, r, m / r if r else 0, mt, rt, mu, ru))
    return 0


if __name__ == '__main__':
    sys.exit(main())
