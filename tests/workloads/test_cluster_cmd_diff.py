#!/usr/bin/python3
"""CLUSTER subcommands, ASKING, READONLY and READWRITE compared byte for
byte (after normalising what differs by nature) between the server in
$MINIRED_SERVER and a redis-server 7.0, both started as cluster nodes.

Both start from the same nodes.conf: the same node id for myself and two
peers that never answer (one primary, one replica), so replies name the
same nodes. What may differ is normalised before comparing: each server's
own ports, the ping/pong times of CLUSTER NODES lines (bus timing), the
order of nodes (dict order: lines sorted, shards sorted), and the
bus message counters of CLUSTER INFO. Everything else (texts, errors,
RESP2 and RESP3 types, slot lists, epochs) must be equal. Prints one
Check-style summary line for tests/tally.sh; servers are started on free
ports and stopped by PID.
"""

import os
import re
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'utils'))
import diffcheck  # noqa: E402

ME = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1'
B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2'
C = 'ccccccccccccccccccccccccccccccccccccccc3'
NODES_CONF = (
    ME + ' 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-99\n'
    + B + ' 127.0.0.1:1@11 master - 0 0 2 connected 100-199\n'
    + C + ' 127.0.0.1:2@12 slave ' + B + ' 0 0 2 connected\n'
    'vars currentEpoch 2 lastVoteEpoch 0\n')

# One command per line, run in order on both servers.
CASES = '''
CLUSTER MYID
CLUSTER INFO
CLUSTER NODES
CLUSTER SLOTS
CLUSTER SHARDS
CLUSTER HELP
CLUSTER KEYSLOT foo
CLUSTER KEYSLOT {user1}:x
CLUSTER KEYSLOT {}x
CLUSTER COUNTKEYSINSLOT 1
CLUSTER COUNTKEYSINSLOT -1
CLUSTER COUNTKEYSINSLOT 16384
CLUSTER COUNTKEYSINSLOT x
CLUSTER GETKEYSINSLOT 1 1
CLUSTER GETKEYSINSLOT 1 -1
CLUSTER GETKEYSINSLOT x 1
CLUSTER GETKEYSINSLOT 1 x
CLUSTER GETKEYSINSLOT 16384 1
CLUSTER REPLICAS B
CLUSTER SLAVES B
CLUSTER REPLICAS C
CLUSTER REPLICAS ME
CLUSTER REPLICAS zzz
CLUSTER COUNT-FAILURE-REPORTS B
CLUSTER COUNT-FAILURE-REPORTS zzz
CLUSTER ADDSLOTS abc
CLUSTER ADDSLOTS 16384
CLUSTER ADDSLOTS 1
CLUSTER ADDSLOTS 100
CLUSTER ADDSLOTS 300 300
CLUSTER ADDSLOTS 300 301 302
CLUSTER ADDSLOTSRANGE 1
CLUSTER ADDSLOTSRANGE 5 4
CLUSTER ADDSLOTSRANGE 400 500 abc 13
CLUSTER ADDSLOTSRANGE 400 500 600 550
CLUSTER ADDSLOTSRANGE 400 500 450 460
CLUSTER ADDSLOTSRANGE 400 500 1000 1100
CLUSTER DELSLOTS 2000
CLUSTER DELSLOTS 300 300
CLUSTER DELSLOTS 302
CLUSTER DELSLOTSRANGE 1050 1060 2000 2001
CLUSTER DELSLOTSRANGE 1050 1060
CLUSTER DELSLOTSRANGE 2 1
CLUSTER NODES
CLUSTER SLOTS
CLUSTER SHARDS
CLUSTER INFO
CLUSTER SETSLOT 5
CLUSTER SETSLOT abc stable
CLUSTER SETSLOT 5 foo
CLUSTER SETSLOT 5 stable x
CLUSTER SETSLOT 5 importing B
CLUSTER SETSLOT 150 importing C
CLUSTER SETSLOT 150 migrating B
CLUSTER SETSLOT 5 migrating C
CLUSTER SETSLOT 5 migrating zzz
CLUSTER SETSLOT 5 node zzz
CLUSTER SETSLOT 5 node C
CLUSTER SETSLOT 5 migrating B
CLUSTER SETSLOT 6 migrating B
CLUSTER SETSLOT 150 importing B
CLUSTER SETSLOT 3000 importing ME
CLUSTER NODES
CLUSTER SETSLOT 6 node B
CLUSTER SETSLOT 150 node ME
CLUSTER SETSLOT 3000 stable
CLUSTER NODES
CLUSTER INFO
CLUSTER BUMPEPOCH
CLUSTER SET-CONFIG-EPOCH 9
CLUSTER SET-CONFIG-EPOCH -1
CLUSTER SET-CONFIG-EPOCH x
CLUSTER MEET 127.0.0.1
CLUSTER MEET 127.0.0.1 abc
CLUSTER MEET 127.0.0.1 7399 abc
CLUSTER MEET 1.2.3.4.5 7399
CLUSTER MEET localhost 7399
CLUSTER MEET 127.0.0.1 70000
CLUSTER MEET 127.0.0.1 0
CLUSTER MEET 127.0.0.1 7399 0
CLUSTER MEET 127.0.0.1 7399 17399 x
CLUSTER FORGET zzz
CLUSTER FORGET ME
CLUSTER REPLICATE zzz
CLUSTER REPLICATE ME
CLUSTER REPLICATE C
CLUSTER REPLICATE B
CLUSTER FAILOVER foo
CLUSTER FAILOVER force x
CLUSTER FAILOVER
CLUSTER FAILOVER TAKEOVER
CLUSTER RESET foo
CLUSTER RESET hard x
CLUSTER SAVECONFIG x
CLUSTER FLUSHSLOTS x
ASKING
READONLY
READWRITE
ASKING x
CLUSTER FORGET C
CLUSTER FORGET C
CLUSTER NODES
CLUSTER INFO
CLUSTER FLUSHSLOTS
CLUSTER REPLICATE B
CLUSTER NODES
CLUSTER INFO
CLUSTER SLOTS
CLUSTER REPLICAS B
CLUSTER FORGET B
CLUSTER SETSLOT 1 stable
CLUSTER SET-CONFIG-EPOCH 9
CLUSTER RESET SOFT
CLUSTER NODES
CLUSTER INFO
CLUSTER SLOTS
CLUSTER SHARDS
'''

NAMES = {'ME': ME, 'B': B, 'C': C}
CLOCK_RE = re.compile(rb'^(\S+ \S+ \S+ \S+) \d+ \d+ ')
STATS_RE = re.compile(rb'^cluster_stats_messages_\S+\r?$')


def normalise_text(text, port, cport):
    """CLUSTER NODES / INFO text: own ports, ping/pong times, node order,
    bus counters."""
    text = text.replace(b':%d@%d' % (port, cport), b':<port>@<cport>')
    lines = []
    for line in text.split(b'\n'):
        if STATS_RE.match(line):
            continue
        lines.append(CLOCK_RE.sub(rb'\1 <ping> <pong> ', line))
    if b'cluster_state:' not in text:
        lines.sort()
    return b'\n'.join(lines)


def normalise(tree, port, cport, sort_top=False):
    """A reply tree with own ports and bus timing normalised; sort_top:
    its top-level elements sorted (SHARDS lists primaries in dict order)."""
    kind, payload = tree
    if isinstance(payload, list):
        items = [normalise(item, port, cport) for item in payload]
        if sort_top:
            items.sort(key=repr)
        return (kind, items)
    if kind == ':' and payload == b'%d' % port:
        return (kind, b'<port>')
    if kind == '=' and isinstance(payload, bytes):   # verbatim: "txt:" then the text
        return (kind, payload[:4] + normalise_text(payload[4:], port, cport))
    if kind in '$+' and isinstance(payload, bytes):
        return (kind, normalise_text(payload, port, cport))
    return tree


def start(name, binary, tmp):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'nodes.conf'), 'w') as f:
        f.write(NODES_CONF)
    cport = diffcheck.free_port()
    srv = diffcheck.Server(name, binary, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf',
                                          '--cluster-port', str(cport), '--cluster-node-timeout', '60000'], tmp)
    srv.cport = cport
    return srv


def run(servers, resp):
    conns = [diffcheck.Conn('127.0.0.1', s.port) for s in servers]
    checks = failures = 0
    try:
        if resp == 3:
            for conn in conns:
                conn.send(diffcheck.encode_command([b'HELLO', b'3']))
                conn.read_reply()
        for line in CASES.strip().split('\n'):
            words = [NAMES.get(w, w).encode() for w in line.split(' ')]
            got = []
            for conn, srv in zip(conns, servers):
                conn.send(diffcheck.encode_command(words))
                raw, tree = conn.read_reply()
                got.append(normalise(tree, srv.port, srv.cport, line == 'CLUSTER SHARDS') if tree else raw)
            checks += 1
            if got[0] != got[1]:
                failures += 1
                print('FAIL (RESP%d) %s\n  minired: %r\n  redis:   %r' % (resp, line, got[0], got[1]))
    finally:
        for conn in conns:
            conn.close()
    return checks, failures


def main():
    binary = os.environ.get('MINIRED_SERVER')
    if not binary or shutil.which('redis-server') is None:
        print('MINIRED_SERVER unset or redis-server missing: nothing to compare with')
        print('0%: Checks: 1, Failures: 0, Errors: 1')
        return 1
    checks = failures = 0
    for resp in (2, 3):
        tmp = tempfile.mkdtemp(prefix='itest-clcmd-')
        servers = []
        try:
            for name, exe in (('minired', binary), ('redis', 'redis-server')):
                servers.append(start(name, exe, tmp))
            for srv in servers:
                srv.wait_ready()
            c, f = run(servers, resp)
            checks, failures = checks + c, failures + f
        finally:
            for srv in servers:
                srv.stop()
            shutil.rmtree(tmp, ignore_errors=True)
    pct = 100 * (checks - failures) // max(checks, 1)
    print('%d%%: Checks: %d, Failures: %d, Errors: 0' % (pct, checks, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
