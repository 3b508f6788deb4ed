/* hll.h -- HyperLogLog registers as Redis 7.0 stores them in a string value
 * (library code, L0: no server header, no globals).
 *
 * A value is a 16-byte header followed by the registers:
 *   bytes 0-3   "HYLL"
 *   byte  4     encoding: HLL_DENSE (0) or HLL_SPARSE (1)
 *   bytes 5-7   unused, zero
 *   bytes 8-15  cached cardinality, little endian; the top bit of byte 15
 *               set means "stale, recompute"
 * 16384 registers of 6 bits each. Dense: the registers packed LSB first,
 * 12288 bytes. Sparse: a run-length sequence of opcodes,
 *   ZERO   00xxxxxx           1-64 zero registers
 *   XZERO  01xxxxxx yyyyyyyy  1-16384 zero registers (14-bit length - 1)
 *   VAL    1vvvvvxx           1-4 registers of value 1-32
 * promoted to dense when a register needs a value over 32 or the value
 * would grow past the configured sparse limit. Every function here works
 * on the bytes exactly as Redis writes them, so values move between the
 * two servers unchanged (RDB, DUMP, GET/SET). */
#ifndef MINIRED_HLL_H
#define MINIRED_HLL_H

#include <stddef.h>
#include <stdint.h>

#include "sds.h"

#define HLL_P 14                          /* index bits */
#define HLL_Q (64 - HLL_P)                /* bits left for the run length */
#define HLL_REGISTERS (1 << HLL_P)        /* 16384 */
#define HLL_BITS 6                        /* bits per dense register */
#define HLL_REGISTER_MAX ((1 << HLL_BITS) - 1)
#define HLL_HDR_SIZE 16
#define HLL_DENSE_SIZE (HLL_HDR_SIZE + (HLL_REGISTERS * HLL_BITS + 7) / 8)
#define HLL_DENSE 0
#define HLL_SPARSE 1
#define HLL_SPARSE_VAL_MAX_VALUE 32
#define HLL_SPARSE_MAX_BYTES_DEFAULT 3000 /* hll-sparse-max-bytes */
/* The seed Redis hashes elements with (MurmurHash64A). */
#define HLL_HASH_SEED 0xadc83b19ULL

/* 64-bit MurmurHash2 (MurmurHash64A) of len bytes with seed. */
uint64_t hll_murmur64a(const void *key, size_t len, uint64_t seed);
/* The register an element lands in (*index) and the value it offers
 * there (the run of zero bits + 1, 1..HLL_Q+1). */
int hll_pattern(const void *ele, size_t len, long *index);

/* Returns a new empty sparse value (one XZERO run, cached count 0). */
sds hll_create(void);
/* 0 when p/len is a value the HLL commands accept (magic, known
 * encoding, dense of the exact size), -1 otherwise: Redis's "not a valid
 * HyperLogLog string value". Sparse bodies are checked only as used. */
int hll_check(const unsigned char *p, size_t len);
static inline int hll_encoding(const unsigned char *p) { return p[4]; }

/* The cached cardinality: valid when byte 15's top bit is clear. */
static inline int hll_cache_valid(const unsigned char *p) { return (p[15] & 0x80) == 0; }
uint64_t hll_cache_get(const unsigned char *p);
void hll_cache_set(unsigned char *p, uint64_t card);
/* Marks the cache stale, leaving its other bits as they are (as Redis). */
static inline void hll_cache_invalidate(unsigned char *p) { p[15] |= 0x80; }

/* Adds an element to *s (may reallocate it; sparse_max is
 * hll-sparse-max-bytes). Returns 1 if a register grew, 0 if not, -1 if
 * the value is corrupt. A sparse edit marks the cache stale; a dense one
 * does not: the caller marks it stale after its batch. */
int hll_add(sds *s, const void *ele, size_t len, size_t sparse_max);
/* Raises register index to count if lower; same returns as hll_add. */
int hll_set(sds *s, long index, int count, size_t sparse_max);
/* Converts a sparse *s to dense (header and cache kept). Returns 0 (also
 * when already dense) or -1 when the sparse body is corrupt (*s intact). */
int hll_to_dense(sds *s);

/* max[i] = MAX(max[i], register i of p) for every register. Returns -1
 * for a corrupt sparse body (max may be partly updated). */
int hll_merge(uint8_t *max, const unsigned char *p, size_t len);
/* The estimate from the registers of p (ignores the cache). *invalid is
 * set to 1 for a corrupt sparse body. */
uint64_t hll_count(const unsigned char *p, size_t len, int *invalid);
/* The estimate from HLL_REGISTERS one-byte registers. */
uint64_t hll_count_raw(const uint8_t *regs);
/* Writes the HLL_REGISTERS register values of a dense body to out. */
void hll_dense_registers(const unsigned char *p, uint8_t *out);

/* The sparse opcodes as text ("Z:16384 v:2,1 z:3 ..."), PFDEBUG DECODE's
 * reply. Returns new. */
sds hll_sparse_describe(const unsigned char *p, size_t len);
/* Internal consistency checks (PFSELFTEST). Returns 0, or -1 with a
 * message in err. */
int hll_selftest(char *err, size_t errlen);

#endif
