/* test_sha1.c -- Check suites for sha1: the FIPS 180-4 / RFC 3174 test
 * vectors (empty, "abc", the 448-bit message, a million 'a'), every split
 * of a message across update calls (block-boundary handling), padding at
 * lengths 55, 56 and 64 (digests from Python's hashlib) and the hex form. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sha1.h"

#define MILLION 1000000

static void hex_of(const void *p, size_t len, char hex[41]) {
    unsigned char d[SHA1_DIGEST_BYTES];
    sha1(p, len, d);
    sha1_to_hex(d, hex);
}

START_TEST(test_known_vectors) {
    char hex[41];
    hex_of("", 0, hex);
    ck_assert_str_eq(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    hex_of("abc", 3, hex);
    ck_assert_str_eq(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m448, strlen(m448), hex);
    ck_assert_str_eq(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hex_of(m896, strlen(m896), hex);
    ck_assert_str_eq(hex, "a49b2446a02c645bf419f995b67091253a04a259");
    hex_of("The quick brown fox jumps over the lazy dog", 43, hex);
    ck_assert_str_eq(hex, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}
END_TEST

START_TEST(test_million_a) {
    sha1_ctx ctx;
    sha1_init(&ctx);
    char chunk[1000];
    memset(chunk, 'a', sizeof(chunk));
    for (int i = 0; i < MILLION / 1000; i++) sha1_update(&ctx, chunk, sizeof(chunk));
    unsigned char d[SHA1_DIGEST_BYTES];
    char hex[41];
    sha1_final(&ctx, d);
    sha1_to_hex(d, hex);
    ck_assert_str_eq(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}
END_TEST

/* Lengths around the padding edge: 55 bytes fit one block with the
 * length, 56 and 64 need a second (expected values from hashlib). */
START_TEST(test_padding_edges) {
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {55, "cef734ba81a024479e09eb5a75b6ddae62e6abf1"}, {56, "901305367c259952f4e7af8323f480d59f81335b"},
        {63, "0ddc4e0cccd9a12850deb5abb0853a4425559fec"}, {64, "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163"},
        {65, "78c741ddc482e4cdf8c474a0876347a0905b6233"},
    };
    char buf[65];
    char hex[41];
    memset(buf, 'x', sizeof(buf));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hex_of(buf, cases[i].len, hex);
        ck_assert_str_eq(hex, cases[i].hex);
    }
}
END_TEST

/* Any split of the input over update calls gives the one-shot digest. */
START_TEST(test_split_updates) {
    unsigned char msg[200];
    for (size_t i = 0; i < sizeof(msg); i++) msg[i] = (unsigned char)(i * 7 + 3);
    unsigned char want[SHA1_DIGEST_BYTES], got[SHA1_DIGEST_BYTES];
    for (size_t len = 0; len <= sizeof(msg); len += 13) {
        sha1(msg, len, want);
        for (size_t cut = 0; cut <= len; cut++) {
            sha1_ctx ctx;
            sha1_init(&ctx);
            sha1_update(&ctx, msg, cut);
            sha1_update(&ctx, msg + cut, 0);
            sha1_update(&ctx, msg + cut, len - cut);
            sha1_final(&ctx, got);
            ck_assert_mem_eq(want, got, SHA1_DIGEST_BYTES);
        }
    }
}
END_TEST

static Suite *sha1_suite(void) {
    Suite *s = suite_create("sha1");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_known_vectors);
    tcase_add_test(tc, test_million_a);
    tcase_add_test(tc, test_padding_edges);
    tcase_add_test(tc, test_split_updates);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(sha1_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
