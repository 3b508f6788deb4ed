/* test_resp.c -- Check tests for resp.c: the request parser and encoders.
 *
 * Expected parser behaviour (error texts, what waits for more bytes, what
 * is skipped) was taken from a real redis-server 7.0 fed the same bytes.
 * Most parser tests go through a "transcript": the commands and the final
 * state a caller sees for an input presented in given chunks, so the same
 * input can be checked whole and split at every point. Every test ends by
 * checking that zmalloc's byte count is back where it started. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"
#include "sds.h"
#include "zmalloc.h"

#define DEFAULT_MAX_BULK (512LL * 1024 * 1024)

static const resp_limits AUTHED = {DEFAULT_MAX_BULK, 1};
static const resp_limits UNAUTHED = {DEFAULT_MAX_BULK, 0};

/* ------------------------------------------------------------ helpers */

static size_t mem_at_start;

static void leak_setup(void) {
    mem_at_start = zmalloc_used_memory();
}

static void leak_teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

/* Feeds in[0..len) to a fresh parser the way a server would: the chunk
 * boundaries are cuts[0..ncuts) (increasing offsets); after each chunk the
 * parser runs until it needs more, dropping consumed bytes. Returns a new
 * sds describing what happened: each command as "[arg,arg]" (quoted), then
 * "ERR:<text>" or "MORE:<argc>/<multibulk_len>/<bulk_len>/<kept bytes>". */
static sds transcript(const char *in, size_t len, const size_t *cuts, int ncuts,
                      const resp_limits *lim) {
    resp_parser p;
    resp_parser_init(&p);
    sds out = sds_empty();
    sds pending = sds_empty();
    size_t fed = 0;
    for (int c = 0; c <= ncuts; c++) {
        size_t upto = c < ncuts ? cuts[c] : len;
        pending = sds_cat_len(pending, in + fed, upto - fed);
        fed = upto;
        for (;;) {
            size_t consumed = (size_t)-1;
            resp_parse_result r = resp_parse(&p, pending, sds_len(pending), lim, &consumed);
            ck_assert_uint_le(consumed, sds_len(pending));
            if (consumed == sds_len(pending)) sds_clear(pending);
            else sds_range(pending, (ssize_t)consumed, -1);
            if (r == RESP_PARSE_NEED_MORE) break;
            if (r == RESP_PARSE_ERROR) {
                ck_assert_ptr_nonnull(p.error);
                out = sds_cat_printf(out, "ERR:%s", p.error);
                goto done;
            }
            ck_assert_int_gt(p.argc, 0);
            out = sds_cat(out, "[");
            for (int j = 0; j < p.argc; j++) {
                if (j) out = sds_cat(out, ",");
                out = sds_cat_repr(out, p.argv[j], sds_len(p.argv[j]));
            }
            out = sds_cat(out, "]");
            resp_parser_reset(&p);
        }
    }
    out = sds_cat_printf(out, "MORE:%d/%ld/%lld/%zu", p.argc, p.multibulk_len, p.bulk_len,
                         sds_len(pending));
done:
    sds_free(pending);
    resp_parser_free(&p);
    return out;
}

static sds whole(const char *in, size_t len, const resp_limits *lim) {
    return transcript(in, len, NULL, 0, lim);
}

/* Asserts the whole-input transcript equals want. */
static void check_whole(const char *in, size_t len, const resp_limits *lim, const char *want) {
    sds got = whole(in, len, lim);
    ck_assert_msg(strcmp(got, want) == 0, "input %.60s...: got <%s> want <%s>", in, got, want);
    sds_free(got);
}
#define CHECK_WHOLE(lit, lim, want) check_whole(lit, sizeof(lit) - 1, lim, want)

/* Asserts every two-chunk split, and every three-chunk split whose cuts
 * are a multiple of stride3 apart from 0, gives the whole-input answer. */
static void check_splits(const char *in, size_t len, const resp_limits *lim, size_t stride3) {
    sds ref = whole(in, len, lim);
    for (size_t i = 0; i <= len; i++) {
        sds got = transcript(in, len, &i, 1, lim);
        ck_assert_msg(strcmp(got, ref) == 0, "split at %zu: <%s> vs <%s>", i, got, ref);
        sds_free(got);
    }
    for (size_t i = 0; i <= len; i += stride3) {
        for (size_t j = i; j <= len; j++) {
            size_t cuts[2] = {i, j};
            sds got = transcript(in, len, cuts, 2, lim);
            ck_assert_msg(strcmp(got, ref) == 0, "split at %zu,%zu: <%s> vs <%s>", i, j, got, ref);
            sds_free(got);
        }
    }
    sds_free(ref);
}

/* Returns new sds of n copies of c, after prefix and before suffix (both
 * binary: lengths given). */
static sds make_run_len(const char *prefix, size_t plen, char c, size_t n, const char *suffix,
                        size_t slen) {
    sds s = sds_new_len(prefix, plen);
    s = sds_grow_zero(s, plen + n);
    memset(s + plen, c, n);
    return sds_cat_len(s, suffix, slen);
}
#define make_run(prefix, c, n, suffix) \
    make_run_len(prefix, sizeof(prefix) - 1, c, n, suffix, sizeof(suffix) - 1)

/* ------------------------------------------------------------ valid input */

START_TEST(test_inline_basic) {
    CHECK_WHOLE("SET foo bar\r\n", &AUTHED, "[\"SET\",\"foo\",\"bar\"]MORE:0/0/-1/0");
    CHECK_WHOLE("PING\n", &AUTHED, "[\"PING\"]MORE:0/0/-1/0");
    CHECK_WHOLE("  ECHO   a  \r\n", &AUTHED, "[\"ECHO\",\"a\"]MORE:0/0/-1/0");
    /* Only one '\r' is stripped; the next is a separator for the splitter. */
    CHECK_WHOLE("ECHO a\r\r\n", &AUTHED, "[\"ECHO\",\"a\"]MORE:0/0/-1/0");
    CHECK_WHOLE("PING\rX\n", &AUTHED, "[\"PING\",\"X\"]MORE:0/0/-1/0");
    CHECK_WHOLE("ECHO \"a b\" 'c\\'d' \"\\x41\\n\"\r\n", &AUTHED,
                "[\"ECHO\",\"a b\",\"c'd\",\"A\\n\"]MORE:0/0/-1/0");
    CHECK_WHOLE("PING", &AUTHED, "MORE:0/0/-1/4");
}
END_TEST

START_TEST(test_inline_consumed) {
    resp_parser p;
    resp_parser_init(&p);
    const char in[] = "GET k\r\nPING";
    size_t consumed = 0;
    ck_assert_int_eq(resp_parse(&p, in, sizeof(in) - 1, &AUTHED, &consumed), RESP_PARSE_OK);
    ck_assert_uint_eq(consumed, 7);
    ck_assert_int_eq(p.argc, 2);
    ck_assert_str_eq(p.argv[0], "GET");
    ck_assert_uint_eq(sds_len(p.argv[1]), 1);
    resp_parser_reset(&p);
    ck_assert_int_eq(resp_parse(&p, in + 7, 4, &AUTHED, &consumed), RESP_PARSE_NEED_MORE);
    ck_assert_uint_eq(consumed, 0);
    resp_parser_free(&p);
}
END_TEST

START_TEST(test_multibulk_binary) {
    static const char in[] = "*4\r\n$3\r\nSET\r\n$5\r\na\0b\r\n\r\n$0\r\n\r\n$4\r\n\r\n\r\n\r\n";
    resp_parser p;
    resp_parser_init(&p);
    size_t consumed = 0;
    ck_assert_int_eq(resp_parse(&p, in, sizeof(in) - 1, &AUTHED, &consumed), RESP_PARSE_OK);
    ck_assert_uint_eq(consumed, sizeof(in) - 1);
    ck_assert_int_eq(p.argc, 4);
    ck_assert_uint_eq(sds_len(p.argv[0]), 3);
    ck_assert_int_eq(memcmp(p.argv[1], "a\0b\r\n", 5), 0);
    ck_assert_uint_eq(sds_len(p.argv[1]), 5);
    ck_assert_uint_eq(sds_len(p.argv[2]), 0);
    ck_assert_int_eq(memcmp(p.argv[3], "\r\n\r\n", 4), 0);
    /* Each argument is allocated for exactly its length (the slack is the
     * allocator's rounding only, as for any fresh sds of that length). */
    sds fresh = sds_new_len("12345", 5);
    ck_assert_uint_eq(sds_alloc(p.argv[1]), sds_alloc(fresh));
    sds_free(fresh);
    resp_parser_free(&p);
}
END_TEST

START_TEST(test_multibulk_trailer_unchecked) {
    /* Redis skips the two bytes after a bulk and after "\r" without
     * looking at them. */
    CHECK_WHOLE("*1\r\n$4\r\nPINGXX", &AUTHED, "[\"PING\"]MORE:0/0/-1/0");
    CHECK_WHOLE("*1\rX$4\r\nPINGXX*1\r\n$4\r\nPING\r\n", &AUTHED,
                "[\"PING\"][\"PING\"]MORE:0/0/-1/0");
    CHECK_WHOLE("*2\r\n$3\rxfoo\r\n$0\r\n\r\n", &AUTHED, "[\"foo\",\"\"]MORE:0/0/-1/0");
}
END_TEST

START_TEST(test_pipeline) {
    static const char in[] = "PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nSET a b\n"
                             "*1\r\n$4\r\nQUIT\r\n";
    resp_parser p;
    resp_parser_init(&p);
    const char *want[][3] = {{"PING"}, {"ECHO", "hi"}, {"SET", "a", "b"}, {"QUIT"}};
    const int wantc[] = {1, 2, 3, 1};
    size_t pos = 0, consumed;
    for (int c = 0; c < 4; c++) {
        ck_assert_int_eq(resp_parse(&p, in + pos, sizeof(in) - 1 - pos, &AUTHED, &consumed),
                         RESP_PARSE_OK);
        ck_assert_int_eq(p.argc, wantc[c]);
        for (int j = 0; j < wantc[c]; j++) ck_assert_str_eq(p.argv[j], want[c][j]);
        pos += consumed;
        resp_parser_reset(&p);
    }
    ck_assert_uint_eq(pos, sizeof(in) - 1);
    ck_assert_int_eq(resp_parse(&p, in + pos, 0, &AUTHED, &consumed), RESP_PARSE_NEED_MORE);
    ck_assert_uint_eq(consumed, 0);
    resp_parser_free(&p);
}
END_TEST

START_TEST(test_empty_requests_skipped) {
    CHECK_WHOLE("\r\n\n   \r\n*0\r\n*-1\r\n*-7\r\nPING\r\n", &AUTHED,
                "[\"PING\"]MORE:0/0/-1/0");
    /* Skipped requests are consumed even when nothing follows. */
    resp_parser p;
    resp_parser_init(&p);
    size_t consumed = 0;
    ck_assert_int_eq(resp_parse(&p, "*0\r\n\r\n", 6, &AUTHED, &consumed), RESP_PARSE_NEED_MORE);
    ck_assert_uint_eq(consumed, 6);
    ck_assert_int_eq(p.req_type, RESP_REQ_NONE);
    resp_parser_free(&p);
}
END_TEST

START_TEST(test_incremental_consumed) {
    resp_parser p;
    resp_parser_init(&p);
    size_t consumed = 0;
    const char part1[] = "*2\r\n$3\r\nfoo\r\n$3\r\nba";
    ck_assert_int_eq(resp_parse(&p, part1, sizeof(part1) - 1, &AUTHED, &consumed),
                     RESP_PARSE_NEED_MORE);
    /* The "*2" and "$3" headers and the complete "foo" are consumed. */
    ck_assert_uint_eq(consumed, sizeof(part1) - 1 - 2);
    ck_assert_int_eq(p.argc, 1);
    ck_assert_int_eq(p.multibulk_len, 1);
    ck_assert_int_eq(p.bulk_len, 3);
    ck_assert_int_eq(resp_parse(&p, "bar\r", 4, &AUTHED, &consumed), RESP_PARSE_NEED_MORE);
    ck_assert_uint_eq(consumed, 0);
    ck_assert_int_eq(resp_parse(&p, "bar\r\n", 5, &AUTHED, &consumed), RESP_PARSE_OK);
    ck_assert_uint_eq(consumed, 5);
    ck_assert_int_eq(p.argc, 2);
    ck_assert_str_eq(p.argv[1], "bar");
    resp_parser_free(&p);
}
END_TEST

/* Valid inputs of every shape, checked at every split point. */
#define IN(lit) {lit, sizeof(lit) - 1}
static const struct {
    const char *in;
    size_t len;
} split_inputs[] = {
    IN("*3\r\n$3\r\nSET\r\n$5\r\na\0b\r\n\r\n$0\r\n\r\nPING\r\n"),
    IN("\r\n*0\r\nSET  \"x y\" 'z'\n*-1\r\n*1\r\n$4\r\nPING\r\n\n*2\r\n$1\r\n*\r\n$2\r\n$$\r\n"),
    IN("*1\r\n$12\r\n*1\r\n$4\r\nPING\r\n*1\rX$2\r\nabYY*2\r\n$0\r\n\r\n$10\r\n0123456789\r\nEC"),
    IN("*12\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n"
    "$1\r\ng\r\n$1\r\nh\r\n$1\r\ni\r\n$1\r\nj\r\n$1\r\nk\r\n$1\r\nl\r\n*3\r\n$1"),
};
#undef IN

START_TEST(test_every_split_valid) {
    check_splits(split_inputs[_i].in, split_inputs[_i].len, &AUTHED, 3);
}
END_TEST

/* Malformed inputs must reach the same error at every split too. */
START_TEST(test_every_split_errors) {
    static const char *const bad[] = {
        "PING\r\n*1\r\n$4\r\nPING\r\n*1\r\nX\r\n",
        "*1\r\n$4\r\nPING\r\n*2\r\n$-1\r\n",
        "PING\r\nECHO \"a\r\n",
        "*3\r\n$1\r\na\r\n*11\r\n",
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
        check_splits(bad[k], strlen(bad[k]), &UNAUTHED, 3);
}
END_TEST

/* A big bulk: splits land inside its data, headers and trailer. */
START_TEST(test_every_split_big_bulk) {
    sds in = make_run("*2\r\n$3\r\nSET\r\n$40000\r\n", 'v', 40000, "\r\n*1\r\n$4\r\nPING\r\n");
    sds ref = whole(in, sds_len(in), &AUTHED);
    ck_assert_int_eq(strncmp(ref, "[\"SET\",\"vvv", 11), 0);
    for (size_t i = 0; i <= sds_len(in); i += 97) {
        sds got = transcript(in, sds_len(in), &i, 1, &AUTHED);
        ck_assert_str_eq(got, ref);
        sds_free(got);
    }
    sds_free(ref);
    sds_free(in);
}
END_TEST

/* ------------------------------------------------------------ errors */

typedef struct {
    const char *in;
    size_t len; /* 0: strlen(in) */
    int authenticated;
    long long max_bulk;
    const char *want; /* transcript */
} bad_case;

#define E(t) "ERR:Protocol error: " t
static const bad_case bad_cases[] = {
    {"*2147483648\r\n", 0, 1, 0, E("invalid multibulk length")},
    {"*-0\r\n", 0, 1, 0, E("invalid multibulk length")},
    {"*+1\r\n", 0, 1, 0, E("invalid multibulk length")},
    {"*\r\n", 0, 1, 0, E("invalid multibulk length")},
    {"* 1\r\n", 0, 1, 0, E("invalid multibulk length")},
    {"*01\r\n", 0, 1, 0, E("invalid multibulk length")},
    {"*1x\r\n", 0, 1, 0, E("invalid multibulk length")},
    {"*99999999999999999999\r\n", 0, 1, 0, E("invalid multibulk length")},
    {"*1\r\nX\r\n", 0, 1, 0, E("expected '$', got 'X'")},
    {"*1\r\n\r\n", 0, 1, 0, E("expected '$', got ' '")},
    {"*1\r\n\n\r\n", 0, 1, 0, E("expected '$', got ' '")},
    {"*1\r\n\x01\r\n", 0, 1, 0, E("expected '$', got '\x01'")},
    {"*1\r\n\xff\r\n", 0, 1, 0, E("expected '$', got '\xff'")},
    {"*2\r\n$1\r\na\r\n:1\r\n", 0, 1, 0, E("expected '$', got ':'")},
    {"*1\r\n$-1\r\n", 0, 1, 0, E("invalid bulk length")},
    {"*1\r\n$abc\r\n", 0, 1, 0, E("invalid bulk length")},
    {"*1\r\n$\r\n", 0, 1, 0, E("invalid bulk length")},
    {"*1\r\n$04\r\n", 0, 1, 0, E("invalid bulk length")},
    {"*1\r\n$-0\r\n", 0, 1, 0, E("invalid bulk length")},
    {"*1\r\n$9223372036854775808\r\n", 0, 1, 0, E("invalid bulk length")},
    {"*1\r\n$536870913\r\n", 0, 1, 0, E("invalid bulk length")},
    {"ECHO \"a\r\n", 0, 1, 0, E("unbalanced quotes in request")},
    {"ECHO \"a\"b\r\n", 0, 1, 0, E("unbalanced quotes in request")},
    {"ECHO 'a\r\n", 0, 1, 0, E("unbalanced quotes in request")},
    /* Unauthenticated caps. */
    {"*11\r\n", 0, 0, 0, E("unauthenticated multibulk length")},
    {"*1048577\r\n", 0, 0, 0, E("unauthenticated multibulk length")},
    {"*2147483648\r\n", 0, 0, 0, E("invalid multibulk length")},
    {"*1\r\n$16385\r\n", 0, 0, 0, E("unauthenticated bulk length")},
    {"*1\r\n$-1\r\n", 0, 0, 0, E("invalid bulk length")},
    {"*1\r\n$536870913\r\n", 0, 0, 0, E("invalid bulk length")},
    /* ... which leave in-limit requests alone, and are off once authed. */
    {"*10\r\n", 0, 0, 0, "MORE:0/10/-1/0"},
    {"*1\r\n$16384\r\n", 0, 0, 0, "MORE:0/1/16384/0"},
    {"*11\r\n", 0, 1, 0, "MORE:0/11/-1/0"},
    {"*1\r\n$16385\r\n", 0, 1, 0, "MORE:0/1/16385/0"},
    {"*1048577\r\n", 0, 1, 0, "MORE:0/1048577/-1/0"},
    {"*2147483647\r\n", 0, 1, 0, "MORE:0/2147483647/-1/0"},
    {"*1\r\n$536870912\r\n", 0, 1, 0, "MORE:0/1/536870912/0"},
    /* proto-max-bulk-len. */
    {"*1\r\n$100\r\n", 0, 1, 100, "MORE:0/1/100/0"},
    {"*1\r\n$101\r\n", 0, 1, 100, E("invalid bulk length")},
    {"*1\r\n$0\r\n\r\n", 0, 1, 0, "[\"\"]MORE:0/0/-1/0"},
    {"*1\r\n$1\r\n", 0, 1, 0, "MORE:0/1/1/0"},
    /* Redis waits here: the line is not complete for it. */
    {"*1\r\nX", 0, 1, 0, "MORE:0/1/-1/1"},
    {"*1\r\n$", 0, 1, 0, "MORE:0/1/-1/1"},
    {"*1\r\n$3\r", 0, 1, 0, "MORE:0/1/-1/3"},
    {"*1\r", 0, 1, 0, "MORE:0/0/-1/3"},
    /* A NUL before the '\r' or '\n' hides the line end (strchr). */
    {"*1\r\n\0\r\n", 7, 1, 0, "MORE:0/1/-1/3"},
    {"*1\r\n\0" "1\r\na\r\n", 10, 1, 0, "MORE:0/1/-1/6"},
    {"*1\r\nX1\r\na\r\n", 0, 1, 0, E("expected '$', got 'X'")},
    {"*1\0\r\n", 5, 1, 0, "MORE:0/0/-1/5"},
    {"\0PING\r\n", 7, 1, 0, "MORE:0/0/-1/7"},
    {"ECHO a\0b\r\nPING\r\n", 16, 1, 0, "MORE:0/0/-1/16"},
};
#undef E

START_TEST(test_error_catalogue) {
    const bad_case *c = &bad_cases[_i];
    resp_limits lim = {c->max_bulk ? c->max_bulk : DEFAULT_MAX_BULK, c->authenticated};
    size_t len = c->len ? c->len : strlen(c->in);
    check_whole(c->in, len, &lim, c->want);
    check_splits(c->in, len, &lim, 1);
}
END_TEST

START_TEST(test_error_state) {
    /* Commands before the bad one come out; then ERROR, with *consumed
     * covering them only, and the same ERROR if called again. */
    static const char in[] = "PING\r\n*1\r\nX\r\n";
    resp_parser p;
    resp_parser_init(&p);
    size_t consumed = 0;
    ck_assert_int_eq(resp_parse(&p, in, sizeof(in) - 1, &UNAUTHED, &consumed), RESP_PARSE_OK);
    ck_assert_uint_eq(consumed, 6);
    resp_parser_reset(&p);
    ck_assert_ptr_null(p.error);
    ck_assert_int_eq(resp_parse(&p, in + 6, sizeof(in) - 7, &UNAUTHED, &consumed),
                     RESP_PARSE_ERROR);
    ck_assert_uint_le(consumed, 4);
    ck_assert_str_eq(p.error, "Protocol error: expected '$', got 'X'");
    /* Arguments read before the error are freed by free (leak check). */
    static const char in2[] = "*3\r\n$1\r\na\r\n$1\r\nb\r\n$x\r\n";
    resp_parser_reset(&p);
    ck_assert_int_eq(resp_parse(&p, in2, sizeof(in2) - 1, &AUTHED, &consumed), RESP_PARSE_ERROR);
    ck_assert_int_eq(p.argc, 2);
    ck_assert_str_eq(p.error, "Protocol error: invalid bulk length");
    resp_parser_free(&p);
}
END_TEST

/* Header lines and inline requests are capped at RESP_INLINE_MAX_BYTES;
 * boundaries as real Redis shows them when the bytes come in one read. */
START_TEST(test_too_big) {
    const size_t max = RESP_INLINE_MAX_BYTES;
    struct {
        sds in;
        const char *want;
    } t[] = {
        {make_run("*", '1', max - 1, ""), "MORE:0/0/-1/65536"},
        {make_run("*", '1', max, ""), "ERR:Protocol error: too big mbulk count string"},
        {make_run("*", '1', max, "\r\n"), "ERR:Protocol error: too big mbulk count string"},
        {make_run("*1\r\n$", '1', max - 1, ""), "MORE:0/1/-1/65536"},
        {make_run("*1\r\n$", '1', max, ""), "ERR:Protocol error: too big bulk count string"},
        {make_run("*1\r\n$", '1', max + 10, "\r\n"), "ERR:Protocol error: too big bulk count string"},
        /* Hidden line ends wait only up to the cap. */
        {make_run("*1\r\n\0", 'x', max - 3, "\r\n"), "MORE:0/1/-1/65536"},
        {make_run("*1\r\n\0", 'x', max, ""), "ERR:Protocol error: too big bulk count string"},
        {make_run("*1\0", 'x', max, ""), "ERR:Protocol error: too big mbulk count string"},
        {make_run("ECHO a\0", 'x', max, "\n"), "ERR:Protocol error: too big inline request"},
        /* Inline: 65536 bytes of text are fine, with or without "\r\n". */
        {make_run("ECHO ", 'a', max - 5, ""), "MORE:0/0/-1/65536"},
        {make_run("ECHO ", 'a', max - 5, "\r"), "MORE:0/0/-1/65537"},
        {make_run("ECHO ", 'a', max - 4, ""), "ERR:Protocol error: too big inline request"},
        {make_run("ECHO ", 'a', max - 5, "x\r"), "ERR:Protocol error: too big inline request"},
        /* A longer complete line is refused too (see resp.c: Redis would
         * take it if all of it came in one read, but not across reads). */
        {make_run("ECHO ", 'a', max - 4, "\r\n"), "ERR:Protocol error: too big inline request"},
    };
    for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
        sds got = whole(t[k].in, sds_len(t[k].in), &AUTHED);
        ck_assert_msg(strcmp(got, t[k].want) == 0, "case %zu: got <%s> want <%s>", k, got,
                      t[k].want);
        sds_free(got);
        /* A few splits, around the cap and the ends. */
        size_t cuts[] = {1, 5, max - 1, max, max + 1, sds_len(t[k].in) - 1};
        for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
            if (cuts[c] > sds_len(t[k].in)) continue;
            got = transcript(t[k].in, sds_len(t[k].in), &cuts[c], 1, &AUTHED);
            ck_assert_msg(strcmp(got, t[k].want) == 0, "case %zu cut %zu: <%s>", k, cuts[c], got);
            sds_free(got);
        }
        sds_free(t[k].in);
    }
    /* A full-size inline text plus CRLF parses, at any split. */
    sds in = make_run("ECHO ", 'a', max - 5, "\r\n");
    resp_parser p;
    resp_parser_init(&p);
    size_t consumed = 0;
    ck_assert_int_eq(resp_parse(&p, in, sds_len(in), &AUTHED, &consumed), RESP_PARSE_OK);
    ck_assert_uint_eq(consumed, max + 2);
    ck_assert_uint_eq(sds_len(p.argv[1]), max - 5);
    resp_parser_free(&p);
    size_t cut = max + 1;
    sds ref = whole(in, sds_len(in), &AUTHED);
    sds got = transcript(in, sds_len(in), &cut, 1, &AUTHED);
    ck_assert_str_eq(got, ref);
    sds_free(got);
    sds_free(ref);
    sds_free(in);
}
END_TEST

/* ------------------------------------------------------------ argv */

START_TEST(test_argv_reuse_and_ownership) {
    resp_parser p;
    resp_parser_init(&p);
    sds in = sds_new("*100\r\n");
    for (int j = 0; j < 100; j++) in = sds_cat_printf(in, "$%d\r\n%d\r\n", j < 10 ? 1 : 2, j);
    size_t consumed;
    ck_assert_int_eq(resp_parse(&p, in, sds_len(in), &AUTHED, &consumed), RESP_PARSE_OK);
    ck_assert_int_eq(p.argc, 100);
    ck_assert_str_eq(p.argv[99], "99");
    ck_assert_int_eq(p.argv_cap, 128); /* 8 doubled four times */
    sds *arr = p.argv;
    /* The caller takes argument 5; reset must not free it. */
    sds taken = p.argv[5];
    p.argv[5] = NULL;
    resp_parser_reset(&p);
    ck_assert_int_eq(p.argc, 0);
    ck_assert_int_eq(p.argv_cap, 128);
    ck_assert_str_eq(taken, "5");
    sds_free(taken);
    ck_assert_int_eq(resp_parse(&p, "*1\r\n$1\r\nx\r\n", 11, &AUTHED, &consumed), RESP_PARSE_OK);
    ck_assert_ptr_eq(p.argv, arr);
    ck_assert_int_eq(p.argv_cap, 128);
    resp_parser_free(&p);
    ck_assert_ptr_null(p.argv);
    sds_free(in);
}
END_TEST

START_TEST(test_huge_count_small_alloc) {
    /* A claimed count of INT_MAX must not allocate INT_MAX slots. */
    resp_parser p;
    resp_parser_init(&p);
    size_t consumed;
    ck_assert_int_eq(resp_parse(&p, "*2147483647\r\n$1\r\na\r\n", 20, &AUTHED, &consumed),
                     RESP_PARSE_NEED_MORE);
    ck_assert_int_eq(p.argc, 1);
    ck_assert_int_le(p.argv_cap, 64);
    resp_parser_free(&p);
}
END_TEST

/* ------------------------------------------------------------ encoders */

static void check_bytes(sds s, const char *want, size_t wantlen) {
    ck_assert_msg(sds_len(s) == wantlen && memcmp(s, want, wantlen) == 0, "got %zu bytes <%s>",
                  sds_len(s), s);
    sds_free(s);
}
#define CHECK_BYTES(expr, lit) check_bytes(expr, lit, sizeof(lit) - 1)

START_TEST(test_fmt_header) {
    char buf[RESP_HEADER_MAX];
    ck_assert_uint_eq(resp_fmt_header(buf, '*', 3), 4);
    ck_assert_str_eq(buf, "*3\r\n");
    ck_assert_uint_eq(resp_fmt_header(buf, '$', -1), 5);
    ck_assert_str_eq(buf, "$-1\r\n");
    ck_assert_uint_eq(resp_fmt_header(buf, ':', LLONG_MIN), 23);
    ck_assert_str_eq(buf, ":-9223372036854775808\r\n");
    ck_assert_uint_eq(resp_fmt_header(buf, '%', LLONG_MAX), 22);
    ck_assert_str_eq(buf, "%9223372036854775807\r\n");
}
END_TEST

START_TEST(test_fmt_double) {
    /* Bytes as redis-server 7.0 sends ZSCORE under HELLO 2 / HELLO 3. */
    struct {
        double d;
        const char *r2, *r3;
    } t[] = {
        {1.5, "$3\r\n1.5\r\n", ",1.5\r\n"},
        {3, "$1\r\n3\r\n", ",3\r\n"},
        {0.1, "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"},
        {1e17, "$5\r\n1e+17\r\n", ",1e+17\r\n"},
        {-0.0, "$2\r\n-0\r\n", ",-0\r\n"}, /* ZINCRBY z -0 m on a skiplist set */
        {INFINITY, "$3\r\ninf\r\n", ",inf\r\n"},
        {-INFINITY, "$4\r\n-inf\r\n", ",-inf\r\n"},
        {-2.5e-300, "$9\r\n-2.5e-300\r\n", ",-2.5e-300\r\n"},
        {-1.2345678901234567e-308, "$24\r\n-1.2345678901234567e-308\r\n",
         ",-1.2345678901234567e-308\r\n"},
    };
    char buf[RESP_DOUBLE_MAX];
    for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
        ck_assert_uint_eq(resp_fmt_double(buf, RESP_PROTO_2, t[k].d), strlen(t[k].r2));
        ck_assert_str_eq(buf, t[k].r2);
        ck_assert_uint_eq(resp_fmt_double(buf, RESP_PROTO_3, t[k].d), strlen(t[k].r3));
        ck_assert_str_eq(buf, t[k].r3);
        /* The appender adds the same bytes after what is there. */
        sds want = sds_cat(sds_new("x"), t[k].r2);
        check_bytes(resp_cat_double(sds_new("x"), RESP_PROTO_2, t[k].d), want, sds_len(want));
        sds_free(want);
    }
}
END_TEST

START_TEST(test_cat_scalars) {
    CHECK_BYTES(resp_cat_simple(sds_empty(), "OK"), "+OK\r\n");
    CHECK_BYTES(resp_cat_error(sds_empty(), "ERR bad"), "-ERR bad\r\n");
    CHECK_BYTES(resp_cat_integer(sds_empty(), -42), ":-42\r\n");
    CHECK_BYTES(resp_cat_bulk(sds_empty(), "a\0\r\n", 4), "$4\r\na\0\r\n\r\n");
    CHECK_BYTES(resp_cat_bulk(sds_empty(), "", 0), "$0\r\n\r\n");
    CHECK_BYTES(resp_cat_null(sds_empty(), RESP_PROTO_2), "$-1\r\n");
    CHECK_BYTES(resp_cat_null(sds_empty(), RESP_PROTO_3), "_\r\n");
    CHECK_BYTES(resp_cat_null_array(sds_empty(), RESP_PROTO_2), "*-1\r\n");
    CHECK_BYTES(resp_cat_null_array(sds_empty(), RESP_PROTO_3), "_\r\n");
    CHECK_BYTES(resp_cat_bool(sds_empty(), RESP_PROTO_2, 1), ":1\r\n");
    CHECK_BYTES(resp_cat_bool(sds_empty(), RESP_PROTO_2, 0), ":0\r\n");
    CHECK_BYTES(resp_cat_bool(sds_empty(), RESP_PROTO_3, 7), "#t\r\n");
    CHECK_BYTES(resp_cat_bool(sds_empty(), RESP_PROTO_3, 0), "#f\r\n");
    CHECK_BYTES(resp_cat_double(sds_empty(), RESP_PROTO_2, 2.5), "$3\r\n2.5\r\n");
    CHECK_BYTES(resp_cat_double(sds_empty(), RESP_PROTO_3, -INFINITY), ",-inf\r\n");
    CHECK_BYTES(resp_cat_bignum(sds_empty(), RESP_PROTO_3, "123456789012345678901", 21),
                "(123456789012345678901\r\n");
    CHECK_BYTES(resp_cat_bignum(sds_empty(), RESP_PROTO_2, "-12", 3), "$3\r\n-12\r\n");
    CHECK_BYTES(resp_cat_verbatim(sds_empty(), RESP_PROTO_3, "hi\r\n", 4, "txt"),
                "=8\r\ntxt:hi\r\n\r\n");
    CHECK_BYTES(resp_cat_verbatim(sds_empty(), RESP_PROTO_3, "x", 1, "m"), "=5\r\nm  :x\r\n");
    CHECK_BYTES(resp_cat_verbatim(sds_empty(), RESP_PROTO_3, "x", 1, "mkdown"), "=5\r\nmkd:x\r\n");
    CHECK_BYTES(resp_cat_verbatim(sds_empty(), RESP_PROTO_2, "hi", 2, "txt"), "$2\r\nhi\r\n");
}
END_TEST

START_TEST(test_cat_aggregates) {
    CHECK_BYTES(resp_cat_array_len(sds_empty(), 0), "*0\r\n");
    CHECK_BYTES(resp_cat_array_len(sds_empty(), -1), "*-1\r\n");
    CHECK_BYTES(resp_cat_map_len(sds_empty(), RESP_PROTO_3, 2), "%2\r\n");
    CHECK_BYTES(resp_cat_map_len(sds_empty(), RESP_PROTO_2, 2), "*4\r\n");
    CHECK_BYTES(resp_cat_set_len(sds_empty(), RESP_PROTO_3, 5), "~5\r\n");
    CHECK_BYTES(resp_cat_set_len(sds_empty(), RESP_PROTO_2, 5), "*5\r\n");
    CHECK_BYTES(resp_cat_push_len(sds_empty(), RESP_PROTO_3, 3), ">3\r\n");
    CHECK_BYTES(resp_cat_push_len(sds_empty(), RESP_PROTO_2, 3), "*3\r\n");
    /* Appenders append: a whole reply built in one sds. */
    sds s = resp_cat_map_len(sds_new("+x\r\n"), RESP_PROTO_3, 1);
    s = resp_cat_bulk(s, "k", 1);
    s = resp_cat_integer(s, 7);
    CHECK_BYTES(s, "+x\r\n%1\r\n$1\r\nk\r\n:7\r\n");
}
END_TEST

/* The parser reads back what the encoders write as a request. */
START_TEST(test_roundtrip) {
    sds req = resp_cat_array_len(sds_empty(), 3);
    req = resp_cat_bulk(req, "SET", 3);
    req = resp_cat_bulk(req, "k\0", 2);
    req = resp_cat_bulk(req, "", 0);
    check_whole(req, sds_len(req), &AUTHED, "[\"SET\",\"k\\x00\",\"\"]MORE:0/0/-1/0");
    sds_free(req);
}
END_TEST

/* ------------------------------------------------------------ main */

static Suite *resp_suite(void) {
    Suite *s = suite_create("resp");

    TCase *valid = tcase_create("parse_valid");
    tcase_add_checked_fixture(valid, leak_setup, leak_teardown);
    tcase_add_test(valid, test_inline_basic);
    tcase_add_test(valid, test_inline_consumed);
    tcase_add_test(valid, test_multibulk_binary);
    tcase_add_test(valid, test_multibulk_trailer_unchecked);
    tcase_add_test(valid, test_pipeline);
    tcase_add_test(valid, test_empty_requests_skipped);
    tcase_add_test(valid, test_incremental_consumed);
    suite_add_tcase(s, valid);

    TCase *splits = tcase_create("parse_splits");
    tcase_add_checked_fixture(splits, leak_setup, leak_teardown);
    tcase_set_timeout(splits, 60);
    tcase_add_loop_test(splits, test_every_split_valid, 0,
                        (int)(sizeof(split_inputs) / sizeof(split_inputs[0])));
    tcase_add_test(splits, test_every_split_errors);
    tcase_add_test(splits, test_every_split_big_bulk);
    suite_add_tcase(s, splits);

    TCase *errors = tcase_create("parse_errors");
    tcase_add_checked_fixture(errors, leak_setup, leak_teardown);
    tcase_set_timeout(errors, 60);
    tcase_add_loop_test(errors, test_error_catalogue, 0,
                        (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_test(errors, test_error_state);
    tcase_add_test(errors, test_too_big);
    suite_add_tcase(s, errors);

    TCase *argv = tcase_create("parse_argv");
    tcase_add_checked_fixture(argv, leak_setup, leak_teardown);
    tcase_add_test(argv, test_argv_reuse_and_ownership);
    tcase_add_test(argv, test_huge_count_small_alloc);
    suite_add_tcase(s, argv);

    TCase *enc = tcase_create("encoders");
    tcase_add_checked_fixture(enc, leak_setup, leak_teardown);
    tcase_add_test(enc, test_fmt_header);
    tcase_add_test(enc, test_fmt_double);
    tcase_add_test(enc, test_cat_scalars);
    tcase_add_test(enc, test_cat_aggregates);
    tcase_add_test(enc, test_roundtrip);
    suite_add_tcase(s, enc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(resp_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
