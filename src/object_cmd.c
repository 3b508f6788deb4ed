/* object_cmd.c -- the OBJECT command.
 *
 * (Being written: this file so far only holds its empty command table.) */
#include "commands.h"

redis_command object_commands[] = {
    {0}};
