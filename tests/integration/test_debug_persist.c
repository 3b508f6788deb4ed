/* test_debug_persist.c -- integration tests for the DEBUG subcommands
 * built on the RDB serializer and the digest: DIGEST, DIGEST-VALUE,
 * OBJECT's serializedlength, RELOAD [MERGE] [NOFLUSH] [NOSAVE].
 *
 * Expected replies and lengths are Redis 7.0's (checked against
 * redis-server 7.0.15 with the same commands). One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define ZERO_DIGEST "0000000000000000000000000000000000000000"
#define SUBCMD_ERR(sub) "ERR unknown subcommand or wrong number of arguments for '" sub "'. Try DEBUG HELP."
#define RELOAD_OPTS_ERR "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."

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

/* DEBUG DIGEST as a new string. */
static char *digest(void) {
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "DIGEST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STATUS);
    ck_assert_uint_eq(strlen(r->str), 40);
    char *d = strdup(r->str);
    freeReplyObject(r);
    return d;
}

START_TEST(test_digest) {
    HS_EXPECT_STATUS(ctx, ZERO_DIGEST, "DEBUG", "DIGEST");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("DIGEST"), "DEBUG", "DIGEST", "x");
    /* Values from Redis 7.0 for the same commands. */
    HS_EXPECT_OK(ctx, "SET", "a", "1");
    HS_EXPECT_STATUS(ctx, "943d800368fb9c0e951138f1bc0e313ac769d91f", "DEBUG", "DIGEST");
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "DIGEST-VALUE", "a", "nosuch"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 2);
    HS_CHECK_STATUS(r->element[0], "b4fc66738120fba0b5aa500ab5c2bf89cea1c5da");
    HS_CHECK_STATUS(r->element[1], ZERO_DIGEST);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("DEBUG", "DIGEST-VALUE"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 0);
    freeReplyObject(r);
    /* The database number is part of the digest; order of keys is not. */
    char *d0 = digest();
    HS_EXPECT_INT(ctx, 1, "MOVE", "a", "3");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "a");
    char *d3 = digest();
    ck_assert_str_ne(d0, d3);
    HS_EXPECT_OK(ctx, "FLUSHALL");
    HS_EXPECT_OK(ctx, "MSET", "x", "1", "y", "2");
    char *xy = digest();
    HS_EXPECT_OK(ctx, "FLUSHALL");
    HS_EXPECT_OK(ctx, "MSET", "y", "2", "x", "1");
    char *yx = digest();
    ck_assert_str_eq(xy, yx);
    /* A TTL counts by its presence, not its value. */
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "x", "100");
    char *ttl1 = digest();
    ck_assert_str_ne(ttl1, yx);
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "x", "200");
    char *ttl2 = digest();
    ck_assert_str_eq(ttl1, ttl2);
    free(d0), free(d3), free(xy), free(yx), free(ttl1), free(ttl2);
}
END_TEST

/* An expired key not yet removed still has its digest: the lookup
 * neither expires nor touches it (Redis 7.0 does the same). */
START_TEST(test_digest_value_expired_key) {
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    HS_EXPECT_OK(ctx, "SET", "e", "v", "PX", "1");
    hs_sleep_ms(20);
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "DIGEST-VALUE", "e"));
    HS_CHECK_STATUS(r->element[0], "311b17018163335616e089f6b951c82c477335ac");
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
}
END_TEST

/* serializedlength of each encoding, as Redis 7.0 reports it. */
START_TEST(test_object_serializedlength) {
    char big[301];
    memset(big, 'a', 300);
    big[300] = '\0';
    HS_EXPECT_OK(ctx, "SET", "int", "12345");
    HS_EXPECT_OK(ctx, "SET", "emb", "hello");
    HS_EXPECT_OK(ctx, "SET", "comp", big);
    HS_EXPECT_INT(ctx, 4, "RPUSH", "l", "a", "1", "-2", "three");
    HS_EXPECT_INT(ctx, 3, "SADD", "si", "1", "2", "3");
    HS_EXPECT_INT(ctx, 3, "SADD", "sh", "a", "b", "c");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "f", "v");
    HS_EXPECT_INT(ctx, 2, "ZADD", "z", "1", "a", "2.5", "b");
    static const struct {
        const char *key;
        const char *len;
    } want[] = {{"int", "3"}, {"emb", "6"}, {"comp", "16"}, {"l", "25"}, {"si", "15"},
                {"sh", "7"},  {"h", "14"},  {"z", "21"}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "OBJECT", want[i].key));
        ck_assert_int_eq(r->type, REDIS_REPLY_STATUS);
        char field[64];
        snprintf(field, sizeof(field), " serializedlength:%s ", want[i].len);
        ck_assert_msg(strstr(r->str, field), "%s: %s", want[i].key, r->str);
        freeReplyObject(r);
    }
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "OBJECT", "l"));
    ck_assert_msg(strstr(r->str, " ql_nodes:1 ql_avg_node:4.00 ql_listpack_max:-2 ql_compressed:0 "
                                 "ql_uncompressed_size:"),
                  "%s", r->str);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR no such key", "DEBUG", "OBJECT", "nosuch");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("OBJECT"), "DEBUG", "OBJECT");
}
END_TEST

START_TEST(test_reload) {
    HS_EXPECT_OK(ctx, "SET", "a", "1");
    HS_EXPECT_INT(ctx, 3, "RPUSH", "l", "x", "y", "z");
    HS_EXPECT_OK(ctx, "SELECT", "5");
    HS_EXPECT_INT(ctx, 2, "HSET", "h", "f", "v", "g", "w");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "h", "1000");
    char *before = digest();
    ck_assert_int_gt(hs_dirty(ctx), 0);
    HS_EXPECT_OK(ctx, "DEBUG", "RELOAD");
    ck_assert_int_eq(hs_dirty(ctx), 0); /* saved as SAVE saves */
    char *after = digest();
    ck_assert_str_eq(before, after);
    redisReply *ttl = hs_command(ctx, HS_ARGS("TTL", "h"));
    ck_assert(ttl->integer > 990 && ttl->integer <= 1000);
    freeReplyObject(ttl);
    /* NOSAVE loads the file as it is: later changes are gone. */
    HS_EXPECT_OK(ctx, "SET", "later", "x");
    HS_EXPECT_OK(ctx, "DEBUG", "RELOAD", "NOSAVE");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "later");
    /* NOFLUSH MERGE keeps keys the file does not have, and the file's
     * value replaces one in memory; without MERGE a key in both fails. */
    HS_EXPECT_OK(ctx, "FLUSHALL");
    HS_EXPECT_OK(ctx, "SET", "later", "x");
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "f", "changed");
    HS_EXPECT_ERROR(ctx, "ERR Error trying to load the RDB dump", "DEBUG", "RELOAD", "nosave", "noflush");
    HS_EXPECT_BULK(ctx, "changed", "HGET", "h", "f");
    HS_EXPECT_OK(ctx, "DEBUG", "RELOAD", "nosave", "noflush", "merge");
    HS_EXPECT_INT(ctx, 1, "EXISTS", "later");
    HS_EXPECT_BULK(ctx, "v", "HGET", "h", "f");
    char *merged = digest();
    ck_assert_str_ne(merged, before);
    HS_EXPECT_INT(ctx, 1, "DEL", "later");
    char *unmerged = digest();
    ck_assert_str_eq(unmerged, before);
    free(merged);
    free(unmerged);
    HS_EXPECT_ERROR(ctx, RELOAD_OPTS_ERR, "DEBUG", "RELOAD", "foo");
    HS_EXPECT_ERROR(ctx, RELOAD_OPTS_ERR, "DEBUG", "RELOAD", "MERGE", "a", "b", "c");
    free(before);
    free(after);
}
END_TEST

START_TEST(test_reload_failures) {
    char path[600];
    HS_EXPECT_OK(ctx, "SET", "a", "1");
    /* No file to load: an error, and the flush already happened. */
    HS_EXPECT_ERROR(ctx, "ERR Error trying to load the RDB dump", "DEBUG", "RELOAD", "NOSAVE");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    /* Saving fails (dump.rdb is a non-empty directory): a bare -ERR and
     * the dataset untouched. */
    HS_EXPECT_OK(ctx, "SET", "a", "1");
    snprintf(path, sizeof(path), "%s/dump.rdb", srv->dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/dump.rdb/x", srv->dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    HS_EXPECT_ERROR(ctx, "ERR", "DEBUG", "RELOAD");
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
    rmdir(path);
    snprintf(path, sizeof(path), "%s/dump.rdb", srv->dir);
    rmdir(path);
}
END_TEST

static Suite *debug_persist_suite(void) {
    Suite *s = suite_create("debug_persist");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, HS_TCASE_TIMEOUT_SEC);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_digest);
    tcase_add_test(tc, test_digest_value_expired_key);
    tcase_add_test(tc, test_object_serializedlength);
    tcase_add_test(tc, test_reload);
    tcase_add_test(tc, test_reload_failures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return hs_run_suite(debug_persist_suite());
}
