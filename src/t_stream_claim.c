/* t_stream_claim.c -- XCLAIM and XAUTOCLAIM: moving pending entries of a
 * consumer group to another consumer.
 *
 * Both are "all or nothing" about their arguments (everything is parsed
 * before a nack moves) and propagate each change as the XCLAIM ... FORCE
 * JUSTID form Redis 7.0 sends, never their own argv. A pending entry whose
 * stream entry was deleted is dropped from the PELs (XAUTOCLAIM lists it in
 * its third reply element). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "t_stream_group.h"
#include "db.h"
#include "monotonic.h"
#include "propagate.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"
#include "vclock.h"

/* XAUTOCLAIM's default COUNT, and how many PEL entries it may look at per
 * entry it may claim (idle filter). */
#define XAUTOCLAIM_DEFAULT_COUNT 100
#define XAUTOCLAIM_ATTEMPTS_FACTOR 10
/* Redis refuses stream ID arguments this long or longer. */
#define STREAM_ID_ARG_MAX_BYTES 128

/* An unsigned 64-bit decimal as Redis reads an ID part: digits, or what
 * strtoull accepts as a whole (a leading '+' or blanks), never negative. */
static int claim_parse_u64(const char *s, uint64_t *v) {
    long long ll;
    if (string2ll(s, strlen(s), &ll)) {
        if (ll < 0) return -1;
        *v = (uint64_t)ll;
        return 0;
    }
    if (*s == '\0') return -1;
    errno = 0;
    char *end = NULL;
    unsigned long long u = strtoull(s, &end, 10);
    if (errno == EINVAL || errno == ERANGE || *end != '\0') return -1;
    *v = u;
    return 0;
}

/* A strict ID ("ms" or "ms-seq"; no "-" / "+"), without replying: XCLAIM
 * treats the first argument that is not an ID as the start of options. */
static int claim_parse_id(const sds arg, stream_id *id) {
    size_t len = sds_len(arg);
    if (len >= STREAM_ID_ARG_MAX_BYTES || len == 0) return -1;
    if (len == 1 && (arg[0] == '-' || arg[0] == '+')) return -1;
    char buf[STREAM_ID_ARG_MAX_BYTES];
    memcpy(buf, arg, len + 1);
    char *dot = strchr(buf, '-');
    if (dot) *dot = '\0';
    if (claim_parse_u64(buf, &id->ms)) return -1;
    id->seq = 0;
    if (dot && claim_parse_u64(dot + 1, &id->seq)) return -1;
    return 0;
}

/* The stream and group of a claim, or NULL with the error replied. */
static stream_cg *claim_lookup(client *c, stream **s) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o && db_check_type(c, o, OBJ_STREAM)) return NULL;
    stream_cg *cg = o ? stream_lookup_cg(o->ptr, (const unsigned char *)c->argv[2], sds_len(c->argv[2])) : NULL;
    if (cg == NULL) {
        reply_error_format(c, "-NOGROUP No such key '%s' or consumer group '%s'", c->argv[1], c->argv[2]);
        return NULL;
    }
    *s = o->ptr;
    return cg;
}

/* Gives nack to consumer with its new delivery time and count. */
static void claim_move(stream_nack *nack, stream_consumer *consumer, const unsigned char key[16]) {
    if (nack->consumer == consumer) return;
    if (nack->consumer) rax_remove(nack->consumer->pel, key, 16, NULL);
    rax_insert(consumer->pel, key, 16, nack, NULL);
    nack->consumer = consumer;
}

/* ---------------------------------------------------------- XCLAIM */

struct xclaim_opts {
    long long min_idle, delivery_time, retrycount;
    int force, justid, propagate_last_id;
    int last_id_arg; /* last argument that is an ID */
    stream_id last_id;
};

/* The options after the IDs; delivery_time ends as the time to set. */
static int xclaim_parse_opts(client *c, int j, long long now, struct xclaim_opts *o) {
    o->delivery_time = -1;
    o->retrycount = -1;
    o->force = o->justid = 0;
    o->last_id.ms = o->last_id.seq = 0;
    for (; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        const char *opt = c->argv[j];
        if (!strcasecmp(opt, "FORCE")) {
            o->force = 1;
        } else if (!strcasecmp(opt, "JUSTID")) {
            o->justid = 1;
        } else if (!strcasecmp(opt, "IDLE") && more) {
            if (sgroup_parse_ll(c, c->argv[++j], &o->delivery_time, "Invalid IDLE option argument for XCLAIM"))
                return -1;
            o->delivery_time = now - o->delivery_time;
        } else if (!strcasecmp(opt, "TIME") && more) {
            if (sgroup_parse_ll(c, c->argv[++j], &o->delivery_time, "Invalid TIME option argument for XCLAIM"))
                return -1;
        } else if (!strcasecmp(opt, "RETRYCOUNT") && more) {
            if (sgroup_parse_ll(c, c->argv[++j], &o->retrycount, "Invalid RETRYCOUNT option argument for XCLAIM"))
                return -1;
        } else if (!strcasecmp(opt, "LASTID") && more) {
            if (stream_parse_id_or_reply(c, c->argv[++j], &o->last_id, 0, 1, NULL)) return -1;
        } else {
            reply_error_format(c, "Unrecognized XCLAIM option '%s'", opt);
            return -1;
        }
    }
    /* A time in the future or before the epoch is taken as now: clients
     * compute it from their own clocks. */
    if (o->delivery_time < 0 || o->delivery_time > now) o->delivery_time = now;
    return 0;
}

/* Claims one ID (argument j); returns 1 if it was claimed and replied. */
static int xclaim_one(client *c, stream *s, stream_cg *cg, int j, const struct xclaim_opts *o, long long now,
                      stream_consumer **consumer) {
    stream_id id;
    claim_parse_id(c->argv[j], &id);
    unsigned char key[16];
    stream_id_encode(key, &id);
    void *found;
    stream_nack *nack = rax_find(cg->pel, key, 16, &found) ? found : NULL;
    if (!sgroup_entry_exists(s, &id)) {
        /* Deleted from the stream: drop it from the PELs, as replicas
         * learn from its propagated state. */
        if (nack) {
            sgroup_prop_xclaim(c->db->id, c->argv[1], c->argv[2], c->argv[j], sds_len(c->argv[j]), cg, nack);
            db_dirty(1);
            sgroup_nack_unlink(cg, key, nack);
        }
        return 0;
    }
    if (o->force && nack == NULL) {
        nack = stream_nack_new(NULL, now);
        rax_insert(cg->pel, key, 16, nack, NULL);
    }
    if (nack == NULL) return 0;
    /* A nack FORCE just created has no owner and no idle time to check. */
    if (nack->consumer && o->min_idle && now - nack->delivery_time < o->min_idle) return 0;
    if (*consumer == NULL) *consumer = sgroup_consumer(cg, c->argv[3], c->argv[1], c->db->id, now, NULL);
    claim_move(nack, *consumer, key);
    nack->delivery_time = o->delivery_time;
    if (o->retrycount >= 0) nack->delivery_count = (uint64_t)o->retrycount;
    else if (!o->justid) nack->delivery_count++;
    if (o->justid) stream_reply_id(c, &id);
    else sgroup_reply_entry(c, s, &id);
    sgroup_prop_xclaim(c->db->id, c->argv[1], c->argv[2], c->argv[j], sds_len(c->argv[j]), cg, nack);
    db_dirty(1);
    return 1;
}

/* XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME
 * ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id] */
static void xclaim_command(client *c) {
    stream *s;
    stream_cg *cg = claim_lookup(c, &s);
    if (cg == NULL) return;
    prop_prevent(c);
    struct xclaim_opts o;
    if (sgroup_parse_ll(c, c->argv[4], &o.min_idle, "Invalid min-idle-time argument for XCLAIM")) return;
    if (o.min_idle < 0) o.min_idle = 0;
    int j = 5;
    stream_id id;
    while (j < c->argc && claim_parse_id(c->argv[j], &id) == 0) j++;
    int last_id_arg = j - 1;
    long long now = vclock_ms();
    if (xclaim_parse_opts(c, j, now, &o)) return;
    int propagate_last_id = 0;
    if (stream_id_cmp(&o.last_id, &cg->last_id) > 0) {
        cg->last_id = o.last_id;
        propagate_last_id = 1;
    }
    stream_consumer *consumer = NULL;
    void *len_node = reply_deferred_len(c);
    long n = 0;
    for (j = 5; j <= last_id_arg; j++) {
        long long dirty = server.dirty;
        n += xclaim_one(c, s, cg, j, &o, now, &consumer);
        /* The group's new last ID travels in every XCLAIM's LASTID. */
        if (server.dirty != dirty) propagate_last_id = 0;
    }
    if (propagate_last_id) {
        sgroup_prop_setid(c->db->id, c->argv[1], c->argv[2], cg);
        db_dirty(1);
    }
    reply_set_deferred_array_len(c, len_node, n);
}

/* ---------------------------------------------------------- XAUTOCLAIM */

struct xautoclaim_args {
    long long min_idle;
    long count;
    int justid;
    stream_id start;
};

/* min-idle-time, start and options are checked before the key, as Redis
 * does. */
static int xautoclaim_parse(client *c, struct xautoclaim_args *a) {
    int ex;
    if (sgroup_parse_ll(c, c->argv[4], &a->min_idle, "Invalid min-idle-time argument for XAUTOCLAIM")) return -1;
    if (a->min_idle < 0) a->min_idle = 0;
    if (stream_parse_interval_id_or_reply(c, c->argv[5], &a->start, &ex, 0)) return -1;
    a->count = XAUTOCLAIM_DEFAULT_COUNT;
    a->justid = 0;
    for (int j = 6; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (!strcasecmp(c->argv[j], "COUNT") && more) {
            long long v;
            long max = LONG_MAX / (long)(sizeof(stream_id) > XAUTOCLAIM_ATTEMPTS_FACTOR ? sizeof(stream_id)
                                                                                         : XAUTOCLAIM_ATTEMPTS_FACTOR);
            j++;
            if (!string2ll(c->argv[j], sds_len(c->argv[j]), &v) || v < 1 || v > max) {
                reply_error(c, "COUNT must be > 0");
                return -1;
            }
            a->count = (long)v;
        } else if (!strcasecmp(c->argv[j], "JUSTID")) {
            a->justid = 1;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    return 0;
}

/* XAUTOCLAIM key group consumer min-idle-time start [COUNT count]
 * [JUSTID]: [next-cursor, claimed, deleted-ids]. */
static void xautoclaim_command(client *c) {
    struct xautoclaim_args a;
    if (xautoclaim_parse(c, &a)) return;
    stream *s;
    stream_cg *cg = claim_lookup(c, &s);
    if (cg == NULL) return;
    prop_prevent(c);
    long long attempts = (long long)a.count * XAUTOCLAIM_ATTEMPTS_FACTOR;
    long count = a.count;
    /* Claimed and deleted IDs are replied after the scan, once the cursor
     * is known; both are at most COUNT and at most the PEL's size (COUNT
     * may be huge). */
    size_t cap = rax_size(cg->pel) < (uint64_t)count ? (size_t)rax_size(cg->pel) : (size_t)count;
    stream_id *claimed = zmalloc(sizeof(stream_id) * (cap ? cap : 1));
    stream_id *deleted = zmalloc(sizeof(stream_id) * (cap ? cap : 1));
    long ndeleted = 0, nclaimed = 0;
    long long now = vclock_ms();
    stream_consumer *consumer = NULL;
    unsigned char key[16];
    stream_id_encode(key, &a.start);
    rax_iter ri;
    rax_start(&ri, cg->pel);
    rax_seek(&ri, ">=", key, 16);
    char idbuf[STREAM_ID_STR_LEN];
    while (attempts-- && count && rax_next(&ri)) {
        stream_id id;
        stream_id_decode(ri.key, &id);
        stream_nack *nack = ri.data;
        memcpy(key, ri.key, 16);
        if (!sgroup_entry_exists(s, &id)) {
            int idlen = stream_id_format(idbuf, &id);
            sgroup_prop_xclaim(c->db->id, c->argv[1], c->argv[2], idbuf, (size_t)idlen, cg, nack);
            db_dirty(1);
            sgroup_nack_unlink(cg, key, nack);
            deleted[ndeleted++] = id;
            rax_seek(&ri, ">=", key, 16);
            count--;
            continue;
        }
        if (a.min_idle && now - nack->delivery_time < a.min_idle) continue;
        if (consumer == NULL) consumer = sgroup_consumer(cg, c->argv[3], c->argv[1], c->db->id, now, NULL);
        /* Only the consumers' PELs change: the group iterator stays valid. */
        claim_move(nack, consumer, key);
        nack->delivery_time = now;
        if (!a.justid) nack->delivery_count++;
        claimed[nclaimed++] = id;
        count--;
        int idlen = stream_id_format(idbuf, &id);
        sgroup_prop_xclaim(c->db->id, c->argv[1], c->argv[2], idbuf, (size_t)idlen, cg, nack);
        db_dirty(1);
    }
    stream_id next = {0, 0};
    if (rax_next(&ri)) stream_id_decode(ri.key, &next);
    rax_stop(&ri);
    reply_array_len(c, 3);
    stream_reply_id(c, &next);
    reply_array_len(c, nclaimed);
    for (long i = 0; i < nclaimed; i++) {
        if (a.justid) stream_reply_id(c, &claimed[i]);
        else sgroup_reply_entry(c, s, &claimed[i]);
    }
    reply_array_len(c, ndeleted);
    for (long i = 0; i < ndeleted; i++) stream_reply_id(c, &deleted[i]);
    zfree(claimed);
    zfree(deleted);
}

/* ---------------------------------------------------------- table */

redis_command stream_claim_commands[] = {
    {.name = "xclaim", .proc = xclaim_command, .arity = -6, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_STREAM,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_UPDATE, .tips = "nondeterministic_output",
     .group = "stream", .since = "5.0.0",
     .summary = "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered "
                "to the specified consumer.",
     .complexity = "O(log N) with N being the number of messages in the PEL of the consumer group."},
    {.name = "xautoclaim", .proc = xautoclaim_command, .arity = -6, .flags = CMD_WRITE | CMD_FAST,
     .acl = ACL_STREAM, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_DELETE,
     .tips = "nondeterministic_output", .group = "stream", .since = "6.2.0",
     .summary = "Changes (or acquires) ownership of messages in a consumer group, as if the messages were "
                "delivered to the specified consumer.",
     .complexity = "O(1) if COUNT is small."},
    {0}};
