/* test_sample.c -- Check tests for sample.c, the sampling shared by
 * HRANDFIELD, SRANDMEMBER and ZRANDMEMBER: the strategy thresholds (Redis
 * 7.0's), uniform draws, distinct indexes, and the set of picks already
 * given. The count parser replies, so its reply calls are stubs here (it
 * is covered by the integration tests of the three commands). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "zmalloc.h"

#define STUB(name) ck_abort_msg("stub %s called", name)
void reply_error(struct client *c, const char *m) { (void)c, (void)m; STUB("reply_error"); }
void reply_error_format(struct client *c, const char *fmt, ...) { (void)c, (void)fmt; STUB("reply_error_format"); }
void reply_error_syntax(struct client *c) { (void)c; STUB("reply_error_syntax"); }
void reply_error_not_integer(struct client *c) { (void)c; STUB("reply_error_not_integer"); }

#define DRAWS 7000

START_TEST(test_plan_thresholds) {
    ck_assert_int_eq(sample_plan(0, 10), SAMPLE_NONE);
    ck_assert_int_eq(sample_plan(-1, 10), SAMPLE_REPEATS);
    ck_assert_int_eq(sample_plan(-100, 10), SAMPLE_REPEATS);
    ck_assert_int_eq(sample_plan(1, 10), SAMPLE_REPEATS); /* one draw is one draw */
    ck_assert_int_eq(sample_plan(10, 10), SAMPLE_ALL);
    ck_assert_int_eq(sample_plan(11, 10), SAMPLE_ALL);
    /* count * 3 > size: shuffle a copy; otherwise draw */
    ck_assert_int_eq(sample_plan(4, 10), SAMPLE_SHUFFLE);
    ck_assert_int_eq(sample_plan(3, 10), SAMPLE_DRAW);
    ck_assert_int_eq(sample_plan(33, 100), SAMPLE_DRAW);
    ck_assert_int_eq(sample_plan(34, 100), SAMPLE_SHUFFLE);
    ck_assert_int_eq(sample_plan(2, 1000000), SAMPLE_DRAW);
    ck_assert_uint_eq(sample_abs(-5), 5);
    ck_assert_uint_eq(sample_abs(-__LONG_MAX__), (unsigned long)__LONG_MAX__);
}
END_TEST

START_TEST(test_below_uniform_range) {
    int seen[7] = {0};
    for (int i = 0; i < DRAWS; i++) {
        unsigned long r = sample_below(7);
        ck_assert_uint_lt(r, 7);
        seen[r]++;
    }
    /* each value about DRAWS / 7 = 1000 times: far from 0 and from all */
    for (int i = 0; i < 7; i++) ck_assert_int_gt(seen[i], 700);
    ck_assert_uint_eq(sample_below(1), 0);
    /* past 2^31 too (random() alone gives 31 bits) */
    int high = 0;
    for (int i = 0; i < 64; i++) high += sample_below(1UL << 40) >= (1UL << 31);
    ck_assert_int_gt(high, 0);
}
END_TEST

START_TEST(test_indexes_distinct) {
    unsigned long sizes[] = {1, 2, 10, 1000};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        unsigned long size = sizes[s];
        for (unsigned long count = 0; count <= size; count += size / 4 + 1) {
            unsigned long *idx = sample_indexes(size, count);
            char *seen = calloc(size, 1);
            for (unsigned long i = 0; i < count; i++) {
                ck_assert_uint_lt(idx[i], size);
                ck_assert_int_eq(seen[idx[i]], 0);
                seen[idx[i]] = 1;
            }
            free(seen);
            zfree(idx);
        }
    }
}
END_TEST

START_TEST(test_seen_set) {
    size_t before = zmalloc_used_memory();
    sample_seen t;
    sample_seen_init(&t, 100);
    for (uint64_t k = 1; k <= 100; k++) ck_assert_int_eq(sample_seen_add(&t, k * 4096), 1);
    for (uint64_t k = 1; k <= 100; k++) ck_assert_int_eq(sample_seen_add(&t, k * 4096), 0);
    ck_assert_int_eq(sample_seen_add(&t, 7), 1);
    sample_seen_free(&t);
    ck_assert_uint_eq(zmalloc_used_memory(), before);
}
END_TEST

static Suite *sample_suite(void) {
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("sample");
    tcase_add_test(tc, test_plan_thresholds);
    tcase_add_test(tc, test_below_uniform_range);
    tcase_add_test(tc, test_indexes_distinct);
    tcase_add_test(tc, test_seen_set);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(sample_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
