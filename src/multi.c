/* multi.c -- transactions (MULTI, EXEC, DISCARD) and WATCH.
 *
 * Owns each client's queue of commands and the watched-key index: per
 * database, key -> the watch entries of the clients watching it; per
 * client, the list of its watch entries. A watched key is touched only
 * by a real change (db_signal_modified after the change, a flush or a
 * swap before it); a touch marks the watcher CLIENT_DIRTY_CAS and its
 * EXEC then returns a null array. Redis 7.0's rules for expiry: a key
 * already logically expired when WATCHed that is then deleted (lazily,
 * by DEL, a flush, or swapped away) is no change; a key that expires
 * after WATCH is one, even before anything deletes it. */
#include "multi.h"

#include <string.h>
#include <strings.h>

#include "acl.h"
#include "commands.h"
#include "db.h"
#include "networking.h"
#include "reply.h"
#include "zmalloc.h"

typedef struct queued_command {
    redis_command *cmd;
    int argc;
    sds *argv;
} queued_command;

struct multi_state {
    queued_command *commands;
    int count, cap;
    uint64_t cmd_flags; /* CMD_* of every queued command, or'ed */
};

/* One key one client watches: in the client's list and in the key's
 * watcher array. */
struct watched_key {
    int db_id;
    int expired; /* logically expired when WATCHed (and not deleted since) */
    sds key;
    client *c;
    struct watched_key *next;
};

struct watchers {
    struct watched_key **wks;
    int count, cap;
};

unsigned long multi_watched_keys;
static dict **watched; /* per db id, created on first use */

static void watchers_free(dict *d, void *val) {
    (void)d;
    struct watchers *w = val;
    zfree(w->wks);
    zfree(w);
}

static dict_type watched_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
    .val_destructor = watchers_free,
};

static dict *watched_dict(int db_id) {
    if (watched == NULL) watched = zcalloc(sizeof(dict *) * (size_t)server.dbnum);
    if (watched[db_id] == NULL) watched[db_id] = dict_create(&watched_type);
    return watched[db_id];
}

/* ---------------------------------------------------------- queue */

static void multi_free_queue(client *c) {
    struct multi_state *ms = c->mstate;
    if (ms == NULL) return;
    for (int i = 0; i < ms->count; i++) {
        for (int j = 0; j < ms->commands[i].argc; j++) sds_free(ms->commands[i].argv[j]);
        zfree(ms->commands[i].argv);
    }
    zfree(ms->commands);
    zfree(ms);
    c->mstate = NULL;
}

void multi_queue_command(client *c) {
    struct multi_state *ms = c->mstate;
    if (ms->count == ms->cap) {
        ms->cap = ms->cap ? ms->cap * 2 : 4;
        ms->commands = zrealloc(ms->commands, sizeof(queued_command) * (size_t)ms->cap);
    }
    queued_command *q = &ms->commands[ms->count++];
    q->cmd = c->cmd;
    q->argc = c->argc;
    q->argv = zmalloc(sizeof(sds) * (size_t)c->argc);
    for (int i = 0; i < c->argc; i++) q->argv[i] = sds_dup(c->argv[i]);
    ms->cmd_flags |= c->cmd->flags;
    reply_proto(c, "+QUEUED\r\n", 9);
}

/* The size of the transaction EXEC is running (one at a time): Redis's
 * CLIENT INFO and ACL LOG client-info still show multi=<count> then. */
static long exec_running_count;

long multi_queued_count(const client *c) {
    if (c->flags & CLIENT_IN_EXEC) return exec_running_count;
    if (!(c->flags & CLIENT_MULTI) || c->mstate == NULL) return -1;
    return c->mstate->count;
}

size_t multi_queued_bytes(const client *c) {
    if (c->mstate == NULL) return 0;
    size_t bytes = sizeof(queued_command) * (size_t)c->mstate->cap;
    for (int i = 0; i < c->mstate->count; i++) {
        const queued_command *q = &c->mstate->commands[i];
        bytes += sizeof(sds) * (size_t)q->argc;
        for (int j = 0; j < q->argc; j++) bytes += sds_len(q->argv[j]);
    }
    return bytes;
}

const redis_command *multi_queued_command(const client *c, long i, sds **argv, int *argc) {
    const queued_command *q = &c->mstate->commands[i];
    *argv = q->argv;
    *argc = q->argc;
    return q->cmd;
}

uint64_t multi_queued_flags(const client *c) {
    return c->mstate ? c->mstate->cmd_flags : 0;
}

void multi_flag_error(client *c) {
    if (c->flags & CLIENT_MULTI) c->flags |= CLIENT_DIRTY_EXEC;
}

/* ---------------------------------------------------------- watch */

static void watch_key(client *c, const sds key) {
    for (struct watched_key *wk = c->watched; wk; wk = wk->next)
        if (wk->db_id == c->db_id && sds_cmp(wk->key, key) == 0) return;
    dict *d = watched_dict(c->db_id);
    dict_entry *de = dict_find(d, key);
    struct watchers *w;
    if (de == NULL) {
        w = zcalloc(sizeof(*w));
        dict_add(d, sds_dup(key), w);
    } else {
        w = dict_get_val(de);
    }
    if (w->count == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 2;
        w->wks = zrealloc(w->wks, sizeof(struct watched_key *) * (size_t)w->cap);
    }
    struct watched_key *wk = zmalloc(sizeof(*wk));
    wk->db_id = c->db_id;
    wk->expired = db_is_expired(c->db, key);
    wk->key = sds_dup(key);
    wk->c = c;
    wk->next = c->watched;
    c->watched = wk;
    w->wks[w->count++] = wk;
    multi_watched_keys++;
}

/* Forgets every key c watches (its DIRTY_CAS flag stays). */
static void unwatch_all(client *c) {
    struct watched_key *wk = c->watched;
    while (wk) {
        struct watched_key *next = wk->next;
        dict *d = watched_dict(wk->db_id);
        dict_entry *de = dict_find(d, wk->key);
        struct watchers *w = dict_get_val(de);
        for (int i = 0; i < w->count; i++) {
            if (w->wks[i] != wk) continue;
            w->wks[i] = w->wks[--w->count];
            break;
        }
        if (w->count == 0) dict_delete(d, wk->key);
        sds_free(wk->key);
        zfree(wk);
        multi_watched_keys--;
        wk = next;
    }
    c->watched = NULL;
}

/* c's transaction will fail. Its watched keys are dropped at once, as in
 * Redis 7.0: nothing more can change the outcome, so later changes need
 * not find it, and the memory goes back before EXEC. */
static void watch_fail(client *c) {
    c->flags |= CLIENT_DIRTY_CAS;
    unwatch_all(c);
}

static struct watchers *watchers_of(int db_id, const sds key) {
    if (multi_watched_keys == 0 || watched == NULL || watched[db_id] == NULL) return NULL;
    dict_entry *de = dict_find(watched[db_id], key);
    return de ? dict_get_val(de) : NULL;
}

void multi_touch_key(db *d, const sds key) {
    struct watchers *w = watchers_of(d->id, key);
    if (w == NULL) return;
    int gone = dict_find(d->keys, key) == NULL;
    /* watch_fail shrinks the array under us: walk it from the end, and
     * only ever remove the entry just visited or later ones. */
    for (int i = w->count - 1; i >= 0; i--) {
        if (i >= w->count) continue;
        struct watched_key *wk = w->wks[i];
        if (wk->expired && gone) {
            /* Expired when watched, now deleted: logically no change. A
             * key added later is a change again. */
            wk->expired = 0;
            continue;
        }
        watch_fail(wk->c);
        if (watchers_of(d->id, key) != w) return; /* the last watcher left */
    }
}

/* The touch rules of one watched key of a database being emptied
 * (replaced_with NULL: a flush) or swapped with replaced_with. Returns
 * 1 if its transaction must fail. */
static int touched_by_swap(struct watched_key *wk, db *emptied, db *replaced_with) {
    int in_emptied = dict_find(emptied->keys, wk->key) != NULL;
    int in_replacement = replaced_with && dict_find(replaced_with->keys, wk->key) != NULL;
    if (!in_emptied && !in_replacement) return 0; /* absent before and after */
    if (wk->expired) {
        if (!in_replacement) {
            wk->expired = 0; /* expired key now deleted: no logical change */
            return 0;
        }
        return !db_is_expired(replaced_with, wk->key); /* expired stays expired */
    }
    if (!in_emptied && db_is_expired(replaced_with, wk->key)) {
        wk->expired = 1; /* a missing key replaced by an expired one */
        return 0;
    }
    return 1;
}

void multi_touch_existing_in_db(int dbnum, int replaced_with) {
    multi_touch_replaced_db(dbnum, &server.dbs[dbnum], replaced_with >= 0 ? &server.dbs[replaced_with] : NULL);
}

void multi_touch_replaced_db(int dbnum, db *emptied, db *other) {
    if (multi_watched_keys == 0 || watched == NULL || watched[dbnum] == NULL) return;
    /* Collect first: failing a client unwatches its keys, which would
     * change the dict being walked. */
    client **fail = NULL;
    size_t nfail = 0, cap = 0;
    dict_iterator it;
    dict_init_iterator(&it, watched[dbnum]);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        struct watchers *w = dict_get_val(de);
        for (int i = 0; i < w->count; i++) {
            if (!touched_by_swap(w->wks[i], emptied, other)) continue;
            if (nfail == cap) {
                cap = cap ? cap * 2 : 8;
                fail = zrealloc(fail, sizeof(client *) * cap);
            }
            fail[nfail++] = w->wks[i]->c;
        }
    }
    dict_reset_iterator(&it);
    for (size_t i = 0; i < nfail; i++) watch_fail(fail[i]);
    zfree(fail);
}

/* 1 if a key c watches has expired since WATCH (a change, even if no
 * command has deleted it yet). */
static int watched_key_expired(client *c) {
    for (struct watched_key *wk = c->watched; wk; wk = wk->next)
        if (!wk->expired && db_is_expired(&server.dbs[wk->db_id], wk->key)) return 1;
    return 0;
}

void multi_client_reset(client *c) {
    multi_free_queue(c);
    unwatch_all(c);
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC);
}

/* ---------------------------------------------------------- commands */

static void multi_command(client *c) {
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "MULTI calls can not be nested");
        return;
    }
    c->mstate = zcalloc(sizeof(*c->mstate));
    c->flags |= CLIENT_MULTI;
    reply_ok(c);
}

static void discard_command(client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, "DISCARD without MULTI");
        return;
    }
    multi_client_reset(c);
    reply_ok(c);
}

static void exec_command(client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, "EXEC without MULTI");
        return;
    }
    if (c->flags & CLIENT_DIRTY_EXEC) {
        multi_client_reset(c);
        reply_error(c, "-EXECABORT Transaction discarded because of previous errors.");
        return;
    }
    if ((c->flags & CLIENT_DIRTY_CAS) || watched_key_expired(c)) {
        multi_client_reset(c);
        reply_null_array(c);
        return;
    }
    struct multi_state *ms = c->mstate;
    c->mstate = NULL;
    unwatch_all(c); /* the queue's own changes must not find c */
    c->flags &= ~CLIENT_MULTI;
    c->flags |= CLIENT_IN_EXEC;
    exec_running_count = ms->count;
    int saved_argc = c->argc;
    sds *saved_argv = c->argv;
    redis_command *saved_cmd = c->cmd;
    reply_array_len(c, ms->count);
    for (int i = 0; i < ms->count; i++) {
        queued_command *q = &ms->commands[i];
        c->argc = q->argc;
        c->argv = q->argv;
        c->cmd = q->cmd;
        sds denied = acl_check_exec(c, q->cmd);
        if (denied) {
            reply_error(c, denied);
            sds_free(denied);
        } else {
            cmd_call(c);
        }
        /* Arguments the keyspace took now belong to it. */
        net_release_stolen_in(c, q->argv, q->argc);
    }
    c->argc = saved_argc;
    c->argv = saved_argv;
    c->cmd = saved_cmd;
    c->flags &= ~CLIENT_IN_EXEC;
    c->mstate = ms;
    multi_free_queue(c);
}

static void watch_command(client *c) {
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "WATCH inside MULTI is not allowed");
        return;
    }
    for (int i = 1; i < c->argc; i++) watch_key(c, c->argv[i]);
    reply_ok(c);
}

static void unwatch_command(client *c) {
    unwatch_all(c);
    c->flags &= ~CLIENT_DIRTY_CAS;
    reply_ok(c);
}

/* ---------------------------------------------------------- table */

#define TX_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

redis_command multi_commands[] = {
    {.name = "multi", .proc = multi_command, .arity = 1, .flags = TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY,
     .acl = ACL_TRANSACTION, .group = "transactions", .since = "1.2.0",
     .summary = "Mark the start of a transaction block", .complexity = "O(1)"},
    {.name = "exec", .proc = exec_command, .arity = 1, .flags = TX_FLAGS | CMD_SKIP_SLOWLOG,
     .acl = ACL_TRANSACTION, .group = "transactions", .since = "1.2.0",
     .summary = "Execute all commands issued after MULTI", .complexity = "Depends on commands in the transaction"},
    {.name = "discard", .proc = discard_command, .arity = 1, .flags = TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY,
     .acl = ACL_TRANSACTION, .group = "transactions", .since = "2.0.0",
     .summary = "Discard all commands issued after MULTI", .complexity = "O(N), when N is the number of queued commands"},
    {.name = "watch", .proc = watch_command, .arity = -2, .flags = TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY,
     .acl = ACL_TRANSACTION, .first_key = 1, .last_key = -1, .key_step = 1, .ks_flags = KS_RO,
     .group = "transactions", .since = "2.2.0",
     .summary = "Watch the given keys to determine execution of the MULTI/EXEC block",
     .complexity = "O(1) for every key."},
    {.name = "unwatch", .proc = unwatch_command, .arity = 1, .flags = TX_FLAGS | CMD_FAST | CMD_ALLOW_BUSY,
     .acl = ACL_TRANSACTION, .group = "transactions", .since = "2.2.0",
     .summary = "Forget about all watched keys", .complexity = "O(1)"},
    {0}};
