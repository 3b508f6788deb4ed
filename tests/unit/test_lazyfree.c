/* test_lazyfree.c -- Check tests for lazyfree.c: the background thread
 * frees big string buffers (and only those), and detached dicts are freed
 * a slice at a time on the calling thread, each entry exactly once.
 *
 * Every test ends with zmalloc's byte count back where it started, so a
 * buffer lost or freed twice fails here even without ASan. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "lazyfree.h"
#include "monotonic.h"
#include "object.h"
#include "sds.h"
#include "zmalloc.h"

/* object.o calls into the collection types' files (server layer); these
 * tests only make strings, so the per-type hooks are never reached. */
void list_free_value(robj *o) { (void)o; ck_abort_msg("list_free_value called"); }
void hash_free_value(robj *o) { (void)o; ck_abort_msg("hash_free_value called"); }
void set_free_value(robj *o) { (void)o; ck_abort_msg("set_free_value called"); }
void zset_free_value(robj *o) { (void)o; ck_abort_msg("zset_free_value called"); }
void stream_free_value(robj *o) { (void)o; ck_abort_msg("stream_free_value called"); }
robj *list_dup(const robj *o) { (void)o; return NULL; }
robj *hash_dup(const robj *o) { (void)o; return NULL; }
robj *set_dup(const robj *o) { (void)o; return NULL; }
robj *zset_dup(const robj *o) { (void)o; return NULL; }
robj *stream_dup(const robj *o) { (void)o; return NULL; }
/* The module keeps its queue arrays between calls: memory may stay above
 * the starting point by this much, far less than one freed payload. */
#define BOOKKEEPING_BYTES (16 * 1024)
#define ck_assert_memory_back(before) \
    ck_assert_uint_le(zmalloc_used_memory(), (before) + BOOKKEEPING_BYTES)

static robj *big_string(size_t len) {
    sds s = sds_new_len(NULL, len);
    memset(s, 'x', len);
    return obj_create_raw_string(s);
}

START_TEST(test_big_string_freed_in_background) {
    size_t before = zmalloc_used_memory();
    unsigned long long freed = lazyfree_freed_objects();
    lazyfree_free_object(big_string(LAZYFREE_MIN_BYTES * 4));
    lazyfree_drain();
    ck_assert_uint_eq(lazyfree_freed_objects(), freed + 1);
    ck_assert_uint_eq(lazyfree_pending_objects(), 0);
    ck_assert_memory_back(before);
}
END_TEST

START_TEST(test_small_values_freed_inline) {
    size_t before = zmalloc_used_memory();
    unsigned long long freed = lazyfree_freed_objects();
    lazyfree_free_object(big_string(LAZYFREE_MIN_BYTES / 2));
    lazyfree_free_object(obj_create_string("hello", 5));
    lazyfree_free_object(obj_create_string_from_ll(12345678));
    lazyfree_free_object(obj_create_string_from_ll(7)); /* shared: never freed */
    lazyfree_drain();
    ck_assert_uint_eq(lazyfree_freed_objects(), freed);
    ck_assert_memory_back(before);
}
END_TEST

START_TEST(test_shared_reference_only_decremented) {
    size_t before = zmalloc_used_memory();
    robj *o = big_string(LAZYFREE_MIN_BYTES * 2);
    obj_incr_refcount(o);
    lazyfree_free_object(o);
    lazyfree_drain();
    /* Still ours: readable and whole. */
    ck_assert_int_eq(o->refcount, 1);
    ck_assert_uint_eq(sds_len(o->ptr), LAZYFREE_MIN_BYTES * 2);
    ck_assert_int_eq(((char *)o->ptr)[LAZYFREE_MIN_BYTES], 'x');
    lazyfree_free_object(o);
    lazyfree_drain();
    ck_assert_memory_back(before);
}
END_TEST

START_TEST(test_many_big_strings) {
    size_t before = zmalloc_used_memory();
    unsigned long long freed = lazyfree_freed_objects();
    for (int i = 0; i < 500; i++) lazyfree_free_object(big_string(LAZYFREE_MIN_BYTES + (size_t)i * 100));
    lazyfree_drain();
    ck_assert_uint_eq(lazyfree_freed_objects(), freed + 500);
    ck_assert_uint_eq(lazyfree_pending_objects(), 0);
    ck_assert_memory_back(before);
}
END_TEST

/* ------------------------------------------------------------ dicts */

static long destroyed;

static uint64_t int_hash(const void *key) {
    uintptr_t k = (uintptr_t)key;
    return dict_gen_hash_function(&k, sizeof(k));
}

static void count_val_free(dict *d, void *val) {
    (void)d;
    destroyed++;
    zfree(val);
}

static dict_type int_type = {.hash = int_hash, .val_destructor = count_val_free};

static dict *filled_dict(long n) {
    dict *d = dict_create(&int_type);
    for (long i = 1; i <= n; i++) dict_add(d, (void *)(uintptr_t)i, zmalloc(16));
    while (dict_rehash(d, 1000)) {
    }
    return d;
}

START_TEST(test_dict_freed_in_slices) {
    const long n = 200000;
    size_t before = zmalloc_used_memory();
    destroyed = 0;
    lazyfree_release_dict(filled_dict(n));
    ck_assert_uint_eq(lazyfree_pending_objects(), (unsigned long)n);
    /* A zero budget still makes progress, but only one batch of buckets. */
    ck_assert_int_eq(lazyfree_dict_step(0), 1);
    ck_assert_msg(destroyed > 0 && destroyed < n, "destroyed %ld", destroyed);
    ck_assert_uint_eq(lazyfree_pending_objects(), (unsigned long)(n - destroyed));
    int steps = 1;
    while (lazyfree_dict_step(0)) steps++;
    ck_assert(steps > 10);
    ck_assert_int_eq(destroyed, n);
    ck_assert_uint_eq(lazyfree_pending_objects(), 0);
    ck_assert_memory_back(before);
}
END_TEST

START_TEST(test_dicts_freed_in_order_within_budget) {
    size_t before = zmalloc_used_memory();
    destroyed = 0;
    lazyfree_release_dict(filled_dict(1000));
    lazyfree_release_dict(dict_create(&int_type)); /* empty */
    lazyfree_release_dict(filled_dict(3000));
    ck_assert_uint_eq(lazyfree_pending_objects(), 4000);
    /* A generous budget finishes everything in one call. */
    ck_assert_int_eq(lazyfree_dict_step(10 * 1000 * 1000), 0);
    ck_assert_int_eq(destroyed, 4000);
    ck_assert_int_eq(lazyfree_dict_step(1000), 0); /* nothing left: a no-op */
    ck_assert_memory_back(before);
}
END_TEST

START_TEST(test_dict_while_rehashing) {
    size_t before = zmalloc_used_memory();
    destroyed = 0;
    dict *d = filled_dict(5000);
    dict_expand(d, 1 << 16); /* two live tables */
    dict_rehash(d, 10);
    ck_assert(dict_is_rehashing(d));
    lazyfree_release_dict(d);
    while (lazyfree_dict_step(0)) {
    }
    ck_assert_int_eq(destroyed, 5000);
    ck_assert_memory_back(before);
}
END_TEST

static Suite *lazyfree_suite(void) {
    Suite *s = suite_create("lazyfree");
    TCase *tc = tcase_create("background");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_big_string_freed_in_background);
    tcase_add_test(tc, test_small_values_freed_inline);
    tcase_add_test(tc, test_shared_reference_only_decremented);
    tcase_add_test(tc, test_many_big_strings);
    suite_add_tcase(s, tc);
    tc = tcase_create("dicts");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_dict_freed_in_slices);
    tcase_add_test(tc, test_dicts_freed_in_order_within_budget);
    tcase_add_test(tc, test_dict_while_rehashing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    mono_init();
    SRunner *sr = srunner_create(lazyfree_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
