/* repl_primary_int.h -- what the primary side's two files share: a
 * replica's link state (struct repl_link, hung on client->repl) and the
 * list of attached replicas (repl_primary.c) and the full-sync machinery
 * (repl_sync.c: the child that writes the RDB, the transfer to each
 * replica). Nothing outside repl_primary.c / repl_sync.c includes it. */
#ifndef MINIRED_REPL_PRIMARY_INT_H
#define MINIRED_REPL_PRIMARY_INT_H

#include "replication.h"

/* A replica's progress, as INFO names them (wait_bgsave for the first
 * two, send_bulk, online). */
enum repl_link_state {
    RL_WAIT_BGSAVE_START = 0, /* wants a full sync; no child serves it yet */
    RL_WAIT_BGSAVE_END,       /* a child writes its RDB; stream held in pending */
    RL_SEND_BULK,             /* the RDB file is being sent (disk target) */
    RL_ONLINE,                /* the stream flows to its output */
    RL_RDB_DONE,              /* rdb-only: the RDB was sent, the link closes */
};

/* REPLCONF capa */
#define RL_CAPA_EOF (1 << 0)
#define RL_CAPA_PSYNC2 (1 << 1)
/* REPLCONF rdb-only / rdb-filter-only: what the replica asks of its RDB */
#define RL_REQ_RDB_ONLY (1 << 0)           /* no stream after the RDB */
#define RL_REQ_EXCLUDE_DATA (1 << 1)       /* rdb-filter-only: no keys */
#define RL_REQ_EXCLUDE_FUNCTIONS (1 << 2)  /* rdb-filter-only without "functions" */
/* Replicas share a child only when their filters agree. */
#define RL_REQ_FILTERS (RL_REQ_EXCLUDE_DATA | RL_REQ_EXCLUDE_FUNCTIONS)

struct repl_link {
    int state;                 /* enum repl_link_state; -1: handshaking (REPLCONF only) */
    int capa;                  /* RL_CAPA_* */
    int req;                   /* RL_REQ_* */
    int old_sync;              /* SYNC: no +FULLRESYNC line */
    int listening_port;        /* REPLCONF listening-port (0: none) */
    char announced_ip[NET_ADDR_STR_LEN]; /* REPLCONF ip-address ("": the peer's) */
    long long ack_off;         /* REPLCONF ACK's offset */
    long long ack_time_ms;     /* when the last ACK came (real unix ms) */
    long long full_sync_offset; /* the offset of +FULLRESYNC (the RDB's point) */
    long long wait_since_ms;   /* entered RL_WAIT_BGSAVE_START at (diskless delay) */
    sds pending;               /* stream bytes after the RDB's point, until online */
    int stream_on_ack;         /* online after a socket transfer: the stream
                                * starts at its first ACK */
    int acked_in_transfer;     /* an ACK came before we saw the socket transfer
                                * end: the replica has loaded the RDB already */
    /* disk transfer */
    int bulk_fd;               /* -1: none */
    off_t bulk_off, bulk_size;
};

/* repl_primary.c: the attached replicas (clients with CLIENT_REPLICA), in
 * the order they attached (INFO's slaveN numbering). */
extern client **repl_replicas;
extern int repl_replica_len;

/* The replica's name in log lines: "ip:port" as it announced them. */
const char *repl_link_name(client *c);
/* Moves a replica online: its held stream bytes go out after the RDB (at
 * its first REPLCONF ACK when wait_ack: after a socket transfer). */
void repl_link_online(client *c, int wait_ack);

/* INFO's name of a link state (wait_bgsave, send_bulk, online). */
const char *repl_state_name(int state);

/* repl_shutdown.c: ends a shutdown waiting for replicas when due. */
void repl_shutdown_check(void);

/* repl_sync.c */
void repl_sync_init(void);
/* Drops a replica whose diskless transfer made no progress for
 * repl-timeout seconds while bytes wait for it (it stalls the child, and
 * every other replica of the transfer with it). */
void repl_sync_drop_stalled(void);
/* A full sync was asked by c (state RL_WAIT_BGSAVE_START): attach it to
 * the running child when Redis would, start one now, or leave it for the
 * cron (diskless delay, a child busy). */
void repl_sync_request(client *c);
/* Cron and before-sleep duties: starts a pending child, pumps RDB bytes
 * into replicas' outputs. */
void repl_sync_cron(void);
void repl_sync_before_sleep(void);
/* c leaves (freed): forget its transfer. */
void repl_sync_forget(client *c);
/* Sends the "\n" keep-alive Redis writes to replicas waiting for their RDB. */
void repl_sync_keepalive(void);

#endif
