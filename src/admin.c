/* admin.c -- administration: MONITOR (and its table entry), CLIENT
 * PAUSE's postponing (which asks cmd_resolve what a command is and
 * whether it would run), and the after-command hook (slow log, latency).
 *
 * Owns the monitor list (server.monitor_count), the pause state and the
 * list of clients whose command waits for the pause to end. Never runs a
 * client's input itself from inside another client's command: postponed
 * clients are resumed from a timer. Invariant: a client is in the
 * postponed list exactly while its parsed command waits for a pause. */
#include "admin.h"
#include "networking.h"

#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "latency.h"
#include "monotonic.h"
#include "reply.h"
#include "slowlog.h"
#include "zmalloc.h"

void admin_reply_subcommand_syntax(client *c) {
    sds up = sds_new(c->argv[0]);
    sds_to_upper(up);
    reply_error_format(c, "unknown subcommand or wrong number of arguments for '%.128s'. Try %s HELP.", c->argv[1],
                       up);
    sds_free(up);
}

/* ---------------------------------------------------------- MONITOR */

static client *monitors; /* linked through mon_next */

/* Commands can nest (EXEC runs others): staged texts form a stack, each
 * popped by the after-command hook of the command that staged it. */
#define MONITOR_STAGE_DEPTH 8
static struct monitor_stage {
    client *c;
    redis_command *cmd;
    sds args; /* the quoted arguments, separated by spaces */
} stage[MONITOR_STAGE_DEPTH];
static int stage_depth;

void admin_feed_monitors(client *c) {
    if (stage_depth == MONITOR_STAGE_DEPTH) return;
    struct monitor_stage *st = &stage[stage_depth++];
    st->c = c;
    st->cmd = c->cmd;
    sds s = st->args ? (sds_clear(st->args), st->args) : sds_empty();
    for (int j = 0; j < c->argc; j++) {
        if (j) s = sds_cat_len(s, " ", 1);
        const char *red = slowlog_redacted_arg(c, c->cmd, j);
        if (red) s = sds_cat_repr(s, red, strlen(red));
        else s = sds_cat_repr(s, c->argv[j], sds_len(c->argv[j]));
    }
    st->args = s;
}

/* "+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"" to every monitor. */
static void monitor_send(client *c, const sds args) {
    long long us = ustime();
    sds line;
    if (c->flags & CLIENT_UNIX_SOCKET)
        line = sds_cat_printf(sds_empty(), "+%lld.%06lld [%d unix:%s] ", us / 1000000, us % 1000000, c->db_id,
                              cfg.unixsocket ? cfg.unixsocket : "");
    else
        line = sds_cat_printf(sds_empty(), "+%lld.%06lld [%d %s] ", us / 1000000, us % 1000000, c->db_id, c->addr);
    line = sds_cat_len(line, args, sds_len(args));
    line = sds_cat_len(line, "\r\n", 2);
    for (client *m = monitors; m; m = m->mon_next) reply_proto(m, line, sds_len(line));
    sds_free(line);
}

void admin_feed_monitors_now(client *c) {
    if (!monitors) return;
    sds s = sds_empty();
    for (int j = 0; j < c->argc; j++) {
        if (j) s = sds_cat_len(s, " ", 1);
        s = sds_cat_repr(s, c->argv[j], sds_len(c->argv[j]));
    }
    monitor_send(c, s);
    sds_free(s);
}

static void monitor_after_command(client *c, redis_command *cmd) {
    struct monitor_stage *st = &stage[stage_depth - 1];
    if (st->c != c || st->cmd != cmd) return;
    stage_depth--;
    if (monitors) monitor_send(c, st->args);
}

static void monitor_remove(client *c) {
    client **pp = &monitors;
    while (*pp && *pp != c) pp = &(*pp)->mon_next;
    if (*pp) {
        *pp = c->mon_next;
        server.monitor_count--;
    }
    c->mon_next = NULL;
}

static void monitor_command(client *c) {
    if (c->flags & CLIENT_MONITOR) return; /* already one: Redis stays silent */
    c->flags |= CLIENT_MONITOR;
    c->mon_next = monitors;
    monitors = c;
    server.monitor_count++;
    reply_ok(c);
}

/* ---------------------------------------------------------- CLIENT PAUSE */

int admin_pause_active;
/* A pause of years is checked again hourly: ae timers take a delay that
 * must not overflow when added to the clock. */
#define PAUSE_TIMER_MAX_DELAY_MS (3600LL * 1000)
/* Each purpose (CLIENT PAUSE, SHUTDOWN, FAILOVER) pauses on its own, as
 * in Redis 7.0: ending one (CLIENT UNPAUSE, FAILOVER ABORT) leaves the
 * others on. The server is paused in the strictest mode of those on,
 * until the last of them ends. */
static struct {
    enum admin_pause_mode mode; /* ADMIN_PAUSE_OFF: this purpose is not pausing */
    long long end_ms;
} pauses[ADMIN_PAUSE_PURPOSES];
static enum admin_pause_mode pause_mode;
static long long pause_end_ms;
static long long pause_timer_id = -1;

static client **postponed; /* arrival order */
static size_t postponed_len, postponed_cap;
/* Clients being resumed right now (the list taken from `postponed`); an
 * entry is set to NULL if its client is freed meanwhile. */
static client **resuming;
static size_t resuming_len;

static void postponed_remove(client *c) {
    for (size_t i = 0; i < postponed_len; i++) {
        if (postponed[i] == c) {
            memmove(&postponed[i], &postponed[i + 1], (postponed_len - i - 1) * sizeof(client *));
            postponed_len--;
            return;
        }
    }
}

static void resume_postponed_clients(void) {
    if (postponed_len == 0) return;
    client **list = postponed;
    size_t n = postponed_len;
    postponed = NULL;
    postponed_len = postponed_cap = 0;
    resuming = list;
    resuming_len = n;
    /* A resumed command may start a new pause: the clients after it then
     * go back into the (new) postponed list, still in order. */
    for (size_t i = 0; i < n; i++)
        if (list[i]) net_resume_postponed(list[i]);
    resuming = NULL;
    resuming_len = 0;
    zfree(list);
}

/* Drops the purposes whose time is up and sets the server's pause from
 * those left. */
static void pause_recompute(long long now_ms) {
    pause_mode = ADMIN_PAUSE_OFF;
    pause_end_ms = 0;
    for (int i = 0; i < ADMIN_PAUSE_PURPOSES; i++) {
        if (pauses[i].mode == ADMIN_PAUSE_OFF) continue;
        if (now_ms >= pauses[i].end_ms) {
            pauses[i].mode = ADMIN_PAUSE_OFF;
            continue;
        }
        if (pauses[i].mode > pause_mode) pause_mode = pauses[i].mode;
        if (pauses[i].end_ms > pause_end_ms) pause_end_ms = pauses[i].end_ms;
    }
    admin_pause_active = pause_mode != ADMIN_PAUSE_OFF;
    db_set_expiry_paused(admin_pause_active); /* both modes freeze expiry, as in Redis 7.0 */
}

/* The next time a purpose ends (LLONG_MAX: none pausing). */
static long long pause_next_end(void) {
    long long next = LLONG_MAX;
    for (int i = 0; i < ADMIN_PAUSE_PURPOSES; i++)
        if (pauses[i].mode != ADMIN_PAUSE_OFF && pauses[i].end_ms < next) next = pauses[i].end_ms;
    return next;
}

static void pause_arm_timer(long long delay_ms);

/* Fires when a purpose's time is up (re-arming while others go on) or
 * right after an unpause; resumes the waiting clients once nothing
 * pauses any more, or when the mode eased (ALL to WRITE: reads run). */
static int pause_timer(ae_event_loop *el, long long id, void *data) {
    (void)el, (void)id, (void)data;
    enum admin_pause_mode before = pause_mode;
    pause_recompute(mstime());
    pause_timer_id = -1;
    if (admin_pause_active) pause_arm_timer(pause_next_end() - mstime());
    if (!admin_pause_active || pause_mode < before) resume_postponed_clients();
    return AE_NOMORE;
}

static void pause_arm_timer(long long delay_ms) {
    if (delay_ms < 0) delay_ms = 0;
    if (delay_ms > PAUSE_TIMER_MAX_DELAY_MS) delay_ms = PAUSE_TIMER_MAX_DELAY_MS;
    if (pause_timer_id != -1) ae_delete_time_event(server.el, pause_timer_id);
    pause_timer_id = ae_create_time_event(server.el, delay_ms, pause_timer, NULL, NULL);
}

void admin_pause(enum admin_pause_purpose purpose, enum admin_pause_mode mode, long long end_ms) {
    if (pauses[purpose].mode != ADMIN_PAUSE_OFF) {
        if (mode > pauses[purpose].mode) pauses[purpose].mode = mode;
        if (end_ms > pauses[purpose].end_ms) pauses[purpose].end_ms = end_ms;
    } else {
        pauses[purpose].mode = mode;
        pauses[purpose].end_ms = end_ms;
    }
    pause_recompute(mstime());
    if (admin_pause_active) pause_arm_timer(pause_next_end() - mstime());
}

void admin_unpause(enum admin_pause_purpose purpose) {
    pauses[purpose].mode = ADMIN_PAUSE_OFF;
    pauses[purpose].end_ms = 0;
    pause_recompute(mstime());
    pause_arm_timer(0); /* resumes the waiting clients */
}

int admin_postpone_command(client *c) {
    /* Like replicas, never paused: MONITOR clients, and clients with no
     * socket (they never come through networking.c's input loop anyway). */
    if (c->flags & (CLIENT_MONITOR | CLIENT_NO_SOCKET)) return 0;
    if (admin_client_is_postponed(c)) return 1; /* more input arrived meanwhile */
    if (mstime() >= pause_end_ms) {
        /* Over: the timer resumes the waiting clients; this one runs now. */
        pause_recompute(mstime());
        if (!admin_pause_active) return 0;
    }
    /* A command that will be refused gets its error at once, as in Redis
     * (the pause check comes after every other one). */
    sds err;
    redis_command *cmd = cmd_resolve(c, CMD_CALLER_PAUSE, &err);
    if (err) {
        sds_free(err);
        return 0;
    }
    /* EXEC waits if what it runs would (a queued write). */
    if (pause_mode == ADMIN_PAUSE_WRITE && !(cmd_effective_flags(c, cmd) & (CMD_WRITE | CMD_MAY_REPLICATE)))
        return 0;
    if (postponed_len == postponed_cap) {
        postponed_cap = postponed_cap ? postponed_cap * 2 : 16;
        postponed = zrealloc(postponed, postponed_cap * sizeof(client *));
    }
    postponed[postponed_len++] = c;
    return 1;
}

int admin_client_is_postponed(const client *c) {
    for (size_t i = 0; i < postponed_len; i++)
        if (postponed[i] == c) return 1;
    return 0;
}

unsigned long admin_postponed_count(void) {
    return postponed_len;
}

/* ---------------------------------------------------------- hooks */

void admin_after_command(client *c, redis_command *cmd, long long duration_us) {
    /* A command that blocked is measured when it is finally served. */
    if (!(c->flags & CLIENT_BLOCKED)) {
        latency_after_command(cmd, duration_us);
        if (!(cmd->flags & CMD_SKIP_SLOWLOG)) slowlog_push_if_needed(c, cmd, duration_us);
    }
    if (stage_depth) monitor_after_command(c, cmd);
}

void admin_client_freed(client *c) {
    if (c->flags & CLIENT_MONITOR) monitor_remove(c);
    postponed_remove(c);
    for (size_t i = 0; i < resuming_len; i++)
        if (resuming[i] == c) resuming[i] = NULL;
}

/* ---------------------------------------------------------- table */

#define ADMIN_DIAG_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

redis_command admin_commands[] = {
    /* Redis documents no complexity for MONITOR. */
    {.name = "monitor", .proc = monitor_command, .arity = 1, .flags = ADMIN_DIAG_FLAGS, .group = "server",
     .since = "1.0.0", .summary = "Listen for all requests received by the server in real time"},
    {0}};
