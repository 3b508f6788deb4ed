/* repl_diskless.c -- repl-diskless-load: a replica loads its primary's RDB
 * straight from the socket instead of a temp file. The socket is read
 * blocking (a receive timeout of repl-timeout), as Redis does, through a
 * rio whose input is the bytes already read plus what the socket brings.
 *
 * Owns only that reader's state for the length of one load. Never reads
 * past a sized payload; with an EOF mark, read-ahead beyond the mark is
 * handed back as the start of the primary's stream. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "monotonic.h"
#include "rdb.h"
#include "repl_replica_int.h"
#include "rio.h"
#include "snapshot.h"
#include "zmalloc.h"

#define DISKLESS_READ_CHUNK_BYTES (64 * 1024)

static struct {
    int fd;
    sds buf;           /* bytes read and not yet handed to the loader */
    size_t pos;        /* buf[pos..] are unread */
    long long left;    /* payload bytes the socket still owes (-1: up to a mark) */
    long long consumed;
} in;

/* Reads more from the socket: never past a sized payload. 0, or -1. */
static int diskless_fill(void) {
    if (in.pos == sds_len(in.buf)) {
        sds_clear(in.buf);
        in.pos = 0;
    }
    size_t want = DISKLESS_READ_CHUNK_BYTES;
    if (in.left >= 0) {
        if (in.left == 0) return -1;
        if ((long long)want > in.left) want = (size_t)in.left;
    }
    in.buf = sds_make_room_for(in.buf, want);
    ssize_t n;
    do {
        n = read(in.fd, in.buf + sds_len(in.buf), want);
    } while (n == -1 && errno == EINTR);
    if (n <= 0) {
        log_warning("I/O error trying to sync with MASTER: %s",
                    n == 0 ? "connection lost" : (errno == EAGAIN ? "timeout" : strerror(errno)));
        return -1;
    }
    sds_incr_len(in.buf, n);
    if (in.left >= 0) in.left -= n;
    return 0;
}

static size_t diskless_read(rio *r, void *buf, size_t len) {
    (void)r;
    char *p = buf;
    while (len) {
        size_t avail = sds_len(in.buf) - in.pos;
        if (avail == 0) {
            if (diskless_fill() == -1) return 0;
            continue;
        }
        size_t n = avail < len ? avail : len;
        memcpy(p, in.buf + in.pos, n);
        in.pos += n;
        p += n;
        len -= n;
        in.consumed += (long long)n;
    }
    return 1;
}

static size_t diskless_write(rio *r, const void *buf, size_t len) {
    (void)r, (void)buf, (void)len;
    return 0;
}

static off_t diskless_tell(rio *r) {
    (void)r;
    return (off_t)in.consumed;
}

static int diskless_flush(rio *r) {
    (void)r;
    return 1;
}

static void diskless_set_timeout(int fd, long long ms) {
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int repl_diskless_load(int fd, const char *pending, size_t pending_len, long long size, const char *mark,
                       long long timeout_ms, rdb_load_stats *ls, sds *leftover) {
    char err[ANET_ERR_LEN];
    *leftover = NULL;
    in.fd = fd;
    in.pos = 0;
    in.consumed = 0;
    /* Bytes already read count against a sized payload; beyond it, they
     * are the stream. */
    size_t take = pending_len;
    if (size >= 0 && (long long)take > size) take = (size_t)size;
    in.buf = sds_new_len(pending, take);
    in.left = size >= 0 ? size - (long long)take : -1;
    anet_block(err, fd);
    diskless_set_timeout(fd, timeout_ms);
    rio r;
    memset(&r, 0, sizeof(r));
    r.read = diskless_read;
    r.write = diskless_write;
    r.tell = diskless_tell;
    r.flush = diskless_flush;
    r.update_cksum = 1;
    /* Clients are served (and key-load-delay slows us) as for any load. */
    snapshot_loading_attach(&r);
    int rc = rdb_load_rio(&r, 0, ls) == RDB_OK ? 0 : -1;
    snapshot_loading_detach();
    if (rc == -1) {
        log_warning("Failed trying to load the MASTER synchronization DB from socket, check server logs.");
    } else if (mark) {
        char got[REPL_EOF_MARK_LEN];
        if (!diskless_read(&r, got, sizeof(got)) || memcmp(got, mark, REPL_EOF_MARK_LEN) != 0) {
            log_warning("Replication stream EOF marker is broken");
            rc = -1;
        }
    } else if (in.left != 0 || in.pos != sds_len(in.buf)) {
        log_warning("Failed trying to load the MASTER synchronization DB from socket, check server logs.");
        rc = -1;
    }
    diskless_set_timeout(fd, 0);
    anet_non_block(err, fd);
    if (rc == 0) {
        sds rest = sds_new_len(in.buf + in.pos, sds_len(in.buf) - in.pos);
        if (pending_len > take) rest = sds_cat_len(rest, pending + take, pending_len - take);
        *leftover = rest;
    }
    sds_free(in.buf);
    in.buf = NULL;
    return rc;
}
