#!/usr/bin/python3
"""Script workloads as real clients run them: redis-py's Lock and a Lua
rate limiter, against the server in $MINIRED_SERVER (redis-server works
too, to prove the test itself).

Run by `make test` with the integration tests. It uses Debian's python3
and python3-redis (deps/ensure-test-deps.sh installs it), not a pip copy,
so what is tested is what a Debian user runs. Prints one Check-style
summary line ("100%: Checks: N, Failures: F, Errors: E") so tests/tally.sh
counts it like a Check binary. Starts its own server on a free port and
stops it by PID. A few seconds in all.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workload_server import Server, run_checks  # noqa: E402

sys.dont_write_bytecode = True

try:
    import redis
    from redis.exceptions import LockError, LockNotOwnedError
except ImportError:
    print('redis-py is missing: install python3-redis (make test-deps does)')
    print('0%: Checks: 1, Failures: 0, Errors: 1')
    sys.exit(1)



# ------------------------------------------------------------ redis-py Lock

def test_lock_acquire_release(r):
    lock = r.lock('lk', timeout=10)
    assert lock.acquire(blocking=False)
    assert lock.locked() and lock.owned()
    assert r.get('lk') == lock.local.token
    assert 9000 < r.pttl('lk') <= 10000
    other = r.lock('lk', timeout=10)
    assert not other.acquire(blocking=False)
    assert not other.owned()
    lock.release()
    assert r.exists('lk') == 0
    assert not lock.locked()
    assert other.acquire(blocking=False)
    other.release()


def test_lock_blocking_timeout(r):
    # Not thread-local: the holder releases from another thread below.
    holder = r.lock('lb', timeout=10, thread_local=False)
    assert holder.acquire(blocking=False)
    waiter = r.lock('lb', timeout=10, sleep=0.02)
    t0 = time.monotonic()
    assert not waiter.acquire(blocking=True, blocking_timeout=0.3)
    waited = time.monotonic() - t0
    assert 0.25 <= waited < 2.0, waited
    # The holder releases from another thread while the waiter blocks.
    timer = threading.Timer(0.15, holder.release)
    timer.start()
    t0 = time.monotonic()
    assert waiter.acquire(blocking=True, blocking_timeout=3)
    assert time.monotonic() - t0 < 2.0
    timer.join()
    assert waiter.owned()
    waiter.release()


def test_lock_extend(r):
    lock = r.lock('le', timeout=2)
    assert lock.acquire(blocking=False)
    assert lock.extend(10)
    assert 11000 < r.pttl('le') <= 12000
    assert lock.extend(5, replace_ttl=True)
    assert 4000 < r.pttl('le') <= 5000
    r.persist('le')
    # A lock without a TTL cannot be extended (the script returns 0).
    try:
        lock.extend(1)
        raise AssertionError('extend of a lock with no TTL succeeded')
    except LockNotOwnedError:
        pass
    lock.release()
    try:
        lock.extend(1)
        raise AssertionError('extend of a released lock succeeded')
    except LockError:
        pass


def test_lock_reacquire(r):
    lock = r.lock('lr', timeout=5)
    assert lock.acquire(blocking=False)
    r.pexpire('lr', 100)
    assert lock.reacquire()
    assert 4000 < r.pttl('lr') <= 5000
    lock.release()


def test_lock_not_owned(r):
    lock = r.lock('ln', timeout=10)
    assert lock.acquire(blocking=False)
    thief = r.lock('ln', timeout=10)
    for action in (thief.release, lambda: thief.extend(1), thief.reacquire):
        # release() forgets the token before it runs its script: set it anew
        thief.local.token = b'another-token'
        try:
            action()
            raise AssertionError('a foreign token was accepted')
        except LockNotOwnedError:
            pass
    assert r.get('ln') == lock.local.token
    lock.release()


def test_lock_expiry(r):
    lock = r.lock('lx', timeout=0.2)
    assert lock.acquire(blocking=False)
    time.sleep(0.35)
    assert r.exists('lx') == 0
    other = r.lock('lx', timeout=5)
    assert other.acquire(blocking=False)
    try:
        lock.release()
        raise AssertionError('release of an expired lock succeeded')
    except LockNotOwnedError:
        pass
    assert other.owned()
    other.release()


def test_lock_context_and_flush(r):
    # Lock's scripts are EVALSHA first, EVAL on NOSCRIPT: flushing the
    # script cache in between must not break them.
    with r.lock('lc', timeout=5) as lock:
        assert lock.owned()
        r.script_flush()
    assert r.exists('lc') == 0


# ------------------------------------------------------------ rate limiter

RATE_LIMIT = """
local current = redis.call('INCR', KEYS[1])
if current == 1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local ttl = redis.call('PTTL', KEYS[1])
if current > tonumber(ARGV[1]) then
    return {0, current, ttl}
end
return {1, current, ttl}
"""


def test_rate_limiter(r):
    limiter = r.register_script(RATE_LIMIT)
    results = [limiter(keys=['rl:user1'], args=[5, 10000]) for _ in range(8)]
    assert [x[0] for x in results] == [1] * 5 + [0] * 3, results
    assert [x[1] for x in results] == list(range(1, 9)), results
    assert all(0 < x[2] <= 10000 for x in results), results
    assert r.get('rl:user1') == b'8'
    # Another key has its own window.
    assert limiter(keys=['rl:user2'], args=[5, 10000])[:2] == [1, 1]
    # The cache is flushed: redis-py falls back to EVAL and goes on.
    r.script_flush()
    assert limiter(keys=['rl:user1'], args=[5, 10000])[:2] == [0, 9]
    # A short window expires and the count starts again.
    assert limiter(keys=['rl:short'], args=[1, 150])[:2] == [1, 1]
    assert limiter(keys=['rl:short'], args=[1, 150])[:2] == [0, 2]
    time.sleep(0.3)
    assert limiter(keys=['rl:short'], args=[1, 150])[:2] == [1, 1]


def test_rate_limiter_pipelined(r):
    limiter = r.register_script(RATE_LIMIT)
    pipe = r.pipeline(transaction=True)
    for _ in range(4):
        limiter(keys=['rl:pipe'], args=[2, 10000], client=pipe)
    results = pipe.execute()
    assert [x[0] for x in results] == [1, 1, 0, 0], results
    # Many clients at once: exactly `limit` calls are allowed.
    allowed = []

    def worker():
        c = redis.Redis(port=r.connection_pool.connection_kwargs['port'])
        lim = c.register_script(RATE_LIMIT)
        for _ in range(10):
            allowed.append(lim(keys=['rl:race'], args=[25, 10000])[0])
        c.close()
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 25 and len(allowed) == 80, (sum(allowed), len(allowed))


TESTS = [test_lock_acquire_release, test_lock_blocking_timeout, test_lock_extend,
         test_lock_reacquire, test_lock_not_owned, test_lock_expiry,
         test_lock_context_and_flush, test_rate_limiter, test_rate_limiter_pipelined]


def main():
    binary = os.environ.get('MINIRED_SERVER')
    if not binary:
        print('set MINIRED_SERVER to the server binary')
        return 2
    server = Server(binary)
    try:
        r = redis.Redis(port=server.port, socket_timeout=10)

        def run_one(test):
            r.flushall()
            test(r)

        rc = run_checks(TESTS, run_one)
        r.close()
    finally:
        server.stop()
    return rc


if __name__ == '__main__':
    sys.exit(main())
