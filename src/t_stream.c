/* t_stream.c -- XADD, XRANGE... (placeholder: the table is empty until its helper lands). */
#include "commands.h"

redis_command stream_commands[] = {
    {0},
};

void stream_free_value(robj *o) {
    (void)o;
}

robj *stream_dup(const robj *o) {
    (void)o;
    return NULL;
}
