#!/usr/bin/env python3
"""check_legacy_restore.py -- DUMP payloads as Redis 3.2 to 6.2 produced
them (RDB version 9 inside, ziplist / zipmap / quicklist-of-ziplists
values) restored with RESTORE: the key, its type, encoding and value, or
the error, must be what Redis 7.0.15 answered for the same payload (the
expectations below were taken from it; run this script with --server
redis-server to see them hold).

    python3 tests/persist/check_legacy_restore.py --server build/epoll/minired-server

Exit status 0 when every case matched; a server without RESTORE is
reported as SKIPPED with status 0 when --skip-without-restore is given.
Python 3 standard library only."""

import argparse
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import check_legacy_rdb as chk  # noqa: E402
import make_legacy_rdb as mk  # noqa: E402

DUMP_RDB_VERSION = 9  # what Redis 5.0 to 6.2 put in a DUMP
BAD = ("ERR", "ERR Bad data format")


def payload(rtype, body, version=DUMP_RDB_VERSION):
    p = bytes([rtype]) + body + struct.pack("<H", version)
    return p + struct.pack("<Q", mk.crc64(p))


def cases():
    """name -> (payload, expected (type, encoding, value) or error)."""
    zl = mk.ziplist
    s = mk.rdb_string
    bad_prevlen = bytearray(zl([b"f", b"1"]))
    bad_prevlen[mk.ZL_HDR + 4] = 9
    return {
        "hash_ziplist": (payload(mk.T_HASH_ZIPLIST, s(zl([b"f", b"1", b"g", b"hello"]))),
                         ("hash", "listpack", [b"f", b"1", b"g", b"hello"])),
        "zset_ziplist": (payload(mk.T_ZSET_ZIPLIST, s(zl([b"a", b"1.5", b"b", b"3"]))),
                         ("zset", "listpack", [b"a", b"1.5", b"b", b"3"])),
        "quicklist": (payload(mk.T_LIST_QUICKLIST, mk.rdb_len(2) + s(zl([b"x", b"12"])) + s(zl([b"y" * 40]))),
                      ("list", "quicklist", [b"x", b"12", b"y" * 40])),
        "list_ziplist": (payload(mk.T_LIST_ZIPLIST, s(zl([b"a", b"b"]))), ("list", "quicklist", [b"a", b"b"])),
        "zipmap": (payload(mk.T_HASH_ZIPMAP, s(mk.zipmap([(b"k", b"v")]))), ("hash", "listpack", [b"k", b"v"])),
        "empty_hash_ziplist": (payload(mk.T_HASH_ZIPLIST, s(zl([]))), BAD),
        "empty_quicklist": (payload(mk.T_LIST_QUICKLIST, mk.rdb_len(0)), BAD),
        "empty_zipmap": (payload(mk.T_HASH_ZIPMAP, s(mk.zipmap([]))), BAD),
        "dup_field": (payload(mk.T_HASH_ZIPLIST, s(zl([b"f", b"1", b"f", b"2"]))), BAD),
        "bad_prevlen": (payload(mk.T_HASH_ZIPLIST, s(bytes(bad_prevlen))), BAD),
    }


def read_back(c, key):
    typ = c.call("TYPE", key).decode()
    enc = c.call("OBJECT", "ENCODING", key).decode()
    if typ == "hash":
        val = c.call("HGETALL", key)
    elif typ == "zset":
        val = c.call("ZRANGE", key, 0, -1, "WITHSCORES")
    else:
        val = c.call("LRANGE", key, 0, -1)
    return (typ, enc, val)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--skip-without-restore", action="store_true")
    args = ap.parse_args()
    port = args.port or chk.free_port()
    work = tempfile.mkdtemp(prefix="legacy_restore.")
    log = os.path.join(work, "server.log")
    proc = chk.start(args.server, port, work, "dump.rdb", log, [])
    failed = 0
    try:
        c = chk.wait_ready(proc, port, chk.START_TIMEOUT_S)
        if c is None:
            print("server exited at start")
            return 1
        try:
            c.call("RESTORE", "probe", 0, payload(mk.T_LIST_ZIPLIST, mk.rdb_string(mk.ziplist([b"p"]))))
        except chk.RespError as e:
            if "unknown command" in str(e) and args.skip_without_restore:
                print("SKIPPED: %s has no RESTORE" % args.server)
                return 0
        for name, (p, want) in cases().items():
            try:
                c.call("RESTORE", name, 0, p)
                got = read_back(c, name)
            except chk.RespError as e:
                got = ("ERR", str(e))
            ok = got == want
            failed += not ok
            print("%-22s %s" % (name, "ok" if ok else "FAILED: got %r, expected %r" % (got, want)))
        c.close()
    finally:
        chk.stop(proc)
    print("%d cases, %d failed" % (len(cases()), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
