/* test_tracking.c -- integration tests for client-side caching: CLIENT
 * TRACKING (default, BCAST, OPTIN, OPTOUT, NOLOOP, REDIRECT), CLIENT
 * CACHING, GETREDIR, TRACKINGINFO, invalidation messages, the table limit
 * and cleanup when clients go away.
 *
 * Tracking clients talk RESP3 over raw sockets (Debian's hiredis cannot
 * parse push frames); writers use hiredis. Every expected byte is what
 * Redis 7.0.15 sends for the same sequence: the suite passes with
 * MINIRED_SERVER=$(which redis-server) too. One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define REPLY_WAIT_MS 5000
/* How long a connection must stay silent to count as "nothing sent". */
#define QUIET_MS 150
/* Long enough for a few cron runs (hz 10). */
#define CRON_WAIT_MS 1500
#define PUSH_HDR ">2\r\n$10\r\ninvalidate\r\n"
#define PUSH1(key) PUSH_HDR "*1\r\n$" #key "\r\n"

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

/* ---------------------------------------------------------- raw helpers */

static void rsend(int fd, const char *const *args) {
    hs_buf b = {0};
    int n = 0;
    while (args[n]) n++;
    hs_buf_printf(&b, "*%d\r\n", n);
    for (int i = 0; i < n; i++) hs_buf_printf(&b, "$%zu\r\n%s\r\n", strlen(args[i]), args[i]);
    hs_raw_send(fd, b.data, b.len);
    hs_buf_free(&b);
}

static void rexpect(const char *file, int line, int fd, const char *want) {
    hs_buf got = hs_raw_read_n(fd, strlen(want), REPLY_WAIT_MS);
    hs_check_bytes(file, line, got.data, got.len, want, strlen(want));
    hs_buf_free(&got);
}

/* Fails unless fd receives nothing for QUIET_MS. */
static void rnothing(const char *file, int line, int fd) {
    int closed = 0;
    hs_buf got = hs_raw_read_all(fd, QUIET_MS, &closed);
    hs_check_bytes(file, line, got.data ? got.data : "", got.len, "", 0);
    hs_buf_free(&got);
}

#define RSEND(fd, ...) rsend(fd, HS_ARGS(__VA_ARGS__))
#define REXPECT(fd, want) rexpect(__FILE__, __LINE__, fd, want)
#define RNOTHING(fd) rnothing(__FILE__, __LINE__, fd)
/* Sends a command on a raw connection and checks the exact bytes back. */
#define RDO(fd, want, ...)        \
    do {                          \
        RSEND(fd, __VA_ARGS__);   \
        REXPECT(fd, want);        \
    } while (0)

/* A raw connection switched to RESP3; *id gets its client id. */
static int resp3_conn(long long *id) {
    int fd = hs_raw_connect(srv);
    RSEND(fd, "HELLO", "3");
    hs_buf hello = hs_raw_read_until(fd, "modules\r\n*0\r\n", REPLY_WAIT_MS);
    const char *p = strstr(hello.data ? hello.data : "", "$2\r\nid\r\n:");
    ck_assert_msg(p != NULL, "no HELLO 3 reply");
    if (id) *id = atoll(p + strlen("$2\r\nid\r\n:"));
    hs_buf_free(&hello);
    return fd;
}


/* ---------------------------------------------------------- default mode */

START_TEST(test_default_mode) {
    int a = resp3_conn(NULL);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on");
    RDO(a, "_\r\n", "GET", "foo");
    RNOTHING(a);
    HS_EXPECT_OK(ctx, "SET", "foo", "bar");
    REXPECT(a, PUSH1(3) "foo\r\n");
    /* Told once: the key is forgotten until read again. */
    HS_EXPECT_OK(ctx, "SET", "foo", "baz");
    RNOTHING(a);
    RDO(a, "*2\r\n$3\r\nbaz\r\n_\r\n", "MGET", "foo", "bar");
    HS_EXPECT_OK(ctx, "MSET", "bar", "1", "foo", "2");
    REXPECT(a, PUSH1(3) "bar\r\n" PUSH1(3) "foo\r\n");
    /* Any database: the table knows keys by name only. */
    RDO(a, "$1\r\n2\r\n", "GET", "foo");
    HS_EXPECT_OK(ctx, "SELECT", "3");
    HS_EXPECT_INT(ctx, 1, "INCR", "foo");
    REXPECT(a, PUSH1(3) "foo\r\n");
    HS_EXPECT_OK(ctx, "SELECT", "0");
    /* A write command does not track what it touches. */
    RDO(a, "+OK\r\n", "SET", "w", "1");
    HS_EXPECT_OK(ctx, "SET", "w", "2");
    RNOTHING(a);
    /* A read that fails with WRONGTYPE still tracks the key, as in Redis. */
    HS_EXPECT_INT(ctx, 1, "LPUSH", "list", "x");
    RDO(a, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "GET", "list");
    HS_EXPECT_OK(ctx, "SET", "list", "s");
    REXPECT(a, PUSH1(4) "list\r\n");
    close(a);
}
END_TEST

/* The client's own change comes after its reply; an EXEC's pushes follow
 * the whole array. */
START_TEST(test_self_invalidation_order) {
    int a = resp3_conn(NULL);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on");
    RDO(a, "_\r\n", "GET", "foo");
    RDO(a, "+OK\r\n" PUSH1(3) "foo\r\n", "SET", "foo", "1");
    RDO(a, "$1\r\n1\r\n", "GET", "foo");
    RDO(a, "+OK\r\n", "MULTI");
    RDO(a, "+QUEUED\r\n", "SET", "foo", "2");
    RDO(a, "+QUEUED\r\n", "GET", "foo");
    RDO(a, "+QUEUED\r\n", "SET", "foo", "3");
    RDO(a, "*3\r\n+OK\r\n$1\r\n2\r\n+OK\r\n" PUSH1(3) "foo\r\n" PUSH1(3) "foo\r\n", "EXEC");
    /* Setting a key to the value it holds is still a write. */
    RDO(a, "$1\r\n3\r\n", "GET", "foo");
    HS_EXPECT_OK(ctx, "SET", "foo", "3");
    REXPECT(a, PUSH1(3) "foo\r\n");
    /* Lazy expiry is a change too. */
    RDO(a, "+OK\r\n", "SET", "ex", "1", "PX", "30");
    RDO(a, "$1\r\n1\r\n", "GET", "ex");
    hs_sleep_ms(100);
    HS_EXPECT_NIL(ctx, "GET", "ex");
    REXPECT(a, PUSH1(2) "ex\r\n");
    close(a);
}
END_TEST

/* SET over the same shared integer is still a write (db_set_key used to
 * skip its signal when the stored object did not change). */
START_TEST(test_same_value_overwrite_signals) {
    HS_EXPECT_OK(ctx, "SET", "n", "7");
    redisContext *w = hs_connect(srv);
    HS_EXPECT_OK(w, "WATCH", "n");
    HS_EXPECT_OK(ctx, "SET", "n", "7");
    HS_EXPECT_OK(w, "MULTI");
    HS_EXPECT_STATUS(w, "QUEUED", "PING");
    redisReply *r = hs_command(w, HS_ARGS("EXEC"));
    ck_assert_int_eq(r->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    redisFree(w);
}
END_TEST

START_TEST(test_noloop) {
    int a = resp3_conn(NULL);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on", "NOLOOP");
    RDO(a, "_\r\n", "GET", "n1");
    RDO(a, "+OK\r\n", "SET", "n1", "1");
    RNOTHING(a);
    /* The own write still dropped the key from the table. */
    HS_EXPECT_OK(ctx, "SET", "n1", "2");
    RNOTHING(a);
    RDO(a, "$1\r\n2\r\n", "GET", "n1");
    HS_EXPECT_OK(ctx, "SET", "n1", "3");
    REXPECT(a, PUSH1(2) "n1\r\n");
    close(a);
}
END_TEST

/* ---------------------------------------------------------- OPTIN / OPTOUT */

START_TEST(test_optin) {
    int a = resp3_conn(NULL);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on", "OPTIN");
    RDO(a, "_\r\n", "GET", "k1");
    HS_EXPECT_OK(ctx, "SET", "k1", "1");
    RNOTHING(a);
    RDO(a, "+OK\r\n", "CLIENT", "CACHING", "yes");
    RDO(a, "$1\r\n1\r\n", "GET", "k1");
    HS_EXPECT_OK(ctx, "SET", "k1", "2");
    REXPECT(a, PUSH1(2) "k1\r\n");
    /* CACHING lasts for one command; other CLIENT subcommands keep it. */
    RDO(a, "+OK\r\n", "CLIENT", "CACHING", "yes");
    RSEND(a, "CLIENT", "ID");
    hs_buf idr = hs_raw_read_until(a, "\r\n", REPLY_WAIT_MS);
    hs_buf_free(&idr);
    RDO(a, "_\r\n", "GET", "k2");
    RDO(a, "_\r\n", "GET", "k3");
    HS_EXPECT_OK(ctx, "MSET", "k2", "1", "k3", "1");
    REXPECT(a, PUSH1(2) "k2\r\n");
    RNOTHING(a);
    /* ... and for a whole transaction. */
    RDO(a, "+OK\r\n", "CLIENT", "CACHING", "yes");
    RDO(a, "+OK\r\n", "MULTI");
    RDO(a, "+QUEUED\r\n", "GET", "k5");
    RDO(a, "+QUEUED\r\n", "GET", "k6");
    RDO(a, "*2\r\n_\r\n_\r\n", "EXEC");
    RDO(a, "_\r\n", "GET", "k7");
    HS_EXPECT_OK(ctx, "MSET", "k5", "1", "k6", "1", "k7", "1");
    REXPECT(a, PUSH1(2) "k5\r\n" PUSH1(2) "k6\r\n");
    RNOTHING(a);
    /* An unknown command uses it up too. */
    RDO(a, "+OK\r\n", "CLIENT", "CACHING", "yes");
    RDO(a, "-ERR unknown command 'FOO', with args beginning with: \r\n", "FOO");
    RDO(a, "_\r\n", "GET", "k8");
    HS_EXPECT_OK(ctx, "SET", "k8", "1");
    RNOTHING(a);
    close(a);
}
END_TEST

START_TEST(test_optout) {
    int a = resp3_conn(NULL);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on", "OPTOUT");
    RDO(a, "_\r\n", "GET", "o1");
    HS_EXPECT_OK(ctx, "SET", "o1", "1");
    REXPECT(a, PUSH1(2) "o1\r\n");
    RDO(a, "+OK\r\n", "CLIENT", "CACHING", "no");
    RDO(a, "_\r\n", "GET", "o2");
    RDO(a, "_\r\n", "GET", "o3");
    HS_EXPECT_OK(ctx, "MSET", "o2", "1", "o3", "1");
    REXPECT(a, PUSH1(2) "o3\r\n");
    RNOTHING(a);
    close(a);
}
END_TEST

/* ---------------------------------------------------------- BCAST */

START_TEST(test_bcast) {
    int a = resp3_conn(NULL), n = resp3_conn(NULL), e = resp3_conn(NULL);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "PREFIX", "obj:");
    RDO(n, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "NOLOOP", "PREFIX", "user:");
    RDO(e, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST");
    HS_EXPECT_OK(ctx, "MSET", "user:2", "x", "user:1", "y", "obj:1", "z", "other", "1", "user:2", "q");
    /* One message per prefix, prefixes and keys in byte order. */
    REXPECT(a, PUSH_HDR "*1\r\n$5\r\nobj:1\r\n" PUSH_HDR "*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n");
    REXPECT(n, PUSH_HDR "*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n");
    REXPECT(e, PUSH_HDR "*4\r\n$5\r\nobj:1\r\n$5\r\nother\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n");
    /* NOLOOP: n is not told of its own changes. */
    RDO(n, "+OK\r\n", "MSET", "user:5", "1", "user:4", "2");
    RNOTHING(n);
    REXPECT(a, PUSH_HDR "*2\r\n$6\r\nuser:4\r\n$6\r\nuser:5\r\n");
    REXPECT(e, PUSH_HDR "*2\r\n$6\r\nuser:4\r\n$6\r\nuser:5\r\n");
    /* Reads track nothing in BCAST mode; a's own write comes after its reply. */
    RDO(a, "$1\r\n1\r\n", "GET", "user:5");
    RDO(a, "+OK\r\n" PUSH_HDR "*1\r\n$6\r\nuser:1\r\n", "SET", "user:1", "1");
    REXPECT(e, PUSH_HDR "*1\r\n$6\r\nuser:1\r\n");
    REXPECT(n, PUSH_HDR "*1\r\n$6\r\nuser:1\r\n");
    HS_EXPECT_OK(ctx, "SET", "zzz", "1");
    REXPECT(e, PUSH_HDR "*1\r\n$3\r\nzzz\r\n");
    RNOTHING(a);
    RDO(a,
        "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n"
        "$4\r\nobj:\r\n$5\r\nuser:\r\n",
        "CLIENT", "TRACKINGINFO");
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_prefixes"), 3);
    /* Turning on again adds prefixes; the empty prefix sorts first. */
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "zz");
    RDO(e, "-ERR Prefix 'x' overlaps with an existing prefix ''. Prefixes for a single client must not overlap.\r\n",
        "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x");
    int f = resp3_conn(NULL);
    RDO(f, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x");
    RDO(f, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST");
    RDO(f,
        "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n"
        "$0\r\n\r\n$1\r\nx\r\n",
        "CLIENT", "TRACKINGINFO");
    RDO(n, "+OK\r\n", "CLIENT", "TRACKING", "off");
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_prefixes"), 5);
    ck_assert_int_eq(hs_info_ll(ctx, "clients", "tracking_clients"), 3);
    close(f);
    close(a);
    close(n);
    close(e);
}
END_TEST

/* ---------------------------------------------------------- REDIRECT */

START_TEST(test_redirect) {
    long long rid;
    int r = resp3_conn(&rid);
    redisContext *a = hs_connect(srv); /* RESP2 tracking client */
    char rbuf[32];
    snprintf(rbuf, sizeof(rbuf), "%lld", rid);
    HS_EXPECT_OK(a, "CLIENT", "TRACKING", "on", "REDIRECT", rbuf);
    HS_EXPECT_INT(a, rid, "CLIENT", "GETREDIR");
    HS_EXPECT_NIL(a, "GET", "foo");
    HS_EXPECT_OK(ctx, "SET", "foo", "1");
    REXPECT(r, PUSH1(3) "foo\r\n");
    /* A flush sends the null of the tracking client's protocol. */
    HS_EXPECT_OK(ctx, "FLUSHALL");
    REXPECT(r, PUSH_HDR "$-1\r\n");
    /* CLIENT LIST shows the redirect. */
    hs_buf want = {0};
    hs_buf_printf(&want, "redir=%lld ", rid);
    redisReply *info = hs_command(a, HS_ARGS("CLIENT", "INFO"));
    ck_assert_msg(strstr(info->str, " flags=t ") && strstr(info->str, want.data), "%s", info->str);
    freeReplyObject(info);
    /* The target goes away: a RESP2 client is only marked. */
    HS_EXPECT_NIL(a, "GET", "foo");
    close(r);
    hs_sleep_ms(QUIET_MS);
    HS_EXPECT_OK(ctx, "SET", "foo", "2");
    info = hs_command(a, HS_ARGS("CLIENT", "INFO"));
    ck_assert_msg(strstr(info->str, " flags=tR ") && strstr(info->str, want.data), "%s", info->str);
    freeReplyObject(info);
    hs_buf_free(&want);
    redisFree(a);

    /* A RESP3 client is told, every time a key of it changes. */
    long long bid;
    int b = resp3_conn(&bid);
    int t = resp3_conn(&rid);
    snprintf(rbuf, sizeof(rbuf), "%lld", rid);
    RDO(b, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", rbuf);
    RDO(b, "_\r\n", "GET", "k");
    RDO(b, "_\r\n", "GET", "j");
    close(t);
    hs_sleep_ms(QUIET_MS);
    hs_buf broken = {0};
    hs_buf_printf(&broken, ">2\r\n$21\r\ntracking-redir-broken\r\n:%lld\r\n", rid);
    HS_EXPECT_OK(ctx, "SET", "k", "1");
    REXPECT(b, broken.data);
    HS_EXPECT_OK(ctx, "SET", "j", "1");
    REXPECT(b, broken.data);
    hs_buf_free(&broken);
    hs_buf flags = {0};
    hs_buf_printf(&flags,
                  "%%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:%lld\r\n"
                  "$8\r\nprefixes\r\n*0\r\n",
                  rid);
    RDO(b, flags.data, "CLIENT", "TRACKINGINFO");
    hs_buf_free(&flags);
    /* Turning tracking on again clears the mark; redirecting to itself works. */
    snprintf(rbuf, sizeof(rbuf), "%lld", bid);
    RDO(b, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", rbuf);
    RDO(b, "_\r\n", "GET", "s");
    HS_EXPECT_OK(ctx, "SET", "s", "1");
    REXPECT(b, PUSH1(1) "s\r\n");
    close(b);
}
END_TEST

/* A RESP2 redirect target gets `message` frames on __redis__:invalidate
 * while subscribed. Checked only once pub/sub exists in this build. */
START_TEST(test_redirect_resp2_pubsub) {
    int r = hs_raw_connect(srv);
    RSEND(r, "SUBSCRIBE", "__redis__:invalidate");
    hs_buf sub = hs_raw_read_until(r, "\r\n", REPLY_WAIT_MS);
    int have_pubsub = sub.data && sub.data[0] == '*';
    hs_buf_free(&sub);
    if (!have_pubsub) {
        close(r);
        return;
    }
    sub = hs_raw_read_until(r, "\r\n:1\r\n", REPLY_WAIT_MS);
    hs_buf_free(&sub);
    /* Find r's id from CLIENT LIST: the client subscribed to one channel. */
    redisReply *list = hs_command(ctx, HS_ARGS("CLIENT", "LIST"));
    const char *p = strstr(list->str, "sub=1 ");
    ck_assert_ptr_nonnull(p);
    while (p > list->str && strncmp(p, "id=", 3) != 0) p--;
    char idbuf[32];
    snprintf(idbuf, sizeof(idbuf), "%lld", atoll(p + 3));
    freeReplyObject(list);
    int a = resp3_conn(NULL);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", idbuf);
    RDO(a, "_\r\n", "GET", "foo");
    HS_EXPECT_OK(ctx, "SET", "foo", "1");
    REXPECT(r, "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$3\r\nfoo\r\n");
    HS_EXPECT_OK(ctx, "FLUSHDB");
    REXPECT(r, "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n_\r\n");
    RNOTHING(a);
    close(a);
    close(r);
}
END_TEST

/* ---------------------------------------------------------- flushes */

START_TEST(test_flush_null) {
    int a = resp3_conn(NULL), bc = resp3_conn(NULL);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on");
    RDO(bc, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p");
    RDO(a, "_\r\n", "GET", "k");
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_keys"), 1);
    HS_EXPECT_OK(ctx, "FLUSHALL");
    REXPECT(a, PUSH_HDR "_\r\n");
    REXPECT(bc, PUSH_HDR "_\r\n");
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_keys"), 0);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_items"), 0);
    /* Any database, even an empty one; the flusher hears it after its reply. */
    HS_EXPECT_OK(ctx, "SELECT", "5");
    HS_EXPECT_OK(ctx, "FLUSHDB", "ASYNC");
    REXPECT(a, PUSH_HDR "_\r\n");
    REXPECT(bc, PUSH_HDR "_\r\n");
    RDO(a, "+OK\r\n" PUSH_HDR "_\r\n", "FLUSHDB");
    REXPECT(bc, PUSH_HDR "_\r\n");
    /* The flush emptied the table: nothing more for k. */
    HS_EXPECT_OK(ctx, "SELECT", "0");
    HS_EXPECT_OK(ctx, "SET", "k", "1");
    RNOTHING(a);
    close(a);
    close(bc);
}
END_TEST

/* ---------------------------------------------------------- table limit */

/* Counts the invalidation pushes in buf. */
static int count_pushes(const hs_buf *b) {
    int n = 0;
    for (const char *p = b->data; p && (p = strstr(p, PUSH_HDR)) != NULL; p++) n++;
    return n;
}

START_TEST(test_table_limit) {
    int a = resp3_conn(NULL);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "tracking-table-max-keys", "2");
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on");
    /* Read 4 keys: on the next command two random ones are evicted, each
     * with its own message, before that command's reply. */
    RDO(a, "*4\r\n_\r\n_\r\n_\r\n_\r\n", "MGET", "k1", "k2", "k3", "k4");
    RSEND(a, "PING");
    hs_buf got = hs_raw_read_until(a, "+PONG\r\n", REPLY_WAIT_MS);
    ck_assert_int_eq(count_pushes(&got), 2);
    ck_assert_msg(strncmp(got.data, PUSH_HDR "*1\r\n$2\r\nk", strlen(PUSH_HDR) + 9) == 0, "%s", got.data);
    hs_buf_free(&got);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_keys"), 2);
    /* The cron trims too, with nobody sending commands. */
    RDO(a, "*3\r\n_\r\n_\r\n_\r\n", "MGET", "x1", "x2", "x3");
    int closed = 0;
    got = hs_raw_read_all(a, CRON_WAIT_MS, &closed);
    ck_assert_int_eq(count_pushes(&got), 3);
    hs_buf_free(&got);
    /* 0: no limit. */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "tracking-table-max-keys", "0");
    RDO(a, "*3\r\n_\r\n_\r\n_\r\n", "MGET", "y1", "y2", "y3");
    RDO(a, "+PONG\r\n", "PING");
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_keys"), 5);
    HS_DO(ctx, hs_check_bulks(__FILE__, __LINE__, hs_r_, HS_ARGS("tracking-table-max-keys", "0")), "CONFIG", "GET",
          "tracking-table-max-keys");
    HS_EXPECT_ERROR(ctx,
                    "ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - argument "
                    "must be between 0 and 9223372036854775807 inclusive",
                    "CONFIG", "SET", "tracking-table-max-keys", "-1");
    close(a);
}
END_TEST

/* ---------------------------------------------------------- errors */

START_TEST(test_errors) {
    long long other = hs_client_id(ctx);
    char obuf[32];
    snprintf(obuf, sizeof(obuf), "%lld", other);
    redisContext *c = hs_connect(srv);
    HS_EXPECT_ARITY(c, "client|tracking", "CLIENT", "TRACKING");
    HS_EXPECT_ARITY(c, "client|caching", "CLIENT", "CACHING");
    HS_EXPECT_ARITY(c, "client|caching", "CLIENT", "CACHING", "yes", "x");
    HS_EXPECT_ARITY(c, "client|getredir", "CLIENT", "GETREDIR", "x");
    HS_EXPECT_ARITY(c, "client|trackinginfo", "CLIENT", "TRACKINGINFO", "x");
    HS_EXPECT_ERROR(c, "ERR syntax error", "CLIENT", "TRACKING", "maybe");
    HS_EXPECT_ERROR(c, "ERR syntax error", "CLIENT", "TRACKING", "on", "foo");
    HS_EXPECT_ERROR(c, "ERR syntax error", "CLIENT", "TRACKING", "on", "REDIRECT");
    HS_EXPECT_ERROR(c, "ERR syntax error", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX");
    HS_EXPECT_ERROR(c, "ERR value is not an integer or out of range", "CLIENT", "TRACKING", "on", "REDIRECT", "x");
    HS_EXPECT_ERROR(c, "ERR The client ID you want redirect to does not exist", "CLIENT", "TRACKING", "on",
                    "REDIRECT", "999999");
    HS_EXPECT_ERROR(c, "ERR The client ID you want redirect to does not exist", "CLIENT", "TRACKING", "off",
                    "REDIRECT", "0");
    HS_EXPECT_ERROR(c, "ERR A client can only redirect to a single other client", "CLIENT", "TRACKING", "on",
                    "REDIRECT", obuf, "REDIRECT", obuf);
    HS_EXPECT_ERROR(c, "ERR PREFIX option requires BCAST mode to be enabled", "CLIENT", "TRACKING", "on", "PREFIX",
                    "a");
    HS_EXPECT_ERROR(c, "ERR OPTIN and OPTOUT are not compatible with BCAST", "CLIENT", "TRACKING", "on", "BCAST",
                    "OPTIN", "OPTOUT");
    HS_EXPECT_ERROR(c, "ERR You can't specify both OPTIN mode and OPTOUT mode", "CLIENT", "TRACKING", "on", "OPTIN",
                    "OPTOUT");
    HS_EXPECT_ERROR(c, "ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client "
                       "must not overlap.",
                    "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab");
    HS_EXPECT_ERROR(c, "ERR Prefix 'x' overlaps with another provided prefix 'x'. Prefixes for a single client "
                       "must not overlap.",
                    "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "x");
    HS_EXPECT_ERROR(c,
                    "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
                    "OPTOUT mode enabled",
                    "CLIENT", "CACHING", "maybe");
    HS_EXPECT_OK(c, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "y");
    HS_EXPECT_ERROR(c, "ERR Prefix 'xz' overlaps with an existing prefix 'x'. Prefixes for a single client must not "
                       "overlap.",
                    "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "xz", "PREFIX", "q", "PREFIX", "qa");
    HS_EXPECT_ERROR(c, "ERR Prefix 'q' overlaps with another provided prefix 'qa'. Prefixes for a single client "
                       "must not overlap.",
                    "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "q", "PREFIX", "qa", "PREFIX", "xz");
    HS_EXPECT_ERROR(c,
                    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
                    "re-enabling it with a different mode.",
                    "CLIENT", "TRACKING", "on");
    HS_EXPECT_OK(c, "CLIENT", "TRACKING", "off");
    HS_EXPECT_OK(c, "CLIENT", "TRACKING", "on", "OPTIN");
    HS_EXPECT_ERROR(c,
                    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
                    "re-enabling it with a different mode.",
                    "CLIENT", "TRACKING", "on", "OPTOUT");
    HS_EXPECT_ERROR(c, "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.", "CLIENT",
                    "CACHING", "no");
    HS_EXPECT_ERROR(c, "ERR syntax error", "CLIENT", "CACHING", "maybe");
    HS_EXPECT_OK(c, "CLIENT", "TRACKING", "on");
    HS_EXPECT_ERROR(c, "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.", "CLIENT",
                    "CACHING", "yes");
    /* OFF parses its options too, then ignores them. */
    HS_EXPECT_OK(c, "CLIENT", "TRACKING", "off", "BCAST", "PREFIX", "a", "optin", "optout");
    redisFree(c);
}
END_TEST

/* ---------------------------------------------------------- introspection */

START_TEST(test_trackinginfo_getredir) {
    int a = resp3_conn(NULL);
    RDO(a, "%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n", "CLIENT",
        "TRACKINGINFO");
    RDO(a, ":-1\r\n", "CLIENT", "GETREDIR");
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "ON", "OPTIN", "NOLOOP");
    RDO(a, ":0\r\n", "CLIENT", "GETREDIR");
    RDO(a,
        "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n"
        "$8\r\nprefixes\r\n*0\r\n",
        "CLIENT", "TRACKINGINFO");
    RDO(a, "+OK\r\n", "CLIENT", "CACHING", "YES");
    RDO(a,
        "%3\r\n$5\r\nflags\r\n~4\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$6\r\nnoloop\r\n"
        "$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n",
        "CLIENT", "TRACKINGINFO");
    RDO(a, "+PONG\r\n", "PING");
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "off");
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on", "OPTOUT");
    RDO(a, "+OK\r\n", "CLIENT", "CACHING", "no");
    RDO(a,
        "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$6\r\noptout\r\n$10\r\ncaching-no\r\n$8\r\nredirect\r\n:0\r\n"
        "$8\r\nprefixes\r\n*0\r\n",
        "CLIENT", "TRACKINGINFO");
    close(a);
    /* RESP2: the map and the set are flat arrays. */
    HS_EXPECT_OK(ctx, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "b", "PREFIX", "a");
    redisReply *r = hs_command(ctx, HS_ARGS("CLIENT", "TRACKINGINFO"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 6);
    hs_check_bulks(__FILE__, __LINE__, r->element[1], HS_ARGS("on", "bcast"));
    HS_CHECK_INT(r->element[3], 0);
    hs_check_bulks(__FILE__, __LINE__, r->element[5], HS_ARGS("a", "b"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("CLIENT", "INFO"));
    ck_assert_msg(strstr(r->str, " flags=tB ") && strstr(r->str, " redir=0 "), "%s", r->str);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "CLIENT", "TRACKING", "off");
    r = hs_command(ctx, HS_ARGS("CLIENT", "INFO"));
    ck_assert_msg(strstr(r->str, " flags=N ") && strstr(r->str, " redir=-1 "), "%s", r->str);
    freeReplyObject(r);
    /* COMMAND INFO as Redis 7.0's. */
    r = hs_command(ctx, HS_ARGS("COMMAND", "INFO", "client|tracking", "client|caching", "client|getredir",
                                "client|trackinginfo"));
    ck_assert_uint_eq(r->elements, 4);
    const long long arity[] = {-3, 3, 2, 2};
    for (int i = 0; i < 4; i++) {
        HS_CHECK_INT(r->element[i]->element[1], arity[i]);
        const redisReply *fl = r->element[i]->element[2];
        ck_assert_uint_eq(fl->elements, 3);
        ck_assert_str_eq(fl->element[0]->str, "noscript");
        ck_assert_str_eq(fl->element[1]->str, "loading");
        ck_assert_str_eq(fl->element[2]->str, "stale");
    }
    freeReplyObject(r);
}
END_TEST

START_TEST(test_reset_and_info) {
    int a = resp3_conn(NULL);
    ck_assert_int_eq(hs_info_ll(ctx, "clients", "tracking_clients"), 0);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p");
    ck_assert_int_eq(hs_info_ll(ctx, "clients", "tracking_clients"), 1);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_prefixes"), 1);
    RDO(a, "+RESET\r\n", "RESET");
    ck_assert_int_eq(hs_info_ll(ctx, "clients", "tracking_clients"), 0);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_prefixes"), 0);
    HS_EXPECT_OK(ctx, "SET", "p1", "1");
    RNOTHING(a);
    /* Keys stay in the table after tracking is off (counted until they change). */
    RSEND(a, "HELLO", "3");
    hs_buf h = hs_raw_read_until(a, "modules\r\n*0\r\n", REPLY_WAIT_MS);
    hs_buf_free(&h);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on");
    RDO(a, "*2\r\n_\r\n_\r\n", "MGET", "m1", "m2");
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_keys"), 2);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_items"), 2);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "off");
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_keys"), 2);
    HS_EXPECT_OK(ctx, "SET", "m1", "1");
    RNOTHING(a);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_keys"), 1);
    /* HELLO 2 keeps tracking on; the messages have nowhere to go. */
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on");
    RDO(a, "_\r\n", "GET", "m3");
    RSEND(a, "HELLO", "2");
    h = hs_raw_read_until(a, "modules\r\n*0\r\n", REPLY_WAIT_MS);
    hs_buf_free(&h);
    HS_EXPECT_OK(ctx, "SET", "m3", "1");
    RNOTHING(a);
    ck_assert_int_eq(hs_info_ll(ctx, "clients", "tracking_clients"), 1);
    close(a);
}
END_TEST

/* Tracking clients, BCAST clients and redirect targets may go away at any
 * time; nothing dangles. */
START_TEST(test_client_free_cleanup) {
    long long rid;
    int r = resp3_conn(&rid);
    char rbuf[32];
    snprintf(rbuf, sizeof(rbuf), "%lld", rid);
    int fds[6];
    for (int i = 0; i < 6; i++) {
        fds[i] = resp3_conn(NULL);
        if (i % 3 == 0) RDO(fds[i], "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", rbuf);
        else if (i % 3 == 1) RDO(fds[i], "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "k");
        else RDO(fds[i], "+OK\r\n", "CLIENT", "TRACKING", "on", "NOLOOP");
        RDO(fds[i], "*2\r\n_\r\n_\r\n", "MGET", "k1", "k2");
    }
    ck_assert_int_eq(hs_info_ll(ctx, "clients", "tracking_clients"), 6);
    close(r);
    for (int i = 0; i < 6; i += 2) close(fds[i]);
    hs_sleep_ms(QUIET_MS);
    HS_EXPECT_OK(ctx, "MSET", "k1", "1", "k2", "2");
    HS_EXPECT_OK(ctx, "FLUSHALL");
    ck_assert_int_eq(hs_info_ll(ctx, "clients", "tracking_clients"), 3);
    for (int i = 1; i < 6; i += 2) close(fds[i]);
    hs_sleep_ms(QUIET_MS);
    HS_EXPECT_OK(ctx, "SET", "k1", "1");
    HS_EXPECT_OK(ctx, "FLUSHALL");
    ck_assert_int_eq(hs_info_ll(ctx, "clients", "tracking_clients"), 0);
    ck_assert_int_eq(hs_info_ll(ctx, "stats", "tracking_total_prefixes"), 0);
    /* CLIENT KILL of a tracking client. */
    long long aid;
    int a = resp3_conn(&aid);
    char abuf[32];
    snprintf(abuf, sizeof(abuf), "%lld", aid);
    RDO(a, "+OK\r\n", "CLIENT", "TRACKING", "on");
    RDO(a, "_\r\n", "GET", "z");
    HS_EXPECT_INT(ctx, 1, "CLIENT", "KILL", "ID", abuf);
    HS_EXPECT_OK(ctx, "SET", "z", "1");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
    close(a);
}
END_TEST

static Suite *tracking_suite(void) {
    Suite *s = suite_create("tracking");
    TCase *tc = hs_tcase(s, "tracking");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_default_mode);
    tcase_add_test(tc, test_self_invalidation_order);
    tcase_add_test(tc, test_same_value_overwrite_signals);
    tcase_add_test(tc, test_noloop);
    tcase_add_test(tc, test_optin);
    tcase_add_test(tc, test_optout);
    tcase_add_test(tc, test_bcast);
    tcase_add_test(tc, test_redirect);
    tcase_add_test(tc, test_redirect_resp2_pubsub);
    tcase_add_test(tc, test_flush_null);
    tcase_add_test(tc, test_table_limit);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_trackinginfo_getredir);
    tcase_add_test(tc, test_reset_and_info);
    tcase_add_test(tc, test_client_free_cleanup);
    return s;
}

int main(void) {
    return hs_run_suite(tracking_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
