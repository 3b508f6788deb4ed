/* t_stream.c -- the stream value type and its entry commands: XADD, XRANGE,
 * XREVRANGE, XLEN, XDEL, XTRIM, XSETID, plus what every stream command file
 * shares (t_stream.h: ID parsing, replying ranges and entries, lookups).
 *
 * The structure itself is stream.c (library code); this file turns
 * arguments into calls on it and reports each change as Redis 7.0 does:
 * db_signal_modified, the keyspace events ("xadd", "xtrim", "xdel",
 * "xsetid", class 't'), the dirty count, blocked readers signalled on XADD,
 * and effects that replay exactly: an XADD's generated ID and an
 * approximate trim's real threshold are written into the propagated
 * command, as Redis rewrites them. Nothing is changed before every
 * argument has been validated. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "db.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "t_stream.h"
#include "util.h"
#include "zmalloc.h"

/* Longest ID argument Redis parses (its stack buffer less the NUL). */
#define STREAM_ID_ARG_MAX_BYTES 127
/* An approximate trim without LIMIT evicts at most this many times
 * stream-node-max-entries entries, never more than the cap, and the
 * fallback when node-max-entries is 0 (what Redis 7.0 does: asked of it). */
#define STREAM_TRIM_DEFAULT_LIMIT_NODES 100
#define STREAM_TRIM_DEFAULT_LIMIT_CAP 1000000
#define STREAM_TRIM_DEFAULT_LIMIT_UNBOUNDED_NODES 10000

static const char *const ERR_INVALID_ID = "Invalid stream ID specified as stream command argument";

/* ------------------------------------------------------- value type */

robj *stream_create_object(void) {
    robj *o = zmalloc(sizeof(*o));
    o->type = OBJ_STREAM;
    o->encoding = OBJ_ENCODING_STREAM;
    o->lru = 0;
    o->refcount = 1;
    o->ptr = stream_new();
    return o;
}

void stream_free_value(robj *o) {
    stream_free(o->ptr);
}

robj *stream_dup(const robj *o) {
    robj *copy = stream_create_object();
    stream_free(copy->ptr);
    copy->ptr = stream_copy(o->ptr);
    return copy;
}

void stream_current_limits(stream_limits *lim) {
    lim->node_max_bytes = cfg.stream_node_max_bytes;
    lim->node_max_entries = cfg.stream_node_max_entries;
}

/* ------------------------------------------------------- ID parsing */

/* One part of an ID as Redis reads it: a canonical non-negative integer,
 * or else whatever strtoull takes whole (leading blanks, '+', leading
 * zeros, values past LLONG_MAX). */
static int id_part_parse(const char *s, unsigned long long *v) {
    long long ll;
    if (string2ll(s, strlen(s), &ll)) {
        if (ll < 0) return 0;
        *v = (unsigned long long)ll;
        return 1;
    }
    errno = 0;
    char *end = NULL;
    *v = strtoull(s, &end, 10);
    if (errno == EINVAL || errno == ERANGE || *s == '\0' || *end != '\0') return 0;
    return 1;
}

/* Parses without replying: 0, or -1 for an invalid ID. */
static int parse_id(const char *arg, size_t len, stream_id *id, uint64_t missing_seq, int strict, int *seq_given) {
    char buf[STREAM_ID_ARG_MAX_BYTES + 1];
    if (len > STREAM_ID_ARG_MAX_BYTES) return -1;
    memcpy(buf, arg, len);
    buf[len] = '\0';
    if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') return -1;
    if (seq_given) *seq_given = 1;
    if (buf[0] == '-' && buf[1] == '\0') {
        id->ms = id->seq = 0;
        return 0;
    }
    if (buf[0] == '+' && buf[1] == '\0') {
        id->ms = id->seq = UINT64_MAX;
        return 0;
    }
    unsigned long long ms, seq = missing_seq;
    char *dash = strchr(buf, '-');
    if (dash) *dash = '\0';
    if (!id_part_parse(buf, &ms)) return -1;
    if (dash) {
        if (seq_given && dash[1] == '*' && dash[2] == '\0') {
            seq = 0; /* "ms-*": XADD picks the sequence */
            *seq_given = 0;
        } else if (!id_part_parse(dash + 1, &seq)) {
            return -1;
        }
    }
    id->ms = ms;
    id->seq = seq;
    return 0;
}

int stream_parse_id_or_reply(client *c, const sds arg, stream_id *id, uint64_t missing_seq, int strict,
                             int *seq_given) {
    if (parse_id(arg, sds_len(arg), id, missing_seq, strict, seq_given) == 0) return 0;
    reply_error(c, ERR_INVALID_ID);
    return -1;
}

int stream_parse_interval_id_or_reply(client *c, const sds arg, stream_id *id, int *exclusive, uint64_t missing_seq) {
    int ex = sds_len(arg) > 1 && arg[0] == '(';
    if (exclusive) *exclusive = ex;
    if (!ex) return stream_parse_id_or_reply(c, arg, id, missing_seq, 0, NULL);
    if (parse_id(arg + 1, sds_len(arg) - 1, id, missing_seq, 1, NULL) != 0) {
        reply_error(c, ERR_INVALID_ID);
        return -1;
    }
    /* A start (missing_seq 0) moves up, an end moves down. */
    if (missing_seq == 0 && stream_id_incr(id) != 0) {
        reply_error(c, "invalid start ID for the interval");
        return -1;
    }
    if (missing_seq != 0 && stream_id_decr(id) != 0) {
        reply_error(c, "invalid end ID for the interval");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- replies */

void stream_reply_id(client *c, const stream_id *id) {
    char buf[STREAM_ID_STR_LEN];
    int len = stream_id_format(buf, id);
    reply_bulk(c, buf, (size_t)len);
}

/* An ID's text kept across the entries of one reply: entries of the same
 * millisecond only rewrite the sequence. */
typedef struct id_text {
    uint64_t ms;
    int ms_len; /* -1: nothing formatted yet */
    int len;
    char buf[STREAM_ID_STR_LEN];
} id_text;

static void reply_id_cached(client *c, const stream_id *id, id_text *t) {
    if (t->ms_len >= 0 && t->ms == id->ms) {
        t->len = stream_id_format_seq(t->buf, t->ms_len, id->seq);
    } else {
        t->len = stream_id_format(t->buf, id);
        t->ms = id->ms;
        t->ms_len = (int)(strchr(t->buf, '-') - t->buf);
    }
    reply_bulk(c, t->buf, (size_t)t->len);
}

/* The current entry of it as [id, [field, value, ...]]. */
static void reply_iter_entry(client *c, stream_iter *it, const stream_id *id, int64_t numfields, id_text *t) {
    reply_array_len(c, 2);
    if (t) reply_id_cached(c, id, t);
    else stream_reply_id(c, id);
    reply_array_len(c, (long)numfields * 2);
    for (int64_t i = 0; i < numfields; i++) {
        const unsigned char *f, *v;
        size_t flen, vlen;
        stream_iter_field(it, &f, &flen, &v, &vlen);
        reply_bulk(c, (const char *)f, flen);
        reply_bulk(c, (const char *)v, vlen);
    }
}

size_t stream_reply_range(client *c, stream *s, const stream_id *start, const stream_id *end, size_t count, int rev,
                          stream_range_entry_fn *on_entry, void *ctx) {
    /* Count first, then reply: walking the entries twice costs less than a
     * deferred length, which moves the whole reply out of the client's
     * fixed buffer into allocated blocks. */
    size_t total = 0, n = 0;
    stream_iter it;
    stream_id id;
    int64_t numfields;
    stream_iter_start(&it, s, start, end, rev);
    while ((count == 0 || total < count) && stream_iter_next(&it, &id, &numfields)) total++;
    stream_iter_stop(&it);
    reply_array_len(c, (long)total);
    id_text text = {.ms_len = -1};
    stream_iter_start(&it, s, start, end, rev);
    while (n < total && stream_iter_next(&it, &id, &numfields)) {
        reply_iter_entry(c, &it, &id, numfields, &text);
        n++;
        if (on_entry) on_entry(ctx, &id);
    }
    stream_iter_stop(&it);
    return n;
}

int stream_reply_entry(client *c, stream *s, const stream_id *id) {
    stream_iter it;
    stream_id found;
    int64_t numfields;
    stream_iter_start(&it, s, id, id, 0);
    int ok = stream_iter_next(&it, &found, &numfields);
    if (ok) {
        reply_iter_entry(c, &it, &found, numfields, NULL);
    } else {
        reply_array_len(c, 2);
        stream_reply_id(c, id);
        reply_null_array(c);
    }
    stream_iter_stop(&it);
    return ok;
}

robj *stream_lookup_read(client *c, const sds key, int *wrongtype) {
    robj *o = db_lookup_read(c->db, key);
    *wrongtype = 0;
    if (o && db_check_type(c, o, OBJ_STREAM)) {
        *wrongtype = 1;
        return NULL;
    }
    return o;
}

/* ------------------------------------------------ XADD / XTRIM options */

typedef struct add_trim_args {
    stream_trim_args trim;
    int threshold_idx; /* argv index of the MAXLEN / MINID value; 0: none */
    int no_mkstream;
    int id_given, seq_given;
    stream_id id;
} add_trim_args;

/* 1 when c replays effects that already ran (the AOF loader, a primary):
 * its trims must not be limited, as the threshold was made exact. */
static int client_replays(const client *c) {
    return (c->flags & CLIENT_REPLAY) != 0;
}

/* MAXLEN / MINID [= | ~] threshold at argv[i]; returns the index of the
 * threshold, or -1 after an error reply. */
static int parse_trim_strategy(client *c, add_trim_args *a, int i) {
    int moreargs = c->argc - 1 - i;
    int maxlen = strcasecmp(c->argv[i], "maxlen") == 0;
    if (a->trim.strategy != STREAM_TRIM_NONE) {
        reply_error(c, "syntax error, MAXLEN and MINID options at the same time are not compatible");
        return -1;
    }
    const sds next = c->argv[i + 1];
    a->trim.approx = 0;
    if (moreargs >= 2 && (next[0] == '~' || next[0] == '=') && next[1] == '\0') {
        a->trim.approx = next[0] == '~';
        i++;
    }
    i++;
    if (maxlen) {
        if (!string2ll(c->argv[i], sds_len(c->argv[i]), &a->trim.maxlen)) {
            reply_error_not_integer(c);
            return -1;
        }
        if (a->trim.maxlen < 0) {
            reply_error(c, "The MAXLEN argument must be >= 0.");
            return -1;
        }
        a->trim.strategy = STREAM_TRIM_MAXLEN;
    } else {
        if (stream_parse_id_or_reply(c, c->argv[i], &a->trim.minid, 0, 1, NULL) != 0) return -1;
        a->trim.strategy = STREAM_TRIM_MINID;
    }
    a->threshold_idx = i;
    return i;
}

/* Checks LIMIT against the strategy and sets the default limit of an
 * approximate trim. Returns 0, or -1 after an error reply. */
static int settle_trim_limit(client *c, add_trim_args *a, int xadd, int limit_given) {
    if (a->trim.limit && a->trim.strategy == STREAM_TRIM_NONE) {
        reply_error(c, "syntax error, LIMIT cannot be used without specifying a trimming strategy");
        return -1;
    }
    if (!xadd && a->trim.strategy == STREAM_TRIM_NONE) {
        reply_error(c, "syntax error, XTRIM must be called with a trimming strategy");
        return -1;
    }
    if (client_replays(c)) {
        a->trim.limit = 0;
    } else if (limit_given) {
        if (!a->trim.approx) {
            reply_error(c, "syntax error, LIMIT cannot be used without the special ~ option");
            return -1;
        }
    } else if (a->trim.approx) {
        long long limit = STREAM_TRIM_DEFAULT_LIMIT_NODES * cfg.stream_node_max_entries;
        if (limit <= 0) limit = STREAM_TRIM_DEFAULT_LIMIT_UNBOUNDED_NODES;
        if (limit > STREAM_TRIM_DEFAULT_LIMIT_CAP) limit = STREAM_TRIM_DEFAULT_LIMIT_CAP;
        a->trim.limit = limit;
    } else {
        a->trim.limit = 0;
    }
    return 0;
}

/* Parses XADD's (xadd) or XTRIM's options from argv[2]. Returns the index
 * of XADD's ID argument (or where XTRIM's options ended), or -1 after an
 * error reply. */
static int parse_add_trim_args(client *c, add_trim_args *a, int xadd) {
    memset(a, 0, sizeof(*a));
    a->trim.strategy = STREAM_TRIM_NONE;
    a->seq_given = 1;
    int limit_given = 0, i;
    for (i = 2; i < c->argc; i++) {
        int moreargs = c->argc - 1 - i;
        const sds opt = c->argv[i];
        if (xadd && opt[0] == '*' && opt[1] == '\0') {
            break; /* the common case: an automatic ID */
        } else if ((strcasecmp(opt, "maxlen") == 0 || strcasecmp(opt, "minid") == 0) && moreargs) {
            if ((i = parse_trim_strategy(c, a, i)) < 0) return -1;
        } else if (strcasecmp(opt, "limit") == 0 && moreargs) {
            if (!string2ll(c->argv[i + 1], sds_len(c->argv[i + 1]), &a->trim.limit)) {
                reply_error_not_integer(c);
                return -1;
            }
            if (a->trim.limit < 0) {
                reply_error(c, "The LIMIT argument must be >= 0.");
                return -1;
            }
            limit_given = 1;
            i++;
        } else if (xadd && strcasecmp(opt, "nomkstream") == 0) {
            a->no_mkstream = 1;
        } else if (xadd) {
            if (stream_parse_id_or_reply(c, opt, &a->id, 0, 1, &a->seq_given) != 0) return -1;
            a->id_given = 1;
            break;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    if (settle_trim_limit(c, a, xadd, limit_given) != 0) return -1;
    return i;
}

/* An approximate trim replays as the exact one it amounted to: "=" for
 * "~" and the threshold the stream now meets (its length, or its first
 * ID), as Redis rewrites it. Copies c's argv into the effect. */
static void propagate_rewritten(client *c, const add_trim_args *a, stream *s, int id_idx, const stream_id *added) {
    if (!prop_active()) return;
    sds *argv = zmalloc(sizeof(sds) * (size_t)c->argc);
    for (int i = 0; i < c->argc; i++) argv[i] = sds_dup(c->argv[i]);
    char buf[STREAM_ID_STR_LEN];
    if (a->trim.approx) {
        int t = a->threshold_idx;
        sds_free(argv[t - 1]);
        argv[t - 1] = sds_new("=");
        sds_free(argv[t]);
        if (a->trim.strategy == STREAM_TRIM_MAXLEN) {
            argv[t] = sds_from_ll((long long)s->length);
        } else {
            stream_id first;
            stream_first_id_with_tombstones(s, &first);
            argv[t] = sds_new_len(buf, (size_t)stream_id_format(buf, &first));
        }
    }
    if (added) {
        sds_free(argv[id_idx]);
        argv[id_idx] = sds_new_len(buf, (size_t)stream_id_format(buf, added));
    }
    prop_replace(c, c->argc, argv);
}

/* ------------------------------------------------------------ XADD */

/* The stream at key for a write, created when missing unless no_create.
 * NULL when missing (nothing replied... but the null reply for
 * NOMKSTREAM) or of another type (WRONGTYPE replied). */
static robj *lookup_write_or_create(client *c, const sds key, int no_create) {
    robj *o = db_lookup_write(c->db, key);
    if (db_check_type(c, o, OBJ_STREAM)) return NULL;
    if (o) return o;
    if (no_create) {
        reply_null(c);
        return NULL;
    }
    o = stream_create_object();
    db_add(c->db, key, o);
    return o;
}

static void xadd_command(client *c) {
    add_trim_args a;
    int id_idx = parse_add_trim_args(c, &a, 1);
    if (id_idx < 0) return;
    int fields_idx = id_idx + 1;
    if (c->argc - fields_idx < 2 || (c->argc - fields_idx) % 2 == 1) {
        reply_error_arity(c);
        return;
    }
    /* Refused before a new stream could be left empty behind. */
    if (a.id_given && a.seq_given && a.id.ms == 0 && a.id.seq == 0) {
        reply_error(c, "The ID specified in XADD must be greater than 0-0");
        return;
    }
    robj *o = lookup_write_or_create(c, c->argv[1], a.no_mkstream);
    if (!o) return;
    stream *s = o->ptr;
    if (s->last_id.ms == UINT64_MAX && s->last_id.seq == UINT64_MAX) {
        reply_error(c, "The stream has exhausted the last possible ID, unable to add more items");
        return;
    }
    stream_limits lim;
    stream_current_limits(&lim);
    stream_id id;
    if (stream_append(s, c->argv + fields_idx, (c->argc - fields_idx) / 2, &id, a.id_given ? &a.id : NULL,
                      a.seq_given, db_now_ms(), &lim) != 0) {
        if (errno == EDOM)
            reply_error(c, "The ID specified in XADD is equal or smaller than the target stream top item");
        else
            reply_error(c, "Elements are too large to be stored");
        return;
    }
    stream_reply_id(c, &id);
    db_signal_modified(c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_STREAM, "xadd", c->argv[1], c->db->id);
    db_dirty(1);
    if (a.trim.strategy != STREAM_TRIM_NONE && stream_trim(s, &a.trim))
        notify_keyspace_event(NOTIFY_STREAM, "xtrim", c->argv[1], c->db->id);
    int id_generated = !a.id_given || !a.seq_given;
    if (a.trim.approx || id_generated) propagate_rewritten(c, &a, s, id_idx, id_generated ? &id : NULL);
    blocking_signal_key(c->db, c->argv[1]);
}

/* ------------------------------------------------------------ XTRIM */

static void xtrim_command(client *c) {
    add_trim_args a;
    if (parse_add_trim_args(c, &a, 0) < 0) return;
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_STREAM)) return;
    if (!o) {
        reply_integer(c, 0);
        return;
    }
    stream *s = o->ptr;
    long long deleted = stream_trim(s, &a.trim);
    if (deleted) {
        notify_keyspace_event(NOTIFY_STREAM, "xtrim", c->argv[1], c->db->id);
        if (a.trim.approx) propagate_rewritten(c, &a, s, 0, NULL);
        db_signal_modified(c->db, c->argv[1]);
        db_dirty(deleted);
    }
    reply_integer(c, deleted);
}

/* ---------------------------------------------------- XRANGE, XREVRANGE */

static void range_generic(client *c, int rev) {
    const sds start_arg = rev ? c->argv[3] : c->argv[2];
    const sds end_arg = rev ? c->argv[2] : c->argv[3];
    stream_id start, end;
    if (stream_parse_interval_id_or_reply(c, start_arg, &start, NULL, 0) != 0) return;
    if (stream_parse_interval_id_or_reply(c, end_arg, &end, NULL, UINT64_MAX) != 0) return;
    long long count = -1;
    for (int j = 4; j < c->argc; j++) {
        if (strcasecmp(c->argv[j], "count") == 0 && j + 1 < c->argc) {
            if (!string2ll(c->argv[j + 1], sds_len(c->argv[j + 1]), &count)) {
                reply_error_not_integer(c);
                return;
            }
            if (count < 0) count = 0;
            j++;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_STREAM)) return;
    if (!o) {
        reply_array_len(c, 0);
        return;
    }
    if (count == 0) {
        reply_null_array(c);
        return;
    }
    stream_reply_range(c, o->ptr, &start, &end, count < 0 ? 0 : (size_t)count, rev, NULL, NULL);
}

static void xrange_command(client *c) {
    range_generic(c, 0);
}

static void xrevrange_command(client *c) {
    range_generic(c, 1);
}

/* ------------------------------------------------------------ XLEN */

static void xlen_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_STREAM)) return;
    reply_integer(c, o ? (long long)((stream *)o->ptr)->length : 0);
}

/* ------------------------------------------------------------ XDEL */

/* IDs parsed on the stack up to this many; more take one allocation. */
#define XDEL_STATIC_IDS 8

static void xdel_command(client *c) {
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_STREAM)) return;
    if (!o) {
        reply_integer(c, 0);
        return;
    }
    /* Every ID is checked before any entry goes. */
    int n = c->argc - 2;
    stream_id static_ids[XDEL_STATIC_IDS];
    stream_id *ids = n <= XDEL_STATIC_IDS ? static_ids : zmalloc(sizeof(stream_id) * (size_t)n);
    for (int j = 0; j < n; j++) {
        if (stream_parse_id_or_reply(c, c->argv[j + 2], &ids[j], 0, 1, NULL) != 0) goto done;
    }
    long long deleted = 0;
    for (int j = 0; j < n; j++) deleted += stream_delete_id(o->ptr, &ids[j]);
    if (deleted) {
        db_signal_modified(c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_STREAM, "xdel", c->argv[1], c->db->id);
        db_dirty(deleted);
    }
    reply_integer(c, deleted);
done:
    if (ids != static_ids) zfree(ids);
}

/* ------------------------------------------------------------ XSETID */

/* XSETID's options; returns 0, or -1 after an error reply. */
static int xsetid_parse_options(client *c, const stream_id *id, long long *entries_added, stream_id *max_xdel) {
    for (int i = 3; i < c->argc; i += 2) {
        int moreargs = c->argc - 1 - i;
        if (strcasecmp(c->argv[i], "entriesadded") == 0 && moreargs) {
            if (!string2ll(c->argv[i + 1], sds_len(c->argv[i + 1]), entries_added)) {
                reply_error_not_integer(c);
                return -1;
            }
            if (*entries_added < 0) {
                reply_error(c, "entries_added must be positive");
                return -1;
            }
        } else if (strcasecmp(c->argv[i], "maxdeletedid") == 0 && moreargs) {
            if (stream_parse_id_or_reply(c, c->argv[i + 1], max_xdel, 0, 1, NULL) != 0) return -1;
            if (stream_id_cmp(id, max_xdel) < 0) {
                reply_error(c, "The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                return -1;
            }
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    return 0;
}

static void xsetid_command(client *c) {
    stream_id id, max_xdel = {0, 0};
    long long entries_added = -1;
    if (stream_parse_id_or_reply(c, c->argv[2], &id, 0, 1, NULL) != 0) return;
    if (xsetid_parse_options(c, &id, &entries_added, &max_xdel) != 0) return;
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_STREAM)) return;
    if (!o) {
        reply_error(c, "no such key");
        return;
    }
    stream *s = o->ptr;
    /* With entries in it, the stream's IDs must stay increasing. */
    if (s->length > 0) {
        stream_id top;
        stream_last_valid_id(s, &top);
        if (stream_id_cmp(&id, &top) < 0) {
            reply_error(c, "The ID specified in XSETID is smaller than the target stream top item");
            return;
        }
        if (entries_added != -1 && s->length > (uint64_t)entries_added) {
            reply_error(c, "The entries_added specified in XSETID is smaller than the target stream length");
            return;
        }
    }
    s->last_id = id;
    if (entries_added != -1) s->entries_added = (uint64_t)entries_added;
    if (max_xdel.ms || max_xdel.seq) s->max_deleted_entry_id = max_xdel;
    reply_ok(c);
    db_signal_modified(c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_STREAM, "xsetid", c->argv[1], c->db->id);
    db_dirty(1);
}

/* ------------------------------------------------------------ table */

#define STREAM_KEY1 .first_key = 1, .last_key = 1, .key_step = 1

redis_command stream_commands[] = {
    {.name = "xadd", .proc = xadd_command, .arity = -5, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_STREAM, STREAM_KEY1, .ks_flags = KS_RW | KS_UPDATE,
     .ks_notes = "UPDATE instead of INSERT because of the optional trimming feature",
     .tips = "nondeterministic_output", .group = "stream", .since = "5.0.0",
     .summary = "Appends a new entry to a stream",
     .complexity = "O(1) when adding a new entry, O(N) when trimming where N being the number of entries "
                   "evicted."},
    {.name = "xrange", .proc = xrange_command, .arity = -4, .flags = CMD_READONLY, .acl = ACL_STREAM, STREAM_KEY1,
     .ks_flags = KS_RO | KS_ACCESS, .group = "stream", .since = "5.0.0",
     .summary = "Return a range of elements in a stream, with IDs matching the specified IDs interval",
     .complexity = "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking "
                   "for the first 10 elements with COUNT), you can consider it O(1)."},
    {.name = "xrevrange", .proc = xrevrange_command, .arity = -4, .flags = CMD_READONLY, .acl = ACL_STREAM,
     STREAM_KEY1, .ks_flags = KS_RO | KS_ACCESS, .group = "stream", .since = "5.0.0",
     .summary = "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse "
                "order (from greater to smaller IDs) compared to XRANGE",
     .complexity = "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for "
                   "the first 10 elements with COUNT), you can consider it O(1)."},
    {.name = "xlen", .proc = xlen_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_STREAM,
     STREAM_KEY1, .ks_flags = KS_RO, .group = "stream", .since = "5.0.0",
     .summary = "Return the number of entries in a stream", .complexity = "O(1)"},
    {.name = "xdel", .proc = xdel_command, .arity = -3, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_STREAM,
     STREAM_KEY1, .ks_flags = KS_RW | KS_DELETE, .group = "stream", .since = "5.0.0",
     .summary = "Removes the specified entries from the stream. Returns the number of items actually deleted, that "
                "may be different from the number of IDs passed in case certain IDs do not exist.",
     .complexity = "O(1) for each single item to delete in the stream, regardless of the stream size."},
    {.name = "xtrim", .proc = xtrim_command, .arity = -4, .flags = CMD_WRITE, .acl = ACL_STREAM, STREAM_KEY1,
     .ks_flags = KS_RW | KS_DELETE, .tips = "nondeterministic_output", .group = "stream", .since = "5.0.0",
     .summary = "Trims the stream to (approximately if '~' is passed) a certain size",
     .complexity = "O(N), with N being the number of evicted entries. Constant times are very small however, since "
                   "entries are organized in macro nodes containing multiple entries that can be released with a "
                   "single deallocation."},
    {.name = "xsetid", .proc = xsetid_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_STREAM, STREAM_KEY1, .ks_flags = KS_RW | KS_UPDATE, .group = "stream", .since = "5.0.0",
     .summary = "An internal command for replicating stream values", .complexity = "O(1)"},
    {0},
};
