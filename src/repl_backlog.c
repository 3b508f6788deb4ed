/* repl_backlog.c -- the replication backlog ring (see repl_backlog.h).
 *
 * One contiguous buffer and a write index: appending never allocates, so
 * feeding the stream costs a memcpy whatever the traffic. Invariant:
 * histlen <= size, and the newest byte (end_offset) sits just before idx. */
#include "repl_backlog.h"

#include <string.h>

#include "zmalloc.h"

struct repl_backlog {
    char *buf;
    size_t size;        /* capacity */
    size_t idx;         /* where the next byte goes */
    size_t histlen;     /* bytes held, <= size */
    long long end;      /* offset of the newest byte */
};

repl_backlog *backlog_create(size_t size, long long end_offset) {
    if (size == 0) size = 1;
    repl_backlog *b = zcalloc(sizeof(*b));
    b->buf = zmalloc(size);
    b->size = size;
    b->end = end_offset;
    return b;
}

void backlog_free(repl_backlog *b) {
    if (b == NULL) return;
    zfree(b->buf);
    zfree(b);
}

void backlog_append(repl_backlog *b, const char *buf, size_t len) {
    b->end += (long long)len;
    /* Only the last `size` bytes can survive: skip the rest at once. */
    if (len > b->size) {
        buf += len - b->size;
        len = b->size;
    }
    while (len > 0) {
        size_t room = b->size - b->idx;
        size_t n = len < room ? len : room;
        memcpy(b->buf + b->idx, buf, n);
        b->idx = (b->idx + n) % b->size;
        buf += n;
        len -= n;
        b->histlen += n;
    }
    if (b->histlen > b->size) b->histlen = b->size;
}

static void copy_chunk(const char *buf, size_t len, void *ctx) {
    char **dst = ctx;
    memcpy(*dst, buf, len);
    *dst += len;
}

void backlog_resize(repl_backlog *b, size_t size) {
    if (size == 0) size = 1;
    size_t keep = b->histlen < size ? b->histlen : size;
    char *nbuf = zmalloc(size);
    char *w = nbuf;
    backlog_read_from(b, b->end - (long long)keep + 1, copy_chunk, &w);
    zfree(b->buf);
    b->buf = nbuf;
    b->size = size;
    b->histlen = keep;
    b->idx = keep % size;
}

size_t backlog_size(const repl_backlog *b) {
    return b->size;
}

size_t backlog_histlen(const repl_backlog *b) {
    return b->histlen;
}

long long backlog_first_offset(const repl_backlog *b) {
    return b->end - (long long)b->histlen + 1;
}

long long backlog_end_offset(const repl_backlog *b) {
    return b->end;
}

int backlog_covers(const repl_backlog *b, long long from) {
    return from >= backlog_first_offset(b) && from <= b->end + 1;
}

long long backlog_read_from(const repl_backlog *b, long long from, backlog_chunk_fn *fn, void *ctx) {
    if (!backlog_covers(b, from)) return -1;
    size_t want = (size_t)(b->end - from + 1);
    if (want == 0) return 0;
    /* The newest byte is at idx - 1; the wanted run starts want bytes back. */
    size_t start = (b->idx + b->size - want) % b->size;
    size_t first = want < b->size - start ? want : b->size - start;
    fn(b->buf + start, first, ctx);
    if (want > first) fn(b->buf, want - first, ctx);
    return (long long)want;
}
