/* t_set.c -- the set type and its commands.
 *
 * (Being written: so far the value hooks object.c calls, which no object
 * reaches yet because nothing creates a set, and an empty table.) */
#include "commands.h"

void set_free_value(robj *o) {
    (void)o;
}

robj *set_dup(const robj *o) {
    (void)o;
    return NULL;
}

redis_command set_commands[] = {
    {0}};
