/* test_rax.c -- Check suites for the radix tree: thousands of random
 * inserts, removes and lookups of binary keys (the empty key, keys that
 * prefix each other, keys past the iterator's static buffer, 16-byte
 * big-endian stream IDs) against a sorted-array model; every seek op from
 * present and absent keys, walked both ways; node counts that must match a
 * freshly built tree after removals (so runs are merged back), the byte
 * count against zmalloc's counter, and freeing with a value destructor.
 * Every test ends by checking zmalloc's counter is back where it started. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rax.h"
#include "zmalloc.h"

/* Check reports every ck_assert's location to the parent process (one
 * write per assertion), so hot loops assert through this macro, which
 * talks to Check only when the condition fails. */
#define EXPECT(cond)                                                          \
    do {                                                                      \
        if (!(cond)) ck_abort_msg("%s:%d: failed: %s", __FILE__, __LINE__, #cond); \
    } while (0)
#define EXPECT_EQ(a, b) EXPECT((a) == (b))

static size_t mem_at_start;

static void setup(void) {
    mem_at_start = zmalloc_used_memory();
}

static void teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

/* Deterministic generator so a failure reproduces. */
static unsigned long long test_rng = 88172645463325252ULL;
static unsigned long long rnd(void) {
    test_rng ^= test_rng << 13;
    test_rng ^= test_rng >> 7;
    test_rng ^= test_rng << 17;
    return test_rng;
}

/* ---- the model: a sorted array of keys (plain malloc, so zmalloc's
 * counter sees only the tree) ---- */

#define KEY_MAX 300

typedef struct mkey {
    size_t len;
    unsigned char k[KEY_MAX];
    void *v;
} mkey;

typedef struct model {
    mkey *keys;
    size_t n, cap;
} model;

static int key_cmp(const unsigned char *a, size_t al, const unsigned char *b, size_t bl) {
    size_t min = al < bl ? al : bl;
    int c = min ? memcmp(a, b, min) : 0;
    if (c) return c;
    return al < bl ? -1 : (al > bl ? 1 : 0);
}

/* First index whose key is >= k. */
static size_t model_lower(const model *m, const unsigned char *k, size_t len) {
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (key_cmp(m->keys[mid].k, m->keys[mid].len, k, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int model_has(const model *m, const unsigned char *k, size_t len, size_t *at) {
    size_t i = model_lower(m, k, len);
    *at = i;
    return i < m->n && key_cmp(m->keys[i].k, m->keys[i].len, k, len) == 0;
}

static void model_insert(model *m, const unsigned char *k, size_t len, void *v) {
    size_t at;
    if (model_has(m, k, len, &at)) {
        m->keys[at].v = v;
        return;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->keys = realloc(m->keys, m->cap * sizeof(mkey));
    }
    memmove(m->keys + at + 1, m->keys + at, (m->n - at) * sizeof(mkey));
    m->keys[at].len = len;
    memcpy(m->keys[at].k, k, len);
    m->keys[at].v = v;
    m->n++;
}

static void model_remove(model *m, size_t at) {
    memmove(m->keys + at, m->keys + at + 1, (m->n - at - 1) * sizeof(mkey));
    m->n--;
}

/* ---- key generators ---- */

/* Fills k with a key of one of several shapes; returns its length. */
static size_t random_key(unsigned char *k, int shape) {
    static const unsigned char alphabet[] = {0x00, 0x01, 'a', 'b', 0x7f, 0x80, 0xfe, 0xff};
    size_t len;
    switch (shape) {
    case 0: /* short keys over a tiny alphabet: many prefixes, the empty key */
        len = rnd() % 6;
        for (size_t i = 0; i < len; i++) k[i] = alphabet[rnd() % 4];
        return len;
    case 1: /* any bytes, short */
        len = rnd() % 10;
        for (size_t i = 0; i < len; i++) k[i] = (unsigned char)rnd();
        return len;
    case 2: { /* 16-byte big-endian ms-seq IDs, close together */
        unsigned long long ms = 1700000000000ULL + rnd() % 2000, seq = rnd() % 8;
        for (int i = 0; i < 8; i++) k[i] = (unsigned char)(ms >> (56 - 8 * i));
        for (int i = 0; i < 8; i++) k[8 + i] = (unsigned char)(seq >> (56 - 8 * i));
        return 16;
    }
    case 3: /* long keys sharing long prefixes (past the 128-byte buffer) */
        len = 120 + rnd() % (KEY_MAX - 120);
        for (size_t i = 0; i < len; i++) k[i] = i < 100 ? 'p' : alphabet[rnd() % 3];
        return len;
    default: /* keys over the alphabet, medium length */
        len = rnd() % 24;
        for (size_t i = 0; i < len; i++) k[i] = alphabet[rnd() % 8];
        return len;
    }
}

/* ---- checks ---- */

static void check_element(const rax_iter *it, const model *m, size_t idx) {
    EXPECT(idx < m->n);
    EXPECT_EQ(it->key_len, m->keys[idx].len);
    EXPECT(key_cmp(it->key, it->key_len, m->keys[idx].k, m->keys[idx].len) == 0);
    EXPECT_EQ(it->data, m->keys[idx].v);
}

static void check_full_scan(rax *r, const model *m) {
    rax_iter it;
    rax_start(&it, r);
    EXPECT_EQ(rax_seek(&it, "^", NULL, 0), 1);
    size_t i = 0;
    while (rax_next(&it)) check_element(&it, m, i++);
    EXPECT_EQ(i, m->n);
    EXPECT(rax_eof(&it));
    EXPECT_EQ(rax_seek(&it, "$", NULL, 0), 1);
    i = m->n;
    while (rax_prev(&it)) check_element(&it, m, --i);
    EXPECT_EQ(i, 0);
    rax_stop(&it);
    EXPECT_EQ(rax_size(r), m->n);
}

/* Index the model says op finds for k, or -1. */
static long model_seek(const model *m, const char *op, const unsigned char *k, size_t len) {
    size_t at;
    int has = model_has(m, k, len, &at);
    long lo = (long)at, n = (long)m->n;
    long r;
    if (!strcmp(op, "^")) r = 0;
    else if (!strcmp(op, "$")) r = n - 1;
    else if (!strcmp(op, "=")) r = has ? lo : -1;
    else if (!strcmp(op, ">=")) r = lo;
    else if (!strcmp(op, ">")) r = has ? lo + 1 : lo;
    else if (!strcmp(op, "<=")) r = has ? lo : lo - 1;
    else r = lo - 1;
    return r >= 0 && r < n ? r : -1;
}

/* Seeks with op from k, then takes random steps both ways checking each
 * against the model. */
static void check_seek(rax *r, const model *m, const char *op, const unsigned char *k, size_t len) {
    rax_iter it;
    rax_start(&it, r);
    EXPECT_EQ(rax_seek(&it, op, k, len), 1);
    long expect = model_seek(m, op, k, len);
    int forward = rnd() & 1;
    int got = forward ? rax_next(&it) : rax_prev(&it);
    if (expect < 0) {
        EXPECT_EQ(got, 0);
        EXPECT(rax_eof(&it));
        rax_stop(&it);
        return;
    }
    EXPECT_EQ(got, 1);
    EXPECT(!rax_eof(&it));
    check_element(&it, m, (size_t)expect);
    long at = expect;
    for (int step = 0; step < 12; step++) {
        if (rnd() % 4 == 0) forward = !forward;
        at += forward ? 1 : -1;
        got = forward ? rax_next(&it) : rax_prev(&it);
        if (at < 0 || at >= (long)m->n) {
            EXPECT_EQ(got, 0);
            break;
        }
        EXPECT_EQ(got, 1);
        check_element(&it, m, (size_t)at);
        /* rax_compare agrees with the model's order. */
        EXPECT_EQ(rax_compare(&it, "==", m->keys[at].k, m->keys[at].len), 1);
        EXPECT_EQ(rax_compare(&it, ">=", k, len), key_cmp(it.key, it.key_len, k, len) >= 0);
        EXPECT_EQ(rax_compare(&it, ">", k, len), key_cmp(it.key, it.key_len, k, len) > 0);
        EXPECT_EQ(rax_compare(&it, "<", k, len), key_cmp(it.key, it.key_len, k, len) < 0);
        EXPECT_EQ(rax_compare(&it, "<=", k, len), key_cmp(it.key, it.key_len, k, len) <= 0);
    }
    rax_stop(&it);
}

static void check_random_seeks(rax *r, const model *m, int shape, int rounds) {
    static const char *ops[] = {"^", "$", "=", ">=", ">", "<=", "<"};
    unsigned char k[KEY_MAX];
    for (int i = 0; i < rounds; i++) {
        const char *op = ops[rnd() % 7];
        size_t len;
        if (m->n && rnd() % 2) {
            /* A present key, or a neighbour of one (extended or cut). */
            const mkey *mk = &m->keys[rnd() % m->n];
            len = mk->len;
            memcpy(k, mk->k, len);
            int tweak = (int)(rnd() % 4);
            if (tweak == 1 && len < KEY_MAX) k[len++] = (unsigned char)rnd();
            if (tweak == 2 && len > 0) len--;
            if (tweak == 3 && len > 0) k[rnd() % len] ^= (unsigned char)(1u << (rnd() % 8));
        } else {
            len = random_key(k, shape);
        }
        check_seek(r, m, op, k, len);
    }
}

/* Node count of a tree built afresh from the model's keys. */
static uint64_t fresh_node_count(const model *m) {
    rax *f = rax_new();
    for (size_t i = 0; i < m->n; i++) rax_insert(f, m->keys[i].k, m->keys[i].len, NULL, NULL);
    uint64_t n = rax_node_count(f);
    rax_free(f, NULL);
    return n;
}

/* Random inserts / try-inserts / removes / finds of keys of one shape,
 * checked against the model as they go. */
static void random_ops(int shape, int ops) {
    rax *r = rax_new();
    model m = {NULL, 0, 0};
    unsigned char k[KEY_MAX];
    for (int op = 0; op < ops; op++) {
        size_t len = random_key(k, shape), at;
        int has = model_has(&m, k, len, &at);
        void *old = (void *)1, *v = (void *)(uintptr_t)(rnd() | 1);
        switch (rnd() % 5) {
        case 0:
        case 1:
            EXPECT_EQ(rax_insert(r, k, len, v, &old), !has);
            if (has) EXPECT_EQ(old, m.keys[at].v);
            model_insert(&m, k, len, v);
            break;
        case 2:
            EXPECT_EQ(rax_try_insert(r, k, len, v, &old), !has);
            if (has)
                EXPECT_EQ(old, m.keys[at].v);
            else
                model_insert(&m, k, len, v);
            break;
        case 3:
            EXPECT_EQ(rax_remove(r, k, len, &old), has);
            if (has) {
                EXPECT_EQ(old, m.keys[at].v);
                model_remove(&m, at);
            }
            break;
        default:
            EXPECT_EQ(rax_find(r, k, len, &old), has);
            if (has) EXPECT_EQ(old, m.keys[at].v);
            break;
        }
        EXPECT_EQ(rax_size(r), m.n);
        if (op % 500 == 499) {
            check_full_scan(r, &m);
            check_random_seeks(r, &m, shape, 200);
            EXPECT_EQ(rax_node_count(r), fresh_node_count(&m));
        }
    }
    check_full_scan(r, &m);
    check_random_seeks(r, &m, shape, 1000);
    EXPECT_EQ(rax_node_count(r), fresh_node_count(&m));
    /* Remove everything in random order, checking as the tree shrinks
     * (removals merge runs back, so counts must match a fresh build). */
    while (m.n) {
        size_t at = rnd() % m.n;
        void *old = NULL;
        EXPECT_EQ(rax_remove(r, m.keys[at].k, m.keys[at].len, &old), 1);
        EXPECT_EQ(old, m.keys[at].v);
        EXPECT_EQ(rax_find(r, m.keys[at].k, m.keys[at].len, NULL), 0);
        model_remove(&m, at);
        if (m.n % 97 == 0) {
            check_full_scan(r, &m);
            check_random_seeks(r, &m, shape, 50);
            EXPECT_EQ(rax_node_count(r), fresh_node_count(&m));
        }
    }
    EXPECT_EQ(rax_size(r), 0);
    EXPECT_EQ(rax_node_count(r), 1);
    rax_free(r, NULL);
    free(m.keys);
}

START_TEST(test_random_short_prefixes) {
    random_ops(0, 6000);
}
END_TEST

START_TEST(test_random_binary) {
    random_ops(1, 8000);
}
END_TEST

START_TEST(test_random_stream_ids) {
    random_ops(2, 8000);
}
END_TEST

START_TEST(test_random_long_keys) {
    random_ops(3, 3000);
}
END_TEST

START_TEST(test_random_medium) {
    random_ops(4, 8000);
}
END_TEST

/* Keys of every shape in one tree. */
START_TEST(test_random_mixed) {
    rax *r = rax_new();
    model m = {NULL, 0, 0};
    unsigned char k[KEY_MAX];
    for (int op = 0; op < 6000; op++) {
        int shape = (int)(rnd() % 5);
        size_t len = random_key(k, shape), at;
        int has = model_has(&m, k, len, &at);
        void *v = (void *)(uintptr_t)(rnd() | 1);
        if (rnd() % 3) {
            EXPECT_EQ(rax_insert(r, k, len, v, NULL), !has);
            model_insert(&m, k, len, v);
        } else {
            EXPECT_EQ(rax_remove(r, k, len, NULL), has);
            if (has) model_remove(&m, at);
        }
    }
    check_full_scan(r, &m);
    for (int shape = 0; shape < 5; shape++) check_random_seeks(r, &m, shape, 600);
    ck_assert_uint_eq(rax_node_count(r), fresh_node_count(&m));
    rax_free(r, NULL);
    free(m.keys);
}
END_TEST

/* The empty tree, and a tree holding only the empty key. */
START_TEST(test_empty_and_empty_key) {
    rax *r = rax_new();
    rax_iter it;
    rax_start(&it, r);
    static const char *ops[] = {"^", "$", "=", ">=", ">", "<=", "<"};
    for (int i = 0; i < 7; i++) {
        ck_assert_int_eq(rax_seek(&it, ops[i], (const unsigned char *)"a", 1), 1);
        ck_assert_int_eq(rax_next(&it), 0);
        ck_assert(rax_eof(&it));
    }
    ck_assert_int_eq(rax_seek(&it, "~", NULL, 0), 0);
    ck_assert_int_eq(rax_seek(&it, ">==", NULL, 0), 0);
    ck_assert_int_eq(rax_insert(r, (const unsigned char *)"", 0, &it, NULL), 1);
    ck_assert_int_eq(rax_insert(r, (const unsigned char *)"", 0, r, NULL), 0);
    ck_assert_uint_eq(rax_size(r), 1);
    void *v = NULL;
    ck_assert_int_eq(rax_find(r, NULL, 0, &v), 1);
    ck_assert_ptr_eq(v, r);
    ck_assert_int_eq(rax_seek(&it, "<", (const unsigned char *)"\0", 1), 1);
    ck_assert_int_eq(rax_prev(&it), 1);
    ck_assert_uint_eq(it.key_len, 0);
    ck_assert_int_eq(rax_prev(&it), 0);
    ck_assert_int_eq(rax_seek(&it, ">", NULL, 0), 1);
    ck_assert_int_eq(rax_next(&it), 0);
    ck_assert_int_eq(rax_remove(r, NULL, 0, &v), 1);
    ck_assert_int_eq(rax_remove(r, NULL, 0, &v), 0);
    ck_assert_uint_eq(rax_size(r), 0);
    ck_assert_uint_eq(rax_node_count(r), 1);
    rax_stop(&it);
    rax_free(r, NULL);
}
END_TEST

/* rax_alloc_size is exactly what zmalloc handed the tree. */
START_TEST(test_alloc_size_matches_zmalloc) {
    size_t before = zmalloc_used_memory();
    rax *r = rax_new();
    ck_assert_uint_eq(zmalloc_used_memory() - before, rax_alloc_size(r));
    unsigned char k[KEY_MAX];
    for (int i = 0; i < 5000; i++) {
        size_t len = random_key(k, (int)(rnd() % 5));
        if (rnd() % 4)
            rax_insert(r, k, len, NULL, NULL);
        else
            rax_remove(r, k, len, NULL);
    }
    ck_assert_uint_eq(zmalloc_used_memory() - before, rax_alloc_size(r));
    rax_free(r, NULL);
}
END_TEST

static int freed_values;
static void count_free(void *v) {
    freed_values++;
    free(v);
}

START_TEST(test_free_with_destructor) {
    rax *r = rax_new();
    unsigned char k[KEY_MAX];
    for (int i = 0; i < 3000; i++) {
        size_t len = random_key(k, (int)(rnd() % 5));
        void *old = NULL;
        if (!rax_insert(r, k, len, malloc(8), &old)) free(old);
    }
    freed_values = 0;
    uint64_t n = rax_size(r);
    rax_free(r, count_free);
    ck_assert_uint_eq((uint64_t)freed_values, n);
}
END_TEST

/* Sequential stream IDs (a PEL) cost a Redis-like handful of bytes per
 * key: nodes are packed, not 256-pointer arrays. */
START_TEST(test_memory_per_stream_id) {
    rax *r = rax_new();
    unsigned char k[16];
    const int keys = 200000;
    for (int i = 0; i < keys; i++) {
        unsigned long long ms = 1700000000000ULL + (unsigned long long)i / 3, seq = (unsigned long long)i % 3;
        for (int b = 0; b < 8; b++) k[b] = (unsigned char)(ms >> (56 - 8 * b));
        for (int b = 0; b < 8; b++) k[8 + b] = (unsigned char)(seq >> (56 - 8 * b));
        rax_insert(r, k, 16, (void *)1, NULL);
    }
    double per_key = (double)rax_alloc_size(r) / keys;
    double nodes_per_key = (double)rax_node_count(r) / keys;
    fprintf(stderr, "rax: %d sequential IDs: %.1f bytes/key, %.2f nodes/key\n", keys, per_key,
            nodes_per_key);
    ck_assert(per_key < 48.0);
    ck_assert(nodes_per_key < 2.0);
    rax_free(r, NULL);
}
END_TEST

static Suite *rax_suite(void) {
    Suite *s = suite_create("rax");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_random_short_prefixes);
    tcase_add_test(tc, test_random_binary);
    tcase_add_test(tc, test_random_stream_ids);
    tcase_add_test(tc, test_random_long_keys);
    tcase_add_test(tc, test_random_medium);
    tcase_add_test(tc, test_random_mixed);
    tcase_add_test(tc, test_empty_and_empty_key);
    tcase_add_test(tc, test_alloc_size_matches_zmalloc);
    tcase_add_test(tc, test_free_with_destructor);
    tcase_add_test(tc, test_memory_per_stream_id);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(rax_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
