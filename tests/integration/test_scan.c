/* test_scan.c -- integration tests for the loop SCAN, HSCAN, SSCAN and
 * ZSCAN share (scan.c): what COUNT counts, the guard on a huge COUNT, and
 * a full iteration that returns every element.
 *
 * Redis 7.0 counts one per entry for every type (HSCAN h 0 COUNT 50 on a
 * 1000-field hash table returns about 50 fields with their values). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Past every listpack / intset threshold: each type is a hash table. */
#define SCAN_ELEMENTS 1000
#define SCAN_COUNT 50
#define HUGE_COUNT "9223372036854775807"

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
    for (int i = 0; i < SCAN_ELEMENTS; i++) {
        char m[32], v[32];
        snprintf(m, sizeof(m), "m%d", i);
        snprintf(v, sizeof(v), "%d", i);
        redisAppendCommand(ctx, "HSET h %s %s", m, v);
        redisAppendCommand(ctx, "SADD s %s", m);
        redisAppendCommand(ctx, "ZADD z %s %s", v, m);
        redisAppendCommand(ctx, "SET %s %s", m, v);
    }
    for (int i = 0; i < SCAN_ELEMENTS * 4; i++) freeReplyObject(hs_get_reply(ctx));
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

/* The commands, each with the number of reply items per element. */
static const struct {
    const char *cmd, *key;
    size_t items;
} scanners[] = {{"SCAN", NULL, 1}, {"HSCAN", "h", 2}, {"SSCAN", "s", 1}, {"ZSCAN", "z", 2}};
#define N_SCANNERS (sizeof(scanners) / sizeof(scanners[0]))

/* One call: returns the reply (caller frees); checks its frame. */
static redisReply *scan_call(size_t which, const char *cursor, const char *count) {
    const char *args[8];
    int n = 0;
    args[n++] = scanners[which].cmd;
    if (scanners[which].key) args[n++] = scanners[which].key;
    args[n++] = cursor;
    args[n++] = "COUNT";
    args[n++] = count;
    if (!scanners[which].key) {
        args[n++] = "MATCH";
        args[n++] = "m*"; /* only the string keys */
    }
    args[n] = NULL;
    redisReply *r = hs_command(ctx, args);
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 2);
    ck_assert_int_eq(r->element[0]->type, REDIS_REPLY_STRING);
    ck_assert_int_eq(r->element[1]->type, REDIS_REPLY_ARRAY);
    return r;
}

/* COUNT counts elements, not reply items: about COUNT elements per call
 * (at least COUNT, plus what the last bucket held), for every type. */
START_TEST(test_count_counts_elements) {
    char count[16];
    snprintf(count, sizeof(count), "%d", SCAN_COUNT);
    for (size_t i = 0; i < N_SCANNERS; i++) {
        redisReply *r = scan_call(i, "0", count);
        size_t elements = r->element[1]->elements / scanners[i].items;
        /* SCAN's MATCH drops the three collection keys if the visited
         * buckets held them: up to 3 fewer than COUNT match. */
        size_t at_least = scanners[i].key ? SCAN_COUNT : SCAN_COUNT - 3;
        ck_assert_msg(strcmp(r->element[0]->str, "0") != 0, "%s: one call ended the scan", scanners[i].cmd);
        ck_assert_msg(elements >= at_least && elements < 2 * SCAN_COUNT, "%s COUNT %d returned %zu elements",
                      scanners[i].cmd, SCAN_COUNT, elements);
        freeReplyObject(r);
    }
}
END_TEST

/* COUNT near LONG_MAX: the step budget must not overflow (ZSCAN's did, and
 * then scanned a single bucket): one call returns everything. */
START_TEST(test_huge_count) {
    for (size_t i = 0; i < N_SCANNERS; i++) {
        redisReply *r = scan_call(i, "0", HUGE_COUNT);
        ck_assert_str_eq(r->element[0]->str, "0");
        ck_assert_uint_eq(r->element[1]->elements, SCAN_ELEMENTS * scanners[i].items);
        freeReplyObject(r);
    }
}
END_TEST

/* A full iteration with a small COUNT sees every element (at least once). */
START_TEST(test_full_iteration) {
    for (size_t i = 0; i < N_SCANNERS; i++) {
        char *seen = calloc(SCAN_ELEMENTS, 1);
        char cursor[32] = "0";
        int calls = 0;
        do {
            redisReply *r = scan_call(i, cursor, "7");
            snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
            redisReply *items = r->element[1];
            for (size_t j = 0; j < items->elements; j += scanners[i].items) {
                int idx = atoi(items->element[j]->str + 1); /* "m<idx>" */
                ck_assert(idx >= 0 && idx < SCAN_ELEMENTS);
                seen[idx] = 1;
            }
            freeReplyObject(r);
            ck_assert_int_lt(++calls, SCAN_ELEMENTS * 4);
        } while (strcmp(cursor, "0") != 0);
        for (int j = 0; j < SCAN_ELEMENTS; j++) ck_assert_msg(seen[j], "%s missed m%d", scanners[i].cmd, j);
        free(seen);
    }
}
END_TEST

static Suite *scan_suite(void) {
    Suite *s = suite_create("scan");
    TCase *tc = hs_tcase(s, "scan");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_count_counts_elements);
    tcase_add_test(tc, test_huge_count);
    tcase_add_test(tc, test_full_iteration);
    return s;
}

int main(void) {
    return hs_run_suite(scan_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
