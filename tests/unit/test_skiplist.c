/* test_skiplist.c -- Check suites for the sorted-set skiplist: ordering,
 * spans and ranks against a sorted-array model under thousands of random
 * inserts, deletes and score updates; score and lex ranges; range removal;
 * the ZRANGEBYSCORE / ZRANGEBYLEX argument parsers with Redis's exact error
 * texts. Every test ends by checking zmalloc's counter is back where it
 * started, so a leaked member or node fails the test that leaked it. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sds.h"
#include "skiplist.h"
#include "zmalloc.h"

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

/* Walks every level and checks the structural invariants: order, spans
 * equal to real distances, backward links, tail and length. */
static void check_structure(const zskiplist *zsl) {
    ck_assert_int_ge(zsl->level, 1);
    ck_assert_int_le(zsl->level, ZSL_MAX_LEVEL);
    unsigned long n = 0;
    const zsl_node *prev = NULL;
    for (const zsl_node *x = zsl->header->level[0].forward; x; x = x->level[0].forward) {
        ck_assert_ptr_eq(x->backward, prev);
        if (prev) {
            int ordered = prev->score < x->score || (prev->score == x->score && sds_cmp(prev->ele, x->ele) < 0);
            ck_assert_int_eq(ordered, 1);
        }
        prev = x;
        n++;
    }
    ck_assert_ptr_eq(zsl->tail, prev);
    ck_assert_uint_eq(zsl->length, n);
    for (int i = 0; i < zsl->level; i++) {
        unsigned long sum = 0;
        const zsl_node *x = zsl->header;
        while (x->level[i].forward) {
            /* The span must equal the level-0 distance to the target. */
            unsigned long d = 0;
            const zsl_node *y = x;
            while (y != x->level[i].forward) {
                y = y->level[0].forward;
                d++;
            }
            ck_assert_uint_eq(x->level[i].span, d);
            sum += d;
            x = x->level[i].forward;
        }
        ck_assert_uint_le(sum, n);
    }
    for (int i = zsl->level; i < ZSL_MAX_LEVEL; i++) ck_assert_ptr_null(zsl->header->level[i].forward);
    if (zsl->level > 1) ck_assert_ptr_nonnull(zsl->header->level[zsl->level - 1].forward);
}

/* -------------------------------------------------------------- model */

typedef struct {
    double score;
    char name[16];
} model_item;

static int model_cmp(const void *a, const void *b) {
    const model_item *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? -1 : 1;
    size_t lx = strlen(x->name), ly = strlen(y->name);
    int c = memcmp(x->name, y->name, lx < ly ? lx : ly);
    if (c) return c;
    return lx < ly ? -1 : (lx > ly);
}

static void check_against_model(const zskiplist *zsl, const model_item *m, size_t n) {
    ck_assert_uint_eq(zsl_length(zsl), n);
    const zsl_node *x = zsl->header->level[0].forward;
    for (size_t i = 0; i < n; i++, x = x->level[0].forward) {
        ck_assert_ptr_nonnull(x);
        ck_assert_str_eq(x->ele, m[i].name);
        ck_assert(x->score == m[i].score);
        sds key = sds_new(m[i].name);
        ck_assert_uint_eq(zsl_get_rank(zsl, m[i].score, key), i + 1);
        ck_assert_uint_eq(zsl_get_rank(zsl, m[i].score + 0.5, key), 0);
        sds_free(key);
        ck_assert_ptr_eq(zsl_get_element_by_rank(zsl, i + 1), x);
    }
    ck_assert_ptr_null(x);
    ck_assert_ptr_null(zsl_get_element_by_rank(zsl, n + 1));
    ck_assert_ptr_null(zsl_get_element_by_rank(zsl, 0));
}

static zskiplist *build(const double *scores, const char **names, int n) {
    zskiplist *zsl = zsl_create();
    for (int i = 0; i < n; i++) zsl_insert(zsl, scores[i], sds_new(names[i]));
    return zsl;
}

/* ---------------------------------------------------------- basic tests */

START_TEST(test_empty) {
    zskiplist *zsl = zsl_create();
    ck_assert_uint_eq(zsl_length(zsl), 0);
    ck_assert_ptr_null(zsl->tail);
    sds a = sds_new("a");
    ck_assert_uint_eq(zsl_get_rank(zsl, 1, a), 0);
    ck_assert_int_eq(zsl_delete(zsl, 1, a, NULL), 0);
    ck_assert_ptr_null(zsl_get_element_by_rank(zsl, 1));
    zsl_range r = {.min = -INFINITY, .max = INFINITY};
    ck_assert_int_eq(zsl_is_in_range(zsl, &r), 0);
    ck_assert_ptr_null(zsl_first_in_range(zsl, &r));
    ck_assert_ptr_null(zsl_last_in_range(zsl, &r));
    ck_assert_uint_eq(zsl_delete_range_by_score(zsl, &r, NULL, NULL), 0);
    ck_assert_uint_eq(zsl_delete_range_by_rank(zsl, 1, 10, NULL, NULL), 0);
    zsl_lex_range lr = {.min = ZSL_LEX_MIN, .max = ZSL_LEX_MAX};
    ck_assert_ptr_null(zsl_first_in_lex_range(zsl, &lr));
    ck_assert_uint_eq(zsl_delete_range_by_lex(zsl, &lr, NULL, NULL), 0);
    check_structure(zsl);
    sds_free(a);
    zsl_free(zsl);
}
END_TEST

START_TEST(test_insert_order) {
    /* Same score falls back to memcmp order, shorter first on a prefix,
     * NUL bytes compared like any other byte. */
    zskiplist *zsl = zsl_create();
    zsl_insert(zsl, 2, sds_new("b"));
    zsl_insert(zsl, 1, sds_new("z"));
    zsl_insert(zsl, 2, sds_new("ab"));
    zsl_insert(zsl, 2, sds_new("a"));
    zsl_insert(zsl, 2, sds_new_len("a\0", 2));
    zsl_insert(zsl, -INFINITY, sds_new("m"));
    zsl_insert(zsl, INFINITY, sds_new("c"));
    zsl_insert(zsl, 2, sds_new("\xff"));
    zsl_insert(zsl, -0.5, sds_new(""));
    check_structure(zsl);

    const char *want[] = {"m", "", "z", "a", "a\0", "ab", "b", "\xff", "c"};
    size_t wantlen[] = {1, 0, 1, 1, 2, 2, 1, 1, 1};
    double wscore[] = {-INFINITY, -0.5, 1, 2, 2, 2, 2, 2, INFINITY};
    const zsl_node *x = zsl->header->level[0].forward;
    for (int i = 0; i < 9; i++, x = x->level[0].forward) {
        ck_assert_uint_eq(sds_len(x->ele), wantlen[i]);
        ck_assert_mem_eq(x->ele, want[i], wantlen[i]);
        ck_assert(x->score == wscore[i]);
        sds k = sds_new_len(want[i], wantlen[i]);
        ck_assert_uint_eq(zsl_get_rank(zsl, wscore[i], k), (unsigned long)i + 1);
        sds_free(k);
    }
    ck_assert_ptr_null(x);
    /* Backward iteration mirrors the forward one. */
    int i = 8;
    for (x = zsl->tail; x; x = x->backward, i--) ck_assert_mem_eq(x->ele, want[i], wantlen[i]);
    ck_assert_int_eq(i, -1);
    zsl_free(zsl);
}
END_TEST

START_TEST(test_delete_and_node_out) {
    const char *names[] = {"a", "b", "c", "d"};
    double scores[] = {1, 2, 3, 4};
    zskiplist *zsl = build(scores, names, 4);
    sds b = sds_new("b"), c = sds_new("c");
    ck_assert_int_eq(zsl_delete(zsl, 3, b, NULL), 0); /* wrong score */
    ck_assert_int_eq(zsl_delete(zsl, 2, b, NULL), 1);
    ck_assert_int_eq(zsl_delete(zsl, 2, b, NULL), 0);
    zsl_node *out = NULL;
    ck_assert_int_eq(zsl_delete(zsl, 3, c, &out), 1);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out->ele, "c");
    zsl_free_node(out);
    check_structure(zsl);
    ck_assert_uint_eq(zsl_length(zsl), 2);
    ck_assert_str_eq(zsl_get_element_by_rank(zsl, 2)->ele, "d");
    sds_free(b);
    sds_free(c);
    zsl_free(zsl);
}
END_TEST

START_TEST(test_update_score) {
    const char *names[] = {"a", "b", "c", "d"};
    double scores[] = {10, 20, 30, 40};
    zskiplist *zsl = build(scores, names, 4);
    sds b = sds_new("b");
    zsl_node *nb = zsl_get_element_by_rank(zsl, 2);
    sds ele = nb->ele;

    /* Inside (10, 30): updated in place, same node. */
    ck_assert_ptr_eq(zsl_update_score(zsl, 20, b, 25), nb);
    ck_assert(nb->score == 25);
    ck_assert_uint_eq(zsl_get_rank(zsl, 25, b), 2);
    check_structure(zsl);

    /* Equal to a neighbour's score: not strictly inside, so relinked, and
     * the order by member still holds ("b" < "c"). */
    zsl_node *n2 = zsl_update_score(zsl, 25, b, 30);
    ck_assert_ptr_eq(n2->ele, ele);
    ck_assert_uint_eq(zsl_get_rank(zsl, 30, b), 2);
    check_structure(zsl);

    /* Past the end, then before the start. */
    n2 = zsl_update_score(zsl, 30, b, 100);
    ck_assert_ptr_eq(n2->ele, ele);
    ck_assert_ptr_eq(zsl->tail, n2);
    ck_assert_uint_eq(zsl_get_rank(zsl, 100, b), 4);
    n2 = zsl_update_score(zsl, 100, b, -1);
    ck_assert_ptr_eq(zsl->header->level[0].forward, n2);
    ck_assert_uint_eq(zsl_get_rank(zsl, -1, b), 1);
    ck_assert_uint_eq(zsl_get_rank(zsl, 100, b), 0);
    check_structure(zsl);

    /* The tail moving in place. */
    sds d = sds_new("d");
    zsl_node *nd = zsl->tail;
    ck_assert_ptr_eq(zsl_update_score(zsl, 40, d, 1e9), nd);
    sds_free(d);
    ck_assert_uint_eq(zsl_length(zsl), 4);
    sds_free(b);
    zsl_free(zsl);
}
END_TEST

/* Thousands of random operations mirrored in a sorted array. */
START_TEST(test_random_against_model) {
    enum { MAX_ITEMS = 1500, OPS = 6000, FULL_CHECK_EVERY = 300 };
    model_item *m = malloc(sizeof(*m) * MAX_ITEMS);
    size_t n = 0;
    zskiplist *zsl = zsl_create();
    int next_name = 0;
    for (int op = 0; op < OPS; op++) {
        unsigned r = rnd() % 10;
        if (n == 0 || (r < 5 && n < MAX_ITEMS)) {
            /* Few distinct scores so ties (member order) happen often. */
            model_item it = {.score = (double)(rnd() % 50) / 2};
            snprintf(it.name, sizeof(it.name), "m%d", (int)(rnd() % 100000) * 10 + (next_name++ % 10));
            int dup = 0;
            for (size_t i = 0; i < n; i++) dup |= strcmp(m[i].name, it.name) == 0;
            if (dup) continue;
            zsl_insert(zsl, it.score, sds_new(it.name));
            m[n++] = it;
            qsort(m, n, sizeof(*m), model_cmp);
        } else if (r < 8) {
            size_t k = rnd() % n;
            sds key = sds_new(m[k].name);
            ck_assert_uint_eq(zsl_get_rank(zsl, m[k].score, key), k + 1);
            ck_assert_int_eq(zsl_delete(zsl, m[k].score, key, NULL), 1);
            sds_free(key);
            memmove(m + k, m + k + 1, (n - k - 1) * sizeof(*m));
            n--;
        } else {
            size_t k = rnd() % n;
            double ns = (rnd() % 4 == 0) ? m[k].score + 0.25 : (double)(rnd() % 60) / 2 - 5;
            sds key = sds_new(m[k].name);
            zsl_node *x = zsl_update_score(zsl, m[k].score, key, ns);
            ck_assert_str_eq(x->ele, m[k].name);
            ck_assert(x->score == ns);
            sds_free(key);
            m[k].score = ns;
            qsort(m, n, sizeof(*m), model_cmp);
        }
        if (n) {
            size_t k = rnd() % n;
            sds key = sds_new(m[k].name);
            ck_assert_uint_eq(zsl_get_rank(zsl, m[k].score, key), k + 1);
            ck_assert_str_eq(zsl_get_element_by_rank(zsl, k + 1)->ele, m[k].name);
            sds_free(key);
        }
        if (op % FULL_CHECK_EVERY == 0) {
            check_structure(zsl);
            check_against_model(zsl, m, n);
        }
    }
    check_structure(zsl);
    check_against_model(zsl, m, n);
    zsl_free(zsl);
    free(m);
}
END_TEST

START_TEST(test_levels_grow) {
    zskiplist *zsl = zsl_create();
    char buf[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(buf, sizeof(buf), "%08d", i);
        zsl_insert(zsl, i, sds_new(buf));
    }
    /* With p = 1/4, 20000 nodes reach about log4(20000) ~ 7 levels. */
    ck_assert_int_ge(zsl->level, 4);
    ck_assert_int_le(zsl->level, 16);
    ck_assert_str_eq(zsl_get_element_by_rank(zsl, 12345)->ele, "00012344");
    check_structure(zsl);
    zsl_free(zsl);
}
END_TEST

/* --------------------------------------------------------------- ranges */

static const char *const ten_names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
static const double ten_scores[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static void expect_range(const zskiplist *zsl, double min, int minex, double max, int maxex, const char *first,
                         const char *last) {
    zsl_range r = {.min = min, .max = max, .minex = minex, .maxex = maxex};
    zsl_node *f = zsl_first_in_range(zsl, &r), *l = zsl_last_in_range(zsl, &r);
    if (!first) {
        ck_assert_ptr_null(f);
        ck_assert_ptr_null(l);
        return;
    }
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(l);
    ck_assert_str_eq(f->ele, first);
    ck_assert_str_eq(l->ele, last);
    ck_assert_int_eq(zsl_is_in_range(zsl, &r), 1);
}

START_TEST(test_score_ranges) {
    zskiplist *zsl = build(ten_scores, (const char **)ten_names, 10);
    expect_range(zsl, 3, 0, 5, 0, "c", "e");
    expect_range(zsl, 3, 1, 5, 0, "d", "e");
    expect_range(zsl, 3, 0, 5, 1, "c", "d");
    expect_range(zsl, 3, 1, 5, 1, "d", "d");
    expect_range(zsl, 3, 1, 4, 1, NULL, NULL); /* nothing strictly between */
    expect_range(zsl, 2.5, 0, 2.7, 0, NULL, NULL);
    expect_range(zsl, -INFINITY, 0, INFINITY, 0, "a", "j");
    expect_range(zsl, -INFINITY, 1, INFINITY, 1, "a", "j");
    expect_range(zsl, -INFINITY, 0, 1, 0, "a", "a");
    expect_range(zsl, -INFINITY, 0, 1, 1, NULL, NULL);
    expect_range(zsl, 10, 0, INFINITY, 0, "j", "j");
    expect_range(zsl, 10, 1, INFINITY, 0, NULL, NULL);
    expect_range(zsl, 11, 0, 20, 0, NULL, NULL);
    expect_range(zsl, 5, 0, 5, 0, "e", "e");
    expect_range(zsl, 5, 1, 5, 0, NULL, NULL);
    expect_range(zsl, 6, 0, 5, 0, NULL, NULL); /* min > max */
    zsl_range empty = {.min = 5, .max = 5, .maxex = 1};
    ck_assert_int_eq(zsl_is_in_range(zsl, &empty), 0);
    ck_assert_int_eq(zsl_value_gte_min(3, &(zsl_range){.min = 3, .minex = 1}), 0);
    ck_assert_int_eq(zsl_value_gte_min(3, &(zsl_range){.min = 3}), 1);
    ck_assert_int_eq(zsl_value_lte_max(3, &(zsl_range){.max = 3, .maxex = 1}), 0);
    ck_assert_int_eq(zsl_value_lte_max(3, &(zsl_range){.max = 3}), 1);
    zsl_free(zsl);
}
END_TEST

static void expect_lex(const zskiplist *zsl, const char *min, const char *max, const char *first, const char *last) {
    zsl_lex_range r;
    const char *err = NULL;
    ck_assert_int_eq(zsl_parse_lex_range(min, strlen(min), max, strlen(max), &r, &err), 0);
    zsl_node *f = zsl_first_in_lex_range(zsl, &r), *l = zsl_last_in_lex_range(zsl, &r);
    if (!first) {
        ck_assert_ptr_null(f);
        ck_assert_ptr_null(l);
        ck_assert_int_eq(zsl_is_in_lex_range(zsl, &r), f != NULL);
    } else {
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(l);
        ck_assert_str_eq(f->ele, first);
        ck_assert_str_eq(l->ele, last);
    }
    zsl_free_lex_range(&r);
}

START_TEST(test_lex_ranges) {
    double zero[] = {0, 0, 0, 0, 0, 0};
    const char *names[] = {"a", "aa", "b", "ba", "c", "d"};
    zskiplist *zsl = build(zero, names, 6);
    expect_lex(zsl, "-", "+", "a", "d");
    expect_lex(zsl, "[a", "[b", "a", "b");
    expect_lex(zsl, "(a", "[b", "aa", "b");
    expect_lex(zsl, "(a", "(b", "aa", "aa");
    expect_lex(zsl, "[", "(b", "a", "aa");     /* "" is below everything */
    expect_lex(zsl, "[b", "+", "b", "d");
    expect_lex(zsl, "-", "(b", "a", "aa");
    expect_lex(zsl, "(d", "+", NULL, NULL);
    expect_lex(zsl, "+", "-", NULL, NULL);
    expect_lex(zsl, "+", "+", NULL, NULL);
    expect_lex(zsl, "-", "-", NULL, NULL);
    expect_lex(zsl, "[c", "[b", NULL, NULL);   /* min > max */
    expect_lex(zsl, "[b", "(b", NULL, NULL);   /* equal, one exclusive */
    expect_lex(zsl, "[b", "[b", "b", "b");
    expect_lex(zsl, "(bz", "[cz", "c", "c");
    expect_lex(zsl, "[e", "+", NULL, NULL);

    ck_assert_int_lt(zsl_lex_cmp(ZSL_LEX_MIN, ZSL_LEX_MAX), 0);
    ck_assert_int_gt(zsl_lex_cmp(ZSL_LEX_MAX, ZSL_LEX_MIN), 0);
    ck_assert_int_eq(zsl_lex_cmp(ZSL_LEX_MAX, ZSL_LEX_MAX), 0);
    sds e = sds_empty();
    ck_assert_int_lt(zsl_lex_cmp(ZSL_LEX_MIN, e), 0);
    ck_assert_int_gt(zsl_lex_cmp(e, ZSL_LEX_MIN), 0);
    ck_assert_int_lt(zsl_lex_cmp(e, ZSL_LEX_MAX), 0);
    sds_free(e);
    zsl_free(zsl);
}
END_TEST

/* ------------------------------------------------------- range removal */

typedef struct {
    int calls;
    char seen[64];
} removed_log;

static void on_removed(void *privdata, sds ele) {
    removed_log *log = privdata;
    log->calls++;
    strncat(log->seen, ele, sizeof(log->seen) - strlen(log->seen) - 1);
}

static void remaining(const zskiplist *zsl, const char *want) {
    char buf[64] = "";
    for (const zsl_node *x = zsl->header->level[0].forward; x; x = x->level[0].forward) strcat(buf, x->ele);
    ck_assert_str_eq(buf, want);
}

START_TEST(test_delete_range_by_score) {
    zskiplist *zsl = build(ten_scores, (const char **)ten_names, 10);
    removed_log log = {0};
    zsl_range r = {.min = 3, .max = 6, .minex = 1};
    ck_assert_uint_eq(zsl_delete_range_by_score(zsl, &r, on_removed, &log), 3);
    ck_assert_int_eq(log.calls, 3);
    ck_assert_str_eq(log.seen, "def");
    remaining(zsl, "abcghij");
    check_structure(zsl);
    r = (zsl_range){.min = 8, .max = INFINITY, .maxex = 1};
    ck_assert_uint_eq(zsl_delete_range_by_score(zsl, &r, NULL, NULL), 3);
    remaining(zsl, "abcg");
    ck_assert_str_eq(zsl->tail->ele, "g");
    r = (zsl_range){.min = 5, .max = 4};
    ck_assert_uint_eq(zsl_delete_range_by_score(zsl, &r, NULL, NULL), 0);
    r = (zsl_range){.min = 7, .max = 7, .minex = 1};
    ck_assert_uint_eq(zsl_delete_range_by_score(zsl, &r, NULL, NULL), 0);
    r = (zsl_range){.min = -INFINITY, .max = INFINITY};
    ck_assert_uint_eq(zsl_delete_range_by_score(zsl, &r, NULL, NULL), 4);
    ck_assert_uint_eq(zsl_length(zsl), 0);
    ck_assert_ptr_null(zsl->tail);
    ck_assert_int_eq(zsl->level, 1);
    check_structure(zsl);
    zsl_free(zsl);
}
END_TEST

START_TEST(test_delete_range_by_lex) {
    double zero[10] = {0};
    zskiplist *zsl = build(zero, (const char **)ten_names, 10);
    removed_log log = {0};
    zsl_lex_range r;
    ck_assert_int_eq(zsl_parse_lex_range("[c", 2, "(f", 2, &r, NULL), 0);
    ck_assert_uint_eq(zsl_delete_range_by_lex(zsl, &r, on_removed, &log), 3);
    zsl_free_lex_range(&r);
    ck_assert_str_eq(log.seen, "cde");
    remaining(zsl, "abfghij");
    ck_assert_int_eq(zsl_parse_lex_range("(h", 2, "+", 1, &r, NULL), 0);
    ck_assert_uint_eq(zsl_delete_range_by_lex(zsl, &r, NULL, NULL), 2);
    zsl_free_lex_range(&r);
    remaining(zsl, "abfgh");
    ck_assert_int_eq(zsl_parse_lex_range("-", 1, "[a", 2, &r, NULL), 0);
    ck_assert_uint_eq(zsl_delete_range_by_lex(zsl, &r, NULL, NULL), 1);
    zsl_free_lex_range(&r);
    remaining(zsl, "bfgh");
    check_structure(zsl);
    zsl_free(zsl);
}
END_TEST

START_TEST(test_delete_range_by_rank) {
    zskiplist *zsl = build(ten_scores, (const char **)ten_names, 10);
    removed_log log = {0};
    ck_assert_uint_eq(zsl_delete_range_by_rank(zsl, 2, 4, on_removed, &log), 3);
    ck_assert_str_eq(log.seen, "bcd");
    remaining(zsl, "aefghij");
    check_structure(zsl);
    ck_assert_uint_eq(zsl_delete_range_by_rank(zsl, 6, 100, NULL, NULL), 2);
    remaining(zsl, "aefgh");
    ck_assert_uint_eq(zsl_delete_range_by_rank(zsl, 1, 1, NULL, NULL), 1);
    remaining(zsl, "efgh");
    ck_assert_uint_eq(zsl_delete_range_by_rank(zsl, 5, 9, NULL, NULL), 0);
    ck_assert_uint_eq(zsl_delete_range_by_rank(zsl, 3, 2, NULL, NULL), 0);
    sds h = sds_new("h");
    ck_assert_uint_eq(zsl_get_rank(zsl, 8, h), 4);
    sds_free(h);
    check_structure(zsl);
    zsl_free(zsl);
}
END_TEST

/* Random range removals checked against the model. */
START_TEST(test_delete_range_random) {
    for (int round = 0; round < 40; round++) {
        enum { N = 200 };
        zskiplist *zsl = zsl_create();
        model_item m[N];
        for (int i = 0; i < N; i++) {
            m[i].score = (double)(rnd() % 40);
            snprintf(m[i].name, sizeof(m[i].name), "k%03d", i);
            zsl_insert(zsl, m[i].score, sds_new(m[i].name));
        }
        qsort(m, N, sizeof(*m), model_cmp);
        unsigned long start = 1 + rnd() % N, end = start + rnd() % 50;
        unsigned long want = (end > N ? N : end) - start + 1;
        ck_assert_uint_eq(zsl_delete_range_by_rank(zsl, start, end, NULL, NULL), want);
        size_t n = N;
        memmove(m + start - 1, m + start - 1 + want, (n - (start - 1 + want)) * sizeof(*m));
        n -= want;
        check_structure(zsl);
        check_against_model(zsl, m, n);

        zsl_range r = {.min = (double)(rnd() % 40), .minex = (int)(rnd() % 2), .maxex = (int)(rnd() % 2)};
        r.max = r.min + (double)(rnd() % 10);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!(zsl_value_gte_min(m[i].score, &r) && zsl_value_lte_max(m[i].score, &r))) m[k++] = m[i];
        ck_assert_uint_eq(zsl_delete_range_by_score(zsl, &r, NULL, NULL), n - k);
        check_structure(zsl);
        check_against_model(zsl, m, k);
        zsl_free(zsl);
    }
}
END_TEST

/* -------------------------------------------------------------- parsers */

static void parse_ok(const char *min, const char *max, double wmin, int wminex, double wmax, int wmaxex) {
    zsl_range r;
    const char *err = NULL;
    ck_assert_msg(zsl_parse_range(min, max, &r, &err) == 0, "refused [%s] [%s]", min, max);
    ck_assert_ptr_null(err);
    ck_assert(r.min == wmin);
    ck_assert(r.max == wmax);
    ck_assert_int_eq(r.minex, wminex);
    ck_assert_int_eq(r.maxex, wmaxex);
}

static void parse_bad(const char *min, const char *max) {
    zsl_range r;
    const char *err = NULL;
    ck_assert_msg(zsl_parse_range(min, max, &r, &err) == -1, "accepted [%s] [%s]", min, max);
    ck_assert_str_eq(err, "min or max is not a float");
}

START_TEST(test_parse_range) {
    parse_ok("1", "2", 1, 0, 2, 0);
    parse_ok("(1.5", "+inf", 1.5, 1, INFINITY, 0);
    parse_ok("-inf", "(5", -INFINITY, 0, 5, 1);
    parse_ok("(-inf", "(+inf", -INFINITY, 1, INFINITY, 1);
    parse_ok("inf", "Infinity", INFINITY, 0, INFINITY, 0);
    /* strtod's leniency, which Redis 7.0 shares (checked against it). */
    parse_ok("", "(", 0, 0, 0, 1);
    parse_ok(" 1", "1e2", 1, 0, 100, 0);
    parse_ok("0x10", "-0", 16, 0, 0, 0);
    parse_bad("[1", "2");
    parse_bad("1", "nan");
    parse_bad("(nan", "1");
    parse_bad("1 ", "2");
    parse_bad("abc", "2");
    parse_bad("1", "1.5x");
    parse_bad("((1", "2");
    parse_bad("1", "((2");
    ck_assert_int_eq(zsl_parse_range("x", "1", &(zsl_range){0}, NULL), -1); /* err may be NULL */
}
END_TEST

static void lex_ok(const char *min, size_t minlen, const char *max, size_t maxlen, const char *wmin, int wminex,
                   const char *wmax, int wmaxex) {
    zsl_lex_range r;
    const char *err = NULL;
    ck_assert_int_eq(zsl_parse_lex_range(min, minlen, max, maxlen, &r, &err), 0);
    ck_assert_ptr_null(err);
    if (wmin == NULL) ck_assert_ptr_eq(r.min, ZSL_LEX_MIN);
    else if (wmin == (const char *)1) ck_assert_ptr_eq(r.min, ZSL_LEX_MAX);
    else ck_assert_str_eq(r.min, wmin);
    if (wmax == NULL) ck_assert_ptr_eq(r.max, ZSL_LEX_MIN);
    else if (wmax == (const char *)1) ck_assert_ptr_eq(r.max, ZSL_LEX_MAX);
    else ck_assert_str_eq(r.max, wmax);
    ck_assert_int_eq(r.minex, wminex);
    ck_assert_int_eq(r.maxex, wmaxex);
    zsl_free_lex_range(&r);
}

static void lex_bad(const char *min, size_t minlen, const char *max, size_t maxlen) {
    zsl_lex_range r;
    const char *err = NULL;
    ck_assert_int_eq(zsl_parse_lex_range(min, minlen, max, maxlen, &r, &err), -1);
    ck_assert_str_eq(err, "min or max not valid string range item");
}

START_TEST(test_parse_lex_range) {
    const char *PLUS = (const char *)1;
    lex_ok("-", 1, "+", 1, NULL, 1, PLUS, 1);
    lex_ok("+", 1, "-", 1, PLUS, 1, NULL, 1);
    lex_ok("[a", 2, "(b", 2, "a", 0, "b", 1);
    lex_ok("[", 1, "(", 1, "", 0, "", 1);
    lex_ok("[-", 2, "(+", 2, "-", 0, "+", 1);
    lex_ok("((", 2, "[[", 2, "(", 1, "[", 0);
    /* Binary-safe bodies. */
    zsl_lex_range r;
    ck_assert_int_eq(zsl_parse_lex_range("[a\0b", 4, "+", 1, &r, NULL), 0);
    ck_assert_uint_eq(sds_len(r.min), 3);
    ck_assert_mem_eq(r.min, "a\0b", 3);
    zsl_free_lex_range(&r);

    lex_bad("a", 1, "+", 1);
    lex_bad("", 0, "+", 1);
    lex_bad("-", 1, "", 0);
    lex_bad("--", 2, "+", 1);
    lex_bad("-", 1, "++", 2);
    lex_bad("[a", 2, "b", 1); /* min parsed, then max refused: nothing leaks */
    lex_bad("(a", 2, "x", 1);
}
END_TEST

/* zsl_free_step frees a detached skiplist in bounded steps: it reports
 * "not done" while nodes remain, and the leak fixture sees nothing left. */
START_TEST(test_free_in_steps) {
    zskiplist *zsl = zsl_create();
    for (int i = 0; i < 1000; i++) zsl_insert(zsl, i, sds_cat_printf(sds_empty(), "m%d", i));
    int steps = 0;
    while (!zsl_free_step(zsl, 64)) steps++;
    ck_assert_int_eq(steps, 15); /* 1000 nodes, 64 per step: done on the 16th */
    zskiplist *empty = zsl_create();
    ck_assert_int_eq(zsl_free_step(empty, 1), 1);
}
END_TEST

static Suite *skiplist_suite(void) {
    Suite *s = suite_create("skiplist");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_free_in_steps);
    tcase_add_test(tc, test_insert_order);
    tcase_add_test(tc, test_delete_and_node_out);
    tcase_add_test(tc, test_update_score);
    tcase_add_test(tc, test_random_against_model);
    tcase_add_test(tc, test_levels_grow);
    tcase_add_test(tc, test_score_ranges);
    tcase_add_test(tc, test_lex_ranges);
    tcase_add_test(tc, test_delete_range_by_score);
    tcase_add_test(tc, test_delete_range_by_lex);
    tcase_add_test(tc, test_delete_range_by_rank);
    tcase_add_test(tc, test_delete_range_random);
    tcase_add_test(tc, test_parse_range);
    tcase_add_test(tc, test_parse_lex_range);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(skiplist_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
