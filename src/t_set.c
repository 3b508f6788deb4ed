/* t_set.c -- the set type, its two encodings and its commands (SADD ...
 * SSCAN, the SINTER / SUNION / SDIFF families).
 *
 * A set is an intset while every member is a canonical integer and there
 * are at most set-max-intset-entries of them, else a dict of sds members
 * with no values; it only converts intset -> dict (a new set, such as a
 * *STORE result, starts as an intset). Never keeps an empty set in the
 * keyspace; never changes anything before all arguments and types pass. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "intset.h"
#include "networking.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "sample.h"
#include "scan.h"
#include "util.h"
#include "zmalloc.h"

/* An intset never grows past this many members whatever the setting:
 * every insert memmoves the tail. */
#define SET_MAX_INTSET_ENTRIES_CAP (1UL << 30)
/* SPOP with a count: when what stays is at most 1/MUL of what goes, build
 * the remainder as a new set instead of removing count members one by one. */
#define SPOP_MOVE_STRATEGY_MUL 5
/* A dict is shrunk when a removal leaves it less than this full. */
#define SET_HT_MIN_FILL_PERCENT 10
/* A stolen argument keeps its buffer only if its slack is at most
 * len / this (else it is copied to an exact-size one). */
#define SET_MEMBER_SLACK_DIVISOR 10
/* An sds built on the stack for an integer member: an sdshdr8 and the
 * digits, after room for the widest header (so that no branch of
 * sds_len's switch points outside the buffer). */
#define SET_NUM_SDS_BYTES (sizeof(struct sdshdr64) + LONG_STR_SIZE)

static size_t set_max_intset_entries(void) {
    size_t max = cfg.set_max_intset_entries;
    return max > SET_MAX_INTSET_ENTRIES_CAP ? SET_MAX_INTSET_ENTRIES_CAP : max;
}

/* ============================================================ the value */

/* Members are dict keys; the value field is unused. */
static dict_type set_dict_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
};

/* One member as an iterator or a random draw yields it: an integer when it
 * comes from an intset (no string is built), else the set's own sds. */
typedef struct set_elem {
    sds s;      /* borrowed from the dict; NULL for an intset member */
    int64_t ll; /* the member when s is NULL */
} set_elem;

typedef struct set_iter {
    robj *o;
    uint32_t pos;
    dict_iterator di;
} set_iter;

/* Writes v as an sds into buf (SET_NUM_SDS_BYTES on the caller's stack):
 * lets an integer be looked up in a dict without allocating. Borrowed,
 * valid while buf is. */
static sds set_num_sds(char *buf, int64_t v) {
    struct sdshdr8 *h = (struct sdshdr8 *)(void *)(buf + sizeof(struct sdshdr64) - sizeof(struct sdshdr8));
    int len = ll2string(h->buf, LONG_STR_SIZE, v);
    h->len = (uint8_t)len;
    h->alloc = (uint8_t)len;
    h->flags = SDS_TYPE_8;
    return h->buf;
}

/* Returns a new empty set object in the given encoding (refcount 1). */
static robj *set_create(int encoding) {
    robj *o = zmalloc(sizeof(*o));
    o->type = OBJ_SET;
    o->encoding = (unsigned)encoding;
    o->lru = 0;
    o->refcount = 1;
    o->ptr = encoding == OBJ_ENCODING_INTSET ? (void *)intset_new() : (void *)dict_create(&set_dict_type);
    return o;
}

/* Returns a new empty set in the encoding Redis gives a set whose first
 * member is first (borrowed): intset if it is an integer. */
static robj *set_create_for(const sds first) {
    return set_create(string2ll(first, sds_len(first), NULL) ? OBJ_ENCODING_INTSET : OBJ_ENCODING_HT);
}

/* Takes o (a set not in the keyspace). */
static void set_release(robj *o) {
    set_free_value(o);
    zfree(o);
}

static unsigned long set_size(const robj *o) {
    return o->encoding == OBJ_ENCODING_INTSET ? intset_len(o->ptr) : dict_size((dict *)o->ptr);
}

/* Turns an intset set into a dict one, sized for its members. */
static void set_convert_to_ht(robj *o) {
    intset *is = o->ptr;
    uint32_t len = intset_len(is);
    dict *d = dict_create(&set_dict_type);
    if (len) dict_expand(d, len);
    for (uint32_t i = 0; i < len; i++) {
        int64_t v;
        intset_get(is, i, &v);
        dict_add_raw(d, sds_from_ll(v), NULL);
    }
    intset_free(is);
    o->ptr = d;
    o->encoding = OBJ_ENCODING_HT;
}

/* Adds v to an intset set, converting it when it grows too big. */
static int set_intset_add(robj *o, int64_t v) {
    int added;
    o->ptr = intset_add(o->ptr, v, &added);
    if (added && intset_len(o->ptr) > set_max_intset_entries()) set_convert_to_ht(o);
    return added;
}

/* Inserts m (borrowed) into a dict set; returns the new entry, whose key
 * the caller must at once replace with an sds it owns, or NULL if m was
 * already a member. One hash lookup for test-and-insert. */
static dict_entry *set_ht_insert_borrowed(robj *o, const sds m) {
    return dict_add_raw(o->ptr, m, NULL);
}

/* Prepares o to take a member that is not an integer: an intset set
 * becomes a dict one. */
static void set_prepare_for_string(robj *o) {
    if (o->encoding == OBJ_ENCODING_INTSET) set_convert_to_ht(o);
}

/* Adds m (borrowed; copied if stored as a string). Returns 1 if added. */
static int set_add(robj *o, const sds m) {
    long long v;
    if (o->encoding == OBJ_ENCODING_INTSET) {
        if (string2ll(m, sds_len(m), &v)) return set_intset_add(o, v);
        set_prepare_for_string(o);
    }
    dict_entry *de = set_ht_insert_borrowed(o, m);
    if (de == NULL) return 0;
    dict_set_key(o->ptr, de, sds_dup(m));
    return 1;
}

/* Adds the integer v. Returns 1 if added. */
static int set_add_ll(robj *o, int64_t v) {
    if (o->encoding == OBJ_ENCODING_INTSET) return set_intset_add(o, v);
    char buf[SET_NUM_SDS_BYTES];
    dict_entry *de = set_ht_insert_borrowed(o, set_num_sds(buf, v));
    if (de == NULL) return 0;
    dict_set_key(o->ptr, de, sds_from_ll(v));
    return 1;
}

/* Adds m, taking it: it becomes the member or is freed. Returns 1 if
 * added. */
static int set_add_owned(robj *o, sds m) {
    long long v;
    if (o->encoding == OBJ_ENCODING_INTSET) {
        if (string2ll(m, sds_len(m), &v)) {
            sds_free(m);
            return set_intset_add(o, v);
        }
        set_prepare_for_string(o);
    }
    if (dict_add_raw(o->ptr, m, NULL)) return 1;
    sds_free(m);
    return 0;
}

static int set_add_elem(robj *o, const set_elem *e) {
    return e->s ? set_add(o, e->s) : set_add_ll(o, e->ll);
}

/* Shrinks a dict set's table when removals left it mostly empty. */
static void set_ht_maybe_shrink(robj *o) {
    dict *d = o->ptr;
    unsigned long slots = dict_slots(d);
    if (slots > DICT_HT_SIZE(DICT_HT_INITIAL_EXP) && dict_size(d) * 100 / slots < SET_HT_MIN_FILL_PERCENT)
        dict_resize(d);
}

/* Removes m (borrowed). Returns 1 if it was a member. */
static int set_remove(robj *o, const sds m) {
    if (o->encoding == OBJ_ENCODING_INTSET) {
        long long v;
        int removed = 0;
        if (string2ll(m, sds_len(m), &v)) o->ptr = intset_remove(o->ptr, v, &removed);
        return removed;
    }
    if (dict_delete(o->ptr, m) != DICT_OK) return 0;
    set_ht_maybe_shrink(o);
    return 1;
}

static int set_remove_elem(robj *o, const set_elem *e) {
    if (e->s) return set_remove(o, e->s);
    if (o->encoding == OBJ_ENCODING_INTSET) {
        int removed;
        o->ptr = intset_remove(o->ptr, e->ll, &removed);
        return removed;
    }
    char buf[SET_NUM_SDS_BYTES];
    return set_remove(o, set_num_sds(buf, e->ll));
}

static int set_is_member(const robj *o, const sds m) {
    if (o->encoding == OBJ_ENCODING_INTSET) {
        long long v;
        return string2ll(m, sds_len(m), &v) && intset_find(o->ptr, v);
    }
    return dict_find(o->ptr, m) != NULL;
}

static int set_is_member_elem(const robj *o, const set_elem *e) {
    if (e->s) return set_is_member(o, e->s);
    if (o->encoding == OBJ_ENCODING_INTSET) return intset_find(o->ptr, e->ll);
    char buf[SET_NUM_SDS_BYTES];
    return dict_find(o->ptr, set_num_sds(buf, e->ll)) != NULL;
}

/* A random member of a non-empty set (borrowed). */
static void set_random_elem(robj *o, set_elem *e) {
    if (o->encoding == OBJ_ENCODING_INTSET) {
        e->s = NULL;
        e->ll = intset_random(o->ptr);
    } else {
        e->s = dict_get_key(dict_get_fair_random_key(o->ptr));
        e->ll = 0;
    }
}

/* Iteration: intsets in ascending order, dicts in table order. The set
 * must not change until set_iter_end (another set may). */
static void set_iter_init(set_iter *it, robj *o) {
    it->o = o;
    it->pos = 0;
    if (o->encoding == OBJ_ENCODING_HT) dict_init_iterator(&it->di, o->ptr);
}

static int set_iter_next(set_iter *it, set_elem *e) {
    if (it->o->encoding == OBJ_ENCODING_INTSET) {
        e->s = NULL;
        return intset_get(it->o->ptr, it->pos++, &e->ll) == 0;
    }
    dict_entry *de = dict_next(&it->di);
    if (de == NULL) return 0;
    e->s = dict_get_key(de);
    return 1;
}

static void set_iter_end(set_iter *it) {
    if (it->o->encoding == OBJ_ENCODING_HT) dict_reset_iterator(&it->di);
}

static void set_reply_elem(client *c, const set_elem *e) {
    if (e->s) reply_bulk_sds(c, e->s);
    else reply_bulk_ll(c, e->ll);
}

void set_free_value(robj *o) {
    if (o->encoding == OBJ_ENCODING_INTSET) intset_free(o->ptr);
    else dict_release(o->ptr);
}

robj *set_dup(const robj *o) {
    robj *copy = set_create((int)o->encoding);
    if (o->encoding == OBJ_ENCODING_INTSET) {
        size_t len = intset_blob_len(o->ptr);
        intset_free(copy->ptr);
        copy->ptr = zmalloc(len);
        memcpy(copy->ptr, o->ptr, len);
        return copy;
    }
    dict *src = o->ptr, *dst = copy->ptr;
    if (dict_size(src)) dict_expand(dst, dict_size(src));
    dict_iterator it;
    dict_init_iterator(&it, src);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) dict_add_raw(dst, sds_dup(dict_get_key(de)), NULL);
    dict_reset_iterator(&it);
    return copy;
}

robj *set_create_from_intset(intset *is) {
    robj *o = zmalloc(sizeof(*o));
    o->type = OBJ_SET;
    o->encoding = OBJ_ENCODING_INTSET;
    o->lru = 0;
    o->refcount = 1;
    o->ptr = is;
    if (intset_len(is) > set_max_intset_entries()) set_convert_to_ht(o);
    return o;
}

robj *set_create_for_load(unsigned long len) {
    robj *o = set_create(len <= set_max_intset_entries() ? OBJ_ENCODING_INTSET : OBJ_ENCODING_HT);
    if (o->encoding == OBJ_ENCODING_HT && len) dict_expand(o->ptr, len);
    return o;
}

int set_load_add_owned(robj *o, sds m) {
    long long v;
    if (o->encoding == OBJ_ENCODING_INTSET) {
        if (string2ll(m, sds_len(m), &v)) {
            int added;
            o->ptr = intset_add(o->ptr, (int64_t)v, &added);
            sds_free(m);
            if (added && intset_len(o->ptr) > set_max_intset_entries()) set_convert_to_ht(o);
            return added;
        }
        set_convert_to_ht(o);
    }
    if (dict_add_raw(o->ptr, m, NULL) == NULL) {
        sds_free(m);
        return 0;
    }
    return 1;
}

/* ============================================================ set algebra
 * Pure functions of set objects: no client, no keyspace. */

enum set_op { SET_OP_UNION, SET_OP_DIFF };

/* A source of SINTER / SDIFF with its position, for a stable sort. */
typedef struct set_src {
    robj *o;
    unsigned long size;
    int idx;
} set_src;

static int set_src_cmp_asc(const void *a, const void *b) {
    const set_src *x = a, *y = b;
    if (x->size != y->size) return x->size < y->size ? -1 : 1;
    return x->idx - y->idx;
}

static int set_src_cmp_desc(const void *a, const void *b) {
    const set_src *x = a, *y = b;
    if (x->size != y->size) return x->size > y->size ? -1 : 1;
    return x->idx - y->idx;
}

/* Sorts srcs by size (ascending or not), keeping the given order between
 * equal sizes, as Redis's merge-sorting qsort does. */
static void set_sort_sources(set_src *srcs, int n, int ascending) {
    for (int i = 0; i < n; i++) {
        srcs[i].size = set_size(srcs[i].o);
        srcs[i].idx = i;
    }
    qsort(srcs, (size_t)n, sizeof(*srcs), ascending ? set_src_cmp_asc : set_src_cmp_desc);
}

/* SDIFF's choice: 1 = walk the first set and probe the others (cost
 * size(first) * n, halved since a probe stops at the first hit); 2 = copy
 * the first set and remove every other set's members (cost sum of sizes). */
static int set_diff_algorithm(unsigned long first_size, const unsigned long *sizes, int n) {
    unsigned long long probe_work = 0, remove_work = 0;
    for (int i = 0; i < n; i++) {
        probe_work += first_size;
        remove_work += sizes[i];
    }
    probe_work /= 2;
    return probe_work <= remove_work ? 1 : 2;
}

/* Members of sets[0] found in every other set (all non-NULL, n >= 1),
 * walked from the smallest set. Each match is passed to fn; fn returns 0
 * to stop. sets is reordered. */
static void set_intersect(robj **sets, int n, int (*fn)(void *ctx, const set_elem *e), void *ctx) {
    set_src stack_srcs[8];
    set_src *srcs = n <= 8 ? stack_srcs : zmalloc(sizeof(*srcs) * (size_t)n);
    for (int i = 0; i < n; i++) srcs[i].o = sets[i];
    set_sort_sources(srcs, n, 1);
    robj *first = srcs[0].o;
    set_iter it;
    set_elem e;
    set_iter_init(&it, first);
    while (set_iter_next(&it, &e)) {
        int j;
        for (j = 1; j < n; j++) {
            if (srcs[j].o == first) continue;
            if (!set_is_member_elem(srcs[j].o, &e)) break;
        }
        if (j == n && !fn(ctx, &e)) break;
    }
    set_iter_end(&it);
    if (srcs != stack_srcs) zfree(srcs);
}

/* Returns a new set: the union, or the difference sets[0] - the others,
 * of n sets (NULL entries are empty sets). Starts as an intset, so a small
 * all-integer result is an intset whatever its sources were. */
static robj *set_union_diff(robj **sets, int n, enum set_op op) {
    robj *dst = set_create(OBJ_ENCODING_INTSET);
    set_iter it;
    set_elem e;
    if (op == SET_OP_UNION) {
        for (int j = 0; j < n; j++) {
            if (sets[j] == NULL) continue;
            set_iter_init(&it, sets[j]);
            while (set_iter_next(&it, &e)) set_add_elem(dst, &e);
            set_iter_end(&it);
        }
        return dst;
    }
    if (sets[0] == NULL) return dst;
    /* A key given twice as first and later: nothing survives. */
    for (int j = 1; j < n; j++)
        if (sets[j] == sets[0]) return dst;

    unsigned long stack_sizes[8];
    unsigned long *sizes = n <= 8 ? stack_sizes : zmalloc(sizeof(*sizes) * (size_t)n);
    int m = 0;
    for (int j = 0; j < n; j++)
        if (sets[j]) sizes[m++] = set_size(sets[j]);
    int algo = set_diff_algorithm(sizes[0], sizes, m);
    if (sizes != stack_sizes) zfree(sizes);

    if (algo == 1) {
        /* Probe the biggest sets first: a member is likelier to be there. */
        set_src stack_srcs[8];
        set_src *srcs = n <= 8 ? stack_srcs : zmalloc(sizeof(*srcs) * (size_t)n);
        int k = 0;
        for (int j = 1; j < n; j++)
            if (sets[j]) srcs[k++].o = sets[j];
        set_sort_sources(srcs, k, 0);
        set_iter_init(&it, sets[0]);
        while (set_iter_next(&it, &e)) {
            int j;
            for (j = 0; j < k; j++)
                if (set_is_member_elem(srcs[j].o, &e)) break;
            if (j == k) set_add_elem(dst, &e);
        }
        set_iter_end(&it);
        if (srcs != stack_srcs) zfree(srcs);
        return dst;
    }
    for (int j = 0; j < n; j++) {
        if (sets[j] == NULL) continue;
        set_iter_init(&it, sets[j]);
        while (set_iter_next(&it, &e)) {
            if (j == 0) set_add_elem(dst, &e);
            else set_remove_elem(dst, &e);
        }
        set_iter_end(&it);
        if (set_size(dst) == 0) break; /* nothing more can be removed */
    }
    return dst;
}

/* ---------------------------------------------------------- sampling */

/* Fills out with count distinct members of o drawn uniformly (count <
 * size), as plan (SAMPLE_SHUFFLE or SAMPLE_DRAW) says. Borrowed members. */
static void set_sample_distinct(robj *o, set_elem *out, unsigned long count, enum sample_plan plan) {
    unsigned long size = set_size(o);
    if (plan == SAMPLE_SHUFFLE) {
        /* Most of the set: the first count of a shuffled copy. */
        set_elem *all = zmalloc(sizeof(*all) * size);
        set_iter it;
        set_elem e;
        unsigned long n = 0;
        set_iter_init(&it, o);
        while (set_iter_next(&it, &e)) all[n++] = e;
        set_iter_end(&it);
        unsigned long *idx = sample_indexes(size, count);
        for (unsigned long i = 0; i < count; i++) out[i] = all[idx[i]];
        zfree(idx);
        zfree(all);
        return;
    }
    /* A small part: draw and reject repeats (expected < 1.5 draws each). */
    sample_seen seen;
    sample_seen_init(&seen, count);
    unsigned long got = 0;
    while (got < count) {
        set_elem e;
        uint64_t key;
        if (o->encoding == OBJ_ENCODING_INTSET) {
            uint32_t pos = (uint32_t)sample_below(size);
            intset_get(o->ptr, pos, &e.ll);
            e.s = NULL;
            key = (uint64_t)pos + 1;
        } else {
            set_random_elem(o, &e);
            key = (uint64_t)(uintptr_t)e.s;
        }
        if (sample_seen_add(&seen, key)) out[got++] = e;
    }
    sample_seen_free(&seen);
}

/* ============================================================ commands */

/* Adds argument i of c to o, taking the argument's buffer when it becomes
 * a dict member (no copy on SADD's hot path). Returns 1 if added. */
static int set_add_arg(client *c, robj *o, int i) {
    sds m = c->argv[i];
    size_t len = sds_len(m);
    long long v;
    if (o->encoding == OBJ_ENCODING_INTSET) {
        if (string2ll(m, len, &v)) return set_intset_add(o, v);
        set_prepare_for_string(o);
    }
    dict_entry *de = set_ht_insert_borrowed(o, m);
    if (de == NULL) return 0;
    /* A buffer with much slack (a big argument read in place) is copied:
     * trimming it would move an argument the client still holds. */
    sds owned = sds_avail(m) > len / SET_MEMBER_SLACK_DIVISOR ? sds_dup(m) : net_steal_arg(c, i);
    dict_set_key(o->ptr, de, owned);
    return 1;
}

static void sadd_command(client *c) {
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_SET)) return;
    if (o == NULL) {
        o = set_create_for(c->argv[2]);
        db_add(c->db, c->argv[1], o);
    }
    long long added = 0;
    for (int i = 2; i < c->argc; i++) added += set_add_arg(c, o, i);
    if (added) {
        db_signal_modified(c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_SET, "sadd", c->argv[1], c->db->id);
        db_dirty(added);
    }
    reply_integer(c, added);
}

/* Deletes key once the command emptied its set (or popped all of it): a
 * set is never kept empty. Redis announces it as "del" after the command's
 * own event, and frees it as lazyfree-lazy-server-del says. */
static void set_delete_emptied(client *c, const sds key) {
    db_delete_maybe_lazy(c->db, key, cfg.lazyfree_lazy_server_del);
    notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db->id);
}

static void srem_command(client *c) {
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (o == NULL) {
        reply_integer(c, 0);
        return;
    }
    if (db_check_type(c, o, OBJ_SET)) return;
    long long removed = 0;
    int emptied = 0;
    for (int i = 2; i < c->argc; i++) {
        removed += set_remove(o, c->argv[i]);
        if (set_size(o) == 0) {
            emptied = 1;
            break;
        }
    }
    if (removed) {
        /* The key stays until the event is sent: "srem" before "del". */
        notify_keyspace_event(NOTIFY_SET, "srem", c->argv[1], c->db->id);
        if (emptied) set_delete_emptied(c, c->argv[1]);
        db_signal_modified(c->db, c->argv[1]);
        db_dirty(removed);
    }
    reply_integer(c, removed);
}

static void scard_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_SET)) return;
    reply_integer(c, o ? (long long)set_size(o) : 0);
}

static void sismember_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_SET)) return;
    reply_integer(c, o && set_is_member(o, c->argv[2]));
}

static void smismember_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_SET)) return;
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) reply_integer(c, o && set_is_member(o, c->argv[i]));
}

static void smembers_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_SET)) return;
    if (o == NULL) {
        reply_set_len(c, 0);
        return;
    }
    reply_set_len(c, (long)set_size(o));
    set_iter it;
    set_elem e;
    set_iter_init(&it, o);
    while (set_iter_next(&it, &e)) set_reply_elem(c, &e);
    set_iter_end(&it);
}

/* ---------------------------------------------------------- SMOVE */

static void smove_command(client *c) {
    robj *src = db_lookup_write(c->db, c->argv[1]);
    robj *dst = db_lookup_write(c->db, c->argv[2]);
    sds m = c->argv[3];
    if (src == NULL) {
        reply_integer(c, 0);
        return;
    }
    if (db_check_type(c, src, OBJ_SET) || db_check_type(c, dst, OBJ_SET)) return;
    if (src == dst) {
        reply_integer(c, set_is_member(src, m));
        return;
    }
    if (!set_remove(src, m)) {
        reply_integer(c, 0);
        return;
    }
    notify_keyspace_event(NOTIFY_SET, "srem", c->argv[1], c->db->id);
    if (set_size(src) == 0) set_delete_emptied(c, c->argv[1]);
    if (dst == NULL) {
        dst = set_create_for(m);
        db_add(c->db, c->argv[2], dst);
    }
    db_signal_modified(c->db, c->argv[1]);
    db_dirty(1);
    /* A member the destination already had changes nothing there. */
    if (set_add(dst, m)) {
        db_signal_modified(c->db, c->argv[2]);
        notify_keyspace_event(NOTIFY_SET, "sadd", c->argv[2], c->db->id);
        db_dirty(1);
    }
    reply_integer(c, 1);
}

/* ---------------------------------------------------------- SPOP */

/* Parses a count as Redis's getPositiveLong...: any failure gives msg. */
static int set_parse_positive(client *c, const sds arg, const char *msg, long *out) {
    long long v;
    if (!string2ll(arg, sds_len(arg), &v) || v < 0 || v > LONG_MAX) {
        reply_error(c, msg);
        return -1;
    }
    *out = (long)v;
    return 0;
}

/* The effect of popping e from the key in argv[1]: SPOP is random, so a
 * replica is told which member went, one SREM per member as Redis 7.0
 * propagates it. */
static void set_prop_srem(client *c, const set_elem *e, int replace) {
    if (!prop_active()) return;
    if (replace) {
        if (e->s) prop_replacef(c, "css", "SREM", c->argv[1], e->s);
        else prop_replacef(c, "csl", "SREM", c->argv[1], (long long)e->ll);
    } else {
        if (e->s) prop_addf(c->db->id, "css", "SREM", c->argv[1], e->s);
        else prop_addf(c->db->id, "csl", "SREM", c->argv[1], (long long)e->ll);
    }
}

/* SPOP key count with 0 < count < size: replies the members and adds an
 * SREM effect for each (the caller suppresses SPOP's own argv). */
static void spop_some(client *c, robj *o, unsigned long count) {
    unsigned long remaining = set_size(o) - count;
    set_elem e;
    reply_set_len(c, (long)count);
    if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
        /* Few members go: draw and remove them one at a time. */
        for (unsigned long i = 0; i < count; i++) {
            set_random_elem(o, &e);
            set_reply_elem(c, &e);
            set_prop_srem(c, &e, 0);
            if (o->encoding == OBJ_ENCODING_INTSET) o->ptr = intset_remove(o->ptr, e.ll, NULL);
            else dict_delete(o->ptr, e.s);
        }
        if (o->encoding == OBJ_ENCODING_HT) set_ht_maybe_shrink(o);
        return;
    }
    /* Most members go: move the few that stay to a new set (which may be
     * an intset again), reply with what is left, and swap the two. */
    robj *keep = set_create(OBJ_ENCODING_INTSET);
    for (unsigned long i = 0; i < remaining; i++) {
        set_random_elem(o, &e);
        if (o->encoding == OBJ_ENCODING_INTSET) {
            o->ptr = intset_remove(o->ptr, e.ll, NULL);
            set_add_ll(keep, e.ll);
        } else {
            dict_entry *de = dict_unlink(o->ptr, e.s);
            de->key = NULL; /* the sds moves to keep */
            dict_free_unlinked_entry(o->ptr, de);
            set_add_owned(keep, e.s);
        }
    }
    set_iter it;
    set_iter_init(&it, o);
    while (set_iter_next(&it, &e)) {
        set_reply_elem(c, &e);
        set_prop_srem(c, &e, 0);
    }
    set_iter_end(&it);
    void *old_ptr = o->ptr;
    unsigned old_enc = o->encoding;
    o->ptr = keep->ptr;
    o->encoding = keep->encoding;
    keep->ptr = old_ptr;
    keep->encoding = old_enc;
    set_release(keep);
}

static void spop_with_count(client *c) {
    long count;
    if (set_parse_positive(c, c->argv[2], "value is out of range, must be positive", &count) < 0) return;
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (o == NULL) {
        reply_set_len(c, 0);
        return;
    }
    if (db_check_type(c, o, OBJ_SET)) return;
    if (count == 0) {
        reply_set_len(c, 0);
        return;
    }
    sds key = c->argv[1];
    unsigned long size = set_size(o);
    if ((unsigned long)count < size) {
        spop_some(c, o, (unsigned long)count);
        prop_prevent(c);
        notify_keyspace_event(NOTIFY_SET, "spop", key, c->db->id);
        db_signal_modified(c->db, key);
        db_dirty(count);
        return;
    }
    /* Everything goes, in the order of a copy of the set (so a small
     * all-integer dict set comes out sorted, as Redis's does). */
    robj *sets[1] = {o};
    robj *copy = o->encoding == OBJ_ENCODING_INTSET || set_size(o) > set_max_intset_entries()
                     ? NULL
                     : set_union_diff(sets, 1, SET_OP_UNION);
    robj *out = copy ? copy : o;
    set_iter it;
    set_elem e;
    reply_set_len(c, (long)set_size(out));
    set_iter_init(&it, out);
    while (set_iter_next(&it, &e)) set_reply_elem(c, &e);
    set_iter_end(&it);
    if (copy) set_release(copy);
    /* The whole set went: its effect is DEL (whatever lazyfree says, as
     * Redis 7.0 writes it). */
    notify_keyspace_event(NOTIFY_SET, "spop", key, c->db->id);
    set_delete_emptied(c, key);
    prop_replacef(c, "cs", "DEL", key);
    db_signal_modified(c->db, key);
    db_dirty((long long)size);
}

/* Shared by SPOP and SRANDMEMBER: dispatches the count form, else replies
 * one random member (nil for a missing key) and returns its set, with the
 * member in *e; NULL when there is nothing more to do. */
static robj *set_reply_one_random(client *c, void (*with_count)(client *), int write, set_elem *e) {
    if (c->argc == 3) {
        with_count(c);
        return NULL;
    }
    if (c->argc > 3) {
        reply_error_syntax(c);
        return NULL;
    }
    robj *o = write ? db_lookup_write(c->db, c->argv[1]) : db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_null(c);
        return NULL;
    }
    if (db_check_type(c, o, OBJ_SET)) return NULL;
    set_random_elem(o, e);
    set_reply_elem(c, e);
    return o;
}

static void spop_command(client *c) {
    set_elem e;
    robj *o = set_reply_one_random(c, spop_with_count, 1, &e);
    if (o == NULL) return;
    set_prop_srem(c, &e, 1); /* before the removal frees e's member */
    if (o->encoding == OBJ_ENCODING_INTSET) {
        o->ptr = intset_remove(o->ptr, e.ll, NULL);
    } else {
        dict_delete(o->ptr, e.s);
        set_ht_maybe_shrink(o);
    }
    notify_keyspace_event(NOTIFY_SET, "spop", c->argv[1], c->db->id);
    /* Even the last member goes as SREM (the replica's set empties too). */
    if (set_size(o) == 0) set_delete_emptied(c, c->argv[1]);
    db_signal_modified(c->db, c->argv[1]);
    db_dirty(1);
}

/* ---------------------------------------------------------- SRANDMEMBER */

static void srandmember_with_count(client *c) {
    long l;
    int with;
    if (sample_parse_count(c, NULL, &l, &with) < 0) return;
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_array_len(c, 0);
        return;
    }
    if (db_check_type(c, o, OBJ_SET)) return;
    unsigned long count = sample_abs(l), size = set_size(o);
    enum sample_plan plan = sample_plan(l, size);
    set_elem e;
    if (plan == SAMPLE_NONE) {
        reply_array_len(c, 0);
    } else if (plan == SAMPLE_REPEATS) {
        reply_array_len(c, (long)count);
        while (count--) {
            set_random_elem(o, &e);
            set_reply_elem(c, &e);
        }
    } else if (plan == SAMPLE_ALL) {
        set_iter it;
        reply_array_len(c, (long)size);
        set_iter_init(&it, o);
        while (set_iter_next(&it, &e)) set_reply_elem(c, &e);
        set_iter_end(&it);
    } else {
        set_elem *picks = zmalloc(sizeof(*picks) * count);
        set_sample_distinct(o, picks, count, plan);
        reply_array_len(c, (long)count);
        for (unsigned long i = 0; i < count; i++) set_reply_elem(c, &picks[i]);
        zfree(picks);
    }
}

static void srandmember_command(client *c) {
    set_elem e;
    set_reply_one_random(c, srandmember_with_count, 0, &e);
}

/* ---------------------------------------------------------- multi-key */

/* Looks up n source keys as sets: fills sets (NULL for a missing key).
 * Replies WRONGTYPE and returns -1 at the first key of another type, as
 * Redis checks every key before acting. Read lookups even for the *STORE
 * forms, as Redis 7.0 does: a missing source is a keyspace miss and sends
 * "keymiss". */
static int set_lookup_keys(client *c, sds *keys, int n, robj **sets) {
    for (int j = 0; j < n; j++) {
        robj *o = db_lookup_read(c->db, keys[j]);
        if (db_check_type(c, o, OBJ_SET)) return -1;
        sets[j] = o;
    }
    return 0;
}

/* Deletes dst for a *STORE whose result is empty: one change if it
 * existed, none otherwise. */
static void set_store_delete(client *c, const sds dst) {
    if (!db_delete_maybe_lazy(c->db, dst, cfg.lazyfree_lazy_server_del)) return;
    db_signal_modified(c->db, dst);
    notify_keyspace_event(NOTIFY_GENERIC, "del", dst, c->db->id);
    db_dirty(1);
}

/* Stores result (taken) at dst, announced as event, or deletes dst when
 * it is empty; replies the size. One change either way, as Redis counts
 * a *STORE (not per member). */
static void set_store_result(client *c, const sds dst, robj *result, const char *event) {
    unsigned long size = set_size(result);
    if (size > 0) {
        db_set_key(c->db, dst, result, 0);
        notify_keyspace_event(NOTIFY_SET, event, dst, c->db->id);
        db_dirty(1);
    } else {
        set_release(result);
        set_store_delete(c, dst);
    }
    reply_integer(c, (long long)size);
}

/* Collectors for set_intersect. */
typedef struct set_collect {
    set_elem *elems;
    unsigned long len, cap, limit; /* limit 0: none */
    robj *dst;                     /* SINTERSTORE: add here instead */
} set_collect;

static int set_collect_elem(void *ctx, const set_elem *e) {
    set_collect *k = ctx;
    if (k->dst) {
        set_add_elem(k->dst, e);
        return 1;
    }
    if (k->elems) {
        if (k->len == k->cap) {
            k->cap = k->cap ? k->cap * 2 : 16;
            k->elems = zrealloc(k->elems, k->cap * sizeof(*k->elems));
        }
        k->elems[k->len] = *e;
    }
    k->len++;
    return k->limit == 0 || k->len < k->limit;
}

/* Modes of set_inter_generic. */
enum set_inter_mode { SET_INTER_REPLY, SET_INTER_CARD, SET_INTER_STORE };

static void set_inter_generic(client *c, sds *keys, int n, const sds dst, enum set_inter_mode mode,
                              unsigned long limit) {
    robj *stack_sets[8];
    robj **sets = n <= 8 ? stack_sets : zmalloc(sizeof(robj *) * (size_t)n);
    if (set_lookup_keys(c, keys, n, sets) < 0) goto done;
    for (int j = 0; j < n; j++) {
        if (sets[j]) continue;
        /* Intersecting with an empty set. */
        if (mode == SET_INTER_STORE) {
            set_store_delete(c, dst);
            reply_integer(c, 0);
        } else if (mode == SET_INTER_CARD) {
            reply_integer(c, 0);
        } else {
            reply_set_len(c, 0);
        }
        goto done;
    }
    set_collect k = {.limit = limit};
    if (mode == SET_INTER_STORE) k.dst = set_create(OBJ_ENCODING_INTSET);
    else if (mode == SET_INTER_REPLY) k.elems = zmalloc(sizeof(set_elem) * (k.cap = 16));
    set_intersect(sets, n, set_collect_elem, &k);
    if (mode == SET_INTER_STORE) {
        set_store_result(c, dst, k.dst, "sinterstore");
    } else if (mode == SET_INTER_CARD) {
        reply_integer(c, (long long)k.len);
    } else {
        reply_set_len(c, (long)k.len);
        for (unsigned long i = 0; i < k.len; i++) set_reply_elem(c, &k.elems[i]);
        zfree(k.elems);
    }
done:
    if (sets != stack_sets) zfree(sets);
}

static void sinter_command(client *c) {
    set_inter_generic(c, c->argv + 1, c->argc - 1, NULL, SET_INTER_REPLY, 0);
}

static void sinterstore_command(client *c) {
    set_inter_generic(c, c->argv + 2, c->argc - 2, c->argv[1], SET_INTER_STORE, 0);
}

static void sintercard_command(client *c) {
    long long numkeys;
    sds arg = c->argv[1];
    if (!string2ll(arg, sds_len(arg), &numkeys) || numkeys < 1 || numkeys > LONG_MAX) {
        reply_error(c, "numkeys should be greater than 0");
        return;
    }
    if (numkeys > c->argc - 2) {
        reply_error(c, "Number of keys can't be greater than number of args");
        return;
    }
    long limit = 0;
    for (int j = 2 + (int)numkeys; j < c->argc; j++) {
        if (strcasecmp(c->argv[j], "limit") == 0 && j + 1 < c->argc) {
            if (set_parse_positive(c, c->argv[++j], "LIMIT can't be negative", &limit) < 0) return;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    set_inter_generic(c, c->argv + 2, (int)numkeys, NULL, SET_INTER_CARD, (unsigned long)limit);
}

static void set_union_diff_generic(client *c, sds *keys, int n, const sds dst, enum set_op op) {
    robj *stack_sets[8];
    robj **sets = n <= 8 ? stack_sets : zmalloc(sizeof(robj *) * (size_t)n);
    if (set_lookup_keys(c, keys, n, sets) < 0) goto done;
    robj *result = set_union_diff(sets, n, op);
    if (dst) {
        set_store_result(c, dst, result, op == SET_OP_UNION ? "sunionstore" : "sdiffstore");
        goto done;
    }
    set_iter it;
    set_elem e;
    reply_set_len(c, (long)set_size(result));
    set_iter_init(&it, result);
    while (set_iter_next(&it, &e)) set_reply_elem(c, &e);
    set_iter_end(&it);
    set_release(result);
done:
    if (sets != stack_sets) zfree(sets);
}

static void sunion_command(client *c) {
    set_union_diff_generic(c, c->argv + 1, c->argc - 1, NULL, SET_OP_UNION);
}

static void sunionstore_command(client *c) {
    set_union_diff_generic(c, c->argv + 2, c->argc - 2, c->argv[1], SET_OP_UNION);
}

static void sdiff_command(client *c) {
    set_union_diff_generic(c, c->argv + 1, c->argc - 1, NULL, SET_OP_DIFF);
}

static void sdiffstore_command(client *c) {
    set_union_diff_generic(c, c->argv + 2, c->argc - 2, c->argv[1], SET_OP_DIFF);
}

/* ---------------------------------------------------------- SSCAN */

static int set_elem_matches(const set_elem *e, const sds pattern) {
    if (pattern == NULL) return 1;
    char buf[LONG_STR_SIZE];
    const char *p = e->s;
    int len = e->s ? (int)sds_len(e->s) : ll2string(buf, sizeof(buf), e->ll);
    if (e->s == NULL) p = buf;
    return string_match_len(pattern, (int)sds_len(pattern), p, len, 0);
}

static void sscan_reply_member(client *c, const dict_entry *de, void *ctx) {
    (void)ctx;
    reply_bulk_sds(c, dict_get_key(de));
}

/* A compact set is small: every member in one call, cursor 0. */
static void sscan_compact(client *c, robj *o, const sds pattern) {
    set_collect k = {.elems = zmalloc(sizeof(set_elem) * 16), .cap = 16};
    set_iter it;
    set_elem e;
    set_iter_init(&it, o);
    while (set_iter_next(&it, &e))
        if (set_elem_matches(&e, pattern)) set_collect_elem(&k, &e);
    set_iter_end(&it);
    scan_reply_header(c, 0, (long)k.len);
    for (unsigned long i = 0; i < k.len; i++) set_reply_elem(c, &k.elems[i]);
    zfree(k.elems);
}

static void sscan_command(client *c) {
    unsigned long cursor;
    if (scan_parse_cursor(c, c->argv[2], &cursor) < 0) return;
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        scan_reply_empty(c);
        return;
    }
    if (db_check_type(c, o, OBJ_SET)) return;
    struct scan_opts opts;
    if (scan_parse_opts(c, 3, 0, &opts) < 0) return;
    if (o->encoding == OBJ_ENCODING_HT) scan_dict(c, o->ptr, cursor, &opts, 1, NULL, sscan_reply_member, NULL);
    else sscan_compact(c, o, opts.pattern);
}

/* ============================================================ table */

#define INTER_COMPLEXITY \
    "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."
#define UNION_COMPLEXITY "O(N) where N is the total number of elements in all given sets."
#define ORDER_TIP "nondeterministic_output_order"
#define RANDOM_TIP "nondeterministic_output"

/* Commands with several key specs (SMOVE, the *STOREs, SINTERCARD) show
 * the first one only: the table holds one spec per command. */
redis_command set_commands[] = {
    {.name = "sadd", .proc = sadd_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_SET, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_INSERT,
     .group = "set", .since = "1.0.0", .summary = "Add one or more members to a set",
     .complexity = "O(1) for each element added, so O(N) to add N elements when the command is called with "
                   "multiple arguments."},
    {.name = "srem", .proc = srem_command, .arity = -3, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_SET,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_DELETE, .group = "set",
     .since = "1.0.0", .summary = "Remove one or more members from a set",
     .complexity = "O(N) where N is the number of members to be removed."},
    {.name = "scard", .proc = scard_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_SET,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO, .group = "set", .since = "1.0.0",
     .summary = "Get the number of members in a set", .complexity = "O(1)"},
    {.name = "sismember", .proc = sismember_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_SET, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO, .group = "set",
     .since = "1.0.0", .summary = "Determine if a given value is a member of a set", .complexity = "O(1)"},
    {.name = "smismember", .proc = smismember_command, .arity = -3, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_SET, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS,
     .group = "set", .since = "6.2.0", .summary = "Returns the membership associated with the given elements for a set",
     .complexity = "O(N) where N is the number of elements being checked for membership"},
    {.name = "smembers", .proc = smembers_command, .arity = 2, .flags = CMD_READONLY, .acl = ACL_SET,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .tips = ORDER_TIP,
     .group = "set", .since = "1.0.0", .summary = "Get all the members in a set",
     .complexity = "O(N) where N is the set cardinality."},
    {.name = "srandmember", .proc = srandmember_command, .arity = -2, .flags = CMD_READONLY, .acl = ACL_SET,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .tips = RANDOM_TIP,
     .group = "set", .since = "1.0.0", .summary = "Get one or multiple random members from a set",
     .complexity = "Without the count argument O(1), otherwise O(N) where N is the absolute value of the "
                   "passed count."},
    {.name = "spop", .proc = spop_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_SET,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_ACCESS | KS_DELETE, .tips = RANDOM_TIP,
     .group = "set", .since = "1.0.0", .summary = "Remove and return one or multiple random members from a set",
     .complexity = "Without the count argument O(1), otherwise O(N) where N is the value of the passed count."},
    {.name = "smove", .proc = smove_command, .arity = 4, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_SET,
     .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_RW | KS_INSERT, .begin_index = 2, .keystep = 1}}, .group = "set",
     .since = "1.0.0", .summary = "Move a member from one set to another", .complexity = "O(1)"},
    {.name = "sinter", .proc = sinter_command, .arity = -2, .flags = CMD_READONLY, .acl = ACL_SET,
     .first_key = 1, .last_key = -1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .tips = ORDER_TIP,
     .group = "set", .since = "1.0.0", .summary = "Intersect multiple sets", .complexity = INTER_COMPLEXITY},
    {.name = "sintercard", .proc = sintercard_command, .arity = -3, .flags = CMD_READONLY | CMD_MOVABLE_KEYS,
     .acl = ACL_SET, .first_key = 0, .last_key = 0, .key_step = 0,
     .key_specs = {{.flags = KS_RO | KS_ACCESS, .begin_index = 1, .keynum = 1, .keynumidx = 0, .firstkey = 1,
                    .keystep = 1}},
     .group = "set", .since = "7.0.0", .summary = "Intersect multiple sets and return the cardinality of the result",
     .complexity = INTER_COMPLEXITY},
    {.name = "sinterstore", .proc = sinterstore_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_SET, .first_key = 1, .last_key = -1, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_UPDATE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_RO | KS_ACCESS, .begin_index = 2, .lastkey = -1, .keystep = 1}},
     .group = "set", .since = "1.0.0", .summary = "Intersect multiple sets and store the resulting set in a key",
     .complexity = INTER_COMPLEXITY},
    {.name = "sunion", .proc = sunion_command, .arity = -2, .flags = CMD_READONLY, .acl = ACL_SET,
     .first_key = 1, .last_key = -1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .tips = ORDER_TIP,
     .group = "set", .since = "1.0.0", .summary = "Add multiple sets", .complexity = UNION_COMPLEXITY},
    {.name = "sunionstore", .proc = sunionstore_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_SET, .first_key = 1, .last_key = -1, .key_step = 1,
     .key_specs = {{.flags = KS_OW | KS_UPDATE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_RO | KS_ACCESS, .begin_index = 2, .lastkey = -1, .keystep = 1}},
     .group = "set", .since = "1.0.0", .summary = "Add multiple sets and store the resulting set in a key",
     .complexity = UNION_COMPLEXITY},
    {.name = "sdiff", .proc = sdiff_command, .arity = -2, .flags = CMD_READONLY, .acl = ACL_SET,
     .first_key = 1, .last_key = -1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .tips = ORDER_TIP,
     .group = "set", .since = "1.0.0", .summary = "Subtract multiple sets", .complexity = UNION_COMPLEXITY},
    {.name = "sdiffstore", .proc = sdiffstore_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_SET, .first_key = 1, .last_key = -1, .key_step = 1,
     .key_specs = {{.flags = KS_OW | KS_UPDATE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_RO | KS_ACCESS, .begin_index = 2, .lastkey = -1, .keystep = 1}},
     .group = "set", .since = "1.0.0", .summary = "Subtract multiple sets and store the resulting set in a key",
     .complexity = UNION_COMPLEXITY},
    {.name = "sscan", .proc = sscan_command, .arity = -3, .flags = CMD_READONLY, .acl = ACL_SET,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .tips = RANDOM_TIP,
     .group = "set", .since = "2.8.0", .summary = "Incrementally iterate Set elements",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
                   "cursor to return back to 0. N is the number of elements inside the collection.."},
    {0}};
