#!/usr/bin/env python3
"""make_legacy_rdb.py -- writes RDB files as Redis 3.2 to 6.2 wrote them
(RDB versions 7, 8 and 9; also 2 and 6, Redis 2.4 and 2.8) and, beside each, the contents a Redis 7.0
server must show once it has loaded the file (<name>.json).

No Redis 6 is at hand, so the encodings are written here from the formats'
public descriptions: ziplists (small hashes, sorted sets and the nodes of
quicklists, in every entry encoding), zipmaps (Redis 2.4 hashes), ziplist
lists (Redis 2.6-3.0), intsets, plain hashes/sets/lists/zsets (string
scores before RDB 8, binary ones after), expiries, LRU idle and LFU
frequency opcodes (RDB 9), several databases, the aux fields each version
wrote, LZF-compressed strings and blobs, and the CRC64 trailer.

check_legacy_rdb.py starts a server on each file and compares; run against
redis-server 7.0 it proves these fixtures right before minired reads them.
Besides the three main files there are edge cases (empty encodings, whose
outcome was observed on Redis 7.0.15) and corrupt files (refused).

    python3 tests/persist/make_legacy_rdb.py --out DIR [--only NAME ...]

Python 3 standard library only."""

import argparse
import json
import os
import re
import struct
import sys
import time

# ------------------------------------------------------------------ CRC64

# Jones polynomial, reflected, as the RDB trailer uses it (check value of
# "123456789" is 0xe9c6d914c4b8d9ca).
_CRC64_POLY_REFLECTED = 0x95AC9329AC4BC9B5


def _crc64_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _CRC64_POLY_REFLECTED if c & 1 else c >> 1
        table.append(c)
    return table


_CRC64_TABLE = _crc64_table()


def crc64(data, crc=0):
    for b in data:
        crc = _CRC64_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA

# ------------------------------------------------------------------ LZF

LZF_MAX_LITERAL = 32
LZF_MAX_OFFSET = 8192
LZF_MAX_MATCH = 264


def lzf_compress(data):
    """Greedy LZF: literal runs (ctrl 000LLLLL) and back references
    (ctrl LLLooooo [len byte] offset byte), overlapping ones included."""
    out = bytearray()
    lit = bytearray()
    seen = {}
    n = len(data)
    i = 0

    def flush():
        while lit:
            chunk = lit[:LZF_MAX_LITERAL]
            out.append(len(chunk) - 1)
            out.extend(chunk)
            del lit[:LZF_MAX_LITERAL]

    while i < n:
        if i + 2 < n:
            key = bytes(data[i:i + 3])
            ref = seen.get(key)
            seen[key] = i
            if ref is not None and i - ref - 1 < LZF_MAX_OFFSET:
                limit = min(LZF_MAX_MATCH, n - i)
                ln = 3
                while ln < limit and data[ref + ln] == data[i + ln]:
                    ln += 1
                flush()
                off = i - ref - 1
                code = ln - 2
                if code < 7:
                    out.append((code << 5) | (off >> 8))
                else:
                    out.append((7 << 5) | (off >> 8))
                    out.append(code - 7)
                out.append(off & 0xFF)
                i += ln
                continue
        lit.append(data[i])
        i += 1
    flush()
    return bytes(out)


def lzf_decompress(data, out_len):
    out = bytearray()
    i = 0
    while i < len(data):
        ctrl = data[i]
        i += 1
        if ctrl < 32:
            out.extend(data[i:i + ctrl + 1])
            i += ctrl + 1
            continue
        ln = ctrl >> 5
        if ln == 7:
            ln += data[i]
            i += 1
        ref = len(out) - ((ctrl & 0x1F) << 8) - data[i] - 1
        i += 1
        for _ in range(ln + 2):
            out.append(out[ref])
            ref += 1
    assert len(out) == out_len
    return bytes(out)


# ------------------------------------------------------------------ values

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
_CANONICAL_INT = re.compile(rb"-?(0|[1-9][0-9]*)\Z")


def as_int(b):
    """The integer b is the canonical text of (Redis's string2ll), else None."""
    if not _CANONICAL_INT.match(b) or b == b"-0":
        return None
    v = int(b)
    return v if INT64_MIN <= v <= INT64_MAX else None


def d2string(score):
    """A score as Redis's d2string writes it into a zset ziplist."""
    if score == float("inf"):
        return b"inf"
    if score == float("-inf"):
        return b"-inf"
    if score == int(score) and abs(score) < (1 << 52):
        return str(int(score)).encode()
    return ("%.17g" % score).encode()


# ------------------------------------------------------------------ ziplist

ZL_HDR = 10


def zl_entry(prev_size, value, force_big_prevlen=False):
    """One ziplist entry holding bytes value, encoded as Redis chose: an
    integer when the text is canonical and shorter than 32 bytes."""
    if prev_size < 254 and not force_big_prevlen:
        out = bytearray([prev_size])
    else:
        out = bytearray([254]) + struct.pack("<I", prev_size)
    iv = as_int(value) if 0 < len(value) < 32 else None
    if iv is not None:
        if 0 <= iv <= 12:
            out.append(0xF1 + iv)
        elif -128 <= iv <= 127:
            out += bytes([0xFE]) + struct.pack("<b", iv)
        elif -32768 <= iv <= 32767:
            out += bytes([0xC0]) + struct.pack("<h", iv)
        elif -(1 << 23) <= iv < (1 << 23):
            out += bytes([0xF0]) + struct.pack("<i", iv)[:3]
        elif -(1 << 31) <= iv < (1 << 31):
            out += bytes([0xD0]) + struct.pack("<i", iv)
        else:
            out += bytes([0xE0]) + struct.pack("<q", iv)
        return bytes(out)
    n = len(value)
    if n <= 63:
        out.append(n)
    elif n <= 16383:
        out += bytes([0x40 | (n >> 8), n & 0xFF])
    else:
        out += bytes([0x80]) + struct.pack(">I", n)
    return bytes(out + value)


def ziplist(values, big_prevlen_at=(), count=None):
    """A ziplist of values (bytes); entries whose index is in big_prevlen_at
    get a five-byte prevlen even if one byte would do (legal: Redis kept
    them that way to avoid cascading updates)."""
    body = bytearray()
    prev = 0
    tail = ZL_HDR
    for i, v in enumerate(values):
        e = zl_entry(prev, v, i in big_prevlen_at)
        tail = ZL_HDR + len(body)
        body += e
        prev = len(e)
    total = ZL_HDR + len(body) + 1
    n = len(values) if count is None else count
    return struct.pack("<IIH", total, tail, min(n, 65535)) + bytes(body) + b"\xff"


def zipmap(pairs, free_after=None):
    """A zipmap of (field, value) pairs; free_after maps a pair index to a
    number of unused bytes after its value."""
    free_after = free_after or {}

    def ln(n):
        return bytes([n]) if n < 254 else bytes([254]) + struct.pack("<I", n)

    out = bytearray([len(pairs) if len(pairs) < 254 else 254])
    for i, (f, v) in enumerate(pairs):
        fr = free_after.get(i, 0)
        out += ln(len(f)) + f + ln(len(v)) + bytes([fr]) + v + b"\x00" * fr
    return bytes(out + b"\xff")


def intset(values):
    values = sorted(set(values))
    width = 2
    for v in values:
        if not -(1 << 15) <= v < (1 << 15):
            width = max(width, 4)
        if not -(1 << 31) <= v < (1 << 31):
            width = 8
    fmt = {2: "<h", 4: "<i", 8: "<q"}[width]
    return struct.pack("<II", width, len(values)) + b"".join(struct.pack(fmt, v) for v in values)


# ------------------------------------------------------------------ RDB writer

T_STRING, T_LIST, T_SET, T_ZSET, T_HASH, T_ZSET_2 = 0, 1, 2, 3, 4, 5
T_HASH_ZIPMAP, T_LIST_ZIPLIST, T_SET_INTSET = 9, 10, 11
T_ZSET_ZIPLIST, T_HASH_ZIPLIST, T_LIST_QUICKLIST = 12, 13, 14
OP_IDLE, OP_FREQ, OP_AUX, OP_RESIZEDB = 248, 249, 250, 251
OP_EXPIRETIME_MS, OP_EXPIRETIME, OP_SELECTDB, OP_EOF = 252, 253, 254, 255


def rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    if n <= 0xFFFFFFFF:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


def rdb_string(b, compress=True, force_lzf=False):
    """A string as rdbSaveRawString writes it: an integer encoding for
    short canonical integers that fit 32 bits, LZF when rdbcompression is
    on, the string is over 20 bytes and compressing saves 4 bytes or more,
    else the raw bytes."""
    if len(b) <= 11:
        iv = as_int(b)
        if iv is not None:
            if -128 <= iv <= 127:
                return b"\xc0" + struct.pack("<b", iv)
            if -32768 <= iv <= 32767:
                return b"\xc1" + struct.pack("<h", iv)
            if -(1 << 31) <= iv < (1 << 31):
                return b"\xc2" + struct.pack("<i", iv)
    if (compress and len(b) > 20) or force_lzf:
        c = lzf_compress(b)
        assert lzf_decompress(c, len(b)) == b
        if len(c) <= len(b) - 4 or force_lzf:
            return b"\xc3" + rdb_len(len(c)) + rdb_len(len(b)) + c
    return rdb_len(len(b)) + b


def rdb_double_string(score):
    """A score as RDB versions before 8 wrote it (type 3 zsets)."""
    if score != score:
        return b"\xfd"
    if score == float("inf"):
        return b"\xfe"
    if score == float("-inf"):
        return b"\xff"
    s = ("%.17g" % score).encode()
    return bytes([len(s)]) + s


class RdbWriter:
    def __init__(self, version):
        self.buf = bytearray(b"REDIS%04d" % version)
        self.version = version

    def aux(self, k, v):
        self.buf += bytes([OP_AUX]) + rdb_string(k) + rdb_string(v)

    def select(self, db, size, expires):
        self.buf += bytes([OP_SELECTDB]) + rdb_len(db)
        if self.version >= 7:  # RESIZEDB arrived with Redis 3.2
            self.buf += bytes([OP_RESIZEDB]) + rdb_len(size) + rdb_len(expires)

    def key(self, rtype, key, payload, expire_ms=None, idle=None, freq=None):
        if expire_ms is not None and self.version < 3:  # Redis 2.4: seconds
            self.buf += bytes([OP_EXPIRETIME]) + struct.pack("<i", expire_ms // 1000)
        elif expire_ms is not None:
            self.buf += bytes([OP_EXPIRETIME_MS]) + struct.pack("<q", expire_ms)
        if idle is not None:
            self.buf += bytes([OP_IDLE]) + rdb_len(idle)
        if freq is not None:
            self.buf += bytes([OP_FREQ, freq])
        self.buf += bytes([rtype]) + rdb_string(key) + payload

    def finish(self):
        self.buf.append(OP_EOF)
        if self.version >= 5:  # the CRC64 trailer arrived with Redis 2.6
            self.buf += struct.pack("<Q", crc64(self.buf))
        return bytes(self.buf)


# ------------------------------------------------------------------ expected contents
# Redis 7.0's load-time thresholds (its defaults).
HASH_MAX_LP_ENTRIES, HASH_MAX_LP_VALUE = 512, 64
ZSET_MAX_LP_ENTRIES, ZSET_MAX_LP_VALUE = 128, 64
SET_MAX_INTSET = 512


def txt(b):
    """bytes -> JSON-safe text (latin-1 maps each byte to one code point)."""
    return b.decode("latin-1")


def string_encoding(b):
    if as_int(b) is not None and len(b) <= 20:
        return "int"
    return "embstr" if len(b) <= 44 else "raw"


class Dataset:
    """Collects keys for one file: writes each as the old server would and
    records what Redis 7.0 must show for it."""

    def __init__(self, version, now_ms):
        self.version = version
        self.now_ms = now_ms
        self.dbs = {}

    def _add(self, db, rtype, key, payload, expect, expire_ms=None, idle=None, freq=None):
        entry = dict(expect)
        entry["key"] = txt(key)
        entry["expire_ms"] = expire_ms
        entry["idle"] = idle
        entry["freq"] = freq
        if expire_ms is not None and expire_ms <= self.now_ms:
            entry["gone"] = True  # expired before the load: not loaded
        self.dbs.setdefault(db, []).append((rtype, key, payload, entry, expire_ms, idle, freq))

    # --- each type, in the encoding the old server wrote

    def string(self, db, key, value, **kw):
        self._add(db, T_STRING, key, rdb_string(value),
                  {"type": "string", "encoding": string_encoding(value), "value": txt(value)}, **kw)

    def quicklist(self, db, key, values, node_bytes=8192, big_prevlen_at=(), empty_nodes=0, **kw):
        nodes, cur, size = [], [], ZL_HDR + 1
        for v in values:
            esize = len(v) + 10
            if cur and size + esize > node_bytes:
                nodes.append(cur)
                cur, size = [], ZL_HDR + 1
            cur.append(v)
            size += esize
        if cur:
            nodes.append(cur)
        blobs = [ziplist(n, big_prevlen_at) for n in nodes] + [ziplist([])] * empty_nodes
        payload = rdb_len(len(blobs)) + b"".join(rdb_string(b) for b in blobs)
        self._add(db, T_LIST_QUICKLIST, key, payload,
                  {"type": "list", "encoding": "quicklist", "value": [txt(v) for v in values]}, **kw)

    def plain_list(self, db, key, values, **kw):
        """Type 1: a length and the strings (lists before quicklists)."""
        payload = rdb_len(len(values)) + b"".join(rdb_string(v) for v in values)
        self._add(db, T_LIST, key, payload,
                  {"type": "list", "encoding": "quicklist", "value": [txt(v) for v in values]}, **kw)

    def ziplist_list(self, db, key, values, **kw):
        self._add(db, T_LIST_ZIPLIST, key, rdb_string(ziplist(values)),
                  {"type": "list", "encoding": "quicklist", "value": [txt(v) for v in values]}, **kw)

    def ziplist_hash(self, db, key, pairs, **kw):
        flat = [x for p in pairs for x in p]
        enc = "hashtable" if len(pairs) > HASH_MAX_LP_ENTRIES else "listpack"
        self._add(db, T_HASH_ZIPLIST, key, rdb_string(ziplist(flat)),
                  {"type": "hash", "encoding": enc, "value": [[txt(f), txt(v)] for f, v in pairs]}, **kw)

    def zipmap_hash(self, db, key, pairs, free_after=None, **kw):
        longest = max([len(x) for p in pairs for x in p] or [0])
        big = len(pairs) > HASH_MAX_LP_ENTRIES or longest > HASH_MAX_LP_VALUE
        self._add(db, T_HASH_ZIPMAP, key, rdb_string(zipmap(pairs, free_after)),
                  {"type": "hash", "encoding": "hashtable" if big else "listpack",
                   "value": [[txt(f), txt(v)] for f, v in pairs]}, **kw)

    def ziplist_zset(self, db, key, members, **kw):
        members = sorted(members, key=lambda ms: (ms[1], ms[0]))
        flat = [x for m, s in members for x in (m, d2string(s))]
        enc = "skiplist" if len(members) > ZSET_MAX_LP_ENTRIES else "listpack"
        self._add(db, T_ZSET_ZIPLIST, key, rdb_string(ziplist(flat)),
                  {"type": "zset", "encoding": enc, "value": [[txt(m), repr(float(s))] for m, s in members]}, **kw)

    def intset_set(self, db, key, values, **kw):
        enc = "hashtable" if len(set(values)) > SET_MAX_INTSET else "intset"
        self._add(db, T_SET_INTSET, key, rdb_string(intset(values)),
                  {"type": "set", "encoding": enc, "value": sorted(str(v) for v in set(values))}, **kw)

    def plain_set(self, db, key, members, **kw):
        payload = rdb_len(len(members)) + b"".join(rdb_string(m) for m in members)
        allint = all(as_int(m) is not None for m in members)
        enc = "intset" if allint and len(members) <= SET_MAX_INTSET else "hashtable"
        self._add(db, T_SET, key, payload,
                  {"type": "set", "encoding": enc, "value": sorted(txt(m) for m in members)}, **kw)

    def plain_hash(self, db, key, pairs, **kw):
        payload = rdb_len(len(pairs)) + b"".join(rdb_string(f) + rdb_string(v) for f, v in pairs)
        longest = max([len(x) for p in pairs for x in p] or [0])
        big = len(pairs) > HASH_MAX_LP_ENTRIES or longest > HASH_MAX_LP_VALUE
        self._add(db, T_HASH, key, payload,
                  {"type": "hash", "encoding": "hashtable" if big else "listpack",
                   "value": [[txt(f), txt(v)] for f, v in pairs]}, **kw)

    def plain_zset(self, db, key, members, **kw):
        """Type 3 (string scores) before RDB 8, type 5 (binary) from 8 on;
        Redis wrote big sorted sets from the skiplist, highest score first."""
        members = sorted(members, key=lambda ms: (ms[1], ms[0]))
        if self.version < 8:
            rtype = T_ZSET
            body = b"".join(rdb_string(m) + rdb_double_string(s) for m, s in reversed(members))
        else:
            rtype = T_ZSET_2
            body = b"".join(rdb_string(m) + struct.pack("<d", s) for m, s in reversed(members))
        longest = max([len(m) for m, _ in members] or [0])
        small = len(members) <= ZSET_MAX_LP_ENTRIES and longest <= ZSET_MAX_LP_VALUE
        self._add(db, rtype, key, rdb_len(len(members)) + body,
                  {"type": "zset", "encoding": "listpack" if small else "skiplist",
                   "value": [[txt(m), repr(float(s))] for m, s in members]}, **kw)

    def raw(self, db, rtype, key, payload, expect, **kw):
        """Any payload, with the expectation given (edge and corrupt cases)."""
        self._add(db, rtype, key, payload, expect, **kw)

    # --- output

    def write(self, aux):
        w = RdbWriter(self.version)
        for k, v in aux:
            w.aux(k, v)
        expected = {}
        for db in sorted(self.dbs):
            keys = self.dbs[db]
            w.select(db, len(keys), sum(1 for k in keys if k[4] is not None))
            for rtype, key, payload, entry, expire_ms, idle, freq in keys:
                w.key(rtype, key, payload, expire_ms, idle, freq)
                expected.setdefault(str(db), []).append(entry)
        return w.finish(), expected


# ------------------------------------------------------------------ the values

BIG = bytes((ord("a") + i % 26) for i in range(70000))

# One value per ziplist entry encoding (as Redis chose them), plus strings
# that look numeric but are not canonical, so stay strings.
EVERY_ENCODING = [
    b"", b"x", BIG[:63],                       # 6-bit string lengths
    BIG[:64], BIG[:300], BIG[:16383],          # 14-bit (300: next prevlen is 5 bytes)
    BIG[:16384], BIG[:20000],                  # 32-bit
    b"0", b"7", b"12",                         # 4-bit immediates
    b"13", b"-1", b"-128", b"127",             # int8
    b"128", b"-129", b"32767", b"-32768",      # int16
    b"32768", b"-32769", b"8388607", b"-8388608",   # int24
    b"8388608", b"-8388609", b"2147483647", b"-2147483648",  # int32
    b"2147483648", b"9223372036854775807", b"-9223372036854775808",  # int64
    b"9223372036854775808", b"007", b"-0", b"+5", b" 5", b"1.5", b"1e3",  # strings
    b"12345678901234567890123456789012",       # 32 digits: too long to try as integer
    b"\x00\xff\r\n binary",
]


def build_main(version, now_ms):
    """The main fixture of a version: every type and legacy encoding."""
    ds = Dataset(version, now_ms)
    day, hour = 86400 * 1000, 3600 * 1000
    idle = 1000 if version >= 9 else None      # LRU idle opcode: RDB 9 (Redis 5.0+)
    kw = {"idle": idle}
    # strings: int encodings, raw, LZF, empty, binary key and empty key
    ds.string(0, b"str:int8", b"-100", **kw)
    ds.string(0, b"str:int16", b"30000", **kw)
    ds.string(0, b"str:int32", b"-2000000000", **kw)
    ds.string(0, b"str:big-int", b"12345678901234", **kw)
    ds.string(0, b"str:short", b"hello world", **kw)
    ds.string(0, b"str:lzf", b"abcabcabcabc" * 100, **kw)
    ds.string(0, b"str:long", BIG[:5000], **kw)
    ds.string(0, b"str:empty", b"", **kw)
    ds.string(0, b"bin:\x00\xff\n\r key", b"\x00\x01\x02\xfe\xff", **kw)
    ds.string(0, b"", b"the empty key", **kw)
    ds.string(0, b"ttl:future", b"still here", expire_ms=now_ms + day, **kw)
    ds.string(0, b"ttl:past", b"gone on load", expire_ms=now_ms - hour, **kw)
    # lists: quicklists of ziplists (3.2+), several nodes, compressed nodes
    ds.quicklist(0, b"list:every-encoding", EVERY_ENCODING, **kw)
    ds.quicklist(0, b"list:many", [str(i).encode() * (1 + i % 5) for i in range(3000)], **kw)
    ds.quicklist(0, b"list:big-prevlen", [b"a", b"b", b"c", b"d"], big_prevlen_at=(1, 3), **kw)
    ds.quicklist(0, b"list:ttl", [b"x", b"y"], expire_ms=now_ms + 2 * day, **kw)
    ds.ziplist_list(0, b"list:ziplist", [b"old", b"list", b"-7", b"1000000", BIG[:100]], **kw)
    ds.ziplist_list(0, b"list:ziplist-big", [b"e%d" % i for i in range(5000)], **kw)
    ds.quicklist(0, b"list:big-nodes", [b"n%d" % i for i in range(20000)], node_bytes=65536, **kw)
    # hashes
    ds.ziplist_hash(0, b"hash:small", [(b"name", b"minired"), (b"count", b"42"), (b"neg", b"-5000000"),
                                       (b"77", b"int field"), (b"", b"empty field")], **kw)
    ds.ziplist_hash(0, b"hash:long-value", [(b"f", BIG[:100]), (b"g", b"1")], **kw)
    ds.ziplist_hash(0, b"hash:300", [(b"field:%d" % i, b"%d" % (i * 37)) for i in range(300)], **kw)
    ds.ziplist_hash(0, b"hash:600", [(b"f%d" % i, b"%d" % (i * 37)) for i in range(600)], **kw)
    ds.zipmap_hash(0, b"hash:zipmap", [(b"a", b"1"), (b"bb", b"hello"), (b"ccc", BIG[:40])],
                   free_after={1: 3}, **kw)
    ds.zipmap_hash(0, b"hash:zipmap-big", [(b"k", BIG[:300]), (BIG[:260], b"v")], **kw)
    ds.plain_hash(0, b"hash:table", [(b"h%d" % i, BIG[:i % 100]) for i in range(600)], **kw)
    # sorted sets
    ds.ziplist_zset(0, b"zset:small", [(b"a", 1.0), (b"b", 2.5), (b"c", -3.0), (b"inf", float("inf")),
                                       (b"-inf", float("-inf")), (b"tenth", 0.1), (b"big", 1e15),
                                       (b"huge", 1.5e300), (b"7", 0.0)], **kw)
    ds.ziplist_zset(0, b"zset:200", [(b"m%03d" % i, float(i % 17)) for i in range(200)], **kw)
    ds.ziplist_zset(0, b"zset:long-member", [(BIG[:100], 1.0), (b"short", 2.0)], **kw)
    ds.plain_zset(0, b"zset:plain", [(b"p%d" % i, i / 3.0) for i in range(300)], **kw)
    ds.plain_zset(0, b"zset:plain-small", [(b"x", 1.0), (b"y", 2.0)], **kw)
    # sets
    ds.intset_set(0, b"set:int16", [1, 2, 3, -5, 32000], **kw)
    ds.intset_set(0, b"set:int32", [1, 70000, -70000], **kw)
    ds.intset_set(0, b"set:int64", [1, 1 << 40, -(1 << 62)], **kw)
    ds.plain_set(0, b"set:table", [b"m%d" % i for i in range(50)], **kw)
    ds.plain_set(0, b"set:ints", [b"%d" % i for i in range(20)], **kw)
    # other databases
    ds.string(1, b"db1:key", b"in db 1", **kw)
    ds.quicklist(1, b"db1:list", [b"1", b"2", b"3"], **kw)
    ds.ziplist_hash(5, b"db5:hash", [(b"f", b"v")], expire_ms=now_ms + day, **kw)
    ds.ziplist_zset(15, b"db15:zset", [(b"only", 3.0)], **kw)
    ds.string(15, b"db15:expired", b"x", expire_ms=now_ms - 1000, **kw)
    return ds


def build_old(version, now_ms):
    """Files from before aux fields: Redis 2.4 (RDB 2: zipmaps, seconds
    expiries, no checksum) and Redis 2.8 (RDB 6: ziplist hashes, ziplist
    lists, CRC64)."""
    ds = Dataset(version, now_ms)
    day = 86400 * 1000
    future_s = (now_ms + day) // 1000 * 1000  # whole seconds survive RDB 2
    ds.string(0, b"str", b"old times")
    ds.string(0, b"num", b"123456")
    ds.string(0, b"ttl", b"expires", expire_ms=future_s)
    ds.string(0, b"ttl:past", b"expired", expire_ms=now_ms - day)
    ds.ziplist_list(0, b"list:ziplist", [b"a", b"12", b"-5000", BIG[:80]])
    ds.plain_list(0, b"list:linked", [b"x%d" % i for i in range(600)])
    ds.intset_set(0, b"set:intset", [3, 1, 2, 100000])
    ds.plain_set(0, b"set:plain", [b"s%d" % i for i in range(10)])
    ds.ziplist_zset(0, b"zset:ziplist", [(b"a", 1.0), (b"b", 2.25), (b"c", -7.0)])
    ds.plain_zset(0, b"zset:plain", [(b"p%d" % i, i * 1.5) for i in range(200)])
    if version < 6:
        ds.zipmap_hash(0, b"hash:zipmap", [(b"f1", b"v1"), (b"f2", b"22")])
    else:
        ds.ziplist_hash(0, b"hash:ziplist", [(b"f1", b"v1"), (b"f2", b"22")])
    ds.plain_hash(0, b"hash:plain", [(b"h%d" % i, b"v") for i in range(600)])
    ds.string(3, b"db3", b"three", expire_ms=future_s)
    return ds


def aux_fields(version, now_ms):
    """What each generation of Redis wrote at the top of a dump."""
    ctime = b"%d" % (now_ms // 1000)
    if version == 7:  # Redis 3.2
        return [(b"redis-ver", b"3.2.13"), (b"redis-bits", b"64"), (b"ctime", ctime), (b"used-mem", b"821696")]
    if version == 8:  # Redis 4.0
        return [(b"redis-ver", b"4.0.14"), (b"redis-bits", b"64"), (b"ctime", ctime), (b"used-mem", b"1870384"),
                (b"aof-preamble", b"0")]
    # Redis 6.2, as a replica writes it (replication ids, the Lua scripts)
    return [(b"redis-ver", b"6.2.14"), (b"redis-bits", b"64"), (b"ctime", ctime), (b"used-mem", b"2179904"),
            (b"repl-stream-db", b"0"), (b"repl-id", b"7c5f3a9e1b2d4c6e8f0a1b2c3d4e5f6a7b8c9d0e"),
            (b"repl-offset", b"123456"), (b"lua", b"return redis.call('ping')"),
            (b"aof-preamble", b"0")]


# ------------------------------------------------------------------ edge and corrupt cases

def build_lfu(now_ms):
    """RDB 9 with LFU frequency opcodes (maxmemory-policy allkeys-lfu)."""
    ds = Dataset(9, now_ms)
    ds.string(0, b"lfu:a", b"1", freq=5)
    ds.ziplist_hash(0, b"lfu:h", [(b"f", b"v")], freq=200)
    ds.quicklist(0, b"lfu:l", [b"x"], freq=0)
    return ds


# Each edge case: (name, rdb type, payload, what Redis 7.0.15 did with the
# key, a text its log then held). "skipped": the file loads and the key is
# absent; "refused": the whole load fails.
SKIPPED_LOG = "skipping empty key: edge"


def edge_cases():
    empty_zl = ziplist([])
    return [
        ("empty_hash_ziplist", T_HASH_ZIPLIST, rdb_string(empty_zl), "skipped", SKIPPED_LOG),
        ("empty_zset_ziplist", T_ZSET_ZIPLIST, rdb_string(empty_zl), "skipped", SKIPPED_LOG),
        ("empty_list_ziplist", T_LIST_ZIPLIST, rdb_string(empty_zl), "skipped", SKIPPED_LOG),
        ("empty_zipmap", T_HASH_ZIPMAP, rdb_string(zipmap([])), "refused", "Zipmap integrity check failed."),
        ("empty_intset", T_SET_INTSET, rdb_string(intset([])), "refused", "Intset integrity check failed."),
        ("quicklist_no_nodes", T_LIST_QUICKLIST, rdb_len(0), "skipped", SKIPPED_LOG),
        ("quicklist_only_empty_nodes", T_LIST_QUICKLIST, rdb_len(2) + rdb_string(empty_zl) * 2, "skipped",
         SKIPPED_LOG),
        ("quicklist_empty_node_between", T_LIST_QUICKLIST,
         rdb_len(3) + rdb_string(ziplist([b"a"])) + rdb_string(empty_zl) + rdb_string(ziplist([b"b"])),
         ["a", "b"], None),
        # Redis reports a short read here; the text differs, so none is checked.
        ("quicklist_empty_string_node", T_LIST_QUICKLIST, rdb_len(1) + rdb_string(b""), "refused", None),
    ]


HASH_ZL_BAD = "Hash ziplist integrity check failed."
ZSET_ZL_BAD = "Zset ziplist integrity check failed."
ZIPMAP_BAD = "Zipmap integrity check failed."


def corrupt_cases():
    """Blobs every loader must refuse (the whole file fails to load), with
    the reason Redis 7.0.15 logged for each."""
    good = ziplist([b"f1", b"v1", b"f2", b"v2"])
    bad_prevlen = bytearray(good)
    bad_prevlen[ZL_HDR + 4] = 3               # second entry: prevlen 3 instead of 4
    bad_count = bytearray(good)
    bad_count[8] = 5                          # zllen 5 for four entries
    bad_tail = bytearray(good)
    bad_tail[4] = ZL_HDR                      # zltail at the first entry
    past_end = bytearray(good)
    past_end[ZL_HDR + 1] = 40                 # a string longer than the blob
    zm = zipmap([(b"a", b"1"), (b"b", b"2")])
    zm_trunc = zm[:-3] + b"\xff"
    zm_count = bytes([3]) + zm[1:]
    zl_mid_tail = bytearray(ziplist([b"m", b"1"]))
    zl_mid_tail[4] = ZL_HDR + 1               # zltail inside the first entry
    return [
        ("corrupt_zl_prevlen", T_HASH_ZIPLIST, rdb_string(bytes(bad_prevlen)), HASH_ZL_BAD),
        ("corrupt_zl_count", T_HASH_ZIPLIST, rdb_string(bytes(bad_count)), HASH_ZL_BAD),
        ("corrupt_zl_tail", T_ZSET_ZIPLIST, rdb_string(bytes(zl_mid_tail)), ZSET_ZL_BAD),
        ("corrupt_zl_past_end", T_HASH_ZIPLIST, rdb_string(bytes(past_end)), HASH_ZL_BAD),
        ("corrupt_zl_bad_tail_list", T_LIST_ZIPLIST, rdb_string(bytes(bad_tail)),
         "List ziplist integrity check failed."),
        ("corrupt_zl_dup_field", T_HASH_ZIPLIST, rdb_string(ziplist([b"f", b"1", b"f", b"2"])), HASH_ZL_BAD),
        ("corrupt_zl_dup_member", T_ZSET_ZIPLIST, rdb_string(ziplist([b"m", b"1", b"m", b"2"])), ZSET_ZL_BAD),
        ("corrupt_zl_odd_hash", T_HASH_ZIPLIST, rdb_string(ziplist([b"f", b"1", b"g"])), HASH_ZL_BAD),
        ("corrupt_zl_odd_zset", T_ZSET_ZIPLIST, rdb_string(ziplist([b"m", b"1", b"n"])), ZSET_ZL_BAD),
        ("corrupt_quicklist_node", T_LIST_QUICKLIST, rdb_len(2) + rdb_string(ziplist([b"ok"])) +
         rdb_string(bytes(bad_prevlen)), "Ziplist integrity check failed."),
        ("corrupt_zipmap_trunc", T_HASH_ZIPMAP, rdb_string(zm_trunc), ZIPMAP_BAD),
        ("corrupt_zipmap_count", T_HASH_ZIPMAP, rdb_string(zm_count), ZIPMAP_BAD),
        ("corrupt_zipmap_dup", T_HASH_ZIPMAP, rdb_string(zipmap([(b"a", b"1"), (b"a", b"2")])),
         "Hash zipmap with dup elements"),
        ("corrupt_zl_header_size", T_ZSET_ZIPLIST, rdb_string(ziplist([b"m", b"1"]) + b"\xff"), ZSET_ZL_BAD),
    ]


def build_edge(name, rtype, payload, outcome, now_ms):
    ds = Dataset(9, now_ms)
    ds.string(0, b"before", b"1")
    if outcome == "skipped":
        expect = {"gone": True}
    elif outcome == "refused":
        expect = {}
    else:
        expect = {"type": "list", "encoding": "quicklist", "value": outcome}
    ds.raw(0, rtype, b"edge", payload, expect)
    ds.string(0, b"after", b"2")
    return ds, outcome == "refused"


# ------------------------------------------------------------------ main

def fixtures(now_ms):
    """name -> (rdb bytes, expected document)."""
    out = {}
    for v in (2, 6):
        data, exp = build_old(v, now_ms).write([])
        out["legacy_v%d" % v] = (data, {"version": v, "outcome": "load", "dbs": exp})
    for v in (7, 8, 9):
        data, exp = build_main(v, now_ms).write(aux_fields(v, now_ms))
        # A server with an LRU policy wrote the idle times; one with the
        # same policy reads them back (under noeviction they are dropped).
        args = ["--maxmemory-policy", "allkeys-lru"] if v >= 9 else []
        out["legacy_v%d" % v] = (data, {"version": v, "outcome": "load", "dbs": exp, "server_args": args})
    data, exp = build_lfu(now_ms).write(aux_fields(9, now_ms))
    out["legacy_v9_lfu"] = (data, {"version": 9, "outcome": "load", "dbs": exp,
                                   "server_args": ["--maxmemory-policy", "allkeys-lfu"]})
    for name, rtype, payload, outcome, log in edge_cases():
        ds, refused = build_edge(name, rtype, payload, outcome, now_ms)
        data, exp = ds.write(aux_fields(9, now_ms))
        out["edge_" + name] = (data, {"version": 9, "outcome": "refuse" if refused else "load", "dbs": exp,
                                      "log_contains": log})
    for name, rtype, payload, log in corrupt_cases():
        ds = Dataset(9, now_ms)
        ds.string(0, b"before", b"1")
        ds.raw(0, rtype, b"bad", payload, {})
        data, exp = ds.write(aux_fields(9, now_ms))
        out[name] = (data, {"version": 9, "outcome": "refuse", "dbs": exp, "log_contains": log})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="directory for <name>.rdb and <name>.json")
    ap.add_argument("--only", nargs="*", help="names to write (default: all)")
    ap.add_argument("--now-ms", type=int, default=None, help="the clock expiries are relative to")
    ap.add_argument("--list", action="store_true", help="print the fixture names and exit")
    args = ap.parse_args()
    now_ms = args.now_ms if args.now_ms is not None else int(time.time() * 1000)
    fx = fixtures(now_ms)
    if args.list:
        print("\n".join(sorted(fx)))
        return 0
    os.makedirs(args.out, exist_ok=True)
    for name, (data, exp) in sorted(fx.items()):
        if args.only and name not in args.only:
            continue
        with open(os.path.join(args.out, name + ".rdb"), "wb") as f:
            f.write(data)
        exp["generated_ms"] = now_ms
        with open(os.path.join(args.out, name + ".json"), "w") as f:
            json.dump(exp, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
