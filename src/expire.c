/* expire.c -- key expiry (EXPIRE family, TTL family, PERSIST) and the active expire cycle.
 *
 * (Being written: this file so far only holds its empty command table.) */
#include "commands.h"

redis_command expire_commands[] = {
    {0}};
