/* repl_shutdown.c -- SHUTDOWN (and SIGTERM / SIGINT) on a primary with
 * replicas, as Redis 7.0 does it: unless NOW, with shutdown-timeout set
 * and some replica behind, writes are paused, replicas are asked for
 * their offset, and the shutdown waits until every replica acked the
 * whole stream or the timeout passed; then server.c's finish function
 * runs the shutdown proper.
 *
 * Owns the waiting state and the SHUTDOWN clients blocked on it. Never
 * exits the process itself: finish does. */
#include "repl_primary_int.h"

#include <limits.h>

#include "admin.h"
#include "blocking.h"
#include "log.h"
#include "monotonic.h"
#include "networking.h"
#include "reply.h"
#include "zmalloc.h"

#define SHUTDOWN_FAILED_TEXT "Errors trying to SHUTDOWN. Check logs."

static struct {
    int active;
    int flags;
    long long deadline_ms;
    repl_shutdown_fn *finish;
    client **clients; /* SHUTDOWN callers blocked until it ends */
    int len, cap;
} shut;

static void waiter_forget(client *c) {
    for (int i = 0; i < shut.len; i++) {
        if (shut.clients[i] != c) continue;
        shut.clients[i] = shut.clients[--shut.len];
        return;
    }
}

static void waiter_timeout(client *c) {
    reply_error(c, SHUTDOWN_FAILED_TEXT);
}

static const blocking_custom shutdown_ops = {.reply_timeout = waiter_timeout, .detached = waiter_forget};

/* Every replica acked all of the stream. */
static int replicas_caught_up(void) {
    for (int i = 0; i < repl_replica_len; i++)
        if (repl_replicas[i]->repl->ack_off != repl.offset) return 0;
    return 1;
}

/* The shutdown did not happen (it failed, or was aborted): its callers
 * hear why, writes resume. */
static void shutdown_cancel(void) {
    shut.active = 0;
    while (shut.len) {
        client *c = shut.clients[0];
        reply_error(c, SHUTDOWN_FAILED_TEXT);
        blocking_unblock_custom(c); /* detached: drops it from the list */
    }
    admin_unpause(ADMIN_PAUSE_SHUTDOWN);
}

int repl_primary_shutdown_wait(client *c, int flags, repl_shutdown_fn *finish) {
    if (!shut.active) {
        if ((flags & SHUTDOWN_NOW) || cfg.shutdown_timeout_sec == 0 || replicas_caught_up()) {
            /* What replicas have not been sent yet leaves now. */
            net_handle_pending_writes();
            return 0;
        }
        shut.active = 1;
        shut.flags = flags;
        shut.finish = finish;
        shut.deadline_ms = mstime() + (long long)cfg.shutdown_timeout_sec * 1000;
        repl_primary_request_acks();
        admin_pause(ADMIN_PAUSE_SHUTDOWN, ADMIN_PAUSE_WRITE, LLONG_MAX);
        log_notice("Waiting for replicas before shutting down.");
    }
    if (c) {
        if (shut.len == shut.cap) {
            shut.cap = shut.cap ? shut.cap * 2 : 2;
            shut.clients = zrealloc(shut.clients, sizeof(client *) * (size_t)shut.cap);
        }
        shut.clients[shut.len++] = c;
        blocking_block_custom(c, 0, &shutdown_ops);
    }
    return 1;
}

int repl_primary_shutdown_pending(void) {
    return shut.active;
}

int repl_primary_shutdown_abort(void) {
    if (!shut.active) return -1;
    shutdown_cancel();
    log_notice("Shutdown manually aborted.");
    return 0;
}

/* Every pass: the wait ends once the replicas caught up or time is up. */
void repl_shutdown_check(void) {
    if (!shut.active || (mstime() < shut.deadline_ms && !replicas_caught_up())) return;
    int lagging = 0;
    long long now = mstime();
    for (int i = 0; i < repl_replica_len; i++) {
        client *r = repl_replicas[i];
        struct repl_link *l = r->repl;
        if (l->ack_off == repl.offset) continue;
        lagging++;
        log_warning("Lagging replica %s reported offset %lld behind master, lag=%lld, state=%s.",
                    repl_link_name(r), repl.offset - l->ack_off,
                    l->state == RL_ONLINE ? (now - l->ack_time_ms) / 1000 : 0LL, repl_state_name(l->state));
    }
    if (repl_replica_len)
        log_notice("%d of %d replicas are in sync when shutting down.", repl_replica_len - lagging, repl_replica_len);
    net_handle_pending_writes();
    shut.finish(shut.flags); /* exits when it succeeds */
    shutdown_cancel();
}
