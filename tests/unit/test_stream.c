/* test_stream.c -- Check suites for the stream structure (stream.c): IDs,
 * the node layout pinned byte for byte against what Redis 7.0 DUMPs for
 * the same XADD/XDEL sequence, node splits by entries and by bytes,
 * iteration both ways with ranges, deletes and trims (exact, approximate,
 * LIMIT), consumer groups, consumers and their shared NACKs, deep copies,
 * the entries-read estimate, and a randomized run against an array model.
 * Every test ends by checking that zmalloc's used-memory counter is back
 * where it started. */
#include <check.h>
#include <stdarg.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listpack.h"
#include "stream.h"
#include "zmalloc.h"

static size_t mem_at_start;

static void setup(void) {
    mem_at_start = zmalloc_used_memory();
}

static void teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

#define FAST_ASSERT(c) \
    do { \
        if (!(c)) ck_abort_msg("%s:%d: assertion failed: %s", __FILE__, __LINE__, #c); \
    } while (0)

static const stream_limits default_limits = {4096, 100};

static stream_id mkid(uint64_t ms, uint64_t seq) {
    stream_id id = {ms, seq};
    return id;
}

/* Appends "ms-seq" with the fields given as a NULL-terminated list of
 * C strings (field, value, ...). Returns stream_append's result. */
static int add(stream *s, const stream_limits *lim, uint64_t ms, uint64_t seq, ...) {
    sds fv[32];
    int n = 0;
    va_list ap;
    va_start(ap, seq);
    const char *p;
    while ((p = va_arg(ap, const char *)) != NULL) fv[n++] = sds_new(p);
    va_end(ap);
    stream_id id = mkid(ms, seq), got;
    int r = stream_append(s, fv, n / 2, &got, &id, 1, 0, lim);
    for (int i = 0; i < n; i++) sds_free(fv[i]);
    return r;
}

/* The node listpacks as "keyhex lphex" lines. */
static char *dump_nodes(stream *s) {
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    rax_iter it;
    rax_start(&it, s->rax);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) {
        for (size_t i = 0; i < it.key_len; i++) len += (size_t)sprintf(out + len, "%02x", it.key[i]);
        out[len++] = ' ';
        unsigned char *lp = it.data;
        for (size_t i = 0; i < lp_bytes(lp); i++) len += (size_t)sprintf(out + len, "%02x", lp[i]);
        out[len++] = '\n';
        out[len] = '\0';
    }
    rax_stop(&it);
    return out;
}

/* The IDs an iteration yields, as "ms-seq ..." (fields checked apart). */
static char *range_ids(stream *s, const stream_id *start, const stream_id *end, int rev) {
    char *out = malloc(1 << 16);
    size_t len = 0;
    out[0] = '\0';
    stream_iter it;
    stream_id id;
    int64_t nf;
    stream_iter_start(&it, s, start, end, rev);
    while (stream_iter_next(&it, &id, &nf)) {
        char buf[STREAM_ID_STR_LEN];
        stream_id_format(buf, &id);
        len += (size_t)sprintf(out + len, "%s%s", len ? " " : "", buf);
    }
    stream_iter_stop(&it);
    return out;
}

#define ASSERT_RANGE(s, start, end, rev, expect) \
    do { \
        char *got_ = range_ids(s, start, end, rev); \
        ck_assert_str_eq(got_, expect); \
        free(got_); \
    } while (0)

/* ---------------------------------------------------------------- IDs */

START_TEST(test_id_basics) {
    stream_id a = mkid(0x0102030405060708ULL, 0x1112131415161718ULL), b;
    unsigned char k[16];
    stream_id_encode(k, &a);
    ck_assert_uint_eq(k[0], 0x01);
    ck_assert_uint_eq(k[7], 0x08);
    ck_assert_uint_eq(k[8], 0x11);
    ck_assert_uint_eq(k[15], 0x18);
    stream_id_decode(k, &b);
    ck_assert_int_eq(stream_id_cmp(&a, &b), 0);
    stream_id x = mkid(5, UINT64_MAX);
    ck_assert_int_eq(stream_id_incr(&x), 0);
    ck_assert(x.ms == 6 && x.seq == 0);
    ck_assert_int_eq(stream_id_decr(&x), 0);
    ck_assert(x.ms == 5 && x.seq == UINT64_MAX);
    stream_id max = mkid(UINT64_MAX, UINT64_MAX), zero = mkid(0, 0);
    ck_assert_int_eq(stream_id_incr(&max), -1);
    ck_assert_int_eq(stream_id_decr(&zero), -1);
    stream_id lo = mkid(1, 2), hi = mkid(2, 0);
    ck_assert_int_eq(stream_id_cmp(&lo, &hi), -1);
    ck_assert_int_eq(stream_id_cmp(&hi, &lo), 1);
    char buf[STREAM_ID_STR_LEN];
    ck_assert_int_eq(stream_id_format(buf, &max), 41);
    ck_assert_str_eq(buf, "18446744073709551615-18446744073709551615");
    stream_id small = mkid(0, 7);
    ck_assert_int_eq(stream_id_format(buf, &small), 3);
    ck_assert_str_eq(buf, "0-7");
    stream_id t = mkid(1700000000123ULL, 9);
    int n = stream_id_format(buf, &t);
    ck_assert_str_eq(buf, "1700000000123-9");
    ck_assert_int_eq(stream_id_format_seq(buf, 13, 12345), n + 4);
    ck_assert_str_eq(buf, "1700000000123-12345");
}
END_TEST

/* -------------------------------------------------------------- layout */

START_TEST(test_layout_matches_redis_dump) {
    /* Redis 7.0 with stream-node-max-entries 2: XADD fx 1-1 a 1 b 2, 1-2 a
     * 3 b 4, 5-0 c x; XDEL fx 1-2; DUMP fx (nodes as RDB stores them). */
    static const char *expect =
        "00000000000000010000000000000001 "
        "2d00000012000101010102018161028162020001020100010001010102010501030100010101030104010501ff\n"
        "00000000000000050000000000000000 1d0000000a0001010001010181630200010201000100018178020401ff\n";
    stream_limits lim = {4096, 2};
    stream *s = stream_new();
    ck_assert_int_eq(add(s, &lim, 1, 1, "a", "1", "b", "2", NULL), 0);
    ck_assert_int_eq(add(s, &lim, 1, 2, "a", "3", "b", "4", NULL), 0);
    ck_assert_int_eq(add(s, &lim, 5, 0, "c", "x", NULL), 0);
    stream_id d = mkid(1, 2);
    ck_assert_int_eq(stream_delete_id(s, &d), 1);
    char *got = dump_nodes(s);
    ck_assert_str_eq(got, expect);
    free(got);
    ck_assert_uint_eq(s->length, 2);
    ck_assert_uint_eq(s->entries_added, 3);
    ck_assert(s->last_id.ms == 5 && s->last_id.seq == 0);
    ck_assert(s->first_id.ms == 1 && s->first_id.seq == 1);
    ck_assert(s->max_deleted_entry_id.ms == 1 && s->max_deleted_entry_id.seq == 2);
    stream_free(s);
}
END_TEST

START_TEST(test_same_fields_and_negative_seq_delta) {
    stream *s = stream_new();
    add(s, &default_limits, 1, 5, "a", "1", NULL);
    add(s, &default_limits, 2, 0, "a", "hello", NULL); /* seq delta -5 */
    add(s, &default_limits, 3, 0, "b", "x", NULL);      /* other fields */
    rax_iter it;
    rax_start(&it, s->rax);
    rax_seek(&it, "^", NULL, 0);
    ck_assert(rax_next(&it));
    unsigned char *lp = it.data, *p = lp_first(lp);
    int64_t v;
    lp_get(p, &v, NULL, NULL, NULL);
    ck_assert_int_eq(v, 3); /* live entries */
    /* master: 3, 0, 1, "a", 0; entry 1: flags 2 ... */
    p = lp_seek(lp, 5);
    lp_get(p, &v, NULL, NULL, NULL);
    ck_assert_int_eq(v, STREAM_ITEM_FLAG_SAMEFIELDS);
    p = lp_seek(lp, 10 + 2); /* second entry's seq delta */
    lp_get(p, &v, NULL, NULL, NULL);
    ck_assert_int_eq(v, -5);
    p = lp_seek(lp, 15); /* third entry's flags */
    lp_get(p, &v, NULL, NULL, NULL);
    ck_assert_int_eq(v, STREAM_ITEM_FLAG_NONE);
    rax_stop(&it);
    stream_iter si;
    stream_id id;
    int64_t nf;
    const unsigned char *f, *val;
    size_t fl, vl;
    stream_iter_start(&si, s, NULL, NULL, 1);
    ck_assert(stream_iter_next(&si, &id, &nf));
    ck_assert(id.ms == 3 && nf == 1);
    stream_iter_field(&si, &f, &fl, &val, &vl);
    ck_assert(fl == 1 && f[0] == 'b' && vl == 1 && val[0] == 'x');
    ck_assert(stream_iter_next(&si, &id, &nf));
    stream_iter_field(&si, &f, &fl, &val, &vl);
    ck_assert(id.ms == 2 && vl == 5 && memcmp(val, "hello", 5) == 0);
    ck_assert(stream_iter_next(&si, &id, &nf));
    stream_iter_field(&si, &f, &fl, &val, &vl);
    ck_assert(id.ms == 1 && id.seq == 5 && vl == 1 && val[0] == '1'); /* integer rendered */
    ck_assert(!stream_iter_next(&si, &id, &nf));
    stream_iter_stop(&si);
    stream_free(s);
}
END_TEST

START_TEST(test_node_splits) {
    stream_limits by_entries = {0, 3};
    stream *s = stream_new();
    for (int i = 1; i <= 10; i++) add(s, &by_entries, (uint64_t)i, 0, "f", "v", NULL);
    ck_assert_uint_eq(rax_size(s->rax), 4); /* 3 + 3 + 3 + 1 */
    stream_free(s);
    /* Deleted entries still count towards node-max-entries. */
    s = stream_new();
    add(s, &by_entries, 1, 0, "f", "v", NULL);
    add(s, &by_entries, 2, 0, "f", "v", NULL);
    stream_id d = mkid(2, 0);
    stream_delete_id(s, &d);
    add(s, &by_entries, 3, 0, "f", "v", NULL);
    add(s, &by_entries, 4, 0, "f", "v", NULL);
    ck_assert_uint_eq(rax_size(s->rax), 2);
    stream_free(s);
    /* By bytes: a node closes when its bytes plus the new entry's field and
     * value bytes reach the limit. */
    stream_limits by_bytes = {60, 0};
    s = stream_new();
    for (int i = 1; i <= 20; i++) add(s, &by_bytes, (uint64_t)i, 0, "field", "value", NULL);
    ck_assert_uint_gt(rax_size(s->rax), 3);
    rax_iter it;
    rax_start(&it, s->rax);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) ck_assert_uint_lt(lp_bytes(it.data), 60 + 20);
    rax_stop(&it);
    ck_assert_uint_eq(s->length, 20);
    stream_id r5 = mkid(5, 0), r7 = mkid(7, 0);
    ASSERT_RANGE(s, &r5, &r7, 0, "5-0 6-0 7-0");
    stream_free(s);
}
END_TEST

START_TEST(test_append_ids_and_errors) {
    stream *s = stream_new();
    sds fv[2] = {sds_new("f"), sds_new("v")};
    stream_id got, use = mkid(5, 0);
    /* "*": now, or the last ms with the next sequence. */
    ck_assert_int_eq(stream_append(s, fv, 1, &got, NULL, 0, 1000, &default_limits), 0);
    ck_assert(got.ms == 1000 && got.seq == 0);
    ck_assert_int_eq(stream_append(s, fv, 1, &got, NULL, 0, 999, &default_limits), 0);
    ck_assert(got.ms == 1000 && got.seq == 1);
    /* "ms-*" */
    use = mkid(1000, 0);
    ck_assert_int_eq(stream_append(s, fv, 1, &got, &use, 0, 0, &default_limits), 0);
    ck_assert(got.ms == 1000 && got.seq == 2);
    use = mkid(2000, 0);
    ck_assert_int_eq(stream_append(s, fv, 1, &got, &use, 0, 0, &default_limits), 0);
    ck_assert(got.ms == 2000 && got.seq == 0);
    use = mkid(1999, 0);
    errno = 0;
    ck_assert_int_eq(stream_append(s, fv, 1, &got, &use, 0, 0, &default_limits), -1);
    ck_assert_int_eq(errno, EDOM);
    /* explicit, not greater */
    use = mkid(2000, 0);
    ck_assert_int_eq(stream_append(s, fv, 1, &got, &use, 1, 0, &default_limits), -1);
    ck_assert_int_eq(errno, EDOM);
    use = mkid(2000, UINT64_MAX);
    ck_assert_int_eq(stream_append(s, fv, 1, &got, &use, 1, 0, &default_limits), 0);
    use = mkid(2000, 0);
    ck_assert_int_eq(stream_append(s, fv, 1, &got, &use, 0, 0, &default_limits), -1);
    ck_assert_int_eq(errno, ERANGE);
    ck_assert_uint_eq(s->length, 5);
    ck_assert_uint_eq(s->entries_added, 5);
    sds_free(fv[0]);
    sds_free(fv[1]);
    stream_free(s);
}
END_TEST

/* ---------------------------------------------------------- iteration */

START_TEST(test_iterate_ranges) {
    stream_limits lim = {0, 2};
    stream *s = stream_new();
    for (int i = 1; i <= 7; i++) add(s, &lim, (uint64_t)i, (uint64_t)i, "f", "v", NULL);
    ASSERT_RANGE(s, NULL, NULL, 0, "1-1 2-2 3-3 4-4 5-5 6-6 7-7");
    ASSERT_RANGE(s, NULL, NULL, 1, "7-7 6-6 5-5 4-4 3-3 2-2 1-1");
    stream_id a = mkid(2, 2), b = mkid(5, 0), c = mkid(0, 0), d = mkid(1, 0), e = mkid(9, 0);
    ASSERT_RANGE(s, &a, &b, 0, "2-2 3-3 4-4");
    ASSERT_RANGE(s, &a, &b, 1, "4-4 3-3 2-2");
    ASSERT_RANGE(s, &c, &d, 0, "");
    ASSERT_RANGE(s, &c, &d, 1, "");
    ASSERT_RANGE(s, &e, NULL, 0, "");
    ASSERT_RANGE(s, &e, NULL, 1, "");
    ASSERT_RANGE(s, &b, &a, 0, "");
    stream_id x = mkid(4, 4);
    stream_delete_id(s, &x);
    stream_delete_id(s, &(stream_id){1, 1});
    ASSERT_RANGE(s, NULL, NULL, 0, "2-2 3-3 5-5 6-6 7-7");
    ASSERT_RANGE(s, NULL, NULL, 1, "7-7 6-6 5-5 3-3 2-2");
    ASSERT_RANGE(s, &x, &x, 0, "");
    stream_free(s);
}
END_TEST

START_TEST(test_fields_left_unread) {
    stream *s = stream_new();
    add(s, &default_limits, 1, 0, "a", "1", "b", "2", NULL);
    add(s, &default_limits, 2, 0, "x", "1", "y", "2", "z", "3", NULL);
    add(s, &default_limits, 3, 0, "a", "1", "b", "2", NULL);
    /* Reading only some fields (or none) must not derail the walk. */
    stream_iter it;
    stream_id id;
    int64_t nf;
    const unsigned char *f, *v;
    size_t fl, vl;
    stream_iter_start(&it, s, NULL, NULL, 0);
    ck_assert(stream_iter_next(&it, &id, &nf) && nf == 2);
    stream_iter_field(&it, &f, &fl, &v, &vl);
    ck_assert(stream_iter_next(&it, &id, &nf) && id.ms == 2 && nf == 3);
    ck_assert(stream_iter_next(&it, &id, &nf) && id.ms == 3);
    stream_iter_field(&it, &f, &fl, &v, &vl);
    stream_iter_field(&it, &f, &fl, &v, &vl);
    ck_assert(fl == 1 && f[0] == 'b' && v[0] == '2');
    ck_assert(!stream_iter_next(&it, &id, &nf));
    stream_iter_stop(&it);
    stream_free(s);
}
END_TEST

/* ----------------------------------------------------- delete and trim */

START_TEST(test_delete_frees_nodes_and_tracks_ids) {
    stream_limits lim = {0, 2};
    stream *s = stream_new();
    for (int i = 1; i <= 4; i++) add(s, &lim, (uint64_t)i, 0, "f", "v", NULL);
    ck_assert_uint_eq(rax_size(s->rax), 2);
    ck_assert_int_eq(stream_delete_id(s, &(stream_id){1, 0}), 1);
    ck_assert_int_eq(stream_delete_id(s, &(stream_id){1, 0}), 0);
    ck_assert(s->first_id.ms == 2);
    ck_assert_int_eq(stream_delete_id(s, &(stream_id){2, 0}), 1);
    ck_assert_uint_eq(rax_size(s->rax), 1); /* the node went with its last entry */
    ck_assert(s->first_id.ms == 3);
    ck_assert_int_eq(stream_delete_id(s, &(stream_id){9, 0}), 0);
    ck_assert(s->max_deleted_entry_id.ms == 2);
    stream_delete_id(s, &(stream_id){4, 0});
    stream_delete_id(s, &(stream_id){3, 0});
    ck_assert(s->max_deleted_entry_id.ms == 4);
    ck_assert_uint_eq(s->length, 0);
    ck_assert_uint_eq(rax_size(s->rax), 0);
    ck_assert(s->first_id.ms == 0 && s->first_id.seq == 0);
    ck_assert(s->last_id.ms == 4);
    stream_id lv;
    stream_last_valid_id(s, &lv);
    ck_assert(lv.ms == 0 && lv.seq == 0);
    stream_first_id_with_tombstones(s, &lv);
    ck_assert(lv.ms == UINT64_MAX && lv.seq == UINT64_MAX);
    stream_free(s);
}
END_TEST

START_TEST(test_iter_remove_while_walking) {
    stream_limits lim = {0, 3};
    stream *s = stream_new();
    for (int i = 1; i <= 9; i++) add(s, &lim, (uint64_t)i, 0, "f", "v", NULL);
    stream_iter it;
    stream_id id;
    int64_t nf;
    stream_iter_start(&it, s, NULL, NULL, 0);
    while (stream_iter_next(&it, &id, &nf))
        if (id.ms % 2 == 0) stream_iter_remove_entry(&it, &id);
    stream_iter_stop(&it);
    ASSERT_RANGE(s, NULL, NULL, 0, "1-0 3-0 5-0 7-0 9-0");
    stream_iter_start(&it, s, NULL, NULL, 1);
    while (stream_iter_next(&it, &id, &nf))
        if (id.ms != 5) stream_iter_remove_entry(&it, &id);
    stream_iter_stop(&it);
    ASSERT_RANGE(s, NULL, NULL, 1, "5-0");
    ck_assert_uint_eq(s->length, 1);
    ck_assert_uint_eq(rax_size(s->rax), 1);
    stream_free(s);
}
END_TEST

static stream *trim_fixture(void) {
    stream_limits lim = {0, 10};
    stream *s = stream_new();
    for (int i = 1; i <= 35; i++) add(s, &lim, (uint64_t)i, 0, "f", "v", NULL);
    return s; /* nodes of 10, 10, 10, 5 */
}

START_TEST(test_trim_maxlen) {
    stream *s = trim_fixture();
    stream_trim_args a = {.strategy = STREAM_TRIM_MAXLEN, .maxlen = 30};
    ck_assert_int_eq(stream_trim(s, &a), 5); /* exact: flags inside node 1 */
    ck_assert_uint_eq(s->length, 30);
    ck_assert_uint_eq(rax_size(s->rax), 4);
    ck_assert(s->first_id.ms == 6);
    a.approx = 1;
    a.maxlen = 14;
    ck_assert_int_eq(stream_trim(s, &a), 15); /* whole nodes: 5 + 10 */
    ck_assert_uint_eq(s->length, 15);
    ck_assert(s->first_id.ms == 21);
    a.maxlen = 0;
    a.limit = 12; /* only the first node (10) fits the limit */
    ck_assert_int_eq(stream_trim(s, &a), 10);
    ck_assert_uint_eq(s->length, 5);
    a.limit = 0;
    ck_assert_int_eq(stream_trim(s, &a), 5);
    ck_assert_uint_eq(s->length, 0);
    ck_assert(s->first_id.ms == 0);
    ck_assert_uint_eq(rax_size(s->rax), 0);
    stream_free(s);
}
END_TEST

START_TEST(test_trim_minid) {
    stream *s = trim_fixture();
    stream_trim_args a = {.strategy = STREAM_TRIM_MINID, .approx = 1, .minid = {15, 0}};
    ck_assert_int_eq(stream_trim(s, &a), 10);
    ck_assert(s->first_id.ms == 11);
    a.approx = 0;
    ck_assert_int_eq(stream_trim(s, &a), 4);
    ck_assert(s->first_id.ms == 15);
    ck_assert_int_eq(stream_trim(s, &a), 0);
    /* Trimmed entries are not tombstones for the lag logic. */
    ck_assert(s->max_deleted_entry_id.ms == 0);
    a.minid = mkid(100, 0);
    ck_assert_int_eq(stream_trim(s, &a), 21);
    ck_assert_uint_eq(s->length, 0);
    stream_free(s);
}
END_TEST

/* ---------------------------------------------------- consumer groups */

START_TEST(test_groups_consumers_nacks) {
    stream *s = stream_new();
    stream_id zero = mkid(0, 0);
    stream_cg *cg = stream_create_cg(s, (const unsigned char *)"g1", 2, &zero, 0);
    ck_assert_ptr_nonnull(cg);
    ck_assert_ptr_null(stream_create_cg(s, (const unsigned char *)"g1", 2, &zero, 0));
    ck_assert_ptr_eq(stream_lookup_cg(s, (const unsigned char *)"g1", 2), cg);
    ck_assert_ptr_null(stream_lookup_cg(s, (const unsigned char *)"g2", 2));
    stream_consumer *alice = stream_create_consumer(cg, (const unsigned char *)"alice", 5, 1234);
    stream_consumer *bob = stream_create_consumer(cg, (const unsigned char *)"bob", 3, 99);
    ck_assert_ptr_null(stream_create_consumer(cg, (const unsigned char *)"bob", 3, 0));
    ck_assert_ptr_eq(stream_lookup_consumer(cg, (const unsigned char *)"alice", 5), alice);
    ck_assert_int_eq(alice->seen_time, 1234);
    ck_assert_str_eq(bob->name, "bob");
    for (int i = 1; i <= 3; i++) {
        unsigned char k[16];
        stream_id id = mkid((uint64_t)i, 0);
        stream_id_encode(k, &id);
        stream_consumer *owner = i == 2 ? bob : alice;
        stream_nack *n = stream_nack_new(owner, 500);
        ck_assert_int_eq(n->delivery_count, 1);
        rax_insert(cg->pel, k, 16, n, NULL);
        rax_insert(owner->pel, k, 16, n, NULL);
    }
    /* Copies share nothing with the original. */
    stream *copy = stream_copy(s);
    stream_cg *ccg = stream_lookup_cg(copy, (const unsigned char *)"g1", 2);
    ck_assert_ptr_nonnull(ccg);
    ck_assert_ptr_ne(ccg, cg);
    ck_assert_uint_eq(rax_size(ccg->pel), 3);
    stream_consumer *calice = stream_lookup_consumer(ccg, (const unsigned char *)"alice", 5);
    ck_assert_uint_eq(rax_size(calice->pel), 2);
    rax_iter it;
    rax_start(&it, calice->pel);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) {
        void *gn = NULL;
        ck_assert(rax_find(ccg->pel, it.key, it.key_len, &gn));
        ck_assert_ptr_eq(gn, it.data); /* the same nack in both PELs */
        ck_assert_ptr_eq(((stream_nack *)gn)->consumer, calice);
    }
    rax_stop(&it);
    stream_free(copy);
    /* Deleting a consumer takes its entries out of the group's PEL. */
    ck_assert_uint_eq(stream_delete_consumer(cg, alice), 2);
    ck_assert_uint_eq(rax_size(cg->pel), 1);
    ck_assert_ptr_null(stream_lookup_consumer(cg, (const unsigned char *)"alice", 5));
    ck_assert_uint_gt(stream_alloc_size(s, 0), sizeof(stream));
    ck_assert_int_eq(stream_destroy_cg(s, (const unsigned char *)"g1", 2), 1);
    ck_assert_int_eq(stream_destroy_cg(s, (const unsigned char *)"g1", 2), 0);
    stream_free(s);
}
END_TEST

START_TEST(test_entries_read_estimate) {
    stream *s = stream_new();
    stream_id q = mkid(5, 0);
    ck_assert_int_eq(stream_estimate_distance_from_first_ever_entry(s, &q), 0);
    for (int i = 1; i <= 5; i++) add(s, &default_limits, (uint64_t)i, 0, "f", "v", NULL);
    stream_id last = mkid(5, 0), first = mkid(1, 0), mid = mkid(3, 0), before = mkid(0, 5), future = mkid(6, 0);
    ck_assert_int_eq(stream_estimate_distance_from_first_ever_entry(s, &last), 5);
    ck_assert_int_eq(stream_estimate_distance_from_first_ever_entry(s, &first), 1);
    ck_assert_int_eq(stream_estimate_distance_from_first_ever_entry(s, &before), 0);
    ck_assert_int_eq(stream_estimate_distance_from_first_ever_entry(s, &future), STREAM_CG_ENTRIES_READ_INVALID);
    ck_assert_int_eq(stream_estimate_distance_from_first_ever_entry(s, &mid), STREAM_CG_ENTRIES_READ_INVALID);
    ck_assert_int_eq(stream_range_has_tombstones(s, NULL, NULL), 0);
    stream_delete_id(s, &mid);
    ck_assert_int_eq(stream_range_has_tombstones(s, NULL, NULL), 1);
    ck_assert_int_eq(stream_range_has_tombstones(s, &last, NULL), 0);
    ck_assert_int_eq(stream_range_has_tombstones(s, &first, &mid), 1);
    ck_assert_int_eq(stream_estimate_distance_from_first_ever_entry(s, &first), STREAM_CG_ENTRIES_READ_INVALID);
    /* Tombstones before the first entry do not matter. */
    stream_trim_args a = {.strategy = STREAM_TRIM_MINID, .minid = {4, 0}};
    stream_trim(s, &a);
    ck_assert_int_eq(stream_range_has_tombstones(s, NULL, NULL), 0);
    stream_id four = mkid(4, 0);
    ck_assert_int_eq(stream_estimate_distance_from_first_ever_entry(s, &four), 4);
    ck_assert_int_eq(stream_estimate_distance_from_first_ever_entry(s, &first), 3);
    /* An emptied stream: everything up to last_id has been read. */
    a.minid = mkid(9, 0);
    stream_trim(s, &a);
    ck_assert_int_eq(stream_estimate_distance_from_first_ever_entry(s, &first), 5);
    stream_free(s);
}
END_TEST

/* ------------------------------------------------------------ random */

START_TEST(test_randomized_against_model) {
    srand(12345);
    for (int round = 0; round < 30; round++) {
        stream_limits lim = {(size_t)(rand() % 3 ? 0 : 80 + rand() % 200), rand() % 6};
        stream *s = stream_new();
        uint64_t model[600];
        int live[600], n = 0;
        uint64_t ms = 1;
        for (int op = 0; op < 500; op++) {
            int k = rand() % 10;
            if (k < 6 || n == 0) {
                ms += 1 + (uint64_t)(rand() % 3);
                char v[16];
                snprintf(v, sizeof(v), "%d", rand() % 1000);
                const char *field = rand() % 2 ? "a" : "b";
                FAST_ASSERT(add(s, &lim, ms, 0, field, v, NULL) == 0);
                model[n] = ms;
                live[n++] = 1;
            } else if (k < 8) {
                int j = rand() % n;
                int r = stream_delete_id(s, &(stream_id){model[j], 0});
                FAST_ASSERT(r == live[j]);
                live[j] = 0;
            } else {
                long long keep = rand() % 40, cnt = 0;
                for (int j = 0; j < n; j++) cnt += live[j];
                stream_trim_args a = {.strategy = STREAM_TRIM_MAXLEN, .maxlen = keep};
                long long removed = stream_trim(s, &a);
                FAST_ASSERT(removed == (cnt > keep ? cnt - keep : 0));
                for (int j = 0; j < n && cnt > keep; j++)
                    if (live[j]) {
                        live[j] = 0;
                        cnt--;
                    }
            }
            /* The walk both ways equals the model. */
            stream_iter it;
            stream_id id;
            int64_t nf;
            int j = 0;
            stream_iter_start(&it, s, NULL, NULL, 0);
            while (stream_iter_next(&it, &id, &nf)) {
                while (j < n && !live[j]) j++;
                FAST_ASSERT(j < n && id.ms == model[j]);
                j++;
            }
            while (j < n && !live[j]) j++;
            FAST_ASSERT(j == n);
            stream_iter_stop(&it);
            j = n - 1;
            stream_iter_start(&it, s, NULL, NULL, 1);
            while (stream_iter_next(&it, &id, &nf)) {
                while (j >= 0 && !live[j]) j--;
                FAST_ASSERT(j >= 0 && id.ms == model[j]);
                j--;
            }
            stream_iter_stop(&it);
            uint64_t cnt = 0;
            for (int t = 0; t < n; t++) cnt += (uint64_t)live[t];
            FAST_ASSERT(cnt == s->length);
        }
        stream_free(s);
    }
}
END_TEST

static Suite *stream_suite(void) {
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("ids");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_id_basics);
    suite_add_tcase(s, tc);

    tc = tcase_create("layout");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_layout_matches_redis_dump);
    tcase_add_test(tc, test_same_fields_and_negative_seq_delta);
    tcase_add_test(tc, test_node_splits);
    tcase_add_test(tc, test_append_ids_and_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("iterate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_iterate_ranges);
    tcase_add_test(tc, test_fields_left_unread);
    suite_add_tcase(s, tc);

    tc = tcase_create("delete_trim");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_delete_frees_nodes_and_tracks_ids);
    tcase_add_test(tc, test_iter_remove_while_walking);
    tcase_add_test(tc, test_trim_maxlen);
    tcase_add_test(tc, test_trim_minid);
    suite_add_tcase(s, tc);

    tc = tcase_create("groups");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_groups_consumers_nacks);
    tcase_add_test(tc, test_entries_read_estimate);
    suite_add_tcase(s, tc);

    tc = tcase_create("random");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_randomized_against_model);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(stream_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
