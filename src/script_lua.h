/* script_lua.h -- the Lua 5.1 engine: sandboxed states, the `redis`
 * table, conversions between Lua values and RESP, and running a compiled
 * function for a script run (script.h).
 *
 * Used by EVAL (eval.c), FUNCTION/FCALL, SCRIPT DEBUG. A state is made by
 * script_lua_new_state, the user's code is loaded into it, then
 * script_lua_protect_globals freezes its globals: from then on reading an
 * undeclared global or writing any global or library table raises Redis
 * 7.0's errors. */
#ifndef MINIRED_SCRIPT_LUA_H
#define MINIRED_SCRIPT_LUA_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "script.h"
#include "server.h"

/* Adds a C library opened into every state made from now on (call it from
 * script_libs_register in script_libs.c, the one list of them): open is
 * called with the state (as a lua_CFunction, like luaopen_*), must leave
 * its table on the stack, and the table becomes the read-only global
 * `name` (e.g. "cjson", "cmsgpack", "struct", "bit"). Call at start, before
 * the first state is made (eval_init makes it). name is borrowed for
 * good (a string literal). */
void script_lua_register_lib(const char *name, lua_CFunction open);
/* Registers a function every new state's `redis` table gets (e.g.
 * register_function for the function engine, the debugger's hooks). */
void script_lua_register_redis_fn(const char *name, lua_CFunction fn);

/* A new state: base (without loadfile, dofile, print, getfenv, setfenv,
 * newproxy), table, string, math, coroutine, the registered libraries,
 * the `redis` table, the error handler. Globals are still writable. */
lua_State *script_lua_new_state(void);
/* Makes the globals and every library table read-only (Redis 7.0's
 * texts). Global reads of a missing name raise "Script attempted to
 * access nonexistent global variable 'x'". */
void script_lua_protect_globals(lua_State *L);
/* Sets a global bypassing the protection (KEYS / ARGV); pops the value. */
void script_lua_set_global_raw(lua_State *L, const char *name);
/* Bytes the state uses (INFO used_memory_lua / vm_eval). */
long long script_lua_memory(lua_State *L);

/* Compiles body (name: the chunk name, "@user_script") into a function
 * left on the stack; on error returns -1 with *err a new sds holding
 * Lua's message. */
int script_lua_compile(lua_State *L, const char *body, size_t len, const char *name, sds *err);
/* Calls the function on top of L (popped) for the running script r, with
 * KEYS/ARGV set as globals (eval_globals) or passed as two table
 * arguments (functions), and replies its result (or error) to r->caller. */
void script_lua_call(lua_State *L, script_run *r, sds *keys, int nkeys, sds *args, int nargs, int eval_globals);

/* Pushes the Lua value of one RESP reply (2 or 3) at p; returns the bytes
 * it took (0 when malformed; nil pushed). */
size_t script_lua_push_resp(lua_State *L, const char *p, size_t len);
/* Replies the Lua value on top of L (popped) to c, as Redis 7.0 converts
 * it; resp is the script's redis.setresp protocol. */
void script_lua_reply(client *c, lua_State *L, int resp);
/* Pushes an error table {err = "CODE msg"} from "-CODE msg" or "msg"
 * (then ERR). */
void script_lua_push_error(lua_State *L, const char *msg);

#endif
