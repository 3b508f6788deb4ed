/* test_lathist.c -- the latency histogram: bucket boundaries, percentiles
 * and the cumulative steps, checked against numbers Redis 7.0 prints
 * (INFO latencystats "p50=8.031" for 8 us, LATENCY HISTOGRAM's 33/66/132
 * and 67633 us steps). */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "lathist.h"

static lat_hist h; /* large: keep it off the stack */

static void reset(void) {
    memset(&h, 0, sizeof(h));
}

START_TEST(test_exact_below_256) {
    for (int64_t v = 0; v < 256; v++) {
        ck_assert_int_eq(lat_hist_index(v), v);
        ck_assert_int_eq(lat_hist_highest_equivalent(v), v);
    }
}
END_TEST

START_TEST(test_highest_equivalent_matches_redis) {
    /* us * 1000 -> the value Redis prints (in ns before dividing) */
    ck_assert_int_eq(lat_hist_highest_equivalent(5000), 5023);
    ck_assert_int_eq(lat_hist_highest_equivalent(8000), 8031);
    ck_assert_int_eq(lat_hist_highest_equivalent(48000), 48127);
    ck_assert_int_eq(lat_hist_highest_equivalent(1024), 1031);
    ck_assert_int_eq(lat_hist_highest_equivalent(32768), 33023);
    ck_assert_int_eq(lat_hist_highest_equivalent(67108864), 67633151);
    /* neighbours share a counter exactly within a bucket's width */
    ck_assert_int_eq(lat_hist_index(4992), lat_hist_index(5023));
    ck_assert_int_ne(lat_hist_index(5023), lat_hist_index(5024));
}
END_TEST

START_TEST(test_index_in_range_and_monotonic) {
    int prev = -1;
    for (int64_t v = 1; v <= LAT_HIST_MAX_NS; v = v * 3 / 2 + 1) {
        int i = lat_hist_index(v);
        ck_assert_int_ge(i, prev);
        ck_assert_int_lt(i, LAT_HIST_COUNTS);
        prev = i;
    }
    ck_assert_int_lt(lat_hist_index(LAT_HIST_MAX_NS), LAT_HIST_COUNTS);
}
END_TEST

START_TEST(test_record_clamps) {
    reset();
    lat_hist_record(&h, 0);
    lat_hist_record(&h, -5);
    lat_hist_record(&h, LAT_HIST_MAX_NS * 10);
    ck_assert_uint_eq(h.total, 3);
    ck_assert_uint_eq(h.counts[lat_hist_index(LAT_HIST_MIN_NS)], 2);
    ck_assert_uint_eq(h.counts[lat_hist_index(LAT_HIST_MAX_NS)], 1);
}
END_TEST

START_TEST(test_percentiles) {
    reset();
    ck_assert_int_eq(lat_hist_value_at_percentile(&h, 50), 0);
    for (int i = 0; i < 99; i++) lat_hist_record(&h, 1000);
    lat_hist_record(&h, 100000);
    ck_assert_int_eq(lat_hist_value_at_percentile(&h, 50), 1003);
    ck_assert_int_eq(lat_hist_value_at_percentile(&h, 99), 1003);
    ck_assert_int_eq(lat_hist_value_at_percentile(&h, 99.9), 100351);
    ck_assert_int_eq(lat_hist_value_at_percentile(&h, 100), 100351);
    ck_assert_int_eq(lat_hist_value_at_percentile(&h, 0), 1000);
}
END_TEST

struct steps {
    int n;
    int64_t upper[64];
    uint64_t cum[64];
};

static void collect(int64_t upper, uint64_t cum, void *ctx) {
    struct steps *s = ctx;
    s->upper[s->n] = upper;
    s->cum[s->n] = cum;
    s->n++;
}

START_TEST(test_cdf_steps) {
    reset();
    struct steps s = {0};
    ck_assert_int_eq(lat_hist_cdf(&h, collect, &s), 0);
    lat_hist_record(&h, 1000);
    lat_hist_record(&h, 5000);
    lat_hist_record(&h, 3000000);
    ck_assert_int_eq(lat_hist_cdf(&h, collect, &s), 3);
    ck_assert_int_eq(s.upper[0], 1031);
    ck_assert_uint_eq(s.cum[0], 1);
    ck_assert_int_eq(s.upper[1], 8255);
    ck_assert_uint_eq(s.cum[1], 2);
    ck_assert_int_eq(s.upper[2], 4227071);
    ck_assert_uint_eq(s.cum[2], 3);
}
END_TEST

START_TEST(test_cdf_redis_sleep_steps) {
    /* DEBUG SLEEP 0.05 and 0.12 land in Redis's 67633 and 135266 us steps */
    reset();
    struct steps s = {0};
    lat_hist_record(&h, 50000000);
    lat_hist_record(&h, 120000000);
    ck_assert_int_eq(lat_hist_cdf(&h, collect, &s), 2);
    ck_assert_int_eq(s.upper[0] / 1000, 67633);
    ck_assert_int_eq(s.upper[1] / 1000, 135266);
    ck_assert_uint_eq(s.cum[1], 2);
}
END_TEST

static Suite *lathist_suite(void) {
    Suite *s = suite_create("lathist");
    TCase *tc = tcase_create("lathist");
    tcase_add_test(tc, test_exact_below_256);
    tcase_add_test(tc, test_highest_equivalent_matches_redis);
    tcase_add_test(tc, test_index_in_range_and_monotonic);
    tcase_add_test(tc, test_record_clamps);
    tcase_add_test(tc, test_percentiles);
    tcase_add_test(tc, test_cdf_steps);
    tcase_add_test(tc, test_cdf_redis_sleep_steps);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(lathist_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
