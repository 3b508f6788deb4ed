/* expire.c -- key expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL,
 * EXPIRETIME, PEXPIRETIME, PERSIST, and the active expire cycle.
 *
 * Owns the cycle's state (per-database scan cursors, budgets, stats); keys
 * are deleted only through db.c. The cycle must never hold the event loop
 * for more than EXPIRE_SLICE_US (plus one sample): a million keys expiring
 * at once are reclaimed over many short slices, with clients served in
 * between (an event-loop timer that re-arms itself with 0 ms while the
 * period's budget and the backlog last). */
#include "expire.h"

#include <string.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "monotonic.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"
#include "vclock.h"

/* Keys sampled per database per round at effort 1 (+1/4 per effort step). */
#define EXPIRE_KEYS_PER_LOOP 20
/* Buckets a round may visit per key it wants (sparse tables). */
#define EXPIRE_BUCKETS_PER_KEY 20
/* Another round in the same database while more than this percentage of
 * the sample was expired (minus one per effort step). */
#define EXPIRE_ACCEPTABLE_STALE_PERC 10
/* Share of each cron period the slow cycle may use (+2 per effort step). */
#define EXPIRE_SLOW_TIME_PERC 25
/* Longest uninterrupted run of the slow cycle. */
#define EXPIRE_SLICE_US 1000
/* The fast cycle's length (+1/4 per effort step); it runs at most once per
 * twice that. */
#define EXPIRE_FAST_DURATION_US 1000
/* Weight of the newest sample in the running stale percentage. */
#define EXPIRE_STALE_PERC_WEIGHT 0.05
#define EXPIRE_US_PER_SECOND 1000000LL

static int expire_active = 1;
static unsigned int expire_next_db;
static unsigned long *expire_cursors;     /* one per database */
static int expire_cursors_len;
static int expire_timed_out;              /* the last cycle ran out of time */
static long long expire_slow_budget_us;   /* left in this cron period */
static long long expire_timer_id = -1;
static monotime expire_last_fast_start;
static double expire_stale_perc;
static long long expire_time_cap_count;
static long long expire_cpu_us;

/* active-expire-effort (1..10) as a 0-based step; a value outside the
 * range (a config not loaded yet) counts as the default, 1. */
static int expire_effort(void) {
    int e = cfg.active_expire_effort;
    return e < 1 || e > 10 ? 0 : e - 1;
}

/* Entries one dict_scan step found: keys are borrowed from the dict. */
struct expire_batch {
    struct expire_item { sds key; long long when; } *items;
    size_t len, cap;
};
static struct expire_batch expire_batch;

static void expire_collect(void *privdata, const dict_entry *de) {
    struct expire_batch *b = privdata;
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->items = zrealloc(b->items, b->cap * sizeof(*b->items));
    }
    b->items[b->len].key = dict_get_key(de);
    b->items[b->len].when = dict_get_signed_int_val(de);
    b->len++;
}

/* One round in database idx: samples up to num keys with a TTL from where
 * its cursor stands and deletes the expired ones. */
static void expire_sample_db(int idx, unsigned long num, long long now_ms, unsigned long *sampled,
                             unsigned long *expired) {
    db *d = &server.dbs[idx];
    unsigned long max_buckets = num * EXPIRE_BUCKETS_PER_KEY;
    *sampled = *expired = 0;
    if (num > dict_size(d->expires)) num = dict_size(d->expires);
    for (unsigned long buckets = 0; *sampled < num && buckets < max_buckets; buckets++) {
        expire_batch.len = 0;
        expire_cursors[idx] = dict_scan(d->expires, expire_cursors[idx], expire_collect, &expire_batch);
        for (size_t i = 0; i < expire_batch.len; i++) {
            (*sampled)++;
            if (expire_batch.items[i].when > now_ms) continue;
            db_expire_key(d, expire_batch.items[i].key); /* frees that key only */
            prop_flush(); /* each expiry is its own unit */
            (*expired)++;
        }
        if (expire_cursors[idx] == 0) break;
    }
}

/* Runs over every database for up to budget_us; returns 1 if it stopped
 * because the time was up (a backlog probably remains). */
static int expire_cycle(long long budget_us) {
    if (db_expiry_paused()) return 0; /* CLIENT PAUSE: keys stay */
    int effort = expire_effort();
    unsigned long per_loop = EXPIRE_KEYS_PER_LOOP + EXPIRE_KEYS_PER_LOOP / 4 * (unsigned long)effort;
    unsigned long stale = (unsigned long)(EXPIRE_ACCEPTABLE_STALE_PERC - effort);
    monotime start = mono_now_us();
    long long now_ms = vclock_ms(); /* the data clock: MINIRED CLOCK moves it */
    unsigned long total_sampled = 0, total_expired = 0;
    int timed_out = 0;
    if (expire_cursors_len != server.dbnum) {
        expire_cursors = zrealloc(expire_cursors, sizeof(unsigned long) * (size_t)server.dbnum);
        memset(expire_cursors, 0, sizeof(unsigned long) * (size_t)server.dbnum);
        expire_cursors_len = server.dbnum;
    }
    for (int j = 0; j < server.dbnum && !timed_out; j++) {
        int idx = (int)(expire_next_db++ % (unsigned int)server.dbnum);
        for (;;) {
            unsigned long sampled, expired;
            if (dict_size(server.dbs[idx].expires) == 0) break;
            expire_sample_db(idx, per_loop, now_ms, &sampled, &expired);
            total_sampled += sampled;
            total_expired += expired;
            /* The clock is read after every round (~20 deletions, a few
             * us; a read costs ~20 ns), so a slice overruns by one round. */
            if ((long long)(mono_now_us() - start) >= budget_us) {
                timed_out = 1;
                break;
            }
            if (sampled == 0 || expired * 100 / sampled <= stale) break;
        }
    }
    expire_cpu_us += (long long)(mono_now_us() - start);
    if (total_sampled) {
        double perc = (double)total_expired / (double)total_sampled;
        expire_stale_perc = perc * EXPIRE_STALE_PERC_WEIGHT + expire_stale_perc * (1 - EXPIRE_STALE_PERC_WEIGHT);
    }
    return timed_out;
}

/* One slice of the slow cycle; returns 1 if another slice should follow
 * (it ran out of time and this period's budget is not spent). */
static int expire_slow_slice(void) {
    long long budget = expire_slow_budget_us < EXPIRE_SLICE_US ? expire_slow_budget_us : EXPIRE_SLICE_US;
    if (budget <= 0) return 0;
    monotime start = mono_now_us();
    expire_timed_out = expire_cycle(budget);
    expire_slow_budget_us -= (long long)(mono_now_us() - start);
    if (expire_timed_out && expire_slow_budget_us <= 0) expire_time_cap_count++;
    return expire_timed_out && expire_slow_budget_us > 0;
}

static int expire_slice_tick(ae_event_loop *el, long long id, void *data) {
    (void)el, (void)id, (void)data;
    if (expire_active && expire_slow_slice()) return 0; /* again after the next poll */
    expire_timer_id = -1;
    return AE_NOMORE;
}

/* A writable replica's own TTLs (db.c keeps their names): one pass of at
 * most EXPIRE_SLICE_US per cron tick, resuming where the last stopped. */
static void expire_replica_keys(void) {
    static unsigned long cursor;
    dict *names = db_replica_keys();
    if (names == NULL || dict_size(names) == 0) {
        cursor = 0;
        return;
    }
    monotime start = mono_now_us();
    long long now_ms = vclock_ms();
    do {
        expire_batch.len = 0;
        cursor = dict_scan(names, cursor, expire_collect, &expire_batch);
        for (size_t i = 0; i < expire_batch.len; i++) db_replica_key_check(expire_batch.items[i].key, now_ms);
    } while (cursor != 0 && (long long)(mono_now_us() - start) < EXPIRE_SLICE_US);
}

/* Gives the slow cycle this period's budget. The first slice runs from
 * the timer, after the next poll: the cron tick has work of its own, and
 * clients waiting now are served first. */
void expire_cron(void) {
    /* A replica's keys expire by its primary's DELs, but for those its
     * own clients gave a TTL. */
    if (!expire_active) return;
    if (server.is_replica) {
        expire_replica_keys();
        return;
    }
    long long period_us = EXPIRE_US_PER_SECOND / (cfg.hz > 0 ? cfg.hz : 1);
    int effort = expire_effort();
    expire_slow_budget_us = period_us * (EXPIRE_SLOW_TIME_PERC + 2 * effort) / 100;
    if (expire_timer_id == -1 && server.el)
        expire_timer_id = ae_create_time_event(server.el, 0, expire_slice_tick, NULL, NULL);
}

/* The fast cycle fills the gaps once the slow budget of the period is
 * spent; while slices are pending it would only lengthen a loop pass. */
void expire_before_sleep(void) {
    if (!expire_active || expire_timer_id != -1 || server.is_replica) return;
    int effort = expire_effort();
    long long stale = EXPIRE_ACCEPTABLE_STALE_PERC - effort;
    if (!expire_timed_out && expire_stale_perc * 100 < (double)stale) return;
    long long duration = EXPIRE_FAST_DURATION_US + EXPIRE_FAST_DURATION_US / 4 * effort;
    monotime now = mono_now_us();
    if (expire_last_fast_start && (long long)(now - expire_last_fast_start) < duration * 2) return;
    expire_last_fast_start = now;
    expire_timed_out = expire_cycle(duration);
}

void expire_set_active(int on) {
    expire_active = on != 0;
}

void expire_get_stats(expire_stats *out) {
    out->stale_perc = expire_stale_perc * 100;
    out->time_cap_reached_count = expire_time_cap_count;
    out->cycle_cpu_ms = expire_cpu_us / 1000;
}

/* ---------------------------------------------------------- commands */

/* Parses NX/XX/GT/LT from argv[3]; replies and returns -1 on an unknown
 * option or a conflict (checked once all are read, as Redis does). */
static int expire_parse_flags(client *c, int *flags) {
    *flags = 0;
    for (int i = 3; i < c->argc; i++) {
        const char *opt = c->argv[i];
        if (strcasecmp(opt, "nx") == 0) *flags |= EXPIRE_NX;
        else if (strcasecmp(opt, "xx") == 0) *flags |= EXPIRE_XX;
        else if (strcasecmp(opt, "gt") == 0) *flags |= EXPIRE_GT;
        else if (strcasecmp(opt, "lt") == 0) *flags |= EXPIRE_LT;
        else {
            reply_error_format(c, "Unsupported option %s", opt);
            return -1;
        }
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        reply_error(c, "NX and XX, GT or LT options at the same time are not compatible");
        return -1;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        reply_error(c, "GT and LT options at the same time are not compatible");
        return -1;
    }
    return 0;
}

/* Replays an EXPIRE family command as "PEXPIREAT key ms [options]": the
 * options are kept as given; PEXPIREAT itself is replayed unchanged. */
static void expire_propagate_absolute(client *c, long long when, int rewrite) {
    if (!rewrite || !prop_active()) return;
    sds *argv = zmalloc(sizeof(sds) * (size_t)c->argc);
    argv[0] = sds_new("PEXPIREAT");
    argv[1] = sds_dup(c->argv[1]);
    argv[2] = sds_from_ll(when);
    for (int i = 3; i < c->argc; i++) argv[i] = sds_dup(c->argv[i]);
    prop_replace(c, c->argc, argv);
}

/* The body of the four EXPIRE commands: relative adds "now". */
static void expire_generic(client *c, int in_seconds, int relative) {
    int flags;
    long long v, when;
    if (expire_parse_flags(c, &flags) < 0) return;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &v)) {
        reply_error_not_integer(c);
        return;
    }
    if (expire_when_ms(v, in_seconds, relative ? db_now_ms() : 0, &when) < 0) {
        reply_error_format(c, "invalid expire time in '%s' command", c->cmd->fullname);
        return;
    }
    sds key = c->argv[1];
    if (db_lookup_write(c->db, key) == NULL) {
        reply_integer(c, 0);
        return;
    }
    if (flags && !expire_flags_allow(flags, db_get_expire(c->db, key), when)) {
        reply_integer(c, 0);
        return;
    }
    if (db_expire_time_passed(when)) {
        /* A time already past deletes the key: a "del", not an expiry,
         * replayed as DEL or UNLINK as lazyfree-lazy-expire frees it. */
        int lazy = cfg.lazyfree_lazy_expire;
        db_delete_maybe_lazy(c->db, key, lazy);
        prop_replacef(c, "cs", lazy ? "UNLINK" : "DEL", key);
        db_signal_modified(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db_id);
    } else {
        db_set_expire(c->db, key, when);
        expire_propagate_absolute(c, when, in_seconds || relative);
        db_signal_modified(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", key, c->db_id);
    }
    db_dirty(1);
    reply_integer(c, 1);
}

static void expire_command(client *c) {
    expire_generic(c, 1, 1);
}

static void pexpire_command(client *c) {
    expire_generic(c, 0, 1);
}

static void expireat_command(client *c) {
    expire_generic(c, 1, 0);
}

static void pexpireat_command(client *c) {
    expire_generic(c, 0, 0);
}

/* TTL & co: -2 for a missing key, -1 without a TTL. Not an access. */
static void ttl_generic(client *c, int absolute, int in_ms) {
    if (db_lookup(c->db, c->argv[1], DB_LOOKUP_NOTOUCH) == NULL) {
        reply_integer(c, -2);
        return;
    }
    long long when = db_get_expire(c->db, c->argv[1]);
    if (when == -1) {
        reply_integer(c, -1);
        return;
    }
    reply_integer(c, expire_ttl_reply_value(when, db_now_ms(), absolute, in_ms));
}

static void ttl_command(client *c) {
    ttl_generic(c, 0, 0);
}

static void pttl_command(client *c) {
    ttl_generic(c, 0, 1);
}

static void expiretime_command(client *c) {
    ttl_generic(c, 1, 0);
}

static void pexpiretime_command(client *c) {
    ttl_generic(c, 1, 1);
}

static void persist_command(client *c) {
    if (db_lookup_write(c->db, c->argv[1]) == NULL || !db_remove_expire(c->db, c->argv[1])) {
        reply_integer(c, 0);
        return;
    }
    db_signal_modified(c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_GENERIC, "persist", c->argv[1], c->db_id);
    db_dirty(1);
    reply_integer(c, 1);
}

/* ---------------------------------------------------------- table */

#define EXPIRE_SET_ENTRY(nm, fn, sum, ver)                                                                   \
    {.name = nm, .proc = fn, .arity = -3, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_KEYSPACE, .first_key = 1, \
     .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_UPDATE, .group = "generic", .since = ver,           \
     .summary = sum, .complexity = "O(1)"}
#define EXPIRE_GET_ENTRY(nm, fn, sum, ver, tip)                                                                 \
    {.name = nm, .proc = fn, .arity = 2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_KEYSPACE, .first_key = 1, \
     .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .tips = tip, .group = "generic",            \
     .since = ver, .summary = sum, .complexity = "O(1)"}

redis_command expire_commands[] = {
    EXPIRE_SET_ENTRY("expire", expire_command, "Set a key's time to live in seconds", "1.0.0"),
    EXPIRE_SET_ENTRY("pexpire", pexpire_command, "Set a key's time to live in milliseconds", "2.6.0"),
    EXPIRE_SET_ENTRY("expireat", expireat_command, "Set the expiration for a key as a UNIX timestamp", "1.2.0"),
    EXPIRE_SET_ENTRY("pexpireat", pexpireat_command,
                     "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "2.6.0"),
    EXPIRE_GET_ENTRY("ttl", ttl_command, "Get the time to live for a key in seconds", "1.0.0",
                     "nondeterministic_output"),
    EXPIRE_GET_ENTRY("pttl", pttl_command, "Get the time to live for a key in milliseconds", "2.6.0",
                     "nondeterministic_output"),
    EXPIRE_GET_ENTRY("expiretime", expiretime_command, "Get the expiration Unix timestamp for a key", "7.0.0", NULL),
    EXPIRE_GET_ENTRY("pexpiretime", pexpiretime_command,
                     "Get the expiration Unix timestamp for a key in milliseconds", "7.0.0", NULL),
    {.name = "persist", .proc = persist_command, .arity = 2, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_UPDATE, .group = "generic",
     .since = "2.2.0", .summary = "Remove the expiration from a key", .complexity = "O(1)"},
    {0}};
