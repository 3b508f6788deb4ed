/* rdb_legacy.c -- the packed encodings of RDB versions 7 to 9 (see
 * rdb_legacy.h): each is read as one RDB string (or, for quicklists, a
 * node count and one string per node), validated and converted to a
 * listpack by the ziplist / zipmap libraries, then built into the object
 * this server would hold, with the conversions Redis 7.0 makes on load.
 *
 * Never trusts the blob: a conversion validates every entry (Redis always
 * does for these types, whatever sanitize-dump-payload says), so `deep`
 * changes nothing here. What Redis 7.0.15 does with each empty encoding
 * was observed on it (tests/persist/make_legacy_rdb.py's edge cases): an
 * empty ziplist or quicklist is skipped as an empty key, an empty zipmap
 * is refused. */
#include "rdb_legacy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "listpack.h"
#include "quicklist.h"
#include "rdb_internal.h"
#include "t_zset.h"
#include "ziplist.h"
#include "zipmap.h"
#include "zmalloc.h"

/* A quicklist node is at least one byte of length in the stream. */
#define RDB_QL_NODE_MIN_BYTES 1

/* Sets *err to msg (Redis's own text for the same refusal) and returns
 * NULL, so a failing path is one line. */
static robj *legacy_refuse(sds *err, const char *msg) {
    if (*err == NULL) *err = sds_new(msg);
    return NULL;
}

/* ------------------------------------------------------------ lists */

/* LIST_ZIPLIST (10): one ziplist, the whole list (Redis 2.6 to 3.0). */
static robj *load_ziplist_list(rio *r, sds *err, int *empty) {
    size_t len;
    unsigned char *zl = rdb_load_blob(r, &len, err);
    if (zl == NULL) return NULL;
    unsigned char *lp = zl_to_listpack(zl, len);
    zfree(zl);
    if (lp == NULL) return legacy_refuse(err, "List ziplist integrity check failed.");
    if (lp_length(lp) == 0) {
        lp_free(lp);
        *empty = 1;
        return NULL;
    }
    robj *o = list_create_for_load();
    rdb_list_append_node(o->ptr, lp, lp_length(lp));
    return o;
}

/* LIST_QUICKLIST (14): a node count, then one ziplist per node (each
 * possibly LZF-compressed, which the string reader undoes). Empty nodes
 * are dropped; a list left with none is an empty key. */
static robj *load_quicklist(rio *r, sds *err, int *empty) {
    uint64_t nodes;
    if (rdb_load_count(r, &nodes, RDB_QL_NODE_MIN_BYTES, err) == -1) return NULL;
    if (nodes == 0) {
        *empty = 1;
        return NULL;
    }
    robj *o = list_create_for_load();
    while (nodes--) {
        size_t len;
        unsigned char *zl = rdb_load_blob(r, &len, err);
        if (zl == NULL) goto fail;
        unsigned char *lp = zl_to_listpack(zl, len);
        zfree(zl);
        if (lp == NULL) {
            legacy_refuse(err, "Ziplist integrity check failed.");
            goto fail;
        }
        if (lp_length(lp) == 0) lp_free(lp);
        else rdb_list_append_node(o->ptr, lp, lp_length(lp));
    }
    if (ql_length(o->ptr) == 0) {
        obj_decr_refcount(o);
        *empty = 1;
        return NULL;
    }
    return o;
fail:
    obj_decr_refcount(o);
    return NULL;
}

/* ------------------------------------------------------------ hashes and sorted sets */

/* HASH_ZIPMAP (9): Redis 2.4's hashes. Converted on the entry count and
 * on the longest field or value, as Redis does for this type only. */
static robj *load_zipmap(rio *r, sds *err) {
    size_t len, maxlen;
    unsigned char *zm = rdb_load_blob(r, &len, err);
    if (zm == NULL) return NULL;
    /* Redis 7.0 refuses a zipmap without pairs (it skips other empties). */
    if (zm_validate_integrity(zm, len, 1) != 0 || zm_length(zm) == 0) {
        zfree(zm);
        return legacy_refuse(err, "Zipmap integrity check failed.");
    }
    unsigned char *lp = zm_to_listpack(zm, len, &maxlen);
    zfree(zm);
    /* Valid, so a refusal is a repeated field or a listpack too big. */
    if (lp == NULL) return legacy_refuse(err, "Hash zipmap with dup elements, or big length");
    return hash_create_from_listpack(lp, maxlen);
}

/* 1 if every score of a member/score listpack reads as a number; a NaN
 * would break the order a sorted set keeps (Redis takes whatever strtod
 * gives; NaN is refused here so the skiplist never sees one). */
static int zset_scores_ok(unsigned char *lp) {
    char buf[LP_INTBUF_SIZE + 64];
    unsigned char *e = lp_first(lp);
    while (e && (e = lp_next(lp, e)) != NULL) {
        const unsigned char *s;
        uint32_t len;
        if (lp_get(e, NULL, &s, &len, NULL) == LP_KIND_STR) {
            if (len >= sizeof(buf)) return 0;
            memcpy(buf, s, len);
            buf[len] = '\0';
            if (isnan(strtod(buf, NULL))) return 0;
        }
        e = lp_next(lp, e);
    }
    return 1;
}

/* HASH_ZIPLIST (13) and ZSET_ZIPLIST (12): field/value or member/score
 * pairs. Redis 7.0 converts these on the entry count only (not the
 * longest entry): hashes past hash-max-listpack-entries become dicts,
 * sorted sets past zset-max-listpack-entries skiplists. */
static robj *load_ziplist_pairs(rio *r, int type, sds *err, int *empty) {
    int is_zset = type == RDB_TYPE_ZSET_ZIPLIST;
    const char *why = is_zset ? "Zset ziplist integrity check failed." : "Hash ziplist integrity check failed.";
    size_t len;
    unsigned char *zl = rdb_load_blob(r, &len, err);
    if (zl == NULL) return NULL;
    unsigned char *lp = zl_pairs_to_listpack(zl, len, NULL);
    zfree(zl);
    if (lp == NULL) return legacy_refuse(err, why);
    unsigned long pairs = lp_length(lp) / 2;
    if (pairs == 0) {
        lp_free(lp);
        *empty = 1;
        return NULL;
    }
    if (!is_zset) return hash_create_from_listpack(lp, 0);
    if (!zset_scores_ok(lp)) {
        lp_free(lp);
        return legacy_refuse(err, why);
    }
    robj *o = zset_create_object(0, 0);
    lp_free(o->ptr);
    o->ptr = lp;
    if (pairs > cfg.zset_max_listpack_entries) zset_convert_to_skiplist(o);
    return o;
}

/* ------------------------------------------------------------ dispatch */

robj *rdb_load_legacy_object(rio *r, int type, int deep, sds *err, int *empty) {
    (void)deep; /* conversions always validate every entry */
    *empty = 0;
    switch (type) {
    case RDB_TYPE_HASH_ZIPMAP: return load_zipmap(r, err);
    case RDB_TYPE_LIST_ZIPLIST: return load_ziplist_list(r, err, empty);
    case RDB_TYPE_LIST_QUICKLIST: return load_quicklist(r, err, empty);
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_HASH_ZIPLIST: return load_ziplist_pairs(r, type, err, empty);
    default: return legacy_refuse(err, "Unknown RDB encoding type");
    }
}
