"""cluster_load: a single-key SET/GET load through redis-py's RedisCluster
(Debian's python3-redis), and the bookkeeping that says afterwards whether
any acknowledged write was lost. Used by tests/workloads/test_cluster_*.py
and utils/cluster_bench.py.

Each worker thread has its own RedisCluster client and its own keys (so
the last value a key holds is the last one its worker had acknowledged).
A worker SETs a key to a new value or GETs one and compares it with what
it last wrote. Redirections that redis-py handles itself (MOVED, ASK) are
counted from its log records, not as errors; anything that reaches the
caller is an error. A SET that raised has an unknown outcome: its value is
kept as one the key may hold until a later SET of that key is
acknowledged.
"""

import logging
import random
import threading
import time

import redis
from redis.cluster import RedisCluster

CLIENT_TIMEOUT_S = 5.0


class RedirectCounter(logging.Handler):
    """Counts what redis-py's cluster client logs when it handles an error
    reply itself (it logs 'MovedError', 'AskError', 'TryAgainError',
    'ClusterDownError', or the exception class of a connection error).
    Installed on the 'redis.cluster' logger, which then stops propagating
    (its tracebacks would otherwise reach stderr)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.counts = {}
        self.count_lock = threading.Lock()

    def emit(self, record):
        msg = record.msg
        name = msg.__name__ if isinstance(msg, type) else str(msg).split(':')[0]
        if name.startswith('Executing command'):
            return
        with self.count_lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def snapshot(self):
        with self.count_lock:
            return dict(self.counts)


_counter = None


def redirect_counter():
    global _counter
    if _counter is None:
        _counter = RedirectCounter()
        log = logging.getLogger('redis.cluster')
        log.addHandler(_counter)
        log.setLevel(logging.ERROR)
        log.propagate = False
    return _counter


class Client(RedisCluster):
    """RedisCluster as Debian's redis-py 4.3.4 has it, with one fix: when it
    reconnects to a seed node (after a node died) it deep-copies its
    connection arguments, which hold a bound method of the client itself,
    and deep-copying the client fails (it holds locks), so the client could
    never rebuild its slot map. A copy of the client is the client."""

    def __deepcopy__(self, memo):
        return self


def client(port, **kw):
    redirect_counter()
    kw.setdefault('socket_timeout', CLIENT_TIMEOUT_S)
    kw.setdefault('socket_connect_timeout', CLIENT_TIMEOUT_S)
    return Client(host='127.0.0.1', port=port, **kw)


class KeyState:
    """What a key may hold: the last acknowledged value and the values of
    SETs with an unknown outcome issued after it."""
    __slots__ = ('acked', 'maybe')

    def __init__(self):
        self.acked, self.maybe = None, set()

    def allowed(self):
        return {self.acked} | self.maybe


class Worker(threading.Thread):
    def __init__(self, wid, port, keys, stop, pause_s=0.0, read_share=0.5, client_kw=None):
        super().__init__(daemon=True)
        self.wid, self.port, self.keys, self.stop_ev = wid, port, keys, stop
        self.pause_s, self.read_share = pause_s, read_share
        self.client_kw = client_kw or {}
        self.state = {k: KeyState() for k in keys}
        self.seq = 0
        self.sets = self.gets = 0
        self.errors = []            # (time, op, key, exception text)
        self.wrong_reads = []       # (key, got, allowed)
        self.last_ok = None         # monotonic time of the last success
        self.rc = None

    def _note_error(self, op, key, e):
        if len(self.errors) < 1000:
            self.errors.append((time.monotonic(), op, key, '%s: %s' % (type(e).__name__, e)))
        else:
            self.errors.append(None)

    def one(self, rng):
        key = rng.choice(self.keys)
        st = self.state[key]
        if st.acked is None or rng.random() >= self.read_share:
            self.seq += 1
            value = '%d:%d' % (self.wid, self.seq)
            try:
                self.rc.set(key, value)
            except (redis.RedisError, OSError) as e:
                st.maybe.add(value)
                self._note_error('SET', key, e)
                return False
            st.acked, st.maybe = value, set()
            self.sets += 1
        else:
            try:
                got = self.rc.get(key)
            except (redis.RedisError, OSError) as e:
                self._note_error('GET', key, e)
                return False
            got = got.decode() if got is not None else None
            if got not in st.allowed():
                self.wrong_reads.append((key, got, sorted(v for v in st.allowed() if v)))
            elif got != st.acked:
                # An unknown-outcome SET did land: it is now the value.
                st.acked, st.maybe = got, set()
            self.gets += 1
        self.last_ok = time.monotonic()
        return True

    def run(self):
        rng = random.Random(self.wid)
        while not self.stop_ev.is_set():
            if self.rc is None:
                try:
                    self.rc = client(self.port, **self.client_kw)
                except (redis.RedisError, OSError) as e:
                    self._note_error('CONNECT', '-', e)
                    self.stop_ev.wait(0.1)
                    continue
            if not self.one(rng):
                self.stop_ev.wait(0.02)   # do not spin on a failing cluster
            elif self.pause_s:
                self.stop_ev.wait(self.pause_s)
        try:
            self.rc and self.rc.close()
        except Exception:
            pass


class Load:
    """n workers, each with keys_per_worker keys from the key lists given
    (a list of keys per worker, or a function wid -> keys)."""

    def __init__(self, port, n, keys_of, pause_s=0.0, read_share=0.5, client_kw=None):
        self.port = port
        self.stop_ev = threading.Event()
        self.workers = [Worker(w, port, keys_of(w), self.stop_ev, pause_s, read_share, client_kw)
                        for w in range(n)]
        self.redirects_before = redirect_counter().snapshot()

    def start(self):
        for w in self.workers:
            w.start()
        return self

    def stop(self):
        self.stop_ev.set()
        for w in self.workers:
            w.join(30)

    def ops(self):
        return sum(w.sets + w.gets for w in self.workers)

    def errors(self):
        return [e for w in self.workers for e in w.errors]

    def wrong_reads(self):
        return [r for w in self.workers for r in w.wrong_reads]

    def redirects(self):
        now, before = redirect_counter().snapshot(), self.redirects_before
        return {k: v - before.get(k, 0) for k, v in now.items() if v - before.get(k, 0)}

    def verify(self, port=None, timeout=30):
        """Reads every key once with a fresh client: returns the list of
        (key, got, allowed) whose value is not one it may hold (a lost or
        wrong key), after retrying errors for up to timeout seconds."""
        rc = client(port or self.port)
        bad = []
        try:
            for w in self.workers:
                for key, st in w.state.items():
                    if st.acked is None and not st.maybe:
                        continue
                    deadline = time.monotonic() + timeout
                    while True:
                        try:
                            got = rc.get(key)
                            break
                        except (redis.RedisError, OSError):
                            if time.monotonic() > deadline:
                                raise
                            time.sleep(0.1)
                    got = got.decode() if got is not None else None
                    if got not in st.allowed():
                        bad.append((key, got, sorted(v for v in st.allowed() if v)))
        finally:
            rc.close()
        return bad

    def keys_written(self):
        return sum(1 for w in self.workers for st in w.state.values() if st.acked is not None)
