/* test_quicklist.c -- Check suites for the list type's quicklist: pushes and
 * pops at both ends, index / replace / insert / range delete / iterator
 * delete checked against a plain array model under thousands of random
 * operations for several fill settings, node splits and merges counted,
 * oversized elements alone in their nodes, empty-list behaviour. Every
 * test ends by checking zmalloc's counter is back where it started. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listpack.h"
#include "lzf.h"
#include "quicklist.h"
#include "sds.h"
#include "zmalloc.h"

static size_t mem_at_start;

static void setup(void) {
    mem_at_start = zmalloc_used_memory();
}

static void teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

static unsigned long long test_rng = 0x2545F4914F6CDD1DULL;
static unsigned long long rnd(void) {
    test_rng ^= test_rng << 13;
    test_rng ^= test_rng >> 7;
    test_rng ^= test_rng << 17;
    return test_rng;
}

static const size_t size_levels[] = {4096, 8192, 16384, 32768, 65536};

/* Node budget in bytes the fill implies. */
static size_t byte_limit(int fill) {
    return fill < 0 ? size_levels[-fill - 1] : QL_SIZE_SAFETY_LIMIT_BYTES;
}

/* The packed threshold a test set (0: default, not checked). */
static size_t plain_threshold;

/* Links, counts and fill limits of every node; with a compress depth,
 * plain ends and compressed insides (but for one node left plain by a
 * read, and nodes whose compression did not pay). */
static void check_structure(const quicklist *ql) {
    unsigned long total = 0, nodes = 0, plain_inner = 0;
    const ql_node *prev = NULL;
    for (const ql_node *n = ql->head; n; n = n->next) {
        ck_assert_ptr_eq(n->prev, prev);
        ck_assert_uint_gt(n->count, 0);
        unsigned char *lp = n->compressed ? NULL : n->lp;
        if (lp == NULL) {
            size_t lzf_len;
            const unsigned char *lzf = ql_node_lzf(n, &lzf_len);
            ck_assert_ptr_nonnull(lzf);
            lp = malloc(n->sz);
            ck_assert_uint_eq(lzf_decompress(lzf, lzf_len, lp, n->sz), n->sz);
            if (n->plain) { /* the bare element */
                unsigned char *elem = lp;
                lp = lp_append(lp_new(0), elem, n->sz);
                free(elem);
            } else {
                ck_assert_uint_eq(lp_bytes(lp), n->sz);
            }
            ck_assert_uint_ge(n->sz, QL_MIN_COMPRESS_BYTES);
            ck_assert_uint_lt(lzf_len + QL_MIN_COMPRESS_IMPROVE, n->sz);
        }
        ck_assert_uint_eq(lp_length(lp), n->count);
        if (n->plain) {
            ck_assert_uint_eq(n->count, 1);
        }
        if (plain_threshold && !n->plain) { /* every element below the threshold */
            for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
                unsigned char buf[LP_INTBUF_SIZE];
                const unsigned char *str;
                uint32_t len;
                lp_get(p, NULL, &str, &len, buf);
                ck_assert_uint_lt(len, plain_threshold);
            }
        }
        /* (LSET replaces in place whatever the node's size then, as Redis
         * 7.0 does, so a node's bytes may pass the fill's budget.) */
        if (n->count > 1) {
            if (ql->fill > 0) ck_assert_uint_le(n->count, (unsigned)ql->fill);
        }
        int inner = nodes >= (unsigned long)ql->compress && ql->len - nodes > (unsigned long)ql->compress;
        if (ql->compress && !inner && ql->len >= 2 * (unsigned long)ql->compress) ck_assert(!n->compressed);
        if (ql->compress && inner && !n->compressed && !n->no_gain) plain_inner++;
        if (n->compressed) {
            if (n->plain) lp_free(lp);
            else free(lp);
        }
        total += n->count;
        nodes++;
        prev = n;
    }
    ck_assert_uint_le(plain_inner, 1);
    ck_assert_ptr_eq(ql->tail, prev);
    ck_assert_uint_eq(ql->count, total);
    ck_assert_uint_eq(ql_count_nodes(ql), nodes);
}

/* -------------------------------------------------------------- model */

typedef struct {
    char *s;
    size_t len;
} mval;

typedef struct {
    mval *v;
    size_t n, cap;
} model;

static void model_insert(model *m, size_t at, const char *s, size_t len) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = realloc(m->v, m->cap * sizeof(*m->v));
    }
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(*m->v));
    m->v[at].s = malloc(len + 1);
    memcpy(m->v[at].s, s, len);
    m->v[at].len = len;
    m->n++;
}

static void model_delete(model *m, size_t at, size_t count) {
    for (size_t i = at; i < at + count; i++) free(m->v[i].s);
    memmove(m->v + at, m->v + at + count, (m->n - at - count) * sizeof(*m->v));
    m->n -= count;
}

static void model_free(model *m) {
    model_delete(m, 0, m->n);
    free(m->v);
}

static int entry_is(const ql_entry *e, const mval *v) {
    sds s = ql_entry_to_sds(e);
    int same = sds_len(s) == v->len && memcmp(s, v->s, v->len) == 0;
    sds_free(s);
    return same;
}

static void check_against_model(quicklist *ql, const model *m) {
    ck_assert_uint_eq(ql_length(ql), m->n);
    ql_iter it;
    ql_entry e;
    size_t i = 0;
    ql_iter_init(ql, &it, QL_HEAD_TO_TAIL);
    while (ql_next(&it, &e)) {
        ck_assert_uint_lt(i, m->n);
        ck_assert_msg(entry_is(&e, &m->v[i]), "mismatch at %zu", i);
        ck_assert_int_eq(ql_entry_eq(&e, m->v[i].s, m->v[i].len), 1);
        i++;
    }
    ck_assert_uint_eq(i, m->n);
    ql_iter_init(ql, &it, QL_TAIL_TO_HEAD);
    while (ql_next(&it, &e)) ck_assert(entry_is(&e, &m->v[--i]));
    ck_assert_uint_eq(i, 0);
}

/* Random values: integers (stored as such), look-alikes that must stay
 * strings, a few repeated tokens (for LREM-style deletes), medium strings
 * and, rarely, values bigger than any node budget. */
static size_t random_value(char *buf, int allow_big) {
    static const char *tokens[] = {"a", "b", "x", "", "hello", "0", "-1", "9223372036854775807"};
    static const char *lookalikes[] = {"007", "+5", "-0", " 1", "1.5", "1e3", "-9223372036854775809"};
    unsigned r = (unsigned)(rnd() % 100);
    if (r < 25) return (size_t)sprintf(buf, "%lld", (long long)(rnd() >> (1 + rnd() % 63)) * (rnd() % 2 ? 1 : -1));
    if (r < 32) return (size_t)sprintf(buf, "%s", lookalikes[rnd() % 7]);
    if (r < 70) return (size_t)sprintf(buf, "%s", tokens[rnd() % 8]);
    size_t len = (r < 97 || !allow_big) ? 20 + rnd() % 600 : 5000 + rnd() % 66000;
    for (size_t i = 0; i < len; i++) buf[i] = (char)('a' + rnd() % 26);
    if (len > 2) buf[len / 2] = '\0'; /* binary safe */
    return len;
}

#define VALBUF_BYTES 80000

/* ---------------------------------------------------------- small tests */

START_TEST(test_empty) {
    quicklist *ql = ql_create(QL_FILL_DEFAULT);
    sds s = NULL;
    long long iv = 0;
    ck_assert_uint_eq(ql_length(ql), 0);
    ck_assert_uint_eq(ql_count_nodes(ql), 0);
    ck_assert_int_eq(ql_pop_head(ql, &s, &iv), QL_POP_EMPTY);
    ck_assert_int_eq(ql_pop_tail(ql, &s, NULL), QL_POP_EMPTY);
    ck_assert_ptr_null(s);
    ql_entry e;
    ck_assert_int_eq(ql_index(ql, 0, &e), 0);
    ck_assert_int_eq(ql_index(ql, -1, &e), 0);
    ck_assert_int_eq(ql_replace_at_index(ql, 0, "a", 1), 0);
    ck_assert_uint_eq(ql_del_range(ql, 0, 10), 0);
    ck_assert_int_eq(ql_find(ql, 0, "a", 1), -1);
    ql_iter it;
    ql_iter_init(ql, &it, QL_HEAD_TO_TAIL);
    ck_assert_int_eq(ql_next(&it, &e), 0);
    ql_iter_init(ql, &it, QL_TAIL_TO_HEAD);
    ck_assert_int_eq(ql_next(&it, &e), 0);
    ck_assert_int_eq(ql_iter_init_at(ql, &it, QL_HEAD_TO_TAIL, 0), 0);
    ck_assert_int_eq(ql_next(&it, &e), 0);
    quicklist *d = ql_dup(ql);
    ck_assert_uint_eq(ql_length(d), 0);
    ql_free(d);
    ql_append_listpack(ql, lp_new(0)); /* empty listpack: just freed */
    ck_assert_uint_eq(ql_count_nodes(ql), 0);
    check_structure(ql);
    ql_free(ql);
}
END_TEST

START_TEST(test_push_pop_ends) {
    quicklist *ql = ql_create(3);
    ql_push_tail(ql, "b", 1);
    ql_push_head(ql, "a", 1);
    ql_push_tail(ql, "42", 2);
    ql_push(ql, "z", 1, QL_HEAD);
    ql_push(ql, "-7", 2, QL_TAIL);
    check_structure(ql);
    ck_assert_uint_eq(ql_length(ql), 5);
    ck_assert_uint_eq(ql_count_nodes(ql), 3); /* [z][a b 42][-7] */

    sds s = NULL;
    long long iv = 0;
    ck_assert_int_eq(ql_pop_head(ql, &s, &iv), QL_POP_STR);
    ck_assert_str_eq(s, "z");
    sds_free(s);
    ck_assert_int_eq(ql_pop_tail(ql, &s, &iv), QL_POP_INT);
    ck_assert_int_eq(iv, -7);
    ck_assert_int_eq(ql_pop_tail(ql, &s, NULL), QL_POP_STR); /* ints as text */
    ck_assert_str_eq(s, "42");
    sds_free(s);
    ck_assert_int_eq(ql_pop(ql, QL_HEAD, NULL, NULL), QL_POP_STR); /* dropped */
    ck_assert_uint_eq(ql_length(ql), 1);
    ck_assert_int_eq(ql_pop(ql, QL_TAIL, &s, NULL), QL_POP_STR);
    ck_assert_str_eq(s, "b");
    sds_free(s);
    ck_assert_uint_eq(ql_count_nodes(ql), 0);
    ck_assert_ptr_null(ql->head);
    ck_assert_ptr_null(ql->tail);
    check_structure(ql);
    ql_free(ql);
}
END_TEST

START_TEST(test_values_kept_exactly) {
    quicklist *ql = ql_create(QL_FILL_DEFAULT);
    const char *vals[] = {"123", "007", "-0", "+1", "9223372036854775807", "-9223372036854775808",
                          "9223372036854775808", "", "1.0"};
    for (int i = 0; i < 9; i++) ql_push_tail(ql, vals[i], strlen(vals[i]));
    ql_push_tail(ql, "a\0b", 3);
    ql_entry e;
    ck_assert_int_eq(ql_index(ql, 0, &e), 1);
    ck_assert_ptr_null(e.str); /* canonical integer: stored as one */
    ck_assert_int_eq(e.ival, 123);
    ck_assert_int_eq(ql_entry_eq(&e, "123", 3), 1);
    ck_assert_int_eq(ql_entry_eq(&e, "0123", 4), 0);
    ck_assert_int_eq(ql_entry_eq(&e, "124", 3), 0);
    ck_assert_int_eq(ql_index(ql, 1, &e), 1);
    ck_assert_ptr_nonnull(e.str);
    ck_assert_int_eq(ql_entry_eq(&e, "007", 3), 1);
    ck_assert_int_eq(ql_entry_eq(&e, "7", 1), 0);
    ck_assert_int_eq(ql_index(ql, 5, &e), 1);
    ck_assert_ptr_null(e.str);
    ck_assert(e.ival == (-9223372036854775807LL - 1));
    for (int i = 0; i < 9; i++) {
        sds s;
        ck_assert_int_eq(ql_pop_head(ql, &s, NULL), QL_POP_STR);
        ck_assert_str_eq(s, vals[i]);
        sds_free(s);
    }
    ck_assert_int_eq(ql_index(ql, -1, &e), 1);
    ck_assert_int_eq(ql_entry_eq(&e, "a\0b", 3), 1);
    ck_assert_int_eq(ql_entry_eq(&e, "a", 1), 0);
    ql_free(ql);
}
END_TEST

START_TEST(test_fill_sets_node_sizes) {
    /* Positive fill: entries per node. */
    int fills[] = {1, 2, 128};
    unsigned long want_nodes[] = {1000, 500, 8};
    for (int f = 0; f < 3; f++) {
        quicklist *ql = ql_create(fills[f]);
        char buf[16];
        /* 500 at the tail, then 500 at the head: each side fills its own
         * nodes, so the counts are exact. */
        for (int i = 0; i < 1000; i++) {
            int len = sprintf(buf, "v%d", i);
            if (i < 500) ql_push_tail(ql, buf, (size_t)len);
            else ql_push_head(ql, buf, (size_t)len);
        }
        ck_assert_uint_eq(ql_count_nodes(ql), want_nodes[f]);
        check_structure(ql);
        ql_free(ql);
    }
    /* fill 0 behaves as one element a node; clamps at both ends. */
    quicklist *ql = ql_create(0);
    for (int i = 0; i < 5; i++) ql_push_tail(ql, "x", 1);
    ck_assert_uint_eq(ql_count_nodes(ql), 5);
    ql_free(ql);
    ql = ql_create(1000000);
    ck_assert_int_eq(ql->fill, QL_FILL_MAX);
    ql_set_options(ql, -100, 3);
    ck_assert_int_eq(ql->fill, QL_FILL_MIN);
    ck_assert_int_eq(ql->compress, 3);
    ql_free(ql);

    /* Negative fill: bytes per node; every node but the last is as full as
     * the budget allows for 100-byte values. */
    char val[100];
    memset(val, 'q', sizeof(val));
    for (int fill = -1; fill >= -5; fill--) {
        ql = ql_create(fill);
        for (int i = 0; i < 2000; i++) ql_push_tail(ql, val, sizeof(val));
        check_structure(ql);
        for (ql_node *n = ql->head; n != ql->tail; n = n->next)
            ck_assert_uint_gt(lp_bytes(n->lp) + sizeof(val) + 11, byte_limit(fill));
        unsigned long per_node = ql->head->count;
        ck_assert_uint_eq(ql_count_nodes(ql), (2000 + per_node - 1) / per_node);
        ck_assert_uint_gt(per_node, byte_limit(fill) / 110);
        ql_free(ql);
    }
}
END_TEST

START_TEST(test_large_elements) {
    int fills[] = {-2, 128, -5};
    for (int f = 0; f < 3; f++) {
        quicklist *ql = ql_create(fills[f]);
        size_t big_len = byte_limit(fills[f]) + 100;
        char *big = malloc(big_len);
        memset(big, 'B', big_len);
        ql_push_tail(ql, "s1", 2);
        ql_push_tail(ql, big, big_len);
        ql_push_tail(ql, "s2", 2);
        ql_push_tail(ql, "s3", 2);
        ql_push_head(ql, big, big_len);
        check_structure(ql);
        ck_assert_uint_eq(ql_count_nodes(ql), 4); /* [big][s1][big][s2 s3] */
        ck_assert_uint_eq(ql->head->count, 1);
        ck_assert_uint_eq(ql->head->next->next->count, 1);

        /* Inserting next to a big element never joins its node. */
        ql_entry e;
        ck_assert_int_eq(ql_index(ql, 2, &e), 1);
        ql_insert_after(ql, &e, "after", 5);
        ck_assert_int_eq(ql_index(ql, 2, &e), 1);
        ql_insert_before(ql, &e, "before", 6);
        check_structure(ql);
        ck_assert_uint_eq(ql_length(ql), 7);
        ck_assert_int_eq(ql_index(ql, 3, &e), 1);
        ck_assert_uint_eq(e.len, big_len);
        ck_assert_uint_eq(e.node->count, 1);

        /* Replacing a small value by a big one moves it out. */
        ck_assert_int_eq(ql_replace_at_index(ql, -1, big, big_len), 1);
        check_structure(ql);
        ck_assert_int_eq(ql_index(ql, -1, &e), 1);
        ck_assert_uint_eq(e.len, big_len);
        ck_assert_int_eq(ql_index(ql, -2, &e), 1);
        ck_assert_int_eq(ql_entry_eq(&e, "s2", 2), 1);

        sds s;
        ck_assert_int_eq(ql_pop_tail(ql, &s, NULL), QL_POP_STR);
        ck_assert_uint_eq(sds_len(s), big_len);
        ck_assert_int_eq(memcmp(s, big, big_len), 0);
        sds_free(s);
        free(big);
        check_structure(ql);
        ql_free(ql);
    }
}
END_TEST

static void push_numbers(quicklist *ql, int from, int to) {
    char buf[16];
    for (int i = from; i <= to; i++) ql_push_tail(ql, buf, (size_t)sprintf(buf, "%d", i));
}

static void expect_list(quicklist *ql, const char *want) {
    sds all = sds_empty();
    ql_iter it;
    ql_entry e;
    ql_iter_init(ql, &it, QL_HEAD_TO_TAIL);
    while (ql_next(&it, &e)) {
        sds v = ql_entry_to_sds(&e);
        if (sds_len(all)) all = sds_cat(all, " ");
        all = sds_cat_sds(all, v);
        sds_free(v);
    }
    ck_assert_str_eq(all, want);
    sds_free(all);
}

START_TEST(test_split_and_merge) {
    quicklist *ql = ql_create(4);
    push_numbers(ql, 0, 7);
    ck_assert_uint_eq(ql_count_nodes(ql), 2);
    ql_entry e;
    /* Middle of a full node: split into [0 1 X] [2 3]. */
    ck_assert_int_eq(ql_index(ql, 1, &e), 1);
    ql_insert_after(ql, &e, "X", 1);
    expect_list(ql, "0 1 X 2 3 4 5 6 7");
    ck_assert_uint_eq(ql_count_nodes(ql), 3);
    check_structure(ql);
    /* After the last entry of a node with room: stays in that node. */
    ck_assert_int_eq(ql_index(ql, 4, &e), 1);
    ql_insert_after(ql, &e, "Y", 1);
    expect_list(ql, "0 1 X 2 3 Y 4 5 6 7");
    ck_assert_uint_eq(ql_count_nodes(ql), 3);
    /* Deleting X leaves [0 1] [2 3 Y]: 2 + 3 > 4, no merge. */
    ck_assert_uint_eq(ql_del_range(ql, 2, 1), 1);
    expect_list(ql, "0 1 2 3 Y 4 5 6 7");
    ck_assert_uint_eq(ql_count_nodes(ql), 3);
    /* Deleting Y: [0 1] + [2 3] would fit in one node, but deletions
     * never merge (Redis 7.0 leaves the nodes; boundaries show in DUMP). */
    ck_assert_uint_eq(ql_del_range(ql, 4, 1), 1);
    expect_list(ql, "0 1 2 3 4 5 6 7");
    ck_assert_uint_eq(ql_count_nodes(ql), 3);
    check_structure(ql);

    /* Iterator deletes do not merge either: empty out 1, 2 and 5, 6. */
    ql_iter it;
    ql_iter_init(ql, &it, QL_HEAD_TO_TAIL);
    while (ql_next(&it, &e))
        if (ql_entry_eq(&e, "1", 1) || ql_entry_eq(&e, "2", 1) || ql_entry_eq(&e, "5", 1) ||
            ql_entry_eq(&e, "6", 1))
            ql_del_entry(&it, &e);
    expect_list(ql, "0 3 4 7");
    ck_assert_uint_eq(ql_count_nodes(ql), 3);
    check_structure(ql);

    /* Full node, spot at its end: the neighbour with room takes it. */
    ql_free(ql);
    ql = ql_create(4);
    push_numbers(ql, 0, 5); /* [0 1 2 3] [4 5] */
    ck_assert_int_eq(ql_index(ql, 3, &e), 1);
    ql_insert_after(ql, &e, "A", 1);
    ck_assert_uint_eq(ql_count_nodes(ql), 2);
    ck_assert_uint_eq(ql->tail->count, 3);
    ql_push_head(ql, "h", 1); /* [h] [0 1 2 3] [A 4 5] */
    ck_assert_int_eq(ql_index(ql, 1, &e), 1);
    ql_insert_before(ql, &e, "B", 1);
    ck_assert_uint_eq(ql_count_nodes(ql), 3);
    ck_assert_uint_eq(ql->head->count, 2);
    expect_list(ql, "h B 0 1 2 3 A 4 5");
    check_structure(ql);

    /* A range across nodes: whole inner nodes go, the edges stay apart. */
    ql_free(ql);
    ql = ql_create(4);
    push_numbers(ql, 0, 19); /* 5 nodes of 4 */
    ck_assert_uint_eq(ql_del_range(ql, 3, 14), 14);
    expect_list(ql, "0 1 2 17 18 19");
    ck_assert_uint_eq(ql_count_nodes(ql), 2); /* [0 1 2] [17 18 19] */
    ck_assert_uint_eq(ql_del_range(ql, -2, 10), 2);
    expect_list(ql, "0 1 2 17");
    ck_assert_uint_eq(ql_count_nodes(ql), 2);
    ck_assert_uint_eq(ql_del_range(ql, -5, 1), 0); /* out of range */
    ck_assert_uint_eq(ql_del_range(ql, 4, 1), 0);
    ck_assert_uint_eq(ql_del_range(ql, 0, 0), 0);
    ck_assert_uint_eq(ql_del_range(ql, 0, 100), 4);
    ck_assert_uint_eq(ql_count_nodes(ql), 0);
    check_structure(ql);
    ql_free(ql);
}
END_TEST

START_TEST(test_iterator_delete_both_ways) {
    int fills[] = {1, 2, 3, 128, -1};
    for (int f = 0; f < 5; f++) {
        for (int dir = 0; dir < 2; dir++) {
            quicklist *ql = ql_create(fills[f]);
            for (int i = 0; i < 300; i++) ql_push_tail(ql, i % 3 == 0 ? "x" : "keep", i % 3 == 0 ? 1 : 4);
            ql_iter it;
            ql_entry e;
            int seen = 0, deleted = 0;
            ql_iter_init(ql, &it, dir ? QL_TAIL_TO_HEAD : QL_HEAD_TO_TAIL);
            while (ql_next(&it, &e)) {
                seen++;
                if (ql_entry_eq(&e, "x", 1)) {
                    ql_del_entry(&it, &e);
                    deleted++;
                }
            }
            ck_assert_int_eq(seen, 300);
            ck_assert_int_eq(deleted, 100);
            ck_assert_uint_eq(ql_length(ql), 200);
            ck_assert_int_eq(ql_find(ql, 0, "x", 1), -1);
            check_structure(ql);
            /* Then delete everything through the iterator. */
            ql_iter_init(ql, &it, dir ? QL_HEAD_TO_TAIL : QL_TAIL_TO_HEAD);
            seen = 0;
            while (ql_next(&it, &e)) {
                ql_del_entry(&it, &e);
                seen++;
            }
            ck_assert_int_eq(seen, 200);
            ck_assert_uint_eq(ql_length(ql), 0);
            ck_assert_uint_eq(ql_count_nodes(ql), 0);
            ql_free(ql);
        }
    }
}
END_TEST

START_TEST(test_iter_at_and_find) {
    quicklist *ql = ql_create(3);
    push_numbers(ql, 0, 9);
    ql_iter it;
    ql_entry e;
    ck_assert_int_eq(ql_iter_init_at(ql, &it, QL_HEAD_TO_TAIL, 4), 1);
    for (long i = 4; i < 10; i++) {
        ck_assert_int_eq(ql_next(&it, &e), 1);
        ck_assert(e.str == NULL && e.ival == i);
    }
    ck_assert_int_eq(ql_next(&it, &e), 0);
    ck_assert_int_eq(ql_iter_init_at(ql, &it, QL_TAIL_TO_HEAD, -3), 1);
    for (long i = 7; i >= 0; i--) {
        ck_assert_int_eq(ql_next(&it, &e), 1);
        ck_assert_int_eq(e.ival, i);
    }
    ck_assert_int_eq(ql_next(&it, &e), 0);
    ck_assert_int_eq(ql_iter_init_at(ql, &it, QL_HEAD_TO_TAIL, 10), 0);
    ck_assert_int_eq(ql_iter_init_at(ql, &it, QL_HEAD_TO_TAIL, -11), 0);
    ck_assert_int_eq(ql_find(ql, 0, "5", 1), 5);
    ck_assert_int_eq(ql_find(ql, 5, "5", 1), 5);
    ck_assert_int_eq(ql_find(ql, 6, "5", 1), -1);
    ck_assert_int_eq(ql_find(ql, -5, "5", 1), 5);
    ck_assert_int_eq(ql_find(ql, 0, "05", 2), -1);
    ql_free(ql);
}
END_TEST

START_TEST(test_dup_and_append_listpack) {
    quicklist *ql = ql_create(2);
    push_numbers(ql, 1, 5);
    quicklist *d = ql_dup(ql);
    ck_assert_uint_eq(ql_count_nodes(d), 3);
    ql_push_tail(ql, "only-in-original", 16);
    expect_list(d, "1 2 3 4 5");
    check_structure(d);
    ql_free(ql);

    unsigned char *lp = lp_new(0);
    lp = lp_append(lp, (const unsigned char *)"p", 1);
    lp = lp_append(lp, (const unsigned char *)"q", 1);
    ql_append_listpack(d, lp);
    expect_list(d, "1 2 3 4 5 p q");
    ck_assert_uint_eq(ql_length(d), 7);
    ck_assert_uint_eq(ql_count_nodes(d), 4);
    ql_free(d);
}
END_TEST

START_TEST(test_index_both_ends) {
    quicklist *ql = ql_create(5);
    push_numbers(ql, 0, 99);
    ql_entry e;
    for (long i = 0; i < 100; i++) {
        ck_assert_int_eq(ql_index(ql, i, &e), 1);
        ck_assert_int_eq(e.ival, i);
        ck_assert_int_eq(ql_index(ql, i - 100, &e), 1);
        ck_assert_int_eq(e.ival, i);
    }
    ck_assert_int_eq(ql_index(ql, 100, &e), 0);
    ck_assert_int_eq(ql_index(ql, -101, &e), 0);
    ck_assert_int_eq(ql_replace_at_index(ql, 50, "fifty", 5), 1);
    ck_assert_int_eq(ql_replace_at_index(ql, -1, "last", 4), 1);
    ck_assert_int_eq(ql_replace_at_index(ql, 100, "no", 2), 0);
    ck_assert_int_eq(ql_index(ql, 50, &e), 1);
    ck_assert_int_eq(ql_entry_eq(&e, "fifty", 5), 1);
    ck_assert_int_eq(ql_index(ql, 99, &e), 1);
    ck_assert_int_eq(ql_entry_eq(&e, "last", 4), 1);
    ck_assert_uint_eq(ql_count_nodes(ql), 20);
    check_structure(ql);
    ql_free(ql);
}
END_TEST

/* -------------------------------------------------------- random model */

static void random_ops(int fill, int ops, int depth) {
    quicklist *ql = ql_create(fill);
    ql_set_options(ql, fill, depth);
    model m = {0};
    char *buf = malloc(VALBUF_BYTES);
    for (int op = 0; op < ops; op++) {
        unsigned r = (unsigned)(rnd() % 100);
        /* Keep the list around a few hundred elements. */
        if (m.n > 600 && r < 30) r += 30;
        if (r < 15) {
            size_t len = random_value(buf, 1);
            int head = (int)(rnd() % 2);
            ql_push(ql, buf, len, head ? QL_HEAD : QL_TAIL);
            model_insert(&m, head ? 0 : m.n, buf, len);
        } else if (r < 30) {
            size_t at = m.n ? rnd() % (m.n + 1) : 0;
            size_t len = random_value(buf, 1);
            ql_entry e;
            if (m.n == 0) {
                ql_push_tail(ql, buf, len);
            } else if (at == m.n) {
                ck_assert_int_eq(ql_index(ql, -1, &e), 1);
                ql_insert_after(ql, &e, buf, len);
            } else {
                ck_assert_int_eq(ql_index(ql, (long)at, &e), 1);
                ql_insert_before(ql, &e, buf, len);
            }
            model_insert(&m, at, buf, len);
        } else if (r < 42) {
            int head = (int)(rnd() % 2);
            sds s = NULL;
            long long iv;
            int use_int = (int)(rnd() % 2);
            int got = ql_pop(ql, head ? QL_HEAD : QL_TAIL, &s, use_int ? &iv : NULL);
            if (m.n == 0) {
                ck_assert_int_eq(got, QL_POP_EMPTY);
                continue;
            }
            size_t at = head ? 0 : m.n - 1;
            if (got == QL_POP_INT) s = sds_from_ll(iv);
            ck_assert_uint_eq(sds_len(s), m.v[at].len);
            ck_assert_int_eq(memcmp(s, m.v[at].s, m.v[at].len), 0);
            sds_free(s);
            model_delete(&m, at, 1);
        } else if (r < 55) {
            long idx = (long)(rnd() % (m.n + 3)) - (long)(rnd() % 2 ? m.n + 1 : 0);
            ql_entry e;
            long real = idx < 0 ? (long)m.n + idx : idx;
            int ok = ql_index(ql, idx, &e);
            ck_assert_int_eq(ok, real >= 0 && real < (long)m.n);
            if (ok) ck_assert(entry_is(&e, &m.v[real]));
        } else if (r < 65) {
            if (m.n == 0) continue;
            size_t at = rnd() % m.n;
            size_t len = random_value(buf, 1);
            ck_assert_int_eq(ql_replace_at_index(ql, rnd() % 2 ? (long)at : (long)at - (long)m.n, buf, len), 1);
            model_delete(&m, at, 1);
            model_insert(&m, at, buf, len);
        } else if (r < 72) {
            if (m.n == 0) continue;
            long start = (long)(rnd() % m.n);
            unsigned long count = rnd() % 40;
            size_t want = count < m.n - (size_t)start ? count : m.n - (size_t)start;
            if (rnd() % 2) start -= (long)m.n;
            ck_assert_uint_eq(ql_del_range(ql, start, count), want);
            model_delete(&m, start < 0 ? (size_t)(start + (long)m.n) : (size_t)start, want);
        } else if (r < 82) {
            /* LREM-like: remove up to k matches of a token, either way. */
            static const char *tokens[] = {"a", "b", "x", "", "0", "-1"};
            const char *t = tokens[rnd() % 6];
            size_t tl = strlen(t);
            int backward = (int)(rnd() % 2), k = (int)(rnd() % 4), removed = 0;
            ql_iter it;
            ql_entry e;
            ql_iter_init(ql, &it, backward ? QL_TAIL_TO_HEAD : QL_HEAD_TO_TAIL);
            while ((k == 0 || removed < k) && ql_next(&it, &e)) {
                if (ql_entry_eq(&e, t, tl)) {
                    ql_del_entry(&it, &e);
                    removed++;
                }
            }
            int mremoved = 0;
            if (backward) {
                for (long i = (long)m.n - 1; i >= 0 && (k == 0 || mremoved < k); i--) {
                    if (m.v[i].len == tl && memcmp(m.v[i].s, t, tl) == 0) {
                        model_delete(&m, (size_t)i, 1);
                        mremoved++;
                    }
                }
            } else {
                for (size_t i = 0; i < m.n && (k == 0 || mremoved < k);) {
                    if (m.v[i].len == tl && memcmp(m.v[i].s, t, tl) == 0) {
                        model_delete(&m, i, 1);
                        mremoved++;
                    } else {
                        i++;
                    }
                }
            }
            ck_assert_int_eq(removed, mremoved);
        } else if (r < 92) {
            /* LRANGE-like walk from a random index. */
            if (m.n == 0) continue;
            long start = (long)(rnd() % m.n);
            int backward = (int)(rnd() % 2);
            ql_iter it;
            ql_entry e;
            ck_assert_int_eq(ql_iter_init_at(ql, &it, backward ? QL_TAIL_TO_HEAD : QL_HEAD_TO_TAIL, start), 1);
            long i = start;
            for (int steps = 0; steps < 50 && ql_next(&it, &e); steps++) {
                ck_assert(entry_is(&e, &m.v[i]));
                i += backward ? -1 : 1;
            }
        } else {
            if (m.n == 0) continue;
            size_t at = rnd() % m.n;
            long want = -1;
            for (size_t i = at; i < m.n && want < 0; i++)
                if (m.v[i].len == m.v[at].len && memcmp(m.v[i].s, m.v[at].s, m.v[at].len) == 0) want = (long)i;
            ck_assert_int_eq(ql_find(ql, (long)at, m.v[at].s, m.v[at].len), want);
        }
        check_structure(ql);
        if (op % 64 == 0) check_against_model(ql, &m);
    }
    check_against_model(ql, &m);
    quicklist *d = ql_dup(ql);
    check_against_model(d, &m);
    ql_free(d);
    ql_free(ql);
    model_free(&m);
    free(buf);
}

START_TEST(test_random_fill) {
    static const int fills[] = {1, 2, 128, -1, -2, -5, 3};
    random_ops(fills[_i], 4000, 0);
}
END_TEST

/* The same operations with a low packed threshold: large values get PLAIN
 * nodes (with and without compression around them). */
START_TEST(test_random_plain) {
    static const int fills[] = {2, 128, -1, -2};
    plain_threshold = _i % 2 ? 12 : 100;
    ck_assert_int_eq(ql_set_packed_threshold(plain_threshold), 1);
    random_ops(fills[_i % 4], 3000, _i / 4);
    ck_assert_int_eq(ql_set_packed_threshold(0), 1);
    ck_assert_int_eq(ql_set_packed_threshold(QL_PACKED_THRESHOLD_MAX + 1), 0);
    plain_threshold = 0;
}
END_TEST

/* The same operations over compressed inner nodes (depth 1 and 2). */
START_TEST(test_random_compressed) {
    static const int fills[] = {2, 128, -1, -2, 3};
    random_ops(fills[_i % 5], 3000, 1 + _i / 5);
}
END_TEST

static Suite *quicklist_suite(void) {
    Suite *s = suite_create("quicklist");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_push_pop_ends);
    tcase_add_test(tc, test_values_kept_exactly);
    tcase_add_test(tc, test_fill_sets_node_sizes);
    tcase_add_test(tc, test_large_elements);
    tcase_add_test(tc, test_split_and_merge);
    tcase_add_test(tc, test_iterator_delete_both_ways);
    tcase_add_test(tc, test_iter_at_and_find);
    tcase_add_test(tc, test_dup_and_append_listpack);
    tcase_add_test(tc, test_index_both_ends);
    tcase_add_loop_test(tc, test_random_fill, 0, 7);
    tcase_add_loop_test(tc, test_random_compressed, 0, 10);
    tcase_add_loop_test(tc, test_random_plain, 0, 8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(quicklist_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
