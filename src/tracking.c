/* tracking.c -- client-side caching: CLIENT TRACKING and invalidation.
 *
 * Owns the tracking table (key -> ids of the clients that may cache it,
 * one table for every database, as in Redis), the BCAST prefix table
 * (prefix -> subscribed clients and the keys changed under it since the
 * last before-sleep), each client's tracking_state, and the INFO tracking_*
 * counters. The table holds client ids, never pointers: a client that went
 * away, or stopped tracking, is skipped when its keys change. A key leaves
 * the table once invalidated; a client that reads it again is added again.
 * Never writes to a socket: messages are queued with reply.h. */
#include "tracking.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

/* Keys evicted from an oversized table per call grow by this much for
 * every call in a row that could not bring it under the limit. */
#define TRACKING_LIMIT_EFFORT_STEP 100
/* Key positions of a command read on the stack up to this many arguments. */
#define TRACKING_STACK_KEYS 16

/* Every flag that tracking owns, cleared when tracking is turned off. */
#define TRACKING_ALL_FLAGS                                                                        \
    (CLIENT_TRACKING | CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN | \
     CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_CACHING | CLIENT_TRACKING_NOLOOP)

#define INVALIDATE_PUSH_HDR ">2\r\n$10\r\ninvalidate\r\n"
#define INVALIDATE_PUBSUB_HDR "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"

/* Per client; allocated on the first CLIENT TRACKING ON and kept until the
 * client is freed (a command that turns tracking off may still have
 * invalidations to deliver, to the same redirect). */
struct tracking_state {
    uint64_t redirect;  /* REDIRECT id; 0: the client itself */
    sds *prefixes;      /* BCAST prefixes, sorted */
    size_t nprefixes;
};

/* Ids of the clients that may cache one key, ordered as memcmp orders
 * their bytes (the order Redis's radix tree of ids walks them in), so
 * several clients redirecting to one connection see Redis's order. */
typedef struct id_set {
    uint32_t len, cap;
    uint64_t ids[];
} id_set;

/* One BCAST prefix: its clients, and the keys changed under it since the
 * last broadcast, each with the id of the client that changed it (0: no
 * client) so that NOLOOP clients are not told of their own changes. */
typedef struct bcast_prefix {
    sds prefix;
    client **clients;
    size_t nclients, cap;
    dict *keys;
} bcast_prefix;

static dict *table;              /* sds key -> id_set*; NULL until tracking is first used */
static dict *clients_by_id;      /* id -> client: tracking clients and redirect targets */
static bcast_prefix **prefixes;  /* sorted by prefix */
static size_t nprefixes;
/* Invalidations the running client caused to itself, sent after its
 * reply (sds key, or NULL for a flush). */
static sds *pending;
static size_t npending, pending_cap;

/* ---------------------------------------------------------- dict types */

static void free_id_set(dict *d, void *p) {
    (void)d;
    zfree(p);
}

static uint64_t id_hash(const void *key) {
    uint64_t id = (uint64_t)(uintptr_t)key;
    return dict_gen_hash_function(&id, sizeof(id));
}

static dict_type table_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
    .val_destructor = free_id_set,
};

static dict_type bcast_keys_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
};

static dict_type clients_by_id_type = {.hash = id_hash};

/* ---------------------------------------------------------- clients */

static client *client_by_id(uint64_t id) {
    return dict_fetch_value(clients_by_id, (void *)(uintptr_t)id);
}

static void remember_client(client *c) {
    dict_replace(clients_by_id, (void *)(uintptr_t)c->id, c);
}

/* Any connected client with this id (REDIRECT targets need not track). */
static client *find_client(long long id) {
    client *c = client_by_id((uint64_t)id);
    if (c) return c;
    for (c = server.clients; c; c = c->next)
        if (c->id == (uint64_t)id) return c;
    return NULL;
}

/* ---------------------------------------------------------- id sets */

static int id_cmp(uint64_t a, uint64_t b) {
    return memcmp(&a, &b, sizeof(a));
}

/* Adds id to the set of entry de (which may be reallocated); returns 1 if
 * it was not there. */
static int id_set_add(dict_entry *de, uint64_t id) {
    id_set *s = dict_get_val(de);
    uint32_t lo = 0, hi = s ? s->len : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int r = id_cmp(s->ids[mid], id);
        if (r == 0) return 0;
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    if (s == NULL || s->len == s->cap) {
        uint32_t cap = s ? s->cap * 2 : 1;
        s = zrealloc(s, sizeof(*s) + sizeof(uint64_t) * cap);
        if (dict_get_val(de) == NULL) s->len = 0;
        s->cap = cap;
        de->v.val = s;
    }
    memmove(s->ids + lo + 1, s->ids + lo, sizeof(uint64_t) * (s->len - lo));
    s->ids[lo] = id;
    s->len++;
    return 1;
}

/* ---------------------------------------------------------- messages */

static void pending_add(sds key) {
    if (npending == pending_cap) {
        pending_cap = pending_cap ? pending_cap * 2 : 8;
        pending = zrealloc(pending, sizeof(sds) * pending_cap);
    }
    pending[npending++] = key;
}

/* Sends one invalidation for c's cache; payload is the RESP of its value
 * (an array of keys, or a null). It goes to c's redirect client if it has
 * one: as a push in RESP3, as a pub/sub message to a subscribed RESP2
 * client, else nowhere. A redirect client that went away marks c and, in
 * RESP3, tells c so (each time, as Redis does). Pushes ignore CLIENT REPLY
 * OFF, as in Redis. */
static void send_invalidation(client *c, const char *payload, size_t len) {
    client *to = c;
    int redirected = 0;
    if (c->tracking && c->tracking->redirect) {
        to = client_by_id(c->tracking->redirect);
        if (to == NULL) {
            c->flags |= CLIENT_TRACKING_BROKEN_REDIR;
            if (c->resp == 3) {
                sds msg = sds_cat_printf(sds_empty(), ">2\r\n$21\r\ntracking-redir-broken\r\n:%llu\r\n",
                                         (unsigned long long)c->tracking->redirect);
                reply_push_proto(c, msg, sds_len(msg));
                sds_free(msg);
            }
            return;
        }
        redirected = 1;
    }
    if (to->resp == 3) {
        reply_push_proto(to, INVALIDATE_PUSH_HDR, strlen(INVALIDATE_PUSH_HDR));
    } else if (redirected && (to->flags & CLIENT_PUBSUB)) {
        reply_push_proto(to, INVALIDATE_PUBSUB_HDR, strlen(INVALIDATE_PUBSUB_HDR));
    } else {
        return; /* RESP2 has no way to push on the same connection */
    }
    reply_push_proto(to, payload, len);
}

static void send_key(client *c, const char *key, size_t len) {
    sds p = sds_cat_printf(sds_empty(), "*1\r\n$%zu\r\n", len);
    p = sds_cat_len(p, key, len);
    p = sds_cat_len(p, "\r\n", 2);
    send_invalidation(c, p, sds_len(p));
    sds_free(p);
}

/* "Everything is gone": a null in the tracking client's own protocol (a
 * RESP3 client redirecting to a RESP2 one sends `_`, as Redis does). */
static void send_null(client *c) {
    if (c->resp == 3) send_invalidation(c, "_\r\n", 3);
    else send_invalidation(c, "$-1\r\n", 5);
}

void tracking_send_pending(void) {
    if (npending == 0) return;
    client *c = server.current_client;
    for (size_t i = 0; i < npending; i++) {
        if (c && pending[i]) send_key(c, pending[i], sds_len(pending[i]));
        else if (c) send_null(c);
        sds_free(pending[i]);
    }
    npending = 0;
}

/* Invalidations for the running client itself wait until its command
 * ends, so they never land inside its reply (an EXEC's array). */
static int must_defer(const client *target) {
    return target == server.current_client && cmd_call_depth() > 0;
}

/* ---------------------------------------------------------- invalidation */

static void bcast_remember_key(const sds key);

/* key changed: tells every client that may cache it, and forgets it. bcast
 * also records it for the BCAST clients of matching prefixes. */
static void invalidate_key(const sds key, int bcast) {
    if (table == NULL) return;
    if (bcast && nprefixes) bcast_remember_key(key);
    dict_entry *de = dict_find(table, key);
    if (de == NULL) return;
    id_set *ids = dict_get_val(de);
    client *cur = server.current_client;
    for (uint32_t i = 0; i < ids->len; i++) {
        client *t = client_by_id(ids->ids[i]);
        /* A client that switched to BCAST is not told of keys it read
         * before. */
        if (t == NULL || !(t->flags & CLIENT_TRACKING) || (t->flags & CLIENT_TRACKING_BCAST)) continue;
        if ((t->flags & CLIENT_TRACKING_NOLOOP) && t == cur) continue;
        if (must_defer(t)) pending_add(sds_dup(key));
        else send_key(t, key, sds_len(key));
    }
    server.tracking_items -= ids->len;
    dict_delete(table, key);
    server.tracking_keys = dict_size(table);
}

/* Clients in the order they connected (Redis's list order). */
static client *oldest_client(void) {
    client *c = server.clients;
    while (c && c->next) c = c->next;
    return c;
}

/* A database (or all) was flushed: every tracking client, BCAST ones
 * included, drops its whole cache; the table starts over. */
static void invalidate_all(void) {
    if (server.tracking_clients) {
        for (client *c = oldest_client(); c; c = c->prev) {
            if (!(c->flags & CLIENT_TRACKING)) continue;
            if (must_defer(c)) pending_add(NULL);
            else send_null(c);
        }
    }
    if (table) {
        dict_empty(table, NULL);
        server.tracking_items = 0;
        server.tracking_keys = 0;
    }
}

/* The keyspace's hook (db_signal_modified / db_signal_flushed). The table
 * is shared by every database, as in Redis, so dbid does not matter. */
static void tracking_invalidate_hook(int dbid, const sds key) {
    (void)dbid;
    if (key == NULL) invalidate_all();
    else invalidate_key(key, 1);
}

void tracking_limit_table(void) {
    static unsigned int rounds_over_limit;
    size_t max = cfg.tracking_table_max_keys;
    if (table == NULL || server.tracking_clients == 0 || max == 0) return;
    if (dict_size(table) <= max) {
        rounds_over_limit = 0;
        return;
    }
    int effort = TRACKING_LIMIT_EFFORT_STEP * (int)(rounds_over_limit + 1);
    while (effort-- > 0) {
        dict_entry *de = dict_get_random_key(table);
        if (de == NULL) break;
        sds key = sds_dup(dict_get_key(de));
        invalidate_key(key, 0);
        sds_free(key);
        if (dict_size(table) <= max) {
            rounds_over_limit = 0;
            return;
        }
    }
    rounds_over_limit++;
}

/* ---------------------------------------------------------- remembering */

static void remember_key(const sds key, uint64_t id) {
    dict_entry *de = dict_find(table, key);
    if (de == NULL) {
        de = dict_add_raw(table, sds_dup(key), NULL);
        de->v.val = NULL;
        server.tracking_keys = dict_size(table);
    }
    if (id_set_add(de, id)) server.tracking_items++;
}

/* Default mode tracks every read; OPTIN only after CACHING yes; OPTOUT
 * all but after CACHING no. */
static int tracks_this_command(const client *c) {
    uint64_t f = c->flags;
    if (!(f & CLIENT_TRACKING) || (f & CLIENT_TRACKING_BCAST)) return 0;
    int caching = (f & CLIENT_TRACKING_CACHING) != 0;
    if ((f & CLIENT_TRACKING_OPTIN) && !caching) return 0;
    if ((f & CLIENT_TRACKING_OPTOUT) && caching) return 0;
    return 1;
}

void tracking_command_done(client *c) {
    const redis_command *cmd = c->cmd;
    /* Shard channels of pub/sub commands are keys only for cluster
     * routing: nothing to cache. */
    if (!(cmd->flags & CMD_READONLY) || (cmd->flags & CMD_PUBSUB) || !tracks_this_command(c)) return;
    int stack_idx[TRACKING_STACK_KEYS], stack_flags[TRACKING_STACK_KEYS];
    int *idx = stack_idx, *flags = stack_flags;
    if (c->argc > TRACKING_STACK_KEYS) {
        idx = zmalloc(sizeof(int) * (size_t)c->argc);
        flags = zmalloc(sizeof(int) * (size_t)c->argc);
    }
    int n = cmd_key_positions(cmd, c->argv, c->argc, idx, flags);
    for (int i = 0; i < n; i++)
        if (c->argv[idx[i]]) remember_key(c->argv[idx[i]], c->id);
    if (idx != stack_idx) {
        zfree(idx);
        zfree(flags);
    }
}

void tracking_command_reset(client *c) {
    if (!(c->flags & CLIENT_TRACKING_CACHING) || (c->flags & CLIENT_MULTI)) return;
    /* Redis keeps it across any CLIENT subcommand (they share one
     * handler there), e.g. CLIENT CACHING yes then CLIENT TRACKINGINFO. */
    const redis_command *cmd = c->cmd;
    if (cmd && cmd->parent && strcmp(cmd->parent->name, "client") == 0) return;
    c->flags &= ~CLIENT_TRACKING_CACHING;
}

/* ---------------------------------------------------------- BCAST */

/* Index of the prefix p[0..len) in the sorted table, or where it would
 * go; *found says which. */
static size_t prefix_index(const char *p, size_t len, int *found) {
    size_t lo = 0, hi = nprefixes;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        sds q = prefixes[mid]->prefix;
        size_t qlen = sds_len(q), min = qlen < len ? qlen : len;
        int r = memcmp(q, p, min);
        if (r == 0) r = qlen < len ? -1 : qlen > len ? 1 : 0;
        if (r == 0) {
            *found = 1;
            return mid;
        }
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Adds prefix p to c's sorted list unless it is there. */
static void state_add_prefix(struct tracking_state *ts, const sds p) {
    size_t i = 0;
    while (i < ts->nprefixes && sds_cmp(ts->prefixes[i], p) < 0) i++;
    if (i < ts->nprefixes && sds_cmp(ts->prefixes[i], p) == 0) return;
    ts->prefixes = zrealloc(ts->prefixes, sizeof(sds) * (ts->nprefixes + 1));
    memmove(ts->prefixes + i + 1, ts->prefixes + i, sizeof(sds) * (ts->nprefixes - i));
    ts->prefixes[i] = sds_dup(p);
    ts->nprefixes++;
}

static void bcast_subscribe(client *c, const sds p) {
    int found;
    size_t i = prefix_index(p, sds_len(p), &found);
    if (!found) {
        bcast_prefix *bp = zcalloc(sizeof(*bp));
        bp->prefix = sds_dup(p);
        bp->keys = dict_create(&bcast_keys_type);
        prefixes = zrealloc(prefixes, sizeof(*prefixes) * (nprefixes + 1));
        memmove(prefixes + i + 1, prefixes + i, sizeof(*prefixes) * (nprefixes - i));
        prefixes[i] = bp;
        nprefixes++;
        server.tracking_prefixes = nprefixes;
    }
    bcast_prefix *bp = prefixes[i];
    size_t j = 0;
    while (j < bp->nclients && bp->clients[j] != c) j++;
    if (j == bp->nclients) {
        if (bp->nclients == bp->cap) {
            bp->cap = bp->cap ? bp->cap * 2 : 4;
            bp->clients = zrealloc(bp->clients, sizeof(client *) * bp->cap);
        }
        bp->clients[bp->nclients++] = c;
    }
    state_add_prefix(c->tracking, p);
}

static void bcast_unsubscribe(client *c, const sds p) {
    int found;
    size_t i = prefix_index(p, sds_len(p), &found);
    if (!found) return;
    bcast_prefix *bp = prefixes[i];
    for (size_t j = 0; j < bp->nclients; j++) {
        if (bp->clients[j] != c) continue;
        bp->clients[j] = bp->clients[--bp->nclients];
        break;
    }
    if (bp->nclients) return;
    sds_free(bp->prefix);
    dict_release(bp->keys);
    zfree(bp->clients);
    zfree(bp);
    memmove(prefixes + i, prefixes + i + 1, sizeof(*prefixes) * (nprefixes - i - 1));
    nprefixes--;
    server.tracking_prefixes = nprefixes;
}

static void bcast_remember_key(const sds key) {
    size_t klen = sds_len(key);
    uint64_t by = server.current_client ? server.current_client->id : 0;
    for (size_t i = 0; i < nprefixes; i++) {
        bcast_prefix *bp = prefixes[i];
        size_t plen = sds_len(bp->prefix);
        if (plen > klen || memcmp(bp->prefix, key, plen) != 0) continue;
        dict_entry *de = dict_find(bp->keys, key);
        if (de == NULL) de = dict_add_raw(bp->keys, sds_dup(key), NULL);
        dict_set_unsigned_int_val(de, by);
    }
}

static int cmp_entry_keys(const void *a, const void *b) {
    return sds_cmp(dict_get_key(*(dict_entry *const *)a), dict_get_key(*(dict_entry *const *)b));
}

/* The array of keys in es (sorted), leaving out those changed by client
 * id skip (0: none); NULL if that leaves none. Returns new. */
static sds bcast_build_keys(dict_entry **es, size_t n, uint64_t skip) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (!skip || dict_get_unsigned_int_val(es[i]) != skip) count++;
    if (count == 0) return NULL;
    sds p = sds_cat_printf(sds_empty(), "*%zu\r\n", count);
    for (size_t i = 0; i < n; i++) {
        if (skip && dict_get_unsigned_int_val(es[i]) == skip) continue;
        sds k = dict_get_key(es[i]);
        p = sds_cat_printf(p, "$%zu\r\n", sds_len(k));
        p = sds_cat_len(p, k, sds_len(k));
        p = sds_cat_len(p, "\r\n", 2);
    }
    return p;
}

static void bcast_send_prefix(bcast_prefix *bp) {
    size_t n = dict_size(bp->keys), i = 0;
    dict_entry **es = zmalloc(sizeof(*es) * n);
    dict_iterator it;
    dict_init_iterator(&it, bp->keys);
    for (dict_entry *de; (de = dict_next(&it)) != NULL;) es[i++] = de;
    dict_reset_iterator(&it);
    qsort(es, n, sizeof(*es), cmp_entry_keys);
    sds all = bcast_build_keys(es, n, 0);
    for (size_t j = 0; j < bp->nclients; j++) {
        client *c = bp->clients[j];
        if (c->flags & CLIENT_TRACKING_NOLOOP) {
            sds own = bcast_build_keys(es, n, c->id);
            if (own) send_invalidation(c, own, sds_len(own));
            sds_free(own);
        } else {
            send_invalidation(c, all, sds_len(all));
        }
    }
    sds_free(all);
    zfree(es);
    dict_empty(bp->keys, NULL);
}

void tracking_before_sleep(void) {
    if (table == NULL || server.tracking_clients == 0) return;
    for (size_t i = 0; i < nprefixes; i++)
        if (dict_size(prefixes[i]->keys)) bcast_send_prefix(prefixes[i]);
}

/* ---------------------------------------------------------- on / off */

static void enable_tracking(client *c, uint64_t redirect, uint64_t options, sds *pfx, size_t npfx) {
    if (!(c->flags & CLIENT_TRACKING)) server.tracking_clients++;
    if (c->tracking == NULL) c->tracking = zcalloc(sizeof(*c->tracking));
    remember_client(c);
    c->flags |= CLIENT_TRACKING;
    c->flags &= ~(CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN |
                  CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP);
    c->tracking->redirect = redirect;
    if (table == NULL) table = dict_create(&table_type);
    if (options & CLIENT_TRACKING_BCAST) {
        c->flags |= CLIENT_TRACKING_BCAST;
        if (npfx == 0) {
            sds all = sds_empty();
            bcast_subscribe(c, all);
            sds_free(all);
        }
        for (size_t i = 0; i < npfx; i++) bcast_subscribe(c, pfx[i]);
    }
    c->flags |= options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP);
}

/* Keys c read stay in the table: they are skipped when they change. */
static void disable_tracking(client *c) {
    if (!(c->flags & CLIENT_TRACKING)) return;
    struct tracking_state *ts = c->tracking;
    if (c->flags & CLIENT_TRACKING_BCAST) {
        for (size_t i = 0; i < ts->nprefixes; i++) {
            bcast_unsubscribe(c, ts->prefixes[i]);
            sds_free(ts->prefixes[i]);
        }
        zfree(ts->prefixes);
        ts->prefixes = NULL;
        ts->nprefixes = 0;
    }
    c->flags &= ~TRACKING_ALL_FLAGS;
    server.tracking_clients--;
}

void tracking_client_reset(client *c) {
    disable_tracking(c);
}

void tracking_client_freed(client *c) {
    disable_tracking(c);
    if (c->tracking) {
        zfree(c->tracking);
        c->tracking = NULL;
    }
    if (clients_by_id && dict_size(clients_by_id)) dict_delete(clients_by_id, (void *)(uintptr_t)c->id);
}

long long tracking_client_redirect(const client *c) {
    return (c->flags & CLIENT_TRACKING) ? (long long)c->tracking->redirect : -1;
}

void tracking_init(void) {
    clients_by_id = dict_create(&clients_by_id_type);
    db_set_invalidate_hook(tracking_invalidate_hook);
    static const cmd_listener hooks = {
        .before_resolve = tracking_limit_table,
        .after_call = tracking_command_done,
        .after_unit = tracking_send_pending,
    };
    cmd_set_listener(&hooks);
}

/* ---------------------------------------------------------- commands */

/* 1 if one of a, b is a prefix of the other (they would share keys). */
static int prefixes_overlap(const sds a, const sds b) {
    size_t la = sds_len(a), lb = sds_len(b);
    return memcmp(a, b, la < lb ? la : lb) == 0;
}

/* Replies the error and returns 0 if a new prefix overlaps one c already
 * has or another new one, checked prefix by prefix as Redis does. */
static int check_prefixes(client *c, sds *pfx, size_t n) {
    const struct tracking_state *ts = c->tracking;
    for (size_t i = 0; i < n; i++) {
        size_t have = ts && (c->flags & CLIENT_TRACKING_BCAST) ? ts->nprefixes : 0;
        for (size_t k = 0; k < have; k++) {
            if (!prefixes_overlap(ts->prefixes[k], pfx[i])) continue;
            reply_error_format(c,
                               "Prefix '%s' overlaps with an existing prefix '%s'. "
                               "Prefixes for a single client must not overlap.",
                               pfx[i], ts->prefixes[k]);
            return 0;
        }
        for (size_t j = 0; j < n; j++) {
            if (i == j || !prefixes_overlap(pfx[i], pfx[j])) continue;
            reply_error_format(c,
                               "Prefix '%s' overlaps with another provided prefix '%s'. "
                               "Prefixes for a single client must not overlap.",
                               pfx[i], pfx[j]);
            return 0;
        }
    }
    return 1;
}

/* The checks of CLIENT TRACKING ON, in Redis's order; 0 after replying. */
static int check_tracking_on(client *c, uint64_t options, sds *pfx, size_t npfx) {
    const char *err = NULL;
    uint64_t f = c->flags;
    if (!(options & CLIENT_TRACKING_BCAST) && npfx) {
        err = "PREFIX option requires BCAST mode to be enabled";
    } else if ((f & CLIENT_TRACKING) && !!(f & CLIENT_TRACKING_BCAST) != !!(options & CLIENT_TRACKING_BCAST)) {
        err = "You can't switch BCAST mode on/off before disabling tracking for this client, and then "
              "re-enabling it with a different mode.";
    } else if ((options & CLIENT_TRACKING_BCAST) && (options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT))) {
        err = "OPTIN and OPTOUT are not compatible with BCAST";
    } else if ((options & CLIENT_TRACKING_OPTIN) && (options & CLIENT_TRACKING_OPTOUT)) {
        err = "You can't specify both OPTIN mode and OPTOUT mode";
    } else if (((options & CLIENT_TRACKING_OPTIN) && (f & CLIENT_TRACKING_OPTOUT)) ||
               ((options & CLIENT_TRACKING_OPTOUT) && (f & CLIENT_TRACKING_OPTIN))) {
        err = "You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
              "re-enabling it with a different mode.";
    }
    if (err) {
        reply_error(c, err);
        return 0;
    }
    return !(options & CLIENT_TRACKING_BCAST) || check_prefixes(c, pfx, npfx);
}

/* Parses the options after ON|OFF into *redirect, *options and pfx (room
 * for argc entries, borrowed from argv); 0 after replying an error. */
static int parse_tracking_options(client *c, long long *redirect, uint64_t *options, sds *pfx, size_t *npfx) {
    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        const char *opt = c->argv[j];
        if (strcasecmp(opt, "redirect") == 0 && more) {
            j++;
            if (*redirect != 0) {
                reply_error(c, "A client can only redirect to a single other client");
                return 0;
            }
            if (!string2ll(c->argv[j], sds_len(c->argv[j]), redirect)) {
                reply_error_not_integer(c);
                return 0;
            }
            /* The target must exist now; it may go away later. */
            client *target = find_client(*redirect);
            if (target == NULL) {
                reply_error(c, "The client ID you want redirect to does not exist");
                return 0;
            }
            remember_client(target);
        } else if (strcasecmp(opt, "bcast") == 0) {
            *options |= CLIENT_TRACKING_BCAST;
        } else if (strcasecmp(opt, "optin") == 0) {
            *options |= CLIENT_TRACKING_OPTIN;
        } else if (strcasecmp(opt, "optout") == 0) {
            *options |= CLIENT_TRACKING_OPTOUT;
        } else if (strcasecmp(opt, "noloop") == 0) {
            *options |= CLIENT_TRACKING_NOLOOP;
        } else if (strcasecmp(opt, "prefix") == 0 && more) {
            pfx[(*npfx)++] = c->argv[++j];
        } else {
            reply_error_syntax(c);
            return 0;
        }
    }
    return 1;
}

/* CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN]
 * [OPTOUT] [NOLOOP] */
void client_tracking_command(client *c) {
    long long redirect = 0;
    uint64_t options = 0;
    size_t npfx = 0;
    sds *pfx = zmalloc(sizeof(sds) * (size_t)c->argc);
    if (!parse_tracking_options(c, &redirect, &options, pfx, &npfx)) goto done;
    if (strcasecmp(c->argv[2], "on") == 0) {
        if (!check_tracking_on(c, options, pfx, npfx)) goto done;
        enable_tracking(c, (uint64_t)redirect, options, pfx, npfx);
    } else if (strcasecmp(c->argv[2], "off") == 0) {
        disable_tracking(c);
    } else {
        reply_error_syntax(c);
        goto done;
    }
    reply_ok(c);
done:
    zfree(pfx);
}

/* CLIENT CACHING YES|NO: whether the next command's reads are tracked. */
void client_caching_command(client *c) {
    if (!(c->flags & CLIENT_TRACKING)) {
        reply_error(c, "CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
                       "OPTOUT mode enabled");
        return;
    }
    const char *opt = c->argv[2];
    if (strcasecmp(opt, "yes") == 0) {
        if (!(c->flags & CLIENT_TRACKING_OPTIN)) {
            reply_error(c, "CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
            return;
        }
    } else if (strcasecmp(opt, "no") == 0) {
        if (!(c->flags & CLIENT_TRACKING_OPTOUT)) {
            reply_error(c, "CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
            return;
        }
    } else {
        reply_error_syntax(c);
        return;
    }
    c->flags |= CLIENT_TRACKING_CACHING;
    reply_ok(c);
}

void client_getredir_command(client *c) {
    reply_integer(c, tracking_client_redirect(c));
}

void client_trackinginfo_command(client *c) {
    static const struct {
        uint64_t flag, needs;
        const char *name;
    } names[] = {
        {CLIENT_TRACKING_BCAST, 0, "bcast"},
        {CLIENT_TRACKING_OPTIN, 0, "optin"},
        {CLIENT_TRACKING_OPTOUT, 0, "optout"},
        {CLIENT_TRACKING_CACHING, CLIENT_TRACKING_OPTIN, "caching-yes"},
        {CLIENT_TRACKING_CACHING, CLIENT_TRACKING_OPTOUT, "caching-no"},
        {CLIENT_TRACKING_NOLOOP, 0, "noloop"},
        {CLIENT_TRACKING_BROKEN_REDIR, 0, "broken_redirect"},
    };
    const size_t nnames = sizeof(names) / sizeof(names[0]);
    uint64_t f = c->flags;
    reply_map_len(c, 3);
    reply_bulk_cstr(c, "flags");
    if (!(f & CLIENT_TRACKING)) {
        reply_set_len(c, 1);
        reply_bulk_cstr(c, "off");
    } else {
        long n = 1;
        for (size_t i = 0; i < nnames; i++)
            if ((f & names[i].flag) && (!names[i].needs || (f & names[i].needs))) n++;
        reply_set_len(c, n);
        reply_bulk_cstr(c, "on");
        for (size_t i = 0; i < nnames; i++)
            if ((f & names[i].flag) && (!names[i].needs || (f & names[i].needs))) reply_bulk_cstr(c, names[i].name);
    }
    reply_bulk_cstr(c, "redirect");
    reply_integer(c, tracking_client_redirect(c));
    reply_bulk_cstr(c, "prefixes");
    size_t np = (f & CLIENT_TRACKING_BCAST) ? c->tracking->nprefixes : 0;
    reply_array_len(c, (long)np);
    for (size_t i = 0; i < np; i++) reply_bulk_sds(c, c->tracking->prefixes[i]);
}
