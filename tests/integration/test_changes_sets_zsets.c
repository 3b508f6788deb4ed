/* test_changes_sets_zsets.c -- what set and sorted-set writes report:
 * the dirty counter (INFO rdb_changes_since_last_save) per command, WATCH
 * (a command that changed nothing lets EXEC run, a change fails it), and the
 * effects stream (DEBUG EFFECTS) for every rewrite rule: SPOP as SREM per
 * member or DEL, ZMPOP/BZMPOP as ZPOPMIN/ZPOPMAX with the count taken,
 * BZPOPMIN/BZPOPMAX as the bare pop, served at once or after blocking;
 * and the keyspace events of each write.
 *
 * Every expected figure and byte is what Redis 7.0 answered to the same
 * commands (its replica stream for the effects); the dirty, WATCH and
 * event tests pass with MINIRED_SERVER=redis-server itself. Commands are
 * written as space-separated words: no argument here holds a space. */
#include <stdio.h>
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

/* Runs line and checks how far it moved the dirty counter. */
static void expect_dirty_at(const char *file, int line_no, const char *line, long long want) {
    long long before = hs_dirty(ctx);
    freeReplyObject(hs_command_line(ctx, line));
    long long got = hs_dirty(ctx) - before;
    ck_assert_msg(got == want, "%s:%d: '%s' moved dirty by %lld, Redis 7.0 by %lld", file, line_no, line, got,
                  want);
}
#define EXPECT_DIRTY(line, n) expect_dirty_at(__FILE__, __LINE__, line, n)

/* Checks DEBUG EFFECTS GET against the commands of want (NULL-terminated
 * lines), and empties the capture. */
static void expect_effects_at(const char *file, int line_no, const char *const *want) {
    hs_buf exp = {0};
    hs_buf_cat(&exp, "", 0);
    for (int i = 0; want[i]; i++) hs_cat_command_resp(&exp, want[i]);
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    hs_check_bytes(file, line_no, r->str, r->len, exp.data, exp.len);
    freeReplyObject(r);
    hs_buf_free(&exp);
}
#define EXPECT_EFFECTS(...) expect_effects_at(__FILE__, __LINE__, HS_ARGS(__VA_ARGS__))
#define EXPECT_NO_EFFECTS() expect_effects_at(__FILE__, __LINE__, (const char *const[]){NULL})

static void effects_on(void) {
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
}

/* Forgets what the capture holds so far. */
static void effects_clear(void) {
    freeReplyObject(hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET")));
}

/* ---------------------------------------------------------- dirty */

START_TEST(test_dirty_sets) {
    EXPECT_DIRTY("SADD s a b c", 3);
    EXPECT_DIRTY("SADD s a b c", 0);
    EXPECT_DIRTY("SADD s a d", 1);
    EXPECT_DIRTY("SREM s x", 0);
    EXPECT_DIRTY("SREM s a x", 1);
    EXPECT_DIRTY("SREM nokey a", 0);
    EXPECT_DIRTY("SADD s2 1 2 3", 3);
    EXPECT_DIRTY("SREM s2 1 2 3", 3); /* emptied: the delete is not counted apart */
    EXPECT_DIRTY("SADD t b", 1);
    EXPECT_DIRTY("SMOVE s t b", 1); /* t already had b: only the removal counts */
    EXPECT_DIRTY("SMOVE s t c", 2);
    EXPECT_DIRTY("SMOVE s t zz", 0);
    EXPECT_DIRTY("SMOVE s s d", 0);
    EXPECT_DIRTY("SMOVE s newdst d", 2);
    EXPECT_DIRTY("SADD u 1 2", 2);
    EXPECT_DIRTY("SADD v 2 3", 2);
    EXPECT_DIRTY("SINTERSTORE dst u v", 1);
    EXPECT_DIRTY("SUNIONSTORE dst u v", 1);
    EXPECT_DIRTY("SDIFFSTORE dst u v", 1);
    EXPECT_DIRTY("SINTERSTORE dst u nokey", 1); /* deletes dst */
    EXPECT_DIRTY("SINTERSTORE dst u nokey", 0); /* nothing to delete */
    EXPECT_DIRTY("SDIFFSTORE dst u u", 0);
    EXPECT_DIRTY("SUNIONSTORE dst nokey", 0);
    EXPECT_DIRTY("SADD p a b c d e f", 6);
    EXPECT_DIRTY("SPOP p 0", 0);
    EXPECT_DIRTY("SPOP p", 1);
    EXPECT_DIRTY("SPOP p 2", 2);
    EXPECT_DIRTY("SPOP p 10", 3);
    EXPECT_DIRTY("SPOP p", 0);
    EXPECT_DIRTY("SPOP p 3", 0);
    EXPECT_DIRTY("SADD p a b", 2);
    EXPECT_DIRTY("SRANDMEMBER p", 0);
    EXPECT_DIRTY("SRANDMEMBER p -5", 0);
    EXPECT_DIRTY("SINTERCARD 1 p", 0);
}
END_TEST

START_TEST(test_dirty_zsets) {
    EXPECT_DIRTY("ZADD z 1 a 2 b 3 c", 3);
    EXPECT_DIRTY("ZADD z 1 a 2 b", 0);
    EXPECT_DIRTY("ZADD z 5 a 2 b", 1);
    EXPECT_DIRTY("ZADD z CH 6 a 2 b 7 d", 2);
    EXPECT_DIRTY("ZADD z NX 9 a", 0);
    EXPECT_DIRTY("ZADD z NX 9 a 1 e", 1);
    EXPECT_DIRTY("ZADD z XX 9 zz", 0);
    EXPECT_DIRTY("ZADD z XX 10 a", 1);
    EXPECT_DIRTY("ZADD z XX GT 1 a", 0);
    EXPECT_DIRTY("ZADD z XX GT 11 a", 1);
    EXPECT_DIRTY("ZADD z LT 100 a", 0);
    EXPECT_DIRTY("ZADD z LT 0 a", 1);
    EXPECT_DIRTY("ZADD z INCR 1 a", 1);
    EXPECT_DIRTY("ZADD z INCR 0 a", 0);
    EXPECT_DIRTY("ZADD z NX INCR 1 a", 0);
    EXPECT_DIRTY("ZADD z GT INCR -1 a", 0);
    EXPECT_DIRTY("ZADD nz XX 1 a", 0);
    EXPECT_DIRTY("ZINCRBY z 2 a", 1);
    EXPECT_DIRTY("ZINCRBY z 0 a", 0);
    EXPECT_DIRTY("ZINCRBY z 3 new", 1);
    EXPECT_DIRTY("ZREM z nope", 0);
    EXPECT_DIRTY("ZREM z a nope", 1);
    EXPECT_DIRTY("ZADD r 1 a 2 b 3 c 4 d 5 e", 5);
    EXPECT_DIRTY("ZREMRANGEBYRANK r 10 20", 0);
    EXPECT_DIRTY("ZREMRANGEBYRANK r 0 0", 1);
    EXPECT_DIRTY("ZREMRANGEBYSCORE r 100 200", 0);
    EXPECT_DIRTY("ZREMRANGEBYSCORE r 2 3", 2);
    EXPECT_DIRTY("ZREMRANGEBYLEX r [x [z", 0);
    EXPECT_DIRTY("ZREMRANGEBYLEX r - +", 2);
    EXPECT_DIRTY("ZADD p 1 a 2 b 3 c 4 d 5 e", 5);
    EXPECT_DIRTY("ZPOPMIN p", 1);
    EXPECT_DIRTY("ZPOPMIN p 0", 0);
    EXPECT_DIRTY("ZPOPMIN p 2", 2);
    EXPECT_DIRTY("ZPOPMAX p 5", 2);
    EXPECT_DIRTY("ZPOPMIN p", 0);
    EXPECT_DIRTY("ZADD p 1 a 2 b 3 c", 3);
    EXPECT_DIRTY("ZMPOP 2 nokey p MIN", 1);
    EXPECT_DIRTY("ZMPOP 1 p MAX COUNT 5", 2);
    EXPECT_DIRTY("ZMPOP 1 p MAX COUNT 5", 0);
    EXPECT_DIRTY("ZADD p 1 a 2 b 3 c", 3);
    EXPECT_DIRTY("BZPOPMIN p 0", 1);
    EXPECT_DIRTY("BZMPOP 0 1 p MIN COUNT 3", 2);
    EXPECT_DIRTY("ZADD a 1 x 2 y 3 z", 3);
    EXPECT_DIRTY("ZADD b 2 y 4 w", 2);
    EXPECT_DIRTY("ZRANGESTORE d a 0 -1", 1);
    EXPECT_DIRTY("ZRANGESTORE d a 5 10", 1); /* deletes d */
    EXPECT_DIRTY("ZRANGESTORE d a 5 10", 0);
    EXPECT_DIRTY("ZRANGESTORE d nokey 0 -1", 0);
    EXPECT_DIRTY("ZUNIONSTORE d 2 a b", 1);
    EXPECT_DIRTY("ZINTERSTORE d 2 a b", 1);
    EXPECT_DIRTY("ZDIFFSTORE d 2 a b", 1);
    EXPECT_DIRTY("ZINTERSTORE d 2 a nokey", 1);
    EXPECT_DIRTY("ZINTERSTORE d 2 a nokey", 0);
    EXPECT_DIRTY("ZDIFFSTORE d 2 a a", 0);
    EXPECT_DIRTY("ZRANDMEMBER a 2", 0);
    EXPECT_DIRTY("ZUNION 2 a b", 0);
}
END_TEST

/* INFO keyspace_hits / keyspace_misses. */
static void keyspace_stats(long long *hits, long long *misses) {
    hs_buf h = hs_info_field(ctx, "stats", "keyspace_hits");
    hs_buf m = hs_info_field(ctx, "stats", "keyspace_misses");
    ck_assert_ptr_nonnull(h.data);
    ck_assert_ptr_nonnull(m.data);
    *hits = strtoll(h.data, NULL, 10);
    *misses = strtoll(m.data, NULL, 10);
    hs_buf_free(&h);
    hs_buf_free(&m);
}

static void expect_lookups_at(const char *file, int line_no, const char *line, long long hits, long long misses) {
    long long h0, m0, h1, m1;
    keyspace_stats(&h0, &m0);
    freeReplyObject(hs_command_line(ctx, line));
    keyspace_stats(&h1, &m1);
    ck_assert_msg(h1 - h0 == hits && m1 - m0 == misses, "%s:%d: '%s' counted %lld hits %lld misses, Redis %lld %lld",
                  file, line_no, line, h1 - h0, m1 - m0, hits, misses);
}
#define EXPECT_LOOKUPS(line, hits, misses) expect_lookups_at(__FILE__, __LINE__, line, hits, misses)

/* The sources of a set *STORE are read lookups in Redis 7.0 (a missing
 * one is a keyspace miss, with a "keymiss" event); sorted-set stores'
 * sources too; the destination is not a lookup at all. */
START_TEST(test_store_source_lookups) {
    HS_EXPECT_INT(ctx, 1, "SADD", "s", "a");
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "1", "a");
    EXPECT_LOOKUPS("SUNIONSTORE d s nokey", 1, 1);
    EXPECT_LOOKUPS("SINTERSTORE d s s", 2, 0);
    EXPECT_LOOKUPS("SINTERSTORE d nokey nokey2 s", 1, 2);
    EXPECT_LOOKUPS("SDIFFSTORE d s nokey", 1, 1);
    EXPECT_LOOKUPS("ZUNIONSTORE d2 2 z nokey", 1, 1);
    EXPECT_LOOKUPS("ZRANGESTORE d3 nokey 0 -1", 0, 1);
    EXPECT_LOOKUPS("SMOVE s t a", 0, 0);
    EXPECT_LOOKUPS("ZPOPMIN z", 0, 0);
}
END_TEST

/* ---------------------------------------------------------- WATCH */

/* WATCHes key on a fresh connection, runs line on ctx, then checks that
 * the transaction runs (changed 0) or is aborted (changed 1). */
static void expect_watch_at(const char *file, int line_no, const char *key, const char *line, int changed) {
    redisContext *w = hs_connect(srv);
    HS_EXPECT_OK(w, "WATCH", key);
    freeReplyObject(hs_command_line(ctx, line));
    HS_EXPECT_OK(w, "MULTI");
    HS_EXPECT_STATUS(w, "QUEUED", "PING");
    redisReply *r = hs_command(w, HS_ARGS("EXEC"));
    int aborted = r->type == REDIS_REPLY_NIL;
    ck_assert_msg(aborted == changed, "%s:%d: '%s' %s the WATCH on %s", file, line_no, line,
                  aborted ? "failed" : "did not fail", key);
    freeReplyObject(r);
    redisFree(w);
}
#define EXPECT_UNTOUCHED(key, line) expect_watch_at(__FILE__, __LINE__, key, line, 0)
#define EXPECT_TOUCHED(key, line) expect_watch_at(__FILE__, __LINE__, key, line, 1)

START_TEST(test_watch_sets) {
    HS_EXPECT_INT(ctx, 3, "SADD", "s", "a", "b", "c");
    EXPECT_UNTOUCHED("s", "SADD s a b");
    EXPECT_TOUCHED("s", "SADD s a x");
    EXPECT_UNTOUCHED("s", "SREM s nope");
    EXPECT_TOUCHED("s", "SREM s x nope");
    EXPECT_UNTOUCHED("s", "SMOVE s t nope");
    EXPECT_UNTOUCHED("s", "SMOVE s s a");
    EXPECT_TOUCHED("s", "SMOVE s t a");
    EXPECT_TOUCHED("t", "SMOVE s t b");
    HS_EXPECT_INT(ctx, 1, "SADD", "t", "c");
    EXPECT_UNTOUCHED("t", "SMOVE s t c"); /* t had c already */
    EXPECT_TOUCHED("s", "SADD s y");
    EXPECT_UNTOUCHED("s", "SPOP s 0");
    HS_EXPECT_INT(ctx, 2, "SADD", "s", "z", "w");
    EXPECT_TOUCHED("s", "SPOP s");
    EXPECT_TOUCHED("s", "SPOP s 5");
    EXPECT_UNTOUCHED("s", "SPOP s");
    EXPECT_UNTOUCHED("d", "SINTERSTORE d nokey t");
    EXPECT_TOUCHED("d", "SUNIONSTORE d t");
    EXPECT_TOUCHED("d", "SDIFFSTORE d t t");
    EXPECT_UNTOUCHED("t", "SRANDMEMBER t 3");
}
END_TEST

START_TEST(test_watch_zsets) {
    HS_EXPECT_INT(ctx, 3, "ZADD", "z", "1", "a", "2", "b", "3", "c");
    EXPECT_UNTOUCHED("z", "ZADD z 1 a");
    EXPECT_UNTOUCHED("z", "ZADD z NX 5 a");
    EXPECT_UNTOUCHED("z", "ZADD z XX GT 0 a");
    EXPECT_UNTOUCHED("z", "ZADD z XX 1 nope");
    EXPECT_UNTOUCHED("z", "ZINCRBY z 0 a");
    EXPECT_TOUCHED("z", "ZADD z XX GT 10 a");
    EXPECT_TOUCHED("z", "ZINCRBY z 1 b");
    EXPECT_UNTOUCHED("z", "ZREM z nope");
    EXPECT_TOUCHED("z", "ZREM z nope c");
    EXPECT_UNTOUCHED("z", "ZREMRANGEBYSCORE z 100 200");
    EXPECT_UNTOUCHED("z", "ZREMRANGEBYRANK z 5 6");
    EXPECT_UNTOUCHED("z", "ZREMRANGEBYLEX z [x [y");
    EXPECT_TOUCHED("z", "ZREMRANGEBYRANK z 0 0");
    EXPECT_UNTOUCHED("z", "ZPOPMIN z 0");
    EXPECT_TOUCHED("z", "ZPOPMAX z");
    HS_EXPECT_INT(ctx, 2, "ZADD", "z", "1", "a", "2", "b");
    EXPECT_TOUCHED("z", "ZMPOP 1 z MIN");
    EXPECT_TOUCHED("z", "BZPOPMIN z 0");
    EXPECT_UNTOUCHED("d", "ZUNIONSTORE d 1 nokey");
    EXPECT_UNTOUCHED("d", "ZRANGESTORE d nokey 0 -1");
    HS_EXPECT_INT(ctx, 1, "ZADD", "z", "1", "a");
    EXPECT_TOUCHED("d", "ZRANGESTORE d z 0 -1");
    EXPECT_TOUCHED("d", "ZINTERSTORE d 2 z nokey");
    EXPECT_UNTOUCHED("z", "ZRANDMEMBER z 2");
}
END_TEST

/* A client served after blocking changed the key: a WATCH on it fails. */
START_TEST(test_watch_served_blocked_pop) {
    redisContext *b = hs_block_client(srv, ctx, HS_ARGS("BZPOPMIN", "q", "0"), 1);
    redisContext *w = hs_connect(srv);
    HS_EXPECT_OK(w, "WATCH", "q");
    HS_EXPECT_INT(ctx, 2, "ZADD", "q", "1", "a", "2", "b");
    redisReply *r = hs_get_reply(b);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("q", "a", "1"));
    freeReplyObject(r);
    HS_EXPECT_OK(w, "MULTI");
    HS_EXPECT_STATUS(w, "QUEUED", "PING");
    HS_EXPECT_NIL(w, "EXEC");
    redisFree(w);
    redisFree(b);
}
END_TEST

/* ---------------------------------------------------------- effects */

START_TEST(test_effects_sets) {
    effects_on();
    HS_EXPECT_INT(ctx, 2, "SADD", "s", "a", "b");
    HS_EXPECT_INT(ctx, 0, "SADD", "s", "a");
    HS_EXPECT_INT(ctx, 0, "SREM", "s", "x");
    EXPECT_EFFECTS("SELECT 0", "SADD s a b");
    HS_EXPECT_INT(ctx, 1, "SMOVE", "s", "t", "a");
    HS_EXPECT_INT(ctx, 1, "SINTERSTORE", "d", "s", "s");
    HS_EXPECT_INT(ctx, 0, "SINTERSTORE", "d", "s", "t");
    EXPECT_EFFECTS("SMOVE s t a", "SINTERSTORE d s s", "SINTERSTORE d s t");
    HS_EXPECT_BULKS(ctx, HS_ARGS("b"), "SRANDMEMBER", "s", "5");
    HS_EXPECT_BULK(ctx, "b", "SRANDMEMBER", "s");
    EXPECT_NO_EFFECTS();
}
END_TEST

/* SPOP names the member it drew; the last member goes as SREM too. */
START_TEST(test_effects_spop_single) {
    effects_on();
    HS_EXPECT_INT(ctx, 1, "SADD", "s", "only");
    HS_EXPECT_BULK(ctx, "only", "SPOP", "s");
    HS_EXPECT_INT(ctx, 1, "SADD", "i", "42");
    HS_EXPECT_BULK(ctx, "42", "SPOP", "i");
    EXPECT_EFFECTS("SELECT 0", "SADD s only", "SREM s only", "SADD i 42", "SREM i 42");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "s");
    /* Not emptying: the member replied is the member removed. */
    HS_EXPECT_INT(ctx, 3, "SADD", "s", "x", "y", "z");
    effects_clear();
    redisReply *r = hs_command(ctx, HS_ARGS("SPOP", "s"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    hs_buf want = {0};
    hs_buf_printf(&want, "SREM s %s", r->str);
    EXPECT_EFFECTS(want.data);
    hs_buf_free(&want);
    freeReplyObject(r);
}
END_TEST

/* SPOP with a count: one SREM per member popped, in a MULTI/EXEC, for
 * both ways of popping (few members drawn, or most members moved) and
 * both encodings (prefix "" makes integer members: an intset). */
static void check_spop_count(const char *prefix, int size, int count) {
    hs_buf cmd = {0};
    hs_buf_cat(&cmd, "SADD c", 6);
    for (int i = 0; i < size; i++) hs_buf_printf(&cmd, " %s%d", prefix, i);
    freeReplyObject(hs_command_line(ctx, cmd.data));
    hs_buf_free(&cmd);
    effects_clear();
    char n[16];
    snprintf(n, sizeof(n), "%d", count);
    redisReply *r = hs_command(ctx, HS_ARGS("SPOP", "c", n));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, (size_t)count);
    hs_buf want = {0};
    hs_cat_command_resp(&want, "MULTI");
    for (size_t i = 0; i < r->elements; i++) {
        char line[64];
        snprintf(line, sizeof(line), "SREM c %s", r->element[i]->str);
        hs_cat_command_resp(&want, line);
    }
    hs_cat_command_resp(&want, "EXEC");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    hs_check_bytes(__FILE__, __LINE__, r->str, r->len, want.data, want.len);
    freeReplyObject(r);
    hs_buf_free(&want);
    HS_EXPECT_INT(ctx, 1, "DEL", "c");
}

START_TEST(test_effects_spop_count) {
    effects_on();
    check_spop_count("m", 20, 3);  /* draws */
    check_spop_count("m", 20, 18); /* moves the two that stay */
    check_spop_count("", 20, 3);
    check_spop_count("", 20, 18);
    HS_EXPECT_INT(ctx, 4, "SADD", "n", "1", "2", "3", "4");
    effects_clear();
    /* one member asked: a lone SREM, not wrapped */
    redisReply *r = hs_command(ctx, HS_ARGS("SPOP", "n", "1"));
    ck_assert_uint_eq(r->elements, 1);
    hs_buf want = {0};
    hs_buf_printf(&want, "SREM n %s", r->element[0]->str);
    EXPECT_EFFECTS(want.data);
    hs_buf_free(&want);
    freeReplyObject(r);
}
END_TEST

/* Popping the whole set is a DEL, whatever lazyfree-lazy-server-del says. */
START_TEST(test_effects_spop_empties) {
    effects_on();
    HS_EXPECT_INT(ctx, 2, "SADD", "s", "a", "b");
    HS_DO(ctx, ck_assert_uint_eq(hs_r_->elements, 2), "SPOP", "s", "5");
    HS_EXPECT_INT(ctx, 1, "SADD", "s", "a");
    HS_DO(ctx, ck_assert_uint_eq(hs_r_->elements, 1), "SPOP", "s", "1");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "lazyfree-lazy-server-del", "yes");
    HS_EXPECT_INT(ctx, 3, "SADD", "s", "1", "2", "3");
    HS_DO(ctx, ck_assert_uint_eq(hs_r_->elements, 3), "SPOP", "s", "3");
    HS_DO(ctx, ck_assert_uint_eq(hs_r_->elements, 0), "SPOP", "s", "3");
    EXPECT_EFFECTS("SELECT 0", "SADD s a b", "DEL s", "SADD s a", "DEL s", "SADD s 1 2 3", "DEL s");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "s");
}
END_TEST

START_TEST(test_effects_spop_in_multi) {
    effects_on();
    HS_EXPECT_OK(ctx, "SELECT", "3");
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SADD", "m", "x", "y");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SPOP", "m", "2");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SADD", "m", "z");
    HS_EXPECT_STATUS(ctx, "QUEUED", "SPOP", "m");
    HS_DO(ctx, ck_assert_uint_eq(hs_r_->elements, 4), "EXEC");
    EXPECT_EFFECTS("SELECT 3", "MULTI", "SADD m x y", "DEL m", "SADD m z", "SREM m z", "EXEC");
}
END_TEST

START_TEST(test_effects_zsets) {
    effects_on();
    HS_EXPECT_INT(ctx, 3, "ZADD", "z", "1", "a", "2", "b", "3", "c");
    HS_EXPECT_INT(ctx, 0, "ZADD", "z", "NX", "9", "a");
    HS_EXPECT_BULK(ctx, "1", "ZINCRBY", "z", "0", "a");
    HS_EXPECT_BULK(ctx, "2", "ZINCRBY", "z", "1", "a");
    HS_EXPECT_INT(ctx, 0, "ZREM", "z", "nope");
    HS_EXPECT_INT(ctx, 1, "ZREMRANGEBYSCORE", "z", "3", "3");
    HS_DO(ctx, ck_assert_uint_eq(hs_r_->elements, 2), "ZRANDMEMBER", "z", "2");
    EXPECT_EFFECTS("SELECT 0", "ZADD z 1 a 2 b 3 c", "ZINCRBY z 1 a", "ZREMRANGEBYSCORE z 3 3");
    /* Non-blocking pops replay themselves; ZMPOP names the count taken. */
    HS_EXPECT_BULKS(ctx, HS_ARGS("a", "2"), "ZPOPMIN", "z");
    HS_EXPECT_INT(ctx, 3, "ZADD", "z", "1", "x", "2", "y", "3", "w");
    HS_EXPECT_BULKS(ctx, HS_ARGS("w", "3"), "ZPOPMAX", "z", "1");
    HS_DO(ctx, ck_assert_int_eq(hs_r_->type, REDIS_REPLY_ARRAY), "ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "10");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "z");
    EXPECT_EFFECTS("ZPOPMIN z", "ZADD z 1 x 2 y 3 w", "ZPOPMAX z 1", "ZPOPMAX z 3");
}
END_TEST

/* Blocking pops with data there: the non-blocking form. */
START_TEST(test_effects_blocking_pops_immediate) {
    effects_on();
    HS_EXPECT_INT(ctx, 3, "ZADD", "p", "1", "a", "2", "b", "3", "c");
    HS_EXPECT_BULKS(ctx, HS_ARGS("p", "a", "1"), "BZPOPMIN", "p", "0");
    HS_EXPECT_BULKS(ctx, HS_ARGS("p", "c", "3"), "BZPOPMAX", "nokey", "p", "0");
    HS_DO(ctx, ck_assert_int_eq(hs_r_->type, REDIS_REPLY_ARRAY), "BZMPOP", "0", "1", "p", "MIN", "COUNT", "3");
    EXPECT_EFFECTS("SELECT 0", "ZADD p 1 a 2 b 3 c", "ZPOPMIN p", "ZPOPMAX p", "ZPOPMIN p 1");
}
END_TEST

static void expect_reply_shape(redisContext *c, int type, size_t elements) {
    redisReply *r = hs_get_reply(c);
    ck_assert_int_eq(r->type, type);
    ck_assert_uint_eq(r->elements, elements);
    freeReplyObject(r);
}

/* Served after blocking: the writer's effect, then the pop as its own
 * unit (not wrapped with the write that woke it). */
START_TEST(test_effects_blocking_pops_served) {
    effects_on();
    redisContext *b = hs_block_client(srv, ctx, HS_ARGS("BZPOPMIN", "q", "0"), 1);
    HS_EXPECT_INT(ctx, 2, "ZADD", "q", "1", "a", "2", "b");
    expect_reply_shape(b, REDIS_REPLY_ARRAY, 3);
    EXPECT_EFFECTS("SELECT 0", "ZADD q 1 a 2 b", "ZPOPMIN q");
    redisFree(b);

    b = hs_block_client(srv, ctx, HS_ARGS("BZPOPMAX", "k", "0"), 1);
    HS_EXPECT_INT(ctx, 1, "ZADD", "k", "1", "a");
    expect_reply_shape(b, REDIS_REPLY_ARRAY, 3);
    EXPECT_EFFECTS("ZADD k 1 a", "ZPOPMAX k");
    redisFree(b);

    b = hs_block_client(srv, ctx, HS_ARGS("BZMPOP", "0", "2", "k1", "k2", "MAX", "COUNT", "5"), 1);
    HS_EXPECT_INT(ctx, 2, "ZADD", "k2", "4", "d", "5", "e");
    expect_reply_shape(b, REDIS_REPLY_ARRAY, 2);
    EXPECT_EFFECTS("ZADD k2 4 d 5 e", "ZPOPMAX k2 2");
    redisFree(b);

    /* Two waiters served by one write, in the order they blocked. */
    b = hs_block_client(srv, ctx, HS_ARGS("BZMPOP", "0", "1", "k7", "MIN", "COUNT", "2"), 1);
    redisContext *b2 = hs_block_client(srv, ctx, HS_ARGS("BZMPOP", "0", "1", "k7", "MAX", "COUNT", "2"), 2);
    HS_EXPECT_INT(ctx, 3, "ZADD", "k7", "1", "a", "2", "b", "3", "c");
    expect_reply_shape(b, REDIS_REPLY_ARRAY, 2);
    expect_reply_shape(b2, REDIS_REPLY_ARRAY, 2);
    EXPECT_EFFECTS("ZADD k7 1 a 2 b 3 c", "ZPOPMIN k7 2", "ZPOPMAX k7 1");
    redisFree(b2);
    redisFree(b);

    /* Woken by a transaction: served after its EXEC. */
    b = hs_block_client(srv, ctx, HS_ARGS("BZPOPMAX", "k4", "0"), 1);
    HS_EXPECT_OK(ctx, "MULTI");
    HS_EXPECT_STATUS(ctx, "QUEUED", "ZADD", "k4", "1", "a", "2", "b");
    HS_EXPECT_STATUS(ctx, "QUEUED", "ZADD", "k4", "3", "c");
    HS_DO(ctx, ck_assert_uint_eq(hs_r_->elements, 2), "EXEC");
    expect_reply_shape(b, REDIS_REPLY_ARRAY, 3);
    EXPECT_EFFECTS("MULTI", "ZADD k4 1 a 2 b", "ZADD k4 3 c", "EXEC", "ZPOPMAX k4");
    redisFree(b);

    /* Another database: the served pop follows the writer's SELECT. */
    b = hs_connect(srv);
    HS_EXPECT_OK(b, "SELECT", "5");
    hs_send_only(b, HS_ARGS("BZPOPMIN", "k5", "0"));
    hs_wait_blocked(ctx, 1);
    HS_EXPECT_OK(ctx, "SELECT", "5");
    HS_EXPECT_INT(ctx, 1, "ZADD", "k5", "1", "a");
    expect_reply_shape(b, REDIS_REPLY_ARRAY, 3);
    EXPECT_EFFECTS("SELECT 5", "ZADD k5 1 a", "ZPOPMIN k5");
    redisFree(b);
}
END_TEST

START_TEST(test_effects_zset_stores) {
    effects_on();
    HS_EXPECT_INT(ctx, 2, "ZADD", "a", "1", "x", "2", "y");
    HS_EXPECT_INT(ctx, 2, "ZRANGESTORE", "d", "a", "0", "-1");
    HS_EXPECT_INT(ctx, 0, "ZRANGESTORE", "d", "a", "5", "10");
    HS_EXPECT_INT(ctx, 0, "ZRANGESTORE", "d", "a", "5", "10");
    HS_EXPECT_INT(ctx, 2, "ZUNIONSTORE", "d", "1", "a");
    HS_EXPECT_INT(ctx, 0, "ZDIFFSTORE", "d", "2", "a", "a");
    HS_EXPECT_INT(ctx, 0, "ZINTERSTORE", "d", "2", "a", "nokey");
    EXPECT_EFFECTS("SELECT 0", "ZADD a 1 x 2 y", "ZRANGESTORE d a 0 -1", "ZRANGESTORE d a 5 10",
                   "ZUNIONSTORE d 1 a", "ZDIFFSTORE d 2 a a");
}
END_TEST

/* ---------------------------------------------------------- events */

#define MAX_STEP_EVENTS 4
/* Published after each command: matches the subscriber's pattern, so its
 * arrival says every event of the command has been read. */
#define EVENT_MARKER "__keymark__:end"

/* One command and the events Redis 7.0 sends for it ("event key", in
 * order; each goes out on __keyspace@0__:key, then __keyevent@0__:event). */
struct event_step {
    const char *cmd;
    const char *events[MAX_STEP_EVENTS + 1];
};

static const struct event_step event_steps[] = {
    {"SADD s a b c", {"sadd s"}},
    {"SADD s a", {NULL}},
    {"SREM s a x", {"srem s"}},
    {"SMOVE s t b", {"srem s", "sadd t"}},
    {"SMOVE s t c", {"srem s", "del s", "sadd t"}},
    {"SADD u 1 2", {"sadd u"}},
    {"SPOP u", {"spop u"}},
    {"SPOP u 5", {"spop u", "del u"}},
    {"SADD u 1 2 3", {"sadd u"}},
    {"SINTERSTORE d u t", {NULL}},
    {"SUNIONSTORE d u t", {"sunionstore d"}},
    {"SDIFFSTORE d u u", {"del d"}},
    {"ZADD z 1 a 2 b 3 c", {"zadd z"}},
    {"ZADD z 1 a", {NULL}},
    {"ZINCRBY z 1 a", {"zincr z"}},
    {"ZINCRBY z 0 a", {NULL}},
    {"ZREM z b", {"zrem z"}},
    {"ZREMRANGEBYSCORE z 3 3", {"zremrangebyscore z"}},
    {"ZREMRANGEBYLEX z - +", {"zremrangebylex z", "del z"}},
    {"ZADD z 1 a 2 b 3 c", {"zadd z"}},
    {"ZPOPMIN z", {"zpopmin z"}},
    {"ZMPOP 1 z MAX COUNT 5", {"zpopmax z", "del z"}},
    {"ZADD z 1 a 2 b", {"zadd z"}},
    {"ZRANGESTORE d z 0 0", {"zrangestore d"}},
    {"ZUNIONSTORE d 1 z", {"zunionstore d"}},
    {"ZINTERSTORE d 2 z nokey", {"del d"}},
    {"BZPOPMAX z 0", {"zpopmax z"}},
    {"ZREMRANGEBYRANK z 0 -1", {"zremrangebyrank z", "del z"}},
};

/* Reads pmessages up to the marker; returns them as "channel payload"
 * lines. */
static hs_buf read_events(redisContext *sub) {
    hs_buf got = {0};
    hs_buf_cat(&got, "", 0);
    for (;;) {
        redisReply *r = hs_get_reply(sub);
        ck_assert_msg(r->type == REDIS_REPLY_ARRAY && r->elements == 4, "not a pmessage");
        int marker = strcmp(r->element[2]->str, EVENT_MARKER) == 0;
        if (!marker) hs_buf_printf(&got, "%s %s\n", r->element[2]->str, r->element[3]->str);
        freeReplyObject(r);
        if (marker) return got;
    }
}

/* Keyspace notifications of every set and sorted-set write, compared
 * command by command with Redis 7.0's. */
START_TEST(test_events) {
    redisContext *sub = hs_connect(srv);
    redisReply *r = hs_command(sub, HS_ARGS("PSUBSCRIBE", "__key*__:*"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "notify-keyspace-events", "KEA");
    for (size_t i = 0; i < sizeof(event_steps) / sizeof(event_steps[0]); i++) {
        const struct event_step *st = &event_steps[i];
        freeReplyObject(hs_command_line(ctx, st->cmd));
        freeReplyObject(hs_command(ctx, HS_ARGS("PUBLISH", EVENT_MARKER, "x")));
        hs_buf want = {0};
        hs_buf_cat(&want, "", 0);
        for (int j = 0; st->events[j]; j++) {
            char ev[64], key[64];
            ck_assert_int_eq(sscanf(st->events[j], "%63s %63s", ev, key), 2);
            hs_buf_printf(&want, "__keyspace@0__:%s %s\n__keyevent@0__:%s %s\n", key, ev, ev, key);
        }
        hs_buf got = read_events(sub);
        if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0)
            ck_abort_msg("'%s': events\n%s differ from Redis 7.0's\n%s", st->cmd, got.data, want.data);
        hs_buf_free(&got);
        hs_buf_free(&want);
    }
    redisFree(sub);
}
END_TEST

static Suite *changes_suite(void) {
    Suite *s = suite_create("changes-sets-zsets");
    TCase *tc = hs_tcase(s, "changes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dirty_sets);
    tcase_add_test(tc, test_dirty_zsets);
    tcase_add_test(tc, test_store_source_lookups);
    tcase_add_test(tc, test_watch_sets);
    tcase_add_test(tc, test_watch_zsets);
    tcase_add_test(tc, test_watch_served_blocked_pop);
    tcase_add_test(tc, test_effects_sets);
    tcase_add_test(tc, test_effects_spop_single);
    tcase_add_test(tc, test_effects_spop_count);
    tcase_add_test(tc, test_effects_spop_empties);
    tcase_add_test(tc, test_effects_spop_in_multi);
    tcase_add_test(tc, test_effects_zsets);
    tcase_add_test(tc, test_effects_blocking_pops_immediate);
    tcase_add_test(tc, test_effects_blocking_pops_served);
    tcase_add_test(tc, test_effects_zset_stores);
    tcase_add_test(tc, test_events);
    return s;
}

int main(void) {
    return hs_run_suite(changes_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
