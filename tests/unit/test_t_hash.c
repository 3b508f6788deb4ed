/* test_t_hash.c -- Check tests for the hash type's storage core in
 * t_hash.c (built into this program with #include, so its static functions
 * are reachable): set / get / delete on both encodings, insertion order,
 * integers stored compactly yet read back as text, conversion at the
 * configured thresholds and never back, deep copies (COPY) and frees.
 *
 * The command handlers are compiled too but never run: the server-layer
 * calls they make are stubs that abort. Every test ends with zmalloc's
 * used-memory counter back where it started. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t_hash.c"

struct server_config cfg;

/* ---------------------------------------------------------- stubs
 * Handlers are not exercised here; reaching a stub is a test failure. */
#define STUB(name) ck_abort_msg("stub %s called", name)
void reply_proto(struct client *c, const char *p, size_t len) { (void)c, (void)p, (void)len; STUB("reply_proto"); }
void reply_ok(struct client *c) { (void)c; STUB("reply_ok"); }
void reply_error(struct client *c, const char *m) { (void)c, (void)m; STUB("reply_error"); }
void reply_error_format(struct client *c, const char *fmt, ...) { (void)c, (void)fmt; STUB("reply_error_format"); }
void reply_error_arity(struct client *c) { (void)c; STUB("reply_error_arity"); }
void reply_error_syntax(struct client *c) { (void)c; STUB("reply_error_syntax"); }
void reply_error_not_integer(struct client *c) { (void)c; STUB("reply_error_not_integer"); }
void reply_integer(struct client *c, long long v) { (void)c, (void)v; STUB("reply_integer"); }
void reply_bulk(struct client *c, const char *p, size_t len) { (void)c, (void)p, (void)len; STUB("reply_bulk"); }
void reply_bulk_sds(struct client *c, const sds s) { (void)c, (void)s; STUB("reply_bulk_sds"); }
void reply_null(struct client *c) { (void)c; STUB("reply_null"); }
void reply_array_len(struct client *c, long n) { (void)c, (void)n; STUB("reply_array_len"); }
void reply_map_len(struct client *c, long n) { (void)c, (void)n; STUB("reply_map_len"); }
robj *db_lookup_read(db *d, const sds key) { (void)d, (void)key; STUB("db_lookup_read"); return NULL; }
robj *db_lookup_write(db *d, const sds key) { (void)d, (void)key; STUB("db_lookup_write"); return NULL; }
void db_add(db *d, const sds key, robj *val) { (void)d, (void)key, (void)val; STUB("db_add"); }
int db_delete(db *d, const sds key) { (void)d, (void)key; STUB("db_delete"); return 0; }
int db_check_type(client *c, const robj *o, int type) { (void)c, (void)o, (void)type; STUB("db_check_type"); return 0; }

/* Thresholds small enough to cross cheaply. */
#define TEST_MAX_ENTRIES 4
#define TEST_MAX_VALUE_BYTES 8
#define MANY_FIELDS 1000
/* Redis's hash-max-listpack-value, for tests about values, not limits. */
#define HASH_DEFAULT_VALUE_BYTES 64

static size_t mem_at_start;

static void setup(void) {
    cfg.hash_max_listpack_entries = TEST_MAX_ENTRIES;
    cfg.hash_max_listpack_value = TEST_MAX_VALUE_BYTES;
    mem_at_start = zmalloc_used_memory();
}

static void teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

/* hash_set with C strings (the field becomes a temporary sds). */
static int set(robj *o, const char *f, const char *v) {
    sds field = sds_new(f);
    int r = hash_set(o, field, v, strlen(v));
    sds_free(field);
    return r;
}

static int del(robj *o, const char *f) {
    sds field = sds_new(f);
    int r = hash_delete(o, field);
    sds_free(field);
    return r;
}

/* Fails unless field f holds v (v NULL: f absent). */
static void expect_value(robj *o, const char *f, const char *v) {
    sds field = sds_new(f);
    char buf[LP_INTBUF_SIZE];
    const char *s;
    size_t len;
    int found = hash_get(o, field, &s, &len, buf);
    ck_assert_int_eq(hash_exists(o, field), found);
    sds_free(field);
    if (v == NULL) {
        ck_assert_msg(!found, "field %s should be absent", f);
        return;
    }
    ck_assert_msg(found, "field %s missing", f);
    ck_assert_uint_eq(len, strlen(v));
    ck_assert_msg(memcmp(s, v, len) == 0, "field %s: got %.*s, want %s", f, (int)len, s, v);
}

/* The pairs in iteration order, "f=v,f=v," (new sds). */
static sds dump(robj *o) {
    sds out = sds_empty();
    hash_iter it;
    hash_iter_init(&it, o);
    while (hash_iter_next(&it)) {
        char buf[LP_INTBUF_SIZE];
        size_t len;
        const char *s = hash_iter_get(&it, HASH_FIELD, buf, &len);
        out = sds_cat_len(out, s, len);
        out = sds_cat(out, "=");
        s = hash_iter_get(&it, HASH_VALUE, buf, &len);
        out = sds_cat_len(out, s, len);
        out = sds_cat(out, ",");
    }
    hash_iter_release(&it);
    return out;
}

static void expect_dump(robj *o, const char *want) {
    sds got = dump(o);
    ck_assert_str_eq(got, want);
    sds_free(got);
}

static void free_hash(robj *o) {
    hash_free_value(o);
    zfree(o);
}

START_TEST(test_listpack_set_get_order) {
    robj *o = hash_create_object();
    ck_assert_int_eq(o->type, OBJ_HASH);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_LISTPACK);
    ck_assert_uint_eq(hash_length(o), 0);
    ck_assert_int_eq(set(o, "b", "1"), 1);
    ck_assert_int_eq(set(o, "a", "two"), 1);
    ck_assert_int_eq(set(o, "c", ""), 1);
    ck_assert_int_eq(set(o, "b", "replaced"), 0);
    ck_assert_uint_eq(hash_length(o), 3);
    expect_dump(o, "b=replaced,a=two,c=,");
    expect_value(o, "a", "two");
    expect_value(o, "c", "");
    expect_value(o, "zz", NULL);
    /* A value equal to a field's name is not mistaken for the field. */
    ck_assert_int_eq(set(o, "x", "a"), 1);
    ck_assert_int_eq(del(o, "two"), 0);
    expect_value(o, "a", "two");
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_LISTPACK);
    free_hash(o);
}
END_TEST

START_TEST(test_listpack_integers_as_text) {
    cfg.hash_max_listpack_value = HASH_DEFAULT_VALUE_BYTES;
    robj *o = hash_create_object();
    set(o, "-5", "123");
    set(o, "007", "9223372036854775807");
    set(o, "n", "-9223372036854775808");
    set(o, "big", "9223372036854775808");
    expect_dump(o, "-5=123,007=9223372036854775807,n=-9223372036854775808,big=9223372036854775808,");
    /* "7" (an integer entry) and "007" (a string) are different fields. */
    expect_value(o, "7", NULL);
    expect_value(o, "-5", "123");
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_LISTPACK);
    free_hash(o);
}
END_TEST

START_TEST(test_listpack_delete) {
    robj *o = hash_create_object();
    set(o, "a", "1");
    set(o, "b", "2");
    set(o, "c", "3");
    ck_assert_int_eq(del(o, "b"), 1);
    ck_assert_int_eq(del(o, "b"), 0);
    expect_dump(o, "a=1,c=3,");
    ck_assert_int_eq(del(o, "a"), 1);
    ck_assert_int_eq(del(o, "c"), 1);
    ck_assert_uint_eq(hash_length(o), 0);
    expect_dump(o, "");
    free_hash(o);
}
END_TEST

START_TEST(test_convert_on_entries) {
    robj *o = hash_create_object();
    char f[16];
    for (int i = 0; i < TEST_MAX_ENTRIES; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        ck_assert_int_eq(set(o, f, "v"), 1);
    }
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_LISTPACK);
    ck_assert_int_eq(set(o, "f0", "again"), 0);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_LISTPACK);
    ck_assert_int_eq(set(o, "last", "v"), 1);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    ck_assert_uint_eq(hash_length(o), TEST_MAX_ENTRIES + 1);
    expect_value(o, "f0", "again");
    expect_value(o, "last", "v");
    /* Never back, even when emptied to one field. */
    for (int i = 0; i < TEST_MAX_ENTRIES; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        ck_assert_int_eq(del(o, f), 1);
    }
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    expect_dump(o, "last=v,");
    free_hash(o);
}
END_TEST

START_TEST(test_convert_on_length) {
    robj *o = hash_create_object();
    set(o, "a", "12345678"); /* exactly the limit */
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_LISTPACK);
    set(o, "b", "123456789");
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    expect_value(o, "a", "12345678");
    expect_value(o, "b", "123456789");
    free_hash(o);
    o = hash_create_object();
    set(o, "fieldname", "v"); /* a long field converts as well */
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    free_hash(o);
    /* hash_convert_for_args looks at every argument before writing. */
    o = hash_create_object();
    sds argv[4] = {sds_new("a"), sds_new("1"), sds_new("b"), sds_new("too long value")};
    hash_convert_for_args(o, argv, 0, 1);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_LISTPACK);
    hash_convert_for_args(o, argv, 0, 3);
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    for (int i = 0; i < 4; i++) sds_free(argv[i]);
    free_hash(o);
}
END_TEST

START_TEST(test_dict_many_and_shrink) {
    robj *o = hash_create_object();
    char f[16], v[16];
    for (int i = 0; i < MANY_FIELDS; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        snprintf(v, sizeof(v), "%d", i * 7);
        ck_assert_int_eq(set(o, f, v), 1);
    }
    ck_assert_uint_eq(hash_length(o), MANY_FIELDS);
    for (int i = 0; i < MANY_FIELDS; i += 97) {
        snprintf(f, sizeof(f), "f%d", i);
        snprintf(v, sizeof(v), "%d", i * 7);
        expect_value(o, f, v);
    }
    unsigned long slots_full = dict_slots((dict *)o->ptr);
    for (int i = 1; i < MANY_FIELDS; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        ck_assert_int_eq(del(o, f), 1);
    }
    /* The table followed the hash down (once its last rehash is done). */
    while (dict_rehash(o->ptr, 100)) continue;
    ck_assert_uint_lt(dict_slots((dict *)o->ptr), slots_full / 8);
    expect_dump(o, "f0=0,");
    free_hash(o);
}
END_TEST

START_TEST(test_dup_is_deep) {
    robj *o = hash_create_object();
    set(o, "a", "1");
    set(o, "b", "2");
    robj *c = hash_dup(o);
    ck_assert_int_eq(c->encoding, OBJ_ENCODING_LISTPACK);
    ck_assert_ptr_ne(c->ptr, o->ptr);
    set(c, "a", "changed");
    expect_value(o, "a", "1");
    expect_dump(c, "a=changed,b=2,");
    free_hash(c);
    /* Hashtable: the copy owns its own strings. */
    set(o, "long", "longer than eight");
    ck_assert_int_eq(o->encoding, OBJ_ENCODING_HT);
    c = hash_dup(o);
    ck_assert_int_eq(c->encoding, OBJ_ENCODING_HT);
    ck_assert_uint_eq(hash_length(c), 3);
    free_hash(o);
    expect_value(c, "long", "longer than eight");
    expect_value(c, "b", "2");
    ck_assert_int_eq(c->refcount, 1);
    ck_assert_int_eq(c->type, OBJ_HASH);
    free_hash(c);
}
END_TEST

START_TEST(test_random_below) {
    /* Every value of a small range turns up, none outside it. */
    int seen[7] = {0};
    for (int i = 0; i < 1000; i++) {
        unsigned long r = sample_below(7);
        ck_assert_uint_lt(r, 7);
        seen[r]++;
    }
    for (int i = 0; i < 7; i++) ck_assert_int_gt(seen[i], 0);
    ck_assert_uint_eq(sample_below(1), 0);
}
END_TEST

static Suite *hash_core_suite(void) {
    Suite *s = suite_create("t_hash");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_listpack_set_get_order);
    tcase_add_test(tc, test_listpack_integers_as_text);
    tcase_add_test(tc, test_listpack_delete);
    tcase_add_test(tc, test_convert_on_entries);
    tcase_add_test(tc, test_convert_on_length);
    tcase_add_test(tc, test_dict_many_and_shrink);
    tcase_add_test(tc, test_dup_is_deep);
    tcase_add_test(tc, test_random_below);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(hash_core_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
