/* vclock.h -- the clock the data reads (issue 12's virtual clock).
 *
 * Every read of "the time of the data" (TTLs, TIME, stream IDs, LRU/LFU,
 * client idle times, slow log and latency stamps, LASTSAVE) goes through
 * vclock_us()/vclock_ms()/vclock_s(); what keeps the server healthy (cron
 * pacing, script limits, fsync cadence, uptime) keeps reading the real
 * clock (ustime(), mono_now_us()).
 *
 * Until MINIRED CLOCK first moves it, the clock is the real one and a read
 * costs ustime() plus one predictable branch on vclock_state.moved. */
#ifndef MINIRED_VCLOCK_H
#define MINIRED_VCLOCK_H

#include "monotonic.h"

/* The clock's whole state, owned by vclock.c (read inline here). */
struct vclock_state {
    int moved;          /* 0 until a CLOCK command changes anything */
    int frozen;         /* 1: the clock stands at frozen_us */
    long long offset_us; /* running: virtual = real + offset_us */
    long long frozen_us; /* frozen: the time it stands at */
};
extern struct vclock_state vclock_state;

/* Pure arithmetic of the clock, testable without a server (vclock.c). */
/* The virtual time for the real time real_us under st. */
long long vclock_at(const struct vclock_state *st, long long real_us);
/* Outcome of a clock change (see vclock_apply_*). */
enum vclock_result { VCLOCK_OK = 0, VCLOCK_NEGATIVE, VCLOCK_BACKWARDS, VCLOCK_OVERFLOW };
/* The virtual clock may never read past this (ms since the epoch): far
 * beyond any TTL, and microseconds of it still fit in a long long. */
#define VCLOCK_MAX_MS (1LL << 52)
/* Each changes *st as of real time real_us; on an error *st is unchanged. */
enum vclock_result vclock_apply_freeze(struct vclock_state *st, long long real_us);
enum vclock_result vclock_apply_resume(struct vclock_state *st, long long real_us);
enum vclock_result vclock_apply_advance(struct vclock_state *st, long long real_us, long long ms);
enum vclock_result vclock_apply_set(struct vclock_state *st, long long real_us, long long unix_ms);

/* Microseconds / milliseconds / seconds since the epoch on the data clock. */
static inline long long vclock_us(void) {
    if (__builtin_expect(vclock_state.moved, 0)) return vclock_at(&vclock_state, ustime());
    return ustime();
}
static inline long long vclock_ms(void) {
    return vclock_us() / 1000;
}
static inline long long vclock_s(void) {
    return vclock_us() / 1000000;
}
/* The data-clock time matching a real unix-ms stamp already read (the
 * event loop's server.loop_ms): no second clock read. */
static inline long long vclock_ms_from_real(long long real_ms) {
    if (__builtin_expect(vclock_state.moved, 0)) return vclock_at(&vclock_state, real_ms * 1000) / 1000;
    return real_ms;
}

/* Why MINIRED CLOCK may not run now (NULL: it may); see vclock.c. */
const char *testctl_clock_refusal(void);

#endif
