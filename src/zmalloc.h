/* zmalloc.h -- allocator wrappers that abort on out-of-memory and keep a
 * running count of bytes in use (what INFO's used_memory reports).
 *
 * Because every allocation either succeeds or aborts the process, callers
 * never check for NULL. Counting uses the allocator's usable size, so the
 * figure matches what the heap really hands out. */
#ifndef MINIRED_ZMALLOC_H
#define MINIRED_ZMALLOC_H

#include <stddef.h>

/* Returns new memory of at least size bytes; aborts on OOM. */
void *zmalloc(size_t size);
/* Same as zmalloc but zero-filled. */
void *zcalloc(size_t size);
/* Takes ptr (may be NULL), returns the resized block; aborts on OOM. */
void *zrealloc(void *ptr, size_t size);
/* Takes ptr (NULL is a no-op). */
void zfree(void *ptr);
/* Returns a new copy of s. */
char *zstrdup(const char *s);
/* Usable size of a block returned by the functions above. */
size_t zmalloc_size(const void *ptr);
/* Bytes currently allocated through this module. */
size_t zmalloc_used_memory(void);
/* Resident set size of this process in bytes (0 when unknown). */
size_t zmalloc_get_rss(void);
/* Replaces the handler called (before abort) when an allocation fails. */
void zmalloc_set_oom_handler(void (*handler)(size_t size));

#endif
