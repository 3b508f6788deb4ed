/* stream.h -- the stream data structure (library code, L0).
 *
 * A stream is what Redis 7.0 stores: a radix tree (rax.h) whose keys are
 * the 16-byte big-endian IDs of each node's "master" entry and whose
 * values are listpacks of entries, laid out exactly as Redis lays them out
 * (so DUMP payloads, RDB files and MEMORY USAGE match Redis's):
 *
 *   master entry: count, deleted, #master-fields, field_1..field_N, 0
 *   each entry:   flags, ms-delta, seq-delta,
 *                 then values only (flags & SAME_FIELDS) or
 *                 #fields, field_1, value_1, ...;
 *                 then lp-count (number of listpack elements of this
 *                 entry before lp-count, so a reverse walk can skip it)
 *   flags: 1 = deleted, 2 = same fields as the master entry.
 *
 * Beside the entries: consumer groups (rax name -> stream_cg), each with
 * its consumers (rax name -> stream_consumer) and a pending-entries list
 * (rax of 16-byte IDs -> stream_nack, shared with the owning consumer's
 * own PEL, which points to the same nack).
 *
 * Nothing here knows of clients, replies, configuration or the clock:
 * limits and times are parameters, so stream.c is unit-tested with Check.
 * Commands live in t_stream.c (entries) and t_stream_group.c (groups). */
#ifndef MINIRED_STREAM_H
#define MINIRED_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include "rax.h"
#include "sds.h"

typedef struct stream_id {
    uint64_t ms;
    uint64_t seq;
} stream_id;

typedef struct stream {
    rax *rax;                         /* master ID (16 bytes BE) -> listpack */
    uint64_t length;                  /* live entries */
    stream_id last_id;                /* greatest ID ever added (or XSETID) */
    stream_id first_id;               /* first live entry; 0-0 when empty */
    stream_id max_deleted_entry_id;   /* greatest ID deleted (XDEL/trim) */
    uint64_t entries_added;           /* entries ever added (XADD count) */
    rax *cgroups;                     /* name -> stream_cg*; NULL: none yet */
} stream;

/* Flags of an entry inside a listpack node. */
#define STREAM_ITEM_FLAG_NONE 0
#define STREAM_ITEM_FLAG_DELETED (1 << 0)
#define STREAM_ITEM_FLAG_SAMEFIELDS (1 << 1)

/* entries_read of a group when it cannot be known (Redis's "invalid"). */
#define STREAM_CG_ENTRIES_READ_INVALID (-1LL)

typedef struct stream_cg {
    stream_id last_id;      /* last ID delivered to the group */
    long long entries_read; /* logical counter of the last delivered entry */
    rax *pel;               /* ID (16 bytes BE) -> stream_nack* (owner) */
    rax *consumers;         /* name -> stream_consumer* */
} stream_cg;

typedef struct stream_consumer {
    long long seen_time; /* unix ms of the consumer's last interaction */
    sds name;
    rax *pel; /* ID -> the same stream_nack* as the group's PEL */
} stream_consumer;

typedef struct stream_nack {
    long long delivery_time; /* unix ms of the last delivery */
    uint64_t delivery_count;
    stream_consumer *consumer; /* current owner */
} stream_nack;

/* ------------------------------------------------------------- IDs */

/* Writes id as 16 big-endian bytes (the rax key form) and back. */
void stream_id_encode(unsigned char out[16], const stream_id *id);
void stream_id_decode(const unsigned char in[16], stream_id *id);
/* -1, 0, 1 as a is before, equal to, after b. */
int stream_id_cmp(const stream_id *a, const stream_id *b);
/* The ID right after (before) id: returns 0, or -1 when id is the largest
 * (smallest) possible and there is none. */
int stream_id_incr(stream_id *id);
int stream_id_decr(stream_id *id);
/* Writes "<ms>-<seq>" into buf (at least STREAM_ID_STR_LEN bytes),
 * returns its length. */
#define STREAM_ID_STR_LEN 44
int stream_id_format(char *buf, const stream_id *id);
/* Rewrites only the sequence of an ID already formatted in buf whose ms
 * part is ms_len bytes long (IDs of one millisecond in a row); returns the
 * new length. */
int stream_id_format_seq(char *buf, int ms_len, uint64_t seq);

/* ---------------------------------------------------------- streams */

stream *stream_new(void);
void stream_free(stream *s);
/* A deep copy: entries, groups, consumers and PELs (COPY). */
stream *stream_copy(const stream *s);

/* Node limits (stream-node-max-bytes / -entries; 0 means no limit of that
 * kind), passed to every call that may open a node. */
typedef struct stream_limits {
    size_t node_max_bytes;
    long long node_max_entries;
} stream_limits;

/* Appends an entry of numfields field/value pairs (fv holds 2*numfields
 * sds: field, value, ...). The ID is:
 *   - *use_id when use_id is not NULL and seq_given (explicit "ms-seq");
 *   - use_id->ms with the next free sequence when !seq_given ("ms-*");
 *   - when use_id is NULL, max(now_ms, last_id.ms) with the next sequence
 *     ("*").
 * Returns 0 and the ID in *added; -1 (errno EDOM) when the ID is not
 * greater than last_id, -1 (errno ERANGE) when no greater ID exists in
 * that millisecond ("ms-*", "*") or the fields and values together pass
 * 1 GB (both "Elements are too large to be stored" in Redis). */
int stream_append(stream *s, sds *fv, long long numfields, stream_id *added, const stream_id *use_id, int seq_given,
                  long long now_ms, const stream_limits *lim);

/* Trimming (XADD ... MAXLEN/MINID, XTRIM). */
enum stream_trim_strategy { STREAM_TRIM_NONE, STREAM_TRIM_MAXLEN, STREAM_TRIM_MINID };
typedef struct stream_trim_args {
    enum stream_trim_strategy strategy;
    int approx;          /* "~": whole nodes only */
    long long maxlen;    /* MAXLEN threshold */
    stream_id minid;     /* MINID threshold */
    long long limit;     /* max entries evicted with "~" (0: no limit) */
} stream_trim_args;
/* Trims s; returns how many entries were removed. */
long long stream_trim(stream *s, const stream_trim_args *args);

/* Deletes the entry with this ID; 1 if it was there, else 0. Keeps
 * max_deleted_entry_id and first_id up to date (XDEL). */
int stream_delete_id(stream *s, const stream_id *id);

/* ------------------------------------------------------- iteration */

/* Iterates entries with start <= ID <= end (NULL start/end: open), forward
 * or in reverse. Fields and values of the current entry are read one pair
 * at a time with stream_iter_field. Lives on the stack. */
typedef struct stream_iter {
    stream *s;
    stream_id start, end;
    int rev;
    /* private */
    rax_iter ri;
    stream_id master_id;
    uint64_t master_fields_count;
    unsigned char *master_fields_start;
    unsigned char *master_field_ptr;
    int entry_flags;
    unsigned char *lp;
    unsigned char *lp_ele;
    unsigned char *lp_flags;
    unsigned char *value_ptr;
    int64_t field_count;
    unsigned char field_buf[24], value_buf[24]; /* integer entries as text */
} stream_iter;

void stream_iter_start(stream_iter *it, stream *s, const stream_id *start, const stream_id *end, int rev);
/* Moves to the next entry: returns 1 with its ID and field count, or 0. */
int stream_iter_next(stream_iter *it, stream_id *id, int64_t *numfields);
/* Reads the next field/value pair of the current entry (call exactly
 * numfields times). Pointers stay valid until the next iterator call. */
void stream_iter_field(stream_iter *it, const unsigned char **field, size_t *field_len, const unsigned char **value,
                       size_t *value_len);
/* Deletes the current entry (XDEL while iterating); the iterator then
 * moves on as if it had been read. Updates s->length and the node's
 * counters, and frees a node left with no live entry. */
void stream_iter_remove_entry(stream_iter *it, stream_id *current);
void stream_iter_stop(stream_iter *it);

/* Last live entry's ID (0-0 when empty): what XADD needs after a trim,
 * XINFO shows as last-entry, and XSETID checks. */
void stream_last_valid_id(stream *s, stream_id *out);
/* First live entry's ID (0-0 when empty). */
void stream_first_valid_id(stream *s, stream_id *out);
/* First entry's ID, deleted ones included (UINT64_MAX-UINT64_MAX when no
 * node is left): what Redis writes for an approximate MINID trim's
 * threshold in the propagated command. */
void stream_first_id_with_tombstones(stream *s, stream_id *out);

/* ---------------------------------------------------- consumer groups */

/* Creates group name (binary) with last_id and entries_read; NULL when a
 * group of that name exists. */
stream_cg *stream_create_cg(stream *s, const unsigned char *name, size_t len, const stream_id *last_id,
                            long long entries_read);
stream_cg *stream_lookup_cg(stream *s, const unsigned char *name, size_t len);
/* Removes and frees group name; 1 if it existed. */
int stream_destroy_cg(stream *s, const unsigned char *name, size_t len);
/* Creates consumer name in cg (seen_time = now_ms); NULL if it exists. */
stream_consumer *stream_create_consumer(stream_cg *cg, const unsigned char *name, size_t len, long long now_ms);
stream_consumer *stream_lookup_consumer(stream_cg *cg, const unsigned char *name, size_t len);
/* Deletes consumer: its pending entries leave the group's PEL too.
 * Returns how many pending entries it had. */
uint64_t stream_delete_consumer(stream_cg *cg, stream_consumer *consumer);
/* A new nack owned by consumer (delivery_count 1, delivery_time now_ms);
 * the caller inserts it in both PELs. */
stream_nack *stream_nack_new(stream_consumer *consumer, long long now_ms);
void stream_nack_free(stream_nack *nack);

/* Logical position of id in the stream's history (for entries-read and
 * lag): the entries_added-relative counter Redis 7.0 computes, or
 * STREAM_CG_ENTRIES_READ_INVALID when it cannot be known. */
long long stream_estimate_distance_from_first_ever_entry(stream *s, const stream_id *id);
/* 1 when a tombstone (deleted entry) may lie after id within the stream
 * (Redis's "range has tombstones" test for lag). */
int stream_range_has_tombstones(stream *s, const stream_id *start, const stream_id *end);

/* Bytes the stream takes (rax nodes, listpacks, groups, consumers, PELs);
 * samples limits how many nodes / groups are measured (0: all), as
 * MEMORY USAGE SAMPLES does. */
size_t stream_alloc_size(const stream *s, size_t samples);

#endif
