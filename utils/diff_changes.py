#!/usr/bin/env python3
"""diff_changes: differential checks of the change path, minired vs. Redis.

Runs the same commands on minired and on redis-server and compares, after
every single command, what the command changed rather than what it replied:

  notify   the keyspace events a `PSUBSCRIBE __key*__:*` subscriber receives
           (channel and payload, in order), under `notify-keyspace-events`
           KEA and again under KEAnm; plus the eviction bar (evict mode)
  dirty    the INFO persistence `rdb_changes_since_last_save` delta
  effects  the propagated effects: Redis's replica stream (SYNC) against
           minired's `DEBUG EFFECTS GET`, command for command, absolute
           times (PXAT / PEXPIREAT ...) equal within a tolerance
  evict    under maxmemory, `evicted` events == INFO evicted_keys

Events, deltas and effects are attributed to the command that caused them:
after each command a marker is sent on a separate control connection (a
PUBLISH on a channel the subscriber's pattern matches; on the replica link
the PUBLISH itself is propagated) and the observer reads up to that marker.

Usage (utils/diff_notify.py, diff_dirty.py, diff_effects.py are shorthands):
  python3 utils/diff_changes.py notify  --server build/epoll/minired-server [cases...]
  python3 utils/diff_changes.py dirty   --server redis-server   # tool self-check
  python3 utils/diff_changes.py effects --server BIN --random 5 --length 400 --seed 7
Default cases: tests/diff_changes/*.txt, then --random streams (default 3).
Failures of cases listed in tests/diff_changes/KNOWN_FAILING are reported
as KNOWN and do not fail the run (--strict counts them).  Exit status 1 on
any other difference, 2 when a server cannot start.  Standard library only.

Case files: one command per line in redis-cli quoting (see diffcheck.py),
`# comments`, and the directives
  !conn N        later commands go to client connection N (0-9, default 0;
                 each case starts with fresh connections in db 0)
  !send CMD      send CMD without reading its reply (a blocking command);
                 waits until the server reports it blocked or it answered
  !read          read the reply of the last !send on the current connection
  !sleep MS      pause (lazy expiry cases)
  !ignore        the next command's reply is not compared (random replies)
  !unordered     the next command's events/effects are compared as a set
                 (several keys evicted at once, in sampling order)
  !modes a,b     run this case only in the listed modes (default all)
Reply differences are printed as `reply differs` notes: they are
diffcheck.py's business and do not fail these checks.
"""

import argparse
import fnmatch
import glob
import itertools
import os
import random
import select
import shlex
import shutil
import signal
import socket
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ left in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffcheck  # noqa: E402  (shared RESP parser, quoting, Conn, Server)
from diffcheck import (Conn, Server, encode_command, split_args,  # noqa: E402
                       parse_value, Incomplete, BadReply, QuoteError)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASE_DIR = os.path.join(ROOT, 'tests', 'diff_changes')
KNOWN_FILE = os.path.join(CASE_DIR, 'KNOWN_FAILING')

READ_TIMEOUT_S = 5.0          # longest wait for one reply or one marker
BLOCK_WAIT_S = 5.0            # longest wait for a !send to block or answer
POLL_INTERVAL_S = 0.005
SYNC_TIMEOUT_S = 10.0         # longest wait for the replica link's RDB
DEFAULT_TIME_TOLERANCE_MS = 2000
SUBSCRIBER_RESP3 = False      # --resp3: the subscriber gets > push messages
VERBOSE = False               # --verbose: print every step's observation
MAX_REPORTED_DIFFS = 5        # per case; the rest are only counted
CONTEXT_STEPS = 3             # earlier commands shown before a difference
NOTIFY_PATTERN = b'__key*__:*'
NOTIFY_FLAG_SETS = ('KEA', 'KEAnm')
MARKER_PREFIX = b'__keydiffmark__:'  # matches NOTIFY_PATTERN on purpose
EVICT_VALUE_BYTES = 1000
EVICT_KEYS = 6000
EVICT_HEADROOM_BYTES = 2 * 1024 * 1024
EVICT_BATCH = 200
# policy, lazyfree-lazy-eviction; volatile-* runs fill with keys that have a TTL
EVICT_RUNS = (('allkeys-random', 'no'), ('allkeys-lru', 'yes'), ('volatile-ttl', 'no'))

# Reset at the start of every case; errors are ignored (a server may not
# know a setting yet), FLUSHALL's is not.
CASE_SETUP = [
    ['SELECT', '0'], ['FLUSHALL'],
    ['CONFIG', 'SET', 'maxmemory', '0'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ['CONFIG', 'SET', 'lazyfree-lazy-expire', 'no'],
    ['CONFIG', 'SET', 'lazyfree-lazy-eviction', 'no'],
    ['CONFIG', 'SET', 'lazyfree-lazy-server-del', 'no'],
    ['CONFIG', 'SET', 'lazyfree-lazy-user-del', 'no'],
    ['CONFIG', 'SET', 'lazyfree-lazy-user-flush', 'no'],
]


def enc(*args):
    return encode_command([a if isinstance(a, bytes) else str(a).encode() for a in args])


def call(conn, *args):
    """Send one command, return (raw, tree) of its reply."""
    conn.send(enc(*args))
    return conn.read_reply()


def is_error(reply):
    raw, tree = reply
    return tree is None or tree[0] in '-!'


def _int_field(line):
    """The integer after `name:` in an INFO line."""
    try:
        return int(line.split(b':', 1)[1])
    except (IndexError, ValueError):
        raise ObserverError('bad INFO line %r' % line) from None


def show_args(args):
    """A command as a readable line (redis-cli-like quoting)."""
    out = []
    for a in args:
        s = a.decode('utf-8', 'backslashreplace') if isinstance(a, bytes) else str(a)
        out.append(s if s and all(c.isprintable() and c not in ' "\'' for c in s) else repr(s))
    return ' '.join(out)


# --------------------------------------------------------------------------
# Cases.

class Step:
    def __init__(self, lineno, kind, text, args=None, value=None):
        self.lineno, self.kind, self.text = lineno, kind, text
        self.args, self.value = args, value
        self.ignore_reply = self.unordered = False


class CaseError(Exception):
    pass


class Case:
    def __init__(self, name, path, steps, modes):
        self.name, self.path, self.steps, self.modes = name, path, steps, modes


def parse_lines(lines, where):
    """Parse case text into (steps, modes); raise CaseError with file:line."""
    steps, modes, ignore, unordered = [], None, False, False
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        loc = '%s:%d' % (where, lineno)
        word, _, rest = line.partition(' ')
        rest = rest.strip()
        if line.startswith('!'):
            if word == '!ignore':
                ignore = True
                continue
            if word == '!unordered':
                unordered = True
                continue
            if word == '!modes':
                modes = set(m.strip() for m in rest.split(',') if m.strip())
                continue
            if word == '!conn' and rest.isdigit():
                steps.append(Step(lineno, 'conn', line, value=int(rest)))
            elif word == '!sleep' and rest.isdigit():
                steps.append(Step(lineno, 'sleep', line, value=int(rest)))
            elif word == '!read' and not rest:
                steps.append(Step(lineno, 'read', line))
            elif word == '!send' and rest:
                steps.append(Step(lineno, 'send', rest, args=_split(rest, loc)))
            else:
                raise CaseError('%s: bad directive %r' % (loc, line))
        else:
            steps.append(Step(lineno, 'cmd', line, args=_split(line, loc)))
        if ignore or unordered:
            if steps[-1].kind not in ('cmd', 'send', 'read'):
                raise CaseError('%s: a modifier must precede a command' % loc)
            steps[-1].ignore_reply |= ignore
            steps[-1].unordered |= unordered
            ignore = unordered = False
    return steps, modes


def _split(text, loc):
    try:
        args = split_args(text)
    except QuoteError as e:
        raise CaseError('%s: %s' % (loc, e)) from None
    if not args:
        raise CaseError('%s: empty command' % loc)
    return args


def load_case(path):
    with open(path, encoding='utf-8', errors='surrogateescape') as f:
        lines = f.read().split('\n')
    shown = os.path.relpath(path)
    steps, modes = parse_lines(lines, shown)
    return Case(os.path.basename(path), shown, steps, modes)


# --------------------------------------------------------------------------
# Observers: what one server reports about the command just run.

class ObserverError(Exception):
    pass


class Observer:
    """Base: setup() once per run, begin_case() per case, collect() per step."""
    def __init__(self, side):
        self.side = side

    def setup(self):
        pass

    def begin_case(self):
        self.collect()

    def collect(self):
        raise NotImplementedError


class NotifyObserver(Observer):
    """A RESP2 subscriber on __key*__:*; a PUBLISH marker closes each step."""
    def setup(self):
        self.sub = Conn(self.side.host, self.side.port)
        if SUBSCRIBER_RESP3:
            raw, tree = call(self.sub, 'HELLO', '3')
            if is_error((raw, tree)):
                raise ObserverError('HELLO 3 failed: %s' % diffcheck.show(raw))
        self.sub.send(enc('PSUBSCRIBE', NOTIFY_PATTERN))
        raw, tree = self.sub.read_reply()
        if tree is None or tree[0] not in '*>':
            raise ObserverError('PSUBSCRIBE failed: %s' % diffcheck.show(raw))
        self.marker = 0

    def collect(self):
        self.marker += 1
        mark = MARKER_PREFIX + b'%d' % self.marker
        call(self.side.ctrl, 'PUBLISH', mark, b'm')
        events, deadline = [], time.monotonic() + READ_TIMEOUT_S
        while True:
            diffcheck.READ_TIMEOUT_S = max(0.01, deadline - time.monotonic())
            raw, tree = self.sub.read_reply()
            diffcheck.READ_TIMEOUT_S = READ_TIMEOUT_S
            if tree is None:
                events.append('<%s before the marker>' % raw.strip('<>'))
                return events
            items = tree[1] if tree[0] in '*>' and tree[1] else []
            vals = [i[1] for i in items]
            if len(vals) == 4 and vals[0] == b'pmessage':
                if vals[2] == mark:
                    return events
                if vals[2].startswith(MARKER_PREFIX):
                    continue            # an earlier step's late marker
                events.append((vals[2], vals[3]))
            else:
                events.append(('<unexpected>', raw))


class DirtyObserver(Observer):
    """The rdb_changes_since_last_save delta since the previous collect()."""
    def setup(self):
        self.last = self._read()

    def _read(self):
        raw, tree = call(self.side.ctrl, 'INFO', 'persistence')
        if tree is None or tree[0] not in '$=' or tree[1] is None:
            raise ObserverError('INFO persistence failed: %s' % diffcheck.show(raw))
        for line in tree[1].split(b'\r\n'):
            if line.startswith(b'rdb_changes_since_last_save:'):
                return _int_field(line)
        raise ObserverError('INFO persistence has no rdb_changes_since_last_save')

    def collect(self):
        now = self._read()
        delta, self.last = now - self.last, now
        return delta


def parse_commands(data, where):
    """Split raw RESP bytes into a list of commands (tuples of bytes)."""
    cmds, pos = [], 0
    while pos < len(data):
        try:
            tree, pos = parse_value(data, pos)
        except (Incomplete, BadReply) as e:
            raise ObserverError('%s: bad effects bytes at %d: %r' % (where, pos, e))
        if tree[0] != '*' or not tree[1]:
            raise ObserverError('%s: effect is not a multibulk: %r' % (where, tree))
        cmds.append(tuple(i[1] for i in tree[1]))
    return cmds


class DebugEffectsObserver(Observer):
    """minired: DEBUG EFFECTS ON once, DEBUG EFFECTS GET after each step."""
    def setup(self):
        raw, tree = call(self.side.ctrl, 'DEBUG', 'EFFECTS', 'ON')
        if is_error((raw, tree)):
            raise ObserverError('DEBUG EFFECTS ON failed: %s' % diffcheck.show(raw))

    def begin_case(self):
        # ON again empties the capture and forgets the selected database,
        # so each case starts as a fresh stream whatever the setup did.
        self.setup()

    def collect(self):
        raw, tree = call(self.side.ctrl, 'DEBUG', 'EFFECTS', 'GET')
        if is_error((raw, tree)) or tree[0] not in '$=' or tree[1] is None:
            raise ObserverError('DEBUG EFFECTS GET failed: %s' % diffcheck.show(raw))
        return parse_commands(tree[1], 'DEBUG EFFECTS GET')


class ReplEffectsObserver(Observer):
    """Redis: a replica link (SYNC); the marker PUBLISH is propagated too.

    The marker is published from the control connection (db 0), so Redis
    may put a SELECT before it, and then a SELECT before the next command
    that a marker-free stream would not hold (or lack one it would hold).
    So SELECTs are not taken from the link as they come: the link's real
    database is tracked, and a SELECT is written into the observation just
    before an effect whose database differs from the one the observed
    stream last selected -- the rule Redis itself applies."""
    def setup(self):
        self.link = Conn(self.side.host, self.side.port)
        self.link.send(b'SYNC\r\n')
        self.link.buf = self._skip_rdb(self.link)
        self.real_db = self.seen_db = -1
        self.marker = 0

    @staticmethod
    def _skip_rdb(conn):
        sock, buf = conn.sock, b''
        deadline = time.monotonic() + SYNC_TIMEOUT_S

        def more():
            left = deadline - time.monotonic()
            if left <= 0:
                raise ObserverError('SYNC: no RDB payload in %gs' % SYNC_TIMEOUT_S)
            sock.settimeout(left)
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                chunk = None
            if not chunk:
                raise ObserverError('SYNC: link closed or timed out')
            return chunk
        while True:                     # newlines are keepalives
            buf = buf.lstrip(b'\n')
            if buf.startswith(b'$') and b'\r\n' in buf:
                break
            if buf and not buf.startswith(b'$'):
                raise ObserverError('SYNC refused: %r' % buf[:200])
            buf += more()
        head, rest = buf.split(b'\r\n', 1)
        if head.startswith(b'$EOF:'):   # diskless: payload ends with the mark
            mark = head[5:]
            while mark not in rest:
                rest += more()
            return rest[rest.index(mark) + len(mark):]
        size = int(head[1:])
        while len(rest) < size:
            rest += more()
        return rest[size:]

    def begin_case(self):
        # Drain the setup's effects, then start the observed stream afresh
        # (no database selected), as DEBUG EFFECTS ON does on minired.
        self.collect()
        self.seen_db = -1

    def collect(self):
        self.marker += 1
        mark = MARKER_PREFIX + b'%d' % self.marker
        call(self.side.ctrl, 'PUBLISH', mark, b'm')
        cmds, deadline = [], time.monotonic() + READ_TIMEOUT_S
        while True:
            diffcheck.READ_TIMEOUT_S = max(0.01, deadline - time.monotonic())
            raw, tree = self.link.read_reply()
            diffcheck.READ_TIMEOUT_S = READ_TIMEOUT_S
            if tree is None:
                raise ObserverError('replica link: %s before the marker' % raw)
            if tree[0] != '*' or not tree[1]:
                raise ObserverError('replica link: not a command: %r' % raw[:200])
            cmd = tuple(i[1] for i in tree[1])
            name = cmd[0].upper()
            if name == b'PUBLISH' and len(cmd) == 3 and cmd[1].startswith(MARKER_PREFIX):
                if cmd[1] == mark:
                    return cmds
                continue
            if name in (b'PING', b'REPLCONF'):
                continue                # link keepalives, not effects
            if name == b'SELECT' and len(cmd) == 2:
                self.real_db = int(cmd[1])
                continue
            if self.real_db != self.seen_db:
                cmds.append((b'SELECT', b'%d' % self.real_db))
                self.seen_db = self.real_db
            cmds.append(cmd)


# --------------------------------------------------------------------------
# One server under test.

class Side:
    def __init__(self, name, host, port, mode, effects_kind):
        self.name, self.host, self.port = name, host, port
        self.ctrl = Conn(host, port)
        self.conns, self.pending = {}, {}
        if mode == 'notify':
            self.observer = NotifyObserver(self)
        elif mode == 'dirty':
            self.observer = DirtyObserver(self)
        elif effects_kind == 'repl':
            self.observer = ReplEffectsObserver(self)
        else:
            self.observer = DebugEffectsObserver(self)
        reply = call(self.ctrl, 'DEBUG', 'SET-ACTIVE-EXPIRE', '0')
        if is_error(reply):     # lazy expiry cases need active expiry off
            raise ObserverError('DEBUG SET-ACTIVE-EXPIRE 0 failed: %s'
                                % diffcheck.show(reply[0]))
        self.observer.setup()

    def conn(self, n):
        if n not in self.conns:
            self.conns[n] = Conn(self.host, self.port)
        return self.conns[n]

    def begin_case(self, extra_setup):
        for c in self.conns.values():
            c.close()
        self.conns, self.pending = {}, {}
        for cmd in CASE_SETUP + extra_setup:
            reply = call(self.ctrl, *cmd)
            if cmd[0] == 'FLUSHALL' and is_error(reply):
                raise ObserverError('FLUSHALL failed: %s' % diffcheck.show(reply[0]))
        self.observer.begin_case()

    def blocked_clients(self):
        raw, tree = call(self.ctrl, 'INFO', 'clients')
        if tree is None or tree[0] not in '$=' or not tree[1]:
            return 0
        for line in tree[1].split(b'\r\n'):
            if line.startswith(b'blocked_clients:'):
                return _int_field(line)
        return 0

    def send_blocking(self, n, args):
        """Send without reading; wait until it blocked or answered."""
        before = self.blocked_clients()
        conn = self.conn(n)
        if conn.closed:
            conn.reopen()
        conn.send(encode_command(args))
        self.pending[n] = self.pending.get(n, 0) + 1
        deadline = time.monotonic() + BLOCK_WAIT_S
        while time.monotonic() < deadline:
            if conn.buf or conn.closed:
                return
            ready, _, _ = select.select([conn.sock], [], [], POLL_INTERVAL_S)
            if ready or self.blocked_clients() > before:
                return

    def read_pending(self, n):
        if not self.pending.get(n):
            return ('<no !send pending on connection %d>' % n, None)
        self.pending[n] -= 1
        return self.conn(n).read_reply()

    def close(self):
        for c in list(self.conns.values()) + [self.ctrl]:
            c.close()
        for attr in ('sub', 'link'):
            c = getattr(self.observer, attr, None)
            if c is not None:
                c.close()


# --------------------------------------------------------------------------
# Comparing.

def is_time_arg(cmd, i):
    """Does argument i of effect cmd hold an absolute time?  Returns the
    unit in ms per step (1 for ms, 1000 for s), or 0."""
    name = cmd[0].upper()
    if name in (b'PEXPIREAT', b'EXPIREAT') and i == 2:
        return 1 if name == b'PEXPIREAT' else 1000
    # RESTORE key ttl payload ... ABSTTL: the ttl is a unix time in ms
    if name == b'RESTORE' and i == 2 and any(a.upper() == b'ABSTTL' for a in cmd[4:]):
        return 1
    prev = cmd[i - 1].upper() if i > 1 else b''
    if prev == b'PXAT':
        return 1
    if prev == b'EXAT':
        return 1000
    return 0


def same_effect(a, b, tol_ms):
    if a == b:
        return True
    if len(a) != len(b) or a[0].upper() != b[0].upper():
        return False
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y:
            continue
        unit = is_time_arg(a, i)
        try:
            if unit and abs(int(x) - int(y)) * unit <= tol_ms:
                continue
        except ValueError:
            pass
        return False
    return True


def same_observation(mode, a, b, tol_ms):
    if mode != 'effects' or not isinstance(a, list) or not isinstance(b, list):
        return a == b
    return len(a) == len(b) and all(same_effect(x, y, tol_ms) for x, y in zip(a, b))


def _only_select_differs(a, b, tol_ms):
    def strip(cmds):
        return cmds[1:] if cmds and cmds[0][0].upper() == b'SELECT' else cmds
    if not isinstance(a, list) or not isinstance(b, list):
        return False
    return same_observation('effects', strip(a), strip(b), tol_ms)


def show_observation(mode, obs):
    if mode == 'dirty':
        return '%+d' % obs if isinstance(obs, int) else str(obs)
    if not obs:
        return '(none)'
    if mode == 'notify':
        return ' | '.join(e if isinstance(e, str) else
                          '%s %s' % (show_args([e[0]]), show_args([e[1]])) for e in obs)
    return ' ; '.join(show_args(c) for c in obs)


class CaseResult:
    def __init__(self, case_id, path):
        self.case_id, self.path = case_id, path
        self.diffs, self.notes, self.commands = [], [], 0
        self.observed = 0       # events / dirty changes / effects on the reference
        self.bad_commands = []  # names of the commands whose observation differed
        self.aborted = None     # why the case stopped early (always printed)

    def abort(self, text):
        self.diffs.append(text)
        self.aborted = text


def run_case(case, sides, mode, tol_ms, extra_setup, case_id):
    result = CaseResult(case_id, case.path)
    try:
        for s in sides:
            s.begin_case(extra_setup)
    except (ObserverError, OSError) as e:
        result.abort('  case setup failed: %s' % e)
        return result
    history, current = [], 0
    for step in case.steps:
        if step.kind == 'conn':
            current = step.value
            continue
        if step.kind == 'sleep':
            time.sleep(step.value / 1000.0)
            continue
        try:
            replies = [_do_step(s, step, current) for s in sides]
            if any(r[0] in (diffcheck.TIMEOUT, diffcheck.CLOSED) for r in replies
                   if step.kind != 'send') and replies[0][0] != replies[1][0]:
                # A late reply would be read as the next command's: stop here.
                result.abort('  %s:%d: %s\n    %-8s %s\n    %-8s %s\n    '
                             'rest of case skipped' % (
                                 case.path, step.lineno, step.text,
                                 sides[0].name + ':', diffcheck.show(replies[0][0]),
                                 sides[1].name + ':', diffcheck.show(replies[1][0])))
                return result
            obs = [s.observer.collect() for s in sides]
            if step.unordered:      # e.g. several keys evicted in sampling order
                obs = [sorted(o, key=repr) if isinstance(o, list) else o for o in obs]
        except (ObserverError, OSError) as e:
            result.abort('  %s:%d: %s\n    observer failed: %s; rest of case skipped'
                         % (case.path, step.lineno, step.text, e))
            return result
        result.commands += 1
        where = '%s:%d: %s%s' % (case.path, step.lineno, '' if current == 0
                                 else '[conn %d] ' % current, step.text)
        if not step.ignore_reply and replies[0][0] != replies[1][0]:
            result.notes.append('  reply differs at %s\n    %-8s %s\n    %-8s %s'
                                % (where, sides[0].name + ':', diffcheck.show(replies[0][0]),
                                   sides[1].name + ':', diffcheck.show(replies[1][0])))
        if not same_observation(mode, obs[0], obs[1], tol_ms):
            lines = ['  %s' % where]
            for h in history[-CONTEXT_STEPS:]:
                lines.append('    before %s  -> %s' % h)
            lines.append('    %-8s %s' % (sides[0].name + ':', show_observation(mode, obs[0])))
            lines.append('    %-8s %s' % (sides[1].name + ':', show_observation(mode, obs[1])))
            if mode == 'effects' and _only_select_differs(obs[0], obs[1], tol_ms):
                lines.append('    (only a SELECT differs: an earlier effect is missing or '
                             'extra, so the stream was in another database)')
            result.diffs.append('\n'.join(lines))
            result.bad_commands.append(step.args[0].upper().decode('utf-8', 'replace')
                                       if step.args else '!read')
        history.append((where.split(': ', 1)[1], show_observation(mode, obs[1])))
        if VERBOSE:
            print('  %s\n    -> %s' % (where, show_observation(mode, obs[1])))
        result.observed += obs[1] if isinstance(obs[1], int) else len(obs[1])
    return result


def _do_step(side, step, current):
    if step.kind == 'send':
        side.send_blocking(current, step.args)
        return (b'', None)
    if step.kind == 'read':
        return side.read_pending(current)
    conn = side.conn(current)
    if conn.closed:
        conn.reopen()
    conn.send(encode_command(step.args))
    return conn.read_reply()


# --------------------------------------------------------------------------
# Randomized mixed streams.

STR_KEYS, BIT_KEYS = ['s1', 's2', 's3'], ['b1', 'b2']
LIST_KEYS, HASH_KEYS = ['l1', 'l2'], ['h1', 'h2']
SET_KEYS, ZSET_KEYS = ['t1', 't2', 't3'], ['z1', 'z2']
ALL_KEYS = STR_KEYS + BIT_KEYS + LIST_KEYS + HASH_KEYS + SET_KEYS + ZSET_KEYS
VALUES = ['a', 'b', 'c', '1', '2', '10', '-3', '3.5', 'x y', '007']


def _key(rng, family):
    return rng.choice(family if rng.random() < 0.85 else ALL_KEYS)


def _string_cmd(rng):
    k, k2 = _key(rng, STR_KEYS), _key(rng, STR_KEYS)
    v, n = '"%s"' % rng.choice(VALUES), rng.randint(-3, 5)
    return rng.choice([
        f'SET {k} {v}', f'SET {k} {v} NX', f'SET {k} {v} XX', f'SET {k} {v} GET',
        f'SET {k} {v} KEEPTTL', f'SET {k} {v} EX 100', f'SETEX {k} 100 {v}',
        f'SETNX {k} {v}', f'GETSET {k} {v}', f'GETDEL {k}', f'GETEX {k} EX 100',
        f'GETEX {k} PERSIST', f'APPEND {k} {v}', f'INCR {k}', f'INCRBY {k} {n}',
        f'DECR {k}', f'DECRBY {k} {n}', f'INCRBYFLOAT {k} 1.5', f'SETRANGE {k} {abs(n)} {v}',
        f'SETRANGE {k} 0 ""', f'MSET {k} {v} {k2} {v}', f'MSETNX {k} {v} {k2} {v}',
        f'GET {k}', f'MGET {k} {k2}', f'STRLEN {k}', f'GETRANGE {k} 0 {n}',
    ])


def _bit_cmd(rng):
    k, k2 = _key(rng, BIT_KEYS), _key(rng, BIT_KEYS + STR_KEYS)
    off, bit = rng.randint(0, 40), rng.randint(0, 1)
    op = rng.choice(['AND', 'OR', 'XOR'])
    return rng.choice([
        f'SETBIT {k} {off} {bit}', f'SETBIT {k} {off} {bit}', f'GETBIT {k} {off}',
        f'BITCOUNT {k}', f'BITOP {op} {k} {k} {k2}', f'BITOP NOT {k} {k2}',
        f'BITFIELD {k} SET u8 {off} {rng.randint(0, 255)}',
        f'BITFIELD {k} INCRBY i8 0 {rng.randint(-200, 200)} OVERFLOW FAIL INCRBY u4 4 9',
        f'BITFIELD {k} GET u8 0', f'BITPOS {k} {bit}',
    ])


def _list_cmd(rng):
    k, k2 = _key(rng, LIST_KEYS), _key(rng, LIST_KEYS)
    v, v2, n = rng.choice(VALUES), rng.choice(VALUES), rng.randint(-2, 3)
    return rng.choice([
        f'LPUSH {k} {v} {v2}', f'RPUSH {k} {v}', f'LPUSHX {k} {v}', f'RPUSHX {k} {v}',
        f'LPOP {k}', f'RPOP {k} {abs(n)}', f'LSET {k} {n} {v}', f'LREM {k} {n} {v}',
        f'LTRIM {k} {n} {abs(n) + 1}', f'LINSERT {k} BEFORE {v} {v2}',
        f'LMOVE {k} {k2} LEFT RIGHT', f'RPOPLPUSH {k} {k2}',
        f'LMPOP 2 {k} {k2} LEFT COUNT 2', f'LRANGE {k} 0 -1', f'LINDEX {k} {n}', f'LLEN {k}',
    ])


def _hash_cmd(rng):
    k, f, f2 = _key(rng, HASH_KEYS), 'f%d' % rng.randint(0, 5), 'f%d' % rng.randint(0, 5)
    v = rng.choice(VALUES)
    return rng.choice([
        f'HSET {k} {f} {v}', f'HSET {k} {f} {v} {f2} {v}', f'HSETNX {k} {f} {v}',
        f'HDEL {k} {f} {f2}', f'HINCRBY {k} {f} {rng.randint(-3, 3)}',
        f'HINCRBYFLOAT {k} {f} 0.5', f'HMSET {k} {f} {v}', f'HGET {k} {f}',
        f'HLEN {k}', f'HEXISTS {k} {f}',
    ])


def _set_cmd(rng):
    k, k2, k3 = _key(rng, SET_KEYS), _key(rng, SET_KEYS), _key(rng, SET_KEYS)
    m, m2 = rng.choice(['1', '2', '3', 'a', 'b']), rng.choice(['1', '4', 'c'])
    return rng.choice([
        f'SADD {k} {m} {m2}', f'SADD {k} {m}', f'SREM {k} {m} {m2}', f'SMOVE {k} {k2} {m}',
        f'SINTERSTORE {k} {k2} {k3}', f'SUNIONSTORE {k} {k2} {k3}',
        f'SDIFFSTORE {k} {k2} {k3}', f'SCARD {k}', f'SISMEMBER {k} {m}',
        f'!ignore\nSPOP {k} 100',
    ])


def _zset_cmd(rng):
    k, k2 = _key(rng, ZSET_KEYS), _key(rng, ZSET_KEYS)
    m, s = rng.choice(['a', 'b', 'c', 'd']), rng.randint(-2, 4)
    return rng.choice([
        f'ZADD {k} {s} {m}', f'ZADD {k} NX {s} {m} 1 e', f'ZADD {k} XX CH {s} {m}',
        f'ZADD {k} GT {s} {m}', f'ZADD {k} INCR {s} {m}', f'ZINCRBY {k} {s} {m}',
        f'ZREM {k} {m} e', f'ZREMRANGEBYSCORE {k} 0 1', f'ZREMRANGEBYRANK {k} 0 0',
        f'ZREMRANGEBYLEX {k} [a [b', f'ZPOPMIN {k}', f'ZPOPMAX {k} 2',
        f'ZUNIONSTORE {k} 2 {k} {k2}', f'ZINTERSTORE {k2} 2 {k} {k2}',
        f'ZDIFFSTORE {k} 2 {k} {k2}', f'ZRANGESTORE {k2} {k} 0 1', f'ZMPOP 2 {k} {k2} MIN',
        f'ZSCORE {k} {m}', f'ZCARD {k}',
    ])


def _keyspace_cmd(rng):
    k, k2 = rng.choice(ALL_KEYS), rng.choice(ALL_KEYS)
    return rng.choice([
        f'DEL {k} {k2}', f'UNLINK {k}', f'EXISTS {k}', f'TYPE {k}', f'RENAME {k} {k2}',
        f'RENAMENX {k} {k2}', f'MOVE {k} 1', f'COPY {k} {k2}', f'COPY {k} {k2} REPLACE',
        f'COPY {k} {k2} DB 1 REPLACE', f'EXPIRE {k} 100', f'EXPIRE {k} 100 NX',
        f'PEXPIRE {k} 50000', f'EXPIREAT {k} 1000', f'PERSIST {k}', f'TTL {k}',
        f'TOUCH {k} {k2}', 'SWAPDB 0 1', 'SELECT 1', 'SELECT 0', 'SELECT 0',
    ])


def _lazy_expiry_block(rng):
    k = rng.choice(ALL_KEYS)
    how = rng.choice([f'PEXPIRE {k} 20', f'SET {k} v PX 20', f'PSETEX {k} 20 v'])
    probe = rng.choice([f'TOUCH {k}', f'EXISTS {k}', f'GET {k}', f'TYPE {k}', f'LPUSH {k} x'])
    return [how, '!sleep 30', probe]


def _blocking_block(rng):
    cmd, push = rng.choice([
        ('BLPOP bq 5', 'RPUSH bq a b'), ('BRPOP bq 5', 'LPUSH bq a'),
        ('BLMOVE bq l1 LEFT RIGHT 5', 'RPUSH bq a'), ('BLMPOP 5 1 bq RIGHT COUNT 3', 'RPUSH bq a b'),
        ('BZPOPMIN bz 5', 'ZADD bz 1 a 2 b'), ('BZMPOP 5 1 bz MAX COUNT 2', 'ZADD bz 1 a'),
        ('BLPOP bq 0.05', None),
    ])
    out = ['!conn 1', 'DEL bq bz', '!send ' + cmd, '!conn 2']
    out += [push] if push else ['!sleep 100']
    return out + ['!conn 1', '!read', 'DEL bq bz', '!conn 0']


def _multi_block(rng):
    body = [rng.choice([_string_cmd, _list_cmd, _hash_cmd, _set_cmd, _zset_cmd,
                        _keyspace_cmd])(rng) for _ in range(rng.randint(1, 4))]
    body = [b for b in body if not b.startswith('!')]
    return ['MULTI'] + body + [rng.choice(['EXEC', 'EXEC', 'EXEC', 'DISCARD'])]


def random_stream(seed, length, save_dir=None):
    """A mixed stream of about `length` commands over every type."""
    rng = random.Random(seed)
    lines = ['# random stream, seed %d' % seed]
    while len(lines) < length:
        r = rng.random()
        if r < 0.04:
            lines += _lazy_expiry_block(rng)
        elif r < 0.07:
            lines += _blocking_block(rng)
        elif r < 0.11:
            lines += _multi_block(rng)
        elif r < 0.115:
            lines.append(rng.choice(['FLUSHDB', 'FLUSHALL']))
        else:
            gen = rng.choice([_string_cmd, _bit_cmd, _list_cmd, _hash_cmd, _set_cmd,
                              _zset_cmd, _keyspace_cmd, _keyspace_cmd])
            lines += gen(rng).split('\n')
    if save_dir:                        # to rerun or trim a failing stream by hand
        with open(os.path.join(save_dir, 'random-%d.txt' % seed), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    steps, _ = parse_lines(lines, 'random-%d' % seed)
    return Case('random-%d' % seed, 'random-%d' % seed, steps, None)


# --------------------------------------------------------------------------
# Eviction bar: evicted events == INFO evicted_keys.

def info_field(side, section, field):
    raw, tree = call(side.ctrl, 'INFO', section)
    if tree is None or tree[0] not in '$=' or not tree[1]:
        raise ObserverError('INFO %s failed: %s' % (section, diffcheck.show(raw)))
    for line in tree[1].split(b'\r\n'):
        if line.startswith(field.encode() + b':'):
            return _int_field(line.split(b'.')[0])
    raise ObserverError('INFO %s has no %s' % (section, field))


def evict_counts(side, policy, lazy):
    """Fill past maxmemory; return (evicted events seen, INFO evicted_keys)."""
    side.begin_case([['CONFIG', 'SET', 'notify-keyspace-events', 'KEA']])
    base_evicted = info_field(side, 'stats', 'evicted_keys')
    used = info_field(side, 'memory', 'used_memory')
    for cmd in (['CONFIG', 'SET', 'maxmemory-policy', policy],
                ['CONFIG', 'SET', 'lazyfree-lazy-eviction', lazy],
                ['CONFIG', 'SET', 'maxmemory', str(used + EVICT_HEADROOM_BYTES)]):
        reply = call(side.ctrl, *cmd)
        if is_error(reply):
            raise ObserverError('%s: %s' % (' '.join(cmd), diffcheck.show(reply[0])))
    conn, value, events = side.conn(0), b'v' * EVICT_VALUE_BYTES, 0
    ttl = ['EX', '100000'] if policy.startswith('volatile') else []
    for start in range(0, EVICT_KEYS, EVICT_BATCH):
        conn.send(b''.join(enc('SET', 'evict:%d' % i, value, *ttl)
                           for i in range(start, start + EVICT_BATCH)))
        for _ in range(EVICT_BATCH):
            if conn.read_reply()[1] is None:
                raise ObserverError('no reply to SET during the fill')
        for ev in side.observer.collect():
            if isinstance(ev, str):
                raise ObserverError('subscriber: %s' % ev)
            if ev[0].startswith(b'__keyevent@') and ev[0].endswith(b'__:evicted'):
                events += 1
    evicted = info_field(side, 'stats', 'evicted_keys') - base_evicted
    call(side.ctrl, 'CONFIG', 'SET', 'maxmemory', '0')
    call(side.ctrl, 'FLUSHALL')
    return events, evicted


def run_evict(sides):
    result = CaseResult('evict', 'evict')
    for (policy, lazy), (idx, side) in itertools.product(EVICT_RUNS, enumerate(sides)):
        try:
            events, evicted = evict_counts(side, policy, lazy)
        except (ObserverError, OSError) as e:
            result.diffs.append('  %s: eviction run failed: %s' % (side.name, e))
            continue
        result.commands += EVICT_KEYS
        line = ('  %s: %d evicted events, INFO evicted_keys %d (%s, lazyfree-lazy-eviction '
                '%s; %d SETs of %d bytes, maxmemory used+%d)'
                % (side.name, events, evicted, policy, lazy, EVICT_KEYS,
                   EVICT_VALUE_BYTES, EVICT_HEADROOM_BYTES))
        bad = events != evicted or evicted == 0
        if bad and idx == 0:
            result.diffs.append(line + ('  <- must be equal and > 0'))
        else:
            result.notes.append(line + ('  (reference side disagrees!)' if bad else ''))
    return result


# --------------------------------------------------------------------------
# Known failures, driver.

def load_known(path):
    """KNOWN_FAILING: lines `MODE CASE-ID-GLOB`, # comments."""
    pats = []
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split('#', 1)[0].split()
                if len(parts) == 2:
                    pats.append((parts[0], parts[1]))
    return pats


def is_known(known, mode, case_id):
    return any(fnmatch.fnmatchcase(mode, m) and fnmatch.fnmatchcase(case_id, c)
               for m, c in known)


def default_cases():
    return sorted(glob.glob(os.path.join(CASE_DIR, '*.txt')))


def plan_runs(mode, args):
    """(case, case_id, extra_setup) for every run of this mode."""
    cases = []
    for path in args.cases or default_cases():
        try:
            cases.append(load_case(path))
        except (CaseError, OSError) as e:
            raise SystemExit('diff_%s: %s' % (mode, e))
    if not args.cases or args.random_with_cases:
        cases += [random_stream(args.seed + i, args.length, args.save_random)
                  for i in range(args.random)]
    runs = []
    for case in cases:
        if case.modes and mode not in case.modes:
            continue
        if mode == 'notify':
            flag_sets = args.flags.split(',') if args.flags else NOTIFY_FLAG_SETS
            for fl in flag_sets:
                runs.append((case, '%s:%s' % (case.name, fl),
                             [['CONFIG', 'SET', 'notify-keyspace-events', fl]]))
        else:
            runs.append((case, case.name, []))
    return runs


def print_result(mode, r, known_hit):
    status = 'KNOWN' if (r.diffs and known_hit) else ('FAIL' if r.diffs else 'PASS')
    what = {'notify': 'events', 'dirty': 'changes', 'effects': 'effects'}.get(mode)
    seen = ', %d %s' % (r.observed, what) if what else ''
    print('%-5s %s %s  (%d commands%s, %d differences)'
          % (status, mode, r.case_id, r.commands, seen, len(r.diffs)))
    for text in r.diffs[:MAX_REPORTED_DIFFS]:
        print(text)
    if len(r.diffs) > MAX_REPORTED_DIFFS:
        print('  ... %d more differences' % (len(r.diffs) - MAX_REPORTED_DIFFS))
        if r.aborted:
            print(r.aborted)
    for text in r.notes[:MAX_REPORTED_DIFFS]:
        print(text)
    if len(r.notes) > MAX_REPORTED_DIFFS:
        print('  ... %d more notes' % (len(r.notes) - MAX_REPORTED_DIFFS))
    sys.stdout.flush()


def run_mode(mode, args, ports):
    names = ('minired', 'redis')
    kinds = [args.server_effects, 'repl']
    sides = []
    try:
        for idx in (0, 1):
            sides.append(Side(names[idx], args.host, ports[idx], mode if mode != 'evict'
                              else 'notify', kinds[idx]))
    except (ObserverError, OSError) as e:
        for s in sides:
            s.close()
        who = names[len(sides)] if len(sides) < 2 else names[1]
        known = is_known(load_known(args.known), mode, 'setup') and not args.strict
        print('%-5s %s setup on %s: %s' % ('KNOWN' if known else 'FAIL', mode, who, e))
        print('diff_%s: 0 passed, %s' % (mode, '0 failed (1 known failing, tolerated)'
                                         if known else '1 failed'))
        return 0 if known else 1
    known = [] if args.strict else load_known(args.known)
    passed = failed = tolerated = 0
    fixed = []
    try:
        results = []
        note = None
        if mode == 'evict':
            results.append(run_evict(sides))
        else:
            runs = plan_runs(mode, args)
            note = coverage_note(sides, runs)
            for case, case_id, setup in runs:
                results.append(run_case(case, sides, mode, args.time_tolerance_ms,
                                        setup, case_id))
                _tally(mode, results[-1], known, fixed)
            if mode == 'notify' and not args.cases and not args.no_evict:
                results.append(run_evict(sides))
                _tally('evict', results[-1], known, fixed)
        if mode == 'evict':
            _tally(mode, results[-1], known, fixed)
        for r in results:
            if not r.diffs:
                passed += 1
            elif r.known_hit:
                tolerated += 1
            else:
                failed += 1
    finally:
        for s in sides:
            s.close()
    if note:
        print(note)
    bad = {}
    for r in results:
        for name in r.bad_commands:
            bad[name] = bad.get(name, 0) + 1
    if bad:
        print('commands whose %s differ (times, all cases): %s' % (
            {'notify': 'events', 'dirty': 'dirty deltas'}.get(mode, mode),
            ' '.join('%s:%d' % kv for kv in sorted(bad.items(), key=lambda kv: (-kv[1], kv[0])))))
    for fixed_mode, case_id in fixed:
        print('note: %s %s passes now: remove it from KNOWN_FAILING' % (fixed_mode, case_id))
    print('diff_%s: %d passed, %d failed%s' % (mode, passed, failed,
          ' (%d known failing, tolerated)' % tolerated if tolerated else ''))
    return 1 if failed else 0


def write_commands(side):
    """Names (upper case) of the commands the server flags `write`."""
    raw, tree = call(side.ctrl, 'COMMAND')
    names = set()
    for entry in (tree[1] or []) if tree and tree[0] == '*' else []:
        items = entry[1] or []
        if len(items) > 2 and isinstance(items[2][1], list):
            if any(f[1] == b'write' for f in items[2][1]):
                names.add(items[0][1].upper())
    return names


def coverage_note(sides, runs):
    """Which write commands both servers have that no case exercised."""
    used = set()
    for case, _, _ in runs:
        used.update(st.args[0].upper() for st in case.steps if st.args)
    try:
        both = write_commands(sides[0]) & write_commands(sides[1])
    except (ObserverError, OSError):
        return None
    missing = sorted(n.decode() for n in both - used)
    return ('coverage: %d of %d write commands both servers have are exercised%s'
            % (len(both) - len(missing), len(both),
               '; not: ' + ' '.join(missing) if missing else ''))


def _tally(mode, r, known, fixed):
    r.known_hit = is_known(known, mode, r.case_id)
    if r.known_hit and not r.diffs:
        fixed.append((mode, r.case_id))
    print_result(mode, r, r.known_hit)


def _sigterm(signum, frame):
    raise KeyboardInterrupt()


def parse_cli(argv, mode=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    if mode is None:
        p.add_argument('mode', choices=['notify', 'dirty', 'effects', 'evict'])
    p.add_argument('cases', nargs='*', help='case files (default: tests/diff_changes/*.txt '
                   'plus --random streams)')
    p.add_argument('--server', help='minired-server binary to start (redis-server: self-check)')
    p.add_argument('--redis', default='redis-server', help='reference server binary')
    p.add_argument('--server-args', default='', help='extra arguments for minired')
    p.add_argument('--redis-args', default='', help='extra arguments for redis')
    p.add_argument('--minired-port', type=int, help='use an already running minired')
    p.add_argument('--redis-port', type=int, help='use an already running redis')
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--random', type=int, default=3, help='random streams (default 3)')
    p.add_argument('--length', type=int, default=300, help='commands per random stream')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--save-random', metavar='DIR',
                   help='write each random stream to DIR/random-SEED.txt (a case file; '
                   'its line numbers are the ones reported)')
    p.add_argument('--random-with-cases', action='store_true',
                   help='also run the random streams when case files are named')
    p.add_argument('--flags', help='notify: comma-separated notify-keyspace-events '
                   'values (default KEA,KEAnm)')
    p.add_argument('--resp3', action='store_true',
                   help='notify: the subscriber speaks RESP3 (push messages)')
    p.add_argument('--no-evict', action='store_true', help='notify: skip the eviction check')
    p.add_argument('--server-effects', choices=['debug', 'repl'],
                   help='how to read the first server\'s effects (default: repl for a '
                   'redis-server binary, else DEBUG EFFECTS)')
    p.add_argument('--time-tolerance-ms', type=int, default=DEFAULT_TIME_TOLERANCE_MS)
    p.add_argument('--known', default=KNOWN_FILE, help='known-failures list')
    p.add_argument('--strict', action='store_true', help='ignore the known-failures list')
    p.add_argument('--max-diffs', type=int, default=MAX_REPORTED_DIFFS,
                   help='differences printed per case (default %d)' % MAX_REPORTED_DIFFS)
    p.add_argument('-v', '--verbose', action='store_true',
                   help="print every command with the reference server's observation")
    p.add_argument('--timeout', type=float, default=READ_TIMEOUT_S, help='seconds per wait')
    args = p.parse_args(argv)
    if mode is not None:
        args.mode = mode
    if args.minired_port is None and not args.server:
        p.error('give --server PATH or --minired-port P')
    if args.server_effects is None:
        is_redis = args.server and os.path.basename(args.server).startswith('redis-server')
        args.server_effects = 'repl' if is_redis else 'debug'
    return args


def main(argv, mode=None):
    global READ_TIMEOUT_S, VERBOSE, SUBSCRIBER_RESP3, MAX_REPORTED_DIFFS
    args = parse_cli(argv, mode)
    for attr in ('server', 'redis'):    # servers run in a temp directory
        path = getattr(args, attr)
        if path and os.sep in path:
            setattr(args, attr, os.path.abspath(path))
    VERBOSE, SUBSCRIBER_RESP3 = args.verbose, args.resp3
    MAX_REPORTED_DIFFS = args.max_diffs
    READ_TIMEOUT_S = diffcheck.READ_TIMEOUT_S = args.timeout
    signal.signal(signal.SIGTERM, _sigterm)
    # Redis: disk-based SYNC (no diskless delay) and no keepalive PINGs on
    # the replica link; given to every redis-server we start.
    # DEBUG is refused by a default Redis 7.0 (SET-ACTIVE-EXPIRE needs it).
    redis_extra = ['--repl-diskless-sync', 'no', '--repl-ping-replica-period', '3600',
                   '--enable-debug-command', 'yes']
    servers, workdir = [], tempfile.mkdtemp(prefix='diff_changes.')
    try:
        ports = [args.minired_port, args.redis_port]
        plan = [(0, 'minired', args.server, args.server_args),
                (1, 'redis', args.redis, args.redis_args)]
        for idx, name, binary, extra in plan:
            if ports[idx] is None:
                argv_extra = shlex.split(extra)
                if os.path.basename(binary).startswith('redis-server'):
                    argv_extra = redis_extra + argv_extra
                srv = Server(name, binary, argv_extra, workdir)
                servers.append(srv)
                ports[idx] = srv.port
        for srv in servers:
            srv.wait_ready()
        return run_mode(args.mode, args, ports)
    except KeyboardInterrupt:
        print('diff_%s: interrupted' % args.mode, file=sys.stderr)
        return 130
    except RuntimeError as e:
        print('diff_%s: %s' % (args.mode, e), file=sys.stderr)
        return 2
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
