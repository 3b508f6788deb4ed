/* tracking.h -- client-side caching (CLIENT TRACKING), as Redis 7.0 has it.
 *
 * A tracking client is told when a key it may have cached changes: in the
 * default mode the server remembers which keys each client read (the
 * tracking table); in BCAST mode it tells every client subscribed to a
 * key prefix about each change under it, once per event-loop pass.
 * Messages are RESP3 pushes (`>2 invalidate [keys]`) to the client, or
 * go to a REDIRECT client (a RESP2 one gets them as pub/sub messages on
 * `__redis__:invalidate` when it is subscribed). */
#ifndef MINIRED_TRACKING_H
#define MINIRED_TRACKING_H

#include "server.h"

/* Registers the keyspace's invalidation hook (db.h); call once at start. */
void tracking_init(void);

/* ---------------------------------------------------------- hooks
 * Called by the dispatcher, networking.c and server.c at the points where
 * Redis 7.0 does the same work. */

/* After c's command ran (every call, EXEC's queued ones included):
 * remembers the keys a read-only command read, when c's mode says so. */
void tracking_command_done(client *c);
/* When the outermost command returns: sends the invalidations that the
 * running client caused to itself, after its reply, as Redis does. */
void tracking_send_pending(void);
/* Before a command runs and from the cron: invalidates random keys while
 * the table holds more than tracking-table-max-keys. */
void tracking_limit_table(void);
/* Before-sleep: sends the BCAST invalidations gathered since last time. */
void tracking_before_sleep(void);
/* End of c's command (networking.c): CLIENT CACHING applies to the next
 * command or transaction only. */
void tracking_command_reset(client *c);
/* c is being freed: turns its tracking off and forgets it. */
void tracking_client_freed(client *c);
/* RESET: turns c's tracking off. */
void tracking_client_reset(client *c);
/* CLIENT LIST's redir= value: the redirect id, 0 for none, -1 when c
 * does not track. */
long long tracking_client_redirect(const client *c);

/* ---------------------------------------------------------- commands */

void client_tracking_command(client *c);
void client_caching_command(client *c);
void client_getredir_command(client *c);
void client_trackinginfo_command(client *c);

#endif
