/* evict.c -- maxmemory enforcement: Redis's approximated eviction.
 *
 * Owns the eviction pool, the background eviction timer and
 * server.stat_evicted_keys. Before a command that may grow memory, keys
 * are deleted by maxmemory-policy until used memory is back under
 * maxmemory, within a time budget; never replies (the dispatcher sends the
 * OOM error). Invariant: a key is only deleted when zmalloc_used_memory()
 * is above cfg.maxmemory and the policy allows evicting it. */
#include "evict.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "commands.h"
#include "multi.h"
#include "db.h"
#include "log.h"
#include "monotonic.h"
#include "notify.h"
#include "propagate.h"
#include "zmalloc.h"

/* Candidates kept between rounds, sorted by ascending "evictability". */
#define EVICT_POOL_SIZE 16
/* Time budget per call (maxmemory-eviction-tenacity): up to 10 it is
 * 50 us per step; above, each step multiplies it by 1.15; 100 is no limit. */
#define EVICT_US_PER_TENACITY_STEP 50
#define EVICT_TENACITY_LINEAR_MAX 10
#define EVICT_TENACITY_UNLIMITED 100
#define EVICT_TENACITY_GROWTH 1.15
/* Keys evicted between two looks at the clock. */
#define EVICT_KEYS_PER_CLOCK_CHECK 16
/* Cap on samples per database per round. */
#define EVICT_MAX_SAMPLES 1024
/* Sampling rounds that found only vanished keys before giving up on one
 * choice (each round refills the pool, so one is nearly always enough). */
#define EVICT_MAX_EMPTY_ROUNDS 16

enum evict_result {
    EVICT_OK,      /* under the limit (now or already) */
    EVICT_RUNNING, /* still over, out of time: continues in the background */
    EVICT_FAIL,    /* over, and nothing can be evicted */
};

struct evict_candidate {
    unsigned long long score; /* higher: better to evict */
    sds key;                  /* own copy; NULL: empty slot */
    int dbid;
};

static struct evict_candidate evict_pool[EVICT_POOL_SIZE];
static long long evict_timer_id = -1;
static unsigned int evict_next_db; /* round robin of the random policies */

static int evict_policy_is_volatile(int p) {
    return p == MAXMEMORY_VOLATILE_LRU || p == MAXMEMORY_VOLATILE_LFU || p == MAXMEMORY_VOLATILE_RANDOM ||
           p == MAXMEMORY_VOLATILE_TTL;
}

static unsigned long long evict_time_limit_us(void) {
    int t = cfg.maxmemory_eviction_tenacity;
    if (t <= EVICT_TENACITY_LINEAR_MAX) return (unsigned long long)EVICT_US_PER_TENACITY_STEP * (unsigned)t;
    if (t < EVICT_TENACITY_UNLIMITED)
        return (unsigned long long)(EVICT_US_PER_TENACITY_STEP * EVICT_TENACITY_LINEAR_MAX *
                                    pow(EVICT_TENACITY_GROWTH, t - EVICT_TENACITY_LINEAR_MAX));
    return ULLONG_MAX;
}

/* How good a victim the value is: idle time (LRU), 255 minus the LFU
 * counter, or how soon it expires (TTL: expire_ms is the unix ms). */
static unsigned long long evict_score(const robj *o, long long expire_ms) {
    int p = cfg.maxmemory_policy;
    if (p == MAXMEMORY_VOLATILE_TTL) return ULLONG_MAX - (unsigned long long)expire_ms;
    if (MAXMEMORY_POLICY_IS_LFU(p)) return DB_LFU_COUNTER_MAX - db_lfu_counter(o);
    return db_obj_idle_ms(o);
}

/* Puts a candidate into the sorted pool if it beats the worst one there
 * (or a slot is free); the worst falls out of a full pool. Borrows key. */
static void evict_pool_insert(unsigned long long score, const sds key, int dbid) {
    int k = 0;
    while (k < EVICT_POOL_SIZE && evict_pool[k].key && evict_pool[k].score < score) k++;
    if (k == 0 && evict_pool[EVICT_POOL_SIZE - 1].key) return; /* worse than a full pool */
    if (k < EVICT_POOL_SIZE && evict_pool[k].key == NULL) {
        /* free slot at the end of the used part: nothing to move */
    } else if (evict_pool[EVICT_POOL_SIZE - 1].key == NULL) {
        memmove(evict_pool + k + 1, evict_pool + k, sizeof(evict_pool[0]) * (size_t)(EVICT_POOL_SIZE - k - 1));
    } else {
        k--; /* full: drop the worst (slot 0), shift the lesser ones left */
        sds_free(evict_pool[0].key);
        memmove(evict_pool, evict_pool + 1, sizeof(evict_pool[0]) * (size_t)k);
    }
    evict_pool[k] = (struct evict_candidate){.score = score, .key = sds_new_len(key, sds_len(key)), .dbid = dbid};
}

/* Samples up to maxmemory-samples keys of one database into the pool. */
static void evict_pool_populate(db *d, dict *sampled) {
    dict_entry *samples[EVICT_MAX_SAMPLES];
    unsigned int want = (unsigned int)cfg.maxmemory_samples;
    if (want > EVICT_MAX_SAMPLES) want = EVICT_MAX_SAMPLES;
    unsigned int n = dict_get_some_keys(sampled, samples, want);
    /* It walks a bounded run of buckets: in a big, nearly empty table it
     * may find nothing, so take one truly random key instead. */
    if (n == 0 && dict_size(sampled) > 0) samples[n++] = dict_get_random_key(sampled);
    for (unsigned int i = 0; i < n; i++) {
        sds key = dict_get_key(samples[i]);
        const robj *o = NULL;
        long long expire_ms = 0;
        if (cfg.maxmemory_policy == MAXMEMORY_VOLATILE_TTL) expire_ms = dict_get_signed_int_val(samples[i]);
        else if (sampled == d->keys) o = dict_get_val(samples[i]);
        else o = dict_fetch_value(d->keys, key);
        if (o == NULL && cfg.maxmemory_policy != MAXMEMORY_VOLATILE_TTL) continue;
        evict_pool_insert(evict_score(o, expire_ms), key, d->id);
    }
}

/* The best pooled candidate that still exists (removed from the pool), as
 * a new sds, or NULL when the pool holds none. */
static sds evict_pool_take(int volatile_only, int *dbid) {
    for (int k = EVICT_POOL_SIZE - 1; k >= 0; k--) {
        struct evict_candidate *cand = &evict_pool[k];
        if (cand->key == NULL) continue;
        sds key = cand->key;
        int id = cand->dbid;
        cand->key = NULL;
        /* Slots above k are empty (taken earlier): the used part stays a
         * prefix of the array. */
        if (id < server.dbnum && dict_find(volatile_only ? server.dbs[id].expires : server.dbs[id].keys, key)) {
            *dbid = id;
            return key;
        }
        sds_free(key);
    }
    return NULL;
}

/* Chooses one key to evict by the policy; returns it (new sds) and its
 * database, or NULL when no key qualifies. */
static sds evict_choose(int *dbid) {
    int p = cfg.maxmemory_policy;
    int vol = evict_policy_is_volatile(p);
    if (p == MAXMEMORY_ALLKEYS_RANDOM || p == MAXMEMORY_VOLATILE_RANDOM) {
        for (int i = 0; i < server.dbnum; i++) {
            int j = (int)(++evict_next_db % (unsigned int)server.dbnum);
            dict *dd = vol ? server.dbs[j].expires : server.dbs[j].keys;
            dict_entry *de = dict_size(dd) ? dict_get_random_key(dd) : NULL;
            if (!de) continue;
            *dbid = j;
            sds key = dict_get_key(de);
            return sds_new_len(key, sds_len(key));
        }
        return NULL;
    }
    for (int round = 0; round < EVICT_MAX_EMPTY_ROUNDS; round++) {
        unsigned long total = 0;
        for (int i = 0; i < server.dbnum; i++) {
            db *d = &server.dbs[i];
            dict *dd = vol ? d->expires : d->keys;
            if (dict_size(dd) == 0) continue;
            total += dict_size(dd);
            evict_pool_populate(d, dd);
        }
        if (total == 0) return NULL;
        sds key = evict_pool_take(vol, dbid);
        if (key) return key;
        /* every pooled key was gone: sample again */
    }
    return NULL;
}

/* Keeps evicting (one time budget per call) until under the limit or
 * nothing can go. */
static enum evict_result evict_perform(void);

static int evict_timer_proc(ae_event_loop *el, long long id, void *client_data) {
    (void)el;
    (void)id;
    (void)client_data;
    if (evict_perform() == EVICT_RUNNING) return 0; /* again at the next loop pass */
    evict_timer_id = -1;
    return AE_NOMORE;
}

static enum evict_result evict_perform(void) {
    if (cfg.maxmemory == 0 || zmalloc_used_memory() <= cfg.maxmemory) return EVICT_OK;
    /* replica-ignore-maxmemory: the primary's DELs decide what goes. */
    if (server.is_replica && cfg.replica_ignore_maxmemory) return EVICT_OK;
    if (db_expiry_paused()) return EVICT_OK; /* CLIENT PAUSE freezes the data set */
    if (cfg.maxmemory_policy == MAXMEMORY_NOEVICTION) return EVICT_FAIL;
    unsigned long long limit_us = evict_time_limit_us();
    monotime start = mono_now_us();
    long long evicted = 0;
    while (zmalloc_used_memory() > cfg.maxmemory) {
        int dbid = 0;
        sds key = evict_choose(&dbid);
        if (key == NULL) return EVICT_FAIL;
        db *d = &server.dbs[dbid];
        db_delete_maybe_lazy(d, key, cfg.lazyfree_lazy_eviction);
        server.stat_evicted_keys++;
        db_signal_modified(d, key);
        notify_keyspace_event(NOTIFY_EVICTED, "evicted", key, dbid);
        prop_addf(dbid, "cs", cfg.lazyfree_lazy_eviction ? "UNLINK" : "DEL", key);
        prop_flush(); /* each eviction is its own unit */
        sds_free(key);
        if (++evicted % EVICT_KEYS_PER_CLOCK_CHECK == 0 && mono_now_us() - start > limit_us) {
            /* Out of time for this command: let it run and finish the
             * job from a timer between commands, as Redis does. */
            if (evict_timer_id == -1 && server.el)
                evict_timer_id = ae_create_time_event(server.el, 0, evict_timer_proc, NULL, NULL);
            return EVICT_RUNNING;
        }
    }
    return EVICT_OK;
}

int evict_before_command(client *c) {
    (void)c;
    return evict_perform() == EVICT_FAIL ? -1 : 0;
}

int evict_maxmemory_changed(char *err, size_t errlen) {
    (void)err, (void)errlen;
    if (cfg.maxmemory == 0) return 0;
    size_t used = zmalloc_used_memory();
    if (cfg.maxmemory < used)
        log_warning("WARNING: the new maxmemory value set via CONFIG SET (%llu) is smaller than the current memory "
                    "usage (%zu). This will result in key eviction and/or the inability to accept new write "
                    "commands depending on the maxmemory-policy.",
                    (unsigned long long)cfg.maxmemory, used);
    evict_perform();
    return 0;
}

redis_command evict_commands[] = {
    {0}};
