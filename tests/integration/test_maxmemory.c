/* test_maxmemory.c -- integration tests for maxmemory and eviction: the
 * OOM refusal under noeviction and under volatile-* policies with no key
 * holding a TTL, and that each evicting policy keeps memory near the limit
 * while choosing the victims it should (LRU: least recently used first;
 * LFU: least used; volatile-ttl: nearest expiry first).
 *
 * Limits are set relative to the server's used_memory at the time (the
 * empty server's own footprint differs between builds), and the
 * statistical checks use wide margins. One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define OOM "OOM command not allowed when used memory > 'maxmemory'."
#define VALUE_BYTES 1000
/* Room above the current usage given to a test's data. */
#define HEADROOM_BYTES (1024 * 1024)
/* LRU clock ticks once a second: old and touched keys must differ. */
#define LRU_TICK_WAIT_MS 2100
/* One command may overshoot the limit by what it allocates itself. */
#define OVERSHOOT_BYTES (64 * 1024)

static hs_server *srv;
static redisContext *ctx;
static char value[VALUE_BYTES + 1];

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
    memset(value, 'v', VALUE_BYTES);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

static long long dbsize(void) {
    redisReply *r = hs_command(ctx, HS_ARGS("DBSIZE"));
    ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
    long long n = r->integer;
    freeReplyObject(r);
    return n;
}

/* Sets maxmemory to the current usage plus extra bytes; returns it. */
static long long limit_at_usage_plus(long long extra) {
    long long limit = hs_info_ll(ctx, "memory", "used_memory") + extra;
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", limit);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", buf);
    return limit;
}

/* SETs prefix0..prefix(n-1) pipelined; every reply must be +OK. Extra
 * arguments (EX 100) go after the value when given. */
static void fill(const char *prefix, int from, int n, const char *opt, const char *optval) {
    char key[64];
    for (int i = from; i < from + n; i++) {
        snprintf(key, sizeof(key), "%s%d", prefix, i);
        if (opt) redisAppendCommand(ctx, "SET %s %s %s %s", key, value, opt, optval);
        else redisAppendCommand(ctx, "SET %s %s", key, value);
    }
    for (int i = 0; i < n; i++) {
        redisReply *r = hs_get_reply(ctx);
        HS_CHECK_STATUS(r, "OK");
        freeReplyObject(r);
    }
}

/* How many of prefix<from>..prefix<from+n-1> exist (run at the end of a
 * test: EXISTS touches the keys' access data). */
static long long count_range(const char *prefix, int from, int n) {
    char key[64];
    long long found = 0;
    for (int i = from; i < from + n; i++) {
        snprintf(key, sizeof(key), "%s%d", prefix, i);
        redisAppendCommand(ctx, "EXISTS %s", key);
    }
    for (int i = 0; i < n; i++) {
        redisReply *r = hs_get_reply(ctx);
        ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
        found += r->integer;
        freeReplyObject(r);
    }
    return found;
}

static long long count_existing(const char *prefix, int n) {
    return count_range(prefix, 0, n);
}

/* Reads prefix0..prefix(n-1) times times each. */
static void touch_keys(const char *prefix, int n, int times) {
    char key[64];
    for (int t = 0; t < times; t++)
        for (int i = 0; i < n; i++) {
            snprintf(key, sizeof(key), "%s%d", prefix, i);
            redisAppendCommand(ctx, "GET %s", key);
        }
    for (int i = 0; i < n * times; i++) freeReplyObject(hs_get_reply(ctx));
}

/* ---------------------------------------------------------- refusal */

START_TEST(test_noeviction_refuses_writes) {
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "1");
    HS_EXPECT_ERROR(ctx, OOM, "SET", "k2", "v");
    HS_EXPECT_ERROR(ctx, OOM, "SET", "k", "v2"); /* even an overwrite */
    HS_EXPECT_BULK(ctx, "v", "GET", "k");       /* reads still run */
    HS_EXPECT_INT(ctx, 1, "EXISTS", "k");
    HS_EXPECT_INT(ctx, 1, "DEL", "k");          /* and DEL frees memory */
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    /* the refusal counts as a rejected call of SET */
    redisReply *r = hs_command(ctx, HS_ARGS("INFO", "commandstats"));
    ck_assert_ptr_nonnull(strstr(r->str, "cmdstat_set:calls=1,"));
    ck_assert_ptr_nonnull(strstr(r->str, "rejected_calls=2,"));
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "0"); /* no limit again */
    HS_EXPECT_OK(ctx, "SET", "k2", "v");
}
END_TEST

/* A volatile policy may only evict keys with a TTL: with none, it must
 * refuse instead of evicting anything else. */
START_TEST(test_volatile_without_ttl_keys_refuses) {
    fill("p", 0, 50, NULL, NULL);
    const char *policies[] = {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"};
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "1");
    for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
        HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", policies[i]);
        HS_EXPECT_ERROR(ctx, OOM, "SET", "x", "y");
        HS_EXPECT_INT(ctx, 50, "DBSIZE");
    }
    /* with one volatile key it goes first, and then the refusal comes */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "0");
    HS_EXPECT_OK(ctx, "SET", "t", "v", "EX", "1000");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "1");
    HS_EXPECT_ERROR(ctx, OOM, "SET", "x", "y");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "t");
    HS_EXPECT_INT(ctx, 50, "DBSIZE");
}
END_TEST

/* An allkeys policy with nothing left to evict refuses too. */
START_TEST(test_allkeys_empty_refuses) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "maxmemory", "1");
    HS_EXPECT_ERROR(ctx, OOM, "SET", "x", "y");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
}
END_TEST

/* ---------------------------------------------------------- evicting */

START_TEST(test_allkeys_random_keeps_under_limit) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    long long limit = limit_at_usage_plus(HEADROOM_BYTES);
    int n = 5000; /* about 5x the headroom */
    fill("k", 0, n, NULL, NULL);
    long long used = hs_info_ll(ctx, "memory", "used_memory");
    ck_assert_msg(used <= limit + OVERSHOOT_BYTES, "used %lld, limit %lld", used, limit);
    long long left = dbsize();
    ck_assert_int_lt(left, n / 2);
    ck_assert_int_gt(left, 0);
    /* keys in other databases are candidates too */
    HS_EXPECT_OK(ctx, "SELECT", "3");
    fill("other", 0, n, NULL, NULL);
    HS_EXPECT_OK(ctx, "SELECT", "0");
    ck_assert_int_lt(dbsize(), left);
}
END_TEST

START_TEST(test_allkeys_lru_keeps_recently_used) {
    int n = 1000;
    fill("old", 0, n, NULL, NULL);
    hs_sleep_ms(LRU_TICK_WAIT_MS);
    touch_keys("old", n / 2, 1); /* old0..old499 are now recent */
    /* Sampling approximates LRU: with 5 samples, once most idle keys are
     * gone a draw of only recent keys is likely enough to make this test
     * flaky (seen under ASan: 79 recent keys evicted). 10 samples keep it
     * about the policy, not the luck of the draw. */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "maxmemory-samples", "10");
    limit_at_usage_plus(HEADROOM_BYTES / 4);
    fill("new", 0, 600, NULL, NULL); /* room for ~250: ~350 must go */
    ck_assert_int_gt(n + 600 - dbsize(), 200); /* evicted */
    long long touched = count_range("old", 0, n / 2), untouched = count_range("old", n / 2, n / 2);
    /* the idle half pays: nearly all evictions fall on it */
    ck_assert_msg(touched >= n / 2 - 50, "touched survivors %lld, untouched %lld", touched, untouched);
    ck_assert_msg(untouched <= n / 2 - 150, "touched survivors %lld, untouched %lld", touched, untouched);
}
END_TEST

START_TEST(test_allkeys_lfu_keeps_frequently_used) {
    int n = 1000;
    /* log factor 0: every access raises the counter (no randomness) */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu", "lfu-log-factor", "0");
    fill("f", 0, n, NULL, NULL);
    touch_keys("f", n / 2, 10);
    limit_at_usage_plus(HEADROOM_BYTES / 4);
    fill("new", 0, 600, NULL, NULL);
    ck_assert_int_gt(n + 600 - dbsize(), 200);
    long long hot = count_existing("f", n / 2);
    ck_assert_msg(hot >= n / 2 - 50, "hot survivors %lld", hot);
    HS_EXPECT_INT(ctx, 15, "OBJECT", "FREQ", "f0"); /* 5 at creation + 10 hits */
}
END_TEST

START_TEST(test_volatile_ttl_evicts_soonest_first) {
    int n = 500;
    fill("soon", 0, n, "EX", "1000");
    fill("late", 0, n, "EX", "100000");
    fill("p", 0, n, NULL, NULL);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "volatile-ttl");
    limit_at_usage_plus(HEADROOM_BYTES / 4);
    fill("new", 0, 600, NULL, NULL); /* ~350 evictions */
    long long soon = count_existing("soon", n), late = count_existing("late", n), persistent = count_existing("p", n);
    ck_assert_int_eq(persistent, n); /* never a key without TTL */
    ck_assert_msg(late >= n - 50, "soon %lld late %lld", soon, late);
    ck_assert_msg(soon <= n - 250, "soon %lld late %lld", soon, late);
    /* once every volatile key is gone, writes are refused (no time limit,
     * so that one command does the whole job) */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "1", "maxmemory-eviction-tenacity", "100");
    HS_EXPECT_ERROR(ctx, OOM, "SET", "x", "y");
    ck_assert_int_eq(count_existing("soon", n) + count_existing("late", n), 0);
    ck_assert_int_eq(count_existing("p", n), n);
}
END_TEST

/* Tenacity 0 gives a command no eviction time at all beyond one batch:
 * the command runs, and a timer finishes the job between commands. */
START_TEST(test_eviction_continues_in_background) {
    fill("k", 0, 3000, NULL, NULL);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-random", "maxmemory-eviction-tenacity", "0");
    long long limit = hs_info_ll(ctx, "memory", "used_memory") - 2 * HEADROOM_BYTES;
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", limit);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", buf);
    HS_EXPECT_OK(ctx, "SET", "trigger", "x"); /* allowed though still over */
    long long deadline = hs_now_ms() + 10000;
    /* (INFO's own reply is counted in what it reports: allow for it) */
    while (hs_info_ll(ctx, "memory", "used_memory") > limit + OVERSHOOT_BYTES) {
        ck_assert_msg(hs_now_ms() < deadline, "memory never came under the limit");
        hs_sleep_ms(20);
    }
    ck_assert_int_lt(dbsize(), 3000 - 1000);
}
END_TEST

START_TEST(test_policy_reported) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    limit_at_usage_plus(HEADROOM_BYTES / 4);
    fill("k", 0, 1000, NULL, NULL);
    ck_assert_int_lt(dbsize(), 1000);
    HS_EXPECT_BULKS(ctx, HS_ARGS("maxmemory-policy", "allkeys-random"), "CONFIG", "GET", "maxmemory-policy");
    hs_buf b = hs_info_field(ctx, "memory", "maxmemory_policy");
    ck_assert_str_eq(b.data, "allkeys-random");
    hs_buf_free(&b);
}
END_TEST

static Suite *maxmemory_suite(void) {
    Suite *s = suite_create("maxmemory");
    TCase *tc = hs_tcase(s, "maxmemory");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_noeviction_refuses_writes);
    tcase_add_test(tc, test_volatile_without_ttl_keys_refuses);
    tcase_add_test(tc, test_allkeys_empty_refuses);
    tcase_add_test(tc, test_allkeys_random_keeps_under_limit);
    tcase_add_test(tc, test_allkeys_lru_keeps_recently_used);
    tcase_add_test(tc, test_allkeys_lfu_keeps_frequently_used);
    tcase_add_test(tc, test_volatile_ttl_evicts_soonest_first);
    tcase_add_test(tc, test_eviction_continues_in_background);
    tcase_add_test(tc, test_policy_reported);
    return s;
}

int main(void) {
    return hs_run_suite(maxmemory_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
