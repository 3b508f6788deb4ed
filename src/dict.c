/* dict.c -- chained hash tables with incremental rehashing (see dict.h).
 *
 * Owns the tables and entries of each dict, plus two process-wide settings:
 * the hash seed and the resize switch. Never logs, never blocks for a whole
 * resize: rehash work is spread one bucket per operation (or a time budget
 * in dict_rehash_ms). Key invariant: while rehashing, every bucket of ht[0]
 * below rehashidx is empty, new keys go to ht[1] only, and ht[1] is never
 * replaced before the rehash ends, so a key lives in exactly one table. */
#include "dict.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "monotonic.h"
#include "sds.h"
#include "siphash.h"
#include "zmalloc.h"

/* With resizing disabled (a child holds copy-on-write pages), tables still
 * grow once chains average more than this many entries per bucket. */
#define DICT_FORCE_RESIZE_RATIO 5
/* A rehash step gives up after this many empty buckets per bucket it was
 * asked to move, so one operation never walks a long empty run. */
#define DICT_REHASH_EMPTY_VISITS_PER_STEP 10
/* dict_rehash_ms moves this many buckets between clock reads. */
#define DICT_REHASH_MS_BATCH_BUCKETS 100
#define DICT_US_PER_MS 1000
/* dict_empty calls its callback once per this many buckets freed. */
#define DICT_EMPTY_CALLBACK_BUCKETS 65536
/* dict_get_fair_random_key picks among this many sampled entries. */
#define DICT_FAIR_SAMPLE_ENTRIES 15
/* dict_get_some_keys tries this many buckets per wanted entry at most. */
#define DICT_SOME_KEYS_STEPS_PER_KEY 10
/* ... and jumps elsewhere after this many empty buckets in a row. */
#define DICT_SOME_KEYS_EMPTY_RUN 5
/* dict_get_stats: chains of this length or more share the last slot. */
#define DICT_STATS_VECTLEN 50

static int dict_resize_enabled = 1;
static uint8_t dict_hash_seed[SIPHASH_KEY_BYTES];

/* ------------------------------------------------------------- hashing */

void dict_set_hash_seed(const uint8_t seed[16]) {
    memcpy(dict_hash_seed, seed, sizeof(dict_hash_seed));
}

uint8_t *dict_get_hash_seed(void) {
    return dict_hash_seed;
}

uint64_t dict_gen_hash_function(const void *key, size_t len) {
    return siphash_1_2(key, len, dict_hash_seed);
}

uint64_t dict_gen_case_hash_function(const unsigned char *buf, size_t len) {
    return siphash_1_2_nocase(buf, len, dict_hash_seed);
}

void dict_set_resize_enabled(int enable) {
    dict_resize_enabled = enable;
}

/* ----------------------------------------------------- small helpers */

static uint64_t hash_key(dict *d, const void *key) {
    return d->type->hash(key);
}

static int keys_equal(dict *d, const void *a, const void *b) {
    if (a == b) return 1;
    return d->type->key_compare ? d->type->key_compare(d, a, b) : 0;
}

static void free_key(dict *d, dict_entry *de) {
    if (d->type->key_destructor) d->type->key_destructor(d, de->key);
}

static void free_val(dict *d, dict_entry *de) {
    if (d->type->val_destructor) d->type->val_destructor(d, de->v.val);
}

/* 62 random bits from libc's generator: enough for any table index. */
static unsigned long random_ulong(void) {
    return ((unsigned long)random() << 31) ^ (unsigned long)random();
}

static void reset_table(dict *d, int t) {
    d->ht_table[t] = NULL;
    d->ht_size_exp[t] = -1;
    d->ht_used[t] = 0;
}

/* Smallest exponent whose table holds size entries (at least the initial). */
static signed char next_exp(unsigned long size) {
    signed char e = DICT_HT_INITIAL_EXP;
    if (size >= (unsigned long)LONG_MAX) return (signed char)(8 * sizeof(long) - 1);
    while (((unsigned long)1 << e) < size) e++;
    return e;
}

/* ------------------------------------------------------ create / free */

dict *dict_create(dict_type *type) {
    dict *d = zmalloc(sizeof(*d));
    d->type = type;
    reset_table(d, 0);
    reset_table(d, 1);
    d->rehashidx = -1;
    d->pauserehash = 0;
    d->privdata = NULL;
    return d;
}

/* Frees every entry of table t and the table itself. */
static void clear_table(dict *d, int t, void (*callback)(dict *)) {
    unsigned long size = DICT_HT_SIZE(d->ht_size_exp[t]);
    for (unsigned long i = 0; i < size && d->ht_used[t] > 0; i++) {
        if (callback && (i % DICT_EMPTY_CALLBACK_BUCKETS) == 0) callback(d);
        dict_entry *he = d->ht_table[t][i];
        while (he) {
            dict_entry *next = he->next;
            free_key(d, he);
            free_val(d, he);
            zfree(he);
            d->ht_used[t]--;
            he = next;
        }
    }
    zfree(d->ht_table[t]);
    reset_table(d, t);
}

void dict_empty(dict *d, void (*callback)(dict *)) {
    clear_table(d, 0, callback);
    clear_table(d, 1, callback);
    d->rehashidx = -1;
    d->pauserehash = 0;
}

void dict_release(dict *d) {
    clear_table(d, 0, NULL);
    clear_table(d, 1, NULL);
    zfree(d);
}

/* ------------------------------------------------------ expand/resize */

/* Allocates a zeroed table of n buckets. With may_fail, returns NULL
 * instead of aborting: zmalloc has no failing form, so the size is first
 * probed with calloc (a failure there means the heap cannot give it). */
static dict_entry **alloc_table(unsigned long n, int may_fail) {
    size_t bytes = n * sizeof(dict_entry *);
    if (may_fail) {
        void *probe = calloc(n, sizeof(dict_entry *));
        if (probe == NULL) return NULL;
        free(probe);
    }
    return zcalloc(bytes);
}

static int expand(dict *d, unsigned long size, int may_fail) {
    if (dict_is_rehashing(d) || d->ht_used[0] > size) return DICT_ERR;
    signed char exp = next_exp(size);
    unsigned long newsize = (unsigned long)1 << exp;
    if (newsize < size || newsize > SIZE_MAX / sizeof(dict_entry *)) return DICT_ERR;
    if (exp == d->ht_size_exp[0]) return DICT_ERR;

    dict_entry **table = alloc_table(newsize, may_fail);
    if (table == NULL) return DICT_ERR;

    if (d->ht_table[0] == NULL) {
        /* First allocation: nothing to move. */
        d->ht_table[0] = table;
        d->ht_size_exp[0] = exp;
        d->ht_used[0] = 0;
        return DICT_OK;
    }
    d->ht_table[1] = table;
    d->ht_size_exp[1] = exp;
    d->ht_used[1] = 0;
    d->rehashidx = 0;
    return DICT_OK;
}

int dict_expand(dict *d, unsigned long size) {
    return expand(d, size, 0);
}

int dict_try_expand(dict *d, unsigned long size) {
    return expand(d, size, 1);
}

int dict_resize(dict *d) {
    if (!dict_resize_enabled || dict_is_rehashing(d)) return DICT_ERR;
    unsigned long minimal = d->ht_used[0];
    if (minimal < DICT_HT_SIZE(DICT_HT_INITIAL_EXP)) minimal = DICT_HT_SIZE(DICT_HT_INITIAL_EXP);
    return dict_expand(d, minimal);
}

static int expand_allowed(dict *d) {
    if (d->type->expand_allowed == NULL) return 1;
    size_t moremem = DICT_HT_SIZE(next_exp(d->ht_used[0] + 1)) * sizeof(dict_entry *);
    double ratio = (double)d->ht_used[0] / (double)DICT_HT_SIZE(d->ht_size_exp[0]);
    return d->type->expand_allowed(moremem, ratio);
}

/* Grows ht[0] once it is full (or overfull past the force ratio when
 * resizing is disabled). Never during a rehash: ht[1] is still filling. */
static void expand_if_needed(dict *d) {
    if (dict_is_rehashing(d)) return;
    if (d->ht_size_exp[0] == -1) {
        dict_expand(d, DICT_HT_SIZE(DICT_HT_INITIAL_EXP));
        return;
    }
    unsigned long used = d->ht_used[0], size = DICT_HT_SIZE(d->ht_size_exp[0]);
    if (used >= size && (dict_resize_enabled || used / size > DICT_FORCE_RESIZE_RATIO) &&
        expand_allowed(d))
        dict_expand(d, used + 1);
}

/* ------------------------------------------------------------- rehash */

/* Moves bucket idx of ht[0] into ht[1]. */
static void move_bucket(dict *d, unsigned long idx) {
    unsigned long mask1 = DICT_HT_MASK(d->ht_size_exp[1]);
    dict_entry *de = d->ht_table[0][idx];
    while (de) {
        dict_entry *next = de->next;
        unsigned long h = hash_key(d, de->key) & mask1;
        de->next = d->ht_table[1][h];
        d->ht_table[1][h] = de;
        d->ht_used[0]--;
        d->ht_used[1]++;
        de = next;
    }
    d->ht_table[0][idx] = NULL;
}

int dict_rehash(dict *d, int n) {
    if (!dict_is_rehashing(d)) return 0;
    unsigned long empty_visits = (unsigned long)n * DICT_REHASH_EMPTY_VISITS_PER_STEP;
    unsigned long size0 = DICT_HT_SIZE(d->ht_size_exp[0]);

    while (n-- > 0 && d->ht_used[0] != 0) {
        /* used[0] > 0 guarantees a non-empty bucket at or after rehashidx. */
        assert((unsigned long)d->rehashidx < size0);
        while (d->ht_table[0][d->rehashidx] == NULL) {
            d->rehashidx++;
            if (--empty_visits == 0) return 1;
        }
        move_bucket(d, (unsigned long)d->rehashidx);
        d->rehashidx++;
    }

    if (d->ht_used[0] != 0) return 1;
    /* Done: ht[1] becomes the only table. */
    zfree(d->ht_table[0]);
    d->ht_table[0] = d->ht_table[1];
    d->ht_used[0] = d->ht_used[1];
    d->ht_size_exp[0] = d->ht_size_exp[1];
    reset_table(d, 1);
    d->rehashidx = -1;
    return 0;
}

int dict_rehash_ms(dict *d, int ms) {
    if (d->pauserehash > 0) return 0;
    monotime start = mono_now_us();
    int moved = 0;
    while (dict_rehash(d, DICT_REHASH_MS_BATCH_BUCKETS)) {
        moved += DICT_REHASH_MS_BATCH_BUCKETS;
        if (mono_now_us() - start > (monotime)ms * DICT_US_PER_MS) break;
    }
    return moved;
}

/* The one step of rehash every lookup and update pays, unless an iterator
 * or a scan has paused rehashing (moving buckets would make it miss or
 * repeat entries). */
static void rehash_step(dict *d) {
    if (d->pauserehash == 0) dict_rehash(d, 1);
}

static void pause_rehash(dict *d) {
    d->pauserehash++;
}

static void resume_rehash(dict *d) {
    assert(d->pauserehash > 0);
    d->pauserehash--;
}

/* ------------------------------------------------- add / find / delete */

/* Returns the bucket index for a new key, or -1 if the key exists (then
 * *existing, if given, points at its entry). While rehashing the index is
 * in ht[1], where new keys must go. */
static long key_index(dict *d, const void *key, uint64_t hash, dict_entry **existing) {
    if (existing) *existing = NULL;
    expand_if_needed(d);
    unsigned long idx = 0;
    for (int t = 0; t <= 1; t++) {
        idx = hash & DICT_HT_MASK(d->ht_size_exp[t]);
        for (dict_entry *he = d->ht_table[t][idx]; he; he = he->next) {
            if (keys_equal(d, key, he->key)) {
                if (existing) *existing = he;
                return -1;
            }
        }
        if (!dict_is_rehashing(d)) break;
    }
    return (long)idx;
}

dict_entry *dict_add_raw(dict *d, void *key, dict_entry **existing) {
    if (dict_is_rehashing(d)) rehash_step(d);
    long idx = key_index(d, key, hash_key(d, key), existing);
    if (idx == -1) return NULL;

    int t = dict_is_rehashing(d) ? 1 : 0;
    size_t meta = d->type->entry_metadata_bytes;
    dict_entry *de = zmalloc(sizeof(*de) + meta);
    if (meta) memset(dict_entry_metadata(de), 0, meta);
    /* Head insertion: recently added keys tend to be accessed soon. */
    de->next = d->ht_table[t][idx];
    de->v.u64 = 0;
    d->ht_table[t][idx] = de;
    d->ht_used[t]++;
    dict_set_key(d, de, key);
    return de;
}

int dict_add(dict *d, void *key, void *val) {
    dict_entry *de = dict_add_raw(d, key, NULL);
    if (de == NULL) return DICT_ERR;
    dict_set_val(d, de, val);
    return DICT_OK;
}

dict_entry *dict_add_or_find(dict *d, void *key) {
    dict_entry *existing;
    dict_entry *de = dict_add_raw(d, key, &existing);
    return de ? de : existing;
}

int dict_replace(dict *d, void *key, void *val) {
    dict_entry *existing;
    dict_entry *de = dict_add_raw(d, key, &existing);
    if (de) {
        dict_set_val(d, de, val);
        return 1;
    }
    /* Set the new value before freeing the old: they may be the same
     * reference-counted object, and the increment must come first. */
    dict_entry old = *existing;
    dict_set_val(d, existing, val);
    free_val(d, &old);
    return 0;
}

/* Finds key and unlinks it; returns the entry (still holding its key and
 * value) or NULL. */
static dict_entry *unlink_key(dict *d, const void *key) {
    if (dict_size(d) == 0) return NULL;
    if (dict_is_rehashing(d)) rehash_step(d);
    uint64_t h = hash_key(d, key);

    for (int t = 0; t <= 1; t++) {
        unsigned long idx = h & DICT_HT_MASK(d->ht_size_exp[t]);
        dict_entry **link = &d->ht_table[t][idx];
        for (dict_entry *he = *link; he; link = &he->next, he = he->next) {
            if (!keys_equal(d, key, he->key)) continue;
            *link = he->next;
            d->ht_used[t]--;
            return he;
        }
        if (!dict_is_rehashing(d)) break;
    }
    return NULL;
}

int dict_delete(dict *d, const void *key) {
    dict_entry *he = unlink_key(d, key);
    if (he == NULL) return DICT_ERR;
    dict_free_unlinked_entry(d, he);
    return DICT_OK;
}

dict_entry *dict_unlink(dict *d, const void *key) {
    return unlink_key(d, key);
}

void dict_free_unlinked_entry(dict *d, dict_entry *he) {
    if (he == NULL) return;
    free_key(d, he);
    free_val(d, he);
    zfree(he);
}

dict_entry *dict_find(dict *d, const void *key) {
    if (dict_size(d) == 0) return NULL;
    if (dict_is_rehashing(d)) rehash_step(d);
    uint64_t h = hash_key(d, key);
    for (int t = 0; t <= 1; t++) {
        unsigned long idx = h & DICT_HT_MASK(d->ht_size_exp[t]);
        for (dict_entry *he = d->ht_table[t][idx]; he; he = he->next)
            if (keys_equal(d, key, he->key)) return he;
        if (!dict_is_rehashing(d)) break;
    }
    return NULL;
}

void *dict_fetch_value(dict *d, const void *key) {
    dict_entry *he = dict_find(d, key);
    return he ? dict_get_val(he) : NULL;
}

void dict_set_key(dict *d, dict_entry *de, void *key) {
    de->key = d->type->key_dup ? d->type->key_dup(d, key) : key;
}

void dict_set_val(dict *d, dict_entry *de, void *val) {
    de->v.val = d->type->val_dup ? d->type->val_dup(d, val) : val;
}

void dict_set_signed_int_val(dict_entry *de, int64_t val) {
    de->v.s64 = val;
}

void dict_set_unsigned_int_val(dict_entry *de, uint64_t val) {
    de->v.u64 = val;
}

void dict_set_double_val(dict_entry *de, double val) {
    de->v.d = val;
}

/* ---------------------------------------------------------- iterators */

/* A 64-bit digest of the dict's shape (tables, sizes, counts). An unsafe
 * iterator records it at the first dict_next and checks it at release:
 * any add, delete or rehash step in between changes it. */
static uint64_t mix64(uint64_t h, uint64_t x) {
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static unsigned long long fingerprint(dict *d) {
    uint64_t h = 0;
    for (int t = 0; t <= 1; t++) {
        h = mix64(h, (uint64_t)(uintptr_t)d->ht_table[t]);
        h = mix64(h, (uint64_t)(int64_t)d->ht_size_exp[t]);
        h = mix64(h, d->ht_used[t]);
    }
    return h;
}

void dict_init_iterator(dict_iterator *iter, dict *d) {
    iter->d = d;
    iter->table = 0;
    iter->index = -1;
    iter->safe = 0;
    iter->entry = NULL;
    iter->next_entry = NULL;
    iter->fingerprint = 0;
}

void dict_init_safe_iterator(dict_iterator *iter, dict *d) {
    dict_init_iterator(iter, d);
    iter->safe = 1;
}

dict_iterator *dict_get_iterator(dict *d) {
    dict_iterator *iter = zmalloc(sizeof(*iter));
    dict_init_iterator(iter, d);
    return iter;
}

dict_iterator *dict_get_safe_iterator(dict *d) {
    dict_iterator *iter = dict_get_iterator(d);
    iter->safe = 1;
    return iter;
}

static int iterator_started(const dict_iterator *iter) {
    return !(iter->index == -1 && iter->table == 0);
}

dict_entry *dict_next(dict_iterator *iter) {
    dict *d = iter->d;
    for (;;) {
        if (iter->entry == NULL) {
            if (!iterator_started(iter)) {
                if (iter->safe) pause_rehash(d);
                else iter->fingerprint = fingerprint(d);
            }
            iter->index++;
            if ((unsigned long)iter->index >= DICT_HT_SIZE(d->ht_size_exp[iter->table])) {
                if (dict_is_rehashing(d) && iter->table == 0) {
                    iter->table = 1;
                    iter->index = 0;
                } else {
                    break;
                }
            }
            iter->entry = d->ht_table[iter->table][iter->index];
        } else {
            iter->entry = iter->next_entry;
        }
        if (iter->entry) {
            /* Saved now so the caller may delete the entry returned. */
            iter->next_entry = iter->entry->next;
            return iter->entry;
        }
    }
    return NULL;
}

void dict_reset_iterator(dict_iterator *iter) {
    if (iterator_started(iter)) {
        if (iter->safe) {
            resume_rehash(iter->d);
        } else if (iter->fingerprint != fingerprint(iter->d)) {
            /* The dict changed under an unsafe iterator: entries may have
             * been skipped or freed; continuing would hide a real bug. */
            abort();
        }
    }
    iter->index = -1;
    iter->table = 0;
    iter->entry = NULL;
    iter->next_entry = NULL;
}

void dict_release_iterator(dict_iterator *iter) {
    dict_reset_iterator(iter);
    zfree(iter);
}

/* ---------------------------------------------------------- sampling */

dict_entry *dict_get_random_key(dict *d) {
    if (dict_size(d) == 0) return NULL;
    if (dict_is_rehashing(d)) rehash_step(d);

    dict_entry *he;
    if (dict_is_rehashing(d)) {
        /* Buckets of ht[0] below rehashidx are empty: draw among the rest
         * of ht[0] followed by all of ht[1]. */
        unsigned long size0 = DICT_HT_SIZE(d->ht_size_exp[0]);
        unsigned long span = dict_slots(d) - (unsigned long)d->rehashidx;
        do {
            unsigned long h = (unsigned long)d->rehashidx + random_ulong() % span;
            he = h >= size0 ? d->ht_table[1][h - size0] : d->ht_table[0][h];
        } while (he == NULL);
    } else {
        unsigned long mask = DICT_HT_MASK(d->ht_size_exp[0]);
        do {
            he = d->ht_table[0][random_ulong() & mask];
        } while (he == NULL);
    }

    /* Then a uniform pick inside the chain. */
    unsigned long len = 0;
    for (dict_entry *p = he; p; p = p->next) len++;
    for (unsigned long skip = random_ulong() % len; skip > 0; skip--) he = he->next;
    return he;
}

/* Collects the entries of bucket i of table t into des; returns the new
 * count (stops at count). */
static unsigned int take_bucket(dict *d, int t, unsigned long i, dict_entry **des,
                                unsigned int stored, unsigned int count) {
    for (dict_entry *he = d->ht_table[t][i]; he && stored < count; he = he->next)
        des[stored++] = he;
    return stored;
}

unsigned int dict_get_some_keys(dict *d, dict_entry **des, unsigned int count) {
    if (dict_size(d) < count) count = (unsigned int)dict_size(d);
    if (count == 0) return 0;
    unsigned long maxsteps = (unsigned long)count * DICT_SOME_KEYS_STEPS_PER_KEY;

    /* Pay rehash work in proportion to what we ask for. */
    for (unsigned int j = 0; j < count && dict_is_rehashing(d); j++) rehash_step(d);

    int tables = dict_is_rehashing(d) ? 2 : 1;
    unsigned long maxmask = DICT_HT_MASK(d->ht_size_exp[0]);
    if (tables == 2 && DICT_HT_MASK(d->ht_size_exp[1]) > maxmask)
        maxmask = DICT_HT_MASK(d->ht_size_exp[1]);

    unsigned long i = random_ulong() & maxmask;
    unsigned long emptylen = 0;
    unsigned int stored = 0;
    while (stored < count && maxsteps--) {
        for (int t = 0; t < tables; t++) {
            /* ht[0] below rehashidx is empty; if ht[1] is too small to
             * have index i either, skip straight to rehashidx. */
            if (tables == 2 && t == 0 && i < (unsigned long)d->rehashidx) {
                if (i >= DICT_HT_SIZE(d->ht_size_exp[1])) i = (unsigned long)d->rehashidx;
                else continue;
            }
            if (i >= DICT_HT_SIZE(d->ht_size_exp[t])) continue;
            if (d->ht_table[t][i] == NULL) {
                /* A long empty run: jump to a random place instead. */
                emptylen++;
                if (emptylen >= DICT_SOME_KEYS_EMPTY_RUN && emptylen > count) {
                    i = random_ulong() & maxmask;
                    emptylen = 0;
                }
            } else {
                emptylen = 0;
                stored = take_bucket(d, t, i, des, stored, count);
                if (stored == count) return stored;
            }
        }
        i = (i + 1) & maxmask;
    }
    return stored;
}

dict_entry *dict_get_fair_random_key(dict *d) {
    /* A random bucket then a random chain slot favours keys in short
     * chains; sampling several buckets and picking among their entries
     * evens that out. */
    dict_entry *entries[DICT_FAIR_SAMPLE_ENTRIES];
    unsigned int count = dict_get_some_keys(d, entries, DICT_FAIR_SAMPLE_ENTRIES);
    if (count == 0) return dict_get_random_key(d);
    return entries[random_ulong() % count];
}

/* --------------------------------------------------------------- scan */

/* Reverses the bits of v (swap halves, then quarters, ... then bits). */
static unsigned long rev_bits(unsigned long v) {
    unsigned int s = 8 * sizeof(v);
    unsigned long mask = ~0UL;
    while ((s >>= 1) > 0) {
        mask ^= (mask << s);
        v = ((v >> s) & mask) | ((v << s) & ~mask);
    }
    return v;
}

/* Adds one to the cursor's high bits (those outside mask), in reverse
 * binary order: the bits we do not own are set first so the carry goes
 * straight into the ones we do. */
static unsigned long next_cursor(unsigned long v, unsigned long mask) {
    v |= ~mask;
    v = rev_bits(v);
    v++;
    return rev_bits(v);
}

static void scan_bucket(dict *d, int t, unsigned long idx, dict_scan_function *fn,
                        void *privdata) {
    dict_entry *de = d->ht_table[t][idx];
    while (de) {
        dict_entry *next = de->next;
        fn(privdata, de);
        de = next;
    }
}

/* Why reverse binary: a bucket b of a table of mask m splits, in a table
 * of mask 2m+1, into b and b|(m+1) -- the cursor's high bits. Counting on
 * the high bits first means every bucket not yet visited at one size maps
 * to buckets not yet visited at any other size, so growth or shrink between
 * calls can repeat elements but never skip one. While rehashing, each call
 * visits bucket v of the smaller table and every expansion of v in the
 * larger one, covering both places an element can be. */
unsigned long dict_scan(dict *d, unsigned long v, dict_scan_function *fn, void *privdata) {
    if (dict_size(d) == 0) return 0;
    pause_rehash(d);

    if (!dict_is_rehashing(d)) {
        unsigned long m0 = DICT_HT_MASK(d->ht_size_exp[0]);
        scan_bucket(d, 0, v & m0, fn, privdata);
        v = next_cursor(v, m0);
    } else {
        int small = 0, large = 1;
        if (DICT_HT_SIZE(d->ht_size_exp[0]) > DICT_HT_SIZE(d->ht_size_exp[1])) {
            small = 1;
            large = 0;
        }
        unsigned long m0 = DICT_HT_MASK(d->ht_size_exp[small]);
        unsigned long m1 = DICT_HT_MASK(d->ht_size_exp[large]);
        scan_bucket(d, small, v & m0, fn, privdata);
        do {
            scan_bucket(d, large, v & m1, fn, privdata);
            v = next_cursor(v, m1);
        } while (v & (m0 ^ m1));
    }

    resume_rehash(d);
    return v;
}

/* -------------------------------------------------------------- stats */

/* What snprintf really stored into room bytes (it returns what it wanted). */
static size_t written(int n, size_t room) {
    if (n < 0) return 0;
    return (size_t)n < room ? (size_t)n : room - 1;
}

static size_t table_stats(char *buf, size_t bufsize, dict *d, int t) {
    unsigned long size = DICT_HT_SIZE(d->ht_size_exp[t]);
    unsigned long clvector[DICT_STATS_VECTLEN] = {0};
    unsigned long slots = 0, maxchainlen = 0, totchainlen = 0;
    const char *name = t == 0 ? "main hash table" : "rehashing target";

    if (d->ht_used[t] == 0) {
        int n = snprintf(buf, bufsize, "Hash table %d stats (%s):\nNo stats available for empty dictionaries\n", t,
                         name);
        return written(n, bufsize);
    }
    for (unsigned long i = 0; i < size; i++) {
        unsigned long len = 0;
        for (dict_entry *he = d->ht_table[t][i]; he; he = he->next) len++;
        clvector[len < DICT_STATS_VECTLEN ? len : DICT_STATS_VECTLEN - 1]++;
        if (len == 0) continue;
        slots++;
        if (len > maxchainlen) maxchainlen = len;
        totchainlen += len;
    }

    int n = snprintf(buf, bufsize,
                     "Hash table %d stats (%s):\n"
                     " table size: %lu\n"
                     " number of elements: %lu\n"
                     " different slots: %lu\n"
                     " max chain length: %lu\n"
                     " avg chain length (counted): %.02f\n"
                     " avg chain length (computed): %.02f\n"
                     " Chain length distribution:\n",
                     t, name, size, d->ht_used[t], slots, maxchainlen,
                     slots ? (double)totchainlen / (double)slots : 0.0,
                     slots ? (double)d->ht_used[t] / (double)slots : 0.0);
    size_t l = written(n, bufsize);
    for (int i = 0; i < DICT_STATS_VECTLEN && l < bufsize - 1; i++) {
        if (clvector[i] == 0) continue;
        n = snprintf(buf + l, bufsize - l, "   %d: %lu (%.02f%%)\n", i, clvector[i],
                     100.0 * (double)clvector[i] / (double)size);
        l += written(n, bufsize - l);
    }
    return l;
}

void dict_get_stats(char *buf, size_t bufsize, dict *d) {
    if (bufsize == 0) return;
    buf[0] = '\0';
    size_t l = table_stats(buf, bufsize, d, 0);
    if (dict_is_rehashing(d) && l < bufsize - 1) table_stats(buf + l, bufsize - l, d, 1);
}

/* ---------------------------------------------------------- sds keys */

uint64_t dict_sds_hash(const void *key) {
    return dict_gen_hash_function(key, sds_len((const sds)key));
}

uint64_t dict_sds_case_hash(const void *key) {
    return dict_gen_case_hash_function(key, sds_len((const sds)key));
}

int dict_sds_compare(dict *d, const void *a, const void *b) {
    (void)d;
    size_t la = sds_len((const sds)a);
    return la == sds_len((const sds)b) && memcmp(a, b, la) == 0;
}

int dict_sds_case_compare(dict *d, const void *a, const void *b) {
    (void)d;
    size_t la = sds_len((const sds)a);
    return la == sds_len((const sds)b) && strncasecmp(a, b, la) == 0;
}

void dict_sds_free(dict *d, void *sds_ptr) {
    (void)d;
    sds_free(sds_ptr);
}
