/* lua_libs.h -- the Lua C libraries Redis 7.0 exposes to scripts besides
 * Lua's standard ones: cmsgpack and struct (written here), cjson and bit
 * (Debian's lua-cjson and lua-bitop, whose behaviour was checked to equal
 * Redis 7.0's). Library code: needs only Lua 5.1's C API. */
#ifndef LUA_LIBS_H
#define LUA_LIBS_H

#include <lua.h>

/* Each opener leaves the library table on the stack and returns 1 (the Lua
 * 5.1 convention); cmsgpack and struct also set the global of that name. */
int luaopen_cmsgpack(lua_State *L);
int luaopen_struct(lua_State *L);
int luaopen_cjson(lua_State *L); /* liblua5.1-cjson */
int luaopen_bit(lua_State *L);   /* liblua5.1-bitop */

/* Opens cjson, struct, cmsgpack and bit and sets each as a global of its
 * name, as Redis 7.0 does for a script state. Leaves the stack as found. */
void lua_libs_open(lua_State *L);

#endif
