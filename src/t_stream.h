/* t_stream.h -- what the stream command files share: t_stream.c (the value
 * type, XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID),
 * t_stream_group.c (XGROUP, XREAD, XREADGROUP, XACK, XPENDING, XCLAIM,
 * XAUTOCLAIM, blocking) and t_stream_info.c (XINFO). Only those files and
 * the persistence files (rdb_object.c, aof_rewrite.c, digest.c, memory.c)
 * include it. The data structure itself is stream.h (library code). */
#ifndef MINIRED_T_STREAM_H
#define MINIRED_T_STREAM_H

#include "commands.h"
#include "stream.h"

/* A new, empty stream object (OBJ_STREAM / OBJ_ENCODING_STREAM). */
robj *stream_create_object(void);
/* The node limits configured now (stream-node-max-bytes / -entries). */
void stream_current_limits(stream_limits *lim);

/* Parses an ID argument as XRANGE and friends accept it: "-" and "+"
 * (min / max), "ms" alone (its seq is missing_seq: 0 for a start, UINT64_MAX
 * for an end) or "ms-seq". With strict, "-" and "+" are refused (XADD,
 * XSETID, XCLAIM ids...). With exclusive_ok, a leading "(" is accepted and
 * *exclusive is set. seq_given (may be NULL) tells whether "ms-seq" was
 * written out. Replies "-ERR Invalid stream ID specified as stream command
 * argument" and returns -1 on a bad ID. */
int stream_parse_id_or_reply(client *c, const sds arg, stream_id *id, uint64_t missing_seq, int strict,
                             int *seq_given);
/* Same for an interval bound that may be exclusive ("(id", parsed
 * strictly): the ID is moved past itself, up for a start (missing_seq 0),
 * down for an end (missing_seq UINT64_MAX); an exclusive start of the max
 * ID, or end of 0-0, replies "-ERR invalid start ID for the interval" /
 * "...end ID..." as Redis does and returns -1. exclusive may be NULL. */
int stream_parse_interval_id_or_reply(client *c, const sds arg, stream_id *id, int *exclusive, uint64_t missing_seq);
/* Replies one ID as a bulk string "ms-seq". */
void stream_reply_id(client *c, const stream_id *id);

/* Called by stream_reply_range for every entry it replied, in order, so a
 * group read adds the entry to the PEL and propagates its XCLAIM. */
typedef void stream_range_entry_fn(void *ctx, const stream_id *id);
/* Replies entries start..end (inclusive), at most count (0: all), in
 * reverse when rev, as the array of [id, [field, value, ...]] pairs every
 * stream read command returns, and calls on_entry (may be NULL) for each.
 * Returns how many entries were replied. */
size_t stream_reply_range(client *c, stream *s, const stream_id *start, const stream_id *end, size_t count, int rev,
                          stream_range_entry_fn *on_entry, void *ctx);
/* Replies one entry by ID as [id, [field, value, ...]], or as [id, null
 * array] when it is not in the stream (how XREADGROUP's history shows a
 * pending entry that was deleted). Returns 1 if found. */
int stream_reply_entry(client *c, stream *s, const stream_id *id);

/* Looks key up for a stream read: NULL (nothing replied) when missing, NULL
 * and WRONGTYPE replied (*wrongtype = 1) when another type. */
robj *stream_lookup_read(client *c, const sds key, int *wrongtype);

#endif
