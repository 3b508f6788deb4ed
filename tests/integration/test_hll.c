/* test_hll.c -- integration tests for PFADD PFCOUNT PFMERGE PFSELFTEST
 * PFDEBUG: success paths, arity, WRONGTYPE (other types and strings that
 * are no HyperLogLog), corrupt values (-INVALIDOBJ), RESP2 and RESP3, the
 * change path (pfadd events, dirty per changed element, PFCOUNT storing
 * its count as a change that propagates, PFMERGE announced as pfadd,
 * PFDEBUG conversions), hll-sparse-max-bytes, and the cached count making
 * a second PFCOUNT a header read.
 *
 * Expected replies, bytes, events and counts are Redis 7.0.15's (checked
 * against redis-server). One server per test. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define ERR_NOT_HLL "WRONGTYPE Key is not a valid HyperLogLog string value."
#define ERR_CORRUPT "INVALIDOBJ Corrupted HLL object detected"
#define ERR_WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define HDR_STALE "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80"
#define HDR_SIZE 16
#define DENSE_SIZE 12304
#define MARKER_CHANNEL "__keyevent@0__:zz-marker"

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(HS_ARGS("--notify-keyspace-events", "KEA"));
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

static void run_ignore(const char *line) {
    freeReplyObject(hs_command_line(ctx, line));
}

static void set_bin(const char *key, const char *val, size_t len) {
    const char *argv[] = {"SET", key, val};
    size_t lens[] = {3, strlen(key), len};
    redisReply *r = hs_command_argv(ctx, 3, argv, lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
}

static void expect_get_bin(const char *key, const char *want, size_t len) {
    redisReply *r = hs_command(ctx, HS_ARGS("GET", key));
    HS_CHECK_BULK(r, want, len);
    freeReplyObject(r);
}

static long long strlen_of(const char *key) {
    redisReply *r = hs_command(ctx, HS_ARGS("STRLEN", key));
    long long n = r->integer;
    freeReplyObject(r);
    return n;
}

/* ---------------------------------------------------------- success */

START_TEST(test_pfadd_pfcount) {
    HS_EXPECT_INT(ctx, 1, "PFADD", "h", "a", "b", "c");
    /* Redis's exact bytes: sparse, count marked stale. */
    expect_get_bin("h", HDR_STALE "`\xf3\x80P\xb1\x84K\xfb\x80" "BZ", 27);
    HS_EXPECT_INT(ctx, 0, "PFADD", "h", "a", "b");
    HS_EXPECT_INT(ctx, 3, "PFCOUNT", "h");
    /* The count is cached in the header (little endian, valid). */
    expect_get_bin("h", "HYLL\x01\0\0\0\x03\0\0\0\0\0\0\0`\xf3\x80P\xb1\x84K\xfb\x80" "BZ", 27);
    HS_EXPECT_INT(ctx, 3, "PFCOUNT", "h");
    HS_EXPECT_INT(ctx, 1, "PFADD", "h", "d");
    HS_EXPECT_INT(ctx, 4, "PFCOUNT", "h");
    /* No elements: creates an empty HLL (1), then changes nothing (0). */
    HS_EXPECT_INT(ctx, 1, "PFADD", "e");
    HS_EXPECT_INT(ctx, 0, "PFADD", "e");
    expect_get_bin("e", HDR_STALE "\x7f\xff", 18);
    HS_EXPECT_INT(ctx, 0, "PFCOUNT", "e");
    HS_EXPECT_INT(ctx, 0, "PFCOUNT", "nokey");
    HS_EXPECT_BULK(ctx, "raw", "OBJECT", "ENCODING", "h");
    HS_EXPECT_STATUS(ctx, "string", "TYPE", "h");
    /* Several keys: the union, nothing written. */
    HS_EXPECT_INT(ctx, 1, "PFADD", "u", "d", "e", "f");
    HS_EXPECT_INT(ctx, 6, "PFCOUNT", "h", "u", "nokey");
    HS_EXPECT_INT(ctx, 1, "PFADD", "u2", "zz");
    HS_EXPECT_INT(ctx, 7, "PFCOUNT", "h", "u", "u2");
    HS_EXPECT_INT(ctx, 0, "PFCOUNT", "nokey", "nokey2");
}
END_TEST

/* Elements e0..e9999 (Redis: 9973), dense after promotion. */
START_TEST(test_large_count_and_dense) {
    char buf[64];
    for (int i = 0; i < 10000; i += 100) {
        const char *argv[102];
        char elems[100][16];
        argv[0] = "PFADD";
        argv[1] = "big";
        for (int j = 0; j < 100; j++) {
            snprintf(elems[j], sizeof(elems[j]), "e%d", i + j);
            argv[j + 2] = elems[j];
        }
        redisReply *r = hs_command_argv(ctx, 102, argv, NULL);
        ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
        freeReplyObject(r);
    }
    HS_EXPECT_INT(ctx, 9973, "PFCOUNT", "big");
    HS_EXPECT_STATUS(ctx, "dense", "PFDEBUG", "ENCODING", "big");
    ck_assert_int_eq(strlen_of("big"), DENSE_SIZE);
    snprintf(buf, sizeof(buf), "%d", 9973);
    HS_EXPECT_INT(ctx, 9973, "PFCOUNT", "big", "nokey");
}
END_TEST

START_TEST(test_pfmerge) {
    HS_EXPECT_INT(ctx, 1, "PFADD", "a", "x1", "x2", "x3");
    HS_EXPECT_INT(ctx, 1, "PFADD", "b", "x3", "x4");
    HS_EXPECT_OK(ctx, "PFMERGE", "m", "a", "b");
    HS_EXPECT_INT(ctx, 4, "PFCOUNT", "m");
    HS_EXPECT_STATUS(ctx, "sparse", "PFDEBUG", "ENCODING", "m");
    /* The destination's registers take part. */
    HS_EXPECT_INT(ctx, 1, "PFADD", "m", "x5");
    HS_EXPECT_OK(ctx, "PFMERGE", "m", "a");
    HS_EXPECT_INT(ctx, 5, "PFCOUNT", "m");
    /* No sources: creates an empty HLL. */
    HS_EXPECT_OK(ctx, "PFMERGE", "empty");
    expect_get_bin("empty", HDR_STALE "\x7f\xff", 18);
    /* A dense input makes a dense destination (7.0). */
    HS_EXPECT_INT(ctx, 1, "PFDEBUG", "TODENSE", "b");
    HS_EXPECT_OK(ctx, "PFMERGE", "d", "a", "b");
    HS_EXPECT_STATUS(ctx, "dense", "PFDEBUG", "ENCODING", "d");
    HS_EXPECT_INT(ctx, 4, "PFCOUNT", "d");
    /* A source that is no HLL refuses the merge before any change. */
    HS_EXPECT_OK(ctx, "SET", "str", "foo");
    HS_EXPECT_ERROR(ctx, ERR_NOT_HLL, "PFMERGE", "new", "a", "str");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "new");
    HS_EXPECT_INT(ctx, 1, "LPUSH", "l", "x");
    HS_EXPECT_ERROR(ctx, ERR_WRONGTYPE, "PFMERGE", "new", "l");
    HS_EXPECT_ERROR(ctx, ERR_WRONGTYPE, "PFMERGE", "l", "a");
}
END_TEST

START_TEST(test_pfdebug) {
    HS_EXPECT_INT(ctx, 1, "PFADD", "h", "a", "b");
    HS_EXPECT_STATUS(ctx, "sparse", "PFDEBUG", "ENCODING", "h");
    HS_EXPECT_BULK(ctx, "Z:12711 v:2,1 Z:3068 v:1,1 Z:603", "PFDEBUG", "DECODE", "h");
    HS_EXPECT_BULK(ctx, "Z:12711 v:2,1 Z:3068 v:1,1 Z:603", "PFDEBUG", "decode", "h");
    /* GETREG turns a sparse value dense, then lists every register. */
    redisReply *r = hs_command(ctx, HS_ARGS("PFDEBUG", "GETREG", "h"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 16384);
    ck_assert_int_eq(r->element[12711]->integer, 2);
    ck_assert_int_eq(r->element[15780]->integer, 1);
    ck_assert_int_eq(r->element[0]->integer, 0);
    freeReplyObject(r);
    HS_EXPECT_STATUS(ctx, "dense", "PFDEBUG", "ENCODING", "h");
    ck_assert_int_eq(strlen_of("h"), DENSE_SIZE);
    HS_EXPECT_ERROR(ctx, "ERR HLL encoding is not sparse", "PFDEBUG", "DECODE", "h");
    HS_EXPECT_INT(ctx, 0, "PFDEBUG", "TODENSE", "h");
    HS_EXPECT_INT(ctx, 1, "PFADD", "s", "a");
    HS_EXPECT_INT(ctx, 1, "PFDEBUG", "TODENSE", "s");
    HS_EXPECT_INT(ctx, 0, "PFDEBUG", "TODENSE", "s");
    HS_EXPECT_INT(ctx, 1, "PFCOUNT", "s");
    HS_EXPECT_ERROR(ctx, "ERR The specified key does not exist", "PFDEBUG", "GETREG", "nokey");
    HS_EXPECT_ERROR(ctx, "ERR Unknown PFDEBUG subcommand 'foo'", "PFDEBUG", "foo", "h");
    HS_EXPECT_ERROR(ctx, "ERR The specified key does not exist", "PFDEBUG", "foo", "nokey");
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    HS_EXPECT_ERROR(ctx, ERR_NOT_HLL, "PFDEBUG", "foo", "str");
    HS_EXPECT_OK(ctx, "PFSELFTEST");
}
END_TEST

/* ---------------------------------------------------------- errors */

START_TEST(test_arity) {
    HS_EXPECT_ARITY(ctx, "pfadd", "PFADD");
    HS_EXPECT_ARITY(ctx, "pfcount", "PFCOUNT");
    HS_EXPECT_ARITY(ctx, "pfmerge", "PFMERGE");
    HS_EXPECT_ARITY(ctx, "pfselftest", "PFSELFTEST", "x");
    HS_EXPECT_ARITY(ctx, "pfdebug", "PFDEBUG", "GETREG");
    HS_EXPECT_ARITY(ctx, "pfdebug", "PFDEBUG", "GETREG", "h", "x");
}
END_TEST

START_TEST(test_wrongtype) {
    HS_EXPECT_INT(ctx, 1, "LPUSH", "l", "x");
    HS_EXPECT_ERROR(ctx, ERR_WRONGTYPE, "PFADD", "l", "a");
    HS_EXPECT_ERROR(ctx, ERR_WRONGTYPE, "PFCOUNT", "l");
    HS_EXPECT_ERROR(ctx, ERR_WRONGTYPE, "PFCOUNT", "nokey", "l");
    HS_EXPECT_ERROR(ctx, ERR_WRONGTYPE, "PFDEBUG", "GETREG", "l");
    /* Strings that are no HyperLogLog. */
    HS_EXPECT_OK(ctx, "SET", "s", "foo");
    HS_EXPECT_OK(ctx, "SET", "n", "123");
    set_bin("bad_enc", "HYLL\x02\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18);
    set_bin("bad_size", "HYLL\x00\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18);
    const char *keys[] = {"s", "n", "bad_enc", "bad_size"};
    for (size_t i = 0; i < 4; i++) {
        HS_EXPECT_ERROR(ctx, ERR_NOT_HLL, "PFADD", keys[i], "a");
        HS_EXPECT_ERROR(ctx, ERR_NOT_HLL, "PFCOUNT", keys[i]);
        HS_EXPECT_ERROR(ctx, ERR_NOT_HLL, "PFCOUNT", "nokey", keys[i]);
        HS_EXPECT_ERROR(ctx, ERR_NOT_HLL, "PFMERGE", "dest", keys[i]);
        HS_EXPECT_ERROR(ctx, ERR_NOT_HLL, "PFDEBUG", "ENCODING", keys[i]);
    }
    expect_get_bin("s", "foo", 3);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "dest");
}
END_TEST

START_TEST(test_corrupt) {
    /* Runs covering 16383 registers. */
    set_bin("c", HDR_STALE "\x7f\xfe", 18);
    HS_EXPECT_ERROR(ctx, ERR_CORRUPT, "PFCOUNT", "c");
    HS_EXPECT_ERROR(ctx, ERR_CORRUPT, "PFCOUNT", "c", "nokey");
    HS_EXPECT_ERROR(ctx, ERR_CORRUPT, "PFMERGE", "d", "c");
    HS_EXPECT_ERROR(ctx, ERR_CORRUPT, "PFDEBUG", "GETREG", "c");
    HS_EXPECT_ERROR(ctx, ERR_CORRUPT, "PFDEBUG", "TODENSE", "c");
    HS_EXPECT_BULK(ctx, "Z:16383", "PFDEBUG", "DECODE", "c");
    /* Runs past the last register. */
    set_bin("c2", HDR_STALE "\x7f\xff\x80", 19);
    HS_EXPECT_ERROR(ctx, ERR_CORRUPT, "PFCOUNT", "c2");
    HS_EXPECT_ERROR(ctx, ERR_CORRUPT, "PFCOUNT", "c2", "c2");
    /* A valid cache is trusted (Redis does not walk the registers). */
    set_bin("c3", "HYLL\x01\0\0\0\x07\0\0\0\0\0\0\0\x7f\xfe", 18);
    HS_EXPECT_INT(ctx, 7, "PFCOUNT", "c3");
    /* Nothing crashes on a body that ends inside an XZERO. */
    set_bin("c4", HDR_STALE "\x40", 17);
    HS_EXPECT_ERROR(ctx, ERR_CORRUPT, "PFCOUNT", "c4");
    set_bin("c5", HDR_STALE, 16);
    HS_EXPECT_ERROR(ctx, ERR_CORRUPT, "PFCOUNT", "c5");
    HS_EXPECT_ERROR(ctx, ERR_CORRUPT, "PFADD", "c5", "a");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

/* Sends cmd (inline) on a raw RESP3 connection; the reply must be want. */
#define RAW3(fd, cmd, want) HS_RAW_EXPECT(fd, cmd "\r\n", want)

START_TEST(test_resp3) {
    HS_EXPECT_INT(ctx, 1, "PFADD", "h", "a");
    HS_EXPECT_OK(ctx, "SET", "s", "x");
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    int closed = 0;
    hs_buf hello = hs_raw_read_all(fd, 200, &closed);
    ck_assert_msg(hello.len > 0 && hello.data[0] == '%', "HELLO 3 did not answer with a map");
    hs_buf_free(&hello);
    RAW3(fd, "PFADD h b", ":1\r\n");
    RAW3(fd, "PFCOUNT h", ":2\r\n");
    RAW3(fd, "PFCOUNT h nokey", ":2\r\n");
    RAW3(fd, "PFMERGE m h", "+OK\r\n");
    RAW3(fd, "PFDEBUG ENCODING m", "+sparse\r\n");
    RAW3(fd, "PFDEBUG DECODE m", "$32\r\nZ:12711 v:2,1 Z:3068 v:1,1 Z:603\r\n");
    RAW3(fd, "PFDEBUG DECODE nokey", "-ERR The specified key does not exist\r\n");
    RAW3(fd, "PFCOUNT s", "-" ERR_NOT_HLL "\r\n");
    RAW3(fd, "PFADD", "-ERR wrong number of arguments for 'pfadd' command\r\n");
    RAW3(fd, "PFDEBUG TODENSE m", ":1\r\n");
    RAW3(fd, "PFSELFTEST", "+OK\r\n");
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- config */

START_TEST(test_sparse_max_bytes) {
    HS_EXPECT_BULKS(ctx, ((const char *[]){"hll-sparse-max-bytes", "3000", NULL}), "CONFIG", "GET",
                    "hll-sparse-max-bytes");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "hll-sparse-max-bytes", "20");
    HS_EXPECT_INT(ctx, 1, "PFADD", "h", "a");   /* 18 -> 21 bytes: promoted */
    HS_EXPECT_STATUS(ctx, "dense", "PFDEBUG", "ENCODING", "h");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "hll-sparse-max-bytes", "1kb");
    HS_EXPECT_BULKS(ctx, ((const char *[]){"hll-sparse-max-bytes", "1024", NULL}), "CONFIG", "GET",
                    "hll-sparse-max-bytes");
    HS_EXPECT_INT(ctx, 1, "PFADD", "h2", "a");
    HS_EXPECT_STATUS(ctx, "sparse", "PFDEBUG", "ENCODING", "h2");
    HS_EXPECT_ERROR_PREFIX(ctx, "ERR CONFIG SET failed", "CONFIG", "SET", "hll-sparse-max-bytes", "-1");
}
END_TEST

/* ---------------------------------------------------------- change path */

/* Events since the last call (read up to a marker PUBLISHed after them). */
static hs_buf events(redisContext *sub) {
    freeReplyObject(hs_command(ctx, HS_ARGS("PUBLISH", MARKER_CHANNEL, "m")));
    hs_buf out = {0};
    for (;;) {
        redisReply *m = hs_get_reply(sub);
        ck_assert_msg(m->type == REDIS_REPLY_ARRAY && m->elements == 4, "not a pmessage");
        const char *chan = m->element[2]->str;
        if (strcmp(chan, MARKER_CHANNEL) == 0) {
            freeReplyObject(m);
            break;
        }
        hs_buf_printf(&out, "%s%s:%s", out.len ? " " : "", strchr(chan, ':') + 1, m->element[3]->str);
        freeReplyObject(m);
    }
    if (out.data == NULL) hs_buf_cat(&out, "", 0);
    return out;
}

START_TEST(test_events) {
    redisContext *sub = hs_connect(srv);
    freeReplyObject(hs_command(sub, HS_ARGS("PSUBSCRIBE", "__keyevent@*__:*")));
    static const struct { const char *cmd, *want; } cases[] = {
        {"PFADD h a b", "pfadd:h"},
        {"PFADD h a", ""},
        {"PFADD e", "pfadd:e"},
        {"PFCOUNT h", ""},
        {"PFCOUNT h e", ""},
        {"PFMERGE m h", "pfadd:m"},
        {"PFMERGE m", "pfadd:m"},
        {"PFDEBUG TODENSE m", ""},
        {"SET s x", "set:s"},
        {"PFADD s a", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_ignore(cases[i].cmd);
        hs_buf got = events(sub);
        ck_assert_msg(strcmp(got.data, cases[i].want) == 0, "%s: events \"%s\", want \"%s\"", cases[i].cmd,
                      got.data, cases[i].want);
        hs_buf_free(&got);
    }
    redisFree(sub);
}
END_TEST

START_TEST(test_dirty) {
    static const struct { const char *cmd; long long delta; } cases[] = {
        {"PFADD h a b c d e", 6}, /* created + 5 registers changed */
        {"PFADD h a", 0},
        {"PFADD h x y", 2},
        {"PFADD e", 1},
        {"PFCOUNT h", 1}, /* stores the count */
        {"PFCOUNT h", 0}, /* cached */
        {"PFCOUNT h e", 0},
        {"PFMERGE m h", 1},
        {"PFMERGE m", 1},
        {"PFDEBUG TODENSE m", 1},
        {"PFDEBUG TODENSE m", 0},
        {"PFDEBUG GETREG e", 1},
        {"PFDEBUG GETREG e", 0},
        {"PFDEBUG ENCODING h", 0},
    };
    long long before = hs_dirty(ctx);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_ignore(cases[i].cmd);
        long long after = hs_dirty(ctx);
        ck_assert_msg(after - before == cases[i].delta, "%s: dirty moved by %lld, want %lld", cases[i].cmd,
                      after - before, cases[i].delta);
        before = after;
    }
}
END_TEST

static void check_effects(int line, const char *want) {
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    hs_buf w = {0};
    char buf[256];
    strcpy(buf, want);
    char *save;
    for (char *cmd = strtok_r(buf, "|", &save); cmd; cmd = strtok_r(NULL, "|", &save)) hs_cat_command_resp(&w, cmd);
    if (w.data == NULL) hs_buf_cat(&w, "", 0);
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    hs_check_bytes(__FILE__, line, r->str, r->len, w.data, w.len);
    hs_buf_free(&w);
    freeReplyObject(r);
}

START_TEST(test_effects) {
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
    run_ignore("PFADD h a b");
    check_effects(__LINE__, "SELECT 0|PFADD h a b");
    run_ignore("PFADD h a");
    check_effects(__LINE__, "");
    /* The count stored by PFCOUNT reaches replicas as PFCOUNT itself. */
    run_ignore("PFCOUNT h");
    check_effects(__LINE__, "PFCOUNT h");
    run_ignore("PFCOUNT h");
    check_effects(__LINE__, "");
    run_ignore("PFMERGE m h");
    check_effects(__LINE__, "PFMERGE m h");
    run_ignore("PFDEBUG TODENSE m");
    check_effects(__LINE__, "PFDEBUG TODENSE m");
    run_ignore("PFDEBUG ENCODING m");
    check_effects(__LINE__, "");
}
END_TEST

/* A computed count is a modification: it breaks a WATCH, as in Redis. */
START_TEST(test_pfcount_touches_watch) {
    HS_EXPECT_INT(ctx, 1, "PFADD", "h", "a");
    HS_EXPECT_OK(ctx, "WATCH", "h");
    HS_EXPECT_INT(ctx, 1, "PFCOUNT", "h");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "PING");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_int_eq(r->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    /* With the count cached, nothing changes. */
    HS_EXPECT_OK(ctx, "WATCH", "h");
    HS_EXPECT_INT(ctx, 1, "PFCOUNT", "h");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "PING");
    r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
}
END_TEST

/* TTLs survive writes; a shared or embstr value is copied before it is
 * written (the copy made by SET of the same bytes is untouched). */
START_TEST(test_ttl_and_unshare) {
    HS_EXPECT_INT(ctx, 1, "PFADD", "h", "a");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "h", "1000");
    HS_EXPECT_INT(ctx, 1, "PFADD", "h", "b");
    HS_EXPECT_INT(ctx, 2, "PFCOUNT", "h");
    redisReply *r = hs_command(ctx, HS_ARGS("TTL", "h"));
    ck_assert_int_gt(r->integer, 0);
    freeReplyObject(r);
    set_bin("v", HDR_STALE "\x7f\xff", 18);
    HS_EXPECT_BULK(ctx, "embstr", "OBJECT", "ENCODING", "v");
    HS_EXPECT_INT(ctx, 0, "PFCOUNT", "v");
    HS_EXPECT_BULK(ctx, "raw", "OBJECT", "ENCODING", "v");
    HS_EXPECT_INT(ctx, 1, "COPY", "v", "v2");
    HS_EXPECT_INT(ctx, 1, "PFADD", "v", "x");
    expect_get_bin("v2", "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18);
}
END_TEST

/* PFCOUNT may write (the cached count): CLIENT PAUSE WRITE holds it. */
START_TEST(test_pfcount_held_by_pause_write) {
    HS_EXPECT_INT(ctx, 1, "PFADD", "h", "a");
    HS_EXPECT_OK(ctx, "CLIENT", "PAUSE", "300", "WRITE");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    HS_EXPECT_INT(ctx, 1, "PFCOUNT", "h");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    ck_assert_msg(ms >= 200, "PFCOUNT answered after %lld ms during CLIENT PAUSE WRITE", ms);
}
END_TEST

static Suite *hll_suite(void) {
    Suite *s = suite_create("hll");
    TCase *tc = hs_tcase(s, "hll");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_pfadd_pfcount);
    tcase_add_test(tc, test_large_count_and_dense);
    tcase_add_test(tc, test_pfmerge);
    tcase_add_test(tc, test_pfdebug);
    tcase_add_test(tc, test_arity);
    tcase_add_test(tc, test_wrongtype);
    tcase_add_test(tc, test_corrupt);
    tcase_add_test(tc, test_resp3);
    tcase_add_test(tc, test_sparse_max_bytes);
    tcase_add_test(tc, test_events);
    tcase_add_test(tc, test_dirty);
    tcase_add_test(tc, test_effects);
    tcase_add_test(tc, test_pfcount_touches_watch);
    tcase_add_test(tc, test_ttl_and_unshare);
    tcase_add_test(tc, test_pfcount_held_by_pause_write);
    return s;
}

int main(void) {
    return hs_run_suite(hll_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
