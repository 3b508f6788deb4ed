/* memory.c -- the MEMORY command: USAGE and HELP (the rest of MEMORY comes
 * with the operators' commands and is answered as unknown until then).
 *
 * Owns nothing but handlers and its table part. MEMORY USAGE estimates
 * the bytes a key and its value hold the way Redis 7.0 does: the key's sds
 * and dict entry, the value's robj, and its encoding's own structures; a
 * collection is measured on its first SAMPLES elements (default 5, 0 =
 * all) and the average scaled to its size. It only reads: the lookup does
 * not count as an access, and (as in Redis) does not expire the key. */
#include <limits.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "dict.h"
#include "intset.h"
#include "listpack.h"
#include "quicklist.h"
#include "reply.h"
#include "stream.h"
#include "t_zset.h"
#include "util.h"
#include "zmalloc.h"

/* Elements measured when SAMPLES is not given (Redis's default). */
#define MEMORY_DEFAULT_SAMPLES 5

/* Bytes of a whole sds allocation (header, body, spare room). */
static size_t sds_mem(const sds s) {
    return sds_alloc_size(s);
}

/* A hash table's fixed part: the dict and its bucket arrays. */
static size_t dict_fixed_mem(const dict *d) {
    return sizeof(struct dict) + sizeof(dict_entry *) * dict_slots(d);
}

/* Average bytes per element over the first `samples` entries of d (each:
 * its dict entry plus its key sds, plus the value sds when with_val),
 * times the number of entries. */
static size_t dict_sampled_mem(dict *d, long long samples, int with_val) {
    if (dict_size(d) == 0) return 0;
    dict_iterator it;
    dict_entry *de;
    size_t elesize = 0;
    long long n = 0;
    dict_init_iterator(&it, d);
    while (n < samples && (de = dict_next(&it)) != NULL) {
        elesize += sizeof(dict_entry) + sds_mem(dict_get_key(de));
        if (with_val) elesize += sds_mem(dict_get_val(de));
        n++;
    }
    dict_reset_iterator(&it);
    return (size_t)((double)elesize / (double)n * (double)dict_size(d));
}

static size_t quicklist_mem(const quicklist *ql, long long samples) {
    size_t size = sizeof(quicklist), elesize = 0;
    long long n = 0;
    for (const ql_node *node = ql->head; node && n < samples; node = node->next, n++)
        elesize += sizeof(ql_node) + zmalloc_size(node->lp);
    if (n) size += (size_t)((double)elesize / (double)n * (double)ql->len);
    return size;
}

static size_t zset_skiplist_mem(const zset *zs, long long samples) {
    const zskiplist *zsl = zs->zsl;
    size_t size = sizeof(zset) + sizeof(zskiplist) + dict_fixed_mem(zs->dict) + zmalloc_size(zsl->header);
    size_t elesize = 0;
    long long n = 0;
    for (const zsl_node *node = zsl->header->level[0].forward; node && n < samples;
         node = node->level[0].forward, n++)
        elesize += sds_mem(node->ele) + sizeof(dict_entry) + zmalloc_size(node);
    if (n) size += (size_t)((double)elesize / (double)n * (double)zsl->length);
    return size;
}

/* Redis's estimate of a stream radix tree: 16 bytes per key and, per
 * node, a node header plus a fixed overhead for its children and data
 * pointers (Redis's figures: 4 + 30 words). Not the real allocation: the
 * estimate is what MEMORY USAGE must equal. */
#define MEMORY_RAX_KEY_BYTES 16
#define MEMORY_RAX_NODE_BYTES (4 + 30 * sizeof(long))

static size_t stream_rax_estimate(rax *r) {
    return (size_t)rax_size(r) * MEMORY_RAX_KEY_BYTES + (size_t)rax_node_count(r) * MEMORY_RAX_NODE_BYTES;
}

/* Listpack nodes: the first samples measured, their average taken for
 * all but the last node, which is measured (it is often the only one not
 * full); then groups, their PELs and consumers, as Redis 7.0 counts them
 * (a NACK once, in its group). */
static size_t stream_mem(stream *s, long long samples) {
    size_t size = sizeof(stream) + stream_rax_estimate(s->rax), lpsize = 0;
    uint64_t nodes = rax_size(s->rax), seen = 0;
    rax_iter it;
    rax_start(&it, s->rax);
    rax_seek(&it, "^", NULL, 0);
    while ((long long)seen < samples && rax_next(&it)) {
        lpsize += zmalloc_size(it.data);
        seen++;
    }
    if (nodes <= seen) {
        size += lpsize;
    } else {
        if (seen) lpsize /= seen;
        size += lpsize * (nodes - 1);
        rax_seek(&it, "$", NULL, 0);
        if (rax_next(&it)) size += zmalloc_size(it.data);
    }
    rax_stop(&it);
    if (s->cgroups == NULL) return size;
    rax_start(&it, s->cgroups);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) {
        stream_cg *cg = it.data;
        size += sizeof(*cg) + stream_rax_estimate(cg->pel) + sizeof(stream_nack) * rax_size(cg->pel);
        rax_iter ci;
        rax_start(&ci, cg->consumers);
        rax_seek(&ci, "^", NULL, 0);
        while (rax_next(&ci)) {
            stream_consumer *consumer = ci.data;
            size += sizeof(*consumer) + sds_len(consumer->name) + stream_rax_estimate(consumer->pel);
        }
        rax_stop(&ci);
    }
    rax_stop(&it);
    return size;
}

/* The value's bytes: its robj plus what its encoding holds. */
static size_t memory_value_size(robj *o, long long samples) {
    switch (o->encoding) {
    case OBJ_ENCODING_INT: return sizeof(robj);
    case OBJ_ENCODING_EMBSTR: return zmalloc_size(o); /* robj and sds in one block */
    case OBJ_ENCODING_RAW: return sizeof(robj) + sds_mem(o->ptr);
    case OBJ_ENCODING_LISTPACK: return sizeof(robj) + zmalloc_size(o->ptr);
    case OBJ_ENCODING_INTSET: return sizeof(robj) + intset_blob_len(o->ptr);
    case OBJ_ENCODING_QUICKLIST: return sizeof(robj) + quicklist_mem(o->ptr, samples);
    case OBJ_ENCODING_SKIPLIST: return sizeof(robj) + zset_skiplist_mem(o->ptr, samples);
    case OBJ_ENCODING_STREAM: return sizeof(robj) + stream_mem(o->ptr, samples);
    case OBJ_ENCODING_HT:
        return sizeof(robj) + dict_fixed_mem(o->ptr) + dict_sampled_mem(o->ptr, samples, o->type == OBJ_HASH);
    default: return sizeof(robj);
    }
}

/* MEMORY USAGE key [SAMPLES count]: arguments are checked before the key
 * is looked up, as in Redis (a bad SAMPLES errors even for a missing key). */
static void memory_usage_command(client *c) {
    long long samples = MEMORY_DEFAULT_SAMPLES;
    for (int j = 3; j < c->argc; j++) {
        if (strcasecmp(c->argv[j], "samples") == 0 && j + 1 < c->argc) {
            if (!string2ll(c->argv[j + 1], sds_len(c->argv[j + 1]), &samples)) {
                reply_error(c, "value is not an integer or out of range");
                return;
            }
            if (samples < 0) {
                reply_error(c, "syntax error");
                return;
            }
            if (samples == 0) samples = LLONG_MAX; /* every element */
            j++;
        } else {
            reply_error(c, "syntax error");
            return;
        }
    }
    /* Straight from the dict, as Redis does: no expiry check, no access,
     * no hit/miss counted, no keymiss event. */
    dict_entry *de = dict_find(c->db->keys, c->argv[2]);
    if (de == NULL) {
        reply_null(c);
        return;
    }
    size_t usage = memory_value_size(dict_get_val(de), samples) + sds_mem(dict_get_key(de)) + sizeof(dict_entry);
    reply_integer(c, (long long)usage);
}

static void memory_help_command(client *c) {
    static const char *help[] = {
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        NULL};
    reply_help(c, help);
}

/* ---------------------------------------------------------- table */

static redis_command memory_subcommands[] = {
    {.name = "help", .proc = memory_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .group = "server", .since = "4.0.0", .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {.name = "usage", .proc = memory_usage_command, .arity = -3, .flags = CMD_READONLY, .first_key = 2,
     .last_key = 2, .key_step = 1, .ks_flags = KS_RO, .group = "server", .since = "4.0.0",
     .summary = "Estimate the memory usage of a key", .complexity = "O(N) where N is the number of samples."},
    {0}};

redis_command memory_commands[] = {
    {.name = "memory", .arity = -2, .group = "server", .since = "4.0.0",
     .summary = "A container for memory diagnostics commands", .complexity = "Depends on subcommand.",
     .subcommands = memory_subcommands},
    {0}};
