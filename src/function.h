/* function.h -- Redis 7.0 functions: the library registry, the FUNCTION
 * and FCALL commands, and functions in RDB files, FUNCTION DUMP payloads
 * and the AOF.
 *
 * The registry knows nothing of Lua: an engine (function_lua.c) compiles a
 * library's code, registering each function through
 * fn_library_add_function, and runs a function for FCALL. */
#ifndef MINIRED_FUNCTION_H
#define MINIRED_FUNCTION_H

#include "dict.h"
#include "rio.h"
#include "server.h"

/* Function flags (shebang/register_function "flags"), in the order
 * FUNCTION LIST shows them. */
#define FN_FLAG_NO_WRITES (1 << 0)
#define FN_FLAG_ALLOW_OOM (1 << 1)
#define FN_FLAG_ALLOW_STALE (1 << 2)
#define FN_FLAG_NO_CLUSTER (1 << 3)
#define FN_FLAG_ALLOW_CROSS_SLOT (1 << 4)

typedef struct fn_library fn_library;

typedef struct fn_function {
    sds name;
    sds desc;        /* NULL: none given */
    int flags;       /* FN_FLAG_* */
    void *priv;      /* the engine's handle (freed by its free_function) */
    fn_library *lib; /* borrowed: the library owns the function */
} fn_function;

struct fn_library {
    sds name;
    sds code;        /* the whole code, shebang included */
    dict *functions; /* name (sds) -> fn_function* */
    const struct fn_engine *engine;
};

/* What an engine provides. */
typedef struct fn_engine {
    const char *name; /* upper case, as FUNCTION LIST shows it ("LUA") */
    /* Runs code (shebang line included) to register lib's functions with
     * fn_library_add_function. Returns 0, or -1 with *err a new sds
     * holding the error text without "ERR " ("Error registering
     * functions: ...", "Error compiling function: ..."). */
    int (*create)(fn_library *lib, const char *code, size_t len, sds *err);
    /* Runs f for c (FCALL / FCALL_RO: ro) with keys and args borrowed
     * from c->argv; replies to c. */
    void (*call)(client *c, fn_function *f, int numkeys, sds *keys, int nargs, sds *args, int ro);
    /* Frees a function's handle. */
    void (*free_function)(void *priv);
    /* Bytes used by the engine's interpreter (used_memory_vm_functions). */
    size_t (*vm_memory)(void);
    /* FUNCTION KILL while one of its functions runs: replies to c. */
    void (*kill)(client *c);
} fn_engine;

/* Registers an engine (at start). */
void fn_register_engine(const fn_engine *e);
/* Called by an engine's create: adds a function to lib. Takes name, desc
 * (may be NULL) and priv (freed through the engine on failure). Returns
 * 0, or -1 with *err a new sds (the text without "ERR "). */
int fn_library_add_function(fn_library *lib, sds name, sds desc, int flags, void *priv, sds *err);
/* 1 when name is a valid library or function name (letters, digits, '_';
 * at least one). */
int fn_valid_name(const char *s, size_t len);
/* Parses one flag name ("no-writes"...): its FN_FLAG_ bit, or 0. */
int fn_flag_from_name(const char *s);

/* The function running now (FUNCTION STATS), set by FCALL around the
 * engine's call; NULL when none. */
const fn_function *fn_running(void);

/* INFO: the memory section's used_memory_vm_functions and
 * used_memory_functions, and the counts. */
size_t fn_vm_memory(void);
size_t fn_overhead_memory(void);
unsigned long fn_function_count(void);
unsigned long fn_library_count(void);

/* ----------------------------------------------------------- persistence */

/* Writes every library as an RDB_OPCODE_FUNCTION2 + code string. 0/-1.
 * Usable in a forked child. */
int fn_rdb_save(rio *r);
/* After the FUNCTION2 opcode: reads one library's code and creates it.
 * replace: a library of the same name is replaced (DEBUG RELOAD MERGE),
 * else it is an error. Returns 0, or -1 with *err a new sds. */
int fn_rdb_load(rio *r, int replace, sds *err);
/* Deletes every library (before a reload, FLUSHALL does not touch them). */
void fn_flush_all(void);
/* A replica's swapdb load keeps the libraries aside like the keys:
 * fn_save_and_empty moves them out (the registry starts empty, for the
 * loader); fn_exchange_saved swaps the two sets (call it again to undo);
 * fn_restore_saved puts the saved set back (the loaded one is freed);
 * fn_drop_saved frees the saved set. */
typedef struct fn_libset fn_libset;
fn_libset *fn_save_and_empty(void);
void fn_exchange_saved(fn_libset **saved);
void fn_restore_saved(fn_libset *saved);
void fn_drop_saved(fn_libset *saved);
/* Appends "FUNCTION LOAD <code>" commands for every library to buf, as an
 * AOF base without RDB preamble holds them. Returns buf. */
sds fn_aof_rewrite(sds buf);

/* function_lua.c: makes the LUA engine's state and registers the engine
 * (and INFO's figures); call once at start, after eval_init. */
void function_lua_init(void);

extern redis_command function_commands[];

#endif
