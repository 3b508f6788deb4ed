/* vclock.c -- the virtual clock the data reads, and MINIRED CLOCK.
 *
 * Owns vclock_state (read inline by vclock.h); nothing else writes it.
 * Invariant: the data clock never goes backwards while this server runs
 * (FREEZE, ADVANCE, SET and RESUME only hold it or move it forward), so
 * stream IDs, TTLs and LRU stamps taken from it stay ordered. The real
 * clock keeps pacing the server (cron, script limits, fsync): only "the
 * time of the data" is virtual. The arithmetic (vclock_apply_*) is pure so
 * tests/unit/test_vclock.c checks it without a server. */
#include "vclock.h"

#include <strings.h>

#include "blocking.h"
#include "db.h"
#include "reply.h"
#include "testctl.h"
#include "util.h"

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

/* ---------------------------------------------------------- command */

const char *testctl_clock_refusal(void) {
    /* Absolute times (TTLs, stream IDs, LASTSAVE) go into the RDB, the AOF
     * and the replication stream as the data clock reads them: a replica
     * or a cluster peer on real time would disagree with us. minired has
     * no replication or cluster mode yet, so nothing refuses today; once
     * it has, this returns the refusal while there are replicas, while
     * this server is a replica, or in cluster mode. */
    return NULL;
}

/* What the rest of the server caches of the data clock is refreshed at
 * once, so a moved clock shows in the very next command. */
static void vclock_after_move(client *c) {
    server.cmd_time_ms = 0;
    db_clock_refresh();
    blocking_clock_moved();
    c->last_interaction_ms = vclock_ms(); /* the issuer was just active */
}

static void vclock_reply_result(client *c, enum vclock_result r, const char *op) {
    switch (r) {
    case VCLOCK_OK: reply_ok(c); break;
    case VCLOCK_NEGATIVE: reply_error_format(c, "CLOCK %s needs a non-negative integer", op); break;
    case VCLOCK_BACKWARDS:
        reply_error_format(c, "CLOCK SET may not move the clock back (it reads %lld ms)", vclock_ms());
        break;
    case VCLOCK_OVERFLOW:
        reply_error_format(c, "CLOCK %s would move the clock past %lld ms", op, (long long)VCLOCK_MAX_MS);
        break;
    }
}

static void vclock_reply_get(client *c) {
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "ms");
    reply_integer(c, vclock_ms());
    reply_bulk_cstr(c, "frozen");
    reply_bool(c, vclock_state.frozen);
}

void testctl_clock_command(client *c) {
    const char *why = testctl_clock_refusal();
    if (why) {
        reply_error(c, why);
        return;
    }
    const char *op = c->argv[2];
    long long real_us = ustime(), arg = 0;
    enum vclock_result r;
    int with_arg = strcasecmp(op, "advance") == 0 || strcasecmp(op, "set") == 0;
    int known = with_arg || strcasecmp(op, "freeze") == 0 || strcasecmp(op, "resume") == 0 ||
                strcasecmp(op, "get") == 0;
    if (!known || c->argc != (with_arg ? 4 : 3)) {
        reply_error_format(c, "unknown subcommand or wrong number of arguments for '%.128s'. Try MINIRED HELP.",
                           op);
        return;
    }
    if (strcasecmp(op, "get") == 0) {
        vclock_reply_get(c);
        return;
    }
    if (with_arg && !string2ll(c->argv[3], sds_len(c->argv[3]), &arg)) {
        reply_error_not_integer(c);
        return;
    }
    if (strcasecmp(op, "freeze") == 0) r = vclock_apply_freeze(&vclock_state, real_us);
    else if (strcasecmp(op, "resume") == 0) r = vclock_apply_resume(&vclock_state, real_us);
    else if (strcasecmp(op, "advance") == 0) r = vclock_apply_advance(&vclock_state, real_us, arg);
    else r = vclock_apply_set(&vclock_state, real_us, arg);
    if (r == VCLOCK_OK) vclock_after_move(c);
    vclock_reply_result(c, r, with_arg ? (strcasecmp(op, "set") == 0 ? "SET" : "ADVANCE") : op);
}
