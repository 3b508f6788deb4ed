/* test_vclock.c -- Check tests for the virtual clock's pure arithmetic
 * (vclock.c): the real clock passes through until the clock is moved;
 * FREEZE holds, RESUME runs on without a jump, ADVANCE and SET only move
 * forward, and a refused change leaves the state as it was. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vclock.h"

#define REAL0 1700000000000000LL /* a real time, in us */

START_TEST(test_untouched_is_real) {
    struct vclock_state st = {0};
    ck_assert_int_eq(vclock_at(&st, REAL0), REAL0);
    ck_assert_int_eq(vclock_at(&st, REAL0 + 5), REAL0 + 5);
}
END_TEST

START_TEST(test_freeze_and_resume) {
    struct vclock_state st = {0};
    ck_assert_int_eq(vclock_apply_freeze(&st, REAL0), VCLOCK_OK);
    ck_assert_int_eq(vclock_at(&st, REAL0 + 7000), REAL0);
    /* a second FREEZE keeps the time it stands at */
    ck_assert_int_eq(vclock_apply_freeze(&st, REAL0 + 9000), VCLOCK_OK);
    ck_assert_int_eq(vclock_at(&st, REAL0 + 9000), REAL0);
    /* RESUME runs on from the frozen time: no jump to real time */
    ck_assert_int_eq(vclock_apply_resume(&st, REAL0 + 10000), VCLOCK_OK);
    ck_assert_int_eq(vclock_at(&st, REAL0 + 10000), REAL0);
    ck_assert_int_eq(vclock_at(&st, REAL0 + 10500), REAL0 + 500);
    /* RESUME of a running clock changes nothing */
    ck_assert_int_eq(vclock_apply_resume(&st, REAL0 + 20000), VCLOCK_OK);
    ck_assert_int_eq(vclock_at(&st, REAL0 + 20000), REAL0 + 10000);
}
END_TEST

START_TEST(test_advance) {
    struct vclock_state st = {0};
    /* running: the offset moves, the clock keeps running */
    ck_assert_int_eq(vclock_apply_advance(&st, REAL0, 3600000), VCLOCK_OK);
    ck_assert_int_eq(vclock_at(&st, REAL0), REAL0 + 3600000000LL);
    ck_assert_int_eq(vclock_at(&st, REAL0 + 1), REAL0 + 3600000001LL);
    /* frozen: stays frozen at the advanced time */
    vclock_apply_freeze(&st, REAL0 + 1000);
    ck_assert_int_eq(vclock_apply_advance(&st, REAL0 + 2000, 5), VCLOCK_OK);
    ck_assert_int_eq(vclock_at(&st, REAL0 + 99999), REAL0 + 3600001000LL + 5000);
    ck_assert_int_eq(vclock_apply_advance(&st, REAL0, 0), VCLOCK_OK);
    ck_assert_int_eq(vclock_at(&st, REAL0), REAL0 + 3600006000LL);
}
END_TEST

START_TEST(test_refusals_leave_state) {
    struct vclock_state st = {0};
    vclock_apply_freeze(&st, REAL0);
    struct vclock_state before = st;
    ck_assert_int_eq(vclock_apply_advance(&st, REAL0, -1), VCLOCK_NEGATIVE);
    ck_assert_int_eq(vclock_apply_advance(&st, REAL0, VCLOCK_MAX_MS + 1), VCLOCK_OVERFLOW);
    ck_assert_int_eq(vclock_apply_advance(&st, REAL0, VCLOCK_MAX_MS), VCLOCK_OVERFLOW); /* now + max */
    ck_assert_int_eq(vclock_apply_set(&st, REAL0, -1), VCLOCK_NEGATIVE);
    ck_assert_int_eq(vclock_apply_set(&st, REAL0, REAL0 / 1000 - 1), VCLOCK_BACKWARDS);
    ck_assert_int_eq(vclock_apply_set(&st, REAL0, VCLOCK_MAX_MS + 1), VCLOCK_OVERFLOW);
    ck_assert_mem_eq(&st, &before, sizeof(st));
    /* a refused SET on a running clock does not freeze it either */
    struct vclock_state run = {0};
    ck_assert_int_eq(vclock_apply_set(&run, REAL0, 1), VCLOCK_BACKWARDS);
    ck_assert_int_eq(run.frozen, 0);
    ck_assert_int_eq(vclock_at(&run, REAL0 + 3), REAL0 + 3);
}
END_TEST

START_TEST(test_set) {
    struct vclock_state st = {0};
    /* SET freezes at the time given (whole ms) */
    ck_assert_int_eq(vclock_apply_set(&st, REAL0, REAL0 / 1000 + 60000), VCLOCK_OK);
    ck_assert_int_eq(st.frozen, 1);
    ck_assert_int_eq(vclock_at(&st, REAL0 + 123456), REAL0 + 60000000LL);
    /* the same time again is allowed (not backwards) */
    ck_assert_int_eq(vclock_apply_set(&st, REAL0, REAL0 / 1000 + 60000), VCLOCK_OK);
    ck_assert_int_eq(vclock_apply_set(&st, REAL0, VCLOCK_MAX_MS), VCLOCK_OK);
    ck_assert_int_eq(vclock_at(&st, 0), VCLOCK_MAX_MS * 1000);
}
END_TEST

static Suite *vclock_suite(void) {
    Suite *s = suite_create("vclock");
    TCase *tc = tcase_create("arith");
    tcase_add_test(tc, test_untouched_is_real);
    tcase_add_test(tc, test_freeze_and_resume);
    tcase_add_test(tc, test_advance);
    tcase_add_test(tc, test_refusals_leave_state);
    tcase_add_test(tc, test_set);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(vclock_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
