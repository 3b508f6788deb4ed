/* evict.h -- maxmemory: before a command that may grow memory runs, free
 * keys by the configured policy, or refuse the command. */
#ifndef MINIRED_EVICT_H
#define MINIRED_EVICT_H

#include "server.h"

/* Called before commands flagged CMD_DENYOOM when maxmemory is set.
 * Returns 0 if the command may run, -1 if it must be refused with OOM. */
int evict_before_command(client *c);

#endif
