/* test_protocol.c -- integration tests for the wire protocol: pipelining,
 * inline commands, every malformed-input error, the bulk-length and
 * query-buffer limits, half-closed and reset peers, fragmented and very
 * large requests.
 *
 * Expected bytes are Redis 7.0's. After each protocol error the offending
 * connection must be closed while another client keeps being served. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "harness.h"

#define QUIET_MS 200
#define CLOSE_WAIT_MS 10000
#define PIPELINE_COMMANDS 100000
#define ONE_MB (1024 * 1024)
#define TEN_MB (10 * ONE_MB)
/* Pause between single-byte writes so each goes out on its own. */
#define BYTE_GAP_US 200

static hs_server *srv;
static redisContext *ctx; /* the bystander client */

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

/* Sends req on a new connection; expects exactly `reply`, then close. */
static void expect_reply_then_close(hs_server *s, const char *req, size_t len, const char *reply) {
    int fd = hs_raw_connect(s);
    hs_raw_try_send(fd, req, len);
    int closed;
    hs_buf got = hs_raw_read_all(fd, CLOSE_WAIT_MS, &closed);
    HS_CHECK_BYTES(got, reply);
    ck_assert_msg(closed, "connection still open after %s", reply);
    hs_buf_free(&got);
    close(fd);
}

#define EXPECT_PROTO_ERROR(s, req, msg) \
    expect_reply_then_close(s, req, sizeof(req) - 1, "-ERR Protocol error: " msg "\r\n")

/* Sends req on a new connection; expects exactly `reply`, then nothing
 * more for a moment, and no close. */
static void expect_reply_open(const char *req, size_t len, const char *reply) {
    int fd = hs_raw_connect(srv);
    hs_raw_expect(__FILE__, __LINE__, fd, req, len, reply, strlen(reply));
    int closed;
    hs_buf extra = hs_raw_read_all(fd, QUIET_MS, &closed);
    HS_CHECK_BYTES(extra, "");
    ck_assert_msg(!closed, "connection closed after %s", req);
    hs_buf_free(&extra);
    close(fd);
}

#define EXPECT_REPLY(req, reply) expect_reply_open(req, sizeof(req) - 1, reply)

/* ---------------------------------------------------------- pipelining */

START_TEST(test_pipeline_100k) {
    for (int i = 0; i < PIPELINE_COMMANDS; i++)
        ck_assert_int_eq(redisAppendCommand(ctx, "SET k:%d v:%d", i, i), REDIS_OK);
    for (int i = 0; i < PIPELINE_COMMANDS; i++) {
        redisReply *r = hs_get_reply(ctx);
        HS_CHECK_STATUS(r, "OK");
        freeReplyObject(r);
    }
    HS_EXPECT_INT(ctx, PIPELINE_COMMANDS, "DBSIZE");
    for (int i = 0; i < PIPELINE_COMMANDS; i++) ck_assert_int_eq(redisAppendCommand(ctx, "GET k:%d", i), REDIS_OK);
    for (int i = 0; i < PIPELINE_COMMANDS; i++) {
        char want[32];
        int n = snprintf(want, sizeof(want), "v:%d", i);
        redisReply *r = hs_get_reply(ctx);
        HS_CHECK_BULK(r, want, (size_t)n);
        freeReplyObject(r);
    }
}
END_TEST

START_TEST(test_pipeline_raw_mixed) {
    EXPECT_REPLY("PING\r\n*1\r\n$4\r\nPING\r\nSET a 1\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nECHO x\n",
                 "+PONG\r\n+PONG\r\n+OK\r\n$1\r\n1\r\n$1\r\nx\r\n");
}
END_TEST

/* ---------------------------------------------------------- inline */

START_TEST(test_inline_commands) {
    EXPECT_REPLY("PING\r\n", "+PONG\r\n");
    EXPECT_REPLY("PING\n", "+PONG\r\n");
    EXPECT_REPLY("SET a \"b c\"\r\nGET a\n", "+OK\r\n$3\r\nb c\r\n");
    EXPECT_REPLY("SET a \"\\x41\\n\"\r\nGET a\r\n", "+OK\r\n$2\r\nA\n\r\n");
    EXPECT_REPLY("SET b 'x y'\r\nGET b\r\n", "+OK\r\n$3\r\nx y\r\n");
    /* empty lines are skipped */
    EXPECT_REPLY("\r\n\r\n   \r\n\nPING\r\n", "+PONG\r\n");
    EXPECT_REPLY("  ECHO   spaced   \r\n", "$6\r\nspaced\r\n");
}
END_TEST

/* ---------------------------------------------------------- errors */

START_TEST(test_malformed_multibulk) {
    EXPECT_PROTO_ERROR(srv, "*abc\r\n", "invalid multibulk length");
    EXPECT_PROTO_ERROR(srv, "*+1\r\n$4\r\nPING\r\n", "invalid multibulk length");
    EXPECT_PROTO_ERROR(srv, "*01\r\n$4\r\nPING\r\n", "invalid multibulk length");
    EXPECT_PROTO_ERROR(srv, "*2147483648\r\n", "invalid multibulk length");
    EXPECT_PROTO_ERROR(srv, "*1\n$4\r\nPING\r\n", "invalid multibulk length");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    EXPECT_PROTO_ERROR(srv, "*1\r\n$abc\r\n", "invalid bulk length");
    EXPECT_PROTO_ERROR(srv, "*1\r\n$-1\r\n", "invalid bulk length");
    EXPECT_PROTO_ERROR(srv, "*1\r\n$04\r\nPING\r\n", "invalid bulk length");
    EXPECT_PROTO_ERROR(srv, "*1\r\n$+4\r\nPING\r\n", "invalid bulk length");
    EXPECT_PROTO_ERROR(srv, "*1\r\n$4 \r\nPING\r\n", "invalid bulk length");
    EXPECT_PROTO_ERROR(srv, "*1\r\n$4\nPING\r\n", "invalid bulk length");
    EXPECT_PROTO_ERROR(srv, "*1\r\n$2147483648\r\n", "invalid bulk length");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    EXPECT_PROTO_ERROR(srv, "*1\r\nfoo\r\n", "expected '$', got 'f'");
    EXPECT_PROTO_ERROR(srv, "*1\r\n:1\r\n", "expected '$', got ':'");
    EXPECT_PROTO_ERROR(srv, "*2\r\n$4\r\nECHO\r\n+x\r\n", "expected '$', got '+'");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

START_TEST(test_error_after_good_commands) {
    /* replies to the commands before the bad one are all sent */
    static const char req[] = "PING\r\nSET a 1\r\n*abc\r\nPING\r\n";
    expect_reply_then_close(srv, req, sizeof(req) - 1,
                            "+PONG\r\n+OK\r\n-ERR Protocol error: invalid multibulk length\r\n");
    HS_EXPECT_BULK(ctx, "1", "GET", "a");
}
END_TEST

START_TEST(test_multibulk_quirks) {
    /* an empty or negative multibulk is skipped */
    EXPECT_REPLY("*0\r\nPING\r\n", "+PONG\r\n");
    EXPECT_REPLY("*-1\r\nPING\r\n", "+PONG\r\n");
    EXPECT_REPLY("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", "$0\r\n\r\n");
    /* the two bytes after a bulk are skipped, whatever they are */
    EXPECT_REPLY("*1\r\n$4\r\nPINGxx\r\n", "+PONG\r\n");
    /* an incomplete command just waits */
    EXPECT_REPLY("*1\r\n$4\r\nPING", "");
}
END_TEST

START_TEST(test_unbalanced_quotes) {
    EXPECT_PROTO_ERROR(srv, "SET a \"b\r\n", "unbalanced quotes in request");
    EXPECT_PROTO_ERROR(srv, "SET a 'b\r\n", "unbalanced quotes in request");
    EXPECT_PROTO_ERROR(srv, "SET a \"b\"c\r\n", "unbalanced quotes in request");
    EXPECT_PROTO_ERROR(srv, "SET a 'it''s'\r\n", "unbalanced quotes in request");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
}
END_TEST

START_TEST(test_too_big_requests) {
    static const size_t big = 70000; /* past the 64 KB inline limit */
    char *buf = malloc(big + 8);
    memset(buf, 'x', big);
    expect_reply_then_close(srv, buf, big, "-ERR Protocol error: too big inline request\r\n");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    buf[0] = '*';
    memset(buf + 1, '1', big - 1);
    expect_reply_then_close(srv, buf, big, "-ERR Protocol error: too big mbulk count string\r\n");
    memcpy(buf, "*1\r\n$", 5);
    memset(buf + 5, '1', big - 5);
    expect_reply_then_close(srv, buf, big, "-ERR Protocol error: too big bulk count string\r\n");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    free(buf);
}
END_TEST

START_TEST(test_proto_max_bulk_len) {
    hs_server *s = hs_start(HS_ARGS("--proto-max-bulk-len", "1mb"));
    EXPECT_PROTO_ERROR(s, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1048577\r\n", "invalid bulk length");
    EXPECT_PROTO_ERROR(s, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$2000000\r\n", "invalid bulk length");
    /* exactly the limit is fine */
    redisContext *c = hs_connect(s);
    char *val = malloc(ONE_MB);
    memset(val, 'v', ONE_MB);
    const char *argv[] = {"SET", "a", val};
    size_t lens[] = {3, 1, ONE_MB};
    redisReply *r = hs_command_argv(c, 3, argv, lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_BULKS(c, HS_ARGS("proto-max-bulk-len", "1048576"), "CONFIG", "GET", "proto-max-bulk-len");
    free(val);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* ---------------------------------------------------------- query buffer */

/* client-output-buffer-limit: a client that asks for more output than the
 * hard limit and does not read it is closed; others are served on. */
START_TEST(test_client_output_buffer_limit) {
    hs_server *s = hs_start(HS_ARGS("--client-output-buffer-limit", "normal 1mb 0 0"));
    redisContext *c = hs_connect(s);
    char *big = malloc(100000);
    memset(big, 'v', 100000);
    const char *argv[] = {"SET", "big", big};
    size_t lens[] = {3, 3, 100000};
    redisReply *r = hs_command_argv(c, 3, argv, lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    free(big);
    int fd = hs_raw_connect(s);
    /* 50 GETs of 100 KB in one pipeline: 5 MB of replies, never read */
    hs_buf req = {0};
    for (int i = 0; i < 50; i++) hs_buf_printf(&req, "GET big\r\n");
    hs_raw_send(fd, req.data, req.len);
    hs_buf_free(&req);
    ck_assert_msg(hs_raw_wait_closed(fd, CLOSE_WAIT_MS) == 1, "client over the output limit was not closed");
    close(fd);
    HS_EXPECT_STATUS(c, "PONG", "PING");
    /* the limit is also a CONFIG directive */
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_client_query_buffer_limit) {
    hs_server *s = hs_start(HS_ARGS("--client-query-buffer-limit", "1mb"));
    redisContext *c = hs_connect(s);
    size_t part = 1500000;
    hs_buf req = {0};
    hs_buf_printf(&req, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n");
    char *x = malloc(part);
    memset(x, 'x', part);
    hs_buf_cat(&req, x, part);
    int fd = hs_raw_connect(s);
    hs_raw_try_send(fd, req.data, req.len);
    int closed;
    hs_buf got = hs_raw_read_all(fd, CLOSE_WAIT_MS, &closed);
    HS_CHECK_BYTES(got, "");
    ck_assert_msg(closed, "client over the query buffer limit not closed");
    hs_buf_free(&got);
    hs_buf_free(&req);
    close(fd);
    HS_EXPECT_STATUS(c, "PONG", "PING");
    HS_EXPECT_INT(c, 0, "EXISTS", "k");
    /* Redis 7.0 counts only the buffered bytes, not the arguments already
     * parsed: two 900 KB arguments are fine */
    const char *argv[] = {"DEL", x, x};
    size_t lens[] = {3, 900000, 900000};
    redisReply *r = hs_command_argv(c, 3, argv, lens);
    HS_CHECK_INT(r, 0);
    freeReplyObject(r);
    free(x);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* ---------------------------------------------------------- peers */

START_TEST(test_half_close) {
    /* Redis answers what it read, then closes on EOF */
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "PING\r\nECHO hi\r\n");
    shutdown(fd, SHUT_WR);
    int closed;
    hs_buf got = hs_raw_read_all(fd, CLOSE_WAIT_MS, &closed);
    HS_CHECK_BYTES(got, "+PONG\r\n$2\r\nhi\r\n");
    ck_assert_msg(closed, "server did not close a half-closed connection");
    hs_buf_free(&got);
    close(fd);
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

START_TEST(test_reset_mid_reply) {
    char *val = malloc(TEN_MB);
    memset(val, 'r', TEN_MB);
    const char *argv[] = {"SET", "big", val};
    size_t lens[] = {3, 3, TEN_MB};
    redisReply *r = hs_command_argv(ctx, 3, argv, lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    free(val);
    for (int round = 0; round < 3; round++) {
        int fd = hs_raw_connect(srv);
        HS_RAW_SEND_STR(fd, "GET big\r\nGET big\r\nGET big\r\nGET big\r\n");
        hs_buf some = hs_raw_read_n(fd, 1000, CLOSE_WAIT_MS);
        ck_assert_int_eq(some.len, 1000);
        hs_buf_free(&some);
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(fd); /* RST with megabytes still to send */
    }
    /* and a peer that resets before reading anything */
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "GET big\r\n");
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
}
END_TEST

START_TEST(test_byte_by_byte) {
    int fd = hs_raw_connect(srv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    static const char req[] = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$9\r\nval\r\nue!!\r\nPING\r\nGET key\r\n";
    for (size_t i = 0; i < sizeof(req) - 1; i++) {
        hs_raw_send(fd, &req[i], 1);
        usleep(BYTE_GAP_US);
    }
    static const char want[] = "+OK\r\n+PONG\r\n$9\r\nval\r\nue!!\r\n";
    hs_buf got = hs_raw_read_n(fd, sizeof(want) - 1, HS_REPLY_TIMEOUT_MS);
    HS_CHECK_BYTES(got, want);
    hs_buf_free(&got);
    close(fd);
}
END_TEST

START_TEST(test_ten_mb_value) {
    char *val = malloc(TEN_MB);
    for (size_t i = 0; i < TEN_MB; i++) val[i] = (char)(i * 7 + i / 4096);
    const char *argv[] = {"SET", "big", val};
    size_t lens[] = {3, 3, TEN_MB};
    redisReply *r = hs_command_argv(ctx, 3, argv, lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("GET", "big"));
    HS_CHECK_BULK(r, val, TEN_MB);
    freeReplyObject(r);
    /* twice in one pipeline, with a small command between */
    redisAppendCommand(ctx, "GET big");
    redisAppendCommand(ctx, "PING");
    redisAppendCommand(ctx, "GET big");
    r = hs_get_reply(ctx);
    HS_CHECK_BULK(r, val, TEN_MB);
    freeReplyObject(r);
    r = hs_get_reply(ctx);
    HS_CHECK_STATUS(r, "PONG");
    freeReplyObject(r);
    r = hs_get_reply(ctx);
    HS_CHECK_BULK(r, val, TEN_MB);
    freeReplyObject(r);
    free(val);
}
END_TEST

static Suite *protocol_suite(void) {
    Suite *s = suite_create("protocol");
    TCase *tc = hs_tcase(s, "protocol");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_pipeline_100k);
    tcase_add_test(tc, test_pipeline_raw_mixed);
    tcase_add_test(tc, test_inline_commands);
    tcase_add_test(tc, test_malformed_multibulk);
    tcase_add_test(tc, test_error_after_good_commands);
    tcase_add_test(tc, test_multibulk_quirks);
    tcase_add_test(tc, test_unbalanced_quotes);
    tcase_add_test(tc, test_too_big_requests);
    tcase_add_test(tc, test_proto_max_bulk_len);
    tcase_add_test(tc, test_client_query_buffer_limit);
    tcase_add_test(tc, test_half_close);
    tcase_add_test(tc, test_reset_mid_reply);
    tcase_add_test(tc, test_byte_by_byte);
    tcase_add_test(tc, test_ten_mb_value);
    tcase_add_test(tc, test_client_output_buffer_limit);
    return s;
}

int main(void) {
    return hs_run_suite(protocol_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
