/* debug.c -- the DEBUG command: the subcommands test suites and operators
 * rely on (SLEEP, OBJECT, POPULATE, RELOAD, DIGEST, DIGEST-VALUE,
 * SET-ACTIVE-EXPIRE, ERROR, LOG, HELP); debug_more.c has the ones for
 * client suites and encodings (PROTOCOL, LISTPACK, QUICKLIST, ...), and
 * debug_extra.c the internals, persistence and crash ones (HTSTATS,
 * SDSLEN, PAUSE-CRON, RESTART, SEGFAULT, ...). DEBUG
 * runs only as enable-debug-command allows (cmd_resolve asks).
 *
 * Owns no state. Reads the keyspace through db.h (DEBUG OBJECT looks at the
 * stored value directly, expired or not, as Redis does) and writes it only
 * through db_add (POPULATE) and the RDB loader (RELOAD). Every reply and error text is Redis 7.0's. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "admin.h"
#include "commands.h"
#include "db.h"
#include "debug_extra.h"
#include "debug_more.h"
#include "digest.h"
#include "expire.h"
#include "function.h"
#include "log.h"
#include "aof.h"
#include "propagate.h"
#include "listpack.h"
#include "quicklist.h"
#include "rdb.h"
#include "snapshot.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

#define US_PER_SEC 1000000LL
#define NS_PER_US 1000LL

/* Quicklist details Redis appends to DEBUG OBJECT for lists; the
 * uncompressed size is the listpacks' sum, compressed or not. */
static sds debug_quicklist_info(sds s, const quicklist *ql) {
    size_t bytes = 0;
    for (const ql_node *n = ql->head; n; n = n->next) bytes += ql_node_data_bytes(n);
    double avg = ql->len ? (double)ql->count / (double)ql->len : 0.0;
    return sds_cat_printf(s, " ql_nodes:%lu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d ql_uncompressed_size:%zu",
                          ql->len, avg, ql->fill, ql->compress != 0, bytes);
}

static void debug_object(client *c) {
    dict_entry *de = dict_find(c->db->keys, c->argv[2]);
    if (de == NULL) {
        reply_error(c, "no such key");
        return;
    }
    robj *o = dict_get_val(de);
    sds s = sds_cat_printf(sds_empty(),
                           "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%d lru_seconds_idle:%llu",
                           (void *)o, o->refcount, obj_encoding_name(o->encoding), rdb_object_serialized_len(o),
                           (int)o->lru, db_obj_idle_ms(o) / 1000);
    if (o->encoding == OBJ_ENCODING_QUICKLIST) s = debug_quicklist_info(s, o->ptr);
    reply_status(c, s);
    sds_free(s);
}

/* RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves the dataset to the RDB file
 * (unless NOSAVE), empties the keyspace (unless NOFLUSH) and loads the
 * file back. Keys already present when loading with NOFLUSH are replaced
 * by the file's with MERGE; without it the load fails (Redis dies). */
static void debug_reload(client *c) {
    int save = 1, flush = 1, flags = 0;
    for (int j = 2; j < c->argc; j++) {
        const char *opt = c->argv[j];
        if (strcasecmp(opt, "merge") == 0) {
            flags |= RDB_LOAD_ALLOW_DUP;
        } else if (strcasecmp(opt, "noflush") == 0) {
            flush = 0;
        } else if (strcasecmp(opt, "nosave") == 0) {
            save = 0;
        } else {
            reply_error(c, "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
            return;
        }
    }
    /* A save as SAVE does it (dirty counter and LASTSAVE reset). */
    if (save && snapshot_save_sync() == -1) {
        reply_error(c, "-ERR"); /* Redis replies a bare -ERR here */
        return;
    }
    if (flush) {
        db_empty(-1);
        fn_flush_all(); /* the file holds the functions too */
    }
    if (rdb_load_file(cfg.dbfilename, flags, NULL) != RDB_OK) {
        reply_error(c, "Error trying to load the RDB dump");
        return;
    }
    log_warning("DB reloaded by DEBUG RELOAD");
    reply_ok(c);
}

/* Parses a count or size >= 0 ("value is out of range, must be positive"). */
static int parse_non_negative(client *c, const sds arg, long long *v) {
    if (!string2ll(arg, sds_len(arg), v) || *v < 0 || *v > LONG_MAX) {
        reply_error(c, "value is out of range, must be positive");
        return -1;
    }
    return 0;
}

/* POPULATE count [prefix] [size]: keys prefix:0.. with "value:N" (or size
 * bytes starting with it, zero-padded); keys that exist are left alone. */
static void debug_populate(client *c) {
    long long count, size = 0;
    if (parse_non_negative(c, c->argv[2], &count) == -1) return;
    if (c->argc == 5 && parse_non_negative(c, c->argv[4], &size) == -1) return;
    const char *prefix = c->argc >= 4 ? c->argv[3] : "key";
    sds key = sds_empty();
    char val[64];
    for (long long j = 0; j < count; j++) {
        sds_clear(key);
        key = sds_cat_printf(key, "%s:%lld", prefix, j);
        if (db_lookup_write(c->db, key) != NULL) continue;
        int vlen = snprintf(val, sizeof(val), "value:%lld", j);
        robj *o;
        if (size == 0) {
            o = obj_create_string(val, (size_t)vlen);
        } else {
            sds v = sds_new_len(NULL, (size_t)size);
            memcpy(v, val, (size_t)size < (size_t)vlen ? (size_t)size : (size_t)vlen);
            o = obj_create_string_from_sds(v);
        }
        db_add(c->db, key, o);
    }
    sds_free(key);
    reply_ok(c);
}

static void debug_sleep(client *c) {
    double secs = strtod(c->argv[2], NULL);
    long long us = (long long)(secs * US_PER_SEC);
    if (us > 0) {
        struct timespec ts = {.tv_sec = us / US_PER_SEC, .tv_nsec = (us % US_PER_SEC) * NS_PER_US};
        nanosleep(&ts, NULL);
    }
    reply_ok(c);
}

static void debug_set_active_expire(client *c) {
    expire_set_active(atoi(c->argv[2]) != 0); /* Redis reads it with atoi too */
    reply_ok(c);
}

/* Replies "-<string>" as is: a protocol error a client test can trigger.
 * Like Redis, not counted in the error statistics. */
static void debug_error(client *c) {
    sds e = sds_cat_len(sds_new("-"), c->argv[2], sds_len(c->argv[2]));
    for (size_t i = 0; i < sds_len(e); i++)
        if (e[i] == '\r' || e[i] == '\n') e[i] = ' ';
    e = sds_cat_len(e, "\r\n", 2);
    reply_proto(c, e, sds_len(e));
    sds_free(e);
}

/* ---- helper mem: DEBUG QUICKLIST-PACKED-THRESHOLD <size> (memory units). */
static void debug_quicklist_packed_threshold(client *c) {
    int err = 0;
    unsigned long long sz = memtoull(c->argv[2], &err);
    if (err || !ql_set_packed_threshold(sz))
        reply_error(c, "argument must be a memory value bigger than 1 and smaller than 4gb");
    else
        reply_ok(c);
}
/* ---- end helper mem */

/* Redis 7.0's DEBUG HELP, line for line (reply_help adds the first line
 * and HELP). */
static const char *debug_help_lines[] = {
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Crash by assertion failed.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Hard crash and restart after a <milliseconds> delay (default 0).",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LEAK <string>",
    "    Create a memory leak of the input string.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid>",
    "    Return hash table statistics of the specified Redis database.",
    "HTSTATS-KEY <key>",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "REPLICATE <string>",
    "    Replicates the provided string to replicas, allowing data divergence.",
    "MALLCTL <key> [<val>]",
    "    Get or set a malloc tuning integer.",
    "MALLCTL-STR <key> [<val>]",
    "    Get or set a malloc tuning string.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
    "OOM",
    "    Crash the server simulating an out-of-memory error.",
    "PANIC",
    "    Crash the server simulating a panic.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "RESTART [<milliseconds>]",
    "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
    "SDSLEN <key>",
    "    Show low level SDS string info representing `key` and value.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "STRUCTSIZE",
    "    Return the size of different Redis core C structures.",
    "LISTPACK <key>",
    "    Show low level info about the listpack encoding of <key>.",
    "QUICKLIST <key> [<0|1>]",
    "    Show low level info about the quicklist encoding of <key>.",
    "    The optional argument (0 by default) sets the level of detail",
    "CLIENT-EVICTION",
    "    Show low level client eviction pools info (maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Kills the link based on the direction to/from (both) with the provided node.",
    NULL};

static void debug_help(client *c) {
    reply_help(c, debug_help_lines);
}

static void debug_command(client *c) {
    const char *sub = c->argv[1];
    int argc = c->argc;
    if (argc == 2 && strcasecmp(sub, "help") == 0) debug_help(c);
    else if (argc == 3 && strcasecmp(sub, "sleep") == 0) debug_sleep(c);
    else if (argc == 3 && strcasecmp(sub, "object") == 0) debug_object(c);
    else if (argc == 3 && strcasecmp(sub, "quicklist-packed-threshold") == 0) debug_quicklist_packed_threshold(c);
    else if (argc >= 2 && strcasecmp(sub, "reload") == 0) debug_reload(c);
    else if (argc >= 3 && argc <= 5 && strcasecmp(sub, "populate") == 0) debug_populate(c);
    else if (argc == 3 && strcasecmp(sub, "set-active-expire") == 0) debug_set_active_expire(c);
    else if (argc == 3 && strcasecmp(sub, "error") == 0) debug_error(c);
    else if (argc == 3 && strcasecmp(sub, "effects") == 0) prop_debug_command(c);
    else if (argc == 2 && strcasecmp(sub, "digest") == 0) digest_debug_digest(c);
    else if (argc >= 2 && strcasecmp(sub, "digest-value") == 0) digest_debug_digest_value(c);
    else if (argc == 2 && strcasecmp(sub, "loadaof") == 0) aof_debug_loadaof(c);
    /* dbg: debug_more.c (MALLCTL / MALLCTL-STR fall through: no jemalloc) */
    else if (argc == 3 && strcasecmp(sub, "protocol") == 0) debug_protocol(c);
    else if (argc == 3 && strcasecmp(sub, "listpack") == 0) debug_listpack(c);
    else if (argc >= 3 && argc <= 4 && strcasecmp(sub, "quicklist") == 0) debug_quicklist(c);
    else if (argc == 4 && strcasecmp(sub, "replybuffer") == 0) debug_replybuffer(c);
    else if (argc == 2 && strcasecmp(sub, "stringmatch-test") == 0) debug_stringmatch_test(c);
    else if (argc == 2 && strcasecmp(sub, "change-repl-id") == 0) debug_change_repl_id(c);
    else if (debug_extra_dispatch(c)) return; /* dbg2: debug_extra.c */
    else if (argc == 3 && strcasecmp(sub, "log") == 0) {
        log_warning("DEBUG LOG: %s", c->argv[2]);
        reply_ok(c);
    } else {
        admin_reply_subcommand_syntax(c);
    }
}

/* ---------------------------------------------------------- table */

redis_command debug_commands[] = {
    {.name = "debug", .proc = debug_command, .arity = -2,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_PROTECTED, .group = "server", .since = "1.0.0",
     .summary = "A container for debugging commands", .complexity = "Depends on subcommand."},
    {0}};
