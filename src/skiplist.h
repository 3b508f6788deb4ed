/* skiplist.h -- the ordered index behind large sorted sets.
 *
 * A skiplist of (score, member) pairs ordered by score, then by member bytes
 * (memcmp order, shorter first on a common prefix). Every forward link also
 * records its span (how many nodes it jumps over), so the rank of a member
 * and the member at a rank are found in O(log n). The list keeps a backward
 * pointer per node for reverse iteration (ZREVRANGE).
 *
 * Ownership: the skiplist owns each node's member sds. zsl_insert takes it;
 * zsl_free, zsl_free_node and the delete functions free it. A sorted set may
 * share that same sds as the key of its member->score dict, as long as the
 * dict does not free its keys: the delete-range callbacks are handed each
 * member before it is freed, so the dict entry can be removed first.
 *
 * Duplicated members are the caller's business: zsl_insert never checks. */
#ifndef MINIRED_SKIPLIST_H
#define MINIRED_SKIPLIST_H

#include "sds.h"

/* Enough levels for 4^32 elements with p = 1/4. */
#define ZSL_MAX_LEVEL 32
/* Chance that a node reaches the next level up, as a fraction. */
#define ZSL_P 0.25

/* Redis's texts for the range parsers' failures (replied as "-ERR ..."). */
#define ZSL_ERR_NOT_FLOAT "min or max is not a float"
#define ZSL_ERR_NOT_LEX "min or max not valid string range item"

typedef struct zsl_node {
    sds ele;                     /* owned member */
    double score;
    struct zsl_node *backward;   /* NULL for the first node */
    struct zsl_level {
        struct zsl_node *forward;
        unsigned long span;      /* nodes skipped by following forward */
    } level[];
} zsl_node;

typedef struct zskiplist {
    zsl_node *header;            /* sentinel with ZSL_MAX_LEVEL levels */
    zsl_node *tail;              /* last node, NULL when empty */
    unsigned long length;
    int level;                   /* levels in use, >= 1 */
    unsigned long long rng;      /* private level generator state */
} zskiplist;

/* Score interval for ZRANGEBYSCORE & co: [min, max], either end exclusive
 * when its flag is set. */
typedef struct {
    double min, max;
    int minex, maxex;
} zsl_range;

/* Lex interval for ZRANGEBYLEX & co. min and max are owned sds, or one of
 * the two sentinels ZSL_LEX_MIN ("-", below every string) and ZSL_LEX_MAX
 * ("+", above every string), which either bound may hold. Free the owned
 * strings with zsl_free_lex_range. */
typedef struct {
    sds min, max;
    int minex, maxex;
} zsl_lex_range;

/* Sentinel storage; compare pointers with ZSL_LEX_MIN / ZSL_LEX_MAX, never
 * write through them. */
extern char zsl_lex_min_sentinel[];
extern char zsl_lex_max_sentinel[];
#define ZSL_LEX_MIN ((sds)zsl_lex_min_sentinel)
#define ZSL_LEX_MAX ((sds)zsl_lex_max_sentinel)

/* Called by the delete-range functions for each removed member, just
 * before the node and its member are freed. ele is borrowed. */
typedef void zsl_removed_fn(void *privdata, sds ele);

/* ------------------------------------------------------------ lifecycle */

/* Returns a new empty skiplist. */
zskiplist *zsl_create(void);
/* Takes zsl and every member in it. */
void zsl_free(zskiplist *zsl);
/* Takes a node unlinked by zsl_delete and its member. */
void zsl_free_node(zsl_node *node);
/* Number of elements. */
unsigned long zsl_length(const zskiplist *zsl);
/* Frees up to max_nodes nodes of a skiplist nobody else uses any more
 * (only the level-0 chain is kept valid); returns 1 once everything,
 * header and zsl included, is freed. For freeing a big set in slices. */
int zsl_free_step(zskiplist *zsl, unsigned long max_nodes);

/* -------------------------------------------------------------- updates */

/* Takes ele (which must not already be in the list). Returns the new node,
 * borrowed. */
zsl_node *zsl_insert(zskiplist *zsl, double score, sds ele);
/* Borrows ele. Removes the node matching (score, ele). If node_out is NULL
 * the node and its member are freed, else the unlinked node is handed to
 * the caller through *node_out (free it with zsl_free_node). Returns 1 if
 * found and removed, 0 if not found. */
int zsl_delete(zskiplist *zsl, double score, sds ele, zsl_node **node_out);
/* Borrows ele. Moves the element (curscore, ele), which must exist (else
 * abort: a caller bug), to
 * newscore. When the new score keeps it strictly between the same
 * neighbours the node is updated in place; otherwise the element is
 * reinserted in a new node that keeps the same member sds (so a dict
 * sharing it stays valid) and the old node is freed. Returns the element's
 * node, borrowed. */
zsl_node *zsl_update_score(zskiplist *zsl, double curscore, sds ele, double newscore);

/* ----------------------------------------------------------- rank queries */

/* Borrows ele. Returns the 1-based rank of (score, ele), 0 if absent. */
unsigned long zsl_get_rank(const zskiplist *zsl, double score, sds ele);
/* Returns the node at 1-based rank, borrowed; NULL if out of range. */
zsl_node *zsl_get_element_by_rank(const zskiplist *zsl, unsigned long rank);

/* ---------------------------------------------------------- score ranges */

/* 1 if some element may lie in range (the range is not empty and
 * overlaps [first score, last score]), else 0. */
int zsl_is_in_range(const zskiplist *zsl, const zsl_range *range);
/* First / last node whose score is in range, borrowed; NULL if none. */
zsl_node *zsl_first_in_range(const zskiplist *zsl, const zsl_range *range);
zsl_node *zsl_last_in_range(const zskiplist *zsl, const zsl_range *range);
/* 1 if value lies at or above range's min / at or below its max. */
int zsl_value_gte_min(double value, const zsl_range *range);
int zsl_value_lte_max(double value, const zsl_range *range);

/* ------------------------------------------------------------ lex ranges */

/* Lex variants; the elements are expected to share one score (ZRANGEBYLEX
 * is only defined then), but the functions only look at the members. */
int zsl_is_in_lex_range(const zskiplist *zsl, const zsl_lex_range *range);
zsl_node *zsl_first_in_lex_range(const zskiplist *zsl, const zsl_lex_range *range);
zsl_node *zsl_last_in_lex_range(const zskiplist *zsl, const zsl_lex_range *range);
/* Borrows value: 1 if it lies at or above min / at or below max. */
int zsl_lex_value_gte_min(sds value, const zsl_lex_range *range);
int zsl_lex_value_lte_max(sds value, const zsl_lex_range *range);
/* Compares two lex bounds (sentinels allowed): <0, 0, >0 like memcmp. */
int zsl_lex_cmp(sds a, sds b);

/* --------------------------------------------------------- range removal */

/* Each removes the matching elements, calls removed(privdata, ele) for
 * each one first (removed may be NULL), and returns how many went.
 * by_rank takes 1-based inclusive ranks. */
unsigned long zsl_delete_range_by_score(zskiplist *zsl, const zsl_range *range, zsl_removed_fn *removed,
                                        void *privdata);
unsigned long zsl_delete_range_by_lex(zskiplist *zsl, const zsl_lex_range *range, zsl_removed_fn *removed,
                                      void *privdata);
unsigned long zsl_delete_range_by_rank(zskiplist *zsl, unsigned long start, unsigned long end,
                                       zsl_removed_fn *removed, void *privdata);

/* ---------------------------------------------------- argument parsers */

/* Parses ZRANGEBYSCORE-style bounds: a float as strtod reads it ("inf",
 * "-inf", "1e3", "0x10"), optionally prefixed by '(' for exclusive; NaN and
 * trailing bytes refused. Borrows the NUL-terminated strings. Returns 0 and
 * fills *range, or -1 with *err (may be NULL) = ZSL_ERR_NOT_FLOAT. */
int zsl_parse_range(const char *min, const char *max, zsl_range *range, const char **err);
/* Parses ZRANGEBYLEX-style bounds: "-", "+", "[str" or "(str". Borrows the
 * strings (binary-safe, with lengths). Returns 0 and fills *range (the
 * bounds are new sds or sentinels: free with zsl_free_lex_range), or -1
 * with *err (may be NULL) = ZSL_ERR_NOT_LEX and nothing to free. */
int zsl_parse_lex_range(const char *min, size_t minlen, const char *max, size_t maxlen,
                        zsl_lex_range *range, const char **err);
/* Frees the owned bounds of a parsed lex range (sentinels left alone). */
void zsl_free_lex_range(zsl_lex_range *range);

#endif
