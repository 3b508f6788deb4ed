/* test_stream.c -- integration tests for the stream entry commands: XADD
 * XRANGE XREVRANGE XLEN XDEL XTRIM XSETID, and the stream value in the
 * generic commands (TYPE, OBJECT ENCODING, COPY, RENAME). Success paths,
 * arity, WRONGTYPE, every error text, exclusive ranges, COUNT, trims with
 * small nodes (exact, "~", LIMIT), RESP3 shapes, keyspace events, the
 * dirty count, and the propagated effects (a generated ID and an
 * approximate trim written out as what they became).
 *
 * Expected replies are Redis 7.0's (asked of redis-server 7.0.15; the
 * differential cases tests/diff/stream_*.txt compare the same byte for
 * byte). IDs are explicit wherever a reply shows them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define INVALID_ID "ERR Invalid stream ID specified as stream command argument"
#define NOT_INT "ERR value is not an integer or out of range"
#define SYNTAX "ERR syntax error"
#define ID_TOO_SMALL "ERR The ID specified in XADD is equal or smaller than the target stream top item"
/* Entries in the many-nodes test (nodes of NODE_ENTRIES). */
#define MANY_ENTRIES 1000
#define NODE_ENTRIES_STR "7"
#define RAW_IDLE_MS 300

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
}

static void teardown(void) {
    /* Streams freed before exit: rax.c keeps its pointers unaligned, where
     * LeakSanitizer (SANITIZE=address builds) cannot see them, so streams
     * still held at exit would be reported as leaks. */
    redisContext *c = hs_connect(srv);
    freeReplyObject(hs_command(c, HS_ARGS("FLUSHALL", "SYNC")));
    redisFree(c);
    redisFree(ctx);
    hs_stop(srv);
}

/* ---------------------------------------------------------- helpers */

static void run_ignore(const char *line) {
    freeReplyObject(hs_command_line(ctx, line));
}

/* The reply to line must dump (hs_cat_reply) exactly as want. */
static void expect_dump(const char *file, int line, const char *cmd, const char *want) {
    redisReply *r = hs_command_line(ctx, cmd);
    hs_buf got = {0};
    hs_cat_reply(&got, r);
    ck_assert_msg(strcmp(got.data, want) == 0, "%s:%d: %s\n  expected %s\n  got      %s", file, line, cmd, want,
                  got.data);
    hs_buf_free(&got);
    freeReplyObject(r);
}
#define EXPECT_DUMP(cmd, want) expect_dump(__FILE__, __LINE__, cmd, want)

/* The effects captured since the last call must be exactly the commands
 * of want ("CMD a b|CMD c"; "" for none). */
static void check_effects(const char *file, int line, const char *want) {
    hs_buf w = {0};
    char buf[1024];
    ck_assert_uint_lt(strlen(want), sizeof(buf));
    strcpy(buf, want);
    char *save;
    for (char *cmd = strtok_r(buf, "|", &save); cmd; cmd = strtok_r(NULL, "|", &save)) hs_cat_command_resp(&w, cmd);
    if (w.data == NULL) hs_buf_cat(&w, "", 0);
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    ck_assert_msg(r->type == REDIS_REPLY_STRING, "%s:%d: DEBUG EFFECTS GET did not reply a bulk", file, line);
    hs_check_bytes(file, line, r->str, r->len, w.data, w.len);
    hs_buf_free(&w);
    freeReplyObject(r);
}
#define EFFECTS_OF(cmd, want) \
    do {                      \
        run_ignore(cmd);      \
        check_effects(__FILE__, __LINE__, want); \
    } while (0)

/* ---------------------------------------------------------- XADD */

START_TEST(test_xadd_ids) {
    HS_EXPECT_BULK(ctx, "1-1", "XADD", "s", "1-1", "a", "1");
    HS_EXPECT_BULK(ctx, "1-2", "XADD", "s", "1-*", "a", "2");
    HS_EXPECT_BULK(ctx, "3-0", "XADD", "s", "3-*", "a", "3");
    HS_EXPECT_BULK(ctx, "5-0", "XADD", "s", "5", "a", "4");
    HS_EXPECT_BULK(ctx, "5-7", "XADD", "s", "5-7", "a", "5", "b", "6");
    /* Redis's lax number forms: "+6" and " 7" are 6 and 7. */
    HS_EXPECT_BULK(ctx, "6-0", "XADD", "s", "+6", "a", "1");
    HS_EXPECT_BULK(ctx, "7-3", "XADD", "s", "7- 3", "a", "1");
    HS_EXPECT_INT(ctx, 7, "XLEN", "s");
    /* "*": the time now, at least after last_id. */
    redisReply *r = hs_command(ctx, HS_ARGS("XADD", "s", "*", "a", "1"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    unsigned long long ms = strtoull(r->str, NULL, 10);
    ck_assert_uint_gt(ms, 1600000000000ULL);
    ck_assert(strcmp(strchr(r->str, '-'), "-0") == 0);
    freeReplyObject(r);
    HS_EXPECT_BULK(ctx, "18446744073709551615-18446744073709551615", "XADD", "m",
                   "18446744073709551615-18446744073709551615", "f", "v");
    HS_EXPECT_ERROR(ctx, "ERR The stream has exhausted the last possible ID, unable to add more items", "XADD", "m",
                    "*", "f", "v");
    HS_EXPECT_BULK(ctx, "5-18446744073709551615", "XADD", "t", "5-18446744073709551615", "f", "v");
    HS_EXPECT_ERROR(ctx, "ERR Elements are too large to be stored", "XADD", "t", "5-*", "f", "v");
    HS_EXPECT_ERROR(ctx, ID_TOO_SMALL, "XADD", "t", "4-*", "f", "v");
    HS_EXPECT_STATUS(ctx, "stream", "TYPE", "s");
    HS_EXPECT_BULK(ctx, "stream", "OBJECT", "ENCODING", "s");
}
END_TEST

START_TEST(test_xadd_errors) {
    HS_EXPECT_BULK(ctx, "1-1", "XADD", "s", "1-1", "a", "1");
    HS_EXPECT_ERROR(ctx, ID_TOO_SMALL, "XADD", "s", "1-1", "a", "1");
    HS_EXPECT_ERROR(ctx, ID_TOO_SMALL, "XADD", "s", "0-*", "a", "1");
    HS_EXPECT_ERROR(ctx, "ERR The ID specified in XADD must be greater than 0-0", "XADD", "s", "0-0", "a", "1");
    HS_EXPECT_ERROR(ctx, "ERR The ID specified in XADD must be greater than 0-0", "XADD", "new", "0", "a", "1");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "new");
    HS_EXPECT_ARITY(ctx, "xadd", "XADD", "s", "1-*", "a");
    HS_EXPECT_ARITY(ctx, "xadd", "XADD", "s", "1-*", "a", "1", "b");
    HS_EXPECT_ARITY(ctx, "xadd", "XADD", "s", "MAXLEN", "5");
    HS_EXPECT_ARITY(ctx, "xadd", "XADD", "s", "MAXLEN", "~", "5");
    HS_EXPECT_ARITY(ctx, "xadd", "XADD", "s", "2-1", "NOMKSTREAM", "a", "1");
    HS_EXPECT_ERROR(ctx, "ERR The MAXLEN argument must be >= 0.", "XADD", "s", "MAXLEN", "-1", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, "ERR The MAXLEN argument must be >= 0.", "XADD", "s", "MAXLEN", "~", "-1", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "XADD", "s", "MAXLEN", "abc", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "XADD", "s", "MAXLEN", "1.5", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error, MAXLEN and MINID options at the same time are not compatible", "XADD",
                    "s", "MAXLEN", "1", "MINID", "5", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy", "XADD",
                    "s", "LIMIT", "5", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error, LIMIT cannot be used without the special ~ option", "XADD", "s",
                    "MAXLEN", "5", "LIMIT", "5", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error, LIMIT cannot be used without the special ~ option", "XADD", "s",
                    "MAXLEN", "=", "5", "LIMIT", "5", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, "ERR The LIMIT argument must be >= 0.", "XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "*",
                    "a", "1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "XADD", "s", "MAXLEN", "~", "5", "LIMIT", "x", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XADD", "s", "FOO", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XADD", "s", "MINID", "~", "-", "3-1", "a", "1");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XADD", "s", "MINID", "(5", "3-1", "a", "1");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XADD", "s", "18446744073709551616-1", "a", "1");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XADD", "s", "1--1", "a", "1");
    /* NOMKSTREAM: nothing created, a null reply. */
    HS_EXPECT_NIL(ctx, "XADD", "nokey", "NOMKSTREAM", "3-1", "a", "1");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nokey");
    HS_EXPECT_BULK(ctx, "2-1", "XADD", "s", "NOMKSTREAM", "NOMKSTREAM", "2-1", "a", "1");
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "XADD", "str", "*", "a", "1");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "XADD", "str", "NOMKSTREAM", "*", "a", "1");
    HS_EXPECT_ARITY(ctx, "xadd", "XADD", "s", "*", "a");
    HS_EXPECT_ARITY(ctx, "xadd", "XADD", "s");
}
END_TEST

/* ---------------------------------------------------------- ranges */

static void fill_small(void) {
    run_ignore("XADD s 1-1 a 1");
    run_ignore("XADD s 1-2 a 2 b x");
    run_ignore("XADD s 2-0 a 3");
    run_ignore("XADD s 3-5 c 4");
}

START_TEST(test_xrange) {
    fill_small();
    EXPECT_DUMP("XRANGE s - +",
                "array(4)[array(2)[bulk \"1-1\", array(2)[bulk \"a\", bulk \"1\"]], array(2)[bulk \"1-2\", "
                "array(4)[bulk \"a\", bulk \"2\", bulk \"b\", bulk \"x\"]], array(2)[bulk \"2-0\", array(2)[bulk "
                "\"a\", bulk \"3\"]], array(2)[bulk \"3-5\", array(2)[bulk \"c\", bulk \"4\"]]]");
    EXPECT_DUMP("XRANGE s 1 1", "array(2)[array(2)[bulk \"1-1\", array(2)[bulk \"a\", bulk \"1\"]], array(2)[bulk "
                                "\"1-2\", array(4)[bulk \"a\", bulk \"2\", bulk \"b\", bulk \"x\"]]]");
    EXPECT_DUMP("XRANGE s (1-1 (3-5", "array(2)[array(2)[bulk \"1-2\", array(4)[bulk \"a\", bulk \"2\", bulk \"b\", "
                                      "bulk \"x\"]], array(2)[bulk \"2-0\", array(2)[bulk \"a\", bulk \"3\"]]]");
    /* "(1" is past 1-0, so 1-1 is in. */
    EXPECT_DUMP("XRANGE s (1 + COUNT 1", "array(1)[array(2)[bulk \"1-1\", array(2)[bulk \"a\", bulk \"1\"]]]");
    EXPECT_DUMP("XREVRANGE s + - COUNT 2", "array(2)[array(2)[bulk \"3-5\", array(2)[bulk \"c\", bulk \"4\"]], "
                                           "array(2)[bulk \"2-0\", array(2)[bulk \"a\", bulk \"3\"]]]");
    EXPECT_DUMP("XREVRANGE s (2-0 -", "array(2)[array(2)[bulk \"1-2\", array(4)[bulk \"a\", bulk \"2\", bulk \"b\", "
                                      "bulk \"x\"]], array(2)[bulk \"1-1\", array(2)[bulk \"a\", bulk \"1\"]]]");
    EXPECT_DUMP("XRANGE s 3-6 +", "array(0)[]");
    EXPECT_DUMP("XRANGE s + -", "array(0)[]");
    EXPECT_DUMP("XRANGE s - + COUNT 1 COUNT 2", "array(2)[array(2)[bulk \"1-1\", array(2)[bulk \"a\", bulk \"1\"]], "
                                                "array(2)[bulk \"1-2\", array(4)[bulk \"a\", bulk \"2\", bulk \"b\", "
                                                "bulk \"x\"]]]");
    /* COUNT 0 (or negative) is a null array on a stream, empty on none. */
    EXPECT_DUMP("XRANGE s - + COUNT 0", "nil");
    EXPECT_DUMP("XRANGE s - + COUNT -5", "nil");
    EXPECT_DUMP("XRANGE nokey - + COUNT 0", "array(0)[]");
    EXPECT_DUMP("XREVRANGE nokey + -", "array(0)[]");
    HS_EXPECT_ERROR(ctx, SYNTAX, "XRANGE", "s", "-", "+", "COUNT");
    HS_EXPECT_ERROR(ctx, SYNTAX, "XRANGE", "s", "-", "+", "FOO");
    HS_EXPECT_ERROR(ctx, NOT_INT, "XRANGE", "s", "-", "+", "COUNT", "x");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XRANGE", "s", "(-", "+");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XRANGE", "s", "-", "(+");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XRANGE", "s", "abc", "+");
    HS_EXPECT_ERROR(ctx, "ERR invalid start ID for the interval", "XRANGE", "s",
                    "(18446744073709551615-18446744073709551615", "+");
    HS_EXPECT_ERROR(ctx, "ERR invalid end ID for the interval", "XRANGE", "s", "-", "(0-0");
    HS_EXPECT_ERROR(ctx, "ERR invalid end ID for the interval", "XREVRANGE", "s", "(0-0", "-");
    HS_EXPECT_ARITY(ctx, "xrange", "XRANGE", "s", "-");
    HS_EXPECT_ARITY(ctx, "xrevrange", "XREVRANGE", "s", "+");
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "XRANGE", "str", "-", "+");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "XREVRANGE", "str", "+", "-");
}
END_TEST

START_TEST(test_many_nodes) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "stream-node-max-entries", NODE_ENTRIES_STR);
    char id[32], val[32];
    for (int i = 1; i <= MANY_ENTRIES; i++) {
        snprintf(id, sizeof(id), "%d-%d", i / 3, i);
        snprintf(val, sizeof(val), "v%d", i);
        const char *field = i % 5 ? "f" : "g";
        redisReply *r = hs_command(ctx, HS_ARGS("XADD", "s", id, field, val));
        HS_CHECK_BULK(r, id, strlen(id));
        freeReplyObject(r);
    }
    HS_EXPECT_INT(ctx, MANY_ENTRIES, "XLEN", "s");
    redisReply *fw = hs_command(ctx, HS_ARGS("XRANGE", "s", "-", "+"));
    redisReply *bw = hs_command(ctx, HS_ARGS("XREVRANGE", "s", "+", "-"));
    ck_assert_uint_eq(fw->elements, MANY_ENTRIES);
    ck_assert_uint_eq(bw->elements, MANY_ENTRIES);
    for (int i = 0; i < MANY_ENTRIES; i++) {
        redisReply *a = fw->element[i], *b = bw->element[MANY_ENTRIES - 1 - i];
        snprintf(id, sizeof(id), "%d-%d", (i + 1) / 3, i + 1);
        snprintf(val, sizeof(val), "v%d", i + 1);
        ck_assert_str_eq(a->element[0]->str, id);
        ck_assert_str_eq(b->element[0]->str, id);
        ck_assert_str_eq(a->element[1]->element[1]->str, val);
        ck_assert_str_eq(a->element[1]->element[0]->str, (i + 1) % 5 ? "f" : "g");
    }
    freeReplyObject(fw);
    freeReplyObject(bw);
    /* A range in the middle, with COUNT, both ways. */
    EXPECT_DUMP("XRANGE s 100 100", "array(3)[array(2)[bulk \"100-300\", array(2)[bulk \"g\", bulk \"v300\"]], "
                                    "array(2)[bulk \"100-301\", array(2)[bulk \"f\", bulk \"v301\"]], array(2)[bulk "
                                    "\"100-302\", array(2)[bulk \"f\", bulk \"v302\"]]]");
    EXPECT_DUMP("XREVRANGE s 100-301 - COUNT 1",
                "array(1)[array(2)[bulk \"100-301\", array(2)[bulk \"f\", bulk \"v301\"]]]");
}
END_TEST

/* ---------------------------------------------------------- XDEL */

START_TEST(test_xdel) {
    fill_small();
    HS_EXPECT_INT(ctx, 2, "XDEL", "s", "1-2", "1-2", "9-9", "2-0");
    HS_EXPECT_INT(ctx, 0, "XDEL", "s", "1-2");
    HS_EXPECT_INT(ctx, 2, "XLEN", "s");
    /* One bad ID and nothing is deleted. */
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XDEL", "s", "1-1", "abc");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XDEL", "s", "+");
    HS_EXPECT_INT(ctx, 2, "XLEN", "s");
    HS_EXPECT_INT(ctx, 0, "XDEL", "s", "1"); /* that is 1-0 */
    HS_EXPECT_INT(ctx, 1, "XDEL", "s", "1-1");
    EXPECT_DUMP("XRANGE s - +", "array(1)[array(2)[bulk \"3-5\", array(2)[bulk \"c\", bulk \"4\"]]]");
    HS_EXPECT_INT(ctx, 1, "XDEL", "s", "3-5");
    /* An emptied stream stays. */
    HS_EXPECT_INT(ctx, 0, "XLEN", "s");
    HS_EXPECT_INT(ctx, 1, "EXISTS", "s");
    HS_EXPECT_INT(ctx, 0, "XDEL", "nokey", "1-1");
    HS_EXPECT_INT(ctx, 0, "XDEL", "nokey", "abc");
    HS_EXPECT_ARITY(ctx, "xdel", "XDEL", "s");
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "XDEL", "str", "1-1");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "XLEN", "str");
    HS_EXPECT_INT(ctx, 0, "XLEN", "nokey");
    HS_EXPECT_ARITY(ctx, "xlen", "XLEN", "s", "x");
}
END_TEST

/* ---------------------------------------------------------- XTRIM */

START_TEST(test_xtrim) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "stream-node-max-entries", "4");
    char id[16];
    for (int i = 1; i <= 10; i++) { /* nodes: 1-4, 5-8, 9-10 */
        snprintf(id, sizeof(id), "%d-0", i);
        freeReplyObject(hs_command(ctx, HS_ARGS("XADD", "s", id, "f", "v")));
    }
    HS_EXPECT_INT(ctx, 0, "XTRIM", "s", "MAXLEN", "~", "7");
    HS_EXPECT_INT(ctx, 4, "XTRIM", "s", "MAXLEN", "~", "6");
    HS_EXPECT_INT(ctx, 1, "XTRIM", "s", "MAXLEN", "5");
    HS_EXPECT_INT(ctx, 0, "XTRIM", "s", "MINID", "6");
    HS_EXPECT_INT(ctx, 3, "XTRIM", "s", "MINID", "~", "9");
    HS_EXPECT_INT(ctx, 0, "XTRIM", "s", "MINID", "=", "9");
    HS_EXPECT_INT(ctx, 0, "XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "1");
    HS_EXPECT_INT(ctx, 2, "XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "0");
    HS_EXPECT_INT(ctx, 0, "XLEN", "s");
    HS_EXPECT_INT(ctx, 0, "XTRIM", "nokey", "MAXLEN", "0");
    HS_EXPECT_ERROR(ctx, NOT_INT, "XTRIM", "nokey", "MAXLEN", "abc");
    HS_EXPECT_ERROR(ctx, SYNTAX, "XTRIM", "s", "MAXLEN", "0", "FOO");
    HS_EXPECT_ERROR(ctx, SYNTAX, "XTRIM", "s", "MAXLEN", "0", "NOMKSTREAM");
    HS_EXPECT_ERROR(ctx, "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy", "XTRIM",
                    "s", "LIMIT", "5");
    HS_EXPECT_ERROR(ctx, "ERR syntax error, XTRIM must be called with a trimming strategy", "XTRIM", "s", "LIMIT",
                    "0", "LIMIT", "0");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XTRIM", "s", "MINID", "abc");
    HS_EXPECT_ARITY(ctx, "xtrim", "XTRIM", "s", "MAXLEN");
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "XTRIM", "str", "MAXLEN", "0");
    /* XADD trims after adding. */
    run_ignore("XADD t 1-1 f v");
    run_ignore("XADD t 1-2 f v");
    HS_EXPECT_BULK(ctx, "1-3", "XADD", "t", "MAXLEN", "1", "1-3", "f", "v");
    EXPECT_DUMP("XRANGE t - +", "array(1)[array(2)[bulk \"1-3\", array(2)[bulk \"f\", bulk \"v\"]]]");
    HS_EXPECT_BULK(ctx, "1-4", "XADD", "t", "MINID", "1-4", "1-4", "f", "v");
    HS_EXPECT_INT(ctx, 1, "XLEN", "t");
}
END_TEST

/* Adds n entries "1-1".."1-n" to key with one pipeline. */
static void add_many(const char *key, int n) {
    for (int i = 1; i <= n; i++) redisAppendCommand(ctx, "XADD %s 1-%d f v", key, i);
    for (int i = 1; i <= n; i++) {
        redisReply *r = hs_get_reply(ctx);
        ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
        freeReplyObject(r);
    }
}

/* "~" without LIMIT evicts at most 100 * stream-node-max-entries entries
 * (10000 when that is 0, never more than 1000000), whole nodes only. */
START_TEST(test_trim_default_limit) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "stream-node-max-entries", "3");
    add_many("s", 400);
    HS_EXPECT_INT(ctx, 300, "XTRIM", "s", "MAXLEN", "~", "0");
    HS_EXPECT_INT(ctx, 100, "XTRIM", "s", "MAXLEN", "~", "0");
    HS_EXPECT_INT(ctx, 0, "XLEN", "s");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "stream-node-max-entries", "0");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "stream-node-max-bytes", "60");
    add_many("t", 12000);
    HS_EXPECT_INT(ctx, 10000, "XTRIM", "t", "MAXLEN", "~", "0");
    /* LIMIT 0 lifts the limit. */
    HS_EXPECT_INT(ctx, 2000, "XTRIM", "t", "MAXLEN", "~", "0", "LIMIT", "0");
}
END_TEST

/* ---------------------------------------------------------- XSETID */

START_TEST(test_xsetid) {
    HS_EXPECT_ERROR(ctx, "ERR no such key", "XSETID", "nokey", "1-1");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XSETID", "nokey", "abc");
    HS_EXPECT_ERROR(ctx, SYNTAX, "XSETID", "nokey", "1-1", "FOO");
    run_ignore("XADD s 5-5 a 1");
    HS_EXPECT_ERROR(ctx, "ERR The ID specified in XSETID is smaller than the target stream top item", "XSETID", "s",
                    "5-4");
    HS_EXPECT_ERROR(ctx, "ERR The ID specified in XSETID is smaller than the target stream top item", "XSETID", "s",
                    "5");
    HS_EXPECT_OK(ctx, "XSETID", "s", "5-5");
    HS_EXPECT_ERROR(ctx, INVALID_ID, "XSETID", "s", "+");
    HS_EXPECT_ERROR(ctx, "ERR entries_added must be positive", "XSETID", "s", "6-1", "ENTRIESADDED", "-1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "XSETID", "s", "6-1", "ENTRIESADDED", "abc");
    HS_EXPECT_ERROR(ctx, "ERR The entries_added specified in XSETID is smaller than the target stream length",
                    "XSETID", "s", "6-1", "ENTRIESADDED", "0");
    HS_EXPECT_ERROR(ctx, "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                    "XSETID", "s", "6-1", "MAXDELETEDID", "7-1");
    HS_EXPECT_ERROR(ctx, SYNTAX, "XSETID", "s", "7-1", "ENTRIESADDED");
    HS_EXPECT_OK(ctx, "XSETID", "s", "6-1", "entriesadded", "10", "maxdeletedid", "6-0");
    /* The next automatic ID follows the new last ID. */
    HS_EXPECT_BULK(ctx, "6-2", "XADD", "s", "6-*", "a", "1");
    HS_EXPECT_ERROR(ctx, ID_TOO_SMALL, "XADD", "s", "6-2", "a", "1");
    /* An empty stream takes any ID. */
    HS_EXPECT_INT(ctx, 2, "XDEL", "s", "5-5", "6-2");
    HS_EXPECT_OK(ctx, "XSETID", "s", "1-0");
    HS_EXPECT_BULK(ctx, "1-1", "XADD", "s", "1-*", "a", "1");
    HS_EXPECT_ARITY(ctx, "xsetid", "XSETID", "s");
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "XSETID", "str", "1-1");
}
END_TEST

/* ---------------------------------------------------- RESP3, generic */

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

START_TEST(test_resp3) {
    fill_small();
    int fd = raw_resp3();
    /* Entries stay arrays; nulls are RESP3's null. */
    HS_RAW_EXPECT(fd, "*4\r\n$6\r\nXRANGE\r\n$1\r\ns\r\n$1\r\n3\r\n$1\r\n+\r\n",
                  "*1\r\n*2\r\n$3\r\n3-5\r\n*2\r\n$1\r\nc\r\n$1\r\n4\r\n");
    HS_RAW_EXPECT(fd, "*6\r\n$6\r\nXRANGE\r\n$1\r\ns\r\n$1\r\n-\r\n$1\r\n+\r\n$5\r\nCOUNT\r\n$1\r\n0\r\n",
                  "_\r\n");
    HS_RAW_EXPECT(fd, "*6\r\n$4\r\nXADD\r\n$2\r\nno\r\n$10\r\nNOMKSTREAM\r\n$3\r\n1-1\r\n$1\r\na\r\n$1\r\n1\r\n",
                  "_\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$4\r\nXLEN\r\n$1\r\ns\r\n", ":4\r\n");
    HS_RAW_EXPECT(fd, "*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n9-9\r\n$1\r\na\r\n$1\r\n1\r\n", "$3\r\n9-9\r\n");
    close(fd);
}
END_TEST

START_TEST(test_copy_rename_config) {
    fill_small();
    HS_EXPECT_INT(ctx, 1, "COPY", "s", "c");
    HS_EXPECT_INT(ctx, 1, "XDEL", "s", "1-1");
    HS_EXPECT_INT(ctx, 4, "XLEN", "c");
    HS_EXPECT_BULK(ctx, "3-6", "XADD", "c", "3-*", "x", "y");
    HS_EXPECT_INT(ctx, 3, "XLEN", "s");
    HS_EXPECT_OK(ctx, "RENAME", "c", "d");
    HS_EXPECT_INT(ctx, 5, "XLEN", "d");
    HS_EXPECT_STATUS(ctx, "stream", "TYPE", "d");
    HS_EXPECT_BULKS(ctx, HS_ARGS("stream-node-max-bytes", "4096"), "CONFIG", "GET", "stream-node-max-bytes");
    HS_EXPECT_BULKS(ctx, HS_ARGS("stream-node-max-entries", "100"), "CONFIG", "GET", "stream-node-max-entries");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "stream-node-max-bytes", "8kb");
    HS_EXPECT_BULKS(ctx, HS_ARGS("stream-node-max-bytes", "8192"), "CONFIG", "GET", "stream-node-max-bytes");
    HS_EXPECT_ERROR_PREFIX(ctx, "ERR CONFIG SET failed", "CONFIG", "SET", "stream-node-max-entries", "-1");
}
END_TEST

/* ---------------------------------------------- events, dirty, effects */

START_TEST(test_events) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "notify-keyspace-events", "Et");
    redisContext *sub = hs_connect(srv);
    freeReplyObject(hs_command(sub, HS_ARGS("PSUBSCRIBE", "__keyevent@0__:*")));
    run_ignore("XADD s 1-1 a 1");
    run_ignore("XADD s MAXLEN 0 1-2 a 1");
    run_ignore("XADD s 1-3 a 1");
    run_ignore("XDEL s 1-3");
    run_ignore("XDEL s 1-3");
    run_ignore("XSETID s 5-5");
    run_ignore("XTRIM s MAXLEN 0");
    run_ignore("SET done 1");
    static const char *expect[] = {"xadd", "xadd", "xtrim", "xadd", "xdel", "xsetid"};
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        redisReply *m = hs_get_reply(sub);
        ck_assert_str_eq(m->element[2]->str + strlen("__keyevent@0__:"), expect[i]);
        freeReplyObject(m);
    }
    redisFree(sub);
}
END_TEST

START_TEST(test_dirty) {
    long long d = hs_dirty(ctx);
    run_ignore("XADD s 1-1 a 1");
    run_ignore("XADD s 1-2 a 1");
    run_ignore("XADD s 1-3 a 1");
    ck_assert_int_eq(hs_dirty(ctx) - d, 3);
    d = hs_dirty(ctx);
    run_ignore("XDEL s 1-1 1-2 9-9");
    ck_assert_int_eq(hs_dirty(ctx) - d, 2);
    d = hs_dirty(ctx);
    run_ignore("XDEL s 9-9");
    run_ignore("XTRIM s MAXLEN 5");
    run_ignore("XADD s 1-1 a 1");
    ck_assert_int_eq(hs_dirty(ctx) - d, 0);
    run_ignore("XADD s 1-4 a 1");
    run_ignore("XTRIM s MAXLEN 0");
    ck_assert_int_eq(hs_dirty(ctx) - d, 3);
    d = hs_dirty(ctx);
    run_ignore("XSETID s 9-9");
    ck_assert_int_eq(hs_dirty(ctx) - d, 1);
}
END_TEST

START_TEST(test_effects) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "stream-node-max-entries", "2");
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
    EFFECTS_OF("XADD s 1-1 a 1", "SELECT 0|XADD s 1-1 a 1");
    EFFECTS_OF("XADD s 1-* a 1", "XADD s 1-2 a 1");
    EFFECTS_OF("XADD s 2-* a 1", "XADD s 2-0 a 1");
    EFFECTS_OF("XADD s 2-1 a 1", "XADD s 2-1 a 1");
    EFFECTS_OF("XADD s 2-1 a 1", "");
    /* "~" becomes "=" with the length (MAXLEN) or first ID (MINID) reached. */
    EFFECTS_OF("XADD s MAXLEN ~ 1 3-* a 1", "XADD s MAXLEN = 1 3-0 a 1");
    EFFECTS_OF("XADD s MAXLEN 1 4-0 a 1", "XADD s MAXLEN 1 4-0 a 1");
    EFFECTS_OF("XADD s 5-0 a 1", "XADD s 5-0 a 1");
    EFFECTS_OF("XADD s 6-0 a 1", "XADD s 6-0 a 1");
    EFFECTS_OF("XTRIM s MINID ~ 6 LIMIT 10", "XTRIM s MINID = 5-0 LIMIT 10");
    EFFECTS_OF("XTRIM s MINID ~ 6", "");
    EFFECTS_OF("XTRIM s MAXLEN 0", "XTRIM s MAXLEN 0");
    EFFECTS_OF("XDEL s 6-0", "");
    EFFECTS_OF("XSETID s 7-0", "XSETID s 7-0");
    EFFECTS_OF("XADD s 8-1 a 1", "XADD s 8-1 a 1");
    EFFECTS_OF("XDEL s 8-1 9-9", "XDEL s 8-1 9-9");
    /* "*" is replaced by the ID it made. */
    redisReply *r = hs_command(ctx, HS_ARGS("XADD", "t", "*", "f", "v"));
    char want[128];
    snprintf(want, sizeof(want), "XADD t %s f v", r->str);
    freeReplyObject(r);
    check_effects(__FILE__, __LINE__, want);
}
END_TEST

static Suite *stream_suite(void) {
    Suite *s = suite_create("stream");
    TCase *tc = hs_tcase(s, "commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_xadd_ids);
    tcase_add_test(tc, test_xadd_errors);
    tcase_add_test(tc, test_xrange);
    tcase_add_test(tc, test_many_nodes);
    tcase_add_test(tc, test_xdel);
    tcase_add_test(tc, test_xtrim);
    tcase_add_test(tc, test_trim_default_limit);
    tcase_add_test(tc, test_xsetid);
    tcase_add_test(tc, test_resp3);
    tcase_add_test(tc, test_copy_rename_config);
    TCase *ch = hs_tcase(s, "changes");
    tcase_add_checked_fixture(ch, setup, teardown);
    tcase_add_test(ch, test_events);
    tcase_add_test(ch, test_dirty);
    tcase_add_test(ch, test_effects);
    return s;
}

int main(void) {
    return hs_run_suite(stream_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
