/* server.h -- the types shared by the command and server layers (L3/L4):
 * clients, databases, the command table entry, and the runtime state.
 *
 * Every field of `server` names the one module that writes it; others only
 * read. Base, I/O and protocol files (L0-L2) never include this header. */
#ifndef MINIRED_SERVER_H
#define MINIRED_SERVER_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ae.h"
#include "anet.h"
#include "config.h"
#include "dict.h"
#include "object.h"
#include "resp.h"
#include "sds.h"

#define MINIRED_VERSION "0.1.0"
/* The Redis version whose behaviour minired follows (INFO redis_version,
 * HELLO "version"): clients gate features on it. */
#define MINIRED_REDIS_COMPAT_VERSION "7.0.15"

/* Per-client output buffer; replies that do not fit go to a block chain. */
#define PROTO_REPLY_CHUNK_BYTES (16 * 1024)
/* Bytes read per read() call; big arguments read up to their remaining
 * length at once. */
#define PROTO_IOBUF_LEN (16 * 1024)
/* Stop writing to one client after this many bytes per event-loop pass so
 * one fast reader cannot starve the others. */
#define NET_MAX_WRITES_PER_EVENT (64 * 1024)
/* Accepts per readable listener per pass (bounded so a flood of connects
 * cannot starve established clients). */
#define MAX_ACCEPTS_PER_CALL 1000
/* fds reserved for listeners, logs, pidfile... beyond maxclients. */
#define CONFIG_MIN_RESERVED_FDS 32
#define NET_ADDR_STR_LEN 64
#define CONFIG_MAX_LISTENERS (CONFIG_MAX_BIND_ADDRS + 1)

/* ------------------------------------------------------------ clients */

#define CLIENT_CLOSE_AFTER_REPLY (1 << 0) /* close once output is flushed */
#define CLIENT_CLOSE_ASAP (1 << 1)        /* close at the next before-sleep */
#define CLIENT_PENDING_WRITE (1 << 2)     /* in server.pending_write */
#define CLIENT_UNIX_SOCKET (1 << 3)
#define CLIENT_REPLY_OFF (1 << 4)
#define CLIENT_REPLY_SKIP_NEXT (1 << 5)   /* set by CLIENT REPLY SKIP */
#define CLIENT_REPLY_SKIP (1 << 6)        /* skip the current command */
#define CLIENT_WRITE_HANDLER (1 << 7)     /* writable event installed */
#define CLIENT_PROTOCOL_ERROR (1 << 8)
#define CLIENT_NO_TOUCH (1 << 9)          /* CLIENT NO-TOUCH ON: reads don't update LRU */
#define CLIENT_NO_EVICT (1 << 10)         /* CLIENT NO-EVICT ON */
#define CLIENT_MONITOR (1 << 11)          /* a MONITOR client */
#define CLIENT_BLOCKED (1 << 12)          /* waiting in a blocking command */
#define CLIENT_UNBLOCKED (1 << 13)        /* in server.unblocked: input to resume */
#define CLIENT_MULTI (1 << 14)            /* between MULTI and EXEC/DISCARD */
#define CLIENT_DIRTY_CAS (1 << 15)        /* a watched key changed: EXEC fails */
#define CLIENT_DIRTY_EXEC (1 << 16)       /* a command was refused in MULTI */
#define CLIENT_IN_EXEC (1 << 17)          /* EXEC is running the queue */
/* Bits owned by the change path and its listeners (pubsub.c, tracking.c,
 * propagate.c); flags is 64 bits wide, so there is room to grow. */
#define CLIENT_PUBSUB (1ULL << 18)        /* RESP2 subscribed mode: only pub/sub commands */
#define CLIENT_TRACKING (1ULL << 19)      /* CLIENT TRACKING ON */
#define CLIENT_TRACKING_BROKEN_REDIR (1ULL << 20) /* the redirect target went away */
#define CLIENT_TRACKING_BCAST (1ULL << 21)
#define CLIENT_TRACKING_OPTIN (1ULL << 22)
#define CLIENT_TRACKING_OPTOUT (1ULL << 23)
#define CLIENT_TRACKING_CACHING (1ULL << 24) /* CLIENT CACHING yes/no seen for the next command */
#define CLIENT_TRACKING_NOLOOP (1ULL << 25)
#define CLIENT_PREVENT_PROP (1ULL << 26)  /* the running command propagates nothing of its own */
#define CLIENT_NO_SOCKET (1ULL << 27)     /* internal caller (scripts, AOF, primary link) */
#define CLIENT_LUA_DEBUG (1ULL << 28)     /* SCRIPT DEBUG YES|SYNC: EVAL runs under the debugger */
#define CLIENT_LUA_DEBUG_SYNC (1ULL << 29) /* SCRIPT DEBUG SYNC: in the server, changes kept */
#define CLIENT_REPLAY (1ULL << 30)        /* replays effects (AOF loader, primary): no trim LIMIT */
/* Fault injection (fault.c): the client issued MINIRED (never faulted);
 * its input is not processed for now; its output is not written for now. */
#define CLIENT_FAULT_EXEMPT (1ULL << 31)
#define CLIENT_FAULT_HOLD_INPUT (1ULL << 32)
#define CLIENT_FAULT_HOLD_OUTPUT (1ULL << 33)
/* Replication (replication.h): a replica attached to us (its state in
 * c->repl, owned by repl_primary.c), and our primary's link (applied
 * through cmd_call, replies suppressed; repl_replica.c). */
#define CLIENT_REPLICA (1ULL << 34)
#define CLIENT_PRIMARY (1ULL << 35)
#define CLIENT_FORCE_REPL (1ULL << 36)    /* propagate.c: the command reaches replicas though not dirty */
#define CLIENT_PREVENT_AOF_PROP (1ULL << 37)  /* redis.set_repl(): its effect skips the AOF */
#define CLIENT_PREVENT_REPL_PROP (1ULL << 38) /* ... or skips replicas */
/* Cluster (cluster.h): ASKING was sent (the next command may touch an
 * importing slot); READONLY (a replica serves this client's reads). */
#define CLIENT_ASKING (1ULL << 39)
#define CLIENT_READONLY (1ULL << 40)

typedef struct reply_block {
    struct reply_block *next;
    size_t size, used;
    int deferred; /* a reserved header slot not yet filled */
    char buf[];
} reply_block;

typedef struct client {
    uint64_t id;
    int fd;
    uint64_t flags;
    int resp;                 /* 2 or 3 */
    int authenticated;
    struct acl_user *user;    /* acl.c: whose permissions apply */
    int db_id;
    struct db *db;
    /* input: owned by networking.c */
    sds querybuf;
    size_t qb_pos;            /* parsed up to here */
    size_t querybuf_peak;     /* most bytes the buffer was asked to hold since
                                 the last cron pass (it shrinks to that) */
    resp_parser parser;
    int argc;                 /* current command, borrowed from parser */
    sds *argv;
    uint64_t argv_stolen;     /* argv slots now owned by the keyspace */
    struct robj **argv_objs;  /* objects pinned for stolen slots, or NULL */
    size_t argv_len_sum;      /* bytes of arguments of a partial command */
    int argv_counted;         /* parser.argv entries counted in the sum */
    struct redis_command *cmd, *lastcmd;
    /* output: written by reply.c, drained by networking.c */
    size_t bufpos;            /* bytes used in buf */
    size_t sentlen;           /* bytes of buf / head block already sent */
    reply_block *reply_head, *reply_tail;
    size_t reply_bytes;       /* bytes held in blocks */
    long long obuf_soft_since_ms; /* over the soft output limit since; 0: not */
    unsigned long reply_blocks;
    /* identity and bookkeeping */
    sds name, lib_name, lib_ver;
    time_t ctime;             /* connected at (unix seconds) */
    long long last_interaction_ms;
    char addr[NET_ADDR_STR_LEN];
    char laddr[NET_ADDR_STR_LEN];
    int last_errno;
    long long commands_processed;
    struct client *prev, *next;      /* server.clients list */
    struct client *pw_next;          /* server.pending_write list */
    struct client *mon_next;         /* admin.c's monitor list */
    struct blocking_state *bstate;   /* blocking.c: non-NULL while blocked */
    struct client *ub_next;          /* server.unblocked list */
    struct multi_state *mstate;      /* multi.c: queued commands, or NULL */
    struct watched_key *watched;     /* multi.c: keys this client WATCHes */
    struct pubsub_state *pubsub;     /* pubsub.c: subscriptions, or NULL */
    struct tracking_state *tracking; /* tracking.c: CLIENT TRACKING state, or NULL */
    struct prop_override *prop;      /* propagate.c: the effect replacing argv, or NULL */
    struct repl_link *repl;          /* repl_primary.c: a replica's sync state, or NULL */
    long long repl_woff;             /* repl_primary.c: the stream offset after this
                                      * client's last write (WAIT waits for it) */
    int cluster_slot;                /* cluster_route.c: the slot of the running
                                      * command's keys (EXEC: of its queue), -1:
                                      * none; scripts' keys must stay in it */
    char buf[PROTO_REPLY_CHUNK_BYTES];
} client;

/* ------------------------------------------------------------ databases */

typedef struct db {
    dict *keys;      /* sds key -> robj value */
    dict *expires;   /* sds key (shared with keys) -> unix ms in v.s64 */
    int id;
} db;

/* ------------------------------------------------------------ commands */

typedef void command_proc(client *c);

/* Flag bits of a command (names as COMMAND INFO prints them). */
#define CMD_WRITE (1ULL << 0)
#define CMD_READONLY (1ULL << 1)
#define CMD_DENYOOM (1ULL << 2)
#define CMD_ADMIN (1ULL << 4)
#define CMD_PUBSUB (1ULL << 5)
#define CMD_NOSCRIPT (1ULL << 6)
#define CMD_BLOCKING (1ULL << 8)
#define CMD_LOADING (1ULL << 9)
#define CMD_STALE (1ULL << 10)
#define CMD_SKIP_MONITOR (1ULL << 11)
#define CMD_SKIP_SLOWLOG (1ULL << 12)
#define CMD_ASKING (1ULL << 13)
#define CMD_FAST (1ULL << 14)
#define CMD_NO_AUTH (1ULL << 15)
#define CMD_MAY_REPLICATE (1ULL << 16)
#define CMD_SENTINEL (1ULL << 17)
#define CMD_ONLY_SENTINEL (1ULL << 18)
#define CMD_NO_MANDATORY_KEYS (1ULL << 19)
#define CMD_PROTECTED (1ULL << 20)
#define CMD_MODULE_GETKEYS (1ULL << 21)
#define CMD_NO_ASYNC_LOADING (1ULL << 23)
#define CMD_NO_MULTI (1ULL << 24)
#define CMD_MOVABLE_KEYS (1ULL << 25)
#define CMD_ALLOW_BUSY (1ULL << 26)

/* ACL categories (COMMAND INFO's seventh field). */
#define ACL_KEYSPACE (1ULL << 0)
#define ACL_READ (1ULL << 1)
#define ACL_WRITE (1ULL << 2)
#define ACL_SET (1ULL << 3)
#define ACL_SORTEDSET (1ULL << 4)
#define ACL_LIST (1ULL << 5)
#define ACL_HASH (1ULL << 6)
#define ACL_STRING (1ULL << 7)
#define ACL_BITMAP (1ULL << 8)
#define ACL_HYPERLOGLOG (1ULL << 9)
#define ACL_GEO (1ULL << 10)
#define ACL_STREAM (1ULL << 11)
#define ACL_PUBSUB (1ULL << 12)
#define ACL_ADMIN (1ULL << 13)
#define ACL_FAST (1ULL << 14)
#define ACL_SLOW (1ULL << 15)
#define ACL_BLOCKING (1ULL << 16)
#define ACL_DANGEROUS (1ULL << 17)
#define ACL_CONNECTION (1ULL << 18)
#define ACL_TRANSACTION (1ULL << 19)
#define ACL_SCRIPTING (1ULL << 20)

/* Key-spec flags (COMMAND INFO's key specifications). */
#define KS_RO (1 << 0)
#define KS_RW (1 << 1)
#define KS_OW (1 << 2)
#define KS_RM (1 << 3)
#define KS_ACCESS (1 << 4)
#define KS_UPDATE (1 << 5)
#define KS_INSERT (1 << 6)
#define KS_DELETE (1 << 7)
#define KS_NOT_KEY (1 << 8)
#define KS_INCOMPLETE (1 << 9)
#define KS_VARIABLE_FLAGS (1 << 10)

/* One key specification (COMMAND INFO's key specs): where the search for
 * keys begins (an argument index, or the argument after a keyword searched
 * from bs_startfrom) and how keys are found from there: a range (lastkey
 * relative to the start, -1 = last argument; keystep; limit: with lastkey
 * -1, only the first 1/limit of the remaining arguments) or a key count
 * stored in an argument (keynum: keynumidx and firstkey relative to the
 * start; keystep). */
typedef struct key_spec {
    int flags;          /* KS_*; 0 ends the list */
    const char *notes;
    int begin_index;
    const char *bs_keyword; /* non-NULL: begin after this keyword */
    int bs_startfrom;
    int keynum;         /* 0: range, 1: keynum */
    int lastkey, keystep, limit;
    int keynumidx, firstkey;
    int unknown;        /* 1: begin_search and find_keys are "unknown" (SORT's
                         * BY/GET/STORE): only the command's getkeys finds them */
} key_spec;
#define CMD_MAX_KEY_SPECS 3

/* One entry of the command table.
 *   name      lower-case command (or subcommand) name
 *   proc      handler; reads c->argv, replies through reply.h
 *   arity     exact argc, or -N for "at least N" (argv[0] counts)
 *   flags     CMD_* bits; acl  ACL_* categories
 *   first_key, last_key, key_step
 *             legacy key positions (last -1: up to the end; 0: no keys)
 *   ks_flags  KS_* flags of the single key spec (0: none); ks_notes
 *   key_specs several key specs (when given, ks_flags is not used)
 *   tips      space-separated hints for clients (COMMAND INFO)
 *   group, since, summary, complexity
 *             what COMMAND DOCS reports; deprecated_since (NULL: not
 *             deprecated) and replaced_by for deprecated commands
 *   subcommands  NULL-terminated table for container commands (CLIENT...)
 *   getkeys   finds the keys when the specs cannot (an "unknown" spec):
 *             fills idx / flags (room for argc) as cmd_key_positions does,
 *             returns how many; NULL: the specs find them
 * The stats at the end are written by commands.c only. */
typedef struct redis_command {
    const char *name;
    command_proc *proc;
    int arity;
    uint64_t flags;
    uint64_t acl;
    int first_key, last_key, key_step;
    int ks_flags;
    const char *ks_notes;
    key_spec key_specs[CMD_MAX_KEY_SPECS];
    const char *tips;     /* space-separated COMMAND INFO tips, or NULL */
    const char *group;
    const char *since;
    const char *summary;
    const char *complexity;
    const char *deprecated_since;
    const char *replaced_by;
    struct redis_command *subcommands;
    int (*getkeys)(sds *argv, int argc, int *idx, int *flags);
    /* runtime */
    struct redis_command *parent;
    const char *fullname; /* "client|setname" for subcommands */
    int id;               /* commands.c: dense index for ACL bitmaps */
    int simple_key;       /* >0: its one key is always argv[simple_key] (a single
                           * fixed-index spec, no getkeys): checks skip the walk */
    long long calls, usec, rejected_calls, failed_calls;
} redis_command;

/* ------------------------------------------------------------ runtime */

typedef struct listener {
    int fd;
    int is_unix;
    char addr[NET_ADDR_STR_LEN];
} listener;

struct server_state {
    /* server.c */
    ae_event_loop *el;
    pid_t pid;
    char *executable;
    char **exec_argv;           /* main's argv: DEBUG RESTART re-executes it */
    char *configfile;           /* absolute path, NULL if none */
    time_t start_time;
    long long start_mono_us;
    int shutdown_asap;
    long long loop_ms;          /* unix ms read once per event-loop wake-up */
    long long cron_loops;
    char runid[41];
    listener listeners[CONFIG_MAX_LISTENERS];
    int listener_count;
    /* db.c */
    db *dbs;
    int dbnum;                  /* cfg.databases at start */
    /* networking.c */
    client *clients;            /* all clients, newest first */
    client *pending_write;      /* clients with output to flush */
    unsigned long client_count;
    uint64_t next_client_id;
    client *current_client;     /* client whose command is running */
    int monitor_count;          /* admin.c: MONITOR clients connected */
    /* blocking.c */
    unsigned long blocked_clients;
    struct ready_key *ready_keys;  /* keys signalled since the last check */
    client *unblocked;             /* clients whose input must be resumed */
    client *reexecuting;           /* client whose blocked command is re-run */
    /* tracking.c: CLIENT TRACKING clients, tracking-table keys, key-client
     * pairs in it, and BCAST prefixes (INFO tracking_*) */
    unsigned long tracking_clients;
    unsigned long long tracking_keys, tracking_items, tracking_prefixes;
    /* The change counter (INFO rdb_changes_since_last_save): advanced by
     * command handlers through db_dirty(), beside each change they make;
     * lowered by snapshot.c when a save has covered the changes. */
    long long dirty;
    /* commands.c resets it to 0 before each command; db.c fills it on first
     * use, so one command sees one "now" for every key it expires. */
    long long cmd_time_ms;
    /* stats: commands.c (commands), networking.c (net) */
    long long stat_numcommands;
    long long stat_numconnections;
    long long stat_rejected_conn;
    long long stat_net_input_bytes;
    long long stat_net_output_bytes;
    long long stat_total_error_replies;
    long long stat_keyspace_hits;
    long long stat_keyspace_misses;
    long long stat_expired_keys;
    long long stat_evicted_keys;    /* evict.c: keys removed for maxmemory */
    long long stat_unexpected_error_replies;
    /* replication.c: this server follows a primary (REPLICAOF host port);
     * repl_replica.c: the link applying its stream, NULL while down. */
    int is_replica;
    client *primary_client;
};

extern struct server_state server;

#endif
