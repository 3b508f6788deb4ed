/* test_connection.c -- integration tests for the connection commands:
 * PING, ECHO, QUIT, RESET, SELECT, HELLO, AUTH, and the protocol limits
 * on unauthenticated clients.
 *
 * Every expected reply is Redis 7.0's, byte for byte; a test never
 * depends on another's state (one server per test). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define NOAUTH_HELLO                                                                                   \
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> " \
    "<pass> option can be used to authenticate the client and select the RESP protocol version at the " \
    "same time"
#define WRONGPASS "WRONGPASS invalid username-password pair or user is disabled."
/* Wait after a reply for bytes that must not come. */
#define QUIET_MS 200

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

static hs_server *auth_srv;

static void setup_auth(void) {
    auth_srv = hs_start(HS_ARGS("--requirepass", "secret"));
}

static void teardown_auth(void) {
    hs_stop(auth_srv);
}

/* ---------------------------------------------------------- PING ECHO */

START_TEST(test_ping) {
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    HS_EXPECT_BULK(ctx, "hello world", "PING", "hello world");
    HS_EXPECT_BULK(ctx, "", "PING", "");
    HS_EXPECT_ARITY(ctx, "ping", "PING", "a", "b");
    HS_EXPECT_STATUS(ctx, "PONG", "ping");
}
END_TEST

START_TEST(test_echo_binary) {
    static const char data[] = "a\0b\r\nc\n\r$3\r\n";
    const char *argv[] = {"ECHO", data};
    size_t lens[] = {4, sizeof(data) - 1};
    redisReply *r = hs_command_argv(ctx, 2, argv, lens);
    HS_CHECK_BULK(r, data, sizeof(data) - 1);
    freeReplyObject(r);
    HS_EXPECT_BULK(ctx, "", "ECHO", "");
    HS_EXPECT_ARITY(ctx, "echo", "ECHO");
    HS_EXPECT_ARITY(ctx, "echo", "ECHO", "a", "b");
}
END_TEST

/* ---------------------------------------------------------- QUIT RESET */

START_TEST(test_quit_closes_after_ok) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "QUIT\r\nPING\r\n");
    int closed;
    hs_buf got = hs_raw_read_all(fd, 5000, &closed);
    HS_CHECK_BYTES(got, "+OK\r\n");
    ck_assert_msg(closed, "connection still open after QUIT");
    hs_buf_free(&got);
    close(fd);
    /* QUIT takes any arguments in 7.0 */
    fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "*2\r\n$4\r\nQUIT\r\n$1\r\nx\r\n");
    got = hs_raw_read_all(fd, 5000, &closed);
    HS_CHECK_BYTES(got, "+OK\r\n");
    ck_assert(closed);
    hs_buf_free(&got);
    close(fd);
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

START_TEST(test_reset) {
    HS_EXPECT_OK(ctx, "SELECT", "3");
    HS_EXPECT_OK(ctx, "SET", "k", "in-db3");
    HS_EXPECT_OK(ctx, "CLIENT", "SETNAME", "before-reset");
    HS_EXPECT_STATUS(ctx, "RESET", "RESET");
    HS_EXPECT_NIL(ctx, "GET", "k");
    HS_EXPECT_NIL(ctx, "CLIENT", "GETNAME");
    HS_EXPECT_OK(ctx, "SELECT", "3");
    HS_EXPECT_BULK(ctx, "in-db3", "GET", "k");
    HS_EXPECT_ARITY(ctx, "reset", "RESET", "x");
}
END_TEST

START_TEST(test_reset_back_to_resp2) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    hs_buf hello = hs_raw_read_until(fd, "$7\r\nmodules\r\n*0\r\n", HS_REPLY_TIMEOUT_MS);
    ck_assert_msg(hello.len > 4 && memcmp(hello.data, "%7\r\n", 4) == 0, "HELLO 3 reply is not a 7-map");
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "GET nokey\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "RESET\r\nGET nokey\r\n", "+RESET\r\n$-1\r\n");
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- SELECT */

START_TEST(test_select) {
    HS_EXPECT_OK(ctx, "SELECT", "15");
    HS_EXPECT_OK(ctx, "SELECT", "0");
    HS_EXPECT_ERROR(ctx, "ERR DB index is out of range", "SELECT", "16");
    HS_EXPECT_ERROR(ctx, "ERR DB index is out of range", "SELECT", "-1");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "SELECT", "x");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "SELECT", "1.5");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "SELECT", "");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "SELECT", " 1");
    HS_EXPECT_ARITY(ctx, "select", "SELECT");
    HS_EXPECT_ARITY(ctx, "select", "SELECT", "1", "2");
}
END_TEST

START_TEST(test_select_out_of_int_range) {
    HS_EXPECT_ERROR(ctx, "ERR value is out of range, value must between -2147483648 and 2147483647", "SELECT",
                    "99999999999");
}
END_TEST

/* ---------------------------------------------------------- HELLO */

/* Checks a RESP2 HELLO reply: a flat array of 7 pairs. */
static void check_hello_resp2(redisReply *r, long long id, long long proto) {
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 14);
    static const char *keys[] = {"server", "version", "proto", "id", "mode", "role", "modules"};
    for (int i = 0; i < 7; i++) HS_CHECK_BULK(r->element[2 * i], keys[i], strlen(keys[i]));
    HS_CHECK_BULK(r->element[1], "redis", 5);
    ck_assert_int_eq(r->element[3]->type, REDIS_REPLY_STRING);
    ck_assert_msg(strncmp(r->element[3]->str, "7.", 2) == 0, "version %s is not 7.x", r->element[3]->str);
    HS_CHECK_INT(r->element[5], proto);
    HS_CHECK_INT(r->element[7], id);
    HS_CHECK_BULK(r->element[9], "standalone", 10);
    HS_CHECK_BULK(r->element[11], "master", 6);
    ck_assert_int_eq(r->element[13]->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->element[13]->elements, 0);
}

START_TEST(test_hello_resp2) {
    long long id = hs_client_id(ctx);
    redisReply *r = hs_command(ctx, HS_ARGS("HELLO"));
    check_hello_resp2(r, id, 2);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("HELLO", "2", "SETNAME", "conn-name"));
    check_hello_resp2(r, id, 2);
    freeReplyObject(r);
    HS_EXPECT_BULK(ctx, "conn-name", "CLIENT", "GETNAME");
    /* no password configured: the default user accepts any password */
    r = hs_command(ctx, HS_ARGS("HELLO", "2", "AUTH", "default", "whatever"));
    check_hello_resp2(r, id, 2);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_hello_errors) {
    HS_EXPECT_ERROR(ctx, "NOPROTO unsupported protocol version", "HELLO", "4");
    HS_EXPECT_ERROR(ctx, "NOPROTO unsupported protocol version", "HELLO", "1");
    HS_EXPECT_ERROR(ctx, "ERR Protocol version is not an integer or out of range", "HELLO", "x");
    HS_EXPECT_ERROR(ctx, "ERR Syntax error in HELLO option 'foo'", "HELLO", "2", "foo");
    HS_EXPECT_ERROR(ctx, "ERR Syntax error in HELLO option 'AUTH'", "HELLO", "2", "AUTH", "a");
    HS_EXPECT_ERROR(ctx, "ERR Syntax error in HELLO option 'SETNAME'", "HELLO", "2", "SETNAME");
    HS_EXPECT_ERROR(ctx, "ERR Client names cannot contain spaces, newlines or special characters.", "HELLO",
                    "2", "SETNAME", "a b");
    HS_EXPECT_ERROR(ctx, WRONGPASS, "HELLO", "2", "AUTH", "nobody", "x");
    /* a failed HELLO changes nothing */
    HS_EXPECT_NIL(ctx, "CLIENT", "GETNAME");
    HS_EXPECT_NIL(ctx, "GET", "nokey");
}
END_TEST

START_TEST(test_hello3_map_and_null) {
    hs_buf version = hs_info_field(ctx, "server", "redis_version");
    ck_assert_ptr_nonnull(version.data);
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "CLIENT ID\r\n");
    hs_buf idr = hs_raw_read_until(fd, "\r\n", HS_REPLY_TIMEOUT_MS);
    ck_assert_msg(idr.data[0] == ':', "CLIENT ID: %s", idr.data);
    long long id = strtoll(idr.data + 1, NULL, 10);
    hs_buf want = {0};
    hs_buf_printf(&want,
                  "%%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$%zu\r\n%s\r\n"
                  "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:%lld\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"
                  "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
                  version.len, version.data, id);
    hs_raw_expect(__FILE__, __LINE__, fd, "HELLO 3\r\n", 9, want.data, want.len);
    HS_RAW_EXPECT(fd, "GET nokey\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "SET k v\r\nGET k\r\nPING\r\n", "+OK\r\n$1\r\nv\r\n+PONG\r\n");
    /* HELLO 2 returns the flat array and nulls become $-1 again */
    HS_RAW_SEND_STR(fd, "HELLO 2\r\n");
    hs_buf h2 = hs_raw_read_until(fd, "$7\r\nmodules\r\n*0\r\n", HS_REPLY_TIMEOUT_MS);
    ck_assert_msg(memcmp(h2.data, "*14\r\n", 5) == 0, "HELLO 2 reply: %s", h2.data);
    HS_RAW_EXPECT(fd, "GET nokey\r\n", "$-1\r\n");
    hs_buf_free(&h2);
    hs_buf_free(&want);
    hs_buf_free(&idr);
    hs_buf_free(&version);
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- AUTH */

START_TEST(test_auth_without_requirepass) {
    HS_EXPECT_ERROR(ctx,
                    "ERR AUTH <password> called without any password configured for the default user. "
                    "Are you sure your configuration is correct?",
                    "AUTH", "x");
    HS_EXPECT_ERROR(ctx, WRONGPASS, "AUTH", "someone", "x");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "AUTH", "a", "b", "c");
    HS_EXPECT_OK(ctx, "AUTH", "default", "anything");
    HS_EXPECT_ARITY(ctx, "auth", "AUTH");
}
END_TEST

START_TEST(test_auth_required) {
    redisContext *c = hs_connect(auth_srv);
    HS_EXPECT_ERROR(c, "NOAUTH Authentication required.", "PING");
    HS_EXPECT_ERROR(c, "NOAUTH Authentication required.", "GET", "k");
    HS_EXPECT_ERROR(c, "NOAUTH Authentication required.", "CLIENT", "ID");
    HS_EXPECT_ERROR(c, "ERR unknown command 'NOSUCH', with args beginning with: ", "NOSUCH");
    HS_EXPECT_ERROR(c, WRONGPASS, "AUTH", "wrong");
    HS_EXPECT_ERROR(c, WRONGPASS, "AUTH", "default", "wrong");
    HS_EXPECT_ERROR(c, "NOAUTH Authentication required.", "SET", "k", "v");
    HS_EXPECT_OK(c, "AUTH", "secret");
    HS_EXPECT_OK(c, "SET", "k", "v");
    HS_EXPECT_BULK(c, "v", "GET", "k");
    /* RESET drops the authentication */
    HS_EXPECT_STATUS(c, "RESET", "RESET");
    HS_EXPECT_ERROR(c, "NOAUTH Authentication required.", "GET", "k");
    HS_EXPECT_OK(c, "AUTH", "default", "secret");
    HS_EXPECT_BULK(c, "v", "GET", "k");
    redisFree(c);
}
END_TEST

START_TEST(test_hello_auth) {
    redisContext *c = hs_connect(auth_srv);
    HS_EXPECT_ERROR(c, NOAUTH_HELLO, "HELLO", "2");
    HS_EXPECT_ERROR(c, NOAUTH_HELLO, "HELLO");
    HS_EXPECT_ERROR(c, WRONGPASS, "HELLO", "2", "AUTH", "default", "wrong");
    HS_EXPECT_ERROR(c, "NOAUTH Authentication required.", "PING");
    redisReply *r = hs_command(c, HS_ARGS("HELLO", "2", "AUTH", "default", "secret", "SETNAME", "authed"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 14);
    freeReplyObject(r);
    HS_EXPECT_STATUS(c, "PONG", "PING");
    HS_EXPECT_BULK(c, "authed", "CLIENT", "GETNAME");
    redisFree(c);
    /* QUIT needs no authentication */
    int fd = hs_raw_connect(auth_srv);
    int closed;
    HS_RAW_SEND_STR(fd, "QUIT\r\n");
    hs_buf got = hs_raw_read_all(fd, 5000, &closed);
    HS_CHECK_BYTES(got, "+OK\r\n");
    ck_assert(closed);
    hs_buf_free(&got);
    close(fd);
}
END_TEST

/* An unauthenticated client gets a protocol error and is closed, and
 * the server keeps serving others. */
static void expect_unauth_protocol_error(const char *req, size_t len, const char *err) {
    int fd = hs_raw_connect(auth_srv);
    hs_raw_send(fd, req, len);
    int closed;
    hs_buf got = hs_raw_read_all(fd, 5000, &closed);
    HS_CHECK_BYTES(got, err);
    ck_assert_msg(closed, "connection not closed after '%s'", err);
    hs_buf_free(&got);
    close(fd);
}

START_TEST(test_unauthenticated_limits) {
    expect_unauth_protocol_error("*20\r\n", 5, "-ERR Protocol error: unauthenticated multibulk length\r\n");
    expect_unauth_protocol_error("*2\r\n$20000\r\n", 12, "-ERR Protocol error: unauthenticated bulk length\r\n");
    expect_unauth_protocol_error("*2\r\n$16385\r\n", 12, "-ERR Protocol error: unauthenticated bulk length\r\n");
    /* 10 arguments and 16384-byte bulks are still allowed */
    int fd = hs_raw_connect(auth_srv);
    static char big[16384];
    memset(big, 'x', sizeof(big));
    hs_buf req = {0};
    hs_buf_printf(&req, "*2\r\n$4\r\nECHO\r\n$%zu\r\n", sizeof(big));
    hs_buf_cat(&req, big, sizeof(big));
    hs_buf_printf(&req, "\r\n*10\r\n$3\r\nDEL\r\n");
    for (int i = 0; i < 9; i++) hs_buf_printf(&req, "$1\r\na\r\n");
    static const char want[] = "-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n";
    hs_raw_expect(__FILE__, __LINE__, fd, req.data, req.len, want, sizeof(want) - 1);
    hs_buf_free(&req);
    close(fd);
    redisContext *c = hs_connect(auth_srv);
    HS_EXPECT_OK(c, "AUTH", "secret");
    HS_EXPECT_STATUS(c, "PONG", "PING");
    redisFree(c);
}
END_TEST

static Suite *connection_suite(void) {
    Suite *s = suite_create("connection");
    TCase *tc = hs_tcase(s, "commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ping);
    tcase_add_test(tc, test_echo_binary);
    tcase_add_test(tc, test_quit_closes_after_ok);
    tcase_add_test(tc, test_reset);
    tcase_add_test(tc, test_reset_back_to_resp2);
    tcase_add_test(tc, test_select);
    tcase_add_test(tc, test_select_out_of_int_range);
    tcase_add_test(tc, test_hello_resp2);
    tcase_add_test(tc, test_hello_errors);
    tcase_add_test(tc, test_hello3_map_and_null);
    tcase_add_test(tc, test_auth_without_requirepass);
    TCase *auth = hs_tcase(s, "requirepass");
    tcase_add_checked_fixture(auth, setup_auth, teardown_auth);
    tcase_add_test(auth, test_auth_required);
    tcase_add_test(auth, test_hello_auth);
    tcase_add_test(auth, test_unauthenticated_limits);
    return s;
}

int main(void) {
    return hs_run_suite(connection_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
