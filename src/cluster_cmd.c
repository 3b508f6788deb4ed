/* cluster_cmd.c -- the CLUSTER command, ASKING, READONLY and READWRITE
 * (see cluster.h).
 *
 * Placeholder until the commands land: an empty table (acl_absent.c still
 * describes these commands to the ACL rules). */
#include "cluster.h"

redis_command cluster_commands[] = {
    {.name = NULL},
};
