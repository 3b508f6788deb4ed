/* ziplist.c -- validates, walks and converts the ziplists of old RDB files
 * (see ziplist.h for the layout), written from the format's public
 * description.
 *
 * Owns no state. Must never read a byte outside the blob it was given:
 * every entry is parsed by parse_entry, which proves the entry's header
 * and data lie before the terminator before anything reads them. Key
 * invariant of a valid blob: each prevlen equals the full size of the
 * entry before it (0 for the first), zltail is the last entry's offset
 * and zllen the exact count or ZL_COUNT_UNKNOWN. */
#include "ziplist.h"

#include <string.h>

#include "dict.h"
#include "listpack.h"
#include "sds.h"
#include "util.h"
#include "zmalloc.h"

/* Header field offsets. */
#define ZL_OFF_TAIL 4
#define ZL_OFF_LEN 8
/* Smallest valid blob: header + terminator. */
#define ZL_EMPTY_BYTES (ZL_HDR_BYTES + 1)

/* prevlen: values below this take one byte; this byte announces a u32. */
#define ZL_PREVLEN_BIG 254
#define ZL_PREVLEN_BIG_BYTES 5

/* String encodings: the top two bits of the encoding byte. */
#define ZL_STR_MASK 0xC0
#define ZL_STR_06B 0x00
#define ZL_STR_14B 0x40
#define ZL_STR_32B 0x80
#define ZL_STR_06B_LEN_MASK 0x3F
/* Integer encodings: the whole byte. */
#define ZL_INT_16B 0xC0
#define ZL_INT_32B 0xD0
#define ZL_INT_64B 0xE0
#define ZL_INT_24B 0xF0
#define ZL_INT_8B 0xFE
/* 0xF1..0xFD carry the value (low nibble - 1, 0..12) in the byte itself. */
#define ZL_INT_IMM_MIN 0xF1
#define ZL_INT_IMM_MAX 0xFD
#define ZL_INT_IMM_MASK 0x0F

/* Most bytes a listpack entry adds besides a string's own bytes: a 5-byte
 * length or a 9-byte integer, plus up to 5 bytes of backlen. */
#define ZL_LP_ENTRY_OVERHEAD_BYTES 14
/* Longest decimal int64, for maxlen and duplicate keys. */
#define ZL_INT_TEXT_BYTES 21

/* One entry's layout, as parse_entry proved it. */
typedef struct zl_hdr {
    uint32_t prevlen;       /* recorded size of the previous entry */
    uint32_t prevlen_bytes; /* 1 or 5 */
    uint32_t enc_bytes;     /* encoding byte(s): 1, 2 or 5 */
    uint32_t data_bytes;    /* string bytes or integer width */
    unsigned char enc;      /* the first encoding byte */
    int is_str;
} zl_hdr;

/* ------------------------------------------------------------ byte access */

static uint32_t load_u16(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t load_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Little-endian two's complement integer of nbytes bytes (1..8). */
static int64_t load_signed(const unsigned char *p, uint32_t nbytes) {
    uint64_t v = 0;
    for (uint32_t i = 0; i < nbytes; i++) v |= (uint64_t)p[i] << (8 * i);
    uint32_t unused = 64 - 8 * nbytes;
    if (unused == 0) return (int64_t)v;
    /* Sign-extend through the top bit of the stored width. */
    uint64_t sign = (uint64_t)1 << (8 * nbytes - 1);
    return (int64_t)((v ^ sign) - sign);
}

/* ------------------------------------------------------------ entries */

/* Width of an integer encoding's data, or -1 for a byte that is neither a
 * string nor an integer encoding (0xC1, 0xFF, ...). */
static int int_data_bytes(unsigned char enc) {
    switch (enc) {
    case ZL_INT_8B: return 1;
    case ZL_INT_16B: return 2;
    case ZL_INT_24B: return 3;
    case ZL_INT_32B: return 4;
    case ZL_INT_64B: return 8;
    default: return enc >= ZL_INT_IMM_MIN && enc <= ZL_INT_IMM_MAX ? 0 : -1;
    }
}

/* Parses the entry at p, proving that all of it lies within the avail
 * bytes before the terminator. Returns its full size, or 0 if it is
 * malformed or does not fit. Reads nothing past those avail bytes. */
static uint64_t parse_entry(const unsigned char *p, size_t avail, zl_hdr *h) {
    size_t room = avail;
    if (avail < 1) return 0;
    if (p[0] < ZL_PREVLEN_BIG) {
        h->prevlen = p[0];
        h->prevlen_bytes = 1;
    } else if (p[0] == ZL_PREVLEN_BIG) {
        if (avail < ZL_PREVLEN_BIG_BYTES) return 0;
        h->prevlen = load_u32(p + 1);
        h->prevlen_bytes = ZL_PREVLEN_BIG_BYTES;
    } else {
        return 0; /* 0xFF where an entry should start */
    }
    const unsigned char *e = p + h->prevlen_bytes;
    avail -= h->prevlen_bytes;
    if (avail < 1) return 0;
    h->enc = e[0];
    if ((h->enc & ZL_STR_MASK) != ZL_STR_MASK) {
        h->is_str = 1;
        switch (h->enc & ZL_STR_MASK) {
        case ZL_STR_06B:
            h->enc_bytes = 1;
            h->data_bytes = h->enc & ZL_STR_06B_LEN_MASK;
            break;
        case ZL_STR_14B:
            if (avail < 2) return 0;
            h->enc_bytes = 2;
            h->data_bytes = (uint32_t)(h->enc & ZL_STR_06B_LEN_MASK) << 8 | e[1];
            break;
        default: /* ZL_STR_32B: the low six bits are unused */
            if (avail < 5) return 0;
            h->enc_bytes = 5;
            h->data_bytes = (uint32_t)e[1] << 24 | (uint32_t)e[2] << 16 | (uint32_t)e[3] << 8 | e[4];
            break;
        }
    } else {
        int w = int_data_bytes(h->enc);
        if (w < 0) return 0;
        h->is_str = 0;
        h->enc_bytes = 1;
        h->data_bytes = (uint32_t)w;
    }
    uint64_t total = (uint64_t)h->prevlen_bytes + h->enc_bytes + h->data_bytes;
    if (total > room) return 0;
    return total;
}

/* Value of an entry parse_entry accepted. */
static void entry_value(const unsigned char *p, const zl_hdr *h, zl_value *v) {
    const unsigned char *data = p + h->prevlen_bytes + h->enc_bytes;
    if (h->is_str) {
        v->str = data;
        v->len = h->data_bytes;
        v->ival = 0;
        return;
    }
    v->str = NULL;
    v->len = 0;
    if (h->data_bytes == 0)
        v->ival = (h->enc & ZL_INT_IMM_MASK) - 1;
    else
        v->ival = load_signed(data, h->data_bytes);
}

/* ------------------------------------------------------------ validation */

static int validate_header(const unsigned char *zl, size_t size) {
    if (size < ZL_EMPTY_BYTES) return -1;
    if (load_u32(zl) != size) return -1;
    if (zl[size - 1] != ZL_END) return -1;
    /* zltail points at an entry or at the terminator, never past it. */
    uint32_t tail = load_u32(zl + ZL_OFF_TAIL);
    if (tail < ZL_HDR_BYTES || tail > size - 1) return -1;
    return 0;
}

int zl_validate_entries(const unsigned char *zl, size_t size, zl_entry_cb *cb, void *userdata) {
    if (validate_header(zl, size) != 0) return -1;
    const unsigned char *end = zl + size - 1;
    const unsigned char *p = zl + ZL_HDR_BYTES;
    const unsigned char *last = NULL;
    uint64_t prev_size = 0;
    unsigned long count = 0;
    while (p < end) {
        zl_hdr h;
        uint64_t n = parse_entry(p, (size_t)(end - p), &h);
        if (n == 0 || h.prevlen != prev_size) return -1;
        if (cb) {
            zl_value v;
            entry_value(p, &h, &v);
            if (cb(&v, count, userdata) != 0) return -1;
        }
        last = p;
        prev_size = n;
        p += n;
        count++;
    }
    uint32_t tail = load_u32(zl + ZL_OFF_TAIL);
    if ((size_t)tail != (size_t)((last ? last : end) - zl)) return -1;
    uint32_t hdr = load_u16(zl + ZL_OFF_LEN);
    if (hdr != ZL_COUNT_UNKNOWN && hdr != count) return -1;
    return 0;
}

int zl_validate_integrity(const unsigned char *zl, size_t size, int deep) {
    if (!deep) return validate_header(zl, size);
    return zl_validate_entries(zl, size, NULL, NULL);
}

/* ------------------------------------------------------------ walking */

/* A validated blob's entries are known to end before its terminator. */
#define ZL_TRUSTED_AVAIL SIZE_MAX

const unsigned char *zl_first(const unsigned char *zl) {
    const unsigned char *p = zl + ZL_HDR_BYTES;
    return *p == ZL_END ? NULL : p;
}

const unsigned char *zl_next(const unsigned char *p) {
    zl_hdr h;
    p += parse_entry(p, ZL_TRUSTED_AVAIL, &h);
    return *p == ZL_END ? NULL : p;
}

void zl_get(const unsigned char *p, zl_value *v) {
    zl_hdr h;
    parse_entry(p, ZL_TRUSTED_AVAIL, &h);
    entry_value(p, &h, v);
}

unsigned long zl_length(const unsigned char *zl) {
    uint32_t hdr = load_u16(zl + ZL_OFF_LEN);
    if (hdr != ZL_COUNT_UNKNOWN) return hdr;
    unsigned long n = 0;
    for (const unsigned char *p = zl_first(zl); p; p = zl_next(p)) n++;
    return n;
}

/* ------------------------------------------------------------ conversion */

/* What the conversion callbacks carry through one validation pass. */
typedef struct zl_conv {
    unsigned char *lp;  /* the listpack being built */
    dict *fields;       /* pairs only: fields seen so far */
    size_t maxlen;      /* longest entry, as text */
} zl_conv;

/* Text length of an entry (integers by their decimal form). */
static size_t value_text_len(const zl_value *v, char *buf) {
    if (v->str) return v->len;
    return (size_t)ll2string(buf, ZL_INT_TEXT_BYTES, v->ival);
}

static int append_value(zl_conv *cv, const zl_value *v) {
    size_t add = v->str ? (size_t)v->len + ZL_LP_ENTRY_OVERHEAD_BYTES : ZL_LP_ENTRY_OVERHEAD_BYTES;
    if (!lp_safe_to_add(cv->lp, add)) return -1;
    unsigned char *lp = v->str ? lp_append(cv->lp, v->str, v->len) : lp_append_integer(cv->lp, v->ival);
    if (!lp) return -1;
    cv->lp = lp;
    return 0;
}

static int convert_entry_cb(const zl_value *v, unsigned long index, void *userdata) {
    (void)index;
    return append_value(userdata, v);
}

/* Pairs: every even entry is a field that must not repeat. */
static int convert_pair_cb(const zl_value *v, unsigned long index, void *userdata) {
    zl_conv *cv = userdata;
    char buf[ZL_INT_TEXT_BYTES];
    size_t len = value_text_len(v, buf);
    if (len > cv->maxlen) cv->maxlen = len;
    if (index % 2 == 0) {
        sds field = sds_new_len(v->str ? (const void *)v->str : buf, len);
        if (dict_add(cv->fields, field, NULL) != DICT_OK) {
            sds_free(field);
            return -1;
        }
    }
    return append_value(cv, v);
}

unsigned char *zl_to_listpack(const unsigned char *zl, size_t size) {
    /* Entries take about as many bytes in a listpack as in a ziplist. */
    zl_conv cv = {.lp = lp_new(size), .fields = NULL, .maxlen = 0};
    if (zl_validate_entries(zl, size, convert_entry_cb, &cv) != 0) {
        lp_free(cv.lp);
        return NULL;
    }
    return lp_shrink_to_fit(cv.lp);
}

static dict_type zl_field_set_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
};

unsigned char *zl_pairs_to_listpack(const unsigned char *zl, size_t size, size_t *maxlen) {
    zl_conv cv = {.lp = lp_new(size), .fields = dict_create(&zl_field_set_type), .maxlen = 0};
    int ok = zl_validate_entries(zl, size, convert_pair_cb, &cv) == 0;
    /* The last field needs its value. */
    if (ok && lp_length(cv.lp) % 2 != 0) ok = 0;
    dict_release(cv.fields);
    if (!ok) {
        lp_free(cv.lp);
        return NULL;
    }
    if (maxlen) *maxlen = cv.maxlen;
    return lp_shrink_to_fit(cv.lp);
}
