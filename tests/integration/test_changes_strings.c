/* test_changes_strings.c -- the change path of the string, bit and generic
 * key commands: how far each moves the dirty counter (INFO
 * rdb_changes_since_last_save), whether it fails a WATCHing transaction,
 * the effects it propagates (DEBUG EFFECTS), one test per rewrite rule,
 * and the keyspace events it publishes.
 *
 * Every expected figure, text and effect was read from Redis 7.0.15 (its
 * INFO delta and its replication stream) for the same command on the same
 * data. Commands are written as one space-separated string ('' stands for
 * an empty argument); effects as "CMD arg ...|CMD arg ..." where a token
 * "@+N" is an absolute unix-ms time N ms after the command ran; events as
 * "event key|..." (keyevent channel; "event@db key" outside database 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "harness.h"

/* Slack for "@+N" times: the server's clock read vs the test's. */
#define TIME_SLACK_MS 5000

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

static long long unix_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void run_all(redisContext *c, const char *const *lines) {
    for (int i = 0; lines && lines[i]; i++) freeReplyObject(hs_command_line(c, lines[i]));
}


/* ---------------------------------------------------------- dirty */

struct dirty_case {
    const char *const *setup;
    const char *cmd;
    long long delta;
};

#define SETUP(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Each figure is Redis 7.0's delta for the command on that data. */
static const struct dirty_case dirty_cases[] = {
    {NULL, "SET k v", 1},
    {SETUP("SET k v"), "SET k v NX", 0},
    {NULL, "SET k v XX", 0},
    {SETUP("SET k v"), "SET k w GET", 1},
    {NULL, "SET k v EX 100", 1},
    {NULL, "SETNX k v", 1},
    {SETUP("SET k v"), "SETNX k v", 0},
    {NULL, "SETEX k 100 v", 1},
    {NULL, "GETSET k v", 1},
    {SETUP("SET k v"), "GETDEL k", 1},
    {NULL, "GETDEL k", 0},
    {SETUP("SET k v"), "GETEX k", 0},
    {SETUP("SET k v"), "GETEX k PERSIST", 0},
    {SETUP("SET k v EX 100"), "GETEX k PERSIST", 1},
    {SETUP("SET k v"), "GETEX k EX 100", 1},
    {SETUP("SET k v"), "GETEX k EXAT 1", 1},
    {NULL, "MSET a 1 b 2 c 3", 3},
    {NULL, "MSET a 1 a 2", 2},
    {NULL, "MSETNX a 1 b 2", 2},
    {SETUP("SET a x"), "MSETNX a 1 b 2", 0},
    {SETUP("SET k v"), "APPEND k ''", 1},
    {SETUP("SET k 5"), "INCRBY k 0", 1},
    {NULL, "INCRBYFLOAT k 1.5", 1},
    {SETUP("SET k hello"), "SETRANGE k 1 ''", 0},
    {SETUP("SET k hello"), "SETRANGE k 1 abc", 1},
    {NULL, "SETBIT k 7 0", 1},
    {SETUP("SETBIT k 7 1"), "SETBIT k 7 1", 0},
    {SETUP("SETBIT k 7 1"), "SETBIT k 7 0", 1},
    {SETUP("SETBIT k 7 1"), "SETBIT k 100 0", 1},
    {SETUP("SET a abc", "SET b xyz"), "BITOP AND d a b", 1},
    {SETUP("SET d q"), "BITOP AND d x y", 1},
    {NULL, "BITOP AND d x y", 0},
    {SETUP("SET k a"), "BITFIELD k SET u8 0 97", 0},
    {SETUP("SET k a"), "BITFIELD k SET u8 0 97 SET u8 0 98", 1},
    {SETUP("SET k a"), "BITFIELD k SET u8 0 97 SET u8 8 0", 2},
    {SETUP("SET k a"), "BITFIELD k SET u8 0 98 GET u8 0 INCRBY u8 0 1", 2},
    {NULL, "BITFIELD k OVERFLOW FAIL INCRBY u8 0 300", 0},
    {NULL, "BITFIELD k OVERFLOW FAIL INCRBY u8 0 300 SET u8 0 1", 1},
    {SETUP("SET a 1", "SET b 2"), "DEL a b c", 2},
    {SETUP("SET a 1", "SET b 2"), "UNLINK a b c", 2},
    {SETUP("SET a 1", "SET b 2"), "FLUSHDB", 2},
    {SETUP("SET a 1", "SELECT 1", "SET b 2", "SET c 3", "SELECT 0"), "FLUSHALL", 3},
    {SETUP("SET a 1", "SET b 2"), "FLUSHALL ASYNC", 2},
    {NULL, "FLUSHALL", 0},
    {NULL, "SWAPDB 0 1", 1},
    {NULL, "SWAPDB 0 0", 1},
    {SETUP("SET a 1", "SET b 2"), "RENAME a b", 1},
    {SETUP("SET a 1"), "RENAME a a", 0},
    {SETUP("SET a 1", "SET b 2"), "RENAMENX a b", 0},
    {SETUP("SET a 1"), "COPY a b", 1},
    {SETUP("SET a 1", "SET b 2"), "COPY a b", 0},
    {SETUP("SET a 1"), "MOVE a 1", 1},
    {SETUP("SET a 1"), "EXPIRE a 100", 1},
    {SETUP("SET a 1"), "EXPIRE a -1", 1},
    {SETUP("SET a 1 EX 100"), "EXPIRE a 200 NX", 0},
    {SETUP("SET a 1 EX 100"), "EXPIRE a 50 GT", 0},
    {SETUP("SET a 1"), "PERSIST a", 0},
    {SETUP("SET a 1 EX 100"), "PERSIST a", 1},
    {SETUP("SET a 1"), "GET a", 0},
    {NULL, "DEBUG POPULATE 3", 0},
};

START_TEST(test_dirty_per_command) {
    for (size_t i = 0; i < sizeof(dirty_cases) / sizeof(dirty_cases[0]); i++) {
        const struct dirty_case *dc = &dirty_cases[i];
        HS_EXPECT_OK(ctx, "FLUSHALL");
        run_all(ctx, dc->setup);
        long long before = hs_dirty(ctx);
        freeReplyObject(hs_command_line(ctx, dc->cmd));
        long long delta = hs_dirty(ctx) - before;
        ck_assert_msg(delta == dc->delta, "%s: dirty moved by %lld, Redis 7.0 by %lld", dc->cmd, delta, dc->delta);
    }
}
END_TEST

/* ---------------------------------------------------------- WATCH */

/* WATCHes key on ctx, runs cmd on another connection, and returns 1 if
 * ctx's transaction then still runs (EXEC gives an array, not nil). */
static int exec_survives(const char *const *setup_cmds, const char *key, const char *cmd) {
    HS_EXPECT_OK(ctx, "FLUSHALL");
    run_all(ctx, setup_cmds);
    redisContext *other = hs_connect(srv);
    HS_EXPECT_OK(ctx, "WATCH", key);
    freeReplyObject(hs_command_line(other, cmd));
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "PING");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    int survived = r->type == REDIS_REPLY_ARRAY;
    ck_assert_msg(survived || r->type == REDIS_REPLY_NIL, "EXEC: unexpected reply type %d", r->type);
    freeReplyObject(r);
    redisFree(other);
    return survived;
}

START_TEST(test_watch_unchanged_keeps_transaction) {
    ck_assert_msg(exec_survives(SETUP("SET k v"), "k", "SET k w NX"), "SET NX on an existing key");
    ck_assert_msg(exec_survives(NULL, "k", "SET k w XX"), "SET XX on a missing key");
    ck_assert_msg(exec_survives(SETUP("SETBIT k 3 1"), "k", "SETBIT k 3 1"), "SETBIT to the same value");
    ck_assert_msg(exec_survives(SETUP("SET k v EX 100"), "k", "EXPIRE k 200 NX"), "EXPIRE NX on a key with a TTL");
    ck_assert_msg(exec_survives(SETUP("SET k v"), "k", "PERSIST k"), "PERSIST of a key without TTL");
    ck_assert_msg(exec_survives(SETUP("SET k v"), "k", "GETEX k"), "GETEX without options");
    ck_assert_msg(exec_survives(SETUP("SET k a"), "k", "BITFIELD k SET u8 0 97"), "BITFIELD same value");
    ck_assert_msg(exec_survives(SETUP("SET k a"), "k", "SETBIT k 1 1"), "SETBIT same bit of an embstr");
    ck_assert_msg(exec_survives(SETUP("SET k 12"), "k", "SETBIT k 2 1"), "SETBIT same bit of an int");
    ck_assert_msg(exec_survives(SETUP("SET k v"), "k", "SETRANGE k 0 ''"), "SETRANGE of nothing");
    ck_assert_msg(exec_survives(SETUP("SET a x"), "b", "MSETNX a 1 b 2"), "MSETNX that set nothing");
    ck_assert_msg(exec_survives(SETUP("SET k v", "SET d x"), "d", "RENAMENX k d"), "RENAMENX refused");
    ck_assert_msg(exec_survives(SETUP("SET k v"), "k", "COPY k k2"), "COPY reads its source");
    ck_assert_msg(exec_survives(NULL, "k", "DEL k"), "DEL of a missing key");
}
END_TEST

START_TEST(test_watch_changed_fails_transaction) {
    ck_assert_msg(!exec_survives(NULL, "k", "SET k w NX"), "SET NX that set");
    ck_assert_msg(!exec_survives(SETUP("SETBIT k 3 1"), "k", "SETBIT k 3 0"), "SETBIT that flipped");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "k", "EXPIRE k 200 NX"), "EXPIRE NX that set a TTL");
    ck_assert_msg(!exec_survives(SETUP("SET k v EX 100"), "k", "PERSIST k"), "PERSIST that removed a TTL");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "k", "APPEND k x"), "APPEND in place");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "k", "SETRANGE k 0 x"), "SETRANGE in place");
    ck_assert_msg(!exec_survives(SETUP("SET k 1000"), "k", "INCR k"), "INCR in place");
    ck_assert_msg(!exec_survives(SETUP("SET k a"), "k", "BITFIELD k INCRBY u8 0 1"), "BITFIELD that changed");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "k", "GETEX k EX 100"), "GETEX EX");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "k", "GETDEL k"), "GETDEL");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "k", "DEL k"), "DEL");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "k", "EXPIRE k 0"), "EXPIRE in the past");
    ck_assert_msg(!exec_survives(SETUP("SET d abc"), "d", "BITOP AND d x y"), "BITOP deleting its destination");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "k", "RENAME k d"), "RENAME source");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "d", "RENAME k d"), "RENAME destination");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "k", "MOVE k 1"), "MOVE source");
    ck_assert_msg(!exec_survives(SETUP("SET k v"), "k2", "COPY k k2"), "COPY destination");
}
END_TEST

/* ---------------------------------------------------------- effects */

/* Parses RESP commands in buf into "CMD arg ...|CMD arg ..." (caller
 * frees). */
static hs_buf effects_text(const char *p, size_t len) {
    hs_buf out = {0};
    const char *end = p + len;
    while (p < end) {
        ck_assert_msg(*p == '*', "effect does not start with '*': %.40s", p);
        long n = strtol(p + 1, (char **)&p, 10);
        p += 2;
        if (out.len) hs_buf_cat(&out, "|", 1);
        for (long i = 0; i < n; i++) {
            ck_assert_msg(*p == '$', "argument does not start with '$'");
            long alen = strtol(p + 1, (char **)&p, 10);
            p += 2;
            if (i) hs_buf_cat(&out, " ", 1);
            hs_buf_cat(&out, p, (size_t)alen);
            p += alen + 2;
        }
    }
    return out;
}

/* Does got's token match want's ("@+N": a unix ms near now + N)? */
static int token_matches(const char *got, size_t got_len, const char *want, size_t want_len, long long t0) {
    if (want_len > 2 && want[0] == '@' && want[1] == '+') {
        long long expect = t0 + strtoll(want + 2, NULL, 10);
        long long v = strtoll(got, NULL, 10);
        return got_len >= 10 && v >= expect - TIME_SLACK_MS && v <= expect + TIME_SLACK_MS;
    }
    return got_len == want_len && memcmp(got, want, got_len) == 0;
}

/* Compares effects token by token (split at ' ' and '|'). */
static int effects_match(const char *got, const char *want, long long t0) {
    for (;;) {
        size_t gl = strcspn(got, " |"), wl = strcspn(want, " |");
        if (!token_matches(got, gl, want, wl, t0) || got[gl] != want[wl]) return 0;
        if (got[gl] == '\0') return 1;
        got += gl + 1;
        want += wl + 1;
    }
}

/* Runs setup (effects discarded), then cmd, and checks the effects it
 * propagated. */
static void check_effects(const char *file, int line, const char *const *setup_cmds, const char *cmd,
                          const char *want) {
    HS_EXPECT_OK(ctx, "FLUSHALL");
    run_all(ctx, setup_cmds);
    freeReplyObject(hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET")));
    long long t0 = unix_ms();
    freeReplyObject(hs_command_line(ctx, cmd));
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    hs_buf got = effects_text(r->str, r->len);
    freeReplyObject(r);
    const char *g = got.data ? got.data : "";
    ck_assert_msg(effects_match(g, want, t0), "%s:%d: %s: effects [%s], Redis 7.0's [%s]", file, line, cmd, g, want);
    hs_buf_free(&got);
}
#define EXPECT_EFFECTS(setup_cmds, cmd, want) check_effects(__FILE__, __LINE__, setup_cmds, cmd, want)

static void effects_setup(void) {
    setup();
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
    HS_EXPECT_OK(ctx, "FLUSHALL"); /* the stream is now in database 0 */
}

START_TEST(test_effects_set_with_time_becomes_pxat) {
    EXPECT_EFFECTS(NULL, "SET k v EX 100", "SET k v PXAT @+100000");
    EXPECT_EFFECTS(NULL, "SET k v PX 100000", "SET k v PXAT @+100000");
    EXPECT_EFFECTS(NULL, "SET k v EXAT 4102444800", "SET k v PXAT 4102444800000");
    /* NX, XX, GET and KEEPTTL are dropped once there is a time. */
    EXPECT_EFFECTS(NULL, "SET k v NX EX 100", "SET k v PXAT @+100000");
    EXPECT_EFFECTS(NULL, "SET k v NX PXAT 4102444800000", "SET k v PXAT 4102444800000");
    EXPECT_EFFECTS(NULL, "SET k v GET EX 100", "SET k v PXAT @+100000");
    /* A time already past still sets (and replays) the key. */
    EXPECT_EFFECTS(NULL, "SET k v EXAT 1", "SET k v PXAT 1000");
}
END_TEST

START_TEST(test_effects_set_get_dropped) {
    EXPECT_EFFECTS(SETUP("SET k v"), "SET k w GET", "SET k w");
    EXPECT_EFFECTS(SETUP("SET k v"), "SET k w get xx", "SET k w xx");
    EXPECT_EFFECTS(NULL, "SET k v GET GET", "SET k v");
    EXPECT_EFFECTS(NULL, "SET k v nx KEEPTTL GET", "SET k v nx KEEPTTL");
    EXPECT_EFFECTS(NULL, "SET k v NX", "SET k v NX");
    EXPECT_EFFECTS(SETUP("SET k v"), "SET k w NX GET", "");
}
END_TEST

START_TEST(test_effects_setex_psetex) {
    EXPECT_EFFECTS(NULL, "SETEX k 100 v", "SET k v PXAT @+100000");
    EXPECT_EFFECTS(NULL, "PSETEX k 100000 v", "SET k v PXAT @+100000");
    EXPECT_EFFECTS(NULL, "SETNX k v", "SETNX k v");
}
END_TEST

START_TEST(test_effects_getex) {
    EXPECT_EFFECTS(SETUP("SET k v"), "GETEX k EX 100", "PEXPIREAT k @+100000");
    EXPECT_EFFECTS(SETUP("SET k v"), "GETEX k PX 100000", "PEXPIREAT k @+100000");
    EXPECT_EFFECTS(SETUP("SET k v"), "GETEX k PXAT 4102444800000", "PEXPIREAT k 4102444800000");
    EXPECT_EFFECTS(SETUP("SET k v EX 100"), "GETEX k PERSIST", "PERSIST k");
    EXPECT_EFFECTS(SETUP("SET k v"), "GETEX k PERSIST", "");
    EXPECT_EFFECTS(SETUP("SET k v"), "GETEX k", "");
    EXPECT_EFFECTS(SETUP("SET k v"), "GETEX k EXAT 1", "DEL k");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "lazyfree-lazy-expire", "yes");
    EXPECT_EFFECTS(SETUP("SET k v"), "GETEX k EXAT 1", "UNLINK k");
}
END_TEST

START_TEST(test_effects_getset_getdel) {
    EXPECT_EFFECTS(SETUP("SET k v"), "GETSET k w", "SET k w");
    EXPECT_EFFECTS(NULL, "GETSET k w", "SET k w");
    EXPECT_EFFECTS(SETUP("SET k v"), "GETDEL k", "DEL k");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "lazyfree-lazy-user-del", "yes");
    EXPECT_EFFECTS(SETUP("SET k v"), "GETDEL k", "UNLINK k");
    EXPECT_EFFECTS(NULL, "GETDEL k", "");
}
END_TEST

START_TEST(test_effects_incrbyfloat_is_set_keepttl) {
    EXPECT_EFFECTS(SETUP("SET k 5"), "INCRBYFLOAT k 1.5", "SET k 6.5 KEEPTTL");
    EXPECT_EFFECTS(NULL, "INCRBYFLOAT k 0.1", "SET k 0.1 KEEPTTL");
    EXPECT_EFFECTS(SETUP("SET k 5"), "INCRBY k 2", "INCRBY k 2");
}
END_TEST

START_TEST(test_effects_expire_becomes_pexpireat) {
    EXPECT_EFFECTS(SETUP("SET a 1"), "EXPIRE a 100", "PEXPIREAT a @+100000");
    EXPECT_EFFECTS(SETUP("SET a 1"), "PEXPIRE a 100000", "PEXPIREAT a @+100000");
    EXPECT_EFFECTS(SETUP("SET a 1"), "EXPIREAT a 4102444800", "PEXPIREAT a 4102444800000");
    /* Options are kept as written; PEXPIREAT is replayed unchanged. */
    EXPECT_EFFECTS(SETUP("SET a 1 EX 100"), "expire a 200 xx", "PEXPIREAT a @+200000 xx");
    EXPECT_EFFECTS(SETUP("SET a 1"), "pexpireat a 4102444800000 nx", "pexpireat a 4102444800000 nx");
    EXPECT_EFFECTS(SETUP("SET a 1 EX 100"), "EXPIRE a 50 GT", "");
    EXPECT_EFFECTS(SETUP("SET a 1 EX 100"), "PERSIST a", "PERSIST a");
    EXPECT_EFFECTS(SETUP("SET a 1"), "PERSIST a", "");
}
END_TEST

START_TEST(test_effects_expire_in_past_is_del) {
    EXPECT_EFFECTS(SETUP("SET a 1"), "EXPIRE a -1", "DEL a");
    EXPECT_EFFECTS(SETUP("SET a 1"), "EXPIRE a 0", "DEL a");
    EXPECT_EFFECTS(SETUP("SET a 1"), "PEXPIREAT a 1", "DEL a");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "lazyfree-lazy-expire", "yes");
    EXPECT_EFFECTS(SETUP("SET a 1"), "EXPIREAT a 1", "UNLINK a");
    EXPECT_EFFECTS(NULL, "EXPIRE a 0", "");
}
END_TEST

START_TEST(test_effects_flush_always_replayed) {
    EXPECT_EFFECTS(NULL, "FLUSHALL", "FLUSHALL");
    EXPECT_EFFECTS(SETUP("SET a 1"), "FLUSHALL ASYNC", "FLUSHALL ASYNC");
    EXPECT_EFFECTS(NULL, "FLUSHDB", "FLUSHDB");
    EXPECT_EFFECTS(SETUP("SET a 1"), "FLUSHDB SYNC", "FLUSHDB SYNC");
    /* The stream follows the database the flush ran in. */
    EXPECT_EFFECTS(SETUP("SELECT 2", "SET a 1", "SELECT 0"), "FLUSHALL", "SELECT 0|FLUSHALL");
}
END_TEST

START_TEST(test_effects_keyspace_commands_as_given) {
    EXPECT_EFFECTS(SETUP("SET a 1", "SET b 2"), "DEL a b c", "DEL a b c");
    EXPECT_EFFECTS(NULL, "DEL a", "");
    EXPECT_EFFECTS(SETUP("SET a 1"), "UNLINK a", "UNLINK a");
    EXPECT_EFFECTS(SETUP("SET a 1"), "RENAME a b", "RENAME a b");
    EXPECT_EFFECTS(SETUP("SET a 1"), "RENAMENX a b", "RENAMENX a b");
    EXPECT_EFFECTS(SETUP("SET a 1"), "COPY a b DB 1", "COPY a b DB 1");
    EXPECT_EFFECTS(SETUP("SET a 1"), "MOVE a 1", "MOVE a 1");
    EXPECT_EFFECTS(NULL, "SWAPDB 0 0", "SWAPDB 0 0");
    EXPECT_EFFECTS(SETUP("SET a 1", "SET b 2"), "MSET a 1 c 3", "MSET a 1 c 3");
    EXPECT_EFFECTS(SETUP("SET a abc"), "BITOP NOT d a", "BITOP NOT d a");
    EXPECT_EFFECTS(SETUP("SETBIT k 1 1"), "SETBIT k 1 1", "");
}
END_TEST

START_TEST(test_effects_reads_never_replayed) {
    const char *reads[] = {"GET a", "MGET a b", "STRLEN a", "GETRANGE a 0 1", "LCS a b", "GETBIT a 1",
                           "BITCOUNT a", "BITPOS a 1", "BITFIELD_RO a GET u8 0", "EXISTS a", "TTL a", "TYPE a",
                           "TOUCH a", "KEYS *", "SCAN 0", "RANDOMKEY", "OBJECT ENCODING a", "DBSIZE",
                           "DEBUG POPULATE 3", NULL};
    for (int i = 0; reads[i]; i++) EXPECT_EFFECTS(SETUP("SET a hello", "SET b hallo"), reads[i], "");
}
END_TEST

START_TEST(test_effects_lazy_expiry_wraps_command) {
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    EXPECT_EFFECTS(SETUP("SET k v PX 1", "DEBUG SLEEP 0.01"), "SET k w", "MULTI|DEL k|SET k w|EXEC");
    EXPECT_EFFECTS(SETUP("SET a v PX 1", "SET b v", "DEBUG SLEEP 0.01"), "DEL a b", "MULTI|DEL a|DEL a b|EXEC");
    EXPECT_EFFECTS(SETUP("SET k v PX 1", "DEBUG SLEEP 0.01"), "GET k", "DEL k");
}
END_TEST

/* Counts the effects in text ("A|B|...") that are exactly "DEL <key>" and
 * fails on any MULTI (each deletion is its own unit). */
static long count_single_dels(const char *text) {
    long n = 0;
    for (const char *p = text; p && *p;) {
        size_t len = strcspn(p, "|");
        ck_assert_msg(strncmp(p, "MULTI", 5) != 0, "deletions wrapped in MULTI: %.80s", p);
        if (len > 4 && strncmp(p, "DEL ", 4) == 0 && memchr(p + 4, ' ', len - 4) == NULL) n++;
        p += len + (p[len] == '|');
    }
    return n;
}

/* Every evicted key is one DEL effect of its own (and, once pub/sub is
 * there, one "evicted" event): as many as INFO's evicted_keys. CONFIG SET
 * maxmemory below the usage evicts during the CONFIG SET itself. */
START_TEST(test_effects_eviction_one_del_per_key) {
    HS_EXPECT_OK(ctx, "DEBUG", "POPULATE", "300", "key", "100");
    freeReplyObject(hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET")));
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    long long before = hs_info_ll(ctx, "stats", "evicted_keys");
    /* Lowering the limit evicts at once, as in Redis (no write needed). */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "1");
    /* A slow build may run out of eviction time and finish from a timer. */
    long long deadline = hs_now_ms() + 10000;
    while (hs_info_ll(ctx, "stats", "evicted_keys") - before < 300) {
        ck_assert_msg(hs_now_ms() < deadline, "eviction never finished");
        hs_sleep_ms(10);
    }
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    hs_buf got = effects_text(r->str, r->len);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "0");
    long long evicted = hs_info_ll(ctx, "stats", "evicted_keys") - before;
    ck_assert_int_eq(evicted, 300);
    ck_assert_int_eq(count_single_dels(got.data), evicted);
    hs_buf_free(&got);
}
END_TEST

/* The active cycle's deletions: one DEL each, in the keys' database,
 * never counted as changes. */
START_TEST(test_effects_active_expiry_one_del_per_key) {
    HS_EXPECT_OK(ctx, "SELECT", "3");
    char key[32];
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        HS_EXPECT_OK(ctx, "SET", key, "v", "PX", "20");
    }
    freeReplyObject(hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET")));
    long long dirty = hs_dirty(ctx), expired = hs_info_ll(ctx, "stats", "expired_keys");
    long long deadline = hs_now_ms() + 10000;
    while (hs_info_ll(ctx, "stats", "expired_keys") - expired < 50) {
        ck_assert_msg(hs_now_ms() < deadline, "the active cycle never expired the keys");
        hs_sleep_ms(20);
    }
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    hs_buf got = effects_text(r->str, r->len);
    freeReplyObject(r);
    ck_assert_int_eq(count_single_dels(got.data), 50);
    ck_assert_msg(strstr(got.data, "SELECT") == NULL, "the stream was already in database 3");
    ck_assert_int_eq(hs_dirty(ctx), dirty);
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    hs_buf_free(&got);
}
END_TEST

/* ---------------------------------------------------------- events */

#define EVENTS_END_CHANNEL "__keyevent@0__:h3-end-of-events"

static redisContext *sub;

static void events_setup(void) {
    setup();
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "notify-keyspace-events", "KEA");
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    sub = hs_connect(srv);
    freeReplyObject(hs_command(sub, HS_ARGS("PSUBSCRIBE", "__keyevent@*")));
}

static void events_teardown(void) {
    redisFree(sub);
    teardown();
}

/* Reads sub's messages up to the end marker into "event key|..." (caller
 * frees). */
static hs_buf events_read(void) {
    HS_EXPECT_INT(ctx, 1, "PUBLISH", EVENTS_END_CHANNEL, "x");
    hs_buf out = {0};
    for (;;) {
        redisReply *r = hs_get_reply(sub);
        ck_assert_msg(r->type == REDIS_REPLY_ARRAY && r->elements == 4, "not a pmessage");
        const char *chan = r->element[2]->str;
        if (strcmp(chan, EVENTS_END_CHANNEL) == 0) {
            freeReplyObject(r);
            return out;
        }
        /* "__keyevent@<db>__:<event>" */
        int db = atoi(chan + strlen("__keyevent@"));
        const char *event = strstr(chan, "__:") + 3;
        if (out.len) hs_buf_cat(&out, "|", 1);
        if (db) hs_buf_printf(&out, "%s@%d %s", event, db, r->element[3]->str);
        else hs_buf_printf(&out, "%s %s", event, r->element[3]->str);
        freeReplyObject(r);
    }
}

static void check_events(const char *file, int line, const char *const *setup_cmds, const char *cmd,
                         const char *want) {
    HS_EXPECT_OK(ctx, "FLUSHALL");
    run_all(ctx, setup_cmds);
    hs_buf setup_events = events_read();
    hs_buf_free(&setup_events);
    freeReplyObject(hs_command_line(ctx, cmd));
    hs_buf got = events_read();
    const char *g = got.data ? got.data : "";
    ck_assert_msg(strcmp(g, want) == 0, "%s:%d: %s: events [%s], Redis 7.0's [%s]", file, line, cmd, g, want);
    hs_buf_free(&got);
}
#define EXPECT_EVENTS(setup_cmds, cmd, want) check_events(__FILE__, __LINE__, setup_cmds, cmd, want)

START_TEST(test_events_strings) {
    EXPECT_EVENTS(NULL, "SET k v", "set k");
    EXPECT_EVENTS(SETUP("SET k v"), "SET k v NX", "");
    EXPECT_EVENTS(NULL, "SET k v EX 100", "set k|expire k");
    EXPECT_EVENTS(NULL, "SETEX k 100 v", "set k|expire k");
    EXPECT_EVENTS(NULL, "SETNX k v", "set k");
    EXPECT_EVENTS(SETUP("SET k v"), "GETSET k w", "set k");
    EXPECT_EVENTS(SETUP("SET k v"), "GETDEL k", "del k");
    EXPECT_EVENTS(SETUP("SET k v"), "GETEX k EX 100", "expire k");
    EXPECT_EVENTS(SETUP("SET k v EX 100"), "GETEX k PERSIST", "persist k");
    EXPECT_EVENTS(SETUP("SET k v"), "GETEX k EXAT 1", "del k");
    EXPECT_EVENTS(NULL, "MSET a 1 b 2 a 3", "set a|set b|set a");
    EXPECT_EVENTS(SETUP("SET a x"), "MSETNX a 1 b 2", "");
    EXPECT_EVENTS(SETUP("SET k v"), "APPEND k ''", "append k");
    EXPECT_EVENTS(NULL, "INCR k", "incrby k");
    EXPECT_EVENTS(SETUP("SET k 5"), "DECRBY k 2", "incrby k");
    EXPECT_EVENTS(NULL, "INCRBYFLOAT k 1.5", "incrbyfloat k");
    EXPECT_EVENTS(SETUP("SET k hello"), "SETRANGE k 1 abc", "setrange k");
    EXPECT_EVENTS(SETUP("SET k hello"), "SETRANGE k 1 ''", "");
}
END_TEST

START_TEST(test_events_bits) {
    EXPECT_EVENTS(NULL, "SETBIT k 7 0", "setbit k");
    EXPECT_EVENTS(SETUP("SETBIT k 7 1"), "SETBIT k 7 1", "");
    EXPECT_EVENTS(SETUP("SET k a"), "BITFIELD k SET u8 0 97", "");
    EXPECT_EVENTS(SETUP("SET k a"), "BITFIELD k INCRBY u8 0 1 INCRBY u8 0 1", "setbit k");
    EXPECT_EVENTS(SETUP("SET a abc"), "BITOP NOT d a", "set d");
    EXPECT_EVENTS(SETUP("SET d q"), "BITOP AND d x y", "del d");
    EXPECT_EVENTS(NULL, "BITOP AND d x y", "");
}
END_TEST

START_TEST(test_events_keyspace) {
    EXPECT_EVENTS(SETUP("SET a 1", "SET b 2"), "DEL a b c", "del a|del b");
    EXPECT_EVENTS(SETUP("SET a 1"), "UNLINK a", "del a");
    EXPECT_EVENTS(SETUP("SET a 1", "SET b 2"), "RENAME a b", "rename_from a|rename_to b");
    EXPECT_EVENTS(SETUP("SET a 1"), "RENAMENX a b", "rename_from a|rename_to b");
    EXPECT_EVENTS(SETUP("SET a 1"), "COPY a b DB 2", "copy_to@2 b");
    EXPECT_EVENTS(SETUP("SET a 1"), "MOVE a 1", "move_from a|move_to@1 a");
    EXPECT_EVENTS(SETUP("SET a 1"), "EXPIRE a 100", "expire a");
    EXPECT_EVENTS(SETUP("SET a 1"), "PEXPIREAT a 1", "del a");
    EXPECT_EVENTS(SETUP("SET a 1 EX 100"), "EXPIRE a 200 NX", "");
    EXPECT_EVENTS(SETUP("SET a 1 EX 100"), "PERSIST a", "persist a");
    EXPECT_EVENTS(SETUP("SET a 1"), "PERSIST a", "");
    EXPECT_EVENTS(SETUP("SET a 1"), "SWAPDB 0 1", "");
    EXPECT_EVENTS(SETUP("SET a 1"), "FLUSHALL", "");
    /* A lazily expired key: "expired" first, then the command's own. */
    EXPECT_EVENTS(SETUP("SET k v PX 1", "DEBUG SLEEP 0.01"), "SET k w", "expired k|set k");
    EXPECT_EVENTS(SETUP("SET a v PX 1", "SET b v", "DEBUG SLEEP 0.01"), "DEL a b", "expired a|del b");
}
END_TEST

/* n (new) and m (keymiss) are outside A: SET ... GET on a missing key
 * reads it as GET does. OBJECT never reports a miss. */
START_TEST(test_events_new_and_keymiss) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "notify-keyspace-events", "KEAnm");
    EXPECT_EVENTS(NULL, "SET k v GET", "keymiss k|new k|set k");
    EXPECT_EVENTS(NULL, "SET k v XX GET", "keymiss k");
    EXPECT_EVENTS(NULL, "APPEND k v", "new k|append k");
    EXPECT_EVENTS(NULL, "OBJECT ENCODING k", "");
    EXPECT_EVENTS(NULL, "GET k", "keymiss k");
    EXPECT_EVENTS(SETUP("SET a 1 PX 1", "DEBUG SLEEP 0.01"), "SCAN 0 TYPE string", "expired a|keymiss a");
}
END_TEST

/* Under maxmemory, as many "evicted" events as INFO counts evicted keys. */
START_TEST(test_events_evicted_match_stat) {
    HS_EXPECT_OK(ctx, "DEBUG", "POPULATE", "200", "key", "100");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    long long before = hs_info_ll(ctx, "stats", "evicted_keys");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "1");
    long long deadline = hs_now_ms() + 10000;
    while (hs_info_ll(ctx, "stats", "evicted_keys") - before < 200) {
        ck_assert_msg(hs_now_ms() < deadline, "eviction never finished");
        hs_sleep_ms(10);
    }
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "0");
    hs_buf got = events_read();
    long n = 0;
    for (const char *p = got.data; p && (p = strstr(p, "evicted key:")) != NULL; p++) n++;
    ck_assert_int_eq(n, hs_info_ll(ctx, "stats", "evicted_keys") - before);
    hs_buf_free(&got);
}
END_TEST

static Suite *changes_suite(void) {
    Suite *s = suite_create("changes_strings");
    TCase *tc = hs_tcase(s, "dirty_watch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dirty_per_command);
    tcase_add_test(tc, test_watch_unchanged_keeps_transaction);
    tcase_add_test(tc, test_watch_changed_fails_transaction);
    tc = hs_tcase(s, "effects");
    tcase_add_checked_fixture(tc, effects_setup, teardown);
    tcase_add_test(tc, test_effects_set_with_time_becomes_pxat);
    tcase_add_test(tc, test_effects_set_get_dropped);
    tcase_add_test(tc, test_effects_setex_psetex);
    tcase_add_test(tc, test_effects_getex);
    tcase_add_test(tc, test_effects_getset_getdel);
    tcase_add_test(tc, test_effects_incrbyfloat_is_set_keepttl);
    tcase_add_test(tc, test_effects_expire_becomes_pexpireat);
    tcase_add_test(tc, test_effects_expire_in_past_is_del);
    tcase_add_test(tc, test_effects_flush_always_replayed);
    tcase_add_test(tc, test_effects_keyspace_commands_as_given);
    tcase_add_test(tc, test_effects_reads_never_replayed);
    tcase_add_test(tc, test_effects_lazy_expiry_wraps_command);
    tcase_add_test(tc, test_effects_eviction_one_del_per_key);
    tcase_add_test(tc, test_effects_active_expiry_one_del_per_key);
    tc = hs_tcase(s, "events");
    tcase_add_checked_fixture(tc, events_setup, events_teardown);
    tcase_add_test(tc, test_events_strings);
    tcase_add_test(tc, test_events_bits);
    tcase_add_test(tc, test_events_keyspace);
    tcase_add_test(tc, test_events_new_and_keymiss);
    tcase_add_test(tc, test_events_evicted_match_stat);
    return s;
}

int main(void) {
    return hs_run_suite(changes_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
