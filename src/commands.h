/* commands.h -- the list of command tables, lookup, resolve and call.
 *
 * Each module owns its part of the table and its handlers; commands.c
 * lists the tables, owns the per-command statistics, and is the one way
 * into a command for every caller: cmd_resolve runs Redis's checks in
 * Redis's order with each caller kind's exemptions, cmd_call runs the
 * handler, so handlers can trust argc and authentication. */
#ifndef MINIRED_COMMANDS_H
#define MINIRED_COMMANDS_H

#include "server.h"

/* Builds the lookup dict from the table; call once at start. */
void cmd_init(void);
/* Finds a top-level command by name (case-insensitive, binary-safe). */
redis_command *cmd_lookup(const char *name, size_t len);
/* Same, for an sds name (no allocation: the hot path). */
redis_command *cmd_lookup_sds(sds name);
/* Finds a subcommand of a container by name; NULL if none. */
redis_command *cmd_lookup_subcommand(redis_command *parent, const char *name);
/* Runs c->argv as a socket client's command: cmd_resolve (refusals
 * replied, counted, and dooming a transaction), then queued inside MULTI
 * or run by cmd_call. */
void cmd_process(client *c);
/* Runs c->argv as a command of our primary's replication link
 * (CMD_CALLER_PRIMARY: no checks beyond lookup and arity; queued inside
 * MULTI as any client's). */
void cmd_process_primary(client *c);
/* Fills idx (and flags, KS_* of each) with the argv positions of cmd's
 * keys, per its key specs; both arrays hold at least argc entries.
 * Returns how many. */
int cmd_key_positions(const redis_command *cmd, sds *argv, int argc, int *idx, int *flags);

/* Who asks to run a command. Each kind goes through the checks Redis
 * applies to it, in Redis's order: lookup and arity for all; then
 *   CLIENT   a socket client's command, run now: auth, no-multi, OOM
 *   MULTI    a socket client's command to queue: the same, and under
 *            maxmemory anything but EXEC/DISCARD/QUIT/RESET is refused
 *   PAUSE    CLIENT PAUSE deciding to postpone: auth, no-multi (no OOM:
 *            Redis evicts nothing while paused; nothing is changed)
 *   SCRIPT   a script's call: noscript refused, OOM; no auth (its caller
 *            passed it)
 *   LOADER   the AOF loader, PRIMARY the primary's replication link: no
 *            auth, OOM, READONLY or pause check (they replay what already
 *            ran once). */
enum cmd_caller {
    CMD_CALLER_CLIENT,
    CMD_CALLER_MULTI,
    CMD_CALLER_PAUSE,
    CMD_CALLER_SCRIPT,
    CMD_CALLER_LOADER,
    CMD_CALLER_PRIMARY,
};
/* Resolves c->argv for a caller of the given kind. Returns the command
 * found (for a refused one too, to count it; the container for an unknown
 * subcommand; NULL for an unknown name). *err is NULL when the command may
 * run, else a new sds the caller replies its own way and frees: "-CODE
 * text", or text alone for an -ERR error, as Redis keeps them (EXEC's
 * refusal becomes "-EXECABORT ... because of: <err without '-'>"). May
 * evict keys (the OOM check), except for CMD_CALLER_PAUSE. */
redis_command *cmd_resolve(client *c, enum cmd_caller kind, sds *err);
/* c->cmd's flags, plus for EXEC those of every queued command (is EXEC a
 * write? denyoom?). */
uint64_t cmd_effective_flags(const client *c, const redis_command *cmd);
/* Runs c's resolved command (c->cmd, checked by cmd_resolve) for any
 * client: a socket client, one inside EXEC, or one with no socket
 * (net_create_client(-1) with CLIENT_NO_SOCKET, whose reply stays in its
 * output buffer for reply_take_output). Stats, slow log, MONITOR, and the
 * effects when the outermost call returns. */
void cmd_call(client *c);
/* How many cmd_call are running (0: no command is executing). */
int cmd_call_depth(void);

/* A module that must learn of every client command (client-side caching)
 * registers these at start; any may be NULL. before_resolve runs before a
 * client's command (queued ones too) is checked; after_call after every
 * call, nested ones included; after_unit when the outermost call returns. */
typedef struct cmd_listener {
    void (*before_resolve)(void);
    void (*after_call)(client *c);
    void (*after_unit)(void);
} cmd_listener;
void cmd_set_listener(const cmd_listener *l);
/* The scripting module's question before a socket client's command: the
 * -BUSY text if cmd may not run while a script runs too long, else NULL. */
typedef const char *cmd_busy_fn(const redis_command *cmd);
void cmd_set_busy_hook(cmd_busy_fn *fn);
/* Replication's questions for a client's command (CLIENT and MULTI
 * callers), asked where Redis asks them; each returns the error text
 * ("-NOREPLICAS ...", "-READONLY ...", "-MASTERDOWN ...") or NULL.
 * write_refusal gets the command's effective flags (EXEC: its queue's). */
typedef struct cmd_repl_hooks {
    const char *(*write_refusal)(client *c, uint64_t flags);
    const char *(*stale_refusal)(client *c, const redis_command *cmd);
} cmd_repl_hooks;
void cmd_set_repl_hooks(const cmd_repl_hooks *h);
/* The scripting module's flags of a script command (EVAL with a shebang
 * is a write and denyoom unless its flags say otherwise): asked by
 * cmd_effective_flags for commands flagged no_mandatory_keys (EVAL*,
 * FCALL*); returns cmd's flags for any other. */
typedef uint64_t cmd_flags_fn(const client *c, const redis_command *cmd);
void cmd_set_flags_hook(cmd_flags_fn *fn);
/* Runs argv (borrowed) as a command of the socketless client c with the
 * checks of kind, as cmd_process does (refused: error replied; inside
 * MULTI: queued), and returns the reply bytes (new). c's own argv is
 * left as it was. For the AOF loader, the replication link and tests. */
sds cmd_run_argv(client *c, enum cmd_caller kind, int argc, const sds *argv);
/* Runs c's blocked command again (blocking.c, when a key got ready). */
void cmd_reexecute(client *c);
/* Resets every command's statistics (CONFIG RESETSTAT). */
void cmd_reset_stats(void);
/* Calls fn for every command and subcommand. */
void cmd_foreach(void (*fn)(redis_command *cmd, void *ctx), void *ctx);
/* Number of top-level commands. */
unsigned long cmd_count(void);
/* "rename-command from to": the command answers as `to` from now on (""
 * removes it), as Redis applies it at start. Returns 0, or -1 with *why
 * Redis's reason (static text). */
int cmd_rename(const char *from, const char *to, const char **why);

/* Tips shared by several tables. */
#define ALL_SHARDS_OK "request_policy:all_shards response_policy:all_succeeded"
#define ALL_NODES_OK "request_policy:all_nodes response_policy:all_succeeded"

/* Command tables of the modules (each ends with an empty entry). Each
 * module owns its table and its handlers (static there); commands.c only
 * lists the tables. An entry documents, field by field: see struct
 * redis_command in server.h. */
extern redis_command conn_commands[];      /* conn.c: connection, CLIENT */
extern redis_command server_commands[];    /* server.c: TIME, SHUTDOWN */
extern redis_command snapshot_commands[];  /* snapshot.c: SAVE, BGSAVE, LASTSAVE */
extern redis_command info_commands[];      /* info.c */
extern redis_command config_commands[];    /* config_cmd.c */
extern redis_command command_commands[];   /* cmd_introspect.c: COMMAND */
extern redis_command keyspace_commands[];  /* db.c */
extern redis_command keyspace2_commands[]; /* keyspace.c */
extern redis_command expire_commands[];    /* expire.c */
extern redis_command object_commands[];    /* object_cmd.c */
extern redis_command string_commands[];    /* t_string.c */
extern redis_command bitops_commands[];    /* bitops.c */
extern redis_command slowlog_commands[];   /* slowlog.c */
extern redis_command latency_commands[];   /* latency.c */
extern redis_command admin_commands[];     /* admin.c: MONITOR */
extern redis_command debug_commands[];     /* debug.c */
extern redis_command module_commands[];    /* module_cmd.c: MODULE (no modules) */
extern redis_command lolwut_commands[];    /* lolwut.c */
extern redis_command testctl_commands[];   /* testctl.c: MINIRED (test controls) */
extern redis_command dump_commands[];      /* dump.c: DUMP, RESTORE */
/* dump.c: RESTORE's handler, also RESTORE-ASKING's (migrate.c). */
void restore_command(client *c);
/* COMMAND DOCS' complexity of RESTORE, which RESTORE-ASKING (migrate.c)
 * shares. */
#define RESTORE_COMPLEXITY                                                                                  \
    "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the " \
    "number of Redis objects composing the value and M their average size. For small string values the "   \
    "time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values "  \
    "the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N))."
extern redis_command evict_commands[];     /* evict.c */
extern redis_command list_commands[];      /* t_list.c */
extern redis_command hash_commands[];      /* t_hash.c */
extern redis_command set_commands[];       /* t_set.c */
extern redis_command zset_commands[];      /* t_zset.c */
extern redis_command multi_commands[];     /* multi.c */
extern redis_command pubsub_commands[];    /* pubsub.c */
extern redis_command memory_commands[];    /* memory.c */
extern redis_command aof_commands[];       /* aof_rewrite.c: BGREWRITEAOF */
extern redis_command eval_commands[];      /* eval.c: EVAL*, SCRIPT */
extern redis_command stream_commands[];    /* t_stream.c: XADD, XRANGE, XDEL, XTRIM... */
extern redis_command stream_group_commands[]; /* t_stream_group.c: XGROUP, XREAD*, XACK... */
extern redis_command stream_claim_commands[]; /* t_stream_claim.c: XCLAIM, XAUTOCLAIM */
extern redis_command stream_info_commands[]; /* t_stream_info.c: XINFO */
extern redis_command hll_commands[];       /* hyperloglog.c: PF* */
extern redis_command geo_commands[];       /* geo.c: GEO* */
extern redis_command acl_commands[];       /* acl_cmd.c: ACL */
extern redis_command sort_commands[];      /* sort.c: SORT, SORT_RO */
extern redis_command repl_primary_commands[]; /* repl_primary.c: PSYNC SYNC REPLCONF WAIT FAILOVER */
extern redis_command repl_replica_commands[]; /* repl_replica_cmd.c: REPLICAOF SLAVEOF ROLE */
extern redis_command repl_failover_commands[]; /* repl_failover.c: FAILOVER */

#endif
