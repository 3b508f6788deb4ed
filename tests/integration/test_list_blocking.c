/* test_list_blocking.c -- integration tests for BLPOP, BRPOP, BLMOVE,
 * BRPOPLPUSH and BLMPOP with several clients: service in the order the
 * clients blocked, timeouts and their null shapes in RESP2 and RESP3, a
 * blocked client that disconnects, chains of BLMOVE, and a push from a
 * pipeline waking a waiter before the pipeline's next command runs.
 *
 * Expected replies are Redis 7.0's. A client is known to be blocked once
 * INFO's blocked_clients says so (bounded poll), never by sleeping alone.
 * One server per test. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Upper bound on waiting for the server to see clients blocked. */
#define SHORT_TIMEOUT_MS 100
#define WAITERS 3

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

/* ---------------------------------------------------------- order */

START_TEST(test_fifo_order) {
    redisContext *w[WAITERS];
    for (int i = 0; i < WAITERS; i++) w[i] = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "k", "0"), i + 1);
    HS_EXPECT_INT(ctx, 3, "RPUSH", "k", "a", "b", "c");
    static const char *const want[] = {"a", "b", "c"};
    for (int i = 0; i < WAITERS; i++) {
        redisReply *r = hs_get_reply(w[i]);
        hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("k", want[i]));
        freeReplyObject(r);
        redisFree(w[i]);
    }
    HS_EXPECT_INT(ctx, 0, "EXISTS", "k");
    ck_assert_int_eq(hs_blocked_clients(ctx), 0);
}
END_TEST

/* One push of one element serves one waiter; the next waits on. */
START_TEST(test_one_element_one_waiter) {
    redisContext *a = hs_block_client(srv, ctx, HS_ARGS("BRPOP", "k", "0"), 1);
    redisContext *b = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "k", "0"), 2);
    HS_EXPECT_INT(ctx, 1, "LPUSH", "k", "x");
    redisReply *r = hs_get_reply(a);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("k", "x"));
    freeReplyObject(r);
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 1, "RPUSH", "k", "y");
    r = hs_get_reply(b);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("k", "y"));
    freeReplyObject(r);
    redisFree(a);
    redisFree(b);
}
END_TEST

/* A client waiting on several keys is served from the one pushed. */
START_TEST(test_multiple_keys) {
    redisContext *a = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "k1", "k2", "k3", "0"), 1);
    HS_EXPECT_INT(ctx, 1, "RPUSH", "k2", "v2");
    redisReply *r = hs_get_reply(a);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("k2", "v2"));
    freeReplyObject(r);
    ck_assert_int_eq(hs_blocked_clients(ctx), 0);
    /* BLMPOP with COUNT takes what is there, up to COUNT */
    hs_send_only(a, HS_ARGS("BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "2"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 3, "RPUSH", "m2", "a", "b", "c");
    r = hs_get_reply(a);
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 2);
    HS_CHECK_BULK(r->element[0], "m2", 2);
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("c", "b"));
    freeReplyObject(r);
    HS_EXPECT_BULKS(ctx, HS_ARGS("a"), "LRANGE", "m2", "0", "-1");
    redisFree(a);
}
END_TEST

/* ---------------------------------------------------------- timeouts */

/* Each blocking command times out after ~0.1 s with a null array, in
 * RESP2 ("*-1") and RESP3 ("_"), BLMOVE and BRPOPLPUSH included. */
START_TEST(test_timeouts_null_shapes) {
    static const char *const cmds[] = {
        "BLPOP nokey 0.1\r\n",          "BRPOP nokey other 0.1\r\n",          "BLMOVE nokey d LEFT RIGHT 0.1\r\n",
        "BRPOPLPUSH nokey d 0.1\r\n",   "BLMPOP 0.1 2 nokey other LEFT COUNT 5\r\n"};
    for (int proto = 2; proto <= 3; proto++) {
        int fd = hs_raw_connect(srv);
        if (proto == 3) {
            hs_raw_send(fd, "HELLO 3\r\n", 9);
            hs_buf hello = hs_raw_read_until(fd, "*0\r\n", HS_REPLY_TIMEOUT_MS);
            hs_buf_free(&hello);
        }
        for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
            long long start = hs_now_ms();
            hs_raw_send(fd, cmds[i], strlen(cmds[i]));
            const char *want = proto == 2 ? "*-1\r\n" : "_\r\n";
            hs_buf got = hs_raw_read_n(fd, strlen(want), HS_REPLY_TIMEOUT_MS);
            long long took = hs_now_ms() - start;
            HS_CHECK_BYTES(got, want);
            hs_buf_free(&got);
            ck_assert_msg(took >= SHORT_TIMEOUT_MS - 5, "%s timed out after %lld ms", cmds[i], took);
        }
        close(fd);
    }
    ck_assert_int_eq(hs_blocked_clients(ctx), 0);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d");
}
END_TEST

/* A pipeline behind a blocked command waits for it to end. */
START_TEST(test_pipeline_behind_blocked) {
    int fd = hs_raw_connect(srv);
    const char *req = "BLPOP nokey 0.1\r\nPING\r\n";
    hs_raw_send(fd, req, strlen(req));
    hs_buf got = hs_raw_read_until(fd, "+PONG\r\n", HS_REPLY_TIMEOUT_MS);
    HS_CHECK_BYTES(got, "*-1\r\n+PONG\r\n");
    hs_buf_free(&got);
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- disconnects */

START_TEST(test_disconnect_while_blocked) {
    redisContext *gone = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "k", "0"), 1);
    redisContext *stays = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "k", "0"), 2);
    redisFree(gone);
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 1, "RPUSH", "k", "x");
    redisReply *r = hs_get_reply(stays);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("k", "x"));
    freeReplyObject(r);
    redisFree(stays);
    /* with nobody left waiting, pushed elements stay in the list */
    redisContext *c = hs_block_client(srv, ctx, HS_ARGS("BRPOPLPUSH", "k", "d", "0"), 1);
    redisFree(c);
    hs_wait_blocked(ctx, 0);
    HS_EXPECT_INT(ctx, 2, "RPUSH", "k", "y", "z");
    HS_EXPECT_INT(ctx, 2, "LLEN", "k");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d");
}
END_TEST

/* ---------------------------------------------------------- moves */

/* a -> b -> c: one push travels down the chain of BLMOVEs to BLPOP. */
START_TEST(test_blmove_chain) {
    redisContext *m1 = hs_block_client(srv, ctx, HS_ARGS("BLMOVE", "a", "b", "LEFT", "RIGHT", "0"), 1);
    redisContext *m2 = hs_block_client(srv, ctx, HS_ARGS("BRPOPLPUSH", "b", "c", "0"), 2);
    redisContext *end = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "c", "0"), 3);
    HS_EXPECT_INT(ctx, 1, "RPUSH", "a", "x");
    redisReply *r = hs_get_reply(m1);
    HS_CHECK_BULK(r, "x", 1);
    freeReplyObject(r);
    r = hs_get_reply(m2);
    HS_CHECK_BULK(r, "x", 1);
    freeReplyObject(r);
    r = hs_get_reply(end);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("c", "x"));
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "a");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "b");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "c");
    redisFree(m1);
    redisFree(m2);
    redisFree(end);
}
END_TEST

/* LMOVE's destination and LINSERT-free writes wake waiters too. */
START_TEST(test_lmove_destination_wakes) {
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "dst", "0"), 1);
    HS_EXPECT_INT(ctx, 2, "RPUSH", "src", "a", "b");
    HS_EXPECT_BULK(ctx, "b", "LMOVE", "src", "dst", "RIGHT", "LEFT");
    redisReply *r = hs_get_reply(w);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("dst", "b"));
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "dst");
    /* BLMOVE onto the same key rotates, and does not consume */
    hs_send_only(w, HS_ARGS("BLMOVE", "rot", "rot", "RIGHT", "LEFT", "0"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 1, "RPUSH", "rot", "only");
    r = hs_get_reply(w);
    HS_CHECK_BULK(r, "only", 4);
    freeReplyObject(r);
    HS_EXPECT_BULKS(ctx, HS_ARGS("only"), "LRANGE", "rot", "0", "-1");
    redisFree(w);
}
END_TEST

/* ---------------------------------------------------------- pipelines */

/* A push inside a pipeline serves the waiter before the pipeline's next
 * command: LLEN right after the RPUSH already sees the list emptied. */
START_TEST(test_pipeline_push_wakes_first) {
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "k", "0"), 1);
    int fd = hs_raw_connect(srv);
    const char *req = "RPUSH k x\r\nLLEN k\r\nRPUSH k y z\r\nLLEN k\r\n";
    hs_raw_send(fd, req, strlen(req));
    hs_buf got = hs_raw_read_n(fd, strlen(":1\r\n:0\r\n:2\r\n:2\r\n"), HS_REPLY_TIMEOUT_MS);
    HS_CHECK_BYTES(got, ":1\r\n:0\r\n:2\r\n:2\r\n");
    hs_buf_free(&got);
    close(fd);
    redisReply *r = hs_get_reply(w);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("k", "x"));
    freeReplyObject(r);
    redisFree(w);
}
END_TEST

/* A key that becomes another type serves nobody (a sorted set signals
 * its key too; Redis 7.0 keeps list waiters waiting); once it is a list
 * again the waiter is served. */
START_TEST(test_wrong_type_then_list) {
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "k", "0"), 1);
    redisContext *w2 = hs_block_client(srv, ctx, HS_ARGS("BLMPOP", "0", "1", "k", "LEFT"), 2);
    redisContext *w3 = hs_block_client(srv, ctx, HS_ARGS("BLMOVE", "k", "d", "LEFT", "LEFT", "0"), 3);
    HS_EXPECT_OK(ctx, "SET", "k", "str");
    HS_EXPECT_INT(ctx, 1, "DEL", "k");
    HS_EXPECT_INT(ctx, 1, "ZADD", "k", "1", "m");
    hs_sleep_ms(50);
    ck_assert_int_eq(hs_blocked_clients(ctx), 3);
    HS_EXPECT_INT(ctx, 1, "DEL", "k");
    HS_EXPECT_INT(ctx, 3, "RPUSH", "k", "v", "v2", "v3");
    redisReply *r2 = hs_get_reply(w2);
    ck_assert_int_eq(r2->type, REDIS_REPLY_ARRAY);
    hs_check_bulks(__FILE__, __LINE__, r2->element[1], HS_ARGS("v2"));
    freeReplyObject(r2);
    r2 = hs_get_reply(w3);
    HS_CHECK_BULK(r2, "v3", 2);
    freeReplyObject(r2);
    redisFree(w2);
    redisFree(w3);
    HS_EXPECT_INT(ctx, 1, "RPUSH", "k", "v");
    redisReply *r = hs_get_reply(w);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("k", "v"));
    freeReplyObject(r);
    redisFree(w);
}
END_TEST

/* Served immediately when data is there; blocked commands run again
 * with every key in order when woken. */
START_TEST(test_immediate_and_errors) {
    HS_EXPECT_INT(ctx, 3, "RPUSH", "k", "a", "b", "c");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k", "a"), "BLPOP", "nokey", "k", "0");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k", "c"), "BRPOP", "k", "0");
    HS_EXPECT_BULK(ctx, "b", "BLMOVE", "k", "d", "LEFT", "LEFT", "0");
    HS_EXPECT_ERROR(ctx, "ERR timeout is not a float or out of range", "BLPOP", "k", "abc");
    HS_EXPECT_ERROR(ctx, "ERR timeout is negative", "BLPOP", "k", "-1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "BLMOVE", "k", "d", "UP", "LEFT", "abc");
    HS_EXPECT_ERROR(ctx, "ERR numkeys should be greater than 0", "BLMPOP", "abc", "0", "k", "LEFT");
    HS_EXPECT_ERROR(ctx, "ERR timeout is not a float or out of range", "BLMPOP", "abc", "1", "k", "LEFT");
    HS_EXPECT_ARITY(ctx, "blpop", "BLPOP", "k");
    HS_EXPECT_ARITY(ctx, "blmove", "BLMOVE", "a", "b", "LEFT", "LEFT");
    HS_EXPECT_ARITY(ctx, "brpoplpush", "BRPOPLPUSH", "a", "b");
    HS_EXPECT_ARITY(ctx, "blmpop", "BLMPOP", "0", "1", "k");
    ck_assert_int_eq(hs_blocked_clients(ctx), 0);
}
END_TEST

/* A list arriving by RENAME (or MOVE, COPY) wakes a waiter, as in Redis;
 * a waiter woken for a key of the wrong type keeps waiting and keeps its
 * original deadline (it is not restarted by the wake-up). */
START_TEST(test_rename_wakes_and_deadline_kept) {
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "dst", "0"), 1);
    HS_EXPECT_INT(ctx, 2, "RPUSH", "src", "a", "b");
    HS_EXPECT_OK(ctx, "RENAME", "src", "dst");
    redisReply *r = hs_get_reply(w);
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    HS_CHECK_BULK(r->element[1], "a", 1);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 1, "LLEN", "dst");
    redisFree(w);
    /* deadline: block for 1 s, then wake it for a zset key at 0.6 s */
    long long start = hs_now_ms();
    redisContext *w2 = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "z", "1"), 1);
    hs_sleep_ms(600);
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "1", "m");
    r = hs_get_reply(w2);
    ck_assert_int_eq(r->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    /* a restarted deadline would answer after about 1.6 s */
    ck_assert_int_lt(hs_now_ms() - start, 1500);
    redisFree(w2);
}
END_TEST

/* CLIENT UNBLOCK ends a wait as a timeout (nil) or with -UNBLOCKED, and
 * touches nobody who is not blocked. */
START_TEST(test_client_unblock) {
    redisContext *w = hs_connect(srv);
    long long id = hs_client_id(w);
    char ids[32];
    snprintf(ids, sizeof(ids), "%lld", id);
    HS_EXPECT_INT(ctx, 0, "CLIENT", "UNBLOCK", ids);
    hs_send_only(w, HS_ARGS("BLPOP", "q", "0"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_ERROR(ctx, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR", "CLIENT", "UNBLOCK", ids, "soon");
    HS_EXPECT_INT(ctx, 1, "CLIENT", "UNBLOCK", ids);
    redisReply *r = hs_get_reply(w);
    ck_assert_int_eq(r->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    hs_send_only(w, HS_ARGS("BRPOP", "q", "0"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 1, "CLIENT", "UNBLOCK", ids, "ERROR");
    r = hs_get_reply(w);
    HS_CHECK_ERROR(r, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    freeReplyObject(r);
    ck_assert_int_eq(hs_blocked_clients(ctx), 0);
    /* the connection goes on normally */
    HS_EXPECT_STATUS(w, "PONG", "PING");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "CLIENT", "UNBLOCK", "abc");
    redisFree(w);
}
END_TEST

static Suite *list_blocking_suite(void) {
    Suite *s = suite_create("list-blocking");
    TCase *tc = hs_tcase(s, "blocking");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fifo_order);
    tcase_add_test(tc, test_one_element_one_waiter);
    tcase_add_test(tc, test_multiple_keys);
    tcase_add_test(tc, test_timeouts_null_shapes);
    tcase_add_test(tc, test_pipeline_behind_blocked);
    tcase_add_test(tc, test_disconnect_while_blocked);
    tcase_add_test(tc, test_blmove_chain);
    tcase_add_test(tc, test_lmove_destination_wakes);
    tcase_add_test(tc, test_pipeline_push_wakes_first);
    tcase_add_test(tc, test_wrong_type_then_list);
    tcase_add_test(tc, test_immediate_and_errors);
    tcase_add_test(tc, test_rename_wakes_and_deadline_kept);
    tcase_add_test(tc, test_client_unblock);
    return s;
}

int main(void) {
    return hs_run_suite(list_blocking_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
