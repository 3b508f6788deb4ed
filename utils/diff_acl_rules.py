#!/usr/bin/env python3
"""diff_acl_rules.py -- randomized ACL rule differential test: random
sequences of command rules (+cmd, -cmd, +@category, -@category,
+cmd|sub, +cmd|firstarg, allcommands, nocommands, reset) with key,
channel and password rules mixed in, given to ACL SETUSER in one call or
spread over several, on the root and in selectors (half the streams in
RESP3); ACL GETUSER and ACL LIST are then compared byte for byte by
utils/diffcheck.py (with !acl-rules: the single-command rules Redis prints
in its random dict order are sorted first).

What it checks is Redis 7.0's description of a user: the base (+@all /
-@all), the categories it best-fits, the single commands left over,
first-argument rules, patterns, that an error leaves the user as it was,
and what ACL DRYRUN answers for sample calls under those rules. Bounded: --streams files of --length SETUSER calls each.

    python3 utils/diff_acl_rules.py --server build/epoll/minired-server [--streams 10] [--length 60] [--seed 1]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

CATEGORIES = ['keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap',
              'hyperloglog', 'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous',
              'connection', 'transaction', 'scripting']
# Commands both servers have, a few containers and subcommands among them.
COMMANDS = ['get', 'set', 'del', 'hset', 'hget', 'lpush', 'lrange', 'zadd', 'sadd', 'smembers', 'incr',
            'expire', 'keys', 'scan', 'flushall', 'flushdb', 'info', 'ping', 'echo', 'auth', 'hello',
            'publish', 'subscribe', 'multi', 'exec', 'eval', 'evalsha', 'fcall', 'xadd', 'xread', 'pfadd',
            'geoadd', 'setbit', 'bitop', 'blpop', 'sort', 'debug', 'select', 'config', 'client', 'object',
            'xinfo', 'function', 'script', 'acl', 'memory', 'command', 'migrate', 'cluster', 'wait',
            'readonly', 'role']
SUBCOMMANDS = ['config|get', 'config|set', 'client|id', 'client|kill', 'client|list', 'object|encoding',
               'xinfo|stream', 'function|load', 'script|flush', 'acl|whoami', 'memory|usage',
               'command|docs', 'cluster|info', 'cluster|reset']
FIRST_ARGS = ['select|0', 'select|1', 'debug|object', 'debug|sleep', 'get|x']
WORDS = ['allcommands', 'nocommands', '+@all', '-@all']
# Key and channel rules, some of which fail after allkeys / allchannels.
PATTERNS = ['~k*', '~*', '%R~r*', '%W~w*', '%RW~x*', 'allkeys', 'resetkeys', '&c*', '&*', 'allchannels',
            'resetchannels', 'on', 'off', 'nopass', '>pw', 'resetpass']


# Calls ACL DRYRUN tries: keys read / written, channels, shard channels,
# patterns, first arguments, subcommands, scripts.
DRYRUN_CALLS = ['GET k1', 'GET s1', 'SET k1 v', 'SET r1 v', 'SET w1 v GET', 'HSET x1 f v', 'MGET k1 s1 r1',
                'COPY k1 w1', 'LMOVE k1 w1 LEFT RIGHT', 'PUBLISH c1 m', 'PUBLISH d1 m', 'SUBSCRIBE c1 d1',
                'PSUBSCRIBE c*', 'PSUBSCRIBE d*', 'SPUBLISH c1 m', 'SSUBSCRIBE c1', 'SELECT 0', 'SELECT 1',
                'DEBUG OBJECT k1', 'DEBUG SLEEP 0', 'CLIENT ID', 'CLIENT KILL ID 1', 'CONFIG GET maxmemory',
                'EVAL "return 1" 1 k1', 'SORT k1', 'FLUSHALL', 'PING', 'AUTH a b', 'OBJECT ENCODING k1',
                'XINFO STREAM s1', 'MEMORY USAGE r1', 'COMMAND DOCS get', 'FUNCTION LOAD x', 'KEYS *',
                'SORT k1 BY w*', 'SORT k1 GET r*', 'SORT_RO s1 BY nosort', 'GEORADIUS k1 0 0 1 km STORE w1',
                'BITOP AND w1 k1 r1', 'XREADGROUP GROUP g c STREAMS s1 >', 'BLMPOP 0 1 k1 LEFT',
                'ZUNIONSTORE w1 1 k1', 'PFCOUNT r1', 'SINTERCARD 1 r1', 'RENAME k1 w1', 'TYPE x1',
                'EVAL "return 1" 2 k1 w1', 'FCALL f 1 s1', 'UNSUBSCRIBE d1', 'PUBSUB CHANNELS', 'DEL k1 x1',
                'SET x1 v GET', 'GETEX k1', 'LCS k1 s1', 'XADD s1 * f v', 'MSET k1 v w1 v', 'WATCH k1']


def rule(rng):
    r = rng.random()
    if r < 0.35:
        return rng.choice('+-') + '@' + rng.choice(CATEGORIES)
    if r < 0.65:
        return rng.choice('+-') + rng.choice(COMMANDS)
    if r < 0.82:
        return rng.choice('+-') + rng.choice(SUBCOMMANDS)
    if r < 0.88:
        return '+' + rng.choice(FIRST_ARGS)
    if r < 0.94:
        return rng.choice(PATTERNS)
    return rng.choice(WORDS)


def setuser(rng, user):
    rules = [rule(rng) for _ in range(rng.randint(1, 8))]
    if rng.random() < 0.1:
        rules.insert(0, 'reset')
    if rng.random() < 0.15:
        inner = [rule(rng) for _ in range(rng.randint(1, 4))]
        inner = [r for r in inner if r not in ('on', 'off', 'nopass', '>pw', 'resetpass')]
        rules.append('(%s)' % ' '.join([rng.choice(['~s*', '%R~s*', '&c*', 'allkeys'])] + inner))
    if rng.random() < 0.1:
        rules.append('clearselectors')
    return 'ACL SETUSER %s %s' % (user, ' '.join('"%s"' % x for x in rules))


def stream(rng, length):
    users = ['u1', 'u2', 'u3']
    lines = []
    for _ in range(length):
        user = rng.choice(users)
        lines.append(setuser(rng, user))
        lines += ['!acl-rules', 'ACL GETUSER %s' % user]
        for _ in range(rng.randint(0, 3)):
            lines.append('ACL DRYRUN %s %s' % (user, rng.choice(DRYRUN_CALLS)))
        if rng.random() < 0.15:
            lines += ['!acl-rules', 'ACL LIST']
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', required=True)
    ap.add_argument('--streams', type=int, default=10)
    ap.add_argument('--length', type=int, default=60)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory(prefix='diff_acl_rules.') as tmp:
        files = []
        for i in range(args.streams):
            rng = random.Random(args.seed + i)
            lines = ['# seed %d' % (args.seed + i)]
            if i % 2:
                lines.append('HELLO 3')
            lines += stream(rng, args.length)
            lines += ['ACL DELUSER u1 u2 u3']
            path = os.path.join(tmp, 'acl%03d.txt' % i)
            with open(path, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            files.append(path)
        return subprocess.call([sys.executable, os.path.join(here, 'diffcheck.py'), '--server', args.server] + files)


if __name__ == '__main__':
    sys.exit(main())
