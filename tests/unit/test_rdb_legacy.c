/* test_rdb_legacy.c -- Check tests for loading the RDB 7-9 packed types
 * (rdb_load_object with types 9, 10, 12, 13, 14): each value is written
 * here as an old server wrote it (a ziplist or zipmap blob inside an RDB
 * string, raw or LZF-compressed), loaded, added to the keyspace and read
 * back through the real command path (HGETALL, ZRANGE, LRANGE, OBJECT
 * ENCODING), so conversions and thresholds are checked as a client sees
 * them. The outcomes for empty encodings are Redis 7.0.15's, observed with
 * tests/persist/make_legacy_rdb.py. Whole files are tested against Redis
 * and minired by tests/persist/check_legacy_rdb.py.
 *
 * Links every server object but main.o, as test_cmd_call does. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "db.h"
#include "monotonic.h"
#include "listpack.h"
#include "networking.h"
#include "quicklist.h"
#include "rdb_internal.h"
#include "rdb_legacy.h"
#include "server.h"
#include "zmalloc.h"

#define MAX_ARGS 8
#define MAX_ENTRIES 2000

static client *cl;

static void setup(void) {
    static int started;
    if (!started) {
        config_init_defaults();
        mono_init();
        cmd_init();
        db_init(cfg.databases);
        started = 1;
    }
    cl = net_create_client(-1);
    cl->flags |= CLIENT_NO_SOCKET;
}

static void teardown(void) {
    net_free_client(cl);
    db_empty(-1);
}

/* ------------------------------------------------------------ old blobs */

/* A ziplist of short strings (under 64 bytes: one-byte prevlens and
 * lengths), as Redis wrote it; canonical integers become integer entries
 * the way Redis stored them. Returns a new sds. */
static sds ziplist_of(const char *const *vals, int n) {
    sds body = sds_empty();
    unsigned prev = 0, tail = 10;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(vals[i]);
        unsigned char e[80];
        size_t el = 0;
        e[el++] = (unsigned char)prev;
        char *end;
        long long v = strtoll(vals[i], &end, 10);
        int canonical = len > 0 && *end == '\0' && (vals[i][0] != '0' || len == 1) && vals[i][0] != '+' &&
                        vals[i][0] != ' ' && strcmp(vals[i], "-0") != 0 && v >= -32768 && v <= 32767;
        if (canonical && v >= 0 && v <= 12) {
            e[el++] = (unsigned char)(0xF1 + v);
        } else if (canonical) {
            e[el++] = 0xC0;
            e[el++] = (unsigned char)(v & 0xFF);
            e[el++] = (unsigned char)((v >> 8) & 0xFF);
        } else {
            ck_assert_uint_lt(len, 64);
            e[el++] = (unsigned char)len;
            memcpy(e + el, vals[i], len);
            el += len;
        }
        tail = 10 + (unsigned)sds_len(body);
        body = sds_cat_len(body, e, el);
        prev = (unsigned)el;
    }
    size_t total = 10 + sds_len(body) + 1;
    unsigned char hdr[10] = {(unsigned char)total, (unsigned char)(total >> 8), (unsigned char)(total >> 16), 0,
                             (unsigned char)tail, (unsigned char)(tail >> 8), 0, 0,
                             (unsigned char)n, (unsigned char)(n >> 8)};
    sds zl = sds_new_len(hdr, 10);
    zl = sds_cat_len(zl, body, sds_len(body));
    zl = sds_cat_len(zl, "\xff", 1);
    sds_free(body);
    return zl;
}

/* A zipmap of pairs of short strings. */
static sds zipmap_of(const char *const *vals, int n) {
    unsigned char count = (unsigned char)(n / 2);
    sds zm = sds_new_len(&count, 1);
    for (int i = 0; i < n; i++) {
        unsigned char len = (unsigned char)strlen(vals[i]);
        zm = sds_cat_len(zm, &len, 1);
        if (i % 2) zm = sds_cat_len(zm, "\0", 1); /* no free bytes */
        zm = sds_cat_len(zm, vals[i], len);
    }
    return sds_cat_len(zm, "\xff", 1);
}

/* ------------------------------------------------------------ loading */

/* Loads a value of type from the RDB bytes in payload (borrowed). Returns
 * the object, or NULL with *err / *empty as the loader left them. */
static robj *load(int type, sds payload, sds *err, int *empty) {
    rio r;
    rio_init_buffer(&r, payload);
    *err = NULL;
    robj *o = rdb_load_object_ex(&r, type, 0, err, empty);
    if (o) ck_assert_uint_eq(r.io.buffer.pos, sds_len(payload)); /* read it all */
    return o;
}

/* An RDB string holding blob (LZF-compressed when compress). Takes blob. */
static sds rdb_str(sds blob, int compress) {
    rio r;
    rio_init_buffer(&r, sds_empty());
    ck_assert_int_gt(rdb_save_string_ex(&r, blob, sds_len(blob), compress), 0);
    sds_free(blob);
    return r.io.buffer.ptr;
}

/* Loads and adds the value as key "k"; fails the test on refusal. */
static void load_as_k(int type, sds payload) {
    sds err;
    int empty;
    robj *o = load(type, payload, &err, &empty);
    ck_assert_msg(o != NULL, "refused: %s", err ? err : "(empty)");
    ck_assert_int_eq(db_add_loaded(&server.dbs[0], sds_new("k"), o), 1);
    sds_free(payload);
}

/* The loader refuses payload with exactly why (or, when why is NULL,
 * reports an empty key). Takes payload. */
static void expect_refused(int type, sds payload, const char *why) {
    size_t mem = zmalloc_used_memory();
    sds err;
    int empty;
    robj *o = load(type, payload, &err, &empty);
    ck_assert_ptr_null(o);
    if (why) {
        ck_assert_int_eq(empty, 0);
        ck_assert_ptr_nonnull(err);
        ck_assert_str_eq(err, why);
        sds_free(err);
    } else {
        ck_assert_int_eq(empty, 1);
        ck_assert_ptr_null(err);
    }
    ck_assert_uint_eq(zmalloc_used_memory(), mem); /* nothing leaked */
    sds_free(payload);
}

/* The list stored at key "k" of db 0. */
static quicklist *list_at_k(void) {
    sds k = sds_new("k");
    robj *o = dict_fetch_value(server.dbs[0].keys, k);
    sds_free(k);
    ck_assert_ptr_nonnull(o);
    return o->ptr;
}

static sds run(const char *const *args) {
    sds argv[MAX_ARGS] = {0};
    int argc = 0;
    for (; args[argc]; argc++) argv[argc] = sds_new(args[argc]);
    sds out = cmd_run_argv(cl, CMD_CALLER_CLIENT, argc, argv);
    for (int i = 0; i < argc; i++) sds_free(argv[i]);
    return out;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define EXPECT(want, ...)                                                                      \
    do {                                                                                       \
        sds got_ = run(ARGS(__VA_ARGS__));                                                     \
        ck_assert_msg(sds_len(got_) == strlen(want) && memcmp(got_, want, strlen(want)) == 0, \
                      "got [%s], want [%s]", got_, want);                                      \
        sds_free(got_);                                                                        \
    } while (0)

/* ------------------------------------------------------------ tests */

START_TEST(test_hash_ziplist) {
    const char *const v[] = {"name", "minired", "n", "42", "neg", "-300", "0", "zero"};
    load_as_k(RDB_TYPE_HASH_ZIPLIST, rdb_str(ziplist_of(v, 8), 1));
    EXPECT("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "k");
    EXPECT(":4\r\n", "HLEN", "k");
    EXPECT("$7\r\nminired\r\n", "HGET", "k", "name");
    EXPECT("$4\r\n-300\r\n", "HGET", "k", "neg");
    EXPECT("$4\r\nzero\r\n", "HGET", "k", "0");
}
END_TEST

/* Past hash-max-listpack-entries a ziplist hash becomes a dict; a long
 * value alone does not convert it (Redis 7.0 checks only the count). */
START_TEST(test_hash_ziplist_thresholds) {
    static char bufs[MAX_ENTRIES][16];
    static const char *v[MAX_ENTRIES];
    int n = 2 * ((int)cfg.hash_max_listpack_entries + 1);
    for (int i = 0; i < n; i++) {
        snprintf(bufs[i], sizeof(bufs[i]), "%c%d", i % 2 ? 'v' : 'f', i);
        v[i] = bufs[i];
    }
    load_as_k(RDB_TYPE_HASH_ZIPLIST, rdb_str(ziplist_of(v, n), 0));
    EXPECT("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "k");
    EXPECT("$2\r\nv1\r\n", "HGET", "k", "f0");
    db_empty(-1);
    char longv[64];
    memset(longv, 'x', 63);
    longv[63] = '\0';
    cfg.hash_max_listpack_value = 10;
    const char *const w[] = {"f", longv};
    load_as_k(RDB_TYPE_HASH_ZIPLIST, rdb_str(ziplist_of(w, 2), 1));
    EXPECT("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "k");
    db_empty(-1);
    /* A zipmap converts on the longest entry too. */
    load_as_k(RDB_TYPE_HASH_ZIPMAP, rdb_str(zipmap_of(w, 2), 1));
    EXPECT("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "k");
    cfg.hash_max_listpack_value = 64;
}
END_TEST

START_TEST(test_zipmap) {
    const char *const v[] = {"a", "1", "bb", "hello", "ccc", ""};
    load_as_k(RDB_TYPE_HASH_ZIPMAP, rdb_str(zipmap_of(v, 6), 0));
    EXPECT("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "k");
    EXPECT("*6\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nbb\r\n$5\r\nhello\r\n$3\r\nccc\r\n$0\r\n\r\n", "HGETALL", "k");
}
END_TEST

START_TEST(test_zset_ziplist) {
    /* member, score: sorted by score as Redis kept them; scores as text or
     * integer entries */
    const char *const v[] = {"low", "-inf", "neg", "-2", "a", "1.5", "b", "3", "c", "1e+20", "top", "inf"};
    load_as_k(RDB_TYPE_ZSET_ZIPLIST, rdb_str(ziplist_of(v, 12), 1));
    EXPECT("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "k");
    EXPECT(":6\r\n", "ZCARD", "k");
    EXPECT("$3\r\n1.5\r\n", "ZSCORE", "k", "a");
    EXPECT("$4\r\n-inf\r\n", "ZSCORE", "k", "low");
    EXPECT("$5\r\n1e+20\r\n", "ZSCORE", "k", "c");
    EXPECT("*2\r\n$3\r\ntop\r\n$3\r\ninf\r\n", "ZRANGE", "k", "-1", "-1", "WITHSCORES");
    EXPECT(":2\r\n", "ZRANK", "k", "a");
}
END_TEST

START_TEST(test_zset_ziplist_to_skiplist) {
    static char bufs[MAX_ENTRIES][16];
    static const char *v[MAX_ENTRIES];
    int pairs = (int)cfg.zset_max_listpack_entries + 1;
    for (int i = 0; i < pairs; i++) {
        snprintf(bufs[2 * i], sizeof(bufs[0]), "m%04d", i);
        snprintf(bufs[2 * i + 1], sizeof(bufs[0]), "%d", i);
        v[2 * i] = bufs[2 * i];
        v[2 * i + 1] = bufs[2 * i + 1];
    }
    load_as_k(RDB_TYPE_ZSET_ZIPLIST, rdb_str(ziplist_of(v, 2 * pairs), 1));
    EXPECT("$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "k");
    EXPECT("$2\r\n77\r\n", "ZSCORE", "k", "m0077");
    EXPECT(":128\r\n", "ZRANK", "k", "m0128");
}
END_TEST

START_TEST(test_list_ziplist) {
    const char *const v[] = {"old", "list", "-7", "12", "x"};
    load_as_k(RDB_TYPE_LIST_ZIPLIST, rdb_str(ziplist_of(v, 5), 1));
    EXPECT("$9\r\nquicklist\r\n", "OBJECT", "ENCODING", "k");
    EXPECT("*5\r\n$3\r\nold\r\n$4\r\nlist\r\n$2\r\n-7\r\n$2\r\n12\r\n$1\r\nx\r\n", "LRANGE", "k", "0", "-1");
}
END_TEST

/* Quicklist nodes: several, an empty one dropped, one bigger than this
 * server's fill split into entries. */
START_TEST(test_quicklist) {
    static char bufs[MAX_ENTRIES][16];
    static const char *big[MAX_ENTRIES];
    int nbig = MAX_ENTRIES;
    for (int i = 0; i < nbig; i++) {
        snprintf(bufs[i], sizeof(bufs[i]), "e%d", i);
        big[i] = bufs[i];
    }
    const char *const a[] = {"a1", "a2"};
    rio r;
    rio_init_buffer(&r, sds_empty());
    rdb_save_len(&r, 3);
    sds zl = ziplist_of(a, 2);
    rdb_save_string_ex(&r, zl, sds_len(zl), 1);
    sds_free(zl);
    zl = ziplist_of(NULL, 0);
    rdb_save_string_ex(&r, zl, sds_len(zl), 0);
    sds_free(zl);
    zl = ziplist_of(big, nbig);
    rdb_save_string_ex(&r, zl, sds_len(zl), 1);
    sds_free(zl);
    load_as_k(RDB_TYPE_LIST_QUICKLIST, r.io.buffer.ptr);
    EXPECT(":2002\r\n", "LLEN", "k");
    EXPECT("$2\r\na2\r\n", "LINDEX", "k", "1");
    EXPECT("$2\r\ne0\r\n", "LINDEX", "k", "2");
    EXPECT("$5\r\ne1999\r\n", "LINDEX", "k", "-1");
    /* the 2000-entry node (12 KB) passed the default fill (8 KB nodes): its
     * entries were pushed, so no node is over the limit */
    quicklist *ql = list_at_k();
    ck_assert_int_eq(ql->fill, QL_FILL_DEFAULT);
    for (ql_node *n = ql->head; n; n = n->next) ck_assert_uint_le(lp_bytes(n->lp), 8192);
    ck_assert_uint_ge(ql_count_nodes(ql), 2);
}
END_TEST

/* What Redis 7.0.15 does with empty encodings: skips the key, except an
 * empty zipmap, which it refuses. */
START_TEST(test_empties) {
    expect_refused(RDB_TYPE_HASH_ZIPLIST, rdb_str(ziplist_of(NULL, 0), 0), NULL);
    expect_refused(RDB_TYPE_ZSET_ZIPLIST, rdb_str(ziplist_of(NULL, 0), 0), NULL);
    expect_refused(RDB_TYPE_LIST_ZIPLIST, rdb_str(ziplist_of(NULL, 0), 0), NULL);
    expect_refused(RDB_TYPE_HASH_ZIPMAP, rdb_str(zipmap_of(NULL, 0), 0), "Zipmap integrity check failed.");
    rio r;
    rio_init_buffer(&r, sds_empty());
    rdb_save_len(&r, 0);
    expect_refused(RDB_TYPE_LIST_QUICKLIST, r.io.buffer.ptr, NULL);
    rio_init_buffer(&r, sds_empty());
    rdb_save_len(&r, 2);
    for (int i = 0; i < 2; i++) {
        sds zl = ziplist_of(NULL, 0);
        rdb_save_string_ex(&r, zl, sds_len(zl), 0);
        sds_free(zl);
    }
    expect_refused(RDB_TYPE_LIST_QUICKLIST, r.io.buffer.ptr, NULL);
}
END_TEST

START_TEST(test_refusals) {
    const char *const dup[] = {"f", "1", "f", "2"};
    expect_refused(RDB_TYPE_HASH_ZIPLIST, rdb_str(ziplist_of(dup, 4), 0), "Hash ziplist integrity check failed.");
    expect_refused(RDB_TYPE_ZSET_ZIPLIST, rdb_str(ziplist_of(dup, 4), 0), "Zset ziplist integrity check failed.");
    expect_refused(RDB_TYPE_HASH_ZIPLIST, rdb_str(ziplist_of(dup, 3), 0), "Hash ziplist integrity check failed.");
    expect_refused(RDB_TYPE_HASH_ZIPMAP, rdb_str(zipmap_of(dup, 4), 0),
                   "Hash zipmap with dup elements, or big length");
    const char *const nan[] = {"m", "nan"};
    expect_refused(RDB_TYPE_ZSET_ZIPLIST, rdb_str(ziplist_of(nan, 2), 0), "Zset ziplist integrity check failed.");
    /* a damaged prevlen inside a quicklist node */
    const char *const ok[] = {"ab", "cd"};
    sds zl = ziplist_of(ok, 2);
    zl[10 + 4] = 3;
    rio r;
    rio_init_buffer(&r, sds_empty());
    rdb_save_len(&r, 1);
    rdb_save_string_ex(&r, zl, sds_len(zl), 0);
    sds_free(zl);
    expect_refused(RDB_TYPE_LIST_QUICKLIST, r.io.buffer.ptr, "Ziplist integrity check failed.");
    /* a node count the stream cannot hold, and a truncated blob */
    rio_init_buffer(&r, sds_empty());
    rdb_save_len(&r, 1000000);
    sds err;
    int empty;
    ck_assert_ptr_null(load(RDB_TYPE_LIST_QUICKLIST, r.io.buffer.ptr, &err, &empty));
    ck_assert_ptr_nonnull(err);
    sds_free(err);
    sds_free(r.io.buffer.ptr);
    sds blob = rdb_str(ziplist_of(ok, 2), 0);
    sds_set_len(blob, sds_len(blob) - 3);
    ck_assert_ptr_null(load(RDB_TYPE_HASH_ZIPLIST, blob, &err, &empty));
    ck_assert_ptr_nonnull(err);
    sds_free(err);
    sds_free(blob);
}
END_TEST

static Suite *legacy_suite(void) {
    Suite *s = suite_create("rdb_legacy");
    TCase *tc = tcase_create("rdb_legacy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_hash_ziplist);
    tcase_add_test(tc, test_hash_ziplist_thresholds);
    tcase_add_test(tc, test_zipmap);
    tcase_add_test(tc, test_zset_ziplist);
    tcase_add_test(tc, test_zset_ziplist_to_skiplist);
    tcase_add_test(tc, test_list_ziplist);
    tcase_add_test(tc, test_quicklist);
    tcase_add_test(tc, test_empties);
    tcase_add_test(tc, test_refusals);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(legacy_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
