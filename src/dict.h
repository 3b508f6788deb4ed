/* dict.h -- chained hash tables with incremental rehashing.
 *
 * Two tables: while rehashing, buckets move from ht[0] to ht[1] a few at a
 * time on each operation (and on demand through dict_rehash_ms), so no
 * single call pays for a whole resize. Sizes are powers of two. Keys are
 * hashed with SipHash keyed by a per-process random seed (dict_set_hash_seed)
 * so clients cannot flood one bucket. dict_scan walks with a reverse-binary
 * cursor: every element present for the whole scan is returned at least
 * once, even while the table grows, shrinks or rehashes. */
#ifndef MINIRED_DICT_H
#define MINIRED_DICT_H

#include <stddef.h>
#include <stdint.h>

#define DICT_OK 0
#define DICT_ERR -1

typedef struct dict_entry {
    void *key;
    union {
        void *val;
        uint64_t u64;
        int64_t s64;
        double d;
    } v;
    struct dict_entry *next;
} dict_entry;

typedef struct dict dict;

typedef struct dict_type {
    uint64_t (*hash)(const void *key);
    void *(*key_dup)(dict *d, const void *key);      /* NULL: store as is */
    void *(*val_dup)(dict *d, const void *obj);      /* NULL: store as is */
    int (*key_compare)(dict *d, const void *a, const void *b); /* NULL: pointer == */
    void (*key_destructor)(dict *d, void *key);      /* NULL: nothing */
    void (*val_destructor)(dict *d, void *obj);      /* NULL: nothing */
    /* Asked before growing to a table of moremem bytes; 0 refuses. NULL: yes. */
    int (*expand_allowed)(size_t moremem, double usedratio);
    /* Bytes of caller-owned space after each entry (dict_entry_metadata),
     * zeroed when the entry is added; entries never move, so the space
     * may hold links between entries (the cluster's keys per slot). */
    size_t entry_metadata_bytes;
} dict_type;

struct dict {
    dict_type *type;
    dict_entry **ht_table[2];
    unsigned long ht_used[2];
    signed char ht_size_exp[2]; /* -1: table empty */
    long rehashidx;             /* -1: not rehashing */
    int16_t pauserehash;        /* >0: rehash paused (safe iterators, scan) */
    void *privdata;             /* free for the owner's use */
};

/* Iterator: a safe iterator allows dict_add/dict_find/dict_delete of the
 * current element while iterating (rehash is paused); an unsafe one allows
 * nothing but dict_next and asserts (via fingerprint) that the dict was not
 * touched. */
typedef struct dict_iterator {
    dict *d;
    long index;
    int table, safe;
    dict_entry *entry, *next_entry;
    unsigned long long fingerprint;
} dict_iterator;

typedef void dict_scan_function(void *privdata, const dict_entry *de);

#define DICT_HT_INITIAL_EXP 2
#define DICT_HT_SIZE(exp) ((exp) == -1 ? 0 : (unsigned long)1 << (exp))
#define DICT_HT_MASK(exp) ((exp) == -1 ? 0 : DICT_HT_SIZE(exp) - 1)

#define dict_size(d) ((d)->ht_used[0] + (d)->ht_used[1])
#define dict_slots(d) (DICT_HT_SIZE((d)->ht_size_exp[0]) + DICT_HT_SIZE((d)->ht_size_exp[1]))
#define dict_is_rehashing(d) ((d)->rehashidx != -1)
#define dict_get_key(de) ((de)->key)
/* The entry's metadata space (dict_type.entry_metadata_bytes). */
#define dict_entry_metadata(de) ((void *)((de) + 1))
#define dict_get_val(de) ((de)->v.val)
#define dict_get_signed_int_val(de) ((de)->v.s64)
#define dict_get_unsigned_int_val(de) ((de)->v.u64)
#define dict_get_double_val(de) ((de)->v.d)

/* Returns a new empty dict (no table is allocated until the first add). */
dict *dict_create(dict_type *type);
/* Takes d: frees every entry through the type's destructors, then d. */
void dict_release(dict *d);
/* Frees every entry; callback(d) is called every 65536 buckets, so a big
 * flush can keep serving (may be NULL). */
void dict_empty(dict *d, void (*callback)(dict *));

/* Grows to hold size elements (rounded up to a power of two). DICT_ERR if
 * rehashing or size is smaller than the current count. dict_try_expand
 * returns DICT_ERR instead of aborting when the allocation fails. */
int dict_expand(dict *d, unsigned long size);
int dict_try_expand(dict *d, unsigned long size);
/* Shrinks to the smallest power of two that holds the elements. */
int dict_resize(dict *d);

/* Adds key -> val; DICT_ERR if key exists. Key/val are dup'ed via type. */
int dict_add(dict *d, void *key, void *val);
/* Adds key with no value and returns the new entry, or NULL if the key
 * exists (then *existing, if given, is set to the existing entry). */
dict_entry *dict_add_raw(dict *d, void *key, dict_entry **existing);
/* Returns the entry for key, adding it (with no value) if missing. */
dict_entry *dict_add_or_find(dict *d, void *key);
/* Adds or overwrites; returns 1 if added, 0 if an old value was replaced
 * (the old value is destroyed after the new one is set). */
int dict_replace(dict *d, void *key, void *val);
/* Removes and frees key; DICT_OK or DICT_ERR if missing. */
int dict_delete(dict *d, const void *key);
/* Removes key from the table without freeing it; returns the entry (the
 * caller frees it with dict_free_unlinked_entry) or NULL. */
dict_entry *dict_unlink(dict *d, const void *key);
void dict_free_unlinked_entry(dict *d, dict_entry *he);

dict_entry *dict_find(dict *d, const void *key);
void *dict_fetch_value(dict *d, const void *key);
void dict_set_key(dict *d, dict_entry *de, void *key);
void dict_set_val(dict *d, dict_entry *de, void *val);
void dict_set_signed_int_val(dict_entry *de, int64_t val);
void dict_set_unsigned_int_val(dict_entry *de, uint64_t val);
void dict_set_double_val(dict_entry *de, double val);

/* Returns a new iterator (free with dict_release_iterator). */
dict_iterator *dict_get_iterator(dict *d);
dict_iterator *dict_get_safe_iterator(dict *d);
/* Stack-allocated form of the two above. */
void dict_init_iterator(dict_iterator *iter, dict *d);
void dict_init_safe_iterator(dict_iterator *iter, dict *d);
void dict_reset_iterator(dict_iterator *iter); /* ends a stack iterator */
dict_entry *dict_next(dict_iterator *iter);
void dict_release_iterator(dict_iterator *iter);

/* A random entry (NULL if empty); fair_ variant corrects the bias that
 * chain lengths give. */
dict_entry *dict_get_random_key(dict *d);
dict_entry *dict_get_fair_random_key(dict *d);
/* Fills des with up to count entries sampled from random places (may
 * repeat none, may return fewer); returns how many. */
unsigned int dict_get_some_keys(dict *d, dict_entry **des, unsigned int count);

/* Performs n steps of rehash; returns 1 if more remain, 0 when done. */
int dict_rehash(dict *d, int n);
/* Rehashes for about ms milliseconds; returns buckets moved. */
int dict_rehash_ms(dict *d, int ms);

/* Calls fn for the elements of one or more buckets at cursor v; returns the
 * next cursor (0 when the walk is complete). */
unsigned long dict_scan(dict *d, unsigned long v, dict_scan_function *fn, void *privdata);

/* Global switches (Redis turns resizing off while a child process holds
 * copy-on-write pages): when disabled, tables grow only past ratio 5. */
void dict_set_resize_enabled(int enable);

/* Hashing: keyed SipHash-1-2. The seed must be set once, at start. */
void dict_set_hash_seed(const uint8_t seed[16]);
uint8_t *dict_get_hash_seed(void);
uint64_t dict_gen_hash_function(const void *key, size_t len);
uint64_t dict_gen_case_hash_function(const unsigned char *buf, size_t len);
/* Ready-made callbacks for dicts keyed by sds strings (binary-safe): hash,
 * ASCII-case-insensitive hash, compare, case-insensitive compare, and a
 * destructor that frees an sds key or value. */
uint64_t dict_sds_hash(const void *key);
uint64_t dict_sds_case_hash(const void *key);
int dict_sds_compare(dict *d, const void *a, const void *b);
int dict_sds_case_compare(dict *d, const void *a, const void *b);
void dict_sds_free(dict *d, void *sds_ptr);

/* Writes a human-readable description of the tables into buf. */
void dict_get_stats(char *buf, size_t bufsize, dict *d);

#endif
