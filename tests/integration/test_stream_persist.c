/* test_stream_persist.c -- streams through every persistence path of one
 * server: DUMP/RESTORE, DEBUG RELOAD (RDB), the AOF rewritten as
 * commands, DEBUG DIGEST-VALUE, MEMORY USAGE; corrupt and pre-7.0 (type
 * 15) payloads; and XINFO's replies, arity, errors and RESP3 shapes.
 * Payloads in the expectations were written by Redis 7.0.15. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static hs_server *srv;
static redisContext *c;

static void setup(void) {
    srv = hs_start(NULL);
    c = hs_connect(srv);
}

static void teardown(void) {
    redisFree(c);
    hs_stop(srv);
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    ck_assert_msg(r != NULL, "no reply to %s", fmt);
    ck_assert_msg(r->type != REDIS_REPLY_ERROR, "%s: %s", fmt, r->str);
    freeReplyObject(r);
}

/* Appends a full, untruncated rendering of r to b. */
static void render(hs_buf *b, const redisReply *r) {
    switch (r->type) {
    case REDIS_REPLY_INTEGER: hs_buf_printf(b, ":%lld ", r->integer); break;
    case REDIS_REPLY_NIL: hs_buf_printf(b, "nil "); break;
    case REDIS_REPLY_ARRAY:
        hs_buf_printf(b, "*%zu[ ", r->elements);
        for (size_t i = 0; i < r->elements; i++) render(b, r->element[i]);
        hs_buf_printf(b, "] ");
        break;
    default:
        hs_buf_printf(b, "\"");
        hs_buf_cat(b, r->str, r->len);
        hs_buf_printf(b, "\" ");
    }
}

/* The rendered reply to a command (caller frees .data). */
static hs_buf reply_text(const char *fmt, const char *key) {
    redisReply *r = redisCommand(c, fmt, key);
    ck_assert(r != NULL);
    ck_assert_msg(r->type != REDIS_REPLY_ERROR, "%s: %s", fmt, r->str);
    hs_buf b = {0};
    render(&b, r);
    freeReplyObject(r);
    return b;
}

static void expect_same_text(hs_buf *a, hs_buf *b) {
    ck_assert_msg(a->len == b->len && memcmp(a->data, b->data, a->len) == 0, "differs:\n  %s\n  %s", a->data,
                  b->data);
    hs_buf_free(a);
    hs_buf_free(b);
}

/* A stream with deleted entries, several nodes and a group with pending
 * entries, consumers with and without pending entries. */
static void populate(void) {
    run("CONFIG SET stream-node-max-entries 4");
    for (int i = 1; i <= 10; i++) run("XADD s %d-0 f %d g v%d", i, i, i);
    run("XADD s 11-0 other x");
    run("XDEL s 3-0 9-0");
    run("XGROUP CREATE s workers 0");
    run("XGROUP CREATE s idle $");
    run("XREADGROUP GROUP workers alice COUNT 3 STREAMS s >");
    run("XREADGROUP GROUP workers bob COUNT 2 STREAMS s >");
    run("XACK s workers 2-0");
    run("XGROUP CREATECONSUMER s workers carol");
}

START_TEST(test_dump_restore_round_trip) {
    populate();
    redisReply *d = redisCommand(c, "DUMP s");
    ck_assert_int_eq(d->type, REDIS_REPLY_STRING);
    ck_assert_int_eq((unsigned char)d->str[0], 19); /* RDB_TYPE_STREAM_LISTPACKS_2 */
    redisReply *r = redisCommand(c, "RESTORE s2 0 %b", d->str, d->len);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    hs_buf a = reply_text("XINFO STREAM %s FULL", "s"), b = reply_text("XINFO STREAM %s FULL", "s2");
    expect_same_text(&a, &b);
    a = reply_text("DEBUG DIGEST-VALUE %s", "s");
    b = reply_text("DEBUG DIGEST-VALUE %s", "s2");
    expect_same_text(&a, &b);
    /* The restored value dumps to the same bytes. */
    redisReply *d2 = redisCommand(c, "DUMP s2");
    ck_assert(d2->len == d->len && memcmp(d2->str, d->str, d->len) == 0);
    freeReplyObject(d2);
    freeReplyObject(d);
    /* Redis's payload of a stream made by XGROUP CREATE ... MKSTREAM. */
    static const char mk[] = "\x13\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x01g\x00\x00\x81\xff\xff\xff\xff\xff"
                             "\xff\xff\xff\x00\x00\x0a\x00\xa0\x1a\x95=\xfb\x9c\xdd\xde";
    r = redisCommand(c, "RESTORE s3 0 %b", mk, sizeof(mk) - 1);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_INT(c, 0, "XLEN", "s3");
    HS_EXPECT_STATUS(c, "stream", "TYPE", "s3");
}
END_TEST

/* A pre-7.0 payload (type 15) of an emptied stream with a group: Redis
 * 7.0 derives the first ID as the largest one and entries read as 0. */
START_TEST(test_restore_type15) {
    static const char p15[] = "\x0f\x00\x00\x03\x03\x01\x01g\x03\x03\x00\x00\x0a\x00\xf8\x11\x02rb\xc8S\x81";
    redisReply *r = redisCommand(c, "RESTORE e 0 %b", p15, sizeof(p15) - 1);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    hs_buf a = reply_text("XINFO STREAM %s", "e"), b = {0};
    hs_buf_printf(&b, "*20[ \"length\" :0 \"radix-tree-keys\" :0 \"radix-tree-nodes\" :1 \"last-generated-id\" "
                      "\"3-3\" \"max-deleted-entry-id\" \"0-0\" \"entries-added\" :0 \"recorded-first-entry-id\" "
                      "\"18446744073709551615-18446744073709551615\" \"groups\" :1 \"first-entry\" nil "
                      "\"last-entry\" nil ] ");
    expect_same_text(&a, &b);
}
END_TEST

START_TEST(test_restore_corrupt) {
    /* A stream whose only node is an empty listpack. */
    static const char empty_node[] = "\x13\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00"
                                     "\x07\x07\x00\x00\x00\x00\x00\xff\x00\x01\x00\x00\x00\x00\x00\x00\x00\x0a\x00"
                                     "&(q\x84\xdc\xe3~\xda";
    redisReply *r = redisCommand(c, "RESTORE k 0 %b", empty_node, sizeof(empty_node) - 1);
    HS_CHECK_ERROR(r, "ERR Bad data format");
    freeReplyObject(r);
    /* The same with one CRC byte changed. */
    char bad[sizeof(empty_node)];
    memcpy(bad, empty_node, sizeof(bad));
    bad[sizeof(bad) - 2] ^= 1;
    r = redisCommand(c, "RESTORE k 0 %b", bad, sizeof(bad) - 1);
    HS_CHECK_ERROR(r, "ERR DUMP payload version or checksum are wrong");
    freeReplyObject(r);
    HS_EXPECT_INT(c, 0, "EXISTS", "k");
}
END_TEST

START_TEST(test_debug_reload_keeps_streams) {
    populate();
    run("XADD empty 1-1 f v");
    run("XDEL empty 1-1");
    hs_buf before = reply_text("XINFO STREAM %s FULL", "s");
    hs_buf e1 = reply_text("XINFO STREAM %s FULL", "empty");
    hs_buf d1 = reply_text("DEBUG DIGEST%s", "");
    HS_EXPECT_OK(c, "DEBUG", "RELOAD");
    hs_buf after = reply_text("XINFO STREAM %s FULL", "s");
    hs_buf e2 = reply_text("XINFO STREAM %s FULL", "empty");
    hs_buf d2 = reply_text("DEBUG DIGEST%s", "");
    expect_same_text(&before, &after);
    expect_same_text(&e1, &e2);
    expect_same_text(&d1, &d2);
}
END_TEST

/* The base file of a rewrite without RDB preamble holds the stream as
 * Redis 7.0 rewrites it; loading it gives the same stream back. */
START_TEST(test_aof_rewrite_commands) {
    run("XADD s 1-1 a 1");
    run("XADD s 2-2 b 2");
    run("XDEL s 2-2");
    run("XGROUP CREATE s g 0 ENTRIESREAD 0");
    run("XGROUP CREATE e g $ MKSTREAM");
    HS_EXPECT_OK(c, "CONFIG", "SET", "aof-use-rdb-preamble", "no");
    HS_EXPECT_OK(c, "CONFIG", "SET", "appendonly", "yes");
    for (int i = 0; i < 250 && hs_info_ll(c, "persistence", "aof_rewrite_in_progress"); i++) usleep(20000);
    char path[600];
    snprintf(path, sizeof(path), "%s/appendonlydir/appendonly.aof.1.base.aof", srv->dir);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "no %s", path);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    ck_assert_msg(strstr(buf, "*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n1-1\r\n$1\r\na\r\n$1\r\n1\r\n"
                              "*7\r\n$6\r\nXSETID\r\n$1\r\ns\r\n$3\r\n2-2\r\n$12\r\nENTRIESADDED\r\n$1\r\n2\r\n"
                              "$12\r\nMAXDELETEDID\r\n$3\r\n2-2\r\n*7\r\n$6\r\nXGROUP\r\n$6\r\nCREATE\r\n$1\r\ns\r\n"
                              "$1\r\ng\r\n$3\r\n0-0\r\n$11\r\nENTRIESREAD\r\n$1\r\n0\r\n") != NULL,
                  "stream s not rewritten as expected:\n%s", buf);
    ck_assert_msg(strstr(buf, "*7\r\n$4\r\nXADD\r\n$1\r\ne\r\n$6\r\nMAXLEN\r\n$1\r\n0\r\n$3\r\n0-1\r\n$1\r\nx\r\n$1\r\n"
                              "y\r\n*7\r\n$6\r\nXSETID\r\n$1\r\ne\r\n$3\r\n0-0\r\n$12\r\nENTRIESADDED\r\n$1\r\n0\r\n"
                              "$12\r\nMAXDELETEDID\r\n$3\r\n0-0\r\n") != NULL,
                  "empty stream e not rewritten as expected:\n%s", buf);
    hs_buf a = reply_text("XINFO STREAM %s FULL", "s"), a2 = reply_text("XINFO STREAM %s FULL", "e");
    HS_EXPECT_OK(c, "DEBUG", "LOADAOF");
    hs_buf b = reply_text("XINFO STREAM %s FULL", "s"), b2 = reply_text("XINFO STREAM %s FULL", "e");
    expect_same_text(&a, &b);
    expect_same_text(&a2, &b2);
}
END_TEST

START_TEST(test_memory_usage_and_digest) {
    HS_EXPECT_NIL(c, "MEMORY", "USAGE", "s");
    run("XADD s 1-1 a 1");
    redisReply *r = redisCommand(c, "MEMORY USAGE s");
    ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
    long long small = r->integer;
    freeReplyObject(r);
    for (int i = 2; i < 500; i++) run("XADD s %d-1 a %d", i, i);
    r = redisCommand(c, "MEMORY USAGE s SAMPLES 0");
    ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
    ck_assert_int_gt(r->integer, small + 500 * 4);
    freeReplyObject(r);
    /* Digests depend on entries only, not on groups. */
    hs_buf d1 = reply_text("DEBUG DIGEST-VALUE %s", "s");
    run("XGROUP CREATE s g 0");
    hs_buf d2 = reply_text("DEBUG DIGEST-VALUE %s", "s");
    expect_same_text(&d1, &d2);
    d1 = reply_text("DEBUG DIGEST-VALUE %s", "s");
    run("XDEL s 7-1");
    d2 = reply_text("DEBUG DIGEST-VALUE %s", "s");
    ck_assert(d1.len != d2.len || memcmp(d1.data, d2.data, d1.len) != 0);
    hs_buf_free(&d1);
    hs_buf_free(&d2);
}
END_TEST

START_TEST(test_xinfo_errors) {
    HS_EXPECT_ARITY(c, "xinfo", "XINFO");
    HS_EXPECT_ERROR(c, "ERR wrong number of arguments for 'xinfo|stream' command", "XINFO", "STREAM");
    HS_EXPECT_ERROR(c, "ERR wrong number of arguments for 'xinfo|groups' command", "XINFO", "GROUPS", "a", "b");
    HS_EXPECT_ERROR(c, "ERR wrong number of arguments for 'xinfo|consumers' command", "XINFO", "CONSUMERS", "a");
    HS_EXPECT_ERROR(c, "ERR unknown subcommand 'foo'. Try XINFO HELP.", "XINFO", "foo");
    HS_EXPECT_ERROR(c, "ERR no such key", "XINFO", "STREAM", "nokey", "junk");
    HS_EXPECT_ERROR(c, "ERR no such key", "XINFO", "GROUPS", "nokey");
    run("SET str v");
    HS_EXPECT_ERROR(c, "WRONGTYPE Operation against a key holding the wrong kind of value", "XINFO", "STREAM", "str");
    run("XADD s 1-1 a 1");
    HS_EXPECT_ERROR(c, "ERR unknown subcommand or wrong number of arguments for 'Stream'. Try XINFO HELP.", "XINFO",
                    "Stream", "s", "FULLY");
    HS_EXPECT_ERROR(c, "ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.", "XINFO",
                    "stream", "s", "FULL", "COUNT");
    HS_EXPECT_ERROR(c, "ERR value is not an integer or out of range", "XINFO", "STREAM", "s", "FULL", "COUNT", "x");
    HS_EXPECT_ERROR(c, "NOGROUP No such consumer group 'g' for key name 's'", "XINFO", "CONSUMERS", "s", "g");
}
END_TEST

/* RESP3: maps, and _ for a null entries-read (bytes from Redis 7.0). */
START_TEST(test_xinfo_resp3) {
    run("XADD s 1-1 a 1");
    run("XGROUP CREATE s g 0");
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    hs_buf hello = hs_raw_read_until(fd, "*0\r\n", 5000);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "XINFO STREAM s\r\n",
                  "%10\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n"
                  "$17\r\nlast-generated-id\r\n$3\r\n1-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n"
                  "$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-1\r\n$6\r\ngroups\r\n:1\r\n"
                  "$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$10\r\nlast-entry\r\n*2\r\n"
                  "$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    HS_RAW_EXPECT(fd, "XINFO GROUPS s\r\n",
                  "*1\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n"
                  "$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n_\r\n$3\r\nlag\r\n:1\r\n");
    HS_RAW_EXPECT(fd, "XINFO STREAM s FULL\r\n",
                  "%9\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n"
                  "$17\r\nlast-generated-id\r\n$3\r\n1-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n"
                  "$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-1\r\n$7\r\nentries\r\n"
                  "*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$6\r\ngroups\r\n*1\r\n%7\r\n$4\r\nname\r\n"
                  "$1\r\ng\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n_\r\n$3\r\nlag\r\n:1\r\n"
                  "$9\r\npel-count\r\n:0\r\n$7\r\npending\r\n*0\r\n$9\r\nconsumers\r\n*0\r\n");
    close(fd);
}
END_TEST

/* UNLINK and FLUSHALL ASYNC of streams past the lazy-free effort (64):
 * freed in slices, the server answering meanwhile and nothing left. */
START_TEST(test_lazyfree_streams) {
    run("CONFIG SET stream-node-max-entries 2");
    for (int i = 1; i <= 400; i++) run("XADD big %d-0 f %d", i, i);
    run("XGROUP CREATE big g 0");
    run("XREADGROUP GROUP g alice COUNT 100 STREAMS big >");
    run("COPY big big2");
    run("COPY big big3");
    HS_EXPECT_INT(c, 1, "UNLINK", "big");
    HS_EXPECT_INT(c, 0, "EXISTS", "big");
    HS_EXPECT_INT(c, 400, "XLEN", "big2");
    run("FLUSHALL ASYNC");
    for (int i = 0; i < 250 && hs_info_ll(c, "memory", "lazyfree_pending_objects") > 0; i++) usleep(10000);
    HS_EXPECT_INT(c, 0, "DBSIZE");
    ck_assert_int_eq(hs_info_ll(c, "memory", "lazyfree_pending_objects"), 0);
    HS_EXPECT_STATUS(c, "PONG", "PING");
}
END_TEST

static Suite *stream_persist_suite(void) {
    Suite *s = suite_create("stream_persist");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, HS_TCASE_TIMEOUT_SEC);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dump_restore_round_trip);
    tcase_add_test(tc, test_restore_type15);
    tcase_add_test(tc, test_restore_corrupt);
    tcase_add_test(tc, test_debug_reload_keeps_streams);
    tcase_add_test(tc, test_aof_rewrite_commands);
    tcase_add_test(tc, test_memory_usage_and_digest);
    tcase_add_test(tc, test_xinfo_errors);
    tcase_add_test(tc, test_xinfo_resp3);
    tcase_add_test(tc, test_lazyfree_streams);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return hs_run_suite(stream_persist_suite());
}
