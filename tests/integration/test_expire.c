/* test_expire.c -- integration tests for expiry: EXPIRE, PEXPIRE,
 * EXPIREAT, PEXPIREAT (with NX/XX/GT/LT), TTL, PTTL, EXPIRETIME,
 * PEXPIRETIME, PERSIST; lazy expiry (an expired key is invisible to every
 * command) and active expiry (keys nobody reads are reclaimed by the cron,
 * and a mass expiry does not stall other clients).
 *
 * Expected replies are Redis 7.0's. One server per test. Waits are bounded
 * polls, never fixed sleeps that hope to be long enough. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define NOT_INT "ERR value is not an integer or out of range"
#define NX_CONFLICT "ERR NX and XX, GT or LT options at the same time are not compatible"
#define GTLT_CONFLICT "ERR GT and LT options at the same time are not compatible"

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

static long long int_reply(redisContext *c, const char *const *args) {
    redisReply *r = hs_command(c, args);
    ck_assert_msg(r->type == REDIS_REPLY_INTEGER, "not an integer reply (type %d)", r->type);
    long long v = r->integer;
    freeReplyObject(r);
    return v;
}

static long long info_stat(redisContext *c, const char *field) {
    hs_buf v = hs_info_field(c, "stats", field);
    ck_assert_ptr_nonnull(v.data);
    long long n = atoll(v.data);
    hs_buf_free(&v);
    return n;
}

static long long unix_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fails unless lo <= TTL-like reply <= hi. */
#define EXPECT_RANGE(c, lo, hi, ...)                                                 \
    do {                                                                            \
        long long v_ = int_reply(c, HS_ARGS(__VA_ARGS__));                          \
        ck_assert_msg(v_ >= (lo) && v_ <= (hi), "%lld not in [%lld, %lld]", v_, (long long)(lo), \
                      (long long)(hi));                                             \
    } while (0)

/* ---------------------------------------------------------- set a TTL */

START_TEST(test_expire_variants) {
    char buf[32];
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "k", "100");
    EXPECT_RANGE(ctx, 99, 100, "TTL", "k");
    EXPECT_RANGE(ctx, 99000, 100000, "PTTL", "k");
    HS_EXPECT_INT(ctx, 1, "PEXPIRE", "k", "50000");
    EXPECT_RANGE(ctx, 49, 50, "TTL", "k");
    EXPECT_RANGE(ctx, 49000, 50000, "PTTL", "k");
    long long at = unix_ms() / 1000 + 1000;
    snprintf(buf, sizeof(buf), "%lld", at);
    HS_EXPECT_INT(ctx, 1, "EXPIREAT", "k", buf);
    EXPECT_RANGE(ctx, 998, 1000, "TTL", "k");
    HS_EXPECT_INT(ctx, at, "EXPIRETIME", "k");
    HS_EXPECT_INT(ctx, at * 1000, "PEXPIRETIME", "k");
    snprintf(buf, sizeof(buf), "%lld", at * 1000 + 1234);
    HS_EXPECT_INT(ctx, 1, "PEXPIREAT", "k", buf);
    HS_EXPECT_INT(ctx, at * 1000 + 1234, "PEXPIRETIME", "k");
    HS_EXPECT_INT(ctx, at + 1, "EXPIRETIME", "k"); /* rounded */
    /* the options are case-insensitive */
    HS_EXPECT_INT(ctx, 1, "expire", "k", "10", "xX");
    EXPECT_RANGE(ctx, 9, 10, "TTL", "k");
    /* a missing key */
    HS_EXPECT_INT(ctx, 0, "EXPIRE", "nokey", "10");
    HS_EXPECT_INT(ctx, 0, "PEXPIREAT", "nokey", "99999999999999");
    HS_EXPECT_INT(ctx, -2, "TTL", "nokey");
    HS_EXPECT_INT(ctx, -2, "PTTL", "nokey");
    HS_EXPECT_INT(ctx, -2, "EXPIRETIME", "nokey");
    HS_EXPECT_INT(ctx, -2, "PEXPIRETIME", "nokey");
    /* no TTL */
    HS_EXPECT_OK(ctx, "SET", "p", "v");
    HS_EXPECT_INT(ctx, -1, "TTL", "p");
    HS_EXPECT_INT(ctx, -1, "PTTL", "p");
    HS_EXPECT_INT(ctx, -1, "EXPIRETIME", "p");
    HS_EXPECT_INT(ctx, -1, "PEXPIRETIME", "p");
}
END_TEST

START_TEST(test_expire_errors) {
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_ARITY(ctx, "expire", "EXPIRE", "k");
    HS_EXPECT_ARITY(ctx, "pexpireat", "PEXPIREAT", "k");
    HS_EXPECT_ARITY(ctx, "ttl", "TTL");
    HS_EXPECT_ARITY(ctx, "pttl", "PTTL", "a", "b");
    HS_EXPECT_ARITY(ctx, "expiretime", "EXPIRETIME");
    HS_EXPECT_ARITY(ctx, "persist", "PERSIST");
    HS_EXPECT_ERROR(ctx, NOT_INT, "EXPIRE", "k", "x");
    HS_EXPECT_ERROR(ctx, NOT_INT, "EXPIRE", "k", "1.5");
    HS_EXPECT_ERROR(ctx, NOT_INT, "EXPIRE", "k", "");
    HS_EXPECT_ERROR(ctx, NOT_INT, "PEXPIRE", "k", "99999999999999999999");
    HS_EXPECT_ERROR(ctx, "ERR Unsupported option foo", "EXPIRE", "k", "10", "foo");
    /* options are checked before the number, unknown ones first */
    HS_EXPECT_ERROR(ctx, "ERR Unsupported option foo", "EXPIRE", "k", "x", "nx", "xx", "foo");
    HS_EXPECT_ERROR(ctx, NX_CONFLICT, "EXPIRE", "k", "x", "nx", "xx");
    HS_EXPECT_ERROR(ctx, NX_CONFLICT, "EXPIRE", "k", "10", "NX", "GT");
    HS_EXPECT_ERROR(ctx, NX_CONFLICT, "PEXPIRE", "k", "10", "lt", "nx");
    HS_EXPECT_ERROR(ctx, GTLT_CONFLICT, "EXPIREAT", "k", "10", "GT", "LT");
    HS_EXPECT_ERROR(ctx, NX_CONFLICT, "EXPIRE", "nokey", "10", "NX", "XX");
    /* overflow */
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'expire' command", "EXPIRE", "k", "9223372036854775807");
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'expire' command", "EXPIRE", "k", "9223372036854775");
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'expire' command", "EXPIRE", "k", "-9223372036854775808");
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'pexpire' command", "PEXPIRE", "k", "9223372036854775807");
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'expireat' command", "EXPIREAT", "k", "9223372036854775807");
    HS_EXPECT_INT(ctx, -1, "TTL", "k"); /* nothing changed */
    HS_EXPECT_INT(ctx, 1, "PEXPIREAT", "k", "9223372036854775807");
    HS_EXPECT_INT(ctx, 9223372036854775807LL, "PEXPIRETIME", "k");
    HS_EXPECT_INT(ctx, 9223372036854776LL, "EXPIRETIME", "k"); /* rounded without overflow */
    ck_assert_int_gt(int_reply(ctx, HS_ARGS("TTL", "k")), 9223372036854LL);
}
END_TEST

/* A time in the past deletes the key and replies 1 (not an expiry). */
START_TEST(test_expire_in_the_past) {
    long long before = info_stat(ctx, "expired_keys");
    const char *cmds[][4] = {{"EXPIRE", "k", "0"}, {"EXPIRE", "k", "-5"}, {"PEXPIRE", "k", "-1"},
                             {"EXPIREAT", "k", "1"}, {"PEXPIREAT", "k", "-1"}, {"PEXPIRE", "k", "-9223372036854775808"}};
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        HS_EXPECT_OK(ctx, "SET", "k", "v");
        HS_EXPECT_INT(ctx, 1, cmds[i][0], cmds[i][1], cmds[i][2]);
        HS_EXPECT_INT(ctx, 0, "EXISTS", "k");
    }
    ck_assert_int_eq(info_stat(ctx, "expired_keys"), before);
}
END_TEST

/* NX / XX / GT / LT against a key without and with a TTL. */
START_TEST(test_expire_option_matrix) {
    /* key without a TTL */
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_INT(ctx, 0, "EXPIRE", "k", "100", "XX");
    HS_EXPECT_INT(ctx, 0, "EXPIRE", "k", "100", "GT"); /* no TTL = infinite */
    HS_EXPECT_INT(ctx, 0, "EXPIRE", "k", "100", "XX", "GT");
    HS_EXPECT_INT(ctx, 0, "EXPIRE", "k", "100", "XX", "LT");
    HS_EXPECT_INT(ctx, -1, "TTL", "k");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "k", "100", "LT");
    EXPECT_RANGE(ctx, 99, 100, "TTL", "k");
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "k", "100", "NX");
    /* key with a TTL of 100 s */
    HS_EXPECT_INT(ctx, 0, "EXPIRE", "k", "200", "NX");
    HS_EXPECT_INT(ctx, 0, "EXPIRE", "k", "200", "LT");
    HS_EXPECT_INT(ctx, 0, "EXPIRE", "k", "50", "GT");
    HS_EXPECT_INT(ctx, 0, "PEXPIRE", "k", "1000", "GT");
    EXPECT_RANGE(ctx, 99, 100, "TTL", "k");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "k", "200", "GT");
    EXPECT_RANGE(ctx, 199, 200, "TTL", "k");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "k", "150", "XX", "LT");
    EXPECT_RANGE(ctx, 149, 150, "TTL", "k");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "k", "300", "XX");
    EXPECT_RANGE(ctx, 299, 300, "TTL", "k");
    HS_EXPECT_INT(ctx, 0, "EXPIRE", "k", "400", "nx", "nx"); /* repeats are fine; NX fails */
    EXPECT_RANGE(ctx, 299, 300, "TTL", "k");
    /* GT to a time in the past is refused; LT to it deletes */
    HS_EXPECT_INT(ctx, 0, "EXPIRE", "k", "-1", "GT");
    HS_EXPECT_INT(ctx, 1, "EXISTS", "k");
    HS_EXPECT_INT(ctx, 0, "EXPIREAT", "k", "0", "GT");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "k", "0", "LT");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "k");
}
END_TEST

START_TEST(test_persist) {
    HS_EXPECT_INT(ctx, 0, "PERSIST", "nokey");
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_INT(ctx, 0, "PERSIST", "k");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "k", "100");
    HS_EXPECT_INT(ctx, 1, "PERSIST", "k");
    HS_EXPECT_INT(ctx, -1, "TTL", "k");
    HS_EXPECT_INT(ctx, 0, "PERSIST", "k");
    HS_EXPECT_BULK(ctx, "v", "GET", "k");
    /* SET drops a TTL, SET KEEPTTL keeps it */
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "k", "100");
    HS_EXPECT_OK(ctx, "SET", "k", "w", "KEEPTTL");
    EXPECT_RANGE(ctx, 99, 100, "TTL", "k");
    HS_EXPECT_OK(ctx, "SET", "k", "w");
    HS_EXPECT_INT(ctx, -1, "TTL", "k");
}
END_TEST

/* ---------------------------------------------------------- lazy expiry */

/* An expired key is invisible to every command, before any active cycle
 * reclaimed it (active expiry is off here). DBSIZE alone still counts it,
 * as Redis's does. */
START_TEST(test_expired_key_invisible) {
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    const char *keys[] = {"g", "e", "t", "p", "r", "c", "s", NULL};
    for (int i = 0; keys[i]; i++) HS_EXPECT_OK(ctx, "SET", keys[i], "v", "PX", "20");
    HS_EXPECT_OK(ctx, "SET", "live", "v");
    hs_sleep_ms(60);
    HS_EXPECT_INT(ctx, 8, "DBSIZE");
    HS_EXPECT_NIL(ctx, "GET", "g");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "e");
    HS_EXPECT_INT(ctx, -2, "TTL", "t");
    HS_EXPECT_INT(ctx, 0, "PERSIST", "p");
    HS_EXPECT_ERROR(ctx, "ERR no such key", "RENAME", "r", "r2");
    HS_EXPECT_INT(ctx, 0, "COPY", "c", "c2");
    HS_EXPECT_STATUS(ctx, "none", "TYPE", "s");
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
    ck_assert_int_eq(info_stat(ctx, "expired_keys"), 7);
}
END_TEST

/* ---------------------------------------------------------- active expiry */

static int wait_dbsize(redisContext *c, long long want, int timeout_ms) {
    long long deadline = hs_now_ms() + timeout_ms;
    for (;;) {
        long long n = int_reply(c, HS_ARGS("DBSIZE"));
        if (n == want) return 1;
        if (hs_now_ms() > deadline) return 0;
        hs_sleep_ms(20);
    }
}

/* Keys nobody reads are reclaimed by the cron. */
START_TEST(test_active_expiry) {
    for (int i = 0; i < 2000; i++) redisAppendCommand(ctx, "SET k%d v PX 50", i);
    for (int i = 0; i < 2000; i++) freeReplyObject(hs_get_reply(ctx));
    HS_EXPECT_OK(ctx, "SELECT", "5");
    for (int i = 0; i < 300; i++) redisAppendCommand(ctx, "SET k%d v PX 50", i);
    for (int i = 0; i < 300; i++) freeReplyObject(hs_get_reply(ctx));
    HS_EXPECT_OK(ctx, "SET", "stays", "v", "EX", "100");
    ck_assert_msg(wait_dbsize(ctx, 1, 5000), "db 5 not reclaimed by active expiry");
    HS_EXPECT_OK(ctx, "SELECT", "0");
    ck_assert_msg(wait_dbsize(ctx, 0, 5000), "db 0 not reclaimed by active expiry");
    ck_assert_int_eq(info_stat(ctx, "expired_keys"), 2300);
}
END_TEST

/* DEBUG SET-ACTIVE-EXPIRE 0 stops the cycle; 1 resumes it. */
START_TEST(test_active_expiry_switch) {
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    for (int i = 0; i < 100; i++) redisAppendCommand(ctx, "SET k%d v PX 10", i);
    for (int i = 0; i < 100; i++) freeReplyObject(hs_get_reply(ctx));
    hs_sleep_ms(400);
    HS_EXPECT_INT(ctx, 100, "DBSIZE");
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "1");
    ck_assert(wait_dbsize(ctx, 0, 5000));
}
END_TEST

/* 200,000 keys expiring at one moment: a client PINGing meanwhile is
 * never kept waiting long (Redis itself stalls ~25 ms per cron tick). */
START_TEST(test_mass_expiry_latency) {
    enum { N = 200000 };
    long long at = unix_ms() + 1500;
    for (int i = 0; i < N; i++) redisAppendCommand(ctx, "SET key:%d v PXAT %lld", i, at);
    for (int i = 0; i < N; i++) freeReplyObject(hs_get_reply(ctx));
    redisContext *p = hs_connect(srv);
    double worst = 0;
    long long deadline = hs_now_ms() + 30000, next_poll = 0;
    for (;;) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        HS_EXPECT_STATUS(p, "PONG", "PING");
        clock_gettime(CLOCK_MONOTONIC, &b);
        double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
        if (ms > worst) worst = ms;
        if (hs_now_ms() >= next_poll) {
            next_poll = hs_now_ms() + 20;
            if (int_reply(ctx, HS_ARGS("DBSIZE")) == 0) break;
        }
        ck_assert_msg(hs_now_ms() < deadline, "keys not reclaimed in 30 s");
    }
    redisFree(p);
    /* Generous for a loaded test machine and sanitizer builds; the design
     * bound is a few ms (utils/expire_latency.py measures it). */
    ck_assert_msg(worst < 100.0, "a PING waited %.1f ms", worst);
    ck_assert_int_eq(info_stat(ctx, "expired_keys"), N);
}
END_TEST

static Suite *expire_suite(void) {
    Suite *s = suite_create("expire");
    TCase *tc = hs_tcase(s, "expire");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_expire_variants);
    tcase_add_test(tc, test_expire_errors);
    tcase_add_test(tc, test_expire_in_the_past);
    tcase_add_test(tc, test_expire_option_matrix);
    tcase_add_test(tc, test_persist);
    tcase_add_test(tc, test_expired_key_invisible);
    tcase_add_test(tc, test_active_expiry);
    tcase_add_test(tc, test_active_expiry_switch);
    tcase_add_test(tc, test_mass_expiry_latency);
    return s;
}

int main(void) {
    return hs_run_suite(expire_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
