/* t_zset.c -- the sorted-set type: its two encodings, the operations every
 * zset command builds on, the single-key commands, the pops (blocking ones
 * too) and the command table. Ranges live in t_zset_range.c, set algebra in
 * t_zset_store.c (shared declarations: t_zset.h).
 *
 * Invariant: a listpack set holds at most zset-max-listpack-entries pairs
 * and no member longer than zset-max-listpack-value bytes, ordered by
 * (score, member bytes); a skiplist set never goes back to a listpack (only
 * newly built destinations are sized down). Never keeps an empty set in the
 * keyspace; never changes anything before every argument is validated. */
#include "t_zset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "db.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"
#include "zset_util.h"

/* ZADD parses up to this many scores on the stack before allocating. */
#define ZADD_STACK_SCORES 16
/* Longest score text read back from a listpack (Redis writes <= 24). */
#define ZSET_SCORE_TEXT_MAX 128

/* ---------------------------------------------------------- dict type */

static uint64_t zset_dict_hash(const void *key) {
    return dict_gen_hash_function(key, sds_len((sds)key));
}

static int zset_dict_compare(dict *d, const void *a, const void *b) {
    (void)d;
    size_t la = sds_len((sds)a);
    return la == sds_len((sds)b) && memcmp(a, b, la) == 0;
}

/* member -> score (v.d); the member sds belongs to the skiplist node. */
static dict_type zset_dict_type = {
    .hash = zset_dict_hash,
    .key_compare = zset_dict_compare,
};

/* ---------------------------------------------------------- listpack pairs */

static double zlp_score(const unsigned char *sptr) {
    int64_t iv;
    const unsigned char *s;
    uint32_t len;
    if (lp_get(sptr, &iv, &s, &len, NULL) == LP_KIND_INT) return (double)iv;
    char buf[ZSET_SCORE_TEXT_MAX];
    if (len >= sizeof(buf)) len = sizeof(buf) - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return strtod(buf, NULL);
}

/* memcmp order of an entry's member against s, shorter first. */
static int zlp_member_cmp(const unsigned char *eptr, const char *s, size_t len) {
    unsigned char buf[LP_INTBUF_SIZE];
    const unsigned char *m;
    uint32_t mlen;
    lp_get(eptr, NULL, &m, &mlen, buf);
    size_t min = mlen < len ? mlen : len;
    int cmp = min ? memcmp(m, s, min) : 0;
    if (cmp) return cmp;
    return mlen < len ? -1 : mlen > len;
}

static sds zlp_entry_sds(const unsigned char *eptr) {
    unsigned char buf[LP_INTBUF_SIZE];
    const unsigned char *s;
    uint32_t len;
    lp_get(eptr, NULL, &s, &len, buf);
    return sds_new_len(s, len);
}

/* Member entry of ele, its score entry in *sptr; NULL if absent. */
static unsigned char *zlp_find(unsigned char *lp, const char *ele, size_t len, unsigned char **sptr) {
    unsigned char *e = lp_first(lp);
    if (e == NULL) return NULL;
    e = lp_find(lp, e, (const unsigned char *)ele, (uint32_t)len, 1);
    if (e && sptr) *sptr = lp_next(lp, e);
    return e;
}

/* Takes lp; appends the pair (the caller knows it sorts last). */
static unsigned char *zlp_append(unsigned char *lp, const char *ele, size_t len, double score) {
    char sbuf[ZSET_SCORE_TEXT_BYTES];
    uint32_t slen = (uint32_t)zset_score_lp_text(sbuf, score);
    lp_item pair[2] = {{.str = (const unsigned char *)ele, .len = (uint32_t)len},
                       {.str = (const unsigned char *)sbuf, .len = slen}};
    return lp_batch_append(lp, pair, 2);
}

/* Takes lp; inserts the pair at its sorted place. */
static unsigned char *zlp_insert(unsigned char *lp, const char *ele, size_t len, double score) {
    char sbuf[ZSET_SCORE_TEXT_BYTES];
    uint32_t slen = (uint32_t)zset_score_lp_text(sbuf, score);
    unsigned char *e = lp_first(lp), *s;
    for (; e; e = lp_next(lp, s)) {
        s = lp_next(lp, e);
        double cur = zlp_score(s);
        if (cur > score || (cur == score && zlp_member_cmp(e, ele, len) > 0)) {
            unsigned char *ne;
            lp = lp_insert(lp, (const unsigned char *)ele, (uint32_t)len, e, LP_BEFORE, &ne);
            return lp_insert(lp, (const unsigned char *)sbuf, slen, ne, LP_AFTER, NULL);
        }
    }
    return zlp_append(lp, ele, len, score);
}

/* ---------------------------------------------------------- objects */

static zset *zset_new(void) {
    zset *zs = zmalloc(sizeof(*zs));
    zs->dict = dict_create(&zset_dict_type);
    zs->zsl = zsl_create();
    return zs;
}

static void zset_free(zset *zs) {
    dict_release(zs->dict); /* frees entries only: members belong to zsl */
    zsl_free(zs->zsl);
    zfree(zs);
}

/* Takes ele (owned by the skiplist from now on). */
static void zset_insert_new(zset *zs, double score, sds ele) {
    zsl_insert(zs->zsl, score, ele);
    dict_entry *de = dict_add_raw(zs->dict, ele, NULL);
    dict_set_double_val(de, score);
}

static robj *zset_wrap(int encoding, void *ptr) {
    robj *o = zmalloc(sizeof(*o));
    o->type = OBJ_ZSET;
    o->encoding = (unsigned)encoding;
    o->lru = 0;
    o->refcount = 1;
    o->ptr = ptr;
    return o;
}

robj *zset_create_object(size_t len_hint, size_t maxlen_hint) {
    if (len_hint > cfg.zset_max_listpack_entries || maxlen_hint > cfg.zset_max_listpack_value)
        return zset_wrap(OBJ_ENCODING_SKIPLIST, zset_new());
    return zset_wrap(OBJ_ENCODING_LISTPACK, lp_new(0));
}

int zset_load_add(robj *o, double score, sds ele) {
    zset *zs = o->ptr;
    if (dict_find(zs->dict, ele)) return 0;
    zset_insert_new(zs, score, ele);
    return 1;
}

void zset_free_value(robj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) lp_free(o->ptr);
    else zset_free(o->ptr);
}

robj *zset_dup(const robj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) return zset_wrap(OBJ_ENCODING_LISTPACK, lp_dup(o->ptr));
    const zset *src = o->ptr;
    zset *zs = zset_new();
    if (src->zsl->length) dict_expand(zs->dict, src->zsl->length);
    for (zsl_node *n = src->zsl->header->level[0].forward; n; n = n->level[0].forward)
        zset_insert_new(zs, n->score, sds_dup(n->ele));
    return zset_wrap(OBJ_ENCODING_SKIPLIST, zs);
}

unsigned long zset_length(const robj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) return lp_length(o->ptr) / 2;
    return ((const zset *)o->ptr)->zsl->length;
}

void zset_convert_to_skiplist(robj *o) {
    if (o->encoding != OBJ_ENCODING_LISTPACK) return;
    unsigned char *lp = o->ptr, *e, *s;
    zset *zs = zset_new();
    unsigned long n = lp_length(lp) / 2;
    if (n) dict_expand(zs->dict, n);
    for (e = lp_first(lp); e; e = lp_next(lp, s)) {
        s = lp_next(lp, e);
        zset_insert_new(zs, zlp_score(s), zlp_entry_sds(e));
    }
    lp_free(lp);
    o->ptr = zs;
    o->encoding = OBJ_ENCODING_SKIPLIST;
}

void zset_convert_to_listpack_if_fits(robj *o, size_t maxelelen, size_t totelelen) {
    if (o->encoding != OBJ_ENCODING_SKIPLIST) return;
    zset *zs = o->ptr;
    if (zs->zsl->length > cfg.zset_max_listpack_entries || maxelelen > cfg.zset_max_listpack_value) return;
    unsigned char *lp = lp_new(0);
    if (!lp_safe_to_add(lp, totelelen)) {
        lp_free(lp);
        return;
    }
    for (zsl_node *n = zs->zsl->header->level[0].forward; n; n = n->level[0].forward)
        lp = zlp_append(lp, n->ele, sds_len(n->ele), n->score);
    zset_free(zs);
    o->ptr = lp;
    o->encoding = OBJ_ENCODING_LISTPACK;
}

/* ---------------------------------------------------------- elements */

int zset_score(robj *o, sds ele, double *score) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *s;
        if (zlp_find(o->ptr, ele, sds_len(ele), &s) == NULL) return 0;
        *score = zlp_score(s);
        return 1;
    }
    dict_entry *de = dict_find(((zset *)o->ptr)->dict, ele);
    if (de == NULL) return 0;
    *score = dict_get_double_val(de);
    return 1;
}

/* The ZADD rules for an existing member at cur: returns 0 on NaN, else 1
 * with *score the target and *nop set when the flags forbid the update. */
static int zadd_existing_target(int in, double cur, double *score, int *nop) {
    *nop = 0;
    if (in & ZADD_IN_NX) {
        *nop = 1;
        return 1;
    }
    if (in & ZADD_IN_INCR) {
        *score += cur;
        if (isnan(*score)) return 0;
    }
    if (((in & ZADD_IN_LT) && *score >= cur) || ((in & ZADD_IN_GT) && *score <= cur)) *nop = 1;
    return 1;
}

/* The listpack half of zset_add: returns -1 when the set must become a
 * skiplist first, else zset_add's result. */
static int zset_add_listpack(robj *o, double score, sds ele, int in, int *out, double *newscore) {
    size_t len = sds_len(ele);
    unsigned char *s, *e = zlp_find(o->ptr, ele, len, &s);
    if (e) {
        double cur = zlp_score(s);
        int nop;
        if (!zadd_existing_target(in, cur, &score, &nop)) return 0;
        if (nop) {
            *out |= ZADD_OUT_NOP;
            return 1;
        }
        if (newscore) *newscore = score;
        if (score != cur) {
            o->ptr = lp_delete_range_entry(o->ptr, &e, 2);
            o->ptr = zlp_insert(o->ptr, ele, len, score);
            *out |= ZADD_OUT_UPDATED;
        }
        return 1;
    }
    if (in & ZADD_IN_XX) {
        *out |= ZADD_OUT_NOP;
        return 1;
    }
    if (zset_length(o) + 1 > cfg.zset_max_listpack_entries || len > cfg.zset_max_listpack_value ||
        !lp_safe_to_add(o->ptr, len))
        return -1;
    o->ptr = zlp_insert(o->ptr, ele, len, score);
    if (newscore) *newscore = score;
    *out |= ZADD_OUT_ADDED;
    return 1;
}

int zset_add(robj *o, double score, sds ele, int in, int *out, double *newscore) {
    *out = 0;
    if (isnan(score)) return 0;
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        int r = zset_add_listpack(o, score, ele, in, out, newscore);
        if (r >= 0) return r;
        zset_convert_to_skiplist(o);
    }
    zset *zs = o->ptr;
    dict_entry *de = dict_find(zs->dict, ele);
    if (de) {
        double cur = dict_get_double_val(de);
        int nop;
        if (!zadd_existing_target(in, cur, &score, &nop)) return 0;
        if (nop) {
            *out |= ZADD_OUT_NOP;
            return 1;
        }
        if (newscore) *newscore = score;
        if (score != cur) {
            zsl_update_score(zs->zsl, cur, dict_get_key(de), score);
            dict_set_double_val(de, score);
            *out |= ZADD_OUT_UPDATED;
        }
        return 1;
    }
    if (in & ZADD_IN_XX) {
        *out |= ZADD_OUT_NOP;
        return 1;
    }
    zset_insert_new(zs, score, sds_new_len(ele, sds_len(ele)));
    if (newscore) *newscore = score;
    *out |= ZADD_OUT_ADDED;
    return 1;
}

int zset_delete(robj *o, sds ele) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *e = zlp_find(o->ptr, ele, sds_len(ele), NULL);
        if (e == NULL) return 0;
        o->ptr = lp_delete_range_entry(o->ptr, &e, 2);
        return 1;
    }
    zset *zs = o->ptr;
    dict_entry *de = dict_unlink(zs->dict, ele);
    if (de == NULL) return 0;
    double score = dict_get_double_val(de);
    sds member = dict_get_key(de);
    dict_free_unlinked_entry(zs->dict, de);
    zsl_delete(zs->zsl, score, member, NULL); /* frees member (maybe ele) */
    return 1;
}

long zset_rank(robj *o, sds ele, int reverse) {
    unsigned long len = zset_length(o);
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = o->ptr, *e = lp_first(lp);
        unsigned long rank = 0;
        while (e && !lp_entry_eq(e, (const unsigned char *)ele, (uint32_t)sds_len(ele))) {
            e = lp_next(lp, lp_next(lp, e));
            rank++;
        }
        if (e == NULL) return -1;
        return (long)(reverse ? len - 1 - rank : rank);
    }
    zset *zs = o->ptr;
    dict_entry *de = dict_find(zs->dict, ele);
    if (de == NULL) return -1;
    unsigned long r = zsl_get_rank(zs->zsl, dict_get_double_val(de), dict_get_key(de));
    return (long)(reverse ? len - r : r - 1);
}

/* ---------------------------------------------------------- walking */

void zset_cursor_at_index(zset_cursor *c, robj *o, unsigned long idx, int reverse) {
    unsigned long len = zset_length(o);
    c->o = o;
    c->reverse = reverse;
    c->eptr = NULL;
    c->node = NULL;
    if (idx >= len) return;
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned long pos = reverse ? len - 1 - idx : idx;
        c->eptr = lp_seek(o->ptr, (long)(2 * pos));
    } else {
        c->node = zsl_get_element_by_rank(((zset *)o->ptr)->zsl, reverse ? len - idx : idx + 1);
    }
}

/* Listpack: the member entry before member entry e (NULL at the start). */
static unsigned char *zlp_prev_member(unsigned char *lp, unsigned char *e) {
    unsigned char *s = lp_prev(lp, e);
    return s ? lp_prev(lp, s) : NULL;
}

static unsigned char *zlp_last_member(unsigned char *lp) {
    unsigned char *s = lp_last(lp);
    return s ? lp_prev(lp, s) : NULL;
}

/* Listpack walk shared by the two cursor starts: the first member entry
 * (from the end when reverse) for which found(member entry) holds, or NULL. */
static unsigned char *zlp_seek(unsigned char *lp, int reverse, int (*found)(unsigned char *lp, unsigned char *e,
                                                                             const void *range, int reverse),
                               const void *range) {
    unsigned char *e = reverse ? zlp_last_member(lp) : lp_first(lp);
    while (e && !found(lp, e, range, reverse)) e = reverse ? zlp_prev_member(lp, e) : lp_next(lp, lp_next(lp, e));
    return e;
}

static int zlp_score_reached(unsigned char *lp, unsigned char *e, const void *range, int reverse) {
    double score = zlp_score(lp_next(lp, e));
    return reverse ? zsl_value_lte_max(score, range) : zsl_value_gte_min(score, range);
}

static int zlp_lex_reached(unsigned char *lp, unsigned char *e, const void *range, int reverse) {
    (void)lp;
    unsigned char buf[LP_INTBUF_SIZE];
    const unsigned char *m;
    uint32_t mlen;
    lp_get(e, NULL, &m, &mlen, buf);
    return reverse ? zset_lex_lte_max((const char *)m, mlen, range) : zset_lex_gte_min((const char *)m, mlen, range);
}

static void zset_cursor_init(zset_cursor *c, robj *o, int reverse) {
    c->o = o;
    c->reverse = reverse;
    c->eptr = NULL;
    c->node = NULL;
}

void zset_cursor_at_score(zset_cursor *c, robj *o, const zsl_range *r, int reverse) {
    zset_cursor_init(c, o, reverse);
    if (o->encoding == OBJ_ENCODING_SKIPLIST) {
        zskiplist *zsl = ((zset *)o->ptr)->zsl;
        c->node = reverse ? zsl_last_in_range(zsl, r) : zsl_first_in_range(zsl, r);
    } else {
        c->eptr = zlp_seek(o->ptr, reverse, zlp_score_reached, r);
    }
}

void zset_cursor_at_lex(zset_cursor *c, robj *o, const zsl_lex_range *r, int reverse) {
    zset_cursor_init(c, o, reverse);
    if (o->encoding == OBJ_ENCODING_SKIPLIST) {
        zskiplist *zsl = ((zset *)o->ptr)->zsl;
        c->node = reverse ? zsl_last_in_lex_range(zsl, r) : zsl_first_in_lex_range(zsl, r);
    } else {
        c->eptr = zlp_seek(o->ptr, reverse, zlp_lex_reached, r);
    }
}

int zset_cursor_get(const zset_cursor *c, zset_elem *e) {
    if (c->o->encoding == OBJ_ENCODING_LISTPACK) {
        if (c->eptr == NULL) return 0;
        const unsigned char *m;
        uint32_t mlen;
        lp_get(c->eptr, NULL, &m, &mlen, (unsigned char *)e->buf);
        e->ele = (const char *)m;
        e->len = mlen;
        e->s = NULL;
        e->score = zlp_score(lp_next(c->o->ptr, c->eptr));
        return 1;
    }
    if (c->node == NULL) return 0;
    e->s = c->node->ele;
    e->ele = e->s;
    e->len = sds_len(e->s);
    e->score = c->node->score;
    return 1;
}

void zset_cursor_next(zset_cursor *c) {
    if (c->o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = c->o->ptr;
        if (c->eptr == NULL) return;
        c->eptr = c->reverse ? zlp_prev_member(lp, c->eptr) : lp_next(lp, lp_next(lp, c->eptr));
        return;
    }
    if (c->node) c->node = c->reverse ? c->node->backward : c->node->level[0].forward;
}

sds zset_elem_sds(const zset_elem *e, sds *tmp) {
    if (e->s) return e->s;
    if (*tmp == NULL) *tmp = sds_new_len(e->ele, e->len);
    else *tmp = sds_cpy_len(*tmp, e->ele, e->len);
    return *tmp;
}

/* ---------------------------------------------------------- replies */

void zset_reply_elem(client *c, const zset_elem *e, int withscores, int pairs_nested) {
    if (withscores && pairs_nested) reply_array_len(c, 2);
    reply_bulk(c, e->ele, e->len);
    if (withscores) reply_double(c, e->score);
}

robj *zset_lookup(client *c, sds key, int for_write, int *err) {
    robj *o = for_write ? db_lookup_write(c->db, key) : db_lookup_read(c->db, key);
    *err = db_check_type(c, o, OBJ_ZSET);
    return *err ? NULL : o;
}

/* ---------------------------------------------------------- changes */

void zset_removed(client *c, sds key, robj *o, const char *event, unsigned long removed) {
    notify_keyspace_event(NOTIFY_ZSET, event, key, c->db->id);
    if (zset_length(o) == 0) {
        db_delete_maybe_lazy(c->db, key, cfg.lazyfree_lazy_server_del);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db->id);
    }
    db_signal_modified(c->db, key);
    db_dirty((long long)removed);
}

void zset_store_result(client *c, sds dstkey, robj *result, const char *event) {
    if (result && zset_length(result) > 0) {
        /* db_set_key also wakes clients blocked on dstkey. */
        db_set_key(c->db, dstkey, result, 0);
        notify_keyspace_event(NOTIFY_ZSET, event, dstkey, c->db->id);
        db_dirty(1);
        return;
    }
    if (result) obj_decr_refcount(result);
    if (!db_delete_maybe_lazy(c->db, dstkey, cfg.lazyfree_lazy_server_del)) return;
    db_signal_modified(c->db, dstkey);
    notify_keyspace_event(NOTIFY_GENERIC, "del", dstkey, c->db->id);
    db_dirty(1);
}

/* ---------------------------------------------------------- ZADD ZINCRBY */

/* Reads ZADD's option words from argv[2] on; returns the index of the
 * first score. */
static int zadd_parse_flags(client *c, int *in, int *ch) {
    int idx = 2;
    for (; idx < c->argc; idx++) {
        const char *opt = c->argv[idx];
        if (!strcasecmp(opt, "nx")) *in |= ZADD_IN_NX;
        else if (!strcasecmp(opt, "xx")) *in |= ZADD_IN_XX;
        else if (!strcasecmp(opt, "ch")) *ch = 1;
        else if (!strcasecmp(opt, "incr")) *in |= ZADD_IN_INCR;
        else if (!strcasecmp(opt, "gt")) *in |= ZADD_IN_GT;
        else if (!strcasecmp(opt, "lt")) *in |= ZADD_IN_LT;
        else break;
    }
    return idx;
}

/* Replies Redis's error for incompatible options; returns -1 if any. */
static int zadd_check_flags(client *c, int in, int pairs) {
    if ((in & ZADD_IN_NX) && (in & ZADD_IN_XX)) {
        reply_error(c, "XX and NX options at the same time are not compatible");
        return -1;
    }
    int gt = in & ZADD_IN_GT, lt = in & ZADD_IN_LT, nx = in & ZADD_IN_NX;
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        reply_error(c, "GT, LT, and/or NX options at the same time are not compatible");
        return -1;
    }
    if ((in & ZADD_IN_INCR) && pairs > 1) {
        reply_error(c, "INCR option supports a single increment-element pair");
        return -1;
    }
    return 0;
}

/* Adds the parsed pairs to key (created if needed) and replies. */
static void zadd_apply(client *c, int idx, int pairs, const double *scores, int in, int ch) {
    sds key = c->argv[1];
    int err;
    robj *o = zset_lookup(c, key, 1, &err);
    if (err) return;
    long added = 0, updated = 0, processed = 0;
    double score = 0;
    if (o == NULL) {
        if (in & ZADD_IN_XX) goto reply;
        /* Sized like Redis 7.0: by the first member alone. */
        o = zset_create_object(1, sds_len(c->argv[idx + 1]));
        db_add(c->db, key, o);
    }
    for (int j = 0; j < pairs; j++) {
        int out;
        if (!zset_add(o, scores[j], c->argv[idx + 2 * j + 1], in, &out, &score)) {
            reply_error(c, "resulting score is not a number (NaN)");
            return;
        }
        if (out & ZADD_OUT_ADDED) added++;
        if (out & ZADD_OUT_UPDATED) updated++;
        if (!(out & ZADD_OUT_NOP)) processed++;
    }
    if (added) blocking_signal_key(c->db, key);
    /* A score set to what it was is no change: no event, no WATCH touch,
     * nothing counted or propagated (ZINCRBY by 0, ZADD of the same score). */
    if (added + updated) {
        db_signal_modified(c->db, key);
        notify_keyspace_event(NOTIFY_ZSET, (in & ZADD_IN_INCR) ? "zincr" : "zadd", key, c->db->id);
        db_dirty(added + updated);
    }
reply:
    if (!(in & ZADD_IN_INCR)) reply_integer(c, ch ? added + updated : added);
    else if (processed) reply_double(c, score);
    else reply_null(c);
}

static void zadd_generic(client *c, int in) {
    int ch = 0;
    int idx = zadd_parse_flags(c, &in, &ch);
    int elements = c->argc - idx;
    if (elements == 0 || elements % 2) {
        reply_error_syntax(c);
        return;
    }
    int pairs = elements / 2;
    if (zadd_check_flags(c, in, pairs) < 0) return;
    double stack_scores[ZADD_STACK_SCORES];
    double *scores = pairs <= ZADD_STACK_SCORES ? stack_scores : zmalloc(sizeof(double) * (size_t)pairs);
    for (int j = 0; j < pairs; j++) {
        sds arg = c->argv[idx + 2 * j];
        if (!string2d(arg, sds_len(arg), &scores[j])) {
            reply_error(c, "value is not a valid float");
            goto done;
        }
    }
    zadd_apply(c, idx, pairs, scores, in, ch);
done:
    if (scores != stack_scores) zfree(scores);
}

static void zadd_command(client *c) {
    zadd_generic(c, 0);
}

static void zincrby_command(client *c) {
    zadd_generic(c, ZADD_IN_INCR);
}

/* ---------------------------------------------------------- single key */

static void zrem_command(client *c) {
    int err;
    robj *o = zset_lookup(c, c->argv[1], 1, &err);
    if (err) return;
    long deleted = 0;
    if (o) {
        for (int j = 2; j < c->argc && zset_length(o) > 0; j++) deleted += zset_delete(o, c->argv[j]);
        if (deleted) zset_removed(c, c->argv[1], o, "zrem", (unsigned long)deleted);
    }
    reply_integer(c, deleted);
}

static void zcard_command(client *c) {
    int err;
    robj *o = zset_lookup(c, c->argv[1], 0, &err);
    if (err) return;
    reply_integer(c, o ? (long long)zset_length(o) : 0);
}

static void zscore_command(client *c) {
    int err;
    robj *o = zset_lookup(c, c->argv[1], 0, &err);
    if (err) return;
    double score;
    if (o && zset_score(o, c->argv[2], &score)) reply_double(c, score);
    else reply_null(c);
}

static void zmscore_command(client *c) {
    int err;
    robj *o = zset_lookup(c, c->argv[1], 0, &err);
    if (err) return;
    reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score;
        if (o && zset_score(o, c->argv[j], &score)) reply_double(c, score);
        else reply_null(c);
    }
}

static void zrank_generic(client *c, int reverse) {
    int err;
    robj *o = zset_lookup(c, c->argv[1], 0, &err);
    if (err) return;
    long rank = o ? zset_rank(o, c->argv[2], reverse) : -1;
    if (rank < 0) reply_null(c);
    else reply_integer(c, rank);
}

static void zrank_command(client *c) {
    zrank_generic(c, 0);
}

static void zrevrank_command(client *c) {
    zrank_generic(c, 1);
}

/* ---------------------------------------------------------- pops */

/* Reply shapes of the pop family, as Redis 7.0 builds them. */
enum zpop_shape {
    ZPOP_FLAT,      /* ZPOPMIN/MAX: [m, s, m, s...] */
    ZPOP_NESTED,    /* ZPOPMIN/MAX with COUNT in RESP3: [[m, s]...] */
    ZPOP_KEY_FLAT,  /* BZPOPMIN/MAX: [key, m, s] */
    ZPOP_KEY_NESTED /* ZMPOP/BZMPOP: [key, [[m, s]...]] */
};

/* Pops up to count (>= 1) elements of key's set o from the low (or high)
 * end, replying in the given shape; deletes the key once empty. */
static void zpop_serve(client *c, sds key, robj *o, int pop_max, long count, enum zpop_shape shape) {
    unsigned long llen = zset_length(o);
    long n = (unsigned long)count > llen ? (long)llen : count;
    switch (shape) {
    case ZPOP_FLAT: reply_array_len(c, n * 2); break;
    case ZPOP_NESTED: reply_array_len(c, n); break;
    case ZPOP_KEY_FLAT:
        reply_array_len(c, n * 2 + 1);
        reply_bulk_sds(c, key);
        break;
    case ZPOP_KEY_NESTED:
        reply_array_len(c, 2);
        reply_bulk_sds(c, key);
        reply_array_len(c, n);
        break;
    }
    int nested = shape == ZPOP_NESTED || shape == ZPOP_KEY_NESTED;
    sds tmp = NULL;
    for (long i = 0; i < n; i++) {
        zset_cursor cur;
        zset_elem e;
        zset_cursor_at_index(&cur, o, 0, pop_max);
        zset_cursor_get(&cur, &e);
        zset_reply_elem(c, &e, 1, nested);
        zset_delete(o, zset_elem_sds(&e, &tmp));
    }
    sds_free(tmp);
    /* Effects as Redis 7.0 writes them: ZPOPMIN/MAX replay themselves;
     * BZPOPMIN/MAX (served now or after blocking) become the bare
     * non-blocking pop; [B]ZMPOP becomes a pop of the count it took. */
    const char *pop = pop_max ? "ZPOPMAX" : "ZPOPMIN";
    if (shape == ZPOP_KEY_FLAT) prop_replacef(c, "cs", pop, key);
    else if (shape == ZPOP_KEY_NESTED) prop_replacef(c, "csl", pop, key, (long long)n);
    zset_removed(c, key, o, pop_max ? "zpopmax" : "zpopmin", (unsigned long)n);
}

/* Finds the first existing key among keys: replies WRONGTYPE (returns -1)
 * if it is not a set, returns 0 with *o NULL if none exists, else 1.
 * With skip_wrongtype, keys of another type count as missing (a blocked
 * client re-run: Redis 7.0 only serves it from a sorted set). */
static int zpop_find(client *c, sds *keys, long nkeys, int skip_wrongtype, int skip_empty, long *idx, robj **o) {
    *o = NULL;
    for (long j = 0; j < nkeys; j++) {
        robj *v = db_lookup_write(c->db, keys[j]);
        if (v == NULL) continue;
        if (v->type != OBJ_ZSET) {
            if (skip_wrongtype) continue;
            db_check_type(c, v, OBJ_ZSET);
            return -1;
        }
        if (skip_empty && zset_length(v) == 0) continue;
        *idx = j;
        *o = v;
        return 1;
    }
    return 0;
}

/* ZPOPMIN/ZPOPMAX and ZMPOP: count -1 means "no COUNT given". */
static void zpop_generic(client *c, sds *keys, long nkeys, int pop_max, long count, enum zpop_shape shape,
                         int nil_when_empty) {
    long idx;
    robj *o;
    if (zpop_find(c, keys, nkeys, 0, 0, &idx, &o) < 0) return;
    if (o == NULL) {
        if (nil_when_empty) reply_null_array(c);
        else reply_array_len(c, 0);
        return;
    }
    if (count == 0) {
        reply_array_len(c, 0);
        return;
    }
    zpop_serve(c, keys[idx], o, pop_max, count == -1 ? 1 : count, shape);
}

static void zpop_minmax(client *c, int pop_max) {
    if (c->argc > 3) {
        reply_error_syntax(c);
        return;
    }
    long count = -1;
    if (c->argc == 3 && (!string2l(c->argv[2], sds_len(c->argv[2]), &count) || count < 0)) {
        reply_error(c, "value is out of range, must be positive");
        return;
    }
    enum zpop_shape shape = (c->resp == RESP_PROTO_3 && count != -1) ? ZPOP_NESTED : ZPOP_FLAT;
    zpop_generic(c, &c->argv[1], 1, pop_max, count, shape, 0);
}

static void zpopmin_command(client *c) {
    zpop_minmax(c, 0);
}

static void zpopmax_command(client *c) {
    zpop_minmax(c, 1);
}

/* The blocking half shared by BZPOPMIN/MAX and BZMPOP: serves the first
 * non-empty set among keys, or blocks on all of them. */
static void zpop_blocking(client *c, sds *keys, long nkeys, int pop_max, long count, enum zpop_shape shape,
                          long long deadline, enum blocking_timeout_reply timeout_reply) {
    long idx;
    robj *o;
    int r = zpop_find(c, keys, nkeys, blocking_is_reexecution(c), 1, &idx, &o);
    if (r < 0) return;
    if (r > 0) {
        zpop_serve(c, keys[idx], o, pop_max, count, shape);
        return;
    }
    blocking_block(c, keys, (int)nkeys, deadline, timeout_reply);
}

static void bzpop_minmax(client *c, int pop_max) {
    long long deadline;
    if (blocking_parse_timeout(c, c->argv[c->argc - 1], &deadline) < 0) return;
    zpop_blocking(c, &c->argv[1], c->argc - 2, pop_max, 1, ZPOP_KEY_FLAT, deadline, BLOCK_REPLY_NULL_ARRAY);
}

static void bzpopmin_command(client *c) {
    bzpop_minmax(c, 0);
}

static void bzpopmax_command(client *c) {
    bzpop_minmax(c, 1);
}

/* Parses ZMPOP's numkeys key... MIN|MAX [COUNT n] from numkeys_idx on.
 * Returns 0 with the fields set, or -1 after replying an error. */
static int zmpop_parse(client *c, int numkeys_idx, long *numkeys, int *pop_max, long *count) {
    sds nk = c->argv[numkeys_idx];
    if (!string2l(nk, sds_len(nk), numkeys) || *numkeys < 1) {
        reply_error(c, "numkeys should be greater than 0");
        return -1;
    }
    if (*numkeys > (long)c->argc - numkeys_idx - 2) {
        reply_error_syntax(c);
        return -1;
    }
    int where_idx = numkeys_idx + (int)*numkeys + 1;
    if (!strcasecmp(c->argv[where_idx], "min")) *pop_max = 0;
    else if (!strcasecmp(c->argv[where_idx], "max")) *pop_max = 1;
    else {
        reply_error_syntax(c);
        return -1;
    }
    *count = -1;
    for (int j = where_idx + 1; j < c->argc; j++) {
        if (*count == -1 && !strcasecmp(c->argv[j], "count") && j + 1 < c->argc) {
            j++;
            if (!string2l(c->argv[j], sds_len(c->argv[j]), count) || *count < 1) {
                reply_error(c, "count should be greater than 0");
                return -1;
            }
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    if (*count == -1) *count = 1;
    return 0;
}

static void zmpop_command(client *c) {
    long numkeys, count;
    int pop_max;
    if (zmpop_parse(c, 1, &numkeys, &pop_max, &count) < 0) return;
    zpop_generic(c, &c->argv[2], numkeys, pop_max, count, ZPOP_KEY_NESTED, 1);
}

static void bzmpop_command(client *c) {
    long long deadline;
    long numkeys, count;
    int pop_max;
    /* Redis 7.0 checks numkeys, MIN|MAX and COUNT before the timeout. */
    if (zmpop_parse(c, 2, &numkeys, &pop_max, &count) < 0) return;
    if (blocking_parse_timeout(c, c->argv[1], &deadline) < 0) return;
    zpop_blocking(c, &c->argv[3], numkeys, pop_max, count, ZPOP_KEY_NESTED, deadline, BLOCK_REPLY_NULL_ARRAY);
}

/* ---------------------------------------------------------- table */

#define ZS_ONE_KEY .first_key = 1, .last_key = 1, .key_step = 1
/* ZUNION-style sources: numkeys at begin_index, keys right after it. */
#define ZS_KEYNUM_SPEC(flags_, begin_)                                                                  \
    {.flags = (flags_), .begin_index = (begin_), .keynum = 1, .keynumidx = 0, .firstkey = 1, .keystep = 1}
#define ZS_DEST_SPEC {.flags = KS_OW | KS_UPDATE, .begin_index = 1, .keystep = 1}
#define ZS_RANGE_COMPLEXITY                                                                               \
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being " \
    "returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider " \
    "it O(log(N))."
#define ZS_POP_COMPLEXITY                                                                                   \
    "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements " \
    "popped."
#define ZS_MPOP_COMPLEXITY                                                                                   \
    "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted " \
    "set, and M being the number of elements popped."
#define ZS_REMRANGE_COMPLEXITY                                                                              \
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed " \
    "by the operation."
#define ZS_UNION_COMPLEXITY                                                                                 \
    "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of " \
    "elements in the resulting sorted set."
#define ZS_UNIONSTORE_COMPLEXITY                                                                           \
    "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of " \
    "elements in the resulting sorted set."
#define ZS_INTER_COMPLEXITY                                                                                 \
    "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input " \
    "sorted sets and M being the number of elements in the resulting sorted set."
#define ZS_DIFF_COMPLEXITY                                                                                  \
    "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size " \
    "of the first set, and K is the size of the result set."

redis_command zset_commands[] = {
    {.name = "zadd", .proc = zadd_command, .arity = -4, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RW | KS_UPDATE, .group = "sorted-set", .since = "1.2.0",
     .summary = "Add one or more members to a sorted set, or update its score if it already exists",
     .complexity = "O(log(N)) for each item added, where N is the number of elements in the sorted set."},
    {.name = "zincrby", .proc = zincrby_command, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "sorted-set",
     .since = "1.2.0", .summary = "Increment the score of a member in a sorted set",
     .complexity = "O(log(N)) where N is the number of elements in the sorted set."},
    {.name = "zrem", .proc = zrem_command, .arity = -3, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_SORTEDSET,
     ZS_ONE_KEY, .ks_flags = KS_RW | KS_DELETE, .group = "sorted-set", .since = "1.2.0",
     .summary = "Remove one or more members from a sorted set",
     .complexity = "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
                   "elements to be removed."},
    {.name = "zcard", .proc = zcard_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_SORTEDSET,
     ZS_ONE_KEY, .ks_flags = KS_RO, .group = "sorted-set", .since = "1.2.0",
     .summary = "Get the number of members in a sorted set", .complexity = "O(1)"},
    {.name = "zscore", .proc = zscore_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "1.2.0",
     .summary = "Get the score associated with the given member in a sorted set", .complexity = "O(1)"},
    {.name = "zmscore", .proc = zmscore_command, .arity = -3, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "6.2.0",
     .summary = "Get the score associated with the given members in a sorted set",
     .complexity = "O(N) where N is the number of members being requested."},
    {.name = "zrank", .proc = zrank_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_SORTEDSET,
     ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "2.0.0",
     .summary = "Determine the index of a member in a sorted set", .complexity = "O(log(N))"},
    {.name = "zrevrank", .proc = zrevrank_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "2.0.0",
     .summary = "Determine the index of a member in a sorted set, with scores ordered from high to low",
     .complexity = "O(log(N))"},
    {.name = "zcount", .proc = zcount_command, .arity = 4, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "2.0.0",
     .summary = "Count the members in a sorted set with scores within the given values",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set."},
    {.name = "zlexcount", .proc = zlexcount_command, .arity = 4, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "2.8.9",
     .summary = "Count the number of members in a sorted set between a given lexicographical range",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set."},
    {.name = "zrange", .proc = zrange_command, .arity = -4, .flags = CMD_READONLY, .acl = ACL_SORTEDSET,
     ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "1.2.0",
     .summary = "Return a range of members in a sorted set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
                   "elements returned."},
    {.name = "zrangestore", .proc = zrangestore_command, .arity = -5, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_SORTEDSET, .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = {ZS_DEST_SPEC, {.flags = KS_RO | KS_ACCESS, .begin_index = 2, .keystep = 1}},
     .group = "sorted-set", .since = "6.2.0", .summary = "Store a range of members from sorted set into another key",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
                   "elements stored into the destination key."},
    {.name = "zrevrange", .proc = zrevrange_command, .arity = -4, .flags = CMD_READONLY, .acl = ACL_SORTEDSET,
     ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "1.2.0",
     .summary = "Return a range of members in a sorted set, by index, with scores ordered from high to low",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
                   "elements returned."},
    {.name = "zrangebyscore", .proc = zrangebyscore_command, .arity = -4, .flags = CMD_READONLY,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "1.0.5",
     .summary = "Return a range of members in a sorted set, by score", .complexity = ZS_RANGE_COMPLEXITY},
    {.name = "zrevrangebyscore", .proc = zrevrangebyscore_command, .arity = -4, .flags = CMD_READONLY,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "2.2.0",
     .summary = "Return a range of members in a sorted set, by score, with scores ordered from high to low",
     .complexity = ZS_RANGE_COMPLEXITY},
    {.name = "zrangebylex", .proc = zrangebylex_command, .arity = -4, .flags = CMD_READONLY,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "2.8.9",
     .summary = "Return a range of members in a sorted set, by lexicographical range",
     .complexity = ZS_RANGE_COMPLEXITY},
    {.name = "zrevrangebylex", .proc = zrevrangebylex_command, .arity = -4, .flags = CMD_READONLY,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "sorted-set", .since = "2.8.9",
     .summary = "Return a range of members in a sorted set, by lexicographical range, ordered from higher to "
                "lower strings.",
     .complexity = ZS_RANGE_COMPLEXITY},
    {.name = "zremrangebyrank", .proc = zremrangebyrank_command, .arity = 4, .flags = CMD_WRITE,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RW | KS_DELETE, .group = "sorted-set", .since = "2.0.0",
     .summary = "Remove all members in a sorted set within the given indexes", .complexity = ZS_REMRANGE_COMPLEXITY},
    {.name = "zremrangebyscore", .proc = zremrangebyscore_command, .arity = 4, .flags = CMD_WRITE,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RW | KS_DELETE, .group = "sorted-set", .since = "1.2.0",
     .summary = "Remove all members in a sorted set within the given scores", .complexity = ZS_REMRANGE_COMPLEXITY},
    {.name = "zremrangebylex", .proc = zremrangebylex_command, .arity = 4, .flags = CMD_WRITE,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RW | KS_DELETE, .group = "sorted-set", .since = "2.8.9",
     .summary = "Remove all members in a sorted set between the given lexicographical range",
     .complexity = ZS_REMRANGE_COMPLEXITY},
    {.name = "zpopmin", .proc = zpopmin_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_SORTEDSET,
     ZS_ONE_KEY, .ks_flags = KS_RW | KS_ACCESS | KS_DELETE, .group = "sorted-set", .since = "5.0.0",
     .summary = "Remove and return members with the lowest scores in a sorted set", .complexity = ZS_POP_COMPLEXITY},
    {.name = "zpopmax", .proc = zpopmax_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_SORTEDSET,
     ZS_ONE_KEY, .ks_flags = KS_RW | KS_ACCESS | KS_DELETE, .group = "sorted-set", .since = "5.0.0",
     .summary = "Remove and return members with the highest scores in a sorted set",
     .complexity = ZS_POP_COMPLEXITY},
    {.name = "zmpop", .proc = zmpop_command, .arity = -4, .flags = CMD_WRITE | CMD_MOVABLE_KEYS,
     .acl = ACL_SORTEDSET, .key_specs = {ZS_KEYNUM_SPEC(KS_RW | KS_ACCESS | KS_DELETE, 1)}, .group = "sorted-set",
     .since = "7.0.0", .summary = "Remove and return members with scores in a sorted set",
     .complexity = ZS_MPOP_COMPLEXITY},
    {.name = "bzpopmin", .proc = bzpopmin_command, .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST, .acl = ACL_SORTEDSET, .first_key = 1,
     .last_key = -2, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 1, .lastkey = -2, .keystep = 1}},
     .group = "sorted-set", .since = "5.0.0",
     .summary = "Remove and return the member with the lowest score from one or more sorted sets, or block "
                "until one is available",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set."},
    {.name = "bzpopmax", .proc = bzpopmax_command, .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST, .acl = ACL_SORTEDSET, .first_key = 1,
     .last_key = -2, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 1, .lastkey = -2, .keystep = 1}},
     .group = "sorted-set", .since = "5.0.0",
     .summary = "Remove and return the member with the highest score from one or more sorted sets, or block "
                "until one is available",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set."},
    {.name = "bzmpop", .proc = bzmpop_command, .arity = -5, .flags = CMD_WRITE | CMD_BLOCKING | CMD_MOVABLE_KEYS,
     .acl = ACL_SORTEDSET, .key_specs = {ZS_KEYNUM_SPEC(KS_RW | KS_ACCESS | KS_DELETE, 2)}, .group = "sorted-set",
     .since = "7.0.0",
     .summary = "Remove and return members with scores in a sorted set or block until one is available",
     .complexity = ZS_MPOP_COMPLEXITY},
    {.name = "zrandmember", .proc = zrandmember_command, .arity = -2, .flags = CMD_READONLY,
     .acl = ACL_SORTEDSET, ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .tips = "nondeterministic_output",
     .group = "sorted-set", .since = "6.2.0", .summary = "Get one or multiple random elements from a sorted set",
     .complexity = "O(N) where N is the number of elements returned"},
    {.name = "zunion", .proc = zunion_command, .arity = -3, .flags = CMD_READONLY | CMD_MOVABLE_KEYS,
     .acl = ACL_SORTEDSET, .key_specs = {ZS_KEYNUM_SPEC(KS_RO | KS_ACCESS, 1)}, .group = "sorted-set",
     .since = "6.2.0", .summary = "Add multiple sorted sets", .complexity = ZS_UNION_COMPLEXITY},
    {.name = "zinter", .proc = zinter_command, .arity = -3, .flags = CMD_READONLY | CMD_MOVABLE_KEYS,
     .acl = ACL_SORTEDSET, .key_specs = {ZS_KEYNUM_SPEC(KS_RO | KS_ACCESS, 1)}, .group = "sorted-set",
     .since = "6.2.0", .summary = "Intersect multiple sorted sets", .complexity = ZS_INTER_COMPLEXITY},
    {.name = "zdiff", .proc = zdiff_command, .arity = -3, .flags = CMD_READONLY | CMD_MOVABLE_KEYS,
     .acl = ACL_SORTEDSET, .key_specs = {ZS_KEYNUM_SPEC(KS_RO | KS_ACCESS, 1)}, .group = "sorted-set",
     .since = "6.2.0", .summary = "Subtract multiple sorted sets", .complexity = ZS_DIFF_COMPLEXITY},
    {.name = "zunionstore", .proc = zunionstore_command, .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS, .acl = ACL_SORTEDSET, ZS_ONE_KEY,
     .key_specs = {ZS_DEST_SPEC, ZS_KEYNUM_SPEC(KS_RO | KS_ACCESS, 2)}, .group = "sorted-set", .since = "2.0.0",
     .summary = "Add multiple sorted sets and store the resulting sorted set in a new key",
     .complexity = ZS_UNIONSTORE_COMPLEXITY},
    {.name = "zinterstore", .proc = zinterstore_command, .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS, .acl = ACL_SORTEDSET, ZS_ONE_KEY,
     .key_specs = {ZS_DEST_SPEC, ZS_KEYNUM_SPEC(KS_RO | KS_ACCESS, 2)}, .group = "sorted-set", .since = "2.0.0",
     .summary = "Intersect multiple sorted sets and store the resulting sorted set in a new key",
     .complexity = ZS_INTER_COMPLEXITY},
    {.name = "zdiffstore", .proc = zdiffstore_command, .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS, .acl = ACL_SORTEDSET, ZS_ONE_KEY,
     .key_specs = {ZS_DEST_SPEC, ZS_KEYNUM_SPEC(KS_RO | KS_ACCESS, 2)}, .group = "sorted-set", .since = "6.2.0",
     .summary = "Subtract multiple sorted sets and store the resulting sorted set in a new key",
     .complexity = ZS_DIFF_COMPLEXITY},
    {.name = "zintercard", .proc = zintercard_command, .arity = -3, .flags = CMD_READONLY | CMD_MOVABLE_KEYS,
     .acl = ACL_SORTEDSET, .key_specs = {ZS_KEYNUM_SPEC(KS_RO | KS_ACCESS, 1)}, .group = "sorted-set",
     .since = "7.0.0", .summary = "Intersect multiple sorted sets and return the cardinality of the result",
     .complexity = "O(N*K) worst case with N being the smallest input sorted set, K being the number of input "
                   "sorted sets."},
    {.name = "zscan", .proc = zscan_command, .arity = -3, .flags = CMD_READONLY, .acl = ACL_SORTEDSET,
     ZS_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .tips = "nondeterministic_output", .group = "sorted-set",
     .since = "2.8.0", .summary = "Incrementally iterate sorted sets elements and associated scores",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
                   "cursor to return back to 0. N is the number of elements inside the collection.."},
    {0}};
