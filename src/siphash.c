/* siphash.c -- SipHash-c-d (Aumasson & Bernstein), written from the paper.
 *
 * Owns nothing but pure functions: no globals, no allocation. The key and
 * the input are read byte by byte, so any alignment and either endianness
 * give the same little-endian result the specification defines. The nocase
 * form folds A-Z to a-z while reading, so "FOO" and "foo" hash the same
 * without a temporary copy. */
#include "siphash.h"

#include <string.h>

/* The four initialization constants: "somepseudorandomlygeneratedbytes". */
#define SIP_INIT_V0 0x736f6d6570736575ULL
#define SIP_INIT_V1 0x646f72616e646f6dULL
#define SIP_INIT_V2 0x6c7967656e657261ULL
#define SIP_INIT_V3 0x7465646279746573ULL
#define SIP_FINAL_XOR 0xffULL /* xored into v2 before finalization */
#define SIP_WORD_BYTES 8

typedef struct sip_state {
    uint64_t v0, v1, v2, v3;
} sip_state;

static inline uint64_t rotl64(uint64_t x, int b) {
    return (x << b) | (x >> (64 - b));
}

static inline void sip_round(sip_state *s) {
    s->v0 += s->v1; s->v1 = rotl64(s->v1, 13); s->v1 ^= s->v0; s->v0 = rotl64(s->v0, 32);
    s->v2 += s->v3; s->v3 = rotl64(s->v3, 16); s->v3 ^= s->v2;
    s->v0 += s->v3; s->v3 = rotl64(s->v3, 21); s->v3 ^= s->v0;
    s->v2 += s->v1; s->v1 = rotl64(s->v1, 17); s->v1 ^= s->v2; s->v2 = rotl64(s->v2, 32);
}

static inline uint8_t fold_byte(uint8_t c, int nocase) {
    return (nocase && c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Little-endian load of n <= 8 bytes (n < 8: the high bytes stay zero). */
/* Lower-cases the ASCII letters of all eight bytes of w at once. */
static inline uint64_t fold_word(uint64_t w) {
    uint64_t out = 0;
    for (int i = 0; i < SIP_WORD_BYTES; i++)
        out |= (uint64_t)fold_byte((uint8_t)(w >> (8 * i)), 1) << (8 * i);
    return out;
}

static inline uint64_t load_le(const uint8_t *p, size_t n, int nocase) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Whole words: one unaligned load instead of eight byte loads. */
    if (n == SIP_WORD_BYTES) {
        uint64_t w;
        memcpy(&w, p, sizeof(w));
        return nocase ? fold_word(w) : w;
    }
#endif
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) w |= (uint64_t)fold_byte(p[i], nocase) << (8 * i);
    return w;
}

static inline void sip_absorb(sip_state *s, uint64_t m, int c_rounds) {
    s->v3 ^= m;
    for (int i = 0; i < c_rounds; i++) sip_round(s);
    s->v0 ^= m;
}

/* Always inlined so the public wrappers get the loops unrolled for their
 * constant round counts and their constant nocase flag. */
static inline __attribute__((always_inline)) uint64_t
sip_core(const uint8_t *in, size_t len, const uint8_t key[SIPHASH_KEY_BYTES],
         int c_rounds, int d_rounds, int nocase) {
    uint64_t k0 = load_le(key, SIP_WORD_BYTES, 0);
    uint64_t k1 = load_le(key + SIP_WORD_BYTES, SIP_WORD_BYTES, 0);
    sip_state s = {k0 ^ SIP_INIT_V0, k1 ^ SIP_INIT_V1, k0 ^ SIP_INIT_V2, k1 ^ SIP_INIT_V3};
    size_t tail = len % SIP_WORD_BYTES;
    size_t whole = len - tail;

    /* Indexes rather than pointer bumps: in may be NULL when len is 0. */
    for (size_t off = 0; off < whole; off += SIP_WORD_BYTES)
        sip_absorb(&s, load_le(in + off, SIP_WORD_BYTES, nocase), c_rounds);

    /* Last word: the remaining bytes, with the length (mod 256) on top. */
    sip_absorb(&s, (tail ? load_le(in + whole, tail, nocase) : 0) | ((uint64_t)len << 56),
               c_rounds);

    s.v2 ^= SIP_FINAL_XOR;
    for (int i = 0; i < d_rounds; i++) sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t siphash_1_2(const uint8_t *in, size_t len, const uint8_t key[SIPHASH_KEY_BYTES]) {
    return sip_core(in, len, key, 1, 2, 0);
}

uint64_t siphash_1_2_nocase(const uint8_t *in, size_t len, const uint8_t key[SIPHASH_KEY_BYTES]) {
    return sip_core(in, len, key, 1, 2, 1);
}

uint64_t siphash_rounds(const uint8_t *in, size_t len, const uint8_t key[SIPHASH_KEY_BYTES],
                        int c_rounds, int d_rounds) {
    return sip_core(in, len, key, c_rounds, d_rounds, 0);
}
