/* migrate.c -- MIGRATE and RESTORE-ASKING (see cluster.h).
 *
 * Placeholder until MIGRATE lands: an empty table. */
#include "cluster.h"

redis_command migrate_commands[] = {
    {.name = NULL},
};

void migrate_cron(void) {}
