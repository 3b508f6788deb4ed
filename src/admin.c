/* admin.c -- administration (SLOWLOG LATENCY MONITOR DEBUG).
 *
 * (Being written: this file so far only holds its empty command table.) */
#include "commands.h"

redis_command admin_commands[] = {
    {0}};
