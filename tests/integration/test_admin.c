/* test_admin.c -- integration tests for SLOWLOG, LATENCY, MONITOR, DEBUG
 * and CLIENT PAUSE / UNPAUSE / NO-EVICT / NO-TOUCH.
 *
 * Expected replies are Redis 7.0's (CLIENT NO-TOUCH: 7.2's). Timing is
 * only asserted as "not before" (a paused command has not been answered
 * yet, a sleep lasted at least its length), never as an upper bound. One
 * server per test. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define NO_REPLY_WAIT_MS 300
#define REPLY_WAIT_MS 10000

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

/* Fails unless s matches the extended regular expression re. */
static void check_match(const char *s, const char *re) {
    regex_t rx;
    ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE), 0);
    int rc = regexec(&rx, s, 0, NULL, 0);
    regfree(&rx);
    ck_assert_msg(rc == 0, "'%s' does not match /%s/", s, re);
}

/* The flags= field of the CLIENT LIST line of client id (new buffer). */
static hs_buf client_flags(long long id) {
    char idbuf[32];
    snprintf(idbuf, sizeof(idbuf), "%lld", id);
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "LIST", "ID", idbuf));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    const char *p = strstr(r->str, " flags=");
    ck_assert_ptr_nonnull(p);
    p += strlen(" flags=");
    hs_buf out = {0};
    hs_buf_cat(&out, p, strcspn(p, " "));
    freeReplyObject(r);
    return out;
}

/* ---------------------------------------------------------- SLOWLOG */

/* Redis's reply element i of SLOWLOG entry e. */
#define ENTRY_ARGS(e) ((e)->element[3])

START_TEST(test_slowlog_captures_everything_at_zero) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "slowlog-log-slower-than", "0");
    HS_EXPECT_OK(ctx, "SLOWLOG", "RESET");
    HS_EXPECT_INT(ctx, 1, "SLOWLOG", "LEN"); /* the RESET itself */
    HS_EXPECT_OK(ctx, "CLIENT", "SETNAME", "logger");
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    redisReply *r = hs_command(ctx, HS_ARGS("SLOWLOG", "GET", "2"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 2);
    redisReply *e = r->element[0]; /* newest first */
    ck_assert_int_eq(e->elements, 6);
    ck_assert_int_eq(e->element[0]->type, REDIS_REPLY_INTEGER);
    ck_assert_int_eq(e->element[0]->integer, r->element[1]->element[0]->integer + 1);
    long long now = time(NULL);
    ck_assert(e->element[1]->integer >= now - 5 && e->element[1]->integer <= now + 5);
    ck_assert_int_ge(e->element[2]->integer, 0);
    const char *set_args[] = {"SET", "k", "v", NULL};
    hs_check_bulks(__FILE__, __LINE__, ENTRY_ARGS(e), set_args);
    check_match(e->element[4]->str, "^127\\.0\\.0\\.1:[0-9]+$");
    ck_assert_str_eq(e->element[5]->str, "logger");
    const char *setname_args[] = {"CLIENT", "SETNAME", "logger", NULL};
    hs_check_bulks(__FILE__, __LINE__, ENTRY_ARGS(r->element[1]), setname_args);
    freeReplyObject(r);
    /* -1: everything (RESET, LEN, SETNAME, SET, GET 2); 0: nothing */
    r = hs_command(ctx, HS_ARGS("SLOWLOG", "GET", "-1"));
    ck_assert_int_eq(r->elements, 5);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("SLOWLOG", "GET", "0"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_slowlog_truncation) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "slowlog-log-slower-than", "0");
    const char *argv[40];
    size_t lens[40];
    char names[40][8];
    argv[0] = "DEL";
    for (int i = 1; i < 40; i++) {
        snprintf(names[i], sizeof(names[i]), "x%d", i);
        argv[i] = names[i];
    }
    for (int i = 0; i < 40; i++) lens[i] = strlen(argv[i]);
    freeReplyObject(hs_command_argv(ctx, 40, argv, lens));
    redisReply *r = hs_command(ctx, HS_ARGS("SLOWLOG", "GET", "1"));
    redisReply *args = ENTRY_ARGS(r->element[0]);
    ck_assert_int_eq(args->elements, 32);
    ck_assert_str_eq(args->element[30]->str, "x30");
    ck_assert_str_eq(args->element[31]->str, "... (9 more arguments)");
    freeReplyObject(r);

    char big[201];
    memset(big, 'a', 200);
    big[200] = '\0';
    HS_EXPECT_OK(ctx, "SET", "big", big);
    r = hs_command(ctx, HS_ARGS("SLOWLOG", "GET", "1"));
    args = ENTRY_ARGS(r->element[0]);
    ck_assert_int_eq(args->elements, 3);
    ck_assert_int_eq(args->element[2]->len, 128 + strlen("... (72 more bytes)"));
    ck_assert(memcmp(args->element[2]->str + 128, "... (72 more bytes)", 19) == 0);
    freeReplyObject(r);
}
END_TEST

/* MSET k <big> k <big2>: the first value is handed to the keyspace and
 * freed by the second write, all in one command; the slow log reads the
 * arguments after the command, so they must still be intact. */
START_TEST(test_slowlog_args_survive_the_command) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "slowlog-log-slower-than", "0");
    char v1[101], v2[101];
    memset(v1, 'a', 100);
    memset(v2, 'b', 100);
    v1[100] = v2[100] = '\0';
    HS_EXPECT_OK(ctx, "MSET", "k", v1, "k", v2);
    redisReply *r = hs_command(ctx, HS_ARGS("SLOWLOG", "GET", "1"));
    const char *expect[] = {"MSET", "k", v1, "k", v2, NULL};
    hs_check_bulks(__FILE__, __LINE__, ENTRY_ARGS(r->element[0]), expect);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_slowlog_redacts_auth) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "slowlog-log-slower-than", "0");
    HS_EXPECT_ERROR_PREFIX(ctx, "WRONGPASS", "AUTH", "someone", "secret");
    redisReply *r = hs_command(ctx, HS_ARGS("SLOWLOG", "GET", "1"));
    const char *expect[] = {"AUTH", "(redacted)", "(redacted)", NULL};
    hs_check_bulks(__FILE__, __LINE__, ENTRY_ARGS(r->element[0]), expect);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_slowlog_limits_and_disable) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "slowlog-log-slower-than", "0");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "slowlog-max-len", "3");
    for (int i = 0; i < 10; i++) HS_EXPECT_STATUS(ctx, "PONG", "PING");
    HS_EXPECT_INT(ctx, 3, "SLOWLOG", "LEN");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "slowlog-log-slower-than", "-1");
    HS_EXPECT_OK(ctx, "SLOWLOG", "RESET");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    HS_EXPECT_INT(ctx, 0, "SLOWLOG", "LEN");
    /* a threshold nobody reaches */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "slowlog-log-slower-than", "10000000");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    HS_EXPECT_INT(ctx, 0, "SLOWLOG", "LEN");
}
END_TEST

START_TEST(test_slowlog_errors) {
    const char *bad_count = "ERR count should be greater than or equal to -1";
    HS_EXPECT_ERROR(ctx, bad_count, "SLOWLOG", "GET", "-2");
    HS_EXPECT_ERROR(ctx, bad_count, "SLOWLOG", "GET", "abc");
    HS_EXPECT_ERROR(ctx, bad_count, "SLOWLOG", "GET", "99999999999999999999");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.",
                    "SLOWLOG", "get", "1", "2");
    HS_EXPECT_ARITY(ctx, "slowlog", "SLOWLOG");
    HS_EXPECT_ARITY(ctx, "slowlog|len", "SLOWLOG", "LEN", "x");
    HS_EXPECT_ARITY(ctx, "slowlog|reset", "SLOWLOG", "RESET", "x");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'foo'. Try SLOWLOG HELP.", "SLOWLOG", "foo");
    redisReply *r = hs_command(ctx, HS_ARGS("SLOWLOG", "HELP"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_str_eq(r->element[0]->str, "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    ck_assert_str_eq(r->element[r->elements - 1]->str, "    Prints this help.");
    freeReplyObject(r);
}
END_TEST

/* ---------------------------------------------------------- LATENCY */

START_TEST(test_latency_disabled_by_default) {
    HS_EXPECT_OK(ctx, "DEBUG", "SLEEP", "0.02");
    redisReply *r = hs_command(ctx, HS_ARGS("LATENCY", "LATEST"));
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LATENCY", "DOCTOR"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert(strncmp(r->str, "I'm sorry, Dave, I can't do that.", 33) == 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR No samples available for event 'command'", "LATENCY", "GRAPH", "command");
    HS_EXPECT_INT(ctx, 0, "LATENCY", "RESET");
}
END_TEST

START_TEST(test_latency_events) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "latency-monitor-threshold", "10");
    redisReply *r = hs_command(ctx, HS_ARGS("LATENCY", "DOCTOR"));
    ck_assert_msg(strstr(r->str, "no latency spike was observed") != NULL, "%s", r->str);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "DEBUG", "SLEEP", "0.03");
    r = hs_command(ctx, HS_ARGS("LATENCY", "LATEST"));
    ck_assert_int_eq(r->elements, 1);
    redisReply *ev = r->element[0];
    ck_assert_int_eq(ev->elements, 4);
    ck_assert_str_eq(ev->element[0]->str, "command");
    ck_assert_int_ge(ev->element[2]->integer, 30);
    ck_assert_int_ge(ev->element[3]->integer, ev->element[2]->integer);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LATENCY", "HISTORY", "command"));
    ck_assert_int_eq(r->elements, 1);
    ck_assert_int_eq(r->element[0]->elements, 2);
    ck_assert_int_ge(r->element[0]->element[1]->integer, 30);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LATENCY", "GRAPH", "command"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    check_match(r->str, "^command - high [0-9]+ ms, low [0-9]+ ms \\(all time high [0-9]+ ms\\)$");
    check_match(r->str, "^-{80}$");
    check_match(r->str, "^_$"); /* one sample: high == low, drawn at the bottom */
    check_match(r->str, "^[0-9]$");  /* its age, written downwards: "0", "s" */
    check_match(r->str, "^s$");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LATENCY", "DOCTOR"));
    check_match(r->str, "^1\\. command: 1 latency spikes \\(average [0-9]+ms, mean deviation 0ms, period 1\\.00 sec\\)");
    ck_assert_ptr_nonnull(strstr(r->str, "I have a few advices for you:"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LATENCY", "HISTORY", "nosuch"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "LATENCY", "RESET", "nosuch");
    HS_EXPECT_INT(ctx, 1, "LATENCY", "RESET", "command", "nosuch");
    r = hs_command(ctx, HS_ARGS("LATENCY", "LATEST"));
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_latency_histogram) {
    HS_EXPECT_OK(ctx, "SET", "a", "1");
    HS_EXPECT_OK(ctx, "SET", "a", "2");
    HS_EXPECT_OK(ctx, "CLIENT", "SETNAME", "x");
    redisReply *r = hs_command(ctx, HS_ARGS("LATENCY", "HISTOGRAM", "set", "nosuch", "client"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY); /* a map, flattened in RESP2 */
    ck_assert_int_eq(r->elements, 4);
    ck_assert_str_eq(r->element[0]->str, "set");
    redisReply *m = r->element[1];
    ck_assert_int_eq(m->elements, 4);
    ck_assert_str_eq(m->element[0]->str, "calls");
    ck_assert_int_eq(m->element[1]->integer, 2);
    ck_assert_str_eq(m->element[2]->str, "histogram_usec");
    redisReply *h = m->element[3];
    ck_assert_int_ge(h->elements, 2);
    ck_assert_int_eq(h->element[h->elements - 1]->integer, 2); /* cumulative: all calls */
    ck_assert_str_eq(r->element[2]->str, "client|setname");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("LATENCY", "HISTOGRAM"));
    ck_assert_int_ge(r->elements, 6); /* set, client|setname, latency|histogram at least */
    freeReplyObject(r);
}
END_TEST

START_TEST(test_latency_errors) {
    HS_EXPECT_ARITY(ctx, "latency", "LATENCY");
    HS_EXPECT_ARITY(ctx, "latency|history", "LATENCY", "HISTORY");
    HS_EXPECT_ARITY(ctx, "latency|graph", "LATENCY", "GRAPH");
    HS_EXPECT_ARITY(ctx, "latency|latest", "LATENCY", "LATEST", "x");
    HS_EXPECT_ARITY(ctx, "latency|doctor", "LATENCY", "DOCTOR", "x");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'foo'. Try LATENCY HELP.", "LATENCY", "foo");
    redisReply *r = hs_command(ctx, HS_ARGS("LATENCY", "HELP"));
    ck_assert_str_eq(r->element[0]->str, "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    freeReplyObject(r);
}
END_TEST

/* ---------------------------------------------------------- MONITOR */

/* Opens a raw connection in MONITOR mode. */
static int monitor_connect(void) {
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, "*1\r\n$7\r\nMONITOR\r\n", "+OK\r\n");
    return fd;
}

START_TEST(test_monitor_format) {
    int mfd = monitor_connect();
    HS_EXPECT_OK(ctx, "SET", "k", "a b\n\"");
    HS_EXPECT_OK(ctx, "SELECT", "1");
    HS_EXPECT_NIL(ctx, "GET", "k");
    HS_EXPECT_ERROR_PREFIX(ctx, "ERR unknown command", "NOSUCH");          /* not shown */
    HS_EXPECT_ARITY(ctx, "get", "GET");                                    /* not shown */
    HS_DO(ctx, (void)hs_r_, "CONFIG", "GET", "port");                      /* admin: not shown */
    HS_EXPECT_ERROR_PREFIX(ctx, "WRONGPASS", "AUTH", "u", "p");
    int closed;
    hs_buf out = hs_raw_read_all(mfd, NO_REPLY_WAIT_MS, &closed);
    ck_assert_int_eq(closed, 0);
    const char *re =
        "^\\+[0-9]+\\.[0-9]{6} \\[0 127\\.0\\.0\\.1:[0-9]+\\] \"SET\" \"k\" \"a b\\\\n\\\\\"\"\r\n"
        "\\+[0-9]+\\.[0-9]{6} \\[1 127\\.0\\.0\\.1:[0-9]+\\] \"SELECT\" \"1\"\r\n"
        "\\+[0-9]+\\.[0-9]{6} \\[1 127\\.0\\.0\\.1:[0-9]+\\] \"GET\" \"k\"\r\n"
        "\\+[0-9]+\\.[0-9]{6} \\[1 127\\.0\\.0\\.1:[0-9]+\\] \"AUTH\" \"\\(redacted\\)\" \"\\(redacted\\)\"\r\n$";
    regex_t rx;
    ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED), 0);
    int rc = regexec(&rx, out.data, 0, NULL, 0);
    regfree(&rx);
    ck_assert_msg(rc == 0, "monitor output: %s", out.data);
    hs_buf_free(&out);
    close(mfd);
}
END_TEST

START_TEST(test_monitor_client_state) {
    int mfd = monitor_connect();
    /* MONITOR again: no reply at all; the monitor sees its own PING */
    HS_RAW_SEND_STR(mfd, "*1\r\n$7\r\nMONITOR\r\n*1\r\n$4\r\nPING\r\n");
    hs_buf out = hs_raw_read_until(mfd, "\"PING\"\r\n", REPLY_WAIT_MS);
    check_match(out.data, "^\\+PONG\r\n\\+[0-9.]+ \\[0 127\\.0\\.0\\.1:[0-9]+\\] \"PING\"\r\n$");
    hs_buf_free(&out);
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "LIST"));
    check_match(r->str, " flags=O ");
    freeReplyObject(r);
    /* a monitor that goes away is forgotten (ASan would catch a stale one) */
    close(mfd);
    hs_sleep_ms(100);
    for (int i = 0; i < 5; i++) HS_EXPECT_STATUS(ctx, "PONG", "PING");
    HS_EXPECT_ARITY(ctx, "monitor", "MONITOR", "x");
}
END_TEST

START_TEST(test_monitor_unix_socket) {
    redisFree(ctx);
    hs_stop(srv);
    srv = hs_start(HS_ARGS("--unixsocket", "{dir}/redis.sock"));
    ctx = hs_connect(srv);
    char path[400];
    snprintf(path, sizeof(path), "%s/redis.sock", srv->dir);
    redisContext *u = hs_connect_unix(path);
    int mfd = monitor_connect();
    HS_EXPECT_STATUS(u, "PONG", "PING");
    hs_buf out = hs_raw_read_until(mfd, "\"PING\"\r\n", REPLY_WAIT_MS);
    hs_buf want = {0};
    hs_buf_printf(&want, " [0 unix:%s] \"PING\"\r\n", path);
    ck_assert_msg(strstr(out.data, want.data) != NULL, "monitor output: %s", out.data);
    hs_buf_free(&want);
    hs_buf_free(&out);
    close(mfd);
    redisFree(u);
}
END_TEST

/* ---------------------------------------------------------- DEBUG */

START_TEST(test_debug_sleep_and_errors) {
    long long t0 = hs_now_ms();
    HS_EXPECT_OK(ctx, "DEBUG", "SLEEP", "0.1");
    ck_assert_int_ge(hs_now_ms() - t0, 100);
    HS_EXPECT_OK(ctx, "DEBUG", "SLEEP", "0");
    HS_EXPECT_OK(ctx, "DEBUG", "SLEEP", "abc"); /* strtod: 0 */
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    HS_EXPECT_OK(ctx, "DEBUG", "set-active-expire", "1");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.", "DEBUG",
                    "foo");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.",
                    "DEBUG", "sleep");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand or wrong number of arguments for 'object'. Try DEBUG HELP.",
                    "DEBUG", "object", "a", "b");
    HS_EXPECT_ARITY(ctx, "debug", "DEBUG");
    HS_EXPECT_ERROR(ctx, "FOO bar", "DEBUG", "ERROR", "FOO bar");
    HS_EXPECT_OK(ctx, "DEBUG", "LOG", "hello from the test");
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "HELP"));
    ck_assert_str_eq(r->element[0]->str, "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    freeReplyObject(r);
}
END_TEST

START_TEST(test_debug_object) {
    HS_EXPECT_ERROR(ctx, "ERR no such key", "DEBUG", "OBJECT", "nokey");
    HS_EXPECT_OK(ctx, "SET", "s", "value:0");
    HS_EXPECT_OK(ctx, "SET", "n", "12345");
    HS_EXPECT_OK(ctx, "SET", "big", "10000000000");
    HS_EXPECT_OK(ctx, "SET", "r", "this string is longer than forty-four bytes, so raw");
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "OBJECT", "s"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STATUS);
    check_match(r->str, "^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:8 lru:[0-9]+ "
                        "lru_seconds_idle:[0-9]+$");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("DEBUG", "OBJECT", "n"));
    check_match(r->str, " encoding:int serializedlength:3 ");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("DEBUG", "OBJECT", "big"));
    check_match(r->str, " encoding:int serializedlength:12 ");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("debug", "object", "r"));
    check_match(r->str, " encoding:raw ");
    freeReplyObject(r);
}
END_TEST

START_TEST(test_debug_populate) {
    HS_EXPECT_OK(ctx, "SET", "key:0", "mine");
    HS_EXPECT_OK(ctx, "DEBUG", "POPULATE", "10");
    HS_EXPECT_INT(ctx, 10, "DBSIZE");
    HS_EXPECT_BULK(ctx, "mine", "GET", "key:0"); /* existing keys are skipped */
    HS_EXPECT_BULK(ctx, "value:9", "GET", "key:9");
    HS_EXPECT_OK(ctx, "DEBUG", "POPULATE", "2", "p", "10");
    redisReply *r = hs_command(ctx, HS_ARGS("GET", "p:1"));
    HS_CHECK_BULK(r, "value:1\0\0\0", 10);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "DEBUG", "POPULATE", "1", "q", "3");
    HS_EXPECT_BULK(ctx, "val", "GET", "q:0");
    HS_EXPECT_OK(ctx, "DEBUG", "POPULATE", "1", "z", "0");
    HS_EXPECT_BULK(ctx, "value:0", "GET", "z:0");
    HS_EXPECT_OK(ctx, "DEBUG", "POPULATE", "0");
    const char *neg = "ERR value is out of range, must be positive";
    HS_EXPECT_ERROR(ctx, neg, "DEBUG", "POPULATE", "-1");
    HS_EXPECT_ERROR(ctx, neg, "DEBUG", "POPULATE", "abc");
    HS_EXPECT_ERROR(ctx, neg, "DEBUG", "POPULATE", "1", "x", "-1");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG HELP.",
                    "DEBUG", "populate", "1", "x", "1", "extra");
    HS_EXPECT_INT(ctx, 14, "DBSIZE");
}
END_TEST

/* ---------------------------------------------------------- CLIENT */

START_TEST(test_client_no_evict_no_touch) {
    long long id = hs_client_id(ctx);
    HS_EXPECT_OK(ctx, "CLIENT", "NO-EVICT", "on");
    hs_buf f = client_flags(id);
    ck_assert_str_eq(f.data, "e");
    hs_buf_free(&f);
    HS_EXPECT_OK(ctx, "CLIENT", "NO-TOUCH", "ON");
    f = client_flags(id);
    ck_assert_str_eq(f.data, "eT");
    hs_buf_free(&f);
    HS_EXPECT_OK(ctx, "CLIENT", "NO-EVICT", "OFF");
    HS_EXPECT_OK(ctx, "CLIENT", "no-touch", "off");
    f = client_flags(id);
    ck_assert_str_eq(f.data, "N");
    hs_buf_free(&f);
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CLIENT", "NO-EVICT", "maybe");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CLIENT", "NO-TOUCH", "1");
    HS_EXPECT_ARITY(ctx, "client|no-evict", "CLIENT", "NO-EVICT");
    HS_EXPECT_ARITY(ctx, "client|no-touch", "CLIENT", "NO-TOUCH", "on", "x");
}
END_TEST

START_TEST(test_client_pause_errors) {
    HS_EXPECT_ARITY(ctx, "client|pause", "CLIENT", "PAUSE");
    HS_EXPECT_ARITY(ctx, "client|unpause", "CLIENT", "UNPAUSE", "x");
    HS_EXPECT_ERROR(ctx, "ERR timeout is not an integer or out of range", "CLIENT", "PAUSE", "abc");
    HS_EXPECT_ERROR(ctx, "ERR timeout is not an integer or out of range", "CLIENT", "PAUSE", "99999999999999999999");
    HS_EXPECT_ERROR(ctx, "ERR timeout is negative", "CLIENT", "PAUSE", "-1");
    HS_EXPECT_ERROR(ctx, "ERR CLIENT PAUSE mode must be WRITE or ALL", "CLIENT", "PAUSE", "10", "foo");
    HS_EXPECT_ERROR(ctx, "ERR CLIENT PAUSE mode must be WRITE or ALL", "CLIENT", "PAUSE", "abc", "foo");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.",
                    "CLIENT", "pause", "10", "write", "x");
    HS_EXPECT_OK(ctx, "CLIENT", "PAUSE", "0");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    HS_EXPECT_OK(ctx, "CLIENT", "UNPAUSE");
}
END_TEST

START_TEST(test_client_pause_write) {
    redisContext *other = hs_connect(srv);
    long long other_id = hs_client_id(other);
    HS_EXPECT_OK(ctx, "SET", "k", "old");
    HS_EXPECT_OK(ctx, "CLIENT", "PAUSE", "100000", "WRITE");
    /* reads go on */
    HS_EXPECT_BULK(other, "old", "GET", "k");
    /* a write waits, and so does everything pipelined after it */
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nnew\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    int closed;
    hs_buf none = hs_raw_read_all(fd, NO_REPLY_WAIT_MS, &closed);
    ck_assert_int_eq(none.len, 0);
    hs_buf_free(&none);
    HS_EXPECT_BULK(ctx, "old", "GET", "k");
    /* errors are not postponed */
    HS_EXPECT_ARITY(other, "set", "SET", "k");
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "LIST"));
    check_match(r->str, " flags=b ");
    freeReplyObject(r);
    hs_buf blocked = hs_info_field(ctx, "clients", "blocked_clients");
    ck_assert_str_eq(blocked.data, "1");
    hs_buf_free(&blocked);
    (void)other_id;
    HS_EXPECT_OK(ctx, "CLIENT", "UNPAUSE");
    hs_buf got = hs_raw_read_until(fd, "new\r\n", REPLY_WAIT_MS);
    HS_CHECK_BYTES(got, "+OK\r\n$3\r\nnew\r\n");
    hs_buf_free(&got);
    HS_EXPECT_BULK(other, "new", "GET", "k");
    close(fd);
    redisFree(other);
}
END_TEST

START_TEST(test_client_pause_all_times_out) {
    redisContext *other = hs_connect(srv);
    HS_EXPECT_OK(ctx, "CLIENT", "PAUSE", "500", "ALL");
    long long t0 = hs_now_ms();
    HS_EXPECT_STATUS(other, "PONG", "PING"); /* answered once the pause is over */
    ck_assert_int_ge(hs_now_ms() - t0, 300);
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    redisFree(other);
}
END_TEST

START_TEST(test_client_pause_kill_waiting_client) {
    redisContext *other = hs_connect(srv);
    long long other_id = hs_client_id(other);
    HS_EXPECT_OK(ctx, "CLIENT", "PAUSE", "100000", "WRITE");
    redisAppendCommand(other, "SET k v");
    int done = 0;
    redisBufferWrite(other, &done);
    hs_sleep_ms(100);
    char idbuf[32];
    snprintf(idbuf, sizeof(idbuf), "%lld", other_id);
    HS_EXPECT_INT(ctx, 1, "CLIENT", "KILL", "ID", idbuf);
    HS_EXPECT_OK(ctx, "CLIENT", "UNPAUSE");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    HS_EXPECT_NIL(ctx, "GET", "k");
    redisFree(other);
}
END_TEST

static Suite *admin_suite(void) {
    Suite *s = suite_create("admin");
    TCase *tc = hs_tcase(s, "slowlog");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_slowlog_captures_everything_at_zero);
    tcase_add_test(tc, test_slowlog_truncation);
    tcase_add_test(tc, test_slowlog_args_survive_the_command);
    tcase_add_test(tc, test_slowlog_redacts_auth);
    tcase_add_test(tc, test_slowlog_limits_and_disable);
    tcase_add_test(tc, test_slowlog_errors);
    tc = hs_tcase(s, "latency");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_latency_disabled_by_default);
    tcase_add_test(tc, test_latency_events);
    tcase_add_test(tc, test_latency_histogram);
    tcase_add_test(tc, test_latency_errors);
    tc = hs_tcase(s, "monitor");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_monitor_format);
    tcase_add_test(tc, test_monitor_client_state);
    tcase_add_test(tc, test_monitor_unix_socket);
    tc = hs_tcase(s, "debug");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_debug_sleep_and_errors);
    tcase_add_test(tc, test_debug_object);
    tcase_add_test(tc, test_debug_populate);
    tc = hs_tcase(s, "client");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_client_no_evict_no_touch);
    tcase_add_test(tc, test_client_pause_errors);
    tcase_add_test(tc, test_client_pause_write);
    tcase_add_test(tc, test_client_pause_all_times_out);
    tcase_add_test(tc, test_client_pause_kill_waiting_client);
    return s;
}

int main(void) {
    return hs_run_suite(admin_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
