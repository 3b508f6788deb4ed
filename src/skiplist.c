/* skiplist.c -- ordered (score, member) index with spans for sorted sets.
 *
 * Owns the nodes and the member strings stored in them; knows nothing of
 * dicts, objects or replies (the sorted-set layer keeps its member->score
 * dict in step through the delete callbacks). No I/O, no logging, no
 * globals: each list carries its own level generator state.
 * Key invariant: at every level, the spans along the forward chain from the
 * header sum to the list length, and level 0 visits all nodes in
 * (score, memcmp(member)) order with backward pointers mirroring it. */
#include "skiplist.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zmalloc.h"

/* Level-up draws use this many bits of randomness each. */
#define ZSL_DRAW_BITS 16
#define ZSL_DRAW_MASK ((1u << ZSL_DRAW_BITS) - 1)
/* A draw below this value promotes the node one more level. */
#define ZSL_LEVEL_THRESHOLD ((unsigned)(ZSL_P * (1u << ZSL_DRAW_BITS)))

/* Bounds of a lex range meaning "-" and "+"; only their addresses matter. */
char zsl_lex_min_sentinel[] = "-";
char zsl_lex_max_sentinel[] = "+";

/* -------------------------------------------------------------- helpers */

static zsl_node *node_create(int level, double score, sds ele) {
    zsl_node *n = zmalloc(sizeof(*n) + (size_t)level * sizeof(struct zsl_level));
    n->ele = ele;
    n->score = score;
    n->backward = NULL;
    return n;
}

/* splitmix64 step: cheap, well mixed, and private to each list. */
static uint64_t zsl_next_random(zskiplist *zsl) {
    uint64_t z = (zsl->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Level for a new node: 1 plus one more with probability ZSL_P each,
 * capped at ZSL_MAX_LEVEL, so level k holds about n * p^(k-1) nodes. */
static int random_level(zskiplist *zsl) {
    int level = 1;
    uint64_t bits = zsl_next_random(zsl);
    int bits_left = 64;
    while (level < ZSL_MAX_LEVEL) {
        if (bits_left < ZSL_DRAW_BITS) {
            bits = zsl_next_random(zsl);
            bits_left = 64;
        }
        unsigned draw = (unsigned)(bits & ZSL_DRAW_MASK);
        bits >>= ZSL_DRAW_BITS;
        bits_left -= ZSL_DRAW_BITS;
        if (draw >= ZSL_LEVEL_THRESHOLD) break;
        level++;
    }
    return level;
}

/* 1 when the node sorts strictly before (score, ele). */
static int node_before(const zsl_node *n, double score, sds ele) {
    return n->score < score || (n->score == score && sds_cmp(n->ele, ele) < 0);
}

/* Unlinks x given the rightmost node before it at each level. */
static void delete_node(zskiplist *zsl, zsl_node *x, zsl_node **update) {
    for (int i = 0; i < zsl->level; i++) {
        if (update[i]->level[i].forward == x) {
            update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
        } else {
            update[i]->level[i].span -= 1;
        }
    }
    if (x->level[0].forward)
        x->level[0].forward->backward = x->backward;
    else
        zsl->tail = x->backward;
    while (zsl->level > 1 && zsl->header->level[zsl->level - 1].forward == NULL)
        zsl->level--;
    zsl->length--;
}

/* ------------------------------------------------------------ lifecycle */

zskiplist *zsl_create(void) {
    zskiplist *l = zmalloc(sizeof(*l));
    /* Seeded from the list's own address: ASLR makes it vary per run, and
     * no process-wide state is needed. */
    l->rng = (uint64_t)(uintptr_t)l ^ 0x5DEECE66DULL;
    l->level = 1;
    l->length = 0;
    l->header = node_create(ZSL_MAX_LEVEL, 0, NULL);
    for (int i = 0; i < ZSL_MAX_LEVEL; i++) {
        l->header->level[i].forward = NULL;
        l->header->level[i].span = 0;
    }
    l->tail = NULL;
    return l;
}

void zsl_free_node(zsl_node *node) {
    sds_free(node->ele);
    zfree(node);
}

void zsl_free(zskiplist *zsl) {
    zsl_node *x = zsl->header->level[0].forward;
    zfree(zsl->header);
    while (x) {
        zsl_node *next = x->level[0].forward;
        zsl_free_node(x);
        x = next;
    }
    zfree(zsl);
}

int zsl_free_step(zskiplist *zsl, unsigned long max_nodes) {
    zsl_node *x = zsl->header->level[0].forward;
    while (x && max_nodes--) {
        zsl_node *next = x->level[0].forward;
        zsl_free_node(x);
        x = next;
        zsl->length--;
    }
    zsl->header->level[0].forward = x;
    if (x) return 0;
    zfree(zsl->header);
    zfree(zsl);
    return 1;
}

unsigned long zsl_length(const zskiplist *zsl) {
    return zsl->length;
}

/* -------------------------------------------------------------- updates */

zsl_node *zsl_insert(zskiplist *zsl, double score, sds ele) {
    zsl_node *update[ZSL_MAX_LEVEL], *x = zsl->header;
    unsigned long rank[ZSL_MAX_LEVEL];

    /* Record, per level, the last node before the insertion point and its
     * rank: the new spans are differences of those ranks. */
    for (int i = zsl->level - 1; i >= 0; i--) {
        rank[i] = (i == zsl->level - 1) ? 0 : rank[i + 1];
        while (x->level[i].forward && node_before(x->level[i].forward, score, ele)) {
            rank[i] += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    int level = random_level(zsl);
    if (level > zsl->level) {
        for (int i = zsl->level; i < level; i++) {
            rank[i] = 0;
            update[i] = zsl->header;
            update[i]->level[i].span = zsl->length;
        }
        zsl->level = level;
    }
    x = node_create(level, score, ele);
    for (int i = 0; i < level; i++) {
        x->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = x;
        x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
        update[i]->level[i].span = (rank[0] - rank[i]) + 1;
    }
    /* Links above the new node's height now jump over one more node. */
    for (int i = level; i < zsl->level; i++) update[i]->level[i].span++;

    x->backward = (update[0] == zsl->header) ? NULL : update[0];
    if (x->level[0].forward)
        x->level[0].forward->backward = x;
    else
        zsl->tail = x;
    zsl->length++;
    return x;
}

/* Fills update[] for (score, ele) and returns the node that would match. */
static zsl_node *find_update(zskiplist *zsl, double score, sds ele, zsl_node **update) {
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && node_before(x->level[i].forward, score, ele))
            x = x->level[i].forward;
        update[i] = x;
    }
    return x->level[0].forward;
}

int zsl_delete(zskiplist *zsl, double score, sds ele, zsl_node **node_out) {
    zsl_node *update[ZSL_MAX_LEVEL];
    zsl_node *x = find_update(zsl, score, ele, update);
    if (!x || x->score != score || sds_cmp(x->ele, ele) != 0) return 0;
    delete_node(zsl, x, update);
    if (node_out)
        *node_out = x;
    else
        zsl_free_node(x);
    return 1;
}

zsl_node *zsl_update_score(zskiplist *zsl, double curscore, sds ele, double newscore) {
    zsl_node *update[ZSL_MAX_LEVEL];
    zsl_node *x = find_update(zsl, curscore, ele, update);
    if (!x || x->score != curscore || sds_cmp(x->ele, ele) != 0) abort(); /* caller broke the contract */

    /* Still strictly between its neighbours: the order holds as it is. */
    if ((x->backward == NULL || x->backward->score < newscore) &&
        (x->level[0].forward == NULL || x->level[0].forward->score > newscore)) {
        x->score = newscore;
        return x;
    }
    /* Otherwise relink: the member sds moves to the new node untouched. */
    delete_node(zsl, x, update);
    zsl_node *n = zsl_insert(zsl, newscore, x->ele);
    x->ele = NULL;
    zsl_free_node(x);
    return n;
}

/* ----------------------------------------------------------- rank queries */

unsigned long zsl_get_rank(const zskiplist *zsl, double score, sds ele) {
    const zsl_node *x = zsl->header;
    unsigned long rank = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward &&
               (x->level[i].forward->score < score ||
                (x->level[i].forward->score == score && sds_cmp(x->level[i].forward->ele, ele) <= 0))) {
            rank += x->level[i].span;
            x = x->level[i].forward;
        }
        /* x may be the header (ele NULL) until the first step forward. */
        if (x->ele && x->score == score && sds_cmp(x->ele, ele) == 0) return rank;
    }
    return 0;
}

zsl_node *zsl_get_element_by_rank(const zskiplist *zsl, unsigned long rank) {
    zsl_node *x = zsl->header;
    unsigned long traversed = 0;
    if (rank == 0 || rank > zsl->length) return NULL;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span <= rank) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (traversed == rank) return x;
    }
    return NULL;
}

/* ---------------------------------------------------------- score ranges */

int zsl_value_gte_min(double value, const zsl_range *range) {
    return range->minex ? value > range->min : value >= range->min;
}

int zsl_value_lte_max(double value, const zsl_range *range) {
    return range->maxex ? value < range->max : value <= range->max;
}

int zsl_is_in_range(const zskiplist *zsl, const zsl_range *range) {
    if (range->min > range->max || (range->min == range->max && (range->minex || range->maxex)))
        return 0;
    if (zsl->tail == NULL || !zsl_value_gte_min(zsl->tail->score, range)) return 0;
    const zsl_node *first = zsl->header->level[0].forward;
    return zsl_value_lte_max(first->score, range);
}

zsl_node *zsl_first_in_range(const zskiplist *zsl, const zsl_range *range) {
    if (!zsl_is_in_range(zsl, range)) return NULL;
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && !zsl_value_gte_min(x->level[i].forward->score, range))
            x = x->level[i].forward;
    }
    /* The tail is >= min (checked above), so a next node exists. */
    x = x->level[0].forward;
    return zsl_value_lte_max(x->score, range) ? x : NULL;
}

zsl_node *zsl_last_in_range(const zskiplist *zsl, const zsl_range *range) {
    if (!zsl_is_in_range(zsl, range)) return NULL;
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && zsl_value_lte_max(x->level[i].forward->score, range))
            x = x->level[i].forward;
    }
    /* The first node is <= max (checked above), so x is not the header. */
    return zsl_value_gte_min(x->score, range) ? x : NULL;
}

/* ------------------------------------------------------------ lex ranges */

int zsl_lex_cmp(sds a, sds b) {
    if (a == b) return 0;
    if (a == ZSL_LEX_MIN || b == ZSL_LEX_MAX) return -1;
    if (a == ZSL_LEX_MAX || b == ZSL_LEX_MIN) return 1;
    return sds_cmp(a, b);
}

int zsl_lex_value_gte_min(sds value, const zsl_lex_range *range) {
    int c = zsl_lex_cmp(value, range->min);
    return range->minex ? c > 0 : c >= 0;
}

int zsl_lex_value_lte_max(sds value, const zsl_lex_range *range) {
    int c = zsl_lex_cmp(value, range->max);
    return range->maxex ? c < 0 : c <= 0;
}

int zsl_is_in_lex_range(const zskiplist *zsl, const zsl_lex_range *range) {
    int c = zsl_lex_cmp(range->min, range->max);
    if (c > 0 || (c == 0 && (range->minex || range->maxex))) return 0;
    if (zsl->tail == NULL || !zsl_lex_value_gte_min(zsl->tail->ele, range)) return 0;
    return zsl_lex_value_lte_max(zsl->header->level[0].forward->ele, range);
}

zsl_node *zsl_first_in_lex_range(const zskiplist *zsl, const zsl_lex_range *range) {
    if (!zsl_is_in_lex_range(zsl, range)) return NULL;
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && !zsl_lex_value_gte_min(x->level[i].forward->ele, range))
            x = x->level[i].forward;
    }
    x = x->level[0].forward;
    return zsl_lex_value_lte_max(x->ele, range) ? x : NULL;
}

zsl_node *zsl_last_in_lex_range(const zskiplist *zsl, const zsl_lex_range *range) {
    if (!zsl_is_in_lex_range(zsl, range)) return NULL;
    zsl_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && zsl_lex_value_lte_max(x->level[i].forward->ele, range))
            x = x->level[i].forward;
    }
    return zsl_lex_value_gte_min(x->ele, range) ? x : NULL;
}

/* --------------------------------------------------------- range removal */

/* Removes nodes from x on while they satisfy keep_going; update[] holds
 * the predecessors of x at every level. */
static unsigned long delete_run(zskiplist *zsl, zsl_node *x, zsl_node **update, int (*in_range)(const zsl_node *, const void *),
                                const void *range, zsl_removed_fn *removed, void *privdata) {
    unsigned long count = 0;
    while (x && in_range(x, range)) {
        zsl_node *next = x->level[0].forward;
        delete_node(zsl, x, update);
        if (removed) removed(privdata, x->ele);
        zsl_free_node(x);
        count++;
        x = next;
    }
    return count;
}

static int node_lte_max(const zsl_node *x, const void *range) {
    return zsl_value_lte_max(x->score, range);
}

static int node_lex_lte_max(const zsl_node *x, const void *range) {
    return zsl_lex_value_lte_max(x->ele, range);
}

unsigned long zsl_delete_range_by_score(zskiplist *zsl, const zsl_range *range, zsl_removed_fn *removed,
                                        void *privdata) {
    zsl_node *update[ZSL_MAX_LEVEL], *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && !zsl_value_gte_min(x->level[i].forward->score, range))
            x = x->level[i].forward;
        update[i] = x;
    }
    return delete_run(zsl, x->level[0].forward, update, node_lte_max, range, removed, privdata);
}

unsigned long zsl_delete_range_by_lex(zskiplist *zsl, const zsl_lex_range *range, zsl_removed_fn *removed,
                                      void *privdata) {
    zsl_node *update[ZSL_MAX_LEVEL], *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && !zsl_lex_value_gte_min(x->level[i].forward->ele, range))
            x = x->level[i].forward;
        update[i] = x;
    }
    return delete_run(zsl, x->level[0].forward, update, node_lex_lte_max, range, removed, privdata);
}

unsigned long zsl_delete_range_by_rank(zskiplist *zsl, unsigned long start, unsigned long end,
                                       zsl_removed_fn *removed, void *privdata) {
    zsl_node *update[ZSL_MAX_LEVEL], *x = zsl->header;
    unsigned long traversed = 0, count = 0;
    if (start == 0) start = 1;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span < start) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    traversed++;
    x = x->level[0].forward;
    while (x && traversed <= end) {
        zsl_node *next = x->level[0].forward;
        delete_node(zsl, x, update);
        if (removed) removed(privdata, x->ele);
        zsl_free_node(x);
        count++;
        traversed++;
        x = next;
    }
    return count;
}

/* ---------------------------------------------------- argument parsers */

/* One score bound: '(' prefix for exclusive, then all of it a strtod
 * float (which also takes leading spaces, hex and "inf", as Redis does). */
static int parse_score_bound(const char *s, double *value, int *exclusive) {
    char *end;
    *exclusive = (s[0] == '(');
    if (*exclusive) s++;
    *value = strtod(s, &end);
    return (end[0] != '\0' || isnan(*value)) ? -1 : 0;
}

int zsl_parse_range(const char *min, const char *max, zsl_range *range, const char **err) {
    if (parse_score_bound(min, &range->min, &range->minex) != 0 ||
        parse_score_bound(max, &range->max, &range->maxex) != 0) {
        if (err) *err = ZSL_ERR_NOT_FLOAT;
        return -1;
    }
    return 0;
}

/* One lex bound. Like Redis, "+" and "-" are recognised by their second
 * byte being the end of the (NUL-terminated) argument. */
static int parse_lex_bound(const char *s, size_t len, sds *dest, int *exclusive) {
    if (len == 0) return -1;
    switch (s[0]) {
    case '+':
    case '-':
        if (len > 1 && s[1] != '\0') return -1;
        *exclusive = 1;
        *dest = (s[0] == '+') ? ZSL_LEX_MAX : ZSL_LEX_MIN;
        return 0;
    case '(':
    case '[':
        *exclusive = (s[0] == '(');
        *dest = sds_new_len(s + 1, len - 1);
        return 0;
    default:
        return -1;
    }
}

int zsl_parse_lex_range(const char *min, size_t minlen, const char *max, size_t maxlen,
                        zsl_lex_range *range, const char **err) {
    range->min = range->max = NULL;
    if (parse_lex_bound(min, minlen, &range->min, &range->minex) != 0 ||
        parse_lex_bound(max, maxlen, &range->max, &range->maxex) != 0) {
        zsl_free_lex_range(range);
        if (err) *err = ZSL_ERR_NOT_LEX;
        return -1;
    }
    return 0;
}

void zsl_free_lex_range(zsl_lex_range *range) {
    if (range->min && range->min != ZSL_LEX_MIN && range->min != ZSL_LEX_MAX) sds_free(range->min);
    if (range->max && range->max != ZSL_LEX_MIN && range->max != ZSL_LEX_MAX) sds_free(range->max);
    range->min = range->max = NULL;
}
