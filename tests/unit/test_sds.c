/* test_sds.c -- Check suites for sds: creation, appends, growth across
 * header types, in-place edits, splitting and quoting. Every test ends by
 * checking that zmalloc's used-memory counter is back where it started, so
 * a leaked or double-counted block fails the test that caused it. */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sds.h"
#include "zmalloc.h"

static size_t mem_at_start;

static void setup(void) {
    mem_at_start = zmalloc_used_memory();
}

static void teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

static int type_of(sds s) {
    return (unsigned char)s[-1] & SDS_TYPE_MASK;
}

static size_t type_limit(int type) {
    switch (type) {
    case SDS_TYPE_8: return UINT8_MAX;
    case SDS_TYPE_16: return UINT16_MAX;
    case SDS_TYPE_32: return UINT32_MAX;
    }
    return SIZE_MAX;
}

/* The invariants every sds must keep, whatever was done to it. */
static void check_invariants(sds s) {
    ck_assert_uint_le(sds_len(s), sds_alloc(s));
    ck_assert_uint_le(sds_alloc(s), type_limit(type_of(s)));
    ck_assert_int_eq(s[sds_len(s)], '\0');
    ck_assert_uint_eq(sds_avail(s), sds_alloc(s) - sds_len(s));
    ck_assert_uint_ge(sds_alloc_size(s), sds_alloc(s) + 1);
}

/* ---------------------------------------------------------------- create */

START_TEST(test_new_and_len) {
    sds s = sds_new("foo");
    ck_assert_uint_eq(sds_len(s), 3);
    ck_assert_str_eq(s, "foo");
    ck_assert_int_eq(type_of(s), SDS_TYPE_8);
    check_invariants(s);
    sds_free(s);

    s = sds_new_len("a\0b", 3);
    ck_assert_uint_eq(sds_len(s), 3);
    ck_assert_mem_eq(s, "a\0b\0", 4);
    sds_free(s);

    s = sds_new_len(NULL, 5);
    ck_assert_uint_eq(sds_len(s), 5);
    ck_assert_mem_eq(s, "\0\0\0\0\0\0", 6);
    sds_free(s);

    s = sds_new(NULL);
    ck_assert_uint_eq(sds_len(s), 0);
    ck_assert_str_eq(s, "");
    sds_free(s);

    s = sds_empty();
    ck_assert_uint_eq(sds_len(s), 0);
    check_invariants(s);
    sds_free(s);
    sds_free(NULL);
}
END_TEST

START_TEST(test_new_picks_smallest_header) {
    size_t lens[] = {0, 255, 256, 65535, 65536};
    int types[] = {SDS_TYPE_8, SDS_TYPE_8, SDS_TYPE_16, SDS_TYPE_16, SDS_TYPE_32};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        sds s = sds_new_len_uninit(lens[i]);
        ck_assert_int_eq(type_of(s), types[i]);
        ck_assert_uint_eq(sds_len(s), lens[i]);
        check_invariants(s);
        sds_free(s);
    }
}
END_TEST

START_TEST(test_alloc_uses_allocator_slack) {
    /* alloc must equal what the block really holds (capped by the type). */
    for (size_t len = 0; len < 300; len += 7) {
        sds s = sds_new_len(NULL, len);
        size_t hdr = type_of(s) == SDS_TYPE_8 ? sizeof(struct sdshdr8) : sizeof(struct sdshdr16);
        size_t body = sds_alloc_size(s) - hdr - 1;
        if (body > type_limit(type_of(s))) body = type_limit(type_of(s));
        ck_assert_uint_eq(sds_alloc(s), body);
        /* Writing the whole reported capacity must be legal (ASan checks). */
        memset(s + len, 'x', sds_avail(s));
        sds_free(s);
    }
}
END_TEST

START_TEST(test_dup_is_independent) {
    sds a = sds_new("hello");
    sds b = sds_dup(a);
    ck_assert_ptr_ne(a, b);
    ck_assert_str_eq(b, "hello");
    b[0] = 'j';
    ck_assert_str_eq(a, "hello");
    sds_free(a);
    sds_free(b);
}
END_TEST

START_TEST(test_from_ll) {
    sds s = sds_from_ll(LLONG_MIN);
    ck_assert_str_eq(s, "-9223372036854775808");
    ck_assert_uint_eq(sds_len(s), 20);
    sds_free(s);
    s = sds_from_ll(LLONG_MAX);
    ck_assert_str_eq(s, "9223372036854775807");
    sds_free(s);
    s = sds_from_ll(0);
    ck_assert_str_eq(s, "0");
    sds_free(s);
    s = sds_from_ll(-1);
    ck_assert_str_eq(s, "-1");
    s = sds_cat_ll(s, LLONG_MIN);
    ck_assert_str_eq(s, "-1-9223372036854775808");
    sds_free(s);
}
END_TEST

/* ------------------------------------------------------------ append etc */

START_TEST(test_cat) {
    sds s = sds_new("fo");
    s = sds_cat(s, "bar");
    ck_assert_str_eq(s, "fobar");
    s = sds_cat_len(s, "\0x", 2);
    ck_assert_uint_eq(sds_len(s), 7);
    ck_assert_mem_eq(s, "fobar\0x\0", 8);
    sds t = sds_new("!");
    s = sds_cat_sds(s, t);
    ck_assert_uint_eq(sds_len(s), 8);
    ck_assert_int_eq(s[7], '!');
    s = sds_cat_len(s, "", 0);
    ck_assert_uint_eq(sds_len(s), 8);
    check_invariants(s);
    sds_free(s);
    sds_free(t);
}
END_TEST

START_TEST(test_cpy) {
    sds s = sds_new("foo");
    s = sds_cpy(s, "a");
    ck_assert_str_eq(s, "a");
    ck_assert_uint_eq(sds_len(s), 1);
    s = sds_cpy(s, "xyzxxxxxxxxxxyyyyyyyyyykkkkkkkkkk");
    ck_assert_str_eq(s, "xyzxxxxxxxxxxyyyyyyyyyykkkkkkkkkk");
    char big[1000];
    memset(big, 'q', sizeof(big));
    s = sds_cpy_len(s, big, sizeof(big));
    ck_assert_uint_eq(sds_len(s), 1000);
    ck_assert_int_eq(type_of(s), SDS_TYPE_16);
    ck_assert_int_eq(s[999], 'q');
    check_invariants(s);
    sds_free(s);
}
END_TEST

START_TEST(test_printf) {
    sds s = sds_cat_printf(sds_empty(), "%d", 123);
    ck_assert_str_eq(s, "123");
    s = sds_cat_printf(s, "-%s-%05.1f", "x", 2.25);
    ck_assert_str_eq(s, "123-x-002.2");
    /* Longer than any small internal buffer. */
    char big[3000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    s = sds_cat_printf(s, "[%s]", big);
    ck_assert_uint_eq(sds_len(s), 11 + 2 + 2999);
    ck_assert_int_eq(s[sds_len(s) - 1], ']');
    check_invariants(s);
    sds_free(s);
}
END_TEST

START_TEST(test_cat_repr) {
    struct {
        const char *in;
        size_t len;
        const char *out;
    } cases[] = {
        {"", 0, "\"\""},
        {"abc", 3, "\"abc\""},
        {"a\0b", 3, "\"a\\x00b\""},
        {"\\\"\n\r\t\a\b", 7, "\"\\\\\\\"\\n\\r\\t\\a\\b\""},
        {"\x01\x7f\xff\x1b", 4, "\"\\x01\\x7f\\xff\\x1b\""},
        {"'~ ", 3, "\"'~ \""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sds s = sds_cat_repr(sds_new("<"), cases[i].in, cases[i].len);
        sds want = sds_cat(sds_new("<"), cases[i].out);
        ck_assert_msg(sds_cmp(s, want) == 0, "case %zu: got %s want %s", i, s, want);
        sds_free(s);
        sds_free(want);
    }
}
END_TEST

/* --------------------------------------------------------------- growth */

START_TEST(test_growth_across_header_types) {
    sds s = sds_empty();
    int seen16 = 0, seen32 = 0;
    char chunk[97];
    memset(chunk, 'g', sizeof(chunk));
    size_t total = 0;
    while (total < 70000) {
        int before = type_of(s);
        s = sds_cat_len(s, chunk, sizeof(chunk));
        total += sizeof(chunk);
        ck_assert_uint_eq(sds_len(s), total);
        ck_assert_int_ge(type_of(s), before); /* never shrinks while growing */
        check_invariants(s);
        if (type_of(s) == SDS_TYPE_16) seen16 = 1;
        if (type_of(s) == SDS_TYPE_32) seen32 = 1;
    }
    ck_assert(seen16);
    ck_assert(seen32);
    for (size_t i = 0; i < total; i++)
        if (s[i] != 'g') ck_abort_msg("byte %zu lost in a header move", i);
    sds_free(s);
}
END_TEST

START_TEST(test_exact_type_boundaries) {
    /* 255 bytes fits a type-8 header exactly; one more forces type 16. */
    sds s = sds_new_len(NULL, 255);
    ck_assert_int_eq(type_of(s), SDS_TYPE_8);
    ck_assert_uint_eq(sds_alloc(s), 255);
    s = sds_make_room_for_non_greedy(s, 1);
    ck_assert_int_eq(type_of(s), SDS_TYPE_16);
    ck_assert_uint_ge(sds_avail(s), 1);
    ck_assert_uint_eq(sds_len(s), 255);
    check_invariants(s);
    sds_free(s);

    s = sds_new_len(NULL, 65535);
    ck_assert_int_eq(type_of(s), SDS_TYPE_16);
    s = sds_cat_len(s, "x", 1);
    ck_assert_int_eq(type_of(s), SDS_TYPE_32);
    ck_assert_uint_eq(sds_len(s), 65536);
    ck_assert_int_eq(s[65535], 'x');
    ck_assert_int_eq(s[0], '\0');
    check_invariants(s);
    sds_free(s);
}
END_TEST

START_TEST(test_make_room_greedy) {
    sds s = sds_new("0123456789");
    s = sds_make_room_for(s, 100);
    /* (10 + 100) doubled, at least. */
    ck_assert_uint_ge(sds_alloc(s), 220);
    ck_assert_uint_eq(sds_len(s), 10);
    ck_assert_str_eq(s, "0123456789");
    size_t alloc = sds_alloc(s);
    s = sds_make_room_for(s, 5); /* already room: no change */
    ck_assert_uint_eq(sds_alloc(s), alloc);
    check_invariants(s);
    sds_free(s);

    /* Past SDS_MAX_PREALLOC growth adds a fixed step, not a doubling. */
    s = sds_new_len(NULL, SDS_MAX_PREALLOC);
    size_t need = sds_avail(s) + 1; /* more than the allocator's slack */
    s = sds_make_room_for(s, need);
    ck_assert_uint_ge(sds_alloc(s), 2 * SDS_MAX_PREALLOC + need);
    ck_assert_uint_lt(sds_alloc(s), 2 * SDS_MAX_PREALLOC + need + 8192);
    check_invariants(s);
    sds_free(s);
}
END_TEST

START_TEST(test_make_room_non_greedy) {
    sds s = sds_new("abc");
    s = sds_make_room_for_non_greedy(s, 1000);
    ck_assert_uint_ge(sds_avail(s), 1000);
    ck_assert_uint_lt(sds_alloc(s), 1003 + 64); /* only allocator slack */
    ck_assert_str_eq(s, "abc");
    sds_free(s);
}
END_TEST

START_TEST(test_incr_len) {
    sds s = sds_new("ab");
    s = sds_make_room_for(s, 10);
    memcpy(s + 2, "cdef", 4);
    sds_incr_len(s, 4);
    ck_assert_uint_eq(sds_len(s), 6);
    ck_assert_str_eq(s, "abcdef");
    sds_incr_len(s, -2);
    ck_assert_uint_eq(sds_len(s), 4);
    ck_assert_str_eq(s, "abcd");
    sds_incr_len(s, -4);
    ck_assert_str_eq(s, "");
    sds_set_len(s, 3);
    ck_assert_uint_eq(sds_len(s), 3);
    ck_assert_int_eq(s[3], '\0');
    sds_clear(s);
    ck_assert_uint_eq(sds_len(s), 0);
    ck_assert_uint_ge(sds_avail(s), 12); /* clear keeps the allocation */
    sds_free(s);
}
END_TEST

START_TEST(test_remove_free_space) {
    sds s = sds_new_len(NULL, 1000);
    s = sds_make_room_for(s, 5000);
    sds_range(s, 0, 9);
    ck_assert_uint_eq(sds_len(s), 10);
    size_t before = sds_alloc_size(s);
    s = sds_remove_free_space(s);
    ck_assert_uint_eq(sds_len(s), 10);
    ck_assert_int_eq(type_of(s), SDS_TYPE_8);
    ck_assert_uint_lt(sds_alloc_size(s), before);
    ck_assert_uint_lt(sds_avail(s), 32);
    check_invariants(s);
    sds_free(s);
}
END_TEST

START_TEST(test_grow_zero) {
    sds s = sds_new("ab");
    s = sds_grow_zero(s, 10);
    ck_assert_uint_eq(sds_len(s), 10);
    ck_assert_mem_eq(s, "ab\0\0\0\0\0\0\0\0\0", 11);
    s = sds_grow_zero(s, 4); /* shorter: no-op */
    ck_assert_uint_eq(sds_len(s), 10);
    s = sds_grow_zero(s, 300);
    ck_assert_uint_eq(sds_len(s), 300);
    for (int i = 2; i <= 300; i++) ck_assert_int_eq(s[i], 0);
    check_invariants(s);
    sds_free(s);
}
END_TEST

/* -------------------------------------------------------------- editing */

START_TEST(test_range) {
    struct {
        ssize_t start, end;
        const char *want;
    } cases[] = {
        {0, -1, "Hello World"}, {1, 1, "e"}, {1, -1, "ello World"},
        {-1, -1, "d"}, {-5, -1, "World"}, {-100, 2, "Hel"},
        {2, 1, ""}, {1, 100, "ello World"}, {100, 100, ""},
        {0, 0, "H"}, {-2, -5, ""}, {0, -100, ""}, {10, 10, "d"}, {11, 20, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sds s = sds_new("Hello World");
        sds_range(s, cases[i].start, cases[i].end);
        ck_assert_msg(strcmp(s, cases[i].want) == 0, "range(%zd,%zd) gave '%s' want '%s'",
                      cases[i].start, cases[i].end, s, cases[i].want);
        ck_assert_uint_eq(sds_len(s), strlen(cases[i].want));
        sds_free(s);
    }
    sds e = sds_empty();
    sds_range(e, 0, -1);
    ck_assert_uint_eq(sds_len(e), 0);
    sds_free(e);
}
END_TEST

START_TEST(test_trim) {
    sds s = sds_new(" x:ciao:y ");
    s = sds_trim(s, " xy:");
    ck_assert_str_eq(s, "ciao");
    ck_assert_uint_eq(sds_len(s), 4);
    s = sds_trim(s, "ciao");
    ck_assert_str_eq(s, "");
    ck_assert_uint_eq(sds_len(s), 0);
    sds_free(s);
    s = sds_new("xxAxx");
    s = sds_trim(s, "x");
    ck_assert_str_eq(s, "A");
    sds_free(s);
    s = sds_new("abc");
    s = sds_trim(s, "");
    ck_assert_str_eq(s, "abc");
    sds_free(s);
    /* A NUL byte is data, not a member of every set. */
    s = sds_new_len("\0a ", 3);
    s = sds_trim(s, " ");
    ck_assert_uint_eq(sds_len(s), 2);
    sds_free(s);
}
END_TEST

START_TEST(test_case) {
    sds s = sds_new_len("aBc\0Z1", 6);
    sds_to_upper(s);
    ck_assert_mem_eq(s, "ABC\0Z1", 6);
    sds_to_lower(s);
    ck_assert_mem_eq(s, "abc\0z1", 6);
    sds_free(s);
}
END_TEST

START_TEST(test_cmp) {
    sds a = sds_new("foo"), b = sds_new("foa"), c = sds_new("bar"), d = sds_new("bar");
    sds e = sds_new("barx"), f = sds_new_len("a\0b", 3), g = sds_new_len("a\0c", 3);
    sds z = sds_empty();
    ck_assert_int_gt(sds_cmp(a, b), 0);
    ck_assert_int_lt(sds_cmp(b, a), 0);
    ck_assert_int_eq(sds_cmp(c, d), 0);
    ck_assert_int_lt(sds_cmp(c, e), 0);
    ck_assert_int_gt(sds_cmp(e, c), 0);
    ck_assert_int_lt(sds_cmp(f, g), 0); /* compares past the NUL */
    ck_assert_int_lt(sds_cmp(z, c), 0);
    ck_assert_int_eq(sds_cmp(z, z), 0);
    sds_free(a); sds_free(b); sds_free(c); sds_free(d);
    sds_free(e); sds_free(f); sds_free(g); sds_free(z);
}
END_TEST

/* ------------------------------------------------------------ splitting */

START_TEST(test_split_len) {
    int n;
    sds *t = sds_split_len("a,b,,c,", 7, ",", 1, &n);
    ck_assert_int_eq(n, 5);
    ck_assert_str_eq(t[0], "a");
    ck_assert_str_eq(t[1], "b");
    ck_assert_str_eq(t[2], "");
    ck_assert_str_eq(t[3], "c");
    ck_assert_str_eq(t[4], "");
    sds_free_split_res(t, n);

    t = sds_split_len("foo_-_bar_-_baz", 15, "_-_", 3, &n);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(t[0], "foo");
    ck_assert_str_eq(t[2], "baz");
    sds_free_split_res(t, n);

    t = sds_split_len("a\0b\0c", 5, "\0", 1, &n); /* binary-safe separator */
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(t[1], "b");
    sds_free_split_res(t, n);

    t = sds_split_len("nosep", 5, ",", 1, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(t[0], "nosep");
    sds_free_split_res(t, n);

    /* Many tokens: the result array must grow. */
    t = sds_split_len("1 2 3 4 5 6 7 8 9 10 11 12", 26, " ", 1, &n);
    ck_assert_int_eq(n, 12);
    ck_assert_str_eq(t[11], "12");
    sds_free_split_res(t, n);

    n = 99;
    ck_assert_ptr_null(sds_split_len("", 0, ",", 1, &n));
    ck_assert_int_eq(n, 0);
    n = 99;
    ck_assert_ptr_null(sds_split_len("abc", 3, "", 0, &n));
    ck_assert_int_eq(n, 0);
    sds_free_split_res(NULL, 0);
}
END_TEST

/* One split_args case: the line, then the expected arguments (NULL ends
 * the list); bad lines are listed separately. */
struct args_case {
    const char *line;
    int argc;
    const char *argv[6];
    size_t lens[6];
};

START_TEST(test_split_args_good) {
    static const struct args_case cases[] = {
        {"", 0, {0}, {0}},
        {"   \t\n ", 0, {0}, {0}},
        {"set foo bar", 3, {"set", "foo", "bar"}, {3, 3, 3}},
        {"  lead  and   trail  ", 3, {"lead", "and", "trail"}, {4, 3, 5}},
        {"\"hello world\" x", 2, {"hello world", "x"}, {11, 1}},
        {"\"a\\nb\\r\\t\\b\\a\"", 1, {"a\nb\r\t\b\a"}, {7}},
        {"\"\\\\ \\\" \\z\"", 1, {"\\ \" z"}, {5}},
        {"\"\\x41\\x00\\xff\\x4\"", 1, {"A\0\xffx4"}, {5}},
        {"\"\\x4g\"", 1, {"x4g"}, {3}},
        {"'it\\'s' 'raw \\n'", 2, {"it's", "raw \\n"}, {4, 6}},
        {"'\"' \"'\"", 2, {"\"", "'"}, {1, 1}},
        {"\"\" ''", 2, {"", ""}, {0, 0}},
        {"foo\"bar baz\" q", 2, {"foobar baz", "q"}, {10, 1}},
        {"a\"b\"", 1, {"ab"}, {2}},
        {"x\"y\"\tz", 2, {"xy", "z"}, {2, 1}},
        {"one\ntwo\rthree", 3, {"one", "two", "three"}, {3, 3, 5}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int argc = -1;
        sds *argv = sds_split_args(cases[i].line, &argc);
        ck_assert_msg(argv != NULL, "case %zu refused", i);
        ck_assert_msg(argc == cases[i].argc, "case %zu: argc %d want %d", i, argc, cases[i].argc);
        for (int j = 0; j < argc; j++) {
            ck_assert_uint_eq(sds_len(argv[j]), cases[i].lens[j]);
            ck_assert_msg(memcmp(argv[j], cases[i].argv[j], cases[i].lens[j]) == 0,
                          "case %zu arg %d differs", i, j);
        }
        sds_free_split_res(argv, argc);
    }
}
END_TEST

START_TEST(test_split_args_bad) {
    static const char *bad[] = {
        "\"unterminated", "'unterminated", "ok \"open", "\"a\"b", "'a'b",
        "\"a\"\"b\"", "\"trailing\\", "'x\\'", "\"\\\"",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int argc = 77;
        sds *argv = sds_split_args(bad[i], &argc);
        ck_assert_msg(argv == NULL, "'%s' accepted", bad[i]);
        ck_assert_int_eq(argc, 0);
    }
}
END_TEST

START_TEST(test_split_args_many) {
    sds line = sds_empty();
    for (int i = 0; i < 100; i++) line = sds_cat_printf(line, "\"arg %d\" ", i);
    int argc;
    sds *argv = sds_split_args(line, &argc);
    ck_assert_int_eq(argc, 100);
    ck_assert_str_eq(argv[99], "arg 99");
    sds_free_split_res(argv, argc);
    sds_free(line);
}
END_TEST

START_TEST(test_join) {
    char *argv[] = {"a", "bb", "", "c"};
    sds s = sds_join(argv, 4, ", ");
    ck_assert_str_eq(s, "a, bb, , c");
    sds_free(s);
    s = sds_join(argv, 0, ",");
    ck_assert_str_eq(s, "");
    sds_free(s);
    s = sds_join(argv, 1, ",");
    ck_assert_str_eq(s, "a");
    sds_free(s);
}
END_TEST

static Suite *sds_suite(void) {
    Suite *s = suite_create("sds");
    TCase *tc = tcase_create("create");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_new_and_len);
    tcase_add_test(tc, test_new_picks_smallest_header);
    tcase_add_test(tc, test_alloc_uses_allocator_slack);
    tcase_add_test(tc, test_dup_is_independent);
    tcase_add_test(tc, test_from_ll);
    suite_add_tcase(s, tc);

    tc = tcase_create("append");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cat);
    tcase_add_test(tc, test_cpy);
    tcase_add_test(tc, test_printf);
    tcase_add_test(tc, test_cat_repr);
    suite_add_tcase(s, tc);

    tc = tcase_create("growth");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_growth_across_header_types);
    tcase_add_test(tc, test_exact_type_boundaries);
    tcase_add_test(tc, test_make_room_greedy);
    tcase_add_test(tc, test_make_room_non_greedy);
    tcase_add_test(tc, test_incr_len);
    tcase_add_test(tc, test_remove_free_space);
    tcase_add_test(tc, test_grow_zero);
    suite_add_tcase(s, tc);

    tc = tcase_create("edit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_range);
    tcase_add_test(tc, test_trim);
    tcase_add_test(tc, test_case);
    tcase_add_test(tc, test_cmp);
    suite_add_tcase(s, tc);

    tc = tcase_create("split");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_split_len);
    tcase_add_test(tc, test_split_args_good);
    tcase_add_test(tc, test_split_args_bad);
    tcase_add_test(tc, test_split_args_many);
    tcase_add_test(tc, test_join);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(sds_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
