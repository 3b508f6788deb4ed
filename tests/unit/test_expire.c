/* test_expire.c -- Check tests for the pure pieces of expiry and access
 * tracking: EXPIRE's time arithmetic and overflow rules, the NX/XX/GT/LT
 * decision, TTL rounding (expire.h), and the LRU/LFU clock arithmetic with
 * its wraps and the logarithmic counter (db.h). Expected values follow
 * Redis 7.0's replies and its documented LFU behaviour. */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "db.h"
#include "expire.h"

/* ------------------------------------------------------------ EXPIRE time */

START_TEST(test_when_relative_and_absolute) {
    long long out = 0;
    ck_assert_int_eq(expire_when_ms(100, 1, 1000, &out), 0);
    ck_assert_int_eq(out, 101000);
    ck_assert_int_eq(expire_when_ms(100, 0, 1000, &out), 0);
    ck_assert_int_eq(out, 1100);
    ck_assert_int_eq(expire_when_ms(1700000000, 1, 0, &out), 0);
    ck_assert_int_eq(out, 1700000000000LL);
    /* negative times are accepted (the key is then deleted) */
    ck_assert_int_eq(expire_when_ms(-5, 1, 1000, &out), 0);
    ck_assert_int_eq(out, -4000);
}
END_TEST

START_TEST(test_when_overflow) {
    long long out = 42, now = 1700000000000LL;
    /* EXPIRE a 9223372036854775807: the *1000 overflows */
    ck_assert_int_eq(expire_when_ms(LLONG_MAX, 1, now, &out), -1);
    ck_assert_int_eq(expire_when_ms(LLONG_MAX / 1000 + 1, 1, 0, &out), -1);
    ck_assert_int_eq(expire_when_ms(LLONG_MIN / 1000 - 1, 1, 0, &out), -1);
    ck_assert_int_eq(expire_when_ms(LLONG_MIN, 1, now, &out), -1);
    ck_assert_int_eq(out, 42); /* untouched on error */
    /* EXPIRE a 9223372036854775: fits *1000 but not + now */
    ck_assert_int_eq(expire_when_ms(9223372036854775LL, 1, now, &out), -1);
    ck_assert_int_eq(expire_when_ms(9223372036854LL, 1, now, &out), 0);
    /* PEXPIRE a LLONG_MAX fails, PEXPIREAT a LLONG_MAX does not */
    ck_assert_int_eq(expire_when_ms(LLONG_MAX, 0, now, &out), -1);
    ck_assert_int_eq(expire_when_ms(LLONG_MAX, 0, 0, &out), 0);
    ck_assert_int_eq(out, LLONG_MAX);
    /* EXPIREAT a LLONG_MAX/1000 exactly is fine; PEXPIRE of LLONG_MIN too */
    ck_assert_int_eq(expire_when_ms(LLONG_MAX / 1000, 1, 0, &out), 0);
    ck_assert_int_eq(expire_when_ms(LLONG_MIN, 0, now, &out), 0);
    ck_assert_int_eq(out, LLONG_MIN + now);
}
END_TEST

START_TEST(test_flags_matrix) {
    const long long none = -1, cur = 5000;
    ck_assert_int_eq(expire_flags_allow(0, none, 1), 1);
    ck_assert_int_eq(expire_flags_allow(0, cur, 1), 1);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_NX, none, 9000), 1);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_NX, cur, 9000), 0);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_XX, none, 9000), 0);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_XX, cur, 9000), 1);
    /* GT: no TTL counts as infinite, so nothing is greater */
    ck_assert_int_eq(expire_flags_allow(EXPIRE_GT, none, 9000), 0);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_GT, cur, 9000), 1);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_GT, cur, cur), 0);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_GT, cur, 100), 0);
    /* LT: anything is less than no TTL */
    ck_assert_int_eq(expire_flags_allow(EXPIRE_LT, none, 9000), 1);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_LT, cur, 100), 1);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_LT, cur, cur), 0);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_LT, cur, 9000), 0);
    /* XX combines with GT / LT */
    ck_assert_int_eq(expire_flags_allow(EXPIRE_XX | EXPIRE_GT, none, 9000), 0);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_XX | EXPIRE_GT, cur, 9000), 1);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_XX | EXPIRE_LT, none, 100), 0);
    ck_assert_int_eq(expire_flags_allow(EXPIRE_XX | EXPIRE_LT, cur, 100), 1);
}
END_TEST

START_TEST(test_ttl_values) {
    const long long now = 1000000;
    ck_assert_int_eq(expire_ttl_reply_value(now + 100000, now, 0, 0), 100);
    ck_assert_int_eq(expire_ttl_reply_value(now + 99500, now, 0, 0), 100); /* rounds half up */
    ck_assert_int_eq(expire_ttl_reply_value(now + 99499, now, 0, 0), 99);
    ck_assert_int_eq(expire_ttl_reply_value(now + 99499, now, 0, 1), 99499);
    ck_assert_int_eq(expire_ttl_reply_value(now - 5, now, 0, 1), 0); /* never negative */
    ck_assert_int_eq(expire_ttl_reply_value(now - 5, now, 0, 0), 0);
    /* EXPIRETIME of 99999999999500 ms and 99999999999999 ms: both round */
    ck_assert_int_eq(expire_ttl_reply_value(99999999999500LL, now, 1, 0), 100000000000LL);
    ck_assert_int_eq(expire_ttl_reply_value(99999999999999LL, now, 1, 0), 100000000000LL);
    ck_assert_int_eq(expire_ttl_reply_value(99999999999499LL, now, 1, 0), 99999999999LL);
    ck_assert_int_eq(expire_ttl_reply_value(99999999999499LL, now, 1, 1), 99999999999499LL);
    /* PEXPIREAT k LLONG_MAX: no overflow on the way (Redis: 9223372036854776) */
    ck_assert_int_eq(expire_ttl_reply_value(LLONG_MAX, now, 1, 0), 9223372036854776LL);
    ck_assert_int_eq(expire_ttl_reply_value(LLONG_MAX, now, 1, 1), LLONG_MAX);
    ck_assert_int_eq(expire_ttl_reply_value(LLONG_MAX, now, 0, 0), (LLONG_MAX - now + 500) / 1000);
}
END_TEST

/* ------------------------------------------------------------ LRU / LFU */

START_TEST(test_lru_elapsed_wraps) {
    ck_assert_uint_eq(db_lru_elapsed(100, 40), 60);
    ck_assert_uint_eq(db_lru_elapsed(100, 100), 0);
    /* the 24-bit clock wrapped since the last access */
    ck_assert_uint_eq(db_lru_elapsed(10, DB_LRU_CLOCK_MAX - 5), 15);
    ck_assert_uint_eq(DB_LRU_CLOCK_MAX, (1U << 24) - 1);
}
END_TEST

START_TEST(test_lfu_minutes_and_decay) {
    ck_assert_uint_eq(db_lfu_minutes_elapsed(30, 10), 20);
    ck_assert_uint_eq(db_lfu_minutes_elapsed(3, DB_LFU_MINUTES_MAX - 2), 5);
    /* one decrement per decay_time minutes */
    ck_assert_uint_eq(db_lfu_decay(10, 0, 1), 10);
    ck_assert_uint_eq(db_lfu_decay(10, 3, 1), 7);
    ck_assert_uint_eq(db_lfu_decay(10, 5, 2), 8);
    ck_assert_uint_eq(db_lfu_decay(10, 1, 2), 10);
    ck_assert_uint_eq(db_lfu_decay(10, 50, 1), 0);  /* floors at 0 */
    ck_assert_uint_eq(db_lfu_decay(10, 10, 1), 0);
    ck_assert_uint_eq(db_lfu_decay(10, 500, 0), 10); /* decay-time 0: never */
}
END_TEST

START_TEST(test_lfu_log_incr_edges) {
    /* at or below the initial value every hit counts */
    ck_assert_uint_eq(db_lfu_log_incr(0, 10, 0.999), 1);
    ck_assert_uint_eq(db_lfu_log_incr(DB_LFU_INIT_VAL, 10, 0.999), DB_LFU_INIT_VAL + 1);
    /* 10 above it with factor 10: p = 1/101 */
    ck_assert_uint_eq(db_lfu_log_incr(15, 10, 0.0098), 16);
    ck_assert_uint_eq(db_lfu_log_incr(15, 10, 0.0100), 15);
    /* factor 0: always */
    ck_assert_uint_eq(db_lfu_log_incr(200, 0, 0.999), 201);
    /* saturates */
    ck_assert_uint_eq(db_lfu_log_incr(255, 0, 0.0), 255);
}
END_TEST

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static double rnd01(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / (double)(1ULL << 53);
}

static unsigned int hits(unsigned long n, int factor) {
    unsigned int c = DB_LFU_INIT_VAL;
    for (unsigned long i = 0; i < n; i++) c = db_lfu_log_incr(c, factor, rnd01());
    return c;
}

/* Redis documents (redis.conf, lfu-log-factor 10): ~100 hits -> 10,
 * 1K -> 18, 100K -> 142, 1M -> 255. */
START_TEST(test_lfu_log_growth) {
    unsigned int c100 = hits(100, 10), c1k = hits(1000, 10), c100k = hits(100000, 10), c1m = hits(1000000, 10);
    ck_assert_msg(c100 >= 8 && c100 <= 14, "100 hits -> %u", c100);
    ck_assert_msg(c1k >= 15 && c1k <= 22, "1K hits -> %u", c1k);
    ck_assert_msg(c100k >= 125 && c100k <= 160, "100K hits -> %u", c100k);
    ck_assert_msg(c1m >= 240, "1M hits -> %u", c1m);
    /* factor 1 climbs much faster */
    ck_assert_msg(hits(10000, 1) >= 130, "factor 1");
}
END_TEST

static Suite *expire_suite(void) {
    Suite *s = suite_create("expire");
    TCase *tc = tcase_create("expire");
    tcase_add_test(tc, test_when_relative_and_absolute);
    tcase_add_test(tc, test_when_overflow);
    tcase_add_test(tc, test_flags_matrix);
    tcase_add_test(tc, test_ttl_values);
    suite_add_tcase(s, tc);
    tc = tcase_create("access");
    tcase_add_test(tc, test_lru_elapsed_wraps);
    tcase_add_test(tc, test_lfu_minutes_and_decay);
    tcase_add_test(tc, test_lfu_log_incr_edges);
    tcase_add_test(tc, test_lfu_log_growth);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(expire_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
