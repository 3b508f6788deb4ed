/* object.h -- typed value objects stored in the keyspace.
 *
 * A value is an robj: a type (what commands see), an encoding (how it is
 * stored), an LRU/LFU clock and a refcount. Strings are stored as integers
 * (OBJ_ENCODING_INT, ptr holds the value), as one allocation holding the
 * header and the sds together (EMBSTR, for short strings) or as a separate
 * sds (RAW). Later types plug in with their own encodings. */
#ifndef MINIRED_OBJECT_H
#define MINIRED_OBJECT_H

#include <stddef.h>
#include "sds.h"

#define OBJ_STRING 0
#define OBJ_LIST 1
#define OBJ_SET 2
#define OBJ_ZSET 3
#define OBJ_HASH 4
/* 5 is Redis's module type, which minired does not have. */
#define OBJ_STREAM 6

#define OBJ_ENCODING_RAW 0
#define OBJ_ENCODING_INT 1
#define OBJ_ENCODING_HT 2
#define OBJ_ENCODING_INTSET 6
#define OBJ_ENCODING_SKIPLIST 7
#define OBJ_ENCODING_EMBSTR 8
#define OBJ_ENCODING_QUICKLIST 9
#define OBJ_ENCODING_STREAM 10
#define OBJ_ENCODING_LISTPACK 11

/* Strings up to this many bytes are stored EMBSTR: the 16-byte header, the
 * 3-byte sds header, the bytes and the NUL fit one 64-byte allocation. */
#define OBJ_EMBSTR_MAX_BYTES 44
#define OBJ_LRU_BITS 24
/* Integers 0..OBJ_SHARED_INTEGERS-1 are one preallocated object each,
 * shared by every key that holds them (refcount OBJ_SHARED_REFCOUNT, never
 * freed). OBJECT REFCOUNT reports that value, as Redis does. */
#define OBJ_SHARED_INTEGERS 10000
#define OBJ_SHARED_REFCOUNT 2147483647

typedef struct robj {
    unsigned type : 4;
    unsigned encoding : 4;
    unsigned lru : OBJ_LRU_BITS;
    int refcount;
    void *ptr;
} robj;

/* Returns a new string object holding a copy of len bytes of p, as INT when
 * the bytes are a canonical integer, else EMBSTR or RAW by length. */
robj *obj_create_string(const char *p, size_t len);
/* Same as obj_create_string but never INT-encoded (EMBSTR or RAW by
 * length), as Redis stores INCRBYFLOAT results. */
robj *obj_create_string_noint(const char *p, size_t len);
/* Takes s: returns a new string object owning s (RAW) or built from it. */
robj *obj_create_string_from_sds(sds s);
robj *obj_create_string_from_ll(long long v);
/* Same, but never a shared integer: the caller may change it in place. */
robj *obj_create_string_from_ll_unshared(long long v);
/* Returns a new RAW string object owning s (no encoding attempt). */
robj *obj_create_raw_string(sds s);
/* 1 and *v set if o holds a canonical 64-bit integer (INT encoding, or a
 * string that string2ll accepts), else 0. */
int obj_get_long_long(const robj *o, long long *v);
/* Returns a RAW copy of string object o (refcount 1) whose sds the caller
 * may modify; o itself is untouched. */
robj *obj_dup_string_raw(const robj *o);
void obj_incr_refcount(robj *o);
/* Takes one reference; frees the object at zero. */
void obj_decr_refcount(robj *o);
/* Bytes of a string object; for INT, the length of its decimal form. */
size_t obj_string_len(const robj *o);
/* Writes a string object's bytes: returns a pointer to them, using buf
 * (LONG_STR_SIZE bytes) for INT encodings. *len receives the length. */
const char *obj_string_bytes(const robj *o, char *buf, size_t *len);
const char *obj_type_name(const robj *o);
/* Returns a new object holding a deep copy of o's value (COPY). */
robj *obj_dup(const robj *o);

/* Per-type value operations, each defined in its type's file (t_list.c,
 * t_hash.c, t_set.c, t_zset.c): free the value behind o->ptr (not o), and
 * return a new object with a deep copy. */
void list_free_value(robj *o);
robj *list_dup(const robj *o);
void hash_free_value(robj *o);
robj *hash_dup(const robj *o);
/* Looks field up in hash o: 0 if absent, else 1 with *str / *len the
 * value's bytes (borrowed from the hash, or written to buf, which holds
 * LP_INTBUF_SIZE bytes, for a listpack integer). For SORT's ->field. */
int hash_get(robj *o, const sds field, const char **str, size_t *len, char *buf);
void set_free_value(robj *o);
robj *set_dup(const robj *o);
void zset_free_value(robj *o);
robj *zset_dup(const robj *o);
void stream_free_value(robj *o); /* t_stream.c */
robj *stream_dup(const robj *o);
const char *obj_encoding_name(int encoding);

/* Constructors for loaders (rdb.c: RDB files, RESTORE), defined in the
 * type files, which own the encodings and their thresholds. Each returns
 * a new object (refcount 1) in the encoding this server would use. */
struct intset;
/* Takes lp (a validated listpack of field, value pairs; maxlen: longest
 * entry): a dict when over hash-max-listpack-entries / -value. */
robj *hash_create_from_listpack(unsigned char *lp, size_t maxlen);
/* An empty dict-encoded hash sized for size_hint pairs. */
robj *hash_create_dict(unsigned long size_hint);
/* Returns 1 and takes field and value, or 0 (nothing taken) when the
 * field is already there. */
int hash_dict_add_owned(robj *o, sds field, sds value);
/* Takes is (a validated intset): a dict when over set-max-intset-entries. */
robj *set_create_from_intset(struct intset *is);
/* An empty set that will receive len members: an intset while len fits
 * set-max-intset-entries (it turns into a dict at the first non-integer). */
robj *set_create_for_load(unsigned long len);
/* Takes m (either way). Returns 1 if added, 0 if it was already a member. */
int set_load_add_owned(robj *o, sds m);
/* An empty list with the configured node fill. */
robj *list_create_for_load(void);
/* For a skiplist-encoded set (zset_create_object with hints over the
 * listpack limits): returns 1 and takes ele, or 0 (nothing taken) when
 * ele is already a member. */
int zset_load_add(robj *o, double score, sds ele);

#endif
