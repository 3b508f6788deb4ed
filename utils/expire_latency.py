#!/usr/bin/env python3
"""expire_latency.py -- how long does the server stall while a mass of keys
expires (or is flushed)?

Starts the server at --server on a free 127.0.0.1 port, fills N keys with
pipelined raw `SET key:i v PXAT T` (one absolute time T, so every key
expires at the same moment), then, from just before T until DBSIZE reaches
0, PINGs in a tight loop on a second connection and records each round
trip. Prints the worst, p99 and median PING latency and how long the
reclamation took after T. Standard library only.

    python3 utils/expire_latency.py --server build/epoll/minired-server
    python3 utils/expire_latency.py --server redis-server --keys 1000000
    python3 utils/expire_latency.py --server ... --mode flush   # FLUSHALL ASYNC vs SYNC

--mode flush fills N keys without TTL, times FLUSHALL SYNC, refills, then
times FLUSHALL ASYNC while PINGing (for --flush-window-ms after it
returns) and reports the PING latencies seen meanwhile.

Exit status: 0 when done, 1 if --max-latency-ms was given and exceeded,
2 if the server would not start or expiry did not finish in time.
"""
import argparse
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PLACEHOLDER = b"@@@@@@@@@@@@@"  # 13 bytes: the width of a unix-ms time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path, extra, log_path=None):
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="expire_latency.")
    args = [path, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp,
            "--daemonize", "no"] + extra
    log = open(log_path or os.path.join(tmp, "server.log"), "wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port, tmp
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    stop_server(proc, tmp)
    sys.exit("server did not start: " + " ".join(shlex.quote(a) for a in args))


def stop_server(proc, tmp):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)


class Conn:
    """A raw RESP connection with just enough parsing for our replies."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        ln, _, self.buf = self.buf.partition(b"\r\n")
        return ln

    def reply(self):
        """One reply: status/error/integer as bytes, bulk as bytes."""
        ln = self.line()
        if ln[:1] == b"$":
            n = int(ln[1:])
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(1 << 20)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        return ln

    def command(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.send(b"".join(out))
        return self.reply()

    def skip_replies(self, n, expect):
        """Reads n identical short replies (fast path for a big pipeline)."""
        want = len(expect) * n
        got = len(self.buf)
        while got < want:
            chunk = self.sock.recv(1 << 22)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
            got += len(chunk)
        if self.buf[:len(expect)] != expect:
            raise RuntimeError("unexpected reply %r" % self.buf[:60])
        self.buf = self.buf[want:]


def build_sets(n, with_ttl):
    parts = []
    for i in range(n):
        key = b"key:%d" % i
        if with_ttl:
            parts.append(b"*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n%s\r\n"
                         % (len(key), key, PLACEHOLDER))
        else:
            parts.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n" % (len(key), key))
    return b"".join(parts)


def fill(port, payload, n):
    """Sends the pipeline from a thread while this one reads the replies."""
    c = Conn(port)
    t = threading.Thread(target=c.send, args=(payload,))
    start = time.monotonic()
    t.start()
    c.skip_replies(n, b"+OK\r\n")
    t.join()
    c.sock.close()
    return time.monotonic() - start


def stats(lat_ms):
    s = sorted(lat_ms)
    if not s:
        return 0.0, 0.0, 0.0
    return s[-1], s[min(len(s) - 1, int(len(s) * 0.99))], s[len(s) // 2]


def ping_until(port, done, max_seconds, poll_ms=20):
    """PINGs in a tight loop until done(conn) is true (checked every
    poll_ms on another connection); returns (latencies ms, seconds)."""
    pinger, watcher = Conn(port), Conn(port)
    ping = b"*1\r\n$4\r\nPING\r\n"
    lat = []
    start = time.monotonic()
    next_poll = start
    while True:
        t0 = time.perf_counter()
        pinger.send(ping)
        if pinger.line() != b"+PONG":
            raise RuntimeError("bad PING reply")
        lat.append((time.perf_counter() - t0) * 1000)
        now = time.monotonic()
        if now >= next_poll:
            next_poll = now + poll_ms / 1000
            if done(watcher):
                break
        if now - start > max_seconds:
            return lat, None
    return lat, time.monotonic() - start


def run_expire(a, port):
    n = a.keys
    payload = build_sets(n, True)
    expire_at_ms = int(time.time() * 1000) + a.fill_ms
    payload = payload.replace(PLACEHOLDER, b"%013d" % expire_at_ms)
    fill_s = fill(port, payload, n)
    c = Conn(port)
    size = int(c.command("DBSIZE")[1:])
    margin_ms = expire_at_ms - time.time() * 1000
    print("filled %d keys in %.2f s (DBSIZE %d); they expire in %.0f ms"
          % (n, fill_s, size, margin_ms))
    if margin_ms < 0:
        print("warning: the fill outlasted the expiry time; raise --fill-ms")
    lat, elapsed = ping_until(port, lambda w: int(w.command("DBSIZE")[1:]) == 0, a.max_seconds)
    worst, p99, med = stats(lat)
    if elapsed is None:
        print("DBSIZE did not reach 0 within %d s" % a.max_seconds)
        return 2, worst
    took_ms = time.time() * 1000 - expire_at_ms
    expired = c.command("INFO", "stats")
    exp_line = [l for l in expired.split(b"\r\n") if l.startswith(b"expired_keys:")]
    print("expiry of %d keys took %.0f ms after their time (%s)"
          % (n, took_ms, exp_line[0].decode() if exp_line else "no expired_keys in INFO"))
    print("PING during expiry: %d pings, worst %.2f ms, p99 %.2f ms, median %.3f ms"
          % (len(lat), worst, p99, med))
    return 0, worst


def run_flush(a, port):
    n = a.keys
    payload = build_sets(n, False)
    c = Conn(port)
    fill(port, payload, n)
    t0 = time.perf_counter()
    c.command("FLUSHALL", "SYNC")
    sync_ms = (time.perf_counter() - t0) * 1000
    fill(port, payload, n)
    pinger_lat = []
    result = {}

    def flusher():
        time.sleep(0.05)  # let the PING loop get going first
        t = time.perf_counter()
        result["reply"] = c.command("FLUSHALL", "ASYNC")
        result["ms"] = (time.perf_counter() - t) * 1000
        result["size"] = int(c.command("DBSIZE")[1:])
        result["end"] = time.monotonic() + a.flush_window_ms / 1000

    th = threading.Thread(target=flusher)
    th.start()
    lat, _ = ping_until(port, lambda w: "end" in result and time.monotonic() >= result["end"], a.max_seconds)
    th.join()
    pinger_lat.extend(lat)
    worst, p99, med = stats(pinger_lat)
    print("FLUSHALL SYNC of %d keys: %.1f ms" % (n, sync_ms))
    print("FLUSHALL ASYNC of %d keys: %.1f ms (reply %s, DBSIZE right after: %d)"
          % (n, result["ms"], result["reply"].decode(), result["size"]))
    print("PING around ASYNC (%d ms window): %d pings, worst %.2f ms, p99 %.2f ms, median %.3f ms"
          % (a.flush_window_ms, len(lat), worst, p99, med))
    return 0, worst


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server", required=True, help="server binary (minired-server or redis-server)")
    p.add_argument("--server-args", default="", help="extra shell-quoted server arguments")
    p.add_argument("--keys", type=int, default=1000000)
    p.add_argument("--mode", choices=["expire", "flush"], default="expire")
    p.add_argument("--fill-ms", type=int, default=None,
                   help="ms from the start of the fill to the expiry moment (default 1000 + keys/250)")
    p.add_argument("--flush-window-ms", type=int, default=3000)
    p.add_argument("--max-seconds", type=int, default=120, help="limit for the expiry phase")
    p.add_argument("--max-latency-ms", type=float, default=None, help="exit 1 if the worst PING is above")
    p.add_argument("--server-log", default=None, help="keep the server's output in this file")
    a = p.parse_args()
    if a.fill_ms is None:
        a.fill_ms = 1000 + a.keys // 250
    proc, port, tmp = start_server(a.server, shlex.split(a.server_args), a.server_log)
    try:
        print("server: %s (port %d)" % (a.server, port))
        rc, worst = (run_expire if a.mode == "expire" else run_flush)(a, port)
    finally:
        stop_server(proc, tmp)
    if rc == 0 and a.max_latency_ms is not None and worst > a.max_latency_ms:
        print("FAIL: worst PING %.2f ms > %.2f ms" % (worst, a.max_latency_ms))
        rc = 1
    sys.exit(rc)


if __name__ == "__main__":
    main()
