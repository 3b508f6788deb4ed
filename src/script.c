/* script.c -- the running-script state and the rules for a script's
 * commands, independent of the language engine.
 *
 * Owns the one running script (scripts never nest: EVAL is noscript) and
 * the checks Redis 7.0 applies when a script calls a command: after the
 * common ones of cmd_resolve (lookup, arity, noscript, disk errors), writes
 * are refused in read-only runs and, until the script's first write, under
 * maxmemory unless allow-oom. Past busy-reply-threshold the engine's hook
 * comes here to serve other sockets (they get -BUSY) so SCRIPT KILL and
 * SHUTDOWN NOSAVE can reach the server; the caller's own socket is not read
 * meanwhile. */
#include "script.h"

#include <string.h>
#include <strings.h>

#include "aof.h"
#include "blocking.h"
#include "cluster.h"
#include "commands.h"
#include "db.h"
#include "evict.h"
#include "log.h"
#include "monotonic.h"
#include "networking.h"
#include "reply.h"
#include "snapshot.h"
#include "zmalloc.h"

/* While timed out, sockets are served at most this often (ms). */
#define SCRIPT_EVENTS_INTERVAL_MS 10

static script_run *running;

static const struct {
    const char *name;
    uint64_t flag;
} script_flag_names[] = {
    {"no-writes", SCRIPT_FLAG_NO_WRITES},
    {"allow-oom", SCRIPT_FLAG_ALLOW_OOM},
    {"allow-stale", SCRIPT_FLAG_ALLOW_STALE},
    {"no-cluster", SCRIPT_FLAG_NO_CLUSTER},
    {"allow-cross-slot-keys", SCRIPT_FLAG_ALLOW_CROSS_SLOT},
};

int script_flag_from_name(const char *name, size_t len, uint64_t *flag) {
    for (size_t i = 0; i < sizeof(script_flag_names) / sizeof(script_flag_names[0]); i++) {
        if (strlen(script_flag_names[i].name) == len && memcmp(script_flag_names[i].name, name, len) == 0) {
            *flag = script_flag_names[i].flag;
            return 0;
        }
    }
    return -1;
}

static long long script_now_ms(void) {
    return (long long)(mono_now_us() / 1000);
}

/* Redis's checks before a script with declared flags may run. */
static int script_flags_refusal(client *caller, uint64_t flags, int read_only, int oom) {
    if (flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) return 0;
    if ((flags & SCRIPT_FLAG_NO_CLUSTER) && cluster) {
        reply_error(caller, "Can not run script on cluster, 'no-cluster' flag is set.");
        return -1;
    }
    /* no-writes implies allow-oom. */
    if (!(flags & (SCRIPT_FLAG_ALLOW_OOM | SCRIPT_FLAG_NO_WRITES)) && oom) {
        reply_error(caller, "-OOM allow-oom flag is not set on the script, can not run it when used memory > "
                            "'maxmemory'");
        return -1;
    }
    if (!(flags & SCRIPT_FLAG_NO_WRITES)) {
        sds misconf = aof_write_refusal();
        if (misconf == NULL && (misconf = snapshot_write_error()) != NULL) {
            sds_free(misconf);
            misconf = sds_new("-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
                              "persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only "
                              "scripts.");
        }
        if (misconf) {
            reply_error(caller, misconf);
            sds_free(misconf);
            return -1;
        }
        if (read_only) {
            reply_error(caller, "Can not execute a script with write flag using *_ro command.");
            return -1;
        }
    }
    return 0;
}

int script_prepare(script_run *r, client *caller, client *sc, const char *funcname, uint64_t flags, int read_only,
                   int is_function) {
    memset(r, 0, sizeof(*r));
    /* The EVAL itself went through the OOM check (and its evictions);
     * this asks again only whether memory is still over the limit. */
    r->oom = cfg.maxmemory && evict_before_command(caller) == -1;
    if (script_flags_refusal(caller, flags, read_only, r->oom) == -1) return -1;
    r->caller = caller;
    r->sc = sc;
    r->funcname = funcname;
    r->flags = flags;
    r->read_only = read_only || (flags & SCRIPT_FLAG_NO_WRITES);
    r->is_function = is_function;
    r->start_ms = script_now_ms();
    db_now_ms(); /* the time every command of the script sees */
    r->next_events_ms = r->start_ms + cfg.busy_reply_threshold_ms;
    sc->db = caller->db;
    sc->user = caller->user; /* scripts run with their caller's permissions */
    sc->db_id = caller->db_id;
    sc->resp = 2;
    running = r;
    return 0;
}

void script_reset(script_run *r) {
    if (r->timedout) {
        log_warning("Slow script detected: script finished after %lld milliseconds.",
                    script_now_ms() - r->start_ms);
        if (r->caller->fd != -1 && !(r->caller->flags & CLIENT_CLOSE_ASAP)) net_unprotect_client(r->caller);
    }
    running = NULL;
}

script_run *script_current(void) {
    return running;
}

int script_is_timedout(void) {
    return running && running->timedout;
}

/* The write and OOM rules of a script's command (Redis's order). */
static sds script_command_refusal(script_run *r, client *sc, redis_command *cmd) {
    if (!(cmd->flags & CMD_WRITE)) return NULL;
    if (r->read_only) return sds_new("Write commands are not allowed from read-only scripts.");
    /* A read-only replica takes writes from its primary only. */
    if (server.is_replica && cfg.replica_read_only && server.current_client != server.primary_client)
        return sds_new("-READONLY You can't write against a read only replica.");
    sds misconf = aof_write_refusal();
    if (misconf) return misconf;
    (void)sc;
    if (!(r->flags & SCRIPT_FLAG_ALLOW_OOM) && !r->wrote && r->oom && (cmd->flags & CMD_DENYOOM))
        return sds_new("-OOM command not allowed when used memory > 'maxmemory'.");
    return NULL;
}

sds script_call(script_run *r, int argc, sds *argv, sds *err) {
    client *sc = r->sc;
    /* Copies: a handler may keep an argument in the keyspace. */
    sds *args = zmalloc(sizeof(sds) * (size_t)argc);
    for (int i = 0; i < argc; i++) args[i] = sds_dup(argv[i]);
    sc->argv = args;
    sc->argc = argc;
    redis_command *cmd = cmd_resolve(sc, CMD_CALLER_SCRIPT, err);
    if (*err == NULL) *err = script_command_refusal(r, sc, cmd);
    /* A write that passed those checks counts as written even if the
     * cluster refuses it (Redis's order). */
    if (*err == NULL && (cmd->flags & CMD_WRITE)) r->wrote = 1;
    /* A cluster node: the keys must be served here, in the caller's slot. */
    if (*err == NULL && cluster) *err = cluster_route(sc, cmd, 1);
    sds reply = NULL;
    if (*err) {
        if (cmd) cmd->rejected_calls++;
    } else {
        sc->cmd = cmd;
        /* redis.set_repl(): the readers this call's effect skips. */
        if (r->repl_off == SCRIPT_REPL_OFF_ALL) sc->flags |= CLIENT_PREVENT_PROP;
        else if (r->repl_off & SCRIPT_REPL_OFF_AOF) sc->flags |= CLIENT_PREVENT_AOF_PROP;
        else if (r->repl_off & SCRIPT_REPL_OFF_REPLICAS) sc->flags |= CLIENT_PREVENT_REPL_PROP;
        cmd_call(sc);
        reply = reply_take_output(sc);
    }
    net_release_stolen_in(sc, args, argc);
    for (int i = 0; i < argc; i++) sds_free(args[i]);
    zfree(args);
    sc->argv = NULL;
    sc->argc = 0;
    sc->cmd = NULL;
    return reply;
}

int script_interrupt(script_run *r) {
    if (r->killed) return 1;
    long long now = script_now_ms();
    if (now < r->next_events_ms) return 0;
    if (!r->timedout) {
        r->timedout = 1;
        log_warning("Slow script detected: still in execution after %lld milliseconds. You can try killing the "
                    "script using the %s command. Script name is: %s.",
                    now - r->start_ms, r->is_function ? "FUNCTION KILL" : "SCRIPT KILL", r->funcname);
        /* The caller's next command must wait for this one's reply. */
        if (r->caller->fd != -1) net_protect_client(r->caller);
    }
    r->next_events_ms = now + SCRIPT_EVENTS_INTERVAL_MS;
    client *current = server.current_client;
    ae_process_events(server.el, AE_FILE_EVENTS | AE_DONT_WAIT);
    net_handle_pending_writes();
    server.current_client = current;
    return r->killed;
}

void script_kill(client *c, int is_function) {
    script_run *r = running;
    if (r == NULL) {
        reply_error(c, "-NOTBUSY No scripts in execution right now.");
        return;
    }
    if (r->wrote) {
        reply_error(c, "-UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
                       "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
                       "NOSAVE command.");
        return;
    }
    if (is_function != r->is_function) {
        reply_error(c, r->is_function ? "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or "
                                        "SHUTDOWN NOSAVE."
                                      : "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or "
                                        "SHUTDOWN NOSAVE.");
        return;
    }
    r->killed = 1;
    reply_ok(c);
}

const char *script_busy_refusal(const redis_command *cmd) {
    if (cmd->flags & CMD_ALLOW_BUSY) return NULL;
    return script_busy_text();
}

const char *script_busy_text(void) {
    if (!script_is_timedout()) return NULL;
    return running->is_function ? "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
                                  "NOSAVE."
                                : "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
                                  "NOSAVE.";
}
