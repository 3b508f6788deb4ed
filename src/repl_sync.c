/* repl_sync.c -- full synchronization of replicas (the primary side): the
 * child that writes the RDB, and the RDB's way to each replica.
 *
 * Two targets, as Redis 7.0 chooses them: disk (a BGSAVE of the dump file
 * with the replication aux fields, then "$<len>\r\n" and the file, read in
 * slices as each replica's output drains), or replicas' sockets
 * (repl-diskless-sync, replicas with capa eof: the child writes the RDB
 * into a pipe; the parent reads it and hands each slice to every replica
 * of the transfer between "$EOF:<mark>\r\n" and the mark). The child
 * never touches a client socket; every byte goes through the replicas'
 * output buffers. The stream after the fork point waits in each replica's
 * pending buffer (repl_primary_feed) and follows its RDB. */
#include "repl_primary_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "childproc.h"
#include "config.h"
#include "log.h"
#include "monotonic.h"
#include "networking.h"
#include "rdb.h"
#include "reply.h"
#include "rio.h"
#include "snapshot.h"
#include "util.h"
#include "vclock.h"
#include "zmalloc.h"

/* A replica's output is topped up with RDB bytes while it holds less than
 * this: more than one write pass (NET_MAX_WRITES_PER_EVENT), so the
 * socket's writable event stays armed until the transfer ends. */
#define SYNC_OUTPUT_TARGET_BYTES (4 * NET_MAX_WRITES_PER_EVENT)
/* Bytes read from the file or the pipe at once. */
#define SYNC_CHUNK_BYTES (64 * 1024)
#define EOF_MARK_LEN REPL_ID_LEN

static struct {
    int active;        /* a child started for replication runs */
    int socket;        /* its target: replicas' sockets (else the dump file) */
    int req;           /* RL_REQ_* of the replicas it serves */
    long long offset;  /* the stream offset it forked at */
    int pipe_fd;       /* read end of the socket child's pipe; -1 */
    int pipe_paused;   /* reading stopped: some receiver's output is full */
    int pipe_eof;
    int child_status;  /* -1 running, 0 failed, 1 succeeded */
    char mark[EOF_MARK_LEN + 1];
} sync_child = {.pipe_fd = -1, .child_status = -1};

/* Replicas receiving the running socket child's RDB. */
static int is_receiver(client *c) {
    return sync_child.active && sync_child.socket && c->repl->state == RL_WAIT_BGSAVE_END;
}

static void fail_replica(client *c, const char *why) {
    log_warning("%s: closing the link with replica %s", why, repl_link_name(c));
    net_close_async(c);
}

/* ---------------------------------------------------------- starting */

static void send_fullresync(client *c) {
    struct repl_link *l = c->repl;
    l->state = RL_WAIT_BGSAVE_END;
    l->full_sync_offset = sync_child.offset;
    if (l->pending == NULL) l->pending = sds_empty();
    if (l->old_sync) return; /* SYNC: the RDB comes unannounced */
    char line[64 + REPL_ID_LEN];
    int n = snprintf(line, sizeof(line), "+FULLRESYNC %s %lld\r\n", repl.replid, sync_child.offset);
    reply_proto(c, line, (size_t)n);
}

/* The socket child: the RDB into the pipe, then out. */
static void socket_child(int wfd, const rdb_save_opts *opts) {
    rio r;
    rio_init_fd(&r, wfd);
    int ok = rdb_save_rio(&r, opts) == 0 && rio_flush(&r);
    rio_free_fd(&r);
    close(wfd);
    if (ok) childproc_child_send_cow(snapshot_child_keys_saved());
    childproc_child_exit(ok ? 0 : 1);
}

static void pipe_read_handler(ae_event_loop *el, int fd, void *privdata, int mask);

static int start_socket_child(const rdb_save_opts *opts) {
    int fds[2];
    if (pipe(fds) == -1) {
        log_warning("Can't create the pipe of a diskless sync: %s", strerror(errno));
        return -1;
    }
    pid_t pid = snapshot_fork_for_replication();
    if (pid == 0) {
        close(fds[0]);
        socket_child(fds[1], opts);
    }
    close(fds[1]);
    if (pid == -1) {
        log_warning("Can't save in background: fork: %s", strerror(errno));
        close(fds[0]);
        return -1;
    }
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    if (ae_create_file_event(server.el, fds[0], AE_READABLE, pipe_read_handler, NULL) == AE_ERR) {
        /* The child will die of a broken pipe. */
        close(fds[0]);
        return -1;
    }
    sync_child.pipe_fd = fds[0];
    sync_child.pipe_paused = 0;
    sync_child.pipe_eof = 0;
    sync_child.child_status = -1;
    get_random_hex_chars(sync_child.mark, EOF_MARK_LEN);
    sync_child.mark[EOF_MARK_LEN] = '\0';
    log_notice("Background RDB transfer started by pid %ld", (long)pid);
    return 0;
}

/* The database the stream has selected at the fork: ours, or on a
 * replica (whose stream is its primary's) the primary link's, as Redis
 * saves it in repl-stream-db for sub-replicas. */
static int stream_db_now(void) {
    return server.is_replica ? repl_replica_stream_db() : repl_stream_db();
}

/* Forks for every replica waiting with request req (mincapa: the
 * capabilities they all have). */
static void start_child(int mincapa, int req) {
    int socket = (cfg.repl_diskless_sync && (mincapa & RL_CAPA_EOF)) ||
                 (req & (RL_REQ_EXCLUDE_DATA | RL_REQ_EXCLUDE_FUNCTIONS));
    log_notice("Starting BGSAVE for SYNC with target: %s", socket ? "replicas sockets" : "disk");
    repl_backlog_ensure();
    rdb_save_opts opts = {.repl_id = repl.replid,
                          .repl_offset = repl.offset,
                          .repl_stream_db = stream_db_now(),
                          .exclude_data = (req & RL_REQ_EXCLUDE_DATA) != 0,
                          .exclude_functions = (req & RL_REQ_EXCLUDE_FUNCTIONS) != 0};
    sync_child.offset = repl.offset;
    sync_child.socket = socket;
    sync_child.req = req;
    int rc = socket ? start_socket_child(&opts) : snapshot_bgsave_for_replication(&opts);
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        struct repl_link *l = c->repl;
        if (l->state != RL_WAIT_BGSAVE_START || (l->req & RL_REQ_FILTERS) != req) continue;
        if (rc == -1) {
            reply_error(c, "BGSAVE failed, replication can't continue");
            c->flags |= CLIENT_CLOSE_AFTER_REPLY;
            continue;
        }
        send_fullresync(c);
        if (socket) {
            char line[16 + EOF_MARK_LEN];
            int n = snprintf(line, sizeof(line), "$EOF:%s\r\n", sync_child.mark);
            reply_proto(c, line, (size_t)n);
        }
    }
    if (rc == -1) {
        log_warning("BGSAVE for replication failed");
        return;
    }
    sync_child.active = 1;
    /* The stream read after the RDB starts with a SELECT of its own. */
    repl_stream_reselect();
}

/* Starts a child for replicas waiting for one, when Redis would: at once
 * for a disk target, after repl-diskless-sync-delay seconds of waiting
 * (or with repl-diskless-sync-max-replicas of them) for sockets. */
static void start_pending(void) {
    if (childproc_active()) return;
    int waiting = 0, mincapa = -1, req = 0, first = 1;
    long long max_idle = 0, now = mstime();
    for (int i = 0; i < repl_replica_len; i++) {
        struct repl_link *l = repl_replicas[i]->repl;
        if (l->state != RL_WAIT_BGSAVE_START || (repl_replicas[i]->flags & CLIENT_CLOSE_ASAP)) continue;
        if (first) {
            req = l->req & RL_REQ_FILTERS;
            first = 0;
        } else if ((l->req & RL_REQ_FILTERS) != req) {
            continue;
        }
        if (now - l->wait_since_ms > max_idle) max_idle = now - l->wait_since_ms;
        mincapa = mincapa == -1 ? l->capa : (mincapa & l->capa);
        waiting++;
    }
    if (!waiting) return;
    int socket = cfg.repl_diskless_sync && (mincapa & RL_CAPA_EOF);
    if (!socket || max_idle >= cfg.repl_diskless_sync_delay * 1000 ||
        (cfg.repl_diskless_sync_max_replicas && waiting >= cfg.repl_diskless_sync_max_replicas))
        start_child(mincapa, req);
}

void repl_sync_request(client *c) {
    struct repl_link *l = c->repl;
    if (childproc_active()) {
        /* A disk child serving another replica of the same request: share
         * its RDB, with a copy of what that replica holds since the fork. */
        if (sync_child.active && !sync_child.socket) {
            for (int i = 0; i < repl_replica_len; i++) {
                struct repl_link *o = repl_replicas[i]->repl;
                if (repl_replicas[i] == c || o->state != RL_WAIT_BGSAVE_END ||
                    (o->req & RL_REQ_FILTERS) != (l->req & RL_REQ_FILTERS))
                    continue;
                l->pending = o->pending ? sds_dup(o->pending) : sds_empty();
                send_fullresync(c);
                log_notice("Waiting for end of BGSAVE for SYNC");
                return;
            }
        }
        log_notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
        return;
    }
    if (cfg.repl_diskless_sync && (l->capa & RL_CAPA_EOF) && cfg.repl_diskless_sync_delay) {
        log_notice("Delay next BGSAVE for diskless SYNC");
        return;
    }
    start_child(l->capa, l->req & RL_REQ_FILTERS);
}

/* ---------------------------------------------------------- socket target */

static void pipe_close(void) {
    if (sync_child.pipe_fd == -1) return;
    ae_delete_file_event(server.el, sync_child.pipe_fd, AE_READABLE);
    close(sync_child.pipe_fd);
    sync_child.pipe_fd = -1;
}

/* The socket child's RDB has fully reached every receiver's output and
 * the child succeeded: they are online, their stream starting at their
 * first ACK (so the mark ends what they read, as Redis arranges). */
static void socket_transfer_done(void) {
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        if (!is_receiver(c)) continue;
        log_notice("Streamed RDB transfer with replica %s succeeded (socket). Waiting for REPLCONF ACK from slave to "
                   "enable streaming",
                   repl_link_name(c));
        repl_link_online(c, 1);
    }
    sync_child.active = 0;
}

static void pipe_read_handler(ae_event_loop *el, int fd, void *privdata, int mask) {
    (void)el, (void)privdata, (void)mask;
    char buf[SYNC_CHUNK_BYTES];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n == -1 && (errno == EAGAIN || errno == EINTR)) return;
    int receivers = 0, full = 0;
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        if (!is_receiver(c) || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        receivers++;
        if (n > 0) reply_proto(c, buf, (size_t)n);
        else if (n == 0) reply_proto(c, sync_child.mark, EOF_MARK_LEN);
        if (net_client_output_len(c) >= SYNC_OUTPUT_TARGET_BYTES) full = 1;
    }
    if (n > 0) {
        if (full) {
            ae_delete_file_event(server.el, fd, AE_READABLE);
            sync_child.pipe_paused = 1;
        }
        return;
    }
    if (n == -1) log_warning("Diskless rdb transfer, error reading from the child's pipe: %s", strerror(errno));
    else log_warning("Diskless rdb transfer, done reading from pipe, %d replicas still up.", receivers);
    pipe_close();
    sync_child.pipe_eof = n == 0;
    if (n == -1) childproc_kill();
    else if (sync_child.child_status == 1) socket_transfer_done();
}

/* Reading resumes once every receiver's output has room again; with no
 * receiver left the child is stopped, as Redis does. */
static void pipe_resume(void) {
    if (sync_child.pipe_fd == -1) return;
    int receivers = 0;
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        if (!is_receiver(c) || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        receivers++;
        if (net_client_output_len(c) >= SYNC_OUTPUT_TARGET_BYTES) return;
    }
    if (receivers == 0) {
        log_warning("Diskless rdb transfer, last replica dropped, killing fork child.");
        childproc_kill();
        return;
    }
    if (sync_child.pipe_paused &&
        ae_create_file_event(server.el, sync_child.pipe_fd, AE_READABLE, pipe_read_handler, NULL) != AE_ERR)
        sync_child.pipe_paused = 0;
}

void repl_sync_drop_stalled(void) {
    if (!(sync_child.active && sync_child.socket)) return;
    long long now = vclock_ms_from_real(mstime());
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        if (!is_receiver(c) || (c->flags & CLIENT_CLOSE_ASAP) || net_client_output_len(c) == 0) continue;
        /* A write to a replica updates its last interaction, and a receiver
         * sends nothing while the RDB flows. */
        if ((now - c->last_interaction_ms) / 1000 > cfg.repl_timeout) {
            log_warning("Disconnecting timedout replica (full sync): %s", repl_link_name(c));
            net_close_async(c);
        }
    }
}

/* ---------------------------------------------------------- disk target */

static void start_bulk(client *c) {
    struct repl_link *l = c->repl;
    int fd = open(cfg.dbfilename, O_RDONLY);
    struct stat st;
    if (fd == -1 || fstat(fd, &st) == -1) {
        log_warning("SYNC failed. Can't open/stat DB after BGSAVE: %s", strerror(errno));
        if (fd != -1) close(fd);
        net_close_async(c);
        return;
    }
    l->bulk_fd = fd;
    l->bulk_off = 0;
    l->bulk_size = st.st_size;
    l->state = RL_SEND_BULK;
    char line[32];
    int n = snprintf(line, sizeof(line), "$%lld\r\n", (long long)st.st_size);
    reply_proto(c, line, (size_t)n);
}

/* Tops up c's output with the next slices of its RDB file. */
static void pump_bulk(client *c) {
    struct repl_link *l = c->repl;
    char buf[SYNC_CHUNK_BYTES];
    while (l->bulk_off < l->bulk_size && net_client_output_len(c) < SYNC_OUTPUT_TARGET_BYTES) {
        ssize_t n = pread(l->bulk_fd, buf, sizeof(buf), l->bulk_off);
        if (n <= 0) {
            log_warning("Read error sending DB to replica: %s", n == 0 ? "premature EOF" : strerror(errno));
            net_close_async(c);
            return;
        }
        reply_proto(c, buf, (size_t)n);
        l->bulk_off += n;
    }
    if (l->bulk_off < l->bulk_size) return;
    close(l->bulk_fd);
    l->bulk_fd = -1;
    repl_link_online(c, 0);
}

/* ---------------------------------------------------------- child's end */

static void child_done(int ok, int socket) {
    if (sync_child.active && socket) {
        sync_child.child_status = ok;
        if (!ok) {
            for (int i = 0; i < repl_replica_len; i++)
                if (is_receiver(repl_replicas[i]) && !(repl_replicas[i]->flags & CLIENT_CLOSE_ASAP))
                    fail_replica(repl_replicas[i], "SYNC failed. BGSAVE child returned an error");
            pipe_close();
            sync_child.active = 0;
        } else if (sync_child.pipe_eof) {
            socket_transfer_done();
        }
    } else if (sync_child.active && !socket) {
        sync_child.active = 0;
        for (int i = 0; i < repl_replica_len; i++) {
            client *c = repl_replicas[i];
            if (c->repl->state != RL_WAIT_BGSAVE_END) continue;
            if (!ok) fail_replica(c, "SYNC failed. BGSAVE child returned an error");
            else start_bulk(c);
        }
    }
    start_pending();
}

/* ---------------------------------------------------------- duties */

void repl_sync_init(void) {
    snapshot_set_repl_done_hook(child_done);
}

void repl_sync_cron(void) {
    start_pending();
}

void repl_sync_before_sleep(void) {
    if (repl_replica_len == 0) return;
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        if (c->repl->state == RL_SEND_BULK && !(c->flags & CLIENT_CLOSE_ASAP)) pump_bulk(c);
    }
    if (sync_child.active && sync_child.socket) pipe_resume();
}

void repl_sync_keepalive(void) {
    /* Replicas waiting for their RDB get a newline each second (Redis's
     * pre-sync keep-alive, which they skip), so they do not time us out. */
    for (int i = 0; i < repl_replica_len; i++) {
        client *c = repl_replicas[i];
        int st = c->repl->state;
        if (st == RL_WAIT_BGSAVE_START || (st == RL_WAIT_BGSAVE_END && !(sync_child.active && sync_child.socket)))
            reply_proto(c, "\n", 1);
    }
}

void repl_sync_forget(client *c) {
    (void)c; /* the pipe reader and the pump find receivers in the list */
}
