/* commands.h -- the command table, lookup and dispatch.
 *
 * commands.c owns the table and the per-command statistics. Dispatch runs
 * Redis's checks in Redis's order (unknown command, arity, authentication)
 * before calling a handler, so handlers can trust argc. */
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
/* Runs c->argv as a command: checks, handler, stats. */
void cmd_process(client *c);
/* Fills idx (and flags, KS_* of each) with the argv positions of cmd's
 * keys, per its key specs; both arrays hold at least argc entries.
 * Returns how many. */
int cmd_key_positions(const redis_command *cmd, sds *argv, int argc, int *idx, int *flags);
/* Runs c's resolved command (c->cmd) with stats, slow log and MONITOR. */
void cmd_call(client *c);
/* Runs c's blocked command again (blocking.c, when a key got ready). */
void cmd_reexecute(client *c);
/* Resets every command's statistics (CONFIG RESETSTAT). */
void cmd_reset_stats(void);
/* Calls fn for every command and subcommand. */
void cmd_foreach(void (*fn)(redis_command *cmd, void *ctx), void *ctx);
/* Number of top-level commands. */
unsigned long cmd_count(void);

/* Tips shared by several tables. */
#define ALL_SHARDS_OK "request_policy:all_shards response_policy:all_succeeded"

/* Command tables of the modules (each ends with an empty entry). An
 * entry documents, field by field: see struct redis_command in server.h. */
extern redis_command keyspace_commands[];  /* db.c */
extern redis_command keyspace2_commands[]; /* keyspace.c */
extern redis_command expire_commands[];    /* expire.c */
extern redis_command object_commands[];    /* object_cmd.c */
extern redis_command string_commands[];    /* t_string.c */
extern redis_command bitops_commands[];    /* bitops.c */
extern redis_command admin_commands[];     /* admin.c */
extern redis_command evict_commands[];     /* evict.c */
extern redis_command list_commands[];      /* t_list.c */
extern redis_command hash_commands[];      /* t_hash.c */
extern redis_command set_commands[];       /* t_set.c */
extern redis_command zset_commands[];      /* t_zset.c */
extern redis_command multi_commands[];     /* multi.c */
extern redis_command memory_commands[];    /* memory.c */

/* Handlers, one per command, defined in the module owning their data. */
void ping_command(client *c);
void echo_command(client *c);
void quit_command(client *c);
void reset_command(client *c);
void select_command(client *c);
void hello_command(client *c);
void auth_command(client *c);
void client_id_command(client *c);
void client_setname_command(client *c);
void client_getname_command(client *c);
void client_list_command(client *c);
void client_info_command(client *c);
void client_kill_command(client *c);
void client_reply_command(client *c);
void client_setinfo_command(client *c);
void client_help_command(client *c);
void client_pause_command(client *c);
void client_unpause_command(client *c);
void client_no_evict_command(client *c);
void client_no_touch_command(client *c);
void client_unblock_command(client *c);
void get_command(client *c);
void set_command(client *c);
void del_command(client *c);
void exists_command(client *c);
void dbsize_command(client *c);
void flushdb_command(client *c);
void flushall_command(client *c);
void time_command(client *c);
void shutdown_command(client *c);
void info_command(client *c);
void command_command(client *c);
void command_count_command(client *c);
void command_info_command(client *c);
void command_docs_command(client *c);
void command_list_command(client *c);
void command_getkeys_command(client *c);
void command_getkeysandflags_command(client *c);
void command_help_command(client *c);

#endif
