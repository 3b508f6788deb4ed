/* memory.c -- the MEMORY command: USAGE, STATS, DOCTOR, MALLOC-STATS,
 * PURGE and HELP. STATS and DOCTOR read the figures info.c computes for
 * INFO memory (info_mem_compute), so the two never disagree; minired runs
 * on libc malloc, so MALLOC-STATS and PURGE answer as a Redis built
 * without jemalloc does.
 *
 * Owns nothing but handlers and its table part. MEMORY USAGE estimates
 * the bytes a key and its value hold the way Redis 7.0 does: the key's sds
 * and dict entry, the value's robj, and its encoding's own structures; a
 * collection is measured on its first SAMPLES elements (default 5, 0 =
 * all) and the average scaled to its size. It only reads: the lookup does
 * not count as an access, and (as in Redis) does not expire the key. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "dict.h"
#include "info.h"
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

static size_t quicklist_mem(quicklist *ql, long long samples) {
    /* A node a read left plain is compressed first, so the figure is the
     * one for the list as Redis holds it (every inner node compressed). */
    ql_settle(ql);
    size_t size = sizeof(quicklist), elesize = 0;
    long long n = 0;
    for (const ql_node *node = ql->head; node && n < samples; node = node->next, n++)
        elesize += sizeof(ql_node) + ql_node_alloc_size(node);
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
    /* A keyspace entry's own size, with the slot-list links a cluster
     * node's entries carry (as Redis counts its entry metadata). */
    size_t usage = memory_value_size(dict_get_val(de), samples) + sds_mem(dict_get_key(de)) + sizeof(dict_entry) +
                   c->db->keys->type->entry_metadata_bytes;
    reply_integer(c, (long long)usage);
}

/* MEMORY STATS: Redis 7.0's fields in its order; ratios are floats, as
 * Redis computes them, shown as doubles. */
static void memory_stats_command(client *c) {
    info_mem m;
    info_mem_compute(&m);
    int dbs = 0;
    for (int i = 0; i < server.dbnum; i++)
        if (dict_size(server.dbs[i].keys)) dbs++;
    reply_map_len(c, 27 + dbs);
    static const char *const counts[] = {"peak.allocated", "total.allocated", "startup.allocated",
                                         "replication.backlog", "clients.slaves", "clients.normal",
                                         "cluster.links", "aof.buffer", "lua.caches", "functions.caches"};
    size_t vals[] = {m.peak, m.used, m.startup, 0, 0, m.clients_normal, 0, m.aof_buffer, m.lua_caches,
                     m.functions_caches};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        reply_bulk_cstr(c, counts[i]);
        reply_integer(c, (long long)vals[i]);
    }
    for (int i = 0; i < server.dbnum; i++) {
        if (dict_size(server.dbs[i].keys) == 0) continue;
        size_t mainb, expb;
        info_mem_db(i, &mainb, &expb);
        char name[32];
        snprintf(name, sizeof(name), "db.%d", i);
        reply_bulk_cstr(c, name);
        reply_map_len(c, 3);
        reply_bulk_cstr(c, "overhead.hashtable.main");
        reply_integer(c, (long long)mainb);
        reply_bulk_cstr(c, "overhead.hashtable.expires");
        reply_integer(c, (long long)expb);
        reply_bulk_cstr(c, "overhead.hashtable.slot-to-keys");
        reply_integer(c, 0);
    }
    reply_bulk_cstr(c, "overhead.total");
    reply_integer(c, (long long)m.overhead);
    reply_bulk_cstr(c, "keys.count");
    reply_integer(c, (long long)m.keys);
    reply_bulk_cstr(c, "keys.bytes-per-key");
    reply_integer(c, m.keys ? (long long)(m.net / m.keys) : 0);
    reply_bulk_cstr(c, "dataset.bytes");
    reply_integer(c, (long long)m.dataset);
    reply_bulk_cstr(c, "dataset.percentage");
    reply_double(c, (float)(m.net ? (float)m.dataset * 100 / (float)m.net : 0));
    reply_bulk_cstr(c, "peak.percentage");
    reply_double(c, (float)(m.peak ? (float)m.used * 100 / (float)m.peak : 0));
    const char *names[] = {"allocator.allocated", "allocator.active", "allocator.resident"};
    size_t alloc[] = {m.alloc_allocated, m.alloc_active, m.alloc_resident};
    for (int i = 0; i < 3; i++) {
        reply_bulk_cstr(c, names[i]);
        reply_integer(c, (long long)alloc[i]);
    }
    /* (name, numerator, denominator): each ratio and its difference. */
    const char *pairs[][2] = {{"allocator-fragmentation.ratio", "allocator-fragmentation.bytes"},
                              {"allocator-rss.ratio", "allocator-rss.bytes"},
                              {"rss-overhead.ratio", "rss-overhead.bytes"},
                              {"fragmentation", "fragmentation.bytes"}};
    size_t num[] = {m.alloc_active, m.alloc_resident, m.rss, m.rss};
    size_t den[] = {m.alloc_allocated, m.alloc_active, m.alloc_resident, m.used};
    for (int i = 0; i < 4; i++) {
        reply_bulk_cstr(c, pairs[i][0]);
        reply_double(c, (float)(den[i] ? (float)num[i] / (float)den[i] : 0));
        reply_bulk_cstr(c, pairs[i][1]);
        reply_integer(c, (long long)num[i] - (long long)den[i]);
    }
}

/* Redis's thresholds for MEMORY DOCTOR's findings. */
#define DOCTOR_EMPTY_BYTES (5 * 1024 * 1024)
#define DOCTOR_FRAG_BYTES (10 * 1024 * 1024)
#define DOCTOR_CLIENT_BUF (200 * 1024)

static sds memory_doctor_text(void) {
    info_mem m;
    info_mem_compute(&m);
    int empty = m.used < DOCTOR_EMPTY_BYTES, reports = empty;
    int big_peak = 0, high_frag = 0, alloc_frag = 0, alloc_rss = 0, rss_over = 0, big_client = 0;
    if (!empty) {
        big_peak = (double)m.peak / (double)m.used > 1.5;
        high_frag = (double)m.rss / (double)m.used > 1.4 && m.rss > m.used + DOCTOR_FRAG_BYTES;
        alloc_frag = m.alloc_allocated && (double)m.alloc_active / (double)m.alloc_allocated > 1.1 &&
                     m.alloc_active > m.alloc_allocated + DOCTOR_FRAG_BYTES;
        alloc_rss = m.alloc_active && (double)m.alloc_resident / (double)m.alloc_active > 1.1 &&
                    m.alloc_resident > m.alloc_active + DOCTOR_FRAG_BYTES;
        rss_over = m.alloc_resident && (double)m.rss / (double)m.alloc_resident > 1.1 &&
                   m.rss > m.alloc_resident + DOCTOR_FRAG_BYTES;
        big_client = m.nclients && m.clients_normal / m.nclients > DOCTOR_CLIENT_BUF;
        reports = big_peak + high_frag + alloc_frag + alloc_rss + rss_over + big_client;
    }
    if (reports == 0)
        return sds_new("Hi Sam, I can't find any memory issue in your instance. "
                       "I can only account for what occurs on this base.\n");
    if (empty)
        return sds_new("Hi Sam, this instance is empty or is using very little memory, "
                       "my issues detector can't be used in these conditions. "
                       "Please, leave for your mission on Earth and fill it with some data. "
                       "The new Sam and I will be back to our programming as soon as I "
                       "finished rebooting.\n");
    sds s = sds_new("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
    if (big_peak)
        s = sds_cat(s, " * Peak memory: In the past this instance used more than 150% the memory that is "
                       "currently using. The allocator is normally not able to release memory after a peak, so "
                       "you can expect to see a big fragmentation ratio, however this is actually harmless and "
                       "is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is "
                       "currently bigger than expected, the memory will be used as soon as you fill the Redis "
                       "instance with more data. If the memory peak was only occasional and you want to try to "
                       "reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is "
                       "to shutdown and restart the instance.\n\n");
    if (high_frag)
        s = sds_cat(s, " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
                       "than 1.4 (this means that the Resident Set Size of the Redis process is much larger than "
                       "the sum of the logical allocations Redis performed). This problem is usually due either "
                       "to a large peak memory (check if there is a peak memory entry above in the report) or "
                       "may result from a workload that causes the allocator to fragment memory a lot. If the "
                       "problem is a large peak memory, then there is no issue. Otherwise, make sure you are "
                       "using the Jemalloc allocator and not the default libc malloc. Note: The currently used "
                       "allocator is \"libc\".\n\n");
    if (alloc_frag)
        s = sds_cat(s, " * High allocator fragmentation: This instance has an allocator external fragmentation "
                       "greater than 1.1. This problem is usually due either to a large peak memory (check if "
                       "there is a peak memory entry above in the report) or may result from a workload that "
                       "causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' "
                       "config option.\n\n");
    if (alloc_rss)
        s = sds_cat(s, " * High allocator RSS overhead: This instance has an RSS memory overhead is greater "
                       "than 1.1 (this means that the Resident Set Size of the allocator is much larger than the "
                       "sum what the allocator actually holds). This problem is usually due to a large peak "
                       "memory (check if there is a peak memory entry above in the report), you can try the "
                       "MEMORY PURGE command to reclaim it.\n\n");
    if (rss_over)
        s = sds_cat(s, " * High process RSS overhead: This instance has non-allocator RSS memory overhead is "
                       "greater than 1.1 (this means that the Resident Set Size of the Redis process is much "
                       "larger than the RSS the allocator holds). This problem may be due to Lua scripts or "
                       "Modules.\n\n");
    if (big_client)
        s = sds_cat(s, " * Big client buffers: The clients output buffers in this instance are greater than "
                       "200K per client (on average). This may result from different causes, like Pub/Sub "
                       "clients subscribed to channels bot not receiving data fast enough, so that data piles "
                       "on the Redis instance output buffer, or clients sending commands with large replies or "
                       "very large sequences of commands in the same pipeline. Please use the CLIENT LIST "
                       "command in order to investigate the issue if it causes problems in your instance, or "
                       "to understand better why certain clients are using a big amount of memory.\n\n");
    return sds_cat(s, "I'm here to keep you safe, Sam. I want to help you.\n");
}

static void memory_doctor_command(client *c) {
    sds s = memory_doctor_text();
    reply_verbatim(c, s, sds_len(s), "txt");
    sds_free(s);
}

/* What a Redis without jemalloc answers. */
static void memory_malloc_stats_command(client *c) {
    const char *s = "Stats not supported for the current allocator";
    reply_verbatim(c, s, strlen(s), "txt");
}

/* libc malloc has nothing to purge on demand: OK, as Redis answers. */
static void memory_purge_command(client *c) {
    reply_ok(c);
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

#define MEMORY_TIPS "nondeterministic_output request_policy:all_shards response_policy:special"

static redis_command memory_subcommands[] = {
    {.name = "help", .proc = memory_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .group = "server", .since = "4.0.0", .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {.name = "stats", .proc = memory_stats_command, .arity = 2, .tips = MEMORY_TIPS, .group = "server",
     .since = "4.0.0", .summary = "Show memory usage details", .complexity = "O(1)"},
    {.name = "doctor", .proc = memory_doctor_command, .arity = 2, .tips = MEMORY_TIPS, .group = "server",
     .since = "4.0.0", .summary = "Outputs memory problems report", .complexity = "O(1)"},
    {.name = "malloc-stats", .proc = memory_malloc_stats_command, .arity = 2, .tips = MEMORY_TIPS,
     .group = "server", .since = "4.0.0", .summary = "Show allocator internal stats",
     .complexity = "Depends on how much memory is allocated, could be slow"},
    {.name = "purge", .proc = memory_purge_command, .arity = 2,
     .tips = "request_policy:all_shards response_policy:all_succeeded", .group = "server", .since = "4.0.0",
     .summary = "Ask the allocator to release memory", .complexity = "Depends on how much memory is allocated, could be slow"},
    {.name = "usage", .proc = memory_usage_command, .arity = -3, .flags = CMD_READONLY, .first_key = 2,
     .last_key = 2, .key_step = 1, .ks_flags = KS_RO, .group = "server", .since = "4.0.0",
     .summary = "Estimate the memory usage of a key", .complexity = "O(N) where N is the number of samples."},
    {0}};

redis_command memory_commands[] = {
    {.name = "memory", .arity = -2, .group = "server", .since = "4.0.0",
     .summary = "A container for memory diagnostics commands", .complexity = "Depends on subcommand.",
     .subcommands = memory_subcommands},
    {0}};
