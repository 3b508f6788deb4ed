/* slowlog.c -- the slow log (SLOWLOG GET / LEN / RESET / HELP).
 *
 * Owns the list of entries, newest first, and the entry id counter. An
 * entry holds copies of what it shows (arguments, address, name), never a
 * pointer into a client, so clients can come and go. Invariant: the list
 * never holds more than slowlog-max-len entries after a push. */
#include "slowlog.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "commands.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"
#include "vclock.h"

/* SLOWLOG GET without a count. */
#define SLOWLOG_GET_DEFAULT_COUNT 10
#define REDACTED_ARG "(redacted)"

typedef struct slowlog_entry {
    struct slowlog_entry *prev, *next;
    long long id;
    long long time;     /* unix seconds */
    long long duration; /* microseconds */
    int argc;
    sds *argv;
    sds peer, name;
} slowlog_entry;

static slowlog_entry *head, *tail;
static unsigned long entry_count;
static long long next_id;

/* ---------------------------------------------------------- redaction */

/* HELLO [protover [AUTH user pass] [SETNAME name]]: the AUTH pair. */
static int hello_arg_redacted(const client *c, int i) {
    for (int j = 2; j < c->argc; j++) {
        int more = c->argc - j - 1;
        if (strcasecmp(c->argv[j], "auth") == 0 && more >= 2) {
            if (i == j + 1 || i == j + 2) return 1;
            j += 2;
        } else if (strcasecmp(c->argv[j], "setname") == 0 && more >= 1) {
            j++;
        } else {
            break;
        }
    }
    return 0;
}

const char *slowlog_redacted_arg(const client *c, const redis_command *cmd, int i) {
    if (cmd->parent) return NULL;
    if (strcmp(cmd->name, "auth") == 0) return i >= 1 ? REDACTED_ARG : NULL;
    if (strcmp(cmd->name, "hello") == 0) return hello_arg_redacted(c, i) ? REDACTED_ARG : NULL;
    return NULL;
}

/* ---------------------------------------------------------- entries */

/* Copy of argument i as the log shows it: at most SLOWLOG_ENTRY_MAX_STRING
 * bytes, then how many more there were. */
static sds entry_arg(const client *c, const redis_command *cmd, int i) {
    const char *red = slowlog_redacted_arg(c, cmd, i);
    if (red) return sds_new(red);
    sds a = c->argv[i];
    size_t len = sds_len(a);
    if (len <= SLOWLOG_ENTRY_MAX_STRING) return sds_new_len(a, len);
    sds s = sds_new_len(a, SLOWLOG_ENTRY_MAX_STRING);
    return sds_cat_printf(s, "... (%zu more bytes)", len - SLOWLOG_ENTRY_MAX_STRING);
}

static slowlog_entry *entry_create(const client *c, const redis_command *cmd, long long duration) {
    slowlog_entry *e = zcalloc(sizeof(*e));
    int argc = c->argc > SLOWLOG_ENTRY_MAX_ARGC ? SLOWLOG_ENTRY_MAX_ARGC : c->argc;
    e->argc = argc;
    e->argv = zmalloc(sizeof(sds) * (size_t)argc);
    for (int j = 0; j < argc; j++) {
        /* The last slot says how many arguments were left out. */
        if (argc != c->argc && j == argc - 1)
            e->argv[j] = sds_cat_printf(sds_empty(), "... (%d more arguments)", c->argc - argc + 1);
        else
            e->argv[j] = entry_arg(c, cmd, j);
    }
    e->id = next_id++;
    e->time = vclock_s();
    e->duration = duration;
    e->peer = sds_new(c->addr);
    e->name = sds_new(c->name ? c->name : "");
    return e;
}

static void entry_free(slowlog_entry *e) {
    for (int j = 0; j < e->argc; j++) sds_free(e->argv[j]);
    zfree(e->argv);
    sds_free(e->peer);
    sds_free(e->name);
    zfree(e);
}

static void slowlog_drop_tail(void) {
    slowlog_entry *e = tail;
    tail = e->prev;
    if (tail) tail->next = NULL;
    else head = NULL;
    entry_count--;
    entry_free(e);
}

void slowlog_push_if_needed(client *c, redis_command *cmd, long long duration_us) {
    if (cfg.slowlog_log_slower_than < 0 || cfg.slowlog_max_len == 0) return;
    if (duration_us < cfg.slowlog_log_slower_than) return;
    slowlog_entry *e = entry_create(c, cmd, duration_us);
    e->next = head;
    if (head) head->prev = e;
    else tail = e;
    head = e;
    entry_count++;
    while (entry_count > cfg.slowlog_max_len) slowlog_drop_tail();
}

unsigned long slowlog_len(void) {
    return entry_count;
}

void slowlog_reset(void) {
    while (tail) slowlog_drop_tail();
}

/* ---------------------------------------------------------- commands */

static void reply_entry(client *c, const slowlog_entry *e) {
    reply_array_len(c, 6);
    reply_integer(c, e->id);
    reply_integer(c, e->time);
    reply_integer(c, e->duration);
    reply_array_len(c, e->argc);
    for (int j = 0; j < e->argc; j++) reply_bulk_sds(c, e->argv[j]);
    reply_bulk_sds(c, e->peer);
    reply_bulk_sds(c, e->name);
}

static void slowlog_get_command(client *c) {
    long long count = SLOWLOG_GET_DEFAULT_COUNT;
    if (c->argc > 3) {
        admin_reply_subcommand_syntax(c);
        return;
    }
    if (c->argc == 3 && (!string2ll(c->argv[2], sds_len(c->argv[2]), &count) || count < -1 || count > LONG_MAX)) {
        reply_error(c, "count should be greater than or equal to -1");
        return;
    }
    if (count == -1 || (unsigned long long)count > entry_count) count = (long long)entry_count;
    reply_array_len(c, count);
    const slowlog_entry *e = head;
    for (long long i = 0; i < count; i++, e = e->next) reply_entry(c, e);
}

static void slowlog_len_command(client *c) {
    reply_integer(c, (long long)entry_count);
}

static void slowlog_reset_command(client *c) {
    slowlog_reset();
    reply_ok(c);
}

static void slowlog_help_command(client *c) {
    static const char *help[] = {
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        NULL};
    reply_help(c, help);
}

/* ---------------------------------------------------------- table */

static redis_command slowlog_subcommands[] = {
    {.name = "help", .proc = slowlog_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE, .group = "server",
     .since = "6.2.0", .summary = "Show helpful text about the different subcommands", .complexity = "O(1)"},
    {.name = "len", .proc = slowlog_len_command, .arity = 2, .flags = CMD_ADMIN | CMD_LOADING | CMD_STALE,
     .tips = "request_policy:all_nodes response_policy:agg_sum nondeterministic_output", .group = "server",
     .since = "2.2.12", .summary = "Get the slow log's length", .complexity = "O(1)"},
    {.name = "get", .proc = slowlog_get_command, .arity = -2, .flags = CMD_ADMIN | CMD_LOADING | CMD_STALE,
     .tips = "request_policy:all_nodes nondeterministic_output", .group = "server", .since = "2.2.12",
     .summary = "Get the slow log's entries", .complexity = "O(N) where N is the number of entries returned"},
    {.name = "reset", .proc = slowlog_reset_command, .arity = 2, .flags = CMD_ADMIN | CMD_LOADING | CMD_STALE,
     .tips = ALL_NODES_OK, .group = "server", .since = "2.2.12", .summary = "Clear all entries from the slow log",
     .complexity = "O(N) where N is the number of entries in the slowlog"},
    {0}};

redis_command slowlog_commands[] = {
    {.name = "slowlog", .arity = -2, .group = "server", .since = "2.2.12",
     .summary = "A container for slow log commands", .complexity = "Depends on subcommand.",
     .subcommands = slowlog_subcommands},
    {0}};
