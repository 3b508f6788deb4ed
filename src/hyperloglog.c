/* hyperloglog.c -- PFADD... (placeholder: the table is empty until its helper lands). */
#include "commands.h"

redis_command hll_commands[] = {
    {0},
};
