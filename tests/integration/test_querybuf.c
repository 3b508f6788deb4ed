/* test_querybuf.c -- a client's query buffer falls back after a big
 * argument and after an idle period, as Redis 7.0's does, instead of
 * keeping its peak.
 *
 * Read through CLIENT LIST's qbuf= / qbuf-free= from a second connection.
 * Redis 7.0 gives back a buffer past 32 KB within two cron passes once it
 * holds less than half of it, keeps a small (16 KB) buffer while the
 * client is active, and gives that back too after 2 s idle; a buffer in
 * the middle of a big argument keeps room for the whole argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define BIG_ARG_BYTES (1024 * 1024)
#define MID_ARG_BYTES (100 * 1024)
/* "Fallen back": what is left of an emptied buffer (Redis shows 0). */
#define SMALL_BUF_BYTES 64
/* Well before the 2 s idle rule could be the reason. */
#define SHRINK_WAIT_MS 1500
#define IDLE_WAIT_MS 5000

static hs_server *srv;
static redisContext *ctx, *probe;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
    probe = hs_connect(srv);
    HS_EXPECT_OK(probe, "CLIENT", "SETNAME", "probe");
}

static void teardown(void) {
    redisFree(probe);
    redisFree(ctx);
    hs_stop(srv);
}

/* qbuf and qbuf-free of the client named "probe". */
static void probe_qbuf(long long *qbuf, long long *qfree) {
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "LIST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    char *line = strstr(r->str, "name=probe ");
    ck_assert_ptr_nonnull(line);
    char *q = strstr(line, " qbuf="), *f = strstr(line, " qbuf-free=");
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_nonnull(f);
    *qbuf = strtoll(q + 6, NULL, 10);
    *qfree = strtoll(f + 11, NULL, 10);
    freeReplyObject(r);
}

/* Polls until probe's buffer is small again; returns the ms it took, or
 * fails after limit_ms. */
static long long wait_fallen_back(int limit_ms) {
    long long start = hs_now_ms(), qbuf, qfree;
    for (;;) {
        probe_qbuf(&qbuf, &qfree);
        if (qbuf == 0 && qfree < SMALL_BUF_BYTES) return hs_now_ms() - start;
        ck_assert_msg(hs_now_ms() - start < limit_ms, "qbuf=%lld qbuf-free=%lld after %d ms", qbuf, qfree, limit_ms);
        hs_sleep_ms(20);
    }
}

static void set_big(size_t len) {
    char *v = malloc(len);
    memset(v, 'x', len);
    const char *argv[] = {"SET", "k", v};
    size_t lens[] = {3, 1, len};
    redisReply *r = hs_command_argv(probe, 3, argv, lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    free(v);
}

START_TEST(test_big_argument_falls_back) {
    set_big(BIG_ARG_BYTES);
    wait_fallen_back(SHRINK_WAIT_MS);
    /* The client keeps working, with a normal buffer again. */
    HS_EXPECT_STATUS(probe, "PONG", "PING");
    set_big(MID_ARG_BYTES);
    wait_fallen_back(SHRINK_WAIT_MS);
}
END_TEST

/* A 16 KB buffer is kept while the client is active (no churn), and given
 * back once it has been idle over 2 s. */
START_TEST(test_idle_buffer_falls_back) {
    HS_EXPECT_STATUS(probe, "PONG", "PING");
    long long qbuf, qfree;
    probe_qbuf(&qbuf, &qfree);
    ck_assert_int_ge(qfree, 8 * 1024);
    hs_sleep_ms(1000);
    probe_qbuf(&qbuf, &qfree);
    ck_assert_msg(qfree >= 8 * 1024, "small buffer given back after 1 s only (qbuf-free=%lld)", qfree);
    long long took = wait_fallen_back(IDLE_WAIT_MS);
    ck_assert_int_ge(took + 1000, 2000);
}
END_TEST

/* Half a big argument sent: the buffer keeps room for all of it while the
 * rest is on its way, and the command then completes. */
START_TEST(test_partial_big_argument_keeps_room) {
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, "CLIENT SETNAME probe2\r\n", "+OK\r\n");
    char head[64];
    int hl = snprintf(head, sizeof(head), "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$%d\r\n", BIG_ARG_BYTES);
    hs_raw_send(fd, head, (size_t)hl);
    char *v = malloc(BIG_ARG_BYTES + 2);
    memset(v, 'y', BIG_ARG_BYTES);
    memcpy(v + BIG_ARG_BYTES, "\r\n", 2);
    hs_raw_send(fd, v, BIG_ARG_BYTES / 3);
    hs_sleep_ms(700);
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "LIST"));
    char *line = strstr(r->str, "name=probe2 ");
    ck_assert_ptr_nonnull(line);
    long long qbuf = strtoll(strstr(line, " qbuf=") + 6, NULL, 10);
    long long qfree = strtoll(strstr(line, " qbuf-free=") + 11, NULL, 10);
    freeReplyObject(r);
    ck_assert_int_ge(qbuf + qfree, BIG_ARG_BYTES);
    hs_raw_send(fd, v + BIG_ARG_BYTES / 3, BIG_ARG_BYTES + 2 - BIG_ARG_BYTES / 3);
    hs_buf ok = hs_raw_read_n(fd, 5, HS_REPLY_TIMEOUT_MS);
    HS_CHECK_BYTES(ok, "+OK\r\n");
    hs_buf_free(&ok);
    free(v);
    close(fd);
    HS_EXPECT_INT(ctx, BIG_ARG_BYTES, "STRLEN", "b");
}
END_TEST

static Suite *querybuf_suite(void) {
    Suite *s = suite_create("querybuf");
    TCase *tc = hs_tcase(s, "querybuf");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_big_argument_falls_back);
    tcase_add_test(tc, test_idle_buffer_falls_back);
    tcase_add_test(tc, test_partial_big_argument_keeps_room);
    return s;
}

int main(void) {
    return hs_run_suite(querybuf_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
