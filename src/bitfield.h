/* bitfield.h -- pure bit arithmetic on byte strings, the math under SETBIT,
 * GETBIT, BITCOUNT, BITPOS, BITOP and BITFIELD.
 *
 * Bits are numbered as Redis numbers them: bit 0 is the most significant
 * bit of byte 0. Fields are big-endian (their first bit is their most
 * significant). Nothing here allocates, replies or touches a global. */
#ifndef MINIRED_BITFIELD_H
#define MINIRED_BITFIELD_H

#include <stddef.h>
#include <stdint.h>

#define BITFIELD_MAX_SIGNED_BITS 64
#define BITFIELD_MAX_UNSIGNED_BITS 63

/* What BITFIELD does when SET or INCRBY leaves the field's range. */
typedef enum { BITFIELD_WRAP, BITFIELD_SAT, BITFIELD_FAIL } bitfield_overflow;

/* Direction of an out-of-range result (bitfield_add_* return value). */
#define BITFIELD_IN_RANGE 0
#define BITFIELD_ABOVE 1
#define BITFIELD_BELOW (-1)

typedef enum { BITFIELD_OP_AND, BITFIELD_OP_OR, BITFIELD_OP_XOR, BITFIELD_OP_NOT } bitfield_op;

/* ------------------------------------------------------------ parsing */

/* Parses a field type "i<bits>" (1..64) or "u<bits>" (1..63), lower-case
 * letter, strict decimal. Returns 0 and fills *is_signed / *bits, or -1. */
int bitfield_parse_type(const char *s, size_t len, int *is_signed, int *bits);

/* Parses a bit offset: a strict decimal, or "#N" meaning N * hash_bits
 * when hash_bits > 0 (multiplied modulo 2^64, as Redis does). Refuses
 * negative offsets and offsets whose byte index is >= max_bytes. Returns 0
 * and sets *offset, or -1. */
int bitfield_parse_offset(const char *s, size_t len, int hash_bits, long long max_bytes, uint64_t *offset);

/* Turns a user range start..end (negative counts from the end) over a
 * string of len bytes, in bytes or (in_bits) bits, into an inclusive bit
 * range [*first_bit, *last_bit], clamping it to the string as Redis does.
 * Returns 0 if the range is empty, 1 otherwise. */
int bitfield_range(long long start, long long end, size_t len, int in_bits, uint64_t *first_bit,
                   uint64_t *last_bit);

/* ------------------------------------------------------------ fields */

/* Reads the bits-wide field at bit offset of p (len bytes; bits past the
 * end read as 0). bits: 1..64 unsigned, 1..64 signed (sign-extended). */
uint64_t bitfield_get_unsigned(const unsigned char *p, size_t len, uint64_t offset, int bits);
int64_t bitfield_get_signed(const unsigned char *p, size_t len, uint64_t offset, int bits);
/* Writes the low bits of value at bit offset; p must hold the whole field. */
void bitfield_set(unsigned char *p, uint64_t offset, int bits, uint64_t value);

/* value + incr for an unsigned field of bits (1..63) width. value may lie
 * outside the field's range (SET passes its argument with incr 0). Returns
 * BITFIELD_IN_RANGE, _ABOVE or _BELOW; *result gets the value to store:
 * the sum, or wrapped (WRAP), or clamped (SAT); with FAIL it is value when
 * out of range. */
int bitfield_add_unsigned(uint64_t value, int64_t incr, int bits, bitfield_overflow mode, uint64_t *result);
/* The same for a signed field of bits (1..64) width. */
int bitfield_add_signed(int64_t value, int64_t incr, int bits, bitfield_overflow mode, int64_t *result);

/* ------------------------------------------------------------ strings */

/* Number of set bits in len bytes of p (the CPU's POPCNT when it has one). */
uint64_t bitfield_popcount(const void *p, size_t len);
/* The same without POPCNT: what other CPUs run (exposed for the tests). */
uint64_t bitfield_popcount_portable(const void *p, size_t len);
/* Number of set bits in the inclusive bit range of p (p must hold it). */
uint64_t bitfield_count_range(const unsigned char *p, uint64_t first_bit, uint64_t last_bit);
/* Position of the first bit equal to bit (0 or 1) in the inclusive bit
 * range of p (p must hold it), or -1 when there is none. */
long long bitfield_find(const unsigned char *p, uint64_t first_bit, uint64_t last_bit, int bit);

/* Writes op over n sources into dst (len bytes: the longest source's
 * length). Shorter sources count as zero-padded. NOT takes one source.
 * dst must not overlap any source. */
void bitfield_combine(bitfield_op op, unsigned char *dst, size_t len, const unsigned char *const *src,
                      const size_t *src_len, size_t n);

#endif
