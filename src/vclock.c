/* vclock.c -- the virtual clock the data reads: its state and arithmetic.
 *
 * Owns vclock_state (read inline by vclock.h); only vclock_cmd.c (MINIRED
 * CLOCK) changes it, through the vclock_apply_* functions here.
 * Invariant: the data clock never goes backwards while this server runs
 * (FREEZE, ADVANCE, SET and RESUME only hold it or move it forward), so
 * stream IDs, TTLs and LRU stamps taken from it stay ordered. The real
 * clock keeps pacing the server (cron, script limits, fsync): only "the
 * time of the data" is virtual. The arithmetic (vclock_apply_*) is pure so
 * tests/unit/test_vclock.c checks it without a server (this file
 * includes no server header). */
#include "vclock.h"

struct vclock_state vclock_state;

/* ---------------------------------------------------------- arithmetic */

long long vclock_at(const struct vclock_state *st, long long real_us) {
    if (!st->moved) return real_us;
    return st->frozen ? st->frozen_us : real_us + st->offset_us;
}

/* Moves *st to stand (frozen or running as before) at target_us. */
static enum vclock_result vclock_move_to(struct vclock_state *st, long long real_us, long long target_us) {
    if (target_us > VCLOCK_MAX_MS * 1000) return VCLOCK_OVERFLOW;
    if (target_us < vclock_at(st, real_us)) return VCLOCK_BACKWARDS;
    if (st->frozen) st->frozen_us = target_us;
    else st->offset_us = target_us - real_us;
    st->moved = 1;
    return VCLOCK_OK;
}

enum vclock_result vclock_apply_freeze(struct vclock_state *st, long long real_us) {
    if (st->frozen) return VCLOCK_OK; /* already standing: stays where it is */
    st->frozen_us = vclock_at(st, real_us);
    st->frozen = 1;
    st->moved = 1;
    return VCLOCK_OK;
}

enum vclock_result vclock_apply_resume(struct vclock_state *st, long long real_us) {
    if (!st->frozen) return VCLOCK_OK;
    /* Runs on from where it stands: no jump either way. */
    st->offset_us = st->frozen_us - real_us;
    st->frozen = 0;
    st->moved = 1;
    return VCLOCK_OK;
}

enum vclock_result vclock_apply_advance(struct vclock_state *st, long long real_us, long long ms) {
    if (ms < 0) return VCLOCK_NEGATIVE;
    if (ms > VCLOCK_MAX_MS) return VCLOCK_OVERFLOW;
    return vclock_move_to(st, real_us, vclock_at(st, real_us) + ms * 1000);
}

enum vclock_result vclock_apply_set(struct vclock_state *st, long long real_us, long long unix_ms) {
    if (unix_ms < 0) return VCLOCK_NEGATIVE;
    if (unix_ms > VCLOCK_MAX_MS) return VCLOCK_OVERFLOW;
    /* SET freezes first, so the time it sets is the time every later read
     * sees until ADVANCE or RESUME: what a deterministic test wants. */
    struct vclock_state next = *st;
    vclock_apply_freeze(&next, real_us);
    enum vclock_result r = vclock_move_to(&next, real_us, unix_ms * 1000);
    if (r == VCLOCK_OK) *st = next;
    return r;
}
