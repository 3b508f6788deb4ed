/* test_util.c -- Check suites for util: integer and float parsing and
 * formatting, glob matching, memory sizes, random bytes. The expected
 * strings in the tables were taken from a real Redis 7.0 server (INCR,
 * INCRBYFLOAT, ZADD/ZSCORE, KEYS, CONFIG SET maxmemory), not from memory. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "zmalloc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------- integers */

struct ll_case {
    const char *s;
    size_t len; /* 0: use strlen */
    int ok;
    long long v;
};

START_TEST(test_string2ll_table) {
    /* Accept/refuse decisions match `SET k <s>; INCR k` on Redis 7.0. */
    static const struct ll_case cases[] = {
        {"0", 0, 1, 0}, {"1", 0, 1, 1}, {"-1", 0, 1, -1}, {"10", 0, 1, 10},
        {"123456789", 0, 1, 123456789},
        {"9223372036854775807", 0, 1, LLONG_MAX},
        {"-9223372036854775808", 0, 1, LLONG_MIN},
        {"-9223372036854775807", 0, 1, -LLONG_MAX},
        {"9223372036854775808", 0, 0, 0}, {"-9223372036854775809", 0, 0, 0},
        {"18446744073709551616", 0, 0, 0}, {"99999999999999999999", 0, 0, 0},
        {"100000000000000000000", 0, 0, 0},
        {"", 0, 0, 0}, {"-", 0, 0, 0}, {"01", 0, 0, 0}, {"00", 0, 0, 0},
        {"-0", 0, 0, 0}, {"-01", 0, 0, 0}, {"+1", 0, 0, 0}, {" 1", 0, 0, 0},
        {"1 ", 0, 0, 0}, {"1a", 0, 0, 0}, {"a1", 0, 0, 0}, {"1.0", 0, 0, 0},
        {"0x10", 0, 0, 0}, {"--1", 0, 0, 0},
        {"12\0", 3, 0, 0}, /* the whole buffer must be digits */
        {"123", 2, 1, 12}, /* but only slen bytes are looked at */
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].s);
        long long v = 424242;
        int ok = string2ll(cases[i].s, len, &v);
        ck_assert_msg(ok == cases[i].ok, "string2ll('%s') ok=%d", cases[i].s, ok);
        if (ok) ck_assert_msg(v == cases[i].v, "string2ll('%s') = %lld", cases[i].s, v);
        ck_assert_int_eq(string2ll(cases[i].s, len, NULL), cases[i].ok);
    }
}
END_TEST

START_TEST(test_string2l_and_ull) {
    long l;
    ck_assert(string2l("-42", 3, &l));
    ck_assert_int_eq(l, -42);
    ck_assert(!string2l("-0", 2, &l));
    unsigned long long u;
    ck_assert(string2ull("18446744073709551615", &u));
    ck_assert(u == ULLONG_MAX);
    ck_assert(string2ull("0", &u));
    ck_assert(u == 0);
    ck_assert(!string2ull("18446744073709551616", &u));
    ck_assert(!string2ull("-1", &u));
    ck_assert(!string2ull("01", &u));
    ck_assert(!string2ull("", &u));
    ck_assert(!string2ull("+5", &u));
    ck_assert(!string2ull("5 ", &u));
}
END_TEST

START_TEST(test_ll2string_round_trip) {
    long long vals[] = {0, 1, -1, 9, 10, -10, 99, 100, 12345, -987654321,
                        LLONG_MAX, LLONG_MIN, LLONG_MAX - 1, LLONG_MIN + 1,
                        1000000000000000000LL, -999999999999999999LL};
    for (size_t i = 0; i < ARRAY_LEN(vals); i++) {
        char buf[LONG_STR_SIZE], ref[64];
        int n = ll2string(buf, sizeof(buf), vals[i]);
        snprintf(ref, sizeof(ref), "%lld", vals[i]);
        ck_assert_str_eq(buf, ref);
        ck_assert_int_eq(n, (int)strlen(ref));
        long long back;
        ck_assert(string2ll(buf, (size_t)n, &back));
        ck_assert(back == vals[i]);
    }
    /* Exhaustive-ish sweep over digit-count boundaries. */
    for (long long p = 1; p < LLONG_MAX / 10; p *= 10) {
        long long around[] = {p - 1, p, p + 1, -(p - 1), -p, -(p + 1)};
        for (size_t j = 0; j < ARRAY_LEN(around); j++) {
            char buf[LONG_STR_SIZE];
            long long back;
            int n = ll2string(buf, sizeof(buf), around[j]);
            ck_assert(string2ll(buf, (size_t)n, &back) && back == around[j]);
        }
    }
}
END_TEST

START_TEST(test_ll2string_small_buffer) {
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    ck_assert_int_eq(ll2string(buf, 4, 1234), 0); /* needs 5 with the NUL */
    ck_assert_int_eq(ll2string(buf, 5, 1234), 4);
    ck_assert_str_eq(buf, "1234");
    ck_assert_int_eq(ll2string(buf, 5, -1234), 0);
    ck_assert_int_eq(ll2string(buf, 6, -1234), 5);
    ck_assert_str_eq(buf, "-1234");
    ck_assert_int_eq(ll2string(buf, 1, 0), 0);
    ck_assert_int_eq(ll2string(buf, 2, 0), 1);
    char big[LONG_STR_SIZE];
    ck_assert_int_eq(ll2string(big, sizeof(big), LLONG_MIN), 20);
    ck_assert_int_eq(ll2string(big, sizeof(big) - 1, LLONG_MIN), 0);
    ck_assert_int_eq(ull2string(big, sizeof(big), ULLONG_MAX), 20);
    ck_assert_str_eq(big, "18446744073709551615");
}
END_TEST

START_TEST(test_digits10) {
    ck_assert_uint_eq(digits10(0), 1);
    ck_assert_uint_eq(digits10(9), 1);
    ck_assert_uint_eq(digits10(10), 2);
    ck_assert_uint_eq(digits10(999999), 6);
    ck_assert_uint_eq(digits10(1000000), 7);
    ck_assert_uint_eq(digits10(UINT64_MAX), 20);
}
END_TEST

/* --------------------------------------------------------------- doubles */

/* ZADD z <in> a; ZSCORE z a on Redis 7.0 (small, listpack-encoded set). */
static const struct {
    const char *in;
    const char *zscore;
} score_cases[] = {
    {"1.5", "1.5"},
    {"0.1", "0.10000000000000001"},
    {"1e300", "1.0000000000000001e+300"},
    {"-0", "0"},
    {"0", "0"},
    {"inf", "inf"},
    {"-inf", "-inf"},
    {"+inf", "inf"},
    {"Infinity", "inf"},
    {"123456789012345678", "1.2345678901234568e+17"},
    {"9007199254740992", "9007199254740992"},
    {"9007199254740993", "9007199254740992"},
    {"9007199254740991", "9007199254740991"},
    {"1e15", "1000000000000000"},
    {"1e16", "10000000000000000"},
    {"1e17", "1e+17"},
    {"1e20", "1e+20"},
    {"-1e20", "-1e+20"},
    {"0.3", "0.29999999999999999"},
    {"1.0", "1"},
    {"100", "100"},
    {"-100", "-100"},
    {"3.14159", "3.1415899999999999"},
    {"1e-5", "1.0000000000000001e-05"},
    {"0.000001", "9.9999999999999995e-07"},
    {"2.5e-300", "2.5e-300"},
    {"5e-324", "4.9406564584124654e-324"},
    {"1e308", "1e+308"},
    {"0x10", "16"},
    {"1.", "1"},
    {".1", "0.10000000000000001"},
    {"-.5", "-0.5"},
    {"12345678.9", "12345678.9"},
    {"4503599627370496.5", "4503599627370496"},
    {"1e22", "1e+22"},
    {"1.7976931348623157e308", "1.7976931348623157e+308"},
};

START_TEST(test_string2d_and_d2string_match_zscore) {
    for (size_t i = 0; i < ARRAY_LEN(score_cases); i++) {
        double d;
        ck_assert_msg(string2d(score_cases[i].in, strlen(score_cases[i].in), &d),
                      "string2d refused '%s'", score_cases[i].in);
        char buf[MAX_D2STRING_CHARS];
        int n = d2string(buf, sizeof(buf), d);
        ck_assert_msg(strcmp(buf, score_cases[i].zscore) == 0, "d2string(%s) = '%s' want '%s'",
                      score_cases[i].in, buf, score_cases[i].zscore);
        ck_assert_int_eq(n, (int)strlen(buf));
        /* What we print must parse back to the same double. */
        double back;
        ck_assert(string2d(buf, (size_t)n, &back));
        ck_assert(back == d || (isnan(back) && isnan(d)));
    }
}
END_TEST

START_TEST(test_string2d_refused) {
    /* Each of these made ZADD reply "ERR value is not a valid float". */
    static const char *bad[] = {" 1", "1 ", "nan", "NaN", "-nan", "1e400", "-1e400",
                                "1e-400", "", "1e", "abc", "1.5x", "\t1", "--1"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        double d = 42;
        ck_assert_msg(!string2d(bad[i], strlen(bad[i]), &d), "string2d accepted '%s'", bad[i]);
        ck_assert(d == 42);
    }
    double d;
    ck_assert(!string2d("1\0", 2, &d)); /* embedded NUL is junk */
    ck_assert(string2d("12345", 2, &d)); /* only slen bytes count */
    ck_assert(d == 12);
}
END_TEST

START_TEST(test_d2string_special) {
    char buf[MAX_D2STRING_CHARS];
    ck_assert_int_eq(d2string(buf, sizeof(buf), NAN), 3);
    ck_assert_str_eq(buf, "nan");
    ck_assert_int_eq(d2string(buf, sizeof(buf), -INFINITY), 4);
    ck_assert_str_eq(buf, "-inf");
    ck_assert_int_eq(d2string(buf, 3, 0.1), 0); /* does not fit */
}
END_TEST

START_TEST(test_string2ld_table) {
    /* Parse decisions from INCRBYFLOAT on Redis 7.0 (inf is parsed, then
     * refused by the command itself, so it counts as accepted here). */
    static const struct {
        const char *s;
        int ok;
        long double v;
    } cases[] = {
        {"0x10", 1, 16}, {"1e5", 1, 100000}, {"inf", 1, INFINITY}, {"-inf", 1, -INFINITY},
        {"+inf", 1, INFINITY}, {"Infinity", 1, INFINITY}, {"INF", 1, INFINITY},
        {".5", 1, 0.5L}, {"5.", 1, 5}, {"+1", 1, 1}, {"-0", 1, 0}, {"0x1p3", 1, 8},
        {"1e400", 1, 1e400L},
        {" 1", 0, 0}, {"1 ", 0, 0}, {"nan", 0, 0}, {"1.5e", 0, 0}, {"", 0, 0},
        {"1e99999", 0, 0}, {"x", 0, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        long double v = 0;
        int ok = string2ld(cases[i].s, strlen(cases[i].s), &v);
        ck_assert_msg(ok == cases[i].ok, "string2ld('%s') ok=%d", cases[i].s, ok);
        if (ok) ck_assert_msg(v == cases[i].v, "string2ld('%s') value", cases[i].s);
    }
    long double v;
    ck_assert(string2ld("1e-400", 6, &v)); /* representable as long double */
    ck_assert(v > 0);
    ck_assert(!string2ld("1\0", 2, &v));
}
END_TEST

/* SET k <base>; INCRBYFLOAT k <incr> on Redis 7.0. */
static const struct {
    const char *base, *incr, *reply;
} incrbyfloat_cases[] = {
    {"10.5", "0.1", "10.6"},
    {"0", "5.0e3", "5000"},
    {"0", "1e20", "100000000000000000000"},
    {"0", "-1e20", "-100000000000000000000"},
    {"0", "1e-20", "0"},
    {"0", "-1e-20", "0"},
    {"0", "0.1", "0.1"},
    {"0", "-0.0", "0"},
    {"-0", "-0", "0"},
    {"0", "3.0", "3"},
    {"10", "-10", "0"},
    {"0", "1.1", "1.1"},
    {"0", "0.3", "0.3"},
    {"0", "123456789.123456789", "123456789.12345678899873747"},
    {"0", "1e17", "100000000000000000"},
    {"0", "2.5e-17", "0.00000000000000002"},
    {"0", "-1e-17", "-0.00000000000000001"},
    {"0", "1e-17", "0.00000000000000001"},
    {"0", "7.0e-18", "0.00000000000000001"},
    {"0", "0.000000000000000005", "0"},
    {"0", "-5", "-5"},
    {"0", "-0.5", "-0.5"},
    {"0", "0.30000000000000004", "0.30000000000000004"},
    {"1", "1e-18", "1"},
    {"0", "12345678901234567890", "12345678901234567890"},
    {"0", "0x10", "16"},
    {"1e308", "1e308",
     "19999999999999999999337175931169129132112019969483113441559409598984346973767612374420025"
     "38437770786408934944501080264463042694991879211671948416288603928375359182000392063815573"
     "26219209014213335878306791577877829121087126122536729803237260434173178506889763247582601"
     "711514636284849020905456510092687857156096"},
};

START_TEST(test_ld2string_human_matches_incrbyfloat) {
    for (size_t i = 0; i < ARRAY_LEN(incrbyfloat_cases); i++) {
        long double a, b;
        ck_assert(string2ld(incrbyfloat_cases[i].base, strlen(incrbyfloat_cases[i].base), &a));
        ck_assert(string2ld(incrbyfloat_cases[i].incr, strlen(incrbyfloat_cases[i].incr), &b));
        char buf[MAX_LONG_DOUBLE_CHARS];
        int n = ld2string(buf, sizeof(buf), a + b, LD_STR_HUMAN);
        ck_assert_msg(strcmp(buf, incrbyfloat_cases[i].reply) == 0, "%s + %s gave '%s' want '%s'",
                      incrbyfloat_cases[i].base, incrbyfloat_cases[i].incr, buf,
                      incrbyfloat_cases[i].reply);
        ck_assert_int_eq(n, (int)strlen(buf));
    }
}
END_TEST

START_TEST(test_ld2string_modes) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    ck_assert_int_eq(ld2string(buf, sizeof(buf), INFINITY, LD_STR_HUMAN), 3);
    ck_assert_str_eq(buf, "inf");
    ck_assert_int_eq(ld2string(buf, sizeof(buf), -INFINITY, LD_STR_AUTO), 4);
    ck_assert_str_eq(buf, "-inf");
    ld2string(buf, sizeof(buf), 0.5L, LD_STR_AUTO);
    ck_assert_str_eq(buf, "0.5");
    ld2string(buf, sizeof(buf), 1e20L, LD_STR_AUTO);
    ck_assert_str_eq(buf, "1e+20");
    ld2string(buf, sizeof(buf), 1.0L, LD_STR_HEX);
    long double back = strtold(buf, NULL);
    ck_assert(back == 1.0L);
    ck_assert(strchr(buf, 'p') != NULL);
    /* HEX round-trips exactly even where decimal would not. */
    long double third = 1.0L / 3;
    ld2string(buf, sizeof(buf), third, LD_STR_HEX);
    ck_assert(string2ld(buf, strlen(buf), &back) && back == third);
    /* Too small a buffer yields 0, never a truncated number. */
    ck_assert_int_eq(ld2string(buf, 5, 123456.0L, LD_STR_HUMAN), 0);
    ck_assert_int_eq(ld2string(buf, 3, INFINITY, LD_STR_HUMAN), 0);
}
END_TEST

/* ------------------------------------------------------------------ glob */

struct match_case {
    const char *pattern, *string;
    int nocase, want;
};

/* Cases marked "redis" were checked with KEYS on Redis 7.0. */
static const struct match_case match_cases[] = {
    {"*", "anything", 0, 1},
    {"*", "", 0, 0},            /* redis: "*" never matches an empty key */
    {"**", "", 0, 0},           /* redis */
    {"", "", 0, 1},             /* redis */
    {"", "a", 0, 0},
    {"a", "", 0, 0},
    {"?", "a", 0, 1},           /* redis */
    {"?", "", 0, 0},
    {"?", "ab", 0, 0},
    {"h?llo", "hello", 0, 1},
    {"h?llo", "hllo", 0, 0},
    {"h*llo", "hllo", 0, 1},
    {"h*llo", "heeeello", 0, 1},
    {"h*llo", "heeeellox", 0, 0},
    {"a*", "a", 0, 1},
    {"a**", "a", 0, 1},
    {"a*b*", "ab", 0, 1},
    {"*a", "ba", 0, 1},
    {"*a", "ab", 0, 0},
    {"*a*b*c*", "xxaxxbxxcxx", 0, 1},
    {"*a*b*c*", "xxcxxbxxaxx", 0, 0},
    {"a*?", "a", 0, 0},
    {"a*?", "ab", 0, 1},
    {"h[ae]llo", "hallo", 0, 1},
    {"h[ae]llo", "hillo", 0, 0},
    {"h[^e]llo", "hallo", 0, 1},
    {"h[^e]llo", "hello", 0, 0},
    {"h[a-b]llo", "hbllo", 0, 1},
    {"h[a-b]llo", "hcllo", 0, 0},
    {"[!a]", "!", 0, 1},        /* redis: '!' is no negation */
    {"[!a]", "a", 0, 1},        /* redis */
    {"[!a]", "b", 0, 0},        /* redis */
    {"[^a]", "b", 0, 1},        /* redis */
    {"[^a]", "a", 0, 0},        /* redis */
    {"[b-a]", "a", 0, 1},       /* redis: reversed range */
    {"[b-a]", "b", 0, 1},       /* redis */
    {"[b-a]", "c", 0, 0},
    {"[a\\-c]", "-", 0, 1},     /* redis */
    {"[a\\-c]", "b", 0, 0},     /* redis */
    {"[a\\-c]", "c", 0, 1},     /* redis */
    {"[\\]", "]", 0, 1},        /* escaped ']' then an unterminated class */
    {"[\\]", "\\", 0, 0},       /* redis */
    {"[]", "a", 0, 0},          /* redis: empty class */
    {"[]", "]", 0, 0},
    {"[x]]", "x]", 0, 1},       /* redis */
    {"x]", "x]", 0, 1},         /* redis */
    {"\\a", "a", 0, 1},         /* redis */
    {"\\*", "*", 0, 1},
    {"\\*", "a", 0, 0},
    {"\\?", "?", 0, 1},
    {"\\?", "x", 0, 0},
    {"\\[a]", "[a]", 0, 1},
    {"[a-]", "^", 0, 1},        /* redis: range a..']' */
    {"[a-]", "a", 0, 1},        /* redis */
    {"[a-]", "-", 0, 0},        /* redis */
    {"[-a]", "-", 0, 1},        /* redis */
    {"[-a]", "a", 0, 1},        /* redis */
    {"[^]", "x", 0, 1},         /* redis: negated empty class */
    {"[^]", "", 0, 0},
    {"a\\", "a\\", 0, 1},       /* lone trailing backslash is literal */
    {"\\", "\\", 0, 1},         /* redis */
    {"\\\\", "\\", 0, 1},       /* redis */
    {"[\\\\]", "\\", 0, 1},     /* redis */
    {"*[", "a", 0, 0},          /* redis */
    {"[a", "a", 0, 1},          /* redis: unterminated class */
    {"[", "a", 0, 0},           /* redis */
    {"a[", "a", 0, 0},          /* redis */
    {"[^", "b", 0, 1},          /* redis */
    {"[a-", "-", 0, 1},         /* redis */
    {"[a-", "a", 0, 1},         /* redis */
    {"[a-", "b", 0, 0},
    {"HELLO", "hello", 1, 1},
    {"HELLO", "hello", 0, 0},
    {"h[A-C]llo", "hbllo", 1, 1},
    {"h[A-C]llo", "hbllo", 0, 0},
    {"h[^A-C]llo", "hBllo", 1, 0},
    {"*World", "hello world", 1, 1},
    {"[[]", "[", 0, 1},
    {"*.*", "a.b", 0, 1},
    {"user:*:name", "user:1000:name", 0, 1},
    {"user:*:name", "user:1000:age", 0, 0},
};

START_TEST(test_string_match_table) {
    for (size_t i = 0; i < ARRAY_LEN(match_cases); i++) {
        const struct match_case *c = &match_cases[i];
        int got = string_match(c->pattern, c->string, c->nocase);
        ck_assert_msg(got == c->want, "match('%s', '%s', nocase=%d) = %d", c->pattern, c->string,
                      c->nocase, got);
    }
}
END_TEST

START_TEST(test_string_match_binary) {
    ck_assert(string_match_len("a?c", 3, "a\0c", 3, 0));
    ck_assert(string_match_len("a\0*", 3, "a\0zz", 4, 0));
    ck_assert(!string_match_len("a\0*", 3, "a\1zz", 4, 0));
    ck_assert(string_match_len("[\0-\2]", 5, "\1", 1, 0));
    /* A class cut by patternlen must not read past it. */
    ck_assert(string_match_len("[ab]", 2, "a", 1, 0));
    ck_assert(!string_match_len("[ab]", 2, "b", 1, 0));
}
END_TEST

START_TEST(test_string_match_no_blowup) {
    /* Naive backtracking needs ~C(50,14) steps here; this must be instant
     * (a runaway would hang the suite past Check's timeout). */
    char key[51];
    memset(key, 'a', 50);
    key[50] = '\0';
    ck_assert(!string_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", key, 0));
    ck_assert(string_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*", key, 0));
    key[49] = 'b';
    ck_assert(string_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", key, 0));

    /* A much larger case: 200 star groups against 4000 bytes. */
    size_t plen = 200 * 2 + 1, slen = 4000;
    char *pat = zmalloc(plen + 1), *str = zmalloc(slen + 1);
    for (size_t i = 0; i < 200; i++) memcpy(pat + 2 * i, "*a", 2);
    pat[plen - 1] = 'b';
    pat[plen] = '\0';
    memset(str, 'a', slen);
    str[slen] = '\0';
    ck_assert(!string_match_len(pat, (int)plen, str, (int)slen, 0));
    str[slen - 1] = 'b';
    ck_assert(string_match_len(pat, (int)plen, str, (int)slen, 0));
    zfree(pat);
    zfree(str);
}
END_TEST

START_TEST(test_string_match_star_group_limit) {
    /* Redis 7.0: KEYS ("*a" x 900) finds the 1100-byte key of a's, while
     * ("*a" x 1100) finds nothing: it stops after 1000 star groups. */
    size_t slen = 1100;
    char *str = zmalloc(slen + 1);
    memset(str, 'a', slen);
    str[slen] = '\0';
    char *pat = zmalloc(2 * 1100 + 1);
    for (size_t i = 0; i < 1100; i++) memcpy(pat + 2 * i, "*a", 2);
    ck_assert(string_match_len(pat, 2 * 900, str, (int)slen, 0));
    ck_assert(string_match_len(pat, 2 * 1000, str, (int)slen, 0));
    ck_assert(!string_match_len(pat, 2 * 1001, str, (int)slen, 0));
    ck_assert(!string_match_len(pat, 2 * 1100, str, (int)slen, 0));
    zfree(pat);
    zfree(str);
}
END_TEST

/* ---------------------------------------------------------- memory sizes */

START_TEST(test_memtoull_table) {
    /* CONFIG SET maxmemory <s>; CONFIG GET maxmemory on Redis 7.0. */
    static const struct {
        const char *s;
        int err;
        unsigned long long v;
    } cases[] = {
        {"0", 0, 0}, {"100", 0, 100}, {"01", 0, 1},
        {"1b", 0, 1}, {"1B", 0, 1},
        {"1k", 0, 1000}, {"1K", 0, 1000}, {"1kb", 0, 1024}, {"1KB", 0, 1024}, {"1kB", 0, 1024},
        {"1m", 0, 1000000}, {"1mb", 0, 1048576}, {"1Mb", 0, 1048576},
        {"1g", 0, 1000000000}, {"1gb", 0, 1073741824}, {"3GB", 0, 3221225472ULL},
        {"64mb", 0, 67108864}, {"100k", 0, 100000},
        {"18446744073709551615", 0, ULLONG_MAX},
        {"99999999999999999999", 0, ULLONG_MAX},    /* saturates, as Redis */
        {"17179869184gb", 0, 0},                     /* wraps mod 2^64, as Redis */
        {"9223372036854775807", 0, 9223372036854775807ULL},
        {"", 0, 0}, {"kb", 0, 0},                     /* Redis takes both as 0 */
        {"1.5gb", 1, 0}, {" 1", 1, 0}, {"1 ", 1, 0}, {"-1", 1, 0}, {"+1", 1, 0},
        {"1t", 1, 0}, {"1tb", 1, 0}, {"1kbb", 1, 0}, {"1 kb", 1, 0}, {"abc", 1, 0},
        {"1bk", 1, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int err = -1;
        unsigned long long v = memtoull(cases[i].s, &err);
        ck_assert_msg(err == cases[i].err, "memtoull('%s') err=%d", cases[i].s, err);
        ck_assert_msg(v == cases[i].v, "memtoull('%s') = %llu", cases[i].s, v);
    }
    ck_assert(memtoull("5mb", NULL) == 5242880ULL);
}
END_TEST

/* ---------------------------------------------------------------- random */

START_TEST(test_random_bytes) {
    unsigned char a[64], b[64];
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    get_random_bytes(a, sizeof(a));
    get_random_bytes(b, sizeof(b));
    ck_assert(memcmp(a, b, sizeof(a)) != 0);
    int nonzero = 0;
    for (size_t i = 0; i < sizeof(a); i++) nonzero += a[i] != 0;
    ck_assert_int_gt(nonzero, 32); /* 64 random bytes: ~63.75 non-zero expected */
    get_random_bytes(a, 0); /* zero length is harmless */
}
END_TEST

START_TEST(test_random_hex) {
    char h[41];
    h[40] = '#';
    get_random_hex_chars(h, 40);
    ck_assert_int_eq(h[40], '#'); /* writes exactly len bytes */
    int distinct[16] = {0}, kinds = 0;
    for (int i = 0; i < 40; i++) {
        const char *pos = strchr("0123456789abcdef", h[i]);
        ck_assert_msg(pos != NULL && h[i] != '\0', "not hex: %d", h[i]);
        if (!distinct[pos - "0123456789abcdef"]++) kinds++;
    }
    ck_assert_int_gt(kinds, 4);
}
END_TEST

START_TEST(test_str_eq_nocase) {
    ck_assert(str_eq_nocase("maxmemory", "MaxMemory"));
    ck_assert(str_eq_nocase("", ""));
    ck_assert(!str_eq_nocase("abc", "abcd"));
    ck_assert(!str_eq_nocase("abcd", "abc"));
    ck_assert(!str_eq_nocase("abc", "abd"));
    ck_assert(!str_eq_nocase("[", "{")); /* ASCII fold only touches letters */
}
END_TEST

static Suite *util_suite(void) {
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("integers");
    tcase_add_test(tc, test_string2ll_table);
    tcase_add_test(tc, test_string2l_and_ull);
    tcase_add_test(tc, test_ll2string_round_trip);
    tcase_add_test(tc, test_ll2string_small_buffer);
    tcase_add_test(tc, test_digits10);
    suite_add_tcase(s, tc);

    tc = tcase_create("doubles");
    tcase_add_test(tc, test_string2d_and_d2string_match_zscore);
    tcase_add_test(tc, test_string2d_refused);
    tcase_add_test(tc, test_d2string_special);
    tcase_add_test(tc, test_string2ld_table);
    tcase_add_test(tc, test_ld2string_human_matches_incrbyfloat);
    tcase_add_test(tc, test_ld2string_modes);
    suite_add_tcase(s, tc);

    tc = tcase_create("glob");
    tcase_add_test(tc, test_string_match_table);
    tcase_add_test(tc, test_string_match_binary);
    tcase_add_test(tc, test_string_match_no_blowup);
    tcase_add_test(tc, test_string_match_star_group_limit);
    suite_add_tcase(s, tc);

    tc = tcase_create("misc");
    tcase_add_test(tc, test_memtoull_table);
    tcase_add_test(tc, test_random_bytes);
    tcase_add_test(tc, test_random_hex);
    tcase_add_test(tc, test_str_eq_nocase);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(util_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
