/* test_hll.c -- Check suite for hll: the element hash and register choice,
 * the sparse opcodes (edits, splits, merges of equal neighbours), sparse to
 * dense promotion (value over 32, size limit), dense register round trips,
 * header cache bits, corrupt values refused, and the exact bytes and
 * counts Redis 7.0.15 produced for the same PFADD sequences (taken from a
 * live redis-server: GET bytes as FNV-1a, PFCOUNT, PFDEBUG DECODE). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hll.h"

#define NO_LIMIT ((size_t)-1)

static uint64_t fnv1a(const void *p, size_t len) {
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int add_str(sds *s, const char *e, size_t max) { return hll_add(s, e, strlen(e), max); }

static uint64_t count(sds s) {
    int invalid = 0;
    uint64_t n = hll_count((unsigned char *)s, sds_len(s), &invalid);
    ck_assert_int_eq(invalid, 0);
    return n;
}

static void assert_decode(sds s, const char *want) {
    sds d = hll_sparse_describe((unsigned char *)s, sds_len(s));
    ck_assert_str_eq(d, want);
    sds_free(d);
}

START_TEST(test_create) {
    sds s = hll_create();
    ck_assert_uint_eq(sds_len(s), HLL_HDR_SIZE + 2);
    ck_assert_mem_eq(s, "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", HLL_HDR_SIZE + 2);
    ck_assert_int_eq(hll_check((unsigned char *)s, sds_len(s)), 0);
    ck_assert(hll_cache_valid((unsigned char *)s));
    ck_assert_uint_eq(count(s), 0);
    assert_decode(s, "Z:16384");
    sds_free(s);
}
END_TEST

/* Single elements: the register and value Redis's PFDEBUG DECODE shows. */
START_TEST(test_hash_matches_redis) {
    static const struct { const char *e; const char *decode; } v[] = {
        {"a", "Z:12711 v:2,1 Z:3672"},          {"b", "Z:15780 v:1,1 Z:603"},
        {"c", "Z:8436 v:1,1 Z:7947"},           {"", "Z:5938 v:2,1 Z:10445"},
        {"hello world", "Z:9399 v:4,1 Z:6984"}, {"12345678", "Z:10579 v:3,1 Z:5804"},
        {"123456789", "Z:9293 v:2,1 Z:7090"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        sds s = hll_create();
        ck_assert_int_eq(add_str(&s, v[i].e, 3000), 1);
        ck_assert_int_eq(add_str(&s, v[i].e, 3000), 0);
        assert_decode(s, v[i].decode);
        sds_free(s);
    }
}
END_TEST

/* "PFADD k a b c" in Redis: these exact 27 bytes (cache marked stale). */
START_TEST(test_bytes_abc) {
    sds s = hll_create();
    add_str(&s, "a", 3000);
    add_str(&s, "b", 3000);
    add_str(&s, "c", 3000);
    hll_cache_invalidate((unsigned char *)s);
    ck_assert_uint_eq(sds_len(s), 27);
    ck_assert_mem_eq(s, "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80`\xf3\x80P\xb1\x84K\xfb\x80" "BZ", 27);
    assert_decode(s, "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
    ck_assert_uint_eq(count(s), 3);
    sds_free(s);
}
END_TEST

/* Adds e<from>..e<to-1> one PFADD at a time, as the Redis vectors were made. */
static void add_range(sds *s, int from, int to, size_t max) {
    char buf[32];
    for (int i = from; i < to; i++) {
        snprintf(buf, sizeof(buf), "e%d", i);
        ck_assert_int_ge(add_str(s, buf, max), 0);
    }
}

/* Elements e0..eN-1 added in growing steps, PFCOUNT after each step: the
 * length and FNV-1a of Redis's GET before the count, the count, and
 * whether it was dense by then (promotion at element 1684 with 3000). */
START_TEST(test_sequence_matches_redis) {
    static const struct { int n; uint64_t card; size_t len; uint64_t fnv; int dense; } v[] = {
        {1, 1, 21, 0xfffb6faeff77f7cdULL, 0},
        {10, 10, 48, 0x953ea581c3d6700bULL, 0},
        {100, 100, 285, 0xdc190eeb2be4c6ccULL, 0},
        {1000, 1008, 1906, 0x8f60f2e646232d18ULL, 0},
        {2000, 2000, 12304, 0xa0e78bcc7a3f3407ULL, 1},
        {5000, 4968, 12304, 0x359526983ee783b3ULL, 1},
        {10000, 9973, 12304, 0x3aee94ea4ab0a452ULL, 1},
        {50000, 49978, 12304, 0x6087b4a19e215387ULL, 1},
        {200000, 200859, 12304, 0x4216e56308941172ULL, 1},
    };
    sds s = hll_create();
    int prev = 0;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        if (prev < 1683 && v[i].n > 1684) {
            add_range(&s, prev, 1683, 3000);
            ck_assert_int_eq(hll_encoding((unsigned char *)s), HLL_SPARSE);
            add_range(&s, 1683, 1684, 3000);
            ck_assert_int_eq(hll_encoding((unsigned char *)s), HLL_DENSE);
            prev = 1684;
        }
        add_range(&s, prev, v[i].n, 3000);
        prev = v[i].n;
        hll_cache_invalidate((unsigned char *)s);
        ck_assert_uint_eq(sds_len(s), v[i].len);
        ck_assert_uint_eq(fnv1a(s, sds_len(s)), v[i].fnv);
        ck_assert_int_eq(hll_encoding((unsigned char *)s), v[i].dense ? HLL_DENSE : HLL_SPARSE);
        uint64_t card = count(s);
        ck_assert_uint_eq(card, v[i].card);
        hll_cache_set((unsigned char *)s, card);
        ck_assert(hll_cache_valid((unsigned char *)s));
        ck_assert_uint_eq(hll_cache_get((unsigned char *)s), card);
    }
    sds_free(s);
}
END_TEST

/* Redis: PFADD a e0..e2999, PFADD b e2000..e5999, PFCOUNT a b = 5953. */
START_TEST(test_union_matches_redis) {
    sds a = hll_create(), b = hll_create();
    add_range(&a, 0, 3000, 3000);
    add_range(&b, 2000, 6000, 3000);
    uint8_t *max = calloc(1, HLL_REGISTERS);
    ck_assert_int_eq(hll_merge(max, (unsigned char *)a, sds_len(a)), 0);
    ck_assert_int_eq(hll_merge(max, (unsigned char *)b, sds_len(b)), 0);
    ck_assert_uint_eq(hll_count_raw(max), 5953);
    free(max);
    sds_free(a);
    sds_free(b);
}
END_TEST

/* Sparse edits: splits of XZERO/ZERO/VAL runs and merges of equal VALs. */
START_TEST(test_sparse_edits) {
    sds s = hll_create();
    ck_assert_int_eq(hll_set(&s, 100, 3, NO_LIMIT), 1);
    assert_decode(s, "Z:100 v:3,1 Z:16283");
    ck_assert_int_eq(hll_set(&s, 100, 2, NO_LIMIT), 0); /* lower: no change */
    ck_assert_int_eq(hll_set(&s, 101, 3, NO_LIMIT), 1); /* merged with its left */
    assert_decode(s, "Z:100 v:3,2 Z:16282");
    ck_assert_int_eq(hll_set(&s, 103, 3, NO_LIMIT), 1);
    assert_decode(s, "Z:100 v:3,2 z:1 v:3,1 Z:16280");
    ck_assert_int_eq(hll_set(&s, 102, 3, NO_LIMIT), 1); /* ZERO of 1 -> VAL, merged */
    assert_decode(s, "Z:100 v:3,4 Z:16280");
    ck_assert_int_eq(hll_set(&s, 104, 3, NO_LIMIT), 1); /* a VAL holds 4 at most */
    assert_decode(s, "Z:100 v:3,4 v:3,1 Z:16279");
    /* VAL run split; its right part merges with the next VAL */
    ck_assert_int_eq(hll_set(&s, 101, 5, NO_LIMIT), 1);
    assert_decode(s, "Z:100 v:3,1 v:5,1 v:3,3 Z:16279");
    ck_assert_int_eq(hll_set(&s, 0, 1, NO_LIMIT), 1);
    ck_assert_int_eq(hll_set(&s, 16383, 32, NO_LIMIT), 1);
    assert_decode(s, "v:1,1 Z:99 v:3,1 v:5,1 v:3,3 Z:16278 v:32,1");
    /* Every register reads back through the dense form. */
    ck_assert_int_eq(hll_to_dense(&s), 0);
    uint8_t *regs = calloc(1, HLL_REGISTERS);
    hll_dense_registers((unsigned char *)s, regs);
    ck_assert_int_eq(regs[0], 1);
    ck_assert_int_eq(regs[100], 3);
    ck_assert_int_eq(regs[101], 5);
    ck_assert_int_eq(regs[104], 3);
    ck_assert_int_eq(regs[105], 0);
    ck_assert_int_eq(regs[16383], 32);
    free(regs);
    sds_free(s);
}
END_TEST

START_TEST(test_promotion) {
    /* A value over 32 does not fit a VAL opcode. */
    sds s = hll_create();
    ck_assert_int_eq(hll_set(&s, 7, 33, NO_LIMIT), 1);
    ck_assert_int_eq(hll_encoding((unsigned char *)s), HLL_DENSE);
    ck_assert_uint_eq(sds_len(s), HLL_DENSE_SIZE);
    sds_free(s);
    /* Growing past the limit promotes; the header's cache bytes move along. */
    s = hll_create();
    hll_cache_set((unsigned char *)s, 0x1234);
    ck_assert_int_eq(hll_set(&s, 1000, 1, 20), 1); /* 18 -> 21 bytes > 20 */
    ck_assert_int_eq(hll_encoding((unsigned char *)s), HLL_DENSE);
    ck_assert_uint_eq(hll_cache_get((unsigned char *)s), 0x1234);
    sds_free(s);
    s = hll_create();
    ck_assert_int_eq(hll_set(&s, 0, 1, 21), 1); /* 18 -> 19 bytes: fits */
    ck_assert_int_eq(hll_encoding((unsigned char *)s), HLL_SPARSE);
    ck_assert_int_eq(hll_set(&s, 0, 2, 0), 1);  /* in place: no growth */
    ck_assert_int_eq(hll_encoding((unsigned char *)s), HLL_SPARSE);
    sds_free(s);
}
END_TEST

START_TEST(test_dense_round_trip) {
    sds s = hll_create();
    ck_assert_int_eq(hll_to_dense(&s), 0);
    ck_assert_int_eq(hll_to_dense(&s), 0); /* already dense */
    unsigned seed = 7;
    uint8_t *want = calloc(1, HLL_REGISTERS), *got = calloc(1, HLL_REGISTERS);
    for (long i = 0; i < HLL_REGISTERS; i++) {
        seed = seed * 1103515245u + 12345u;
        want[i] = (uint8_t)((seed >> 16) % 52);
        if (want[i]) ck_assert_int_eq(hll_set(&s, i, want[i], 0), 1);
    }
    hll_dense_registers((unsigned char *)s, got);
    ck_assert_mem_eq(got, want, HLL_REGISTERS);
    /* The merge of a dense value gives the same registers; the counts of
     * the raw registers and of the value agree. */
    uint8_t *max = calloc(1, HLL_REGISTERS);
    ck_assert_int_eq(hll_merge(max, (unsigned char *)s, sds_len(s)), 0);
    ck_assert_mem_eq(max, want, HLL_REGISTERS);
    ck_assert_uint_eq(count(s), hll_count_raw(max));
    free(max);
    free(want);
    free(got);
    sds_free(s);
}
END_TEST

START_TEST(test_check_and_corrupt) {
    sds s = hll_create();
    ck_assert_int_eq(hll_check((unsigned char *)"HYLL", 4), -1);
    ck_assert_int_eq(hll_check((unsigned char *)"HYLX\1\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18), -1);
    ck_assert_int_eq(hll_check((unsigned char *)"HYLL\2\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18), -1);
    ck_assert_int_eq(hll_check((unsigned char *)"HYLL\0\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18), -1);
    /* Runs that cover fewer or more than 16384 registers. */
    s[HLL_HDR_SIZE + 1] = (char)0xfe; /* XZERO of 16383 */
    int invalid = 0;
    hll_count((unsigned char *)s, sds_len(s), &invalid);
    ck_assert_int_eq(invalid, 1);
    uint8_t *max = calloc(1, HLL_REGISTERS);
    ck_assert_int_eq(hll_merge(max, (unsigned char *)s, sds_len(s)), -1);
    ck_assert_int_eq(hll_to_dense(&s), -1);
    ck_assert_int_eq(hll_encoding((unsigned char *)s), HLL_SPARSE);
    ck_assert_int_eq(hll_set(&s, 16383, 1, NO_LIMIT), -1); /* past the runs */
    s = sds_cat_len(s, "\x83\x83", 2);                       /* 16383 + 8 */
    invalid = 0;
    hll_count((unsigned char *)s, sds_len(s), &invalid);
    ck_assert_int_eq(invalid, 1);
    ck_assert_int_eq(hll_merge(max, (unsigned char *)s, sds_len(s)), -1);
    free(max);
    sds_free(s);
}
END_TEST

START_TEST(test_selftest) {
    char err[256] = "";
    ck_assert_msg(hll_selftest(err, sizeof(err)) == 0, "%s", err);
}
END_TEST

static Suite *hll_suite(void) {
    Suite *s = suite_create("hll");
    TCase *tc = tcase_create("encodings");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_create);
    tcase_add_test(tc, test_hash_matches_redis);
    tcase_add_test(tc, test_bytes_abc);
    tcase_add_test(tc, test_sequence_matches_redis);
    tcase_add_test(tc, test_union_matches_redis);
    tcase_add_test(tc, test_sparse_edits);
    tcase_add_test(tc, test_promotion);
    tcase_add_test(tc, test_dense_round_trip);
    tcase_add_test(tc, test_check_and_corrupt);
    tcase_add_test(tc, test_selftest);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(hll_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
