/* repl_replica_cmd.c -- the replica side's commands: REPLICAOF and its
 * old name SLAVEOF (follow a primary, or stop following), and ROLE (this
 * server's place in replication, for either role).
 *
 * Replies and error texts are Redis 7.0's. Never touches the link itself:
 * repl_replica.c's functions do (replication.h, repl_replica_int.h). */
#include <string.h>
#include <strings.h>

#include "cluster.h"
#include "commands.h"
#include "log.h"
#include "networking.h"
#include "repl_replica_int.h"
#include "replication.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

#define PORT_MAX_VALUE 65535
/* Most replicas ROLE lists without growing its array. */
#define ROLE_REPLICAS_MAX 4096

static void log_user_request(const char *what, client *c) {
    sds info = net_cat_client_info(sds_empty(), c);
    log_notice("%s (user request from '%s')", what, info);
    sds_free(info);
}

/* REPLICAOF host port | NO ONE (and SLAVEOF). */
static void replicaof_command(client *c) {
    /* A cluster node follows the primary CLUSTER REPLICATE names. */
    if (cluster) {
        reply_error(c, "REPLICAOF not allowed in cluster mode.");
        return;
    }
    if (repl_failover_active()) {
        reply_error(c, "REPLICAOF not allowed while failing over.");
        return;
    }
    if (!strcasecmp(c->argv[1], "no") && !strcasecmp(c->argv[2], "one")) {
        if (server.is_replica) {
            repl_replica_unset_primary();
            log_user_request("MASTER MODE enabled", c);
        }
        reply_ok(c);
        return;
    }
    if (c->flags & CLIENT_REPLICA) {
        reply_error(c, "Command is not valid when client is a replica.");
        return;
    }
    long port;
    if (!string2l(c->argv[2], sds_len(c->argv[2]), &port) || port < 0 || port > PORT_MAX_VALUE) {
        reply_error(c, "Invalid master port");
        return;
    }
    const char *host = repl_replica_primary_host();
    if (host && !strcasecmp(host, c->argv[1]) && repl_replica_primary_port() == port) {
        log_notice("REPLICAOF would result into synchronization with the master we are already connected with. No "
                   "operation performed.");
        reply_status(c, "OK Already connected to specified master");
        return;
    }
    repl_replica_set_primary(c->argv[1], (int)port);
    sds what = sds_cat_printf(sds_empty(), "REPLICAOF %s:%d enabled", c->argv[1], (int)port);
    log_user_request(what, c);
    sds_free(what);
    reply_ok(c);
}

/* ROLE on a primary: its online replicas, collected before the reply so
 * the array length is known. */
typedef struct role_replica {
    sds ip;
    int port;
    long long offset;
} role_replica;

typedef struct role_list {
    role_replica *items;
    int len, cap;
} role_list;

static void role_collect(const char *ip, int port, long long ack_offset, void *ctx) {
    role_list *l = ctx;
    if (l->len == ROLE_REPLICAS_MAX) return;
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->items = zrealloc(l->items, sizeof(role_replica) * (size_t)l->cap);
    }
    l->items[l->len++] = (role_replica){sds_new(ip), port, ack_offset};
}

static void role_command(client *c) {
    if (server.is_replica) {
        reply_array_len(c, 5);
        reply_bulk_cstr(c, "slave");
        reply_bulk_cstr(c, repl_replica_primary_host());
        reply_integer(c, repl_replica_primary_port());
        reply_bulk_cstr(c, repl_replica_state_name());
        reply_integer(c, repl_replica_applied_offset());
        return;
    }
    role_list l = {0};
    repl_primary_foreach_online(role_collect, &l);
    reply_array_len(c, 3);
    reply_bulk_cstr(c, "master");
    reply_integer(c, repl.offset);
    reply_array_len(c, l.len);
    for (int i = 0; i < l.len; i++) {
        reply_array_len(c, 3);
        reply_bulk_sds(c, l.items[i].ip);
        reply_bulk_ll(c, l.items[i].port);
        reply_bulk_ll(c, l.items[i].offset);
        sds_free(l.items[i].ip);
    }
    zfree(l.items);
}

redis_command repl_replica_commands[] = {
    {.name = "replicaof", .proc = replicaof_command, .arity = 3,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_STALE | CMD_NO_ASYNC_LOADING,
     .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, .group = "server", .since = "5.0.0",
     .summary = "Make the server a replica of another instance, or promote it as master.", .complexity = "O(1)"},
    {.name = "slaveof", .proc = replicaof_command, .arity = 3,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_STALE | CMD_NO_ASYNC_LOADING,
     .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, .group = "server", .since = "1.0.0",
     .summary = "Make the server a replica of another instance, or promote it as master.", .complexity = "O(1)",
     .deprecated_since = "5.0.0", .replaced_by = "`REPLICAOF`"},
    {.name = "role", .proc = role_command, .arity = 1, .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl = ACL_ADMIN | ACL_FAST | ACL_DANGEROUS, .group = "server", .since = "2.8.12",
     .summary = "Return the role of the instance in the context of replication", .complexity = "O(1)"},
    {0},
};
