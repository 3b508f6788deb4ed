/* config_cmd.c -- the CONFIG command: GET, SET, RESETSTAT, REWRITE, HELP.
 *
 * A thin layer that turns client arguments into calls on config.c and its
 * results into replies. It never parses or validates a value itself and
 * never writes cfg: config.c owns both, so the command behaves exactly as
 * the unit-tested functions do. Arity is checked by the command table. */
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "reply.h"
#include "server.h"

static const char *config_help_lines[] = {
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    NULL,
};

/* Whether "enable-protected-configs local" lets this client in: a unix
 * socket or a loopback peer, as Redis decides it. */
static int config_client_is_local(const client *c) {
    if (c->flags & CLIENT_UNIX_SOCKET) return 1;
    return strncmp(c->addr, "127.0.0.1:", strlen("127.0.0.1:")) == 0 ||
           strncmp(c->addr, "[::1]:", strlen("[::1]:")) == 0;
}

/* CONFIG GET pattern [pattern ...]: a map in RESP3, a flat array in RESP2. */
static void config_get(client *c) {
    int n;
    sds *pairs = config_get_matching(c->argc - 2, c->argv + 2, &n);
    reply_map_len(c, n);
    for (int i = 0; i < 2 * n; i++) reply_bulk_sds(c, pairs[i]);
    config_free_pairs(pairs, n);
}

/* CONFIG SET name value [name value ...]: all or nothing. */
static void config_set(client *c) {
    if ((c->argc - 2) % 2 != 0) {
        reply_error_syntax(c);
        return;
    }
    sds err;
    if (config_set_pairs(c->argc - 2, c->argv + 2, config_client_is_local(c), &err) == -1) {
        reply_error(c, err);
        sds_free(err);
        return;
    }
    reply_ok(c);
}

static void config_rewrite_reply(client *c) {
    sds err;
    if (config_rewrite(&err) == -1) {
        log_warning("CONFIG REWRITE failed: %s", err);
        reply_error(c, err);
        sds_free(err);
        return;
    }
    log_notice("CONFIG REWRITE executed with success.");
    reply_ok(c);
}

static void config_command(client *c) {
    const char *sub = c->argv[1];
    if (!strcasecmp(sub, "get") && c->argc >= 3) {
        config_get(c);
    } else if (!strcasecmp(sub, "set") && c->argc >= 4) {
        config_set(c);
    } else if (!strcasecmp(sub, "resetstat") && c->argc == 2) {
        config_resetstat();
        reply_ok(c);
    } else if (!strcasecmp(sub, "rewrite") && c->argc == 2) {
        config_rewrite_reply(c);
    } else if (!strcasecmp(sub, "help") && c->argc == 2) {
        reply_help(c, config_help_lines);
    } else {
        reply_error_subcommand(c);
    }
}

/* ---------------------------------------------------------- table */

#define CONN_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static redis_command config_subcommands[] = {
    {.name = "get", .proc = config_command, .arity = -3, .flags = CMD_ADMIN | CONN_FLAGS, .group = "server",
     .since = "2.0.0", .summary = "Get the values of configuration parameters",
     .complexity = "O(N) when N is the number of configuration parameters provided"},
    {.name = "set", .proc = config_command, .arity = -4, .flags = CMD_ADMIN | CONN_FLAGS,
     .tips = "request_policy:all_nodes response_policy:all_succeeded", .group = "server", .since = "2.0.0",
     .summary = "Set configuration parameters to the given values",
     .complexity = "O(N) when N is the number of configuration parameters provided"},
    {.name = "resetstat", .proc = config_command, .arity = 2, .flags = CMD_ADMIN | CONN_FLAGS,
     .group = "server", .since = "2.0.0",
     .summary = "Reset the stats returned by INFO", .complexity = "O(1)"},
    {.name = "rewrite", .proc = config_command, .arity = 2, .flags = CMD_ADMIN | CONN_FLAGS,
     .group = "server", .since = "2.8.0",
     .summary = "Rewrite the configuration file with the in memory configuration", .complexity = "O(1)"},
    {.name = "help", .proc = config_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE, .group = "server",
     .since = "5.0.0", .summary = "Show helpful text about the different subcommands", .complexity = "O(1)"},
    {0}};

redis_command config_commands[] = {
    {.name = "config", .arity = -2, .group = "server", .since = "2.0.0",
     .summary = "A container for server configuration commands", .complexity = "Depends on subcommand.",
     .subcommands = config_subcommands},
    {0}};
