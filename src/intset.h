/* intset.h -- a sorted set of integers packed in one allocation, with the
 * layout Redis writes into RDB files as a blob:
 *
 *   <encoding u32 LE> <length u32 LE> <length values, each encoding bytes LE>
 *
 * encoding is 2, 4 or 8 (int16/int32/int64), the smallest that holds every
 * member; it grows when a wider value is added and never shrinks. Values are
 * strictly ascending. An intset is exactly its blob: (unsigned char *)is is
 * intset_blob_len(is) bytes ready to be saved. Calls that may reallocate
 * return the new pointer. */
#ifndef MINIRED_INTSET_H
#define MINIRED_INTSET_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of the header (encoding + length). */
#define INTSET_HDR_BYTES 8

typedef struct intset intset;

/* Returns a new empty intset (encoding int16). */
intset *intset_new(void);
/* Takes is (NULL is a no-op). */
void intset_free(intset *is);
/* Takes is, returns it with value added (maybe moved). *success (may be
 * NULL) is 1 if added, 0 if it was already there. */
intset *intset_add(intset *is, int64_t value, int *success);
/* Takes is, returns it without value (maybe moved). *success (may be NULL)
 * is 1 if removed, 0 if it was not there. */
intset *intset_remove(intset *is, int64_t value, int *success);
/* 1 if value is a member, else 0. O(log n). */
int intset_find(const intset *is, int64_t value);
/* A member chosen with libc's random() (the process-wide generator, as
 * Redis does). is must not be empty. */
int64_t intset_random(const intset *is);
/* Member at position pos (0 = smallest) into *value: 0, or -1 if pos is
 * out of range. */
int intset_get(const intset *is, uint32_t pos, int64_t *value);
/* Number of members. */
uint32_t intset_len(const intset *is);
/* Size of the whole blob in bytes (header included). */
size_t intset_blob_len(const intset *is);
/* Largest / smallest member; is must not be empty. */
int64_t intset_max(const intset *is);
int64_t intset_min(const intset *is);
/* Checks a blob of size bytes read from outside (RDB, RESTORE): known
 * encoding, length consistent with size, not empty (Redis never saves an
 * empty set); deep also checks strictly ascending order. Never reads
 * outside [bytes, bytes + size). Returns 0 if valid, -1 if not; a valid blob
 * copied into zmalloc memory may be used as an intset. */
int intset_validate_integrity(const unsigned char *bytes, size_t size, int deep);

#endif
