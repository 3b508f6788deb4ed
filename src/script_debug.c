/* script_debug.c -- SCRIPT DEBUG YES|SYNC|NO and the sessions that run a
 * debugged EVAL: YES forks a child (childproc_fork_ldb) that runs the
 * script and talks to the client, so its changes vanish with the child;
 * SYNC runs it in the server, which stops serving anyone else, and keeps
 * the changes. Either way the client is closed when the session ends.
 *
 * Owns the one active session (at most one per process: the server in
 * SYNC mode, or a child). The debugger's texts live in script_ldb*.c;
 * this file only connects them to the engine and the socket. */
#include "script_debug.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "childproc.h"
#include "config.h"
#include "log.h"
#include "monotonic.h"
#include "networking.h"
#include "reply.h"
#include "script_ldb.h"
#include "script_lua.h"
#include "zmalloc.h"

static ldb_session ldb;
static int ldb_active;
static long long ldb_clock_ms; /* run time counted from the last stop */
static client *ldb_client;
static int ldb_lost; /* the client left: the script goes on undebugged */

/* ------------------------------------------------------------ SCRIPT DEBUG */

void script_debug_command(client *c) {
    if (c->flags & (CLIENT_MULTI | CLIENT_IN_EXEC)) {
        reply_error(c, "SCRIPT DEBUG must be called outside a pipeline");
        return;
    }
    const char *mode = c->argv[2];
    if (!strcasecmp(mode, "no")) {
        c->flags &= ~(CLIENT_LUA_DEBUG | CLIENT_LUA_DEBUG_SYNC);
    } else if (!strcasecmp(mode, "yes")) {
        c->flags |= CLIENT_LUA_DEBUG;
        c->flags &= ~CLIENT_LUA_DEBUG_SYNC;
    } else if (!strcasecmp(mode, "sync")) {
        c->flags |= CLIENT_LUA_DEBUG | CLIENT_LUA_DEBUG_SYNC;
    } else {
        reply_error(c, "Use SCRIPT DEBUG YES/SYNC/NO");
        return;
    }
    reply_ok(c);
}

int script_debug_requested(const client *c) {
    return (c->flags & CLIENT_LUA_DEBUG) != 0;
}

int script_debug_refuse_evalsha(client *c) {
    if (!script_debug_requested(c)) return 0;
    reply_error(c, "Please use EVAL instead of EVALSHA for debugging");
    return 1;
}

/* ------------------------------------------------------------ the I/O */

static ssize_t ldb_sock_read(void *ctx, char *buf, size_t cap) {
    return net_read_sync(ctx, buf, cap);
}

static int ldb_sock_write(void *ctx, const char *buf, size_t len) {
    return net_write_sync(ctx, buf, len);
}

/* "redis <cmd> ...": run as the script would run it. A refused command
 * logs only "<error> text"; an error reply logs "<error> -CODE ..." and
 * then the "<reply>", as Redis 7.0 does. */
static void ldb_redis_cmd(void *ctx, ldb_session *s, lua_State *L, int argc, sds *argv) {
    (void)ctx;
    (void)L;
    script_run *r = script_current();
    sds err = NULL;
    ldb_log_redis_cmd(s, argc, (const sds *)argv);
    sds reply = r ? script_call(r, argc, argv, &err) : NULL;
    if (err || !reply) {
        ldb_log_error(s, err ? err : "No script running");
    } else {
        if (sds_len(reply) && reply[0] == '-') {
            const char *eol = strstr(reply, "\r\n");
            ldb_log(s, sds_cat_len(sds_new("<error> "), reply, eol ? (size_t)(eol - reply) : sds_len(reply)));
        }
        ldb_log_redis_reply(s, reply, sds_len(reply));
    }
    sds_free(err);
    sds_free(reply);
}

static const ldb_io *ldb_io_for(client *c) {
    static ldb_io io;
    io = (ldb_io){.ctx = c, .read = ldb_sock_read, .write = ldb_sock_write, .redis_cmd = ldb_redis_cmd};
    return &io;
}

/* ------------------------------------------------------------ the hook */

int script_debug_active(void) {
    return ldb_active;
}

/* Aborting: an error without a position ("script aborted for user
 * request"), to which the engine adds "script: <sha>, on @user_script:N." */
void script_debug_hook(lua_State *L, lua_Debug *ar) {
    if (ar->event == LUA_HOOKCOUNT) {
        if (cfg.busy_reply_threshold_ms > 0 && mstime() - ldb_clock_ms > cfg.busy_reply_threshold_ms)
            ldb.timeout = 1;
        return;
    }
    if (ar->event != LUA_HOOKLINE) return;
    long stops = ldb.stops;
    ldb_outcome o = ldb_on_line(&ldb, L, ar, ldb_io_for(ldb_client));
    if (ldb.stops != stops) ldb_clock_ms = mstime(); /* time at the prompt is not run time */
    if (o == LDB_RESUME) return;
    if (o == LDB_LOST) {
        /* Redis 7.0 lets the script finish without the debugger (in a
         * child, nobody will see its end: leave at once). */
        if (childproc_in_child()) childproc_child_exit(0);
        ldb_lost = 1;
        lua_sethook(L, NULL, 0, 0);
        return;
    }
    script_lua_push_error(L, "script aborted for user request");
    lua_error(L);
}

void script_debug_log_call(int argc, const sds *argv, const char *reply, size_t len, const char *err) {
    if (!ldb_active || ldb_lost || !ldb.step) return;
    ldb_log_redis_cmd(&ldb, argc, argv);
    if (err) ldb_log_error(&ldb, err);
    else if (reply) ldb_log_redis_reply(&ldb, reply, len);
}

int script_debug_lua_debug(lua_State *L) {
    if (ldb_active && !ldb_lost) ldb_log_debug_call(&ldb, L);
    return 0;
}

int script_debug_lua_breakpoint(lua_State *L) {
    if (ldb_active && !ldb_lost) ldb.luabp = 1;
    lua_pushboolean(L, ldb_active && !ldb_lost);
    return 1;
}

/* ------------------------------------------------------------ sessions */

/* Runs the script with the session open; the reply is left in c's
 * output, the "<endsession>" line already written. */
static void ldb_run(lua_State *L, script_run *r, const char *body, size_t len, sds *keys, int nkeys, sds *args,
                    int nargs) {
    ldb_session_init(&ldb, body, len);
    ldb.step = 1; /* Redis stops on the first line */
    ldb_client = r->caller;
    ldb_active = 1;
    ldb_lost = 0;
    ldb_clock_ms = mstime();
    script_lua_call(L, r, keys, nkeys, args, nargs, 1);
    if (!ldb_lost) ldb_end_session(&ldb, ldb_io_for(r->caller));
    ldb_active = ldb_lost = 0;
    ldb_client = NULL;
    ldb_session_free(&ldb);
}

void script_debug_eval(lua_State *L, script_run *r, const char *body, size_t len, sds *keys, int nkeys,
                       sds *args, int nargs) {
    client *c = r->caller;
    if (c->flags & CLIENT_LUA_DEBUG_SYNC) {
        log_warning("Redis synchronous debugging eval session started");
        ldb_run(L, r, body, len, keys, nkeys, args, nargs);
        log_warning("Redis synchronous debugging eval session ended");
        /* Set only now: a closing client gets no more replies queued. */
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
        return;
    }
    pid_t pid = childproc_fork_ldb();
    if (pid == -1) {
        lua_pop(L, 1);
        reply_error_format(c, "Fork() failed: can't run EVAL in debugging mode: %s", strerror(errno));
        return;
    }
    if (pid > 0) {
        /* The child owns the conversation now; the parent lets go of its
         * copy of the socket without a word. */
        lua_pop(L, 1);
        net_close_async(c);
        return;
    }
    log_warning("Redis forked for debugging eval");
    ldb_run(L, r, body, len, keys, nkeys, args, nargs);
    sds out = reply_take_output(c);
    net_write_sync(c, out, sds_len(out));
    sds_free(out);
    childproc_child_exit(0);
}
