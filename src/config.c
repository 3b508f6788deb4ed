/* config.c -- the directive table and everything built on it: defaults,
 * redis.conf / command-line parsing, CONFIG GET formatting, atomic CONFIG
 * SET and CONFIG REWRITE of the config file.
 *
 * Owns `cfg`: no other file writes it. Never talks to a client, never
 * replies, never logs and never includes server.h: runtime side effects go
 * through the hooks the server registers. Invariant: every value in cfg has
 * passed its row's validation, and a failed CONFIG SET leaves cfg exactly as
 * it was before the call. */
#include "config.h"
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sds.h"
#include "util.h"
#include "zmalloc.h"

struct server_config cfg;

/* include nesting beyond this is a loop (a file including itself). */
#define CONFIG_MAX_INCLUDE_DEPTH 16
/* Redis clamps the cron frequency into this range whatever was asked. */
#define CONFIG_MIN_HZ 1
#define CONFIG_MAX_HZ 500
#define MB_BYTES (1024LL * 1024)
#define GB_BYTES (1024LL * 1024 * 1024)
/* Bytes read per fread() when slurping a config file. */
#define CONFIG_READ_CHUNK_BYTES 4096

/* ------------------------------------------------------------ the table */

enum row_type {
    CT_BOOL,    /* int, "yes" / "no" */
    CT_INT,     /* int */
    CT_UINT,    /* unsigned int */
    CT_LL,      /* long long */
    CT_ULL,     /* unsigned long long */
    CT_ULONG,   /* unsigned long */
    CT_SIZE,    /* size_t */
    CT_MODE,    /* mode_t */
    CT_ENUM,    /* int, one of .enums */
    CT_STRING,  /* char * (owned) */
    CT_SPECIAL, /* parse / format / rewrite by .ops */
};

#define CF_IMMUTABLE (1u << 0)   /* CONFIG SET refuses it */
#define CF_PROTECTED (1u << 1)   /* CONFIG SET only with enable-protected-configs */
#define CF_MEMORY (1u << 2)      /* numeric given as 1gb / 64mb / 100k */
#define CF_OCTAL (1u << 3)       /* numeric written in octal */
#define CF_EMPTY_IS_NULL (1u << 4) /* string: "" stored as NULL */
#define CF_MULTI_ARG (1u << 5)   /* takes any number of words */
#define CF_APPEND (1u << 6)      /* later lines of one load add to the first */
#define CF_FULL_U64 (1u << 7)    /* CT_ULL memory value over all of 0..2^64-1 */
#define CF_HIDDEN (1u << 8)      /* test knob: not listed by a CONFIG GET glob */
#define CF_REWRITE_ALWAYS (1u << 9) /* CONFIG REWRITE writes it even at its default, as Redis */
#define CF_REWRITE_EXTRA_AT_END (1u << 10) /* REWRITE: lines beyond the file's go to its end, as Redis */

struct config_enum {
    const char *name;
    int value;
};

typedef struct config_row config_row;


/* Custom behaviour of a CT_SPECIAL row. set gets the words after the
 * directive; append is set for the second and later lines of one load. It
 * must leave the old value untouched when it fails. */
struct special_ops {
    int (*set)(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen);
    sds (*get)(const config_row *r, sds out);
    void (*rewrite)(const config_row *r, struct line_vec *out);
};

/* One directive.
 *   name       lower-case, as in redis.conf and CONFIG GET
 *   alias      an older name that works everywhere the name does (CONFIG
 *              GET answers under the name asked for); NULL: none
 *   type       storage and syntax (enum row_type)
 *   flags      CF_* bits
 *   field      where the value lives in cfg (unused by dir)
 *   min, max   inclusive bounds of numeric rows
 *   def        default, in canonical CONFIG GET form (NULL: none, and the
 *              row is always written by CONFIG REWRITE)
 *   enums      NULL-terminated names of a CT_ENUM
 *   ops        CT_SPECIAL behaviour
 *   validate   extra check of a bool / string / enum value before it is
 *              stored (dbfilename is not a path); NULL: none
 *   normalize  pure fix-up after every store (hz clamping)
 *   apply      server side effect after CONFIG SET (a hook) */
struct config_row {
    const char *name;
    const char *alias;
    enum row_type type;
    unsigned flags;
    void *field;
    long long min, max;
    const char *def;
    const struct config_enum *enums;
    const struct special_ops *ops;
    int (*validate)(const char *value, char *err, size_t errlen);
    void (*normalize)(void);
    int (*apply)(char *err, size_t errlen);
};

static struct config_hooks hooks;
static char **renames;   /* rename-command pairs, owned; see config_command_renames */
static int rename_count;
static char *config_path; /* absolute, owned; NULL: no config file */

static void line_vec_push(struct line_vec *lv, sds line) {
    if (lv->n == lv->cap) {
        lv->cap = lv->cap ? lv->cap * 2 : 16;
        lv->v = zrealloc(lv->v, sizeof(sds) * (size_t)lv->cap);
    }
    lv->v[lv->n++] = line;
}

static void line_vec_free(struct line_vec *lv) {
    for (int i = 0; i < lv->n; i++) sds_free(lv->v[i]);
    zfree(lv->v);
    lv->v = NULL;
    lv->n = lv->cap = 0;
}

static void normalize_hz(void) {
    if (cfg.hz < CONFIG_MIN_HZ) cfg.hz = CONFIG_MIN_HZ;
    if (cfg.hz > CONFIG_MAX_HZ) cfg.hz = CONFIG_MAX_HZ;
}

static int apply_listeners(char *err, size_t errlen) {
    return hooks.listeners_changed ? hooks.listeners_changed(err, errlen) : 0;
}

static int apply_maxclients(char *err, size_t errlen) {
    return hooks.maxclients_changed ? hooks.maxclients_changed(err, errlen) : 0;
}

static int apply_maxmemory(char *err, size_t errlen) {
    return hooks.maxmemory_changed ? hooks.maxmemory_changed(err, errlen) : 0;
}

static int apply_requirepass(char *err, size_t errlen) {
    return hooks.requirepass_changed ? hooks.requirepass_changed(err, errlen) : 0;
}

static int apply_appendonly(char *err, size_t errlen) {
    return hooks.appendonly_changed ? hooks.appendonly_changed(err, errlen) : 0;
}

static const struct config_enum loglevel_enum[] = {
    {"debug", LL_DEBUG}, {"verbose", LL_VERBOSE}, {"notice", LL_NOTICE}, {"warning", LL_WARNING}, {NULL, 0}};
static const struct config_enum sanitize_dump_enum[] = {
    {"no", SANITIZE_DUMP_NO}, {"yes", SANITIZE_DUMP_YES}, {"clients", SANITIZE_DUMP_CLIENTS}, {NULL, 0}};
static const struct config_enum acl_pubsub_enum[] = {{"allchannels", 1}, {"resetchannels", 0}, {NULL, 0}};
static const struct config_enum supervised_enum[] = {{"upstart", SUPERVISED_UPSTART},
                                                     {"systemd", SUPERVISED_SYSTEMD},
                                                     {"auto", SUPERVISED_AUTODETECT},
                                                     {"no", SUPERVISED_NONE},
                                                     {NULL, 0}};
static const struct config_enum protected_enum[] = {
    {"no", PROTECTED_CONFIGS_NO}, {"yes", PROTECTED_CONFIGS_YES}, {"local", PROTECTED_CONFIGS_LOCAL}, {NULL, 0}};

/* Redis's order, which its error text lists. */
static const struct config_enum maxmemory_policy_enum[] = {{"volatile-lru", MAXMEMORY_VOLATILE_LRU},
                                                           {"volatile-lfu", MAXMEMORY_VOLATILE_LFU},
                                                           {"volatile-random", MAXMEMORY_VOLATILE_RANDOM},
                                                           {"volatile-ttl", MAXMEMORY_VOLATILE_TTL},
                                                           {"allkeys-lru", MAXMEMORY_ALLKEYS_LRU},
                                                           {"allkeys-lfu", MAXMEMORY_ALLKEYS_LFU},
                                                           {"allkeys-random", MAXMEMORY_ALLKEYS_RANDOM},
                                                           {"noeviction", MAXMEMORY_NOEVICTION},
                                                           {NULL, 0}};
static const struct config_enum appendfsync_enum[] = {
    {"everysec", APPENDFSYNC_EVERYSEC}, {"always", APPENDFSYNC_ALWAYS}, {"no", APPENDFSYNC_NO}, {NULL, 0}};

/* Redis refuses file names with a directory part: files live in "dir". */
/* enable-test-controls may change at runtime only when it was enabled at
 * start (testctl_init sets test_controls_locked otherwise). */
static int validate_test_controls(const char *v, char *err, size_t errlen) {
    (void)v;
    if (!cfg.test_controls_locked) return 0;
    snprintf(err, errlen, "enable-test-controls can be changed at runtime only when it was enabled at start");
    return -1;
}

static int validate_dbfilename(const char *v, char *err, size_t errlen) {
    if (!strchr(v, '/')) return 0;
    snprintf(err, errlen, "dbfilename can't be a path, just a filename");
    return -1;
}

static int validate_appendfilename(const char *v, char *err, size_t errlen) {
    if (!strchr(v, '/')) return 0;
    snprintf(err, errlen, "appendfilename can't be a path, just a filename");
    return -1;
}

static int validate_appenddirname(const char *v, char *err, size_t errlen) {
    if (!strchr(v, '/')) return 0;
    snprintf(err, errlen, "appenddirname can't be a path, just a dirname");
    return -1;
}

static const struct special_ops user_ops;
static const struct special_ops bind_ops, save_ops, dir_ops, notify_ops, obuf_ops, sigterm_ops, sigint_ops;

/* Redis 7.0's defaults, bounds and mutability, checked against
 * redis-server 7.0.15 (CONFIG GET, CONFIG SET and bad config lines). The
 * order is the order of CONFIG GET * and of lines CONFIG REWRITE appends. */
static const config_row config_table[] = {
    /* network */
    {.name = "bind", .type = CT_SPECIAL, .flags = CF_MULTI_ARG, .def = CONFIG_DEFAULT_BIND, .ops = &bind_ops,
     .apply = apply_listeners},
    {.name = "port", .type = CT_INT, .field = &cfg.port, .min = 0, .max = 65535, .def = "6379",
     .apply = apply_listeners},
    {.name = "unixsocket", .type = CT_STRING, .flags = CF_IMMUTABLE | CF_EMPTY_IS_NULL, .field = &cfg.unixsocket,
     .def = ""},
    {.name = "unixsocketperm", .type = CT_MODE, .flags = CF_IMMUTABLE | CF_OCTAL, .field = &cfg.unixsocketperm,
     .min = 0, .max = 0777, .def = "0"},
    {.name = "tcp-backlog", .type = CT_INT, .flags = CF_IMMUTABLE, .field = &cfg.tcp_backlog, .min = 0,
     .max = INT_MAX, .def = "511"},
    {.name = "timeout", .type = CT_INT, .field = &cfg.timeout_sec, .min = 0, .max = INT_MAX, .def = "0"},
    {.name = "tcp-keepalive", .type = CT_INT, .field = &cfg.tcp_keepalive_sec, .min = 0, .max = INT_MAX,
     .def = "300"},
    {.name = "protected-mode", .type = CT_BOOL, .field = &cfg.protected_mode, .def = "yes"},
    {.name = "maxclients", .type = CT_UINT, .field = &cfg.maxclients, .min = 1, .max = UINT_MAX, .def = "10000",
     .apply = apply_maxclients},
    /* ACL (acl.c, acl_cmd.c) */
    {.name = "acl-pubsub-default", .type = CT_ENUM, .field = &cfg.acl_pubsub_default_all, .def = "resetchannels",
     .enums = acl_pubsub_enum},
    {.name = "acllog-max-len", .type = CT_LL, .field = &cfg.acllog_max_len, .min = 0, .max = LONG_MAX, .def = "128"},
    {.name = "user", .type = CT_SPECIAL,
     .flags = CF_IMMUTABLE | CF_MULTI_ARG | CF_APPEND | CF_HIDDEN | CF_REWRITE_ALWAYS | CF_REWRITE_EXTRA_AT_END,
     .ops = &user_ops},
    {.name = "aclfile", .type = CT_STRING, .flags = CF_IMMUTABLE | CF_EMPTY_IS_NULL, .field = &cfg.aclfile, .def = ""},
    /* process */
    {.name = "daemonize", .type = CT_BOOL, .flags = CF_IMMUTABLE, .field = &cfg.daemonize, .def = "no"},
    {.name = "supervised", .type = CT_ENUM, .flags = CF_IMMUTABLE, .field = &cfg.supervised, .def = "no",
     .enums = supervised_enum},
    {.name = "pidfile", .type = CT_STRING, .flags = CF_IMMUTABLE | CF_EMPTY_IS_NULL, .field = &cfg.pidfile,
     .def = ""},
    {.name = "loglevel", .type = CT_ENUM, .field = &cfg.verbosity, .def = "notice", .enums = loglevel_enum},
    {.name = "logfile", .type = CT_STRING, .flags = CF_IMMUTABLE, .field = &cfg.logfile, .def = ""},
    {.name = "always-show-logo", .type = CT_BOOL, .flags = CF_IMMUTABLE, .field = &cfg.always_show_logo,
     .def = "no"},
    {.name = "set-proc-title", .type = CT_BOOL, .flags = CF_IMMUTABLE, .field = &cfg.set_proc_title, .def = "yes"},
    {.name = "databases", .type = CT_INT, .flags = CF_IMMUTABLE, .field = &cfg.databases, .min = 1,
     .max = INT_MAX, .def = "16"},
    {.name = "hz", .type = CT_INT, .field = &cfg.hz, .min = 0, .max = INT_MAX, .def = "10",
     .normalize = normalize_hz},
    {.name = "dir", .type = CT_SPECIAL, .flags = CF_PROTECTED, .ops = &dir_ops},
    {.name = "enable-protected-configs", .type = CT_ENUM, .flags = CF_IMMUTABLE,
     .field = &cfg.enable_protected_configs, .def = "no", .enums = protected_enum},
    /* dbg: who may run DEBUG / MODULE LOAD|LOADEX|UNLOAD (commands.c asks). */
    {.name = "enable-debug-command", .type = CT_ENUM, .flags = CF_IMMUTABLE, .field = &cfg.enable_debug_cmd,
     .def = "no", .enums = protected_enum},
    {.name = "enable-module-command", .type = CT_ENUM, .flags = CF_IMMUTABLE, .field = &cfg.enable_module_cmd,
     .def = "no", .enums = protected_enum},
    /* minired's own: who may run MINIRED (testctl.c); settable at runtime
     * only when enabled at start. Hidden from CONFIG GET globs, so that
     * CONFIG GET * lists exactly what Redis lists (named, it answers). */
    {.name = "enable-test-controls", .type = CT_ENUM, .flags = CF_HIDDEN, .field = &cfg.enable_test_controls,
     .def = "no", .enums = protected_enum, .validate = validate_test_controls},
    /* security */
    {.name = "requirepass", .type = CT_STRING, .flags = CF_EMPTY_IS_NULL, .field = &cfg.requirepass, .def = "",
     .apply = apply_requirepass},
    /* protocol limits */
    {.name = "proto-max-bulk-len", .type = CT_LL, .flags = CF_MEMORY, .field = &cfg.proto_max_bulk_len,
     .min = MB_BYTES, .max = LLONG_MAX, .def = "536870912"},
    {.name = "client-query-buffer-limit", .type = CT_ULL, .flags = CF_MEMORY,
     .field = &cfg.client_max_querybuf_len, .min = MB_BYTES, .max = LLONG_MAX, .def = "1073741824"},
    {.name = "client-output-buffer-limit", .type = CT_SPECIAL, .flags = CF_MULTI_ARG,
     .def = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", .ops = &obuf_ops},
    /* memory and eviction */
    {.name = "maxmemory", .type = CT_ULL, .flags = CF_MEMORY | CF_FULL_U64, .field = &cfg.maxmemory, .def = "0",
     .apply = apply_maxmemory},
    {.name = "maxmemory-policy", .type = CT_ENUM, .field = &cfg.maxmemory_policy, .def = "noeviction",
     .enums = maxmemory_policy_enum},
    {.name = "maxmemory-samples", .type = CT_INT, .field = &cfg.maxmemory_samples, .min = 1, .max = INT_MAX,
     .def = "5"},
    {.name = "maxmemory-eviction-tenacity", .type = CT_INT, .field = &cfg.maxmemory_eviction_tenacity, .min = 0,
     .max = 100, .def = "10"},
    {.name = "lfu-log-factor", .type = CT_INT, .field = &cfg.lfu_log_factor, .min = 0, .max = INT_MAX, .def = "10"},
    {.name = "lfu-decay-time", .type = CT_INT, .field = &cfg.lfu_decay_time, .min = 0, .max = INT_MAX, .def = "1"},
    {.name = "active-expire-effort", .type = CT_INT, .field = &cfg.active_expire_effort, .min = 1, .max = 10,
     .def = "1"},
    {.name = "activerehashing", .type = CT_BOOL, .field = &cfg.activerehashing, .def = "yes"},
    {.name = "dynamic-hz", .type = CT_BOOL, .field = &cfg.dynamic_hz, .def = "yes"},
    {.name = "lazyfree-lazy-eviction", .type = CT_BOOL, .field = &cfg.lazyfree_lazy_eviction, .def = "no"},
    {.name = "lazyfree-lazy-expire", .type = CT_BOOL, .field = &cfg.lazyfree_lazy_expire, .def = "no"},
    {.name = "lazyfree-lazy-server-del", .type = CT_BOOL, .field = &cfg.lazyfree_lazy_server_del, .def = "no"},
    {.name = "lazyfree-lazy-user-del", .type = CT_BOOL, .field = &cfg.lazyfree_lazy_user_del, .def = "no"},
    {.name = "lazyfree-lazy-user-flush", .type = CT_BOOL, .field = &cfg.lazyfree_lazy_user_flush, .def = "no"},
    /* diagnostics and events */
    {.name = "slowlog-log-slower-than", .type = CT_LL, .field = &cfg.slowlog_log_slower_than, .min = -1,
     .max = LLONG_MAX, .def = "10000"},
    {.name = "slowlog-max-len", .type = CT_ULONG, .field = &cfg.slowlog_max_len, .min = 0, .max = LONG_MAX,
     .def = "128"},
    {.name = "latency-monitor-threshold", .type = CT_LL, .field = &cfg.latency_monitor_threshold, .min = 0,
     .max = LLONG_MAX, .def = "0"},
    {.name = "notify-keyspace-events", .type = CT_SPECIAL, .def = "", .ops = &notify_ops},
    {.name = "tracking-table-max-keys", .type = CT_SIZE, .field = &cfg.tracking_table_max_keys, .min = 0,
     .max = LONG_MAX, .def = "1000000"},
    {.name = "busy-reply-threshold", .alias = "lua-time-limit", .type = CT_LL, .field = &cfg.busy_reply_threshold_ms,
     .min = 0, .max = LONG_MAX, .def = "5000"},
    /* encodings of small collections */
    {.name = "hash-max-listpack-entries", .alias = "hash-max-ziplist-entries", .type = CT_SIZE,
     .field = &cfg.hash_max_listpack_entries, .min = 0, .max = LONG_MAX, .def = "512"},
    {.name = "hash-max-listpack-value", .alias = "hash-max-ziplist-value", .type = CT_SIZE, .flags = CF_MEMORY,
     .field = &cfg.hash_max_listpack_value, .min = 0, .max = LONG_MAX, .def = "64"},
    {.name = "list-max-listpack-size", .alias = "list-max-ziplist-size", .type = CT_INT,
     .field = &cfg.list_max_listpack_size, .min = INT_MIN, .max = INT_MAX, .def = "-2"},
    {.name = "list-compress-depth", .type = CT_INT, .field = &cfg.list_compress_depth, .min = 0, .max = INT_MAX,
     .def = "0"},
    {.name = "set-max-intset-entries", .type = CT_SIZE, .field = &cfg.set_max_intset_entries, .min = 0,
     .max = LONG_MAX, .def = "512"},
    {.name = "zset-max-listpack-entries", .alias = "zset-max-ziplist-entries", .type = CT_SIZE,
     .field = &cfg.zset_max_listpack_entries, .min = 0, .max = LONG_MAX, .def = "128"},
    {.name = "zset-max-listpack-value", .alias = "zset-max-ziplist-value", .type = CT_SIZE, .flags = CF_MEMORY,
     .field = &cfg.zset_max_listpack_value, .min = 0, .max = LONG_MAX, .def = "64"},
    {.name = "hll-sparse-max-bytes", .type = CT_SIZE, .flags = CF_MEMORY, .field = &cfg.hll_sparse_max_bytes,
     .min = 0, .max = LONG_MAX, .def = "3000"},
    {.name = "stream-node-max-bytes", .type = CT_SIZE, .flags = CF_MEMORY, .field = &cfg.stream_node_max_bytes,
     .min = 0, .max = LONG_MAX, .def = "4096"},
    {.name = "stream-node-max-entries", .type = CT_LL, .field = &cfg.stream_node_max_entries, .min = 0,
     .max = LLONG_MAX, .def = "100"},
    /* persistence */
    {.name = "save", .type = CT_SPECIAL, .flags = CF_MULTI_ARG | CF_APPEND, .def = "3600 1 300 100 60 10000",
     .ops = &save_ops},
    {.name = "dbfilename", .type = CT_STRING, .flags = CF_PROTECTED, .field = &cfg.dbfilename, .def = "dump.rdb",
     .validate = validate_dbfilename},
    {.name = "rdbcompression", .type = CT_BOOL, .field = &cfg.rdbcompression, .def = "yes"},
    {.name = "rdbchecksum", .type = CT_BOOL, .flags = CF_IMMUTABLE, .field = &cfg.rdbchecksum, .def = "yes"},
    {.name = "stop-writes-on-bgsave-error", .type = CT_BOOL, .field = &cfg.stop_writes_on_bgsave_error,
     .def = "yes"},
    {.name = "sanitize-dump-payload", .type = CT_ENUM, .field = &cfg.sanitize_dump_payload, .def = "no",
     .enums = sanitize_dump_enum},
    {.name = "rdb-del-sync-files", .type = CT_BOOL, .field = &cfg.rdb_del_sync_files, .def = "no"},
    {.name = "rdb-save-incremental-fsync", .type = CT_BOOL, .field = &cfg.rdb_save_incremental_fsync, .def = "yes"},
    {.name = "loading-process-events-interval-bytes", .type = CT_INT, .flags = CF_HIDDEN,
     .field = &cfg.loading_process_events_interval_bytes, .min = 1024, .max = INT_MAX, .def = "2097152"},
    {.name = "key-load-delay", .type = CT_INT, .flags = CF_HIDDEN, .field = &cfg.key_load_delay, .min = INT_MIN,
     .max = INT_MAX, .def = "0"},
    {.name = "rdb-key-save-delay", .type = CT_INT, .flags = CF_HIDDEN, .field = &cfg.rdb_key_save_delay,
     .min = INT_MIN, .max = INT_MAX, .def = "0"},
    {.name = "shutdown-timeout", .type = CT_INT, .field = &cfg.shutdown_timeout_sec, .min = 0, .max = INT_MAX,
     .def = "10"},
    {.name = "shutdown-on-sigterm", .type = CT_SPECIAL, .flags = CF_MULTI_ARG, .def = "default", .ops = &sigterm_ops},
    {.name = "shutdown-on-sigint", .type = CT_SPECIAL, .flags = CF_MULTI_ARG, .def = "default", .ops = &sigint_ops},
    {.name = "appendonly", .type = CT_BOOL, .field = &cfg.appendonly, .def = "no", .apply = apply_appendonly},
    {.name = "appendfilename", .type = CT_STRING, .flags = CF_IMMUTABLE, .field = &cfg.appendfilename,
     .def = "appendonly.aof", .validate = validate_appendfilename},
    {.name = "appenddirname", .type = CT_STRING, .flags = CF_IMMUTABLE, .field = &cfg.appenddirname,
     .def = "appendonlydir", .validate = validate_appenddirname},
    {.name = "appendfsync", .type = CT_ENUM, .field = &cfg.appendfsync, .def = "everysec",
     .enums = appendfsync_enum},
    {.name = "no-appendfsync-on-rewrite", .type = CT_BOOL, .field = &cfg.no_appendfsync_on_rewrite, .def = "no"},
    {.name = "auto-aof-rewrite-percentage", .type = CT_INT, .field = &cfg.aof_rewrite_perc, .min = 0,
     .max = INT_MAX, .def = "100"},
    {.name = "auto-aof-rewrite-min-size", .type = CT_LL, .flags = CF_MEMORY, .field = &cfg.aof_rewrite_min_size,
     .min = 0, .max = LLONG_MAX, .def = "67108864"},
    {.name = "aof-rewrite-incremental-fsync", .type = CT_BOOL, .field = &cfg.aof_rewrite_incremental_fsync,
     .def = "yes"},
    {.name = "aof-load-truncated", .type = CT_BOOL, .field = &cfg.aof_load_truncated, .def = "yes"},
    {.name = "aof-use-rdb-preamble", .type = CT_BOOL, .field = &cfg.aof_use_rdb_preamble, .def = "yes"},
    {.name = "aof-timestamp-enabled", .type = CT_BOOL, .field = &cfg.aof_timestamp_enabled, .def = "no"},
    {.name = "aof-disable-auto-gc", .type = CT_BOOL, .field = &cfg.aof_disable_auto_gc, .def = "no"},
    /* replication */
    {.name = "replica-read-only", .alias = "slave-read-only", .type = CT_BOOL, .field = &cfg.replica_read_only,
     .def = "yes"},
    {.name = "replica-serve-stale-data", .alias = "slave-serve-stale-data", .type = CT_BOOL,
     .field = &cfg.replica_serve_stale_data, .def = "yes"},
};

#define CONFIG_MAIN_ROWS ((int)(sizeof(config_table) / sizeof(config_table[0])))

static sds cat_memory(sds s, unsigned long long v);
#include "config_stored.h"

/* Every row: config_table's, then the stored-only ones. */
#define CONFIG_ROWS (CONFIG_MAIN_ROWS + STORED_ROWS)

static const config_row *row_at(int i) {
    return i < CONFIG_MAIN_ROWS ? &config_table[i] : &stored_table[i - CONFIG_MAIN_ROWS];
}

/* The row named name or, with *via_alias set, whose alias it is. */
static const config_row *row_lookup_alias(const char *name, int *via_alias) {
    for (int i = 0; i < CONFIG_ROWS; i++) {
        const config_row *r = row_at(i);
        *via_alias = r->alias && str_eq_nocase(r->alias, name);
        if (*via_alias || str_eq_nocase(r->name, name)) return r;
    }
    return NULL;
}

static const config_row *row_lookup(const char *name) {
    int via_alias;
    return row_lookup_alias(name, &via_alias);
}

static int row_index(const config_row *r) {
    if (r >= config_table && r < config_table + CONFIG_MAIN_ROWS) return (int)(r - config_table);
    return CONFIG_MAIN_ROWS + (int)(r - stored_table);
}

/* ------------------------------------------------------------ numbers */

/* Parses one numeric word by the row's syntax and bounds into *out.
 * Reasons are Redis's own texts. */
static int number_parse(const config_row *r, const char *s, long long *out, char *err, size_t errlen) {
    long long v;
    if (r->flags & CF_MEMORY) {
        int bad = s[0] == '-'; /* memory values are never negative */
        unsigned long long u = bad ? 0 : memtoull(s, &bad);
        if (bad) {
            snprintf(err, errlen, "argument must be a memory value");
            return -1;
        }
        /* Every memory row's max fits a long long: bigger is out of range. */
        if (u > (unsigned long long)r->max) goto range;
        v = (long long)u;
    } else if (r->flags & CF_OCTAL) {
        char *end;
        errno = 0;
        v = strtoll(s, &end, 8);
        if (s[0] == '\0' || *end != '\0' || errno == ERANGE) {
            snprintf(err, errlen, "argument couldn't be parsed as an octal number");
            return -1;
        }
    } else if (!string2ll(s, strlen(s), &v)) {
        snprintf(err, errlen, "argument couldn't be parsed into an integer");
        return -1;
    }
    if (v < r->min || v > r->max) goto range;
    *out = v;
    return 0;
range:
    if (r->flags & CF_OCTAL)
        snprintf(err, errlen, "argument must be between %llo and %llo inclusive", (unsigned long long)r->min,
                 (unsigned long long)r->max);
    else
        snprintf(err, errlen, "argument must be between %lld and %lld inclusive", r->min, r->max);
    return -1;
}

static void number_store(const config_row *r, long long v) {
    switch (r->type) {
    case CT_INT: *(int *)r->field = (int)v; break;
    case CT_UINT: *(unsigned int *)r->field = (unsigned int)v; break;
    case CT_LL: *(long long *)r->field = v; break;
    case CT_ULL: *(unsigned long long *)r->field = (unsigned long long)v; break;
    case CT_MODE: *(mode_t *)r->field = (mode_t)v; break;
    case CT_ULONG: *(unsigned long *)r->field = (unsigned long)v; break;
    case CT_SIZE: *(size_t *)r->field = (size_t)v; break;
    default: break;
    }
}

/* Numeric rows hold values within [min, max], all inside a long long,
 * except CF_FULL_U64 rows, which are read as unsigned. */
static long long number_load(const config_row *r) {
    switch (r->type) {
    case CT_INT: return *(int *)r->field;
    case CT_UINT: return *(unsigned int *)r->field;
    case CT_LL: return *(long long *)r->field;
    case CT_ULL: return (long long)*(unsigned long long *)r->field;
    case CT_MODE: return (long long)*(mode_t *)r->field;
    case CT_ULONG: return (long long)*(unsigned long *)r->field;
    case CT_SIZE: return (long long)*(size_t *)r->field;
    default: return 0;
    }
}

/* "1gb" / "64mb" / "4kb" when exact, else bytes: how Redis writes memory
 * values back into a config file. */
static sds cat_memory(sds s, unsigned long long v) {
    if (v != 0 && v % GB_BYTES == 0) return sds_cat_printf(s, "%llugb", v / GB_BYTES);
    if (v != 0 && v % MB_BYTES == 0) return sds_cat_printf(s, "%llumb", v / MB_BYTES);
    if (v != 0 && v % 1024 == 0) return sds_cat_printf(s, "%llukb", v / 1024);
    return sds_cat_printf(s, "%llu", v);
}

/* The unsigned value of a numeric row (CF_FULL_U64 rows exceed a long
 * long; other memory rows are never negative). */
static unsigned long long number_load_u(const config_row *r) {
    if (r->flags & CF_FULL_U64) return *(unsigned long long *)r->field;
    return (unsigned long long)number_load(r);
}

/* A CF_FULL_U64 memory value: every unsigned 64-bit value is in range
 * (a digit run too long saturates, as in Redis). */
static int full_u64_parse(const char *s, unsigned long long *out, char *err, size_t errlen) {
    int bad = s[0] == '-';
    unsigned long long u = bad ? 0 : memtoull(s, &bad);
    if (bad) {
        snprintf(err, errlen, "argument must be a memory value");
        return -1;
    }
    *out = u;
    return 0;
}

/* ------------------------------------------------------------ generic rows */

static int enum_parse(const config_row *r, const char *s, int *out, char *err, size_t errlen) {
    for (const struct config_enum *e = r->enums; e->name; e++) {
        if (str_eq_nocase(e->name, s)) {
            *out = e->value;
            return 0;
        }
    }
    size_t used = (size_t)snprintf(err, errlen, "argument(s) must be one of the following: ");
    for (const struct config_enum *e = r->enums; e->name && used < errlen; e++)
        used += (size_t)snprintf(err + used, errlen - used, "%s%s", e->name, e[1].name ? ", " : "");
    return -1;
}

static const char *enum_name(const config_row *r, int v) {
    for (const struct config_enum *e = r->enums; e->name; e++)
        if (e->value == v) return e->name;
    return "";
}

static int bool_parse(const char *s, int *out, char *err, size_t errlen) {
    if (str_eq_nocase(s, "yes")) *out = 1;
    else if (str_eq_nocase(s, "no")) *out = 0;
    else {
        snprintf(err, errlen, "argument must be 'yes' or 'no'");
        return -1;
    }
    return 0;
}

/* Stores argv (already arity-checked) into the row; on failure leaves the
 * old value and writes a reason into err. */
static int row_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    long long v;
    unsigned long long u;
    int e;
    if (r->validate && r->type != CT_SPECIAL && r->validate(argv[0], err, errlen) == -1) return -1;
    if (r->flags & CF_FULL_U64) {
        if (full_u64_parse(argv[0], &u, err, errlen) == -1) return -1;
        *(unsigned long long *)r->field = u;
        return 0;
    }
    switch (r->type) {
    case CT_BOOL:
        if (bool_parse(argv[0], &e, err, errlen) == -1) return -1;
        *(int *)r->field = e;
        break;
    case CT_ENUM:
        if (enum_parse(r, argv[0], &e, err, errlen) == -1) return -1;
        *(int *)r->field = e;
        break;
    case CT_STRING: {
        char **slot = r->field;
        zfree(*slot);
        *slot = (argv[0][0] == '\0' && (r->flags & CF_EMPTY_IS_NULL)) ? NULL : zstrdup(argv[0]);
        break;
    }
    case CT_SPECIAL:
        if (r->ops->set(r, argc, argv, append, err, errlen) == -1) return -1;
        break;
    default:
        if (number_parse(r, argv[0], &v, err, errlen) == -1) return -1;
        number_store(r, v);
        break;
    }
    if (r->normalize) r->normalize();
    return 0;
}

/* Appends the CONFIG GET text of the row to s; returns s. */
static sds row_get(const config_row *r, sds s) {
    switch (r->type) {
    case CT_BOOL: return sds_cat(s, *(int *)r->field ? "yes" : "no");
    case CT_ENUM: return sds_cat(s, enum_name(r, *(int *)r->field));
    case CT_STRING: return sds_cat(s, *(char **)r->field ? *(char **)r->field : "");
    case CT_SPECIAL: return r->ops->get(r, s);
    default:
        if (r->flags & CF_OCTAL) return sds_cat_printf(s, "%llo", (unsigned long long)number_load(r));
        if (r->flags & CF_FULL_U64) return sds_cat_printf(s, "%llu", number_load_u(r));
        return sds_cat_printf(s, "%lld", number_load(r));
    }
}

/* The lines CONFIG REWRITE writes for the row (one, except for save). */
static void row_rewrite(const config_row *r, struct line_vec *out) {
    sds line = sds_cat_printf(sds_empty(), "%s ", r->name);
    switch (r->type) {
    case CT_STRING: {
        const char *v = *(char **)r->field ? *(char **)r->field : "";
        line = sds_cat_repr(line, v, strlen(v));
        break;
    }
    case CT_SPECIAL:
        sds_free(line);
        r->ops->rewrite(r, out);
        return;
    default:
        if ((r->flags & CF_MEMORY)) line = cat_memory(line, number_load_u(r));
        else line = row_get(r, line);
        break;
    }
    line_vec_push(out, line);
}

static int row_is_default(const config_row *r) {
    if (!r->def) return 0;
    sds now = row_get(r, sds_empty());
    int same = strcmp(now, r->def) == 0;
    sds_free(now);
    return same;
}

/* CONFIG SET hands one string: multi-word rows split it on single spaces
 * (so "a  b" holds an empty word, as in Redis). Returns new words. */
static sds *value_words(const config_row *r, const char *value, int *argc) {
    if (r->flags & CF_MULTI_ARG) {
        sds *w = sds_split_len(value, (ssize_t)strlen(value), " ", 1, argc);
        return w ? w : zcalloc(sizeof(sds));
    }
    sds *w = zmalloc(sizeof(sds));
    w[0] = sds_new(value);
    *argc = 1;
    return w;
}

static int row_set_string(const config_row *r, const char *value, char *err, size_t errlen) {
    int argc;
    sds *argv = value_words(r, value, &argc);
    int rc = row_set(r, argc, argv, 0, err, errlen);
    for (int i = 0; i < argc; i++) sds_free(argv[i]);
    zfree(argv);
    return rc;
}

/* ------------------------------------------------------------ special rows */

static int bind_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    (void)r;
    (void)append;
    if (argc > CONFIG_MAX_BIND_ADDRS) {
        snprintf(err, errlen, "Too many bind addresses specified.");
        return -1;
    }
    for (int i = 0; i < cfg.bind_count; i++) zfree(cfg.bind[i]);
    for (int i = 0; i < argc; i++) cfg.bind[i] = zstrdup(argv[i]);
    for (int i = argc; i < CONFIG_MAX_BIND_ADDRS; i++) cfg.bind[i] = NULL;
    cfg.bind_count = argc;
    return 0;
}

static sds bind_get(const config_row *r, sds s) {
    (void)r;
    for (int i = 0; i < cfg.bind_count; i++) s = sds_cat_printf(s, "%s%s", i ? " " : "", cfg.bind[i]);
    return s;
}

/* Unquoted, as Redis writes it; a bare "bind" line means no address. */
static void bind_rewrite(const config_row *r, struct line_vec *out) {
    line_vec_push(out, bind_get(r, sds_new("bind ")));
    sds_trim(out->v[out->n - 1], " ");
}

/* Redis reads each number with strtoll: "+5" passes, "" is 0, "5x" fails. */
static int save_number(const char *s, long long *out) {
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return *end == '\0' && errno != ERANGE;
}

/* "save <sec> <changes> ..." sets the points; in a file the later lines of
 * one load add to the first; save "" (or no words) clears them. */
static int save_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    (void)r;
    int clear = argc == 0 || (argc == 1 && argv[0][0] == '\0');
    if (!clear && argc % 2 != 0) goto bad;
    int pairs = clear ? 0 : argc / 2;
    struct config_save_param *p = zmalloc(sizeof(*p) * (size_t)(pairs ? pairs : 1));
    for (int i = 0; i < pairs; i++) {
        if (!save_number(argv[2 * i], &p[i].seconds) || !save_number(argv[2 * i + 1], &p[i].changes) ||
            p[i].seconds < 1 || p[i].changes < 0) {
            zfree(p);
            goto bad;
        }
    }
    if (append && !clear) {
        int total = cfg.save_param_count + pairs;
        cfg.save_params = zrealloc(cfg.save_params, sizeof(*p) * (size_t)total);
        memcpy(cfg.save_params + cfg.save_param_count, p, sizeof(*p) * (size_t)pairs);
        cfg.save_param_count = total;
        zfree(p);
        return 0;
    }
    zfree(cfg.save_params);
    cfg.save_params = pairs ? p : NULL;
    if (!pairs) zfree(p);
    cfg.save_param_count = pairs;
    return 0;
bad:
    snprintf(err, errlen, "Invalid save parameters");
    return -1;
}

static sds save_get(const config_row *r, sds s) {
    (void)r;
    for (int i = 0; i < cfg.save_param_count; i++)
        s = sds_cat_printf(s, "%s%lld %lld", i ? " " : "", cfg.save_params[i].seconds, cfg.save_params[i].changes);
    return s;
}

/* One "save <sec> <changes>" line per point; save "" when there is none. */
static void save_rewrite(const config_row *r, struct line_vec *out) {
    (void)r;
    if (cfg.save_param_count == 0) line_vec_push(out, sds_new("save \"\""));
    for (int i = 0; i < cfg.save_param_count; i++)
        line_vec_push(out, sds_cat_printf(sds_empty(), "save %lld %lld", cfg.save_params[i].seconds,
                                          cfg.save_params[i].changes));
}

/* "dir" is the working directory itself: setting it is chdir(2), reading
 * it is getcwd(3), so relative paths (dump file, logs) follow it. */
static int dir_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    (void)r;
    (void)append;
    if (argc != 1) {
        snprintf(err, errlen, "wrong number of arguments");
        return -1;
    }
    if (chdir(argv[0]) == -1) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    return 0;
}

static sds dir_get(const config_row *r, sds s) {
    (void)r;
    char buf[PATH_MAX];
    return sds_cat(s, getcwd(buf, sizeof(buf)) ? buf : "");
}

static void dir_rewrite(const config_row *r, struct line_vec *out) {
    sds cwd = dir_get(r, sds_empty());
    line_vec_push(out, sds_cat_repr(sds_new("dir "), cwd, sds_len(cwd)));
    sds_free(cwd);
}

/* notify-keyspace-events: letters in, bits stored, Redis's canonical
 * letters out. Display order and quirks follow Redis 7.0: "A" stands for
 * g$lshzxetd, and "n" is shown only when "A" is not. */
static const struct {
    char letter;
    int bits;
} notify_letters[] = {{'g', NOTIFY_GENERIC}, {'$', NOTIFY_STRING},  {'l', NOTIFY_LIST},    {'s', NOTIFY_SET},
                      {'h', NOTIFY_HASH},    {'z', NOTIFY_ZSET},    {'x', NOTIFY_EXPIRED}, {'e', NOTIFY_EVICTED},
                      {'t', NOTIFY_STREAM},  {'d', NOTIFY_MODULE},  {'n', NOTIFY_NEW},     {'K', NOTIFY_KEYSPACE},
                      {'E', NOTIFY_KEYEVENT}, {'m', NOTIFY_KEY_MISS}};
#define NOTIFY_LETTERS ((int)(sizeof(notify_letters) / sizeof(notify_letters[0])))
/* Letters before this index are not shown when "A" is. */
#define NOTIFY_LETTERS_UNDER_A 11

static int notify_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    (void)r;
    (void)append;
    int bits = 0;
    for (const char *p = argc == 1 ? argv[0] : ""; *p; p++) {
        int found = *p == 'A';
        if (found) bits |= NOTIFY_ALL;
        for (int i = 0; i < NOTIFY_LETTERS && !found; i++) {
            if (notify_letters[i].letter != *p) continue;
            bits |= notify_letters[i].bits;
            found = 1;
        }
        if (!found) {
            snprintf(err, errlen, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
            return -1;
        }
    }
    cfg.notify_keyspace_events = bits;
    return 0;
}

static sds notify_get(const config_row *r, sds s) {
    (void)r;
    int bits = cfg.notify_keyspace_events;
    int all = (bits & NOTIFY_ALL) == NOTIFY_ALL;
    if (all) s = sds_cat(s, "A");
    for (int i = 0; i < NOTIFY_LETTERS; i++) {
        if (all && i < NOTIFY_LETTERS_UNDER_A) continue;
        if (bits & notify_letters[i].bits) s = sds_cat_len(s, &notify_letters[i].letter, 1);
    }
    return s;
}

/* Quoted, as Redis writes it (notify-keyspace-events "AKE"). */
static void notify_rewrite(const config_row *r, struct line_vec *out) {
    sds v = notify_get(r, sds_empty());
    line_vec_push(out, sds_cat_repr(sds_new("notify-keyspace-events "), v, sds_len(v)));
    sds_free(v);
}

/* client-output-buffer-limit <class> <hard> <soft> <soft-seconds> ...:
 * groups of four; classes not named keep their limits. Every group is
 * checked before any is stored. */
static const char *const obuf_class_names[CLIENT_CLASS_COUNT] = {"normal", "slave", "pubsub"};
#define OBUF_GROUP_WORDS 4

static int obuf_class(const char *name) {
    if (str_eq_nocase(name, "normal")) return CLIENT_CLASS_NORMAL;
    if (str_eq_nocase(name, "slave") || str_eq_nocase(name, "replica")) return CLIENT_CLASS_REPLICA;
    if (str_eq_nocase(name, "pubsub")) return CLIENT_CLASS_PUBSUB;
    return -1;
}

static int obuf_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    (void)append;
    /* One argument holding the whole list ("normal 1mb 0 0"), as CONFIG SET
     * and a quoted command-line option give it: split it, as Redis does. */
    if (argc == 1) {
        int n;
        sds *words = sds_split_args(argv[0], &n);
        if (words == NULL || n == 1) {
            if (words) sds_free_split_res(words, n);
            snprintf(err, errlen, "Wrong number of arguments in buffer limit configuration.");
            return -1;
        }
        int rc = obuf_set(r, n, words, append, err, errlen);
        sds_free_split_res(words, n);
        return rc;
    }
    struct config_obuf_limit now[CLIENT_CLASS_COUNT];
    memcpy(now, cfg.client_obuf_limits, sizeof(now));
    if (argc % OBUF_GROUP_WORDS != 0) {
        snprintf(err, errlen, "Wrong number of arguments in buffer limit configuration.");
        return -1;
    }
    for (int j = 0; j < argc; j += OBUF_GROUP_WORDS) {
        int cls = obuf_class(argv[j]);
        if (cls < 0) {
            snprintf(err, errlen, "Invalid client class specified in buffer limit configuration.");
            return -1;
        }
        unsigned long long hard, soft;
        long long secs;
        char ignored[CONFIG_ERR_LEN];
        if (full_u64_parse(argv[j + 1], &hard, ignored, sizeof(ignored)) == -1 ||
            full_u64_parse(argv[j + 2], &soft, ignored, sizeof(ignored)) == -1 || !save_number(argv[j + 3], &secs) ||
            secs < 0) {
            snprintf(err, errlen, "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            return -1;
        }
        now[cls] = (struct config_obuf_limit){.hard_bytes = hard, .soft_bytes = soft, .soft_seconds = secs};
    }
    memcpy(cfg.client_obuf_limits, now, sizeof(now));
    return 0;
}

static sds obuf_get(const config_row *r, sds s) {
    (void)r;
    for (int i = 0; i < CLIENT_CLASS_COUNT; i++) {
        const struct config_obuf_limit *l = &cfg.client_obuf_limits[i];
        s = sds_cat_printf(s, "%s%s %llu %llu %lld", i ? " " : "", obuf_class_names[i], l->hard_bytes, l->soft_bytes,
                           l->soft_seconds);
    }
    return s;
}

/* One line per class, sizes with units, "replica" for the replica class:
 * how Redis 7.0 writes it. */
static void obuf_rewrite(const config_row *r, struct line_vec *out) {
    (void)r;
    for (int i = 0; i < CLIENT_CLASS_COUNT; i++) {
        const struct config_obuf_limit *l = &cfg.client_obuf_limits[i];
        sds line = sds_cat_printf(sds_empty(), "client-output-buffer-limit %s ",
                                  i == CLIENT_CLASS_REPLICA ? "replica" : obuf_class_names[i]);
        line = cat_memory(line, l->hard_bytes);
        line = cat_memory(sds_cat(line, " "), l->soft_bytes);
        line_vec_push(out, sds_cat_printf(line, " %lld", l->soft_seconds));
    }
}

/* shutdown-on-sigterm / shutdown-on-sigint: words among default, save,
 * nosave, now, force (in one argument or several), ORed together. */
static const struct config_enum shutdown_flag_enum[] = {{"default", SHUTDOWN_NOFLAGS},
                                                        {"save", SHUTDOWN_SAVE},
                                                        {"nosave", SHUTDOWN_NOSAVE},
                                                        {"now", SHUTDOWN_NOW},
                                                        {"force", SHUTDOWN_FORCE},
                                                        {NULL, 0}};

static int shutdown_flags_parse(int argc, char **argv, int *out, char *err, size_t errlen) {
    int flags = 0, words = 0;
    for (int i = 0; i < argc; i++) {
        int n;
        sds *w = sds_split_args(argv[i], &n);
        for (int j = 0; w && j < n; j++, words++) {
            const struct config_enum *e = shutdown_flag_enum;
            while (e->name && !str_eq_nocase(e->name, w[j])) e++;
            if (e->name == NULL) words = -1000000;
            else flags |= e->value;
        }
        if (w) sds_free_split_res(w, n);
        else words = -1000000;
    }
    if (words <= 0) {
        snprintf(err, errlen, "argument(s) must be one of the following: default, save, nosave, now, force");
        return -1;
    }
    if ((flags & SHUTDOWN_SAVE) && (flags & SHUTDOWN_NOSAVE)) {
        snprintf(err, errlen, "shutdown options SAVE and NOSAVE can't be used simultaneously");
        return -1;
    }
    *out = flags;
    return 0;
}

static sds shutdown_flags_get(int flags, sds s) {
    if (flags == 0) return sds_cat(s, "default");
    int first = 1;
    for (const struct config_enum *e = shutdown_flag_enum + 1; e->name; e++) {
        if (!(flags & e->value)) continue;
        s = sds_cat_printf(s, "%s%s", first ? "" : " ", e->name);
        first = 0;
    }
    return s;
}

static int sigterm_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    (void)r, (void)append;
    return shutdown_flags_parse(argc, argv, &cfg.shutdown_on_sigterm, err, errlen);
}
static int sigint_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    (void)r, (void)append;
    return shutdown_flags_parse(argc, argv, &cfg.shutdown_on_sigint, err, errlen);
}
static sds sigterm_get(const config_row *r, sds s) {
    (void)r;
    return shutdown_flags_get(cfg.shutdown_on_sigterm, s);
}
static sds sigint_get(const config_row *r, sds s) {
    (void)r;
    return shutdown_flags_get(cfg.shutdown_on_sigint, s);
}
static void sigterm_rewrite(const config_row *r, struct line_vec *out) {
    line_vec_push(out, sigterm_get(r, sds_new("shutdown-on-sigterm ")));
}
static void sigint_rewrite(const config_row *r, struct line_vec *out) {
    line_vec_push(out, sigint_get(r, sds_new("shutdown-on-sigint ")));
}

static const struct special_ops sigterm_ops = {.set = sigterm_set, .get = sigterm_get, .rewrite = sigterm_rewrite};
static const struct special_ops sigint_ops = {.set = sigint_set, .get = sigint_get, .rewrite = sigint_rewrite};
static const struct special_ops bind_ops = {.set = bind_set, .get = bind_get, .rewrite = bind_rewrite};
static const struct special_ops notify_ops = {.set = notify_set, .get = notify_get, .rewrite = notify_rewrite};
static const struct special_ops obuf_ops = {.set = obuf_set, .get = obuf_get, .rewrite = obuf_rewrite};
/* "user <name> <rules...>" lines, kept as given for acl.c to apply at
 * start (users need the command table, which exists only later). */
static char **user_lines;
static int user_line_count;

static int user_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    (void)r;
    (void)err;
    (void)errlen;
    if (!append) {
        for (int i = 0; i < user_line_count; i++) zfree(user_lines[i]);
        user_line_count = 0;
    }
    sds line = sds_empty();
    for (int i = 0; i < argc; i++) line = sds_cat_printf(line, "%s%s", i ? " " : "", argv[i]);
    user_lines = zrealloc(user_lines, sizeof(char *) * (size_t)(user_line_count + 1));
    user_lines[user_line_count++] = zstrdup(line);
    sds_free(line);
    return 0;
}

static sds user_get(const config_row *r, sds out) {
    (void)r;
    return out;
}

/* As Redis: the users as they are now (ACL SETUSER / DELUSER since the
 * start included), not the lines the file had. */
static void user_rewrite(const config_row *r, struct line_vec *out) {
    (void)r;
    if (hooks.acl_user_lines == NULL) {
        for (int i = 0; i < user_line_count; i++)
            line_vec_push(out, sds_cat_printf(sds_empty(), "user %s", user_lines[i]));
        return;
    }
    sds text = hooks.acl_user_lines();
    int n;
    sds *lines = sds_split_len(text, (ssize_t)sds_len(text), "\n", 1, &n);
    for (int i = 0; i < n; i++)
        if (sds_len(lines[i])) line_vec_push(out, sds_dup(lines[i]));
    sds_free_split_res(lines, n);
    sds_free(text);
}

const char *const *config_user_lines(int *count) {
    *count = user_line_count;
    return (const char *const *)user_lines;
}

static const struct special_ops user_ops = {.set = user_set, .get = user_get, .rewrite = user_rewrite};
static const struct special_ops save_ops = {.set = save_set, .get = save_get, .rewrite = save_rewrite};
static const struct special_ops dir_ops = {.set = dir_set, .get = dir_get, .rewrite = dir_rewrite};

/* ------------------------------------------------------------ defaults */

void config_release(void) {
    for (int i = 0; i < cfg.bind_count; i++) zfree(cfg.bind[i]);
    zfree(cfg.unixsocket);
    zfree(cfg.pidfile);
    zfree(cfg.logfile);
    zfree(cfg.requirepass);
    zfree(cfg.save_params);
    zfree(cfg.dbfilename);
    zfree(cfg.appendfilename);
    zfree(cfg.appenddirname);
    /* Before the memset: the replication rows' strings live in cfg. */
    stored_release();
    memset(&cfg, 0, sizeof(cfg));
    for (int i = 0; i < 2 * rename_count; i++) zfree(renames[i]);
    zfree(renames);
    renames = NULL;
    rename_count = 0;
}

void config_init_defaults(void) {
    char err[CONFIG_ERR_LEN];
    config_release();
    for (int i = 0; i < CONFIG_ROWS; i++) {
        const config_row *r = row_at(i);
        /* Defaults are literals checked by the unit tests: cannot fail. */
        if (r->def) row_set_string(r, r->def, err, sizeof(err));
    }
}

int config_command_renames(char *const **pairs) {
    *pairs = renames;
    return rename_count;
}

void config_set_hooks(const struct config_hooks *h) {
    if (h) hooks = *h;
    else memset(&hooks, 0, sizeof(hooks));
}

void config_resetstat(void) {
    if (hooks.resetstat) hooks.resetstat();
}

void config_set_file_path(const char *path) {
    zfree(config_path);
    config_path = NULL;
    if (!path) return;
    if (path[0] == '/') {
        config_path = zstrdup(path);
        return;
    }
    char cwd[PATH_MAX];
    sds abs = sds_cat_printf(sds_empty(), "%s/%s", getcwd(cwd, sizeof(cwd)) ? cwd : ".", path);
    config_path = zstrdup(abs);
    sds_free(abs);
}

const char *config_file_path(void) {
    return config_path;
}

/* ------------------------------------------------------------ loading */

struct load_ctx {
    unsigned char seen[CONFIG_ROWS]; /* directive already set in this load */
    int depth;                       /* include nesting */
};

static int load_text(struct load_ctx *ctx, const char *text, sds *err);

/* Redis's banner, layout byte for byte, ready to print to stderr. */
static sds fatal_at_line(int lineno, const char *line, const char *reason) {
    return sds_cat_printf(sds_empty(),
                          "\n*** FATAL CONFIG FILE ERROR (%s) ***\n"
                          "Reading the configuration file, at line %d\n>>> '%s'\n%s\n",
                          CONFIG_SERVER_NAME_VERSION, lineno, line, reason);
}

/* Returns new sds with the whole file (path "-": stdin), or NULL with errno
 * set. */
static sds read_whole_file(const char *path) {
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!fp) return NULL;
    sds text = sds_empty();
    char buf[CONFIG_READ_CHUNK_BYTES];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) text = sds_cat_len(text, buf, n);
    int failed = ferror(fp);
    if (fp != stdin) fclose(fp);
    if (failed) {
        sds_free(text);
        errno = EIO;
        return NULL;
    }
    return text;
}

static int load_one_file(struct load_ctx *ctx, const char *path, sds *err) {
    sds text = read_whole_file(path);
    if (!text) {
        *err = sds_cat_printf(sds_empty(), "Fatal error, can't open config file '%s': %s\n", path,
                              strerror(errno));
        return -1;
    }
    int rc = load_text(ctx, text, err);
    sds_free(text);
    return rc;
}

/* "include path": a glob pattern loads every match in sorted order (as
 * Redis 7.0 does); errors inside report the included file's line. */
static int load_include(struct load_ctx *ctx, const char *path, sds *err) {
    if (ctx->depth >= CONFIG_MAX_INCLUDE_DEPTH) {
        *err = sds_cat_printf(sds_empty(), "Fatal error, include nesting too deep at '%s'\n", path);
        return -1;
    }
    ctx->depth++;
    int rc = 0;
    if (strpbrk(path, "*?[")) {
        glob_t g;
        int grc = glob(path, 0, NULL, &g);
        if (grc == 0) {
            for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) rc = load_one_file(ctx, g.gl_pathv[i], err);
        } else if (grc != GLOB_NOMATCH) {
            *err = sds_cat_printf(sds_empty(), "Fatal error, can't open config file '%s'\n", path);
            rc = -1;
        }
        globfree(&g);
    } else {
        rc = load_one_file(ctx, path, err);
    }
    ctx->depth--;
    return rc;
}

/* Applies one split line; returns NULL or the static reason it failed
 * (errbuf holds value errors). */
static const char *load_directive(struct load_ctx *ctx, int argc, char **argv, char *errbuf, size_t errlen,
                                  sds *err, int *include_failed) {
    if (str_eq_nocase(argv[0], "include") && argc == 2) {
        *include_failed = load_include(ctx, argv[1], err) == -1;
        return NULL;
    }
    if (str_eq_nocase(argv[0], "rename-command")) {
        if (argc != 3) return "wrong number of arguments";
        renames = zrealloc(renames, sizeof(char *) * 2 * (size_t)(rename_count + 1));
        renames[2 * rename_count] = zstrdup(argv[1]);
        renames[2 * rename_count + 1] = zstrdup(argv[2]);
        rename_count++;
        return NULL;
    }
    const config_row *r = row_lookup(argv[0]);
    if (!r) return "Bad directive or wrong number of arguments";
    if (!(r->flags & CF_MULTI_ARG) && argc != 2) return "wrong number of arguments";
    int idx = row_index(r);
    int append = (r->flags & CF_APPEND) && ctx->seen[idx];
    /* One quoted value of a multi-word directive (save "3600 1 300 100",
     * as --save "..." gives it) is split on spaces, as Redis does. */
    if ((r->flags & CF_MULTI_ARG) && argc == 2 && argv[1][0]) {
        int n;
        sds *words = sds_split_len(argv[1], (ssize_t)strlen(argv[1]), " ", 1, &n);
        int rc = words ? row_set(r, n, words, append, errbuf, errlen) : -1;
        if (words) sds_free_split_res(words, n);
        if (rc == -1) return words ? errbuf : "wrong number of arguments";
    } else if (row_set(r, argc - 1, argv + 1, append, errbuf, errlen) == -1) {
        return errbuf;
    }
    ctx->seen[idx] = 1;
    return NULL;
}

/* Loads text line by line: trimmed, '#' comments and blank lines skipped,
 * words split with quotes. Stops at the first error. */
static int load_text(struct load_ctx *ctx, const char *text, sds *err) {
    const char *p = text;
    int lineno = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        sds line = sds_trim(sds_new_len(p, len), " \t\r\n");
        p += len + (nl ? 1 : 0);
        lineno++;
        if (line[0] == '#' || line[0] == '\0') {
            sds_free(line);
            continue;
        }
        int argc, include_failed = 0;
        char errbuf[CONFIG_ERR_LEN];
        const char *reason = NULL;
        sds *argv = sds_split_args(line, &argc);
        if (!argv) reason = "Unbalanced quotes in configuration line";
        else if (argc > 0) {
            sds_to_lower(argv[0]);
            reason = load_directive(ctx, argc, argv, errbuf, sizeof(errbuf), err, &include_failed);
        }
        if (argv) sds_free_split_res(argv, argc);
        if (reason) *err = fatal_at_line(lineno, line, reason);
        sds_free(line);
        if (reason || include_failed) return -1;
    }
    return 0;
}

int config_load_string(const char *text, const char *filename, sds *err) {
    (void)filename; /* Redis's banner does not name the file */
    struct load_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    *err = NULL;
    if (load_text(&ctx, text, err) == -1) return -1;
    /* A cluster node's primary is chosen by the cluster (CLUSTER
     * REPLICATE), never by the file; the banner has no line, as Redis. */
    if (cfg.cluster_enabled && cfg.replicaof && cfg.replicaof[0] && strcasecmp(cfg.replicaof, "no one") != 0) {
        *err = sds_cat_printf(sds_empty(),
                              "\n*** FATAL CONFIG FILE ERROR (%s) ***\nreplicaof directive not allowed in cluster mode\n",
                              CONFIG_SERVER_NAME_VERSION);
        return -1;
    }
    /* Redis refuses to start when the log file cannot be opened, with the
     * banner but no line. */
    if (cfg.logfile && cfg.logfile[0]) {
        FILE *fp = fopen(cfg.logfile, "a");
        if (!fp) {
            *err = sds_cat_printf(sds_empty(), "\n*** FATAL CONFIG FILE ERROR (%s) ***\nCan't open the log file: %s\n",
                                  CONFIG_SERVER_NAME_VERSION, strerror(errno));
            return -1;
        }
        fclose(fp);
    }
    return 0;
}

/* Options follow the file after a newline, so their line numbers continue
 * the file's (a lone "--port x" is reported at line 2, as in Redis). */
int config_load_file(const char *path, const char *options, sds *err) {
    sds text;
    *err = NULL;
    if (path) {
        if (strcmp(path, "-") != 0) config_set_file_path(path);
        text = read_whole_file(path);
        if (!text) {
            *err = sds_cat_printf(sds_empty(), "Fatal error, can't open config file '%s': %s\n", path,
                                  strerror(errno));
            return -1;
        }
    } else {
        text = sds_empty();
    }
    text = sds_cat(text, "\n");
    if (options) text = sds_cat(text, options);
    int rc = config_load_string(text, path, err);
    sds_free(text);
    return rc;
}

/* ------------------------------------------------------------ command line */

/* Redis 7.0's rules: "--name" starts a directive; other words are values
 * of the current one (quoted, so any bytes survive); "--name value" in one
 * word is taken as raw config text. After a bare "--name" the next word is
 * its value even if it starts with "--", except for "--save", which then
 * (or when last) means save "". */
sds config_options_from_argv(int argc, char **argv) {
    sds out = sds_empty();
    int lines = 0, want_value = 0;
    for (int j = 0; j < argc; j++) {
        const char *a = argv[j];
        int is_name = a[0] == '-' && a[1] == '-' && !want_value;
        if (!is_name) {
            out = sds_cat(sds_cat_repr(out, a, strlen(a)), " ");
            want_value = 0;
            continue;
        }
        if (lines++) out = sds_cat(out, "\n");
        out = sds_cat(sds_cat(out, a + 2), " ");
        int words;
        sds *w = sds_split_args(a, &words);
        if (w) sds_free_split_res(w, words);
        if (words != 1) continue; /* "--port 6380" in one word: complete */
        want_value = 1;
        int next_is_name = j + 1 < argc && argv[j + 1][0] == '-' && argv[j + 1][1] == '-';
        if (str_eq_nocase(a, "--save") && (j + 1 == argc || next_is_name)) {
            out = sds_cat(out, "\"\"");
            want_value = 0;
        }
    }
    /* One directive per line without trailing spaces. */
    int n;
    sds *parts = sds_split_len(out, (ssize_t)sds_len(out), "\n", 1, &n);
    sds clean = sds_empty();
    for (int i = 0; i < n; i++) clean = sds_cat(sds_cat(clean, sds_trim(parts[i], " ")), "\n");
    if (parts) sds_free_split_res(parts, n);
    sds_free(out);
    return clean;
}

/* ------------------------------------------------------------ CONFIG GET / SET */

sds config_get_value(const char *name) {
    const config_row *r = row_lookup(name);
    return r ? row_get(r, sds_empty()) : NULL;
}

/* A row answers under its name and, like Redis, under its alias too: a
 * glob matches each spelling on its own, so "*" lists both. Slot 2*i is
 * row i's name, 2*i+1 its alias. */
sds *config_get_matching(int npatterns, char **patterns, int *count) {
    unsigned char taken[2 * CONFIG_ROWS] = {0};
    sds *out = zmalloc(sizeof(sds) * 4 * CONFIG_ROWS);
    int n = 0;
    for (int p = 0; p < npatterns; p++) {
        const char *pat = patterns[p];
        int exact = strpbrk(pat, "*?[") == NULL;
        for (int slot = 0; slot < 2 * CONFIG_ROWS; slot++) {
            const config_row *r = row_at(slot / 2);
            const char *name = slot % 2 ? r->alias : r->name;
            if (taken[slot] || !name) continue;
            if (exact ? !str_eq_nocase(pat, name) : !string_match(pat, name, 1)) continue;
            if (!exact && (r->flags & CF_HIDDEN)) continue;
            taken[slot] = 1;
            out[2 * n] = sds_new(exact ? pat : name);
            out[2 * n + 1] = row_get(r, sds_empty());
            n++;
        }
    }
    *count = n;
    return out;
}

void config_free_pairs(sds *pairs, int count) {
    for (int i = 0; i < 2 * count; i++) sds_free(pairs[i]);
    zfree(pairs);
}

static sds set_failed(const char *name, const char *reason) {
    return sds_cat_printf(sds_empty(), "CONFIG SET failed (possibly related to argument '%s') - %s", name, reason);
}

/* The name checks, pair by pair in order, as Redis makes them. A name and
 * its alias are different parameters to Redis (the later pair wins), so
 * only the same spelling twice is a duplicate. Returns the error (new sds)
 * or NULL. */
static sds set_check_names(int npairs, char **argv, const config_row **rows, int client_is_local) {
    int protected_ok = cfg.enable_protected_configs == PROTECTED_CONFIGS_YES ||
                       (cfg.enable_protected_configs == PROTECTED_CONFIGS_LOCAL && client_is_local);
    for (int i = 0; i < npairs; i++) {
        const char *name = argv[2 * i];
        int via_alias;
        rows[i] = row_lookup_alias(name, &via_alias);
        if (!rows[i])
            return sds_cat_printf(sds_empty(), "Unknown option or number of arguments for CONFIG SET - '%s'", name);
        if (rows[i]->flags & CF_IMMUTABLE) return set_failed(name, "can't set immutable config");
        if ((rows[i]->flags & CF_PROTECTED) && !protected_ok) return set_failed(name, "can't set protected config");
        for (int j = 0; j < i; j++)
            if (str_eq_nocase(argv[2 * j], name)) return set_failed(name, "duplicate parameter");
    }
    return NULL;
}

/* Puts back the values saved in old[0..n-1] (their own CONFIG GET text,
 * which always parses back to the same value), last first: when a name
 * and its alias were both set, old[] of the first holds the original. */
static void set_restore(int n, const config_row **rows, sds *old) {
    char err[CONFIG_ERR_LEN];
    for (int i = n - 1; i >= 0; i--) row_set_string(rows[i], old[i], err, sizeof(err));
}

/* Runs each distinct apply hook of the changed rows once, in pair order
 * (a value set to what it already was triggers nothing, as in Redis, so
 * CONFIG SET port <same> does not re-bind). Returns the index of the pair
 * whose hook failed, or -1. */
static int set_run_applies(int npairs, const config_row **rows, const unsigned char *changed, char *err,
                           size_t errlen) {
    for (int i = 0; i < npairs; i++) {
        if (!rows[i]->apply || !changed[i]) continue;
        int dup = 0;
        for (int j = 0; j < i; j++) dup |= changed[j] && rows[j]->apply == rows[i]->apply;
        if (!dup && rows[i]->apply(err, errlen) == -1) return i;
    }
    return -1;
}

/* Stores every value; on a bad one restores the earlier ones. Returns 0
 * or -1 with *err set. Marks in changed[] the rows whose value moved. */
static int set_store_all(int npairs, char **argv, const config_row **rows, sds *old, unsigned char *changed,
                         sds *err) {
    char reason[CONFIG_ERR_LEN];
    for (int i = 0; i < npairs; i++) old[i] = row_get(rows[i], sds_empty());
    for (int i = 0; i < npairs; i++) {
        if (row_set_string(rows[i], argv[2 * i + 1], reason, sizeof(reason)) == -1) {
            set_restore(i, rows, old);
            *err = set_failed(argv[2 * i], reason);
            return -1;
        }
        sds now = row_get(rows[i], sds_empty());
        changed[i] = strcmp(now, old[i]) != 0;
        sds_free(now);
    }
    return 0;
}

int config_set_pairs(int argc, char **argv, int client_is_local, sds *err) {
    int npairs = argc / 2;
    size_t slots = (size_t)(npairs ? npairs : 1);
    const config_row **rows = zmalloc(sizeof(*rows) * slots);
    sds *old = zcalloc(sizeof(sds) * slots);
    unsigned char *changed = zcalloc(slots);
    char reason[CONFIG_ERR_LEN];
    int rc = -1;
    /* The one value whose CONFIG GET text loses information ("n" is not
     * shown next to "A"): kept aside so a rollback is exact. */
    int old_notify = cfg.notify_keyspace_events;
    *err = set_check_names(npairs, argv, rows, client_is_local);
    if (*err) goto done;
    if (set_store_all(npairs, argv, rows, old, changed, err) == -1) {
        cfg.notify_keyspace_events = old_notify;
        goto done;
    }
    int failed = set_run_applies(npairs, rows, changed, reason, sizeof(reason));
    if (failed >= 0) {
        char ignored[CONFIG_ERR_LEN];
        set_restore(npairs, rows, old);
        cfg.notify_keyspace_events = old_notify;
        set_run_applies(npairs, rows, changed, ignored, sizeof(ignored));
        *err = set_failed(argv[2 * failed], reason);
        goto done;
    }
    rc = 0;
done:
    for (int i = 0; i < npairs; i++) sds_free(old[i]);
    zfree(old);
    zfree(changed);
    zfree(rows);
    return rc;
}

/* ------------------------------------------------------------ for config_rewrite.c */

void config_line_vec_push(struct line_vec *lv, sds line) {
    line_vec_push(lv, line);
}

void config_line_vec_free(struct line_vec *lv) {
    line_vec_free(lv);
}

int config_row_count(void) {
    return CONFIG_ROWS;
}

const config_row *config_row_at(int i) {
    return row_at(i);
}

int config_row_index_of(const char *name) {
    const config_row *r = row_lookup(name);
    return r ? row_index(r) : -1;
}

int config_row_needs_line(const config_row *r) {
    return !row_is_default(r) || (r->flags & CF_REWRITE_ALWAYS);
}

int config_row_extra_at_end(const config_row *r) {
    return (r->flags & CF_REWRITE_EXTRA_AT_END) != 0;
}

void config_row_lines(const config_row *r, struct line_vec *out) {
    row_rewrite(r, out);
}

sds config_read_file(const char *path) {
    return read_whole_file(path);
}
