/* zset_util.c -- pure helpers of the sorted-set commands (see
 * zset_util.h): score text for listpacks, lex bounds, rank clamping.
 *
 * L0: never includes server.h, never logs, touches no global. Every
 * function is a total function of its arguments. */
#include "zset_util.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

size_t zset_score_lp_text(char *buf, double score) {
    if (isinf(score)) return (size_t)snprintf(buf, ZSET_SCORE_TEXT_BYTES, "%s", score > 0 ? "inf" : "-inf");
    if (score >= -ZSET_LP_INT_SCORE_MAX && score <= ZSET_LP_INT_SCORE_MAX) {
        long long ll = (long long)score;
        if ((double)ll == score) return (size_t)ll2string(buf, ZSET_SCORE_TEXT_BYTES, ll);
    }
    return (size_t)snprintf(buf, ZSET_SCORE_TEXT_BYTES, "%.17g", score);
}

/* memcmp order of s against a real (non-sentinel) bound, shorter first. */
static int lex_cmp_bound(const char *s, size_t len, sds bound) {
    size_t bl = sds_len(bound);
    size_t min = len < bl ? len : bl;
    int cmp = min ? memcmp(s, bound, min) : 0;
    if (cmp) return cmp;
    return len < bl ? -1 : len > bl;
}

int zset_lex_gte_min(const char *s, size_t len, const zsl_lex_range *r) {
    if (r->min == ZSL_LEX_MIN) return 1;
    if (r->min == ZSL_LEX_MAX) return 0;
    int cmp = lex_cmp_bound(s, len, r->min);
    return r->minex ? cmp > 0 : cmp >= 0;
}

int zset_lex_lte_max(const char *s, size_t len, const zsl_lex_range *r) {
    if (r->max == ZSL_LEX_MAX) return 1;
    if (r->max == ZSL_LEX_MIN) return 0;
    int cmp = lex_cmp_bound(s, len, r->max);
    return r->maxex ? cmp < 0 : cmp <= 0;
}

int zset_clamp_rank_range(long *start, long *end, long len) {
    if (*start < 0) *start += len;
    if (*end < 0) *end += len;
    if (*start < 0) *start = 0;
    if (*start > *end || *start >= len) return 0;
    if (*end >= len) *end = len - 1;
    return 1;
}
