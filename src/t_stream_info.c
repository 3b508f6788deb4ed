/* t_stream_info.c -- XINFO (placeholder: the table is empty until its helper lands). */
#include "commands.h"

redis_command stream_info_commands[] = {
    {0},
};
