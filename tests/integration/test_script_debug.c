/* test_script_debug.c -- integration tests for SCRIPT DEBUG and the Lua
 * debugger protocol, driven over a raw socket exactly as `redis-cli
 * --ldb` drives it (SCRIPT DEBUG YES|SYNC, EVAL, then one multibulk per
 * debugger command). Every expected byte comes from Redis 7.0.15's
 * transcripts (tests/unit/fixtures/ldb/). One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = getenv("LDB_VS_REDIS") ? hs_start_redis(NULL) : hs_start(NULL);
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

/* Sends a command given as words (argv) and expects exactly want back. */
static void ldb_expect(const char *file, int line, int fd, const char *const *args, const char *want) {
    hs_buf req = {0};
    int argc = 0;
    while (args[argc]) argc++;
    hs_buf_printf(&req, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) hs_buf_printf(&req, "$%zu\r\n%s\r\n", strlen(args[i]), args[i]);
    hs_raw_expect(file, line, fd, req.data, req.len, want, strlen(want));
    hs_buf_free(&req);
}
#define LDB_EXPECT(fd, want, ...) ldb_expect(__FILE__, __LINE__, fd, HS_ARGS(__VA_ARGS__), want)

/* After the last command: the rest of what the server sends, and it must
 * close the connection. */
static void ldb_expect_end(int fd, const char *want) {
    int closed = 0;
    hs_buf got = hs_raw_read_all(fd, 2000, &closed);
    HS_CHECK_BYTES(got, want);
    ck_assert_msg(closed, "the server kept the debugging client open");
    hs_buf_free(&got);
    close(fd);
}

static const char script_c1[] = "local a = 1\nlocal t = {1,2,'x',{k='v'}}\nredis.call('set', KEYS[1], ARGV[1])\n"
                                "local b = a + 1\n-- comment\nredis.debug(a, t)\nredis.breakpoint()\n"
                                "local s = \"hello\"\nreturn {a, b, s}\n";

/* Fixture c1 (redis-cli's own session): stepping, list, print, break,
 * trace, eval, redis, maxlen, an unknown command, continue to
 * redis.breakpoint() and the end. YES mode: the SET is rolled back. */
START_TEST(test_yes_session) {
    int fd = hs_raw_connect(srv);
    LDB_EXPECT(fd, "+OK\r\n", "SCRIPT", "DEBUG", "yes");
    LDB_EXPECT(fd, "*2\r\n+* Stopped at 1, stop reason = step over\r\n+-> 1   local a = 1\r\n", "EVAL", script_c1,
               "1", "foo", "bar");
    LDB_EXPECT(fd, "*2\r\n+* Stopped at 2, stop reason = step over\r\n+-> 2   local t = {1,2,'x',{k='v'}}\r\n", "s");
    LDB_EXPECT(fd,
               "*2\r\n+* Stopped at 3, stop reason = step over\r\n+-> 3   redis.call('set', KEYS[1], ARGV[1])\r\n",
               "n");
    LDB_EXPECT(fd,
               "*8\r\n+   1   local a = 1\r\n+   2   local t = {1,2,'x',{k='v'}}\r\n"
               "+-> 3   redis.call('set', KEYS[1], ARGV[1])\r\n+   4   local b = a + 1\r\n+   5   -- comment\r\n"
               "+   6   redis.debug(a, t)\r\n+   7   redis.breakpoint()\r\n+   8   local s = \"hello\"\r\n",
               "list");
    LDB_EXPECT(fd, "*2\r\n+<value> a = 1\r\n+<value> t = {1; 2; \"x\"; {[\"k\"]=\"v\"}}\r\n", "print");
    LDB_EXPECT(fd, "*1\r\n+<value> {1; 2; \"x\"; {[\"k\"]=\"v\"}}\r\n", "print", "t");
    LDB_EXPECT(fd, "*1\r\n+No such variable.\r\n", "print", "nosuch");
    LDB_EXPECT(fd, "*1\r\n+<value> {\"foo\"}\r\n", "print", "KEYS");
    LDB_EXPECT(fd, "*3\r\n+   7   redis.breakpoint()\r\n+  #8   local s = \"hello\"\r\n+   9   return {a, b, s}\r\n",
               "break", "8");
    LDB_EXPECT(fd, "*2\r\n+1 breakpoints set:\r\n+  #8   local s = \"hello\"\r\n", "break");
    LDB_EXPECT(fd, "*1\r\n+Breakpoint removed.\r\n", "break", "-8");
    LDB_EXPECT(fd, "*1\r\n+Wrong line number.\r\n", "break", "99");
    LDB_EXPECT(fd, "*2\r\n+In top level:\r\n+-> 3   redis.call('set', KEYS[1], ARGV[1])\r\n", "trace");
    LDB_EXPECT(fd, "*1\r\n+<retval> 2\r\n", "eval", "return 1+1");
    LDB_EXPECT(fd, "*1\r\n+<error> ldb_eval:1: unexpected symbol near '<eof>'\r\n", "eval", "x=");
    LDB_EXPECT(fd, "*1\r\n+<retval> {[\"ok\"]=\"PONG\"}\r\n", "eval", "return redis.call('ping')");
    LDB_EXPECT(fd, "*2\r\n+<redis> get foo\r\n+<reply> NULL\r\n", "redis", "get", "foo");
    LDB_EXPECT(fd, "*2\r\n+<redis> set a\r\n+<error> Wrong number of args calling Redis command from script\r\n",
               "redis", "set", "a");
    LDB_EXPECT(fd, "*1\r\n+<value> replies are truncated at 60 bytes.\r\n", "maxlen", "10");
    LDB_EXPECT(fd, "*1\r\n+<error> Unknown Redis Lua debugger command or wrong number of arguments.\r\n", "foo");
    LDB_EXPECT(fd,
               "*3\r\n+<debug> line 6: 1, {1; 2; \"x\"; {[\"k\"]=\"v\"}}\r\n"
               "+* Stopped at 8, stop reason = redis.breakpoint() called\r\n+-> 8   local s = \"hello\"\r\n",
               "c");
    hs_raw_send(fd, "*1\r\n$1\r\nc\r\n", 11);
    ldb_expect_end(fd, "*1\r\n+<endsession>\r\n*3\r\n:1\r\n:2\r\n$5\r\nhello\r\n");
    /* The child's SET died with it. */
    HS_EXPECT_NIL(ctx, "GET", "foo");
    HS_EXPECT_NIL(ctx, "GET", "l");
}
END_TEST

/* Fixtures c4 / c5: abort in SYNC mode keeps the first SET; in YES mode
 * nothing is kept. Both end with the abort error and a closed link. */
START_TEST(test_sync_keeps_yes_rolls_back) {
    static const char body[] = "redis.call('set','k1','1')\nredis.call('set','k2','2')\nreturn 'done'\n";
    const char *modes[] = {"sync", "yes"};
    for (int m = 0; m < 2; m++) {
        int fd = hs_raw_connect(srv);
        LDB_EXPECT(fd, "+OK\r\n", "SCRIPT", "DEBUG", modes[m]);
        LDB_EXPECT(fd, "*2\r\n+* Stopped at 1, stop reason = step over\r\n+-> 1   redis.call('set','k1','1')\r\n",
                   "EVAL", body, "0");
        LDB_EXPECT(fd,
                   "*4\r\n+<redis> set k1 1\r\n+<reply> \"+OK\"\r\n+* Stopped at 2, stop reason = step over\r\n"
                   "+-> 2   redis.call('set','k2','2')\r\n",
                   "s");
        hs_raw_send(fd, "*1\r\n$5\r\nabort\r\n", 15);
        ldb_expect_end(fd, "*1\r\n+<endsession>\r\n-ERR script aborted for user request script: "
                           "31a43ae895523387a6153a08fdf6c993112af5c7, on @user_script:2.\r\n");
        if (m == 0) {
            HS_EXPECT_BULK(ctx, "1", "GET", "k1");
            HS_EXPECT_INT(ctx, 1, "DEL", "k1");
        } else {
            HS_EXPECT_NIL(ctx, "GET", "k1");
        }
        HS_EXPECT_NIL(ctx, "GET", "k2");
    }
}
END_TEST

/* Fixture c6: a runtime error ends the session with the script's error. */
START_TEST(test_runtime_error_ends_session) {
    int fd = hs_raw_connect(srv);
    LDB_EXPECT(fd, "+OK\r\n", "SCRIPT", "DEBUG", "sync");
    LDB_EXPECT(fd, "*2\r\n+* Stopped at 1, stop reason = step over\r\n+-> 1   local x = 1\r\n", "EVAL",
               "local x = 1\nlocal y = nil + x\nreturn y\n", "0");
    LDB_EXPECT(fd, "*2\r\n+* Stopped at 2, stop reason = step over\r\n+-> 2   local y = nil + x\r\n", "s");
    hs_raw_send(fd, "*1\r\n$1\r\ns\r\n", 11);
    ldb_expect_end(fd, "*1\r\n+<endsession>\r\n-ERR user_script:2: attempt to perform arithmetic on a nil value "
                       "script: 5c8df319215659fbc1e9e9a7a339a94e3fce782c, on @user_script:2.\r\n");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

/* Fixtures c3 / c8: maxlen trimming of print and replies, stepping into a
 * function and the trace from there. */
START_TEST(test_maxlen_and_trace) {
    static const char body[] = "local function f(x)\n  local y = x * 2\n  return y\nend\n"
                               "local long = string.rep('abcdefghij', 10)\nlocal r = f(3)\nreturn r\n";
    int fd = hs_raw_connect(srv);
    LDB_EXPECT(fd, "+OK\r\n", "SCRIPT", "DEBUG", "yes");
    LDB_EXPECT(fd, "*2\r\n+* Stopped at 4, stop reason = step over\r\n+-> 4   end\r\n", "EVAL", body, "0");
    LDB_EXPECT(fd, "*2\r\n+* Stopped at 5, stop reason = step over\r\n+-> 5   local long = string.rep('abcdefghij', 10)\r\n",
               "s");
    LDB_EXPECT(fd, "*2\r\n+* Stopped at 6, stop reason = step over\r\n+-> 6   local r = f(3)\r\n", "s");
    LDB_EXPECT(fd, "*1\r\n+<value> replies are truncated at 60 bytes.\r\n", "maxlen", "1");
    LDB_EXPECT(fd, "*1\r\n+<value> \"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghija ...\r\n", "print",
               "long");
    LDB_EXPECT(fd, "*1\r\n+<value> replies are unlimited.\r\n", "maxlen", "0");
    LDB_EXPECT(fd, "*2\r\n+<redis> hset h f v\r\n+<reply> 1\r\n", "redis", "hset", "h", "f", "v");
    LDB_EXPECT(fd, "*2\r\n+<redis> hgetall h\r\n+<reply> [\"f\",\"v\"]\r\n", "redis", "hgetall", "h");
    LDB_EXPECT(fd,
               "*3\r\n+<redis> get h\r\n+<error> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
               "+<reply> \"-WRONGTYPE Operation against a key holding the wrong kind of value\"\r\n",
               "redis", "get", "h");
    LDB_EXPECT(fd, "*2\r\n+* Stopped at 2, stop reason = step over\r\n+-> 2     local y = x * 2\r\n", "s");
    LDB_EXPECT(fd, "*4\r\n+In f:\r\n+-> 2     local y = x * 2\r\n+From top level:\r\n+   6   local r = f(3)\r\n",
               "trace");
    hs_raw_send(fd, "*1\r\n$1\r\nc\r\n", 11);
    ldb_expect_end(fd, "*1\r\n+<endsession>\r\n:6\r\n");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "h");
}
END_TEST

/* Fixtures c7 / c12: SCRIPT DEBUG's arguments, MULTI, EVALSHA refused,
 * debugging off again, redis.debug/breakpoint outside a session. */
START_TEST(test_script_debug_args) {
    HS_EXPECT_ARITY(ctx, "script|debug", "SCRIPT", "DEBUG");
    HS_EXPECT_ARITY(ctx, "script|debug", "SCRIPT", "DEBUG", "yes", "x");
    HS_EXPECT_ERROR(ctx, "ERR Use SCRIPT DEBUG YES/SYNC/NO", "SCRIPT", "DEBUG", "foo");
    HS_EXPECT_OK(ctx, "SCRIPT", "DEBUG", "Sync");
    HS_EXPECT_ERROR(ctx, "ERR Please use EVAL instead of EVALSHA for debugging", "EVALSHA",
                    "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0");
    HS_EXPECT_ERROR(ctx, "ERR Please use EVAL instead of EVALSHA for debugging", "EVALSHA_RO",
                    "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0");
    HS_EXPECT_OK(ctx, "SCRIPT", "DEBUG", "NO");
    HS_EXPECT_INT(ctx, 1, "EVAL", "redis.breakpoint() redis.debug('x') return 1", "0");
    HS_EXPECT_INT(ctx, 0, "EVAL", "return redis.breakpoint() and 1 or 0", "0");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SCRIPT", "DEBUG", "yes");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 1);
    HS_CHECK_ERROR(r->element[0], "ERR SCRIPT DEBUG must be called outside a pipeline");
    freeReplyObject(r);
    /* EVAL after MULTI's refusal is not debugged. */
    HS_EXPECT_INT(ctx, 1, "EVAL", "return 1", "0");
}
END_TEST

/* A SYNC debugging client that goes away mid-session: as in Redis 7.0
 * the script runs on to its end without the debugger (its writes are
 * kept) and the server serves others again. */
START_TEST(test_client_leaves) {
    int fd = hs_raw_connect(srv);
    LDB_EXPECT(fd, "+OK\r\n", "SCRIPT", "DEBUG", "sync");
    LDB_EXPECT(fd, "*2\r\n+* Stopped at 1, stop reason = step over\r\n+-> 1   redis.call('set','gone','1')\r\n",
               "EVAL", "redis.call('set','gone','1')\nredis.call('set','gone2','1')\n", "0");
    hs_raw_send(fd, "*1\r\n$1\r\ns\r\n*1\r\n$1\r\ns", 20); /* then a cut request */
    close(fd);
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    HS_EXPECT_BULK(ctx, "1", "GET", "gone2");
}
END_TEST

static Suite *script_debug_suite(void) {
    Suite *s = suite_create("script_debug");
    TCase *tc = hs_tcase(s, "script_debug");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_yes_session);
    tcase_add_test(tc, test_sync_keeps_yes_rolls_back);
    tcase_add_test(tc, test_runtime_error_ends_session);
    tcase_add_test(tc, test_maxlen_and_trace);
    tcase_add_test(tc, test_script_debug_args);
    tcase_add_test(tc, test_client_leaves);
    return s;
}

int main(void) {
    return hs_run_suite(script_debug_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
