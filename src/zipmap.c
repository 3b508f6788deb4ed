/* zipmap.c -- validates, walks and converts the zipmaps of old RDB files
 * (see zipmap.h for the layout), written from the format's public
 * description.
 *
 * Owns no state. Must never read a byte outside the blob it was given:
 * read_len and the pair walk in zm_validate_integrity check every length
 * against the bytes left before the terminator first. Key invariant of a
 * valid blob: its pairs end exactly at the last byte, the terminator. */
#include "zipmap.h"

#include <string.h>

#include "dict.h"
#include "listpack.h"
#include "sds.h"
#include "zmalloc.h"

/* A u32 length: the ZM_BIGLEN byte and four bytes. */
#define ZM_BIGLEN_BYTES 5
/* Smallest valid blob: count byte + terminator. */
#define ZM_EMPTY_BYTES 2
/* Most bytes a listpack entry adds besides the string (5-byte encoding
 * header + 5-byte backlen). */
#define ZM_LP_ENTRY_OVERHEAD_BYTES 10

/* Reads the length at p when avail bytes are readable there. Returns the
 * bytes it took (1 or 5) or 0 when it does not fit or is the terminator. */
static uint32_t read_len(const unsigned char *p, size_t avail, uint32_t *len) {
    if (avail < 1 || p[0] == ZM_END) return 0;
    if (p[0] < ZM_BIGLEN) {
        *len = p[0];
        return 1;
    }
    if (avail < ZM_BIGLEN_BYTES) return 0;
    *len = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24;
    return ZM_BIGLEN_BYTES;
}

/* One pair found by parse_pair. */
typedef struct zm_pair {
    const unsigned char *field, *value;
    uint32_t flen, vlen;
} zm_pair;

/* Parses the pair at p with avail bytes before the terminator. Returns
 * the bytes it spans, or 0 if it is malformed or does not fit. */
static uint64_t parse_pair(const unsigned char *p, size_t avail, zm_pair *pair) {
    const unsigned char *start = p;
    uint32_t n = read_len(p, avail, &pair->flen);
    if (n == 0 || (uint64_t)n + pair->flen > avail) return 0;
    pair->field = p + n;
    p += n + pair->flen;
    avail -= n + pair->flen;
    n = read_len(p, avail, &pair->vlen);
    /* the value length, then the free byte */
    if (n == 0 || avail < (size_t)n + 1) return 0;
    uint32_t free_bytes = p[n];
    if ((uint64_t)n + 1 + pair->vlen + free_bytes > avail) return 0;
    pair->value = p + n + 1;
    p += n + 1 + (uint64_t)pair->vlen + free_bytes;
    return (uint64_t)(p - start);
}

int zm_validate_integrity(const unsigned char *zm, size_t size, int deep) {
    if (size < ZM_EMPTY_BYTES || zm[size - 1] != ZM_END) return -1;
    if (!deep) return 0;
    const unsigned char *end = zm + size - 1;
    const unsigned char *p = zm + 1;
    unsigned long count = 0;
    while (p < end) {
        zm_pair pair;
        uint64_t n = parse_pair(p, (size_t)(end - p), &pair);
        if (n == 0) return -1;
        p += n;
        count++;
    }
    if (zm[0] < ZM_BIGLEN && zm[0] != count) return -1;
    return 0;
}

const unsigned char *zm_rewind(const unsigned char *zm) {
    return zm + 1;
}

const unsigned char *zm_next(const unsigned char *pos, const unsigned char **field, uint32_t *flen,
                             const unsigned char **value, uint32_t *vlen) {
    if (*pos == ZM_END) return NULL;
    zm_pair pair;
    uint64_t n = parse_pair(pos, SIZE_MAX, &pair);
    *field = pair.field;
    *flen = pair.flen;
    *value = pair.value;
    *vlen = pair.vlen;
    return pos + n;
}

unsigned long zm_length(const unsigned char *zm) {
    if (zm[0] < ZM_BIGLEN) return zm[0];
    unsigned long n = 0;
    const unsigned char *f, *v;
    uint32_t fl, vl;
    for (const unsigned char *p = zm_rewind(zm); (p = zm_next(p, &f, &fl, &v, &vl)) != NULL;) n++;
    return n;
}

static dict_type zm_field_set_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
};

/* Appends one pair, refusing a repeated field or an oversized result. */
static unsigned char *append_pair(unsigned char *lp, dict *fields, const zm_pair *pair) {
    sds f = sds_new_len(pair->field, pair->flen);
    if (dict_add(fields, f, NULL) != DICT_OK) {
        sds_free(f);
        return NULL;
    }
    size_t add = (size_t)pair->flen + pair->vlen + 2 * ZM_LP_ENTRY_OVERHEAD_BYTES;
    if (!lp_safe_to_add(lp, add)) return NULL;
    lp_item items[2] = {
        {.str = pair->field, .len = pair->flen},
        {.str = pair->value, .len = pair->vlen},
    };
    return lp_batch_append(lp, items, 2);
}

unsigned char *zm_to_listpack(const unsigned char *zm, size_t size, size_t *maxlen) {
    if (zm_validate_integrity(zm, size, 1) != 0) return NULL;
    unsigned char *lp = lp_new(size);
    dict *fields = dict_create(&zm_field_set_type);
    size_t longest = 0;
    const unsigned char *p = zm_rewind(zm);
    while (*p != ZM_END) {
        zm_pair pair;
        p += parse_pair(p, SIZE_MAX, &pair);
        if (pair.flen > longest) longest = pair.flen;
        if (pair.vlen > longest) longest = pair.vlen;
        unsigned char *next = append_pair(lp, fields, &pair);
        if (!next) {
            dict_release(fields);
            lp_free(lp);
            return NULL;
        }
        lp = next;
    }
    dict_release(fields);
    if (maxlen) *maxlen = longest;
    return lp_shrink_to_fit(lp);
}
