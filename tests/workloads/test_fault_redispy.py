#!/usr/bin/python3
"""Fault injection as a client library's own tests would use it: redis-py
against faults injected with MINIRED FAULT (the server in $MINIRED_SERVER,
started with enable-test-controls yes).

What is checked is redis-py's documented behaviour meeting minired's
faults: a -LOADING reply is BusyLoadingError, retried by a Retry policy
with retry_on_error; a connection closed under a command is reconnected
(and retried when asked); -MOVED reaches the caller as the error Redis
sends; a stalled or delayed reply ends in the client's socket timeout.

Run by `make test` with the integration tests, with Debian's python3 and
python3-redis (deps/ensure-test-deps.sh installs it). Prints one
Check-style summary line for tests/tally.sh. Starts its own server on a
free port and stops it by PID. A few seconds in all.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workload_server import Server, run_checks  # noqa: E402

sys.dont_write_bytecode = True

try:
    import redis
    from redis.backoff import NoBackoff
    from redis.exceptions import BusyLoadingError, ResponseError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from redis.retry import Retry
except ImportError:
    print('redis-py is missing: install python3-redis (make test-deps does)')
    print('0%: Checks: 1, Failures: 0, Errors: 1')
    sys.exit(1)

LOADING = 'LOADING Redis is loading the dataset in memory'


def fault(ctl, *args):
    return ctl.execute_command('MINIRED', 'FAULT', *args)


def fired(ctl, fault_id):
    """How often fault_id fired (None once it removed itself)."""
    for entry in fault(ctl, 'LIST'):
        fields = dict(zip(entry[0::2], entry[1::2]))
        if fields[b'id'] == fault_id.encode():
            return fields[b'fired']
    return None


# ------------------------------------------------------------ the tests

def test_loading_raises_busy_loading_error(port, ctl):
    fault(ctl, 'ADD', 'l', 'COMMAND', 'get', 'ERROR', LOADING, 'COUNT', '1')
    r = redis.Redis(port=port, socket_timeout=5)
    try:
        r.get('k')
        raise AssertionError('GET did not raise under an injected -LOADING')
    except BusyLoadingError as e:
        assert 'loading' in str(e).lower(), e
    # COUNT 1: spent, the next GET is served.
    assert r.get('k') == b'v'
    r.close()


def test_loading_retried_by_retry_policy(port, ctl):
    fault(ctl, 'ADD', 'l', 'COMMAND', 'get', 'ERROR', LOADING, 'COUNT', '2')
    r = redis.Redis(port=port, socket_timeout=5, retry=Retry(NoBackoff(), 3),
                    retry_on_error=[BusyLoadingError])
    assert r.get('k') == b'v'
    assert fired(ctl, 'l') is None  # both fires spent by the retries
    # Too few retries: the error reaches the caller.
    fault(ctl, 'ADD', 'l', 'COMMAND', 'get', 'ERROR', LOADING, 'COUNT', '3')
    r1 = redis.Redis(port=port, socket_timeout=5, retry=Retry(NoBackoff(), 1),
                     retry_on_error=[BusyLoadingError])
    try:
        r1.get('k')
        raise AssertionError('one retry outlived three -LOADING replies')
    except BusyLoadingError:
        pass
    assert fired(ctl, 'l') == 2
    r.close()
    r1.close()


def test_close_reconnects(port, ctl):
    r = redis.Redis(port=port, socket_timeout=5)
    first_id = r.client_id()
    fault(ctl, 'ADD', 'c', 'COMMAND', 'get', 'CLOSE', 'COUNT', '1')
    try:
        r.get('k')
        raise AssertionError('GET on a closed connection did not raise')
    except RedisConnectionError:
        pass
    # The pool opens a new connection for the next command.
    assert r.get('k') == b'v'
    assert r.client_id() != first_id
    # With retries, the caller never sees the close; CLOSE BEFORE left
    # the data alone, CLOSE AFTER ran the command once per attempt.
    fault(ctl, 'ADD', 'c', 'COMMAND', 'incrby', 'CLOSE', 'BEFORE', 'COUNT', '1')
    rr = redis.Redis(port=port, socket_timeout=5, retry=Retry(NoBackoff(), 2),
                     retry_on_error=[RedisConnectionError])
    assert rr.incr('n') == 1  # (redis-py sends INCRBY n 1)
    assert fired(ctl, 'c') is None
    fault(ctl, 'ADD', 'a', 'COMMAND', 'incrby', 'CLOSE', 'AFTER', 'COUNT', '1')
    got = rr.incr('n')
    assert got == 3, got  # the first attempt ran, its reply was lost
    r.close()
    rr.close()


def test_moved_reaches_the_caller(port, ctl):
    fault(ctl, 'ADD', 'm', 'KEY', 'user:*', 'ERROR', 'MOVED 3999 127.0.0.1:6381')
    r = redis.Redis(port=port, socket_timeout=5)
    try:
        r.get('user:1')
        raise AssertionError('GET did not raise under an injected -MOVED')
    except ResponseError as e:
        assert str(e) == 'MOVED 3999 127.0.0.1:6381', str(e)
    assert r.get('k') == b'v'  # other keys are served
    r.close()


def test_stalled_reply_times_out(port, ctl):
    r = redis.Redis(port=port, socket_timeout=0.3)
    fault(ctl, 'ADD', 'p', 'COMMAND', 'get', 'PARTIAL', '3', 'STALL', 'COUNT', '1')
    t0 = time.monotonic()
    try:
        r.get('k')
        raise AssertionError('a stalled reply did not time out')
    except RedisTimeoutError:
        pass
    assert 0.25 <= time.monotonic() - t0 < 3, time.monotonic() - t0
    fault(ctl, 'ADD', 'd', 'COMMAND', 'get', 'DELAY', '1000', 'COUNT', '1')
    try:
        r.get('k')
        raise AssertionError('a reply delayed past socket_timeout did not time out')
    except RedisTimeoutError:
        pass
    # A delay within the timeout is only slow.
    slow = redis.Redis(port=port, socket_timeout=2)
    fault(ctl, 'ADD', 'd2', 'COMMAND', 'get', 'DELAY', '200', 'COUNT', '1')
    t0 = time.monotonic()
    assert slow.get('k') == b'v'
    assert time.monotonic() - t0 >= 0.18
    r.close()
    slow.close()


TESTS = [test_loading_raises_busy_loading_error, test_loading_retried_by_retry_policy,
         test_close_reconnects, test_moved_reaches_the_caller, test_stalled_reply_times_out]


def main():
    binary = os.environ.get('MINIRED_SERVER')
    if not binary:
        print('set MINIRED_SERVER to the server binary')
        return 2
    server = Server(binary, ['--enable-test-controls', 'yes'])
    try:
        # The controlling connection: MINIRED exempts it from every fault.
        ctl = redis.Redis(port=server.port, socket_timeout=10, single_connection_client=True)

        def run_one(test):
            fault(ctl, 'RESET')
            ctl.flushall()
            ctl.set('k', 'v')
            test(server.port, ctl)

        rc = run_checks(TESTS, run_one)
        ctl.close()
    finally:
        server.stop()
    return rc


if __name__ == '__main__':
    sys.exit(main())
