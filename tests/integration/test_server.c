/* test_server.c -- integration tests for the server commands and the
 * process itself: TIME, INFO, COMMAND, CONFIG, SHUTDOWN, unknown commands,
 * maxclients, idle timeout, the unix socket, signals, pidfile, and
 * command-line configuration errors.
 *
 * Expected replies are Redis 7.0's, byte for byte where the shape is
 * fixed. Each test starts the server it needs. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>

#include "harness.h"

#define CLOSE_WAIT_MS 10000
#define EXIT_WAIT_MS 20000

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

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* Returns the reply's bulk text after checking it is one. */
static redisReply *bulk_reply(redisContext *c, const char *const *args) {
    redisReply *r = hs_command(c, args);
    ck_assert_msg(r->type == REDIS_REPLY_STRING, "%s did not return a bulk", args[0]);
    return r;
}

static int is_digits(const char *s) {
    if (*s == '\0') return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

/* ---------------------------------------------------------- TIME */

START_TEST(test_time) {
    redisReply *r = hs_command(ctx, HS_ARGS("TIME"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 2);
    ck_assert_int_eq(r->element[0]->type, REDIS_REPLY_STRING);
    ck_assert_int_eq(r->element[1]->type, REDIS_REPLY_STRING);
    ck_assert(is_digits(r->element[0]->str) && is_digits(r->element[1]->str));
    long long sec = strtoll(r->element[0]->str, NULL, 10), usec = strtoll(r->element[1]->str, NULL, 10);
    long long now = (long long)time(NULL);
    ck_assert_msg(sec >= now - 5 && sec <= now + 5, "TIME says %lld, clock says %lld", sec, now);
    ck_assert(usec >= 0 && usec < 1000000);
    freeReplyObject(r);
    HS_EXPECT_ARITY(ctx, "time", "TIME", "x");
}
END_TEST

/* ---------------------------------------------------------- INFO */

START_TEST(test_info_default) {
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    redisReply *r = bulk_reply(ctx, HS_ARGS("INFO"));
    static const char *const want[] = {"# Server\r\n", "\r\nredis_version:", "\r\n# Clients\r\n",
                                       "\r\nconnected_clients:", "\r\n# Memory\r\n", "\r\nused_memory:",
                                       "\r\n# Stats\r\n", "\r\n# Keyspace\r\n", "\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        ck_assert_msg(strstr(r->str, want[i]) != NULL, "INFO lacks \"%s\"", want[i]);
    ck_assert_msg(strncmp(r->str, "# Server\r\n", 10) == 0, "INFO does not start with # Server");
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "SET", "t", "v", "EX", "1000");
    HS_EXPECT_OK(ctx, "SELECT", "3");
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    r = bulk_reply(ctx, HS_ARGS("INFO", "keyspace"));
    ck_assert_msg(strncmp(r->str, "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=", 40) == 0, "INFO keyspace: %s",
                  r->str);
    ck_assert_msg(strstr(r->str, "\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n") != NULL, "INFO keyspace: %s", r->str);
    freeReplyObject(r);
    r = bulk_reply(ctx, HS_ARGS("INFO", "default"));
    ck_assert(strstr(r->str, "# Keyspace\r\n") != NULL);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_info_all_everything) {
    static const char *const sections[] = {"all", "everything", "ALL"};
    for (size_t i = 0; i < 3; i++) {
        redisReply *r = bulk_reply(ctx, HS_ARGS("INFO", sections[i]));
        ck_assert_msg(r->len > 100, "INFO %s is nearly empty", sections[i]);
        ck_assert(strstr(r->str, "# Server\r\n") && strstr(r->str, "# Clients\r\n") && strstr(r->str, "# Stats\r\n"));
        freeReplyObject(r);
    }
}
END_TEST

START_TEST(test_info_one_section) {
    redisReply *r = bulk_reply(ctx, HS_ARGS("INFO", "server"));
    ck_assert_msg(strncmp(r->str, "# Server\r\n", 10) == 0, "INFO server: %.40s", r->str);
    ck_assert(strstr(r->str, "redis_version:") != NULL);
    ck_assert(strstr(r->str, "# Clients") == NULL && strstr(r->str, "# Keyspace") == NULL);
    freeReplyObject(r);
    r = bulk_reply(ctx, HS_ARGS("INFO", "CLIENTS"));
    ck_assert(strncmp(r->str, "# Clients\r\n", 11) == 0 && strstr(r->str, "connected_clients:") != NULL);
    ck_assert(strstr(r->str, "# Server") == NULL);
    freeReplyObject(r);
    /* several sections in one call (7.0) */
    r = bulk_reply(ctx, HS_ARGS("INFO", "server", "clients"));
    ck_assert(strstr(r->str, "# Server\r\n") && strstr(r->str, "# Clients\r\n"));
    ck_assert(strstr(r->str, "# Memory") == NULL);
    freeReplyObject(r);
    HS_EXPECT_BULK(ctx, "", "INFO", "nosuchsection");
}
END_TEST

/* ---------------------------------------------------------- COMMAND */

static long long command_count(void) {
    redisReply *r = hs_command(ctx, HS_ARGS("COMMAND", "COUNT"));
    ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
    long long n = r->integer;
    freeReplyObject(r);
    ck_assert_msg(n > 0, "COMMAND COUNT is %lld", n);
    return n;
}

static int array_has_bulk(const redisReply *r, const char *s) {
    for (size_t i = 0; i < r->elements; i++)
        if (r->element[i]->type == REDIS_REPLY_STRING && strcmp(r->element[i]->str, s) == 0) return 1;
    return 0;
}

START_TEST(test_command_count_list) {
    long long n = command_count();
    redisReply *r = hs_command(ctx, HS_ARGS("COMMAND", "LIST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    /* COMMAND LIST names the subcommands too; COUNT does not count them */
    ck_assert_msg((long long)r->elements > n, "COMMAND LIST has %zu names, COUNT is %lld", r->elements, n);
    static const char *const names[] = {"get",  "set", "ping",      "client", "command",
                                        "config", "info", "client|id", "config|get"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        ck_assert_msg(array_has_bulk(r, names[i]), "COMMAND LIST lacks %s", names[i]);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("COMMAND"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq((long long)r->elements, n);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("COMMAND", "INFO"));
    ck_assert_int_eq((long long)r->elements, n);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "COMMAND", "LIST", "foo");
    HS_EXPECT_ARITY(ctx, "command|count", "COMMAND", "COUNT", "x");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'FOO'. Try COMMAND HELP.", "COMMAND", "FOO");
}
END_TEST

#define GET_KEY_SPECS                                                                                  \
    "*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n"   \
    "$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n"   \
    "$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n" \
    ":0\r\n"
#define GET_INFO                                                                                     \
    "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n" \
    "+@fast\r\n*0\r\n" GET_KEY_SPECS "*0\r\n"

START_TEST(test_command_info_get_exact) {
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, "COMMAND INFO get\r\n", "*1\r\n" GET_INFO);
    HS_RAW_EXPECT(fd, "COMMAND INFO nosuch GET\r\n", "*2\r\n$-1\r\n" GET_INFO);
    HS_RAW_EXPECT(fd, "COMMAND INFO nosuch\r\n", "*1\r\n$-1\r\n");
    close(fd);
}
END_TEST

/* The same in RESP3: sets and maps where RESP2 has flat arrays. */
START_TEST(test_command_info_get_resp3) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    hs_buf hello = hs_raw_read_until(fd, "$7\r\nmodules\r\n*0\r\n", HS_REPLY_TIMEOUT_MS);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "COMMAND INFO get\r\n",
                  "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n"
                  "+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n"
                  "$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n"
                  ":1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\n"
                  "lastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n");
    /* CLIENT INFO is a verbatim string in RESP3 */
    HS_RAW_SEND_STR(fd, "CLIENT INFO\r\n");
    hs_buf info = hs_raw_read_until(fd, "\n\r\n", HS_REPLY_TIMEOUT_MS);
    ck_assert_msg(info.data[0] == '=', "CLIENT INFO in RESP3: %s", info.data);
    const char *body = strstr(info.data, "\r\n");
    ck_assert(body && strncmp(body + 2, "txt:id=", 7) == 0);
    ck_assert_int_eq(strtol(info.data + 1, NULL, 10), (long)(info.len - (size_t)(body + 2 - info.data) - 2));
    ck_assert(strstr(info.data, " resp=3") != NULL);
    hs_buf_free(&info);
    close(fd);
}
END_TEST

/* Redis 7.0's bytes, arguments (from command_docs.c) included. */
START_TEST(test_command_docs_get_exact) {
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, "COMMAND DOCS get\r\n",
                  "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n"
                  "$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n"
                  "$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n"
                  "$14\r\nkey_spec_index\r\n:0\r\n");
    HS_RAW_EXPECT(fd, "COMMAND DOCS nosuch\r\n", "*0\r\n");
    close(fd);
}
END_TEST

/* RESP3: maps, the flags and history as sets; a subcommand's docs whose
 * complexity only command_docs.c knows; a minired-only subcommand (7.2's
 * CLIENT SETINFO) keeps its table fields and shows no arguments; a
 * container lists its subcommands. Bytes asked of Redis 7.0.15. */
START_TEST(test_command_docs_resp3) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    hs_buf hello = hs_raw_read_until(fd, "$7\r\nmodules\r\n*0\r\n", HS_REPLY_TIMEOUT_MS);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "COMMAND DOCS echo\r\n",
                  "%1\r\n$4\r\necho\r\n%5\r\n$7\r\nsummary\r\n$21\r\nEcho the given string\r\n$5\r\nsince\r\n$5\r\n"
                  "1.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n"
                  "*1\r\n%2\r\n$4\r\nname\r\n$7\r\nmessage\r\n$4\r\ntype\r\n$6\r\nstring\r\n");
    HS_RAW_EXPECT(fd, "COMMAND DOCS xgroup|destroy\r\n",
                  "%1\r\n$14\r\nxgroup|destroy\r\n%5\r\n$7\r\nsummary\r\n$25\r\nDestroy a consumer group.\r\n$5\r\n"
                  "since\r\n$5\r\n5.0.0\r\n$5\r\ngroup\r\n$6\r\nstream\r\n$10\r\ncomplexity\r\n$80\r\nO(N) where N is "
                  "the number of entries in the group's pending entries list (PEL).\r\n$9\r\narguments\r\n*2\r\n"
                  "%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n"
                  "%2\r\n$4\r\nname\r\n$9\r\ngroupname\r\n$4\r\ntype\r\n$6\r\nstring\r\n");
    close(fd);
    redisReply *r = hs_command(ctx, HS_ARGS("COMMAND", "DOCS", "client|setinfo", "set", "xgroup"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 6);
    ck_assert_int_eq(r->element[1]->elements, 8); /* summary, since, group, complexity */
    redisReply *set = r->element[3];
    ck_assert_int_eq(set->elements, 12);
    ck_assert_str_eq(set->element[8]->str, "history");
    ck_assert_int_eq(set->element[9]->elements, 4);
    ck_assert_str_eq(set->element[9]->element[3]->element[1]->str,
                     "Allowed the `NX` and `GET` options to be used together.");
    ck_assert_str_eq(set->element[10]->str, "arguments");
    ck_assert_int_eq(set->element[11]->elements, 5);
    redisReply *xg = r->element[5];
    ck_assert_str_eq(xg->element[xg->elements - 2]->str, "subcommands");
    ck_assert_int_eq(xg->element[xg->elements - 1]->elements, 12);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_command_getkeys) {
    HS_EXPECT_BULKS(ctx, HS_ARGS("a"), "COMMAND", "GETKEYS", "set", "a", "b");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a"), "COMMAND", "GETKEYS", "SET", "a", "b", "EX", "10");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k"), "COMMAND", "GETKEYS", "get", "k");
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "b", "c"), "COMMAND", "GETKEYS", "del", "a", "b", "c");
    HS_EXPECT_ERROR(ctx, "ERR Invalid command specified", "COMMAND", "GETKEYS", "nosuch", "a");
    HS_EXPECT_ERROR(ctx, "ERR Invalid number of arguments specified for command", "COMMAND", "GETKEYS", "set",
                    "a");
    HS_EXPECT_ERROR(ctx, "ERR The command has no key arguments", "COMMAND", "GETKEYS", "ping", "x");
    HS_EXPECT_ARITY(ctx, "command|getkeys", "COMMAND", "GETKEYS");
    HS_EXPECT_ARITY(ctx, "command|getkeys", "COMMAND", "GETKEYS", "get");
}
END_TEST

/* ---------------------------------------------------------- CONFIG */

START_TEST(test_config_get) {
    char port[16];
    snprintf(port, sizeof(port), "%d", srv->port);
    HS_EXPECT_BULKS(ctx, HS_ARGS("port", port), "CONFIG", "GET", "port");
    HS_EXPECT_BULKS(ctx, HS_ARGS("bind", "127.0.0.1"), "CONFIG", "GET", "bind");
    HS_EXPECT_BULKS(ctx, HS_ARGS("maxclients", "10000"), "CONFIG", "GET", "maxclients");
    HS_EXPECT_BULKS(ctx, HS_ARGS("timeout", "0"), "CONFIG", "GET", "timeout");
    /* an exact name is echoed as the client wrote it */
    HS_EXPECT_BULKS(ctx, HS_ARGS("TIMEOUT", "0"), "config", "get", "TIMEOUT");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "CONFIG", "GET", "nosuch");
    redisReply *r = hs_command(ctx, HS_ARGS("CONFIG", "GET", "port", "timeout"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 4);
    ck_assert(array_has_bulk(r, "port") && array_has_bulk(r, "timeout") && array_has_bulk(r, port));
    freeReplyObject(r);
    HS_EXPECT_ARITY(ctx, "config|get", "CONFIG", "GET");
    HS_EXPECT_ARITY(ctx, "config", "CONFIG");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'FOO'. Try CONFIG HELP.", "CONFIG", "FOO");
}
END_TEST

#define SET_FAILED(name, why) "ERR CONFIG SET failed (possibly related to argument '" name "') - " why

START_TEST(test_config_set) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "timeout", "5");
    HS_EXPECT_BULKS(ctx, HS_ARGS("timeout", "5"), "CONFIG", "GET", "timeout");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "timeout", "0", "maxclients", "100");
    HS_EXPECT_BULKS(ctx, HS_ARGS("maxclients", "100"), "CONFIG", "GET", "maxclients");
    HS_EXPECT_ERROR(ctx, SET_FAILED("timeout", "argument couldn't be parsed into an integer"), "CONFIG", "SET",
                    "timeout", "x");
    HS_EXPECT_ERROR(ctx, SET_FAILED("timeout", "argument must be between 0 and 2147483647 inclusive"), "CONFIG",
                    "SET", "timeout", "-1");
    HS_EXPECT_ERROR(ctx, SET_FAILED("maxclients", "argument must be between 1 and 4294967295 inclusive"),
                    "CONFIG", "SET", "maxclients", "0");
    HS_EXPECT_ERROR(ctx, SET_FAILED("port", "argument couldn't be parsed into an integer"), "CONFIG", "SET",
                    "port", "abc");
    HS_EXPECT_ERROR(ctx, SET_FAILED("port", "argument must be between 0 and 65535 inclusive"), "CONFIG", "SET",
                    "port", "70000");
    HS_EXPECT_ERROR(ctx, SET_FAILED("timeout", "duplicate parameter"), "CONFIG", "SET", "timeout", "5",
                    "timeout", "6");
    HS_EXPECT_ERROR(ctx, "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'", "CONFIG", "SET",
                    "nosuch", "1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CONFIG", "SET", "timeout", "5", "maxclients");
    HS_EXPECT_ARITY(ctx, "config|set", "CONFIG", "SET", "timeout");
    /* a failed CONFIG SET changes nothing */
    HS_EXPECT_BULKS(ctx, HS_ARGS("timeout", "0"), "CONFIG", "GET", "timeout");
}
END_TEST

START_TEST(test_config_set_immutable) {
    HS_EXPECT_ERROR(ctx, SET_FAILED("unixsocket", "can't set immutable config"), "CONFIG", "SET", "unixsocket",
                    "/tmp/x");
    HS_EXPECT_ERROR(ctx, SET_FAILED("daemonize", "can't set immutable config"), "CONFIG", "SET", "daemonize",
                    "yes");
    HS_EXPECT_ERROR(ctx, SET_FAILED("databases", "can't set immutable config"), "CONFIG", "SET", "databases",
                    "3");
    HS_EXPECT_BULKS(ctx, HS_ARGS("databases", "16"), "CONFIG", "GET", "databases");
}
END_TEST

/* ---------------------------------------------------------- unknown */

START_TEST(test_unknown_command) {
    HS_EXPECT_ERROR(ctx, "ERR unknown command 'FOO', with args beginning with: ", "FOO");
    HS_EXPECT_ERROR(ctx, "ERR unknown command 'FOO', with args beginning with: 'a' 'b' ", "FOO", "a", "b");
    HS_EXPECT_ERROR(ctx, "ERR unknown command 'foo', with args beginning with: 'a%d' ", "foo", "a%d");
    /* arguments are quoted up to 128 bytes in all */
    char y[101], z[51];
    memset(y, 'y', 100);
    y[100] = '\0';
    memset(z, 'z', 50);
    z[50] = '\0';
    /* 'y*100' takes 103 bytes, so 25 of the z's fit */
    char want[256];
    snprintf(want, sizeof(want), "ERR unknown command 'FOO', with args beginning with: '%s' '%.25s' ", y, z);
    HS_EXPECT_ERROR(ctx, want, "FOO", y, z, "w");
    char name[201];
    memset(name, 'F', 200);
    name[200] = '\0';
    HS_EXPECT_ERROR(ctx,
                    "ERR unknown command 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', with args beginning with: 'a' ",
                    name, "a");
    /* newlines in the echoed text become spaces */
    HS_EXPECT_ERROR(ctx, "ERR unknown command 'FOO', with args beginning with: 'a  b' ", "FOO", "a\r\nb");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

/* ---------------------------------------------------------- limits */

/* Connects and returns the fd once PING works, or -1 if refused. */
static int try_client(hs_server *s, hs_buf *refusal) {
    int fd = hs_raw_connect(s);
    hs_raw_send(fd, "PING\r\n", 6);
    hs_buf got = hs_raw_read_n(fd, 7, CLOSE_WAIT_MS);
    if (got.len == 7 && memcmp(got.data, "+PONG\r\n", 7) == 0) {
        hs_buf_free(&got);
        return fd;
    }
    int closed;
    hs_buf rest = hs_raw_read_all(fd, CLOSE_WAIT_MS, &closed);
    hs_buf_cat(&got, rest.data, rest.len);
    hs_buf_free(&rest);
    close(fd);
    *refusal = got;
    return -1;
}

START_TEST(test_maxclients) {
    hs_server *s = hs_start(HS_ARGS("--maxclients", "2"));
    hs_buf refusal = {0};
    int a = try_client(s, &refusal);
    ck_assert_msg(a != -1, "first client refused: %s", refusal.data);
    /* the harness's readiness probe may still be counted for a moment */
    int b = -1;
    for (long long deadline = hs_now_ms() + CLOSE_WAIT_MS; b == -1 && hs_now_ms() < deadline;) {
        hs_buf_free(&refusal);
        b = try_client(s, &refusal);
        if (b == -1) hs_sleep_ms(50);
    }
    ck_assert_msg(b != -1, "second client refused: %s", refusal.data);
    hs_buf_free(&refusal);
    ck_assert_int_eq(try_client(s, &refusal), -1);
    HS_CHECK_BYTES(refusal, "-ERR max number of clients reached\r\n");
    hs_buf_free(&refusal);
    close(a);
    /* a slot frees up once a client leaves */
    int c = -1;
    for (long long deadline = hs_now_ms() + CLOSE_WAIT_MS; c == -1 && hs_now_ms() < deadline;) {
        c = try_client(s, &refusal);
        hs_buf_free(&refusal);
        if (c == -1) hs_sleep_ms(50);
    }
    ck_assert_msg(c != -1, "no client accepted after one left");
    close(b);
    close(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_idle_timeout) {
    hs_server *s = hs_start(HS_ARGS("--timeout", "1"));
    int fd = hs_raw_connect(s);
    HS_RAW_EXPECT(fd, "PING\r\n", "+PONG\r\n");
    ck_assert_msg(hs_raw_wait_closed(fd, CLOSE_WAIT_MS), "idle client not closed with timeout 1");
    close(fd);
    redisContext *c = hs_connect(s);
    HS_EXPECT_BULKS(c, HS_ARGS("timeout", "1"), "CONFIG", "GET", "timeout");
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* ---------------------------------------------------------- unix socket */

START_TEST(test_unixsocket) {
    hs_server *s = hs_start(HS_ARGS("--unixsocket", "{dir}/redis.sock", "--unixsocketperm", "700"));
    struct stat st;
    ck_assert_int_eq(stat(s->sock_path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    ck_assert_msg((st.st_mode & 0777) == 0700, "socket mode %o", st.st_mode & 0777);
    redisContext *c = hs_connect_unix(s->sock_path);
    HS_EXPECT_STATUS(c, "PONG", "PING");
    HS_EXPECT_OK(c, "SET", "k", "via-unix");
    redisReply *r = hs_command(c, HS_ARGS("CLIENT", "INFO"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    hs_buf want = {0};
    hs_buf_printf(&want, " addr=%s:0 laddr=%s:0 ", s->sock_path, s->sock_path);
    ck_assert_msg(strstr(r->str, want.data) != NULL, "CLIENT INFO over unix socket: %s", r->str);
    ck_assert_msg(strstr(r->str, " flags=U ") != NULL, "no U flag: %s", r->str);
    hs_buf_free(&want);
    freeReplyObject(r);
    HS_EXPECT_BULKS(c, HS_ARGS("unixsocketperm", "700"), "CONFIG", "GET", "unixsocketperm");
    redisFree(c);
    c = hs_connect(s);
    HS_EXPECT_BULK(c, "via-unix", "GET", "k");
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* ---------------------------------------------------------- exit paths */

static hs_server *start_with_files(void) {
    hs_server *s = hs_start(HS_ARGS("--unixsocket", "{dir}/redis.sock", "--pidfile", "{dir}/redis.pid"));
    ck_assert_msg(file_exists(s->sock_path), "no unix socket file");
    char path[320];
    snprintf(path, sizeof(path), "%s/redis.pid", s->dir);
    FILE *fp = fopen(path, "r");
    ck_assert_msg(fp != NULL, "no pidfile");
    long pid = 0;
    ck_assert_int_eq(fscanf(fp, "%ld", &pid), 1);
    fclose(fp);
    ck_assert_int_eq(pid, s->pid);
    return s;
}

static void check_files_removed(const hs_server *s) {
    char path[320];
    snprintf(path, sizeof(path), "%s/redis.pid", s->dir);
    ck_assert_msg(!file_exists(path), "pidfile left behind");
    ck_assert_msg(!file_exists(s->sock_path), "unix socket left behind");
}

START_TEST(test_shutdown_command) {
    hs_server *s = start_with_files();
    redisContext *c = hs_connect(s);
    HS_EXPECT_ERROR(c, "ERR syntax error", "SHUTDOWN", "foo");
    HS_EXPECT_ERROR(c, "ERR syntax error", "SHUTDOWN", "NOSAVE", "ABORT");
    HS_EXPECT_ERROR(c, "ERR No shutdown in progress.", "SHUTDOWN", "ABORT");
    redisFree(c);
    int fd = hs_raw_connect(s);
    HS_RAW_SEND_STR(fd, "SHUTDOWN NOSAVE\r\n");
    int closed;
    hs_buf got = hs_raw_read_all(fd, EXIT_WAIT_MS, &closed);
    HS_CHECK_BYTES(got, "");
    ck_assert(closed);
    hs_buf_free(&got);
    close(fd);
    int st = hs_wait_exit(s, EXIT_WAIT_MS);
    ck_assert_msg(st != -1, "server still running after SHUTDOWN");
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "SHUTDOWN exit status 0x%x", st);
    check_files_removed(s);
    hs_stop(s);
}
END_TEST

START_TEST(test_sigterm) {
    hs_server *s = start_with_files();
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "SET", "k", "v");
    kill(s->pid, SIGTERM);
    int st = hs_wait_exit(s, EXIT_WAIT_MS);
    ck_assert_msg(st != -1, "server still running after SIGTERM");
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "SIGTERM exit status 0x%x", st);
    check_files_removed(s);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* Runs the server with bad arguments: it must refuse to start. */
static void expect_fatal_config(const char *const *args, const char *line, const char *why) {
    hs_buf out = {0};
    int st = hs_run_server_once(args, EXIT_WAIT_MS, &out);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) != 0, "server exited with 0x%x for a bad config", st);
    ck_assert_msg(strstr(out.data, "*** FATAL CONFIG FILE ERROR (") != NULL, "no FATAL banner in:\n%s", out.data);
    ck_assert_msg(strstr(out.data, line) != NULL, "no \"%s\" in:\n%s", line, out.data);
    ck_assert_msg(strstr(out.data, why) != NULL, "no \"%s\" in:\n%s", why, out.data);
    hs_buf_free(&out);
}

START_TEST(test_bad_command_line) {
    expect_fatal_config(HS_ARGS("--port", "abc"), ">>> 'port \"abc\"'", "argument couldn't be parsed into an integer");
    expect_fatal_config(HS_ARGS("--port", "70000"), ">>> 'port \"70000\"'",
                        "argument must be between 0 and 65535 inclusive");
    expect_fatal_config(HS_ARGS("--nosuchdirective", "x"), ">>> 'nosuchdirective \"x\"'",
                        "Bad directive or wrong number of arguments");
}
END_TEST

static Suite *server_suite(void) {
    Suite *s = suite_create("server");
    TCase *tc = hs_tcase(s, "commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_time);
    tcase_add_test(tc, test_info_default);
    tcase_add_test(tc, test_info_all_everything);
    tcase_add_test(tc, test_info_one_section);
    tcase_add_test(tc, test_command_count_list);
    tcase_add_test(tc, test_command_info_get_exact);
    tcase_add_test(tc, test_command_info_get_resp3);
    tcase_add_test(tc, test_command_docs_get_exact);
    tcase_add_test(tc, test_command_docs_resp3);
    tcase_add_test(tc, test_command_getkeys);
    tcase_add_test(tc, test_config_get);
    tcase_add_test(tc, test_config_set);
    tcase_add_test(tc, test_config_set_immutable);
    tcase_add_test(tc, test_unknown_command);
    TCase *proc = hs_tcase(s, "process");
    tcase_add_test(proc, test_maxclients);
    tcase_add_test(proc, test_idle_timeout);
    tcase_add_test(proc, test_unixsocket);
    tcase_add_test(proc, test_shutdown_command);
    tcase_add_test(proc, test_sigterm);
    tcase_add_test(proc, test_bad_command_line);
    return s;
}

int main(void) {
    return hs_run_suite(server_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
