/* rio.h -- one small stream interface over a memory buffer, a stdio file
 * or a file descriptor, with a running CRC64 of every byte read or
 * written. The RDB code reads and writes through it so the same serializer
 * serves SAVE, DUMP/RESTORE, the AOF base and (later) replication sockets.
 *
 * Library code (L0): no server headers, no logging, no globals. Errors
 * stick: once a read or write failed, rio_error() is non-zero and every
 * further call fails. */
#ifndef MINIRED_RIO_H
#define MINIRED_RIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sds.h"

typedef struct rio rio;

struct rio {
    /* backend: return 1 when all len bytes moved, 0 on error/short read */
    size_t (*read)(rio *r, void *buf, size_t len);
    size_t (*write)(rio *r, const void *buf, size_t len);
    off_t (*tell)(rio *r);
    int (*flush)(rio *r);         /* 1 ok, 0 error */
    /* CRC64 (Jones, as RDB uses) of the bytes moved while update_cksum */
    uint64_t cksum;
    int update_cksum;
    int error;                    /* sticky: a read or write failed */
    int eof;                      /* a read hit the end of the input */
    size_t processed_bytes;       /* total read or written */
    /* Called after each chunk (at most max_chunk bytes) with the running
     * total: loading progress. NULL: none. */
    void (*progress)(rio *r, size_t processed);
    size_t max_chunk;             /* 0: no chunking */
    union {
        struct { sds ptr; off_t pos; } buffer;
        struct { FILE *fp; off_t buffered; off_t autosync; } file;
        struct { int fd; off_t pos; sds buf; } fd;
    } io;
};

/* A buffer rio reads from (or appends to) s; borrows s (buffer.ptr may be
 * replaced by appends: read it back from r->io.buffer.ptr). */
void rio_init_buffer(rio *r, sds s);
/* A stdio rio; borrows fp. */
void rio_init_file(rio *r, FILE *fp);
/* Writes to fd through an internal buffer (flushed by rio_flush). */
void rio_init_fd(rio *r, int fd);
/* Frees what rio_init_fd allocated (not the fd). */
void rio_free_fd(rio *r);
/* File rio: fsync every this many bytes written (0 off), so a big save does
 * not leave gigabytes of dirty pages to the final fsync. */
void rio_set_autosync(rio *r, off_t bytes);

/* 1 when all len bytes were written / read, else 0 (and r->error set). */
size_t rio_write(rio *r, const void *buf, size_t len);
size_t rio_read(rio *r, void *buf, size_t len);
off_t rio_tell(rio *r);
int rio_flush(rio *r);
/* Bytes not yet read from a buffer rio; (size_t)-1 for other backends
 * (unknown). Lets a loader refuse a length the input cannot hold before
 * allocating for it. */
size_t rio_buffer_left(const rio *r);

#endif
