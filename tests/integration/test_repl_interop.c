/* test_repl_interop.c -- replication between minired and a live Redis 7.0
 * in both roles (issue 13's interop bar): a 50-client write load ends with
 * every replica's DEBUG DIGEST equal to its primary's, through a full sync,
 * a partial resync, a replica restart (clean and kill -9), a primary
 * restart from its RDB, a primary kill -9 (restart from its AOF) and a
 * replica chain.
 *
 * Each test runs once per pairing (minired primary with a Redis and a
 * minired replica; Redis primary with a minired replica). A pairing whose
 * minired role is not built yet, or without redis-server, is skipped with
 * a note. MINIRED_REPL_AS_REDIS=1 runs redis-server in every role (checks
 * the tests themselves); MINIRED_REPL_LOAD sets the load's size. The
 * randomized long runs are tests/long/repl_long.c (`make test-long`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "repl_harness.h"

#define MAX_REPLICAS 2
#define DEFAULT_LOAD_REQUESTS 10000
#define LOAD_KEYSPACE 1000
/* Whole tests: two loads and up to two syncs each. */
#define INTEROP_TIMEOUT_S 180

typedef struct pairing {
    const char *name;
    hr_kind primary;
    int nreplicas;
    hr_kind replicas[MAX_REPLICAS];
} pairing;

static const pairing pairings[] = {
    {"minired->redis+minired", HR_MINIRED, 2, {HR_REDIS, HR_MINIRED}},
    {"redis->minired", HR_REDIS, 1, {HR_MINIRED}},
};
#define NPAIRINGS ((int)(sizeof(pairings) / sizeof(pairings[0])))

/* A chain primary -> middle -> leaf (the middle one proxies the stream). */
static const pairing chains[] = {
    {"redis->minired->redis", HR_REDIS, 2, {HR_MINIRED, HR_REDIS}},
    {"minired->redis->minired", HR_MINIRED, 2, {HR_REDIS, HR_MINIRED}},
};

/* One running topology. */
typedef struct topo {
    const pairing *pr;
    hs_server *p;
    redisContext *pc;
    hs_server *r[MAX_REPLICAS];
    redisContext *rc[MAX_REPLICAS];
    const char *names[MAX_REPLICAS];
    char label[MAX_REPLICAS][32];
} topo;

static long load_requests(void) {
    const char *e = getenv("MINIRED_REPL_LOAD");
    long n = e ? atol(e) : 0;
    return n > 0 ? n : DEFAULT_LOAD_REQUESTS;
}

/* Fills *out with the part of pairing `in` that can run here: the
 * replicas whose kind cannot be a replica yet are left out (with a note),
 * so a minired primary is tested with a Redis replica before minired's
 * replica side exists. Returns 0 (after a note) when nothing can run: the
 * primary cannot be one, no replica is left, or (a chain, which must be
 * whole) any server cannot play its part. */
static int pick_pairing(const pairing *in, int chain, pairing *out) {
    if (hr_benchmark_path() == NULL) {
        fprintf(stderr, "note: %s: skipped: redis-benchmark is not installed\n", in->name);
        return 0;
    }
    if (hr_skip(in->name, 1, &in->primary, (const hr_role[]){HR_PRIMARY})) return 0;
    /* In a chain the middle server is a primary too. */
    if (chain && hr_skip(in->name, 1, &in->replicas[0], (const hr_role[]){HR_PRIMARY})) return 0;
    *out = *in;
    out->nreplicas = 0;
    for (int i = 0; i < in->nreplicas; i++) {
        const char *why = hr_unusable(in->replicas[i], HR_REPLICA);
        if (why == NULL) {
            out->replicas[out->nreplicas++] = in->replicas[i];
        } else if (chain) {
            fprintf(stderr, "note: %s: skipped: %s\n", in->name, why);
            return 0;
        } else {
            fprintf(stderr, "note: %s: %s replica left out: %s\n", in->name, hr_kind_name(in->replicas[i]), why);
        }
    }
    if (out->nreplicas == 0) fprintf(stderr, "note: %s: skipped: no replica can run\n", in->name);
    return out->nreplicas > 0;
}

/* Every server: a full sync starts at once (Redis 7.0's default waits 5 s
 * for more replicas before a diskless transfer). */
static const char *const common_args[] = {"--repl-diskless-sync-delay", "0", NULL};

/* common_args then extra (NULL-terminated; static storage, one at a time). */
static const char *const *with_common_args(const char *const *extra) {
    static const char *args[32];
    int n = 0;
    for (int j = 0; common_args[j]; j++) args[n++] = common_args[j];
    for (int j = 0; extra && extra[j]; j++) args[n++] = extra[j];
    args[n] = NULL;
    return args;
}

/* Starts the primary with primary_args, then each replica with
 * replica_args plus `--replicaof 127.0.0.1 <port>` when by_config (else
 * attach with REPLICAOF later). In a chain replica i follows replica i-1. */
static void topo_start(topo *t, const pairing *pr, const char *const *primary_args, const char *const *replica_args,
                       int by_config, int chain) {
    memset(t, 0, sizeof(*t));
    t->pr = pr;
    t->p = hr_start(pr->primary, with_common_args(primary_args));
    t->pc = hs_connect(t->p);
    for (int i = 0; i < pr->nreplicas; i++) {
        const hs_server *up = chain && i > 0 ? t->r[i - 1] : t->p;
        char port[16];
        snprintf(port, sizeof(port), "%d", up->port);
        const char *args[32];
        int n = 0;
        for (int j = 0; common_args[j]; j++) args[n++] = common_args[j];
        for (int j = 0; replica_args && replica_args[j]; j++) args[n++] = replica_args[j];
        if (by_config) {
            args[n++] = "--replicaof";
            args[n++] = "127.0.0.1";
            args[n++] = port;
        }
        args[n] = NULL;
        t->r[i] = hr_start(pr->replicas[i], args);
        t->rc[i] = hs_connect(t->r[i]);
        snprintf(t->label[i], sizeof(t->label[i]), "%s replica %d", hr_kind_name(pr->replicas[i]), i);
        t->names[i] = t->label[i];
    }
}

static void topo_attach(topo *t, int chain) {
    for (int i = 0; i < t->pr->nreplicas; i++) hr_replicaof(t->rc[i], chain && i > 0 ? t->r[i - 1] : t->p);
    hr_wait_synced(t->pc, t->rc, t->pr->nreplicas, HR_SYNC_TIMEOUT_MS);
}

static void topo_check(topo *t) {
    hr_expect_same_dataset(t->pc, t->rc, t->names, t->pr->nreplicas, HR_SYNC_TIMEOUT_MS);
}

static void topo_stop(topo *t) {
    for (int i = t->pr->nreplicas - 1; i >= 0; i--) {
        redisFree(t->rc[i]);
        hs_stop(t->r[i]);
    }
    redisFree(t->pc);
    hs_stop(t->p);
}

/* After a restart of server s (its context *c is stale). */
static void reconnect(redisContext **c, const hs_server *s) {
    redisFree(*c);
    *c = hs_connect(s);
}

static long long stat_ll(redisContext *c, const char *field) {
    return hs_info_ll(c, "stats", field);
}

/* ---------------------------------------------------------- tests */

/* Full sync of a preloaded dataset, then a 50-client load on the attached
 * replicas: every digest equals the primary's, and the primary counts
 * them as connected. */
START_TEST(test_load_digest) {
    pairing picked, *pr = &picked;
    if (!pick_pairing(&pairings[_i], 0, pr)) return;
    topo t;
    topo_start(&t, pr, NULL, NULL, 0, 0);
    hr_load_run(t.p, load_requests() / 4, LOAD_KEYSPACE);
    topo_attach(&t, 0);
    topo_check(&t);
    hr_load_run(t.p, load_requests(), LOAD_KEYSPACE);
    topo_check(&t);
    redisReply *r = hs_command(t.pc, HS_ARGS("DBSIZE"));
    ck_assert_msg(r->integer > LOAD_KEYSPACE, "the load left only %lld keys", r->integer);
    freeReplyObject(r);
    ck_assert_int_eq(hr_repl_ll(t.pc, "connected_slaves"), pr->nreplicas);
    ck_assert_int_ge(stat_ll(t.pc, "sync_full"), pr->nreplicas);
    topo_stop(&t);
}
END_TEST

/* CLIENT KILL TYPE master on each replica: it reconnects and continues
 * with a partial resync (sync_partial_ok counts it, no new full sync). */
START_TEST(test_partial_resync) {
    pairing picked, *pr = &picked;
    if (!pick_pairing(&pairings[_i], 0, pr)) return;
    topo t;
    topo_start(&t, pr, NULL, NULL, 0, 0);
    topo_attach(&t, 0);
    hr_load_run(t.p, load_requests() / 4, LOAD_KEYSPACE);
    topo_check(&t);
    long long full = stat_ll(t.pc, "sync_full"), partial = stat_ll(t.pc, "sync_partial_ok");
    for (int i = 0; i < pr->nreplicas; i++) HS_EXPECT_INT(t.rc[i], 1, "CLIENT", "KILL", "TYPE", "master");
    for (int i = 0; i < 100; i++) HS_EXPECT_OK(t.pc, "SET", "during-reconnect", "v");
    hr_load_run(t.p, load_requests() / 4, LOAD_KEYSPACE);
    topo_check(&t);
    ck_assert_int_eq(stat_ll(t.pc, "sync_full"), full);
    ck_assert_int_eq(stat_ll(t.pc, "sync_partial_ok"), partial + pr->nreplicas);
    topo_stop(&t);
}
END_TEST

/* Replicas follow by their config (`replicaof`) and save an RDB on
 * shutdown. A clean restart of replica 0 while the primary takes writes,
 * then a kill -9 of the last replica under load: after each, the
 * replica resyncs (partially or fully) and the datasets are equal. */
START_TEST(test_replica_restart) {
    pairing picked, *pr = &picked;
    if (!pick_pairing(&pairings[_i], 0, pr)) return;
    topo t;
    topo_start(&t, pr, NULL, HS_ARGS("--save", "3600", "1"), 1, 0);
    hr_load_run(t.p, load_requests() / 2, LOAD_KEYSPACE);
    topo_check(&t);

    hs_halt(t.r[0]);
    hr_load_run(t.p, load_requests() / 4, LOAD_KEYSPACE);
    hs_restart(t.r[0]);
    reconnect(&t.rc[0], t.r[0]);
    topo_check(&t);

    int last = pr->nreplicas - 1;
    hr_load l;
    hr_load_start(&l, t.p, load_requests() / 2, LOAD_KEYSPACE);
    hs_sleep_ms(200);
    hs_crash(t.r[last]);
    hs_restart(t.r[last]);
    reconnect(&t.rc[last], t.r[last]);
    hr_load_wait(&l, 0);
    topo_check(&t);
    topo_stop(&t);
}
END_TEST

/* The primary saves an RDB on shutdown and loads it at restart: the
 * dataset is the one it had, the replicas reconnect to it by themselves
 * and end equal, before and after more writes. */
START_TEST(test_primary_restart) {
    pairing picked, *pr = &picked;
    if (!pick_pairing(&pairings[_i], 0, pr)) return;
    topo t;
    topo_start(&t, pr, HS_ARGS("--save", "3600", "1"), NULL, 1, 0);
    hr_load_run(t.p, load_requests() / 2, LOAD_KEYSPACE);
    /* A primary drops the keys it finds expired in its RDB without a DEL:
     * none may be left for the replicas to keep. */
    hr_purge_expired(t.pc, 1);
    topo_check(&t);
    hs_buf before = hr_digest(t.pc);

    hs_halt(t.p);
    hs_restart(t.p);
    reconnect(&t.pc, t.p);
    hs_buf after = hr_digest(t.pc);
    ck_assert_msg(strcmp(before.data, after.data) == 0, "the primary's digest changed across its restart: %s -> %s",
                  before.data, after.data);
    topo_check(&t);
    hr_load_run(t.p, load_requests() / 2, LOAD_KEYSPACE);
    topo_check(&t);
    hs_buf_free(&before);
    hs_buf_free(&after);
    topo_stop(&t);
}
END_TEST

/* kill -9 of the primary under load (AOF on, fsync every second: the
 * page cache keeps what it wrote): it restarts from its AOF, and the
 * replicas, which reconnect by themselves, end with its dataset. */
START_TEST(test_primary_kill9) {
    pairing picked, *pr = &picked;
    if (!pick_pairing(&pairings[_i], 0, pr)) return;
    topo t;
    topo_start(&t, pr, HS_ARGS("--appendonly", "yes"), NULL, 1, 0);
    hr_load_run(t.p, load_requests() / 4, LOAD_KEYSPACE);
    topo_check(&t);
    hr_load l;
    hr_load_start(&l, t.p, load_requests(), LOAD_KEYSPACE);
    hs_sleep_ms(300);
    hs_crash(t.p);
    hr_load_wait(&l, 1);
    hs_restart(t.p);
    reconnect(&t.pc, t.p);
    topo_check(&t);
    hr_load_run(t.p, load_requests() / 4, LOAD_KEYSPACE);
    topo_check(&t);
    topo_stop(&t);
}
END_TEST

/* A chain: the middle server proxies its primary's stream to the leaf,
 * which ends equal to the top (same offsets along the chain). */
START_TEST(test_chain) {
    pairing picked, *pr = &picked;
    if (!pick_pairing(&chains[_i], 1, pr)) return;
    topo t;
    topo_start(&t, pr, NULL, NULL, 0, 1);
    hr_load_run(t.p, load_requests() / 4, LOAD_KEYSPACE);
    topo_attach(&t, 1);
    hr_load_run(t.p, load_requests() / 2, LOAD_KEYSPACE);
    topo_check(&t);
    topo_stop(&t);
}
END_TEST

/* INFO stats' sync counters as Redis keeps them: a PSYNC with an unknown
 * history is a partial_err and a full sync, PSYNC ? and SYNC full syncs
 * only; CONFIG RESETSTAT zeroes them. Same figures from both servers. */
static void sync_stats_on(hs_server *s, long long *got) {
    static const char *const reqs[] = {"PSYNC 1234567890123456789012345678901234567890 5\r\n", "PSYNC ? -1\r\n",
                                       "SYNC\r\n"};
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        int fd = hs_raw_connect(s);
        hs_raw_send(fd, reqs[i], strlen(reqs[i]));
        /* +FULLRESYNC (PSYNC) or the RDB's first byte (SYNC): the sync began. */
        hs_buf b = hs_raw_read_n(fd, 1, HR_SYNC_TIMEOUT_MS);
        ck_assert_msg(b.len == 1, "no answer to %s", reqs[i]);
        hs_buf_free(&b);
        close(fd);
    }
    redisContext *c = hs_connect(s);
    got[0] = stat_ll(c, "sync_full");
    got[1] = stat_ll(c, "sync_partial_ok");
    got[2] = stat_ll(c, "sync_partial_err");
    HS_EXPECT_OK(c, "CONFIG", "RESETSTAT");
    ck_assert_int_eq(stat_ll(c, "sync_full") + stat_ll(c, "sync_partial_ok") + stat_ll(c, "sync_partial_err"), 0);
    redisFree(c);
}

START_TEST(test_sync_stats) {
    const hr_kind kinds[] = {HR_MINIRED, HR_REDIS};
    if (hr_skip("sync_stats", 2, kinds, (const hr_role[]){HR_PRIMARY, HR_PRIMARY})) return;
    long long got[2][3];
    for (int i = 0; i < 2; i++) {
        hs_server *s = hr_start(kinds[i], with_common_args(NULL));
        sync_stats_on(s, got[i]);
        hs_stop(s);
    }
    ck_assert_int_eq(got[0][0], 3);
    ck_assert_int_eq(got[0][1], 0);
    ck_assert_int_eq(got[0][2], 1);
    for (int j = 0; j < 3; j++) ck_assert_int_eq(got[0][j], got[1][j]);
}
END_TEST

/* The harness itself, on Redis alone: a replica written to directly (it
 * accepts writes with replica-read-only no) is caught as different, with
 * both digests shown; after FLUSHALL on the primary (which the replica
 * applies) the two agree again. The report names the key. */
START_TEST(test_harness_catches_divergence) {
    if (hr_skip("harness", 1, (const hr_kind[]){HR_REDIS}, (const hr_role[]){HR_PRIMARY})) return;
    hs_server *p = hr_start(HR_REDIS, with_common_args(NULL));
    hs_server *r = hr_start(HR_REDIS, HS_ARGS("--replica-read-only", "no"));
    redisContext *pc = hs_connect(p), *rc = hs_connect(r);
    hr_replicaof(rc, p);
    HS_EXPECT_OK(pc, "SET", "k", "v");
    hr_expect_same_dataset(pc, &rc, NULL, 1, HR_SYNC_TIMEOUT_MS);
    HS_EXPECT_OK(rc, "SET", "only-here", "v");
    hs_buf why = {0};
    ck_assert_int_eq(hr_same_dataset(pc, &rc, NULL, 1, 300, &why), 0);
    hs_buf d = hr_digest(rc);
    ck_assert_msg(strstr(why.data, d.data) != NULL, "the replica's digest is not shown: %s", why.data);
    ck_assert_msg(strstr(why.data, "db 0 key \"only-here\"") != NULL, "the extra key is not named: %s", why.data);
    HS_EXPECT_OK(pc, "FLUSHALL");
    hr_expect_same_dataset(pc, &rc, NULL, 1, HR_SYNC_TIMEOUT_MS);
    hs_buf_free(&d);
    hs_buf_free(&why);
    redisFree(rc);
    redisFree(pc);
    hs_stop(r);
    hs_stop(p);
}
END_TEST

static Suite *repl_interop_suite(void) {
    Suite *s = suite_create("repl_interop");
    struct {
        const char *name;
        const TTest *fn;
        int n;
    } cases[] = {
        {"load_digest", test_load_digest, NPAIRINGS},   {"partial_resync", test_partial_resync, NPAIRINGS},
        {"replica_restart", test_replica_restart, NPAIRINGS}, {"primary_restart", test_primary_restart, NPAIRINGS},
        {"primary_kill9", test_primary_kill9, NPAIRINGS}, {"chain", test_chain, 2},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TCase *tc = hs_tcase(s, cases[i].name);
        tcase_set_timeout(tc, INTEROP_TIMEOUT_S);
        tcase_add_loop_test(tc, cases[i].fn, 0, cases[i].n);
    }
    tcase_add_test(hs_tcase(s, "harness"), test_harness_catches_divergence);
    tcase_add_test(hs_tcase(s, "sync_stats"), test_sync_stats);
    return s;
}

int main(void) {
    return hs_run_suite(repl_interop_suite());
}
