/* repl_primary.c -- the primary side of replication (see replication.h):
 * the replicas attached to this server. PSYNC / SYNC (partial resync from
 * the backlog, or a full sync handed to repl_sync.c), REPLCONF, the
 * stream handed to each replica, their acks, pings and timeouts, WAIT,
 * and INFO replication's replica lines.
 *
 * Owns client->repl of replica clients and the list of attached replicas.
 * Never writes to a socket: every byte a replica gets goes through its
 * output buffer (reply.c), written by networking.c. Invariant: a client
 * is in repl_replicas exactly while it has CLIENT_REPLICA. */
#include "repl_primary_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "admin.h"
#include "anet.h"
#include "blocking.h"
#include "cluster.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "monotonic.h"
#include "networking.h"
#include "reply.h"
#include "util.h"
#include "vclock.h"
#include "zmalloc.h"

client **repl_replicas;
int repl_replica_len;
static int repl_replica_cap;

/* INFO stats sync_full / sync_partial_ok / sync_partial_err, counted as
 * Redis counts them (a PSYNC ? asks for a full sync on purpose: no error). */
static repl_sync_stats sync_stats;

/* Set by WAIT (and FAILOVER): REPLCONF GETACK goes into the stream before
 * the next sleep, once however many asked. */
static int acks_requested;

/* The stream bytes of REPLCONF GETACK * (Redis sends exactly these). */
#define GETACK_CMD "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"
#define PING_CMD "*1\r\n$4\r\nPING\r\n"

/* ---------------------------------------------------------- the list */

static void replicas_add(client *c) {
    if (repl_replica_len == repl_replica_cap) {
        repl_replica_cap = repl_replica_cap ? repl_replica_cap * 2 : 4;
        repl_replicas = zrealloc(repl_replicas, sizeof(client *) * (size_t)repl_replica_cap);
    }
    repl_replicas[repl_replica_len++] = c;
    c->flags |= CLIENT_REPLICA;
    /* repl-disable-tcp-nodelay: fewer, larger packets to the replica at
     * the price of latency (a failure costs nothing but that). */
    if (cfg.repl_disable_tcp_nodelay && !(c->flags & CLIENT_UNIX_SOCKET)) anet_disable_tcp_nodelay(NULL, c->fd);
}

static void replicas_remove(client *c) {
    for (int i = 0; i < repl_replica_len; i++) {
        if (repl_replicas[i] != c) continue;
        memmove(repl_replicas + i, repl_replicas + i + 1, sizeof(client *) * (size_t)(repl_replica_len - i - 1));
        repl_replica_len--;
        break;
    }
}

/* The link state of c, created on its first REPLCONF / SYNC. */
static struct repl_link *link_of(client *c) {
    if (c->repl == NULL) {
        struct repl_link *l = zcalloc(sizeof(*l));
        l->state = -1;
        l->bulk_fd = -1;
        c->repl = l;
    }
    return c->repl;
}

static void link_free(client *c) {
    struct repl_link *l = c->repl;
    if (l == NULL) return;
    if (l->bulk_fd != -1) close(l->bulk_fd);
    sds_free(l->pending);
    zfree(l);
    c->repl = NULL;
}

/* The peer's ip (without the port) of c's address "ip:port" / "[ip]:port". */
static void peer_ip(const client *c, char *buf, size_t cap) {
    const char *a = c->addr, *colon = strrchr(a, ':');
    size_t n = colon ? (size_t)(colon - a) : strlen(a);
    if (n >= 2 && a[0] == '[' && a[n - 1] == ']') {
        a++;
        n -= 2;
    }
    if (n >= cap) n = cap - 1;
    memcpy(buf, a, n);
    buf[n] = '\0';
}

static void link_ip(const client *c, char *buf, size_t cap) {
    if (c->repl && c->repl->announced_ip[0]) snprintf(buf, cap, "%s", c->repl->announced_ip);
    else peer_ip(c, buf, cap);
}

const char *repl_link_name(client *c) {
    static char name[NET_ADDR_STR_LEN + 32];
    char ip[NET_ADDR_STR_LEN];
    link_ip(c, ip, sizeof(ip));
    if (c->repl && c->repl->listening_port)
        snprintf(name, sizeof(name), strchr(ip, ':') ? "[%s]:%d" : "%s:%d", ip, c->repl->listening_port);
    else
        snprintf(name, sizeof(name), strchr(ip, ':') ? "[%s]:<unknown-replica-port>" : "%s:<unknown-replica-port>",
                 ip);
    return name;
}

/* ---------------------------------------------------------- the stream */

/* A replica waiting for its RDB holds the stream in its pending buffer;
 * the replica class of client-output-buffer-limit applies to it as to
 * an output buffer (Redis counts both the same way). */
static void pending_check_limit(client *c) {
    const struct config_obuf_limit *l = &cfg.client_obuf_limits[CLIENT_CLASS_REPLICA];
    size_t used = sds_len(c->repl->pending);
    int hard = l->hard_bytes && used >= l->hard_bytes, soft = 0;
    if (l->soft_bytes && used >= l->soft_bytes) {
        if (c->obuf_soft_since_ms == 0) c->obuf_soft_since_ms = server.loop_ms;
        else soft = server.loop_ms - c->obuf_soft_since_ms >= l->soft_seconds * 1000;
    } else {
        c->obuf_soft_since_ms = 0;
    }
    if (!hard && !soft) return;
    log_warning("Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.",
                (unsigned long long)c->id, c->addr);
    net_close_async(c);
}

void repl_primary_feed(const char *buf, size_t len) {
    /* WAIT counts acks from the offset after the client's last write. */
    if (server.current_client) server.current_client->repl_woff = repl.offset;
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        struct repl_link *l = c->repl;
        if (l->state == RL_ONLINE && !l->stream_on_ack) {
            reply_proto(c, buf, len);
        } else if (l->state == RL_WAIT_BGSAVE_END || l->state == RL_SEND_BULK || l->state == RL_ONLINE) {
            if (l->req & RL_REQ_RDB_ONLY || (c->flags & CLIENT_CLOSE_ASAP)) continue;
            l->pending = sds_cat_len(l->pending ? l->pending : sds_empty(), buf, len);
            pending_check_limit(c);
        }
    }
}

/* The held stream goes out (after the RDB already in the output). */
static void link_release_pending(client *c) {
    struct repl_link *l = c->repl;
    l->stream_on_ack = 0;
    if (l->pending) {
        reply_proto(c, l->pending, sds_len(l->pending));
        sds_free(l->pending);
        l->pending = NULL;
    }
    c->obuf_soft_since_ms = 0;
}

void repl_link_online(client *c, int wait_ack) {
    struct repl_link *l = c->repl;
    if (l->req & RL_REQ_RDB_ONLY) {
        /* redis-cli --rdb: nothing follows the RDB; close once it is out. */
        l->state = RL_RDB_DONE;
        log_notice("RDB transfer completed, rdb only replica (%s) should be disconnected asap", repl_link_name(c));
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
        if (net_client_output_len(c) == 0) net_close_async(c);
        return;
    }
    l->state = RL_ONLINE;
    l->ack_time_ms = mstime();
    /* A replica acks only once it loaded the RDB: when that ACK came before
     * we reaped the child, waiting for the next one would hold the stream
     * for up to a second while the replica already shows its link up. */
    if (wait_ack && !l->acked_in_transfer) l->stream_on_ack = 1;
    else link_release_pending(c);
    log_notice("Synchronization with replica %s succeeded", repl_link_name(c));
}

/* ---------------------------------------------------------- PSYNC / SYNC */

static void backlog_to_client(const char *buf, size_t len, void *ctx) {
    reply_proto(ctx, buf, len);
}

/* +CONTINUE and the backlog's bytes from `from`, when the history and the
 * backlog allow it. Returns 1 when c is now an online replica. */
static int try_partial(client *c, const char *replid, long long from) {
    if (strcasecmp(replid, repl.replid) != 0 &&
        (strcasecmp(replid, repl.replid2) != 0 || from > repl.second_offset)) {
        if (replid[0] != '?') {
            if (strcasecmp(replid, repl.replid) && strcasecmp(replid, repl.replid2))
                log_notice("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for "
                           "'%s', my replication IDs are '%s' and '%s')",
                           replid, repl.replid, repl.replid2);
            else
                log_notice("Partial resynchronization not accepted: Requested offset for second ID was %lld, but I "
                           "can reply up to %lld",
                           from, repl.second_offset);
        } else {
            log_notice("Full resync requested by replica %s", repl_link_name(c));
        }
        return 0;
    }
    if (repl.backlog == NULL || !backlog_covers(repl.backlog, from)) {
        log_notice("Unable to partial resync with replica %s for lack of backlog (Replica request was: %lld).",
                   repl_link_name(c), from);
        return 0;
    }
    struct repl_link *l = c->repl;
    l->state = RL_ONLINE;
    l->ack_time_ms = mstime();
    replicas_add(c);
    char line[64 + REPL_ID_LEN];
    if (l->capa & RL_CAPA_PSYNC2) snprintf(line, sizeof(line), "+CONTINUE %s\r\n", repl.replid);
    else snprintf(line, sizeof(line), "+CONTINUE\r\n");
    reply_proto(c, line, strlen(line));
    long long sent = backlog_read_from(repl.backlog, from, backlog_to_client, c);
    log_notice("Partial resynchronization request from %s accepted. Sending %lld bytes of backlog starting from "
               "offset %lld.",
               repl_link_name(c), sent, from);
    return 1;
}

static void sync_generic(client *c, int is_psync) {
    /* A replica asking again (a confused peer) is ignored, as in Redis. */
    if (c->flags & CLIENT_REPLICA) return;
    struct repl_link *l = link_of(c);
    if (is_psync && c->argc > 3 && strcasecmp(c->argv[3], "failover") == 0) {
        if (!server.is_replica) {
            reply_error(c, "PSYNC FAILOVER can't be sent to a master.");
            return;
        }
        if (strcasecmp(c->argv[1], repl.replid) != 0) {
            reply_error(c, "PSYNC FAILOVER replid must match my replid.");
            return;
        }
        repl_replica_unset_primary();
        sds info = net_cat_client_info(sds_empty(), c);
        log_notice("MASTER MODE enabled (failover request from '%s')", info);
        sds_free(info);
    }
    if (repl_failover_active()) {
        reply_error(c, "-NOMASTERLINK Can't SYNC while failing over");
        return;
    }
    if (server.is_replica && !repl_replica_link_up()) {
        reply_error(c, "-NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    if (net_client_output_len(c) > 0) {
        reply_error(c, "SYNC and PSYNC are invalid with pending output");
        return;
    }
    if ((l->req & (RL_REQ_EXCLUDE_DATA | RL_REQ_EXCLUDE_FUNCTIONS)) && !(l->capa & RL_CAPA_EOF)) {
        reply_error(c, "Filtered replica requires EOF capability");
        return;
    }
    log_notice("Replica %s asks for synchronization", repl_link_name(c));
    if (is_psync) {
        long long off;
        if (!string2ll(c->argv[2], sds_len(c->argv[2]), &off)) {
            log_warning("Replica %s asks for synchronization but with a wrong offset", repl_link_name(c));
            reply_error(c, "value is not an integer or out of range");
            return;
        }
        if (try_partial(c, c->argv[1], off)) {
            sync_stats.partial_ok++;
            return;
        }
        /* "?" asks for a full sync on purpose: no failed attempt. */
        if (c->argv[1][0] != '?') sync_stats.partial_err++;
    } else {
        l->old_sync = 1;
    }
    sync_stats.full++;
    l->state = RL_WAIT_BGSAVE_START;
    l->wait_since_ms = mstime();
    l->ack_time_ms = l->wait_since_ms; /* INFO's lag counts from here */
    replicas_add(c);
    if (repl_replica_len == 1 && repl.backlog == NULL && !server.is_replica) {
        /* A backlog made from scratch starts a new history: nothing before
         * it can be served from here. */
        repl_change_replid();
        repl_backlog_ensure();
        log_notice("Replication backlog created, my new replication IDs are '%s' and '%s'", repl.replid,
                   repl.replid2);
    }
    repl_sync_request(c);
}


static void psync_command(client *c) {
    sync_generic(c, 1);
}

static void sync_command(client *c) {
    sync_generic(c, 0);
}

/* ---------------------------------------------------------- REPLCONF */

/* REPLCONF ACK <offset> [FACK <aof-offset>]: no reply, ever. */
static void replconf_ack(client *c, int j) {
    long long off;
    if (!(c->flags & CLIENT_REPLICA)) return;
    if (!string2ll(c->argv[j + 1], sds_len(c->argv[j + 1]), &off)) return;
    struct repl_link *l = c->repl;
    if (off > l->ack_off) l->ack_off = off;
    l->ack_time_ms = mstime();
    if (l->state == RL_WAIT_BGSAVE_END) l->acked_in_transfer = 1;
    if (l->state == RL_ONLINE && l->stream_on_ack) link_release_pending(c);
}

static int replconf_filter(client *c, struct repl_link *l, sds arg) {
    int n;
    sds *filters = sds_split_args(arg, &n);
    if (filters == NULL) {
        reply_error(c, "Missing rdb-filter-only values");
        return -1;
    }
    l->req |= RL_REQ_EXCLUDE_DATA | RL_REQ_EXCLUDE_FUNCTIONS;
    for (int i = 0; i < n; i++) {
        if (strcasecmp(filters[i], "functions") == 0) {
            l->req &= ~RL_REQ_EXCLUDE_FUNCTIONS;
        } else {
            reply_error_format(c, "Unsupported rdb-filter-only option: %s", filters[i]);
            sds_free_split_res(filters, n);
            return -1;
        }
    }
    sds_free_split_res(filters, n);
    return 0;
}

static void replconf_command(client *c) {
    if (c->argc % 2 == 0) {
        reply_error_syntax(c);
        return;
    }
    struct repl_link *l = link_of(c);
    for (int j = 1; j < c->argc; j += 2) {
        const char *opt = c->argv[j];
        sds val = c->argv[j + 1];
        long long v;
        if (strcasecmp(opt, "listening-port") == 0) {
            if (!string2ll(val, sds_len(val), &v) || v < LONG_MIN || v > LONG_MAX) {
                reply_error_not_integer(c);
                return;
            }
            l->listening_port = (int)v;
        } else if (strcasecmp(opt, "ip-address") == 0) {
            if (sds_len(val) >= sizeof(l->announced_ip)) {
                reply_error_format(c, "REPLCONF ip-address provided by replica instance is too long: %zd bytes",
                                   (ssize_t)sds_len(val));
                return;
            }
            memcpy(l->announced_ip, val, sds_len(val) + 1);
        } else if (strcasecmp(opt, "capa") == 0) {
            if (strcasecmp(val, "eof") == 0) l->capa |= RL_CAPA_EOF;
            else if (strcasecmp(val, "psync2") == 0) l->capa |= RL_CAPA_PSYNC2;
        } else if (strcasecmp(opt, "ack") == 0) {
            replconf_ack(c, j);
            return;
        } else if (strcasecmp(opt, "getack") == 0) {
            /* Only a replica answers, with REPLCONF ACK on its primary's
             * link (repl_replica.c reads that from its stream). */
            return;
        } else if (strcasecmp(opt, "rdb-only") == 0) {
            if (!string2ll(val, sds_len(val), &v)) {
                reply_error_not_integer(c);
                return;
            }
            if (v < 0 || v > 1) {
                reply_error(c, "value is out of range, value must between 0 and 1");
                return;
            }
            if (v) l->req |= RL_REQ_RDB_ONLY;
            else l->req &= ~RL_REQ_RDB_ONLY;
        } else if (strcasecmp(opt, "rdb-filter-only") == 0) {
            if (replconf_filter(c, l, val) == -1) return;
        } else {
            reply_error_format(c, "Unrecognized REPLCONF option: %s", opt);
            return;
        }
    }
    reply_ok(c);
}

/* ---------------------------------------------------------- acks, WAIT */

/* Online replicas that acked at least offset. */
static long count_acks(long long offset) {
    long n = 0;
    for (int i = 0; i < repl_replica_len; i++) {
        struct repl_link *l = repl_replicas[i]->repl;
        if (l->state == RL_ONLINE && l->ack_off >= offset) n++;
    }
    return n;
}

void repl_primary_request_acks(void) {
    acks_requested = 1;
}

/* The clients blocked in WAIT, with what each waits for. */
typedef struct wait_entry {
    client *c;
    long long offset;
    long numreplicas;
} wait_entry;
static wait_entry *waiting;
static int waiting_len, waiting_cap;

static void wait_forget(client *c) {
    for (int i = 0; i < waiting_len; i++) {
        if (waiting[i].c != c) continue;
        waiting[i] = waiting[--waiting_len];
        return;
    }
}

static wait_entry *wait_find(client *c) {
    for (int i = 0; i < waiting_len; i++)
        if (waiting[i].c == c) return &waiting[i];
    return NULL;
}

static void wait_timeout_reply(client *c) {
    wait_entry *e = wait_find(c);
    reply_integer(c, e ? count_acks(e->offset) : 0);
}

static const blocking_custom wait_ops = {.reply_timeout = wait_timeout_reply, .detached = wait_forget};

/* Answers every WAIT whose replicas have acked enough. */
static void wait_serve(void) {
    for (int i = 0; i < waiting_len;) {
        wait_entry e = waiting[i];
        long n = count_acks(e.offset);
        if (n < e.numreplicas) {
            i++;
            continue;
        }
        reply_integer(e.c, n);
        blocking_unblock_custom(e.c); /* detached: removes entry i */
    }
}

static void wait_command(client *c) {
    if (server.is_replica) {
        reply_error(c, "WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a "
                       "replica is configured to be writable (which is not the default) writes to replicas are "
                       "just local and are not propagated.");
        return;
    }
    long long num, timeout;
    if (!string2ll(c->argv[1], sds_len(c->argv[1]), &num) || num < LONG_MIN || num > LONG_MAX) {
        reply_error_not_integer(c);
        return;
    }
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &timeout)) {
        reply_error(c, "timeout is not an integer or out of range");
        return;
    }
    if (timeout < 0) {
        reply_error(c, "timeout is negative");
        return;
    }
    /* A timeout too far to add to now waits for ever, as Redis 7.0's
     * wrapped deadline does. */
    long long now = vclock_ms();
    if (timeout > LLONG_MAX - now) timeout = 0;
    long acked = count_acks(c->repl_woff);
    if (acked >= num || (c->flags & (CLIENT_IN_EXEC | CLIENT_NO_SOCKET))) {
        reply_integer(c, acked);
        return;
    }
    if (waiting_len == waiting_cap) {
        waiting_cap = waiting_cap ? waiting_cap * 2 : 4;
        waiting = zrealloc(waiting, sizeof(*waiting) * (size_t)waiting_cap);
    }
    waiting[waiting_len++] = (wait_entry){c, c->repl_woff, (long)num};
    blocking_block_custom(c, timeout ? now + timeout : 0, &wait_ops);
    repl_primary_request_acks();
}

/* ---------------------------------------------------------- queries */

unsigned long repl_primary_replica_count(void) {
    return (unsigned long)repl_replica_len;
}

int repl_primary_good_replicas(void) {
    int good = 0;
    long long now = mstime();
    for (int i = 0; i < repl_replica_len; i++) {
        struct repl_link *l = repl_replicas[i]->repl;
        if (l->state == RL_ONLINE && (now - l->ack_time_ms) / 1000 <= cfg.min_replicas_max_lag) good++;
    }
    return good;
}

void repl_primary_disconnect_replicas(void) {
    for (int i = 0; i < repl_replica_len; i++) net_close_async(repl_replicas[i]);
}

int repl_primary_find_replica(const char *host, int port, char *host_out, size_t cap, int *port_out,
                              long long *ack) {
    client *best = NULL;
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        struct repl_link *l = c->repl;
        if (l->state != RL_ONLINE) continue;
        if (host) {
            char ip[NET_ADDR_STR_LEN];
            link_ip(c, ip, sizeof(ip));
            if (strcasecmp(ip, host) == 0 && l->listening_port == port) {
                best = c;
                break;
            }
        } else if (best == NULL || l->ack_off > best->repl->ack_off) {
            best = c;
        }
    }
    if (best == NULL) return 0;
    *ack = best->repl->ack_off;
    if (host == NULL) {
        if (host_out && cap) link_ip(best, host_out, cap);
        if (port_out) *port_out = best->repl->listening_port;
    }
    return 1;
}

void repl_primary_sync_stats(repl_sync_stats *st) {
    *st = sync_stats;
}

void repl_primary_reset_stats(void) {
    memset(&sync_stats, 0, sizeof(sync_stats));
}

int repl_primary_output_unlimited(const client *c) {
    const struct repl_link *l = c->repl;
    return l && (l->state == RL_WAIT_BGSAVE_END || l->state == RL_SEND_BULK ||
                 (l->state == RL_ONLINE && l->stream_on_ack));
}

void repl_primary_foreach_online(repl_replica_visit_fn *fn, void *ctx) {
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        if (c->repl->state != RL_ONLINE) continue;
        char ip[NET_ADDR_STR_LEN];
        link_ip(c, ip, sizeof(ip));
        fn(ip, c->repl->listening_port, c->repl->ack_off, ctx);
    }
}

void repl_primary_client_freed(client *c) {
    struct repl_link *l = c->repl;
    if (c->flags & CLIENT_REPLICA) {
        replicas_remove(c);
        repl_sync_forget(c);
        if (l && l->state != RL_RDB_DONE) log_warning("Connection with replica %s lost.", repl_link_name(c));
    }
    link_free(c);
    c->flags &= ~CLIENT_REPLICA;
}

/* ---------------------------------------------------------- INFO */

const char *repl_state_name(int state) {
    switch (state) {
    case RL_WAIT_BGSAVE_START:
    case RL_WAIT_BGSAVE_END: return "wait_bgsave";
    case RL_SEND_BULK: return "send_bulk";
    case RL_ONLINE: return "online";
    case RL_RDB_DONE: return "rdb_transmitted";
    default: return "unknown";
    }
}

sds repl_primary_info(sds s) {
    s = sds_cat_printf(s, "connected_slaves:%d\r\n", repl_replica_len);
    if (cfg.min_replicas_to_write && cfg.min_replicas_max_lag)
        s = sds_cat_printf(s, "min_slaves_good_slaves:%d\r\n", repl_primary_good_replicas());
    long long now = mstime();
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        struct repl_link *l = c->repl;
        char ip[NET_ADDR_STR_LEN];
        link_ip(c, ip, sizeof(ip));
        /* Only an online replica acks: the others show no lag, as in Redis. */
        long long lag = l->state == RL_ONLINE ? (now - l->ack_time_ms) / 1000 : 0;
        s = sds_cat_printf(s, "slave%d:ip=%s,port=%d,state=%s,offset=%lld,lag=%lld\r\n", i, ip, l->listening_port,
                           repl_state_name(l->state), l->ack_off, lag);
    }
    return sds_cat_printf(s, "master_failover_state:%s\r\n", repl_failover_state_name());
}

/* ---------------------------------------------------------- cron */

void repl_primary_init(void) {
    repl_sync_init();
}

/* Replicas that stopped acking for repl-timeout seconds are dropped (not
 * old SYNC ones, which never ack, nor those still syncing). */
static void drop_timed_out(void) {
    long long now = mstime();
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        struct repl_link *l = c->repl;
        if (l->state != RL_ONLINE || l->old_sync || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        if ((now - l->ack_time_ms) / 1000 > cfg.repl_timeout) {
            log_warning("Disconnecting timedout replica (streaming sync): %s", repl_link_name(c));
            net_close_async(c);
        }
    }
}

void repl_primary_cron(void) {
    static long long cron_seconds;
    /* PING every repl-ping-replica-period seconds, so replicas can time
     * out a dead primary; only a primary pings (a replica proxies its
     * primary's pings). */
    /* Not while a FAILOVER or a cluster manual failover holds writes: the
     * target must reach the offset we announced. */
    int failing_over = repl_failover_active() || (cluster && cluster->mf_end);
    if (!server.is_replica && repl_replica_len > 0 && cron_seconds % cfg.repl_ping_replica_period == 0 &&
        !(failing_over && admin_pause_active))
        repl_feed_stream(PING_CMD, sizeof(PING_CMD) - 1);
    cron_seconds++;
    repl_sync_keepalive();
    drop_timed_out();
    repl_sync_drop_stalled();
    repl_sync_cron();
}

void repl_primary_before_sleep(void) {
    if (acks_requested && !server.is_replica) {
        int online = 0;
        for (int i = 0; i < repl_replica_len; i++) online += repl_replicas[i]->repl->state == RL_ONLINE;
        if (online) repl_feed_stream(GETACK_CMD, sizeof(GETACK_CMD) - 1);
        acks_requested = 0;
    }
    if (waiting_len) wait_serve();
    repl_sync_before_sleep();
    repl_shutdown_check();
}

/* ---------------------------------------------------------- table */

#define ADMIN_NOSCRIPT (CMD_ADMIN | CMD_NOSCRIPT)

redis_command repl_primary_commands[] = {
    {.name = "psync", .proc = psync_command, .arity = -3,
     .flags = ADMIN_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI, .group = "server", .since = "2.8.0",
     .summary = "Internal command used for replication", .complexity = NULL},
    {.name = "sync", .proc = sync_command, .arity = 1,
     .flags = ADMIN_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI, .group = "server", .since = "1.0.0",
     .summary = "Internal command used for replication", .complexity = NULL},
    {.name = "replconf", .proc = replconf_command, .arity = -1,
     .flags = ADMIN_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_ALLOW_BUSY, .group = "server", .since = "3.0.0",
     .summary = "An internal command for configuring the replication stream", .complexity = "O(1)"},
    {.name = "wait", .proc = wait_command, .arity = 3, .flags = CMD_NOSCRIPT, .acl = ACL_SLOW | ACL_CONNECTION,
     .tips = "request_policy:all_shards response_policy:agg_min", .group = "generic", .since = "3.0.0",
     .summary = "Wait for the synchronous replication of all the write commands sent in the context of the "
                "current connection",
     .complexity = "O(1)"},
    {0},
};
