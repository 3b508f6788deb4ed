"""cluster_lib: local Redis Clusters for the cluster tests and benches
(tests/workloads/test_cluster_*.py, utils/cluster_bench.py).

A Cluster is utils/cluster_setup.sh run with free ports and a state dir of
its own: N nodes of one binary (or minired and Redis alternating), joined
by `redis-cli --cluster create`, stopped by the PIDs the script recorded.
Around it: CLUSTER NODES parsed, `redis-cli --cluster check` and
`--cluster reshard` run and read, a node killed with SIGKILL, a replica's
promotion waited for. Standard library only; the RESP client is
repl_bench's Conn.
"""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from repl_bench import Conn  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SETUP = os.path.join(HERE, 'cluster_setup.sh')
DEFAULT_SERVER = os.path.join(REPO, 'build', 'epoll', 'minired-server')
BUS_OFFSET = 10000
SLOTS = 16384
ANSI = re.compile(r'\x1b\[[0-9;]*m')
CALL_TIMEOUT_S = 10.0


class ClusterError(RuntimeError):
    pass


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', port))
            return True
        except OSError:
            return False


def free_base(n, lo=20000, hi=54000):
    """A base port P with P..P+n-1 and their bus ports (+10000) all free."""
    for _ in range(200):
        base = random.randrange(lo, hi - n)
        if all(port_free(p) and port_free(p + BUS_OFFSET) for p in range(base, base + n)):
            return base
    raise ClusterError('no free block of %d ports (and bus ports)' % n)


def call(port, *args, timeout=CALL_TIMEOUT_S):
    """One command on a fresh connection; a -ERR reply raises RuntimeError."""
    c = Conn(port)
    try:
        c.sock.settimeout(timeout)
        return c.call(*args)
    finally:
        c.close()


def write_and_wait(port, replicas, timeout_ms, *args):
    """One write then WAIT on the same connection: (the write's reply,
    WAIT's count). WAIT counts the acks of its own connection's last write,
    so a WAIT on a fresh connection answers at once and acknowledges
    nothing."""
    c = Conn(port)
    try:
        c.sock.settimeout(timeout_ms / 1000.0 + CALL_TIMEOUT_S)
        return c.call(*args), c.call('WAIT', replicas, timeout_ms)
    finally:
        c.close()


def cluster_info(port):
    out = {}
    for line in call(port, 'CLUSTER', 'INFO').splitlines():
        if ':' in line:
            k, v = line.split(':', 1)
            out[k] = v.strip()
    return out


def parse_nodes(text):
    """CLUSTER NODES -> list of dicts: id, port, flags (set), master (id or
    None), link, slots (list of (lo, hi)), and the raw line."""
    nodes = []
    for line in text.splitlines():
        f = line.split()
        if len(f) < 8:
            continue
        addr = f[1].split('@')[0]
        slots = []
        for s in f[8:]:
            if s.startswith('['):
                continue        # a slot being migrated or imported
            lo, _, hi = s.partition('-')
            slots.append((int(lo), int(hi or lo)))
        nodes.append({'id': f[0], 'port': int(addr.rsplit(':', 1)[1]) if ':' in addr else 0,
                      'flags': set(f[2].split(',')), 'master': None if f[3] == '-' else f[3],
                      'link': f[7], 'slots': slots, 'line': line})
    return nodes


def cluster_nodes(port):
    return parse_nodes(call(port, 'CLUSTER', 'NODES'))


def slot_count(node):
    return sum(hi - lo + 1 for lo, hi in node['slots'])


def run_cli(args, timeout=300):
    """redis-cli with args; returns (exit status, output without colours)."""
    out = subprocess.run(['redis-cli'] + args, capture_output=True, text=True, timeout=timeout,
                         stdin=subprocess.DEVNULL)
    return out.returncode, ANSI.sub('', out.stdout + out.stderr)


def check_report(text):
    """What `redis-cli --cluster check` said: (slots covered, [error lines]):
    its [ERR] lines and its [WARNING] lines (open slots, nodes in
    migrating or importing state, disagreeing nodes)."""
    m = re.search(r'\[OK\] All (\d+) slots covered', text)
    covered = int(m.group(1)) if m else 0
    errors = [line for line in text.splitlines() if line.startswith(('[ERR]', '[WARNING]'))]
    if not m and not errors:
        errors.append('no slot coverage line in the check output')
    return covered, errors


class Cluster:
    """utils/cluster_setup.sh on free ports in a dir of its own.

    server: every node's binary; redis: when given, the even nodes (2, 4...)
    run it instead (cluster_setup.sh --mixed)."""

    def __init__(self, server, nodes=6, replicas=1, redis=None, node_timeout=2000,
                 workdir=None, wait_timeout=60):
        self.server, self.redis = server, redis
        self.n, self.replicas, self.node_timeout = nodes, replicas, node_timeout
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix='minired-cluster.')
        self.dir = os.path.join(self.workdir, 'cluster-%d' % random.randrange(1 << 30))
        self.base = None
        self.wait_timeout = wait_timeout
        self.started = False
        self.create_seconds = None
        self.dead = set()

    # ---------------------------------------------------------- lifecycle
    def _setup_args(self):
        args = ['--nodes', str(self.n), '--replicas', str(self.replicas), '--base-port', str(self.base),
                '--node-timeout', str(self.node_timeout), '--dir', self.dir,
                '--wait-timeout', str(self.wait_timeout)]
        if self.redis:
            args += ['--mixed', self.server, '--redis', self.redis]
        else:
            args += ['--server', self.server]
        return args

    def start(self):
        """Starts and creates the cluster; raises ClusterError with the
        script's output when that fails (the nodes are then stopped)."""
        self.base = free_base(self.n)
        self.started = True
        t0 = time.monotonic()
        try:
            out = subprocess.run(['bash', SETUP, 'start'] + self._setup_args(), capture_output=True,
                                 text=True, stdin=subprocess.DEVNULL, timeout=self.wait_timeout * 4 + 60)
        except BaseException:
            self.stop()         # interrupted or timed out: the nodes started so far
            raise
        self.create_seconds = time.monotonic() - t0
        if out.returncode != 0:
            logs = self.log_tails()
            self.stop()
            raise ClusterError('cluster_setup.sh start failed:\n%s%s\n%s'
                               % (ANSI.sub('', out.stdout)[-3000:], ANSI.sub('', out.stderr)[-3000:], logs))
        return self

    def stop(self):
        if self.started:
            subprocess.run(['bash', SETUP, 'stop'] + self._setup_args(), capture_output=True,
                           stdin=subprocess.DEVNULL, timeout=60)
            self.started = False
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---------------------------------------------------------- nodes
    @property
    def ports(self):
        return [self.base + k for k in range(self.n)]

    def role_of(self, port):
        return 'node%d' % (port - self.base + 1)

    def binary_of(self, port):
        k = port - self.base + 1
        return self.redis if self.redis and k % 2 == 0 else self.server

    def kind_of(self, port):
        return 'redis' if self.redis and (port - self.base + 1) % 2 == 0 else 'server'

    def pid(self, port):
        with open(os.path.join(self.dir, self.role_of(port), 'pid')) as f:
            return int(f.read().strip())

    def cpu_ticks(self, port):
        with open('/proc/%d/stat' % self.pid(port)) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def kill9(self, port):
        """SIGKILL to a node this cluster started (its recorded PID)."""
        os.kill(self.pid(port), signal.SIGKILL)
        self.dead.add(port)

    def alive_ports(self):
        return [p for p in self.ports if p not in self.dead]

    def log_tails(self, lines=15):
        out = []
        for p in self.ports:
            path = os.path.join(self.dir, self.role_of(p), 'server.log')
            try:
                with open(path, 'rb') as f:
                    tail = f.read().decode('utf-8', 'replace').splitlines()[-lines:]
                out.append('--- %s (:%d, %s) log tail:\n%s' % (self.role_of(p), p, self.kind_of(p),
                                                                 '\n'.join(tail)))
            except OSError:
                pass
        return '\n'.join(out)

    # ---------------------------------------------------------- topology
    def nodes(self, port=None):
        return cluster_nodes(port or self.alive_ports()[0])

    def primaries(self, port=None):
        """Ports of the primaries holding slots (as one node sees them), by
        first slot."""
        ns = [n for n in self.nodes(port) if 'master' in n['flags'] and n['slots'] and 'fail' not in n['flags']]
        return [n['port'] for n in sorted(ns, key=lambda n: n['slots'][0][0])]

    def node_id(self, port):
        return call(port, 'CLUSTER', 'MYID')

    def replicas_of(self, primary_port, port=None):
        ns = self.nodes(port)
        pid = [n['id'] for n in ns if n['port'] == primary_port][0]
        return [n['port'] for n in ns if n['master'] == pid]

    def replica_of(self, primary_port, timeout=30):
        """The first replica of a primary, waited for: the node asked may
        list a replica a moment after its replication link is up."""
        self.wait('a replica of :%d in the cluster view' % primary_port,
                  lambda: self.replicas_of(primary_port), timeout)
        return self.replicas_of(primary_port)[0]

    def owner_of_slot(self, slot, port=None):
        for n in self.nodes(port):
            if 'master' in n['flags'] and any(lo <= slot <= hi for lo, hi in n['slots']):
                return n['port']
        return None

    def check(self, port=None):
        """redis-cli --cluster check: (exit status, slots covered, errors, text)."""
        rc, text = run_cli(['--cluster', 'check', '127.0.0.1:%d' % (port or self.alive_ports()[0])])
        covered, errors = check_report(text)
        return rc, covered, errors, text

    def reshard(self, from_port, to_port, slots, port=None, extra=()):
        """redis-cli --cluster reshard of `slots` slots; (exit status, text)."""
        args = ['--cluster', 'reshard', '127.0.0.1:%d' % (port or from_port),
                '--cluster-from', self.node_id(from_port), '--cluster-to', self.node_id(to_port),
                '--cluster-slots', str(slots), '--cluster-yes'] + list(extra)
        return run_cli(args, timeout=1800)

    def state_ok_everywhere(self):
        for p in self.alive_ports():
            try:
                i = cluster_info(p)
            except (OSError, RuntimeError):
                return False
            if i.get('cluster_state') != 'ok' or i.get('cluster_slots_ok') != str(SLOTS):
                return False
        return True

    def wait(self, what, pred, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if pred():
                    return
            except (OSError, RuntimeError):
                pass
            if time.monotonic() > deadline:
                raise ClusterError('timed out (%.0f s) waiting for %s\n%s' % (timeout, what, self.log_tails()))
            time.sleep(0.05)

    def wait_ok(self, timeout=30):
        self.wait('cluster_state:ok on every live node', self.state_ok_everywhere, timeout)

    def wait_replicas_synced(self, timeout=30):
        """Every live replica's link to its primary is up."""
        def synced():
            for p in self.alive_ports():
                c = Conn(p)
                try:
                    f = c.info('replication')
                finally:
                    c.close()
                if f.get('role') == 'slave' and f.get('master_link_status') != 'up':
                    return False
            return True
        self.wait('every replica in sync', synced, timeout)


def slot_keys(slot_range, n, prefix='key', start=0):
    """n keys named prefix:i whose slots are in range(lo, hi) (redis-py's
    key_slot when present, else our own CRC16)."""
    lo, hi = slot_range
    out, i = [], start
    while len(out) < n:
        k = '%s:%d' % (prefix, i)
        if lo <= key_slot(k) < hi:
            out.append(k)
        i += 1
    return out


def _crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xffff
    return crc


def key_slot(key):
    """Hash slot of a key: CRC16 (XMODEM) of the hash tag if it has one."""
    k = key.encode() if isinstance(key, str) else key
    s = k.find(b'{')
    if s >= 0:
        e = k.find(b'}', s + 1)
        if e > s + 1:
            k = k[s + 1:e]
    return _crc16(k) % SLOTS
