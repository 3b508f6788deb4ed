/* lazyfree.c -- background freeing of big string buffers, and sliced
 * freeing of detached dicts, skiplists and streams on the main thread (see
 * lazyfree.h).
 *
 * Owns one worker thread and its queue, and the list of dicts awaiting
 * release. The worker must never touch a block of 512 bytes or less (the
 * slab allocator is main-thread only): it only ever sds_free()s strings of
 * LAZYFREE_MIN_BYTES or more; it never allocates, and never frees the queue
 * arrays (the main thread grows them; the two swap arrays under the lock).
 * Invariant: every queued pointer is freed exactly once, by the worker. */
#include "lazyfree.h"

#include <pthread.h>
#include <string.h>

#include "monotonic.h"
#include "listpack.h"
#include "skiplist.h"
#include "stream.h"
#include "t_zset.h"
#include "sds.h"
#include "zmalloc.h"

/* Buckets freed between two looks at the clock in lazyfree_dict_step:
 * a few hundred keys, ~100 us even with every entry a cache miss. */
#define LAZYFREE_BUCKETS_PER_CHECK 256
#define LAZYFREE_QUEUE_INITIAL_CAP 64

static pthread_mutex_t lf_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lf_work_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t lf_idle_cond = PTHREAD_COND_INITIALIZER;
static void **lf_queue;           /* main thread appends (under lf_lock) */
static size_t lf_len, lf_cap;
static int lf_busy;               /* worker is freeing a batch */
static int lf_started;            /* main thread only */
static unsigned long lf_pending;  /* atomic */
static unsigned long long lf_freed; /* atomic */

/* Detached dicts, oldest first, and where the walk of the first one is. */
static dict **lf_dicts;
static size_t lf_dicts_len, lf_dicts_cap;
static int lf_walk_table;
static unsigned long lf_walk_bucket;

static void *lf_worker_main(void *arg) {
    (void)arg;
    void **batch = NULL;
    size_t batch_cap = 0;
    pthread_mutex_lock(&lf_lock);
    for (;;) {
        while (lf_len == 0) pthread_cond_wait(&lf_work_cond, &lf_lock);
        /* Take the whole queue; leave our (consumed) array in its place. */
        void **full = lf_queue;
        size_t n = lf_len, full_cap = lf_cap;
        lf_queue = batch;
        lf_cap = batch_cap;
        lf_len = 0;
        batch = full;
        batch_cap = full_cap;
        lf_busy = 1;
        pthread_mutex_unlock(&lf_lock);

        for (size_t i = 0; i < n; i++) sds_free(batch[i]);
        __atomic_sub_fetch(&lf_pending, n, __ATOMIC_RELAXED);
        __atomic_add_fetch(&lf_freed, n, __ATOMIC_RELAXED);

        pthread_mutex_lock(&lf_lock);
        lf_busy = 0;
        if (lf_len == 0) pthread_cond_broadcast(&lf_idle_cond);
    }
    return NULL;
}

static void lf_start_worker(void) {
    pthread_t tid;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&tid, &attr, lf_worker_main, NULL) == 0) lf_started = 1;
    pthread_attr_destroy(&attr);
}

/* Takes s (>= LAZYFREE_MIN_BYTES): queues it for the worker, or frees it
 * here if no thread could be started. */
static void lf_queue_sds(sds s) {
    if (!lf_started) lf_start_worker();
    if (!lf_started) {
        sds_free(s);
        return;
    }
    __atomic_add_fetch(&lf_pending, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&lf_lock);
    if (lf_len == lf_cap) {
        size_t cap = lf_cap ? lf_cap * 2 : LAZYFREE_QUEUE_INITIAL_CAP;
        lf_queue = zrealloc(lf_queue, cap * sizeof(void *));
        lf_cap = cap;
    }
    lf_queue[lf_len++] = s;
    pthread_cond_signal(&lf_work_cond);
    pthread_mutex_unlock(&lf_lock);
}

static void lf_release_zsl(zskiplist *zsl);

/* ---------------------------------------------------------- streams
 * A detached stream loses a few listpack nodes per slice; its groups go
 * with the rest once no node is left. Its effort is Redis's: one per
 * tree node, and per group one plus the first group's PEL size. */
static stream **lf_streams;
static size_t lf_streams_len, lf_streams_cap;
/* Listpack nodes freed between two looks at the clock. */
#define LAZYFREE_STREAM_NODES_PER_CHECK 64

static size_t lf_stream_effort(stream *s) {
    size_t effort = (size_t)rax_node_count(s->rax);
    if (s->cgroups && rax_size(s->cgroups)) {
        rax_iter it;
        rax_start(&it, s->cgroups);
        rax_seek(&it, "^", NULL, 0);
        if (rax_next(&it))
            effort += (size_t)rax_size(s->cgroups) * (1 + (size_t)rax_size(((stream_cg *)it.data)->pel));
        rax_stop(&it);
    }
    return effort;
}

static void lf_release_stream(stream *s) {
    if (lf_streams_len == lf_streams_cap) {
        lf_streams_cap = lf_streams_cap ? lf_streams_cap * 2 : 16;
        lf_streams = zrealloc(lf_streams, lf_streams_cap * sizeof(stream *));
    }
    lf_streams[lf_streams_len++] = s;
}

/* Frees up to max nodes of s; returns 1 (s freed whole) once none is
 * left. */
static int lf_stream_step(stream *s, int max) {
    rax_iter it;
    rax_start(&it, s->rax);
    for (int i = 0; i < max; i++) {
        rax_seek(&it, "^", NULL, 0);
        if (!rax_next(&it)) break;
        unsigned char key[16];
        size_t len = it.key_len < sizeof(key) ? it.key_len : sizeof(key);
        memcpy(key, it.key, len);
        lp_free(it.data);
        rax_remove(s->rax, key, len, NULL);
    }
    rax_stop(&it);
    if (rax_size(s->rax) > 0) return 0;
    stream_free(s);
    return 1;
}

int lazyfree_free_object(robj *o) {
    if (o->refcount != 1) {
        obj_decr_refcount(o);
        return 0;
    }
    if (o->type == OBJ_STRING && o->encoding == OBJ_ENCODING_RAW && sds_alloc(o->ptr) >= LAZYFREE_MIN_BYTES) {
        sds s = o->ptr;
        /* A RAW robj is a lone header allocation (object.c): free just it. */
        zfree(o);
        lf_queue_sds(s);
        return 0;
    }
    if ((o->type == OBJ_HASH || o->type == OBJ_SET) && o->encoding == OBJ_ENCODING_HT &&
        dict_size((dict *)o->ptr) > LAZYFREE_MIN_ELEMENTS) {
        lazyfree_release_dict(o->ptr);
        zfree(o);
        return 1;
    }
    if (o->type == OBJ_ZSET && o->encoding == OBJ_ENCODING_SKIPLIST &&
        zsl_length(((zset *)o->ptr)->zsl) > LAZYFREE_MIN_ELEMENTS) {
        zset *zs = o->ptr;
        /* The dict borrows the members the skiplist owns and frees none:
         * the two can go in either order. */
        lazyfree_release_dict(zs->dict);
        lf_release_zsl(zs->zsl);
        zfree(zs);
        zfree(o);
        return 1;
    }
    if (o->type == OBJ_STREAM && lf_stream_effort(o->ptr) > LAZYFREE_MIN_ELEMENTS) {
        lf_release_stream(o->ptr);
        zfree(o);
        return 1;
    }
    obj_decr_refcount(o);
    return 0;
}

/* Detached skiplists, freed after the dicts. */
static zskiplist **lf_zsls;
static size_t lf_zsls_len, lf_zsls_cap;
static int lf_stepping;

static void lf_release_zsl(zskiplist *zsl) {
    if (lf_zsls_len == lf_zsls_cap) {
        lf_zsls_cap = lf_zsls_cap ? lf_zsls_cap * 2 : 16;
        lf_zsls = zrealloc(lf_zsls, lf_zsls_cap * sizeof(zskiplist *));
    }
    lf_zsls[lf_zsls_len++] = zsl;
}

int lazyfree_in_step(void) {
    return lf_stepping;
}

unsigned long lazyfree_pending_objects(void) {
    unsigned long n = __atomic_load_n(&lf_pending, __ATOMIC_RELAXED);
    for (size_t i = 0; i < lf_dicts_len; i++) n += dict_size(lf_dicts[i]);
    for (size_t i = 0; i < lf_zsls_len; i++) n += zsl_length(lf_zsls[i]);
    for (size_t i = 0; i < lf_streams_len; i++) n += rax_size(lf_streams[i]->rax);
    return n;
}

unsigned long long lazyfree_freed_objects(void) {
    return __atomic_load_n(&lf_freed, __ATOMIC_RELAXED);
}

void lazyfree_drain(void) {
    if (!lf_started) return;
    pthread_mutex_lock(&lf_lock);
    while (lf_len > 0 || lf_busy) pthread_cond_wait(&lf_idle_cond, &lf_lock);
    pthread_mutex_unlock(&lf_lock);
}

/* ---------------------------------------------------------- dicts */

void lazyfree_release_dict(dict *d) {
    if (lf_dicts_len == lf_dicts_cap) {
        lf_dicts_cap = lf_dicts_cap ? lf_dicts_cap * 2 : 16;
        lf_dicts = zrealloc(lf_dicts, lf_dicts_cap * sizeof(dict *));
    }
    lf_dicts[lf_dicts_len++] = d;
}

/* Frees the entries of up to max_buckets buckets of d, continuing the walk
 * kept in lf_walk_*; returns 1 once d holds no entry. d is detached, so
 * nothing else looks at its tables while they are emptied under it. */
static int lf_free_buckets(dict *d, unsigned long max_buckets) {
    for (; lf_walk_table <= 1; lf_walk_table++, lf_walk_bucket = 0) {
        int t = lf_walk_table;
        unsigned long size = DICT_HT_SIZE(d->ht_size_exp[t]);
        while (lf_walk_bucket < size && d->ht_used[t] > 0) {
            if (max_buckets-- == 0) return 0;
            dict_entry *he = d->ht_table[t][lf_walk_bucket];
            d->ht_table[t][lf_walk_bucket++] = NULL;
            while (he) {
                dict_entry *next = he->next;
                dict_free_unlinked_entry(d, he);
                d->ht_used[t]--;
                he = next;
            }
        }
    }
    return 1;
}

int lazyfree_dict_step(long long budget_us) {
    monotime start = mono_now_us();
    lf_stepping = 1;
    while (lf_dicts_len > 0 || lf_zsls_len > 0 || lf_streams_len > 0) {
        if (lf_dicts_len > 0) {
            dict *d = lf_dicts[0];
            if (lf_free_buckets(d, LAZYFREE_BUCKETS_PER_CHECK)) {
                /* Values freed above may have queued more work: d stays
                 * first until now, so the walk state was its own. */
                lf_dicts_len--;
                memmove(lf_dicts, lf_dicts + 1, lf_dicts_len * sizeof(dict *));
                lf_walk_table = 0;
                lf_walk_bucket = 0;
                dict_release(d); /* empty now: frees the bucket arrays */
            }
        } else if (lf_zsls_len > 0) {
            if (zsl_free_step(lf_zsls[0], LAZYFREE_BUCKETS_PER_CHECK)) {
                lf_zsls_len--;
                memmove(lf_zsls, lf_zsls + 1, lf_zsls_len * sizeof(zskiplist *));
            }
        } else if (lf_stream_step(lf_streams[0], LAZYFREE_STREAM_NODES_PER_CHECK)) {
            lf_streams_len--;
            memmove(lf_streams, lf_streams + 1, lf_streams_len * sizeof(stream *));
        }
        if ((long long)(mono_now_us() - start) >= budget_us) break;
    }
    lf_stepping = 0;
    return lf_dicts_len > 0 || lf_zsls_len > 0 || lf_streams_len > 0;
}
