/* test_script_ldb.c -- Check suites for the pure half of the Lua debugger:
 * command parsing, listing/breakpoints/maxlen/help texts, the log's RESP
 * framing, and the renderings of Lua values and RESP replies. Every
 * expected string comes from Redis 7.0.15 transcripts kept in
 * tests/unit/fixtures/ldb/ (captured through a logging proxy and a raw
 * socket driver, see c*.json for the commands sent). */
#include <check.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_ldb.h"
#include "zmalloc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The script of fixture c9 (blank line 2, two trailing newlines). */
static const char c9_body[] = "local a = 1\n\nlocal b = 2\nreturn 1\n\n";

/* Runs one debugger command given as a space-separated line and returns
 * the RESP bytes the session would send (caller frees). */
static sds run_cmd(ldb_session *s, const char *line) {
    int argc;
    sds *argv = sds_split_args(line, &argc);
    switch (ldb_cmd_parse(argc, (const sds *)argv)) {
    case LDB_CMD_LIST: ldb_cmd_list(s, argc, (const sds *)argv); break;
    case LDB_CMD_WHOLE: ldb_cmd_whole(s); break;
    case LDB_CMD_BREAK: ldb_cmd_break(s, argc, (const sds *)argv); break;
    case LDB_CMD_MAXLEN: ldb_cmd_maxlen(s, argc, (const sds *)argv); break;
    case LDB_CMD_HELP: ldb_cmd_help(s); break;
    case LDB_CMD_UNKNOWN: ldb_log_unknown(s); break;
    default: break;
    }
    sds_free_split_res(argv, argc);
    return ldb_log_to_resp(s, sds_empty());
}

static void expect_cmd(ldb_session *s, const char *line, const char *resp) {
    sds got = run_cmd(s, line);
    ck_assert_msg(strcmp(got, resp) == 0, "%s: got [%s] want [%s]", line, got, resp);
    sds_free(got);
}

START_TEST(test_parse) {
    static const struct {
        const char *line;
        ldb_cmd cmd;
    } cases[] = {
        {"s", LDB_CMD_STEP},        {"STEP x", LDB_CMD_STEP},   {"n", LDB_CMD_STEP},
        {"next", LDB_CMD_STEP},     {"c", LDB_CMD_CONTINUE},    {"continue", LDB_CMD_CONTINUE},
        {"l 1 2 3", LDB_CMD_LIST},  {"whole x", LDB_CMD_WHOLE}, {"p", LDB_CMD_PRINT},
        {"print a b", LDB_CMD_PRINT}, {"b", LDB_CMD_BREAK},     {"t", LDB_CMD_TRACE},
        {"eval", LDB_CMD_EVAL},     {"e return 1", LDB_CMD_EVAL}, {"redis", LDB_CMD_UNKNOWN},
        {"r ping", LDB_CMD_REDIS},  {"maxlen", LDB_CMD_MAXLEN}, {"a", LDB_CMD_ABORT},
        {"abort x", LDB_CMD_ABORT}, {"h", LDB_CMD_HELP},        {"foo", LDB_CMD_UNKNOWN},
        {"quit", LDB_CMD_UNKNOWN},  {"ss", LDB_CMD_UNKNOWN},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int argc;
        sds *argv = sds_split_args(cases[i].line, &argc);
        ck_assert_msg(ldb_cmd_parse(argc, (const sds *)argv) == cases[i].cmd, "%s",
                      cases[i].line);
        sds_free_split_res(argv, argc);
    }
    ck_assert_int_eq(ldb_cmd_parse(0, NULL), LDB_CMD_UNKNOWN);
}
END_TEST

/* Fixture c9: list, whole and the break family. */
START_TEST(test_break_and_list) {
    ldb_session s;
    ldb_session_init(&s, c9_body, strlen(c9_body));
    s.current_line = 1;
    ck_assert_int_eq(s.nlines, 4);
    expect_cmd(&s, "break", "*1\r\n+No breakpoints set. Use 'b <line>' to add one.\r\n");
    expect_cmd(&s, "break 3", "*3\r\n+   2   \r\n+  #3   local b = 2\r\n+   4   return 1\r\n");
    expect_cmd(&s, "break 3", "*1\r\n+Wrong line number.\r\n");
    expect_cmd(&s, "break -2", "*1\r\n+No breakpoint in the specified line.\r\n");
    expect_cmd(&s, "break -3", "*1\r\n+Breakpoint removed.\r\n");
    expect_cmd(&s, "break 0", "*1\r\n+All breakpoints removed.\r\n");
    expect_cmd(&s, "break 1 -1 4",
               "*5\r\n+->#1   local a = 1\r\n+   2   \r\n+Breakpoint removed.\r\n"
               "+   3   local b = 2\r\n+  #4   return 1\r\n");
    expect_cmd(&s, "list 100", "*0\r\n");
    expect_cmd(&s, "list 4 0", "*1\r\n+  #4   return 1\r\n");
    expect_cmd(&s, "list -2",
               "*4\r\n+-> 1   local a = 1\r\n+   2   \r\n+   3   local b = 2\r\n"
               "+  #4   return 1\r\n");
    expect_cmd(&s, "whole",
               "*4\r\n+-> 1   local a = 1\r\n+   2   \r\n+   3   local b = 2\r\n"
               "+  #4   return 1\r\n");
    expect_cmd(&s, "break 99", "*1\r\n+Wrong line number.\r\n");
    expect_cmd(&s, "break x", "*1\r\n+Invalid argument:'x'\r\n");
    ldb_session_free(&s);
}
END_TEST

/* Fixture c1 (redis-cli) and c3: "1 breakpoints set:", list around,
 * two-digit line numbers. */
START_TEST(test_list_formats) {
    static const char body[] = "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\n";
    ldb_session s;
    ldb_session_init(&s, body, strlen(body));
    s.current_line = 3;
    expect_cmd(&s, "break 8", "*3\r\n+   7   l7\r\n+  #8   l8\r\n+   9   l9\r\n");
    expect_cmd(&s, "b", "*2\r\n+1 breakpoints set:\r\n+  #8   l8\r\n");
    expect_cmd(&s, "l 1 2 3", "*3\r\n+   1   l1\r\n+   2   l2\r\n+-> 3   l3\r\n");
    expect_cmd(&s, "list 11 0", "*1\r\n+   11  l11\r\n");
    expect_cmd(&s, "list x",
               "*8\r\n+   1   l1\r\n+   2   l2\r\n+-> 3   l3\r\n+   4   l4\r\n+   5   l5\r\n"
               "+   6   l6\r\n+   7   l7\r\n+  #8   l8\r\n");
    ldb_session_free(&s);
}
END_TEST

/* Fixtures c1, c3, c8: maxlen's settings and texts. */
START_TEST(test_maxlen) {
    ldb_session s;
    ldb_session_init(&s, "x", 1);
    expect_cmd(&s, "maxlen", "*1\r\n+<value> replies are truncated at 256 bytes.\r\n");
    expect_cmd(&s, "maxlen 1 2", "*1\r\n+<value> replies are truncated at 256 bytes.\r\n");
    expect_cmd(&s, "maxlen 10", "*1\r\n+<value> replies are truncated at 60 bytes.\r\n");
    expect_cmd(&s, "maxlen 100", "*1\r\n+<value> replies are truncated at 100 bytes.\r\n");
    expect_cmd(&s, "maxlen -5", "*1\r\n+<value> replies are truncated at 60 bytes.\r\n");
    expect_cmd(&s, "maxlen 0", "*1\r\n+<value> replies are unlimited.\r\n");
    expect_cmd(&s, "maxlen 70", "*1\r\n+<value> replies are truncated at 70 bytes.\r\n");
    expect_cmd(&s, "maxlen x", "*1\r\n+<value> replies are unlimited.\r\n");
    /* c8 at maxlen 70: the line is cut at 70 bytes and " ..." added. */
    s.maxlen = 70;
    ldb_log_trimmed(&s, sds_new("<reply> \"-WRONGTYPE Operation against a key holding the "
                                "wrong kind of value\""));
    ldb_log_trimmed(&s, sds_new("<value> 1"));
    sds got = ldb_log_to_resp(&s, sds_empty());
    ck_assert_str_eq(got, "*2\r\n+<reply> \"-WRONGTYPE Operation against a key holding the "
                          "wrong kind of  ...\r\n+<value> 1\r\n");
    sds_free(got);
    ldb_session_free(&s);
}
END_TEST

START_TEST(test_help_and_unknown) {
    ldb_session s;
    ldb_session_init(&s, "x", 1);
    sds got = run_cmd(&s, "help");
    ck_assert(strncmp(got, "*30\r\n+Redis Lua debugger help:\r\n", 31) == 0);
    ck_assert(strstr(got, "+\r\n+Debugger functions you can call from Lua scripts:\r\n"));
    static const char last[] = "+                     next line of code.\r\n";
    ck_assert(strstr(got, last) + strlen(last) == got + sds_len(got));
    sds_free(got);
    expect_cmd(&s, "foo",
               "*1\r\n+<error> Unknown Redis Lua debugger command or wrong number of "
               "arguments.\r\n");
    /* CR/LF inside a line become spaces (fixture c8, "<redis> set b ..."). */
    ldb_log(&s, sds_new("<redis> set b a\"\\\n\r\x01z"));
    got = ldb_log_to_resp(&s, sds_empty());
    ck_assert_str_eq(got, "*1\r\n+<redis> set b a\"\\  \x01z\r\n");
    sds_free(got);
    ldb_session_free(&s);
}
END_TEST

/* Fixtures c1, c2, c3, c8: "<value>"/"<retval>" renderings. */
START_TEST(test_lua_values) {
    static const struct {
        const char *expr, *want;
    } cases[] = {
        {"return {1,2,'x',{k='v'}}", "{1; 2; \"x\"; {[\"k\"]=\"v\"}}"},
        {"return {1,'a',nil,false}", "{[1]=1; [2]=\"a\"; [4]=false}"},
        {"return nil", "nil"},
        {"return true", "true"},
        {"return 3.5", "3.5"},
        {"return 'a\"b\\n\\0c'", "\"a\\\"b\\n\\x00c\""},
        {"return 'x\\255\\r\\t\\a'", "\"x\\xff\\r\\t\\a\""},
        {"return -0.0", "-0"},
        {"return 1e300", "1e+300"},
        {"return 100000000000000", "1e+14"},
        {"return 123456789012", "1.23457e+11"},
        {"return {}", "{}"},
        {"return {{}}", "{{}}"},
        {"return {[1.5]=1}", "{[1.5]=1}"},
        {"return {[true]=1}", "{[true]=1}"},
        {"return {x=1}", "{[\"x\"]=1}"},
        {"return {1,{2}}", "{1; {2}}"},
    };
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        ck_assert_int_eq(luaL_dostring(L, cases[i].expr), 0);
        int top = lua_gettop(L);
        sds got = ldb_cat_lua_value(sds_empty(), L, -1);
        ck_assert_int_eq(lua_gettop(L), top);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "%s: got [%s] want [%s]",
                      cases[i].expr, got, cases[i].want);
        sds_free(got);
        lua_settop(L, 0);
    }
    /* Functions: "function@0x..." in quotes; a table that holds itself
     * stops at the depth limit instead of recursing forever. */
    ck_assert_int_eq(luaL_dostring(L, "local t = {} t[1] = t return print, t"), 0);
    sds got = ldb_cat_lua_value(sds_empty(), L, 1);
    ck_assert(strncmp(got, "\"function@0x", 12) == 0 && got[sds_len(got) - 1] == '"');
    sds_free(got);
    got = ldb_cat_lua_value(sds_empty(), L, 2);
    ck_assert(strstr(got, "..."));
    sds_free(got);
    lua_close(L);
}
END_TEST

/* Fixtures c1, c2, c8: "<reply>" renderings of RESP2 and RESP3 replies. */
START_TEST(test_resp_human) {
    static const struct {
        const char *resp, *want;
    } cases[] = {
        {"$-1\r\n", "NULL"},
        {"*-1\r\n", "NULL"},
        {"+OK\r\n", "\"+OK\""},
        {"+PONG\r\n", "\"+PONG\""},
        {"*0\r\n", "[]"},
        {":1\r\n", "1"},
        {"*2\r\n$1\r\na\r\n$1\r\nb\r\n", "[\"a\",\"b\"]"},
        {"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
         "\"-WRONGTYPE Operation against a key holding the wrong kind of value\""},
        {"%2\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\nw\r\n", "{\"f\" => \"v\",\"g\" => \"w\"}"},
        {"~1\r\n$1\r\nm\r\n", "~(\"m\")"},
        {"$7\r\na\"\\\n\r\x01z\r\n", "\"a\\\"\\\\\\n\\r\\x01z\""},
        {"_\r\n", "(null)"},
        {",1.5\r\n", "(double) 1.5"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        size_t used = 0, len = strlen(cases[i].resp);
        sds got = ldb_cat_resp_human(sds_empty(), cases[i].resp, len, &used);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "got [%s] want [%s]", got,
                      cases[i].want);
        ck_assert_uint_eq(used, len);
        sds_free(got);
    }
    /* Truncated or malformed input never reads past len. */
    static const char *bad[] = {"", "$5\r\nab", "*3\r\n:1\r\n", "?x\r\n", "+OK", "*9999999\r\n"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        size_t used = 0, len = strlen(bad[i]);
        sds got = ldb_cat_resp_human(sds_empty(), bad[i], len, &used);
        ck_assert_uint_eq(used, len);
        sds_free(got);
    }
}
END_TEST

/* ------------------------------------------------------------ the REPL,
 * driven through a plain lua_State with a line hook, fake I/O. */

typedef struct fake_io {
    sds in;          /* RESP commands the "client" sends */
    size_t in_pos;
    size_t chunk;    /* bytes handed out per read (tests partial reads) */
    sds out;         /* what the session wrote */
} fake_io;

static ldb_session *hook_session;
static ldb_io hook_io;

static ssize_t fake_read(void *ctx, char *buf, size_t cap) {
    fake_io *f = ctx;
    size_t left = sds_len(f->in) - f->in_pos;
    size_t n = left < cap ? left : cap;
    if (n > f->chunk) n = f->chunk;
    memcpy(buf, f->in + f->in_pos, n);
    f->in_pos += n;
    return (ssize_t)n;
}

static int fake_write(void *ctx, const char *buf, size_t len) {
    fake_io *f = ctx;
    f->out = sds_cat_len(f->out, buf, len);
    return 0;
}

/* "redis ping" as the engine would log it. */
static void fake_redis(void *ctx, ldb_session *s, lua_State *L, int argc, sds *argv) {
    (void)ctx;
    (void)L;
    ldb_log_redis_cmd(s, argc, (const sds *)argv);
    ldb_log_redis_reply(s, "+PONG\r\n", 7);
}

static void line_hook(lua_State *L, lua_Debug *ar) {
    if (ar->event != LUA_HOOKLINE) return;
    ldb_outcome o = ldb_on_line(hook_session, L, ar, &hook_io);
    if (o != LDB_RESUME) luaL_error(L, "script aborted for user request");
}

static int fake_debug(lua_State *L) {
    ldb_log_debug_call(hook_session, L);
    return 0;
}

static int fake_breakpoint(lua_State *L) {
    hook_session->luabp = 1;
    lua_pushboolean(L, 1);
    return 1;
}

/* Runs body under the debugger, the client sending cmds (one per
 * string, split on spaces); returns everything the session wrote. */
static sds run_session(const char *body, const char *const *cmds, size_t ncmds,
                       size_t chunk, int *script_status) {
    ldb_session s;
    fake_io f = {.in = sds_empty(), .chunk = chunk, .out = sds_empty()};
    for (size_t i = 0; i < ncmds; i++) {
        int argc;
        sds *argv = sds_split_args(cmds[i], &argc);
        f.in = sds_cat_printf(f.in, "*%d\r\n", argc);
        for (int j = 0; j < argc; j++)
            f.in = sds_cat_printf(f.in, "$%zu\r\n%s\r\n", sds_len(argv[j]), argv[j]);
        sds_free_split_res(argv, argc);
    }
    ldb_session_init(&s, body, strlen(body));
    s.step = 1;
    hook_session = &s;
    hook_io = (ldb_io){.ctx = &f, .read = fake_read, .write = fake_write,
                       .redis_cmd = fake_redis};
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    lua_newtable(L);
    lua_pushcfunction(L, fake_debug);
    lua_setfield(L, -2, "debug");
    lua_pushcfunction(L, fake_breakpoint);
    lua_setfield(L, -2, "breakpoint");
    lua_setglobal(L, "redis");
    ck_assert_int_eq(luaL_loadbuffer(L, body, strlen(body), "@user_script"), 0);
    lua_sethook(L, line_hook, LUA_MASKLINE, 0);
    *script_status = lua_pcall(L, 0, 1, 0);
    if (*script_status && getenv("LDB_TEST_VERBOSE"))
        fprintf(stderr, "script error: %s\n", lua_tostring(L, -1));
    ldb_end_session(&s, &hook_io);
    lua_close(L);
    ldb_session_free(&s);
    sds_free(f.in);
    return f.out;
}

/* Fixture c3: stops, print, maxlen trimming, redis.debug, stepping into
 * a function, trace, break with two lines, and the end of the session. */
START_TEST(test_repl_c3) {
    static const char body[] =
        "local function f(x)\n  local y = x * 2\n  return y\nend\nlocal fn = f\n"
        "local co = 'c'\nlocal long = string.rep('abcdefghij', 10)\n"
        "redis.debug('x', 1, nil, true, {1,{2}}, 1.5)\nredis.debug()\nlocal r = f(3)\n"
        "return r\n";
    static const char *const cmds[] = {"s", "s", "s", "s", "s", "s", "s", "trace", "s", "print",
                                       "print nosuch", "break 2 3", "s", "s"};
    int status;
    sds out = run_session(body, cmds, ARRAY_LEN(cmds), 4096, &status);
    ck_assert_msg(status == 0, "got:\n%s", out);
    static const char want[] =
        "*2\r\n+* Stopped at 4, stop reason = step over\r\n+-> 4   end\r\n"
        "*2\r\n+* Stopped at 5, stop reason = step over\r\n+-> 5   local fn = f\r\n"
        "*2\r\n+* Stopped at 6, stop reason = step over\r\n+-> 6   local co = 'c'\r\n"
        "*2\r\n+* Stopped at 7, stop reason = step over\r\n"
        "+-> 7   local long = string.rep('abcdefghij', 10)\r\n"
        "*2\r\n+* Stopped at 8, stop reason = step over\r\n"
        "+-> 8   redis.debug('x', 1, nil, true, {1,{2}}, 1.5)\r\n"
        "*3\r\n+<debug> line 8: \"x\", 1, nil, true, {1; {2}}, 1.5\r\n"
        "+* Stopped at 9, stop reason = step over\r\n+-> 9   redis.debug()\r\n"
        "*3\r\n+<debug> line 9: \r\n+* Stopped at 10, stop reason = step over\r\n"
        "+-> 10  local r = f(3)\r\n"
        "*2\r\n+* Stopped at 2, stop reason = step over\r\n+-> 2     local y = x * 2\r\n"
        "*4\r\n+In f:\r\n+-> 2     local y = x * 2\r\n+From top level:\r\n"
        "+   10  local r = f(3)\r\n"
        "*2\r\n+* Stopped at 3, stop reason = step over\r\n+-> 3     return y\r\n"
        "*2\r\n+<value> x = 3\r\n+<value> y = 6\r\n"
        "*1\r\n+No such variable.\r\n"
        "*6\r\n+   1   local function f(x)\r\n+  #2     local y = x * 2\r\n"
        "+-> 3     return y\r\n+  #2     local y = x * 2\r\n+->#3     return y\r\n"
        "+   4   end\r\n"
        "*2\r\n+* Stopped at 11, stop reason = step over\r\n+-> 11  return r\r\n"
        "*1\r\n+<endsession>\r\n";
    ck_assert_msg(strcmp(out, want) == 0, "got:\n%s", out);
    sds_free(out);
}
END_TEST

/* Fixtures c1, c2, c10, c11: continue to a breakpoint and to
 * redis.breakpoint(), eval (expression, statement, error, several
 * arguments), redis, KEYS, no locals, abort; requests read one byte at a
 * time. */
START_TEST(test_repl_commands) {
    static const char body[] = "local a = 1\nlocal b = a + 1\nredis.breakpoint()\n"
                               "local s = 'hello'\nreturn {a, b, s}\n";
    static const char *const cmds[] = {
        "print", "print KEYS", "eval return 1+1", "eval x=", "eval local z = 5",
        "eval return 1 + 1", "eval nosuchfn()", "redis ping", "break 2", "c", "c",
        "foo", "abort"};
    int status;
    sds out = run_session(body, cmds, ARRAY_LEN(cmds), 1, &status);
    ck_assert_int_ne(status, 0);
    static const char want[] =
        "*2\r\n+* Stopped at 1, stop reason = step over\r\n+-> 1   local a = 1\r\n"
        "*1\r\n+No local variables in the current context.\r\n"
        "*1\r\n+No such variable.\r\n"
        "*1\r\n+<retval> 2\r\n"
        "*1\r\n+<error> ldb_eval:1: unexpected symbol near '<eof>'\r\n"
        "*1\r\n+<retval> nil\r\n"
        "*1\r\n+<retval> 2\r\n"
        "*1\r\n+<error> ldb_eval:1: attempt to call global 'nosuchfn' (a nil value)\r\n"
        "*2\r\n+<redis> ping\r\n+<reply> \"+PONG\"\r\n"
        "*3\r\n+-> 1   local a = 1\r\n+  #2   local b = a + 1\r\n+   3   redis.breakpoint()\r\n"
        "*2\r\n+* Stopped at 2, stop reason = break point\r\n+->#2   local b = a + 1\r\n"
        "*2\r\n+* Stopped at 4, stop reason = redis.breakpoint() called\r\n"
        "+-> 4   local s = 'hello'\r\n"
        "*1\r\n+<error> Unknown Redis Lua debugger command or wrong number of arguments.\r\n"
        "*1\r\n+<endsession>\r\n";
    ck_assert_msg(strcmp(out, want) == 0, "got:\n%s", out);
    sds_free(out);
}
END_TEST

/* The client leaving (no more input) ends the session as an abort. */
START_TEST(test_repl_lost_client) {
    static const char *const cmds[] = {"s"};
    int status;
    sds out = run_session("local a = 1\nlocal b = 2\nreturn 1\n", cmds, 1, 4096, &status);
    ck_assert_int_ne(status, 0);
    ck_assert_str_eq(out, "*2\r\n+* Stopped at 1, stop reason = step over\r\n+-> 1   local a = 1\r\n"
                          "*2\r\n+* Stopped at 2, stop reason = step over\r\n+-> 2   local b = 2\r\n"
                          "*1\r\n+<endsession>\r\n");
    sds_free(out);
}
END_TEST

static Suite *ldb_suite(void) {
    Suite *s = suite_create("script_ldb");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_break_and_list);
    tcase_add_test(tc, test_list_formats);
    tcase_add_test(tc, test_maxlen);
    tcase_add_test(tc, test_help_and_unknown);
    tcase_add_test(tc, test_lua_values);
    tcase_add_test(tc, test_resp_human);
    tcase_add_test(tc, test_repl_c3);
    tcase_add_test(tc, test_repl_commands);
    tcase_add_test(tc, test_repl_lost_client);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(ldb_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
