/* intset.c -- sorted integer sets in Redis's RDB blob layout (intset.h).
 *
 * Owns the blob layout and nothing else: no globals (random() is libc's
 * process-wide generator), no I/O, no logging; memory only via zmalloc.
 * Header fields and values are little-endian on every host, so the bytes in
 * memory are the bytes an RDB file holds. Key invariant: encoding is 2, 4
 * or 8 and holds every member, members strictly ascend, and the allocation
 * is exactly INTSET_HDR_BYTES + length * encoding bytes. */
#include "intset.h"

#include <stdlib.h>
#include <string.h>

#include "zmalloc.h"

/* Member widths, in bytes: the value of the encoding field. */
#define INTSET_ENC_INT16 2
#define INTSET_ENC_INT32 4
#define INTSET_ENC_INT64 8
/* Offsets of the header fields. */
#define INTSET_ENCODING_OFFSET 0
#define INTSET_LENGTH_OFFSET 4

/* The struct only gives the type a name: every access goes through the
 * little-endian helpers below, never through host-order fields. */
struct intset {
    unsigned char bytes[INTSET_HDR_BYTES];
};

static unsigned char *raw(intset *is) {
    return (unsigned char *)is;
}

static const unsigned char *craw(const intset *is) {
    return (const unsigned char *)is;
}

static uint32_t load_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_le(unsigned char *p, uint64_t v, uint32_t nbytes) {
    for (uint32_t i = 0; i < nbytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Reads a width-byte little-endian two's complement value. */
static int64_t load_value(const unsigned char *p, uint32_t width) {
    uint64_t u = 0;
    for (uint32_t i = 0; i < width; i++) u |= (uint64_t)p[i] << (8 * i);
    switch (width) {
    case INTSET_ENC_INT16: return (int16_t)u;
    case INTSET_ENC_INT32: return (int32_t)u;
    default: return (int64_t)u;
    }
}

static uint32_t enc_of(const intset *is) {
    return load_u32(craw(is) + INTSET_ENCODING_OFFSET);
}

uint32_t intset_len(const intset *is) {
    return load_u32(craw(is) + INTSET_LENGTH_OFFSET);
}

size_t intset_blob_len(const intset *is) {
    return INTSET_HDR_BYTES + (size_t)intset_len(is) * enc_of(is);
}

/* Value at pos under encoding enc (may differ from is's during upgrade). */
static int64_t get_at(const intset *is, uint32_t pos, uint32_t enc) {
    return load_value(craw(is) + INTSET_HDR_BYTES + (size_t)pos * enc, enc);
}

static void set_at(intset *is, uint32_t pos, int64_t v, uint32_t enc) {
    store_le(raw(is) + INTSET_HDR_BYTES + (size_t)pos * enc, (uint64_t)v, enc);
}

static void set_header(intset *is, uint32_t enc, uint32_t len) {
    store_le(raw(is) + INTSET_ENCODING_OFFSET, enc, 4);
    store_le(raw(is) + INTSET_LENGTH_OFFSET, len, 4);
}

/* Smallest width that holds v. */
static uint32_t value_encoding(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return INTSET_ENC_INT64;
    if (v < INT16_MIN || v > INT16_MAX) return INTSET_ENC_INT32;
    return INTSET_ENC_INT16;
}

static intset *resize(intset *is, uint32_t enc, uint32_t len) {
    return zrealloc(is, INTSET_HDR_BYTES + (size_t)len * enc);
}

/* Binary search: 1 and *pos = its index if value is there, else 0 and
 * *pos = where it would be inserted. */
static int search(const intset *is, int64_t value, uint32_t *pos) {
    uint32_t enc = enc_of(is), lo = 0, hi = intset_len(is);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = get_at(is, mid, enc);
        if (cur == value) {
            *pos = mid;
            return 1;
        }
        if (cur < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return 0;
}

intset *intset_new(void) {
    intset *is = zmalloc(INTSET_HDR_BYTES);
    set_header(is, INTSET_ENC_INT16, 0);
    return is;
}

void intset_free(intset *is) {
    zfree(is);
}

/* value needs a wider encoding than is has, so it is beyond every member:
 * smaller than all if negative, larger than all if positive. Widening runs
 * from the last member down so nothing is overwritten before it is read. */
static intset *upgrade_and_add(intset *is, int64_t value) {
    uint32_t old_enc = enc_of(is), new_enc = value_encoding(value);
    uint32_t len = intset_len(is);
    uint32_t shift = value < 0 ? 1 : 0;
    is = resize(is, new_enc, len + 1);
    for (uint32_t i = len; i-- > 0;) set_at(is, i + shift, get_at(is, i, old_enc), new_enc);
    set_at(is, value < 0 ? 0 : len, value, new_enc);
    set_header(is, new_enc, len + 1);
    return is;
}

intset *intset_add(intset *is, int64_t value, int *success) {
    uint32_t enc = enc_of(is), len = intset_len(is), pos;
    if (value_encoding(value) > enc) {
        if (success) *success = 1;
        return upgrade_and_add(is, value);
    }
    if (search(is, value, &pos)) {
        if (success) *success = 0;
        return is;
    }
    is = resize(is, enc, len + 1);
    unsigned char *at = raw(is) + INTSET_HDR_BYTES + (size_t)pos * enc;
    memmove(at + enc, at, (size_t)(len - pos) * enc);
    set_at(is, pos, value, enc);
    set_header(is, enc, len + 1);
    if (success) *success = 1;
    return is;
}

intset *intset_remove(intset *is, int64_t value, int *success) {
    uint32_t enc = enc_of(is), len = intset_len(is), pos;
    if (value_encoding(value) > enc || !search(is, value, &pos)) {
        if (success) *success = 0;
        return is;
    }
    unsigned char *at = raw(is) + INTSET_HDR_BYTES + (size_t)pos * enc;
    memmove(at, at + enc, (size_t)(len - pos - 1) * enc);
    set_header(is, enc, len - 1);
    if (success) *success = 1;
    return resize(is, enc, len - 1);
}

int intset_find(const intset *is, int64_t value) {
    uint32_t pos;
    return value_encoding(value) <= enc_of(is) && search(is, value, &pos);
}

int64_t intset_random(const intset *is) {
    uint32_t len = intset_len(is);
    return get_at(is, (uint32_t)((unsigned long)random() % len), enc_of(is));
}

int intset_get(const intset *is, uint32_t pos, int64_t *value) {
    if (pos >= intset_len(is)) return -1;
    *value = get_at(is, pos, enc_of(is));
    return 0;
}

int64_t intset_max(const intset *is) {
    return get_at(is, intset_len(is) - 1, enc_of(is));
}

int64_t intset_min(const intset *is) {
    return get_at(is, 0, enc_of(is));
}

int intset_validate_integrity(const unsigned char *bytes, size_t size, int deep) {
    if (size < INTSET_HDR_BYTES) return -1;
    uint32_t enc = load_u32(bytes + INTSET_ENCODING_OFFSET);
    if (enc != INTSET_ENC_INT16 && enc != INTSET_ENC_INT32 && enc != INTSET_ENC_INT64) return -1;
    uint32_t len = load_u32(bytes + INTSET_LENGTH_OFFSET);
    if ((uint64_t)INTSET_HDR_BYTES + (uint64_t)len * enc != size) return -1;
    if (len == 0) return -1;
    if (!deep) return 0;
    const unsigned char *p = bytes + INTSET_HDR_BYTES;
    int64_t prev = load_value(p, enc);
    for (uint32_t i = 1; i < len; i++) {
        int64_t cur = load_value(p + (size_t)i * enc, enc);
        if (cur <= prev) return -1;
        prev = cur;
    }
    return 0;
}
