/* test_sha256.c -- Check suite for sha256: the FIPS 180-4 vectors, a
 * message split at every offset (update in pieces equals one update), and
 * padding edges at 55/56/64 bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

START_TEST(test_known_vectors) {
    char hex[SHA256_HEX_CHARS + 1];
    sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(two, strlen(two), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char a1000[1000];
    memset(a1000, 'a', sizeof(a1000));
    sha256_hex(a1000, sizeof(a1000), hex);
    ck_assert_str_eq(hex, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
    /* Redis's ACL GETUSER shows this for the password "pw". */
    sha256_hex("pw", 2, hex);
    ck_assert_str_eq(hex, "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4");
}
END_TEST

START_TEST(test_split_updates) {
    char msg[200];
    for (size_t i = 0; i < sizeof(msg); i++) msg[i] = (char)(i * 7 + 3);
    unsigned char whole[SHA256_DIGEST_BYTES], parts[SHA256_DIGEST_BYTES];
    sha256_ctx ctx;
    for (size_t len = 54; len <= sizeof(msg); len += 5) {
        sha256_init(&ctx);
        sha256_update(&ctx, msg, len);
        sha256_final(&ctx, whole);
        for (size_t cut = 0; cut <= len; cut += 13) {
            sha256_init(&ctx);
            sha256_update(&ctx, msg, cut);
            sha256_update(&ctx, msg + cut, len - cut);
            sha256_final(&ctx, parts);
            ck_assert_mem_eq(whole, parts, SHA256_DIGEST_BYTES);
        }
    }
}
END_TEST

START_TEST(test_padding_edges) {
    /* Lengths whose padding needs one or two final blocks. */
    char hex[SHA256_HEX_CHARS + 1];
    char a[64];
    memset(a, 'a', sizeof(a));
    sha256_hex(a, 55, hex);
    ck_assert_str_eq(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    sha256_hex(a, 56, hex);
    ck_assert_str_eq(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    sha256_hex(a, 64, hex);
    ck_assert_str_eq(hex, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}
END_TEST

int main(void) {
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_known_vectors);
    tcase_add_test(tc, test_split_updates);
    tcase_add_test(tc, test_padding_edges);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
