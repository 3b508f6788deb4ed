/* test_string_cmds.c -- integration tests for the string commands beyond
 * GET and SET: SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX
 * APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT GETRANGE SUBSTR
 * SETRANGE LCS. Success paths, arity, bad arguments, overflow edges,
 * binary values, size limits, TTL rules and RESP3 replies.
 *
 * Expected replies are Redis 7.0's. TTLs are observed only by waiting for
 * a key to disappear (bounded poll) or to outlive a short TTL it no longer
 * has; no test asserts how fast anything ran. One server per test. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define NOT_INT "ERR value is not an integer or out of range"
#define NOT_FLOAT "ERR value is not a valid float"
#define OVERFLOW "ERR increment or decrement would overflow"
#define SYNTAX "ERR syntax error"
#define TOO_BIG "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
#define LCS_MEMORY "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
/* Upper bound on waiting for a short-lived key to go (ASan is slow). */
#define EXPIRE_WAIT_MS 10000
#define POLL_MS 20
/* A TTL short enough to wait out, and a wait safely past it. */
#define SHORT_TTL_MS "150"
#define PAST_SHORT_TTL_MS 400
#define RAW_IDLE_MS 300
/* proto-max-bulk-len used by the small-limit tests (the minimum Redis takes). */
#define SMALL_LIMIT_BYTES (1024 * 1024)

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
}

static void setup_small_limit(void) {
    srv = hs_start(HS_ARGS("--proto-max-bulk-len", "1mb"));
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

/* Polls EXISTS key until it is 0; fails the test if it never is. */
static void wait_key_gone(const char *key) {
    long long deadline = hs_now_ms() + EXPIRE_WAIT_MS;
    for (;;) {
        redisReply *r = hs_command(ctx, HS_ARGS("EXISTS", key));
        int gone = r->type == REDIS_REPLY_INTEGER && r->integer == 0;
        freeReplyObject(r);
        if (gone) return;
        ck_assert_msg(hs_now_ms() < deadline, "key '%s' did not expire within %d ms", key, EXPIRE_WAIT_MS);
        hs_sleep_ms(POLL_MS);
    }
}

/* Runs a command of n binary-safe arguments given with their lengths. */
static redisReply *cmd_bin(int n, const char **argv, const size_t *lens) {
    return hs_command_argv(ctx, n, argv, lens);
}

/* Switches a raw connection to RESP3 and discards HELLO's reply. */
static int raw_resp3(void) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n");
    int closed = 0;
    hs_buf hello = hs_raw_read_all(fd, RAW_IDLE_MS, &closed);
    ck_assert(!closed);
    ck_assert_msg(hello.len > 0 && hello.data[0] == '%', "HELLO 3 did not answer with a map");
    hs_buf_free(&hello);
    return fd;
}

/* ---------------------------------------------------------- SET variants */

START_TEST(test_setnx) {
    HS_EXPECT_INT(ctx, 1, "SETNX", "k", "v1");
    HS_EXPECT_INT(ctx, 0, "SETNX", "k", "v2");
    HS_EXPECT_BULK(ctx, "v1", "GET", "k");
    HS_EXPECT_INT(ctx, 1, "SETNX", "", "");
    HS_EXPECT_BULK(ctx, "", "GET", "");
    HS_EXPECT_ARITY(ctx, "setnx", "SETNX", "k");
    HS_EXPECT_ARITY(ctx, "setnx", "SETNX", "k", "v", "x");
}
END_TEST

START_TEST(test_setex_psetex) {
    HS_EXPECT_OK(ctx, "SETEX", "k", "100", "v");
    HS_EXPECT_BULK(ctx, "v", "GET", "k");
    HS_EXPECT_OK(ctx, "PSETEX", "p", SHORT_TTL_MS, "v");
    HS_EXPECT_BULK(ctx, "v", "GET", "p");
    wait_key_gone("p");
    /* each command names itself in the error */
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'setex' command", "SETEX", "k", "0", "v");
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'setex' command", "SETEX", "k", "-1", "v");
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'setex' command", "SETEX", "k", "9223372036854776", "v");
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'psetex' command", "PSETEX", "k", "0", "v");
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'psetex' command", "PSETEX", "k",
                    "9223372036854775807", "v");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SETEX", "k", "abc", "v");
    HS_EXPECT_ERROR(ctx, NOT_INT, "PSETEX", "k", "1.5", "v");
    HS_EXPECT_BULK(ctx, "v", "GET", "k"); /* errors changed nothing */
    /* SETEX over a key replaces both value and TTL */
    HS_EXPECT_OK(ctx, "PSETEX", "r", SHORT_TTL_MS, "old");
    HS_EXPECT_OK(ctx, "SETEX", "r", "100", "new");
    hs_sleep_ms(PAST_SHORT_TTL_MS);
    HS_EXPECT_BULK(ctx, "new", "GET", "r");
    HS_EXPECT_ARITY(ctx, "setex", "SETEX", "k", "10");
    HS_EXPECT_ARITY(ctx, "psetex", "PSETEX", "k", "10", "v", "x");
}
END_TEST

START_TEST(test_getset_getdel) {
    HS_EXPECT_NIL(ctx, "GETSET", "k", "v1");
    HS_EXPECT_BULK(ctx, "v1", "GETSET", "k", "v2");
    HS_EXPECT_BULK(ctx, "v2", "GET", "k");
    HS_EXPECT_OK(ctx, "SET", "n", "12345");
    HS_EXPECT_BULK(ctx, "12345", "GETSET", "n", "x");
    /* GETSET drops the TTL */
    HS_EXPECT_OK(ctx, "PSETEX", "t", SHORT_TTL_MS, "v");
    HS_EXPECT_BULK(ctx, "v", "GETSET", "t", "w");
    hs_sleep_ms(PAST_SHORT_TTL_MS);
    HS_EXPECT_BULK(ctx, "w", "GET", "t");
    /* GETDEL */
    HS_EXPECT_BULK(ctx, "v2", "GETDEL", "k");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "k");
    HS_EXPECT_NIL(ctx, "GETDEL", "k");
    HS_EXPECT_BULK(ctx, "x", "GETDEL", "n");
    HS_EXPECT_ARITY(ctx, "getset", "GETSET", "k");
    HS_EXPECT_ARITY(ctx, "getdel", "GETDEL");
    HS_EXPECT_ARITY(ctx, "getdel", "GETDEL", "a", "b");
}
END_TEST

/* ---------------------------------------------------------- GETEX */

START_TEST(test_getex_options) {
    HS_EXPECT_NIL(ctx, "GETEX", "nokey");
    HS_EXPECT_NIL(ctx, "GETEX", "nokey", "EX", "-5"); /* time checked only for a key */
    HS_EXPECT_ERROR(ctx, SYNTAX, "GETEX", "nokey", "foo");
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "k");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "k", "EX", "100");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "k", "px", "100000");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "k", "EXAT", "99999999999");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "k", "PXAT", "99999999999999");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "k", "EX", "10", "EX", "20");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "k", "PERSIST", "persist");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GETEX", "k", "EX", "10", "PX", "100");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GETEX", "k", "PERSIST", "EX", "10");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GETEX", "k", "EX", "10", "PERSIST");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GETEX", "k", "KEEPTTL");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GETEX", "k", "NX");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GETEX", "k", "EX");
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'getex' command", "GETEX", "k", "EX", "0");
    HS_EXPECT_ERROR(ctx, "ERR invalid expire time in 'getex' command", "GETEX", "k", "EXAT",
                    "9223372036854776");
    HS_EXPECT_ERROR(ctx, NOT_INT, "GETEX", "k", "PX", "abc");
    HS_EXPECT_ARITY(ctx, "getex", "GETEX");
}
END_TEST

START_TEST(test_getex_ttl_changes) {
    /* PX sets a TTL that fires */
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "k", "PX", SHORT_TTL_MS);
    wait_key_gone("k");
    /* PERSIST removes a TTL; a bare GETEX keeps it */
    HS_EXPECT_OK(ctx, "PSETEX", "p", SHORT_TTL_MS, "v");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "p", "PERSIST");
    HS_EXPECT_OK(ctx, "PSETEX", "q", SHORT_TTL_MS, "v");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "q");
    hs_sleep_ms(PAST_SHORT_TTL_MS);
    HS_EXPECT_BULK(ctx, "v", "GET", "p");
    wait_key_gone("q");
    /* an absolute time in the past: the value is returned, the key goes */
    HS_EXPECT_OK(ctx, "SET", "a", "v");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "a", "EXAT", "1");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "a");
    HS_EXPECT_OK(ctx, "SET", "a", "v");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "a", "PXAT", "1000");
    HS_EXPECT_NIL(ctx, "GET", "a");
}
END_TEST

/* ---------------------------------------------------------- multi-key */

START_TEST(test_mset_mget) {
    HS_EXPECT_OK(ctx, "MSET", "a", "1", "b", "2", "c", "3");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2", "3"), "MGET", "a", "b", "c");
    redisReply *r = hs_command(ctx, HS_ARGS("MGET", "a", "nokey", "c"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 3);
    HS_CHECK_BULK(r->element[0], "1", 1);
    HS_CHECK_NIL(r->element[1]);
    HS_CHECK_BULK(r->element[2], "3", 1);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "MSET", "a", "x", "a", "y"); /* the last pair wins */
    HS_EXPECT_BULK(ctx, "y", "GET", "a");
    /* an odd count is an arity error and sets nothing */
    HS_EXPECT_ARITY(ctx, "mset", "MSET", "d", "1", "e");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d");
    HS_EXPECT_ARITY(ctx, "mset", "MSET", "d");
    HS_EXPECT_ARITY(ctx, "mset", "MSET");
    HS_EXPECT_ARITY(ctx, "mget", "MGET");
    /* MSET drops a TTL */
    HS_EXPECT_OK(ctx, "PSETEX", "t", SHORT_TTL_MS, "v");
    HS_EXPECT_OK(ctx, "MSET", "t", "w");
    hs_sleep_ms(PAST_SHORT_TTL_MS);
    HS_EXPECT_BULK(ctx, "w", "GET", "t");
}
END_TEST

START_TEST(test_msetnx_atomic) {
    HS_EXPECT_INT(ctx, 1, "MSETNX", "a", "1", "b", "2");
    /* one existing key: nothing at all is set */
    HS_EXPECT_INT(ctx, 0, "MSETNX", "c", "3", "b", "x", "d", "4");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "c", "d");
    HS_EXPECT_BULK(ctx, "2", "GET", "b");
    /* the same new key twice: allowed, the last value wins */
    HS_EXPECT_INT(ctx, 1, "MSETNX", "q", "1", "q", "2");
    HS_EXPECT_BULK(ctx, "2", "GET", "q");
    HS_EXPECT_ARITY(ctx, "msetnx", "MSETNX", "x", "1", "y");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "x");
    HS_EXPECT_ARITY(ctx, "msetnx", "MSETNX", "x");
    /* an expired key no longer blocks it */
    HS_EXPECT_OK(ctx, "PSETEX", "e", SHORT_TTL_MS, "v");
    HS_EXPECT_INT(ctx, 0, "MSETNX", "e", "new");
    wait_key_gone("e");
    HS_EXPECT_INT(ctx, 1, "MSETNX", "e", "new");
}
END_TEST

/* ---------------------------------------------------------- append, strlen */

START_TEST(test_append_strlen) {
    HS_EXPECT_INT(ctx, 0, "STRLEN", "k");
    HS_EXPECT_INT(ctx, 5, "APPEND", "k", "hello");
    HS_EXPECT_INT(ctx, 11, "APPEND", "k", " world");
    HS_EXPECT_BULK(ctx, "hello world", "GET", "k");
    HS_EXPECT_INT(ctx, 11, "STRLEN", "k");
    HS_EXPECT_INT(ctx, 0, "APPEND", "empty", ""); /* creates an empty string */
    HS_EXPECT_INT(ctx, 1, "EXISTS", "empty");
    HS_EXPECT_OK(ctx, "SET", "n", "-123");
    HS_EXPECT_INT(ctx, 4, "STRLEN", "n");
    HS_EXPECT_INT(ctx, 6, "APPEND", "n", "45");
    HS_EXPECT_BULK(ctx, "-12345", "GET", "n");
    HS_EXPECT_INT(ctx, -12344, "INCR", "n");
    /* APPEND keeps a TTL */
    HS_EXPECT_OK(ctx, "PSETEX", "t", SHORT_TTL_MS, "abc");
    HS_EXPECT_INT(ctx, 6, "APPEND", "t", "def");
    wait_key_gone("t");
    HS_EXPECT_ARITY(ctx, "append", "APPEND", "k");
    HS_EXPECT_ARITY(ctx, "strlen", "STRLEN");
    HS_EXPECT_ARITY(ctx, "strlen", "STRLEN", "a", "b");
}
END_TEST

START_TEST(test_shared_integers_untouched) {
    /* Two keys holding the same small integer share one object: changing
     * one key must never change the other. */
    HS_EXPECT_OK(ctx, "MSET", "a", "5", "b", "5", "c", "5", "d", "5", "e", "5");
    HS_EXPECT_INT(ctx, 6, "INCR", "a");
    HS_EXPECT_INT(ctx, 2, "APPEND", "b", "x");
    HS_EXPECT_INT(ctx, 1, "SETRANGE", "c", "0", "9");
    HS_EXPECT_BULK(ctx, "6.5", "INCRBYFLOAT", "d", "1.5");
    HS_EXPECT_BULKS(ctx, HS_ARGS("6", "5x", "9", "6.5", "5"), "MGET", "a", "b", "c", "d", "e");
    /* a counter leaving and re-entering the shared range */
    HS_EXPECT_OK(ctx, "SET", "k", "9998");
    HS_EXPECT_INT(ctx, 9999, "INCR", "k");
    HS_EXPECT_INT(ctx, 10000, "INCR", "k");
    HS_EXPECT_INT(ctx, 10001, "INCR", "k");
    HS_EXPECT_INT(ctx, 9999, "DECRBY", "k", "2");
    HS_EXPECT_INT(ctx, -1, "INCRBY", "k", "-10000");
    HS_EXPECT_BULKS(ctx, HS_ARGS("-1", "5"), "MGET", "k", "e");
}
END_TEST

/* ---------------------------------------------------------- counters */

START_TEST(test_incr_decr_basic) {
    HS_EXPECT_INT(ctx, 1, "INCR", "c");
    HS_EXPECT_INT(ctx, 2, "INCR", "c");
    HS_EXPECT_INT(ctx, 1, "DECR", "c");
    HS_EXPECT_INT(ctx, 101, "INCRBY", "c", "100");
    HS_EXPECT_INT(ctx, 51, "DECRBY", "c", "50");
    HS_EXPECT_INT(ctx, -949, "INCRBY", "c", "-1000");
    HS_EXPECT_BULK(ctx, "-949", "GET", "c");
    HS_EXPECT_INT(ctx, -1, "DECR", "fresh");
    HS_EXPECT_INT(ctx, 5, "DECRBY", "fresh2", "-5");
    HS_EXPECT_OK(ctx, "SET", "big", "100000");
    HS_EXPECT_INT(ctx, 100001, "INCR", "big");
    HS_EXPECT_INT(ctx, 1100001, "INCRBY", "big", "1000000");
    /* values that are not canonical integers */
    const char *bad[] = {"abc", " 1", "1 ", "+1", "01", "1.5", "", "9223372036854775808", "1\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        HS_EXPECT_OK(ctx, "SET", "s", bad[i]);
        HS_EXPECT_ERROR(ctx, NOT_INT, "INCR", "s");
        HS_EXPECT_ERROR(ctx, NOT_INT, "DECRBY", "s", "1");
        HS_EXPECT_BULK(ctx, bad[i], "GET", "s");
    }
    /* bad increments */
    HS_EXPECT_ERROR(ctx, NOT_INT, "INCRBY", "c", "abc");
    HS_EXPECT_ERROR(ctx, NOT_INT, "INCRBY", "c", "1.5");
    HS_EXPECT_ERROR(ctx, NOT_INT, "INCRBY", "c", "");
    HS_EXPECT_ERROR(ctx, NOT_INT, "DECRBY", "c", "9223372036854775808");
    HS_EXPECT_ERROR(ctx, NOT_INT, "INCRBY", "nokey", "x");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nokey");
    HS_EXPECT_ARITY(ctx, "incr", "INCR");
    HS_EXPECT_ARITY(ctx, "incr", "INCR", "a", "b");
    HS_EXPECT_ARITY(ctx, "decr", "DECR");
    HS_EXPECT_ARITY(ctx, "incrby", "INCRBY", "a");
    HS_EXPECT_ARITY(ctx, "decrby", "DECRBY", "a", "1", "2");
}
END_TEST

START_TEST(test_incr_overflow_edges) {
    HS_EXPECT_OK(ctx, "SET", "k", "9223372036854775806");
    HS_EXPECT_INT(ctx, 9223372036854775807LL, "INCR", "k");
    HS_EXPECT_ERROR(ctx, OVERFLOW, "INCR", "k");
    HS_EXPECT_ERROR(ctx, OVERFLOW, "INCRBY", "k", "1");
    HS_EXPECT_ERROR(ctx, OVERFLOW, "DECRBY", "k", "-1");
    HS_EXPECT_BULK(ctx, "9223372036854775807", "GET", "k");
    HS_EXPECT_INT(ctx, -1, "INCRBY", "k", "-9223372036854775808");
    HS_EXPECT_OK(ctx, "SET", "m", "-9223372036854775807");
    HS_EXPECT_INT(ctx, -9223372036854775807LL - 1, "DECR", "m");
    HS_EXPECT_ERROR(ctx, OVERFLOW, "DECR", "m");
    HS_EXPECT_ERROR(ctx, OVERFLOW, "INCRBY", "m", "-1");
    HS_EXPECT_INT(ctx, -1, "INCRBY", "m", "9223372036854775807");
    /* negating LLONG_MIN is its own error */
    HS_EXPECT_ERROR(ctx, "ERR decrement would overflow", "DECRBY", "m", "-9223372036854775808");
    HS_EXPECT_INT(ctx, 9223372036854775807LL, "INCRBY", "z", "9223372036854775807");
    HS_EXPECT_INT(ctx, -9223372036854775807LL, "DECRBY", "y", "9223372036854775807");
}
END_TEST

START_TEST(test_counters_keep_ttl) {
    HS_EXPECT_OK(ctx, "PSETEX", "a", SHORT_TTL_MS, "50000");
    HS_EXPECT_INT(ctx, 50001, "INCR", "a");
    HS_EXPECT_OK(ctx, "PSETEX", "b", SHORT_TTL_MS, "5");
    HS_EXPECT_INT(ctx, 15, "INCRBY", "b", "10");
    HS_EXPECT_OK(ctx, "PSETEX", "c", SHORT_TTL_MS, "1.5");
    HS_EXPECT_BULK(ctx, "2.5", "INCRBYFLOAT", "c", "1");
    wait_key_gone("a");
    wait_key_gone("b");
    wait_key_gone("c");
}
END_TEST

START_TEST(test_incrbyfloat) {
    HS_EXPECT_BULK(ctx, "10.5", "INCRBYFLOAT", "f", "10.5");
    HS_EXPECT_BULK(ctx, "10.6", "INCRBYFLOAT", "f", "0.1");
    HS_EXPECT_BULK(ctx, "10.595", "INCRBYFLOAT", "f", "-5e-3");
    HS_EXPECT_BULK(ctx, "100000000000000000000", "INCRBYFLOAT", "g", "1e20");
    /* long double keeps 64 bits of mantissa: at 1e20 a step is 8 */
    HS_EXPECT_BULK(ctx, "100000000000000000008", "INCRBYFLOAT", "f", "1e20");
    HS_EXPECT_BULK(ctx, "16", "INCRBYFLOAT", "h", "0x10");
    HS_EXPECT_OK(ctx, "SET", "n", "5");
    HS_EXPECT_BULK(ctx, "6", "INCRBYFLOAT", "n", "1");
    HS_EXPECT_INT(ctx, 7, "INCR", "n"); /* an integral result is an integer again */
    HS_EXPECT_BULK(ctx, "0", "INCRBYFLOAT", "z", "-0.0");
    /* Past DBL_MAX is fine: the arithmetic is long double, as in Redis
     * (1e308 + 1e308 is a 309-digit integer). */
    HS_EXPECT_OK(ctx, "SET", "big", "1e308");
    redisReply *r = hs_command(ctx, HS_ARGS("INCRBYFLOAT", "big", "1e308"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_int_eq(r->len, 309);
    ck_assert(strncmp(r->str, "19999999999999999999", 20) == 0);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("INCRBYFLOAT", "big", "1e308"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_int_eq(r->len, 309);
    ck_assert(strncmp(r->str, "29999999999999999998", 20) == 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR increment would produce NaN or Infinity", "INCRBYFLOAT", "big", "inf");
    /* past LDBL_MAX it overflows: refused, value unchanged */
    r = hs_command(ctx, HS_ARGS("INCRBYFLOAT", "huge", "1e4932"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_int_eq(r->len, 4933);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR increment would produce NaN or Infinity", "INCRBYFLOAT", "huge", "1e4932");
    HS_EXPECT_BULK(ctx, "0", "INCRBYFLOAT", "huge", "-1e4932");
    HS_EXPECT_ERROR(ctx, "ERR increment would produce NaN or Infinity", "INCRBYFLOAT", "i", "-inf");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "i");
    /* not floats: the increment or the stored value */
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "INCRBYFLOAT", "x", "nan");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "INCRBYFLOAT", "x", "abc");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "INCRBYFLOAT", "x", "");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "INCRBYFLOAT", "x", " 1");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "INCRBYFLOAT", "x", "1e5000");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "x");
    HS_EXPECT_OK(ctx, "SET", "s", "hello");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "INCRBYFLOAT", "s", "1");
    HS_EXPECT_OK(ctx, "SET", "s", "nan");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "INCRBYFLOAT", "s", "1");
    HS_EXPECT_ARITY(ctx, "incrbyfloat", "INCRBYFLOAT", "a");
    HS_EXPECT_ARITY(ctx, "incrbyfloat", "INCRBYFLOAT", "a", "1", "2");
}
END_TEST

/* ---------------------------------------------------------- ranges */

START_TEST(test_getrange_substr) {
    HS_EXPECT_OK(ctx, "SET", "s", "Hello World");
    HS_EXPECT_BULK(ctx, "Hello", "GETRANGE", "s", "0", "4");
    HS_EXPECT_BULK(ctx, "World", "GETRANGE", "s", "-5", "-1");
    HS_EXPECT_BULK(ctx, "Hello World", "GETRANGE", "s", "0", "-1");
    HS_EXPECT_BULK(ctx, "World", "GETRANGE", "s", "6", "100");
    HS_EXPECT_BULK(ctx, "", "GETRANGE", "s", "-1", "-5");
    HS_EXPECT_BULK(ctx, "", "GETRANGE", "s", "5", "-100");
    HS_EXPECT_BULK(ctx, "H", "GETRANGE", "s", "-100", "-99");
    HS_EXPECT_BULK(ctx, "", "GETRANGE", "s", "11", "11");
    HS_EXPECT_BULK(ctx, "", "GETRANGE", "s", "9223372036854775807", "-1");
    HS_EXPECT_BULK(ctx, "H", "GETRANGE", "s", "0", "-9223372036854775808");
    HS_EXPECT_BULK(ctx, "", "GETRANGE", "missing", "0", "-1"); /* empty, not nil */
    HS_EXPECT_ERROR(ctx, NOT_INT, "GETRANGE", "s", "x", "1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "GETRANGE", "missing", "0", "1.5");
    HS_EXPECT_BULK(ctx, "ell", "SUBSTR", "s", "1", "3");
    HS_EXPECT_OK(ctx, "SET", "n", "1234567");
    HS_EXPECT_BULK(ctx, "234", "GETRANGE", "n", "1", "3");
    HS_EXPECT_ARITY(ctx, "getrange", "GETRANGE", "s", "0");
    HS_EXPECT_ARITY(ctx, "substr", "SUBSTR", "s", "0", "1", "2");
}
END_TEST

START_TEST(test_setrange) {
    /* nothing to write on a missing key creates nothing */
    HS_EXPECT_INT(ctx, 0, "SETRANGE", "m", "0", "");
    HS_EXPECT_INT(ctx, 0, "SETRANGE", "m", "5", "");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "m");
    /* a gap is zero-filled */
    HS_EXPECT_INT(ctx, 6, "SETRANGE", "m", "3", "abc");
    redisReply *r = hs_command(ctx, HS_ARGS("GET", "m"));
    HS_CHECK_BULK(r, "\0\0\0abc", 6);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "SET", "s", "Hello World");
    HS_EXPECT_INT(ctx, 11, "SETRANGE", "s", "6", "Redis");
    HS_EXPECT_BULK(ctx, "Hello Redis", "GET", "s");
    HS_EXPECT_INT(ctx, 11, "SETRANGE", "s", "100", ""); /* empty: length only */
    HS_EXPECT_OK(ctx, "SET", "n", "123");
    HS_EXPECT_INT(ctx, 3, "SETRANGE", "n", "1", "9");
    HS_EXPECT_INT(ctx, 194, "INCR", "n");
    HS_EXPECT_ERROR(ctx, "ERR offset is out of range", "SETRANGE", "s", "-1", "x");
    HS_EXPECT_ERROR(ctx, "ERR offset is out of range", "SETRANGE", "s", "-1", "");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SETRANGE", "s", "x", "x");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SETRANGE", "s", "9223372036854775808", "x");
    /* SETRANGE keeps a TTL */
    HS_EXPECT_OK(ctx, "PSETEX", "t", SHORT_TTL_MS, "abc");
    HS_EXPECT_INT(ctx, 6, "SETRANGE", "t", "5", "x");
    wait_key_gone("t");
    HS_EXPECT_ARITY(ctx, "setrange", "SETRANGE", "s", "0");
}
END_TEST

START_TEST(test_setrange_limit) {
    /* 512 MB (the default proto-max-bulk-len) is refused without any
     * allocation: these offsets would need 512 MB up to 8 EB. */
    HS_EXPECT_ERROR(ctx, TOO_BIG, "SETRANGE", "fresh", "536870912", "x");
    HS_EXPECT_ERROR(ctx, TOO_BIG, "SETRANGE", "fresh", "536870911", "xy");
    HS_EXPECT_ERROR(ctx, TOO_BIG, "SETRANGE", "fresh", "9223372036854775807", "x");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "fresh");
    HS_EXPECT_OK(ctx, "SET", "s", "abc");
    HS_EXPECT_ERROR(ctx, TOO_BIG, "SETRANGE", "s", "536870912", "x");
    HS_EXPECT_ERROR(ctx, TOO_BIG, "SETRANGE", "s", "9223372036854775807", "xyz");
    HS_EXPECT_INT(ctx, 3, "SETRANGE", "s", "9223372036854775807", "");
    HS_EXPECT_BULK(ctx, "abc", "GET", "s");
    HS_EXPECT_STATUS(ctx, "PONG", "PING"); /* the server is still fine */
}
END_TEST

START_TEST(test_small_limit_append_lcs) {
    /* With proto-max-bulk-len 1mb: APPEND past it is refused... */
    char *big = malloc(SMALL_LIMIT_BYTES);
    memset(big, 'a', SMALL_LIMIT_BYTES);
    const char *set[] = {"SET", "k", big};
    size_t set_lens[] = {3, 1, SMALL_LIMIT_BYTES - 1};
    redisReply *r = cmd_bin(3, set, set_lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, SMALL_LIMIT_BYTES, "APPEND", "k", "b");
    HS_EXPECT_ERROR(ctx, TOO_BIG, "APPEND", "k", "c");
    HS_EXPECT_INT(ctx, SMALL_LIMIT_BYTES, "STRLEN", "k");
    HS_EXPECT_ERROR(ctx, TOO_BIG, "SETRANGE", "k", "1048576", "x");
    free(big);
    /* ...and so is an LCS whose table would pass it: 512 x 512 cells of 4
     * bytes is exactly 1 MB (allowed), one more byte is not. */
    char s511[512], s512[513];
    memset(s511, 'x', 511);
    s511[511] = '\0';
    memset(s512, 'x', 512);
    s512[512] = '\0';
    HS_EXPECT_OK(ctx, "MSET", "a", s511, "b", s511, "c", s512);
    HS_EXPECT_INT(ctx, 511, "LCS", "a", "b", "LEN");
    HS_EXPECT_ERROR(ctx, LCS_MEMORY, "LCS", "a", "c", "LEN");
    HS_EXPECT_ERROR(ctx, LCS_MEMORY, "LCS", "c", "a");
    HS_EXPECT_INT(ctx, 0, "LCS", "c", "nokey", "LEN");
}
END_TEST

/* ---------------------------------------------------------- LCS */

/* Checks one IDX match: [[a0 a1] [b0 b1]] plus the length if len >= 0. */
static void check_match(const redisReply *m, long long a0, long long a1, long long b0, long long b1,
                        long long len) {
    ck_assert_int_eq(m->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(m->elements, len >= 0 ? 3 : 2);
    HS_CHECK_INT(m->element[0]->element[0], a0);
    HS_CHECK_INT(m->element[0]->element[1], a1);
    HS_CHECK_INT(m->element[1]->element[0], b0);
    HS_CHECK_INT(m->element[1]->element[1], b1);
    if (len >= 0) HS_CHECK_INT(m->element[2], len);
}

START_TEST(test_lcs_docs_examples) {
    HS_EXPECT_OK(ctx, "MSET", "key1", "ohmytext", "key2", "mynewtext");
    HS_EXPECT_BULK(ctx, "mytext", "LCS", "key1", "key2");
    HS_EXPECT_INT(ctx, 6, "LCS", "key1", "key2", "LEN");
    redisReply *r = hs_command(ctx, HS_ARGS("LCS", "key1", "key2", "IDX"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 4);
    HS_CHECK_BULK(r->element[0], "matches", 7);
    ck_assert_int_eq(r->element[1]->elements, 2);
    check_match(r->element[1]->element[0], 4, 7, 5, 8, -1);
    check_match(r->element[1]->element[1], 2, 3, 0, 1, -1);
    HS_CHECK_BULK(r->element[2], "len", 3);
    HS_CHECK_INT(r->element[3], 6);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"));
    ck_assert_int_eq(r->element[1]->elements, 1);
    check_match(r->element[1]->element[0], 4, 7, 5, 8, 4);
    HS_CHECK_INT(r->element[3], 6);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("lcs", "key1", "key2", "idx", "withmatchlen"));
    check_match(r->element[1]->element[0], 4, 7, 5, 8, 4);
    check_match(r->element[1]->element[1], 2, 3, 0, 1, 2);
    freeReplyObject(r);
    /* WITHMATCHLEN alone does nothing; a negative MINMATCHLEN is 0 */
    HS_EXPECT_BULK(ctx, "mytext", "LCS", "key1", "key2", "WITHMATCHLEN");
    r = hs_command(ctx, HS_ARGS("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "-5"));
    ck_assert_int_eq(r->element[1]->elements, 2);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_lcs_errors_and_edges) {
    HS_EXPECT_OK(ctx, "MSET", "key1", "ohmytext", "key2", "mynewtext");
    HS_EXPECT_ERROR(ctx, "ERR If you want both the length and indexes, please just use IDX.", "LCS", "key1",
                    "key2", "IDX", "LEN");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LCS", "key1", "key2", "foo");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LCS", "key1", "key2", "MINMATCHLEN");
    HS_EXPECT_ERROR(ctx, NOT_INT, "LCS", "key1", "key2", "MINMATCHLEN", "x");
    HS_EXPECT_ARITY(ctx, "lcs", "LCS", "key1");
    /* missing keys are empty strings */
    HS_EXPECT_BULK(ctx, "", "LCS", "key1", "nokey");
    HS_EXPECT_INT(ctx, 0, "LCS", "nokey", "nokey2", "LEN");
    redisReply *r = hs_command(ctx, HS_ARGS("LCS", "nokey", "key1", "IDX"));
    ck_assert_int_eq(r->element[1]->elements, 0);
    HS_CHECK_INT(r->element[3], 0);
    freeReplyObject(r);
    /* integers and binary values */
    HS_EXPECT_OK(ctx, "MSET", "n1", "12345", "n2", "2345");
    HS_EXPECT_BULK(ctx, "2345", "LCS", "n1", "n2");
    const char *set[] = {"MSET", "b1", "a\0b\r\nc", "b2", "\0\r\nc"};
    size_t set_lens[] = {4, 2, 6, 2, 4};
    r = cmd_bin(5, set, set_lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LCS", "b1", "b2"));
    HS_CHECK_BULK(r, "\0\r\nc", 4);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_resp3_replies) {
    HS_EXPECT_OK(ctx, "MSET", "key1", "ohmytext", "key2", "mynewtext");
    int fd = raw_resp3();
    /* IDX is a map in RESP3 */
    HS_RAW_EXPECT(fd, "*6\r\n$3\r\nLCS\r\n$4\r\nkey1\r\n$4\r\nkey2\r\n$3\r\nIDX\r\n$11\r\nMINMATCHLEN\r\n$1\r\n4\r\n",
                  "%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n");
    HS_RAW_EXPECT(fd, "*4\r\n$3\r\nLCS\r\n$2\r\nno\r\n$3\r\nno2\r\n$3\r\nIDX\r\n",
                  "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
    /* nil replies are RESP3 nulls */
    HS_RAW_EXPECT(fd, "*2\r\n$5\r\nGETEX\r\n$2\r\nno\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$6\r\nGETDEL\r\n$2\r\nno\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$6\r\nGETSET\r\n$2\r\nno\r\n$1\r\nv\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$4\r\nMGET\r\n$2\r\nxx\r\n$2\r\nno\r\n", "*2\r\n_\r\n$1\r\nv\r\n");
    HS_RAW_EXPECT(fd, "*4\r\n$8\r\nGETRANGE\r\n$2\r\nxx\r\n$1\r\n0\r\n$2\r\n-1\r\n", "$0\r\n\r\n");
    close(fd);
}
END_TEST

/* Every string command refuses a key of another type with WRONGTYPE and
 * leaves it alone; MGET answers nil for it, SETNX and MSETNX see it as
 * existing, SET overwrites it. */
START_TEST(test_wrongtype_everywhere) {
    static const char *const cmds[][6] = {
        {"GET", "l"}, {"GETSET", "l", "v"}, {"GETDEL", "l"}, {"GETEX", "l", "PERSIST"}, {"APPEND", "l", "v"},
        {"STRLEN", "l"}, {"INCR", "l"}, {"DECR", "l"}, {"INCRBY", "l", "2"}, {"DECRBY", "l", "2"},
        {"INCRBYFLOAT", "l", "1.5"}, {"GETRANGE", "l", "0", "1"}, {"SUBSTR", "l", "0", "1"},
        {"SETRANGE", "l", "0", "v"}, {"SETBIT", "l", "1", "1"}, {"GETBIT", "l", "1"},
        {"BITCOUNT", "l"}, {"BITPOS", "l", "1"}, {"BITOP", "AND", "d", "l"}, {"BITFIELD", "l", "GET", "u4", "0"},
        {"BITFIELD_RO", "l", "GET", "u4", "0"}, {"SET", "l", "v", "GET"}, {NULL}};
    HS_EXPECT_INT(ctx, 2, "RPUSH", "l", "a", "b");
    HS_EXPECT_OK(ctx, "SET", "s", "text");
    for (int i = 0; cmds[i][0]; i++) {
        int argc = 0;
        while (argc < 6 && cmds[i][argc]) argc++;
        redisReply *r = hs_command_argv(ctx, argc, (const char **)cmds[i], NULL);
        HS_CHECK_ERROR(r, "WRONGTYPE Operation against a key holding the wrong kind of value");
        freeReplyObject(r);
    }
    /* LCS has its own wording */
    HS_EXPECT_ERROR(ctx, "ERR The specified keys must contain string values", "LCS", "l", "s");
    HS_EXPECT_INT(ctx, 2, "LLEN", "l");
    redisReply *r = hs_command(ctx, HS_ARGS("MGET", "s", "l"));
    ck_assert_uint_eq(r->elements, 2);
    HS_CHECK_BULK(r->element[0], "text", 4);
    HS_CHECK_NIL(r->element[1]);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "SETNX", "l", "v");
    HS_EXPECT_INT(ctx, 0, "MSETNX", "l", "v", "new", "v");
    HS_EXPECT_OK(ctx, "SET", "l", "now-a-string");
    HS_EXPECT_BULK(ctx, "now-a-string", "GET", "l");
}
END_TEST

static Suite *string_cmds_suite(void) {
    Suite *s = suite_create("string_cmds");
    TCase *tc = hs_tcase(s, "commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_setnx);
    tcase_add_test(tc, test_setex_psetex);
    tcase_add_test(tc, test_getset_getdel);
    tcase_add_test(tc, test_getex_options);
    tcase_add_test(tc, test_getex_ttl_changes);
    tcase_add_test(tc, test_mset_mget);
    tcase_add_test(tc, test_msetnx_atomic);
    tcase_add_test(tc, test_append_strlen);
    tcase_add_test(tc, test_shared_integers_untouched);
    tcase_add_test(tc, test_incr_decr_basic);
    tcase_add_test(tc, test_incr_overflow_edges);
    tcase_add_test(tc, test_counters_keep_ttl);
    tcase_add_test(tc, test_incrbyfloat);
    tcase_add_test(tc, test_getrange_substr);
    tcase_add_test(tc, test_setrange);
    tcase_add_test(tc, test_setrange_limit);
    tcase_add_test(tc, test_lcs_docs_examples);
    tcase_add_test(tc, test_lcs_errors_and_edges);
    tcase_add_test(tc, test_resp3_replies);
    tcase_add_test(tc, test_wrongtype_everywhere);
    TCase *small = hs_tcase(s, "small-limit");
    tcase_add_checked_fixture(small, setup_small_limit, teardown);
    tcase_add_test(small, test_small_limit_append_lcs);
    return s;
}

int main(void) {
    return hs_run_suite(string_cmds_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
