/* vclock_cmd.c -- MINIRED CLOCK: FREEZE, ADVANCE, SET, RESUME, GET.
 *
 * Changes the data clock only through vclock_apply_* (vclock.c), and only
 * when testctl_clock_refusal allows it (testctl.c has already checked
 * enable-test-controls). After a move it refreshes what caches the data
 * clock (the command's "now", the LRU clock, blocked clients' timers), so
 * the very next command sees the new time. */
#include "vclock.h"

#include <strings.h>

#include "blocking.h"
#include "replication.h"
#include "db.h"
#include "reply.h"
#include "cluster.h"
#include "testctl.h"
#include "util.h"

const char *testctl_clock_refusal(void) {
    /* Absolute times (TTLs, stream IDs, LASTSAVE) go into the RDB, the AOF
     * and the replication stream as the data clock reads them: a replica
     * or a cluster peer on real time would disagree with us. So the clock
     * stays on real time while this server has replicas or is one, and in
     * cluster mode. */
    if (cluster) return "the virtual clock cannot move in cluster mode";
    return repl_clock_refusal();
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
