/* test_pubsub.c -- integration tests for pub/sub: SUBSCRIBE, PSUBSCRIBE,
 * SSUBSCRIBE and their UNSUBSCRIBEs, PUBLISH, SPUBLISH, PUBSUB, RESP2
 * subscribed mode, RESP3 push frames, cleanup on RESET / CLIENT KILL /
 * disconnect, the pubsub output-buffer limit, and keyspace notifications
 * delivered through pub/sub.
 *
 * Expected bytes are Redis 7.0.15's (asked of a live server). RESP3 is
 * checked on raw sockets: Debian's hiredis cannot parse push frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define CONTEXT_ERR(cmd)                                                                                  \
    "ERR Can't execute '" cmd "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed " \
    "in this context"
/* Output-limit test: a subscriber that never reads, messages this big. */
#define SLOW_MSG_BYTES 10000
#define SLOW_MSG_COUNT 3000
/* used_memory must stay under this while the slow subscriber is fed
 * 30 MB (the pubsub hard limit is set to 1 MB). */
#define SLOW_MEMORY_BOUND_BYTES (16 * 1024 * 1024)
#define RAW_TIMEOUT_MS 5000

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

/* Checks that r is [kind, name, count] (count given as an integer). */
static void check_confirm(const char *file, int line, redisReply *r, const char *kind, const char *name,
                          long long count) {
    ck_assert_msg(r->type == REDIS_REPLY_ARRAY && r->elements == 3, "%s:%d: not a 3-array", file, line);
    hs_check_bulk(file, line, r->element[0], kind, strlen(kind));
    if (name) hs_check_bulk(file, line, r->element[1], name, strlen(name));
    else hs_check_nil(file, line, r->element[1]);
    hs_check_integer(file, line, r->element[2], count);
}
#define CHECK_CONFIRM(r, kind, name, n) check_confirm(__FILE__, __LINE__, r, kind, name, n)

/* Reads the next reply of a subscribed context and checks it is the
 * confirmation [kind, name, count]. */
#define EXPECT_CONFIRM(c, kind, name, n)      \
    do {                                      \
        redisReply *r_ = hs_get_reply(c);     \
        CHECK_CONFIRM(r_, kind, name, n);     \
        freeReplyObject(r_);                  \
    } while (0)

/* Reads the next message of a subscribed context: items are the strings
 * of the array ("message", channel, payload) or with the pattern. */
#define EXPECT_MESSAGE(c, items)                                   \
    do {                                                           \
        redisReply *r_ = hs_get_reply(c);                          \
        hs_check_bulks(__FILE__, __LINE__, r_, items);             \
        freeReplyObject(r_);                                       \
    } while (0)

/* Runs PUBSUB <sub> name... and checks the flat [name, count] reply. */
static void expect_counts(const char *file, int line, const char *sub, const char *const *names,
                          const long long *counts) {
    const char *argv[HS_MAX_ARGS];
    int argc = 0;
    argv[argc++] = "PUBSUB";
    argv[argc++] = sub;
    for (int i = 0; names[i]; i++) argv[argc++] = names[i];
    size_t lens[HS_MAX_ARGS];
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    redisReply *r = hs_command_argv(ctx, argc, argv, lens);
    ck_assert_msg(r->type == REDIS_REPLY_ARRAY && r->elements == (size_t)(argc - 2) * 2, "%s:%d: bad reply shape",
                  file, line);
    for (int i = 0; names[i]; i++) {
        hs_check_bulk(file, line, r->element[2 * i], names[i], strlen(names[i]));
        hs_check_integer(file, line, r->element[2 * i + 1], counts[i]);
    }
    freeReplyObject(r);
}
#define EXPECT_COUNTS(sub, names, ...) expect_counts(__FILE__, __LINE__, sub, names, (const long long[]){__VA_ARGS__})


/* ---------------------------------------------------------- RESP2 */

START_TEST(test_subscribe_publish_unsubscribe) {
    redisContext *a = hs_connect(srv), *b = hs_connect(srv);
    redisReply *r = hs_command(a, HS_ARGS("SUBSCRIBE", "news", "sport"));
    CHECK_CONFIRM(r, "subscribe", "news", 1);
    freeReplyObject(r);
    EXPECT_CONFIRM(a, "subscribe", "sport", 2);
    r = hs_command(b, HS_ARGS("SUBSCRIBE", "news"));
    CHECK_CONFIRM(r, "subscribe", "news", 1);
    freeReplyObject(r);
    /* subscribing again is confirmed with the same count */
    r = hs_command(b, HS_ARGS("SUBSCRIBE", "news"));
    CHECK_CONFIRM(r, "subscribe", "news", 1);
    freeReplyObject(r);

    HS_EXPECT_INT(ctx, 2, "PUBLISH", "news", "hello");
    HS_EXPECT_INT(ctx, 1, "PUBLISH", "sport", "goal");
    HS_EXPECT_INT(ctx, 0, "PUBLISH", "weather", "rain");
    EXPECT_MESSAGE(a, HS_ARGS("message", "news", "hello"));
    EXPECT_MESSAGE(a, HS_ARGS("message", "sport", "goal"));
    EXPECT_MESSAGE(b, HS_ARGS("message", "news", "hello"));
    /* binary payloads pass through untouched */
    const char *argv[] = {"PUBLISH", "sport", "a\r\nb\0c"};
    size_t lens[] = {7, 5, 7};
    r = hs_command_argv(ctx, 3, argv, lens);
    HS_CHECK_INT(r, 1);
    freeReplyObject(r);
    r = hs_get_reply(a);
    ck_assert_uint_eq(r->elements, 3);
    HS_CHECK_BULK(r->element[2], "a\r\nb\0c", 7);
    freeReplyObject(r);

    EXPECT_COUNTS("NUMSUB", HS_ARGS("news", "sport", "none"), 2, 1, 0);
    /* unsubscribing a channel never subscribed is confirmed too */
    r = hs_command(a, HS_ARGS("UNSUBSCRIBE", "sport", "never"));
    CHECK_CONFIRM(r, "unsubscribe", "sport", 1);
    freeReplyObject(r);
    EXPECT_CONFIRM(a, "unsubscribe", "never", 1);
    r = hs_command(a, HS_ARGS("UNSUBSCRIBE"));
    CHECK_CONFIRM(r, "unsubscribe", "news", 0);
    freeReplyObject(r);
    /* nothing left: one confirmation with a null name */
    r = hs_command(a, HS_ARGS("UNSUBSCRIBE"));
    CHECK_CONFIRM(r, "unsubscribe", NULL, 0);
    freeReplyObject(r);
    r = hs_command(a, HS_ARGS("PUNSUBSCRIBE"));
    CHECK_CONFIRM(r, "punsubscribe", NULL, 0);
    freeReplyObject(r);
    r = hs_command(a, HS_ARGS("SUNSUBSCRIBE"));
    CHECK_CONFIRM(r, "sunsubscribe", NULL, 0);
    freeReplyObject(r);
    /* out of subscribed mode: ordinary commands again */
    HS_EXPECT_NIL(a, "GET", "k");
    HS_EXPECT_INT(ctx, 1, "PUBLISH", "news", "again");
    HS_EXPECT_BULKS(ctx, HS_ARGS("news"), "PUBSUB", "CHANNELS");
    redisFree(a);
    redisFree(b);
}
END_TEST

START_TEST(test_subscribed_mode_resp2) {
    redisContext *a = hs_connect(srv);
    redisReply *r = hs_command(a, HS_ARGS("SUBSCRIBE", "c"));
    freeReplyObject(r);
    HS_EXPECT_ERROR(a, CONTEXT_ERR("get"), "GET", "k");
    HS_EXPECT_ERROR(a, CONTEXT_ERR("client|info"), "CLIENT", "INFO");
    HS_EXPECT_ERROR(a, CONTEXT_ERR("multi"), "MULTI");
    HS_EXPECT_ERROR(a, CONTEXT_ERR("publish"), "PUBLISH", "c", "m");
    HS_EXPECT_BULKS(a, HS_ARGS("pong", ""), "PING");
    HS_EXPECT_BULKS(a, HS_ARGS("pong", "hi"), "PING", "hi");
    HS_EXPECT_ARITY(a, "ping", "PING", "a", "b");
    /* the other (un)subscribe commands are allowed; the mode lasts while
     * any subscription of any kind remains */
    r = hs_command(a, HS_ARGS("SSUBSCRIBE", "s"));
    CHECK_CONFIRM(r, "ssubscribe", "s", 1);
    freeReplyObject(r);
    r = hs_command(a, HS_ARGS("UNSUBSCRIBE"));
    CHECK_CONFIRM(r, "unsubscribe", "c", 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(a, CONTEXT_ERR("get"), "GET", "k");
    r = hs_command(a, HS_ARGS("PUNSUBSCRIBE"));
    CHECK_CONFIRM(r, "punsubscribe", NULL, 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(a, CONTEXT_ERR("get"), "GET", "k");
    r = hs_command(a, HS_ARGS("SUNSUBSCRIBE", "s", "s"));
    CHECK_CONFIRM(r, "sunsubscribe", "s", 0);
    freeReplyObject(r);
    EXPECT_CONFIRM(a, "sunsubscribe", "s", 0);
    HS_EXPECT_NIL(a, "GET", "k");
    HS_EXPECT_STATUS(a, "PONG", "PING");
    /* RESET leaves subscribed mode; QUIT is allowed in it */
    freeReplyObject(hs_command(a, HS_ARGS("PSUBSCRIBE", "p*")));
    HS_EXPECT_STATUS(a, "RESET", "RESET");
    HS_EXPECT_NIL(a, "GET", "k");
    HS_EXPECT_INT(ctx, 0, "PUBSUB", "NUMPAT");
    freeReplyObject(hs_command(a, HS_ARGS("SUBSCRIBE", "c")));
    HS_EXPECT_OK(a, "QUIT");
    redisFree(a);
}
END_TEST

/* SUBSCRIBE queued in MULTI runs at EXEC; what follows it in the same
 * transaction already sees subscribed mode (PING's special form). */
START_TEST(test_subscribe_inside_multi) {
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SUBSCRIBE", "q");
    HS_EXPECT_STATUS(ctx, "QUEUED", "PING");
    redisReply *r = hs_command(ctx, HS_ARGS("EXEC"));
    ck_assert_uint_eq(r->elements, 2);
    CHECK_CONFIRM(r->element[0], "subscribe", "q", 1);
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("pong", ""));
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, CONTEXT_ERR("get"), "GET", "k");
}
END_TEST

/* Subscription confirmations and messages ignore CLIENT REPLY OFF. */
START_TEST(test_reply_off_still_pushes) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nz\r\n", "*3\r\n$9\r\nsubscribe\r\n$1\r\nz\r\n:1\r\n");
    HS_EXPECT_INT(ctx, 1, "PUBLISH", "z", "hello");
    hs_buf got = hs_raw_read_n(fd, 35, RAW_TIMEOUT_MS);
    HS_CHECK_BYTES(got, "*3\r\n$7\r\nmessage\r\n$1\r\nz\r\n$5\r\nhello\r\n");
    hs_buf_free(&got);
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- patterns */

START_TEST(test_pattern_matching) {
    redisContext *a = hs_connect(srv);
    redisReply *r = hs_command(a, HS_ARGS("PSUBSCRIBE", "h?llo", "h[ae]llo", "news.*", "lit\\*"));
    CHECK_CONFIRM(r, "psubscribe", "h?llo", 1);
    freeReplyObject(r);
    EXPECT_CONFIRM(a, "psubscribe", "h[ae]llo", 2);
    EXPECT_CONFIRM(a, "psubscribe", "news.*", 3);
    EXPECT_CONFIRM(a, "psubscribe", "lit\\*", 4);
    HS_EXPECT_INT(ctx, 4, "PUBSUB", "NUMPAT");

    HS_EXPECT_INT(ctx, 2, "PUBLISH", "hello", "1"); /* h?llo and h[ae]llo */
    HS_EXPECT_INT(ctx, 1, "PUBLISH", "hxllo", "2");
    HS_EXPECT_INT(ctx, 0, "PUBLISH", "heello", "3");
    HS_EXPECT_INT(ctx, 1, "PUBLISH", "news.art", "4");
    HS_EXPECT_INT(ctx, 0, "PUBLISH", "news", "5");
    HS_EXPECT_INT(ctx, 0, "PUBLISH", "litx", "6");
    HS_EXPECT_INT(ctx, 1, "PUBLISH", "lit*", "7");
    /* one message per matching pattern, in order */
    r = hs_get_reply(a);
    ck_assert_uint_eq(r->elements, 4);
    HS_CHECK_BULK(r->element[0], "pmessage", 8);
    HS_CHECK_BULK(r->element[2], "hello", 5);
    HS_CHECK_BULK(r->element[3], "1", 1);
    freeReplyObject(r);
    r = hs_get_reply(a);
    HS_CHECK_BULK(r->element[2], "hello", 5);
    freeReplyObject(r);
    EXPECT_MESSAGE(a, HS_ARGS("pmessage", "h?llo", "hxllo", "2"));
    EXPECT_MESSAGE(a, HS_ARGS("pmessage", "news.*", "news.art", "4"));
    EXPECT_MESSAGE(a, HS_ARGS("pmessage", "lit\\*", "lit*", "7"));

    /* a channel subscriber and a pattern subscriber both count */
    redisContext *b = hs_connect(srv);
    freeReplyObject(hs_command(b, HS_ARGS("SUBSCRIBE", "news.art")));
    freeReplyObject(hs_command(b, HS_ARGS("PSUBSCRIBE", "news.*")));
    HS_EXPECT_INT(ctx, 3, "PUBLISH", "news.art", "8");
    HS_EXPECT_INT(ctx, 4, "PUBSUB", "NUMPAT"); /* distinct patterns */
    EXPECT_MESSAGE(b, HS_ARGS("message", "news.art", "8"));
    EXPECT_MESSAGE(b, HS_ARGS("pmessage", "news.*", "news.art", "8"));

    /* the first reply a reads is the message still pending for it */
    r = hs_command(a, HS_ARGS("PUNSUBSCRIBE", "h?llo", "nope"));
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("pmessage", "news.*", "news.art", "8"));
    freeReplyObject(r);
    EXPECT_CONFIRM(a, "punsubscribe", "h?llo", 3);
    EXPECT_CONFIRM(a, "punsubscribe", "nope", 3);
    HS_EXPECT_INT(ctx, 1, "PUBLISH", "hello", "9");
    EXPECT_MESSAGE(a, HS_ARGS("pmessage", "h[ae]llo", "hello", "9"));
    /* a bare PUNSUBSCRIBE goes in subscription order */
    r = hs_command(a, HS_ARGS("PUNSUBSCRIBE"));
    CHECK_CONFIRM(r, "punsubscribe", "h[ae]llo", 2);
    freeReplyObject(r);
    EXPECT_CONFIRM(a, "punsubscribe", "news.*", 1);
    EXPECT_CONFIRM(a, "punsubscribe", "lit\\*", 0);
    redisFree(a);
    redisFree(b);
}
END_TEST

START_TEST(test_pubsub_channels_numsub_numpat) {
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "PUBSUB", "CHANNELS");
    HS_EXPECT_INT(ctx, 0, "PUBSUB", "NUMPAT");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "PUBSUB", "NUMSUB");
    redisContext *a = hs_connect(srv);
    freeReplyObject(hs_command(a, HS_ARGS("SUBSCRIBE", "alpha")));
    HS_EXPECT_BULKS(ctx, HS_ARGS("alpha"), "PUBSUB", "CHANNELS");
    HS_EXPECT_BULKS(ctx, HS_ARGS("alpha"), "PUBSUB", "CHANNELS", "a*");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "PUBSUB", "CHANNELS", "b*");
    HS_EXPECT_ERROR(ctx,
                    "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.",
                    "PUBSUB", "CHANNELS", "a", "b");
    HS_EXPECT_ERROR(ctx,
                    "ERR unknown subcommand or wrong number of arguments for 'shardchannels'. Try PUBSUB HELP.",
                    "PUBSUB", "shardchannels", "a", "b");
    HS_EXPECT_ARITY(ctx, "pubsub|numpat", "PUBSUB", "NUMPAT", "x");
    HS_EXPECT_ARITY(ctx, "pubsub|help", "PUBSUB", "HELP", "x");
    HS_EXPECT_ARITY(ctx, "pubsub", "PUBSUB");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'foo'. Try PUBSUB HELP.", "PUBSUB", "foo");
    redisReply *r = hs_command(ctx, HS_ARGS("PUBSUB", "HELP"));
    ck_assert_uint_eq(r->elements, 14);
    HS_CHECK_STATUS(r->element[0], "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    HS_CHECK_STATUS(r->element[12], "HELP");
    freeReplyObject(r);
    redisFree(a);
}
END_TEST

START_TEST(test_arity_errors) {
    HS_EXPECT_ARITY(ctx, "subscribe", "SUBSCRIBE");
    HS_EXPECT_ARITY(ctx, "psubscribe", "PSUBSCRIBE");
    HS_EXPECT_ARITY(ctx, "ssubscribe", "SSUBSCRIBE");
    HS_EXPECT_ARITY(ctx, "publish", "PUBLISH", "c");
    HS_EXPECT_ARITY(ctx, "publish", "PUBLISH", "c", "m", "x");
    HS_EXPECT_ARITY(ctx, "spublish", "SPUBLISH", "c");
    HS_EXPECT_ARITY(ctx, "spublish", "SPUBLISH", "c", "m", "x");
    /* shard channels are not keys to COMMAND GETKEYS */
    HS_EXPECT_ERROR(ctx, "ERR The command has no key arguments", "COMMAND", "GETKEYS", "SSUBSCRIBE", "a", "b");
    HS_EXPECT_ERROR(ctx, "ERR The command has no key arguments", "COMMAND", "GETKEYS", "SPUBLISH", "a", "b");
}
END_TEST

/* ---------------------------------------------------------- shard channels */

START_TEST(test_shard_channels) {
    redisContext *a = hs_connect(srv), *b = hs_connect(srv);
    redisReply *r = hs_command(a, HS_ARGS("SUBSCRIBE", "x"));
    freeReplyObject(r);
    freeReplyObject(hs_command(a, HS_ARGS("PSUBSCRIBE", "*")));
    /* the shard count is separate from channels + patterns */
    r = hs_command(a, HS_ARGS("SSUBSCRIBE", "x", "y"));
    CHECK_CONFIRM(r, "ssubscribe", "x", 1);
    freeReplyObject(r);
    EXPECT_CONFIRM(a, "ssubscribe", "y", 2);
    freeReplyObject(hs_command(b, HS_ARGS("SSUBSCRIBE", "x")));
    /* SPUBLISH reaches shard subscribers only; PUBLISH never reaches them */
    HS_EXPECT_INT(ctx, 2, "SPUBLISH", "x", "m1");
    HS_EXPECT_INT(ctx, 2, "PUBLISH", "x", "m2"); /* a's channel and pattern */
    HS_EXPECT_INT(ctx, 0, "SPUBLISH", "z", "m3");
    EXPECT_MESSAGE(a, HS_ARGS("smessage", "x", "m1"));
    EXPECT_MESSAGE(a, HS_ARGS("message", "x", "m2"));
    EXPECT_MESSAGE(a, HS_ARGS("pmessage", "*", "x", "m2"));
    EXPECT_MESSAGE(b, HS_ARGS("smessage", "x", "m1"));
    EXPECT_COUNTS("SHARDNUMSUB", HS_ARGS("x", "y", "q"), 2, 1, 0);
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "PUBSUB", "SHARDNUMSUB");
    HS_EXPECT_BULKS(ctx, HS_ARGS("y"), "PUBSUB", "SHARDCHANNELS", "y*");
    EXPECT_COUNTS("NUMSUB", HS_ARGS("x"), 1);
    r = hs_command(b, HS_ARGS("SUNSUBSCRIBE"));
    CHECK_CONFIRM(r, "sunsubscribe", "x", 0);
    freeReplyObject(r);
    HS_EXPECT_NIL(b, "GET", "k");
    HS_EXPECT_INT(ctx, 1, "SPUBLISH", "x", "m4");
    redisFree(a);
    redisFree(b);
}
END_TEST

/* ---------------------------------------------------------- RESP3 */

#define R3_HELLO "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"

START_TEST(test_resp3_push_frames) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, R3_HELLO);
    hs_buf hello = hs_raw_read_until(fd, "*0\r\n", RAW_TIMEOUT_MS);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "*1\r\n$11\r\nUNSUBSCRIBE\r\n", ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
    HS_RAW_EXPECT(fd, "*1\r\n$12\r\nPUNSUBSCRIBE\r\n", ">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n");
    HS_RAW_EXPECT(fd, "*1\r\n$12\r\nSUNSUBSCRIBE\r\n", ">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$9\r\nSUBSCRIBE\r\n$1\r\na\r\n$1\r\nb\r\n",
                  ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$10\r\nPSUBSCRIBE\r\n$2\r\na*\r\n", ">3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:3\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$10\r\nSSUBSCRIBE\r\n$1\r\nx\r\n", ">3\r\n$10\r\nssubscribe\r\n$1\r\nx\r\n:1\r\n");
    /* RESP3 clients may run anything while subscribed */
    HS_RAW_EXPECT(fd, "*1\r\n$4\r\nPING\r\n", "+PONG\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "_\r\n");
    /* its own PUBLISH: the pushes come before the reply */
    HS_RAW_EXPECT(fd, "*3\r\n$7\r\nPUBLISH\r\n$1\r\na\r\n$1\r\nm\r\n",
                  ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n"
                  ">4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$1\r\nm\r\n:2\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$8\r\nSPUBLISH\r\n$1\r\nx\r\n$1\r\nn\r\n",
                  ">3\r\n$8\r\nsmessage\r\n$1\r\nx\r\n$1\r\nn\r\n:1\r\n");
    /* another client's PUBLISH arrives as a push */
    HS_EXPECT_INT(ctx, 1, "PUBLISH", "b", "hi");
    hs_buf got = hs_raw_read_n(fd, 34, RAW_TIMEOUT_MS);
    HS_CHECK_BYTES(got, ">3\r\n$7\r\nmessage\r\n$1\r\nb\r\n$2\r\nhi\r\n");
    hs_buf_free(&got);
    HS_RAW_EXPECT(fd, "*2\r\n$12\r\nPUNSUBSCRIBE\r\n$2\r\na*\r\n", ">3\r\n$12\r\npunsubscribe\r\n$2\r\na*\r\n:2\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$12\r\nSUNSUBSCRIBE\r\n$1\r\nx\r\n", ">3\r\n$12\r\nsunsubscribe\r\n$1\r\nx\r\n:0\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$11\r\nUNSUBSCRIBE\r\n$1\r\na\r\n$1\r\nb\r\n",
                  ">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n");
    /* back to RESP2 while subscribed: subscribed mode applies */
    HS_RAW_EXPECT(fd, "*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nc\r\n", ">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
    HS_RAW_SEND_STR(fd, "*2\r\n$5\r\nHELLO\r\n$1\r\n2\r\n");
    hello = hs_raw_read_until(fd, "*0\r\n", RAW_TIMEOUT_MS);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "*1\r\n$4\r\nPING\r\n", "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "-" CONTEXT_ERR("get") "\r\n");
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- cleanup */

START_TEST(test_client_list_info_and_cleanup) {
    redisContext *a = hs_connect(srv);
    long long id = hs_client_id(a);
    freeReplyObject(hs_command(a, HS_ARGS("SUBSCRIBE", "c1", "c2")));
    freeReplyObject(hs_get_reply(a));
    freeReplyObject(hs_command(a, HS_ARGS("PSUBSCRIBE", "p*")));
    freeReplyObject(hs_command(a, HS_ARGS("SSUBSCRIBE", "s1")));
    char idbuf[32];
    snprintf(idbuf, sizeof(idbuf), "%lld", id);
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "LIST", "ID", idbuf));
    ck_assert_msg(strstr(r->str, " flags=P db=0 sub=2 psub=1 ssub=1 multi=-1 ") != NULL, "%s", r->str);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("CLIENT", "LIST", "TYPE", "pubsub"));
    ck_assert_msg(strstr(r->str, "sub=2 psub=1 ssub=1") && strchr(r->str, '\n') == r->str + r->len - 1, "%s",
                  r->str);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("CLIENT", "INFO"));
    ck_assert_msg(strstr(r->str, " flags=N db=0 sub=0 psub=0 ssub=0 ") != NULL, "%s", r->str);
    freeReplyObject(r);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "pubsub_channels"), 2);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "pubsub_patterns"), 1);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "pubsubshard_channels"), 1);

    /* RESET drops everything, with no unsubscribe replies */
    HS_EXPECT_STATUS(a, "RESET", "RESET");
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "pubsub_channels"), 0);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "pubsub_patterns"), 0);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "pubsubshard_channels"), 0);
    HS_EXPECT_INT(ctx, 0, "PUBLISH", "c1", "m");

    /* CLIENT KILL does too */
    freeReplyObject(hs_command(a, HS_ARGS("SUBSCRIBE", "c1")));
    freeReplyObject(hs_command(a, HS_ARGS("PSUBSCRIBE", "p*")));
    HS_EXPECT_INT(ctx, 1, "CLIENT", "KILL", "TYPE", "pubsub");
    EXPECT_COUNTS("NUMSUB", HS_ARGS("c1"), 0);
    HS_EXPECT_INT(ctx, 0, "PUBSUB", "NUMPAT");
    HS_EXPECT_INT(ctx, 0, "PUBLISH", "p1", "m");
    redisFree(a);

    /* and a disconnect */
    redisContext *b = hs_connect(srv);
    freeReplyObject(hs_command(b, HS_ARGS("SSUBSCRIBE", "s9")));
    EXPECT_COUNTS("SHARDNUMSUB", HS_ARGS("s9"), 1);
    redisFree(b);
    for (int i = 0; i < 100 && hs_info_ll(ctx, "stats", "pubsubshard_channels") != 0; i++) hs_sleep_ms(10);
    EXPECT_COUNTS("SHARDNUMSUB", HS_ARGS("s9"), 0);
    HS_EXPECT_INT(ctx, 0, "CLIENT", "KILL", "TYPE", "pubsub");
}
END_TEST

/* A subscriber that does not read is closed once its output passes the
 * pubsub class's hard limit; memory stays bounded, others are served. */
START_TEST(test_slow_subscriber_output_limit) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 256kb 60");
    int fd = hs_raw_connect(srv);
    HS_RAW_EXPECT(fd, "*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nslow\r\n", "*3\r\n$9\r\nsubscribe\r\n$4\r\nslow\r\n:1\r\n");
    redisContext *fast = hs_connect(srv);
    freeReplyObject(hs_command(fast, HS_ARGS("SUBSCRIBE", "other")));
    char *msg = malloc(SLOW_MSG_BYTES + 1);
    memset(msg, 'x', SLOW_MSG_BYTES);
    msg[SLOW_MSG_BYTES] = '\0';
    long long delivered = 0, max_used = 0;
    for (int i = 0; i < SLOW_MSG_COUNT; i++) {
        redisReply *r = hs_command(ctx, HS_ARGS("PUBLISH", "slow", msg));
        delivered += r->integer;
        freeReplyObject(r);
        if (i % 500 == 0) {
            long long used = hs_info_ll(ctx, "memory", "used_memory");
            if (used > max_used) max_used = used;
        }
    }
    free(msg);
    ck_assert_msg(delivered < SLOW_MSG_COUNT / 2, "delivered %lld: the slow subscriber was never closed", delivered);
    ck_assert_msg(max_used < SLOW_MEMORY_BOUND_BYTES, "used_memory reached %lld", max_used);
    /* what the kernel buffered arrives first, then the close */
    ck_assert(hs_raw_wait_closed(fd, RAW_TIMEOUT_MS));
    close(fd);
    EXPECT_COUNTS("NUMSUB", HS_ARGS("slow", "other"), 0, 1);
    hs_buf log = hs_read_log(srv);
    ck_assert(strstr(log.data, "scheduled to be closed ASAP for overcoming of output buffer limits") != NULL);
    hs_buf_free(&log);
    /* the subscriber that reads is unaffected */
    HS_EXPECT_INT(ctx, 1, "PUBLISH", "other", "still here");
    EXPECT_MESSAGE(fast, HS_ARGS("message", "other", "still here"));
    redisFree(fast);
}
END_TEST

/* ---------------------------------------------------------- notifications */

/* Events the core emits today (new, keymiss, expired, evicted) arrive on
 * __keyspace@<db>__:<key> and __keyevent@<db>__:<event>, in that order.
 * Only those classes are enabled, so events other modules add later do
 * not show up here. */
START_TEST(test_keyspace_notifications) {
    redisContext *s = hs_connect(srv);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "notify-keyspace-events", "KEnmx");
    freeReplyObject(hs_command(s, HS_ARGS("PSUBSCRIBE", "__key*__:*")));
    HS_EXPECT_NIL(ctx, "GET", "missing");
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyspace@0__:missing", "keymiss"));
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyevent@0__:keymiss", "missing"));
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyspace@0__:k", "new"));
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyevent@0__:new", "k"));
    HS_EXPECT_OK(ctx, "SELECT", "3");
    HS_EXPECT_OK(ctx, "SET", "e", "1", "PX", "1");
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyspace@3__:e", "new"));
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyevent@3__:new", "e"));
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    hs_sleep_ms(10);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "e"); /* lazy expiry, then the miss */
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyspace@3__:e", "expired"));
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyevent@3__:expired", "e"));
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyspace@3__:e", "keymiss"));
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyevent@3__:keymiss", "e"));
    /* keyevent only, with a plain channel subscription */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "notify-keyspace-events", "En");
    redisContext *t = hs_connect(srv);
    freeReplyObject(hs_command(t, HS_ARGS("SUBSCRIBE", "__keyevent@3__:new")));
    HS_EXPECT_OK(ctx, "SET", "k2", "v");
    EXPECT_MESSAGE(t, HS_ARGS("message", "__keyevent@3__:new", "k2"));
    EXPECT_MESSAGE(s, HS_ARGS("pmessage", "__key*__:*", "__keyevent@3__:new", "k2"));
    redisFree(t);
    redisFree(s);
}
END_TEST

/* Under maxmemory, one `evicted` event per evicted key. */
START_TEST(test_evicted_notifications) {
    redisContext *s = hs_connect(srv);
    for (int i = 0; i < 50; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        HS_EXPECT_OK(ctx, "SET", key, "value");
    }
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "notify-keyspace-events", "Ee");
    freeReplyObject(hs_command(s, HS_ARGS("SUBSCRIBE", "__keyevent@0__:evicted")));
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-random", "maxmemory", "1");
    redisReply *r = hs_command(ctx, HS_ARGS("SET", "x", "y"));
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "0");
    long long evicted = hs_info_ll(ctx, "stats", "evicted_keys");
    ck_assert_int_gt(evicted, 0);
    for (long long i = 0; i < evicted; i++) {
        r = hs_get_reply(s);
        ck_assert_uint_eq(r->elements, 3);
        HS_CHECK_BULK(r->element[1], "__keyevent@0__:evicted", 22);
        freeReplyObject(r);
    }
    /* and no more than that */
    HS_EXPECT_INT(ctx, 1, "PUBLISH", "__keyevent@0__:evicted", "end");
    EXPECT_MESSAGE(s, HS_ARGS("message", "__keyevent@0__:evicted", "end"));
    redisFree(s);
}
END_TEST

static Suite *pubsub_suite(void) {
    Suite *s = suite_create("pubsub");
    TCase *tc = hs_tcase(s, "pubsub");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_subscribe_publish_unsubscribe);
    tcase_add_test(tc, test_subscribed_mode_resp2);
    tcase_add_test(tc, test_subscribe_inside_multi);
    tcase_add_test(tc, test_reply_off_still_pushes);
    tcase_add_test(tc, test_pattern_matching);
    tcase_add_test(tc, test_pubsub_channels_numsub_numpat);
    tcase_add_test(tc, test_arity_errors);
    tcase_add_test(tc, test_shard_channels);
    tcase_add_test(tc, test_resp3_push_frames);
    tcase_add_test(tc, test_client_list_info_and_cleanup);
    tcase_add_test(tc, test_slow_subscriber_output_limit);
    tcase_add_test(tc, test_keyspace_notifications);
    tcase_add_test(tc, test_evicted_notifications);
    return s;
}

int main(void) {
    return hs_run_suite(pubsub_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
