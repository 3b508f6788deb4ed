/* reply.c -- encodes replies for a client's protocol and queues the bytes.
 *
 * Owns the client's output buffer and block chain (fields bufpos,
 * reply_head/tail, reply_bytes). Bytes go to the fixed buffer while it has
 * room and no block exists; after that only to the tail block, so output
 * order is the order of calls. Never writes to a socket (networking.c does)
 * and never queues output for a client marked to close after its reply. */
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "info.h"
#include "networking.h"
#include "server.h"
#include "util.h"
#include "zmalloc.h"

/* A deferred header slot is a block of its own this big. */
#define REPLY_DEFERRED_SLOT_BYTES RESP_HEADER_MAX

static inline int reply_allowed(client *c) {
    if (c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)) return 0;
    if (!(c->flags & CLIENT_PENDING_WRITE) && c->fd != -1) net_schedule_write(c);
    return 1;
}

static reply_block *reply_new_block(client *c, size_t need) {
    size_t size = need < PROTO_REPLY_CHUNK_BYTES ? PROTO_REPLY_CHUNK_BYTES : need;
    reply_block *b = zmalloc(sizeof(*b) + size);
    b->next = NULL;
    b->size = zmalloc_size(b) - sizeof(*b);
    b->used = 0;
    b->deferred = 0;
    if (c->reply_tail) c->reply_tail->next = b;
    else c->reply_head = b;
    c->reply_tail = b;
    c->reply_bytes += b->size;
    c->reply_blocks++;
    net_check_output_limits(c);
    return b;
}

static void reply_append(client *c, const char *p, size_t len) {
    if (c->reply_head == NULL) {
        size_t room = sizeof(c->buf) - c->bufpos;
        size_t n = len < room ? len : room;
        memcpy(c->buf + c->bufpos, p, n);
        c->bufpos += n;
        p += n;
        len -= n;
        if (len == 0) return;
    }
    reply_block *tail = c->reply_tail;
    if (tail && !tail->deferred) {
        size_t room = tail->size - tail->used;
        size_t n = len < room ? len : room;
        memcpy(tail->buf + tail->used, p, n);
        tail->used += n;
        p += n;
        len -= n;
        if (len == 0) return;
    }
    tail = reply_new_block(c, len);
    memcpy(tail->buf, p, len);
    tail->used = len;
}

void reply_proto(client *c, const char *p, size_t len) {
    if (!reply_allowed(c)) return;
    reply_append(c, p, len);
}

sds reply_take_output(client *c) {
    sds s = sds_new_len(c->buf, c->bufpos); /* no socket: nothing was sent */
    reply_block *b = c->reply_head;
    while (b) {
        reply_block *next = b->next;
        s = sds_cat_len(s, b->buf, b->used);
        zfree(b);
        b = next;
    }
    c->bufpos = c->sentlen = 0;
    c->reply_head = c->reply_tail = NULL;
    c->reply_bytes = 0;
    c->reply_blocks = 0;
    return s;
}

void reply_push_proto(client *c, const char *p, size_t len) {
    if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)) return;
    if (!(c->flags & CLIENT_PENDING_WRITE) && c->fd != -1) net_schedule_write(c);
    reply_append(c, p, len);
}

void reply_ok(client *c) {
    reply_proto(c, "+OK\r\n", 5);
}

void reply_status(client *c, const char *s) {
    if (!reply_allowed(c)) return;
    reply_append(c, "+", 1);
    reply_append(c, s, strlen(s));
    reply_append(c, "\r\n", 2);
}

/* Errors are counted even when the reply itself is suppressed (CLIENT
 * REPLY OFF), as Redis counts them. */
static void reply_error_len(client *c, const char *msg, size_t len) {
    server.stat_total_error_replies++;
    info_count_error(msg, len); /* INFO errorstats, per error code */
    if (!reply_allowed(c)) return;
    if (len == 0 || msg[0] != '-') reply_append(c, "-ERR ", 5);
    reply_append(c, msg, len);
    reply_append(c, "\r\n", 2);
}

void reply_error(client *c, const char *msg) {
    size_t len = strlen(msg);
    if (memchr(msg, '\r', len) || memchr(msg, '\n', len)) {
        reply_error_format(c, "%s", msg);
        return;
    }
    reply_error_len(c, msg, len);
}

void reply_error_format(client *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sds s = sds_cat_vprintf(sds_empty(), fmt, ap);
    va_end(ap);
    size_t len = sds_len(s);
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\r' || s[i] == '\n') s[i] = ' ';
    reply_error_len(c, s, len);
    sds_free(s);
}

void reply_error_arity(client *c) {
    const char *name = c->cmd ? c->cmd->fullname : c->argv[0];
    reply_error_format(c, "wrong number of arguments for '%s' command", name);
}

void reply_error_syntax(client *c) {
    reply_error(c, "syntax error");
}

void reply_error_not_integer(client *c) {
    reply_error(c, "value is not an integer or out of range");
}

void reply_error_subcommand(client *c) {
    sds cmd = sds_new(c->argv[0]);
    sds_to_upper(cmd);
    reply_error_format(c, "unknown subcommand '%.128s'. Try %s HELP.", c->argv[1], cmd);
    sds_free(cmd);
}

static void reply_header(client *c, char prefix, long long n) {
    char buf[RESP_HEADER_MAX];
    size_t len = resp_fmt_header(buf, prefix, n);
    reply_append(c, buf, len);
}

void reply_integer(client *c, long long v) {
    if (!reply_allowed(c)) return;
    if (v == 0) reply_append(c, ":0\r\n", 4);
    else if (v == 1) reply_append(c, ":1\r\n", 4);
    else reply_header(c, ':', v);
}

void reply_bulk(client *c, const char *p, size_t len) {
    if (!reply_allowed(c)) return;
    reply_header(c, '$', (long long)len);
    reply_append(c, p, len);
    reply_append(c, "\r\n", 2);
}

void reply_bulk_cstr(client *c, const char *s) {
    if (s == NULL) reply_null(c);
    else reply_bulk(c, s, strlen(s));
}

void reply_bulk_sds(client *c, const sds s) {
    reply_bulk(c, s, sds_len(s));
}

void reply_bulk_ll(client *c, long long v) {
    char buf[LONG_STR_SIZE];
    int len = ll2string(buf, sizeof(buf), v);
    reply_bulk(c, buf, (size_t)len);
}

void reply_bulk_obj(client *c, const robj *o) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = obj_string_bytes(o, buf, &len);
    reply_bulk(c, p, len);
}

void reply_null(client *c) {
    if (c->resp == 2) reply_proto(c, "$-1\r\n", 5);
    else reply_proto(c, "_\r\n", 3);
}

void reply_null_array(client *c) {
    if (c->resp == 2) reply_proto(c, "*-1\r\n", 5);
    else reply_proto(c, "_\r\n", 3);
}

void reply_array_len(client *c, long n) {
    if (!reply_allowed(c)) return;
    reply_header(c, '*', n);
}

void reply_map_len(client *c, long pairs) {
    if (!reply_allowed(c)) return;
    if (c->resp == 2) reply_header(c, '*', pairs * 2);
    else reply_header(c, '%', pairs);
}

void reply_set_len(client *c, long n) {
    if (!reply_allowed(c)) return;
    reply_header(c, c->resp == 2 ? '*' : '~', n);
}

void reply_push_len(client *c, long n) {
    if (!reply_allowed(c)) return;
    reply_header(c, c->resp == 2 ? '*' : '>', n);
}

void reply_double(client *c, double d) {
    if (!reply_allowed(c)) return;
    char buf[RESP_DOUBLE_MAX];
    size_t len = resp_fmt_double(buf, c->resp, d);
    reply_append(c, buf, len);
}

void reply_bool(client *c, int v) {
    if (c->resp == 2) reply_integer(c, v ? 1 : 0);
    else reply_proto(c, v ? "#t\r\n" : "#f\r\n", 4);
}

void reply_verbatim(client *c, const char *p, size_t len, const char *ext) {
    if (c->resp == 2) {
        reply_bulk(c, p, len);
        return;
    }
    if (!reply_allowed(c)) return;
    reply_header(c, '=', (long long)len + 4);
    reply_append(c, ext, 3);
    reply_append(c, ":", 1);
    reply_append(c, p, len);
    reply_append(c, "\r\n", 2);
}

void reply_help(client *c, const char **lines) {
    sds cmd = sds_new(c->argv[0]);
    sds_to_upper(cmd);
    long n = 0;
    while (lines[n]) n++;
    reply_array_len(c, n + 3);
    sds head = sds_cat_printf(sds_empty(), "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", cmd);
    reply_status(c, head);
    for (long i = 0; i < n; i++) reply_status(c, lines[i]);
    reply_status(c, "HELP");
    reply_status(c, "    Prints this help.");
    sds_free(head);
    sds_free(cmd);
}

void *reply_deferred_len(client *c) {
    if (!reply_allowed(c)) return NULL;
    /* The fixed buffer can't hold a gap, so the slot is a block and every
     * later byte goes after it. */
    reply_block *b = zmalloc(sizeof(*b) + REPLY_DEFERRED_SLOT_BYTES);
    b->next = NULL;
    b->size = REPLY_DEFERRED_SLOT_BYTES;
    b->used = 0;
    b->deferred = 1;
    if (c->reply_tail) c->reply_tail->next = b;
    else c->reply_head = b;
    c->reply_tail = b;
    c->reply_bytes += b->size;
    c->reply_blocks++;
    return b;
}

static void reply_fill_deferred(void *node, char prefix, long n) {
    if (node == NULL) return;
    reply_block *b = node;
    b->used = resp_fmt_header(b->buf, prefix, n);
    b->deferred = 0;
}

void reply_set_deferred_array_len(client *c, void *node, long n) {
    (void)c;
    reply_fill_deferred(node, '*', n);
}

void reply_set_deferred_set_len(client *c, void *node, long n) {
    reply_fill_deferred(node, c->resp == 2 ? '*' : '~', n);
}

void reply_set_deferred_map_len(client *c, void *node, long pairs) {
    if (c->resp == 2) reply_fill_deferred(node, '*', pairs * 2);
    else reply_fill_deferred(node, '%', pairs);
}
