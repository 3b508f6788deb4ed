/* test_eval.c -- integration tests for scripting: EVAL / EVALSHA / _RO,
 * SCRIPT, the BUSY / SCRIPT KILL / UNKILLABLE cycle, SHUTDOWN NOSAVE
 * during a busy script, RESP3 conversions on a raw socket (Debian's
 * hiredis cannot parse RESP3), OOM rules, scripts in MULTI, INFO figures.
 *
 * Expected replies are Redis 7.0's (asked of redis-server 7.0.15). The
 * reply-for-reply catalogue lives in tests/diff/eval_*.txt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    if (srv) hs_stop(srv);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

#define LOOP_SCRIPT "local i = 0 while true do i = i + 1 end"
#define BUSY_TEXT "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."

START_TEST(test_eval_and_evalsha) {
    HS_EXPECT_INT(ctx, 1, "EVAL", "return 1", "0");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k1", "a1"), "EVAL", "return {KEYS[1], ARGV[1]}", "1", "k1", "a1");
    HS_EXPECT_BULK(ctx, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "SCRIPT", "LOAD", "return 1");
    HS_EXPECT_INT(ctx, 1, "EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0");
    HS_EXPECT_INT(ctx, 1, "EVALSHA_RO", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0");
    HS_EXPECT_ERROR(ctx, "NOSCRIPT No matching script. Please use EVAL.", "EVALSHA",
                    "ffffffffffffffffffffffffffffffffffffffff", "0");
    HS_EXPECT_ARITY(ctx, "eval", "EVAL", "return 1");
    HS_EXPECT_ARITY(ctx, "evalsha_ro", "EVALSHA_RO", "x");
    HS_EXPECT_ERROR(ctx, "ERR Number of keys can't be negative", "EVAL", "return 1", "-1");
    HS_EXPECT_ERROR(ctx, "ERR Number of keys can't be greater than number of args", "EVAL", "return 1", "1");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "EVAL", "return 1", "x");
    HS_EXPECT_ERROR(ctx, "ERR Error compiling script (new function): user_script:1: '=' expected near 'error'",
                    "EVAL", "syntax error", "0");
    HS_EXPECT_ERROR(ctx, "ERR Unknown lua shebang option: name=x", "EVAL", "#!lua name=x\nreturn 1", "0");
    /* A script's writes, then the same key read back. */
    HS_EXPECT_OK(ctx, "EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v");
    HS_EXPECT_BULK(ctx, "v", "GET", "k");
    HS_EXPECT_ERROR(ctx,
                    "ERR Write commands are not allowed from read-only scripts. script: "
                    "92d9bd2bb14ec0e5800f5bc76118e977c539ac71, on @user_script:1.",
                    "EVAL_RO", "return redis.call('set', 'k', 'w')", "0");
    HS_EXPECT_ERROR(ctx, "ERR Can not execute a script with write flag using *_ro command.", "EVAL_RO",
                    "#!lua\nreturn 1", "0");
}
END_TEST

START_TEST(test_script_subcommands) {
    HS_EXPECT_BULK(ctx, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "SCRIPT", "LOAD", "return 1");
    redisReply *r = hs_command(ctx, HS_ARGS("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "abc"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 2);
    HS_CHECK_INT(r->element[0], 1);
    HS_CHECK_INT(r->element[1], 0);
    freeReplyObject(r);
    ck_assert_int_eq(hs_info_ll(ctx, "memory", "number_of_cached_scripts"), 1);
    ck_assert_int_gt(hs_info_ll(ctx, "memory", "used_memory_lua"), 0);
    ck_assert_int_gt(hs_info_ll(ctx, "memory", "used_memory_scripts_eval"), 0);
    HS_EXPECT_OK(ctx, "SCRIPT", "FLUSH");
    ck_assert_int_eq(hs_info_ll(ctx, "memory", "number_of_cached_scripts"), 0);
    HS_EXPECT_OK(ctx, "SCRIPT", "FLUSH", "ASYNC");
    HS_EXPECT_OK(ctx, "SCRIPT", "FLUSH", "sync");
    HS_EXPECT_ERROR(ctx, "ERR SCRIPT FLUSH only support SYNC|ASYNC option", "SCRIPT", "FLUSH", "x");
    HS_EXPECT_ERROR(ctx, "NOTBUSY No scripts in execution right now.", "SCRIPT", "KILL");
    HS_EXPECT_ARITY(ctx, "script|load", "SCRIPT", "LOAD");
    HS_EXPECT_ARITY(ctx, "script|exists", "SCRIPT", "EXISTS");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'NOSUCH'. Try SCRIPT HELP.", "SCRIPT", "NOSUCH");
    r = hs_command(ctx, HS_ARGS("SCRIPT", "HELP"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 17);
    freeReplyObject(r);
}
END_TEST

/* BUSY within busy-reply-threshold + 100 ms; SCRIPT KILL ends the script
 * and its caller gets Redis's error; the caller's pipelined command runs
 * after. */
START_TEST(test_busy_and_kill) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "busy-reply-threshold", "100");
    redisContext *runner = hs_connect(srv);
    long long start = now_ms();
    redisAppendCommand(runner, "EVAL %s 0", LOOP_SCRIPT);
    redisAppendCommand(runner, "PING");
    int done = 0;
    redisBufferWrite(runner, &done);
    redisReply *r;
    for (;;) {
        r = hs_command(ctx, HS_ARGS("PING"));
        if (r->type == REDIS_REPLY_ERROR) break;
        freeReplyObject(r);
        ck_assert_int_lt(now_ms() - start, 5000);
    }
    HS_CHECK_ERROR(r, BUSY_TEXT);
    freeReplyObject(r);
    /* The bar is threshold + 100 ms; a loaded or sanitized machine gets
     * some slack, and the figure is printed for the record. */
    long long busy_after = now_ms() - start;
    printf("eval: BUSY after %lld ms (busy-reply-threshold 100)\n", busy_after);
    ck_assert_int_le(busy_after, 100 + 400);
    HS_EXPECT_ERROR(ctx, BUSY_TEXT, "GET", "x");
    HS_EXPECT_ERROR(ctx, BUSY_TEXT, "EVAL", "return 1", "0");
    HS_EXPECT_ERROR(ctx, BUSY_TEXT, "SHUTDOWN");
    HS_EXPECT_OK(ctx, "SCRIPT", "KILL");
    r = hs_get_reply(runner);
    HS_CHECK_ERROR(r, "ERR Script killed by user with SCRIPT KILL... script: "
                      "3fcf51a9b854b8f66cb8685600b0d7df968f4398, on @user_script:1.");
    freeReplyObject(r);
    r = hs_get_reply(runner);
    HS_CHECK_STATUS(r, "PONG");
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "NOTBUSY No scripts in execution right now.", "SCRIPT", "KILL");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    redisFree(runner);
}
END_TEST

/* A script that wrote cannot be killed; SHUTDOWN NOSAVE still stops the
 * server. */
START_TEST(test_unkillable_and_shutdown_nosave) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "lua-time-limit", "50");
    redisContext *runner = hs_connect(srv);
    redisAppendCommand(runner, "EVAL %s 0", "redis.call('set', 'w', 1) " LOOP_SCRIPT);
    int done = 0;
    redisBufferWrite(runner, &done);
    long long start = now_ms();
    redisReply *r;
    for (;;) {
        r = hs_command(ctx, HS_ARGS("PING"));
        if (r->type == REDIS_REPLY_ERROR) break;
        freeReplyObject(r);
        ck_assert_int_lt(now_ms() - start, 5000);
    }
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx,
                    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either "
                    "wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
                    "SCRIPT", "KILL");
    redisAppendCommand(ctx, "SHUTDOWN NOSAVE");
    redisBufferWrite(ctx, &done);
    int status = hs_wait_exit(srv, 10000);
    ck_assert_int_ne(status, -1);
    hs_check_log_clean(srv);
    hs_kill(srv);
    srv = NULL;
    redisFree(runner);
}
END_TEST

static void raw_eval_expect(int fd, const char *script, const char *want) {
    hs_buf req = {0};
    hs_buf_printf(&req, "*3\r\n$4\r\nEVAL\r\n$%zu\r\n%s\r\n$1\r\n0\r\n", strlen(script), script);
    hs_raw_expect(__FILE__, __LINE__, fd, req.data, req.len, want, strlen(want));
    hs_buf_free(&req);
}

/* RESP3 replies (Redis 7.0's bytes), and booleans after setresp(3). */
START_TEST(test_resp3_conversions) {
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "f", "v");
    int fd = hs_raw_connect(srv);
    hs_raw_send(fd, "HELLO 3\r\n", 9);
    int closed = 0;
    hs_buf hello = hs_raw_read_all(fd, 200, &closed);
    ck_assert_int_eq(hello.data[0], '%');
    hs_buf_free(&hello);
    raw_eval_expect(fd, "return {map={a=1}}", "%1\r\n$1\r\na\r\n:1\r\n");
    raw_eval_expect(fd, "return {set={a=true}}", "~1\r\n$1\r\na\r\n");
    raw_eval_expect(fd, "return {double=3.5}", ",3.5\r\n");
    raw_eval_expect(fd, "return true", ":1\r\n");
    raw_eval_expect(fd, "return false", "_\r\n");
    raw_eval_expect(fd, "return nil", "_\r\n");
    raw_eval_expect(fd, "redis.setresp(3) return redis.call('hgetall','h')", "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
    raw_eval_expect(fd, "redis.setresp(3) return false", "#f\r\n");
    raw_eval_expect(fd, "return {big_number='123'}", "(123\r\n");
    raw_eval_expect(fd, "return {verbatim_string={format='txt', string='hi'}}", "=6\r\ntxt:hi\r\n");
    close(fd);
    /* The same in RESP2. */
    HS_EXPECT_BULK(ctx, "3.5", "EVAL", "return {double=3.5}", "0");
    HS_EXPECT_NIL(ctx, "EVAL", "return false", "0");
    HS_EXPECT_INT(ctx, 0, "EVAL", "redis.setresp(3) return false", "0");
}
END_TEST

/* Under maxmemory: a script without flags may read, is refused its first
 * denyoom write; a shebang script needs allow-oom (or no-writes). */
START_TEST(test_oom_rules) {
    HS_EXPECT_OK(ctx, "SET", "x", "1");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "1");
    HS_EXPECT_ERROR(ctx,
                    "OOM command not allowed when used memory > 'maxmemory'. script: "
                    "119b0beb461d5982ddacc6dda6829882d5e16b4d, on @user_script:1.",
                    "EVAL", "return redis.call('set','a',1)", "0");
    HS_EXPECT_ERROR(ctx, "OOM command not allowed when used memory > 'maxmemory'.", "EVAL",
                    "#!lua\nreturn redis.call('set','a',1)", "0");
    HS_EXPECT_OK(ctx, "EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','a',1)", "0");
    HS_EXPECT_BULK(ctx, "1", "EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", "0");
    HS_EXPECT_BULK(ctx, "1", "EVAL", "return redis.call('get','x')", "0");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "0");
}
END_TEST

START_TEST(test_scripts_in_multi) {
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "EVAL", "return redis.call('incr', 'n')", "0");
    HS_EXPECT_STATUS(ctx, "QUEUED", "EVAL", "return redis.call('incr', 'n')", "0");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_uint_eq(r->elements, 2);
    HS_CHECK_INT(r->element[0], 1);
    HS_CHECK_INT(r->element[1], 2);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx,
                    "ERR This Redis command is not allowed from script script: "
                    "c329a1a294be6bf95b44144f7502610661ae925a, on @user_script:1.",
                    "EVAL", "return redis.call('multi')", "0");
}
END_TEST

/* Odd error objects never crash (Redis 7.0 itself dies on error({})). */
START_TEST(test_odd_errors) {
    HS_EXPECT_ERROR_PREFIX(ctx, " script: ", "EVAL", "error({})", "0");
    HS_EXPECT_ERROR_PREFIX(ctx, "7 script: ", "EVAL", "error({err=7})", "0");
    HS_EXPECT_ERROR_PREFIX(ctx, " script: ", "EVAL", "error(setmetatable({}, {}))", "0");
    HS_EXPECT_INT(ctx, 1, "EVAL", "local t = {} for i = 1, 200 do t = {t} end return 1", "0");
    /* Deeper than hiredis parses: read the raw bytes. */
    int fd = hs_raw_connect(srv);
    const char *deep = "local t = {} for i = 1, 5000 do t = {t} end return t";
    hs_buf req = {0};
    hs_buf_printf(&req, "*3\r\n$4\r\nEVAL\r\n$%zu\r\n%s\r\n$1\r\n0\r\n", strlen(deep), deep);
    hs_raw_send(fd, req.data, req.len);
    hs_buf_free(&req);
    int closed = 0;
    hs_buf got = hs_raw_read_all(fd, 300, &closed);
    ck_assert_int_eq(closed, 0);
    ck_assert_int_gt((int)got.len, 0);
    ck_assert_int_eq(got.data[0], '*');
    hs_buf_free(&got);
    close(fd);
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

/* A command's error inside a script is counted once (as Redis 7.0): the
 * script's error reply made of it is not counted again, yet the script's
 * command failed; one caught by pcall does not fail the script. */
START_TEST(test_error_stats) {
    HS_EXPECT_OK(ctx, "SET", "s", "x");
    HS_EXPECT_OK(ctx, "CONFIG", "RESETSTAT");
    redisReply *r = hs_command(ctx, HS_ARGS("EVAL", "return redis.call('incr','s')", "0"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("EVAL", "local ok = pcall(redis.call, 'incr', 's') return 1", "0"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("EVAL", "error('x')", "0"));
    freeReplyObject(r);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "total_error_replies"), 3);
    hs_buf line = hs_info_field(ctx, "commandstats", "cmdstat_eval");
    ck_assert_ptr_nonnull(strstr(line.data, "calls=3,"));
    ck_assert_ptr_nonnull(strstr(line.data, "failed_calls=2"));
    hs_buf_free(&line);
    line = hs_info_field(ctx, "commandstats", "cmdstat_incr");
    ck_assert_ptr_nonnull(strstr(line.data, "failed_calls=2"));
    hs_buf_free(&line);
}
END_TEST

/* MONITOR shows EVAL first, then its script's commands from "lua". */
START_TEST(test_monitor) {
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, "MONITOR\r\n", "+OK\r\n");
    HS_EXPECT_OK(ctx, "EVAL", "return redis.call('set','mk','v')", "0");
    hs_buf got = hs_raw_read_until(fd, "\"mk\" \"v\"\r\n", 5000);
    const char *eval_at = strstr(got.data, "] \"EVAL\" \"return redis.call('set','mk','v')\" \"0\"\r\n");
    const char *set_at = strstr(got.data, " [0 lua] \"set\" \"mk\" \"v\"\r\n");
    ck_assert_ptr_nonnull(eval_at);
    ck_assert_ptr_nonnull(set_at);
    ck_assert(eval_at < set_at);
    hs_buf_free(&got);
    close(fd);
}
END_TEST

/* Keys do not expire in the middle of a script: its commands see the
 * time it started (Redis 7.0). */
START_TEST(test_time_frozen_in_script) {
    HS_EXPECT_INT(ctx, 1, "EVAL",
                  "redis.call('set', 'ex', 'v', 'px', 5) "
                  "local t = redis.call('time') local start = t[1] * 1000000 + t[2] "
                  "repeat t = redis.call('time') until t[1] * 1000000 + t[2] - start > 30000 "
                  "return redis.call('exists', 'ex')",
                  "0");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "ex");
}
END_TEST

static Suite *eval_suite(void) {
    Suite *s = suite_create("eval");
    TCase *tc = hs_tcase(s, "eval");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_eval_and_evalsha);
    tcase_add_test(tc, test_script_subcommands);
    tcase_add_test(tc, test_busy_and_kill);
    tcase_add_test(tc, test_unkillable_and_shutdown_nosave);
    tcase_add_test(tc, test_resp3_conversions);
    tcase_add_test(tc, test_oom_rules);
    tcase_add_test(tc, test_scripts_in_multi);
    tcase_add_test(tc, test_odd_errors);
    tcase_add_test(tc, test_error_stats);
    tcase_add_test(tc, test_monitor);
    tcase_add_test(tc, test_time_frozen_in_script);
    return s;
}

int main(void) {
    return hs_run_suite(eval_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
