/* cmd_introspect.c -- COMMAND and its subcommands: what the table says
 * about each command, in the shapes Redis 7.0 replies with.
 *
 * Reads the command table only through commands.h; writes nothing but
 * replies. Key positions come from the table's legacy triple, the same
 * data COMMAND INFO reports, so the two can never disagree. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command_docs.h"
#include "commands.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

/* CMD_MAY_REPLICATE has no name here: Redis 7.0's COMMAND INFO does not
 * show it (PFCOUNT, PUBLISH carry it unseen). */
static const struct { uint64_t bit; const char *name; } cmd_flag_names[] = {
    {CMD_WRITE, "write"},         {CMD_READONLY, "readonly"},     {CMD_DENYOOM, "denyoom"},
    {CMD_ADMIN, "admin"},         {CMD_PUBSUB, "pubsub"},         {CMD_NOSCRIPT, "noscript"},
    {CMD_BLOCKING, "blocking"},   {CMD_LOADING, "loading"},       {CMD_STALE, "stale"},
    {CMD_SKIP_MONITOR, "skip_monitor"}, {CMD_SKIP_SLOWLOG, "skip_slowlog"}, {CMD_ASKING, "asking"},
    {CMD_FAST, "fast"},           {CMD_NO_AUTH, "no_auth"},
    {CMD_NO_MANDATORY_KEYS, "no_mandatory_keys"}, {CMD_NO_ASYNC_LOADING, "no_async_loading"},
    {CMD_NO_MULTI, "no_multi"},   {CMD_MOVABLE_KEYS, "movablekeys"}, {CMD_ALLOW_BUSY, "allow_busy"},
};

static const char *acl_names[] = {
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
    "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
    "transaction", "scripting",
};

static const struct { int bit; const char *name; } ks_flag_names[] = {
    {KS_RO, "RO"}, {KS_RW, "RW"}, {KS_OW, "OW"}, {KS_RM, "RM"}, {KS_ACCESS, "access"},
    {KS_UPDATE, "update"}, {KS_INSERT, "insert"}, {KS_DELETE, "delete"}, {KS_NOT_KEY, "not_key"},
    {KS_INCOMPLETE, "incomplete"}, {KS_VARIABLE_FLAGS, "variable_flags"},
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void reply_flag_set(client *c, const redis_command *cmd) {
    long n = 0;
    for (size_t i = 0; i < ARRAY_LEN(cmd_flag_names); i++)
        if (cmd->flags & cmd_flag_names[i].bit) n++;
    reply_set_len(c, n);
    for (size_t i = 0; i < ARRAY_LEN(cmd_flag_names); i++)
        if (cmd->flags & cmd_flag_names[i].bit) reply_status(c, cmd_flag_names[i].name);
}

static void reply_acl_set(client *c, const redis_command *cmd) {
    long n = 0;
    for (size_t i = 0; i < ARRAY_LEN(acl_names); i++)
        if (cmd->acl & (1ULL << i)) n++;
    reply_set_len(c, n);
    for (size_t i = 0; i < ARRAY_LEN(acl_names); i++) {
        if (!(cmd->acl & (1ULL << i))) continue;
        char buf[32];
        buf[0] = '@';
        strcpy(buf + 1, acl_names[i]);
        reply_status(c, buf);
    }
}

static void reply_tips(client *c, const redis_command *cmd) {
    if (cmd->tips == NULL) {
        reply_set_len(c, 0);
        return;
    }
    int n;
    sds *tips = sds_split_len(cmd->tips, (ssize_t)strlen(cmd->tips), " ", 1, &n);
    reply_set_len(c, n);
    for (int i = 0; i < n; i++) reply_bulk_sds(c, tips[i]);
    sds_free_split_res(tips, n);
}

static void reply_ks_flags(client *c, int flags) {
    long n = 0;
    for (size_t i = 0; i < ARRAY_LEN(ks_flag_names); i++)
        if (flags & ks_flag_names[i].bit) n++;
    reply_set_len(c, n);
    for (size_t i = 0; i < ARRAY_LEN(ks_flag_names); i++)
        if (flags & ks_flag_names[i].bit) reply_status(c, ks_flag_names[i].name);
}

static void reply_int_field(client *c, const char *name, long long v) {
    reply_bulk_cstr(c, name);
    reply_integer(c, v);
}

static void reply_key_spec(client *c, const key_spec *ks) {
    reply_map_len(c, ks->notes ? 4 : 3);
    if (ks->notes) {
        reply_bulk_cstr(c, "notes");
        reply_bulk_cstr(c, ks->notes);
    }
    reply_bulk_cstr(c, "flags");
    reply_ks_flags(c, ks->flags);
    if (ks->unknown) {
        /* Redis prints both searches as type "unknown" with an empty spec. */
        for (int i = 0; i < 2; i++) {
            reply_bulk_cstr(c, i ? "find_keys" : "begin_search");
            reply_map_len(c, 2);
            reply_bulk_cstr(c, "type");
            reply_bulk_cstr(c, "unknown");
            reply_bulk_cstr(c, "spec");
            reply_map_len(c, 0);
        }
        return;
    }
    reply_bulk_cstr(c, "begin_search");
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "type");
    if (ks->bs_keyword) {
        reply_bulk_cstr(c, "keyword");
        reply_bulk_cstr(c, "spec");
        reply_map_len(c, 2);
        reply_bulk_cstr(c, "keyword");
        reply_bulk_cstr(c, ks->bs_keyword);
        reply_int_field(c, "startfrom", ks->bs_startfrom);
    } else {
        reply_bulk_cstr(c, "index");
        reply_bulk_cstr(c, "spec");
        reply_map_len(c, 1);
        reply_int_field(c, "index", ks->begin_index);
    }
    reply_bulk_cstr(c, "find_keys");
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "type");
    reply_bulk_cstr(c, ks->keynum ? "keynum" : "range");
    reply_bulk_cstr(c, "spec");
    reply_map_len(c, 3);
    if (ks->keynum) {
        reply_int_field(c, "keynumidx", ks->keynumidx);
        reply_int_field(c, "firstkey", ks->firstkey);
        reply_int_field(c, "keystep", ks->keystep);
    } else {
        reply_int_field(c, "lastkey", ks->lastkey);
        reply_int_field(c, "keystep", ks->keystep);
        reply_int_field(c, "limit", ks->limit);
    }
}

static int key_spec_count(const redis_command *cmd) {
    int n = 0;
    while (n < CMD_MAX_KEY_SPECS && cmd->key_specs[n].flags) n++;
    return n;
}

static void reply_command_info(client *c, const redis_command *cmd) {
    reply_array_len(c, 10);
    reply_bulk_cstr(c, cmd->fullname);
    reply_integer(c, cmd->arity);
    reply_flag_set(c, cmd);
    reply_integer(c, cmd->first_key);
    reply_integer(c, cmd->last_key);
    reply_integer(c, cmd->key_step);
    reply_acl_set(c, cmd);
    reply_tips(c, cmd);
    int nspecs = key_spec_count(cmd);
    reply_set_len(c, nspecs);
    for (int i = 0; i < nspecs; i++) reply_key_spec(c, &cmd->key_specs[i]);
    if (cmd->subcommands) {
        long n = 0;
        while (cmd->subcommands[n].name) n++;
        reply_array_len(c, n);
        for (long i = 0; i < n; i++) reply_command_info(c, &cmd->subcommands[i]);
    } else {
        reply_set_len(c, 0);
    }
}

static void count_top(redis_command *cmd, void *ctx) {
    if (cmd->parent == NULL) (*(long *)ctx)++;
}

static void reply_top_info(redis_command *cmd, void *ctx) {
    if (cmd->parent == NULL) reply_command_info(ctx, cmd);
}

static void command_command(client *c) {
    long n = 0;
    cmd_foreach(count_top, &n);
    reply_array_len(c, n);
    cmd_foreach(reply_top_info, c);
}

static void command_count_command(client *c) {
    reply_integer(c, (long long)cmd_count());
}

/* Finds "name" or "container|sub". */
static redis_command *lookup_full(const char *name) {
    const char *bar = strchr(name, '|');
    if (bar == NULL) return cmd_lookup(name, strlen(name));
    redis_command *parent = cmd_lookup(name, (size_t)(bar - name));
    if (parent == NULL || parent->subcommands == NULL) return NULL;
    return cmd_lookup_subcommand(parent, bar + 1);
}

static void command_info_command(client *c) {
    if (c->argc == 2) {
        command_command(c);
        return;
    }
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        redis_command *cmd = lookup_full(c->argv[i]);
        if (cmd) reply_command_info(c, cmd);
        else reply_null(c);
    }
}

/* The generated docs are sorted by full name (strcmp order). */
static int doc_cmp(const void *key, const void *elem) {
    return strcmp(key, ((const cmd_doc *)elem)->fullname);
}

const cmd_doc *command_doc_find(const char *fullname) {
    const cmd_doc *d = bsearch(fullname, command_docs_a_k, command_docs_a_k_count, sizeof(cmd_doc), doc_cmp);
    if (d == NULL) d = bsearch(fullname, command_docs_l_z, command_docs_l_z_count, sizeof(cmd_doc), doc_cmp);
    if (d == NULL)
        d = bsearch(fullname, command_docs_minired, command_docs_minired_count, sizeof(cmd_doc), doc_cmp);
    return d;
}

static void reply_field(client *c, const char *name, const char *value) {
    reply_bulk_cstr(c, name);
    reply_bulk_cstr(c, value);
}

static void reply_doc_args(client *c, const cmd_doc_arg *args, int n) {
    reply_array_len(c, n);
    for (int i = 0; i < n; i++) {
        const cmd_doc_arg *a = &args[i];
        long fields = 2 + (a->key_spec_index >= 0) + (a->token != NULL) + (a->summary != NULL) +
                      (a->since != NULL) + (a->deprecated_since != NULL) + (a->flags != 0) +
                      (a->value != NULL) + (a->args != NULL);
        reply_map_len(c, fields);
        reply_field(c, "name", a->name);
        reply_field(c, "type", a->type);
        if (a->key_spec_index >= 0) reply_int_field(c, "key_spec_index", a->key_spec_index);
        if (a->token) reply_field(c, "token", a->token);
        if (a->summary) reply_field(c, "summary", a->summary);
        if (a->since) reply_field(c, "since", a->since);
        if (a->deprecated_since) reply_field(c, "deprecated_since", a->deprecated_since);
        if (a->flags) {
            static const char *names[] = {"optional", "multiple", "multiple_token"};
            reply_bulk_cstr(c, "flags");
            reply_set_len(c, __builtin_popcount((unsigned)a->flags));
            for (int b = 0; b < 3; b++)
                if (a->flags & (1 << b)) reply_status(c, names[b]);
        }
        if (a->value) reply_field(c, "value", a->value);
        if (a->args) {
            reply_bulk_cstr(c, "arguments");
            reply_doc_args(c, a->args, a->nargs);
        }
    }
}

/* The table's own fields come first (a diffcheck case proves they agree
 * with Redis's); the generated docs add what the table lacks: doc flags,
 * history, arguments. A minired-only command shows its table fields. */
static void reply_command_docs(client *c, const redis_command *cmd) {
    const cmd_doc *doc = command_doc_find(cmd->fullname);
    const char *summary = cmd->summary ? cmd->summary : doc ? doc->summary : NULL;
    const char *since = cmd->since ? cmd->since : doc ? doc->since : NULL;
    const char *group = cmd->group ? cmd->group : doc ? doc->group : NULL;
    const char *complexity = cmd->complexity ? cmd->complexity : doc ? doc->complexity : NULL;
    const char *dep_since = cmd->deprecated_since ? cmd->deprecated_since : doc ? doc->deprecated_since : NULL;
    const char *replaced_by = cmd->replaced_by ? cmd->replaced_by : doc ? doc->replaced_by : NULL;
    int doc_flags = doc ? doc->doc_flags : (dep_since ? DOC_DEPRECATED : 0);
    long fields = (summary != NULL) + (since != NULL) + (group != NULL) + (complexity != NULL) +
                  (doc_flags != 0) + (dep_since != NULL) + (replaced_by != NULL) +
                  (doc && doc->nhistory) + (doc && doc->nargs) + (cmd->subcommands != NULL);
    reply_map_len(c, fields);
    if (summary) reply_field(c, "summary", summary);
    if (since) reply_field(c, "since", since);
    if (group) reply_field(c, "group", group);
    if (complexity) reply_field(c, "complexity", complexity);
    if (doc_flags) {
        reply_bulk_cstr(c, "doc_flags");
        reply_set_len(c, __builtin_popcount((unsigned)doc_flags));
        if (doc_flags & DOC_DEPRECATED) reply_status(c, "deprecated");
        if (doc_flags & DOC_SYSCMD) reply_status(c, "syscmd");
    }
    if (dep_since) reply_field(c, "deprecated_since", dep_since);
    if (replaced_by) reply_field(c, "replaced_by", replaced_by);
    if (doc && doc->nhistory) {
        reply_bulk_cstr(c, "history");
        reply_set_len(c, doc->nhistory);
        for (int i = 0; i < doc->nhistory; i++) {
            reply_array_len(c, 2);
            reply_bulk_cstr(c, doc->history[2 * i]);
            reply_bulk_cstr(c, doc->history[2 * i + 1]);
        }
    }
    if (doc && doc->nargs) {
        reply_bulk_cstr(c, "arguments");
        reply_doc_args(c, doc->args, doc->nargs);
    }
    if (cmd->subcommands) {
        long n = 0;
        while (cmd->subcommands[n].name) n++;
        reply_bulk_cstr(c, "subcommands");
        reply_map_len(c, n);
        for (long i = 0; i < n; i++) {
            reply_bulk_cstr(c, cmd->subcommands[i].fullname);
            reply_command_docs(c, &cmd->subcommands[i]);
        }
    }
}

struct docs_ctx { client *c; long n; };

static void reply_top_docs(redis_command *cmd, void *ctx) {
    struct docs_ctx *d = ctx;
    if (cmd->parent) return;
    if (d->c) {
        reply_bulk_cstr(d->c, cmd->name);
        reply_command_docs(d->c, cmd);
    }
    d->n++;
}

static void command_docs_command(client *c) {
    if (c->argc == 2) {
        struct docs_ctx d = {NULL, 0};
        cmd_foreach(reply_top_docs, &d);
        reply_map_len(c, d.n);
        d.c = c;
        cmd_foreach(reply_top_docs, &d);
        return;
    }
    void *len = reply_deferred_len(c);
    long found = 0;
    for (int i = 2; i < c->argc; i++) {
        redis_command *cmd = lookup_full(c->argv[i]);
        if (cmd == NULL) continue;
        reply_bulk_cstr(c, cmd->fullname);
        reply_command_docs(c, cmd);
        found++;
    }
    reply_set_deferred_map_len(c, len, found);
}

struct list_ctx { client *c; int filter; const char *arg; long n; };
enum { LIST_ALL, LIST_ACLCAT, LIST_PATTERN, LIST_MODULE };

static int list_matches(const struct list_ctx *l, const redis_command *cmd) {
    switch (l->filter) {
    case LIST_ACLCAT:
        for (size_t i = 0; i < ARRAY_LEN(acl_names); i++)
            if (strcasecmp(l->arg, acl_names[i]) == 0) return (cmd->acl & (1ULL << i)) != 0;
        return 0;
    case LIST_PATTERN: return string_match(l->arg, cmd->fullname, 1);
    case LIST_MODULE: return 0;
    }
    return 1;
}

static void list_one(redis_command *cmd, void *ctx) {
    struct list_ctx *l = ctx;
    if (!list_matches(l, cmd)) return;
    if (l->c) reply_bulk_cstr(l->c, cmd->fullname);
    l->n++;
}

static void command_list_command(client *c) {
    struct list_ctx l = {NULL, LIST_ALL, NULL, 0};
    if (c->argc == 5 && strcasecmp(c->argv[2], "filterby") == 0) {
        if (strcasecmp(c->argv[3], "aclcat") == 0) l.filter = LIST_ACLCAT;
        else if (strcasecmp(c->argv[3], "pattern") == 0) l.filter = LIST_PATTERN;
        else if (strcasecmp(c->argv[3], "module") == 0) l.filter = LIST_MODULE;
        else {
            reply_error_syntax(c);
            return;
        }
        l.arg = c->argv[4];
    } else if (c->argc != 2) {
        reply_error_syntax(c);
        return;
    }
    cmd_foreach(list_one, &l);
    reply_array_len(c, l.n);
    l.c = c;
    l.n = 0;
    cmd_foreach(list_one, &l);
}

/* Shared by GETKEYS and GETKEYSANDFLAGS. */
static void getkeys(client *c, int with_flags) {
    redis_command *cmd = cmd_lookup_sds(c->argv[2]);
    int argc = c->argc - 2;
    sds *argv = c->argv + 2;
    if (cmd && cmd->subcommands && argc >= 2) cmd = cmd_lookup_subcommand(cmd, argv[1]);
    if (cmd == NULL) {
        reply_error(c, "Invalid command specified");
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        reply_error(c, "Invalid number of arguments specified for command");
        return;
    }
    /* Specs flagged not_key (SSUBSCRIBE's shard channels) name no key:
     * Redis leaves them out here, and a command with only those has none. */
    int nspecs = 0;
    for (int s = 0; s < key_spec_count(cmd); s++)
        if (!(cmd->key_specs[s].flags & KS_NOT_KEY)) nspecs++;
    int *idx = zmalloc(sizeof(int) * (size_t)argc), *flags = zmalloc(sizeof(int) * (size_t)argc);
    int found = cmd_key_positions(cmd, argv, argc, idx, flags), n = 0;
    /* Arguments the specs cannot read give no keys; Redis's key finders
     * of EVAL and FCALL (no mandatory keys) then answer an empty list. */
    if (found < 0) {
        zfree(idx);
        zfree(flags);
        if (cmd->flags & CMD_NO_MANDATORY_KEYS) reply_array_len(c, 0);
        else reply_error(c, "Invalid arguments specified for command");
        return;
    }
    for (int i = 0; i < found; i++) {
        if (flags[i] & KS_NOT_KEY) continue;
        idx[n] = idx[i];
        flags[n++] = flags[i];
    }
    /* Commands whose keys are optional (EVAL with 0 keys) have none. */
    if (n == 0 && (cmd->flags & CMD_NO_MANDATORY_KEYS)) {
        zfree(idx);
        zfree(flags);
        reply_array_len(c, 0);
        return;
    }
    if (n == 0) {
        reply_error(c, nspecs ? "Invalid arguments specified for command" : "The command has no key arguments");
    } else {
        reply_array_len(c, n);
        for (int i = 0; i < n; i++) {
            if (!with_flags) {
                reply_bulk_sds(c, argv[idx[i]]);
                continue;
            }
            reply_array_len(c, 2);
            reply_bulk_sds(c, argv[idx[i]]);
            reply_ks_flags(c, flags[i]);
        }
    }
    zfree(idx);
    zfree(flags);
}

static void command_getkeys_command(client *c) {
    getkeys(c, 0);
}

static void command_getkeysandflags_command(client *c) {
    getkeys(c, 1);
}

static void command_help_command(client *c) {
    static const char *help[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        NULL};
    reply_help(c, help);
}

/* ---------------------------------------------------------- table */

static redis_command command_subcommands[] = {
    {.name = "count", .proc = command_count_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .group = "server", .since = "2.8.13", .summary = "Get total number of Redis commands",
     .complexity = "O(1)"},
    {.name = "info", .proc = command_info_command, .arity = -2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .tips = "nondeterministic_output_order", .group = "server", .since = "2.8.13",
     .summary = "Get array of specific Redis command details, or all when no argument is given.",
     .complexity = "O(N) where N is the number of commands to look up"},
    {.name = "docs", .proc = command_docs_command, .arity = -2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .tips = "nondeterministic_output_order", .group = "server", .since = "7.0.0",
     .summary = "Get array of specific Redis command documentation",
     .complexity = "O(N) where N is the number of commands to look up"},
    {.name = "list", .proc = command_list_command, .arity = -2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .tips = "nondeterministic_output_order", .group = "server", .since = "7.0.0",
     .summary = "Get an array of Redis command names", .complexity = "O(N) where N is the total number of Redis commands"},
    {.name = "getkeys", .proc = command_getkeys_command, .arity = -4, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .group = "server", .since = "2.8.13", .summary = "Extract keys given a full Redis command",
     .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "getkeysandflags", .proc = command_getkeysandflags_command, .arity = -4,
     .flags = CMD_LOADING | CMD_STALE, .acl = ACL_CONNECTION, .group = "server", .since = "7.0.0",
     .summary = "Extract keys and access flags given a full Redis command",
     .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "help", .proc = command_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .group = "server", .since = "5.0.0", .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {0}};

redis_command command_commands[] = {
    {.name = "command", .proc = command_command, .arity = -1, .flags = CMD_LOADING | CMD_STALE | CMD_SENTINEL,
     .acl = ACL_CONNECTION, .tips = "nondeterministic_output_order", .group = "server", .since = "2.8.13",
     .summary = "Get array of Redis command details",
     .complexity = "O(N) where N is the total number of Redis commands", .subcommands = command_subcommands},
    {0}};
