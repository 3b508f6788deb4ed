/* test_nutcracker.c -- three minired shards behind twemproxy (Debian's
 * nutcracker 0.5), started by utils/shards_setup.sh as people start them.
 *
 * A workload of every type goes through the proxy; the keys must be
 * spread over the three shards (each key on exactly one, with its value)
 * and read back through the proxy. The same run with redis-server shards
 * is the reference: the proxy's replies must be the same, and each shard
 * must hold the same keys (the spread is the proxy's, so any difference
 * is a server answering the proxy differently). What nutcracker itself
 * sends a server is covered too: SELECT on connect (redis_db), AUTH before
 * the first command (redis_auth), and its SELECT failing with NOAUTH when
 * both are set (nutcracker sends SELECT first), as it does with Redis.
 *
 * Every test passes with a note when nutcracker is not installed (make
 * test installs it through deps/ensure-test-deps.sh). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hs_setups.h"

#define WORKLOAD_KEYS 150   /* per type: 900 keys over three shards */
#define MIN_SHARE_PERCENT 10 /* each shard holds at least this much */
#define MGET_SPAN 12
#define SHARDS 3
#define PORTS 5 /* proxy, three shards, stats */
#define SETUPS 2 /* per test: minired, then redis-server */

typedef struct setup {
    char dir[PATH_MAX];
    int ports[PORTS];
} setup;

/* Chosen by the runner process before each test (an unchecked fixture),
 * so its teardown can stop what the test started even if it failed: the
 * test runs in a forked child, whose own globals the runner never sees. */
static setup setups[SETUPS];
static char script[PATH_MAX];
static char nutcracker[PATH_MAX];

static void pick(void) {
    if (hs_utils_path("shards_setup.sh", script, sizeof(script)) == -1) script[0] = '\0';
    for (int i = 0; i < SETUPS; i++) {
        if (hs_pick_ports(setups[i].ports, PORTS) == -1 || hs_make_temp_dir("nut", setups[i].dir, PATH_MAX) == -1) {
            fprintf(stderr, "test_nutcracker: cannot pick ports or a temp dir\n");
            exit(1);
        }
    }
}

static void stop_all(void) {
    for (int i = 0; i < SETUPS; i++)
        if (script[0] && setups[i].dir[0]) hs_shell("'%s' stop --dir '%s' >/dev/null", script, setups[i].dir);
}

/* 1 when the test can run; else prints why and the test passes as skipped. */
static int available(void) {
    if (script[0] == '\0') ck_abort_msg("utils/shards_setup.sh not found (run from the source tree)");
    if (hs_find_program("nutcracker", nutcracker, sizeof(nutcracker)) == -1) {
        fprintf(stderr, "note: nutcracker not installed (Debian package nutcracker), test skipped\n");
        return 0;
    }
    return 1;
}

static void start(const setup *s, const char *server, const char *opts) {
    int rc = hs_shell("'%s' start --server '%s' --nutcracker '%s' --dir '%s' --proxy-port %d "
                      "--shard-ports %d,%d,%d --stats-port %d %s >/dev/null",
                      script, server, nutcracker, s->dir, s->ports[0], s->ports[1], s->ports[2], s->ports[3],
                      s->ports[4], opts);
    ck_assert_msg(rc == 0, "shards_setup.sh start failed (%d) for %s", rc, server);
}

static redisContext *connect_port(int port) {
    struct timeval tv = {HS_REPLY_TIMEOUT_MS / 1000, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    ck_assert_msg(c && !c->err, "connect to %d: %s", port, c ? c->errstr : "?");
    redisSetTimeout(c, tv);
    return c;
}

/* Runs a command and appends its reply to the transcript. */
static void step(redisContext *c, hs_buf *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    ck_assert_msg(r != NULL, "no reply through nutcracker to %s: %s", fmt, c->errstr);
    hs_buf_printf(t, "%s -> ", fmt);
    hs_cat_reply(t, r);
    hs_buf_cat(t, "\n", 1);
    freeReplyObject(r);
}

static void write_keys(redisContext *c, hs_buf *t) {
    for (int i = 0; i < WORKLOAD_KEYS; i++) {
        step(c, t, "SET str:%d value-%d", i, i);
        step(c, t, "INCRBY cnt:%d %d", i, i);
        step(c, t, "HSET h:%d f1 v%d f2 %d", i, i, i * 2);
        step(c, t, "RPUSH l:%d a b %d", i, i);
        step(c, t, "SADD s:%d x y %d", i, i);
        step(c, t, "ZADD z:%d 1 a 2.5 b %d m%d", i, i, i);
    }
}

static void read_keys(redisContext *c, hs_buf *t) {
    for (int i = 0; i < WORKLOAD_KEYS; i++) {
        step(c, t, "GET str:%d", i);
        step(c, t, "GET cnt:%d", i);
        step(c, t, "HGETALL h:%d", i);
        step(c, t, "LRANGE l:%d 0 -1", i);
        step(c, t, "SISMEMBER s:%d %d", i, i);
        step(c, t, "ZRANGE z:%d 0 -1 WITHSCORES", i);
        step(c, t, "TYPE z:%d", i);
    }
    /* Multi-key commands nutcracker splits over the shards and joins. */
    for (int i = 0; i + MGET_SPAN <= WORKLOAD_KEYS; i += MGET_SPAN)
        step(c, t, "MGET str:%d str:%d str:%d str:%d nokey str:%d", i, i + 1, i + 5, i + 7, i + 11);
    step(c, t, "EXISTS str:1 str:2 str:3 nokey");
    step(c, t, "EXPIRE str:4 1000");
    step(c, t, "TTL str:4");
    step(c, t, "GET nokey");
    step(c, t, "INCR str:5");
    step(c, t, "LPUSH str:6 x");
    step(c, t, "DEL cnt:0 cnt:1 cnt:2 nokey");
    step(c, t, "PING");
}

static long long int_reply(redisContext *c, const char *cmd) {
    redisReply *r = redisCommand(c, cmd);
    ck_assert_msg(r && r->type == REDIS_REPLY_INTEGER, "%s: no integer reply", cmd);
    long long v = r->integer;
    freeReplyObject(r);
    return v;
}

/* The keys on each shard (database db): every str:<i> on exactly one
 * shard with its value, each shard with a fair share. Fills counts. */
static void check_spread(const setup *s, int db, const char *auth, long long counts[SHARDS], long long total) {
    redisContext *sc[SHARDS];
    long long sum = 0;
    for (int k = 0; k < SHARDS; k++) {
        sc[k] = connect_port(s->ports[1 + k]);
        if (auth) HS_EXPECT_OK(sc[k], "AUTH", auth);
        char sel[16];
        snprintf(sel, sizeof(sel), "%d", db);
        HS_EXPECT_OK(sc[k], "SELECT", sel);
        counts[k] = int_reply(sc[k], "DBSIZE");
        sum += counts[k];
        ck_assert_msg(counts[k] * 100 >= total * MIN_SHARE_PERCENT, "shard %d holds %lld of %lld keys", k + 1,
                      counts[k], total);
    }
    ck_assert_msg(sum == total, "the shards hold %lld keys, %lld were written", sum, total);
    for (int i = 0; i < WORKLOAD_KEYS; i++) {
        int found = 0;
        char want[32];
        snprintf(want, sizeof(want), "value-%d", i);
        for (int k = 0; k < SHARDS; k++) {
            redisReply *r = redisCommand(sc[k], "GET str:%d", i);
            ck_assert_ptr_nonnull(r);
            if (r->type == REDIS_REPLY_STRING) {
                found++;
                if (i != 4 && i != 5 && i != 6) ck_assert_str_eq(r->str, want);
            }
            freeReplyObject(r);
        }
        ck_assert_msg(found == 1, "str:%d is on %d shards", i, found);
    }
    for (int k = 0; k < SHARDS; k++) redisFree(sc[k]);
}

/* The nutcracker log line about its SELECT (sent before its AUTH). */
static int log_has_noauth_select(const setup *s) {
    return hs_shell("grep -q 'SELECT 2 failed on shards | shard1: NOAUTH Authentication required.' "
                    "'%s/proxy/nutcracker.log'",
                    s->dir) == 0;
}

/* One full run: start, workload, spread; returns the transcript. */
static hs_buf run_setup(const setup *s, const char *server, const char *opts, int db, const char *auth,
                        long long counts[SHARDS]) {
    start(s, server, opts);
    redisContext *c = connect_port(s->ports[0]);
    hs_buf t = {0};
    if (auth) step(c, &t, "AUTH %s", auth);
    write_keys(c, &t);
    read_keys(c, &t);
    redisFree(c);
    /* 6 types per index, less the three cnt keys deleted. */
    check_spread(s, db, auth, counts, 6LL * WORKLOAD_KEYS - 3);
    if (auth) {
        redisContext *direct = connect_port(s->ports[1]);
        HS_EXPECT_ERROR(direct, "NOAUTH Authentication required.", "GET", "str:1");
        redisFree(direct);
    }
    if (strstr(opts, "--auth") && strstr(opts, "--db"))
        ck_assert_msg(log_has_noauth_select(s), "nutcracker's SELECT did not fail with NOAUTH");
    hs_setup_stop_check_logs(script, s->dir);
    return t;
}

static void compare_with_redis(hs_buf *mine, long long mine_counts[SHARDS], const char *opts, int db,
                               const char *auth) {
    const char *redis = hs_redis_server_path();
    if (redis == NULL) {
        fprintf(stderr, "note: redis-server not installed, no comparison\n");
        return;
    }
    long long counts[SHARDS];
    hs_buf ref = run_setup(&setups[1], redis, opts, db, auth, counts);
    if (mine->len != ref.len || memcmp(mine->data, ref.data, ref.len) != 0) {
        size_t at = 0;
        while (at < ref.len && at < mine->len && ref.data[at] == mine->data[at]) at++;
        ck_abort_msg("replies through nutcracker differ from Redis's at byte %zu:\nminired: %.300s\nredis:   %.300s",
                     at, mine->data + (at > 100 ? at - 100 : 0), ref.data + (at > 100 ? at - 100 : 0));
    }
    for (int k = 0; k < SHARDS; k++)
        ck_assert_msg(counts[k] == mine_counts[k], "shard %d: minired holds %lld keys, Redis %lld", k + 1,
                      mine_counts[k], counts[k]);
    hs_buf_free(&ref);
}

START_TEST(test_workload_spread) {
    if (!available()) return;
    long long counts[SHARDS];
    hs_buf t = run_setup(&setups[0], hs_server_path(), "", 0, NULL, counts);
    compare_with_redis(&t, counts, "", 0, NULL);
    hs_buf_free(&t);
}
END_TEST

/* redis_db: nutcracker sends SELECT on each server connection (db 0
 * stays empty: check_spread counts every key in db 3). */
START_TEST(test_redis_db_select) {
    if (!available()) return;
    long long counts[SHARDS];
    hs_buf t = run_setup(&setups[0], hs_server_path(), "--db 3", 3, NULL, counts);
    compare_with_redis(&t, counts, "--db 3", 3, NULL);
    hs_buf_free(&t);
}
END_TEST

/* redis_auth: the client authenticates to nutcracker, nutcracker to each
 * server; with redis_db too, its SELECT fails (NOAUTH) and keys stay in
 * db 0, exactly as with Redis. */
START_TEST(test_redis_auth) {
    if (!available()) return;
    long long counts[SHARDS];
    hs_buf t = run_setup(&setups[0], hs_server_path(), "--auth s3cret --db 2", 0, "s3cret", counts);
    compare_with_redis(&t, counts, "--auth s3cret --db 2", 0, "s3cret");
    hs_buf_free(&t);
}
END_TEST

static Suite *nutcracker_suite(void) {
    Suite *s = suite_create("nutcracker");
    /* One tcase per test: unchecked fixtures run once per tcase. */
    const struct {
        const char *name;
        const TTest *test;
    } tests[] = {{"spread", test_workload_spread}, {"redis_db", test_redis_db_select}, {"redis_auth", test_redis_auth}};
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        TCase *tc = hs_tcase(s, tests[i].name);
        tcase_add_unchecked_fixture(tc, pick, stop_all);
        tcase_add_test(tc, tests[i].test);
    }
    return s;
}

int main(void) {
    return hs_run_suite(nutcracker_suite());
}
