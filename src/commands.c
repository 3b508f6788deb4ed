/* commands.c -- the command table, lookup, dispatch and per-command stats.
 *
 * Owns the table (below, one designated initializer per command) and the
 * stats fields of every entry. Dispatch checks run in Redis's order so that
 * a bad request gets exactly Redis's error. Handlers never run with a wrong
 * argc, and never run for an unauthenticated client unless flagged
 * CMD_NO_AUTH. */
#include "commands.h"

#include <string.h>
#include <strings.h>

#include "admin.h"
#include "blocking.h"
#include "evict.h"
#include "monotonic.h"
#include "multi.h"
#include "networking.h"
#include "propagate.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

/* Longest prefix of the arguments quoted in an unknown-command error. */
#define UNKNOWN_CMD_ARGS_MAX_BYTES 128

#define CONN_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static redis_command client_subcommands[] = {
    {.name = "id", .proc = client_id_command, .arity = 2, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "5.0.0", .summary = "Returns the client ID for the current connection",
     .complexity = "O(1)"},
    {.name = "setname", .proc = client_setname_command, .arity = 3, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "2.6.9", .summary = "Set the current connection name", .complexity = "O(1)"},
    {.name = "getname", .proc = client_getname_command, .arity = 2, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "2.6.9", .summary = "Get the current connection name", .complexity = "O(1)"},
    {.name = "list", .proc = client_list_command, .arity = -2, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .tips = "nondeterministic_output", .group = "connection", .since = "2.4.0",
     .summary = "Get the list of client connections", .complexity = "O(N) where N is the number of client connections"},
    {.name = "info", .proc = client_info_command, .arity = 2, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .tips = "nondeterministic_output", .group = "connection", .since = "6.2.0",
     .summary = "Returns information about the current client connection.", .complexity = "O(1)"},
    {.name = "kill", .proc = client_kill_command, .arity = -3, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "2.4.0",
     .summary = "Kill the connection of a client", .complexity = "O(N) where N is the number of client connections"},
    {.name = "reply", .proc = client_reply_command, .arity = 3, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "3.2.0", .summary = "Instruct the server whether to reply to commands",
     .complexity = "O(1)"},
    {.name = "setinfo", .proc = client_setinfo_command, .arity = -4, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .tips = "request_policy:all_nodes response_policy:all_succeeded", .group = "connection", .since = "7.2.0",
     .summary = "Set client or connection specific info", .complexity = "O(1)"},
    {.name = "pause", .proc = client_pause_command, .arity = -3, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "2.9.50",
     .summary = "Stop processing commands from clients for some time", .complexity = "O(1)"},
    {.name = "unpause", .proc = client_unpause_command, .arity = 2, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "6.2.0",
     .summary = "Resume processing of clients that were paused",
     .complexity = "O(N) Where N is the number of paused clients"},
    {.name = "no-evict", .proc = client_no_evict_command, .arity = 3, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "7.0.0",
     .summary = "Set client eviction mode for the current connection", .complexity = "O(1)"},
    /* Redis 7.2's (7.0 has no NO-TOUCH): asked for by clients that scan
     * without disturbing eviction order. */
    {.name = "no-touch", .proc = client_no_touch_command, .arity = 3, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "7.2.0",
     .summary = "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.",
     .complexity = "O(1)"},
    {.name = "unblock", .proc = client_unblock_command, .arity = -3, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "5.0.0",
     .summary = "Unblock a client blocked in a blocking command from a different connection",
     .complexity = "O(log N) where N is the number of client connections"},
    {.name = "help", .proc = client_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .group = "connection", .since = "5.0.0", .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {0}};

static redis_command config_subcommands[] = {
    {.name = "get", .proc = config_command, .arity = -3, .flags = CMD_ADMIN | CONN_FLAGS, .group = "server",
     .since = "2.0.0", .summary = "Get the values of configuration parameters",
     .complexity = "O(N) when N is the number of configuration parameters provided"},
    {.name = "set", .proc = config_command, .arity = -4, .flags = CMD_ADMIN | CONN_FLAGS,
     .tips = "request_policy:all_nodes response_policy:all_succeeded", .group = "server", .since = "2.0.0",
     .summary = "Set configuration parameters to the given values",
     .complexity = "O(N) when N is the number of configuration parameters provided"},
    {.name = "resetstat", .proc = config_command, .arity = 2, .flags = CMD_ADMIN | CONN_FLAGS,
     .tips = "request_policy:all_nodes response_policy:all_succeeded", .group = "server", .since = "2.0.0",
     .summary = "Reset the stats returned by INFO", .complexity = "O(1)"},
    {.name = "rewrite", .proc = config_command, .arity = 2, .flags = CMD_ADMIN | CONN_FLAGS,
     .tips = "request_policy:all_nodes response_policy:all_succeeded", .group = "server", .since = "2.8.0",
     .summary = "Rewrite the configuration file with the in memory configuration", .complexity = "O(1)"},
    {.name = "help", .proc = config_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE, .group = "server",
     .since = "5.0.0", .summary = "Show helpful text about the different subcommands", .complexity = "O(1)"},
    {0}};

static redis_command command_subcommands[] = {
    {.name = "count", .proc = command_count_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .group = "server", .since = "2.8.13", .summary = "Get total number of Redis commands",
     .complexity = "O(1)"},
    {.name = "info", .proc = command_info_command, .arity = -2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .tips = "nondeterministic_output_order", .group = "server", .since = "2.8.13",
     .summary = "Get array of specific Redis command details, or all when no argument is given.",
     .complexity = "O(N) where N is the number of commands to look up"},
    {.name = "docs", .proc = command_docs_command, .arity = -2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .tips = "nondeterministic_output_order", .group = "server", .since = "7.0.0",
     .summary = "Get array of specific Redis command documentation",
     .complexity = "O(N) where N is the number of commands to look up"},
    {.name = "list", .proc = command_list_command, .arity = -2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .tips = "nondeterministic_output_order", .group = "server", .since = "7.0.0",
     .summary = "Get an array of Redis command names", .complexity = "O(N) where N is the total number of Redis commands"},
    {.name = "getkeys", .proc = command_getkeys_command, .arity = -4, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .group = "server", .since = "2.8.13", .summary = "Extract keys given a full Redis command",
     .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "getkeysandflags", .proc = command_getkeysandflags_command, .arity = -4,
     .flags = CMD_LOADING | CMD_STALE, .acl = ACL_CONNECTION, .group = "server", .since = "7.0.0",
     .summary = "Extract keys and access flags given a full Redis command",
     .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "help", .proc = command_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .group = "server", .since = "5.0.0", .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {0}};

/* The core table: connection, server and introspection commands. Key
 * positions: first_key, last_key (-1: last argument),
 * key_step; ks_flags describe what the command does to its keys. */
static redis_command core_commands[] = {
    {.name = "ping", .proc = ping_command, .arity = -1, .flags = CMD_FAST | CMD_SENTINEL, .acl = ACL_CONNECTION,
     .tips = ALL_SHARDS_OK, .group = "connection", .since = "1.0.0", .summary = "Ping the server", .complexity = "O(1)"},
    {.name = "echo", .proc = echo_command, .arity = 2, .flags = CMD_FAST, .acl = ACL_CONNECTION,
     .group = "connection", .since = "1.0.0", .summary = "Echo the given string", .complexity = "O(1)"},
    {.name = "quit", .proc = quit_command, .arity = -1,
     .flags = CMD_ALLOW_BUSY | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH,
     .acl = ACL_CONNECTION, .group = "connection", .since = "1.0.0", .summary = "Close the connection",
     .complexity = "O(1)"},
    {.name = "reset", .proc = reset_command, .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY,
     .acl = ACL_CONNECTION, .group = "connection", .since = "6.2.0", .summary = "Reset the connection",
     .complexity = "O(1)"},
    {.name = "hello", .proc = hello_command, .arity = -1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL | CMD_ALLOW_BUSY,
     .acl = ACL_CONNECTION, .group = "connection", .since = "6.0.0", .summary = "Handshake with Redis",
     .complexity = "O(1)"},
    {.name = "auth", .proc = auth_command, .arity = -2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL | CMD_ALLOW_BUSY,
     .acl = ACL_CONNECTION, .group = "connection", .since = "1.0.0", .summary = "Authenticate to the server",
     .complexity = "O(N) where N is the number of passwords defined for the user"},
    {.name = "client", .arity = -2, .flags = CMD_SENTINEL, .group = "connection", .since = "2.4.0",
     .summary = "A container for client connection commands", .complexity = "Depends on subcommand.",
     .subcommands = client_subcommands},
    {.name = "time", .proc = time_command, .arity = 1, .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .tips = "nondeterministic_output", .group = "server", .since = "2.6.0", .summary = "Return the current server time",
     .complexity = "O(1)"},
    {.name = "shutdown", .proc = shutdown_command, .arity = -1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_NO_MULTI | CMD_SENTINEL | CMD_ALLOW_BUSY,
     .group = "server", .since = "1.0.0", .summary = "Synchronously save the dataset to disk and then shut down the server",
     .complexity = "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)"},
    {.name = "info", .proc = info_command, .arity = -1, .flags = CMD_LOADING | CMD_STALE | CMD_SENTINEL,
     .acl = ACL_DANGEROUS, .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .group = "server", .since = "1.0.0", .summary = "Get information and statistics about the server",
     .complexity = "O(1)"},
    {.name = "config", .arity = -2, .group = "server", .since = "2.0.0",
     .summary = "A container for server configuration commands", .complexity = "Depends on subcommand.",
     .subcommands = config_subcommands},
    {.name = "command", .proc = command_command, .arity = -1, .flags = CMD_LOADING | CMD_STALE | CMD_SENTINEL,
     .acl = ACL_CONNECTION, .tips = "nondeterministic_output_order", .group = "server", .since = "2.8.13",
     .summary = "Get array of Redis command details",
     .complexity = "O(N) where N is the total number of Redis commands", .subcommands = command_subcommands},
    {0}};

/* Every module's table; a module adds its commands by adding its table
 * here (and declaring it in commands.h). */
static redis_command *command_tables[] = {
    core_commands,
    keyspace_commands,
    keyspace2_commands,
    expire_commands,
    object_commands,
    string_commands,
    bitops_commands,
    admin_commands,
    evict_commands,
    list_commands,
    hash_commands,
    set_commands,
    zset_commands,
    multi_commands,
    memory_commands,
    NULL,
};

#define FOR_EACH_COMMAND(cmd)                                        \
    for (redis_command **tbl_ = command_tables; *tbl_; tbl_++)       \
        for (redis_command *cmd = *tbl_; cmd->name; cmd++)

/* ---------------------------------------------------------- lookup */

static dict *commands_dict;

static dict_type commands_dict_type = {
    .hash = dict_sds_case_hash,
    .key_compare = dict_sds_case_compare,
    .key_destructor = dict_sds_free,
};

/* Adds the categories Redis derives from flags (COMMAND INFO shows them). */
static void cmd_set_implicit_acl(redis_command *cmd) {
    if (cmd->flags & CMD_WRITE) cmd->acl |= ACL_WRITE;
    if (cmd->flags & CMD_READONLY) cmd->acl |= ACL_READ;
    if (cmd->flags & CMD_ADMIN) cmd->acl |= ACL_ADMIN | ACL_DANGEROUS;
    if (cmd->flags & CMD_PUBSUB) cmd->acl |= ACL_PUBSUB;
    if (cmd->flags & CMD_FAST) cmd->acl |= ACL_FAST;
    if (cmd->flags & CMD_BLOCKING) cmd->acl |= ACL_BLOCKING;
    if (!(cmd->acl & ACL_FAST)) cmd->acl |= ACL_SLOW;
}

/* Entries with only the legacy single spec get it as key_specs[0]. */
static void cmd_fill_key_specs(redis_command *cmd) {
    if (cmd->key_specs[0].flags || !cmd->ks_flags) return;
    key_spec *ks = &cmd->key_specs[0];
    ks->flags = cmd->ks_flags;
    ks->notes = cmd->ks_notes;
    ks->begin_index = cmd->first_key;
    ks->lastkey = cmd->last_key < 0 ? cmd->last_key : cmd->last_key - cmd->first_key;
    ks->keystep = cmd->key_step;
}

static void cmd_prepare(redis_command *cmd, redis_command *parent) {
    cmd_fill_key_specs(cmd);
    cmd->parent = parent;
    if (parent) {
        sds full = sds_cat_printf(sds_empty(), "%s|%s", parent->name, cmd->name);
        cmd->fullname = zstrdup(full);
        sds_free(full);
    } else {
        cmd->fullname = cmd->name;
    }
    cmd_set_implicit_acl(cmd);
    if (cmd->subcommands)
        for (redis_command *sub = cmd->subcommands; sub->name; sub++) cmd_prepare(sub, cmd);
}

void cmd_init(void) {
    commands_dict = dict_create(&commands_dict_type);
    FOR_EACH_COMMAND(cmd) {
        cmd_prepare(cmd, NULL);
        dict_add(commands_dict, sds_new(cmd->name), cmd);
    }
}

redis_command *cmd_lookup(const char *name, size_t len) {
    sds key = sds_new_len(name, len);
    redis_command *cmd = dict_fetch_value(commands_dict, key);
    sds_free(key);
    return cmd;
}

redis_command *cmd_lookup_sds(sds name) {
    return dict_fetch_value(commands_dict, name);
}

redis_command *cmd_lookup_subcommand(redis_command *parent, const char *name) {
    for (redis_command *sub = parent->subcommands; sub->name; sub++)
        if (strcasecmp(sub->name, name) == 0) return sub;
    return NULL;
}

/* Resolves argv to a command or subcommand; NULL if none. *container is
 * set when argv[0] names a container but argv[1] names no subcommand. */
static redis_command *cmd_resolve(sds *argv, int argc, redis_command **container) {
    *container = NULL;
    redis_command *cmd = cmd_lookup_sds(argv[0]);
    if (cmd == NULL || cmd->subcommands == NULL || argc < 2) return cmd;
    redis_command *sub = cmd_lookup_subcommand(cmd, argv[1]);
    if (sub == NULL) *container = cmd;
    return sub;
}

void cmd_foreach(void (*fn)(redis_command *cmd, void *ctx), void *ctx) {
    FOR_EACH_COMMAND(cmd) {
        fn(cmd, ctx);
        if (cmd->subcommands)
            for (redis_command *sub = cmd->subcommands; sub->name; sub++) fn(sub, ctx);
    }
}

unsigned long cmd_count(void) {
    return dict_size(commands_dict);
}

static void cmd_reset_one(redis_command *cmd, void *ctx) {
    (void)ctx;
    cmd->calls = cmd->usec = cmd->rejected_calls = cmd->failed_calls = 0;
}

void cmd_reset_stats(void) {
    cmd_foreach(cmd_reset_one, NULL);
}

/* Appends to out (capacity argc) the argument indexes of spec ks's keys in
 * argv, and their flags to flags_out; returns the new count. */
static int keys_from_spec(const key_spec *ks, sds *argv, int argc, int *out, int *flags_out, int n) {
    int start = ks->begin_index;
    if (start >= argc) return n;
    int first, last, step = ks->keystep > 0 ? ks->keystep : 1;
    if (ks->keynum) {
        long long numkeys;
        int idx = start + ks->keynumidx;
        if (idx >= argc || !string2ll(argv[idx], sds_len(argv[idx]), &numkeys) || numkeys < 0) return n;
        first = start + ks->firstkey;
        last = first + (int)numkeys * step - 1;
    } else {
        first = start;
        last = ks->lastkey >= 0 ? start + ks->lastkey : argc + ks->lastkey;
    }
    for (int i = first; i <= last && i < argc && n < argc; i += step) {
        out[n] = i;
        flags_out[n++] = ks->flags;
    }
    return n;
}

int cmd_key_positions(const redis_command *cmd, sds *argv, int argc, int *idx, int *flags) {
    int n = 0;
    for (int s = 0; s < CMD_MAX_KEY_SPECS && cmd->key_specs[s].flags; s++)
        n = keys_from_spec(&cmd->key_specs[s], argv, argc, idx, flags, n);
    return n;
}

/* ---------------------------------------------------------- dispatch */

static void cmd_reply_unknown(client *c) {
    sds args = sds_empty();
    for (int i = 1; i < c->argc && sds_len(args) < UNKNOWN_CMD_ARGS_MAX_BYTES; i++)
        args = sds_cat_printf(args, "'%.*s' ", UNKNOWN_CMD_ARGS_MAX_BYTES - (int)sds_len(args), c->argv[i]);
    reply_error_format(c, "unknown command '%.128s', with args beginning with: %s", c->argv[0], args);
    sds_free(args);
}

static int cmd_arity_ok(const redis_command *cmd, int argc) {
    return (cmd->arity > 0 && cmd->arity == argc) || (cmd->arity < 0 && argc >= -cmd->arity);
}

/* Clients mostly repeat their last command (pipelines, benchmarks, job
 * loops): comparing the name with it is cheaper than hashing it. */
static redis_command *cmd_resolve_cached(client *c, redis_command **container) {
    redis_command *last = c->lastcmd;
    if (last && last->parent == NULL && last->subcommands == NULL) {
        size_t len = sds_len(c->argv[0]);
        /* A NUL inside argv[0] can't match: names hold none. */
        if (strlen(last->name) == len && strncasecmp(last->name, c->argv[0], len) == 0) {
            *container = NULL;
            return last;
        }
    }
    return cmd_resolve(c->argv, c->argc, container);
}

/* Commands that run at once inside MULTI instead of being queued. */
static int cmd_runs_in_multi(const redis_command *cmd) {
    command_proc *p = cmd->proc;
    return p == exec_command || p == discard_command || p == multi_command || p == watch_command ||
           p == quit_command || p == reset_command;
}

/* A refused command: counted, and inside MULTI it dooms the EXEC. */
static void cmd_rejected(client *c, redis_command *cmd) {
    if (cmd) cmd->rejected_calls++;
    multi_flag_error(c);
}

/* Replies err ("-CODE text", or text for -ERR) for a refused command. A
 * refused EXEC discards the transaction and says why, as Redis does:
 * "-EXECABORT Transaction discarded because of: <err without ERR>". */
static void cmd_reject(client *c, redis_command *cmd, const char *err) {
    if (cmd && cmd->proc == exec_command) {
        multi_client_reset(c);
        reply_error_format(c, "-EXECABORT Transaction discarded because of: %s", err[0] == '-' ? err + 1 : err);
        if (cmd) cmd->rejected_calls++;
        return;
    }
    reply_error(c, err);
    cmd_rejected(c, cmd);
}

/* Depth of nested cmd_call (EXEC runs its queue one level down): effects
 * are emitted when the outermost call returns. */
static int call_depth;

void cmd_call(client *c) {
    redis_command *cmd = c->cmd;
    if (server.monitor_count && !(cmd->flags & (CMD_SKIP_MONITOR | CMD_ADMIN))) admin_feed_monitors(c);
    long long errors_before = server.stat_total_error_replies;
    long long dirty_before = server.dirty;
    server.cmd_time_ms = 0;
    call_depth++;
    monotime start = mono_now_us();
    cmd->proc(c);
    server.cmd_time_ms = 0; /* outside commands, "now" is read afresh */
    long long duration = (long long)(mono_now_us() - start);
    cmd->usec += duration;
    admin_after_command(c, cmd, duration);
    /* A command that blocked is counted when it is finally served. */
    if (!(c->flags & CLIENT_BLOCKED)) cmd->calls++;
    int failed = server.stat_total_error_replies != errors_before;
    if (failed) cmd->failed_calls++;
    /* EXEC is never propagated itself: its commands were, one by one. */
    if (cmd->proc == exec_command) prop_prevent(c);
    prop_command_done(c, server.dirty - dirty_before);
    if (--call_depth == 0) prop_flush();
    server.stat_numcommands++;
}

void cmd_process(client *c) {
    redis_command *container;
    redis_command *cmd = cmd_resolve_cached(c, &container);
    c->cmd = cmd;
    if (container) {
        sds up = sds_new(container->name);
        sds_to_upper(up);
        reply_error_format(c, "unknown subcommand '%.128s'. Try %s HELP.", c->argv[1], up);
        sds_free(up);
        cmd_rejected(c, container);
        return;
    }
    if (cmd == NULL) {
        cmd_reply_unknown(c);
        cmd_rejected(c, NULL);
        return;
    }
    c->lastcmd = cmd;
    if (!cmd_arity_ok(cmd, c->argc) || cmd->proc == NULL) {
        if (cmd->proc == exec_command) {
            cmd_reject(c, cmd, "wrong number of arguments for 'exec' command");
        } else {
            reply_error_arity(c);
            cmd_rejected(c, cmd);
        }
        return;
    }
    if (!c->authenticated && !(cmd->flags & CMD_NO_AUTH)) {
        cmd_reject(c, cmd, "-NOAUTH Authentication required.");
        return;
    }
    if ((c->flags & CLIENT_MULTI) && (cmd->flags & CMD_NO_MULTI)) {
        cmd_reject(c, cmd, "Command not allowed inside a transaction");
        return;
    }
    if (cfg.maxmemory && (cmd->flags & CMD_DENYOOM) && evict_before_command(c) == -1) {
        cmd_reject(c, cmd, "-OOM command not allowed when used memory > 'maxmemory'.");
        return;
    }
    if ((c->flags & CLIENT_MULTI) && !cmd_runs_in_multi(cmd)) {
        multi_queue_command(c);
        return;
    }
    cmd_call(c);
    if (server.ready_keys) blocking_handle_ready_keys();
}

void cmd_reexecute(client *c) {
    client *prev = server.current_client;
    server.current_client = c;
    server.reexecuting = c;
    cmd_call(c);
    server.reexecuting = NULL;
    server.current_client = prev;
}
