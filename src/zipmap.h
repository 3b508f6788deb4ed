/* zipmap.h -- reading the "zipmap" encoding of small hashes that Redis 2.4
 * and older wrote into RDB files (type 9), and converting one into a
 * listpack of field/value pairs. minired never writes zipmaps.
 *
 * Layout: <count u8> (<len> field <len> <free u8> value <free bytes>)... <0xFF>
 * count is the number of pairs when below 254 (254: walk to count). A
 * <len> is one byte 0..253, or 254 followed by a u32 (little endian, as
 * every Redis that wrote zipmaps ran on). <free> unused bytes may follow a
 * value (room left by an update in place).
 *
 * Library code (L0): no server headers, no logging. Nothing here walks a
 * blob that zm_validate_integrity has not passed. */
#ifndef MINIRED_ZIPMAP_H
#define MINIRED_ZIPMAP_H

#include <stddef.h>
#include <stdint.h>

/* The terminator byte. */
#define ZM_END 0xFF
/* count value meaning "254 or more pairs: walk to count"; as a length
 * byte, "a u32 length follows". */
#define ZM_BIGLEN 254

/* Checks a blob of size bytes. Shallow: at least the count byte and the
 * terminator, and the last byte is the terminator. Deep: also every
 * length, free count and byte range, that the pairs end exactly at the
 * terminator, and the count. Never reads outside [zm, zm + size).
 * Returns 0 if valid, -1 if not. */
int zm_validate_integrity(const unsigned char *zm, size_t size, int deep);

/* Walking a deeply validated blob (pointers borrow zm): zm_rewind gives
 * the position of the first pair; zm_next reads the pair there and returns
 * the position after it, or NULL (nothing read) at the end. */
const unsigned char *zm_rewind(const unsigned char *zm);
const unsigned char *zm_next(const unsigned char *pos, const unsigned char **field, uint32_t *flen,
                             const unsigned char **value, uint32_t *vlen);
/* Number of pairs (walks when the count byte says unknown). */
unsigned long zm_length(const unsigned char *zm);

/* Validates deeply and returns a new listpack of field, value, field,
 * value..., or NULL if the blob is invalid, a field repeats, or the
 * listpack would pass LP_MAX_SAFE_BYTES. *maxlen (may be NULL) gets the
 * longest field or value. */
unsigned char *zm_to_listpack(const unsigned char *zm, size_t size, size_t *maxlen);

#endif
