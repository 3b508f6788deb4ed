/* bitfield.c -- pure bit arithmetic on byte strings: offsets and types as
 * the bit commands parse them, big-endian fields with Redis's overflow
 * rules, population count, first-bit search and the BITOP kernels.
 *
 * Never allocates, replies, logs or touches a global. Key invariant: bit n
 * of a string is bit (7 - n % 8) of byte n / 8, and every range handed in
 * is already clamped to the buffer (callers go through bitfield_range). */
#include "bitfield.h"

#include <string.h>

#include "util.h"

#define BITS_PER_BYTE 8
#define WORD_BYTES 8

/* ------------------------------------------------------------ parsing */

int bitfield_parse_type(const char *s, size_t len, int *is_signed, int *bits) {
    long long n;
    if (len < 2 || (s[0] != 'i' && s[0] != 'u')) return -1;
    if (!string2ll(s + 1, len - 1, &n)) return -1;
    int sign = s[0] == 'i';
    int max = sign ? BITFIELD_MAX_SIGNED_BITS : BITFIELD_MAX_UNSIGNED_BITS;
    if (n < 1 || n > max) return -1;
    *is_signed = sign;
    *bits = (int)n;
    return 0;
}

int bitfield_parse_offset(const char *s, size_t len, int hash_bits, long long max_bytes, uint64_t *offset) {
    int use_hash = hash_bits > 0 && len > 0 && s[0] == '#';
    long long v;
    if (!string2ll(s + use_hash, len - (size_t)use_hash, &v)) return -1;
    /* Redis multiplies in 64 bits and lets it wrap: "#N" whose product
     * wraps to a small positive offset is accepted there, so here too. */
    if (use_hash) v = (long long)((uint64_t)v * (uint64_t)hash_bits);
    if (v < 0 || (v >> 3) >= max_bytes) return -1;
    *offset = (uint64_t)v;
    return 0;
}

int bitfield_range(long long start, long long end, size_t len, int in_bits, uint64_t *first_bit,
                   uint64_t *last_bit) {
    long long total = (long long)len * (in_bits ? BITS_PER_BYTE : 1);
    /* Adding a non-negative total to a negative index cannot overflow. */
    if (start < 0) start += total;
    if (end < 0) end += total;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= total) end = total - 1;
    if (start > end) return 0;
    if (in_bits) {
        *first_bit = (uint64_t)start;
        *last_bit = (uint64_t)end;
    } else {
        *first_bit = (uint64_t)start * BITS_PER_BYTE;
        *last_bit = (uint64_t)end * BITS_PER_BYTE + (BITS_PER_BYTE - 1);
    }
    return 1;
}

/* ------------------------------------------------------------ fields */

/* Fields are walked a byte-sized chunk at a time: at most 9 bytes for a
 * 64-bit field at an odd offset, so no wider arithmetic is needed. */
uint64_t bitfield_get_unsigned(const unsigned char *p, size_t len, uint64_t offset, int bits) {
    uint64_t v = 0, pos = offset;
    int left = bits;
    while (left > 0) {
        uint64_t byte = pos >> 3;
        int avail = BITS_PER_BYTE - (int)(pos & 7);
        int take = avail < left ? avail : left;
        unsigned b = byte < len ? p[byte] : 0;
        v = (v << take) | ((b >> (avail - take)) & ((1u << take) - 1));
        left -= take;
        pos += (uint64_t)take;
    }
    return v;
}

int64_t bitfield_get_signed(const unsigned char *p, size_t len, uint64_t offset, int bits) {
    uint64_t u = bitfield_get_unsigned(p, len, offset, bits);
    if (bits < 64 && (u >> (bits - 1)) & 1) u |= UINT64_MAX << bits;
    return (int64_t)u;
}

void bitfield_set(unsigned char *p, uint64_t offset, int bits, uint64_t value) {
    uint64_t pos = offset;
    int left = bits;
    while (left > 0) {
        uint64_t byte = pos >> 3;
        int avail = BITS_PER_BYTE - (int)(pos & 7);
        int take = avail < left ? avail : left;
        unsigned ones = (1u << take) - 1;
        unsigned chunk = (unsigned)(value >> (left - take)) & ones;
        int shift = avail - take;
        p[byte] = (unsigned char)((p[byte] & ~(ones << shift)) | (chunk << shift));
        left -= take;
        pos += (uint64_t)take;
    }
}

int bitfield_add_unsigned(uint64_t value, int64_t incr, int bits, bitfield_overflow mode, uint64_t *result) {
    uint64_t max = (UINT64_C(1) << bits) - 1;
    int dir = BITFIELD_IN_RANGE;
    if (value > max) {
        dir = BITFIELD_ABOVE; /* a SET argument too large, or negative */
    } else if (incr >= 0) {
        if ((uint64_t)incr > max - value) dir = BITFIELD_ABOVE;
    } else {
        uint64_t down = (uint64_t)(-(incr + 1)) + 1; /* |incr| without overflow */
        if (down > value) dir = BITFIELD_BELOW;
    }
    uint64_t sum = value + (uint64_t)incr;
    if (dir == BITFIELD_IN_RANGE) *result = sum;
    else if (mode == BITFIELD_WRAP) *result = sum & max;
    else if (mode == BITFIELD_SAT) *result = dir == BITFIELD_ABOVE ? max : 0;
    else *result = value;
    return dir;
}

int bitfield_add_signed(int64_t value, int64_t incr, int bits, bitfield_overflow mode, int64_t *result) {
    int64_t max = bits == 64 ? INT64_MAX : (int64_t)((UINT64_C(1) << (bits - 1)) - 1);
    int64_t min = -max - 1;
    int64_t sum;
    int dir = BITFIELD_IN_RANGE;
    if (__builtin_add_overflow(value, incr, &sum)) dir = incr > 0 ? BITFIELD_ABOVE : BITFIELD_BELOW;
    else if (sum > max) dir = BITFIELD_ABOVE;
    else if (sum < min) dir = BITFIELD_BELOW;
    if (dir == BITFIELD_IN_RANGE) {
        *result = sum;
    } else if (mode == BITFIELD_WRAP) {
        uint64_t u = (uint64_t)value + (uint64_t)incr;
        if (bits < 64) {
            u &= (UINT64_C(1) << bits) - 1;
            if ((u >> (bits - 1)) & 1) u |= UINT64_MAX << bits;
        }
        *result = (int64_t)u;
    } else if (mode == BITFIELD_SAT) {
        *result = dir == BITFIELD_ABOVE ? max : min;
    } else {
        *result = value;
    }
    return dir;
}

/* ------------------------------------------------------------ counting */

#if defined(__GNUC__) && defined(__x86_64__)
#define BITFIELD_HAVE_POPCNT_PATH 1
/* Built for the POPCNT instruction; only called when the CPU has it (the
 * default x86-64 target lacks it, and the generic builtin is a slow call). */
__attribute__((target("popcnt"))) static uint64_t popcount_hw(const unsigned char *s, size_t len) {
    uint64_t count = 0;
    while (len >= 4 * WORD_BYTES) {
        uint64_t w[4];
        memcpy(w, s, sizeof(w));
        count += (uint64_t)(__builtin_popcountll(w[0]) + __builtin_popcountll(w[1]) +
                            __builtin_popcountll(w[2]) + __builtin_popcountll(w[3]));
        s += sizeof(w);
        len -= sizeof(w);
    }
    while (len >= WORD_BYTES) {
        uint64_t w;
        memcpy(&w, s, sizeof(w));
        count += (uint64_t)__builtin_popcountll(w);
        s += WORD_BYTES;
        len -= WORD_BYTES;
    }
    while (len--) count += (uint64_t)__builtin_popcount(*s++);
    return count;
}
#endif

/* Bits set in one word by the parallel-sum method (pairs, nibbles, bytes,
 * then one multiply adds the eight byte counts into the top byte). */
static inline uint64_t popcount_word(uint64_t w) {
    w = w - ((w >> 1) & UINT64_C(0x5555555555555555));
    w = (w & UINT64_C(0x3333333333333333)) + ((w >> 2) & UINT64_C(0x3333333333333333));
    w = (w + (w >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
    return (w * UINT64_C(0x0101010101010101)) >> 56;
}

uint64_t bitfield_popcount_portable(const void *p, size_t len) {
    const unsigned char *s = p;
    uint64_t count = 0;
    while (len >= WORD_BYTES) {
        uint64_t w;
        memcpy(&w, s, sizeof(w));
        count += popcount_word(w);
        s += WORD_BYTES;
        len -= WORD_BYTES;
    }
    while (len--) count += popcount_word(*s++);
    return count;
}

uint64_t bitfield_popcount(const void *p, size_t len) {
#ifdef BITFIELD_HAVE_POPCNT_PATH
    if (__builtin_cpu_supports("popcnt")) return popcount_hw(p, len);
#endif
    return bitfield_popcount_portable(p, len);
}

uint64_t bitfield_count_range(const unsigned char *p, uint64_t first_bit, uint64_t last_bit) {
    uint64_t fb = first_bit >> 3, lb = last_bit >> 3;
    uint64_t count = bitfield_popcount(p + fb, (size_t)(lb - fb + 1));
    /* Take back the bits of the end bytes that lie outside the range. */
    unsigned before = (unsigned)p[fb] >> (BITS_PER_BYTE - (first_bit & 7));
    unsigned after = p[lb] & ((1u << (7 - (last_bit & 7))) - 1);
    return count - popcount_word(before) - popcount_word(after);
}

/* ------------------------------------------------------------ search */

static inline int bit_at(const unsigned char *p, uint64_t pos) {
    return (p[pos >> 3] >> (7 - (pos & 7))) & 1;
}

long long bitfield_find(const unsigned char *p, uint64_t first_bit, uint64_t last_bit, int bit) {
    uint64_t pos = first_bit;
    /* Bytes made only of the other bit value are skipped whole. */
    unsigned skip_byte = bit ? 0x00 : 0xff;
    uint64_t skip_word = bit ? 0 : UINT64_MAX;
    for (; pos <= last_bit && (pos & 7); pos++)
        if (bit_at(p, pos) == bit) return (long long)pos;
    /* Four words per step: one test for 32 bytes keeps long runs cheap. */
    while (pos + 4 * 64 - 1 <= last_bit) {
        uint64_t w[4];
        memcpy(w, p + (pos >> 3), sizeof(w));
        uint64_t any = bit ? (w[0] | w[1] | w[2] | w[3]) : (w[0] & w[1] & w[2] & w[3]);
        if (any != skip_word) break;
        pos += 4 * 64;
    }
    while (pos + 64 - 1 <= last_bit) {
        uint64_t w;
        memcpy(&w, p + (pos >> 3), sizeof(w));
        if (w != skip_word) break;
        pos += 64;
    }
    for (; pos + 7 <= last_bit; pos += BITS_PER_BYTE) {
        unsigned b = p[pos >> 3];
        if (b == skip_byte) continue;
        unsigned want = bit ? b : (~b & 0xffu);
        /* The first wanted bit is the highest set bit of `want`. */
        return (long long)(pos + (uint64_t)(__builtin_clz(want) - (int)(sizeof(unsigned) * 8 - 8)));
    }
    for (; pos <= last_bit; pos++)
        if (bit_at(p, pos) == bit) return (long long)pos;
    return -1;
}

/* ------------------------------------------------------------ BITOP */

/* dst[0..len) = a op b, a word at a time (a may be dst); the per-op loops
 * are kept apart so each stays a tight loop the compiler can vectorise. */
static void combine3(bitfield_op op, unsigned char *dst, const unsigned char *a, const unsigned char *b,
                     size_t len) {
    size_t i = 0;
    uint64_t x, y;
    switch (op) {
    case BITFIELD_OP_AND:
        for (; i + WORD_BYTES <= len; i += WORD_BYTES) {
            memcpy(&x, a + i, WORD_BYTES);
            memcpy(&y, b + i, WORD_BYTES);
            x &= y;
            memcpy(dst + i, &x, WORD_BYTES);
        }
        for (; i < len; i++) dst[i] = a[i] & b[i];
        break;
    case BITFIELD_OP_OR:
        for (; i + WORD_BYTES <= len; i += WORD_BYTES) {
            memcpy(&x, a + i, WORD_BYTES);
            memcpy(&y, b + i, WORD_BYTES);
            x |= y;
            memcpy(dst + i, &x, WORD_BYTES);
        }
        for (; i < len; i++) dst[i] = a[i] | b[i];
        break;
    case BITFIELD_OP_XOR:
        for (; i + WORD_BYTES <= len; i += WORD_BYTES) {
            memcpy(&x, a + i, WORD_BYTES);
            memcpy(&y, b + i, WORD_BYTES);
            x ^= y;
            memcpy(dst + i, &x, WORD_BYTES);
        }
        for (; i < len; i++) dst[i] = a[i] ^ b[i];
        break;
    case BITFIELD_OP_NOT:
        for (; i + WORD_BYTES <= len; i += WORD_BYTES) {
            memcpy(&x, a + i, WORD_BYTES);
            x = ~x;
            memcpy(dst + i, &x, WORD_BYTES);
        }
        for (; i < len; i++) dst[i] = (unsigned char)~a[i];
        break;
    }
}

void bitfield_combine(bitfield_op op, unsigned char *dst, size_t len, const unsigned char *const *src,
                      const size_t *src_len, size_t n) {
    if (op == BITFIELD_OP_NOT || n == 1) {
        if (op == BITFIELD_OP_NOT) combine3(op, dst, src[0], NULL, src_len[0]);
        else if (src_len[0]) memcpy(dst, src[0], src_len[0]);
        memset(dst + src_len[0], op == BITFIELD_OP_NOT ? 0xff : 0, len - src_len[0]);
        return;
    }
    /* The first two sources in one pass (no copy first): over their
     * common part combine them; past it AND gives zeros and OR/XOR the
     * longer source's bytes. */
    size_t common = src_len[0] < src_len[1] ? src_len[0] : src_len[1];
    size_t longer = src_len[0] < src_len[1] ? 1 : 0;
    size_t filled = src_len[longer];
    combine3(op, dst, src[0], src[1], common);
    if (op == BITFIELD_OP_AND) memset(dst + common, 0, filled - common);
    else if (filled > common) memcpy(dst + common, src[longer] + common, filled - common);
    memset(dst + filled, 0, len - filled);
    /* AND with a zero-padded source clears everything past its end, so
     * past the shortest source the result is zero and is not computed. */
    size_t live = op == BITFIELD_OP_AND ? common : len;
    for (size_t j = 2; j < n; j++) {
        size_t l = src_len[j] < live ? src_len[j] : live;
        combine3(op, dst, dst, src[j], l);
        if (op == BITFIELD_OP_AND) {
            memset(dst + l, 0, live - l);
            live = l;
        }
    }
}
