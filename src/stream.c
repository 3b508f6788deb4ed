/* stream.c -- the stream data structure: a rax of listpack nodes laid out
 * byte for byte as Redis 7.0 lays them out (see stream.h for the layout),
 * plus consumer groups, consumers and their pending-entry lists.
 *
 * Library code (L0): no server header, no clock, no configuration; node
 * limits and times come in as parameters. Invariant: every node holds at
 * least one live entry (a node whose last live entry goes is freed), the
 * master entry's count/deleted fields match the entries' flags, and
 * s->length is the sum of the live counts. */
#include "stream.h"

#include <errno.h>
#include <string.h>

#include "listpack.h"
#include "util.h"
#include "zmalloc.h"

/* Largest listpack a node may become, and the largest total of field and
 * value bytes one entry may carry (a listpack header holds 32 bits). */
#define STREAM_LISTPACK_MAX_SIZE ((size_t)1 << 30)
/* A new node reserves this many bytes (or node_max_bytes when smaller) so
 * the next appends do not reallocate; the node is shrunk when it closes. */
#define STREAM_NODE_PREALLOC_BYTES 4096
/* Entries of one XADD written with one listpack resize when they fit. */
#define STREAM_STATIC_ITEMS 64
#define STREAM_ID_BYTES 16

/* ------------------------------------------------------------- IDs */

void stream_id_encode(unsigned char out[16], const stream_id *id) {
    for (int i = 0; i < 8; i++) {
        out[i] = (unsigned char)(id->ms >> (56 - 8 * i));
        out[8 + i] = (unsigned char)(id->seq >> (56 - 8 * i));
    }
}

void stream_id_decode(const unsigned char in[16], stream_id *id) {
    uint64_t ms = 0, seq = 0;
    for (int i = 0; i < 8; i++) {
        ms = (ms << 8) | in[i];
        seq = (seq << 8) | in[8 + i];
    }
    id->ms = ms;
    id->seq = seq;
}

int stream_id_cmp(const stream_id *a, const stream_id *b) {
    if (a->ms != b->ms) return a->ms < b->ms ? -1 : 1;
    if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
    return 0;
}

int stream_id_incr(stream_id *id) {
    if (id->seq != UINT64_MAX) {
        id->seq++;
        return 0;
    }
    if (id->ms == UINT64_MAX) return -1;
    id->ms++;
    id->seq = 0;
    return 0;
}

int stream_id_decr(stream_id *id) {
    if (id->seq != 0) {
        id->seq--;
        return 0;
    }
    if (id->ms == 0) return -1;
    id->ms--;
    id->seq = UINT64_MAX;
    return 0;
}

/* Writes v in decimal at buf (no NUL), two digits per step: every XRANGE
 * entry and XADD reply formats an ID, and this is their hot loop. */
static int u64_format(char *buf, uint64_t v) {
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char tmp[20];
    int i = 20;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        tmp[--i] = pairs[2 * r + 1];
        tmp[--i] = pairs[2 * r];
    }
    if (v >= 10) {
        tmp[--i] = pairs[2 * v + 1];
        tmp[--i] = pairs[2 * v];
    } else {
        tmp[--i] = (char)('0' + v);
    }
    memcpy(buf, tmp + i, (size_t)(20 - i));
    return 20 - i;
}

int stream_id_format(char *buf, const stream_id *id) {
    int n = u64_format(buf, id->ms);
    buf[n++] = '-';
    n += u64_format(buf + n, id->seq);
    buf[n] = '\0';
    return n;
}

int stream_id_format_seq(char *buf, int ms_len, uint64_t seq) {
    int n = ms_len + 1 + u64_format(buf + ms_len + 1, seq);
    buf[n] = '\0';
    return n;
}

static int id_is_zero(const stream_id *id) {
    return id->ms == 0 && id->seq == 0;
}

/* ------------------------------------------------- listpack helpers */

/* The integer in a node's bookkeeping entry (counts, flags, deltas are
 * always stored as integers; a string is parsed for robustness). */
static inline int64_t lp_int(const unsigned char *p) {
    /* Flags, counts and small deltas are 7-bit unsigned entries (one byte
     * 0xxxxxxx, per the listpack specification): read those inline. */
    if (p[0] < 0x80) return p[0];
    int64_t v = 0;
    const unsigned char *s;
    uint32_t len;
    if (lp_get(p, &v, &s, &len, NULL) == LP_KIND_STR && !lp_string_to_int64(s, len, &v)) v = 0;
    return v;
}

/* lp_next with the 7-bit integer entry (1 byte + 1 byte backlen) inline. */
static inline unsigned char *lp_step(unsigned char *lp, unsigned char *p) {
    if (p[0] < 0x80) return p[2] == LP_EOF ? NULL : p + 2;
    return lp_next(lp, p);
}

static unsigned char *lp_skip(unsigned char *lp, unsigned char *p, int64_t n) {
    while (n-- > 0 && p) p = lp_step(lp, p);
    return p;
}

/* The ID of the last entry (deleted or not) of node lp. */
static void node_last_id(unsigned char *lp, const stream_id *master, stream_id *out) {
    unsigned char *p = lp_last(lp);
    int64_t back = lp_int(p);
    *out = *master;
    if (back == 0) return; /* only the master entry: cannot happen */
    while (back-- > 0) p = lp_prev(lp, p);
    p = lp_step(lp, p); /* flags -> ms delta */
    out->ms = master->ms + (uint64_t)lp_int(p);
    p = lp_step(lp, p);
    out->seq = master->seq + (uint64_t)lp_int(p);
}

/* ---------------------------------------------------------- streams */

stream *stream_new(void) {
    stream *s = zmalloc(sizeof(*s));
    s->rax = rax_new();
    s->length = 0;
    s->last_id.ms = s->last_id.seq = 0;
    s->first_id = s->last_id;
    s->max_deleted_entry_id = s->last_id;
    s->entries_added = 0;
    s->cgroups = NULL;
    return s;
}

static void free_listpack(void *lp) {
    lp_free(lp);
}

static void free_consumer(void *p) {
    stream_consumer *c = p;
    rax_free(c->pel, NULL); /* the nacks belong to the group's PEL */
    sds_free(c->name);
    zfree(c);
}

static void free_nack(void *p) {
    zfree(p);
}

static void free_cg(void *p) {
    stream_cg *cg = p;
    rax_free(cg->pel, free_nack);
    rax_free(cg->consumers, free_consumer);
    zfree(cg);
}

void stream_free(stream *s) {
    if (!s) return;
    rax_free(s->rax, free_listpack);
    if (s->cgroups) rax_free(s->cgroups, free_cg);
    zfree(s);
}

/* Copies cg's consumers into copy, whose PEL already holds copied nacks:
 * each consumer's PEL points at the copy's nacks, which get the new
 * owner. */
static void copy_consumers(stream_cg *cg, stream_cg *copy) {
    rax_iter ci;
    rax_start(&ci, cg->consumers);
    rax_seek(&ci, "^", NULL, 0);
    while (rax_next(&ci)) {
        stream_consumer *c = ci.data;
        stream_consumer *nc = stream_create_consumer(copy, (unsigned char *)c->name, sds_len(c->name), c->seen_time);
        rax_iter pi;
        rax_start(&pi, c->pel);
        rax_seek(&pi, "^", NULL, 0);
        while (rax_next(&pi)) {
            void *nack = NULL;
            rax_find(copy->pel, pi.key, pi.key_len, &nack);
            ((stream_nack *)nack)->consumer = nc;
            rax_insert(nc->pel, pi.key, pi.key_len, nack, NULL);
        }
        rax_stop(&pi);
    }
    rax_stop(&ci);
}

static void copy_groups(const stream *s, stream *copy) {
    rax_iter gi;
    rax_start(&gi, s->cgroups);
    rax_seek(&gi, "^", NULL, 0);
    while (rax_next(&gi)) {
        stream_cg *cg = gi.data;
        stream_cg *ncg = stream_create_cg(copy, gi.key, gi.key_len, &cg->last_id, cg->entries_read);
        rax_iter pi;
        rax_start(&pi, cg->pel);
        rax_seek(&pi, "^", NULL, 0);
        while (rax_next(&pi)) {
            stream_nack *n = pi.data, *nn = zmalloc(sizeof(*nn));
            *nn = *n;
            nn->consumer = NULL; /* set by copy_consumers */
            rax_insert(ncg->pel, pi.key, pi.key_len, nn, NULL);
        }
        rax_stop(&pi);
        copy_consumers(cg, ncg);
    }
    rax_stop(&gi);
}

stream *stream_copy(const stream *s) {
    stream *copy = stream_new();
    rax_iter it;
    rax_start(&it, s->rax);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) rax_insert(copy->rax, it.key, it.key_len, lp_dup(it.data), NULL);
    rax_stop(&it);
    copy->length = s->length;
    copy->last_id = s->last_id;
    copy->first_id = s->first_id;
    copy->max_deleted_entry_id = s->max_deleted_entry_id;
    copy->entries_added = s->entries_added;
    if (s->cgroups) {
        copy->cgroups = rax_new();
        copy_groups(s, copy);
    }
    return copy;
}

/* ------------------------------------------------------------ append */

/* The ID an append would get, as stream_append describes; -1 with errno
 * set when there is none. */
static int next_append_id(const stream *s, const stream_id *use_id, int seq_given, long long now_ms,
                          stream_id *id) {
    if (use_id && seq_given) {
        *id = *use_id;
    } else if (use_id) {
        /* "ms-*": the next sequence in that millisecond, or 0 in a new one. */
        if (s->last_id.ms == use_id->ms) {
            if (s->last_id.seq == UINT64_MAX) {
                errno = ERANGE; /* Redis answers this one as "too large" */
                return -1;
            }
            *id = s->last_id;
            id->seq++;
        } else {
            *id = *use_id;
        }
    } else {
        uint64_t ms = now_ms > 0 ? (uint64_t)now_ms : 0;
        if (ms > s->last_id.ms) {
            id->ms = ms;
            id->seq = 0;
        } else {
            *id = s->last_id;
            if (stream_id_incr(id) != 0) {
                errno = ERANGE;
                return -1;
            }
        }
    }
    if (stream_id_cmp(id, &s->last_id) <= 0) {
        errno = EDOM;
        return -1;
    }
    return 0;
}

/* 1 when the tail node lp cannot take an entry of elebytes more bytes of
 * fields and values: Redis closes a node when its bytes plus the new
 * entry's field and value bytes reach node_max_bytes, or when it already
 * holds node_max_entries entries (live and deleted). */
static int node_is_full(unsigned char *lp, size_t elebytes, const stream_limits *lim) {
    size_t max_bytes = lim->node_max_bytes;
    if (max_bytes == 0 || max_bytes > STREAM_LISTPACK_MAX_SIZE) max_bytes = STREAM_LISTPACK_MAX_SIZE;
    if (lp_bytes(lp) + elebytes >= max_bytes) return 1;
    if (lim->node_max_entries > 0) {
        unsigned char *p = lp_first(lp);
        int64_t count = lp_int(p) + lp_int(lp_step(lp, p));
        if (count >= lim->node_max_entries) return 1;
    }
    return 0;
}

/* A new node whose master entry carries the fields of fv. */
static unsigned char *node_new(sds *fv, long long numfields, const stream_limits *lim, lp_item *items) {
    size_t prealloc = STREAM_NODE_PREALLOC_BYTES;
    if (lim->node_max_bytes > 0 && lim->node_max_bytes < prealloc) prealloc = lim->node_max_bytes;
    unsigned char *lp = lp_new(prealloc);
    size_t n = 0;
    items[n++] = (lp_item){.is_int = 1, .ival = 1}; /* count: the entry being added */
    items[n++] = (lp_item){.is_int = 1, .ival = 0}; /* deleted */
    items[n++] = (lp_item){.is_int = 1, .ival = numfields};
    for (long long i = 0; i < numfields; i++)
        items[n++] = (lp_item){.str = (unsigned char *)fv[2 * i], .len = (uint32_t)sds_len(fv[2 * i])};
    items[n++] = (lp_item){.is_int = 1, .ival = 0}; /* master terminator */
    return lp_batch_append(lp, items, n);
}

/* Counts the entry in the tail node's master entry and tells whether its
 * fields equal the master fields (so only values are written). */
static int node_account_entry(unsigned char **lpp, sds *fv, long long numfields) {
    unsigned char *lp = *lpp, *p = lp_first(lp);
    lp = lp_replace_integer(lp, &p, lp_int(p) + 1);
    *lpp = lp;
    p = lp_step(lp, lp_step(lp, p)); /* deleted -> #master-fields */
    if (lp_int(p) != numfields) return 0;
    p = lp_step(lp, p);
    for (long long i = 0; i < numfields; i++) {
        if (!lp_entry_eq(p, (unsigned char *)fv[2 * i], (uint32_t)sds_len(fv[2 * i]))) return 0;
        p = lp_step(lp, p);
    }
    return 1;
}

int stream_append(stream *s, sds *fv, long long numfields, stream_id *added, const stream_id *use_id, int seq_given,
                  long long now_ms, const stream_limits *lim) {
    size_t elebytes = 0;
    for (long long i = 0; i < numfields * 2; i++) elebytes += sds_len(fv[i]);
    if (elebytes > STREAM_LISTPACK_MAX_SIZE) {
        errno = ERANGE;
        return -1;
    }
    stream_id id;
    if (next_append_id(s, use_id, seq_given, now_ms, &id) != 0) return -1;

    /* The tail node, if it can take the entry. */
    unsigned char key[STREAM_ID_BYTES];
    unsigned char *lp = NULL;
    stream_id master;
    rax_iter ri;
    rax_start(&ri, s->rax);
    rax_seek(&ri, "$", NULL, 0);
    if (rax_next(&ri)) {
        lp = ri.data;
        memcpy(key, ri.key, STREAM_ID_BYTES);
    }
    rax_stop(&ri);
    if (lp && node_is_full(lp, elebytes, lim)) {
        unsigned char *shrunk = lp_shrink_to_fit(lp);
        if (shrunk != lp) rax_insert(s->rax, key, STREAM_ID_BYTES, shrunk, NULL);
        lp = NULL;
    }

    size_t nitems = 5 + 2 * (size_t)numfields;
    lp_item static_items[STREAM_STATIC_ITEMS];
    lp_item *items = nitems <= STREAM_STATIC_ITEMS ? static_items : zmalloc(nitems * sizeof(lp_item));
    int same;
    unsigned char *orig = lp;
    if (!lp) {
        master = id;
        stream_id_encode(key, &id);
        lp = node_new(fv, numfields, lim, items);
        orig = NULL;
        same = 1; /* the first entry has the master's fields */
    } else {
        stream_id_decode(key, &master);
        same = node_account_entry(&lp, fv, numfields);
    }

    /* flags, ms-delta, seq-delta, [#fields], [field] value ..., lp-count */
    size_t n = 0;
    int64_t flags = same ? STREAM_ITEM_FLAG_SAMEFIELDS : STREAM_ITEM_FLAG_NONE;
    items[n++] = (lp_item){.is_int = 1, .ival = flags};
    items[n++] = (lp_item){.is_int = 1, .ival = (int64_t)(id.ms - master.ms)};
    items[n++] = (lp_item){.is_int = 1, .ival = (int64_t)(id.seq - master.seq)};
    if (!same) items[n++] = (lp_item){.is_int = 1, .ival = numfields};
    for (long long i = 0; i < numfields; i++) {
        if (!same) items[n++] = (lp_item){.str = (unsigned char *)fv[2 * i], .len = (uint32_t)sds_len(fv[2 * i])};
        items[n++] = (lp_item){.str = (unsigned char *)fv[2 * i + 1], .len = (uint32_t)sds_len(fv[2 * i + 1])};
    }
    int64_t lp_count = 3 + numfields + (same ? 0 : numfields + 1);
    items[n++] = (lp_item){.is_int = 1, .ival = lp_count};
    lp = lp_batch_append(lp, items, n);
    if (items != static_items) zfree(items);
    if (lp != orig) rax_insert(s->rax, key, STREAM_ID_BYTES, lp, NULL);

    s->length++;
    s->entries_added++;
    s->last_id = id;
    if (s->length == 1) s->first_id = id;
    if (added) *added = id;
    return 0;
}

/* ------------------------------------------------------------ trimming */

/* 1 when the whole node may go under args (with entries live entries). */
static int trim_whole_node(stream *s, const stream_trim_args *args, unsigned char *lp, const stream_id *master,
                           int64_t entries) {
    if (args->strategy == STREAM_TRIM_MAXLEN) return (long long)(s->length - (uint64_t)entries) >= args->maxlen;
    stream_id last;
    node_last_id(lp, master, &last);
    return stream_id_cmp(&last, &args->minid) < 0;
}

/* Flags entries of node lp deleted from its start while the strategy
 * asks; returns the (maybe moved) listpack, *removed the count. */
static unsigned char *trim_inside_node(stream *s, const stream_trim_args *args, unsigned char *lp,
                                       const stream_id *master, int64_t *removed) {
    unsigned char *p = lp_step(lp, lp_step(lp, lp_first(lp))); /* #master-fields */
    int64_t master_fields = lp_int(p);
    p = lp_skip(lp, p, master_fields + 2); /* past fields and terminator */
    int64_t n = 0;
    while (p) {
        unsigned char *flagp = p;
        int64_t flags = lp_int(p);
        p = lp_step(lp, p);
        stream_id cur;
        cur.ms = master->ms + (uint64_t)lp_int(p);
        p = lp_step(lp, p);
        cur.seq = master->seq + (uint64_t)lp_int(p);
        p = lp_step(lp, p);
        int stop = args->strategy == STREAM_TRIM_MAXLEN ? (long long)s->length <= args->maxlen
                                                        : stream_id_cmp(&cur, &args->minid) >= 0;
        if (stop) break;
        int64_t skip = master_fields;
        if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS)) {
            skip = lp_int(p) * 2 + 1;
        }
        p = lp_skip(lp, p, skip + 1); /* fields/values and lp-count */
        if (!(flags & STREAM_ITEM_FLAG_DELETED)) {
            size_t off = p ? (size_t)(p - lp) : 0;
            lp = lp_replace_integer(lp, &flagp, flags | STREAM_ITEM_FLAG_DELETED);
            if (p) p = lp + off; /* same-size replacement: offsets hold */
            n++;
            s->length--;
        }
    }
    /* The master entry's counters. */
    p = lp_first(lp);
    lp = lp_replace_integer(lp, &p, lp_int(p) - n);
    p = lp_step(lp, p);
    lp = lp_replace_integer(lp, &p, lp_int(p) + n);
    *removed = n;
    return lp;
}

long long stream_trim(stream *s, const stream_trim_args *args) {
    if (args->strategy == STREAM_TRIM_NONE) return 0;
    long long deleted = 0;
    rax_iter ri;
    rax_start(&ri, s->rax);
    rax_seek(&ri, "^", NULL, 0);
    while (rax_next(&ri)) {
        if (args->strategy == STREAM_TRIM_MAXLEN && (long long)s->length <= args->maxlen) break;
        unsigned char *lp = ri.data;
        int64_t entries = lp_int(lp_first(lp));
        if (args->limit && deleted + entries > args->limit) break;
        stream_id master;
        stream_id_decode(ri.key, &master);
        if (trim_whole_node(s, args, lp, &master, entries)) {
            lp_free(lp);
            unsigned char key[STREAM_ID_BYTES];
            memcpy(key, ri.key, sizeof(key));
            rax_remove(s->rax, key, sizeof(key), NULL);
            rax_seek(&ri, ">=", key, sizeof(key));
            s->length -= (uint64_t)entries;
            deleted += entries;
            continue;
        }
        if (args->approx) break; /* "~" removes whole nodes only */
        int64_t removed;
        unsigned char *nlp = trim_inside_node(s, args, lp, &master, &removed);
        if (nlp != lp) rax_insert(s->rax, ri.key, ri.key_len, nlp, NULL);
        deleted += removed;
        break; /* this node had entries to keep: the rest are newer */
    }
    rax_stop(&ri);
    if (s->length)
        stream_first_valid_id(s, &s->first_id);
    else
        s->first_id.ms = s->first_id.seq = 0;
    return deleted;
}

/* ------------------------------------------------------- iteration */

void stream_iter_start(stream_iter *it, stream *s, const stream_id *start, const stream_id *end, int rev) {
    it->s = s;
    it->rev = rev;
    if (start) {
        it->start = *start;
    } else {
        it->start.ms = it->start.seq = 0;
    }
    if (end) {
        it->end = *end;
    } else {
        it->end.ms = it->end.seq = UINT64_MAX;
    }
    it->lp = NULL;
    it->lp_ele = it->lp_flags = NULL;
    it->field_count = 0;
    rax_start(&it->ri, s->rax);
    unsigned char key[STREAM_ID_BYTES];
    if (!rev) {
        /* The node holding start is the last one whose master is <= it. */
        stream_id_encode(key, &it->start);
        rax_seek(&it->ri, "<=", key, sizeof(key));
        if (rax_eof(&it->ri)) rax_seek(&it->ri, "^", NULL, 0);
    } else {
        stream_id_encode(key, &it->end);
        rax_seek(&it->ri, "<=", key, sizeof(key));
    }
}

/* Makes the iterator's current node the one ri is on. */
static void iter_load_node(stream_iter *it) {
    unsigned char *lp = it->ri.data;
    it->lp = lp;
    stream_id_decode(it->ri.key, &it->master_id);
    unsigned char *p = lp_step(lp, lp_step(lp, lp_first(lp))); /* #master-fields */
    it->master_fields_count = (uint64_t)lp_int(p);
    p = lp_step(lp, p);
    it->master_fields_start = p;
    p = lp_skip(lp, p, (int64_t)it->master_fields_count); /* master terminator */
    it->lp_flags = NULL;
    it->field_count = 0;
    it->lp_ele = it->rev ? lp_last(lp) : p;
}

/* Positions p at the flags of the next entry to look at in the current
 * node, or returns NULL when the node has no more. */
static unsigned char *iter_next_flags(stream_iter *it) {
    unsigned char *lp = it->lp, *p;
    if (!it->rev) {
        /* lp_ele is the first unread field of the last entry (or the
         * master terminator): skip what the caller left, then lp-count. */
        p = it->lp_ele;
        if (it->field_count > 0) {
            int64_t left = it->field_count;
            if (!(it->entry_flags & STREAM_ITEM_FLAG_SAMEFIELDS)) left *= 2;
            p = lp_skip(lp, p, left);
        }
        return lp_step(lp, p);
    }
    /* Backwards: the lp-count before the last entry's flags tells how far
     * back that entry starts; the master terminator's is 0. */
    p = it->lp_flags ? lp_prev(lp, it->lp_flags) : it->lp_ele;
    int64_t back = lp_int(p);
    if (back == 0) return NULL;
    while (back-- > 0) p = lp_prev(lp, p);
    return p;
}

int stream_iter_next(stream_iter *it, stream_id *id, int64_t *numfields) {
    for (;;) {
        if (!it->lp) {
            if (!(it->rev ? rax_prev(&it->ri) : rax_next(&it->ri))) return 0;
            iter_load_node(it);
        }
        unsigned char *lp = it->lp, *p = iter_next_flags(it);
        if (!p) {
            it->lp = NULL;
            continue;
        }
        it->lp_flags = p;
        int flags = (int)lp_int(p);
        p = lp_step(lp, p);
        id->ms = it->master_id.ms + (uint64_t)lp_int(p);
        p = lp_step(lp, p);
        id->seq = it->master_id.seq + (uint64_t)lp_int(p);
        p = lp_step(lp, p);
        int64_t nf = (int64_t)it->master_fields_count;
        if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS)) {
            nf = lp_int(p);
            p = lp_step(lp, p);
        }
        it->entry_flags = flags;
        it->lp_ele = p;
        it->field_count = nf;
        it->master_field_ptr = it->master_fields_start;
        if (!it->rev) {
            if (stream_id_cmp(id, &it->start) < 0) continue;
            if (stream_id_cmp(id, &it->end) > 0) return 0;
        } else {
            if (stream_id_cmp(id, &it->end) > 0) continue;
            if (stream_id_cmp(id, &it->start) < 0) return 0;
        }
        if (flags & STREAM_ITEM_FLAG_DELETED) continue;
        *numfields = nf;
        return 1;
    }
}

void stream_iter_field(stream_iter *it, const unsigned char **field, size_t *field_len, const unsigned char **value,
                       size_t *value_len) {
    uint32_t len;
    if (it->entry_flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
        lp_get(it->master_field_ptr, NULL, field, &len, it->field_buf);
        it->master_field_ptr = lp_step(it->lp, it->master_field_ptr);
    } else {
        lp_get(it->lp_ele, NULL, field, &len, it->field_buf);
        it->lp_ele = lp_step(it->lp, it->lp_ele);
    }
    *field_len = len;
    lp_get(it->lp_ele, NULL, value, &len, it->value_buf);
    *value_len = len;
    it->lp_ele = lp_step(it->lp, it->lp_ele);
    it->field_count--;
}

void stream_iter_remove_entry(stream_iter *it, stream_id *current) {
    unsigned char *lp = it->lp, *p = it->lp_flags;
    lp = lp_replace_integer(lp, &p, lp_int(p) | STREAM_ITEM_FLAG_DELETED);
    p = lp_first(lp);
    int64_t live = lp_int(p);
    if (live == 1) {
        /* Its last live entry: the node goes. */
        lp_free(lp);
        rax_remove(it->s->rax, it->ri.key, it->ri.key_len, NULL);
    } else {
        lp = lp_replace_integer(lp, &p, live - 1);
        p = lp_step(lp, p);
        lp = lp_replace_integer(lp, &p, lp_int(p) + 1);
        if (lp != it->lp) rax_insert(it->s->rax, it->ri.key, it->ri.key_len, lp, NULL);
    }
    it->s->length--;
    /* The tree changed under the iterator: start again past current
     * (which is now a tombstone, or gone, so it is not seen again). */
    stream_id start = it->start, end = it->end;
    if (it->rev)
        end = *current;
    else
        start = *current;
    stream *s = it->s;
    int rev = it->rev;
    rax_stop(&it->ri);
    stream_iter_start(it, s, &start, &end, rev);
}

void stream_iter_stop(stream_iter *it) {
    rax_stop(&it->ri);
}

int stream_delete_id(stream *s, const stream_id *id) {
    stream_iter it;
    stream_id cur;
    int64_t nf;
    int deleted = 0;
    stream_iter_start(&it, s, id, id, 0);
    if (stream_iter_next(&it, &cur, &nf)) {
        stream_iter_remove_entry(&it, &cur);
        deleted = 1;
    }
    stream_iter_stop(&it);
    if (!deleted) return 0;
    if (stream_id_cmp(id, &s->max_deleted_entry_id) > 0) s->max_deleted_entry_id = *id;
    if (s->length == 0)
        s->first_id.ms = s->first_id.seq = 0;
    else if (stream_id_cmp(id, &s->first_id) == 0)
        stream_first_valid_id(s, &s->first_id);
    return 1;
}

static void edge_id(stream *s, int rev, stream_id *out) {
    stream_iter it;
    int64_t nf;
    stream_iter_start(&it, s, NULL, NULL, rev);
    if (!stream_iter_next(&it, out, &nf)) out->ms = out->seq = 0;
    stream_iter_stop(&it);
}

void stream_last_valid_id(stream *s, stream_id *out) {
    edge_id(s, 1, out);
}

void stream_first_valid_id(stream *s, stream_id *out) {
    edge_id(s, 0, out);
}

void stream_first_id_with_tombstones(stream *s, stream_id *out) {
    rax_iter ri;
    rax_start(&ri, s->rax);
    rax_seek(&ri, "^", NULL, 0);
    if (rax_next(&ri)) {
        unsigned char *lp = ri.data;
        stream_id master;
        stream_id_decode(ri.key, &master);
        unsigned char *p = lp_step(lp, lp_step(lp, lp_first(lp))); /* #master-fields */
        p = lp_skip(lp, p, lp_int(p) + 3); /* fields, terminator, flags */
        out->ms = master.ms + (uint64_t)lp_int(p);
        out->seq = master.seq + (uint64_t)lp_int(lp_step(lp, p));
    } else {
        out->ms = out->seq = UINT64_MAX;
    }
    rax_stop(&ri);
}

/* ---------------------------------------------------- consumer groups */

stream_cg *stream_create_cg(stream *s, const unsigned char *name, size_t len, const stream_id *last_id,
                            long long entries_read) {
    if (!s->cgroups) s->cgroups = rax_new();
    if (rax_find(s->cgroups, name, len, NULL)) return NULL;
    stream_cg *cg = zmalloc(sizeof(*cg));
    cg->pel = rax_new();
    cg->consumers = rax_new();
    cg->last_id = *last_id;
    cg->entries_read = entries_read;
    rax_insert(s->cgroups, name, len, cg, NULL);
    return cg;
}

stream_cg *stream_lookup_cg(stream *s, const unsigned char *name, size_t len) {
    void *cg = NULL;
    if (!s->cgroups || !rax_find(s->cgroups, name, len, &cg)) return NULL;
    return cg;
}

int stream_destroy_cg(stream *s, const unsigned char *name, size_t len) {
    void *cg = NULL;
    if (!s->cgroups || !rax_remove(s->cgroups, name, len, &cg)) return 0;
    free_cg(cg);
    return 1;
}

stream_consumer *stream_create_consumer(stream_cg *cg, const unsigned char *name, size_t len, long long now_ms) {
    if (rax_find(cg->consumers, name, len, NULL)) return NULL;
    stream_consumer *c = zmalloc(sizeof(*c));
    c->name = sds_new_len(name, len);
    c->pel = rax_new();
    c->seen_time = now_ms;
    rax_insert(cg->consumers, name, len, c, NULL);
    return c;
}

stream_consumer *stream_lookup_consumer(stream_cg *cg, const unsigned char *name, size_t len) {
    void *c = NULL;
    if (!rax_find(cg->consumers, name, len, &c)) return NULL;
    return c;
}

uint64_t stream_delete_consumer(stream_cg *cg, stream_consumer *consumer) {
    uint64_t pending = rax_size(consumer->pel);
    rax_iter it;
    rax_start(&it, consumer->pel);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) {
        void *nack = NULL;
        rax_remove(cg->pel, it.key, it.key_len, &nack);
        zfree(nack);
    }
    rax_stop(&it);
    rax_remove(cg->consumers, (unsigned char *)consumer->name, sds_len(consumer->name), NULL);
    free_consumer(consumer);
    return pending;
}

stream_nack *stream_nack_new(stream_consumer *consumer, long long now_ms) {
    stream_nack *n = zmalloc(sizeof(*n));
    n->delivery_time = now_ms;
    n->delivery_count = 1;
    n->consumer = consumer;
    return n;
}

void stream_nack_free(stream_nack *nack) {
    zfree(nack);
}

/* -------------------------------------------- entries-read and lag */

long long stream_estimate_distance_from_first_ever_entry(stream *s, const stream_id *id) {
    /* A stream never written to: every ID is at counter 0. */
    if (!s->entries_added) return 0;
    int cmp_last = stream_id_cmp(id, &s->last_id);
    /* An empty stream: everything up to last_id has been read. */
    if (!s->length && cmp_last <= 0) return (long long)s->entries_added;
    if (cmp_last == 0) return (long long)s->entries_added;
    if (cmp_last > 0) return STREAM_CG_ENTRIES_READ_INVALID; /* the future */
    /* Without a tombstone at or after the first entry, the entries before
     * the first one are exactly those added and gone. */
    if (id_is_zero(&s->max_deleted_entry_id) || stream_id_cmp(&s->max_deleted_entry_id, &s->first_id) < 0) {
        int cmp_first = stream_id_cmp(id, &s->first_id);
        if (cmp_first < 0) return (long long)(s->entries_added - s->length);
        if (cmp_first == 0) return (long long)(s->entries_added - s->length + 1);
    }
    return STREAM_CG_ENTRIES_READ_INVALID;
}

int stream_range_has_tombstones(stream *s, const stream_id *start, const stream_id *end) {
    if (!s->length || id_is_zero(&s->max_deleted_entry_id)) return 0;
    if (stream_id_cmp(&s->first_id, &s->max_deleted_entry_id) > 0) return 0;
    stream_id lo = {0, 0}, hi = {UINT64_MAX, UINT64_MAX};
    if (start) lo = *start;
    if (end) hi = *end;
    return stream_id_cmp(&lo, &s->max_deleted_entry_id) <= 0 && stream_id_cmp(&s->max_deleted_entry_id, &hi) <= 0;
}

/* ------------------------------------------------------------ memory */

size_t stream_alloc_size(const stream *s, size_t samples) {
    size_t size = zmalloc_size(s) + rax_alloc_size(s->rax);
    /* Listpacks: measure up to samples nodes, extrapolate the rest from
     * their average, and measure the tail node (often not full) itself. */
    uint64_t nodes = rax_size(s->rax);
    size_t lpsize = 0, measured = 0;
    rax_iter it;
    rax_start(&it, s->rax);
    rax_seek(&it, "^", NULL, 0);
    while ((samples == 0 || measured < samples) && rax_next(&it)) {
        lpsize += zmalloc_size(it.data);
        measured++;
    }
    if (nodes <= measured) {
        size += lpsize;
    } else {
        size += (lpsize / measured) * (size_t)(nodes - 1);
        rax_seek(&it, "$", NULL, 0);
        if (rax_next(&it)) size += zmalloc_size(it.data);
    }
    rax_stop(&it);
    if (!s->cgroups) return size;
    size += rax_alloc_size(s->cgroups);
    rax_start(&it, s->cgroups);
    rax_seek(&it, "^", NULL, 0);
    while (rax_next(&it)) {
        stream_cg *cg = it.data;
        size += zmalloc_size(cg) + rax_alloc_size(cg->pel) + rax_alloc_size(cg->consumers);
        size += sizeof(stream_nack) * (size_t)rax_size(cg->pel);
        rax_iter ci;
        rax_start(&ci, cg->consumers);
        rax_seek(&ci, "^", NULL, 0);
        while (rax_next(&ci)) {
            stream_consumer *c = ci.data;
            /* The nacks were counted with the group's PEL. */
            size += zmalloc_size(c) + sds_alloc_size(c->name) + rax_alloc_size(c->pel);
        }
        rax_stop(&ci);
    }
    rax_stop(&it);
    return size;
}
