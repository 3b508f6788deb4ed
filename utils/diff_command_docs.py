#!/usr/bin/env python3
"""diff_command_docs.py -- COMMAND DOCS <cmd> and COMMAND INFO <cmd> for
EVERY command and subcommand minired lists (COMMAND LIST), compared with
redis-server's replies, in RESP2 and in RESP3.

Replies must be equal byte for byte, except in one respect: Redis lists a
container's subcommands in its dict order, which changes with each start
(hash seed), so subcommand lists are compared as sets of entries (each
entry itself exactly). Commands Redis does not have (minired-only ones,
7.2's) are skipped, and so are Redis's that minired lacks, also inside
their container's reply; both are named at the end.

    python3 utils/diff_command_docs.py --server build/epoll/minired-server
    python3 utils/diff_command_docs.py --minired-port 7202 --redis-port 7201

Exit status 1 if any reply differs.
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffcheck  # noqa: E402


def ask(conn, *args):
    conn.send(diffcheck.encode_command([a.encode() for a in args]))
    return conn.read_reply()


def _is_sub_info(item):
    """A COMMAND INFO entry of a subcommand: an array named "x|y"."""
    kind, payload = item
    return (kind == '*' and isinstance(payload, list) and payload and payload[0][0] == '$'
            and b'|' in (payload[0][1] or b''))


def canonical(tree, skip=frozenset()):
    """tree with subcommand lists in a fixed order, less the subcommands
    named in skip (minired's, unknown to Redis); nothing else changed."""
    kind, payload = tree
    if not isinstance(payload, list):
        return tree
    items = [canonical(x, skip) for x in payload]
    for i in range(len(items) - 1):
        # COMMAND DOCS: "subcommands" -> map of name, doc (flat in RESP2).
        if items[i] == ('$', b'subcommands') and isinstance(items[i + 1][1], list):
            sub_kind, sub = items[i + 1]
            pairs = sorted((sub[j], sub[j + 1]) for j in range(0, len(sub), 2)
                           if sub[j][1].decode() not in skip)
            items[i + 1] = (sub_kind, [x for p in pairs for x in p])
    # COMMAND INFO: the subcommands array of a container.
    if items and all(_is_sub_info(x) for x in items):
        items = sorted((x for x in items if x[1][0][1].decode() not in skip), key=repr)
    return (kind, items)


def names_of(conn):
    raw, tree = ask(conn, 'COMMAND', 'LIST')
    return {x[1].decode() for x in tree[1]}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server')
    ap.add_argument('--redis', default='redis-server')
    ap.add_argument('--minired-port', type=int)
    ap.add_argument('--redis-port', type=int)
    ap.add_argument('-v', '--verbose', action='store_true')
    opts = ap.parse_args(argv)
    servers, ports = [], {}
    tmp = tempfile.mkdtemp(prefix='diffdocs-')
    try:
        for name, port, binary in (('minired', opts.minired_port, opts.server),
                                   ('redis', opts.redis_port, opts.redis)):
            if port is None:
                if binary is None:
                    sys.exit('diff_command_docs: give --server or --minired-port')
                srv = diffcheck.Server(name, binary, [], tmp)
                servers.append(srv)
                srv.wait_ready()
                port = srv.port
            ports[name] = port
        checked, failed = run(ports, opts.verbose)
        return 1 if failed else 0
    finally:
        for srv in servers:
            srv.stop()


def run(ports, verbose):
    """Compares every command on the servers at ports; returns (replies
    compared, replies that differ)."""
    mini = diffcheck.Conn('127.0.0.1', ports['minired'])
    redis = diffcheck.Conn('127.0.0.1', ports['redis'])
    ours, theirs = names_of(mini), names_of(redis)
    names = sorted(ours & theirs)
    only = frozenset(ours - theirs)
    missing = frozenset(theirs - ours)
    failed = checked = 0
    for proto in ('2', '3'):
        ask(mini, 'HELLO', proto)
        ask(redis, 'HELLO', proto)
        for name in names:
            for sub in ('DOCS', 'INFO'):
                a_raw, a = ask(mini, 'COMMAND', sub, name)
                b_raw, b = ask(redis, 'COMMAND', sub, name)
                checked += 1
                if a is not None and b is not None and canonical(a, only) == canonical(b, missing):
                    continue
                failed += 1
                print('FAIL RESP%s COMMAND %s %s' % (proto, sub, name))
                if verbose:
                    print('  minired: %r\n  redis:   %r' % (a_raw, b_raw))
    if only:
        print('skipped (not in Redis 7.0): %s' % ' '.join(sorted(only)))
    if missing:
        print('not in minired (not compared): %s' % ' '.join(sorted(missing)))
    print('diff_command_docs: %d replies compared, %d differ' % (checked, failed))
    return checked, failed


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
