/* test_lcs.c -- Check suites for lcs: the subsequence and its runs for the
 * examples of Redis's LCS documentation and for cases whose expected
 * replies were taken from a real Redis 7.0 server (LCS ... IDX), the
 * table-size arithmetic, and a brute-force cross-check of the length on
 * every pair of short strings over a two-letter alphabet. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lcs.h"
#include "zmalloc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_RUNS 16
/* Brute force enumerates 2^len subsequences: keep len small. */
#define BRUTE_MAX_LEN 7

struct walk_case {
    const char *a, *b;
    size_t alen, blen; /* 0: strlen */
    const char *seq;
    size_t seq_len;    /* 0: strlen */
    size_t nruns;
    lcs_match runs[MAX_RUNS]; /* a_start, a_end, b_start, b_end, last first */
};

/* Expected values from Redis 7.0: LCS a b, LCS a b IDX. */
static const struct walk_case walk_cases[] = {
    {"ohmytext", "mynewtext", 0, 0, "mytext", 0, 2, {{4, 7, 5, 8}, {2, 3, 0, 1}}},
    {"12345", "2345", 0, 0, "2345", 0, 1, {{1, 4, 0, 3}}},
    {"aaaa", "aa", 0, 0, "aa", 0, 1, {{2, 3, 0, 1}}},
    {"abcabcabc", "cbacbacba", 0, 0, "cbabc", 0, 5,
     {{8, 8, 6, 6}, {7, 7, 4, 4}, {6, 6, 2, 2}, {4, 4, 1, 1}, {2, 2, 0, 0}}},
    {"ABCBDAB", "BDCABA", 0, 0, "BDAB", 0, 2, {{5, 6, 3, 4}, {3, 4, 0, 1}}},
    {"the quick brown fox", "a quick brown dog jumps", 0, 0, " quick brown o", 0, 2,
     {{17, 17, 15, 15}, {3, 15, 1, 13}}},
    {"a\0b\r\nc", "\0\r\nc", 6, 4, "\0\r\nc", 4, 2, {{3, 5, 1, 3}, {1, 1, 0, 0}}},
    {"abc", "xyz", 0, 0, "", 0, 0, {{0, 0, 0, 0}}},
    {"", "abc", 0, 0, "", 0, 0, {{0, 0, 0, 0}}},
    {"", "", 0, 0, "", 0, 0, {{0, 0, 0, 0}}},
    {"same", "same", 0, 0, "same", 0, 1, {{0, 3, 0, 3}}},
};

START_TEST(test_walk_matches_redis) {
    for (size_t k = 0; k < ARRAY_LEN(walk_cases); k++) {
        const struct walk_case *wc = &walk_cases[k];
        uint32_t alen = (uint32_t)(wc->alen ? wc->alen : strlen(wc->a));
        uint32_t blen = (uint32_t)(wc->blen ? wc->blen : strlen(wc->b));
        size_t seq_len = wc->seq_len ? wc->seq_len : strlen(wc->seq);
        lcs_table *t = lcs_table_build(wc->a, alen, wc->b, blen);
        uint32_t len = lcs_table_length(t);
        ck_assert_msg(len == seq_len, "case %zu: length %u, want %zu", k, len, seq_len);
        ck_assert_uint_eq(lcs_length(wc->a, alen, wc->b, blen), len);

        char seq[64];
        lcs_match runs[MAX_RUNS];
        memset(runs, 0xff, sizeof(runs));
        ck_assert_uint_eq(lcs_table_walk(t, seq, NULL), wc->nruns);
        ck_assert_msg(memcmp(seq, wc->seq, seq_len) == 0, "case %zu: wrong subsequence", k);
        ck_assert_uint_eq(lcs_table_walk(t, NULL, runs), wc->nruns);
        for (size_t i = 0; i < wc->nruns; i++) {
            const lcs_match *got = &runs[i], *want = &wc->runs[i];
            ck_assert_msg(got->a_start == want->a_start && got->a_end == want->a_end &&
                              got->b_start == want->b_start && got->b_end == want->b_end,
                          "case %zu run %zu: got a[%u..%u] b[%u..%u], want a[%u..%u] b[%u..%u]", k, i,
                          got->a_start, got->a_end, got->b_start, got->b_end, want->a_start, want->a_end,
                          want->b_start, want->b_end);
        }
        lcs_table_free(t);
    }
}
END_TEST

START_TEST(test_table_bytes) {
    ck_assert_uint_eq(lcs_table_bytes(0, 0), 4);
    ck_assert_uint_eq(lcs_table_bytes(511, 511), 1048576); /* Redis allows this at 1mb */
    ck_assert_uint_eq(lcs_table_bytes(511, 512), 1050624); /* and refuses this */
    ck_assert_uint_eq(lcs_table_bytes(UINT32_MAX - 2, 1), (uint64_t)(UINT32_MAX - 1) * 2 * 4);
    /* The largest strings LCS accepts: the cell count fits, the bytes do not. */
    ck_assert_uint_eq(lcs_table_bytes(UINT32_MAX - 2, UINT32_MAX - 2), UINT64_MAX);
    ck_assert_uint_eq(lcs_table_bytes(UINT64_MAX / 2, 3), UINT64_MAX);
    ck_assert_uint_eq(lcs_table_bytes(1ULL << 31, 1ULL << 31), UINT64_MAX);
}
END_TEST

/* 1 if s (len n) is a subsequence of t (len m). */
static int is_subsequence(const char *s, size_t n, const char *t, size_t m) {
    size_t i = 0;
    for (size_t j = 0; j < m && i < n; j++)
        if (s[i] == t[j]) i++;
    return i == n;
}

/* Longest subsequence of a that is also one of b, by trying every subset. */
static uint32_t brute_lcs_len(const char *a, size_t alen, const char *b, size_t blen) {
    uint32_t best = 0;
    char sub[BRUTE_MAX_LEN];
    for (unsigned mask = 0; mask < (1u << alen); mask++) {
        size_t n = 0;
        for (size_t i = 0; i < alen; i++)
            if (mask & (1u << i)) sub[n++] = a[i];
        if (n > best && is_subsequence(sub, n, b, blen)) best = (uint32_t)n;
    }
    return best;
}

/* Fills s with the len-letter string over {a, b} numbered code. */
static void make_string(char *s, size_t len, unsigned code) {
    for (size_t i = 0; i < len; i++) s[i] = (code >> i) & 1 ? 'b' : 'a';
}

/* Checks the walk's own invariants: the runs cover the subsequence
 * exactly, each run is equal bytes in a and b, and runs go backwards. */
static void check_walk_invariants(const char *a, uint32_t alen, const char *b, uint32_t blen) {
    lcs_table *t = lcs_table_build(a, alen, b, blen);
    uint32_t len = lcs_table_length(t);
    char seq[BRUTE_MAX_LEN + 1];
    lcs_match runs[BRUTE_MAX_LEN + 1];
    size_t n = lcs_table_walk(t, seq, runs);
    ck_assert(is_subsequence(seq, len, a, alen) && is_subsequence(seq, len, b, blen));
    uint32_t covered = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t rl = runs[i].a_end - runs[i].a_start + 1;
        ck_assert_uint_eq(runs[i].b_end - runs[i].b_start + 1, rl);
        ck_assert(memcmp(a + runs[i].a_start, b + runs[i].b_start, rl) == 0);
        /* Runs come last first, so each lies before the previous one. */
        if (i > 0) ck_assert(runs[i].a_end < runs[i - 1].a_start && runs[i].b_end < runs[i - 1].b_start);
        /* The subsequence is the runs' bytes in order. */
        ck_assert(memcmp(seq + (len - covered - rl), a + runs[i].a_start, rl) == 0);
        covered += rl;
    }
    ck_assert_uint_eq(covered, len);
    lcs_table_free(t);
}

START_TEST(test_brute_force_two_letters) {
    char a[BRUTE_MAX_LEN], b[BRUTE_MAX_LEN];
    for (size_t alen = 0; alen <= 5; alen++) {
        for (size_t blen = 0; blen <= 5; blen++) {
            for (unsigned ca = 0; ca < (1u << alen); ca++) {
                for (unsigned cb = 0; cb < (1u << blen); cb++) {
                    make_string(a, alen, ca);
                    make_string(b, blen, cb);
                    uint32_t want = brute_lcs_len(a, alen, b, blen);
                    ck_assert_uint_eq(lcs_length(a, (uint32_t)alen, b, (uint32_t)blen), want);
                    lcs_table *t = lcs_table_build(a, (uint32_t)alen, b, (uint32_t)blen);
                    ck_assert_uint_eq(lcs_table_length(t), want);
                    lcs_table_free(t);
                    check_walk_invariants(a, (uint32_t)alen, b, (uint32_t)blen);
                }
            }
        }
    }
}
END_TEST

START_TEST(test_no_leaks) {
    size_t before = zmalloc_used_memory();
    lcs_table *t = lcs_table_build("ohmytext", 8, "mynewtext", 9);
    lcs_table_free(t);
    ck_assert_uint_eq(lcs_length("abc", 3, "abd", 3), 2);
    ck_assert_uint_eq(zmalloc_used_memory(), before);
}
END_TEST

static Suite *lcs_suite(void) {
    Suite *s = suite_create("lcs");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_walk_matches_redis);
    tcase_add_test(tc, test_table_bytes);
    tcase_add_test(tc, test_brute_force_two_letters);
    tcase_add_test(tc, test_no_leaks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(lcs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
