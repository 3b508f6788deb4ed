/* t_zset.h -- what the sorted-set files share (t_zset.c: encodings, core
 * operations, single-key commands and pops; t_zset_range.c: range queries,
 * range removal, ZRANDMEMBER, ZSCAN; t_zset_store.c: union, intersection,
 * difference). Only those files include it.
 *
 * A sorted set is either a listpack of member, score entry pairs ordered by
 * (score, member bytes), or a `zset`: a skiplist for order and rank plus a
 * dict from member to score for O(1) lookups, both sharing one member sds
 * (owned by the skiplist). */
#ifndef MINIRED_T_ZSET_H
#define MINIRED_T_ZSET_H

#include "commands.h"
#include "listpack.h"
#include "skiplist.h"
#include "zset_util.h"

/* The skiplist encoding's value. */
typedef struct zset {
    dict *dict;      /* member sds (borrowed from zsl) -> score in v.d */
    zskiplist *zsl;  /* owns the member sds */
} zset;

/* One element read from either encoding. ele points into the listpack,
 * into buf (a member stored as an integer) or at the node's member; s is
 * that member when it is an sds (skiplist), else NULL. Valid until the set
 * changes. */
typedef struct zset_elem {
    const char *ele;
    size_t len;
    double score;
    sds s;
    char buf[LP_INTBUF_SIZE];
} zset_elem;

/* A position in a sorted set, walking towards higher scores (reverse 0)
 * or lower ones. Invalidated by any change to the set. */
typedef struct zset_cursor {
    robj *o;
    int reverse;
    unsigned char *eptr; /* listpack: member entry, NULL past the end */
    zsl_node *node;      /* skiplist: node, NULL past the end */
} zset_cursor;

/* zset_add input flags. */
#define ZADD_IN_INCR (1 << 0) /* add score to the current one */
#define ZADD_IN_NX (1 << 1)   /* only add new members */
#define ZADD_IN_XX (1 << 2)   /* only update existing members */
#define ZADD_IN_GT (1 << 3)   /* only update to a greater score */
#define ZADD_IN_LT (1 << 4)   /* only update to a lower score */
/* zset_add output flags. */
#define ZADD_OUT_NOP (1 << 0)     /* nothing done (flags prevented it) */
#define ZADD_OUT_ADDED (1 << 1)   /* a new member */
#define ZADD_OUT_UPDATED (1 << 2) /* an existing member's score changed */

/* ---------------------------------------------------------- objects */

/* Returns a new empty sorted set: skiplist when len_hint elements or a
 * member of maxlen_hint bytes would not fit a listpack, else listpack. */
robj *zset_create_object(size_t len_hint, size_t maxlen_hint);
unsigned long zset_length(const robj *o);
void zset_convert_to_skiplist(robj *o);
/* Converts a skiplist set back to a listpack when it is small enough:
 * used only for new keys built by ZUNIONSTORE & co, as Redis does.
 * maxelelen / totelelen: longest member and sum of member lengths. */
void zset_convert_to_listpack_if_fits(robj *o, size_t maxelelen, size_t totelelen);

/* ---------------------------------------------------------- elements */

/* All borrow ele. Return 1 and the score if ele is a member, else 0. */
int zset_score(robj *o, sds ele, double *score);
/* Adds or updates ele under ZADD_IN_* flags; *out gets ZADD_OUT_* flags
 * and *newscore (may be NULL) the resulting score when not NOP. Converts
 * the encoding when the listpack would grow too big. Returns 0 (and does
 * nothing) when the result would be NaN, else 1. */
int zset_add(robj *o, double score, sds ele, int in_flags, int *out_flags, double *newscore);
/* Returns 1 if ele was removed, 0 if absent. */
int zset_delete(robj *o, sds ele);
/* 0-based rank from the lowest (or highest, reverse) score, -1 if absent. */
long zset_rank(robj *o, sds ele, int reverse);

/* ---------------------------------------------------------- walking */

/* Positions c at the element of 0-based index idx in walking order. */
void zset_cursor_at_index(zset_cursor *c, robj *o, unsigned long idx, int reverse);
/* Positions c at the first element (in walking order) on the near side of
 * the range: reverse 0 -> lowest score >= min, reverse 1 -> highest score
 * <= max. The caller checks the far bound as it walks. */
void zset_cursor_at_score(zset_cursor *c, robj *o, const zsl_range *r, int reverse);
void zset_cursor_at_lex(zset_cursor *c, robj *o, const zsl_lex_range *r, int reverse);
/* Fills e and returns 1, or returns 0 past the end. */
int zset_cursor_get(const zset_cursor *c, zset_elem *e);
void zset_cursor_next(zset_cursor *c);
/* Returns e's member as an sds: e->s when it has one, else *tmp (a
 * scratch sds the caller frees, may start NULL) refilled with the bytes. */
sds zset_elem_sds(const zset_elem *e, sds *tmp);

/* ---------------------------------------------------------- replies */

/* Replies with an element: the member, then the score when withscores;
 * RESP3 pairs are nested in a two-element array (pairs_nested). */
void zset_reply_elem(client *c, const zset_elem *e, int withscores, int pairs_nested);
/* Looks key up (write lookups when for_write) and replies WRONGTYPE for
 * another type: returns the set, NULL if missing, or sets *err. */
robj *zset_lookup(client *c, sds key, int for_write, int *err);

/* ---------------------------------------------------------- changes */

/* Ends a write that removed elements of key (borrowed): announces event
 * (a NOTIFY_ZSET name), deletes the key if the set is now empty (with its
 * "del" event), touches WATCHers and adds removed to the dirty counter.
 * Call only when removed > 0. */
void zset_removed(client *c, sds key, robj *o, const char *event, unsigned long removed);
/* Ends a *STORE: stores result (taken; NULL or empty means "no result")
 * at dstkey announced as event, or deletes an existing dstkey. One change
 * either way, as Redis counts a store. */
void zset_store_result(client *c, sds dstkey, robj *result, const char *event);

/* ---------------------------------------------------------- handlers */

void zrange_command(client *c);
void zrangestore_command(client *c);
void zrevrange_command(client *c);
void zrangebyscore_command(client *c);
void zrevrangebyscore_command(client *c);
void zrangebylex_command(client *c);
void zrevrangebylex_command(client *c);
void zcount_command(client *c);
void zlexcount_command(client *c);
void zremrangebyrank_command(client *c);
void zremrangebyscore_command(client *c);
void zremrangebylex_command(client *c);
void zrandmember_command(client *c);
void zscan_command(client *c);
void zunion_command(client *c);
void zinter_command(client *c);
void zdiff_command(client *c);
void zunionstore_command(client *c);
void zinterstore_command(client *c);
void zdiffstore_command(client *c);
void zintercard_command(client *c);

#endif
