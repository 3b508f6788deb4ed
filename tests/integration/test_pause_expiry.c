/* test_pause_expiry.c -- CLIENT PAUSE freezes the data set.
 *
 * In Redis 7.0 a pause (WRITE or ALL) stops active expiry, lazy expiry and
 * eviction from deleting keys: a key whose TTL passes during a WRITE pause
 * stays (DBSIZE and INFO keyspace count it, expired_keys does not move),
 * while reads treat it as missing (GET nil, TTL -2, EXISTS 0, TYPE none,
 * KEYS and SCAN skip it). Once the pause ends the keys go as usual. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define EXPIRING_KEYS 20
#define KEY_TTL_MS "100"
/* Several active-expire periods at the default hz (10). */
#define PAST_TTL_MS 400
#define PAUSE_MS "10000"
#define DRAIN_WAIT_MS 5000

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

static long long dbsize(void) {
    redisReply *r = hs_command(ctx, HS_ARGS("DBSIZE"));
    long long n = r->integer;
    freeReplyObject(r);
    return n;
}

static void add_expiring_keys(void) {
    for (int i = 0; i < EXPIRING_KEYS; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        HS_EXPECT_OK(ctx, "SET", key, "v", "PX", KEY_TTL_MS);
    }
    HS_EXPECT_OK(ctx, "SET", "live", "v");
}

/* Polls until DBSIZE is n (the active cycle or lazy expiry at work). */
static void wait_dbsize(long long n) {
    long long deadline = hs_now_ms() + DRAIN_WAIT_MS;
    while (dbsize() != n && hs_now_ms() < deadline) hs_sleep_ms(20);
    ck_assert_int_eq(dbsize(), n);
}

/* During a WRITE pause: keys past their TTL stay, reads see them missing,
 * and reading them does not delete them either. */
START_TEST(test_write_pause_keeps_expired_keys) {
    add_expiring_keys();
    HS_EXPECT_OK(ctx, "CLIENT", "PAUSE", PAUSE_MS, "WRITE");
    hs_sleep_ms(PAST_TTL_MS);
    ck_assert_int_eq(dbsize(), EXPIRING_KEYS + 1);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "expired_keys"), 0);
    HS_EXPECT_NIL(ctx, "GET", "k1");
    HS_EXPECT_INT(ctx, -2, "TTL", "k1");
    HS_EXPECT_INT(ctx, -2, "PTTL", "k2");
    HS_EXPECT_INT(ctx, 1, "EXISTS", "k1", "k2", "live");
    HS_EXPECT_STATUS(ctx, "none", "TYPE", "k3");
    HS_EXPECT_INT(ctx, 0, "STRLEN", "k4");
    HS_EXPECT_BULKS(ctx, HS_ARGS("live"), "KEYS", "*");
    HS_EXPECT_BULK(ctx, "live", "RANDOMKEY");
    redisReply *r = hs_command(ctx, HS_ARGS("SCAN", "0", "COUNT", "1000"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    HS_CHECK_BULK(r->element[0], "0", 1);
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("live"));
    freeReplyObject(r);
    /* None of those reads deleted anything. */
    ck_assert_int_eq(dbsize(), EXPIRING_KEYS + 1);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "expired_keys"), 0);
    hs_buf ks = hs_info_field(ctx, "keyspace", "db0");
    ck_assert_ptr_nonnull(strstr(ks.data, "keys=21,expires=20"));
    hs_buf_free(&ks);
    HS_EXPECT_OK(ctx, "CLIENT", "UNPAUSE");
    wait_dbsize(1);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "expired_keys"), EXPIRING_KEYS);
}
END_TEST

/* All keys logically expired during a pause: RANDOMKEY answers nil at
 * once. (Redis 7.0 loops there until the pause ends; 7.2 bounds the loop:
 * minired answers without looping.) */
START_TEST(test_randomkey_all_expired_in_pause) {
    HS_EXPECT_OK(ctx, "SET", "a", "v", "PX", KEY_TTL_MS);
    HS_EXPECT_OK(ctx, "SET", "b", "v", "PX", KEY_TTL_MS);
    HS_EXPECT_OK(ctx, "CLIENT", "PAUSE", PAUSE_MS, "WRITE");
    hs_sleep_ms(PAST_TTL_MS);
    HS_EXPECT_NIL(ctx, "RANDOMKEY");
    ck_assert_int_eq(dbsize(), 2);
    HS_EXPECT_OK(ctx, "CLIENT", "UNPAUSE");
    wait_dbsize(0);
}
END_TEST

/* A pause that ends by its timeout lets expiry resume on its own. */
START_TEST(test_pause_timeout_resumes_expiry) {
    add_expiring_keys();
    HS_EXPECT_OK(ctx, "CLIENT", "PAUSE", "600", "WRITE");
    hs_sleep_ms(PAST_TTL_MS);
    ck_assert_int_eq(dbsize(), EXPIRING_KEYS + 1);
    wait_dbsize(1);
}
END_TEST

/* Eviction waits for the pause to end too (Redis 7.0 would evict before
 * the GET if not paused). */
START_TEST(test_pause_stops_eviction) {
    HS_EXPECT_OK(ctx, "DEBUG", "POPULATE", "20000");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    HS_EXPECT_OK(ctx, "CLIENT", "PAUSE", PAUSE_MS, "WRITE");
    char limit[32];
    snprintf(limit, sizeof(limit), "%lld", hs_info_ll(ctx, "memory", "used_memory") - 500000);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", limit);
    redisReply *r = hs_command(ctx, HS_ARGS("GET", "key:1"));
    freeReplyObject(r);
    ck_assert_int_eq(dbsize(), 20000);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "evicted_keys"), 0);
    HS_EXPECT_OK(ctx, "CLIENT", "UNPAUSE");
    HS_EXPECT_OK(ctx, "SET", "x", "y");
    ck_assert_int_gt(hs_info_ll(ctx, "stats", "evicted_keys"), 0);
}
END_TEST

static Suite *pause_expiry_suite(void) {
    Suite *s = suite_create("pause-expiry");
    TCase *tc = hs_tcase(s, "pause-expiry");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_write_pause_keeps_expired_keys);
    tcase_add_test(tc, test_randomkey_all_expired_in_pause);
    tcase_add_test(tc, test_pause_timeout_resumes_expiry);
    tcase_add_test(tc, test_pause_stops_eviction);
    return s;
}

int main(void) {
    return hs_run_suite(pause_expiry_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
