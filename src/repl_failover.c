/* repl_failover.c -- FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]:
 * a primary hands its role to one of its replicas without losing a write.
 * Writes are paused, the target's acked offset is awaited (REPLCONF ACK
 * arrives every second), then this server follows the target with a
 * PSYNC ... FAILOVER that makes the target promote itself first.
 *
 * Owns the failover state (INFO master_failover_state). Reads replicas
 * only through repl_primary.c's functions; follows the target through
 * repl_replica.c's. Invariant: writes stay paused exactly while a
 * failover is in progress. */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "cluster.h"
#include "commands.h"
#include "log.h"
#include "monotonic.h"
#include "replication.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

#define FAILOVER_HOST_MAX 256
/* The pause lasts until the failover ends; its end time is only a bound. */
#define FAILOVER_PAUSE_MS (100LL * 365 * 24 * 3600 * 1000)

enum failover_state { FAILOVER_NONE, FAILOVER_WAIT_FOR_SYNC, FAILOVER_IN_PROGRESS };

static struct {
    enum failover_state state;
    char *host; /* the target, NULL: the first replica to catch up */
    int port;
    long long end_ms; /* TIMEOUT: unix ms, 0 none */
    int force;
} fo;

const char *repl_failover_state_name(void) {
    switch (fo.state) {
    case FAILOVER_WAIT_FOR_SYNC: return "waiting-for-sync";
    case FAILOVER_IN_PROGRESS: return "failover-in-progress";
    default: return "no-failover";
    }
}

int repl_failover_active(void) {
    return fo.state != FAILOVER_NONE;
}

static void failover_clear(void) {
    zfree(fo.host);
    fo.host = NULL;
    fo.port = 0;
    fo.end_ms = 0;
    fo.force = 0;
    fo.state = FAILOVER_NONE;
    admin_unpause(ADMIN_PAUSE_FAILOVER);
}

static void failover_abort(const char *why) {
    if (fo.state == FAILOVER_NONE) return;
    if (fo.host) log_notice("FAILOVER to %s:%d aborted: %s", fo.host, fo.port, why);
    else log_notice("FAILOVER to any replica aborted: %s", why);
    if (fo.state == FAILOVER_IN_PROGRESS) repl_replica_unset_primary();
    failover_clear();
}

void repl_failover_psync_result(int accepted) {
    if (fo.state != FAILOVER_IN_PROGRESS) return;
    if (accepted) failover_clear();
    else failover_abort("Failover target rejected psync request");
}

static void failover_start_following(void) {
    fo.state = FAILOVER_IN_PROGRESS;
    repl_replica_set_primary_failover(fo.host, fo.port);
}

void repl_failover_update(void) {
    if (fo.state != FAILOVER_WAIT_FOR_SYNC) return;
    if (fo.end_ms && fo.end_ms <= mstime()) {
        if (fo.force) {
            log_notice("FAILOVER to %s:%d time out exceeded, failing over.", fo.host, fo.port);
            failover_start_following();
        } else {
            failover_abort("Replica never caught up before timeout");
        }
        return;
    }
    char host[FAILOVER_HOST_MAX];
    int port = fo.port;
    long long ack = -1;
    int found = repl_primary_find_replica(fo.host, fo.port, host, sizeof(host), &port, &ack);
    if (!found || ack != repl.offset) return;
    if (fo.host == NULL) {
        fo.host = zstrdup(host);
        fo.port = port;
    }
    log_notice("Failover target %s:%d is synced, failing over.", fo.host, fo.port);
    failover_start_following();
}

static int failover_target_online(const char *host, int port) {
    char out[FAILOVER_HOST_MAX];
    int out_port;
    long long ack;
    return repl_primary_find_replica(host, port, out, sizeof(out), &out_port, &ack);
}

/* Parses FAILOVER's options as Redis does (each at most once). Returns 0,
 * or -1 with the error replied. */
static int failover_parse(client *c, const char **host, long *port, long *timeout_ms, int *force) {
    for (int j = 1; j < c->argc; j++) {
        if (!strcasecmp(c->argv[j], "timeout") && j + 1 < c->argc && *timeout_ms == 0) {
            if (!string2l(c->argv[j + 1], sds_len(c->argv[j + 1]), timeout_ms)) {
                reply_error_not_integer(c);
                return -1;
            }
            if (*timeout_ms <= 0) {
                reply_error(c, "FAILOVER timeout must be greater than 0");
                return -1;
            }
            j++;
        } else if (!strcasecmp(c->argv[j], "to") && j + 2 < c->argc && *host == NULL) {
            if (!string2l(c->argv[j + 2], sds_len(c->argv[j + 2]), port)) {
                reply_error_not_integer(c);
                return -1;
            }
            *host = c->argv[j + 1];
            j += 2;
        } else if (!strcasecmp(c->argv[j], "force") && !*force) {
            *force = 1;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    return 0;
}

static void failover_command(client *c) {
    /* Cluster replicas are promoted by the cluster. */
    if (cluster) {
        reply_error(c, "FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.");
        return;
    }
    if (c->argc == 2 && !strcasecmp(c->argv[1], "abort")) {
        if (fo.state == FAILOVER_NONE) {
            reply_error(c, "No failover in progress.");
            return;
        }
        failover_abort("Failover manually aborted");
        reply_ok(c);
        return;
    }
    const char *host = NULL;
    long port = 0, timeout_ms = 0;
    int force = 0;
    if (failover_parse(c, &host, &port, &timeout_ms, &force) == -1) return;
    const char *err = NULL;
    if (fo.state != FAILOVER_NONE) err = "FAILOVER already in progress.";
    else if (server.is_replica) err = "FAILOVER is not valid when server is a replica.";
    else if (repl_primary_replica_count() == 0) err = "FAILOVER requires connected replicas.";
    else if (force && (!timeout_ms || !host))
        err = "FAILOVER with force option requires both a timeout and target HOST and IP.";
    else if (host && !failover_target_online(host, (int)port))
        err = "FAILOVER target HOST and PORT is not a replica.";
    if (err) {
        reply_error(c, err);
        return;
    }
    if (host) {
        fo.host = zstrdup(host);
        fo.port = (int)port;
        log_notice("FAILOVER requested to %s:%ld.", host, port);
    } else {
        log_notice("FAILOVER requested to any replica.");
    }
    fo.end_ms = timeout_ms ? mstime() + timeout_ms : 0;
    fo.force = force;
    fo.state = FAILOVER_WAIT_FOR_SYNC;
    admin_pause(ADMIN_PAUSE_FAILOVER, ADMIN_PAUSE_WRITE, mstime() + FAILOVER_PAUSE_MS);
    reply_ok(c);
}

redis_command repl_failover_commands[] = {
    {.name = "failover", .proc = failover_command, .arity = -1, .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_STALE,
     .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS, .group = "server", .since = "6.2.0",
     .summary = "Start a coordinated failover between this server and one of its replicas.", .complexity = "O(1)"},
    {0},
};
