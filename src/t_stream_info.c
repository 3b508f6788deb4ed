/* t_stream_info.c -- XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO
 * CONSUMERS and XINFO HELP, with Redis 7.0's fields in its order (maps in
 * RESP3, flat arrays in RESP2).
 *
 * Only reads: no group, consumer or seen time is touched. The key is
 * looked up before the arguments after it are parsed, as Redis does (a
 * missing key answers "no such key" whatever follows it). */
#include <strings.h>

#include "db.h"
#include "monotonic.h"
#include "reply.h"
#include "t_stream.h"
#include "util.h"
#include "vclock.h"

/* Entries and PEL entries shown by XINFO STREAM FULL without COUNT. */
#define XINFO_FULL_DEFAULT_COUNT 10

static const stream_id xinfo_min_id = {0, 0};
static const stream_id xinfo_max_id = {UINT64_MAX, UINT64_MAX};

/* Looks the key up as every XINFO subcommand does: NULL (replied) when
 * missing or not a stream. */
static stream *xinfo_lookup(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[2]);
    if (o == NULL) {
        reply_error(c, "no such key");
        return NULL;
    }
    if (db_check_type(c, o, OBJ_STREAM)) return NULL;
    return o->ptr;
}

static void xinfo_syntax_error(client *c) {
    reply_error_format(c, "unknown subcommand or wrong number of arguments for '%.128s'. Try XINFO HELP.",
                       c->argv[1]);
}

/* A group's entries-read, or null when unknown. */
static void xinfo_reply_entries_read(client *c, const stream_cg *cg) {
    if (cg->entries_read != STREAM_CG_ENTRIES_READ_INVALID) reply_integer(c, cg->entries_read);
    else reply_null(c);
}

/* A group's lag: entries added after its last delivered one, when that
 * can be known (no tombstone after it, or an estimate is possible). */
static void xinfo_reply_lag(client *c, stream *s, const stream_cg *cg) {
    long long read;
    if (s->entries_added == 0) {
        reply_integer(c, 0);
        return;
    }
    if (cg->entries_read != STREAM_CG_ENTRIES_READ_INVALID && !stream_range_has_tombstones(s, &cg->last_id, &xinfo_max_id))
        read = cg->entries_read;
    else
        read = stream_estimate_distance_from_first_ever_entry(s, &cg->last_id);
    if (read == STREAM_CG_ENTRIES_READ_INVALID) reply_null(c);
    else reply_integer(c, (long long)s->entries_added - read);
}

/* The first or last live entry as [id, [field, value...]], or null. */
static void xinfo_reply_edge_entry(client *c, stream *s, int last) {
    stream_id id;
    if (s->length == 0) {
        reply_null(c);
        return;
    }
    if (last) stream_last_valid_id(s, &id);
    else stream_first_valid_id(s, &id);
    if (!stream_reply_entry(c, s, &id)) reply_null(c);
}

/* The seven fields every XINFO STREAM reply starts with. */
static void xinfo_reply_stream_head(client *c, stream *s) {
    reply_bulk_cstr(c, "length");
    reply_integer(c, (long long)s->length);
    reply_bulk_cstr(c, "radix-tree-keys");
    reply_integer(c, (long long)rax_size(s->rax));
    reply_bulk_cstr(c, "radix-tree-nodes");
    reply_integer(c, (long long)rax_node_count(s->rax));
    reply_bulk_cstr(c, "last-generated-id");
    stream_reply_id(c, &s->last_id);
    reply_bulk_cstr(c, "max-deleted-entry-id");
    stream_reply_id(c, &s->max_deleted_entry_id);
    reply_bulk_cstr(c, "entries-added");
    reply_integer(c, (long long)s->entries_added);
    reply_bulk_cstr(c, "recorded-first-entry-id");
    stream_reply_id(c, &s->first_id);
}

/* Up to count (0: all) PEL entries: [id, consumer, delivery time,
 * deliveries] for a group, [id, delivery time, deliveries] for a
 * consumer (named NULL). */
static void xinfo_reply_pel(client *c, rax *pel, long long count, int with_owner) {
    uint64_t size = rax_size(pel);
    long n = (long)(count && (uint64_t)count < size ? (uint64_t)count : size);
    reply_array_len(c, n);
    rax_iter it;
    rax_start(&it, pel);
    rax_seek(&it, "^", NULL, 0);
    for (long i = 0; i < n && rax_next(&it); i++) {
        const stream_nack *nack = it.data;
        stream_id id;
        stream_id_decode(it.key, &id);
        reply_array_len(c, with_owner ? 4 : 3);
        stream_reply_id(c, &id);
        if (with_owner) reply_bulk_sds(c, nack->consumer->name);
        reply_integer(c, nack->delivery_time);
        reply_integer(c, (long long)nack->delivery_count);
    }
    rax_stop(&it);
}

static void xinfo_reply_full_consumers(client *c, stream_cg *cg, long long count) {
    reply_array_len(c, (long)rax_size(cg->consumers));
    rax_iter it;
    rax_start(&it, cg->consumers);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) {
        stream_consumer *consumer = it.data;
        reply_map_len(c, 4);
        reply_bulk_cstr(c, "name");
        reply_bulk_sds(c, consumer->name);
        reply_bulk_cstr(c, "seen-time");
        reply_integer(c, consumer->seen_time);
        reply_bulk_cstr(c, "pel-count");
        reply_integer(c, (long long)rax_size(consumer->pel));
        reply_bulk_cstr(c, "pending");
        xinfo_reply_pel(c, consumer->pel, count, 0);
    }
    rax_stop(&it);
}

static void xinfo_reply_full_groups(client *c, stream *s, long long count) {
    if (s->cgroups == NULL) {
        reply_array_len(c, 0);
        return;
    }
    reply_array_len(c, (long)rax_size(s->cgroups));
    rax_iter it;
    rax_start(&it, s->cgroups);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) {
        stream_cg *cg = it.data;
        reply_map_len(c, 7);
        reply_bulk_cstr(c, "name");
        reply_bulk(c, (const char *)it.key, it.key_len);
        reply_bulk_cstr(c, "last-delivered-id");
        stream_reply_id(c, &cg->last_id);
        reply_bulk_cstr(c, "entries-read");
        xinfo_reply_entries_read(c, cg);
        reply_bulk_cstr(c, "lag");
        xinfo_reply_lag(c, s, cg);
        reply_bulk_cstr(c, "pel-count");
        reply_integer(c, (long long)rax_size(cg->pel));
        reply_bulk_cstr(c, "pending");
        xinfo_reply_pel(c, cg->pel, count, 1);
        reply_bulk_cstr(c, "consumers");
        xinfo_reply_full_consumers(c, cg, count);
    }
    rax_stop(&it);
}

/* XINFO STREAM key [FULL [COUNT count]] */
static void xinfo_stream_command(client *c) {
    stream *s = xinfo_lookup(c);
    if (s == NULL) return;
    int full = 0;
    long long count = XINFO_FULL_DEFAULT_COUNT;
    if (c->argc > 3) {
        if (strcasecmp(c->argv[3], "full") != 0) {
            xinfo_syntax_error(c);
            return;
        }
        full = 1;
        if (c->argc > 4) {
            if (c->argc != 6 || strcasecmp(c->argv[4], "count") != 0) {
                xinfo_syntax_error(c);
                return;
            }
            if (!string2ll(c->argv[5], sds_len(c->argv[5]), &count)) {
                reply_error_not_integer(c);
                return;
            }
            if (count < 0) count = 0;
        }
    }
    reply_map_len(c, full ? 9 : 10);
    xinfo_reply_stream_head(c, s);
    if (full) {
        reply_bulk_cstr(c, "entries");
        stream_reply_range(c, s, &xinfo_min_id, &xinfo_max_id, (size_t)count, 0, NULL, NULL);
        reply_bulk_cstr(c, "groups");
        xinfo_reply_full_groups(c, s, count);
        return;
    }
    reply_bulk_cstr(c, "groups");
    reply_integer(c, s->cgroups ? (long long)rax_size(s->cgroups) : 0);
    reply_bulk_cstr(c, "first-entry");
    xinfo_reply_edge_entry(c, s, 0);
    reply_bulk_cstr(c, "last-entry");
    xinfo_reply_edge_entry(c, s, 1);
}

/* XINFO GROUPS key */
static void xinfo_groups_command(client *c) {
    stream *s = xinfo_lookup(c);
    if (s == NULL) return;
    if (s->cgroups == NULL) {
        reply_array_len(c, 0);
        return;
    }
    reply_array_len(c, (long)rax_size(s->cgroups));
    rax_iter it;
    rax_start(&it, s->cgroups);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) {
        stream_cg *cg = it.data;
        reply_map_len(c, 6);
        reply_bulk_cstr(c, "name");
        reply_bulk(c, (const char *)it.key, it.key_len);
        reply_bulk_cstr(c, "consumers");
        reply_integer(c, (long long)rax_size(cg->consumers));
        reply_bulk_cstr(c, "pending");
        reply_integer(c, (long long)rax_size(cg->pel));
        reply_bulk_cstr(c, "last-delivered-id");
        stream_reply_id(c, &cg->last_id);
        reply_bulk_cstr(c, "entries-read");
        xinfo_reply_entries_read(c, cg);
        reply_bulk_cstr(c, "lag");
        xinfo_reply_lag(c, s, cg);
    }
    rax_stop(&it);
}

/* XINFO CONSUMERS key group: idle is the time since the consumer was
 * last seen (never negative: a clock step back shows 0). */
static void xinfo_consumers_command(client *c) {
    stream *s = xinfo_lookup(c);
    if (s == NULL) return;
    stream_cg *cg = stream_lookup_cg(s, (unsigned char *)c->argv[3], sds_len(c->argv[3]));
    if (cg == NULL) {
        reply_error_format(c, "-NOGROUP No such consumer group '%s' for key name '%s'", c->argv[3], c->argv[2]);
        return;
    }
    long long now = vclock_ms();
    reply_array_len(c, (long)rax_size(cg->consumers));
    rax_iter it;
    rax_start(&it, cg->consumers);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) {
        stream_consumer *consumer = it.data;
        long long idle = now - consumer->seen_time;
        reply_map_len(c, 3);
        reply_bulk_cstr(c, "name");
        reply_bulk_sds(c, consumer->name);
        reply_bulk_cstr(c, "pending");
        reply_integer(c, (long long)rax_size(consumer->pel));
        reply_bulk_cstr(c, "idle");
        reply_integer(c, idle < 0 ? 0 : idle);
    }
    rax_stop(&it);
}

static void xinfo_help_command(client *c) {
    static const char *help[] = {
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        NULL};
    reply_help(c, help);
}

/* ---------------------------------------------------------- table */

#define XINFO_SUB(nm, fn, ar, sum, tip)                                                                         \
    {.name = nm, .proc = fn, .arity = ar, .flags = CMD_READONLY, .acl = ACL_READ | ACL_STREAM, .first_key = 2, \
     .last_key = 2, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .tips = tip, .group = "stream", .since = "5.0.0",        \
     .summary = sum, .complexity = "O(1)"}

/* In the order Redis 7.0 lists them (COMMAND INFO / DOCS). */
static redis_command xinfo_subcommands[] = {
    XINFO_SUB("stream", xinfo_stream_command, -3, "Get information about a stream", NULL),
    XINFO_SUB("groups", xinfo_groups_command, 3, "List the consumer groups of a stream", NULL),
    {.name = "help", .proc = xinfo_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE, .acl = ACL_STREAM,
     .group = "stream", .since = "5.0.0", .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    XINFO_SUB("consumers", xinfo_consumers_command, 4, "List the consumers in a consumer group",
              "nondeterministic_output"),
    {0}};

redis_command stream_info_commands[] = {
    {.name = "xinfo", .arity = -2, .group = "stream", .since = "5.0.0",
     .summary = "A container for stream introspection commands", .complexity = "Depends on subcommand.",
     .subcommands = xinfo_subcommands},
    {0}};
