/* rdb_object.c -- single values in RDB encoding: the primitives (lengths,
 * strings with their integer and LZF forms, doubles), the encoder and
 * decoder of every type Redis 7.0 writes (and the older ones it still
 * reads), and the DUMP payload around one value.
 *
 * Writing only reads the value, so a forked child may call it. Reading
 * trusts nothing: each length is checked against what the stream still
 * holds before memory is spent, packed blobs (listpack, intset) are
 * validated entry by entry before anything walks them, and a failure frees
 * everything built so far and names its reason in *err. Objects come out
 * in the encoding this server would use for them (the type files decide,
 * through their loader constructors). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crc64.h"
#include "intset.h"
#include "listpack.h"
#include "lzf.h"
#include "quicklist.h"
#include "rdb_internal.h"
#include "rdb_legacy.h"
#include "skiplist.h"
#include "t_zset.h"
#include "util.h"
#include "zmalloc.h"

/* Up to this size a string's buffer is allocated at once whatever length
 * a file claims; past it, a file read grows the buffer as bytes really
 * arrive, so a corrupt length cannot make us allocate gigabytes. */
#define RDB_TRUSTED_ALLOC_BYTES (1024 * 1024)
/* LZF expands by at most 264 output bytes per 2 input bytes (a maximal
 * back reference), so a claimed length beyond this ratio is corrupt. */
#define RDB_LZF_MAX_RATIO 132
/* Collections are presized for at most this many elements when the input
 * size is unknown (a file): a corrupt count must not allocate a huge
 * table; a real big collection just grows past the hint. */
#define RDB_SIZE_HINT_MAX (1UL << 20)
/* Compression scratch kept on the stack up to this many bytes. */
#define RDB_LZF_STACK_BYTES 4096

/* ============================================================ errors */

static void rdb_err(sds *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rdb_err(sds *err, const char *fmt, ...) {
    if (*err) return; /* the first reason is the one that counts */
    va_list ap;
    va_start(ap, fmt);
    *err = sds_cat_vprintf(sds_empty(), fmt, ap);
    va_end(ap);
}

void rdb_read_failed(rio *r, sds *err) {
    rdb_err(err, "%s", r->eof || rio_buffer_left(r) != (size_t)-1 ? "Unexpected EOF reading RDB file"
                                                                   : "Read error reading RDB stream");
}

static int rdb_read(rio *r, void *buf, size_t len, sds *err) {
    if (rio_read(r, buf, len)) return 0;
    rdb_read_failed(r, err);
    return -1;
}

/* ============================================================ writing */

static ssize_t rdb_write(rio *r, const void *p, size_t len) {
    return rio_write(r, p, len) ? (ssize_t)len : -1;
}

ssize_t rdb_save_type(rio *r, unsigned char type) {
    return rdb_write(r, &type, 1);
}

ssize_t rdb_save_len(rio *r, uint64_t len) {
    unsigned char b[9];
    size_t n;
    if (len < (1 << 6)) {
        b[0] = (unsigned char)len;
        n = 1;
    } else if (len < (1 << 14)) {
        b[0] = (unsigned char)((len >> 8) | (RDB_14BITLEN << 6));
        b[1] = (unsigned char)len;
        n = 2;
    } else if (len <= UINT32_MAX) {
        b[0] = RDB_32BITLEN;
        for (int i = 0; i < 4; i++) b[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        n = 5;
    } else {
        b[0] = RDB_64BITLEN;
        for (int i = 0; i < 8; i++) b[1 + i] = (unsigned char)(len >> (56 - 8 * i));
        n = 9;
    }
    return rdb_write(r, b, n);
}

/* Encodes v as an 8/16/32-bit integer string into enc (5 bytes); returns
 * the encoded size, or 0 when v needs more than 32 bits. */
static int rdb_encode_integer(long long v, unsigned char *enc) {
    if (v >= INT8_MIN && v <= INT8_MAX) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
        enc[1] = (unsigned char)(v & 0xff);
        return 2;
    }
    if (v >= INT16_MIN && v <= INT16_MAX) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
        enc[1] = (unsigned char)(v & 0xff);
        enc[2] = (unsigned char)((v >> 8) & 0xff);
        return 3;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
        for (int i = 0; i < 4; i++) enc[1 + i] = (unsigned char)((v >> (8 * i)) & 0xff);
        return 5;
    }
    return 0;
}

/* LZF form: returns bytes written, 0 when compression does not pay (the
 * caller writes the string plain), -1 on a write error. */
static ssize_t rdb_save_lzf_string(rio *r, const void *s, size_t len) {
    unsigned char stackbuf[RDB_LZF_STACK_BYTES];
    if (len <= 4) return 0;
    size_t outlen = len - 4; /* must save at least 4 bytes, as Redis asks */
    unsigned char *out = outlen <= sizeof(stackbuf) ? stackbuf : zmalloc(outlen);
    size_t clen = lzf_compress(s, len, out, outlen);
    ssize_t written = 0;
    if (clen) {
        ssize_t a = rdb_save_type(r, (RDB_ENCVAL << 6) | RDB_ENC_LZF), b = -1, c = -1, d = -1;
        if (a != -1) b = rdb_save_len(r, clen);
        if (b != -1) c = rdb_save_len(r, len);
        if (c != -1) d = rdb_write(r, out, clen);
        written = d == -1 ? -1 : a + b + c + d;
    }
    if (out != stackbuf) zfree(out);
    return written;
}

ssize_t rdb_save_string_ex(rio *r, const void *s, size_t len, int compress) {
    if (len <= RDB_INT_ENC_MAX_LEN) {
        long long v;
        unsigned char enc[5];
        int n;
        if (string2ll(s, len, &v) && (n = rdb_encode_integer(v, enc)) > 0) return rdb_write(r, enc, (size_t)n);
    }
    if (compress && len > RDB_LZF_MIN_LEN) {
        ssize_t n = rdb_save_lzf_string(r, s, len);
        if (n != 0) return n;
    }
    ssize_t n = rdb_save_len(r, len);
    if (n == -1 || (len && rdb_write(r, s, len) == -1)) return -1;
    return n + (ssize_t)len;
}

ssize_t rdb_save_raw_string(rio *r, const void *s, size_t len) {
    return rdb_save_string_ex(r, s, len, cfg.rdbcompression);
}

ssize_t rdb_save_ll_string(rio *r, long long v) {
    unsigned char enc[5];
    int n = rdb_encode_integer(v, enc);
    if (n > 0) return rdb_write(r, enc, (size_t)n);
    char buf[LONG_STR_SIZE];
    int len = ll2string(buf, sizeof(buf), v);
    ssize_t h = rdb_save_len(r, (uint64_t)len);
    if (h == -1 || rdb_write(r, buf, (size_t)len) == -1) return -1;
    return h + len;
}

ssize_t rdb_save_binary_double(rio *r, double d) {
    unsigned char b[8];
    uint64_t u;
    memcpy(&u, &d, 8);
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(u >> (8 * i));
    return rdb_write(r, b, 8);
}

/* ============================================================ reading */

int rdb_load_type(rio *r, int *type, sds *err) {
    unsigned char t;
    if (rdb_read(r, &t, 1, err) == -1) return -1;
    *type = t;
    return 0;
}

int rdb_load_len(rio *r, uint64_t *len, int *is_encoded, sds *err) {
    unsigned char b[8];
    if (is_encoded) *is_encoded = 0;
    if (rdb_read(r, b, 1, err) == -1) return -1;
    int kind = (b[0] & 0xc0) >> 6;
    if (kind == RDB_ENCVAL) {
        if (is_encoded) *is_encoded = 1;
        *len = b[0] & 0x3f;
    } else if (kind == RDB_6BITLEN) {
        *len = b[0] & 0x3f;
    } else if (kind == RDB_14BITLEN) {
        unsigned char lo;
        if (rdb_read(r, &lo, 1, err) == -1) return -1;
        *len = (uint64_t)(b[0] & 0x3f) << 8 | lo;
    } else if (b[0] == RDB_32BITLEN || b[0] == RDB_64BITLEN) {
        int n = b[0] == RDB_32BITLEN ? 4 : 8;
        if (rdb_read(r, b, (size_t)n, err) == -1) return -1;
        uint64_t v = 0;
        for (int i = 0; i < n; i++) v = v << 8 | b[i];
        *len = v;
    } else {
        rdb_err(err, "Unknown length encoding %d in rdbLoadLen()", b[0]);
        return -1;
    }
    return 0;
}

/* 1 if count items of at least min_bytes each cannot be in what is left. */
static int rdb_exceeds_input(rio *r, uint64_t count, size_t min_bytes) {
    size_t left = rio_buffer_left(r);
    if (left == (size_t)-1 || min_bytes == 0) return 0;
    return count > left / min_bytes;
}

/* A presize hint for n elements: n itself when the input provably holds
 * them (rdb_load_count checked a buffer), else at most RDB_SIZE_HINT_MAX. */
static unsigned long rdb_size_hint(rio *r, uint64_t n) {
    if (rio_buffer_left(r) == (size_t)-1 && n > RDB_SIZE_HINT_MAX) return RDB_SIZE_HINT_MAX;
    return (unsigned long)n;
}

int rdb_load_count(rio *r, uint64_t *len, size_t min_item_bytes, sds *err) {
    if (rdb_load_len(r, len, NULL, err) == -1) return -1;
    if (rdb_exceeds_input(r, *len, min_item_bytes)) {
        rdb_err(err, "Unexpected EOF reading RDB file (length %llu exceeds the input)", (unsigned long long)*len);
        return -1;
    }
    return 0;
}

/* Reads len bytes into a new buffer (an sds when as_sds, else zmalloc),
 * growing it as bytes arrive when the length is not provably there. */
static void *rdb_read_bytes(rio *r, uint64_t len, int as_sds, sds *err) {
    size_t left = rio_buffer_left(r);
    if ((left != (size_t)-1 && len > left) || len > SIZE_MAX / 2) {
        rdb_err(err, "Unexpected EOF reading RDB file (string of %llu bytes)", (unsigned long long)len);
        return NULL;
    }
    size_t first = (left != (size_t)-1 || len <= RDB_TRUSTED_ALLOC_BYTES) ? (size_t)len : RDB_TRUSTED_ALLOC_BYTES;
    char *p = as_sds ? sds_new_len_uninit(first) : zmalloc(first ? first : 1);
    size_t got = 0, cap = first;
    while (1) {
        if (cap > got && rdb_read(r, p + got, cap - got, err) == -1) {
            if (as_sds) sds_free(p);
            else zfree(p);
            return NULL;
        }
        got = cap;
        if (got == len) break;
        size_t step = (size_t)len - got < got ? (size_t)len - got : got; /* double, up to len */
        cap = got + step;
        if (as_sds) {
            p = sds_make_room_for_non_greedy(p, step);
            sds_set_len(p, cap);
        } else {
            p = zrealloc(p, cap);
        }
    }
    return p;
}

/* Decompresses an LZF string (after its encoding byte) into a new buffer
 * (sds or zmalloc) of *outlen bytes. */
static void *rdb_load_lzf(rio *r, int as_sds, size_t *outlen, sds *err) {
    uint64_t clen, len;
    if (rdb_load_len(r, &clen, NULL, err) == -1 || rdb_load_len(r, &len, NULL, err) == -1) return NULL;
    if (clen == 0 || len == 0 || len / RDB_LZF_MAX_RATIO > clen || len > SIZE_MAX / 2) {
        rdb_err(err, "Invalid LZF compressed string");
        return NULL;
    }
    unsigned char *c = rdb_read_bytes(r, clen, 0, err);
    if (c == NULL) return NULL;
    char *out = as_sds ? sds_new_len_uninit((size_t)len) : zmalloc((size_t)len);
    if (lzf_decompress(c, (size_t)clen, out, (size_t)len) != len) {
        zfree(c);
        if (as_sds) sds_free(out);
        else zfree(out);
        rdb_err(err, "Invalid LZF compressed string");
        return NULL;
    }
    zfree(c);
    *outlen = (size_t)len;
    return out;
}

/* Reads a string in any encoding. An integer encoding gives *is_int = 1
 * and *ival when ival is given (no buffer); otherwise the bytes come back
 * as a new buffer (sds or zmalloc) of *outlen bytes. */
static void *rdb_load_string_any(rio *r, int as_sds, size_t *outlen, long long *ival, int *is_int, sds *err) {
    uint64_t len;
    int encoded;
    if (is_int) *is_int = 0;
    if (rdb_load_len(r, &len, &encoded, err) == -1) return NULL;
    if (!encoded) {
        void *p = rdb_read_bytes(r, len, as_sds, err);
        if (p) *outlen = (size_t)len;
        return p;
    }
    if (len == RDB_ENC_LZF) return rdb_load_lzf(r, as_sds, outlen, err);
    unsigned char b[4];
    long long v;
    if (len == RDB_ENC_INT8) {
        if (rdb_read(r, b, 1, err) == -1) return NULL;
        v = (int8_t)b[0];
    } else if (len == RDB_ENC_INT16) {
        if (rdb_read(r, b, 2, err) == -1) return NULL;
        v = (int16_t)(uint16_t)(b[0] | b[1] << 8);
    } else if (len == RDB_ENC_INT32) {
        if (rdb_read(r, b, 4, err) == -1) return NULL;
        v = (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
    } else {
        rdb_err(err, "Unknown RDB string encoding type %llu", (unsigned long long)len);
        return NULL;
    }
    if (ival && is_int) {
        *ival = v;
        *is_int = 1;
        return NULL;
    }
    char buf[LONG_STR_SIZE];
    int n = ll2string(buf, sizeof(buf), v);
    *outlen = (size_t)n;
    if (as_sds) return sds_new_len(buf, (size_t)n);
    char *p = zmalloc((size_t)n);
    memcpy(p, buf, (size_t)n);
    return p;
}

sds rdb_load_string(rio *r, sds *err) {
    size_t len;
    return rdb_load_string_any(r, 1, &len, NULL, NULL, err);
}

unsigned char *rdb_load_blob(rio *r, size_t *len, sds *err) {
    return rdb_load_string_any(r, 0, len, NULL, NULL, err);
}

/* A string value as the keyspace stores it (int, embstr or raw). */
static robj *rdb_load_string_object(rio *r, sds *err) {
    size_t len;
    long long v;
    int is_int;
    sds s = rdb_load_string_any(r, 1, &len, &v, &is_int, err);
    if (is_int) return obj_create_string_from_ll(v);
    return s ? obj_create_string_from_sds(s) : NULL;
}

int rdb_load_binary_double(rio *r, double *d, sds *err) {
    unsigned char b[8];
    if (rdb_read(r, b, 8, err) == -1) return -1;
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--) u = u << 8 | b[i];
    memcpy(d, &u, 8);
    return 0;
}

int rdb_load_double_text(rio *r, double *d, sds *err) {
    unsigned char len;
    char buf[256];
    if (rdb_read(r, &len, 1, err) == -1) return -1;
    switch (len) {
    case 255: *d = -INFINITY; return 0;
    case 254: *d = INFINITY; return 0;
    case 253: *d = NAN; return 0;
    default:
        if (rdb_read(r, buf, len, err) == -1) return -1;
        buf[len] = '\0';
        char *end;
        *d = strtod(buf, &end);
        if (len == 0 || *end != '\0') {
            rdb_err(err, "Invalid double value in RDB");
            return -1;
        }
        return 0;
    }
}

/* ============================================================ saving values */

int rdb_save_object_type(rio *r, const robj *o) {
    unsigned char t;
    switch (o->type) {
    case OBJ_STRING: t = RDB_TYPE_STRING; break;
    case OBJ_LIST: t = RDB_TYPE_LIST_QUICKLIST_2; break;
    case OBJ_SET: t = o->encoding == OBJ_ENCODING_INTSET ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET; break;
    case OBJ_ZSET: t = o->encoding == OBJ_ENCODING_LISTPACK ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2; break;
    case OBJ_HASH: t = o->encoding == OBJ_ENCODING_LISTPACK ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH; break;
    case OBJ_STREAM: t = RDB_TYPE_STREAM_LISTPACKS_2; break;
    default: return -1;
    }
    return rdb_save_type(r, t) == -1 ? -1 : 0;
}

/* Adds a write's result to a running total; -1 sticks. */
static void rdb_add(ssize_t *total, ssize_t n) {
    if (*total == -1 || n == -1) *total = -1;
    else *total += n;
}

static ssize_t rdb_save_string_value(rio *r, const robj *o) {
    long long v;
    if (o->encoding == OBJ_ENCODING_INT && obj_get_long_long(o, &v)) return rdb_save_ll_string(r, v);
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = obj_string_bytes(o, buf, &len);
    return rdb_save_raw_string(r, p, len);
}

/* An already compressed blob (a compressed quicklist node) written as an
 * LZF string, as Redis writes its compressed nodes whatever rdbcompression
 * says. */
static ssize_t rdb_save_lzf_blob(rio *r, const void *c, size_t clen, size_t len) {
    ssize_t a = rdb_save_type(r, (RDB_ENCVAL << 6) | RDB_ENC_LZF), b = -1, d = -1, e = -1;
    if (a != -1) b = rdb_save_len(r, clen);
    if (b != -1) d = rdb_save_len(r, len);
    if (d != -1) e = rdb_write(r, c, clen);
    return e == -1 ? -1 : a + b + d + e;
}

static ssize_t rdb_save_list(rio *r, const robj *o) {
    /* A node a read left plain is compressed first: Redis writes every
     * inner node compressed (the list itself is unchanged). */
    quicklist *ql = o->ptr;
    ql_settle(ql);
    ssize_t n = rdb_save_len(r, ql->len);
    for (ql_node *node = ql->head; node && n != -1; node = node->next) {
        size_t clen;
        const unsigned char *c = ql_node_lzf(node, &clen);
        if (node->plain) { /* the bare element, as Redis saves PLAIN nodes */
            rdb_add(&n, rdb_save_len(r, RDB_QUICKLIST_NODE_PLAIN));
            if (c) {
                if (n != -1) rdb_add(&n, rdb_save_lzf_blob(r, c, clen, ql_node_bytes(node)));
                continue;
            }
            unsigned char buf[LP_INTBUF_SIZE];
            const unsigned char *s;
            uint32_t len;
            lp_get(lp_first(node->lp), NULL, &s, &len, buf);
            if (n != -1) rdb_add(&n, rdb_save_raw_string(r, s, len));
            continue;
        }
        rdb_add(&n, rdb_save_len(r, RDB_QUICKLIST_NODE_PACKED));
        if (n == -1) break;
        if (c) rdb_add(&n, rdb_save_lzf_blob(r, c, clen, ql_node_bytes(node)));
        else rdb_add(&n, rdb_save_raw_string(r, node->lp, lp_bytes(node->lp)));
    }
    return n;
}

static ssize_t rdb_save_set(rio *r, const robj *o) {
    if (o->encoding == OBJ_ENCODING_INTSET) return rdb_save_raw_string(r, o->ptr, intset_blob_len(o->ptr));
    dict *d = o->ptr;
    ssize_t n = rdb_save_len(r, dict_size(d));
    dict_iterator di;
    dict_init_iterator(&di, d);
    for (dict_entry *de; n != -1 && (de = dict_next(&di)) != NULL;) {
        sds m = dict_get_key(de);
        rdb_add(&n, rdb_save_raw_string(r, m, sds_len(m)));
    }
    dict_reset_iterator(&di);
    return n;
}

/* Skiplist members go from the highest score down, as Redis writes them:
 * a loader inserting them in order then always inserts at the head. */
static ssize_t rdb_save_zset(rio *r, const robj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) return rdb_save_raw_string(r, o->ptr, lp_bytes(o->ptr));
    const zskiplist *zsl = ((const zset *)o->ptr)->zsl;
    ssize_t n = rdb_save_len(r, zsl->length);
    for (zsl_node *x = zsl->tail; x && n != -1; x = x->backward) {
        rdb_add(&n, rdb_save_raw_string(r, x->ele, sds_len(x->ele)));
        if (n != -1) rdb_add(&n, rdb_save_binary_double(r, x->score));
    }
    return n;
}

static ssize_t rdb_save_hash(rio *r, const robj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) return rdb_save_raw_string(r, o->ptr, lp_bytes(o->ptr));
    dict *d = o->ptr;
    ssize_t n = rdb_save_len(r, dict_size(d));
    dict_iterator di;
    dict_init_iterator(&di, d);
    for (dict_entry *de; n != -1 && (de = dict_next(&di)) != NULL;) {
        sds f = dict_get_key(de), v = dict_get_val(de);
        rdb_add(&n, rdb_save_raw_string(r, f, sds_len(f)));
        if (n != -1) rdb_add(&n, rdb_save_raw_string(r, v, sds_len(v)));
    }
    dict_reset_iterator(&di);
    return n;
}

/* Bytes written for o's value, or -1. */
static ssize_t rdb_save_value(rio *r, const robj *o) {
    switch (o->type) {
    case OBJ_STRING: return rdb_save_string_value(r, o);
    case OBJ_LIST: return rdb_save_list(r, o);
    case OBJ_SET: return rdb_save_set(r, o);
    case OBJ_ZSET: return rdb_save_zset(r, o);
    case OBJ_HASH: return rdb_save_hash(r, o);
    case OBJ_STREAM: return rdb_save_stream(r, o);
    default: return -1;
    }
}

int rdb_save_object(rio *r, const robj *o) {
    return rdb_save_value(r, o) == -1 ? -1 : 0;
}

/* A rio that only counts: how long a value would be, without a buffer. */
static size_t rdb_count_write(rio *r, const void *buf, size_t len) {
    (void)buf;
    r->io.buffer.pos += (off_t)len;
    return 1;
}

static off_t rdb_count_tell(rio *r) {
    return r->io.buffer.pos;
}

static int rdb_count_flush(rio *r) {
    (void)r;
    return 1;
}

size_t rdb_object_serialized_len(const robj *o) {
    rio r;
    memset(&r, 0, sizeof(r));
    r.write = rdb_count_write;
    r.tell = rdb_count_tell;
    r.flush = rdb_count_flush;
    ssize_t n = rdb_save_value(&r, o);
    return n == -1 ? 0 : (size_t)n;
}

/* ============================================================ DUMP / RESTORE */

/* The 2-byte version and the 8-byte CRC64 that end a DUMP payload. */
#define RDB_DUMP_FOOTER_BYTES 10

static void rdb_put_le64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

sds rdb_dump_payload(const robj *o) {
    rio r;
    rio_init_buffer(&r, sds_empty());
    r.update_cksum = 0;
    rdb_save_object_type(&r, o);
    rdb_save_object(&r, o);
    sds s = r.io.buffer.ptr;
    unsigned char footer[RDB_DUMP_FOOTER_BYTES];
    footer[0] = RDB_VERSION & 0xff;
    footer[1] = (RDB_VERSION >> 8) & 0xff;
    s = sds_cat_len(s, footer, 2);
    rdb_put_le64(footer, crc64(0, s, sds_len(s)));
    return sds_cat_len(s, footer, 8);
}

robj *rdb_restore_payload(const char *p, size_t len, int deep, sds *err) {
    *err = NULL;
    if (len < RDB_DUMP_FOOTER_BYTES) goto bad_footer;
    const unsigned char *footer = (const unsigned char *)p + len - RDB_DUMP_FOOTER_BYTES;
    unsigned version = footer[0] | footer[1] << 8;
    if (version > RDB_VERSION) goto bad_footer;
    unsigned char crc[8];
    rdb_put_le64(crc, crc64(0, p, len - 8));
    if (!rdb_skip_checksum() && memcmp(crc, footer + 2, 8) != 0) goto bad_footer;

    /* The value must fit before the footer: a buffer rio over just it. */
    sds body = sds_new_len(p, len - RDB_DUMP_FOOTER_BYTES);
    rio r;
    rio_init_buffer(&r, body);
    r.update_cksum = 0;
    int type, empty;
    sds reason = NULL;
    robj *o = NULL;
    if (rdb_load_type(&r, &type, &reason) == 0) o = rdb_load_object_ex(&r, type, deep, &reason, &empty);
    sds_free(body);
    if (o == NULL) {
        sds_free(reason);
        *err = sds_new("Bad data format");
    }
    return o;

bad_footer:
    *err = sds_new("DUMP payload version or checksum are wrong");
    return NULL;
}

/* ============================================================ loading values */

/* Fields / members already seen in one collection (duplicate detection). */
static dict_type rdb_seen_dict_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
};

/* What a walk over a packed listpack learned. */
typedef struct rdb_lp_walk {
    unsigned long count;
    size_t maxlen;    /* longest entry counted (see members_only) */
    int members_only; /* 1: only even entries count for maxlen (zset) */
    dict *seen;       /* non-NULL: even entries must be distinct */
    int duplicate;
} rdb_lp_walk;

static int rdb_lp_walk_entry(const unsigned char *p, unsigned long index, void *ud) {
    rdb_lp_walk *w = ud;
    unsigned char buf[LP_INTBUF_SIZE];
    const unsigned char *s;
    uint32_t len;
    w->count = index + 1;
    if (w->members_only && index % 2) return 0;
    lp_get(p, NULL, &s, &len, buf);
    if (len > w->maxlen) w->maxlen = len;
    if (w->seen && index % 2 == 0) {
        sds k = sds_new_len(s, len);
        if (dict_add_raw(w->seen, k, NULL) == NULL) {
            sds_free(k);
            w->duplicate = 1;
            return -1;
        }
    }
    return 0;
}

/* Validates a listpack blob entry by entry (always: everything after this
 * walks it), with duplicate detection of even entries when dups. pairs: the
 * count must be even. Returns 0, or -1 with *err. */
static int rdb_check_listpack(const unsigned char *lp, size_t len, int pairs, int members_only, int dups,
                              const char *dup_msg, rdb_lp_walk *w, sds *err) {
    memset(w, 0, sizeof(*w));
    w->members_only = members_only;
    if (dups) w->seen = dict_create(&rdb_seen_dict_type);
    int rc = lp_validate_entries(lp, len, rdb_lp_walk_entry, w);
    if (w->seen) dict_release(w->seen);
    w->seen = NULL;
    if (rc == -1 && w->duplicate) {
        rdb_err(err, "%s", dup_msg);
        return -1;
    }
    if (rc == -1 || (pairs && w->count % 2)) {
        rdb_err(err, "Listpack integrity check failed.");
        return -1;
    }
    return 0;
}

/* LIST (1): a count, then each element as a string. */
static robj *rdb_load_list_plain(rio *r, sds *err, int *empty) {
    uint64_t n;
    if (rdb_load_count(r, &n, 1, err) == -1) return NULL;
    if (n == 0) {
        *empty = 1;
        return NULL;
    }
    robj *o = list_create_for_load();
    for (uint64_t i = 0; i < n; i++) {
        size_t len;
        char *s = rdb_load_string_any(r, 0, &len, NULL, NULL, err);
        if (s == NULL) {
            obj_decr_refcount(o);
            return NULL;
        }
        ql_push_tail(o->ptr, s, len);
        zfree(s);
    }
    return o;
}

void rdb_list_append_node(quicklist *ql, unsigned char *lp, unsigned long count) {
    if (ql_listpack_fits(ql, lp, count)) {
        ql_append_listpack(ql, lp);
        return;
    }
    unsigned char buf[LP_INTBUF_SIZE];
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        const unsigned char *s;
        uint32_t len;
        lp_get(p, NULL, &s, &len, buf);
        ql_push_tail(ql, s, len);
    }
    lp_free(lp);
}

/* LIST_QUICKLIST_2 (18): a node count, then per node its container
 * (PLAIN: one element; PACKED: a listpack). */
static robj *rdb_load_quicklist2(rio *r, sds *err, int *empty) {
    uint64_t nodes;
    if (rdb_load_count(r, &nodes, 2, err) == -1) return NULL;
    robj *o = list_create_for_load();
    quicklist *ql = o->ptr;
    for (uint64_t i = 0; i < nodes; i++) {
        uint64_t container;
        if (rdb_load_len(r, &container, NULL, err) == -1) goto fail;
        if (container != RDB_QUICKLIST_NODE_PLAIN && container != RDB_QUICKLIST_NODE_PACKED) {
            rdb_err(err, "Quicklist integrity check failed.");
            goto fail;
        }
        size_t len;
        unsigned char *blob = rdb_load_blob(r, &len, err);
        if (blob == NULL) goto fail;
        if (container == RDB_QUICKLIST_NODE_PLAIN) {
            ql_append_plain(ql, blob, len);
            zfree(blob);
            continue;
        }
        rdb_lp_walk w;
        if (rdb_check_listpack(blob, len, 0, 0, 0, NULL, &w, err) == -1) {
            zfree(blob);
            goto fail;
        }
        if (w.count == 0) { /* Redis skips empty nodes silently */
            zfree(blob);
            continue;
        }
        /* Redis 7.0 keeps a loaded node as it is, whatever the fill (a
         * node LSET grew past it, or saved under another fill), so DUMP
         * and RDB bytes survive a reload; only a node too large for a
         * node's count (a crafted payload) is taken apart. */
        if (w.count <= QL_NODE_MAX_COUNT) ql_append_listpack(ql, blob);
        else rdb_list_append_node(ql, blob, w.count);
    }
    if (ql_length(ql) == 0) {
        obj_decr_refcount(o);
        *empty = 1;
        return NULL;
    }
    return o;
fail:
    obj_decr_refcount(o);
    return NULL;
}

/* SET (2): a count, then each member. */
static robj *rdb_load_set(rio *r, sds *err, int *empty) {
    uint64_t n;
    if (rdb_load_count(r, &n, 1, err) == -1) return NULL;
    if (n == 0) {
        *empty = 1;
        return NULL;
    }
    robj *o = set_create_for_load(rdb_size_hint(r, n));
    for (uint64_t i = 0; i < n; i++) {
        sds m = rdb_load_string(r, err);
        if (m == NULL) goto fail;
        if (!set_load_add_owned(o, m)) {
            rdb_err(err, "Duplicate set members detected");
            goto fail;
        }
    }
    return o;
fail:
    obj_decr_refcount(o);
    return NULL;
}

/* SET_INTSET (11): the intset blob. */
static robj *rdb_load_intset(rio *r, int deep, sds *err, int *empty) {
    size_t len;
    unsigned char *blob = rdb_load_blob(r, &len, err);
    if (blob == NULL) return NULL;
    (void)empty;
    /* An empty intset is refused like a corrupt one, as Redis 7.0 does
     * (it never writes one). */
    if (len < INTSET_HDR_BYTES || (blob[4] | blob[5] | blob[6] | blob[7]) == 0 ||
        intset_validate_integrity(blob, len, deep) == -1) {
        zfree(blob);
        rdb_err(err, "Intset integrity check failed.");
        return NULL;
    }
    return set_create_from_intset((intset *)blob);
}

/* ZSET (3) and ZSET_2 (5): a count, then member and score pairs (text or
 * binary doubles). Built as a skiplist, converted when small, as Redis. */
static robj *rdb_load_zset(rio *r, int binary, sds *err, int *empty) {
    uint64_t n;
    if (rdb_load_count(r, &n, 2, err) == -1) return NULL;
    if (n == 0) {
        *empty = 1;
        return NULL;
    }
    robj *o = zset_create_object(SIZE_MAX, SIZE_MAX);
    size_t maxlen = 0, totlen = 0;
    for (uint64_t i = 0; i < n; i++) {
        sds m = rdb_load_string(r, err);
        if (m == NULL) goto fail;
        double score;
        int rc = binary ? rdb_load_binary_double(r, &score, err) : rdb_load_double_text(r, &score, err);
        if (rc == -1 || isnan(score)) {
            sds_free(m);
            rdb_err(err, "Zset with NAN score detected");
            goto fail;
        }
        size_t len = sds_len(m);
        if (!zset_load_add(o, score, m)) {
            sds_free(m);
            rdb_err(err, "Duplicate zset fields detected");
            goto fail;
        }
        if (len > maxlen) maxlen = len;
        totlen += len;
    }
    zset_convert_to_listpack_if_fits(o, maxlen, totlen);
    return o;
fail:
    obj_decr_refcount(o);
    return NULL;
}

/* HASH (4): a count, then field and value pairs. Kept in file order in a
 * listpack when small enough (as Redis), else a dict. */
static robj *rdb_load_hash(rio *r, sds *err, int *empty) {
    uint64_t n;
    if (rdb_load_count(r, &n, 2, err) == -1) return NULL;
    if (n == 0) {
        *empty = 1;
        return NULL;
    }
    robj *o = hash_create_dict(n <= cfg.hash_max_listpack_entries ? 0 : rdb_size_hint(r, n));
    unsigned char *lp = n <= cfg.hash_max_listpack_entries ? lp_new(0) : NULL;
    for (uint64_t i = 0; i < n; i++) {
        sds f = rdb_load_string(r, err), v = f ? rdb_load_string(r, err) : NULL;
        if (v == NULL) {
            sds_free(f);
            goto fail;
        }
        if (!hash_dict_add_owned(o, f, v)) {
            sds_free(f);
            sds_free(v);
            rdb_err(err, "Duplicate hash fields detected");
            goto fail;
        }
        if (lp && (sds_len(f) > cfg.hash_max_listpack_value || sds_len(v) > cfg.hash_max_listpack_value)) {
            lp_free(lp);
            lp = NULL;
        }
        if (lp) {
            lp_item pair[2] = {{.str = (unsigned char *)f, .len = (uint32_t)sds_len(f)},
                               {.str = (unsigned char *)v, .len = (uint32_t)sds_len(v)}};
            lp = lp_batch_append(lp, pair, 2);
        }
    }
    if (lp) { /* small: the listpack in file order replaces the dict */
        obj_decr_refcount(o);
        return hash_create_from_listpack(lp_shrink_to_fit(lp), 0);
    }
    return o;
fail:
    lp_free(lp);
    obj_decr_refcount(o);
    return NULL;
}

/* HASH_LISTPACK (16) and ZSET_LISTPACK (17): a listpack of pairs. */
static robj *rdb_load_packed_pairs(rio *r, int type, int deep, sds *err, int *empty) {
    size_t len;
    unsigned char *lp = rdb_load_blob(r, &len, err);
    if (lp == NULL) return NULL;
    int is_zset = type == RDB_TYPE_ZSET_LISTPACK;
    const char *dup_msg = is_zset ? "Duplicate zset fields detected" : "Duplicate hash fields detected";
    rdb_lp_walk w;
    if (rdb_check_listpack(lp, len, 1, is_zset, deep, dup_msg, &w, err) == -1) goto fail;
    if (w.count == 0) {
        lp_free(lp);
        *empty = 1;
        return NULL;
    }
    unsigned long pairs = w.count / 2;
    int convert = is_zset ? pairs > cfg.zset_max_listpack_entries || w.maxlen > cfg.zset_max_listpack_value
                          : pairs > cfg.hash_max_listpack_entries || w.maxlen > cfg.hash_max_listpack_value;
    /* A conversion builds a dict from the entries: duplicates would break
     * it, so they are looked for now even when not asked to. */
    if (convert && !deep && rdb_check_listpack(lp, len, 1, is_zset, 1, dup_msg, &w, err) == -1) goto fail;
    if (!is_zset) return hash_create_from_listpack(lp, w.maxlen);
    robj *o = zset_create_object(0, 0);
    lp_free(o->ptr);
    o->ptr = lp;
    if (convert) zset_convert_to_skiplist(o);
    return o;
fail:
    zfree(lp);
    return NULL;
}

robj *rdb_load_object_ex(rio *r, int type, int deep, sds *err, int *empty) {
    *empty = 0;
    switch (type) {
    case RDB_TYPE_STRING: return rdb_load_string_object(r, err);
    case RDB_TYPE_LIST: return rdb_load_list_plain(r, err, empty);
    case RDB_TYPE_LIST_QUICKLIST_2: return rdb_load_quicklist2(r, err, empty);
    case RDB_TYPE_SET: return rdb_load_set(r, err, empty);
    case RDB_TYPE_SET_INTSET: return rdb_load_intset(r, deep, err, empty);
    case RDB_TYPE_ZSET: return rdb_load_zset(r, 0, err, empty);
    case RDB_TYPE_ZSET_2: return rdb_load_zset(r, 1, err, empty);
    case RDB_TYPE_HASH: return rdb_load_hash(r, err, empty);
    case RDB_TYPE_HASH_LISTPACK:
    case RDB_TYPE_ZSET_LISTPACK: return rdb_load_packed_pairs(r, type, deep, err, empty);
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_LIST_ZIPLIST:
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_LIST_QUICKLIST: return rdb_load_legacy_object(r, type, deep, err, empty);
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2: return rdb_load_stream(r, type, deep, err);
    case RDB_TYPE_MODULE:
    case RDB_TYPE_MODULE_2: rdb_err(err, "Module values are not supported (no modules are loaded)"); return NULL;
    default: rdb_err(err, "Unknown RDB encoding type %d", type); return NULL;
    }
}

robj *rdb_load_object(rio *r, int type, int deep, sds *err) {
    int empty;
    *err = NULL;
    robj *o = rdb_load_object_ex(r, type, deep, err, &empty);
    if (o == NULL && *err == NULL) *err = sds_new("Empty keys are not loaded");
    return o;
}
