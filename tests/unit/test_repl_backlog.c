/* test_repl_backlog.c -- Check suite for the replication backlog ring:
 * offsets as Redis counts them, what a partial resync may be served from,
 * wrap-around reads in two chunks, appends larger than the ring, resizing
 * that keeps the newest bytes, and a randomized comparison with a plain
 * copy of the whole stream. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "repl_backlog.h"
#include "zmalloc.h"

struct collect {
    char buf[4096];
    size_t len;
    int chunks;
};

static void collect_chunk(const char *buf, size_t len, void *ctx) {
    struct collect *c = ctx;
    memcpy(c->buf + c->len, buf, len);
    c->len += len;
    c->chunks++;
}

static struct collect read_from(const repl_backlog *b, long long from, long long *n) {
    struct collect c = {.len = 0, .chunks = 0};
    *n = backlog_read_from(b, from, collect_chunk, &c);
    return c;
}

START_TEST(test_offsets_start_after_creation_offset) {
    repl_backlog *b = backlog_create(16, 100);
    ck_assert_int_eq(backlog_histlen(b), 0);
    ck_assert_int_eq(backlog_first_offset(b), 101);
    ck_assert_int_eq(backlog_end_offset(b), 100);
    ck_assert(backlog_covers(b, 101));  /* nothing missing: empty answer */
    ck_assert(!backlog_covers(b, 100)); /* byte 100 was never held */
    ck_assert(!backlog_covers(b, 102)); /* the future */
    backlog_append(b, "hello", 5);
    ck_assert_int_eq(backlog_end_offset(b), 105);
    ck_assert_int_eq(backlog_first_offset(b), 101);
    long long n;
    struct collect c = read_from(b, 103, &n);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(c.len, 3);
    ck_assert(memcmp(c.buf, "llo", 3) == 0);
    c = read_from(b, 106, &n);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(c.chunks, 0);
    c = read_from(b, 100, &n);
    ck_assert_int_eq(n, -1);
    backlog_free(b);
}
END_TEST

START_TEST(test_wraps_and_drops_oldest) {
    repl_backlog *b = backlog_create(8, 0);
    backlog_append(b, "abcdef", 6);
    backlog_append(b, "ghij", 4); /* ring now holds cdefghij */
    ck_assert_int_eq(backlog_histlen(b), 8);
    ck_assert_int_eq(backlog_first_offset(b), 3);
    ck_assert_int_eq(backlog_end_offset(b), 10);
    ck_assert(!backlog_covers(b, 2));
    long long n;
    struct collect c = read_from(b, 3, &n);
    ck_assert_int_eq(n, 8);
    ck_assert_int_eq(c.chunks, 2); /* the run wraps */
    ck_assert(memcmp(c.buf, "cdefghij", 8) == 0);
    backlog_free(b);
}
END_TEST

START_TEST(test_append_larger_than_ring) {
    repl_backlog *b = backlog_create(4, 10);
    backlog_append(b, "xy", 2);
    backlog_append(b, "0123456789", 10);
    ck_assert_int_eq(backlog_end_offset(b), 22);
    ck_assert_int_eq(backlog_histlen(b), 4);
    ck_assert_int_eq(backlog_first_offset(b), 19);
    long long n;
    struct collect c = read_from(b, 19, &n);
    ck_assert_int_eq(n, 4);
    ck_assert(memcmp(c.buf, "6789", 4) == 0);
    backlog_free(b);
}
END_TEST

START_TEST(test_resize_keeps_newest) {
    repl_backlog *b = backlog_create(8, 0);
    backlog_append(b, "abcdefghijkl", 12); /* holds efghijkl */
    backlog_resize(b, 5);
    ck_assert_int_eq(backlog_size(b), 5);
    ck_assert_int_eq(backlog_histlen(b), 5);
    ck_assert_int_eq(backlog_first_offset(b), 8);
    long long n;
    struct collect c = read_from(b, 8, &n);
    ck_assert(memcmp(c.buf, "hijkl", 5) == 0);
    backlog_append(b, "mn", 2);
    c = read_from(b, 10, &n);
    ck_assert_int_eq(n, 5);
    ck_assert(memcmp(c.buf, "jklmn", 5) == 0);
    backlog_resize(b, 32); /* growing keeps everything */
    ck_assert_int_eq(backlog_histlen(b), 5);
    backlog_append(b, "op", 2);
    c = read_from(b, 10, &n);
    ck_assert_int_eq(n, 7);
    ck_assert(memcmp(c.buf, "jklmnop", 7) == 0);
    backlog_free(b);
}
END_TEST

START_TEST(test_random_against_plain_stream) {
    static char stream[1 << 16];
    size_t total = 0;
    srand(42);
    repl_backlog *b = backlog_create(97, 0);
    for (int round = 0; round < 2000 && total < sizeof(stream) - 64; round++) {
        size_t len = (size_t)(rand() % 40);
        for (size_t i = 0; i < len; i++) stream[total + i] = (char)('a' + rand() % 26);
        backlog_append(b, stream + total, len);
        total += len;
        if (rand() % 50 == 0) backlog_resize(b, (size_t)(20 + rand() % 200));
        long long first = backlog_first_offset(b);
        ck_assert_int_eq(backlog_end_offset(b), (long long)total);
        ck_assert_int_eq(first, (long long)total - (long long)backlog_histlen(b) + 1);
        long long from = first + (long long)(rand() % ((long long)backlog_histlen(b) + 1));
        long long n;
        struct collect c = read_from(b, from, &n);
        ck_assert_int_eq(n, (long long)total - from + 1);
        ck_assert(memcmp(c.buf, stream + from - 1, (size_t)n) == 0);
    }
    backlog_free(b);
}
END_TEST

static Suite *backlog_suite(void) {
    Suite *s = suite_create("repl_backlog");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_offsets_start_after_creation_offset);
    tcase_add_test(tc, test_wraps_and_drops_oldest);
    tcase_add_test(tc, test_append_larger_than_ring);
    tcase_add_test(tc, test_resize_keeps_newest);
    tcase_add_test(tc, test_random_against_plain_stream);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(backlog_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
