/* expire.h -- key expiry: the EXPIRE/TTL command family (expire.c) and the
 * active expire cycle that reclaims expired keys nobody reads.
 *
 * The cycle samples keys that have a TTL, a few buckets at a time per
 * database, deletes the expired ones, and keeps going while more than
 * ~10% of a sample was expired, within a time budget. The "slow" cycle
 * gets ~25% of each cron period, run in slices of at most EXPIRE_SLICE_US
 * with the event loop served between slices; a "fast" cycle of ~1 ms runs
 * from before-sleep while a backlog remains. */
#ifndef MINIRED_EXPIRE_H
#define MINIRED_EXPIRE_H

#include <limits.h>

/* Called by server.c: once per cron tick, and from the before-sleep hook. */
void expire_cron(void);
void expire_before_sleep(void);
/* DEBUG SET-ACTIVE-EXPIRE: 0 stops active expiry (lazy expiry remains). */
void expire_set_active(int on);

/* Counters for INFO: a running estimate of the percentage of keys with a
 * TTL that are already expired, how often a slow cycle ran out of time,
 * and the CPU spent in the cycle. */
typedef struct expire_stats {
    double stale_perc;
    long long time_cap_reached_count;
    long long cycle_cpu_ms;
} expire_stats;
void expire_get_stats(expire_stats *out);

/* Option bits of EXPIRE & co. */
#define EXPIRE_NX (1 << 0)
#define EXPIRE_XX (1 << 1)
#define EXPIRE_GT (1 << 2)
#define EXPIRE_LT (1 << 3)
#define EXPIRE_MS_PER_SECOND 1000LL

/* Pure pieces (unit-tested). */

/* Turns an EXPIRE argument into absolute unix ms: v in seconds (in_seconds)
 * or ms, plus basetime (now for EXPIRE/PEXPIRE, 0 for the AT forms).
 * Returns -1 when the unit conversion or the addition would overflow
 * (Redis's "invalid expire time"); negative results are allowed. */
static inline int expire_when_ms(long long v, int in_seconds, long long basetime, long long *out) {
    if (in_seconds) {
        if (v > LLONG_MAX / EXPIRE_MS_PER_SECOND || v < LLONG_MIN / EXPIRE_MS_PER_SECOND) return -1;
        v *= EXPIRE_MS_PER_SECOND;
    }
    if (v > LLONG_MAX - basetime) return -1;
    *out = v + basetime;
    return 0;
}

/* 1 if a new expiry `when` may replace the current one (-1: none) under
 * flags: NX only without a TTL, XX only with one, GT only above it (no TTL
 * counts as infinite), LT only below it. */
static inline int expire_flags_allow(int flags, long long current, long long when) {
    if ((flags & EXPIRE_NX) && current != -1) return 0;
    if ((flags & EXPIRE_XX) && current == -1) return 0;
    if ((flags & EXPIRE_GT) && (current == -1 || when <= current)) return 0;
    if ((flags & EXPIRE_LT) && current != -1 && when >= current) return 0;
    return 1;
}

/* TTL/PTTL/EXPIRETIME/PEXPIRETIME value for a key expiring at `when`
 * (ms): relative to now unless absolute, never negative, rounded to the
 * nearest second unless in_ms. */
static inline long long expire_ttl_reply_value(long long when, long long now, int absolute, int in_ms) {
    long long ttl = absolute ? when : when - now;
    if (ttl < 0) ttl = 0;
    if (in_ms) return ttl;
    /* Round half up without adding first: ttl may be LLONG_MAX. */
    return ttl / EXPIRE_MS_PER_SECOND + (ttl % EXPIRE_MS_PER_SECOND >= EXPIRE_MS_PER_SECOND / 2);
}

#endif
