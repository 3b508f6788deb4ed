/* admin.h -- hooks the dispatcher calls for the diagnostics owned by
 * admin.c: the slow log, MONITOR, and latency events. */
#ifndef MINIRED_ADMIN_H
#define MINIRED_ADMIN_H

#include "server.h"

/* After a command ran: records it in the slow log when it took at least
 * slowlog-log-slower-than microseconds. */
void admin_after_command(client *c, redis_command *cmd, long long duration_us);
/* Before a command runs: sends it to MONITOR clients, if any. */
void admin_feed_monitors(client *c);

#endif
