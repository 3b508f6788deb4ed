/* latency.c -- the latency monitor and the per-command latency histograms.
 *
 * Owns the event time series (LATENCY LATEST/HISTORY/GRAPH/DOCTOR/RESET)
 * and one histogram per command that has run (INFO latencystats, LATENCY
 * HISTOGRAM). Never blocks or allocates on the hot path except a command's
 * first histogram. Invariant: an event series exists only once it holds a
 * sample; a histogram exists only once its command ran. */
#include "latency.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "lathist.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"
#include "vclock.h"

/* Histograms by command: open addressing on the entry's address, so the
 * per-command cost is a multiply and (almost always) one probe. */
#define HIST_TABLE_SLOTS 1024 /* > 2x the number of commands + subcommands */

static struct hist_slot {
    const redis_command *cmd;
    lat_hist *hist;
} hist_table[HIST_TABLE_SLOTS];

static lat_hist *hist_for(const redis_command *cmd, int create) {
    uint64_t hv = ((uint64_t)(uintptr_t)cmd * 0x9E3779B97F4A7C15ULL) >> 54; /* 10 bits */
    for (unsigned i = 0; i < HIST_TABLE_SLOTS; i++) {
        struct hist_slot *s = &hist_table[(hv + i) & (HIST_TABLE_SLOTS - 1)];
        if (s->cmd == cmd) return s->hist;
        if (s->cmd == NULL) {
            if (!create) return NULL;
            s->cmd = cmd;
            s->hist = zcalloc(sizeof(lat_hist));
            return s->hist;
        }
    }
    return NULL;
}

void latency_reset_histograms(void) {
    for (int i = 0; i < HIST_TABLE_SLOTS; i++) zfree(hist_table[i].hist);
    memset(hist_table, 0, sizeof(hist_table));
}

/* Redis 7.0's default latency-tracking-info-percentiles. */
static const double info_percentiles[] = {50.0, 99.0, 99.9};

static void cat_info_one(redis_command *cmd, void *ctx) {
    sds *s = ctx;
    lat_hist *h = hist_for(cmd, 0);
    if (h == NULL || h->total == 0) return;
    *s = sds_cat_printf(*s, "latency_percentiles_usec_%s:", cmd->fullname);
    for (size_t i = 0; i < sizeof(info_percentiles) / sizeof(info_percentiles[0]); i++) {
        double us = (double)lat_hist_value_at_percentile(h, info_percentiles[i]) / 1000.0;
        *s = sds_cat_printf(*s, "%sp%g=%.3f", i ? "," : "", info_percentiles[i], us);
    }
    *s = sds_cat_len(*s, "\r\n", 2);
}

sds latency_cat_info(sds s) {
    cmd_foreach(cat_info_one, &s);
    return s;
}

/* ------------------------------------------------------------ events */

#define LATENCY_MAX_EVENTS 16
#define LATENCY_EVENT_NAME_LEN 32
#define LATENCY_GRAPH_COLS 80
#define LATENCY_GRAPH_ROWS 4

struct latency_sample {
    int32_t time; /* unix seconds; 0: empty slot */
    uint32_t latency_ms;
};

struct latency_series {
    char name[LATENCY_EVENT_NAME_LEN];
    int idx; /* next slot to write */
    uint32_t max_ms;
    struct latency_sample samples[LATENCY_TS_LEN];
};

static struct latency_series *events[LATENCY_MAX_EVENTS];
static int event_count;

static struct latency_series *event_find(const char *name) {
    for (int i = 0; i < event_count; i++)
        if (strcasecmp(events[i]->name, name) == 0) return events[i];
    return NULL;
}

/* One sample per second: a second spike in the same second keeps the max. */
static void event_add_sample(const char *name, long long ms) {
    struct latency_series *ts = event_find(name);
    if (ts == NULL) {
        if (event_count == LATENCY_MAX_EVENTS) return;
        ts = zcalloc(sizeof(*ts));
        snprintf(ts->name, sizeof(ts->name), "%s", name);
        events[event_count++] = ts;
    }
    uint32_t v = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
    int32_t now = (int32_t)vclock_s();
    if (v > ts->max_ms) ts->max_ms = v;
    struct latency_sample *prev = &ts->samples[(ts->idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
    if (prev->time == now) {
        if (v > prev->latency_ms) prev->latency_ms = v;
        return;
    }
    ts->samples[ts->idx].time = now;
    ts->samples[ts->idx].latency_ms = v;
    ts->idx = (ts->idx + 1) % LATENCY_TS_LEN;
}

void latency_add_sample_if_needed(const char *event, long long ms) {
    if (cfg.latency_monitor_threshold && ms >= cfg.latency_monitor_threshold) event_add_sample(event, ms);
}

void latency_after_command(redis_command *cmd, long long duration_us) {
    lat_hist_record(hist_for(cmd, 1), duration_us * 1000);
    if (cfg.latency_monitor_threshold)
        latency_add_sample_if_needed((cmd->flags & CMD_FAST) ? "fast-command" : "command", duration_us / 1000);
}

/* ------------------------------------------------------------ commands */

static void latency_latest_command(client *c) {
    reply_array_len(c, event_count);
    for (int i = 0; i < event_count; i++) {
        struct latency_series *ts = events[i];
        struct latency_sample *last = &ts->samples[(ts->idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
        reply_array_len(c, 4);
        reply_bulk_cstr(c, ts->name);
        reply_integer(c, last->time);
        reply_integer(c, last->latency_ms);
        reply_integer(c, ts->max_ms);
    }
}

/* Loops with s over each non-empty sample of ts, oldest first. */
#define FOR_EACH_SAMPLE(ts, s)                                                             \
    for (int j_ = 0; j_ < LATENCY_TS_LEN; j_++)                                            \
        for (const struct latency_sample *s = &(ts)->samples[((ts)->idx + j_) % LATENCY_TS_LEN]; \
             s && s->time; s = NULL)

static void latency_history_command(client *c) {
    struct latency_series *ts = event_find(c->argv[2]);
    if (ts == NULL) {
        reply_array_len(c, 0);
        return;
    }
    long n = 0;
    FOR_EACH_SAMPLE(ts, s) n++;
    reply_array_len(c, n);
    FOR_EACH_SAMPLE(ts, s) {
        reply_array_len(c, 2);
        reply_integer(c, s->time);
        reply_integer(c, s->latency_ms);
    }
}

static void event_delete(int i) {
    zfree(events[i]);
    events[i] = events[--event_count];
}

static void latency_reset_command(client *c) {
    long long resets = 0;
    if (c->argc == 2) {
        resets = event_count;
        while (event_count) event_delete(event_count - 1);
    } else {
        for (int a = 2; a < c->argc; a++) {
            for (int i = 0; i < event_count; i++) {
                if (strcasecmp(events[i]->name, c->argv[a]) == 0) {
                    event_delete(i);
                    resets++;
                    break;
                }
            }
        }
    }
    reply_integer(c, resets);
}

static void latency_help_command(client *c) {
    static const char *help[] = {
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command "
        "names.",
        "    If no commands are specified then all histograms are replied.",
        NULL};
    reply_help(c, help);
}

/* ------------------------------------------------------------ graph */

/* Sparkline glyphs, lowest first; FILL draws '|' below the top glyph. */
static const char sparkline_fill[] = "_o#";
#define SPARKLINE_CHARSET_LEN 3
#define SPARKLINE_LABEL_MARGIN_TOP 1

struct spark_sample {
    double value;
    char label[24]; /* "<n>s" with room for any long */
};

/* Renders samples [offset, offset+len) as rows of glyphs scaled between
 * min and max, one blank row, then each label written vertically. */
static sds sparkline_render_range(sds out, const struct spark_sample *sm, double min, double max, int offset,
                                  int len) {
    double relmax = max - min;
    if (relmax == 0) relmax = 1;
    int steps = SPARKLINE_CHARSET_LEN * LATENCY_GRAPH_ROWS;
    char chars[LATENCY_GRAPH_COLS];
    for (int row = 0;; row++) {
        int more = 0;
        memset(chars, ' ', (size_t)len);
        for (int j = 0; j < len; j++) {
            const struct spark_sample *s = &sm[offset + j];
            if (row < LATENCY_GRAPH_ROWS) {
                int step = (int)((s->value - min) * steps / relmax);
                if (step < 0) step = 0;
                if (step >= steps) step = steps - 1;
                int charidx = step - (LATENCY_GRAPH_ROWS - row - 1) * SPARKLINE_CHARSET_LEN;
                more = 1;
                if (charidx >= 0 && charidx < SPARKLINE_CHARSET_LEN) chars[j] = sparkline_fill[charidx];
                else if (charidx >= SPARKLINE_CHARSET_LEN) chars[j] = '|';
            } else if (row - LATENCY_GRAPH_ROWS < SPARKLINE_LABEL_MARGIN_TOP) {
                more = 1;
                break;
            } else {
                int label_char = row - LATENCY_GRAPH_ROWS - SPARKLINE_LABEL_MARGIN_TOP;
                if ((int)strlen(s->label) > label_char) {
                    more = 1;
                    chars[j] = s->label[label_char];
                }
            }
        }
        if (!more) return out;
        out = sds_cat_len(out, chars, (size_t)len);
        out = sds_cat_len(out, "\n", 1);
    }
}

/* "10s", "3m", "2h", "1d": how long ago a sample was taken. */
static void format_elapsed(char *buf, size_t len, long elapsed) {
    if (elapsed < 60) snprintf(buf, len, "%lds", elapsed);
    else if (elapsed < 3600) snprintf(buf, len, "%ldm", elapsed / 60);
    else if (elapsed < 86400) snprintf(buf, len, "%ldh", elapsed / 3600);
    else snprintf(buf, len, "%ldd", elapsed / 86400);
}

static sds latency_graph(sds out, const struct latency_series *ts) {
    struct spark_sample sm[LATENCY_TS_LEN];
    int n = 0;
    uint32_t min = 0, max = 0;
    time_t now = (time_t)vclock_s();
    FOR_EACH_SAMPLE(ts, s) {
        if (n == 0 || s->latency_ms < min) min = s->latency_ms;
        if (n == 0 || s->latency_ms > max) max = s->latency_ms;
        sm[n].value = s->latency_ms;
        format_elapsed(sm[n].label, sizeof(sm[n].label), (long)(now - s->time));
        n++;
    }
    out = sds_cat_printf(out, "%s - high %lu ms, low %lu ms (all time high %lu ms)\n", ts->name, (unsigned long)max,
                         (unsigned long)min, (unsigned long)ts->max_ms);
    for (int j = 0; j < LATENCY_GRAPH_COLS; j++) out = sds_cat_len(out, "-", 1);
    out = sds_cat_len(out, "\n", 1);
    for (int j = 0; j < n; j += LATENCY_GRAPH_COLS) {
        int sublen = n - j < LATENCY_GRAPH_COLS ? n - j : LATENCY_GRAPH_COLS;
        if (j) out = sds_cat_len(out, "\n", 1);
        out = sparkline_render_range(out, sm, min, max, j, sublen);
    }
    return out;
}

static void latency_graph_command(client *c) {
    struct latency_series *ts = event_find(c->argv[2]);
    if (ts == NULL) {
        reply_error_format(c, "No samples available for event '%s'", c->argv[2]);
        return;
    }
    sds g = latency_graph(sds_empty(), ts);
    reply_verbatim(c, g, sds_len(g), "txt");
    sds_free(g);
}

/* ------------------------------------------------------------ doctor */

struct latency_stats {
    uint32_t samples, avg, mad;
    long period; /* seconds since the oldest sample, at least 1 */
};

static void latency_analyze(const struct latency_series *ts, struct latency_stats *st) {
    uint64_t sum = 0;
    int32_t oldest = 0;
    memset(st, 0, sizeof(*st));
    FOR_EACH_SAMPLE(ts, s) {
        st->samples++;
        sum += s->latency_ms;
        if (oldest == 0 || s->time < oldest) oldest = s->time;
    }
    if (st->samples == 0) return;
    st->avg = (uint32_t)(sum / st->samples);
    st->period = (long)(vclock_s() - oldest);
    if (st->period == 0) st->period = 1;
    sum = 0;
    FOR_EACH_SAMPLE(ts, s) sum += s->latency_ms > st->avg ? s->latency_ms - st->avg : st->avg - s->latency_ms;
    st->mad = (uint32_t)(sum / st->samples);
}

enum {
    ADVISE_SLOWLOG_ENABLED = 1 << 0,
    ADVISE_SLOWLOG_TUNING = 1 << 1,
    ADVISE_SLOWLOG_INSPECT = 1 << 2,
    ADVISE_SCHEDULER = 1 << 3,
    ADVISE_LARGE_OBJECTS = 1 << 4,
};

static int latency_advices_for(const char *event) {
    int adv = 0;
    if (strcasecmp(event, "command") == 0) {
        if (cfg.slowlog_log_slower_than < 0 || cfg.slowlog_max_len == 0) adv |= ADVISE_SLOWLOG_ENABLED;
        else if (cfg.slowlog_log_slower_than / 1000 > cfg.latency_monitor_threshold) adv |= ADVISE_SLOWLOG_TUNING;
        adv |= ADVISE_SLOWLOG_INSPECT | ADVISE_LARGE_OBJECTS;
    } else if (strcasecmp(event, "fast-command") == 0) {
        adv |= ADVISE_SCHEDULER;
    }
    return adv;
}

static sds latency_cat_advices(sds r, int adv) {
    unsigned long long us = (unsigned long long)cfg.latency_monitor_threshold * 1000;
    if (adv & ADVISE_SLOWLOG_ENABLED)
        r = sds_cat_printf(r, "- There are latency issues with potentially slow commands you are using. Try to enable "
                              "the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %llu'. "
                              "If the Slow log is disabled Redis is not able to log slow commands execution for you.\n",
                           us);
    if (adv & ADVISE_SLOWLOG_TUNING)
        r = sds_cat_printf(r, "- Your current Slow Log configuration only logs events that are slower than your "
                              "configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than "
                              "%llu'.\n",
                           us);
    if (adv & ADVISE_SLOWLOG_INSPECT)
        r = sds_cat(r, "- Check your Slow Log to understand what are the commands you are running which are too slow "
                       "to execute. Please check https://redis.io/commands/slowlog for more information.\n");
    if (adv & ADVISE_SCHEDULER)
        r = sds_cat(r, "- The system is slow to execute Redis code paths not containing system calls. This usually "
                       "means the system does not provide Redis CPU time to run for long periods. You should try "
                       "to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Redis if you are running "
                       "other software in the same system.\n  3) Check if you have a \"noisy neighbour\" problem.\n"
                       "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your "
                       "system.\n");
    if (adv & ADVISE_LARGE_OBJECTS)
        r = sds_cat(r, "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking "
                       "operation. If you have very large objects that are often deleted, expired, or evicted, try "
                       "to fragment those objects into multiple smaller objects.\n");
    return r;
}

static sds latency_report(void) {
    if (event_count == 0 && cfg.latency_monitor_threshold == 0)
        return sds_new("I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. "
                       "You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. "
                       "If we weren't in a deep space mission I'd suggest to take a look at "
                       "https://redis.io/topics/latency-monitor.\n");
    sds r = sds_empty();
    int adv = 0, shown = 0;
    for (int i = 0; i < event_count; i++) {
        struct latency_stats st;
        latency_analyze(events[i], &st);
        if (st.samples == 0) continue;
        if (++shown == 1)
            r = sds_cat(r, "Dave, I have observed latency spikes in this Redis instance. You don't mind talking "
                           "about it, do you Dave?\n\n");
        r = sds_cat_printf(r,
                           "%d. %s: %u latency spikes (average %lums, mean deviation %lums, period %.2f sec). "
                           "Worst all time event %lums.\n",
                           shown, events[i]->name, st.samples, (unsigned long)st.avg, (unsigned long)st.mad,
                           (double)st.period / st.samples, (unsigned long)events[i]->max_ms);
        adv |= latency_advices_for(events[i]->name);
    }
    if (shown == 0)
        return sds_cat(r, "Dave, no latency spike was observed during the lifetime of this Redis instance, not in "
                          "the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, "
                          "and think things over.\n");
    if (adv == 0)
        return sds_cat(r, "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please "
                          "use the Redis community to get some help, providing this report in your help request.\n");
    r = sds_cat(r, "\nI have a few advices for you:\n\n");
    return latency_cat_advices(r, adv);
}

static void latency_doctor_command(client *c) {
    sds r = latency_report();
    reply_verbatim(c, r, sds_len(r), "txt");
    sds_free(r);
}

/* ------------------------------------------------------------ histogram */

struct cdf_ctx {
    client *c;
};

static void reply_cdf_step(int64_t upper_ns, uint64_t cumulative, void *ctx) {
    client *c = ((struct cdf_ctx *)ctx)->c;
    reply_integer(c, upper_ns / 1000);
    reply_integer(c, (long long)cumulative);
}

/* Replies "name" => {calls, histogram_usec} if cmd has a histogram;
 * returns 1 if it did. */
static int reply_command_cdf(client *c, const redis_command *cmd) {
    lat_hist *h = hist_for(cmd, 0);
    if (h == NULL || h->total == 0) return 0;
    reply_bulk_cstr(c, cmd->fullname);
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "calls");
    reply_integer(c, (long long)h->total);
    reply_bulk_cstr(c, "histogram_usec");
    void *len = reply_deferred_len(c);
    struct cdf_ctx ctx = {c};
    int n = lat_hist_cdf(h, reply_cdf_step, &ctx);
    reply_set_deferred_map_len(c, len, n);
    return 1;
}

struct all_cdf_ctx {
    client *c;
    long n;
};

static void reply_any_cdf(redis_command *cmd, void *ctx) {
    struct all_cdf_ctx *a = ctx;
    a->n += reply_command_cdf(a->c, cmd);
}

/* "client|list" or "get": a command or subcommand by full name. */
static redis_command *lookup_fullname(const sds name) {
    const char *bar = memchr(name, '|', sds_len(name));
    if (bar == NULL) return cmd_lookup_sds(name);
    redis_command *parent = cmd_lookup(name, (size_t)(bar - name));
    if (parent == NULL || parent->subcommands == NULL) return NULL;
    return cmd_lookup_subcommand(parent, bar + 1);
}

static void latency_histogram_command(client *c) {
    void *len = reply_deferred_len(c);
    struct all_cdf_ctx a = {c, 0};
    if (c->argc == 2) {
        cmd_foreach(reply_any_cdf, &a);
    } else {
        for (int i = 2; i < c->argc; i++) {
            redis_command *cmd = lookup_fullname(c->argv[i]);
            if (cmd == NULL) continue;
            a.n += reply_command_cdf(c, cmd);
            if (cmd->subcommands)
                for (redis_command *sub = cmd->subcommands; sub->name; sub++) a.n += reply_command_cdf(c, sub);
        }
    }
    reply_set_deferred_map_len(c, len, a.n);
}

/* ---------------------------------------------------------- table */

#define ADMIN_DIAG_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define LATENCY_TIPS "nondeterministic_output request_policy:all_nodes response_policy:special"

static redis_command latency_subcommands[] = {
    {.name = "graph", .proc = latency_graph_command, .arity = 3, .flags = ADMIN_DIAG_FLAGS, .tips = LATENCY_TIPS,
     .group = "server", .since = "2.8.13", .summary = "Return a latency graph for the event.", .complexity = "O(1)"},
    {.name = "doctor", .proc = latency_doctor_command, .arity = 2, .flags = ADMIN_DIAG_FLAGS, .tips = LATENCY_TIPS,
     .group = "server", .since = "2.8.13", .summary = "Return a human readable latency analysis report.",
     .complexity = "O(1)"},
    {.name = "latest", .proc = latency_latest_command, .arity = 2, .flags = ADMIN_DIAG_FLAGS, .tips = LATENCY_TIPS,
     .group = "server", .since = "2.8.13", .summary = "Return the latest latency samples for all events.",
     .complexity = "O(1)"},
    {.name = "history", .proc = latency_history_command, .arity = 3, .flags = ADMIN_DIAG_FLAGS, .tips = LATENCY_TIPS,
     .group = "server", .since = "2.8.13", .summary = "Return timestamp-latency samples for the event.",
     .complexity = "O(1)"},
    {.name = "reset", .proc = latency_reset_command, .arity = -2, .flags = ADMIN_DIAG_FLAGS, .tips = ALL_NODES_OK,
     .group = "server", .since = "2.8.13", .summary = "Reset latency data for one or more events.",
     .complexity = "O(1)"},
    {.name = "help", .proc = latency_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE, .group = "server",
     .since = "2.8.13", .summary = "Show helpful text about the different subcommands.", .complexity = "O(1)"},
    {.name = "histogram", .proc = latency_histogram_command, .arity = -2, .flags = ADMIN_DIAG_FLAGS,
     .tips = LATENCY_TIPS, .group = "server", .since = "7.0.0",
     .summary = "Return the cumulative distribution of latencies of a subset of commands or all.",
     .complexity = "O(N) where N is the number of commands with latency information being retrieved."},
    {0}};

redis_command latency_commands[] = {
    {.name = "latency", .arity = -2, .group = "server", .since = "2.8.13",
     .summary = "A container for latency diagnostics commands", .complexity = "Depends on subcommand.",
     .subcommands = latency_subcommands},
    {0}};
