/* test_client.c -- integration tests for the CLIENT command family: ID,
 * SETNAME/GETNAME, LIST, INFO, KILL, REPLY, SETINFO, HELP.
 *
 * Expected replies are Redis 7.0's, except CLIENT SETINFO and the
 * lib-name/lib-ver fields, which minired takes from Redis 7.2 (clients
 * send SETINFO on connect). One server per test. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "harness.h"

#define CLOSE_WAIT_MS 5000

/* CLIENT LIST's fields in Redis 7.2's order (7.0 lacks the last two). */
static const char *const list_fields[] = {
    "id",   "addr", "laddr", "fd",    "name",      "age",      "idle",      "flags",    "db",  "sub",
    "psub", "ssub", "multi", "qbuf",  "qbuf-free", "argv-mem", "multi-mem", "rbs",      "rbp", "obl",
    "oll",  "omem", "tot-mem", "events", "cmd",    "user",     "redir",     "resp",     "lib-name", "lib-ver",
    NULL};

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

/* "ip:port" of the local end of fd (how the server names that client). */
static void local_addr(int fd, char *out, size_t len) {
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
    snprintf(out, len, "%s:%d", ip, ntohs(sa.sin_port));
}

/* Returns the value of key= in one CLIENT LIST line (new buffer). */
static hs_buf field_value(const char *line, const char *key) {
    hs_buf want = {0}, val = {0};
    hs_buf_printf(&want, " %s=", key);
    const char *p = strncmp(line, want.data + 1, want.len - 1) == 0 ? line - 1 : strstr(line, want.data);
    ck_assert_msg(p != NULL, "field %s missing in: %s", key, line);
    p += want.len;
    hs_buf_cat(&val, p, strcspn(p, " \n"));
    hs_buf_free(&want);
    return val;
}

#define CHECK_FIELD(line, key, expect)                                                          \
    do {                                                                                        \
        hs_buf v_ = field_value(line, key);                                                     \
        ck_assert_msg(strcmp(v_.data, expect) == 0, "%s=%s, expected %s", key, v_.data, expect); \
        hs_buf_free(&v_);                                                                       \
    } while (0)

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* ---------------------------------------------------------- ID, names */

START_TEST(test_client_id) {
    long long a = hs_client_id(ctx);
    redisContext *c2 = hs_connect(srv);
    long long b = hs_client_id(c2);
    ck_assert_msg(b > a, "ids not increasing: %lld then %lld", a, b);
    ck_assert_int_eq(hs_client_id(ctx), a);
    HS_EXPECT_ARITY(ctx, "client|id", "CLIENT", "ID", "x");
    redisFree(c2);
}
END_TEST

START_TEST(test_client_setname_getname) {
    HS_EXPECT_NIL(ctx, "CLIENT", "GETNAME");
    HS_EXPECT_OK(ctx, "CLIENT", "SETNAME", "worker-1");
    HS_EXPECT_BULK(ctx, "worker-1", "CLIENT", "GETNAME");
    HS_EXPECT_ERROR(ctx, "ERR Client names cannot contain spaces, newlines or special characters.", "CLIENT",
                    "SETNAME", "a b");
    HS_EXPECT_ERROR(ctx, "ERR Client names cannot contain spaces, newlines or special characters.", "CLIENT",
                    "SETNAME", "a\nb");
    HS_EXPECT_BULK(ctx, "worker-1", "CLIENT", "GETNAME");
    HS_EXPECT_OK(ctx, "CLIENT", "SETNAME", "");
    HS_EXPECT_NIL(ctx, "CLIENT", "GETNAME");
    HS_EXPECT_OK(ctx, "client", "setname", "MixedCase");
    HS_EXPECT_BULK(ctx, "MixedCase", "client", "getname");
    HS_EXPECT_ARITY(ctx, "client|setname", "CLIENT", "SETNAME");
    HS_EXPECT_ARITY(ctx, "client|setname", "CLIENT", "SETNAME", "a", "b");
    HS_EXPECT_ARITY(ctx, "client|getname", "CLIENT", "GETNAME", "x");
}
END_TEST

/* ---------------------------------------------------------- LIST, INFO */

/* Fails unless line's keys are exactly list_fields, in order. */
static void check_field_names(const char *line) {
    const char *p = line;
    for (int i = 0; list_fields[i]; i++) {
        size_t klen = strcspn(p, "=");
        ck_assert_msg(klen == strlen(list_fields[i]) && strncmp(p, list_fields[i], klen) == 0,
                      "field %d is '%.*s', expected '%s' in: %s", i, (int)klen, p, list_fields[i], line);
        p = strpbrk(p, " \n");
        ck_assert_msg(p != NULL, "line ends early: %s", line);
        p++;
    }
    ck_assert_msg(p[-1] == '\n' && *p == '\0', "extra fields or lines after lib-ver: %s", line);
}

START_TEST(test_client_list_fields) {
    HS_EXPECT_OK(ctx, "CLIENT", "SETNAME", "lister");
    HS_EXPECT_OK(ctx, "SELECT", "4");
    long long id = hs_client_id(ctx);
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "LIST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_int_eq(count_lines(r->str), 1);
    check_field_names(r->str);
    char buf[64];
    snprintf(buf, sizeof(buf), "%lld", id);
    CHECK_FIELD(r->str, "id", buf);
    local_addr(ctx->fd, buf, sizeof(buf));
    CHECK_FIELD(r->str, "addr", buf);
    snprintf(buf, sizeof(buf), "127.0.0.1:%d", srv->port);
    CHECK_FIELD(r->str, "laddr", buf);
    CHECK_FIELD(r->str, "name", "lister");
    CHECK_FIELD(r->str, "flags", "N");
    CHECK_FIELD(r->str, "db", "4");
    CHECK_FIELD(r->str, "multi", "-1");
    CHECK_FIELD(r->str, "cmd", "client|list");
    CHECK_FIELD(r->str, "user", "default");
    CHECK_FIELD(r->str, "resp", "2");
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CLIENT", "LIST", "foo");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CLIENT", "LIST", "TYPE");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CLIENT", "LIST", "ID");
}
END_TEST

/* Oldest client first; a client in MULTI shows flag x and its queue
 * length; a client whose WATCHed key changed shows flag d (Redis 7.0). */
START_TEST(test_client_list_order_and_multi) {
    redisContext *c2 = hs_connect(srv);
    long long a = hs_client_id(ctx), b = hs_client_id(c2);
    HS_EXPECT_OK(c2, "WATCH", "wk");
    HS_EXPECT_OK(ctx, "SET", "wk", "1");
    HS_EXPECT_OK(ctx, "MULTI");
    redisReply *r = hs_command(ctx, HS_ARGS("SET", "x", "1"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("GET", "x"));
    freeReplyObject(r);
    r = hs_command(c2, HS_ARGS("CLIENT", "LIST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_int_eq(count_lines(r->str), 2);
    char ida[32], idb[32];
    snprintf(ida, sizeof(ida), "%lld", a);
    snprintf(idb, sizeof(idb), "%lld", b);
    const char *second = strchr(r->str, '\n') + 1;
    CHECK_FIELD(r->str, "id", ida);
    CHECK_FIELD(r->str, "flags", "x");
    CHECK_FIELD(r->str, "multi", "2");
    CHECK_FIELD(second, "id", idb);
    CHECK_FIELD(second, "flags", "d");
    CHECK_FIELD(second, "multi", "-1");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    redisFree(c2);
}
END_TEST

START_TEST(test_client_list_type_and_id) {
    redisContext *c2 = hs_connect(srv);
    long long a = hs_client_id(ctx), b = hs_client_id(c2);
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "LIST", "TYPE", "normal"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_int_eq(count_lines(r->str), 2);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("CLIENT", "LIST", "TYPE", "NORMAL"));
    ck_assert_int_eq(count_lines(r->str), 2);
    freeReplyObject(r);
    HS_EXPECT_BULK(ctx, "", "CLIENT", "LIST", "TYPE", "pubsub");
    HS_EXPECT_BULK(ctx, "", "CLIENT", "LIST", "TYPE", "master");
    HS_EXPECT_BULK(ctx, "", "CLIENT", "LIST", "TYPE", "replica");
    HS_EXPECT_BULK(ctx, "", "CLIENT", "LIST", "TYPE", "slave");
    HS_EXPECT_ERROR(ctx, "ERR Unknown client type 'bad'", "CLIENT", "LIST", "TYPE", "bad");
    char ida[32], idb[32];
    snprintf(ida, sizeof(ida), "%lld", a);
    snprintf(idb, sizeof(idb), "%lld", b);
    r = hs_command(ctx, HS_ARGS("CLIENT", "LIST", "ID", idb));
    ck_assert_int_eq(count_lines(r->str), 1);
    CHECK_FIELD(r->str, "id", idb);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("CLIENT", "LIST", "ID", ida, idb, "99999"));
    ck_assert_int_eq(count_lines(r->str), 2);
    freeReplyObject(r);
    HS_EXPECT_BULK(ctx, "", "CLIENT", "LIST", "ID", "99999");
    HS_EXPECT_ERROR(ctx, "ERR Invalid client ID", "CLIENT", "LIST", "ID", "x");
    HS_EXPECT_ERROR(ctx, "ERR Invalid client ID", "CLIENT", "LIST", "ID", ida, "x");
    redisFree(c2);
}
END_TEST

/* Redis 7.0 parses the ids with string2ll only: 0 and negatives match
 * nothing but are no error. */
START_TEST(test_client_list_id_zero) {
    HS_EXPECT_BULK(ctx, "", "CLIENT", "LIST", "ID", "0");
    HS_EXPECT_BULK(ctx, "", "CLIENT", "LIST", "ID", "-1");
}
END_TEST

START_TEST(test_client_info) {
    HS_EXPECT_OK(ctx, "CLIENT", "SETNAME", "me");
    char id[32];
    snprintf(id, sizeof(id), "%lld", hs_client_id(ctx));
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "INFO"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_int_eq(count_lines(r->str), 1);
    check_field_names(r->str);
    CHECK_FIELD(r->str, "id", id);
    CHECK_FIELD(r->str, "name", "me");
    CHECK_FIELD(r->str, "cmd", "client|info");
    freeReplyObject(r);
    HS_EXPECT_ARITY(ctx, "client|info", "CLIENT", "INFO", "x");
}
END_TEST

/* ---------------------------------------------------------- KILL */

START_TEST(test_client_kill_old_form) {
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, "PING\r\n", "+PONG\r\n");
    char addr[64];
    local_addr(fd, addr, sizeof(addr));
    HS_EXPECT_OK(ctx, "CLIENT", "KILL", addr);
    ck_assert_msg(hs_raw_wait_closed(fd, CLOSE_WAIT_MS), "killed client still connected");
    close(fd);
    HS_EXPECT_ERROR(ctx, "ERR No such client", "CLIENT", "KILL", addr);
    HS_EXPECT_ERROR(ctx, "ERR No such client", "CLIENT", "KILL", "1.2.3.4:5");
    HS_EXPECT_ERROR(ctx, "ERR No such client", "CLIENT", "KILL", "ID");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

/* Opens a raw client and makes sure the server has registered it. */
static int open_client(void) {
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, "PING\r\n", "+PONG\r\n");
    return fd;
}

START_TEST(test_client_kill_filters) {
    int f1 = open_client(), f2 = open_client();
    char addr[64], id[32];
    HS_RAW_SEND_STR(f1, "CLIENT ID\r\n");
    hs_buf idr = hs_raw_read_until(f1, "\r\n", CLOSE_WAIT_MS);
    snprintf(id, sizeof(id), "%lld", strtoll(idr.data + 1, NULL, 10));
    hs_buf_free(&idr);
    HS_EXPECT_INT(ctx, 0, "CLIENT", "KILL", "ID", "99999");
    HS_EXPECT_INT(ctx, 0, "CLIENT", "KILL", "ADDR", "1.2.3.4:5");
    HS_EXPECT_INT(ctx, 1, "CLIENT", "KILL", "ID", id);
    ck_assert(hs_raw_wait_closed(f1, CLOSE_WAIT_MS));
    local_addr(f2, addr, sizeof(addr));
    HS_EXPECT_INT(ctx, 1, "client", "kill", "addr", addr, "type", "normal");
    ck_assert(hs_raw_wait_closed(f2, CLOSE_WAIT_MS));
    close(f1);
    close(f2);
    /* LADDR / USER / TYPE match everyone; SKIPME (default yes) spares us */
    char laddr[64];
    snprintf(laddr, sizeof(laddr), "127.0.0.1:%d", srv->port);
    const char *const *filters[] = {HS_ARGS("LADDR", laddr), HS_ARGS("USER", "default"),
                                    HS_ARGS("TYPE", "normal"), HS_ARGS("TYPE", "normal", "SKIPME", "yes")};
    for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
        f1 = open_client();
        f2 = open_client();
        const char *argv[8] = {"CLIENT", "KILL"};
        int argc = 2;
        for (int j = 0; filters[i][j]; j++) argv[argc++] = filters[i][j];
        redisReply *r = hs_command_argv(ctx, argc, argv, NULL);
        HS_CHECK_INT(r, 2);
        freeReplyObject(r);
        ck_assert(hs_raw_wait_closed(f1, CLOSE_WAIT_MS) && hs_raw_wait_closed(f2, CLOSE_WAIT_MS));
        close(f1);
        close(f2);
    }
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

START_TEST(test_client_kill_self) {
    int fd = open_client();
    HS_RAW_SEND_STR(fd, "CLIENT ID\r\n");
    int closed;
    hs_buf idr = hs_raw_read_until(fd, "\r\n", CLOSE_WAIT_MS);
    long long id = strtoll(idr.data + 1, NULL, 10);
    hs_buf_free(&idr);
    hs_buf req = {0};
    hs_buf_printf(&req, "CLIENT KILL ID %lld SKIPME no\r\nPING\r\n", id);
    hs_raw_send(fd, req.data, req.len);
    hs_buf got = hs_raw_read_all(fd, CLOSE_WAIT_MS, &closed);
    HS_CHECK_BYTES(got, ":1\r\n");
    ck_assert_msg(closed, "self-killed client still connected");
    hs_buf_free(&got);
    hs_buf_free(&req);
    close(fd);
    /* with SKIPME yes, our own id matches nothing */
    char me[32];
    snprintf(me, sizeof(me), "%lld", hs_client_id(ctx));
    HS_EXPECT_INT(ctx, 0, "CLIENT", "KILL", "ID", me);
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

START_TEST(test_client_kill_errors) {
    HS_EXPECT_ERROR(ctx, "ERR client-id should be greater than 0", "CLIENT", "KILL", "ID", "x");
    HS_EXPECT_ERROR(ctx, "ERR client-id should be greater than 0", "CLIENT", "KILL", "ID", "0");
    HS_EXPECT_ERROR(ctx, "ERR Unknown client type 'foo'", "CLIENT", "KILL", "TYPE", "foo");
    HS_EXPECT_ERROR(ctx, "ERR No such user 'nobody'", "CLIENT", "KILL", "USER", "nobody");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CLIENT", "KILL", "SKIPME", "maybe");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CLIENT", "KILL", "FOO", "bar");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CLIENT", "KILL", "ID", "1", "TYPE");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CLIENT", "KILL", "SKIPME", "no", "SKIPME");
    HS_EXPECT_ARITY(ctx, "client|kill", "CLIENT", "KILL");
}
END_TEST

/* ---------------------------------------------------------- REPLY */

START_TEST(test_client_reply_modes) {
    int fd = hs_raw_connect(srv);
    /* each expectation ends with a reply that must come, so any reply
     * that should have been suppressed shows up as a mismatch */
    HS_RAW_EXPECT(fd,
                  "CLIENT REPLY OFF\r\nPING\r\nNOSUCH\r\nSET k v\r\nCLIENT REPLY SKIP\r\nPING\r\n"
                  "CLIENT REPLY ON\r\nPING\r\nCLIENT REPLY SKIP\r\nPING\r\nPING b\r\nGET k\r\n",
                  "+OK\r\n+PONG\r\n$1\r\nb\r\n$1\r\nv\r\n");
    /* SKIP silences errors too, and only the next command */
    HS_RAW_EXPECT(fd, "CLIENT REPLY SKIP\r\nNOSUCH\r\nPING\r\n", "+PONG\r\n");
    close(fd);
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CLIENT", "REPLY", "foo");
    HS_EXPECT_ARITY(ctx, "client|reply", "CLIENT", "REPLY");
    HS_EXPECT_ARITY(ctx, "client|reply", "CLIENT", "REPLY", "ON", "x");
    HS_EXPECT_OK(ctx, "CLIENT", "REPLY", "ON");
}
END_TEST

/* ---------------------------------------------------------- SETINFO */

/* CLIENT SETINFO is Redis 7.2's; minired supports it (see header). */
START_TEST(test_client_setinfo) {
    HS_EXPECT_OK(ctx, "CLIENT", "SETINFO", "LIB-NAME", "mylib");
    HS_EXPECT_OK(ctx, "CLIENT", "SETINFO", "lib-ver", "1.2.3");
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "INFO"));
    CHECK_FIELD(r->str, "lib-name", "mylib");
    CHECK_FIELD(r->str, "lib-ver", "1.2.3");
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "CLIENT", "SETINFO", "LIB-NAME", "other", "LIB-VER", "9");
    r = hs_command(ctx, HS_ARGS("CLIENT", "LIST"));
    CHECK_FIELD(r->str, "lib-name", "other");
    CHECK_FIELD(r->str, "lib-ver", "9");
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR Unrecognized option 'foo'", "CLIENT", "SETINFO", "foo", "bar");
    HS_EXPECT_ERROR(ctx, "ERR lib-name cannot contain spaces, newlines or special characters.", "CLIENT",
                    "SETINFO", "lib-name", "a b");
    HS_EXPECT_ARITY(ctx, "client|setinfo", "CLIENT", "SETINFO", "lib-name");
}
END_TEST

/* ---------------------------------------------------------- misc */

START_TEST(test_client_unknown_and_help) {
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'FOO'. Try CLIENT HELP.", "CLIENT", "FOO");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'foo'. Try CLIENT HELP.", "client", "foo", "bar");
    HS_EXPECT_ARITY(ctx, "client", "CLIENT");
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "HELP"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_msg(r->elements > 10, "CLIENT HELP has only %zu lines", r->elements);
    HS_CHECK_STATUS(r->element[0], "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    HS_CHECK_STATUS(r->element[r->elements - 2], "HELP");
    HS_CHECK_STATUS(r->element[r->elements - 1], "    Prints this help.");
    for (size_t i = 0; i < r->elements; i++) ck_assert_int_eq(r->element[i]->type, REDIS_REPLY_STATUS);
    freeReplyObject(r);
    HS_EXPECT_ARITY(ctx, "client|help", "CLIENT", "HELP", "x");
}
END_TEST

static Suite *client_suite(void) {
    Suite *s = suite_create("client");
    TCase *tc = hs_tcase(s, "client");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_client_id);
    tcase_add_test(tc, test_client_setname_getname);
    tcase_add_test(tc, test_client_list_fields);
    tcase_add_test(tc, test_client_list_order_and_multi);
    tcase_add_test(tc, test_client_list_type_and_id);
    tcase_add_test(tc, test_client_list_id_zero);
    tcase_add_test(tc, test_client_info);
    tcase_add_test(tc, test_client_kill_old_form);
    tcase_add_test(tc, test_client_kill_filters);
    tcase_add_test(tc, test_client_kill_self);
    tcase_add_test(tc, test_client_kill_errors);
    tcase_add_test(tc, test_client_reply_modes);
    tcase_add_test(tc, test_client_setinfo);
    tcase_add_test(tc, test_client_unknown_and_help);
    return s;
}

int main(void) {
    return hs_run_suite(client_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
