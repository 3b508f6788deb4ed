/* object_cmd.c -- the OBJECT command: ENCODING, REFCOUNT, IDLETIME, FREQ,
 * HELP.
 *
 * Owns nothing but handlers. OBJECT only inspects: its lookup never counts
 * as an access (the idle time it reports would otherwise always be 0), and
 * it never changes a value. The access data it reads is kept by db.c. */
#include "commands.h"
#include "db.h"
#include "reply.h"

/* The value at argv[2], or NULL after replying null for a missing key. */
static robj *object_lookup(client *c) {
    /* As in Redis, a missing key is no "keymiss" event for OBJECT. */
    robj *o = db_lookup(c->db, c->argv[2], DB_LOOKUP_NOTOUCH | DB_LOOKUP_NONOTIFY);
    if (o == NULL) reply_null(c);
    return o;
}

static void object_encoding_command(client *c) {
    robj *o = object_lookup(c);
    if (o) reply_bulk_cstr(c, obj_encoding_name(o->encoding));
}

/* Shared integers report OBJ_SHARED_REFCOUNT (INT_MAX), as in Redis. */
static void object_refcount_command(client *c) {
    robj *o = object_lookup(c);
    if (o) reply_integer(c, o->refcount);
}

static void object_idletime_command(client *c) {
    robj *o = object_lookup(c);
    if (o == NULL) return;
    if (MAXMEMORY_POLICY_IS_LFU(cfg.maxmemory_policy)) {
        reply_error(c, "An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
                       "switching between policies at runtime LRU and LFU data will take some time to adjust.");
        return;
    }
    reply_integer(c, (long long)(db_obj_idle_ms(o) / DB_LRU_CLOCK_RESOLUTION_MS));
}

static void object_freq_command(client *c) {
    robj *o = object_lookup(c);
    if (o == NULL) return;
    if (!MAXMEMORY_POLICY_IS_LFU(cfg.maxmemory_policy)) {
        reply_error(c, "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
                       "when switching between policies at runtime LRU and LFU data will take some time to adjust.");
        return;
    }
    reply_integer(c, db_lfu_counter(o));
}

static void object_help_command(client *c) {
    static const char *help[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL};
    reply_help(c, help);
}

/* ---------------------------------------------------------- table */

#define OBJECT_SUB(nm, fn, sum, ver)                                                                            \
    {.name = nm, .proc = fn, .arity = 3, .flags = CMD_READONLY, .acl = ACL_KEYSPACE, .first_key = 2,          \
     .last_key = 2, .key_step = 1, .ks_flags = KS_RO, .tips = "nondeterministic_output", .group = "generic", \
     .since = ver, .summary = sum, .complexity = "O(1)"}

static redis_command object_subcommands[] = {
    {.name = "help", .proc = object_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_KEYSPACE, .group = "generic", .since = "6.2.0",
     .summary = "Show helpful text about the different subcommands", .complexity = "O(1)"},
    OBJECT_SUB("encoding", object_encoding_command, "Inspect the internal encoding of a Redis object", "2.2.3"),
    OBJECT_SUB("idletime", object_idletime_command, "Get the time since a Redis object was last accessed", "2.2.3"),
    OBJECT_SUB("freq", object_freq_command, "Get the logarithmic access frequency counter of a Redis object",
               "4.0.0"),
    OBJECT_SUB("refcount", object_refcount_command, "Get the number of references to the value of the key",
               "2.2.3"),
    {0}};

redis_command object_commands[] = {
    {.name = "object", .arity = -2, .group = "generic", .since = "2.2.3",
     .summary = "A container for object introspection commands", .complexity = "Depends on subcommand.",
     .subcommands = object_subcommands},
    {0}};
