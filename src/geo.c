/* geo.c -- GEOADD, GEODIST, GEOHASH, GEOPOS, GEOSEARCH[STORE] and
 * GEORADIUS[BYMEMBER][_RO]: geospatial indexes kept as sorted sets whose
 * scores are 52-bit geohashes (geohash.h does the geometry).
 *
 * Nothing here adds to a set's per-member cost: a geo set is a plain
 * sorted set. A search walks the score ranges of up to nine cells with
 * t_zset.h's cursor, keeps the members inside the shape in a scratch
 * array (member bytes borrowed from the set, which does not change while
 * the command runs) and replies or stores them in Redis 7.0's order, with
 * its argument checks and error texts in its order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "db.h"
#include "geohash.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "t_zset.h"
#include "util.h"
#include "zmalloc.h"

/* Scratch points kept on the stack before the array goes to the heap. */
#define GEO_STACK_POINTS 128
/* Buffer for a distance printed with 4 decimals, and its scale. */
#define GEO_DIST_BUF_BYTES 128
#define GEO_DIST_SCALE 10000

/* One member found by a search. ele points into the set, or into buf for a
 * listpack member stored as an integer. */
typedef struct geo_point {
    double lon, lat;
    double dist; /* meters while searching, the reply's unit after */
    double score;
    const char *ele;
    size_t len;
    char buf[LP_INTBUF_SIZE];
} geo_point;

typedef struct geo_array {
    geo_point *p;
    size_t used, cap;
    geo_point stack[GEO_STACK_POINTS];
} geo_array;

static void geo_array_init(geo_array *ga) {
    ga->p = ga->stack;
    ga->used = 0;
    ga->cap = GEO_STACK_POINTS;
}

static geo_point *geo_array_push(geo_array *ga) {
    if (ga->used == ga->cap) {
        size_t cap = ga->cap * 2;
        if (ga->p == ga->stack) {
            ga->p = zmalloc(sizeof(geo_point) * cap);
            memcpy(ga->p, ga->stack, sizeof(geo_point) * ga->used);
        } else {
            ga->p = zrealloc(ga->p, sizeof(geo_point) * cap);
        }
        ga->cap = cap;
    }
    return &ga->p[ga->used++];
}

static void geo_array_free(geo_array *ga) {
    if (ga->p != ga->stack) zfree(ga->p);
}

/* A point's member bytes (buf moved with the point, so read it here). */
static const char *geo_point_ele(const geo_point *gp) {
    return gp->ele ? gp->ele : gp->buf;
}

/* ---------------------------------------------------------- arguments */

/* Parses a longitude, latitude pair at argv[0..1] into xy; replies the
 * error and returns -1 when either is not a number or out of range. */
static int geo_parse_lonlat(client *c, sds *argv, double xy[2]) {
    for (int i = 0; i < 2; i++) {
        if (!string2d(argv[i], sds_len(argv[i]), &xy[i])) {
            reply_error(c, "value is not a valid float");
            return -1;
        }
    }
    if (xy[0] < GEO_LONG_MIN || xy[0] > GEO_LONG_MAX || xy[1] < GEO_LAT_MIN || xy[1] > GEO_LAT_MAX) {
        sds err = sds_cat_printf(sds_empty(), "invalid longitude,latitude pair %f,%f", xy[0], xy[1]);
        reply_error(c, err);
        sds_free(err);
        return -1;
    }
    return 0;
}

/* Returns meters per unit, or -1 after replying the error. */
static double geo_parse_unit(client *c, const char *u) {
    if (!strcasecmp(u, "m")) return 1;
    if (!strcasecmp(u, "km")) return 1000;
    if (!strcasecmp(u, "ft")) return 0.3048;
    if (!strcasecmp(u, "mi")) return 1609.34;
    reply_error(c, "unsupported unit provided. please use M, KM, FT, MI");
    return -1;
}

/* Parses "<radius> <unit>" at argv into the shape. */
static int geo_parse_radius(client *c, sds *argv, geo_shape *shape) {
    double r;
    if (!string2d(argv[0], sds_len(argv[0]), &r)) {
        reply_error(c, "need numeric radius");
        return -1;
    }
    if (r < 0) {
        reply_error(c, "radius cannot be negative");
        return -1;
    }
    double conv = geo_parse_unit(c, argv[1]);
    if (conv < 0) return -1;
    shape->type = GEO_SHAPE_RADIUS;
    shape->radius = r;
    shape->conversion = conv;
    return 0;
}

/* Parses "<width> <height> <unit>" at argv into the shape. */
static int geo_parse_box(client *c, sds *argv, geo_shape *shape) {
    double w, h;
    if (!string2d(argv[0], sds_len(argv[0]), &w)) {
        reply_error(c, "need numeric width");
        return -1;
    }
    if (!string2d(argv[1], sds_len(argv[1]), &h)) {
        reply_error(c, "need numeric height");
        return -1;
    }
    if (h < 0 || w < 0) {
        reply_error(c, "height or width cannot be negative");
        return -1;
    }
    double conv = geo_parse_unit(c, argv[2]);
    if (conv < 0) return -1;
    shape->type = GEO_SHAPE_BOX;
    shape->width = w;
    shape->height = h;
    shape->conversion = conv;
    return 0;
}

/* Reads member's position from the set; replies and returns -1 if absent. */
static int geo_member_pos(client *c, robj *o, sds member, double xy[2]) {
    double score;
    if (!zset_score(o, member, &score)) {
        reply_error(c, "could not decode requested zset member");
        return -1;
    }
    geohash_decode_score(score, xy);
    return 0;
}

/* ---------------------------------------------------------- replies */

/* A coordinate as Redis prints it: %.17Lf without trailing zeros; a
 * double in RESP3. */
static void geo_reply_coord(client *c, double v) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    int len = ld2string(buf, sizeof(buf), (long double)v, LD_STR_HUMAN);
    if (c->resp >= 3) {
        char proto[MAX_LONG_DOUBLE_CHARS + 4];
        int n = snprintf(proto, sizeof(proto), ",%.*s\r\n", len, buf);
        reply_proto(c, proto, (size_t)n);
    } else {
        reply_bulk(c, buf, (size_t)len);
    }
}

/* A distance: four decimals, a bulk string in both protocols. Redis 7.0
 * rounds d * 10^4 to an integer (llrint: the product's rounding, then
 * half to even) instead of printing with %.4f, and the two differ when d
 * lies within an ulp of a half: its way is followed. */
static void geo_reply_dist(client *c, double d) {
    char buf[GEO_DIST_BUF_BYTES];
    long long v = llrint(d * GEO_DIST_SCALE);
    unsigned long long u = v < 0 ? (unsigned long long)-(v + 1) + 1 : (unsigned long long)v;
    int len = snprintf(buf, sizeof(buf), "%s%llu.%04llu", v < 0 ? "-" : "", u / (unsigned long long)GEO_DIST_SCALE,
                       u % (unsigned long long)GEO_DIST_SCALE);
    reply_bulk(c, buf, (size_t)len);
}

/* ---------------------------------------------------------- GEOADD */

/* Applies the encoded scores to key as ZADD would and replies; argv from
 * longidx on holds lon, lat, member triples. */
static void geoadd_apply(client *c, int longidx, int elements, const double *scores, int in, int ch) {
    sds key = c->argv[1];
    int err;
    robj *o = zset_lookup(c, key, 1, &err);
    if (err) return;
    long long added = 0, updated = 0;
    if (o == NULL) {
        if (in & ZADD_IN_XX) goto reply;
        o = zset_create_object(1, sds_len(c->argv[longidx + 2]));
        db_add(c->db, key, o);
    }
    for (int i = 0; i < elements; i++) {
        int out;
        zset_add(o, scores[i], c->argv[longidx + 3 * i + 2], in, &out, NULL);
        if (out & ZADD_OUT_ADDED) added++;
        if (out & ZADD_OUT_UPDATED) updated++;
    }
    if (added) blocking_signal_key(c->db, key);
    if (added + updated) {
        db_signal_modified(c->db, key);
        notify_keyspace_event(NOTIFY_ZSET, "zadd", key, c->db->id);
        db_dirty(added + updated);
    }
reply:
    reply_integer(c, ch ? added + updated : added);
}

/* Propagates GEOADD as the ZADD it is (option words kept, each triple
 * turned into its score and member), as Redis 7.0 rewrites it. */
static void geoadd_propagate(client *c, int longidx, int elements, const double *scores) {
    if (!prop_active()) return;
    int argc = longidx + elements * 2;
    sds *argv = zmalloc(sizeof(sds) * (size_t)argc);
    argv[0] = sds_new("zadd");
    for (int i = 1; i < longidx; i++) argv[i] = sds_dup(c->argv[i]);
    for (int i = 0; i < elements; i++) {
        argv[longidx + 2 * i] = sds_from_ll((long long)scores[i]);
        argv[longidx + 2 * i + 1] = sds_dup(c->argv[longidx + 3 * i + 2]);
    }
    prop_replace(c, argc, argv);
}

static void geoadd_command(client *c) {
    int in = 0, ch = 0, longidx = 2;
    for (; longidx < c->argc; longidx++) {
        const char *opt = c->argv[longidx];
        if (!strcasecmp(opt, "nx")) in |= ZADD_IN_NX;
        else if (!strcasecmp(opt, "xx")) in |= ZADD_IN_XX;
        else if (!strcasecmp(opt, "ch")) ch = 1;
        else break;
    }
    int elements = (c->argc - longidx) / 3;
    if ((c->argc - longidx) % 3 || ((in & ZADD_IN_NX) && (in & ZADD_IN_XX)) || elements == 0) {
        reply_error_syntax(c);
        return;
    }
    double stack_scores[GEO_STACK_POINTS];
    double *scores = elements <= GEO_STACK_POINTS ? stack_scores : zmalloc(sizeof(double) * (size_t)elements);
    for (int i = 0; i < elements; i++) {
        double xy[2];
        if (geo_parse_lonlat(c, &c->argv[longidx + 3 * i], xy) < 0) goto done;
        geohash_bits h;
        geohash_encode_wgs84(xy[0], xy[1], GEO_STEP_MAX, &h);
        scores[i] = (double)geohash_align52(h);
    }
    geoadd_apply(c, longidx, elements, scores, in, ch);
    geoadd_propagate(c, longidx, elements, scores);
done:
    if (scores != stack_scores) zfree(scores);
}

/* ---------------------------------------------------------- GEOPOS GEODIST GEOHASH */

static void geopos_command(client *c) {
    int err;
    robj *o = zset_lookup(c, c->argv[1], 0, &err);
    if (err) return;
    reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score, xy[2];
        if (o == NULL || !zset_score(o, c->argv[j], &score)) {
            reply_null_array(c);
            continue;
        }
        geohash_decode_score(score, xy);
        reply_array_len(c, 2);
        geo_reply_coord(c, xy[0]);
        geo_reply_coord(c, xy[1]);
    }
}

static void geodist_command(client *c) {
    double to_meters = 1;
    if (c->argc == 5) {
        to_meters = geo_parse_unit(c, c->argv[4]);
        if (to_meters < 0) return;
    } else if (c->argc > 5) {
        reply_error_syntax(c);
        return;
    }
    int err;
    robj *o = zset_lookup(c, c->argv[1], 0, &err);
    if (err) return;
    double s1, s2, a[2], b[2];
    if (o == NULL || !zset_score(o, c->argv[2], &s1) || !zset_score(o, c->argv[3], &s2)) {
        reply_null(c);
        return;
    }
    geohash_decode_score(s1, a);
    geohash_decode_score(s2, b);
    geo_reply_dist(c, geohash_distance(a[0], a[1], b[0], b[1]) / to_meters);
}

static void geohash_command(client *c) {
    int err;
    robj *o = zset_lookup(c, c->argv[1], 0, &err);
    if (err) return;
    reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score, xy[2];
        if (o == NULL || !zset_score(o, c->argv[j], &score)) {
            reply_null(c);
            continue;
        }
        /* Scores use Mercator's latitude band; the string is the standard
         * geohash (-90..90) of the decoded point. */
        geohash_decode_score(score, xy);
        char buf[GEOHASH_STR_LEN + 1];
        geohash_to_string(xy[0], xy[1], buf);
        reply_bulk(c, buf, GEOHASH_STR_LEN);
    }
}

/* ---------------------------------------------------------- searching */

/* Appends the members of cell h that lie inside shape; stops at limit
 * points in total (0: no limit). */
static void geo_search_cell(robj *o, geohash_bits h, const geo_shape *shape, geo_array *ga, size_t limit) {
    geohash_bits next = h;
    next.bits++;
    zsl_range r = {.min = (double)geohash_align52(h), .max = (double)geohash_align52(next), .minex = 0, .maxex = 1};
    zset_cursor cur;
    zset_elem e;
    for (zset_cursor_at_score(&cur, o, &r, 0); zset_cursor_get(&cur, &e); zset_cursor_next(&cur)) {
        if (e.score >= r.max) break;
        double xy[2], dist;
        geohash_decode_score(e.score, xy);
        if (!geohash_in_shape(shape, xy[0], xy[1], &dist)) continue;
        geo_point *gp = geo_array_push(ga);
        gp->lon = xy[0];
        gp->lat = xy[1];
        gp->dist = dist;
        gp->score = e.score;
        gp->len = e.len;
        if (e.ele == e.buf) {
            memcpy(gp->buf, e.buf, e.len);
            gp->ele = NULL;
        } else {
            gp->ele = e.ele;
        }
        if (limit && ga->used >= limit) break;
    }
}

/* Collects the members inside shape, cell by cell in Redis's order; a
 * cell equal to the one walked just before is skipped (huge radii make
 * neighbours coincide). */
static void geo_search(robj *o, const geo_shape *shape, geo_array *ga, size_t limit) {
    geohash_search s;
    geohash_search_areas(shape, &s);
    int last = 0;
    for (int i = 0; i < GEOHASH_SEARCH_CELLS; i++) {
        geohash_bits h = s.cells[i];
        if (h.bits == 0 && h.step == 0) continue;
        if (last && h.bits == s.cells[last].bits && h.step == s.cells[last].step) continue;
        if (limit && ga->used >= limit) break;
        geo_search_cell(o, h, shape, ga, limit);
        last = i;
    }
}

static int geo_cmp_asc(const void *a, const void *b) {
    double da = ((const geo_point *)a)->dist, db = ((const geo_point *)b)->dist;
    return da > db ? 1 : (da == db ? 0 : -1);
}

static int geo_cmp_desc(const void *a, const void *b) {
    return -geo_cmp_asc(a, b);
}

/* ---------------------------------------------------------- partial sort */

/* With COUNT below the number found, Redis 7.0 sorts only as far as the
 * first COUNT places need, with Bentley and McIlroy's quicksort (NetBSD's
 * variant: ninther pivot above 40 elements, insertion sort below 7) that
 * skips partitions outside the wanted places. Equal distances come out in
 * that algorithm's order, so it is reproduced step for step here. */

typedef int geo_cmp_fn(const void *a, const void *b);

static void gp_swap(geo_point *a, geo_point *b) {
    geo_point t = *a;
    *a = *b;
    *b = t;
}

static void gp_swap_run(geo_point *p, size_t i, size_t j, size_t n) {
    for (size_t k = 0; k < n; k++) gp_swap(&p[i + k], &p[j + k]);
}

static size_t gp_med3(geo_point *p, size_t a, size_t b, size_t c, geo_cmp_fn *cmp) {
    if (cmp(&p[a], &p[b]) < 0) return cmp(&p[b], &p[c]) < 0 ? b : (cmp(&p[a], &p[c]) < 0 ? c : a);
    return cmp(&p[b], &p[c]) > 0 ? b : (cmp(&p[a], &p[c]) < 0 ? a : c);
}

static void gp_insertion_sort(geo_point *p, size_t n, geo_cmp_fn *cmp) {
    for (size_t m = 1; m < n; m++)
        for (size_t l = m; l > 0 && cmp(&p[l - 1], &p[l]) > 0; l--) gp_swap(&p[l], &p[l - 1]);
}

/* Partitions p[0..n) around a pivot chosen as NetBSD does, the equal
 * elements gathered at both ends: [0,pa) and (pd,n-1] equal the pivot,
 * [pa,pb) are below it, (pc,pd] above. */
static void gp_partition(geo_point *p, size_t n, geo_cmp_fn *cmp, size_t *pa_out, size_t *pb_out, size_t *pc_out,
                        size_t *pd_out) {
    size_t pm = n / 2;
    if (n > 7) {
        size_t pl = 0, pn = n - 1;
        if (n > 40) {
            size_t d = n / 8;
            pl = gp_med3(p, pl, pl + d, pl + 2 * d, cmp);
            pm = gp_med3(p, pm - d, pm, pm + d, cmp);
            pn = gp_med3(p, pn - 2 * d, pn - d, pn, cmp);
        }
        pm = gp_med3(p, pl, pm, pn, cmp);
    }
    gp_swap(&p[0], &p[pm]);
    size_t pa = 1, pb = 1, pc = n - 1, pd = n - 1;
    int r;
    for (;;) {
        while (pb <= pc && (r = cmp(&p[pb], &p[0])) <= 0) {
            if (r == 0) gp_swap(&p[pa++], &p[pb]);
            pb++;
        }
        while (pb <= pc && (r = cmp(&p[pc], &p[0])) >= 0) {
            if (r == 0) gp_swap(&p[pc], &p[pd--]);
            pc--;
        }
        if (pb > pc) break;
        gp_swap(&p[pb++], &p[pc--]);
    }
    *pa_out = pa;
    *pb_out = pb;
    *pc_out = pc;
    *pd_out = pd;
}

/* Sorts p[0..n) so that places lo..hi (relative to p, may lie outside)
 * hold what a full sort would put there. */
static void geo_partial_sort(geo_point *p, size_t n, geo_cmp_fn *cmp, long lo, long hi) {
    for (;;) {
        size_t pa, pb, pc, pd;
        if (n < 7) {
            gp_insertion_sort(p, n, cmp);
            return;
        }
        gp_partition(p, n, cmp, &pa, &pb, &pc, &pd);
        /* Move the pivot's equals from the ends to the middle. */
        size_t r = pa < pb - pa ? pa : pb - pa;
        gp_swap_run(p, 0, pb - r, r);
        r = pd - pc < n - pd - 1 ? pd - pc : n - pd - 1;
        gp_swap_run(p, pb, n - r, r);
        size_t left = pb - pa, right = pd - pc;
        if (left > 1 && hi >= 0 && lo <= (long)left - 1) geo_partial_sort(p, left, cmp, lo, hi);
        if (right <= 1) return;
        long shift = (long)(n - right);
        p += n - right;
        n = right;
        lo -= shift;
        hi -= shift;
        if (hi < 0 || lo > (long)n - 1) return;
    }
}

/* ---------------------------------------------------------- GEOSEARCH & co */

/* What a search command is (flags of geo_search_generic). */
#define GEO_RADIUS_COORDS (1 << 0) /* GEORADIUS[_RO]: center from lon lat */
#define GEO_RADIUS_MEMBER (1 << 1) /* GEORADIUSBYMEMBER[_RO]: from a member */
#define GEO_NOSTORE (1 << 2)       /* the _RO forms: no STORE option */
#define GEO_SEARCH (1 << 3)        /* GEOSEARCH[STORE]: FROM* and BY* options */
#define GEO_SEARCHSTORE (1 << 4)   /* GEOSEARCHSTORE: destination first */

enum geo_sort { GEO_SORT_NONE, GEO_SORT_ASC, GEO_SORT_DESC };

/* Options of a search, as parsed. */
typedef struct geo_opts {
    geo_shape shape;
    sds storekey;
    int storedist;
    int withdist, withhash, withcoord;
    int frommember, fromloc, byradius, bybox;
    int any;
    enum geo_sort sort;
    long long count;
} geo_opts;

/* Parses the optional words from argv[base] on. o is the source set (NULL
 * if missing: FROMMEMBER is then accepted unread). Returns -1 after
 * replying an error. */
static int geo_parse_opts(client *c, int base, int flags, robj *o, geo_opts *g) {
    int remaining = c->argc - base;
    for (int i = 0; i < remaining; i++) {
        sds *argv = &c->argv[base + i];
        const char *arg = argv[0];
        if (!strcasecmp(arg, "withdist")) {
            g->withdist = 1;
        } else if (!strcasecmp(arg, "withhash")) {
            g->withhash = 1;
        } else if (!strcasecmp(arg, "withcoord")) {
            g->withcoord = 1;
        } else if (!strcasecmp(arg, "any")) {
            g->any = 1;
        } else if (!strcasecmp(arg, "asc")) {
            g->sort = GEO_SORT_ASC;
        } else if (!strcasecmp(arg, "desc")) {
            g->sort = GEO_SORT_DESC;
        } else if (!strcasecmp(arg, "count") && i + 1 < remaining) {
            if (!string2ll(argv[1], sds_len(argv[1]), &g->count)) {
                reply_error(c, "value is not an integer or out of range");
                return -1;
            }
            if (g->count <= 0) {
                reply_error(c, "COUNT must be > 0");
                return -1;
            }
            i++;
        } else if ((!strcasecmp(arg, "store") || !strcasecmp(arg, "storedist")) && i + 1 < remaining &&
                   !(flags & GEO_NOSTORE) && !(flags & GEO_SEARCH)) {
            g->storekey = argv[1];
            g->storedist = !strcasecmp(arg, "storedist");
            i++;
        } else if (!strcasecmp(arg, "storedist") && (flags & GEO_SEARCHSTORE)) {
            g->storedist = 1;
        } else if (!strcasecmp(arg, "frommember") && i + 1 < remaining && (flags & GEO_SEARCH) && !g->fromloc) {
            /* A missing source still parses on: the reply is decided after. */
            if (o && geo_member_pos(c, o, argv[1], g->shape.xy) < 0) return -1;
            g->frommember = 1;
            i++;
        } else if (!strcasecmp(arg, "fromlonlat") && i + 2 < remaining && (flags & GEO_SEARCH) && !g->frommember) {
            if (geo_parse_lonlat(c, &argv[1], g->shape.xy) < 0) return -1;
            g->fromloc = 1;
            i += 2;
        } else if (!strcasecmp(arg, "byradius") && i + 2 < remaining && (flags & GEO_SEARCH) && !g->bybox) {
            if (geo_parse_radius(c, &argv[1], &g->shape) < 0) return -1;
            g->byradius = 1;
            i += 2;
        } else if (!strcasecmp(arg, "bybox") && i + 3 < remaining && (flags & GEO_SEARCH) && !g->byradius) {
            if (geo_parse_box(c, &argv[1], &g->shape) < 0) return -1;
            g->bybox = 1;
            i += 3;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    return 0;
}

/* The checks Redis makes once every option is read. */
static int geo_check_opts(client *c, int flags, const geo_opts *g) {
    if (g->storekey && (g->withdist || g->withhash || g->withcoord)) {
        reply_error_format(c, "%s is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
                           (flags & GEO_SEARCHSTORE) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS");
        return -1;
    }
    if ((flags & GEO_SEARCH) && !(g->frommember ^ g->fromloc)) {
        reply_error_format(c, "exactly one of FROMMEMBER or FROMLONLAT can be specified for %s", c->argv[0]);
        return -1;
    }
    if ((flags & GEO_SEARCH) && !(g->byradius ^ g->bybox)) {
        reply_error_format(c, "exactly one of BYRADIUS and BYBOX can be specified for %s", c->argv[0]);
        return -1;
    }
    if (g->any && !g->count) {
        reply_error(c, "the ANY argument requires COUNT argument");
        return -1;
    }
    return 0;
}

/* Deletes dstkey for a store that found nothing (one change if it
 * existed). */
static void geo_store_nothing(client *c, sds dstkey) {
    if (db_delete_maybe_lazy(c->db, dstkey, cfg.lazyfree_lazy_server_del)) {
        db_signal_modified(c->db, dstkey);
        notify_keyspace_event(NOTIFY_GENERIC, "del", dstkey, c->db->id);
        db_dirty(1);
    }
}

/* Stores the first n points at g->storekey (scores: geohashes, or the
 * distances with STOREDIST) and replies with n. */
static void geo_store(client *c, int flags, const geo_opts *g, geo_array *ga, size_t n) {
    if (n == 0) {
        geo_store_nothing(c, g->storekey);
        reply_integer(c, 0);
        return;
    }
    size_t maxlen = 0;
    for (size_t i = 0; i < n; i++)
        if (ga->p[i].len > maxlen) maxlen = ga->p[i].len;
    robj *dst = zset_create_object(n, maxlen);
    sds tmp = sds_empty();
    for (size_t i = 0; i < n; i++) {
        geo_point *gp = &ga->p[i];
        int out;
        tmp = sds_cpy_len(tmp, geo_point_ele(gp), gp->len);
        zset_add(dst, g->storedist ? gp->dist : gp->score, tmp, 0, &out, NULL);
    }
    sds_free(tmp);
    db_set_key(c->db, g->storekey, dst, 0);
    notify_keyspace_event(NOTIFY_ZSET, (flags & GEO_SEARCH) ? "geosearchstore" : "georadiusstore", g->storekey,
                          c->db->id);
    db_dirty((long long)n);
    reply_integer(c, (long long)n);
}

static void geo_reply_points(client *c, const geo_opts *g, geo_array *ga, size_t n) {
    int extra = g->withdist + g->withhash + g->withcoord;
    reply_array_len(c, (long)n);
    for (size_t i = 0; i < n; i++) {
        geo_point *gp = &ga->p[i];
        if (extra) reply_array_len(c, extra + 1);
        reply_bulk(c, geo_point_ele(gp), gp->len);
        if (!extra) continue;
        if (g->withdist) geo_reply_dist(c, gp->dist);
        if (g->withhash) reply_integer(c, (long long)gp->score);
        if (g->withcoord) {
            reply_array_len(c, 2);
            geo_reply_coord(c, gp->lon);
            geo_reply_coord(c, gp->lat);
        }
    }
}

/* Runs the search in a parsed, checked request on the existing set o. */
static void geo_run(client *c, int flags, robj *o, geo_opts *g) {
    /* COUNT keeps the nearest ones: sorted ascending unless told (or ANY,
     * which keeps the first found). */
    if (g->count && g->sort == GEO_SORT_NONE && !g->any) g->sort = GEO_SORT_ASC;
    geo_array ga;
    geo_array_init(&ga);
    geo_search(o, &g->shape, &ga, g->any ? (size_t)g->count : 0);
    if (ga.used == 0 && g->storekey == NULL) {
        reply_array_len(c, 0);
        geo_array_free(&ga);
        return;
    }
    size_t n = (g->count == 0 || ga.used < (size_t)g->count) ? ga.used : (size_t)g->count;
    if (g->sort != GEO_SORT_NONE) {
        geo_cmp_fn *cmp = g->sort == GEO_SORT_ASC ? geo_cmp_asc : geo_cmp_desc;
        /* A full sort is the C library's (stable here, as for Redis). */
        if (n == ga.used) qsort(ga.p, ga.used, sizeof(geo_point), cmp);
        else geo_partial_sort(ga.p, ga.used, cmp, 0, (long)n - 1);
    }
    for (size_t i = 0; i < n; i++) ga.p[i].dist /= g->shape.conversion;
    if (g->storekey) geo_store(c, flags, g, &ga, n);
    else geo_reply_points(c, g, &ga, n);
    geo_array_free(&ga);
}

/* The body of every search command: srcidx is the source key's index. */
static void geo_search_generic(client *c, int srcidx, int flags) {
    geo_opts g;
    memset(&g, 0, sizeof(g));
    robj *o = db_lookup_read(c->db, c->argv[srcidx]);
    if (db_check_type(c, o, OBJ_ZSET)) return;
    int base;
    if (flags & GEO_RADIUS_COORDS) {
        base = 6;
        if (geo_parse_lonlat(c, &c->argv[2], g.shape.xy) < 0) return;
        if (geo_parse_radius(c, &c->argv[4], &g.shape) < 0) return;
    } else if (flags & GEO_RADIUS_MEMBER) {
        base = 5;
        /* A missing source reads no member and no radius. */
        if (o) {
            if (geo_member_pos(c, o, c->argv[2], g.shape.xy) < 0) return;
            if (geo_parse_radius(c, &c->argv[3], &g.shape) < 0) return;
        }
    } else {
        base = (flags & GEO_SEARCHSTORE) ? 3 : 2;
        if (flags & GEO_SEARCHSTORE) g.storekey = c->argv[1];
    }
    if (geo_parse_opts(c, base, flags, o, &g) < 0) return;
    if (geo_check_opts(c, flags, &g) < 0) return;
    if (o == NULL) {
        if (g.storekey) {
            geo_store_nothing(c, g.storekey);
            reply_integer(c, 0);
        } else {
            reply_array_len(c, 0);
        }
        return;
    }
    geo_run(c, flags, o, &g);
}

static void georadius_command(client *c) {
    geo_search_generic(c, 1, GEO_RADIUS_COORDS);
}

static void georadius_ro_command(client *c) {
    geo_search_generic(c, 1, GEO_RADIUS_COORDS | GEO_NOSTORE);
}

static void georadiusbymember_command(client *c) {
    geo_search_generic(c, 1, GEO_RADIUS_MEMBER);
}

static void georadiusbymember_ro_command(client *c) {
    geo_search_generic(c, 1, GEO_RADIUS_MEMBER | GEO_NOSTORE);
}

static void geosearch_command(client *c) {
    geo_search_generic(c, 1, GEO_SEARCH);
}

static void geosearchstore_command(client *c) {
    geo_search_generic(c, 2, GEO_SEARCH | GEO_SEARCHSTORE);
}

/* ---------------------------------------------------------- table */

#define GEO_ONE_KEY .first_key = 1, .last_key = 1, .key_step = 1
#define GEO_SEARCH_COMPLEXITY                                                                              \
    "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited " \
    "by center and radius and M is the number of items inside the index."
#define GEO_SEARCH2_COMPLEXITY                                                                            \
    "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape " \
    "provided as the filter and M is the number of items inside the shape"
/* GEORADIUS*'s keys: the source, then the STORE / STOREDIST destination
 * found by keyword from the sixth (BYMEMBER: fifth) argument on. */
#define GEO_STORE_SPECS(from_)                                                           \
    {{.flags = KS_RO | KS_ACCESS, .begin_index = 1, .keystep = 1},                       \
     {.flags = KS_OW | KS_UPDATE, .bs_keyword = "STORE", .bs_startfrom = (from_), .keystep = 1}, \
     {.flags = KS_OW | KS_UPDATE, .bs_keyword = "STOREDIST", .bs_startfrom = (from_), .keystep = 1}}

redis_command geo_commands[] = {
    {.name = "geoadd", .proc = geoadd_command, .arity = -5, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_GEO,
     GEO_ONE_KEY, .ks_flags = KS_RW | KS_UPDATE, .group = "geo", .since = "3.2.0",
     .summary = "Add one or more geospatial items in the geospatial index represented using a sorted set",
     .complexity = "O(log(N)) for each item added, where N is the number of elements in the sorted set."},
    {.name = "geodist", .proc = geodist_command, .arity = -4, .flags = CMD_READONLY, .acl = ACL_GEO, GEO_ONE_KEY,
     .ks_flags = KS_RO | KS_ACCESS, .group = "geo", .since = "3.2.0",
     .summary = "Returns the distance between two members of a geospatial index", .complexity = "O(log(N))"},
    {.name = "geohash", .proc = geohash_command, .arity = -2, .flags = CMD_READONLY, .acl = ACL_GEO, GEO_ONE_KEY,
     .ks_flags = KS_RO | KS_ACCESS, .group = "geo", .since = "3.2.0",
     .summary = "Returns members of a geospatial index as standard geohash strings",
     .complexity = "O(log(N)) for each member requested, where N is the number of elements in the sorted set."},
    {.name = "geopos", .proc = geopos_command, .arity = -2, .flags = CMD_READONLY, .acl = ACL_GEO, GEO_ONE_KEY,
     .ks_flags = KS_RO | KS_ACCESS, .group = "geo", .since = "3.2.0",
     .summary = "Returns longitude and latitude of members of a geospatial index",
     .complexity = "O(N) where N is the number of members requested."},
    {.name = "georadius", .proc = georadius_command, .arity = -6,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS, .acl = ACL_GEO, GEO_ONE_KEY, .key_specs = GEO_STORE_SPECS(6),
     .group = "geo", .since = "3.2.0",
     .summary = "Query a sorted set representing a geospatial index to fetch members matching a given maximum "
                "distance from a point",
     .complexity = GEO_SEARCH_COMPLEXITY, .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"},
    {.name = "georadius_ro", .proc = georadius_ro_command, .arity = -6, .flags = CMD_READONLY, .acl = ACL_GEO,
     GEO_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "geo", .since = "3.2.10",
     .summary = "A read-only variant for GEORADIUS", .complexity = GEO_SEARCH_COMPLEXITY,
     .deprecated_since = "6.2.0", .replaced_by = "`GEOSEARCH` with the `BYRADIUS` argument"},
    {.name = "georadiusbymember", .proc = georadiusbymember_command, .arity = -5,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS, .acl = ACL_GEO, GEO_ONE_KEY, .key_specs = GEO_STORE_SPECS(5),
     .group = "geo", .since = "3.2.0",
     .summary = "Query a sorted set representing a geospatial index to fetch members matching a given maximum "
                "distance from a member",
     .complexity = GEO_SEARCH_COMPLEXITY, .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"},
    {.name = "georadiusbymember_ro", .proc = georadiusbymember_ro_command, .arity = -5, .flags = CMD_READONLY,
     .acl = ACL_GEO, GEO_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "geo", .since = "3.2.10",
     .summary = "A read-only variant for GEORADIUSBYMEMBER", .complexity = GEO_SEARCH_COMPLEXITY,
     .deprecated_since = "6.2.0", .replaced_by = "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"},
    {.name = "geosearch", .proc = geosearch_command, .arity = -7, .flags = CMD_READONLY, .acl = ACL_GEO,
     GEO_ONE_KEY, .ks_flags = KS_RO | KS_ACCESS, .group = "geo", .since = "6.2.0",
     .summary = "Query a sorted set representing a geospatial index to fetch members inside an area of a box or "
                "a circle.",
     .complexity = GEO_SEARCH2_COMPLEXITY},
    {.name = "geosearchstore", .proc = geosearchstore_command, .arity = -8, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_GEO, .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = {{.flags = KS_OW | KS_UPDATE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_RO | KS_ACCESS, .begin_index = 2, .keystep = 1}},
     .group = "geo", .since = "6.2.0",
     .summary = "Query a sorted set representing a geospatial index to fetch members inside an area of a box or "
                "a circle, and store the result in another key.",
     .complexity = GEO_SEARCH2_COMPLEXITY},
    {0}};
