/* t_zset_store.c -- sorted-set algebra: ZUNION, ZINTER, ZDIFF, their
 * *STORE forms and ZINTERCARD.
 *
 * Inputs may be sorted sets or plain sets (whose members score 1), read
 * through their encodings without changing them; the result is built as a
 * new skiplist set and, when stored, sized down to a listpack if it fits,
 * as Redis does. Arguments are all checked before anything is computed;
 * the destination is written (or deleted, for an empty result) last. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "intset.h"
#include "reply.h"
#include "t_zset.h"
#include "util.h"
#include "zmalloc.h"

enum zop_kind { ZOP_UNION, ZOP_INTER, ZOP_DIFF };
enum zop_aggregate { ZOP_AGGR_SUM, ZOP_AGGR_MIN, ZOP_AGGR_MAX };

/* One input: a sorted set, a set, or NULL for a missing key (empty). */
struct zop_src {
    robj *o;
    double weight;
};

/* A walk over any input's elements (sets yield score 1). */
struct zop_iter {
    const struct zop_src *src;
    zset_cursor zc;
    uint32_t ipos;
    dict_iterator di;
};

static unsigned long zop_src_length(const struct zop_src *s) {
    if (s->o == NULL) return 0;
    if (s->o->type == OBJ_ZSET) return zset_length(s->o);
    if (s->o->encoding == OBJ_ENCODING_INTSET) return intset_len(s->o->ptr);
    return dict_size((dict *)s->o->ptr);
}

static void zop_iter_init(struct zop_iter *it, const struct zop_src *s) {
    it->src = s;
    it->ipos = 0;
    if (s->o == NULL) return;
    if (s->o->type == OBJ_ZSET) zset_cursor_at_index(&it->zc, s->o, 0, 0);
    else if (s->o->encoding != OBJ_ENCODING_INTSET) dict_init_iterator(&it->di, s->o->ptr);
}

static void zop_iter_end(struct zop_iter *it) {
    const robj *o = it->src->o;
    if (o && o->type == OBJ_SET && o->encoding != OBJ_ENCODING_INTSET) dict_reset_iterator(&it->di);
}

/* Fills e with the next element; returns 0 at the end. */
static int zop_iter_next(struct zop_iter *it, zset_elem *e) {
    const robj *o = it->src->o;
    if (o == NULL) return 0;
    if (o->type == OBJ_ZSET) {
        if (!zset_cursor_get(&it->zc, e)) return 0;
        zset_cursor_next(&it->zc);
        return 1;
    }
    e->score = 1.0;
    if (o->encoding == OBJ_ENCODING_INTSET) {
        int64_t v;
        if (intset_get(o->ptr, it->ipos++, &v) != 0) return 0;
        e->len = (size_t)ll2string(e->buf, sizeof(e->buf), v);
        e->ele = e->buf;
        e->s = NULL;
        return 1;
    }
    dict_entry *de = dict_next(&it->di);
    if (de == NULL) return 0;
    e->s = dict_get_key(de);
    e->ele = e->s;
    e->len = sds_len(e->s);
    return 1;
}

/* 1 and *score (unweighted) if e is in s; *tmp is scratch (see
 * zset_elem_sds). */
static int zop_find(const struct zop_src *s, const zset_elem *e, sds *tmp, double *score) {
    robj *o = s->o;
    if (o == NULL) return 0;
    if (o->type == OBJ_ZSET) return zset_score(o, zset_elem_sds(e, tmp), score);
    *score = 1.0;
    if (o->encoding == OBJ_ENCODING_INTSET) {
        long long v;
        return string2ll(e->ele, e->len, &v) && intset_find(o->ptr, v);
    }
    return dict_find(o->ptr, zset_elem_sds(e, tmp)) != NULL;
}

static void zop_aggregate(double *target, double val, enum zop_aggregate aggr) {
    if (aggr == ZOP_AGGR_SUM) {
        *target += val;
        if (isnan(*target)) *target = 0.0; /* inf + -inf */
    } else if (aggr == ZOP_AGGR_MIN) {
        *target = val < *target ? val : *target;
    } else {
        *target = val > *target ? val : *target;
    }
}

/* ---------------------------------------------------------- the result */

/* The set being computed (skiplist encoded) and what the final encoding
 * choice needs to know about its members. */
struct zop_result {
    robj *o;
    zset *zs;
    size_t maxelelen, totelelen;
    unsigned long card; /* ZINTERCARD */
};

/* Takes ele: a new member of the result. */
static void zop_result_add(struct zop_result *r, sds ele, double score) {
    size_t len = sds_len(ele);
    if (len > r->maxelelen) r->maxelelen = len;
    r->totelelen += len;
    zsl_insert(r->zs->zsl, score, ele);
    dict_set_double_val(dict_add_raw(r->zs->dict, ele, NULL), score);
}

static void zop_union(struct zop_src *src, long n, enum zop_aggregate aggr, struct zop_result *r) {
    dict *acc = r->zs->dict; /* member -> running score; keys go to zsl at the end */
    sds tmp = NULL;
    zset_elem e;
    if (n) dict_expand(acc, zop_src_length(&src[n - 1]));
    for (long i = 0; i < n; i++) {
        struct zop_iter it;
        zop_iter_init(&it, &src[i]);
        while (zop_iter_next(&it, &e)) {
            double score = src[i].weight * e.score;
            if (isnan(score)) score = 0; /* 0 * inf */
            dict_entry *de = dict_find(acc, zset_elem_sds(&e, &tmp));
            if (de) {
                zop_aggregate(&de->v.d, score, aggr);
                continue;
            }
            sds ele = sds_new_len(e.ele, e.len);
            if (e.len > r->maxelelen) r->maxelelen = e.len;
            r->totelelen += e.len;
            dict_set_double_val(dict_add_raw(acc, ele, NULL), score);
        }
        zop_iter_end(&it);
    }
    sds_free(tmp);
    dict_iterator di;
    dict_init_iterator(&di, acc);
    dict_entry *de;
    while ((de = dict_next(&di)) != NULL) zsl_insert(r->zs->zsl, dict_get_double_val(de), dict_get_key(de));
    dict_reset_iterator(&di);
}

/* Intersection (or its size only, stopping at limit when limit > 0). */
static void zop_inter(struct zop_src *src, long n, enum zop_aggregate aggr, int card_only, long limit,
                      struct zop_result *r) {
    if (zop_src_length(&src[0]) == 0) return;
    sds tmp = NULL;
    zset_elem e;
    struct zop_iter it;
    zop_iter_init(&it, &src[0]);
    while (zop_iter_next(&it, &e)) {
        double score = src[0].weight * e.score;
        if (isnan(score)) score = 0;
        long j;
        for (j = 1; j < n; j++) {
            double value;
            /* Never look up the set being walked: same object, same score. */
            if (src[j].o == src[0].o) value = e.score;
            else if (!zop_find(&src[j], &e, &tmp, &value)) break;
            zop_aggregate(&score, value * src[j].weight, aggr);
        }
        if (j < n) continue;
        if (card_only) {
            if (++r->card == (unsigned long)limit && limit > 0) break;
        } else {
            zop_result_add(r, sds_new_len(e.ele, e.len), score);
        }
    }
    zop_iter_end(&it);
    sds_free(tmp);
}

/* Members of the first input found in none of the others. */
static void zop_diff(struct zop_src *src, long n, struct zop_result *r) {
    sds tmp = NULL;
    zset_elem e;
    struct zop_iter it;
    zop_iter_init(&it, &src[0]);
    while (zop_iter_next(&it, &e)) {
        long j;
        for (j = 1; j < n; j++) {
            double unused;
            if (src[j].o == src[0].o || zop_find(&src[j], &e, &tmp, &unused)) break;
        }
        if (j == n) zop_result_add(r, sds_new_len(e.ele, e.len), e.score);
    }
    zop_iter_end(&it);
    sds_free(tmp);
}

/* ---------------------------------------------------------- arguments */

struct zop_args {
    long n;
    struct zop_src *src;
    enum zop_aggregate aggr;
    int withscores;
    long limit;
};

/* Reads numkeys and the input keys (read lookups, counted in keyspace
 * hits and misses even for the STORE forms, as Redis 7.0 does). Returns -1
 * after replying an error. */
static int zop_parse_keys(client *c, int numkeys_idx, struct zop_args *a) {
    if (!string2l(c->argv[numkeys_idx], sds_len(c->argv[numkeys_idx]), &a->n)) {
        reply_error_not_integer(c);
        return -1;
    }
    if (a->n < 1) {
        reply_error_format(c, "at least 1 input key is needed for '%s' command", c->cmd->fullname);
        return -1;
    }
    if (a->n > (long)c->argc - numkeys_idx - 1) {
        reply_error_syntax(c);
        return -1;
    }
    a->src = zmalloc(sizeof(*a->src) * (size_t)a->n);
    for (long i = 0; i < a->n; i++) {
        sds key = c->argv[numkeys_idx + 1 + i];
        robj *o = db_lookup_read(c->db, key);
        if (o && o->type != OBJ_ZSET && o->type != OBJ_SET) {
            db_check_type(c, o, OBJ_ZSET);
            return -1;
        }
        a->src[i].o = o;
        a->src[i].weight = 1.0;
    }
    return 0;
}

/* Reads WEIGHTS / AGGREGATE / WITHSCORES / LIMIT, each where allowed, in
 * Redis's order of checks. Returns -1 after replying an error. */
static int zop_parse_opts(client *c, int j, enum zop_kind kind, int store, int card_only, struct zop_args *a) {
    int algebra = kind != ZOP_DIFF && !card_only;
    while (j < c->argc) {
        long remaining = c->argc - j;
        const char *opt = c->argv[j];
        if (algebra && remaining >= a->n + 1 && !strcasecmp(opt, "weights")) {
            j++;
            for (long i = 0; i < a->n; i++, j++) {
                if (!string2d(c->argv[j], sds_len(c->argv[j]), &a->src[i].weight)) {
                    reply_error(c, "weight value is not a float");
                    return -1;
                }
            }
        } else if (algebra && remaining >= 2 && !strcasecmp(opt, "aggregate")) {
            const char *v = c->argv[j + 1];
            if (!strcasecmp(v, "sum")) a->aggr = ZOP_AGGR_SUM;
            else if (!strcasecmp(v, "min")) a->aggr = ZOP_AGGR_MIN;
            else if (!strcasecmp(v, "max")) a->aggr = ZOP_AGGR_MAX;
            else {
                reply_error_syntax(c);
                return -1;
            }
            j += 2;
        } else if (!store && !card_only && !strcasecmp(opt, "withscores")) {
            a->withscores = 1;
            j++;
        } else if (card_only && remaining >= 2 && !strcasecmp(opt, "limit")) {
            if (!string2l(c->argv[j + 1], sds_len(c->argv[j + 1]), &a->limit) || a->limit < 0) {
                reply_error(c, "LIMIT can't be negative");
                return -1;
            }
            j += 2;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    return 0;
}

/* Smallest input first (stable, so equal sizes keep their order): fewer
 * lookups for an intersection, and the order Redis sums a union in. */
static void zop_sort_by_size(struct zop_src *src, long n) {
    for (long i = 1; i < n; i++) {
        struct zop_src t = src[i];
        unsigned long len = zop_src_length(&t);
        long j = i - 1;
        for (; j >= 0 && zop_src_length(&src[j]) > len; j--) src[j + 1] = src[j];
        src[j + 1] = t;
    }
}

/* ---------------------------------------------------------- output */

static void zop_reply(client *c, const struct zop_result *r, int withscores) {
    int nested = c->resp == RESP_PROTO_3;
    unsigned long n = r->zs->zsl->length;
    reply_array_len(c, (long)(withscores && !nested ? n * 2 : n));
    for (zsl_node *x = r->zs->zsl->header->level[0].forward; x; x = x->level[0].forward) {
        if (withscores && nested) reply_array_len(c, 2);
        reply_bulk_sds(c, x->ele);
        if (withscores) reply_double(c, x->score);
    }
}

/* Takes the result: stores it at dstkey (or deletes dstkey if empty). */
static void zop_store(client *c, sds dstkey, enum zop_kind kind, struct zop_result *r) {
    static const char *const events[] = {
        [ZOP_UNION] = "zunionstore", [ZOP_INTER] = "zinterstore", [ZOP_DIFF] = "zdiffstore"};
    unsigned long n = r->zs->zsl->length;
    if (n) zset_convert_to_listpack_if_fits(r->o, r->maxelelen, r->totelelen);
    zset_store_result(c, dstkey, r->o, events[kind]);
    reply_integer(c, (long long)n);
}

/* The body of every command here: dstkey NULL replies the result,
 * card_only replies its size. */
static void zop_generic(client *c, sds dstkey, int numkeys_idx, enum zop_kind kind, int card_only) {
    struct zop_args a = {.aggr = ZOP_AGGR_SUM};
    if (zop_parse_keys(c, numkeys_idx, &a) < 0 ||
        zop_parse_opts(c, numkeys_idx + 1 + (int)a.n, kind, dstkey != NULL, card_only, &a) < 0) {
        zfree(a.src);
        return;
    }
    if (kind != ZOP_DIFF) zop_sort_by_size(a.src, a.n);
    /* A skiplist whatever the size: the listpack choice comes at the end. */
    struct zop_result r = {.o = zset_create_object(SIZE_MAX, 0)};
    r.zs = r.o->ptr;
    if (kind == ZOP_UNION) zop_union(a.src, a.n, a.aggr, &r);
    else if (kind == ZOP_INTER) zop_inter(a.src, a.n, a.aggr, card_only, a.limit, &r);
    else zop_diff(a.src, a.n, &r);
    zfree(a.src);
    if (dstkey) {
        zop_store(c, dstkey, kind, &r);
        return;
    }
    if (card_only) reply_integer(c, (long long)r.card);
    else zop_reply(c, &r, a.withscores);
    obj_decr_refcount(r.o);
}

void zunion_command(client *c) {
    zop_generic(c, NULL, 1, ZOP_UNION, 0);
}

void zinter_command(client *c) {
    zop_generic(c, NULL, 1, ZOP_INTER, 0);
}

void zdiff_command(client *c) {
    zop_generic(c, NULL, 1, ZOP_DIFF, 0);
}

void zunionstore_command(client *c) {
    zop_generic(c, c->argv[1], 2, ZOP_UNION, 0);
}

void zinterstore_command(client *c) {
    zop_generic(c, c->argv[1], 2, ZOP_INTER, 0);
}

void zdiffstore_command(client *c) {
    zop_generic(c, c->argv[1], 2, ZOP_DIFF, 0);
}

void zintercard_command(client *c) {
    zop_generic(c, NULL, 1, ZOP_INTER, 1);
}
