/* function_lua.c -- the LUA engine of Redis 7.0 functions: compiles a
 * library in its own Lua state, with the load-time sandbox, and runs a
 * registered function for FCALL through the script engine (script_lua.h).
 *
 * Every library's code runs with one shared, always-empty environment
 * table whose reads go (through its metatable) to the load API while a
 * library loads (only redis.register_function, redis.log, the LOG_*
 * levels and the version fields, as Redis 7.0) and to the state's
 * protected globals otherwise, so the functions a library registers see
 * the full `redis` table when FCALL runs them. Writes to it are refused.
 * Never touches the registry (function.c) but through fn_library_add_function. */
#include <string.h>

#include "eval.h"
#include "function.h"
#include "monotonic.h"
#include "networking.h"
#include "propagate.h"
#include "script.h"
#include "script_lua.h"
#include "zmalloc.h"

/* A library's load may run this long before it is stopped. */
#define FN_LUA_LOAD_TIMEOUT_MS 500
/* The load hook looks at the clock every this many VM instructions. */
#define FN_LUA_HOOK_INSTRUCTIONS 100000

static lua_State *fl_state;
static client *fl_client;        /* the functions' script client */
static int fl_env_ref;           /* the shared environment table */
static int fl_load_api_ref;      /* what it shows while loading */
static fn_library *fl_loading;   /* the library being loaded, or NULL */
static long long fl_load_start_ms;

static const char *const readonly_text = "Attempt to modify a readonly table";

static int fl_readonly_error(lua_State *L) { return luaL_error(L, "%s", readonly_text); }

static int fl_missing_global(lua_State *L) {
    const char *name = lua_tostring(L, 2);
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

/* Raises msg with no position (register_function's own errors). */
static int fl_raise(lua_State *L, const char *msg) {
    lua_pushstring(L, msg);
    return lua_error(L);
}

/* Reads a flags table (at idx) into *flags; 0, or -1 for a bad entry. */
static int fl_parse_flags(lua_State *L, int idx, int *flags) {
    *flags = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        int f = lua_type(L, -1) == LUA_TSTRING ? fn_flag_from_name(lua_tostring(L, -1)) : 0;
        lua_pop(L, 1);
        if (f == 0) {
            lua_pop(L, 1);
            return -1;
        }
        *flags |= f;
    }
    return 0;
}

/* redis.register_function{function_name=, callback=, flags=, description=}:
 * leaves the callback on top and fills the rest. */
static void fl_named_args(lua_State *L, sds *name, sds *desc, int *flags) {
    int have_cb = 0;
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
        if (strcmp(key, "function_name") == 0 && lua_isstring(L, -1)) {
            sds_free(*name);
            *name = sds_new(lua_tostring(L, -1));
        } else if (strcmp(key, "callback") == 0 && lua_isfunction(L, -1)) {
            lua_pushvalue(L, -1);
            lua_replace(L, 2);
            have_cb = 1;
        } else if (strcmp(key, "flags") == 0) {
            if (!lua_istable(L, -1) || fl_parse_flags(L, lua_gettop(L), flags) == -1) {
                sds_free(*name);
                sds_free(*desc);
                fl_raise(L, lua_istable(L, -1) ? "unknown flag given"
                                               : "flags argument to redis.register_function must be a table "
                                                 "representing function flags");
            }
        } else if (strcmp(key, "description") == 0) {
            if (!lua_isstring(L, -1)) {
                sds_free(*name);
                sds_free(*desc);
                fl_raise(L, "description argument given to redis.register_function must be a string");
            }
            sds_free(*desc);
            *desc = sds_new(lua_tostring(L, -1));
        } else {
            sds_free(*name);
            sds_free(*desc);
            fl_raise(L, "unknown argument given to redis.register_function");
        }
        lua_pop(L, 1);
    }
    if (*name == NULL) {
        sds_free(*desc);
        fl_raise(L, "redis.register_function must get a function name argument");
    }
    if (!have_cb) {
        sds_free(*name);
        sds_free(*desc);
        fl_raise(L, "redis.register_function must get a callback argument");
    }
    lua_settop(L, 2);
}

/* redis.register_function(name, callback) or (table). */
static int fl_register_function(lua_State *L) {
    if (fl_loading == NULL) return fl_raise(L, "redis.register_function can only be called on FUNCTION LOAD command");
    sds name = NULL, desc = NULL;
    int flags = 0, argc = lua_gettop(L);
    if (argc == 1) {
        if (!lua_istable(L, 1))
            return fl_raise(L, "calling redis.register_function with a single argument is only applicable to Lua "
                               "table (representing named arguments).");
        lua_pushnil(L); /* slot 2: the callback */
        fl_named_args(L, &name, &desc, &flags);
    } else if (argc == 2) {
        if (!lua_isstring(L, 1)) return fl_raise(L, "first argument to redis.register_function must be a string");
        if (!lua_isfunction(L, 2))
            return fl_raise(L, "second argument to redis.register_function must be a function");
        name = sds_new(lua_tostring(L, 1));
    } else {
        return fl_raise(L, "wrong number of arguments to redis.register_function");
    }
    lua_pushvalue(L, 2);
    int *ref = zmalloc(sizeof(*ref));
    *ref = luaL_ref(L, LUA_REGISTRYINDEX);
    sds err = NULL;
    if (fn_library_add_function(fl_loading, name, desc, flags, ref, &err) == -1) {
        lua_pushstring(L, err);
        sds_free(err);
        return lua_error(L);
    }
    return 0;
}

/* FUNCTION LOAD must not hang the server: stopped past the timeout. */
static void fl_load_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    if (mstime() - fl_load_start_ms >= FN_LUA_LOAD_TIMEOUT_MS) {
        lua_sethook(L, fl_load_hook, LUA_MASKLINE, 0); /* raise again on every line if caught */
        fl_raise(L, "FUNCTION LOAD timeout");
    }
}

/* Points the shared environment's reads at the load API (loading 1) or
 * at the state's globals (0). */
static void fl_set_env_mode(lua_State *L, int loading) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, fl_env_ref);
    lua_getmetatable(L, -1);
    if (loading)
        lua_rawgeti(L, LUA_REGISTRYINDEX, fl_load_api_ref);
    else
        lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 2);
}

/* The error value on top of L as text: an error table's err field as is,
 * a string prefixed with ERR (Redis's form). */
static sds fl_error_text(lua_State *L) {
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "err");
        const char *e = lua_tostring(L, -1);
        sds s = sds_new(e ? e : "ERR unknown error");
        lua_pop(L, 1);
        return s;
    }
    const char *msg = lua_tostring(L, -1);
    return sds_cat(sds_new("ERR "), msg ? msg : "unknown error");
}

static int fl_create(fn_library *lib, const char *code, size_t len, sds *err) {
    lua_State *L = fl_state;
    /* Compile from the end of the shebang line, its newline included, so
     * line numbers count the shebang as line 1. */
    const char *body = memchr(code, '\n', len);
    size_t body_len = len - (size_t)(body - code);
    sds cerr = NULL;
    if (script_lua_compile(L, body, body_len, "@user_function", &cerr) == -1) {
        *err = sds_cat_printf(sds_empty(), "Error compiling function: %s", cerr);
        sds_free(cerr);
        return -1;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, fl_env_ref);
    lua_setfenv(L, -2);
    fl_set_env_mode(L, 1);
    fl_loading = lib;
    fl_load_start_ms = mstime();
    lua_sethook(L, fl_load_hook, LUA_MASKCOUNT, FN_LUA_HOOK_INSTRUCTIONS);
    int failed = lua_pcall(L, 0, 0, 0);
    lua_sethook(L, NULL, 0, 0);
    fl_loading = NULL;
    fl_set_env_mode(L, 0);
    if (failed) {
        sds text = fl_error_text(L);
        lua_pop(L, 1);
        *err = sds_cat_printf(sds_empty(), "Error registering functions: %s", text);
        sds_free(text);
        return -1;
    }
    return 0;
}

static uint64_t fl_script_flags(int flags) {
    uint64_t f = 0;
    if (flags & FN_FLAG_NO_WRITES) f |= SCRIPT_FLAG_NO_WRITES;
    if (flags & FN_FLAG_ALLOW_OOM) f |= SCRIPT_FLAG_ALLOW_OOM;
    if (flags & FN_FLAG_ALLOW_STALE) f |= SCRIPT_FLAG_ALLOW_STALE;
    if (flags & FN_FLAG_NO_CLUSTER) f |= SCRIPT_FLAG_NO_CLUSTER;
    if (flags & FN_FLAG_ALLOW_CROSS_SLOT) f |= SCRIPT_FLAG_ALLOW_CROSS_SLOT;
    return f;
}

static void fl_call(client *c, fn_function *f, int numkeys, sds *keys, int nargs, sds *args, int ro) {
    script_run r;
    if (script_prepare(&r, c, fl_client, f->name, fl_script_flags(f->flags), ro, 1) == -1) return;
    lua_rawgeti(fl_state, LUA_REGISTRYINDEX, *(int *)f->priv);
    script_lua_call(fl_state, &r, keys, numkeys, args, nargs, 0);
    script_reset(&r);
    /* The function's commands propagated themselves; FCALL is no effect. */
    prop_prevent(c);
}

static void fl_free_function(void *priv) {
    int *ref = priv;
    luaL_unref(fl_state, LUA_REGISTRYINDEX, *ref);
    zfree(ref);
}

static size_t fl_vm_memory(void) { return (size_t)script_lua_memory(fl_state); }

static void fl_kill(client *c) { script_kill(c, 1); }

static const fn_engine fl_engine = {
    .name = "LUA",
    .create = fl_create,
    .call = fl_call,
    .free_function = fl_free_function,
    .vm_memory = fl_vm_memory,
    .kill = fl_kill,
};

/* Pushes a table whose missing keys raise the nonexistent-global error,
 * behind an empty proxy whose writes are refused; pops the table. */
static void fl_push_readonly_proxy(lua_State *L) {
    int t = lua_gettop(L);
    lua_newtable(L); /* the table's own metatable */
    lua_pushcfunction(L, fl_missing_global);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, t);
    lua_newtable(L); /* the proxy */
    lua_newtable(L); /* its metatable */
    lua_pushvalue(L, t);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, fl_readonly_error);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    lua_remove(L, t);
}

/* The load API: {redis = {register_function, log, LOG_*, REDIS_VERSION,
 * REDIS_VERSION_NUM}}, both levels read-only and strict. */
static void fl_build_load_api(lua_State *L) {
    static const char *const copied[] = {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                                         "REDIS_VERSION", "REDIS_VERSION_NUM"};
    lua_newtable(L); /* globals of the load */
    lua_newtable(L); /* its redis */
    lua_getglobal(L, "redis");
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
        lua_getfield(L, -1, copied[i]);
        lua_setfield(L, -3, copied[i]);
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, fl_register_function);
    lua_setfield(L, -2, "register_function");
    fl_push_readonly_proxy(L);
    lua_setfield(L, -2, "redis");
    fl_push_readonly_proxy(L);
    fl_load_api_ref = luaL_ref(L, LUA_REGISTRYINDEX);

    lua_newtable(L); /* the shared environment */
    lua_newtable(L);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, fl_readonly_error);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    fl_env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* INFO memory's function figures. */
static void fl_stats(script_memory_stats *st) {
    st->vm_functions = (long long)fn_vm_memory();
    st->functions = (long long)fn_overhead_memory();
    st->number_of_functions = (long long)fn_function_count();
    st->number_of_libraries = (long long)fn_library_count();
}

void function_lua_init(void) {
    fl_state = script_lua_new_state();
    script_lua_protect_globals(fl_state);
    fl_build_load_api(fl_state);
    fl_client = net_create_client(-1);
    fl_client->flags |= CLIENT_NO_SOCKET;
    fn_register_engine(&fl_engine);
    eval_set_functions_stats_hook(fl_stats);
}
