/* test_dict.c -- Check tests for dict.c and siphash.c.
 *
 * Two dict types: string keys (strcmp, zstrdup'ed key, zfree'd value) to
 * exercise the dup/destructor paths, and integer keys stored in the key
 * pointer for bulk tests. Every test that allocates ends by checking that
 * zmalloc's byte count is back where it started, so leaks fail here even
 * without ASan. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "sds.h"
#include "siphash.h"
#include "zmalloc.h"

/* ------------------------------------------------------------ helpers */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static void rng_seed(uint64_t s) {
    rng_state = s ? s : 1;
}

static uint64_t rng_next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t str_hash(const void *key) {
    return dict_gen_hash_function(key, strlen(key));
}

static void *str_dup(dict *d, const void *key) {
    (void)d;
    return zstrdup(key);
}

static int str_compare(dict *d, const void *a, const void *b) {
    (void)d;
    return strcmp(a, b) == 0;
}

static void str_free(dict *d, void *p) {
    (void)d;
    zfree(p);
}

static dict_type str_type = {
    .hash = str_hash,
    .key_dup = str_dup,
    .key_compare = str_compare,
    .key_destructor = str_free,
    .val_destructor = str_free,
};

static uint64_t int_hash(const void *key) {
    uintptr_t k = (uintptr_t)key;
    return dict_gen_hash_function(&k, sizeof(k));
}

static dict_type int_type = {.hash = int_hash};

#define IKEY(n) ((void *)(uintptr_t)(n))

static void fill_int(dict *d, unsigned long from, unsigned long to) {
    for (unsigned long k = from; k < to; k++) ck_assert_int_eq(dict_add(d, IKEY(k), NULL), DICT_OK);
}

/* Runs rehash to completion and returns how many calls it took. */
static int finish_rehash(dict *d) {
    int calls = 0;
    while (dict_rehash(d, 100)) calls++;
    return calls;
}

static int is_power_of_two(unsigned long n) {
    return n && (n & (n - 1)) == 0;
}

static size_t mem_start;

static void leak_setup(void) {
    mem_start = zmalloc_used_memory();
}

static void leak_teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_start);
}

/* ---------------------------------------------------- basic operations */

START_TEST(test_add_find_replace_delete) {
    dict *d = dict_create(&str_type);
    ck_assert_uint_eq(dict_size(d), 0);
    ck_assert_ptr_null(dict_find(d, "a"));

    ck_assert_int_eq(dict_add(d, "a", zstrdup("1")), DICT_OK);
    ck_assert_int_eq(dict_add(d, "b", zstrdup("2")), DICT_OK);
    char *dup = zstrdup("x");
    ck_assert_int_eq(dict_add(d, "a", dup), DICT_ERR);
    zfree(dup); /* refused: still ours */
    ck_assert_uint_eq(dict_size(d), 2);

    /* The key was dup'ed: a different buffer with the same text finds it. */
    char probe[] = "a";
    dict_entry *de = dict_find(d, probe);
    ck_assert_ptr_nonnull(de);
    ck_assert_ptr_ne(dict_get_key(de), probe);
    ck_assert_str_eq(dict_get_val(de), "1");
    ck_assert_str_eq(dict_fetch_value(d, "b"), "2");
    ck_assert_ptr_null(dict_fetch_value(d, "c"));

    ck_assert_int_eq(dict_replace(d, "a", zstrdup("one")), 0);
    ck_assert_str_eq(dict_fetch_value(d, "a"), "one");
    ck_assert_int_eq(dict_replace(d, "c", zstrdup("3")), 1);
    ck_assert_uint_eq(dict_size(d), 3);

    ck_assert_int_eq(dict_delete(d, "b"), DICT_OK);
    ck_assert_int_eq(dict_delete(d, "b"), DICT_ERR);
    ck_assert_ptr_null(dict_find(d, "b"));
    ck_assert_uint_eq(dict_size(d), 2);
    dict_release(d);
}
END_TEST

START_TEST(test_add_raw_add_or_find_unlink) {
    dict *d = dict_create(&str_type);
    dict_entry *existing = (dict_entry *)1;
    dict_entry *de = dict_add_raw(d, "k", &existing);
    ck_assert_ptr_nonnull(de);
    ck_assert_ptr_null(existing);
    ck_assert_ptr_null(dict_get_val(de)); /* raw add leaves no value */
    dict_set_val(d, de, zstrdup("v"));

    ck_assert_ptr_null(dict_add_raw(d, "k", &existing));
    ck_assert_ptr_eq(existing, de);
    ck_assert_ptr_eq(dict_add_or_find(d, "k"), de);
    dict_entry *fresh = dict_add_or_find(d, "new");
    ck_assert_ptr_ne(fresh, de);
    ck_assert_uint_eq(dict_size(d), 2);
    dict_set_val(d, fresh, zstrdup("n"));

    dict_entry *gone = dict_unlink(d, "k");
    ck_assert_ptr_eq(gone, de);
    ck_assert_str_eq(dict_get_key(gone), "k"); /* still intact */
    ck_assert_str_eq(dict_get_val(gone), "v");
    ck_assert_ptr_null(dict_find(d, "k"));
    ck_assert_uint_eq(dict_size(d), 1);
    dict_free_unlinked_entry(d, gone);
    dict_free_unlinked_entry(d, NULL);
    ck_assert_ptr_null(dict_unlink(d, "k"));
    dict_release(d);
}
END_TEST

START_TEST(test_numeric_values) {
    dict *d = dict_create(&int_type);
    dict_entry *a = dict_add_raw(d, IKEY(1), NULL);
    dict_entry *b = dict_add_raw(d, IKEY(2), NULL);
    dict_entry *c = dict_add_raw(d, IKEY(3), NULL);
    dict_set_signed_int_val(a, -42);
    dict_set_unsigned_int_val(b, UINT64_MAX);
    dict_set_double_val(c, 2.5);
    ck_assert_int_eq(dict_get_signed_int_val(dict_find(d, IKEY(1))), -42);
    ck_assert_uint_eq(dict_get_unsigned_int_val(dict_find(d, IKEY(2))), UINT64_MAX);
    ck_assert_double_eq(dict_get_double_val(dict_find(d, IKEY(3))), 2.5);
    ck_assert_uint_eq(sizeof(dict_entry), 3 * sizeof(void *));
    dict_release(d);
}
END_TEST

START_TEST(test_many_string_keys) {
    enum { N = 5000 };
    char buf[32];
    dict *d = dict_create(&str_type);
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof(buf), "key:%d", i);
        snprintf(buf + 16, 16, "%d", i);
        ck_assert_int_eq(dict_add(d, buf, zstrdup(buf + 16)), DICT_OK);
    }
    ck_assert_uint_eq(dict_size(d), N);
    for (int i = 0; i < N; i += 2) {
        snprintf(buf, sizeof(buf), "key:%d", i);
        ck_assert_int_eq(dict_delete(d, buf), DICT_OK);
    }
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof(buf), "key:%d", i);
        char *v = dict_fetch_value(d, buf);
        if (i % 2) {
            ck_assert_ptr_nonnull(v);
            ck_assert_int_eq(atoi(v), i);
        } else {
            ck_assert_ptr_null(v);
        }
    }
    ck_assert_uint_eq(dict_size(d), N / 2);
    dict_release(d);
}
END_TEST

/* ------------------------------------------------------ grow / shrink */

START_TEST(test_growth_and_rehash_through_operations) {
    dict *d = dict_create(&int_type);
    ck_assert_uint_eq(dict_slots(d), 0);
    dict_add(d, IKEY(0), NULL);
    ck_assert_uint_eq(dict_slots(d), 4); /* initial table */

    int saw_rehash = 0;
    for (unsigned long k = 1; k < 3000; k++) {
        ck_assert_int_eq(dict_add(d, IKEY(k), NULL), DICT_OK);
        ck_assert(is_power_of_two(DICT_HT_SIZE(d->ht_size_exp[0])));
        if (dict_is_rehashing(d)) {
            saw_rehash = 1;
            ck_assert(is_power_of_two(DICT_HT_SIZE(d->ht_size_exp[1])));
            /* No second expansion while one is in progress. */
            ck_assert_int_eq(dict_expand(d, 1UL << 20), DICT_ERR);
        } else {
            ck_assert_uint_le(dict_size(d), dict_slots(d));
        }
    }
    ck_assert(saw_rehash);

    /* Force a fresh expansion, then let lookups finish it. */
    finish_rehash(d);
    ck_assert_int_eq(dict_expand(d, 100000), DICT_OK);
    ck_assert(dict_is_rehashing(d));
    ck_assert_uint_eq(DICT_HT_SIZE(d->ht_size_exp[1]), 131072);
    int lookups = 0;
    while (dict_is_rehashing(d)) {
        ck_assert_ptr_nonnull(dict_find(d, IKEY(lookups % 3000)));
        lookups++;
        ck_assert_int_lt(lookups, 100000);
    }
    ck_assert_int_ge(lookups, 100); /* incremental: more than one call */
    ck_assert_uint_eq(dict_slots(d), 131072);
    ck_assert_ptr_null(d->ht_table[1]);
    ck_assert_int_eq(d->ht_size_exp[1], -1);
    for (unsigned long k = 0; k < 3000; k++) ck_assert_ptr_nonnull(dict_find(d, IKEY(k)));
    dict_release(d);
}
END_TEST

START_TEST(test_rehash_step_bounds_empty_visits) {
    dict *d = dict_create(&int_type);
    fill_int(d, 0, 1000);
    finish_rehash(d);
    ck_assert_uint_eq(dict_slots(d), 1024);
    /* Keep only keys living in the last quarter of the table, so the first
     * 768 buckets are empty when the shrink starts. */
    unsigned long kept = 0;
    for (unsigned long k = 0; k < 1000; k++) {
        if ((int_hash(IKEY(k)) & 1023) < 768) dict_delete(d, IKEY(k));
        else kept++;
    }
    ck_assert(!dict_is_rehashing(d));
    ck_assert_int_eq(dict_resize(d), DICT_OK);
    ck_assert(dict_is_rehashing(d));
    /* One step visits at most 10 empty buckets and moves nothing here. */
    ck_assert_int_eq(dict_rehash(d, 1), 1);
    ck_assert_int_eq(d->rehashidx, 10);
    ck_assert_uint_eq(d->ht_used[0], kept);
    ck_assert_int_eq(dict_rehash(d, 3), 1);
    ck_assert_int_eq(d->rehashidx, 40);
    finish_rehash(d);
    ck_assert_uint_eq(dict_size(d), kept);
    dict_release(d);
}
END_TEST

START_TEST(test_explicit_rehash) {
    dict *d = dict_create(&int_type);
    fill_int(d, 0, 1000);
    finish_rehash(d);
    ck_assert_int_eq(dict_expand(d, 10), DICT_ERR); /* smaller than count */
    ck_assert_int_eq(dict_expand(d, 70000), DICT_OK);
    ck_assert_int_eq(dict_try_expand(d, 200000), DICT_ERR); /* rehashing */
    ck_assert_int_eq(dict_rehash(d, 1), 1);
    ck_assert_int_gt(dict_rehash_ms(d, 1000), 0);
    ck_assert(!dict_is_rehashing(d));
    ck_assert_int_eq(dict_rehash(d, 1), 0);
    ck_assert_uint_eq(dict_slots(d), 131072);
    ck_assert_int_eq(dict_try_expand(d, 300000), DICT_OK);
    ck_assert(dict_is_rehashing(d));
    ck_assert_int_eq(finish_rehash(d) > 0, 1);
    ck_assert_uint_eq(dict_slots(d), 524288);
    for (unsigned long k = 0; k < 1000; k++) ck_assert_ptr_nonnull(dict_find(d, IKEY(k)));
    dict_release(d);
}
END_TEST

START_TEST(test_resize_shrinks) {
    dict *d = dict_create(&int_type);
    fill_int(d, 0, 1000);
    finish_rehash(d);
    ck_assert_uint_eq(dict_slots(d), 1024);
    for (unsigned long k = 10; k < 1000; k++) ck_assert_int_eq(dict_delete(d, IKEY(k)), DICT_OK);
    ck_assert_int_eq(dict_resize(d), DICT_OK);
    ck_assert(dict_is_rehashing(d));
    ck_assert_int_eq(dict_resize(d), DICT_ERR); /* already rehashing */
    finish_rehash(d);
    ck_assert_uint_eq(dict_slots(d), 16); /* smallest power of two >= 10 */
    for (unsigned long k = 0; k < 10; k++) ck_assert_ptr_nonnull(dict_find(d, IKEY(k)));

    for (unsigned long k = 2; k < 10; k++) dict_delete(d, IKEY(k));
    ck_assert_int_eq(dict_resize(d), DICT_OK);
    finish_rehash(d);
    ck_assert_uint_eq(dict_slots(d), 4); /* never below the minimum */
    ck_assert_int_eq(dict_resize(d), DICT_ERR); /* nothing to do */
    ck_assert_uint_eq(dict_size(d), 2);
    dict_release(d);
}
END_TEST

START_TEST(test_resize_disabled_force_ratio) {
    dict *d = dict_create(&int_type);
    dict_set_resize_enabled(0);
    fill_int(d, 0, 24);
    ck_assert(!dict_is_rehashing(d));
    ck_assert_uint_eq(dict_slots(d), 4); /* ratio 6 not yet exceeded */
    fill_int(d, 24, 25);
    ck_assert(dict_is_rehashing(d)); /* 24/4 > 5: forced */
    finish_rehash(d);
    ck_assert_uint_eq(dict_slots(d), 32);
    for (unsigned long k = 0; k < 20; k++) ck_assert_int_eq(dict_delete(d, IKEY(k)), DICT_OK);
    ck_assert_int_eq(dict_resize(d), DICT_ERR); /* disabled */
    dict_set_resize_enabled(1);
    ck_assert_int_eq(dict_resize(d), DICT_OK);
    finish_rehash(d);
    ck_assert_uint_eq(dict_slots(d), 8); /* 5 elements need 8 */
    ck_assert_int_eq(dict_resize(d), DICT_ERR); /* same size: refused */
    dict_release(d);
}
END_TEST

static size_t refused_moremem;
static double refused_ratio;
static int refuse_calls;

static int refuse_expand(size_t moremem, double usedratio) {
    if (refuse_calls++ == 0) {
        refused_moremem = moremem;
        refused_ratio = usedratio;
    }
    return 0;
}

START_TEST(test_expand_allowed_callback) {
    dict_type t = int_type;
    t.expand_allowed = refuse_expand;
    refuse_calls = 0;
    dict *d = dict_create(&t);
    fill_int(d, 0, 50);
    ck_assert_uint_eq(dict_slots(d), 4);
    ck_assert(!dict_is_rehashing(d));
    ck_assert_int_gt(refuse_calls, 0);
    ck_assert_uint_eq(refused_moremem, 8 * sizeof(dict_entry *)); /* asked for 8 */
    ck_assert_double_eq(refused_ratio, 1.0);
    for (unsigned long k = 0; k < 50; k++) ck_assert_ptr_nonnull(dict_find(d, IKEY(k)));
    dict_release(d);
}
END_TEST

/* ---------------------------------------------------------- iterators */

START_TEST(test_safe_iterator_deletes_everything) {
    enum { N = 2000 };
    char buf[32];
    dict *d = dict_create(&str_type);
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof(buf), "k%d", i);
        dict_add(d, buf, zstrdup("v"));
    }
    dict_expand(d, 10000); /* start mid-rehash: both tables populated */
    dict_rehash(d, 50);
    ck_assert(dict_is_rehashing(d));
    long idx_before = d->rehashidx;

    dict_iterator *it = dict_get_safe_iterator(d);
    dict_entry *de;
    int seen = 0;
    while ((de = dict_next(it)) != NULL) {
        ck_assert_int_eq(d->pauserehash, 1);
        ck_assert_int_eq(dict_delete(d, dict_get_key(de)), DICT_OK);
        seen++;
    }
    ck_assert_int_eq(d->rehashidx, idx_before); /* paused throughout */
    dict_release_iterator(it);
    ck_assert_int_eq(d->pauserehash, 0);
    ck_assert_int_eq(seen, N);
    ck_assert_uint_eq(dict_size(d), 0);
    dict_release(d);
}
END_TEST

START_TEST(test_unsafe_iterator_visits_each_once) {
    enum { N = 3000 };
    unsigned char seen[N] = {0};
    dict *d = dict_create(&int_type);
    fill_int(d, 0, N);
    dict_expand(d, 20000);
    dict_rehash(d, 20);
    ck_assert(dict_is_rehashing(d));

    dict_iterator it;
    dict_init_iterator(&it, d);
    dict_entry *de;
    int count = 0;
    while ((de = dict_next(&it)) != NULL) {
        uintptr_t k = (uintptr_t)dict_get_key(de);
        ck_assert_uint_lt(k, N);
        ck_assert_int_eq(seen[k], 0);
        seen[k] = 1;
        count++;
    }
    ck_assert_int_eq(d->pauserehash, 0); /* unsafe: no pause */
    dict_reset_iterator(&it);              /* fingerprint matches: no abort */
    ck_assert_int_eq(count, N);

    /* An iterator released before its first next checks nothing. */
    dict_iterator *heap = dict_get_iterator(d);
    dict_release_iterator(heap);
    /* Reusable after reset. */
    ck_assert_ptr_nonnull(dict_next(&it));
    dict_reset_iterator(&it);

    dict_iterator *empty_it = dict_get_safe_iterator(dict_create(&int_type));
    dict *empty = empty_it->d;
    ck_assert_ptr_null(dict_next(empty_it));
    dict_release_iterator(empty_it);
    dict_release(empty);
    dict_release(d);
}
END_TEST

/* --------------------------------------------------------------- scan */

typedef struct scan_seen {
    unsigned char *seen;
    unsigned long limit;
    unsigned long calls;
} scan_seen;

static void scan_mark(void *privdata, const dict_entry *de) {
    scan_seen *s = privdata;
    uintptr_t k = (uintptr_t)dict_get_key(de);
    if (k < s->limit && s->seen[k] < 255) s->seen[k]++;
}

START_TEST(test_scan_static_exactly_once) {
    enum { N = 777 };
    unsigned char seen[N] = {0};
    scan_seen s = {seen, N, 0};
    dict *d = dict_create(&int_type);
    ck_assert_uint_eq(dict_scan(d, 0, scan_mark, &s), 0); /* empty dict */
    fill_int(d, 0, N);
    finish_rehash(d);
    unsigned long v = 0, calls = 0;
    do {
        v = dict_scan(d, v, scan_mark, &s);
        calls++;
    } while (v != 0);
    ck_assert_uint_eq(calls, dict_slots(d)); /* one bucket per call */
    for (int k = 0; k < N; k++) ck_assert_int_eq(seen[k], 1);
    dict_release(d);
}
END_TEST

/* Scan modes: how the dict looks when the scan starts and what holds it. */
enum { SCAN_PLAIN, SCAN_START_MID_REHASH, SCAN_PAUSED };

typedef struct churn {
    unsigned long *live; /* churn keys currently in the dict */
    unsigned long nlive, cap, next_key;
    int growing;
    int explicit_rehash; /* 0 while a paused scan must see no bucket move */
    int saw_rehash, saw_grow, saw_shrink;
} churn;

static void churn_add(dict *d, churn *c, unsigned long n) {
    for (unsigned long i = 0; i < n && c->nlive < c->cap; i++) {
        ck_assert_int_eq(dict_add(d, IKEY(c->next_key), NULL), DICT_OK);
        c->live[c->nlive++] = c->next_key++;
    }
}

static void churn_del(dict *d, churn *c, unsigned long n) {
    for (unsigned long i = 0; i < n && c->nlive > 0; i++) {
        unsigned long j = rng_next() % c->nlive;
        ck_assert_int_eq(dict_delete(d, IKEY(c->live[j])), DICT_OK);
        c->live[j] = c->live[--c->nlive];
    }
}

/* One burst of changes between two scan calls: grow towards cap, then
 * shrink towards empty (with dict_resize), with partial rehash steps. */
static void churn_step(dict *d, churn *c) {
    unsigned long slots_before = dict_slots(d);
    unsigned long n = 1 + rng_next() % 12;
    if (c->growing) {
        churn_add(d, c, n);
        if (c->nlive >= c->cap) c->growing = 0;
    } else {
        churn_del(d, c, n);
        if (rng_next() % 4 == 0) dict_resize(d);
        if (c->nlive == 0) c->growing = 1;
    }
    if (c->explicit_rehash && rng_next() % 8 == 0) dict_rehash(d, 1 + (int)(rng_next() % 5));
    if (dict_is_rehashing(d)) c->saw_rehash = 1;
    if (dict_slots(d) > slots_before) c->saw_grow = 1;
    if (dict_is_rehashing(d) && DICT_HT_SIZE(d->ht_size_exp[1]) < DICT_HT_SIZE(d->ht_size_exp[0]))
        c->saw_shrink = 1;
}

/* Inserts n stable keys, scans while churning other keys after every
 * call, and checks every stable key was returned at least once. */
static void scan_with_churn(unsigned long n, int mode, uint64_t seed) {
    rng_seed(seed);
    dict *d = dict_create(&int_type);
    unsigned long cap = n * 8 < 256 ? 256 : n * 8;
    churn c = {zcalloc(cap * sizeof(unsigned long)), 0, cap, n, 1, mode != SCAN_PAUSED, 0, 0, 0};
    unsigned char *seen = zcalloc(n);
    scan_seen s = {seen, n, 0};
    fill_int(d, 0, n);

    dict_iterator pause_it;
    if (mode == SCAN_START_MID_REHASH || mode == SCAN_PAUSED) {
        /* Push the table into an expansion and stop part-way. */
        finish_rehash(d);
        while (!dict_is_rehashing(d)) churn_add(d, &c, 1);
        ck_assert(dict_is_rehashing(d));
    }
    if (mode == SCAN_PAUSED) {
        dict_init_safe_iterator(&pause_it, d);
        dict_next(&pause_it); /* now holds pauserehash for the whole scan */
    }
    long rehashidx_at_start = d->rehashidx;

    unsigned long v = 0, calls = 0;
    do {
        v = dict_scan(d, v, scan_mark, &s);
        churn_step(d, &c);
        calls++;
        ck_assert_uint_lt(calls, 50UL * 1000 * 1000); /* must terminate */
    } while (v != 0);

    for (unsigned long k = 0; k < n; k++)
        ck_assert_msg(seen[k] > 0, "n=%lu mode=%d seed=%llu: key %lu never returned", n, mode,
                      (unsigned long long)seed, k);
    if (mode == SCAN_PAUSED) {
        ck_assert_int_eq(d->rehashidx, rehashidx_at_start); /* really paused */
        dict_reset_iterator(&pause_it);
    } else if (n >= 500) {
        /* The scan really crossed the states it claims to test. */
        ck_assert(c.saw_rehash);
        ck_assert(c.saw_grow);
        ck_assert(c.saw_shrink);
    }
    zfree(seen);
    zfree(c.live);
    dict_release(d);
}

static const unsigned long scan_sizes[] = {1, 3, 17, 100, 500, 2000};
#define SCAN_SIZES (sizeof(scan_sizes) / sizeof(scan_sizes[0]))

START_TEST(test_scan_guarantee_plain) {
    scan_with_churn(scan_sizes[_i], SCAN_PLAIN, 1000 + (uint64_t)_i);
    scan_with_churn(scan_sizes[_i], SCAN_PLAIN, 2000 + (uint64_t)_i);
}
END_TEST

START_TEST(test_scan_guarantee_mid_rehash) {
    scan_with_churn(scan_sizes[_i], SCAN_START_MID_REHASH, 3000 + (uint64_t)_i);
    scan_with_churn(scan_sizes[_i], SCAN_START_MID_REHASH, 4000 + (uint64_t)_i);
}
END_TEST

START_TEST(test_scan_guarantee_paused) {
    scan_with_churn(scan_sizes[_i], SCAN_PAUSED, 5000 + (uint64_t)_i);
}
END_TEST

/* A scan step must not move buckets itself (it pauses rehash). */
static dict *scan_probe_dict;
static int scan_probe_paused;

static void scan_probe(void *privdata, const dict_entry *de) {
    (void)privdata;
    (void)de;
    if (scan_probe_dict->pauserehash > 0) scan_probe_paused = 1;
}

START_TEST(test_scan_pauses_rehash) {
    dict *d = dict_create(&int_type);
    fill_int(d, 0, 100);
    scan_probe_dict = d;
    scan_probe_paused = 0;
    unsigned long v = 0;
    do v = dict_scan(d, v, scan_probe, NULL);
    while (v != 0);
    ck_assert(scan_probe_paused);
    ck_assert_int_eq(d->pauserehash, 0);
    dict_release(d);
}
END_TEST

/* ---------------------------------------------------------- sampling */

static void check_members(dict *d, unsigned long n, int rehashing) {
    unsigned char *hit = zcalloc(n);
    for (int i = 0; i < 5000; i++) {
        dict_entry *de = (i % 2) ? dict_get_random_key(d) : dict_get_fair_random_key(d);
        ck_assert_ptr_nonnull(de);
        uintptr_t k = (uintptr_t)dict_get_key(de);
        ck_assert_uint_lt(k, n);
        ck_assert_ptr_eq(dict_find(d, IKEY(k)), de);
        hit[k] = 1;
        if (rehashing && dict_is_rehashing(d)) dict_rehash(d, 1);
    }
    for (unsigned long k = 0; k < n; k++) ck_assert_msg(hit[k], "key %lu never drawn", k);
    zfree(hit);
}

START_TEST(test_random_keys) {
    dict *d = dict_create(&int_type);
    ck_assert_ptr_null(dict_get_random_key(d));
    ck_assert_ptr_null(dict_get_fair_random_key(d));
    dict_entry *des[8];
    ck_assert_uint_eq(dict_get_some_keys(d, des, 8), 0);

    fill_int(d, 0, 200);
    finish_rehash(d);
    check_members(d, 200, 0);

    /* Mid-rehash, both directions. */
    dict_expand(d, 5000);
    check_members(d, 200, 1);
    finish_rehash(d);
    for (unsigned long k = 50; k < 200; k++) dict_delete(d, IKEY(k));
    finish_rehash(d);
    ck_assert_int_eq(dict_resize(d), DICT_OK);
    ck_assert(dict_is_rehashing(d));
    check_members(d, 50, 1);
    dict_release(d);
}
END_TEST

START_TEST(test_some_keys) {
    dict *d = dict_create(&int_type);
    fill_int(d, 0, 1000);
    dict_entry *des[64];
    for (int round = 0; round < 200; round++) {
        if (round == 100) {
            finish_rehash(d);
            dict_expand(d, 4000); /* sparse enough to walk empty runs */
        }
        unsigned int got = dict_get_some_keys(d, des, 64);
        ck_assert_uint_le(got, 64);
        ck_assert_uint_gt(got, 0);
        for (unsigned int i = 0; i < got; i++) {
            uintptr_t k = (uintptr_t)dict_get_key(des[i]);
            ck_assert_uint_lt(k, 1000);
            ck_assert_ptr_eq(dict_find(d, IKEY(k)), des[i]);
        }
    }
    /* Asking for more than there is caps at the size. */
    dict *small = dict_create(&int_type);
    fill_int(small, 0, 5);
    unsigned int got = dict_get_some_keys(small, des, 64);
    ck_assert_uint_le(got, 5);
    ck_assert_uint_gt(got, 0);
    dict_release(small);
    dict_release(d);
}
END_TEST

/* --------------------------------------------------- empty and stats */

static int empty_calls;

static void empty_cb(dict *d) {
    (void)d;
    empty_calls++;
}

/* Entry metadata: zeroed on add, at a fixed place for the entry's life
 * (rehashing relinks entries, never moves them). */
struct meta_link {
    dict_entry *prev;
    uint64_t tag;
};
static dict_type meta_type = {.hash = int_hash, .entry_metadata_bytes = sizeof(struct meta_link)};

START_TEST(test_entry_metadata) {
    dict *d = dict_create(&meta_type);
    enum { N = 5000 };
    static dict_entry *where[N];
    dict_entry *last = NULL;
    for (unsigned long k = 0; k < N; k++) {
        dict_entry *de = dict_add_raw(d, IKEY(k), NULL);
        ck_assert_ptr_nonnull(de);
        struct meta_link *m = dict_entry_metadata(de);
        ck_assert_ptr_null(m->prev);
        ck_assert_uint_eq(m->tag, 0);
        m->prev = last;
        m->tag = k * 7 + 1;
        where[k] = last = de;
    }
    while (dict_is_rehashing(d)) dict_rehash(d, 100);
    for (unsigned long k = 0; k < N; k++) {
        dict_entry *de = dict_find(d, IKEY(k));
        ck_assert_ptr_eq(de, where[k]);
        struct meta_link *m = dict_entry_metadata(de);
        ck_assert_uint_eq(m->tag, k * 7 + 1);
        ck_assert_ptr_eq(m->prev, k ? where[k - 1] : NULL);
    }
    dict_release(d);
}
END_TEST

START_TEST(test_empty_callback) {
    dict *d = dict_create(&int_type);
    fill_int(d, 0, 70000);
    finish_rehash(d);
    ck_assert_uint_eq(dict_slots(d), 131072);
    empty_calls = 0;
    dict_empty(d, empty_cb);
    ck_assert_int_eq(empty_calls, 2); /* buckets 0 and 65536 */
    ck_assert_uint_eq(dict_size(d), 0);
    ck_assert_uint_eq(dict_slots(d), 0);
    ck_assert(!dict_is_rehashing(d));
    /* Still usable, and NULL callback is fine. */
    fill_int(d, 0, 10);
    ck_assert_ptr_nonnull(dict_find(d, IKEY(3)));
    dict_empty(d, NULL);
    ck_assert_uint_eq(dict_size(d), 0);

    /* Emptying mid-rehash frees both tables (string dict: leaks would show). */
    dict *s = dict_create(&str_type);
    char buf[16];
    for (int i = 0; i < 300; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        dict_add(s, buf, zstrdup(buf));
    }
    dict_expand(s, 5000);
    ck_assert(dict_is_rehashing(s));
    dict_empty(s, NULL);
    ck_assert_uint_eq(dict_size(s), 0);
    ck_assert(!dict_is_rehashing(s));
    dict_release(s);
    dict_release(d);
}
END_TEST

START_TEST(test_stats) {
    char buf[4096];
    dict *d = dict_create(&int_type);
    dict_get_stats(buf, sizeof(buf), d);
    /* Redis 7.0's text for a table with no elements, header included */
    ck_assert_str_eq(buf, "Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n");
    fill_int(d, 0, 3);
    dict_get_stats(buf, sizeof(buf), d);
    ck_assert_ptr_nonnull(strstr(buf, "Hash table 0 stats (main hash table):"));
    ck_assert_ptr_nonnull(strstr(buf, " table size: 4\n"));
    ck_assert_ptr_nonnull(strstr(buf, " number of elements: 3\n"));
    ck_assert_ptr_nonnull(strstr(buf, "Chain length distribution:"));
    ck_assert_ptr_null(strstr(buf, "Hash table 1"));
    fill_int(d, 3, 500);
    dict_expand(d, 5000);
    dict_get_stats(buf, sizeof(buf), d);
    /* nothing moved yet: the target has no stats */
    ck_assert_ptr_nonnull(
        strstr(buf, "Hash table 1 stats (rehashing target):\nNo stats available for empty dictionaries\n"));
    dict_rehash(d, 10);
    dict_get_stats(buf, sizeof(buf), d);
    ck_assert_ptr_nonnull(strstr(buf, "Hash table 1 stats (rehashing target):"));
    ck_assert_ptr_nonnull(strstr(buf, " table size: 8192\n"));
    /* A tiny buffer is truncated, never overrun. */
    char tiny[16];
    memset(tiny, 'x', sizeof(tiny));
    dict_get_stats(tiny, 10, d);
    ck_assert_uint_eq(strlen(tiny), 9);
    ck_assert_int_eq(tiny[10], 'x');
    dict_release(d);
}
END_TEST

/* ------------------------------------------------------------ hashing */

/* Published SipHash-2-4 outputs (reference implementation's vectors):
 * key 00 01 .. 0f, message 00 01 .. (n-1) for n = 0..63. */
static const uint64_t sip24_vectors[64] = {
    0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
    0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
    0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
    0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
    0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
    0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
    0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
    0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, 0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
    0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
    0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
    0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, 0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
    0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
    0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
    0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, 0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
    0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
    0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

START_TEST(test_siphash_reference_vectors) {
    uint8_t key[16], msg[64];
    for (int i = 0; i < 16; i++) key[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++) msg[i] = (uint8_t)i;
    for (int n = 0; n < 64; n++)
        ck_assert_msg(siphash_rounds(msg, (size_t)n, key, 2, 4) == sip24_vectors[n],
                      "SipHash-2-4 vector %d", n);
    /* Unaligned input gives the same answer. */
    uint8_t shifted[65];
    memcpy(shifted + 1, msg, 64);
    ck_assert(siphash_rounds(shifted + 1, 63, key, 2, 4) == sip24_vectors[63]);
    /* 1-2 is the same code with fewer rounds: must differ from 2-4 and
     * match the generic form. */
    for (int n = 0; n < 64; n++) {
        uint64_t h12 = siphash_1_2(msg, (size_t)n, key);
        ck_assert(h12 == siphash_rounds(msg, (size_t)n, key, 1, 2));
        ck_assert(h12 != sip24_vectors[n]);
    }
    ck_assert(siphash_1_2(NULL, 0, key) == siphash_1_2(msg, 0, key));
}
END_TEST

static int popcount64(uint64_t x) {
    return __builtin_popcountll(x);
}

START_TEST(test_siphash12_properties) {
    uint8_t key[16] = {0};
    uint8_t msg[24];
    for (int i = 0; i < 24; i++) msg[i] = (uint8_t)(i * 7 + 1);

    /* Length is part of the input: "a" and "a\0" differ. */
    uint8_t a0[2] = {'a', 0};
    ck_assert(siphash_1_2(a0, 1, key) != siphash_1_2(a0, 2, key));
    /* Distinct lengths of a prefix never collide here. */
    for (int i = 0; i < 24; i++)
        for (int j = i + 1; j < 24; j++)
            ck_assert(siphash_1_2(msg, (size_t)i, key) != siphash_1_2(msg, (size_t)j, key));

    /* Avalanche: flipping any one input bit flips about half the output
     * bits on average, and never very few. */
    uint64_t base = siphash_1_2(msg, sizeof(msg), key);
    long total = 0;
    int min = 64;
    for (int bit = 0; bit < 8 * (int)sizeof(msg); bit++) {
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int flips = popcount64(base ^ siphash_1_2(msg, sizeof(msg), key));
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        total += flips;
        if (flips < min) min = flips;
    }
    double avg = (double)total / (8 * sizeof(msg));
    ck_assert_msg(avg > 28 && avg < 36, "avalanche average %f", avg);
    ck_assert_int_ge(min, 12);

    /* Same for one key bit. */
    total = 0;
    for (int bit = 0; bit < 128; bit++) {
        key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        total += popcount64(base ^ siphash_1_2(msg, sizeof(msg), key));
        key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    avg = (double)total / 128;
    ck_assert_msg(avg > 28 && avg < 36, "key avalanche average %f", avg);
}
END_TEST

START_TEST(test_hash_seed) {
    uint8_t seed_a[16], seed_b[16];
    for (int i = 0; i < 16; i++) {
        seed_a[i] = (uint8_t)i;
        seed_b[i] = (uint8_t)(i * 31 + 5);
    }
    dict_set_hash_seed(seed_a);
    ck_assert_int_eq(memcmp(dict_get_hash_seed(), seed_a, 16), 0);
    uint64_t h1 = dict_gen_hash_function("hello", 5);
    ck_assert(h1 == dict_gen_hash_function("hello", 5)); /* deterministic */
    ck_assert(h1 == siphash_1_2((const uint8_t *)"hello", 5, seed_a));
    dict_set_hash_seed(seed_b);
    ck_assert(dict_gen_hash_function("hello", 5) != h1);
    dict_set_hash_seed(seed_a);
    ck_assert(dict_gen_hash_function("hello", 5) == h1);
    ck_assert(dict_gen_hash_function("hellp", 5) != h1);

    /* A dict keeps working across a seed change only if rebuilt, so just
     * check that a dict built under one seed finds its keys. */
    dict *d = dict_create(&str_type);
    dict_add(d, "x", zstrdup("1"));
    ck_assert_ptr_nonnull(dict_find(d, "x"));
    dict_release(d);
}
END_TEST

START_TEST(test_case_hash) {
    const unsigned char *up = (const unsigned char *)"FOO-Bar_123 [Z@`{";
    const unsigned char *low = (const unsigned char *)"foo-bar_123 [z@`{";
    size_t len = strlen((const char *)up);
    ck_assert(dict_gen_case_hash_function(up, len) == dict_gen_case_hash_function(low, len));
    ck_assert(dict_gen_case_hash_function(low, len) == dict_gen_hash_function(low, len));
    ck_assert(dict_gen_hash_function(up, len) != dict_gen_hash_function(low, len));
    /* Only ASCII letters fold: '@' (0x40) and '[' (0x5b) border A-Z. */
    ck_assert(dict_gen_case_hash_function((const unsigned char *)"@", 1) !=
              dict_gen_case_hash_function((const unsigned char *)"`", 1));
    ck_assert(dict_gen_case_hash_function((const unsigned char *)"[", 1) !=
              dict_gen_case_hash_function((const unsigned char *)"{", 1));
    /* Longer than one word, mixed case everywhere. */
    const char *l1 = "The Quick Brown Fox Jumps Over The Lazy Dog";
    const char *l2 = "tHE qUICK bROWN fOX jUMPS oVER tHE lAZY dOG";
    ck_assert(dict_gen_case_hash_function((const unsigned char *)l1, strlen(l1)) ==
              dict_gen_case_hash_function((const unsigned char *)l2, strlen(l2)));
}
END_TEST

/* -------------------------------------------------------------- main */

/* The ready-made sds callbacks: binary-safe equality, case folding only in
 * the _case variants, and a destructor that frees (checked by the leak
 * fixture). */
START_TEST(test_sds_callbacks) {
    dict_type t = {.hash = dict_sds_hash, .key_compare = dict_sds_compare, .key_destructor = dict_sds_free};
    dict *d = dict_create(&t);
    sds k1 = sds_new_len("a\0b", 3);
    ck_assert_int_eq(dict_add(d, k1, NULL), DICT_OK);
    sds probe = sds_new_len("a\0b", 3), other = sds_new_len("a\0c", 3), upper = sds_new("A");
    ck_assert_ptr_nonnull(dict_find(d, probe));
    ck_assert_ptr_null(dict_find(d, other));
    ck_assert_int_eq(dict_sds_compare(NULL, probe, k1), 1);
    ck_assert_int_eq(dict_sds_compare(NULL, probe, other), 0);
    sds lower = sds_new("a");
    ck_assert_int_eq(dict_sds_case_compare(NULL, upper, lower), 1);
    ck_assert_int_eq(dict_sds_compare(NULL, upper, lower), 0);
    ck_assert_uint_eq(dict_sds_case_hash(upper), dict_sds_case_hash(lower));
    ck_assert_uint_ne(dict_sds_hash(probe), dict_sds_hash(other));
    sds_free(probe);
    sds_free(other);
    sds_free(upper);
    sds_free(lower);
    dict_release(d);
}
END_TEST

static Suite *dict_suite(void) {
    Suite *s = suite_create("dict");

    TCase *basic = tcase_create("basic");
    tcase_add_checked_fixture(basic, leak_setup, leak_teardown);
    tcase_add_test(basic, test_add_find_replace_delete);
    tcase_add_test(basic, test_add_raw_add_or_find_unlink);
    tcase_add_test(basic, test_numeric_values);
    tcase_add_test(basic, test_many_string_keys);
    suite_add_tcase(s, basic);

    TCase *resize = tcase_create("resize");
    tcase_add_checked_fixture(resize, leak_setup, leak_teardown);
    tcase_add_test(resize, test_growth_and_rehash_through_operations);
    tcase_add_test(resize, test_sds_callbacks);
    tcase_add_test(resize, test_rehash_step_bounds_empty_visits);
    tcase_add_test(resize, test_explicit_rehash);
    tcase_add_test(resize, test_resize_shrinks);
    tcase_add_test(resize, test_resize_disabled_force_ratio);
    tcase_add_test(resize, test_expand_allowed_callback);
    suite_add_tcase(s, resize);

    TCase *iter = tcase_create("iterators");
    tcase_add_checked_fixture(iter, leak_setup, leak_teardown);
    tcase_add_test(iter, test_safe_iterator_deletes_everything);
    tcase_add_test(iter, test_unsafe_iterator_visits_each_once);
    suite_add_tcase(s, iter);

    TCase *scan = tcase_create("scan");
    tcase_add_checked_fixture(scan, leak_setup, leak_teardown);
    tcase_set_timeout(scan, 60);
    tcase_add_test(scan, test_scan_static_exactly_once);
    tcase_add_test(scan, test_scan_pauses_rehash);
    tcase_add_loop_test(scan, test_scan_guarantee_plain, 0, SCAN_SIZES);
    tcase_add_loop_test(scan, test_scan_guarantee_mid_rehash, 0, SCAN_SIZES);
    tcase_add_loop_test(scan, test_scan_guarantee_paused, 0, SCAN_SIZES);
    suite_add_tcase(s, scan);

    TCase *sample = tcase_create("sampling");
    tcase_add_checked_fixture(sample, leak_setup, leak_teardown);
    tcase_add_test(sample, test_random_keys);
    tcase_add_test(sample, test_some_keys);
    suite_add_tcase(s, sample);

    TCase *misc = tcase_create("empty_stats");
    tcase_add_checked_fixture(misc, leak_setup, leak_teardown);
    tcase_add_test(misc, test_empty_callback);
    tcase_add_test(misc, test_entry_metadata);
    tcase_add_test(misc, test_stats);
    suite_add_tcase(s, misc);

    TCase *hash = tcase_create("hashing");
    tcase_add_test(hash, test_siphash_reference_vectors);
    tcase_add_test(hash, test_siphash12_properties);
    tcase_add_test(hash, test_hash_seed);
    tcase_add_test(hash, test_case_hash);
    suite_add_tcase(s, hash);
    return s;
}


int main(void) {
    SRunner *sr = srunner_create(dict_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
