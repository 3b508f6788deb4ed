"""cluster_workload: what the cluster workload tests
(tests/workloads/test_cluster_*.py) share: which server they run (minired
by default, real Redis to validate the tests themselves), which of their
checks run, and the path to utils/ (cluster_lib.py, cluster_load.py).

Each test file lists its checks at the top with the minired pieces each
one needs (cluster.c, cluster_bus.c, cluster_failover.c, cluster_cmd.c,
cluster_route.c, migrate.c) and IN_MAKE_TEST, the checks `make test` runs
(it runs the file with no options). The others run with --all, which
`make test-cluster` passes.

  /usr/bin/python3 tests/workloads/test_cluster_create.py                 # make test's checks, minired
  /usr/bin/python3 tests/workloads/test_cluster_create.py --all           # every check
  /usr/bin/python3 tests/workloads/test_cluster_create.py --all --redis   # every check on Redis 7.0 nodes
  /usr/bin/python3 tests/workloads/test_cluster_reshard.py --only test_reshard_mixed
"""

import argparse
import os
import sys
import tempfile
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, 'utils'))
sys.dont_write_bytecode = True

from workload_server import run_checks  # noqa: E402


class Ctx:
    """What a check gets: the binary of the nodes under test (server), the
    Redis binary for mixed clusters (redis) and a scratch dir."""

    def __init__(self, server, redis, workdir):
        self.server, self.redis, self.workdir = server, redis, workdir
        self.shared = {}


def main(checks, needs, in_make_test, argv=None):
    """checks: the check functions (each takes a Ctx), in order; needs:
    name -> the minired pieces it needs; in_make_test: names run without
    --all. Prints one line per check (skipped ones too) and Check's summary
    line; returns the exit status."""
    p = argparse.ArgumentParser()
    p.add_argument('--server', default=os.environ.get('MINIRED_SERVER')
                   or os.path.join(REPO, 'build', 'epoll', 'minired-server'),
                   help='the nodes under test (default $MINIRED_SERVER, else build/epoll/minired-server)')
    p.add_argument('--redis', action='store_true', help='run every node on Redis (validates the tests)')
    p.add_argument('--redis-bin', default='redis-server', help='Redis binary (mixed clusters, --redis)')
    p.add_argument('--all', action='store_true', default=os.environ.get('MINIRED_CLUSTER_ALL') == '1',
                   help='run every check, not only those make test runs')
    p.add_argument('--only', default='', help='comma-separated check names')
    p.add_argument('--list', action='store_true', help='list the checks and what they need')
    args = p.parse_args(argv)
    try:
        import redis  # noqa: F401
    except ImportError:
        print('redis-py is missing: install python3-redis (make test-deps does)')
        print('0%: Checks: 1, Failures: 0, Errors: 1')
        return 1
    if args.list:
        for c in checks:
            print('%-34s %-9s needs %s' % (c.__name__, 'make-test' if c.__name__ in in_make_test else 'cluster',
                                          needs.get(c.__name__, '-')))
        return 0
    only = set(filter(None, args.only.split(',')))
    unknown = only - {c.__name__ for c in checks}
    if unknown:
        print('unknown check(s): %s' % ', '.join(sorted(unknown)))
        return 2
    if only:
        chosen = [c for c in checks if c.__name__ in only]
    elif args.all or args.redis:
        chosen = list(checks)
    else:
        chosen = [c for c in checks if c.__name__ in in_make_test]
    for c in checks:
        if c not in chosen:
            print('skip  %s (needs %s; run with --all / make test-cluster)'
                  % (c.__name__, needs.get(c.__name__, '-')))
    server = args.redis_bin if args.redis else args.server
    server = shutil.which(server) or server
    redis_bin = shutil.which(args.redis_bin) or args.redis_bin
    workdir = tempfile.mkdtemp(prefix='minired-cluster-test.')
    ctx = Ctx(os.path.abspath(server), redis_bin, workdir)
    print('nodes under test: %s' % ctx.server)
    try:
        return run_checks(chosen, lambda check: check(ctx))
    finally:
        for v in ctx.shared.values():
            stop = getattr(v, 'stop', None)
            if stop:
                stop()
        shutil.rmtree(workdir, ignore_errors=True)
