/* lazyfree.h -- freeing big values and whole keyspaces without blocking
 * the event loop.
 *
 * Two mechanisms, because the allocator (zmalloc.c) lets only the main
 * thread touch blocks of up to 512 bytes:
 *  - a background thread frees large heap blocks (the sds of a big RAW
 *    string), handed over through a mutex/condvar queue;
 *  - a detached dict (the old tables of FLUSHALL ASYNC) is freed by the
 *    main thread a slice at a time (lazyfree_dict_step under a time budget),
 *    since its entries, keys and small values are slab blocks. */
#ifndef MINIRED_LAZYFREE_H
#define MINIRED_LAZYFREE_H

#include "dict.h"
#include "object.h"

/* A string's bytes are freed in the background only from this size up:
 * below it a plain free costs less than the hand-over (and the block must
 * in any case be above the slab limit of 512 bytes). */
#define LAZYFREE_MIN_BYTES (64 * 1024)

/* Collections with more elements than this are freed in slices. */
#define LAZYFREE_MIN_ELEMENTS 64

/* Takes one reference to o. If that is the last one and o is a RAW string
 * of at least LAZYFREE_MIN_BYTES, the robj is freed now and its sds on the
 * background thread (started on first use); a hash, set or sorted set of
 * more than LAZYFREE_MIN_ELEMENTS in a table encoding has its table (and
 * skiplist) queued for lazyfree_dict_step, as is a stream whose freeing
 * effort (Redis's: tree nodes, groups and PEL entries) passes
 * LAZYFREE_MIN_ELEMENTS; otherwise o is released now.
 * Returns 1 if work was queued for lazyfree_dict_step. */
int lazyfree_free_object(robj *o);
/* 1 while lazyfree_dict_step runs: values freed by a queued dict's
 * destructors should go through lazyfree_free_object, so one big value
 * in a flushed keyspace is itself freed in slices. */
int lazyfree_in_step(void);
/* Takes d: its entries are freed through its type's destructors by later
 * lazyfree_dict_step calls, then d itself. Main thread only. */
void lazyfree_release_dict(dict *d);
/* Frees queued dict entries and skiplist nodes for about budget_us
 * microseconds; returns 1 if work remains. Main thread only. */
int lazyfree_dict_step(long long budget_us);
/* Objects waiting to be freed (background queue plus queued dict
 * entries), and objects freed in the background so far (INFO). */
unsigned long lazyfree_pending_objects(void);
unsigned long long lazyfree_freed_objects(void);
/* Waits until the background thread has freed everything queued. */
void lazyfree_drain(void);

#endif
