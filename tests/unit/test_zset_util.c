/* test_zset_util.c -- unit tests for zset_util.c: the score text written
 * into listpacks (Redis 7.0's exact forms, including the integer bound and
 * the lost sign of -0), lex bounds against raw bytes, rank clamping. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zset_util.h"

static void expect_text(double score, const char *want) {
    char buf[ZSET_SCORE_TEXT_BYTES];
    size_t len = zset_score_lp_text(buf, score);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert_str_eq(buf, want);
}

START_TEST(test_score_text) {
    expect_text(0, "0");
    expect_text(-0.0, "0");
    expect_text(1, "1");
    expect_text(-17, "-17");
    expect_text(1.5, "1.5");
    expect_text(0.1, "0.10000000000000001");
    expect_text(1e17, "100000000000000000");
    expect_text(4611686018427387904.0, "4611686018427387904");
    expect_text(-4611686018427387904.0, "-4611686018427387904");
    expect_text(9223372036854775808.0, "9.2233720368547758e+18");
    expect_text(5e18, "5e+18");
    expect_text(1e21, "1e+21");
    expect_text(1e-5, "1.0000000000000001e-05");
    expect_text(INFINITY, "inf");
    expect_text(-INFINITY, "-inf");
    expect_text(-1.7976931348623157e308, "-1.7976931348623157e+308");
    /* every text reads back as the same double */
    for (int i = 0; i < 1000; i++) {
        double d = ((double)rand() / RAND_MAX - 0.5) * pow(10, rand() % 40 - 20);
        char buf[ZSET_SCORE_TEXT_BYTES];
        zset_score_lp_text(buf, d);
        ck_assert(strtod(buf, NULL) == d);
    }
}
END_TEST

static zsl_lex_range lex(const char *min, const char *max) {
    zsl_lex_range r;
    ck_assert_int_eq(zsl_parse_lex_range(min, strlen(min), max, strlen(max), &r, NULL), 0);
    return r;
}

START_TEST(test_lex_bounds) {
    zsl_lex_range r = lex("[b", "(d");
    ck_assert(!zset_lex_gte_min("a", 1, &r));
    ck_assert(zset_lex_gte_min("b", 1, &r));
    ck_assert(zset_lex_gte_min("ba", 2, &r));
    ck_assert(zset_lex_lte_max("c", 1, &r));
    ck_assert(zset_lex_lte_max("cz", 2, &r));
    ck_assert(!zset_lex_lte_max("d", 1, &r));
    ck_assert(!zset_lex_lte_max("da", 2, &r));
    zsl_free_lex_range(&r);
    r = lex("(b", "[d");
    ck_assert(!zset_lex_gte_min("b", 1, &r));
    ck_assert(zset_lex_gte_min("b\0", 2, &r)); /* longer sorts after */
    ck_assert(zset_lex_lte_max("d", 1, &r));
    ck_assert(!zset_lex_lte_max("d\0", 2, &r));
    zsl_free_lex_range(&r);
    r = lex("-", "+");
    ck_assert(zset_lex_gte_min("", 0, &r));
    ck_assert(zset_lex_lte_max("\xff\xff", 2, &r));
    zsl_free_lex_range(&r);
    r = lex("+", "-");
    ck_assert(!zset_lex_gte_min("a", 1, &r));
    ck_assert(!zset_lex_lte_max("a", 1, &r));
    zsl_free_lex_range(&r);
    r = lex("[", "[");
    ck_assert(zset_lex_gte_min("", 0, &r));
    ck_assert(zset_lex_lte_max("", 0, &r));
    ck_assert(!zset_lex_lte_max("a", 1, &r));
    zsl_free_lex_range(&r);
}
END_TEST

static void expect_clamp(long start, long end, long len, int ok, long want_start, long want_end) {
    ck_assert_int_eq(zset_clamp_rank_range(&start, &end, len), ok);
    if (!ok) return;
    ck_assert_int_eq(start, want_start);
    ck_assert_int_eq(end, want_end);
}

START_TEST(test_clamp_rank_range) {
    expect_clamp(0, -1, 5, 1, 0, 4);
    expect_clamp(-2, -1, 5, 1, 3, 4);
    expect_clamp(-100, 100, 5, 1, 0, 4);
    expect_clamp(3, 1, 5, 0, 0, 0);
    expect_clamp(5, 10, 5, 0, 0, 0);
    expect_clamp(-1, -2, 5, 0, 0, 0);
    expect_clamp(0, -6, 5, 0, 0, 0);
    expect_clamp(0, 0, 0, 0, 0, 0);
    expect_clamp(4, 4, 5, 1, 4, 4);
}
END_TEST

int main(void) {
    Suite *s = suite_create("zset_util");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_score_text);
    tcase_add_test(tc, test_lex_bounds);
    tcase_add_test(tc, test_clamp_rank_range);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
