/* test_cluster_slot.c -- Check suite for the hash slot library: the CRC16
 * check value of the cluster spec, and the slot of several hundred keys
 * (hash tags in every position, empty tags, binary bytes) compared with
 * what Redis 7.0.15 answered to CLUSTER KEYSLOT for the same bytes
 * (fixtures/cluster_slot_fixture_redis7.h, made by
 * fixtures/make_cluster_slot_fixture.py). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_slot.h"
#include "fixtures/cluster_slot_fixture_redis7.h"

START_TEST(test_crc16_check_value) {
    /* The check value of CRC16-XMODEM, as the cluster spec gives it. */
    ck_assert_uint_eq(cluster_crc16("123456789", 9), 0x31c3);
    ck_assert_uint_eq(cluster_crc16("", 0), 0);
    ck_assert_uint_eq(cluster_crc16(NULL, 0), 0);
}
END_TEST

START_TEST(test_tags) {
    ck_assert_uint_eq(cluster_keyslot("{user1000}.following", 20),
                      cluster_keyslot("user1000", 8));
    /* Only the first '{' and the first '}' after it count. */
    ck_assert_uint_eq(cluster_keyslot("foo{{bar}}zap", 13), cluster_keyslot("{bar", 4));
    ck_assert_uint_eq(cluster_keyslot("foo{bar}{zap}", 13), cluster_keyslot("bar", 3));
    /* An empty tag hashes the whole key, even when a later tag follows. */
    ck_assert_uint_eq(cluster_keyslot("foo{}{bar}", 10),
                      cluster_crc16("foo{}{bar}", 10) & (CLUSTER_SLOTS - 1));
    /* No '}' after the '{': the whole key. */
    ck_assert_uint_eq(cluster_keyslot("a}{b", 4), cluster_crc16("a}{b", 4) & (CLUSTER_SLOTS - 1));
    /* A NUL inside the tag is part of it. */
    ck_assert_uint_eq(cluster_keyslot("x{\0}", 4), cluster_keyslot("\0", 1));
}
END_TEST

START_TEST(test_matches_redis7_keyslot) {
    size_t n = sizeof(redis7_keyslots) / sizeof(redis7_keyslots[0]);
    ck_assert_uint_gt(n, 300);
    for (size_t i = 0; i < n; i++) {
        unsigned got = cluster_keyslot(redis7_keyslots[i].key, redis7_keyslots[i].len);
        ck_assert_msg(got == redis7_keyslots[i].slot, "key #%zu: slot %u, Redis says %u", i, got,
                      redis7_keyslots[i].slot);
    }
}
END_TEST

START_TEST(test_random_keys_stay_in_range_and_in_bounds) {
    /* Keys made only of braces stress the tag search at the buffer edges;
     * each key is a separate allocation so ASan sees any overread. */
    srand(14);
    for (int i = 0; i < 20000; i++) {
        size_t len = (size_t)(rand() % 12);
        char *k = malloc(len ? len : 1);
        for (size_t j = 0; j < len; j++) k[j] = "{}a"[rand() % 3];
        ck_assert_uint_lt(cluster_keyslot(k, len), CLUSTER_SLOTS);
        free(k);
    }
}
END_TEST

static Suite *cluster_slot_suite(void) {
    Suite *s = suite_create("cluster_slot");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_crc16_check_value);
    tcase_add_test(tc, test_tags);
    tcase_add_test(tc, test_matches_redis7_keyslot);
    tcase_add_test(tc, test_random_keys_stay_in_range_and_in_bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(cluster_slot_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
