/* test_zset.c -- integration tests for the sorted-set commands: each
 * command's success path, arity, bad arguments and edge values (inf
 * scores, exclusive and empty ranges, REV with LIMIT), WRONGTYPE both ways,
 * the listpack -> skiplist conversion at 128/129 entries and 64/65-byte
 * members, ZSCAN over a growing set, ZRANDMEMBER's properties, and a
 * randomized run checked against a model kept in the test.
 *
 * Expected replies are Redis 7.0's (RESP2 through hiredis; RESP3 shapes
 * through a raw socket). One server per test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SYNTAX "ERR syntax error"
#define NOT_INT "ERR value is not an integer or out of range"
#define NOT_FLOAT "ERR value is not a valid float"
#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define RANGE_NOT_FLOAT "ERR min or max is not a float"
#define RANGE_NOT_LEX "ERR min or max not valid string range item"
/* Redis 7.0's default conversion thresholds. */
#define LISTPACK_MAX_ENTRIES 128
#define LISTPACK_MAX_VALUE 64
/* Randomized run: operations, member pools (small stays a listpack,
 * large converts), full-range comparison period. */
#define MODEL_OPS 1500
#define MODEL_SMALL_POOL 40
#define MODEL_LARGE_POOL 400
#define MODEL_CHECK_EVERY 50
/* ZSCAN test sizes. */
#define SCAN_INITIAL 1000
#define SCAN_ADDED_PER_CALL 20

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

/* Fails unless OBJECT ENCODING key is enc. */
static void expect_encoding(const char *key, const char *enc) {
    HS_DO(ctx, hs_check_bulk(__FILE__, __LINE__, hs_r_, enc, strlen(enc)), "OBJECT", "ENCODING", key);
}

/* Adds n members m<i> scored i (i from first), one command per batch. */
static void add_members(const char *key, int first, int n) {
    for (int i = first; i < first + n; i++) {
        char score[32], member[32];
        snprintf(score, sizeof(score), "%d", i);
        snprintf(member, sizeof(member), "m%d", i);
        redisReply *r = hs_command(ctx, HS_ARGS("ZADD", key, score, member));
        ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
        freeReplyObject(r);
    }
}

/* Sends raw RESP3 commands (after HELLO 3) and checks the exact bytes. */
static int resp3_connect(void) {
    int fd = hs_raw_connect(srv);
    hs_raw_send(fd, "HELLO 3\r\n", 9);
    hs_buf hello = hs_raw_read_until(fd, "*0\r\n", HS_REPLY_TIMEOUT_MS);
    hs_buf_free(&hello);
    return fd;
}

/* ---------------------------------------------------------- ZADD */

START_TEST(test_zadd_basic) {
    HS_EXPECT_INT(ctx, 3, "ZADD", "z", "1", "a", "2", "b", "3", "c");
    HS_EXPECT_INT(ctx, 0, "ZADD", "z", "10", "a");
    HS_EXPECT_BULKS(ctx, HS_ARGS("b", "2", "c", "3", "a", "10"), "ZRANGE", "z", "0", "-1", "WITHSCORES");
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "1", "a", "5", "d");
    HS_EXPECT_INT(ctx, 2, "ZADD", "z", "CH", "2", "a", "5", "d", "6", "e");
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "NX", "100", "a", "7", "f");
    HS_EXPECT_BULK(ctx, "2", "ZSCORE", "z", "a");
    HS_EXPECT_INT(ctx, 0, "ZADD", "z", "XX", "3", "a", "8", "nosuch");
    HS_EXPECT_NIL(ctx, "ZSCORE", "z", "nosuch");
    HS_EXPECT_BULK(ctx, "3", "ZSCORE", "z", "a");
    HS_EXPECT_INT(ctx, 0, "ZADD", "z", "GT", "CH", "1", "a");
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "GT", "CH", "9", "a");
    HS_EXPECT_INT(ctx, 0, "ZADD", "z", "LT", "CH", "10", "a");
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "lt", "ch", "0", "a");
    /* GT/LT never stop a new member */
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "GT", "-5", "newm");
    HS_EXPECT_INT(ctx, 7, "ZCARD", "z");
    /* XX on a missing key creates nothing */
    HS_EXPECT_INT(ctx, 0, "ZADD", "nokey", "XX", "1", "a");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nokey");
    HS_EXPECT_ARITY(ctx, "zadd", "ZADD");
    HS_EXPECT_ARITY(ctx, "zadd", "ZADD", "z");
    HS_EXPECT_ARITY(ctx, "zadd", "ZADD", "z", "1");
}
END_TEST

START_TEST(test_zadd_option_errors) {
    HS_EXPECT_ERROR(ctx, "ERR XX and NX options at the same time are not compatible", "ZADD", "z", "XX", "NX", "1",
                    "a");
    HS_EXPECT_ERROR(ctx, "ERR GT, LT, and/or NX options at the same time are not compatible", "ZADD", "z", "GT",
                    "LT", "1", "a");
    HS_EXPECT_ERROR(ctx, "ERR GT, LT, and/or NX options at the same time are not compatible", "ZADD", "z", "NX",
                    "GT", "1", "a");
    HS_EXPECT_ERROR(ctx, "ERR INCR option supports a single increment-element pair", "ZADD", "z", "INCR", "1", "a",
                    "2", "b");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZADD", "z", "1", "a", "2");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZADD", "z", "NX", "1");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "ZADD", "z", "abc", "a");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "ZADD", "z", "nan", "a");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "ZADD", "z", "", "a");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "ZADD", "z", " 1", "a");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "ZADD", "z", "1e400", "a");
    /* a bad score anywhere means nothing is added */
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "ZADD", "z", "1", "a", "x", "b");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "z");
}
END_TEST

START_TEST(test_zadd_incr_and_scores) {
    HS_EXPECT_BULK(ctx, "1.5", "ZADD", "z", "INCR", "1.5", "a");
    HS_EXPECT_BULK(ctx, "3", "ZADD", "z", "INCR", "1.5", "a");
    HS_EXPECT_NIL(ctx, "ZADD", "z", "NX", "INCR", "1", "a");
    HS_EXPECT_NIL(ctx, "ZADD", "z", "XX", "INCR", "1", "nosuch");
    HS_EXPECT_NIL(ctx, "ZADD", "z", "GT", "INCR", "-1", "a");
    HS_EXPECT_BULK(ctx, "2", "ZADD", "z", "LT", "INCR", "-1", "a");
    HS_EXPECT_NIL(ctx, "ZADD", "nokey", "XX", "INCR", "1", "a");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nokey");
    /* infinities, and NaN refused */
    HS_EXPECT_INT(ctx, 2, "ZADD", "z", "inf", "p", "-inf", "n");
    HS_EXPECT_BULK(ctx, "inf", "ZSCORE", "z", "p");
    HS_EXPECT_BULK(ctx, "-inf", "ZSCORE", "z", "n");
    HS_EXPECT_ERROR(ctx, "ERR resulting score is not a number (NaN)", "ZADD", "z", "INCR", "-inf", "p");
    HS_EXPECT_ERROR(ctx, "ERR resulting score is not a number (NaN)", "ZINCRBY", "z", "inf", "n");
    HS_EXPECT_BULK(ctx, "inf", "ZSCORE", "z", "p");
    /* Redis's %.17g formatting */
    HS_EXPECT_INT(ctx, 3, "ZADD", "z", "0.1", "f", "1e17", "g", "123.25", "h");
    HS_EXPECT_BULK(ctx, "0.10000000000000001", "ZSCORE", "z", "f");
    HS_EXPECT_BULK(ctx, "1e+17", "ZSCORE", "z", "g");
    HS_EXPECT_BULK(ctx, "123.25", "ZSCORE", "z", "h");
    HS_EXPECT_BULKS(ctx, HS_ARGS("n", "-inf", "f", "0.10000000000000001", "a", "2"), "ZRANGE", "z", "0", "2",
                    "WITHSCORES");
}
END_TEST

START_TEST(test_zincrby) {
    HS_EXPECT_BULK(ctx, "1", "ZINCRBY", "z", "1", "a");
    HS_EXPECT_BULK(ctx, "3.5", "ZINCRBY", "z", "2.5", "a");
    HS_EXPECT_BULK(ctx, "-6.5", "ZINCRBY", "z", "-10", "a");
    HS_EXPECT_BULK(ctx, "0.10000000000000001", "ZINCRBY", "z2", "0.1", "b");
    HS_EXPECT_BULK(ctx, "0.30000000000000004", "ZINCRBY", "z2", "0.2", "b");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "ZINCRBY", "z", "abc", "a");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "ZINCRBY", "z", "nan", "a");
    HS_EXPECT_ARITY(ctx, "zincrby", "ZINCRBY", "z", "1");
    HS_EXPECT_ARITY(ctx, "zincrby", "ZINCRBY", "z", "1", "a", "b");
}
END_TEST

/* ---------------------------------------------------------- single key */

START_TEST(test_zrem_zcard_zscore) {
    HS_EXPECT_INT(ctx, 4, "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");
    HS_EXPECT_INT(ctx, 4, "ZCARD", "z");
    HS_EXPECT_INT(ctx, 0, "ZCARD", "nokey");
    HS_EXPECT_INT(ctx, 1, "ZREM", "z", "a", "nosuch", "a");
    HS_EXPECT_INT(ctx, 0, "ZREM", "nokey", "a");
    HS_EXPECT_NIL(ctx, "ZSCORE", "z", "a");
    HS_EXPECT_NIL(ctx, "ZSCORE", "nokey", "a");
    redisReply *r = hs_command(ctx, HS_ARGS("ZMSCORE", "z", "b", "nosuch", "d"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 3);
    ck_assert_str_eq(r->element[0]->str, "2");
    ck_assert_int_eq(r->element[1]->type, REDIS_REPLY_NIL);
    ck_assert_str_eq(r->element[2]->str, "4");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("ZMSCORE", "nokey", "a", "b"));
    ck_assert_int_eq(r->elements, 2);
    ck_assert_int_eq(r->element[0]->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    /* the key goes with its last member */
    HS_EXPECT_INT(ctx, 3, "ZREM", "z", "b", "c", "d");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "z");
    HS_EXPECT_ARITY(ctx, "zrem", "ZREM", "z");
    HS_EXPECT_ARITY(ctx, "zcard", "ZCARD");
    HS_EXPECT_ARITY(ctx, "zscore", "ZSCORE", "z");
    HS_EXPECT_ARITY(ctx, "zmscore", "ZMSCORE", "z");
    /* binary members */
    const char *argv[] = {"ZADD", "bin", "1", "a\0b", "2", "\r\n"};
    size_t lens[] = {4, 3, 1, 3, 1, 2};
    r = hs_command_argv(ctx, 6, argv, lens);
    HS_CHECK_INT(r, 2);
    freeReplyObject(r);
    const char *sargv[] = {"ZSCORE", "bin", "a\0b"};
    size_t slens[] = {6, 3, 3};
    r = hs_command_argv(ctx, 3, sargv, slens);
    HS_CHECK_BULK(r, "1", 1);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_zrank) {
    HS_EXPECT_INT(ctx, 3, "ZADD", "z", "1", "a", "2", "b", "3", "c");
    HS_EXPECT_INT(ctx, 0, "ZRANK", "z", "a");
    HS_EXPECT_INT(ctx, 2, "ZRANK", "z", "c");
    HS_EXPECT_INT(ctx, 2, "ZREVRANK", "z", "a");
    HS_EXPECT_INT(ctx, 0, "ZREVRANK", "z", "c");
    HS_EXPECT_NIL(ctx, "ZRANK", "z", "nosuch");
    HS_EXPECT_NIL(ctx, "ZREVRANK", "nokey", "a");
    /* 7.0 has no WITHSCORE option */
    HS_EXPECT_ARITY(ctx, "zrank", "ZRANK", "z", "a", "WITHSCORE");
    HS_EXPECT_ARITY(ctx, "zrevrank", "ZREVRANK", "z");
    /* same on a skiplist */
    add_members("big", 0, LISTPACK_MAX_ENTRIES + 10);
    expect_encoding("big", "skiplist");
    HS_EXPECT_INT(ctx, 0, "ZRANK", "big", "m0");
    HS_EXPECT_INT(ctx, 100, "ZRANK", "big", "m100");
    HS_EXPECT_INT(ctx, 0, "ZREVRANK", "big", "m137");
    HS_EXPECT_NIL(ctx, "ZRANK", "big", "nosuch");
}
END_TEST

/* ---------------------------------------------------------- counts */

START_TEST(test_zcount_zlexcount) {
    HS_EXPECT_INT(ctx, 7, "ZADD", "z", "-inf", "n", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "inf", "p");
    HS_EXPECT_INT(ctx, 7, "ZCOUNT", "z", "-inf", "+inf");
    HS_EXPECT_INT(ctx, 3, "ZCOUNT", "z", "2", "4");
    HS_EXPECT_INT(ctx, 1, "ZCOUNT", "z", "(2", "(4");
    HS_EXPECT_INT(ctx, 0, "ZCOUNT", "z", "4", "2");
    HS_EXPECT_INT(ctx, 0, "ZCOUNT", "z", "(3", "3");
    HS_EXPECT_INT(ctx, 1, "ZCOUNT", "z", "inf", "inf");
    HS_EXPECT_INT(ctx, 0, "ZCOUNT", "z", "(inf", "inf");
    HS_EXPECT_INT(ctx, 0, "ZCOUNT", "nokey", "0", "1");
    HS_EXPECT_ERROR(ctx, RANGE_NOT_FLOAT, "ZCOUNT", "z", "a", "1");
    HS_EXPECT_ERROR(ctx, RANGE_NOT_FLOAT, "ZCOUNT", "z", "1", "nan");
    HS_EXPECT_INT(ctx, 5, "ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e");
    HS_EXPECT_INT(ctx, 5, "ZLEXCOUNT", "l", "-", "+");
    HS_EXPECT_INT(ctx, 3, "ZLEXCOUNT", "l", "[b", "[d");
    HS_EXPECT_INT(ctx, 1, "ZLEXCOUNT", "l", "(b", "(d");
    HS_EXPECT_INT(ctx, 0, "ZLEXCOUNT", "l", "[d", "[b");
    HS_EXPECT_INT(ctx, 0, "ZLEXCOUNT", "l", "+", "-");
    HS_EXPECT_ERROR(ctx, RANGE_NOT_LEX, "ZLEXCOUNT", "l", "a", "[b");
    HS_EXPECT_ARITY(ctx, "zcount", "ZCOUNT", "z", "1");
    HS_EXPECT_ARITY(ctx, "zlexcount", "ZLEXCOUNT", "z", "-");
}
END_TEST

/* ---------------------------------------------------------- ranges */

static void range_checks(const char *key) {
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b", "c", "d", "e", "f"), "ZRANGE", key, "0", "-1");
    HS_EXPECT_BULKS(ctx, HS_ARGS("e", "f"), "ZRANGE", key, "-2", "-1");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b", "c", "d", "e", "f"), "ZRANGE", key, "-100", "100");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZRANGE", key, "4", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZRANGE", key, "6", "10");
    HS_EXPECT_BULKS(ctx, HS_ARGS("f", "6", "e", "5"), "ZRANGE", key, "0", "1", "REV", "WITHSCORES");
    HS_EXPECT_BULKS(ctx, HS_ARGS("f", "e"), "ZREVRANGE", key, "0", "1");
    HS_EXPECT_BULKS(ctx, HS_ARGS("b", "c", "d"), "ZRANGE", key, "2", "4", "BYSCORE");
    HS_EXPECT_BULKS(ctx, HS_ARGS("c", "3"), "ZRANGE", key, "(2", "(4", "BYSCORE", "WITHSCORES");
    HS_EXPECT_BULKS(ctx, HS_ARGS("c", "d"), "ZRANGE", key, "-inf", "+inf", "BYSCORE", "LIMIT", "2", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("c", "d", "e", "f"), "ZRANGE", key, "-inf", "+inf", "BYSCORE", "LIMIT", "2",
                    "-1");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZRANGE", key, "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZRANGE", key, "-inf", "+inf", "BYSCORE", "LIMIT", "6", "2");
    /* REV with LIMIT: max first, offset counted from the top */
    HS_EXPECT_BULKS(ctx, HS_ARGS("e", "d"), "ZRANGE", key, "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("d", "c"), "ZREVRANGEBYSCORE", key, "(5", "(2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("e", "5", "d", "4"), "ZREVRANGEBYSCORE", key, "+inf", "-inf", "WITHSCORES",
                    "LIMIT", "1", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZRANGEBYSCORE", key, "(3", "3");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZRANGEBYSCORE", key, "4", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("b", "c"), "ZRANGEBYSCORE", key, "-inf", "+inf", "LIMIT", "1", "2");
}

START_TEST(test_zrange_both_encodings) {
    HS_EXPECT_INT(ctx, 6, "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f");
    expect_encoding("z", "listpack");
    range_checks("z");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "zset-max-listpack-entries", "0");
    HS_EXPECT_INT(ctx, 6, "ZADD", "s", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f");
    expect_encoding("s", "skiplist");
    range_checks("s");
}
END_TEST

START_TEST(test_zrange_errors) {
    HS_EXPECT_INT(ctx, 2, "ZADD", "z", "1", "a", "2", "b");
    HS_EXPECT_ERROR(ctx, "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
                    "ZRANGE", "z", "0", "-1", "LIMIT", "0", "1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error, WITHSCORES not supported in combination with BYLEX", "ZRANGE", "z", "-",
                    "+", "BYLEX", "WITHSCORES");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZRANGE", "z", "0", "1", "REV", "REV");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZRANGE", "z", "0", "1", "LIMIT", "0");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZRANGEBYSCORE", "z", "0", "1", "REV");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZREVRANGE", "z", "0", "1", "BYSCORE");
    HS_EXPECT_ERROR(ctx, NOT_INT, "ZRANGE", "z", "a", "1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "x", "1");
    HS_EXPECT_ERROR(ctx, RANGE_NOT_FLOAT, "ZRANGE", "z", "x", "1", "BYSCORE");
    HS_EXPECT_ERROR(ctx, RANGE_NOT_LEX, "ZRANGE", "z", "a", "b", "BYLEX");
    HS_EXPECT_ERROR(ctx, RANGE_NOT_LEX, "ZRANGEBYLEX", "z", "[a", "b");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZRANGE", "nokey", "0", "-1");
    HS_EXPECT_ARITY(ctx, "zrange", "ZRANGE", "z", "0");
    HS_EXPECT_ARITY(ctx, "zrangebyscore", "ZRANGEBYSCORE", "z", "0");
}
END_TEST

START_TEST(test_zrangebylex) {
    HS_EXPECT_INT(ctx, 7, "ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "", "0", "aa");
    HS_EXPECT_BULKS(ctx, HS_ARGS("", "a", "aa", "b", "c", "d", "e"), "ZRANGEBYLEX", "z", "-", "+");
    HS_EXPECT_BULKS(ctx, HS_ARGS("b", "c", "d"), "ZRANGEBYLEX", "z", "[b", "[d");
    HS_EXPECT_BULKS(ctx, HS_ARGS("c"), "ZRANGEBYLEX", "z", "(b", "(d");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "aa"), "ZRANGEBYLEX", "z", "[a", "(b");
    HS_EXPECT_BULKS(ctx, HS_ARGS("aa", "b"), "ZRANGEBYLEX", "z", "-", "+", "LIMIT", "2", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("d", "c", "b"), "ZREVRANGEBYLEX", "z", "[d", "[b");
    HS_EXPECT_BULKS(ctx, HS_ARGS("d", "c"), "ZRANGE", "z", "+", "-", "BYLEX", "REV", "LIMIT", "1", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZRANGEBYLEX", "z", "+", "-");
    HS_EXPECT_INT(ctx, 2, "ZREMRANGEBYLEX", "z", "[b", "(d");
    HS_EXPECT_BULKS(ctx, HS_ARGS("", "a", "aa", "d", "e"), "ZRANGEBYLEX", "z", "-", "+");
    HS_EXPECT_INT(ctx, 5, "ZREMRANGEBYLEX", "z", "-", "+");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "z");
}
END_TEST

START_TEST(test_zrangestore) {
    HS_EXPECT_INT(ctx, 5, "ZADD", "src", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
    HS_EXPECT_INT(ctx, 2, "ZRANGESTORE", "dst", "src", "1", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("b", "2", "c", "3"), "ZRANGE", "dst", "0", "-1", "WITHSCORES");
    HS_EXPECT_INT(ctx, 2, "ZRANGESTORE", "dst", "src", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("c", "d"), "ZRANGE", "dst", "0", "-1");
    HS_EXPECT_INT(ctx, 3, "ZRANGESTORE", "dst", "src", "[b", "[d", "BYLEX");
    /* an empty result deletes the destination */
    HS_EXPECT_INT(ctx, 0, "ZRANGESTORE", "dst", "src", "10", "20");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "dst");
    HS_EXPECT_OK(ctx, "SET", "dst", "x");
    HS_EXPECT_INT(ctx, 0, "ZRANGESTORE", "dst", "nokey", "0", "-1");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "dst");
    /* overwrites another type, drops its TTL */
    HS_EXPECT_OK(ctx, "SET", "dst", "x", "EX", "100");
    HS_EXPECT_INT(ctx, 1, "ZRANGESTORE", "dst", "src", "0", "0");
    HS_EXPECT_INT(ctx, -1, "TTL", "dst");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZRANGESTORE", "dst", "src", "0", "-1", "WITHSCORES");
    HS_EXPECT_ARITY(ctx, "zrangestore", "ZRANGESTORE", "dst", "src", "0");
}
END_TEST

START_TEST(test_zremrange) {
    HS_EXPECT_INT(ctx, 6, "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f");
    HS_EXPECT_INT(ctx, 2, "ZREMRANGEBYSCORE", "z", "(1", "3");
    HS_EXPECT_INT(ctx, 0, "ZREMRANGEBYSCORE", "z", "10", "0");
    HS_EXPECT_INT(ctx, 1, "ZREMRANGEBYRANK", "z", "0", "0");
    HS_EXPECT_INT(ctx, 1, "ZREMRANGEBYRANK", "z", "-1", "-1");
    HS_EXPECT_BULKS(ctx, HS_ARGS("d", "e"), "ZRANGE", "z", "0", "-1");
    HS_EXPECT_INT(ctx, 0, "ZREMRANGEBYRANK", "z", "5", "10");
    HS_EXPECT_INT(ctx, 0, "ZREMRANGEBYRANK", "nokey", "0", "-1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "ZREMRANGEBYRANK", "z", "a", "1");
    HS_EXPECT_ERROR(ctx, RANGE_NOT_FLOAT, "ZREMRANGEBYSCORE", "z", "a", "1");
    HS_EXPECT_ERROR(ctx, RANGE_NOT_LEX, "ZREMRANGEBYLEX", "z", "a", "b");
    HS_EXPECT_INT(ctx, 2, "ZREMRANGEBYRANK", "z", "-100", "100");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "z");
    /* skiplist: rank and score removal keep the dict in step */
    add_members("big", 0, 300);
    HS_EXPECT_INT(ctx, 100, "ZREMRANGEBYRANK", "big", "0", "99");
    HS_EXPECT_INT(ctx, 50, "ZREMRANGEBYSCORE", "big", "100", "(150");
    HS_EXPECT_NIL(ctx, "ZSCORE", "big", "m120");
    HS_EXPECT_BULK(ctx, "150", "ZSCORE", "big", "m150");
    HS_EXPECT_INT(ctx, 150, "ZCARD", "big");
    HS_EXPECT_ARITY(ctx, "zremrangebyrank", "ZREMRANGEBYRANK", "z", "0");
}
END_TEST

/* ---------------------------------------------------------- pops */

START_TEST(test_zpop) {
    HS_EXPECT_INT(ctx, 5, "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "1"), "ZPOPMIN", "z");
    HS_EXPECT_BULKS(ctx, HS_ARGS("e", "5"), "ZPOPMAX", "z");
    HS_EXPECT_BULKS(ctx, HS_ARGS("b", "2", "c", "3"), "ZPOPMIN", "z", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZPOPMIN", "z", "0");
    HS_EXPECT_BULKS(ctx, HS_ARGS("d", "4"), "ZPOPMAX", "z", "10");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "z");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZPOPMIN", "z");
    HS_EXPECT_ERROR(ctx, "ERR value is out of range, must be positive", "ZPOPMIN", "z", "-1");
    HS_EXPECT_ERROR(ctx, "ERR value is out of range, must be positive", "ZPOPMIN", "z", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZPOPMIN", "z", "1", "2");
    HS_EXPECT_ARITY(ctx, "zpopmax", "ZPOPMAX");
}
END_TEST

START_TEST(test_zmpop) {
    HS_EXPECT_INT(ctx, 3, "ZADD", "z", "1", "a", "2", "b", "3", "c");
    redisReply *r = hs_command(ctx, HS_ARGS("ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "2"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 2);
    ck_assert_str_eq(r->element[0]->str, "z");
    ck_assert_int_eq(r->element[1]->elements, 2);
    hs_check_bulks(__FILE__, __LINE__, r->element[1]->element[0], HS_ARGS("c", "3"));
    hs_check_bulks(__FILE__, __LINE__, r->element[1]->element[1], HS_ARGS("b", "2"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("ZMPOP", "1", "z", "MIN", "COUNT", "10"));
    ck_assert_int_eq(r->element[1]->elements, 1);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "z");
    HS_DO(ctx, ck_assert_int_eq(hs_r_->type, REDIS_REPLY_NIL), "ZMPOP", "1", "z", "MIN");
    HS_EXPECT_ERROR(ctx, "ERR numkeys should be greater than 0", "ZMPOP", "0", "z", "MIN");
    HS_EXPECT_ERROR(ctx, "ERR count should be greater than 0", "ZMPOP", "1", "z", "MIN", "COUNT", "0");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZMPOP", "2", "z", "MIN");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZMPOP", "1", "z", "MIDDLE");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1");
}
END_TEST

START_TEST(test_pop_resp3_shapes) {
    HS_EXPECT_INT(ctx, 4, "ZADD", "z", "1", "a", "2.5", "b", "3", "c", "4", "d");
    int fd = resp3_connect();
    HS_RAW_EXPECT(fd, "ZPOPMIN z\r\n", "*2\r\n$1\r\na\r\n,1\r\n");
    HS_RAW_EXPECT(fd, "ZPOPMIN z 1\r\n", "*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");
    HS_RAW_EXPECT(fd, "ZSCORE z c\r\n", ",3\r\n");
    HS_RAW_EXPECT(fd, "ZSCORE z nosuch\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "ZRANGE z 0 -1 WITHSCORES\r\n", "*2\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nd\r\n,4\r\n");
    HS_RAW_EXPECT(fd, "ZMPOP 1 z MAX\r\n", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nd\r\n,4\r\n");
    HS_RAW_EXPECT(fd, "BZPOPMIN z 0\r\n", "*3\r\n$1\r\nz\r\n$1\r\nc\r\n,3\r\n");
    HS_RAW_EXPECT(fd, "ZMPOP 1 z MAX\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "ZADD z INCR -0 m\r\n", ",-0\r\n");
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- random */

/* 1 if s is one of the n members m0..m<n-1>. */
static int is_member_name(const char *s, int n) {
    if (s[0] != 'm') return 0;
    int v = atoi(s + 1);
    return v >= 0 && v < n;
}

static void check_zrandmember(const char *key, int size) {
    /* positive count: distinct members, at most the size */
    for (int count = 1; count <= size + 2; count += (size / 3) + 1) {
        char cnt[16];
        snprintf(cnt, sizeof(cnt), "%d", count);
        redisReply *r = hs_command(ctx, HS_ARGS("ZRANDMEMBER", key, cnt));
        ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
        ck_assert_int_eq((int)r->elements, count < size ? count : size);
        for (size_t i = 0; i < r->elements; i++) {
            ck_assert(is_member_name(r->element[i]->str, size));
            for (size_t j = 0; j < i; j++) ck_assert_str_ne(r->element[i]->str, r->element[j]->str);
        }
        freeReplyObject(r);
    }
    /* negative count: exactly that many, repeats allowed */
    redisReply *r = hs_command(ctx, HS_ARGS("ZRANDMEMBER", key, "-50", "WITHSCORES"));
    ck_assert_int_eq(r->elements, 100);
    for (size_t i = 0; i < r->elements; i += 2) {
        ck_assert(is_member_name(r->element[i]->str, size));
        ck_assert_int_eq(atoi(r->element[i]->str + 1), atoi(r->element[i + 1]->str));
    }
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("ZRANDMEMBER", key));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert(is_member_name(r->str, size));
    freeReplyObject(r);
}

START_TEST(test_zrandmember) {
    add_members("small", 0, 10);
    check_zrandmember("small", 10);
    add_members("big", 0, 300);
    expect_encoding("big", "skiplist");
    check_zrandmember("big", 300);
    HS_EXPECT_NIL(ctx, "ZRANDMEMBER", "nokey");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZRANDMEMBER", "nokey", "5");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ZRANDMEMBER", "small", "0");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZRANDMEMBER", "small", "1", "foo");
    HS_EXPECT_ERROR(ctx, NOT_INT, "ZRANDMEMBER", "small", "x");
    HS_EXPECT_ERROR(ctx, "ERR value is out of range", "ZRANDMEMBER", "small", "9223372036854775807", "WITHSCORES");
}
END_TEST

/* ---------------------------------------------------------- set algebra */

START_TEST(test_set_algebra) {
    HS_EXPECT_INT(ctx, 3, "ZADD", "a", "1", "x", "2", "y", "3", "z");
    HS_EXPECT_INT(ctx, 3, "ZADD", "b", "10", "y", "20", "z", "30", "w");
    HS_EXPECT_INT(ctx, 2, "SADD", "s", "y", "v");
    HS_EXPECT_BULKS(ctx, HS_ARGS("x", "1", "y", "12", "z", "23", "w", "30"), "ZUNION", "2", "a", "b", "WITHSCORES");
    HS_EXPECT_BULKS(ctx, HS_ARGS("x", "2", "y", "34", "z", "66", "w", "90"), "ZUNION", "2", "a", "b", "WEIGHTS",
                    "2", "3", "WITHSCORES");
    HS_EXPECT_BULKS(ctx, HS_ARGS("y", "2", "z", "3"), "ZINTER", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES");
    HS_EXPECT_BULKS(ctx, HS_ARGS("y", "11"), "ZINTER", "2", "b", "s", "AGGREGATE", "SUM", "WITHSCORES");
    HS_EXPECT_BULKS(ctx, HS_ARGS("x"), "ZDIFF", "2", "a", "b");
    HS_EXPECT_BULKS(ctx, HS_ARGS("z", "20", "w", "30"), "ZDIFF", "2", "b", "s", "WITHSCORES");
    HS_EXPECT_INT(ctx, 2, "ZINTERCARD", "2", "a", "b");
    HS_EXPECT_INT(ctx, 1, "ZINTERCARD", "2", "a", "b", "LIMIT", "1");
    HS_EXPECT_INT(ctx, 4, "ZUNIONSTORE", "d", "2", "a", "b");
    expect_encoding("d", "listpack");
    HS_EXPECT_INT(ctx, 0, "ZINTERSTORE", "d", "2", "a", "nokey");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d");
    HS_EXPECT_INT(ctx, 1, "ZDIFFSTORE", "d", "2", "a", "b");
    HS_EXPECT_BULKS(ctx, HS_ARGS("x", "1"), "ZRANGE", "d", "0", "-1", "WITHSCORES");
    HS_EXPECT_ERROR(ctx, "ERR at least 1 input key is needed for 'zunionstore' command", "ZUNIONSTORE", "d", "0",
                    "a");
    HS_EXPECT_ERROR(ctx, "ERR at least 1 input key is needed for 'zintercard' command", "ZINTERCARD", "0", "a");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZUNION", "3", "a", "b");
    HS_EXPECT_ERROR(ctx, NOT_INT, "ZUNION", "x", "a");
    HS_EXPECT_ERROR(ctx, "ERR weight value is not a float", "ZUNION", "2", "a", "b", "WEIGHTS", "1", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZUNION", "2", "a", "b", "AGGREGATE", "avg");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZDIFF", "2", "a", "b", "WEIGHTS", "1", "2");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES");
    HS_EXPECT_ERROR(ctx, "ERR LIMIT can't be negative", "ZINTERCARD", "2", "a", "b", "LIMIT", "-1");
    /* inf * 0 is taken as 0; inf + -inf sums to 0 */
    HS_EXPECT_INT(ctx, 1, "ZADD", "pinf", "inf", "m");
    HS_EXPECT_INT(ctx, 1, "ZADD", "ninf", "-inf", "m");
    HS_EXPECT_BULKS(ctx, HS_ARGS("m", "0"), "ZUNION", "2", "pinf", "ninf", "WITHSCORES");
    HS_EXPECT_BULKS(ctx, HS_ARGS("m", "0"), "ZUNION", "1", "pinf", "WEIGHTS", "0", "WITHSCORES");
    HS_EXPECT_ARITY(ctx, "zunion", "ZUNION", "1");
    HS_EXPECT_ARITY(ctx, "zunionstore", "ZUNIONSTORE", "d", "1");
}
END_TEST

/* ---------------------------------------------------------- encodings */

START_TEST(test_encoding_conversion) {
    add_members("z", 0, LISTPACK_MAX_ENTRIES);
    expect_encoding("z", "listpack");
    HS_EXPECT_INT(ctx, 0, "ZADD", "z", "0", "m0");
    expect_encoding("z", "listpack");
    add_members("z", LISTPACK_MAX_ENTRIES, 1);
    expect_encoding("z", "skiplist");
    HS_EXPECT_INT(ctx, LISTPACK_MAX_ENTRIES + 1, "ZCARD", "z");
    HS_EXPECT_BULK(ctx, "128", "ZSCORE", "z", "m128");
    /* never back, even when small again */
    HS_EXPECT_INT(ctx, LISTPACK_MAX_ENTRIES, "ZREMRANGEBYRANK", "z", "0", "127");
    expect_encoding("z", "skiplist");
    /* but a new destination is sized by its content */
    HS_EXPECT_INT(ctx, 1, "ZUNIONSTORE", "d", "1", "z");
    expect_encoding("d", "listpack");
    add_members("big", 0, LISTPACK_MAX_ENTRIES + 1);
    HS_EXPECT_INT(ctx, LISTPACK_MAX_ENTRIES, "ZRANGESTORE", "d", "big", "0", "127");
    expect_encoding("d", "listpack");
    HS_EXPECT_INT(ctx, LISTPACK_MAX_ENTRIES + 1, "ZRANGESTORE", "d", "big", "0", "-1");
    expect_encoding("d", "skiplist");
    HS_EXPECT_INT(ctx, LISTPACK_MAX_ENTRIES + 1, "ZINTERSTORE", "d2", "1", "big");
    expect_encoding("d2", "skiplist");
    /* member length: 64 bytes fit, 65 do not */
    char m64[LISTPACK_MAX_VALUE + 1], m65[LISTPACK_MAX_VALUE + 2];
    memset(m64, 'x', LISTPACK_MAX_VALUE);
    m64[LISTPACK_MAX_VALUE] = '\0';
    memset(m65, 'y', LISTPACK_MAX_VALUE + 1);
    m65[LISTPACK_MAX_VALUE + 1] = '\0';
    HS_EXPECT_INT(ctx, 1, "ZADD", "v", "1", m64);
    expect_encoding("v", "listpack");
    HS_EXPECT_INT(ctx, 1, "ZADD", "v", "2", m65);
    expect_encoding("v", "skiplist");
    HS_EXPECT_BULK(ctx, "1", "ZSCORE", "v", m64);
    HS_EXPECT_INT(ctx, 1, "ZADD", "v2", "1", m65);
    expect_encoding("v2", "skiplist");
    HS_EXPECT_BULK(ctx, "1", "ZINCRBY", "v3", "1", m65);
    expect_encoding("v3", "skiplist");
    /* -0 survives in a skiplist only (as in Redis 7.0) */
    HS_EXPECT_INT(ctx, 1, "ZADD", "neg", "-0", "a");
    HS_EXPECT_BULK(ctx, "0", "ZSCORE", "neg", "a");
    HS_EXPECT_INT(ctx, 1, "ZADD", "neg2", "-0", m65);
    HS_EXPECT_BULK(ctx, "-0", "ZSCORE", "neg2", m65);
}
END_TEST

START_TEST(test_wrongtype) {
    HS_EXPECT_OK(ctx, "SET", "s", "v");
    static const char *const cmds[][8] = {
        {"ZADD", "s", "1", "a"},        {"ZINCRBY", "s", "1", "a"},      {"ZREM", "s", "a"},
        {"ZCARD", "s"},                 {"ZSCORE", "s", "a"},            {"ZMSCORE", "s", "a"},
        {"ZRANK", "s", "a"},            {"ZCOUNT", "s", "0", "1"},       {"ZLEXCOUNT", "s", "-", "+"},
        {"ZRANGE", "s", "0", "1"},      {"ZRANGESTORE", "d", "s", "0", "1"}, {"ZREMRANGEBYRANK", "s", "0", "1"},
        {"ZPOPMIN", "s"},               {"ZMPOP", "1", "s", "MIN"},      {"BZPOPMIN", "s", "0"},
        {"BZMPOP", "0", "1", "s", "MIN"}, {"ZRANDMEMBER", "s"},          {"ZUNION", "1", "s"},
        {"ZINTERSTORE", "d", "1", "s"}, {"ZDIFF", "1", "s"},             {"ZINTERCARD", "1", "s"},
        {"ZSCAN", "s", "0"},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        int argc = 0;
        while (argc < 8 && cmds[i][argc]) argc++;
        redisReply *r = hs_command_argv(ctx, argc, (const char **)cmds[i], NULL);
        hs_check_error(__FILE__, __LINE__, r, WRONGTYPE);
        freeReplyObject(r);
    }
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "1", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GET", "z");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "LPUSH", "z", "x");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SADD", "z", "x");
    HS_EXPECT_STATUS(ctx, "zset", "TYPE", "z");
}
END_TEST

/* ---------------------------------------------------------- ZSCAN */

START_TEST(test_zscan_full_iteration_while_adding) {
    add_members("z", 0, SCAN_INITIAL);
    char *seen = calloc(SCAN_INITIAL, 1);
    unsigned long long cursor = 0;
    int next_new = SCAN_INITIAL, calls = 0;
    do {
        char cur[32];
        snprintf(cur, sizeof(cur), "%llu", cursor);
        redisReply *r = hs_command(ctx, HS_ARGS("ZSCAN", "z", cur, "COUNT", "50"));
        ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
        cursor = strtoull(r->element[0]->str, NULL, 10);
        redisReply *items = r->element[1];
        ck_assert_int_eq(items->elements % 2, 0);
        for (size_t i = 0; i < items->elements; i += 2) {
            int v = atoi(items->element[i]->str + 1);
            ck_assert_int_eq(v, atoi(items->element[i + 1]->str)); /* score matches member */
            if (v < SCAN_INITIAL) seen[v] = 1;
        }
        freeReplyObject(r);
        add_members("z", next_new, SCAN_ADDED_PER_CALL);
        next_new += SCAN_ADDED_PER_CALL;
        calls++;
    } while (cursor != 0);
    for (int i = 0; i < SCAN_INITIAL; i++) ck_assert_msg(seen[i], "m%d never returned by ZSCAN", i);
    ck_assert_int_gt(calls, 1);
    free(seen);
    /* MATCH, and a listpack set in one call */
    HS_EXPECT_INT(ctx, 3, "ZADD", "small", "1", "ab", "2", "ac", "3", "b");
    redisReply *r = hs_command(ctx, HS_ARGS("ZSCAN", "small", "0", "MATCH", "a*"));
    ck_assert_str_eq(r->element[0]->str, "0");
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("ab", "1", "ac", "2"));
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR invalid cursor", "ZSCAN", "small", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "ZSCAN", "small", "0", "COUNT", "0");
    HS_EXPECT_ARITY(ctx, "zscan", "ZSCAN", "small");
}
END_TEST

/* ---------------------------------------------------------- model */

/* The sorted set as the test expects it: members m<i> of a fixed pool,
 * present[i] with score[i]; order is (score, member bytes). */
struct model {
    int pool;
    char present[MODEL_LARGE_POOL];
    double score[MODEL_LARGE_POOL];
};

static void member_name(char *buf, size_t len, int i) {
    snprintf(buf, len, "m%d", i);
}

/* qsort order of pool indexes by (score, member bytes). */
static const struct model *sort_model;
static int model_cmp(const void *a, const void *b) {
    int i = *(const int *)a, j = *(const int *)b;
    double si = sort_model->score[i], sj = sort_model->score[j];
    if (si != sj) return si < sj ? -1 : 1;
    char ni[16], nj[16];
    member_name(ni, sizeof(ni), i);
    member_name(nj, sizeof(nj), j);
    return strcmp(ni, nj);
}

/* Fills order with the present members sorted; returns how many. */
static int model_sorted(const struct model *m, int *order) {
    int n = 0;
    for (int i = 0; i < m->pool; i++)
        if (m->present[i]) order[n++] = i;
    sort_model = m;
    qsort(order, (size_t)n, sizeof(int), model_cmp);
    return n;
}

static double reply_score(const redisReply *r) {
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    return strtod(r->str, NULL);
}

/* Compares ZRANGE key 0 -1 WITHSCORES with the model. */
static void model_check_all(const struct model *m, const char *key) {
    int order[MODEL_LARGE_POOL];
    int n = model_sorted(m, order);
    redisReply *r = hs_command(ctx, HS_ARGS("ZRANGE", key, "0", "-1", "WITHSCORES"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq((int)r->elements, 2 * n);
    for (int k = 0; k < n; k++) {
        char name[16];
        member_name(name, sizeof(name), order[k]);
        ck_assert_str_eq(r->element[2 * k]->str, name);
        ck_assert(reply_score(r->element[2 * k + 1]) == m->score[order[k]]);
    }
    freeReplyObject(r);
}

/* ZRANGEBYSCORE lo hi LIMIT off cnt against the model. */
static void model_check_score_range(const struct model *m, const char *key, int lo, int hi, int off, int cnt) {
    int order[MODEL_LARGE_POOL];
    int n = model_sorted(m, order);
    char los[16], his[16], offs[16], cnts[16];
    snprintf(los, sizeof(los), "(%d", lo);
    snprintf(his, sizeof(his), "%d", hi);
    snprintf(offs, sizeof(offs), "%d", off);
    snprintf(cnts, sizeof(cnts), "%d", cnt);
    redisReply *r = hs_command(ctx, HS_ARGS("ZRANGEBYSCORE", key, los, his, "LIMIT", offs, cnts));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    int got = 0, skipped = 0;
    for (int k = 0; k < n; k++) {
        double s = m->score[order[k]];
        if (!(s > lo && s <= hi)) continue;
        if (skipped++ < off) continue;
        if (got == cnt) break;
        char name[16];
        member_name(name, sizeof(name), order[k]);
        ck_assert_int_lt(got, (int)r->elements);
        ck_assert_str_eq(r->element[got]->str, name);
        got++;
    }
    ck_assert_int_eq(got, (int)r->elements);
    freeReplyObject(r);
}

/* One random write, applied to both the server and the model. */
static void model_step(struct model *m, const char *key) {
    int i = rand() % m->pool;
    char name[16], sc[32];
    member_name(name, sizeof(name), i);
    /* small integer and half scores, so ties (member order) are common */
    double score = (rand() % 41 - 20) / 2.0;
    snprintf(sc, sizeof(sc), "%.1f", score);
    int op = rand() % 10;
    if (op < 5) {
        HS_EXPECT_INT(ctx, m->present[i] ? 0 : 1, "ZADD", key, sc, name);
        m->present[i] = 1;
        m->score[i] = score;
    } else if (op < 7) {
        redisReply *r = hs_command(ctx, HS_ARGS("ZINCRBY", key, sc, name));
        m->score[i] = (m->present[i] ? m->score[i] : 0) + score;
        m->present[i] = 1;
        ck_assert(reply_score(r) == m->score[i]);
        freeReplyObject(r);
    } else if (op < 9) {
        HS_EXPECT_INT(ctx, m->present[i] ? 1 : 0, "ZREM", key, name);
        m->present[i] = 0;
    } else {
        int order[MODEL_LARGE_POOL];
        int n = model_sorted(m, order);
        redisReply *r = hs_command(ctx, HS_ARGS("ZPOPMIN", key));
        ck_assert_int_eq((int)r->elements, n ? 2 : 0);
        if (n) {
            member_name(name, sizeof(name), order[0]);
            ck_assert_str_eq(r->element[0]->str, name);
            m->present[order[0]] = 0;
        }
        freeReplyObject(r);
    }
}

/* Reads: ZSCORE, ZRANK of a random member, against the model. */
static void model_check_member(const struct model *m, const char *key) {
    int i = rand() % m->pool;
    char name[16];
    member_name(name, sizeof(name), i);
    if (!m->present[i]) {
        HS_EXPECT_NIL(ctx, "ZSCORE", key, name);
        HS_EXPECT_NIL(ctx, "ZRANK", key, name);
        return;
    }
    redisReply *r = hs_command(ctx, HS_ARGS("ZSCORE", key, name));
    ck_assert(reply_score(r) == m->score[i]);
    freeReplyObject(r);
    int order[MODEL_LARGE_POOL];
    int n = model_sorted(m, order), rank = 0;
    while (rank < n && order[rank] != i) rank++;
    HS_EXPECT_INT(ctx, rank, "ZRANK", key, name);
    HS_EXPECT_INT(ctx, n - 1 - rank, "ZREVRANK", key, name);
}

static void model_run(int pool, const char *key, const char *final_encoding) {
    struct model m = {.pool = pool};
    srand((unsigned)pool);
    for (int op = 1; op <= MODEL_OPS; op++) {
        model_step(&m, key);
        model_check_member(&m, key);
        if (op % MODEL_CHECK_EVERY == 0) {
            model_check_all(&m, key);
            int lo = rand() % 21 - 10;
            model_check_score_range(&m, key, lo, lo + rand() % 10, rand() % 4, rand() % 6);
        }
    }
    /* fill up to make sure the final encoding is the expected one */
    for (int i = 0; i < pool; i++) {
        char name[16];
        member_name(name, sizeof(name), i);
        redisReply *r = hs_command(ctx, HS_ARGS("ZADD", key, "NX", "7", name));
        if (!m.present[i]) m.score[i] = 7;
        m.present[i] = 1;
        freeReplyObject(r);
    }
    model_check_all(&m, key);
    expect_encoding(key, final_encoding);
}

START_TEST(test_randomized_against_model) {
    model_run(MODEL_SMALL_POOL, "small", "listpack");
    model_run(MODEL_LARGE_POOL, "large", "skiplist");
}
END_TEST

static Suite *zset_suite(void) {
    Suite *s = suite_create("zset");
    TCase *tc = hs_tcase(s, "zset");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_zadd_basic);
    tcase_add_test(tc, test_zadd_option_errors);
    tcase_add_test(tc, test_zadd_incr_and_scores);
    tcase_add_test(tc, test_zincrby);
    tcase_add_test(tc, test_zrem_zcard_zscore);
    tcase_add_test(tc, test_zrank);
    tcase_add_test(tc, test_zcount_zlexcount);
    tcase_add_test(tc, test_zrange_both_encodings);
    tcase_add_test(tc, test_zrange_errors);
    tcase_add_test(tc, test_zrangebylex);
    tcase_add_test(tc, test_zrangestore);
    tcase_add_test(tc, test_zremrange);
    tcase_add_test(tc, test_zpop);
    tcase_add_test(tc, test_zmpop);
    tcase_add_test(tc, test_pop_resp3_shapes);
    tcase_add_test(tc, test_zrandmember);
    tcase_add_test(tc, test_set_algebra);
    tcase_add_test(tc, test_encoding_conversion);
    tcase_add_test(tc, test_wrongtype);
    tcase_add_test(tc, test_zscan_full_iteration_while_adding);
    tcase_add_test(tc, test_randomized_against_model);
    return s;
}

int main(void) {
    return hs_run_suite(zset_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
