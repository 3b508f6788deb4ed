/* cluster.h -- a Redis Cluster node (cluster-enabled yes): the contract
 * between the files that make one.
 *
 * minired speaks Redis 7.0's cluster bus and answers Redis 7.0's CLUSTER
 * commands, so real Redis nodes, redis-cli --cluster and cluster-aware
 * clients treat it as one of their own. The work is split by file; each
 * function below is defined in the file named above its group, and every
 * field of the state names the file that writes it (others only read).
 *
 *   cluster.c          the state: nodes, slots, epochs, nodes.conf load and
 *                      save, the cluster's health (ok / fail), the cron and
 *                      before-sleep work, INFO's Cluster section, RESET
 *   cluster_bus.c      the bus: its listener, links, message I/O, the
 *                      handlers of PING/PONG/MEET/FAIL/PUBLISH/UPDATE/
 *                      MODULE, gossip, failure detection (PFAIL -> FAIL)
 *   cluster_failover.c replica election and promotion, votes, manual
 *                      failover (CLUSTER FAILOVER, MFSTART), replica
 *                      migration
 *   cluster_cmd.c      the CLUSTER command and ASKING / READONLY /
 *                      READWRITE, and their replies
 *   cluster_route.c    which node serves a command: -MOVED, -ASK,
 *                      -CROSSSLOT, -TRYAGAIN, -CLUSTERDOWN; blocked clients
 *                      of a slot that moved; shard channels of a lost slot
 *   migrate.c          MIGRATE and RESTORE-ASKING (also without cluster)
 *
 * Every `cluster_*` function may be called only while `cluster` is not
 * NULL (cluster-enabled yes), unless its comment says otherwise. Times are
 * unix milliseconds (mstime()) unless named otherwise. Node flags are the
 * CLCONF_NODE_* bits (the same as the bus's CLMSG_NODE_* bits). */
#ifndef MINIRED_CLUSTER_H
#define MINIRED_CLUSTER_H

#include <stdint.h>

#include "cluster_conf.h"
#include "cluster_msg.h"
#include "cluster_slot.h"
#include "server.h"

#define CLUSTER_NAMELEN 40
#define CLUSTER_OK 0   /* cluster_state:ok */
#define CLUSTER_FAIL 1 /* cluster_state:fail */
/* The bus port is the client port plus this, unless cluster-port is set. */
#define CLUSTER_PORT_INCR 10000
/* Redis 7.0's constants that shape timing and the protocol. */
#define CLUSTER_FAIL_REPORT_VALIDITY_MULT 2 /* fail reports live node_timeout * 2 */
#define CLUSTER_FAIL_UNDO_TIME_MULT 2       /* a FAIL without slots is cleared after node_timeout * 2 */
#define CLUSTER_MF_TIMEOUT 5000             /* a manual failover must end within this */
#define CLUSTER_MF_PAUSE_MULT 2             /* the primary pauses clients CLUSTER_MF_TIMEOUT * this */
#define CLUSTER_REPLICA_MIGRATION_DELAY 5000
#define CLUSTER_BLACKLIST_TTL 60            /* seconds a FORGET keeps a node out */
#define CLUSTER_CRON_PERIOD_MS 100          /* cluster_cron runs this often */

/* Why a replica cannot fail over (CLUSTER_CANT_FAILOVER_*: logged once
 * per reason, as Redis's "Currently unable to failover: ..." lines). */
enum {
    CLUSTER_CANT_FAILOVER_NONE = 0,
    CLUSTER_CANT_FAILOVER_DATA_AGE,
    CLUSTER_CANT_FAILOVER_WAITING_DELAY,
    CLUSTER_CANT_FAILOVER_EXPIRED,
    CLUSTER_CANT_FAILOVER_WAITING_VOTES,
};

/* What cluster_before_sleep must do (cluster->todo_before_sleep bits). */
#define CLUSTER_TODO_HANDLE_FAILOVER (1 << 0)
#define CLUSTER_TODO_UPDATE_STATE (1 << 1)
#define CLUSTER_TODO_SAVE_CONFIG (1 << 2)
#define CLUSTER_TODO_FSYNC_CONFIG (1 << 3)
#define CLUSTER_TODO_HANDLE_MANUALFAILOVER (1 << 4)

typedef struct cluster_node cluster_node;

/* A TCP connection of the bus (cluster_bus.c owns links). Each known node
 * has at most one outbound link (we connected; we send PINGs on it) and
 * one inbound link (it connected; we answer on it). */
typedef struct cluster_link {
    long long ctime;          /* created at */
    int fd;                   /* -1 until connected */
    int inbound;              /* 1: accepted, 0: ours */
    int connecting;           /* outbound, connect() in progress */
    sds sndbuf;               /* bytes queued to send, from sndpos */
    size_t sndpos;
    unsigned char *rcvbuf;    /* the message being read */
    size_t rcvbuf_len, rcvbuf_alloc;
    cluster_node *node;       /* NULL for an inbound link before its first
                                 message names the sender */
    long long msgs_sent, msgs_received; /* informative */
    long long last_send_ms;   /* informative */
} cluster_link;

/* A failure report: `node` said (in a gossip section with PFAIL or FAIL)
 * at `time` that the node holding the report is failing. */
typedef struct cluster_fail_report {
    cluster_node *node;
    long long time;
} cluster_fail_report;

struct cluster_node {
    char name[CLUSTER_NAMELEN + 1]; /* 40 hex characters, NUL-terminated */
    long long ctime;                /* known since */
    unsigned int flags;             /* CLCONF_NODE_* */
    uint64_t config_epoch;
    unsigned char slots[CLUSTER_SLOTS / 8]; /* slots it serves (bit s%8 of byte s/8) */
    int numslots;
    int num_replicas;
    cluster_node **replicas;        /* owned array of borrowed nodes */
    cluster_node *primary;          /* set when CLCONF_NODE_SLAVE and known */
    long long ping_sent;            /* 0: no PING awaiting its PONG */
    long long pong_received;
    long long data_received;        /* last time any bytes came from it */
    long long fail_time;            /* when FAIL was set */
    long long voted_time;           /* our last vote for one of its replicas */
    long long repl_offset_time;     /* when repl_offset was received */
    long long orphaned_time;        /* a primary without working replicas since */
    long long repl_offset;          /* last replication offset it told us */
    char ip[CLCONF_IP_STR_LEN];     /* "" when unknown */
    sds hostname;                   /* announced hostname; owned, "" when none */
    int port;                       /* client port */
    int pport;                      /* plaintext port (TLS: the non-TLS one) */
    int cport;                      /* bus port */
    cluster_link *link;             /* outbound, NULL when none */
    cluster_link *inbound_link;     /* NULL when none */
    cluster_fail_report *fail_reports; /* owned array */
    int num_fail_reports;
};

typedef struct cluster_state {
    /* cluster.c */
    cluster_node *myself;
    uint64_t current_epoch;
    uint64_t last_vote_epoch;       /* cluster_failover.c writes it when voting */
    int state;                      /* CLUSTER_OK / CLUSTER_FAIL */
    int size;                       /* primaries serving at least one slot */
    dict *nodes;                    /* sds name -> cluster_node * (owns the nodes) */
    dict *blacklist;                /* sds name -> expiry (unix seconds, in v.s64) */
    cluster_node *slots[CLUSTER_SLOTS];               /* owner, NULL: unassigned */
    cluster_node *migrating_slots_to[CLUSTER_SLOTS];  /* SETSLOT MIGRATING */
    cluster_node *importing_slots_from[CLUSTER_SLOTS]; /* SETSLOT IMPORTING */
    int todo_before_sleep;          /* CLUSTER_TODO_*; any file may set bits */
    int lock_fd;                    /* flock held on cluster-config-file */
    long long state_fail_since;     /* cluster.c: among its rejoin rules */
    /* cluster_failover.c */
    long long failover_auth_time;   /* election starts at (or started at) */
    int failover_auth_count;        /* votes received */
    int failover_auth_sent;         /* AUTH_REQUEST sent for this election */
    int failover_auth_rank;         /* our rank among our primary's replicas */
    uint64_t failover_auth_epoch;   /* the epoch we asked votes for */
    int cant_failover_reason;       /* CLUSTER_CANT_FAILOVER_* last logged */
    long long mf_end;               /* manual failover deadline, 0: none */
    cluster_node *mf_replica;       /* on the primary: the replica taking over */
    long long mf_primary_offset;    /* on the replica: the offset to reach */
    int mf_can_start;               /* on the replica: offset reached, go */
    /* cluster_bus.c */
    long long stats_bus_messages_sent[CLMSG_TYPE_COUNT];
    long long stats_bus_messages_received[CLMSG_TYPE_COUNT];
    long long stats_pfail_nodes;    /* nodes in PFAIL, counted by the cron */
    unsigned long long stat_cluster_links_buffer_limit_exceeded;
} cluster_state;

/* NULL unless cluster-enabled yes (set by cluster_init, owned by cluster.c). */
extern cluster_state *cluster;

/* ------------------------------------------------------------ cluster.c */

/* Start-up, after the config is read and before the dataset loads: takes
 * the lock on cluster-config-file and loads it (or creates a new node and
 * saves it), refusing to start as Redis does (corrupt file, lock held, a
 * port over 55535 without cluster-port), then opens the bus listener
 * (cluster_bus_listen). A no-op when cluster-enabled is no. */
void cluster_init(void);
/* Every CLUSTER_CRON_PERIOD_MS (called from server_cron): the bus's cron,
 * the failover cron, the state update. A no-op without cluster. */
void cluster_cron(void);
/* Before the event loop sleeps: failover steps, state update and config
 * save asked for by todo_before_sleep. A no-op without cluster. */
void cluster_before_sleep(void);
/* CONFIG SET of a cluster-announce-* directive: myself's announced
 * ports and hostname follow (config hook; any time). Returns 0. */
int cluster_announce_changed(char *err, size_t errlen);
/* After a load at start: a node whose data holds keys of slots it does
 * not own logs Redis's warning, as verifyClusterConfigWithData. */
void cluster_verify_data(void);

/* Nodes. cluster_node_create makes a node (name NULL: a random new name)
 * not yet in the table; cluster_node_add puts it in; cluster_node_delete
 * removes it everywhere (slots, replicas lists, fail reports of others,
 * links) and frees it. */
cluster_node *cluster_node_create(const char *name, unsigned int flags);
int cluster_node_add(cluster_node *n);
void cluster_node_delete(cluster_node *n);
cluster_node *cluster_node_lookup(const char *name, size_t len);
/* A node met in handshake learns its real name from its first PONG. */
void cluster_node_rename(cluster_node *n, const char *newname);
/* Replica lists: returns 1 when changed. */
int cluster_node_add_replica(cluster_node *primary, cluster_node *replica);
int cluster_node_remove_replica(cluster_node *primary, cluster_node *replica);
/* Replicas not in FAIL (cluster-migration-barrier, failover rank). */
int cluster_node_ok_replicas(const cluster_node *n);
/* Makes n a primary (flags, replica lists; as a failover promotes it). */
void cluster_node_set_primary_flags(cluster_node *n);
int cluster_node_is_primary(const cluster_node *n);
int cluster_node_failed(const cluster_node *n); /* FAIL */
int cluster_node_timed_out(const cluster_node *n); /* PFAIL */
/* Fail reports held by n: add (1 if new), remove (1 if removed), count
 * after dropping the expired ones. */
int cluster_node_add_failure_report(cluster_node *failing, cluster_node *sender);
int cluster_node_del_failure_report(cluster_node *failing, cluster_node *sender);
int cluster_node_failure_reports_count(cluster_node *n);
/* The blacklist of FORGET: a forgotten node is not re-added by gossip
 * for CLUSTER_BLACKLIST_TTL seconds. */
void cluster_blacklist_add(const char *name);
int cluster_blacklist_exists(const char *name, size_t len);

/* Slots. Bits in n->slots and cluster->slots kept in step; add fails (-1)
 * when the slot has an owner, del when it has none. */
int cluster_add_slot(cluster_node *n, int slot);
int cluster_del_slot(int slot);
/* Removes every slot of n; returns how many. */
int cluster_del_node_slots(cluster_node *n);
int cluster_node_has_slot(const cluster_node *n, int slot);
/* Keys of this node's database in a slot, and deleting them (a slot lost
 * to another node, CLUSTER FLUSHSLOTS-like cleanup). */
unsigned long long cluster_count_keys_in_slot(unsigned int slot);
unsigned long cluster_delete_keys_in_slot(unsigned int slot);

/* Epochs. */
uint64_t cluster_max_epoch(void);
/* CLUSTER BUMPEPOCH and a replica's win: a new config epoch for myself
 * when it is not already the largest (or always with force). Returns 1
 * when bumped. */
int cluster_bump_config_epoch(int force);
/* Two primaries with the same config epoch: the one with the smaller name
 * takes a new one (Redis's collision rule). */
void cluster_handle_config_epoch_collision(cluster_node *sender);

/* The cluster's health: ok when every slot is served by a reachable
 * primary (or cluster-require-full-coverage no) and this node sees a
 * majority of primaries; logs Redis's "Cluster state changed: ok/fail". */
void cluster_update_state(void);
/* Writes cluster-config-file now (do_fsync: and fsyncs it). Returns 0 or
 * -1 (logged). */
int cluster_save_config(int do_fsync);
/* The slot map a node learned from a primary's message (PING/PONG/UPDATE)
 * claiming `slots` with config epoch `epoch`: Redis's rules for taking
 * over slots, losing ours, and following the new owner of our slots. */
void cluster_update_slots_config_with(cluster_node *sender, uint64_t epoch, const unsigned char *slots);
/* Makes myself a replica of n (CLUSTER REPLICATE, following a new owner):
 * drops myself's slots and open slots, points replication at it. */
void cluster_set_my_primary(cluster_node *n);
/* CLUSTER RESET SOFT|HARD. */
void cluster_reset(int hard);
/* Whether this node serves no slots and has no keys (CLUSTER REPLICATE
 * refuses a primary with keys or slots). */
int cluster_myself_is_empty(void);

/* CLUSTER NODES / nodes.conf: every node as clconf describes it (myself's
 * open slots attached). filter_handshake: leave out nodes in handshake. */
sds cluster_nodes_text(sds s, int filter_handshake);
/* One node's CLUSTER NODES line (no newline) onto s. */
sds cluster_node_line(sds s, const cluster_node *n);
/* The endpoint clients are told (cluster-preferred-endpoint-type): the
 * ip (empty until learned), the hostname ("?" when none), or "?". */
const char *cluster_node_preferred_endpoint(const cluster_node *n);
/* INFO's "# Cluster" section (cluster_enabled:0|1); any time. */
sds cluster_info_section(sds s);

/* ------------------------------------------------------------ cluster_bus.c */

/* Opens the bus listener on cluster-port (or port + CLUSTER_PORT_INCR).
 * Returns 0 or -1 (logged, the server exits as Redis does). */
int cluster_bus_listen(void);
/* Every CLUSTER_CRON_PERIOD_MS: connects links, pings, timeouts, PFAIL
 * marking, the FAIL majority check, handshake timeouts. */
void cluster_bus_cron(void);
/* CLUSTER MEET: starts a handshake with ip:port (cport: the bus port).
 * Returns 0, or -1 with errno EINVAL (bad address or port). */
int cluster_bus_start_handshake(const char *ip, int port, int cport);
/* Frees a link and forgets it on its node. */
void cluster_bus_link_free(cluster_link *l);
/* Sends to every node with a link (or to one node). */
void cluster_bus_broadcast_ping_pong(int type); /* PONG to all (after a failover) */
void cluster_bus_send_ping(cluster_link *l, int type); /* PING / PONG / MEET with gossip */
void cluster_bus_send_fail(const char *nodename);
void cluster_bus_send_update(cluster_link *l, const cluster_node *n);
void cluster_bus_send_publish(const sds channel, const sds message, int sharded);
void cluster_bus_send_auth_request(void);
void cluster_bus_send_auth_ack(cluster_node *n);
void cluster_bus_send_mfstart(cluster_node *n);
/* Builds a header describing myself (flags, slots, epochs, offset). */
void cluster_bus_fill_header(clmsg_hdr *h, int type);
/* Marks a PFAIL node FAIL when a majority of primaries report it. */
void cluster_bus_mark_failing_if_needed(cluster_node *n);
/* CLUSTER LINKS' reply entries: calls fn for every link of a known node
 * (node by node, outbound then inbound, as Redis lists them; l->node is
 * never NULL there). */
typedef void cluster_link_visit_fn(const cluster_link *l, void *ctx);
void cluster_bus_foreach_link(cluster_link_visit_fn *fn, void *ctx);
/* Bytes held in links' buffers (INFO mem_cluster_links). */
size_t cluster_bus_links_memory(void);
/* INFO cluster_connections: as Redis 7.0 counts it, two per known node
 * other than myself (up or not). */
unsigned long cluster_bus_link_count(void);
/* DEBUG DROP-CLUSTER-PACKET-FILTER <type>: received messages of this type
 * are dropped (logged) before they are acted on; -1 (the default): none.
 * Any time, cluster or not, as Redis stores it. */
extern long cluster_bus_drop_filter;
/* DEBUG CLUSTERLINK KILL <to|from|all> <node-id>: closes our link to the
 * node (to), its link to us (from) or both. Returns NULL, or Redis's
 * error text ("Unknown node ...", "Unknown direction ..."; new sds). */
sds cluster_bus_debug_kill_link(const sds dir, const sds node);

/* ------------------------------------------------------------ cluster_failover.c */

/* From cluster_cron / cluster_before_sleep on a replica: runs the
 * election when the primary is FAIL (or a manual failover is ready). */
void cluster_failover_handle(void);
/* The cron's part: manual failover timeout, replica migration. */
void cluster_failover_cron(void);
/* A FAILOVER_AUTH_REQUEST from a replica: vote or not, as Redis's rules. */
void cluster_failover_auth_request(cluster_node *sender, const clmsg *m);
/* A FAILOVER_AUTH_ACK. */
void cluster_failover_auth_ack(cluster_node *sender, const clmsg *m);
/* MFSTART from our replica: pause clients, remember it. */
void cluster_failover_mfstart(cluster_node *sender);
/* A PING from our paused primary carries its offset (mflags PAUSED). */
void cluster_failover_primary_paused(cluster_node *sender, long long offset);
/* CLUSTER FAILOVER [FORCE|TAKEOVER] (0, 1 FORCE, 2 TAKEOVER); returns
 * NULL or the error text ("-ERR ..."). */
const char *cluster_failover_manual(int mode);
void cluster_failover_reset_manual(void);
/* Promotes myself (after a won election or TAKEOVER). */
void cluster_failover_promote(void);

/* ------------------------------------------------------------ cluster_route.c */

/* cmd_resolve's question for a command of a socket client (from_script
 * 0) or of a script (1): NULL when this node serves it, else a new sds,
 * the error as cmd_resolve returns errors ("-MOVED 3999 127.0.0.1:6381",
 * "-ASK ...", "-CROSSSLOT ...", "-TRYAGAIN ...", "-CLUSTERDOWN ...").
 * Applies Redis's exemptions (commands without keys other than EXEC,
 * READONLY clients' reads on a replica, ASKING on an importing slot...).
 * Called by commands.c after the ACL check, as Redis orders it, only when
 * cluster is not NULL. CLIENT_ASKING is cleared after each command except
 * ASKING itself, outside MULTI (networking.c's net_reset_client, as
 * Redis's resetClient). */
sds cluster_route(client *c, const redis_command *cmd, int from_script);
/* Clients blocked on keys of slots this node no longer serves get -MOVED
 * / -CLUSTERDOWN (from cluster_before_sleep). */
void cluster_route_redirect_blocked(void);
/* A slot was lost: its shard channels' subscribers are unsubscribed. */
void cluster_route_slot_lost(int slot);

/* ------------------------------------------------------------ cluster_cmd.c */

/* Client flags: CLIENT_ASKING (ASKING, for one command), CLIENT_READONLY
 * (READONLY: reads served by a replica) live in server.h. */
extern redis_command cluster_commands[];

/* ------------------------------------------------------------ migrate.c */

extern redis_command migrate_commands[];
/* Closes cached MIGRATE sockets idle for 10 s (from server_cron). */
void migrate_cron(void);
/* Open cached MIGRATE sockets (INFO migrate_cached_sockets); any time. */
int migrate_cached_sockets(void);

#endif
