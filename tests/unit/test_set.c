/* test_set.c -- Check tests for the set value layer and set algebra of
 * t_set.c: encodings and their conversion, membership, deep copies, the
 * SDIFF algorithm choice, union / difference / intersection against a
 * brute-force answer, and distinct sampling.
 *
 * t_set.c's helpers are static (nothing outside the file may use them),
 * so this file includes it; the server functions its handlers call are
 * stubbed and fail the test if reached. Every test ends with zmalloc's
 * byte count back where it started. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "t_set.c"

/* ---------------------------------------------------------- stubs */

/* Redis's default set-max-intset-entries (config.c is not linked). */
#define INTSET_MAX 512
struct server_config cfg = {.set_max_intset_entries = INTSET_MAX};

#define NOT_HERE(name) ck_abort_msg(name " called from a unit test")

robj *db_lookup_read(db *d, const sds key) { (void)d; (void)key; NOT_HERE("db_lookup_read"); return NULL; }
robj *db_lookup_write(db *d, const sds key) { (void)d; (void)key; NOT_HERE("db_lookup_write"); return NULL; }
void db_add(db *d, const sds key, robj *val) { (void)d; (void)key; (void)val; NOT_HERE("db_add"); }
void db_set_key(db *d, const sds key, robj *val, int keep_ttl) {
    (void)d; (void)key; (void)val; (void)keep_ttl;
    NOT_HERE("db_set_key");
}
int db_delete(db *d, const sds key) { (void)d; (void)key; NOT_HERE("db_delete"); return 0; }
int db_delete_maybe_lazy(db *d, const sds key, int lazy) {
    (void)d; (void)key; (void)lazy;
    NOT_HERE("db_delete_maybe_lazy");
    return 0;
}
void db_signal_modified(db *d, const sds key) { (void)d; (void)key; NOT_HERE("db_signal_modified"); }
void notify_keyspace_event(int type, const char *event, const sds key, int dbid) {
    (void)type; (void)event; (void)key; (void)dbid;
    NOT_HERE("notify_keyspace_event");
}
struct server_state server; /* db_dirty's counter */
int prop_active(void) { NOT_HERE("prop_active"); return 0; }
void prop_addf(int dbid, const char *fmt, ...) { (void)dbid; (void)fmt; NOT_HERE("prop_addf"); }
void prop_replacef(client *c, const char *fmt, ...) { (void)c; (void)fmt; NOT_HERE("prop_replacef"); }
void prop_prevent(client *c) { (void)c; NOT_HERE("prop_prevent"); }
int db_check_type(client *c, const robj *o, int type) { (void)c; (void)o; (void)type; NOT_HERE("db_check_type"); return 0; }
sds net_steal_arg(client *c, int i) { (void)c; (void)i; NOT_HERE("net_steal_arg"); return NULL; }
void reply_array_len(client *c, long n) { (void)c; (void)n; NOT_HERE("reply_array_len"); }
void reply_set_len(client *c, long n) { (void)c; (void)n; NOT_HERE("reply_set_len"); }
void reply_bulk(client *c, const char *p, size_t len) { (void)c; (void)p; (void)len; NOT_HERE("reply_bulk"); }
void reply_bulk_ll(client *c, long long v) { (void)c; (void)v; NOT_HERE("reply_bulk_ll"); }
void reply_bulk_sds(client *c, const sds s) { (void)c; (void)s; NOT_HERE("reply_bulk_sds"); }
void reply_error(client *c, const char *msg) { (void)c; (void)msg; NOT_HERE("reply_error"); }
void reply_error_format(client *c, const char *fmt, ...) { (void)c; (void)fmt; NOT_HERE("reply_error_format"); }
void reply_error_not_integer(client *c) { (void)c; NOT_HERE("reply_error_not_integer"); }
void reply_error_syntax(client *c) { (void)c; NOT_HERE("reply_error_syntax"); }
void reply_integer(client *c, long long v) { (void)c; (void)v; NOT_HERE("reply_integer"); }
void reply_null(client *c) { (void)c; NOT_HERE("reply_null"); }

/* ---------------------------------------------------------- helpers */

static size_t mem_before;

static void mem_setup(void) {
    mem_before = zmalloc_used_memory();
}

static void mem_teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_before);
}

/* Adds a C string member. */
static int add(robj *o, const char *m) {
    sds s = sds_new(m);
    int r = set_add(o, s);
    sds_free(s);
    return r;
}

static int has(const robj *o, const char *m) {
    sds s = sds_new(m);
    int r = set_is_member(o, s);
    sds_free(s);
    return r;
}

static int rem(robj *o, const char *m) {
    sds s = sds_new(m);
    int r = set_remove(o, s);
    sds_free(s);
    return r;
}

/* A set of the integers lo..hi step step (as strings, through set_add). */
static robj *int_set(long lo, long hi, long step) {
    robj *o = set_create(OBJ_ENCODING_INTSET);
    char buf[LONG_STR_SIZE];
    for (long v = lo; v <= hi; v += step) {
        snprintf(buf, sizeof(buf), "%ld", v);
        add(o, buf);
    }
    return o;
}

/* Whether every integer of o is in [lo, hi] and o holds exactly the
 * members pred accepts there. */
static void check_members(robj *o, long lo, long hi, int (*pred)(long v)) {
    unsigned long want = 0;
    char buf[LONG_STR_SIZE];
    for (long v = lo; v <= hi; v++) {
        snprintf(buf, sizeof(buf), "%ld", v);
        int in = pred(v);
        want += (unsigned long)in;
        ck_assert_msg(has(o, buf) == in, "member %ld: expected %d", v, in);
    }
    ck_assert_uint_eq(set_size(o), want);
}

/* ---------------------------------------------------------- encodings */

START_TEST(test_intset_until_limit) {
    robj *o = int_set(1, INTSET_MAX, 1);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_INTSET);
    ck_assert_uint_eq(set_size(o), INTSET_MAX);
    ck_assert_int_eq(add(o, "1"), 0);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_INTSET);
    ck_assert_int_eq(add(o, "-1"), 1);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    ck_assert_uint_eq(set_size(o), INTSET_MAX + 1);
    ck_assert(has(o, "-1") && has(o, "1") && has(o, "512") && !has(o, "513") && !has(o, "01"));
    /* a dict set never goes back */
    for (int v = 1; v <= 500; v++) {
        char buf[LONG_STR_SIZE];
        snprintf(buf, sizeof(buf), "%d", v);
        ck_assert_int_eq(rem(o, buf), 1);
    }
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    ck_assert_uint_eq(set_size(o), 13);
    /* removals shrank the table (once the rehash it started is done) */
    while (dict_rehash(o->ptr, 1000)) {
    }
    ck_assert_uint_le(dict_slots((dict *)o->ptr), 128);
    set_release(o);
}
END_TEST

/* The limit is read from the config at each insert. */
START_TEST(test_configured_limit) {
    cfg.set_max_intset_entries = 4;
    robj *o = int_set(1, 4, 1);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_INTSET);
    add(o, "5");
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    set_release(o);
    cfg.set_max_intset_entries = 0;
    o = set_create(OBJ_ENCODING_INTSET);
    add(o, "1");
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    ck_assert(has(o, "1"));
    set_release(o);
    cfg.set_max_intset_entries = INTSET_MAX;
}
END_TEST

START_TEST(test_string_converts) {
    robj *o = set_create(OBJ_ENCODING_INTSET);
    ck_assert_int_eq(add(o, "7"), 1);
    ck_assert_int_eq(add(o, "-9223372036854775808"), 1);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_INTSET);
    const char *not_ints[] = {"007", "+1", "-0", " 1", "9223372036854775808", ""};
    for (size_t i = 0; i < sizeof(not_ints) / sizeof(not_ints[0]); i++) {
        ck_assert(!has(o, not_ints[i]));
        ck_assert_int_eq(rem(o, not_ints[i]), 0);
    }
    ck_assert_int_eq(add(o, "007"), 1);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    ck_assert(has(o, "7") && has(o, "007") && has(o, "-9223372036854775808"));
    ck_assert_int_eq(set_add_ll(o, 7), 0);
    ck_assert_int_eq(set_add_ll(o, 8), 1);
    ck_assert(has(o, "8"));
    set_elem e = {.s = NULL, .ll = 8};
    ck_assert(set_is_member_elem(o, &e));
    ck_assert_int_eq(set_remove_elem(o, &e), 1);
    ck_assert(!set_is_member_elem(o, &e));
    /* set_add_owned takes the string either way */
    ck_assert_int_eq(set_add_owned(o, sds_new("007")), 0);
    ck_assert_int_eq(set_add_owned(o, sds_new("x")), 1);
    ck_assert_uint_eq(set_size(o), 4);
    set_release(o);
    /* into an intset, an integer string is stored as an integer */
    o = set_create(OBJ_ENCODING_INTSET);
    ck_assert_int_eq(set_add_owned(o, sds_new("42")), 1);
    ck_assert_int_eq(set_add_owned(o, sds_new("42")), 0);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_INTSET);
    set_release(o);
}
END_TEST

START_TEST(test_create_for) {
    sds a = sds_new("12"), b = sds_new("x");
    robj *o = set_create_for(a);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_INTSET);
    ck_assert_int_eq(o->type, OBJ_SET);
    ck_assert_int_eq(o->refcount, 1);
    set_release(o);
    o = set_create_for(b);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    set_release(o);
    sds_free(a);
    sds_free(b);
}
END_TEST

START_TEST(test_num_sds) {
    char buf[SET_NUM_SDS_BYTES];
    long long vals[] = {0, -1, 42, LLONG_MIN, LLONG_MAX};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        sds s = set_num_sds(buf, vals[i]);
        sds want = sds_from_ll(vals[i]);
        ck_assert_uint_eq(sds_len(s), sds_len(want));
        ck_assert_str_eq(s, want);
        sds_free(want);
    }
}
END_TEST

START_TEST(test_dup_is_deep) {
    robj *i = int_set(1, 10, 1);
    robj *ic = set_dup(i);
    ck_assert_int_eq(ic->encoding, OBJ_ENCODING_INTSET);
    add(ic, "11");
    ck_assert(!has(i, "11") && has(ic, "11") && has(ic, "10"));
    robj *h = int_set(1, 1000, 1);
    add(h, "x");
    robj *hc = set_dup(h);
    ck_assert_int_eq(hc->encoding, OBJ_ENCODING_HT);
    ck_assert_uint_eq(set_size(hc), 1001);
    rem(hc, "x");
    ck_assert(has(h, "x") && !has(hc, "x") && has(hc, "1000"));
    set_release(i);
    set_release(ic);
    set_release(h);
    set_release(hc);
}
END_TEST

/* ---------------------------------------------------------- algebra */

START_TEST(test_diff_algorithm_choice) {
    /* big first set, small others: remove the others from a copy */
    unsigned long big_first[] = {100000, 10, 10};
    ck_assert_int_eq(set_diff_algorithm(100000, big_first, 3), 2);
    /* small first set: probe */
    unsigned long small_first[] = {10, 100000, 10};
    ck_assert_int_eq(set_diff_algorithm(10, small_first, 3), 1);
    /* equal sizes: probing costs half */
    unsigned long equal[] = {100, 100};
    ck_assert_int_eq(set_diff_algorithm(100, equal, 2), 1);
    unsigned long one[] = {5};
    ck_assert_int_eq(set_diff_algorithm(5, one, 1), 1);
}
END_TEST

static int mult3(long v) { return v % 3 == 0; }
static int mult3_not5(long v) { return v % 3 == 0 && v % 5 != 0; }
static int mult3_or5(long v) { return v % 3 == 0 || v % 5 == 0; }
static int mult15(long v) { return v % 15 == 0; }

START_TEST(test_union_diff) {
    /* every mix of encodings: small (intset) and big (dict) operands */
    long sizes[] = {300, 3000};
    for (int a = 0; a < 2; a++) {
        for (int b = 0; b < 2; b++) {
            robj *s3 = int_set(0, sizes[a], 3), *s5 = int_set(0, sizes[b], 5);
            long lo3 = sizes[a], lo5 = sizes[b];
            robj *sets[] = {s3, s5, NULL};
            robj *u = set_union_diff(sets, 3, SET_OP_UNION);
            robj *d = set_union_diff(sets, 3, SET_OP_DIFF);
            /* compare on the range both cover */
            long range = lo3 < lo5 ? lo3 : lo5;
            for (long v = 0; v <= range; v++) {
                char buf[LONG_STR_SIZE];
                snprintf(buf, sizeof(buf), "%ld", v);
                ck_assert_int_eq(has(u, buf), mult3_or5(v));
                ck_assert_int_eq(has(d, buf), mult3_not5(v));
            }
            ck_assert_int_eq(u->encoding, set_size(u) > 512 ? OBJ_ENCODING_HT : OBJ_ENCODING_INTSET);
            set_release(u);
            set_release(d);
            set_release(s3);
            set_release(s5);
        }
    }
}
END_TEST

START_TEST(test_diff_edges) {
    robj *s3 = int_set(0, 300, 3);
    robj *s5 = int_set(0, 300, 5);
    /* the first key repeated later: empty */
    robj *same[] = {s3, s5, s3};
    robj *d = set_union_diff(same, 3, SET_OP_DIFF);
    ck_assert_uint_eq(set_size(d), 0);
    set_release(d);
    /* a missing first key: empty */
    robj *missing[] = {NULL, s3};
    d = set_union_diff(missing, 2, SET_OP_DIFF);
    ck_assert_uint_eq(set_size(d), 0);
    set_release(d);
    /* only missing others: a copy */
    robj *alone[] = {s3, NULL, NULL};
    d = set_union_diff(alone, 3, SET_OP_DIFF);
    check_members(d, 0, 300, mult3);
    set_release(d);
    /* algorithm 2 stops once empty, still right */
    robj *big = int_set(0, 3000, 1), *small = int_set(0, 300, 3);
    robj *drain[] = {small, big, s5};
    d = set_union_diff(drain, 3, SET_OP_DIFF);
    ck_assert_uint_eq(set_size(d), 0);
    set_release(d);
    robj *all_missing[] = {NULL, NULL};
    d = set_union_diff(all_missing, 2, SET_OP_UNION);
    ck_assert_uint_eq(set_size(d), 0);
    set_release(d);
    set_release(big);
    set_release(small);
    set_release(s3);
    set_release(s5);
}
END_TEST

/* set_intersect collector: adds into a set, stops at a limit. */
struct inter_ctx {
    robj *out;
    unsigned long limit, calls;
};

static int inter_collect(void *p, const set_elem *e) {
    struct inter_ctx *k = p;
    set_add_elem(k->out, e);
    k->calls++;
    return k->limit == 0 || k->calls < k->limit;
}

START_TEST(test_intersect) {
    robj *s3 = int_set(0, 3000, 3), *s5 = int_set(0, 300, 5);
    add(s3, "x");
    robj *sets[] = {s3, s5, s3};
    struct inter_ctx k = {.out = set_create(OBJ_ENCODING_INTSET)};
    set_intersect(sets, 3, inter_collect, &k);
    check_members(k.out, 0, 300, mult15);
    ck_assert_int_eq(k.out->encoding, OBJ_ENCODING_INTSET);
    set_release(k.out);
    /* a limit stops the walk */
    k = (struct inter_ctx){.out = set_create(OBJ_ENCODING_INTSET), .limit = 3};
    set_intersect(sets, 2, inter_collect, &k);
    ck_assert_uint_eq(k.calls, 3);
    set_release(k.out);
    /* a lone set intersects to itself */
    k = (struct inter_ctx){.out = set_create(OBJ_ENCODING_INTSET)};
    set_intersect(&s5, 1, inter_collect, &k);
    ck_assert_uint_eq(set_size(k.out), set_size(s5));
    set_release(k.out);
    set_release(s3);
    set_release(s5);
}
END_TEST

START_TEST(test_many_sources) {
    /* more sources than the stack arrays hold */
    enum { N = 20 };
    robj *sets[N];
    for (int i = 0; i < N; i++) sets[i] = int_set(i, 400, 1);
    robj *u = set_union_diff(sets, N, SET_OP_UNION);
    ck_assert_uint_eq(set_size(u), 401);
    robj *d = set_union_diff(sets, N, SET_OP_DIFF);
    ck_assert_uint_eq(set_size(d), 1);
    ck_assert(has(d, "0"));
    struct inter_ctx k = {.out = set_create(OBJ_ENCODING_INTSET)};
    set_intersect(sets, N, inter_collect, &k);
    ck_assert_uint_eq(set_size(k.out), 401 - (N - 1));
    set_release(k.out);
    set_release(u);
    set_release(d);
    for (int i = 0; i < N; i++) set_release(sets[i]);
}
END_TEST

/* ---------------------------------------------------------- sampling */

START_TEST(test_pick_table) {
    set_pick_table t;
    set_pick_init(&t, 100);
    for (uint64_t k = 1; k <= 100; k++) ck_assert_int_eq(set_pick_add(&t, k * 4096), 1);
    for (uint64_t k = 1; k <= 100; k++) ck_assert_int_eq(set_pick_add(&t, k * 4096), 0);
    set_pick_free(&t);
}
END_TEST

/* Distinct, member, and exactly count: through both sampling methods and
 * both encodings. */
START_TEST(test_sample_distinct) {
    robj *sets[] = {int_set(1, 400, 1), int_set(1, 5000, 1)};
    for (int s = 0; s < 2; s++) {
        unsigned long size = set_size(sets[s]);
        unsigned long counts[] = {1, 2, size / 10, size / 3, size / 3 + 1, size / 2, size - 1};
        for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
            unsigned long count = counts[c];
            set_elem *picks = zmalloc(sizeof(*picks) * count);
            set_sample_distinct(sets[s], picks, count);
            robj *seen = set_create(OBJ_ENCODING_INTSET);
            for (unsigned long i = 0; i < count; i++) {
                ck_assert(set_is_member_elem(sets[s], &picks[i]));
                ck_assert_int_eq(set_add_elem(seen, &picks[i]), 1);
            }
            set_release(seen);
            zfree(picks);
        }
        set_release(sets[s]);
    }
}
END_TEST

static Suite *set_suite(void) {
    Suite *s = suite_create("set");
    TCase *tc = tcase_create("value");
    tcase_add_checked_fixture(tc, mem_setup, mem_teardown);
    tcase_add_test(tc, test_intset_until_limit);
    tcase_add_test(tc, test_configured_limit);
    tcase_add_test(tc, test_string_converts);
    tcase_add_test(tc, test_create_for);
    tcase_add_test(tc, test_num_sds);
    tcase_add_test(tc, test_dup_is_deep);
    suite_add_tcase(s, tc);
    tc = tcase_create("algebra");
    tcase_add_checked_fixture(tc, mem_setup, mem_teardown);
    tcase_add_test(tc, test_diff_algorithm_choice);
    tcase_add_test(tc, test_union_diff);
    tcase_add_test(tc, test_diff_edges);
    tcase_add_test(tc, test_intersect);
    tcase_add_test(tc, test_many_sources);
    tcase_add_test(tc, test_pick_table);
    tcase_add_test(tc, test_sample_distinct);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(set_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
