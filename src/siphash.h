/* siphash.h -- keyed SipHash for the dict library (private to L0).
 *
 * dict.c hashes every key with SipHash-1-2 (one compression round per
 * 8-byte word, two finalization rounds): weaker than the 2-4 of the paper
 * but fast on short keys, and still keyed, which is all flood resistance
 * needs. siphash_rounds exists so the shared round code can be checked
 * against the published SipHash-2-4 reference vectors. */
#ifndef MINIRED_SIPHASH_H
#define MINIRED_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_BYTES 16

/* SipHash-1-2 of len bytes at in (borrows both) under a 16-byte key. */
uint64_t siphash_1_2(const uint8_t *in, size_t len, const uint8_t key[SIPHASH_KEY_BYTES]);
/* Same, as if every ASCII upper-case byte of in were lower-case. */
uint64_t siphash_1_2_nocase(const uint8_t *in, size_t len, const uint8_t key[SIPHASH_KEY_BYTES]);
/* Generic SipHash-c-d (c compression, d finalization rounds); for tests. */
uint64_t siphash_rounds(const uint8_t *in, size_t len, const uint8_t key[SIPHASH_KEY_BYTES],
                        int c_rounds, int d_rounds);

#endif
