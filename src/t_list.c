/* t_list.c -- the list type: its value hooks and every list command, the
 * blocking ones (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) included.
 *
 * A list is always a quicklist (OBJECT ENCODING "quicklist", as in Redis
 * 7.0), created with the fill configured at that moment. Invariants: no
 * empty list is ever left in the keyspace (a command that empties one
 * deletes the key); every write that adds elements signals the key so that
 * blocked clients are served; a command that replies with an error has
 * changed nothing. Each change is reported where it happens, as Redis 7.0
 * reports it: db_signal_modified, the keyspace event, the dirty count, and
 * for blocking pops the effect of the concrete non-blocking command.
 * Replies are written straight from the listpack entries, never through
 * temporary strings, except for the value LMOVE moves. */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "commands.h"
#include "db.h"
#include "notify.h"
#include "propagate.h"
#include "quicklist.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

#define LIST_ERR_POP_COUNT "value is out of range, must be positive"
#define LIST_ERR_RANK_ZERO                                                                                        \
    "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start " \
    "from the end of the list"

/* What a serve attempt of a (possibly blocking) pop did. */
enum list_serve { LIST_SERVED, LIST_REPLIED_ERROR, LIST_NOTHING };

/* ---------------------------------------------------------- value hooks */

/* Returns a new empty list object (refcount 1). Like Redis, a list takes
 * list-max-listpack-size and list-compress-depth when it is created; a
 * later CONFIG SET applies to new lists only. */
static robj *list_create_object(void) {
    robj *o = zmalloc(sizeof(*o));
    o->type = OBJ_LIST;
    o->encoding = OBJ_ENCODING_QUICKLIST;
    o->lru = 0;
    o->refcount = 1;
    o->ptr = ql_create(cfg.list_max_listpack_size);
    ql_set_options(o->ptr, cfg.list_max_listpack_size, cfg.list_compress_depth);
    return o;
}

robj *list_create_for_load(void) {
    return list_create_object();
}

void list_free_value(robj *o) {
    ql_free(o->ptr);
}

robj *list_dup(const robj *o) {
    robj *copy = zmalloc(sizeof(*copy));
    *copy = *o;
    copy->refcount = 1;
    copy->ptr = ql_dup(o->ptr);
    return copy;
}

/* ---------------------------------------------------------- helpers */

static void list_reply_entry(client *c, const ql_entry *e) {
    if (e->str) reply_bulk(c, (const char *)e->str, e->len);
    else reply_bulk_ll(c, e->ival);
}

/* Replies with the count elements at the `where` end of ql (count <= its
 * length), in the order they come off, and removes them. No header. */
static void list_pop_reply(client *c, quicklist *ql, enum ql_where where, unsigned long count) {
    ql_iter it;
    ql_entry e;
    ql_iter_init(ql, &it, where == QL_HEAD ? QL_HEAD_TO_TAIL : QL_TAIL_TO_HEAD);
    for (unsigned long i = 0; i < count && ql_next(&it, &e); i++) list_reply_entry(c, &e);
    if (count == 1) ql_pop(ql, where, NULL, NULL); /* O(1), no node merging */
    else ql_del_range(ql, where == QL_HEAD ? 0 : -(long)count, count);
}

/* Deletes key if the list o (its value) became empty; o dies with it.
 * Announces the deletion ("del", after the command's own event, as Redis
 * does). */
static void list_delete_if_empty(client *c, robj *o, const sds key) {
    if (ql_length(o->ptr) != 0) return;
    db_delete(c->db, key);
    notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db->id);
}

static const char *list_pop_event(enum ql_where where) {
    return where == QL_HEAD ? "lpop" : "rpop";
}

static const char *list_push_event(enum ql_where where) {
    return where == QL_HEAD ? "lpush" : "rpush";
}

/* The change path of every pop that took at least one element from key:
 * its event, then the key's deletion if it emptied, then WATCHers. The dirty
 * counter is the caller's: a served BLPOP does not count, LMPOP does. */
static void list_popped(client *c, robj *o, const sds key, enum ql_where where) {
    notify_keyspace_event(NOTIFY_LIST, list_pop_event(where), key, c->db->id);
    list_delete_if_empty(c, o, key);
    db_signal_modified(c->db, key);
}

/* Returns the list at key, creating it empty if missing (borrowed). The
 * caller has type-checked an existing value. */
static robj *list_lookup_or_create(client *c, robj *o, const sds key) {
    if (o) return o;
    o = list_create_object();
    db_add(c->db, key, o);
    return o;
}

/* 1 if a waiting client, run again because key o was signalled, must
 * pass over it: o now holds another type (a ZADD signals as well), and in
 * Redis 7.0 only a list serves list waiters, who keep waiting. On a first
 * run such a key is a WRONGTYPE error instead. */
static int list_waiter_skips(const client *c, const robj *o) {
    return o->type != OBJ_LIST && blocking_is_reexecution(c);
}

/* Parses "LEFT" / "RIGHT"; replies a syntax error and returns -1 on
 * anything else. */
static int list_parse_where(client *c, const sds arg, enum ql_where *where) {
    if (strcasecmp(arg, "left") == 0) *where = QL_HEAD;
    else if (strcasecmp(arg, "right") == 0) *where = QL_TAIL;
    else {
        reply_error_syntax(c);
        return -1;
    }
    return 0;
}

/* Parses an integer argument; replies Redis's generic error if it is not
 * one. */
static int list_parse_ll(client *c, const sds arg, long long *v) {
    if (string2ll(arg, sds_len(arg), v)) return 0;
    reply_error_not_integer(c);
    return -1;
}

/* Clamps an LRANGE/LTRIM [start, end] pair (negative: from the tail) to a
 * list of llen elements. Returns the number of elements in range (0 when
 * empty) and sets *from to the first one's index. */
static unsigned long list_clamp_range(long long start, long long end, unsigned long llen, unsigned long *from) {
    long long len = (long long)llen;
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return 0;
    if (end >= len) end = len - 1;
    *from = (unsigned long)start;
    return (unsigned long)(end - start + 1);
}

/* ---------------------------------------------------------- push */

static void list_push_generic(client *c, enum ql_where where, int only_existing) {
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_LIST)) return;
    if (o == NULL) {
        if (only_existing) {
            reply_integer(c, 0);
            return;
        }
        o = list_lookup_or_create(c, NULL, c->argv[1]);
    }
    quicklist *ql = o->ptr;
    for (int j = 2; j < c->argc; j++) ql_push(ql, c->argv[j], sds_len(c->argv[j]), where);
    reply_integer(c, (long long)ql_length(ql));
    db_signal_modified(c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_LIST, list_push_event(where), c->argv[1], c->db->id);
    db_dirty(c->argc - 2);
    blocking_signal_key(c->db, c->argv[1]);
}

static void lpush_command(client *c) {
    list_push_generic(c, QL_HEAD, 0);
}

static void rpush_command(client *c) {
    list_push_generic(c, QL_TAIL, 0);
}

static void lpushx_command(client *c) {
    list_push_generic(c, QL_HEAD, 1);
}

static void rpushx_command(client *c) {
    list_push_generic(c, QL_TAIL, 1);
}

/* ---------------------------------------------------------- pop */

/* LPOP / RPOP key [count]. Without a count: one element or a null bulk;
 * with one (0 allowed): an array, or a null array for a missing key. */
static void list_pop_generic(client *c, enum ql_where where) {
    long long count = 0;
    int has_count = c->argc == 3;
    if (c->argc > 3) {
        reply_error_arity(c);
        return;
    }
    if (has_count && (!string2ll(c->argv[2], sds_len(c->argv[2]), &count) || count < 0)) {
        reply_error(c, LIST_ERR_POP_COUNT);
        return;
    }
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (o == NULL) {
        if (has_count) reply_null_array(c);
        else reply_null(c);
        return;
    }
    if (db_check_type(c, o, OBJ_LIST)) return;
    quicklist *ql = o->ptr;
    unsigned long n = 1;
    if (!has_count) {
        list_pop_reply(c, ql, where, 1);
    } else {
        n = (unsigned long long)count < ql_length(ql) ? (unsigned long)count : ql_length(ql);
        reply_array_len(c, (long)n);
        if (n == 0) return; /* LPOP key 0 changes nothing */
        list_pop_reply(c, ql, where, n);
    }
    list_popped(c, o, c->argv[1], where);
    db_dirty((long long)n);
}

static void lpop_command(client *c) {
    list_pop_generic(c, QL_HEAD);
}

static void rpop_command(client *c) {
    list_pop_generic(c, QL_TAIL);
}

/* ---------------------------------------------------------- reading */

static void llen_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_LIST)) return;
    reply_integer(c, o ? (long long)ql_length(o->ptr) : 0);
}

static void lrange_command(client *c) {
    long long start, end;
    if (list_parse_ll(c, c->argv[2], &start) || list_parse_ll(c, c->argv[3], &end)) return;
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_LIST)) return;
    unsigned long from = 0;
    unsigned long n = o ? list_clamp_range(start, end, ql_length(o->ptr), &from) : 0;
    reply_array_len(c, (long)n);
    if (n == 0) return;
    ql_iter it;
    ql_entry e;
    ql_iter_init_at(o->ptr, &it, QL_HEAD_TO_TAIL, (long)from);
    for (unsigned long i = 0; i < n && ql_next(&it, &e); i++) list_reply_entry(c, &e);
}

static void lindex_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (db_check_type(c, o, OBJ_LIST)) return;
    long long idx;
    if (list_parse_ll(c, c->argv[2], &idx)) return;
    ql_entry e;
    if (idx < LONG_MIN || idx > LONG_MAX || !ql_index(o->ptr, (long)idx, &e)) reply_null(c);
    else list_reply_entry(c, &e);
}

/* LPOS options; count -1 means "no COUNT given" (reply a single index). */
struct lpos_args {
    long long rank, count, maxlen;
};

static int lpos_parse(client *c, struct lpos_args *a) {
    a->rank = 1;
    a->count = -1;
    a->maxlen = 0;
    for (int j = 3; j < c->argc; j++) {
        const char *opt = c->argv[j];
        int more = j + 1 < c->argc;
        if (more && strcasecmp(opt, "rank") == 0) {
            if (list_parse_ll(c, c->argv[++j], &a->rank)) return -1;
            if (a->rank == 0) {
                reply_error(c, LIST_ERR_RANK_ZERO);
                return -1;
            }
        } else if (more && strcasecmp(opt, "count") == 0) {
            j++;
            if (!string2ll(c->argv[j], sds_len(c->argv[j]), &a->count) || a->count < 0) {
                reply_error(c, "COUNT can't be negative");
                return -1;
            }
        } else if (more && strcasecmp(opt, "maxlen") == 0) {
            j++;
            if (!string2ll(c->argv[j], sds_len(c->argv[j]), &a->maxlen) || a->maxlen < 0) {
                reply_error(c, "MAXLEN can't be negative");
                return -1;
            }
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    return 0;
}

/* LPOS key element [RANK r] [COUNT n] [MAXLEN m]: the index (counted from
 * the head) of the r-th match, scanning from the tail when r < 0; with
 * COUNT, up to n such indexes (0: all). MAXLEN caps the elements compared.
 * RANK -9223372036854775808 behaves as Redis 7.0's does (its negation
 * overflows): as -1, with no COUNT limit. */
static void lpos_command(client *c) {
    struct lpos_args a;
    if (lpos_parse(c, &a)) return;
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        if (a.count >= 0) reply_array_len(c, 0);
        else reply_null(c);
        return;
    }
    if (db_check_type(c, o, OBJ_LIST)) return;
    quicklist *ql = o->ptr;
    int backward = a.rank < 0;
    int rank_overflow = a.rank == LLONG_MIN;
    unsigned long long skip = rank_overflow ? 0 : (unsigned long long)(backward ? -a.rank : a.rank) - 1;
    unsigned long long want = (a.count <= 0 || rank_overflow) ? ULLONG_MAX : (unsigned long long)a.count;
    unsigned long long limit = a.maxlen ? (unsigned long long)a.maxlen : ULLONG_MAX;
    unsigned long llen = ql_length(ql);
    const sds ele = c->argv[2];
    void *deferred = a.count >= 0 ? reply_deferred_len(c) : NULL;
    long found = 0;
    unsigned long long seen = 0, matches = 0;
    ql_iter it;
    ql_entry e;
    ql_iter_init(ql, &it, backward ? QL_TAIL_TO_HEAD : QL_HEAD_TO_TAIL);
    while (seen < limit && ql_next(&it, &e)) {
        unsigned long idx = backward ? llen - 1 - (unsigned long)seen : (unsigned long)seen;
        seen++;
        if (!ql_entry_eq(&e, ele, sds_len(ele)) || matches++ < skip) continue;
        reply_integer(c, (long long)idx);
        if (deferred == NULL) return; /* no COUNT: the first hit is the reply */
        if ((unsigned long long)++found >= want) break;
    }
    if (deferred) reply_set_deferred_array_len(c, deferred, found);
    else reply_null(c);
}

/* ---------------------------------------------------------- changing */

static void lset_command(client *c) {
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (o == NULL) {
        reply_error(c, "no such key");
        return;
    }
    if (db_check_type(c, o, OBJ_LIST)) return;
    long long idx;
    if (list_parse_ll(c, c->argv[2], &idx)) return;
    const sds v = c->argv[3];
    if (idx < LONG_MIN || idx > LONG_MAX || !ql_replace_at_index(o->ptr, (long)idx, v, sds_len(v))) {
        reply_error(c, "index out of range");
        return;
    }
    reply_ok(c);
    db_signal_modified(c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_LIST, "lset", c->argv[1], c->db->id);
    db_dirty(1);
}

static void linsert_command(client *c) {
    int after;
    if (strcasecmp(c->argv[2], "after") == 0) after = 1;
    else if (strcasecmp(c->argv[2], "before") == 0) after = 0;
    else {
        reply_error_syntax(c);
        return;
    }
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (o == NULL) {
        reply_integer(c, 0);
        return;
    }
    if (db_check_type(c, o, OBJ_LIST)) return;
    quicklist *ql = o->ptr;
    const sds pivot = c->argv[3], v = c->argv[4];
    ql_iter it;
    ql_entry e;
    ql_iter_init(ql, &it, QL_HEAD_TO_TAIL);
    while (ql_next(&it, &e)) {
        if (!ql_entry_eq(&e, pivot, sds_len(pivot))) continue;
        if (after) ql_insert_after(ql, &e, v, sds_len(v));
        else ql_insert_before(ql, &e, v, sds_len(v));
        db_signal_modified(c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_LIST, "linsert", c->argv[1], c->db->id);
        db_dirty(1);
        reply_integer(c, (long long)ql_length(ql));
        return;
    }
    reply_integer(c, -1);
}

/* LREM key count element: removes the first |count| matches from the head
 * (count > 0) or the tail (count < 0), or all of them (0). */
static void lrem_command(client *c) {
    long long count;
    if (list_parse_ll(c, c->argv[2], &count)) return;
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (o == NULL) {
        reply_integer(c, 0);
        return;
    }
    if (db_check_type(c, o, OBJ_LIST)) return;
    /* |count| without overflowing on LLONG_MIN; 0 means no limit. */
    unsigned long long limit = count < 0 ? (unsigned long long)(-(count + 1)) + 1 : (unsigned long long)count;
    const sds ele = c->argv[3];
    long long removed = 0;
    ql_iter it;
    ql_entry e;
    ql_iter_init(o->ptr, &it, count < 0 ? QL_TAIL_TO_HEAD : QL_HEAD_TO_TAIL);
    while (ql_next(&it, &e)) {
        if (!ql_entry_eq(&e, ele, sds_len(ele))) continue;
        ql_del_entry(&it, &e);
        if ((unsigned long long)++removed == limit) break;
    }
    if (removed) {
        notify_keyspace_event(NOTIFY_LIST, "lrem", c->argv[1], c->db->id);
        list_delete_if_empty(c, o, c->argv[1]);
        db_signal_modified(c->db, c->argv[1]);
        db_dirty(removed);
    }
    reply_integer(c, removed);
}

static void ltrim_command(client *c) {
    long long start, end;
    if (list_parse_ll(c, c->argv[2], &start) || list_parse_ll(c, c->argv[3], &end)) return;
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_LIST)) return;
    if (o) {
        quicklist *ql = o->ptr;
        unsigned long llen = ql_length(ql), from = 0;
        unsigned long keep = list_clamp_range(start, end, llen, &from);
        unsigned long tail = keep ? llen - from - keep : 0;
        ql_del_range(ql, 0, keep ? from : llen);
        if (tail) ql_del_range(ql, -(long)tail, tail);
        /* Redis announces and signals a trim even when it kept everything
         * (a WATCHer sees the key touched), but counts only what went. */
        notify_keyspace_event(NOTIFY_LIST, "ltrim", c->argv[1], c->db->id);
        list_delete_if_empty(c, o, c->argv[1]);
        db_signal_modified(c->db, c->argv[1]);
        db_dirty((long long)(llen - keep));
    }
    reply_ok(c);
}

/* ---------------------------------------------------------- moving */

/* Moves one element from the `from` end of src to the `to` end of dst and
 * replies it as a bulk. Replies null (or nothing, when block is set) if
 * src is missing, WRONGTYPE if either key holds another type. */
static enum list_serve list_move_serve(client *c, const sds src, const sds dst, enum ql_where from,
                                       enum ql_where to, int block) {
    robj *so = db_lookup_write(c->db, src);
    if (so == NULL || list_waiter_skips(c, so)) {
        if (!block) reply_null(c);
        return LIST_NOTHING;
    }
    if (db_check_type(c, so, OBJ_LIST)) return LIST_REPLIED_ERROR;
    robj *dobj = db_lookup_write(c->db, dst);
    if (db_check_type(c, dobj, OBJ_LIST)) return LIST_REPLIED_ERROR;
    sds v;
    long long iv;
    int kind = ql_pop(so->ptr, from, &v, &iv);
    if (kind == QL_POP_INT) v = sds_from_ll(iv);
    /* src == dst: the same quicklist, which is not empty again after this. */
    dobj = list_lookup_or_create(c, dobj, dst);
    ql_push(dobj->ptr, v, sds_len(v), to);
    reply_bulk_sds(c, v);
    sds_free(v);
    /* Redis announces the push on dst before the pop on src. */
    db_signal_modified(c->db, dst);
    notify_keyspace_event(NOTIFY_LIST, list_push_event(to), dst, c->db->id);
    notify_keyspace_event(NOTIFY_LIST, list_pop_event(from), src, c->db->id);
    if (so != dobj) list_delete_if_empty(c, so, src);
    db_signal_modified(c->db, src);
    blocking_signal_key(c->db, dst);
    return LIST_SERVED;
}

static void lmove_command(client *c) {
    enum ql_where from, to;
    if (list_parse_where(c, c->argv[3], &from) || list_parse_where(c, c->argv[4], &to)) return;
    if (list_move_serve(c, c->argv[1], c->argv[2], from, to, 0) == LIST_SERVED) db_dirty(1);
}

static void rpoplpush_command(client *c) {
    if (list_move_serve(c, c->argv[1], c->argv[2], QL_TAIL, QL_HEAD, 0) == LIST_SERVED) db_dirty(1);
}

/* ---------------------------------------------------------- multi-key pops */

/* The parsed tail of LMPOP / BLMPOP: numkeys keys at argv[first], a side
 * and an optional COUNT (default 1). */
struct list_mpop_args {
    int first, numkeys;
    enum ql_where where;
    long long count;
};

static int list_parse_mpop(client *c, int numkeys_idx, struct list_mpop_args *a) {
    long long numkeys;
    const sds nk = c->argv[numkeys_idx];
    if (!string2ll(nk, sds_len(nk), &numkeys) || numkeys <= 0) {
        reply_error(c, "numkeys should be greater than 0");
        return -1;
    }
    /* Room for the keys and the side after numkeys. */
    if (numkeys > c->argc - numkeys_idx - 2) {
        reply_error_syntax(c);
        return -1;
    }
    a->first = numkeys_idx + 1;
    a->numkeys = (int)numkeys;
    int j = a->first + a->numkeys;
    if (list_parse_where(c, c->argv[j], &a->where)) return -1;
    a->count = -1;
    for (j++; j < c->argc; j++) {
        if (a->count == -1 && j + 1 < c->argc && strcasecmp(c->argv[j], "count") == 0) {
            const sds n = c->argv[++j];
            if (!string2ll(n, sds_len(n), &a->count) || a->count <= 0) {
                reply_error(c, "count should be greater than 0");
                return -1;
            }
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    if (a->count == -1) a->count = 1;
    return 0;
}

/* Pops up to count elements from the first non-empty key and replies
 * [key, [elements]]. Replies nothing when every key is missing. */
static enum list_serve list_mpop_serve(client *c, const struct list_mpop_args *a) {
    for (int j = a->first; j < a->first + a->numkeys; j++) {
        robj *o = db_lookup_write(c->db, c->argv[j]);
        if (o == NULL || list_waiter_skips(c, o)) continue;
        if (db_check_type(c, o, OBJ_LIST)) return LIST_REPLIED_ERROR;
        unsigned long llen = ql_length(o->ptr);
        unsigned long n = (unsigned long long)a->count < llen ? (unsigned long)a->count : llen;
        reply_array_len(c, 2);
        reply_bulk_sds(c, c->argv[j]);
        reply_array_len(c, (long)n);
        list_pop_reply(c, o->ptr, a->where, n);
        list_popped(c, o, c->argv[j], a->where);
        /* Counted even when served to a waiting client, and propagated as
         * the pop of what it took: LPOP key n. */
        db_dirty((long long)n);
        prop_replacef(c, "csl", a->where == QL_HEAD ? "LPOP" : "RPOP", c->argv[j], (long long)n);
        return LIST_SERVED;
    }
    return LIST_NOTHING;
}

static void lmpop_command(client *c) {
    struct list_mpop_args a;
    if (list_parse_mpop(c, 1, &a)) return;
    if (list_mpop_serve(c, &a) == LIST_NOTHING) reply_null_array(c);
}

/* ---------------------------------------------------------- blocking
 * Each handler serves at once when it can; otherwise it blocks on its
 * keys and returns without a reply. blocking.c runs it again when one of
 * the keys is signalled, and it then serves or blocks again. A timeout
 * replies a null array for all of them (Redis 7.0 answers BLMOVE and
 * BRPOPLPUSH that way too, not with a null bulk). */

/* Accounts for a blocking command that served: Redis 7.0 propagates it as
 * the concrete non-blocking command. Served at once, it counts one change
 * and the caller replaces its argv; served to a waiting client (run again
 * because a key filled), it counts nothing, and the caller adds its effect
 * on its own, in a unit after the write that filled the key. Returns 1 in
 * the second case. BLMPOP counts either way (list_mpop_serve). */
static int list_served_waiter(client *c) {
    if (!blocking_is_reexecution(c)) {
        db_dirty(1);
        return 0;
    }
    prop_prevent(c);
    return 1;
}

/* BLPOP / BRPOP key [key ...] timeout: [key, element] from the first
 * non-empty key. */
static void list_blocking_pop_generic(client *c, enum ql_where where) {
    long long deadline;
    if (blocking_parse_timeout(c, c->argv[c->argc - 1], &deadline)) return;
    for (int j = 1; j < c->argc - 1; j++) {
        robj *o = db_lookup_write(c->db, c->argv[j]);
        if (o == NULL || list_waiter_skips(c, o)) continue;
        if (db_check_type(c, o, OBJ_LIST)) return;
        reply_array_len(c, 2);
        reply_bulk_sds(c, c->argv[j]);
        list_pop_reply(c, o->ptr, where, 1);
        list_popped(c, o, c->argv[j], where);
        const char *pop = where == QL_HEAD ? "LPOP" : "RPOP";
        if (list_served_waiter(c)) prop_addf(c->db->id, "cs", pop, c->argv[j]);
        else prop_replacef(c, "cs", pop, c->argv[j]);
        return;
    }
    blocking_block(c, c->argv + 1, c->argc - 2, deadline, BLOCK_REPLY_NULL_ARRAY);
}

static void blpop_command(client *c) {
    list_blocking_pop_generic(c, QL_HEAD);
}

static void brpop_command(client *c) {
    list_blocking_pop_generic(c, QL_TAIL);
}

/* The sides are validated before the timeout, as Redis does. Returns
 * LIST_SERVED when it moved an element. */
static enum list_serve list_blocking_move_generic(client *c, enum ql_where from, enum ql_where to,
                                                  const sds timeout) {
    long long deadline;
    if (blocking_parse_timeout(c, timeout, &deadline)) return LIST_REPLIED_ERROR;
    enum list_serve r = list_move_serve(c, c->argv[1], c->argv[2], from, to, 1);
    if (r == LIST_NOTHING) blocking_block(c, c->argv + 1, 1, deadline, BLOCK_REPLY_NULL_ARRAY);
    return r;
}

static const char *list_where_name(enum ql_where where) {
    return where == QL_HEAD ? "left" : "right";
}

/* Propagated as LMOVE: with the sides as the client wrote them when served
 * at once, in Redis's own lower-case words when served to a waiter. */
static void blmove_command(client *c) {
    enum ql_where from, to;
    if (list_parse_where(c, c->argv[3], &from) || list_parse_where(c, c->argv[4], &to)) return;
    if (list_blocking_move_generic(c, from, to, c->argv[5]) != LIST_SERVED) return;
    if (list_served_waiter(c))
        prop_addf(c->db->id, "csscc", "LMOVE", c->argv[1], c->argv[2], list_where_name(from), list_where_name(to));
    else
        prop_replacef(c, "cssss", "LMOVE", c->argv[1], c->argv[2], c->argv[3], c->argv[4]);
}

static void brpoplpush_command(client *c) {
    if (list_blocking_move_generic(c, QL_TAIL, QL_HEAD, c->argv[3]) != LIST_SERVED) return;
    if (list_served_waiter(c)) prop_addf(c->db->id, "css", "RPOPLPUSH", c->argv[1], c->argv[2]);
    else prop_replacef(c, "css", "RPOPLPUSH", c->argv[1], c->argv[2]);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the
 * arguments after the timeout are checked before the timeout itself. */
static void blmpop_command(client *c) {
    struct list_mpop_args a;
    long long deadline;
    if (list_parse_mpop(c, 2, &a) || blocking_parse_timeout(c, c->argv[1], &deadline)) return;
    if (list_mpop_serve(c, &a) == LIST_NOTHING)
        blocking_block(c, c->argv + a.first, a.numkeys, deadline, BLOCK_REPLY_NULL_ARRAY);
}

/* ---------------------------------------------------------- table */

#define LIST_PUSH_COMPLEXITY \
    "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."
#define LIST_MPOP_COMPLEXITY \
    "O(N+M) where N is the number of provided keys and M is the number of elements returned."

/* LMOVE-like commands have two key specs in Redis (source: RW ACCESS
 * DELETE, destination: RW INSERT) and LMPOP-like ones a "keynum" spec;
 * a table entry holds one range spec, so these list the source's flags
 * (LMOVE family) or none (LMPOP family). */
redis_command list_commands[] = {
    {.name = "lpush", .proc = lpush_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_LIST, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_INSERT,
     .group = "list", .since = "1.0.0", .summary = "Prepend one or multiple elements to a list",
     .complexity = LIST_PUSH_COMPLEXITY},
    {.name = "rpush", .proc = rpush_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_LIST, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_INSERT,
     .group = "list", .since = "1.0.0", .summary = "Append one or multiple elements to a list",
     .complexity = LIST_PUSH_COMPLEXITY},
    {.name = "lpushx", .proc = lpushx_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_LIST, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_INSERT,
     .group = "list", .since = "2.2.0", .summary = "Prepend an element to a list, only if the list exists",
     .complexity = LIST_PUSH_COMPLEXITY},
    {.name = "rpushx", .proc = rpushx_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_LIST, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_INSERT,
     .group = "list", .since = "2.2.0", .summary = "Append an element to a list, only if the list exists",
     .complexity = LIST_PUSH_COMPLEXITY},
    {.name = "lpop", .proc = lpop_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_LIST,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_ACCESS | KS_DELETE, .group = "list",
     .since = "1.0.0", .summary = "Remove and get the first elements in a list",
     .complexity = "O(N) where N is the number of elements returned"},
    {.name = "rpop", .proc = rpop_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_LIST,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_ACCESS | KS_DELETE, .group = "list",
     .since = "1.0.0", .summary = "Remove and get the last elements in a list",
     .complexity = "O(N) where N is the number of elements returned"},
    {.name = "llen", .proc = llen_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_LIST,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO, .group = "list", .since = "1.0.0",
     .summary = "Get the length of a list", .complexity = "O(1)"},
    {.name = "lrange", .proc = lrange_command, .arity = 4, .flags = CMD_READONLY, .acl = ACL_LIST,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "list",
     .since = "1.0.0", .summary = "Get a range of elements from a list",
     .complexity = "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end "
                   "(HEAD or TAIL) for large lists; and N is the number of elements in the specified range."},
    {.name = "lindex", .proc = lindex_command, .arity = 3, .flags = CMD_READONLY, .acl = ACL_LIST,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "list",
     .since = "1.0.0", .summary = "Get an element from a list by its index",
     .complexity = "O(N) where N is the number of elements to traverse to get to the element at index. This "
                   "makes asking for the first or the last element of the list O(1)."},
    {.name = "lset", .proc = lset_command, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_LIST,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_UPDATE, .group = "list",
     .since = "1.0.0", .summary = "Set the value of an element in a list by its index",
     .complexity = "O(N) where N is the length of the list. Setting either the first or the last element of "
                   "the list is O(1)."},
    {.name = "linsert", .proc = linsert_command, .arity = 5, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_LIST,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_INSERT, .group = "list",
     .since = "2.2.0", .summary = "Insert an element before or after another element in a list",
     .complexity = "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
                   "means that inserting somewhere on the left end on the list (head) can be considered O(1) "
                   "and inserting somewhere on the right end (tail) is O(N)."},
    {.name = "lrem", .proc = lrem_command, .arity = 4, .flags = CMD_WRITE, .acl = ACL_LIST, .first_key = 1,
     .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_DELETE, .group = "list", .since = "1.0.0",
     .summary = "Remove elements from a list",
     .complexity = "O(N+M) where N is the length of the list and M is the number of elements removed."},
    {.name = "ltrim", .proc = ltrim_command, .arity = 4, .flags = CMD_WRITE, .acl = ACL_LIST, .first_key = 1,
     .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_DELETE, .group = "list", .since = "1.0.0",
     .summary = "Trim a list to the specified range",
     .complexity = "O(N) where N is the number of elements to be removed by the operation."},
    {.name = "lpos", .proc = lpos_command, .arity = -3, .flags = CMD_READONLY, .acl = ACL_LIST, .first_key = 1,
     .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "list", .since = "6.0.6",
     .summary = "Return the index of matching elements on a list",
     .complexity = "O(N) where N is the number of elements in the list, for the average case. When searching "
                   "for elements near the head or the tail of the list, or when the MAXLEN option is provided, "
                   "the command may run in constant time."},
    {.name = "lmove", .proc = lmove_command, .arity = 5, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_LIST,
     .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_RW | KS_INSERT, .begin_index = 2, .keystep = 1}}, .group = "list",
     .since = "6.2.0", .summary = "Pop an element from a list, push it to another list and return it",
     .complexity = "O(1)"},
    {.name = "rpoplpush", .proc = rpoplpush_command, .arity = 3, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_LIST, .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_RW | KS_INSERT, .begin_index = 2, .keystep = 1}},
     .group = "list", .since = "1.2.0",
     .summary = "Remove the last element in a list, prepend it to another list and return it",
     .complexity = "O(1)"},
    {.name = "lmpop", .proc = lmpop_command, .arity = -4, .flags = CMD_WRITE | CMD_MOVABLE_KEYS, .acl = ACL_LIST,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 1, .keynum = 1, .keynumidx = 0,
                    .firstkey = 1, .keystep = 1}},
     .group = "list", .since = "7.0.0", .summary = "Pop elements from a list", .complexity = LIST_MPOP_COMPLEXITY},
    {.name = "blpop", .proc = blpop_command, .arity = -3, .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING,
     .acl = ACL_LIST, .first_key = 1, .last_key = -2, .key_step = 1, .ks_flags = KS_RW | KS_ACCESS | KS_DELETE,
     .group = "list", .since = "2.0.0",
     .summary = "Remove and get the first element in a list, or block until one is available",
     .complexity = "O(N) where N is the number of provided keys."},
    {.name = "brpop", .proc = brpop_command, .arity = -3, .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING,
     .acl = ACL_LIST, .first_key = 1, .last_key = -2, .key_step = 1, .ks_flags = KS_RW | KS_ACCESS | KS_DELETE,
     .group = "list", .since = "2.0.0",
     .summary = "Remove and get the last element in a list, or block until one is available",
     .complexity = "O(N) where N is the number of provided keys."},
    {.name = "blmove", .proc = blmove_command, .arity = 6,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT | CMD_BLOCKING, .acl = ACL_LIST, .first_key = 1,
     .last_key = 2, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_RW | KS_INSERT, .begin_index = 2, .keystep = 1}}, .group = "list", .since = "6.2.0",
     .summary = "Pop an element from a list, push it to another list and return it; or block until one is "
                "available",
     .complexity = "O(1)"},
    {.name = "brpoplpush", .proc = brpoplpush_command, .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT | CMD_BLOCKING, .acl = ACL_LIST, .first_key = 1,
     .last_key = 2, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_RW | KS_INSERT, .begin_index = 2, .keystep = 1}}, .group = "list", .since = "2.2.0",
     .summary = "Pop an element from a list, push it to another list and return it; or block until one is "
                "available",
     .complexity = "O(1)"},
    {.name = "blmpop", .proc = blmpop_command, .arity = -5, .flags = CMD_WRITE | CMD_BLOCKING | CMD_MOVABLE_KEYS,
     .acl = ACL_LIST,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 2, .keynum = 1, .keynumidx = 0,
                    .firstkey = 1, .keystep = 1}}, .group = "list", .since = "7.0.0",
     .summary = "Pop elements from a list, or block until one is available", .complexity = LIST_MPOP_COMPLEXITY},
    {0}};
