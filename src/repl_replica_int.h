/* repl_replica_int.h -- what the replica side's command file
 * (repl_replica_cmd.c: REPLICAOF, SLAVEOF, ROLE) reads of the link state
 * kept by repl_replica.c. Not for other modules: replication.h is the
 * contract. */
#ifndef MINIRED_REPL_REPLICA_INT_H
#define MINIRED_REPL_REPLICA_INT_H

#include "rdb.h"

/* "$EOF:<mark>": a diskless primary ends its RDB with these 40 bytes. */
#define REPL_EOF_MARK_LEN 40

/* repl_diskless.c: loads the RDB from the socket fd (read blocking, each
 * read bounded by timeout_ms): pending (borrowed) holds bytes already read
 * after the $ line; size >= 0 for a sized payload, or -1 with mark (40
 * bytes) ending it. Returns 0 with *leftover (new) the stream bytes read
 * past the payload, or -1 (logged; what was loaded stays for the caller
 * to discard). The fd is non-blocking again on return. */
int repl_diskless_load(int fd, const char *pending, size_t pending_len, long long size, const char *mark,
                       long long timeout_ms, rdb_load_stats *ls, sds *leftover);

/* ROLE's state word: connect, connecting, handshake, sync, connected
 * (none when not a replica). */
const char *repl_replica_state_name(void);
/* ROLE's offset: the applied offset while the link is up, else -1. */
long long repl_replica_applied_offset(void);

#endif
