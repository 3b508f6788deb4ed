/* test_keys.c -- integration tests for the generic key commands: TYPE,
 * RENAME, RENAMENX, COPY, MOVE, SWAPDB, TOUCH, UNLINK, KEYS, SCAN,
 * RANDOMKEY, and FLUSHDB/FLUSHALL ASYNC.
 *
 * Expected replies are Redis 7.0's. One server per test. SCAN is checked
 * for its guarantee: every key present for the whole iteration is returned,
 * while other clients write enough to make the table grow and shrink. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SYNTAX "ERR syntax error"
#define NOT_INT "ERR value is not an integer or out of range"
#define SAME_OBJ "ERR source and destination objects are the same"
#define DB_RANGE "ERR DB index is out of range"

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

static void fill(redisContext *c, const char *prefix, int from, int to) {
    for (int i = from; i < to; i++) {
        char key[64];
        snprintf(key, sizeof(key), "%s%d", prefix, i);
        redisAppendCommand(c, "SET %s v", key);
    }
    for (int i = from; i < to; i++) {
        redisReply *r = hs_get_reply(c);
        HS_CHECK_STATUS(r, "OK");
        freeReplyObject(r);
    }
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Fails unless r is an array holding exactly items, in any order. */
static void check_set(const char *file, int line, const redisReply *r, const char *const *items) {
    size_t n = 0;
    while (items[n]) n++;
    ck_assert_msg(r->type == REDIS_REPLY_ARRAY, "%s:%d: not an array", file, line);
    ck_assert_msg(r->elements == n, "%s:%d: %zu elements, want %zu", file, line, r->elements, n);
    const char **got = malloc(sizeof(char *) * (n + 1)), **want = malloc(sizeof(char *) * (n + 1));
    for (size_t i = 0; i < n; i++) {
        got[i] = r->element[i]->str;
        want[i] = items[i];
    }
    qsort(got, n, sizeof(char *), cmp_str);
    qsort(want, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n; i++) ck_assert_msg(strcmp(got[i], want[i]) == 0, "%s:%d: got %s want %s", file, line, got[i], want[i]);
    free(got);
    free(want);
}
#define EXPECT_SET(c, items, ...) HS_DO(c, check_set(__FILE__, __LINE__, hs_r_, items), __VA_ARGS__)

/* ---------------------------------------------------------- TYPE TOUCH UNLINK */

START_TEST(test_type) {
    HS_EXPECT_STATUS(ctx, "none", "TYPE", "nokey");
    HS_EXPECT_OK(ctx, "SET", "s", "v");
    HS_EXPECT_STATUS(ctx, "string", "TYPE", "s");
    HS_EXPECT_OK(ctx, "SET", "i", "12");
    HS_EXPECT_STATUS(ctx, "string", "TYPE", "i");
    HS_EXPECT_OK(ctx, "SET", "gone", "v", "PXAT", "1");
    HS_EXPECT_STATUS(ctx, "none", "TYPE", "gone");
    HS_EXPECT_ARITY(ctx, "type", "TYPE");
    HS_EXPECT_ARITY(ctx, "type", "TYPE", "a", "b");
}
END_TEST

START_TEST(test_touch_unlink) {
    fill(ctx, "k", 0, 3);
    HS_EXPECT_INT(ctx, 2, "TOUCH", "k0", "k1", "nokey");
    HS_EXPECT_INT(ctx, 3, "TOUCH", "k0", "k0", "k0");
    HS_EXPECT_INT(ctx, 0, "TOUCH", "nokey");
    HS_EXPECT_INT(ctx, 2, "UNLINK", "k0", "k1", "k0", "nokey");
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
    HS_EXPECT_NIL(ctx, "GET", "k0");
    HS_EXPECT_ARITY(ctx, "touch", "TOUCH");
    HS_EXPECT_ARITY(ctx, "unlink", "UNLINK");
}
END_TEST

/* UNLINK of big strings hands their bytes to the background thread: the
 * keys are gone at once and the server keeps answering. */
START_TEST(test_unlink_big_values) {
    size_t len = 4 * 1024 * 1024;
    char *big = malloc(len);
    memset(big, 'z', len);
    for (int i = 0; i < 8; i++) {
        char key[16];
        snprintf(key, sizeof(key), "big%d", i);
        const char *argv[] = {"SET", key, big};
        size_t lens[] = {3, strlen(key), len};
        redisReply *r = hs_command_argv(ctx, 3, argv, lens);
        HS_CHECK_STATUS(r, "OK");
        freeReplyObject(r);
    }
    free(big);
    HS_EXPECT_INT(ctx, 4096 * 1024, "STRLEN", "big3");
    HS_EXPECT_INT(ctx, 8, "UNLINK", "big0", "big1", "big2", "big3", "big4", "big5", "big6", "big7");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    HS_EXPECT_NIL(ctx, "GET", "big3");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

/* UNLINK of big collections (and FLUSHALL ASYNC holding one) answers at
 * once; the values are freed in slices between commands until nothing is
 * pending, and a new key of the same name is independent of the old. */
START_TEST(test_unlink_big_collections) {
    for (int t = 0; t < 3; t++) {
        for (int i = 0; i < 20000; i += 500) {
            for (int j = i; j < i + 500; j++) {
                char m[32];
                snprintf(m, sizeof(m), "member:%d", j);
                if (t == 0) redisAppendCommand(ctx, "SADD s %s", m);
                else if (t == 1) redisAppendCommand(ctx, "HSET h %s v", m);
                else redisAppendCommand(ctx, "ZADD z %d %s", j, m);
            }
            for (int j = i; j < i + 500; j++) {
                redisReply *r = hs_get_reply(ctx);
                freeReplyObject(r);
            }
        }
    }
    HS_EXPECT_INT(ctx, 20000, "SCARD", "s");
    HS_EXPECT_INT(ctx, 3, "UNLINK", "s", "h", "z");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    HS_EXPECT_INT(ctx, 1, "SADD", "s", "fresh");
    HS_EXPECT_INT(ctx, 1, "SCARD", "s");
    /* a flushed keyspace holding a big set: freed in slices too */
    for (int i = 0; i < 20000; i += 1000) {
        for (int j = i; j < i + 1000; j++) redisAppendCommand(ctx, "SADD t m%d", j);
        for (int j = i; j < i + 1000; j++) freeReplyObject(hs_get_reply(ctx));
    }
    HS_EXPECT_OK(ctx, "FLUSHALL", "ASYNC");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    long long deadline = hs_now_ms() + 10000;
    for (;;) {
        hs_buf v = hs_info_field(ctx, "memory", "lazyfree_pending_objects");
        long pending = strtol(v.data, NULL, 10);
        hs_buf_free(&v);
        if (pending == 0) break;
        ck_assert_msg(hs_now_ms() < deadline, "lazy frees never finished (%ld pending)", pending);
        hs_sleep_ms(20);
    }
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

/* DEL behaves as UNLINK under lazyfree-lazy-user-del. */
START_TEST(test_del_lazy_user_del) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "lazyfree-lazy-user-del", "yes");
    HS_EXPECT_OK(ctx, "SET", "x", "v");
    HS_EXPECT_INT(ctx, 1, "DEL", "x", "y");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "x");
}
END_TEST

/* ---------------------------------------------------------- RENAME */

START_TEST(test_rename) {
    HS_EXPECT_ERROR(ctx, "ERR no such key", "RENAME", "nokey", "b");
    HS_EXPECT_ERROR(ctx, "ERR no such key", "RENAME", "nokey", "nokey");
    HS_EXPECT_OK(ctx, "SET", "a", "1");
    HS_EXPECT_OK(ctx, "RENAME", "a", "a"); /* same key: a no-op */
    HS_EXPECT_BULK(ctx, "1", "GET", "a");
    HS_EXPECT_OK(ctx, "RENAME", "a", "b");
    HS_EXPECT_NIL(ctx, "GET", "a");
    HS_EXPECT_BULK(ctx, "1", "GET", "b");
    /* overwrites the destination, and carries the TTL */
    HS_EXPECT_OK(ctx, "SET", "c", "old");
    HS_EXPECT_OK(ctx, "SET", "t", "ttl", "EX", "100");
    HS_EXPECT_OK(ctx, "RENAME", "t", "c");
    HS_EXPECT_BULK(ctx, "ttl", "GET", "c");
    redisReply *r = hs_command(ctx, HS_ARGS("TTL", "c"));
    ck_assert(r->type == REDIS_REPLY_INTEGER && r->integer > 95 && r->integer <= 100);
    freeReplyObject(r);
    /* a destination TTL does not survive */
    HS_EXPECT_OK(ctx, "SET", "d", "v", "EX", "100");
    HS_EXPECT_OK(ctx, "RENAME", "b", "d");
    HS_EXPECT_INT(ctx, -1, "TTL", "d");
    HS_EXPECT_INT(ctx, 1, "EXISTS", "d");
    /* an expired source is missing */
    HS_EXPECT_OK(ctx, "SET", "gone", "v", "PXAT", "1");
    HS_EXPECT_ERROR(ctx, "ERR no such key", "RENAME", "gone", "z");
    HS_EXPECT_ARITY(ctx, "rename", "RENAME", "a");
    HS_EXPECT_ARITY(ctx, "rename", "RENAME", "a", "b", "c");
}
END_TEST

START_TEST(test_renamenx) {
    HS_EXPECT_ERROR(ctx, "ERR no such key", "RENAMENX", "nokey", "b");
    HS_EXPECT_OK(ctx, "SET", "a", "1");
    HS_EXPECT_INT(ctx, 0, "RENAMENX", "a", "a");
    HS_EXPECT_OK(ctx, "SET", "b", "2");
    HS_EXPECT_INT(ctx, 0, "RENAMENX", "a", "b");
    HS_EXPECT_BULK(ctx, "1", "GET", "a");
    HS_EXPECT_BULK(ctx, "2", "GET", "b");
    HS_EXPECT_INT(ctx, 1, "RENAMENX", "a", "c");
    HS_EXPECT_NIL(ctx, "GET", "a");
    HS_EXPECT_BULK(ctx, "1", "GET", "c");
    /* an expired destination counts as missing */
    HS_EXPECT_OK(ctx, "SET", "e", "v", "PXAT", "1");
    HS_EXPECT_INT(ctx, 1, "RENAMENX", "c", "e");
    HS_EXPECT_BULK(ctx, "1", "GET", "e");
    HS_EXPECT_ARITY(ctx, "renamenx", "RENAMENX", "a");
}
END_TEST

/* ---------------------------------------------------------- COPY MOVE SWAPDB */

START_TEST(test_copy) {
    HS_EXPECT_OK(ctx, "SET", "a", "hello", "EX", "100");
    HS_EXPECT_ERROR(ctx, SAME_OBJ, "COPY", "a", "a");
    HS_EXPECT_ERROR(ctx, SAME_OBJ, "COPY", "a", "a", "DB", "0");
    HS_EXPECT_ERROR(ctx, DB_RANGE, "COPY", "a", "b", "DB", "16");
    HS_EXPECT_ERROR(ctx, DB_RANGE, "COPY", "a", "b", "DB", "-1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "COPY", "a", "b", "DB", "x");
    HS_EXPECT_ERROR(ctx, "ERR value is out of range, value must between -2147483648 and 2147483647", "COPY", "a",
                    "b", "DB", "99999999999");
    HS_EXPECT_ERROR(ctx, SYNTAX, "COPY", "a", "b", "DB");
    HS_EXPECT_ERROR(ctx, SYNTAX, "COPY", "a", "b", "foo");
    HS_EXPECT_INT(ctx, 0, "COPY", "nokey", "b");
    HS_EXPECT_INT(ctx, 1, "COPY", "a", "b");
    HS_EXPECT_BULK(ctx, "hello", "GET", "b");
    redisReply *r = hs_command(ctx, HS_ARGS("TTL", "b"));
    ck_assert(r->type == REDIS_REPLY_INTEGER && r->integer > 95); /* TTL copied */
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "COPY", "a", "b"); /* exists */
    HS_EXPECT_OK(ctx, "SET", "a", "world");
    HS_EXPECT_INT(ctx, 1, "COPY", "a", "b", "replace", "REPLACE");
    HS_EXPECT_BULK(ctx, "world", "GET", "b");
    HS_EXPECT_INT(ctx, -1, "TTL", "b");
    /* the copy is independent of the source */
    HS_EXPECT_INT(ctx, 10, "APPEND", "b", "!!!!!");
    HS_EXPECT_BULK(ctx, "world", "GET", "a");
    /* to another database; the same name there is fine */
    HS_EXPECT_OK(ctx, "SET", "n", "12");
    HS_EXPECT_INT(ctx, 1, "COPY", "n", "n", "db", "1");
    HS_EXPECT_INT(ctx, 0, "COPY", "n", "n", "DB", "1");
    HS_EXPECT_OK(ctx, "SELECT", "1");
    HS_EXPECT_BULK(ctx, "12", "GET", "n");
    /* a copied integer is not the shared one (as in Redis) */
    HS_EXPECT_INT(ctx, 1, "OBJECT", "REFCOUNT", "n");
    HS_EXPECT_ARITY(ctx, "copy", "COPY", "a");
}
END_TEST

START_TEST(test_move) {
    HS_EXPECT_OK(ctx, "SET", "a", "v", "EX", "100");
    HS_EXPECT_ERROR(ctx, SAME_OBJ, "MOVE", "a", "0");
    HS_EXPECT_ERROR(ctx, DB_RANGE, "MOVE", "a", "16");
    HS_EXPECT_ERROR(ctx, DB_RANGE, "MOVE", "a", "-1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "MOVE", "a", "x");
    HS_EXPECT_INT(ctx, 0, "MOVE", "nokey", "1");
    HS_EXPECT_INT(ctx, 1, "MOVE", "a", "1");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "a");
    /* target exists: nothing moves */
    HS_EXPECT_OK(ctx, "SET", "a", "again");
    HS_EXPECT_INT(ctx, 0, "MOVE", "a", "1");
    HS_EXPECT_BULK(ctx, "again", "GET", "a");
    HS_EXPECT_OK(ctx, "SELECT", "1");
    HS_EXPECT_BULK(ctx, "v", "GET", "a");
    redisReply *r = hs_command(ctx, HS_ARGS("TTL", "a"));
    ck_assert(r->type == REDIS_REPLY_INTEGER && r->integer > 95); /* TTL moved */
    freeReplyObject(r);
    HS_EXPECT_ARITY(ctx, "move", "MOVE", "a");
}
END_TEST

START_TEST(test_swapdb) {
    HS_EXPECT_ERROR(ctx, "ERR invalid first DB index", "SWAPDB", "x", "0");
    HS_EXPECT_ERROR(ctx, "ERR invalid second DB index", "SWAPDB", "0", "x");
    HS_EXPECT_ERROR(ctx, "ERR invalid first DB index", "SWAPDB", "99999999999", "0");
    HS_EXPECT_ERROR(ctx, DB_RANGE, "SWAPDB", "0", "16");
    HS_EXPECT_ERROR(ctx, DB_RANGE, "SWAPDB", "-1", "0");
    HS_EXPECT_OK(ctx, "SWAPDB", "0", "0");
    HS_EXPECT_OK(ctx, "SET", "k", "db0");
    HS_EXPECT_OK(ctx, "SET", "t", "v", "EX", "100");
    redisContext *c2 = hs_connect(srv);
    HS_EXPECT_OK(c2, "SELECT", "3");
    HS_EXPECT_OK(c2, "SET", "k", "db3");
    HS_EXPECT_OK(ctx, "SWAPDB", "0", "3");
    /* each client stays on its index and now sees the other's data */
    HS_EXPECT_BULK(ctx, "db3", "GET", "k");
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
    HS_EXPECT_BULK(c2, "db0", "GET", "k");
    HS_EXPECT_INT(c2, 2, "DBSIZE");
    redisReply *r = hs_command(c2, HS_ARGS("TTL", "t"));
    ck_assert(r->type == REDIS_REPLY_INTEGER && r->integer > 95);
    freeReplyObject(r);
    redisFree(c2);
    HS_EXPECT_ARITY(ctx, "swapdb", "SWAPDB", "0");
}
END_TEST

/* ---------------------------------------------------------- KEYS RANDOMKEY */

START_TEST(test_keys_patterns) {
    const char *names[] = {"hello", "hallo", "hxllo", "hllo", "heeeello", "a*b", "a?b", "a[b", "axb", "A1", NULL};
    for (int i = 0; names[i]; i++) HS_EXPECT_OK(ctx, "SET", names[i], "v");
    EXPECT_SET(ctx, HS_ARGS("hello", "hallo", "hxllo"), "KEYS", "h?llo");
    EXPECT_SET(ctx, HS_ARGS("hello", "hallo", "hxllo", "hllo", "heeeello"), "KEYS", "h*llo");
    EXPECT_SET(ctx, HS_ARGS("hello", "hallo"), "KEYS", "h[ae]llo");
    EXPECT_SET(ctx, HS_ARGS("hxllo"), "KEYS", "h[^ae]llo");
    EXPECT_SET(ctx, HS_ARGS("hallo"), "KEYS", "h[a-b]llo");
    EXPECT_SET(ctx, HS_ARGS("a*b"), "KEYS", "a\\*b");
    EXPECT_SET(ctx, HS_ARGS("a?b"), "KEYS", "a\\?b");
    EXPECT_SET(ctx, HS_ARGS("a[b"), "KEYS", "a\\[b");
    EXPECT_SET(ctx, HS_ARGS("a*b", "a?b", "a[b", "axb"), "KEYS", "a?b");
    EXPECT_SET(ctx, HS_ARGS("A1"), "KEYS", "A*");
    HS_EXPECT_BULKS(ctx, ((const char *const[]){NULL}), "KEYS", "nomatch*");
    redisReply *r = hs_command(ctx, HS_ARGS("KEYS", "*"));
    ck_assert_uint_eq(r->elements, 10);
    freeReplyObject(r);
    HS_EXPECT_ARITY(ctx, "keys", "KEYS");
}
END_TEST

START_TEST(test_keys_skips_expired) {
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    HS_EXPECT_OK(ctx, "SET", "live", "v");
    HS_EXPECT_OK(ctx, "SET", "dead", "v", "PX", "30");
    HS_EXPECT_OK(ctx, "SET", "later", "v", "EX", "100");
    hs_sleep_ms(100);
    EXPECT_SET(ctx, HS_ARGS("live", "later"), "KEYS", "*");
    /* not reclaimed yet: DBSIZE still counts it, as Redis's does */
    HS_EXPECT_INT(ctx, 3, "DBSIZE");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "dead");
    HS_EXPECT_INT(ctx, 2, "DBSIZE");
}
END_TEST

START_TEST(test_randomkey) {
    HS_EXPECT_NIL(ctx, "RANDOMKEY");
    HS_EXPECT_OK(ctx, "SET", "only", "v");
    HS_EXPECT_BULK(ctx, "only", "RANDOMKEY");
    fill(ctx, "k", 0, 50);
    for (int i = 0; i < 20; i++) {
        redisReply *r = hs_command(ctx, HS_ARGS("RANDOMKEY"));
        ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
        ck_assert(strcmp(r->str, "only") == 0 || r->str[0] == 'k');
        freeReplyObject(r);
    }
    HS_EXPECT_ARITY(ctx, "randomkey", "RANDOMKEY", "x");
}
END_TEST

/* Never an expired key, even when nearly every key has just expired. */
START_TEST(test_randomkey_skips_expired) {
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    for (int i = 0; i < 500; i++) {
        char key[32];
        snprintf(key, sizeof(key), "dead%d", i);
        redisAppendCommand(ctx, "SET %s v PX 20", key);
    }
    for (int i = 0; i < 500; i++) freeReplyObject(hs_get_reply(ctx));
    hs_sleep_ms(80);
    for (int i = 0; i < 5; i++) HS_EXPECT_NIL(ctx, "RANDOMKEY");
    HS_EXPECT_INT(ctx, 0, "DBSIZE"); /* it deleted the expired keys it met */
    for (int i = 0; i < 300; i++) {
        char key[32];
        snprintf(key, sizeof(key), "dead%d", i);
        redisAppendCommand(ctx, "SET %s v PX 20", key);
    }
    for (int i = 0; i < 300; i++) freeReplyObject(hs_get_reply(ctx));
    HS_EXPECT_OK(ctx, "SET", "alive", "v");
    hs_sleep_ms(80);
    for (int i = 0; i < 5; i++) HS_EXPECT_BULK(ctx, "alive", "RANDOMKEY");
}
END_TEST

/* ---------------------------------------------------------- SCAN */

START_TEST(test_scan_errors) {
    HS_EXPECT_OK(ctx, "SET", "a", "v");
    HS_EXPECT_ERROR(ctx, "ERR invalid cursor", "SCAN", "x");
    HS_EXPECT_ERROR(ctx, "ERR invalid cursor", "SCAN", " 0");
    HS_EXPECT_ERROR(ctx, "ERR invalid cursor", "SCAN", "0x");
    HS_EXPECT_ERROR(ctx, "ERR invalid cursor", "SCAN", "18446744073709551616");
    HS_EXPECT_ERROR(ctx, "ERR invalid cursor", "SCAN", "x", "COUNT", "0");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SCAN", "0", "COUNT", "0");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SCAN", "0", "COUNT", "-1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SCAN", "0", "COUNT", "x");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SCAN", "0", "COUNT", "9223372036854775808");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SCAN", "0", "MATCH");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SCAN", "0", "TYPE");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SCAN", "0", "foo", "bar");
    HS_EXPECT_ARITY(ctx, "scan", "SCAN");
    /* an empty cursor is 0, as with strtoul */
    redisReply *r = hs_command(ctx, HS_ARGS("SCAN", ""));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->element[0]->type, REDIS_REPLY_STRING); /* a bulk, not an integer */
    ck_assert_str_eq(r->element[0]->str, "0");
    ck_assert_uint_eq(r->element[1]->elements, 1);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_scan_options) {
    fill(ctx, "user:", 0, 30);
    fill(ctx, "item:", 0, 20);
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    HS_EXPECT_OK(ctx, "SET", "user:dead", "v", "PX", "10");
    hs_sleep_ms(50);
    int users = 0, all = 0, strings = 0, none = 0;
    const char *pats[][4] = {{"MATCH", "user:*", NULL}, {"COUNT", "7", NULL}, {"TYPE", "STRING", NULL},
                             {"TYPE", "list", NULL}};
    int *counts[] = {&users, &all, &strings, &none};
    for (int p = 0; p < 4; p++) {
        char cursor[32] = "0";
        do {
            redisReply *r = hs_command(ctx, HS_ARGS("SCAN", cursor, pats[p][0], pats[p][1]));
            ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
            snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
            for (size_t i = 0; i < r->element[1]->elements; i++) {
                ck_assert_str_ne(r->element[1]->element[i]->str, "user:dead");
                (*counts[p])++;
            }
            freeReplyObject(r);
        } while (strcmp(cursor, "0") != 0);
    }
    ck_assert_int_eq(users, 30);
    ck_assert_int_eq(all, 50);
    ck_assert_int_eq(strings, 50);
    ck_assert_int_eq(none, 0);
}
END_TEST

/* Every key present from start to end is returned at least once, while a
 * second client adds and deletes thousands of keys between calls: the
 * table grows (rehashing mid-scan) and, once they are deleted, shrinks. */
START_TEST(test_scan_guarantee_under_rehash) {
    enum { STABLE = 1000 };
    fill(ctx, "stable:", 0, STABLE);
    redisContext *w = hs_connect(srv);
    char *seen = calloc(STABLE, 1);
    char cursor[32] = "0";
    int calls = 0, churn = 0;
    do {
        redisReply *r = hs_command(ctx, HS_ARGS("SCAN", cursor, "COUNT", "10", "MATCH", "stable:*", "TYPE", "string"));
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            const char *k = r->element[1]->element[i]->str;
            ck_assert_msg(strncmp(k, "stable:", 7) == 0, "MATCH let %s through", k);
            seen[atoi(k + 7)] = 1;
        }
        freeReplyObject(r);
        calls++;
        if (calls % 5 == 0 && churn < 8) { /* grow by 1000 keys at a time */
            fill(w, "churn:", churn * 1000, (churn + 1) * 1000);
            churn++;
        } else if (calls == 60) { /* then delete them all: the table shrinks */
            for (int i = 0; i < churn * 1000; i++) redisAppendCommand(w, "UNLINK churn:%d", i);
            for (int i = 0; i < churn * 1000; i++) freeReplyObject(hs_get_reply(w));
            hs_sleep_ms(300); /* a few cron ticks to shrink and rehash */
        }
    } while (strcmp(cursor, "0") != 0);
    for (int i = 0; i < STABLE; i++) ck_assert_msg(seen[i], "stable:%d never returned (%d calls)", i, calls);
    free(seen);
    redisFree(w);
}
END_TEST

/* ---------------------------------------------------------- FLUSH ASYNC */

START_TEST(test_flush_async) {
    fill(ctx, "k", 0, 20000);
    HS_EXPECT_OK(ctx, "SELECT", "2");
    fill(ctx, "k", 0, 10000);
    HS_EXPECT_OK(ctx, "FLUSHDB", "ASYNC");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    HS_EXPECT_OK(ctx, "SELECT", "0");
    HS_EXPECT_INT(ctx, 20000, "DBSIZE");
    HS_EXPECT_OK(ctx, "FLUSHALL", "ASYNC");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    HS_EXPECT_NIL(ctx, "GET", "k5");
    /* the fresh tables work at once, while the old ones are still freed */
    fill(ctx, "k", 0, 100);
    HS_EXPECT_INT(ctx, 100, "DBSIZE");
    HS_EXPECT_BULK(ctx, "v", "GET", "k5");
    HS_EXPECT_OK(ctx, "FLUSHALL", "SYNC");
    HS_EXPECT_ERROR(ctx, SYNTAX, "FLUSHALL", "ASYNC", "ASYNC");
    HS_EXPECT_ERROR(ctx, SYNTAX, "FLUSHDB", "LAZY");
    hs_sleep_ms(200); /* let the slices finish before the leak check */
}
END_TEST

/* lazyfree-lazy-user-flush makes a bare FLUSHALL asynchronous. */
START_TEST(test_flush_lazy_user_flush) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "lazyfree-lazy-user-flush", "yes");
    fill(ctx, "k", 0, 10000);
    HS_EXPECT_OK(ctx, "FLUSHALL");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    fill(ctx, "k", 0, 10000);
    HS_EXPECT_OK(ctx, "FLUSHDB");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    hs_sleep_ms(200);
}
END_TEST

static Suite *keys_suite(void) {
    Suite *s = suite_create("keys");
    TCase *tc = hs_tcase(s, "keys");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_type);
    tcase_add_test(tc, test_touch_unlink);
    tcase_add_test(tc, test_unlink_big_values);
    tcase_add_test(tc, test_del_lazy_user_del);
    tcase_add_test(tc, test_rename);
    tcase_add_test(tc, test_renamenx);
    tcase_add_test(tc, test_copy);
    tcase_add_test(tc, test_move);
    tcase_add_test(tc, test_swapdb);
    tcase_add_test(tc, test_keys_patterns);
    tcase_add_test(tc, test_keys_skips_expired);
    tcase_add_test(tc, test_randomkey);
    tcase_add_test(tc, test_randomkey_skips_expired);
    tcase_add_test(tc, test_scan_errors);
    tcase_add_test(tc, test_scan_options);
    tcase_add_test(tc, test_scan_guarantee_under_rehash);
    tcase_add_test(tc, test_flush_async);
    tcase_add_test(tc, test_unlink_big_collections);
    tcase_add_test(tc, test_flush_lazy_user_flush);
    return s;
}

int main(void) {
    return hs_run_suite(keys_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
