#!/usr/bin/env python3
"""chaos.py -- bounded robustness run: random commands with hostile
arguments (huge and negative numbers, NaN, globs, NULs, long strings) and
random raw bytes, from several clients at once, against a running server;
the server must answer PING afterwards. Run it against a sanitizer build
and read the server's log for reports.

    python3 utils/chaos.py --port 7000 [--clients 3] [--seconds 60] [--seed 1]

Blocking, administrative and shutdown commands are left out (they would
stall the clients or stop the server); everything else that COMMAND LIST
names is fair game.
"""
import argparse
import random
import socket
import sys
import threading
import time

EXCLUDED_PREFIXES = ('shutdown', 'debug', 'monitor', 'client', 'config', 'flushall', 'flushdb', 'quit',
                     'reset', 'blpop', 'brpop', 'blmove', 'brpoplpush', 'blmpop', 'bzpopmin', 'bzpopmax',
                     'bzmpop', 'latency', 'slowlog', 'multi', 'exec', 'watch', 'swapdb', 'select')
WORDS = ['0', '1', '-1', 'inf', '-inf', '+inf', 'nan', '9223372036854775807', '-9223372036854775808',
         '99999999999999999999', '', 'a', 'k', 'l', 'h', 's', 'z', '*', '?', '[a-', '\x00', 'LIMIT',
         'WITHSCORES', 'COUNT', 'MATCH', 'TYPE', 'BYSCORE', 'BYLEX', 'REV', 'NX', 'XX', 'GT', 'LT', 'CH',
         'INCR', 'EX', 'PX', 'KEEPTTL', 'GET', 'LEFT', 'RIGHT', 'BEFORE', 'AFTER', 'WEIGHTS', 'AGGREGATE',
         'SUM', 'MIN', 'MAX', '(1', '[a', '-', '+', '0.5', '1e300', '-0', '3', '2', '10', '100', 'ASYNC',
         'REPLACE', 'DB', 'IDX', 'LEN', 'OVERFLOW', 'SAT', 'FAIL', 'WRAP', 'i8', 'u63', 'i64', '#1', 'BYTE',
         'BIT', 'AND', 'OR', 'XOR', 'NOT']
RECV_WAIT_S = 0.05
GARBAGE_SHARE = 0.02
LONG_ARG_SHARE = 0.1


def bulk(a):
    b = a.encode('latin1')
    return b'$%d\r\n%s\r\n' % (len(b), b)


def command_names(port):
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(b'*2\r\n$7\r\nCOMMAND\r\n$4\r\nLIST\r\n')
    data = b''
    s.settimeout(2)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    except socket.timeout:
        pass
    s.close()
    names = [w.decode() for w in data.split(b'\r\n') if w and w[:1] not in (b'*', b'$')]
    return [n for n in names if '|' not in n and not n.startswith(EXCLUDED_PREFIXES)]


def worker(port, seed, seconds, names, counts):
    rng = random.Random(seed)
    end = time.time() + seconds
    sent = 0
    conn = socket.create_connection(('127.0.0.1', port))
    conn.settimeout(RECV_WAIT_S)
    while time.time() < end:
        if rng.random() < GARBAGE_SHARE:
            g = socket.create_connection(('127.0.0.1', port))
            try:
                g.sendall(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
            except OSError:
                pass
            g.close()
        else:
            args = [rng.choice(WORDS) for _ in range(rng.randrange(0, 7))]
            if rng.random() < LONG_ARG_SHARE:
                args.append('x' * rng.randrange(0, 3000))
            req = b'*%d\r\n' % (len(args) + 1) + bulk(rng.choice(names)) + b''.join(bulk(a) for a in args)
            try:
                conn.sendall(req)
                try:
                    if conn.recv(1 << 20) == b'':
                        raise ConnectionError()
                except socket.timeout:
                    pass
            except OSError:
                conn.close()
                conn = socket.create_connection(('127.0.0.1', port))
                conn.settimeout(RECV_WAIT_S)
        sent += 1
    conn.close()
    counts.append(sent)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--clients', type=int, default=3)
    ap.add_argument('--seconds', type=float, default=60)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    names = command_names(args.port)
    counts = []
    threads = [threading.Thread(target=worker, args=(args.port, args.seed + i, args.seconds, names, counts))
               for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s = socket.create_connection(('127.0.0.1', args.port))
    s.settimeout(5)
    s.sendall(b'PING\r\n')
    alive = s.recv(64) == b'+PONG\r\n'
    print('chaos: %d requests over %d commands; server %s' % (sum(counts), len(names),
                                                             'answers PING' if alive else 'DID NOT ANSWER'))
    return 0 if alive else 1


if __name__ == '__main__':
    sys.exit(main())
