/* bitops.c -- bit operations on strings (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD).
 *
 * (Being written: this file so far only holds its empty command table.) */
#include "commands.h"

redis_command bitops_commands[] = {
    {0}};
