/* geo.c -- GEOADD... (placeholder: the table is empty until its helper lands). */
#include "commands.h"

redis_command geo_commands[] = {
    {0},
};
