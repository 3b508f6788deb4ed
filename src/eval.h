/* eval.h -- EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT: the script
 * cache and the Lua state that runs EVAL scripts. */
#ifndef MINIRED_EVAL_H
#define MINIRED_EVAL_H

#include "server.h"

/* Makes the EVAL Lua state and the script client, and registers the BUSY
 * hook; call once at start, after every script_lua_register_lib. */
void eval_init(void);

/* What INFO memory reports of scripting (functions' figures come from
 * the hook the function engine registers). */
typedef struct script_memory_stats {
    long long vm_eval;        /* the EVAL Lua state */
    long long scripts_eval;   /* the cached scripts' bodies and entries */
    long long cached_scripts;
    long long vm_functions;   /* the function engine's Lua state */
    long long functions;      /* its libraries' memory */
    long long number_of_functions;
    long long number_of_libraries;
} script_memory_stats;
void eval_memory_stats(script_memory_stats *st);
typedef void eval_functions_stats_fn(script_memory_stats *st);
void eval_set_functions_stats_hook(eval_functions_stats_fn *fn);

/* Parses a script's shebang ("#!lua flags=..."): *flags (SCRIPT_FLAG_*,
 * SCRIPT_FLAG_EVAL_COMPAT_MODE without a shebang) and *body_offset (where
 * the code starts, the shebang's line feed kept for line numbers).
 * Returns -1 with *err (new sds, Redis's text) when it is invalid. */
int eval_parse_shebang(const char *body, size_t len, uint64_t *flags, size_t *body_offset, sds *err);

#endif
