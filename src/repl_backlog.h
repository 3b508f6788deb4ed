/* repl_backlog.h -- the replication backlog: a fixed-size ring holding the
 * newest bytes of the replication stream, addressed by stream offset.
 *
 * A library (no server headers): replication.c appends every byte it
 * sends to replicas; a replica that reconnects asking for the bytes after
 * offset N gets them from here (partial resync) when the ring still holds
 * byte N+1. Offsets follow Redis: the first byte of the stream is offset 1,
 * master_repl_offset is the offset of the last byte produced, and
 * repl_backlog_first_byte_offset the offset of the oldest byte held. */
#ifndef MINIRED_REPL_BACKLOG_H
#define MINIRED_REPL_BACKLOG_H

#include <stddef.h>

typedef struct repl_backlog repl_backlog;

/* A ring of size bytes (size >= 1) whose next appended byte has offset
 * end_offset + 1 (end_offset: the master_repl_offset at creation). Returns
 * new. */
repl_backlog *backlog_create(size_t size, long long end_offset);
void backlog_free(repl_backlog *b);

/* Appends len bytes (borrowed); the oldest bytes are dropped when the ring
 * is full. */
void backlog_append(repl_backlog *b, const char *buf, size_t len);
/* Changes the capacity, keeping the newest min(histlen, size) bytes. */
void backlog_resize(repl_backlog *b, size_t size);

size_t backlog_size(const repl_backlog *b);       /* capacity */
size_t backlog_histlen(const repl_backlog *b);    /* bytes held */
/* Offset of the oldest byte held (end_offset + 1 when empty). */
long long backlog_first_offset(const repl_backlog *b);
/* Offset of the newest byte appended (master_repl_offset). */
long long backlog_end_offset(const repl_backlog *b);

/* Whether the bytes from offset `from` (inclusive) up to the end can be
 * served: first_offset <= from <= end_offset + 1 (from == end + 1: nothing
 * is missing, an empty answer). */
int backlog_covers(const repl_backlog *b, long long from);
/* Hands the bytes from offset `from` to the end to fn, in order, in at
 * most two chunks (the ring may wrap). Returns the number of bytes handed,
 * or -1 when !backlog_covers(b, from). */
typedef void backlog_chunk_fn(const char *buf, size_t len, void *ctx);
long long backlog_read_from(const repl_backlog *b, long long from, backlog_chunk_fn *fn, void *ctx);

#endif
