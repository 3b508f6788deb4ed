#!/usr/bin/env python3
"""memory_types.py -- resident memory of one N-element collection of each
type (list, hash, set, sorted set) in minired and in redis-server.

For each type and server: start the server fresh, read VmRSS, pipeline N
RPUSH / HSET / SADD / ZADD commands into one key, read VmRSS again; the
difference is reported in MB.

    python3 utils/memory_types.py --server build/epoll/minired-server [--redis redis-server] [-n 1000000]
"""
import argparse
import os
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


TYPES = {
    'list': lambda i: (b'RPUSH', b'k', b'value:%d' % i),
    'hash': lambda i: (b'HSET', b'k', b'field:%d' % i, b'value:%d' % i),
    'set': lambda i: (b'SADD', b'k', b'member:%d' % i),
    'zset': lambda i: (b'ZADD', b'k', b'%d' % i, b'member:%d' % i),
}


def measure(binary, make, n):
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.Popen([binary, '--port', str(port), '--save', '', '--dir', d],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(START_WAIT_S)
            before = rss_kb(p.pid)
            fill(port, make, n)
            return (rss_kb(p.pid) - before) / 1024
        finally:
            p.terminate()
            p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', required=True)
    ap.add_argument('--redis', default='redis-server')
    ap.add_argument('-n', type=int, default=1000000)
    args = ap.parse_args()
    print('%-6s %12s %12s %7s' % ('type', 'minired MB', 'redis MB', 'ratio'))
    for name, make in TYPES.items():
        m = measure(os.path.abspath(args.server), make, args.n)
        r = measure(args.redis, make, args.n)
        print('%-6s %12.1f %12.1f %6.2fx' % (name, m, r, m / r if r else 0))
    return 0


if __name__ == '__main__':
    sys.exit(main())
