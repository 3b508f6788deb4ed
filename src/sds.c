/* sds.c -- binary-safe dynamic strings (see sds.h for the layout).
 *
 * Owns the header/body layout behind every sds pointer and nothing else: no
 * I/O, no globals, no logging. All memory comes from zmalloc.
 * Key invariant: for every live sds, len <= alloc <= the header type's
 * maximum, s[len] == '\0', and alloc never exceeds what the allocator
 * really handed out (zmalloc_size) minus header and terminator. */
#include "sds.h"

#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "zmalloc.h"

/* Initial number of slots in a split result; doubled as needed. */
#define SDS_SPLIT_INITIAL_SLOTS 5
/* Bytes needed for the terminating NUL after the body. */
#define SDS_TERM_BYTES 1

/* ------------------------------------------------------------ header types */

static size_t hdr_size(int type) {
    switch (type) {
    case SDS_TYPE_8: return sizeof(struct sdshdr8);
    case SDS_TYPE_16: return sizeof(struct sdshdr16);
    case SDS_TYPE_32: return sizeof(struct sdshdr32);
    case SDS_TYPE_64: return sizeof(struct sdshdr64);
    }
    abort(); /* a corrupted flags byte: continuing would scribble memory */
}

/* Largest len/alloc the header type can record. */
static size_t type_max(int type) {
    switch (type) {
    case SDS_TYPE_8: return UINT8_MAX;
    case SDS_TYPE_16: return UINT16_MAX;
#if SIZE_MAX > UINT32_MAX
    case SDS_TYPE_32: return UINT32_MAX;
#else
    case SDS_TYPE_32: return SIZE_MAX;
#endif
    case SDS_TYPE_64: return SIZE_MAX;
    }
    abort();
}

/* Smallest header type whose fields can hold size. */
static int req_type(size_t size) {
    if (size <= UINT8_MAX) return SDS_TYPE_8;
    if (size <= UINT16_MAX) return SDS_TYPE_16;
#if SIZE_MAX > UINT32_MAX
    if (size <= UINT32_MAX) return SDS_TYPE_32;
    return SDS_TYPE_64;
#else
    return SDS_TYPE_32;
#endif
}

static int sds_type(const sds s) {
    return (unsigned char)s[-1] & SDS_TYPE_MASK;
}

static void set_len_field(sds s, size_t len) {
    switch (sds_type(s)) {
    case SDS_TYPE_8: SDS_HDR(8, s)->len = (uint8_t)len; break;
    case SDS_TYPE_16: SDS_HDR(16, s)->len = (uint16_t)len; break;
    case SDS_TYPE_32: SDS_HDR(32, s)->len = (uint32_t)len; break;
    case SDS_TYPE_64: SDS_HDR(64, s)->len = (uint64_t)len; break;
    }
}

static void set_alloc_field(sds s, size_t alloc) {
    switch (sds_type(s)) {
    case SDS_TYPE_8: SDS_HDR(8, s)->alloc = (uint8_t)alloc; break;
    case SDS_TYPE_16: SDS_HDR(16, s)->alloc = (uint16_t)alloc; break;
    case SDS_TYPE_32: SDS_HDR(32, s)->alloc = (uint32_t)alloc; break;
    case SDS_TYPE_64: SDS_HDR(64, s)->alloc = (uint64_t)alloc; break;
    }
}

/* The body capacity a block of this usable size gives a header type: the
 * allocator's slack is ours to use, but the header field bounds it. */
static size_t usable_alloc(const void *block, int type) {
    size_t body = zmalloc_size(block) - hdr_size(type) - SDS_TERM_BYTES;
    size_t max = type_max(type);
    return body > max ? max : body;
}

/* Aborts when a + b wraps: a string that large cannot exist, and going on
 * with a wrapped size would under-allocate. */
static size_t checked_add(size_t a, size_t b) {
    if (a > SIZE_MAX - b) abort();
    return a + b;
}

/* Returns a new block holding a header of the given type with capacity for
 * at least cap body bytes; len is 0, body untouched. */
static sds alloc_with_type(size_t cap, int type) {
    size_t hdr = hdr_size(type);
    char *block = zmalloc(checked_add(hdr + SDS_TERM_BYTES, cap));
    sds s = block + hdr;
    s[-1] = (char)type;
    set_len_field(s, 0);
    set_alloc_field(s, usable_alloc(block, type));
    return s;
}

/* --------------------------------------------------------------- creation */

sds sds_new_len_uninit(size_t len) {
    sds s = alloc_with_type(len, req_type(len));
    set_len_field(s, len);
    s[len] = '\0';
    return s;
}

sds sds_new_len(const void *init, size_t len) {
    sds s = sds_new_len_uninit(len);
    if (init != NULL) {
        if (len) memcpy(s, init, len);
    } else {
        memset(s, 0, len);
    }
    return s;
}

sds sds_new(const char *init) {
    return sds_new_len(init ? init : "", init ? strlen(init) : 0);
}

sds sds_empty(void) {
    return sds_new_len("", 0);
}

sds sds_dup(const sds s) {
    return sds_new_len(s, sds_len(s));
}

void sds_free(sds s) {
    if (s == NULL) return;
    zfree(s - hdr_size(sds_type(s)));
}

/* ------------------------------------------------------- length and room */

size_t sds_alloc(const sds s) {
    switch (sds_type(s)) {
    case SDS_TYPE_8: return SDS_HDR(8, s)->alloc;
    case SDS_TYPE_16: return SDS_HDR(16, s)->alloc;
    case SDS_TYPE_32: return SDS_HDR(32, s)->alloc;
    case SDS_TYPE_64: return SDS_HDR(64, s)->alloc;
    }
    return 0;
}

size_t sds_alloc_size(const sds s) {
    return zmalloc_size(s - hdr_size(sds_type(s)));
}

void sds_set_len(sds s, size_t len) {
    assert(len <= sds_alloc(s));
    set_len_field(s, len);
    s[len] = '\0';
}

void sds_incr_len(sds s, ssize_t incr) {
    size_t len = sds_len(s);
    if (incr >= 0) {
        assert((size_t)incr <= sds_alloc(s) - len);
        len += (size_t)incr;
    } else {
        /* -(incr + 1) + 1 negates without overflowing at SSIZE_MIN. */
        size_t dec = (size_t)(-(incr + 1)) + 1;
        assert(dec <= len);
        len -= dec;
    }
    set_len_field(s, len);
    s[len] = '\0';
}

void sds_clear(sds s) {
    set_len_field(s, 0);
    s[0] = '\0';
}

/* Gives s room for a body of newcap bytes (newcap >= len), moving to a
 * larger header type when newcap does not fit the current one. */
static sds resize_to(sds s, size_t newcap) {
    int oldtype = sds_type(s);
    int type = req_type(newcap);
    size_t len = sds_len(s);
    if (type < oldtype) type = oldtype; /* growing never shrinks the header */
    size_t hdr = hdr_size(type);
    if (type == oldtype) {
        char *block = zrealloc(s - hdr, checked_add(hdr + SDS_TERM_BYTES, newcap));
        s = block + hdr;
        set_alloc_field(s, usable_alloc(block, type));
        return s;
    }
    /* The body has to shift to make room for the wider header, so a fresh
     * block plus one copy is no worse than realloc plus memmove. */
    sds ns = alloc_with_type(newcap, type);
    memcpy(ns, s, len + SDS_TERM_BYTES);
    set_len_field(ns, len);
    sds_free(s);
    return ns;
}

sds sds_make_room_for(sds s, size_t addlen) {
    if (sds_avail(s) >= addlen) return s;
    size_t newcap = checked_add(sds_len(s), addlen);
    /* Doubling keeps appends amortised O(1); past the cap a fixed step
     * avoids reserving hundreds of megabytes for one more append. */
    if (newcap < SDS_MAX_PREALLOC) newcap *= 2;
    else newcap = checked_add(newcap, SDS_MAX_PREALLOC);
    return resize_to(s, newcap);
}

sds sds_make_room_for_non_greedy(sds s, size_t addlen) {
    if (sds_avail(s) >= addlen) return s;
    return resize_to(s, checked_add(sds_len(s), addlen));
}

sds sds_remove_free_space(sds s) {
    size_t len = sds_len(s);
    int oldtype = sds_type(s);
    int type = req_type(len);
    if (sds_avail(s) == 0) return s;
    if (type == oldtype) {
        size_t hdr = hdr_size(type);
        char *block = zrealloc(s - hdr, hdr + len + SDS_TERM_BYTES);
        s = block + hdr;
        set_alloc_field(s, usable_alloc(block, type));
        return s;
    }
    /* A smaller header fits now: moving saves the header bytes too. */
    sds ns = alloc_with_type(len, type);
    memcpy(ns, s, len + SDS_TERM_BYTES);
    set_len_field(ns, len);
    sds_free(s);
    return ns;
}

sds sds_grow_zero(sds s, size_t len) {
    size_t cur = sds_len(s);
    if (len <= cur) return s;
    s = sds_make_room_for(s, len - cur);
    memset(s + cur, 0, len - cur + SDS_TERM_BYTES);
    set_len_field(s, len);
    return s;
}

/* ------------------------------------------------------ append and copy */

sds sds_cat_len(sds s, const void *t, size_t len) {
    size_t cur = sds_len(s);
    s = sds_make_room_for(s, len);
    if (len) memcpy(s + cur, t, len);
    set_len_field(s, cur + len);
    s[cur + len] = '\0';
    return s;
}

sds sds_cat(sds s, const char *t) {
    return sds_cat_len(s, t, strlen(t));
}

sds sds_cat_sds(sds s, const sds t) {
    return sds_cat_len(s, t, sds_len(t));
}

sds sds_cpy_len(sds s, const char *t, size_t len) {
    if (sds_alloc(s) < len) s = sds_make_room_for(s, len - sds_len(s));
    if (len) memmove(s, t, len);
    set_len_field(s, len);
    s[len] = '\0';
    return s;
}

sds sds_cpy(sds s, const char *t) {
    return sds_cpy_len(s, t, strlen(t));
}

sds sds_cat_vprintf(sds s, const char *fmt, va_list ap) {
    va_list probe;
    va_copy(probe, ap);
    int need = vsnprintf(NULL, 0, fmt, probe);
    va_end(probe);
    if (need <= 0) return s; /* nothing to add, or a format error */
    size_t cur = sds_len(s);
    s = sds_make_room_for(s, (size_t)need);
    va_list ap2;
    va_copy(ap2, ap);
    vsnprintf(s + cur, (size_t)need + SDS_TERM_BYTES, fmt, ap2);
    va_end(ap2);
    set_len_field(s, cur + (size_t)need);
    return s;
}

sds sds_cat_printf(sds s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    s = sds_cat_vprintf(s, fmt, ap);
    va_end(ap);
    return s;
}

sds sds_cat_repr(sds s, const char *p, size_t len) {
    static const char hex[] = "0123456789abcdef";
    s = sds_cat_len(s, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        char esc[4];
        switch (c) {
        case '\\': s = sds_cat_len(s, "\\\\", 2); break;
        case '"': s = sds_cat_len(s, "\\\"", 2); break;
        case '\n': s = sds_cat_len(s, "\\n", 2); break;
        case '\r': s = sds_cat_len(s, "\\r", 2); break;
        case '\t': s = sds_cat_len(s, "\\t", 2); break;
        case '\a': s = sds_cat_len(s, "\\a", 2); break;
        case '\b': s = sds_cat_len(s, "\\b", 2); break;
        default:
            if (isprint(c)) {
                s = sds_cat_len(s, &p[i], 1);
            } else {
                esc[0] = '\\';
                esc[1] = 'x';
                esc[2] = hex[c >> 4];
                esc[3] = hex[c & 0xf];
                s = sds_cat_len(s, esc, sizeof(esc));
            }
        }
    }
    return sds_cat_len(s, "\"", 1);
}

sds sds_cat_ll(sds s, long long v) {
    char buf[LONG_STR_SIZE];
    int n = ll2string(buf, sizeof(buf), v);
    return sds_cat_len(s, buf, (size_t)n);
}

sds sds_from_ll(long long v) {
    char buf[LONG_STR_SIZE];
    int n = ll2string(buf, sizeof(buf), v);
    return sds_new_len(buf, (size_t)n);
}

/* ------------------------------------------------------ in-place editing */

sds sds_trim(sds s, const char *cset) {
    size_t setlen = strlen(cset);
    size_t len = sds_len(s);
    size_t start = 0, end = len;
    /* memchr, not strchr: strchr would count a NUL byte in s as part of
     * every set, and sds are binary-safe. */
    while (start < end && memchr(cset, (unsigned char)s[start], setlen)) start++;
    while (end > start && memchr(cset, (unsigned char)s[end - 1], setlen)) end--;
    if (start && end > start) memmove(s, s + start, end - start);
    set_len_field(s, end - start);
    s[end - start] = '\0';
    return s;
}

void sds_range(sds s, ssize_t start, ssize_t end) {
    ssize_t len = (ssize_t)sds_len(s);
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (end >= len) end = len - 1;
    if (len == 0 || end < 0 || start > end) {
        sds_clear(s);
        return;
    }
    size_t newlen = (size_t)(end - start) + 1;
    if (start) memmove(s, s + start, newlen);
    set_len_field(s, newlen);
    s[newlen] = '\0';
}

void sds_to_lower(sds s) {
    size_t len = sds_len(s);
    for (size_t i = 0; i < len; i++) s[i] = (char)tolower((unsigned char)s[i]);
}

void sds_to_upper(sds s) {
    size_t len = sds_len(s);
    for (size_t i = 0; i < len; i++) s[i] = (char)toupper((unsigned char)s[i]);
}

int sds_cmp(const sds a, const sds b) {
    size_t la = sds_len(a), lb = sds_len(b);
    size_t min = la < lb ? la : lb;
    int c = min ? memcmp(a, b, min) : 0;
    if (c != 0) return c;
    if (la == lb) return 0;
    return la < lb ? -1 : 1;
}

/* -------------------------------------------------------------- splitting */

/* Appends tok to *tokens, doubling the array when full. */
static void push_token(sds **tokens, int *count, int *slots, sds tok) {
    if (*count == *slots) {
        *slots *= 2;
        *tokens = zrealloc(*tokens, sizeof(sds) * (size_t)*slots);
    }
    (*tokens)[(*count)++] = tok;
}

sds *sds_split_len(const char *s, ssize_t len, const char *sep, int seplen, int *count) {
    *count = 0;
    /* Empty input is reported as no tokens and no array, as Redis does. */
    if (seplen < 1 || len <= 0) return NULL;
    int slots = SDS_SPLIT_INITIAL_SLOTS;
    sds *tokens = zmalloc(sizeof(sds) * (size_t)slots);
    ssize_t start = 0;
    for (ssize_t j = 0; j + seplen <= len; j++) {
        if (memcmp(s + j, sep, (size_t)seplen) != 0) continue;
        push_token(&tokens, count, &slots, sds_new_len(s + start, (size_t)(j - start)));
        start = j + seplen;
        j += seplen - 1;
    }
    /* The tail after the last separator is always a token, even empty. */
    push_token(&tokens, count, &slots, sds_new_len(s + start, (size_t)(len - start)));
    return tokens;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads one "double quoted" body starting just after the opening quote.
 * Appends to *tok; returns the position after the closing quote, or NULL
 * on a missing close or a close glued to the next character. */
static const char *read_double_quoted(const char *p, sds *tok) {
    for (;;) {
        if (*p == '\0') return NULL;
        if (p[0] == '\\' && p[1] == 'x' && hex_value(p[2]) >= 0 && hex_value(p[3]) >= 0) {
            char byte = (char)(hex_value(p[2]) * 16 + hex_value(p[3]));
            *tok = sds_cat_len(*tok, &byte, 1);
            p += 4;
        } else if (p[0] == '\\' && p[1] != '\0') {
            char c;
            switch (p[1]) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'a': c = '\a'; break;
            default: c = p[1]; break; /* \\ \" and any other char as itself */
            }
            *tok = sds_cat_len(*tok, &c, 1);
            p += 2;
        } else if (*p == '"') {
            if (p[1] != '\0' && !isspace((unsigned char)p[1])) return NULL;
            return p + 1;
        } else {
            *tok = sds_cat_len(*tok, p, 1);
            p++;
        }
    }
}

/* Same for a 'single quoted' body, where only \' is an escape. */
static const char *read_single_quoted(const char *p, sds *tok) {
    for (;;) {
        if (*p == '\0') return NULL;
        if (p[0] == '\\' && p[1] == '\'') {
            *tok = sds_cat_len(*tok, "'", 1);
            p += 2;
        } else if (*p == '\'') {
            if (p[1] != '\0' && !isspace((unsigned char)p[1])) return NULL;
            return p + 1;
        } else {
            *tok = sds_cat_len(*tok, p, 1);
            p++;
        }
    }
}

/* Reads one argument at p (not a space). Returns the position after it, or
 * NULL on a quoting error (and *tok is then freed by the caller). */
static const char *read_arg(const char *p, sds *tok) {
    for (;;) {
        switch (*p) {
        case ' ': case '\n': case '\r': case '\t': case '\0':
            return p;
        case '"':
            p = read_double_quoted(p + 1, tok);
            if (p == NULL) return NULL;
            return p; /* a closing quote always ends the argument */
        case '\'':
            p = read_single_quoted(p + 1, tok);
            if (p == NULL) return NULL;
            return p;
        default:
            *tok = sds_cat_len(*tok, p, 1);
            p++;
        }
    }
}

sds *sds_split_args(const char *line, int *argc) {
    const char *p = line;
    int slots = SDS_SPLIT_INITIAL_SLOTS;
    sds *vector = zmalloc(sizeof(sds) * (size_t)slots);
    *argc = 0;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (*p == '\0') return vector;
        sds tok = sds_empty();
        p = read_arg(p, &tok);
        if (p == NULL) {
            sds_free(tok);
            sds_free_split_res(vector, *argc);
            *argc = 0;
            return NULL;
        }
        push_token(&vector, argc, &slots, tok);
    }
}

void sds_free_split_res(sds *tokens, int count) {
    if (tokens == NULL) return;
    for (int i = 0; i < count; i++) sds_free(tokens[i]);
    zfree(tokens);
}

sds sds_join(char **argv, int argc, const char *sep) {
    sds out = sds_empty();
    for (int i = 0; i < argc; i++) {
        out = sds_cat(out, argv[i]);
        if (i != argc - 1) out = sds_cat(out, sep);
    }
    return out;
}
