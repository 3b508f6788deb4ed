/* replication.c -- the shared core of replication (see replication.h): the
 * history we serve (replid, replid2, offsets), the backlog, the stream
 * every replica reads, the refusals cmd_resolve asks about, INFO
 * replication.
 *
 * Owns struct repl_state and server.is_replica. Never touches a replica's
 * or the primary's socket: repl_primary.c and repl_replica.c do. Invariant:
 * repl.offset counts every byte handed to repl_feed_stream, and the
 * backlog (when present) ends at repl.offset. */
#include "replication.h"

#include <string.h>

#include "commands.h"
#include "config.h"
#include "monotonic.h"
#include "propagate.h"
#include "util.h"
#include "zmalloc.h"

repl_state repl;

/* ---------------------------------------------------------- history */

void repl_change_replid(void) {
    get_random_hex_chars(repl.replid, REPL_ID_LEN);
    repl.replid[REPL_ID_LEN] = '\0';
    memcpy(repl.replid2, REPL_ID_NONE, REPL_ID_LEN + 1);
    repl.second_offset = -1;
}

void repl_shift_replid(void) {
    memcpy(repl.replid2, repl.replid, REPL_ID_LEN + 1);
    repl.second_offset = repl.offset + 1;
    get_random_hex_chars(repl.replid, REPL_ID_LEN);
    repl.replid[REPL_ID_LEN] = '\0';
}

void repl_set_history(const char *replid, long long offset, int keep_old) {
    if (keep_old) {
        memcpy(repl.replid2, repl.replid, REPL_ID_LEN + 1);
        repl.second_offset = repl.offset + 1;
    } else {
        memcpy(repl.replid2, REPL_ID_NONE, REPL_ID_LEN + 1);
        repl.second_offset = -1;
    }
    memcpy(repl.replid, replid, REPL_ID_LEN);
    repl.replid[REPL_ID_LEN] = '\0';
    if (offset != repl.offset) {
        /* Another history at another offset: old bytes serve no one. */
        repl.offset = offset;
        if (repl.backlog) {
            size_t size = backlog_size(repl.backlog);
            backlog_free(repl.backlog);
            repl.backlog = backlog_create(size, offset);
        }
    }
}

/* ---------------------------------------------------------- the stream */

void repl_feed_stream(const char *buf, size_t len) {
    repl.offset += (long long)len;
    if (repl.backlog) backlog_append(repl.backlog, buf, len);
    repl_primary_feed(buf, len);
}

/* The effects consumer: a primary's own writes. It is registered only
 * while we are a primary with a backlog: a replica's stream is its
 * primary's bytes (proxied by repl_replica.c), so a replica builds no
 * effects for it (it applies its stream without that cost). */
static void effects_consumer(const char *buf, size_t len, void *ctx) {
    (void)ctx;
    repl_feed_stream(buf, len);
}

static int consuming;

void repl_effects_update(void) {
    int want = repl.backlog != NULL && !server.is_replica;
    if (want && !consuming) {
        /* Registering makes the next unit start with a SELECT. */
        prop_add_replica_consumer(effects_consumer, NULL);
    } else if (!want && consuming) {
        prop_remove_consumer(effects_consumer, NULL);
    }
    consuming = want;
}

void repl_backlog_ensure(void) {
    if (repl.backlog == NULL) repl.backlog = backlog_create((size_t)cfg.repl_backlog_size, repl.offset);
    repl_effects_update();
}

int repl_stream_db(void) {
    int db = prop_consumer_db(effects_consumer, NULL);
    return db == -1 ? 0 : db;
}

void repl_stream_reselect(void) {
    prop_consumer_reselect(effects_consumer, NULL);
}

void repl_backlog_release(void) {
    backlog_free(repl.backlog);
    repl.backlog = NULL;
    repl_effects_update();
}

void repl_backlog_resize_to_config(void) {
    if (repl.backlog && backlog_size(repl.backlog) != (size_t)cfg.repl_backlog_size)
        backlog_resize(repl.backlog, (size_t)cfg.repl_backlog_size);
}

/* ---------------------------------------------------------- refusals */

static const char *write_refusal(client *c, uint64_t flags) {
    if (!(flags & CMD_WRITE)) return NULL;
    if (!server.is_replica && cfg.min_replicas_to_write && cfg.min_replicas_max_lag &&
        repl_primary_good_replicas() < cfg.min_replicas_to_write)
        return "-NOREPLICAS Not enough good replicas to write.";
    if (server.is_replica && cfg.replica_read_only && !(c->flags & CLIENT_PRIMARY))
        return "-READONLY You can't write against a read only replica.";
    return NULL;
}

static const char *stale_refusal(client *c, const redis_command *cmd) {
    (void)c;
    if (!server.is_replica || cfg.replica_serve_stale_data || repl_replica_link_up()) return NULL;
    if (cmd->flags & CMD_STALE) return NULL;
    return "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
}

/* MINIRED CLOCK (vclock_cmd.c): see its comment. */
const char *repl_clock_refusal(void) {
    if (server.is_replica) return "the virtual clock cannot move on a replica";
    if (repl_primary_replica_count() > 0) return "the virtual clock cannot move while replicas are attached";
    return NULL;
}

/* ---------------------------------------------------------- lifecycle */

sds repl_config_primary(int *port) {
    if (cfg.replicaof == NULL || cfg.replicaof[0] == '\0') return NULL;
    int n;
    sds *w = sds_split_len(cfg.replicaof, (ssize_t)strlen(cfg.replicaof), " ", 1, &n);
    long long p;
    sds host = NULL;
    if (w && n == 2 && string2ll(w[1], sds_len(w[1]), &p) && p >= 0 && p <= 65535) {
        host = sds_dup(w[0]);
        *port = (int)p;
    }
    if (w) sds_free_split_res(w, n);
    return host;
}

void repl_role_from_config(void) {
    int port;
    sds host = repl_config_primary(&port);
    if (host) server.is_replica = 1;
    sds_free(host);
}

void repl_init(void) {
    /* repl_replica_init decides for good (it follows the configured
     * primary, or not). */
    server.is_replica = 0;
    repl_change_replid();
    repl.offset = 0;
    static const cmd_repl_hooks hooks = {.write_refusal = write_refusal, .stale_refusal = stale_refusal};
    cmd_set_repl_hooks(&hooks);
    repl_primary_init();
    repl_replica_init();
}

void repl_cron(void) {
    repl_primary_cron();
    repl_replica_cron();
    /* repl-backlog-ttl: a primary with no replica for that long frees its
     * backlog (a replica keeps it: it may be promoted). */
    if (repl.backlog && !server.is_replica && repl_primary_replica_count() == 0) {
        long long now = mstime();
        if (repl.no_replicas_since_ms == 0) repl.no_replicas_since_ms = now;
        else if (cfg.repl_backlog_ttl && now - repl.no_replicas_since_ms >= cfg.repl_backlog_ttl * 1000)
            repl_backlog_release();
    } else {
        repl.no_replicas_since_ms = 0;
    }
}

void repl_before_sleep(void) {
    repl_primary_before_sleep();
    /* FAILOVER's target may have acked the last offset during this pass
     * (checked here, not where the ack arrives: failing over closes the
     * replica links, as Redis reasons). */
    repl_failover_update();
}

/* ---------------------------------------------------------- INFO */

sds repl_info(sds s) {
    s = sds_cat_printf(s, "# Replication\r\nrole:%s\r\n", server.is_replica ? "slave" : "master");
    s = repl_replica_info(s);
    s = repl_primary_info(s);
    long long first = repl.backlog ? backlog_first_offset(repl.backlog) : 0;
    long long histlen = repl.backlog ? (long long)backlog_histlen(repl.backlog) : 0;
    return sds_cat_printf(s,
                          "master_replid:%s\r\n"
                          "master_replid2:%s\r\n"
                          "master_repl_offset:%lld\r\n"
                          "second_repl_offset:%lld\r\n"
                          "repl_backlog_active:%d\r\n"
                          "repl_backlog_size:%lld\r\n"
                          "repl_backlog_first_byte_offset:%lld\r\n"
                          "repl_backlog_histlen:%lld\r\n",
                          repl.replid, repl.replid2, repl.offset, repl.second_offset, repl.backlog != NULL,
                          cfg.repl_backlog_size, first, histlen);
}
