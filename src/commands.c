/* commands.c -- the list of command tables, lookup, resolve, call, and
 * per-command stats.
 *
 * Owns the lookup dict and the stats fields of every entry (the entries
 * themselves belong to their modules). Every caller (socket client, MULTI
 * queueing, CLIENT PAUSE, scripts, the AOF loader, the primary's link)
 * goes through cmd_resolve, whose checks run in Redis's order so that a
 * bad request gets exactly Redis's error; no caller re-implements one.
 * Handlers never run with a wrong argc, and never for an unauthenticated
 * socket client unless flagged CMD_NO_AUTH. */
#include "commands.h"

#include <string.h>
#include <strings.h>

#include "acl.h"
#include "admin.h"
#include "aof.h"
#include "blocking.h"
#include "cluster.h"
#include "debug_more.h"
#include "evict.h"
#include "function.h"
#include "monotonic.h"
#include "multi.h"
#include "networking.h"
#include "propagate.h"
#include "pubsub.h"
#include "reply.h"
#include "snapshot.h"
#include "util.h"
#include "zmalloc.h"

/* Longest prefix of the arguments quoted in an unknown-command error. */
#define UNKNOWN_CMD_ARGS_MAX_BYTES 128





/* Every module's table; a module adds its commands by adding its table
 * here (and declaring it in commands.h). */
static redis_command *command_tables[] = {
    conn_commands,
    server_commands,
    snapshot_commands,
    info_commands,
    config_commands,
    command_commands,
    keyspace_commands,
    keyspace2_commands,
    expire_commands,
    object_commands,
    string_commands,
    bitops_commands,
    slowlog_commands,
    latency_commands,
    admin_commands,
    debug_commands,
    dump_commands,
    evict_commands,
    list_commands,
    hash_commands,
    set_commands,
    zset_commands,
    multi_commands,
    memory_commands,
    pubsub_commands,
    aof_commands,
    eval_commands,
    function_commands,
    stream_commands,
    stream_group_commands,
    stream_claim_commands,
    stream_info_commands,
    hll_commands,
    geo_commands,
    sort_commands,
    module_commands,
    lolwut_commands,
    acl_commands,
    testctl_commands,
    repl_primary_commands,
    repl_replica_commands,
    repl_failover_commands,
    cluster_commands,
    migrate_commands,
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
    /* Read-only scripts (EVAL_RO...) stay out of @read, as in Redis. */
    if ((cmd->flags & CMD_READONLY) && !(cmd->acl & ACL_SCRIPTING)) cmd->acl |= ACL_READ;
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

static int next_command_id;

/* The most common shape (GET, SET, HSET...): one spec naming one key at
 * a fixed index. */
static int cmd_simple_key(const redis_command *cmd) {
    const key_spec *ks = &cmd->key_specs[0];
    if (cmd->getkeys || !ks->flags || cmd->key_specs[1].flags || ks->bs_keyword || ks->keynum || ks->unknown ||
        ks->lastkey != 0 || ks->begin_index <= 0)
        return 0;
    return ks->begin_index;
}

static void cmd_prepare(redis_command *cmd, redis_command *parent) {
    cmd_fill_key_specs(cmd);
    cmd->simple_key = cmd_simple_key(cmd);
    cmd->id = next_command_id++;
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

/* Commands the dispatcher treats specially (MULTI queueing, EXEC's own
 * refusal), found by name once: their handlers stay private to their
 * modules. */
static redis_command *cmd_exec, *cmd_discard, *cmd_multi, *cmd_watch, *cmd_quit, *cmd_reset, *cmd_ping;

void cmd_init(void) {
    commands_dict = dict_create(&commands_dict_type);
    FOR_EACH_COMMAND(cmd) {
        cmd_prepare(cmd, NULL);
        dict_add(commands_dict, sds_new(cmd->name), cmd);
    }
    cmd_exec = cmd_lookup("exec", 4);
    cmd_ping = cmd_lookup("ping", 4);
    cmd_discard = cmd_lookup("discard", 7);
    cmd_multi = cmd_lookup("multi", 5);
    cmd_watch = cmd_lookup("watch", 5);
    cmd_quit = cmd_lookup("quit", 4);
    cmd_reset = cmd_lookup("reset", 5);
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

/* Finds argv's command or subcommand; NULL if none. *container is set
 * when argv[0] names a container but argv[1] names no subcommand. */
static redis_command *cmd_find(sds *argv, int argc, redis_command **container) {
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

static int cmd_renamed; /* a rename-command ran: names no longer match the dict */

int cmd_rename(const char *from, const char *to, const char **why) {
    sds key = sds_new(from);
    redis_command *cmd = dict_fetch_value(commands_dict, key);
    int rc = -1;
    if (!cmd) *why = "No such command in rename-command";
    else if (to[0] && cmd_lookup(to, strlen(to))) *why = "Target command name already exists";
    else rc = 0;
    if (rc == 0) {
        cmd_renamed = 1; /* the last-command shortcut compares table names */
        dict_delete(commands_dict, key); /* the dict owns keys only */
        if (to[0]) dict_add(commands_dict, sds_new(to), cmd);
    }
    sds_free(key);
    return rc;
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
 * argv, and their flags to flags_out; returns the new count, or -1 when
 * argv does not hold what the spec describes (its range or key count past
 * the last argument): Redis then finds no keys at all for the command
 * (COMMAND GETKEYS: "Invalid arguments"). */
static int keys_from_spec(const key_spec *ks, sds *argv, int argc, int *out, int *flags_out, int n) {
    int start = ks->begin_index;
    if (ks->unknown) return n;
    if (ks->bs_keyword) {
        /* A keyword in the last argument is no keyword (nothing follows
         * it); a missing one means the spec has no key here. */
        start = 0;
        for (int i = ks->bs_startfrom; i < argc - 1; i++)
            if (strcasecmp(argv[i], ks->bs_keyword) == 0) {
                start = i + 1;
                break;
            }
        if (start == 0) return n;
    }
    if (start >= argc) return -1;
    int first, last, step = ks->keystep > 0 ? ks->keystep : 1;
    if (ks->keynum) {
        long long numkeys;
        int idx = start + ks->keynumidx;
        if (idx >= argc || !string2ll(argv[idx], sds_len(argv[idx]), &numkeys) || numkeys < 0 ||
            numkeys > argc)
            return -1;
        first = start + ks->firstkey;
        last = first + (int)numkeys * step - 1;
    } else {
        first = start;
        if (ks->lastkey >= 0) last = start + ks->lastkey;
        else if (ks->limit > 1) last = start + (argc - start) / ks->limit + ks->lastkey;
        else last = argc + ks->lastkey;
    }
    if (last >= argc) return -1;
    for (int i = first; i <= last && n < argc; i += step) {
        out[n] = i;
        flags_out[n++] = ks->flags;
    }
    return n;
}

int cmd_key_positions(const redis_command *cmd, sds *argv, int argc, int *idx, int *flags) {
    if (cmd->getkeys) return cmd->getkeys(argv, argc, idx, flags);
    /* Asked on every command of a restricted ACL user: the one-key shape
     * skips the general walk (same answer). */
    if (cmd->simple_key) {
        if (cmd->simple_key >= argc) return -1;
        idx[0] = cmd->simple_key;
        flags[0] = cmd->key_specs[0].flags;
        return 1;
    }
    int n = 0;
    for (int s = 0; s < CMD_MAX_KEY_SPECS && cmd->key_specs[s].flags; s++) {
        n = keys_from_spec(&cmd->key_specs[s], argv, argc, idx, flags, n);
        if (n < 0) return -1;
    }
    return n;
}

/* ---------------------------------------------------------- resolve */

/* Checks a caller kind goes through, beyond lookup and arity (which every
 * caller gets). Redis's exemptions: the AOF loader and the primary's link
 * replay what already ran once, so they skip the rest; a script runs
 * inside its caller's (authenticated) command. */
#define CHECK_AUTH (1u << 0)     /* NOAUTH until the client authenticates */
#define CHECK_NO_MULTI (1u << 1) /* no-multi commands refused inside MULTI */
#define CHECK_OOM (1u << 2)      /* maxmemory: evict first, refuse if still over */
#define CHECK_NOSCRIPT (1u << 3) /* noscript commands refused in scripts */
#define CHECK_PUBSUB (1u << 4)   /* RESP2 subscribed mode allows only pub/sub commands */
#define CHECK_DISK (1u << 5)     /* MISCONF: writes (and PING) refused after a failed BGSAVE */
#define CHECK_LOADING (1u << 6)  /* -LOADING for commands without CMD_LOADING */
#define CHECK_ACL (1u << 7)      /* the user's command, key and channel permissions */
#define CHECK_REPL (1u << 8)     /* NOREPLICAS, READONLY, MASTERDOWN (replication's hook) */

static const unsigned caller_checks[] = {
    [CMD_CALLER_CLIENT] = CHECK_AUTH | CHECK_NO_MULTI | CHECK_ACL | CHECK_OOM | CHECK_PUBSUB | CHECK_DISK |
                          CHECK_LOADING | CHECK_REPL,
    [CMD_CALLER_MULTI] = CHECK_AUTH | CHECK_NO_MULTI | CHECK_ACL | CHECK_OOM | CHECK_PUBSUB | CHECK_DISK |
                         CHECK_LOADING | CHECK_REPL,
    /* Redis evicts nothing while clients are paused, so a pause decision
     * never meets the OOM check (and must not evict: it has no effects). */
    [CMD_CALLER_PAUSE] = CHECK_AUTH | CHECK_NO_MULTI,
    /* A script's OOM rule is its own (script.c: only before its first
     * write, unless allow-oom), checked after its write rules. */
    [CMD_CALLER_SCRIPT] = CHECK_NOSCRIPT | CHECK_ACL | CHECK_DISK,
    [CMD_CALLER_LOADER] = 0,
    [CMD_CALLER_PRIMARY] = 0,
};

static sds cmd_err_unknown(sds *argv, int argc) {
    sds args = sds_empty();
    for (int i = 1; i < argc && sds_len(args) < UNKNOWN_CMD_ARGS_MAX_BYTES; i++)
        args = sds_cat_printf(args, "'%.*s' ", UNKNOWN_CMD_ARGS_MAX_BYTES - (int)sds_len(args), argv[i]);
    sds err = sds_cat_printf(sds_empty(), "unknown command '%.128s', with args beginning with: %s", argv[0], args);
    sds_free(args);
    return err;
}

static sds cmd_err_unknown_subcommand(const redis_command *container, const sds sub) {
    sds up = sds_new(container->name);
    sds_to_upper(up);
    sds err = sds_cat_printf(sds_empty(), "unknown subcommand '%.128s'. Try %s HELP.", sub, up);
    sds_free(up);
    return err;
}

static int cmd_arity_ok(const redis_command *cmd, int argc) {
    return (cmd->arity > 0 && cmd->arity == argc) || (cmd->arity < 0 && argc >= -cmd->arity);
}

/* Commands that run at once inside MULTI instead of being queued. */
static int cmd_runs_in_multi(const redis_command *cmd) {
    return cmd == cmd_exec || cmd == cmd_discard || cmd == cmd_multi || cmd == cmd_watch || cmd == cmd_quit ||
           cmd == cmd_reset;
}

static cmd_flags_fn *flags_hook;

void cmd_set_flags_hook(cmd_flags_fn *fn) {
    flags_hook = fn;
}

uint64_t cmd_effective_flags(const client *c, const redis_command *cmd) {
    if (flags_hook && (cmd->flags & CMD_NO_MANDATORY_KEYS)) return flags_hook(c, cmd);
    /* EXEC is as much a write (or denyoom) as what it will run. */
    if (cmd == cmd_exec && (c->flags & CLIENT_MULTI)) return cmd->flags | multi_queued_flags(c);
    return cmd->flags;
}

/* Whether kind refuses cmd when memory stays over maxmemory: denyoom
 * commands (EXEC of one included); and, while queueing, anything but the
 * commands that end a transaction, since a queue could grow without
 * bound. */
static int cmd_refused_on_oom(const client *c, enum cmd_caller kind, const redis_command *cmd) {
    if (cmd_effective_flags(c, cmd) & CMD_DENYOOM) return 1;
    return kind == CMD_CALLER_MULTI && cmd != cmd_exec && cmd != cmd_discard && cmd != cmd_quit &&
           cmd != cmd_reset;
}

/* Clients mostly repeat their last command (pipelines, benchmarks, job
 * loops): comparing the name with it is cheaper than hashing it. */
static inline redis_command *cmd_find_cached(client *c, redis_command **container) {
    redis_command *last = c->lastcmd;
    if (last && !cmd_renamed && last->parent == NULL && last->subcommands == NULL) {
        size_t len = sds_len(c->argv[0]);
        /* A NUL inside argv[0] can't match: names hold none. */
        if (strlen(last->name) == len && strncasecmp(last->name, c->argv[0], len) == 0) {
            *container = NULL;
            return last;
        }
    }
    return cmd_find(c->argv, c->argc, container);
}

static cmd_listener listeners;

void cmd_set_listener(const cmd_listener *l) {
    listeners = *l;
}

/* The last cmd_resolve's refusal was a cluster redirection (cmd_refuse
 * words an EXEC's differently). */
static int refused_by_route;

static cmd_busy_fn *busy_hook;
static cmd_repl_hooks repl_hooks;

void cmd_set_repl_hooks(const cmd_repl_hooks *h) {
    repl_hooks = *h;
}

void cmd_set_busy_hook(cmd_busy_fn *fn) {
    busy_hook = fn;
}

redis_command *cmd_resolve(client *c, enum cmd_caller kind, sds *err) {
    *err = NULL;
    refused_by_route = 0;
    redis_command *container;
    redis_command *cmd = cmd_find_cached(c, &container);
    if (container || cmd == NULL) {
        /* Scripts get Redis's own texts for these two. */
        if (kind == CMD_CALLER_SCRIPT) *err = sds_new("Unknown Redis command called from script");
        else if (container) *err = cmd_err_unknown_subcommand(container, c->argv[1]);
        else *err = cmd_err_unknown(c->argv, c->argc);
        return container;
    }
    if (kind != CMD_CALLER_PAUSE) c->lastcmd = cmd;
    if (!cmd_arity_ok(cmd, c->argc) || cmd->proc == NULL) {
        if (kind == CMD_CALLER_SCRIPT) *err = sds_new("Wrong number of args calling Redis command from script");
        else *err = sds_cat_printf(sds_empty(), "wrong number of arguments for '%s' command", cmd->fullname);
        return cmd;
    }
    unsigned checks = caller_checks[kind];
    if (checks == 0) return cmd;
    /* enable-debug-command / enable-module-command: right after arity,
     * before NOAUTH, as Redis (debug_protected.c). */
    if ((cmd->flags & CMD_PROTECTED) && (checks & CHECK_AUTH) && (*err = cmd_protected_refusal(c, cmd)) != NULL)
        return cmd;
    if ((checks & CHECK_AUTH) && !c->authenticated && !(cmd->flags & CMD_NO_AUTH)) {
        *err = sds_new("-NOAUTH Authentication required.");
        return cmd;
    }
    if ((checks & CHECK_NO_MULTI) && (c->flags & CLIENT_MULTI) && (cmd->flags & CMD_NO_MULTI)) {
        *err = sds_new("Command not allowed inside a transaction");
        return cmd;
    }
    if ((checks & CHECK_NOSCRIPT) && (cmd->flags & CMD_NOSCRIPT)) {
        *err = sds_new("This Redis command is not allowed from script");
        return cmd;
    }
    /* ACL (after NOAUTH and no-multi, before OOM, as Redis orders them). */
    /* The allowed path calls the pure check alone; only a denial pays for
     * acl_check_client, which checks again to log and word the error. */
    int acl_pos;
    if ((checks & CHECK_ACL) && c->user && !c->user->unrestricted &&
        acl_check(c->user, cmd, c->argv, c->argc, &acl_pos) != ACL_OK && (*err = acl_check_client(c, cmd, kind)))
        return cmd;
    /* A cluster node redirects what another node serves (after ACL,
     * before OOM, as Redis). Scripts are asked by the scripting module. */
    if (cluster && (kind == CMD_CALLER_CLIENT || kind == CMD_CALLER_MULTI) && (*err = cluster_route(c, cmd, 0))) {
        refused_by_route = 1;
        return cmd;
    }
    if ((checks & CHECK_OOM) && cfg.maxmemory) {
        /* As Redis, evict before any command, refuse only some. */
        int out_of_memory = evict_before_command(c) == -1;
        if (out_of_memory && cmd_refused_on_oom(c, kind, cmd)) {
            *err = sds_new("-OOM command not allowed when used memory > 'maxmemory'.");
            return cmd;
        }
    }
    /* Writes (and PING, as Redis) are refused while the AOF cannot be
     * written; the same callers as the OOM check. */
    if ((checks & CHECK_OOM) && ((cmd_effective_flags(c, cmd) & CMD_WRITE) || strcmp(cmd->name, "ping") == 0) &&
        (*err = aof_write_refusal()) != NULL)
        return cmd;
    /* Client-side caching keeps its table bounded before each command a
     * client sends (queued ones too), as Redis does here. */
    if ((kind == CMD_CALLER_CLIENT || kind == CMD_CALLER_MULTI) && listeners.before_resolve) listeners.before_resolve();
    /* A failed BGSAVE with stop-writes-on-bgsave-error refuses writes, and
     * PING too, so a health check notices (Redis's rule). */
    if ((checks & CHECK_DISK) && ((cmd_effective_flags(c, cmd) & CMD_WRITE) || cmd == cmd_ping)) {
        /* (The AOF's write errors give their own MISCONF here too.) */
        sds misconf = snapshot_write_error();
        if (misconf) {
            *err = misconf;
            return cmd;
        }
    }
    /* -NOREPLICAS then -READONLY (a replica), where Redis checks them. */
    if ((checks & CHECK_REPL) && repl_hooks.write_refusal) {
        const char *r = repl_hooks.write_refusal(c, cmd_effective_flags(c, cmd));
        if (r) {
            *err = sds_new(r);
            return cmd;
        }
    }
    /* RESP2 subscribed mode: the
     * connection carries pushes, so only the commands that manage
     * subscriptions (and PING/QUIT/RESET) may run. */
    if ((checks & CHECK_PUBSUB) && (c->flags & CLIENT_PUBSUB) && c->resp == 2 && !pubsub_allowed_in_context(cmd)) {
        *err = sds_cat_printf(sds_empty(),
                              "Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                              "are allowed in this context",
                              cmd->fullname);
        return cmd;
    }
    /* -MASTERDOWN: a replica whose link is down, replica-serve-stale-data no. */
    if ((checks & CHECK_REPL) && repl_hooks.stale_refusal) {
        const char *r = repl_hooks.stale_refusal(c, cmd);
        if (r) {
            *err = sds_new(r);
            return cmd;
        }
    }
    /* An async load (repl-diskless-load swapdb, same history) serves the
     * old dataset: only commands that would disturb the load wait. */
    if ((checks & CHECK_LOADING) && snapshot_loading() &&
        (snapshot_async_loading() ? (cmd->flags & CMD_NO_ASYNC_LOADING) != 0 : !(cmd->flags & CMD_LOADING))) {
        *err = sds_new("-LOADING Redis is loading the dataset in memory");
        return cmd;
    }
    /* A script running past busy-reply-threshold lets sockets be served:
     * only commands flagged allow-busy may run meanwhile. */
    if ((kind == CMD_CALLER_CLIENT || kind == CMD_CALLER_MULTI) && busy_hook) {
        const char *busy = busy_hook(cmd);
        if (busy) {
            *err = sds_new(busy);
            return cmd;
        }
    }
    /* Then CLIENT PAUSE (networking.c asks admin.c before cmd_process,
     * with CMD_CALLER_PAUSE). */
    return cmd;
}

/* ---------------------------------------------------------- call */

/* Depth of nested cmd_call (EXEC runs its queue one level down): effects
 * are emitted when the outermost call returns. */
static int call_depth;
/* The error count when the last call ended: a command nested in another
 * (a script's) owns its errors, the outer one only those after it. */
static long long errors_accounted;

void cmd_call(client *c) {
    redis_command *cmd = c->cmd;
    if (server.monitor_count && !(cmd->flags & (CMD_SKIP_MONITOR | CMD_ADMIN))) admin_feed_monitors(c);
    long long errors_before = server.stat_total_error_replies;
    long long dirty_before = server.dirty;
    /* A script's commands (socketless, nested) see the time its command
     * started with: keys do not expire in the middle of a script. */
    int own_time = call_depth == 0 || !(c->flags & CLIENT_NO_SOCKET);
    if (own_time) server.cmd_time_ms = 0;
    call_depth++;
    monotime start = mono_now_us();
    cmd->proc(c);
    if (own_time) server.cmd_time_ms = 0; /* outside commands, "now" is read afresh */
    long long duration = (long long)(mono_now_us() - start);
    cmd->usec += duration;
    admin_after_command(c, cmd, duration);
    /* A command that blocked is counted when it is finally served. */
    if (!(c->flags & CLIENT_BLOCKED)) cmd->calls++;
    if (errors_accounted > errors_before) errors_before = errors_accounted;
    int failed = server.stat_total_error_replies != errors_before;
    if (failed) cmd->failed_calls++;
    errors_accounted = server.stat_total_error_replies;
    /* EXEC is never propagated itself: its commands were, one by one. */
    if (cmd == cmd_exec) prop_prevent(c);
    prop_command_done(c, server.dirty - dirty_before);
    if (listeners.after_call) listeners.after_call(c);
    if (--call_depth == 0) {
        prop_flush();
        if (listeners.after_unit) listeners.after_unit();
    }
    server.stat_numcommands++;
}

/* Replies err (taken) for c's refused command cmd (NULL: unknown), counts
 * the refusal, and dooms c's transaction if it is in one. A refused EXEC
 * discards the transaction and says why, as Redis does: "-EXECABORT
 * Transaction discarded because of: <err without its '-'>", or just the
 * redirection when a cluster node routed it elsewhere. */
static void cmd_refuse(client *c, redis_command *cmd, sds err) {
    if (cmd) cmd->rejected_calls++;
    if (cmd && cmd == cmd_exec && refused_by_route) {
        /* A cluster node discards the transaction and redirects EXEC
         * itself (-MOVED, -CROSSSLOT...), as Redis does. */
        multi_client_reset(c);
        reply_error(c, err);
    } else if (cmd && cmd == cmd_exec) {
        multi_client_reset(c);
        reply_error_format(c, "-EXECABORT Transaction discarded because of: %s", err[0] == '-' ? err + 1 : err);
    } else {
        reply_error(c, err);
        multi_flag_error(c);
    }
    sds_free(err);
}

/* Resolves c->argv for kind, then replies the refusal, queues it (c is
 * in MULTI), or runs it. */
static void cmd_dispatch(client *c, enum cmd_caller kind) {
    sds err;
    redis_command *cmd = cmd_resolve(c, kind, &err);
    c->cmd = cmd;
    if (err) {
        cmd_refuse(c, cmd, err);
        return;
    }
    if ((c->flags & CLIENT_MULTI) && !cmd_runs_in_multi(cmd)) {
        multi_queue_command(c);
        return;
    }
    cmd_call(c);
    /* Inside a script (or anything nested), keys get served once the
     * outermost command is done, never in the middle of it. */
    if (server.ready_keys && call_depth == 0) blocking_handle_ready_keys();
}

void cmd_process(client *c) {
    cmd_dispatch(c, (c->flags & CLIENT_MULTI) ? CMD_CALLER_MULTI : CMD_CALLER_CLIENT);
}

void cmd_process_primary(client *c) {
    cmd_dispatch(c, CMD_CALLER_PRIMARY);
}

int cmd_call_depth(void) {
    return call_depth;
}

void cmd_reexecute(client *c) {
    client *prev = server.current_client;
    server.current_client = c;
    server.reexecuting = c;
    cmd_call(c);
    server.reexecuting = NULL;
    server.current_client = prev;
}

sds cmd_run_argv(client *c, enum cmd_caller kind, int argc, const sds *argv) {
    sds *saved_argv = c->argv;
    int saved_argc = c->argc;
    redis_command *saved_cmd = c->cmd;
    /* Copies: a handler may keep an argument in the keyspace. */
    sds *args = zmalloc(sizeof(sds) * (size_t)argc);
    for (int i = 0; i < argc; i++) args[i] = sds_dup(argv[i]);
    c->argv = args;
    c->argc = argc;
    if (kind == CMD_CALLER_CLIENT && (c->flags & CLIENT_MULTI)) kind = CMD_CALLER_MULTI;
    cmd_dispatch(c, kind);
    net_release_stolen_in(c, args, argc);
    for (int i = 0; i < argc; i++) sds_free(args[i]);
    zfree(args);
    c->argv = saved_argv;
    c->argc = saved_argc;
    c->cmd = saved_cmd;
    return reply_take_output(c);
}
