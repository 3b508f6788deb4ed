/* check_rdb.c -- minired-check-rdb: walks an RDB file the way Redis 7.0's
 * redis-check-rdb does and prints the same report (the aux fields, each
 * SELECTDB, the checksum verdict, key counts; on failure the offset, the
 * reason and what was being read), exiting 0 when the file is sound.
 *
 * The server binary runs this instead of the server when invoked as
 * minired-check-rdb (a symlink, as Redis does it; main.c dispatches). It never
 * touches the keyspace: each value is decoded with rdb_load_object (deep
 * validation on) and dropped. Opcodes, lengths and strings are read here
 * because the report names each step; values are rdb.c's business. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_rdb.h"
#include "crc64.h"
#include "lzf.h"
#include "monotonic.h"
#include "rdb.h"
#include "rio.h"
#include "zmalloc.h"

/* Opcodes and encodings of the RDB format (version 10). */
#define CR_OPCODE_FUNCTION2 245
#define CR_OPCODE_FUNCTION 246
#define CR_OPCODE_MODULE_AUX 247
#define CR_OPCODE_IDLE 248
#define CR_OPCODE_FREQ 249
#define CR_OPCODE_AUX 250
#define CR_OPCODE_RESIZEDB 251
#define CR_OPCODE_EXPIRETIME_MS 252
#define CR_OPCODE_EXPIRETIME 253
#define CR_OPCODE_SELECTDB 254
#define CR_OPCODE_EOF 255
#define CR_LEN_6BIT 0
#define CR_LEN_14BIT 1
#define CR_LEN_32BIT 0x80
#define CR_LEN_64BIT 0x81
#define CR_ENCVAL 3
#define CR_ENC_INT8 0
#define CR_ENC_INT16 1
#define CR_ENC_INT32 2
#define CR_ENC_LZF 3
#define CR_HEADER_BYTES 9      /* "REDIS" and four version digits */
#define CR_CHECKSUM_MIN_VERSION 5
#define CR_TYPE_MAX 19         /* the highest object type byte known */
/* An LZF string claiming more than this is refused before allocating. */
#define CR_MAX_STRING_BYTES (512LL * 1024 * 1024)

/* The names redis-check-rdb gives object type bytes. */
static const char *const cr_type_names[CR_TYPE_MAX + 1] = {
    "string",       "list-linked",   "set-hashtable", "zset-v1",       "hash-hashtable",
    "zset-v2",      "module-pre-release", "module-value", "",          "hash-zipmap",
    "list-ziplist", "set-intset",    "zset-ziplist",  "hash-ziplist",  "quicklist",
    "stream",       "hash-listpack", "zset-listpack", "quicklist-v2",  "stream-v2"};

typedef struct cr_state {
    rio r;
    const char *doing; /* the step in progress, for the error report */
    sds key;           /* the key whose value is being read, or NULL */
    int type;          /* type byte of the pair being read; 0 before any, -1 between */
    unsigned long keys, expires, already_expired;
} cr_state;

static void cr_info(const cr_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cr_info(const cr_state *st, const char *fmt, ...) {
    va_list ap;
    printf("[offset %llu] ", (unsigned long long)st->r.processed_bytes);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static void cr_counts(const cr_state *st) {
    printf("[info] %lu keys read\n", st->keys);
    printf("[info] %lu expires\n", st->expires);
    printf("[info] %lu already expired\n", st->already_expired);
}

/* Prints the error report; the caller then exits with status 1. */
static int cr_error(cr_state *st, const char *reason) {
    printf("--- RDB ERROR DETECTED ---\n");
    cr_info(st, "%s", reason);
    printf("[additional info] While doing: %s\n", st->doing);
    if (st->key) printf("[additional info] Reading key '%s'\n", st->key);
    /* The type of the pair being read (0 before the first one, none
     * between pairs), as redis-check-rdb reports it. */
    if (st->type >= 0 && st->type <= CR_TYPE_MAX)
        printf("[additional info] Reading type %d (%s)\n", st->type, cr_type_names[st->type]);
    cr_counts(st);
    return -1;
}

static int cr_eof(cr_state *st) {
    return cr_error(st, "Unexpected EOF reading RDB file");
}

static int cr_read(cr_state *st, void *buf, size_t len) {
    return rio_read(&st->r, buf, len) ? 0 : cr_eof(st);
}

/* A length, or for a special encoding *encoded = 1 and the encoding. */
static int cr_read_len(cr_state *st, uint64_t *len, int *encoded) {
    unsigned char b[8];
    if (encoded) *encoded = 0;
    if (cr_read(st, b, 1) == -1) return -1;
    int kind = (b[0] & 0xc0) >> 6;
    if (kind == CR_ENCVAL) {
        if (encoded == NULL) return cr_error(st, "Unknown length encoding in rdbLoadLen()");
        *encoded = 1;
        *len = b[0] & 0x3f;
    } else if (kind == CR_LEN_6BIT) {
        *len = b[0] & 0x3f;
    } else if (kind == CR_LEN_14BIT) {
        unsigned char lo;
        if (cr_read(st, &lo, 1) == -1) return -1;
        *len = ((uint64_t)(b[0] & 0x3f) << 8) | lo;
    } else if (b[0] == CR_LEN_32BIT || b[0] == CR_LEN_64BIT) {
        int n = b[0] == CR_LEN_32BIT ? 4 : 8;
        if (cr_read(st, b, (size_t)n) == -1) return -1;
        *len = 0;
        for (int i = 0; i < n; i++) *len = (*len << 8) | b[i]; /* big endian */
    } else {
        return cr_error(st, "Unknown length encoding in rdbLoadLen()");
    }
    return 0;
}

/* A string in any of RDB's encodings, as a new sds (integers as text). */
static int cr_read_string(cr_state *st, sds *out) {
    uint64_t len;
    int encoded;
    *out = NULL;
    if (cr_read_len(st, &len, &encoded) == -1) return -1;
    if (!encoded) {
        if (len > CR_MAX_STRING_BYTES) return cr_error(st, "String length out of range");
        sds s = sds_new_len(NULL, (size_t)len);
        if (cr_read(st, s, (size_t)len) == -1) {
            sds_free(s);
            return -1;
        }
        *out = s;
        return 0;
    }
    unsigned char b[4];
    if (len <= CR_ENC_INT32) {
        size_t n = (size_t)1 << len; /* 1, 2 or 4 bytes, little endian */
        if (cr_read(st, b, n) == -1) return -1;
        int64_t v = len == CR_ENC_INT8    ? (int8_t)b[0]
                    : len == CR_ENC_INT16 ? (int16_t)(b[0] | b[1] << 8)
                                          : (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 |
                                                      (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
        *out = sds_from_ll(v);
        return 0;
    }
    if (len != CR_ENC_LZF) return cr_error(st, "Unknown RDB string encoding type");
    uint64_t clen, ulen;
    if (cr_read_len(st, &clen, NULL) == -1 || cr_read_len(st, &ulen, NULL) == -1) return -1;
    if (clen > CR_MAX_STRING_BYTES || ulen > CR_MAX_STRING_BYTES || ulen == 0)
        return cr_error(st, "Invalid LZF compressed string");
    sds c = sds_new_len(NULL, (size_t)clen);
    if (cr_read(st, c, (size_t)clen) == -1) {
        sds_free(c);
        return -1;
    }
    sds s = sds_new_len(NULL, (size_t)ulen);
    size_t got = lzf_decompress(c, (size_t)clen, s, (size_t)ulen);
    sds_free(c);
    if (got != ulen) {
        sds_free(s);
        return cr_error(st, "Invalid LZF compressed string");
    }
    *out = s;
    return 0;
}

static uint64_t cr_le64(const unsigned char *b) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}

/* Handles one opcode (everything but a key/value pair and EOF). Returns 0,
 * or -1 after reporting. *expire_ms may be set for the next key. */
static int cr_opcode(cr_state *st, int op, long long *expire_ms) {
    unsigned char b[8];
    uint64_t a, z;
    sds k, v;
    switch (op) {
    case CR_OPCODE_EXPIRETIME:
    case CR_OPCODE_EXPIRETIME_MS:
        st->doing = "read-expire";
        if (cr_read(st, b, op == CR_OPCODE_EXPIRETIME ? 4 : 8) == -1) return -1;
        if (op == CR_OPCODE_EXPIRETIME) memset(b + 4, 0, 4);
        *expire_ms = (long long)cr_le64(b) * (op == CR_OPCODE_EXPIRETIME ? 1000 : 1);
        return 0;
    case CR_OPCODE_FREQ: return cr_read(st, b, 1);
    case CR_OPCODE_IDLE: return cr_read_len(st, &a, NULL);
    case CR_OPCODE_SELECTDB:
        st->doing = "read-len";
        if (cr_read_len(st, &a, NULL) == -1) return -1;
        cr_info(st, "Selecting DB ID %llu", (unsigned long long)a);
        return 0;
    case CR_OPCODE_RESIZEDB:
        st->doing = "read-len";
        return cr_read_len(st, &a, NULL) == -1 || cr_read_len(st, &z, NULL) == -1 ? -1 : 0;
    case CR_OPCODE_AUX:
        st->doing = "read-aux";
        if (cr_read_string(st, &k) == -1) return -1;
        if (cr_read_string(st, &v) == -1) {
            sds_free(k);
            return -1;
        }
        cr_info(st, "AUX FIELD %s = '%s'", k, v);
        sds_free(k);
        sds_free(v);
        return 0;
    case CR_OPCODE_MODULE_AUX:
        st->doing = "read-module-aux";
        return cr_error(st, "Module auxiliary data is not supported by minired");
    case CR_OPCODE_FUNCTION2: {
        /* A library's code: read, not compiled (as redis-check-rdb). */
        st->doing = "read-functions";
        sds code = NULL;
        if (cr_read_string(st, &code) == -1) return -1;
        sds_free(code);
        return 0;
    }
    case CR_OPCODE_FUNCTION:
        st->doing = "read-functions";
        return cr_error(st, "Pre-release function format not supported");
    default: {
        char reason[64];
        snprintf(reason, sizeof(reason), "Invalid object type: %d", op);
        return cr_error(st, reason);
    }
    }
}

/* One key and its value; the type byte was read. */
static int cr_key_value(cr_state *st, int type, long long expire_ms, long long now_ms) {
    st->doing = "read-key";
    if (cr_read_string(st, &st->key) == -1) return -1;
    st->keys++; /* counted before its value is read, as redis-check-rdb counts */
    st->doing = "read-object-value";
    sds err = NULL;
    robj *o = rdb_load_object(&st->r, type, 1, &err);
    if (o == NULL) {
        int eof = st->r.eof || st->r.error;
        int rc = eof ? cr_eof(st) : cr_error(st, err ? err : "Bad data format");
        sds_free(err);
        return rc;
    }
    obj_decr_refcount(o);
    sds_free(st->key);
    st->key = NULL;
    if (expire_ms != -1) {
        st->expires++;
        if (expire_ms < now_ms) st->already_expired++;
    }
    return 0;
}

/* The header, then opcodes and pairs up to EOF, then the checksum. */
static int cr_walk(cr_state *st, int *version) {
    char hdr[CR_HEADER_BYTES + 1] = {0};
    st->doing = "start";
    if (cr_read(st, hdr, CR_HEADER_BYTES) == -1) return -1;
    if (memcmp(hdr, "REDIS", 5) != 0) return cr_error(st, "Wrong signature trying to load DB from file");
    *version = atoi(hdr + 5);
    if (*version < RDB_LOAD_MIN_VERSION || *version > RDB_VERSION) {
        char reason[64];
        snprintf(reason, sizeof(reason), "Can't handle RDB format version %d", *version);
        return cr_error(st, reason);
    }
    long long now_ms = mstime(), expire_ms = -1;
    for (;;) {
        unsigned char t;
        st->doing = "read-type";
        if (cr_read(st, &t, 1) == -1) return -1;
        if (t == CR_OPCODE_EOF) break;
        if (t >= CR_OPCODE_FUNCTION2) {
            if (cr_opcode(st, t, &expire_ms) == -1) return -1;
            continue;
        }
        if (t > CR_TYPE_MAX || cr_type_names[t][0] == '\0') return cr_opcode(st, t, &expire_ms);
        st->type = t;
        if (cr_key_value(st, t, expire_ms, now_ms) == -1) return -1;
        st->type = -1; /* between pairs no type is reported */
        expire_ms = -1;
    }
    if (*version < CR_CHECKSUM_MIN_VERSION) return 0;
    uint64_t computed = st->r.cksum;
    unsigned char b[8];
    st->doing = "check-sum";
    if (cr_read(st, b, 8) == -1) return -1;
    uint64_t stored = cr_le64(b);
    if (stored == 0) cr_info(st, "RDB file was saved with checksum disabled: no check performed.");
    else if (stored != computed) return cr_error(st, "RDB CRC error");
    else cr_info(st, "Checksum OK");
    return 0;
}

int check_rdb_main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "Usage: %s <rdb-file-name>\n", argv[0]);
        return 1;
    }
    cr_state st = {.doing = "start"};
    printf("[offset 0] Checking RDB file %s\n", argv[1]);
    FILE *fp = fopen(argv[1], "r");
    if (fp == NULL) return 1;
    rio_init_file(&st.r, fp);
    st.r.update_cksum = 1;
    int version = 0;
    int rc = cr_walk(&st, &version);
    fclose(fp);
    sds_free(st.key);
    if (rc == -1) return 1;
    cr_info(&st, "\\o/ RDB looks OK! \\o/");
    cr_counts(&st);
    return 0;
}
