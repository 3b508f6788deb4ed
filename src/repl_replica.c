/* repl_replica.c -- the replica side of replication (see replication.h):
 * this server's link to its primary. Connects without blocking, runs the
 * PSYNC2 handshake as Redis 7.0 sends it, receives a full sync's RDB into
 * a temp file and loads it, then turns the socket into the primary's
 * client (CLIENT_PRIMARY), whose commands run with no checks and whose
 * bytes, once applied, are proxied to our own replicas unchanged.
 *
 * Owns the link state, server.is_replica and server.primary_client. Never
 * touches a replica attached to us (repl_primary.c does). Invariant:
 * repl.offset is the offset of the last byte of the primary's stream that
 * was applied (a transaction counts once its EXEC ran), so a PSYNC after
 * a drop asks for exactly the bytes not yet applied. */
#include "replication.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aof.h"
#include "blocking.h"
#include "commands.h"
#include "db.h"
#include "function.h"
#include "log.h"
#include "monotonic.h"
#include "networking.h"
#include "propagate.h"
#include "rdb.h"
#include "repl_replica_int.h"
#include "reply.h"
#include "snapshot.h"
#include "util.h"
#include "vclock.h"
#include "zmalloc.h"

/* Bytes read from the primary's socket per readable event while the
 * handshake or the RDB transfer runs. */
#define LINK_READ_CHUNK_BYTES (64 * 1024)
/* A handshake reply line longer than this is not Redis talking. */
#define LINK_MAX_LINE_BYTES (64 * 1024)
/* "$EOF:<mark>": a diskless primary ends its RDB with these 40 bytes. */
#define LINK_EOF_MARK_LEN REPL_EOF_MARK_LEN
#define LINK_TMP_PATH_LEN 256

enum link_state {
    LINK_NONE,          /* not a replica */
    LINK_CONNECT,       /* must connect (the cron tries every second) */
    LINK_CONNECTING,    /* non-blocking connect in progress */
    LINK_RECEIVE_PING,  /* handshake: each state waits for one reply */
    LINK_RECEIVE_AUTH,
    LINK_RECEIVE_PORT,
    LINK_RECEIVE_IP,
    LINK_RECEIVE_CAPA,
    LINK_RECEIVE_PSYNC,
    LINK_TRANSFER,      /* receiving a full sync's RDB */
    LINK_CONNECTED,     /* the primary's stream is applied */
};

static struct {
    enum link_state state;
    char *host;
    int port;
    int fd;                 /* handshake / transfer socket, -1 when none */
    sds in;                 /* bytes read and not yet consumed (handshake) */
    long long last_io_ms;   /* unix ms of the last handshake / transfer I/O */
    time_t down_since;      /* unix s when the link went down; 0: never up */
    int cached;             /* PSYNC may continue from repl.replid / repl.offset */
    int cached_db;          /* database the primary's stream had selected */
    int failover;           /* FAILOVER: PSYNC ... FAILOVER promotes the target */
    int dropping;           /* we are freeing the primary's client ourselves */
    /* full sync */
    char sync_replid[REPL_ID_LEN + 1];
    long long sync_offset;
    long long transfer_size; /* -1 before the $ line; 0 with an EOF mark */
    long long transfer_read;
    int use_mark, transfer_done;
    int diskless;           /* repl-diskless-load: this transfer loads from the socket */
    char eofmark[LINK_EOF_MARK_LEN], lastbytes[LINK_EOF_MARK_LEN];
    int tmp_fd;
    char tmp_path[LINK_TMP_PATH_LEN];
} lk = {.fd = -1, .tmp_fd = -1, .transfer_size = -1};

static void link_handler(ae_event_loop *el, int fd, void *privdata, int mask);
static void link_start_stream(const char *leftover, size_t len);

/* ---------------------------------------------------------- socket */

/* Closes the handshake / transfer socket and the temp file, keeping the
 * target: the cron reconnects. */
static void link_close(void) {
    if (lk.fd != -1) {
        ae_delete_file_event(server.el, lk.fd, AE_READABLE | AE_WRITABLE);
        close(lk.fd);
        lk.fd = -1;
    }
    if (lk.tmp_fd != -1) {
        close(lk.tmp_fd);
        unlink(lk.tmp_path);
        lk.tmp_fd = -1;
    }
    sds_clear(lk.in);
    lk.transfer_size = -1;
    lk.transfer_read = 0;
    lk.transfer_done = 0;
    lk.diskless = 0;
}

static void link_cancel(void) {
    link_close();
    if (server.is_replica) lk.state = LINK_CONNECT;
}

/* Writes a whole handshake command; small enough never to block on a
 * fresh socket. Returns 0 or -1 (logged, link cancelled). */
static int link_write(const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(lk.fd, buf, len);
        if (n == -1 && errno == EINTR) continue;
        if (n <= 0) {
            log_warning("Error writing to MASTER: %s", n == -1 ? strerror(errno) : "short write");
            link_cancel();
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Appends one command (argv of C strings) in RESP to s. */
static sds link_cat_command(sds s, int argc, const char **argv) {
    s = sds_cat_printf(s, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) s = sds_cat_printf(s, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
    return s;
}

static void link_connect(void) {
    char err[ANET_ERR_LEN];
    int fd = anet_tcp_nonblock_connect(err, lk.host, lk.port);
    if (fd == ANET_ERR) {
        log_warning("Unable to connect to MASTER: %s", err);
        lk.state = LINK_CONNECT;
        return;
    }
    anet_cloexec(fd);
    if (ae_create_file_event(server.el, fd, AE_READABLE | AE_WRITABLE, link_handler, NULL) == AE_ERR) {
        close(fd);
        log_warning("Can't create readable event for SYNC");
        lk.state = LINK_CONNECT;
        return;
    }
    lk.fd = fd;
    lk.last_io_ms = mstime();
    lk.state = LINK_CONNECTING;
    log_notice("MASTER <-> REPLICA sync started");
}

/* ---------------------------------------------------------- handshake */

/* After PING's reply: AUTH, REPLCONF listening-port, ip-address, capa,
 * written together; their replies are read one by one. */
static void link_send_handshake(void) {
    sds s = sds_empty();
    if (cfg.masterauth && cfg.masterauth[0]) {
        if (cfg.masteruser && cfg.masteruser[0]) {
            const char *argv[] = {"AUTH", cfg.masteruser, cfg.masterauth};
            s = link_cat_command(s, 3, argv);
        } else {
            const char *argv[] = {"AUTH", cfg.masterauth};
            s = link_cat_command(s, 2, argv);
        }
    }
    char port[16];
    snprintf(port, sizeof(port), "%lld", cfg.replica_announce_port ? cfg.replica_announce_port : (long long)cfg.port);
    const char *port_argv[] = {"REPLCONF", "listening-port", port};
    s = link_cat_command(s, 3, port_argv);
    if (cfg.replica_announce_ip && cfg.replica_announce_ip[0]) {
        const char *ip_argv[] = {"REPLCONF", "ip-address", cfg.replica_announce_ip};
        s = link_cat_command(s, 3, ip_argv);
    }
    const char *capa_argv[] = {"REPLCONF", "capa", "eof", "capa", "psync2"};
    s = link_cat_command(s, 5, capa_argv);
    int rc = link_write(s, sds_len(s));
    sds_free(s);
    if (rc == 0) lk.state = (cfg.masterauth && cfg.masterauth[0]) ? LINK_RECEIVE_AUTH : LINK_RECEIVE_PORT;
}

static void link_send_psync(void) {
    char offset[32];
    const char *replid = "?";
    snprintf(offset, sizeof(offset), "-1");
    if (lk.cached) {
        replid = repl.replid;
        snprintf(offset, sizeof(offset), "%lld", repl.offset + 1);
        log_notice("Trying a partial resynchronization (request %s:%s).", replid, offset);
    } else {
        log_notice("Partial resynchronization not possible (no cached master)");
    }
    const char *argv[] = {"PSYNC", replid, offset, "FAILOVER"};
    sds s = link_cat_command(sds_empty(), lk.failover ? 4 : 3, argv);
    int rc = link_write(s, sds_len(s));
    sds_free(s);
    if (rc == 0) lk.state = LINK_RECEIVE_PSYNC;
}

static int link_start_transfer(const char *line) {
    const char *id = line + strlen("+FULLRESYNC");
    while (*id == ' ') id++;
    const char *sp = strchr(id, ' ');
    long long offset;
    if (sp == NULL || sp - id != REPL_ID_LEN || !string2ll(sp + 1, strlen(sp + 1), &offset)) {
        log_warning("Master replied with wrong +FULLRESYNC syntax.");
        return -1;
    }
    memcpy(lk.sync_replid, id, REPL_ID_LEN);
    lk.sync_replid[REPL_ID_LEN] = '\0';
    lk.sync_offset = offset;
    log_notice("Full resync from master: %s:%lld", lk.sync_replid, offset);
    snprintf(lk.tmp_path, sizeof(lk.tmp_path), "temp-%d.%ld.rdb", (int)time(NULL), (long)getpid());
    lk.tmp_fd = open(lk.tmp_path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    if (lk.tmp_fd == -1) {
        log_warning("Opening the temp file needed for MASTER <-> REPLICA synchronization: %s", strerror(errno));
        return -1;
    }
    lk.transfer_size = -1;
    lk.transfer_read = 0;
    lk.transfer_done = 0;
    lk.state = LINK_TRANSFER;
    return 0;
}

static void link_psync_reply(const char *line) {
    if (strncmp(line, "+FULLRESYNC", 11) == 0) {
        if (lk.failover) {
            lk.failover = 0;
            repl_failover_psync_result(1);
        }
        if (link_start_transfer(line) == -1) link_cancel();
        return;
    }
    if (strncmp(line, "+CONTINUE", 9) == 0) {
        const char *id = line + 9;
        while (*id == ' ') id++;
        log_notice("Successful partial resynchronization with master.");
        if (strlen(id) == REPL_ID_LEN && strcmp(id, repl.replid) != 0) {
            /* The primary was promoted: our replicas must learn the new id. */
            log_notice("Master replication ID changed to %s", id);
            repl_set_history(id, repl.offset, 1);
            repl_primary_disconnect_replicas();
        }
        log_notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        repl_backlog_ensure();
        lk.state = LINK_CONNECTED;
        if (lk.failover) {
            lk.failover = 0;
            repl_failover_psync_result(1);
        }
        return;
    }
    if (strncmp(line, "-NOMASTERLINK", 13) == 0 || strncmp(line, "-LOADING", 8) == 0) {
        log_notice("Master is currently unable to PSYNC but should be in the future: %s", line);
    } else {
        log_warning("Unexpected reply to PSYNC from master: %s", line);
    }
    if (lk.failover) {
        /* The target refused to promote itself: we stay the primary. */
        lk.failover = 0;
        link_cancel();
        repl_failover_psync_result(0);
        return;
    }
    link_cancel();
}

/* The first line of a transfer: "$<len>" or "$EOF:<mark>". */
static void link_bulk_header(const char *line) {
    if (line[0] == '-') {
        log_warning("MASTER aborted replication with an error: %s", line + 1);
        link_cancel();
        return;
    }
    if (line[0] != '$') {
        log_warning("Bad protocol from MASTER, the first byte is not '$' (we received '%s'), are you sure the "
                    "host and port are right?",
                    line);
        link_cancel();
        return;
    }
    /* repl-diskless-load: from the socket (swapdb always, on-empty-db
     * when there is nothing to lose). */
    lk.diskless = cfg.repl_diskless_load == REPL_DISKLESS_LOAD_SWAPDB ||
                  (cfg.repl_diskless_load == REPL_DISKLESS_LOAD_ON_EMPTY_DB && db_total_keys() == 0);
    if (strncmp(line + 1, "EOF:", 4) == 0 && strlen(line + 5) >= LINK_EOF_MARK_LEN) {
        lk.use_mark = 1;
        memcpy(lk.eofmark, line + 5, LINK_EOF_MARK_LEN);
        memset(lk.lastbytes, 0, LINK_EOF_MARK_LEN);
        lk.transfer_size = 0;
        log_notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to %s",
                   lk.diskless ? "parser" : "disk");
    } else {
        long long size;
        if (!string2ll(line + 1, strlen(line + 1), &size) || size < 0) {
            log_warning("Bad protocol from MASTER, invalid bulk length '%s'", line);
            link_cancel();
            return;
        }
        lk.use_mark = 0;
        lk.transfer_size = size;
        log_notice("MASTER <-> REPLICA sync: receiving %lld bytes from master to %s", size,
                   lk.diskless ? "parser" : "disk");
        if (size == 0) lk.transfer_done = 1;
    }
}

/* One reply line of the handshake (CR LF stripped). */
static void link_line(const char *line) {
    /* A bare newline is a primary's keepalive while it prepares the RDB. */
    if (line[0] == '\0') return;
    switch (lk.state) {
    case LINK_RECEIVE_PING:
        if (line[0] == '-' && strncmp(line, "-NOAUTH", 7) != 0 && strncmp(line, "-NOPERM", 7) != 0 &&
            strncmp(line, "-ERR operation not permitted", 28) != 0) {
            log_warning("Error reply to PING from master: '%s'", line);
            link_cancel();
            return;
        }
        log_notice("Master replied to PING, replication can continue...");
        link_send_handshake();
        return;
    case LINK_RECEIVE_AUTH:
        if (line[0] == '-') {
            log_warning("Unable to AUTH to MASTER: %s", line);
            link_cancel();
            return;
        }
        lk.state = LINK_RECEIVE_PORT;
        return;
    case LINK_RECEIVE_PORT:
        if (line[0] == '-') log_notice("(Non critical) Master does not understand REPLCONF listening-port: %s", line);
        lk.state = (cfg.replica_announce_ip && cfg.replica_announce_ip[0]) ? LINK_RECEIVE_IP : LINK_RECEIVE_CAPA;
        return;
    case LINK_RECEIVE_IP:
        if (line[0] == '-') log_notice("(Non critical) Master does not understand REPLCONF ip-address: %s", line);
        lk.state = LINK_RECEIVE_CAPA;
        return;
    case LINK_RECEIVE_CAPA:
        if (line[0] == '-') log_notice("(Non critical) Master does not understand REPLCONF capa: %s", line);
        link_send_psync();
        return;
    case LINK_RECEIVE_PSYNC:
        link_psync_reply(line);
        return;
    case LINK_TRANSFER:
        link_bulk_header(line);
        return;
    default:
        return;
    }
}

/* ---------------------------------------------------------- transfer */

static int write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n == -1 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes RDB payload bytes to the temp file; returns how many belong to
 * the payload (the rest is the stream that follows). */
/* With an EOF mark: how many bytes of p end with the mark (it may start
 * in the bytes kept from before), or 0 when p does not complete it. A
 * primary that sends its stream right after the mark is then served too. */
static size_t link_mark_end(const char *p, size_t n) {
    char win[2 * LINK_EOF_MARK_LEN];
    size_t head = n < LINK_EOF_MARK_LEN ? n : LINK_EOF_MARK_LEN;
    memcpy(win, lk.lastbytes, LINK_EOF_MARK_LEN);
    memcpy(win + LINK_EOF_MARK_LEN, p, head);
    /* Windows starting at 1..LINK_EOF_MARK_LEN end inside p. */
    char *m = memmem(win + 1, LINK_EOF_MARK_LEN - 1 + head, lk.eofmark, LINK_EOF_MARK_LEN);
    if (m) return (size_t)(m - win); /* its end, past win + LINK_EOF_MARK_LEN */
    m = memmem(p, n, lk.eofmark, LINK_EOF_MARK_LEN);
    return m ? (size_t)(m - p) + LINK_EOF_MARK_LEN : 0;
}

static size_t link_payload(const char *p, size_t n) {
    size_t take = n;
    if (!lk.use_mark && (long long)take > lk.transfer_size - lk.transfer_read)
        take = (size_t)(lk.transfer_size - lk.transfer_read);
    size_t mark_end = lk.use_mark ? link_mark_end(p, n) : 0;
    if (mark_end) take = mark_end;
    if (take && write_all(lk.tmp_fd, p, take) == -1) {
        log_warning("Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA "
                    "synchronization: %s",
                    strerror(errno));
        link_cancel();
        return n;
    }
    lk.transfer_read += (long long)take;
    if (lk.use_mark) {
        if (take >= LINK_EOF_MARK_LEN) {
            memcpy(lk.lastbytes, p + take - LINK_EOF_MARK_LEN, LINK_EOF_MARK_LEN);
        } else {
            memmove(lk.lastbytes, lk.lastbytes + take, LINK_EOF_MARK_LEN - take);
            memcpy(lk.lastbytes + LINK_EOF_MARK_LEN - take, p, take);
        }
        if (mark_end) lk.transfer_done = 1;
    } else if (lk.transfer_read == lk.transfer_size) {
        lk.transfer_done = 1;
    }
    return take;
}

/* The old dataset goes before the new one loads (replica-lazy-flush frees
 * it off the loop), functions included, as Redis's replica does. */
static void link_flush_old_data(void) {
    log_notice("MASTER <-> REPLICA sync: Flushing old data");
    if (cfg.replica_lazy_flush) db_empty_async(-1);
    else db_empty(-1);
    fn_flush_all();
}

/* The AOF stops while the dataset is replaced and starts again after,
 * with a rewrite of the new dataset (Redis's stop / start around a sync),
 * so the files never hold a mix of the old and new datasets. */
static int link_aof_stop(void) {
    if (!cfg.appendonly) return 0;
    char err[256];
    cfg.appendonly = 0;
    aof_config_changed(err, sizeof(err));
    return 1;
}

static void link_aof_restart(int was_on) {
    if (!was_on) return;
    char err[256];
    cfg.appendonly = 1;
    if (aof_config_changed(err, sizeof(err)) == -1)
        log_warning("Failed enabling the AOF after successful master synchronization! %s", err);
}

/* After a successful load, by either path: the primary's history is
 * ours from the sync's point, and the stream follows. */
static void link_loaded(int aof_was_on, const rdb_load_stats *ls) {
    link_aof_restart(aof_was_on);
    snapshot_loading_record(ls);
    repl_set_history(lk.sync_replid, lk.sync_offset, 0);
    repl_backlog_ensure();
    int db = ls->repl_stream_db;
    lk.cached_db = ls->repl_id[0] && db >= 0 && db < server.dbnum ? db : 0;
    lk.state = LINK_CONNECTED;
}

/* The whole RDB is in the temp file: replace the dataset with it. Returns
 * 0 (the link goes on as the primary's client) or -1 (link cancelled). */
static int link_load_transfer(void) {
    if (lk.use_mark && ftruncate(lk.tmp_fd, lk.transfer_read - LINK_EOF_MARK_LEN) == -1) {
        log_warning("Error truncating the RDB file received from the master for SYNC: %s", strerror(errno));
        link_cancel();
        return -1;
    }
    if (fsync(lk.tmp_fd) == -1) {
        log_warning("Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: %s",
                    strerror(errno));
        link_cancel();
        return -1;
    }
    /* The old history is gone (a failed transfer before this point could
     * still continue it), and our replicas must sync again. */
    if (lk.cached) log_notice("Discarding previously cached master state.");
    lk.cached = 0;
    repl_primary_disconnect_replicas();
    repl_backlog_release();
    int aof_was_on = link_aof_stop();
    link_flush_old_data();
    if (rename(lk.tmp_path, cfg.dbfilename) == -1) {
        log_warning("Failed trying to rename the temp DB into %s in MASTER <-> REPLICA synchronization: %s",
                    cfg.dbfilename, strerror(errno));
        link_aof_restart(aof_was_on);
        link_cancel();
        return -1;
    }
    close(lk.tmp_fd);
    lk.tmp_fd = -1;
    log_notice("MASTER <-> REPLICA sync: Loading DB in memory");
    struct stat st;
    snapshot_loading_begin(stat(cfg.dbfilename, &st) == 0 ? st.st_size : 0);
    /* Clients get -LOADING meanwhile; the stream that follows the RDB
     * waits in the socket until the primary's client reads it. */
    if (lk.fd != -1) ae_delete_file_event(server.el, lk.fd, AE_READABLE | AE_WRITABLE);
    rdb_load_stats ls = {0};
    int rc = snapshot_load_file(cfg.dbfilename, &ls);
    snapshot_loading_end();
    if (rc != RDB_OK) {
        log_warning("Failed trying to load the MASTER synchronization DB from disk, check server logs.");
        db_empty(-1);
        link_aof_restart(aof_was_on);
        link_cancel();
        return -1;
    }
    link_loaded(aof_was_on, &ls);
    return 0;
}

/* repl-diskless-load swapdb: the old dataset and libraries wait aside
 * while the loader fills the registry; around each pass that serves
 * clients they are exchanged back in, so clients see them (async) or
 * INFO keyspace still shows them (-LOADING otherwise), as in Redis. */
static struct {
    db_saved *keys;
    fn_libset *functions;
} old_data;

static void link_exchange_old_data(void) {
    db_exchange_saved(old_data.keys);
    fn_exchange_saved(&old_data.functions);
}

/* The load with the old data kept aside. An async load (the primary
 * continues the history we already follow) serves the old data
 * meanwhile; this replica's own replicas and the cached primary stay
 * until it succeeded, as Redis keeps them. 0 or -1; the loaded data
 * replaces the old only on success. */
static int link_load_swapdb(const char *pending, size_t len, rdb_load_stats *ls, sds *rest) {
    int async = strcmp(lk.sync_replid, repl.replid) == 0;
    old_data.keys = db_save_and_empty();
    old_data.functions = fn_save_and_empty();
    log_notice("MASTER <-> REPLICA sync: Loading DB in memory");
    snapshot_loading_begin(lk.use_mark ? 0 : lk.transfer_size);
    snapshot_loading_set_async(async);
    snapshot_loading_set_exchange(link_exchange_old_data);
    int rc = repl_diskless_load(lk.fd, pending, len, lk.use_mark ? -1 : lk.transfer_size,
                                lk.use_mark ? lk.eofmark : NULL, cfg.repl_timeout * 1000, ls, rest);
    snapshot_loading_set_exchange(NULL);
    snapshot_loading_end();
    if (rc == -1) {
        log_notice("MASTER <-> REPLICA sync: Discarding temporary DB in background");
        db_restore_saved(old_data.keys);
        fn_restore_saved(old_data.functions);
        old_data.keys = NULL;
        old_data.functions = NULL;
        return -1;
    }
    if (lk.cached) log_notice("Discarding previously cached master state.");
    lk.cached = 0;
    repl_primary_disconnect_replicas();
    repl_backlog_release();
    log_notice("MASTER <-> REPLICA sync: Swapping active DB with loaded DB");
    fn_drop_saved(old_data.functions);
    db_drop_saved(old_data.keys, cfg.replica_lazy_flush);
    old_data.keys = NULL;
    old_data.functions = NULL;
    log_notice("MASTER <-> REPLICA sync: Discarding old DB in background");
    return 0;
}

/* repl-diskless-load: the RDB is read from the socket by the loader
 * itself. swapdb keeps the old dataset until the load succeeded (and puts
 * it back otherwise); on-empty-db had nothing to keep. Returns the stream
 * bytes read past the RDB (new), or NULL (link cancelled). */
static sds link_load_diskless(const char *pending, size_t len) {
    if (lk.tmp_fd != -1) {
        close(lk.tmp_fd);
        unlink(lk.tmp_path);
        lk.tmp_fd = -1;
    }
    /* The loader reads the socket itself: the event loop, which serves
     * clients meanwhile, must not. */
    ae_delete_file_event(server.el, lk.fd, AE_READABLE | AE_WRITABLE);
    int aof_was_on = link_aof_stop();
    rdb_load_stats ls = {0};
    sds rest = NULL;
    int rc;
    if (cfg.repl_diskless_load == REPL_DISKLESS_LOAD_SWAPDB) {
        rc = link_load_swapdb(pending, len, &ls, &rest);
    } else {
        if (lk.cached) log_notice("Discarding previously cached master state.");
        lk.cached = 0;
        repl_primary_disconnect_replicas();
        repl_backlog_release();
        link_flush_old_data();
        log_notice("MASTER <-> REPLICA sync: Loading DB in memory");
        snapshot_loading_begin(lk.use_mark ? 0 : lk.transfer_size);
        rc = repl_diskless_load(lk.fd, pending, len, lk.use_mark ? -1 : lk.transfer_size,
                                lk.use_mark ? lk.eofmark : NULL, cfg.repl_timeout * 1000, &ls, &rest);
        snapshot_loading_end();
        if (rc == -1) {
            log_notice("MASTER <-> REPLICA sync: Discarding the half-loaded data");
            db_empty(-1);
        }
    }
    if (rc == -1) {
        link_aof_restart(aof_was_on);
        link_cancel();
        return NULL;
    }
    link_loaded(aof_was_on, &ls);
    lk.transfer_done = 1; /* for the success log and the first ACK */
    return rest;
}

/* ---------------------------------------------------------- reading */

/* Consumes lk.in: reply lines during the handshake, payload during a
 * transfer; what follows a completed sync starts the stream. */
static void link_process(void) {
    size_t pos = 0;
    while (lk.fd != -1 && pos < sds_len(lk.in) && lk.state != LINK_CONNECTED) {
        if (lk.state == LINK_TRANSFER && lk.transfer_size != -1) {
            if (lk.transfer_done || lk.diskless) break;
            pos += link_payload(lk.in + pos, sds_len(lk.in) - pos);
            continue;
        }
        char *start = lk.in + pos;
        char *nl = memchr(start, '\n', sds_len(lk.in) - pos);
        if (nl == NULL) {
            if (sds_len(lk.in) - pos > LINK_MAX_LINE_BYTES) {
                log_warning("Bad protocol from MASTER: reply line too long");
                link_cancel();
            }
            break;
        }
        size_t linelen = (size_t)(nl - start);
        if (linelen && start[linelen - 1] == '\r') linelen--;
        sds line = sds_new_len(start, linelen);
        pos = (size_t)(nl - lk.in) + 1;
        link_line(line);
        sds_free(line);
    }
    if (lk.fd == -1) return; /* cancelled: lk.in was cleared */
    if (lk.state == LINK_TRANSFER && lk.diskless && lk.transfer_size != -1) {
        sds rest = link_load_diskless(lk.in + pos, sds_len(lk.in) - pos);
        if (rest == NULL) return;
        sds_free(lk.in);
        lk.in = sds_empty();
        link_start_stream(rest, sds_len(rest));
        sds_free(rest);
        return;
    }
    if (lk.state == LINK_TRANSFER && lk.transfer_done && link_load_transfer() == -1) return;
    if (lk.state == LINK_CONNECTED) {
        sds rest = lk.in;
        lk.in = sds_empty();
        link_start_stream(rest + pos, sds_len(rest) - pos);
        sds_free(rest);
        return;
    }
    sds_range(lk.in, (ssize_t)pos, -1);
}

static void link_connected(int fd) {
    int sockerr = 0;
    socklen_t len = sizeof(sockerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &sockerr, &len) == -1) sockerr = errno;
    if (sockerr) {
        log_warning("Error condition on socket for SYNC: %s", strerror(sockerr));
        link_cancel();
        return;
    }
    log_notice("Non blocking connect for SYNC fired the event.");
    ae_delete_file_event(server.el, fd, AE_WRITABLE);
    lk.last_io_ms = mstime();
    lk.state = LINK_RECEIVE_PING;
    static const char ping[] = "*1\r\n$4\r\nPING\r\n";
    link_write(ping, sizeof(ping) - 1);
}

static void link_handler(ae_event_loop *el, int fd, void *privdata, int mask) {
    (void)el, (void)privdata;
    if (lk.state == LINK_CONNECTING) {
        link_connected(fd);
        return;
    }
    if (!(mask & AE_READABLE)) return;
    char buf[LINK_READ_CHUNK_BYTES];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) {
        if (lk.state == LINK_TRANSFER)
            log_warning("I/O error trying to sync with MASTER: %s", n == 0 ? "connection lost" : strerror(errno));
        else
            log_warning("Master closed the connection during the handshake: %s",
                        n == 0 ? "connection lost" : strerror(errno));
        link_cancel();
        return;
    }
    lk.last_io_ms = mstime();
    server.stat_net_input_bytes += n;
    lk.in = sds_cat_len(lk.in, buf, (size_t)n);
    link_process();
}

/* ---------------------------------------------------------- the stream */

static void link_send_ack(void) {
    client *c = server.primary_client;
    if (c == NULL) return;
    char num[32];
    int len = ll2string(num, sizeof(num), repl.offset);
    sds s = sds_cat_printf(sds_empty(), "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$%d\r\n%s\r\n", len, num);
    /* The link's replies are off; only this one goes out. */
    c->flags &= ~CLIENT_REPLY_OFF;
    reply_proto(c, s, sds_len(s));
    c->flags |= CLIENT_REPLY_OFF;
    sds_free(s);
}

/* The handshake socket becomes the primary's client; leftover bytes read
 * past the sync's end are its first input. */
static void link_start_stream(const char *leftover, size_t len) {
    int fd = lk.fd;
    lk.fd = -1;
    ae_delete_file_event(server.el, fd, AE_READABLE | AE_WRITABLE);
    client *c = net_create_client(fd);
    if (c == NULL) {
        log_warning("Error creating the client of the MASTER link");
        lk.state = LINK_CONNECT;
        return;
    }
    c->flags |= CLIENT_PRIMARY | CLIENT_REPLY_OFF;
    c->authenticated = 1;
    char ip[NET_ADDR_STR_LEN];
    int port;
    if (anet_fd_to_string(fd, ip, sizeof(ip), &port, 1) == ANET_OK) anet_format_addr(c->addr, sizeof(c->addr), ip, port);
    if (anet_fd_to_string(fd, ip, sizeof(ip), &port, 0) == ANET_OK)
        anet_format_addr(c->laddr, sizeof(c->laddr), ip, port);
    c->db_id = lk.cached_db;
    c->db = &server.dbs[c->db_id];
    server.primary_client = c;
    lk.state = LINK_CONNECTED;
    lk.cached = 0;
    lk.down_since = 0;
    lk.failover = 0;
    if (lk.transfer_done) {
        log_notice("MASTER <-> REPLICA sync: Finished with success");
        lk.transfer_done = 0;
        lk.transfer_read = 0;
        /* The first ACK puts us online on a diskless primary at once. */
        link_send_ack();
    }
    lk.transfer_size = -1;
    if (len) {
        c->querybuf = sds_cat_len(c->querybuf, leftover, len);
        repl_replica_process_input(c);
    }
}

/* REPLCONF GETACK from the primary: answered with our offset (before this
 * command's own bytes, as Redis counts), never run as a command. */
static int is_getack(const client *c) {
    return c->argc >= 2 && str_eq_nocase(c->argv[0], "replconf") && str_eq_nocase(c->argv[1], "getack");
}

void repl_replica_process_input(client *c) {
    size_t applied = 0; /* querybuf bytes before this were applied and proxied */
    server.current_client = c;
    while (c->qb_pos < sds_len(c->querybuf) && !(c->flags & (CLIENT_CLOSE_ASAP | CLIENT_CLOSE_AFTER_REPLY))) {
        resp_limits lim = {cfg.proto_max_bulk_len, 1};
        size_t consumed;
        resp_parse_result r = resp_parse(&c->parser, c->querybuf + c->qb_pos, sds_len(c->querybuf) - c->qb_pos,
                                         &lim, &consumed);
        c->qb_pos += consumed;
        if (r == RESP_PARSE_NEED_MORE) break;
        if (r == RESP_PARSE_ERROR) {
            log_warning("Protocol error (%s) from MASTER: closing the link", c->parser.error);
            net_close_async(c);
            break;
        }
        c->argc = c->parser.argc;
        c->argv = c->parser.argv;
        if (is_getack(c)) {
            link_send_ack();
        } else {
            long long errors = server.stat_total_error_replies;
            cmd_process_primary(c);
            if (server.stat_total_error_replies != errors)
                log_warning("== CRITICAL == This replica is sending an error to its master after processing the "
                            "command '%s'",
                            c->argv[0]);
        }
        c->commands_processed++;
        net_reset_client(c);
        /* A transaction counts once its EXEC ran: a drop in the middle
         * resumes from its MULTI. */
        if (!(c->flags & CLIENT_MULTI)) {
            repl_feed_stream(c->querybuf + applied, c->qb_pos - applied);
            applied = c->qb_pos;
        }
    }
    server.current_client = NULL;
    if (applied) {
        sds_range(c->querybuf, (ssize_t)applied, -1);
        c->qb_pos -= applied;
    }
}

/* ---------------------------------------------------------- following */

/* Drops the link to the primary (client, handshake, transfer) without
 * reconnecting. */
static void link_drop(void) {
    client *c = server.primary_client;
    if (c) {
        server.primary_client = NULL;
        lk.cached_db = c->db_id;
        lk.dropping = 1;
        net_free_client(c);
        lk.dropping = 0;
    }
    link_close();
}

/* CONFIG GET replicaof (and CONFIG REWRITE) show whom we follow now. */
static void link_set_config(const char *host, int port) {
    zfree(cfg.replicaof);
    if (host) {
        sds v = sds_cat_printf(sds_empty(), "%s %d", host, port);
        cfg.replicaof = zstrdup(v);
        sds_free(v);
    } else {
        cfg.replicaof = zstrdup("");
    }
}

static void link_follow(const char *host, int port, int cached) {
    char *h = zstrdup(host);
    zfree(lk.host);
    lk.host = h;
    lk.port = port;
    link_set_config(lk.host, port);
    lk.cached = cached;
    server.is_replica = 1;
    repl_effects_update();
    log_set_role('S');
    lk.state = LINK_CONNECT;
}

/* Clients blocked on keys of a primary would wait for writes a replica
 * never takes: Redis ends their wait with an error and closes them. */
static void link_unblock_clients(void) {
    for (client *c = server.clients; c; c = c->next)
        if (c->flags & CLIENT_BLOCKED) blocking_unblock(c, BLOCK_UNBLOCK_ROLE_CHANGE);
}

void repl_replica_set_primary(const char *host, int port) {
    int was_primary = !server.is_replica;
    int was_linked = server.primary_client != NULL;
    link_drop();
    link_unblock_clients();
    if (was_linked) lk.down_since = time(NULL);
    if (was_primary) {
        log_notice("Before turning into a replica, using my own master parameters to synthesize a cached master: I "
                   "may be able to synchronize with the new master with just a partial transfer.");
        lk.cached_db = 0;
        lk.down_since = 0;
        /* Redis builds that cached master as a client, which takes a client
         * id: the ids of later clients (CLIENT ID, HELLO) stay equal. */
        net_reserve_client_id();
    }
    link_follow(host, port, was_primary || was_linked || lk.cached);
    log_notice("Connecting to MASTER %s:%d", lk.host, lk.port);
    link_connect();
}

void repl_replica_set_primary_failover(const char *host, int port) {
    repl_replica_set_primary(host, port);
    lk.failover = 1;
}

void repl_replica_unset_primary(void) {
    if (!server.is_replica) return;
    link_drop();
    zfree(lk.host);
    lk.host = NULL;
    lk.port = 0;
    link_set_config(NULL, 0);
    lk.cached = 0;
    lk.failover = 0;
    lk.state = LINK_NONE;
    server.is_replica = 0;
    repl_effects_update();
    log_set_role('M');
    /* Our replicas may continue with the old id (PSYNC2), but must learn
     * the new one; our own writes start with a SELECT. */
    repl_shift_replid();
    log_warning("Setting secondary replication ID to %s, valid up to offset: %lld. New replication ID is %s",
               repl.replid2, repl.second_offset, repl.replid);
    repl_primary_disconnect_replicas();
    repl_stream_reselect();
}

void repl_replica_client_freed(client *c) {
    if (c != server.primary_client) return;
    server.primary_client = NULL;
    lk.cached_db = c->db_id;
    if (lk.dropping || !server.is_replica) return;
    log_notice("Connection with master lost.");
    log_notice("Caching the disconnected master state.");
    lk.cached = 1;
    lk.down_since = time(NULL);
    lk.state = LINK_CONNECT;
    log_notice("Reconnecting to MASTER %s:%d", lk.host, lk.port);
    link_connect();
}

/* ---------------------------------------------------------- lifecycle */

int repl_replica_stream_db(void) {
    return server.primary_client ? server.primary_client->db_id : lk.cached_db;
}

/* SAVE / BGSAVE on a replica: the primary's history we hold. */
static int link_save_info(rdb_save_opts *opts) {
    if (!server.is_replica || (server.primary_client == NULL && !lk.cached)) return 0;
    opts->repl_id = repl.replid;
    opts->repl_offset = repl.offset;
    opts->repl_stream_db = repl_replica_stream_db();
    return 1;
}

void repl_replica_init(void) {
    if (lk.in == NULL) lk.in = sds_empty();
    snapshot_set_repl_info_hook(link_save_info);
    int port;
    sds host = repl_config_primary(&port);
    if (host) {
        /* An RDB saved by a replica carries its primary's history: a
         * restart continues it (partial resync) when the primary can. */
        char id[REPL_ID_LEN + 1];
        long long offset;
        int dbid;
        int have = snapshot_loaded_repl_info(id, &offset, &dbid) && strlen(id) == REPL_ID_LEN && offset >= 0 &&
                   dbid >= 0 && dbid < server.dbnum;
        if (have) {
            repl_set_history(id, offset, 0);
            lk.cached_db = dbid;
        }
        link_follow(host, port, have);
    }
    sds_free(host);
}

void repl_replica_cron(void) {
    repl_failover_update();
    if (!server.is_replica) return;
    long long now = mstime(), timeout_ms = cfg.repl_timeout * 1000;
    switch (lk.state) {
    case LINK_CONNECT:
        log_notice("Connecting to MASTER %s:%d", lk.host, lk.port);
        link_connect();
        break;
    case LINK_TRANSFER:
        if (now - lk.last_io_ms > timeout_ms) {
            log_warning("Timeout receiving bulk data from MASTER... If the problem persists try to set the "
                        "'repl-timeout' parameter in redis.conf to a larger value.");
            link_cancel();
        }
        break;
    case LINK_CONNECTED: {
        client *c = server.primary_client;
        if (c && vclock_ms() - c->last_interaction_ms > timeout_ms) {
            log_warning("MASTER timeout: no data nor PING received...");
            net_free_client(c);
            break;
        }
        link_send_ack();
        break;
    }
    case LINK_NONE:
        break;
    default: /* connecting or in the handshake */
        if (now - lk.last_io_ms > timeout_ms) {
            log_warning("Timeout connecting to the MASTER...");
            link_cancel();
        }
        break;
    }
}

/* ---------------------------------------------------------- queries */

int repl_replica_link_up(void) {
    return lk.state == LINK_CONNECTED && server.primary_client != NULL;
}

long long repl_replica_data_age_ms(void) {
    if (repl_replica_link_up()) return vclock_ms() - server.primary_client->last_interaction_ms;
    /* A link never up counts from the epoch, as Redis's repl_down_since 0:
     * such a replica's data is never fresh enough to fail over. */
    return mstime() - (long long)lk.down_since * 1000;
}

const char *repl_replica_primary_host(void) {
    return server.is_replica ? lk.host : NULL;
}

int repl_replica_primary_port(void) {
    return server.is_replica ? lk.port : 0;
}

const char *repl_replica_state_name(void) {
    switch (lk.state) {
    case LINK_NONE: return "none";
    case LINK_CONNECT: return "connect";
    case LINK_CONNECTING: return "connecting";
    case LINK_TRANSFER: return "sync";
    case LINK_CONNECTED: return "connected";
    default: return "handshake";
    }
}

long long repl_replica_applied_offset(void) {
    return server.primary_client ? repl.offset : -1;
}

sds repl_replica_info(sds s) {
    if (!server.is_replica) return s;
    client *c = server.primary_client;
    time_t now = time(NULL);
    /* Redis shows 1 when it has neither a link nor a cached one. */
    long long applied = 1, read = 1;
    if (c) {
        applied = repl.offset;
        read = repl.offset + (long long)sds_len(c->querybuf);
    } else if (lk.cached) {
        applied = read = repl.offset;
    }
    s = sds_cat_printf(s,
                       "master_host:%s\r\nmaster_port:%d\r\nmaster_link_status:%s\r\n"
                       "master_last_io_seconds_ago:%d\r\nmaster_sync_in_progress:%d\r\n"
                       "slave_read_repl_offset:%lld\r\nslave_repl_offset:%lld\r\n",
                       lk.host, lk.port, repl_replica_link_up() ? "up" : "down",
                       c ? (int)((vclock_ms() - c->last_interaction_ms) / 1000) : -1, lk.state == LINK_TRANSFER,
                       read, applied);
    if (lk.state == LINK_TRANSFER) {
        /* As Redis computes it: -0.00 before the size is known (-1). */
        double perc = lk.transfer_size ? (double)lk.transfer_read / (double)lk.transfer_size * 100 : 0;
        s = sds_cat_printf(s,
                           "master_sync_total_bytes:%lld\r\nmaster_sync_read_bytes:%lld\r\n"
                           "master_sync_left_bytes:%lld\r\nmaster_sync_perc:%.2f\r\n"
                           "master_sync_last_io_seconds_ago:%d\r\n",
                           lk.transfer_size, lk.transfer_read, lk.transfer_size - lk.transfer_read, perc,
                           (int)((mstime() - lk.last_io_ms) / 1000));
    }
    if (lk.state != LINK_CONNECTED)
        s = sds_cat_printf(s, "master_link_down_since_seconds:%lld\r\n",
                           lk.down_since ? (long long)(now - lk.down_since) : -1LL);
    return sds_cat_printf(s, "slave_priority:%lld\r\nslave_read_only:%d\r\nreplica_announced:%d\r\n",
                          cfg.replica_priority, cfg.replica_read_only, cfg.replica_announced);
}
