/* test_intset.c -- Check suites for intset: the blob layout (pinned against
 * blobs DUMPed by Redis 7.0), encoding upgrades, ordering, find, remove,
 * random, a randomized run against a sorted-array model, and validation of
 * untrusted blobs. Every test ends by checking that zmalloc's used-memory
 * counter is back where it started. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intset.h"
#include "zmalloc.h"

static size_t mem_at_start;

static void setup(void) {
    mem_at_start = zmalloc_used_memory();
}

static void teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

/* Costs nothing until it fails (Check records every passing ck_assert). */
#define FAST_ASSERT(c) \
    do { \
        if (!(c)) ck_abort_msg("%s:%d: assertion failed: %s", __FILE__, __LINE__, #c); \
    } while (0)

static const unsigned char *bytes(const intset *is) {
    return (const unsigned char *)is;
}

static uint32_t encoding(const intset *is) {
    return bytes(is)[0] | bytes(is)[1] << 8 | bytes(is)[2] << 16 | (uint32_t)bytes(is)[3] << 24;
}

static intset *build(const int64_t *vals, size_t n) {
    intset *is = intset_new();
    for (size_t i = 0; i < n; i++) is = intset_add(is, vals[i], NULL);
    return is;
}

/* Members strictly ascend, the blob is valid, and its size is exact. */
static void check_sorted(const intset *is) {
    uint32_t len = intset_len(is);
    FAST_ASSERT(intset_blob_len(is) == INTSET_HDR_BYTES + (size_t)len * encoding(is));
    if (len) FAST_ASSERT(intset_validate_integrity(bytes(is), intset_blob_len(is), 1) == 0);
    int64_t prev = 0, v;
    for (uint32_t i = 0; i < len; i++) {
        FAST_ASSERT(intset_get(is, i, &v) == 0);
        if (i) FAST_ASSERT(v > prev);
        prev = v;
    }
}

/* ------------------------------------------------------------ layout */

START_TEST(test_new_layout) {
    intset *is = intset_new();
    static const unsigned char want[] = {2, 0, 0, 0, 0, 0, 0, 0};
    ck_assert_uint_eq(intset_blob_len(is), sizeof(want));
    ck_assert_mem_eq(bytes(is), want, sizeof(want));
    ck_assert_uint_eq(intset_len(is), 0);
    int64_t v;
    ck_assert_int_eq(intset_get(is, 0, &v), -1);
    ck_assert(!intset_find(is, 0));
    intset_free(is);
    intset_free(NULL);
}
END_TEST

/* Blobs DUMPed by Redis 7.0.15 after SADD of the values in this order. */
START_TEST(test_layout_matches_redis) {
    static const int64_t a[] = {3, 1, 2};
    static const unsigned char ra[] = {0x02, 0, 0, 0, 0x03, 0, 0, 0, 0x01, 0, 0x02, 0, 0x03, 0};
    static const int64_t b[] = {3, 1, 2, -5, 65536};
    static const unsigned char rb[] = {0x04, 0, 0, 0, 0x05, 0, 0, 0, 0xfb, 0xff, 0xff, 0xff, 0x01, 0, 0, 0,
                                       0x02, 0, 0, 0, 0x03, 0, 0, 0, 0x00, 0x00, 0x01, 0x00};
    static const int64_t c[] = {5, INT64_MIN, 40000};
    static const unsigned char rc[] = {0x08, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80,
                                       0x05, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x9c, 0, 0, 0, 0, 0, 0};
    intset *is = build(a, 3);
    ck_assert_uint_eq(intset_blob_len(is), sizeof(ra));
    ck_assert_mem_eq(bytes(is), ra, sizeof(ra));
    intset_free(is);
    is = build(b, 5);
    ck_assert_uint_eq(intset_blob_len(is), sizeof(rb));
    ck_assert_mem_eq(bytes(is), rb, sizeof(rb));
    intset_free(is);
    is = build(c, 3);
    ck_assert_uint_eq(intset_blob_len(is), sizeof(rc));
    ck_assert_mem_eq(bytes(is), rc, sizeof(rc));
    intset_free(is);
    /* And Redis's blobs validate and read back. */
    ck_assert_int_eq(intset_validate_integrity(rc, sizeof(rc), 1), 0);
    const intset *r = (const intset *)rb;
    ck_assert_int_eq(intset_min(r), -5);
    ck_assert_int_eq(intset_max(r), 65536);
    ck_assert(intset_find(r, 2));
}
END_TEST

/* ------------------------------------------------------------ upgrades */

START_TEST(test_upgrades) {
    intset *is = intset_new();
    int ok;
    is = intset_add(is, 32, &ok);
    ck_assert_int_eq(ok, 1);
    ck_assert_uint_eq(encoding(is), 2);
    is = intset_add(is, INT16_MAX, NULL);
    is = intset_add(is, INT16_MIN, NULL);
    ck_assert_uint_eq(encoding(is), 2);
    is = intset_add(is, INT16_MAX + 1, &ok); /* positive: goes at the end */
    ck_assert_int_eq(ok, 1);
    ck_assert_uint_eq(encoding(is), 4);
    ck_assert_int_eq(intset_max(is), INT16_MAX + 1);
    is = intset_add(is, (int64_t)INT32_MIN - 1, NULL); /* negative: at the front */
    ck_assert_uint_eq(encoding(is), 8);
    ck_assert_int_eq(intset_min(is), (int64_t)INT32_MIN - 1);
    static const int64_t want[] = {(int64_t)INT32_MIN - 1, INT16_MIN, 32, INT16_MAX, INT16_MAX + 1};
    ck_assert_uint_eq(intset_len(is), 5);
    for (uint32_t i = 0; i < 5; i++) {
        int64_t v;
        ck_assert_int_eq(intset_get(is, i, &v), 0);
        ck_assert_int_eq(v, want[i]);
    }
    /* Removing the wide values never downgrades. */
    is = intset_remove(is, (int64_t)INT32_MIN - 1, &ok);
    ck_assert_int_eq(ok, 1);
    is = intset_remove(is, INT16_MAX + 1, &ok);
    ck_assert_uint_eq(encoding(is), 8);
    ck_assert_uint_eq(intset_blob_len(is), 8 + 3 * 8);
    check_sorted(is);
    intset_free(is);

    /* int16 straight to int64, both signs. */
    is = intset_new();
    is = intset_add(is, -1, NULL);
    is = intset_add(is, 1, NULL);
    is = intset_add(is, INT64_MAX, NULL);
    ck_assert_uint_eq(encoding(is), 8);
    is = intset_add(is, INT64_MIN, NULL);
    ck_assert_int_eq(intset_min(is), INT64_MIN);
    ck_assert_int_eq(intset_max(is), INT64_MAX);
    ck_assert_uint_eq(intset_len(is), 4);
    check_sorted(is);
    intset_free(is);

    /* int16 to int32 with a negative value. */
    is = intset_new();
    for (int i = 0; i < 10; i++) is = intset_add(is, i, NULL);
    is = intset_add(is, -100000, NULL);
    ck_assert_uint_eq(encoding(is), 4);
    ck_assert_int_eq(intset_min(is), -100000);
    ck_assert_int_eq(intset_max(is), 9);
    check_sorted(is);
    intset_free(is);
}
END_TEST

/* ------------------------------------------------------------ operations */

START_TEST(test_add_duplicates_and_order) {
    intset *is = intset_new();
    int ok;
    static const int64_t vals[] = {50, -3, 7, 1000, -32768, 0, 7, 50};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        is = intset_add(is, vals[i], &ok);
        ck_assert_int_eq(ok, i < 6 ? 1 : 0);
    }
    ck_assert_uint_eq(intset_len(is), 6);
    static const int64_t sorted[] = {-32768, -3, 0, 7, 50, 1000};
    for (uint32_t i = 0; i < 6; i++) {
        int64_t v;
        intset_get(is, i, &v);
        ck_assert_int_eq(v, sorted[i]);
    }
    int64_t v = 77;
    ck_assert_int_eq(intset_get(is, 6, &v), -1);
    ck_assert_int_eq(v, 77);
    check_sorted(is);
    intset_free(is);
}
END_TEST

START_TEST(test_find) {
    static const int64_t vals[] = {-5, 0, 5, 300};
    intset *is = build(vals, 4);
    for (int i = 0; i < 4; i++) ck_assert(intset_find(is, vals[i]));
    ck_assert(!intset_find(is, 1));
    ck_assert(!intset_find(is, -6));
    ck_assert(!intset_find(is, 301));
    ck_assert(!intset_find(is, 65536 + 5)); /* wider than the encoding */
    ck_assert(!intset_find(is, INT64_MIN));
    ck_assert(!intset_find(is, INT64_MAX));
    intset_free(is);
}
END_TEST

START_TEST(test_remove) {
    static const int64_t vals[] = {1, 2, 3, 4, 5};
    intset *is = build(vals, 5);
    int ok;
    is = intset_remove(is, 1, &ok); /* head */
    ck_assert_int_eq(ok, 1);
    is = intset_remove(is, 5, &ok); /* tail */
    ck_assert_int_eq(ok, 1);
    is = intset_remove(is, 3, &ok); /* middle */
    ck_assert_int_eq(ok, 1);
    is = intset_remove(is, 3, &ok);
    ck_assert_int_eq(ok, 0);
    is = intset_remove(is, 1LL << 40, &ok); /* wider than the encoding */
    ck_assert_int_eq(ok, 0);
    ck_assert_uint_eq(intset_len(is), 2);
    ck_assert_uint_eq(intset_blob_len(is), 8 + 2 * 2);
    static const unsigned char want[] = {2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 4, 0};
    ck_assert_mem_eq(bytes(is), want, sizeof(want));
    is = intset_remove(is, 2, NULL);
    is = intset_remove(is, 4, NULL);
    ck_assert_uint_eq(intset_len(is), 0);
    ck_assert_uint_eq(intset_blob_len(is), 8);
    intset_free(is);
}
END_TEST

START_TEST(test_random) {
    static const int64_t vals[] = {-70000, 3, 9, 12, 1LL << 50};
    intset *is = build(vals, 5);
    int seen[5] = {0};
    srandom(1234);
    for (int i = 0; i < 1000; i++) {
        int64_t r = intset_random(is);
        int found = 0;
        for (int j = 0; j < 5; j++)
            if (vals[j] == r) seen[j] = found = 1;
        FAST_ASSERT(found);
    }
    for (int j = 0; j < 5; j++) ck_assert_int_eq(seen[j], 1);
    intset_free(is);
    /* A single member is always the answer. */
    is = build(vals + 1, 1);
    ck_assert_int_eq(intset_random(is), 3);
    intset_free(is);
}
END_TEST

/* ------------------------------------------------------------ randomized */

static uint64_t rng_state;

static uint64_t rng(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static int64_t random_member(void) {
    switch (rng() % 4) {
    case 0: return (int64_t)(rng() % 200) - 100;
    case 1: return (int64_t)(rng() % 131072) - 65536;
    case 2: return (int64_t)(rng() % 10000000000ULL) - 5000000000LL;
    default: return (int64_t)rng();
    }
}

/* Sorted unique model helpers. */
static size_t model_pos(const int64_t *m, size_t n, int64_t v) {
    size_t i = 0;
    while (i < n && m[i] < v) i++;
    return i;
}

#define INTSET_MODEL_MAX 600
#define INTSET_RANDOM_OPS 20000

START_TEST(test_randomized_against_model) {
    rng_state = 0xD1B54A32D192ED03ULL;
    int64_t *m = malloc(sizeof(*m) * (INTSET_MODEL_MAX + 1));
    size_t n = 0;
    intset *is = intset_new();
    for (int op = 0; op < INTSET_RANDOM_OPS; op++) {
        /* Early ops stay small so the int16 and int32 phases get exercised. */
        int64_t v = op < 2000 ? (int64_t)(rng() % 500) - 250 : random_member();
        size_t pos = model_pos(m, n, v);
        int present = pos < n && m[pos] == v;
        int ok = -1;
        if (n >= INTSET_MODEL_MAX) {
            /* Full: remove a member so the set keeps changing. */
            v = m[rng() % n];
            pos = model_pos(m, n, v);
            present = 1;
        }
        if (rng() % 3 != 0 && n < INTSET_MODEL_MAX) {
            is = intset_add(is, v, &ok);
            FAST_ASSERT(ok == !present);
            if (!present) {
                memmove(m + pos + 1, m + pos, (n - pos) * sizeof(*m));
                m[pos] = v;
                n++;
            }
        } else {
            is = intset_remove(is, v, &ok);
            FAST_ASSERT(ok == present);
            if (present) {
                memmove(m + pos, m + pos + 1, (n - pos - 1) * sizeof(*m));
                n--;
            }
        }
        FAST_ASSERT(intset_len(is) == n);
        pos = model_pos(m, n, v);
        FAST_ASSERT(intset_find(is, v) == (pos < n && m[pos] == v));
        if (op % 50 == 0) {
            for (size_t i = 0; i < n; i++) {
                int64_t got;
                FAST_ASSERT(intset_get(is, (uint32_t)i, &got) == 0 && got == m[i]);
            }
            check_sorted(is);
            if (n) FAST_ASSERT(intset_min(is) == m[0] && intset_max(is) == m[n - 1]);
        }
    }
    free(m);
    intset_free(is);
}
END_TEST

/* ------------------------------------------------------------ validation */

static void le32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

START_TEST(test_validate) {
    static const int64_t vals[] = {-7, 1, 99, 100000};
    intset *is = build(vals, 4);
    size_t n = intset_blob_len(is);
    ck_assert_int_eq(intset_validate_integrity(bytes(is), n, 0), 0);
    ck_assert_int_eq(intset_validate_integrity(bytes(is), n, 1), 0);
    /* Size must match exactly. */
    ck_assert_int_eq(intset_validate_integrity(bytes(is), n - 1, 0), -1);
    ck_assert_int_eq(intset_validate_integrity(bytes(is), n + 4, 0), -1);
    ck_assert_int_eq(intset_validate_integrity(bytes(is), 7, 0), -1);
    ck_assert_int_eq(intset_validate_integrity(bytes(is), 0, 0), -1);

    unsigned char *b = malloc(n);
    /* Unknown encodings. */
    static const uint32_t bad_enc[] = {0, 1, 3, 16, 0x02000000};
    for (size_t i = 0; i < sizeof(bad_enc) / sizeof(bad_enc[0]); i++) {
        memcpy(b, is, n);
        le32(b, bad_enc[i]);
        ck_assert_int_eq(intset_validate_integrity(b, n, 0), -1);
    }
    /* Length not matching the size, including one whose product overflows
     * 32 bits. */
    memcpy(b, is, n);
    le32(b + 4, 5);
    ck_assert_int_eq(intset_validate_integrity(b, n, 0), -1);
    le32(b + 4, 0x40000001u); /* * 4 wraps to 4 in 32-bit arithmetic */
    ck_assert_int_eq(intset_validate_integrity(b, n, 0), -1);
    /* Order: a swap passes shallow, fails deep; so does a duplicate. */
    memcpy(b, is, n);
    unsigned char tmp[4];
    memcpy(tmp, b + 8, 4);
    memcpy(b + 8, b + 12, 4);
    memcpy(b + 12, tmp, 4);
    ck_assert_int_eq(intset_validate_integrity(b, n, 0), 0);
    ck_assert_int_eq(intset_validate_integrity(b, n, 1), -1);
    memcpy(b, is, n);
    memcpy(b + 12, b + 8, 4);
    ck_assert_int_eq(intset_validate_integrity(b, n, 1), -1);
    free(b);
    intset_free(is);

    /* An empty set is never saved by Redis: rejected. */
    is = intset_new();
    ck_assert_int_eq(intset_validate_integrity(bytes(is), intset_blob_len(is), 1), -1);
    intset_free(is);
}
END_TEST

/* Every single-byte change of a small blob, in an exact-size block: no
 * crash, header changes always caught, accepted blobs still sorted. */
START_TEST(test_validate_every_single_byte_corruption) {
    static const int64_t vals[] = {-300, -2, 0, 17, 4000};
    intset *is = build(vals, 5);
    size_t n = intset_blob_len(is);
    unsigned char *mut = malloc(n);
    unsigned long accepted = 0;
    for (size_t pos = 0; pos < n; pos++) {
        for (int v = 0; v < 256; v++) {
            if (v == bytes(is)[pos]) continue;
            memcpy(mut, is, n);
            mut[pos] = (unsigned char)v;
            if (intset_validate_integrity(mut, n, 1) != 0) continue;
            if (pos < INTSET_HDR_BYTES) ck_abort_msg("header byte %zu=0x%02x accepted", pos, v);
            const intset *m = (const intset *)mut;
            FAST_ASSERT(intset_len(m) == 5);
            for (uint32_t i = 1; i < 5; i++) {
                int64_t a, b;
                intset_get(m, i - 1, &a);
                intset_get(m, i, &b);
                FAST_ASSERT(a < b);
            }
            accepted++;
        }
    }
    ck_assert_uint_gt(accepted, 0);
    free(mut);
    intset_free(is);
}
END_TEST

static Suite *intset_suite(void) {
    Suite *s = suite_create("intset");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_new_layout);
    tcase_add_test(tc, test_layout_matches_redis);
    tcase_add_test(tc, test_upgrades);
    tcase_add_test(tc, test_add_duplicates_and_order);
    tcase_add_test(tc, test_find);
    tcase_add_test(tc, test_remove);
    tcase_add_test(tc, test_random);
    suite_add_tcase(s, tc);

    tc = tcase_create("random");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_randomized_against_model);
    suite_add_tcase(s, tc);

    tc = tcase_create("validate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_validate);
    tcase_add_test(tc, test_validate_every_single_byte_corruption);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(intset_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
