/* blocking.h -- clients waiting on keys (BLPOP, BLMOVE, BZPOPMIN...).
 *
 * A blocking command that finds nothing to serve calls blocking_block; the
 * client then waits, its argv kept, until a writer signals one of its keys
 * (blocking_signal_key) or its timeout fires. After every command the
 * dispatcher calls blocking_handle_ready_keys, which re-runs the command of
 * each client waiting on a signalled key, oldest first, while the key still
 * exists: so a push from a pipeline or from another client's command is
 * served before the next command runs. When nobody is blocked, each hook is
 * one integer test. */
#ifndef MINIRED_BLOCKING_H
#define MINIRED_BLOCKING_H

#include "server.h"

/* What a timed-out (or CLIENT UNBLOCK TIMEOUT) client receives. */
enum blocking_timeout_reply { BLOCK_REPLY_NULL_ARRAY, BLOCK_REPLY_NULL };

/* Parses a blocking command's timeout in seconds (float, 0 = forever) into
 * an absolute unix-ms deadline (0 = none). Replies Redis's error and returns
 * -1 on a bad value. */
int blocking_parse_timeout(client *c, const sds arg, long long *deadline_ms);
/* Blocks c on keys (borrowed; copied) of c->db until deadline_ms (0: never).
 * The handler must return without replying. */
void blocking_block(client *c, sds *keys, int numkeys, long long deadline_ms,
                    enum blocking_timeout_reply timeout_reply);
/* Asks that c, just blocked, be run again also when one of its keys is
 * deleted or overwritten (XREADGROUP answers it with an error). */
void blocking_wake_on_delete(client *c);
/* 1 while a handler runs because one of its keys was signalled: it must
 * block again (not reply) if it still finds nothing. */
int blocking_is_reexecution(const client *c);
/* Marks key of d ready if any client waits on it. Call after any write
 * that may give a waiting command something to serve. */
void blocking_signal_key(db *d, const sds key);
/* While c's command runs again because a key was signalled: that key (a
 * read that serves several keys answers from it alone, as Redis 7.0
 * does); otherwise NULL. */
const char *blocking_served_key(const client *c);
/* Signals every key of database dbnum that a client waits on, existing or
 * not (a flush: XREADGROUP waiters learn their stream is gone). */
void blocking_signal_waited(int dbnum);
/* Signals every key of database dbnum that a client waits on and that
 * exists now (after SWAPDB). */
void blocking_signal_db(int dbnum);
/* Serves waiting clients of every signalled key. */
void blocking_handle_ready_keys(void);
/* Unblocks c with the given outcome: BLOCK_UNBLOCK_TIMEOUT sends its
 * timeout reply, BLOCK_UNBLOCK_ERROR sends -UNBLOCKED, and
 * BLOCK_UNBLOCK_ROLE_CHANGE (the server became a replica) -UNBLOCKED with
 * Redis's text for that, then closes c. */
enum blocking_unblock_reason { BLOCK_UNBLOCK_TIMEOUT, BLOCK_UNBLOCK_ERROR, BLOCK_UNBLOCK_ROLE_CHANGE };
void blocking_unblock(client *c, enum blocking_unblock_reason why);
/* The keys c waits on (borrowed; *numkeys of them), or NULL when c is
 * not blocked on keys (not blocked, or a keyless wait such as WAIT). */
const sds *blocking_keys(const client *c, int *numkeys);
/* Unblocks c, which waits on keys, replying err ("-CODE text") instead of
 * serving its command: a cluster node that no longer serves the keys'
 * slot sends -MOVED or -CLUSTERDOWN. */
void blocking_unblock_error(client *c, const char *err);
/* The data clock moved (MINIRED CLOCK): every blocked client's timer is
 * re-armed for what is left of its deadline (0 ms once it has passed). */
void blocking_clock_moved(void);
/* A wait on no key (WAIT): the owner answers and ends it with
 * blocking_unblock_custom; at the deadline (0: none) or on CLIENT UNBLOCK
 * TIMEOUT, reply_timeout answers; detached is called whenever c stops
 * waiting, for any reason (served, timed out, unblocked, freed). */
typedef struct blocking_custom {
    void (*reply_timeout)(client *c);
    void (*detached)(client *c);
} blocking_custom;
void blocking_block_custom(client *c, long long deadline_ms, const blocking_custom *ops);
/* Ends c's custom wait after its owner replied. */
void blocking_unblock_custom(client *c);
/* Forgets c (it is being freed). */
void blocking_client_freed(client *c);

#endif
