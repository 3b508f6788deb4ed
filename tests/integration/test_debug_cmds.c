/* test_debug_cmds.c -- integration tests for the DEBUG subcommands tools
 * and client suites use (PROTOCOL in RESP2 and RESP3, LISTPACK, QUICKLIST,
 * REPLYBUFFER, STRINGMATCH-TEST, CHANGE-REPL-ID, MALLCTL as a libc-malloc
 * Redis answers), the enable-debug-command / enable-module-command gates,
 * MODULE and LOLWUT.
 *
 * Expected replies are Redis 7.0's (tests/diff/debug_*.txt compare them
 * byte for byte). One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define DEBUG_REFUSED                                                                                         \
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it " \
    "from a local connection, otherwise you need to set this option in the configuration file, and then "   \
    "restart the server."
#define MODULE_REFUSED                                                                                          \
    "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it " \
    "from a local connection, otherwise you need to set this option in the configuration file, and then "     \
    "restart the server."
#define SUBCMD_ERR(name) "ERR unknown subcommand or wrong number of arguments for '" name "'. Try DEBUG HELP."

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

static redisReply *cmd(redisContext *c, const char *const *args) {
    return hs_command(c, args);
}

START_TEST(test_protocol_resp2) {
    HS_EXPECT_BULK(ctx, "Hello World", "DEBUG", "PROTOCOL", "string");
    HS_EXPECT_INT(ctx, 12345, "DEBUG", "PROTOCOL", "integer");
    HS_EXPECT_BULK(ctx, "3.141", "DEBUG", "PROTOCOL", "double");
    HS_EXPECT_BULK(ctx, "1234567999999999999999999999999999999", "DEBUG", "PROTOCOL", "bignum");
    HS_EXPECT_NIL(ctx, "DEBUG", "PROTOCOL", "null");
    HS_EXPECT_INT(ctx, 1, "DEBUG", "PROTOCOL", "true");
    HS_EXPECT_INT(ctx, 0, "DEBUG", "PROTOCOL", "FALSE");
    HS_EXPECT_BULK(ctx, "Some real reply following the attribute", "DEBUG", "PROTOCOL", "attrib");
    HS_EXPECT_BULK(ctx, "This is a verbatim\nstring", "DEBUG", "PROTOCOL", "verbatim");
    HS_EXPECT_ERROR(ctx, "ERR RESP2 is not supported by this command", "DEBUG", "PROTOCOL", "push");
    redisReply *r = cmd(ctx, HS_ARGS("DEBUG", "PROTOCOL", "map"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 6);
    ck_assert_int_eq(r->element[3]->integer, 1); /* the value of key 1 is true */
    freeReplyObject(r);
    r = cmd(ctx, HS_ARGS("DEBUG", "PROTOCOL", "set"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 3);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx,
                    "ERR Wrong protocol type name. Please use one of the following: "
                    "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
                    "DEBUG", "PROTOCOL", "nope");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("PROTOCOL"), "DEBUG", "PROTOCOL");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("PROTOCOL"), "DEBUG", "PROTOCOL", "string", "x");
}
END_TEST

START_TEST(test_protocol_resp3) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    hs_buf hello = hs_raw_read_until(fd, "*0\r\n", 2000); /* ends with modules: [] */
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "DEBUG PROTOCOL double\r\n", ",3.141\r\n");
    HS_RAW_EXPECT(fd, "DEBUG PROTOCOL bignum\r\n", "(1234567999999999999999999999999999999\r\n");
    HS_RAW_EXPECT(fd, "DEBUG PROTOCOL null\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "DEBUG PROTOCOL true\r\n", "#t\r\n");
    HS_RAW_EXPECT(fd, "DEBUG PROTOCOL false\r\n", "#f\r\n");
    HS_RAW_EXPECT(fd, "DEBUG PROTOCOL set\r\n", "~3\r\n:0\r\n:1\r\n:2\r\n");
    HS_RAW_EXPECT(fd, "DEBUG PROTOCOL map\r\n", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
    HS_RAW_EXPECT(fd, "DEBUG PROTOCOL attrib\r\n",
                  "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
                  "$39\r\nSome real reply following the attribute\r\n");
    HS_RAW_EXPECT(fd, "DEBUG PROTOCOL push\r\n",
                  ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n");
    HS_RAW_EXPECT(fd, "DEBUG PROTOCOL verbatim\r\n", "=29\r\ntxt:This is a verbatim\nstring\r\n");
    HS_RAW_EXPECT(fd, "LOLWUT\r\n", "=22\r\ntxt:Redis ver. 7.0.15\n\r\n");
    HS_RAW_EXPECT(fd, "MODULE LIST\r\n", "*0\r\n");
    close(fd);
}
END_TEST

START_TEST(test_listpack_quicklist) {
    HS_EXPECT_INT(ctx, 3, "RPUSH", "l", "a", "1", "b");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "f", "v");
    HS_EXPECT_OK(ctx, "SET", "s", "x");
    HS_EXPECT_STATUS(ctx, "Listpack structure printed on stdout", "DEBUG", "LISTPACK", "h");
    HS_EXPECT_ERROR(ctx, "ERR Not a listpack encoded object.", "DEBUG", "LISTPACK", "l");
    HS_EXPECT_ERROR(ctx, "ERR Not a listpack encoded object.", "DEBUG", "LISTPACK", "s");
    HS_EXPECT_ERROR(ctx, "ERR no such key", "DEBUG", "LISTPACK", "nokey");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("LISTPACK"), "DEBUG", "LISTPACK");
    HS_EXPECT_STATUS(ctx, "Quicklist structure printed on stdout", "DEBUG", "QUICKLIST", "l");
    HS_EXPECT_STATUS(ctx, "Quicklist structure printed on stdout", "DEBUG", "QUICKLIST", "l", "1");
    HS_EXPECT_ERROR(ctx, "ERR Not a quicklist encoded object.", "DEBUG", "QUICKLIST", "h");
    HS_EXPECT_ERROR(ctx, "ERR no such key", "DEBUG", "QUICKLIST", "nokey");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("QUICKLIST"), "DEBUG", "QUICKLIST", "l", "1", "2");
    hs_buf log = hs_read_log(srv); /* stdout goes to the server log here */
    ck_assert_msg(strstr(log.data, "{total bytes") != NULL, "no listpack dump in the log");
    ck_assert_msg(strstr(log.data, "{count : 3}") != NULL, "no quicklist dump in the log");
    hs_buf_free(&log);
}
END_TEST

START_TEST(test_misc_subcommands) {
    HS_EXPECT_OK(ctx, "DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "NEVER");
    HS_EXPECT_OK(ctx, "DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset");
    HS_EXPECT_OK(ctx, "DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "-5");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME",
                    "abc");
    HS_EXPECT_OK(ctx, "DEBUG", "REPLYBUFFER", "RESIZING", "0");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("REPLYBUFFER"), "DEBUG", "REPLYBUFFER", "FOO", "1");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("REPLYBUFFER"), "DEBUG", "REPLYBUFFER", "RESIZING");
    HS_EXPECT_STATUS(ctx, "Apparently Redis did not crash: test passed", "DEBUG", "STRINGMATCH-TEST");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("STRINGMATCH-TEST"), "DEBUG", "STRINGMATCH-TEST", "x");
    /* No jemalloc: MALLCTL is not a subcommand here (libc-malloc Redis). */
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("MALLCTL"), "DEBUG", "MALLCTL", "opt.narenas");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("MALLCTL-STR"), "DEBUG", "MALLCTL-STR", "opt.junk", "x");
    /* CHANGE-REPL-ID draws a new master_replid. */
    redisReply *r = cmd(ctx, HS_ARGS("INFO", "replication"));
    char before[64] = "";
    const char *p = strstr(r->str, "master_replid:");
    ck_assert_ptr_nonnull(p);
    memcpy(before, p, 54);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "DEBUG", "CHANGE-REPL-ID");
    r = cmd(ctx, HS_ARGS("INFO", "replication"));
    p = strstr(r->str, "master_replid:");
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(memcmp(before, p, 54) != 0, "master_replid unchanged");
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("CHANGE-REPL-ID"), "DEBUG", "CHANGE-REPL-ID", "x");
}
END_TEST

START_TEST(test_debug_gate_default_no) {
    hs_server *s = hs_start(HS_ARGS("--enable-debug-command", "no", "--requirepass", "pw"));
    redisContext *c = hs_connect(s);
    /* Refused before NOAUTH, after the arity check, as Redis. */
    HS_EXPECT_ERROR(c, DEBUG_REFUSED, "DEBUG", "HELP");
    HS_EXPECT_ARITY(c, "debug", "DEBUG");
    HS_EXPECT_OK(c, "AUTH", "pw");
    HS_EXPECT_ERROR(c, DEBUG_REFUSED, "DEBUG", "SLEEP", "0");
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_ERROR(c, DEBUG_REFUSED, "DEBUG", "HELP");
    HS_EXPECT_ERROR(c, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
    redisReply *r = cmd(c, HS_ARGS("CONFIG", "GET", "enable-debug-command"));
    ck_assert_str_eq(r->element[1]->str, "no");
    freeReplyObject(r);
    HS_EXPECT_ERROR_PREFIX(c, "ERR CONFIG SET failed", "CONFIG", "SET", "enable-debug-command", "yes");
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_debug_gate_local) {
    hs_server *s = hs_start(HS_ARGS("--enable-debug-command", "local", "--unixsocket", "{dir}/redis.sock"));
    redisContext *c = hs_connect(s); /* a loopback peer is local */
    HS_EXPECT_OK(c, "DEBUG", "SLEEP", "0");
    redisContext *u = hs_connect_unix(s->sock_path);
    HS_EXPECT_OK(u, "DEBUG", "SLEEP", "0");
    redisReply *r = cmd(c, HS_ARGS("CONFIG", "GET", "enable-debug-command"));
    ck_assert_str_eq(r->element[1]->str, "local");
    freeReplyObject(r);
    redisFree(u);
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_module) {
    redisReply *r = cmd(ctx, HS_ARGS("MODULE", "LIST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, MODULE_REFUSED, "MODULE", "LOAD", "/nonexistent.so");
    HS_EXPECT_ERROR(ctx, MODULE_REFUSED, "MODULE", "LOADEX", "/nonexistent.so", "ARGS", "x");
    HS_EXPECT_ERROR(ctx, MODULE_REFUSED, "MODULE", "UNLOAD", "foo");
    HS_EXPECT_ARITY(ctx, "module|load", "MODULE", "LOAD");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'foo'. Try MODULE HELP.", "MODULE", "foo");
    r = cmd(ctx, HS_ARGS("MODULE", "HELP"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 11);
    freeReplyObject(r);
    /* Allowed: nothing can be loaded nor unloaded. */
    hs_server *s = hs_start(HS_ARGS("--enable-module-command", "yes"));
    redisContext *c = hs_connect(s);
    HS_EXPECT_ERROR(c, "ERR Error loading the extension. Please check the server logs.", "MODULE", "LOAD", "/x.so");
    HS_EXPECT_ERROR(c, "ERR Error unloading module: no such module with that name", "MODULE", "UNLOAD", "x");
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_lolwut) {
    HS_EXPECT_BULK(ctx, "Redis ver. 7.0.15\n", "LOLWUT");
    HS_EXPECT_BULK(ctx, "Redis ver. 7.0.15\n", "LOLWUT", "VERSION", "7");
    HS_EXPECT_BULK(ctx, "Redis ver. 7.0.15\n", "LOLWUT", "foo");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "LOLWUT", "VERSION", "x");
    /* VERSION 5: one undisturbed square of side 2 on a 6x6 canvas. */
    HS_EXPECT_BULK(ctx,
                   "\xe2\xa0\x80\xe2\xa1\xa4\xe2\xa1\x84\n\xe2\xa0\x80\xe2\xa0\x89\xe2\xa0\x81\n\n"
                   "Georg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n",
                   "LOLWUT", "VERSION", "5", "3", "1", "1");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "LOLWUT", "VERSION", "5", "10", "x");
    /* VERSION 6: a single sky pixel, then a clamped random skyline. */
    HS_EXPECT_BULK(ctx,
                   "\033[0;97;107m \033[0m\nDedicated to the 8 bit game developers of past and present.\n"
                   "Original 8 bit image from Plaguemon by hikikomori. Redis ver. 7.0.15\n",
                   "LOLWUT", "VERSION", "6", "1", "1");
    redisReply *r = cmd(ctx, HS_ARGS("LOLWUT", "VERSION", "6", "5000", "5000"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_ptr_nonnull(strstr(r->str, "Plaguemon"));
    freeReplyObject(r);
    r = cmd(ctx, HS_ARGS("LOLWUT", "VERSION", "5", "100000", "100000", "100000")); /* clamped */
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_ptr_nonnull(strstr(r->str, "Georg Nees"));
    freeReplyObject(r);
}
END_TEST

static Suite *debug_cmds_suite(void) {
    Suite *s = suite_create("debug_cmds");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_protocol_resp2);
    tcase_add_test(tc, test_protocol_resp3);
    tcase_add_test(tc, test_listpack_quicklist);
    tcase_add_test(tc, test_misc_subcommands);
    tcase_add_test(tc, test_debug_gate_default_no);
    tcase_add_test(tc, test_debug_gate_local);
    tcase_add_test(tc, test_module);
    tcase_add_test(tc, test_lolwut);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return hs_run_suite(debug_cmds_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
