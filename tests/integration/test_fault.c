/* test_fault.c -- integration tests for fault injection (MINIRED FAULT):
 * every subcommand and action, RESP2 and RESP3, pipelines and MULTI,
 * bad arguments, COUNT / CLIENT / PROBABILITY scoping, the controlling
 * client's exemption, and that a held reply does not hold the server.
 *
 * The faulted client is a raw socket, so the exact bytes it gets (or does
 * not get) are checked; the controller is a hiredis connection that has
 * issued MINIRED. One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* How long to wait for bytes that must not come. */
#define QUIET_MS 250

static hs_server *srv;
static redisContext *ctl;

static void setup(void) {
    srv = hs_start(HS_ARGS("--enable-test-controls", "yes"));
    ctl = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctl);
    hs_stop(srv);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends req on a fresh raw connection and returns what arrives before the
 * server closes or stays quiet QUIET_MS; *closed as hs_raw_read_all. */
static hs_buf raw_exchange(int fd, const char *req, int *closed) {
    HS_RAW_SEND_STR(fd, req);
    return hs_raw_read_all(fd, QUIET_MS, closed);
}

static void expect_exchange(int fd, const char *req, const char *want, int want_closed) {
    int closed = 0;
    hs_buf got = raw_exchange(fd, req, &closed);
    HS_CHECK_BYTES(got, want);
    ck_assert_int_eq(closed, want_closed);
    hs_buf_free(&got);
}

static int raw_resp3(void) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    int closed = 0;
    hs_buf hello = hs_raw_read_all(fd, 100, &closed);
    ck_assert_msg(hello.len > 0 && hello.data[0] == '%', "HELLO 3 did not answer with a map");
    hs_buf_free(&hello);
    return fd;
}

START_TEST(test_refused_while_disabled) {
    hs_server *off = hs_start(NULL);
    redisContext *c = hs_connect(off);
    HS_EXPECT_ERROR_PREFIX(c, "ERR MINIRED command not allowed", "MINIRED", "FAULT", "LIST");
    redisFree(c);
    hs_stop(off);
}
END_TEST

START_TEST(test_add_list_del_reset) {
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "a", "COMMAND", "get", "ERROR", "LOADING loading");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "b", "KEY", "user:*", "PARTIAL", "3", "CLOSE", "COUNT", "2",
                 "PROBABILITY", "0.5", "CLIENT", "app");
    HS_EXPECT_OK(ctl, "minired", "fault", "add", "c", "command", "config|get", "close", "after");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "d", "ANY", "DELAY", "10", "CLIENT", "7");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "e", "ANY", "SLOW-READ", "5");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "f", "ANY", "DROP-REPLY");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "g", "ANY", "CLOSE");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "h", "ANY", "PARTIAL", "0");
    redisReply *r = hs_command(ctl, HS_ARGS("MINIRED", "FAULT", "LIST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 8);
    static const char *const want[][14] = {
        {"id", "a", "match", "COMMAND get", "action", "ERROR LOADING loading", "count", "-1", "probability", "1",
         "client", NULL, "fired", "0"},
        {"id", "b", "match", "KEY user:*", "action", "PARTIAL 3 CLOSE", "count", "2", "probability", "0.5",
         "client", "app", "fired", "0"},
        {"id", "c", "match", "COMMAND config|get", "action", "CLOSE AFTER", NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL},
        {"id", "d", "match", "ANY", "action", "DELAY 10", NULL, NULL, NULL, NULL, "client", "7", NULL, NULL},
        {"id", "e", "match", "ANY", "action", "SLOW-READ 5"},
        {"id", "f", "match", "ANY", "action", "DROP-REPLY"},
        {"id", "g", "match", "ANY", "action", "CLOSE BEFORE"},
        {"id", "h", "match", "ANY", "action", "PARTIAL 0 STALL"},
    };
    for (size_t i = 0; i < 8; i++) {
        redisReply *e = r->element[i];
        ck_assert_int_eq(e->type, REDIS_REPLY_ARRAY);
        ck_assert_uint_eq(e->elements, 14);
        for (size_t j = 0; j < 14; j++) {
            if (want[i][j] == NULL) continue;
            if (e->element[j]->type == REDIS_REPLY_INTEGER) {
                ck_assert_int_eq(e->element[j]->integer, atoll(want[i][j]));
            } else {
                ck_assert_int_eq(e->element[j]->type, REDIS_REPLY_STRING);
                ck_assert_str_eq(e->element[j]->str, want[i][j]);
            }
        }
    }
    ck_assert_int_eq(r->element[0]->element[11]->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "DEL", "b");
    HS_EXPECT_ERROR(ctl, "ERR no such fault 'b'", "MINIRED", "FAULT", "DEL", "b");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "RESET");
    r = hs_command(ctl, HS_ARGS("MINIRED", "FAULT", "LIST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 0);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_list_resp3) {
    /* hiredis here speaks RESP2 only: the RESP3 shape is checked byte for
     * byte (a map per fault, a double, a null). */
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "p", "ANY", "DROP-REPLY", "PROBABILITY", "0.25");
    int fd = raw_resp3();
    expect_exchange(fd, "MINIRED FAULT LIST\r\n",
                    "*1\r\n%7\r\n$2\r\nid\r\n$1\r\np\r\n$5\r\nmatch\r\n$3\r\nANY\r\n"
                    "$6\r\naction\r\n$10\r\nDROP-REPLY\r\n$5\r\ncount\r\n:-1\r\n"
                    "$11\r\nprobability\r\n,0.25\r\n$6\r\nclient\r\n_\r\n$5\r\nfired\r\n:0\r\n",
                    0);
    expect_exchange(fd, "MINIRED FAULT RESET\r\nMINIRED FAULT LIST\r\n", "+OK\r\n*0\r\n", 0);
    close(fd);
    /* The same list in RESP2: a flat array, the double as a bulk string. */
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "q", "ANY", "CLOSE", "CLIENT", "x");
    fd = hs_raw_connect(srv);
    expect_exchange(fd, "MINIRED FAULT LIST\r\n",
                    "*1\r\n*14\r\n$2\r\nid\r\n$1\r\nq\r\n$5\r\nmatch\r\n$3\r\nANY\r\n"
                    "$6\r\naction\r\n$12\r\nCLOSE BEFORE\r\n$5\r\ncount\r\n:-1\r\n"
                    "$11\r\nprobability\r\n$1\r\n1\r\n$6\r\nclient\r\n$1\r\nx\r\n$5\r\nfired\r\n:0\r\n",
                    0);
    close(fd);
}
END_TEST

START_TEST(test_bad_arguments) {
    HS_EXPECT_ARITY(ctl, "minired|fault", "MINIRED", "FAULT");
    HS_EXPECT_ARITY(ctl, "minired|fault", "MINIRED", "FAULT", "ADD", "x", "ANY");
    HS_EXPECT_ARITY(ctl, "minired|fault", "MINIRED", "FAULT", "DEL");
    HS_EXPECT_ARITY(ctl, "minired|fault", "MINIRED", "FAULT", "LIST", "x");
    HS_EXPECT_ARITY(ctl, "minired|fault", "MINIRED", "FAULT", "RESET", "x");
    HS_EXPECT_ERROR(ctl, "ERR unknown MINIRED FAULT operation 'nope'. Try MINIRED HELP.", "MINIRED", "FAULT",
                    "nope");
    HS_EXPECT_ERROR(ctl, "ERR unknown fault match 'FOO' (expected ANY, COMMAND <name> or KEY <pattern>)", "MINIRED",
                    "FAULT", "ADD", "x", "FOO", "DROP-REPLY");
    HS_EXPECT_ERROR(ctl, "ERR unknown fault action 'BOOM' (expected ERROR, DELAY, CLOSE, DROP-REPLY, PARTIAL or "
                         "SLOW-READ)",
                    "MINIRED", "FAULT", "ADD", "x", "ANY", "BOOM");
    HS_EXPECT_ERROR(ctl, "ERR a fault needs an action after its match", "MINIRED", "FAULT", "ADD", "x", "COMMAND",
                    "get");
    HS_EXPECT_ERROR(ctl, "ERR DELAY needs an argument", "MINIRED", "FAULT", "ADD", "x", "ANY", "DELAY");
    HS_EXPECT_ERROR(ctl, "ERR DELAY must be an integer between 0 and 3600000", "MINIRED", "FAULT", "ADD", "x",
                    "ANY", "DELAY", "-1");
    HS_EXPECT_ERROR(ctl, "ERR SLOW-READ must be an integer between 0 and 3600000", "MINIRED", "FAULT", "ADD", "x",
                    "ANY", "SLOW-READ", "1.5");
    HS_EXPECT_ERROR_PREFIX(ctl, "ERR PARTIAL must be an integer between 0 and", "MINIRED", "FAULT", "ADD", "x",
                           "ANY", "PARTIAL", "abc");
    HS_EXPECT_ERROR_PREFIX(ctl, "ERR COUNT must be an integer between 1 and", "MINIRED", "FAULT", "ADD", "x", "ANY",
                           "DROP-REPLY", "COUNT", "0");
    HS_EXPECT_ERROR(ctl, "ERR PROBABILITY must be a number between 0 and 1", "MINIRED", "FAULT", "ADD", "x", "ANY",
                    "DROP-REPLY", "PROBABILITY", "1.5");
    HS_EXPECT_ERROR(ctl, "ERR PROBABILITY must be a number between 0 and 1", "MINIRED", "FAULT", "ADD", "x", "ANY",
                    "DROP-REPLY", "PROBABILITY", "nan");
    HS_EXPECT_ERROR(ctl, "ERR unknown fault option 'TIMES' (expected COUNT, PROBABILITY or CLIENT)", "MINIRED",
                    "FAULT", "ADD", "x", "ANY", "DROP-REPLY", "TIMES", "3");
    HS_EXPECT_ERROR(ctl, "ERR CLIENT needs an argument", "MINIRED", "FAULT", "ADD", "x", "ANY", "DROP-REPLY",
                    "CLIENT");
    HS_EXPECT_ERROR(ctl, "ERR ERROR text must be non-empty and hold no CR, LF or NUL", "MINIRED", "FAULT", "ADD",
                    "x", "ANY", "ERROR", "");
    HS_EXPECT_ERROR(ctl, "ERR COMMAND needs a command name, or container|subcommand", "MINIRED", "FAULT", "ADD",
                    "x", "COMMAND", "config|", "DROP-REPLY");
    HS_EXPECT_ARITY(ctl, "minired|fault", "MINIRED", "FAULT", "ADD", "x", "KEY");
    HS_EXPECT_ERROR(ctl, "ERR COUNT needs an argument", "MINIRED", "FAULT", "ADD", "x", "ANY", "PARTIAL", "3",
                    "STALL", "COUNT");
    HS_EXPECT_ERROR(ctl, "ERR ERROR text must be non-empty and hold no CR, LF or NUL", "MINIRED", "FAULT", "ADD",
                    "x", "ANY", "ERROR", "-");
    HS_EXPECT_ERROR(ctl, "ERR ERROR text must be non-empty and hold no CR, LF or NUL", "MINIRED", "FAULT", "ADD",
                    "x", "ANY", "ERROR", "a\r\nb");
    HS_EXPECT_ERROR(ctl, "ERR unknown fault option 'BEFORE' (expected COUNT, PROBABILITY or CLIENT)", "MINIRED",
                    "FAULT", "ADD", "x", "ANY", "DROP-REPLY", "BEFORE");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "x", "ANY", "DROP-REPLY", "PROBABILITY", "0");
    HS_EXPECT_ERROR(ctl, "ERR fault 'x' already exists", "MINIRED", "FAULT", "ADD", "x", "ANY", "CLOSE");
    /* Nothing half-parsed was kept. */
    redisReply *r = hs_command(ctl, HS_ARGS("MINIRED", "FAULT", "LIST"));
    ck_assert_uint_eq(r->elements, 1);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_error_action) {
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "l", "COMMAND", "set", "ERROR",
                 "LOADING Redis is loading the dataset in memory");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "m", "KEY", "slot:*", "ERROR", "-MOVED 3999 127.0.0.1:6381");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "e", "COMMAND", "incr", "ERROR", "something went wrong");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "b", "COMMAND", "script|kill", "ERROR", "BUSY busy");
    int fd = hs_raw_connect(srv);
    expect_exchange(fd, "SET k v\r\n", "-LOADING Redis is loading the dataset in memory\r\n", 0);
    expect_exchange(fd, "GET slot:1\r\n", "-MOVED 3999 127.0.0.1:6381\r\n", 0);
    expect_exchange(fd, "INCR n\r\n", "-ERR something went wrong\r\n", 0);
    expect_exchange(fd, "SCRIPT KILL\r\n", "-BUSY busy\r\n", 0);
    expect_exchange(fd, "GET k\r\n", "$-1\r\n", 0);
    /* KEY looks at every key the command names; a command that cannot
     * run has no keys and gets its own error. */
    expect_exchange(fd, "MSET a 1 slot:2 2\r\n", "-MOVED 3999 127.0.0.1:6381\r\n", 0);
    expect_exchange(fd, "GET slot:1 extra\r\n", "-ERR wrong number of arguments for 'get' command\r\n", 0);
    /* Only what the client sends is matched, not a script's own calls. */
    expect_exchange(fd, "EVAL \"return redis.call('set','k','v')\" 0\r\n", "+OK\r\n", 0);
    HS_EXPECT_BULK(ctl, "v", "GET", "k");
    HS_EXPECT_INT(ctl, 1, "DEL", "k");
    close(fd);
    /* The same bytes in RESP3. */
    fd = raw_resp3();
    expect_exchange(fd, "SET k v\r\n", "-LOADING Redis is loading the dataset in memory\r\n", 0);
    expect_exchange(fd, "GET slot:x\r\n", "-MOVED 3999 127.0.0.1:6381\r\n", 0);
    expect_exchange(fd, "GET k\r\n", "_\r\n", 0);
    close(fd);
    /* The dataset is untouched; the controlling client is exempt. */
    HS_EXPECT_INT(ctl, 0, "EXISTS", "k", "n");
    HS_EXPECT_OK(ctl, "SET", "k", "mine");
    HS_EXPECT_INT(ctl, 1, "INCR", "n");
}
END_TEST

START_TEST(test_count_client_probability) {
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "twice", "COMMAND", "ping", "ERROR", "TRYAGAIN later", "COUNT",
                 "2");
    int fd = hs_raw_connect(srv);
    expect_exchange(fd, "PING\r\nPING\r\nPING\r\n", "-TRYAGAIN later\r\n-TRYAGAIN later\r\n+PONG\r\n", 0);
    redisReply *r = hs_command(ctl, HS_ARGS("MINIRED", "FAULT", "LIST"));
    ck_assert_uint_eq(r->elements, 0); /* spent: removed itself */
    freeReplyObject(r);
    /* CLIENT by name: only the named connection. */
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "named", "ANY", "ERROR", "READONLY no", "CLIENT", "app");
    /* The name counts from the command after SETNAME. */
    expect_exchange(fd, "CLIENT SETNAME app\r\nPING\r\n", "+OK\r\n-READONLY no\r\n", 0);
    int other = hs_raw_connect(srv);
    expect_exchange(other, "CLIENT SETNAME web\r\nPING\r\n", "+OK\r\n+PONG\r\n", 0);
    expect_exchange(fd, "PING\r\n", "-READONLY no\r\n", 0);
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "RESET");
    /* CLIENT by id. */
    int closed = 0;
    hs_buf idr = raw_exchange(fd, "CLIENT ID\r\n", &closed);
    ck_assert(idr.len > 3 && idr.data[0] == ':');
    char id[32];
    snprintf(id, sizeof(id), "%lld", atoll(idr.data + 1));
    hs_buf_free(&idr);
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "byid", "ANY", "ERROR", "OOM full", "CLIENT", id);
    expect_exchange(fd, "PING\r\n", "-OOM full\r\n", 0);
    expect_exchange(other, "PING\r\n", "+PONG\r\n", 0);
    /* PROBABILITY 0 never fires: the next fault does. */
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "RESET");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "never", "ANY", "ERROR", "NOREPLICAS x", "PROBABILITY", "0");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "always", "ANY", "ERROR", "MASTERDOWN y", "PROBABILITY", "1");
    expect_exchange(other, "PING\r\n", "-MASTERDOWN y\r\n", 0);
    r = hs_command(ctl, HS_ARGS("MINIRED", "FAULT", "LIST"));
    ck_assert_int_eq(r->element[0]->element[13]->integer, 0);
    ck_assert_int_eq(r->element[1]->element[13]->integer, 1);
    freeReplyObject(r);
    close(fd);
    close(other);
}
END_TEST

START_TEST(test_pipeline_and_multi) {
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "d", "COMMAND", "get", "DROP-REPLY");
    int fd = hs_raw_connect(srv);
    expect_exchange(fd, "SET k v\r\nGET k\r\nPING\r\nGET k\r\nECHO e\r\n", "+OK\r\n+PONG\r\n$1\r\ne\r\n", 0);
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "RESET");
    /* Inside MULTI a fault meets each command as it is queued: an ERROR
     * dooms the transaction as a refusal would. */
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "q", "COMMAND", "incr", "ERROR", "LOADING wait");
    expect_exchange(fd, "MULTI\r\nSET a 1\r\nINCR a\r\nEXEC\r\n",
                    "+OK\r\n+QUEUED\r\n-LOADING wait\r\n"
                    "-EXECABORT Transaction discarded because of previous errors.\r\n",
                    0);
    HS_EXPECT_INT(ctl, 0, "EXISTS", "a");
    /* An ERROR on EXEC discards the transaction, dataset untouched. */
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "x", "COMMAND", "exec", "ERROR", "MOVED 1 127.0.0.1:1");
    expect_exchange(fd, "MULTI\r\nSET a 1\r\nEXEC\r\nEXEC\r\n",
                    "+OK\r\n+QUEUED\r\n-MOVED 1 127.0.0.1:1\r\n-MOVED 1 127.0.0.1:1\r\n", 0);
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "DEL", "x");
    expect_exchange(fd, "EXEC\r\n", "-ERR EXEC without MULTI\r\n", 0);
    HS_EXPECT_INT(ctl, 0, "EXISTS", "a");
    /* DROP-REPLY on EXEC: it ran, its reply is gone, later replies come. */
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "y", "COMMAND", "exec", "DROP-REPLY");
    expect_exchange(fd, "MULTI\r\nSET a 1\r\nEXEC\r\nGET a\r\n", "+OK\r\n+QUEUED\r\n$1\r\n1\r\n", 0);
    /* MULTI itself with a MINIRED inside: the client becomes exempt. */
    close(fd);
}
END_TEST

START_TEST(test_close_before_after) {
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "b", "COMMAND", "set", "CLOSE", "BEFORE");
    int fd = hs_raw_connect(srv);
    /* Replies already queued go out first. */
    expect_exchange(fd, "PING\r\nSET k v\r\nPING\r\n", "+PONG\r\n", 1);
    close(fd);
    fd = hs_raw_connect(srv);
    expect_exchange(fd, "SET k v\r\n", "", 1);
    close(fd);
    HS_EXPECT_INT(ctl, 0, "EXISTS", "k");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "a", "COMMAND", "incr", "CLOSE", "AFTER");
    fd = hs_raw_connect(srv);
    expect_exchange(fd, "INCR n\r\n", "", 1);
    close(fd);
    HS_EXPECT_BULK(ctl, "1", "GET", "n");
    fd = raw_resp3();
    expect_exchange(fd, "INCR n\r\n", "", 1);
    close(fd);
    HS_EXPECT_BULK(ctl, "2", "GET", "n");
}
END_TEST

START_TEST(test_delay_does_not_block_others) {
    HS_EXPECT_OK(ctl, "SET", "k", "v");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "slow", "COMMAND", "get", "DELAY", "500");
    int fd = hs_raw_connect(srv), other = hs_raw_connect(srv);
    long long start = now_ms();
    HS_RAW_SEND_STR(fd, "GET k\r\nPING\r\n");
    usleep(50 * 1000);
    HS_RAW_SEND_STR(other, "PING\r\n");
    hs_buf pong = hs_raw_read_n(other, 7, 2000);
    long long pong_ms = now_ms() - start;
    HS_CHECK_BYTES(pong, "+PONG\r\n");
    hs_buf_free(&pong);
    ck_assert_msg(pong_ms < 400, "another client's PING took %lld ms while a DELAY 500 was pending", pong_ms);
    /* The delayed reply, then the pipelined one after it, in order. */
    hs_buf got = hs_raw_read_n(fd, 14, 3000);
    long long got_ms = now_ms() - start;
    HS_CHECK_BYTES(got, "$1\r\nv\r\n+PONG\r\n");
    hs_buf_free(&got);
    ck_assert_msg(got_ms >= 450, "the delayed reply came after %lld ms", got_ms);
    close(fd);
    close(other);
    /* RESP3, and a delayed client that goes away meanwhile. */
    fd = raw_resp3();
    HS_RAW_SEND_STR(fd, "GET k\r\n");
    close(fd);
    usleep(600 * 1000);
    HS_EXPECT_STATUS(ctl, "PONG", "PING");
}
END_TEST

START_TEST(test_partial) {
    HS_EXPECT_OK(ctl, "SET", "k", "hello");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "s", "COMMAND", "get", "PARTIAL", "4", "COUNT", "1");
    int fd = hs_raw_connect(srv);
    /* Stalled: the first bytes, then nothing, not even for later input. */
    expect_exchange(fd, "PING\r\nGET k\r\nPING\r\n", "+PONG\r\n$5\r\n", 0);
    expect_exchange(fd, "PING\r\n", "", 0);
    close(fd);
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "c", "COMMAND", "get", "PARTIAL", "6", "CLOSE");
    fd = raw_resp3();
    expect_exchange(fd, "GET k\r\n", "$5\r\nhe", 1);
    close(fd);
    /* More bytes than the reply: all of it, then the close. */
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "DEL", "c");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "c", "COMMAND", "get", "PARTIAL", "100", "CLOSE");
    fd = hs_raw_connect(srv);
    expect_exchange(fd, "GET k\r\n", "$5\r\nhello\r\n", 1);
    close(fd);
}
END_TEST

START_TEST(test_partial_big_reply) {
    /* A reply past the fixed buffer: the cut lands inside the block chain. */
    char big[40000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    HS_EXPECT_OK(ctl, "SET", "big", big);
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "c", "COMMAND", "get", "PARTIAL", "30000", "CLOSE");
    int fd = hs_raw_connect(srv);
    int closed = 0;
    hs_buf got = raw_exchange(fd, "GET big\r\n", &closed);
    ck_assert_uint_eq(got.len, 30000);
    ck_assert(memcmp(got.data, "$39999\r\nxxx", 11) == 0);
    ck_assert_int_eq(closed, 1);
    hs_buf_free(&got);
    close(fd);
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "RESET");
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "d", "COMMAND", "get", "DROP-REPLY");
    fd = hs_raw_connect(srv);
    expect_exchange(fd, "GET big\r\nPING\r\n", "+PONG\r\n", 0);
    close(fd);
}
END_TEST

START_TEST(test_slow_read) {
    HS_EXPECT_OK(ctl, "MINIRED", "FAULT", "ADD", "s", "COMMAND", "echo", "SLOW-READ", "400", "COUNT", "1");
    int fd = hs_raw_connect(srv);
    long long start = now_ms();
    /* The matching command is answered; what follows waits. */
    expect_exchange(fd, "ECHO a\r\nPING\r\n", "$1\r\na\r\n", 0);
    hs_buf got = hs_raw_read_n(fd, 7, 2000);
    HS_CHECK_BYTES(got, "+PONG\r\n");
    hs_buf_free(&got);
    ck_assert_msg(now_ms() - start >= 350, "SLOW-READ let input through after %lld ms", now_ms() - start);
    /* Reading resumed for good. */
    expect_exchange(fd, "PING\r\n", "+PONG\r\n", 0);
    close(fd);
}
END_TEST

START_TEST(test_help_lists_fault) {
    redisReply *r = hs_command(ctl, HS_ARGS("MINIRED", "HELP"));
    int seen = 0;
    for (size_t i = 0; i < r->elements; i++)
        if (strstr(r->element[i]->str, "SLOW-READ")) seen = 1;
    ck_assert_msg(seen, "MINIRED HELP does not describe the fault actions");
    freeReplyObject(r);
    /* COMMAND DOCS carries the grammar as an argument tree. */
    /* (Read raw: the tree is deeper than hiredis nests.) */
    int fd = hs_raw_connect(srv), closed = 0;
    hs_buf dump = raw_exchange(fd, "COMMAND DOCS minired|fault\r\n", &closed);
    close(fd);
    ck_assert(dump.len > 0 && dump.data[0] == '*');
    const char *const tokens[] = {"oneof", "ADD", "DEL", "LIST", "RESET", "ANY", "COMMAND", "KEY", "ERROR", "DELAY",
                                  "CLOSE", "BEFORE", "AFTER", "DROP-REPLY", "PARTIAL", "STALL", "SLOW-READ",
                                  "COUNT", "PROBABILITY", "CLIENT", NULL};
    for (int i = 0; tokens[i]; i++)
        ck_assert_msg(strstr(dump.data, tokens[i]) != NULL, "COMMAND DOCS minired|fault lacks %s", tokens[i]);
    hs_buf_free(&dump);
}
END_TEST

static Suite *fault_suite(void) {
    Suite *s = suite_create("fault");
    TCase *tc = hs_tcase(s, "fault");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_refused_while_disabled);
    tcase_add_test(tc, test_add_list_del_reset);
    tcase_add_test(tc, test_list_resp3);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_error_action);
    tcase_add_test(tc, test_count_client_probability);
    tcase_add_test(tc, test_pipeline_and_multi);
    tcase_add_test(tc, test_close_before_after);
    tcase_add_test(tc, test_delay_does_not_block_others);
    tcase_add_test(tc, test_partial);
    tcase_add_test(tc, test_partial_big_reply);
    tcase_add_test(tc, test_slow_read);
    tcase_add_test(tc, test_help_lists_fault);
    return s;
}

int main(void) {
    return hs_run_suite(fault_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
