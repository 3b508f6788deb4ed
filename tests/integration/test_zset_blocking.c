/* test_zset_blocking.c -- integration tests for BZPOPMIN, BZPOPMAX and
 * BZMPOP with several clients: service in the order the clients blocked,
 * timeouts and their null shapes in RESP2 and RESP3, wake-ups by ZADD,
 * ZINCRBY and the *STORE destinations from another client, a blocked client
 * that disconnects, and keys of another type that must wake nobody.
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
/* Time given to a wrong wake-up to show itself. */
#define SETTLE_MS 50

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

/* Reads c's reply and checks it is the flat array of bulks want. */
static void expect_reply(redisContext *c, const char *const *want) {
    redisReply *r = hs_get_reply(c);
    hs_check_bulks(__FILE__, __LINE__, r, want);
    freeReplyObject(r);
}

/* ---------------------------------------------------------- order */

START_TEST(test_fifo_order) {
    redisContext *w[WAITERS];
    for (int i = 0; i < WAITERS; i++) w[i] = hs_block_client(srv, ctx, HS_ARGS("BZPOPMIN", "z", "0"), i + 1);
    HS_EXPECT_INT(ctx, 3, "ZADD", "z", "1", "a", "2", "b", "3", "c");
    expect_reply(w[0], HS_ARGS("z", "a", "1"));
    expect_reply(w[1], HS_ARGS("z", "b", "2"));
    expect_reply(w[2], HS_ARGS("z", "c", "3"));
    for (int i = 0; i < WAITERS; i++) redisFree(w[i]);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "z");
    ck_assert_int_eq(hs_blocked_clients(ctx), 0);
}
END_TEST

/* One element, two waiters: the first is served, the second waits on. */
START_TEST(test_one_element_one_waiter) {
    redisContext *a = hs_block_client(srv, ctx, HS_ARGS("BZPOPMAX", "z", "0"), 1);
    redisContext *b = hs_block_client(srv, ctx, HS_ARGS("BZPOPMIN", "z", "0"), 2);
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "5", "x");
    expect_reply(a, HS_ARGS("z", "x", "5"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 2, "ZADD", "z", "1", "lo", "9", "hi");
    expect_reply(b, HS_ARGS("z", "lo", "1"));
    HS_EXPECT_BULKS(ctx, HS_ARGS("hi"), "ZRANGE", "z", "0", "-1");
    redisFree(a);
    redisFree(b);
}
END_TEST

/* A client waiting on several keys is served from the one written. */
START_TEST(test_multiple_keys_and_bzmpop) {
    redisContext *a = hs_block_client(srv, ctx, HS_ARGS("BZPOPMIN", "k1", "k2", "k3", "0"), 1);
    HS_EXPECT_INT(ctx, 1, "ZADD", "k2", "7", "v");
    expect_reply(a, HS_ARGS("k2", "v", "7"));
    ck_assert_int_eq(hs_blocked_clients(ctx), 0);
    hs_send_only(a, HS_ARGS("BZMPOP", "0", "2", "m1", "m2", "MAX", "COUNT", "2"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 3, "ZADD", "m2", "1", "a", "2", "b", "3", "c");
    redisReply *r = hs_get_reply(a);
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 2);
    HS_CHECK_BULK(r->element[0], "m2", 2);
    ck_assert_int_eq(r->element[1]->elements, 2);
    hs_check_bulks(__FILE__, __LINE__, r->element[1]->element[0], HS_ARGS("c", "3"));
    hs_check_bulks(__FILE__, __LINE__, r->element[1]->element[1], HS_ARGS("b", "2"));
    freeReplyObject(r);
    HS_EXPECT_BULKS(ctx, HS_ARGS("a"), "ZRANGE", "m2", "0", "-1");
    redisFree(a);
}
END_TEST

/* ---------------------------------------------------------- wake-ups */

/* ZINCRBY and the destinations of ZUNIONSTORE / ZRANGESTORE wake too. */
START_TEST(test_other_writers_wake) {
    HS_EXPECT_INT(ctx, 2, "ZADD", "src", "1", "a", "2", "b");
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("BZPOPMIN", "d1", "0"), 1);
    HS_EXPECT_BULK(ctx, "4", "ZINCRBY", "d1", "4", "m");
    expect_reply(w, HS_ARGS("d1", "m", "4"));
    hs_send_only(w, HS_ARGS("BZPOPMAX", "d2", "0"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 2, "ZUNIONSTORE", "d2", "1", "src");
    expect_reply(w, HS_ARGS("d2", "b", "2"));
    hs_send_only(w, HS_ARGS("BZMPOP", "0", "1", "d3", "MIN"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 1, "ZRANGESTORE", "d3", "src", "1", "1");
    redisReply *r = hs_get_reply(w);
    ck_assert_int_eq(r->elements, 2);
    HS_CHECK_BULK(r->element[0], "d3", 2);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d3");
    redisFree(w);
}
END_TEST

/* A write from a pipeline is served before the pipeline's next command. */
START_TEST(test_pipeline_add_wakes_first) {
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("BZPOPMIN", "z", "0"), 1);
    int fd = hs_raw_connect(srv);
    const char *req = "ZADD z 1 x\r\nZCARD z\r\n";
    hs_raw_send(fd, req, strlen(req));
    hs_buf got = hs_raw_read_n(fd, strlen(":1\r\n:0\r\n"), HS_REPLY_TIMEOUT_MS);
    HS_CHECK_BYTES(got, ":1\r\n:0\r\n");
    hs_buf_free(&got);
    close(fd);
    expect_reply(w, HS_ARGS("z", "x", "1"));
    redisFree(w);
}
END_TEST

/* A key of another type wakes nobody (LPUSH signals it: the zset waiter
 * must stay blocked, as in Redis 7.0); once it is a zset, it is served. */
START_TEST(test_wrong_type_then_zset) {
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("BZPOPMIN", "k", "0"), 1);
    HS_EXPECT_OK(ctx, "SET", "k", "str");
    HS_EXPECT_INT(ctx, 1, "DEL", "k");
    HS_EXPECT_INT(ctx, 1, "LPUSH", "k", "x");
    hs_sleep_ms(SETTLE_MS);
    ck_assert_int_eq(hs_blocked_clients(ctx), 1);
    HS_EXPECT_INT(ctx, 1, "DEL", "k");
    HS_EXPECT_INT(ctx, 1, "ZADD", "k", "1", "v");
    expect_reply(w, HS_ARGS("k", "v", "1"));
    redisFree(w);
}
END_TEST

/* ---------------------------------------------------------- timeouts */

START_TEST(test_timeouts_null_shapes) {
    static const char *const cmds[] = {"BZPOPMIN nokey 0.1\r\n", "BZPOPMAX nokey other 0.1\r\n",
                                       "BZMPOP 0.1 2 nokey other MIN COUNT 5\r\n"};
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
}
END_TEST

/* A pipeline behind a blocked command waits for it to end. */
START_TEST(test_pipeline_behind_blocked) {
    int fd = hs_raw_connect(srv);
    const char *req = "BZPOPMIN nokey 0.1\r\nPING\r\n";
    hs_raw_send(fd, req, strlen(req));
    hs_buf got = hs_raw_read_until(fd, "+PONG\r\n", HS_REPLY_TIMEOUT_MS);
    HS_CHECK_BYTES(got, "*-1\r\n+PONG\r\n");
    hs_buf_free(&got);
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- disconnects */

START_TEST(test_disconnect_while_blocked) {
    redisContext *gone = hs_block_client(srv, ctx, HS_ARGS("BZPOPMIN", "z", "0"), 1);
    redisContext *stays = hs_block_client(srv, ctx, HS_ARGS("BZPOPMIN", "z", "0"), 2);
    redisFree(gone);
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "1", "x");
    expect_reply(stays, HS_ARGS("z", "x", "1"));
    redisFree(stays);
    /* with nobody left waiting, added members stay */
    redisContext *c = hs_block_client(srv, ctx, HS_ARGS("BZMPOP", "0", "1", "z", "MIN"), 1);
    redisFree(c);
    hs_wait_blocked(ctx, 0);
    HS_EXPECT_INT(ctx, 2, "ZADD", "z", "1", "y", "2", "w");
    HS_EXPECT_INT(ctx, 2, "ZCARD", "z");
}
END_TEST

/* Served at once when data is there; argument errors before blocking. */
START_TEST(test_immediate_and_errors) {
    HS_EXPECT_INT(ctx, 3, "ZADD", "z", "1", "a", "2", "b", "3", "c");
    HS_EXPECT_BULKS(ctx, HS_ARGS("z", "a", "1"), "BZPOPMIN", "nokey", "z", "0");
    HS_EXPECT_BULKS(ctx, HS_ARGS("z", "c", "3"), "BZPOPMAX", "z", "0");
    HS_EXPECT_ERROR(ctx, "ERR timeout is not a float or out of range", "BZPOPMIN", "z", "abc");
    HS_EXPECT_ERROR(ctx, "ERR timeout is negative", "BZPOPMIN", "z", "-1");
    HS_EXPECT_ERROR(ctx, "ERR numkeys should be greater than 0", "BZMPOP", "abc", "0", "z", "MIN");
    HS_EXPECT_ERROR(ctx, "ERR timeout is not a float or out of range", "BZMPOP", "abc", "1", "z", "MIN");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "BZMPOP", "0", "1", "z", "UP");
    HS_EXPECT_OK(ctx, "SET", "s", "x");
    HS_EXPECT_ERROR(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value", "BZPOPMIN", "nokey",
                    "s", "0");
    HS_EXPECT_ARITY(ctx, "bzpopmin", "BZPOPMIN", "z");
    HS_EXPECT_ARITY(ctx, "bzmpop", "BZMPOP", "0", "1", "z");
    ck_assert_int_eq(hs_blocked_clients(ctx), 0);
}
END_TEST

static Suite *zset_blocking_suite(void) {
    Suite *s = suite_create("zset-blocking");
    TCase *tc = hs_tcase(s, "blocking");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fifo_order);
    tcase_add_test(tc, test_one_element_one_waiter);
    tcase_add_test(tc, test_multiple_keys_and_bzmpop);
    tcase_add_test(tc, test_other_writers_wake);
    tcase_add_test(tc, test_pipeline_add_wakes_first);
    tcase_add_test(tc, test_wrong_type_then_zset);
    tcase_add_test(tc, test_timeouts_null_shapes);
    tcase_add_test(tc, test_pipeline_behind_blocked);
    tcase_add_test(tc, test_disconnect_while_blocked);
    tcase_add_test(tc, test_immediate_and_errors);
    return s;
}

int main(void) {
    return hs_run_suite(zset_blocking_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
