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
/* A key of d was modified (called after the change, so a deleted key is
 * gone): transactions watching it will fail, unless the key was already
 * expired when watched and is now deleted. Costs one integer test when
 * nothing is watched. */
void multi_touch_key(db *d, const sds key);
/* Database dbnum is about to be emptied (replaced_with -1: FLUSHDB,
 * FLUSHALL) or swapped with database replaced_with (SWAPDB: call it for
 * both sides, before the swap). Transactions watching a key that exists
 * before or after fail, as Redis 7.0 decides with expired keys. */
void multi_touch_existing_in_db(int dbnum, int replaced_with);
/* The same with the two datasets given: database dbnum's data emptied is
 * replaced by replacement (a replica's swapdb load, whose old data is not
 * in server.dbs any more). */
void multi_touch_replaced_db(int dbnum, db *emptied, db *replacement);
/* CMD_* flags of every command c has queued, or'ed (0 outside MULTI). */
uint64_t multi_queued_flags(const client *c);
/* The i-th command c has queued (0 <= i < multi_queued_count(c)), with
 * its arguments in *argv / *argc; all borrowed (a cluster node routes
 * EXEC by the keys of its whole queue). */
const redis_command *multi_queued_command(const client *c, long i, sds **argv, int *argc);
/* CLIENT LIST's multi= and multi-mem=: commands queued (-1 outside
 * MULTI) and the bytes they hold. */
long multi_queued_count(const client *c);
size_t multi_queued_bytes(const client *c);
/* Forgets c's transaction and watched keys (RESET, disconnect). */
void multi_client_reset(client *c);
/* Non-zero while any key is watched. */
extern unsigned long multi_watched_keys;

#endif
