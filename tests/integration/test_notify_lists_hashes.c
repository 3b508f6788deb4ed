/* test_notify_lists_hashes.c -- keyspace events of the list and hash
 * commands, compared with what Redis 7.0.15 emits: one event per command
 * (lpush, rpush, lpop, rpop, lset, linsert, lrem, ltrim, hset, hdel,
 * hincrby, hincrbyfloat), LMOVE's push on the destination before the pop
 * on the source, `del` after the event of a command that emptied a key,
 * nothing from a command that changed nothing (except LTRIM, which Redis
 * announces even when it kept everything), and for a pop served to a
 * waiting client the same events as the non-blocking command.
 *
 * A subscriber takes __keyevent@*__:* with notify-keyspace-events KEA;
 * after each command a PUBLISH on a marker channel the pattern matches
 * closes the command's events, so no test waits on a clock. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MARKER_CHANNEL "__keyevent@0__:zz-marker"

static hs_server *srv;
static redisContext *ctx, *sub;

static void setup(void) {
    srv = hs_start(HS_ARGS("--notify-keyspace-events", "KEA"));
    ctx = hs_connect(srv);
    sub = hs_connect(srv);
    redisReply *r = hs_command(sub, HS_ARGS("PSUBSCRIBE", "__keyevent@*__:*"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
}

static void teardown(void) {
    redisFree(sub);
    redisFree(ctx);
    hs_stop(srv);
}

static void run_ignore(redisContext *c, const char *line) {
    freeReplyObject(hs_command_line(c, line));
}

/* Events received since the last call, as "event:key event:key ...",
 * read up to the marker this call publishes. Caller frees. */
static hs_buf events(void) {
    freeReplyObject(hs_command(ctx, HS_ARGS("PUBLISH", MARKER_CHANNEL, "m")));
    hs_buf out = {0};
    for (;;) {
        redisReply *m = hs_get_reply(sub);
        ck_assert_msg(m->type == REDIS_REPLY_ARRAY && m->elements == 4, "not a pmessage");
        const char *chan = m->element[2]->str;
        if (strcmp(chan, MARKER_CHANNEL) == 0) {
            freeReplyObject(m);
            break;
        }
        const char *event = strchr(chan, ':') + 1;
        hs_buf_printf(&out, "%s%s:%s", out.len ? " " : "", event, m->element[3]->str);
        freeReplyObject(m);
    }
    if (out.data == NULL) hs_buf_cat(&out, "", 0);
    return out;
}

static void check_events(const char *file, int line, const char *cmd, const char *want) {
    hs_buf got = events();
    ck_assert_msg(strcmp(got.data, want) == 0, "%s:%d: %s: events \"%s\", want \"%s\"", file, line, cmd,
                  got.data, want);
    hs_buf_free(&got);
}

struct event_case {
    const char *cmd, *want;
};

static void check_event_cases(const struct event_case *cases, size_t n) {
    for (size_t i = 0; i < n; i++) {
        run_ignore(ctx, cases[i].cmd);
        check_events(__FILE__, __LINE__, cases[i].cmd, cases[i].want);
    }
}

START_TEST(test_list_events) {
    static const struct event_case cases[] = {
        {"LPUSH l a b c", "lpush:l"},
        {"RPUSH l d", "rpush:l"},
        {"LPUSHX nokey a", ""},
        {"RPUSHX l e f", "rpush:l"},
        {"LPOP l", "lpop:l"},
        {"RPOP l 2", "rpop:l"},
        {"LPOP l 0", ""},
        {"LPOP nokey", ""},
        {"LSET l 0 z", "lset:l"},
        {"LSET l 99 z", ""},
        {"LINSERT l BEFORE z y", "linsert:l"},
        {"LINSERT l AFTER nothere q", ""},
        {"LREM l 0 nothere", ""},
        {"RPUSH l x x y x", "rpush:l"},
        {"LREM l 2 x", "lrem:l"},
        {"LTRIM l 0 -1", "ltrim:l"},
        {"LTRIM l 1 2", "ltrim:l"},
        {"LTRIM l 5 10", "ltrim:l del:l"},
        {"LTRIM nokey 0 1", ""},
        {"RPUSH s 1 2 3", "rpush:s"},
        {"LMOVE s d LEFT RIGHT", "rpush:d lpop:s"},
        {"RPOPLPUSH s d", "lpush:d rpop:s"},
        {"LMOVE d d LEFT LEFT", "lpush:d lpop:d"},
        {"LMOVE s d RIGHT LEFT", "lpush:d rpop:s del:s"},
        {"LMOVE nokey d LEFT LEFT", ""},
        {"LMPOP 2 nokey d LEFT COUNT 10", "lpop:d del:d"},
        {"RPUSH s a a", "rpush:s"},
        {"LREM s 0 a", "lrem:s del:s"},
        {"RPUSH s 1 2", "rpush:s"},
        {"BLPOP s 0", "lpop:s"},
        {"BRPOP nokey s 0", "rpop:s del:s"},
        {"RPUSH s 1 2 3", "rpush:s"},
        {"BLMOVE s d LEFT LEFT 0", "lpush:d lpop:s"},
        {"BRPOPLPUSH s d 0", "lpush:d rpop:s"},
        {"BLMPOP 0 1 s RIGHT COUNT 5", "rpop:s del:s"},
        {"HSET str f v", "hset:str"},
        {"LPUSH str a", ""},
    };
    check_event_cases(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(test_hash_events) {
    static const struct event_case cases[] = {
        {"HSET h a 1 b 2", "hset:h"},
        {"HSET h a 1", "hset:h"},
        {"HMSET h a 1 d 4", "hset:h"},
        {"HSETNX h a 5", ""},
        {"HSETNX h e 5", "hset:h"},
        {"HDEL h nothere", ""},
        {"HDEL h a b nothere", "hdel:h"},
        {"HINCRBY h n 5", "hincrby:h"},
        {"HINCRBY h d x", ""},
        {"HINCRBYFLOAT h f 1.5", "hincrbyfloat:h"},
        {"HINCRBYFLOAT h d x", ""},
        {"HDEL h d e n f", "hdel:h del:h"},
        {"RPUSH l a", "rpush:l"},
        {"HSET l a b", ""},
    };
    check_event_cases(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

/* A waiter served by another client's push: the push's event, then the
 * same events the non-blocking command would emit. */
START_TEST(test_served_events) {
    static const struct {
        const char *const block[10];
        const char *push, *want;
    } cases[] = {
        {{"BLPOP", "k", "0", NULL}, "RPUSH k a b", "rpush:k lpop:k"},
        {{"BRPOP", "k", "0", NULL}, "LPUSH k c", "lpush:k rpop:k del:k"},
        {{"BLPOP", "k", "0", NULL}, "RPUSH k z", "rpush:k lpop:k del:k"},
        {{"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0", NULL}, "RPUSH src v",
         "rpush:src rpush:dst lpop:src del:src"},
        {{"BRPOPLPUSH", "src", "dst", "0", NULL}, "RPUSH src w x", "rpush:src lpush:dst rpop:src"},
        {{"BLMPOP", "0", "2", "a", "q", "RIGHT", "COUNT", "5", NULL}, "RPUSH q 1 2 3", "rpush:q rpop:q del:q"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_ignore(ctx, "FLUSHALL");
        hs_buf drop = events();
        hs_buf_free(&drop);
        redisContext *w = hs_block_client(srv, ctx, cases[i].block, 1);
        run_ignore(ctx, cases[i].push);
        freeReplyObject(hs_get_reply(w));
        redisFree(w);
        check_events(__FILE__, __LINE__, cases[i].push, cases[i].want);
    }
    /* A timeout announces nothing. */
    run_ignore(ctx, "BLPOP nokey 0.05");
    check_events(__FILE__, __LINE__, "BLPOP nokey 0.05", "");
}
END_TEST

static Suite *notify_suite(void) {
    Suite *s = suite_create("notify_lists_hashes");
    TCase *tc = hs_tcase(s, "events");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_list_events);
    tcase_add_test(tc, test_hash_events);
    tcase_add_test(tc, test_served_events);
    return s;
}

int main(void) {
    return hs_run_suite(notify_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
