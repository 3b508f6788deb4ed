/* sample.h -- what HRANDFIELD, SRANDMEMBER and ZRANDMEMBER share: the
 * count argument, the choice of a sampling strategy, and the pieces each
 * strategy is built from (uniform draws, distinct indexes, a set of
 * picks already given). */
#ifndef MINIRED_SAMPLE_H
#define MINIRED_SAMPLE_H

#include <stdint.h>

#include "server.h"

/* A positive count below the size: when count * this exceeds the size,
 * shuffle a copy of everything; below, draw at random and drop repeats
 * (Redis's *_SUB_STRATEGY_MUL: each draw then repeats with probability
 * under 1/3). */
#define SAMPLE_SUB_STRATEGY_MUL 3

/* Parses the count form's arguments: argv[2] (the count) and, when
 * with_opt names one (WITHVALUES, WITHSCORES), an optional argv[3]; in
 * Redis 7.0's order and with its texts (without with_opt, more than three
 * arguments is a syntax error before the count is read). *with is 1 if
 * the option was given. Replies and returns -1 on error. */
int sample_parse_count(client *c, const char *with_opt, long *count, int *with);

enum sample_plan {
    SAMPLE_NONE,    /* count 0: an empty array */
    SAMPLE_REPEATS, /* negative count (or 1): |count| independent draws */
    SAMPLE_ALL,     /* count >= size: every element, once */
    SAMPLE_SHUFFLE, /* count near the size: a shuffled copy's first count */
    SAMPLE_DRAW,    /* count far below the size: draws, repeats dropped */
};
/* The strategy for count elements of a collection of size > 0. */
enum sample_plan sample_plan(long count, unsigned long size);
/* |count| as the number of elements to give. */
static inline unsigned long sample_abs(long count) {
    return count < 0 ? (unsigned long)-count : (unsigned long)count;
}

/* A uniform random number in [0, n), n > 0 (62 random bits, so sizes
 * past 2^31 are reachable too). */
unsigned long sample_below(unsigned long n);
/* count distinct indexes of [0, size), in random order (a partial
 * Fisher-Yates shuffle); count <= size. Returns new (zfree). */
unsigned long *sample_indexes(unsigned long size, unsigned long count);

/* A set of up to cap distinct non-zero 64-bit keys (open addressing): the
 * picks already given by SAMPLE_DRAW, with no allocation per draw. */
typedef struct sample_seen {
    uint64_t *slots;
    size_t mask;
} sample_seen;
void sample_seen_init(sample_seen *t, size_t cap);
/* Returns 1 if key (non-zero) was added, 0 if it was already there. */
int sample_seen_add(sample_seen *t, uint64_t key);
void sample_seen_free(sample_seen *t);

#endif
