/* admin.c -- administration: SLOWLOG, LATENCY, MONITOR, DEBUG.
 *
 * (Being written: so far only the dispatcher hooks, which record nothing
 * yet, and an empty command table.) */
#include "admin.h"

#include "commands.h"

void admin_after_command(client *c, redis_command *cmd, long long duration_us) {
    (void)c, (void)cmd, (void)duration_us;
}

void admin_feed_monitors(client *c) {
    (void)c;
}

redis_command admin_commands[] = {
    {0}};
