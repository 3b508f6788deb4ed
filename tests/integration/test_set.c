/* test_set.c -- integration tests for the set type: every command's
 * success path, arity, WRONGTYPE both ways and bad arguments; encodings
 * (intset widths, conversion at 512/513 and on the first non-integer);
 * SPOP / SRANDMEMBER properties; SSCAN completeness while the set grows;
 * and a randomized run against an in-test model (sorted string arrays).
 *
 * Expected replies are Redis 7.0's. Orders are compared exactly only for
 * intsets (ascending, as Redis); dict sets are compared sorted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define SYNTAX "ERR syntax error"
#define NOT_INT "ERR value is not an integer or out of range"
#define NOT_POSITIVE "ERR value is out of range, must be positive"
#define INTSET_MAX 512
#define MAX_CMD_ARGS 1100
#define ARG_BYTES 32
/* Randomized model test: operations and value space. */
#define MODEL_STEPS 3000
#define MODEL_KEYS 3
#define MODEL_INT_RANGE 700
#define MODEL_STR_RANGE 40
#define MODEL_CHECK_EVERY 100
/* Draws in the statistical SRANDMEMBER / SPOP checks. */
#define RAND_ROUNDS 200

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

/* Runs a command of argc C strings; returns a new reply. */
static redisReply *cmd_argv(int argc, const char **argv) {
    size_t lens[MAX_CMD_ARGS];
    ck_assert_int_le(argc, MAX_CMD_ARGS);
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    return hs_command_argv(ctx, argc, argv, lens);
}

/* cmd (SADD / SREM) key with the integers lo..hi (in batches); returns
 * the sum of the replies. */
static long long cmd_range(const char *cmd, const char *key, long lo, long hi) {
    static char bufs[MAX_CMD_ARGS][ARG_BYTES];
    const char *argv[MAX_CMD_ARGS];
    long long added = 0;
    while (lo <= hi) {
        int argc = 2;
        argv[0] = cmd;
        argv[1] = key;
        while (lo <= hi && argc < MAX_CMD_ARGS) {
            snprintf(bufs[argc], ARG_BYTES, "%ld", lo++);
            argv[argc] = bufs[argc];
            argc++;
        }
        redisReply *r = cmd_argv(argc, argv);
        ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
        added += r->integer;
        freeReplyObject(r);
    }
    return added;
}

static long long sadd_range(const char *key, long lo, long hi) {
    return cmd_range("SADD", key, lo, hi);
}

static void expect_encoding(const char *key, const char *enc) {
    HS_EXPECT_BULK(ctx, enc, "OBJECT", "ENCODING", key);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The strings of an array (or RESP3 set) reply, copied and sorted. Caller
 * frees with free_strings. */
static char **reply_sorted(const redisReply *r, size_t *n) {
    ck_assert_msg(r->type == REDIS_REPLY_ARRAY, "not an array: type %d", r->type);
    char **v = malloc(sizeof(char *) * (r->elements + 1));
    for (size_t i = 0; i < r->elements; i++) {
        ck_assert_int_eq(r->element[i]->type, REDIS_REPLY_STRING);
        v[i] = strdup(r->element[i]->str);
    }
    qsort(v, r->elements, sizeof(char *), cmp_str);
    *n = r->elements;
    return v;
}

static void free_strings(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Sorted members of key by SMEMBERS. */
static char **smembers_sorted(const char *key, size_t *n) {
    redisReply *r = hs_command(ctx, HS_ARGS("SMEMBERS", key));
    char **v = reply_sorted(r, n);
    freeReplyObject(r);
    return v;
}

static int contains(char **v, size_t n, const char *s) {
    return bsearch(&s, v, n, sizeof(char *), cmp_str) != NULL;
}

/* ---------------------------------------------------------- model */

/* A set as a sorted array of owned strings. */
typedef struct model {
    char **v;
    size_t n, cap;
} model;

static size_t model_pos(const model *m, const char *s, int *found) {
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(m->v[mid], s);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    *found = 0;
    return lo;
}

static int model_has(const model *m, const char *s) {
    int found;
    model_pos(m, s, &found);
    return found;
}

static int model_add(model *m, const char *s) {
    int found;
    size_t pos = model_pos(m, s, &found);
    if (found) return 0;
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = realloc(m->v, m->cap * sizeof(char *));
    }
    memmove(m->v + pos + 1, m->v + pos, (m->n - pos) * sizeof(char *));
    m->v[pos] = strdup(s);
    m->n++;
    return 1;
}

static int model_rem(model *m, const char *s) {
    int found;
    size_t pos = model_pos(m, s, &found);
    if (!found) return 0;
    free(m->v[pos]);
    memmove(m->v + pos, m->v + pos + 1, (m->n - pos - 1) * sizeof(char *));
    m->n--;
    return 1;
}

static void model_clear(model *m) {
    for (size_t i = 0; i < m->n; i++) free(m->v[i]);
    m->n = 0;
}

static void model_free(model *m) {
    model_clear(m);
    free(m->v);
    m->v = NULL;
    m->cap = 0;
}

static void model_copy(model *dst, const model *src) {
    model_clear(dst);
    for (size_t i = 0; i < src->n; i++) model_add(dst, src->v[i]);
}

/* Fails unless the sorted strings of r equal m. */
static void check_reply_equals_model(const redisReply *r, const model *m, const char *what) {
    size_t n;
    char **v = reply_sorted(r, &n);
    ck_assert_msg(n == m->n, "%s: %zu members, model has %zu", what, n, m->n);
    for (size_t i = 0; i < n; i++) ck_assert_msg(strcmp(v[i], m->v[i]) == 0, "%s: member %zu is '%s', model '%s'",
                                                 what, i, v[i], m->v[i]);
    free_strings(v, n);
}

static void check_key_equals_model(const char *key, const model *m) {
    redisReply *r = hs_command(ctx, HS_ARGS("SMEMBERS", key));
    check_reply_equals_model(r, m, key);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, (long long)m->n, "SCARD", key);
    HS_EXPECT_INT(ctx, m->n > 0, "EXISTS", key);
}

/* ---------------------------------------------------------- basics */

START_TEST(test_sadd_srem_scard) {
    HS_EXPECT_INT(ctx, 3, "SADD", "s", "a", "b", "c");
    HS_EXPECT_INT(ctx, 1, "SADD", "s", "a", "d", "d");
    HS_EXPECT_INT(ctx, 0, "SADD", "s", "a");
    HS_EXPECT_INT(ctx, 4, "SCARD", "s");
    HS_EXPECT_STATUS(ctx, "set", "TYPE", "s");
    HS_EXPECT_INT(ctx, 2, "SREM", "s", "a", "b", "zz", "a");
    HS_EXPECT_INT(ctx, 0, "SREM", "s", "a");
    HS_EXPECT_INT(ctx, 0, "SREM", "nokey", "a");
    HS_EXPECT_INT(ctx, 0, "SCARD", "nokey");
    /* removing the last members deletes the key, even mid-argument-list */
    HS_EXPECT_INT(ctx, 2, "SREM", "s", "c", "d", "e");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "s");
    /* empty and binary members */
    HS_EXPECT_INT(ctx, 1, "SADD", "e", "");
    HS_EXPECT_INT(ctx, 1, "SISMEMBER", "e", "");
    const char *argv[] = {"SADD", "b", "x\0y\r\n"};
    size_t lens[] = {4, 1, 6};
    redisReply *r = hs_command_argv(ctx, 3, argv, lens);
    HS_CHECK_INT(r, 1);
    freeReplyObject(r);
    argv[0] = "SISMEMBER";
    lens[0] = 9;
    r = hs_command_argv(ctx, 3, argv, lens);
    HS_CHECK_INT(r, 1);
    freeReplyObject(r);
    lens[2] = 1; /* "x" alone is another member */
    r = hs_command_argv(ctx, 3, argv, lens);
    HS_CHECK_INT(r, 0);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("SMEMBERS", "b"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 1);
    ck_assert_int_eq(r->element[0]->len, 6);
    ck_assert_mem_eq(r->element[0]->str, "x\0y\r\n", 6);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_sismember_smismember_smembers) {
    HS_EXPECT_INT(ctx, 4, "SADD", "s", "10", "-5", "3", "7");
    HS_EXPECT_BULKS(ctx, HS_ARGS("-5", "3", "7", "10"), "SMEMBERS", "s");
    HS_EXPECT_INT(ctx, 1, "SISMEMBER", "s", "10");
    HS_EXPECT_INT(ctx, 0, "SISMEMBER", "s", "010");
    HS_EXPECT_INT(ctx, 0, "SISMEMBER", "s", "x");
    HS_EXPECT_INT(ctx, 0, "SISMEMBER", "nokey", "x");
    redisReply *r = hs_command(ctx, HS_ARGS("SMISMEMBER", "s", "3", "4", "x", "-5"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 4);
    HS_CHECK_INT(r->element[0], 1);
    HS_CHECK_INT(r->element[1], 0);
    HS_CHECK_INT(r->element[2], 0);
    HS_CHECK_INT(r->element[3], 1);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("SMISMEMBER", "nokey", "a", "b"));
    ck_assert_int_eq(r->elements, 2);
    HS_CHECK_INT(r->element[0], 0);
    HS_CHECK_INT(r->element[1], 0);
    freeReplyObject(r);
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SMEMBERS", "nokey");
    /* RESP3 (raw: this hiredis predates RESP3): SMEMBERS is a set,
     * SMISMEMBER an array, SPOP of a missing key a null */
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n");
    hs_buf hello = hs_raw_read_until(fd, "$7\r\nmodules\r\n*0\r\n", HS_REPLY_TIMEOUT_MS);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "*2\r\n$8\r\nSMEMBERS\r\n$1\r\ns\r\n",
                  "~4\r\n$2\r\n-5\r\n$1\r\n3\r\n$1\r\n7\r\n$2\r\n10\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$8\r\nSMEMBERS\r\n$5\r\nnokey\r\n", "~0\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$10\r\nSMISMEMBER\r\n$1\r\ns\r\n$1\r\n3\r\n", "*1\r\n:1\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$4\r\nSPOP\r\n$5\r\nnokey\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$4\r\nSPOP\r\n$5\r\nnokey\r\n$1\r\n1\r\n", "~0\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$11\r\nSRANDMEMBER\r\n$1\r\ns\r\n$2\r\n10\r\n",
                  "*4\r\n$2\r\n-5\r\n$1\r\n3\r\n$1\r\n7\r\n$2\r\n10\r\n");
    close(fd);
}
END_TEST

START_TEST(test_arity) {
    HS_EXPECT_ARITY(ctx, "sadd", "SADD", "s");
    HS_EXPECT_ARITY(ctx, "srem", "SREM", "s");
    HS_EXPECT_ARITY(ctx, "scard", "SCARD");
    HS_EXPECT_ARITY(ctx, "scard", "SCARD", "a", "b");
    HS_EXPECT_ARITY(ctx, "sismember", "SISMEMBER", "s");
    HS_EXPECT_ARITY(ctx, "sismember", "SISMEMBER", "s", "a", "b");
    HS_EXPECT_ARITY(ctx, "smismember", "SMISMEMBER", "s");
    HS_EXPECT_ARITY(ctx, "smembers", "SMEMBERS");
    HS_EXPECT_ARITY(ctx, "smembers", "SMEMBERS", "a", "b");
    HS_EXPECT_ARITY(ctx, "srandmember", "SRANDMEMBER");
    HS_EXPECT_ARITY(ctx, "spop", "SPOP");
    HS_EXPECT_ARITY(ctx, "smove", "SMOVE", "a", "b");
    HS_EXPECT_ARITY(ctx, "smove", "SMOVE", "a", "b", "c", "d");
    HS_EXPECT_ARITY(ctx, "sinter", "SINTER");
    HS_EXPECT_ARITY(ctx, "sintercard", "SINTERCARD", "1");
    HS_EXPECT_ARITY(ctx, "sinterstore", "SINTERSTORE", "d");
    HS_EXPECT_ARITY(ctx, "sunion", "SUNION");
    HS_EXPECT_ARITY(ctx, "sunionstore", "SUNIONSTORE", "d");
    HS_EXPECT_ARITY(ctx, "sdiff", "SDIFF");
    HS_EXPECT_ARITY(ctx, "sdiffstore", "SDIFFSTORE", "d");
    HS_EXPECT_ARITY(ctx, "sscan", "SSCAN", "s");
    /* extra arguments of the count forms */
    HS_EXPECT_ERROR(ctx, SYNTAX, "SPOP", "s", "1", "2");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SRANDMEMBER", "s", "1", "2");
}
END_TEST

START_TEST(test_wrongtype) {
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    HS_EXPECT_INT(ctx, 2, "SADD", "set", "1", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SADD", "str", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SREM", "str", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SCARD", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SISMEMBER", "str", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SMISMEMBER", "str", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SMEMBERS", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SRANDMEMBER", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SRANDMEMBER", "str", "2");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SPOP", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SPOP", "str", "2");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SMOVE", "str", "set", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SMOVE", "set", "str", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SINTER", "set", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SINTER", "nokey", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SINTERCARD", "2", "nokey", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SINTERSTORE", "d", "set", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SUNION", "str", "set");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SUNIONSTORE", "d", "set", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SDIFF", "set", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SDIFF", "nokey", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SDIFFSTORE", "d", "set", "str");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SSCAN", "str", "0");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d");
    /* a missing source wins over a wrong-type destination in SMOVE */
    HS_EXPECT_INT(ctx, 0, "SMOVE", "nokey", "str", "a");
    /* the other way: string commands on a set */
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GET", "set");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "INCR", "set");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "APPEND", "set", "x");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "STRLEN", "set");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GETRANGE", "set", "0", "1");
    /* nothing changed */
    HS_EXPECT_BULK(ctx, "x", "GET", "str");
    HS_EXPECT_INT(ctx, 2, "SCARD", "set");
    /* SET replaces a set */
    HS_EXPECT_OK(ctx, "SET", "set", "v");
    HS_EXPECT_STATUS(ctx, "string", "TYPE", "set");
}
END_TEST

/* ---------------------------------------------------------- encodings */

START_TEST(test_intset_upgrades) {
    HS_EXPECT_INT(ctx, 2, "SADD", "i", "5", "-3");
    expect_encoding("i", "intset");
    HS_EXPECT_INT(ctx, 2, "SADD", "i", "32767", "-32768");
    HS_EXPECT_INT(ctx, 1, "SADD", "i", "32768"); /* 16 -> 32 bit */
    HS_EXPECT_BULKS(ctx, HS_ARGS("-32768", "-3", "5", "32767", "32768"), "SMEMBERS", "i");
    HS_EXPECT_INT(ctx, 1, "SADD", "i", "-2147483649"); /* 32 -> 64 bit, at the front */
    HS_EXPECT_INT(ctx, 1, "SADD", "i", "9223372036854775807");
    HS_EXPECT_INT(ctx, 1, "SADD", "i", "-9223372036854775808");
    HS_EXPECT_BULKS(ctx,
                    HS_ARGS("-9223372036854775808", "-2147483649", "-32768", "-3", "5", "32767", "32768",
                            "9223372036854775807"),
                    "SMEMBERS", "i");
    expect_encoding("i", "intset");
    HS_EXPECT_INT(ctx, 1, "SISMEMBER", "i", "-2147483649");
    HS_EXPECT_INT(ctx, 1, "SISMEMBER", "i", "32768");
    HS_EXPECT_INT(ctx, 0, "SISMEMBER", "i", "9223372036854775808");
    HS_EXPECT_INT(ctx, 3, "SREM", "i", "-9223372036854775808", "9223372036854775807", "-2147483649");
    HS_EXPECT_BULKS(ctx, HS_ARGS("-32768", "-3", "5", "32767", "32768"), "SMEMBERS", "i");
    /* not canonical integers go to a dict from the start */
    const char *odd[] = {"007", "+1", "-0", " 1", "1 ", "1.0", "9223372036854775808", "0x1", ""};
    for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
        char key[ARG_BYTES];
        snprintf(key, sizeof(key), "x%zu", k);
        HS_EXPECT_INT(ctx, 1, "SADD", key, odd[k]);
        expect_encoding(key, "hashtable");
        HS_EXPECT_INT(ctx, 1, "SISMEMBER", key, odd[k]);
    }
}
END_TEST

START_TEST(test_conversion_at_limit) {
    ck_assert_int_eq(sadd_range("s", 1, INTSET_MAX), INTSET_MAX);
    expect_encoding("s", "intset");
    HS_EXPECT_INT(ctx, 0, "SADD", "s", "1"); /* already there: no conversion */
    expect_encoding("s", "intset");
    HS_EXPECT_INT(ctx, 1, "SADD", "s", "0");
    expect_encoding("s", "hashtable");
    HS_EXPECT_INT(ctx, INTSET_MAX + 1, "SCARD", "s");
    HS_EXPECT_INT(ctx, 1, "SISMEMBER", "s", "0");
    HS_EXPECT_INT(ctx, 1, "SISMEMBER", "s", "512");
    /* never back to intset, even when small again */
    ck_assert_int_eq(cmd_range("SREM", "s", 1, 510), 510);
    HS_EXPECT_INT(ctx, 3, "SCARD", "s");
    redisReply *r = hs_command(ctx, HS_ARGS("SPOP", "s"));
    freeReplyObject(r);
    expect_encoding("s", "hashtable");
    /* the first non-integer converts, whatever the size */
    HS_EXPECT_INT(ctx, 3, "SADD", "t", "1", "2", "3");
    expect_encoding("t", "intset");
    HS_EXPECT_INT(ctx, 2, "SADD", "t", "4", "x");
    expect_encoding("t", "hashtable");
    HS_EXPECT_INT(ctx, 1, "SREM", "t", "x");
    expect_encoding("t", "hashtable");
    size_t n;
    char **v = smembers_sorted("t", &n);
    ck_assert_int_eq(n, 4);
    ck_assert_str_eq(v[0], "1");
    ck_assert_str_eq(v[3], "4");
    free_strings(v, n);
    /* 513 integers in one command */
    ck_assert_int_eq(sadd_range("u", 1, INTSET_MAX + 1), INTSET_MAX + 1);
    expect_encoding("u", "hashtable");
}
END_TEST

/* COPY is deep in both encodings; set-max-intset-entries is read at
 * each insert. */
START_TEST(test_copy_and_config) {
    HS_EXPECT_INT(ctx, 3, "SADD", "i", "1", "2", "3");
    HS_EXPECT_INT(ctx, 1, "COPY", "i", "i2");
    expect_encoding("i2", "intset");
    HS_EXPECT_INT(ctx, 1, "SADD", "i2", "4");
    HS_EXPECT_INT(ctx, 3, "SCARD", "i");
    HS_EXPECT_INT(ctx, 2, "SADD", "h", "a", "b");
    HS_EXPECT_INT(ctx, 1, "COPY", "h", "h2");
    expect_encoding("h2", "hashtable");
    HS_EXPECT_INT(ctx, 1, "SREM", "h2", "a");
    HS_EXPECT_INT(ctx, 1, "SISMEMBER", "h", "a");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "set-max-intset-entries", "2");
    HS_EXPECT_INT(ctx, 2, "SADD", "c", "1", "2");
    expect_encoding("c", "intset");
    HS_EXPECT_INT(ctx, 1, "SADD", "c", "3");
    expect_encoding("c", "hashtable");
    HS_EXPECT_INT(ctx, 1, "SREM", "c", "3");
    expect_encoding("c", "hashtable");
    HS_EXPECT_INT(ctx, 2, "SINTERSTORE", "c2", "c");
    expect_encoding("c2", "intset");
}
END_TEST

/* ---------------------------------------------------------- SMOVE */

START_TEST(test_smove) {
    HS_EXPECT_INT(ctx, 3, "SADD", "a", "1", "2", "x");
    HS_EXPECT_INT(ctx, 1, "SADD", "b", "5");
    HS_EXPECT_INT(ctx, 1, "SMOVE", "a", "b", "1");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "5"), "SMEMBERS", "b");
    HS_EXPECT_INT(ctx, 0, "SISMEMBER", "a", "1");
    HS_EXPECT_INT(ctx, 0, "SMOVE", "a", "b", "1");
    HS_EXPECT_INT(ctx, 0, "SMOVE", "nokey", "b", "1");
    /* same set: membership only */
    HS_EXPECT_INT(ctx, 1, "SMOVE", "a", "a", "2");
    HS_EXPECT_INT(ctx, 0, "SMOVE", "a", "a", "9");
    HS_EXPECT_INT(ctx, 2, "SCARD", "a");
    /* a string member converts the intset destination */
    HS_EXPECT_INT(ctx, 1, "SMOVE", "a", "b", "x");
    expect_encoding("b", "hashtable");
    /* a new destination takes the member's encoding */
    HS_EXPECT_INT(ctx, 1, "SMOVE", "a", "c", "2");
    expect_encoding("c", "intset");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "a"); /* emptied source is deleted */
    HS_EXPECT_INT(ctx, 1, "SMOVE", "b", "d", "x");
    expect_encoding("d", "hashtable");
    /* member already in the destination: still moved (removed from src) */
    HS_EXPECT_INT(ctx, 1, "SADD", "c", "5");
    HS_EXPECT_INT(ctx, 1, "SMOVE", "b", "c", "5");
    HS_EXPECT_INT(ctx, 2, "SCARD", "c");
    HS_EXPECT_INT(ctx, 1, "SCARD", "b");
    /* WRONGTYPE on the destination leaves the source alone */
    HS_EXPECT_OK(ctx, "SET", "str", "v");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SMOVE", "c", "str", "5");
    HS_EXPECT_INT(ctx, 1, "SISMEMBER", "c", "5");
}
END_TEST

/* ---------------------------------------------------------- SPOP */

/* Pops count members of key (a set of the integers 1..size) and checks
 * them: count distinct members of the set, gone from it afterwards. */
static void check_spop_count(const char *key, long size, long count) {
    char cbuf[ARG_BYTES];
    snprintf(cbuf, sizeof(cbuf), "%ld", count);
    size_t before_n;
    char **before = smembers_sorted(key, &before_n);
    redisReply *r = hs_command(ctx, HS_ARGS("SPOP", key, cbuf));
    size_t n;
    char **popped = reply_sorted(r, &n);
    freeReplyObject(r);
    long want = count < size ? count : size;
    ck_assert_int_eq((long)n, want);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(contains(before, before_n, popped[i]), "popped '%s' was not a member", popped[i]);
        if (i) ck_assert_msg(strcmp(popped[i - 1], popped[i]) != 0, "'%s' popped twice", popped[i]);
        HS_EXPECT_INT(ctx, 0, "SISMEMBER", key, popped[i]);
    }
    HS_EXPECT_INT(ctx, size - want, "SCARD", key);
    HS_EXPECT_INT(ctx, size > want, "EXISTS", key);
    free_strings(popped, n);
    free_strings(before, before_n);
}

START_TEST(test_spop) {
    HS_EXPECT_NIL(ctx, "SPOP", "nokey");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SPOP", "nokey", "0");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SPOP", "nokey", "3");
    HS_EXPECT_ERROR(ctx, NOT_POSITIVE, "SPOP", "nokey", "-1");
    HS_EXPECT_ERROR(ctx, NOT_POSITIVE, "SPOP", "nokey", "x");
    HS_EXPECT_ERROR(ctx, NOT_POSITIVE, "SPOP", "nokey", "9223372036854775808");
    HS_EXPECT_INT(ctx, 1, "SADD", "one", "m");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SPOP", "one", "0");
    HS_EXPECT_INT(ctx, 1, "SCARD", "one");
    HS_EXPECT_BULK(ctx, "m", "SPOP", "one");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "one");
    /* count >= size: all of an intset, in order, key gone */
    HS_EXPECT_INT(ctx, 3, "SADD", "i", "3", "1", "2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2", "3"), "SPOP", "i", "9223372036854775807");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "i");
    /* small counts (one by one) and large ones (rebuild the rest), in both
     * encodings */
    sadd_range("i", 1, 100);
    check_spop_count("i", 100, 10);  /* 90 stay: pop one by one */
    check_spop_count("i", 90, 85);   /* 5 stay: rebuild */
    check_spop_count("i", 5, 5);
    sadd_range("h", 1, 2000);
    check_spop_count("h", 2000, 3);
    check_spop_count("h", 1997, 1990); /* 7 integers stay: an intset again */
    expect_encoding("h", "intset");
    check_spop_count("h", 7, 100);
    /* a dict of strings rebuilt stays a dict */
    for (int k = 0; k < 50; k++) {
        char m[ARG_BYTES];
        snprintf(m, sizeof(m), "m%d", k);
        HS_EXPECT_INT(ctx, 1, "SADD", "str", m);
    }
    redisReply *r = hs_command(ctx, HS_ARGS("SPOP", "str", "45"));
    ck_assert_int_eq(r->elements, 45);
    freeReplyObject(r);
    expect_encoding("str", "hashtable");
    HS_EXPECT_INT(ctx, 5, "SCARD", "str");
    /* single pops drain a set exactly */
    sadd_range("d", 1, 20);
    for (int k = 0; k < 20; k++) {
        r = hs_command(ctx, HS_ARGS("SPOP", "d"));
        ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
        long v = strtol(r->str, NULL, 10);
        ck_assert(v >= 1 && v <= 20);
        freeReplyObject(r);
    }
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d");
    HS_EXPECT_NIL(ctx, "SPOP", "d");
}
END_TEST

START_TEST(test_spop_keeps_ttl_when_rebuilt) {
    sadd_range("s", 1, 100);
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "s", "1000");
    redisReply *r = hs_command(ctx, HS_ARGS("SPOP", "s", "98"));
    ck_assert_int_eq(r->elements, 98);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("TTL", "s"));
    ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
    ck_assert(r->integer > 0 && r->integer <= 1000);
    freeReplyObject(r);
}
END_TEST

/* ---------------------------------------------------------- SRANDMEMBER */

/* SRANDMEMBER key count on a set of size members; checks the length, the
 * membership and (for a positive count) uniqueness. */
static void check_srandmember(const char *key, long size, long count) {
    char cbuf[ARG_BYTES];
    snprintf(cbuf, sizeof(cbuf), "%ld", count);
    size_t all_n;
    char **all = smembers_sorted(key, &all_n);
    ck_assert_int_eq((long)all_n, size);
    redisReply *r = hs_command(ctx, HS_ARGS("SRANDMEMBER", key, cbuf));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    size_t n;
    char **got = reply_sorted(r, &n);
    freeReplyObject(r);
    long want = count >= 0 ? (count < size ? count : size) : -count;
    ck_assert_int_eq((long)n, want);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(contains(all, all_n, got[i]), "'%s' is not a member", got[i]);
        if (count > 0 && i) ck_assert_msg(strcmp(got[i - 1], got[i]) != 0, "'%s' returned twice", got[i]);
    }
    free_strings(got, n);
    free_strings(all, all_n);
    HS_EXPECT_INT(ctx, size, "SCARD", key); /* nothing removed */
}

START_TEST(test_srandmember) {
    HS_EXPECT_NIL(ctx, "SRANDMEMBER", "nokey");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SRANDMEMBER", "nokey", "5");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SRANDMEMBER", "nokey", "-5");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SRANDMEMBER", "nokey", "x");
    HS_EXPECT_ERROR(ctx, "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                    "SRANDMEMBER", "s", "-9223372036854775808");
    sadd_range("s", 1, 300);
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SRANDMEMBER", "s", "0");
    long counts[] = {1, 2, 50, 99, 100, 150, 299, 300, 301, 100000, -1, -7, -300, -1000};
    for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) check_srandmember("s", 300, counts[k]);
    /* dict encoding */
    sadd_range("h", 1, 1000);
    HS_EXPECT_INT(ctx, 1, "SADD", "h", "x");
    long hcounts[] = {1, 10, 300, 400, 900, 1001, 5000, -1, -3000};
    for (size_t k = 0; k < sizeof(hcounts) / sizeof(hcounts[0]); k++) check_srandmember("h", 1001, hcounts[k]);
    /* whole intset in order when count >= size */
    HS_EXPECT_INT(ctx, 3, "SADD", "small", "9", "8", "7");
    HS_EXPECT_BULKS(ctx, HS_ARGS("7", "8", "9"), "SRANDMEMBER", "small", "3");
    HS_EXPECT_BULKS(ctx, HS_ARGS("7", "8", "9"), "SRANDMEMBER", "small", "9223372036854775807");
}
END_TEST

/* Every member shows up in enough random draws (the draws are not stuck on
 * a few members), with and without repeats, in both encodings. */
START_TEST(test_random_draws_cover_the_set) {
    sadd_range("i", 1, 10);
    HS_EXPECT_INT(ctx, 10, "SADD", "h", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    const char *keys[] = {"i", "h"};
    const char *cmds[][3] = {{"SRANDMEMBER", NULL, NULL}, {"SRANDMEMBER", NULL, "3"}, {"SRANDMEMBER", NULL, "-3"}};
    for (size_t k = 0; k < 2; k++) {
        for (size_t c = 0; c < 3; c++) {
            size_t all_n;
            char **all = smembers_sorted(keys[k], &all_n);
            int seen[10] = {0};
            for (int round = 0; round < RAND_ROUNDS; round++) {
                redisReply *r = cmds[c][2] ? hs_command(ctx, HS_ARGS(cmds[c][0], keys[k], cmds[c][2]))
                                           : hs_command(ctx, HS_ARGS(cmds[c][0], keys[k]));
                size_t n = r->type == REDIS_REPLY_STRING ? 1 : r->elements;
                for (size_t i = 0; i < n; i++) {
                    const char *s = r->type == REDIS_REPLY_STRING ? r->str : r->element[i]->str;
                    char **hit = bsearch(&s, all, all_n, sizeof(char *), cmp_str);
                    ck_assert_msg(hit != NULL, "'%s' is not a member", s);
                    seen[hit - all] = 1;
                }
                freeReplyObject(r);
            }
            for (size_t i = 0; i < all_n; i++)
                ck_assert_msg(seen[i], "%s %s never returned '%s'", cmds[c][0], keys[k], all[i]);
            free_strings(all, all_n);
        }
    }
    /* SPOP too: each member is the one popped from a 2-member set at
     * some point */
    int first = 0, second = 0;
    for (int round = 0; round < RAND_ROUNDS; round++) {
        HS_EXPECT_INT(ctx, 2, "SADD", "p", "1", "2");
        redisReply *r = hs_command(ctx, HS_ARGS("SPOP", "p"));
        if (strcmp(r->str, "1") == 0) first++;
        else second++;
        freeReplyObject(r);
        HS_EXPECT_INT(ctx, 1, "DEL", "p");
    }
    ck_assert(first > 0 && second > 0);
}
END_TEST

/* ---------------------------------------------------------- algebra */

START_TEST(test_inter_union_diff) {
    HS_EXPECT_INT(ctx, 6, "SADD", "a", "1", "2", "3", "4", "5", "6");
    HS_EXPECT_INT(ctx, 5, "SADD", "b", "4", "5", "6", "7", "8");
    HS_EXPECT_INT(ctx, 3, "SADD", "c", "5", "6", "x");
    HS_EXPECT_BULKS(ctx, HS_ARGS("4", "5", "6"), "SINTER", "a", "b");
    /* c is a dict set and the smallest: its table order, so sort */
    redisReply *r = hs_command(ctx, HS_ARGS("SINTER", "a", "b", "c"));
    size_t n;
    char **v = reply_sorted(r, &n);
    freeReplyObject(r);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(v[0], "5");
    ck_assert_str_eq(v[1], "6");
    free_strings(v, n);
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SINTER", "a", "nokey");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2", "3", "4", "5", "6", "7", "8"), "SUNION", "a", "b", "nokey");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2", "3"), "SDIFF", "a", "b");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2", "3", "4"), "SDIFF", "a", "c");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SDIFF", "a", "a");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "SDIFF", "nokey", "a");
    HS_EXPECT_BULKS(ctx, HS_ARGS("x"), "SDIFF", "c", "a", "b");
    HS_EXPECT_INT(ctx, 2, "SINTERCARD", "3", "a", "b", "c");
    HS_EXPECT_INT(ctx, 1, "SINTERCARD", "2", "a", "b", "LIMIT", "1");
    HS_EXPECT_INT(ctx, 3, "SINTERCARD", "2", "a", "b", "LIMIT", "0");
    HS_EXPECT_INT(ctx, 0, "SINTERCARD", "2", "a", "nokey");
    HS_EXPECT_ERROR(ctx, "ERR numkeys should be greater than 0", "SINTERCARD", "0", "a");
    HS_EXPECT_ERROR(ctx, "ERR numkeys should be greater than 0", "SINTERCARD", "x", "a");
    HS_EXPECT_ERROR(ctx, "ERR Number of keys can't be greater than number of args", "SINTERCARD", "2", "a");
    HS_EXPECT_ERROR(ctx, "ERR LIMIT can't be negative", "SINTERCARD", "1", "a", "LIMIT", "-1");
    HS_EXPECT_ERROR(ctx, "ERR LIMIT can't be negative", "SINTERCARD", "1", "nokey", "LIMIT", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SINTERCARD", "1", "a", "LIMIT");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SINTERCARD", "1", "a", "b");
    /* the string member makes the union a dict: compare sorted */
    r = hs_command(ctx, HS_ARGS("SUNION", "a", "c"));
    v = reply_sorted(r, &n);
    freeReplyObject(r);
    ck_assert_int_eq(n, 7);
    ck_assert_str_eq(v[6], "x");
    free_strings(v, n);
}
END_TEST

START_TEST(test_store_commands) {
    HS_EXPECT_INT(ctx, 3, "SADD", "a", "1", "2", "3");
    HS_EXPECT_INT(ctx, 3, "SADD", "b", "3", "4", "y");
    HS_EXPECT_INT(ctx, 1, "SINTERSTORE", "d", "a", "b");
    HS_EXPECT_BULKS(ctx, HS_ARGS("3"), "SMEMBERS", "d");
    expect_encoding("d", "intset");
    HS_EXPECT_INT(ctx, 5, "SUNIONSTORE", "d", "a", "b");
    expect_encoding("d", "hashtable");
    HS_EXPECT_INT(ctx, 2, "SDIFFSTORE", "d", "a", "b");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1", "2"), "SMEMBERS", "d");
    expect_encoding("d", "intset");
    /* empty results delete the destination, whatever it held */
    HS_EXPECT_INT(ctx, 0, "SINTERSTORE", "d", "a", "nokey");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d");
    HS_EXPECT_OK(ctx, "SET", "str", "v");
    HS_EXPECT_INT(ctx, 0, "SDIFFSTORE", "str", "a", "a");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "str");
    HS_EXPECT_OK(ctx, "SET", "str", "v");
    HS_EXPECT_INT(ctx, 0, "SUNIONSTORE", "str", "nokey");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "str");
    /* a destination of another type is replaced, and its TTL dropped */
    HS_EXPECT_OK(ctx, "SET", "str", "v", "EX", "1000");
    HS_EXPECT_INT(ctx, 3, "SUNIONSTORE", "str", "a");
    HS_EXPECT_STATUS(ctx, "set", "TYPE", "str");
    HS_EXPECT_INT(ctx, -1, "TTL", "str");
    HS_EXPECT_OK(ctx, "SET", "str", "v");
    HS_EXPECT_INT(ctx, 1, "SINTERSTORE", "str", "a", "b");
    HS_EXPECT_STATUS(ctx, "set", "TYPE", "str");
    /* a destination that is also a source */
    HS_EXPECT_INT(ctx, 5, "SUNIONSTORE", "a", "a", "b");
    HS_EXPECT_INT(ctx, 5, "SCARD", "a");
    HS_EXPECT_INT(ctx, 0, "SDIFFSTORE", "a", "a", "a");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "a");
    /* WRONGTYPE source: destination untouched */
    HS_EXPECT_OK(ctx, "SET", "s2", "v");
    HS_EXPECT_INT(ctx, 1, "SADD", "keep", "1");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SUNIONSTORE", "keep", "b", "s2");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "SINTERSTORE", "keep", "nokey", "s2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("1"), "SMEMBERS", "keep");
    /* results of more than 512 integers are dicts */
    sadd_range("big", 1, 600);
    HS_EXPECT_INT(ctx, 600, "SUNIONSTORE", "d", "big");
    expect_encoding("d", "hashtable");
    HS_EXPECT_INT(ctx, 597, "SDIFFSTORE", "d", "big", "nokey", "b", "a", "keep");
    HS_EXPECT_INT(ctx, 0, "SISMEMBER", "d", "3");
    HS_EXPECT_INT(ctx, 1, "SISMEMBER", "d", "600");
}
END_TEST

/* Big sets: the walks start from the smallest set / choose the cheap SDIFF
 * algorithm, so these finish at once (the test's timeout bounds them). */
START_TEST(test_big_sets) {
    sadd_range("big", 1, 200000);
    HS_EXPECT_INT(ctx, 3, "SADD", "small", "5", "100000", "300000");
    for (int k = 0; k < 200; k++) {
        HS_EXPECT_BULKS(ctx, HS_ARGS("5", "100000"), "SINTER", "big", "small");
        HS_EXPECT_INT(ctx, 2, "SINTERCARD", "2", "small", "big");
        HS_EXPECT_BULKS(ctx, HS_ARGS("300000"), "SDIFF", "small", "big");
    }
    HS_EXPECT_INT(ctx, 1, "SINTERCARD", "2", "big", "big", "LIMIT", "1");
    HS_EXPECT_INT(ctx, 199998, "SDIFFSTORE", "d", "big", "small");
    HS_EXPECT_INT(ctx, 1, "SADD", "small", "x");
    HS_EXPECT_INT(ctx, 2, "SINTERCARD", "2", "big", "small");
    redisReply *r = hs_command(ctx, HS_ARGS("SPOP", "d", "199990"));
    ck_assert_int_eq(r->elements, 199990);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 8, "SCARD", "d");
    r = hs_command(ctx, HS_ARGS("SRANDMEMBER", "big", "199999"));
    ck_assert_int_eq(r->elements, 199999);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("SRANDMEMBER", "big", "5"));
    ck_assert_int_eq(r->elements, 5);
    freeReplyObject(r);
}
END_TEST

/* ---------------------------------------------------------- SSCAN */

START_TEST(test_sscan_basics) {
    HS_EXPECT_INT(ctx, 4, "SADD", "i", "1", "2", "10", "11");
    redisReply *r = hs_command(ctx, HS_ARGS("SSCAN", "i", "12345", "COUNT", "1"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    HS_CHECK_BULK(r->element[0], "0", 1);
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("1", "2", "10", "11"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("SSCAN", "i", "0", "MATCH", "1*"));
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("1", "10", "11"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("SSCAN", "nokey", "0"));
    HS_CHECK_BULK(r->element[0], "0", 1);
    ck_assert_int_eq(r->element[1]->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR invalid cursor", "SSCAN", "i", "x");
    HS_EXPECT_ERROR(ctx, "ERR invalid cursor", "SSCAN", "nokey", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SSCAN", "i", "0", "COUNT", "0");
    HS_EXPECT_ERROR(ctx, NOT_INT, "SSCAN", "i", "0", "COUNT", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SSCAN", "i", "0", "MATCH");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SSCAN", "i", "0", "TYPE", "set");
    HS_EXPECT_ERROR(ctx, SYNTAX, "SSCAN", "i", "0", "NOVALUES");
}
END_TEST

/* A full SSCAN of a dict set while members are added between calls
 * returns every member that was there from the start, and nothing that
 * was never a member. */
START_TEST(test_sscan_full_iteration_while_adding) {
    const long initial = 3000;
    sadd_range("s", 1, initial);
    expect_encoding("s", "hashtable");
    char *seen = calloc((size_t)initial * 4 + 1, 1);
    long next_new = initial + 1, calls = 0;
    char cursor[ARG_BYTES] = "0";
    do {
        redisReply *r = hs_command(ctx, HS_ARGS("SSCAN", "s", cursor, "COUNT", "20"));
        ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
        ck_assert_int_eq(r->elements, 2);
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            long v = strtol(r->element[1]->element[i]->str, NULL, 10);
            ck_assert_msg(v >= 1 && v < next_new, "SSCAN returned '%s'", r->element[1]->element[i]->str);
            seen[v] = 1;
        }
        freeReplyObject(r);
        /* grow the set (and its table) while the scan runs */
        if (next_new <= initial * 4) {
            sadd_range("s", next_new, next_new + 9);
            next_new += 10;
        }
        calls++;
        ck_assert_int_lt(calls, 100000);
    } while (strcmp(cursor, "0") != 0);
    for (long v = 1; v <= initial; v++) ck_assert_msg(seen[v], "member %ld missed by SSCAN", v);
    free(seen);
    /* MATCH on a dict set */
    HS_EXPECT_INT(ctx, 2, "SADD", "m", "apple", "banana");
    redisReply *r = hs_command(ctx, HS_ARGS("SSCAN", "m", "0", "MATCH", "a*", "COUNT", "100"));
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("apple"));
    freeReplyObject(r);
}
END_TEST

/* ---------------------------------------------------------- model */

static void random_member(char *buf, int ints_only) {
    if (ints_only || rand() % 3) snprintf(buf, ARG_BYTES, "%d", rand() % MODEL_INT_RANGE - 50);
    else snprintf(buf, ARG_BYTES, "m%d", rand() % MODEL_STR_RANGE);
}

static const char *model_key_names[MODEL_KEYS] = {"k0", "k1", "k2"};

/* Runs the multi-key read commands on keys[a], keys[b] and compares them
 * with the model. */
static void check_algebra(model *m, int a, int b) {
    model want = {0};
    const char *ka = model_key_names[a], *kb = model_key_names[b];
    for (size_t i = 0; i < m[a].n; i++)
        if (model_has(&m[b], m[a].v[i])) model_add(&want, m[a].v[i]);
    redisReply *r = hs_command(ctx, HS_ARGS("SINTER", ka, kb));
    check_reply_equals_model(r, &want, "SINTER");
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, (long long)want.n, "SINTERCARD", "2", ka, kb);
    model_clear(&want);
    for (size_t i = 0; i < m[a].n; i++)
        if (!model_has(&m[b], m[a].v[i])) model_add(&want, m[a].v[i]);
    r = hs_command(ctx, HS_ARGS("SDIFF", ka, kb));
    check_reply_equals_model(r, &want, "SDIFF");
    freeReplyObject(r);
    model_copy(&want, &m[a]);
    for (size_t i = 0; i < m[b].n; i++) model_add(&want, m[b].v[i]);
    r = hs_command(ctx, HS_ARGS("SUNION", ka, kb));
    check_reply_equals_model(r, &want, "SUNION");
    freeReplyObject(r);
    model_free(&want);
}

START_TEST(test_randomized_against_model) {
    srand(12345);
    model m[MODEL_KEYS] = {{0}};
    char a1[ARG_BYTES], a2[ARG_BYTES];
    for (int step = 0; step < MODEL_STEPS; step++) {
        int k = rand() % MODEL_KEYS, k2 = rand() % MODEL_KEYS;
        const char *key = model_key_names[k], *key2 = model_key_names[k2];
        int ints_only = k == 0; /* k0 stays an intset until it passes 512 */
        random_member(a1, ints_only);
        random_member(a2, ints_only);
        int op = rand() % 10;
        if (op <= 3) {
            long long want = model_add(&m[k], a1);
            want += model_add(&m[k], a2);
            HS_EXPECT_INT(ctx, want, "SADD", key, a1, a2);
        } else if (op == 4) {
            long long want = model_rem(&m[k], a1);
            want += model_rem(&m[k], a2);
            HS_EXPECT_INT(ctx, want, "SREM", key, a1, a2);
        } else if (op == 5) {
            redisReply *r = hs_command(ctx, HS_ARGS("SPOP", key));
            if (m[k].n == 0) {
                HS_CHECK_NIL(r);
            } else {
                ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
                ck_assert_msg(model_rem(&m[k], r->str), "SPOP returned non-member '%s'", r->str);
            }
            freeReplyObject(r);
        } else if (op == 6) {
            int want = model_has(&m[k], a1);
            if (want && k != k2) {
                model_rem(&m[k], a1);
                model_add(&m[k2], a1);
            }
            HS_EXPECT_INT(ctx, want, "SMOVE", key, key2, a1);
        } else if (op == 7) {
            HS_EXPECT_INT(ctx, model_has(&m[k], a1), "SISMEMBER", key, a1);
            HS_EXPECT_INT(ctx, (long long)m[k].n, "SCARD", key);
        } else if (op == 8) {
            check_algebra(m, k, k2);
        } else {
            /* a store into a third key, checked then dropped */
            int which = rand() % 3;
            const char *cmd = which == 0 ? "SINTERSTORE" : which == 1 ? "SUNIONSTORE" : "SDIFFSTORE";
            model want = {0};
            for (size_t i = 0; i < m[k].n; i++) {
                int in2 = model_has(&m[k2], m[k].v[i]);
                if ((which == 0 && in2) || which == 1 || (which == 2 && !in2)) model_add(&want, m[k].v[i]);
            }
            if (which == 1)
                for (size_t i = 0; i < m[k2].n; i++) model_add(&want, m[k2].v[i]);
            HS_EXPECT_INT(ctx, (long long)want.n, cmd, "dst", key, key2);
            check_key_equals_model("dst", &want);
            model_free(&want);
        }
        if (step % MODEL_CHECK_EVERY == 0)
            for (int j = 0; j < MODEL_KEYS; j++) check_key_equals_model(model_key_names[j], &m[j]);
    }
    for (int j = 0; j < MODEL_KEYS; j++) {
        check_key_equals_model(model_key_names[j], &m[j]);
        model_free(&m[j]);
    }
}
END_TEST

static Suite *set_suite(void) {
    Suite *s = suite_create("set");
    TCase *tc = hs_tcase(s, "set");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_sadd_srem_scard);
    tcase_add_test(tc, test_sismember_smismember_smembers);
    tcase_add_test(tc, test_arity);
    tcase_add_test(tc, test_wrongtype);
    tcase_add_test(tc, test_intset_upgrades);
    tcase_add_test(tc, test_conversion_at_limit);
    tcase_add_test(tc, test_copy_and_config);
    tcase_add_test(tc, test_smove);
    tcase_add_test(tc, test_spop);
    tcase_add_test(tc, test_spop_keeps_ttl_when_rebuilt);
    tcase_add_test(tc, test_srandmember);
    tcase_add_test(tc, test_random_draws_cover_the_set);
    tcase_add_test(tc, test_inter_union_diff);
    tcase_add_test(tc, test_store_commands);
    tcase_add_test(tc, test_big_sets);
    tcase_add_test(tc, test_sscan_basics);
    tcase_add_test(tc, test_sscan_full_iteration_while_adding);
    tcase_add_test(tc, test_randomized_against_model);
    return s;
}

int main(void) {
    return hs_run_suite(set_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
