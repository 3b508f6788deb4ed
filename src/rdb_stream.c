/* rdb_stream.c -- stream values in RDB encoding: STREAM_LISTPACKS_2 (19)
 * written as Redis 7.0 writes it, and both it and the older
 * STREAM_LISTPACKS (15) read back.
 *
 * Layout: the listpack nodes (16-byte master ID key + listpack), length,
 * last ID, then (type 19 only) first ID, max deleted ID, entries added;
 * then the groups, each with its last ID, (type 19) entries read, its PEL
 * (raw IDs, delivery time, delivery count) and its consumers (name, seen
 * time, their PEL as raw IDs that must be in the group's PEL).
 *
 * Reading trusts nothing: every node's listpack is walked entry by entry
 * in the stream layout before the stream code may iterate it, so a
 * corrupt node is refused here instead of crashing a later XRANGE; a
 * PEL entry without an owner, a consumer entry missing from its group,
 * duplicate groups, consumers or nodes refuse the whole value. */
#include <string.h>

#include "listpack.h"
#include "rdb_internal.h"
#include "t_stream.h"
#include "zmalloc.h"

/* Bytes of an ID in its raw form (rax keys, PEL entries in the file). */
#define RDB_STREAM_ID_BYTES 16
/* A node is at least its key (1 + 16) and a listpack string (1 + 7). */
#define RDB_STREAM_NODE_MIN_BYTES 25
/* A PEL entry of a group: raw ID, 8-byte time, 1-byte count at least. */
#define RDB_STREAM_NACK_MIN_BYTES 25

static void rdb_stream_err(sds *err, const char *msg) {
    if (*err == NULL) *err = sds_new(msg);
}

/* ============================================================ writing */

static void rdb_stream_add(ssize_t *total, ssize_t n) {
    if (*total == -1 || n == -1) *total = -1;
    else *total += n;
}

static ssize_t rdb_stream_write(rio *r, const void *p, size_t len) {
    return rio_write(r, p, len) ? (ssize_t)len : -1;
}

/* A unix time in ms: 8 bytes little endian, as Redis saves it. */
static ssize_t rdb_stream_save_ms(rio *r, long long ms) {
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)((unsigned long long)ms >> (8 * i));
    return rdb_stream_write(r, b, 8);
}

static ssize_t rdb_stream_save_id(rio *r, const stream_id *id) {
    ssize_t n = rdb_save_len(r, id->ms);
    rdb_stream_add(&n, rdb_save_len(r, id->seq));
    return n;
}

/* A PEL: its size, then each raw ID, with the delivery time and count
 * when with_nacks (a group's PEL; a consumer's has IDs only). */
static ssize_t rdb_stream_save_pel(rio *r, rax *pel, int with_nacks) {
    ssize_t n = rdb_save_len(r, rax_size(pel));
    rax_iter it;
    rax_start(&it, pel);
    rax_seek(&it, "^", NULL, 0);
    while (n != -1 && rax_next(&it)) {
        rdb_stream_add(&n, rdb_stream_write(r, it.key, it.key_len));
        if (!with_nacks) continue;
        const stream_nack *nack = it.data;
        rdb_stream_add(&n, rdb_stream_save_ms(r, nack->delivery_time));
        rdb_stream_add(&n, rdb_save_len(r, nack->delivery_count));
    }
    rax_stop(&it);
    return n;
}

static ssize_t rdb_stream_save_consumers(rio *r, rax *consumers) {
    ssize_t n = rdb_save_len(r, rax_size(consumers));
    rax_iter it;
    rax_start(&it, consumers);
    rax_seek(&it, "^", NULL, 0);
    while (n != -1 && rax_next(&it)) {
        const stream_consumer *consumer = it.data;
        rdb_stream_add(&n, rdb_save_raw_string(r, it.key, it.key_len));
        rdb_stream_add(&n, rdb_stream_save_ms(r, consumer->seen_time));
        rdb_stream_add(&n, rdb_stream_save_pel(r, consumer->pel, 0));
    }
    rax_stop(&it);
    return n;
}

static ssize_t rdb_stream_save_groups(rio *r, rax *cgroups) {
    ssize_t n = rdb_save_len(r, cgroups ? rax_size(cgroups) : 0);
    if (cgroups == NULL) return n;
    rax_iter it;
    rax_start(&it, cgroups);
    rax_seek(&it, "^", NULL, 0);
    while (n != -1 && rax_next(&it)) {
        const stream_cg *cg = it.data;
        rdb_stream_add(&n, rdb_save_raw_string(r, it.key, it.key_len));
        rdb_stream_add(&n, rdb_stream_save_id(r, &cg->last_id));
        /* -1 (unknown) is written as the 64-bit length 2^64-1 and reads
         * back as -1, as in Redis. */
        rdb_stream_add(&n, rdb_save_len(r, (uint64_t)cg->entries_read));
        if (n != -1) rdb_stream_add(&n, rdb_stream_save_pel(r, cg->pel, 1));
        if (n != -1) rdb_stream_add(&n, rdb_stream_save_consumers(r, cg->consumers));
    }
    rax_stop(&it);
    return n;
}

ssize_t rdb_save_stream(rio *r, const robj *o) {
    stream *s = o->ptr;
    ssize_t n = rdb_save_len(r, rax_size(s->rax));
    rax_iter it;
    rax_start(&it, s->rax);
    rax_seek(&it, "^", NULL, 0);
    while (n != -1 && rax_next(&it)) {
        unsigned char *lp = it.data;
        rdb_stream_add(&n, rdb_save_raw_string(r, it.key, it.key_len));
        if (n != -1) rdb_stream_add(&n, rdb_save_raw_string(r, lp, lp_bytes(lp)));
    }
    rax_stop(&it);
    rdb_stream_add(&n, rdb_save_len(r, s->length));
    rdb_stream_add(&n, rdb_stream_save_id(r, &s->last_id));
    rdb_stream_add(&n, rdb_stream_save_id(r, &s->first_id));
    rdb_stream_add(&n, rdb_stream_save_id(r, &s->max_deleted_entry_id));
    rdb_stream_add(&n, rdb_save_len(r, s->entries_added));
    if (n != -1) rdb_stream_add(&n, rdb_stream_save_groups(r, s->cgroups));
    return n;
}

/* ============================================================ node checks */

/* A cursor over a listpack already proven well formed (lp_validate_*). */
typedef struct lp_cursor {
    unsigned char *lp, *p;
} lp_cursor;

/* Reads the current entry as an integer and moves on. Returns 0, or -1 at
 * the end or on a string: a writer always stores these counters and
 * deltas in integer encodings (a canonical integer string is stored so
 * too), and the stream code reads them as such. */
static int lp_cursor_int(lp_cursor *c, int64_t *v) {
    if (c->p == NULL) return -1;
    if (lp_get(c->p, v, NULL, NULL, NULL) != LP_KIND_INT) return -1;
    c->p = lp_next(c->lp, c->p);
    return 0;
}

/* Skips n entries; -1 when fewer remain. */
static int lp_cursor_skip(lp_cursor *c, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        if (c->p == NULL) return -1;
        c->p = lp_next(c->lp, c->p);
    }
    return 0;
}

/* What walking one node learned. */
typedef struct rdb_stream_node {
    stream_id master, first, last; /* first/last: of any entry, deleted too */
    int64_t live;                  /* the master entry's live count */
    int has_entries;
} rdb_stream_node;

static int rdb_stream_check_entry(lp_cursor *c, int64_t master_fields, rdb_stream_node *node) {
    int64_t flags, ms_delta, seq_delta, fields = master_fields, lp_count;
    if (lp_cursor_int(c, &flags) == -1 || lp_cursor_int(c, &ms_delta) == -1 || lp_cursor_int(c, &seq_delta) == -1)
        return -1;
    int64_t expected = master_fields + 3;
    if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS)) {
        if (lp_cursor_int(c, &fields) == -1 || fields < 0 || fields > INT32_MAX) return -1;
        if (lp_cursor_skip(c, fields * 2) == -1) return -1;
        expected = fields * 2 + 4;
    } else if (lp_cursor_skip(c, master_fields) == -1) {
        return -1;
    }
    if (lp_cursor_int(c, &lp_count) == -1 || lp_count != expected) return -1;
    stream_id id = {node->master.ms + (uint64_t)ms_delta, node->master.seq + (uint64_t)seq_delta};
    if (!node->has_entries) node->first = id;
    node->last = id;
    node->has_entries = 1;
    return 0;
}

/* Walks a node's listpack in the stream layout: master entry (count,
 * deleted, fields, the 0 terminator), then count + deleted entries whose
 * lp-count matches their size, and nothing after. Returns 0 or -1. */
static int rdb_stream_check_node(unsigned char *lp, size_t len, rdb_stream_node *node) {
    if (lp_validate_integrity(lp, len, 1) == -1) return -1;
    lp_cursor c = {lp, lp_first(lp)};
    int64_t live, deleted, master_fields, zero;
    if (lp_cursor_int(&c, &live) == -1 || lp_cursor_int(&c, &deleted) == -1 ||
        lp_cursor_int(&c, &master_fields) == -1)
        return -1;
    if (live < 0 || deleted < 0 || master_fields < 0 || master_fields > INT32_MAX) return -1;
    if (lp_cursor_skip(&c, master_fields) == -1 || lp_cursor_int(&c, &zero) == -1 || zero != 0) return -1;
    node->live = live;
    node->has_entries = 0;
    for (int64_t i = 0; i < live + deleted; i++)
        if (rdb_stream_check_entry(&c, master_fields, node) == -1) return -1;
    return c.p == NULL ? 0 : -1;
}

/* ============================================================ reading */

static int rdb_stream_load_id(rio *r, stream_id *id, sds *err) {
    return rdb_load_len(r, &id->ms, NULL, err) == -1 || rdb_load_len(r, &id->seq, NULL, err) == -1 ? -1 : 0;
}

static int rdb_stream_load_ms(rio *r, long long *ms, sds *err) {
    unsigned char b[8];
    if (!rio_read(r, b, 8)) {
        rdb_read_failed(r, err);
        return -1;
    }
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | b[i];
    *ms = (long long)v;
    return 0;
}

static int rdb_stream_load_raw_id(rio *r, unsigned char raw[RDB_STREAM_ID_BYTES], sds *err) {
    if (rio_read(r, raw, RDB_STREAM_ID_BYTES)) return 0;
    rdb_read_failed(r, err);
    return -1;
}

/* The nodes: each key must be a 16-byte ID and each listpack a valid,
 * non-empty node; with deep, the key must be the master entry's ID and
 * entries must go up across nodes. Sums the live counts in *live. */
static int rdb_stream_load_nodes(rio *r, stream *s, int deep, uint64_t *live, sds *err) {
    uint64_t nodes;
    stream_id prev_last = {0, 0};
    *live = 0;
    if (rdb_load_count(r, &nodes, RDB_STREAM_NODE_MIN_BYTES, err) == -1) return -1;
    for (uint64_t i = 0; i < nodes; i++) {
        sds key = rdb_load_string(r, err);
        if (key == NULL) return -1;
        if (sds_len(key) != RDB_STREAM_ID_BYTES) {
            sds_free(key);
            rdb_stream_err(err, "Stream node key entry is not the size of a stream ID");
            return -1;
        }
        size_t len;
        unsigned char *lp = rdb_load_blob(r, &len, err);
        if (lp == NULL) {
            sds_free(key);
            return -1;
        }
        const char *why = NULL;
        rdb_stream_node node;
        stream_id_decode((unsigned char *)key, &node.master);
        if (rdb_stream_check_node(lp, len, &node) == -1) why = "Stream listpack integrity check failed.";
        else if (!node.has_entries && lp_first(lp) == NULL) why = "Empty listpack inside stream";
        else if (deep && node.has_entries &&
                 (stream_id_cmp(&node.first, &node.master) != 0 || (i && stream_id_cmp(&node.first, &prev_last) <= 0)))
            why = "Stream listpack integrity check failed.";
        if (why == NULL && !rax_try_insert(s->rax, (unsigned char *)key, RDB_STREAM_ID_BYTES, lp, NULL))
            why = "Listpack re-added with existing key";
        sds_free(key);
        if (why) {
            zfree(lp);
            rdb_stream_err(err, why);
            return -1;
        }
        if (node.has_entries) prev_last = node.last;
        *live += (uint64_t)node.live;
    }
    return 0;
}

/* A group's PEL: raw IDs with delivery time and count, owners unknown
 * until the consumers are read. */
static int rdb_stream_load_group_pel(rio *r, stream_cg *cg, sds *err) {
    uint64_t n;
    if (rdb_load_count(r, &n, RDB_STREAM_NACK_MIN_BYTES, err) == -1) return -1;
    for (uint64_t i = 0; i < n; i++) {
        unsigned char raw[RDB_STREAM_ID_BYTES];
        long long when;
        uint64_t count;
        if (rdb_stream_load_raw_id(r, raw, err) == -1 || rdb_stream_load_ms(r, &when, err) == -1 ||
            rdb_load_len(r, &count, NULL, err) == -1)
            return -1;
        stream_nack *nack = stream_nack_new(NULL, when);
        nack->consumer = NULL;
        nack->delivery_time = when;
        nack->delivery_count = count;
        if (!rax_try_insert(cg->pel, raw, RDB_STREAM_ID_BYTES, nack, NULL)) {
            stream_nack_free(nack);
            rdb_stream_err(err, "Duplicated global PEL entry loading stream consumer group");
            return -1;
        }
    }
    return 0;
}

/* One consumer: name, seen time, and its PEL, every ID of which must be
 * an ownerless entry of the group's PEL. */
static int rdb_stream_load_consumer(rio *r, stream_cg *cg, sds *err) {
    sds name = rdb_load_string(r, err);
    if (name == NULL) return -1;
    stream_consumer *consumer = stream_create_consumer(cg, (unsigned char *)name, sds_len(name), 0);
    sds_free(name);
    if (consumer == NULL) {
        rdb_stream_err(err, "Duplicate stream consumer detected.");
        return -1;
    }
    uint64_t n;
    if (rdb_stream_load_ms(r, &consumer->seen_time, err) == -1 ||
        rdb_load_count(r, &n, RDB_STREAM_ID_BYTES, err) == -1)
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        unsigned char raw[RDB_STREAM_ID_BYTES];
        void *found;
        if (rdb_stream_load_raw_id(r, raw, err) == -1) return -1;
        if (!rax_find(cg->pel, raw, RDB_STREAM_ID_BYTES, &found)) {
            rdb_stream_err(err, "Consumer entry not found in group global PEL");
            return -1;
        }
        stream_nack *nack = found;
        if (nack->consumer != NULL || !rax_try_insert(consumer->pel, raw, RDB_STREAM_ID_BYTES, nack, NULL)) {
            rdb_stream_err(err, "Duplicated consumer PEL entry loading a stream consumer group");
            return -1;
        }
        nack->consumer = consumer;
    }
    return 0;
}

/* 1 when every entry of the group's PEL found its owner. */
static int rdb_stream_pel_owned(stream_cg *cg) {
    rax_iter it;
    int ok = 1;
    rax_start(&it, cg->pel);
    rax_seek(&it, "^", NULL, 0);
    while (ok && rax_next(&it)) ok = ((stream_nack *)it.data)->consumer != NULL;
    rax_stop(&it);
    return ok;
}

static int rdb_stream_load_groups(rio *r, stream *s, int v2, sds *err) {
    uint64_t groups;
    if (rdb_load_count(r, &groups, 4, err) == -1) return -1;
    for (uint64_t i = 0; i < groups; i++) {
        sds name = rdb_load_string(r, err);
        if (name == NULL) return -1;
        stream_id last;
        uint64_t read = 0;
        if (rdb_stream_load_id(r, &last, err) == -1 || (v2 && rdb_load_len(r, &read, NULL, err) == -1)) {
            sds_free(name);
            return -1;
        }
        /* Before 7.0 the group's position was not saved: estimated from
         * its last ID, as Redis does on such a load. */
        long long entries_read = v2 ? (long long)read : stream_estimate_distance_from_first_ever_entry(s, &last);
        stream_cg *cg = stream_create_cg(s, (unsigned char *)name, sds_len(name), &last, entries_read);
        sds_free(name);
        if (cg == NULL) {
            rdb_stream_err(err, "Duplicated consumer group name");
            return -1;
        }
        if (rdb_stream_load_group_pel(r, cg, err) == -1) return -1;
        uint64_t consumers;
        if (rdb_load_count(r, &consumers, 10, err) == -1) return -1;
        for (uint64_t j = 0; j < consumers; j++)
            if (rdb_stream_load_consumer(r, cg, err) == -1) return -1;
        if (!rdb_stream_pel_owned(cg)) {
            rdb_stream_err(err, "Stream CG PEL entry without consumer");
            return -1;
        }
    }
    return 0;
}

/* The fields after the nodes: length, last ID and (type 19) first ID,
 * max deleted ID, entries added; type 15 derives them as Redis 7.0 does. */
static int rdb_stream_load_meta(rio *r, stream *s, int v2, uint64_t live, int deep, sds *err) {
    if (rdb_load_len(r, &s->length, NULL, err) == -1 || rdb_stream_load_id(r, &s->last_id, err) == -1) return -1;
    if (v2) {
        if (rdb_stream_load_id(r, &s->first_id, err) == -1 ||
            rdb_stream_load_id(r, &s->max_deleted_entry_id, err) == -1 ||
            rdb_load_len(r, &s->entries_added, NULL, err) == -1)
            return -1;
    } else {
        s->max_deleted_entry_id = (stream_id){0, 0};
        s->entries_added = s->length;
        /* Redis takes the first live entry, or the largest ID when there
         * is none. */
        if (s->length) stream_first_valid_id(s, &s->first_id);
        else s->first_id = (stream_id){UINT64_MAX, UINT64_MAX};
    }
    if (s->length && rax_size(s->rax) == 0) {
        rdb_stream_err(err, "Stream length inconsistent with rax entries");
        return -1;
    }
    /* The stream code trusts the length and that no entry is past the
     * last ID (new IDs are generated from it). */
    stream_id last_entry;
    stream_last_valid_id(s, &last_entry);
    if (live != s->length || (deep && s->length && stream_id_cmp(&last_entry, &s->last_id) > 0)) {
        rdb_stream_err(err, "Stream integrity check failed.");
        return -1;
    }
    return 0;
}

robj *rdb_load_stream(rio *r, int type, int deep, sds *err) {
    robj *o = stream_create_object();
    stream *s = o->ptr;
    int v2 = type == RDB_TYPE_STREAM_LISTPACKS_2;
    uint64_t live;
    if (rdb_stream_load_nodes(r, s, deep, &live, err) == -1 || rdb_stream_load_meta(r, s, v2, live, deep, err) == -1 ||
        rdb_stream_load_groups(r, s, v2, err) == -1) {
        obj_decr_refcount(o);
        return NULL;
    }
    return o;
}
