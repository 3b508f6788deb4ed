/* resp.c -- the RESP request parser and reply encoders (see resp.h).
 *
 * Owns the parser state (argument vector, pending counts) and nothing else.
 * Never reads a socket, never logs, never touches globals: bytes come from a
 * buffer the caller owns. Key invariant: after NEED_MORE, every byte before
 * *consumed is reflected in the parser state (headers read, arguments
 * copied) and no byte after it is, so the caller can drop exactly that many
 * and present the rest again; this makes the outcome independent of how the
 * input was split into reads. */
#include "resp.h"

#include <math.h>

#include <limits.h>
#include <string.h>

#include "util.h"
#include "zmalloc.h"

/* First size of the argument vector; it then doubles and is kept. */
#define RESP_ARGV_INITIAL_SLOTS 8
/* Redis refuses multibulk counts above this (7.0 allows up to INT_MAX). */
#define RESP_MULTIBULK_MAX_COUNT INT_MAX
/* Length headers with at most this many digits are parsed inline; 18
 * decimal digits cannot overflow a long long. */
#define RESP_FAST_LEN_MAX_DIGITS 18
/* Every header and bulk ends in "\r\n". */
#define RESP_CRLF_BYTES 2

static const char ERR_INLINE_TOO_BIG[] = "Protocol error: too big inline request";
static const char ERR_UNBALANCED[] = "Protocol error: unbalanced quotes in request";
static const char ERR_MBULK_TOO_BIG[] = "Protocol error: too big mbulk count string";
static const char ERR_MBULK_INVALID[] = "Protocol error: invalid multibulk length";
static const char ERR_MBULK_UNAUTH[] = "Protocol error: unauthenticated multibulk length";
static const char ERR_BULK_TOO_BIG[] = "Protocol error: too big bulk count string";
static const char ERR_BULK_INVALID[] = "Protocol error: invalid bulk length";
static const char ERR_BULK_UNAUTH[] = "Protocol error: unauthenticated bulk length";

typedef enum { LINE_FOUND, LINE_NEED_MORE, LINE_TOO_BIG } line_result;

/* ------------------------------------------------------------ parser state */

void resp_parser_init(resp_parser *p) {
    memset(p, 0, sizeof(*p));
    p->req_type = RESP_REQ_NONE;
    p->bulk_len = -1;
}

/* Frees the arguments collected so far and forgets the current request. */
void resp_parser_reset(resp_parser *p) {
    for (int j = 0; j < p->argc; j++) sds_free(p->argv[j]);
    p->argc = 0;
    p->req_type = RESP_REQ_NONE;
    p->multibulk_len = 0;
    p->bulk_len = -1;
    p->error = NULL;
}

void resp_parser_free(resp_parser *p) {
    resp_parser_reset(p);
    zfree(p->argv);
    p->argv = NULL;
    p->argv_cap = 0;
}

/* Makes room for one more argument: doubling keeps appends amortised O(1),
 * and the array survives resets so steady traffic never reallocates. */
static void argv_push(resp_parser *p, sds arg) {
    if (p->argc == p->argv_cap) {
        /* argc never passes INT_MAX (the largest count accepted). */
        int cap = p->argv_cap == 0           ? RESP_ARGV_INITIAL_SLOTS
                  : p->argv_cap > INT_MAX / 2 ? INT_MAX
                                              : p->argv_cap * 2;
        p->argv = zrealloc(p->argv, sizeof(sds) * (size_t)cap);
        p->argv_cap = cap;
    }
    p->argv[p->argc++] = arg;
}

static resp_parse_result fail(resp_parser *p, const char *msg) {
    p->error = msg;
    return RESP_PARSE_ERROR;
}

/* ------------------------------------------------------------ line search */

/* Finds the end of a "<prefix><n>\r\n" header starting at s (n bytes
 * available): the first '\r', which must be followed by one more byte
 * (Redis skips it without looking). Redis searches with strchr, so a NUL
 * before the '\r' hides it and the request waits for more data until it is
 * too big; we keep that. A line longer than RESP_INLINE_MAX_BYTES is refused
 * even when its end is already here, so the answer cannot depend on how the
 * bytes were split into reads (a prefix without the end is refused too). */
static line_result find_header_end(const char *s, size_t n, size_t *line_len) {
    const char *end = memchr(s, '\r', n);
    if (end != NULL && memchr(s, '\0', (size_t)(end - s)) != NULL) end = NULL;
    if (end == NULL) return n > RESP_INLINE_MAX_BYTES ? LINE_TOO_BIG : LINE_NEED_MORE;
    size_t off = (size_t)(end - s);
    if (off > RESP_INLINE_MAX_BYTES) return LINE_TOO_BIG;
    if (off + 1 >= n) return LINE_NEED_MORE;
    *line_len = off;
    return LINE_FOUND;
}

/* Fast path for the common "<prefix><digits>\r\n" header: the expected
 * prefix, a canonical non-negative number of few digits, its CRLF present.
 * Returns 1 and fills *value and *line_len (bytes before the '\r'), or 0 to
 * let the general path (find_header_end + string2ll) decide, errors
 * included. Checking the prefix matters: a NUL there must hide the line. */
static int parse_small_len(const char *s, size_t n, char prefix, long long *value,
                           size_t *line_len) {
    size_t i = 1;
    if (n < 4 || s[0] != prefix) return 0; /* prefix, one digit, CRLF */
    unsigned d = (unsigned char)s[i] - '0';
    if (d > 9) return 0;
    long long v = d;
    i++;
    if (d != 0) { /* "0" must stand alone: "01" is not canonical */
        while (i < n && i <= RESP_FAST_LEN_MAX_DIGITS) {
            d = (unsigned char)s[i] - '0';
            if (d > 9) break;
            v = v * 10 + d;
            i++;
        }
    }
    if (i + 1 >= n || s[i] != '\r') return 0;
    *value = v;
    *line_len = i;
    return 1;
}

/* ------------------------------------------------------------ inline */

/* Where the inline line at buf ends: *line_len bytes before its '\n'.
 * Redis waits while the partial line is at most RESP_INLINE_MAX_BYTES; we
 * also refuse a complete line whose text (without "\r\n") is longer, so
 * that no split of the same bytes can give another answer. As with
 * headers, a NUL before the '\n' hides it (Redis uses strchr). */
static line_result find_inline_end(const char *buf, size_t len, size_t *line_len) {
    const char *nl = memchr(buf, '\n', len);
    if (nl != NULL && memchr(buf, '\0', (size_t)(nl - buf)) != NULL) nl = NULL;
    if (nl == NULL) {
        if (len <= RESP_INLINE_MAX_BYTES) return LINE_NEED_MORE;
        /* A full-size line whose "\r" is here but whose "\n" is not yet. */
        if (len == RESP_INLINE_MAX_BYTES + 1 && buf[RESP_INLINE_MAX_BYTES] == '\r' &&
            memchr(buf, '\0', RESP_INLINE_MAX_BYTES) == NULL)
            return LINE_NEED_MORE;
        return LINE_TOO_BIG;
    }
    size_t text_len = (size_t)(nl - buf);
    if (text_len > 0 && nl[-1] == '\r') text_len--;
    if (text_len > RESP_INLINE_MAX_BYTES) return LINE_TOO_BIG;
    *line_len = (size_t)(nl - buf);
    return LINE_FOUND;
}

/* One inline request: a line split with redis-cli's quoting rules. On OK
 * argc may be 0 (an empty line), which the caller skips. */
static resp_parse_result parse_inline(resp_parser *p, const char *buf, size_t len,
                                      size_t *used) {
    size_t line_len = 0;
    *used = 0;
    line_result lr = find_inline_end(buf, len, &line_len);
    if (lr == LINE_NEED_MORE) return RESP_PARSE_NEED_MORE;
    if (lr == LINE_TOO_BIG) return fail(p, ERR_INLINE_TOO_BIG);
    size_t text_len = line_len;
    if (text_len > 0 && buf[text_len - 1] == '\r') text_len--;
    *used = line_len + 1;
    if (text_len == 0) return RESP_PARSE_OK; /* keep-alive newline: no argv */

    /* sds_split_args reads a C string; the line holds no NUL (see above). */
    sds line = sds_new_len(buf, text_len);
    int argc;
    sds *tokens = sds_split_args(line, &argc);
    sds_free(line);
    if (tokens == NULL) {
        *used = 0;
        return fail(p, ERR_UNBALANCED);
    }
    for (int j = 0; j < argc; j++) {
        argv_push(p, tokens[j]);
        tokens[j] = NULL; /* moved: the split result keeps only its array */
    }
    sds_free_split_res(tokens, argc);
    return RESP_PARSE_OK;
}

/* ------------------------------------------------------------ multibulk */

/* Reads a "<prefix><n>\r\n" header at s. Returns LINE_FOUND with *value
 * parsed (*ok = 0 when the number is not valid) and *hdr_len covering the
 * CRLF, or the line_result that stops us. The expected prefix only picks
 * the fast path: the caller reports a wrong one once the line is whole. */
static line_result read_len_header(const char *s, size_t n, char prefix, long long *value,
                                   int *ok, size_t *hdr_len) {
    size_t line_len;
    if (parse_small_len(s, n, prefix, value, &line_len)) {
        *ok = 1;
    } else {
        line_result lr = find_header_end(s, n, &line_len);
        if (lr != LINE_FOUND) return lr;
        /* line_len is 0 for a bare "\r\n" (no prefix): not a number. */
        *ok = line_len > 0 && string2ll(s + 1, line_len - 1, value);
    }
    *hdr_len = line_len + RESP_CRLF_BYTES;
    return LINE_FOUND;
}

/* The "*<n>\r\n" line. On OK, multibulk_len is the argument count, 0 for
 * an empty request ("*0", "*-1") that the caller skips. */
static resp_parse_result parse_count(resp_parser *p, const char *buf, size_t len,
                                     const resp_limits *lim, size_t *used) {
    long long n;
    int ok;
    size_t hdr_len;
    line_result lr = read_len_header(buf, len, '*', &n, &ok, &hdr_len);
    if (lr == LINE_NEED_MORE) return RESP_PARSE_NEED_MORE;
    if (lr == LINE_TOO_BIG) return fail(p, ERR_MBULK_TOO_BIG);
    if (!ok || n > RESP_MULTIBULK_MAX_COUNT) return fail(p, ERR_MBULK_INVALID);
    if (!lim->authenticated && n > RESP_UNAUTH_MAX_MULTIBULK) return fail(p, ERR_MBULK_UNAUTH);
    *used = hdr_len;
    p->multibulk_len = n > 0 ? (long)n : 0;
    p->bulk_len = -1;
    return RESP_PARSE_OK;
}

/* The "$<len>\r\n" line of the next argument; sets p->bulk_len. */
static resp_parse_result parse_bulk_header(resp_parser *p, const char *buf, size_t len,
                                           const resp_limits *lim, size_t *used) {
    long long n;
    int ok;
    size_t hdr_len;
    line_result lr = read_len_header(buf, len, '$', &n, &ok, &hdr_len);
    if (lr == LINE_NEED_MORE) return RESP_PARSE_NEED_MORE;
    if (lr == LINE_TOO_BIG) return fail(p, ERR_BULK_TOO_BIG);
    if (buf[0] != '$') {
        /* Redis turns CR/LF into spaces so the error line stays one line. */
        char c = (buf[0] == '\r' || buf[0] == '\n') ? ' ' : buf[0];
        static const char pre[] = "Protocol error: expected '$', got '";
        size_t k = sizeof(pre) - 1;
        memcpy(p->error_buf, pre, k);
        p->error_buf[k++] = c;
        p->error_buf[k++] = '\'';
        p->error_buf[k] = '\0';
        return fail(p, p->error_buf);
    }
    if (!ok || n < 0 || n > lim->max_bulk_len) return fail(p, ERR_BULK_INVALID);
    if (!lim->authenticated && n > RESP_UNAUTH_MAX_BULK) return fail(p, ERR_BULK_UNAUTH);
    *used = hdr_len;
    p->bulk_len = n;
    return RESP_PARSE_OK;
}

/* Continues a multibulk request from wherever the previous call stopped. */
static resp_parse_result parse_multibulk(resp_parser *p, const char *buf, size_t len,
                                         const resp_limits *lim, size_t *used) {
    size_t pos = 0, step = 0;
    resp_parse_result r = RESP_PARSE_OK;
    *used = 0;
    if (p->multibulk_len == 0) {
        r = parse_count(p, buf, len, lim, &step);
        if (r != RESP_PARSE_OK) return r;
        pos = step;
    }
    while (p->multibulk_len > 0) {
        if (p->bulk_len == -1) {
            r = parse_bulk_header(p, buf + pos, len - pos, lim, &step);
            if (r != RESP_PARSE_OK) break;
            pos += step;
        }
        /* The two bytes after the data are skipped unchecked, as Redis does. */
        if ((unsigned long long)(len - pos) < (unsigned long long)p->bulk_len + RESP_CRLF_BYTES) {
            r = RESP_PARSE_NEED_MORE;
            break;
        }
        argv_push(p, sds_new_len(buf + pos, (size_t)p->bulk_len));
        pos += (size_t)p->bulk_len + RESP_CRLF_BYTES;
        p->bulk_len = -1;
        p->multibulk_len--;
        r = RESP_PARSE_OK;
    }
    *used = pos;
    return r;
}

/* ------------------------------------------------------------ entry point */

resp_parse_result resp_parse(resp_parser *p, const char *buf, size_t len,
                             const resp_limits *lim, size_t *consumed) {
    size_t pos = 0;
    *consumed = 0;
    if (len == 0) return RESP_PARSE_NEED_MORE; /* buf may be NULL then */
    for (;;) {
        if (p->req_type == RESP_REQ_NONE) {
            if (pos == len) break;
            p->req_type = buf[pos] == '*' ? RESP_REQ_MULTIBULK : RESP_REQ_INLINE;
        }
        size_t used = 0;
        resp_parse_result r = p->req_type == RESP_REQ_INLINE
                                  ? parse_inline(p, buf + pos, len - pos, &used)
                                  : parse_multibulk(p, buf + pos, len - pos, lim, &used);
        pos += used;
        if (r != RESP_PARSE_OK || p->argc > 0) {
            *consumed = pos;
            return r;
        }
        /* Empty line, "*0" or "*-1": nothing to run, go on. */
        p->req_type = RESP_REQ_NONE;
    }
    *consumed = pos;
    return RESP_PARSE_NEED_MORE;
}

/* ------------------------------------------------------------ encoders */

size_t resp_fmt_header(char *buf, char prefix, long long n) {
    buf[0] = prefix;
    size_t len = 1 + (size_t)ll2string(buf + 1, RESP_HEADER_MAX - 1, n);
    buf[len++] = '\r';
    buf[len++] = '\n';
    buf[len] = '\0';
    return len;
}

size_t resp_fmt_double(char *buf, int proto, double d) {
    char digits[MAX_D2STRING_CHARS];
    size_t dlen;
    /* Replies keep the sign of a negative zero ("-0"), as Redis's %.17g
     * does; d2string prints it as "0" for stored scores. */
    if (d == 0 && signbit(d)) {
        memcpy(digits, "-0", 2);
        dlen = 2;
    } else {
        dlen = (size_t)d2string(digits, sizeof(digits), d);
    }
    size_t len;
    if (proto == RESP_PROTO_3) {
        buf[0] = ',';
        len = 1;
    } else {
        len = resp_fmt_header(buf, '$', (long long)dlen);
    }
    memcpy(buf + len, digits, dlen);
    len += dlen;
    buf[len++] = '\r';
    buf[len++] = '\n';
    buf[len] = '\0';
    return len;
}

static sds cat_header(sds s, char prefix, long long n) {
    char buf[RESP_HEADER_MAX];
    return sds_cat_len(s, buf, resp_fmt_header(buf, prefix, n));
}

/* Appends prefix, the text and CRLF. */
static sds cat_line(sds s, char prefix, const char *p, size_t len) {
    s = sds_make_room_for(s, len + 1 + RESP_CRLF_BYTES);
    s = sds_cat_len(s, &prefix, 1);
    s = sds_cat_len(s, p, len);
    return sds_cat_len(s, "\r\n", RESP_CRLF_BYTES);
}

sds resp_cat_simple(sds s, const char *str) { return cat_line(s, '+', str, strlen(str)); }

sds resp_cat_error(sds s, const char *str) { return cat_line(s, '-', str, strlen(str)); }

sds resp_cat_integer(sds s, long long v) { return cat_header(s, ':', v); }

sds resp_cat_bulk(sds s, const char *p, size_t len) {
    s = cat_header(s, '$', (long long)len);
    s = sds_cat_len(s, p, len);
    return sds_cat_len(s, "\r\n", RESP_CRLF_BYTES);
}

sds resp_cat_null(sds s, int proto) {
    return proto == RESP_PROTO_3 ? sds_cat_len(s, "_\r\n", 3) : sds_cat_len(s, "$-1\r\n", 5);
}

sds resp_cat_null_array(sds s, int proto) {
    return proto == RESP_PROTO_3 ? sds_cat_len(s, "_\r\n", 3) : sds_cat_len(s, "*-1\r\n", 5);
}

sds resp_cat_array_len(sds s, long n) { return cat_header(s, '*', n); }

sds resp_cat_map_len(sds s, int proto, long pairs) {
    return proto == RESP_PROTO_3 ? cat_header(s, '%', pairs) : cat_header(s, '*', 2LL * pairs);
}

sds resp_cat_set_len(sds s, int proto, long n) {
    return cat_header(s, proto == RESP_PROTO_3 ? '~' : '*', n);
}

sds resp_cat_push_len(sds s, int proto, long n) {
    return cat_header(s, proto == RESP_PROTO_3 ? '>' : '*', n);
}

sds resp_cat_double(sds s, int proto, double d) {
    char buf[RESP_DOUBLE_MAX];
    return sds_cat_len(s, buf, resp_fmt_double(buf, proto, d));
}

sds resp_cat_bool(sds s, int proto, int v) {
    if (proto == RESP_PROTO_3) return sds_cat_len(s, v ? "#t\r\n" : "#f\r\n", 4);
    return sds_cat_len(s, v ? ":1\r\n" : ":0\r\n", 4);
}

/* RESP3 verbatim strings carry a 3-byte format tag before a ':'; like
 * Redis, a shorter tag is padded with spaces and a longer one cut. */
#define RESP_VERBATIM_EXT_BYTES 3
sds resp_cat_verbatim(sds s, int proto, const char *p, size_t len, const char *ext) {
    if (proto != RESP_PROTO_3) return resp_cat_bulk(s, p, len);
    char tag[RESP_VERBATIM_EXT_BYTES + 1];
    size_t j = 0;
    for (; j < RESP_VERBATIM_EXT_BYTES && ext[j] != '\0'; j++) tag[j] = ext[j];
    for (; j < RESP_VERBATIM_EXT_BYTES; j++) tag[j] = ' ';
    tag[RESP_VERBATIM_EXT_BYTES] = ':';
    s = cat_header(s, '=', (long long)(len + sizeof(tag)));
    s = sds_cat_len(s, tag, sizeof(tag));
    s = sds_cat_len(s, p, len);
    return sds_cat_len(s, "\r\n", RESP_CRLF_BYTES);
}

sds resp_cat_bignum(sds s, int proto, const char *p, size_t len) {
    if (proto != RESP_PROTO_3) return resp_cat_bulk(s, p, len);
    return cat_line(s, '(', p, len);
}
