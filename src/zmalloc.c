/* zmalloc.c -- allocation wrappers: abort on OOM, count bytes in use.
 *
 * Owns the used-memory counter and nothing else. The count is the usable
 * size glibc reports for each block (malloc_usable_size), so it matches the
 * heap's real footprint rather than what callers asked for. The counter is
 * updated with relaxed atomics because a background free thread may call
 * zfree while the main thread reads it. */
#include "zmalloc.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t used_memory = 0;

static void default_oom(size_t size) {
    fprintf(stderr, "zmalloc: out of memory trying to allocate %zu bytes\n", size);
    fflush(stderr);
}

static void (*oom_handler)(size_t) = default_oom;

static void oom(size_t size) {
    oom_handler(size);
    abort();
}

#define UPDATE_ADD(n) __atomic_add_fetch(&used_memory, (n), __ATOMIC_RELAXED)
#define UPDATE_SUB(n) __atomic_sub_fetch(&used_memory, (n), __ATOMIC_RELAXED)

void *zmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) oom(size);
    UPDATE_ADD(malloc_usable_size(p));
    return p;
}

void *zcalloc(size_t size) {
    void *p = calloc(1, size ? size : 1);
    if (!p) oom(size);
    UPDATE_ADD(malloc_usable_size(p));
    return p;
}

void *zrealloc(void *ptr, size_t size) {
    if (ptr == NULL) return zmalloc(size);
    size_t old = malloc_usable_size(ptr);
    void *p = realloc(ptr, size ? size : 1);
    if (!p) oom(size);
    UPDATE_SUB(old);
    UPDATE_ADD(malloc_usable_size(p));
    return p;
}

void zfree(void *ptr) {
    if (ptr == NULL) return;
    UPDATE_SUB(malloc_usable_size(ptr));
    free(ptr);
}

char *zstrdup(const char *s) {
    size_t l = strlen(s) + 1;
    char *p = zmalloc(l);
    memcpy(p, s, l);
    return p;
}

size_t zmalloc_size(const void *ptr) {
    return malloc_usable_size((void *)ptr);
}

size_t zmalloc_used_memory(void) {
    return __atomic_load_n(&used_memory, __ATOMIC_RELAXED);
}

void zmalloc_set_oom_handler(void (*handler)(size_t size)) {
    oom_handler = handler ? handler : default_oom;
}

/* Reads the second field of /proc/self/statm (resident pages). */
size_t zmalloc_get_rss(void) {
    FILE *fp = fopen("/proc/self/statm", "r");
    if (!fp) return 0;
    unsigned long size = 0, resident = 0;
    int n = fscanf(fp, "%lu %lu", &size, &resident);
    fclose(fp);
    if (n != 2) return 0;
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}
