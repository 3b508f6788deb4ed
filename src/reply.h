/* reply.h -- building replies to a client, in RESP2 or RESP3.
 *
 * Handlers describe the logical shape (a map of n pairs, a set of n, a
 * double, a null) and reply.c encodes it for the client's protocol and
 * appends it to the client's output (fixed buffer, then a chain of blocks).
 * Handlers never see a socket: networking.c writes the output later. */
#ifndef MINIRED_REPLY_H
#define MINIRED_REPLY_H

#include <stddef.h>
#include "sds.h"

struct client;
struct robj;

/* Raw bytes, already in RESP (borrowed). */
void reply_proto(struct client *c, const char *p, size_t len);
/* Takes every byte of c's pending output (fixed buffer and blocks) and
 * returns it as a new sds, leaving c's output empty: how the caller of a
 * command run for a client with no socket reads its reply (only for
 * such a client: nothing of it was sent). */
sds reply_take_output(struct client *c);
/* Same for out-of-band data (pub/sub messages and confirmations): sent
 * even under CLIENT REPLY OFF / SKIP, as Redis 7.0 sends them. */
void reply_push_proto(struct client *c, const char *p, size_t len);
void reply_ok(struct client *c);
/* "+<s>\r\n"; s must not contain CR or LF. */
void reply_status(struct client *c, const char *s);
/* "-ERR <msg>\r\n", or "-<msg>\r\n" when msg starts with '-' or names its
 * own code (WRONGTYPE, NOAUTH...: pass it with a leading '-'). Counted in
 * the error statistics. CR/LF inside msg are replaced by spaces. */
void reply_error(struct client *c, const char *msg);
void reply_error_format(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_error_arity(struct client *c);
void reply_error_syntax(struct client *c);
void reply_error_not_integer(struct client *c);
/* "-ERR unknown subcommand '<sub>'. Try <CMD> HELP." */
void reply_error_subcommand(struct client *c);
void reply_integer(struct client *c, long long v);
void reply_bulk(struct client *c, const char *p, size_t len);
void reply_bulk_cstr(struct client *c, const char *s); /* NULL: null reply */
void reply_bulk_sds(struct client *c, const sds s);    /* borrows s */
void reply_bulk_ll(struct client *c, long long v);
void reply_bulk_obj(struct client *c, const struct robj *o);
void reply_null(struct client *c);        /* $-1 / _ */
void reply_null_array(struct client *c);  /* *-1 / _ */
void reply_array_len(struct client *c, long n);
void reply_map_len(struct client *c, long pairs);
void reply_set_len(struct client *c, long n);
void reply_push_len(struct client *c, long n);
void reply_double(struct client *c, double d);
void reply_bool(struct client *c, int v);
/* RESP3 verbatim string ("txt" format), plain bulk in RESP2. */
void reply_verbatim(struct client *c, const char *p, size_t len, const char *ext);
/* Replies with the lines of a HELP text as status strings, headed by
 * "<CMD> <subcommand> arg arg ... options are:" as Redis does. */
void reply_help(struct client *c, const char **lines);

/* For replies whose length is known only at the end: reserve a header,
 * then fill it. Returns an opaque handle. */
void *reply_deferred_len(struct client *c);
void reply_set_deferred_array_len(struct client *c, void *node, long n);
void reply_set_deferred_map_len(struct client *c, void *node, long pairs);
void reply_set_deferred_set_len(struct client *c, void *node, long n);

#endif
