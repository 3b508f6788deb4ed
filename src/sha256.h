#ifndef MINIRED_SHA256_H
#define MINIRED_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_BYTES 32
#define SHA256_HEX_CHARS 64

typedef struct sha256_ctx {
    uint32_t state[8];
    uint64_t bitlen;
    unsigned char block[64];
    size_t blocklen;
} sha256_ctx;

void sha256_init(sha256_ctx *ctx);
void sha256_update(sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(sha256_ctx *ctx, unsigned char out[SHA256_DIGEST_BYTES]);
/* Writes the lower-case hex digest of data plus a NUL into out (65 bytes). */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_CHARS + 1]);

#endif
