/* rio.c -- the stream behind RDB reading and writing (see rio.h): a memory
 * buffer, a stdio file, or a write-only file descriptor.
 *
 * Library code: no server headers, no logging, no globals. Every byte moved
 * goes through rio_read / rio_write, which keep the running CRC64, the
 * processed byte count and the sticky error flag, and cut large moves into
 * max_chunk pieces so the progress callback runs during big values too. */
#include "rio.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "crc64.h"

/* stdio without its per-call lock where libc has it: a save makes millions
 * of small writes from one thread. */
#ifdef __GLIBC__
#define RIO_FWRITE fwrite_unlocked
#define RIO_FREAD fread_unlocked
#else
#define RIO_FWRITE fwrite
#define RIO_FREAD fread
#endif

/* The fd backend writes when this much is buffered (and on rio_flush). */
#define RIO_FD_BUFFER_BYTES (64 * 1024)
/* A blocked (non-blocking) fd is waited for this long per try. */
#define RIO_FD_POLL_MS 1000

/* ------------------------------------------------------------ buffer */

static size_t rio_buffer_read(rio *r, void *buf, size_t len) {
    size_t have = sds_len(r->io.buffer.ptr) - (size_t)r->io.buffer.pos;
    if (len > have) {
        r->eof = 1;
        return 0;
    }
    memcpy(buf, r->io.buffer.ptr + r->io.buffer.pos, len);
    r->io.buffer.pos += (off_t)len;
    return 1;
}

static size_t rio_buffer_write(rio *r, const void *buf, size_t len) {
    r->io.buffer.ptr = sds_cat_len(r->io.buffer.ptr, buf, len);
    r->io.buffer.pos += (off_t)len;
    return 1;
}

static off_t rio_buffer_tell(rio *r) {
    return r->io.buffer.pos;
}

static int rio_buffer_flush(rio *r) {
    (void)r;
    return 1;
}

void rio_init_buffer(rio *r, sds s) {
    memset(r, 0, sizeof(*r));
    r->read = rio_buffer_read;
    r->write = rio_buffer_write;
    r->tell = rio_buffer_tell;
    r->flush = rio_buffer_flush;
    r->update_cksum = 1;
    r->io.buffer.ptr = s;
    r->io.buffer.pos = 0;
}

/* ------------------------------------------------------------ stdio file */

static size_t rio_file_read(rio *r, void *buf, size_t len) {
    if (RIO_FREAD(buf, 1, len, r->io.file.fp) == len) return 1;
    if (feof(r->io.file.fp)) r->eof = 1;
    return 0;
}

static size_t rio_file_write(rio *r, const void *buf, size_t len) {
    if (RIO_FWRITE(buf, 1, len, r->io.file.fp) != len) return 0;
    r->io.file.buffered += (off_t)len;
    if (r->io.file.autosync && r->io.file.buffered >= r->io.file.autosync) {
        if (fflush(r->io.file.fp) != 0) return 0;
        if (fdatasync(fileno(r->io.file.fp)) == -1) return 0;
        r->io.file.buffered = 0;
    }
    return 1;
}

static off_t rio_file_tell(rio *r) {
    return ftello(r->io.file.fp);
}

static int rio_file_flush(rio *r) {
    return fflush(r->io.file.fp) == 0;
}

void rio_init_file(rio *r, FILE *fp) {
    memset(r, 0, sizeof(*r));
    r->read = rio_file_read;
    r->write = rio_file_write;
    r->tell = rio_file_tell;
    r->flush = rio_file_flush;
    r->update_cksum = 1;
    r->io.file.fp = fp;
}

void rio_set_autosync(rio *r, off_t bytes) {
    if (r->write == rio_file_write) r->io.file.autosync = bytes;
}

/* ------------------------------------------------------------ fd (write only) */

/* Writes all len bytes, waiting while a non-blocking fd is full. */
static int rio_fd_write_all(int fd, const char *p, size_t len) {
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n == -1 && errno == EINTR) continue;
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            if (poll(&pfd, 1, RIO_FD_POLL_MS) >= 0) continue;
            if (errno == EINTR) continue;
        }
        return -1;
    }
    return 0;
}

static int rio_fd_drain(rio *r) {
    sds b = r->io.fd.buf;
    if (sds_len(b) == 0) return 1;
    if (rio_fd_write_all(r->io.fd.fd, b, sds_len(b)) == -1) return 0;
    sds_clear(b);
    return 1;
}

static size_t rio_fd_read(rio *r, void *buf, size_t len) {
    (void)r;
    (void)buf;
    (void)len;
    errno = ENOTSUP;
    return 0;
}

static size_t rio_fd_write(rio *r, const void *buf, size_t len) {
    if (len >= RIO_FD_BUFFER_BYTES) { /* big: skip the copy */
        if (!rio_fd_drain(r)) return 0;
        if (rio_fd_write_all(r->io.fd.fd, buf, len) == -1) return 0;
    } else {
        r->io.fd.buf = sds_cat_len(r->io.fd.buf, buf, len);
        if (sds_len(r->io.fd.buf) >= RIO_FD_BUFFER_BYTES && !rio_fd_drain(r)) return 0;
    }
    r->io.fd.pos += (off_t)len;
    return 1;
}

static off_t rio_fd_tell(rio *r) {
    return r->io.fd.pos;
}

static int rio_fd_flush(rio *r) {
    return rio_fd_drain(r);
}

void rio_init_fd(rio *r, int fd) {
    memset(r, 0, sizeof(*r));
    r->read = rio_fd_read;
    r->write = rio_fd_write;
    r->tell = rio_fd_tell;
    r->flush = rio_fd_flush;
    r->update_cksum = 1;
    r->io.fd.fd = fd;
    r->io.fd.buf = sds_empty();
}

void rio_free_fd(rio *r) {
    sds_free(r->io.fd.buf);
    r->io.fd.buf = NULL;
}

/* ------------------------------------------------------------ generic */

size_t rio_write(rio *r, const void *buf, size_t len) {
    const char *p = buf;
    if (r->error) return 0;
    while (len) {
        size_t n = r->max_chunk && len > r->max_chunk ? r->max_chunk : len;
        if (r->update_cksum) r->cksum = crc64(r->cksum, p, n);
        if (r->write(r, p, n) == 0) {
            r->error = 1;
            return 0;
        }
        p += n;
        len -= n;
        r->processed_bytes += n;
        if (r->progress) r->progress(r, r->processed_bytes);
    }
    return 1;
}

size_t rio_read(rio *r, void *buf, size_t len) {
    char *p = buf;
    if (r->error) return 0;
    while (len) {
        size_t n = r->max_chunk && len > r->max_chunk ? r->max_chunk : len;
        if (r->read(r, p, n) == 0) {
            r->error = 1;
            return 0;
        }
        if (r->update_cksum) r->cksum = crc64(r->cksum, p, n);
        p += n;
        len -= n;
        r->processed_bytes += n;
        if (r->progress) r->progress(r, r->processed_bytes);
    }
    return 1;
}

off_t rio_tell(rio *r) {
    return r->tell(r);
}

int rio_flush(rio *r) {
    if (r->error) return 0;
    if (!r->flush(r)) {
        r->error = 1;
        return 0;
    }
    return 1;
}

size_t rio_buffer_left(const rio *r) {
    if (r->read != rio_buffer_read) return (size_t)-1;
    return sds_len(r->io.buffer.ptr) - (size_t)r->io.buffer.pos;
}
