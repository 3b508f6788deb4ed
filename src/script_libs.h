/* script_libs.h -- registers the Lua C libraries scripts see (cjson,
 * cmsgpack, struct, bit) with the engine (script_lua.h). */
#ifndef MINIRED_SCRIPT_LIBS_H
#define MINIRED_SCRIPT_LIBS_H

/* Called once by eval_init, before the first Lua state is made. */
void script_libs_register(void);

#endif
