#!/usr/bin/env python3
"""clock_bench.py -- issue 12's clock bar: after MINIRED CLOCK ADVANCE, do
a million keys whose TTLs fall within the advanced span expire without
stalling a concurrent client?

Starts minired-server (--enable-test-controls yes) on a free 127.0.0.1
port, freezes the data clock, fills N keys with pipelined `SET key:i v PX t`
(t spread over [1 s, --span-ms), so each TTL falls within the span), then
sends `MINIRED CLOCK ADVANCE <span-ms>` and, until DBSIZE reaches 0, PINGs
in a tight loop on another connection, recording each round trip. Prints
the worst, p99 and median PING and how long the reclamation took. Bounded:
gives up after --max-seconds. Standard library only (reuses
expire_latency.py's server and connection helpers).

    python3 utils/clock_bench.py --server build/epoll/minired-server
    make bench-clock                       # the same, 1,000,000 keys
    make bench-clock CLOCK_BENCH_ARGS="--keys 200000"

Exit status: 0 when done, 1 if the worst PING exceeded --max-latency-ms
(default 5, the issue's bar), 2 if the server would not start, the fill
went wrong or the keys did not all expire within --max-seconds.
"""
import argparse
import os
import random
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expire_latency import Conn, fill, ping_until, start_server, stats, stop_server  # noqa: E402

MS_PER_S = 1000
MIN_TTL_MS = 1000


def build_sets(n, span_ms, seed):
    """SET key:i v PX t for t spread over [MIN_TTL_MS, span_ms)."""
    rnd = random.Random(seed)
    parts = []
    for i in range(n):
        key = b"key:%d" % i
        ttl = b"%d" % rnd.randrange(MIN_TTL_MS, span_ms)
        parts.append(b"*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n$2\r\nPX\r\n$%d\r\n%s\r\n"
                     % (len(key), key, len(ttl), ttl))
    return b"".join(parts)


def dbsize(conn):
    return int(conn.command("DBSIZE")[1:])


def run(a, port):
    c = Conn(port)
    if c.command("MINIRED", "CLOCK", "FREEZE") != b"+OK":
        print("MINIRED CLOCK FREEZE failed: are test controls enabled?")
        return 2, 0.0
    payload = build_sets(a.keys, a.span_ms, a.seed)
    fill_s = fill(port, payload, a.keys)
    size = dbsize(c)
    print("filled %d keys in %.2f s (DBSIZE %d), TTLs within [%d, %d) ms of a frozen clock"
          % (a.keys, fill_s, size, MIN_TTL_MS, a.span_ms))
    if size != a.keys:
        print("unexpected DBSIZE after the fill")
        return 2, 0.0
    start = time.monotonic()
    reply = c.command("MINIRED", "CLOCK", "ADVANCE", a.span_ms)
    advance_ms = (time.monotonic() - start) * MS_PER_S
    lat, elapsed = ping_until(port, lambda w: dbsize(w) == 0, a.max_seconds)
    took_ms = (time.monotonic() - start) * MS_PER_S
    worst, p99, med = stats(lat)
    print("CLOCK ADVANCE %d: reply %s in %.2f ms" % (a.span_ms, reply.decode(), advance_ms))
    if elapsed is None:
        print("DBSIZE did not reach 0 within %d s (still %d)" % (a.max_seconds, dbsize(c)))
        return 2, worst
    info = c.command("INFO", "stats")
    exp = [ln for ln in info.split(b"\r\n") if ln.startswith(b"expired_keys:")]
    print("DBSIZE reached 0 %.0f ms after the ADVANCE (%s)"
          % (took_ms, exp[0].decode() if exp else "no expired_keys in INFO"))
    print("PING meanwhile: %d pings, worst %.2f ms, p99 %.2f ms, median %.3f ms"
          % (len(lat), worst, p99, med))
    return 0, worst


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server", required=True, help="minired-server binary")
    p.add_argument("--server-args", default="", help="extra shell-quoted server arguments")
    p.add_argument("--keys", type=int, default=1000000)
    p.add_argument("--span-ms", type=int, default=3600000, help="CLOCK ADVANCE's span (TTLs fall within it)")
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--max-seconds", type=int, default=120, help="limit for the expiry phase")
    p.add_argument("--max-latency-ms", type=float, default=5.0, help="exit 1 if the worst PING is above")
    p.add_argument("--server-log", default=None, help="keep the server's output in this file")
    p.add_argument("--no-pin", action="store_true",
                   help="do not pin the server to CPU 1 and this client to CPU 0")
    a = p.parse_args()
    if a.span_ms <= MIN_TTL_MS:
        p.error("--span-ms must be above %d" % MIN_TTL_MS)
    extra = ["--enable-test-controls", "yes"] + shlex.split(a.server_args)
    proc, port, tmp = start_server(a.server, extra, a.server_log)
    if not a.no_pin and len(os.sched_getaffinity(0)) >= 2:
        # As for redis-benchmark runs: server and load on different CPUs,
        # so the figures measure the server, not the two competing.
        os.sched_setaffinity(proc.pid, {1})
        os.sched_setaffinity(0, {0})
    try:
        print("server: %s (port %d)" % (a.server, port))
        rc, worst = run(a, port)
    finally:
        stop_server(proc, tmp)
    if rc == 0 and worst > a.max_latency_ms:
        print("FAIL: worst PING %.2f ms > %.2f ms" % (worst, a.max_latency_ms))
        rc = 1
    sys.exit(rc)


if __name__ == "__main__":
    main()
