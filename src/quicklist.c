/* quicklist.c -- lists as a doubly linked chain of listpack nodes.
 *
 * Owns the nodes and their listpacks (whose bytes it reaches only through
 * listpack.h) and their LZF forms. Never logs; its globals are a scratch
 * buffer for compression and the compression state below.
 *
 * Compression (list-compress-depth d > 0): every operation makes the nodes
 * it works on plain first (raw(), which records them in the touched set)
 * and ends with recompress(), which keeps the d nodes at each end plain and
 * compresses the touched nodes and the ones just pushed out of the ends.
 * Reads decompress through read_raw(), which first recompresses whatever
 * an earlier read (of any list) left plain, so at most one inner node in
 * the process is plain between operations. Both pieces of state are this
 * file's globals, not per node or per list, so nodes stay 32 bytes.
 * Key invariants: no node is empty; node counts equal their listpacks'
 * lengths and sum to ql->count; an insertion keeps a node of 2+ entries
 * within the fill (entries and bytes), so a value over the byte budget
 * sits alone (LSET replaces in place whatever the size, as Redis 7.0). */
#include "quicklist.h"

#include <stdlib.h>
#include <string.h>

#include "listpack.h"
#include "lzf.h"
#include "zmalloc.h"

/* Byte budget of a node for fill -1 .. -5. */
static const size_t ql_size_levels_bytes[] = {4096, 8192, 16384, 32768, 65536};
/* Bytes a listpack spends on one entry beyond its data (encoding header
 * plus backlen), as estimated for the limit checks: Redis 7.0's estimate,
 * so nodes split where Redis splits them and RDB / DUMP bytes match. */
#define QL_ENTRY_OVERHEAD_BYTES 8
/* Bytes of an empty listpack besides its entries: header and terminator. */
#define QL_LP_FRAME_BYTES (LP_HDR_BYTES + 1)
/* Entries moved per lp_batch_append call when merging nodes. */
#define QL_MERGE_BATCH 128

/* ------------------------------------------------------------ nodes */

static unsigned char *lp_must(unsigned char *lp) {
    /* NULL means "over 4 GB": impossible for values below the protocol's
     * 512 MB bulk limit, so it is a bug, not an input error. */
    if (lp == NULL) abort();
    return lp;
}

static uint32_t len32(size_t len) {
    if (len > UINT32_MAX) abort(); /* same reasoning as lp_must */
    return (uint32_t)len;
}

static uint16_t count16(unsigned long count) {
    if (count > QL_NODE_MAX_COUNT) abort(); /* node_fits() bounds every node */
    return (uint16_t)count;
}

static ql_node *node_new(unsigned char *lp, unsigned long count) {
    ql_node *n = zmalloc(sizeof(*n));
    memset(n, 0, sizeof(*n));
    n->lp = lp;
    n->count = count16(count);
    return n;
}

/* Frees n's listpack or LZF blob (not n). */
static void node_free_data(ql_node *n) {
    if (n->compressed) zfree(n->lzf);
    else lp_free(n->lp);
}

/* An LZF blob starts with the length of the compressed data that follows
 * (Redis's compressed nodes carry the same 4-byte header). */
#define QL_LZF_HDR_BYTES 4

static uint32_t lzf_blob_len(const unsigned char *blob) {
    uint32_t len;
    memcpy(&len, blob, sizeof(len));
    return len;
}

/* ------------------------------------------------------------ compression */

/* Compressed forms of nodes up to the largest fill level are built here
 * and copied out at their exact size, so no allocation is shrunk. */
#define QL_LZF_SCRATCH_BYTES 65536
static unsigned char lzf_scratch[QL_LZF_SCRATCH_BYTES];

/* The nodes the current operation made plain or changed, all of one list
 * (touched_ql): recompress() goes through them at the operation's end. An
 * operation touches a few nodes (ql_dup, which copies node states, touches
 * at most one), so the set is a small array searched linearly; should one
 * ever need more, it moves to the heap until the operation ends. */
#define QL_TOUCHED_STATIC_CAP 32
static ql_node *touched_static[QL_TOUCHED_STATIC_CAP];
static ql_node **touched = touched_static;
static size_t touched_n, touched_cap = QL_TOUCHED_STATIC_CAP;
static const quicklist *touched_ql;

/* The node a read (or an iterator) left plain, and its list. */
static quicklist *linger_ql;
static ql_node *linger_node;

static void touch(quicklist *ql, ql_node *n) {
    if (ql->compress == 0 || n->touched) return;
    /* Every operation drains the set before returning: a node of another
     * list here is a bug. */
    if (touched_n && touched_ql != ql) abort();
    if (touched_n == touched_cap) {
        ql_node **bigger = zmalloc(2 * touched_cap * sizeof(*touched));
        memcpy(bigger, touched, touched_n * sizeof(*touched));
        if (touched != touched_static) zfree(touched);
        touched = bigger;
        touched_cap *= 2;
    }
    touched_ql = ql;
    touched[touched_n++] = n;
    n->touched = 1;
}

static void untouch(ql_node *n) {
    if (n == linger_node) linger_ql = NULL, linger_node = NULL;
    if (!n->touched) return;
    for (size_t i = 0; i < touched_n; i++)
        if (touched[i] == n) {
            touched[i] = touched[--touched_n];
            break;
        }
    n->touched = 0;
}

/* A compressed node holds the LZF form of its listpack, or for a PLAIN
 * node of its bare element (what Redis compresses, and writes to RDB). */
static void decompress(ql_node *n) {
    if (!n->compressed) return;
    unsigned char *lp = zmalloc(n->sz);
    /* Our own compressor wrote it: a mismatch is memory corruption. */
    if (lzf_decompress(n->lzf + QL_LZF_HDR_BYTES, lzf_blob_len(n->lzf), lp, n->sz) != n->sz) abort();
    if (n->plain) {
        unsigned char *elem = lp;
        lp = lp_must(lp_append(lp_new(0), elem, n->sz));
        zfree(elem);
    }
    zfree(n->lzf);
    n->compressed = 0;
    n->sz = 0;
    n->lp = lp;
}

/* Compresses n when that pays, as Redis 7.0 decides: not under
 * QL_MIN_COMPRESS_BYTES, and only a form QL_MIN_COMPRESS_IMPROVE bytes
 * smaller is kept. A node that did not pay is not retried until it
 * changes. */
static void compress_node(ql_node *n) {
    if (n->compressed || n->no_gain) return;
    const unsigned char *data = n->lp;
    size_t sz = lp_bytes(n->lp);
    unsigned char intbuf[LP_INTBUF_SIZE];
    if (n->plain) {
        uint32_t len;
        lp_get(lp_first(n->lp), NULL, &data, &len, intbuf);
        sz = len;
    }
    n->no_gain = 1;
    if (sz < QL_MIN_COMPRESS_BYTES) return;
    unsigned char *out = sz <= QL_LZF_SCRATCH_BYTES ? lzf_scratch : zmalloc(sz);
    size_t clen = lzf_compress(data, sz, out, sz);
    if (clen != 0 && clen + QL_MIN_COMPRESS_IMPROVE < sz) {
        unsigned char *blob = zmalloc(QL_LZF_HDR_BYTES + clen);
        uint32_t clen32 = (uint32_t)clen;
        memcpy(blob, &clen32, sizeof(clen32));
        memcpy(blob + QL_LZF_HDR_BYTES, out, clen);
        lp_free(n->lp);
        n->lzf = blob;
        n->compressed = 1;
        n->sz = (uint32_t)sz;
        n->no_gain = 0;
    }
    if (out != lzf_scratch) zfree(out);
}

/* Makes n plain for a change and returns its listpack. */
static unsigned char *raw(quicklist *ql, ql_node *n) {
    decompress(n);
    n->no_gain = 0;
    touch(ql, n);
    return n->lp;
}

/* Marks (mark=1) or unmarks the d nodes at each end, making them plain. */
static void mark_window(quicklist *ql, int mark) {
    ql_node *h = ql->head, *t = ql->tail;
    for (int i = 0; i < ql->compress && h; i++, h = h->next, t = t->prev) {
        h->in_window = t->in_window = (unsigned)mark;
        if (mark) {
            decompress(h);
            decompress(t);
        }
    }
}

/* Compresses n, the node another list's read left plain, unless it now
 * sits within that list's depth of an end. */
static void settle_linger(void) {
    quicklist *ql = linger_ql;
    ql_node *n = linger_node;
    linger_ql = NULL;
    linger_node = NULL;
    if (n == NULL || ql->compress == 0 || ql->len < 2 * (unsigned long)ql->compress) return;
    mark_window(ql, 1);
    if (!n->in_window) compress_node(n);
    mark_window(ql, 0);
}

static void drop_touched(void) {
    for (size_t i = 0; i < touched_n; i++) touched[i]->touched = 0;
    touched_n = 0;
    if (touched != touched_static) {
        zfree(touched);
        touched = touched_static;
        touched_cap = QL_TOUCHED_STATIC_CAP;
    }
}

/* Ends an operation: plain ends, compressed inside. keep (may be NULL) is
 * an iterator's node: it stays plain (the lingering node) for next time. */
static void recompress(quicklist *ql, ql_node *keep) {
    if (linger_ql == ql) {
        ql_node *l = linger_node;
        linger_ql = NULL;
        linger_node = NULL;
        touch(ql, l);
    } else if (keep && linger_node) {
        settle_linger(); /* one lingering node in the process */
    }
    /* Every node within depth of an end: nothing to compress, and (as in
     * Redis) no walk, so a huge depth costs nothing per operation. */
    if (ql->compress == 0 || ql->len < 2 * (unsigned long)ql->compress) {
        drop_touched();
        return;
    }
    mark_window(ql, 1);
    /* The nodes an insertion may just have pushed out of each end. */
    ql_node *h = ql->head, *t = ql->tail;
    for (int i = 0; i < ql->compress && h; i++, h = h->next, t = t->prev) {}
    for (int i = 0; i < 2 && h; i++, h = h->next, t = t->prev) {
        if (!h->in_window && h != keep) compress_node(h);
        if (!t->in_window && t != keep) compress_node(t);
    }
    for (size_t i = 0; i < touched_n; i++) {
        ql_node *n = touched[i];
        if (n != keep && !n->in_window) compress_node(n);
    }
    drop_touched();
    if (keep && !keep->in_window) {
        linger_ql = ql;
        linger_node = keep;
    }
    mark_window(ql, 0);
}

/* Makes n plain for reading; whatever an earlier read left plain is
 * compressed again first. */
static unsigned char *read_raw(quicklist *ql, ql_node *n) {
    if (n->compressed) {
        settle_linger();
        decompress(n);
        linger_ql = ql;
        linger_node = n;
    }
    return n->lp;
}

size_t ql_node_bytes(const ql_node *n) {
    return n->compressed ? n->sz : lp_bytes(n->lp);
}

size_t ql_node_data_bytes(const ql_node *n) {
    if (!n->plain || n->compressed) return ql_node_bytes(n);
    unsigned char buf[LP_INTBUF_SIZE];
    const unsigned char *str;
    uint32_t len;
    lp_get(lp_first(n->lp), NULL, &str, &len, buf);
    return len;
}

size_t ql_node_alloc_size(const ql_node *n) {
    return zmalloc_size(n->compressed ? n->lzf : n->lp);
}

const unsigned char *ql_node_lzf(const ql_node *n, size_t *lzf_len) {
    if (!n->compressed) return NULL;
    *lzf_len = lzf_blob_len(n->lzf);
    return n->lzf + QL_LZF_HDR_BYTES;
}

unsigned char *ql_node_listpack(quicklist *ql, ql_node *n) {
    return read_raw(ql, n);
}

void ql_settle(quicklist *ql) {
    recompress(ql, NULL);
}

unsigned long ql_compressed_nodes(const quicklist *ql) {
    unsigned long k = 0;
    for (const ql_node *n = ql->head; n; n = n->next) k += n->compressed;
    return k;
}

/* Links n next to at (at NULL: the list is empty). */
static void link_node(quicklist *ql, ql_node *at, ql_node *n, int after) {
    if (at == NULL) {
        ql->head = ql->tail = n;
    } else if (after) {
        n->prev = at;
        n->next = at->next;
        if (at->next) at->next->prev = n;
        at->next = n;
        if (ql->tail == at) ql->tail = n;
    } else {
        n->next = at;
        n->prev = at->prev;
        if (at->prev) at->prev->next = n;
        at->prev = n;
        if (ql->head == at) ql->head = n;
    }
    ql->len++;
    touch(ql, n);
}

/* Unlinks and frees n; its entries must already be out of ql->count. */
static void remove_node(quicklist *ql, ql_node *n) {
    if (n->prev) n->prev->next = n->next;
    if (n->next) n->next->prev = n->prev;
    if (ql->head == n) ql->head = n->next;
    if (ql->tail == n) ql->tail = n->prev;
    ql->len--;
    untouch(n);
    node_free_data(n);
    zfree(n);
}

static unsigned long long packed_threshold = QL_PACKED_THRESHOLD_DEFAULT;

int ql_set_packed_threshold(unsigned long long sz) {
    if (sz > QL_PACKED_THRESHOLD_MAX) return 0;
    packed_threshold = sz ? sz : QL_PACKED_THRESHOLD_DEFAULT;
    return 1;
}

static int is_large(size_t len) {
    return len >= packed_threshold;
}

/* Returns a new node holding just the len bytes at s; PLAIN when large.
 * (A PLAIN node keeps its element in a one-entry listpack: every reader
 * works on it unchanged; only RDB tells it apart.) */
static ql_node *node_with_value(const void *s, size_t len) {
    unsigned char *lp = lp_must(lp_append(lp_new(0), s, len32(len)));
    ql_node *n = node_new(lp, 1);
    n->plain = (unsigned)is_large(len);
    return n;
}

/* ------------------------------------------------------------ limits */

static int clamp_fill(int fill) {
    if (fill > QL_FILL_MAX) return QL_FILL_MAX;
    if (fill < QL_FILL_MIN) return QL_FILL_MIN;
    return fill;
}

/* 1 if a node of `bytes` bytes and `count` entries respects the fill. A
 * single entry always fits: that is how big values get a node alone. */
static int node_fits(const quicklist *ql, size_t bytes, unsigned long count) {
    if (count <= 1) return 1;
    if (count > QL_NODE_MAX_COUNT) return 0;
    if (ql->fill < 0) return bytes <= ql_size_levels_bytes[-ql->fill - 1];
    return count <= (unsigned long)ql->fill && bytes <= QL_SIZE_SAFETY_LIMIT_BYTES;
}

static int allow_insert(const quicklist *ql, const ql_node *n, size_t len) {
    if (n == NULL || n->plain || is_large(len)) return 0;
    return node_fits(ql, ql_node_bytes(n) + len + QL_ENTRY_OVERHEAD_BYTES, (unsigned long)n->count + 1);
}

static int allow_merge(const quicklist *ql, const ql_node *a, const ql_node *b) {
    if (a == NULL || b == NULL || a->plain || b->plain) return 0;
    size_t bytes = ql_node_bytes(a) + ql_node_bytes(b) - QL_LP_FRAME_BYTES;
    return node_fits(ql, bytes, (unsigned long)a->count + b->count);
}

/* Moves every entry of a->next to the end of a and frees a->next. */
static void merge_next(quicklist *ql, ql_node *a) {
    ql_node *b = a->next;
    raw(ql, a);
    raw(ql, b);
    lp_item items[QL_MERGE_BATCH];
    unsigned char *p = lp_first(b->lp);
    while (p) {
        size_t n = 0;
        for (; p && n < QL_MERGE_BATCH; p = lp_next(b->lp, p), n++) {
            int64_t iv = 0;
            const unsigned char *str = NULL;
            uint32_t len = 0;
            enum lp_kind kind = lp_get(p, &iv, &str, &len, NULL);
            items[n] = (lp_item){.str = str, .len = len, .is_int = kind == LP_KIND_INT, .ival = iv};
        }
        a->lp = lp_must(lp_batch_append(a->lp, items, n));
    }
    a->count = count16((unsigned long)a->count + b->count);
    remove_node(ql, b);
}

/* ------------------------------------------------------------ lifecycle */

quicklist *ql_create(int fill) {
    quicklist *ql = zmalloc(sizeof(*ql));
    ql->head = ql->tail = NULL;
    ql->count = ql->len = 0;
    ql->fill = clamp_fill(fill);
    ql->compress = 0;
    return ql;
}

void ql_set_options(quicklist *ql, int fill, int compress_depth) {
    ql->fill = clamp_fill(fill);
    int depth = compress_depth < 0 ? 0 : compress_depth;
    if (depth != ql->compress) {
        recompress(ql, NULL); /* settle the chain under the old depth */
        ql->compress = depth;
    }
}

void ql_free(quicklist *ql) {
    if (linger_ql == ql) linger_ql = NULL, linger_node = NULL;
    ql_node *n = ql->head;
    while (n) {
        ql_node *next = n->next;
        node_free_data(n);
        zfree(n);
        n = next;
    }
    zfree(ql);
}

/* Copies the nodes in their states: the source is settled but for its
 * lingering node, whose copy alone may need compressing. */
quicklist *ql_dup(const quicklist *ql) {
    quicklist *copy = ql_create(ql->fill);
    copy->compress = ql->compress;
    ql_node *copy_linger = NULL;
    for (const ql_node *n = ql->head; n; n = n->next) {
        ql_node *c = zmalloc(sizeof(*c));
        *c = *n;
        c->touched = 0;
        if (n->compressed) {
            size_t bytes = QL_LZF_HDR_BYTES + lzf_blob_len(n->lzf);
            c->lzf = zmalloc(bytes);
            memcpy(c->lzf, n->lzf, bytes);
        } else {
            c->lp = lp_dup(n->lp);
        }
        c->prev = copy->tail;
        c->next = NULL;
        if (copy->tail) copy->tail->next = c;
        else copy->head = c;
        copy->tail = c;
        copy->len++;
        if (n == linger_node) copy_linger = c;
    }
    copy->count = ql->count;
    if (copy_linger) touch(copy, copy_linger);
    recompress(copy, NULL);
    return copy;
}

unsigned long ql_length(const quicklist *ql) {
    return ql->count;
}

unsigned long ql_count_nodes(const quicklist *ql) {
    return ql->len;
}

int ql_listpack_fits(const quicklist *ql, const unsigned char *lp, unsigned long count) {
    return node_fits(ql, lp_bytes(lp), count);
}

void ql_append_listpack(quicklist *ql, unsigned char *lp) {
    unsigned long count = lp_length(lp);
    if (count == 0) {
        lp_free(lp);
        return;
    }
    link_node(ql, ql->tail, node_new(lp, count), 1);
    ql->count += count;
    recompress(ql, NULL);
}

void ql_append_plain(quicklist *ql, const void *s, size_t len) {
    ql_node *n = node_with_value(s, len);
    n->plain = 1;
    link_node(ql, ql->tail, n, 1);
    ql->count++;
    recompress(ql, NULL);
}

/* ------------------------------------------------------------ ends */

void ql_push(quicklist *ql, const void *s, size_t len, enum ql_where where) {
    ql_node *end = (where == QL_HEAD) ? ql->head : ql->tail;
    if (allow_insert(ql, end, len)) {
        raw(ql, end);
        end->lp = lp_must(where == QL_HEAD ? lp_prepend(end->lp, s, len32(len)) : lp_append(end->lp, s, len32(len)));
        end->count++;
    } else {
        link_node(ql, end, node_with_value(s, len), where == QL_TAIL);
    }
    ql->count++;
    recompress(ql, NULL);
}

void ql_push_head(quicklist *ql, const void *s, size_t len) {
    ql_push(ql, s, len, QL_HEAD);
}

void ql_push_tail(quicklist *ql, const void *s, size_t len) {
    ql_push(ql, s, len, QL_TAIL);
}

/* Copies the value at p out as the pop functions promise. */
static int read_out(const unsigned char *p, sds *str, long long *ival) {
    int64_t iv;
    const unsigned char *s;
    uint32_t len;
    if (lp_get(p, &iv, &s, &len, NULL) == LP_KIND_INT) {
        if (ival) {
            *ival = iv;
            return QL_POP_INT;
        }
        if (str) *str = sds_from_ll(iv);
        return QL_POP_STR;
    }
    if (str) *str = sds_new_len(s, len);
    return QL_POP_STR;
}

/* Removes entry p (at any position) from n, dropping n if it empties. */
static void delete_one(quicklist *ql, ql_node *n, unsigned char *p, unsigned char **next) {
    n->lp = lp_delete(n->lp, p, next);
    n->count--;
    ql->count--;
    if (n->count == 0) remove_node(ql, n);
}

int ql_pop(quicklist *ql, enum ql_where where, sds *str, long long *ival) {
    ql_node *n = (where == QL_HEAD) ? ql->head : ql->tail;
    if (n == NULL) return QL_POP_EMPTY;
    raw(ql, n);
    unsigned char *p = (where == QL_HEAD) ? lp_first(n->lp) : lp_last(n->lp);
    int kind = read_out(p, str, ival);
    /* No merging here: pops eat nodes from the ends, and merging a
     * shrinking end node into its neighbour would only copy bytes. */
    delete_one(ql, n, p, NULL);
    recompress(ql, NULL);
    return kind;
}

int ql_pop_head(quicklist *ql, sds *str, long long *ival) {
    return ql_pop(ql, QL_HEAD, str, ival);
}

int ql_pop_tail(quicklist *ql, sds *str, long long *ival) {
    return ql_pop(ql, QL_TAIL, str, ival);
}

/* ------------------------------------------------------------ by index */

/* Finds the node and in-node offset of idx (negative from the tail),
 * walking from the nearer end by whole nodes. Returns 0 if out of range. */
static int locate(const quicklist *ql, long idx, ql_node **node, long *offset) {
    unsigned long index;
    if (idx < 0) {
        unsigned long back = (unsigned long)(-(idx + 1)) + 1;
        if (back > ql->count) return 0;
        index = ql->count - back;
    } else {
        index = (unsigned long)idx;
        if (index >= ql->count) return 0;
    }
    unsigned long seen = 0;
    ql_node *n;
    if (index < ql->count / 2) {
        for (n = ql->head; seen + n->count <= index; n = n->next) seen += n->count;
        *offset = (long)(index - seen);
    } else {
        unsigned long from_tail = ql->count - 1 - index;
        for (n = ql->tail; seen + n->count <= from_tail; n = n->prev) seen += n->count;
        *offset = (long)(n->count - 1 - (from_tail - seen));
    }
    *node = n;
    return 1;
}

static void fill_entry(quicklist *ql, ql_entry *e, ql_node *n, unsigned char *p, long offset) {
    int64_t iv = 0;
    e->ql = ql;
    e->node = n;
    e->lp_entry = p;
    e->offset = offset;
    if (lp_get(p, &iv, &e->str, &e->len, NULL) == LP_KIND_INT) {
        e->str = NULL;
        e->len = 0;
    }
    e->ival = iv;
}

int ql_index(quicklist *ql, long idx, ql_entry *e) {
    ql_node *n;
    long offset;
    if (!locate(ql, idx, &n, &offset)) return 0;
    fill_entry(ql, e, n, lp_seek(read_raw(ql, n), offset), offset);
    return 1;
}

/* Splits n before its entry k (0 < k < count): n keeps [0, k), the new
 * node after it gets [k, count). Returns the new node. */
static ql_node *split_node(quicklist *ql, ql_node *n, long k) {
    raw(ql, n);
    unsigned char *right = lp_delete_range(lp_dup(n->lp), 0, (unsigned long)k);
    ql_node *r = node_new(right, n->count - (unsigned long)k);
    n->lp = lp_delete_range(n->lp, k, n->count - (unsigned long)k);
    n->count = count16((unsigned long)k);
    link_node(ql, n, r, 1);
    return r;
}

/* Merges around center as Redis 7.0 does after a split: the two nodes
 * before it, the two after it, then center with each neighbour. */
static void merge_center(quicklist *ql, ql_node *center) {
    ql_node *prev = center->prev, *next = center->next;
    if (prev && allow_merge(ql, prev->prev, prev)) merge_next(ql, prev->prev);
    if (next && allow_merge(ql, next, next->next)) merge_next(ql, next);
    ql_node *target = center;
    if (allow_merge(ql, center->prev, center)) {
        target = center->prev;
        merge_next(ql, target);
    }
    if (allow_merge(ql, target, target->next)) merge_next(ql, target);
}

/* Inserts a large value as its own PLAIN node, splitting n when the spot
 * is inside it; nothing is merged (Redis 7.0's order and choices). */
static void insert_large(quicklist *ql, ql_node *n, long offset, int after, const void *s, size_t len) {
    int at_tail = after && offset == (long)n->count - 1;
    int at_head = !after && offset == 0;
    if (n->plain || at_tail || at_head) {
        link_node(ql, n, node_with_value(s, len), after);
        return;
    }
    split_node(ql, n, after ? offset + 1 : offset);
    link_node(ql, n, node_with_value(s, len), 1);
}

/* Inserts before or after entry p (at offset) of n as Redis 7.0 does:
 * into n if it has room; at an end of n into the neighbour there if it has
 * room, or a new node at an end of the list; else n is split at the spot,
 * the value joins the split-off part, and nodes around are merged. */
static void insert_value(quicklist *ql, ql_node *n, unsigned char *p, long offset, int after, const void *s,
                         size_t len) {
    uint32_t l = len32(len);
    ql->count++;
    raw(ql, n);
    if (is_large(len)) {
        insert_large(ql, n, offset, after, s, len);
        return;
    }
    if (allow_insert(ql, n, len)) {
        n->lp = lp_must(lp_insert(n->lp, s, l, p, after ? LP_AFTER : LP_BEFORE, NULL));
        n->count++;
        return;
    }
    int at_tail = after && offset == (long)n->count - 1;
    int at_head = !after && offset == 0;
    if (at_tail && n->next && allow_insert(ql, n->next, len)) {
        raw(ql, n->next);
        n->next->lp = lp_must(lp_prepend(n->next->lp, s, l));
        n->next->count++;
    } else if (at_head && n->prev && allow_insert(ql, n->prev, len)) {
        raw(ql, n->prev);
        n->prev->lp = lp_must(lp_append(n->prev->lp, s, l));
        n->prev->count++;
    } else if ((at_tail && n->next == NULL) || (at_head && n->prev == NULL) || n->plain) {
        /* (A PLAIN node is never split: its element stays alone.) */
        link_node(ql, n, node_with_value(s, len), after);
    } else {
        /* n keeps the part before the spot, the new node the rest. */
        ql_node *right = split_node(ql, n, after ? offset + 1 : offset);
        if (after) {
            right->lp = lp_must(lp_prepend(right->lp, s, l));
            right->count++;
            merge_center(ql, n);
        } else {
            n->lp = lp_must(lp_append(n->lp, s, l));
            n->count++;
            merge_center(ql, right);
        }
    }
}

void ql_insert_before(quicklist *ql, ql_entry *e, const void *s, size_t len) {
    insert_value(ql, e->node, e->lp_entry, e->offset, 0, s, len);
    recompress(ql, NULL);
}

void ql_insert_after(quicklist *ql, ql_entry *e, const void *s, size_t len) {
    insert_value(ql, e->node, e->lp_entry, e->offset, 1, s, len);
    recompress(ql, NULL);
}

int ql_replace_at_index(quicklist *ql, long idx, const void *s, size_t len) {
    ql_node *n;
    long offset;
    if (!locate(ql, idx, &n, &offset)) return 0;
    unsigned char *p = lp_seek(raw(ql, n), offset);
    /* Redis 7.0 replaces a packed node's element in place whatever the
     * node's size then (7.2 added the fill check). */
    int in_place = n->plain ? is_large(len) : !is_large(len);
    if (!in_place && n->count == 1) {
        /* A PLAIN node getting a small value, or a lone element becoming
         * large: the new value goes in after it, then the node goes. */
        insert_value(ql, n, p, 0, 1, s, len);
        delete_one(ql, n, p, NULL);
        recompress(ql, NULL);
        return 1;
    }
    if (in_place) {
        n->lp = lp_must(lp_replace(n->lp, &p, s, len32(len)));
        recompress(ql, NULL);
        return 1;
    }
    /* Too big for this node (which holds 2+ entries): take the old value
     * out, then insert the new one where it was. */
    unsigned char *next;
    n->lp = lp_delete(n->lp, p, &next);
    n->count--;
    ql->count--;
    if (next)
        insert_value(ql, n, next, offset, 0, s, len);
    else
        insert_value(ql, n, lp_last(n->lp), offset - 1, 1, s, len);
    recompress(ql, NULL);
    return 1;
}

unsigned long ql_del_range(quicklist *ql, long start, unsigned long count) {
    ql_node *n;
    long offset;
    if (count == 0 || !locate(ql, start, &n, &offset)) return 0;
    unsigned long index = start < 0 ? ql->count - (unsigned long)(-(start + 1)) - 1 : (unsigned long)start;
    unsigned long extent = ql->count - index < count ? ql->count - index : count;
    unsigned long left = extent;

    while (left > 0) {
        ql_node *next = n->next;
        unsigned long del;
        if (offset == 0 && left >= n->count) {
            del = n->count;
            ql->count -= del;
            remove_node(ql, n);
        } else {
            del = n->count - (unsigned long)offset < left ? n->count - (unsigned long)offset : left;
            raw(ql, n);
            n->lp = lp_delete_range(n->lp, offset, del);
            n->count = count16(n->count - del);
            ql->count -= del;
        }
        left -= del;
        n = next;
        offset = 0;
    }
    /* No merging of the nodes around the gap: Redis 7.0 leaves them as
     * they are, and node boundaries show in DUMP and RDB bytes. */
    recompress(ql, NULL);
    return extent;
}

/* ------------------------------------------------------------ iteration */

void ql_iter_init(quicklist *ql, ql_iter *it, enum ql_direction direction) {
    it->ql = ql;
    it->direction = direction;
    if (direction == QL_HEAD_TO_TAIL) {
        it->node = ql->head;
        it->pos = it->node ? lp_first(read_raw(ql, it->node)) : NULL;
        it->offset = 0;
    } else {
        it->node = ql->tail;
        it->pos = it->node ? lp_last(read_raw(ql, it->node)) : NULL;
        it->offset = it->node ? (long)it->node->count - 1 : 0;
    }
}

int ql_iter_init_at(quicklist *ql, ql_iter *it, enum ql_direction direction, long idx) {
    ql_node *n;
    long offset;
    it->ql = ql;
    it->direction = direction;
    if (!locate(ql, idx, &n, &offset)) {
        it->node = NULL;
        it->pos = NULL;
        it->offset = 0;
        return 0;
    }
    it->node = n;
    it->offset = offset;
    it->pos = lp_seek(read_raw(ql, n), offset);
    return 1;
}

int ql_next(ql_iter *it, ql_entry *e) {
    int forward = it->direction == QL_HEAD_TO_TAIL;
    while (it->node && it->pos == NULL) {
        it->node = forward ? it->node->next : it->node->prev;
        if (it->node) {
            unsigned char *lp = read_raw(it->ql, it->node);
            it->pos = forward ? lp_first(lp) : lp_last(lp);
            it->offset = forward ? 0 : (long)it->node->count - 1;
        }
    }
    if (it->node == NULL) return 0;
    fill_entry(it->ql, e, it->node, it->pos, it->offset);
    it->pos = forward ? lp_next(it->node->lp, it->pos) : lp_prev(it->node->lp, it->pos);
    it->offset += forward ? 1 : -1;
    return 1;
}

void ql_del_entry(ql_iter *it, ql_entry *e) {
    quicklist *ql = it->ql;
    ql_node *n = e->node, *prev = n->prev, *next_node = n->next;
    int forward = it->direction == QL_HEAD_TO_TAIL;
    unsigned char *next;
    int emptied = (n->count == 1);
    raw(ql, n); /* plain already (e was read from it); marks it changed */

    delete_one(ql, n, e->lp_entry, &next);
    if (emptied) {
        /* n was freed: continue in the neighbour. */
        it->node = forward ? next_node : prev;
        it->pos = it->node ? (forward ? lp_first(raw(ql, it->node)) : lp_last(raw(ql, it->node))) : NULL;
        it->offset = (it->node && !forward) ? (long)it->node->count - 1 : 0;
        recompress(ql, it->node);
        return;
    }
    /* No merging with the neighbours: Redis 7.0 deletes in place, and
     * node boundaries show in DUMP and RDB bytes. */
    long offset = forward ? e->offset : e->offset - 1;
    it->node = n;
    it->offset = offset;
    if (forward)
        it->pos = next;
    else
        it->pos = offset < 0 ? NULL : (next ? lp_prev(n->lp, next) : lp_last(n->lp));
    recompress(ql, n);
}

/* ------------------------------------------------------------ values */

int ql_entry_eq(const ql_entry *e, const void *s, size_t len) {
    if (e->str) return e->len == len && memcmp(e->str, s, len) == 0;
    if (len > UINT32_MAX) return 0;
    return lp_entry_eq(e->lp_entry, s, (uint32_t)len);
}

sds ql_entry_to_sds(const ql_entry *e) {
    return e->str ? sds_new_len(e->str, e->len) : sds_from_ll(e->ival);
}

long ql_find(quicklist *ql, long from, const void *s, size_t len) {
    ql_iter it;
    ql_entry e;
    if (!ql_iter_init_at(ql, &it, QL_HEAD_TO_TAIL, from)) return -1;
    long idx = from < 0 ? (long)ql->count + from : from;
    while (ql_next(&it, &e)) {
        if (ql_entry_eq(&e, s, len)) return idx;
        idx++;
    }
    return -1;
}
