#!/usr/bin/python3
"""COMMAND DOCS and COMMAND INFO of every command, and redis-cli's
interactive hints, against the server in $MINIRED_SERVER and a
redis-server 7.0 started beside it.

Two checks:
  - utils/diff_command_docs.py: COMMAND DOCS <cmd> and COMMAND INFO <cmd>
    for every command and subcommand both servers list, RESP2 and RESP3,
    byte for byte (subcommand order aside: Redis's changes per start);
  - redis-cli in interactive mode, driven through a pseudo-terminal: the
    hint it prints after a command name and a space must be the same
    against both servers.
Run by `make test` with the integration tests; prints one Check-style
summary line so tests/tally.sh counts it. Without redis-server the test
cannot compare and fails (deps/ensure-test-deps.sh installs it). Starts
both servers on free ports and stops them by PID.
"""

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import tempfile
import termios
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'utils'))
import diffcheck  # noqa: E402
import diff_command_docs  # noqa: E402

HINT_INPUTS = ['SET ', 'XADD ', 'GEOSEARCH ', 'CLIENT KILL ', 'XGROUP CREATE ', 'ZADD ',
               'GEORADIUS ', 'COMMAND DOCS ', 'BITFIELD ', 'SORT ',
               # redis-cli's help, built from COMMAND DOCS too
               'help xadd\r', 'help client kill\r', 'help georadius\r', 'help @stream\r']


def read_until(fd, done, timeout=10.0, idle=0.3):
    """Reads until done(output) holds and nothing more came for idle
    seconds, or timeout passed (a loaded machine may start redis-cli
    slowly: it asks the server for COMMAND DOCS first)."""
    out, end = b'', time.monotonic() + timeout
    quiet_since = time.monotonic()
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            quiet_since = time.monotonic()
        elif done(out) and time.monotonic() - quiet_since >= idle:
            break
    return out


def cli_hint(port, text):
    """What redis-cli draws after text is typed at its prompt."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ['TERM'] = 'xterm'
        os.execvp('redis-cli', ['redis-cli', '-p', str(port)])
    prompt = b':%d> ' % port
    typed = text.rstrip('\r').encode()
    try:
        # A window size spares linenoise its cursor-position query.
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 400, 0, 0))
        read_until(fd, lambda out: prompt in out)
        os.write(fd, text.encode())
        if text.endswith('\r'):
            # help: done when the prompt is back after the text.
            out = read_until(fd, lambda out: b'\r\n' in out and out.endswith(prompt))
        else:
            out = read_until(fd, lambda out: prompt + typed in out)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    # The prompt names the port; only the rest must match.
    return out.replace(b':%d>' % port, b':PORT>')


def main():
    binary = os.environ.get('MINIRED_SERVER')
    if not binary:
        print('MINIRED_SERVER is not set')
        print('0%: Checks: 1, Failures: 0, Errors: 1')
        return 1
    if shutil.which('redis-server') is None or shutil.which('redis-cli') is None:
        print('redis-server / redis-cli missing: nothing to compare with')
        print('0%: Checks: 1, Failures: 0, Errors: 1')
        return 1
    tmp = tempfile.mkdtemp(prefix='itest-docs-')
    servers = []
    checks = failures = 0
    try:
        for name, exe in (('minired', binary), ('redis', 'redis-server')):
            srv = diffcheck.Server(name, exe, [], tmp)
            servers.append(srv)
            srv.wait_ready()
        ports = {'minired': servers[0].port, 'redis': servers[1].port}
        checked, failed = diff_command_docs.run(ports, verbose=True)
        checks += checked
        failures += failed
        for text in HINT_INPUTS:
            checks += 1
            ours, theirs = cli_hint(ports['minired'], text), cli_hint(ports['redis'], text)
            # A hint is drawn in grey; help prints the command in bold.
            if ours != theirs or (b'\x1b[0;90;49m' not in theirs and b'\x1b[1m' not in theirs):
                failures += 1
                print('FAIL hint for %r:\n  minired: %r\n  redis:   %r' % (text, ours, theirs))
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    pct = 100 * (checks - failures) // max(checks, 1)
    print('%d%%: Checks: %d, Failures: %d, Errors: 0' % (pct, checks, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
