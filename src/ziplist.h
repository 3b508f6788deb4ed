/* ziplist.h -- reading the "ziplist" encoding that Redis 2.6 to 6.2 wrote
 * into RDB files (small lists, hashes and sorted sets, and the nodes of
 * quicklists), and converting one into a listpack, today's encoding.
 * minired never writes ziplists: this is a loader for old dumps only.
 *
 * Layout (all header integers little endian):
 *   <zlbytes u32> <zltail u32> <zllen u16> <entry>... <0xFF>
 * zlbytes is the whole blob, zltail the offset of the last entry (or of
 * the terminator when empty), zllen the entry count (65535: "walk to
 * count"). An entry is <prevlen> <encoding> <data>:
 *   prevlen   size of the previous entry: one byte 0..253, or 0xFE then
 *             a u32 (a writer may use the long form for small values)
 *   00pppppp                         string of up to 63 bytes
 *   01pppppp qqqqqqqq                string, 14-bit big-endian length
 *   10000000 + 4 bytes               string, 32-bit big-endian length
 *   0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8 (LE, signed)
 *   0xF1..0xFD                       the integer 0..12 with no data byte
 *
 * Library code (L0): no server headers, no logging. Blobs come from
 * outside, so nothing here walks one that zl_validate_* has not passed. */
#ifndef MINIRED_ZIPLIST_H
#define MINIRED_ZIPLIST_H

#include <stddef.h>
#include <stdint.h>

/* zlbytes + zltail + zllen. */
#define ZL_HDR_BYTES 10
/* The terminator byte (also never the first byte of an entry). */
#define ZL_END 0xFF
/* zllen value meaning "65535 or more entries: walk to count". */
#define ZL_COUNT_UNKNOWN 65535

/* One entry's value: a string (str != NULL, len bytes, borrowed from the
 * blob) or an integer (str == NULL, ival). */
typedef struct zl_value {
    const unsigned char *str;
    uint32_t len;
    int64_t ival;
} zl_value;

/* Called by zl_validate_entries for each entry once its bounds are proven;
 * returns 0 to go on, -1 to declare the blob invalid. */
typedef int zl_entry_cb(const zl_value *v, unsigned long index, void *userdata);

/* ------------------------------------------------------------ validation */

/* Checks a blob of size bytes. Shallow: header, zlbytes == size, the
 * terminator, zltail in range. Deep: also every entry's encoding and
 * bounds, each prevlen against the entry before it, zltail against the
 * last entry and zllen against the count. Never reads outside
 * [zl, zl + size). Returns 0 if valid, -1 if not. */
int zl_validate_integrity(const unsigned char *zl, size_t size, int deep);
/* Deep validation that also calls cb (may be NULL) on each entry. */
int zl_validate_entries(const unsigned char *zl, size_t size, zl_entry_cb *cb, void *userdata);

/* ------------------------------------------------------------ walking
 * Only on a blob that passed deep validation. Pointers borrow zl. */

/* The first entry, or NULL if there is none. */
const unsigned char *zl_first(const unsigned char *zl);
/* The entry after p, or NULL after the last. */
const unsigned char *zl_next(const unsigned char *p);
/* Reads the entry at p into *v. */
void zl_get(const unsigned char *p, zl_value *v);
/* Number of entries (walks when zllen says unknown). */
unsigned long zl_length(const unsigned char *zl);

/* ------------------------------------------------------------ conversion */

/* Validates the blob deeply and returns a new listpack holding the same
 * entries in order (integers stay integers), or NULL if the blob is
 * invalid or the listpack would pass LP_MAX_SAFE_BYTES. */
unsigned char *zl_to_listpack(const unsigned char *zl, size_t size);
/* Same for a blob of field/value (hash) or member/score (sorted set)
 * pairs: also refuses an odd count or a repeated field. *maxlen (may be
 * NULL) gets the longest string among all entries (integers count by
 * their decimal text). */
unsigned char *zl_pairs_to_listpack(const unsigned char *zl, size_t size, size_t *maxlen);

#endif
