/* rax.c -- an ordered map of binary keys as a compressed radix tree.
 *
 * Owns the tree's nodes (never the values: callers own those). A node is a
 * 4-byte header followed by its edge bytes, its child pointers and, when a
 * key ends at the node, one value pointer. An edge is either a run of
 * bytes leading to a single child ("compressed", so chains of one-child
 * nodes cost one allocation) or a sorted set of single bytes, one per
 * child. The edge bytes are padded so the pointers that follow are
 * aligned: LeakSanitizer (and any conservative scanner) only finds a block
 * through an aligned pointer to it, so unaligned children made every tree
 * still alive at exit look leaked. Pointers are still read and written
 * through memcpy. Invariant kept by insert and remove: every leaf ends a
 * key (except an empty root), and no key-less node with one child sits
 * below a node with one child (the two are merged into one run). */
#include "rax.h"

#include <string.h>

#include "zmalloc.h"

/* Longest run one compressed node holds (the header's size field). */
#define RAX_NODE_MAX_SIZE (((uint32_t)1 << 29) - 1)

typedef struct rax_node {
    uint32_t is_key : 1;   /* a key ends here: the node has a value slot */
    uint32_t is_compr : 1; /* edge is a run of size bytes to one child */
    uint32_t size : 29;    /* run length, or number of children */
    unsigned char data[];  /* edge bytes, child pointers, value pointer */
} rax_node;

struct rax {
    rax_node *head;
    uint64_t num_keys;
    uint64_t num_nodes;
    size_t alloc_bytes; /* allocator usable size of every node + this */
};

/* ---- node layout ---- */

static inline size_t node_children(const rax_node *n) {
    return n->is_compr ? 1 : n->size;
}

/* Padding after size edge bytes so the pointer area starts aligned. */
static inline size_t edge_padding(size_t size) {
    return (sizeof(void *) - (sizeof(rax_node) + size) % sizeof(void *)) % sizeof(void *);
}

static inline size_t node_bytes(size_t size, size_t children, int is_key) {
    return sizeof(rax_node) + size + edge_padding(size) + (children + (is_key ? 1 : 0)) * sizeof(void *);
}

static inline size_t node_len(const rax_node *n) {
    return node_bytes(n->size, node_children(n), n->is_key);
}

/* Address of child slot i (use child_get / child_set). */
static inline unsigned char *child_slot(const rax_node *n, size_t i) {
    return (unsigned char *)n->data + n->size + edge_padding(n->size) + i * sizeof(void *);
}

static inline rax_node *child_get(const rax_node *n, size_t i) {
    rax_node *c;
    memcpy(&c, child_slot(n, i), sizeof(c));
    return c;
}

static inline void child_set(rax_node *n, size_t i, rax_node *c) {
    memcpy(child_slot(n, i), &c, sizeof(c));
}

static inline void *value_get(const rax_node *n) {
    void *v;
    memcpy(&v, child_slot(n, node_children(n)), sizeof(v));
    return v;
}

static inline void value_set(rax_node *n, void *v) {
    memcpy(child_slot(n, node_children(n)), &v, sizeof(v));
}

/* ---- allocation (keeps the node count and byte total) ---- */

static rax_node *node_alloc(rax *r, size_t size, int is_compr, int is_key) {
    size_t children = is_compr ? 1 : size;
    rax_node *n = zmalloc(node_bytes(size, children, is_key));
    n->is_key = is_key ? 1 : 0;
    n->is_compr = is_compr ? 1 : 0;
    n->size = (uint32_t)size;
    r->num_nodes++;
    r->alloc_bytes += zmalloc_size(n);
    return n;
}

static void node_free(rax *r, rax_node *n) {
    r->num_nodes--;
    r->alloc_bytes -= zmalloc_size(n);
    zfree(n);
}

static rax_node *node_resize(rax *r, rax_node *n, size_t bytes) {
    r->alloc_bytes -= zmalloc_size(n);
    n = zrealloc(n, bytes);
    r->alloc_bytes += zmalloc_size(n);
    return n;
}

/* Returns a new leaf ending a key with value v. */
static rax_node *node_new_leaf(rax *r, void *v) {
    rax_node *n = node_alloc(r, 0, 0, 1);
    value_set(n, v);
    return n;
}

/* Returns a new compressed node: run s[0..len), child c, key state copied
 * from (is_key, v). */
static rax_node *node_new_compr(rax *r, const unsigned char *s, size_t len, rax_node *c,
                                int is_key, void *v) {
    rax_node *n = node_alloc(r, len, 1, is_key);
    memcpy(n->data, s, len);
    child_set(n, 0, c);
    if (is_key) value_set(n, v);
    return n;
}

/* Returns the subtree for the key rest s[0..len) ending with value v: a
 * leaf, under as few compressed nodes as the run length allows. */
static rax_node *node_new_chain(rax *r, const unsigned char *s, size_t len, void *v) {
    rax_node *n = node_new_leaf(r, v);
    while (len > 0) {
        size_t part = len > RAX_NODE_MAX_SIZE ? RAX_NODE_MAX_SIZE : len;
        n = node_new_compr(r, s + len - part, part, n, 0, NULL);
        len -= part;
    }
    return n;
}

/* Returns n (possibly moved) with a value slot holding v. */
static rax_node *node_set_key(rax *r, rax_node *n, void *v) {
    if (!n->is_key) {
        n = node_resize(r, n, node_bytes(n->size, node_children(n), 1));
        n->is_key = 1;
    }
    value_set(n, v);
    return n;
}

/* Returns n (possibly moved) without its value slot. */
static rax_node *node_unset_key(rax *r, rax_node *n) {
    if (!n->is_key) return n;
    n->is_key = 0;
    return node_resize(r, n, node_len(n));
}

/* Index of byte c among a branch node's children, or -1. */
static inline long branch_find(const rax_node *n, unsigned char c) {
    const unsigned char *p = memchr(n->data, c, n->size);
    return p ? (long)(p - n->data) : -1;
}

/* Returns a copy of branch node n with child c added under byte b (which
 * n does not have); frees n. */
static rax_node *branch_add(rax *r, rax_node *n, unsigned char b, rax_node *c) {
    size_t size = n->size, pos = 0;
    while (pos < size && n->data[pos] < b) pos++;
    rax_node *m = node_alloc(r, size + 1, 0, n->is_key);
    memcpy(m->data, n->data, pos);
    m->data[pos] = b;
    memcpy(m->data + pos + 1, n->data + pos, size - pos);
    for (size_t i = 0; i < size; i++) child_set(m, i < pos ? i : i + 1, child_get(n, i));
    child_set(m, pos, c);
    if (n->is_key) value_set(m, value_get(n));
    node_free(r, n);
    return m;
}

/* Returns a copy of branch node n without child index idx; frees n. */
static rax_node *branch_del(rax *r, rax_node *n, size_t idx) {
    size_t size = n->size;
    rax_node *m = node_alloc(r, size - 1, 0, n->is_key);
    memcpy(m->data, n->data, idx);
    memcpy(m->data + idx, n->data + idx + 1, size - idx - 1);
    for (size_t i = 0, j = 0; i < size; i++)
        if (i != idx) child_set(m, j++, child_get(n, i));
    if (n->is_key) value_set(m, value_get(n));
    node_free(r, n);
    return m;
}

/* ---- tree ---- */

rax *rax_new(void) {
    rax *r = zmalloc(sizeof(*r));
    r->num_keys = 0;
    r->num_nodes = 0;
    r->alloc_bytes = zmalloc_size(r);
    r->head = node_alloc(r, 0, 0, 0);
    return r;
}

void rax_free(rax *r, void (*free_value)(void *value)) {
    /* Iterative, so a deep tree (long keys) cannot exhaust the C stack. */
    size_t len = 0, cap = 64;
    rax_node **stack = zmalloc(cap * sizeof(*stack));
    stack[len++] = r->head;
    while (len > 0) {
        rax_node *n = stack[--len];
        size_t children = node_children(n);
        if (len + children > cap) {
            while (len + children > cap) cap *= 2;
            stack = zrealloc(stack, cap * sizeof(*stack));
        }
        for (size_t i = 0; i < children; i++) stack[len++] = child_get(n, i);
        if (n->is_key && free_value) free_value(value_get(n));
        zfree(n);
    }
    zfree(stack);
    zfree(r);
}

uint64_t rax_size(const rax *r) {
    return r->num_keys;
}

uint64_t rax_node_count(const rax *r) {
    return r->num_nodes;
}

size_t rax_alloc_size(const rax *r) {
    return r->alloc_bytes;
}

/* ---- walking ---- */

/* Iterator flags (rax_iter.flags). */
#define RAX_IT_NO_KEY 1       /* walk keeps no key (removal's scratch path) */
#define RAX_IT_JUST_SEEKED 2  /* next/prev returns the current element */
#define RAX_IT_EOF 4          /* no current element */

/* Where a walk for a key stopped. */
enum walk_end {
    WALK_AT_NODE, /* the whole key leads exactly to the node */
    WALK_IN_RUN,  /* stopped inside the node's run at split */
    WALK_NO_CHILD /* the node has no child for key[consumed] */
};

typedef struct walk_result {
    enum walk_end end;
    rax_node *node;
    rax_node *parent; /* NULL for the root */
    size_t link;      /* index of node among parent's children */
    size_t consumed;  /* key bytes matched, including those in the run */
    size_t split;     /* WALK_IN_RUN: run bytes matched */
} walk_result;

static void iter_push(rax_iter *it, rax_node *n);
static void iter_key_append(rax_iter *it, const unsigned char *s, size_t len);

/* Follows key from the root as far as the tree has it. When it is not
 * NULL, every node passed is pushed on its stack and every edge followed
 * appended to its key. */
static walk_result rax_walk(const rax *r, const unsigned char *s, size_t len, rax_iter *it) {
    walk_result w = {WALK_AT_NODE, r->head, NULL, 0, 0, 0};
    rax_node *h = r->head;
    size_t i = 0;
    while (i < len) {
        size_t idx = 0;
        if (h->size == 0) {
            w.end = WALK_NO_CHILD;
            break;
        }
        if (h->is_compr) {
            size_t j = 0;
            while (j < h->size && i + j < len && h->data[j] == s[i + j]) j++;
            if (j != h->size) {
                w.end = WALK_IN_RUN;
                w.split = j;
                i += j;
                break;
            }
            if (it) iter_key_append(it, h->data, h->size);
            i += j;
        } else {
            long found = branch_find(h, s[i]);
            if (found < 0) {
                w.end = WALK_NO_CHILD;
                break;
            }
            idx = (size_t)found;
            if (it) iter_key_append(it, s + i, 1);
            i++;
        }
        if (it) iter_push(it, h);
        w.parent = h;
        w.link = idx;
        h = child_get(h, idx);
    }
    w.node = h;
    w.consumed = i;
    return w;
}

/* Points child slot idx of parent (the root when parent is NULL) at n. */
static inline void relink_at(rax *r, rax_node *parent, size_t idx, rax_node *n) {
    if (parent)
        child_set(parent, idx, n);
    else
        r->head = n;
}

/* Points the slot that holds old (in parent, or the root) at n. */
static void relink(rax *r, rax_node *parent, rax_node *old, rax_node *n) {
    if (!parent) {
        r->head = n;
        return;
    }
    size_t children = node_children(parent);
    for (size_t i = 0; i < children; i++) {
        if (child_get(parent, i) == old) {
            child_set(parent, i, n);
            return;
        }
    }
}

int rax_find(const rax *r, const unsigned char *key, size_t len, void **value) {
    walk_result w = rax_walk(r, key, len, NULL);
    if (w.end != WALK_AT_NODE || !w.node->is_key) return 0;
    if (value) *value = value_get(w.node);
    return 1;
}

/* Splits the run of w->node for a key that leaves it at w->split with a
 * different byte: prefix run (if any) -> one-child branch on the run's
 * byte -> rest of the run (if any) -> the old child. Returns the branch,
 * where the caller adds the key's own child; *parent and *link say where
 * the branch hangs. */
static rax_node *split_run_for_branch(rax *r, const walk_result *w, rax_node **parent,
                                      size_t *link) {
    rax_node *h = w->node;
    size_t j = w->split;
    rax_node *below = child_get(h, 0);
    if (j + 1 < h->size) below = node_new_compr(r, h->data + j + 1, h->size - j - 1, below, 0, NULL);
    /* The branch keeps h's key when the split is at the run's start. */
    int branch_key = j == 0 && h->is_key;
    rax_node *branch = node_alloc(r, 1, 0, branch_key);
    branch->data[0] = h->data[j];
    child_set(branch, 0, below);
    if (branch_key) value_set(branch, value_get(h));
    *parent = w->parent;
    *link = w->link;
    rax_node *top = branch;
    if (j > 0) {
        top = node_new_compr(r, h->data, j, branch, h->is_key, h->is_key ? value_get(h) : NULL);
        *parent = top;
        *link = 0;
    }
    relink_at(r, w->parent, w->link, top);
    node_free(r, h);
    return branch;
}

static int rax_insert_generic(rax *r, const unsigned char *s, size_t len, void *value, void **old,
                              int overwrite) {
    walk_result w = rax_walk(r, s, len, NULL);
    rax_node *h = w.node;
    size_t i = w.consumed;
    if (w.end == WALK_AT_NODE) {
        if (h->is_key) {
            if (old) *old = value_get(h);
            if (overwrite) value_set(h, value);
            return 0;
        }
        rax_node *n = node_set_key(r, h, value);
        if (n != h) relink_at(r, w.parent, w.link, n);
        r->num_keys++;
        return 1;
    }
    r->num_keys++;
    if (w.end == WALK_IN_RUN && i == len) {
        /* The key ends inside the run: prefix -> key node -> rest. */
        size_t j = w.split;
        rax_node *rest = node_new_compr(r, h->data + j, h->size - j, child_get(h, 0), 1, value);
        rax_node *top =
            node_new_compr(r, h->data, j, rest, h->is_key, h->is_key ? value_get(h) : NULL);
        relink_at(r, w.parent, w.link, top);
        node_free(r, h);
        return 1;
    }
    rax_node *parent = w.parent;
    size_t link = w.link;
    if (w.end == WALK_IN_RUN) h = split_run_for_branch(r, &w, &parent, &link);
    if (h->size == 0) {
        /* A leaf grows a run (keeping its own key) rather than a
         * one-child branch. len > i here. */
        size_t rest = len - i;
        size_t part = rest > RAX_NODE_MAX_SIZE ? RAX_NODE_MAX_SIZE : rest;
        rax_node *below = node_new_chain(r, s + i + part, rest - part, value);
        rax_node *top =
            node_new_compr(r, s + i, part, below, h->is_key, h->is_key ? value_get(h) : NULL);
        relink_at(r, parent, link, top);
        node_free(r, h);
        return 1;
    }
    rax_node *child = node_new_chain(r, s + i + 1, len - i - 1, value);
    rax_node *n = branch_add(r, h, s[i], child);
    relink_at(r, parent, link, n);
    return 1;
}

int rax_insert(rax *r, const unsigned char *key, size_t len, void *value, void **old) {
    return rax_insert_generic(r, key, len, value, old, 1);
}

int rax_try_insert(rax *r, const unsigned char *key, size_t len, void *value, void **old) {
    return rax_insert_generic(r, key, len, value, old, 0);
}

/* ---- removal ---- */

static inline rax_node *stack_top(const rax_iter *it) {
    return it->stack_len ? it->stack[it->stack_len - 1] : NULL;
}

static inline rax_node *stack_pop(rax_iter *it) {
    return it->stack_len ? it->stack[--it->stack_len] : NULL;
}

/* Merges x, a node with one child, with the key-less one-child nodes
 * around it so the chain becomes one run. The stack holds x's ancestors. */
static void compress_chain(rax *r, rax_iter *path, rax_node *x) {
    /* Climb while the parent has one child and x could join its run. */
    while (!x->is_key && path->stack_len > 0 && node_children(stack_top(path)) == 1) x = stack_pop(path);
    rax_node *parent = stack_top(path);
    rax_node *start = x;
    /* A one-child node's edge is data[0..size) whether it is a run or a
     * one-byte branch. */
    while (node_children(x) == 1) {
        rax_node *c = child_get(x, 0);
        if (c->is_key || node_children(c) != 1) break;
        if ((size_t)x->size + c->size > RAX_NODE_MAX_SIZE) break;
        rax_node *m = node_alloc(r, x->size + c->size, 1, x->is_key);
        memcpy(m->data, x->data, x->size);
        memcpy(m->data + x->size, c->data, c->size);
        child_set(m, 0, child_get(c, 0));
        if (x->is_key) value_set(m, value_get(x));
        node_free(r, c);
        if (x != start) node_free(r, x);
        x = m;
    }
    if (x != start) {
        relink(r, parent, start, x);
        node_free(r, start);
    }
}

int rax_remove(rax *r, const unsigned char *key, size_t len, void **old) {
    rax_iter path;
    rax_start(&path, r);
    path.flags |= RAX_IT_NO_KEY; /* the walk only needs the node stack */
    walk_result w = rax_walk(r, key, len, &path);
    rax_node *h = w.node;
    if (w.end != WALK_AT_NODE || !h->is_key) {
        rax_stop(&path);
        return 0;
    }
    if (old) *old = value_get(h);
    r->num_keys--;
    if (h->size > 0 || h == r->head) {
        rax_node *n = node_unset_key(r, h);
        relink(r, stack_top(&path), h, n);
        if (node_children(n) == 1) compress_chain(r, &path, n);
        rax_stop(&path);
        return 1;
    }
    /* A leaf: delete it, and every key-less ancestor left childless. */
    rax_node *child = h;
    for (;;) {
        rax_node *p = stack_pop(&path);
        if (node_children(p) == 1) {
            node_free(r, child);
            if (!p->is_key && p != r->head) {
                child = p;
                continue;
            }
            /* p keeps its key (or is the root): it becomes a leaf. */
            rax_node *n = node_alloc(r, 0, 0, p->is_key);
            if (p->is_key) value_set(n, value_get(p));
            relink(r, stack_top(&path), p, n);
            node_free(r, p);
            break;
        }
        size_t children = node_children(p), idx = 0;
        while (idx < children && child_get(p, idx) != child) idx++;
        node_free(r, child);
        rax_node *n = branch_del(r, p, idx);
        relink(r, stack_top(&path), p, n);
        if (n->size == 1) compress_chain(r, &path, n);
        break;
    }
    rax_stop(&path);
    return 1;
}

/* ---- iteration ---- */

void rax_start(rax_iter *it, rax *r) {
    it->tree = r;
    it->flags = RAX_IT_EOF;
    it->key = it->key_static;
    it->key_len = 0;
    it->key_cap = RAX_ITER_STATIC_KEY;
    it->data = NULL;
    it->node = r->head;
    it->stack = it->stack_static;
    it->stack_len = 0;
    it->stack_cap = RAX_ITER_STATIC_STACK;
}

void rax_stop(rax_iter *it) {
    if (it->key != it->key_static) zfree(it->key);
    if (it->stack != it->stack_static) zfree(it->stack);
    it->key = it->key_static;
    it->key_cap = RAX_ITER_STATIC_KEY;
    it->stack = it->stack_static;
    it->stack_cap = RAX_ITER_STATIC_STACK;
    it->stack_len = 0;
    it->key_len = 0;
}

static void iter_push(rax_iter *it, rax_node *n) {
    if (it->stack_len == it->stack_cap) {
        size_t cap = it->stack_cap * 2;
        if (it->stack == it->stack_static) {
            void **s = zmalloc(cap * sizeof(*s));
            memcpy(s, it->stack, it->stack_len * sizeof(*s));
            it->stack = s;
        } else {
            it->stack = zrealloc(it->stack, cap * sizeof(*it->stack));
        }
        it->stack_cap = cap;
    }
    it->stack[it->stack_len++] = n;
}

static void iter_key_append(rax_iter *it, const unsigned char *s, size_t len) {
    if (it->flags & RAX_IT_NO_KEY) return;
    if (it->key_len + len > it->key_cap) {
        size_t cap = it->key_cap * 2;
        while (cap < it->key_len + len) cap *= 2;
        if (it->key == it->key_static) {
            unsigned char *k = zmalloc(cap);
            memcpy(k, it->key, it->key_len);
            it->key = k;
        } else {
            it->key = zrealloc(it->key, cap);
        }
        it->key_cap = cap;
    }
    memcpy(it->key + it->key_len, s, len);
    it->key_len += len;
}

/* Moves the iterator from its node down to child idx. */
static void iter_down(rax_iter *it, size_t idx) {
    rax_node *n = it->node;
    if (n->is_compr)
        iter_key_append(it, n->data, n->size);
    else
        iter_key_append(it, n->data + idx, 1);
    iter_push(it, n);
    it->node = child_get(n, idx);
}

/* Moves the iterator up to its node's parent; returns the index the node
 * had among the parent's children, or -1 at the root. */
static long iter_up(rax_iter *it) {
    if (it->stack_len == 0) return -1;
    rax_node *p = stack_pop(it);
    long idx = 0;
    if (p->is_compr) {
        it->key_len -= p->size;
    } else {
        idx = branch_find(p, it->key[it->key_len - 1]);
        it->key_len--;
    }
    it->node = p;
    return idx;
}

/* Result helpers: set data (or EOF) and return 1 (or 0). */
static int iter_found(rax_iter *it) {
    it->data = value_get(it->node);
    it->flags &= ~RAX_IT_EOF;
    return 1;
}

static int iter_eof(rax_iter *it) {
    it->flags |= RAX_IT_EOF;
    it->data = NULL;
    return 0;
}

/* First key at or below the iterator's node (the node itself first). */
static int iter_first_below(rax_iter *it) {
    for (;;) {
        rax_node *n = it->node;
        if (n->is_key) return iter_found(it);
        if (n->size == 0) return iter_eof(it);
        iter_down(it, 0);
    }
}

/* Last key at or below the iterator's node (the node itself last). */
static int iter_last_below(rax_iter *it) {
    while (it->node != NULL && ((rax_node *)it->node)->size > 0)
        iter_down(it, node_children(it->node) - 1);
    if (((rax_node *)it->node)->is_key) return iter_found(it);
    return iter_eof(it);
}

/* First key after every key at or below the iterator's node. */
static int iter_after_subtree(rax_iter *it) {
    for (;;) {
        long idx = iter_up(it);
        if (idx < 0) return iter_eof(it);
        rax_node *p = it->node;
        if (!p->is_compr && (size_t)idx + 1 < p->size) {
            iter_down(it, (size_t)idx + 1);
            return iter_first_below(it);
        }
    }
}

/* Last key before the iterator's node's own position (so before every
 * key at or below it). */
static int iter_before_node(rax_iter *it) {
    for (;;) {
        long idx = iter_up(it);
        if (idx < 0) return iter_eof(it);
        rax_node *p = it->node;
        if (!p->is_compr && idx > 0) {
            iter_down(it, (size_t)idx - 1);
            return iter_last_below(it);
        }
        if (p->is_key) return iter_found(it);
    }
}

/* First key after the iterator's node's own position. */
static int iter_after_node(rax_iter *it) {
    rax_node *n = it->node;
    if (n->size > 0) {
        iter_down(it, 0);
        return iter_first_below(it);
    }
    return iter_after_subtree(it);
}

int rax_next(rax_iter *it) {
    if (it->flags & RAX_IT_EOF) return 0;
    if (it->flags & RAX_IT_JUST_SEEKED) {
        it->flags &= ~RAX_IT_JUST_SEEKED;
        return 1;
    }
    return iter_after_node(it);
}

int rax_prev(rax_iter *it) {
    if (it->flags & RAX_IT_EOF) return 0;
    if (it->flags & RAX_IT_JUST_SEEKED) {
        it->flags &= ~RAX_IT_JUST_SEEKED;
        return 1;
    }
    return iter_before_node(it);
}

int rax_eof(const rax_iter *it) {
    return (it->flags & RAX_IT_EOF) != 0;
}

/* Seek for ">", ">=", "<", "<=" once the walk stopped inside a run: the
 * searched key is below or above the whole subtree of the run's child. */
static int seek_in_run(rax_iter *it, const walk_result *w, const unsigned char *s, size_t len,
                       int greater) {
    rax_node *h = w->node;
    int below = w->consumed == len || s[w->consumed] < h->data[w->split];
    iter_down(it, 0);
    if (greater) return below ? iter_first_below(it) : iter_after_subtree(it);
    return below ? iter_before_node(it) : iter_last_below(it);
}

/* Seek for ">", ">=", "<", "<=" once the walk stopped at a branch without
 * a child for s[consumed]. */
static int seek_no_child(rax_iter *it, const walk_result *w, const unsigned char *s, int greater) {
    rax_node *h = w->node;
    unsigned char c = s[w->consumed];
    size_t idx = 0;
    while (idx < h->size && h->data[idx] < c) idx++;
    if (greater) {
        if (idx < h->size) {
            iter_down(it, idx);
            return iter_first_below(it);
        }
        return iter_after_subtree(it);
    }
    if (idx > 0) {
        iter_down(it, idx - 1);
        return iter_last_below(it);
    }
    if (h->is_key) return iter_found(it);
    return iter_before_node(it);
}

int rax_seek(rax_iter *it, const char *op, const unsigned char *key, size_t len) {
    int greater = 0, lesser = 0, equal = 0, first = 0, last = 0;
    if (op[0] == '^' && op[1] == '\0') first = 1;
    else if (op[0] == '$' && op[1] == '\0') last = 1;
    else if (op[0] == '=' && op[1] == '\0') equal = 1;
    else if (op[0] == '>' && op[1] == '\0') greater = 1;
    else if (op[0] == '<' && op[1] == '\0') lesser = 1;
    else if (op[0] == '>' && op[1] == '=' && op[2] == '\0') greater = equal = 1;
    else if (op[0] == '<' && op[1] == '=' && op[2] == '\0') lesser = equal = 1;
    else return 0;

    it->flags = (it->flags & ~(RAX_IT_NO_KEY | RAX_IT_EOF)) | RAX_IT_JUST_SEEKED;
    it->stack_len = 0;
    it->key_len = 0;
    it->node = it->tree->head;
    int found;
    if (first) {
        found = iter_first_below(it);
    } else if (last) {
        found = iter_last_below(it);
    } else {
        walk_result w = rax_walk(it->tree, key, len, it);
        it->node = w.node;
        if (w.end == WALK_AT_NODE && equal && w.node->is_key) found = iter_found(it);
        else if (!greater && !lesser) found = iter_eof(it);
        else if (w.end == WALK_AT_NODE) found = greater ? iter_after_node(it) : iter_before_node(it);
        else if (w.end == WALK_IN_RUN) found = seek_in_run(it, &w, key, len, greater);
        else found = seek_no_child(it, &w, key, greater);
    }
    if (!found) it->flags &= ~RAX_IT_JUST_SEEKED;
    return 1;
}

int rax_compare(const rax_iter *it, const char *op, const unsigned char *key, size_t len) {
    size_t min = it->key_len < len ? it->key_len : len;
    int cmp = min ? memcmp(it->key, key, min) : 0;
    if (cmp == 0) cmp = it->key_len < len ? -1 : (it->key_len > len ? 1 : 0);
    if (op[0] == '=' && op[1] == '=' && op[2] == '\0') return cmp == 0;
    if (op[0] == '>') return op[1] == '=' ? cmp >= 0 : (op[1] == '\0' && cmp > 0);
    if (op[0] == '<') return op[1] == '=' ? cmp <= 0 : (op[1] == '\0' && cmp < 0);
    return 0;
}
