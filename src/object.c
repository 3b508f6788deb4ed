/* object.c -- creation, sharing and release of value objects (robj).
 *
 * Owns the encodings of string values. An EMBSTR object is one allocation:
 * the robj, then an sds with an 8-bit header, so reading a short value
 * touches one cache line and costs one malloc. Objects are refcounted;
 * the keyspace holds one reference. Never frees an object that still has
 * references. */
#include "object.h"

#include <string.h>

#include "config.h"
#include "util.h"
#include "zmalloc.h"

static robj *obj_new(int type, int encoding, void *ptr) {
    robj *o = zmalloc(sizeof(*o));
    o->type = (unsigned)type;
    o->encoding = (unsigned)encoding;
    o->lru = 0;
    o->refcount = 1;
    o->ptr = ptr;
    return o;
}

static robj *obj_create_embstr(const char *p, size_t len) {
    robj *o = zmalloc(sizeof(robj) + sizeof(struct sdshdr8) + len + 1);
    struct sdshdr8 *sh = (struct sdshdr8 *)(o + 1);
    o->type = OBJ_STRING;
    o->encoding = OBJ_ENCODING_EMBSTR;
    o->lru = 0;
    o->refcount = 1;
    o->ptr = sh->buf;
    sh->len = (uint8_t)len;
    sh->alloc = (uint8_t)len;
    sh->flags = SDS_TYPE_8;
    if (p) memcpy(sh->buf, p, len);
    sh->buf[len] = '\0';
    return o;
}

static robj shared_integers[OBJ_SHARED_INTEGERS];
static int shared_integers_ready;

static void obj_init_shared_integers(void) {
    for (long i = 0; i < OBJ_SHARED_INTEGERS; i++) {
        shared_integers[i].type = OBJ_STRING;
        shared_integers[i].encoding = OBJ_ENCODING_INT;
        shared_integers[i].lru = 0;
        shared_integers[i].refcount = OBJ_SHARED_REFCOUNT;
        shared_integers[i].ptr = (void *)(intptr_t)i;
    }
    shared_integers_ready = 1;
}

/* Redis stops sharing the integer objects while an LRU/LFU policy is in
 * force with a limit: each key then needs its own access data. Read live,
 * so CONFIG SET takes effect for the next value created. */
static int shared_integers_allowed(void) {
    int p = cfg.maxmemory_policy;
    return !(cfg.maxmemory && (MAXMEMORY_POLICY_IS_LRU(p) || MAXMEMORY_POLICY_IS_LFU(p)));
}

robj *obj_create_string_from_ll_unshared(long long v) {
    return obj_new(OBJ_STRING, OBJ_ENCODING_INT, (void *)(intptr_t)v);
}

robj *obj_create_string_from_ll(long long v) {
    if (v >= 0 && v < OBJ_SHARED_INTEGERS && shared_integers_allowed()) {
        if (!shared_integers_ready) obj_init_shared_integers();
        return &shared_integers[v];
    }
    return obj_create_string_from_ll_unshared(v);
}

robj *obj_create_raw_string(sds s) {
    return obj_new(OBJ_STRING, OBJ_ENCODING_RAW, s);
}

int obj_get_long_long(const robj *o, long long *v) {
    if (o->encoding == OBJ_ENCODING_INT) {
        if (v) *v = (long long)(intptr_t)o->ptr;
        return 1;
    }
    return string2ll(o->ptr, sds_len(o->ptr), v);
}

robj *obj_dup_string_raw(const robj *o) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = obj_string_bytes(o, buf, &len);
    return obj_create_raw_string(sds_new_len(p, len));
}

/* Only canonical integers are stored as INT, so GET returns exactly the
 * bytes that were SET ("007" stays a string). */
static int obj_try_integer(const char *p, size_t len, long long *v) {
    if (len == 0 || len > 20) return 0;
    return string2ll(p, len, v);
}

robj *obj_create_string(const char *p, size_t len) {
    long long v;
    if (obj_try_integer(p, len, &v)) return obj_create_string_from_ll(v);
    if (len <= OBJ_EMBSTR_MAX_BYTES) return obj_create_embstr(p, len);
    return obj_new(OBJ_STRING, OBJ_ENCODING_RAW, sds_new_len(p, len));
}

robj *obj_create_string_noint(const char *p, size_t len) {
    if (len <= OBJ_EMBSTR_MAX_BYTES) return obj_create_embstr(p, len);
    return obj_new(OBJ_STRING, OBJ_ENCODING_RAW, sds_new_len(p, len));
}

robj *obj_create_string_from_sds(sds s) {
    size_t len = sds_len(s);
    long long v;
    if (obj_try_integer(s, len, &v)) {
        sds_free(s);
        return obj_create_string_from_ll(v);
    }
    if (len <= OBJ_EMBSTR_MAX_BYTES) {
        robj *o = obj_create_embstr(s, len);
        sds_free(s);
        return o;
    }
    /* Trim slack only when it is large: a greedy query buffer may have
     * reserved up to twice the value. */
    if (sds_avail(s) > len / 10) s = sds_remove_free_space(s);
    return obj_new(OBJ_STRING, OBJ_ENCODING_RAW, s);
}

void obj_incr_refcount(robj *o) {
    if (o->refcount != OBJ_SHARED_REFCOUNT) o->refcount++;
}

static void obj_free_value(robj *o) {
    switch (o->type) {
    case OBJ_STRING:
        if (o->encoding == OBJ_ENCODING_RAW) sds_free(o->ptr);
        break;
    case OBJ_LIST: list_free_value(o); break;
    case OBJ_HASH: hash_free_value(o); break;
    case OBJ_SET: set_free_value(o); break;
    case OBJ_ZSET: zset_free_value(o); break;
    case OBJ_STREAM: stream_free_value(o); break;
    default: break;
    }
}

robj *obj_dup(const robj *o) {
    switch (o->type) {
    case OBJ_LIST: return list_dup(o);
    case OBJ_HASH: return hash_dup(o);
    case OBJ_SET: return set_dup(o);
    case OBJ_ZSET: return zset_dup(o);
    case OBJ_STREAM: return stream_dup(o);
    }
    /* A copy is never shared: Redis reports REFCOUNT 1 for it. */
    if (o->encoding == OBJ_ENCODING_INT) return obj_create_string_from_ll_unshared((long long)(intptr_t)o->ptr);
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = obj_string_bytes(o, buf, &len);
    return o->encoding == OBJ_ENCODING_RAW ? obj_create_raw_string(sds_new_len(p, len))
                                           : obj_create_string_noint(p, len);
}

void obj_decr_refcount(robj *o) {
    if (o->refcount == OBJ_SHARED_REFCOUNT) return;
    if (o->refcount > 1) {
        o->refcount--;
        return;
    }
    obj_free_value(o);
    zfree(o);
}

size_t obj_string_len(const robj *o) {
    if (o->encoding == OBJ_ENCODING_INT) {
        char buf[LONG_STR_SIZE];
        return (size_t)ll2string(buf, sizeof(buf), (long long)(intptr_t)o->ptr);
    }
    return sds_len(o->ptr);
}

const char *obj_string_bytes(const robj *o, char *buf, size_t *len) {
    if (o->encoding == OBJ_ENCODING_INT) {
        *len = (size_t)ll2string(buf, LONG_STR_SIZE, (long long)(intptr_t)o->ptr);
        return buf;
    }
    *len = sds_len(o->ptr);
    return o->ptr;
}

const char *obj_type_name(const robj *o) {
    switch (o->type) {
    case OBJ_STRING: return "string";
    case OBJ_LIST: return "list";
    case OBJ_SET: return "set";
    case OBJ_ZSET: return "zset";
    case OBJ_HASH: return "hash";
    case OBJ_STREAM: return "stream";
    }
    return "unknown";
}

const char *obj_encoding_name(int encoding) {
    switch (encoding) {
    case OBJ_ENCODING_RAW: return "raw";
    case OBJ_ENCODING_INT: return "int";
    case OBJ_ENCODING_HT: return "hashtable";
    case OBJ_ENCODING_INTSET: return "intset";
    case OBJ_ENCODING_SKIPLIST: return "skiplist";
    case OBJ_ENCODING_EMBSTR: return "embstr";
    case OBJ_ENCODING_QUICKLIST: return "quicklist";
    case OBJ_ENCODING_LISTPACK: return "listpack";
    case OBJ_ENCODING_STREAM: return "stream";
    }
    return "unknown";
}
