/* test_list.c -- integration tests for the non-blocking list commands:
 * LPUSH/RPUSH(X), LPOP/RPOP, LLEN, LRANGE, LINDEX, LSET, LINSERT, LREM,
 * LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP; wrong types, range edges, the
 * RESP2/RESP3 null shapes, binary and integer-looking elements, 100k
 * element lists, and a randomized run against an in-test model.
 *
 * Expected replies are Redis 7.0's (checked with utils/diffcheck.py). One
 * server per test. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define SYNTAX "ERR syntax error"
#define NOT_INT "ERR value is not an integer or out of range"
#define POP_RANGE "ERR value is out of range, must be positive"
#define BIG_LIST_LEN 100000
#define BIG_BATCH 1000
#define ELEM_MAX_BYTES 64

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

/* ---------------------------------------------------------- helpers */

/* Checks that r is an array of exactly the n given byte strings. */
static void check_elems(const char *file, int line, const redisReply *r, const char *const *v, const size_t *lens,
                        size_t n) {
    ck_assert_msg(r->type == REDIS_REPLY_ARRAY, "%s:%d: reply type %d is not an array", file, line, r->type);
    ck_assert_msg(r->elements == n, "%s:%d: %zu elements, want %zu", file, line, r->elements, n);
    for (size_t i = 0; i < n; i++) {
        const redisReply *e = r->element[i];
        ck_assert_msg(e->type == REDIS_REPLY_STRING && e->len == lens[i] && memcmp(e->str, v[i], lens[i]) == 0,
                      "%s:%d: element %zu differs (got '%.*s', want '%.*s')", file, line, i, (int)e->len, e->str,
                      (int)lens[i], v[i]);
    }
}

/* Sends raw bytes on a fresh socket and expects exactly want back. */
static void raw_roundtrip(const char *req, const char *want) {
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, req, want);
    close(fd);
}

/* ---------------------------------------------------------- push / pop */

START_TEST(test_push_pop_basic) {
    HS_EXPECT_INT(ctx, 1, "LPUSH", "l", "a");
    HS_EXPECT_INT(ctx, 4, "LPUSH", "l", "b", "c", "d");
    HS_EXPECT_INT(ctx, 6, "RPUSH", "l", "x", "y");
    HS_EXPECT_BULKS(ctx, HS_ARGS("d", "c", "b", "a", "x", "y"), "LRANGE", "l", "0", "-1");
    HS_EXPECT_INT(ctx, 6, "LLEN", "l");
    HS_EXPECT_INT(ctx, 0, "LLEN", "nokey");
    HS_EXPECT_INT(ctx, 0, "LPUSHX", "nokey", "a");
    HS_EXPECT_INT(ctx, 0, "RPUSHX", "nokey", "a", "b");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nokey");
    HS_EXPECT_INT(ctx, 8, "LPUSHX", "l", "h1", "h2");
    HS_EXPECT_INT(ctx, 9, "RPUSHX", "l", "t");
    HS_EXPECT_BULK(ctx, "h2", "LPOP", "l");
    HS_EXPECT_BULK(ctx, "t", "RPOP", "l");
    HS_EXPECT_BULKS(ctx, HS_ARGS("h1", "d"), "LPOP", "l", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("y", "x", "a"), "RPOP", "l", "3");
    HS_EXPECT_BULKS(ctx, HS_ARGS("c", "b"), "LPOP", "l", "100");
    /* the emptied list is gone */
    HS_EXPECT_INT(ctx, 0, "EXISTS", "l");
    HS_EXPECT_NIL(ctx, "LPOP", "l");
    HS_EXPECT_NIL(ctx, "RPOP", "l");
    HS_EXPECT_NIL(ctx, "LPOP", "l", "3");
    HS_EXPECT_STATUS(ctx, "none", "TYPE", "l");
}
END_TEST

START_TEST(test_push_pop_errors) {
    HS_EXPECT_ARITY(ctx, "lpush", "LPUSH", "l");
    HS_EXPECT_ARITY(ctx, "rpush", "RPUSH");
    HS_EXPECT_ARITY(ctx, "lpushx", "LPUSHX", "l");
    HS_EXPECT_ARITY(ctx, "rpushx", "RPUSHX", "l");
    HS_EXPECT_ARITY(ctx, "lpop", "LPOP");
    HS_EXPECT_ARITY(ctx, "rpop", "RPOP", "l", "1", "2");
    HS_EXPECT_ARITY(ctx, "llen", "LLEN");
    HS_EXPECT_ARITY(ctx, "llen", "LLEN", "a", "b");
    HS_EXPECT_INT(ctx, 2, "RPUSH", "l", "a", "b");
    /* counts: the error comes before the key is looked at */
    HS_EXPECT_ERROR(ctx, POP_RANGE, "LPOP", "l", "-1");
    HS_EXPECT_ERROR(ctx, POP_RANGE, "RPOP", "l", "abc");
    HS_EXPECT_ERROR(ctx, POP_RANGE, "LPOP", "l", "1.5");
    HS_EXPECT_ERROR(ctx, POP_RANGE, "LPOP", "nokey", "-1");
    HS_EXPECT_ERROR(ctx, POP_RANGE, "LPOP", "l", "9223372036854775808");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b"), "LPOP", "l", "9223372036854775807");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "l");
}
END_TEST

START_TEST(test_wrongtype) {
    HS_EXPECT_OK(ctx, "SET", "s", "v");
    HS_EXPECT_INT(ctx, 2, "RPUSH", "l", "a", "b");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LPUSH", "s", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "RPUSH", "s", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LPUSHX", "s", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "RPUSHX", "s", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LPOP", "s");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "RPOP", "s", "0");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LLEN", "s");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LRANGE", "s", "0", "-1");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LINDEX", "s", "0");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LSET", "s", "0", "x");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LINSERT", "s", "BEFORE", "a", "b");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LREM", "s", "0", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LTRIM", "s", "0", "1");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LPOS", "s", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LMOVE", "s", "l", "LEFT", "LEFT");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LMOVE", "l", "s", "LEFT", "LEFT");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "RPOPLPUSH", "l", "s");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LMPOP", "2", "nokey", "s", "LEFT");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "BLPOP", "nokey", "s", "0");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "BLMOVE", "l", "s", "LEFT", "LEFT", "0");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "BLMPOP", "0", "1", "s", "LEFT");
    /* nothing moved on the errors above */
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b"), "LRANGE", "l", "0", "-1");
    /* a missing source wins over a wrong-type destination */
    HS_EXPECT_NIL(ctx, "LMOVE", "nokey", "s", "LEFT", "LEFT");
    /* string commands on a list */
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GET", "l");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "INCR", "l");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "APPEND", "l", "x");
    HS_EXPECT_STATUS(ctx, "list", "TYPE", "l");
    HS_EXPECT_OK(ctx, "SET", "l", "v");
    HS_EXPECT_STATUS(ctx, "string", "TYPE", "l");
}
END_TEST

/* RESP2 and RESP3 null shapes: no count -> null bulk, count -> null array. */
START_TEST(test_null_shapes) {
    raw_roundtrip("LPOP nokey\r\n", "$-1\r\n");
    raw_roundtrip("RPOP nokey 0\r\n", "*-1\r\n");
    raw_roundtrip("LPOP nokey 2\r\n", "*-1\r\n");
    raw_roundtrip("LINDEX nokey 0\r\n", "$-1\r\n");
    raw_roundtrip("LMOVE nokey d LEFT LEFT\r\n", "$-1\r\n");
    raw_roundtrip("LMPOP 1 nokey LEFT\r\n", "*-1\r\n");
    raw_roundtrip("LPOS nokey a\r\n", "$-1\r\n");
    raw_roundtrip("LPOS nokey a COUNT 0\r\n", "*0\r\n");
    raw_roundtrip("LRANGE nokey 0 -1\r\n", "*0\r\n");
    int fd = hs_raw_connect(srv);
    hs_raw_send(fd, "HELLO 3\r\n", 9);
    hs_buf hello = hs_raw_read_until(fd, "*0\r\n", HS_REPLY_TIMEOUT_MS);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "LPOP nokey\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "LPOP nokey 2\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "LMPOP 1 nokey RIGHT\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "LMOVE nokey d LEFT LEFT\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "RPUSH l a\r\n", ":1\r\n");
    HS_RAW_EXPECT(fd, "LPOP l 0\r\n", "*0\r\n");
    HS_RAW_EXPECT(fd, "LMPOP 1 l LEFT\r\n", "*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n");
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- reading */

START_TEST(test_lrange_edges) {
    HS_EXPECT_INT(ctx, 5, "RPUSH", "l", "a", "b", "c", "d", "e");
    HS_EXPECT_BULKS(ctx, HS_ARGS("d", "e"), "LRANGE", "l", "-2", "-1");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b"), "LRANGE", "l", "-100", "1");
    HS_EXPECT_BULKS(ctx, HS_ARGS("d", "e"), "LRANGE", "l", "3", "100");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b", "c", "d", "e"), "LRANGE", "l", "-9223372036854775808",
                    "9223372036854775807");
    redisReply *r = hs_command(ctx, HS_ARGS("LRANGE", "l", "3", "1"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LRANGE", "l", "5", "10"));
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LRANGE", "l", "0", "-6"));
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, NOT_INT, "LRANGE", "l", "0", "x");
    HS_EXPECT_ERROR(ctx, NOT_INT, "LRANGE", "nokey", " 1", "2");
    HS_EXPECT_ERROR(ctx, NOT_INT, "LRANGE", "l", "9223372036854775808", "2");
    HS_EXPECT_ARITY(ctx, "lrange", "LRANGE", "l", "0");
    HS_EXPECT_BULK(ctx, "a", "LINDEX", "l", "0");
    HS_EXPECT_BULK(ctx, "e", "LINDEX", "l", "-1");
    HS_EXPECT_BULK(ctx, "a", "LINDEX", "l", "-5");
    HS_EXPECT_NIL(ctx, "LINDEX", "l", "5");
    HS_EXPECT_NIL(ctx, "LINDEX", "l", "-6");
    HS_EXPECT_NIL(ctx, "LINDEX", "l", "-9223372036854775808");
    HS_EXPECT_ERROR(ctx, NOT_INT, "LINDEX", "l", "1.0");
    /* LINDEX looks the key up first */
    HS_EXPECT_NIL(ctx, "LINDEX", "nokey", "abc");
    HS_EXPECT_ARITY(ctx, "lindex", "LINDEX", "l");
}
END_TEST

START_TEST(test_lpos) {
    HS_EXPECT_INT(ctx, 8, "RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c");
    HS_EXPECT_INT(ctx, 2, "LPOS", "l", "c");
    HS_EXPECT_INT(ctx, 6, "LPOS", "l", "c", "RANK", "2");
    HS_EXPECT_INT(ctx, 7, "LPOS", "l", "c", "RANK", "-1");
    HS_EXPECT_INT(ctx, 2, "LPOS", "l", "c", "RANK", "-3");
    HS_EXPECT_NIL(ctx, "LPOS", "l", "c", "RANK", "4");
    HS_EXPECT_INT(ctx, 4, "LPOS", "l", "2");
    HS_EXPECT_NIL(ctx, "LPOS", "l", "x");
    redisReply *r = hs_command(ctx, HS_ARGS("LPOS", "l", "c", "COUNT", "0", "RANK", "-1"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 3);
    ck_assert_int_eq(r->element[0]->integer, 7);
    ck_assert_int_eq(r->element[1]->integer, 6);
    ck_assert_int_eq(r->element[2]->integer, 2);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LPOS", "l", "c", "COUNT", "0", "MAXLEN", "7"));
    ck_assert_int_eq(r->elements, 2);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LPOS", "l", "x", "COUNT", "5"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx,
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
                    "negative to start from the end of the list",
                    "LPOS", "l", "c", "RANK", "0");
    HS_EXPECT_ERROR(ctx, "ERR COUNT can't be negative", "LPOS", "l", "c", "COUNT", "-1");
    HS_EXPECT_ERROR(ctx, "ERR MAXLEN can't be negative", "LPOS", "nokey", "c", "MAXLEN", "x");
    HS_EXPECT_ERROR(ctx, NOT_INT, "LPOS", "l", "c", "RANK", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LPOS", "l", "c", "RANK");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LPOS", "l", "c", "FOO", "1");
    HS_EXPECT_ARITY(ctx, "lpos", "LPOS", "l");
}
END_TEST

/* ---------------------------------------------------------- changing */

START_TEST(test_lset_linsert) {
    HS_EXPECT_INT(ctx, 3, "RPUSH", "l", "a", "b", "c");
    HS_EXPECT_OK(ctx, "LSET", "l", "0", "A");
    HS_EXPECT_OK(ctx, "LSET", "l", "-1", "C");
    HS_EXPECT_ERROR(ctx, "ERR index out of range", "LSET", "l", "3", "x");
    HS_EXPECT_ERROR(ctx, "ERR index out of range", "LSET", "l", "-4", "x");
    HS_EXPECT_ERROR(ctx, NOT_INT, "LSET", "l", "x", "x");
    HS_EXPECT_ERROR(ctx, "ERR no such key", "LSET", "nokey", "0", "x");
    HS_EXPECT_ERROR(ctx, "ERR no such key", "LSET", "nokey", "x", "x");
    HS_EXPECT_ARITY(ctx, "lset", "LSET", "l", "0");
    HS_EXPECT_INT(ctx, 4, "LINSERT", "l", "BEFORE", "b", "b0");
    HS_EXPECT_INT(ctx, 5, "LINSERT", "l", "after", "b", "b1");
    HS_EXPECT_INT(ctx, -1, "LINSERT", "l", "AFTER", "zz", "x");
    HS_EXPECT_INT(ctx, 0, "LINSERT", "nokey", "AFTER", "a", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LINSERT", "l", "MIDDLE", "b", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LINSERT", "nokey", "MIDDLE", "b", "x");
    HS_EXPECT_ARITY(ctx, "linsert", "LINSERT", "l", "BEFORE", "a");
    HS_EXPECT_BULKS(ctx, HS_ARGS("A", "b0", "b", "b1", "C"), "LRANGE", "l", "0", "-1");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nokey");
}
END_TEST

START_TEST(test_lrem_ltrim) {
    HS_EXPECT_INT(ctx, 9, "RPUSH", "l", "a", "x", "a", "y", "a", "z", "a", "w", "a");
    HS_EXPECT_INT(ctx, 2, "LREM", "l", "2", "a");
    HS_EXPECT_BULKS(ctx, HS_ARGS("x", "y", "a", "z", "a", "w", "a"), "LRANGE", "l", "0", "-1");
    HS_EXPECT_INT(ctx, 2, "LREM", "l", "-2", "a");
    HS_EXPECT_BULKS(ctx, HS_ARGS("x", "y", "a", "z", "w"), "LRANGE", "l", "0", "-1");
    HS_EXPECT_INT(ctx, 0, "LREM", "l", "0", "nothere");
    HS_EXPECT_INT(ctx, 1, "LREM", "l", "-9223372036854775808", "a");
    HS_EXPECT_ERROR(ctx, NOT_INT, "LREM", "nokey", "x", "a");
    HS_EXPECT_INT(ctx, 0, "LREM", "nokey", "0", "a");
    HS_EXPECT_ARITY(ctx, "lrem", "LREM", "l", "0");
    HS_EXPECT_OK(ctx, "LTRIM", "l", "1", "-2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("y", "z"), "LRANGE", "l", "0", "-1");
    HS_EXPECT_OK(ctx, "LTRIM", "l", "-100", "100");
    HS_EXPECT_BULKS(ctx, HS_ARGS("y", "z"), "LRANGE", "l", "0", "-1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "LTRIM", "l", "0", "x");
    HS_EXPECT_OK(ctx, "LTRIM", "nokey", "0", "1");
    HS_EXPECT_ARITY(ctx, "ltrim", "LTRIM", "l", "0");
    /* start > end empties (and deletes) the list */
    HS_EXPECT_OK(ctx, "LTRIM", "l", "1", "0");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "l");
    HS_EXPECT_INT(ctx, 3, "RPUSH", "l", "a", "a", "a");
    HS_EXPECT_INT(ctx, 3, "LREM", "l", "0", "a");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "l");
    HS_EXPECT_INT(ctx, 3, "RPUSH", "l", "1", "2", "3");
    HS_EXPECT_OK(ctx, "LTRIM", "l", "5", "10");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "l");
}
END_TEST

/* ---------------------------------------------------------- moving */

START_TEST(test_lmove_rpoplpush) {
    HS_EXPECT_INT(ctx, 4, "RPUSH", "src", "a", "b", "c", "d");
    HS_EXPECT_BULK(ctx, "a", "LMOVE", "src", "dst", "LEFT", "LEFT");
    HS_EXPECT_BULK(ctx, "b", "LMOVE", "src", "dst", "left", "right");
    HS_EXPECT_BULK(ctx, "d", "LMOVE", "src", "dst", "RIGHT", "LEFT");
    HS_EXPECT_BULK(ctx, "c", "RPOPLPUSH", "src", "dst");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "src");
    HS_EXPECT_BULKS(ctx, HS_ARGS("c", "d", "a", "b"), "LRANGE", "dst", "0", "-1");
    /* rotation on one key, including a single-element list */
    HS_EXPECT_BULK(ctx, "b", "RPOPLPUSH", "dst", "dst");
    HS_EXPECT_BULKS(ctx, HS_ARGS("b", "c", "d", "a"), "LRANGE", "dst", "0", "-1");
    HS_EXPECT_BULK(ctx, "b", "LMOVE", "dst", "dst", "LEFT", "RIGHT");
    HS_EXPECT_INT(ctx, 1, "RPUSH", "one", "x");
    HS_EXPECT_BULK(ctx, "x", "LMOVE", "one", "one", "LEFT", "RIGHT");
    HS_EXPECT_BULKS(ctx, HS_ARGS("x"), "LRANGE", "one", "0", "-1");
    HS_EXPECT_NIL(ctx, "LMOVE", "nokey", "dst", "LEFT", "LEFT");
    HS_EXPECT_NIL(ctx, "RPOPLPUSH", "nokey", "dst");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LMOVE", "dst", "dst", "UP", "LEFT");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LMOVE", "nokey", "dst", "LEFT", "DOWN");
    HS_EXPECT_ARITY(ctx, "lmove", "LMOVE", "a", "b", "LEFT");
    HS_EXPECT_ARITY(ctx, "rpoplpush", "RPOPLPUSH", "a");
}
END_TEST

START_TEST(test_lmpop) {
    HS_EXPECT_INT(ctx, 5, "RPUSH", "l1", "a", "b", "c", "d", "e");
    redisReply *r = hs_command(ctx, HS_ARGS("LMPOP", "2", "nokey", "l1", "RIGHT", "COUNT", "2"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 2);
    HS_CHECK_BULK(r->element[0], "l1", 2);
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("e", "d"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LMPOP", "1", "l1", "LEFT", "COUNT", "100"));
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("a", "b", "c"));
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "l1");
    HS_EXPECT_NIL(ctx, "LMPOP", "2", "l1", "l2", "LEFT");
    HS_EXPECT_ERROR(ctx, "ERR numkeys should be greater than 0", "LMPOP", "0", "l1", "LEFT");
    HS_EXPECT_ERROR(ctx, "ERR numkeys should be greater than 0", "LMPOP", "x", "l1", "LEFT");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LMPOP", "3", "l1", "LEFT");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LMPOP", "1", "l1", "UP");
    HS_EXPECT_ERROR(ctx, "ERR count should be greater than 0", "LMPOP", "1", "l1", "LEFT", "COUNT", "0");
    HS_EXPECT_ERROR(ctx, "ERR count should be greater than 0", "LMPOP", "1", "l1", "LEFT", "COUNT", "-1");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LMPOP", "1", "l1", "LEFT", "COUNT", "1", "COUNT", "1");
    HS_EXPECT_ERROR(ctx, SYNTAX, "LMPOP", "1", "l1", "LEFT", "COUNT");
    HS_EXPECT_ARITY(ctx, "lmpop", "LMPOP", "1", "l1");
}
END_TEST

/* ---------------------------------------------------------- values */

START_TEST(test_binary_and_integer_elements) {
    static const char *const ints[] = {"007", "-0", "1e3", "9223372036854775807", "-9223372036854775808",
                                       "9223372036854775808", "0", "-1", "+1", " 1", "00", "1.0", "12345"};
    size_t n = sizeof(ints) / sizeof(ints[0]);
    const char *argv[2 + 13];
    argv[0] = "RPUSH";
    argv[1] = "nums";
    for (size_t i = 0; i < n; i++) argv[2 + i] = ints[i];
    redisReply *r = hs_command_argv(ctx, (int)(2 + n), argv, NULL);
    HS_CHECK_INT(r, (long long)n);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LRANGE", "nums", "0", "-1"));
    size_t lens[13];
    for (size_t i = 0; i < n; i++) lens[i] = strlen(ints[i]);
    check_elems(__FILE__, __LINE__, r, ints, lens, n);
    freeReplyObject(r);
    /* each survives LINDEX, LPOS (exact bytes only), LSET, pops */
    HS_EXPECT_BULK(ctx, "-9223372036854775808", "LINDEX", "nums", "4");
    HS_EXPECT_INT(ctx, 0, "LPOS", "nums", "007");
    HS_EXPECT_NIL(ctx, "LPOS", "nums", "7");
    HS_EXPECT_NIL(ctx, "LPOS", "nums", "1000");
    HS_EXPECT_INT(ctx, 1, "LREM", "nums", "0", "-0");
    HS_EXPECT_OK(ctx, "LSET", "nums", "0", "-00");
    HS_EXPECT_BULK(ctx, "-00", "LPOP", "nums");
    HS_EXPECT_BULK(ctx, "12345", "RPOP", "nums");
    /* binary: NUL, CR LF, empty, bytes >= 0x80 */
    const char *bin[] = {"RPUSH", "b", "a\0b", "\r\n", "", "\xff\xfe"};
    size_t blens[] = {5, 1, 3, 2, 0, 2};
    r = hs_command_argv(ctx, 6, bin, blens);
    HS_CHECK_INT(r, 4);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LRANGE", "b", "0", "-1"));
    check_elems(__FILE__, __LINE__, r, bin + 2, blens + 2, 4);
    freeReplyObject(r);
    const char *pos[] = {"LPOS", "b", "a\0b"};
    size_t plens[] = {4, 1, 3};
    r = hs_command_argv(ctx, 3, pos, plens);
    HS_CHECK_INT(r, 0);
    freeReplyObject(r);
    plens[2] = 1; /* "a" alone is not "a\0b" */
    r = hs_command_argv(ctx, 3, pos, plens);
    HS_CHECK_NIL(r);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_encoding) {
    HS_EXPECT_INT(ctx, 1, "RPUSH", "l", "a");
    HS_EXPECT_BULK(ctx, "quicklist", "OBJECT", "ENCODING", "l");
    /* still quicklist when large, and after shrinking back */
    for (int i = 0; i < 20; i++) {
        char v[700];
        memset(v, 'a' + i, sizeof(v) - 1);
        v[sizeof(v) - 1] = '\0';
        redisReply *r = hs_command(ctx, HS_ARGS("RPUSH", "l", v));
        freeReplyObject(r);
    }
    HS_EXPECT_BULK(ctx, "quicklist", "OBJECT", "ENCODING", "l");
    HS_EXPECT_OK(ctx, "LTRIM", "l", "0", "0");
    HS_EXPECT_BULK(ctx, "quicklist", "OBJECT", "ENCODING", "l");
}
END_TEST

/* COPY duplicates the list (list_dup); RENAME moves it. */
START_TEST(test_copy_rename) {
    HS_EXPECT_INT(ctx, 3, "RPUSH", "l", "a", "b", "c");
    HS_EXPECT_INT(ctx, 1, "COPY", "l", "l2");
    HS_EXPECT_INT(ctx, 4, "RPUSH", "l2", "d");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b", "c"), "LRANGE", "l", "0", "-1");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b", "c", "d"), "LRANGE", "l2", "0", "-1");
    HS_EXPECT_BULK(ctx, "quicklist", "OBJECT", "ENCODING", "l2");
    HS_EXPECT_OK(ctx, "RENAME", "l2", "l3");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b", "c", "d"), "LRANGE", "l3", "0", "-1");
}
END_TEST

/* ---------------------------------------------------------- model */

/* A list in the test's memory: what the server's list must equal. */
typedef struct model {
    char **v;
    size_t *len;
    size_t n, cap;
} model;

static void model_insert(model *m, size_t at, const char *s, size_t len) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = realloc(m->v, m->cap * sizeof(char *));
        m->len = realloc(m->len, m->cap * sizeof(size_t));
    }
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(char *));
    memmove(m->len + at + 1, m->len + at, (m->n - at) * sizeof(size_t));
    m->v[at] = malloc(len + 1);
    memcpy(m->v[at], s, len);
    m->v[at][len] = '\0';
    m->len[at] = len;
    m->n++;
}

static void model_remove(model *m, size_t at) {
    free(m->v[at]);
    memmove(m->v + at, m->v + at + 1, (m->n - at - 1) * sizeof(char *));
    memmove(m->len + at, m->len + at + 1, (m->n - at - 1) * sizeof(size_t));
    m->n--;
}

static void model_free(model *m) {
    while (m->n) model_remove(m, m->n - 1);
    free(m->v);
    free(m->len);
}

static int model_eq(const model *m, size_t i, const char *s, size_t len) {
    return m->len[i] == len && memcmp(m->v[i], s, len) == 0;
}

static void model_check(const model *m, const char *key) {
    redisReply *r = hs_command(ctx, HS_ARGS("LRANGE", key, "0", "-1"));
    check_elems(__FILE__, __LINE__, r, (const char *const *)m->v, m->len, m->n);
    freeReplyObject(r);
}

/* ---------------------------------------------------------- big lists */

START_TEST(test_big_list) {
    model m = {0};
    char buf[ELEM_MAX_BYTES];
    for (int base = 0; base < BIG_LIST_LEN; base += BIG_BATCH) {
        const char *argv[2 + BIG_BATCH];
        size_t lens[2 + BIG_BATCH];
        char store[BIG_BATCH][ELEM_MAX_BYTES];
        argv[0] = "RPUSH", lens[0] = 5;
        argv[1] = "big", lens[1] = 3;
        for (int i = 0; i < BIG_BATCH; i++) {
            int v = base + i;
            /* a mix of integers and strings, as listpacks encode both */
            int len = v % 2 ? snprintf(store[i], ELEM_MAX_BYTES, "%d", v)
                            : snprintf(store[i], ELEM_MAX_BYTES, "elem-%d", v);
            argv[2 + i] = store[i];
            lens[2 + i] = (size_t)len;
            model_insert(&m, m.n, store[i], (size_t)len);
        }
        redisAppendCommandArgv(ctx, 2 + BIG_BATCH, argv, lens);
    }
    for (int base = 0; base < BIG_LIST_LEN; base += BIG_BATCH) {
        redisReply *r = hs_get_reply(ctx);
        HS_CHECK_INT(r, base + BIG_BATCH);
        freeReplyObject(r);
    }
    model_check(&m, "big");
    HS_EXPECT_BULK(ctx, "quicklist", "OBJECT", "ENCODING", "big");
    /* LINDEX at spread positions, from both ends */
    static const long probes[] = {0, 1, 4999, 50000, 77777, 99998, 99999, -1, -2, -50001, -100000};
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        long idx = probes[i] < 0 ? BIG_LIST_LEN + probes[i] : probes[i];
        char is[32];
        snprintf(is, sizeof(is), "%ld", probes[i]);
        redisReply *r = hs_command(ctx, HS_ARGS("LINDEX", "big", is));
        HS_CHECK_BULK(r, m.v[idx], m.len[idx]);
        freeReplyObject(r);
    }
    HS_EXPECT_NIL(ctx, "LINDEX", "big", "100000");
    /* LRANGE windows in the middle */
    redisReply *r = hs_command(ctx, HS_ARGS("LRANGE", "big", "49990", "50010"));
    check_elems(__FILE__, __LINE__, r, (const char *const *)m.v + 49990, m.len + 49990, 21);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LRANGE", "big", "-100", "-1"));
    check_elems(__FILE__, __LINE__, r, (const char *const *)m.v + BIG_LIST_LEN - 100, m.len + BIG_LIST_LEN - 100, 100);
    freeReplyObject(r);
    /* LSET, LINSERT, LREM deep inside, mirrored in the model */
    for (int k = 0; k < 50; k++) {
        long idx = (long)((k * 7919L) % (long)m.n);
        char is[32];
        snprintf(is, sizeof(is), "%ld", idx);
        int len = snprintf(buf, sizeof(buf), "set-%d", k);
        HS_EXPECT_OK(ctx, "LSET", "big", is, buf);
        free(m.v[idx]);
        m.v[idx] = strdup(buf);
        m.len[idx] = (size_t)len;
        char pivot[ELEM_MAX_BYTES];
        size_t at = (size_t)((k * 15485863L) % (long)m.n);
        memcpy(pivot, m.v[at], m.len[at] + 1);
        size_t first = 0;
        while (!model_eq(&m, first, pivot, strlen(pivot))) first++;
        len = snprintf(buf, sizeof(buf), "ins-%d", k);
        HS_EXPECT_INT(ctx, (long long)m.n + 1, "LINSERT", "big", k % 2 ? "AFTER" : "BEFORE", pivot, buf);
        model_insert(&m, k % 2 ? first + 1 : first, buf, (size_t)len);
    }
    /* remove every "set-*" value, then a range of integers */
    for (int k = 0; k < 50; k++) {
        int len = snprintf(buf, sizeof(buf), "set-%d", k);
        long long removed = 0;
        for (size_t i = m.n; i-- > 0;)
            if (model_eq(&m, i, buf, (size_t)len)) model_remove(&m, i), removed++;
        HS_EXPECT_INT(ctx, removed, "LREM", "big", "0", buf);
    }
    model_check(&m, "big");
    model_free(&m);
}
END_TEST

/* ---------------------------------------------------------- randomized */

#define RANDOM_OPS 10000
#define RANDOM_CHECK_EVERY 50
#define RANDOM_PUSH_MAX 8

static const char *const pool[] = {"a",  "b",   "c",  "d",   "e",   "f",   "g",   "h",   "1",
                                   "2",  "-3",  "40", "500", "007", "-0",  "",    "x y", "1e3",
                                   "9223372036854775807", "-9223372036854775808",
                                   "long-value-long-value-long-value-long-value-long-value-long-value"};
#define POOL_N (sizeof(pool) / sizeof(pool[0]))

static redisReply *cmdf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static redisReply *cmdf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(ctx, fmt, ap);
    va_end(ap);
    ck_assert_msg(r != NULL, "no reply: %s", ctx->errstr);
    return r;
}

/* Runs one random command on "r" and on the model; checks its reply. */
static void random_step(model *m, unsigned *seed) {
    int op = (int)(rand_r(seed) % 12);
    const char *e = pool[rand_r(seed) % POOL_N];
    long n = (long)m->n;
    long i1 = (long)(rand_r(seed) % (unsigned)(2 * n + 7)) - n - 3;
    long i2 = (long)(rand_r(seed) % (unsigned)(2 * n + 7)) - n - 3;
    redisReply *r = NULL;
    switch (op) {
    case 0:
    case 1: {
        /* several elements at once, so that the list grows long */
        int k = 1 + (int)(rand_r(seed) % RANDOM_PUSH_MAX);
        const char *argv[2 + RANDOM_PUSH_MAX];
        argv[0] = op == 0 ? "LPUSH" : "RPUSH";
        argv[1] = "r";
        for (int j = 0; j < k; j++) {
            argv[2 + j] = pool[rand_r(seed) % POOL_N];
            model_insert(m, op == 0 ? 0 : m->n, argv[2 + j], strlen(argv[2 + j]));
        }
        r = hs_command_argv(ctx, 2 + k, argv, NULL);
        HS_CHECK_INT(r, (long long)m->n);
        break;
    }
    case 2: {
        r = cmdf("LPOP r");
        if (m->n == 0) HS_CHECK_NIL(r);
        else HS_CHECK_BULK(r, m->v[0], m->len[0]), model_remove(m, 0);
        break;
    }
    case 3: {
        long cnt = (long)(rand_r(seed) % 5);
        r = cmdf("RPOP r %ld", cnt);
        if (m->n == 0) {
            HS_CHECK_NIL(r);
            break;
        }
        ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
        ck_assert_uint_eq(r->elements, (size_t)(cnt < n ? cnt : n));
        for (size_t k = 0; k < r->elements; k++) {
            HS_CHECK_BULK(r->element[k], m->v[m->n - 1], m->len[m->n - 1]);
            model_remove(m, m->n - 1);
        }
        break;
    }
    case 4: {
        r = cmdf("LSET r %ld %s", i1, e);
        long at = i1 < 0 ? n + i1 : i1;
        if (n == 0) HS_CHECK_ERROR(r, "ERR no such key");
        else if (at < 0 || at >= n) HS_CHECK_ERROR(r, "ERR index out of range");
        else {
            HS_CHECK_STATUS(r, "OK");
            model_remove(m, (size_t)at);
            model_insert(m, (size_t)at, e, strlen(e));
        }
        break;
    }
    case 5: {
        const char *pivot = pool[rand_r(seed) % POOL_N];
        int after = (int)(rand_r(seed) % 2);
        r = cmdf("LINSERT r %s %s %s", after ? "AFTER" : "BEFORE", pivot, e);
        size_t at = 0;
        while (at < m->n && !model_eq(m, at, pivot, strlen(pivot))) at++;
        if (m->n == 0) HS_CHECK_INT(r, 0);
        else if (at == m->n) HS_CHECK_INT(r, -1);
        else {
            model_insert(m, after ? at + 1 : at, e, strlen(e));
            HS_CHECK_INT(r, (long long)m->n);
        }
        break;
    }
    case 6: {
        /* count 0 (remove all) rarely: it shrinks the list fast */
        long cnt = (long)(rand_r(seed) % 9) - 4;
        if (cnt == 0 && rand_r(seed) % 4) cnt = 1;
        r = cmdf("LREM r %ld %s", cnt, e);
        long long removed = 0;
        long limit = cnt < 0 ? -cnt : cnt;
        if (cnt >= 0) {
            for (size_t k = 0; k < m->n && (limit == 0 || removed < limit);)
                if (model_eq(m, k, e, strlen(e))) model_remove(m, k), removed++;
                else k++;
        } else {
            for (size_t k = m->n; k-- > 0 && removed < limit;)
                if (model_eq(m, k, e, strlen(e))) model_remove(m, k), removed++;
        }
        HS_CHECK_INT(r, removed);
        break;
    }
    case 7: {
        /* trims rarely, so the list gets long */
        if (rand_r(seed) % 8) return;
        r = cmdf("LTRIM r %ld %ld", i1, i1 + labs(i2));
        long s = i1 < 0 ? n + i1 : i1, t = i1 + labs(i2);
        t = t < 0 ? n + t : t;
        if (s < 0) s = 0;
        if (t >= n) t = n - 1;
        HS_CHECK_STATUS(r, "OK");
        if (s > t || s >= n) {
            while (m->n) model_remove(m, m->n - 1);
        } else {
            while ((long)m->n > t + 1) model_remove(m, m->n - 1);
            for (long k = 0; k < s; k++) model_remove(m, 0);
        }
        break;
    }
    case 8: {
        r = cmdf("LMOVE r r RIGHT LEFT");
        if (m->n == 0) {
            HS_CHECK_NIL(r);
            break;
        }
        HS_CHECK_BULK(r, m->v[m->n - 1], m->len[m->n - 1]);
        char tmp[ELEM_MAX_BYTES * 2];
        size_t len = m->len[m->n - 1];
        memcpy(tmp, m->v[m->n - 1], len);
        model_remove(m, m->n - 1);
        model_insert(m, 0, tmp, len);
        break;
    }
    case 9: {
        r = cmdf("LINDEX r %ld", i1);
        long at = i1 < 0 ? n + i1 : i1;
        if (at < 0 || at >= n) HS_CHECK_NIL(r);
        else HS_CHECK_BULK(r, m->v[at], m->len[at]);
        break;
    }
    case 10: {
        r = cmdf("LPOS r %s RANK -1", e);
        long at = n - 1;
        while (at >= 0 && !model_eq(m, (size_t)at, e, strlen(e))) at--;
        if (at < 0) HS_CHECK_NIL(r);
        else HS_CHECK_INT(r, at);
        break;
    }
    default: {
        r = cmdf("LRANGE r %ld %ld", i1, i2);
        long s = i1 < 0 ? n + i1 : i1, t = i2 < 0 ? n + i2 : i2;
        if (s < 0) s = 0;
        if (t >= n) t = n - 1;
        if (s > t) check_elems(__FILE__, __LINE__, r, NULL, NULL, 0);
        else check_elems(__FILE__, __LINE__, r, (const char *const *)m->v + s, m->len + s, (size_t)(t - s + 1));
        break;
    }
    }
    freeReplyObject(r);
}

static void random_run(unsigned seed) {
    model m = {0};
    unsigned first_seed = seed;
    size_t longest = 0;
    for (int op = 1; op <= RANDOM_OPS; op++) {
        random_step(&m, &seed);
        if (m.n > longest) longest = m.n;
        if (op % RANDOM_CHECK_EVERY == 0) {
            model_check(&m, "r");
            HS_EXPECT_INT(ctx, m.n ? 1 : 0, "EXISTS", "r");
        }
    }
    model_check(&m, "r");
    fprintf(stderr, "random list run (seed %u): %d ops, longest list %zu\n", first_seed, RANDOM_OPS, longest);
    model_free(&m);
}

START_TEST(test_random_default_fill) {
    random_run(12345u + (unsigned)_i);
}
END_TEST

/* Tiny nodes (1, 2 or 4 entries), so inserts, removals and trims split
 * and merge nodes all the time. */
START_TEST(test_random_small_nodes) {
    static const char *const fills[] = {"4", "1", "2"};
    redisFree(ctx);
    hs_stop(srv);
    srv = hs_start(HS_ARGS("--list-max-listpack-size", fills[_i]));
    ctx = hs_connect(srv);
    random_run(777u + (unsigned)_i);
}
END_TEST

static Suite *list_suite(void) {
    Suite *s = suite_create("list");
    TCase *tc = hs_tcase(s, "commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_push_pop_basic);
    tcase_add_test(tc, test_push_pop_errors);
    tcase_add_test(tc, test_wrongtype);
    tcase_add_test(tc, test_null_shapes);
    tcase_add_test(tc, test_lrange_edges);
    tcase_add_test(tc, test_lpos);
    tcase_add_test(tc, test_lset_linsert);
    tcase_add_test(tc, test_lrem_ltrim);
    tcase_add_test(tc, test_lmove_rpoplpush);
    tcase_add_test(tc, test_lmpop);
    tcase_add_test(tc, test_binary_and_integer_elements);
    tcase_add_test(tc, test_encoding);
    tcase_add_test(tc, test_copy_rename);
    TCase *big = hs_tcase(s, "big-and-random");
    tcase_add_checked_fixture(big, setup, teardown);
    tcase_add_test(big, test_big_list);
    tcase_add_loop_test(big, test_random_default_fill, 0, 2);
    tcase_add_loop_test(big, test_random_small_nodes, 0, 3);
    return s;
}

int main(void) {
    return hs_run_suite(list_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
