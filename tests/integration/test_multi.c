/* test_multi.c -- integration tests for transactions: MULTI, EXEC,
 * DISCARD, WATCH, UNWATCH, and how they meet blocking commands.
 *
 * Expected replies are Redis 7.0's. One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

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

START_TEST(test_exec_runs_queue) {
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SET", "a", "1");
    HS_EXPECT_STATUS(ctx, "QUEUED", "INCR", "a");
    HS_EXPECT_STATUS(ctx, "QUEUED", "GET", "a");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 3);
    HS_CHECK_STATUS(r->element[0], "OK");
    HS_CHECK_INT(r->element[1], 2);
    HS_CHECK_BULK(r->element[2], "2", 1);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR EXEC without MULTI", "EXEC");
    HS_EXPECT_ERROR(ctx, "ERR DISCARD without MULTI", "DISCARD");
    HS_EXPECT_ARITY(ctx, "multi", "MULTI", "x");
    HS_EXPECT_ERROR(ctx, "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command",
                    "EXEC", "x");
    HS_EXPECT_ARITY(ctx, "watch", "WATCH");
}
END_TEST

START_TEST(test_runtime_error_inside_exec) {
    HS_EXPECT_OK(ctx, "SET", "s", "text");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "INCR", "s");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SET", "t", "1");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_uint_eq(r->elements, 2);
    HS_CHECK_ERROR(r->element[0], "ERR value is not an integer or out of range");
    HS_CHECK_STATUS(r->element[1], "OK");
    freeReplyObject(r);
}
END_TEST

START_TEST(test_queue_errors_abort) {
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_ERROR(ctx, "ERR MULTI calls can not be nested", "MULTI");
    HS_EXPECT_ERROR(ctx, "ERR wrong number of arguments for 'set' command", "SET", "a");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SET", "b", "1");
    HS_EXPECT_ERROR(ctx, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
    HS_EXPECT_NIL(ctx, "GET", "b");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_ERROR_PREFIX(ctx, "ERR unknown command 'NOSUCH'", "NOSUCH", "x");
    HS_EXPECT_ERROR(ctx, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_ERROR(ctx, "ERR Command not allowed inside a transaction", "SHUTDOWN");
    HS_EXPECT_ERROR(ctx, "ERR WATCH inside MULTI is not allowed", "WATCH", "a");
    HS_EXPECT_OK(ctx, "DISCARD");
}
END_TEST

START_TEST(test_discard_and_select) {
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SET", "x", "1");
    HS_EXPECT_OK(ctx, "DISCARD");
    HS_EXPECT_NIL(ctx, "GET", "x");
    /* SELECT inside MULTI is queued and applied by EXEC */
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SELECT", "1");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SET", "y", "in1");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_uint_eq(r->elements, 2);
    freeReplyObject(r);
    HS_EXPECT_BULK(ctx, "in1", "GET", "y");
    HS_EXPECT_OK(ctx, "SELECT", "0");
    HS_EXPECT_NIL(ctx, "GET", "y");
}
END_TEST

START_TEST(test_watch_aborts_on_other_client_write) {
    redisContext *other = hs_connect(srv);
    HS_EXPECT_OK(ctx, "SET", "w", "1");
    HS_EXPECT_OK(ctx, "WATCH", "w");
    HS_EXPECT_OK(other, "SET", "w", "2");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SET", "w", "3");
    HS_EXPECT_NIL(ctx, "EXEC");
    HS_EXPECT_BULK(ctx, "2", "GET", "w");
    /* after EXEC nothing is watched any more */
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SET", "w", "4");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_uint_eq(r->elements, 1);
    freeReplyObject(r);
    /* an untouched watch lets EXEC run; UNWATCH forgets a touched one */
    HS_EXPECT_OK(ctx, "WATCH", "w", "other");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "GET", "w");
    r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_uint_eq(r->elements, 1);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "WATCH", "w");
    HS_EXPECT_INT(other, 1, "DEL", "w");
    HS_EXPECT_OK(ctx, "UNWATCH");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SET", "w", "5");
    r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    redisFree(other);
}
END_TEST

START_TEST(test_watch_expire_and_flush) {
    HS_EXPECT_OK(ctx, "SET", "e", "1", "PX", "50");
    HS_EXPECT_OK(ctx, "WATCH", "e");
    hs_sleep_ms(150);
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "PING");
    HS_EXPECT_NIL(ctx, "EXEC");
    HS_EXPECT_OK(ctx, "SET", "f", "1");
    HS_EXPECT_OK(ctx, "WATCH", "f");
    HS_EXPECT_OK(ctx, "FLUSHALL");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "PING");
    HS_EXPECT_NIL(ctx, "EXEC");
}
END_TEST

/* ---------------------------------------------------------- WATCH rules
 * Each scenario: steps run in order, then MULTI / PING / EXEC on client 1;
 * `runs` is whether Redis 7.0 ran that EXEC (asked of Redis 7.0.15 for
 * each one). A step is "<cmd> <args...>", "@2 <cmd>..." for the second
 * client, or "sleep <ms>". Active expiry is off, so only lookups, flushes
 * and swaps remove expired keys. */
#define WATCH_MAX_STEPS 8

struct watch_case {
    int runs;
    const char *steps[WATCH_MAX_STEPS];
};

static const struct watch_case watch_cases[] = {
    /* a command that changed nothing touches nothing */
    {1, {"SET k v", "WATCH k", "@2 SET k v NX"}},
    {0, {"SET k v", "WATCH k", "@2 SET k v"}},
    {1, {"SADD s a", "WATCH s", "@2 SADD s a", "@2 SREM s zz"}},
    {1, {"ZADD z 1 a", "WATCH z", "@2 ZADD z 1 a", "@2 ZREM z q"}},
    {1, {"SET k 1", "WATCH k", "@2 PERSIST k"}},
    {1, {"SET k 1", "WATCH k", "@2 DEL nothere", "@2 EXPIRE nothere 1"}},
    /* expired when watched, then deleted: no change */
    {1, {"SET k v PX 10", "sleep 50", "WATCH k"}},
    {1, {"SET k v PX 10", "sleep 50", "WATCH k", "@2 GET k"}},
    {1, {"SET k v PX 10", "sleep 50", "WATCH k", "@2 DEL k"}},
    {1, {"SET k v PX 10", "sleep 50", "WATCH k", "@2 FLUSHALL"}},
    {1, {"SET k v PX 10", "sleep 50", "WATCH k", "@2 SWAPDB 0 1"}},
    /* ... but written again afterwards: a change */
    {0, {"SET k v PX 10", "sleep 50", "WATCH k", "@2 SET k w"}},
    {0, {"SET k v PX 10", "sleep 50", "WATCH k", "@2 GET k", "@2 SET k x"}},
    {0, {"SET k v PX 10", "sleep 50", "WATCH k", "@2 FLUSHDB", "@2 SET k 2"}},
    /* expires after WATCH: a change, deleted or not */
    {0, {"SET k v PX 300", "WATCH k", "sleep 450"}},
    {0, {"SET k v PX 300", "WATCH k", "sleep 450", "@2 GET k"}},
    {0, {"SET k v PX 300", "WATCH k", "sleep 450", "@2 FLUSHALL"}},
    {0, {"SET k v PX 300", "WATCH k", "sleep 450", "@2 SWAPDB 0 1"}},
    /* flushes: only a key that existed counts */
    {1, {"SET other 1", "WATCH k", "@2 FLUSHALL"}},
    {1, {"SET other 1", "WATCH k", "@2 FLUSHDB"}},
    {0, {"SET k 1", "WATCH k", "@2 FLUSHDB"}},
    {0, {"SET k 1", "WATCH k", "@2 FLUSHALL"}},
    {1, {"SET k 1", "WATCH k", "@2 SELECT 1", "@2 FLUSHDB"}},
    /* SWAPDB: a key brought in or taken away is a change */
    {0, {"WATCH k", "@2 SELECT 1", "@2 SET k 1", "@2 SWAPDB 0 1"}},
    {0, {"SET k 1", "WATCH k", "@2 SWAPDB 0 1"}},
    {1, {"WATCH k", "@2 SWAPDB 0 1"}},
    {0, {"SET k 1", "WATCH k", "@2 SELECT 1", "@2 SET k 1", "@2 SWAPDB 0 1"}},
    {0, {"SELECT 1", "WATCH k", "@2 SET k 1", "@2 SWAPDB 0 1"}},
    {1, {"SET k 1", "WATCH k", "@2 SWAPDB 1 2"}},
    /* ... a missing key replaced by an expired one is none, until the
     * expired one is written */
    {1, {"@2 SELECT 1", "@2 SET k v PX 10", "sleep 50", "WATCH k", "@2 SWAPDB 0 1"}},
    {1, {"@2 SELECT 1", "@2 SET k v PX 10", "sleep 50", "WATCH k", "@2 SWAPDB 0 1", "@2 SELECT 0", "@2 GET k"}},
    {0, {"@2 SELECT 1", "@2 SET k v PX 10", "sleep 50", "WATCH k", "@2 SWAPDB 0 1", "@2 SELECT 0", "@2 SET k 3"}},
    /* ... expired replaced by expired is none; by a live key, one */
    {1, {"SET k v PX 10", "@2 SELECT 1", "@2 SET k v PX 10", "sleep 50", "WATCH k", "@2 SWAPDB 0 1"}},
    {0, {"SET k v PX 10", "@2 SELECT 1", "@2 SET k v", "sleep 50", "WATCH k", "@2 SWAPDB 0 1"}},
    {0, {"SET k v", "@2 SELECT 1", "@2 SET k v PX 10", "sleep 50", "WATCH k", "@2 SWAPDB 0 1"}},
    /* ... a key that expires after being swapped in is a change */
    {0, {"WATCH k", "@2 SELECT 1", "@2 SET k v PX 300", "@2 SWAPDB 0 1", "sleep 450"}},
    {1, {"SET k v PX 300", "sleep 400", "WATCH k", "@2 SWAPDB 0 1", "@2 SWAPDB 0 1"}},
    /* UNWATCH forgets, before or after the change */
    {1, {"SET k 1", "WATCH k", "UNWATCH", "@2 SET k 2"}},
    {1, {"SET k 1", "WATCH k", "@2 SET k 2", "UNWATCH"}},
};

/* Runs one step ("@2 " prefix: on other; "sleep N"). */
static void watch_step(redisContext *one, redisContext *other, const char *step) {
    if (strncmp(step, "sleep ", 6) == 0) {
        hs_sleep_ms(atoi(step + 6));
        return;
    }
    redisContext *c = one;
    if (strncmp(step, "@2 ", 3) == 0) {
        c = other;
        step += 3;
    }
    char buf[128];
    const char *args[WATCH_MAX_STEPS + 1];
    int n = 0;
    snprintf(buf, sizeof(buf), "%s", step);
    for (char *tok = strtok(buf, " "); tok && n < WATCH_MAX_STEPS; tok = strtok(NULL, " ")) args[n++] = tok;
    args[n] = NULL;
    redisReply *r = hs_command(c, args);
    ck_assert_msg(r->type != REDIS_REPLY_ERROR, "step '%s' failed: %s", step, r->str);
    freeReplyObject(r);
}

START_TEST(test_watch_rules) {
    redisContext *other = hs_connect(srv);
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    for (size_t i = 0; i < sizeof(watch_cases) / sizeof(watch_cases[0]); i++) {
        const struct watch_case *wc = &watch_cases[i];
        HS_EXPECT_OK(ctx, "FLUSHALL");
        HS_EXPECT_OK(ctx, "SELECT", "0");
        HS_EXPECT_OK(other, "SELECT", "0");
        for (int s = 0; s < WATCH_MAX_STEPS && wc->steps[s]; s++) watch_step(ctx, other, wc->steps[s]);
        HS_EXPECT_OK(ctx, "MULTI");
        HS_EXPECT_STATUS(ctx, "QUEUED", "PING");
        redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
        int ran = r->type == REDIS_REPLY_ARRAY && r->elements == 1;
        ck_assert_msg(ran || r->type == REDIS_REPLY_NIL, "case %zu: EXEC replied type %d", i, r->type);
        ck_assert_msg(ran == wc->runs, "case %zu (%s, %s ...): EXEC %s, Redis 7.0 %s", i, wc->steps[0],
                      wc->steps[1] ? wc->steps[1] : "", ran ? "ran" : "failed", wc->runs ? "runs it" : "fails it");
        freeReplyObject(r);
    }
    redisFree(other);
}
END_TEST

/* A touched transaction stays failed whatever happens next (its keys are
 * dropped at once, as in Redis 7.0), and a second WATCH does not revive
 * it; EXEC then clears everything for the next transaction. */
START_TEST(test_watch_dirty_stays) {
    redisContext *other = hs_connect(srv);
    HS_EXPECT_OK(ctx, "WATCH", "a", "b");
    HS_EXPECT_OK(other, "SET", "a", "1");
    HS_EXPECT_OK(other, "SET", "b", "1");
    HS_EXPECT_OK(ctx, "WATCH", "c");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SET", "a", "mine");
    HS_EXPECT_NIL(ctx, "EXEC");
    HS_EXPECT_BULK(ctx, "1", "GET", "a");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SET", "a", "mine");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_uint_eq(r->elements, 1);
    freeReplyObject(r);
    /* many watchers of one key all fail, whichever order they watched in */
    redisContext *third = hs_connect(srv);
    HS_EXPECT_OK(ctx, "WATCH", "k");
    HS_EXPECT_OK(third, "WATCH", "x", "k");
    HS_EXPECT_OK(other, "SET", "k", "1");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_OK(third, "MULTI");
    HS_EXPECT_NIL(ctx, "EXEC");
    HS_EXPECT_NIL(third, "EXEC");
    redisFree(third);
    redisFree(other);
}
END_TEST

/* ---------------------------------------------------------- EXEC defects */

#define OOM_TEXT "OOM command not allowed when used memory > 'maxmemory'."

/* Over maxmemory (set by another client after queueing), EXEC of a
 * transaction holding a denyoom command is refused with the OOM reason;
 * one of reads only runs. While queueing over maxmemory, everything but
 * EXEC / DISCARD / QUIT / RESET is refused, which dooms the EXEC. Bytes
 * are Redis 7.0's. */
START_TEST(test_exec_oom) {
    redisContext *admin = hs_connect(srv);
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, "MULTI\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "SET a b\r\n", "+QUEUED\r\n");
    HS_RAW_EXPECT(fd, "GET a\r\n", "+QUEUED\r\n");
    HS_EXPECT_OK(admin, "CONFIG", "SET", "maxmemory", "1");
    HS_RAW_EXPECT(fd, "EXEC\r\n", "-EXECABORT Transaction discarded because of: " OOM_TEXT "\r\n");
    HS_RAW_EXPECT(fd, "EXEC\r\n", "-ERR EXEC without MULTI\r\n");
    /* reads only: runs */
    HS_EXPECT_OK(admin, "CONFIG", "SET", "maxmemory", "0");
    HS_RAW_EXPECT(fd, "MULTI\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "GET a\r\n", "+QUEUED\r\n");
    HS_EXPECT_OK(admin, "CONFIG", "SET", "maxmemory", "1");
    HS_RAW_EXPECT(fd, "EXEC\r\n", "*1\r\n$-1\r\n");
    /* queueing over maxmemory */
    HS_RAW_EXPECT(fd, "MULTI\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "GET a\r\n", "-" OOM_TEXT "\r\n");
    HS_RAW_EXPECT(fd, "WATCH x\r\n", "-" OOM_TEXT "\r\n");
    HS_RAW_EXPECT(fd, "MULTI\r\n", "-" OOM_TEXT "\r\n");
    HS_RAW_EXPECT(fd, "EXEC\r\n", "-EXECABORT Transaction discarded because of previous errors.\r\n");
    HS_RAW_EXPECT(fd, "MULTI\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "DISCARD\r\n", "+OK\r\n");
    /* outside MULTI only denyoom commands are refused */
    HS_RAW_EXPECT(fd, "GET a\r\n", "$-1\r\n");
    HS_RAW_EXPECT(fd, "SET a b\r\n", "-" OOM_TEXT "\r\n");
    HS_RAW_EXPECT(fd, "MULTI\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "RESET\r\n", "+RESET\r\n");
    HS_EXPECT_OK(admin, "CONFIG", "SET", "maxmemory", "0");
    close(fd);
    redisFree(admin);
}
END_TEST

/* A queued command that fails when EXEC runs it leaves the rest running,
 * its error in its slot of the array; RESP2 and RESP3 bytes as Redis 7.0. */
START_TEST(test_exec_errors_in_array) {
    static const char queue[] = "MULTI\r\nSET a 1\r\nCONFIG SET maxmemory bla\r\nLPUSH a x\r\nINCR a\r\nGET a\r\n"
                                "CONFIG GET maxmemory\r\nHGETALL nokey\r\nEXEC\r\n";
    static const char queued[] = "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n";
    static const char errors[] =
        "+OK\r\n-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory "
        "value\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:2\r\n$1\r\n2\r\n";
    int fd = hs_raw_connect(srv);
    hs_buf want = {0};
    hs_buf_printf(&want, "%s*7\r\n%s*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n*0\r\n", queued, errors);
    hs_raw_expect(__FILE__, __LINE__, fd, queue, strlen(queue), want.data, want.len);
    hs_buf_free(&want);
    HS_RAW_EXPECT(fd, "DEL a\r\n", ":1\r\n");
    hs_raw_send(fd, "HELLO 3\r\n", 9);
    hs_buf hello = hs_raw_read_until(fd, "modules\r\n*0\r\n", 5000);
    hs_buf_free(&hello);
    hs_buf_printf(&want, "%s*7\r\n%s%%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n%%0\r\n", queued, errors);
    hs_raw_expect(__FILE__, __LINE__, fd, queue, strlen(queue), want.data, want.len);
    hs_buf_free(&want);
    HS_RAW_EXPECT(fd, "CONFIG GET maxmemory\r\n", "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    close(fd);
}
END_TEST

/* Refusals in Redis's order, each with its text: NOAUTH before no-multi,
 * EXEC's refusals as EXECABORT with the reason (arity has no "ERR"). */
START_TEST(test_refusal_texts) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "requirepass", "pw");
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, "MULTI\r\n", "-NOAUTH Authentication required.\r\n");
    HS_RAW_EXPECT(fd, "EXEC\r\n", "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n");
    HS_RAW_EXPECT(fd, "GET\r\n", "-ERR wrong number of arguments for 'get' command\r\n");
    HS_RAW_EXPECT(fd, "CLIENT NOPE\r\n", "-ERR unknown subcommand 'NOPE'. Try CLIENT HELP.\r\n");
    HS_RAW_EXPECT(fd, "AUTH pw\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "MULTI\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "GET x\r\n", "+QUEUED\r\n");
    HS_RAW_EXPECT(fd, "AUTH bad\r\n", "+QUEUED\r\n");
    HS_RAW_EXPECT(fd, "EXEC\r\n",
                  "*2\r\n$-1\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    HS_RAW_EXPECT(fd, "MULTI\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "EXEC x\r\n",
                  "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n");
    HS_RAW_EXPECT(fd, "MULTI\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "SHUTDOWN\r\n", "-ERR Command not allowed inside a transaction\r\n");
    HS_RAW_EXPECT(fd, "FOO x\r\n", "-ERR unknown command 'FOO', with args beginning with: 'x' \r\n");
    HS_RAW_EXPECT(fd, "EXEC\r\n", "-EXECABORT Transaction discarded because of previous errors.\r\n");
    close(fd);
    HS_EXPECT_OK(ctx, "AUTH", "pw");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "requirepass", "");
}
END_TEST

/* A blocking command inside EXEC does not wait; a push inside another
 * client's EXEC wakes a blocked client. */
START_TEST(test_multi_and_blocking) {
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "BLPOP", "nolist", "0");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_uint_eq(r->elements, 1);
    ck_assert_int_eq(r->element[0]->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    redisContext *waiter = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "q", "5"), 1);
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "RPUSH", "q", "job");
    HS_EXPECT_STATUS(ctx, "QUEUED", "LLEN", "q");
    r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_uint_eq(r->elements, 2);
    HS_CHECK_INT(r->element[0], 1);
    HS_CHECK_INT(r->element[1], 1); /* served only after the whole EXEC */
    freeReplyObject(r);
    redisReply *got = hs_get_reply(waiter);
    ck_assert_int_eq(got->type, REDIS_REPLY_ARRAY);
    HS_CHECK_BULK(got->element[0], "q", 1);
    HS_CHECK_BULK(got->element[1], "job", 3);
    freeReplyObject(got);
    HS_EXPECT_INT(ctx, 0, "LLEN", "q");
    redisFree(waiter);
}
END_TEST

static Suite *multi_suite(void) {
    Suite *s = suite_create("multi");
    TCase *tc = hs_tcase(s, "multi");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_exec_runs_queue);
    tcase_add_test(tc, test_runtime_error_inside_exec);
    tcase_add_test(tc, test_queue_errors_abort);
    tcase_add_test(tc, test_discard_and_select);
    tcase_add_test(tc, test_watch_aborts_on_other_client_write);
    tcase_add_test(tc, test_watch_expire_and_flush);
    tcase_add_test(tc, test_multi_and_blocking);
    tcase_add_test(tc, test_watch_rules);
    tcase_add_test(tc, test_watch_dirty_stays);
    tcase_add_test(tc, test_exec_oom);
    tcase_add_test(tc, test_exec_errors_in_array);
    tcase_add_test(tc, test_refusal_texts);
    return s;
}

int main(void) {
    return hs_run_suite(multi_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
