/* db.c -- databases, key lookup with lazy expiry and access tracking,
 * and the generic keyspace commands of the foundation (SELECT, DEL,
 * EXISTS, DBSIZE, FLUSHDB, FLUSHALL).
 *
 * Owns server.dbs, the keyspace hit/miss/expired counters and the clock
 * the LRU/LFU data is kept against. Invariant: a key in `expires` is always
 * in `keys`, and shares its sds (only `keys` frees it); no lookup ever
 * returns a key whose time has passed. FLUSH* ASYNC swaps in empty tables
 * and hands the old ones to lazyfree.c, whose slices a timer of ours runs
 * (one slice per event-loop pass, so clients are served in between). */
#include "db.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "cluster.h"
#include "commands.h"
#include "lazyfree.h"
#include "monotonic.h"
#include "multi.h"
#include "notify.h"
#include "propagate.h"
#include "slot_index.h"
#include "snapshot.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"
#include "vclock.h"

/* Milliseconds of rehashing per cron tick (for the first table that
 * needs it: one tick never pays for several). */
#define DB_CRON_REHASH_MS 1
/* A table is shrunk once it is less than this full (percent)... */
#define DB_MIN_FILL_PERCENT 10
/* ...by at most this factor per step (see db_shrink_if_sparse). */
#define DB_SHRINK_MAX_FACTOR 8
/* Microseconds of freeing per slice of an async flush: short enough that
 * a client waits at most about this long for its turn. */
#define DB_LAZYFREE_SLICE_US 1000
/* The first slice waits this long, so the FLUSH reply is sent first. */
#define DB_LAZYFREE_FIRST_DELAY_MS 1
/* Databases with at most this many keys are emptied at once even when
 * ASYNC is asked for: that is cheaper than a slice's bookkeeping. */
#define DB_ASYNC_FLUSH_MIN_KEYS 4096
#define DB_MS_PER_MINUTE 60000

/* Data-clock ms read by the cron (and when MINIRED CLOCK moves it): the
 * LRU/LFU clocks need no better. */
static long long db_clock_ms;
static long long db_lazyfree_timer_id = -1;
static void db_schedule_lazyfree(void);

/* NULL: the value was taken out first (db_delete_lazy). While a flushed
 * keyspace is freed in slices, a big value in it is queued in turn. */
static void db_val_free(dict *d, void *val) {
    (void)d;
    if (val == NULL) return;
    if (lazyfree_in_step()) lazyfree_free_object(val);
    else obj_decr_refcount(val);
}

static dict_type keyspace_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
    .val_destructor = db_val_free,
};

static dict_type expires_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
};

/* ---------------------------------------------------------- keys per slot
 *
 * A cluster node lists its keys per hash slot (slot_index.h): its keyspace
 * dicts carry the list links in each entry, and each dict owns its index
 * through d->privdata, so an index follows its dict wherever the tables
 * move (SWAPDB is refused in cluster mode, but a replica's swapdb and
 * async loads exchange whole sets of tables). Without cluster mode the
 * plain type is used and none of this costs anything. */

static dict_type keyspace_cluster_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
    .val_destructor = db_val_free,
    .entry_metadata_bytes = SLOT_INDEX_META_BYTES,
};

static dict *db_keys_create(void) {
    if (!cfg.cluster_enabled) return dict_create(&keyspace_type);
    dict *d = dict_create(&keyspace_cluster_type);
    d->privdata = slot_index_create();
    return d;
}

/* The index is dropped first: nobody walks the links of a dict on its
 * way out (lazyfree frees its entries later, unlinked). */
static void db_keys_release(dict *d, int lazy) {
    slot_index_free(d->privdata);
    d->privdata = NULL;
    if (lazy) lazyfree_release_dict(d);
    else dict_release(d);
}

static void db_keys_empty(dict *d) {
    dict_empty(d, NULL);
    if (d->privdata) slot_index_reset(d->privdata);
}

static inline void db_keys_link(dict *d, dict_entry *de) {
    if (d->privdata) slot_index_link(d->privdata, de);
}

/* Removes key from the keyspace dict (the entry is returned unlinked from
 * its slot, for the caller to free), or NULL. */
static dict_entry *db_keys_unlink(dict *d, const sds key) {
    dict_entry *de = dict_unlink(d, key);
    if (de && d->privdata) slot_index_unlink(d->privdata, de);
    return de;
}

unsigned long long db_slot_count(const db *d, unsigned int slot) {
    return d->keys->privdata ? slot_index_count(d->keys->privdata, slot) : 0;
}

unsigned long db_slot_keys(const db *d, unsigned int slot, unsigned long max, sds *out) {
    unsigned long n = 0;
    if (d->keys->privdata == NULL) return 0;
    for (dict_entry *de = slot_index_first(d->keys->privdata, slot); de && n < max; de = slot_index_next(de))
        out[n++] = dict_get_key(de);
    return n;
}

void db_init(int n) {
    server.dbs = zcalloc(sizeof(db) * (size_t)n);
    server.dbnum = n;
    for (int i = 0; i < n; i++) {
        server.dbs[i].keys = db_keys_create();
        server.dbs[i].expires = dict_create(&expires_type);
        server.dbs[i].id = i;
    }
    db_clock_ms = vclock_ms();
}

void db_clock_refresh(void) {
    db_clock_ms = vclock_ms();
}

long long db_now_ms(void) {
    if (server.cmd_time_ms == 0) server.cmd_time_ms = vclock_ms();
    return server.cmd_time_ms;
}

int db_expire_time_passed(long long when_ms) {
    /* A replica and a loader keep the key with its past time: the
     * primary's DEL (or the loaded file's own) removes it, and until then
     * a replica's reads hide it. Deleting here would make the replica
     * diverge when its stream is applied late (Redis's rule). */
    return when_ms <= db_now_ms() && !server.is_replica && !snapshot_loading();
}

/* ---------------------------------------------------------- access data */

unsigned int db_lru_clock(void) {
    return (unsigned int)((db_clock_ms / DB_LRU_CLOCK_RESOLUTION_MS) & DB_LRU_CLOCK_MAX);
}

static unsigned int db_lfu_minutes(void) {
    return (unsigned int)((db_clock_ms / DB_MS_PER_MINUTE) & DB_LFU_MINUTES_MAX);
}

unsigned long long db_obj_idle_ms(const robj *o) {
    return (unsigned long long)db_lru_elapsed(db_lru_clock(), o->lru) * DB_LRU_CLOCK_RESOLUTION_MS;
}

unsigned int db_lfu_counter(const robj *o) {
    unsigned int elapsed = db_lfu_minutes_elapsed(db_lfu_minutes(), o->lru >> 8);
    return db_lfu_decay(o->lru & DB_LFU_COUNTER_MAX, elapsed, cfg.lfu_decay_time);
}

void db_touch_obj(robj *o) {
    if (MAXMEMORY_POLICY_IS_LFU(cfg.maxmemory_policy)) {
        double r = (double)random() / ((double)RAND_MAX + 1.0);
        unsigned int counter = db_lfu_log_incr(db_lfu_counter(o), cfg.lfu_log_factor, r);
        o->lru = (db_lfu_minutes() << 8) | counter;
    } else {
        o->lru = db_lru_clock();
    }
}

/* Access data of a brand-new value: accessed now, LFU counter at its
 * starting value so that a new key is not the first one evicted. */
static void db_init_access(robj *o) {
    if (MAXMEMORY_POLICY_IS_LFU(cfg.maxmemory_policy))
        o->lru = (db_lfu_minutes() << 8) | DB_LFU_INIT_VAL;
    else
        o->lru = db_lru_clock();
}

/* CLIENT NO-TOUCH turns access tracking off for a client's reads, except
 * for TOUCH itself, whose whole point is to touch. */
static int db_may_touch(void) {
    const client *c = server.current_client;
    if (c == NULL || !(c->flags & CLIENT_NO_TOUCH)) return 1;
    return c->cmd && strcmp(c->cmd->name, "touch") == 0;
}

/* ---------------------------------------------------------- expiry */

long long db_get_expire(db *d, const sds key) {
    if (dict_size(d->expires) == 0) return -1;
    dict_entry *de = dict_find(d->expires, key);
    return de ? dict_get_signed_int_val(de) : -1;
}

int db_is_expired(db *d, const sds key) {
    long long when = db_get_expire(d, key);
    return when >= 0 && when <= db_now_ms();
}

/* ---------------------------------------------------------- changes */

static db_invalidate_fn *invalidate_hook;

void db_set_invalidate_hook(db_invalidate_fn *fn) {
    invalidate_hook = fn;
}

void db_signal_modified(db *d, const sds key) {
    multi_touch_key(d, key);
    if (invalidate_hook) invalidate_hook(d->id, key);
}

void db_signal_flushed(int dbnum) {
    int start = dbnum < 0 ? 0 : dbnum, end = dbnum < 0 ? server.dbnum - 1 : dbnum;
    for (int i = start; i <= end; i++) {
        multi_touch_existing_in_db(i, -1);
        blocking_signal_waited(i);
    }
    /* A NULL key: every cached key of every database is gone. */
    if (invalidate_hook) invalidate_hook(dbnum, NULL);
}

void db_expire_key(db *d, const sds key) {
    int lazy = cfg.lazyfree_lazy_expire;
    server.stat_expired_keys++;
    /* Nobody to tell of it (the usual case, and a mass expiry's): only
     * delete, without the copy the announcements below need. */
    if (!multi_watched_keys && !server.tracking_clients && !prop_active() &&
        !(cfg.notify_keyspace_events & NOTIFY_EXPIRED)) {
        db_delete_maybe_lazy(d, key, lazy);
        return;
    }
    /* The key may be the dict's own sds, freed by the delete. */
    sds copy = sds_dup(key);
    db_delete_maybe_lazy(d, copy, lazy);
    notify_keyspace_event(NOTIFY_EXPIRED, "expired", copy, d->id);
    db_signal_modified(d, copy);
    prop_addf(d->id, "cs", lazy ? "UNLINK" : "DEL", copy);
    sds_free(copy);
}

static int expiry_paused;

void db_set_expiry_paused(int paused) {
    expiry_paused = paused;
}

int db_expiry_paused(void) {
    return expiry_paused;
}

int db_expire_if_needed(db *d, const sds key) {
    if (!db_is_expired(d, key)) return 0;
    /* A replica's keys expire when its primary's DEL says so: the
     * primary's commands still see them, everyone else sees them gone. */
    if (server.is_replica) return server.current_client == NULL || server.current_client != server.primary_client;
    /* A paused server must not change its data set (a failover waits on
     * it): the key stays, reads treat it as missing. */
    if (!expiry_paused) db_expire_key(d, key);
    return 1;
}

/* ------------------------------------------- a writable replica's own TTLs
 *
 * A replica's keys expire by its primary's DELs, but with
 * replica-read-only no its own clients may give keys a TTL the primary
 * never hears of. Those keys are remembered here, by name with a bitmap
 * of the databases (ids 0..63) that hold them, and the cron deletes them
 * when their time passes, as Redis does (INFO slave_expires_tracked_keys
 * counts the names). An entry is dropped once none of its databases holds
 * the key with a TTL any more; FLUSHALL forgets them all. expire.c's cron
 * walks the names (db_replica_keys) and checks each. */

#define DB_REPLICA_KEYS_MAX_DB 64

static dict_type replica_keys_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
};
static dict *replica_keys;

static void db_remember_replica_key(int dbid, const sds key) {
    if (dbid < 0 || dbid >= DB_REPLICA_KEYS_MAX_DB) return;
    if (replica_keys == NULL) replica_keys = dict_create(&replica_keys_type);
    dict_entry *existing, *de = dict_add_raw(replica_keys, key, &existing);
    if (de) dict_set_key(replica_keys, de, sds_dup(key)); /* it stored our borrowed pointer */
    else de = existing;
    dict_set_unsigned_int_val(de, dict_get_unsigned_int_val(de) | (1ULL << dbid));
}

dict *db_replica_keys(void) {
    return replica_keys;
}

static void db_forget_replica_keys(void) {
    if (replica_keys) dict_empty(replica_keys, NULL);
}

void db_replica_key_check(sds key, long long now_ms) {
    dict_entry *de = dict_find(replica_keys, key);
    if (de == NULL) return;
    uint64_t dbs = dict_get_unsigned_int_val(de), kept = 0;
    for (int id = 0; id < DB_REPLICA_KEYS_MAX_DB && id < server.dbnum; id++) {
        if (!(dbs & (1ULL << id))) continue;
        db *d = &server.dbs[id];
        dict_entry *ede = dict_size(d->expires) ? dict_find(d->expires, key) : NULL;
        if (ede == NULL) continue;
        if (dict_get_signed_int_val(ede) > now_ms) {
            kept |= 1ULL << id;
            continue;
        }
        db_expire_key(d, key);
        prop_flush(); /* each expiry is its own unit */
    }
    if (kept) dict_set_unsigned_int_val(de, kept);
    else dict_delete(replica_keys, key); /* frees key */
}

void db_set_expire(db *d, const sds key, long long when_ms) {
    dict_entry *kde = dict_find(d->keys, key);
    if (kde == NULL) return;
    dict_entry *de = dict_add_or_find(d->expires, dict_get_key(kde));
    dict_set_signed_int_val(de, when_ms);
    client *c = server.current_client;
    if (server.is_replica && !cfg.replica_read_only && c && c != server.primary_client)
        db_remember_replica_key(d->id, key);
}

int db_remove_expire(db *d, const sds key) {
    return dict_size(d->expires) && dict_delete(d->expires, key) == DICT_OK;
}

/* ---------------------------------------------------------- lookup */

robj *db_lookup(db *d, const sds key, int flags) {
    int expired = dict_size(d->expires) && db_expire_if_needed(d, key);
    /* A write never runs during a pause, but should one, it must not find
     * a paused expired key in the way of the key it creates. */
    if (expired && (flags & DB_LOOKUP_WRITE) && !(server.is_replica && cfg.replica_read_only) &&
        dict_find(d->keys, key))
        db_expire_key(d, key);
    dict_entry *de = expired ? NULL : dict_find(d->keys, key);
    robj *o = de ? dict_get_val(de) : NULL;
    if (o && !(flags & DB_LOOKUP_NOTOUCH) && db_may_touch()) db_touch_obj(o);
    if (o == NULL && !(flags & (DB_LOOKUP_WRITE | DB_LOOKUP_NONOTIFY)))
        notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", key, d->id);
    if (!(flags & (DB_LOOKUP_WRITE | DB_LOOKUP_NOSTATS))) {
        if (o) server.stat_keyspace_hits++;
        else server.stat_keyspace_misses++;
    }
    return o;
}

robj *db_lookup_write(db *d, const sds key) {
    return db_lookup(d, key, DB_LOOKUP_WRITE);
}

robj *db_lookup_read(db *d, const sds key) {
    return db_lookup(d, key, 0);
}

/* ---------------------------------------------------------- writes */

/* A list, sorted set or stream appearing under a key may serve clients
 * blocked on it (whatever command put it there: push, RENAME, MOVE, COPY...). */
static inline void db_signal_if_waitable(db *d, const sds key, const robj *val) {
    if (server.blocked_clients && (val->type == OBJ_LIST || val->type == OBJ_ZSET || val->type == OBJ_STREAM))
        blocking_signal_key(d, key);
    /* Also a change, whichever database it lands in (MOVE and COPY ... DB
     * write to another one than the command's). */
    db_signal_modified(d, key);
}

/* A stream leaving a key (deleted or overwritten) wakes the clients
 * blocked in XREADGROUP on it, which Redis 7.0 answers with an error. */
static void db_signal_stream_gone(db *d, const sds key, const robj *old) {
    if (server.blocked_clients && old->type == OBJ_STREAM) blocking_signal_key(d, key);
}

/* Adds a key known to be missing, with its own copy of the name. */
static void db_keys_add_new(db *d, const sds key, robj *val) {
    dict_entry *de = dict_add_raw(d->keys, sds_dup(key), NULL);
    dict_set_val(d->keys, de, val);
    db_keys_link(d->keys, de);
}

void db_add(db *d, const sds key, robj *val) {
    db_init_access(val);
    db_keys_add_new(d, key, val);
    db_signal_if_waitable(d, key, val);
    notify_keyspace_event(NOTIFY_NEW, "new", key, d->id);
}

int db_add_loaded(db *d, sds key, robj *val) {
    dict_entry *de = dict_add_raw(d->keys, key, NULL);
    if (de == NULL) return 0;
    db_init_access(val);
    dict_set_val(d->keys, de, val);
    db_keys_link(d->keys, de);
    return 1;
}

void db_set_loaded_access(robj *o, long long idle_s, int lfu_freq) {
    if (MAXMEMORY_POLICY_IS_LFU(cfg.maxmemory_policy)) {
        if (lfu_freq >= 0) o->lru = (db_lfu_minutes() << 8) | ((unsigned)lfu_freq & DB_LFU_COUNTER_MAX);
        return;
    }
    if (idle_s < 0) return;
    long long now = db_lru_clock();
    long long ticks = idle_s * 1000 / DB_LRU_CLOCK_RESOLUTION_MS;
    long long abs_clock = now - ticks;
    /* Idle longer than the clock reaches back: as Redis does, the oldest
     * time the clock can show (half a wrap ago). */
    if (abs_clock < 0) abs_clock = (now + DB_LRU_CLOCK_MAX / 2) % DB_LRU_CLOCK_MAX;
    o->lru = (unsigned)abs_clock;
}

void db_add_moved(db *d, const sds key, robj *val) {
    db_keys_add_new(d, key, val);
    db_signal_if_waitable(d, key, val);
    notify_keyspace_event(NOTIFY_NEW, "new", key, d->id);
}

void db_set_key(db *d, const sds key, robj *val, int keep_ttl) {
    dict_entry *existing;
    dict_entry *de = dict_add_raw(d->keys, (void *)key, &existing);
    if (de) {
        /* dict_add_raw stored our borrowed pointer: give it its own copy. */
        dict_set_key(d->keys, de, sds_dup(key));
        db_init_access(val);
        dict_set_val(d->keys, de, val);
        db_keys_link(d->keys, de);
        db_signal_if_waitable(d, key, val);
        notify_keyspace_event(NOTIFY_NEW, "new", key, d->id);
        return;
    }
    robj *old = dict_get_val(existing);
    if (old->type != val->type) db_signal_stream_gone(d, key, old);
    if (old != val) {
        /* An overwritten key keeps its access frequency (LFU), as in Redis. */
        if (MAXMEMORY_POLICY_IS_LFU(cfg.maxmemory_policy)) val->lru = old->lru;
        else db_init_access(val);
        dict_set_val(d->keys, existing, val);
        obj_decr_refcount(old);
    }
    /* Overwriting with the same (shared) object is still a write, as in
     * Redis: SET k 1 over 1 fails WATCH and invalidates caches. */
    db_signal_if_waitable(d, key, val);
    if (!keep_ttl && dict_size(d->expires)) dict_delete(d->expires, key);
}

void db_replace_unshared(db *d, const sds key, robj *val) {
    dict_entry *de = dict_find(d->keys, key);
    if (de == NULL) {
        obj_decr_refcount(val);
        return;
    }
    robj *old = dict_get_val(de);
    val->lru = old->lru;
    dict_set_val(d->keys, de, val);
    obj_decr_refcount(old);
}

int db_delete(db *d, const sds key) {
    if (server.blocked_clients) {
        dict_entry *de = dict_find(d->keys, key);
        if (de) db_signal_stream_gone(d, key, dict_get_val(de));
    }
    if (dict_size(d->expires)) dict_delete(d->expires, key);
    dict_entry *de = db_keys_unlink(d->keys, key);
    if (de == NULL) return 0;
    dict_free_unlinked_entry(d->keys, de);
    return 1;
}

int db_delete_lazy(db *d, const sds key) {
    if (dict_size(d->expires)) dict_delete(d->expires, key);
    dict_entry *de = db_keys_unlink(d->keys, key);
    if (de == NULL) return 0;
    robj *val = dict_get_val(de);
    db_signal_stream_gone(d, key, val);
    de->v.val = NULL; /* db_val_free skips it: lazyfree decides below */
    dict_free_unlinked_entry(d->keys, de);
    if (lazyfree_free_object(val)) db_schedule_lazyfree();
    return 1;
}

int db_delete_maybe_lazy(db *d, const sds key, int lazy) {
    return lazy ? db_delete_lazy(d, key) : db_delete(d, key);
}

unsigned long db_size(const db *d) {
    return dict_size(d->keys);
}

/* ---------------------------------------------------------- flush, swap */

long long db_empty(int dbnum) {
    long long removed = 0;
    int start = dbnum < 0 ? 0 : dbnum, end = dbnum < 0 ? server.dbnum - 1 : dbnum;
    db_signal_flushed(dbnum);
    if (dbnum < 0) db_forget_replica_keys();
    for (int i = start; i <= end; i++) {
        db *d = &server.dbs[i];
        removed += (long long)dict_size(d->keys);
        dict_empty(d->expires, NULL);
        db_keys_empty(d->keys);
    }
    return removed;
}

/* One slice of freeing per event-loop pass: returning 0 runs us again
 * right after the next poll, which does not wait while we have work. */
static int db_lazyfree_tick(ae_event_loop *el, long long id, void *data) {
    (void)el, (void)id, (void)data;
    if (lazyfree_dict_step(DB_LAZYFREE_SLICE_US)) return 0;
    db_lazyfree_timer_id = -1;
    return AE_NOMORE;
}

/* Makes sure queued slices of freeing get run between commands. */
static void db_schedule_lazyfree(void) {
    if (db_lazyfree_timer_id == -1 && server.el && lazyfree_pending_objects() > 0)
        db_lazyfree_timer_id = ae_create_time_event(server.el, DB_LAZYFREE_FIRST_DELAY_MS, db_lazyfree_tick, NULL, NULL);
}

long long db_empty_async(int dbnum) {
    long long removed = 0;
    int start = dbnum < 0 ? 0 : dbnum, end = dbnum < 0 ? server.dbnum - 1 : dbnum;
    db_signal_flushed(dbnum);
    if (dbnum < 0) db_forget_replica_keys();
    for (int i = start; i <= end; i++) {
        db *d = &server.dbs[i];
        unsigned long n = dict_size(d->keys);
        removed += (long long)n;
        if (n <= DB_ASYNC_FLUSH_MIN_KEYS || server.el == NULL) {
            dict_empty(d->expires, NULL);
            db_keys_empty(d->keys);
            continue;
        }
        lazyfree_release_dict(d->expires);
        db_keys_release(d->keys, 1);
        d->keys = db_keys_create();
        d->expires = dict_create(&expires_type);
    }
    db_schedule_lazyfree();
    return removed;
}

struct db_saved {
    int n;
    dict **keys, **expires;
};

/* Nobody is told yet: until the swap, clients either see the old data
 * (an async load exchanges it back in to serve them) or get -LOADING. */
db_saved *db_save_and_empty(void) {
    db_saved *s = zmalloc(sizeof(*s));
    s->n = server.dbnum;
    s->keys = zmalloc(sizeof(dict *) * (size_t)s->n);
    s->expires = zmalloc(sizeof(dict *) * (size_t)s->n);
    for (int i = 0; i < s->n; i++) {
        s->keys[i] = server.dbs[i].keys;
        s->expires[i] = server.dbs[i].expires;
        server.dbs[i].keys = db_keys_create();
        server.dbs[i].expires = dict_create(&expires_type);
    }
    return s;
}

/* Only the table pointers move: everything else that names a database
 * (clients' c->db, blocked and watched keys, tracking) holds the db
 * struct or key names, never its dicts, so it follows the exchange. */
void db_exchange_saved(db_saved *s) {
    for (int i = 0; i < s->n; i++) {
        dict *keys = server.dbs[i].keys, *expires = server.dbs[i].expires;
        server.dbs[i].keys = s->keys[i];
        server.dbs[i].expires = s->expires[i];
        s->keys[i] = keys;
        s->expires[i] = expires;
    }
}

static void db_saved_free(db_saved *s) {
    zfree(s->keys);
    zfree(s->expires);
    zfree(s);
}

void db_restore_saved(db_saved *s) {
    db_exchange_saved(s);
    for (int i = 0; i < s->n; i++) {
        /* Expiries first: they share the keys' sds. */
        dict_release(s->expires[i]);
        db_keys_release(s->keys[i], 0);
    }
    db_saved_free(s);
}

/* The swap as clients see it, with Redis 7.0's SWAPDB rules per database:
 * a transaction watching a key present before or after fails, clients
 * waiting for a key are looked at again, and every tracking client is
 * told that all its keys are gone (a NULL key). No keyspace events. */
static void db_signal_swapped_in(db_saved *s) {
    for (int i = 0; i < s->n; i++) {
        db old = {.keys = s->keys[i], .expires = s->expires[i], .id = i};
        multi_touch_replaced_db(i, &old, &server.dbs[i]);
        blocking_signal_waited(i);
    }
    if (invalidate_hook) invalidate_hook(-1, NULL);
    /* The writable-replica keys it expires were the old dataset's. */
    db_forget_replica_keys();
    /* No command follows to serve the waiters (the swap happens between
     * events), so they are served now, against the new data. */
    if (server.ready_keys) blocking_handle_ready_keys();
}

void db_drop_saved(db_saved *s, int lazy) {
    db_signal_swapped_in(s);
    for (int i = 0; i < s->n; i++) {
        if (lazy && server.el) {
            lazyfree_release_dict(s->expires[i]);
            db_keys_release(s->keys[i], 1);
        } else {
            dict_release(s->expires[i]);
            db_keys_release(s->keys[i], 0);
        }
    }
    if (lazy) db_schedule_lazyfree();
    db_saved_free(s);
}

long long db_total_keys(void) {
    long long n = 0;
    for (int i = 0; i < server.dbnum; i++) n += (long long)dict_size(server.dbs[i].keys);
    return n;
}

void db_swap(int a, int b) {
    /* Watched keys that exist on either side change (multi.c decides,
     * with Redis 7.0's expired-key rules, before the swap). */
    multi_touch_existing_in_db(a, b);
    multi_touch_existing_in_db(b, a);
    db *x = &server.dbs[a], *y = &server.dbs[b];
    dict *keys = x->keys, *expires = x->expires;
    x->keys = y->keys;
    x->expires = y->expires;
    y->keys = keys;
    y->expires = expires;
    /* Lists, sorted sets or streams may now be where clients wait for
     * them, and a waited stream may be gone (XREADGROUP learns it). */
    blocking_signal_waited(a);
    blocking_signal_waited(b);
}

/* ---------------------------------------------------------- cron */

/* A table that emptied (mass expiry, deletes) is shrunk, or scans and
 * the expire cycle would keep walking a million empty buckets. At most by
 * DB_SHRINK_MAX_FACTOR per step: while it rehashes, one dict_scan step
 * visits every bucket of the big table that maps to one of the small, so
 * 1M -> 4 buckets in one go would make a single step walk 256K of them. */
static void db_shrink_if_sparse(dict *d) {
    unsigned long slots = dict_slots(d), used = dict_size(d);
    if (dict_is_rehashing(d) || slots <= DICT_HT_SIZE(DICT_HT_INITIAL_EXP)) return;
    if (used * 100 / slots >= DB_MIN_FILL_PERCENT) return;
    unsigned long target = slots / DB_SHRINK_MAX_FACTOR;
    if (target <= used || target <= DICT_HT_SIZE(DICT_HT_INITIAL_EXP)) dict_resize(d);
    else dict_expand(d, target);
}

void db_cron_rehash(void) {
    db_clock_ms = vclock_ms();
    for (int i = 0; i < server.dbnum; i++) {
        db_shrink_if_sparse(server.dbs[i].keys);
        db_shrink_if_sparse(server.dbs[i].expires);
    }
    /* One table per tick: rehashing is also done a step per operation, so
     * this only helps idle tables along. */
    for (int i = 0; i < server.dbnum; i++) {
        db *d = &server.dbs[i];
        if (dict_is_rehashing(d->keys) && dict_rehash_ms(d->keys, DB_CRON_REHASH_MS)) break;
        if (dict_is_rehashing(d->expires) && dict_rehash_ms(d->expires, DB_CRON_REHASH_MS)) break;
    }
}

int db_check_type(client *c, const robj *o, int type) {
    if (o && (int)o->type != type) {
        reply_error(c, "-WRONGTYPE Operation against a key holding the wrong kind of value");
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------- commands */

void select_command(client *c) {
    long long id;
    if (!string2ll(c->argv[1], sds_len(c->argv[1]), &id)) {
        reply_error_not_integer(c);
        return;
    }
    if (id < INT32_MIN || id > INT32_MAX) {
        reply_error(c, "value is out of range, value must between -2147483648 and 2147483647");
        return;
    }
    /* A cluster node has one database. */
    if (cluster && id != 0) {
        reply_error(c, "SELECT is not allowed in cluster mode");
        return;
    }
    if (id < 0 || id >= server.dbnum) {
        reply_error(c, "DB index is out of range");
        return;
    }
    c->db_id = (int)id;
    c->db = &server.dbs[id];
    reply_ok(c);
}

/* DEL and UNLINK: one body; lazy frees big values off the event loop.
 * Each key removed is one change and one "del" event (an expired key is
 * reported as expired instead); the effect is the command itself. */
void db_del_generic(client *c, int lazy) {
    long long deleted = 0;
    for (int i = 1; i < c->argc; i++) {
        db_expire_if_needed(c->db, c->argv[i]);
        if (!db_delete_maybe_lazy(c->db, c->argv[i], lazy)) continue;
        db_signal_modified(c->db, c->argv[i]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[i], c->db_id);
        deleted++;
    }
    db_dirty(deleted);
    reply_integer(c, deleted);
}

void del_command(client *c) {
    db_del_generic(c, cfg.lazyfree_lazy_user_del);
}

/* EXISTS counts hits and misses but is not an access (Redis: NOTOUCH). */
void exists_command(client *c) {
    long long count = 0;
    for (int i = 1; i < c->argc; i++)
        if (db_lookup(c->db, c->argv[i], DB_LOOKUP_NOTOUCH)) count++;
    reply_integer(c, count);
}

void dbsize_command(client *c) {
    reply_integer(c, (long long)db_size(c->db));
}

/* FLUSHDB/FLUSHALL [ASYNC|SYNC]: returns 1 for ASYNC, 0 for SYNC (no
 * argument: lazyfree-lazy-user-flush decides), -1 after replying to a bad
 * argument. */
static int flush_parse_mode(client *c) {
    if (c->argc == 1) return cfg.lazyfree_lazy_user_flush ? 1 : 0;
    if (c->argc == 2 && strcasecmp(c->argv[1], "async") == 0) return 1;
    if (c->argc == 2 && strcasecmp(c->argv[1], "sync") == 0) return 0;
    reply_error_syntax(c);
    return -1;
}

/* The flush counts one change per key removed, and is replayed as given
 * even when it removed nothing (a replica may hold keys we do not). */
static int flush_generic(client *c, int dbnum) {
    int mode = flush_parse_mode(c);
    if (mode < 0) return -1;
    db_dirty(mode ? db_empty_async(dbnum) : db_empty(dbnum));
    if (prop_active()) {
        sds *argv = zmalloc(sizeof(sds) * (size_t)c->argc);
        for (int i = 0; i < c->argc; i++) argv[i] = sds_dup(c->argv[i]);
        prop_add(c->db_id, c->argc, argv);
        prop_prevent(c);
    }
    return 0;
}

void flushdb_command(client *c) {
    if (flush_generic(c, c->db_id) == 0) reply_ok(c);
}

/* FLUSHALL also resets the snapshot, as Redis does (a running BGSAVE of
 * the old data is killed; with save points, an empty dump is saved). */
void flushall_command(client *c) {
    if (flush_generic(c, -1) == -1) return;
    snapshot_after_flushall();
    reply_ok(c);
}

/* ---------------------------------------------------------- table */

redis_command keyspace_commands[] = {
    {.name = "select", .proc = select_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl = ACL_CONNECTION, .group = "connection", .since = "1.0.0",
     .summary = "Change the selected database for the current connection", .complexity = "O(1)"},
    {.name = "del", .proc = del_command, .arity = -2, .flags = CMD_WRITE, .acl = ACL_KEYSPACE, .first_key = 1,
     .last_key = -1, .key_step = 1, .ks_flags = KS_RM | KS_DELETE,
     .tips = "request_policy:multi_shard response_policy:agg_sum", .group = "generic", .since = "1.0.0",
     .summary = "Delete a key",
     .complexity = "O(N) where N is the number of keys that will be removed. When a key to remove holds a value "
                   "other than a string, the individual complexity for this key is O(M) where M is the number of "
                   "elements in the list, set, sorted set or hash. Removing a single key that holds a string value "
                   "is O(1)."},
    {.name = "exists", .proc = exists_command, .arity = -2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = -1, .key_step = 1, .ks_flags = KS_RO,
     .tips = "request_policy:multi_shard response_policy:agg_sum", .group = "generic", .since = "1.0.0",
     .summary = "Determine if a key exists", .complexity = "O(N) where N is the number of keys to check."},
    {.name = "dbsize", .proc = dbsize_command, .arity = 1, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_KEYSPACE,
     .tips = "request_policy:all_shards response_policy:agg_sum", .group = "server", .since = "1.0.0",
     .summary = "Return the number of keys in the selected database", .complexity = "O(1)"},
    {.name = "flushdb", .proc = flushdb_command, .arity = -1, .flags = CMD_WRITE,
     .acl = ACL_KEYSPACE | ACL_DANGEROUS, .tips = ALL_SHARDS_OK, .group = "server", .since = "1.0.0",
     .summary = "Remove all keys from the current database",
     .complexity = "O(N) where N is the number of keys in the selected database"},
    {.name = "flushall", .proc = flushall_command, .arity = -1, .flags = CMD_WRITE,
     .acl = ACL_KEYSPACE | ACL_DANGEROUS, .tips = ALL_SHARDS_OK, .group = "server", .since = "1.0.0",
     .summary = "Remove all keys from all databases",
     .complexity = "O(N) where N is the total number of keys in all databases"},
    {0}};
