/* test_block_timeout.c -- tiny timeouts of every blocking command.
 *
 * Redis 7.0 rounds a timeout of seconds * 1000 UP to whole milliseconds:
 * 0.001 (0.000999... in binary), 0.0009, 0.0001 and 1e-300 all wait about
 * 1 ms and answer the null reply; 0 and -0.0001 (which rounds to 0) wait
 * forever. A server that truncated instead blocked forever on 0.001. Each
 * command here runs with a reply timeout well under a second, so a wait
 * that never ends fails the test instead of hanging it. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* A "1 ms" wait must be over long before this (ASan builds included). */
#define TINY_WAIT_BOUND_MS 500
/* How long a "forever" wait is watched before it is unblocked. */
#define FOREVER_WATCH_MS 150

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

/* Every blocking command, with "T" standing for the timeout argument. */
static const char *const blocking_cmds[][8] = {
    {"BLPOP", "nokey", "T"},
    {"BRPOP", "nokey", "other", "T"},
    {"BLMOVE", "nokey", "dst", "LEFT", "RIGHT", "T"},
    {"BRPOPLPUSH", "nokey", "dst", "T"},
    {"BLMPOP", "T", "1", "nokey", "LEFT"},
    {"BZPOPMIN", "nokey", "T"},
    {"BZPOPMAX", "nokey", "T"},
    {"BZMPOP", "T", "1", "nokey", "MIN"},
};
#define NCMDS (sizeof(blocking_cmds) / sizeof(blocking_cmds[0]))

/* Fills argv with command i, the timeout put in place of "T". */
static int build_cmd(size_t i, const char *timeout, const char **argv) {
    int argc = 0;
    for (; argc < 8 && blocking_cmds[i][argc]; argc++)
        argv[argc] = strcmp(blocking_cmds[i][argc], "T") == 0 ? timeout : blocking_cmds[i][argc];
    argv[argc] = NULL;
    return argc;
}

/* Each tiny timeout ends the wait within TINY_WAIT_BOUND_MS, with the
 * command's null reply (nil for BLMOVE / BRPOPLPUSH, a null array for the
 * rest: hiredis shows both as REDIS_REPLY_NIL in RESP2). */
START_TEST(test_tiny_timeouts_end) {
    static const char *const tiny[] = {"0.001", "1e-3", "0.0009", "0.0005", "0.0001", "0.0011", "1e-300", "0.002"};
    struct timeval tv = {0, TINY_WAIT_BOUND_MS * 1000};
    redisSetTimeout(ctx, tv);
    for (size_t t = 0; t < sizeof(tiny) / sizeof(tiny[0]); t++) {
        for (size_t i = 0; i < NCMDS; i++) {
            const char *argv[9];
            int argc = build_cmd(i, tiny[t], argv);
            long long start = hs_now_ms();
            redisReply *r = redisCommandArgv(ctx, argc, argv, NULL);
            ck_assert_msg(r != NULL, "%s with timeout %s did not end within %d ms", argv[0], tiny[t],
                          TINY_WAIT_BOUND_MS);
            ck_assert_msg(r->type == REDIS_REPLY_NIL, "%s %s: reply type %d", argv[0], tiny[t], r->type);
            freeReplyObject(r);
            ck_assert_int_lt(hs_now_ms() - start, TINY_WAIT_BOUND_MS);
        }
    }
    ck_assert_int_eq(hs_blocked_clients(ctx), 0);
}
END_TEST

/* 0, -0.0001 and -0.001 (both rounded up to 0) mean "no timeout": the
 * client is still blocked after a while, and CLIENT UNBLOCK ends it. */
START_TEST(test_zero_and_negative_zero_block) {
    static const char *const forever[] = {"0", "-0", "-0.0001", "-0.001"};
    for (size_t t = 0; t < sizeof(forever) / sizeof(forever[0]); t++) {
        for (size_t i = 0; i < NCMDS; i++) {
            const char *argv[9];
            build_cmd(i, forever[t], argv);
            redisContext *b = hs_connect(srv);
            char id[32];
            snprintf(id, sizeof(id), "%lld", hs_client_id(b));
            hs_send_only(b, argv);
            hs_wait_blocked(ctx, 1);
            hs_sleep_ms(FOREVER_WATCH_MS / (int)NCMDS);
            ck_assert_int_eq(hs_blocked_clients(ctx), 1);
            HS_EXPECT_INT(ctx, 1, "CLIENT", "UNBLOCK", id);
            redisReply *r = hs_get_reply(b);
            ck_assert_int_eq(r->type, REDIS_REPLY_NIL);
            freeReplyObject(r);
            redisFree(b);
        }
    }
}
END_TEST

/* The edges of the range, as Redis 7.0 answers them. */
START_TEST(test_timeout_errors) {
    static const char *const negative[] = {"-1", "-0.0011", "inf", "-inf", "1e20", "9.223372036854776e15"};
    static const char *const bad[] = {"abc", "nan", "", " 1"};
    for (size_t i = 0; i < NCMDS; i++) {
        const char *argv[9];
        for (size_t t = 0; t < sizeof(negative) / sizeof(negative[0]); t++) {
            build_cmd(i, negative[t], argv);
            redisReply *r = hs_command(ctx, argv);
            HS_CHECK_ERROR(r, "ERR timeout is negative");
            freeReplyObject(r);
        }
        for (size_t t = 0; t < sizeof(bad) / sizeof(bad[0]); t++) {
            build_cmd(i, bad[t], argv);
            redisReply *r = hs_command(ctx, argv);
            HS_CHECK_ERROR(r, "ERR timeout is not a float or out of range");
            freeReplyObject(r);
        }
    }
}
END_TEST

static Suite *block_timeout_suite(void) {
    Suite *s = suite_create("block-timeout");
    TCase *tc = hs_tcase(s, "block-timeout");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_tiny_timeouts_end);
    tcase_add_test(tc, test_zero_and_negative_zero_block);
    tcase_add_test(tc, test_timeout_errors);
    return s;
}

int main(void) {
    return hs_run_suite(block_timeout_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
