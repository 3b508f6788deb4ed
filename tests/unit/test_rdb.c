/* test_rdb.c -- Check suites for the RDB format: length encodings at every
 * boundary, string encodings (integers, LZF, raw), a round trip of every
 * type and encoding through DUMP payloads and whole files, the older
 * encodings Redis still loads (LIST, text-score ZSET, seconds expiry),
 * what the loader refuses (bad checksums, duplicates, truncation at every
 * offset, random corruption) and that it never leaks.
 *
 * Links every server object but main.o: values are built by running real
 * commands on a socketless client, so they carry the encodings the server
 * really uses. */
#include <check.h>
#include <dirent.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "crc64.h"
#include "db.h"
#include "intset.h"
#include "lazyfree.h"
#include "listpack.h"
#include "monotonic.h"
#include "networking.h"
#include "quicklist.h"
#include "rdb.h"
#include "rdb_internal.h"
#include "server.h"
#include "skiplist.h"
#include "t_zset.h"
#include "zmalloc.h"

#include "fixtures/rdb_fixture_redis7.h"

#define MAX_TEST_ARGS 1100

static client *cl;
static size_t mem_at_start;

static void fill_every_encoding(void);
static sds reply_of(int argc, const char **args);
static void runv(int argc, const char **args);
#define RUN(...)                                                  \
    do {                                                          \
        const char *a_[] = {__VA_ARGS__};                         \
        runv((int)(sizeof(a_) / sizeof(a_[0])), a_);              \
    } while (0)

static void set_config(const char *name, const char *value) {
    char *pair[2] = {(char *)name, (char *)value};
    sds err = NULL;
    ck_assert_msg(config_set_pairs(2, pair, 1, &err) == 0, "config %s: %s", name, err ? err : "");
}

/* rdbchecksum is immutable at run time (as in Redis): the test flips the
 * loaded value directly. */
static void set_checksum(int on) {
    cfg.rdbchecksum = on;
}

static void setup(void) {
    static int started;
    if (!started) {
        config_init_defaults();
        mono_init();
        cmd_init();
        db_init(cfg.databases);
        started = 1;
    }
    cfg.verbosity = LL_NOTHING; /* failures are expected by the hundred */
    set_config("rdbcompression", "yes");
    set_checksum(1);
    set_config("hash-max-listpack-entries", "128");
    set_config("set-max-intset-entries", "512");
    set_config("maxmemory-policy", "noeviction");
    set_config("slowlog-log-slower-than", "-1"); /* its entries would count as leaks */
    cl = net_create_client(-1);
    cl->flags |= CLIENT_NO_SOCKET;
    /* Commands keep per-command state from their first call on (stats,
     * histograms): warm them up so the leak check sees only our memory. */
    static int warm;
    if (!warm) {
        fill_every_encoding();
        RUN("PEXPIRE", "s:emb", "100000000");
        RUN("SETRANGE", "s:warm", "5000000", "x"); /* and the lazy-free queue */
        const char *reads[][4] = {{"GET", "w"}, {"LLEN", "w"}, {"LINDEX", "w", "0"}, {"SCARD", "w"},
                                  {"SISMEMBER", "w", "m"}, {"ZSCORE", "w", "m"}, {"HGET", "w", "f"},
                                  {"OBJECT", "ENCODING", "w"}, {"PEXPIRETIME", "w"}};
        for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
            int n = 0;
            while (n < 4 && reads[i][n]) n++;
            sds_free(reply_of(n, reads[i]));
        }
        db_empty(-1);
        lazyfree_drain();
        warm = 1;
    }
    net_free_client(cl);
    mem_at_start = zmalloc_used_memory();
    cl = net_create_client(-1);
    cl->flags |= CLIENT_NO_SOCKET;
}

static void teardown(void) {
    db_empty(-1);
    net_free_client(cl);
    cl = NULL;
    lazyfree_drain(); /* big values go to the lazy-free queue */
    ck_assert_uint_le(zmalloc_used_memory(), mem_at_start); /* (warm-up caches may shrink) */
}

/* Runs argv (argc strings) on the test client; the reply is dropped. */
static void runv(int argc, const char **args) {
    sds argv[MAX_TEST_ARGS] = {0};
    for (int i = 0; i < argc; i++) argv[i] = sds_new(args[i]);
    sds out = cmd_run_argv(cl, CMD_CALLER_CLIENT, argc, argv);
    ck_assert_msg(out[0] != '-', "%s: %s", args[0], out);
    sds_free(out);
    for (int i = 0; i < argc; i++) sds_free(argv[i]);
}

/* cmd key prefix0 prefix1 ... with n generated members "<fmt i>". */
static void run_many(const char *cmd, const char *key, int n, const char *fmt, int pairs) {
    static char bufs[MAX_TEST_ARGS][32];
    const char *args[MAX_TEST_ARGS];
    int argc = 0;
    args[argc++] = cmd;
    args[argc++] = key;
    for (int i = 0; i < n && argc + 2 < MAX_TEST_ARGS; i++) {
        if (pairs == 2) { /* zadd: score member */
            snprintf(bufs[argc], 32, "%d.5", i % 97);
            args[argc] = bufs[argc];
            argc++;
        }
        snprintf(bufs[argc], 32, fmt, i);
        args[argc] = bufs[argc];
        argc++;
        if (pairs == 1) { /* hset: field value */
            snprintf(bufs[argc], 32, "val%d", i);
            args[argc] = bufs[argc];
            argc++;
        }
    }
    runv(argc, args);
}

static robj *lookup(const char *key) {
    sds k = sds_new(key);
    robj *o = db_lookup(&server.dbs[0], k, DB_LOOKUP_NOTOUCH);
    sds_free(k);
    ck_assert_msg(o != NULL, "no key %s", key);
    return o;
}

/* ------------------------------------------------------------ lengths */

static sds save_len(uint64_t v) {
    rio r;
    rio_init_buffer(&r, sds_empty());
    ck_assert_int_ne(rdb_save_len(&r, v), -1);
    return r.io.buffer.ptr;
}

START_TEST(test_length_boundaries) {
    struct { uint64_t v; size_t bytes; unsigned char first; } cases[] = {
        {0, 1, 0x00}, {63, 1, 0x3f}, {64, 2, 0x40}, {16383, 2, 0x7f}, {16384, 5, 0x80},
        {UINT32_MAX, 5, 0x80}, {(uint64_t)UINT32_MAX + 1, 9, 0x81}, {UINT64_MAX, 9, 0x81},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sds s = save_len(cases[i].v);
        ck_assert_uint_eq(sds_len(s), cases[i].bytes);
        ck_assert_uint_eq((unsigned char)s[0], cases[i].first);
        rio r;
        rio_init_buffer(&r, s);
        uint64_t got;
        int enc;
        sds err = NULL;
        ck_assert_int_eq(rdb_load_len(&r, &got, &enc, &err), 0);
        ck_assert_uint_eq(got, cases[i].v);
        ck_assert_int_eq(enc, 0);
        /* Every strict prefix is a short read, never a wrong value. */
        for (size_t cut = 0; cut < sds_len(s); cut++) {
            sds p = sds_new_len(s, cut);
            rio_init_buffer(&r, p);
            err = NULL;
            ck_assert_int_eq(rdb_load_len(&r, &got, NULL, &err), -1);
            ck_assert_ptr_nonnull(err);
            sds_free(err);
            sds_free(p);
        }
        sds_free(s);
    }
    /* Big-endian for the 14/32/64-bit forms, as Redis writes them. */
    sds s = save_len(0x1234);
    ck_assert_mem_eq(s, "\x52\x34", 2);
    sds_free(s);
    s = save_len(0x12345678);
    ck_assert_mem_eq(s, "\x80\x12\x34\x56\x78", 5);
    sds_free(s);
    /* 0xC2 is not a length but an encoding marker; 0x82 is nothing. */
    rio r;
    sds bad = sds_new_len("\x82", 1);
    rio_init_buffer(&r, bad);
    uint64_t got;
    sds err = NULL;
    ck_assert_int_eq(rdb_load_len(&r, &got, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "Unknown length encoding"));
    sds_free(err);
    sds_free(bad);
}
END_TEST

/* ------------------------------------------------------------ strings */

static sds save_str(const char *p, size_t len) {
    rio r;
    rio_init_buffer(&r, sds_empty());
    ck_assert_int_ne(rdb_save_raw_string(&r, p, len), -1);
    return r.io.buffer.ptr;
}

static void check_str(const char *in, const char *want, size_t wantlen) {
    sds s = save_str(in, strlen(in));
    ck_assert_msg(sds_len(s) == wantlen && memcmp(s, want, wantlen) == 0, "encoding of [%s]", in);
    rio r;
    rio_init_buffer(&r, s);
    sds err = NULL;
    sds back = rdb_load_string(&r, &err);
    ck_assert_ptr_nonnull(back);
    ck_assert_uint_eq(sds_len(back), strlen(in));
    ck_assert_mem_eq(back, in, strlen(in));
    ck_assert_uint_eq(rio_buffer_left(&r), 0);
    sds_free(back);
    sds_free(s);
}

START_TEST(test_string_encodings) {
    check_str("0", "\xc0\x00", 2);
    check_str("127", "\xc0\x7f", 2);
    check_str("-128", "\xc0\x80", 2);
    check_str("128", "\xc1\x80\x00", 3);
    check_str("-32768", "\xc1\x00\x80", 3);
    check_str("32768", "\xc2\x00\x80\x00\x00", 5);
    check_str("2147483647", "\xc2\xff\xff\xff\x7f", 5);
    check_str("-2147483648", "\xc2\x00\x00\x00\x80", 5);
    check_str("2147483648", "\x0a" "2147483648", 11);
    check_str("007", "\x03" "007", 4);
    check_str("+5", "\x02+5", 3);
    check_str("-0", "\x02-0", 3);
    check_str("", "\x00", 1);
    /* 20 bytes: never offered to LZF; 21: compressed when it pays. */
    check_str("aaaaaaaaaaaaaaaaaaaa", "\x14" "aaaaaaaaaaaaaaaaaaaa", 21);
    check_str("aaaaaaaaaaaaaaaaaaaaa", "\xc3\x06\x15\x01" "aa\xe0\x0a\x00", 9); /* Redis's bytes */
    set_config("rdbcompression", "no");
    check_str("aaaaaaaaaaaaaaaaaaaaa", "\x15" "aaaaaaaaaaaaaaaaaaaaa", 22);
    set_config("rdbcompression", "yes");
    /* Integers that need 64 bits are written as text. */
    rio r;
    rio_init_buffer(&r, sds_empty());
    ck_assert_int_eq(rdb_save_ll_string(&r, 9223372036854775807LL), 20);
    ck_assert_mem_eq(r.io.buffer.ptr, "\x13" "9223372036854775807", 20);
    sds_free(r.io.buffer.ptr);
}
END_TEST

START_TEST(test_string_corrupt) {
    const struct { const char *p; size_t len; const char *why; } cases[] = {
        {"\x05" "abc", 4, "Unexpected EOF"},
        {"\xc4", 1, "Unknown RDB string encoding"},
        {"\xc1\x01", 2, "Unexpected EOF"},
        {"\xc3\x03\x10\x00" "ab", 6, "Invalid LZF"},   /* decompresses to 2, claims 16 */
        {"\xc3\x01\x7f\xff\x00", 5, "Invalid LZF"},   /* claimed length past LZF's ratio */
        {"\xc3\x00\x01", 3, "Invalid LZF"},
        {"\x80\xff\xff\xff\xff" "x", 6, "Unexpected EOF"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sds s = sds_new_len(cases[i].p, cases[i].len);
        rio r;
        rio_init_buffer(&r, s);
        sds err = NULL;
        ck_assert_ptr_null(rdb_load_string(&r, &err));
        ck_assert_msg(err && strstr(err, cases[i].why), "case %zu: %s", i, err ? err : "(none)");
        sds_free(err);
        sds_free(s);
    }
}
END_TEST

/* ------------------------------------------------------------ values */

static int cmp_sds(const void *a, const void *b) {
    sds x = *(const sds *)a, y = *(const sds *)b;
    size_t lx = sds_len(x), ly = sds_len(y), m = lx < ly ? lx : ly;
    int c = memcmp(x, y, m);
    return c ? c : (lx > ly) - (lx < ly);
}

/* A form of o that does not depend on dict order: sorted entries for the
 * dict encodings, the DUMP payload for the others. */
static sds canon(const robj *o) {
    if (o->encoding != OBJ_ENCODING_HT) return rdb_dump_payload(o);
    dict *d = o->ptr;
    size_t n = dict_size(d), i = 0;
    sds *items = zmalloc(sizeof(sds) * (n ? n : 1));
    dict_iterator di;
    dict_init_iterator(&di, d);
    for (dict_entry *de; (de = dict_next(&di)) != NULL;) {
        sds e = sds_dup(dict_get_key(de));
        if (o->type == OBJ_HASH) e = sds_cat_sds(sds_cat_len(e, "=", 1), dict_get_val(de));
        items[i++] = e;
    }
    dict_reset_iterator(&di);
    qsort(items, n, sizeof(sds), cmp_sds);
    sds out = sds_cat_printf(sds_empty(), "%d/", o->type);
    for (i = 0; i < n; i++) {
        out = sds_cat_printf(out, "%zu:", sds_len(items[i]));
        out = sds_cat_sds(out, items[i]);
        sds_free(items[i]);
    }
    zfree(items);
    return out;
}

static void fill_every_encoding(void) {
    RUN("SET", "s:int", "12345");
    RUN("SET", "s:bigint", "9223372036854775807");
    RUN("SET", "s:emb", "hello");
    RUN("SET", "s:raw", "this string is long enough to be compressed compressed compressed");
    RUN("RPUSH", "l:small", "a", "1", "-2", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    run_many("RPUSH", "l:big", 1000, "element-%d", 0);
    RUN("SADD", "set:int", "1", "2", "-3", "5000000000");
    RUN("SADD", "set:str", "a", "b", "c");
    run_many("SADD", "set:bigint", 600, "%d", 0);
    RUN("ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "c");
    run_many("ZADD", "z:big", 300, "m%d", 2);
    RUN("HSET", "h:small", "f", "v", "1", "2");
    run_many("HSET", "h:big", 300, "f%d", 1);
}

static const char *every_key[] = {"s:int", "s:bigint", "s:emb", "s:raw", "l:small", "l:big", "set:int",
                                  "set:str", "set:bigint", "z:small", "z:big", "h:small", "h:big"};
static const int every_encoding[] = {OBJ_ENCODING_INT, OBJ_ENCODING_INT, OBJ_ENCODING_EMBSTR, OBJ_ENCODING_RAW,
                                     OBJ_ENCODING_QUICKLIST, OBJ_ENCODING_QUICKLIST, OBJ_ENCODING_INTSET,
                                     OBJ_ENCODING_HT, OBJ_ENCODING_HT, OBJ_ENCODING_LISTPACK,
                                     OBJ_ENCODING_SKIPLIST, OBJ_ENCODING_LISTPACK, OBJ_ENCODING_HT};

START_TEST(test_dump_restore_every_encoding) {
    fill_every_encoding();
    for (size_t i = 0; i < sizeof(every_key) / sizeof(every_key[0]); i++) {
        robj *o = lookup(every_key[i]);
        ck_assert_msg(o->encoding == (unsigned)every_encoding[i], "%s encoding %d", every_key[i], o->encoding);
        sds p = rdb_dump_payload(o);
        ck_assert_uint_eq(rdb_object_serialized_len(o), sds_len(p) - 1 - 10);
        for (int deep = 0; deep <= 1; deep++) {
            sds err = NULL;
            robj *back = rdb_restore_payload(p, sds_len(p), deep, &err);
            ck_assert_msg(back != NULL, "%s: %s", every_key[i], err ? err : "");
            ck_assert_uint_eq(back->type, o->type);
            ck_assert_uint_eq(back->encoding == OBJ_ENCODING_EMBSTR ? OBJ_ENCODING_RAW : back->encoding,
                              o->encoding == OBJ_ENCODING_EMBSTR ? OBJ_ENCODING_RAW : o->encoding);
            sds a = canon(o), b = canon(back);
            ck_assert_msg(sds_len(a) == sds_len(b) && memcmp(a, b, sds_len(a)) == 0, "%s differs", every_key[i]);
            sds_free(a);
            sds_free(b);
            obj_decr_refcount(back);
        }
        /* Any flipped byte is caught by the CRC. */
        p[sds_len(p) / 2] ^= 0x20;
        sds err = NULL;
        ck_assert_ptr_null(rdb_restore_payload(p, sds_len(p), 0, &err));
        ck_assert_str_eq(err, "DUMP payload version or checksum are wrong");
        sds_free(err);
        sds_free(p);
    }
}
END_TEST

/* Builds a DUMP payload around raw value bytes (type byte first). */
static sds make_payload(const char *p, size_t len, int version) {
    sds s = sds_new_len(p, len);
    unsigned char v[2] = {(unsigned char)version, 0};
    s = sds_cat_len(s, v, 2);
    uint64_t crc = crc64(0, s, sds_len(s));
    unsigned char c[8];
    for (int i = 0; i < 8; i++) c[i] = (unsigned char)(crc >> (8 * i));
    return sds_cat_len(s, c, 8);
}

static robj *restore(const char *p, size_t len, int deep, sds *err) {
    sds pl = make_payload(p, len, RDB_VERSION);
    *err = NULL;
    robj *o = rdb_restore_payload(pl, sds_len(pl), deep, err);
    sds_free(pl);
    return o;
}

/* Loads value bytes with rdb_load_object: returns the object or NULL with
 * the reason in *err. */
static robj *load_value(const char *p, size_t len, int deep, sds *err) {
    sds s = sds_new_len(p + 1, len - 1);
    rio r;
    rio_init_buffer(&r, s);
    *err = NULL;
    robj *o = rdb_load_object(&r, (unsigned char)p[0], deep, err);
    sds_free(s);
    return o;
}

START_TEST(test_restore_errors) {
    sds err;
    robj *o = restore("\x00\x01v", 3, 0, &err);
    ck_assert_ptr_nonnull(o);
    obj_decr_refcount(o);
    /* A newer version is refused; an older one is fine. */
    sds pl = make_payload("\x00\x01v", 3, RDB_VERSION + 1);
    ck_assert_ptr_null(rdb_restore_payload(pl, sds_len(pl), 0, &err));
    ck_assert_str_eq(err, "DUMP payload version or checksum are wrong");
    sds_free(err);
    sds_free(pl);
    pl = make_payload("\x00\x01v", 3, 9);
    o = rdb_restore_payload(pl, sds_len(pl), 0, &err);
    ck_assert_ptr_nonnull(o);
    obj_decr_refcount(o);
    sds_free(pl);
    ck_assert_ptr_null(rdb_restore_payload("abc", 3, 0, &err));
    sds_free(err);
    /* A value that runs into the footer, an unknown type, trailing junk. */
    ck_assert_ptr_null(restore("\x00\x05v", 3, 0, &err));
    ck_assert_str_eq(err, "Bad data format");
    sds_free(err);
    ck_assert_ptr_null(restore("\x08\x01v", 3, 0, &err));
    ck_assert_str_eq(err, "Bad data format");
    sds_free(err);
    /* Legacy types are dispatched (to the stub for now). */
    ck_assert_ptr_null(load_value("\x0a\x01v", 3, 0, &err));
    ck_assert_ptr_nonnull(err);
    sds_free(err);
    /* Functions and modules are values we cannot hold. */
    ck_assert_ptr_null(load_value("\x07\x01v", 3, 0, &err));
    ck_assert_ptr_nonnull(strstr(err, "Module"));
    sds_free(err);
}
END_TEST

/* Wraps a listpack in a value of the given type byte. */
static sds lp_value(int type, const char **items, int n) {
    unsigned char *lp = lp_new(0);
    for (int i = 0; i < n; i++) lp = lp_append(lp, (const unsigned char *)items[i], (uint32_t)strlen(items[i]));
    rio r;
    rio_init_buffer(&r, sds_empty());
    rdb_save_type(&r, (unsigned char)type);
    rdb_save_string_ex(&r, lp, lp_bytes(lp), 0);
    lp_free(lp);
    return r.io.buffer.ptr;
}

START_TEST(test_packed_validation) {
    sds err;
    const char *dup[] = {"f", "1", "g", "2", "f", "3"};
    sds v = lp_value(RDB_TYPE_HASH_LISTPACK, dup, 6);
    robj *o = load_value(v, sds_len(v), 0, &err); /* shallow: accepted, as Redis */
    ck_assert_ptr_nonnull(o);
    obj_decr_refcount(o);
    ck_assert_ptr_null(load_value(v, sds_len(v), 1, &err));
    ck_assert_str_eq(err, "Duplicate hash fields detected");
    sds_free(err);
    sds_free(v);
    v = lp_value(RDB_TYPE_ZSET_LISTPACK, dup, 6);
    ck_assert_ptr_null(load_value(v, sds_len(v), 1, &err));
    ck_assert_str_eq(err, "Duplicate zset fields detected");
    sds_free(err);
    sds_free(v);
    /* Odd number of entries in a pair encoding: always refused. */
    v = lp_value(RDB_TYPE_HASH_LISTPACK, dup, 5);
    ck_assert_ptr_null(load_value(v, sds_len(v), 0, &err));
    ck_assert_str_eq(err, "Listpack integrity check failed.");
    sds_free(err);
    sds_free(v);
    /* A corrupt listpack (bad total length) in any container. */
    const char bad_lp[] = "\x10\x07\x08\x00\x00\x00\x00\x00\xff";
    ck_assert_ptr_null(load_value(bad_lp, sizeof(bad_lp) - 1, 0, &err));
    ck_assert_str_eq(err, "Listpack integrity check failed.");
    sds_free(err);
    /* Intset: unsorted blob refused only when deep. */
    const char is_bad[] = "\x0b\x0c\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x01\x00";
    o = load_value(is_bad, sizeof(is_bad) - 1, 0, &err);
    ck_assert_ptr_nonnull(o);
    obj_decr_refcount(o);
    ck_assert_ptr_null(load_value(is_bad, sizeof(is_bad) - 1, 1, &err));
    ck_assert_str_eq(err, "Intset integrity check failed.");
    sds_free(err);
    /* Duplicates in the plain encodings are refused always. */
    ck_assert_ptr_null(load_value("\x02\x02\x01" "a\x01" "a", 6, 0, &err));
    ck_assert_str_eq(err, "Duplicate set members detected");
    sds_free(err);
    ck_assert_ptr_null(load_value("\x02\x02\xc0\x01\xc0\x01", 6, 0, &err));
    ck_assert_str_eq(err, "Duplicate set members detected");
    sds_free(err);
    ck_assert_ptr_null(load_value("\x04\x02\x01" "a\x01" "b\x01" "a\x01" "c", 10, 0, &err));
    ck_assert_str_eq(err, "Duplicate hash fields detected");
    sds_free(err);
    /* Empty collections are not values. */
    ck_assert_ptr_null(load_value("\x02\x00", 2, 0, &err));
    sds_free(err);
}
END_TEST

START_TEST(test_conversions_on_load) {
    sds err;
    /* A listpack hash over hash-max-listpack-entries becomes a dict. */
    const char *items[300];
    char bufs[300][16];
    for (int i = 0; i < 300; i++) {
        snprintf(bufs[i], sizeof(bufs[i]), "x%d", i);
        items[i] = bufs[i];
    }
    sds v = lp_value(RDB_TYPE_HASH_LISTPACK, items, 300);
    robj *o = load_value(v, sds_len(v), 0, &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(o->encoding, OBJ_ENCODING_HT);
    ck_assert_uint_eq(dict_size((dict *)o->ptr), 150);
    obj_decr_refcount(o);
    sds_free(v);
    /* Same for a zset listpack (scores as text). */
    v = lp_value(RDB_TYPE_ZSET_LISTPACK, items, 300);
    o = load_value(v, sds_len(v), 0, &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(o->encoding, OBJ_ENCODING_SKIPLIST);
    obj_decr_refcount(o);
    sds_free(v);
    /* A SET of integers small enough for an intset comes back as one. */
    o = load_value("\x02\x03\xc0\x05\xc0\x01\xc1\x00\x10", 9, 0, &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(o->encoding, OBJ_ENCODING_INTSET);
    ck_assert_uint_eq(intset_len(o->ptr), 3);
    obj_decr_refcount(o);
    /* An intset over set-max-intset-entries becomes a dict. */
    set_config("set-max-intset-entries", "2");
    o = load_value("\x0b\x0e\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\x03\x00", 16, 1, &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(o->encoding, OBJ_ENCODING_HT);
    obj_decr_refcount(o);
    /* Old types: LIST (1) and ZSET (3) with text scores. */
    o = load_value("\x01\x02\x01" "a\xc0\x07", 6, 0, &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(o->type, OBJ_LIST);
    ck_assert_uint_eq(ql_length(o->ptr), 2);
    obj_decr_refcount(o);
    o = load_value("\x03\x02\x01" "a\x03" "1.5\x01" "b\xfe", 11, 0, &err);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(o->type, OBJ_ZSET);
    ck_assert_uint_eq(o->encoding, OBJ_ENCODING_LISTPACK);
    ck_assert_uint_eq(zset_length(o), 2);
    obj_decr_refcount(o);
    ck_assert_ptr_null(load_value("\x03\x01\x01" "a\xfd", 5, 0, &err)); /* NaN score */
    ck_assert_str_eq(err, "Zset with NAN score detected");
    sds_free(err);
}
END_TEST

/* ------------------------------------------------------------ whole files */

static sds save_dataset(void) {
    rio r;
    rio_init_buffer(&r, sds_empty());
    ck_assert_int_eq(rdb_save_rio(&r, NULL), 0);
    return r.io.buffer.ptr;
}

static int load_dataset(const char *p, size_t len, rdb_load_stats *st) {
    sds s = sds_new_len(p, len);
    rio r;
    rio_init_buffer(&r, s);
    int rc = rdb_load_rio(&r, 0, st);
    sds_free(s);
    return rc;
}

START_TEST(test_file_round_trip) {
    fill_every_encoding();
    RUN("PEXPIRE", "s:emb", "100000000");
    cl->db = &server.dbs[7];
    cl->db_id = 7;
    RUN("SET", "in-db-7", "x");
    cl->db = &server.dbs[0];
    cl->db_id = 0;
    sds file = save_dataset();
    ck_assert_mem_eq(file, "REDIS0010", 9);
    uint64_t crc = crc64(0, file, sds_len(file) - 8), got = 0;
    for (int i = 7; i >= 0; i--) got = got << 8 | (unsigned char)file[sds_len(file) - 8 + i];
    ck_assert_uint_eq(crc, got);
    ck_assert_uint_eq((unsigned char)file[sds_len(file) - 9], RDB_OPCODE_EOF);

    sds before[sizeof(every_key) / sizeof(every_key[0])];
    for (size_t i = 0; i < sizeof(every_key) / sizeof(every_key[0]); i++) before[i] = canon(lookup(every_key[i]));
    db_empty(-1);
    rdb_load_stats st;
    long long dirty = server.dirty;
    ck_assert_int_eq(load_dataset(file, sds_len(file), &st), RDB_OK);
    ck_assert_int_eq(server.dirty, dirty); /* a load is not a change */
    ck_assert_int_eq(st.keys_loaded, 14);
    ck_assert_int_eq(st.keys_expired, 0);
    ck_assert_uint_eq(db_size(&server.dbs[7]), 1);
    for (size_t i = 0; i < sizeof(every_key) / sizeof(every_key[0]); i++) {
        sds after = canon(lookup(every_key[i]));
        ck_assert_msg(sds_len(after) == sds_len(before[i]) && memcmp(after, before[i], sds_len(after)) == 0,
                      "%s differs", every_key[i]);
        sds_free(after);
        sds_free(before[i]);
    }
    sds k = sds_new("s:emb");
    ck_assert_int_gt(db_get_expire(&server.dbs[0], k), mstime());
    sds_free(k);
    /* Loading on top of the same keys: duplicates, refused. */
    ck_assert_int_eq(load_dataset(file, sds_len(file), &st), RDB_FAILED);
    db_empty(-1);
    /* Checksums off: zero trailer, accepted without a check. */
    sds_free(file);
    fill_every_encoding();
    set_checksum(0);
    file = save_dataset();
    ck_assert_mem_eq(file + sds_len(file) - 8, "\0\0\0\0\0\0\0\0", 8);
    set_checksum(1);
    db_empty(-1);
    ck_assert_int_eq(load_dataset(file, sds_len(file), &st), RDB_OK);
    sds_free(file);
}
END_TEST

/* A hand-built file: header, aux, SELECTDB 0, then the given pairs. */
static sds build_file(const char *body, size_t len, int version) {
    char hdr[10];
    snprintf(hdr, sizeof(hdr), "REDIS%04d", version);
    sds s = sds_new_len(hdr, 9);
    s = sds_cat_len(s, "\xfa\x09redis-ver\x06" "7.0.15\xfe\x00", 20);
    s = sds_cat_len(s, body, len);
    s = sds_cat_len(s, "\xff", 1);
    uint64_t crc = crc64(0, s, sds_len(s));
    unsigned char c[8];
    for (int i = 0; i < 8; i++) c[i] = (unsigned char)(crc >> (8 * i));
    return sds_cat_len(s, c, 8);
}

START_TEST(test_file_opcodes) {
    rdb_load_stats st;
    /* Expiry in seconds (old opcode) and in ms, one of them in the past:
     * the past one is not loaded but counted. */
    const char body[] = "\xfd\xff\xff\xff\x7f\x00\x01" "a\x01" "1"
                        "\xfc\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01" "b\x01" "2"
                        "\xf8\x05\x00\x01" "c\x01" "3"
                        "\xf9\x07\x00\x01" "d\x01" "4"
                        "\x02\x01" "e\x00";
    sds f = build_file(body, sizeof(body) - 1, 9);
    ck_assert_int_eq(load_dataset(f, sds_len(f), &st), RDB_OK);
    ck_assert_int_eq(st.keys_loaded, 3);
    ck_assert_int_eq(st.keys_expired, 1);
    sds k = sds_new("a");
    ck_assert_int_eq(db_get_expire(&server.dbs[0], k), 2147483647LL * 1000);
    sds_free(k);
    db_empty(-1);
    sds_free(f);
    /* The AOF base keeps expired keys. */
    f = build_file(body, sizeof(body) - 1, 9);
    sds s = sds_dup(f);
    rio r;
    rio_init_buffer(&r, s);
    ck_assert_int_eq(rdb_load_rio(&r, RDB_LOAD_AOF_PREAMBLE, &st), RDB_OK);
    ck_assert_int_eq(st.keys_loaded, 4);
    sds_free(s);
    db_empty(-1);
    /* A wrong checksum is refused, then a bad version, then a signature. */
    f[sds_len(f) - 1] ^= 1;
    ck_assert_int_eq(load_dataset(f, sds_len(f), &st), RDB_FAILED);
    db_empty(-1);
    memcpy(f, "REDIS0011", 9);
    ck_assert_int_eq(load_dataset(f, sds_len(f), &st), RDB_FAILED);
    memcpy(f, "REDIX0009", 9);
    ck_assert_int_eq(load_dataset(f, sds_len(f), &st), RDB_FAILED);
    sds_free(f);
    /* A duplicated key, functions, module aux, an out-of-range db. */
    const char *bad[] = {"\x00\x01" "a\x01" "1\x00\x01" "a\x01" "2", "\xf5\x00", "\xf7\x00", "\xfe\x40\x10",
                         "\x15\x01" "a\x00"};
    size_t badlen[] = {10, 2, 2, 3, 4};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        f = build_file(bad[i], badlen[i], 10);
        ck_assert_msg(load_dataset(f, sds_len(f), &st) == RDB_FAILED, "case %zu loaded", i);
        db_empty(-1);
        sds_free(f);
    }
}
END_TEST

/* Every prefix of a real file fails cleanly (no crash, no leak). */
START_TEST(test_truncation_everywhere) {
    fill_every_encoding();
    sds file = save_dataset();
    db_empty(-1);
    rdb_load_stats st;
    for (size_t cut = 0; cut < sds_len(file); cut += (cut < 2000 ? 1 : 37)) {
        if (load_dataset(file, cut, &st) != RDB_FAILED) ck_abort_msg("prefix %zu loaded", cut);
        db_empty(-1);
    }
    sds_free(file);
}
END_TEST

/* Random corruption with the checksum recomputed (so the parser sees it):
 * loads or fails, never crashes (run under ASan for the full proof). */
START_TEST(test_random_corruption) {
    fill_every_encoding();
    set_checksum(0);
    sds file = save_dataset();
    db_empty(-1);
    unsigned seed = 12345;
    rdb_load_stats st;
    for (int round = 0; round < 3000; round++) {
        sds m = sds_dup(file);
        int flips = 1 + round % 4;
        for (int i = 0; i < flips; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = 9 + (seed >> 8) % (sds_len(m) - 17);
            m[at] = (char)(seed >> 20);
        }
        load_dataset(m, sds_len(m), &st);
        db_empty(-1);
        sds_free(m);
    }
    set_checksum(1);
    sds_free(file);
}
END_TEST

/* Runs a command and returns its reply bytes (new sds). */
static sds reply_of(int argc, const char **args) {
    sds argv[8] = {0};
    for (int i = 0; i < argc; i++) argv[i] = sds_new(args[i]);
    sds out = cmd_run_argv(cl, CMD_CALLER_CLIENT, argc, argv);
    for (int i = 0; i < argc; i++) sds_free(argv[i]);
    return out;
}
#define EXPECT(want, ...)                                                                         \
    do {                                                                                          \
        const char *a_[] = {__VA_ARGS__};                                                         \
        sds got_ = reply_of((int)(sizeof(a_) / sizeof(a_[0])), a_);                               \
        ck_assert_msg(strcmp(got_, want) == 0, "%s %s: got [%s] want [%s]", a_[0], a_[1], got_, want); \
        sds_free(got_);                                                                           \
    } while (0)

/* A file Redis 7.0.15 wrote (tests/unit/fixtures/make_rdb_fixture.py)
 * loads with every value, encoding and expiry, and the values DUMP to the
 * very bytes Redis's DUMP gave for them. */
START_TEST(test_load_redis7_file) {
    rdb_load_stats st;
    ck_assert_int_eq(load_dataset((const char *)redis7_rdb, sizeof(redis7_rdb), &st), RDB_OK);
    ck_assert_int_eq(st.keys_loaded, 13);
    EXPECT("$5\r\nhello\r\n", "GET", "str");
    EXPECT("$6\r\n-70000\r\n", "GET", "neg");
    EXPECT(":4102444800000\r\n", "PEXPIRETIME", "ttl");
    EXPECT(":200\r\n", "LLEN", "list");
    EXPECT("$8\r\nitem-199\r\n", "LINDEX", "list", "-1");
    EXPECT(":3\r\n", "SCARD", "set:str");
    EXPECT(":1\r\n", "SISMEMBER", "set:str", "b");
    EXPECT("$3\r\n2.5\r\n", "ZSCORE", "zset:lp", "two.5");
    EXPECT("$5\r\n298.5\r\n", "ZSCORE", "zset:sl", "m199");
    EXPECT("$4\r\nv150\r\n", "HGET", "hash:ht", "f150");
    EXPECT("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "hash:lp");
    EXPECT("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "hash:ht");
    EXPECT("$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "zset:sl");
    EXPECT("$6\r\nintset\r\n", "OBJECT", "ENCODING", "set:int");
    EXPECT("$3\r\nint\r\n", "OBJECT", "ENCODING", "int");
    ck_assert_uint_eq(db_size(&server.dbs[3]), 1);
    for (size_t i = 0; i < sizeof(redis7_dumps) / sizeof(redis7_dumps[0]); i++) {
        sds p = rdb_dump_payload(lookup(redis7_dumps[i].key));
        ck_assert_msg(sds_len(p) == redis7_dumps[i].len && memcmp(p, redis7_dumps[i].p, sds_len(p)) == 0,
                      "DUMP of %s differs from Redis's", redis7_dumps[i].key);
        sds_free(p);
        /* And Redis's payload restores here. */
        sds err = NULL;
        robj *o = rdb_restore_payload((const char *)redis7_dumps[i].p, redis7_dumps[i].len, 1, &err);
        ck_assert_msg(o != NULL, "%s: %s", redis7_dumps[i].key, err ? err : "");
        obj_decr_refcount(o);
    }
}
END_TEST

/* From a file (input size unknown to the value loader), huge counts and
 * lengths fail at the end of the input instead of allocating. */
START_TEST(test_file_huge_counts) {
    const char *bodies[] = {"\x02\x01k\x81\x00\x00\x01\x00\x00\x00\x00\x00\x01" "a",
                            "\x04\x01k\x81\x00\x00\x01\x00\x00\x00\x00\x00\x01" "a\x01" "b",
                            "\x00\x01k\x81\x00\x00\x00\x10\x00\x00\x00\x00" "abc",
                            "\x12\x01k\x81\x00\x00\x01\x00\x00\x00\x00\x00\x02\x01" "a"};
    size_t lens[] = {14, 17, 15, 15};
    char path[] = "/tmp/test_rdb_huge_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        sds f = build_file(bodies[i], lens[i], 10);
        FILE *fp = fopen(path, "w");
        fwrite(f, 1, sds_len(f), fp);
        fclose(fp);
        rdb_load_stats st;
        ck_assert_msg(rdb_load_file(path, 0, &st) == RDB_FAILED, "case %zu loaded", i);
        db_empty(-1);
        sds_free(f);
    }
    unlink(path);
}
END_TEST

/* The replication aux fields and aof-base come back in the load stats. */
START_TEST(test_aux_fields_round_trip) {
    RUN("SET", "k", "v");
    rdb_save_opts opts = {.aof_preamble = 1, .repl_id = "0123456789abcdef0123456789abcdef01234567",
                          .repl_offset = 123456789012LL, .repl_stream_db = 3};
    rio r;
    rio_init_buffer(&r, sds_empty());
    ck_assert_int_eq(rdb_save_rio(&r, &opts), 0);
    sds file = r.io.buffer.ptr;
    ck_assert_ptr_nonnull(memmem(file, sds_len(file), "repl-stream-db", 14));
    db_empty(-1);
    rdb_load_stats st;
    ck_assert_int_eq(load_dataset(file, sds_len(file), &st), RDB_OK);
    ck_assert_int_eq(st.aof_preamble, 1);
    ck_assert_str_eq(st.repl_id, opts.repl_id);
    ck_assert_int_eq(st.repl_offset, opts.repl_offset);
    ck_assert_int_eq(st.repl_stream_db, 3);
    sds_free(file);
    /* Without them: none of the three fields, aof-base 0. */
    rio_init_buffer(&r, sds_empty());
    ck_assert_int_eq(rdb_save_rio(&r, NULL), 0);
    file = r.io.buffer.ptr;
    ck_assert_ptr_null(memmem(file, sds_len(file), "repl-", 5));
    db_empty(-1);
    ck_assert_int_eq(load_dataset(file, sds_len(file), &st), RDB_OK);
    ck_assert_int_eq(st.aof_preamble, 0);
    ck_assert_str_eq(st.repl_id, "");
    sds_free(file);
}
END_TEST

static size_t progress_calls, progress_last;

static void on_progress(size_t loaded) {
    progress_calls++;
    progress_last = loaded;
}

/* rdb_save_file writes through a temp file that it renames (none left
 * behind); rdb_load_file reads it back, calling the progress hook as it
 * goes; a missing file is RDB_NOT_EXIST. */
START_TEST(test_save_file_load_file) {
    char dir[] = "/tmp/test_rdb_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    set_config("rdbcompression", "no");
    RUN("SETRANGE", "big", "5000000", "x"); /* 5 MB: several progress steps */
    RUN("SET", "small", "v");
    ck_assert_int_eq(rdb_save_file(path, NULL), 0);
    DIR *dh = opendir(dir);
    int entries = 0;
    for (struct dirent *de; (de = readdir(dh)) != NULL;)
        if (de->d_name[0] != '.') {
            ck_assert_str_eq(de->d_name, "dump.rdb");
            entries++;
        }
    closedir(dh);
    ck_assert_int_eq(entries, 1);
    db_empty(-1);
    rdb_set_progress_hook(on_progress);
    progress_calls = 0;
    rdb_load_stats st;
    ck_assert_int_eq(rdb_load_file(path, 0, &st), RDB_OK);
    rdb_set_progress_hook(NULL);
    ck_assert_int_eq(st.keys_loaded, 2);
    ck_assert_uint_ge(progress_calls, 2);
    ck_assert_uint_ge(progress_last, 4 * 1024 * 1024);
    ck_assert_int_gt(st.ctime, 0);
    unlink(path);
    ck_assert_int_eq(rdb_load_file(path, 0, &st), RDB_NOT_EXIST);
    /* A directory that does not exist: the save fails, nothing crashes. */
    ck_assert_int_eq(rdb_save_file("/nonexistent-dir-h1/dump.rdb", NULL), -1);
    rmdir(dir);
}
END_TEST

static Suite *rdb_suite(void) {
    Suite *s = suite_create("rdb");
    TCase *tc = tcase_create("encodings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_length_boundaries);
    tcase_add_test(tc, test_string_encodings);
    tcase_add_test(tc, test_string_corrupt);
    suite_add_tcase(s, tc);
    tc = tcase_create("values");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dump_restore_every_encoding);
    tcase_add_test(tc, test_restore_errors);
    tcase_add_test(tc, test_packed_validation);
    tcase_add_test(tc, test_conversions_on_load);
    suite_add_tcase(s, tc);
    tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_file_round_trip);
    tcase_add_test(tc, test_load_redis7_file);
    tcase_add_test(tc, test_file_opcodes);
    tcase_add_test(tc, test_truncation_everywhere);
    tcase_add_test(tc, test_random_corruption);
    tcase_add_test(tc, test_save_file_load_file);
    tcase_add_test(tc, test_file_huge_counts);
    tcase_add_test(tc, test_aux_fields_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(rdb_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
