/* t_hash.c -- the hash type (field -> value maps) and its commands.
 *
 * Owns the two encodings of a hash value: a listpack of alternating field,
 * value entries (insertion order) while the hash is small, then a dict of
 * sds field -> sds value (in v.val). Invariant: a listpack hash never holds
 * more than hash-max-listpack-entries pairs nor a field or value longer
 * than hash-max-listpack-value bytes; once a dict, always a dict (Redis
 * 7.0 never converts back). Never keeps an empty hash in the keyspace and
 * never changes anything before every argument has been validated. Each
 * write reports its change as Redis 7.0 does: db_signal_modified, the
 * keyspace event, the dirty count (HSET: every pair written), and
 * HINCRBYFLOAT's effect as the HSET of its result. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "notify.h"
#include "propagate.h"
#include "listpack.h"
#include "reply.h"
#include "sample.h"
#include "scan.h"
#include "util.h"
#include "zmalloc.h"

/* A dict shrinks after a delete when fewer than this percent of its slots
 * are used (Redis's HASHTABLE_MIN_FILL), so a hash that emptied out gives
 * its table back. */
#define HASH_DICT_MIN_FILL_PERCENT 10
/* Smallest table a shrink is worth considering for (dict's initial size). */
#define HASH_DICT_MIN_SLOTS (1UL << DICT_HT_INITIAL_EXP)

/* What an iterator or lookup hands out. */
#define HASH_FIELD 1
#define HASH_VALUE 2

/* Conversion thresholds: redis.conf's hash-max-listpack-entries / -value. */
static size_t hash_max_entries(void) {
    return cfg.hash_max_listpack_entries;
}

static size_t hash_max_value(void) {
    return cfg.hash_max_listpack_value;
}

/* ---------------------------------------------------------- dict encoding */

static void hash_dict_free_sds(dict *d, void *s) {
    (void)d;
    sds_free(s);
}

/* sds field -> sds value, both owned by the dict. */
static dict_type hash_dict_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = hash_dict_free_sds,
    .val_destructor = hash_dict_free_sds,
};

/* ---------------------------------------------------------- core */

/* Returns a new hash object (refcount 1) owning ptr, encoded as given. */
static robj *hash_new_object(int encoding, void *ptr) {
    robj *o = zmalloc(sizeof(*o));
    o->type = OBJ_HASH;
    o->encoding = (unsigned)encoding;
    o->lru = 0;
    o->refcount = 1;
    o->ptr = ptr;
    return o;
}

/* Returns a new empty hash object (listpack encoded). */
static robj *hash_create_object(void) {
    return hash_new_object(OBJ_ENCODING_LISTPACK, lp_new(0));
}

static unsigned long hash_length(const robj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) return lp_length(o->ptr) / 2;
    return dict_size((const dict *)o->ptr);
}

/* Returns a new sds holding a listpack entry's bytes (integers as text). */
static sds hash_lp_entry_sds(const unsigned char *p) {
    unsigned char buf[LP_INTBUF_SIZE];
    const unsigned char *s;
    uint32_t len;
    lp_get(p, NULL, &s, &len, buf);
    return sds_new_len(s, len);
}

/* Turns a listpack hash into a dict hash, keeping every pair. */
static void hash_convert_to_dict(robj *o) {
    unsigned char *lp = o->ptr;
    dict *d = dict_create(&hash_dict_type);
    unsigned long pairs = lp_length(lp) / 2;
    if (pairs) dict_expand(d, pairs);
    for (unsigned char *f = lp_first(lp); f; f = lp_next(lp, f)) {
        unsigned char *v = lp_next(lp, f);
        dict_add(d, hash_lp_entry_sds(f), hash_lp_entry_sds(v));
        f = v;
    }
    lp_free(lp);
    o->ptr = d;
    o->encoding = OBJ_ENCODING_HT;
}

/* The field entry of a listpack hash equal to the flen bytes at field, or
 * NULL. Borrowed pointer into lp. */
static unsigned char *hash_lp_find(unsigned char *lp, const char *field, size_t flen) {
    if (flen > UINT32_MAX) return NULL; /* no listpack entry is that long */
    unsigned char *first = lp_first(lp);
    if (first == NULL) return NULL;
    return lp_find(lp, first, (const unsigned char *)field, (uint32_t)flen, 1);
}

/* Looks field up. Returns 0 if absent; else 1 with *str / *len set to the
 * value's bytes (borrowed from the hash, or written to buf, which must hold
 * LP_INTBUF_SIZE bytes, for a listpack integer). */
int hash_get(robj *o, const sds field, const char **str, size_t *len, char *buf) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *f = hash_lp_find(o->ptr, field, sds_len(field));
        if (f == NULL) return 0;
        const unsigned char *s;
        uint32_t l;
        lp_get(lp_next(o->ptr, f), NULL, &s, &l, (unsigned char *)buf);
        *str = (const char *)s;
        *len = l;
        return 1;
    }
    dict_entry *de = dict_find(o->ptr, field);
    if (de == NULL) return 0;
    *str = dict_get_val(de);
    *len = sds_len(dict_get_val(de));
    return 1;
}

static int hash_exists(robj *o, const sds field) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) return hash_lp_find(o->ptr, field, sds_len(field)) != NULL;
    return dict_find(o->ptr, field) != NULL;
}

/* Converts a listpack hash to a dict before arguments argv[first..last]
 * (fields and values about to be written) are stored, when one of them is
 * too long for a listpack or all of them would push it past its size cap. */
static void hash_convert_for_args(robj *o, sds *argv, int first, int last) {
    if (o->encoding != OBJ_ENCODING_LISTPACK) return;
    size_t sum = 0;
    for (int i = first; i <= last; i++) {
        size_t len = sds_len(argv[i]);
        if (len > hash_max_value()) {
            hash_convert_to_dict(o);
            return;
        }
        sum += len;
    }
    if (!lp_safe_to_add(o->ptr, sum)) hash_convert_to_dict(o);
}

/* Listpack half of hash_set: returns 1 (added), 0 (updated), or -1 when the
 * listpack could not take the pair (o is then a dict, nothing written). */
static int hash_lp_set(robj *o, const sds field, const char *v, size_t vlen) {
    unsigned char *lp = o->ptr;
    unsigned char *f = hash_lp_find(lp, field, sds_len(field));
    if (f) {
        unsigned char *vp = lp_next(lp, f);
        unsigned char *n = lp_replace(lp, &vp, (const unsigned char *)v, (uint32_t)vlen);
        if (n == NULL) return -1;
        o->ptr = n;
        return 0;
    }
    lp_item pair[2] = {{.str = (const unsigned char *)field, .len = (uint32_t)sds_len(field)},
                       {.str = (const unsigned char *)v, .len = (uint32_t)vlen}};
    unsigned char *n = lp_batch_append(lp, pair, 2);
    if (n == NULL) return -1;
    o->ptr = n;
    if (lp_length(n) / 2 > hash_max_entries()) hash_convert_to_dict(o);
    return 1;
}

/* Sets field (borrowed) to a copy of the vlen bytes at v, converting the
 * encoding when the pair or the new size calls for it. Returns 1 if the
 * field was added, 0 if an existing value was replaced. */
static int hash_set(robj *o, const sds field, const char *v, size_t vlen) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        if (sds_len(field) > hash_max_value() || vlen > hash_max_value() ||
            !lp_safe_to_add(o->ptr, sds_len(field) + vlen)) {
            hash_convert_to_dict(o);
        } else {
            int r = hash_lp_set(o, field, v, vlen);
            if (r >= 0) return r;
            hash_convert_to_dict(o);
        }
    }
    dict *d = o->ptr;
    dict_entry *existing;
    /* One hash computation: insert the borrowed field, then swap in a copy
     * (same bytes, same bucket) if it was new. */
    dict_entry *de = dict_add_raw(d, field, &existing);
    if (de) {
        dict_set_key(d, de, sds_dup(field));
        dict_set_val(d, de, sds_new_len(v, vlen));
        return 1;
    }
    sds old = dict_get_val(existing);
    dict_set_val(d, existing, sds_new_len(v, vlen));
    sds_free(old);
    return 0;
}

/* Removes field; returns 1 if it was there. */
static int hash_delete(robj *o, const sds field) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *f = hash_lp_find(o->ptr, field, sds_len(field));
        if (f == NULL) return 0;
        o->ptr = lp_delete_range_entry(o->ptr, &f, 2);
        return 1;
    }
    dict *d = o->ptr;
    if (dict_delete(d, field) != DICT_OK) return 0;
    unsigned long slots = dict_slots(d);
    if (slots > HASH_DICT_MIN_SLOTS && dict_size(d) * 100 / slots < HASH_DICT_MIN_FILL_PERCENT) dict_resize(d);
    return 1;
}

/* ---------------------------------------------------------- iteration */

/* Walks the pairs of a hash in storage order; the hash must not change
 * while the iterator is live. */
typedef struct hash_iter {
    robj *o;
    unsigned char *f, *v; /* listpack: current field and value entries */
    dict_iterator di;
    dict_entry *de;       /* dict: current entry */
} hash_iter;

static void hash_iter_init(hash_iter *it, robj *o) {
    it->o = o;
    it->f = it->v = NULL;
    it->de = NULL;
    if (o->encoding == OBJ_ENCODING_HT) dict_init_iterator(&it->di, o->ptr);
}

/* Moves to the next pair; returns 0 at the end. */
static int hash_iter_next(hash_iter *it) {
    if (it->o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = it->o->ptr;
        it->f = it->v ? lp_next(lp, it->v) : lp_first(lp);
        if (it->f == NULL) return 0;
        it->v = lp_next(lp, it->f);
        return 1;
    }
    it->de = dict_next(&it->di);
    return it->de != NULL;
}

static void hash_iter_release(hash_iter *it) {
    if (it->o->encoding == OBJ_ENCODING_HT) dict_reset_iterator(&it->di);
}

/* The current field or value (what): bytes borrowed from the hash or
 * rendered into buf (LP_INTBUF_SIZE bytes); *len gets the length. */
static const char *hash_iter_get(const hash_iter *it, int what, char *buf, size_t *len) {
    if (it->o->encoding == OBJ_ENCODING_LISTPACK) {
        const unsigned char *s;
        uint32_t l;
        lp_get(what == HASH_FIELD ? it->f : it->v, NULL, &s, &l, (unsigned char *)buf);
        *len = l;
        return (const char *)s;
    }
    sds s = what == HASH_FIELD ? dict_get_key(it->de) : dict_get_val(it->de);
    *len = sds_len(s);
    return s;
}

/* ---------------------------------------------------------- reply helpers */

/* Replies a listpack entry as a bulk string. */
static void hash_reply_lp_entry(client *c, const unsigned char *p) {
    unsigned char buf[LP_INTBUF_SIZE];
    const unsigned char *s;
    uint32_t len;
    lp_get(p, NULL, &s, &len, buf);
    reply_bulk(c, (const char *)s, len);
}

static void hash_reply_iter(client *c, const hash_iter *it, int what) {
    char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *s = hash_iter_get(it, what, buf, &len);
    reply_bulk(c, s, len);
}

/* Replies one field (and its value when withvalues): RESP3 nests a pair in
 * its own array, RESP2 leaves it flat (HRANDFIELD's shapes). */
static void hash_reply_lp_pair(client *c, const unsigned char *f, const unsigned char *v, int withvalues) {
    if (withvalues && c->resp > 2) reply_array_len(c, 2);
    hash_reply_lp_entry(c, f);
    if (withvalues) hash_reply_lp_entry(c, v);
}

static void hash_reply_dict_pair(client *c, const dict_entry *de, int withvalues) {
    if (withvalues && c->resp > 2) reply_array_len(c, 2);
    reply_bulk_sds(c, dict_get_key(de));
    if (withvalues) reply_bulk_sds(c, dict_get_val(de));
}

/* ---------------------------------------------------------- lookups */

/* key's hash for reading, or NULL after replying: `missing` (a callback
 * that sends the empty reply) when absent, WRONGTYPE when not a hash. */
static robj *hash_lookup_read(client *c, void (*missing)(client *)) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        missing(c);
        return NULL;
    }
    if (db_check_type(c, o, OBJ_HASH)) return NULL;
    return o;
}

/* key's hash for writing, created (and stored) if missing; NULL after the
 * WRONGTYPE reply. */
static robj *hash_lookup_write_or_create(client *c) {
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (o == NULL) {
        o = hash_create_object();
        db_add(c->db, c->argv[1], o);
        return o;
    }
    if (db_check_type(c, o, OBJ_HASH)) return NULL;
    return o;
}

static void hash_reply_zero(client *c) {
    reply_integer(c, 0);
}

static void hash_reply_empty_array(client *c) {
    reply_array_len(c, 0);
}

/* ---------------------------------------------------------- set / get */

/* The change path of a write to the hash at argv[1] (WATCHers, then the
 * event, as Redis orders them); the dirty count is the caller's. */
static void hash_changed(client *c, const char *event) {
    db_signal_modified(c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_HASH, event, c->argv[1], c->db->id);
}

/* HSET / HMSET key field value [field value ...]: returns the number of
 * fields added, or -1 after an error reply. */
static long hash_set_generic(client *c) {
    if (c->argc % 2 == 1) {
        reply_error_arity(c);
        return -1;
    }
    robj *o = hash_lookup_write_or_create(c);
    if (o == NULL) return -1;
    hash_convert_for_args(o, c->argv, 2, c->argc - 1);
    long added = 0;
    for (int i = 2; i < c->argc; i += 2)
        added += hash_set(o, c->argv[i], c->argv[i + 1], sds_len(c->argv[i + 1]));
    hash_changed(c, "hset");
    /* Redis counts every pair written, new field or not. */
    db_dirty((c->argc - 2) / 2);
    return added;
}

static void hset_command(client *c) {
    long added = hash_set_generic(c);
    if (added >= 0) reply_integer(c, added);
}

static void hmset_command(client *c) {
    if (hash_set_generic(c) >= 0) reply_ok(c);
}

static void hsetnx_command(client *c) {
    robj *o = hash_lookup_write_or_create(c);
    if (o == NULL) return;
    if (hash_exists(o, c->argv[2])) {
        reply_integer(c, 0);
        return;
    }
    /* As in Redis, only a field that is really written can convert. */
    hash_convert_for_args(o, c->argv, 2, 3);
    hash_set(o, c->argv[2], c->argv[3], sds_len(c->argv[3]));
    reply_integer(c, 1);
    hash_changed(c, "hset");
    db_dirty(1);
}

static void hget_command(client *c) {
    robj *o = hash_lookup_read(c, reply_null);
    if (o == NULL) return;
    char buf[LP_INTBUF_SIZE];
    const char *s;
    size_t len;
    if (hash_get(o, c->argv[2], &s, &len, buf)) reply_bulk(c, s, len);
    else reply_null(c);
}

static void hmget_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_HASH)) return;
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        char buf[LP_INTBUF_SIZE];
        const char *s;
        size_t len;
        if (o && hash_get(o, c->argv[i], &s, &len, buf)) reply_bulk(c, s, len);
        else reply_null(c);
    }
}

static void hdel_command(client *c) {
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (o == NULL) {
        reply_integer(c, 0);
        return;
    }
    if (db_check_type(c, o, OBJ_HASH)) return;
    long deleted = 0;
    int emptied = 0;
    for (int i = 2; i < c->argc; i++) {
        deleted += hash_delete(o, c->argv[i]);
        if (hash_length(o) == 0) {
            db_delete(c->db, c->argv[1]);
            emptied = 1;
            break;
        }
    }
    if (deleted) {
        /* The key's deletion is announced after the hdel itself. */
        hash_changed(c, "hdel");
        if (emptied) notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[1], c->db->id);
        db_dirty(deleted);
    }
    reply_integer(c, deleted);
}

static void hlen_command(client *c) {
    robj *o = hash_lookup_read(c, hash_reply_zero);
    if (o) reply_integer(c, (long long)hash_length(o));
}

static void hstrlen_command(client *c) {
    robj *o = hash_lookup_read(c, hash_reply_zero);
    if (o == NULL) return;
    char buf[LP_INTBUF_SIZE];
    const char *s;
    size_t len;
    reply_integer(c, hash_get(o, c->argv[2], &s, &len, buf) ? (long long)len : 0);
}

static void hexists_command(client *c) {
    robj *o = hash_lookup_read(c, hash_reply_zero);
    if (o) reply_integer(c, hash_exists(o, c->argv[2]));
}

/* HKEYS / HVALS / HGETALL: what is HASH_FIELD, HASH_VALUE or both. */
static void hash_getall_generic(client *c, int what) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    int both = what == (HASH_FIELD | HASH_VALUE);
    if (o == NULL) {
        if (both) reply_map_len(c, 0);
        else reply_array_len(c, 0);
        return;
    }
    if (db_check_type(c, o, OBJ_HASH)) return;
    long n = (long)hash_length(o);
    if (both) reply_map_len(c, n);
    else reply_array_len(c, n);
    hash_iter it;
    hash_iter_init(&it, o);
    while (hash_iter_next(&it)) {
        if (what & HASH_FIELD) hash_reply_iter(c, &it, HASH_FIELD);
        if (what & HASH_VALUE) hash_reply_iter(c, &it, HASH_VALUE);
    }
    hash_iter_release(&it);
}

static void hkeys_command(client *c) {
    hash_getall_generic(c, HASH_FIELD);
}

static void hvals_command(client *c) {
    hash_getall_generic(c, HASH_VALUE);
}

static void hgetall_command(client *c) {
    hash_getall_generic(c, HASH_FIELD | HASH_VALUE);
}

/* ---------------------------------------------------------- counters */

static void hincrby_command(client *c) {
    long long incr, value = 0;
    if (!string2ll(c->argv[3], sds_len(c->argv[3]), &incr)) {
        reply_error_not_integer(c);
        return;
    }
    robj *o = hash_lookup_write_or_create(c);
    if (o == NULL) return;
    char buf[LP_INTBUF_SIZE];
    const char *s;
    size_t len;
    if (hash_get(o, c->argv[2], &s, &len, buf) && !string2ll(s, len, &value)) {
        reply_error(c, "hash value is not an integer");
        return;
    }
    if (__builtin_add_overflow(value, incr, &value)) {
        reply_error(c, "increment or decrement would overflow");
        return;
    }
    char out[LONG_STR_SIZE];
    int olen = ll2string(out, sizeof(out), value);
    hash_set(o, c->argv[2], out, (size_t)olen);
    reply_integer(c, value);
    hash_changed(c, "hincrby");
    db_dirty(1);
}

static void hincrbyfloat_command(client *c) {
    long double value = 0, incr;
    if (!string2ld(c->argv[3], sds_len(c->argv[3]), &incr)) {
        reply_error(c, "value is not a valid float");
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(c, "value is NaN or Infinity");
        return;
    }
    robj *o = hash_lookup_write_or_create(c);
    if (o == NULL) return;
    char buf[LP_INTBUF_SIZE];
    const char *s;
    size_t len;
    if (hash_get(o, c->argv[2], &s, &len, buf) && !string2ld(s, len, &value)) {
        reply_error(c, "hash value is not a float");
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(c, "increment would produce NaN or Infinity");
        return;
    }
    char out[MAX_LONG_DOUBLE_CHARS];
    int olen = ld2string(out, sizeof(out), value, LD_STR_HUMAN);
    hash_set(o, c->argv[2], out, (size_t)olen);
    reply_bulk(c, out, (size_t)olen);
    hash_changed(c, "hincrbyfloat");
    db_dirty(1);
    /* A replica or the AOF must not redo float arithmetic (its rounding
     * may differ): it gets the result, as HSET. */
    prop_replacef(c, "cssb", "HSET", c->argv[1], c->argv[2], out, (size_t)olen);
}

/* ---------------------------------------------------------- HRANDFIELD */

/* Negative count (or 1): count draws, repeats allowed, random order. */
static void hrandfield_with_repeats(client *c, robj *o, unsigned long count, int withvalues) {
    reply_array_len(c, (long)(withvalues && c->resp == 2 ? count * 2 : count));
    if (o->encoding == OBJ_ENCODING_HT) {
        while (count--) hash_reply_dict_pair(c, dict_get_fair_random_key(o->ptr), withvalues);
        return;
    }
    /* Index the fields once so each draw costs O(1), not a listpack walk. */
    unsigned char *lp = o->ptr;
    unsigned long n = lp_length(lp) / 2, i = 0;
    unsigned char **fields = zmalloc(n * sizeof(*fields));
    for (unsigned char *f = lp_first(lp); f; f = lp_next(lp, lp_next(lp, f))) fields[i++] = f;
    while (count--) {
        unsigned char *f = fields[sample_below(n)];
        hash_reply_lp_pair(c, f, lp_next(lp, f), withvalues);
    }
    zfree(fields);
}

/* Distinct pairs of a listpack (small: no copy is worth it): selection
 * sampling (Knuth's algorithm S) picks count pairs uniformly, in storage
 * order. */
static void hrandfield_lp_unique(client *c, robj *o, unsigned long count, int withvalues) {
    unsigned char *lp = o->ptr;
    unsigned long left = lp_length(lp) / 2, needed = count;
    for (unsigned char *f = lp_first(lp); f && needed; f = lp_next(lp, lp_next(lp, f)), left--) {
        if (sample_below(left) >= needed) continue;
        hash_reply_lp_pair(c, f, lp_next(lp, f), withvalues);
        needed--;
    }
}

/* Distinct entries of a dict, in random order, as plan says: a shuffled
 * copy of every entry, or draws with repeats dropped. */
static void hrandfield_dict_unique(client *c, robj *o, unsigned long count, int withvalues,
                                   enum sample_plan plan) {
    dict *d = o->ptr;
    if (plan == SAMPLE_SHUFFLE) {
        unsigned long size = dict_size(d), n = 0;
        dict_entry **all = zmalloc(size * sizeof(*all));
        dict_iterator di;
        dict_init_iterator(&di, d);
        for (dict_entry *de; (de = dict_next(&di)) != NULL;) all[n++] = de;
        dict_reset_iterator(&di);
        unsigned long *idx = sample_indexes(size, count);
        for (unsigned long i = 0; i < count; i++) hash_reply_dict_pair(c, all[idx[i]], withvalues);
        zfree(idx);
        zfree(all);
        return;
    }
    sample_seen seen;
    sample_seen_init(&seen, count);
    for (unsigned long given = 0; given < count;) {
        dict_entry *de = dict_get_fair_random_key(d);
        if (!sample_seen_add(&seen, (uint64_t)(uintptr_t)de)) continue;
        hash_reply_dict_pair(c, de, withvalues);
        given++;
    }
    sample_seen_free(&seen);
}

static void hrandfield_with_count(client *c) {
    long l;
    int withvalues;
    if (sample_parse_count(c, "withvalues", &l, &withvalues) < 0) return;
    robj *o = hash_lookup_read(c, hash_reply_empty_array);
    if (o == NULL) return;
    unsigned long count = sample_abs(l), size = hash_length(o);
    enum sample_plan plan = sample_plan(l, size);
    if (plan == SAMPLE_NONE) {
        reply_array_len(c, 0);
        return;
    }
    if (plan == SAMPLE_REPEATS) {
        hrandfield_with_repeats(c, o, count, withvalues);
        return;
    }
    unsigned long n = count < size ? count : size;
    reply_array_len(c, (long)(withvalues && c->resp == 2 ? n * 2 : n));
    if (plan == SAMPLE_ALL) {
        /* The whole hash, in storage order. */
        hash_iter it;
        hash_iter_init(&it, o);
        while (hash_iter_next(&it)) {
            if (withvalues && c->resp > 2) reply_array_len(c, 2);
            hash_reply_iter(c, &it, HASH_FIELD);
            if (withvalues) hash_reply_iter(c, &it, HASH_VALUE);
        }
        hash_iter_release(&it);
    } else if (o->encoding == OBJ_ENCODING_LISTPACK) {
        hrandfield_lp_unique(c, o, count, withvalues);
    } else {
        hrandfield_dict_unique(c, o, count, withvalues, plan);
    }
}

static void hrandfield_command(client *c) {
    if (c->argc >= 3) {
        hrandfield_with_count(c);
        return;
    }
    robj *o = hash_lookup_read(c, reply_null);
    if (o == NULL) return;
    if (o->encoding == OBJ_ENCODING_HT) {
        reply_bulk_sds(c, dict_get_key(dict_get_fair_random_key(o->ptr)));
    } else {
        unsigned long n = lp_length(o->ptr) / 2;
        hash_reply_lp_entry(c, lp_seek(o->ptr, (long)(2 * sample_below(n))));
    }
}

/* ---------------------------------------------------------- HSCAN */

/* A listpack hash is small: one call returns every pair, cursor 0. Two
 * passes (count, then reply) spare a deferred reply header. */
static void hscan_listpack(client *c, robj *o, const sds pattern) {
    unsigned char *lp = o->ptr;
    unsigned char buf[LP_INTBUF_SIZE];
    const unsigned char *s;
    uint32_t len;
    long matched = 0;
    for (unsigned char *f = lp_first(lp); f; f = lp_next(lp, lp_next(lp, f))) {
        lp_get(f, NULL, &s, &len, buf);
        matched += scan_match(pattern, (const char *)s, len);
    }
    scan_reply_header(c, 0, matched * 2);
    for (unsigned char *f = lp_first(lp); f; f = lp_next(lp, lp_next(lp, f))) {
        lp_get(f, NULL, &s, &len, buf);
        if (!scan_match(pattern, (const char *)s, len)) continue;
        reply_bulk(c, (const char *)s, len);
        hash_reply_lp_entry(c, lp_next(lp, f));
    }
}

static void hscan_reply_pair(client *c, const dict_entry *de, void *ctx) {
    (void)ctx;
    reply_bulk_sds(c, dict_get_key(de));
    reply_bulk_sds(c, dict_get_val(de));
}

static void hscan_command(client *c) {
    unsigned long cursor;
    if (scan_parse_cursor(c, c->argv[2], &cursor) < 0) return;
    robj *o = hash_lookup_read(c, scan_reply_empty);
    if (o == NULL) return;
    /* Options are parsed only for an existing hash, as in Redis. */
    struct scan_opts opts;
    if (scan_parse_opts(c, 3, 0, &opts) < 0) return;
    if (o->encoding == OBJ_ENCODING_LISTPACK) hscan_listpack(c, o, opts.pattern);
    else scan_dict(c, o->ptr, cursor, &opts, 2, NULL, hscan_reply_pair, NULL);
}

/* ---------------------------------------------------------- value hooks */

void hash_free_value(robj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) lp_free(o->ptr);
    else dict_release(o->ptr);
}

robj *hash_dup(const robj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) return hash_new_object(OBJ_ENCODING_LISTPACK, lp_dup(o->ptr));
    dict *src = o->ptr, *d = dict_create(&hash_dict_type);
    if (dict_size(src)) dict_expand(d, dict_size(src));
    dict_iterator di;
    dict_init_iterator(&di, src);
    for (dict_entry *de; (de = dict_next(&di)) != NULL;)
        dict_add(d, sds_dup(dict_get_key(de)), sds_dup(dict_get_val(de)));
    dict_reset_iterator(&di);
    return hash_new_object(OBJ_ENCODING_HT, d);
}

/* ---------------------------------------------------------- loaders (rdb.c) */

robj *hash_create_from_listpack(unsigned char *lp, size_t maxlen) {
    robj *o = hash_new_object(OBJ_ENCODING_LISTPACK, lp);
    if (hash_length(o) > hash_max_entries() || maxlen > hash_max_value()) hash_convert_to_dict(o);
    return o;
}

robj *hash_create_dict(unsigned long size_hint) {
    dict *d = dict_create(&hash_dict_type);
    if (size_hint) dict_expand(d, size_hint);
    return hash_new_object(OBJ_ENCODING_HT, d);
}

int hash_dict_add_owned(robj *o, sds field, sds value) {
    return dict_add(o->ptr, field, value) == DICT_OK;
}

/* ---------------------------------------------------------- table */

#define HASH_WRITE_FAST (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define HASH_READ_FAST (CMD_READONLY | CMD_FAST)
#define HASH_KEY1 .first_key = 1, .last_key = 1, .key_step = 1
#define HASH_SCAN_COMPLEXITY                                                                                 \
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to " \
    "return back to 0. N is the number of elements inside the collection.."

redis_command hash_commands[] = {
    {.name = "hset", .proc = hset_command, .arity = -4, .flags = HASH_WRITE_FAST, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RW | KS_UPDATE, .group = "hash", .since = "2.0.0",
     .summary = "Set the string value of a hash field",
     .complexity = "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is "
                   "called with multiple field/value pairs."},
    {.name = "hsetnx", .proc = hsetnx_command, .arity = 4, .flags = HASH_WRITE_FAST, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RW | KS_INSERT, .group = "hash", .since = "2.0.0",
     .summary = "Set the value of a hash field, only if the field does not exist", .complexity = "O(1)"},
    {.name = "hget", .proc = hget_command, .arity = 3, .flags = HASH_READ_FAST, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RO | KS_ACCESS, .group = "hash", .since = "2.0.0", .summary = "Get the value of a hash field",
     .complexity = "O(1)"},
    /* Deprecated since 4.0.0 in favour of HSET (COMMAND DOCS's doc_flags,
     * which the table cannot express yet). */
    {.name = "hmset", .proc = hmset_command, .arity = -4, .flags = HASH_WRITE_FAST, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RW | KS_UPDATE, .group = "hash", .since = "2.0.0",
     .summary = "Set multiple hash fields to multiple values",
     .complexity = "O(N) where N is the number of fields being set."},
    {.name = "hmget", .proc = hmget_command, .arity = -3, .flags = HASH_READ_FAST, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RO | KS_ACCESS, .group = "hash", .since = "2.0.0",
     .summary = "Get the values of all the given hash fields",
     .complexity = "O(N) where N is the number of fields being requested."},
    {.name = "hdel", .proc = hdel_command, .arity = -3, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RW | KS_DELETE, .group = "hash", .since = "2.0.0", .summary = "Delete one or more hash fields",
     .complexity = "O(N) where N is the number of fields to be removed."},
    {.name = "hlen", .proc = hlen_command, .arity = 2, .flags = HASH_READ_FAST, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RO, .group = "hash", .since = "2.0.0", .summary = "Get the number of fields in a hash",
     .complexity = "O(1)"},
    {.name = "hstrlen", .proc = hstrlen_command, .arity = 3, .flags = HASH_READ_FAST, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RO, .group = "hash", .since = "3.2.0",
     .summary = "Get the length of the value of a hash field", .complexity = "O(1)"},
    {.name = "hexists", .proc = hexists_command, .arity = 3, .flags = HASH_READ_FAST, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RO, .group = "hash", .since = "2.0.0", .summary = "Determine if a hash field exists",
     .complexity = "O(1)"},
    {.name = "hkeys", .proc = hkeys_command, .arity = 2, .flags = CMD_READONLY, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RO | KS_ACCESS, .tips = "nondeterministic_output_order", .group = "hash", .since = "2.0.0",
     .summary = "Get all the fields in a hash", .complexity = "O(N) where N is the size of the hash."},
    {.name = "hvals", .proc = hvals_command, .arity = 2, .flags = CMD_READONLY, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RO | KS_ACCESS, .tips = "nondeterministic_output_order", .group = "hash", .since = "2.0.0",
     .summary = "Get all the values in a hash", .complexity = "O(N) where N is the size of the hash."},
    {.name = "hgetall", .proc = hgetall_command, .arity = 2, .flags = CMD_READONLY, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RO | KS_ACCESS, .tips = "nondeterministic_output_order", .group = "hash", .since = "2.0.0",
     .summary = "Get all the fields and values in a hash",
     .complexity = "O(N) where N is the size of the hash."},
    {.name = "hincrby", .proc = hincrby_command, .arity = 4, .flags = HASH_WRITE_FAST, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "hash", .since = "2.0.0",
     .summary = "Increment the integer value of a hash field by the given number", .complexity = "O(1)"},
    {.name = "hincrbyfloat", .proc = hincrbyfloat_command, .arity = 4, .flags = HASH_WRITE_FAST, .acl = ACL_HASH,
     HASH_KEY1, .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "hash", .since = "2.6.0",
     .summary = "Increment the float value of a hash field by the given amount", .complexity = "O(1)"},
    {.name = "hrandfield", .proc = hrandfield_command, .arity = -2, .flags = CMD_READONLY, .acl = ACL_HASH,
     HASH_KEY1, .ks_flags = KS_RO | KS_ACCESS, .tips = "nondeterministic_output", .group = "hash",
     .since = "6.2.0", .summary = "Get one or multiple random fields from a hash",
     .complexity = "O(N) where N is the number of fields returned"},
    {.name = "hscan", .proc = hscan_command, .arity = -3, .flags = CMD_READONLY, .acl = ACL_HASH, HASH_KEY1,
     .ks_flags = KS_RO | KS_ACCESS, .tips = "nondeterministic_output", .group = "hash", .since = "2.8.0",
     .summary = "Incrementally iterate hash fields and associated values", .complexity = HASH_SCAN_COMPLEXITY},
    {0}};
