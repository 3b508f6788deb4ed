/* test_hash.c -- integration tests for the hash type: HSET HSETNX HGET
 * HMSET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY
 * HINCRBYFLOAT HRANDFIELD HSCAN. Success paths, arity, WRONGTYPE both
 * ways, bad arguments, edge values (empty, binary, "007"), the listpack ->
 * hashtable conversion at its exact thresholds, HRANDFIELD's properties,
 * HSCAN's guarantee under concurrent growth, RESP3 shapes, and a
 * randomized run against an in-test model.
 *
 * Expected replies are Redis 7.0's. The threshold tests start the server
 * with --hash-max-listpack-entries 128 (redis.conf's value; the built-in
 * default is 512, also checked). One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define NOT_INT "ERR value is not an integer or out of range"
#define NOT_FLOAT "ERR value is not a valid float"
#define HASH_NOT_INT "ERR hash value is not an integer"
#define HASH_NOT_FLOAT "ERR hash value is not a float"
#define OVERFLOW "ERR increment or decrement would overflow"
#define NAN_INF "ERR increment would produce NaN or Infinity"
#define SYNTAX "ERR syntax error"
#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define RAW_IDLE_MS 300
/* The thresholds the small-config server runs with. */
#define SMALL_MAX_ENTRIES 128
#define MAX_VALUE_BYTES 64
/* Redis's built-in hash-max-listpack-entries (no config file). */
#define DEFAULT_MAX_ENTRIES 512
/* Fields in the HSCAN test's hash (well past any listpack size). */
#define SCAN_FIELDS 2000
/* Fields added between HSCAN calls while the scan runs. */
#define SCAN_ADDS_PER_CALL 7
/* Randomized model run: operations, field universe, check interval. */
#define MODEL_OPS 6000
#define MODEL_FIELDS 200
#define MODEL_CHECK_EVERY 100
#define MODEL_SEED 20240607u
/* Longest field or value the model or the tests build. */
#define ARG_BUF 96

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
}

static void setup_small(void) {
    srv = hs_start(HS_ARGS("--hash-max-listpack-entries", "128"));
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

/* ---------------------------------------------------------- helpers */

/* Sends argc arguments (C strings, or lens-sized binary when lens is set). */
static redisReply *cmd_argv(int argc, const char **argv, const size_t *lens) {
    return hs_command_argv(ctx, argc, argv, lens);
}

/* OBJECT ENCODING key must be enc. */
static void expect_encoding(const char *key, const char *enc) {
    HS_EXPECT_BULK(ctx, enc, "OBJECT", "ENCODING", key);
}

/* HSET key with fields prefix0..prefix{n-1} (values "v<i>") in one call. */
static void hset_many(const char *key, const char *prefix, int from, int n) {
    const char **argv = malloc(sizeof(char *) * (size_t)(2 + 2 * n));
    char (*bufs)[2][ARG_BUF] = malloc(sizeof(*bufs) * (size_t)n);
    argv[0] = "HSET";
    argv[1] = key;
    for (int i = 0; i < n; i++) {
        snprintf(bufs[i][0], ARG_BUF, "%s%d", prefix, from + i);
        snprintf(bufs[i][1], ARG_BUF, "v%d", from + i);
        argv[2 + 2 * i] = bufs[i][0];
        argv[3 + 2 * i] = bufs[i][1];
    }
    redisReply *r = cmd_argv(2 + 2 * n, argv, NULL);
    ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
    freeReplyObject(r);
    free(bufs);
    free(argv);
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

/* ---------------------------------------------------------- basics */

START_TEST(test_set_get_basic) {
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "f1", "v1");
    HS_EXPECT_INT(ctx, 2, "HSET", "h", "f2", "v2", "f3", "v3");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "f1", "new", "f4", "v4");
    /* The same new field twice in one call counts once; the last wins. */
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "f5", "a", "f5", "b");
    HS_EXPECT_BULK(ctx, "b", "HGET", "h", "f5");
    HS_EXPECT_BULK(ctx, "new", "HGET", "h", "f1");
    HS_EXPECT_NIL(ctx, "HGET", "h", "nofield");
    HS_EXPECT_NIL(ctx, "HGET", "nokey", "f");
    HS_EXPECT_INT(ctx, 5, "HLEN", "h");
    HS_EXPECT_INT(ctx, 0, "HLEN", "nokey");
    HS_EXPECT_INT(ctx, 3, "HSTRLEN", "h", "f1");
    HS_EXPECT_INT(ctx, 0, "HSTRLEN", "h", "nofield");
    HS_EXPECT_INT(ctx, 0, "HSTRLEN", "nokey", "f");
    HS_EXPECT_INT(ctx, 1, "HEXISTS", "h", "f2");
    HS_EXPECT_INT(ctx, 0, "HEXISTS", "h", "nofield");
    HS_EXPECT_INT(ctx, 0, "HEXISTS", "nokey", "f");
    /* Small hashes keep insertion order; an update keeps the place. */
    HS_EXPECT_BULKS(ctx, HS_ARGS("f1", "new", "f2", "v2", "f3", "v3", "f4", "v4", "f5", "b"), "HGETALL", "h");
    HS_EXPECT_BULKS(ctx, HS_ARGS("f1", "f2", "f3", "f4", "f5"), "HKEYS", "h");
    HS_EXPECT_BULKS(ctx, HS_ARGS("new", "v2", "v3", "v4", "b"), "HVALS", "h");
    redisReply *r = hs_command(ctx, HS_ARGS("HGETALL", "nokey"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "HMSET", "h", "f6", "v6", "f1", "m");
    HS_EXPECT_BULK(ctx, "m", "HGET", "h", "f1");
    r = hs_command(ctx, HS_ARGS("HMGET", "h", "f1", "nofield", "f6"));
    ck_assert_int_eq(r->elements, 3);
    HS_CHECK_BULK(r->element[0], "m", 1);
    HS_CHECK_NIL(r->element[1]);
    HS_CHECK_BULK(r->element[2], "v6", 2);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("HMGET", "nokey", "a", "b"));
    ck_assert_int_eq(r->elements, 2);
    HS_CHECK_NIL(r->element[0]);
    HS_CHECK_NIL(r->element[1]);
    freeReplyObject(r);
    HS_EXPECT_STATUS(ctx, "hash", "TYPE", "h");
    expect_encoding("h", "listpack");
}
END_TEST

START_TEST(test_hsetnx) {
    HS_EXPECT_INT(ctx, 1, "HSETNX", "h", "f", "v1");
    HS_EXPECT_INT(ctx, 0, "HSETNX", "h", "f", "v2");
    HS_EXPECT_BULK(ctx, "v1", "HGET", "h", "f");
    HS_EXPECT_INT(ctx, 1, "HSETNX", "h", "g", "v3");
    HS_EXPECT_INT(ctx, 2, "HLEN", "h");
    /* A refused long value does not convert; a written one does. */
    char longv[MAX_VALUE_BYTES + 2];
    memset(longv, 'x', MAX_VALUE_BYTES + 1);
    longv[MAX_VALUE_BYTES + 1] = '\0';
    HS_EXPECT_INT(ctx, 0, "HSETNX", "h", "f", longv);
    expect_encoding("h", "listpack");
    HS_EXPECT_INT(ctx, 1, "HSETNX", "h", "new", longv);
    expect_encoding("h", "hashtable");
    HS_EXPECT_INT(ctx, 0, "HSETNX", "h", "new", "short");
    HS_EXPECT_BULK(ctx, longv, "HGET", "h", "new");
}
END_TEST

START_TEST(test_hdel) {
    HS_EXPECT_INT(ctx, 3, "HSET", "h", "a", "1", "b", "2", "c", "3");
    HS_EXPECT_INT(ctx, 1, "HDEL", "h", "a", "a", "nofield");
    HS_EXPECT_INT(ctx, 0, "HDEL", "h", "a");
    HS_EXPECT_INT(ctx, 0, "HDEL", "nokey", "a");
    HS_EXPECT_BULKS(ctx, HS_ARGS("b", "2", "c", "3"), "HGETALL", "h");
    /* Removing the last field removes the key. */
    HS_EXPECT_INT(ctx, 2, "HDEL", "h", "b", "c", "b");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "h");
    HS_EXPECT_STATUS(ctx, "none", "TYPE", "h");
    /* Same for a hashtable-encoded hash. */
    hset_many("big", "f", 0, DEFAULT_MAX_ENTRIES + 1);
    expect_encoding("big", "hashtable");
    for (int i = 0; i < DEFAULT_MAX_ENTRIES + 1; i++) {
        char f[ARG_BUF];
        snprintf(f, sizeof(f), "f%d", i);
        HS_EXPECT_INT(ctx, 1, "HDEL", "big", f);
    }
    HS_EXPECT_INT(ctx, 0, "EXISTS", "big");
    /* A key emptied by HDEL can be made again as anything. */
    HS_EXPECT_OK(ctx, "SET", "big", "now a string");
}
END_TEST

START_TEST(test_arity) {
    HS_EXPECT_ARITY(ctx, "hset", "HSET", "h");
    HS_EXPECT_ARITY(ctx, "hset", "HSET", "h", "f");
    HS_EXPECT_ARITY(ctx, "hset", "HSET", "h", "f", "v", "g");
    HS_EXPECT_ARITY(ctx, "hmset", "HMSET", "h", "f", "v", "g");
    HS_EXPECT_ARITY(ctx, "hmset", "HMSET", "h", "f");
    HS_EXPECT_ARITY(ctx, "hsetnx", "HSETNX", "h", "f");
    HS_EXPECT_ARITY(ctx, "hsetnx", "HSETNX", "h", "f", "v", "x");
    HS_EXPECT_ARITY(ctx, "hget", "HGET", "h");
    HS_EXPECT_ARITY(ctx, "hget", "HGET", "h", "f", "x");
    HS_EXPECT_ARITY(ctx, "hmget", "HMGET", "h");
    HS_EXPECT_ARITY(ctx, "hdel", "HDEL", "h");
    HS_EXPECT_ARITY(ctx, "hlen", "HLEN");
    HS_EXPECT_ARITY(ctx, "hlen", "HLEN", "h", "x");
    HS_EXPECT_ARITY(ctx, "hstrlen", "HSTRLEN", "h");
    HS_EXPECT_ARITY(ctx, "hexists", "HEXISTS", "h");
    HS_EXPECT_ARITY(ctx, "hkeys", "HKEYS");
    HS_EXPECT_ARITY(ctx, "hvals", "HVALS", "h", "x");
    HS_EXPECT_ARITY(ctx, "hgetall", "HGETALL");
    HS_EXPECT_ARITY(ctx, "hincrby", "HINCRBY", "h", "f");
    HS_EXPECT_ARITY(ctx, "hincrbyfloat", "HINCRBYFLOAT", "h", "f", "1", "2");
    HS_EXPECT_ARITY(ctx, "hrandfield", "HRANDFIELD");
    HS_EXPECT_ARITY(ctx, "hscan", "HSCAN", "h");
    /* Nothing was created by any of them. */
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
}
END_TEST

START_TEST(test_wrongtype) {
    HS_EXPECT_OK(ctx, "SET", "s", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HSET", "s", "f", "v");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HSETNX", "s", "f", "v");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HMSET", "s", "f", "v");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HGET", "s", "f");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HMGET", "s", "f");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HDEL", "s", "f");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HLEN", "s");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HSTRLEN", "s", "f");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HEXISTS", "s", "f");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HKEYS", "s");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HVALS", "s");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HGETALL", "s");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HINCRBY", "s", "f", "1");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HINCRBYFLOAT", "s", "f", "1");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HRANDFIELD", "s");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HRANDFIELD", "s", "2", "WITHVALUES");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "HSCAN", "s", "0");
    HS_EXPECT_BULK(ctx, "str", "GET", "s");
    /* And string commands on a hash. */
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "f", "v");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GET", "h");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "INCR", "h");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "APPEND", "h", "x");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "STRLEN", "h");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GETSET", "h", "x");
    HS_EXPECT_BULK(ctx, "v", "HGET", "h", "f");
    /* SET overwrites a hash whatever its type. */
    HS_EXPECT_OK(ctx, "SET", "h", "plain");
    HS_EXPECT_STATUS(ctx, "string", "TYPE", "h");
}
END_TEST

START_TEST(test_values_edges) {
    /* Empty field and value. */
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "", "");
    HS_EXPECT_BULK(ctx, "", "HGET", "h", "");
    HS_EXPECT_INT(ctx, 1, "HEXISTS", "h", "");
    HS_EXPECT_INT(ctx, 0, "HSTRLEN", "h", "");
    /* Binary bytes: NUL, CR LF. */
    const char *argv[] = {"HSET", "h", "a\0b", "c\r\nd\0"};
    const size_t lens[] = {4, 1, 3, 5};
    redisReply *r = cmd_argv(4, argv, lens);
    HS_CHECK_INT(r, 1);
    freeReplyObject(r);
    const char *get[] = {"HGET", "h", "a\0b"};
    const size_t glens[] = {4, 1, 3};
    r = cmd_argv(3, get, glens);
    HS_CHECK_BULK(r, "c\r\nd\0", 5);
    freeReplyObject(r);
    const char *sl[] = {"HSTRLEN", "h", "a\0b"};
    const size_t sllens[] = {7, 1, 3};
    r = cmd_argv(3, sl, sllens);
    HS_CHECK_INT(r, 5);
    freeReplyObject(r);
    HS_EXPECT_NIL(ctx, "HGET", "h", "a");
    /* Numbers: non-canonical ones stay text, canonical ones round-trip. */
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "007", "007");
    HS_EXPECT_BULK(ctx, "007", "HGET", "h", "007");
    HS_EXPECT_INT(ctx, 0, "HEXISTS", "h", "7");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "7", "-9223372036854775808");
    HS_EXPECT_BULK(ctx, "-9223372036854775808", "HGET", "h", "7");
    HS_EXPECT_INT(ctx, 20, "HSTRLEN", "h", "7");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "-0", "+5");
    HS_EXPECT_BULK(ctx, "+5", "HGET", "h", "-0");
    HS_EXPECT_INT(ctx, 0, "HEXISTS", "h", "0");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "big", "9223372036854775808");
    HS_EXPECT_BULK(ctx, "9223372036854775808", "HGET", "h", "big");
    redisReply *keys = hs_command(ctx, HS_ARGS("HKEYS", "h"));
    ck_assert_int_eq(keys->elements, 6);
    HS_CHECK_BULK(keys->element[0], "", 0);
    HS_CHECK_BULK(keys->element[1], "a\0b", 3);
    HS_CHECK_BULK(keys->element[2], "007", 3);
    HS_CHECK_BULK(keys->element[5], "big", 3);
    freeReplyObject(keys);
}
END_TEST

/* ---------------------------------------------------------- counters */

START_TEST(test_hincrby) {
    HS_EXPECT_INT(ctx, 5, "HINCRBY", "h", "a", "5");
    HS_EXPECT_INT(ctx, -5, "HINCRBY", "h", "a", "-10");
    HS_EXPECT_BULK(ctx, "-5", "HGET", "h", "a");
    HS_EXPECT_INT(ctx, 9223372036854775807LL, "HINCRBY", "h", "b", "9223372036854775807");
    HS_EXPECT_ERROR(ctx, OVERFLOW, "HINCRBY", "h", "b", "1");
    HS_EXPECT_INT(ctx, -1, "HINCRBY", "h", "b", "-9223372036854775808");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "c", "-9223372036854775808");
    HS_EXPECT_ERROR(ctx, OVERFLOW, "HINCRBY", "h", "c", "-1");
    HS_EXPECT_BULK(ctx, "-9223372036854775808", "HGET", "h", "c");
    HS_EXPECT_INT(ctx, 4, "HSET", "h", "s", "abc", "z", "007", "sp", " 1", "fl", "1.0");
    HS_EXPECT_ERROR(ctx, HASH_NOT_INT, "HINCRBY", "h", "s", "1");
    HS_EXPECT_ERROR(ctx, HASH_NOT_INT, "HINCRBY", "h", "z", "1");
    HS_EXPECT_ERROR(ctx, HASH_NOT_INT, "HINCRBY", "h", "sp", "1");
    HS_EXPECT_ERROR(ctx, HASH_NOT_INT, "HINCRBY", "h", "fl", "1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "HINCRBY", "h", "a", "x");
    HS_EXPECT_ERROR(ctx, NOT_INT, "HINCRBY", "h", "a", "1.0");
    HS_EXPECT_ERROR(ctx, NOT_INT, "HINCRBY", "h", "a", "9223372036854775808");
    HS_EXPECT_ERROR(ctx, NOT_INT, "HINCRBY", "h", "a", "");
    /* A bad increment never creates the key. */
    HS_EXPECT_ERROR(ctx, NOT_INT, "HINCRBY", "new", "a", "x");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "new");
    /* On a hashtable-encoded hash too. */
    hset_many("big", "f", 0, DEFAULT_MAX_ENTRIES + 1);
    HS_EXPECT_INT(ctx, 10, "HINCRBY", "big", "counter", "10");
    HS_EXPECT_INT(ctx, 7, "HINCRBY", "big", "counter", "-3");
    HS_EXPECT_ERROR(ctx, HASH_NOT_INT, "HINCRBY", "big", "f1", "1");
    expect_encoding("big", "hashtable");
}
END_TEST

START_TEST(test_hincrbyfloat) {
    HS_EXPECT_BULK(ctx, "10.5", "HINCRBYFLOAT", "h", "a", "10.5");
    HS_EXPECT_BULK(ctx, "10.6", "HINCRBYFLOAT", "h", "a", "0.1");
    HS_EXPECT_BULK(ctx, "5.6", "HINCRBYFLOAT", "h", "a", "-5");
    HS_EXPECT_BULK(ctx, "5.6", "HGET", "h", "a");
    HS_EXPECT_BULK(ctx, "3000", "HINCRBYFLOAT", "h", "b", "3.0e3");
    HS_EXPECT_BULK(ctx, "0", "HINCRBYFLOAT", "h", "b", "-3000");
    HS_EXPECT_BULK(ctx, "16", "HINCRBYFLOAT", "h", "hex", "0x10");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "n", "5");
    HS_EXPECT_BULK(ctx, "6.25", "HINCRBYFLOAT", "h", "n", "1.25");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "s", "abc");
    HS_EXPECT_ERROR(ctx, HASH_NOT_FLOAT, "HINCRBYFLOAT", "h", "s", "1");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "HINCRBYFLOAT", "h", "a", "x");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "HINCRBYFLOAT", "h", "a", "nan");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "HINCRBYFLOAT", "h", "a", "");
    HS_EXPECT_ERROR(ctx, "ERR value is NaN or Infinity", "HINCRBYFLOAT", "h", "a", "inf");
    HS_EXPECT_ERROR(ctx, "ERR value is NaN or Infinity", "HINCRBYFLOAT", "new", "a", "-inf");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "new");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "big", "1e4932");
    HS_EXPECT_ERROR(ctx, NAN_INF, "HINCRBYFLOAT", "h", "big", "1e4932");
    HS_EXPECT_BULK(ctx, "1e4932", "HGET", "h", "big");
    /* An integer counter continues as a float and back. */
    HS_EXPECT_INT(ctx, 10, "HINCRBY", "g", "x", "10");
    HS_EXPECT_BULK(ctx, "10.5", "HINCRBYFLOAT", "g", "x", "0.5");
    HS_EXPECT_ERROR(ctx, HASH_NOT_INT, "HINCRBY", "g", "x", "1");
    HS_EXPECT_BULK(ctx, "11", "HINCRBYFLOAT", "g", "x", "0.5");
    HS_EXPECT_INT(ctx, 12, "HINCRBY", "g", "x", "1");
    /* A result too long for a listpack converts the hash. */
    expect_encoding("h", "listpack");
    HS_EXPECT_BULK(ctx, "10000000000000000000222479489586148259025995410601157579323600873193472", "HINCRBYFLOAT",
                   "g", "y", "1e70");
    expect_encoding("g", "hashtable");
}
END_TEST

/* ---------------------------------------------------------- encodings */

/* Fills key with n fields, checking the encoding before and after the one
 * that crosses max entries. */
static void check_entry_threshold(const char *key, int max) {
    hset_many(key, "f", 0, max);
    expect_encoding(key, "listpack");
    HS_EXPECT_INT(ctx, max, "HLEN", key);
    HS_EXPECT_INT(ctx, 0, "HSET", key, "f0", "changed");
    expect_encoding(key, "listpack");
    char f[ARG_BUF];
    snprintf(f, sizeof(f), "f%d", max);
    HS_EXPECT_INT(ctx, 1, "HSET", key, f, "last");
    expect_encoding(key, "hashtable");
    HS_EXPECT_INT(ctx, max + 1, "HLEN", key);
    HS_EXPECT_BULK(ctx, "changed", "HGET", key, "f0");
    HS_EXPECT_BULK(ctx, "last", "HGET", key, f);
    HS_EXPECT_BULK(ctx, "v7", "HGET", key, "f7");
}

START_TEST(test_entries_threshold_small) {
    check_entry_threshold("h", SMALL_MAX_ENTRIES);
    /* Deleting down to one field never converts back. */
    for (int i = 1; i <= SMALL_MAX_ENTRIES; i++) {
        char f[ARG_BUF];
        snprintf(f, sizeof(f), "f%d", i);
        HS_EXPECT_INT(ctx, 1, "HDEL", "h", f);
    }
    HS_EXPECT_INT(ctx, 1, "HLEN", "h");
    expect_encoding("h", "hashtable");
    HS_EXPECT_BULKS(ctx, HS_ARGS("f0", "changed"), "HGETALL", "h");
    /* One call adding max + 1 fields converts as well. */
    hset_many("one", "x", 0, SMALL_MAX_ENTRIES + 1);
    expect_encoding("one", "hashtable");
    HS_EXPECT_INT(ctx, SMALL_MAX_ENTRIES + 1, "HLEN", "one");
    hset_many("exact", "x", 0, SMALL_MAX_ENTRIES);
    expect_encoding("exact", "listpack");
}
END_TEST

START_TEST(test_entries_threshold_default) {
    check_entry_threshold("h", DEFAULT_MAX_ENTRIES);
}
END_TEST

START_TEST(test_value_threshold) {
    char v64[MAX_VALUE_BYTES + 1], v65[MAX_VALUE_BYTES + 2];
    memset(v64, 'a', MAX_VALUE_BYTES);
    v64[MAX_VALUE_BYTES] = '\0';
    memset(v65, 'b', MAX_VALUE_BYTES + 1);
    v65[MAX_VALUE_BYTES + 1] = '\0';
    HS_EXPECT_INT(ctx, 1, "HSET", "h64", v64, v64);
    expect_encoding("h64", "listpack");
    HS_EXPECT_BULK(ctx, v64, "HGET", "h64", v64);
    HS_EXPECT_INT(ctx, 2, "HSET", "hv", "a", "1", "b", v65);
    expect_encoding("hv", "hashtable");
    HS_EXPECT_BULK(ctx, v65, "HGET", "hv", "b");
    HS_EXPECT_BULK(ctx, "1", "HGET", "hv", "a");
    HS_EXPECT_INT(ctx, 1, "HSET", "hf", v65, "v");
    expect_encoding("hf", "hashtable");
    /* Long fields in reads or deletes change nothing. */
    HS_EXPECT_INT(ctx, 1, "HSET", "r", "a", "1");
    HS_EXPECT_NIL(ctx, "HGET", "r", v65);
    HS_EXPECT_INT(ctx, 0, "HDEL", "r", v65);
    HS_EXPECT_INT(ctx, 0, "HEXISTS", "r", v65);
    expect_encoding("r", "listpack");
    /* HINCRBY writing a long field converts first. */
    HS_EXPECT_INT(ctx, 1, "HINCRBY", "r", v65, "1");
    expect_encoding("r", "hashtable");
    HS_EXPECT_BULK(ctx, "1", "HGET", "r", v65);
    /* HMSET: 64 bytes stays, 65 converts. */
    HS_EXPECT_OK(ctx, "HMSET", "m", "k", v64);
    expect_encoding("m", "listpack");
    HS_EXPECT_OK(ctx, "HMSET", "m", "k2", v65);
    expect_encoding("m", "hashtable");
    HS_EXPECT_BULK(ctx, v64, "HGET", "m", "k");
}
END_TEST

/* ---------------------------------------------------------- HRANDFIELD */

/* Checks an HRANDFIELD reply of a hash whose field f<i> holds v<i> (i <
 * n): expect_len elements, fields from the hash, values matching fields,
 * and (distinct) no field twice. Returns how many distinct fields came. */
static int check_randfield(const redisReply *r, size_t expect_len, int withvalues, int distinct, int n) {
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, expect_len);
    char *seen = calloc((size_t)n, 1);
    int different = 0;
    size_t step = withvalues ? 2 : 1;
    for (size_t i = 0; i < r->elements; i += step) {
        const redisReply *f = r->element[i];
        ck_assert_int_eq(f->type, REDIS_REPLY_STRING);
        ck_assert_msg(f->len > 1 && f->str[0] == 'f', "not a field: %s", f->str);
        int idx = atoi(f->str + 1);
        ck_assert_msg(idx >= 0 && idx < n, "field out of the hash: %s", f->str);
        if (withvalues) {
            char v[ARG_BUF];
            snprintf(v, sizeof(v), "v%d", idx);
            HS_CHECK_BULK(r->element[i + 1], v, strlen(v));
        }
        if (distinct) ck_assert_msg(!seen[idx], "field %s returned twice", f->str);
        if (!seen[idx]) different++;
        seen[idx] = 1;
    }
    free(seen);
    return different;
}

static void check_randfield_on(const char *key, int n) {
    char cnt[ARG_BUF];
    /* Positive counts: distinct, at most the size. */
    int counts[] = {1, 2, 5, n / 3, n / 3 + 1, n - 1, n, n + 5};
    for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        int want = counts[k] < n ? counts[k] : n;
        snprintf(cnt, sizeof(cnt), "%d", counts[k]);
        redisReply *r = hs_command(ctx, HS_ARGS("HRANDFIELD", key, cnt));
        ck_assert_int_eq(check_randfield(r, (size_t)want, 0, 1, n), want);
        freeReplyObject(r);
        r = hs_command(ctx, HS_ARGS("HRANDFIELD", key, cnt, "WITHVALUES"));
        ck_assert_int_eq(check_randfield(r, (size_t)want * 2, 1, 1, n), want);
        freeReplyObject(r);
    }
    /* Negative counts: exactly that many, repeats allowed (and, with more
     * draws than fields, bound to happen). */
    snprintf(cnt, sizeof(cnt), "%d", -3 * n);
    redisReply *r = hs_command(ctx, HS_ARGS("HRANDFIELD", key, cnt));
    int different = check_randfield(r, (size_t)(3 * n), 0, 0, n);
    ck_assert_int_lt(different, 3 * n);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("HRANDFIELD", key, cnt, "withvalues"));
    check_randfield(r, (size_t)(6 * n), 1, 0, n);
    freeReplyObject(r);
    /* No count: one field, a bulk. */
    r = hs_command(ctx, HS_ARGS("HRANDFIELD", key));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_msg(r->str[0] == 'f' && atoi(r->str + 1) < n, "bad field %s", r->str);
    freeReplyObject(r);
}

START_TEST(test_hrandfield_properties) {
    const int small = 10, big = 1000;
    hset_many("small", "f", 0, small);
    expect_encoding("small", "listpack");
    check_randfield_on("small", small);
    hset_many("big", "f", 0, big);
    expect_encoding("big", "hashtable");
    check_randfield_on("big", big);
    /* count >= size returns the whole small hash in order. */
    HS_EXPECT_BULKS(ctx, HS_ARGS("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"), "HRANDFIELD", "small",
                    "100");
    /* Edges. */
    redisReply *r = hs_command(ctx, HS_ARGS("HRANDFIELD", "small", "0"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("HRANDFIELD", "nokey", "-5", "WITHVALUES"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_NIL(ctx, "HRANDFIELD", "nokey");
    HS_EXPECT_ERROR(ctx, NOT_INT, "HRANDFIELD", "nokey", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "HRANDFIELD", "small", "1", "foo");
    HS_EXPECT_ERROR(ctx, SYNTAX, "HRANDFIELD", "small", "1", "withvalues", "x");
    HS_EXPECT_ERROR(ctx, "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                    "HRANDFIELD", "small", "-9223372036854775808");
    HS_EXPECT_ERROR(ctx, "ERR value is out of range", "HRANDFIELD", "small", "-4611686018427387904",
                    "WITHVALUES");
}
END_TEST

START_TEST(test_hrandfield_fairness) {
    /* Every field of each encoding turns up among many single draws (the
     * chance that one of 10 is missed in 2000 fair draws is ~1e-90). */
    const int n = 10, draws = 2000;
    hset_many("small", "f", 0, n);
    hset_many("big", "g", 0, DEFAULT_MAX_ENTRIES + 1);
    char cnt[ARG_BUF];
    snprintf(cnt, sizeof(cnt), "-%d", draws);
    redisReply *r = hs_command(ctx, HS_ARGS("HRANDFIELD", "small", cnt));
    ck_assert_int_eq(check_randfield(r, (size_t)draws, 0, 0, n), n);
    freeReplyObject(r);
    /* Unique picks of 5 from 10, repeated: each field appears sometimes. */
    int hits[10] = {0};
    for (int i = 0; i < 200; i++) {
        r = hs_command(ctx, HS_ARGS("HRANDFIELD", "small", "5"));
        check_randfield(r, 5, 0, 1, n);
        for (size_t j = 0; j < r->elements; j++) hits[atoi(r->element[j]->str + 1)]++;
        freeReplyObject(r);
    }
    for (int i = 0; i < n; i++) ck_assert_msg(hits[i] > 0, "field f%d never drawn", i);
}
END_TEST

/* ---------------------------------------------------------- HSCAN */

START_TEST(test_hscan_listpack) {
    HS_EXPECT_INT(ctx, 4, "HSET", "h", "a", "1", "b", "2", "ab", "3", "9", "4");
    redisReply *r = hs_command(ctx, HS_ARGS("HSCAN", "h", "0", "COUNT", "1"));
    ck_assert_int_eq(r->elements, 2);
    HS_CHECK_BULK(r->element[0], "0", 1);
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("a", "1", "b", "2", "ab", "3", "9", "4"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("HSCAN", "h", "0", "MATCH", "a*"));
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("a", "1", "ab", "3"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("HSCAN", "nokey", "0", "COUNT", "0"));
    HS_CHECK_BULK(r->element[0], "0", 1);
    ck_assert_int_eq(r->element[1]->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR invalid cursor", "HSCAN", "h", "x");
    HS_EXPECT_ERROR(ctx, "ERR invalid cursor", "HSCAN", "nokey", "1x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "HSCAN", "h", "0", "COUNT", "0");
    HS_EXPECT_ERROR(ctx, NOT_INT, "HSCAN", "h", "0", "COUNT", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "HSCAN", "h", "0", "TYPE", "hash");
    HS_EXPECT_ERROR(ctx, SYNTAX, "HSCAN", "h", "0", "MATCH");
}
END_TEST

/* Runs a full HSCAN of key with the given COUNT, adding SCAN_ADDS_PER_CALL
 * new fields ("new<k>") after each call; marks seen[i] for every "f<i>"
 * (i < n) returned, checking each value. Returns the number of calls. */
static int hscan_all(const char *key, const char *count, const char *match, char *seen, int n) {
    char cursor[ARG_BUF] = "0";
    int calls = 0, added = 0;
    do {
        redisReply *r = match ? hs_command(ctx, HS_ARGS("HSCAN", key, cursor, "COUNT", count, "MATCH", match))
                              : hs_command(ctx, HS_ARGS("HSCAN", key, cursor, "COUNT", count));
        ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
        ck_assert_int_eq(r->elements, 2);
        ck_assert_int_eq(r->element[0]->type, REDIS_REPLY_STRING);
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        const redisReply *items = r->element[1];
        ck_assert_int_eq(items->elements % 2, 0);
        for (size_t i = 0; i < items->elements; i += 2) {
            const char *f = items->element[i]->str;
            if (f[0] != 'f') continue;
            int idx = atoi(f + 1);
            ck_assert(idx >= 0 && idx < n);
            char v[ARG_BUF];
            snprintf(v, sizeof(v), "v%d", idx);
            HS_CHECK_BULK(items->element[i + 1], v, strlen(v));
            seen[idx] = 1;
        }
        freeReplyObject(r);
        hset_many(key, "new", added, SCAN_ADDS_PER_CALL);
        added += SCAN_ADDS_PER_CALL;
        calls++;
        ck_assert_msg(calls < 100 * n, "HSCAN does not terminate");
    } while (strcmp(cursor, "0") != 0);
    return calls;
}

START_TEST(test_hscan_full_iteration_while_adding) {
    hset_many("h", "f", 0, SCAN_FIELDS);
    expect_encoding("h", "hashtable");
    char *seen = calloc(SCAN_FIELDS, 1);
    int calls = hscan_all("h", "10", NULL, seen, SCAN_FIELDS);
    /* The table grows (rehashes) during the scan, still nothing is missed. */
    for (int i = 0; i < SCAN_FIELDS; i++) ck_assert_msg(seen[i], "field f%d never returned", i);
    ck_assert_msg(calls > 10, "a hashtable scan with COUNT 10 took only %d calls", calls);
    /* With MATCH: only fields f1, f1x, f1xx... are returned. */
    memset(seen, 0, SCAN_FIELDS);
    hscan_all("h", "50", "f1*", seen, SCAN_FIELDS);
    for (int i = 0; i < SCAN_FIELDS; i++) {
        char f[ARG_BUF];
        snprintf(f, sizeof(f), "f%d", i);
        ck_assert_msg(seen[i] == (f[1] == '1'), "MATCH f1* wrong for %s", f);
    }
    free(seen);
}
END_TEST

/* ---------------------------------------------------------- RESP3 */

START_TEST(test_resp3_replies) {
    HS_EXPECT_INT(ctx, 2, "HSET", "h", "a", "1", "b", "2");
    int fd = raw_resp3();
    HS_RAW_EXPECT(fd, "*2\r\n$7\r\nHGETALL\r\n$1\r\nh\r\n", "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$7\r\nHGETALL\r\n$2\r\nno\r\n", "%0\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$5\r\nHKEYS\r\n$2\r\nno\r\n", "*0\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$4\r\nHGET\r\n$1\r\nh\r\n$1\r\nz\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "*4\r\n$5\r\nHMGET\r\n$1\r\nh\r\n$1\r\nz\r\n$1\r\na\r\n", "*2\r\n_\r\n$1\r\n1\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$10\r\nHRANDFIELD\r\n$2\r\nno\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$10\r\nHRANDFIELD\r\n$2\r\nno\r\n$1\r\n3\r\n", "*0\r\n");
    /* WITHVALUES pairs are nested arrays in RESP3. */
    HS_RAW_EXPECT(fd, "*4\r\n$10\r\nHRANDFIELD\r\n$1\r\nh\r\n$1\r\n5\r\n$10\r\nWITHVALUES\r\n",
                  "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$5\r\nHSCAN\r\n$1\r\nh\r\n$1\r\n0\r\n",
                  "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
    HS_RAW_EXPECT(fd, "*4\r\n$12\r\nHINCRBYFLOAT\r\n$1\r\nh\r\n$1\r\na\r\n$3\r\n1.5\r\n", "$3\r\n2.5\r\n");
    /* Negative count with values: each of the 4 draws is a 2-element array. */
    HS_RAW_SEND_STR(fd, "*4\r\n$10\r\nHRANDFIELD\r\n$1\r\nh\r\n$2\r\n-4\r\n$10\r\nWITHVALUES\r\n");
    hs_buf got = hs_raw_read_until(fd, "\r\n", 2000);
    ck_assert_msg(got.len >= 4 && memcmp(got.data, "*4\r\n", 4) == 0, "not *4: %s", got.data);
    hs_buf_free(&got);
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- model */

/* The expected contents: value per field index, NULL when absent. */
struct model {
    char *val[MODEL_FIELDS];
    int len;
};

static void model_set(struct model *m, int f, const char *v) {
    if (m->val[f] == NULL) m->len++;
    free(m->val[f]);
    m->val[f] = strdup(v);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* HGETALL "m" as sorted "field=value" lines must equal the model's. */
static void model_compare(const struct model *m) {
    redisReply *r = hs_command(ctx, HS_ARGS("HGETALL", "m"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, (size_t)m->len * 2);
    char **got = malloc(sizeof(char *) * (r->elements / 2 + 1));
    char **want = malloc(sizeof(char *) * (MODEL_FIELDS + 1));
    int nw = 0;
    for (size_t i = 0; i < r->elements; i += 2) {
        got[i / 2] = malloc(2 * ARG_BUF + 2);
        snprintf(got[i / 2], 2 * ARG_BUF + 2, "%s=%s", r->element[i]->str, r->element[i + 1]->str);
    }
    for (int f = 0; f < MODEL_FIELDS; f++) {
        if (m->val[f] == NULL) continue;
        want[nw] = malloc(2 * ARG_BUF + 2);
        snprintf(want[nw], 2 * ARG_BUF + 2, "k%d=%s", f, m->val[f]);
        nw++;
    }
    qsort(got, r->elements / 2, sizeof(char *), cmp_str);
    qsort(want, (size_t)nw, sizeof(char *), cmp_str);
    for (int i = 0; i < nw; i++) ck_assert_str_eq(got[i], want[i]);
    for (int i = 0; i < nw; i++) {
        free(got[i]);
        free(want[i]);
    }
    free(got);
    free(want);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, m->len, "HLEN", "m");
    if (m->len == 0) HS_EXPECT_INT(ctx, 0, "EXISTS", "m");
}

/* One random operation on "m" and the model; replies are checked. */
static void model_step(struct model *m, unsigned *seed) {
    int f = (int)(rand_r(seed) % MODEL_FIELDS);
    char field[ARG_BUF], val[ARG_BUF];
    snprintf(field, sizeof(field), "k%d", f);
    /* Mostly short values, sometimes a long one (forces the hashtable). */
    int vlen = rand_r(seed) % 50 == 0 ? MAX_VALUE_BYTES + 5 : (int)(rand_r(seed) % 8);
    for (int i = 0; i < vlen; i++) val[i] = (char)('a' + rand_r(seed) % 26);
    val[vlen] = '\0';
    switch (rand_r(seed) % 6) {
    case 0:
    case 1:
        HS_EXPECT_INT(ctx, m->val[f] == NULL, "HSET", "m", field, val);
        model_set(m, f, val);
        break;
    case 2:
        HS_EXPECT_INT(ctx, m->val[f] == NULL, "HSETNX", "m", field, val);
        if (m->val[f] == NULL) model_set(m, f, val);
        break;
    case 3:
        HS_EXPECT_INT(ctx, m->val[f] != NULL, "HDEL", "m", field);
        if (m->val[f]) m->len--;
        free(m->val[f]);
        m->val[f] = NULL;
        break;
    case 4: {
        char *end;
        long long cur = m->val[f] ? strtoll(m->val[f], &end, 10) : 0;
        int numeric = m->val[f] == NULL || (m->val[f][0] && *end == '\0' && (m->val[f][0] != '0' || !m->val[f][1]));
        if (!numeric) {
            HS_EXPECT_ERROR(ctx, HASH_NOT_INT, "HINCRBY", "m", field, "3");
            break;
        }
        char out[ARG_BUF];
        snprintf(out, sizeof(out), "%lld", cur + 3);
        HS_EXPECT_INT(ctx, cur + 3, "HINCRBY", "m", field, "3");
        model_set(m, f, out);
        break;
    }
    default:
        if (m->val[f]) HS_EXPECT_BULK(ctx, m->val[f], "HGET", "m", field);
        else HS_EXPECT_NIL(ctx, "HGET", "m", field);
        break;
    }
}

START_TEST(test_randomized_against_model) {
    struct model m = {0};
    unsigned seed = MODEL_SEED;
    int saw_listpack = 0;
    for (int op = 1; op <= MODEL_OPS; op++) {
        model_step(&m, &seed);
        if (op % MODEL_CHECK_EVERY) continue;
        model_compare(&m);
        if (m.len) {
            redisReply *r = hs_command(ctx, HS_ARGS("OBJECT", "ENCODING", "m"));
            saw_listpack |= strcmp(r->str, "listpack") == 0;
            freeReplyObject(r);
        }
        /* Start again now and then, so both encodings get long runs. */
        if (op % (MODEL_OPS / 4) == 0) {
            HS_EXPECT_INT(ctx, m.len > 0, "DEL", "m");
            for (int f = 0; f < MODEL_FIELDS; f++) {
                free(m.val[f]);
                m.val[f] = NULL;
            }
            m.len = 0;
        }
    }
    ck_assert_msg(saw_listpack, "the model run never saw a listpack hash");
    for (int f = 0; f < MODEL_FIELDS; f++) free(m.val[f]);
}
END_TEST

static Suite *hash_suite(void) {
    Suite *s = suite_create("hash");
    TCase *tc = hs_tcase(s, "commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_set_get_basic);
    tcase_add_test(tc, test_hsetnx);
    tcase_add_test(tc, test_hdel);
    tcase_add_test(tc, test_arity);
    tcase_add_test(tc, test_wrongtype);
    tcase_add_test(tc, test_values_edges);
    tcase_add_test(tc, test_hincrby);
    tcase_add_test(tc, test_hincrbyfloat);
    tcase_add_test(tc, test_entries_threshold_default);
    tcase_add_test(tc, test_hrandfield_properties);
    tcase_add_test(tc, test_hrandfield_fairness);
    tcase_add_test(tc, test_hscan_listpack);
    tcase_add_test(tc, test_hscan_full_iteration_while_adding);
    tcase_add_test(tc, test_resp3_replies);
    TCase *small = hs_tcase(s, "small-listpack");
    tcase_add_checked_fixture(small, setup_small, teardown);
    tcase_add_test(small, test_entries_threshold_small);
    tcase_add_test(small, test_value_threshold);
    tcase_add_test(small, test_randomized_against_model);
    return s;
}

int main(void) {
    return hs_run_suite(hash_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
