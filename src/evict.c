/* evict.c -- maxmemory enforcement and eviction.
 *
 * (Being written: this file so far only holds its empty command table.) */
#include "commands.h"

redis_command evict_commands[] = {
    {0}};
