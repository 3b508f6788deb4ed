/* script_libs.c -- the C libraries every Lua state gets besides Lua's own
 * (Redis 7.0 has cjson, cmsgpack, struct and bit).
 *
 * The one place that lists them: script_libs_register runs once at start
 * (from eval_init, before the first state is made) and hands each
 * library's luaopen function to script_lua_register_lib; the library's
 * table then becomes a read-only global of every state. Knows nothing of
 * the libraries' insides. */
#include "script_libs.h"

#include "lua_libs.h"
#include "script_lua.h"

void script_libs_register(void) {
    script_lua_register_lib("cjson", luaopen_cjson);
    script_lua_register_lib("struct", luaopen_struct);
    script_lua_register_lib("cmsgpack", luaopen_cmsgpack);
    script_lua_register_lib("bit", luaopen_bit);
}
