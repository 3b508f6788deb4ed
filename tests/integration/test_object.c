/* test_object.c -- integration tests for OBJECT ENCODING, REFCOUNT,
 * IDLETIME, FREQ and HELP, and for the access tracking behind the last
 * two: which commands count as an access (GET, TOUCH), which do not
 * (OBJECT itself, TYPE, EXISTS, TTL, a CLIENT NO-TOUCH client's reads).
 *
 * Expected replies are Redis 7.0's. One server per test; the idle-time
 * test sleeps once, 1.2 s, since the LRU clock counts whole seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define LFU_NOT_SELECTED                                                                                   \
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when " \
    "switching between policies at runtime LRU and LFU data will take some time to adjust."
#define LFU_SELECTED                                                                                       \
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching " \
    "between policies at runtime LRU and LFU data will take some time to adjust."

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
    ck_assert_msg(r->type == REDIS_REPLY_INTEGER, "not an integer reply (type %d: %s)", r->type,
                  r->type == REDIS_REPLY_ERROR ? r->str : "");
    long long v = r->integer;
    freeReplyObject(r);
    return v;
}

START_TEST(test_encoding) {
    HS_EXPECT_OK(ctx, "SET", "i", "123");
    HS_EXPECT_BULK(ctx, "int", "OBJECT", "ENCODING", "i");
    HS_EXPECT_OK(ctx, "SET", "neg", "-9223372036854775808");
    HS_EXPECT_BULK(ctx, "int", "object", "encoding", "neg");
    HS_EXPECT_OK(ctx, "SET", "big", "12345678901234567890"); /* beyond 64 bits */
    HS_EXPECT_BULK(ctx, "embstr", "OBJECT", "ENCODING", "big");
    HS_EXPECT_OK(ctx, "SET", "lead0", "007");
    HS_EXPECT_BULK(ctx, "embstr", "OBJECT", "ENCODING", "lead0");
    HS_EXPECT_OK(ctx, "SET", "e", "hello");
    HS_EXPECT_BULK(ctx, "embstr", "OBJECT", "ENCODING", "e");
    HS_EXPECT_OK(ctx, "SET", "e44", "12345678901234567890123456789012345678901234");
    HS_EXPECT_BULK(ctx, "embstr", "OBJECT", "ENCODING", "e44");
    HS_EXPECT_OK(ctx, "SET", "r45", "123456789012345678901234567890123456789012345");
    HS_EXPECT_BULK(ctx, "raw", "OBJECT", "ENCODING", "r45");
    HS_EXPECT_INT(ctx, 6, "APPEND", "e", "x"); /* a modified embstr becomes raw */
    HS_EXPECT_BULK(ctx, "raw", "OBJECT", "ENCODING", "e");
    HS_EXPECT_NIL(ctx, "OBJECT", "ENCODING", "nokey");
}
END_TEST

START_TEST(test_refcount) {
    HS_EXPECT_OK(ctx, "SET", "zero", "0");
    HS_EXPECT_INT(ctx, 2147483647, "OBJECT", "REFCOUNT", "zero");
    HS_EXPECT_OK(ctx, "SET", "max", "9999");
    HS_EXPECT_INT(ctx, 2147483647, "OBJECT", "REFCOUNT", "max");
    HS_EXPECT_OK(ctx, "SET", "n", "10000");
    HS_EXPECT_INT(ctx, 1, "OBJECT", "REFCOUNT", "n");
    HS_EXPECT_OK(ctx, "SET", "neg", "-1");
    HS_EXPECT_INT(ctx, 1, "OBJECT", "REFCOUNT", "neg");
    HS_EXPECT_OK(ctx, "SET", "s", "hello");
    HS_EXPECT_INT(ctx, 1, "OBJECT", "REFCOUNT", "s");
    /* RENAME moves the object: still one reference */
    HS_EXPECT_OK(ctx, "RENAME", "s", "s2");
    HS_EXPECT_INT(ctx, 1, "OBJECT", "REFCOUNT", "s2");
    HS_EXPECT_NIL(ctx, "OBJECT", "REFCOUNT", "nokey");
}
END_TEST

START_TEST(test_errors_and_help) {
    HS_EXPECT_ARITY(ctx, "object", "OBJECT");
    HS_EXPECT_ARITY(ctx, "object|encoding", "OBJECT", "ENCODING");
    HS_EXPECT_ARITY(ctx, "object|refcount", "OBJECT", "REFCOUNT", "a", "b");
    HS_EXPECT_ARITY(ctx, "object|help", "OBJECT", "HELP", "x");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'foo'. Try OBJECT HELP.", "OBJECT", "foo");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'foo'. Try OBJECT HELP.", "OBJECT", "foo", "k");
    redisReply *r = hs_command(ctx, HS_ARGS("OBJECT", "HELP"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 15);
    ck_assert_str_eq(r->element[0]->str, "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    ck_assert_str_eq(r->element[1]->str, "ENCODING <key>");
    ck_assert_str_eq(r->element[7]->str, "IDLETIME <key>");
    ck_assert_str_eq(r->element[14]->str, "    Prints this help.");
    freeReplyObject(r);
}
END_TEST

/* What counts as an access. One 1.2 s sleep makes every key idle >= 1 s;
 * then each command either resets that to 0 or leaves it. */
START_TEST(test_idletime) {
    const char *keys[] = {"obj", "get", "noaccess", "touch", "notouch", "notouch_touch", NULL};
    for (int i = 0; keys[i]; i++) HS_EXPECT_OK(ctx, "SET", keys[i], "value");
    HS_EXPECT_INT(ctx, 0, "OBJECT", "IDLETIME", "obj");
    HS_EXPECT_NIL(ctx, "OBJECT", "IDLETIME", "nokey");
    hs_sleep_ms(1200);
    /* OBJECT does not touch */
    ck_assert_int_ge(int_reply(ctx, HS_ARGS("OBJECT", "IDLETIME", "obj")), 1);
    ck_assert_int_ge(int_reply(ctx, HS_ARGS("OBJECT", "IDLETIME", "obj")), 1);
    /* GET and TOUCH do */
    HS_EXPECT_BULK(ctx, "value", "GET", "get");
    HS_EXPECT_INT(ctx, 0, "OBJECT", "IDLETIME", "get");
    HS_EXPECT_INT(ctx, 1, "TOUCH", "touch");
    HS_EXPECT_INT(ctx, 0, "OBJECT", "IDLETIME", "touch");
    /* TYPE, EXISTS, TTL do not */
    HS_EXPECT_STATUS(ctx, "string", "TYPE", "noaccess");
    HS_EXPECT_INT(ctx, 1, "EXISTS", "noaccess");
    HS_EXPECT_INT(ctx, -1, "TTL", "noaccess");
    ck_assert_int_ge(int_reply(ctx, HS_ARGS("OBJECT", "IDLETIME", "noaccess")), 1);
    /* a CLIENT NO-TOUCH client's reads do not, but its TOUCH does */
    redisContext *c2 = hs_connect(srv);
    HS_EXPECT_OK(c2, "CLIENT", "NO-TOUCH", "ON");
    HS_EXPECT_BULK(c2, "value", "GET", "notouch");
    ck_assert_int_ge(int_reply(ctx, HS_ARGS("OBJECT", "IDLETIME", "notouch")), 1);
    HS_EXPECT_INT(c2, 1, "TOUCH", "notouch_touch");
    HS_EXPECT_INT(ctx, 0, "OBJECT", "IDLETIME", "notouch_touch");
    redisFree(c2);
    /* FREQ needs an LFU policy */
    HS_EXPECT_ERROR(ctx, LFU_NOT_SELECTED, "OBJECT", "FREQ", "obj");
    HS_EXPECT_NIL(ctx, "OBJECT", "FREQ", "nokey");
}
END_TEST

/* Under an LFU policy: a new key starts at 5, its first access always
 * counts, later ones ever more rarely; IDLETIME is refused. */
START_TEST(test_freq_lfu) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
    HS_EXPECT_OK(ctx, "SET", "k", "hello");
    HS_EXPECT_INT(ctx, 5, "OBJECT", "FREQ", "k");
    HS_EXPECT_INT(ctx, 5, "OBJECT", "FREQ", "k"); /* OBJECT does not count */
    HS_EXPECT_BULK(ctx, "hello", "GET", "k");
    HS_EXPECT_INT(ctx, 6, "OBJECT", "FREQ", "k");
    for (int i = 0; i < 2000; i++) redisAppendCommand(ctx, "GET k");
    for (int i = 0; i < 2000; i++) freeReplyObject(hs_get_reply(ctx));
    long long f = int_reply(ctx, HS_ARGS("OBJECT", "FREQ", "k"));
    ck_assert_msg(f >= 15 && f <= 30, "2000 hits gave FREQ %lld", f); /* logarithmic */
    /* overwriting keeps the frequency, as in Redis */
    HS_EXPECT_OK(ctx, "SET", "k", "other");
    ck_assert_int_ge(int_reply(ctx, HS_ARGS("OBJECT", "FREQ", "k")), f);
    HS_EXPECT_ERROR(ctx, LFU_SELECTED, "OBJECT", "IDLETIME", "k");
    HS_EXPECT_NIL(ctx, "OBJECT", "IDLETIME", "nokey");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "noeviction");
    HS_EXPECT_ERROR(ctx, LFU_NOT_SELECTED, "OBJECT", "FREQ", "k");
}
END_TEST

static Suite *object_suite(void) {
    Suite *s = suite_create("object");
    TCase *tc = hs_tcase(s, "object");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_encoding);
    tcase_add_test(tc, test_refcount);
    tcase_add_test(tc, test_errors_and_help);
    tcase_add_test(tc, test_idletime);
    tcase_add_test(tc, test_freq_lfu);
    return s;
}

int main(void) {
    return hs_run_suite(object_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
