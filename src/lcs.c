/* lcs.c -- longest common subsequence by the classic dynamic-programming
 * table, and the walk back through it that yields the subsequence and its
 * runs of consecutive matches.
 *
 * Owns only the table it allocates. Never touches server state or replies.
 * Invariant: the walk makes the same choice as Redis at every step (on a
 * tie it moves left, along b), so the bytes and the runs it reports equal
 * Redis's for the same input. */
#include "lcs.h"

#include <string.h>

#include "zmalloc.h"

#define LCS_CELL(t, i, j) ((t)->cells[(size_t)(i) * ((size_t)(t)->blen + 1) + (j)])

uint64_t lcs_table_bytes(uint64_t alen, uint64_t blen) {
    uint64_t cells, bytes;
    if (__builtin_mul_overflow(alen + 1, blen + 1, &cells)) return UINT64_MAX;
    if (__builtin_mul_overflow(cells, sizeof(uint32_t), &bytes)) return UINT64_MAX;
    return bytes;
}

static uint32_t max_u32(uint32_t x, uint32_t y) {
    return x > y ? x : y;
}

uint32_t lcs_length(const char *a, uint32_t alen, const char *b, uint32_t blen) {
    /* Only the previous row is needed for the length: two rows of blen+1
     * cells instead of the whole table. */
    uint32_t *prev = zcalloc(((size_t)blen + 1) * sizeof(uint32_t));
    uint32_t *cur = zcalloc(((size_t)blen + 1) * sizeof(uint32_t));
    for (uint32_t i = 1; i <= alen; i++) {
        for (uint32_t j = 1; j <= blen; j++)
            cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : max_u32(prev[j], cur[j - 1]);
        uint32_t *tmp = prev;
        prev = cur;
        cur = tmp;
    }
    uint32_t len = prev[blen];
    zfree(prev);
    zfree(cur);
    return len;
}

lcs_table *lcs_table_build(const char *a, uint32_t alen, const char *b, uint32_t blen) {
    lcs_table *t = zmalloc(sizeof(*t));
    t->a = a;
    t->b = b;
    t->alen = alen;
    t->blen = blen;
    t->cells = zmalloc((size_t)lcs_table_bytes(alen, blen));
    for (uint32_t j = 0; j <= blen; j++) LCS_CELL(t, 0, j) = 0;
    for (uint32_t i = 1; i <= alen; i++) {
        LCS_CELL(t, i, 0) = 0;
        for (uint32_t j = 1; j <= blen; j++) {
            if (a[i - 1] == b[j - 1]) LCS_CELL(t, i, j) = LCS_CELL(t, i - 1, j - 1) + 1;
            else LCS_CELL(t, i, j) = max_u32(LCS_CELL(t, i - 1, j), LCS_CELL(t, i, j - 1));
        }
    }
    return t;
}

void lcs_table_free(lcs_table *t) {
    zfree(t->cells);
    zfree(t);
}

uint32_t lcs_table_length(const lcs_table *t) {
    return LCS_CELL(t, t->alen, t->blen);
}

size_t lcs_table_walk(const lcs_table *t, char *seq, lcs_match *matches) {
    uint32_t i = t->alen, j = t->blen, left = lcs_table_length(t);
    size_t n = 0;
    int in_run = 0;
    lcs_match run = {0, 0, 0, 0};
    while (i > 0 && j > 0) {
        if (t->a[i - 1] == t->b[j - 1]) {
            if (seq) seq[--left] = t->a[i - 1];
            if (!in_run) {
                run.a_end = i - 1;
                run.b_end = j - 1;
                in_run = 1;
            }
            run.a_start = --i;
            run.b_start = --j;
            /* A run that reaches the start of either string ends here. */
            if (i == 0 || j == 0) {
                if (matches) matches[n] = run;
                n++;
                in_run = 0;
            }
            continue;
        }
        if (in_run) {
            if (matches) matches[n] = run;
            n++;
            in_run = 0;
        }
        if (LCS_CELL(t, i - 1, j) > LCS_CELL(t, i, j - 1)) i--;
        else j--;
    }
    return n;
}
