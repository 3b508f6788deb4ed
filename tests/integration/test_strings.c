/* test_strings.c -- integration tests for GET and SET: every SET option,
 * their conflicts and bad values, expiry as observed by a client, large
 * and binary keys and values.
 *
 * Expected replies are Redis 7.0's. Expiry is checked only by waiting for
 * a key to disappear (bounded poll), never by asserting an upper bound on
 * how long something took. One server per test. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SYNTAX "ERR syntax error"
#define NOT_INT "ERR value is not an integer or out of range"
#define BAD_EXPIRE "ERR invalid expire time in 'set' command"
/* Upper bound on waiting for a short-lived key to go (ASan is slow). */
#define EXPIRE_WAIT_MS 10000
#define POLL_MS 20
#define ONE_MB (1024 * 1024)

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

/* Polls GET key until it returns nil; fails the test if it never does. */
static void wait_key_gone(const char *key) {
    long long deadline = hs_now_ms() + EXPIRE_WAIT_MS;
    for (;;) {
        redisReply *r = hs_command(ctx, HS_ARGS("GET", key));
        int gone = r->type == REDIS_REPLY_NIL;
        freeReplyObject(r);
        if (gone) return;
        ck_assert_msg(hs_now_ms() < deadline, "key '%s' did not expire within %d ms", key, EXPIRE_WAIT_MS);
        hs_sleep_ms(POLL_MS);
    }
}

/* Server's unix time in ms, from TIME. */
static long long server_time_ms(void) {
    redisReply *r = hs_command(ctx, HS_ARGS("TIME"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    long long ms = strtoll(r->element[0]->str, NULL, 10) * 1000 + strtoll(r->element[1]->str, NULL, 10) / 1000;
    freeReplyObject(r);
    return ms;
}

/* ---------------------------------------------------------- basics */

START_TEST(test_get_set_basic) {
    HS_EXPECT_NIL(ctx, "GET", "k");
    HS_EXPECT_OK(ctx, "SET", "k", "v1");
    HS_EXPECT_BULK(ctx, "v1", "GET", "k");
    HS_EXPECT_OK(ctx, "SET", "k", "v2");
    HS_EXPECT_BULK(ctx, "v2", "GET", "k");
    HS_EXPECT_OK(ctx, "SET", "k", "");
    HS_EXPECT_BULK(ctx, "", "GET", "k");
    HS_EXPECT_OK(ctx, "SET", "", "empty-key");
    HS_EXPECT_BULK(ctx, "empty-key", "GET", "");
    HS_EXPECT_OK(ctx, "set", "n", "12345");
    HS_EXPECT_BULK(ctx, "12345", "get", "n");
    HS_EXPECT_ARITY(ctx, "get", "GET");
    HS_EXPECT_ARITY(ctx, "get", "GET", "a", "b");
    HS_EXPECT_ARITY(ctx, "set", "SET");
    HS_EXPECT_ARITY(ctx, "set", "SET", "a");
}
END_TEST

/* ---------------------------------------------------------- NX XX GET */

START_TEST(test_set_nx_xx) {
    HS_EXPECT_NIL(ctx, "SET", "k", "v", "XX");
    HS_EXPECT_NIL(ctx, "GET", "k");
    HS_EXPECT_OK(ctx, "SET", "k", "v", "NX");
    HS_EXPECT_NIL(ctx, "SET", "k", "other", "NX");
    HS_EXPECT_BULK(ctx, "v", "GET", "k");
    HS_EXPECT_OK(ctx, "SET", "k", "v2", "xx");
    HS_EXPECT_BULK(ctx, "v2", "GET", "k");
    HS_EXPECT_OK(ctx, "SET", "k", "v3", "XX", "XX");
    HS_EXPECT_NIL(ctx, "SET", "k", "v4", "NX", "NX");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "NX", "XX");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "XX", "NX");
    HS_EXPECT_BULK(ctx, "v3", "GET", "k");
}
END_TEST

START_TEST(test_set_get_option) {
    HS_EXPECT_NIL(ctx, "SET", "k", "first", "GET");
    HS_EXPECT_BULK(ctx, "first", "GET", "k");
    HS_EXPECT_BULK(ctx, "first", "SET", "k", "second", "GET");
    HS_EXPECT_BULK(ctx, "second", "GET", "k");
    HS_EXPECT_BULK(ctx, "second", "SET", "k", "third", "get", "GET");
    /* NX GET on an existing key: old value, no change */
    HS_EXPECT_BULK(ctx, "third", "SET", "k", "nope", "NX", "GET");
    HS_EXPECT_BULK(ctx, "third", "GET", "k");
    /* XX GET on a missing key: nil, nothing created */
    HS_EXPECT_NIL(ctx, "SET", "missing", "v", "XX", "GET");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "missing");
    HS_EXPECT_NIL(ctx, "SET", "created", "v", "NX", "GET");
    HS_EXPECT_BULK(ctx, "v", "GET", "created");
    HS_EXPECT_BULK(ctx, "v", "SET", "created", "w", "EX", "100", "GET");
    HS_EXPECT_BULK(ctx, "w", "GET", "created");
}
END_TEST

/* ---------------------------------------------------------- expire options */

START_TEST(test_set_expire_option_conflicts) {
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "EX");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "PX");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "EXAT");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "PXAT");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "EX", "10", "PX", "10");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "PX", "10", "EX", "10");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "EX", "10", "EXAT", "10");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "PXAT", "10", "EXAT", "10");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "EX", "10", "KEEPTTL");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "KEEPTTL", "EX", "10");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "Ex", "10", "KEEPTTL");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "KEEPTTL", "PXAT", "10");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "FOO");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "c");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "PX", "100", "FOO");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "GET", "EX");
    /* a syntax error wins over a bad number anywhere */
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "EX", "x", "NX", "XX");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SET", "k", "v", "EX", "0", "FOO");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "k");
}
END_TEST

START_TEST(test_set_expire_bad_values) {
    static const char *const opts[] = {"EX", "PX", "EXAT", "PXAT"};
    for (int i = 0; i < 4; i++) {
        HS_EXPECT_ERROR(ctx, BAD_EXPIRE, "SET", "k", "v", opts[i], "0");
        HS_EXPECT_ERROR(ctx, BAD_EXPIRE, "SET", "k", "v", opts[i], "-1");
        HS_EXPECT_ERROR(ctx, BAD_EXPIRE, "SET", "k", "v", opts[i], "-9223372036854775808");
        HS_EXPECT_ERROR(ctx, NOT_INT, "SET", "k", "v", opts[i], "x");
        HS_EXPECT_ERROR(ctx, NOT_INT, "SET", "k", "v", opts[i], "1.5");
        HS_EXPECT_ERROR(ctx, NOT_INT, "SET", "k", "v", opts[i], "");
        HS_EXPECT_ERROR(ctx, NOT_INT, "SET", "k", "v", opts[i], " 5");
        HS_EXPECT_ERROR(ctx, NOT_INT, "SET", "k", "v", opts[i], "+5");
        HS_EXPECT_ERROR(ctx, NOT_INT, "SET", "k", "v", opts[i], "05");
        HS_EXPECT_ERROR(ctx, NOT_INT, "SET", "k", "v", opts[i], "99999999999999999999");
        HS_EXPECT_ERROR(ctx, NOT_INT, "SET", "k", "v", opts[i], "18446744073709551615");
    }
    /* overflow once converted to ms or made absolute */
    HS_EXPECT_ERROR(ctx, BAD_EXPIRE, "SET", "k", "v", "EX", "9223372036854775807");
    HS_EXPECT_ERROR(ctx, BAD_EXPIRE, "SET", "k", "v", "EX", "9223372036854776");
    HS_EXPECT_ERROR(ctx, BAD_EXPIRE, "SET", "k", "v", "EX", "9223372036854775");
    HS_EXPECT_ERROR(ctx, BAD_EXPIRE, "SET", "k", "v", "PX", "9223372036854775807");
    HS_EXPECT_ERROR(ctx, BAD_EXPIRE, "SET", "k", "v", "EXAT", "9223372036854775807");
    HS_EXPECT_ERROR(ctx, BAD_EXPIRE, "SET", "k", "v", "NX", "EX", "0");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "k");
    /* the largest absolute ms time is accepted */
    HS_EXPECT_OK(ctx, "SET", "k", "v", "PXAT", "9223372036854775807");
    HS_EXPECT_BULK(ctx, "v", "GET", "k");
}
END_TEST

/* Redis 7.0 accepts a repeated option; the last time given wins, and
 * only that one is parsed as a number. */
START_TEST(test_set_repeated_options) {
    HS_EXPECT_OK(ctx, "SET", "k", "v", "KEEPTTL", "KEEPTTL");
    HS_EXPECT_OK(ctx, "SET", "k", "v", "EX", "10", "EX", "20");
    HS_EXPECT_OK(ctx, "SET", "k", "v", "EX", "x", "EX", "10");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SET", "k", "v", "EX", "10", "EX", "x");
    HS_EXPECT_OK(ctx, "SET", "short", "v", "PX", "100000", "PX", "100");
    wait_key_gone("short");
}
END_TEST

START_TEST(test_set_px_expires) {
    HS_EXPECT_OK(ctx, "SET", "k", "v", "PX", "100");
    HS_EXPECT_OK(ctx, "SET", "long", "v", "PX", "100000");
    wait_key_gone("k");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "k");
    HS_EXPECT_BULK(ctx, "v", "GET", "long");
    HS_EXPECT_OK(ctx, "SET", "s", "v", "EX", "1");
    wait_key_gone("s");
    /* a plain SET drops the time-to-live */
    HS_EXPECT_OK(ctx, "SET", "p", "v", "PX", "150");
    HS_EXPECT_OK(ctx, "SET", "p", "v2");
    hs_sleep_ms(400);
    HS_EXPECT_BULK(ctx, "v2", "GET", "p");
}
END_TEST

START_TEST(test_set_absolute_times) {
    long long now = server_time_ms();
    char when[32];
    snprintf(when, sizeof(when), "%lld", now + 150);
    HS_EXPECT_OK(ctx, "SET", "pxat", "v", "PXAT", when);
    snprintf(when, sizeof(when), "%lld", now / 1000 + 1);
    HS_EXPECT_OK(ctx, "SET", "exat", "v", "EXAT", when);
    snprintf(when, sizeof(when), "%lld", now / 1000 + 100000);
    HS_EXPECT_OK(ctx, "SET", "future", "v", "EXAT", when);
    wait_key_gone("pxat");
    wait_key_gone("exat");
    HS_EXPECT_BULK(ctx, "v", "GET", "future");
    /* a time in the past: OK, and the key is gone (old value too) */
    HS_EXPECT_OK(ctx, "SET", "past", "old");
    HS_EXPECT_OK(ctx, "SET", "past", "v", "EXAT", "1");
    HS_EXPECT_NIL(ctx, "GET", "past");
    HS_EXPECT_OK(ctx, "SET", "past2", "v", "PXAT", "1");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "past2");
}
END_TEST

START_TEST(test_set_keepttl) {
    HS_EXPECT_OK(ctx, "SET", "k", "v", "PX", "300");
    HS_EXPECT_OK(ctx, "SET", "k", "v2", "KEEPTTL");
    HS_EXPECT_BULK(ctx, "v2", "GET", "k");
    wait_key_gone("k");
    /* KEEPTTL on a key without a time, and on a missing key */
    HS_EXPECT_OK(ctx, "SET", "n", "v", "keepttl");
    HS_EXPECT_BULK(ctx, "v", "SET", "n", "v2", "KEEPTTL", "XX", "GET");
    hs_sleep_ms(200);
    HS_EXPECT_BULK(ctx, "v2", "GET", "n");
}
END_TEST

START_TEST(test_set_get_with_expire) {
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_BULK(ctx, "v", "SET", "k", "w", "PX", "100", "GET");
    wait_key_gone("k");
    HS_EXPECT_NIL(ctx, "SET", "k", "x", "GET", "EX", "100");
    HS_EXPECT_BULK(ctx, "x", "GET", "k");
}
END_TEST

/* ---------------------------------------------------------- big, binary */

START_TEST(test_large_value) {
    char *big = malloc(ONE_MB);
    for (size_t i = 0; i < ONE_MB; i++) big[i] = (char)('a' + i % 26);
    big[ONE_MB / 2] = '\0';
    const char *argv[] = {"SET", "big", big};
    size_t lens[] = {3, 3, ONE_MB};
    redisReply *r = hs_command_argv(ctx, 3, argv, lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("GET", "big"));
    HS_CHECK_BULK(r, big, ONE_MB);
    freeReplyObject(r);
    free(big);
}
END_TEST

START_TEST(test_binary_keys_values) {
    static const char key[] = "k\0e\r\ny\xff";
    static const char val[] = "\0\x01\x02\r\n$5\r\n*3\xfe\xff";
    const char *set[] = {"SET", key, val};
    size_t set_lens[] = {3, sizeof(key) - 1, sizeof(val) - 1};
    redisReply *r = hs_command_argv(ctx, 3, set, set_lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    const char *get[] = {"GET", key};
    size_t get_lens[] = {3, sizeof(key) - 1};
    r = hs_command_argv(ctx, 2, get, get_lens);
    HS_CHECK_BULK(r, val, sizeof(val) - 1);
    freeReplyObject(r);
    /* a key that differs only after the NUL byte is another key */
    get_lens[1] = 1;
    r = hs_command_argv(ctx, 2, get, get_lens);
    HS_CHECK_NIL(r);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
}
END_TEST

static Suite *strings_suite(void) {
    Suite *s = suite_create("strings");
    TCase *tc = hs_tcase(s, "get-set");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_get_set_basic);
    tcase_add_test(tc, test_set_nx_xx);
    tcase_add_test(tc, test_set_get_option);
    tcase_add_test(tc, test_set_expire_option_conflicts);
    tcase_add_test(tc, test_set_expire_bad_values);
    tcase_add_test(tc, test_set_repeated_options);
    tcase_add_test(tc, test_set_px_expires);
    tcase_add_test(tc, test_set_absolute_times);
    tcase_add_test(tc, test_set_keepttl);
    tcase_add_test(tc, test_set_get_with_expire);
    tcase_add_test(tc, test_large_value);
    tcase_add_test(tc, test_binary_keys_values);
    return s;
}

int main(void) {
    return hs_run_suite(strings_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
