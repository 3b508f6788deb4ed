#!/usr/bin/env python3
"""cluster_failover_bench.py -- issue 14's failover bar: how long from
`kill -9` of a cluster primary to its replica promoted and serving the
slots, for a cluster of minired nodes and one of redis-server nodes with
the same cluster-node-timeout.

Each run starts 6 nodes on free 127.0.0.1 ports (explicit bus ports),
builds 3 primaries + 3 replicas with `redis-cli --cluster create
--cluster-replicas 1 --cluster-yes`, waits for cluster_state:ok on every
node, writes a key of the first primary's slots and checks WAIT 1, kills
that primary with SIGKILL, then polls its replica every --poll-ms: the
failover time is when the replica answers SET on that slot with +OK (it
was elected and took the slots); the "ok" time is when every surviving
node says cluster_state:ok again. The key written before the kill must be
there. Runs alternate between the two servers so a machine's drift hits
both alike; medians are printed per server. The bar holds when minired's
median failover time is at most Redis's.

    python3 utils/cluster_failover_bench.py --server build/epoll/minired-server
    python3 utils/cluster_failover_bench.py --server ... --runs 5 --node-timeout 2000

Standard library only. Exit status: 0 when the bar holds, 1 when it does
not, 2 when a setup would not start.
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

NODES = 6
CONNECT_TIMEOUT_S = 0.5
START_LIMIT_S = 10
OK_LIMIT_S = 30
PROMOTION_LIMIT_S = 60


class Conn:
    """A raw RESP2 connection: statuses, errors, integers, bulks, arrays."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=CONNECT_TIMEOUT_S)
        self.sock.settimeout(5)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        ln, _, self.buf = self.buf.partition(b"\r\n")
        return ln

    def reply(self):
        ln = self._line()
        if ln[:1] == b"$":
            n = int(ln[1:])
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if ln[:1] == b"*":
            n = int(ln[1:])
            return None if n < 0 else [self.reply() for _ in range(n)]
        return ln

    def cmd(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self.reply()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def try_cmd(port, *args):
    """One command on a new connection; None if the node does not answer."""
    try:
        c = Conn(port)
        try:
            return c.cmd(*args)
        finally:
            c.close()
    except OSError:
        return None


class Cluster:
    def __init__(self, binary, node_timeout):
        self.dir = tempfile.mkdtemp(prefix="clfo-bench-")
        self.procs, self.ports = [], []
        for i in range(NODES):
            port, cport = free_port(), free_port()
            d = os.path.join(self.dir, str(i))
            os.makedirs(d)
            argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", d, "--save", "",
                    "--appendonly", "no", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-port", str(cport), "--cluster-node-timeout", str(node_timeout),
                    "--repl-diskless-sync-delay", "0"]
            log = open(os.path.join(d, "server.log"), "ab")
            self.procs.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT))
            self.ports.append(port)

    def wait_up(self):
        deadline = time.time() + START_LIMIT_S
        for p in self.ports:
            while try_cmd(p, "PING") != b"+PONG":
                if time.time() > deadline:
                    raise RuntimeError("node on port %d did not start" % p)
                time.sleep(0.05)

    def create(self):
        argv = ["redis-cli", "--cluster", "create"] + ["127.0.0.1:%d" % p for p in self.ports] + \
               ["--cluster-replicas", "1", "--cluster-yes"]
        out = subprocess.run(argv, capture_output=True, timeout=60)
        if b"[OK] All 16384 slots covered." not in out.stdout:
            raise RuntimeError("cluster create failed:\n" + out.stdout.decode(errors="replace"))

    def alive_ports(self):
        return [p for p, pr in zip(self.ports, self.procs) if pr.poll() is None]

    def all_ok(self):
        for p in self.alive_ports():
            r = try_cmd(p, "CLUSTER", "INFO")
            if not r or b"cluster_state:ok" not in r:
                return False
        return True

    def stop(self):
        for pr in self.procs:
            if pr.poll() is None:
                pr.kill()
        for pr in self.procs:
            pr.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def myself(port):
    """(id, is_primary, primary_id) from the node's CLUSTER NODES."""
    for line in try_cmd(port, "CLUSTER", "NODES").decode().splitlines():
        f = line.split()
        if "myself" in f[2]:
            return f[0], "master" in f[2], f[3]
    raise RuntimeError("no myself line")


def key_for(port):
    """A key the node on port serves (the others answer -MOVED); its hash
    tag keeps key + suffix in the same slot."""
    for i in range(100000):
        k = "{bench:%d}" % i
        if try_cmd(port, "SET", k, "before") == b"+OK":
            return k
    raise RuntimeError("no key found")


def one_run(binary, node_timeout, poll_ms):
    cl = Cluster(binary, node_timeout)
    try:
        cl.wait_up()
        cl.create()
        deadline = time.time() + OK_LIMIT_S
        while not cl.all_ok():
            if time.time() > deadline:
                raise RuntimeError("cluster never ok")
            time.sleep(0.05)
        ids = {p: myself(p) for p in cl.ports}
        victim = next(p for p in cl.ports if ids[p][1])
        replica = next(p for p in cl.ports if not ids[p][1] and ids[p][2] == ids[victim][0])
        key = key_for(victim)
        # WAIT counts the replicas that have this connection's last write.
        c = Conn(victim)
        acked = c.cmd("SET", key, "before") == b"+OK" and c.cmd("WAIT", "1", "5000") == b":1"
        c.close()
        if not acked:
            raise RuntimeError("WAIT 1 did not acknowledge")
        i = cl.ports.index(victim)
        t0 = time.time()
        os.kill(cl.procs[i].pid, signal.SIGKILL)
        cl.procs[i].wait()
        promoted = ok = None
        while time.time() - t0 < PROMOTION_LIMIT_S and (promoted is None or ok is None):
            now = time.time()
            if promoted is None and try_cmd(replica, "SET", key + ":after", "x") == b"+OK":
                promoted = now - t0
            if promoted is not None and ok is None and cl.all_ok():
                ok = time.time() - t0
            time.sleep(poll_ms / 1000.0)
        if promoted is None or ok is None:
            raise RuntimeError("no promotion within %d s" % PROMOTION_LIMIT_S)
        got = try_cmd(replica, "GET", key)
        if got != b"before":
            print("  GET %s on the promoted replica: %r" % (key, got), file=sys.stderr)
        return promoted, ok, got == b"before"
    finally:
        cl.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True, help="minired-server binary")
    ap.add_argument("--redis", default="redis-server", help="reference server (default redis-server)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--node-timeout", type=int, default=2000, help="cluster-node-timeout, ms")
    ap.add_argument("--poll-ms", type=int, default=10)
    a = ap.parse_args()
    servers = [("minired", os.path.abspath(a.server)), ("redis", shutil.which(a.redis) or a.redis)]
    res = {name: [] for name, _ in servers}
    lost = 0
    for run in range(a.runs):
        for name, binary in servers:
            try:
                promoted, ok, kept = one_run(binary, a.node_timeout, a.poll_ms)
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                print("%s run %d: setup failed: %s" % (name, run + 1, e), file=sys.stderr)
                return 2
            lost += not kept
            res[name].append((promoted, ok))
            print("%-7s run %d: promoted %.3f s, cluster ok %.3f s%s" %
                  (name, run + 1, promoted, ok, "" if kept else "  ACKNOWLEDGED WRITE LOST"), flush=True)
    med = {}
    for name, _ in servers:
        med[name] = statistics.median(r[0] for r in res[name])
        print("%-7s median over %d runs: promoted %.3f s, cluster ok %.3f s (cluster-node-timeout %d ms)" %
              (name, a.runs, med[name], statistics.median(r[1] for r in res[name]), a.node_timeout))
    holds = med["minired"] <= med["redis"] and lost == 0
    print("bar %s: minired median %.3f s vs redis %.3f s, %d acknowledged writes lost" %
          ("holds" if holds else "FAILS", med["minired"], med["redis"], lost))
    return 0 if holds else 1


if __name__ == "__main__":
    sys.exit(main())
