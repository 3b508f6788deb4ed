/* t_stream_group.c -- XGROUP, XREADGROUP... (placeholder: the table is empty until its helper lands). */
#include "commands.h"

redis_command stream_group_commands[] = {
    {0},
};
