#!/usr/bin/env python3
"""check_legacy_rdb.py -- starts a server on each fixture written by
make_legacy_rdb.py and checks that it shows exactly the expected contents
(type, value, encoding, TTL and LRU idle time of every key, DBSIZE of every
database), or that it refuses a file it must refuse (exits non-zero
without serving).

Run it against redis-server 7.0 to prove the fixtures, and against minired
to test its loader:

    python3 tests/persist/check_legacy_rdb.py --server redis-server --port 7501
    python3 tests/persist/check_legacy_rdb.py --server build/epoll/minired-server --port 7502

Without --fixtures it generates them into a temp dir first. Exit status 0
when every fixture matched. Python 3 standard library only."""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
START_TIMEOUT_S = 20
REFUSE_TIMEOUT_S = 20
TTL_SLACK_MS = 120000
DATABASES = 16


# ------------------------------------------------------------------ a small RESP client

class RespError(Exception):
    pass


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RespError(rest.decode("latin-1"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ValueError("unexpected reply line %r" % line)

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        r = self._reply()
        if isinstance(r, RespError):
            raise r
        return r


# ------------------------------------------------------------------ server control

def start(server, port, rdb_dir, dbfile, log_path, extra):
    """The server logs to log_path; its stdout and stderr (where sanitizer
    reports go) to log_path + ".out"."""
    args = [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", rdb_dir, "--dbfilename", dbfile,
            "--save", "", "--appendonly", "no", "--logfile", log_path, "--daemonize", "no"] + extra
    with open(log_path + ".out", "wb") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(proc, port, timeout_s):
    """Returns a client once PING answers PONG, or None if the process exited."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc.poll() is not None:
            return None
        try:
            c = Client(port)
            try:
                if c.call("PING") == b"PONG":
                    return c
            except RespError:  # -LOADING
                pass
            c.close()
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError("server on port %d not ready after %ds" % (port, timeout_s))


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------------ comparing

def b(text):
    return text.encode("latin-1")


def read_value(c, key, typ):
    if typ == "string":
        return c.call("GET", key).decode("latin-1")
    if typ == "list":
        return [x.decode("latin-1") for x in c.call("LRANGE", key, 0, -1)]
    if typ == "set":
        return sorted(x.decode("latin-1") for x in c.call("SMEMBERS", key))
    if typ == "hash":
        flat = c.call("HGETALL", key)
        return sorted([flat[i].decode("latin-1"), flat[i + 1].decode("latin-1")] for i in range(0, len(flat), 2))
    if typ == "zset":
        flat = c.call("ZRANGE", key, 0, -1, "WITHSCORES")
        return [[flat[i].decode("latin-1"), float(flat[i + 1])] for i in range(0, len(flat), 2)]
    raise ValueError(typ)


def expected_value(e):
    v = e["value"]
    if e["type"] == "hash":
        return sorted([f, x] for f, x in v)
    if e["type"] == "zset":
        return [[m, float(s)] for m, s in v]
    return v


def check_key(c, e, now_ms, problems):
    key = b(e["key"])
    where = "key %r" % key
    if e.get("gone"):
        if c.call("EXISTS", key) != 0:
            problems.append("%s: should be absent" % where)
        return
    # OBJECT first: reading the value touches the key's LRU/LFU clock.
    if e.get("idle") is not None:
        idle = c.call("OBJECT", "IDLETIME", key)
        if idle < e["idle"]:
            problems.append("%s: OBJECT IDLETIME %d, expected at least %d" % (where, idle, e["idle"]))
    if e.get("freq") is not None:
        freq = c.call("OBJECT", "FREQ", key)
        if freq != e["freq"]:
            problems.append("%s: OBJECT FREQ %d, expected %d" % (where, freq, e["freq"]))
    typ = c.call("TYPE", key).decode()
    if typ != e["type"]:
        problems.append("%s: type %s, expected %s" % (where, typ, e["type"]))
        return
    got = read_value(c, key, typ)
    want = expected_value(e)
    if got != want:
        problems.append("%s: value differs (got %.200r, expected %.200r)" % (where, got, want))
    enc = c.call("OBJECT", "ENCODING", key).decode()
    if enc != e["encoding"]:
        problems.append("%s: encoding %s, expected %s" % (where, enc, e["encoding"]))
    pttl = c.call("PTTL", key)
    if e.get("expire_ms") is None:
        if pttl != -1:
            problems.append("%s: PTTL %d, expected none" % (where, pttl))
    elif pttl < 0 or abs(now_ms + pttl - e["expire_ms"]) > TTL_SLACK_MS:
        problems.append("%s: PTTL %d, expected expiry at %d" % (where, pttl, e["expire_ms"]))


def check_contents(c, doc):
    problems = []
    now_ms = int(time.time() * 1000)
    for db in range(DATABASES):
        c.call("SELECT", db)
        entries = doc["dbs"].get(str(db), [])
        present = [e for e in entries if not e.get("gone")]
        size = c.call("DBSIZE")
        if size != len(present):
            problems.append("db %d: DBSIZE %d, expected %d" % (db, size, len(present)))
        for e in entries:
            check_key(c, e, now_ms, problems)
    return problems


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_fixture(server, port, fixtures_dir, name, work_dir, verbose):
    port = port or free_port()
    with open(os.path.join(fixtures_dir, name + ".json")) as f:
        doc = json.load(f)
    run_dir = tempfile.mkdtemp(prefix=name + ".", dir=work_dir)
    shutil.copy(os.path.join(fixtures_dir, name + ".rdb"), os.path.join(run_dir, "dump.rdb"))
    log_path = os.path.join(run_dir, "server.log")
    proc = start(server, port, run_dir, "dump.rdb", log_path, doc.get("server_args", []))
    problems = []
    try:
        if doc["outcome"] == "refuse":
            try:
                proc.wait(timeout=REFUSE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                problems.append("still running: the file should have been refused")
            else:
                if proc.returncode == 0:
                    problems.append("exited with status 0: the refusal should be an error")
        else:
            c = wait_ready(proc, port, START_TIMEOUT_S)
            if c is None:
                problems.append("server exited with status %s instead of loading" % proc.returncode)
            else:
                problems = check_contents(c, doc)
                c.close()
    finally:
        stop(proc)
    try:
        with open(log_path, errors="replace") as f:
            log = f.read()
    except OSError:
        log = ""
    try:
        with open(log_path + ".out", errors="replace") as f:
            out = f.read()
    except OSError:
        out = ""
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
        if marker in out:
            problems.append("sanitizer report:\n" + out[-3000:])
            break
    want = doc.get("log_contains")
    if want and want not in log:
        problems.append("the log does not say %r" % want)
    if problems or verbose:
        log_tail = log[-1500:] or "(no log)"
        if problems:
            problems.append("server log (tail):\n" + log_tail)
        elif verbose:
            print(log_tail)
    shutil.rmtree(run_dir, ignore_errors=True)
    return problems


def loads_at_start(server, fixtures_dir, work_dir):
    """1 if the server logs that it loads the main RDB 9 fixture at start."""
    run_dir = tempfile.mkdtemp(prefix="probe.", dir=work_dir)
    shutil.copy(os.path.join(fixtures_dir, "legacy_v9.rdb"), os.path.join(run_dir, "dump.rdb"))
    log_path = os.path.join(run_dir, "server.log")
    port = free_port()
    proc = start(server, port, run_dir, "dump.rdb", log_path, [])
    try:
        c = wait_ready(proc, port, START_TIMEOUT_S)
        if c:
            c.close()
    finally:
        stop(proc)
    with open(log_path, errors="replace") as f:
        return "Loading RDB" in f.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True, help="redis-server or minired-server binary")
    ap.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    ap.add_argument("--fixtures", help="directory written by make_legacy_rdb.py (default: generate)")
    ap.add_argument("--only", nargs="*", help="fixture names to run")
    ap.add_argument("--prefix", help="run only the fixtures whose name starts with this")
    ap.add_argument("--verbose", action="store_true", help="show each server log")
    ap.add_argument("--skip-without-loading", action="store_true",
                    help="exit 0 with a SKIPPED line if the server does not load an RDB at start at all")
    args = ap.parse_args()

    work_dir = tempfile.mkdtemp(prefix="legacy_rdb.")
    try:
        fixtures_dir = args.fixtures
        if not fixtures_dir:
            fixtures_dir = os.path.join(work_dir, "fixtures")
            subprocess.check_call([sys.executable, os.path.join(HERE, "make_legacy_rdb.py"), "--out", fixtures_dir])
        names = sorted(f[:-4] for f in os.listdir(fixtures_dir) if f.endswith(".rdb"))
        if args.only:
            names = [n for n in names if n in args.only]
        if args.prefix:
            names = [n for n in names if n.startswith(args.prefix)]
        if args.skip_without_loading and not loads_at_start(args.server, fixtures_dir, work_dir):
            print("SKIPPED: %s does not load an RDB file at start (no \"Loading RDB\" log line)" % args.server)
            return 0
        failed = 0
        for name in names:
            problems = run_fixture(args.server, args.port, fixtures_dir, name, work_dir, args.verbose)
            print("%-40s %s" % (name, "ok" if not problems else "FAILED"))
            for p in problems:
                print("    " + p)
            failed += bool(problems)
        print("%d fixtures, %d failed" % (len(names), failed))
        return 1 if failed else 0
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
