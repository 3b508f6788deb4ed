/* test_keyspace.c -- integration tests for the generic keyspace commands:
 * DEL, EXISTS, DBSIZE, FLUSHDB, FLUSHALL, and the isolation of the
 * numbered databases.
 *
 * Expected replies are Redis 7.0's. One server per test. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SYNTAX "ERR syntax error"

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

/* Sets keys "<prefix>0".."<prefix>n-1" in the selected database. */
static void fill(const char *prefix, int n) {
    for (int i = 0; i < n; i++) {
        char key[64];
        snprintf(key, sizeof(key), "%s%d", prefix, i);
        HS_EXPECT_OK(ctx, "SET", key, "v");
    }
}

START_TEST(test_del) {
    HS_EXPECT_INT(ctx, 0, "DEL", "nokey");
    fill("k", 3);
    HS_EXPECT_INT(ctx, 1, "DEL", "k0");
    HS_EXPECT_NIL(ctx, "GET", "k0");
    HS_EXPECT_INT(ctx, 2, "DEL", "k1", "k2", "k0", "nokey");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    /* a key named twice is deleted once */
    HS_EXPECT_OK(ctx, "SET", "a", "v");
    HS_EXPECT_INT(ctx, 1, "DEL", "a", "a", "a");
    HS_EXPECT_ARITY(ctx, "del", "DEL");
}
END_TEST

START_TEST(test_del_expired_key) {
    HS_EXPECT_OK(ctx, "SET", "gone", "v", "PXAT", "1");
    HS_EXPECT_INT(ctx, 0, "DEL", "gone");
    /* once its time has surely passed, DEL finds nothing to delete */
    HS_EXPECT_OK(ctx, "SET", "soon", "v", "PX", "50");
    hs_sleep_ms(200);
    HS_EXPECT_INT(ctx, 0, "DEL", "soon");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
}
END_TEST

START_TEST(test_exists) {
    HS_EXPECT_INT(ctx, 0, "EXISTS", "a");
    HS_EXPECT_OK(ctx, "SET", "a", "v");
    HS_EXPECT_OK(ctx, "SET", "b", "v");
    HS_EXPECT_INT(ctx, 1, "EXISTS", "a");
    HS_EXPECT_INT(ctx, 2, "EXISTS", "a", "b", "c");
    /* repeated keys are counted each time */
    HS_EXPECT_INT(ctx, 3, "EXISTS", "a", "a", "a");
    HS_EXPECT_INT(ctx, 4, "EXISTS", "a", "b", "a", "b", "nokey");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "A");
    HS_EXPECT_ARITY(ctx, "exists", "EXISTS");
}
END_TEST

START_TEST(test_dbsize) {
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    fill("k", 25);
    HS_EXPECT_INT(ctx, 25, "DBSIZE");
    HS_EXPECT_OK(ctx, "SET", "k0", "overwrite");
    HS_EXPECT_INT(ctx, 25, "DBSIZE");
    HS_EXPECT_INT(ctx, 5, "DEL", "k0", "k1", "k2", "k3", "k4");
    HS_EXPECT_INT(ctx, 20, "DBSIZE");
    HS_EXPECT_ARITY(ctx, "dbsize", "DBSIZE", "x");
}
END_TEST

START_TEST(test_flushdb) {
    fill("a", 10);
    HS_EXPECT_OK(ctx, "SELECT", "1");
    fill("b", 5);
    HS_EXPECT_OK(ctx, "FLUSHDB");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    HS_EXPECT_OK(ctx, "SELECT", "0");
    HS_EXPECT_INT(ctx, 10, "DBSIZE");
    HS_EXPECT_OK(ctx, "FLUSHDB", "SYNC");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    fill("c", 3);
    HS_EXPECT_OK(ctx, "flushdb", "async");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    HS_EXPECT_NIL(ctx, "GET", "c0");
    HS_EXPECT_OK(ctx, "FLUSHDB"); /* empty db */
    HS_EXPECT_ERROR(ctx, SYNTAX, "FLUSHDB", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "FLUSHDB", "ASYNC", "SYNC");
    HS_EXPECT_ERROR(ctx, SYNTAX, "FLUSHDB", "SYNC", "SYNC");
}
END_TEST

START_TEST(test_flushall) {
    for (int db = 0; db < 16; db += 5) {
        char n[8];
        snprintf(n, sizeof(n), "%d", db);
        HS_EXPECT_OK(ctx, "SELECT", n);
        fill("k", db + 1);
    }
    HS_EXPECT_OK(ctx, "FLUSHALL");
    for (int db = 0; db < 16; db++) {
        char n[8];
        snprintf(n, sizeof(n), "%d", db);
        HS_EXPECT_OK(ctx, "SELECT", n);
        HS_EXPECT_INT(ctx, 0, "DBSIZE");
    }
    fill("k", 4);
    HS_EXPECT_OK(ctx, "FLUSHALL", "ASYNC");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    fill("k", 4);
    HS_EXPECT_OK(ctx, "flushall", "sync");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
    fill("k", 2);
    HS_EXPECT_ERROR(ctx, SYNTAX, "FLUSHALL", "x");
    HS_EXPECT_ERROR(ctx, SYNTAX, "FLUSHALL", "ASYNC", "SYNC");
    HS_EXPECT_INT(ctx, 2, "DBSIZE");
}
END_TEST

START_TEST(test_database_isolation) {
    HS_EXPECT_OK(ctx, "SET", "k", "db0");
    HS_EXPECT_OK(ctx, "SELECT", "9");
    HS_EXPECT_NIL(ctx, "GET", "k");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "k");
    HS_EXPECT_INT(ctx, 0, "DEL", "k");
    HS_EXPECT_OK(ctx, "SET", "k", "db9");
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
    /* another connection starts in db 0 */
    redisContext *c2 = hs_connect(srv);
    HS_EXPECT_BULK(c2, "db0", "GET", "k");
    HS_EXPECT_OK(c2, "SELECT", "9");
    HS_EXPECT_BULK(c2, "db9", "GET", "k");
    HS_EXPECT_INT(c2, 1, "DEL", "k");
    redisFree(c2);
    HS_EXPECT_NIL(ctx, "GET", "k");
    HS_EXPECT_OK(ctx, "SELECT", "0");
    HS_EXPECT_BULK(ctx, "db0", "GET", "k");
}
END_TEST

START_TEST(test_databases_config) {
    hs_server *s = hs_start(HS_ARGS("--databases", "4"));
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "SELECT", "3");
    HS_EXPECT_ERROR(c, "ERR DB index is out of range", "SELECT", "4");
    redisFree(c);
    hs_stop(s);
}
END_TEST

static Suite *keyspace_suite(void) {
    Suite *s = suite_create("keyspace");
    TCase *tc = hs_tcase(s, "keyspace");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_del);
    tcase_add_test(tc, test_del_expired_key);
    tcase_add_test(tc, test_exists);
    tcase_add_test(tc, test_dbsize);
    tcase_add_test(tc, test_flushdb);
    tcase_add_test(tc, test_flushall);
    tcase_add_test(tc, test_database_isolation);
    tcase_add_test(tc, test_databases_config);
    return s;
}

int main(void) {
    return hs_run_suite(keyspace_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
