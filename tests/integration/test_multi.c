/* test_multi.c -- integration tests for transactions: MULTI, EXEC,
 * DISCARD, WATCH, UNWATCH, and how they meet blocking commands.
 *
 * Expected replies are Redis 7.0's. One server per test. */
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
    return s;
}

int main(void) {
    return hs_run_suite(multi_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
