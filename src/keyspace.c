/* keyspace.c -- generic key commands (TYPE RENAME COPY MOVE SWAPDB KEYS SCAN RANDOMKEY TOUCH UNLINK).
 *
 * (Being written: this file so far only holds its empty command table.) */
#include "commands.h"

redis_command keyspace2_commands[] = {
    {0}};
