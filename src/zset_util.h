/* zset_util.h -- pure pieces of the sorted-set commands, kept apart from
 * the handlers so they can be unit-tested: how a score is written into a
 * listpack, lex bounds against raw bytes, and rank-range clamping. No
 * server state, no replies. */
#ifndef MINIRED_ZSET_UTIL_H
#define MINIRED_ZSET_UTIL_H

#include <limits.h>
#include <stddef.h>

#include "skiplist.h"

/* Largest magnitude written as an integer (Redis 7.0's d2string bound). */
#define ZSET_LP_INT_SCORE_MAX ((double)(LLONG_MAX / 2))
/* Enough for any text zset_score_lp_text writes, NUL included. */
#define ZSET_SCORE_TEXT_BYTES 32

/* Writes score as Redis 7.0 stores it in a listpack: "inf" / "-inf",
 * whole numbers within +-2^62 as integers (so -0 becomes "0"), anything
 * else as %.17g. buf holds ZSET_SCORE_TEXT_BYTES. Returns the length. */
size_t zset_score_lp_text(char *buf, double score);

/* 1 if the len bytes at s lie at or above range's min / at or below its
 * max (memcmp order, shorter first; sentinels handled). */
int zset_lex_gte_min(const char *s, size_t len, const zsl_lex_range *r);
int zset_lex_lte_max(const char *s, size_t len, const zsl_lex_range *r);

/* Turns ZRANGE-style start/end (negative from the end) into inclusive
 * 0-based indexes within len. Returns 0 if the range is empty. */
int zset_clamp_rank_range(long *start, long *end, long len);

#endif
