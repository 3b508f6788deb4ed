/* rax.h -- an ordered map of binary keys stored as a radix tree.
 *
 * Streams keep their listpack nodes, consumer groups, consumers and
 * pending-entry lists in these trees, as Redis 7.0 does: keys are compared
 * as unsigned bytes (memcmp order, a shorter key before any key it
 * prefixes), so 16-byte big-endian stream IDs iterate in ID order and names
 * in byte order. Chains of single-child nodes are compressed into one node,
 * so a tree of N keys costs a few nodes per key whatever their length.
 *
 * Library code (L0): no server header, no logging, no globals. Allocation
 * goes through zmalloc; an allocation failure aborts there, so no function
 * here reports out-of-memory. */
#ifndef MINIRED_RAX_H
#define MINIRED_RAX_H

#include <stddef.h>
#include <stdint.h>

typedef struct rax rax;

rax *rax_new(void);
/* Frees the tree; free_value (may be NULL) is called on every value. */
void rax_free(rax *r, void (*free_value)(void *value));
/* Number of keys. */
uint64_t rax_size(const rax *r);
/* Number of nodes (what MEMORY USAGE and the memory tests count). */
uint64_t rax_node_count(const rax *r);
/* Bytes the tree's own nodes take (allocator usable sizes), values not
 * included. */
size_t rax_alloc_size(const rax *r);

/* Sets key to value. Returns 1 if the key was new, 0 if it existed (its
 * old value is stored in *old when old is not NULL, then replaced). */
int rax_insert(rax *r, const unsigned char *key, size_t len, void *value, void **old);
/* Like rax_insert but never replaces: returns 0 (and the current value in
 * *old) when the key exists. */
int rax_try_insert(rax *r, const unsigned char *key, size_t len, void *value, void **old);
/* Removes key. Returns 1 (its value in *old when old is not NULL) or 0 when
 * the key was not there. */
int rax_remove(rax *r, const unsigned char *key, size_t len, void **old);
/* Returns 1 and the value in *value (when not NULL) if key is present. */
int rax_find(const rax *r, const unsigned char *key, size_t len, void **value);

/* An iterator. Declared here so callers keep it on the stack; only key,
 * key_len and data are for callers, the rest is the iterator's own.
 * Any insert or remove on the tree invalidates every iterator on it:
 * call rax_seek again before the next rax_next / rax_prev. */
#define RAX_ITER_STATIC_KEY 128
#define RAX_ITER_STATIC_STACK 32
typedef struct rax_iter {
    unsigned char *key; /* current key (owned by the iterator) */
    size_t key_len;
    void *data; /* current key's value */
    /* private */
    rax *tree;
    int flags;
    size_t key_cap;
    unsigned char key_static[RAX_ITER_STATIC_KEY];
    void *node;
    void **stack; /* path from the root to node */
    size_t stack_len, stack_cap;
    void *stack_static[RAX_ITER_STATIC_STACK];
} rax_iter;

/* Prepares it on r; it points nowhere until rax_seek. */
void rax_start(rax_iter *it, rax *r);
/* Positions it. op is one of "^" (first key), "$" (last key), "=",
 * ">=", ">", "<=", "<" (relative to key; ignored for ^ and $). Returns 1
 * when op is valid (even if no key satisfies it: the next rax_next /
 * rax_prev then returns 0), 0 for an unknown op.
 * After a seek, the first rax_next (or rax_prev) returns the element the
 * seek found; later calls move forwards (or backwards) from it. */
int rax_seek(rax_iter *it, const char *op, const unsigned char *key, size_t len);
/* Moves to the next (prev) key in order, filling key, key_len and data.
 * Returns 1, or 0 at the end. */
int rax_next(rax_iter *it);
int rax_prev(rax_iter *it);
/* 1 when the last seek/next/prev found no element. */
int rax_eof(const rax_iter *it);
/* Compares the current key with key using op (">", ">=", "<", "<=",
 * "=="): 1 when the relation holds. For range scans. */
int rax_compare(const rax_iter *it, const char *op, const unsigned char *key, size_t len);
/* Releases what the iterator allocated (long keys, deep stacks). */
void rax_stop(rax_iter *it);

#endif
