"""workload_server: the server child the client-library workloads run
against (tests/workloads/test_*.py): one minired on a free loopback port,
in a temporary directory of its own, stopped by PID and cleaned up by
stop(). Standard library only."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    """One server child; extra_args are appended to its command line."""

    def __init__(self, binary, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix='minired-workload.')
        self.port = free_port()
        self.log = open(os.path.join(self.dir, 'server.log'), 'wb')
        self.proc = subprocess.Popen(
            [binary, '--port', str(self.port), '--bind', '127.0.0.1',
             '--save', '', '--dir', self.dir, '--daemonize', 'no'] + list(extra_args),
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=self.dir, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(('127.0.0.1', self.port), 0.5).close()
                return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError('server %s did not start' % binary)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_checks(tests, run_one):
    """Runs every test through run_one(test), printing a line for each and
    then Check's summary line (tests/tally.sh counts it); returns the exit
    status. A client exception other than an assertion is an error."""
    failures = errors = 0
    for test in tests:
        t0 = time.monotonic()
        try:
            run_one(test)
            print('ok    %s (%.2fs)' % (test.__name__, time.monotonic() - t0))
        except AssertionError:
            failures += 1
            print('FAIL  %s' % test.__name__)
            traceback.print_exc(file=sys.stdout)
        except Exception:  # a client error is a failure of the server too
            errors += 1
            print('ERROR %s' % test.__name__)
            traceback.print_exc(file=sys.stdout)
    n = len(tests)
    print('%d%%: Checks: %d, Failures: %d, Errors: %d'
          % (100 * (n - failures - errors) // n if n else 100, n, failures, errors))
    return 1 if failures or errors else 0
