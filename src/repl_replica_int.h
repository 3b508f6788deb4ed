/* repl_replica_int.h -- what the replica side's command file
 * (repl_replica_cmd.c: REPLICAOF, SLAVEOF, ROLE) reads of the link state
 * kept by repl_replica.c. Not for other modules: replication.h is the
 * contract. */
#ifndef MINIRED_REPL_REPLICA_INT_H
#define MINIRED_REPL_REPLICA_INT_H

/* ROLE's state word: connect, connecting, handshake, sync, connected
 * (none when not a replica). */
const char *repl_replica_state_name(void);
/* ROLE's offset: the applied offset while the link is up, else -1. */
long long repl_replica_applied_offset(void);

#endif
