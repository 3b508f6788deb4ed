/* digest.c -- DEBUG DIGEST and DEBUG DIGEST-VALUE, computed the way Redis
 * 7.0 computes them so digests of equal datasets are equal across servers.
 *
 * Two primitives build everything: "xor" folds SHA1(bytes) into a running
 * 20-byte digest (order-independent: sets, hashes, keys of a db), "mix"
 * does the same and then replaces the digest by its own SHA1
 * (order-dependent: list elements, the parts of one entry). A value's
 * digest mixes its type (4 bytes, big endian), then its elements as text
 * (integers in decimal, scores as "%.17g"), then xors "!!expire!!" when it
 * has a TTL (the TTL's value is not part of it). The dataset digest mixes
 * each non-empty db's number (4 bytes, big endian), then xors in, per key,
 * mix(key) followed by the value's digest. Only reads the keyspace: no
 * expiry, no LRU touch, no keyspace hit/miss counting (as in Redis). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "db.h"
#include "digest.h"
#include "intset.h"
#include "listpack.h"
#include "quicklist.h"
#include "reply.h"
#include "stream.h"
#include "t_zset.h"
#include "util.h"

#define DIGEST_EXPIRE_MARK "!!expire!!"
/* Room for a score in "%.17g" ("-1.2345678901234567e-308") and a NUL. */
#define DIGEST_SCORE_BUF 64

typedef unsigned char digest_t[SHA1_DIGEST_BYTES];

/* d ^= SHA1(p). */
static void digest_xor(digest_t d, const void *p, size_t len) {
    digest_t h;
    sha1(p, len, h);
    for (int i = 0; i < SHA1_DIGEST_BYTES; i++) d[i] ^= h[i];
}

/* d = SHA1(d ^ SHA1(p)). */
static void digest_mix(digest_t d, const void *p, size_t len) {
    digest_xor(d, p, len);
    sha1(d, SHA1_DIGEST_BYTES, d);
}

static void digest_mix_u32(digest_t d, uint32_t v) {
    unsigned char be[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                           (unsigned char)v};
    digest_mix(d, be, sizeof(be));
}

static void digest_mix_ll(digest_t d, long long v) {
    char buf[LONG_STR_SIZE];
    int len = ll2string(buf, sizeof(buf), v);
    digest_mix(d, buf, (size_t)len);
}

static void digest_mix_score(digest_t d, double score) {
    char buf[DIGEST_SCORE_BUF];
    int len = snprintf(buf, sizeof(buf), "%.17g", score);
    digest_mix(d, buf, (size_t)len);
}

/* A listpack entry's bytes (integers as decimal text) mixed into d. */
static void digest_mix_lp_entry(digest_t d, const unsigned char *p) {
    unsigned char buf[LP_INTBUF_SIZE];
    const unsigned char *s;
    uint32_t len;
    lp_get(p, NULL, &s, &len, buf);
    digest_mix(d, s, len);
}

/* One (member, score) or (field, value) pair: its own digest, xored in. */
static void digest_xor_pair(digest_t d, const digest_t pair) {
    digest_xor(d, pair, SHA1_DIGEST_BYTES);
}

static void digest_list(digest_t d, const robj *o) {
    ql_iter it;
    ql_entry e;
    ql_iter_init(o->ptr, &it, QL_HEAD_TO_TAIL);
    while (ql_next(&it, &e)) {
        if (e.str) digest_mix(d, e.str, e.len);
        else digest_mix_ll(d, e.ival);
    }
}

static void digest_set(digest_t d, const robj *o) {
    if (o->encoding == OBJ_ENCODING_INTSET) {
        int64_t v;
        char buf[LONG_STR_SIZE];
        for (uint32_t i = 0; intset_get(o->ptr, i, &v) == 0; i++) {
            int len = ll2string(buf, sizeof(buf), v);
            digest_xor(d, buf, (size_t)len);
        }
        return;
    }
    dict_iterator it;
    dict_entry *de;
    dict_init_iterator(&it, o->ptr);
    while ((de = dict_next(&it)) != NULL) {
        sds m = dict_get_key(de);
        digest_xor(d, m, sds_len(m));
    }
    dict_reset_iterator(&it);
}

static void digest_hash(digest_t d, const robj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = o->ptr;
        for (unsigned char *f = lp_first(lp); f; f = lp_next(lp, lp_next(lp, f))) {
            digest_t pair = {0};
            digest_mix_lp_entry(pair, f);
            digest_mix_lp_entry(pair, lp_next(lp, f));
            digest_xor_pair(d, pair);
        }
        return;
    }
    dict_iterator it;
    dict_entry *de;
    dict_init_iterator(&it, o->ptr);
    while ((de = dict_next(&it)) != NULL) {
        digest_t pair = {0};
        sds f = dict_get_key(de), v = dict_get_val(de);
        digest_mix(pair, f, sds_len(f));
        digest_mix(pair, v, sds_len(v));
        digest_xor_pair(d, pair);
    }
    dict_reset_iterator(&it);
}

/* A listpack score entry as a double (stored as an integer or as text). */
static double digest_lp_score(const unsigned char *p) {
    int64_t iv;
    const unsigned char *s;
    uint32_t len;
    if (lp_get(p, &iv, &s, &len, NULL) == LP_KIND_INT) return (double)iv;
    char buf[DIGEST_SCORE_BUF];
    if (len >= sizeof(buf)) len = sizeof(buf) - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return strtod(buf, NULL);
}

/* Member order does not matter (pairs are xored): the skiplist encoding
 * is read through its member -> score dict. */
static void digest_zset(digest_t d, const robj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = o->ptr;
        for (unsigned char *m = lp_first(lp); m; m = lp_next(lp, lp_next(lp, m))) {
            digest_t pair = {0};
            digest_mix_lp_entry(pair, m);
            digest_mix_score(pair, digest_lp_score(lp_next(lp, m)));
            digest_xor_pair(d, pair);
        }
        return;
    }
    dict *members = ((const zset *)o->ptr)->dict;
    dict_iterator it;
    dict_entry *de;
    dict_init_iterator(&it, members);
    while ((de = dict_next(&it)) != NULL) {
        digest_t pair = {0};
        sds m = dict_get_key(de);
        digest_mix(pair, m, sds_len(m));
        digest_mix_score(pair, dict_get_double_val(de));
        digest_xor_pair(d, pair);
    }
    dict_reset_iterator(&it);
}

/* Each entry in ID order: its ID as "<ms>.<seq>" (a dot, as Redis
 * formats it here), then each field and value. Groups are not part of it. */
static void digest_stream(digest_t d, const robj *o) {
    stream_iter it;
    stream_id id;
    int64_t numfields;
    stream_iter_start(&it, o->ptr, NULL, NULL, 0);
    while (stream_iter_next(&it, &id, &numfields)) {
        char buf[STREAM_ID_STR_LEN];
        int len = snprintf(buf, sizeof(buf), "%llu.%llu", (unsigned long long)id.ms, (unsigned long long)id.seq);
        digest_mix(d, buf, (size_t)len);
        while (numfields--) {
            const unsigned char *f, *v;
            size_t flen, vlen;
            stream_iter_field(&it, &f, &flen, &v, &vlen);
            digest_mix(d, f, flen);
            digest_mix(d, v, vlen);
        }
    }
    stream_iter_stop(&it);
}

/* Folds o (and whether key has a TTL) into d. */
static void digest_fold_value(digest_t d, db *db, const sds key, const robj *o) {
    digest_mix_u32(d, o->type);
    switch (o->type) {
    case OBJ_STRING: {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *p = obj_string_bytes(o, buf, &len);
        digest_mix(d, p, len);
        break;
    }
    case OBJ_LIST: digest_list(d, o); break;
    case OBJ_SET: digest_set(d, o); break;
    case OBJ_HASH: digest_hash(d, o); break;
    case OBJ_ZSET: digest_zset(d, o); break;
    case OBJ_STREAM: digest_stream(d, o); break;
    default: break;
    }
    if (db_get_expire(db, key) != -1) digest_xor(d, DIGEST_EXPIRE_MARK, strlen(DIGEST_EXPIRE_MARK));
}

void digest_value(db *d, const sds key, const robj *o, unsigned char out[SHA1_DIGEST_BYTES]) {
    memset(out, 0, SHA1_DIGEST_BYTES);
    digest_fold_value(out, d, key, o);
}

void digest_dataset(unsigned char out[SHA1_DIGEST_BYTES]) {
    memset(out, 0, SHA1_DIGEST_BYTES);
    for (int j = 0; j < server.dbnum; j++) {
        db *d = &server.dbs[j];
        if (dict_size(d->keys) == 0) continue;
        digest_mix_u32(out, (uint32_t)j);
        dict_iterator it;
        dict_entry *de;
        dict_init_iterator(&it, d->keys);
        while ((de = dict_next(&it)) != NULL) {
            sds key = dict_get_key(de);
            digest_t kd = {0};
            digest_mix(kd, key, sds_len(key));
            digest_fold_value(kd, d, key, dict_get_val(de));
            digest_xor(out, kd, SHA1_DIGEST_BYTES);
        }
        dict_reset_iterator(&it);
    }
}

void digest_debug_digest(client *c) {
    digest_t d;
    char hex[2 * SHA1_DIGEST_BYTES + 1];
    digest_dataset(d);
    sha1_to_hex(d, hex);
    reply_status(c, hex);
}

/* Keys are looked up without expiring them or touching them: an expired
 * key not yet removed still has its value's digest (Redis 7.0 does so). */
void digest_debug_digest_value(client *c) {
    reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        digest_t d = {0};
        char hex[2 * SHA1_DIGEST_BYTES + 1];
        dict_entry *de = dict_find(c->db->keys, c->argv[j]);
        if (de) digest_value(c->db, c->argv[j], dict_get_val(de), d);
        sha1_to_hex(d, hex);
        reply_status(c, hex);
    }
}
