/* t_zset_range.c -- sorted-set range commands: ZRANGE and its legacy
 * variants, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*, ZRANDMEMBER and
 * ZSCAN.
 *
 * Reads sets only through t_zset.h (cursors walk either encoding the same
 * way); writes only through zset_add / zset_delete and the skiplist's
 * range deletions. Every argument is parsed, in Redis's order, before the
 * key is looked up, so an error reply means nothing changed. */
#include <errno.h>
#include <limits.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "reply.h"
#include "scan.h"
#include "t_zset.h"
#include "util.h"
#include "zmalloc.h"

/* ZSCAN: elements asked for when no COUNT is given, and dict_scan calls
 * allowed per element asked for (so a sparse table cannot make one call
 * walk all of it). */
#define ZSCAN_STEPS_PER_ELEMENT 10
/* ZRANDMEMBER with a positive count below the size: when count * this
 * exceeds the size, shuffle a copy of every element; below, draw at
 * random and drop repeats (Redis's ZRANDMEMBER_SUB_STRATEGY_MUL). */
#define ZRANDMEMBER_COPY_RATIO 3
/* A dict shrinks after range deletions when fewer than this percent of
 * its slots are used (Redis's HASHTABLE_MIN_FILL). */
#define ZSET_DICT_MIN_FILL_PERCENT 10

enum zrange_type { ZRANGE_AUTO, ZRANGE_RANK, ZRANGE_SCORE, ZRANGE_LEX };
enum zrange_dir { ZRANGE_DIR_AUTO, ZRANGE_DIR_FORWARD, ZRANGE_DIR_REVERSE };

/* ---------------------------------------------------------- result sink */

/* Where a range goes: to the client (an array, pairs nested in RESP3), or
 * into a new set stored at dstkey (ZRANGESTORE). */
struct zrange_sink {
    client *c;
    int withscores;
    sds dstkey;   /* NULL: reply */
    robj *dst;    /* the set being built */
    void *deferred;
    long count;
    sds tmp;      /* scratch member for listpack sources */
};

/* Starts the result; len is the number of elements if known, else -1. */
static void sink_begin(struct zrange_sink *s, long len) {
    s->count = 0;
    s->tmp = NULL;
    s->deferred = NULL;
    if (s->dstkey) {
        s->dst = zset_create_object(0, 0);
        return;
    }
    long mult = (s->withscores && s->c->resp == RESP_PROTO_2) ? 2 : 1;
    if (len >= 0) reply_array_len(s->c, len * mult);
    else s->deferred = reply_deferred_len(s->c);
}

static void sink_emit(struct zrange_sink *s, const zset_elem *e) {
    s->count++;
    if (s->dstkey == NULL) {
        zset_reply_elem(s->c, e, s->withscores, s->c->resp == RESP_PROTO_3);
        return;
    }
    int out;
    zset_add(s->dst, e->score, zset_elem_sds(e, &s->tmp), 0, &out, NULL);
}

static void sink_end(struct zrange_sink *s) {
    sds_free(s->tmp);
    client *c = s->c;
    if (s->dstkey == NULL) {
        long mult = (s->withscores && c->resp == RESP_PROTO_2) ? 2 : 1;
        if (s->deferred) reply_set_deferred_array_len(c, s->deferred, s->count * mult);
        return;
    }
    zset_store_result(c, s->dstkey, s->dst, "zrangestore");
    reply_integer(c, s->count);
}

/* ---------------------------------------------------------- the three kinds */

static void zrange_by_rank(struct zrange_sink *s, robj *o, long start, long end, int reverse) {
    if (!zset_clamp_rank_range(&start, &end, (long)zset_length(o))) {
        sink_begin(s, 0);
        sink_end(s);
        return;
    }
    long n = end - start + 1;
    sink_begin(s, n);
    zset_cursor cur;
    zset_elem e;
    zset_cursor_at_index(&cur, o, (unsigned long)start, reverse);
    for (; n > 0 && zset_cursor_get(&cur, &e); n--, zset_cursor_next(&cur)) sink_emit(s, &e);
    sink_end(s);
}

/* Skips offset elements (a negative offset skips everything, as in Redis)
 * then emits up to limit (negative: no limit) while in_range holds. */
static void zrange_walk(struct zrange_sink *s, zset_cursor *cur, long offset, long limit,
                        int (*in_range)(const zset_elem *, const void *), const void *range) {
    zset_elem e;
    sink_begin(s, -1);
    if (offset < 0) {
        sink_end(s);
        return;
    }
    while (offset-- > 0 && zset_cursor_get(cur, &e)) zset_cursor_next(cur);
    for (; limit != 0 && zset_cursor_get(cur, &e); zset_cursor_next(cur)) {
        if (!in_range(&e, range)) break;
        sink_emit(s, &e);
        if (limit > 0) limit--;
    }
    sink_end(s);
}

struct score_bound {
    const zsl_range *r;
    int reverse;
};

/* The far bound of a score range in walking direction. */
static int score_far_ok(const zset_elem *e, const void *p) {
    const struct score_bound *b = p;
    return b->reverse ? zsl_value_gte_min(e->score, b->r) : zsl_value_lte_max(e->score, b->r);
}

struct lex_bound {
    const zsl_lex_range *r;
    int reverse;
};

static int lex_far_ok(const zset_elem *e, const void *p) {
    const struct lex_bound *b = p;
    return b->reverse ? zset_lex_gte_min(e->ele, e->len, b->r) : zset_lex_lte_max(e->ele, e->len, b->r);
}

static void zrange_by_score(struct zrange_sink *s, robj *o, const zsl_range *r, int reverse, long offset,
                            long limit) {
    if (offset > 0 && (unsigned long)offset >= zset_length(o)) {
        sink_begin(s, 0);
        sink_end(s);
        return;
    }
    zset_cursor cur;
    zset_cursor_at_score(&cur, o, r, reverse);
    struct score_bound b = {r, reverse};
    zrange_walk(s, &cur, offset, limit, score_far_ok, &b);
}

static void zrange_by_lex(struct zrange_sink *s, robj *o, const zsl_lex_range *r, int reverse, long offset,
                          long limit) {
    if (offset > 0 && (unsigned long)offset >= zset_length(o)) {
        sink_begin(s, 0);
        sink_end(s);
        return;
    }
    zset_cursor cur;
    zset_cursor_at_lex(&cur, o, r, reverse);
    struct lex_bound b = {r, reverse};
    zrange_walk(s, &cur, offset, limit, lex_far_ok, &b);
}

/* ---------------------------------------------------------- ZRANGE & co */

static int parse_long_arg(client *c, sds arg, long *v) {
    if (string2l(arg, sds_len(arg), v)) return 0;
    reply_error_not_integer(c);
    return -1;
}

/* Everything a ZRANGE-like command asked for. */
struct zrange_args {
    enum zrange_type type;
    enum zrange_dir dir;
    int withscores;
    long offset, limit;
    int minidx, maxidx;
};

/* Parses the options after key min max; replies and returns -1 on error. */
static int zrange_parse_opts(client *c, int argv_start, int store, struct zrange_args *a) {
    for (int j = argv_start + 3; j < c->argc; j++) {
        int left = c->argc - j - 1;
        const char *opt = c->argv[j];
        if (!store && !strcasecmp(opt, "withscores")) {
            a->withscores = 1;
        } else if (!strcasecmp(opt, "limit") && left >= 2) {
            if (parse_long_arg(c, c->argv[j + 1], &a->offset) < 0 || parse_long_arg(c, c->argv[j + 2], &a->limit) < 0)
                return -1;
            j += 2;
        } else if (a->dir == ZRANGE_DIR_AUTO && !strcasecmp(opt, "rev")) {
            a->dir = ZRANGE_DIR_REVERSE;
        } else if (a->type == ZRANGE_AUTO && !strcasecmp(opt, "bylex")) {
            a->type = ZRANGE_LEX;
        } else if (a->type == ZRANGE_AUTO && !strcasecmp(opt, "byscore")) {
            a->type = ZRANGE_SCORE;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    if (a->dir == ZRANGE_DIR_AUTO) a->dir = ZRANGE_DIR_FORWARD;
    if (a->type == ZRANGE_AUTO) a->type = ZRANGE_RANK;
    if (a->limit != -1 && a->type == ZRANGE_RANK) {
        reply_error(c, "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        return -1;
    }
    if (a->withscores && a->type == ZRANGE_LEX) {
        reply_error(c, "syntax error, WITHSCORES not supported in combination with BYLEX");
        return -1;
    }
    /* Reverse score and lex ranges are written max first. */
    if (a->dir == ZRANGE_DIR_REVERSE && a->type != ZRANGE_RANK) {
        int t = a->minidx;
        a->minidx = a->maxidx;
        a->maxidx = t;
    }
    return 0;
}

/* The parsed range of one of the three kinds. */
struct zrange_bounds {
    long start, end;
    zsl_range score;
    zsl_lex_range lex;
};

static int zrange_parse_bounds(client *c, const struct zrange_args *a, struct zrange_bounds *b) {
    sds min = c->argv[a->minidx], max = c->argv[a->maxidx];
    const char *err;
    switch (a->type) {
    case ZRANGE_SCORE:
        if (zsl_parse_range(min, max, &b->score, &err) == 0) return 0;
        break;
    case ZRANGE_LEX:
        if (zsl_parse_lex_range(min, sds_len(min), max, sds_len(max), &b->lex, &err) == 0) return 0;
        break;
    default:
        if (parse_long_arg(c, min, &b->start) < 0 || parse_long_arg(c, max, &b->end) < 0) return -1;
        return 0;
    }
    reply_error(c, err);
    return -1;
}

/* ZRANGE, ZRANGESTORE and the legacy forms: argv_start is the source
 * key's index; type and dir are fixed by the legacy commands. */
static void zrange_generic(client *c, int argv_start, sds dstkey, enum zrange_type type, enum zrange_dir dir) {
    struct zrange_args a = {.type = type, .dir = dir, .offset = 0, .limit = -1,
                            .minidx = argv_start + 1, .maxidx = argv_start + 2};
    if (zrange_parse_opts(c, argv_start, dstkey != NULL, &a) < 0) return;
    struct zrange_bounds b;
    if (zrange_parse_bounds(c, &a, &b) < 0) return;
    struct zrange_sink s = {.c = c, .withscores = a.withscores, .dstkey = dstkey};
    int err;
    robj *o = zset_lookup(c, c->argv[argv_start], 0, &err); /* read lookup, even for ZRANGESTORE */
    if (err || o == NULL) {
        if (!err) {
            sink_begin(&s, 0);
            sink_end(&s);
        }
        if (a.type == ZRANGE_LEX) zsl_free_lex_range(&b.lex);
        return;
    }
    int reverse = a.dir == ZRANGE_DIR_REVERSE;
    switch (a.type) {
    case ZRANGE_SCORE: zrange_by_score(&s, o, &b.score, reverse, a.offset, a.limit); break;
    case ZRANGE_LEX:
        zrange_by_lex(&s, o, &b.lex, reverse, a.offset, a.limit);
        zsl_free_lex_range(&b.lex);
        break;
    default: zrange_by_rank(&s, o, b.start, b.end, reverse); break;
    }
}

void zrange_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_AUTO, ZRANGE_DIR_AUTO);
}

void zrangestore_command(client *c) {
    zrange_generic(c, 2, c->argv[1], ZRANGE_AUTO, ZRANGE_DIR_AUTO);
}

void zrevrange_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_RANK, ZRANGE_DIR_REVERSE);
}

void zrangebyscore_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_SCORE, ZRANGE_DIR_FORWARD);
}

void zrevrangebyscore_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_SCORE, ZRANGE_DIR_REVERSE);
}

void zrangebylex_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_LEX, ZRANGE_DIR_FORWARD);
}

void zrevrangebylex_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_LEX, ZRANGE_DIR_REVERSE);
}

/* ---------------------------------------------------------- counting */

/* Elements from the cursor's position on while in_range holds. */
static unsigned long count_walk(zset_cursor *cur, int (*in_range)(const zset_elem *, const void *),
                                const void *range) {
    unsigned long n = 0;
    zset_elem e;
    for (; zset_cursor_get(cur, &e) && in_range(&e, range); zset_cursor_next(cur)) n++;
    return n;
}

/* Skiplist count between two nodes by rank (O(log n)). */
static unsigned long count_by_rank(zskiplist *zsl, zsl_node *first, zsl_node *last) {
    if (first == NULL || last == NULL) return 0;
    unsigned long r1 = zsl_get_rank(zsl, first->score, first->ele);
    unsigned long r2 = zsl_get_rank(zsl, last->score, last->ele);
    return r2 >= r1 ? r2 - r1 + 1 : 0;
}

void zcount_command(client *c) {
    zsl_range r;
    const char *err;
    if (zsl_parse_range(c->argv[2], c->argv[3], &r, &err) < 0) {
        reply_error(c, err);
        return;
    }
    int lerr;
    robj *o = zset_lookup(c, c->argv[1], 0, &lerr);
    if (lerr) return;
    unsigned long n = 0;
    if (o && o->encoding == OBJ_ENCODING_SKIPLIST) {
        zskiplist *zsl = ((zset *)o->ptr)->zsl;
        n = count_by_rank(zsl, zsl_first_in_range(zsl, &r), zsl_last_in_range(zsl, &r));
    } else if (o) {
        zset_cursor cur;
        struct score_bound b = {&r, 0};
        zset_cursor_at_score(&cur, o, &r, 0);
        n = count_walk(&cur, score_far_ok, &b);
    }
    reply_integer(c, (long long)n);
}

void zlexcount_command(client *c) {
    zsl_lex_range r;
    const char *err;
    sds min = c->argv[2], max = c->argv[3];
    if (zsl_parse_lex_range(min, sds_len(min), max, sds_len(max), &r, &err) < 0) {
        reply_error(c, err);
        return;
    }
    int lerr;
    robj *o = zset_lookup(c, c->argv[1], 0, &lerr);
    unsigned long n = 0;
    if (!lerr && o && o->encoding == OBJ_ENCODING_SKIPLIST) {
        zskiplist *zsl = ((zset *)o->ptr)->zsl;
        n = count_by_rank(zsl, zsl_first_in_lex_range(zsl, &r), zsl_last_in_lex_range(zsl, &r));
    } else if (!lerr && o) {
        zset_cursor cur;
        struct lex_bound b = {&r, 0};
        zset_cursor_at_lex(&cur, o, &r, 0);
        n = count_walk(&cur, lex_far_ok, &b);
    }
    zsl_free_lex_range(&r);
    if (!lerr) reply_integer(c, (long long)n);
}

/* ---------------------------------------------------------- ZREMRANGEBY* */

static void zset_removed_from_dict(void *privdata, sds ele) {
    dict_delete(privdata, ele);
}

/* Gives a mostly empty table back, as Redis does after range deletions. */
static void zset_dict_maybe_shrink(dict *d) {
    unsigned long slots = dict_slots(d);
    if (slots > DICT_HT_SIZE(DICT_HT_INITIAL_EXP) && dict_size(d) * 100 / slots < ZSET_DICT_MIN_FILL_PERCENT)
        dict_resize(d);
}

/* Listpack: deletes the run of pairs from the cursor's position on while
 * in_range holds; returns how many. */
static unsigned long zlp_delete_run(robj *o, zset_cursor *cur, int (*in_range)(const zset_elem *, const void *),
                                    const void *range) {
    unsigned char *start = cur->eptr;
    unsigned long n = count_walk(cur, in_range, range);
    if (n) o->ptr = lp_delete_range_entry(o->ptr, &start, 2 * n);
    return n;
}

static unsigned long zremrange_rank(robj *o, long start, long end) {
    if (!zset_clamp_rank_range(&start, &end, (long)zset_length(o))) return 0;
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        o->ptr = lp_delete_range(o->ptr, 2 * start, (unsigned long)(2 * (end - start + 1)));
        return (unsigned long)(end - start + 1);
    }
    zset *zs = o->ptr;
    return zsl_delete_range_by_rank(zs->zsl, (unsigned long)start + 1, (unsigned long)end + 1,
                                    zset_removed_from_dict, zs->dict);
}

static unsigned long zremrange_score(robj *o, const zsl_range *r) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        zset_cursor cur;
        struct score_bound b = {r, 0};
        zset_cursor_at_score(&cur, o, r, 0);
        return zlp_delete_run(o, &cur, score_far_ok, &b);
    }
    zset *zs = o->ptr;
    return zsl_delete_range_by_score(zs->zsl, r, zset_removed_from_dict, zs->dict);
}

static unsigned long zremrange_lex(robj *o, const zsl_lex_range *r) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        zset_cursor cur;
        struct lex_bound b = {r, 0};
        zset_cursor_at_lex(&cur, o, r, 0);
        return zlp_delete_run(o, &cur, lex_far_ok, &b);
    }
    zset *zs = o->ptr;
    return zsl_delete_range_by_lex(zs->zsl, r, zset_removed_from_dict, zs->dict);
}

static void zremrange_generic(client *c, enum zrange_type type) {
    struct zrange_args a = {.type = type, .minidx = 2, .maxidx = 3};
    struct zrange_bounds b;
    if (zrange_parse_bounds(c, &a, &b) < 0) return;
    int err;
    robj *o = zset_lookup(c, c->argv[1], 1, &err);
    unsigned long deleted = 0;
    if (!err && o) {
        if (type == ZRANGE_SCORE) deleted = zremrange_score(o, &b.score);
        else if (type == ZRANGE_LEX) deleted = zremrange_lex(o, &b.lex);
        else deleted = zremrange_rank(o, b.start, b.end);
        if (o->encoding == OBJ_ENCODING_SKIPLIST) zset_dict_maybe_shrink(((zset *)o->ptr)->dict);
        static const char *const events[] = {
            [ZRANGE_RANK] = "zremrangebyrank", [ZRANGE_SCORE] = "zremrangebyscore", [ZRANGE_LEX] = "zremrangebylex"};
        if (deleted) zset_removed(c, c->argv[1], o, events[type], deleted);
    }
    if (type == ZRANGE_LEX) zsl_free_lex_range(&b.lex);
    if (!err) reply_integer(c, (long long)deleted);
}

void zremrangebyrank_command(client *c) {
    zremrange_generic(c, ZRANGE_RANK);
}

void zremrangebyscore_command(client *c) {
    zremrange_generic(c, ZRANGE_SCORE);
}

void zremrangebylex_command(client *c) {
    zremrange_generic(c, ZRANGE_LEX);
}

/* ---------------------------------------------------------- ZRANDMEMBER */

/* A uniformly drawn element of a non-empty set. */
static void zset_random_elem(robj *o, zset_elem *e) {
    if (o->encoding == OBJ_ENCODING_SKIPLIST) {
        dict_entry *de = dict_get_fair_random_key(((zset *)o->ptr)->dict);
        e->s = dict_get_key(de);
        e->ele = e->s;
        e->len = sds_len(e->s);
        e->score = dict_get_double_val(de);
        return;
    }
    zset_cursor cur;
    zset_cursor_at_index(&cur, o, (unsigned long)random() % zset_length(o), 0);
    zset_cursor_get(&cur, e);
}

static uint64_t ptr_hash(const void *key) {
    return dict_gen_hash_function(&key, sizeof(key));
}

/* Set of node pointers (keys compared by address). */
static dict_type ptr_set_type = {.hash = ptr_hash};

/* count distinct elements of a set larger than count, in random order. */
static void zrandmember_distinct(client *c, robj *o, unsigned long count, int withscores) {
    unsigned long size = zset_length(o);
    int nested = c->resp == RESP_PROTO_3;
    reply_array_len(c, (long)(withscores && !nested ? count * 2 : count));
    zset_elem e;
    if (o->encoding == OBJ_ENCODING_SKIPLIST && count * ZRANDMEMBER_COPY_RATIO <= size) {
        /* Few out of many: draw and drop repeats. */
        dict *seen = dict_create(&ptr_set_type);
        while (dict_size(seen) < count) {
            zset_random_elem(o, &e);
            if (dict_add(seen, e.s, NULL) == DICT_OK) zset_reply_elem(c, &e, withscores, nested);
        }
        dict_release(seen);
        return;
    }
    /* Many out of the set: partial Fisher-Yates over its indexes. */
    unsigned long *idx = zmalloc(sizeof(*idx) * size);
    for (unsigned long i = 0; i < size; i++) idx[i] = i;
    for (unsigned long i = 0; i < count; i++) {
        unsigned long j = i + (unsigned long)random() % (size - i);
        unsigned long t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        zset_cursor cur;
        zset_cursor_at_index(&cur, o, idx[i], 0);
        zset_cursor_get(&cur, &e);
        zset_reply_elem(c, &e, withscores, nested);
    }
    zfree(idx);
}

static void zrandmember_with_count(client *c, long l, int withscores) {
    int err;
    robj *o = zset_lookup(c, c->argv[1], 0, &err);
    if (err) return;
    if (o == NULL || l == 0) {
        reply_array_len(c, 0);
        return;
    }
    int nested = c->resp == RESP_PROTO_3;
    unsigned long size = zset_length(o);
    unsigned long count = l < 0 ? (unsigned long)-l : (unsigned long)l;
    zset_elem e;
    if (l < 0 || count == 1) {
        /* Repeats allowed: each draw is independent. */
        reply_array_len(c, (long)(withscores && !nested ? count * 2 : count));
        while (count--) {
            zset_random_elem(o, &e);
            zset_reply_elem(c, &e, withscores, nested);
        }
        return;
    }
    if (count >= size) {
        /* The whole set, highest score first: Redis's order here. */
        reply_array_len(c, (long)(withscores && !nested ? size * 2 : size));
        zset_cursor cur;
        for (zset_cursor_at_index(&cur, o, 0, 1); zset_cursor_get(&cur, &e); zset_cursor_next(&cur))
            zset_reply_elem(c, &e, withscores, nested);
        return;
    }
    zrandmember_distinct(c, o, count, withscores);
}

void zrandmember_command(client *c) {
    if (c->argc >= 3) {
        long l;
        if (!string2l(c->argv[2], sds_len(c->argv[2]), &l)) {
            reply_error_not_integer(c);
            return;
        }
        if (l == LONG_MIN) {
            reply_error_format(c, "value is out of range, value must between %ld and %ld", -LONG_MAX, LONG_MAX);
            return;
        }
        if (c->argc > 4 || (c->argc == 4 && strcasecmp(c->argv[3], "withscores"))) {
            reply_error_syntax(c);
            return;
        }
        int withscores = c->argc == 4;
        if (withscores && (l < -LONG_MAX / 2 || l > LONG_MAX / 2)) {
            reply_error(c, "value is out of range");
            return;
        }
        zrandmember_with_count(c, l, withscores);
        return;
    }
    int err;
    robj *o = zset_lookup(c, c->argv[1], 0, &err);
    if (err) return;
    if (o == NULL) {
        reply_null(c);
        return;
    }
    zset_elem e;
    zset_random_elem(o, &e);
    reply_bulk(c, e.ele, e.len);
}

/* ---------------------------------------------------------- ZSCAN */

/* A skiplist score as Redis 7.0's ZSCAN writes it (%.17Lg of the value:
 * -0 stays "-0", 1e17 is "1e+17"). */
static void zscan_reply_pair(client *c, const char *ele, size_t len, double score) {
    char buf[MAX_D2STRING_CHARS];
    reply_bulk(c, ele, len);
    reply_bulk(c, buf, (size_t)snprintf(buf, sizeof(buf), "%.17g", score));
}

struct zscan_batch {
    const dict_entry **des;
    size_t n, cap;
};

static void zscan_collect(void *privdata, const dict_entry *de) {
    struct zscan_batch *b = privdata;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : SCAN_DEFAULT_COUNT * 2;
        b->des = zrealloc(b->des, sizeof(*b->des) * b->cap);
    }
    b->des[b->n++] = de;
}

static void zscan_dict(client *c, dict *d, unsigned long cursor, long count, sds pattern) {
    struct zscan_batch b = {0};
    long steps = count * ZSCAN_STEPS_PER_ELEMENT;
    /* dict_scan returns every element present for the whole scan at least
     * once, whatever rehashing happens between calls. */
    do {
        cursor = dict_scan(d, cursor, zscan_collect, &b);
    } while (cursor && --steps > 0 && b.n < (size_t)count);
    size_t kept = 0;
    for (size_t i = 0; i < b.n; i++) {
        sds m = dict_get_key(b.des[i]);
        if (scan_match(pattern, m, sds_len(m))) b.des[kept++] = b.des[i];
    }
    reply_array_len(c, 2);
    reply_bulk_ll(c, (long long)cursor);
    reply_array_len(c, (long)kept * 2);
    for (size_t i = 0; i < kept; i++) {
        sds m = dict_get_key(b.des[i]);
        zscan_reply_pair(c, m, sds_len(m), b.des[i]->v.d);
    }
    zfree(b.des);
}

/* A listpack set is small: everything in one call, cursor 0, scores as
 * the text stored in the listpack (which is what Redis shows). */
static void zscan_listpack(client *c, robj *o, sds pattern) {
    zset_cursor cur;
    zset_elem e;
    long n = 0;
    for (zset_cursor_at_index(&cur, o, 0, 0); zset_cursor_get(&cur, &e); zset_cursor_next(&cur))
        n += scan_match(pattern, e.ele, e.len);
    reply_array_len(c, 2);
    reply_bulk(c, "0", 1);
    reply_array_len(c, n * 2);
    for (zset_cursor_at_index(&cur, o, 0, 0); zset_cursor_get(&cur, &e); zset_cursor_next(&cur)) {
        if (!scan_match(pattern, e.ele, e.len)) continue;
        unsigned char buf[LP_INTBUF_SIZE];
        const unsigned char *s;
        uint32_t slen;
        lp_get(lp_next(o->ptr, cur.eptr), NULL, &s, &slen, buf);
        reply_bulk(c, e.ele, e.len);
        reply_bulk(c, (const char *)s, slen);
    }
}

void zscan_command(client *c) {
    unsigned long cursor;
    if (scan_parse_cursor(c, c->argv[2], &cursor) < 0) return;
    int err;
    robj *o = zset_lookup(c, c->argv[1], 0, &err);
    if (err) return;
    if (o == NULL) {
        reply_array_len(c, 2);
        reply_bulk(c, "0", 1);
        reply_array_len(c, 0);
        return;
    }
    struct scan_opts opts;
    if (scan_parse_opts(c, 3, 0, &opts) < 0) return;
    long count = opts.count;
    sds pattern = opts.pattern;
    if (o->encoding == OBJ_ENCODING_LISTPACK) zscan_listpack(c, o, pattern);
    else zscan_dict(c, ((zset *)o->ptr)->dict, cursor, count, pattern);
}
