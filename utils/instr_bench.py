#!/usr/bin/env python3
"""instr_bench: user-space instructions per request, counted by callgrind.

CPU time per request is the figure the bars name, but on a shared virtual
machine it moves by 5-20% between identical runs, which hides a 2-3% bar.
The instructions the server executes per request do not move: this script
runs each server under valgrind's callgrind with instrumentation off,
switches it on only around each redis-benchmark run (callgrind_control -i
on / -z / -d), and divides the counted instructions by the requests. Kernel
time (syscalls) is not counted, so the ratio is that of the server's own
work.

  python3 utils/instr_bench.py --server build/epoll/minired-server --baseline /tmp/old-minired
  python3 utils/instr_bench.py --server build/epoll/minired-server --acl-user
  python3 utils/instr_bench.py --server A --baseline B --server-args '--appendonly yes'
  python3 utils/instr_bench.py --server A --baseline redis-server --cluster

--acl-user compares, on one server, the default user with a user limited to
`~cache:* +@read` running `GET cache:__rand_int__` (issue 11's ACL bar).
Needs valgrind (callgrind_control comes with it). Owns only its child
servers, stopped by PID. Standard library only.
"""

import argparse
import glob
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

START_TIMEOUT_S = 60.0      # valgrind starts slowly
RUN_TIMEOUT_S = 600.0
ACL_USER, ACL_PASS = 'cacheuser', 'cachepass'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def free_cluster_port():
    """A free port p <= 55535 whose bus port p + 10000 is free too."""
    for _ in range(500):
        p = free_port()
        if p > 55535:
            continue
        try:
            with socket.socket() as s:
                s.bind(('127.0.0.1', p + 10000))
            return p
        except OSError:
            continue
    raise RuntimeError('no free port pair for a cluster node')


# --cluster: a lone cluster node that owns every slot, from a nodes.conf
# written before it starts (the same file format for minired and Redis).
CLUSTER_NODES_CONF = ('%s :0@0 myself,master - 0 0 1 connected 0-16383\n'
                      'vars currentEpoch 1 lastVoteEpoch 0\n' % ('c' * 40))


def command(port, *args):
    payload = b'*%d\r\n' % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        payload += b'$%d\r\n%s\r\n' % (len(a), a)
    with socket.create_connection(('127.0.0.1', port), timeout=30) as s:
        s.sendall(payload)
        return s.recv(65536)


class GrindServer:
    """A server under callgrind, instrumentation off until asked."""

    def __init__(self, binary, workdir, name, extra=(), cluster=False):
        self.port = free_cluster_port() if cluster else free_port()
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        if cluster:
            with open(os.path.join(self.dir, 'nodes.conf'), 'w') as f:
                f.write(CLUSTER_NODES_CONF)
            extra = list(extra) + ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']
        self.out = os.path.join(self.dir, 'cg.out')
        self.log = open(os.path.join(self.dir, 'server.log'), 'wb')
        argv = ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--callgrind-out-file=' + self.out,
                binary, '--port', str(self.port), '--bind', '127.0.0.1', '--save', '', '--dir', self.dir,
                '--daemonize', 'no'] + list(extra)
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     cwd=self.dir, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(('127.0.0.1', self.port), 0.5).close()
                if cluster:
                    self.wait_cluster_ok(deadline)
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError('%s did not start under valgrind' % binary)

    def wait_cluster_ok(self, deadline):
        """A restarted primary says ok only after a short delay."""
        while time.monotonic() < deadline:
            if b'cluster_state:ok' in command(self.port, 'CLUSTER', 'INFO'):
                return
            time.sleep(0.1)
        raise RuntimeError('cluster node on :%d never said cluster_state:ok' % self.port)

    def control(self, *args):
        subprocess.run(['callgrind_control'] + list(args) + [str(self.proc.pid)], capture_output=True,
                       timeout=60, check=True)

    def count(self, bench_argv, requests):
        """Instructions per request over one redis-benchmark run."""
        self.control('-i', 'on')
        self.control('-z')
        subprocess.run(bench_argv, capture_output=True, timeout=RUN_TIMEOUT_S, check=True)
        before = set(glob.glob(self.out + '*'))
        self.control('-d')
        self.control('-i', 'off')
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            new = sorted(set(glob.glob(self.out + '*')) - before)
            if new:
                with open(new[-1]) as f:
                    for line in f:
                        if line.startswith('summary:'):
                            return int(line.split()[1]) / requests
            time.sleep(0.1)
        raise RuntimeError('callgrind wrote no dump')

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def bench_argv(port, args, tail):
    return ['redis-benchmark', '-h', '127.0.0.1', '-p', str(port), '-c', str(args.clients), '-n',
            str(args.requests), '-P', str(args.pipeline), '-r', str(args.keys), '-q'] + tail


def compare_binaries(args, workdir):
    results = {}
    for name, binary in (('server', args.server), ('baseline', args.baseline)):
        srv = GrindServer(os.path.abspath(binary), workdir, name, args.server_args.split(), args.cluster)
        try:
            for t in args.tests.split(','):
                counts = [srv.count(bench_argv(srv.port, args, ['-t', t]), args.requests)
                          for _ in range(args.repeat)]
                results[(name, t)] = min(counts)
        finally:
            srv.stop()
    print('%-6s %14s %14s %8s' % ('test', 'server', 'baseline', 'ratio'))
    for t in args.tests.split(','):
        s, b = results[('server', t)], results[('baseline', t)]
        print('%-6s %14.1f %14.1f %8.4f' % (t, s, b, s / b))


def compare_acl(args, workdir):
    srv = GrindServer(args.server, workdir, 'server')
    try:
        reply = command(srv.port, 'ACL', 'SETUSER', ACL_USER, 'on', '>' + ACL_PASS, 'resetkeys', '~cache:*',
                        'nocommands', '+@read')
        if reply != b'+OK\r\n':
            raise RuntimeError('ACL SETUSER failed: %r' % reply)
        subprocess.run(bench_argv(srv.port, args, ['SET', 'cache:__rand_int__', 'v']), capture_output=True,
                       timeout=RUN_TIMEOUT_S, check=True)
        get = ['GET', 'cache:__rand_int__']
        d = min(srv.count(bench_argv(srv.port, args, get), args.requests) for _ in range(args.repeat))
        r = min(srv.count(bench_argv(srv.port, args, ['--user', ACL_USER, '-a', ACL_PASS] + get), args.requests)
                for _ in range(args.repeat))
    finally:
        srv.stop()
    print('GET cache:__rand_int__: default %.1f, restricted %.1f instructions/request, ratio %.4f'
          % (d, r, r / d))


def main(argv):
    p = argparse.ArgumentParser(description='Instructions per request under callgrind.')
    p.add_argument('--server', required=True)
    p.add_argument('--baseline', help='another build to compare with')
    p.add_argument('--acl-user', action='store_true', help='default vs ~cache:* +@read user on --server')
    p.add_argument('--server-args', default='', help='extra server options for both builds, e.g. "--appendonly yes"')
    p.add_argument('--cluster', action='store_true',
                   help='each server a cluster node (cluster-enabled yes) owning every slot')
    p.add_argument('--tests', default='set,get', help='redis-benchmark -t names (binary comparison)')
    p.add_argument('--requests', type=int, default=100000)
    p.add_argument('--pipeline', type=int, default=16)
    p.add_argument('--clients', type=int, default=10)
    p.add_argument('--keys', type=int, default=10000)
    p.add_argument('--repeat', type=int, default=2, help='runs per figure (the lowest is kept)')
    args = p.parse_args(argv)
    if not args.baseline and not args.acl_user:
        p.error('give --baseline or --acl-user')
    workdir = tempfile.mkdtemp(prefix='instr-bench-')
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if args.baseline:
        compare_binaries(args, workdir)
    if args.acl_user:
        compare_acl(args, workdir)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
