/* fault.c -- fault injection of MINIRED FAULT: faults that other clients'
 * commands meet on their way in (an error instead of the reply, a held or
 * cut reply, a closed connection, a socket not read for a while).
 *
 * Owns the fault list and fault_armed. It never touches a socket itself:
 * holding, cutting and releasing output are networking.c's (net_hold_output,
 * net_truncate_output...). Invariants: a client that has issued MINIRED is
 * never faulted; an action that does not run the command changes no data;
 * at most one fault fires per command (the first defined that matches). */
#include "fault.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "multi.h"
#include "networking.h"
#include "reply.h"
#include "testctl.h"
#include "util.h"
#include "zmalloc.h"

/* Longest DELAY / SLOW-READ a fault may ask for: an hour is far beyond
 * any client timeout worth testing, and bounds a typo's damage. */
#define FAULT_MAX_MS (3600LL * 1000)

enum fault_match { MATCH_ANY, MATCH_COMMAND, MATCH_KEY };
enum fault_action { ACT_ERROR, ACT_DELAY, ACT_CLOSE, ACT_DROP_REPLY, ACT_PARTIAL, ACT_SLOW_READ };

typedef struct fault {
    sds id;
    enum fault_match match;
    sds name, sub;       /* COMMAND: name and subcommand (NULL: any) */
    sds pattern;         /* KEY: glob over the command's keys */
    enum fault_action action;
    sds text;            /* ERROR: as given (shown by LIST) */
    sds reply;           /* ERROR: as reply_error takes it ("-CODE ..." or plain, for ERR) */
    long long ms;        /* DELAY, SLOW-READ */
    long long bytes;     /* PARTIAL */
    int after;           /* CLOSE AFTER; PARTIAL ... CLOSE */
    long long count;     /* fires left; -1: no limit */
    double probability;  /* 1: always */
    sds client;          /* CLIENT name-or-id, or NULL */
    long long fired;
    struct fault *next;
} fault;

int fault_armed;
static fault *faults; /* in the order they were added: the first match fires */

/* ---------------------------------------------------------- the list */

static void fault_free(fault *f) {
    sds_free(f->id);
    sds_free(f->name);
    sds_free(f->sub);
    sds_free(f->pattern);
    sds_free(f->text);
    sds_free(f->reply);
    sds_free(f->client);
    zfree(f);
}

static fault **fault_link_of(const char *id) {
    fault **pp = &faults;
    while (*pp && strcmp((*pp)->id, id) != 0) pp = &(*pp)->next;
    return pp;
}

static void fault_unlink(fault *f) {
    fault **pp = &faults;
    while (*pp && *pp != f) pp = &(*pp)->next;
    if (*pp) *pp = f->next;
    fault_armed = faults != NULL;
}

/* ---------------------------------------------------------- matching */

static int fault_client_matches(const fault *f, const client *c) {
    if (f->client == NULL) return 1;
    if (c->name && sds_cmp(c->name, f->client) == 0) return 1;
    long long id;
    return string2ll(f->client, sds_len(f->client), &id) && (uint64_t)id == c->id;
}

/* Whether one of the keys of c's command matches f's glob. A command that
 * does not resolve (unknown, wrong arity) has no keys. */
static int fault_keys_match(const fault *f, client *c) {
    redis_command *cmd = cmd_lookup_sds(c->argv[0]);
    if (cmd && cmd->subcommands) cmd = c->argc >= 2 ? cmd_lookup_subcommand(cmd, c->argv[1]) : NULL;
    if (cmd == NULL || cmd->proc == NULL) return 0;
    if (cmd->arity > 0 ? c->argc != cmd->arity : c->argc < -cmd->arity) return 0;
    int *idx = zmalloc(sizeof(int) * (size_t)c->argc * 2);
    int n = cmd_key_positions(cmd, c->argv, c->argc, idx, idx + c->argc), hit = 0;
    for (int i = 0; i < n && !hit; i++) {
        sds key = c->argv[idx[i]];
        hit = string_match_len(f->pattern, (int)sds_len(f->pattern), key, (int)sds_len(key), 0);
    }
    zfree(idx);
    return hit;
}

static int fault_matches(const fault *f, client *c) {
    if (!fault_client_matches(f, c)) return 0;
    switch (f->match) {
    case MATCH_ANY: return 1;
    case MATCH_COMMAND:
        if (strcasecmp(c->argv[0], f->name) != 0) return 0;
        return f->sub == NULL || (c->argc >= 2 && strcasecmp(c->argv[1], f->sub) == 0);
    case MATCH_KEY: return fault_keys_match(f, c);
    }
    return 0;
}

/* The fault that fires for c's command, or NULL. PROBABILITY draws from
 * random(), the PRNG the server's sampling uses. */
static fault *fault_find(client *c) {
    if (c->flags & CLIENT_FAULT_EXEMPT) return NULL;
    if (c->argc == 0) return NULL;
    if (strcasecmp(c->argv[0], "minired") == 0) {
        c->flags |= CLIENT_FAULT_EXEMPT; /* the controlling connection, from now on */
        return NULL;
    }
    for (fault *f = faults; f; f = f->next) {
        if (!fault_matches(f, c)) continue;
        if (f->probability < 1.0 && (double)random() / ((double)RAND_MAX + 1.0) >= f->probability) continue;
        return f;
    }
    return NULL;
}

/* ---------------------------------------------------------- actions */

/* Releases a client a DELAY or SLOW-READ holds (a timer; data is the
 * client's id, so a client gone meanwhile is simply not found). */
static int fault_release(ae_event_loop *el, long long timer_id, void *data) {
    (void)el, (void)timer_id;
    uint64_t id = (uint64_t)(uintptr_t)data;
    client *c = server.clients;
    while (c && c->id != id) c = c->next;
    if (c == NULL) return AE_NOMORE;
    if (c->flags & CLIENT_FAULT_HOLD_OUTPUT) net_release_output(c);
    if (!(ae_get_file_events(server.el, c->fd) & AE_READABLE)) net_unprotect_client(c);
    c->flags &= ~CLIENT_FAULT_HOLD_INPUT;
    if (!(c->flags & (CLIENT_CLOSE_ASAP | CLIENT_CLOSE_AFTER_REPLY))) net_resume_postponed(c);
    return AE_NOMORE;
}

/* Holds c's later input (and, for DELAY, its output) for ms. */
static void fault_hold(client *c, long long ms, int output, int stop_reading) {
    c->flags |= CLIENT_FAULT_HOLD_INPUT;
    if (output) net_hold_output(c);
    if (stop_reading) net_protect_client(c);
    ae_create_time_event(server.el, ms, fault_release, (void *)(uintptr_t)c->id, NULL);
}

/* Closes c once the output already queued (before the fault) is sent. */
static void fault_close(client *c) {
    if (net_client_output_len(c) > 0) c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    else net_close_async(c);
}

static void fault_error(client *c, const fault *f) {
    /* An error on EXEC ends the transaction without running it; on a
     * queued command it dooms the transaction, as a refusal would. */
    if ((c->flags & CLIENT_MULTI) && strcasecmp(c->argv[0], "exec") == 0) multi_client_reset(c);
    reply_error(c, f->reply);
    multi_flag_error(c);
}

static void fault_apply(client *c, const fault *f) {
    size_t before = net_client_output_len(c);
    switch (f->action) {
    case ACT_ERROR: fault_error(c, f); return;
    case ACT_CLOSE:
        if (f->after) {
            cmd_process(c);
            net_truncate_output(c, before);
        }
        fault_close(c);
        return;
    case ACT_DELAY:
        cmd_process(c);
        fault_hold(c, f->ms, 1, 0);
        return;
    case ACT_SLOW_READ:
        cmd_process(c);
        fault_hold(c, f->ms, 0, 1);
        return;
    case ACT_DROP_REPLY:
        cmd_process(c);
        net_truncate_output(c, before);
        return;
    case ACT_PARTIAL:
        cmd_process(c);
        net_truncate_output(c, before + (size_t)f->bytes);
        if (f->after) fault_close(c);
        else c->flags |= CLIENT_FAULT_HOLD_INPUT; /* stalled for good */
        return;
    }
}

void fault_process(client *c) {
    fault *f = fault_find(c);
    if (f == NULL) {
        cmd_process(c);
        return;
    }
    f->fired++;
    /* The last of COUNT leaves the list before it acts. */
    int last = f->count > 0 && --f->count == 0;
    if (last) fault_unlink(f);
    fault_apply(c, f);
    if (last) fault_free(f);
}

/* ---------------------------------------------------------- FAULT ADD */

/* Parses a non-negative integer up to max at argv[i]; replies the error
 * and returns -1 when it is not one. */
static int fault_parse_ll(client *c, int i, const char *what, long long min, long long max, long long *out) {
    if (!string2ll(c->argv[i], sds_len(c->argv[i]), out) || *out < min || *out > max) {
        reply_error_format(c, "%s must be an integer between %lld and %lld", what, min, max);
        return -1;
    }
    return 0;
}

/* The reply_error form of an ERROR text: a first word in capitals (an
 * error code, as LOADING or MOVED) is sent as given, "-<text>"; any other
 * text gets Redis's generic code, "-ERR <text>". A leading '-' is
 * optional. */
static sds fault_error_reply(const char *text) {
    if (text[0] == '-') text++;
    size_t code = strcspn(text, " ");
    int is_code = code > 0;
    for (size_t i = 0; i < code && is_code; i++)
        is_code = (text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= '0' && text[i] <= '9') || text[i] == '_' ||
                  text[i] == '-';
    return is_code ? sds_cat(sds_new("-"), text) : sds_new(text);
}

/* Parses <match> at *i; advances *i. -1 with the error replied. */
static int fault_parse_match(client *c, fault *f, int *i) {
    const char *kw = c->argv[*i];
    if (strcasecmp(kw, "any") == 0) {
        f->match = MATCH_ANY;
        (*i)++;
        return 0;
    }
    int is_cmd = strcasecmp(kw, "command") == 0;
    if (!is_cmd && strcasecmp(kw, "key") != 0) {
        reply_error_format(c, "unknown fault match '%.64s' (expected ANY, COMMAND <name> or KEY <pattern>)", kw);
        return -1;
    }
    if (*i + 1 >= c->argc) {
        reply_error_format(c, "%s needs an argument", is_cmd ? "COMMAND" : "KEY");
        return -1;
    }
    sds arg = c->argv[*i + 1];
    *i += 2;
    if (!is_cmd) {
        f->match = MATCH_KEY;
        f->pattern = sds_dup(arg);
        return 0;
    }
    f->match = MATCH_COMMAND;
    const char *bar = strchr(arg, '|');
    f->name = bar ? sds_new_len(arg, (size_t)(bar - arg)) : sds_dup(arg);
    if (bar) f->sub = sds_new(bar + 1);
    if (sds_len(f->name) == 0 || (f->sub && sds_len(f->sub) == 0)) {
        reply_error(c, "COMMAND needs a command name, or container|subcommand");
        return -1;
    }
    return 0;
}

/* The keyword at argv[i] (case-insensitive), or 0 past the end. */
static int fault_arg_is(client *c, int i, const char *kw) {
    return i < c->argc && strcasecmp(c->argv[i], kw) == 0;
}

/* Parses <action> at *i; advances *i. -1 with the error replied. */
static int fault_parse_action(client *c, fault *f, int *i) {
    const char *kw = c->argv[*i];
    int has_arg = *i + 1 < c->argc;
    (*i)++;
    if (strcasecmp(kw, "drop-reply") == 0) {
        f->action = ACT_DROP_REPLY;
    } else if (strcasecmp(kw, "close") == 0) {
        f->action = ACT_CLOSE;
        if (fault_arg_is(c, *i, "before") || fault_arg_is(c, *i, "after")) f->after = fault_arg_is(c, (*i)++, "after");
    } else if (!has_arg && (!strcasecmp(kw, "error") || !strcasecmp(kw, "delay") || !strcasecmp(kw, "partial") ||
                            !strcasecmp(kw, "slow-read"))) {
        reply_error_format(c, "%s needs an argument", kw);
        return -1;
    } else if (strcasecmp(kw, "error") == 0) {
        sds text = c->argv[(*i)++];
        if (sds_len(text) == 0 || strcmp(text, "-") == 0 || strpbrk(text, "\r\n") ||
            memchr(text, '\0', sds_len(text))) {
            reply_error(c, "ERROR text must be non-empty and hold no CR, LF or NUL");
            return -1;
        }
        f->action = ACT_ERROR;
        f->text = sds_dup(text);
        f->reply = fault_error_reply(text);
    } else if (strcasecmp(kw, "delay") == 0 || strcasecmp(kw, "slow-read") == 0) {
        f->action = strcasecmp(kw, "delay") == 0 ? ACT_DELAY : ACT_SLOW_READ;
        if (fault_parse_ll(c, (*i)++, f->action == ACT_DELAY ? "DELAY" : "SLOW-READ", 0, FAULT_MAX_MS, &f->ms) == -1)
            return -1;
    } else if (strcasecmp(kw, "partial") == 0) {
        f->action = ACT_PARTIAL;
        if (fault_parse_ll(c, (*i)++, "PARTIAL", 0, LLONG_MAX, &f->bytes) == -1) return -1;
        if (fault_arg_is(c, *i, "stall") || fault_arg_is(c, *i, "close")) f->after = fault_arg_is(c, (*i)++, "close");
    } else {
        reply_error_format(c,
                           "unknown fault action '%.64s' (expected ERROR, DELAY, CLOSE, DROP-REPLY, PARTIAL or "
                           "SLOW-READ)",
                           kw);
        return -1;
    }
    return 0;
}

/* Parses [COUNT n] [PROBABILITY p] [CLIENT name-or-id] from argv[i]. */
static int fault_parse_options(client *c, fault *f, int i) {
    for (; i < c->argc; i += 2) {
        const char *kw = c->argv[i];
        int known = !strcasecmp(kw, "count") || !strcasecmp(kw, "probability") || !strcasecmp(kw, "client");
        if (!known) {
            reply_error_format(c, "unknown fault option '%.64s' (expected COUNT, PROBABILITY or CLIENT)", kw);
            return -1;
        }
        if (i + 1 >= c->argc) {
            reply_error_format(c, "%s needs an argument", kw);
            return -1;
        }
        sds arg = c->argv[i + 1];
        if (strcasecmp(kw, "count") == 0) {
            if (fault_parse_ll(c, i + 1, "COUNT", 1, LLONG_MAX, &f->count) == -1) return -1;
        } else if (strcasecmp(kw, "probability") == 0) {
            double p;
            if (!string2d(arg, sds_len(arg), &p) || !(p >= 0.0 && p <= 1.0)) {
                reply_error(c, "PROBABILITY must be a number between 0 and 1");
                return -1;
            }
            f->probability = p;
        } else {
            sds_free(f->client);
            f->client = sds_dup(arg);
        }
    }
    return 0;
}

static void fault_add(client *c) {
    if (c->argc < 6) {
        reply_error_arity(c);
        return;
    }
    if (*fault_link_of(c->argv[3])) {
        reply_error_format(c, "fault '%.128s' already exists", c->argv[3]);
        return;
    }
    fault *f = zcalloc(sizeof(*f));
    f->count = -1;
    f->probability = 1.0;
    int i = 4;
    if (fault_parse_match(c, f, &i) == -1 || i >= c->argc) {
        if (i >= c->argc) reply_error(c, "a fault needs an action after its match");
        fault_free(f);
        return;
    }
    if (fault_parse_action(c, f, &i) == -1 || fault_parse_options(c, f, i) == -1) {
        fault_free(f);
        return;
    }
    f->id = sds_dup(c->argv[3]);
    *fault_link_of(f->id) = f; /* the end of the list */
    fault_armed = 1;
    reply_ok(c);
}

/* ---------------------------------------------------------- LIST, DEL, RESET */

static sds fault_match_text(const fault *f) {
    switch (f->match) {
    case MATCH_ANY: return sds_new("ANY");
    case MATCH_COMMAND:
        return f->sub ? sds_cat_printf(sds_empty(), "COMMAND %s|%s", f->name, f->sub)
                      : sds_cat_printf(sds_empty(), "COMMAND %s", f->name);
    case MATCH_KEY: return sds_cat_printf(sds_empty(), "KEY %s", f->pattern);
    }
    return sds_empty();
}

static sds fault_action_text(const fault *f) {
    switch (f->action) {
    case ACT_ERROR: return sds_cat_printf(sds_empty(), "ERROR %s", f->reply[0] == '-' ? f->reply + 1 : f->reply);
    case ACT_DELAY: return sds_cat_printf(sds_empty(), "DELAY %lld", f->ms);
    case ACT_CLOSE: return sds_new(f->after ? "CLOSE AFTER" : "CLOSE BEFORE");
    case ACT_DROP_REPLY: return sds_new("DROP-REPLY");
    case ACT_PARTIAL: return sds_cat_printf(sds_empty(), "PARTIAL %lld %s", f->bytes, f->after ? "CLOSE" : "STALL");
    case ACT_SLOW_READ: return sds_cat_printf(sds_empty(), "SLOW-READ %lld", f->ms);
    }
    return sds_empty();
}

/* One map per fault (a flat array in RESP2): id, match, action, count
 * (fires left, -1: no limit), probability, client (null: any), fired. */
static void fault_list(client *c) {
    long n = 0;
    for (fault *f = faults; f; f = f->next) n++;
    reply_array_len(c, n);
    for (fault *f = faults; f; f = f->next) {
        reply_map_len(c, 7);
        reply_bulk_cstr(c, "id");
        reply_bulk_sds(c, f->id);
        sds m = fault_match_text(f), a = fault_action_text(f);
        reply_bulk_cstr(c, "match");
        reply_bulk_sds(c, m);
        reply_bulk_cstr(c, "action");
        reply_bulk_sds(c, a);
        sds_free(m);
        sds_free(a);
        reply_bulk_cstr(c, "count");
        reply_integer(c, f->count);
        reply_bulk_cstr(c, "probability");
        reply_double(c, f->probability);
        reply_bulk_cstr(c, "client");
        reply_bulk_cstr(c, f->client);
        reply_bulk_cstr(c, "fired");
        reply_integer(c, f->fired);
    }
}

static void fault_reset(void) {
    while (faults) {
        fault *f = faults;
        faults = f->next;
        fault_free(f);
    }
    fault_armed = 0;
}

void testctl_fault_command(client *c) {
    const char *op = c->argv[2];
    c->flags |= CLIENT_FAULT_EXEMPT;
    if (strcasecmp(op, "add") == 0) {
        fault_add(c);
    } else if (strcasecmp(op, "del") == 0 && c->argc == 4) {
        fault **pp = fault_link_of(c->argv[3]);
        if (*pp == NULL) {
            reply_error_format(c, "no such fault '%.128s'", c->argv[3]);
            return;
        }
        fault *f = *pp;
        fault_unlink(f);
        fault_free(f);
        reply_ok(c);
    } else if ((strcasecmp(op, "list") == 0 || strcasecmp(op, "reset") == 0) && c->argc == 3) {
        if (strcasecmp(op, "list") == 0) fault_list(c);
        else fault_reset(), reply_ok(c);
    } else if (!strcasecmp(op, "del") || !strcasecmp(op, "list") || !strcasecmp(op, "reset")) {
        reply_error_arity(c);
    } else {
        reply_error_format(c, "unknown MINIRED FAULT operation '%.128s'. Try MINIRED HELP.", op);
    }
}
