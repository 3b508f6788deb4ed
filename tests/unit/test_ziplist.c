/* test_ziplist.c -- Check suites for the legacy ziplist and zipmap readers:
 * hand-built blobs in every entry encoding (strings with 6/14/32-bit
 * lengths, int8/16/24/32/64, the 4-bit immediates), one- and five-byte
 * prevlens, unknown counts, conversion to listpacks, and corrupted or
 * truncated blobs refused without a read outside the blob (each blob is
 * copied into an allocation of exactly its size, so ASan sees any overrun).
 * Every test ends by checking that zmalloc's counter is back where it was. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "listpack.h"
#include "ziplist.h"
#include "zipmap.h"
#include "zmalloc.h"

static size_t mem_at_start;

static void setup(void) {
    mem_at_start = zmalloc_used_memory();
}

static void teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

/* ------------------------------------------------------------ a ziplist writer
 * Test-only: builds blobs entry by entry with the encoding chosen by the
 * test, so every encoding (and odd but legal choices such as a long prevlen
 * for a small size) can be produced. */

#define ZB_MAX (1 << 20)

typedef struct zbuild {
    unsigned char *buf;
    size_t len;           /* bytes written */
    size_t last;          /* offset of the last entry, 0 if none */
    uint32_t prev_size;   /* size of the last entry */
    unsigned count;
} zbuild;

static void zb_init(zbuild *b) {
    b->buf = malloc(ZB_MAX);
    b->len = ZL_HDR_BYTES;
    b->last = 0;
    b->prev_size = 0;
    b->count = 0;
}

static void put_le(unsigned char *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes the prevlen of the next entry; long_form forces five bytes. */
static void zb_prevlen(zbuild *b, int long_form) {
    b->last = b->len;
    if (b->prev_size < 254 && !long_form) {
        b->buf[b->len++] = (unsigned char)b->prev_size;
    } else {
        b->buf[b->len++] = 254;
        put_le(b->buf + b->len, b->prev_size, 4);
        b->len += 4;
    }
}

static void zb_done_entry(zbuild *b) {
    b->prev_size = (uint32_t)(b->len - b->last);
    b->count++;
}

/* String entry with a 6, 14 or 32-bit length header (width = 6/14/32). */
static void zb_str(zbuild *b, const void *s, uint32_t len, int width, int long_prevlen) {
    zb_prevlen(b, long_prevlen);
    if (width == 6) {
        b->buf[b->len++] = (unsigned char)len;
    } else if (width == 14) {
        b->buf[b->len++] = (unsigned char)(0x40 | (len >> 8));
        b->buf[b->len++] = (unsigned char)len;
    } else {
        b->buf[b->len++] = 0x80;
        for (int i = 3; i >= 0; i--) b->buf[b->len++] = (unsigned char)(len >> (8 * i));
    }
    memcpy(b->buf + b->len, s, len);
    b->len += len;
    zb_done_entry(b);
}

/* Integer entry with encoding byte enc (0xF1..0xFD: immediate). */
static void zb_int(zbuild *b, unsigned char enc, int64_t v) {
    zb_prevlen(b, 0);
    b->buf[b->len++] = enc;
    int w = enc == 0xFE ? 1 : enc == 0xC0 ? 2 : enc == 0xF0 ? 3 : enc == 0xD0 ? 4 : enc == 0xE0 ? 8 : 0;
    put_le(b->buf + b->len, (uint64_t)v, w);
    b->len += w;
    zb_done_entry(b);
}

/* Terminates and fills the header; returns a malloc'ed copy of exactly
 * the blob's size (caller frees) and frees the builder. count_override
 * < 0 writes the real count. */
static unsigned char *zb_finish(zbuild *b, long count_override, size_t *size) {
    b->buf[b->len++] = ZL_END;
    put_le(b->buf, b->len, 4);
    put_le(b->buf + 4, b->count ? b->last : ZL_HDR_BYTES, 4);
    put_le(b->buf + 8, count_override >= 0 ? (uint64_t)count_override : b->count, 2);
    unsigned char *out = malloc(b->len);
    memcpy(out, b->buf, b->len);
    *size = b->len;
    free(b->buf);
    return out;
}

/* Listpack entry i is the string s. */
static void assert_lp_str(unsigned char *lp, long i, const char *s, size_t len) {
    unsigned char *e = lp_seek(lp, i);
    ck_assert_ptr_nonnull(e);
    const unsigned char *str;
    uint32_t l;
    unsigned char buf[LP_INTBUF_SIZE];
    lp_get(e, NULL, &str, &l, buf);
    ck_assert_uint_eq(l, len);
    ck_assert_mem_eq(str, s, len);
}

static void assert_lp_int(unsigned char *lp, long i, int64_t v) {
    unsigned char *e = lp_seek(lp, i);
    ck_assert_ptr_nonnull(e);
    int64_t got;
    ck_assert_int_eq(lp_get(e, &got, NULL, NULL, NULL), LP_KIND_INT);
    ck_assert_int_eq(got, v);
}

/* ------------------------------------------------------------ ziplist: reading */

/* The example in the format's public description: "2" and "5". */
START_TEST(test_documented_example) {
    static const unsigned char zl[] = {0x0f, 0, 0, 0, 0x0c, 0, 0, 0, 0x02, 0, 0x00, 0xf3, 0x02, 0xf6, 0xff};
    ck_assert_int_eq(zl_validate_integrity(zl, sizeof(zl), 1), 0);
    ck_assert_uint_eq(zl_length(zl), 2);
    zl_value v;
    const unsigned char *p = zl_first(zl);
    zl_get(p, &v);
    ck_assert_ptr_null(v.str);
    ck_assert_int_eq(v.ival, 2);
    p = zl_next(p);
    zl_get(p, &v);
    ck_assert_int_eq(v.ival, 5);
    ck_assert_ptr_null(zl_next(p));
    unsigned char *lp = zl_to_listpack(zl, sizeof(zl));
    ck_assert_ptr_nonnull(lp);
    ck_assert_uint_eq(lp_length(lp), 2);
    assert_lp_int(lp, 0, 2);
    assert_lp_int(lp, 1, 5);
    lp_free(lp);
}
END_TEST

START_TEST(test_empty) {
    zbuild b;
    zb_init(&b);
    size_t size;
    unsigned char *zl = zb_finish(&b, -1, &size);
    ck_assert_uint_eq(size, 11);
    ck_assert_int_eq(zl_validate_integrity(zl, size, 1), 0);
    ck_assert_ptr_null(zl_first(zl));
    ck_assert_uint_eq(zl_length(zl), 0);
    unsigned char *lp = zl_to_listpack(zl, size);
    ck_assert_ptr_nonnull(lp);
    ck_assert_uint_eq(lp_length(lp), 0);
    lp_free(lp);
    free(zl);
}
END_TEST

/* Every encoding, at the edges of its range, reads back and converts. */
START_TEST(test_every_encoding) {
    static char big[70000];
    for (size_t i = 0; i < sizeof(big); i++) big[i] = (char)('a' + i % 26);
    zbuild b;
    zb_init(&b);
    zb_str(&b, "", 0, 6, 0);
    zb_str(&b, big, 63, 6, 0);
    zb_str(&b, big, 64, 14, 0);     /* prevlen 65: still one byte */
    zb_str(&b, big, 16383, 14, 0);
    zb_str(&b, big, 16384, 32, 1);  /* after a big entry: five-byte prevlen */
    zb_str(&b, "abc", 3, 32, 1);    /* legal, if wasteful: a 32-bit header for 3 bytes */
    zb_int(&b, 0xF1, 0);
    zb_int(&b, 0xFD, 12);
    zb_int(&b, 0xFE, -128);
    zb_int(&b, 0xFE, 127);
    zb_int(&b, 0xC0, INT16_MIN);
    zb_int(&b, 0xC0, INT16_MAX);
    zb_int(&b, 0xF0, -8388608);
    zb_int(&b, 0xF0, 8388607);
    zb_int(&b, 0xD0, INT32_MIN);
    zb_int(&b, 0xD0, INT32_MAX);
    zb_int(&b, 0xE0, INT64_MIN);
    zb_int(&b, 0xE0, INT64_MAX);
    zb_str(&b, "007", 3, 6, 0);     /* not canonical: stays a string */
    size_t size;
    unsigned char *zl = zb_finish(&b, -1, &size);
    ck_assert_int_eq(zl_validate_integrity(zl, size, 0), 0);
    ck_assert_int_eq(zl_validate_integrity(zl, size, 1), 0);
    ck_assert_uint_eq(zl_length(zl), 19);

    static const int64_t ints[] = {0, 12, -128, 127, INT16_MIN, INT16_MAX, -8388608, 8388607,
                                   INT32_MIN, INT32_MAX, INT64_MIN, INT64_MAX};
    unsigned char *lp = zl_to_listpack(zl, size);
    ck_assert_ptr_nonnull(lp);
    ck_assert_int_eq(lp_validate_integrity(lp, lp_bytes(lp), 1), 0);
    ck_assert_uint_eq(lp_length(lp), 19);
    assert_lp_str(lp, 0, "", 0);
    assert_lp_str(lp, 1, big, 63);
    assert_lp_str(lp, 2, big, 64);
    assert_lp_str(lp, 3, big, 16383);
    assert_lp_str(lp, 4, big, 16384);
    assert_lp_str(lp, 5, "abc", 3);
    for (int i = 0; i < 12; i++) assert_lp_int(lp, 6 + i, ints[i]);
    assert_lp_str(lp, 18, "007", 3);
    lp_free(lp);

    /* The walking API sees the same values. */
    int i = 0;
    for (const unsigned char *p = zl_first(zl); p; p = zl_next(p), i++) {
        zl_value v;
        zl_get(p, &v);
        if (i >= 6 && i < 18) {
            ck_assert_ptr_null(v.str);
            ck_assert_int_eq(v.ival, ints[i - 6]);
        } else {
            ck_assert_ptr_nonnull(v.str);
        }
    }
    ck_assert_int_eq(i, 19);
    free(zl);
}
END_TEST

/* A 32-bit string length, big-endian, above 65535. */
START_TEST(test_long_string) {
    size_t n = 70000;
    char *s = malloc(n);
    memset(s, 'x', n);
    s[n - 1] = 'y';
    zbuild b;
    zb_init(&b);
    zb_str(&b, s, (uint32_t)n, 32, 0);
    zb_int(&b, 0xC0, -300);
    size_t size;
    unsigned char *zl = zb_finish(&b, -1, &size);
    unsigned char *lp = zl_to_listpack(zl, size);
    ck_assert_ptr_nonnull(lp);
    assert_lp_str(lp, 0, s, n);
    assert_lp_int(lp, 1, -300);
    lp_free(lp);
    free(zl);
    free(s);
}
END_TEST

/* zllen 65535 means "count by walking", whatever the real count. */
START_TEST(test_unknown_count) {
    zbuild b;
    zb_init(&b);
    for (int i = 0; i < 3; i++) zb_int(&b, 0xF1 + i, i);
    size_t size;
    unsigned char *zl = zb_finish(&b, ZL_COUNT_UNKNOWN, &size);
    ck_assert_int_eq(zl_validate_integrity(zl, size, 1), 0);
    ck_assert_uint_eq(zl_length(zl), 3);
    free(zl);
}
END_TEST

/* ------------------------------------------------------------ ziplist: refusing */

static unsigned char *sample(size_t *size) {
    zbuild b;
    zb_init(&b);
    static char big[300];
    memset(big, 'q', sizeof(big));
    zb_str(&b, "hello", 5, 6, 0);
    zb_str(&b, big, sizeof(big), 14, 0);
    zb_int(&b, 0xD0, 100000);      /* five-byte prevlen (the 300-byte entry) */
    zb_str(&b, "tail", 4, 6, 0);
    return zb_finish(&b, -1, size);
}

/* Runs both validators and the conversion on a copy of exactly n bytes. */
static int accepted(const unsigned char *blob, size_t n) {
    unsigned char *copy = malloc(n ? n : 1);
    memcpy(copy, blob, n);
    int deep = zl_validate_integrity(copy, n, 1) == 0;
    unsigned char *lp = zl_to_listpack(copy, n);
    ck_assert_int_eq(deep, lp != NULL);
    lp_free(lp);
    unsigned char *lp2 = zl_pairs_to_listpack(copy, n, NULL);
    lp_free(lp2);
    free(copy);
    return deep;
}

START_TEST(test_refuses_header_damage) {
    size_t size;
    unsigned char *zl = sample(&size);
    ck_assert(accepted(zl, size));
    unsigned char *bad = malloc(size);

    memcpy(bad, zl, size);
    put_le(bad, size + 1, 4);  /* zlbytes too big */
    ck_assert(!accepted(bad, size));
    ck_assert_int_eq(zl_validate_integrity(bad, size, 0), -1);

    memcpy(bad, zl, size);
    bad[size - 1] = 0;         /* no terminator */
    ck_assert(!accepted(bad, size));

    memcpy(bad, zl, size);
    put_le(bad + 4, size, 4);  /* zltail past the end */
    ck_assert_int_eq(zl_validate_integrity(bad, size, 0), -1);

    memcpy(bad, zl, size);
    put_le(bad + 4, ZL_HDR_BYTES, 4); /* zltail at the first entry: only deep sees it */
    ck_assert_int_eq(zl_validate_integrity(bad, size, 0), 0);
    ck_assert(!accepted(bad, size));

    memcpy(bad, zl, size);
    put_le(bad + 8, 5, 2);     /* wrong count */
    ck_assert(!accepted(bad, size));
    put_le(bad + 8, 3, 2);
    ck_assert(!accepted(bad, size));

    ck_assert(!accepted(zl, 0));
    ck_assert(!accepted(zl, 10));
    free(bad);
    free(zl);
}
END_TEST

START_TEST(test_refuses_entry_damage) {
    size_t size;
    unsigned char *zl = sample(&size);
    unsigned char *bad = malloc(size);
    size_t e1 = ZL_HDR_BYTES, e2 = e1 + 7, e3 = e2 + 303;

    memcpy(bad, zl, size);
    bad[e2] = 6;               /* prevlen of entry 2 says 6, the entry is 7 */
    ck_assert(!accepted(bad, size));

    memcpy(bad, zl, size);
    bad[e1] = 1;               /* the first entry's prevlen must be 0 */
    ck_assert(!accepted(bad, size));

    memcpy(bad, zl, size);
    put_le(bad + e3 + 1, 302, 4); /* long prevlen with the wrong value */
    ck_assert(!accepted(bad, size));

    memcpy(bad, zl, size);
    bad[e1 + 1] = 60;          /* a string running past the terminator */
    ck_assert(!accepted(bad, size));

    memcpy(bad, zl, size);
    bad[e3 + 5] = 0xC1;        /* not an encoding */
    ck_assert(!accepted(bad, size));

    memcpy(bad, zl, size);
    bad[e2] = 0xFF;            /* a terminator in the middle */
    ck_assert(!accepted(bad, size));

    memcpy(bad, zl, size);
    bad[e2 + 1] = 0x80;        /* 14-bit header turned 32-bit: length 0x2C71717171 */
    ck_assert(!accepted(bad, size));
    free(bad);
    free(zl);
}
END_TEST

/* Every truncation (with the header fixed up to the new size, so only the
 * entries are short) and every single-byte change is handled safely; the
 * prefixes that end mid-entry are all refused. */
START_TEST(test_truncations_and_flips) {
    size_t size;
    unsigned char *zl = sample(&size);
    unsigned char *bad = malloc(size);
    for (size_t n = ZL_HDR_BYTES + 1; n < size; n++) {
        memcpy(bad, zl, n);
        put_le(bad, n, 4);
        bad[n - 1] = ZL_END;
        /* Only cuts at an entry boundary can be valid (and then zllen and
         * zltail are wrong anyway), so all must be refused. */
        ck_assert_msg(!accepted(bad, n), "prefix of %zu accepted", n);
    }
    for (size_t i = 0; i < size; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, zl, size);
            bad[i] ^= (unsigned char)(1 << bit);
            (void)accepted(bad, size);
        }
    }
    free(bad);
    free(zl);
}
END_TEST

/* ------------------------------------------------------------ ziplist: pairs */

START_TEST(test_pairs) {
    zbuild b;
    zb_init(&b);
    zb_str(&b, "name", 4, 6, 0);
    zb_str(&b, "minired", 7, 6, 0);
    zb_int(&b, 0xC0, 1234);        /* an integer field */
    zb_str(&b, "1.5", 3, 6, 0);
    size_t size, maxlen = 0;
    unsigned char *zl = zb_finish(&b, -1, &size);
    unsigned char *lp = zl_pairs_to_listpack(zl, size, &maxlen);
    ck_assert_ptr_nonnull(lp);
    ck_assert_uint_eq(lp_length(lp), 4);
    ck_assert_uint_eq(maxlen, 7);
    assert_lp_str(lp, 1, "minired", 7);
    assert_lp_int(lp, 2, 1234);
    lp_free(lp);
    free(zl);

    /* An odd count is refused. */
    zb_init(&b);
    zb_str(&b, "a", 1, 6, 0);
    zb_str(&b, "b", 1, 6, 0);
    zb_str(&b, "c", 1, 6, 0);
    zl = zb_finish(&b, -1, &size);
    ck_assert_ptr_null(zl_pairs_to_listpack(zl, size, NULL));
    ck_assert_ptr_nonnull(lp = zl_to_listpack(zl, size));
    lp_free(lp);
    free(zl);

    /* A repeated field is refused, also as integer vs string text; a
     * value may repeat a field's text. */
    zb_init(&b);
    zb_int(&b, 0xFE, 77);
    zb_str(&b, "a", 1, 6, 0);
    zb_str(&b, "77", 2, 6, 0);
    zb_str(&b, "b", 1, 6, 0);
    zl = zb_finish(&b, -1, &size);
    ck_assert_ptr_null(zl_pairs_to_listpack(zl, size, NULL));
    free(zl);
    zb_init(&b);
    zb_str(&b, "a", 1, 6, 0);
    zb_str(&b, "a", 1, 6, 0);
    zb_str(&b, "b", 1, 6, 0);
    zb_str(&b, "a", 1, 6, 0);
    zl = zb_finish(&b, -1, &size);
    ck_assert_ptr_nonnull(lp = zl_pairs_to_listpack(zl, size, NULL));
    lp_free(lp);
    free(zl);
}
END_TEST

/* ------------------------------------------------------------ zipmap */

/* Test-only zipmap writer. */
typedef struct mbuild {
    unsigned char buf[1 << 17];
    size_t len;
} mbuild;

static void mb_len(mbuild *m, uint32_t len, int force_big) {
    if (len < ZM_BIGLEN && !force_big) {
        m->buf[m->len++] = (unsigned char)len;
    } else {
        m->buf[m->len++] = ZM_BIGLEN;
        put_le(m->buf + m->len, len, 4);
        m->len += 4;
    }
}

static void mb_pair(mbuild *m, const char *f, uint32_t flen, const char *v, uint32_t vlen, unsigned char freeb) {
    mb_len(m, flen, 0);
    memcpy(m->buf + m->len, f, flen);
    m->len += flen;
    mb_len(m, vlen, 0);
    m->buf[m->len++] = freeb;
    memcpy(m->buf + m->len, v, vlen);
    m->len += vlen;
    memset(m->buf + m->len, 0xAA, freeb);
    m->len += freeb;
}

static unsigned char *mb_finish(mbuild *m, unsigned char count, size_t *size) {
    m->buf[0] = count;
    m->buf[m->len++] = ZM_END;
    unsigned char *out = malloc(m->len);
    memcpy(out, m->buf, m->len);
    *size = m->len;
    return out;
}

static int zm_accepted(const unsigned char *blob, size_t n) {
    unsigned char *copy = malloc(n ? n : 1);
    memcpy(copy, blob, n);
    int ok = zm_validate_integrity(copy, n, 1) == 0;
    unsigned char *lp = zm_to_listpack(copy, n, NULL);
    lp_free(lp);
    free(copy);
    return ok && lp != NULL;
}

START_TEST(test_zipmap) {
    static mbuild m;
    static char big[300];
    memset(big, 'z', sizeof(big));
    m.len = 1;
    mb_pair(&m, "foo", 3, "bar", 3, 0);
    mb_pair(&m, "hello", 5, "world", 5, 4);  /* four free bytes after the value */
    mb_pair(&m, big, sizeof(big), "12", 2, 0); /* a u32 field length */
    mb_pair(&m, "k", 1, big, 254, 1);          /* 254: the first length that needs a u32 */
    size_t size, maxlen = 0;
    unsigned char *zm = mb_finish(&m, 4, &size);
    ck_assert_int_eq(zm_validate_integrity(zm, size, 1), 0);
    ck_assert_uint_eq(zm_length(zm), 4);
    unsigned char *lp = zm_to_listpack(zm, size, &maxlen);
    ck_assert_ptr_nonnull(lp);
    ck_assert_uint_eq(maxlen, 300);
    ck_assert_uint_eq(lp_length(lp), 8);
    assert_lp_str(lp, 0, "foo", 3);
    assert_lp_str(lp, 3, "world", 5);
    assert_lp_str(lp, 4, big, 300);
    assert_lp_int(lp, 5, 12);
    assert_lp_str(lp, 7, big, 254);
    lp_free(lp);

    /* The walking API. */
    const unsigned char *f, *v;
    uint32_t fl, vl;
    const unsigned char *p = zm_rewind(zm);
    p = zm_next(p, &f, &fl, &v, &vl);
    ck_assert_uint_eq(fl, 3);
    ck_assert_mem_eq(v, "bar", 3);
    p = zm_next(p, &f, &fl, &v, &vl);
    ck_assert_mem_eq(f, "hello", 5);
    ck_assert_uint_eq(vl, 5);

    /* Unknown count (254) walks; a wrong count is refused. */
    zm[0] = ZM_BIGLEN;
    ck_assert(zm_accepted(zm, size));
    ck_assert_uint_eq(zm_length(zm), 4);
    zm[0] = 3;
    ck_assert(!zm_accepted(zm, size));
    zm[0] = 4;

    /* Every truncation and every bit flip is handled safely. */
    unsigned char *bad = malloc(size);
    for (size_t n = 2; n < size; n++) {
        memcpy(bad, zm, n);
        bad[n - 1] = ZM_END;
        ck_assert_msg(!zm_accepted(bad, n), "prefix of %zu accepted", n);
    }
    for (size_t i = 0; i < size; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, zm, size);
            bad[i] ^= (unsigned char)(1 << bit);
            (void)zm_accepted(bad, size);
        }
    }
    free(bad);
    free(zm);
}
END_TEST

START_TEST(test_zipmap_refused) {
    static mbuild m;
    size_t size;
    /* empty: valid, no pairs */
    m.len = 1;
    unsigned char *zm = mb_finish(&m, 0, &size);
    ck_assert(zm_accepted(zm, size));
    ck_assert_uint_eq(zm_length(zm), 0);
    free(zm);
    /* a repeated field */
    m.len = 1;
    mb_pair(&m, "a", 1, "1", 1, 0);
    mb_pair(&m, "a", 1, "2", 1, 0);
    zm = mb_finish(&m, 2, &size);
    ck_assert_int_eq(zm_validate_integrity(zm, size, 1), 0);
    ck_assert_ptr_null(zm_to_listpack(zm, size, NULL));
    free(zm);
    /* free bytes running past the end */
    m.len = 1;
    mb_pair(&m, "a", 1, "1", 1, 0);
    zm = mb_finish(&m, 1, &size);
    zm[4] = 2;
    ck_assert(!zm_accepted(zm, size));
    /* a field with no value */
    static const unsigned char half[] = {1, 1, 'a', ZM_END};
    ck_assert(!zm_accepted(half, sizeof(half)));
    ck_assert(!zm_accepted(zm, 1));
    ck_assert_int_eq(zm_validate_integrity(zm, 0, 0), -1);
    free(zm);
}
END_TEST

static Suite *ziplist_suite(void) {
    Suite *s = suite_create("ziplist");
    TCase *tc = tcase_create("ziplist");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_documented_example);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_every_encoding);
    tcase_add_test(tc, test_long_string);
    tcase_add_test(tc, test_unknown_count);
    tcase_add_test(tc, test_refuses_header_damage);
    tcase_add_test(tc, test_refuses_entry_damage);
    tcase_add_test(tc, test_truncations_and_flips);
    tcase_add_test(tc, test_pairs);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("zipmap");
    tcase_add_checked_fixture(tm, setup, teardown);
    tcase_set_timeout(tm, 60);
    tcase_add_test(tm, test_zipmap);
    tcase_add_test(tm, test_zipmap_refused);
    suite_add_tcase(s, tm);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(ziplist_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
