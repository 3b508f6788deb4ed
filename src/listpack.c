/* listpack.c -- the Redis 7 listpack format, written from its published
 * specification (see listpack.h for the layout).
 *
 * Owns the byte layout of listpacks and nothing else: no globals, no I/O,
 * no logging; memory only through zmalloc. Trusted listpacks (built here)
 * are walked without bounds checks; untrusted bytes go through
 * lp_validate_integrity, the only code that may see a malformed one.
 * Key invariant: header total bytes == the real size, the last byte is
 * LP_EOF, every entry's backlen equals its encoding+data size, and the
 * header count is exact or LP_HDR_COUNT_UNKNOWN. */
#include "listpack.h"

#include <string.h>

#include "util.h"
#include "zmalloc.h"

/* Offset of the 16-bit element count in the header. */
#define LP_HDR_COUNT_OFFSET 4
/* An empty listpack: header + terminator. */
#define LP_EMPTY_BYTES (LP_HDR_BYTES + 1)

/* First-byte encodings (mask, then the value the masked byte must have). */
#define LP_ENC_7BIT_UINT_MASK 0x80
#define LP_ENC_7BIT_UINT 0x00
#define LP_ENC_6BIT_STR_MASK 0xC0
#define LP_ENC_6BIT_STR 0x80
#define LP_ENC_13BIT_INT_MASK 0xE0
#define LP_ENC_13BIT_INT 0xC0
#define LP_ENC_12BIT_STR_MASK 0xF0
#define LP_ENC_12BIT_STR 0xE0
/* Full-byte encodings. */
#define LP_ENC_32BIT_STR 0xF0
#define LP_ENC_16BIT_INT 0xF1
#define LP_ENC_24BIT_INT 0xF2
#define LP_ENC_32BIT_INT 0xF3
#define LP_ENC_64BIT_INT 0xF4

/* Largest string length each string encoding can carry, in bytes. */
#define LP_6BIT_STR_MAX_LEN 63
#define LP_12BIT_STR_MAX_LEN 4095
/* Value ranges of the small integer encodings. */
#define LP_7BIT_UINT_MAX 127
#define LP_13BIT_INT_MIN (-4096)
#define LP_13BIT_INT_MAX 4095
#define LP_24BIT_INT_MIN (-8388608)
#define LP_24BIT_INT_MAX 8388607

/* Bytes of encoding+data before any string payload: at most 9 (64-bit int). */
#define LP_MAX_ENC_HDR_BYTES 9
/* A backlen takes 1 to 5 bytes, 7 value bits each. */
#define LP_MAX_BACKLEN_BYTES 5
#define LP_BACKLEN_VALUE_BITS 7
#define LP_BACKLEN_VALUE_MASK 0x7F
#define LP_BACKLEN_MORE_FLAG 0x80
/* Longest decimal int64 ("-9223372036854775808"), in bytes. */
#define LP_MAX_INT_TEXT_BYTES 20

/* ------------------------------------------------------------ byte access */

static uint32_t load_u16(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t load_u24(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static uint32_t load_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t load_u64(const unsigned char *p) {
    return (uint64_t)load_u32(p) | (uint64_t)load_u32(p + 4) << 32;
}

/* Stores the low nbytes bytes of v, least significant first. */
static void store_le(unsigned char *p, uint64_t v, int nbytes) {
    for (int i = 0; i < nbytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t hdr_count(const unsigned char *lp) {
    return load_u16(lp + LP_HDR_COUNT_OFFSET);
}

static void set_hdr_total(unsigned char *lp, size_t total) {
    store_le(lp, total, 4);
}

static void set_hdr_count(unsigned char *lp, uint32_t count) {
    store_le(lp + LP_HDR_COUNT_OFFSET, count, 2);
}

/* ------------------------------------------------------------ backlen */

/* Bytes the backlen of an entry with body_bytes of encoding+data takes.
 * The cut points are Redis's (16383 and up take 3 bytes although 2 could
 * hold it): a different choice would read fine but change the bytes. */
static uint32_t backlen_size(uint64_t body_bytes) {
    if (body_bytes <= 127) return 1;
    if (body_bytes < 16383) return 2;
    if (body_bytes < 2097151) return 3;
    if (body_bytes < 268435455) return 4;
    return 5;
}

/* Writes the backlen of body_bytes at dst: most significant group first,
 * every byte but the leftmost flagged "more to the left", so it parses from
 * its last byte backwards. */
static void write_backlen(unsigned char *dst, uint64_t body_bytes) {
    uint32_t n = backlen_size(body_bytes);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t shift = LP_BACKLEN_VALUE_BITS * (n - 1 - i);
        unsigned char b = (unsigned char)((body_bytes >> shift) & LP_BACKLEN_VALUE_MASK);
        dst[i] = i == 0 ? b : (unsigned char)(b | LP_BACKLEN_MORE_FLAG);
    }
}

/* Reads the backlen ending at last, never looking at more than max_bytes
 * bytes. Returns the number of bytes it took, or 0 if it did not end in
 * time (a malformed backlen). */
static uint32_t read_backlen(const unsigned char *last, uint32_t max_bytes, uint64_t *value) {
    uint64_t v = 0;
    for (uint32_t i = 0; i < max_bytes; i++) {
        unsigned char b = last[-(long)i];
        v |= (uint64_t)(b & LP_BACKLEN_VALUE_MASK) << (LP_BACKLEN_VALUE_BITS * i);
        if (!(b & LP_BACKLEN_MORE_FLAG)) {
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ entry sizes */

/* Bytes at the start of an entry needed to know its size (1 for fixed
 * sizes), or 0 for a first byte that starts no entry (unused codes, EOF). */
static uint32_t enc_len_bytes(unsigned char b) {
    if ((b & LP_ENC_7BIT_UINT_MASK) == LP_ENC_7BIT_UINT) return 1;
    if ((b & LP_ENC_6BIT_STR_MASK) == LP_ENC_6BIT_STR) return 1;
    if ((b & LP_ENC_13BIT_INT_MASK) == LP_ENC_13BIT_INT) return 1;
    if ((b & LP_ENC_12BIT_STR_MASK) == LP_ENC_12BIT_STR) return 2;
    switch (b) {
    case LP_ENC_32BIT_STR: return 5;
    case LP_ENC_16BIT_INT:
    case LP_ENC_24BIT_INT:
    case LP_ENC_32BIT_INT:
    case LP_ENC_64BIT_INT: return 1;
    }
    return 0;
}

/* Size of encoding+data of the entry at p, given enc_len_bytes(*p) bytes
 * are readable; 0 for an invalid first byte. */
static uint64_t entry_body_size(const unsigned char *p) {
    unsigned char b = p[0];
    if ((b & LP_ENC_7BIT_UINT_MASK) == LP_ENC_7BIT_UINT) return 1;
    if ((b & LP_ENC_6BIT_STR_MASK) == LP_ENC_6BIT_STR) return 1 + (uint64_t)(b & 0x3F);
    if ((b & LP_ENC_13BIT_INT_MASK) == LP_ENC_13BIT_INT) return 2;
    if ((b & LP_ENC_12BIT_STR_MASK) == LP_ENC_12BIT_STR) return 2 + ((uint64_t)(b & 0x0F) << 8 | p[1]);
    switch (b) {
    case LP_ENC_32BIT_STR: return 5 + (uint64_t)load_u32(p + 1);
    case LP_ENC_16BIT_INT: return 3;
    case LP_ENC_24BIT_INT: return 4;
    case LP_ENC_32BIT_INT: return 5;
    case LP_ENC_64BIT_INT: return 9;
    }
    return 0;
}

/* Whole size of a (trusted) entry: body plus backlen. */
static uint64_t entry_size(const unsigned char *p) {
    uint64_t body = entry_body_size(p);
    return body + backlen_size(body);
}

/* ------------------------------------------------------------ encoding */

/* A value ready to be written: hdr holds the whole body of an integer, or
 * the length prefix of a string whose bytes follow from str. */
typedef struct lp_enc {
    unsigned char hdr[LP_MAX_ENC_HDR_BYTES];
    uint32_t hdr_bytes;
    const unsigned char *str; /* NULL for integers */
    uint32_t str_len;
    uint64_t body_bytes;      /* hdr_bytes + str_len */
    uint64_t entry_bytes;     /* body_bytes + its backlen */
} lp_enc;

static void enc_finish(lp_enc *e) {
    e->body_bytes = e->hdr_bytes + (uint64_t)e->str_len;
    e->entry_bytes = e->body_bytes + backlen_size(e->body_bytes);
}

/* Smallest encoding of v, as the specification's table orders them. */
static void enc_integer(lp_enc *e, int64_t v) {
    e->str = NULL;
    e->str_len = 0;
    if (v >= 0 && v <= LP_7BIT_UINT_MAX) {
        e->hdr[0] = (unsigned char)v;
        e->hdr_bytes = 1;
    } else if (v >= LP_13BIT_INT_MIN && v <= LP_13BIT_INT_MAX) {
        /* 13-bit two's complement, most significant bits in the first byte. */
        uint32_t u = (uint32_t)(v < 0 ? v + (1 << 13) : v);
        e->hdr[0] = (unsigned char)(LP_ENC_13BIT_INT | (u >> 8));
        e->hdr[1] = (unsigned char)(u & 0xFF);
        e->hdr_bytes = 2;
    } else {
        int nbytes;
        if (v >= INT16_MIN && v <= INT16_MAX) {
            e->hdr[0] = LP_ENC_16BIT_INT;
            nbytes = 2;
        } else if (v >= LP_24BIT_INT_MIN && v <= LP_24BIT_INT_MAX) {
            e->hdr[0] = LP_ENC_24BIT_INT;
            nbytes = 3;
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            e->hdr[0] = LP_ENC_32BIT_INT;
            nbytes = 4;
        } else {
            e->hdr[0] = LP_ENC_64BIT_INT;
            nbytes = 8;
        }
        store_le(e->hdr + 1, (uint64_t)v, nbytes); /* two's complement, truncated */
        e->hdr_bytes = 1 + (uint32_t)nbytes;
    }
    enc_finish(e);
}

/* A string: as an integer when canonical, else with the shortest prefix. */
static void enc_string(lp_enc *e, const unsigned char *s, uint32_t len) {
    int64_t v;
    if (lp_string_to_int64(s, len, &v)) {
        enc_integer(e, v);
        return;
    }
    if (len <= LP_6BIT_STR_MAX_LEN) {
        e->hdr[0] = (unsigned char)(LP_ENC_6BIT_STR | len);
        e->hdr_bytes = 1;
    } else if (len <= LP_12BIT_STR_MAX_LEN) {
        e->hdr[0] = (unsigned char)(LP_ENC_12BIT_STR | (len >> 8));
        e->hdr[1] = (unsigned char)(len & 0xFF);
        e->hdr_bytes = 2;
    } else {
        e->hdr[0] = LP_ENC_32BIT_STR;
        store_le(e->hdr + 1, len, 4);
        e->hdr_bytes = 5;
    }
    e->str = s;
    e->str_len = len;
    enc_finish(e);
}

static void enc_item(lp_enc *e, const lp_item *it) {
    if (it->is_int)
        enc_integer(e, it->ival);
    else
        enc_string(e, it->str, it->len);
}

/* Writes the whole entry (e->entry_bytes bytes) at dst. */
static void enc_write(const lp_enc *e, unsigned char *dst) {
    memcpy(dst, e->hdr, e->hdr_bytes);
    if (e->str_len) memcpy(dst + e->hdr_bytes, e->str, e->str_len);
    write_backlen(dst + e->body_bytes, e->body_bytes);
}

int lp_string_to_int64(const unsigned char *s, size_t len, int64_t *value) {
    long long ll;
    if (len == 0 || len > LP_MAX_INT_TEXT_BYTES) return 0;
    if (!string2ll((const char *)s, len, &ll)) return 0;
    if (value) *value = ll;
    return 1;
}

/* ------------------------------------------------------------ lifecycle */

unsigned char *lp_new(size_t capacity) {
    unsigned char *lp = zmalloc(capacity > LP_EMPTY_BYTES ? capacity : LP_EMPTY_BYTES);
    set_hdr_total(lp, LP_EMPTY_BYTES);
    set_hdr_count(lp, 0);
    lp[LP_HDR_BYTES] = LP_EOF;
    return lp;
}

void lp_free(unsigned char *lp) {
    zfree(lp);
}

unsigned char *lp_shrink_to_fit(unsigned char *lp) {
    size_t total = lp_bytes(lp);
    return zmalloc_size(lp) > total ? zrealloc(lp, total) : lp;
}

unsigned char *lp_dup(const unsigned char *lp) {
    size_t total = lp_bytes(lp);
    unsigned char *copy = zmalloc(total);
    memcpy(copy, lp, total);
    return copy;
}

/* ------------------------------------------------------------ queries */

size_t lp_bytes(const unsigned char *lp) {
    return load_u32(lp);
}

unsigned long lp_length(unsigned char *lp) {
    uint32_t count = hdr_count(lp);
    if (count != LP_HDR_COUNT_UNKNOWN) return count;
    unsigned long n = 0;
    for (const unsigned char *p = lp + LP_HDR_BYTES; *p != LP_EOF; p += entry_size(p)) n++;
    /* The specification: store the count again once it fits. */
    if (n < LP_HDR_COUNT_UNKNOWN) set_hdr_count(lp, (uint32_t)n);
    return n;
}

int lp_safe_to_add(const unsigned char *lp, size_t add_bytes) {
    size_t have = lp ? lp_bytes(lp) : 0;
    return add_bytes <= LP_MAX_SAFE_BYTES && have + add_bytes <= LP_MAX_SAFE_BYTES;
}

/* ------------------------------------------------------------ walking */

unsigned char *lp_first(unsigned char *lp) {
    unsigned char *p = lp + LP_HDR_BYTES;
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lp_next(unsigned char *lp, unsigned char *entry) {
    (void)lp;
    unsigned char *p = entry + entry_size(entry);
    return *p == LP_EOF ? NULL : p;
}

/* The entry ending just before p (p: an entry or the terminator). */
static unsigned char *entry_before(unsigned char *lp, unsigned char *p) {
    if (p == lp + LP_HDR_BYTES) return NULL;
    uint64_t body = 0;
    read_backlen(p - 1, LP_MAX_BACKLEN_BYTES, &body);
    return p - body - backlen_size(body);
}

unsigned char *lp_prev(unsigned char *lp, unsigned char *entry) {
    return entry_before(lp, entry);
}

unsigned char *lp_last(unsigned char *lp) {
    return entry_before(lp, lp + lp_bytes(lp) - 1);
}

unsigned char *lp_seek(unsigned char *lp, long index) {
    uint32_t count = hdr_count(lp);
    int forward = index >= 0;
    unsigned long steps = forward ? (unsigned long)index : (unsigned long)(-(index + 1));
    if (count != LP_HDR_COUNT_UNKNOWN) {
        if (steps >= count) return NULL;
        /* Walk from whichever end is nearer. */
        if (steps > count / 2) {
            forward = !forward;
            steps = count - 1 - steps;
        }
    }
    unsigned char *p = forward ? lp_first(lp) : lp_last(lp);
    while (p && steps--) p = forward ? lp_next(lp, p) : lp_prev(lp, p);
    return p;
}

enum lp_kind lp_get(const unsigned char *entry, int64_t *ival, const unsigned char **str, uint32_t *len,
                    unsigned char *buf) {
    unsigned char b = entry[0];
    int64_t v;
    if ((b & LP_ENC_7BIT_UINT_MASK) == LP_ENC_7BIT_UINT) {
        v = b;
    } else if ((b & LP_ENC_6BIT_STR_MASK) == LP_ENC_6BIT_STR) {
        if (str) *str = entry + 1;
        if (len) *len = b & 0x3F;
        return LP_KIND_STR;
    } else if ((b & LP_ENC_13BIT_INT_MASK) == LP_ENC_13BIT_INT) {
        int32_t u = (int32_t)((uint32_t)(b & 0x1F) << 8 | entry[1]);
        v = u >= (1 << 12) ? u - (1 << 13) : u;
    } else if ((b & LP_ENC_12BIT_STR_MASK) == LP_ENC_12BIT_STR) {
        if (str) *str = entry + 2;
        if (len) *len = (uint32_t)(b & 0x0F) << 8 | entry[1];
        return LP_KIND_STR;
    } else if (b == LP_ENC_32BIT_STR) {
        if (str) *str = entry + 5;
        if (len) *len = load_u32(entry + 1);
        return LP_KIND_STR;
    } else if (b == LP_ENC_16BIT_INT) {
        v = (int16_t)load_u16(entry + 1);
    } else if (b == LP_ENC_24BIT_INT) {
        int32_t u = (int32_t)load_u24(entry + 1);
        v = u >= (1 << 23) ? u - (1 << 24) : u;
    } else if (b == LP_ENC_32BIT_INT) {
        v = (int32_t)load_u32(entry + 1);
    } else {
        /* LP_ENC_64BIT_INT: the only code left in a valid listpack. */
        v = (int64_t)load_u64(entry + 1);
    }
    if (ival) *ival = v;
    if (buf) {
        int n = ll2string((char *)buf, LP_INTBUF_SIZE, v);
        if (str) *str = buf;
        if (len) *len = (uint32_t)n;
    }
    return LP_KIND_INT;
}

/* Compares entry with s; *s_state caches whether s parses as an integer
 * (-1 not yet known, 0 no, 1 yes with the value in *s_val) across calls. */
static int entry_eq_cached(const unsigned char *entry, const unsigned char *s, uint32_t len, int *s_state,
                           int64_t *s_val) {
    int64_t v;
    const unsigned char *es;
    uint32_t elen;
    if (lp_get(entry, &v, &es, &elen, NULL) == LP_KIND_STR) return elen == len && memcmp(es, s, len) == 0;
    if (*s_state < 0) *s_state = lp_string_to_int64(s, len, s_val);
    return *s_state && *s_val == v;
}

int lp_entry_eq(const unsigned char *entry, const unsigned char *s, uint32_t len) {
    int state = -1;
    int64_t val = 0;
    return entry_eq_cached(entry, s, len, &state, &val);
}

unsigned char *lp_find(unsigned char *lp, unsigned char *entry, const unsigned char *s, uint32_t len,
                       unsigned int skip) {
    int state = -1;
    int64_t val = 0;
    unsigned int to_skip = 0;
    for (unsigned char *p = entry; p; p = lp_next(lp, p)) {
        if (to_skip) {
            to_skip--;
            continue;
        }
        if (entry_eq_cached(p, s, len, &state, &val)) return p;
        to_skip = skip;
    }
    return NULL;
}

/* ------------------------------------------------------------ resizing */

/* Makes the old_bytes at offset off take new_bytes instead, moving the
 * rest (entries after it and the terminator), and fixes the header: total
 * bytes, and count moved by count_delta unless unknown. The new bytes are
 * left for the caller to write. Returns the listpack (maybe moved), or NULL
 * with lp untouched if the result would not fit the 32-bit header. Growing
 * reallocates only past the block's usable size (so lp_new's capacity
 * serves appends); shrinking gives the memory back. */
static unsigned char *resize_at(unsigned char *lp, size_t off, uint64_t old_bytes, uint64_t new_bytes,
                                long count_delta) {
    size_t total = lp_bytes(lp);
    uint64_t new_total = (uint64_t)total - old_bytes + new_bytes;
    if (new_total > UINT32_MAX) return NULL;
    size_t tail = total - off - (size_t)old_bytes;
    if (new_bytes > old_bytes) {
        if (new_total > zmalloc_size(lp)) lp = zrealloc(lp, (size_t)new_total);
        memmove(lp + off + new_bytes, lp + off + old_bytes, tail);
    } else if (new_bytes < old_bytes) {
        memmove(lp + off + new_bytes, lp + off + old_bytes, tail);
        lp = zrealloc(lp, (size_t)new_total);
    }
    set_hdr_total(lp, (size_t)new_total);
    uint32_t count = hdr_count(lp);
    if (count != LP_HDR_COUNT_UNKNOWN && count_delta != 0) {
        long n = (long)count + count_delta;
        set_hdr_count(lp, n >= LP_HDR_COUNT_UNKNOWN ? LP_HDR_COUNT_UNKNOWN : (uint32_t)n);
    }
    return lp;
}

/* ------------------------------------------------------------ writing */

/* Inserts the encoded value at byte offset off (an entry's start or the
 * terminator's). */
static unsigned char *insert_enc_at(unsigned char *lp, size_t off, const lp_enc *e, unsigned char **newentry) {
    unsigned char *n = resize_at(lp, off, 0, e->entry_bytes, 1);
    if (!n) return NULL;
    enc_write(e, n + off);
    if (newentry) *newentry = n + off;
    return n;
}

static unsigned char *insert_enc(unsigned char *lp, const lp_enc *e, unsigned char *entry, enum lp_where where,
                                 unsigned char **newentry) {
    unsigned char *at = where == LP_AFTER ? entry + entry_size(entry) : entry;
    return insert_enc_at(lp, (size_t)(at - lp), e, newentry);
}

unsigned char *lp_append(unsigned char *lp, const unsigned char *s, uint32_t len) {
    lp_enc e;
    enc_string(&e, s, len);
    return insert_enc_at(lp, lp_bytes(lp) - 1, &e, NULL);
}

unsigned char *lp_prepend(unsigned char *lp, const unsigned char *s, uint32_t len) {
    lp_enc e;
    enc_string(&e, s, len);
    return insert_enc_at(lp, LP_HDR_BYTES, &e, NULL);
}

unsigned char *lp_append_integer(unsigned char *lp, int64_t value) {
    lp_enc e;
    enc_integer(&e, value);
    return insert_enc_at(lp, lp_bytes(lp) - 1, &e, NULL);
}

unsigned char *lp_prepend_integer(unsigned char *lp, int64_t value) {
    lp_enc e;
    enc_integer(&e, value);
    return insert_enc_at(lp, LP_HDR_BYTES, &e, NULL);
}

unsigned char *lp_insert(unsigned char *lp, const unsigned char *s, uint32_t len, unsigned char *entry,
                         enum lp_where where, unsigned char **newentry) {
    lp_enc e;
    enc_string(&e, s, len);
    return insert_enc(lp, &e, entry, where, newentry);
}

unsigned char *lp_insert_integer(unsigned char *lp, int64_t value, unsigned char *entry, enum lp_where where,
                                 unsigned char **newentry) {
    lp_enc e;
    enc_integer(&e, value);
    return insert_enc(lp, &e, entry, where, newentry);
}

static unsigned char *replace_enc(unsigned char *lp, unsigned char **entry, const lp_enc *e) {
    size_t off = (size_t)(*entry - lp);
    unsigned char *n = resize_at(lp, off, entry_size(*entry), e->entry_bytes, 0);
    if (!n) return NULL;
    enc_write(e, n + off);
    *entry = n + off;
    return n;
}

unsigned char *lp_replace(unsigned char *lp, unsigned char **entry, const unsigned char *s, uint32_t len) {
    lp_enc e;
    enc_string(&e, s, len);
    return replace_enc(lp, entry, &e);
}

unsigned char *lp_replace_integer(unsigned char *lp, unsigned char **entry, int64_t value) {
    lp_enc e;
    enc_integer(&e, value);
    return replace_enc(lp, entry, &e);
}

unsigned char *lp_batch_append(unsigned char *lp, const lp_item *items, size_t n) {
    /* Encoding is cheap, so size everything first and encode again while
     * writing instead of keeping n encodings around. */
    uint64_t add = 0;
    lp_enc e;
    for (size_t i = 0; i < n; i++) {
        enc_item(&e, &items[i]);
        add += e.entry_bytes;
        if (add > UINT32_MAX) return NULL;
    }
    size_t off = lp_bytes(lp) - 1;
    unsigned char *grown = resize_at(lp, off, 0, add, (long)n);
    if (!grown) return NULL;
    for (size_t i = 0; i < n; i++) {
        enc_item(&e, &items[i]);
        enc_write(&e, grown + off);
        off += (size_t)e.entry_bytes;
    }
    return grown;
}

/* ------------------------------------------------------------ deleting */

unsigned char *lp_delete(unsigned char *lp, unsigned char *entry, unsigned char **next) {
    lp = lp_delete_range_entry(lp, &entry, 1);
    if (next) *next = entry;
    return lp;
}

unsigned char *lp_delete_range_entry(unsigned char *lp, unsigned char **entry, unsigned long count) {
    size_t off = (size_t)(*entry - lp);
    unsigned char *p = *entry;
    unsigned long n = 0;
    while (n < count && *p != LP_EOF) {
        p += entry_size(p);
        n++;
    }
    /* Shrinking never fails. */
    lp = resize_at(lp, off, (uint64_t)(p - *entry), 0, -(long)n);
    *entry = lp[off] == LP_EOF ? NULL : lp + off;
    return lp;
}

unsigned char *lp_delete_range(unsigned char *lp, long index, unsigned long count) {
    unsigned char *p = lp_seek(lp, index);
    if (!p || count == 0) return lp;
    return lp_delete_range_entry(lp, &p, count);
}

/* ------------------------------------------------------------ validation */

/* Proves the entry at p lies wholly before end (the terminator) and its
 * backlen matches its body. Returns its size, or 0 if it is malformed.
 * Reads only bytes in [p, end). */
static uint64_t validate_entry(const unsigned char *p, const unsigned char *end) {
    size_t avail = (size_t)(end - p);
    uint32_t need = enc_len_bytes(p[0]);
    if (need == 0 || need > avail) return 0;
    uint64_t body = entry_body_size(p);
    uint32_t back = backlen_size(body);
    if (body + back > avail) return 0;
    uint64_t recorded = 0;
    if (read_backlen(p + body + back - 1, back, &recorded) != back || recorded != body) return 0;
    return body + back;
}

static int validate_header(const unsigned char *bytes, size_t size) {
    if (size < LP_EMPTY_BYTES) return -1;
    if (load_u32(bytes) != size) return -1;
    if (bytes[size - 1] != LP_EOF) return -1;
    return 0;
}

int lp_validate_entries(const unsigned char *bytes, size_t size, lp_validate_cb *cb, void *userdata) {
    if (validate_header(bytes, size) != 0) return -1;
    const unsigned char *end = bytes + size - 1;
    const unsigned char *p = bytes + LP_HDR_BYTES;
    unsigned long count = 0;
    while (p < end) {
        uint64_t n = validate_entry(p, end);
        if (n == 0) return -1;
        if (cb && cb(p, count, userdata) != 0) return -1;
        p += n;
        count++;
    }
    /* An exact count must be right; "unknown" is allowed at any size (a
     * listpack that shrank keeps it until someone counts). */
    uint32_t hdr = hdr_count(bytes);
    if (hdr != LP_HDR_COUNT_UNKNOWN && hdr != count) return -1;
    return 0;
}

int lp_validate_integrity(const unsigned char *bytes, size_t size, int deep) {
    if (!deep) return validate_header(bytes, size);
    return lp_validate_entries(bytes, size, NULL, NULL);
}
