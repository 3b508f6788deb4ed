/* test_concurrency.c -- integration tests with many clients at once and
 * with redis-cli's --pipe mass insertion.
 *
 * The server is started with --maxclients 2000 and this process raises
 * its own open-file limit so it can hold 1,000 connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "harness.h"

#define CLIENTS 1000
#define ROUNDS 3
#define PIPE_COMMANDS 100000
#define SETTLE_WAIT_MS 10000

/* Lifts the soft open-file limit to the hard one. */
static void raise_fd_limit(void) {
    struct rlimit lim;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &lim), 0);
    lim.rlim_cur = lim.rlim_max;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
    ck_assert_msg(lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > CLIENTS + 64,
                  "open-file limit %llu too low for %d clients", (unsigned long long)lim.rlim_cur, CLIENTS);
}

/* Writes every pending command of c to the socket. */
static void flush_output(redisContext *c) {
    int done = 0;
    while (!done) ck_assert_msg(redisBufferWrite(c, &done) == REDIS_OK, "write: %s", c->errstr);
}

/* Polls INFO until connected_clients equals want. */
static void wait_connected_clients(redisContext *c, long want) {
    long long deadline = hs_now_ms() + SETTLE_WAIT_MS;
    for (;;) {
        hs_buf v = hs_info_field(c, "clients", "connected_clients");
        ck_assert_ptr_nonnull(v.data);
        long n = strtol(v.data, NULL, 10);
        hs_buf_free(&v);
        if (n == want) return;
        ck_assert_msg(hs_now_ms() < deadline, "connected_clients is %ld, expected %ld", n, want);
        hs_sleep_ms(20);
    }
}

START_TEST(test_thousand_clients) {
    raise_fd_limit();
    hs_server *s = hs_start(HS_ARGS("--maxclients", "2000"));
    redisContext **cs = calloc(CLIENTS, sizeof(*cs));
    for (int i = 0; i < CLIENTS; i++) cs[i] = hs_connect(s);
    redisContext *admin = hs_connect(s);
    wait_connected_clients(admin, CLIENTS + 1);
    for (int round = 0; round < ROUNDS; round++) {
        /* every client sends before any reads: the server sees them all
         * interleaved */
        for (int i = 0; i < CLIENTS; i++) {
            redisAppendCommand(cs[i], "SET key:%d value:%d:%d", i, i, round);
            redisAppendCommand(cs[i], "GET key:%d", i);
            flush_output(cs[i]);
        }
        for (int i = CLIENTS - 1; i >= 0; i--) {
            char want[64];
            int n = snprintf(want, sizeof(want), "value:%d:%d", i, round);
            redisReply *r = hs_get_reply(cs[i]);
            HS_CHECK_STATUS(r, "OK");
            freeReplyObject(r);
            r = hs_get_reply(cs[i]);
            HS_CHECK_BULK(r, want, (size_t)n);
            freeReplyObject(r);
        }
    }
    HS_EXPECT_INT(admin, CLIENTS, "DBSIZE");
    for (int i = 0; i < CLIENTS; i++) redisFree(cs[i]);
    free(cs);
    wait_connected_clients(admin, 1);
    redisFree(admin);
    hs_stop(s);
}
END_TEST

START_TEST(test_redis_cli_pipe) {
    hs_server *s = hs_start(NULL);
    ck_assert_msg(system("command -v redis-cli >/dev/null 2>&1") == 0,
                  "redis-cli not found: run deps/ensure-test-deps.sh");
    char path[320];
    snprintf(path, sizeof(path), "%s/mass-insert.resp", s->dir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    for (int i = 0; i < PIPE_COMMANDS; i++) {
        char key[32], val[32];
        int kl = snprintf(key, sizeof(key), "key:%d", i), vl = snprintf(val, sizeof(val), "val:%d", i);
        fprintf(fp, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", kl, key, vl, val);
    }
    ck_assert_int_eq(fclose(fp), 0);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "redis-cli -h 127.0.0.1 -p %d --pipe < '%s' 2>&1", s->port, path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    hs_buf out = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) hs_buf_cat(&out, buf, n);
    int st = pclose(p);
    hs_buf_cat(&out, "", 0);
    ck_assert_msg(st == 0, "redis-cli --pipe failed (0x%x):\n%s", st, out.data);
    ck_assert_msg(strstr(out.data, "errors: 0, replies: 100000") != NULL, "redis-cli --pipe said:\n%s", out.data);
    hs_buf_free(&out);
    redisContext *c = hs_connect(s);
    HS_EXPECT_INT(c, PIPE_COMMANDS, "DBSIZE");
    HS_EXPECT_BULK(c, "val:0", "GET", "key:0");
    HS_EXPECT_BULK(c, "val:99999", "GET", "key:99999");
    redisFree(c);
    hs_stop(s);
}
END_TEST

static Suite *concurrency_suite(void) {
    Suite *s = suite_create("concurrency");
    TCase *tc = hs_tcase(s, "concurrency");
    tcase_add_test(tc, test_thousand_clients);
    tcase_add_test(tc, test_redis_cli_pipe);
    return s;
}

int main(void) {
    return hs_run_suite(concurrency_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
