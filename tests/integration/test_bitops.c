/* test_bitops.c -- integration tests for SETBIT GETBIT BITCOUNT BITPOS
 * BITOP BITFIELD BITFIELD_RO: success paths, arity, bad arguments, and the
 * edges (offset 0, the proto-max-bulk-len bit limit refused without
 * creating anything, negative ranges, empty and missing keys, BITOP over
 * missing keys and unequal lengths, BITFIELD's nil under OVERFLOW FAIL).
 *
 * Expected replies are Redis 7.0's (checked against redis-server). One
 * server per test. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ERR_OFFSET "ERR bit offset is not an integer or out of range"
#define ERR_BIT "ERR bit is not an integer or out of range"
#define ERR_TYPE "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
#define SYNTAX "ERR syntax error"
#define NOT_INT "ERR value is not an integer or out of range"
/* The smallest proto-max-bulk-len Redis accepts: 1 MB, i.e. 2^23 bits. */
#define SMALL_BULK_LIMIT "1mb"
#define SMALL_LIMIT_BITS (1024LL * 1024 * 8)
#define BIG_STRING_BYTES (4 * 1024 * 1024)

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

/* SET key to len binary bytes. */
static void set_bin(const char *key, const char *val, size_t len) {
    const char *argv[] = {"SET", key, val};
    size_t lens[] = {3, strlen(key), len};
    redisReply *r = hs_command_argv(ctx, 3, argv, lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
}

/* GET key must return exactly len bytes of want. */
static void expect_get_bin(const char *key, const char *want, size_t len) {
    redisReply *r = hs_command(ctx, HS_ARGS("GET", key));
    HS_CHECK_BULK(r, want, len);
    freeReplyObject(r);
}

/* r must be an array of n integers; nil where want_nil[i] is set. */
static void check_int_array(const redisReply *r, size_t n, const long long *want, const int *want_nil) {
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, n);
    for (size_t i = 0; i < n; i++) {
        if (want_nil && want_nil[i]) {
            ck_assert_msg(r->element[i]->type == REDIS_REPLY_NIL, "element %zu not nil", i);
            continue;
        }
        ck_assert_msg(r->element[i]->type == REDIS_REPLY_INTEGER, "element %zu type %d", i, r->element[i]->type);
        ck_assert_msg(r->element[i]->integer == want[i], "element %zu: %lld != %lld", i, r->element[i]->integer,
                      want[i]);
    }
}

#define EXPECT_INTS(nil, ...)                                                    \
    do {                                                                         \
        static const long long want_[] = {__VA_ARGS__};                          \
        check_int_array(r, sizeof(want_) / sizeof(want_[0]), want_, nil);        \
        freeReplyObject(r);                                                      \
    } while (0)

/* ---------------------------------------------------------- SETBIT GETBIT */

START_TEST(test_setbit_getbit) {
    HS_EXPECT_INT(ctx, 0, "SETBIT", "k", "0", "1");
    expect_get_bin("k", "\x80", 1);
    HS_EXPECT_INT(ctx, 1, "SETBIT", "k", "0", "1");
    HS_EXPECT_INT(ctx, 1, "SETBIT", "k", "0", "0");
    HS_EXPECT_INT(ctx, 0, "SETBIT", "k", "7", "1");
    HS_EXPECT_INT(ctx, 0, "SETBIT", "k", "9", "1");
    expect_get_bin("k", "\x01\x40", 2);
    HS_EXPECT_INT(ctx, 1, "GETBIT", "k", "7");
    HS_EXPECT_INT(ctx, 0, "GETBIT", "k", "8");
    HS_EXPECT_INT(ctx, 1, "GETBIT", "k", "9");
    HS_EXPECT_INT(ctx, 0, "GETBIT", "k", "1000000");
    HS_EXPECT_INT(ctx, 0, "GETBIT", "nokey", "0");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nokey");
    /* growth zero-fills */
    HS_EXPECT_INT(ctx, 0, "SETBIT", "g", "23", "1");
    expect_get_bin("g", "\x00\x00\x01", 3);
    /* the empty key name is a key like any other */
    HS_EXPECT_INT(ctx, 0, "SETBIT", "", "1", "1");
    expect_get_bin("", "\x40", 1);
    HS_EXPECT_ARITY(ctx, "setbit", "SETBIT", "k", "1");
    HS_EXPECT_ARITY(ctx, "setbit", "SETBIT", "k", "1", "1", "1");
    HS_EXPECT_ARITY(ctx, "getbit", "GETBIT", "k");
    HS_EXPECT_ARITY(ctx, "getbit", "GETBIT", "k", "1", "2");
}
END_TEST

START_TEST(test_setbit_bad_args) {
    static const char *const bad_offsets[] = {"-1", "abc", "", "+1", "01", " 1", "1.5", "#1",
                                              "4294967296", "9223372036854775807", "18446744073709551616"};
    for (size_t i = 0; i < sizeof(bad_offsets) / sizeof(bad_offsets[0]); i++) {
        HS_EXPECT_ERROR(ctx, ERR_OFFSET, "SETBIT", "k", bad_offsets[i], "1");
        HS_EXPECT_ERROR(ctx, ERR_OFFSET, "GETBIT", "k", bad_offsets[i]);
    }
    static const char *const bad_bits[] = {"2", "-1", "-0", "00", "01", "1.0", "", "x", " 1"};
    for (size_t i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++)
        HS_EXPECT_ERROR(ctx, ERR_BIT, "SETBIT", "k", "1", bad_bits[i]);
    /* the offset is checked first; nothing was created */
    HS_EXPECT_ERROR(ctx, ERR_OFFSET, "SETBIT", "k", "abc", "2");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "k");
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
}
END_TEST

/* The last bit of the 512 MB limit is readable without allocating, and
 * the first bit past it is refused before any key is touched. */
START_TEST(test_setbit_limit_default) {
    HS_EXPECT_INT(ctx, 0, "GETBIT", "nokey", "4294967295");
    HS_EXPECT_ERROR(ctx, ERR_OFFSET, "SETBIT", "big", "4294967296", "1");
    HS_EXPECT_ERROR(ctx, ERR_OFFSET, "BITFIELD", "big", "SET", "u8", "4294967296", "1");
    HS_EXPECT_ERROR(ctx, ERR_OFFSET, "BITFIELD", "big", "SET", "u8", "#536870912", "1");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "big");
    redisReply *r = hs_command(ctx, HS_ARGS("BITFIELD", "nokey", "GET", "u8", "4294967295"));
    EXPECT_INTS(NULL, 0);
    HS_EXPECT_INT(ctx, 0, "DBSIZE");
}
END_TEST

/* With proto-max-bulk-len at 1 MB the last bit is settable (the string
 * grows to exactly 1 MB) and the next one is refused. */
START_TEST(test_setbit_limit_configured) {
    hs_server *s = hs_start(HS_ARGS("--proto-max-bulk-len", SMALL_BULK_LIMIT));
    redisContext *c = hs_connect(s);
    char last[32], past[32];
    snprintf(last, sizeof(last), "%lld", SMALL_LIMIT_BITS - 1);
    snprintf(past, sizeof(past), "%lld", SMALL_LIMIT_BITS);
    HS_EXPECT_ERROR(c, ERR_OFFSET, "SETBIT", "k", past, "1");
    HS_EXPECT_INT(c, 0, "EXISTS", "k");
    HS_EXPECT_INT(c, 0, "SETBIT", "k", last, "1");
    HS_EXPECT_INT(c, 1, "GETBIT", "k", last);
    HS_EXPECT_INT(c, 1, "BITCOUNT", "k");
    HS_EXPECT_INT(c, SMALL_LIMIT_BITS - 1, "BITPOS", "k", "1");
    redisReply *r = hs_command(c, HS_ARGS("GET", "k"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_uint_eq(r->len, SMALL_LIMIT_BITS / 8);
    ck_assert_int_eq((unsigned char)r->str[r->len - 1], 1);
    freeReplyObject(r);
    HS_EXPECT_ERROR(c, ERR_OFFSET, "GETBIT", "k", past);
    HS_EXPECT_ERROR(c, ERR_OFFSET, "BITFIELD", "k", "GET", "u8", "#1048576");
    r = hs_command(c, HS_ARGS("BITFIELD", "k", "GET", "u8", "#1048575"));
    EXPECT_INTS(NULL, 1);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* Integer-valued strings are bits of their decimal text; writing turns
 * them into a plain string. */
START_TEST(test_setbit_on_integer_value) {
    HS_EXPECT_OK(ctx, "SET", "n", "5");
    HS_EXPECT_INT(ctx, 1, "GETBIT", "n", "2"); /* '5' = 0x35 = 00110101 */
    HS_EXPECT_INT(ctx, 0, "GETBIT", "n", "1");
    HS_EXPECT_INT(ctx, 0, "SETBIT", "n", "0", "1");
    expect_get_bin("n", "\xb5", 1);
    /* the shared integer 5 itself must be untouched */
    HS_EXPECT_OK(ctx, "SET", "m", "5");
    HS_EXPECT_BULK(ctx, "5", "GET", "m");
    HS_EXPECT_OK(ctx, "SET", "n", "12345");
    HS_EXPECT_INT(ctx, 0, "SETBIT", "n", "44", "1");
    expect_get_bin("n", "12345\x08", 6);
    HS_EXPECT_OK(ctx, "SET", "e", "hello");
    HS_EXPECT_INT(ctx, 0, "SETBIT", "e", "7", "1");
    HS_EXPECT_BULK(ctx, "iello", "GET", "e");
}
END_TEST

/* ---------------------------------------------------------- BITCOUNT */

START_TEST(test_bitcount) {
    set_bin("k", "\xff\xf0\x00\x0f", 4);
    HS_EXPECT_INT(ctx, 16, "BITCOUNT", "k");
    HS_EXPECT_INT(ctx, 16, "BITCOUNT", "k", "0", "-1");
    HS_EXPECT_INT(ctx, 4, "BITCOUNT", "k", "1", "1");
    HS_EXPECT_INT(ctx, 4, "BITCOUNT", "k", "-2", "-1");
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "k", "-1", "-2"); /* both negative, reversed */
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "k", "-100", "-200");
    HS_EXPECT_INT(ctx, 8, "BITCOUNT", "k", "-100", "-50"); /* both clamp to byte 0 */
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "k", "1", "0");
    HS_EXPECT_INT(ctx, 16, "BITCOUNT", "k", "0", "100");
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "k", "4", "100");
    HS_EXPECT_INT(ctx, 8, "BITCOUNT", "k", "4", "11", "BIT");
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "k", "4", "11", "byte");
    HS_EXPECT_INT(ctx, 1, "BITCOUNT", "k", "11", "12", "bit");
    HS_EXPECT_INT(ctx, 4, "BITCOUNT", "k", "-4", "-1", "bit");
    HS_EXPECT_INT(ctx, 16, "BITCOUNT", "k", "-9223372036854775808", "9223372036854775807");
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "k", "9223372036854775807", "9223372036854775807", "bit");
    /* missing key: 0 whatever the arguments (7.0) */
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "nokey");
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "nokey", "0");
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "nokey", "a", "b", "c");
    /* empty string and integer value */
    HS_EXPECT_OK(ctx, "SET", "e", "");
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "e");
    HS_EXPECT_INT(ctx, 0, "BITCOUNT", "e", "0", "-1");
    HS_EXPECT_OK(ctx, "SET", "n", "9999");
    HS_EXPECT_INT(ctx, 16, "BITCOUNT", "n");
    /* errors: a start without an end is a syntax error in 7.0 */
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITCOUNT", "k", "0");
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITCOUNT", "k", "0", "-1", "bits");
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITCOUNT", "k", "0", "-1", "bit", "x");
    HS_EXPECT_ERROR(ctx, NOT_INT, "BITCOUNT", "k", "a", "b");
    HS_EXPECT_ERROR(ctx, NOT_INT, "BITCOUNT", "k", "0", "b", "bits");
    HS_EXPECT_ARITY(ctx, "bitcount", "BITCOUNT");
}
END_TEST

/* A large string: the word-at-a-time count must agree with the pattern. */
START_TEST(test_bitcount_big) {
    char *buf = malloc(BIG_STRING_BYTES);
    for (size_t i = 0; i < BIG_STRING_BYTES; i++) buf[i] = (char)(i & 0xff);
    set_bin("big", buf, BIG_STRING_BYTES);
    free(buf);
    /* each run of 256 bytes holds every byte value once: 1024 bits */
    HS_EXPECT_INT(ctx, (long long)BIG_STRING_BYTES / 256 * 1024, "BITCOUNT", "big");
    HS_EXPECT_INT(ctx, 1024, "BITCOUNT", "big", "256", "511");
    /* bits of bytes 258..511: every byte value but 0x00 and 0x01 */
    HS_EXPECT_INT(ctx, 1024 - 1, "BITCOUNT", "big", "2064", "4095", "bit");
    /* byte 256 is 0x00, byte 257 is 0x01: its last bit */
    HS_EXPECT_INT(ctx, 257 * 8 + 7, "BITPOS", "big", "1", "256");
    HS_EXPECT_INT(ctx, 256 * 8, "BITPOS", "big", "0", "255");
}
END_TEST

/* ---------------------------------------------------------- BITPOS */

START_TEST(test_bitpos) {
    set_bin("k", "\xff\xf0\x00\x0f", 4);
    HS_EXPECT_INT(ctx, 12, "BITPOS", "k", "0");
    HS_EXPECT_INT(ctx, 0, "BITPOS", "k", "1");
    HS_EXPECT_INT(ctx, 16, "BITPOS", "k", "0", "2");
    HS_EXPECT_INT(ctx, 28, "BITPOS", "k", "1", "2");
    HS_EXPECT_INT(ctx, -1, "BITPOS", "k", "0", "0", "0");
    HS_EXPECT_INT(ctx, -1, "BITPOS", "k", "0", "8", "11", "bit");
    HS_EXPECT_INT(ctx, 12, "BITPOS", "k", "0", "8", "12", "bit");
    HS_EXPECT_INT(ctx, 28, "BITPOS", "k", "1", "-4", "-1", "BIT");
    HS_EXPECT_INT(ctx, -1, "BITPOS", "k", "0", "100");
    HS_EXPECT_INT(ctx, 0, "BITPOS", "k", "1", "-100", "-200"); /* no reversed-range rule here */
    /* a clear bit past the end counts only when no end was given */
    set_bin("ones", "\xff\xff", 2);
    HS_EXPECT_INT(ctx, 16, "BITPOS", "ones", "0");
    HS_EXPECT_INT(ctx, 16, "BITPOS", "ones", "0", "1");
    HS_EXPECT_INT(ctx, -1, "BITPOS", "ones", "0", "0", "-1");
    HS_EXPECT_INT(ctx, -1, "BITPOS", "ones", "0", "3", "15", "bit");
    /* missing key: endless zeros; empty string: nothing at all */
    HS_EXPECT_INT(ctx, 0, "BITPOS", "nokey", "0");
    HS_EXPECT_INT(ctx, -1, "BITPOS", "nokey", "1");
    HS_EXPECT_INT(ctx, 0, "BITPOS", "nokey", "0", "junk");
    HS_EXPECT_OK(ctx, "SET", "e", "");
    HS_EXPECT_INT(ctx, -1, "BITPOS", "e", "0");
    HS_EXPECT_INT(ctx, -1, "BITPOS", "e", "1");
    /* errors */
    HS_EXPECT_ERROR(ctx, "ERR The bit argument must be 1 or 0.", "BITPOS", "k", "2");
    HS_EXPECT_ERROR(ctx, "ERR The bit argument must be 1 or 0.", "BITPOS", "nokey", "-1");
    HS_EXPECT_ERROR(ctx, NOT_INT, "BITPOS", "k", "x");
    HS_EXPECT_ERROR(ctx, NOT_INT, "BITPOS", "k", "0", "12", "bit"); /* 5th argument is the end */
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITPOS", "k", "0", "0", "0", "bits");
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITPOS", "k", "0", "0", "x", "bits");
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITPOS", "k", "0", "0", "0", "0", "0");
    HS_EXPECT_ARITY(ctx, "bitpos", "BITPOS", "k");
}
END_TEST

/* ---------------------------------------------------------- BITOP */

START_TEST(test_bitop) {
    set_bin("a", "\x01\x02\x03", 3);
    set_bin("b", "\xff", 1);
    HS_EXPECT_INT(ctx, 3, "BITOP", "AND", "d", "a", "b");
    expect_get_bin("d", "\x01\x00\x00", 3);
    HS_EXPECT_INT(ctx, 3, "BITOP", "or", "d", "a", "b", "nokey");
    expect_get_bin("d", "\xff\x02\x03", 3);
    HS_EXPECT_INT(ctx, 3, "BITOP", "Xor", "d", "a", "b");
    expect_get_bin("d", "\xfe\x02\x03", 3);
    HS_EXPECT_INT(ctx, 3, "BITOP", "NOT", "d", "a");
    expect_get_bin("d", "\xfe\xfd\xfc", 3);
    HS_EXPECT_INT(ctx, 3, "BITOP", "AND", "d", "a", "nokey");
    expect_get_bin("d", "\x00\x00\x00", 3);
    /* an empty result deletes the destination */
    HS_EXPECT_INT(ctx, 0, "BITOP", "AND", "d", "nokey1", "nokey2");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d");
    HS_EXPECT_OK(ctx, "SET", "e", "");
    HS_EXPECT_INT(ctx, 0, "BITOP", "NOT", "d", "e");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d");
    /* the destination may be a source */
    HS_EXPECT_INT(ctx, 3, "BITOP", "XOR", "a", "a", "a");
    expect_get_bin("a", "\x00\x00\x00", 3);
    /* integer values are their decimal bytes */
    HS_EXPECT_OK(ctx, "SET", "i", "12");
    HS_EXPECT_INT(ctx, 2, "BITOP", "NOT", "d", "i");
    expect_get_bin("d", "\xce\xcd", 2);
    /* errors */
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITOP", "nand", "d", "a");
    HS_EXPECT_ERROR(ctx, "ERR BITOP NOT must be called with a single source key.", "BITOP", "NOT", "d", "a", "b");
    HS_EXPECT_ARITY(ctx, "bitop", "BITOP", "AND", "d");
    HS_EXPECT_ARITY(ctx, "bitop", "BITOP", "NOT", "d");
}
END_TEST

/* Long operands of unequal lengths, checked byte by byte. */
START_TEST(test_bitop_long_unequal) {
    enum { LEN_A = 1000, LEN_B = 777 };
    char a[LEN_A], b[LEN_B];
    for (int i = 0; i < LEN_A; i++) a[i] = (char)(i * 7 + 3);
    for (int i = 0; i < LEN_B; i++) b[i] = (char)(i * 13 + 1);
    set_bin("a", a, LEN_A);
    set_bin("b", b, LEN_B);
    static const char *const ops[] = {"AND", "OR", "XOR"};
    for (int op = 0; op < 3; op++) {
        HS_EXPECT_INT(ctx, LEN_A, "BITOP", ops[op], "d", "b", "a");
        redisReply *r = hs_command(ctx, HS_ARGS("GET", "d"));
        ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
        ck_assert_uint_eq(r->len, LEN_A);
        for (int i = 0; i < LEN_A; i++) {
            unsigned x = (unsigned char)a[i], y = i < LEN_B ? (unsigned char)b[i] : 0, want;
            want = op == 0 ? (x & y) : op == 1 ? (x | y) : (x ^ y);
            ck_assert_msg((unsigned char)r->str[i] == want, "%s byte %d", ops[op], i);
        }
        freeReplyObject(r);
    }
}
END_TEST

/* ---------------------------------------------------------- BITFIELD */

START_TEST(test_bitfield_get_set_incr) {
    redisReply *r = hs_command(ctx, HS_ARGS("BITFIELD", "k", "GET", "i8", "0", "GET", "u63", "100"));
    EXPECT_INTS(NULL, 0, 0);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "k"); /* GET alone creates nothing */
    r = hs_command(ctx, HS_ARGS("BITFIELD", "k", "SET", "u8", "0", "255", "GET", "u8", "0", "GET", "i8", "0", "GET",
                                "u4", "0", "GET", "i4", "4", "GET", "u1", "0"));
    EXPECT_INTS(NULL, 0, 255, -1, 15, -1, 1);
    r = hs_command(ctx, HS_ARGS("BITFIELD", "k", "SET", "i5", "3", "-3", "GET", "i5", "3", "GET", "u5", "3", "GET",
                                "u16", "0"));
    EXPECT_INTS(NULL, -1, -3, 29, 64768);
    r = hs_command(ctx, HS_ARGS("BITFIELD", "k", "SET", "u8", "#1", "170", "GET", "u8", "8", "GET", "u4", "#2"));
    EXPECT_INTS(NULL, 0, 170, 10);
    expect_get_bin("k", "\xfd\xaa", 2);
    /* INCRBY returns the new value; wrap is the default */
    r = hs_command(ctx, HS_ARGS("BITFIELD", "c", "INCRBY", "u8", "0", "300", "INCRBY", "i8", "8", "-129"));
    EXPECT_INTS(NULL, 44, 127);
    /* a 64-bit field at an odd offset */
    r = hs_command(ctx, HS_ARGS("BITFIELD", "w", "SET", "i64", "3", "9223372036854775807", "GET", "i64", "3",
                                "GET", "u1", "3", "GET", "u1", "4"));
    EXPECT_INTS(NULL, 0, 9223372036854775807LL, 0, 1);
    expect_get_bin("w", "\x0f\xff\xff\xff\xff\xff\xff\xff\xe0", 9);
    r = hs_command(ctx, HS_ARGS("BITFIELD", "k"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_ARITY(ctx, "bitfield", "BITFIELD");
    HS_EXPECT_ARITY(ctx, "bitfield_ro", "BITFIELD_RO");
}
END_TEST

START_TEST(test_bitfield_overflow) {
    static const int nil_first[] = {1, 0};
    static const int nil_second[] = {0, 1};
    redisReply *r = hs_command(ctx, HS_ARGS("BITFIELD", "o", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "GET", "u8",
                                            "0"));
    EXPECT_INTS(NULL, 0, 255);
    r = hs_command(ctx, HS_ARGS("BITFIELD", "o", "OVERFLOW", "FAIL", "SET", "u8", "0", "256", "GET", "u8", "0"));
    EXPECT_INTS(nil_first, 0, 255);
    r = hs_command(ctx, HS_ARGS("BITFIELD", "o", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "-255", "INCRBY", "u8",
                                "0", "-1"));
    EXPECT_INTS(nil_second, 0, 0);
    r = hs_command(ctx, HS_ARGS("BITFIELD", "o", "overflow", "sat", "INCRBY", "u8", "0", "300", "OVERFLOW", "wrap",
                                "INCRBY", "u8", "0", "1"));
    EXPECT_INTS(NULL, 255, 0);
    r = hs_command(ctx, HS_ARGS("BITFIELD", "s", "OVERFLOW", "SAT", "SET", "i8", "0", "128", "GET", "i8", "0",
                                "SET", "i8", "0", "-129", "GET", "i8", "0"));
    EXPECT_INTS(NULL, 0, 127, 127, -128);
    r = hs_command(ctx, HS_ARGS("BITFIELD", "s", "OVERFLOW", "WRAP", "SET", "i8", "0", "128", "GET", "i8", "0"));
    EXPECT_INTS(NULL, -128, -128);
    r = hs_command(ctx, HS_ARGS("BITFIELD", "s", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0",
                                "-1", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "1", "OVERFLOW", "FAIL", "INCRBY",
                                "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-9223372036854775808"));
    {
        /* the old field was -128 in byte 0: i64 reads it as INT64_MIN */
        static const int nil_last[] = {0, 0, 0, 0, 1};
        EXPECT_INTS(nil_last, INT64_MIN, INT64_MAX, INT64_MAX, -1, 0);
    }
    r = hs_command(ctx, HS_ARGS("BITFIELD", "u", "SET", "u63", "0", "9223372036854775807", "INCRBY", "u63", "0",
                                "1", "OVERFLOW", "SAT", "INCRBY", "u63", "0", "-9223372036854775808"));
    EXPECT_INTS(NULL, 0, 0, 0);
    /* FAIL still creates the key, zero-filled to the written field */
    r = hs_command(ctx, HS_ARGS("BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u8", "16", "300"));
    {
        static const int nil_one[] = {1};
        EXPECT_INTS(nil_one, 0);
    }
    expect_get_bin("f", "\x00\x00\x00", 3);
}
END_TEST

START_TEST(test_bitfield_errors) {
    set_bin("v", "\x01\x02", 2);
    static const char *const bad_types[] = {"I8", "u64", "i65", "i0", "i08", "x8", "i", ""};
    for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++)
        HS_EXPECT_ERROR(ctx, ERR_TYPE, "BITFIELD", "v", "GET", bad_types[i], "0");
    HS_EXPECT_ERROR(ctx, ERR_OFFSET, "BITFIELD", "v", "GET", "i8", "-1");
    HS_EXPECT_ERROR(ctx, ERR_OFFSET, "BITFIELD", "v", "GET", "i8", "#-1");
    HS_EXPECT_ERROR(ctx, ERR_OFFSET, "BITFIELD", "v", "GET", "i8", "#");
    HS_EXPECT_ERROR(ctx, NOT_INT, "BITFIELD", "v", "SET", "i8", "0", "abc");
    HS_EXPECT_ERROR(ctx, NOT_INT, "BITFIELD", "v", "INCRBY", "i8", "0", "99999999999999999999");
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITFIELD", "v", "GET", "i8");
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITFIELD", "v", "SET", "i8", "0");
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITFIELD", "v", "OVERFLOW");
    HS_EXPECT_ERROR(ctx, SYNTAX, "BITFIELD", "v", "foo");
    HS_EXPECT_ERROR(ctx, "ERR Invalid OVERFLOW type specified", "BITFIELD", "v", "OVERFLOW", "foo");
    /* the first bad subcommand wins, and nothing was changed */
    HS_EXPECT_ERROR(ctx, ERR_TYPE, "BITFIELD", "v", "SET", "u8", "0", "9", "GET", "x8", "0");
    HS_EXPECT_ERROR(ctx, NOT_INT, "BITFIELD", "v", "SET", "i8", "0", "abc", "GET", "x8", "0");
    expect_get_bin("v", "\x01\x02", 2);
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
}
END_TEST

START_TEST(test_bitfield_ro) {
    set_bin("k", "\xff\x01", 2);
    redisReply *r = hs_command(ctx, HS_ARGS("BITFIELD_RO", "k", "GET", "i8", "0", "GET", "u16", "#0"));
    EXPECT_INTS(NULL, -1, 65281);
    r = hs_command(ctx, HS_ARGS("BITFIELD_RO", "nokey", "GET", "u8", "0", "OVERFLOW", "SAT", "GET", "i64", "0"));
    EXPECT_INTS(NULL, 0, 0);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nokey");
    HS_EXPECT_ERROR(ctx, "ERR BITFIELD_RO only supports the GET subcommand", "BITFIELD_RO", "k", "SET", "i8", "0",
                    "1");
    HS_EXPECT_ERROR(ctx, "ERR BITFIELD_RO only supports the GET subcommand", "BITFIELD_RO", "k", "GET", "i8", "0",
                    "INCRBY", "i8", "0", "1");
    /* argument errors anywhere come before the read-only refusal */
    HS_EXPECT_ERROR(ctx, ERR_TYPE, "BITFIELD_RO", "k", "SET", "i8", "0", "1", "GET", "x8", "0");
    HS_EXPECT_ERROR(ctx, "ERR Invalid OVERFLOW type specified", "BITFIELD_RO", "k", "SET", "i8", "0", "1",
                    "OVERFLOW", "foo");
    expect_get_bin("k", "\xff\x01", 2);
    /* integer values read as their decimal bytes: "1234" */
    HS_EXPECT_OK(ctx, "SET", "n", "1234");
    r = hs_command(ctx, HS_ARGS("BITFIELD_RO", "n", "GET", "u8", "0", "GET", "u32", "0"));
    EXPECT_INTS(NULL, '1', 0x31323334);
}
END_TEST

/* TTL in seconds of key (-1 none, -2 missing). */
static long long ttl_of(const char *key) {
    redisReply *r = hs_command(ctx, HS_ARGS("TTL", key));
    ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
    long long v = r->integer;
    freeReplyObject(r);
    return v;
}

/* SETBIT and BITFIELD change a value in place and keep its TTL (also
 * when an EMBSTR has to be copied); BITOP replaces the destination and
 * drops it. */
START_TEST(test_ttl) {
    HS_EXPECT_OK(ctx, "SET", "t", "abc", "EX", "1000");
    HS_EXPECT_INT(ctx, 1, "SETBIT", "t", "1", "0");
    ck_assert_int_gt(ttl_of("t"), 0);
    HS_EXPECT_INT(ctx, 0, "SETBIT", "t", "100", "1");
    ck_assert_int_gt(ttl_of("t"), 0);
    redisReply *r = hs_command(ctx, HS_ARGS("BITFIELD", "t", "SET", "u8", "0", "65"));
    EXPECT_INTS(NULL, 33);
    ck_assert_int_gt(ttl_of("t"), 0);
    HS_EXPECT_OK(ctx, "SET", "n", "42", "EX", "1000");
    HS_EXPECT_INT(ctx, 0, "SETBIT", "n", "23", "1");
    ck_assert_int_gt(ttl_of("n"), 0);
    expect_get_bin("n", "42\x01", 3);
    HS_EXPECT_OK(ctx, "SET", "d", "x", "EX", "1000");
    HS_EXPECT_INT(ctx, 3, "BITOP", "OR", "d", "n", "nokey");
    ck_assert_int_eq(ttl_of("d"), -1);
    HS_EXPECT_OK(ctx, "SET", "d", "x", "EX", "1000");
    HS_EXPECT_INT(ctx, 0, "BITOP", "AND", "d", "nokey");
    ck_assert_int_eq(ttl_of("d"), -2);
}
END_TEST

static Suite *bitops_suite(void) {
    Suite *s = suite_create("bitops");
    TCase *tc = hs_tcase(s, "bitops");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_setbit_getbit);
    tcase_add_test(tc, test_setbit_bad_args);
    tcase_add_test(tc, test_setbit_limit_default);
    tcase_add_test(tc, test_setbit_on_integer_value);
    tcase_add_test(tc, test_bitcount);
    tcase_add_test(tc, test_bitcount_big);
    tcase_add_test(tc, test_bitpos);
    tcase_add_test(tc, test_bitop);
    tcase_add_test(tc, test_bitop_long_unequal);
    tcase_add_test(tc, test_bitfield_get_set_incr);
    tcase_add_test(tc, test_bitfield_overflow);
    tcase_add_test(tc, test_bitfield_errors);
    tcase_add_test(tc, test_bitfield_ro);
    tcase_add_test(tc, test_ttl);
    tc = hs_tcase(s, "limits");
    tcase_add_test(tc, test_setbit_limit_configured);
    return s;
}

int main(void) {
    return hs_run_suite(bitops_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
