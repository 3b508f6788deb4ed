/* script_debug.h -- SCRIPT DEBUG YES|SYNC|NO and the debugging sessions
 * of EVAL / EVAL_RO: wires the debugger (script_ldb.h) into the engine
 * (script_lua.h) and the client's socket. */
#ifndef MINIRED_SCRIPT_DEBUG_H
#define MINIRED_SCRIPT_DEBUG_H

#include <lua.h>

#include "script.h"
#include "server.h"

/* SCRIPT DEBUG <mode> (the subcommand's handler). */
void script_debug_command(client *c);
/* 1 when c asked for its next scripts to be debugged. */
int script_debug_requested(const client *c);
/* EVALSHA / EVALSHA_RO on a debugging client: replies Redis's error and
 * returns 1. */
int script_debug_refuse_evalsha(client *c);

/* Runs the compiled script on top of L under the debugger, for EVAL /
 * EVAL_RO on a client that asked for it: YES forks a child that runs the
 * session (its changes die with it), SYNC runs it here with the server
 * stopped. Either way the client is closed after the session. Arguments
 * as script_lua_call's; body is the script's source (borrowed). */
void script_debug_eval(lua_State *L, script_run *r, const char *body, size_t len, sds *keys, int nkeys,
                       sds *args, int nargs);

/* For the engine while a session runs (no-ops otherwise). */
int script_debug_active(void);
/* The Lua hook a debugged script runs with (line + count events). */
void script_debug_hook(lua_State *L, lua_Debug *ar);
/* redis.call / redis.pcall: logs "<redis> ..." and its reply or error,
 * when stepping. reply or err may be NULL. */
void script_debug_log_call(int argc, const sds *argv, const char *reply, size_t len, const char *err);
/* redis.debug and redis.breakpoint, as the `redis` table holds them. */
int script_debug_lua_debug(lua_State *L);
int script_debug_lua_breakpoint(lua_State *L);

#endif
