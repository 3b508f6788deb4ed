/* lzf.c -- LZF compression and decompression (format in lzf.h).
 *
 * The compressor hashes every 3-byte window into a table of the last
 * position seen with that hash and emits a back reference when the bytes
 * there really match; it reproduces liblzf's decisions (hash function,
 * match length limits, output-space checks, the two positions rehashed
 * after a match) so RDB files match Redis's byte for byte. The table is
 * zeroed, where liblzf leaves it uninitialized: position 0 is never a
 * match source in either, so zero means "no earlier position". The
 * decompressor trusts nothing: each run is bounds-checked against both
 * buffers before a byte moves. */
#include "lzf.h"

#include <stdint.h>
#include <string.h>

#define LZF_HASH_LOG 16
#define LZF_HASH_SIZE (1u << LZF_HASH_LOG)
#define LZF_MAX_LITERAL 32               /* bytes in one literal run */
#define LZF_MAX_OFFSET 8192              /* farthest back reference */
#define LZF_MAX_REF_LEN ((1 << 8) + (1 << 3)) /* longest match, minus 2 */

static inline uint32_t lzf_first(const unsigned char *p) {
    return (uint32_t)p[0] << 8 | p[1];
}

static inline uint32_t lzf_next(uint32_t v, const unsigned char *p) {
    return v << 8 | p[2];
}

static inline uint32_t lzf_index(uint32_t h) {
    return ((h >> (3 * 8 - LZF_HASH_LOG)) - h * 5) & (LZF_HASH_SIZE - 1);
}

/* The hash table: for each hash, the last input offset seen with it. A
 * zeroed table per call would cost a 256 KB memset for every short string,
 * so each slot carries the call's generation in its high half and a slot
 * from an older call reads as 0 ("none"). */
static __thread uint64_t lzf_htab[LZF_HASH_SIZE];
static __thread uint32_t lzf_generation;

static void lzf_table_begin(void) {
    if (++lzf_generation == 0) { /* wrapped: old tags could match again */
        memset(lzf_htab, 0, sizeof(lzf_htab));
        lzf_generation = 1;
    }
}

static inline uint32_t lzf_table_get(uint32_t slot) {
    uint64_t e = lzf_htab[slot];
    return (uint32_t)(e >> 32) == lzf_generation ? (uint32_t)e : 0;
}

static inline void lzf_table_set(uint32_t slot, uint32_t offset) {
    lzf_htab[slot] = (uint64_t)lzf_generation << 32 | offset;
}

/* Length of the match of ip against ref, both known equal for 3 bytes,
 * bounded as liblzf bounds it (maxlen; the unrolled 16-byte first stride
 * may pass maxlen by up to 2 bytes, all of them verified). */
static size_t lzf_match_len(const unsigned char *ref, const unsigned char *ip, size_t maxlen) {
    size_t len = 2;
    if (maxlen > 16) {
        for (int i = 0; i < 16; i++) {
            len++;
            if (ref[len] != ip[len]) return len;
        }
    }
    do {
        len++;
    } while (len < maxlen && ref[len] == ip[len]);
    return len;
}

size_t lzf_compress(const void *in_data, size_t in_len, void *out_data, size_t out_len) {
    const unsigned char *in = in_data, *ip = in, *in_end = in + in_len;
    unsigned char *out = out_data, *op = out, *out_end = out + out_len;
    size_t lit = 0;

    if (in_len == 0 || out_len == 0 || in_len > UINT32_MAX) return 0;
    lzf_table_begin();
    op++; /* room for the first literal run's control byte */
    uint32_t hval = in_len >= 2 ? lzf_first(ip) : 0;
    while (in_len >= 3 && ip < in_end - 2) {
        hval = lzf_next(hval, ip);
        uint32_t slot = lzf_index(hval);
        const unsigned char *ref = in + lzf_table_get(slot);
        lzf_table_set(slot, (uint32_t)(ip - in));
        size_t off = (size_t)(ip - ref - 1); /* wraps huge when ref >= ip: refused below */
        if (ref > in && off < LZF_MAX_OFFSET && ref[2] == ip[2] && ref[0] == ip[0] && ref[1] == ip[1]) {
            size_t maxlen = (size_t)(in_end - ip) - 2;
            if (maxlen > LZF_MAX_REF_LEN) maxlen = LZF_MAX_REF_LEN;
            if (op + 3 + 1 >= out_end && op - !lit + 3 + 1 >= out_end) return 0;
            op[-(long)lit - 1] = (unsigned char)(lit - 1); /* close the literal run */
            op -= !lit;                                    /* or drop it if empty */
            size_t len = lzf_match_len(ref, ip, maxlen) - 2;
            ip++;
            if (len < 7) {
                *op++ = (unsigned char)((off >> 8) + (len << 5));
            } else {
                *op++ = (unsigned char)((off >> 8) + (7 << 5));
                *op++ = (unsigned char)(len - 7);
            }
            *op++ = (unsigned char)off;
            lit = 0;
            op++; /* the next literal run's control byte */
            ip += len + 1;
            if (ip >= in_end - 2) break;
            /* Rehash the last two positions of the match, as liblzf's
             * "very fast" mode does, so the next search sees them. */
            ip -= 2;
            hval = lzf_first(ip);
            hval = lzf_next(hval, ip);
            lzf_table_set(lzf_index(hval), (uint32_t)(ip - in));
            ip++;
            hval = lzf_next(hval, ip);
            lzf_table_set(lzf_index(hval), (uint32_t)(ip - in));
            ip++;
        } else {
            if (op >= out_end) return 0;
            lit++;
            *op++ = *ip++;
            if (lit == LZF_MAX_LITERAL) {
                op[-(long)lit - 1] = (unsigned char)(lit - 1);
                lit = 0;
                op++;
            }
        }
    }
    if (op + 3 > out_end) return 0; /* at most 3 literal bytes remain */
    while (ip < in_end) {
        lit++;
        *op++ = *ip++;
        if (lit == LZF_MAX_LITERAL) {
            op[-(long)lit - 1] = (unsigned char)(lit - 1);
            lit = 0;
            op++;
        }
    }
    op[-(long)lit - 1] = (unsigned char)(lit - 1);
    op -= !lit;
    return (size_t)(op - out);
}

size_t lzf_decompress(const void *in_data, size_t in_len, void *out_data, size_t out_len) {
    const unsigned char *ip = in_data, *in_end = ip + in_len;
    unsigned char *out = out_data, *op = out, *out_end = out + out_len;

    while (ip < in_end) {
        unsigned int ctrl = *ip++;
        if (ctrl < LZF_MAX_LITERAL) {
            size_t n = ctrl + 1;
            if ((size_t)(out_end - op) < n || (size_t)(in_end - ip) < n) return 0;
            memcpy(op, ip, n);
            op += n;
            ip += n;
            continue;
        }
        size_t len = ctrl >> 5;
        if (len == 7) {
            if (ip >= in_end) return 0;
            len += *ip++;
        }
        if (ip >= in_end) return 0;
        size_t back = ((size_t)(ctrl & 0x1f) << 8 | *ip++) + 1;
        len += 2;
        if ((size_t)(op - out) < back || (size_t)(out_end - op) < len) return 0;
        const unsigned char *ref = op - back;
        /* Byte by byte: an overlapping reference repeats what it copies. */
        while (len--) *op++ = *ref++;
    }
    return (size_t)(op - out);
}
