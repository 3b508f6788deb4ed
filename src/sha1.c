/* sha1.c -- SHA-1 as FIPS 180-4 specifies it: 512-bit blocks, eighty
 * rounds in four groups of twenty, big-endian words, and a final block
 * padded with 0x80, zeros and the message length in bits.
 *
 * Owns nothing but the caller's context; never allocates. The invariant:
 * ctx->block holds ctx->block_used (< 64) bytes not yet compressed. */
#include <string.h>

#include "sha1.h"

/* The four round constants: floor(2^30 * sqrt(2, 3, 5, 10)). */
#define SHA1_K0 0x5a827999u
#define SHA1_K1 0x6ed9eba1u
#define SHA1_K2 0x8f1bbcdcu
#define SHA1_K3 0xca62c1d6u
#define SHA1_ROUNDS 80
#define SHA1_LENGTH_BYTES 8 /* the bit count that ends the padding */

static uint32_t rol32(uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Folds one 64-byte block into the state. */
static void sha1_compress(uint32_t state[5], const unsigned char *block) {
    uint32_t w[SHA1_ROUNDS];
    for (int t = 0; t < 16; t++) w[t] = load_be32(block + 4 * t);
    for (int t = 16; t < SHA1_ROUNDS; t++) w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

    uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
    for (int t = 0; t < SHA1_ROUNDS; t++) {
        uint32_t f, k;
        if (t < 20) {
            f = (b & c) | (~b & d); /* choose */
            k = SHA1_K0;
        } else if (t < 40) {
            f = b ^ c ^ d; /* parity */
            k = SHA1_K1;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d); /* majority */
            k = SHA1_K2;
        } else {
            f = b ^ c ^ d;
            k = SHA1_K3;
        }
        uint32_t tmp = rol32(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = tmp;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
}

void sha1_init(sha1_ctx *ctx) {
    /* The initial hash value of FIPS 180-4, section 5.3.1. */
    ctx->state[0] = 0x67452301u;
    ctx->state[1] = 0xefcdab89u;
    ctx->state[2] = 0x98badcfeu;
    ctx->state[3] = 0x10325476u;
    ctx->state[4] = 0xc3d2e1f0u;
    ctx->total_bytes = 0;
    ctx->block_used = 0;
}

void sha1_update(sha1_ctx *ctx, const void *data, size_t len) {
    const unsigned char *p = data;
    ctx->total_bytes += len;
    if (ctx->block_used) {
        size_t take = SHA1_BLOCK_BYTES - ctx->block_used;
        if (take > len) take = len;
        memcpy(ctx->block + ctx->block_used, p, take);
        ctx->block_used += take;
        p += take;
        len -= take;
        if (ctx->block_used < SHA1_BLOCK_BYTES) return;
        sha1_compress(ctx->state, ctx->block);
        ctx->block_used = 0;
    }
    /* Whole blocks straight from the input, without copying. */
    for (; len >= SHA1_BLOCK_BYTES; p += SHA1_BLOCK_BYTES, len -= SHA1_BLOCK_BYTES) sha1_compress(ctx->state, p);
    if (len) {
        memcpy(ctx->block, p, len);
        ctx->block_used = len;
    }
}

void sha1_final(sha1_ctx *ctx, unsigned char out[SHA1_DIGEST_BYTES]) {
    uint64_t bits = ctx->total_bytes * 8;
    ctx->block[ctx->block_used++] = 0x80;
    /* No room for the length: pad this block out and start another. */
    if (ctx->block_used > SHA1_BLOCK_BYTES - SHA1_LENGTH_BYTES) {
        memset(ctx->block + ctx->block_used, 0, SHA1_BLOCK_BYTES - ctx->block_used);
        sha1_compress(ctx->state, ctx->block);
        ctx->block_used = 0;
    }
    memset(ctx->block + ctx->block_used, 0, SHA1_BLOCK_BYTES - SHA1_LENGTH_BYTES - ctx->block_used);
    store_be32(ctx->block + SHA1_BLOCK_BYTES - 8, (uint32_t)(bits >> 32));
    store_be32(ctx->block + SHA1_BLOCK_BYTES - 4, (uint32_t)bits);
    sha1_compress(ctx->state, ctx->block);
    for (int i = 0; i < 5; i++) store_be32(out + 4 * i, ctx->state[i]);
    memset(ctx, 0, sizeof(*ctx));
}

void sha1(const void *data, size_t len, unsigned char out[SHA1_DIGEST_BYTES]) {
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, data, len);
    sha1_final(&ctx, out);
}

void sha1_to_hex(const unsigned char digest[SHA1_DIGEST_BYTES], char hex[2 * SHA1_DIGEST_BYTES + 1]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA1_DIGEST_BYTES; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0xf];
    }
    hex[2 * SHA1_DIGEST_BYTES] = '\0';
}
