/* test_stream_group.c -- integration tests for XREAD, XREADGROUP, XGROUP,
 * XACK, XPENDING, XCLAIM and XAUTOCLAIM: arity, WRONGTYPE, RESP3 shapes,
 * blocking with several clients (order of service, "$", timeouts, the key
 * deleted or the group destroyed while a client waits, XADD inside MULTI
 * serving at EXEC, CLIENT UNBLOCK, no blocking inside MULTI or scripts),
 * and the change path: dirty counts, keyspace events and the effects
 * propagated (XREADGROUP as XCLAIM ... FORCE JUSTID LASTID per entry).
 *
 * Every expectation was read from Redis 7.0.15 (replies, INFO deltas, its
 * replication stream and keyspace events). Byte-for-byte replies of the
 * non-blocking forms are in tests/diff/stream_group_*.txt. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MARKER_CHANNEL "__keyevent@0__:zz-marker"
/* Time given to a wrong wake-up to show itself. */
#define SETTLE_MS 50
#define WAITERS 3

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

static void run_ignore(redisContext *c, const char *line) {
    freeReplyObject(hs_command_line(c, line));
}

static void run_lines(redisContext *c, const char *const *lines) {
    for (; *lines; lines++) run_ignore(c, *lines);
}

/* r in a compact notation: [a,b] arrays, "x" bulks, integers, nil,
 * error(text). */
static void render(hs_buf *b, const redisReply *r) {
    switch (r->type) {
    case REDIS_REPLY_ARRAY:
        hs_buf_cat(b, "[", 1);
        for (size_t i = 0; i < r->elements; i++) {
            if (i) hs_buf_cat(b, ",", 1);
            render(b, r->element[i]);
        }
        hs_buf_cat(b, "]", 1);
        break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS: hs_buf_printf(b, "\"%.*s\"", (int)r->len, r->str); break;
    case REDIS_REPLY_INTEGER: hs_buf_printf(b, "%lld", r->integer); break;
    case REDIS_REPLY_NIL: hs_buf_cat(b, "nil", 3); break;
    case REDIS_REPLY_ERROR: hs_buf_printf(b, "error(%.*s)", (int)r->len, r->str); break;
    default: hs_buf_printf(b, "type%d", r->type); break;
    }
}

/* The RESP2 reply of c to line, rendered by render. */
static void check_reply(const char *file, int line, redisContext *c, const char *cmd, const char *want) {
    redisReply *r = hs_command_line(c, cmd);
    hs_buf got = {0};
    render(&got, r);
    ck_assert_msg(strcmp(got.data, want) == 0, "%s:%d: %s: got %s, want %s", file, line, cmd, got.data, want);
    hs_buf_free(&got);
    freeReplyObject(r);
}
#define CHECK_REPLY(c, cmd, want) check_reply(__FILE__, __LINE__, c, cmd, want)

static void check_reply_of(const char *file, int line, redisReply *r, const char *want) {
    hs_buf got = {0};
    render(&got, r);
    ck_assert_msg(strcmp(got.data, want) == 0, "%s:%d: got %s, want %s", file, line, got.data, want);
    hs_buf_free(&got);
    freeReplyObject(r);
}
#define CHECK_NEXT(c, want) check_reply_of(__FILE__, __LINE__, hs_get_reply(c), want)

/* ---------------------------------------------------------- arity, types */

START_TEST(test_arity_and_wrongtype) {
    HS_EXPECT_ARITY(ctx, "xread", "XREAD", "STREAMS", "s");
    HS_EXPECT_ARITY(ctx, "xreadgroup", "XREADGROUP", "GROUP", "g", "STREAMS", "s", ">");
    HS_EXPECT_ARITY(ctx, "xack", "XACK", "s", "g");
    HS_EXPECT_ARITY(ctx, "xpending", "XPENDING", "s");
    HS_EXPECT_ARITY(ctx, "xclaim", "XCLAIM", "s", "g", "c", "0");
    HS_EXPECT_ARITY(ctx, "xautoclaim", "XAUTOCLAIM", "s", "g", "c", "0");
    HS_EXPECT_ARITY(ctx, "xgroup", "XGROUP");
    HS_EXPECT_ARITY(ctx, "xgroup|create", "XGROUP", "CREATE", "s", "g");
    HS_EXPECT_ARITY(ctx, "xgroup|destroy", "XGROUP", "DESTROY", "s");
    HS_EXPECT_ARITY(ctx, "xgroup|createconsumer", "XGROUP", "CREATECONSUMER", "s", "g");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'FOO'. Try XGROUP HELP.", "XGROUP", "FOO");
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    const char *wt = "WRONGTYPE Operation against a key holding the wrong kind of value";
    HS_EXPECT_ERROR(ctx, wt, "XREAD", "STREAMS", "str", "0");
    HS_EXPECT_ERROR(ctx, wt, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">");
    HS_EXPECT_ERROR(ctx, wt, "XACK", "str", "g", "1-1");
    HS_EXPECT_ERROR(ctx, wt, "XPENDING", "str", "g");
    HS_EXPECT_ERROR(ctx, wt, "XCLAIM", "str", "g", "c", "0", "1-1");
    HS_EXPECT_ERROR(ctx, wt, "XAUTOCLAIM", "str", "g", "c", "0", "0");
    HS_EXPECT_ERROR(ctx, wt, "XGROUP", "CREATE", "str", "g", "$", "MKSTREAM");
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    HS_EXPECT_ERROR(ctx, "BUSYGROUP Consumer Group name already exists", "XGROUP", "CREATE", "s", "g", "$");
    HS_EXPECT_ERROR(ctx, "NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option",
                    "XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey", ">");
    HS_EXPECT_ERROR(ctx,
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                    "XREAD", "STREAMS", "a", "b", "0");
    HS_EXPECT_INT(ctx, 0, "XACK", "nokey", "g", "1-1");
}
END_TEST

/* COMMAND GETKEYS finds the keys after STREAMS (the keyword key spec). */
START_TEST(test_getkeys) {
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b"), "COMMAND", "GETKEYS", "XREAD", "COUNT", "2", "STREAMS", "a", "b", "0",
                    "0");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k"), "COMMAND", "GETKEYS", "XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">");
}
END_TEST

/* ---------------------------------------------------------- replies */

START_TEST(test_read_and_group_flow) {
    static const char *const setup_lines[] = {"XADD s 1-1 a 1", "XADD s 1-2 b 2", "XGROUP CREATE s g 0", NULL};
    run_lines(ctx, setup_lines);
    CHECK_REPLY(ctx, "XREAD COUNT 1 STREAMS s 0", "[[\"s\",[[\"1-1\",[\"a\",\"1\"]]]]]");
    CHECK_REPLY(ctx, "XREAD STREAMS s $", "nil");
    CHECK_REPLY(ctx, "XREADGROUP GROUP g alice COUNT 1 STREAMS s >", "[[\"s\",[[\"1-1\",[\"a\",\"1\"]]]]]");
    CHECK_REPLY(ctx, "XREADGROUP GROUP g bob STREAMS s >", "[[\"s\",[[\"1-2\",[\"b\",\"2\"]]]]]");
    CHECK_REPLY(ctx, "XREADGROUP GROUP g bob STREAMS s >", "nil");
    CHECK_REPLY(ctx, "XPENDING s g", "[2,\"1-1\",\"1-2\",[[\"alice\",\"1\"],[\"bob\",\"1\"]]]");
    CHECK_REPLY(ctx, "XACK s g 1-1 1-1 9-9", "1");
    CHECK_REPLY(ctx, "XCLAIM s g carol 0 1-2 JUSTID", "[\"1-2\"]");
    CHECK_REPLY(ctx, "XAUTOCLAIM s g dave 0 0 COUNT 1 JUSTID", "[\"0-0\",[\"1-2\"],[]]");
    CHECK_REPLY(ctx, "XREADGROUP GROUP g dave STREAMS s 0", "[[\"s\",[[\"1-2\",[\"b\",\"2\"]]]]]");
    CHECK_REPLY(ctx, "XGROUP DELCONSUMER s g dave", "1");
    CHECK_REPLY(ctx, "XPENDING s g", "[0,nil,nil,nil]");
    CHECK_REPLY(ctx, "XGROUP DESTROY s g", "1");
}
END_TEST

/* RESP3: XREAD / XREADGROUP answer maps, nulls are RESP3 nulls. */
START_TEST(test_resp3_shapes) {
    int fd = hs_raw_connect(srv);
    const char *req = "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n";
    hs_raw_send(fd, req, strlen(req));
    hs_buf hello = hs_raw_read_until(fd, "modules\r\n*0\r\n", 2000);
    hs_buf_free(&hello);
    HS_EXPECT_BULK(ctx, "1-1", "XADD", "s", "1-1", "f", "v");
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "0");
    hs_buf b = {0};
    const char *want;
    hs_cat_command_resp(&b, "XREAD STREAMS s 0");
    hs_raw_expect(__FILE__, __LINE__, fd, b.data, b.len,
                  "%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
                  strlen("%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"));
    hs_buf_free(&b);
    hs_cat_command_resp(&b, "XREAD STREAMS s 1-1");
    hs_raw_expect(__FILE__, __LINE__, fd, b.data, b.len, "_\r\n", 3);
    hs_buf_free(&b);
    hs_cat_command_resp(&b, "XPENDING s g");
    want = "*4\r\n:0\r\n_\r\n_\r\n_\r\n";
    hs_raw_expect(__FILE__, __LINE__, fd, b.data, b.len, want, strlen(want));
    hs_buf_free(&b);
    hs_cat_command_resp(&b, "XREADGROUP GROUP g c STREAMS s >");
    want = "%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";
    hs_raw_expect(__FILE__, __LINE__, fd, b.data, b.len, want, strlen(want));
    hs_buf_free(&b);
    HS_EXPECT_INT(ctx, 1, "XDEL", "s", "1-1");
    hs_cat_command_resp(&b, "XREADGROUP GROUP g c STREAMS s 0");
    want = "%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n_\r\n";
    hs_raw_expect(__FILE__, __LINE__, fd, b.data, b.len, want, strlen(want));
    hs_buf_free(&b);
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- blocking */

/* Waiters are served in the order they blocked, one XADD each. */
START_TEST(test_block_fifo_and_dollar) {
    HS_EXPECT_BULK(ctx, "1-1", "XADD", "s", "1-1", "f", "v");
    redisContext *w[WAITERS];
    for (int i = 0; i < WAITERS; i++)
        w[i] = hs_block_client(srv, ctx, HS_ARGS("XREAD", "BLOCK", "0", "STREAMS", "s", "$"), i + 1);
    HS_EXPECT_BULK(ctx, "2-1", "XADD", "s", "2-1", "f", "v");
    for (int i = 0; i < WAITERS; i++) {
        CHECK_NEXT(w[i], "[[\"s\",[[\"2-1\",[\"f\",\"v\"]]]]]");
        redisFree(w[i]);
    }
    ck_assert_int_eq(hs_blocked_clients(ctx), 0);
    /* "$" on a missing key means 0-0: the first entry added serves it. */
    redisContext *a = hs_block_client(srv, ctx, HS_ARGS("XREAD", "BLOCK", "0", "STREAMS", "nokey", "s", "$", "$"), 1);
    HS_EXPECT_BULK(ctx, "1-1", "XADD", "nokey", "1-1", "x", "y");
    CHECK_NEXT(a, "[[\"nokey\",[[\"1-1\",[\"x\",\"y\"]]]]]");
    /* Group readers: each entry goes to one consumer, oldest waiter first. */
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "$");
    redisContext *b = hs_block_client(srv, ctx, HS_ARGS("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">"), 1);
    redisContext *c = hs_block_client(srv, ctx, HS_ARGS("XREADGROUP", "GROUP", "g", "c2", "BLOCK", "0", "STREAMS", "s", ">"), 2);
    HS_EXPECT_BULK(ctx, "3-1", "XADD", "s", "3-1", "f", "v");
    CHECK_NEXT(b, "[[\"s\",[[\"3-1\",[\"f\",\"v\"]]]]]");
    hs_sleep_ms(SETTLE_MS);
    ck_assert_int_eq(hs_blocked_clients(ctx), 1);
    HS_EXPECT_BULK(ctx, "4-1", "XADD", "s", "4-1", "f", "v");
    CHECK_NEXT(c, "[[\"s\",[[\"4-1\",[\"f\",\"v\"]]]]]");
    CHECK_REPLY(ctx, "XPENDING s g", "[2,\"3-1\",\"4-1\",[[\"c1\",\"1\"],[\"c2\",\"1\"]]]");
    redisFree(a);
    redisFree(b);
    redisFree(c);
}
END_TEST

/* Timeouts answer a null array; CLIENT UNBLOCK too, or -UNBLOCKED. */
START_TEST(test_block_timeout_and_unblock) {
    redisContext *w = hs_connect(srv);
    hs_send_only(w, HS_ARGS("XREAD", "BLOCK", "30", "STREAMS", "s", "$"));
    CHECK_NEXT(w, "nil");
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    hs_send_only(w, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "30", "STREAMS", "s", ">"));
    CHECK_NEXT(w, "nil");
    long long id = hs_client_id(w);
    char idbuf[32];
    snprintf(idbuf, sizeof(idbuf), "%lld", id);
    hs_send_only(w, HS_ARGS("XREAD", "BLOCK", "0", "STREAMS", "s", "$"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 1, "CLIENT", "UNBLOCK", idbuf);
    CHECK_NEXT(w, "nil");
    hs_send_only(w, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 1, "CLIENT", "UNBLOCK", idbuf, "ERROR");
    CHECK_NEXT(w, "error(UNBLOCKED client unblocked via CLIENT UNBLOCK)");
    redisFree(w);
}
END_TEST

/* Deleting the key wakes XREADGROUP with an error, not XREAD; destroying
 * the group answers -NOGROUP; another type under the key is "no longer
 * exists" too. */
START_TEST(test_block_key_deleted_group_destroyed) {
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    redisContext *r = hs_block_client(srv, ctx, HS_ARGS("XREAD", "BLOCK", "0", "STREAMS", "s", "$"), 1);
    redisContext *g = hs_block_client(srv, ctx, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"), 2);
    HS_EXPECT_INT(ctx, 1, "DEL", "s");
    CHECK_NEXT(g, "error(UNBLOCKED the stream key no longer exists)");
    hs_sleep_ms(SETTLE_MS);
    ck_assert_int_eq(hs_blocked_clients(ctx), 1);
    HS_EXPECT_OK(ctx, "SET", "s", "x");
    hs_sleep_ms(SETTLE_MS);
    ck_assert_int_eq(hs_blocked_clients(ctx), 1);
    HS_EXPECT_INT(ctx, 1, "DEL", "s");
    HS_EXPECT_BULK(ctx, "1-1", "XADD", "s", "1-1", "f", "v");
    CHECK_NEXT(r, "[[\"s\",[[\"1-1\",[\"f\",\"v\"]]]]]");
    /* The group destroyed while waiting. */
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "$");
    hs_send_only(g, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 1, "XGROUP", "DESTROY", "s", "g");
    CHECK_NEXT(g, "error(NOGROUP the consumer group this client was blocked on no longer exists)");
    /* Overwritten by another type. */
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "$");
    hs_send_only(g, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_OK(ctx, "SET", "s", "x");
    CHECK_NEXT(g, "error(UNBLOCKED the stream key no longer exists)");
    /* Deleted and recreated in one transaction: the group is gone. */
    HS_EXPECT_INT(ctx, 1, "DEL", "s");
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    hs_send_only(g, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "DEL", "s");
    HS_EXPECT_STATUS(ctx, "QUEUED", "XADD", "s", "1-1", "f", "v");
    run_ignore(ctx, "EXEC");
    CHECK_NEXT(g, "error(NOGROUP the consumer group this client was blocked on no longer exists)");
    redisFree(r);
    redisFree(g);
}
END_TEST

/* XADD inside MULTI serves at EXEC; a blocking read inside MULTI or a
 * script does not block. */
START_TEST(test_block_multi_and_scripts) {
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"), 1);
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "XADD", "s", "1-1", "f", "v");
    HS_EXPECT_STATUS(ctx, "QUEUED", "XADD", "s", "1-2", "f", "v");
    run_ignore(ctx, "EXEC");
    CHECK_NEXT(w, "[[\"s\",[[\"1-1\",[\"f\",\"v\"]],[\"1-2\",[\"f\",\"v\"]]]]]");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
    HS_EXPECT_STATUS(ctx, "QUEUED", "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
    CHECK_REPLY(ctx, "EXEC", "[nil,nil]");
    HS_EXPECT_ERROR(ctx, "ERR xread command is not allowed with BLOCK option from scripts", "EVAL",
                    "return redis.pcall('xread','BLOCK','x','STREAMS','s','$')", "0");
    HS_EXPECT_ERROR(ctx, "ERR XREADGROUP command is not allowed with BLOCK option from scripts", "EVAL",
                    "return redis.pcall('XREADGROUP','GROUP','g','c','BLOCK','0','STREAMS','s','>')", "0");
    redisFree(w);
}
END_TEST

/* As Redis 7.0 serves a waiter: from the key that woke it alone, as soon
 * as the last ID passes its own (even if the new entries were deleted),
 * and a flush wakes XREADGROUP waiters with an error. */
START_TEST(test_block_serving_details) {
    HS_EXPECT_BULK(ctx, "1-1", "XADD", "a", "1-1", "f", "v");
    HS_EXPECT_BULK(ctx, "1-1", "XADD", "b", "1-1", "f", "v");
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "$"), 1);
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "XADD", "b", "2-1", "f", "v");
    HS_EXPECT_STATUS(ctx, "QUEUED", "XADD", "a", "2-1", "f", "v");
    run_ignore(ctx, "EXEC");
    CHECK_NEXT(w, "[[\"b\",[[\"2-1\",[\"f\",\"v\"]]]]]");
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "a", "g", "$");
    hs_send_only(w, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "a", ">"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "XADD", "a", "3-1", "f", "v");
    HS_EXPECT_STATUS(ctx, "QUEUED", "XDEL", "a", "3-1");
    run_ignore(ctx, "EXEC");
    CHECK_NEXT(w, "[[\"a\",[]]]");
    hs_send_only(w, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "a", ">"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_OK(ctx, "FLUSHALL");
    CHECK_NEXT(w, "error(UNBLOCKED the stream key no longer exists)");
    /* SWAPDB brings a database without the key. */
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "a", "g", "$", "MKSTREAM");
    hs_send_only(w, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "a", ">"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_OK(ctx, "SWAPDB", "0", "1");
    CHECK_NEXT(w, "error(UNBLOCKED the stream key no longer exists)");
    redisFree(w);
}
END_TEST

/* ---------------------------------------------------------- change path */

struct dirty_case {
    const char *cmd;
    long long delta;
};

START_TEST(test_dirty) {
    static const char *const setup_lines[] = {"XADD s 1-1 f v", "XADD s 1-2 f v", "XGROUP CREATE s g $", NULL};
    run_lines(ctx, setup_lines);
    static const struct dirty_case cases[] = {
        {"XREADGROUP GROUP g c STREAMS s >", 0},
        {"XREADGROUP GROUP g c2 NOACK STREAMS s >", 0},
        {"XREADGROUP GROUP g c3 STREAMS s 0", 2},
        {"XGROUP SETID s g 0", 1},
        {"XREADGROUP GROUP g c STREAMS s >", 2},
        {"XREADGROUP GROUP g c STREAMS s 0", 1},
        {"XGROUP SETID s g 0", 1},
        {"XREADGROUP GROUP g c4 NOACK STREAMS s >", 2},
        {"XGROUP CREATECONSUMER s g c5", 1},
        {"XGROUP CREATECONSUMER s g c5", 0},
        {"XGROUP DELCONSUMER s g c5", 1},
        {"XGROUP DELCONSUMER s g c5", 0},
        {"XGROUP CREATE s g3 $", 1},
        {"XGROUP CREATE s g3 $", 0},
        {"XGROUP DESTROY s g3", 1},
        {"XGROUP DESTROY s g3", 0},
        {"XACK s g 1-1 1-2 1-1", 2},
        {"XCLAIM s g c 0 1-1", 0},
        {"XCLAIM s g c 0 1-1 FORCE", 1},
        {"XAUTOCLAIM s g c6 0 0", 2},
        {"XAUTOCLAIM s g c7 99999 0", 0},
        {"XCLAIM s g c8 999999 1-1", 0},
        {"XREAD STREAMS s 0", 0},
    };
    long long before = hs_dirty(ctx);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_ignore(ctx, cases[i].cmd);
        long long after = hs_dirty(ctx);
        ck_assert_msg(after - before == cases[i].delta, "%s: dirty moved by %lld, want %lld", cases[i].cmd,
                      after - before, cases[i].delta);
        before = after;
    }
}
END_TEST

/* RESP of "CMD a b|CMD2 c" with every 13-digit number (a unix-ms time)
 * written as T. */
static hs_buf resp_of(const char *cmds) {
    hs_buf out = {0};
    char buf[2048];
    ck_assert_uint_lt(strlen(cmds), sizeof(buf));
    strcpy(buf, cmds);
    char *save;
    for (char *cmd = strtok_r(buf, "|", &save); cmd; cmd = strtok_r(NULL, "|", &save)) hs_cat_command_resp(&out, cmd);
    if (out.data == NULL) hs_buf_cat(&out, "", 0);
    return out;
}

/* s with "$13\r\n<13 digits>\r\n" replaced by "$1\r\nT\r\n". */
static hs_buf mask_times(const char *s, size_t len) {
    hs_buf out = {0};
    size_t i = 0;
    while (i < len) {
        if (i + 19 <= len && memcmp(s + i, "$13\r\n", 5) == 0) {
            int digits = 1;
            for (int k = 0; k < 13; k++) digits &= isdigit((unsigned char)s[i + 5 + k]) != 0;
            if (digits) {
                hs_buf_cat(&out, "$1\r\nT\r\n", 7);
                i += 20;
                continue;
            }
        }
        hs_buf_cat(&out, s + i, 1);
        i++;
    }
    if (out.data == NULL) hs_buf_cat(&out, "", 0);
    return out;
}

static void check_effects(const char *file, int line, const char *want) {
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    ck_assert_msg(r->type == REDIS_REPLY_STRING, "%s:%d: DEBUG EFFECTS GET did not reply a bulk", file, line);
    hs_buf got = mask_times(r->str, r->len);
    hs_buf w = resp_of(want);
    hs_check_bytes(file, line, got.data, got.len, w.data, w.len);
    hs_buf_free(&w);
    hs_buf_free(&got);
    freeReplyObject(r);
}
#define EFFECTS_OF(line, want)                        \
    do {                                              \
        run_ignore(ctx, line);                        \
        check_effects(__FILE__, __LINE__, want);      \
    } while (0)

#define XC(c, id, n, last) "XCLAIM s g " c " 0 " id " TIME T RETRYCOUNT " n " FORCE JUSTID LASTID " last

START_TEST(test_effects) {
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
    EFFECTS_OF("XADD s 1-1 f v", "SELECT 0|XADD s 1-1 f v");
    run_ignore(ctx, "XADD s 1-2 f v");
    EFFECTS_OF("XGROUP CREATE s g 0", "XADD s 1-2 f v|XGROUP CREATE s g 0");
    EFFECTS_OF("XREADGROUP GROUP g c COUNT 1 STREAMS s >", XC("c", "1-1", "1", "1-1"));
    EFFECTS_OF("XREADGROUP GROUP g c2 NOACK STREAMS s >",
               "MULTI|XGROUP CREATECONSUMER s g c2|XGROUP SETID s g 1-2 ENTRIESREAD 2|EXEC");
    EFFECTS_OF("XREADGROUP GROUP g c STREAMS s 0", "");
    EFFECTS_OF("XREADGROUP GROUP g c9 NOACK STREAMS s >", "");
    EFFECTS_OF("XACK s g 1-1 1-2", "XACK s g 1-1 1-2");
    EFFECTS_OF("XACK s g 1-1", "");
    EFFECTS_OF("XGROUP CREATECONSUMER s g c3", "XGROUP CREATECONSUMER s g c3");
    EFFECTS_OF("XGROUP DELCONSUMER s g c3", "XGROUP DELCONSUMER s g c3");
    EFFECTS_OF("XGROUP SETID s g 0 ENTRIESREAD 0", "XGROUP SETID s g 0 ENTRIESREAD 0");
    EFFECTS_OF("XREADGROUP GROUP g c STREAMS s >",
               "MULTI|" XC("c", "1-1", "1", "1-1") "|" XC("c", "1-2", "1", "1-2") "|EXEC");
    EFFECTS_OF("XCLAIM s g c5 0 1-1 1-2 TIME 123", "MULTI|XCLAIM s g c5 0 1-1 TIME 123 RETRYCOUNT 2 FORCE JUSTID "
                                                    "LASTID 1-2|XCLAIM s g c5 0 1-2 TIME 123 RETRYCOUNT 2 FORCE "
                                                    "JUSTID LASTID 1-2|EXEC");
    EFFECTS_OF("XCLAIM s g c5 0 1-1 JUSTID RETRYCOUNT 7 LASTID 9-9 TIME 5",
               "XCLAIM s g c5 0 1-1 TIME 5 RETRYCOUNT 7 FORCE JUSTID LASTID 9-9");
    EFFECTS_OF("XCLAIM s g c5 0 8-8 LASTID 10-0", "XGROUP SETID s g 10-0 ENTRIESREAD 2");
    EFFECTS_OF("XCLAIM s g c5 0 8-8", "");
    run_ignore(ctx, "XDEL s 1-2");
    EFFECTS_OF("XAUTOCLAIM s g c6 0 0 JUSTID",
               "XDEL s 1-2|MULTI|XCLAIM s g c6 0 1-1 TIME T RETRYCOUNT 7 FORCE JUSTID LASTID 10-0|"
               "XCLAIM s g c5 0 1-2 TIME 123 RETRYCOUNT 2 FORCE JUSTID LASTID 10-0|EXEC");
    EFFECTS_OF("XGROUP DESTROY s g", "XGROUP DESTROY s g");
    EFFECTS_OF("XGROUP CREATE m g $ MKSTREAM", "XGROUP CREATE m g $ MKSTREAM");
}
END_TEST

/* A waiting XREADGROUP is served after the XADD that woke it, as its own
 * XCLAIM. */
START_TEST(test_effects_served) {
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"), 1);
    HS_EXPECT_BULK(ctx, "1-1", "XADD", "s", "1-1", "f", "v");
    CHECK_NEXT(w, "[[\"s\",[[\"1-1\",[\"f\",\"v\"]]]]]");
    check_effects(__FILE__, __LINE__, "SELECT 0|XADD s 1-1 f v|" XC("c", "1-1", "1", "1-1"));
    redisFree(w);
}
END_TEST

static redisContext *sub;

static hs_buf events(void) {
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
        hs_buf_printf(&out, "%s%s", out.len ? " " : "", strchr(chan, ':') + 1);
        freeReplyObject(m);
    }
    if (out.data == NULL) hs_buf_cat(&out, "", 0);
    return out;
}

START_TEST(test_events) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "notify-keyspace-events", "KEA");
    sub = hs_connect(srv);
    freeReplyObject(hs_command(sub, HS_ARGS("PSUBSCRIBE", "__keyevent@*__:*")));
    static const struct {
        const char *cmd, *want;
    } cases[] = {
        {"XADD s 1-1 f v", "xadd"},
        {"XADD s 1-2 f v", "xadd"},
        {"XGROUP CREATE s g 0", "xgroup-create"},
        {"XGROUP CREATE s2 g 0 MKSTREAM", "xgroup-create"},
        {"XREADGROUP GROUP g c COUNT 1 STREAMS s >", "xgroup-createconsumer"},
        {"XREADGROUP GROUP g c2 COUNT 1 STREAMS s 0", "xgroup-createconsumer"},
        {"XREADGROUP GROUP g c5 STREAMS s2 >", ""},
        {"XACK s g 1-1", ""},
        {"XGROUP CREATECONSUMER s g c3", "xgroup-createconsumer"},
        {"XGROUP CREATECONSUMER s g c9", "xgroup-createconsumer"},
        {"XGROUP DELCONSUMER s g c9", "xgroup-delconsumer"},
        {"XGROUP DELCONSUMER s g zz", ""},
        {"XGROUP SETID s g 0", "xgroup-setid"},
        {"XAUTOCLAIM s g y 0 0", ""},
        {"XREADGROUP GROUP g c STREAMS s >", ""},
        {"XAUTOCLAIM s g y 0 0", "xgroup-createconsumer"},
        {"XCLAIM s g x 0 1-1", "xgroup-createconsumer"},
        {"XGROUP DESTROY s g", "xgroup-destroy"},
        {"XGROUP DESTROY s g", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_ignore(ctx, cases[i].cmd);
        hs_buf got = events();
        ck_assert_msg(strcmp(got.data, cases[i].want) == 0, "%s: events \"%s\", want \"%s\"", cases[i].cmd,
                      got.data, cases[i].want);
        hs_buf_free(&got);
    }
    redisFree(sub);
}
END_TEST

static Suite *stream_group_suite(void) {
    Suite *s = suite_create("stream_group");
    TCase *tc = hs_tcase(s, "stream_group");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_arity_and_wrongtype);
    tcase_add_test(tc, test_getkeys);
    tcase_add_test(tc, test_read_and_group_flow);
    tcase_add_test(tc, test_resp3_shapes);
    tcase_add_test(tc, test_block_fifo_and_dollar);
    tcase_add_test(tc, test_block_timeout_and_unblock);
    tcase_add_test(tc, test_block_key_deleted_group_destroyed);
    tcase_add_test(tc, test_block_multi_and_scripts);
    tcase_add_test(tc, test_block_serving_details);
    tcase_add_test(tc, test_dirty);
    tcase_add_test(tc, test_effects);
    tcase_add_test(tc, test_effects_served);
    tcase_add_test(tc, test_events);
    return s;
}

int main(void) {
    return hs_run_suite(stream_group_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
