/* evict.c -- maxmemory enforcement.
 *
 * (Being written: so far only noeviction, i.e. refusal past the limit.) */
#include "evict.h"

#include "commands.h"
#include "zmalloc.h"

int evict_before_command(client *c) {
    (void)c;
    return zmalloc_used_memory() > cfg.maxmemory ? -1 : 0;
}

redis_command evict_commands[] = {
    {0}};
