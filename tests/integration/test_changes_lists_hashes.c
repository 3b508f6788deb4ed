/* test_changes_lists_hashes.c -- the change path of the list and hash
 * commands: how far each one moves the dirty counter (INFO
 * rdb_changes_since_last_save), whether it touches WATCHers (a command that
 * changed nothing must not fail a transaction), and the effects it
 * propagates (DEBUG EFFECTS), including the rewrites: HINCRBYFLOAT as HSET,
 * LMPOP/BLMPOP as LPOP/RPOP key n, blocking pops as their non-blocking
 * form, and a pop served to a waiting client as its own unit after the
 * push that woke it.
 *
 * Every expectation was read from Redis 7.0.15 (its INFO delta per
 * command, WATCH/EXEC outcomes, and its replication stream). */
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

/* ---------------------------------------------------------- helpers */

static void run_ignore(redisContext *c, const char *line) {
    freeReplyObject(hs_command_line(c, line));
}

/* RESP of commands written as "CMD a b|CMD2 c" ('|' between commands). */
static hs_buf resp_of(const char *cmds) {
    hs_buf out = {0};
    char buf[1024];
    ck_assert_uint_lt(strlen(cmds), sizeof(buf));
    strcpy(buf, cmds);
    char *save_cmd;
    for (char *cmd = strtok_r(buf, "|", &save_cmd); cmd; cmd = strtok_r(NULL, "|", &save_cmd))
        hs_cat_command_resp(&out, cmd);
    if (out.data == NULL) hs_buf_cat(&out, "", 0);
    return out;
}

/* Fails unless the effects captured since the last call are exactly want
 * (in resp_of's notation; "" for none). */
static void check_effects(const char *file, int line, const char *want) {
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    hs_buf w = resp_of(want);
    ck_assert_msg(r->type == REDIS_REPLY_STRING, "%s:%d: DEBUG EFFECTS GET did not reply a bulk", file, line);
    hs_check_bytes(file, line, r->str, r->len, w.data, w.len);
    hs_buf_free(&w);
    freeReplyObject(r);
}
#define CHECK_EFFECTS(want) check_effects(__FILE__, __LINE__, want)

/* Runs line and checks the effects it produced. */
#define EFFECTS_OF(line, want)    \
    do {                          \
        run_ignore(ctx, line);    \
        CHECK_EFFECTS(want);      \
    } while (0)

static void effects_on(void) {
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
}

/* ---------------------------------------------------------- dirty */

struct dirty_case {
    const char *cmd;
    long long delta;
};

static void check_dirty_cases(const struct dirty_case *cases, size_t n) {
    long long before = hs_dirty(ctx);
    for (size_t i = 0; i < n; i++) {
        run_ignore(ctx, cases[i].cmd);
        long long after = hs_dirty(ctx);
        ck_assert_msg(after - before == cases[i].delta, "%s: dirty moved by %lld, want %lld", cases[i].cmd,
                      after - before, cases[i].delta);
        before = after;
    }
}

/* str holds a string: writes to it as a list or hash are WRONGTYPE. */
START_TEST(test_dirty_lists) {
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    static const struct dirty_case cases[] = {
        {"LPUSH l a b c", 3},
        {"RPUSH l d", 1},
        {"LPUSHX nokey a", 0},
        {"RPUSHX l e f", 2},
        {"LPOP l", 1},
        {"RPOP l 2", 2},
        {"LPOP l 0", 0},
        {"LPOP nokey 2", 0},
        {"LSET l 0 z", 1},
        {"LSET l 99 z", 0},
        {"LINSERT l BEFORE z y", 1},
        {"LINSERT l AFTER nothere q", 0},
        {"LREM l 0 nothere", 0},
        {"RPUSH l x x y x", 4},
        {"LREM l 2 x", 2},
        {"LREM l -1 x", 1},
        {"LTRIM l 0 -1", 0},
        {"LTRIM l 1 2", 3},
        {"LTRIM l 5 10", 2},
        {"LTRIM nokey 0 1", 0},
        {"RPUSH s 1 2 3", 3},
        {"LMOVE s d LEFT RIGHT", 1},
        {"RPOPLPUSH s d", 1},
        {"LMOVE d d LEFT LEFT", 1},
        {"LMOVE nokey d LEFT LEFT", 0},
        {"LMPOP 2 nokey d LEFT COUNT 10", 2},
        {"LMPOP 1 s RIGHT", 1},
        {"RPUSH s 1 2", 2},
        {"BLPOP s 0", 1},
        {"BRPOP s nokey 0", 1},
        {"RPUSH s 1 2 3", 3},
        {"BLMOVE s d LEFT LEFT 0", 1},
        {"BRPOPLPUSH s d 0", 1},
        {"BLMPOP 0 1 d RIGHT COUNT 5", 2},
        {"BLPOP nokey 0.01", 0},
        {"LPUSH str a", 0},
        {"LPOP str", 0},
    };
    check_dirty_cases(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(test_dirty_hashes) {
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    static const struct dirty_case cases[] = {
        {"HSET h a 1 b 2", 2},
        {"HSET h a 1 c 3", 2}, /* every pair counts, new or not */
        {"HSET h a 1", 1},
        {"HMSET h a 1 d 4", 2},
        {"HSET h a 1 a 2 a 3", 3},
        {"HSETNX h a 5", 0},
        {"HSETNX h e 5", 1},
        {"HSETNX h2 x 1", 1},
        {"HDEL h nothere", 0},
        {"HDEL h a b nothere", 2},
        {"HINCRBY h n 5", 1},
        {"HINCRBY h n 0", 1},
        {"HINCRBY h d x", 0},
        {"HINCRBY h e 9223372036854775807", 0},
        {"HINCRBYFLOAT h f 1.5", 1},
        {"HINCRBYFLOAT h f 0", 1},
        {"HINCRBYFLOAT h3 g 10", 1},
        {"HINCRBYFLOAT h f x", 0},
        {"HDEL h c d e n f", 5},
        {"HDEL h2 x", 1},
        {"HDEL h2 x", 0},
        {"HSET str a b", 0},
    };
    check_dirty_cases(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

/* Served to a waiting client, BLPOP / BRPOP / BLMOVE / BRPOPLPUSH count
 * nothing beyond the push that woke them; BLMPOP counts what it took. */
START_TEST(test_dirty_served) {
    static const char *const blockers[][8] = {
        {"BLPOP", "k", "0", NULL},
        {"BRPOP", "k", "0", NULL},
        {"BLMOVE", "k", "d", "LEFT", "RIGHT", "0", NULL},
        {"BRPOPLPUSH", "k", "d", "0", NULL},
        {"BLMPOP", "0", "1", "k", "LEFT", "COUNT", "5", NULL},
    };
    static const long long want[] = {3, 3, 3, 3, 6};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        run_ignore(ctx, "DEL k d");
        redisContext *w = hs_block_client(srv, ctx, blockers[i], 1);
        long long before = hs_dirty(ctx);
        HS_EXPECT_INT(ctx, 3, "RPUSH", "k", "a", "b", "c");
        freeReplyObject(hs_get_reply(w));
        ck_assert_msg(hs_dirty(ctx) - before == want[i], "%s: dirty moved by %lld, want %lld", blockers[i][0],
                      hs_dirty(ctx) - before, want[i]);
        redisFree(w);
    }
}
END_TEST

/* ---------------------------------------------------------- WATCH */

struct watch_case {
    const char *setup; /* one command or "" */
    const char *key;
    const char *cmd;
    int touched;
};

START_TEST(test_watch) {
    static const struct watch_case cases[] = {
        {"RPUSH l a b c", "l", "LTRIM l 0 -1", 1}, /* Redis signals a trim that kept all */
        {"RPUSH l a b c", "l", "LTRIM l 0 1", 1},
        {"", "l", "LTRIM l 0 1", 0},
        {"RPUSH l a b c", "l", "LPOP l 0", 0},
        {"RPUSH l a b c", "l", "LPOP l 1", 1},
        {"RPUSH l a b c", "l", "LREM l 0 zz", 0},
        {"RPUSH l a b c", "l", "LREM l 0 a", 1},
        {"RPUSH l a b c", "l", "LINSERT l BEFORE zz q", 0},
        {"RPUSH l a b c", "l", "LINSERT l BEFORE a q", 1},
        {"RPUSH l a b c", "l", "LSET l 0 a", 1},
        {"RPUSH l a b c", "l", "LSET l 5 a", 0},
        {"", "l", "LPUSHX l a", 0},
        {"RPUSH l a", "l", "LPUSHX l a", 1},
        {"RPUSH l a", "l", "RPUSH l b", 1},
        {"", "l", "RPUSH l b", 1},
        {"RPUSH l a", "l", "LPOP nokey", 0},
        {"RPUSH l a", "l", "LMOVE l l LEFT RIGHT", 1},
        {"RPUSH l a", "d", "LMOVE l d LEFT RIGHT", 1},
        {"RPUSH l a", "l", "LMOVE l d LEFT RIGHT", 1},
        {"RPUSH l a", "l", "LMOVE nokey l LEFT RIGHT", 0},
        {"RPUSH l a b", "l", "LMPOP 1 l LEFT COUNT 1", 1},
        {"RPUSH l a b", "l", "BLPOP l 0", 1},
        {"RPUSH l a b", "d", "BLMOVE l d LEFT LEFT 0", 1},
        {"RPUSH l a b", "l", "BRPOPLPUSH l d 0", 1},
        {"RPUSH l a b", "l", "BLMPOP 0 1 l LEFT", 1},
        {"HSET h a 1", "h", "HSET h a 1", 1},
        {"HSET h a 1", "h", "HSETNX h a 2", 0},
        {"HSET h a 1", "h", "HSETNX h b 2", 1},
        {"HSET h a 1", "h", "HDEL h zz", 0},
        {"HSET h a 1", "h", "HDEL h a", 1},
        {"HSET h a 1", "h", "HINCRBY h a 0", 1},
        {"HSET h a x", "h", "HINCRBY h a 1", 0},
        {"HSET h a 1", "h", "HINCRBYFLOAT h a 0", 1},
        {"HSET h a x", "h", "HINCRBYFLOAT h a 1", 0},
        {"", "h", "HINCRBY h a 1", 1},
        {"SET s x", "s", "LPUSH s x", 0},
        {"SET s x", "s", "HSET s x y", 0},
    };
    redisContext *other = hs_connect(srv);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct watch_case *wc = &cases[i];
        HS_EXPECT_OK(ctx, "FLUSHALL");
        if (wc->setup[0]) run_ignore(other, wc->setup);
        HS_EXPECT_OK(ctx, "WATCH", wc->key);
        run_ignore(other, wc->cmd);
        HS_EXPECT_OK(ctx, "MULTI");
        HS_EXPECT_STATUS(ctx, "QUEUED", "PING");
        redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
        int touched = r->type == REDIS_REPLY_NIL;
        ck_assert_msg(touched == wc->touched, "WATCH %s, %s: EXEC %s", wc->key, wc->cmd,
                      touched ? "failed" : "ran");
        freeReplyObject(r);
    }
    redisFree(other);
}
END_TEST

/* A BLMOVE served to a waiter touches its destination. */
START_TEST(test_watch_served_blmove) {
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"), 1);
    redisContext *watcher = hs_connect(srv);
    HS_EXPECT_OK(watcher, "WATCH", "dst");
    HS_EXPECT_INT(ctx, 1, "RPUSH", "src", "v");
    redisReply *r = hs_get_reply(w);
    HS_CHECK_BULK(r, "v", 1);
    freeReplyObject(r);
    redisFree(w);
    HS_EXPECT_OK(watcher, "MULTI");
    HS_EXPECT_STATUS(watcher, "QUEUED", "PING");
    HS_EXPECT_NIL(watcher, "EXEC");
    redisFree(watcher);
}
END_TEST

/* ---------------------------------------------------------- effects */

START_TEST(test_effects_rewrites) {
    effects_on();
    EFFECTS_OF("HSET h f 1", "SELECT 0|HSET h f 1");
    EFFECTS_OF("HINCRBYFLOAT h f 1.5", "HSET h f 2.5");
    EFFECTS_OF("HINCRBYFLOAT h f 2.5e3", "HSET h f 2502.5");
    EFFECTS_OF("HINCRBYFLOAT h f x", "");
    EFFECTS_OF("HINCRBY h n 5", "HINCRBY h n 5");
    EFFECTS_OF("HSETNX h f 9", "");
    EFFECTS_OF("HDEL h zz", "");
    EFFECTS_OF("RPUSH l a b c d e", "RPUSH l a b c d e");
    EFFECTS_OF("LPUSHX nokey a", "");
    EFFECTS_OF("LREM l 0 zz", "");
    EFFECTS_OF("LTRIM l 0 -1", "");
    EFFECTS_OF("LPOP l 0", "");
    EFFECTS_OF("LINSERT l AFTER zz q", "");
    EFFECTS_OF("LMPOP 2 nokey l LEFT COUNT 2", "LPOP l 2");
    EFFECTS_OF("LMPOP 1 l RIGHT", "RPOP l 1");
    EFFECTS_OF("BLPOP l 0", "LPOP l");
    EFFECTS_OF("BRPOP nokey l 0", "RPOP l");
    EFFECTS_OF("RPUSH l a b c", "RPUSH l a b c");
    EFFECTS_OF("BLMOVE l d LEFT right 0", "LMOVE l d LEFT right");
    EFFECTS_OF("BRPOPLPUSH l d 0", "RPOPLPUSH l d");
    EFFECTS_OF("BLMPOP 0 1 d RIGHT COUNT 9", "RPOP d 2");
    EFFECTS_OF("BLPOP nokey 0.01", "");
    EFFECTS_OF("LMOVE nokey d LEFT LEFT", "");
    /* Inside a transaction a blocking pop runs at once, rewritten. */
    run_ignore(ctx, "RPUSH k 1 2");
    CHECK_EFFECTS("RPUSH k 1 2");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "BLPOP", "k", "0");
    HS_EXPECT_STATUS(ctx, "QUEUED", "BLPOP", "nokey", "0");
    HS_EXPECT_STATUS(ctx, "QUEUED", "BLMPOP", "0", "1", "k", "LEFT", "COUNT", "5");
    run_ignore(ctx, "EXEC");
    CHECK_EFFECTS("MULTI|LPOP k|LPOP k 1|EXEC");
}
END_TEST

/* A waiter is served after the push that woke it, as a unit of its own:
 * the concrete pop (BLMOVE with Redis's lower-case sides). A timeout
 * propagates nothing. */
START_TEST(test_effects_served) {
    static const struct {
        const char *const block[10];
        const char *push, *want;
    } cases[] = {
        {{"BLPOP", "k", "0", NULL}, "RPUSH k a b", "RPUSH k a b|LPOP k"},
        {{"BRPOP", "x", "k", "0", NULL}, "LPUSH k c", "LPUSH k c|RPOP k"},
        {{"BLMOVE", "k", "d", "LEFT", "RIGHT", "0", NULL}, "RPUSH k v", "RPUSH k v|LMOVE k d left right"},
        {{"BLMOVE", "k", "d", "right", "left", "0", NULL}, "RPUSH k v", "RPUSH k v|LMOVE k d right left"},
        {{"BRPOPLPUSH", "k", "d", "0", NULL}, "RPUSH k w x", "RPUSH k w x|RPOPLPUSH k d"},
        {{"BLMPOP", "0", "2", "a", "k", "RIGHT", "COUNT", "5", NULL}, "RPUSH k 1 2 3", "RPUSH k 1 2 3|RPOP k 3"},
        {{"BLMPOP", "0", "1", "k", "LEFT", NULL}, "RPUSH k 1 2", "RPUSH k 1 2|LPOP k 1"},
    };
    effects_on();
    run_ignore(ctx, "DEL k");
    CHECK_EFFECTS("");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_ignore(ctx, "DEL k d");
        run_ignore(ctx, "DEBUG EFFECTS GET"); /* drops the DEL's effect */
        redisContext *w = hs_block_client(srv, ctx, cases[i].block, 1);
        run_ignore(ctx, cases[i].push);
        freeReplyObject(hs_get_reply(w));
        redisFree(w);
        char want[256];
        snprintf(want, sizeof(want), "%s%s", i == 0 ? "SELECT 0|" : "", cases[i].want);
        CHECK_EFFECTS(want);
    }
    /* Three waiters, one push: three units after the push. */
    run_ignore(ctx, "DEL k d");
    run_ignore(ctx, "DEBUG EFFECTS GET");
    redisContext *w1 = hs_block_client(srv, ctx, HS_ARGS("BLPOP", "k", "0"), 1);
    redisContext *w2 = hs_block_client(srv, ctx, HS_ARGS("BRPOP", "k", "0"), 2);
    redisContext *w3 = hs_block_client(srv, ctx, HS_ARGS("BLMOVE", "k", "d", "LEFT", "LEFT", "0"), 3);
    EFFECTS_OF("RPUSH k x y z w", "RPUSH k x y z w|LPOP k|RPOP k|LMOVE k d left left");
    redisContext *ws[] = {w1, w2, w3};
    for (int i = 0; i < 3; i++) {
        freeReplyObject(hs_get_reply(ws[i]));
        redisFree(ws[i]);
    }
    /* A push inside EXEC: the transaction, then the served pop. */
    run_ignore(ctx, "DEL k");
    run_ignore(ctx, "DEBUG EFFECTS GET");
    redisContext *w = hs_block_client(srv, ctx, HS_ARGS("BRPOP", "k", "0"), 1);
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "RPUSH", "k", "1");
    HS_EXPECT_STATUS(ctx, "QUEUED", "RPUSH", "k", "2");
    run_ignore(ctx, "EXEC");
    freeReplyObject(hs_get_reply(w));
    CHECK_EFFECTS("MULTI|RPUSH k 1|RPUSH k 2|EXEC|RPOP k");
    /* A timeout propagates nothing. */
    hs_send_only(w, HS_ARGS("BLPOP", "nokey", "0.05"));
    redisReply *r = hs_get_reply(w);
    HS_CHECK_NIL(r);
    freeReplyObject(r);
    redisFree(w);
    CHECK_EFFECTS("");
}
END_TEST

static Suite *changes_suite(void) {
    Suite *s = suite_create("changes_lists_hashes");
    TCase *tc = hs_tcase(s, "changes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dirty_lists);
    tcase_add_test(tc, test_dirty_hashes);
    tcase_add_test(tc, test_dirty_served);
    tcase_add_test(tc, test_watch);
    tcase_add_test(tc, test_watch_served_blmove);
    tcase_add_test(tc, test_effects_rewrites);
    tcase_add_test(tc, test_effects_served);
    return s;
}

int main(void) {
    return hs_run_suite(changes_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
