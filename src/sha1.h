/* sha1.h -- SHA-1 (FIPS 180-4) for digests that must match Redis's own:
 * DEBUG DIGEST and DEBUG DIGEST-VALUE mix SHA-1 hashes of keys and values,
 * and two servers are compared by those hex strings. Not used for any
 * security purpose (SHA-1 is broken for collision resistance).
 *
 * Library code (L0): no server headers, no globals. */
#ifndef MINIRED_SHA1_H
#define MINIRED_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_BYTES 20
#define SHA1_BLOCK_BYTES 64

typedef struct sha1_ctx {
    uint32_t state[5];
    uint64_t total_bytes;               /* message length so far */
    unsigned char block[SHA1_BLOCK_BYTES]; /* bytes waiting for a full block */
    size_t block_used;
} sha1_ctx;

void sha1_init(sha1_ctx *ctx);
/* Borrows data: hashes len more bytes of the message. */
void sha1_update(sha1_ctx *ctx, const void *data, size_t len);
/* Pads, writes the 20-byte digest to out and leaves ctx unusable until
 * sha1_init. */
void sha1_final(sha1_ctx *ctx, unsigned char out[SHA1_DIGEST_BYTES]);
/* One-shot: the digest of len bytes at data. */
void sha1(const void *data, size_t len, unsigned char out[SHA1_DIGEST_BYTES]);
/* Writes the 40 lower-case hex digits of a digest and a NUL to hex. */
void sha1_to_hex(const unsigned char digest[SHA1_DIGEST_BYTES], char hex[2 * SHA1_DIGEST_BYTES + 1]);

#endif
