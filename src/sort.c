/* sort.c -- SORT... (placeholder: the table is empty until its helper lands). */
#include "commands.h"

redis_command sort_commands[] = {
    {0},
};
