/* multi.h -- transactions: MULTI / EXEC / DISCARD and optimistic locking
 * with WATCH / UNWATCH. */
#ifndef MINIRED_MULTI_H
#define MINIRED_MULTI_H

#include "server.h"

/* Dispatcher: c is in MULTI and cmd is not one of the commands that run at
 * once: queue it (replies +QUEUED). */
void multi_queue_command(client *c);
/* Dispatcher: a command of c was refused while in MULTI; EXEC will fail
 * with EXECABORT. */
void multi_flag_error(client *c);
/* A key of d was modified: transactions watching it will fail. Costs one
 * integer test when nothing is watched. */
void multi_touch_key(db *d, const sds key);
/* Every watched key of db dbnum that exists now is about to change
 * (FLUSHDB, FLUSHALL, SWAPDB). */
void multi_touch_existing_in_db(int dbnum);
/* Forgets c's transaction and watched keys (RESET, disconnect). */
void multi_client_reset(client *c);
/* Non-zero while any key is watched. */
extern unsigned long multi_watched_keys;

#endif
