/* t_stream_group.c -- stream reads and consumer groups: XREAD, XREADGROUP,
 * XGROUP, XACK, XPENDING (XCLAIM and XAUTOCLAIM live in t_stream_claim.c).
 *
 * Owns the commands, never the structure: groups, consumers and PELs are
 * changed only through stream.h and rax.h. Every group change is
 * propagated as Redis 7.0 propagates it (XREADGROUP as one XCLAIM per
 * delivered entry, NOACK reads as XGROUP SETID...), so the handlers always
 * suppress their own argv and add explicit effects. A blocked XREAD /
 * XREADGROUP waits in blocking.c and is simply run again when a key is
 * signalled; "$" is replaced in its argv by the ID it meant when it blocked. */
#include "t_stream_group.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "db.h"
#include "monotonic.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "script.h"
#include "util.h"
#include "zmalloc.h"
#include "vclock.h"

/* A blocked read served without COUNT returns at most this many entries
 * per stream, as in Redis (a low ID must not flood the client). */
#define XREAD_BLOCKED_DEFAULT_COUNT 1000
/* Streams read without allocating the per-stream arrays. */
#define XREAD_STATIC_STREAMS 8

/* ---------------------------------------------------------- shared helpers */

int sgroup_parse_ll(client *c, const sds arg, long long *v, const char *err) {
    if (string2ll(arg, sds_len(arg), v)) return 0;
    if (err) reply_error(c, err);
    else reply_error_not_integer(c);
    return -1;
}

int sgroup_entry_exists(stream *s, const stream_id *id) {
    if (s->length == 0 || stream_id_cmp(id, &s->first_id) < 0 || stream_id_cmp(id, &s->last_id) > 0) return 0;
    stream_iter it;
    stream_id found;
    int64_t numfields;
    stream_iter_start(&it, s, id, id, 0);
    int exists = stream_iter_next(&it, &found, &numfields);
    stream_iter_stop(&it);
    return exists;
}

/* Replies the current entry of it as [id, [field, value, ...]]. */
static void sgroup_reply_current(client *c, stream_iter *it, const stream_id *id, int64_t numfields) {
    reply_array_len(c, 2);
    stream_reply_id(c, id);
    reply_array_len(c, (long)numfields * 2);
    while (numfields--) {
        const unsigned char *f, *v;
        size_t flen, vlen;
        stream_iter_field(it, &f, &flen, &v, &vlen);
        reply_bulk(c, (const char *)f, flen);
        reply_bulk(c, (const char *)v, vlen);
    }
}

int sgroup_reply_entry(client *c, stream *s, const stream_id *id) {
    stream_iter it;
    stream_id found;
    int64_t numfields;
    stream_iter_start(&it, s, id, id, 0);
    int exists = stream_iter_next(&it, &found, &numfields);
    if (exists) sgroup_reply_current(c, &it, &found, numfields);
    stream_iter_stop(&it);
    return exists;
}

stream_consumer *sgroup_consumer(stream_cg *cg, const sds name, const sds key, int dbid, long long now,
                                 int *created) {
    stream_consumer *consumer = stream_lookup_consumer(cg, (const unsigned char *)name, sds_len(name));
    if (created) *created = consumer == NULL;
    if (consumer) {
        consumer->seen_time = now;
        return consumer;
    }
    consumer = stream_create_consumer(cg, (const unsigned char *)name, sds_len(name), now);
    db_dirty(1);
    notify_keyspace_event(NOTIFY_STREAM, "xgroup-createconsumer", key, dbid);
    return consumer;
}

void sgroup_nack_unlink(stream_cg *cg, const unsigned char key[16], stream_nack *nack) {
    rax_remove(cg->pel, key, 16, NULL);
    rax_remove(nack->consumer->pel, key, 16, NULL);
    stream_nack_free(nack);
}

void sgroup_prop_xclaim(int dbid, const sds key, const sds group, const char *id, size_t idlen, const stream_cg *cg,
                        const stream_nack *nack) {
    if (!prop_active()) return;
    char last[STREAM_ID_STR_LEN];
    int lastlen = stream_id_format(last, &cg->last_id);
    prop_addf(dbid, "cssscbclclcccb", "XCLAIM", key, group, nack->consumer->name, "0", id, idlen, "TIME",
              nack->delivery_time, "RETRYCOUNT", (long long)nack->delivery_count, "FORCE", "JUSTID", "LASTID",
              last, (size_t)lastlen);
}

void sgroup_prop_setid(int dbid, const sds key, const sds group, const stream_cg *cg) {
    if (!prop_active()) return;
    char last[STREAM_ID_STR_LEN];
    int lastlen = stream_id_format(last, &cg->last_id);
    prop_addf(dbid, "ccssbcl", "XGROUP", "SETID", key, group, last, (size_t)lastlen, "ENTRIESREAD", cg->entries_read);
}

/* ---------------------------------------------------------- XREAD parsing */

struct xread_args {
    long long count;      /* 0: no limit */
    long long deadline;   /* -1: no BLOCK; 0: forever; else unix ms */
    int noack;
    int streams_arg;      /* index of the first key */
    int nstreams;
    sds group, consumer;  /* XREADGROUP only (borrowed from argv) */
};

/* BLOCK's milliseconds, as Redis reads a timeout in ms (an integer). */
static int xread_parse_timeout(client *c, const sds arg, long long *deadline) {
    long long ms;
    if (!string2ll(arg, sds_len(arg), &ms)) {
        reply_error(c, "timeout is not an integer or out of range");
        return -1;
    }
    if (ms < 0) {
        reply_error(c, "timeout is negative");
        return -1;
    }
    if (ms > 0) {
        long long now = vclock_ms();
        if (ms > LLONG_MAX - now) {
            reply_error(c, "timeout is out of range");
            return -1;
        }
        ms += now;
    }
    *deadline = ms;
    return 0;
}

/* The options before STREAMS, in Redis's order of checks. */
static int xread_parse(client *c, int group_cmd, struct xread_args *a) {
    memset(a, 0, sizeof(*a));
    a->deadline = -1;
    for (int i = 1; i < c->argc; i++) {
        int more = c->argc - i - 1;
        const char *o = c->argv[i];
        if (!strcasecmp(o, "BLOCK") && more) {
            /* Refused outright in scripts, as Redis keeps doing for
             * compatibility (MULTI and others just do not block). */
            script_run *sr = script_current();
            if (sr && sr->sc == c) {
                reply_error_format(c, "%s command is not allowed with BLOCK option from scripts", c->argv[0]);
                return -1;
            }
            if (xread_parse_timeout(c, c->argv[++i], &a->deadline)) return -1;
        } else if (!strcasecmp(o, "COUNT") && more) {
            if (sgroup_parse_ll(c, c->argv[++i], &a->count, NULL)) return -1;
            if (a->count < 0) a->count = 0;
        } else if (!strcasecmp(o, "STREAMS") && more) {
            a->streams_arg = i + 1;
            int n = c->argc - a->streams_arg;
            if (n % 2) {
                reply_error(c, "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
                               "specified.");
                return -1;
            }
            a->nstreams = n / 2;
            break;
        } else if (!strcasecmp(o, "GROUP") && more >= 2) {
            if (!group_cmd) {
                reply_error(c, "The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                return -1;
            }
            a->group = c->argv[i + 1];
            a->consumer = c->argv[i + 2];
            i += 2;
        } else if (!strcasecmp(o, "NOACK")) {
            if (!group_cmd) {
                reply_error(c, "The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                return -1;
            }
            a->noack = 1;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    if (a->streams_arg == 0) {
        reply_error_syntax(c);
        return -1;
    }
    if (group_cmd && a->group == NULL) {
        reply_error(c, "Missing GROUP option for XREADGROUP");
        return -1;
    }
    return 0;
}

/* What one stream of a read resolves to. */
struct xread_stream {
    stream *s;      /* NULL: key missing (or skipped while waiting) */
    stream_cg *cg;  /* XREADGROUP's group */
    stream_id id;   /* serve entries after this one */
    int new_only;   /* ">" */
    int dollar;     /* "$" resolved to id (rewritten if the client blocks) */
};

/* A waiting client run again finds its key gone, retyped, or its group
 * destroyed: XREADGROUP is unblocked with Redis's errors, XREAD waits on. */
static int xread_resolve_waiting(client *c, const struct xread_args *a, robj *o, struct xread_stream *st) {
    if (o == NULL || o->type != OBJ_STREAM) {
        if (!a->group) return 0;
        reply_error(c, "-UNBLOCKED the stream key no longer exists");
        return -1;
    }
    st->s = o->ptr;
    if (a->group) {
        st->cg = stream_lookup_cg(st->s, (const unsigned char *)a->group, sds_len(a->group));
        if (st->cg == NULL) {
            reply_error(c, "-NOGROUP the consumer group this client was blocked on no longer exists");
            return -1;
        }
    }
    return 1;
}

/* Looks up every key and parses every ID; replies the first error. */
static int xread_resolve(client *c, const struct xread_args *a, struct xread_stream *st) {
    int waiting = blocking_is_reexecution(c);
    for (int i = 0; i < a->nstreams; i++) {
        sds key = c->argv[a->streams_arg + i];
        sds arg = c->argv[a->streams_arg + a->nstreams + i];
        struct xread_stream *x = &st[i];
        memset(x, 0, sizeof(*x));
        robj *o = db_lookup_read(c->db, key);
        if (waiting) {
            int r = xread_resolve_waiting(c, a, o, x);
            if (r < 0) return -1;
        } else {
            if (o && db_check_type(c, o, OBJ_STREAM)) return -1;
            if (o) x->s = o->ptr;
            if (a->group) {
                if (x->s) x->cg = stream_lookup_cg(x->s, (const unsigned char *)a->group, sds_len(a->group));
                if (x->cg == NULL) {
                    reply_error_format(c,
                                       "-NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with "
                                       "GROUP option",
                                       key, a->group);
                    return -1;
                }
            }
        }
        if (arg[0] == '$' && arg[1] == '\0') {
            if (a->group) {
                reply_error(c, "The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
                               "of this consumer by specifying a proper ID, or use the > ID to get new messages. "
                               "The $ ID would just return an empty result set.");
                return -1;
            }
            if (x->s) x->id = x->s->last_id;
            x->dollar = 1;
            continue;
        }
        if (arg[0] == '>' && arg[1] == '\0') {
            if (!a->group) {
                reply_error(c, "The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
                               "<consumer> option.");
                return -1;
            }
            x->new_only = 1;
            continue;
        }
        if (stream_parse_id_or_reply(c, arg, &x->id, 0, 1, NULL)) return -1;
        /* Redis stands ">" for the largest ID, so that ID reads new
         * entries too. */
        if (a->group && x->id.ms == UINT64_MAX && x->id.seq == UINT64_MAX) x->new_only = 1;
    }
    return 0;
}

/* Whether stream x has something for this read now (Redis's "serve
 * synchronously"); history reads of a group always do. A waiting client
 * is served, as in Redis, once the stream's last ID passes its own, even
 * if the entries after it were deleted meanwhile (an empty read). */
static int xread_has_data(struct xread_stream *x, int waiting) {
    if (x->s == NULL) return 0;
    if (x->cg && !x->new_only) return 1;
    const stream_id *after = x->cg ? &x->cg->last_id : &x->id;
    if (stream_id_cmp(&x->s->last_id, after) <= 0) return 0;
    if (waiting) {
        if (x->cg) x->id = x->cg->last_id;
        return 1;
    }
    if (x->s->length == 0) return 0;
    stream_id maxid;
    stream_last_valid_id(x->s, &maxid);
    if (stream_id_cmp(&maxid, after) <= 0) return 0;
    if (x->cg) x->id = x->cg->last_id;
    return 1;
}

/* ---------------------------------------------------------- serving */

/* A group read of one stream: what every delivered entry needs. */
struct group_read {
    client *c;
    sds key;
    sds group;
    stream_cg *cg;
    stream_consumer *consumer;
    int noack;
    long long now;
};

/* Moves the group past id (Redis's entries_read bookkeeping). */
static void group_advance(stream *s, stream_cg *cg, const stream_id *id) {
    if (cg->entries_read != STREAM_CG_ENTRIES_READ_INVALID && !stream_range_has_tombstones(s, id, NULL))
        cg->entries_read++;
    else if (s->entries_added)
        cg->entries_read = stream_estimate_distance_from_first_ever_entry(s, id);
    cg->last_id = *id;
}

/* Adds id to the PELs for the reading consumer (or hands an entry already
 * pending, after XGROUP SETID moved the group back, to it), then
 * propagates the delivery as XCLAIM. */
static void group_deliver(struct group_read *g, const stream_id *id) {
    unsigned char key[16];
    stream_id_encode(key, id);
    stream_nack *nack = stream_nack_new(g->consumer, g->now);
    void *old;
    if (rax_try_insert(g->cg->pel, key, 16, nack, &old)) {
        rax_insert(g->consumer->pel, key, 16, nack, NULL);
    } else {
        stream_nack_free(nack);
        nack = old;
        rax_remove(nack->consumer->pel, key, 16, NULL);
        nack->consumer = g->consumer;
        nack->delivery_time = g->now;
        nack->delivery_count = 1;
        rax_insert(g->consumer->pel, key, 16, nack, NULL);
    }
    if (prop_active()) {
        char idbuf[STREAM_ID_STR_LEN];
        int len = stream_id_format(idbuf, id);
        sgroup_prop_xclaim(g->c->db->id, g->key, g->group, idbuf, (size_t)len, g->cg, nack);
    }
}

/* Replies entries after start (exclusive), at most count, as an array;
 * with a group, advances it and fills the PELs. */
static void xread_reply_new(client *c, stream *s, const stream_id *after, long long count, int nonempty,
                            struct group_read *g) {
    stream_id start = *after;
    if (stream_id_incr(&start)) {
        reply_array_len(c, 0);
        return;
    }
    /* When the caller saw an entry after start, COUNT 1 (the usual queue
     * read) replies exactly one: no deferred length to reserve. */
    int one = nonempty && count == 1;
    void *len_node = NULL;
    if (one) reply_array_len(c, 1);
    else len_node = reply_deferred_len(c);
    long n = 0;
    int set_id = 0;
    stream_iter it;
    stream_id id;
    int64_t numfields;
    stream_iter_start(&it, s, &start, NULL, 0);
    while (stream_iter_next(&it, &id, &numfields)) {
        if (g && stream_id_cmp(&id, &g->cg->last_id) > 0) {
            group_advance(s, g->cg, &id);
            if (g->noack) set_id = 1;
        }
        sgroup_reply_current(c, &it, &id, numfields);
        if (g && !g->noack) group_deliver(g, &id);
        n++;
        if (count && n == count) break;
    }
    stream_iter_stop(&it);
    if (!one) reply_set_deferred_array_len(c, len_node, n);
    if (set_id) sgroup_prop_setid(c->db->id, g->key, g->group, g->cg);
}

/* XREADGROUP with an ID: the consumer's own pending entries after it,
 * each delivered once more (a deleted one shows as [id, nil]). */
static void xread_reply_history(client *c, stream *s, const stream_id *after, long long count,
                                struct group_read *g) {
    stream_id start = *after;
    if (stream_id_incr(&start)) {
        reply_array_len(c, 0);
        return;
    }
    unsigned char key[16];
    stream_id_encode(key, &start);
    void *len_node = reply_deferred_len(c);
    long n = 0;
    rax_iter ri;
    rax_start(&ri, g->consumer->pel);
    rax_seek(&ri, ">=", key, 16);
    while ((!count || n < count) && rax_next(&ri)) {
        stream_id id;
        stream_id_decode(ri.key, &id);
        if (sgroup_reply_entry(c, s, &id)) {
            stream_nack *nack = ri.data;
            nack->delivery_time = g->now;
            nack->delivery_count++;
        } else {
            reply_array_len(c, 2);
            stream_reply_id(c, &id);
            reply_null_array(c);
        }
        n++;
    }
    rax_stop(&ri);
    reply_set_deferred_array_len(c, len_node, n);
}

/* Serves one stream of a read: [key, entries] (RESP2) or key => entries
 * (RESP3, inside the caller's map). */
static void xread_serve(client *c, const struct xread_args *a, int i, struct xread_stream *x, long long count) {
    sds key = c->argv[a->streams_arg + i];
    if (c->resp == 2) reply_array_len(c, 2);
    reply_bulk_sds(c, key);
    if (x->cg == NULL) {
        xread_reply_new(c, x->s, &x->id, count, !blocking_is_reexecution(c), NULL);
        return;
    }
    struct group_read g = {.c = c, .key = key, .group = a->group, .cg = x->cg, .noack = a->noack,
                           .now = vclock_ms()};
    int created;
    g.consumer = sgroup_consumer(x->cg, a->consumer, key, c->db->id, g.now, &created);
    /* A NOACK read leaves no XCLAIM to create the consumer on replicas. */
    if (created && a->noack)
        prop_addf(c->db->id, "ccsss", "XGROUP", "CREATECONSUMER", key, a->group, a->consumer);
    if (x->new_only) xread_reply_new(c, x->s, &x->id, count, !blocking_is_reexecution(c), &g);
    else xread_reply_history(c, x->s, &x->id, count, &g);
    db_dirty(1);
}

/* Replaces each "$" of a client about to wait by the ID it stood for, so
 * running the command again later reads from the same place. */
static void xread_pin_dollars(client *c, const struct xread_args *a, const struct xread_stream *st) {
    for (int i = 0; i < a->nstreams; i++) {
        if (!st[i].dollar) continue;
        char buf[STREAM_ID_STR_LEN];
        int len = stream_id_format(buf, &st[i].id);
        int idx = a->streams_arg + a->nstreams + i;
        sds_free(c->argv[idx]);
        c->argv[idx] = sds_new_len(buf, (size_t)len);
    }
}

static void xread_generic(client *c, int group_cmd) {
    struct xread_args a;
    if (xread_parse(c, group_cmd, &a)) return;
    struct xread_stream static_st[XREAD_STATIC_STREAMS];
    struct xread_stream *st = a.nstreams <= XREAD_STATIC_STREAMS ? static_st : zmalloc(sizeof(*st) * (size_t)a.nstreams);
    if (group_cmd) prop_prevent(c);
    if (xread_resolve(c, &a, st)) goto done;
    long long count = a.count;
    int waiting = blocking_is_reexecution(c);
    const char *served_key = blocking_served_key(c);
    if (count == 0 && waiting) count = XREAD_BLOCKED_DEFAULT_COUNT;
    void *len_node = NULL;
    long served = 0;
    for (int i = 0; i < a.nstreams; i++) {
        /* A waiter is answered from the key that woke it, and only once. */
        if (served_key && (served || strcmp(c->argv[a.streams_arg + i], served_key) != 0)) continue;
        if (!xread_has_data(&st[i], waiting)) continue;
        if (served++ == 0) {
            if (a.nstreams > 1) len_node = reply_deferred_len(c);
            else if (c->resp == 2) reply_array_len(c, 1);
            else reply_map_len(c, 1);
        }
        xread_serve(c, &a, i, &st[i], count);
    }
    if (served) {
        if (len_node && c->resp == 2) reply_set_deferred_array_len(c, len_node, served);
        else if (len_node) reply_set_deferred_map_len(c, len_node, served);
        goto done;
    }
    if (a.deadline == -1) {
        reply_null_array(c);
        goto done;
    }
    int was_blocked = (c->flags & CLIENT_BLOCKED) != 0;
    blocking_block(c, c->argv + a.streams_arg, a.nstreams, a.deadline, BLOCK_REPLY_NULL_ARRAY);
    if (!was_blocked && (c->flags & CLIENT_BLOCKED)) {
        xread_pin_dollars(c, &a, st);
        if (group_cmd) blocking_wake_on_delete(c);
    }
done:
    if (st != static_st) zfree(st);
}

static void xread_command(client *c) {
    xread_generic(c, 0);
}

static void xreadgroup_command(client *c) {
    xread_generic(c, 1);
}

/* ---------------------------------------------------------- XGROUP */

static const char *xgroup_help_lines[] = {
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    NULL,
};

static void xgroup_help_command(client *c) {
    reply_help(c, xgroup_help_lines);
}

/* "-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try
 * XGROUP HELP." with the subcommand as the client wrote it. */
static void xgroup_syntax_error(client *c) {
    reply_error_format(c, "unknown subcommand or wrong number of arguments for '%.128s'. Try XGROUP HELP.",
                       c->argv[1]);
}

/* MKSTREAM and ENTRIESREAD after CREATE's / SETID's ID. */
static int xgroup_parse_options(client *c, int allow_mkstream, int *mkstream, long long *entries_read) {
    *mkstream = 0;
    *entries_read = STREAM_CG_ENTRIES_READ_INVALID;
    for (int i = 5; i < c->argc; i++) {
        if (allow_mkstream && !strcasecmp(c->argv[i], "MKSTREAM")) {
            *mkstream = 1;
        } else if (!strcasecmp(c->argv[i], "ENTRIESREAD") && i + 1 < c->argc) {
            if (sgroup_parse_ll(c, c->argv[++i], entries_read, NULL)) return -1;
            if (*entries_read < 0 && *entries_read != STREAM_CG_ENTRIES_READ_INVALID) {
                reply_error(c, "value for ENTRIESREAD must be positive or -1");
                return -1;
            }
        } else {
            xgroup_syntax_error(c);
            return -1;
        }
    }
    return 0;
}

/* The stream at argv[2], which XGROUP's subcommands need to exist (unless
 * mkstream): NULL with the error replied. */
static stream *xgroup_stream(client *c, int mkstream, int *missing) {
    robj *o = db_lookup_write(c->db, c->argv[2]);
    *missing = 0;
    if (o && db_check_type(c, o, OBJ_STREAM)) return NULL;
    if (o) return o->ptr;
    if (mkstream) {
        *missing = 1;
        return NULL;
    }
    reply_error(c, "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the "
                   "MKSTREAM option to create an empty stream automatically.");
    return NULL;
}

/* The group argv[3] of s, or NULL with Redis's NOGROUP error. */
static stream_cg *xgroup_group(client *c, stream *s) {
    stream_cg *cg = stream_lookup_cg(s, (const unsigned char *)c->argv[3], sds_len(c->argv[3]));
    if (cg == NULL)
        reply_error_format(c, "-NOGROUP No such consumer group '%s' for key name '%s'", c->argv[3], c->argv[2]);
    return cg;
}

static void xgroup_create_command(client *c) {
    int mkstream, missing;
    long long entries_read;
    if (xgroup_parse_options(c, 1, &mkstream, &entries_read)) return;
    stream *s = xgroup_stream(c, mkstream, &missing);
    if (s == NULL && !missing) return;
    if (c->argc > 8) {
        xgroup_syntax_error(c);
        return;
    }
    stream_id id = {0, 0};
    if (!strcmp(c->argv[4], "$")) {
        if (s) id = s->last_id;
    } else if (stream_parse_id_or_reply(c, c->argv[4], &id, 0, 1, NULL)) {
        return;
    }
    if (s == NULL) {
        robj *o = stream_create_object();
        db_add(c->db, c->argv[2], o);
        s = o->ptr;
    }
    if (stream_create_cg(s, (const unsigned char *)c->argv[3], sds_len(c->argv[3]), &id, entries_read) == NULL) {
        reply_error(c, "-BUSYGROUP Consumer Group name already exists");
        return;
    }
    reply_ok(c);
    db_dirty(1);
    notify_keyspace_event(NOTIFY_STREAM, "xgroup-create", c->argv[2], c->db->id);
}

static void xgroup_setid_command(client *c) {
    int mkstream, missing;
    long long entries_read;
    if (c->argc != 5 && c->argc != 7) {
        xgroup_syntax_error(c);
        return;
    }
    if (xgroup_parse_options(c, 0, &mkstream, &entries_read)) return;
    stream *s = xgroup_stream(c, 0, &missing);
    if (s == NULL) return;
    stream_cg *cg = xgroup_group(c, s);
    if (cg == NULL) return;
    stream_id id;
    if (!strcmp(c->argv[4], "$")) id = s->last_id;
    else if (stream_parse_id_or_reply(c, c->argv[4], &id, 0, 0, NULL)) return;
    cg->last_id = id;
    cg->entries_read = entries_read;
    reply_ok(c);
    db_dirty(1);
    notify_keyspace_event(NOTIFY_STREAM, "xgroup-setid", c->argv[2], c->db->id);
}

static void xgroup_destroy_command(client *c) {
    int missing;
    stream *s = xgroup_stream(c, 0, &missing);
    if (s == NULL) return;
    if (!stream_destroy_cg(s, (const unsigned char *)c->argv[3], sds_len(c->argv[3]))) {
        reply_integer(c, 0);
        return;
    }
    reply_integer(c, 1);
    db_dirty(1);
    notify_keyspace_event(NOTIFY_STREAM, "xgroup-destroy", c->argv[2], c->db->id);
    /* Clients blocked in XREADGROUP on this group get -NOGROUP. */
    blocking_signal_key(c->db, c->argv[2]);
}

static void xgroup_createconsumer_command(client *c) {
    int missing;
    stream *s = xgroup_stream(c, 0, &missing);
    if (s == NULL) return;
    stream_cg *cg = xgroup_group(c, s);
    if (cg == NULL) return;
    sds name = c->argv[4];
    if (stream_create_consumer(cg, (const unsigned char *)name, sds_len(name), vclock_ms()) == NULL) {
        reply_integer(c, 0);
        return;
    }
    reply_integer(c, 1);
    db_dirty(1);
    notify_keyspace_event(NOTIFY_STREAM, "xgroup-createconsumer", c->argv[2], c->db->id);
}

static void xgroup_delconsumer_command(client *c) {
    int missing;
    stream *s = xgroup_stream(c, 0, &missing);
    if (s == NULL) return;
    stream_cg *cg = xgroup_group(c, s);
    if (cg == NULL) return;
    stream_consumer *consumer = stream_lookup_consumer(cg, (const unsigned char *)c->argv[4], sds_len(c->argv[4]));
    long long pending = 0;
    if (consumer) {
        pending = (long long)stream_delete_consumer(cg, consumer);
        db_dirty(1);
        notify_keyspace_event(NOTIFY_STREAM, "xgroup-delconsumer", c->argv[2], c->db->id);
    }
    reply_integer(c, pending);
}

/* ---------------------------------------------------------- XACK */

#define XACK_STATIC_IDS 8

static void xack_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o && db_check_type(c, o, OBJ_STREAM)) return;
    stream_cg *cg = o ? stream_lookup_cg(o->ptr, (const unsigned char *)c->argv[2], sds_len(c->argv[2])) : NULL;
    if (cg == NULL) {
        reply_integer(c, 0);
        return;
    }
    /* All IDs are checked before any is acknowledged: all or nothing. */
    int n = c->argc - 3;
    stream_id static_ids[XACK_STATIC_IDS];
    stream_id *ids = n <= XACK_STATIC_IDS ? static_ids : zmalloc(sizeof(stream_id) * (size_t)n);
    long long acked = 0;
    for (int j = 0; j < n; j++)
        if (stream_parse_id_or_reply(c, c->argv[3 + j], &ids[j], 0, 1, NULL)) goto done;
    for (int j = 0; j < n; j++) {
        unsigned char key[16];
        stream_id_encode(key, &ids[j]);
        void *old;
        /* One walk of the group's PEL finds and removes the nack. */
        if (!rax_remove(cg->pel, key, 16, &old)) continue;
        stream_nack *nack = old;
        rax_remove(nack->consumer->pel, key, 16, NULL);
        stream_nack_free(nack);
        acked++;
    }
    db_dirty(acked);
    reply_integer(c, acked);
done:
    if (ids != static_ids) zfree(ids);
}

/* ---------------------------------------------------------- XPENDING */

/* XPENDING key group: [count, first, last, [[consumer, count], ...]]. */
static void xpending_summary(client *c, stream_cg *cg) {
    reply_array_len(c, 4);
    reply_integer(c, (long long)rax_size(cg->pel));
    if (rax_size(cg->pel) == 0) {
        reply_null(c);
        reply_null(c);
        reply_null_array(c);
        return;
    }
    rax_iter ri;
    stream_id id;
    rax_start(&ri, cg->pel);
    rax_seek(&ri, "^", NULL, 0);
    rax_next(&ri);
    stream_id_decode(ri.key, &id);
    stream_reply_id(c, &id);
    rax_seek(&ri, "$", NULL, 0);
    rax_next(&ri);
    stream_id_decode(ri.key, &id);
    stream_reply_id(c, &id);
    rax_stop(&ri);
    void *len_node = reply_deferred_len(c);
    long n = 0;
    rax_start(&ri, cg->consumers);
    rax_seek(&ri, "^", NULL, 0);
    while (rax_next(&ri)) {
        stream_consumer *consumer = ri.data;
        if (rax_size(consumer->pel) == 0) continue;
        reply_array_len(c, 2);
        reply_bulk(c, (const char *)ri.key, ri.key_len);
        reply_bulk_ll(c, (long long)rax_size(consumer->pel));
        n++;
    }
    rax_stop(&ri);
    reply_set_deferred_array_len(c, len_node, n);
}

struct xpending_range {
    stream_id start, end;
    long long count, min_idle;
    sds consumer; /* NULL: the whole group */
};

/* XPENDING key group [IDLE ms] start end count [consumer]: parsed before
 * the key is looked at, as Redis does. */
static int xpending_parse(client *c, struct xpending_range *r) {
    int idx = 3, ex;
    r->min_idle = 0;
    r->consumer = NULL;
    if (!strcasecmp(c->argv[3], "IDLE")) {
        if (sgroup_parse_ll(c, c->argv[4], &r->min_idle, NULL)) return -1;
        if (c->argc < 8) {
            reply_error_syntax(c);
            return -1;
        }
        idx += 2;
    }
    if (sgroup_parse_ll(c, c->argv[idx + 2], &r->count, NULL)) return -1;
    if (r->count < 0) r->count = 0;
    if (stream_parse_interval_id_or_reply(c, c->argv[idx], &r->start, &ex, 0)) return -1;
    if (stream_parse_interval_id_or_reply(c, c->argv[idx + 1], &r->end, &ex, UINT64_MAX)) return -1;
    if (idx + 3 < c->argc) r->consumer = c->argv[idx + 3];
    return 0;
}

static void xpending_range(client *c, stream_cg *cg, struct xpending_range *r) {
    rax *pel = cg->pel;
    if (r->consumer) {
        stream_consumer *consumer =
            stream_lookup_consumer(cg, (const unsigned char *)r->consumer, sds_len(r->consumer));
        if (consumer == NULL) {
            reply_array_len(c, 0);
            return;
        }
        pel = consumer->pel;
    }
    unsigned char startkey[16], endkey[16];
    stream_id_encode(startkey, &r->start);
    stream_id_encode(endkey, &r->end);
    long long now = vclock_ms();
    void *len_node = reply_deferred_len(c);
    long n = 0;
    rax_iter ri;
    rax_start(&ri, pel);
    rax_seek(&ri, ">=", startkey, 16);
    while (r->count && rax_next(&ri) && memcmp(ri.key, endkey, 16) <= 0) {
        stream_nack *nack = ri.data;
        long long idle = now - nack->delivery_time;
        if (r->min_idle && idle < r->min_idle) continue;
        r->count--;
        n++;
        stream_id id;
        stream_id_decode(ri.key, &id);
        reply_array_len(c, 4);
        stream_reply_id(c, &id);
        reply_bulk_sds(c, nack->consumer->name);
        reply_integer(c, idle < 0 ? 0 : idle);
        reply_integer(c, (long long)nack->delivery_count);
    }
    rax_stop(&ri);
    reply_set_deferred_array_len(c, len_node, n);
}

static void xpending_command(client *c) {
    if (c->argc != 3 && (c->argc < 6 || c->argc > 9)) {
        reply_error_syntax(c);
        return;
    }
    struct xpending_range r;
    if (c->argc >= 6 && xpending_parse(c, &r)) return;
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o && db_check_type(c, o, OBJ_STREAM)) return;
    stream_cg *cg = o ? stream_lookup_cg(o->ptr, (const unsigned char *)c->argv[2], sds_len(c->argv[2])) : NULL;
    if (cg == NULL) {
        reply_error_format(c, "-NOGROUP No such key '%s' or consumer group '%s'", c->argv[1], c->argv[2]);
        return;
    }
    if (c->argc == 3) xpending_summary(c, cg);
    else xpending_range(c, cg, &r);
}

/* ---------------------------------------------------------- table */

/* The complexities (not all O(1)) come from the generated command_docs_*.c. */
#define XGROUP_SUB(n, fn, ar, fl, ks, sum, ver)                                                                 \
    {.name = (n), .proc = (fn), .arity = (ar), .flags = (fl), .acl = ACL_STREAM, .first_key = 2, .last_key = 2, \
     .key_step = 1, .ks_flags = (ks), .group = "stream", .since = (ver), .summary = (sum)}

static redis_command xgroup_subcommands[] = {
    XGROUP_SUB("create", xgroup_create_command, -5, CMD_WRITE | CMD_DENYOOM, KS_RW | KS_INSERT,
               "Create a consumer group.", "5.0.0"),
    XGROUP_SUB("setid", xgroup_setid_command, -5, CMD_WRITE, KS_RW | KS_UPDATE,
               "Set a consumer group to an arbitrary last delivered ID value.", "5.0.0"),
    XGROUP_SUB("destroy", xgroup_destroy_command, 4, CMD_WRITE, KS_RW | KS_DELETE, "Destroy a consumer group.",
               "5.0.0"),
    XGROUP_SUB("createconsumer", xgroup_createconsumer_command, 5, CMD_WRITE | CMD_DENYOOM, KS_RW | KS_INSERT,
               "Create a consumer in a consumer group.", "6.2.0"),
    XGROUP_SUB("delconsumer", xgroup_delconsumer_command, 5, CMD_WRITE, KS_RW | KS_DELETE,
               "Delete a consumer from a consumer group.", "5.0.0"),
    {.name = "help", .proc = xgroup_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE, .acl = ACL_STREAM,
     .group = "stream", .since = "5.0.0", .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {0}};

#define XREAD_KEY_SPEC(kw, from)                                                                        \
    .key_specs = {{.flags = KS_RO | KS_ACCESS, .bs_keyword = (kw), .bs_startfrom = (from), .lastkey = -1, \
                   .keystep = 1, .limit = 2}}

redis_command stream_group_commands[] = {
    {.name = "xread", .proc = xread_command, .arity = -4, .flags = CMD_READONLY | CMD_BLOCKING | CMD_MOVABLE_KEYS,
     .acl = ACL_STREAM, XREAD_KEY_SPEC("STREAMS", 1), .group = "stream", .since = "5.0.0",
     .summary = "Return never seen elements in multiple streams, with IDs greater than the ones reported by the "
                "caller for each stream. Can block.",
     .complexity = "For each stream mentioned: O(N) with N being the number of elements being returned, it means "
                   "that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will "
                   "pay O(M) time in order to serve the M clients blocked on the stream getting new data."},
    {.name = "xreadgroup", .proc = xreadgroup_command, .arity = -7,
     .flags = CMD_WRITE | CMD_BLOCKING | CMD_MOVABLE_KEYS, .acl = ACL_STREAM, XREAD_KEY_SPEC("STREAMS", 4),
     .group = "stream", .since = "5.0.0",
     .summary = "Return new entries from a stream using a consumer group, or access the history of the pending "
                "entries for a given consumer. Can block.",
     .complexity = "For each stream mentioned: O(M) with M being the number of elements returned. If M is "
                   "constant (e.g. always asking for the first 10 elements with COUNT), you can consider it "
                   "O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to "
                   "serve the N clients blocked on the stream getting new data."},
    {.name = "xgroup", .arity = -2, .group = "stream", .since = "5.0.0",
     .summary = "A container for consumer groups commands", .complexity = "Depends on subcommand.",
     .subcommands = xgroup_subcommands},
    {.name = "xack", .proc = xack_command, .arity = -4, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_STREAM,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_UPDATE, .group = "stream",
     .since = "5.0.0",
     .summary = "Marks a pending message as correctly processed, effectively removing it from the pending entries "
                "list of the consumer group. Return value of the command is the number of messages successfully "
                "acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
     .complexity = "O(1) for each message ID processed."},
    {.name = "xpending", .proc = xpending_command, .arity = -3, .flags = CMD_READONLY, .acl = ACL_STREAM,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS,
     .tips = "nondeterministic_output", .group = "stream", .since = "5.0.0",
     .summary = "Return information and entries from a stream consumer group pending entries list, that are "
                "messages fetched but never acknowledged.",
     .complexity = "O(N) with N being the number of elements returned, so asking for a small fixed number of "
                   "entries per call is O(1). O(M), where M is the total number of entries scanned when used with "
                   "the IDLE filter. When the command returns just the summary and the list of consumers is small, "
                   "it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer."},
    {0}};
