/* rdb_internal.h -- what the RDB files share (rdb.c: the whole file;
 * rdb_object.c: single values; rdb_legacy.c: the RDB 7-9 encodings): the
 * type and opcode bytes, and the primitives that read and write lengths,
 * strings and doubles through a rio.
 *
 * Reading primitives never trust their input: a length is checked against
 * what the stream can still hold before memory is spent on it, and every
 * failure returns -1 / NULL with *err set to a new sds naming the reason
 * (the caller adds the offset). */
#ifndef MINIRED_RDB_INTERNAL_H
#define MINIRED_RDB_INTERNAL_H

#include <sys/types.h>

#include "rdb.h"

/* Value type bytes. */
#define RDB_TYPE_STRING 0
#define RDB_TYPE_LIST 1
#define RDB_TYPE_SET 2
#define RDB_TYPE_ZSET 3
#define RDB_TYPE_HASH 4
#define RDB_TYPE_ZSET_2 5 /* binary double scores */
#define RDB_TYPE_MODULE 6
#define RDB_TYPE_MODULE_2 7
#define RDB_TYPE_HASH_ZIPMAP 9
#define RDB_TYPE_LIST_ZIPLIST 10
#define RDB_TYPE_SET_INTSET 11
#define RDB_TYPE_ZSET_ZIPLIST 12
#define RDB_TYPE_HASH_ZIPLIST 13
#define RDB_TYPE_LIST_QUICKLIST 14
#define RDB_TYPE_STREAM_LISTPACKS 15
#define RDB_TYPE_HASH_LISTPACK 16
#define RDB_TYPE_ZSET_LISTPACK 17
#define RDB_TYPE_LIST_QUICKLIST_2 18
#define RDB_TYPE_STREAM_LISTPACKS_2 19
/* 1 for a byte that starts a key/value pair (not an opcode). */
#define RDB_IS_OBJECT_TYPE(t) (((t) >= 0 && (t) <= 7) || ((t) >= 9 && (t) <= 19))
/* The RDB 7-9 packed encodings rdb_legacy.c loads. */
#define RDB_IS_LEGACY_TYPE(t) ((t) == RDB_TYPE_HASH_ZIPMAP || (t) == RDB_TYPE_LIST_ZIPLIST || \
                               (t) == RDB_TYPE_ZSET_ZIPLIST || (t) == RDB_TYPE_HASH_ZIPLIST || \
                               (t) == RDB_TYPE_LIST_QUICKLIST)

/* Opcodes between key/value pairs. */
#define RDB_OPCODE_FUNCTION2 245
#define RDB_OPCODE_FUNCTION 246 /* 7.0 release candidates only */
#define RDB_OPCODE_MODULE_AUX 247
#define RDB_OPCODE_IDLE 248
#define RDB_OPCODE_FREQ 249
#define RDB_OPCODE_AUX 250
#define RDB_OPCODE_RESIZEDB 251
#define RDB_OPCODE_EXPIRETIME_MS 252
#define RDB_OPCODE_EXPIRETIME 253
#define RDB_OPCODE_SELECTDB 254
#define RDB_OPCODE_EOF 255

/* Length encoding: the two high bits of the first byte. */
#define RDB_6BITLEN 0
#define RDB_14BITLEN 1
#define RDB_32BITLEN 0x80
#define RDB_64BITLEN 0x81
#define RDB_ENCVAL 3
/* Special string encodings (RDB_ENCVAL, low six bits). */
#define RDB_ENC_INT8 0
#define RDB_ENC_INT16 1
#define RDB_ENC_INT32 2
#define RDB_ENC_LZF 3
/* quicklist 2 node containers. */
#define RDB_QUICKLIST_NODE_PLAIN 1
#define RDB_QUICKLIST_NODE_PACKED 2

/* Strings longer than this are offered to LZF when rdbcompression is on
 * (shorter ones rarely shrink by the 4 bytes LZF must save). */
#define RDB_LZF_MIN_LEN 20
/* Strings up to this long are tried as 8/16/32-bit integers. */
#define RDB_INT_ENC_MAX_LEN 11

/* ------------------------------------------------------------ writing
 * Each returns the bytes written, or -1 when the rio failed. */

ssize_t rdb_save_type(rio *r, unsigned char type);
ssize_t rdb_save_len(rio *r, uint64_t len);
/* A string as Redis writes it: 8/16/32-bit integer when the bytes are a
 * short canonical integer, LZF when rdbcompression is on, len >
 * RDB_LZF_MIN_LEN and it saves bytes, else length + bytes. */
ssize_t rdb_save_raw_string(rio *r, const void *s, size_t len);
/* An integer value: integer encoding when it fits 32 bits, else decimal. */
ssize_t rdb_save_ll_string(rio *r, long long v);
ssize_t rdb_save_binary_double(rio *r, double d);
/* rdb_save_raw_string's choice forced: compression decided by compress
 * instead of rdbcompression (the whole-file writer passes the setting;
 * single values read it from the config). */
ssize_t rdb_save_string_ex(rio *r, const void *s, size_t len, int compress);

/* ------------------------------------------------------------ reading
 * Each returns 0 (or a new object) on success, -1 (NULL) with *err a new
 * sds on failure. Safe to export to legacy loaders. */

/* Sets *err (if not yet set) to the reason a rio read failed. */
void rdb_read_failed(rio *r, sds *err);
/* One type byte (or opcode). */
int rdb_load_type(rio *r, int *type, sds *err);
/* A length; *is_encoded (may be NULL) is 1 when the byte was a special
 * string encoding, whose number is then in *len. */
int rdb_load_len(rio *r, uint64_t *len, int *is_encoded, sds *err);
/* A length that must describe count things of at least min_item_bytes
 * each in what the stream can still hold (checked for buffer rios). */
int rdb_load_count(rio *r, uint64_t *len, size_t min_item_bytes, sds *err);
/* A string in any encoding, as a new sds (integers as decimal text). */
sds rdb_load_string(rio *r, sds *err);
/* A string in any encoding as a new zmalloc'd buffer of *len bytes (for
 * packed blobs: listpack, intset, ziplist, zipmap). */
unsigned char *rdb_load_blob(rio *r, size_t *len, sds *err);
/* Doubles: 8 bytes little endian (ZSET_2), or the old text form (ZSET,
 * type 3: a length byte, 253 nan, 254 +inf, 255 -inf). */
int rdb_load_binary_double(rio *r, double *d, sds *err);
int rdb_load_double_text(rio *r, double *d, sds *err);

/* Appends a loaded list node's listpack (lp, count entries) to ql: as one
 * node when it respects this server's fill, else entry by entry. Takes lp. */
struct quicklist;
void rdb_list_append_node(struct quicklist *ql, unsigned char *lp, unsigned long count);

/* Streams (rdb_stream.c): the value of a STREAM_LISTPACKS_2 (19), and
 * either stream type read back (deep: also the checks of
 * sanitize-dump-payload). */
ssize_t rdb_save_stream(rio *r, const robj *o);
robj *rdb_load_stream(rio *r, int type, int deep, sds *err);

/* Like rdb_load_object, but an empty collection (which Redis skips with a
 * notice instead of failing) returns NULL with *empty = 1 and no *err. */
robj *rdb_load_object_ex(rio *r, int type, int deep, sds *err, int *empty);

#endif
