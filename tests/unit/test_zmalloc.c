/* test_zmalloc.c -- Check suite for the zmalloc accounting: the used-memory
 * counter must rise by exactly the usable size of each block and fall back
 * to its starting value once everything is freed, through realloc too. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "zmalloc.h"

START_TEST(test_malloc_free_balance) {
    size_t start = zmalloc_used_memory();
    void *p = zmalloc(100);
    size_t usable = zmalloc_size(p);
    ck_assert_uint_ge(usable, 100);
    ck_assert_uint_eq(zmalloc_used_memory(), start + usable);
    memset(p, 0xab, usable); /* the whole usable size is ours */
    void *q = zcalloc(5000);
    ck_assert_uint_eq(zmalloc_used_memory(), start + usable + zmalloc_size(q));
    for (size_t i = 0; i < 5000; i++)
        if (((unsigned char *)q)[i] != 0) ck_abort_msg("zcalloc byte %zu not zero", i);
    zfree(p);
    ck_assert_uint_eq(zmalloc_used_memory(), start + zmalloc_size(q));
    zfree(q);
    ck_assert_uint_eq(zmalloc_used_memory(), start);
    zfree(NULL);
    ck_assert_uint_eq(zmalloc_used_memory(), start);
}
END_TEST

START_TEST(test_zero_size) {
    size_t start = zmalloc_used_memory();
    void *p = zmalloc(0); /* must be a real, freeable block */
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_gt(zmalloc_used_memory(), start);
    zfree(p);
    ck_assert_uint_eq(zmalloc_used_memory(), start);
}
END_TEST

START_TEST(test_realloc_accounting) {
    size_t start = zmalloc_used_memory();
    char *p = zrealloc(NULL, 10); /* NULL acts as zmalloc */
    ck_assert_uint_eq(zmalloc_used_memory(), start + zmalloc_size(p));
    memcpy(p, "abcdefghi", 10);
    size_t sizes[] = {64, 4096, 1 << 20, 7, 300000, 16};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        p = zrealloc(p, sizes[i]);
        ck_assert_uint_ge(zmalloc_size(p), sizes[i]);
        ck_assert_uint_eq(zmalloc_used_memory(), start + zmalloc_size(p));
        ck_assert_mem_eq(p, "abcdefg", 7); /* contents survive every move */
    }
    zfree(p);
    ck_assert_uint_eq(zmalloc_used_memory(), start);
}
END_TEST

START_TEST(test_zstrdup) {
    size_t start = zmalloc_used_memory();
    const char *src = "hello zmalloc";
    char *d = zstrdup(src);
    ck_assert_ptr_ne(d, src);
    ck_assert_str_eq(d, src);
    ck_assert_uint_ge(zmalloc_size(d), strlen(src) + 1);
    ck_assert_uint_eq(zmalloc_used_memory(), start + zmalloc_size(d));
    zfree(d);
    char *e = zstrdup("");
    ck_assert_str_eq(e, "");
    zfree(e);
    ck_assert_uint_eq(zmalloc_used_memory(), start);
}
END_TEST

START_TEST(test_many_blocks_return_to_start) {
    enum { BLOCKS = 1000 };
    size_t start = zmalloc_used_memory();
    void *blocks[BLOCKS];
    size_t expected = 0;
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = zmalloc((size_t)(i * 37 % 2000));
        expected += zmalloc_size(blocks[i]);
    }
    ck_assert_uint_eq(zmalloc_used_memory(), start + expected);
    for (int i = 0; i < BLOCKS; i += 2) blocks[i] = zrealloc(blocks[i], 3000);
    for (int i = BLOCKS - 1; i >= 0; i--) zfree(blocks[i]);
    ck_assert_uint_eq(zmalloc_used_memory(), start);
}
END_TEST

START_TEST(test_rss_reported) {
    /* /proc is there on Linux, the only platform CI runs. */
    ck_assert_uint_gt(zmalloc_get_rss(), 0);
}
END_TEST


/* Small blocks come from size-class slabs (unless built without them):
 * every size from 1 to 600 gets a block at least that big, writable in
 * full, and accounting returns to the start. */
START_TEST(test_small_sizes_every_class) {
    size_t start = zmalloc_used_memory();
    enum { MAXSZ = 600 };
    unsigned char *blocks[MAXSZ + 1];
    for (size_t sz = 1; sz <= MAXSZ; sz++) {
        blocks[sz] = zmalloc(sz);
        ck_assert_uint_ge(zmalloc_size(blocks[sz]), sz);
        memset(blocks[sz], (int)(sz & 0xff), zmalloc_size(blocks[sz]));
    }
    /* No block overlaps another: each still holds its own pattern. */
    for (size_t sz = 1; sz <= MAXSZ; sz++)
        for (size_t i = 0; i < zmalloc_size(blocks[sz]); i++)
            if (blocks[sz][i] != (unsigned char)(sz & 0xff)) ck_abort_msg("block %zu byte %zu overwritten", sz, i);
    for (size_t sz = 1; sz <= MAXSZ; sz++) zfree(blocks[sz]);
    ck_assert_uint_eq(zmalloc_used_memory(), start);
}
END_TEST

/* A freed small block is reused for the next request of its class, so a
 * steady workload does not grow. */
START_TEST(test_small_block_reuse) {
    size_t start = zmalloc_used_memory();
    void *a = zmalloc(24);
    zfree(a);
    void *b = zmalloc(20);
#ifndef ZMALLOC_NO_SLAB
    ck_assert_ptr_eq(a, b);
    ck_assert_uint_eq(zmalloc_size(b), 24);
#endif
    zfree(b);
    ck_assert_uint_eq(zmalloc_used_memory(), start);
}
END_TEST

/* realloc within a class keeps the block; across classes and out to the
 * heap and back, contents survive. */
START_TEST(test_small_realloc_moves) {
    size_t start = zmalloc_used_memory();
    char *p = zmalloc(10);
    memcpy(p, "0123456789", 10);
    char *q = zrealloc(p, 12);
#ifndef ZMALLOC_NO_SLAB
    ck_assert_ptr_eq(p, q); /* 10 and 12 share the 16-byte class */
#endif
    size_t sizes[] = {100, 500, 2000, 40, 9};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        q = zrealloc(q, sizes[i]);
        ck_assert_mem_eq(q, "012345678", 9);
        ck_assert_uint_eq(zmalloc_used_memory(), start + zmalloc_size(q));
    }
    zfree(q);
    q = zcalloc(300);
    for (int i = 0; i < 300; i++) ck_assert_int_eq(q[i], 0);
    zfree(q);
    ck_assert_uint_eq(zmalloc_used_memory(), start);
}
END_TEST

int main(void) {
    Suite *s = suite_create("zmalloc");
    TCase *tc = tcase_create("accounting");
    tcase_add_test(tc, test_malloc_free_balance);
    tcase_add_test(tc, test_zero_size);
    tcase_add_test(tc, test_realloc_accounting);
    tcase_add_test(tc, test_zstrdup);
    tcase_add_test(tc, test_many_blocks_return_to_start);
    tcase_add_test(tc, test_rss_reported);
    tcase_add_test(tc, test_small_sizes_every_class);
    tcase_add_test(tc, test_small_block_reuse);
    tcase_add_test(tc, test_small_realloc_moves);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
