/* lcs.h -- longest common subsequence of two byte strings, as the LCS
 * command reports it: its length, its bytes, and the runs of consecutive
 * matching bytes ("matches") in the order Redis lists them (last first).
 *
 * Pure: no server state, no replies. The caller decides whether a table of
 * lcs_table_bytes() bytes may be built (Redis bounds it by
 * proto-max-bulk-len) before calling lcs_table_build(). */
#ifndef MINIRED_LCS_H
#define MINIRED_LCS_H

#include <stddef.h>
#include <stdint.h>

/* One run of bytes common to both strings: a[a_start..a_end] equals
 * b[b_start..b_end] (inclusive indexes). */
typedef struct lcs_match {
    uint32_t a_start, a_end;
    uint32_t b_start, b_end;
} lcs_match;

/* The dynamic-programming table: cell (i, j) holds the LCS length of the
 * first i bytes of a and the first j bytes of b. Borrows a and b. */
typedef struct lcs_table {
    const char *a, *b;
    uint32_t alen, blen;
    uint32_t *cells; /* (alen+1) * (blen+1), row-major by i */
} lcs_table;

/* Bytes the full table for strings of alen and blen bytes needs;
 * UINT64_MAX when that does not fit in 64 bits. */
uint64_t lcs_table_bytes(uint64_t alen, uint64_t blen);

/* Length of the LCS, computed in O(blen) memory (no table). Borrows a, b;
 * alen and blen must be below UINT32_MAX. */
uint32_t lcs_length(const char *a, uint32_t alen, const char *b, uint32_t blen);

/* Builds the full table. Borrows a and b, which must outlive the table.
 * Returns new (free with lcs_table_free). */
lcs_table *lcs_table_build(const char *a, uint32_t alen, const char *b, uint32_t blen);
void lcs_table_free(lcs_table *t);
/* LCS length from a built table. */
uint32_t lcs_table_length(const lcs_table *t);

/* Walks the table back from its end. If seq is not NULL it receives the
 * LCS bytes (lcs_table_length(t) of them, not terminated). If matches is
 * not NULL it receives every run, last run first (room for
 * lcs_table_length(t) entries suffices). Returns the number of runs. */
size_t lcs_table_walk(const lcs_table *t, char *seq, lcs_match *matches);

#endif
