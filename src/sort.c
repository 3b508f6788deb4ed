/* sort.c -- SORT and SORT_RO: the elements of a list, set or sorted set,
 * ordered numerically or by bytes, by themselves or by the values of other
 * keys (BY pattern), cut with LIMIT, mapped through GET patterns, replied
 * or stored as a list (STORE).
 *
 * Follows Redis 7.0 to the byte: options parsed before the key is looked
 * up, ties of numeric scores broken by the elements' bytes, ALPHA compared
 * as strcoll does under the C locale (up to the first NUL) unless STORE
 * asks for binary order, other ties left in input order (a stable sort,
 * as glibc's qsort) except BY with LIMIT, where Redis's partial quicksort
 * decides and is reproduced.
 * Never changes the keyspace except: keys its patterns meet expire as any
 * read does, a sorted set is converted to its skiplist encoding (Redis
 * does so before any SORT), and STORE writes or deletes its destination
 * last, after every element was read. Buffers
 * live across calls (no allocation per element); none outlives a call
 * holding a pointer into the keyspace. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "cluster.h"
#include "db.h"
#include "intset.h"
#include "notify.h"
#include "quicklist.h"
#include "reply.h"
#include "t_zset.h"
#include "util.h"
#include "zmalloc.h"

/* Kept between calls up to these sizes; a bigger SORT frees its buffers
 * when it ends, so one huge sort does not pin its memory. */
#define SORT_KEEP_ITEMS 4096
#define SORT_KEEP_BYTES (64 * 1024)
/* Numbers shorter than this are copied to the stack for strtod. */
#define SORT_NUM_STACK_BYTES 128
/* Room for an integer's text (string INT encoding or listpack integer). */
#define SORT_INTBUF_BYTES 32

#define SORT_ERR_SCORES "One or more scores can't be converted into double"
#define SORT_ERR_BY_CLUSTER "BY option of SORT denied in Cluster mode."
#define SORT_ERR_GET_CLUSTER "GET option of SORT denied in Cluster mode."
#define SORT_ERR_BY_ACL "BY option of SORT denied due to insufficient ACL permissions."
#define SORT_ERR_GET_ACL "GET option of SORT denied due to insufficient ACL permissions."

/* A BY or GET pattern, parsed once per call as Redis reads it: C-string
 * functions over the argument, so a NUL ends the search for '*', "->" and
 * the "#" test, while the lengths of the parts count every byte. */
typedef struct sort_pattern {
    int self;           /* exactly "#": the element itself */
    int star;           /* has a '*'; else it never names a key */
    const char *prefix; /* bytes before the '*' */
    size_t prefix_len;
    const char *suffix; /* bytes after the '*', up to "->field" */
    size_t suffix_len;
    sds field;          /* hash field after "->" when has_field (reused) */
    int has_field;
} sort_pattern;

/* The parsed options. */
typedef struct sort_opts {
    int desc, alpha, dontsort, readonly;
    long limit_start, limit_count; /* count -1: no limit */
    sds storekey;                  /* borrowed argv, or NULL */
    sds by_arg;                    /* the last BY pattern, or NULL */
    int has_by;                    /* it has a '*' (used unless dontsort) */
    sort_pattern by;
    int ngets;                     /* GET patterns in sortbuf.gets */
} sort_opts;

/* One element being sorted. Pointers borrow the keyspace or an arena;
 * while an arena fills, the *_off flag says the pointer holds an offset. */
typedef struct sort_item {
    const char *ele;
    const char *cmp; /* ALPHA BY value, NULL when its key is missing */
    size_t len, cmplen;
    double score;
    unsigned char ele_off, cmp_off;
} sort_item;

/* A value a pattern resolved to: bytes, borrowed or in buf. */
typedef struct sort_val {
    const char *p;
    size_t len;
    int is_int;     /* an INT-encoded string: ll holds it */
    int terminated; /* p is an sds: strtod may read it in place */
    long long ll;
    char buf[SORT_INTBUF_BYTES];
} sort_val;

/* Buffers reused from call to call (one SORT runs at a time: nothing it
 * calls can run another). */
static struct {
    sort_item *items, *tmp;
    size_t cap, tmpcap;
    sds ele_arena; /* text of integer elements */
    sds cmp_arena; /* text of integer ALPHA BY values */
    sds key;       /* a key built from a pattern */
    sds num;       /* a long number copied for strtod */
    sort_pattern *gets;
    int getcap;
    sds by_field;
} sortbuf;

/* Cluster mode refuses BY with a pattern and GET (the keys they name may
 * live on other nodes). */
static int sort_cluster_enabled(void) {
    return cluster != NULL;
}

/* ============================================================ patterns */

/* p->field is a buffer reused across calls (NULL: made when needed). */
static void sort_pattern_parse(sort_pattern *p, const sds pat) {
    sds field = p->field;
    memset(p, 0, sizeof(*p));
    p->field = field;
    if (pat[0] == '#' && pat[1] == '\0') {
        p->self = 1;
        return;
    }
    const char *star = strchr(pat, '*');
    if (star == NULL) return;
    p->star = 1;
    size_t total = sds_len(pat), field_len = 0;
    const char *arrow = strstr(star + 1, "->");
    if (arrow && arrow[2] != '\0') {
        field_len = total - (size_t)(arrow - pat) - 2;
        if (p->field == NULL) p->field = sds_empty();
        p->field = sds_cpy_len(p->field, arrow + 2, field_len);
        p->has_field = 1;
    }
    p->prefix = pat;
    p->prefix_len = (size_t)(star - pat);
    p->suffix = star + 1;
    p->suffix_len = total - p->prefix_len - 1 - (p->has_field ? field_len + 2 : 0);
}

/* Looks the pattern up with sub in place of its '*' (a read lookup:
 * hits, misses, "keymiss", expiry, as Redis's). Returns 1 and fills v, or
 * 0: no '*', no key, a key of the wrong type, no such hash field. */
static int sort_resolve(client *c, const sort_pattern *p, const char *sub, size_t sublen, sort_val *v) {
    v->is_int = 0;
    v->terminated = 0;
    if (p->self) {
        v->p = sub;
        v->len = sublen;
        return 1;
    }
    if (!p->star) return 0;
    sds key = sortbuf.key ? sortbuf.key : sds_empty();
    sds_clear(key);
    key = sds_cat_len(key, p->prefix, p->prefix_len);
    key = sds_cat_len(key, sub, sublen);
    key = sds_cat_len(key, p->suffix, p->suffix_len);
    sortbuf.key = key;
    robj *o = db_lookup_read(c->db, key);
    if (o == NULL) return 0;
    if (p->has_field) {
        if (o->type != OBJ_HASH) return 0;
        return hash_get(o, p->field, &v->p, &v->len, v->buf);
    }
    if (o->type != OBJ_STRING) return 0;
    if (o->encoding == OBJ_ENCODING_INT) {
        v->is_int = 1;
        v->ll = (long long)(intptr_t)o->ptr;
        v->len = (size_t)ll2string(v->buf, sizeof(v->buf), v->ll);
        v->p = v->buf;
    } else {
        v->p = o->ptr;
        v->len = sds_len(o->ptr);
        v->terminated = 1;
    }
    return 1;
}

/* ============================================================ scores */

/* Reads a score as Redis does: strtod over the value's C string (leading
 * spaces, hex, "inf" accepted; the text stops at a NUL). Returns 0 when
 * something is left unread, on overflow or underflow, or for NaN. */
static int sort_parse_score(const char *p, size_t len, int terminated, double *out) {
    char stackbuf[SORT_NUM_STACK_BYTES];
    const char *s = p;
    if (!terminated) {
        const char *nul = memchr(p, '\0', len);
        if (nul) len = (size_t)(nul - p);
        if (len < sizeof(stackbuf)) {
            memcpy(stackbuf, p, len);
            stackbuf[len] = '\0';
            s = stackbuf;
        } else {
            if (sortbuf.num == NULL) sortbuf.num = sds_empty();
            sortbuf.num = sds_cpy_len(sortbuf.num, p, len);
            s = sortbuf.num;
        }
    }
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return !(end[0] != '\0' || errno == ERANGE || isnan(*out));
}

/* ============================================================ ordering */

static int sort_bin_cmp(const char *a, size_t alen, const char *b, size_t blen) {
    int r = memcmp(a, b, alen < blen ? alen : blen);
    if (r) return r;
    return alen < blen ? -1 : alen > blen;
}

/* strcoll under the C locale: strcmp, so each side ends at its first NUL. */
static int sort_coll_cmp(const char *a, size_t alen, const char *b, size_t blen) {
    const char *z = memchr(a, '\0', alen);
    if (z) alen = (size_t)(z - a);
    z = memchr(b, '\0', blen);
    if (z) blen = (size_t)(z - b);
    return sort_bin_cmp(a, alen, b, blen);
}

/* How two items compare (before DESC): the mode is fixed for one sort. */
enum sort_mode { SORT_NUMERIC, SORT_ALPHA_COLL, SORT_ALPHA_BIN, SORT_BY_COLL, SORT_BY_BIN };

static int sort_compare(const sort_item *a, const sort_item *b, enum sort_mode mode) {
    switch (mode) {
    case SORT_NUMERIC:
        if (a->score > b->score) return 1;
        if (a->score < b->score) return -1;
        /* Equal scores: the elements' bytes decide, so the result does
         * not depend on the input order. */
        return sort_bin_cmp(a->ele, a->len, b->ele, b->len);
    case SORT_ALPHA_COLL:
        return sort_coll_cmp(a->ele, a->len, b->ele, b->len);
    case SORT_ALPHA_BIN:
        return sort_bin_cmp(a->ele, a->len, b->ele, b->len);
    default:
        /* A missing BY value sorts first; two missing ones are equal. */
        if (a->cmp == NULL || b->cmp == NULL) return a->cmp == b->cmp ? 0 : a->cmp == NULL ? -1 : 1;
        if (mode == SORT_BY_BIN) return sort_bin_cmp(a->cmp, a->cmplen, b->cmp, b->cmplen);
        return sort_coll_cmp(a->cmp, a->cmplen, b->cmp, b->cmplen);
    }
}

/* Insertion sort for short runs, then merges: stable, so equal items keep
 * their input order (as glibc's qsort, a merge sort, keeps them in Redis). */
#define SORT_INSERTION_MAX 12

static void sort_merge(sort_item *v, sort_item *tmp, size_t n, enum sort_mode mode, int sign) {
    if (n <= SORT_INSERTION_MAX) {
        for (size_t i = 1; i < n; i++) {
            sort_item x = v[i];
            size_t j = i;
            while (j > 0 && sign * sort_compare(&v[j - 1], &x, mode) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    size_t half = n / 2;
    sort_merge(v, tmp, half, mode, sign);
    sort_merge(v + half, tmp, n - half, mode, sign);
    if (sign * sort_compare(&v[half - 1], &v[half], mode) <= 0) return; /* already in order */
    memcpy(tmp, v, half * sizeof(*v));
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n) {
        if (sign * sort_compare(&v[j], &tmp[i], mode) < 0) v[k++] = v[j++];
        else v[k++] = tmp[i++];
    }
    while (i < half) v[k++] = tmp[i++];
}

static void sort_items(sort_item *v, size_t n, enum sort_mode mode, int desc) {
    if (n < 2) return;
    size_t need = n / 2 + 1;
    if (sortbuf.tmpcap < need) {
        sortbuf.tmp = zrealloc(sortbuf.tmp, need * sizeof(*sortbuf.tmp));
        sortbuf.tmpcap = need;
    }
    sort_merge(v, sortbuf.tmp, n, mode, desc ? -1 : 1);
}

/* Partial quicksort for BY with LIMIT, as Redis sorts that case: Bentley
 * and McIlroy's quicksort ("Engineering a Sort Function", 1993, the BSD
 * qsort), recursing only into partitions that hold part of the LIMIT
 * range [lo, hi] (absolute indexes; base is the index of v[0]). Not
 * stable: elements whose BY values tie come out in the order this
 * algorithm leaves them, which must be Redis's. */
#define SORT_PQ_INSERTION_BELOW 7
#define SORT_PQ_MEDIAN_OF_3_ABOVE 7
#define SORT_PQ_NINTHER_ABOVE 40

typedef struct sort_pq {
    enum sort_mode mode;
    int sign;
    long lo, hi;
} sort_pq;

static int sort_pq_cmp(const sort_pq *q, const sort_item *a, const sort_item *b) {
    return q->sign * sort_compare(a, b, q->mode);
}

static void sort_swap(sort_item *a, sort_item *b) {
    sort_item t = *a;
    *a = *b;
    *b = t;
}

static void sort_vecswap(sort_item *a, sort_item *b, long n) {
    for (long i = 0; i < n; i++) sort_swap(&a[i], &b[i]);
}

static sort_item *sort_med3(const sort_pq *q, sort_item *a, sort_item *b, sort_item *c) {
    if (sort_pq_cmp(q, a, b) < 0) return sort_pq_cmp(q, b, c) < 0 ? b : (sort_pq_cmp(q, a, c) < 0 ? c : a);
    return sort_pq_cmp(q, b, c) > 0 ? b : (sort_pq_cmp(q, a, c) < 0 ? a : c);
}

static void sort_pq_insertion(const sort_pq *q, sort_item *v, long n) {
    for (long m = 1; m < n; m++)
        for (long l = m; l > 0 && sort_pq_cmp(q, &v[l - 1], &v[l]) > 0; l--) sort_swap(&v[l], &v[l - 1]);
}

/* 1 if the partition of n items at absolute index first holds none of
 * the range (both ends before it, or both after it). */
static int sort_pq_outside(const sort_pq *q, long first, long n) {
    long last = first + n - 1;
    return (q->lo < first && q->hi < first) || (q->lo > last && q->hi > last);
}

static void sort_pq_run(const sort_pq *q, sort_item *v, long n, long base) {
    for (;;) {
        if (n < SORT_PQ_INSERTION_BELOW) {
            sort_pq_insertion(q, v, n);
            return;
        }
        sort_item *pm = v + n / 2;
        if (n > SORT_PQ_MEDIAN_OF_3_ABOVE) {
            sort_item *pl = v, *pn = v + n - 1;
            if (n > SORT_PQ_NINTHER_ABOVE) {
                long d = n / 8;
                pl = sort_med3(q, pl, pl + d, pl + 2 * d);
                pm = sort_med3(q, pm - d, pm, pm + d);
                pn = sort_med3(q, pn - 2 * d, pn - d, pn);
            }
            pm = sort_med3(q, pl, pm, pn);
        }
        sort_swap(v, pm);
        /* v[0] is the pivot; equal items gather at both ends, then move
         * to the middle. */
        long pa = 1, pb = 1, pc = n - 1, pd = n - 1;
        int swapped = 0;
        for (;;) {
            int r;
            while (pb <= pc && (r = sort_pq_cmp(q, &v[pb], v)) <= 0) {
                if (r == 0) {
                    swapped = 1;
                    sort_swap(&v[pa++], &v[pb]);
                }
                pb++;
            }
            while (pb <= pc && (r = sort_pq_cmp(q, &v[pc], v)) >= 0) {
                if (r == 0) {
                    swapped = 1;
                    sort_swap(&v[pc], &v[pd--]);
                }
                pc--;
            }
            if (pb > pc) break;
            sort_swap(&v[pb++], &v[pc--]);
            swapped = 1;
        }
        if (!swapped) {
            sort_pq_insertion(q, v, n);
            return;
        }
        long r = pa < pb - pa ? pa : pb - pa;
        sort_vecswap(v, v + pb - r, r);
        r = pd - pc < n - pd - 1 ? pd - pc : n - pd - 1;
        sort_vecswap(v + pb, v + n - r, r);
        long left = pb - pa, right = pd - pc;
        if (left > 1 && !sort_pq_outside(q, base, left)) sort_pq_run(q, v, left, base);
        if (right <= 1) return;
        base += n - right;
        v += n - right;
        n = right;
        if (sort_pq_outside(q, base, n)) return;
    }
}

/* ============================================================ loading */

/* Appends an element (bytes, or an integer written into the element
 * arena); scores it from itself when the sort is numeric without BY. */
typedef struct sort_loader {
    sort_item *items;
    size_t n;
    int score_self; /* numeric, no BY: the element is its own score */
    int bad_score;
} sort_loader;

static void sort_add_bytes(sort_loader *l, const char *p, size_t len, int terminated) {
    sort_item *it = &l->items[l->n++];
    it->ele = p;
    it->len = len;
    it->ele_off = 0;
    it->cmp = NULL;
    it->cmp_off = 0;
    it->score = 0;
    if (l->score_self && !sort_parse_score(p, len, terminated, &it->score)) l->bad_score = 1;
}

static void sort_add_int(sort_loader *l, long long v) {
    sort_item *it = &l->items[l->n++];
    char buf[LONG_STR_SIZE];
    size_t len = (size_t)ll2string(buf, sizeof(buf), v);
    it->ele = (const char *)(uintptr_t)sds_len(sortbuf.ele_arena);
    it->len = len;
    it->ele_off = 1;
    it->cmp = NULL;
    it->cmp_off = 0;
    it->score = l->score_self ? (double)v : 0; /* a BY value missing later scores 0 */
    sortbuf.ele_arena = sds_cat_len(sortbuf.ele_arena, buf, len);
}

static void sort_add_ql_entry(sort_loader *l, const ql_entry *e) {
    if (e->str) sort_add_bytes(l, (const char *)e->str, e->len, 0);
    else sort_add_int(l, e->ival);
}

/* count elements of a list from index start, towards the head when desc
 * (BY nosort keeps the list's order, walked as DESC asks). */
static void sort_load_list_range(sort_loader *l, robj *o, long start, long count, int desc) {
    quicklist *ql = o->ptr;
    long len = (long)ql_length(ql);
    ql_iter it;
    ql_entry e;
    if (!ql_iter_init_at(ql, &it, desc ? QL_TAIL_TO_HEAD : QL_HEAD_TO_TAIL, desc ? len - start - 1 : start)) return;
    while (count-- > 0 && ql_next(&it, &e)) sort_add_ql_entry(l, &e);
}

static void sort_load_set(sort_loader *l, robj *o) {
    if (o->encoding == OBJ_ENCODING_INTSET) {
        intset *is = o->ptr;
        uint32_t n = intset_len(is);
        for (uint32_t i = 0; i < n; i++) {
            int64_t v;
            intset_get(is, i, &v);
            sort_add_int(l, v);
        }
        return;
    }
    dict_iterator di;
    dict_entry *de;
    dict_init_iterator(&di, o->ptr);
    while ((de = dict_next(&di)) != NULL) {
        sds m = dict_get_key(de);
        sort_add_bytes(l, m, sds_len(m), 1);
    }
    dict_reset_iterator(&di);
}

/* A skiplist sorted set: every member in its dict's order, or (BY nosort)
 * count members from rank start in score order, reversed when desc. */
static void sort_load_zset(sort_loader *l, robj *o, int dontsort, long start, long count, int desc) {
    zset *zs = o->ptr;
    if (!dontsort) {
        dict_iterator di;
        dict_entry *de;
        dict_init_iterator(&di, zs->dict);
        while ((de = dict_next(&di)) != NULL) {
            sds m = dict_get_key(de);
            sort_add_bytes(l, m, sds_len(m), 1);
        }
        dict_reset_iterator(&di);
        return;
    }
    zskiplist *zsl = zs->zsl;
    unsigned long len = zsl_length(zsl);
    zsl_node *ln;
    if (desc) ln = start > 0 ? zsl_get_element_by_rank(zsl, len - (unsigned long)start) : zsl->tail;
    else ln = start > 0 ? zsl_get_element_by_rank(zsl, (unsigned long)start + 1) : zsl->header->level[0].forward;
    while (count-- > 0 && ln) {
        sort_add_bytes(l, ln->ele, sds_len(ln->ele), 1);
        ln = desc ? ln->backward : ln->level[0].forward;
    }
}

/* Turns arena offsets into pointers once an arena is complete. */
static void sort_fix_elements(sort_item *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (v[i].ele_off) {
            v[i].ele = sortbuf.ele_arena + (uintptr_t)v[i].ele;
            v[i].ele_off = 0;
        }
}

static void sort_fix_cmps(sort_item *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (v[i].cmp_off) {
            v[i].cmp = sortbuf.cmp_arena + (uintptr_t)v[i].cmp;
            v[i].cmp_off = 0;
        }
}

/* Scores every item by the BY pattern: a number, or (ALPHA) the value's
 * bytes; a missing value scores 0 / sorts first. Returns 0 if a value is
 * not a number. */
static int sort_score_by(client *c, const sort_opts *o, sort_item *v, size_t n) {
    int ok = 1;
    sort_val val;
    if (sortbuf.cmp_arena == NULL) sortbuf.cmp_arena = sds_empty();
    for (size_t i = 0; i < n; i++) {
        if (!sort_resolve(c, &o->by, v[i].ele, v[i].len, &val)) continue;
        if (o->alpha) {
            if (val.p == val.buf) {
                v[i].cmp = (const char *)(uintptr_t)sds_len(sortbuf.cmp_arena);
                v[i].cmp_off = 1;
                sortbuf.cmp_arena = sds_cat_len(sortbuf.cmp_arena, val.p, val.len);
            } else {
                v[i].cmp = val.p;
            }
            v[i].cmplen = val.len;
        } else if (val.is_int) {
            v[i].score = (double)val.ll;
        } else if (!sort_parse_score(val.p, val.len, val.terminated, &v[i].score)) {
            ok = 0;
        }
    }
    sort_fix_cmps(v, n);
    return ok;
}

/* ============================================================ options */

static int sort_add_get(const sds pat, int n) {
    if (n == sortbuf.getcap) {
        int cap = sortbuf.getcap ? sortbuf.getcap * 2 : 4;
        sortbuf.gets = zrealloc(sortbuf.gets, (size_t)cap * sizeof(*sortbuf.gets));
        memset(sortbuf.gets + n, 0, (size_t)(cap - n) * sizeof(*sortbuf.gets));
        sortbuf.getcap = cap;
    }
    sort_pattern_parse(&sortbuf.gets[n], pat);
    return n + 1;
}

/* Parses argv[2..] as Redis 7.0 does, left to right, replying the first
 * error (before the key is even looked up). SORT_RO knows no STORE. */
static int sort_parse(client *c, int readonly, sort_opts *o) {
    memset(o, 0, sizeof(*o));
    o->limit_count = -1;
    for (int j = 2; j < c->argc; j++) {
        const char *opt = c->argv[j];
        int left = c->argc - j - 1;
        if (!strcasecmp(opt, "asc")) {
            o->desc = 0;
        } else if (!strcasecmp(opt, "desc")) {
            o->desc = 1;
        } else if (!strcasecmp(opt, "alpha")) {
            o->alpha = 1;
        } else if (!strcasecmp(opt, "limit") && left >= 2) {
            if (!string2l(c->argv[j + 1], sds_len(c->argv[j + 1]), &o->limit_start) ||
                !string2l(c->argv[j + 2], sds_len(c->argv[j + 2]), &o->limit_count)) {
                reply_error_not_integer(c);
                return -1;
            }
            j += 2;
        } else if (!readonly && !strcasecmp(opt, "store") && left >= 1) {
            o->storekey = c->argv[++j];
        } else if (!strcasecmp(opt, "by") && left >= 1) {
            o->by_arg = c->argv[++j];
            /* A pattern without '*' names no key: nothing to sort by. */
            if (strchr(o->by_arg, '*') == NULL) {
                o->dontsort = 1;
            } else if (sort_cluster_enabled()) {
                reply_error(c, SORT_ERR_BY_CLUSTER);
                return -1;
            } else if (!acl_reads_all_keys(c->user, c->cmd, c->argv, c->argc)) {
                reply_error(c, SORT_ERR_BY_ACL);
                return -1;
            }
        } else if (!strcasecmp(opt, "get") && left >= 1) {
            if (sort_cluster_enabled()) {
                reply_error(c, SORT_ERR_GET_CLUSTER);
                return -1;
            }
            if (!acl_reads_all_keys(c->user, c->cmd, c->argv, c->argc)) {
                reply_error(c, SORT_ERR_GET_ACL);
                return -1;
            }
            o->ngets = sort_add_get(c->argv[++j], o->ngets);
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    if (o->by_arg && strchr(o->by_arg, '*')) {
        o->has_by = 1;
        o->by.field = sortbuf.by_field;
        sort_pattern_parse(&o->by, o->by_arg);
        sortbuf.by_field = o->by.field;
    }
    return 0;
}

/* ============================================================ output */

static long long sort_output_len(const sort_opts *o, long start, long end) {
    long long rows = end - start + 1;
    return o->ngets ? (long long)o->ngets * rows : rows;
}

static void sort_reply(client *c, const sort_opts *o, const sort_item *v, long start, long end) {
    sort_val val;
    reply_array_len(c, (long)sort_output_len(o, start, end));
    for (long j = start; j <= end; j++) {
        if (!o->ngets) reply_bulk(c, v[j].ele, v[j].len);
        for (int g = 0; g < o->ngets; g++) {
            if (sort_resolve(c, &sortbuf.gets[g], v[j].ele, v[j].len, &val)) reply_bulk(c, val.p, val.len);
            else reply_null(c);
        }
    }
}

/* STORE: the result as a new list (a missing GET value as ""), written
 * over the destination, or the destination deleted when it is empty. */
static void sort_store(client *c, const sort_opts *o, const sort_item *v, long start, long end) {
    robj *dst = list_create_for_load();
    quicklist *ql = dst->ptr;
    sort_val val;
    for (long j = start; j <= end; j++) {
        if (!o->ngets) ql_push_tail(ql, v[j].ele, v[j].len);
        for (int g = 0; g < o->ngets; g++) {
            if (sort_resolve(c, &sortbuf.gets[g], v[j].ele, v[j].len, &val)) ql_push_tail(ql, val.p, val.len);
            else ql_push_tail(ql, "", 0);
        }
    }
    long long outputlen = sort_output_len(o, start, end);
    if (outputlen) {
        db_set_key(c->db, o->storekey, dst, 0);
        notify_keyspace_event(NOTIFY_LIST, "sortstore", o->storekey, c->db->id);
        db_dirty(outputlen);
    } else {
        obj_decr_refcount(dst);
        if (db_delete_maybe_lazy(c->db, o->storekey, cfg.lazyfree_lazy_server_del)) {
            db_signal_modified(c->db, o->storekey);
            notify_keyspace_event(NOTIFY_GENERIC, "del", o->storekey, c->db->id);
            db_dirty(1);
        }
    }
    reply_integer(c, outputlen);
}

/* ============================================================ the command */

static unsigned long sort_value_length(const robj *o) {
    if (o == NULL) return 0;
    if (o->type == OBJ_LIST) return ql_length(o->ptr);
    if (o->type == OBJ_SET) return o->encoding == OBJ_ENCODING_INTSET ? intset_len(o->ptr) : dict_size((dict *)o->ptr);
    return zset_length(o);
}

static void sort_reserve(size_t n) {
    if (sortbuf.cap >= n) return;
    sortbuf.items = zrealloc(sortbuf.items, n * sizeof(*sortbuf.items));
    sortbuf.cap = n;
}

/* Frees what a big sort grew; clears the arenas for the next call. */
static void sort_trim_buffers(void) {
    if (sortbuf.cap > SORT_KEEP_ITEMS) {
        zfree(sortbuf.items);
        zfree(sortbuf.tmp);
        sortbuf.items = sortbuf.tmp = NULL;
        sortbuf.cap = sortbuf.tmpcap = 0;
    }
    sds *bufs[] = {&sortbuf.ele_arena, &sortbuf.cmp_arena, &sortbuf.key, &sortbuf.num};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
        if (*bufs[i] == NULL) continue;
        if (sds_alloc(*bufs[i]) > SORT_KEEP_BYTES) {
            sds_free(*bufs[i]);
            *bufs[i] = NULL;
        } else {
            sds_clear(*bufs[i]);
        }
    }
}

/* Reads the elements to sort into sortbuf.items. A list or sorted set
 * that is not sorted (BY nosort) is read only in the LIMIT range, and
 * *start / *end then index what was read. Returns how many were read. */
static size_t sort_load(const sort_opts *o, robj *sv, long *start, long *end, int *bad_score) {
    unsigned long vectorlen = sort_value_length(sv);
    int ranged = o->dontsort && sv && (sv->type == OBJ_LIST || sv->type == OBJ_ZSET);
    long count = ranged ? *end - *start + 1 : (long)vectorlen;
    sort_reserve(count > 0 ? (size_t)count : 1);
    if (sortbuf.ele_arena == NULL) sortbuf.ele_arena = sds_empty();
    sort_loader l = {.items = sortbuf.items, .score_self = !o->dontsort && !o->alpha && !o->has_by};
    if (sv == NULL) {
        /* a missing key sorts as an empty list */
    } else if (ranged) {
        if (count > 0 && sv->type == OBJ_LIST) sort_load_list_range(&l, sv, *start, count, o->desc);
        else if (count > 0) sort_load_zset(&l, sv, 1, *start, count, o->desc);
        *start = 0;
        *end = count - 1;
    } else if (sv->type == OBJ_LIST) {
        sort_load_list_range(&l, sv, 0, count, 0);
    } else if (sv->type == OBJ_SET) {
        sort_load_set(&l, sv);
    } else {
        sort_load_zset(&l, sv, 0, 0, count, 0);
    }
    sort_fix_elements(l.items, l.n);
    *bad_score = l.bad_score;
    return l.n;
}

/* LIMIT offset count against vectorlen elements, as Redis 7.0 clamps it
 * (no overflow: both are first bounded by the length). */
static void sort_limits(const sort_opts *o, long vectorlen, long *start, long *end) {
    long s = o->limit_start < 0 ? 0 : o->limit_start > vectorlen ? vectorlen : o->limit_start;
    long n = o->limit_count < -1 ? -1 : o->limit_count > vectorlen ? vectorlen : o->limit_count;
    long e = n < 0 ? vectorlen - 1 : s + n - 1;
    if (s >= vectorlen) {
        s = vectorlen - 1;
        e = vectorlen - 2;
    }
    if (e >= vectorlen) e = vectorlen - 1;
    *start = s;
    *end = e;
}

static void sort_generic(client *c, int readonly) {
    sort_opts o;
    if (sort_parse(c, readonly, &o) < 0) return;
    /* A read lookup with STORE too (hits, misses, "keymiss"), as Redis. */
    robj *sv = db_lookup_read(c->db, c->argv[1]);
    if (sv && sv->type != OBJ_LIST && sv->type != OBJ_SET && sv->type != OBJ_ZSET) {
        reply_error(c, "-WRONGTYPE Operation against a key holding the wrong kind of value");
        return;
    }
    /* A set's own order is its hash table's: what is stored, or returned
     * to a script (CLIENT_NO_SOCKET: the AOF loader and a primary's link
     * also run without a socket, but discard replies), is sorted so that
     * replicas and the AOF see the same result. */
    if (o.dontsort && sv && sv->type == OBJ_SET && (o.storekey || (c->flags & CLIENT_NO_SOCKET))) {
        o.dontsort = 0;
        o.alpha = 1;
        o.has_by = 0;
    }
    /* Redis converts any sorted set it sorts, SORT_RO too. */
    if (sv && sv->type == OBJ_ZSET) zset_convert_to_skiplist(sv);
    long start, end;
    sort_limits(&o, (long)sort_value_length(sv), &start, &end);
    int bad_score;
    size_t n = sort_load(&o, sv, &start, &end, &bad_score);
    if (!o.dontsort) {
        if (o.has_by && !sort_score_by(c, &o, sortbuf.items, n)) bad_score = 1;
        if (!bad_score) {
            enum sort_mode mode = SORT_NUMERIC;
            if (o.alpha && o.has_by) mode = o.storekey ? SORT_BY_BIN : SORT_BY_COLL;
            else if (o.alpha) mode = o.storekey ? SORT_ALPHA_BIN : SORT_ALPHA_COLL;
            /* Redis sorts only the LIMIT range when sorting BY a pattern */
            if (o.has_by && (start != 0 || end != (long)n - 1)) {
                sort_pq q = {.mode = mode, .sign = o.desc ? -1 : 1, .lo = start, .hi = end};
                sort_pq_run(&q, sortbuf.items, (long)n, 0);
            } else {
                sort_items(sortbuf.items, n, mode, o.desc);
            }
        }
    }
    if (bad_score) reply_error(c, SORT_ERR_SCORES);
    else if (o.storekey == NULL) sort_reply(c, &o, sortbuf.items, start, end);
    else sort_store(c, &o, sortbuf.items, start, end);
    sort_trim_buffers();
}

static void sort_command(client *c) {
    sort_generic(c, 0);
}

static void sort_ro_command(client *c) {
    sort_generic(c, 1);
}

/* COMMAND GETKEYS: the sorted key, and the last STORE's destination.
 * Like Redis, LIMIT skips two arguments, BY and GET one, and any other
 * word none (STORE's own argument is looked at as an option too). */
static int sort_getkeys(sds *argv, int argc, int *idx, int *flags) {
    int n = 0, store = 0;
    idx[n] = 1;
    flags[n++] = KS_RO | KS_ACCESS;
    for (int i = 2; i < argc; i++) {
        if (!strcasecmp(argv[i], "limit")) i += 2;
        else if (!strcasecmp(argv[i], "get") || !strcasecmp(argv[i], "by")) i += 1;
        else if (!strcasecmp(argv[i], "store") && i + 1 < argc) store = i + 1;
    }
    if (store) {
        idx[n] = store;
        flags[n++] = KS_OW | KS_UPDATE;
    }
    return n;
}

#define SORT_SUMMARY "Sort the elements in a list, set or sorted set"
#define SORT_COMPLEXITY                                                                                         \
    "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned " \
    "elements. When the elements are not sorted, complexity is O(N)."
#define SORT_KS_SOURCE {.flags = KS_RO | KS_ACCESS, .begin_index = 1, .keystep = 1}
#define SORT_KS_BY_GET                                                                                            \
    {.flags = KS_RO | KS_ACCESS, .unknown = 1,                                                                    \
     .notes = "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the " \
              "content of the key we sort"}
#define SORT_KS_STORE                                                                                           \
    {.flags = KS_OW | KS_UPDATE, .unknown = 1,                                                                  \
     .notes = "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere " \
              "in the argument array"}

redis_command sort_commands[] = {
    {.name = "sort", .proc = sort_command, .arity = -2, .flags = CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS,
     .acl = ACL_WRITE | ACL_SET | ACL_SORTEDSET | ACL_LIST | ACL_SLOW | ACL_DANGEROUS, .first_key = 1,
     .last_key = 1, .key_step = 1, .key_specs = {SORT_KS_SOURCE, SORT_KS_BY_GET, SORT_KS_STORE},
     .getkeys = sort_getkeys, .group = "generic", .since = "1.0.0", .summary = SORT_SUMMARY,
     .complexity = SORT_COMPLEXITY},
    {.name = "sort_ro", .proc = sort_ro_command, .arity = -2, .flags = CMD_READONLY | CMD_MOVABLE_KEYS,
     .acl = ACL_READ | ACL_SET | ACL_SORTEDSET | ACL_LIST | ACL_SLOW | ACL_DANGEROUS, .first_key = 1,
     .last_key = 1, .key_step = 1, .key_specs = {SORT_KS_SOURCE, SORT_KS_BY_GET}, .group = "generic",
     .since = "7.0.0", .summary = SORT_SUMMARY ". Read-only variant of SORT.", .complexity = SORT_COMPLEXITY},
    {0},
};
