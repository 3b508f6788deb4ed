/* acl_cmd.c -- the ACL command family, ACL LOG, authentication with a
 * user name, and the permission check cmd_resolve calls for every caller.
 *
 * Owns the ACL log and which user each client runs as (c->user). The
 * model itself (rules, descriptions, matching) lives in acl.c; this file
 * only turns it into replies. A deleted user's clients are closed before
 * the user is freed, so no client ever points at a freed user. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "acl_absent.h"
#include "commands.h"
#include "monotonic.h"
#include "networking.h"
#include "pubsub.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

/* Denials of the same kind within this long update one log entry. */
#define ACL_LOG_GROUPING_MS 60000
/* Only the newest entries are looked at for grouping, as in Redis 7.0. */
#define ACL_LOG_GROUPING_SCAN 10
#define GENPASS_DEFAULT_BITS 256
#define GENPASS_MAX_BITS 4096

typedef struct acl_log_entry {
    long long count;
    const char *reason, *context;
    sds object, username, client_info;
    long long ctime_ms;
    struct acl_log_entry *next;
} acl_log_entry;

static acl_log_entry *acl_log; /* newest first */
static long acl_log_len;

static void log_entry_free(acl_log_entry *e) {
    sds_free(e->object);
    sds_free(e->username);
    sds_free(e->client_info);
    zfree(e);
}

static void acl_log_trim(void) {
    acl_log_entry **pp = &acl_log;
    long n = 0;
    while (*pp && n < cfg.acllog_max_len) {
        pp = &(*pp)->next;
        n++;
    }
    while (*pp) {
        acl_log_entry *e = *pp;
        *pp = e->next;
        log_entry_free(e);
        acl_log_len--;
    }
}

/* Records a denial (or a failed AUTH) as Redis does: an entry equal in
 * reason, context, object and user to one from the last minute, among
 * the 10 newest, is counted there and moved to the front. */
static void acl_log_add(client *c, const char *reason, const char *context, const char *object, size_t objlen,
                        const char *username) {
    client *real = server.current_client ? server.current_client : c;
    sds info = net_cat_client_info(sds_empty(), real);
    long long now = mstime(); /* ACL LOG ages: real time, not the data clock */
    acl_log_entry **pp = &acl_log;
    int scanned = 0;
    for (; *pp && scanned < ACL_LOG_GROUPING_SCAN; pp = &(*pp)->next, scanned++) {
        acl_log_entry *e = *pp;
        if (strcmp(e->reason, reason) == 0 && strcmp(e->context, context) == 0 && sds_len(e->object) == objlen &&
            memcmp(e->object, object, objlen) == 0 && strcmp(e->username, username) == 0 &&
            now - e->ctime_ms < ACL_LOG_GROUPING_MS) {
            *pp = e->next;
            e->count++;
            e->ctime_ms = now;
            sds_free(e->client_info);
            e->client_info = info;
            e->next = acl_log;
            acl_log = e;
            return;
        }
    }
    acl_log_entry *e = zcalloc(sizeof(*e));
    e->count = 1;
    e->reason = reason;
    e->context = context;
    e->object = sds_new_len(object, objlen);
    e->username = sds_new(username);
    e->client_info = info;
    e->ctime_ms = now;
    e->next = acl_log;
    acl_log = e;
    acl_log_len++;
    acl_log_trim();
}

/* ---------------------------------------------------------- checks */

static const char *caller_context(enum cmd_caller kind) {
    if (kind == CMD_CALLER_SCRIPT) return "lua";
    if (kind == CMD_CALLER_MULTI) return "multi";
    return "toplevel";
}

/* A script's redis.call gets Redis's own texts for a denial. */
static sds script_denial(client *c, const acl_user *u, const redis_command *cmd, enum acl_denial d, int pos) {
    if (d == ACL_DENIED_CMD) {
        acl_log_add(c, "command", "lua", cmd->fullname, strlen(cmd->fullname), u->name);
        return sds_new("The user executing the script can't run this command or subcommand");
    }
    if (d == ACL_DENIED_KEY) {
        acl_log_add(c, "key", "lua", c->argv[pos], sds_len(c->argv[pos]), u->name);
        return sds_new("The user executing the script can't access at least one of the keys mentioned in the "
                       "command arguments");
    }
    acl_log_add(c, "channel", "lua", c->argv[pos], sds_len(c->argv[pos]), u->name);
    return sds_new("The user executing the script can't publish to the channel mentioned in the command");
}

sds acl_check_client(client *c, const redis_command *cmd, enum cmd_caller kind) {
    acl_user *u = c->user;
    if (u == NULL || u->unrestricted) return NULL;
    int pos;
    enum acl_denial d = acl_check(u, cmd, c->argv, c->argc, &pos);
    if (d == ACL_OK) return NULL;
    const char *ctx = caller_context(kind);
    if (kind == CMD_CALLER_SCRIPT) return script_denial(c, u, cmd, d, pos);
    sds msg;
    if (d == ACL_DENIED_CMD) {
        acl_log_add(c, "command", ctx, cmd->fullname, strlen(cmd->fullname), u->name);
        msg = sds_cat_printf(sds_empty(), "this user has no permissions to run the '%s' command", cmd->fullname);
    } else {
        int key = d == ACL_DENIED_KEY;
        acl_log_add(c, key ? "key" : "channel", ctx, c->argv[pos], sds_len(c->argv[pos]), u->name);
        msg = sds_cat_printf(sds_empty(), "this user has no permissions to access one of the %s used as arguments",
                             key ? "keys" : "channels");
    }
    sds err = sds_cat_printf(sds_empty(), "-NOPERM %s", msg);
    sds_free(msg);
    return err;
}

sds acl_check_exec(client *c, const redis_command *cmd) {
    acl_user *u = c->user;
    if (u == NULL || u->unrestricted) return NULL;
    int pos;
    enum acl_denial d = acl_check(u, cmd, c->argv, c->argc, &pos);
    if (d == ACL_OK) return NULL;
    const char *why;
    if (d == ACL_DENIED_CMD) {
        acl_log_add(c, "command", "multi", cmd->fullname, strlen(cmd->fullname), u->name);
        why = "no permission to execute the command or subcommand";
    } else if (d == ACL_DENIED_KEY) {
        acl_log_add(c, "key", "multi", c->argv[pos], sds_len(c->argv[pos]), u->name);
        why = "no permission to touch the specified keys";
    } else {
        acl_log_add(c, "channel", "multi", c->argv[pos], sds_len(c->argv[pos]), u->name);
        why = "no permission to access one of the channels used as arguments";
    }
    return sds_cat_printf(sds_empty(),
                          "-NOPERM ACLs rules changed between the moment the transaction was accumulated and the "
                          "EXEC call. This command is no longer allowed for the following reason: %s",
                          why);
}

/* ---------------------------------------------------------- auth */

int acl_authenticate(client *c, const sds username, const sds pass) {
    acl_user *u = acl_find_user(username, sds_len(username));
    if (u && acl_check_password(u, pass, sds_len(pass))) {
        c->user = u;
        c->authenticated = 1;
        return 1;
    }
    /* The object is the command that tried, as typed ("AUTH", "hello"). */
    const char *ctx = (c->flags & (CLIENT_MULTI | CLIENT_IN_EXEC)) ? "multi" : "toplevel";
    if (c->argc > 0) acl_log_add(c, "auth", ctx, c->argv[0], sds_len(c->argv[0]), username);
    else acl_log_add(c, "auth", ctx, "auth", 4, username);
    return 0;
}

int acl_default_nopass(void) {
    acl_user *d = acl_default_user();
    return d->enabled && d->nopass;
}

void acl_client_init(client *c) {
    c->user = acl_default_user();
    c->authenticated = acl_default_nopass();
}

const char *acl_client_username(const client *c) {
    return c->user ? c->user->name : "default";
}

void acl_kill_clients_of(acl_user *u) {
    client *self = server.current_client;
    client *o = server.clients;
    while (o) {
        client *next = o->next;
        if (o->user == u) {
            o->user = acl_default_user();
            o->authenticated = 0;
            if (o == self) o->flags |= CLIENT_CLOSE_AFTER_REPLY;
            else net_free_client(o);
        }
        o = next;
    }
}

static int subscription_allowed(const sds name, int is_pattern, void *ctx) {
    return acl_channel_allowed(ctx, name, is_pattern);
}

/* After u's rules changed, as Redis: its clients subscribed to a channel
 * it may no longer use are closed. */
static void kill_pubsub_clients_if_needed(client *self, acl_user *u) {
    client *o = server.clients;
    while (o) {
        client *next = o->next;
        if (o->user == u && o->pubsub && !pubsub_client_all(o, subscription_allowed, u)) {
            if (o == self) o->flags |= CLIENT_CLOSE_AFTER_REPLY;
            else net_free_client(o);
        }
        o = next;
    }
}

/* ---------------------------------------------------------- subcommands */

static void acl_setuser_command(client *c) {
    sds name = c->argv[2];
    if (memchr(name, ' ', sds_len(name)) || memchr(name, '\0', sds_len(name))) {
        reply_error(c, "Usernames can't contain spaces or null characters");
        return;
    }
    acl_user *u = acl_find_user(name, sds_len(name));
    int created = 0;
    if (u == NULL) {
        u = acl_create_user(name, sds_len(name));
        created = 1;
        /* New users start with the channel rule acl-pubsub-default says. */
        const char *why;
        if (cfg.acl_pubsub_default_all) acl_apply_rule(u, "allchannels", 11, &why);
    }
    sds err;
    if (acl_setuser_args(u, c->argv + 3, c->argc - 3, &err) == -1) {
        if (created) acl_delete_user(name);
        reply_error(c, err);
        sds_free(err);
        return;
    }
    if (!(u->root.flags & ACL_SEL_ALLCHANNELS)) kill_pubsub_clients_if_needed(c, u);
    reply_ok(c);
}

static void acl_deluser_command(client *c) {
    long long deleted = 0;
    for (int i = 2; i < c->argc; i++) {
        if (strcmp(c->argv[i], "default") == 0) {
            reply_error(c, "The 'default' user cannot be removed");
            return;
        }
    }
    for (int i = 2; i < c->argc; i++) {
        acl_user *u = acl_find_user(c->argv[i], sds_len(c->argv[i]));
        if (u == NULL) continue;
        acl_kill_clients_of(u);
        acl_delete_user(c->argv[i]);
        deleted++;
    }
    reply_integer(c, deleted);
}

static void reply_sds_taken(client *c, sds s) {
    reply_bulk_sds(c, s);
    sds_free(s);
}

/* The commands / keys / channels fields of a selector map. */
static void reply_selector_fields(client *c, const acl_selector *s) {
    reply_bulk_cstr(c, "commands");
    reply_sds_taken(c, acl_describe_selector_commands(s));
    reply_bulk_cstr(c, "keys");
    reply_sds_taken(c, acl_describe_selector_keys(s));
    reply_bulk_cstr(c, "channels");
    reply_sds_taken(c, acl_describe_selector_channels(s));
}

static void acl_getuser_command(client *c) {
    acl_user *u = acl_find_user(c->argv[2], sds_len(c->argv[2]));
    if (u == NULL) {
        reply_null(c);
        return;
    }
    reply_map_len(c, 6);
    reply_bulk_cstr(c, "flags");
    reply_set_len(c, 1 + u->nopass + (u->sanitize != 0));
    reply_bulk_cstr(c, u->enabled ? "on" : "off");
    if (u->nopass) reply_bulk_cstr(c, "nopass");
    if (u->sanitize)
        reply_bulk_cstr(c, u->sanitize == ACL_SANITIZE_SKIP ? "skip-sanitize-payload" : "sanitize-payload");
    reply_bulk_cstr(c, "passwords");
    reply_array_len(c, u->npasswords);
    for (int i = 0; i < u->npasswords; i++) reply_bulk_sds(c, u->passwords[i]);
    reply_selector_fields(c, &u->root);
    reply_bulk_cstr(c, "selectors");
    reply_array_len(c, u->nselectors);
    for (int i = 0; i < u->nselectors; i++) {
        reply_map_len(c, 3);
        reply_selector_fields(c, u->selectors[i]);
    }
}

static void acl_list_command(client *c) {
    acl_user **all;
    int n = acl_users(&all);
    reply_array_len(c, n);
    for (int i = 0; i < n; i++) {
        sds rules = acl_describe_user(all[i]);
        sds line = sds_cat_printf(sds_empty(), "user %s %s", all[i]->name, rules);
        sds_free(rules);
        reply_sds_taken(c, line);
    }
}

static void acl_users_command(client *c) {
    acl_user **all;
    int n = acl_users(&all);
    reply_array_len(c, n);
    for (int i = 0; i < n; i++) reply_bulk_sds(c, all[i]->name);
}

static void acl_whoami_command(client *c) {
    reply_bulk_cstr(c, acl_client_username(c));
}

struct cat_ctx {
    client *c;
    uint64_t bit;
    long n;
};

/* As Redis 7.0: containers are listed too (CLIENT is @slow), and so are
 * Redis's commands minired lacks, which the rules know (acl_absent.c). */
static void cat_one(redis_command *cmd, void *arg) {
    struct cat_ctx *ctx = arg;
    if (!(cmd->acl & ctx->bit)) return;
    reply_bulk_cstr(ctx->c, cmd->fullname);
    ctx->n++;
}

static void acl_cat_command(client *c) {
    if (c->argc == 2) {
        reply_array_len(c, acl_category_count());
        for (int i = 0; i < acl_category_count(); i++) reply_bulk_cstr(c, acl_category_name(i));
        return;
    }
    if (c->argc > 3) {
        reply_error_format(c, "unknown subcommand or wrong number of arguments for '%s'. Try ACL HELP.", c->argv[1]);
        return;
    }
    uint64_t bit = acl_category_by_name(c->argv[2]);
    if (bit == 0) {
        reply_error_format(c, "Unknown category '%s'", c->argv[2]);
        return;
    }
    void *len = reply_deferred_len(c);
    struct cat_ctx ctx = {c, bit, 0};
    cmd_foreach(cat_one, &ctx);
    acl_absent_foreach(cat_one, &ctx);
    reply_set_deferred_array_len(c, len, ctx.n);
}

static void acl_genpass_command(client *c) {
    long long bits = GENPASS_DEFAULT_BITS;
    if (c->argc > 3) {
        reply_error_format(c, "unknown subcommand or wrong number of arguments for '%s'. Try ACL HELP.", c->argv[1]);
        return;
    }
    if (c->argc == 3 && !string2ll(c->argv[2], sds_len(c->argv[2]), &bits)) {
        reply_error_not_integer(c);
        return;
    }
    if (bits <= 0 || bits > GENPASS_MAX_BITS) {
        reply_error(c, "ACL GENPASS argument must be the number of bits for the output password, a positive number "
                       "up to 4096");
        return;
    }
    size_t chars = (size_t)((bits + 3) / 4);
    char *hex = zmalloc(chars + 1);
    get_random_hex_chars(hex, chars);
    hex[chars] = '\0';
    reply_bulk(c, hex, chars);
    zfree(hex);
}

static void acl_log_command(client *c) {
    long long count = 10;
    if (c->argc > 3) {
        reply_error_format(c, "unknown subcommand or wrong number of arguments for '%s'. Try ACL HELP.", c->argv[1]);
        return;
    }
    if (c->argc == 3) {
        if (strcasecmp(c->argv[2], "reset") == 0) {
            while (acl_log) {
                acl_log_entry *e = acl_log;
                acl_log = e->next;
                log_entry_free(e);
            }
            acl_log_len = 0;
            reply_ok(c);
            return;
        }
        if (!string2ll(c->argv[2], sds_len(c->argv[2]), &count)) {
            reply_error_not_integer(c);
            return;
        }
        if (count < 0) count = 0; /* Redis answers an empty list */
    }
    long n = acl_log_len < count ? acl_log_len : (long)count;
    reply_array_len(c, n);
    long long now = mstime(); /* ACL LOG ages: real time, not the data clock */
    acl_log_entry *e = acl_log;
    for (long i = 0; i < n; i++, e = e->next) {
        reply_map_len(c, 7);
        reply_bulk_cstr(c, "count");
        reply_integer(c, e->count);
        reply_bulk_cstr(c, "reason");
        reply_bulk_cstr(c, e->reason);
        reply_bulk_cstr(c, "context");
        reply_bulk_cstr(c, e->context);
        reply_bulk_cstr(c, "object");
        reply_bulk_sds(c, e->object);
        reply_bulk_cstr(c, "username");
        reply_bulk_sds(c, e->username);
        reply_bulk_cstr(c, "age-seconds");
        reply_double(c, (double)(now - e->ctime_ms) / 1000.0);
        reply_bulk_cstr(c, "client-info");
        reply_bulk_sds(c, e->client_info);
    }
}

static void acl_dryrun_command(client *c) {
    acl_user *u = acl_find_user(c->argv[2], sds_len(c->argv[2]));
    if (u == NULL) {
        reply_error_format(c, "User '%s' not found", c->argv[2]);
        return;
    }
    redis_command *cmd = cmd_lookup_sds(c->argv[3]);
    if (cmd && cmd->subcommands && c->argc > 4) cmd = cmd_lookup_subcommand(cmd, c->argv[4]);
    if (cmd == NULL) {
        reply_error_format(c, "Command '%s' not found", c->argv[3]);
        return;
    }
    int argc = c->argc - 3;
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        reply_error_format(c, "wrong number of arguments for '%s' command", cmd->fullname);
        return;
    }
    int pos;
    enum acl_denial d = acl_check(u, cmd, c->argv + 3, argc, &pos);
    if (d == ACL_OK) {
        reply_ok(c);
        return;
    }
    sds msg;
    if (d == ACL_DENIED_CMD)
        msg = sds_cat_printf(sds_empty(), "This user has no permissions to run the '%s' command", cmd->fullname);
    else
        msg = sds_cat_printf(sds_empty(), "This user has no permissions to access the '%s' %s", c->argv[3 + pos],
                             d == ACL_DENIED_KEY ? "key" : "channel");
    reply_sds_taken(c, msg);
}

#define NO_ACLFILE_ERROR                                                                                       \
    "This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL "    \
    "SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in " \
    "order to store users in the Redis configuration."

static void acl_load_command(client *c) {
    if (cfg.aclfile == NULL) {
        reply_error(c, NO_ACLFILE_ERROR);
        return;
    }
    sds err = acl_load_file(cfg.aclfile);
    if (err) {
        reply_error(c, err);
        sds_free(err);
        return;
    }
    reply_ok(c);
}

static void acl_save_command(client *c) {
    if (cfg.aclfile == NULL) {
        reply_error(c, NO_ACLFILE_ERROR);
        return;
    }
    sds err = acl_save_file(cfg.aclfile);
    if (err) {
        reply_error(c, err);
        sds_free(err);
        return;
    }
    reply_ok(c);
}

static void acl_help_command(client *c) {
    static const char *help[] = {
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        NULL};
    reply_help(c, help);
}

/* ---------------------------------------------------------- table */

#define ACL_CMD_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static redis_command acl_subcommands[] = {
    {.name = "cat", .proc = acl_cat_command, .arity = -2, .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW, .group = "server", .since = "6.0.0",
     .summary = "List the ACL categories or the commands inside a category", .complexity = "O(1) since the categories and commands are a fixed set."},
    {.name = "deluser", .proc = acl_deluser_command, .arity = -3, .flags = ACL_CMD_FLAGS, .group = "server",
     .since = "6.0.0", .summary = "Remove the specified ACL users and the associated rules",
     .complexity = "O(1) amortized time considering the typical user."},
    {.name = "dryrun", .proc = acl_dryrun_command, .arity = -4, .flags = ACL_CMD_FLAGS, .group = "server",
     .since = "7.0.0", .summary = "Returns whether the user can execute the given command without executing the command.",
     .complexity = "O(1)."},
    {.name = "genpass", .proc = acl_genpass_command, .arity = -2, .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .group = "server", .since = "6.0.0", .summary = "Generate a pseudorandom secure password to use for ACL users",
     .complexity = "O(1)"},
    {.name = "getuser", .proc = acl_getuser_command, .arity = 3, .flags = ACL_CMD_FLAGS, .group = "server",
     .since = "6.0.0", .summary = "Get the rules for a specific ACL user",
     .complexity = "O(N). Where N is the number of password, command and pattern rules that the user has."},
    {.name = "list", .proc = acl_list_command, .arity = 2, .flags = ACL_CMD_FLAGS, .group = "server",
     .since = "6.0.0", .summary = "List the current ACL rules in ACL config file format",
     .complexity = "O(N). Where N is the number of configured users."},
    {.name = "load", .proc = acl_load_command, .arity = 2, .flags = ACL_CMD_FLAGS, .group = "server",
     .since = "6.0.0", .summary = "Reload the ACLs from the configured ACL file",
     .complexity = "O(N). Where N is the number of configured users."},
    {.name = "log", .proc = acl_log_command, .arity = -2, .flags = ACL_CMD_FLAGS, .group = "server",
     .since = "6.0.0", .summary = "List latest events denied because of ACLs in place",
     .complexity = "O(N) with N being the number of entries shown."},
    {.name = "save", .proc = acl_save_command, .arity = 2, .flags = ACL_CMD_FLAGS, .group = "server",
     .since = "6.0.0", .summary = "Save the current ACL rules in the configured ACL file",
     .complexity = "O(N). Where N is the number of configured users."},
    {.name = "setuser", .proc = acl_setuser_command, .arity = -3, .flags = ACL_CMD_FLAGS, .group = "server",
     .since = "6.0.0", .summary = "Modify or create the rules for a specific ACL user",
     .complexity = "O(N). Where N is the number of rules provided."},
    {.name = "users", .proc = acl_users_command, .arity = 2, .flags = ACL_CMD_FLAGS, .group = "server",
     .since = "6.0.0", .summary = "List the username of all the configured ACL rules",
     .complexity = "O(N). Where N is the number of configured users."},
    {.name = "whoami", .proc = acl_whoami_command, .arity = 2, .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .group = "server", .since = "6.0.0", .summary = "Return the name of the user associated to the current connection",
     .complexity = "O(1)"},
    {.name = "help", .proc = acl_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE, .group = "server",
     .since = "6.0.0", .summary = "Show helpful text about the different subcommands", .complexity = "O(1)"},
    {0}};

/* The container's summary ends in a space in Redis 7.0's table too. */
redis_command acl_commands[] = {
    {.name = "acl", .arity = -2, .flags = CMD_SENTINEL, .group = "server", .since = "6.0.0",
     .summary = "A container for Access List Control commands ",
     .complexity = "Depends on subcommand.",
     .subcommands = acl_subcommands},
    {0}};
