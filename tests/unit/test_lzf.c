/* test_lzf.c -- Check suite for lzf: compressed bytes equal to what Redis
 * 7.0 writes (taken from its DUMP payloads), round trips over sizes and
 * data shapes, incompressible input refused when the output is too small,
 * exact output-size boundaries, and corrupt streams refused without
 * reading or writing out of bounds. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lzf.h"

/* Costs nothing until it fails (Check records every passing ck_assert). */
#define FAST_ASSERT(c) \
    do { \
        if (!(c)) ck_abort_msg("%s:%d: assertion failed: %s", __FILE__, __LINE__, #c); \
    } while (0)

/* Input and the compressed bytes Redis 7.0.15 stored for it. */
struct redis_vector {
    const char *in;
    const char *out;
    size_t outlen;
};

static const struct redis_vector vectors[] = {
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "\x01" "aa\xe0%\x00\x01" "aa", 9},
    {"hello world hello world hello world hello world!", "\x0chello world h\xe0\x18\x0b\x01" "d!", 20},
    {"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
     "abcdefghij",
     "\x1f" "abcdefghijklmnopqrstuvwxyz012345\x04" "6789a\xe0" "4#\xc0=\x01ij", 47},
};

START_TEST(test_matches_redis_bytes) {
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const struct redis_vector *v = &vectors[i];
        size_t inlen = strlen(v->in);
        unsigned char out[256];
        size_t n = lzf_compress(v->in, inlen, out, inlen - 4); /* as RDB asks */
        ck_assert_uint_eq(n, v->outlen);
        ck_assert_mem_eq(out, v->out, n);
        char back[256];
        ck_assert_uint_eq(lzf_decompress(v->out, v->outlen, back, inlen), inlen);
        ck_assert_mem_eq(back, v->in, inlen);
    }
}
END_TEST

static void fill(unsigned char *p, size_t n, int shape, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        switch (shape) {
        case 0: p[i] = (unsigned char)(seed >> 16); break;        /* random */
        case 1: p[i] = (unsigned char)('a' + (seed >> 16) % 4); break; /* small alphabet */
        case 2: p[i] = (unsigned char)(i % 7); break;             /* periodic */
        default: p[i] = 0; break;                                 /* constant */
        }
    }
}

static void roundtrip(size_t n, int shape, unsigned seed) {
    size_t room = n + n / 16 + 64; /* random data grows by 1/32 */
    unsigned char *in = malloc(n + 1), *out = malloc(room), *back = malloc(n + 1);
    fill(in, n, shape, seed);
    size_t c = lzf_compress(in, n, out, room);
    FAST_ASSERT(n == 0 || c > 0);
    if (c) {
        FAST_ASSERT(lzf_decompress(out, c, back, n) == n);
        FAST_ASSERT(memcmp(in, back, n) == 0);
        /* One byte less room than needed: refused, never overrun. */
        if (n > 0) FAST_ASSERT(lzf_decompress(out, c, back, n - 1) == 0);
    }
    free(in);
    free(out);
    free(back);
}

START_TEST(test_roundtrips) {
    for (size_t n = 0; n < 600; n++)
        for (int shape = 0; shape < 4; shape++) roundtrip(n, shape, (unsigned)n);
    size_t big[] = {8191, 8192, 8193, 65535, 65536, 65537, 1 << 20};
    for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
        for (int shape = 0; shape < 4; shape++) roundtrip(big[i], shape, 7);
}
END_TEST

START_TEST(test_incompressible_refused) {
    unsigned char in[1000], out[1000];
    fill(in, sizeof(in), 0, 99);
    ck_assert_uint_eq(lzf_compress(in, sizeof(in), out, sizeof(in) - 4), 0);
    ck_assert_uint_eq(lzf_compress(in, 0, out, sizeof(out)), 0);
    ck_assert_uint_eq(lzf_compress(in, 10, out, 0), 0);
}
END_TEST

/* The compressor succeeds with exactly its output size of room, and fails
 * with one byte less. */
START_TEST(test_output_size_boundary) {
    unsigned char in[4096], out[5000], out2[5000];
    for (int shape = 0; shape < 4; shape++) {
        for (size_t n = 1; n < sizeof(in); n = n * 3 + 1) {
            fill(in, n, shape, (unsigned)n);
            size_t c = lzf_compress(in, n, out, sizeof(out));
            FAST_ASSERT(c > 0);
            size_t c2 = lzf_compress(in, n, out2, c);
            /* liblzf's space checks are conservative near the end: with
             * exactly c bytes it may refuse, but never write past c. */
            FAST_ASSERT(c2 == 0 || (c2 == c && memcmp(out, out2, c) == 0));
            FAST_ASSERT(lzf_compress(in, n, out2, c - 1 > 0 ? c - 1 : 0) == 0 || c == 1);
        }
    }
}
END_TEST

START_TEST(test_corrupt_refused) {
    unsigned char out[64];
    /* literal run longer than the input */
    ck_assert_uint_eq(lzf_decompress("\x05" "ab", 3, out, sizeof(out)), 0);
    /* back reference before the start of the output */
    ck_assert_uint_eq(lzf_decompress("\x00" "a\x20\x05", 4, out, sizeof(out)), 0);
    /* truncated reference (missing offset byte, missing length byte) */
    ck_assert_uint_eq(lzf_decompress("\x00" "a\x20", 3, out, sizeof(out)), 0);
    ck_assert_uint_eq(lzf_decompress("\x00" "a\xe0", 3, out, sizeof(out)), 0);
    /* reference that would overflow the output */
    ck_assert_uint_eq(lzf_decompress("\x00" "a\xe0\xff\x00", 5, out, 10), 0);
    /* a valid one for contrast: "a" then 3 more copies of it */
    ck_assert_uint_eq(lzf_decompress("\x00" "a\x20\x00", 4, out, sizeof(out)), 4);
    ck_assert_mem_eq(out, "aaaa", 4);
}
END_TEST

/* Every corruption of a valid stream decompresses to something or is
 * refused; under ASan this proves no out-of-bounds access. */
START_TEST(test_fuzz_mutations) {
    unsigned char in[2000], comp[2100], out[2000];
    fill(in, sizeof(in), 1, 5);
    size_t c = lzf_compress(in, sizeof(in), comp, sizeof(comp));
    ck_assert_uint_gt(c, 0);
    unsigned seed = 1;
    for (int round = 0; round < 20000; round++) {
        unsigned char m[2100];
        memcpy(m, comp, c);
        seed = seed * 1103515245u + 12345u;
        m[(seed >> 8) % c] = (unsigned char)(seed >> 20);
        size_t len = (round & 1) ? c : (seed >> 4) % (c + 1);
        size_t got = lzf_decompress(m, len, out, sizeof(out));
        FAST_ASSERT(got <= sizeof(out));
    }
}
END_TEST

static Suite *lzf_suite(void) {
    Suite *s = suite_create("lzf");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_matches_redis_bytes);
    tcase_add_test(tc, test_roundtrips);
    tcase_add_test(tc, test_incompressible_refused);
    tcase_add_test(tc, test_output_size_boundary);
    tcase_add_test(tc, test_corrupt_refused);
    tcase_add_test(tc, test_fuzz_mutations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(lzf_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
