/* script.h -- the engine-independent side of running a script: the
 * running-script state (one at a time), the checks Redis 7.0 applies to
 * each command a script calls, shebang flags, and the BUSY / KILL cycle.
 *
 * EVAL (eval.c) and FCALL (functions) prepare a run here, hand it to an
 * engine (script_lua.h), and reset it when the script returns. The engine
 * calls script_call for every redis.call / redis.pcall and
 * script_interrupt from its periodic hook. */
#ifndef MINIRED_SCRIPT_H
#define MINIRED_SCRIPT_H

#include "server.h"

/* Script flags, as a shebang declares them (`#!lua flags=...`) or
 * redis.register_function's `flags` field. */
#define SCRIPT_FLAG_NO_WRITES (1ULL << 0)
#define SCRIPT_FLAG_ALLOW_OOM (1ULL << 1)
#define SCRIPT_FLAG_ALLOW_STALE (1ULL << 2)
#define SCRIPT_FLAG_NO_CLUSTER (1ULL << 3)
#define SCRIPT_FLAG_EVAL_COMPAT_MODE (1ULL << 4) /* EVAL script without a shebang */
#define SCRIPT_FLAG_ALLOW_CROSS_SLOT (1ULL << 5)

/* Parses a flag name ("no-writes"...) into *flag; -1 if unknown. */
int script_flag_from_name(const char *name, size_t len, uint64_t *flag);

/* script_run.repl_off: what redis.set_repl() took away (REPL_AOF is 1,
 * REPL_REPLICA 2 on the Lua side; these are their complements). */
#define SCRIPT_REPL_OFF_AOF 1
#define SCRIPT_REPL_OFF_REPLICAS 2
#define SCRIPT_REPL_OFF_ALL 3

/* The state of the running script (NULL outside one). */
typedef struct script_run {
    client *caller;          /* the client that sent EVAL / FCALL */
    client *sc;              /* the script's own client (CLIENT_NO_SOCKET) */
    const char *funcname;    /* sha1 for EVAL, the function's name for FCALL */
    uint64_t flags;          /* SCRIPT_FLAG_* */
    int read_only;           /* _RO command or no-writes: writes refused */
    int is_function;         /* FCALL: BUSY/KILL texts name FUNCTION */
    int wrote;               /* a write command ran: no more OOM refusal, unkillable */
    int timedout;            /* past busy-reply-threshold: others get BUSY */
    int killed;              /* SCRIPT/FUNCTION KILL asked it to stop */
    int repl_off;            /* SCRIPT_REPL_OFF_* bits: readers redis.set_repl() took away */
    int oom;                 /* over maxmemory when the script started */
    long long start_ms;      /* monotonic start (ms) */
    long long next_events_ms; /* when the hook next processes events */
} script_run;

/* Checks a script's flags against the server's state (OOM, disk errors,
 * _RO commands), as Redis 7.0 does before running it. Replies the error
 * to caller and returns -1 if it may not run; else fills r and makes it
 * the running script (0). sc is the engine's script client; its db is
 * set to caller's. */
int script_prepare(script_run *r, client *caller, client *sc, const char *funcname, uint64_t flags, int read_only,
                   int is_function);
/* Ends the running script r: the script client's db goes back to the
 * caller, readiness of blocked clients is handled. */
void script_reset(script_run *r);
/* The running script, or NULL. */
script_run *script_current(void);
/* Runs argv (borrowed) as a command of the running script with Redis's
 * checks for scripts. Returns the reply bytes (new; RESP per sc->resp),
 * or NULL with *err a new sds ("-CODE msg" or "msg" for ERR) if the
 * command was refused before running. */
sds script_call(script_run *r, int argc, sds *argv, sds *err);
/* Called by an engine's hook every so often: past busy-reply-threshold
 * marks the script timed out and serves other clients' sockets (they get
 * -BUSY). Returns 1 if the script must stop (killed). */
int script_interrupt(script_run *r);
/* 1 while a script runs past busy-reply-threshold. */
int script_is_timedout(void);
/* The -BUSY text while a script runs past busy-reply-threshold, else
 * NULL. */
const char *script_busy_text(void);
/* SCRIPT KILL (is_function 0) / FUNCTION KILL (1): replies to c. */
void script_kill(client *c, int is_function);
/* The -BUSY text (with '-') for a command refused while a script runs
 * too long, or NULL if cmd may run now. Registered as commands.c's hook. */
const char *script_busy_refusal(const redis_command *cmd);

#endif
