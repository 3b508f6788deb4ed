/* cluster_conf.h -- the nodes.conf format of Redis 7.0 (cluster-config-file):
 * parse, format, and write in place the way Redis 7.0 does.
 *
 * A library (no server headers, no globals, no logging). One line per node:
 *   <id> <ip>:<port>@<cport>[,<hostname>] <flags> <primary-id|-> <ping-sent>
 *   <pong-recv> <config-epoch> <connected|disconnected> <slot|a-b> ...
 *   [<slot>->-<id>] (migrating to) [<slot>-<-<id>] (importing from)
 * then "vars currentEpoch N lastVoteEpoch N". CLUSTER NODES prints the
 * same per-node line (clconf_format_node), every node including handshake
 * ones, and no vars line; the file leaves out nodes in handshake. Checked
 * on Redis 7.0.15 (file and reply taken at the same moment): the lines are
 * byte-identical, "myself", link state and open slots included; the open
 * slots are printed on myself's line only (the caller attaches them there).
 * A new node's first file says ":0@0" for itself: Redis saves it before it
 * sets its own ports (that order is the server's, not this library's).
 *
 * Ownership: a parsed clconf owns its nodes array and each node's hostname
 * and migrations; clconf_free releases them all. */
#ifndef MINIRED_CLUSTER_CONF_H
#define MINIRED_CLUSTER_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "cluster_slot.h"
#include "sds.h"

#define CLCONF_NAMELEN 40     /* a node id: 40 hex digits (Redis reads [a-z0-9]) */
#define CLCONF_IP_STR_LEN 46  /* an IPv6 text address and its NUL */

/* Node flags, the same bits as the flags field of the cluster bus header. */
#define CLCONF_NODE_MASTER (1u << 0)
#define CLCONF_NODE_SLAVE (1u << 1)
#define CLCONF_NODE_PFAIL (1u << 2)      /* "fail?" */
#define CLCONF_NODE_FAIL (1u << 3)
#define CLCONF_NODE_MYSELF (1u << 4)
#define CLCONF_NODE_HANDSHAKE (1u << 5)
#define CLCONF_NODE_NOADDR (1u << 6)
#define CLCONF_NODE_MEET (1u << 7)       /* never printed */
#define CLCONF_NODE_MIGRATE_TO (1u << 8) /* never printed */
#define CLCONF_NODE_NOFAILOVER (1u << 9)

/* The line Redis 7.0 logs (level warning) before exit(1) when the file
 * does not parse; minired's server logs the same. */
#define CLCONF_CORRUPT_LOG_MSG "Unrecoverable error: corrupted cluster config file."
/* Redis 7.0's other load-time lines: an unknown var (warning level, name
 * in quotes), then (notice level) the node id after a load, or after no
 * file / a zero-length file (CLCONF_EMPTY) when it creates a new node. */
#define CLCONF_UNKNOWN_VAR_LOG_FMT "Skipping unknown cluster config variable '%s'"
#define CLCONF_LOADED_LOG_FMT "Node configuration loaded, I'm %.40s"
#define CLCONF_NEW_NODE_LOG_FMT "No cluster configuration found, I'm %.40s"

typedef struct clconf_migration {
    unsigned int slot;
    int importing; /* 1: "[slot-<-node]" importing from node; 0: "[slot->-node]" migrating to */
    char node[CLCONF_NAMELEN + 1];
} clconf_migration;

typedef struct clconf_node {
    char name[CLCONF_NAMELEN + 1];
    char ip[CLCONF_IP_STR_LEN]; /* "" when unknown (":0@0") */
    int port;                   /* clients' port */
    int cport;                  /* bus port */
    char *hostname;             /* owned; NULL when none announced */
    unsigned int flags;         /* CLCONF_NODE_* */
    char master[CLCONF_NAMELEN + 1]; /* "" for "-" */
    long long ping_sent;        /* unix ms, 0: no ping pending */
    long long pong_received;    /* unix ms */
    uint64_t config_epoch;
    int connected;              /* link-state: 1 "connected", 0 "disconnected" */
    unsigned char slots[CLUSTER_SLOTS / 8]; /* bit s (byte s/8, bit s%8) set: slot s listed */
    clconf_migration *migrations; /* owned; myself's open slots, in order */
    size_t nmigrations;
} clconf_node;

typedef struct clconf {
    clconf_node *nodes; /* owned; in file order */
    size_t count;
    uint64_t current_epoch;   /* raised to the largest config epoch, as Redis does at load */
    uint64_t last_vote_epoch;
    sds *unknown_vars;        /* owned: names of vars Redis skips, logging */
    size_t nunknown_vars;     /* CLCONF_UNKNOWN_VAR_LOG_FMT for each */
} clconf;

typedef enum {
    CLCONF_OK = 0,
    CLCONF_EMPTY = 1,    /* a zero-length file: Redis starts a new node */
    CLCONF_CORRUPT = -1, /* Redis logs CLCONF_CORRUPT_LOG_MSG and exits 1 */
} clconf_status;

/* Parses len bytes (borrowed) of a nodes.conf into *out (initialized here;
 * on CLCONF_OK the caller owns it and calls clconf_free; on any other
 * return *out holds nothing). On CLCONF_CORRUPT, *err_line (if not NULL)
 * gets the 1-based line number and err (if not NULL) a short reason.
 * Accepts what Redis 7.0.15 accepts, with its quirks (numbers read as
 * atoi/strtoull read them, quoted tokens, blank lines, unknown vars);
 * rejects what makes Redis exit or crash: lines of fewer than 8 fields,
 * ids that are not 40 bytes of [a-z0-9], an address without ':', a slot out
 * of range, unknown or empty flags, whitespace-only lines, two "myself"
 * lines, no "myself" line. Also rejects an ip longer than 45 bytes (Redis
 * overflows its buffer). Slots listed by two lines are kept as written:
 * Redis gives a slot to the first line that lists it. */
clconf_status clconf_parse(const char *buf, size_t len, clconf *out, char *err, size_t errlen,
                           size_t *err_line);
void clconf_free(clconf *c);

/* The node flagged myself, or NULL (never NULL after CLCONF_OK). Borrowed. */
clconf_node *clconf_myself(const clconf *c);

/* Appends to s the line of node n (borrowed), without a newline, as both
 * nodes.conf and CLUSTER NODES print it. Returns s (may be reallocated). */
sds clconf_format_node(sds s, const clconf_node *n);
/* Appends the flags field ("myself,master", "noflags"). Returns s. */
sds clconf_format_flags(sds s, unsigned int flags);
/* Returns new sds: the whole file, nodes in array order minus handshake
 * ones, each line ending in "\n", then the vars line and "\n". */
sds clconf_format_file(const clconf *c);
/* Returns new sds: CLUSTER NODES' bulk text, every node, each line + "\n". */
sds clconf_format_nodes_reply(const clconf *c);

/* Writes len bytes (borrowed) to path the way Redis 7.0 does, in place (no
 * rename, so the flock the node holds on the file stays on it): open with
 * O_WRONLY|O_CREAT 0644, pad the text with '\n' up to the old size when
 * the file was longer (a crash mid-write leaves blank lines, which the
 * parser skips, never a stale tail), write, fsync when do_fsync, truncate
 * to len. Returns 0, or -1 with errno set (err gets the failing step). */
/* Takes the lock Redis 7.0 takes before reading the file, so that two
 * nodes never share one: open(O_WRONLY|O_CREAT|O_CLOEXEC, 0644) then
 * flock(LOCK_EX|LOCK_NB). Returns the fd, which the node keeps open for
 * its life (closing it drops the lock), or -1 with errno set: EWOULDBLOCK
 * when another process holds it (Redis then logs CLCONF_LOCKED_LOG_FMT
 * with the path and exits 1). */
int clconf_lock_file(const char *path);
#define CLCONF_LOCKED_LOG_FMT                                                                     \
    "Sorry, the cluster configuration file %s is already used by a different Redis Cluster "    \
    "node. Please make sure that different nodes use different cluster configuration files."

int clconf_write_file(const char *path, const char *text, size_t len, int do_fsync, char *err,
                      size_t errlen);

#endif
