/* test_clock.c -- integration tests for MINIRED CLOCK (the virtual clock)
 * and what reads it: every subcommand in RESP2 and RESP3, wrong arity and
 * bad arguments, the enable-test-controls gate, lazy and active expiry with
 * their `expired` events and effects, TTL/PTTL, TIME, XADD * IDs, XPENDING
 * idle, OBJECT IDLETIME / FREQ, RESTORE's TTL, CLIENT LIST idle=, blocking
 * timeouts, slow log / latency / LASTSAVE stamps, and the clock commands
 * inside MULTI and pipelines.
 *
 * Each test first sets the clock to a fixed time (CLOCK SET freezes it), so
 * every reply that shows the time is exact. One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define REFUSED                                                                                               \
    "ERR MINIRED command not allowed. If the enable-test-controls option is set to \"local\", you can run it " \
    "from a local connection, otherwise you need to set this option in the configuration file, and then "      \
    "restart the server."
#define SUBCMD_ERR(op) "ERR unknown subcommand or wrong number of arguments for '" op "'. Try MINIRED HELP."
/* 2100-01-01T00:00:00Z: far from the real clock, so a test that still read
 * real time would show it. */
#define T0_MS "4102444800000"
#define T0_S "4102444800"

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(HS_ARGS("--enable-test-controls", "yes"));
    ctx = hs_connect(srv);
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "SET", T0_MS);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

/* The clock's ms as CLOCK GET (RESP2: ms, <int>, frozen, <0|1>) says. */
static long long clock_ms(int *frozen) {
    redisReply *r = hs_command(ctx, HS_ARGS("MINIRED", "CLOCK", "GET"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 4);
    ck_assert_str_eq(r->element[0]->str, "ms");
    ck_assert_str_eq(r->element[2]->str, "frozen");
    long long ms = r->element[1]->integer;
    if (frozen) *frozen = (int)r->element[3]->integer;
    freeReplyObject(r);
    return ms;
}

/* ---------------------------------------------------------- subcommands */

START_TEST(test_subcommands_resp2) {
    int frozen = 0;
    ck_assert_int_eq(clock_ms(&frozen), 4102444800000LL);
    ck_assert_int_eq(frozen, 1);
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "1500");
    ck_assert_int_eq(clock_ms(NULL), 4102444801500LL);
    HS_EXPECT_OK(ctx, "minired", "clock", "advance", "0");
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "FREEZE"); /* already frozen: stays */
    ck_assert_int_eq(clock_ms(NULL), 4102444801500LL);
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "RESUME");
    hs_sleep_ms(30);
    long long ms = clock_ms(&frozen);
    ck_assert_int_eq(frozen, 0);
    ck_assert_int_ge(ms, 4102444801530LL); /* runs on from where it stood */
    ck_assert_int_lt(ms, 4102444801500LL + 10000);
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "RESUME"); /* running: nothing changes */
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "60000");
    ck_assert_int_ge(clock_ms(&frozen), ms + 60000);
    ck_assert_int_eq(frozen, 0); /* ADVANCE keeps a running clock running */
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "FREEZE");
    ms = clock_ms(&frozen);
    ck_assert_int_eq(frozen, 1);
    hs_sleep_ms(20);
    ck_assert_int_eq(clock_ms(NULL), ms);
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "SET", "4200000000000");
    ck_assert_int_eq(clock_ms(NULL), 4200000000000LL);
}
END_TEST

START_TEST(test_subcommands_resp3) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    hs_buf hello = hs_raw_read_until(fd, "*0\r\n", 2000);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "MINIRED CLOCK GET\r\n", "%2\r\n$2\r\nms\r\n:4102444800000\r\n$6\r\nfrozen\r\n#t\r\n");
    HS_RAW_EXPECT(fd, "MINIRED CLOCK ADVANCE 7\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "MINIRED CLOCK SET 4102444900000\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "MINIRED CLOCK GET\r\n", "%2\r\n$2\r\nms\r\n:4102444900000\r\n$6\r\nfrozen\r\n#t\r\n");
    HS_RAW_EXPECT(fd, "MINIRED CLOCK FREEZE\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "MINIRED CLOCK SET 1\r\n",
                  "-ERR CLOCK SET may not move the clock back (it reads 4102444900000 ms)\r\n");
    HS_RAW_EXPECT(fd, "MINIRED CLOCK NOPE\r\n", "-" SUBCMD_ERR("NOPE") "\r\n");
    /* RESP3 GET of a running clock answers #f */
    HS_RAW_EXPECT(fd, "MINIRED CLOCK RESUME\r\n", "+OK\r\n");
    HS_RAW_SEND_STR(fd, "MINIRED CLOCK GET\r\n");
    hs_buf got = hs_raw_read_until(fd, "#f\r\n", 2000);
    ck_assert_ptr_nonnull(strstr(got.data, "$6\r\nfrozen\r\n#f\r\n"));
    hs_buf_free(&got);
    close(fd);
}
END_TEST

START_TEST(test_arity_and_bad_args) {
    HS_EXPECT_ERROR(ctx, "ERR wrong number of arguments for 'minired|clock' command", "MINIRED", "CLOCK");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("foo"), "MINIRED", "CLOCK", "foo");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("GET"), "MINIRED", "CLOCK", "GET", "x");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("freeze"), "MINIRED", "CLOCK", "freeze", "1");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("RESUME"), "MINIRED", "CLOCK", "RESUME", "1");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("ADVANCE"), "MINIRED", "CLOCK", "ADVANCE");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("ADVANCE"), "MINIRED", "CLOCK", "ADVANCE", "1", "2");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("SET"), "MINIRED", "CLOCK", "SET");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "MINIRED", "CLOCK", "ADVANCE", "1.5");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "MINIRED", "CLOCK", "ADVANCE", "abc");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "MINIRED", "CLOCK", "ADVANCE", "");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "MINIRED", "CLOCK", "SET",
                    "99999999999999999999");
    HS_EXPECT_ERROR(ctx, "ERR CLOCK ADVANCE needs a non-negative integer", "MINIRED", "CLOCK", "ADVANCE", "-1");
    HS_EXPECT_ERROR(ctx, "ERR CLOCK SET needs a non-negative integer", "MINIRED", "CLOCK", "SET", "-5");
    HS_EXPECT_ERROR(ctx, "ERR CLOCK SET may not move the clock back (it reads 4102444800000 ms)", "MINIRED",
                    "CLOCK", "SET", "4102444799999");
    HS_EXPECT_ERROR(ctx, "ERR CLOCK ADVANCE would move the clock past 4503599627370496 ms", "MINIRED", "CLOCK",
                    "ADVANCE", "4503599627370496");
    HS_EXPECT_ERROR(ctx, "ERR CLOCK SET would move the clock past 4503599627370496 ms", "MINIRED", "CLOCK", "SET",
                    "4503599627370497");
    /* nothing above moved the clock */
    int frozen = 0;
    ck_assert_int_eq(clock_ms(&frozen), 4102444800000LL);
    ck_assert_int_eq(frozen, 1);
    redisReply *r = hs_command(ctx, HS_ARGS("MINIRED", "HELP"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    int seen = 0;
    for (size_t i = 0; i < r->elements; i++)
        if (strncmp(r->element[i]->str, "CLOCK ", 6) == 0) seen++;
    ck_assert_int_eq(seen, 5);
    freeReplyObject(r);
}
END_TEST

/* ---------------------------------------------------------- the gate */

START_TEST(test_refused_by_default) {
    hs_server *s = hs_start(NULL);
    redisContext *c = hs_connect(s);
    HS_EXPECT_ERROR(c, REFUSED, "MINIRED", "CLOCK", "GET");
    HS_EXPECT_ERROR(c, REFUSED, "MINIRED", "CLOCK", "ADVANCE", "1000");
    HS_EXPECT_ERROR(c, "ERR CONFIG SET failed (possibly related to argument 'enable-test-controls') - "
                       "enable-test-controls can be changed at runtime only when it was enabled at start",
                    "CONFIG", "SET", "enable-test-controls", "yes");
    HS_EXPECT_ERROR(c, REFUSED, "MINIRED", "CLOCK", "FREEZE");
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_config_set_when_enabled_at_start) {
    /* started yes: may be turned off and on again */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "enable-test-controls", "no");
    HS_EXPECT_ERROR(ctx, REFUSED, "MINIRED", "CLOCK", "GET");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "enable-test-controls", "yes");
    ck_assert_int_eq(clock_ms(NULL), 4102444800000LL); /* the clock kept its state */
    /* started local: a loopback client may use it, and CONFIG SET works */
    hs_server *s = hs_start(HS_ARGS("--enable-test-controls", "local"));
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "MINIRED", "CLOCK", "FREEZE");
    HS_EXPECT_OK(c, "CONFIG", "SET", "enable-test-controls", "yes");
    HS_EXPECT_OK(c, "CONFIG", "SET", "enable-test-controls", "no");
    HS_EXPECT_ERROR(c, REFUSED, "MINIRED", "CLOCK", "RESUME");
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* ---------------------------------------------------------- expiry */

/* A connection subscribed to the `expired` events of db 0. */
static redisContext *expired_listener(void) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "notify-keyspace-events", "Ex");
    redisContext *sub = hs_connect(srv);
    redisReply *r = hs_command(sub, HS_ARGS("SUBSCRIBE", "__keyevent@0__:expired"));
    freeReplyObject(r);
    return sub;
}

static void expect_expired_event(redisContext *sub, const char *key) {
    redisReply *r = hs_get_reply(sub);
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 3);
    ck_assert_str_eq(r->element[0]->str, "message");
    ck_assert_str_eq(r->element[1]->str, "__keyevent@0__:expired");
    ck_assert_str_eq(r->element[2]->str, key);
    freeReplyObject(r);
}

START_TEST(test_lazy_expiry_ttl_and_effects) {
    redisContext *sub = expired_listener();
    HS_EXPECT_OK(ctx, "SET", "k", "v", "PX", "5000");
    HS_EXPECT_OK(ctx, "SET", "s", "v", "EX", "100");
    HS_EXPECT_INT(ctx, 5000, "PTTL", "k");
    HS_EXPECT_INT(ctx, 4102444805000LL, "PEXPIRETIME", "k");
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "4999");
    HS_EXPECT_INT(ctx, 1, "PTTL", "k");
    HS_EXPECT_INT(ctx, 95, "TTL", "s");
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "1");
    HS_EXPECT_NIL(ctx, "GET", "k");
    HS_EXPECT_INT(ctx, -2, "PTTL", "k");
    expect_expired_event(sub, "k");
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    hs_buf want = {0};
    hs_cat_command_resp(&want, "SELECT 0");
    hs_cat_command_resp(&want, "DEL k");
    hs_check_bytes(__FILE__, __LINE__, r->str, r->len, want.data, want.len);
    hs_buf_free(&want);
    freeReplyObject(r);
    /* EXPIREAT / GETEX / SET EXAT are judged against the data clock too */
    HS_EXPECT_INT(ctx, 0, "EXPIREAT", "nokey", "1");
    HS_EXPECT_OK(ctx, "SET", "a", "1");
    HS_EXPECT_INT(ctx, 1, "EXPIREAT", "a", "4102444806"); /* 1 s from the clock */
    HS_EXPECT_INT(ctx, 1, "TTL", "a");
    HS_EXPECT_BULK(ctx, "v", "GETEX", "s", "PX", "10");
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "1000");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "a", "s");
    redisFree(sub);
}
END_TEST

START_TEST(test_active_expiry) {
    redisContext *sub = expired_listener();
    for (int i = 0; i < 200; i++) {
        char key[32];
        snprintf(key, sizeof(key), "key:%d", i);
        HS_EXPECT_OK(ctx, "SET", key, "v", "PX", i % 2 ? "1000" : "3599999");
    }
    HS_EXPECT_OK(ctx, "SET", "keep", "v", "PX", "3600001");
    HS_EXPECT_INT(ctx, 201, "DBSIZE");
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "3600000");
    /* no access: only the active cycle can bring DBSIZE (which does not
     * expire anything itself) down to the one key that is left */
    long long deadline = hs_now_ms() + 5000, n = -1;
    while (hs_now_ms() < deadline) {
        redisReply *r = hs_command(ctx, HS_ARGS("DBSIZE"));
        n = r->integer;
        freeReplyObject(r);
        if (n == 1) break;
        hs_sleep_ms(20);
    }
    ck_assert_int_eq(n, 1);
    HS_EXPECT_INT(ctx, 1, "PTTL", "keep");
    for (int i = 0; i < 200; i++) {
        redisReply *r = hs_get_reply(sub);
        ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
        ck_assert_str_eq(r->element[1]->str, "__keyevent@0__:expired");
        ck_assert_int_eq(strncmp(r->element[2]->str, "key:", 4), 0);
        freeReplyObject(r);
    }
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "expired_keys"), 200);
    redisFree(sub);
}
END_TEST

/* ---------------------------------------------------------- other readers */

START_TEST(test_time_streams_idle) {
    const char *now[] = {T0_S, "0", NULL};
    HS_EXPECT_BULKS(ctx, now, "TIME");
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "1");
    const char *later[] = {T0_S, "1000", NULL};
    HS_EXPECT_BULKS(ctx, later, "TIME");
    HS_EXPECT_BULK(ctx, "4102444800001-0", "XADD", "s", "*", "f", "v");
    HS_EXPECT_BULK(ctx, "4102444800001-1", "XADD", "s", "*", "f", "v");
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "4");
    HS_EXPECT_BULK(ctx, "4102444800005-0", "XADD", "s", "*", "f", "v");
    HS_EXPECT_OK(ctx, "XGROUP", "CREATE", "s", "g", "0");
    redisReply *r = hs_command(ctx, HS_ARGS("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">"));
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "3000");
    r = hs_command(ctx, HS_ARGS("XPENDING", "s", "g", "-", "+", "10"));
    ck_assert_int_eq(r->elements, 1);
    ck_assert_int_eq(r->element[0]->element[2]->integer, 3000); /* idle ms */
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("XPENDING", "s", "g", "IDLE", "3001", "-", "+", "10"));
    ck_assert_int_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "SET", "o", "1");
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "20000");
    HS_EXPECT_INT(ctx, 20, "OBJECT", "IDLETIME", "o");
    /* LFU counters decay by the minutes the clock moved (lfu-decay-time 1) */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
    HS_EXPECT_OK(ctx, "SET", "f", "1");
    HS_EXPECT_INT(ctx, 5, "OBJECT", "FREQ", "f");
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "180000");
    HS_EXPECT_INT(ctx, 2, "OBJECT", "FREQ", "f");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "noeviction");
    /* RESTORE's relative TTL counts from the clock; ABSTTL in its past
     * restores nothing */
    r = hs_command(ctx, HS_ARGS("DUMP", "f"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    const char *argv[] = {"RESTORE", "g", "5000", r->str};
    size_t lens[] = {7, 1, 4, r->len};
    redisReply *rr = hs_command_argv(ctx, 4, argv, lens);
    HS_CHECK_STATUS(rr, "OK");
    freeReplyObject(rr);
    HS_EXPECT_INT(ctx, 5000, "PTTL", "g");
    const char *argv2[] = {"RESTORE", "h", "4102444800000", r->str, "ABSTTL"};
    size_t lens2[] = {7, 1, 13, r->len, 6};
    rr = hs_command_argv(ctx, 5, argv2, lens2);
    HS_CHECK_STATUS(rr, "OK");
    freeReplyObject(rr);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "h");
    /* another connection left idle sees its idle= and age= on the clock */
    redisContext *other = hs_connect(srv);
    HS_EXPECT_STATUS(other, "PONG", "PING");
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "7000");
    r = hs_command(ctx, HS_ARGS("CLIENT", "LIST"));
    ck_assert_ptr_nonnull(strstr(r->str, "age=7 idle=7 "));
    freeReplyObject(r);
    redisFree(other);
}
END_TEST

START_TEST(test_blocking_timeout) {
    redisContext *b = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "q", "10"), 1);
    long long start = hs_now_ms();
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "11000");
    redisReply *r = hs_get_reply(b);
    ck_assert_int_eq(r->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    ck_assert_int_lt(hs_now_ms() - start, 1000); /* promptly, not after 10 real s */
    redisFree(b);
    /* a frozen clock holds the deadline: 1 s of real time is not enough */
    int fd = hs_raw_connect(srv), closed = 0;
    HS_RAW_SEND_STR(fd, "BLPOP q 1\r\n");
    hs_buf got = hs_raw_read_all(fd, 1300, &closed);
    ck_assert_uint_eq(got.len, 0);
    hs_buf_free(&got);
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "999");
    got = hs_raw_read_all(fd, 300, &closed);
    ck_assert_uint_eq(got.len, 0);
    hs_buf_free(&got);
    ck_assert_int_eq(closed, 0);
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "1");
    got = hs_raw_read_n(fd, 5, 2000);
    HS_CHECK_BYTES(got, "*-1\r\n");
    hs_buf_free(&got);
    close(fd);
    /* XREAD BLOCK takes its deadline from the clock too */
    b = hs_block_client(srv, ctx, HS_ARGS("XREAD", "BLOCK", "5000", "STREAMS", "x", "$"), 1);
    HS_EXPECT_OK(ctx, "MINIRED", "CLOCK", "ADVANCE", "5000");
    r = hs_get_reply(b);
    ck_assert_int_eq(r->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    redisFree(b);
}
END_TEST

START_TEST(test_multi_and_pipeline) {
    HS_EXPECT_OK(ctx, "SET", "k", "v", "PX", "100");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "MINIRED", "CLOCK", "ADVANCE", "100");
    HS_EXPECT_STATUS(ctx, "QUEUED", "GET", "k");
    HS_EXPECT_STATUS(ctx, "QUEUED", "MINIRED", "CLOCK", "GET");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_int_eq(r->elements, 3);
    ck_assert_str_eq(r->element[0]->str, "OK");
    ck_assert_int_eq(r->element[1]->type, REDIS_REPLY_NIL);
    ck_assert_int_eq(r->element[2]->element[1]->integer, 4102444800100LL);
    freeReplyObject(r);
    /* pipelined: each command sees the clock as the one before left it */
    redisAppendCommand(ctx, "SET p v PX 50");
    redisAppendCommand(ctx, "MINIRED CLOCK ADVANCE 49");
    redisAppendCommand(ctx, "EXISTS p");
    redisAppendCommand(ctx, "MINIRED CLOCK ADVANCE 1");
    redisAppendCommand(ctx, "EXISTS p");
    long long want[] = {-1, -1, 1, -1, 0};
    for (int i = 0; i < 5; i++) {
        r = hs_get_reply(ctx);
        if (want[i] >= 0) HS_CHECK_INT(r, want[i]);
        else HS_CHECK_STATUS(r, "OK");
        freeReplyObject(r);
    }
}
END_TEST

START_TEST(test_stamps) {
    /* slow log, latency monitor and LASTSAVE stamp the data clock. The
     * latency monitor keeps 32-bit seconds, as Redis does, so this test
     * sets 2030-01-01 on a server of its own rather than 2100. */
    hs_server *s = hs_start(HS_ARGS("--enable-test-controls", "yes"));
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "MINIRED", "CLOCK", "SET", "1893456000000");
    HS_EXPECT_OK(c, "CONFIG", "SET", "slowlog-log-slower-than", "0");
    HS_EXPECT_STATUS(c, "PONG", "PING");
    redisReply *r = hs_command(c, HS_ARGS("SLOWLOG", "GET", "1"));
    ck_assert_int_eq(r->elements, 1);
    ck_assert_int_eq(r->element[0]->element[1]->integer, 1893456000LL);
    freeReplyObject(r);
    HS_EXPECT_OK(c, "CONFIG", "SET", "latency-monitor-threshold", "1");
    HS_EXPECT_OK(c, "MINIRED", "CLOCK", "ADVANCE", "2000");
    HS_EXPECT_OK(c, "DEBUG", "SLEEP", "0.01");
    r = hs_command(c, HS_ARGS("LATENCY", "LATEST"));
    ck_assert_int_eq(r->elements, 1);
    ck_assert_int_eq(r->element[0]->element[1]->integer, 1893456002LL);
    freeReplyObject(r);
    HS_EXPECT_OK(c, "MINIRED", "CLOCK", "ADVANCE", "3000");
    HS_EXPECT_OK(c, "SAVE");
    HS_EXPECT_INT(c, 1893456005LL, "LASTSAVE");
    redisFree(c);
    hs_stop(s);
}
END_TEST

static Suite *clock_suite(void) {
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_subcommands_resp2);
    tcase_add_test(tc, test_subcommands_resp3);
    tcase_add_test(tc, test_arity_and_bad_args);
    tcase_add_test(tc, test_refused_by_default);
    tcase_add_test(tc, test_config_set_when_enabled_at_start);
    tcase_add_test(tc, test_lazy_expiry_ttl_and_effects);
    tcase_add_test(tc, test_active_expiry);
    tcase_add_test(tc, test_time_streams_idle);
    tcase_add_test(tc, test_blocking_timeout);
    tcase_add_test(tc, test_multi_and_pipeline);
    tcase_add_test(tc, test_stamps);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return hs_run_suite(clock_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
