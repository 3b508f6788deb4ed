/* test_bitops.c -- Check suites for bitfield.c, the pure math under the bit
 * commands: type and offset parsing, range clamping, big-endian fields
 * across byte boundaries with sign extension, each overflow mode at the
 * edges of each width, popcount, first-bit search and the BITOP kernels.
 *
 * Expected values in the tables were read from a real Redis 7.0 (BITFIELD,
 * BITCOUNT, BITPOS replies); the string functions are also checked against
 * naive bit-by-bit references on pseudo-random data. */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bitfield.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_BYTES_512MB (512LL * 1024 * 1024)
#define RANDOM_BUF_BYTES 300
#define RANDOM_ROUNDS 2000

/* xorshift64: a fixed seed so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fill_random(unsigned char *p, size_t len) {
    for (size_t i = 0; i < len; i++) p[i] = (unsigned char)rng();
}

static int ref_bit(const unsigned char *p, size_t len, uint64_t pos) {
    return (pos >> 3) < len ? (p[pos >> 3] >> (7 - (pos & 7))) & 1 : 0;
}

/* ------------------------------------------------------------ parsing */

START_TEST(test_parse_type) {
    static const struct { const char *s; int ok, sign, bits; } cases[] = {
        {"i1", 1, 1, 1},   {"i8", 1, 1, 8},   {"i64", 1, 1, 64}, {"u1", 1, 0, 1},  {"u63", 1, 0, 63},
        {"u16", 1, 0, 16}, {"u64", 0, 0, 0},  {"i65", 0, 0, 0},  {"i0", 0, 0, 0},  {"u0", 0, 0, 0},
        {"I8", 0, 0, 0},   {"U8", 0, 0, 0},   {"i08", 0, 0, 0},  {"i+8", 0, 0, 0}, {"i-8", 0, 0, 0},
        {"i", 0, 0, 0},    {"", 0, 0, 0},     {"x8", 0, 0, 0},   {"i8 ", 0, 0, 0}, {"i 8", 0, 0, 0},
        {"i99999999999999999999", 0, 0, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int sign = -1, bits = -1;
        int rc = bitfield_parse_type(cases[i].s, strlen(cases[i].s), &sign, &bits);
        ck_assert_msg((rc == 0) == cases[i].ok, "type '%s'", cases[i].s);
        if (cases[i].ok) {
            ck_assert_int_eq(sign, cases[i].sign);
            ck_assert_int_eq(bits, cases[i].bits);
        }
    }
    /* Binary-safe: an embedded NUL is not the end of the type. */
    int sign, bits;
    ck_assert_int_eq(bitfield_parse_type("i8\0", 3, &sign, &bits), -1);
}
END_TEST

START_TEST(test_parse_offset) {
    static const struct { const char *s; int hash_bits; int ok; uint64_t v; } cases[] = {
        {"0", 0, 1, 0},
        {"7", 0, 1, 7},
        {"4294967295", 0, 1, 4294967295ULL}, /* last bit of 512 MB */
        {"4294967296", 0, 0, 0},
        {"9223372036854775807", 0, 0, 0},
        {"18446744073709551616", 0, 0, 0},
        {"-1", 0, 0, 0},
        {"", 0, 0, 0},
        {"abc", 0, 0, 0},
        {"01", 0, 0, 0},
        {"+1", 0, 0, 0},
        {" 1", 0, 0, 0},
        {"1.5", 0, 0, 0},
        {"#1", 0, 0, 0}, /* '#' only where a width is given */
        {"#1", 8, 1, 8},
        {"#0", 8, 1, 0},
        {"#3", 5, 1, 15},
        {"#", 8, 0, 0},
        {"##1", 8, 0, 0},
        {"#-1", 8, 0, 0},
        {"#01", 8, 0, 0},
        {"#+1", 8, 0, 0},
        {"#536870911", 8, 1, 4294967288ULL},
        {"#536870912", 8, 0, 0},
        {"#9223372036854775807", 8, 0, 0},
        {"#1152921504606846976", 8, 0, 0},  /* wraps to 2^63: negative */
        {"#2305843009213693953", 8, 1, 8},  /* wraps to 8, as in Redis */
        {"#-9223372036854775808", 16, 1, 0}, /* wraps to 0, as in Redis */
        {"12", 8, 1, 12},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t v = 12345;
        int rc = bitfield_parse_offset(cases[i].s, strlen(cases[i].s), cases[i].hash_bits, MAX_BYTES_512MB, &v);
        ck_assert_msg((rc == 0) == cases[i].ok, "offset '%s' (#%d)", cases[i].s, cases[i].hash_bits);
        if (cases[i].ok) ck_assert_msg(v == cases[i].v, "offset '%s' = %llu", cases[i].s, (unsigned long long)v);
    }
    /* The limit follows max_bytes (proto-max-bulk-len). */
    uint64_t v;
    ck_assert_int_eq(bitfield_parse_offset("8388607", 7, 0, 1024 * 1024, &v), 0);
    ck_assert_int_eq(bitfield_parse_offset("8388608", 7, 0, 1024 * 1024, &v), -1);
}
END_TEST

START_TEST(test_range) {
    /* A 4-byte string; expected [first,last] bit ranges or empty (-1). */
    static const struct { long long s, e; int bits; long long first, last; } cases[] = {
        {0, -1, 0, 0, 31},
        {0, 0, 0, 0, 7},
        {1, 2, 0, 8, 23},
        {-1, -1, 0, 24, 31},
        {-2, -1, 0, 16, 31},
        {-1, -2, 0, -1, -1},
        {1, 0, 0, -1, -1},
        {0, 100, 0, 0, 31},
        {-100, 100, 0, 0, 31},
        {-100, -50, 0, 0, 7}, /* both clamp to byte 0 */
        {4, 100, 0, -1, -1},
        {LLONG_MIN, LLONG_MAX, 0, 0, 31},
        {LLONG_MAX, LLONG_MAX, 0, -1, -1},
        {0, -1, 1, 0, 31},
        {4, 11, 1, 4, 11},
        {5, 3, 1, -1, -1},
        {-4, -1, 1, 28, 31},
        {27, 100, 1, 27, 31},
        {32, 40, 1, -1, -1},
        {LLONG_MIN, -1, 1, 0, 31},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t f = 0, l = 0;
        int ok = bitfield_range(cases[i].s, cases[i].e, 4, cases[i].bits, &f, &l);
        ck_assert_msg(ok == (cases[i].first >= 0), "range %lld %lld bits=%d", cases[i].s, cases[i].e, cases[i].bits);
        if (ok) {
            ck_assert_uint_eq(f, (uint64_t)cases[i].first);
            ck_assert_uint_eq(l, (uint64_t)cases[i].last);
        }
    }
    uint64_t f, l;
    ck_assert_int_eq(bitfield_range(0, -1, 0, 0, &f, &l), 0); /* empty string */
    ck_assert_int_eq(bitfield_range(0, 0, 0, 1, &f, &l), 0);
}
END_TEST

/* ------------------------------------------------------------ fields */

START_TEST(test_get_fields) {
    /* Values Redis 7.0 returns for BITFIELD GET on "\xff\xf0\x00\x0f". */
    static const unsigned char s[] = {0xff, 0xf0, 0x00, 0x0f};
    ck_assert_uint_eq(bitfield_get_unsigned(s, 4, 0, 8), 255);
    ck_assert_int_eq(bitfield_get_signed(s, 4, 0, 8), -1);
    ck_assert_uint_eq(bitfield_get_unsigned(s, 4, 4, 8), 255);  /* across a byte boundary */
    ck_assert_uint_eq(bitfield_get_unsigned(s, 4, 8, 8), 0xf0);
    ck_assert_int_eq(bitfield_get_signed(s, 4, 8, 8), -16);
    ck_assert_uint_eq(bitfield_get_unsigned(s, 4, 10, 4), 0xc);
    ck_assert_int_eq(bitfield_get_signed(s, 4, 10, 4), -4);
    ck_assert_uint_eq(bitfield_get_unsigned(s, 4, 0, 32), 0xfff0000fULL);
    ck_assert_int_eq(bitfield_get_signed(s, 4, 0, 32), (int32_t)0xfff0000f);
    ck_assert_uint_eq(bitfield_get_unsigned(s, 4, 28, 8), 0xf0); /* bits past the end read 0 */
    ck_assert_uint_eq(bitfield_get_unsigned(s, 4, 32, 63), 0);
    ck_assert_int_eq(bitfield_get_signed(s, 4, 0, 64), (int64_t)0xfff0000f00000000ULL);
    ck_assert_uint_eq(bitfield_get_unsigned(s, 4, 0, 1), 1);
    ck_assert_int_eq(bitfield_get_signed(s, 4, 0, 1), -1);
    ck_assert_int_eq(bitfield_get_signed(s, 4, 8, 1), -1);
    ck_assert_int_eq(bitfield_get_signed(s, 4, 12, 1), 0);
    ck_assert_uint_eq(bitfield_get_unsigned(NULL, 0, 100, 64), 0);
}
END_TEST

START_TEST(test_set_fields) {
    unsigned char s[16] = {0};
    /* BITFIELD k SET i5 3 -3 on a zeroed string stores 0b11101 at bits
     * 3..7: byte 0 becomes 0x1d. */
    bitfield_set(s, 3, 5, (uint64_t)-3);
    ck_assert_uint_eq(s[0], 0x1d);
    ck_assert_int_eq(bitfield_get_signed(s, 16, 3, 5), -3);
    ck_assert_uint_eq(bitfield_get_unsigned(s, 16, 3, 5), 29);
    /* 13 bits at offset 100 (byte 12, bit 4): -1000 -> u13 7192. */
    bitfield_set(s, 100, 13, (uint64_t)-1000);
    ck_assert_int_eq(bitfield_get_signed(s, 16, 100, 13), -1000);
    ck_assert_uint_eq(bitfield_get_unsigned(s, 16, 100, 13), 7192);
    ck_assert_uint_eq(s[11], 0);
    /* Only the low bits are written; neighbours untouched. */
    memset(s, 0xff, sizeof(s));
    bitfield_set(s, 6, 4, 0x30); /* low 4 bits: 0 */
    ck_assert_uint_eq(s[0], 0xfc);
    ck_assert_uint_eq(s[1], 0x3f);
    ck_assert_uint_eq(s[2], 0xff);
    /* A 64-bit field at an odd offset spans 9 bytes. */
    memset(s, 0, sizeof(s));
    bitfield_set(s, 3, 64, UINT64_MAX);
    ck_assert_uint_eq(s[0], 0x1f);
    for (int i = 1; i < 8; i++) ck_assert_uint_eq(s[i], 0xff);
    ck_assert_uint_eq(s[8], 0xe0);
    ck_assert_uint_eq(s[9], 0);
    ck_assert_int_eq(bitfield_get_signed(s, 16, 3, 64), -1);
    ck_assert_uint_eq(bitfield_get_unsigned(s, 16, 3, 63), (UINT64_C(1) << 63) - 1);
}
END_TEST

/* Every width at every offset within two bytes, against a bit-by-bit
 * reference: set writes exactly the field, get reads it back with the
 * right sign, and no other bit moves. */
START_TEST(test_fields_random) {
    unsigned char buf[24], before[24];
    for (int bits = 1; bits <= 64; bits++) {
        for (uint64_t off = 0; off < 16; off++) {
            fill_random(buf, sizeof(buf));
            memcpy(before, buf, sizeof(buf));
            uint64_t v = rng();
            bitfield_set(buf, off, bits, v);
            for (uint64_t pos = 0; pos < sizeof(buf) * 8; pos++) {
                int want = pos >= off && pos < off + (uint64_t)bits
                               ? (int)((v >> (bits - 1 - (int)(pos - off))) & 1)
                               : ref_bit(before, sizeof(before), pos);
                ck_assert_msg(ref_bit(buf, sizeof(buf), pos) == want, "bits=%d off=%llu pos=%llu", bits,
                              (unsigned long long)off, (unsigned long long)pos);
            }
            uint64_t mask = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
            ck_assert_uint_eq(bitfield_get_unsigned(buf, sizeof(buf), off, bits), v & mask);
            int64_t sv = bitfield_get_signed(buf, sizeof(buf), off, bits);
            int neg = (v >> (bits - 1)) & 1;
            ck_assert_int_eq(sv < 0, neg);
            ck_assert_uint_eq((uint64_t)sv & mask, v & mask);
        }
    }
}
END_TEST

/* ------------------------------------------------------------ overflow */

struct uadd_case {
    uint64_t value;
    int64_t incr;
    int bits;
    int dir;
    uint64_t wrap, sat;
};

START_TEST(test_add_unsigned) {
    static const struct uadd_case cases[] = {
        {0, 300, 8, BITFIELD_ABOVE, 44, 255},
        {0, 255, 8, BITFIELD_IN_RANGE, 255, 255},
        {255, 1, 8, BITFIELD_ABOVE, 0, 255},
        {0, -1, 8, BITFIELD_BELOW, 255, 0},
        {1, -1, 8, BITFIELD_IN_RANGE, 0, 0},
        {5, -1000, 8, BITFIELD_BELOW, (5 - 1000) & 255, 0},
        {UINT64_MAX, 0, 8, BITFIELD_ABOVE, 255, 255},  /* SET u8 -1 */
        {256, 0, 8, BITFIELD_ABOVE, 0, 255},           /* SET u8 256 */
        {0, 1, 1, BITFIELD_IN_RANGE, 1, 1},
        {1, 1, 1, BITFIELD_ABOVE, 0, 1},
        {(UINT64_C(1) << 63) - 1, 1, 63, BITFIELD_ABOVE, 0, (UINT64_C(1) << 63) - 1},
        {0, INT64_MAX, 63, BITFIELD_IN_RANGE, (UINT64_C(1) << 63) - 1, (UINT64_C(1) << 63) - 1},
        {1, INT64_MAX, 63, BITFIELD_ABOVE, 0, (UINT64_C(1) << 63) - 1},
        {(UINT64_C(1) << 63) - 1, INT64_MIN, 63, BITFIELD_BELOW, (UINT64_C(1) << 63) - 1, 0},
        {UINT64_C(1) << 63, 0, 63, BITFIELD_ABOVE, 0, (UINT64_C(1) << 63) - 1}, /* SET u63 -2^63 */
        {UINT64_MAX, 0, 63, BITFIELD_ABOVE, (UINT64_C(1) << 63) - 1, (UINT64_C(1) << 63) - 1},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct uadd_case *t = &cases[i];
        uint64_t r;
        ck_assert_int_eq(bitfield_add_unsigned(t->value, t->incr, t->bits, BITFIELD_WRAP, &r), t->dir);
        ck_assert_msg(r == t->wrap, "case %zu wrap %llu", i, (unsigned long long)r);
        ck_assert_int_eq(bitfield_add_unsigned(t->value, t->incr, t->bits, BITFIELD_SAT, &r), t->dir);
        ck_assert_msg(r == t->sat, "case %zu sat %llu", i, (unsigned long long)r);
        ck_assert_int_eq(bitfield_add_unsigned(t->value, t->incr, t->bits, BITFIELD_FAIL, &r), t->dir);
        if (t->dir == BITFIELD_IN_RANGE) ck_assert_uint_eq(r, t->wrap);
        else ck_assert_uint_eq(r, t->value);
    }
}
END_TEST

struct sadd_case {
    int64_t value, incr;
    int bits;
    int dir;
    int64_t wrap, sat;
};

START_TEST(test_add_signed) {
    static const struct sadd_case cases[] = {
        {127, 1, 8, BITFIELD_ABOVE, -128, 127},
        {-128, -1, 8, BITFIELD_BELOW, 127, -128},
        {128, 0, 8, BITFIELD_ABOVE, -128, 127},  /* SET i8 128 */
        {-129, 0, 8, BITFIELD_BELOW, 127, -128}, /* SET i8 -129 */
        {-128, 0, 8, BITFIELD_IN_RANGE, -128, -128},
        {-128, 255, 8, BITFIELD_IN_RANGE, 127, 127},
        {-128, 256, 8, BITFIELD_ABOVE, -128, 127},
        {0, -200, 8, BITFIELD_BELOW, 56, -128},
        {0, INT64_MIN, 8, BITFIELD_BELOW, 0, -128},
        {0, 1, 1, BITFIELD_ABOVE, -1, 0}, /* i1 holds -1..0 */
        {-1, 1, 1, BITFIELD_IN_RANGE, 0, 0},
        {-1, -1, 1, BITFIELD_BELOW, 0, -1},
        {INT64_MIN, -1, 64, BITFIELD_BELOW, INT64_MAX, INT64_MIN},
        {INT64_MAX, 1, 64, BITFIELD_ABOVE, INT64_MIN, INT64_MAX},
        {-1, INT64_MIN, 64, BITFIELD_BELOW, INT64_MAX, INT64_MIN},
        {INT64_MAX - 1, 1, 64, BITFIELD_IN_RANGE, INT64_MAX, INT64_MAX},
        {-1, INT64_MAX, 64, BITFIELD_IN_RANGE, INT64_MAX - 1, INT64_MAX - 1},
        {(INT64_C(1) << 62) - 1, 1, 63, BITFIELD_ABOVE, -(INT64_C(1) << 62), (INT64_C(1) << 62) - 1},
        {INT64_C(1) << 62, 0, 63, BITFIELD_ABOVE, -(INT64_C(1) << 62), (INT64_C(1) << 62) - 1},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct sadd_case *t = &cases[i];
        int64_t r;
        ck_assert_int_eq(bitfield_add_signed(t->value, t->incr, t->bits, BITFIELD_WRAP, &r), t->dir);
        ck_assert_msg(r == t->wrap, "case %zu wrap %lld", i, (long long)r);
        ck_assert_int_eq(bitfield_add_signed(t->value, t->incr, t->bits, BITFIELD_SAT, &r), t->dir);
        ck_assert_msg(r == t->sat, "case %zu sat %lld", i, (long long)r);
        ck_assert_int_eq(bitfield_add_signed(t->value, t->incr, t->bits, BITFIELD_FAIL, &r), t->dir);
        if (t->dir == BITFIELD_IN_RANGE) ck_assert_int_eq(r, t->wrap);
        else ck_assert_int_eq(r, t->value);
    }
}
END_TEST

/* ------------------------------------------------------------ strings */

static uint64_t ref_count(const unsigned char *p, uint64_t first, uint64_t last) {
    uint64_t n = 0;
    for (uint64_t i = first; i <= last; i++) n += (uint64_t)ref_bit(p, (last >> 3) + 1, i);
    return n;
}

START_TEST(test_popcount) {
    static const unsigned char k[] = {0xff, 0xf0, 0x00, 0x0f};
    ck_assert_uint_eq(bitfield_popcount(k, 4), 16);
    ck_assert_uint_eq(bitfield_popcount_portable(k, 4), 16);
    ck_assert_uint_eq(bitfield_popcount(k, 0), 0);
    ck_assert_uint_eq(bitfield_popcount("9999", 4), 16); /* BITCOUNT of INT 9999 */
    unsigned char buf[RANDOM_BUF_BYTES];
    for (int round = 0; round < RANDOM_ROUNDS / 10; round++) {
        fill_random(buf, sizeof(buf));
        size_t start = rng() % 16, len = rng() % (sizeof(buf) - start); /* unaligned starts */
        uint64_t want = len ? ref_count(buf + start, 0, len * 8 - 1) : 0;
        ck_assert_uint_eq(bitfield_popcount(buf + start, len), want);
        ck_assert_uint_eq(bitfield_popcount_portable(buf + start, len), want);
    }
    memset(buf, 0xff, sizeof(buf));
    ck_assert_uint_eq(bitfield_popcount(buf, sizeof(buf)), sizeof(buf) * 8);
    ck_assert_uint_eq(bitfield_popcount_portable(buf, sizeof(buf)), sizeof(buf) * 8);
}
END_TEST

START_TEST(test_count_range) {
    static const unsigned char k[] = {0xff, 0xf0, 0x00, 0x0f};
    ck_assert_uint_eq(bitfield_count_range(k, 0, 31), 16);
    ck_assert_uint_eq(bitfield_count_range(k, 4, 11), 8);
    ck_assert_uint_eq(bitfield_count_range(k, 0, 0), 1);
    ck_assert_uint_eq(bitfield_count_range(k, 11, 12), 1);
    ck_assert_uint_eq(bitfield_count_range(k, 28, 31), 4);
    ck_assert_uint_eq(bitfield_count_range(k, 12, 27), 0);
    unsigned char buf[RANDOM_BUF_BYTES];
    fill_random(buf, sizeof(buf));
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        uint64_t a = rng() % (sizeof(buf) * 8), b = rng() % (sizeof(buf) * 8);
        if (a > b) { uint64_t t = a; a = b; b = t; }
        ck_assert_uint_eq(bitfield_count_range(buf, a, b), ref_count(buf, a, b));
    }
}
END_TEST

static long long ref_find(const unsigned char *p, uint64_t first, uint64_t last, int bit) {
    for (uint64_t i = first; i <= last; i++)
        if (ref_bit(p, (last >> 3) + 1, i) == bit) return (long long)i;
    return -1;
}

START_TEST(test_find) {
    static const unsigned char k[] = {0xff, 0xf0, 0x00, 0x0f};
    ck_assert_int_eq(bitfield_find(k, 0, 31, 0), 12);
    ck_assert_int_eq(bitfield_find(k, 0, 31, 1), 0);
    ck_assert_int_eq(bitfield_find(k, 16, 31, 1), 28);
    ck_assert_int_eq(bitfield_find(k, 8, 11, 0), -1);
    ck_assert_int_eq(bitfield_find(k, 27, 27, 1), -1);
    ck_assert_int_eq(bitfield_find(k, 28, 28, 1), 28);
    /* Long runs exercise the word skip; the hit lands in every position. */
    unsigned char buf[RANDOM_BUF_BYTES];
    for (int bit = 0; bit <= 1; bit++) {
        for (uint64_t hit = 0; hit < 200; hit += 7) {
            memset(buf, bit ? 0x00 : 0xff, sizeof(buf));
            buf[hit >> 3] ^= (unsigned char)(0x80 >> (hit & 7));
            ck_assert_int_eq(bitfield_find(buf, 0, sizeof(buf) * 8 - 1, bit), (long long)hit);
            ck_assert_int_eq(bitfield_find(buf, hit, hit, bit), (long long)hit);
            if (hit) ck_assert_int_eq(bitfield_find(buf, 0, hit - 1, bit), -1);
            ck_assert_int_eq(bitfield_find(buf, hit + 1, sizeof(buf) * 8 - 1, bit), -1);
        }
    }
    /* Random sparse data against the reference. */
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (rng() % 64 == 0) ? (unsigned char)rng() : 0;
        if (round & 1)
            for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (unsigned char)~buf[i];
        uint64_t a = rng() % (sizeof(buf) * 8), b = rng() % (sizeof(buf) * 8);
        if (a > b) { uint64_t t = a; a = b; b = t; }
        int bit = (int)(rng() & 1);
        ck_assert_int_eq(bitfield_find(buf, a, b, bit), ref_find(buf, a, b, bit));
    }
}
END_TEST

static void ref_combine(bitfield_op op, unsigned char *dst, size_t len, const unsigned char *const *src,
                        const size_t *src_len, size_t n) {
    for (size_t i = 0; i < len; i++) {
        unsigned v = i < src_len[0] ? src[0][i] : 0;
        if (op == BITFIELD_OP_NOT) v = ~v & 0xff;
        for (size_t j = 1; j < n; j++) {
            unsigned b = i < src_len[j] ? src[j][i] : 0;
            if (op == BITFIELD_OP_AND) v &= b;
            else if (op == BITFIELD_OP_OR) v |= b;
            else v ^= b;
        }
        dst[i] = (unsigned char)v;
    }
}

START_TEST(test_combine) {
    /* Redis 7.0: a="\x01\x02\x03" b="\xff". */
    static const unsigned char a[] = {1, 2, 3}, b[] = {0xff};
    const unsigned char *src[] = {a, b};
    size_t lens[] = {3, 1};
    unsigned char out[3];
    bitfield_combine(BITFIELD_OP_AND, out, 3, src, lens, 2);
    ck_assert_mem_eq(out, "\x01\x00\x00", 3);
    bitfield_combine(BITFIELD_OP_OR, out, 3, src, lens, 2);
    ck_assert_mem_eq(out, "\xff\x02\x03", 3);
    bitfield_combine(BITFIELD_OP_XOR, out, 3, src, lens, 2);
    ck_assert_mem_eq(out, "\xfe\x02\x03", 3);
    bitfield_combine(BITFIELD_OP_NOT, out, 3, src, lens, 1);
    ck_assert_mem_eq(out, "\xfe\xfd\xfc", 3);
    /* A missing key is a zero-length source. */
    const unsigned char *src2[] = {NULL, a};
    size_t lens2[] = {0, 3};
    bitfield_combine(BITFIELD_OP_OR, out, 3, src2, lens2, 2);
    ck_assert_mem_eq(out, "\x01\x02\x03", 3);
    bitfield_combine(BITFIELD_OP_AND, out, 3, src2, lens2, 2);
    ck_assert_mem_eq(out, "\x00\x00\x00", 3);

    enum { NSRC = 4, MAXLEN = 100 };
    unsigned char data[NSRC][MAXLEN], got[MAXLEN], want[MAXLEN];
    for (int round = 0; round < RANDOM_ROUNDS / 4; round++) {
        const unsigned char *s[NSRC];
        size_t l[NSRC], n = 1 + rng() % NSRC, maxlen = 0;
        bitfield_op op = (bitfield_op)(rng() % 4);
        if (op == BITFIELD_OP_NOT) n = 1;
        for (size_t j = 0; j < n; j++) {
            fill_random(data[j], MAXLEN);
            s[j] = data[j];
            l[j] = rng() % MAXLEN;
            if (l[j] > maxlen) maxlen = l[j];
        }
        if (maxlen == 0) continue;
        memset(got, 0xaa, sizeof(got));
        bitfield_combine(op, got, maxlen, s, l, n);
        ref_combine(op, want, maxlen, s, l, n);
        ck_assert_mem_eq(got, want, maxlen);
        if (maxlen < MAXLEN) ck_assert_uint_eq(got[maxlen], 0xaa); /* nothing written past len */
    }
}
END_TEST

static Suite *bitops_suite(void) {
    Suite *s = suite_create("bitfield");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_parse_type);
    tcase_add_test(tc, test_parse_offset);
    tcase_add_test(tc, test_range);
    suite_add_tcase(s, tc);
    tc = tcase_create("fields");
    tcase_add_test(tc, test_get_fields);
    tcase_add_test(tc, test_set_fields);
    tcase_add_test(tc, test_fields_random);
    suite_add_tcase(s, tc);
    tc = tcase_create("overflow");
    tcase_add_test(tc, test_add_unsigned);
    tcase_add_test(tc, test_add_signed);
    suite_add_tcase(s, tc);
    tc = tcase_create("strings");
    tcase_add_test(tc, test_popcount);
    tcase_add_test(tc, test_count_range);
    tcase_add_test(tc, test_find);
    tcase_add_test(tc, test_combine);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(bitops_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
