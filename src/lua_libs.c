/* lua_libs.c -- opens the four non-standard libraries of Redis 7.0's script
 * state (cjson, struct, cmsgpack, bit) into a lua_State as globals.
 * Library code: knows Lua's C API and nothing of the server; it must not
 * make the globals read-only (the script engine decides that). */
#include <lua.h>

#include "lua_libs.h"

static void lua_libs_open_one(lua_State *L, lua_CFunction opener, const char *name) {
    lua_pushcfunction(L, opener);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    /* Debian's cjson returns its table without setting a global. */
    lua_setglobal(L, name);
}

void lua_libs_open(lua_State *L) {
    lua_libs_open_one(L, luaopen_cjson, "cjson");
    lua_libs_open_one(L, luaopen_struct, "struct");
    lua_libs_open_one(L, luaopen_cmsgpack, "cmsgpack");
    lua_libs_open_one(L, luaopen_bit, "bit");
}
