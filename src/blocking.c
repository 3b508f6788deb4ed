/* blocking.c -- clients blocked on keys, and serving them when keys fill.
 *
 * Owns, per database, a dict from key to the FIFO of clients waiting on it,
 * the list of keys signalled ready, and every client's blocking_state. A
 * waiting client keeps its command (argv) untouched; when one of its keys
 * is signalled, the command is simply run again: the handler either serves
 * it now or blocks it again. Invariant: a client is in the FIFO of each of
 * its keys exactly while CLIENT_BLOCKED is set, and has a timer exactly
 * when it has a deadline. */
#include "blocking.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "commands.h"
#include "db.h"
#include "monotonic.h"
#include "networking.h"
#include "reply.h"
#include "util.h"
#include "vclock.h"
#include "zmalloc.h"

struct waiter {
    client *c;
    struct waiter *prev, *next;
};

struct waiters {
    struct waiter *first, *last;
    unsigned long count;
    int ready; /* already queued in server.ready_keys */
};

struct ready_key {
    int db_id;
    sds key;
    struct ready_key *next;
};

struct blocking_state {
    int db_id;
    int numkeys;
    sds *keys;                /* owned copies */
    struct waiter **nodes;    /* this client's node in each key's FIFO */
    long long deadline_ms;    /* 0: none */
    long long timer_id;       /* -1: none */
    enum blocking_timeout_reply timeout_reply;
    int wake_on_delete;       /* run again when a key is deleted (XREADGROUP) */
    const blocking_custom *custom; /* a keyless wait (WAIT), or NULL */
};

static dict **waiting;        /* per db id, created on first use */
static struct ready_key *ready_tail;

static void waiters_free(dict *d, void *val) {
    (void)d;
    zfree(val);
}

static dict_type waiting_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
    .val_destructor = waiters_free,
};

static dict *waiting_dict(int db_id) {
    if (waiting == NULL) waiting = zcalloc(sizeof(dict *) * (size_t)server.dbnum);
    if (waiting[db_id] == NULL) waiting[db_id] = dict_create(&waiting_type);
    return waiting[db_id];
}

/* ---------------------------------------------------------- timeouts */

int blocking_parse_timeout(client *c, const sds arg, long long *deadline_ms) {
    long double secs;
    if (!string2ld(arg, sds_len(arg), &secs)) {
        reply_error(c, "timeout is not a float or out of range");
        return -1;
    }
    /* Redis 7.0 rounds seconds * 1000 UP to whole milliseconds, so any
     * positive timeout, however small (0.001 is 0.000999... in binary,
     * 0.0001, 1e-300), waits at least 1 ms instead of meaning "forever";
     * -0.0001 rounds to 0, which is "forever". A value too big for 64 bits
     * comes out as the most negative integer (x86's conversion result),
     * hence "negative". */
    long double ms = ceill(secs * 1000);
    long long rel = (ms >= (long double)LLONG_MAX || ms <= (long double)LLONG_MIN || isnan(ms))
                        ? LLONG_MIN
                        : (long long)ms;
    if (rel < 0) {
        reply_error(c, "timeout is negative");
        return -1;
    }
    long long now = vclock_ms(); /* deadlines are on the data clock */
    *deadline_ms = rel == 0 ? 0 : (rel > LLONG_MAX - now ? LLONG_MAX : now + rel);
    return 0;
}

/* Milliseconds of real time until the data clock reaches deadline_ms, as
 * far as can be told now (a frozen clock: re-checked after that long). */
static long long blocking_wait_ms(long long deadline_ms) {
    long long wait = deadline_ms - vclock_ms();
    return wait > 0 ? wait : 0;
}

static int blocking_timer_proc(ae_event_loop *el, long long id, void *data) {
    (void)el, (void)id;
    client *c = data;
    /* The timer runs on real time, the deadline on the data clock: a
     * frozen clock has not got there yet, so wait again. */
    long long wait = blocking_wait_ms(c->bstate->deadline_ms);
    if (wait > 0) return wait;
    c->bstate->timer_id = -1; /* this timer ends now */
    blocking_unblock(c, BLOCK_UNBLOCK_TIMEOUT);
    return AE_NOMORE;
}

/* ---------------------------------------------------------- block */

/* Set when a handler re-run by blocking_serve_key asks to block again. */
static int reblock_requested;
/* The key whose waiters blocking_serve_key is running again. */
static sds serving_key;

void blocking_block(client *c, sds *keys, int numkeys, long long deadline_ms,
                    enum blocking_timeout_reply timeout_reply) {
    /* Re-run after a wake-up and still nothing to serve: the client keeps
     * its place in every queue and its original deadline. */
    if (c->flags & CLIENT_BLOCKED) {
        reblock_requested = 1;
        return;
    }
    /* Inside EXEC, or with no socket to wait on (scripts, AOF, the
     * primary's link), nothing may wait: answer as if the timeout passed. */
    if (c->flags & (CLIENT_IN_EXEC | CLIENT_NO_SOCKET)) {
        if (timeout_reply == BLOCK_REPLY_NULL) reply_null(c);
        else reply_null_array(c);
        return;
    }
    struct blocking_state *bs = zcalloc(sizeof(*bs));
    bs->db_id = c->db_id;
    bs->numkeys = numkeys;
    bs->keys = zmalloc(sizeof(sds) * (size_t)numkeys);
    bs->nodes = zmalloc(sizeof(struct waiter *) * (size_t)numkeys);
    bs->deadline_ms = deadline_ms;
    bs->timer_id = -1;
    bs->timeout_reply = timeout_reply;
    dict *w = waiting_dict(c->db_id);
    for (int i = 0; i < numkeys; i++) {
        bs->keys[i] = sds_dup(keys[i]);
        dict_entry *de = dict_find(w, keys[i]);
        struct waiters *ws;
        if (de == NULL) {
            ws = zcalloc(sizeof(*ws));
            dict_add(w, sds_dup(keys[i]), ws);
        } else {
            ws = dict_get_val(de);
        }
        struct waiter *n = zmalloc(sizeof(*n));
        n->c = c;
        n->next = NULL;
        n->prev = ws->last;
        if (ws->last) ws->last->next = n;
        else ws->first = n;
        ws->last = n;
        ws->count++;
        bs->nodes[i] = n;
    }
    if (deadline_ms) {
        bs->timer_id = ae_create_time_event(server.el, blocking_wait_ms(deadline_ms), blocking_timer_proc, c, NULL);
    }
    c->bstate = bs;
    c->flags |= CLIENT_BLOCKED;
    server.blocked_clients++;
}

/* Removes c from every FIFO and drops its timer; leaves the reply alone. */
static void blocking_detach(client *c) {
    struct blocking_state *bs = c->bstate;
    dict *w = waiting_dict(bs->db_id);
    for (int i = 0; i < bs->numkeys; i++) {
        dict_entry *de = dict_find(w, bs->keys[i]);
        struct waiters *ws = dict_get_val(de);
        struct waiter *n = bs->nodes[i];
        if (n->prev) n->prev->next = n->next;
        else ws->first = n->next;
        if (n->next) n->next->prev = n->prev;
        else ws->last = n->prev;
        ws->count--;
        zfree(n);
        /* A signalled key keeps its entry until handled; else drop it. */
        if (ws->count == 0 && !ws->ready) dict_delete(w, bs->keys[i]);
        sds_free(bs->keys[i]);
    }
    if (bs->timer_id != -1) ae_delete_time_event(server.el, bs->timer_id);
    const blocking_custom *custom = bs->custom;
    zfree(bs->keys);
    zfree(bs->nodes);
    zfree(bs);
    c->bstate = NULL;
    c->flags &= ~CLIENT_BLOCKED;
    server.blocked_clients--;
    if (custom && custom->detached) custom->detached(c);
}

/* Queues c so its remaining input is processed from before-sleep. */
static void blocking_queue_resume(client *c) {
    if (c->flags & CLIENT_UNBLOCKED) return;
    c->flags |= CLIENT_UNBLOCKED;
    c->ub_next = server.unblocked;
    server.unblocked = c;
}

void blocking_unblock(client *c, enum blocking_unblock_reason why) {
    if (!(c->flags & CLIENT_BLOCKED)) return;
    enum blocking_timeout_reply kind = c->bstate->timeout_reply;
    const blocking_custom *custom = c->bstate->custom;
    /* A custom wait answers before it is detached (its owner still knows
     * what it waited for). */
    if (custom && why != BLOCK_UNBLOCK_ERROR && why != BLOCK_UNBLOCK_ROLE_CHANGE) custom->reply_timeout(c);
    blocking_detach(c);
    if (c->cmd) c->cmd->calls++; /* counted when it ends, as Redis does */
    if (why == BLOCK_UNBLOCK_ERROR) {
        reply_error(c, "-UNBLOCKED client unblocked via CLIENT UNBLOCK");
    } else if (why == BLOCK_UNBLOCK_ROLE_CHANGE) {
        reply_error(c, "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> "
                       "replica?)");
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    } else if (custom == NULL && kind == BLOCK_REPLY_NULL) {
        reply_null(c);
    } else if (custom == NULL) {
        reply_null_array(c);
    }
    blocking_queue_resume(c);
}

const sds *blocking_keys(const client *c, int *numkeys) {
    *numkeys = 0;
    if (!(c->flags & CLIENT_BLOCKED) || c->bstate == NULL || c->bstate->custom) return NULL;
    *numkeys = c->bstate->numkeys;
    return c->bstate->keys;
}

void blocking_unblock_error(client *c, const char *err) {
    if (!(c->flags & CLIENT_BLOCKED) || c->bstate->custom) return;
    blocking_detach(c);
    if (c->cmd) c->cmd->calls++;
    reply_error(c, err);
    blocking_queue_resume(c);
}

void blocking_block_custom(client *c, long long deadline_ms, const blocking_custom *ops) {
    struct blocking_state *bs = zcalloc(sizeof(*bs));
    bs->db_id = c->db_id;
    bs->deadline_ms = deadline_ms;
    bs->timer_id = -1;
    bs->custom = ops;
    if (deadline_ms)
        bs->timer_id = ae_create_time_event(server.el, blocking_wait_ms(deadline_ms), blocking_timer_proc, c, NULL);
    c->bstate = bs;
    c->flags |= CLIENT_BLOCKED;
    server.blocked_clients++;
}

void blocking_unblock_custom(client *c) {
    if (!(c->flags & CLIENT_BLOCKED)) return;
    blocking_detach(c);
    if (c->cmd) c->cmd->calls++;
    blocking_queue_resume(c);
}

void blocking_client_freed(client *c) {
    if (c->flags & CLIENT_BLOCKED) blocking_detach(c);
    /* It may be on the resume list even with the flag cleared (its input
     * resumed it first), possibly twice: unlink every occurrence. */
    client **pp = &server.unblocked;
    while (*pp) {
        if (*pp == c) *pp = c->ub_next;
        else pp = &(*pp)->ub_next;
    }
    c->flags &= ~CLIENT_UNBLOCKED;
}

void blocking_wake_on_delete(client *c) {
    if (c->flags & CLIENT_BLOCKED) c->bstate->wake_on_delete = 1;
}

int blocking_is_reexecution(const client *c) {
    return server.reexecuting == c;
}

const char *blocking_served_key(const client *c) {
    return server.reexecuting == c ? serving_key : NULL;
}

/* ---------------------------------------------------------- wake-ups */

void blocking_signal_key(db *d, const sds key) {
    if (server.blocked_clients == 0 || waiting == NULL || waiting[d->id] == NULL) return;
    dict_entry *de = dict_find(waiting[d->id], key);
    if (de == NULL) return;
    struct waiters *ws = dict_get_val(de);
    if (ws->ready) return;
    ws->ready = 1;
    struct ready_key *rk = zmalloc(sizeof(*rk));
    rk->db_id = d->id;
    rk->key = sds_dup(key);
    rk->next = NULL;
    if (server.ready_keys) ready_tail->next = rk;
    else server.ready_keys = rk;
    ready_tail = rk;
}

void blocking_signal_waited(int dbnum) {
    if (server.blocked_clients == 0 || waiting == NULL || waiting[dbnum] == NULL) return;
    dict_iterator it;
    dict_init_iterator(&it, waiting[dbnum]);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) blocking_signal_key(&server.dbs[dbnum], dict_get_key(de));
    dict_reset_iterator(&it);
}

void blocking_signal_db(int dbnum) {
    if (server.blocked_clients == 0 || waiting == NULL || waiting[dbnum] == NULL) return;
    dict_iterator it;
    dict_init_iterator(&it, waiting[dbnum]);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL)
        if (dict_find(server.dbs[dbnum].keys, dict_get_key(de)))
            blocking_signal_key(&server.dbs[dbnum], dict_get_key(de));
    dict_reset_iterator(&it);
}

/* Moves the first waiter to the back, so the next one gets its turn
 * within this round (the moved one keeps its place in other keys). */
static void blocking_rotate(struct waiters *ws) {
    struct waiter *n = ws->first;
    ws->first = n->next;
    ws->first->prev = NULL;
    n->prev = ws->last;
    n->next = NULL;
    ws->last->next = n;
    ws->last = n;
}

/* Re-runs the commands of the clients waiting on one key, oldest first,
 * while the key exists; once it is gone, only those that must learn of its
 * deletion (XREADGROUP) are run, the others keep waiting in order. */
static void blocking_serve_key(int db_id, const sds key) {
    dict *w = waiting[db_id];
    dict_entry *de = dict_find(w, key);
    if (de == NULL) return;
    struct waiters *ws = dict_get_val(de);
    ws->ready = 0;
    unsigned long rounds = ws->count;
    for (unsigned long i = 0; i < rounds; i++) {
        de = dict_find(w, key); /* the FIFO may have been freed */
        if (de == NULL) return;
        ws = dict_get_val(de);
        if (ws->first == NULL) break;
        client *c = ws->first->c;
        if (dict_find(server.dbs[db_id].keys, key) == NULL) {
            if (!c->bstate->wake_on_delete) {
                if (ws->count > 1) blocking_rotate(ws);
                continue;
            }
        }
        reblock_requested = 0;
        serving_key = key;
        cmd_reexecute(c);
        serving_key = NULL;
        if (reblock_requested) {
            /* Still waiting: move on to the next waiter rather than retry
             * this one (its command found nothing it can take). */
            if (ws->count > 1) blocking_rotate(ws);
            continue;
        }
        blocking_detach(c);
        if (c->cmd) c->cmd->calls++; /* counted when served */
        blocking_queue_resume(c);
    }
    de = dict_find(w, key);
    if (de && ((struct waiters *)dict_get_val(de))->count == 0) dict_delete(w, key);
}

void blocking_handle_ready_keys(void) {
    while (server.ready_keys) {
        struct ready_key *list = server.ready_keys;
        server.ready_keys = NULL;
        ready_tail = NULL;
        while (list) {
            struct ready_key *next = list->next;
            blocking_serve_key(list->db_id, list->key);
            sds_free(list->key);
            zfree(list);
            list = next;
        }
    }
}

void blocking_clock_moved(void) {
    if (server.blocked_clients == 0) return;
    for (client *c = server.clients; c; c = c->next) {
        struct blocking_state *bs = c->bstate;
        if (!(c->flags & CLIENT_BLOCKED) || bs == NULL || bs->timer_id == -1) continue;
        /* Re-armed rather than unblocked here: the timeout reply is sent
         * from the timer, after the command that moved the clock. */
        ae_delete_time_event(server.el, bs->timer_id);
        bs->timer_id = ae_create_time_event(server.el, blocking_wait_ms(bs->deadline_ms), blocking_timer_proc, c, NULL);
    }
}
