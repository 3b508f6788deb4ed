/* test_listpack.c -- Check suites for listpack: the byte layout of every
 * encoding (pinned against the specification and against blobs DUMPed by
 * Redis 7.0), editing at head, middle and tail, walking both ways, seek,
 * find with skip, counts past 65535, a randomized run against an array
 * model, and validation of untrusted blobs (every single-byte corruption of
 * a small listpack must be caught or still be safe to walk). Every test ends
 * by checking that zmalloc's used-memory counter is back where it started. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listpack.h"
#include "zmalloc.h"

static size_t mem_at_start;

static void setup(void) {
    mem_at_start = zmalloc_used_memory();
}

static void teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

#define US(s) ((const unsigned char *)(s))

/* Check records every passing ck_assert (a write per call), which hot
 * loops cannot afford: this one costs nothing until it fails. */
#define FAST_ASSERT(c) \
    do { \
        if (!(c)) ck_abort_msg("%s:%d: assertion failed: %s", __FILE__, __LINE__, #c); \
    } while (0)

static unsigned char *app(unsigned char *lp, const char *s) {
    return lp_append(lp, US(s), (uint32_t)strlen(s));
}

/* Entry rendered as text (integers in decimal) into out; returns length. */
static uint32_t entry_text(const unsigned char *p, unsigned char *buf, const unsigned char **out) {
    uint32_t len = 0;
    lp_get(p, NULL, out, &len, buf);
    return len;
}

/* The header, both walks and deep validation all agree; returns length. */
static unsigned long check_consistent(unsigned char *lp) {
    size_t bytes = lp_bytes(lp);
    FAST_ASSERT(lp[bytes - 1] == LP_EOF);
    FAST_ASSERT(zmalloc_size(lp) >= bytes);
    FAST_ASSERT(lp_validate_integrity(lp, bytes, 1) == 0);
    unsigned long fwd = 0, back = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) fwd++;
    unsigned char **seen = malloc(sizeof(*seen) * (fwd + 1));
    unsigned long i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) seen[i++] = p;
    for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p)) {
        back++;
        FAST_ASSERT(back <= fwd && p == seen[fwd - back]);
    }
    free(seen);
    FAST_ASSERT(fwd == back);
    unsigned hdr = lp[4] | lp[5] << 8;
    if (fwd < LP_HDR_COUNT_UNKNOWN) {
        FAST_ASSERT(hdr == fwd); /* every test fixes an "unknown" before asking */
    } else {
        FAST_ASSERT(hdr == LP_HDR_COUNT_UNKNOWN);
    }
    FAST_ASSERT(lp_length(lp) == fwd);
    return fwd;
}

/* lp holds exactly the given texts (NULL-terminated), in order. */
static void assert_contents(unsigned char *lp, const char **want) {
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned long n = 0;
    unsigned char *p = lp_first(lp);
    for (; want[n]; n++) {
        ck_assert_msg(p != NULL, "listpack ends early at %lu", n);
        const unsigned char *s;
        uint32_t len = entry_text(p, buf, &s);
        ck_assert_uint_eq(len, strlen(want[n]));
        ck_assert_mem_eq(s, want[n], len);
        p = lp_next(lp, p);
    }
    ck_assert_ptr_null(p);
    ck_assert_uint_eq(check_consistent(lp), n);
}

#define ASSERT_LP(lp, ...) do { const char *w_[] = {__VA_ARGS__, NULL}; assert_contents(lp, w_); } while (0)

/* ------------------------------------------------------------ layouts */

START_TEST(test_empty_layout) {
    unsigned char *lp = lp_new(0);
    static const unsigned char want[] = {0x07, 0, 0, 0, 0, 0, 0xFF};
    ck_assert_uint_eq(lp_bytes(lp), sizeof(want));
    ck_assert_mem_eq(lp, want, sizeof(want));
    ck_assert_uint_eq(lp_length(lp), 0);
    ck_assert_ptr_null(lp_first(lp));
    ck_assert_ptr_null(lp_last(lp));
    ck_assert_ptr_null(lp_seek(lp, 0));
    ck_assert_ptr_null(lp_seek(lp, -1));
    ck_assert_int_eq(lp_validate_integrity(lp, lp_bytes(lp), 1), 0);
    lp_free(lp);
    lp_free(NULL);
}
END_TEST

/* Derived by hand from the specification: "hello" is a 6-bit string
 * (0x80|5) with backlen 6; 1024 is a 13-bit int, 0x0400 split as
 * 110|00100 00000000 = C4 00, backlen 2. Total 6+7+3+1 = 17. */
START_TEST(test_layout_hello_1024) {
    unsigned char *lp = lp_new(0);
    lp = app(lp, "hello");
    lp = lp_append_integer(lp, 1024);
    static const unsigned char want[] = {0x11, 0, 0, 0, 0x02, 0, 0x85, 'h', 'e', 'l', 'l', 'o', 0x06,
                                         0xC4, 0x00, 0x02, 0xFF};
    ck_assert_uint_eq(lp_bytes(lp), sizeof(want));
    ck_assert_mem_eq(lp, want, sizeof(want));
    /* The text "1024" is stored the same way. */
    unsigned char *lp2 = lp_new(0);
    lp2 = app(lp2, "hello");
    lp2 = app(lp2, "1024");
    ck_assert_mem_eq(lp2, want, sizeof(want));
    lp_free(lp);
    lp_free(lp2);
}
END_TEST

/* More hand-derived entries: the spec's tiny examples, negative 13-bit,
 * and multi-byte backlens (the spec's 500 = 0000011 1110100 -> 03 F4). */
START_TEST(test_layout_entries_by_hand) {
    unsigned char *lp = lp_new(0);
    lp = app(lp, "3");   /* 03 01 */
    lp = app(lp, "18");  /* 12 01 */
    lp = app(lp, "");    /* 80 01 */
    lp = app(lp, "-1");  /* 13-bit 0x1FFF: DF FF 02 */
    lp = lp_append_integer(lp, -4096); /* 0x1000: D0 00 02 */
    lp = lp_append_integer(lp, 300000); /* 24-bit: F2 E0 93 04, 04 */
    static const unsigned char want[] = {0x18, 0, 0, 0, 0x06, 0, 0x03, 0x01, 0x12, 0x01, 0x80, 0x01,
                                         0xDF, 0xFF, 0x02, 0xD0, 0x00, 0x02, 0xF2, 0xE0, 0x93, 0x04, 0x04,
                                         0xFF};
    ck_assert_uint_eq(lp_bytes(lp), sizeof(want));
    ck_assert_mem_eq(lp, want, sizeof(want));
    lp_free(lp);

    /* A 498-byte string: 12-bit encoding E1 F2, entry body 500, backlen 03 F4. */
    char s[498];
    memset(s, 'a', sizeof(s));
    lp = lp_append(lp_new(0), US(s), sizeof(s));
    ck_assert_uint_eq(lp_bytes(lp), 6 + 500 + 2 + 1);
    ck_assert_int_eq(lp[6], 0xE1);
    ck_assert_int_eq(lp[7], 0xF2);
    ck_assert_int_eq(lp[6 + 500], 0x03);
    ck_assert_int_eq(lp[6 + 501], 0xF4);
    lp_free(lp);
}
END_TEST

/* Backlen cut points as Redis writes them (checked with DUMP): a body of
 * 16383 takes 3 bytes (00 FF FF), 16384 is 01 80 80, 2097151 takes 4. */
START_TEST(test_layout_backlen_cut_points) {
    static const struct { uint32_t str_len; uint32_t back_bytes; unsigned char back[4]; } cases[] = {
        {16377, 2, {0x7F, 0xFE}},           /* body 16382 */
        {16378, 3, {0x00, 0xFF, 0xFF}},     /* body 16383 */
        {16379, 3, {0x01, 0x80, 0x80}},     /* body 16384 */
        {2097145, 3, {0x7F, 0xFF, 0xFE}},   /* body 2097150 */
        {2097146, 4, {0x00, 0xFF, 0xFF, 0xFF}}, /* body 2097151 */
        {2097147, 4, {0x01, 0x80, 0x80, 0x80}}, /* body 2097152 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t n = cases[i].str_len;
        unsigned char *s = malloc(n);
        memset(s, 'a', n);
        unsigned char *lp = lp_append(lp_new(0), s, n);
        lp = lp_append(lp, US("x"), 1);
        ck_assert_int_eq(lp[6], 0xF0);
        ck_assert_uint_eq(lp[7] | lp[8] << 8 | lp[9] << 16 | (uint32_t)lp[10] << 24, n);
        ck_assert_mem_eq(lp + 6 + 5 + n, cases[i].back, cases[i].back_bytes);
        ck_assert_uint_eq(lp_bytes(lp), 6 + 5 + n + cases[i].back_bytes + 3 + 1);
        unsigned char *last = lp_last(lp);
        ck_assert_ptr_eq(lp_prev(lp, last), lp + 6);
        check_consistent(lp);
        lp_free(lp);
        free(s);
    }
}
END_TEST

/* Blob DUMPed by Redis 7.0.15 from HSET k hello x 1024 x (hash, listpack). */
START_TEST(test_layout_matches_redis_hash) {
    static const unsigned char redis[] = {0x17, 0x00, 0x00, 0x00, 0x04, 0x00, 0x85, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
                                          0x06, 0x81, 0x78, 0x02, 0xc4, 0x00, 0x02, 0x81, 0x78, 0x02, 0xff};
    unsigned char *lp = lp_new(0);
    lp = app(lp, "hello");
    lp = app(lp, "x");
    lp = app(lp, "1024");
    lp = app(lp, "x");
    ck_assert_uint_eq(lp_bytes(lp), sizeof(redis));
    ck_assert_mem_eq(lp, redis, sizeof(redis));
    lp_free(lp);
}
END_TEST

/* Blob DUMPed by Redis 7.0.15: a hash whose fields are every integer
 * boundary plus non-canonical texts, each with value "x". */
START_TEST(test_layout_matches_redis_boundaries) {
    static const char *fields[] = {"0", "127", "128", "-1", "-4096", "-4097", "4095", "4096", "32767", "32768",
                                   "-32768", "-32769", "8388607", "8388608", "-8388608", "-8388609",
                                   "2147483647", "2147483648", "-2147483648", "-2147483649",
                                   "9223372036854775807", "-9223372036854775808", "-0", "01", "+1",
                                   "9223372036854775808", ""};
    static const unsigned char redis[] = {
        0xef, 0x00, 0x00, 0x00, 0x36, 0x00, 0x00, 0x01, 0x81, 0x78, 0x02, 0x7f, 0x01, 0x81, 0x78, 0x02, 0xc0, 0x80,
        0x02, 0x81, 0x78, 0x02, 0xdf, 0xff, 0x02, 0x81, 0x78, 0x02, 0xd0, 0x00, 0x02, 0x81, 0x78, 0x02, 0xf1, 0xff,
        0xef, 0x03, 0x81, 0x78, 0x02, 0xcf, 0xff, 0x02, 0x81, 0x78, 0x02, 0xf1, 0x00, 0x10, 0x03, 0x81, 0x78, 0x02,
        0xf1, 0xff, 0x7f, 0x03, 0x81, 0x78, 0x02, 0xf2, 0x00, 0x80, 0x00, 0x04, 0x81, 0x78, 0x02, 0xf1, 0x00, 0x80,
        0x03, 0x81, 0x78, 0x02, 0xf2, 0xff, 0x7f, 0xff, 0x04, 0x81, 0x78, 0x02, 0xf2, 0xff, 0xff, 0x7f, 0x04, 0x81,
        0x78, 0x02, 0xf3, 0x00, 0x00, 0x80, 0x00, 0x05, 0x81, 0x78, 0x02, 0xf2, 0x00, 0x00, 0x80, 0x04, 0x81, 0x78,
        0x02, 0xf3, 0xff, 0xff, 0x7f, 0xff, 0x05, 0x81, 0x78, 0x02, 0xf3, 0xff, 0xff, 0xff, 0x7f, 0x05, 0x81, 0x78,
        0x02, 0xf4, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x09, 0x81, 0x78, 0x02, 0xf3, 0x00, 0x00, 0x00,
        0x80, 0x05, 0x81, 0x78, 0x02, 0xf4, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x09, 0x81, 0x78, 0x02,
        0xf4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x09, 0x81, 0x78, 0x02, 0xf4, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x80, 0x09, 0x81, 0x78, 0x02, 0x82, 0x2d, 0x30, 0x03, 0x81, 0x78, 0x02, 0x82, 0x30, 0x31,
        0x03, 0x81, 0x78, 0x02, 0x82, 0x2b, 0x31, 0x03, 0x81, 0x78, 0x02, 0x93, 0x39, 0x32, 0x32, 0x33, 0x33, 0x37,
        0x32, 0x30, 0x33, 0x36, 0x38, 0x35, 0x34, 0x37, 0x37, 0x35, 0x38, 0x30, 0x38, 0x14, 0x81, 0x78, 0x02, 0x80,
        0x01, 0x81, 0x78, 0x02, 0xff};
    unsigned char *lp = lp_new(0);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        lp = app(lp, fields[i]);
        lp = app(lp, "x");
    }
    ck_assert_uint_eq(lp_bytes(lp), sizeof(redis));
    ck_assert_mem_eq(lp, redis, sizeof(redis));
    /* And the other way: the Redis blob reads back as the same texts. */
    ck_assert_int_eq(lp_validate_integrity(redis, sizeof(redis), 1), 0);
    unsigned char *copy = lp_dup(redis);
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned char *p = lp_first(copy);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const unsigned char *s;
        uint32_t len = entry_text(p, buf, &s);
        ck_assert_uint_eq(len, strlen(fields[i]));
        ck_assert_mem_eq(s, fields[i], len);
        p = lp_next(copy, lp_next(copy, p));
    }
    ck_assert_ptr_null(p);
    lp_free(copy);
    lp_free(lp);
}
END_TEST

/* ------------------------------------------------------------ encodings */

START_TEST(test_integer_boundaries) {
    static const struct { int64_t v; unsigned char first; size_t entry_bytes; } cases[] = {
        {0, 0x00, 2},           {127, 0x7F, 2},         {128, 0xC0, 3},          {-1, 0xDF, 3},
        {-4096, 0xD0, 3},       {4095, 0xCF, 3},        {4096, 0xF1, 4},         {-4097, 0xF1, 4},
        {INT16_MAX, 0xF1, 4},   {INT16_MIN, 0xF1, 4},   {INT16_MAX + 1, 0xF2, 5}, {INT16_MIN - 1, 0xF2, 5},
        {8388607, 0xF2, 5},     {-8388608, 0xF2, 5},    {8388608, 0xF3, 6},      {-8388609, 0xF3, 6},
        {INT32_MAX, 0xF3, 6},   {INT32_MIN, 0xF3, 6},   {(int64_t)INT32_MAX + 1, 0xF4, 10},
        {(int64_t)INT32_MIN - 1, 0xF4, 10}, {INT64_MAX, 0xF4, 10}, {INT64_MIN, 0xF4, 10},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[32];
        snprintf(text, sizeof(text), "%lld", (long long)cases[i].v);
        for (int as_text = 0; as_text < 2; as_text++) {
            unsigned char *lp = lp_new(0);
            lp = app(lp, "head");
            lp = as_text ? app(lp, text) : lp_append_integer(lp, cases[i].v);
            lp = app(lp, "tail");
            unsigned char *p = lp_seek(lp, 1);
            ck_assert_int_eq(p[0], cases[i].first);
            ck_assert_uint_eq((size_t)(lp_next(lp, p) - p), cases[i].entry_bytes);
            int64_t v = 0;
            unsigned char buf[LP_INTBUF_SIZE];
            const unsigned char *s;
            uint32_t len;
            ck_assert_int_eq(lp_get(p, &v, &s, &len, buf), LP_KIND_INT);
            ck_assert_int_eq(v, cases[i].v);
            ck_assert_uint_eq(len, strlen(text));
            ck_assert_mem_eq(s, text, len);
            ck_assert_ptr_eq(lp_prev(lp, lp_last(lp)), p);
            ck_assert_uint_eq(lp_bytes(lp), 6 + 6 + cases[i].entry_bytes + 6 + 1); /* "head", "tail": 6 each */
            ASSERT_LP(lp, "head", text, "tail");
            lp_free(lp);
        }
    }
}
END_TEST

START_TEST(test_string_boundaries) {
    static const struct { uint32_t len; size_t hdr_bytes; size_t back_bytes; } cases[] = {
        {0, 1, 1}, {1, 1, 1}, {63, 1, 1}, {64, 2, 1}, {125, 2, 1}, {126, 2, 2}, {4095, 2, 2}, {4096, 5, 2},
        {70 * 1024, 5, 3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t n = cases[i].len;
        unsigned char *s = malloc(n + 1);
        for (uint32_t j = 0; j < n; j++) s[j] = (unsigned char)('a' + j % 26);
        unsigned char *lp = lp_new(0);
        lp = lp_append_integer(lp, 7);
        lp = lp_append(lp, s, n);
        lp = lp_append_integer(lp, 8);
        unsigned char *p = lp_seek(lp, 1);
        size_t want = cases[i].hdr_bytes + n + cases[i].back_bytes;
        ck_assert_uint_eq((size_t)(lp_next(lp, p) - p), want);
        if (n < 64) ck_assert_int_eq(p[0], 0x80 | n);
        else if (n < 4096) ck_assert_int_eq(p[0], 0xE0 | (n >> 8));
        else ck_assert_int_eq(p[0], 0xF0);
        const unsigned char *got;
        uint32_t len = 99;
        int64_t v = 12345;
        ck_assert_int_eq(lp_get(p, &v, &got, &len, NULL), LP_KIND_STR);
        ck_assert_int_eq(v, 12345); /* untouched for strings */
        ck_assert_uint_eq(len, n);
        if (n) ck_assert_mem_eq(got, s, n);
        ck_assert_ptr_eq(lp_prev(lp, lp_last(lp)), p);
        ck_assert_uint_eq(lp_bytes(lp), 6 + 2 + want + 2 + 1);
        ck_assert_uint_eq(check_consistent(lp), 3);
        lp_free(lp);
        free(s);
    }
}
END_TEST

START_TEST(test_string_to_int64_rules) {
    static const char *ints[] = {"0", "1", "-1", "123", "9223372036854775807", "-9223372036854775808", "4096"};
    static const char *strs[] = {"", "-", "-0", "01", "+1", " 1", "1 ", "1a", "0x10", "9223372036854775808",
                                 "-9223372036854775809", "00", "1.0", "123456789012345678901"};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        int64_t v;
        ck_assert_int_eq(lp_string_to_int64(US(ints[i]), strlen(ints[i]), &v), 1);
        ck_assert_int_eq(v, strtoll(ints[i], NULL, 10));
        unsigned char *lp = app(lp_new(0), ints[i]);
        ck_assert_int_eq(lp_get(lp_first(lp), NULL, NULL, NULL, NULL), LP_KIND_INT);
        lp_free(lp);
    }
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        ck_assert_int_eq(lp_string_to_int64(US(strs[i]), strlen(strs[i]), NULL), 0);
        unsigned char *lp = app(lp_new(0), strs[i]);
        ck_assert_int_eq(lp_get(lp_first(lp), NULL, NULL, NULL, NULL), LP_KIND_STR);
        ASSERT_LP(lp, strs[i]);
        lp_free(lp);
    }
    /* The length bounds the parse: "12" inside a longer buffer. */
    int64_t v;
    ck_assert_int_eq(lp_string_to_int64(US("12345"), 2, &v), 1);
    ck_assert_int_eq(v, 12);
}
END_TEST

/* ------------------------------------------------------------ editing */

START_TEST(test_append_prepend) {
    unsigned char *lp = lp_new(0);
    lp = app(lp, "b");
    ASSERT_LP(lp, "b");
    lp = lp_prepend(lp, US("a"), 1);
    ASSERT_LP(lp, "a", "b");
    lp = lp_append_integer(lp, -3);
    ASSERT_LP(lp, "a", "b", "-3");
    lp = lp_prepend_integer(lp, 1000000);
    ASSERT_LP(lp, "1000000", "a", "b", "-3");
    lp = lp_prepend(lp, US("77"), 2);
    ASSERT_LP(lp, "77", "1000000", "a", "b", "-3");
    lp_free(lp);
}
END_TEST

START_TEST(test_insert_head_middle_tail) {
    unsigned char *lp = lp_new(0), *n = NULL;
    lp = app(lp, "m");
    lp = lp_insert(lp, US("h"), 1, lp_first(lp), LP_BEFORE, &n);
    ck_assert_ptr_eq(n, lp_first(lp));
    ASSERT_LP(lp, "h", "m");
    lp = lp_insert(lp, US("t"), 1, lp_last(lp), LP_AFTER, &n);
    ck_assert_ptr_eq(n, lp_last(lp));
    ASSERT_LP(lp, "h", "m", "t");
    lp = lp_insert(lp, US("hm"), 2, lp_seek(lp, 1), LP_BEFORE, &n);
    ck_assert_ptr_eq(n, lp_seek(lp, 1));
    ASSERT_LP(lp, "h", "hm", "m", "t");
    lp = lp_insert_integer(lp, 42, lp_seek(lp, 2), LP_AFTER, &n);
    ck_assert_ptr_eq(n, lp_seek(lp, 3));
    ck_assert(lp_entry_eq(n, US("42"), 2));
    ASSERT_LP(lp, "h", "hm", "m", "42", "t");
    lp = lp_insert_integer(lp, -9, lp_first(lp), LP_BEFORE, NULL);
    lp = lp_insert(lp, US("end"), 3, lp_last(lp), LP_AFTER, NULL);
    ASSERT_LP(lp, "-9", "h", "hm", "m", "42", "t", "end");
    lp_free(lp);
}
END_TEST

START_TEST(test_replace) {
    unsigned char *lp = lp_new(0);
    lp = app(lp, "a");
    lp = app(lp, "b");
    lp = app(lp, "c");
    unsigned char *p = lp_first(lp);
    lp = lp_replace(lp, &p, US("head-grown"), 10);
    ck_assert_ptr_eq(p, lp_first(lp));
    ASSERT_LP(lp, "head-grown", "b", "c");
    p = lp_seek(lp, 1);
    lp = lp_replace_integer(lp, &p, 123456789);
    ck_assert_ptr_eq(p, lp_seek(lp, 1));
    ASSERT_LP(lp, "head-grown", "123456789", "c");
    p = lp_last(lp);
    char big[5000];
    memset(big, 'z', sizeof(big));
    lp = lp_replace(lp, &p, US(big), sizeof(big));
    ck_assert_ptr_eq(p, lp_last(lp));
    ck_assert(lp_entry_eq(p, US(big), sizeof(big)));
    p = lp_last(lp);
    lp = lp_replace(lp, &p, US("s"), 1); /* shrink back */
    ASSERT_LP(lp, "head-grown", "123456789", "s");
    p = lp_first(lp);
    lp = lp_replace(lp, &p, US(""), 0);
    ASSERT_LP(lp, "", "123456789", "s");
    lp_free(lp);
}
END_TEST

/* Same-size replacements (HINCRBY's common case) move nothing. */
START_TEST(test_replace_same_size_in_place) {
    unsigned char *lp = lp_new(0);
    lp = app(lp, "field");
    lp = lp_append_integer(lp, 1000);
    unsigned char *before = lp, *p = lp_last(lp), *entry_before = p;
    lp = lp_replace_integer(lp, &p, 1001);
    ck_assert_ptr_eq(lp, before);
    ck_assert_ptr_eq(p, entry_before);
    lp = lp_replace(lp, &p, US("abc"), 3); /* 13-bit int (3 bytes) -> "abc" (5): grows */
    ASSERT_LP(lp, "field", "abc");
    p = lp_last(lp);
    unsigned char *e2 = p;
    before = lp;
    lp = lp_replace(lp, &p, US("xyz"), 3);
    ck_assert_ptr_eq(lp, before);
    ck_assert_ptr_eq(p, e2);
    ASSERT_LP(lp, "field", "xyz");
    lp_free(lp);
}
END_TEST

START_TEST(test_delete_head_middle_tail) {
    unsigned char *lp = lp_new(0), *next;
    const char *vals[] = {"a", "1", "b", "300", "c"};
    for (int i = 0; i < 5; i++) lp = app(lp, vals[i]);
    lp = lp_delete(lp, lp_first(lp), &next);
    ck_assert_ptr_eq(next, lp_first(lp));
    ASSERT_LP(lp, "1", "b", "300", "c");
    lp = lp_delete(lp, lp_seek(lp, 1), &next);
    ck_assert_ptr_eq(next, lp_seek(lp, 1));
    ck_assert(lp_entry_eq(next, US("300"), 3));
    ASSERT_LP(lp, "1", "300", "c");
    lp = lp_delete(lp, lp_last(lp), &next);
    ck_assert_ptr_null(next);
    ASSERT_LP(lp, "1", "300");
    lp = lp_delete(lp, lp_last(lp), NULL);
    lp = lp_delete(lp, lp_first(lp), &next);
    ck_assert_ptr_null(next);
    ck_assert_uint_eq(check_consistent(lp), 0);
    ck_assert_uint_eq(lp_bytes(lp), 7);
    lp_free(lp);
}
END_TEST

START_TEST(test_delete_range) {
    unsigned char *lp = lp_new(0);
    for (int i = 0; i < 10; i++) lp = lp_append_integer(lp, i);
    lp = lp_delete_range(lp, 2, 3);
    ASSERT_LP(lp, "0", "1", "5", "6", "7", "8", "9");
    lp = lp_delete_range(lp, -2, 100); /* past the end: stops there */
    ASSERT_LP(lp, "0", "1", "5", "6", "7");
    lp = lp_delete_range(lp, 0, 1);
    ASSERT_LP(lp, "1", "5", "6", "7");
    lp = lp_delete_range(lp, 10, 1); /* out of range: nothing */
    lp = lp_delete_range(lp, -10, 1);
    lp = lp_delete_range(lp, 1, 0);
    ASSERT_LP(lp, "1", "5", "6", "7");
    unsigned char *p = lp_seek(lp, 1);
    lp = lp_delete_range_entry(lp, &p, 2);
    ck_assert_ptr_eq(p, lp_last(lp));
    ASSERT_LP(lp, "1", "7");
    p = lp_first(lp);
    lp = lp_delete_range_entry(lp, &p, 5);
    ck_assert_ptr_null(p);
    ck_assert_uint_eq(check_consistent(lp), 0);
    lp_free(lp);
}
END_TEST

START_TEST(test_batch_append) {
    unsigned char *a = lp_new(0), *b = lp_new(0);
    a = app(a, "f1");
    b = app(b, "f1");
    lp_item items[] = {
        {.str = US("field"), .len = 5},
        {.str = US("77"), .len = 2},
        {.is_int = 1, .ival = -70000},
        {.str = US(""), .len = 0},
    };
    a = lp_batch_append(a, items, 4);
    b = app(b, "field");
    b = app(b, "77");
    b = lp_append_integer(b, -70000);
    b = app(b, "");
    ck_assert_uint_eq(lp_bytes(a), lp_bytes(b));
    ck_assert_mem_eq(a, b, lp_bytes(a));
    ASSERT_LP(a, "f1", "field", "77", "-70000", "");
    a = lp_batch_append(a, items, 0);
    ck_assert_mem_eq(a, b, lp_bytes(b));
    lp_free(a);
    lp_free(b);
}
END_TEST

/* ------------------------------------------------------------ reading */

START_TEST(test_seek) {
    unsigned char *lp = lp_new(0);
    for (int i = 0; i < 9; i++) lp = lp_append_integer(lp, i * 100);
    for (long i = 0; i < 9; i++) {
        int64_t v;
        lp_get(lp_seek(lp, i), &v, NULL, NULL, NULL);
        ck_assert_int_eq(v, i * 100);
        lp_get(lp_seek(lp, -1 - i), &v, NULL, NULL, NULL);
        ck_assert_int_eq(v, (8 - i) * 100);
    }
    ck_assert_ptr_eq(lp_seek(lp, -1), lp_last(lp));
    ck_assert_ptr_eq(lp_seek(lp, -9), lp_first(lp));
    ck_assert_ptr_null(lp_seek(lp, 9));
    ck_assert_ptr_null(lp_seek(lp, -10));
    ck_assert_ptr_null(lp_seek(lp, 1000));
    lp_free(lp);
}
END_TEST

START_TEST(test_get_forms) {
    unsigned char *lp = lp_new(0);
    lp = lp_append_integer(lp, -42);
    lp = app(lp, "str");
    int64_t v = 0;
    const unsigned char *s = NULL;
    uint32_t len = 0;
    unsigned char buf[LP_INTBUF_SIZE];
    ck_assert_int_eq(lp_get(lp_first(lp), &v, &s, &len, NULL), LP_KIND_INT);
    ck_assert_int_eq(v, -42);
    ck_assert_ptr_null(s); /* no buf: no text */
    ck_assert_int_eq(lp_get(lp_first(lp), NULL, &s, &len, buf), LP_KIND_INT);
    ck_assert_ptr_eq(s, buf);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(s, "-42", 3);
    ck_assert_int_eq(lp_get(lp_last(lp), NULL, &s, &len, buf), LP_KIND_STR);
    ck_assert_ptr_eq(s, lp_last(lp) + 1);
    ck_assert_uint_eq(len, 3);
    ck_assert(lp_entry_eq(lp_first(lp), US("-42"), 3));
    ck_assert(!lp_entry_eq(lp_first(lp), US("-042"), 4));
    ck_assert(!lp_entry_eq(lp_first(lp), US("str"), 3));
    ck_assert(lp_entry_eq(lp_last(lp), US("str"), 3));
    ck_assert(!lp_entry_eq(lp_last(lp), US("st"), 2));
    lp_free(lp);
}
END_TEST

START_TEST(test_find_with_skip) {
    /* Pairs: a=3, 3=b, c=10, 10=d, "010"=e */
    unsigned char *lp = lp_new(0);
    const char *kv[] = {"a", "3", "3", "b", "c", "10", "10", "d", "010", "e"};
    for (int i = 0; i < 10; i++) lp = app(lp, kv[i]);
    unsigned char *first = lp_first(lp);
    ck_assert_ptr_eq(lp_find(lp, first, US("3"), 1, 1), lp_seek(lp, 2));  /* the field, not the value */
    ck_assert_ptr_eq(lp_find(lp, first, US("3"), 1, 0), lp_seek(lp, 1));
    ck_assert_ptr_eq(lp_find(lp, first, US("10"), 2, 1), lp_seek(lp, 6));
    ck_assert_ptr_eq(lp_find(lp, first, US("010"), 3, 1), lp_seek(lp, 8));
    ck_assert_ptr_null(lp_find(lp, first, US("b"), 1, 1)); /* only values hold b */
    ck_assert_ptr_eq(lp_find(lp, lp_seek(lp, 1), US("b"), 1, 1), lp_seek(lp, 3));
    ck_assert_ptr_null(lp_find(lp, first, US("zz"), 2, 0));
    ck_assert_ptr_null(lp_find(lp, first, US("03"), 2, 0));
    ck_assert_ptr_eq(lp_find(lp, first, US("e"), 1, 0), lp_last(lp));
    ck_assert_ptr_eq(lp_find(lp, first, US("e"), 1, 9), NULL); /* skips past it */
    ck_assert_ptr_eq(lp_find(lp, first, US("a"), 1, 9), first);
    lp_free(lp);
}
END_TEST

/* ------------------------------------------------------------ capacity, counts */

START_TEST(test_capacity_and_shrink) {
    unsigned char *lp = lp_new(4096);
    unsigned char *orig = lp;
    for (int i = 0; i < 1000; i++) lp = lp_append_integer(lp, i % 100); /* 2 bytes each */
    ck_assert_ptr_eq(lp, orig); /* appends within capacity never realloc */
    ck_assert_uint_eq(lp_bytes(lp), 7 + 2000);
    ck_assert_uint_ge(zmalloc_size(lp), 4096);
    lp = lp_shrink_to_fit(lp);
    ck_assert_uint_lt(zmalloc_size(lp), 4096);
    ck_assert_uint_eq(check_consistent(lp), 1000);
    unsigned char *copy = lp_dup(lp);
    ck_assert_mem_eq(copy, lp, lp_bytes(lp));
    ck_assert(lp_safe_to_add(lp, 1000));
    ck_assert(!lp_safe_to_add(lp, LP_MAX_SAFE_BYTES));
    ck_assert(lp_safe_to_add(NULL, LP_MAX_SAFE_BYTES));
    lp_free(copy);
    lp_free(lp);
}
END_TEST

static unsigned hdr_count(const unsigned char *lp) {
    return lp[4] | lp[5] << 8;
}

START_TEST(test_count_past_65535) {
    const unsigned long total = 70000;
    unsigned char *lp = lp_new(7 + 2 * total);
    for (unsigned long i = 0; i < total; i++) {
        lp = lp_append_integer(lp, (int64_t)(i % 128));
        if (i + 1 == 65534) ck_assert_uint_eq(hdr_count(lp), 65534);
        if (i + 1 == 65535) ck_assert_uint_eq(hdr_count(lp), LP_HDR_COUNT_UNKNOWN);
    }
    ck_assert_uint_eq(hdr_count(lp), LP_HDR_COUNT_UNKNOWN);
    ck_assert_uint_eq(lp_length(lp), total);
    ck_assert_uint_eq(hdr_count(lp), LP_HDR_COUNT_UNKNOWN); /* does not fit: stays unknown */
    ck_assert_int_eq(lp_validate_integrity(lp, lp_bytes(lp), 1), 0);
    int64_t v;
    lp_get(lp_seek(lp, 69999), &v, NULL, NULL, NULL);
    ck_assert_int_eq(v, 69999 % 128);
    lp_get(lp_seek(lp, -70000), &v, NULL, NULL, NULL);
    ck_assert_int_eq(v, 0);
    lp_get(lp_seek(lp, -2), &v, NULL, NULL, NULL);
    ck_assert_int_eq(v, 69998 % 128);
    ck_assert_ptr_null(lp_seek(lp, 70000));
    ck_assert_ptr_null(lp_seek(lp, -70001));
    /* Deleting keeps "unknown" until something counts. */
    lp = lp_delete_range(lp, 100, total);
    ck_assert_uint_eq(hdr_count(lp), LP_HDR_COUNT_UNKNOWN);
    ck_assert_int_eq(lp_validate_integrity(lp, lp_bytes(lp), 1), 0);
    ck_assert_uint_eq(lp_length(lp), 100);
    ck_assert_uint_eq(hdr_count(lp), 100);
    lp = lp_append_integer(lp, 5);
    ck_assert_uint_eq(hdr_count(lp), 101);
    ck_assert_uint_eq(check_consistent(lp), 101);
    lp_free(lp);
}
END_TEST

/* ------------------------------------------------------------ randomized */

typedef struct model_entry {
    char *s;
    uint32_t len;
} model_entry;

static uint64_t rng_state;

static uint64_t rng(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* A random value: integers near every encoding boundary, strings of every
 * encoding, and digit strings that are not canonical. Sets *is_int/ *ival
 * when it should go through the _integer calls. */
static void random_value(char *buf, uint32_t *len, int *is_int, int64_t *ival) {
    static const int64_t edges[] = {0, 127, 4095, -4096, INT16_MAX, INT16_MIN, 8388607, -8388608,
                                    INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    *is_int = 0;
    switch (rng() % 7) {
    case 0: *len = (uint32_t)sprintf(buf, "%lld", (long long)(rng() % 10001) - 5000); break;
    case 1: {
        int64_t e = edges[rng() % 12];
        int64_t d = (int64_t)(rng() % 3) - 1;
        if ((d > 0 && e == INT64_MAX) || (d < 0 && e == INT64_MIN)) d = 0;
        *len = (uint32_t)sprintf(buf, "%lld", (long long)(e + d));
        break;
    }
    case 2:
        *is_int = 1;
        *ival = (int64_t)rng();
        *len = (uint32_t)sprintf(buf, "%lld", (long long)*ival);
        break;
    case 3:
        *len = (uint32_t)(rng() % 70);
        for (uint32_t i = 0; i < *len; i++) buf[i] = (char)('a' + rng() % 26);
        break;
    case 4:
        *len = (uint32_t)(rng() % 5000);
        for (uint32_t i = 0; i < *len; i++) buf[i] = (char)(rng() % 256);
        break;
    case 5: *len = (uint32_t)sprintf(buf, "0%u", (unsigned)(rng() % 100)); break;
    default: *len = (uint32_t)sprintf(buf, "+%u", (unsigned)(rng() % 100)); break;
    }
}

static void model_compare(unsigned char *lp, const model_entry *m, size_t n) {
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned char *p = lp_first(lp);
    for (size_t i = 0; i < n; i++) {
        FAST_ASSERT(p != NULL);
        const unsigned char *s;
        uint32_t len = entry_text(p, buf, &s);
        FAST_ASSERT(len == m[i].len);
        FAST_ASSERT(len == 0 || memcmp(s, m[i].s, len) == 0);
        p = lp_next(lp, p);
    }
    FAST_ASSERT(p == NULL);
    FAST_ASSERT(check_consistent(lp) == n);
}

static void model_insert(model_entry *m, size_t *n, size_t at, const char *s, uint32_t len) {
    memmove(m + at + 1, m + at, (*n - at) * sizeof(*m));
    m[at].s = malloc(len + 1);
    memcpy(m[at].s, s, len);
    m[at].len = len;
    (*n)++;
}

static void model_delete(model_entry *m, size_t *n, size_t at, size_t count) {
    if (at + count > *n) count = *n - at;
    for (size_t i = at; i < at + count; i++) free(m[i].s);
    memmove(m + at, m + at + count, (*n - at - count) * sizeof(*m));
    *n -= count;
}

#define MODEL_MAX 400
#define RANDOM_OPS 6000

START_TEST(test_randomized_against_model) {
    rng_state = 0x9E3779B97F4A7C15ULL;
    model_entry *m = calloc(MODEL_MAX + 4, sizeof(*m));
    size_t n = 0;
    char *val = malloc(6000);
    unsigned char *lp = lp_new(0);
    for (int op = 0; op < RANDOM_OPS; op++) {
        uint32_t len;
        int is_int;
        int64_t ival = 0;
        random_value(val, &len, &is_int, &ival);
        unsigned kind = (unsigned)(rng() % 8);
        if (n >= MODEL_MAX) kind = 6;
        if (n == 0 && kind >= 3) kind = 0;
        size_t at = n ? (size_t)(rng() % n) : 0;
        unsigned char *p, *newp = NULL;
        switch (kind) {
        case 0:
            lp = is_int ? lp_append_integer(lp, ival) : lp_append(lp, US(val), len);
            model_insert(m, &n, n, val, len);
            break;
        case 1:
            lp = is_int ? lp_prepend_integer(lp, ival) : lp_prepend(lp, US(val), len);
            model_insert(m, &n, 0, val, len);
            break;
        case 2: {
            lp_item items[2] = {{.str = US(val), .len = len}, {.is_int = 1, .ival = (int64_t)op}};
            char t[24];
            uint32_t tl = (uint32_t)sprintf(t, "%d", op);
            lp = lp_batch_append(lp, items, 2);
            model_insert(m, &n, n, val, len);
            model_insert(m, &n, n, t, tl);
            break;
        }
        case 3:
        case 4: {
            enum lp_where where = kind == 3 ? LP_BEFORE : LP_AFTER;
            p = (rng() & 1) ? lp_seek(lp, (long)at) : lp_seek(lp, (long)at - (long)n);
            lp = is_int ? lp_insert_integer(lp, ival, p, where, &newp) : lp_insert(lp, US(val), len, p, where, &newp);
            size_t pos = where == LP_BEFORE ? at : at + 1;
            FAST_ASSERT(newp == lp_seek(lp, (long)pos));
            model_insert(m, &n, pos, val, len);
            break;
        }
        case 5:
            p = lp_seek(lp, (long)at);
            lp = is_int ? lp_replace_integer(lp, &p, ival) : lp_replace(lp, &p, US(val), len);
            FAST_ASSERT(p == lp_seek(lp, (long)at));
            free(m[at].s);
            m[at].s = malloc(len + 1);
            memcpy(m[at].s, val, len);
            m[at].len = len;
            break;
        case 6: {
            unsigned char *next;
            lp = lp_delete(lp, lp_seek(lp, (long)at), &next);
            FAST_ASSERT(next == (at + 1 < n ? lp_seek(lp, (long)at) : NULL));
            model_delete(m, &n, at, 1);
            break;
        }
        default: {
            size_t count = (size_t)(rng() % 5);
            lp = lp_delete_range(lp, (long)at, count);
            model_delete(m, &n, at, count);
            break;
        }
        }
        model_compare(lp, m, n);
        /* lp_find must agree with a linear search of the model. */
        if (n && op % 7 == 0) {
            size_t target = (size_t)(rng() % n);
            unsigned char *f = lp_find(lp, lp_first(lp), US(m[target].s), m[target].len, 0);
            size_t first = 0;
            while (m[first].len != m[target].len || memcmp(m[first].s, m[target].s, m[first].len) != 0) first++;
            FAST_ASSERT(f == lp_seek(lp, (long)first));
        }
    }
    model_delete(m, &n, 0, n);
    free(m);
    free(val);
    lp_free(lp);
}
END_TEST

/* ------------------------------------------------------------ validation */

static int count_cb(const unsigned char *entry, unsigned long index, void *ud) {
    unsigned long *calls = ud;
    (void)entry;
    ck_assert_uint_eq(index, *calls);
    (*calls)++;
    return 0;
}

static int reject_second_cb(const unsigned char *entry, unsigned long index, void *ud) {
    (void)entry;
    (void)ud;
    return index == 1 ? -1 : 0;
}

START_TEST(test_validate_good_and_bad_headers) {
    unsigned char *lp = lp_new(0);
    lp = app(lp, "abc");
    lp = lp_append_integer(lp, 99999);
    lp = app(lp, "");
    size_t n = lp_bytes(lp);
    ck_assert_int_eq(lp_validate_integrity(lp, n, 0), 0);
    ck_assert_int_eq(lp_validate_integrity(lp, n, 1), 0);
    unsigned long calls = 0;
    ck_assert_int_eq(lp_validate_entries(lp, n, count_cb, &calls), 0);
    ck_assert_uint_eq(calls, 3);
    ck_assert_int_eq(lp_validate_entries(lp, n, reject_second_cb, NULL), -1);
    /* Wrong size either way, and tiny blobs. */
    ck_assert_int_eq(lp_validate_integrity(lp, n - 1, 0), -1);
    ck_assert_int_eq(lp_validate_integrity(lp, n + 1, 1), -1);
    ck_assert_int_eq(lp_validate_integrity(lp, 0, 1), -1);
    ck_assert_int_eq(lp_validate_integrity(lp, 6, 1), -1);
    /* Unknown count is legal at any size; a wrong exact count is not. */
    lp[4] = 0xFF;
    lp[5] = 0xFF;
    ck_assert_int_eq(lp_validate_integrity(lp, n, 1), 0);
    ck_assert_uint_eq(lp_length(lp), 3);
    ck_assert_int_eq(lp[4], 3);
    lp[4] = 4;
    ck_assert_int_eq(lp_validate_integrity(lp, n, 0), 0); /* shallow does not count */
    ck_assert_int_eq(lp_validate_integrity(lp, n, 1), -1);
    lp_free(lp);
}
END_TEST

/* Hand-made hostile blobs, each in an exact-size heap block so ASan sees
 * any read past the end. */
START_TEST(test_validate_hostile) {
    static const struct { unsigned char b[16]; size_t n; } bad[] = {
        {{0x0C, 0, 0, 0, 1, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 12}, /* 32-bit string of 4 GB */
        {{0x09, 0, 0, 0, 1, 0, 0xF5, 0x01, 0xFF}, 9},                    /* unused encoding */
        {{0x08, 0, 0, 0, 1, 0, 0xF0, 0xFF}, 8},                          /* length bytes cut off */
        {{0x08, 0, 0, 0, 1, 0, 0xE0, 0xFF}, 8},                          /* 12-bit length cut off */
        {{0x09, 0, 0, 0, 1, 0, 0xF4, 0x01, 0xFF}, 9},                    /* int64 body cut off */
        {{0x09, 0, 0, 0, 1, 0, 0x05, 0x02, 0xFF}, 9},                    /* wrong backlen */
        {{0x0A, 0, 0, 0, 1, 0, 0x05, 0x00, 0x81, 0xFF}, 10},             /* padded 2-byte backlen */
        {{0x09, 0, 0, 0, 1, 0, 0x05, 0x81, 0xFF}, 9},                    /* backlen never ends */
        {{0x09, 0, 0, 0, 1, 0, 0xFF, 0x01, 0xFF}, 9},                    /* EOF byte mid-list */
        {{0x09, 0, 0, 0, 1, 0, 0x81, 0x02, 0xFF}, 9},                    /* string eats the backlen */
        {{0x07, 0, 0, 0, 0, 0, 0xFE}, 7},                                /* no terminator */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned char *b = malloc(bad[i].n);
        memcpy(b, bad[i].b, bad[i].n);
        ck_assert_msg(lp_validate_integrity(b, bad[i].n, 1) == -1, "hostile blob %zu accepted", i);
        free(b);
    }
}
END_TEST

/* Walks an accepted blob every way the API allows; under ASan any read out
 * of bounds fails the test. */
static void walk_everything(const unsigned char *blob, size_t n) {
    unsigned char *lp = malloc(n); /* plain malloc: exactly n bytes */
    memcpy(lp, blob, n);
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned long fwd = 0, back = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        const unsigned char *s;
        entry_text(p, buf, &s);
        fwd++;
    }
    for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p)) back++;
    FAST_ASSERT(fwd == back);
    FAST_ASSERT(lp_length(lp) == fwd);
    lp_find(lp, lp_first(lp), US("hello"), 5, 1);
    free(lp);
}

START_TEST(test_validate_every_single_byte_corruption) {
    unsigned char *lp = lp_new(0);
    lp = app(lp, "hello");
    lp = lp_append_integer(lp, 1024);
    lp = lp_append_integer(lp, 7);
    lp = lp_append_integer(lp, -100000);
    char s70[70];
    memset(s70, 'q', sizeof(s70));
    lp = lp_append(lp, US(s70), sizeof(s70));
    lp = app(lp, "");
    size_t n = lp_bytes(lp);
    /* Bytes whose every change must be caught: total bytes, terminator, and
     * each entry's backlen (positions found by walking). */
    unsigned char *structural = calloc(n, 1);
    for (int i = 0; i < 4; i++) structural[i] = 1;
    structural[n - 1] = 1;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        unsigned char *end = lp_next(lp, p) ? lp_next(lp, p) : lp + n - 1;
        int body_len = end[-1] & 0x80 ? 0 : end[-1]; /* every body here is < 128 */
        ck_assert_int_gt(body_len, 0);
        for (unsigned char *b = p + body_len; b < end; b++) structural[b - lp] = 1;
    }
    unsigned long accepted = 0, rejected = 0;
    unsigned char *mut = malloc(n);
    for (size_t pos = 0; pos < n; pos++) {
        for (int v = 0; v < 256; v++) {
            if (v == lp[pos]) continue;
            memcpy(mut, lp, n);
            mut[pos] = (unsigned char)v;
            int shallow = lp_validate_integrity(mut, n, 0);
            int deep = lp_validate_integrity(mut, n, 1);
            if (deep == 0) {
                FAST_ASSERT(shallow == 0);
                if (structural[pos]) ck_abort_msg("corrupt byte %zu=0x%02x accepted", pos, v);
                walk_everything(mut, n);
                accepted++;
            } else {
                rejected++;
            }
        }
    }
    /* Data bytes may legally change (a string's letters, a small int's
     * value); every change of a structural byte was rejected above. */
    size_t nstructural = 0;
    for (size_t i = 0; i < n; i++) nstructural += structural[i];
    ck_assert_uint_ge(rejected, nstructural * 255);
    ck_assert_uint_gt(accepted, 0);
    free(mut);
    free(structural);
    lp_free(lp);
}
END_TEST

/* Every prefix and every extension of a valid blob is rejected. */
START_TEST(test_validate_truncations) {
    unsigned char *lp = lp_new(0);
    lp = app(lp, "hello");
    char big[300];
    memset(big, 'b', sizeof(big));
    lp = lp_append(lp, US(big), sizeof(big));
    lp = lp_append_integer(lp, INT64_MIN);
    size_t n = lp_bytes(lp);
    for (size_t cut = 0; cut < n; cut++) {
        unsigned char *b = malloc(cut ? cut : 1);
        memcpy(b, lp, cut);
        ck_assert_int_eq(lp_validate_integrity(b, cut, 1), -1);
        /* Even with the header patched to the cut size. */
        if (cut >= 7) {
            b[0] = (unsigned char)cut;
            b[1] = (unsigned char)(cut >> 8);
            b[2] = b[3] = 0;
            b[cut - 1] = 0xFF;
            ck_assert_int_eq(lp_validate_integrity(b, cut, 1), -1);
        }
        free(b);
    }
    lp_free(lp);
}
END_TEST

static Suite *listpack_suite(void) {
    Suite *s = suite_create("listpack");
    TCase *tc = tcase_create("layout");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_empty_layout);
    tcase_add_test(tc, test_layout_hello_1024);
    tcase_add_test(tc, test_layout_entries_by_hand);
    tcase_add_test(tc, test_layout_backlen_cut_points);
    tcase_add_test(tc, test_layout_matches_redis_hash);
    tcase_add_test(tc, test_layout_matches_redis_boundaries);
    tcase_add_test(tc, test_integer_boundaries);
    tcase_add_test(tc, test_string_boundaries);
    tcase_add_test(tc, test_string_to_int64_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("edit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_append_prepend);
    tcase_add_test(tc, test_insert_head_middle_tail);
    tcase_add_test(tc, test_replace);
    tcase_add_test(tc, test_replace_same_size_in_place);
    tcase_add_test(tc, test_delete_head_middle_tail);
    tcase_add_test(tc, test_delete_range);
    tcase_add_test(tc, test_batch_append);
    suite_add_tcase(s, tc);

    tc = tcase_create("read");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_seek);
    tcase_add_test(tc, test_get_forms);
    tcase_add_test(tc, test_find_with_skip);
    tcase_add_test(tc, test_capacity_and_shrink);
    tcase_add_test(tc, test_count_past_65535);
    suite_add_tcase(s, tc);

    tc = tcase_create("random");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_randomized_against_model);
    suite_add_tcase(s, tc);

    tc = tcase_create("validate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_validate_good_and_bad_headers);
    tcase_add_test(tc, test_validate_hostile);
    tcase_add_test(tc, test_validate_every_single_byte_corruption);
    tcase_add_test(tc, test_validate_truncations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(listpack_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
