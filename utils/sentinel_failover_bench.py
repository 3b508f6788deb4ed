#!/usr/bin/env python3
"""sentinel_failover_bench.py -- issue 13's Sentinel bar: how long from
`kill -9` of the primary to a promoted replica that accepts a write, with
minired servers and with redis-server servers under the same Sentinel
settings, and is the write acknowledged by WAIT 2 before the kill on the
new primary every time?

Each run starts utils/ha_setup.sh's setup (a primary, two replicas, three
Debian redis-sentinels, each its own process) on free 127.0.0.1 ports,
writes a key, checks WAIT 2 acknowledges it, kills the primary with
SIGKILL, then sends SET to both replicas every --poll-ms until one says
+OK (the promoted one), and reads the key back from it. It also notes
when the first Sentinel names the new primary. Runs alternate between the
two servers so a machine's drift hits both alike. Medians are printed per
server; the bar holds when minired's median is at most Redis's and every
acknowledged write survived.

    python3 utils/sentinel_failover_bench.py --server build/epoll/minired-server
    make bench-failover                       # the same, 5 runs each
    make bench-failover FAILOVER_BENCH_ARGS="--runs 3 --down-after 2000"

Standard library only. Exit status: 0 when the bar holds, 1 when it does
not, 2 when a setup would not start.
"""
import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SETUP = os.path.join(HERE, "ha_setup.sh")
MASTER_NAME = "mymaster"
CONNECT_TIMEOUT_S = 0.5
WAIT_ACK_MS = 5000
PROMOTION_LIMIT_S = 60


class Conn:
    """A raw RESP2 connection: enough for statuses, errors, integers,
    bulks and flat arrays."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=CONNECT_TIMEOUT_S)
        self.sock.settimeout(5)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        ln, _, self.buf = self.buf.partition(b"\r\n")
        return ln

    def reply(self):
        ln = self._line()
        if ln[:1] == b"$":
            n = int(ln[1:])
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                self.buf += chunk
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if ln[:1] == b"*":
            n = int(ln[1:])
            return None if n < 0 else [self.reply() for _ in range(n)]
        return ln

    def command(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self.reply()


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def setup(cmd, a, binary, d, ports):
    args = [SETUP, cmd, "--dir", d]
    if cmd == "start":
        args += ["--server", binary, "--sentinel", a.sentinel,
                 "--server-ports", ",".join(map(str, ports[:3])),
                 "--sentinel-ports", ",".join(map(str, ports[3:])),
                 "--down-after", str(a.down_after), "--failover-timeout", str(a.failover_timeout),
                 "--wait-timeout", "60"]
    return subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def sentinel_names(port):
    try:
        c = Conn(port)
        r = c.command("SENTINEL", "get-master-addr-by-name", MASTER_NAME)
        c.close()
        return int(r[1]) if isinstance(r, list) and len(r) == 2 else 0
    except (OSError, ConnectionError, ValueError):
        return 0


def try_set(conns, port, value):
    """SET on a replica; True once it answers +OK. Reconnects lazily."""
    try:
        if port not in conns:
            conns[port] = Conn(port)
        return conns[port].command("SET", "failover:probe", value) == b"+OK"
    except (OSError, ConnectionError):
        conns.pop(port, None)
        return False


def one_run(a, binary, run_no):
    """Returns (writable_ms, sentinel_ms, acked_write_kept) or None."""
    ports = free_ports(6)
    d = tempfile.mkdtemp(prefix="minired-ha-bench-")
    try:
        st = setup("start", a, binary, d, ports)
        if st.returncode != 0:
            print("  setup failed: %s" % st.stderr.strip().replace("\n", "; "))
            return None
        primary = Conn(ports[0])
        value = "run-%d-%d" % (run_no, time.time_ns())
        primary.command("SET", "failover:acked", value)
        acked = primary.command("WAIT", 2, WAIT_ACK_MS)
        primary.close()
        if acked != b":2":
            print("  WAIT 2 answered %r" % acked)
            return None
        with open(os.path.join(d, "primary", "pid")) as f:
            pid = int(f.read().split()[0])
        t0 = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        conns, promoted, writable_ms, sentinel_ms = {}, 0, None, None
        n = 0
        while time.monotonic() - t0 < PROMOTION_LIMIT_S and (writable_ms is None or sentinel_ms is None):
            n += 1
            if writable_ms is None:
                for p in ports[1:3]:
                    if try_set(conns, p, n):
                        promoted, writable_ms = p, (time.monotonic() - t0) * 1000
                        break
            if sentinel_ms is None and sentinel_names(ports[3]) not in (0, ports[0]):
                sentinel_ms = (time.monotonic() - t0) * 1000
            time.sleep(a.poll_ms / 1000)
        for c in conns.values():
            c.close()
        if writable_ms is None:
            print("  no replica accepted a write within %d s" % PROMOTION_LIMIT_S)
            return None
        c = Conn(promoted)
        kept = c.command("GET", "failover:acked") == value.encode()
        c.close()
        return writable_ms, sentinel_ms, kept
    finally:
        setup("stop", a, binary, d, ports)


def has_replication(binary):
    """Starts binary on a free port and asks COMMAND INFO for REPLICAOF
    and PSYNC (both sides of replication)."""
    port = free_ports(1)[0]
    d = tempfile.mkdtemp(prefix="minired-ha-probe-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", d],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                c = Conn(port)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    return False
                time.sleep(0.05)
        r = c.command("COMMAND", "INFO", "REPLICAOF", "PSYNC")
        c.close()
        return isinstance(r, list) and all(isinstance(x, list) for x in r)
    finally:
        proc.terminate()
        proc.wait()
        subprocess.run(["rm", "-rf", d])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True, help="minired-server binary")
    ap.add_argument("--redis", default="redis-server", help="reference server binary")
    ap.add_argument("--sentinel", default="redis-sentinel", help="Sentinel binary")
    ap.add_argument("--runs", type=int, default=5, help="runs per server (default 5)")
    ap.add_argument("--down-after", type=int, default=1000, help="down-after-milliseconds (default 1000)")
    ap.add_argument("--failover-timeout", type=int, default=10000, help="failover-timeout ms (default 10000)")
    ap.add_argument("--poll-ms", type=float, default=5, help="write probe interval (default 5 ms)")
    a = ap.parse_args()
    a.server = os.path.abspath(a.server)
    print("Sentinel failover: %d runs each, down-after-milliseconds %d, failover-timeout %d"
          % (a.runs, a.down_after, a.failover_timeout))
    if not has_replication(a.server):
        print("%s has no REPLICAOF / PSYNC: nothing to fail over" % a.server)
        return 2
    results = {"minired": [], "redis": []}
    for i in range(a.runs):
        for name, binary in (("minired", a.server), ("redis", a.redis)):
            r = one_run(a, binary, i)
            if r is None:
                print("%-8s run %d: FAILED" % (name, i + 1))
                return 2
            results[name].append(r)
            print("%-8s run %d: writable after %7.0f ms, Sentinel names it after %7.0f ms, acked write %s"
                  % (name, i + 1, r[0], r[1] if r[1] is not None else -1, "kept" if r[2] else "LOST"))
    med = {}
    for name, rs in results.items():
        med[name] = statistics.median(r[0] for r in rs)
        kept = sum(1 for r in rs if r[2])
        print("%-8s median %7.0f ms to a writable primary (Sentinel: %7.0f ms); acked write kept in %d/%d runs"
              % (name, med[name], statistics.median(r[1] or 0 for r in rs), kept, len(rs)))
    all_kept = all(r[2] for rs in results.values() for r in rs)
    ok = med["minired"] <= med["redis"] and all_kept
    print("bar: %s (minired median %s Redis's; every acknowledged write %s)"
          % ("PASS" if ok else "FAIL", "<=" if med["minired"] <= med["redis"] else ">",
             "kept" if all_kept else "NOT kept"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
