/* quicklist.h -- the list type's storage: a doubly linked list of listpacks.
 *
 * Each node holds a listpack of up to `fill` entries (positive fill) or up
 * to a byte budget (negative fill: -1..-5 = 4, 8, 16, 32, 64 KB), the
 * semantics of redis.conf's list-max-listpack-size. Whatever the fill, an
 * insertion never grows a node past its size limit (QL_SIZE_SAFETY_LIMIT_BYTES
 * for a positive fill), so an element larger than the limit gets a node of
 * its own; only a replacement (LSET) may, as in Redis 7.0. Node boundaries
 * show in RDB and DUMP bytes, so every split and merge follows Redis 7.0's
 * choices: deletions never merge nodes, an insertion into a full node
 * splits it and merges around the split. Pushes and pops at both ends are
 * O(1) amortized; LINDEX / LSET skip whole nodes by their counts.
 *
 * list-compress-depth d > 0 keeps the d nodes at each end plain and
 * compresses every inner node's listpack with LZF, as Redis 7.0 does:
 * nodes under QL_MIN_COMPRESS_BYTES stay plain, and so does a node whose
 * compressed form would not save QL_MIN_COMPRESS_IMPROVE bytes. A
 * compressed node is decompressed when an operation reaches it and
 * compressed again when the operation is done (a node decompressed only
 * for reading stays plain until a compressed node of any list is read or
 * its list changes: entries read from it stay valid meanwhile, and at most
 * one inner node in the whole process is plain between operations).
 *
 * Values go in as bytes and are copied. Listpacks store canonical decimal
 * integers as integers, so an entry reads back either as a string or as an
 * integer (ql_entry.str == NULL); the bytes are the same ones pushed.
 *
 * Iterators and entries borrow the list: any change to the list other than
 * ql_del_entry on the iterator that produced the entry invalidates them,
 * and so does reading another list (one list is read at a time). */
#ifndef MINIRED_QUICKLIST_H
#define MINIRED_QUICKLIST_H

#include <stddef.h>
#include <stdint.h>

#include "sds.h"

/* Fill bounds (Redis clamps the same way): at most 32768 entries a node,
 * at least -5 (64 KB nodes). */
#define QL_FILL_MAX 32768
#define QL_FILL_MIN (-5)
/* Redis's default list-max-listpack-size: 8 KB nodes. */
#define QL_FILL_DEFAULT (-2)
/* With a positive fill a node still stops growing at this many bytes. */
#define QL_SIZE_SAFETY_LIMIT_BYTES 8192

enum ql_where { QL_HEAD = 0, QL_TAIL = 1 };
enum ql_direction { QL_HEAD_TO_TAIL = 0, QL_TAIL_TO_HEAD = 1 };
/* What a pop found. */
enum ql_pop_result { QL_POP_EMPTY = 0, QL_POP_STR = 1, QL_POP_INT = 2 };

/* Nodes under this many bytes are never compressed (Redis's figure). */
#define QL_MIN_COMPRESS_BYTES 48
/* A compressed form must be this many bytes smaller to be kept. */
#define QL_MIN_COMPRESS_IMPROVE 8

/* A node is 32 bytes, as Redis 7.0's: many small lists (one node each)
 * must cost no more than there. Only the current operation's changed nodes
 * and the one node a read left plain need tracking, and both live in
 * quicklist.c's own state rather than in every node. */
typedef struct ql_node {
    struct ql_node *prev, *next;
    union {
        unsigned char *lp;       /* owned listpack, never empty (not compressed) */
        unsigned char *lzf;      /* owned LZF blob: 4-byte length, then the data (compressed) */
    };
    uint32_t sz;                 /* while compressed: bytes once decompressed */
    uint16_t count;              /* entries in the listpack (<= QL_NODE_MAX_COUNT) */
    uint16_t compressed : 1;     /* lzf is in use, not lp */
    uint16_t touched : 1;        /* changed by the current operation */
    uint16_t in_window : 1;      /* scratch mark: within depth of an end */
    uint16_t no_gain : 1;        /* compression did not pay; unchanged since */
    uint16_t plain : 1;          /* PLAIN node: one large element alone, never merged */
} ql_node;

/* Most entries a node holds: node_fits() refuses more, whatever the fill. */
#define QL_NODE_MAX_COUNT UINT16_MAX

/* 40 bytes, as Redis 7.0's quicklist header. */
typedef struct quicklist {
    ql_node *head, *tail;
    unsigned long count;         /* entries in all nodes */
    unsigned long len;           /* nodes */
    int fill;                    /* clamped list-max-listpack-size */
    int compress;                /* list-compress-depth: plain nodes at each end */
} quicklist;

/* One element, as read by ql_index or an iterator. All pointers borrow the
 * list and die with the next change to it. */
typedef struct ql_entry {
    quicklist *ql;
    ql_node *node;
    unsigned char *lp_entry;     /* the entry inside node->lp */
    long offset;                 /* index of the entry inside the node */
    const unsigned char *str;    /* string value, or NULL for an integer */
    uint32_t len;                /* length of str */
    long long ival;              /* integer value when str is NULL */
} ql_entry;

/* A position in the list; lives on the caller's stack, owns nothing. */
typedef struct ql_iter {
    quicklist *ql;
    ql_node *node;               /* node of the next entry, NULL when done */
    unsigned char *pos;          /* next entry in node, NULL: node done */
    long offset;                 /* index of pos inside node */
    int direction;               /* enum ql_direction */
} ql_iter;

/* ------------------------------------------------------------ lifecycle */

/* Returns a new empty list; fill is clamped to [QL_FILL_MIN, QL_FILL_MAX]
 * (0 behaves as 1: one element a node). */
quicklist *ql_create(int fill);
/* Changes fill (clamped) and compress depth for future operations. */
void ql_set_options(quicklist *ql, int fill, int compress_depth);
/* Takes ql and everything in it. */
void ql_free(quicklist *ql);
/* Returns a new deep copy of ql. */
quicklist *ql_dup(const quicklist *ql);
/* Number of elements / of nodes. */
unsigned long ql_length(const quicklist *ql);
unsigned long ql_count_nodes(const quicklist *ql);
/* Takes lp (a non-empty listpack, e.g. loaded from an RDB) and appends it
 * as the new tail node as is; an empty one is just freed. */
void ql_append_listpack(quicklist *ql, unsigned char *lp);
/* 1 if a node holding lp (count entries) respects ql's fill, so a loader
 * may append it as is; else its entries must be pushed one by one. */
int ql_listpack_fits(const quicklist *ql, const unsigned char *lp, unsigned long count);

/* Bytes of n's listpack, compressed or not (of a compressed PLAIN node:
 * its element's, the bytes its LZF form holds). */
size_t ql_node_bytes(const ql_node *n);
/* Bytes of n's data as Redis counts them (DEBUG OBJECT): its listpack's,
 * or for a PLAIN node its element's length. */
size_t ql_node_data_bytes(const ql_node *n);
/* Bytes n holds in its allocation (listpack or LZF form), as MEMORY USAGE
 * counts them. */
size_t ql_node_alloc_size(const ql_node *n);
/* n's LZF form and its length when n is compressed, else NULL. */
const unsigned char *ql_node_lzf(const ql_node *n, size_t *lzf_len);
/* n's listpack, decompressing n if needed (n then counts as read). */
unsigned char *ql_node_listpack(quicklist *ql, ql_node *n);
/* Compresses again what reads left plain, so the list is exactly as Redis
 * would hold it (before serializing it). Invalidates entries. */
void ql_settle(quicklist *ql);
/* Number of compressed nodes. */
unsigned long ql_compressed_nodes(const quicklist *ql);

/* Elements of at least this many bytes get a PLAIN node of their own, as
 * Redis 7.0 stores large elements (DEBUG QUICKLIST-PACKED-THRESHOLD). */
#define QL_PACKED_THRESHOLD_DEFAULT (1ULL << 30)
#define QL_PACKED_THRESHOLD_MAX ((1ULL << 32) - (1ULL << 20))
/* Sets the process-wide threshold (0: the default). Returns 0 when sz is
 * above QL_PACKED_THRESHOLD_MAX, leaving it unchanged. */
int ql_set_packed_threshold(unsigned long long sz);
/* Borrows s: appends it as a PLAIN node whatever its size (RDB load). */
void ql_append_plain(quicklist *ql, const void *s, size_t len);

/* ------------------------------------------------------------ ends */

/* Borrows s: copies len bytes as a new first / last element. */
void ql_push_head(quicklist *ql, const void *s, size_t len);
void ql_push_tail(quicklist *ql, const void *s, size_t len);
void ql_push(quicklist *ql, const void *s, size_t len, enum ql_where where);
/* Removes the first / last element. Returns QL_POP_EMPTY on an empty list;
 * QL_POP_STR with *str a new sds; QL_POP_INT with *ival set. If ival is
 * NULL integers come back as QL_POP_STR in decimal. str may be NULL to
 * just drop the element. */
int ql_pop_head(quicklist *ql, sds *str, long long *ival);
int ql_pop_tail(quicklist *ql, sds *str, long long *ival);
int ql_pop(quicklist *ql, enum ql_where where, sds *str, long long *ival);

/* ------------------------------------------------------------ by index */

/* Fills *e with the element at idx (0 first, -1 last). Returns 1, or 0 if
 * idx is out of range. */
int ql_index(quicklist *ql, long idx, ql_entry *e);
/* Borrows s: replaces the element at idx. Returns 1, or 0 if out of range.
 * A packed node takes a small value in place whatever its size then; a
 * value at or above the packed threshold gets a PLAIN node of its own, and
 * a small value replacing a PLAIN one goes into a neighbour or a new node. */
int ql_replace_at_index(quicklist *ql, long idx, const void *s, size_t len);
/* Borrows s: inserts before / after the element e (from ql_index or an
 * iterator over this list). Invalidates e and every iterator. */
void ql_insert_before(quicklist *ql, ql_entry *e, const void *s, size_t len);
void ql_insert_after(quicklist *ql, ql_entry *e, const void *s, size_t len);
/* Deletes up to count elements from start (negative from the tail), as
 * LTRIM needs. Returns the number deleted. Nodes are not merged. */
unsigned long ql_del_range(quicklist *ql, long start, unsigned long count);

/* ------------------------------------------------------------ iteration */

/* Starts it at the head (QL_HEAD_TO_TAIL) or at the tail. */
void ql_iter_init(quicklist *ql, ql_iter *it, enum ql_direction direction);
/* Starts it at idx (negative from the tail) going in direction. Returns 1,
 * or 0 when idx is out of range (the iterator then yields nothing). */
int ql_iter_init_at(quicklist *ql, ql_iter *it, enum ql_direction direction, long idx);
/* Fills *e with the next element. Returns 1, or 0 at the end. */
int ql_next(ql_iter *it, ql_entry *e);
/* Deletes e, the entry it last returned; it goes on with the element that
 * followed e in its direction. Nodes are not merged. */
void ql_del_entry(ql_iter *it, ql_entry *e);

/* ------------------------------------------------------------ values */

/* 1 if e holds exactly the len bytes at s (integers compared as their
 * canonical decimal text, the way they were pushed). */
int ql_entry_eq(const ql_entry *e, const void *s, size_t len);
/* Returns a new sds with e's value as bytes. */
sds ql_entry_to_sds(const ql_entry *e);
/* Index of the first element equal to s at or after from (negative from
 * the tail), scanning toward the tail; -1 if none. */
long ql_find(quicklist *ql, long from, const void *s, size_t len);

#endif
