/* test_memory_cmd.c -- MEMORY STATS, DOCTOR, MALLOC-STATS and PURGE.
 *
 * Field names, their order, the nested db.N maps and the texts are Redis
 * 7.0's (a Redis without jemalloc for MALLOC-STATS); the figures must agree
 * with INFO memory, which shares their computation. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static const char *const stats_fields[] = {
    "peak.allocated", "total.allocated", "startup.allocated", "replication.backlog", "clients.slaves",
    "clients.normal", "cluster.links", "aof.buffer", "lua.caches", "functions.caches", "overhead.total",
    "keys.count", "keys.bytes-per-key", "dataset.bytes", "dataset.percentage", "peak.percentage",
    "allocator.allocated", "allocator.active", "allocator.resident", "allocator-fragmentation.ratio",
    "allocator-fragmentation.bytes", "allocator-rss.ratio", "allocator-rss.bytes", "rss-overhead.ratio",
    "rss-overhead.bytes", "fragmentation", "fragmentation.bytes", NULL};

/* Index of the value of name in a flat STATS reply, or -1. */
static long stats_find(const redisReply *r, const char *name) {
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        if (r->element[i]->type == REDIS_REPLY_STRING && strcmp(r->element[i]->str, name) == 0) return (long)i + 1;
    return -1;
}

START_TEST(test_stats_fields) {
    redisReply *r = hs_command(ctx, HS_ARGS("MEMORY", "STATS"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    /* Empty keyspace: no db.N entry. */
    ck_assert_int_eq(r->elements, 54);
    for (size_t i = 0; stats_fields[i]; i++) ck_assert_str_eq(r->element[2 * i]->str, stats_fields[i]);
    ck_assert_int_eq(r->element[stats_find(r, "keys.count")]->integer, 0);
    ck_assert_int_eq(r->element[stats_find(r, "keys.bytes-per-key")]->integer, 0);
    ck_assert_int_eq(r->element[stats_find(r, "dataset.percentage")]->type, REDIS_REPLY_STRING);
    freeReplyObject(r);

    HS_EXPECT_OK(ctx, "SET", "a", "b");
    HS_EXPECT_INT(ctx, 1, "EXPIRE", "a", "100");
    HS_EXPECT_OK(ctx, "SELECT", "5");
    HS_EXPECT_OK(ctx, "SET", "c", "d");
    r = hs_command(ctx, HS_ARGS("MEMORY", "STATS"));
    ck_assert_int_eq(r->elements, 58);
    ck_assert_str_eq(r->element[20]->str, "db.0");
    ck_assert_str_eq(r->element[22]->str, "db.5");
    redisReply *db0 = r->element[21];
    ck_assert_int_eq(db0->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(db0->elements, 6);
    ck_assert_str_eq(db0->element[0]->str, "overhead.hashtable.main");
    ck_assert_str_eq(db0->element[2]->str, "overhead.hashtable.expires");
    ck_assert_str_eq(db0->element[4]->str, "overhead.hashtable.slot-to-keys");
    ck_assert_int_gt(db0->element[1]->integer, 0);
    ck_assert_int_gt(db0->element[3]->integer, 0);
    ck_assert_int_eq(r->element[22 + 1]->element[3]->integer, 0); /* db.5 has no expires */
    ck_assert_int_eq(r->element[stats_find(r, "keys.count")]->integer, 2);
    /* overhead + dataset = total */
    long long total = r->element[stats_find(r, "total.allocated")]->integer;
    long long over = r->element[stats_find(r, "overhead.total")]->integer;
    long long data = r->element[stats_find(r, "dataset.bytes")]->integer;
    ck_assert_int_eq(over + data, total);
    ck_assert_int_ge(r->element[stats_find(r, "peak.allocated")]->integer, total);
    freeReplyObject(r);
    HS_EXPECT_ARITY(ctx, "memory|stats", "MEMORY", "STATS", "x");
}
END_TEST

/* INFO memory shows the same overhead and startup figures. */
START_TEST(test_info_agrees) {
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    redisReply *r = hs_command(ctx, HS_ARGS("MEMORY", "STATS"));
    long long startup = r->element[stats_find(r, "startup.allocated")]->integer;
    long long functions = r->element[stats_find(r, "functions.caches")]->integer;
    freeReplyObject(r);
    hs_buf s = hs_info_field(ctx, "memory", "used_memory_startup");
    ck_assert_int_eq(atoll(s.data), startup);
    hs_buf_free(&s);
    s = hs_info_field(ctx, "memory", "used_memory_functions");
    ck_assert_int_eq(atoll(s.data), functions);
    hs_buf_free(&s);
    s = hs_info_field(ctx, "memory", "mem_allocator");
    ck_assert_str_eq(s.data, "libc");
    hs_buf_free(&s);
}
END_TEST

START_TEST(test_doctor_malloc_purge) {
    HS_EXPECT_BULK(ctx,
                   "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be "
                   "used in these conditions. Please, leave for your mission on Earth and fill it with some "
                   "data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n",
                   "MEMORY", "DOCTOR");
    HS_EXPECT_BULK(ctx, "Stats not supported for the current allocator", "MEMORY", "MALLOC-STATS");
    HS_EXPECT_OK(ctx, "MEMORY", "PURGE");
    HS_EXPECT_ARITY(ctx, "memory|doctor", "MEMORY", "DOCTOR", "x");
    HS_EXPECT_ARITY(ctx, "memory|malloc-stats", "MEMORY", "MALLOC-STATS", "x");
    HS_EXPECT_ARITY(ctx, "memory|purge", "MEMORY", "PURGE", "x");
}
END_TEST

/* After a peak, libc malloc keeps the freed memory: a Redis built on libc
 * takes the allocator's resident and active bytes from the RSS and its
 * allocated bytes from used_memory, so it reports the peak, the high total
 * RSS and a high allocator fragmentation, but no allocator RSS overhead
 * (resident equals active there; jemalloc Redis reports that one instead). */
START_TEST(test_doctor_after_peak) {
    HS_EXPECT_OK(ctx, "SELECT", "1");
    HS_EXPECT_OK(ctx, "DEBUG", "POPULATE", "200000", "tmp", "100");
    HS_EXPECT_OK(ctx, "SELECT", "0");
    HS_EXPECT_OK(ctx, "DEBUG", "POPULATE", "40000", "keep", "100");
    HS_EXPECT_OK(ctx, "SELECT", "1");
    HS_EXPECT_OK(ctx, "FLUSHDB", "SYNC");
    redisReply *r = hs_command(ctx, HS_ARGS("MEMORY", "DOCTOR"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_msg(strncmp(r->str, "Sam, I detected a few issues in this Redis instance memory implants:\n\n", 70) == 0,
                  "%s", r->str);
    ck_assert_ptr_nonnull(strstr(r->str, "\n * Peak memory: In the past this instance used more than 150%"));
    ck_assert_ptr_nonnull(strstr(r->str, "\n * High total RSS: "));
    ck_assert_ptr_nonnull(strstr(r->str, "Note: The currently used allocator is \"libc\".\n\n"));
    ck_assert_ptr_nonnull(strstr(r->str, "\n * High allocator fragmentation: "));
    ck_assert_ptr_null(strstr(r->str, "High allocator RSS overhead"));
    ck_assert_ptr_null(strstr(r->str, "High process RSS overhead"));
    ck_assert_ptr_nonnull(strstr(r->str, "I'm here to keep you safe, Sam. I want to help you.\n"));
    freeReplyObject(r);
}
END_TEST

/* RESP3: STATS is a map with a nested map per db, DOCTOR verbatim text. */
START_TEST(test_resp3) {
    int fd = hs_raw_connect(srv);
    hs_raw_send(fd, "HELLO 3\r\n", 9);
    hs_buf hello = hs_raw_read_until(fd, "*0\r\n", HS_REPLY_TIMEOUT_MS);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "SET k v\r\n", "+OK\r\n");
    hs_raw_send(fd, "MEMORY STATS\r\nMEMORY MALLOC-STATS\r\n", 35);
    hs_buf got = hs_raw_read_until(fd, "=49\r\ntxt:Stats not supported for the current allocator\r\n",
                                   HS_REPLY_TIMEOUT_MS);
    ck_assert_msg(strncmp(got.data, "%28\r\n", 5) == 0, "reply %s", got.data);
    ck_assert_ptr_nonnull(strstr(got.data, "$4\r\ndb.0\r\n%3\r\n"));
    ck_assert_ptr_nonnull(strstr(got.data, "$18\r\ndataset.percentage\r\n,"));
    ck_assert_ptr_nonnull(strstr(got.data, "$19\r\nfragmentation.bytes\r\n:"));
    hs_buf_free(&got);
    close(fd);
}
END_TEST

static Suite *memory_cmd_suite(void) {
    Suite *s = suite_create("memory_cmd");
    TCase *tc = hs_tcase(s, "memory_cmd");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_stats_fields);
    tcase_add_test(tc, test_info_agrees);
    tcase_add_test(tc, test_doctor_malloc_purge);
    tcase_add_test(tc, test_doctor_after_peak);
    tcase_add_test(tc, test_resp3);
    return s;
}

int main(void) {
    return hs_run_suite(memory_cmd_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
