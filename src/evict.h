/* evict.h -- maxmemory: before a command that may grow memory runs, free
 * keys by the configured policy, or refuse the command. */
#ifndef MINIRED_EVICT_H
#define MINIRED_EVICT_H

#include "server.h"

/* Called before commands flagged CMD_DENYOOM when maxmemory is set. While
 * used memory is over the limit, evicts keys by maxmemory-policy (counting
 * them in server.stat_evicted_keys) within the maxmemory-eviction-tenacity
 * time budget; work left over continues from a timer on server.el and the
 * command runs meanwhile, as in Redis. Returns 0 if the command may run,
 * -1 if it must be refused with OOM (noeviction, or nothing evictable). */
int evict_before_command(client *c);
/* CONFIG SET maxmemory's hook: warns when the new limit is below the
 * memory in use, and evicts down to it at once, as Redis 7.0 does (the
 * evictions are effects of the CONFIG SET). Always returns 0. */
int evict_maxmemory_changed(char *err, size_t errlen);

#endif
