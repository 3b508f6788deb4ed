/* function_cmd.c -- FUNCTION LOAD/DELETE/LIST/DUMP/RESTORE/FLUSH/STATS/
 * KILL/HELP and FCALL/FCALL_RO, with Redis 7.0's replies and error texts.
 *
 * Changes go through the registry's scratch-set-and-merge (function.c), so
 * a refused command changes nothing. A command that changed the registry
 * moves the dirty counter, which propagates its own argv to the effects
 * stream (the AOF, replicas), as Redis 7.0 propagates these commands. */
#include <string.h>
#include <strings.h>

#include "config.h"
#include "db.h"
#include "function_int.h"
#include "monotonic.h"
#include "reply.h"
#include "script.h"
#include "util.h"

/* FUNCTION STATS's running_script: the call in progress. */
static struct {
    client *caller;
    long long start_ms;
} run_state;

/* FUNCTION LOAD [REPLACE] code */
/* Redis's reply when a subcommand got more arguments than it takes. */
static void function_reply_bad_args(client *c) {
    reply_error_format(c, "unknown subcommand or wrong number of arguments for '%s'. Try FUNCTION HELP.",
                       c->argv[1]);
}

static void function_load_command(client *c) {
    int replace = 0;
    for (int i = 2; i < c->argc - 1; i++) {
        if (strcasecmp(c->argv[i], "replace") == 0) {
            replace = 1;
            continue;
        }
        reply_error_format(c, "Unknown option given: %s", c->argv[i]);
        return;
    }
    sds code = c->argv[c->argc - 1];
    sds err = NULL;
    fn_libset *scratch = fn_libset_new();
    const char *name = fn_compile(scratch, fn_current(), replace, code, sds_len(code), &err);
    if (name == NULL) {
        fn_libset_free(scratch);
        reply_error(c, err);
        sds_free(err);
        return;
    }
    sds lib_name = sds_new(name);
    if (fn_merge(fn_current(), scratch, replace, &err) == -1) {
        reply_error(c, err);
        sds_free(err);
        sds_free(lib_name);
        return;
    }
    db_dirty(1);
    reply_bulk_sds(c, lib_name);
    sds_free(lib_name);
}

static void function_delete_command(client *c) {
    if (fn_libset_delete(fn_current(), c->argv[2]) == -1) {
        reply_error(c, "Library not found");
        return;
    }
    db_dirty(1);
    reply_ok(c);
}

static void function_list_one(client *c, fn_library *lib, int with_code) {
    reply_map_len(c, with_code ? 4 : 3);
    reply_bulk_cstr(c, "library_name");
    reply_bulk_sds(c, lib->name);
    reply_bulk_cstr(c, "engine");
    reply_bulk_cstr(c, lib->engine->name);
    reply_bulk_cstr(c, "functions");
    reply_array_len(c, (long)dict_size(lib->functions));
    dict_iterator it;
    dict_init_iterator(&it, lib->functions);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        fn_function *f = dict_get_val(de);
        reply_map_len(c, 3);
        reply_bulk_cstr(c, "name");
        reply_bulk_sds(c, f->name);
        reply_bulk_cstr(c, "description");
        if (f->desc)
            reply_bulk_sds(c, f->desc);
        else
            reply_null(c);
        reply_bulk_cstr(c, "flags");
        const char *names[8];
        int n = fn_flag_names(f->flags, names);
        reply_set_len(c, n);
        for (int i = 0; i < n; i++) reply_status(c, names[i]);
    }
    dict_reset_iterator(&it);
    if (with_code) {
        reply_bulk_cstr(c, "library_code");
        reply_bulk_sds(c, lib->code);
    }
}

/* FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] */
static void function_list_command(client *c) {
    int with_code = 0;
    const char *pattern = NULL;
    for (int i = 2; i < c->argc; i++) {
        if (!with_code && strcasecmp(c->argv[i], "withcode") == 0) {
            with_code = 1;
            continue;
        }
        if (!pattern && strcasecmp(c->argv[i], "libraryname") == 0) {
            if (i == c->argc - 1) {
                reply_error(c, "library name argument was not given");
                return;
            }
            pattern = c->argv[++i];
            continue;
        }
        reply_error_format(c, "Unknown argument %s", c->argv[i]);
        return;
    }
    fn_libset *s = fn_current();
    void *len = reply_deferred_len(c);
    long n = 0;
    dict_iterator it;
    dict_init_iterator(&it, s->libraries);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        fn_library *lib = dict_get_val(de);
        if (pattern && !string_match_len(pattern, (int)strlen(pattern), lib->name, (int)sds_len(lib->name), 1))
            continue;
        function_list_one(c, lib, with_code);
        n++;
    }
    dict_reset_iterator(&it);
    reply_set_deferred_array_len(c, len, n);
}

static void function_dump_command(client *c) {
    sds payload = fn_dump_payload();
    reply_bulk_sds(c, payload);
    sds_free(payload);
}

/* FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] */
static void function_restore_command(client *c) {
    if (c->argc > 4) {
        function_reply_bad_args(c);
        return;
    }
    enum { POLICY_APPEND, POLICY_REPLACE, POLICY_FLUSH } policy = POLICY_APPEND;
    if (c->argc == 4) {
        if (strcasecmp(c->argv[3], "flush") == 0) {
            policy = POLICY_FLUSH;
        } else if (strcasecmp(c->argv[3], "append") == 0) {
            policy = POLICY_APPEND;
        } else if (strcasecmp(c->argv[3], "replace") == 0) {
            policy = POLICY_REPLACE;
        } else {
            reply_error(c, "Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
            return;
        }
    }
    sds err = NULL;
    fn_libset *s = fn_restore_payload(c->argv[2], sds_len(c->argv[2]), &err);
    if (s == NULL) {
        reply_error(c, err);
        sds_free(err);
        return;
    }
    if (policy == POLICY_FLUSH) {
        fn_set_current(s);
    } else if (fn_merge(fn_current(), s, policy == POLICY_REPLACE, &err) == -1) {
        reply_error(c, err);
        sds_free(err);
        return;
    }
    db_dirty(1);
    reply_ok(c);
}

/* FUNCTION FLUSH [ASYNC|SYNC]: the registry is small, so ASYNC frees in
 * place too (the reply is the same). */
static void function_flush_command(client *c) {
    if (c->argc > 3) {
        function_reply_bad_args(c);
        return;
    }
    if (c->argc == 3 && strcasecmp(c->argv[2], "sync") != 0 && strcasecmp(c->argv[2], "async") != 0) {
        reply_error(c, "FUNCTION FLUSH only supports SYNC|ASYNC option");
        return;
    }
    fn_flush_all();
    db_dirty(1);
    reply_ok(c);
}

static void function_stats_command(client *c) {
    /* While an EVAL script runs too long, Redis answers STATS with BUSY. */
    script_run *sr = script_current();
    if (sr && !sr->is_function) {
        reply_error(c, "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
        return;
    }
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "running_script");
    const fn_function *f = fn_running();
    if (f == NULL || run_state.caller == NULL) {
        reply_null(c);
    } else {
        reply_map_len(c, 3);
        reply_bulk_cstr(c, "name");
        reply_bulk_sds(c, f->name);
        reply_bulk_cstr(c, "command");
        reply_array_len(c, run_state.caller->argc);
        for (int i = 0; i < run_state.caller->argc; i++) reply_bulk_sds(c, run_state.caller->argv[i]);
        reply_bulk_cstr(c, "duration_ms");
        reply_integer(c, mstime() - run_state.start_ms);
    }
    reply_bulk_cstr(c, "engines");
    fn_libset *s = fn_current();
    reply_map_len(c, fn_engine_count());
    for (int i = 0; i < fn_engine_count(); i++) {
        reply_bulk_cstr(c, fn_engine_at(i)->name);
        reply_map_len(c, 2);
        reply_bulk_cstr(c, "libraries_count");
        reply_integer(c, (long long)dict_size(s->libraries));
        reply_bulk_cstr(c, "functions_count");
        reply_integer(c, (long long)dict_size(s->functions));
    }
}

/* Every engine runs under the one running-script state (script.h), so
 * the first engine's kill serves them all. */
static void function_kill_command(client *c) {
    const fn_engine *e = fn_engine_count() > 0 ? fn_engine_at(0) : NULL;
    if (e == NULL || e->kill == NULL) {
        reply_error(c, "-NOTBUSY No scripts in execution right now.");
        return;
    }
    e->kill(c);
}

static void function_help_command(client *c) {
    static const char *help[] = {
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION "
        "RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        NULL};
    reply_help(c, help);
}

/* FCALL / FCALL_RO function numkeys [key ...] [arg ...] */
static void fcall_generic(client *c, int ro) {
    fn_function *f = dict_fetch_value(fn_current()->functions, c->argv[1]);
    if (f == NULL) {
        reply_error(c, "Function not found");
        return;
    }
    long long numkeys;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &numkeys)) {
        reply_error(c, "Bad number of keys provided");
        return;
    }
    if (numkeys < 0) {
        reply_error(c, "Number of keys can't be negative");
        return;
    }
    if (numkeys > c->argc - 3) {
        reply_error(c, "Number of keys can't be greater than number of args");
        return;
    }
    if (ro && !(f->flags & FN_FLAG_NO_WRITES)) {
        reply_error(c, "Can not execute a script with write flag using *_ro command.");
        return;
    }
    const fn_function *outer = fn_running();
    client *outer_caller = run_state.caller;
    long long outer_start = run_state.start_ms;
    fn_set_running(f);
    run_state.caller = c;
    run_state.start_ms = mstime();
    f->lib->engine->call(c, f, (int)numkeys, c->argv + 3, c->argc - 3 - (int)numkeys, c->argv + 3 + numkeys, ro);
    fn_set_running(outer);
    run_state.caller = outer_caller;
    run_state.start_ms = outer_start;
}

static void fcall_command(client *c) { fcall_generic(c, 0); }
static void fcall_ro_command(client *c) { fcall_generic(c, 1); }

#define FN_SHARDS_TIPS "request_policy:all_shards response_policy:all_succeeded"

static redis_command function_subcommands[] = {
    {.name = "load", .proc = function_load_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT,
     .acl = ACL_SCRIPTING, .tips = FN_SHARDS_TIPS, .group = "scripting", .since = "7.0.0",
     .summary = "Create a function with the given arguments (name, code, description)",
     .complexity = "O(1) (considering compilation time is redundant)"},
    {.name = "delete", .proc = function_delete_command, .arity = 3, .flags = CMD_WRITE | CMD_NOSCRIPT,
     .acl = ACL_SCRIPTING, .tips = FN_SHARDS_TIPS, .group = "scripting", .since = "7.0.0",
     .summary = "Delete a function by name", .complexity = "O(1)"},
    {.name = "list", .proc = function_list_command, .arity = -2, .flags = CMD_NOSCRIPT, .acl = ACL_SCRIPTING,
     .tips = "nondeterministic_output_order", .group = "scripting", .since = "7.0.0",
     .summary = "List information about all the functions", .complexity = "O(N) where N is the number of functions"},
    {.name = "dump", .proc = function_dump_command, .arity = 2, .flags = CMD_NOSCRIPT, .acl = ACL_SCRIPTING,
     .group = "scripting", .since = "7.0.0", .summary = "Dump all functions into a serialized binary payload",
     .complexity = "O(N) where N is the number of functions"},
    {.name = "restore", .proc = function_restore_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT, .acl = ACL_SCRIPTING, .tips = FN_SHARDS_TIPS,
     .group = "scripting", .since = "7.0.0", .summary = "Restore all the functions on the given payload",
     .complexity = "O(N) where N is the number of functions on the payload"},
    {.name = "flush", .proc = function_flush_command, .arity = -2, .flags = CMD_WRITE | CMD_NOSCRIPT,
     .acl = ACL_SCRIPTING, .tips = FN_SHARDS_TIPS, .group = "scripting", .since = "7.0.0",
     .summary = "Deleting all functions", .complexity = "O(N) where N is the number of functions deleted"},
    {.name = "stats", .proc = function_stats_command, .arity = 2, .flags = CMD_NOSCRIPT | CMD_ALLOW_BUSY,
     .acl = ACL_SCRIPTING,
     .tips = "nondeterministic_output request_policy:all_shards response_policy:special", .group = "scripting",
     .since = "7.0.0", .summary = "Return information about the function currently running (name, description, "
                                  "duration)", .complexity = "O(1)"},
    {.name = "kill", .proc = function_kill_command, .arity = 2, .flags = CMD_NOSCRIPT | CMD_ALLOW_BUSY,
     .acl = ACL_SCRIPTING, .tips = "request_policy:all_shards response_policy:one_succeeded",
     .group = "scripting", .since = "7.0.0", .summary = "Kill the function currently in execution.",
     .complexity = "O(1)"},
    {.name = "help", .proc = function_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SCRIPTING, .group = "scripting", .since = "7.0.0", .summary = "Show helpful text about the "
                                                                               "different subcommands",
     .complexity = "O(1)"},
    {0}};

redis_command function_commands[] = {
    {.name = "function", .arity = -2, .group = "scripting", .since = "7.0.0",
     .summary = "A container for function commands", .complexity = "Depends on subcommand.",
     .subcommands = function_subcommands},
    {.name = "fcall", .proc = fcall_command, .arity = -3,
     .flags = CMD_NOSCRIPT | CMD_STALE | CMD_SKIP_MONITOR | CMD_NO_MANDATORY_KEYS | CMD_MOVABLE_KEYS,
     .acl = ACL_SCRIPTING,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_UPDATE, .begin_index = 2, .keynum = 1, .keynumidx = 0,
                    .firstkey = 1, .keystep = 1,
                    .notes = "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"}},
     .group = "scripting", .since = "7.0.0", .summary = "Invoke a function",
     .complexity = "Depends on the function that is executed."},
    {.name = "fcall_ro", .proc = fcall_ro_command, .arity = -3,
     .flags = CMD_READONLY | CMD_NOSCRIPT | CMD_STALE | CMD_SKIP_MONITOR | CMD_NO_MANDATORY_KEYS |
              CMD_MOVABLE_KEYS,
     .acl = ACL_SCRIPTING,
     .key_specs = {{.flags = KS_RO | KS_ACCESS, .begin_index = 2, .keynum = 1, .keynumidx = 0, .firstkey = 1,
                    .keystep = 1,
                    .notes = "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"}},
     .group = "scripting", .since = "7.0.0", .summary = "Invoke a read-only function",
     .complexity = "Depends on the function that is executed."},
    {0}};
