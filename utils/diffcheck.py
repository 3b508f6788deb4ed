#!/usr/bin/env python3
"""diffcheck: differential tester, minired vs. real Redis, byte for byte.

Sends the same commands to both servers over raw sockets, parses each RESP
reply only to find where it ends, and compares the raw bytes of the replies.
Owns nothing but its child servers, which it always kills by PID on exit.
Standard library only (Python 3.11).

Usage
  python3 utils/diffcheck.py --server build/epoll/minired-server [cases...]
  python3 utils/diffcheck.py --minired-port 7001 --redis-port 7002 [cases...]
  python3 utils/diffcheck.py --dump tests/diff/ping.txt   # print Redis's replies
Default cases: tests/diff/*.txt.  Exit status 1 if any case failed.

Case file format (tests/diff/*.txt)
  Each file is one case. It starts on a fresh connection to each server, with
  FLUSHALL sent first, so cases are independent.  Line by line:
    # comment                  blank lines and lines starting with # are skipped
    SET k "a b\\x00" 'c'       a command, split with redis-cli quoting rules
                               ("..." with \\xHH \\n \\r \\t \\b \\a \\" \\\\;
                               '...' with \\' ) and sent as a RESP multibulk;
                               one reply is read from each server and compared
  Directives (start with !):
    !raw [N] <bytes literal>   send raw bytes (a Python bytes literal such as
                               b"*1\\r\\n$4\\r\\nPING\\r\\n"), then read and compare
                               N replies (default 1; 0 = send only, e.g. the
                               first half of a command split across two sends)
    !expect-close              both servers must have closed the connection;
                               the next command opens a new one (no FLUSHALL)
    !new-connection            close and reopen both connections (no FLUSHALL)
    !sleep MS                  pause MS milliseconds
  Modifiers (apply to the next command or !raw only):
    !ignore [note]             read the reply but do not compare it (TIME, ...)
    !shape                     compare only the reply's shape: RESP types and
                               aggregate lengths recursively, map keys, and the
                               first word of errors; not other values
    !type                      compare only the top-level RESP type
    !stream-ids                compare after normalising what a clock decides
                               in stream replies: an ID "<ms>-<seq>" whose ms
                               is within a day of now becomes <idN>, numbered
                               per server in order of first sight over the
                               whole case (so the same ID stays the same
                               placeholder); integers within a day of now (ms
                               times) become <time>; an "idle" field's value
                               and the idle of an XPENDING entry become <idle>
    !acl-rules                 compare after sorting each run of single-command
                               rules ("+get -set +client|id") in every string:
                               Redis lists them in its command dict's order,
                               which its random hash seed changes per start;
                               rules naming commands Redis 7.0 lacks (MINIRED,
                               CLIENT SETINFO / NO-TOUCH) are dropped
    !acl-log                   compare ACL LOG entries with age-seconds left
                               out and client-info cut to the fields that do
                               not depend on the process (flags db sub psub
                               ssub multi cmd user resp)
    !known-difference REASON   a difference here is reported as KNOWN and is
                               not counted as a failure
"""

import argparse
import ast
import glob
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

READ_TIMEOUT_S = 5.0          # longest wait for one reply
CLOSE_WAIT_S = 2.0            # longest wait for the server to close (expect-close)
START_TIMEOUT_S = 10.0        # longest wait for a started server to accept
STOP_TIMEOUT_S = 5.0          # grace after SIGTERM before SIGKILL
RECV_CHUNK_BYTES = 65536
MAX_REPORTED_DIFFS = 10       # per case; the rest are only counted

CLOSED = '<connection closed>'
TIMEOUT = '<no reply: timeout>'


# --------------------------------------------------------------------------
# RESP parsing: finds where a reply ends and builds a tree for shape checks.

class Incomplete(Exception):
    """The buffer ends before the reply does."""


class BadReply(Exception):
    """The server sent bytes that are not RESP."""


def _line(buf, pos):
    end = buf.find(b'\r\n', pos)
    if end < 0:
        raise Incomplete()
    return buf[pos:end], end + 2


def _int(text, buf, pos):
    try:
        return int(text)
    except ValueError:
        raise BadReply('bad length %r at offset %d' % (text, pos)) from None


def _blob(buf, pos, length):
    if len(buf) < pos + length + 2:
        raise Incomplete()
    if buf[pos + length:pos + length + 2] != b'\r\n':
        raise BadReply('blob not followed by CRLF at offset %d' % (pos + length))
    return buf[pos:pos + length], pos + length + 2


SIMPLE_TYPES = b'+-:,_#('
BLOB_TYPES = b'$!='
AGGREGATE_TYPES = b'*~>%|'


def parse_value(buf, pos):
    """Parse one RESP2/RESP3 value at buf[pos:]; return ((type, payload), end).

    payload: bytes for scalars, None for RESP2 nulls, a list of values for
    aggregates (maps and attributes flattened to key, value, ...). An attribute
    ('|') is followed by the value it annotates, which is appended last.
    """
    if pos >= len(buf):
        raise Incomplete()
    kind = chr(buf[pos])
    head, pos2 = _line(buf, pos + 1)
    if buf[pos] in SIMPLE_TYPES:
        return (kind, head), pos2
    if buf[pos] in BLOB_TYPES:
        if head == b'?':
            return _parse_streamed_string(buf, pos2, kind)
        length = _int(head, buf, pos)
        if length < 0:
            return (kind, None), pos2
        data, end = _blob(buf, pos2, length)
        return (kind, data), end
    if buf[pos] in AGGREGATE_TYPES:
        if head == b'?':
            return _parse_streamed_aggregate(buf, pos2, kind)
        count = _int(head, buf, pos)
        if count < 0:
            return (kind, None), pos2
        if kind in '%|':
            count *= 2
        items = []
        for _ in range(count):
            item, pos2 = parse_value(buf, pos2)
            items.append(item)
        if kind == '|':
            item, pos2 = parse_value(buf, pos2)
            items.append(item)
        return (kind, items), pos2
    raise BadReply('unknown RESP type byte %r at offset %d' % (kind, pos))


def _parse_streamed_string(buf, pos, kind):
    data = b''
    while True:
        head, pos = _line(buf, pos)
        if not head.startswith(b';'):
            raise BadReply('bad streamed string chunk %r' % head)
        length = _int(head[1:], buf, pos)
        if length == 0:
            return (kind, data), pos
        chunk, pos = _blob(buf, pos, length)
        data += chunk


def _parse_streamed_aggregate(buf, pos, kind):
    items = []
    while True:
        if buf[pos:pos + 1] == b'.':
            _, pos = _line(buf, pos + 1)
            return (kind, items), pos
        item, pos = parse_value(buf, pos)
        items.append(item)


def shape_of(value, depth_limit=64):
    """The comparable shape: types and lengths, map keys, first word of errors."""
    kind, payload = value
    if kind in '-!':
        return (kind, payload.split(b' ', 1)[0] if payload else payload)
    if payload is None or not isinstance(payload, list):
        return (kind, None if payload is None else '')
    if depth_limit == 0:
        return (kind, len(payload))
    children = []
    for i, item in enumerate(payload):
        is_map_key = kind in '%|' and i % 2 == 0 and item[0] in '+$'
        children.append(item if is_map_key else shape_of(item, depth_limit - 1))
    return (kind, len(payload), tuple(children))


# --------------------------------------------------------------------------
# redis-cli compatible argument splitting.

class QuoteError(Exception):
    pass


ESCAPES = {'n': b'\n', 'r': b'\r', 't': b'\t', 'b': b'\b', 'a': b'\a'}
HEX_DIGITS = '0123456789abcdefABCDEF'


def _char_bytes(c):
    return c.encode('utf-8', 'surrogateescape')


def split_args(line):
    """Split like redis-cli (sdssplitargs); returns a list of bytes."""
    args, i, n = [], 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args
        cur, state = bytearray(), None      # state: None, '"' or "'"
        while True:
            c = line[i] if i < n else None
            if state == '"':
                if c is None:
                    raise QuoteError('unbalanced double quotes')
                if (c == '\\' and i + 3 < n and line[i + 1] == 'x'
                        and line[i + 2] in HEX_DIGITS and line[i + 3] in HEX_DIGITS):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif c == '\\' and i + 1 < n:
                    i += 1
                    cur += ESCAPES.get(line[i], _char_bytes(line[i]))
                elif c == '"':
                    if i + 1 < n and not line[i + 1].isspace():
                        raise QuoteError('closing quote must be followed by a space')
                    i += 1
                    break
                else:
                    cur += _char_bytes(c)
            elif state == "'":
                if c is None:
                    raise QuoteError('unbalanced single quotes')
                if c == '\\' and i + 1 < n and line[i + 1] == "'":
                    cur += b"'"
                    i += 1
                elif c == "'":
                    if i + 1 < n and not line[i + 1].isspace():
                        raise QuoteError('closing quote must be followed by a space')
                    i += 1
                    break
                else:
                    cur += _char_bytes(c)
            else:
                if c is None or c in ' \n\r\t\0':
                    break
                if c == '"' or c == "'":
                    state = c
                else:
                    cur += _char_bytes(c)
            i += 1
        args.append(bytes(cur))


def encode_command(args):
    out = [b'*%d\r\n' % len(args)]
    for a in args:
        out.append(b'$%d\r\n%s\r\n' % (len(a), a))
    return b''.join(out)


# --------------------------------------------------------------------------
# Case files.

class Step:
    def __init__(self, lineno, kind, text, data=None, count=1):
        self.lineno, self.kind, self.text = lineno, kind, text
        self.data, self.count = data, count
        self.mode = 'exact'             # exact | shape | type | ignore
        self.known = None               # reason when a known difference


class CaseError(Exception):
    pass


MODIFIERS = {'!ignore': 'ignore', '!shape': 'shape', '!type': 'type', '!stream-ids': 'stream-ids',
             '!acl-rules': 'acl-rules', '!acl-log': 'acl-log'}

# --------------------------------------------------------------------------
# !stream-ids: what the clock decides in stream replies, replaced by
# placeholders before comparing.

CLOCK_WINDOW_MS = 86400 * 1000      # "near now": within a day
STREAM_ID_RE = re.compile(rb'([0-9]{1,20})-([0-9]{1,20})')


def _near_now(ms):
    return abs(ms - time.time() * 1000) < CLOCK_WINDOW_MS


def _is_clock_id(payload):
    m = isinstance(payload, bytes) and STREAM_ID_RE.fullmatch(payload)
    return bool(m) and _near_now(int(m.group(1)))


def normalise_stream_reply(value, ids):
    """value with clock-made IDs, times and idle fields replaced; ids maps
    this server's IDs to their placeholder numbers (kept across the case)."""
    kind, payload = value
    if kind in '$+=' and _is_clock_id(payload):
        if payload not in ids:
            ids[payload] = len(ids) + 1
        return (kind, b'<id%d>' % ids[payload])
    if kind == ':' and payload.lstrip(b'-').isdigit() and _near_now(int(payload)):
        return (kind, b'<time>')
    if not isinstance(payload, list):
        return value
    items = [normalise_stream_reply(item, ids) for item in payload]
    for i in range(len(items) - 1):         # "idle" field (map or flat pairs)
        if items[i] in (('$', b'idle'), ('+', b'idle')) and items[i + 1][0] == ':':
            items[i + 1] = (':', b'<idle>')
    # An XPENDING extended entry: [id, consumer, idle, deliveries].
    if (kind == '*' and len(items) == 4 and items[0][0] == '$' and items[1][0] == '$' and
            items[2][0] == ':' and items[3][0] == ':' and isinstance(payload[0][1], bytes) and
            STREAM_ID_RE.fullmatch(payload[0][1])):
        items[2] = (':', b'<idle>')
    return (kind, items)


def _parse_directive(line, where):
    """Return a Step for a directive line, or None for a modifier."""
    word, _, rest = line.partition(' ')
    rest = rest.strip()
    if word in MODIFIERS or word == '!known-difference':
        if word == '!known-difference' and not rest:
            raise CaseError('%s: !known-difference needs a reason' % where)
        return None
    if word in ('!expect-close', '!new-connection'):
        return Step(0, word[1:], line)
    if word == '!sleep':
        try:
            return Step(0, 'sleep', line, data=int(rest))
        except ValueError:
            raise CaseError('%s: !sleep needs milliseconds' % where) from None
    if word == '!raw':
        count, literal = 1, rest
        first, _, tail = rest.partition(' ')
        if first.isdigit():
            count, literal = int(first), tail.strip()
        try:
            data = ast.literal_eval(literal)
        except (ValueError, SyntaxError) as e:
            raise CaseError('%s: bad bytes literal: %s' % (where, e)) from None
        if not isinstance(data, bytes):
            raise CaseError('%s: !raw needs a bytes literal b"..."' % where)
        return Step(0, 'raw', line, data=data, count=count)
    raise CaseError('%s: unknown directive %s' % (where, word))


def parse_case(path):
    """Parse a case file into Steps; raise CaseError with file:line on errors."""
    steps, mode, known = [], None, None
    with open(path, encoding='utf-8', errors='surrogateescape') as f:
        lines = f.read().split('\n')
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        where = '%s:%d' % (path, lineno)
        if line.startswith('!'):
            step = _parse_directive(line, where)
            if step is None:                    # a modifier for the next step
                word, _, rest = line.partition(' ')
                if word == '!known-difference':
                    known = rest.strip()
                else:
                    mode = MODIFIERS[word]
                continue
        else:
            try:
                args = split_args(line)
            except QuoteError as e:
                raise CaseError('%s: %s' % (where, e)) from None
            if not args:
                raise CaseError('%s: empty command' % where)
            step = Step(0, 'cmd', line, data=encode_command(args))
        if (mode or known) and step.kind not in ('cmd', 'raw'):
            raise CaseError('%s: a modifier must be followed by a command or !raw' % where)
        step.lineno, step.mode, step.known = lineno, mode or 'exact', known
        mode = known = None
        steps.append(step)
    if mode or known:
        raise CaseError('%s: modifier at end of file' % path)
    return steps


# --------------------------------------------------------------------------
# !acl-rules: single-command rules in Redis's random dict order.

ACL_SINGLE_RE = re.compile(rb'^[+-][^@]')
ACL_MINIRED_ONLY_RE = re.compile(rb'^[+-](minired(\|.*)?|client\|setinfo|client\|no-touch)$', re.I)


def normalise_acl_rules(value):
    kind, payload = value
    if isinstance(payload, list):
        return (kind, [normalise_acl_rules(item) for item in payload])
    if kind not in '$+' or not isinstance(payload, bytes):
        return value
    out, run = [], []
    for tok in payload.replace(b')', b' )').split(b' ') + [b'']:
        if ACL_MINIRED_ONLY_RE.match(tok):
            continue
        if ACL_SINGLE_RE.match(tok):
            run.append(tok)
            continue
        out += sorted(run) + [tok]
        run = []
    return (kind, b' '.join(out))


ACL_LOG_CLIENT_FIELDS = (b'flags', b'db', b'sub', b'psub', b'ssub', b'multi', b'cmd', b'user', b'resp')


def normalise_acl_log(value):
    kind, payload = value
    if not isinstance(payload, list):
        return value
    items = [normalise_acl_log(item) for item in payload]
    for i in range(0, len(items) - 1, 2):
        key = items[i][1]
        if key == b'age-seconds':
            items[i + 1] = ('', b'<age>')
        elif key == b'client-info' and isinstance(items[i + 1][1], bytes):
            kept = [f for f in items[i + 1][1].split(b' ') if f.split(b'=')[0] in ACL_LOG_CLIENT_FIELDS]
            items[i + 1] = (items[i + 1][0], b' '.join(kept))
    return (kind, items)


# --------------------------------------------------------------------------
# Connections.

class Conn:
    """One client connection; replies are returned as (raw_bytes, tree)."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.sock, self.buf, self.closed = None, b'', False
        self.stream_ids = {}    # !stream-ids placeholders, for the whole case
        self.reopen()

    def reopen(self):
        self.close()
        self.sock = socket.create_connection((self.host, self.port), timeout=READ_TIMEOUT_S)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf, self.closed = b'', False

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def send(self, data):
        if self.closed:
            return
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    def _recv(self, timeout):
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(RECV_CHUNK_BYTES)
        except socket.timeout:
            return None
        except OSError:
            chunk = b''
        if not chunk:
            self.closed = True
        return chunk

    def read_reply(self):
        """Return (raw, tree), or (CLOSED, None) / (TIMEOUT, None)."""
        deadline = time.monotonic() + READ_TIMEOUT_S
        while True:
            try:
                tree, end = parse_value(self.buf, 0)
                raw, self.buf = self.buf[:end], self.buf[end:]
                return raw, tree
            except Incomplete:
                pass
            except BadReply as e:
                raw, self.buf = self.buf, b''
                return raw, ('?', str(e).encode())
            if self.closed:
                return CLOSED, None
            left = deadline - time.monotonic()
            if left <= 0:
                return TIMEOUT, None
            chunk = self._recv(left)
            if chunk is None:
                return TIMEOUT, None
            self.buf += chunk

    def wait_closed(self, timeout=CLOSE_WAIT_S):
        """Return None if the peer closed with nothing pending, else what came."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            left = deadline - time.monotonic()
            chunk = self._recv(left) if left > 0 else None
            if chunk is None:
                return self.buf + b'<still open>'
            self.buf += chunk
        pending, self.buf = self.buf, b''
        return pending or None


# --------------------------------------------------------------------------
# Running cases.

def show(reply):
    return reply if isinstance(reply, str) else repr(reply)


class CaseResult:
    def __init__(self, path):
        self.path = path
        self.diffs, self.known, self.notes = [], [], []
        self.commands = 0


def _compare(step, a, b, conns=None):
    """True when replies a and b (raw, tree) agree under the step's mode."""
    (raw_a, tree_a), (raw_b, tree_b) = a, b
    if isinstance(raw_a, str) or isinstance(raw_b, str):
        return raw_a == raw_b
    if step.mode == 'ignore':
        return True
    if step.mode == 'shape':
        return shape_of(tree_a) == shape_of(tree_b)
    if step.mode == 'type':
        return tree_a[0] == tree_b[0]
    if step.mode == 'stream-ids':
        ids = (conns[0].stream_ids, conns[1].stream_ids) if conns else ({}, {})
        return normalise_stream_reply(tree_a, ids[0]) == normalise_stream_reply(tree_b, ids[1])
    if step.mode == 'acl-rules':
        return normalise_acl_rules(tree_a) == normalise_acl_rules(tree_b)
    if step.mode == 'acl-log':
        return normalise_acl_log(tree_a) == normalise_acl_log(tree_b)
    return raw_a == raw_b


def _record(result, step, label, a, b, names):
    where = '%s:%d' % (result.path, step.lineno)
    text = '  %s: %s%s\n    %-8s %s\n    %-8s %s' % (
        where, step.text, label, names[0] + ':', show(a[0]), names[1] + ':', show(b[0]))
    if step.mode in ('shape', 'type'):
        text += '\n    (compared %s only)' % step.mode
    if step.mode == 'stream-ids':
        text += '\n    (compared with clock-made stream IDs and times normalised)'
    if step.mode == 'acl-rules':
        text += '\n    (compared with single-command ACL rules sorted)'
    if step.mode == 'acl-log':
        text += '\n    (compared without ages and process-bound client-info fields)'
    if step.known:
        result.known.append(text + '\n    known difference: ' + step.known)
    else:
        result.diffs.append(text)


def _run_step(step, conns, result, names):
    """Run one step on both connections; return False if streams are lost."""
    if step.kind == 'sleep':
        time.sleep(step.data / 1000.0)
        return True
    if step.kind == 'new-connection':
        for c in conns:
            c.reopen()
        return True
    if step.kind == 'expect-close':
        got = [c.wait_closed() for c in conns]
        if got[0] != got[1] or got[0] is not None:
            a = (CLOSED if got[0] is None else got[0], None)
            b = (CLOSED if got[1] is None else got[1], None)
            label = '' if got[0] != got[1] else '  (unread bytes before the close)'
            _record(result, step, label, a, b, names)
        for c in conns:
            c.reopen()
        return True
    for c in conns:
        if c.closed:            # a previous reply closed it unexpectedly
            c.reopen()
        c.send(step.data)
    result.commands += 1
    in_sync, matched = True, True
    for i in range(step.count):
        a, b = conns[0].read_reply(), conns[1].read_reply()
        if not _compare(step, a, b, conns) or a[0] == TIMEOUT:
            matched = False
            label = '' if step.count == 1 else '  [reply %d of %d]' % (i + 1, step.count)
            _record(result, step, label, a, b, names)
            if TIMEOUT in (a[0], b[0]):
                in_sync = False
                break
    if matched and step.known:
        result.notes.append('  %s:%d: known difference did not occur: %s'
                            % (result.path, step.lineno, step.known))
    return in_sync


def run_case(path, ports, host, names, dump=False):
    result = CaseResult(path)
    try:
        steps = parse_case(path)
    except (CaseError, OSError) as e:
        result.diffs.append('  case file error: %s' % e)
        return result
    conns = []
    try:
        conns = [Conn(host, p) for p in ports]
        setup = Step(0, 'cmd', 'FLUSHALL (case setup)', data=encode_command([b'FLUSHALL']))
        for c in conns:
            c.send(setup.data)
        replies = [c.read_reply() for c in conns]
        if not _compare(setup, *replies):
            _record(result, setup, '', replies[0], replies[1], names)
        for step in steps:
            if dump:
                _dump_step(step, conns[1])
                continue
            if not _run_step(step, conns, result, names):
                result.diffs.append('  %s:%d: replies out of sync, rest of case skipped'
                                    % (path, step.lineno))
                break
    except OSError as e:
        result.diffs.append('  %s: connection error: %s' % (path, e))
    finally:
        for c in conns:
            c.close()
    return result


def _dump_step(step, conn):
    """--dump: run one step on the reference connection and print its replies."""
    if step.kind == 'sleep':
        time.sleep(step.data / 1000.0)
        return
    if step.kind == 'new-connection':
        conn.reopen()
        return
    if step.kind == 'expect-close':
        left = conn.wait_closed()
        print('%4d  %s\n      -> %s' % (step.lineno, step.text,
                                          'closed' if left is None else show(left)))
        conn.reopen()
        return
    if conn.closed:
        conn.reopen()
    conn.send(step.data)
    print('%4d  %s' % (step.lineno, step.text))
    for _ in range(step.count):
        print('      -> %s' % show(conn.read_reply()[0]))


# --------------------------------------------------------------------------
# Server processes.

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    """A server child process started with redis-server's command line."""

    def __init__(self, name, binary, extra_args, workdir):
        self.name, self.port = name, free_port()
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.log_path = os.path.join(self.dir, 'server.log')
        argv = [binary, '--port', str(self.port), '--bind', '127.0.0.1',
                '--save', '', '--dir', self.dir, '--daemonize', 'no',
                # Cases may use DEBUG (Redis 7.0 refuses it by default).
                '--enable-debug-command', 'yes'] + extra_args
        self.log = open(self.log_path, 'wb')
        # A new session keeps a terminal's Ctrl-C away from the child: we stop
        # it ourselves, by PID, so it never outlives us nor dies half-way.
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.dir,
                                     start_new_session=True)
        self.pid = self.proc.pid

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        with open(self.log_path, 'rb') as f:
            tail = f.read()[-2000:].decode('utf-8', 'replace')
        raise RuntimeError('%s (pid %d) did not accept on port %d; log tail:\n%s'
                           % (self.name, self.pid, self.port, tail))

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def _sigterm(signum, frame):
    raise KeyboardInterrupt()


def default_cases():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return sorted(glob.glob(os.path.join(root, 'tests', 'diff', '*.txt')))


def parse_cli(argv):
    p = argparse.ArgumentParser(description='Compare minired with Redis, reply bytes for reply bytes.')
    p.add_argument('cases', nargs='*', help='case files (default: tests/diff/*.txt)')
    p.add_argument('--server', help='minired-server binary to start')
    p.add_argument('--redis', default='redis-server', help='reference server binary')
    p.add_argument('--server-args', default='', help='extra arguments for minired (shell-quoted)')
    p.add_argument('--redis-args', default='', help='extra arguments for redis (shell-quoted)')
    p.add_argument('--minired-port', type=int, help='use an already running minired')
    p.add_argument('--redis-port', type=int, help='use an already running redis')
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--dump', action='store_true',
                   help="print each command and Redis's reply, compare nothing")
    p.add_argument('--timeout', type=float, default=READ_TIMEOUT_S, help='seconds per reply')
    args = p.parse_args(argv)
    if args.minired_port is None and not args.server and not args.dump:
        p.error('give --server PATH or --minired-port P')
    return args


def main(argv):
    global READ_TIMEOUT_S
    args = parse_cli(argv)
    READ_TIMEOUT_S = args.timeout
    cases = args.cases or default_cases()
    if not cases:
        print('diffcheck: no case files found', file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _sigterm)
    names = ('minired', 'redis')
    servers, workdir = [], tempfile.mkdtemp(prefix='diffcheck.')
    try:
        ports = [args.minired_port, args.redis_port]
        plan = [(0, args.server, args.server_args), (1, args.redis, args.redis_args)]
        for idx, binary, extra in plan:
            if ports[idx] is None and (binary and not (args.dump and idx == 0)):
                srv = Server(names[idx], binary, shlex.split(extra), workdir)
                servers.append(srv)
                ports[idx] = srv.port
        for srv in servers:
            srv.wait_ready()
        if args.dump:
            ports[0] = ports[1]
        return run_all(cases, ports, args.host, names, args.dump)
    except KeyboardInterrupt:
        print('diffcheck: interrupted', file=sys.stderr)
        return 130
    except RuntimeError as e:
        print('diffcheck: %s' % e, file=sys.stderr)
        return 2
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def run_all(cases, ports, host, names, dump):
    passed = failed = 0
    for path in cases:
        shown = os.path.relpath(path)
        if dump:
            print('== %s' % shown)
            for text in run_case(shown, ports, host, names, dump=True).diffs:
                print(text)
            continue
        r = run_case(shown, ports, host, names)
        status = 'FAIL' if r.diffs else 'PASS'
        extra = ', %d known differences' % len(r.known) if r.known else ''
        print('%s  %s  (%d commands, %d differences%s)'
              % (status, shown, r.commands, len(r.diffs), extra))
        for text in r.diffs[:MAX_REPORTED_DIFFS]:
            print(text)
        if len(r.diffs) > MAX_REPORTED_DIFFS:
            print('  ... %d more differences' % (len(r.diffs) - MAX_REPORTED_DIFFS))
        for text in r.known + r.notes:
            print(text.replace('  ', '  KNOWN ', 1) if text in r.known else text)
        if r.diffs:
            failed += 1
        else:
            passed += 1
    if dump:
        return 0
    print('diffcheck: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
