/* sample.c -- random sampling shared by HRANDFIELD, SRANDMEMBER and
 * ZRANDMEMBER (see sample.h).
 *
 * Owns nothing; replies only the count argument's errors. Each command
 * keeps what differs by type and encoding: how an element is drawn,
 * copied and replied. The strategy choice lives here alone, so the three
 * cannot drift apart on Redis's thresholds. */
#include "sample.h"

#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "reply.h"
#include "util.h"
#include "zmalloc.h"

/* Multiplier of the open-addressing table's hash (Fibonacci hashing). */
#define SAMPLE_SEEN_HASH_MUL 0x9E3779B97F4A7C15ULL
#define SAMPLE_SEEN_MIN_SLOTS 16

int sample_parse_count(client *c, const char *with_opt, long *count, int *with) {
    *with = 0;
    if (with_opt == NULL && c->argc > 3) {
        reply_error_syntax(c);
        return -1;
    }
    long long l;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &l)) {
        reply_error_not_integer(c);
        return -1;
    }
    if (l < -LONG_MAX || l > LONG_MAX) {
        reply_error_format(c, "value is out of range, value must between %ld and %ld", -LONG_MAX, LONG_MAX);
        return -1;
    }
    if (c->argc > 4 || (c->argc == 4 && strcasecmp(c->argv[3], with_opt) != 0)) {
        reply_error_syntax(c);
        return -1;
    }
    *with = c->argc == 4;
    /* Twice the count must still be a valid reply length. */
    if (*with && (l < -LONG_MAX / 2 || l > LONG_MAX / 2)) {
        reply_error(c, "value is out of range");
        return -1;
    }
    *count = (long)l;
    return 0;
}

enum sample_plan sample_plan(long count, unsigned long size) {
    if (count == 0) return SAMPLE_NONE;
    if (count < 0 || count == 1) return SAMPLE_REPEATS;
    unsigned long n = (unsigned long)count;
    if (n >= size) return SAMPLE_ALL;
    return n * SAMPLE_SUB_STRATEGY_MUL > size ? SAMPLE_SHUFFLE : SAMPLE_DRAW;
}

unsigned long sample_below(unsigned long n) {
    unsigned long r = ((unsigned long)random() << 31) ^ (unsigned long)random();
    return r % n;
}

unsigned long *sample_indexes(unsigned long size, unsigned long count) {
    unsigned long *idx = zmalloc(sizeof(*idx) * (size ? size : 1));
    for (unsigned long i = 0; i < size; i++) idx[i] = i;
    for (unsigned long i = 0; i < count; i++) {
        unsigned long j = i + sample_below(size - i);
        unsigned long t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
    return idx;
}

void sample_seen_init(sample_seen *t, size_t cap) {
    size_t n = SAMPLE_SEEN_MIN_SLOTS;
    while (n < cap * 2) n <<= 1;
    t->slots = zcalloc(n * sizeof(uint64_t));
    t->mask = n - 1;
}

int sample_seen_add(sample_seen *t, uint64_t key) {
    /* Fewer than half the slots are ever used: a probe always ends. */
    size_t i = (size_t)((key * SAMPLE_SEEN_HASH_MUL) >> 17) & t->mask;
    while (t->slots[i]) {
        if (t->slots[i] == key) return 0;
        i = (i + 1) & t->mask;
    }
    t->slots[i] = key;
    return 1;
}

void sample_seen_free(sample_seen *t) {
    zfree(t->slots);
}
