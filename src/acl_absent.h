#ifndef MINIRED_ACL_ABSENT_H
#define MINIRED_ACL_ABSENT_H

#include "server.h"

/* Redis 7.0 commands minired lacks, known to ACL rules (see acl_absent.c). */

/* Gives the absent commands ids from first_id on; returns the next free id. */
int acl_absent_init(int first_id);
void acl_absent_foreach(void (*fn)(redis_command *cmd, void *ctx), void *ctx);
/* The absent top-level command called name, or NULL (borrowed). */
redis_command *acl_absent_lookup(const char *name);
/* Whether cmd is one of minired's commands that Redis 7.0 has not
 * (left out of the category counts ACL LIST's description weighs). */
int acl_absent_not_in_redis(const redis_command *cmd);

#endif
