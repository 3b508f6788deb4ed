/* info.h -- INFO text generation and the rate samples behind it. */
#ifndef MINIRED_INFO_H
#define MINIRED_INFO_H

#include <stddef.h>

#include "sds.h"

/* Cron duty: samples counters for the instantaneous_* fields. */
void info_track_sample(void);
/* CONFIG RESETSTAT: forgets samples, the memory peak, the error
 * statistics and the latency histograms. */
void info_reset_stats(void);
/* reply.c, for every error reply: counts it under its code (the first
 * word of "-CODE message", "ERR" for a message without its own code). */
void info_count_error(const char *msg, size_t len);
/* Where the memory goes, as INFO memory and MEMORY STATS show it (one
 * computation so the two always agree). Allocator figures are what a
 * Redis built without jemalloc fakes: allocated = used, resident = RSS
 * minus the Lua heaps, active = resident. */
typedef struct info_mem {
    size_t used, peak, startup, rss;
    size_t clients_normal, aof_buffer, lua_caches, functions_caches;
    size_t overhead, dataset, net, keys;
    size_t alloc_allocated, alloc_active, alloc_resident;
    unsigned long nclients;
} info_mem;
void info_mem_compute(info_mem *m);
/* Overhead of db id's key tables (main with its robjs, expires). */
void info_mem_db(int id, size_t *main_bytes, size_t *expires_bytes);

/* Returns new sds: the INFO text for the given section names. */
sds info_generate(int argc, sds *argv);
/* DEBUG CHANGE-REPL-ID: draws a new master_replid. */

#endif
