/* zmalloc.c -- allocation wrappers: abort on OOM, count bytes in use, and
 * serve small blocks from size-class slabs.
 *
 * Owns the used-memory counters and the slab region. glibc's malloc spends
 * 8 bytes of header per block and rounds to 16, so a 24-byte dict entry
 * costs 32 and a 32-byte object 48: for a keyspace of small values that is
 * a third of all memory. Blocks of at most ZM_SLAB_MAX_BYTES therefore come
 * from 64 KB pages carved into one size class each, with no header at all;
 * a block's class is found from its page number. The slab region is one
 * reserved range of address space, so "is this a slab block" is a range
 * check. Slab memory is never given back to the OS; freed blocks are reused
 * by their class. Slab calls are made from the main thread only (larger
 * blocks may be freed anywhere). Built with ZMALLOC_NO_SLAB (sanitizer
 * builds) every block comes from malloc, so ASan sees each one. */
#include "zmalloc.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Largest request served by the slabs. */
#define ZM_SLAB_MAX_BYTES 512
/* Size of one slab page; a page holds blocks of one class. */
#define ZM_PAGE_SHIFT 16
#define ZM_PAGE_BYTES ((size_t)1 << ZM_PAGE_SHIFT)
/* Address space reserved (not committed) for slab pages. */
#define ZM_REGION_BYTES ((size_t)256 << 30)
#define ZM_REGION_PAGES (ZM_REGION_BYTES >> ZM_PAGE_SHIFT)
/* Pages are made accessible this many bytes at a time. */
#define ZM_COMMIT_STEP_BYTES ((size_t)4 << 20)

/* Classes: 8-byte steps to 128, 16-byte steps to 256, 32-byte steps to 512.
 * Class 0 is "not a slab page". */
#define ZM_CLASSES 33

static size_t used_malloc = 0;   /* atomic: any thread may free */
static size_t used_slab = 0;     /* main thread only */

static void default_oom(size_t size) {
    fprintf(stderr, "zmalloc: out of memory trying to allocate %zu bytes\n", size);
    fflush(stderr);
}

static void (*oom_handler)(size_t) = default_oom;

static void oom(size_t size) {
    oom_handler(size);
    abort();
}

/* ---------------------------------------------------------- slabs */

#ifndef ZMALLOC_NO_SLAB
struct zm_free_block { struct zm_free_block *next; };

static char *region;                  /* NULL: slabs unavailable */
static size_t region_committed;       /* bytes made accessible */
static size_t region_used;            /* bytes handed out as pages */
static int region_failed;
static uint8_t page_class[ZM_REGION_PAGES];
static struct zm_free_block *free_list[ZM_CLASSES];
static char *carve_ptr[ZM_CLASSES], *carve_end[ZM_CLASSES];

static const uint16_t class_size[ZM_CLASSES] = {
    0,   8,   16,  24,  32,  40,  48,  56,  64,  72,  80,  88,  96,  104, 112, 120, 128,
    144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512};

static inline int size_to_class(size_t size) {
    if (size <= 128) return size == 0 ? 1 : (int)((size + 7) >> 3);
    if (size <= 256) return 16 + (int)((size - 128 + 15) >> 4);
    return 24 + (int)((size - 256 + 31) >> 5);
}

static inline int in_region(const void *p) {
    return region && (const char *)p >= region && (const char *)p < region + ZM_REGION_BYTES;
}

static int region_init(void) {
    void *p = mmap(NULL, ZM_REGION_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        region_failed = 1;
        return -1;
    }
    region = p;
    return 0;
}

/* Returns a fresh page for cls, or NULL when the region is exhausted. */
static char *page_new(int cls) {
    if (region == NULL && (region_failed || region_init() == -1)) return NULL;
    if (region_used + ZM_PAGE_BYTES > ZM_REGION_BYTES) return NULL;
    if (region_used + ZM_PAGE_BYTES > region_committed) {
        if (mprotect(region + region_committed, ZM_COMMIT_STEP_BYTES, PROT_READ | PROT_WRITE) == -1) return NULL;
        region_committed += ZM_COMMIT_STEP_BYTES;
    }
    char *page = region + region_used;
    page_class[region_used >> ZM_PAGE_SHIFT] = (uint8_t)cls;
    region_used += ZM_PAGE_BYTES;
    return page;
}

static void *slab_alloc(size_t size) {
    int cls = size_to_class(size);
    struct zm_free_block *b = free_list[cls];
    if (b) {
        free_list[cls] = b->next;
    } else {
        size_t sz = class_size[cls];
        if (carve_ptr[cls] == NULL || carve_ptr[cls] + sz > carve_end[cls]) {
            char *page = page_new(cls);
            if (page == NULL) return NULL;
            carve_ptr[cls] = page;
            carve_end[cls] = page + ZM_PAGE_BYTES;
        }
        b = (struct zm_free_block *)carve_ptr[cls];
        carve_ptr[cls] += sz;
    }
    used_slab += class_size[cls];
    return b;
}

static inline int block_class(const void *p) {
    return page_class[((const char *)p - region) >> ZM_PAGE_SHIFT];
}

static void slab_free(void *p) {
    int cls = block_class(p);
    struct zm_free_block *b = p;
    b->next = free_list[cls];
    free_list[cls] = b;
    used_slab -= class_size[cls];
}
#endif

/* ---------------------------------------------------------- malloc path */

static void *heap_alloc(size_t size, int zero) {
    void *p = zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
    if (!p) oom(size);
    __atomic_add_fetch(&used_malloc, malloc_usable_size(p), __ATOMIC_RELAXED);
    return p;
}

void *zmalloc(size_t size) {
#ifndef ZMALLOC_NO_SLAB
    if (size <= ZM_SLAB_MAX_BYTES) {
        void *p = slab_alloc(size);
        if (p) return p;
    }
#endif
    return heap_alloc(size, 0);
}

void *zcalloc(size_t size) {
#ifndef ZMALLOC_NO_SLAB
    if (size <= ZM_SLAB_MAX_BYTES) {
        void *p = slab_alloc(size);
        if (p) {
            memset(p, 0, size);
            return p;
        }
    }
#endif
    return heap_alloc(size, 1);
}

void *zrealloc(void *ptr, size_t size) {
    if (ptr == NULL) return zmalloc(size);
#ifndef ZMALLOC_NO_SLAB
    if (in_region(ptr)) {
        size_t old = class_size[block_class(ptr)];
        if (size <= old && size_to_class(size) == block_class(ptr)) return ptr;
        void *n = zmalloc(size);
        memcpy(n, ptr, old < size ? old : size);
        slab_free(ptr);
        return n;
    }
#endif
    size_t old = malloc_usable_size(ptr);
    void *p = realloc(ptr, size ? size : 1);
    if (!p) oom(size);
    __atomic_sub_fetch(&used_malloc, old, __ATOMIC_RELAXED);
    __atomic_add_fetch(&used_malloc, malloc_usable_size(p), __ATOMIC_RELAXED);
    return p;
}

void zfree(void *ptr) {
    if (ptr == NULL) return;
#ifndef ZMALLOC_NO_SLAB
    if (in_region(ptr)) {
        slab_free(ptr);
        return;
    }
#endif
    __atomic_sub_fetch(&used_malloc, malloc_usable_size(ptr), __ATOMIC_RELAXED);
    free(ptr);
}

char *zstrdup(const char *s) {
    size_t l = strlen(s) + 1;
    char *p = zmalloc(l);
    memcpy(p, s, l);
    return p;
}

size_t zmalloc_size(const void *ptr) {
#ifndef ZMALLOC_NO_SLAB
    if (in_region(ptr)) return class_size[block_class(ptr)];
#endif
    return malloc_usable_size((void *)ptr);
}

size_t zmalloc_used_memory(void) {
    return __atomic_load_n(&used_malloc, __ATOMIC_RELAXED) + used_slab;
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
