/* replication.h -- PSYNC2 replication as Redis 7.0 speaks it: the contract
 * between the shared core (replication.c), the primary side
 * (repl_primary.c: replicas attached to us) and the replica side
 * (repl_replica.c: our link to a primary).
 *
 * Offsets are Redis's: the stream's first byte is offset 1;
 * master_repl_offset (repl.offset) is the offset of the last byte produced
 * (primary) or applied and proxied (replica). Every byte that counts in
 * the offset goes through repl_feed_stream(), which appends it to the
 * backlog and hands it to every attached replica, so a chain of replicas
 * holds the same bytes at the same offsets as the primary.
 *
 * Who writes what:
 *   replication.c   struct repl_state (ids, offset, backlog), server.is_replica,
 *                   the checks cmd_resolve asks (READONLY, MASTERDOWN,
 *                   NOREPLICAS), INFO replication's shared tail, the cron
 *   repl_primary.c  the replica clients (CLIENT_REPLICA) and their
 *                   c->repl state; PSYNC, SYNC, REPLCONF, WAIT, FAILOVER;
 *                   full sync (disk and diskless), partial resync
 *   repl_replica.c  the link to our primary (handshake, transfer, load,
 *                   server.primary_client with CLIENT_PRIMARY), REPLICAOF,
 *                   SLAVEOF, ROLE, the `replicaof` directive */
#ifndef MINIRED_REPLICATION_H
#define MINIRED_REPLICATION_H

#include "repl_backlog.h"
#include "server.h"

#define REPL_ID_LEN 40
/* The secondary id of a server that never changed history. */
#define REPL_ID_NONE "0000000000000000000000000000000000000000"

/* --------------------------------------------------------- shared state */

typedef struct repl_state {
    char replid[REPL_ID_LEN + 1];   /* master_replid: the history we serve */
    char replid2[REPL_ID_LEN + 1];  /* master_replid2: the history before a
                                     * promotion (REPL_ID_NONE if none) */
    long long offset;               /* master_repl_offset */
    long long second_offset;        /* second_repl_offset: replid2 is valid
                                     * for offsets < this; -1 when none */
    repl_backlog *backlog;          /* NULL until a replica needs it */
    long long no_replicas_since_ms; /* repl-backlog-ttl: when the last replica
                                     * left (unix ms); 0 while some are attached */
} repl_state;

/* Read by anyone; written only through the functions below. */
extern repl_state repl;

/* The configured `replicaof host port` (cfg.replicaof): the host (new;
 * the caller frees it) with *port set, or NULL when none or malformed. */
sds repl_config_primary(int *port);
/* Called at start before the dataset is loaded: a server configured with
 * `replicaof host port` loads as a replica (keys already expired stay
 * until its primary deletes them, as Redis loads them). */
void repl_role_from_config(void);
/* Called once at start, after the configuration and the dataset are
 * loaded: random replid, hooks into commands.c and the effects stream,
 * then both sides' init (the replica side connects if `replicaof` is set). */
void repl_init(void);
/* Called every second from the server cron (both sides' crons, the
 * backlog's time to live). */
void repl_cron(void);
/* Called in the before-sleep hook (WAIT / GETACK, pending replica writes). */
void repl_before_sleep(void);

/* Creates the backlog when missing (size repl-backlog-size, its first byte
 * the next offset) and starts consuming the effects stream (a primary), or
 * leaves the stream alone (a replica: the proxy feeds it). The next unit
 * of effects starts with a SELECT. */
void repl_backlog_ensure(void);
/* Consumes the effects stream exactly while we are a primary with a
 * backlog; called when either changes (the role: repl_replica.c). */
void repl_effects_update(void);
/* The replication stream's next unit starts with a SELECT: call when a
 * full sync forks (the replica will load the snapshot and then needs to be
 * told the database), as Redis resets its replicas' selected db then. */
void repl_stream_reselect(void);
/* The database the replication stream selected last (0 when none): the
 * RDB's repl-stream-db aux field. */
int repl_stream_db(void);
/* Frees the backlog (repl-backlog-ttl expired with no replica, or a new
 * history that makes it useless). */
void repl_backlog_release(void);
/* repl-backlog-size changed: resize, keeping the newest bytes. */
void repl_backlog_resize_to_config(void);

/* Appends bytes (borrowed) to the stream: repl.offset, the backlog (when
 * there is one) and every attached replica (repl_primary_feed). A primary
 * calls it for its own effects (the effects consumer) and for its PINGs
 * and REPLCONF GETACK; a replica for the bytes of its primary's stream it
 * has applied (proxy), so sub-replicas see the primary's exact bytes. */
void repl_feed_stream(const char *buf, size_t len);

/* New random replid, replid2 cleared (DEBUG CHANGE-REPL-ID; a replica after
 * a full sync uses repl_set_history instead). */
void repl_change_replid(void);
/* Promotion (REPLICAOF NO ONE, FAILOVER target): replid2 = replid,
 * second_offset = offset + 1, a new random replid. Replicas of the old
 * history can then PSYNC with either id (PSYNC2). */
void repl_shift_replid(void);
/* A replica took its primary's history: replid and offset from +FULLRESYNC
 * or +CONTINUE <newid>; replid2 cleared unless keep_old (a +CONTINUE with
 * a new id keeps the old one as replid2 up to the current offset). */
void repl_set_history(const char *replid, long long offset, int keep_old);

/* --------------------------------------------------------- primary side */

/* repl_primary.c */
void repl_primary_init(void);
void repl_primary_cron(void);
void repl_primary_before_sleep(void);
/* Hands stream bytes (borrowed) to every replica: online ones get them in
 * their output buffer, ones waiting for their RDB get them held until the
 * RDB is sent. */
void repl_primary_feed(const char *buf, size_t len);
/* Replicas attached (any state), and good ones (online, acked within
 * min-replicas-max-lag seconds). */
unsigned long repl_primary_replica_count(void);
int repl_primary_good_replicas(void);
/* Closes every replica link (a new history: they must resync). */
void repl_primary_disconnect_replicas(void);
/* Asks every online replica for its offset now (REPLCONF GETACK * in the
 * stream, sent before the next sleep): WAIT and FAILOVER use it. */
void repl_primary_request_acks(void);
/* The online replica announced as host:port (host NULL: the online replica
 * with the greatest acked offset). Fills *ack with its acked offset, and
 * when host is NULL its announced address into host_out/port_out (cap
 * bytes). Returns 1 when found, 0 otherwise. For FAILOVER. */
int repl_primary_find_replica(const char *host, int port, char *host_out, size_t cap, int *port_out,
                              long long *ack);
/* INFO replication's primary fields, in Redis's order: connected_slaves,
 * min_slaves_good_slaves (with min-replicas-to-write), slaveN lines,
 * master_failover_state. Returns s. */
sds repl_primary_info(sds s);
/* CLIENT LIST / the replica-class output limit: the client is a replica. */
void repl_primary_client_freed(client *c);

/* ROLE on a primary: fn is called for each online replica with its
 * announced address, listening port and acked offset, in attach order
 * (repl_primary.c; ROLE is the replica side's command). */
typedef void repl_replica_visit_fn(const char *ip, int port, long long ack_offset, void *ctx);
void repl_primary_foreach_online(repl_replica_visit_fn *fn, void *ctx);

/* INFO stats' sync_full, sync_partial_ok, sync_partial_err (CONFIG
 * RESETSTAT zeroes them). */
typedef struct repl_sync_stats {
    long long full, partial_ok, partial_err;
} repl_sync_stats;
void repl_primary_sync_stats(repl_sync_stats *st);
void repl_primary_reset_stats(void);
/* A replica whose output holds its RDB being sent: the output limits do
 * not count it (the stream held meanwhile is checked apart), as Redis
 * never counts the RDB. */
int repl_primary_output_unlimited(const client *c);

/* SHUTDOWN / SIGTERM with replicas (repl_shutdown.c), as Redis 7.0: unless
 * flags hold SHUTDOWN_NOW, shutdown-timeout is 0 or every replica acked the
 * whole stream, writes are paused, acks asked, and finish(flags) runs once
 * they acked or the timeout passed (it exits on success; on failure the
 * waiting callers get "Errors trying to SHUTDOWN" and writes resume).
 * Returns 1 while waiting (c, when not NULL, is blocked until the end), 0
 * when the caller shuts down now (replicas' pending output was sent). */
typedef int repl_shutdown_fn(int flags);
int repl_primary_shutdown_wait(client *c, int flags, repl_shutdown_fn *finish);
/* 1 while a shutdown waits for replicas. */
int repl_primary_shutdown_pending(void);
/* SHUTDOWN ABORT: cancels the wait (0), or -1 when none is in progress. */
int repl_primary_shutdown_abort(void);

/* --------------------------------------------------------- replica side */

/* repl_replica.c */
void repl_replica_init(void);
void repl_replica_cron(void);
/* Start following host:port (REPLICAOF, FAILOVER on the old primary).
 * Borrowed host. */
void repl_replica_set_primary(const char *host, int port);
/* Stop following (REPLICAOF NO ONE, the FAILOVER target): keeps the data,
 * shifts the replid (repl_shift_replid). */
void repl_replica_unset_primary(void);
/* FAILOVER on the old primary: follow host:port, and send PSYNC with the
 * FAILOVER argument so the target promotes itself first. */
void repl_replica_set_primary_failover(const char *host, int port);
/* 1 when the link to the primary is up (master_link_status:up). */
int repl_replica_link_up(void);
/* How old our copy of the primary's data is, in ms: since the last bytes
 * of a link that is up, else since the link went down (cluster failover's
 * data-age check, as Redis's lastinteraction / repl_down_since). */
long long repl_replica_data_age_ms(void);
/* The database the primary's stream has selected last (its link's, or
 * the cached one's while the link is down): repl-stream-db in our RDBs. */
int repl_replica_stream_db(void);
/* The primary followed (NULL / 0 when not a replica): CONFIG REWRITE's
 * `replicaof` line, ROLE, INFO. Borrowed. */
const char *repl_replica_primary_host(void);
int repl_replica_primary_port(void);
/* INFO replication's replica fields, in Redis's order: master_host ...
 * replica_announced (only while a replica). Returns s. */
sds repl_replica_info(sds s);
/* The primary link client was freed (networking.c's free path). */
void repl_replica_client_freed(client *c);
/* networking.c's input path for the primary's client (CLIENT_PRIMARY):
 * runs every complete command of its query buffer with no checks and
 * replies off, answers REPLCONF GETACK, and proxies the bytes of each
 * applied command (a transaction at its EXEC) with repl_feed_stream;
 * bytes of a command not yet applied stay in the buffer. */
void repl_replica_process_input(client *c);

/* repl_failover.c: FAILOVER. INFO's master_failover_state (no-failover,
 * waiting-for-sync, failover-in-progress); whether one is in progress
 * (REPLICAOF refuses meanwhile); the check whether the target caught up
 * (every cron pass; a caller that just got an ACK may call it too); the
 * PSYNC FAILOVER's outcome (repl_replica.c). */
const char *repl_failover_state_name(void);
int repl_failover_active(void);
void repl_failover_update(void);
void repl_failover_psync_result(int accepted);

/* MINIRED CLOCK's refusal while this server is a replica or has replicas
 * (error text without "ERR "), or NULL. */
const char *repl_clock_refusal(void);

/* --------------------------------------------------------- INFO */

/* (The command tables repl_primary_commands / repl_replica_commands are
 * listed in commands.h.) */
/* INFO replication (the whole section). Returns s. */
sds repl_info(sds s);

#endif
