/* eval.c -- EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD / EXISTS /
 * FLUSH / KILL / HELP: the cache of EVAL scripts and their Lua state.
 *
 * Owns the EVAL Lua state (made again by SCRIPT FLUSH), the script cache
 * (sha1 -> body and shebang flags; each body compiled once into the
 * state's registry as f_<sha1>) and the client scripts run their commands
 * through. A script's own writes propagate one by one (wrapped in
 * MULTI/EXEC by the effects stream when several); EVAL itself never does. */
#include "eval.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "commands.h"
#include "networking.h"
#include "propagate.h"
#include "reply.h"
#include "script.h"
#include "script_debug.h"
#include "script_libs.h"
#include "script_lua.h"
#include "sha1.h"
#include "util.h"
#include "zmalloc.h"

#define SHA1_HEX_LEN 40
/* Per cached script, beside its body: what Redis 7.0 counts for an entry. */
#define EVAL_SCRIPT_OVERHEAD_BYTES 64

typedef struct eval_script {
    sds body;
    uint64_t flags;
} eval_script;

static lua_State *eval_lua;
static client *script_client;
static dict *eval_scripts; /* sds sha1 (lower case) -> eval_script */
static long long eval_scripts_bytes;
static eval_functions_stats_fn *functions_stats_hook;
/* eval_find's memory of the last script found (NULL after a flush). */
static eval_script *last_found;
static char last_found_sha[SHA1_HEX_LEN];

static void eval_script_free(dict *d, void *val) {
    (void)d;
    eval_script *es = val;
    sds_free(es->body);
    zfree(es);
}

static dict_type eval_scripts_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
    .val_destructor = eval_script_free,
};

static void eval_new_state(void) {
    eval_lua = script_lua_new_state();
    script_lua_protect_globals(eval_lua);
    eval_scripts = dict_create(&eval_scripts_type);
    eval_scripts_bytes = 0;
}

/* Redis's scriptFlagsToCmdFlags: declared flags replace the command's
 * write / denyoom / stale flags. */
static uint64_t eval_script_cmd_flags(uint64_t cmd_flags, uint64_t script_flags) {
    if (script_flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) return cmd_flags;
    cmd_flags &= ~(CMD_STALE | CMD_DENYOOM | CMD_WRITE | CMD_MAY_REPLICATE);
    if (!(script_flags & (SCRIPT_FLAG_ALLOW_OOM | SCRIPT_FLAG_NO_WRITES))) cmd_flags |= CMD_DENYOOM;
    if (!(script_flags & SCRIPT_FLAG_NO_WRITES)) cmd_flags |= CMD_WRITE;
    if (script_flags & SCRIPT_FLAG_ALLOW_STALE) cmd_flags |= CMD_STALE;
    return cmd_flags;
}

static void eval_command(client *c);
static void evalsha_command(client *c);
static void eval_ro_command(client *c);
static void evalsha_ro_command(client *c);
static eval_script *eval_find(const char *sha, size_t len, char *lower);

/* The flags of an EVAL-family command as its script declares them (the
 * shebang of the body, or of the cached script for EVALSHA). */
static uint64_t eval_command_flags(const client *c, const redis_command *cmd) {
    uint64_t script_flags = SCRIPT_FLAG_EVAL_COMPAT_MODE;
    if (c->argc < 2) return cmd->flags;
    if (cmd->proc == eval_command || cmd->proc == eval_ro_command) {
        size_t off;
        sds err;
        if (eval_parse_shebang(c->argv[1], sds_len(c->argv[1]), &script_flags, &off, &err) == -1) {
            sds_free(err);
            return cmd->flags;
        }
    } else if (cmd->proc == evalsha_command || cmd->proc == evalsha_ro_command) {
        char sha[SHA1_HEX_LEN + 1];
        eval_script *es = eval_find(c->argv[1], sds_len(c->argv[1]), sha);
        if (es) script_flags = es->flags;
    } else {
        return cmd->flags;
    }
    return eval_script_cmd_flags(cmd->flags, script_flags);
}

void eval_init(void) {
    script_libs_register();
    cmd_set_flags_hook(eval_command_flags);
    script_client = net_create_client(-1);
    script_client->flags |= CLIENT_NO_SOCKET;
    /* MONITOR shows a script's commands as from "lua". */
    snprintf(script_client->addr, sizeof(script_client->addr), "lua");
    eval_new_state();
    cmd_set_busy_hook(script_busy_refusal);
}

static void eval_flush(void) {
    last_found = NULL;
    lua_close(eval_lua);
    dict_release(eval_scripts);
    eval_new_state();
}

void eval_set_functions_stats_hook(eval_functions_stats_fn *fn) {
    functions_stats_hook = fn;
}

void eval_memory_stats(script_memory_stats *st) {
    memset(st, 0, sizeof(*st));
    if (functions_stats_hook) functions_stats_hook(st);
    st->vm_eval = eval_lua ? script_lua_memory(eval_lua) : 0;
    st->scripts_eval = eval_scripts_bytes;
    st->cached_scripts = eval_scripts ? (long long)dict_size(eval_scripts) : 0;
}

static void sha1_hex(char *out, const char *s, size_t len) {
    unsigned char d[SHA1_DIGEST_BYTES];
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, s, len);
    sha1_final(&ctx, d);
    for (int i = 0; i < SHA1_DIGEST_BYTES; i++) snprintf(out + i * 2, 3, "%02x", d[i]);
}

/* ---------------------------------------------------------- shebang */

static int eval_parse_flags(const char *p, size_t len, uint64_t *flags, sds *err) {
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && p[j] != ',') j++;
        uint64_t f;
        if (j > i && script_flag_from_name(p + i, j - i, &f) == -1) {
            *err = sds_cat_printf(sds_new("Unexpected flag in script shebang: "), "%.*s", (int)(j - i), p + i);
            return -1;
        }
        if (j > i) *flags |= f;
        i = j + 1;
    }
    return 0;
}

int eval_parse_shebang(const char *body, size_t len, uint64_t *flags, size_t *body_offset, sds *err) {
    *flags = 0;
    *body_offset = 0;
    *err = NULL;
    if (len < 2 || body[0] != '#' || body[1] != '!') {
        *flags = SCRIPT_FLAG_EVAL_COMPAT_MODE;
        return 0;
    }
    const char *nl = memchr(body, '\n', len);
    if (nl == NULL) {
        /* A shebang must end its line: "#!lua" alone is refused. */
        *err = sds_new("Invalid script shebang");
        return -1;
    }
    size_t line_len = (size_t)(nl - body);
    *body_offset = line_len;
    /* "#!<engine> [name=..] [flags=a,b]" */
    size_t i = 2, j;
    while (i < line_len && body[i] == ' ') i++;
    j = i;
    while (j < line_len && body[j] != ' ') j++;
    if (j - i != 3 || strncasecmp(body + i, "lua", 3) != 0) {
        *err = sds_cat_printf(sds_new("Unexpected engine in script shebang: "), "%.*s", (int)line_len, body);
        return -1;
    }
    for (i = j; i < line_len; i = j) {
        while (i < line_len && body[i] == ' ') i++;
        if (i >= line_len) break;
        j = i;
        while (j < line_len && body[j] != ' ') j++;
        if (j - i >= 6 && memcmp(body + i, "flags=", 6) == 0) {
            if (eval_parse_flags(body + i + 6, j - i - 6, flags, err) == -1) return -1;
        } else {
            *err = sds_cat_printf(sds_new("Unknown lua shebang option: "), "%.*s", (int)(j - i), body + i);
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------- cache */

/* The cached script of sha (40 hex digits, any case), or NULL. */
static eval_script *eval_find(const char *sha, size_t len, char *lower) {
    if (len != SHA1_HEX_LEN) return NULL;
    for (int i = 0; i < SHA1_HEX_LEN; i++) lower[i] = (char)tolower((unsigned char)sha[i]);
    lower[SHA1_HEX_LEN] = '\0';
    /* The same script runs again and again (and its flags are asked for
     * before it runs): the last one found is remembered. */
    if (last_found && memcmp(last_found_sha, lower, SHA1_HEX_LEN) == 0) return last_found;
    sds key = sds_new_len(lower, SHA1_HEX_LEN);
    eval_script *es = dict_fetch_value(eval_scripts, key);
    sds_free(key);
    if (es) {
        memcpy(last_found_sha, lower, SHA1_HEX_LEN);
        last_found = es;
    }
    return es;
}

/* Compiles body into the cache (if new) and fills sha. Returns the entry,
 * or NULL after replying the error to c. */
static eval_script *eval_create(client *c, const char *body, size_t len, char *sha) {
    sha1_hex(sha, body, len);
    eval_script *es = eval_find(sha, SHA1_HEX_LEN, sha);
    if (es) return es;
    uint64_t flags;
    size_t off;
    sds err;
    if (eval_parse_shebang(body, len, &flags, &off, &err) == -1) {
        reply_error(c, err);
        sds_free(err);
        return NULL;
    }
    if (script_lua_compile(eval_lua, body + off, len - off, "@user_script", &err) == -1) {
        reply_error_format(c, "Error compiling script (new function): %s", err);
        sds_free(err);
        return NULL;
    }
    char name[SHA1_HEX_LEN + 3] = "f_";
    memcpy(name + 2, sha, SHA1_HEX_LEN + 1);
    lua_setfield(eval_lua, LUA_REGISTRYINDEX, name);
    es = zmalloc(sizeof(*es));
    es->body = sds_new_len(body, len);
    es->flags = flags;
    dict_add(eval_scripts, sds_new_len(sha, SHA1_HEX_LEN), es);
    eval_scripts_bytes += (long long)len + EVAL_SCRIPT_OVERHEAD_BYTES;
    return es;
}

/* ---------------------------------------------------------- commands */

static void eval_generic(client *c, int evalsha, int ro) {
    if (server.monitor_count) admin_feed_monitors_now(c);
    long long numkeys;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &numkeys)) {
        reply_error_not_integer(c);
        return;
    }
    if (numkeys > c->argc - 3) {
        reply_error(c, "Number of keys can't be greater than number of args");
        return;
    }
    if (numkeys < 0) {
        reply_error(c, "Number of keys can't be negative");
        return;
    }
    char sha[SHA1_HEX_LEN + 1];
    eval_script *es;
    if (evalsha) {
        if (script_debug_refuse_evalsha(c)) return;
        es = eval_find(c->argv[1], sds_len(c->argv[1]), sha);
        if (es == NULL) {
            reply_error(c, "-NOSCRIPT No matching script. Please use EVAL.");
            return;
        }
    } else {
        es = eval_create(c, c->argv[1], sds_len(c->argv[1]), sha);
        if (es == NULL) return;
    }
    script_run r;
    if (script_prepare(&r, c, script_client, sha, es->flags, ro, 0) == -1) return;
    char name[SHA1_HEX_LEN + 3] = "f_";
    memcpy(name + 2, sha, SHA1_HEX_LEN + 1);
    lua_getfield(eval_lua, LUA_REGISTRYINDEX, name);
    if (script_debug_requested(c))
        script_debug_eval(eval_lua, &r, es->body, sds_len(es->body), c->argv + 3, (int)numkeys,
                          c->argv + 3 + numkeys, c->argc - 3 - (int)numkeys);
    else
        script_lua_call(eval_lua, &r, c->argv + 3, (int)numkeys, c->argv + 3 + numkeys, c->argc - 3 - (int)numkeys, 1);
    script_reset(&r);
    /* The script's commands propagated themselves. */
    prop_prevent(c);
}

static void eval_command(client *c) {
    eval_generic(c, 0, 0);
}

static void evalsha_command(client *c) {
    eval_generic(c, 1, 0);
}

static void eval_ro_command(client *c) {
    eval_generic(c, 0, 1);
}

static void evalsha_ro_command(client *c) {
    eval_generic(c, 1, 1);
}

static void script_load_command(client *c) {
    char sha[SHA1_HEX_LEN + 1];
    if (eval_create(c, c->argv[2], sds_len(c->argv[2]), sha) == NULL) return;
    reply_bulk(c, sha, SHA1_HEX_LEN);
}

static void script_exists_command(client *c) {
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        char sha[SHA1_HEX_LEN + 1];
        reply_integer(c, eval_find(c->argv[i], sds_len(c->argv[i]), sha) != NULL);
    }
}

static void script_flush_command(client *c) {
    if (c->argc > 3 ||
        (c->argc == 3 && strcasecmp(c->argv[2], "sync") != 0 && strcasecmp(c->argv[2], "async") != 0)) {
        reply_error(c, "SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    /* ASYNC frees the same way: the state is small next to a keyspace. */
    eval_flush();
    reply_ok(c);
}

static void script_kill_command(client *c) {
    script_kill(c, 0);
}

static void script_help_command(client *c) {
    static const char *help[] = {
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        NULL};
    reply_help(c, help);
}

/* ---------------------------------------------------------- table */

#define EVAL_KEY_SPEC(ksflags, note)                                                                             \
    .key_specs = {{.flags = (ksflags), .notes = (note), .begin_index = 2, .keynum = 1, .keynumidx = 0,             \
                   .firstkey = 1, .keystep = 1}}
#define EVAL_FLAGS (CMD_NOSCRIPT | CMD_STALE | CMD_SKIP_MONITOR | CMD_NO_MANDATORY_KEYS | CMD_MOVABLE_KEYS)
#define EVAL_RW_NOTE "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"
#define EVAL_RO_NOTE "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"
#define SCRIPT_SUB(nm, fn, ar, fl, tip, sum, ver)                                                                  \
    {.name = nm, .proc = fn, .arity = ar, .flags = fl, .acl = ACL_SCRIPTING, .tips = tip, .group = "scripting", \
     .since = ver, .summary = sum}

/* In Redis's order (COMMAND INFO lists them so); DEBUG goes after
 * EXISTS. Complexities differ per subcommand: the generated command_docs_*.c give them. */
static redis_command script_subcommands[] = {
    SCRIPT_SUB("help", script_help_command, 2, CMD_LOADING | CMD_STALE, NULL, "Show helpful text about the different subcommands", "5.0.0"),
    SCRIPT_SUB("exists", script_exists_command, -3, CMD_NOSCRIPT,
               "request_policy:all_shards response_policy:agg_logical_and",
               "Check existence of scripts in the script cache.", "2.6.0"),
    SCRIPT_SUB("debug", script_debug_command, 3, CMD_NOSCRIPT, NULL,
               "Set the debug mode for executed scripts.", "3.2.0"),
    SCRIPT_SUB("load", script_load_command, 3, CMD_NOSCRIPT | CMD_STALE, ALL_NODES_OK,
               "Load the specified Lua script into the script cache.", "2.6.0"),
    SCRIPT_SUB("flush", script_flush_command, -2, CMD_NOSCRIPT, ALL_NODES_OK,
               "Remove all the scripts from the script cache.", "2.6.0"),
    SCRIPT_SUB("kill", script_kill_command, 2, CMD_NOSCRIPT | CMD_ALLOW_BUSY,
               "request_policy:all_shards response_policy:one_succeeded",
               "Kill the script currently in execution.", "2.6.0"),
    {0}};

redis_command eval_commands[] = {
    {.name = "eval", .proc = eval_command, .arity = -3, .flags = EVAL_FLAGS, .acl = ACL_SCRIPTING,
     EVAL_KEY_SPEC(KS_RW | KS_ACCESS | KS_UPDATE, EVAL_RW_NOTE), .group = "scripting", .since = "2.6.0",
     .summary = "Execute a Lua script server side", .complexity = "Depends on the script that is executed."},
    {.name = "evalsha", .proc = evalsha_command, .arity = -3, .flags = EVAL_FLAGS, .acl = ACL_SCRIPTING,
     EVAL_KEY_SPEC(KS_RW | KS_ACCESS | KS_UPDATE, NULL), .group = "scripting", .since = "2.6.0",
     .summary = "Execute a Lua script server side", .complexity = "Depends on the script that is executed."},
    {.name = "eval_ro", .proc = eval_ro_command, .arity = -3, .flags = EVAL_FLAGS | CMD_READONLY,
     .acl = ACL_SCRIPTING, EVAL_KEY_SPEC(KS_RO | KS_ACCESS, EVAL_RO_NOTE), .group = "scripting", .since = "7.0.0",
     .summary = "Execute a read-only Lua script server side",
     .complexity = "Depends on the script that is executed."},
    {.name = "evalsha_ro", .proc = evalsha_ro_command, .arity = -3, .flags = EVAL_FLAGS | CMD_READONLY,
     .acl = ACL_SCRIPTING, EVAL_KEY_SPEC(KS_RO | KS_ACCESS, NULL), .group = "scripting", .since = "7.0.0",
     .summary = "Execute a read-only Lua script server side",
     .complexity = "Depends on the script that is executed."},
    {.name = "script", .arity = -2, .group = "scripting", .since = "2.6.0",
     .summary = "A container for Lua scripts management commands", .complexity = "Depends on subcommand.",
     .subcommands = script_subcommands},
    {0}};
