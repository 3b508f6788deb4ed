/* test_sort.c -- integration tests for SORT and SORT_RO: every option on
 * lists, sets (intset and hashtable) and sorted sets (listpack and
 * skiplist), BY / GET patterns over strings and hash fields, STORE (its
 * reply, the destination replaced or deleted, the change counter), arity,
 * WRONGTYPE, every malformed option, RESP3, COMMAND GETKEYS, scripts, and
 * a randomized run against an in-test model (qsort of the same values).
 *
 * Expected replies are Redis 7.0's (checked against it by hand and by the
 * tests/diff/sort_*.txt cases). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define SYNTAX "ERR syntax error"
#define NOT_INT "ERR value is not an integer or out of range"
#define NOT_DOUBLE "ERR One or more scores can't be converted into double"
#define MAX_CMD_ARGS 1100
#define ARG_BYTES 32
/* Randomized model test. */
#define MODEL_ROUNDS 150
#define MODEL_MAX_LEN 300
#define MODEL_VALUE_RANGE 1000
/* Bigger than sort.c's kept buffers, so they are freed and grown again. */
#define BIG_LIST_LEN 10000
/* Raw-socket reads end after this much silence. */
#define RAW_IDLE_MS 200

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

static redisReply *cmd_argv(int argc, const char **argv) {
    size_t lens[MAX_CMD_ARGS];
    ck_assert_int_le(argc, MAX_CMD_ARGS);
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    return hs_command_argv(ctx, argc, argv, lens);
}

/* RPUSH key with n values (decimal text of vals). */
static void rpush_values(const char *key, const long *vals, int n) {
    static char bufs[MAX_CMD_ARGS][ARG_BYTES];
    const char *argv[MAX_CMD_ARGS];
    int i = 0;
    while (i < n) {
        int argc = 2;
        argv[0] = "RPUSH";
        argv[1] = key;
        while (i < n && argc < MAX_CMD_ARGS) {
            snprintf(bufs[argc], ARG_BYTES, "%ld", vals[i++]);
            argv[argc] = bufs[argc];
            argc++;
        }
        redisReply *r = cmd_argv(argc, argv);
        ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
        freeReplyObject(r);
    }
}

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Byte order of the decimal texts (SORT ... ALPHA of integers). */
static int cmp_long_text(const void *a, const void *b) {
    char x[ARG_BYTES], y[ARG_BYTES];
    snprintf(x, sizeof(x), "%ld", *(const long *)a);
    snprintf(y, sizeof(y), "%ld", *(const long *)b);
    return strcmp(x, y);
}

/* Checks that r is an array holding vals[from .. from+n-1] in order
 * (reversed when desc), as decimal bulks. */
static void check_values(const redisReply *r, const long *vals, long len, long from, long n, int desc) {
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq((long)r->elements, n);
    for (long i = 0; i < n; i++) {
        long idx = desc ? len - 1 - (from + i) : from + i;
        char want[ARG_BYTES];
        snprintf(want, sizeof(want), "%ld", vals[idx]);
        ck_assert_int_eq(r->element[i]->type, REDIS_REPLY_STRING);
        ck_assert_msg(strcmp(r->element[i]->str, want) == 0, "element %ld: got %s, want %s", i,
                      r->element[i]->str, want);
    }
}

/* ---------------------------------------------------------- lists */

START_TEST(test_list_orders) {
    HS_EXPECT_INT(ctx, 8, "RPUSH", "l", "3", "1", "2", "10", "-1", "1.5", "inf", "0x10");
    HS_EXPECT_BULKS(ctx, HS_ARGS("-1", "1", "1.5", "2", "3", "10", "0x10", "inf"), "SORT", "l");
    HS_EXPECT_BULKS(ctx, HS_ARGS("inf", "0x10", "10", "3", "2", "1.5", "1", "-1"), "SORT", "l", "DESC");
    HS_EXPECT_BULKS(ctx, HS_ARGS("-1", "0x10", "1", "1.5", "10", "2", "3", "inf"), "SORT", "l", "ALPHA");
    HS_EXPECT_BULKS(ctx, HS_ARGS("inf", "3", "2"), "SORT", "l", "alpha", "desc", "limit", "0", "3");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1.5", "2"), "SORT_RO", "l", "LIMIT", "2", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("3", "1", "2", "10", "-1", "1.5", "inf", "0x10"), "SORT", "l", "BY", "nosort");
    HS_EXPECT_BULKS(ctx, HS_ARGS("inf", "1.5", "-1"), "SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "3");
    HS_EXPECT_BULKS(ctx, HS_ARGS("10", "-1"), "SORT", "l", "BY", "nosort", "LIMIT", "3", "2");
    /* equal scores: the bytes decide */
    HS_EXPECT_INT(ctx, 5, "RPUSH", "t", "1.0", "1", "01", "0", "-0");
    HS_EXPECT_BULKS(ctx, HS_ARGS("-0", "0", "01", "1", "1.0"), "SORT", "t");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1.0", "1", "01", "0", "-0"), "SORT", "t", "DESC");
    /* a missing key is an empty list */
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SORT", "nokey");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SORT_RO", "nokey", "BY", "nosort", "LIMIT", "0", "5");
}
END_TEST

START_TEST(test_limit_edges) {
    HS_EXPECT_INT(ctx, 3, "RPUSH", "l", "3", "1", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2"), "SORT", "l", "LIMIT", "-5", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("2", "3"), "SORT", "l", "LIMIT", "1", "-1");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SORT", "l", "LIMIT", "3", "1");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SORT", "l", "LIMIT", "0", "0");
    HS_EXPECT_BULKS(ctx, HS_ARGS("3"), "SORT", "l", "LIMIT", "2", "9223372036854775807");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2"), "SORT", "l", "LIMIT", "-9223372036854775808", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("2"), "SORT", "l", "BY", "nosort", "LIMIT", "2", "9223372036854775807");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SORT", "l", "BY", "nosort", "DESC", "LIMIT", "3", "1");
    /* the last LIMIT counts */
    HS_EXPECT_BULKS(ctx, HS_ARGS("3"), "SORT", "l", "LIMIT", "0", "1", "LIMIT", "2", "1");
}
END_TEST

/* ---------------------------------------------------------- patterns */

START_TEST(test_by_and_get) {
    HS_EXPECT_INT(ctx, 4, "RPUSH", "l", "3", "1", "2", "4");
    HS_EXPECT_OK(ctx, "MSET", "w_1", "40", "w_2", "30", "w_3", "20", "o_1", "a", "o_2", "b", "o_3", "c");
    /* w_4 is missing: it scores 0 */
    HS_EXPECT_BULKS(ctx, HS_ARGS("4", "3", "2", "1"), "SORT", "l", "BY", "w_*");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2", "3", "4"), "SORT", "l", "BY", "w_*", "DESC");
    redisReply *r = hs_command(ctx, HS_ARGS("SORT", "l", "BY", "w_*", "GET", "o_*", "GET", "#"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 8);
    ck_assert_int_eq(r->element[0]->type, REDIS_REPLY_NIL);
    ck_assert_str_eq(r->element[1]->str, "4");
    ck_assert_str_eq(r->element[2]->str, "c");
    ck_assert_str_eq(r->element[7]->str, "1");
    freeReplyObject(r);
    HS_EXPECT_BULKS(ctx, HS_ARGS("c", "20", "b", "30"), "SORT", "l", "BY", "w_*", "LIMIT", "1", "2", "GET", "o_*", "GET",
                    "w_*");
    /* ALPHA BY: a missing value sorts first */
    HS_EXPECT_BULKS(ctx, HS_ARGS("4", "1", "2", "3"), "SORT", "l", "BY", "o_*", "ALPHA");
    HS_EXPECT_BULKS(ctx, HS_ARGS("3", "2", "1", "4"), "SORT", "l", "BY", "o_*", "ALPHA", "DESC");
    /* without ALPHA, letters are not scores */
    HS_EXPECT_ERROR(ctx, NOT_DOUBLE, "SORT", "l", "BY", "o_*");
    /* hash fields; keys of the wrong type count as missing */
    HS_EXPECT_INT(ctx, 2, "HSET", "h_1", "f", "9", "n", "one");
    HS_EXPECT_INT(ctx, 2, "HSET", "h_2", "f", "-3", "n", "two");
    HS_EXPECT_INT(ctx, 1, "SADD", "h_3", "x");
    HS_EXPECT_BULKS(ctx, HS_ARGS("2", "3", "4", "1"), "SORT", "l", "BY", "h_*->f");
    r = hs_command(ctx, HS_ARGS("SORT", "l", "BY", "h_*->f", "GET", "h_*->n"));
    ck_assert_int_eq(r->elements, 4);
    ck_assert_str_eq(r->element[0]->str, "two");
    ck_assert_int_eq(r->element[1]->type, REDIS_REPLY_NIL);
    ck_assert_str_eq(r->element[3]->str, "one");
    freeReplyObject(r);
    /* integer elements whose BY key is missing score 0, ties by bytes */
    HS_EXPECT_INT(ctx, 3, "RPUSH", "n", "10", "9", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("10", "2", "9"), "SORT", "n", "BY", "nokey_*");
    /* BY with LIMIT: only the range is sorted, by Redis's partial
     * quicksort, whose moves decide the order of ties */
    HS_EXPECT_INT(ctx, 20, "RPUSH", "t", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
                  "15", "16", "17", "18", "19", "20");
    HS_EXPECT_BULKS(ctx, HS_ARGS("20", "2", "3", "4", "5"), "SORT", "t", "BY", "nokey_*", "ALPHA", "LIMIT", "0",
                    "5");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2", "3"), "SORT", "t", "BY", "nokey_*", "ALPHA", "LIMIT", "0", "3", "BY",
                    "nosort");
    /* a pattern without '*' names no key: BY does not sort, GET is null */
    HS_EXPECT_BULKS(ctx, HS_ARGS("3", "1", "2", "4"), "SORT", "l", "BY", "constant");
    r = hs_command(ctx, HS_ARGS("SORT", "l", "GET", "o_1"));
    ck_assert_int_eq(r->elements, 4);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(r->element[i]->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_pattern_lookups_count) {
    HS_EXPECT_INT(ctx, 3, "RPUSH", "l", "1", "2", "3");
    HS_EXPECT_OK(ctx, "SET", "w_1", "5");
    long long hits = hs_info_ll(ctx, "stats", "keyspace_hits");
    long long misses = hs_info_ll(ctx, "stats", "keyspace_misses");
    HS_EXPECT_BULKS(ctx, HS_ARGS("2", "3", "1"), "SORT", "l", "BY", "w_*");
    /* the list, then one BY lookup per element */
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "keyspace_hits"), hits + 2);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "keyspace_misses"), misses + 2);
}
END_TEST

/* ---------------------------------------------------------- STORE */

START_TEST(test_store) {
    HS_EXPECT_INT(ctx, 3, "RPUSH", "l", "3", "1", "2");
    long long dirty = hs_dirty(ctx);
    HS_EXPECT_INT(ctx, 3, "SORT", "l", "STORE", "dst");
    ck_assert_int_eq(hs_dirty(ctx), dirty + 3);
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2", "3"), "LRANGE", "dst", "0", "-1");
    HS_EXPECT_BULK(ctx, "quicklist", "OBJECT", "ENCODING", "dst");
    /* GET values, missing ones stored as "" */
    HS_EXPECT_OK(ctx, "SET", "o_2", "two");
    HS_EXPECT_INT(ctx, 6, "SORT", "l", "DESC", "GET", "#", "GET", "o_*", "STORE", "dst");
    HS_EXPECT_BULKS(ctx, HS_ARGS("3", "", "2", "two", "1", ""), "LRANGE", "dst", "0", "-1");
    /* over another type, dropping its TTL; the last STORE wins */
    HS_EXPECT_OK(ctx, "SET", "s", "x", "EX", "100");
    HS_EXPECT_INT(ctx, 1, "SORT", "l", "LIMIT", "0", "1", "STORE", "nothere", "STORE", "s");
    HS_EXPECT_INT(ctx, -1, "TTL", "s");
    HS_EXPECT_STATUS(ctx, "list", "TYPE", "s");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nothere");
    /* an empty result deletes the destination (one change) or does nothing */
    dirty = hs_dirty(ctx);
    HS_EXPECT_INT(ctx, 0, "SORT", "nokey", "STORE", "s");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "s");
    ck_assert_int_eq(hs_dirty(ctx), dirty + 1);
    HS_EXPECT_INT(ctx, 0, "SORT", "l", "LIMIT", "5", "1", "STORE", "s");
    ck_assert_int_eq(hs_dirty(ctx), dirty + 1);
    /* the sorted key as its own destination */
    HS_EXPECT_INT(ctx, 3, "SORT", "l", "DESC", "STORE", "l");
    HS_EXPECT_BULKS(ctx, HS_ARGS("3", "2", "1"), "LRANGE", "l", "0", "-1");
    /* a type error or a bad score stores nothing */
    HS_EXPECT_INT(ctx, 2, "RPUSH", "bad", "1", "x");
    HS_EXPECT_ERROR(ctx, NOT_DOUBLE, "SORT", "bad", "STORE", "dst2");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "dst2");
}
END_TEST

/* ---------------------------------------------------------- sets, zsets */

START_TEST(test_sets) {
    HS_EXPECT_INT(ctx, 5, "SADD", "is", "5", "-3", "100", "7", "0");
    HS_EXPECT_BULKS(ctx, HS_ARGS("-3", "0", "5", "7", "100"), "SORT", "is");
    HS_EXPECT_BULKS(ctx, HS_ARGS("100", "7", "5"), "SORT", "is", "DESC", "LIMIT", "0", "3");
    HS_EXPECT_BULKS(ctx, HS_ARGS("-3", "0", "100", "5", "7"), "SORT", "is", "ALPHA");
    /* an intset's own order is ascending; DESC does not walk it back */
    HS_EXPECT_BULKS(ctx, HS_ARGS("-3", "0", "5", "7", "100"), "SORT", "is", "BY", "nosort", "DESC");
    HS_EXPECT_INT(ctx, 6, "SADD", "hs", "b", "a", "10", "9", "c", "zz");
    HS_EXPECT_BULK(ctx, "hashtable", "OBJECT", "ENCODING", "hs");
    HS_EXPECT_BULKS(ctx, HS_ARGS("10", "9", "a", "b", "c", "zz"), "SORT", "hs", "ALPHA");
    HS_EXPECT_ERROR(ctx, NOT_DOUBLE, "SORT", "hs");
    /* BY nosort with STORE sorts a set (ALPHA) for determinism */
    HS_EXPECT_INT(ctx, 6, "SORT", "hs", "BY", "nosort", "STORE", "dst");
    HS_EXPECT_BULKS(ctx, HS_ARGS("10", "9", "a", "b", "c", "zz"), "LRANGE", "dst", "0", "-1");
    HS_EXPECT_INT(ctx, 2, "SORT", "hs", "BY", "nosort", "DESC", "LIMIT", "1", "2", "STORE", "dst");
    HS_EXPECT_BULKS(ctx, HS_ARGS("c", "b"), "LRANGE", "dst", "0", "-1");
    /* and so does a script */
    HS_EXPECT_BULKS(ctx, HS_ARGS("10", "9", "a", "b", "c", "zz"), "EVAL",
                    "return redis.call('SORT', KEYS[1], 'BY', 'nosort')", "1", "hs");
}
END_TEST

START_TEST(test_zsets) {
    HS_EXPECT_INT(ctx, 5, "ZADD", "z", "3", "c", "1", "a", "2", "b", "5", "e", "4", "d");
    HS_EXPECT_BULK(ctx, "listpack", "OBJECT", "ENCODING", "z");
    HS_EXPECT_BULKS(ctx, HS_ARGS("e", "d", "c", "b", "a"), "SORT_RO", "z", "ALPHA", "DESC");
    /* any SORT leaves a sorted set as a skiplist, as in Redis */
    HS_EXPECT_BULK(ctx, "skiplist", "OBJECT", "ENCODING", "z");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b", "c", "d", "e"), "SORT", "z", "BY", "nosort");
    HS_EXPECT_BULKS(ctx, HS_ARGS("b", "c"), "SORT", "z", "BY", "nosort", "LIMIT", "1", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("d", "c"), "SORT", "z", "BY", "nosort", "LIMIT", "1", "2", "DESC");
    HS_EXPECT_BULKS(ctx, HS_ARGS("e", "d"), "SORT", "z", "BY", "nosort", "LIMIT", "0", "2", "DESC");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a"), "SORT", "z", "BY", "nosort", "LIMIT", "4", "9", "DESC");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SORT", "z", "BY", "nosort", "LIMIT", "5", "1");
    HS_EXPECT_ERROR(ctx, NOT_DOUBLE, "SORT", "z");
    HS_EXPECT_INT(ctx, 3, "ZADD", "zn", "1", "30", "2", "10", "3", "-5");
    HS_EXPECT_BULKS(ctx, HS_ARGS("-5", "10", "30"), "SORT", "zn");
    HS_EXPECT_BULKS(ctx, HS_ARGS("30", "10", "-5"), "SORT", "zn", "BY", "nosort");
    HS_EXPECT_INT(ctx, 2, "SORT", "zn", "BY", "nosort", "DESC", "LIMIT", "0", "2", "STORE", "dst");
    HS_EXPECT_BULKS(ctx, HS_ARGS("-5", "10"), "LRANGE", "dst", "0", "-1");
}
END_TEST

/* ---------------------------------------------------------- errors */

START_TEST(test_arity) {
    HS_EXPECT_ARITY(ctx, "sort", "SORT");
    HS_EXPECT_ARITY(ctx, "sort_ro", "SORT_RO");
}
END_TEST

START_TEST(test_wrongtype) {
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "f", "v");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SORT", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SORT", "h", "ALPHA");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SORT", "str", "STORE", "dst");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SORT_RO", "h", "BY", "nosort");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "dst");
    /* options are checked before the key */
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT", "str", "foo");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SORT", "h", "LIMIT", "a", "1");
}
END_TEST

START_TEST(test_bad_arguments) {
    HS_EXPECT_INT(ctx, 2, "RPUSH", "l", "2", "1");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT", "l", "foo");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT", "l", "LIMIT");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT", "l", "LIMIT", "1");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT", "l", "LIMIT", "1", "2", "3");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT", "l", "BY");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT", "l", "GET");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT", "l", "STORE");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT", "l", "nosort");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SORT", "l", "LIMIT", "a", "1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SORT", "l", "LIMIT", "0", "1.5");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SORT", "l", "LIMIT", "99999999999999999999", "1");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT", "l", "foo", "LIMIT", "a", "1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SORT", "l", "LIMIT", "a", "1", "foo");
    /* SORT_RO has no STORE */
    HS_EXPECT_ERROR(ctx, SYNTAX, "SORT_RO", "l", "STORE", "dst");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "dst");
    /* scores that strtod refuses */
    const char *bad[] = {"abc", "1 ", "nan", "1e400", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        HS_EXPECT_INT(ctx, 1, "DEL", "l");
        HS_EXPECT_INT(ctx, 2, "RPUSH", "l", "1", bad[i]);
        if (bad[i][0] == '\0') /* an empty string is 0 */
            HS_EXPECT_BULKS(ctx, HS_ARGS("", "1"), "SORT", "l");
        else
            HS_EXPECT_ERROR(ctx, NOT_DOUBLE, "SORT", "l");
        HS_EXPECT_INT(ctx, 2, "SORT", "l", "ALPHA", "STORE", "ok");
    }
}
END_TEST

/* ---------------------------------------------------------- protocol */

START_TEST(test_resp3) {
    HS_EXPECT_INT(ctx, 2, "RPUSH", "l", "2", "1");
    HS_EXPECT_OK(ctx, "SET", "o_1", "one");
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    int closed = 0;
    hs_buf hello = hs_raw_read_all(fd, RAW_IDLE_MS, &closed);
    ck_assert(!closed);
    ck_assert_msg(hello.len > 0 && hello.data[0] == '%', "HELLO 3 did not answer with a map");
    hs_buf_free(&hello);
    /* missing GET values are RESP3 nulls inside the array */
    HS_RAW_EXPECT(fd, "SORT l GET o_* GET #\r\n", "*4\r\n$3\r\none\r\n$1\r\n1\r\n_\r\n$1\r\n2\r\n");
    HS_RAW_EXPECT(fd, "SORT_RO l DESC\r\n", "*2\r\n$1\r\n2\r\n$1\r\n1\r\n");
    HS_RAW_EXPECT(fd, "SORT l STORE dst\r\n", ":2\r\n");
    HS_RAW_EXPECT(fd, "SORT nokey\r\n", "*0\r\n");
    HS_RAW_EXPECT(fd, "SORT l foo\r\n", "-ERR syntax error\r\n");
    close(fd);
}
END_TEST

START_TEST(test_getkeys) {
    HS_EXPECT_BULKS(ctx, HS_ARGS("k"), "COMMAND", "GETKEYS", "SORT", "k");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k", "d"), "COMMAND", "GETKEYS", "SORT", "k", "BY", "w_*", "STORE", "d");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k", "e"), "COMMAND", "GETKEYS", "SORT", "k", "STORE", "d", "store", "e");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k"), "COMMAND", "GETKEYS", "SORT", "k", "LIMIT", "1", "STORE", "d");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k"), "COMMAND", "GETKEYS", "SORT_RO", "k", "STORE", "d");
}
END_TEST

/* ---------------------------------------------------------- model */

/* Random lists of integers sorted by SORT (numeric and ALPHA, ASC and
 * DESC, random LIMITs, BY nosort) against qsort of the same values. */
START_TEST(test_randomized_against_model) {
    static long vals[MODEL_MAX_LEN], sorted[MODEL_MAX_LEN], text[MODEL_MAX_LEN];
    srand(12345);
    for (int round = 0; round < MODEL_ROUNDS; round++) {
        int n = rand() % MODEL_MAX_LEN + 1;
        for (int i = 0; i < n; i++) vals[i] = rand() % (2 * MODEL_VALUE_RANGE) - MODEL_VALUE_RANGE;
        memcpy(sorted, vals, sizeof(long) * (size_t)n);
        memcpy(text, vals, sizeof(long) * (size_t)n);
        qsort(sorted, (size_t)n, sizeof(long), cmp_long);
        qsort(text, (size_t)n, sizeof(long), cmp_long_text);
        HS_DO(ctx, (void)0, "DEL", "l");
        rpush_values("l", vals, n);
        long off = rand() % (n + 2) - 1, cnt = rand() % (n + 2) - 1;
        char offs[ARG_BYTES], cnts[ARG_BYTES];
        snprintf(offs, sizeof(offs), "%ld", off);
        snprintf(cnts, sizeof(cnts), "%ld", cnt);
        long from = off < 0 ? 0 : off > n ? n : off;
        long take = cnt < 0 ? n - from : (from + cnt > n ? n - from : cnt);
        int desc = rand() % 2;
        const char *dir = desc ? "DESC" : "ASC";
        redisReply *r = hs_command(ctx, HS_ARGS("SORT", "l", dir));
        check_values(r, sorted, n, 0, n, desc);
        freeReplyObject(r);
        r = hs_command(ctx, HS_ARGS("SORT", "l", "LIMIT", offs, cnts, dir));
        check_values(r, sorted, n, from, take, desc);
        freeReplyObject(r);
        r = hs_command(ctx, HS_ARGS("SORT", "l", "ALPHA", dir, "LIMIT", offs, cnts));
        check_values(r, text, n, from, take, desc);
        freeReplyObject(r);
        r = hs_command(ctx, HS_ARGS("SORT", "l", "BY", "nosort", "LIMIT", offs, cnts, dir));
        check_values(r, vals, n, from, take, desc);
        freeReplyObject(r);
    }
}
END_TEST

START_TEST(test_big_list) {
    static long vals[BIG_LIST_LEN];
    for (int i = 0; i < BIG_LIST_LEN; i++) vals[i] = (long)((i * 7919L) % BIG_LIST_LEN) - 5000;
    rpush_values("big", vals, BIG_LIST_LEN);
    qsort(vals, BIG_LIST_LEN, sizeof(long), cmp_long);
    for (int pass = 0; pass < 2; pass++) {
        redisReply *r = hs_command(ctx, HS_ARGS("SORT", "big"));
        check_values(r, vals, BIG_LIST_LEN, 0, BIG_LIST_LEN, 0);
        freeReplyObject(r);
        /* a small sort between two big ones reuses the buffers */
        HS_EXPECT_INT(ctx, pass + 1, "RPUSH", "small", "1");
        HS_EXPECT_BULKS(ctx, pass ? HS_ARGS("1", "1") : HS_ARGS("1"), "SORT", "small");
    }
    HS_EXPECT_INT(ctx, BIG_LIST_LEN, "SORT", "big", "DESC", "STORE", "dst");
    HS_EXPECT_BULK(ctx, "-5000", "LINDEX", "dst", "-1");
}
END_TEST

static Suite *sort_suite(void) {
    Suite *s = suite_create("sort");
    TCase *tc = hs_tcase(s, "sort");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_list_orders);
    tcase_add_test(tc, test_limit_edges);
    tcase_add_test(tc, test_by_and_get);
    tcase_add_test(tc, test_pattern_lookups_count);
    tcase_add_test(tc, test_store);
    tcase_add_test(tc, test_sets);
    tcase_add_test(tc, test_zsets);
    tcase_add_test(tc, test_arity);
    tcase_add_test(tc, test_wrongtype);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_resp3);
    tcase_add_test(tc, test_getkeys);
    tcase_add_test(tc, test_randomized_against_model);
    tcase_add_test(tc, test_big_list);
    return s;
}

int main(void) {
    return hs_run_suite(sort_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
