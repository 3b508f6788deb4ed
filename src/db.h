/* db.h -- the keyspace: numbered databases of sds keys to robj values,
 * with expiry times. Every key access goes through here so that an expired
 * key is never visible to a command, and so that each access updates the
 * value's LRU clock or LFU counter (what OBJECT IDLETIME / FREQ report and
 * what eviction ranks keys by). */
#ifndef MINIRED_DB_H
#define MINIRED_DB_H

#include "server.h"

/* Unix ms "now" for expiry decisions: fixed for the running command. */
long long db_now_ms(void);
/* 1 when a TTL set now at when_ms (EXPIRE*, GETEX, RESTORE) deletes the
 * key at once: the time has passed, and this server is neither a replica
 * nor loading (those keep the key until a DEL arrives). */
int db_expire_time_passed(long long when_ms);
/* Re-reads the data clock the LRU/LFU stamps use (the cron does it every
 * tick; MINIRED CLOCK at once). */
void db_clock_refresh(void);
/* Adds n changes to the dirty counter (INFO rdb_changes_since_last_save):
 * handlers call it beside each change, per element as Redis counts. */
static inline void db_dirty(long long n) {
    server.dirty += n;
}
/* The one call for "key changed" (Redis's signalModifiedKey): touches the
 * key's WATCHers and invalidates client-side caches of it. Every place
 * that modifies, creates or deletes a key calls it once per change. */
void db_signal_modified(db *d, const sds key);
/* Same for every key of one database (dbnum >= 0) or all (-1) being
 * flushed; swapped is the other database of a SWAPDB or -1. */
void db_signal_flushed(int dbnum);
/* The tracking layer registers here what "invalidate key" means. */
typedef void db_invalidate_fn(int dbid, const sds key);
void db_set_invalidate_hook(db_invalidate_fn *fn);
/* repl-diskless-load swapdb: every database's data moves aside and the
 * databases start empty for the loader (nobody is told); exchange_saved
 * swaps the two sets (around serving clients during an async load: call
 * it again to undo); then db_restore_saved puts the old data back (the
 * load failed: what was loaded is freed, nobody is told) or db_drop_saved
 * frees it (lazily when lazy) after telling watchers, waiters and
 * tracking clients of the swap as SWAPDB would. Both take s. */
typedef struct db_saved db_saved;
db_saved *db_save_and_empty(void);
void db_exchange_saved(db_saved *s);
void db_restore_saved(db_saved *s);
void db_drop_saved(db_saved *s, int lazy);
/* Keys in every database (repl-diskless-load on-empty-db). */
long long db_total_keys(void);
/* Creates n empty databases (server.dbs). */
void db_init(int n);

/* Lookup flags (db_lookup). */
#define DB_LOOKUP_WRITE (1 << 0)   /* a write lookup: never counts hits/misses */
#define DB_LOOKUP_NOTOUCH (1 << 1) /* leave the LRU/LFU data alone */
#define DB_LOOKUP_NOSTATS (1 << 2) /* do not count keyspace hits/misses */
#define DB_LOOKUP_NONOTIFY (1 << 3) /* no "keymiss" event */

/* Returns the live value of key or NULL, deleting it first if expired.
 * The _read form counts keyspace hits/misses. Both update the value's
 * access data unless the client is CLIENT NO-TOUCH. Borrowed reference. */
robj *db_lookup_read(db *d, const sds key);
robj *db_lookup_write(db *d, const sds key);
/* The general form: flags are DB_LOOKUP_* bits. */
robj *db_lookup(db *d, const sds key, int flags);

/* Takes val; key is copied. The key must not exist. val's access data is
 * initialised (a new value). */
void db_add(db *d, const sds key, robj *val);
/* Same, for a value moved from another key (RENAME, MOVE): keeps its
 * access data. */
void db_add_moved(db *d, const sds key, robj *val);
/* Loaders (RDB, AOF base): takes key and val and adds them with fresh
 * access data, as a load does: no WATCH touch, no keyspace event, no
 * dirty count, no client served. Returns 1, or 0 when the key exists
 * (nothing taken: the caller decides what a duplicate means). */
int db_add_loaded(db *d, sds key, robj *val);
/* Sets o's access data as an RDB (IDLE / FREQ opcodes) or RESTORE
 * (IDLETIME / FREQ) gives it: idle_s seconds since the last access under
 * an LRU (or no) policy, the LFU counter under an LFU one; -1 leaves that
 * field as it is. The policy decides which of the two applies. */
void db_set_loaded_access(robj *o, long long idle_s, int lfu_freq);
/* Takes val: adds or overwrites key. keep_ttl 0 drops an existing TTL. */
void db_set_key(db *d, const sds key, robj *val, int keep_ttl);
/* Takes val: replaces the value of existing key with an equal private
 * copy (unsharing it before an in-place write). Not a change: nothing is
 * signalled, the TTL and access data stay. */
void db_replace_unshared(db *d, const sds key, robj *val);
/* Returns 1 if the key existed and was removed. */
int db_delete(db *d, const sds key);
/* Same, but the value's large parts are freed off the event loop
 * (lazyfree.c): UNLINK and the lazyfree-lazy-* options. */
int db_delete_lazy(db *d, const sds key);
/* db_delete or db_delete_lazy, as lazy says. */
int db_delete_maybe_lazy(db *d, const sds key, int lazy);

/* Sets key's expiry (unix ms). The key must exist. */
void db_set_expire(db *d, const sds key, long long when_ms);
/* A writable replica's own clients' TTLs (see db.c): the names kept
 * (NULL before the first; values are bitmaps of databases, for scanning
 * and INFO only), and the check of one name: deleted in the databases
 * where its time has passed, forgotten once it has no TTL left (key may
 * be the dict's own sds: it is not used after the call). */
dict *db_replica_keys(void);
void db_replica_key_check(sds key, long long now_ms);
/* Unix ms when key expires, -1 if it has no TTL. */
long long db_get_expire(db *d, const sds key);
/* Drops key's TTL (PERSIST, GETEX PERSIST). Returns 1 if it had one. */
int db_remove_expire(db *d, const sds key);
/* 1 if key has a TTL that has passed (the key is not deleted). */
int db_is_expired(db *d, const sds key);
/* Deletes key if its time has passed (counting it in expired_keys);
 * returns 1 if its time has passed: the key is then gone, or, while
 * expiry is paused, still there but logically expired (to be treated as
 * missing). key may be the dict's own sds. */
int db_expire_if_needed(db *d, const sds key);
/* CLIENT PAUSE (WRITE or ALL) freezes the data set, expiry and eviction
 * included, as in Redis 7.0: admin.c turns this on for the length of a
 * pause; active and lazy expiry and eviction leave keys alone meanwhile. */
void db_set_expiry_paused(int paused);
int db_expiry_paused(void);
/* Deletes key as expired: counts it and honours lazyfree-lazy-expire.
 * key may be the dict's own sds (it is not used after the call). */
void db_expire_key(db *d, const sds key);

/* A cluster node's keys per hash slot (cluster-enabled yes; 0 / nothing
 * otherwise): how many d holds in slot, and up to max of their names
 * (borrowed from the keyspace, newest first) into out; returns how many. */
unsigned long long db_slot_count(const db *d, unsigned int slot);
unsigned long db_slot_keys(const db *d, unsigned int slot, unsigned long max, sds *out);

/* Removes every key of one database (dbnum >= 0) or of all (-1); returns
 * how many were removed. */
long long db_empty(int dbnum);
/* Same, but returns at once: the old tables are replaced by empty ones
 * and freed a slice at a time by a timer (lazyfree.c). */
long long db_empty_async(int dbnum);
/* Exchanges the contents of databases a and b (SWAPDB); clients keep
 * their db pointers. The indexes must be valid. */
void db_swap(int a, int b);
/* Number of keys in d (expired-but-not-yet-removed keys included). */
unsigned long db_size(const db *d);
/* Cron duty: incremental rehashing, shrinking of tables that emptied, and
 * the clock that the LRU/LFU data is read against. */
void db_cron_rehash(void);
/* Replies WRONGTYPE and returns 1 if o is not NULL and not of type. */
int db_check_type(client *c, const robj *o, int type);
/* The body of DEL (lazy 0) and UNLINK (lazy 1): replies the count. */
void db_del_generic(client *c, int lazy);

/* ---------------------------------------------------------- access data
 * A value's 24-bit lru field holds, under an LRU (or no) policy, the LRU
 * clock of its last access in seconds; under an LFU policy, the minute of
 * its last decrement in the high 16 bits and a logarithmic access counter
 * in the low 8 bits. */

#define DB_LRU_CLOCK_MAX ((1U << OBJ_LRU_BITS) - 1)
#define DB_LRU_CLOCK_RESOLUTION_MS 1000
#define DB_LFU_INIT_VAL 5      /* a new key's counter: not evicted at once */
#define DB_LFU_COUNTER_MAX 255
#define DB_LFU_MINUTES_MAX 65535

/* The LRU clock now (seconds, wrapping at 24 bits; updated by the cron). */
unsigned int db_lru_clock(void);
/* Milliseconds since o was last accessed (LRU mode). */
unsigned long long db_obj_idle_ms(const robj *o);
/* o's LFU counter after applying the decay owed since its last decrement
 * (what OBJECT FREQ reports); o is not changed. */
unsigned int db_lfu_counter(const robj *o);
/* Records one access to o under the current policy (TOUCH, lookups). */
void db_touch_obj(robj *o);

/* Pure pieces of the above (unit-tested). */

/* Ticks between two 24-bit LRU clock readings, allowing for one wrap. */
static inline unsigned int db_lru_elapsed(unsigned int now, unsigned int then) {
    return now >= then ? now - then : DB_LRU_CLOCK_MAX - then + now;
}
/* Minutes between two 16-bit minute stamps, allowing for one wrap. */
static inline unsigned int db_lfu_minutes_elapsed(unsigned int now, unsigned int then) {
    return now >= then ? now - then : DB_LFU_MINUTES_MAX - then + now;
}
/* Counter after elapsed minutes with one decrement per decay_time minutes
 * (decay_time 0: never decays). */
static inline unsigned int db_lfu_decay(unsigned int counter, unsigned int elapsed_min, int decay_time) {
    unsigned int periods = decay_time > 0 ? elapsed_min / (unsigned int)decay_time : 0;
    return periods >= counter ? 0 : counter - periods;
}
/* Counter after one access: grows with probability 1 / ((counter -
 * DB_LFU_INIT_VAL) * log_factor + 1), so each step costs more hits than the
 * last (factor 10: ~100 hits reach 10, ~1M reach 255); r is a uniform
 * random number in [0, 1). */
static inline unsigned int db_lfu_log_incr(unsigned int counter, int log_factor, double r) {
    if (counter >= DB_LFU_COUNTER_MAX) return DB_LFU_COUNTER_MAX;
    double base = counter > DB_LFU_INIT_VAL ? (double)(counter - DB_LFU_INIT_VAL) : 0.0;
    double p = 1.0 / (base * log_factor + 1.0);
    return r < p ? counter + 1 : counter;
}

#endif
