/* hll.c -- HyperLogLog registers, dense and sparse, byte-identical to the
 * values Redis 7.0 writes (see hll.h for the layout).
 *
 * Owns the encodings, the element hash and the estimator; knows nothing of
 * keys, clients or configuration (the sparse limit is a parameter). Key
 * invariant: every edit of a sparse body produces the very opcode sequence
 * Redis produces for the same edit (same splits, same merges of equal
 * neighbours, same promotion point), because the bytes are user-visible
 * through GET, DUMP and the RDB. Corrupt input is reported, never trusted:
 * no walk reads past the value's last byte plus its sds terminator. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hll.h"

/* Sparse opcode helpers. */
#define SP_ZERO_MAX_LEN 64
#define SP_XZERO_MAX_LEN 16384
#define SP_VAL_MAX_LEN 4
#define SP_IS_ZERO(p) ((*(p) & 0xc0) == 0)
#define SP_IS_XZERO(p) ((*(p) & 0xc0) == 0x40)
#define SP_IS_VAL(p) ((*(p) & 0x80) != 0)
#define SP_ZERO_LEN(p) ((*(p) & 0x3f) + 1)
#define SP_XZERO_LEN(p) ((((p)[0] & 0x3f) << 8 | (p)[1]) + 1)
#define SP_VAL_VALUE(p) (((*(p) >> 2) & 0x1f) + 1)
#define SP_VAL_LEN(p) ((*(p) & 0x3) + 1)

/* 1/(2 ln 2): the estimator's alpha for m -> infinity (Ertl). */
#define HLL_ALPHA_INF 0.721347520444481703680

static inline void sp_val_set(unsigned char *p, int val, int len) {
    *p = (unsigned char)(0x80 | (val - 1) << 2 | (len - 1));
}

/* Emits a run of len zero registers (ZERO when it fits, else XZERO);
 * returns the bytes written. */
static inline int sp_zero_run(unsigned char *p, long len) {
    if (len <= SP_ZERO_MAX_LEN) {
        p[0] = (unsigned char)(len - 1);
        return 1;
    }
    p[0] = (unsigned char)(0x40 | ((len - 1) >> 8));
    p[1] = (unsigned char)((len - 1) & 0xff);
    return 2;
}

/* ---------------------------------------------------------- dense registers */

static inline int dense_get(const unsigned char *r, long i) {
    unsigned long bit = (unsigned long)i * HLL_BITS;
    unsigned long byte = bit >> 3, fb = bit & 7;
    if (fb <= 8 - HLL_BITS) return (r[byte] >> fb) & HLL_REGISTER_MAX;
    return ((r[byte] >> fb) | (r[byte + 1] << (8 - fb))) & HLL_REGISTER_MAX;
}

static inline void dense_set(unsigned char *r, long i, unsigned v) {
    unsigned long bit = (unsigned long)i * HLL_BITS;
    unsigned long byte = bit >> 3, fb = bit & 7;
    r[byte] = (unsigned char)((r[byte] & ~(HLL_REGISTER_MAX << fb)) | (v << fb));
    /* A register starting at bit 0..2 of its byte ends in it: the next
     * byte (past the end for the last register) is not touched. */
    if (fb > 8 - HLL_BITS)
        r[byte + 1] = (unsigned char)((r[byte + 1] & ~(HLL_REGISTER_MAX >> (8 - fb))) | (v >> (8 - fb)));
}

void hll_dense_registers(const unsigned char *p, uint8_t *out) {
    const unsigned char *r = p + HLL_HDR_SIZE;
    /* Every 3 bytes hold 4 registers exactly. */
    for (long i = 0; i < HLL_REGISTERS; i += 4, r += 3) {
        out[i] = r[0] & 63;
        out[i + 1] = (uint8_t)(((r[0] >> 6) | (r[1] << 2)) & 63);
        out[i + 2] = (uint8_t)(((r[1] >> 4) | (r[2] << 4)) & 63);
        out[i + 3] = r[2] >> 2;
    }
}

/* ---------------------------------------------------------- hashing */

uint64_t hll_murmur64a(const void *key, size_t len, uint64_t seed) {
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const int r = 47;
    const unsigned char *data = key;
    uint64_t h = seed ^ (len * m);
    size_t blocks = len / 8;
    for (size_t i = 0; i < blocks; i++, data += 8) {
        /* Little-endian load whatever the host order, as Redis's x86 and
         * ARM builds read it. */
        uint64_t k = (uint64_t)data[0] | (uint64_t)data[1] << 8 | (uint64_t)data[2] << 16 |
                     (uint64_t)data[3] << 24 | (uint64_t)data[4] << 32 | (uint64_t)data[5] << 40 |
                     (uint64_t)data[6] << 48 | (uint64_t)data[7] << 56;
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    switch (len & 7) {
    case 7: h ^= (uint64_t)data[6] << 48; /* fall through */
    case 6: h ^= (uint64_t)data[5] << 40; /* fall through */
    case 5: h ^= (uint64_t)data[4] << 32; /* fall through */
    case 4: h ^= (uint64_t)data[3] << 24; /* fall through */
    case 3: h ^= (uint64_t)data[2] << 16; /* fall through */
    case 2: h ^= (uint64_t)data[1] << 8;  /* fall through */
    case 1:
        h ^= (uint64_t)data[0];
        h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

int hll_pattern(const void *ele, size_t len, long *index) {
    uint64_t hash = hll_murmur64a(ele, len, HLL_HASH_SEED);
    *index = (long)(hash & (HLL_REGISTERS - 1));
    /* The bit at HLL_Q stops the count at HLL_Q + 1 for an all-zero rest. */
    hash = (hash >> HLL_P) | (1ULL << HLL_Q);
    return __builtin_ctzll(hash) + 1;
}

/* ---------------------------------------------------------- header */

sds hll_create(void) {
    sds s = sds_new_len(NULL, HLL_HDR_SIZE + 2);
    unsigned char *p = (unsigned char *)s;
    memcpy(p, "HYLL", 4);
    p[4] = HLL_SPARSE;
    sp_zero_run(p + HLL_HDR_SIZE, HLL_REGISTERS);
    return s;
}

int hll_check(const unsigned char *p, size_t len) {
    if (len < HLL_HDR_SIZE || memcmp(p, "HYLL", 4) != 0) return -1;
    if (p[4] > HLL_SPARSE) return -1;
    if (p[4] == HLL_DENSE && len != HLL_DENSE_SIZE) return -1;
    return 0;
}

uint64_t hll_cache_get(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[8 + i];
    return v;
}

void hll_cache_set(unsigned char *p, uint64_t card) {
    for (int i = 0; i < 8; i++) p[8 + i] = (unsigned char)(card >> (8 * i));
}

/* ---------------------------------------------------------- conversion */

int hll_to_dense(sds *s) {
    const unsigned char *p = (const unsigned char *)*s;
    if (p[4] == HLL_DENSE) return 0;
    size_t len = sds_len(*s);
    sds dense = sds_new_len(NULL, HLL_DENSE_SIZE);
    unsigned char *d = (unsigned char *)dense;
    memcpy(d, p, HLL_HDR_SIZE); /* magic and cached count */
    d[4] = HLL_DENSE;
    const unsigned char *op = p + HLL_HDR_SIZE, *end = p + len;
    long idx = 0;
    while (op < end) {
        if (SP_IS_ZERO(op)) {
            idx += SP_ZERO_LEN(op);
            op++;
        } else if (SP_IS_XZERO(op)) {
            idx += SP_XZERO_LEN(op);
            op += 2;
        } else {
            int run = SP_VAL_LEN(op), val = SP_VAL_VALUE(op);
            if (idx + run > HLL_REGISTERS) {
                idx = -1; /* values past the last register: corrupt */
                break;
            }
            while (run--) dense_set(d + HLL_HDR_SIZE, idx++, (unsigned)val);
            op++;
        }
    }
    if (idx != HLL_REGISTERS) {
        sds_free(dense);
        return -1;
    }
    sds_free(*s);
    *s = dense;
    return 0;
}

/* ---------------------------------------------------------- sparse edit */

/* After an edit at the opcode following prev (NULL: the first), merges
 * adjacent VAL opcodes of equal value into one while their lengths fit,
 * looking at no more than five opcodes: the neighbourhood of the edit. */
static void sparse_merge_around(sds s, unsigned char *prev) {
    unsigned char *start = (unsigned char *)s + HLL_HDR_SIZE;
    unsigned char *p = prev ? prev : start, *end = (unsigned char *)s + sds_len(s);
    int scan = 5;
    while (p < end && scan--) {
        if (SP_IS_XZERO(p)) {
            p += 2;
            continue;
        }
        if (SP_IS_ZERO(p)) {
            p++;
            continue;
        }
        if (p + 1 < end && SP_IS_VAL(p + 1) && SP_VAL_VALUE(p) == SP_VAL_VALUE(p + 1)) {
            int len = SP_VAL_LEN(p) + SP_VAL_LEN(p + 1);
            if (len <= SP_VAL_MAX_LEN) {
                sp_val_set(p + 1, SP_VAL_VALUE(p), len);
                memmove(p, p + 1, (size_t)(end - p - 1));
                sds_incr_len(s, -1);
                end--;
                continue; /* the merged opcode may merge with its right one */
            }
        }
        p++;
    }
}

/* Builds in seq the opcodes replacing the one at p (covering registers
 * first..last) once register index holds count. Returns their length. */
static int sparse_split(const unsigned char *p, long first, long last, long index, int count,
                        unsigned char *seq) {
    int n = 0;
    if (SP_IS_VAL(p)) {
        int cur = SP_VAL_VALUE(p);
        if (index != first) sp_val_set(seq + n++, cur, (int)(index - first));
        sp_val_set(seq + n++, count, 1);
        if (index != last) sp_val_set(seq + n++, cur, (int)(last - index));
        return n;
    }
    if (index != first) n += sp_zero_run(seq + n, index - first);
    sp_val_set(seq + n++, count, 1);
    if (index != last) n += sp_zero_run(seq + n, last - index);
    return n;
}

/* Sets register index of a dense value (count > current). */
static int dense_raise(sds s, long index, int count) {
    unsigned char *r = (unsigned char *)s + HLL_HDR_SIZE;
    if (dense_get(r, index) >= count) return 0;
    dense_set(r, index, (unsigned)count);
    return 1;
}

static int sparse_set(sds *s, long index, int count, size_t sparse_max) {
    if (count > HLL_SPARSE_VAL_MAX_VALUE) goto promote;
    /* An edit grows the body by 3 bytes at most (XZERO -> XZERO VAL XZERO). */
    *s = sds_make_room_for(*s, 3);
    unsigned char *base = (unsigned char *)*s;
    unsigned char *p = base + HLL_HDR_SIZE, *end = base + sds_len(*s), *prev = NULL;
    long first = 0, span = 0;
    int oplen = 1;
    /* Find the opcode covering index. */
    while (p < end) {
        oplen = 1;
        if (SP_IS_ZERO(p)) span = SP_ZERO_LEN(p);
        else if (SP_IS_XZERO(p)) {
            span = SP_XZERO_LEN(p);
            oplen = 2;
        } else span = SP_VAL_LEN(p);
        if (index <= first + span - 1) break;
        prev = p;
        p += oplen;
        first += span;
    }
    if (span == 0 || p >= end) return -1;
    if (SP_IS_VAL(p)) {
        if (SP_VAL_VALUE(p) >= count) return 0;
        if (span == 1) {
            sp_val_set(p, count, 1);
            goto updated;
        }
    } else if (SP_IS_ZERO(p) && span == 1) {
        sp_val_set(p, count, 1);
        goto updated;
    }
    unsigned char seq[5];
    int seqlen = sparse_split(p, first, first + span - 1, index, count, seq);
    int delta = seqlen - oplen;
    if (delta > 0 && sds_len(*s) + (size_t)delta > sparse_max) goto promote;
    unsigned char *next = p + oplen;
    if (delta != 0 && next < end) memmove(next + delta, next, (size_t)(end - next));
    sds_incr_len(*s, delta);
    memcpy(p, seq, (size_t)seqlen);
updated:
    sparse_merge_around(*s, prev);
    /* Marked stale here, not only by the caller after its batch: an edit
     * followed by a corrupt-value error leaves the bytes Redis leaves. */
    hll_cache_invalidate((unsigned char *)*s);
    return 1;
promote:
    if (hll_to_dense(s) == -1) return -1;
    return dense_raise(*s, index, count);
}

int hll_set(sds *s, long index, int count, size_t sparse_max) {
    if (((unsigned char *)*s)[4] == HLL_DENSE) return dense_raise(*s, index, count);
    return sparse_set(s, index, count, sparse_max);
}

int hll_add(sds *s, const void *ele, size_t len, size_t sparse_max) {
    long index;
    int count = hll_pattern(ele, len, &index);
    return hll_set(s, index, count, sparse_max);
}

/* ---------------------------------------------------------- merge and count */

int hll_merge(uint8_t *max, const unsigned char *p, size_t len) {
    if (p[4] == HLL_DENSE) {
        uint8_t regs[HLL_REGISTERS];
        hll_dense_registers(p, regs);
        for (long i = 0; i < HLL_REGISTERS; i++)
            if (regs[i] > max[i]) max[i] = regs[i];
        return 0;
    }
    const unsigned char *op = p + HLL_HDR_SIZE, *end = p + len;
    long i = 0;
    while (op < end) {
        if (SP_IS_ZERO(op)) {
            i += SP_ZERO_LEN(op);
            op++;
        } else if (SP_IS_XZERO(op)) {
            i += SP_XZERO_LEN(op);
            op += 2;
        } else {
            int run = SP_VAL_LEN(op), val = SP_VAL_VALUE(op);
            if (i + run > HLL_REGISTERS) return -1;
            while (run--) {
                if (val > max[i]) max[i] = (uint8_t)val;
                i++;
            }
            op++;
        }
    }
    return i == HLL_REGISTERS ? 0 : -1;
}

/* Ertl's tau and sigma ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017), iterated until the sum stops moving. */
static double hll_tau(double x) {
    if (x == 0. || x == 1.) return 0.;
    double zprev, y = 1.0, z = 1 - x;
    do {
        x = sqrt(x);
        zprev = z;
        y *= 0.5;
        z -= pow(1 - x, 2) * y;
    } while (zprev != z);
    return z / 3;
}

static double hll_sigma(double x) {
    if (x == 1.) return INFINITY;
    double zprev, y = 1, z = x;
    do {
        x *= x;
        zprev = z;
        z += x * y;
        y += y;
    } while (zprev != z);
    return z;
}

/* The estimate from a histogram of register values (64 slots: a corrupt
 * dense value may hold registers over HLL_Q + 1, which count nowhere). */
static uint64_t hll_estimate(const int *histo) {
    double m = HLL_REGISTERS;
    double z = m * hll_tau((m - histo[HLL_Q + 1]) / m);
    for (int j = HLL_Q; j >= 1; --j) {
        z += histo[j];
        z *= 0.5;
    }
    z += m * hll_sigma(histo[0] / m);
    return (uint64_t)llroundl(HLL_ALPHA_INF * m * m / z);
}

uint64_t hll_count_raw(const uint8_t *regs) {
    int histo[64] = {0};
    for (long i = 0; i < HLL_REGISTERS; i++) histo[regs[i] & 63]++;
    return hll_estimate(histo);
}

static void dense_histo(const unsigned char *p, int *histo) {
    const unsigned char *r = p + HLL_HDR_SIZE;
    for (long i = 0; i < HLL_REGISTERS; i += 4, r += 3) {
        histo[r[0] & 63]++;
        histo[((r[0] >> 6) | (r[1] << 2)) & 63]++;
        histo[((r[1] >> 4) | (r[2] << 4)) & 63]++;
        histo[r[2] >> 2]++;
    }
}

uint64_t hll_count(const unsigned char *p, size_t len, int *invalid) {
    int histo[64] = {0};
    if (p[4] == HLL_DENSE) {
        dense_histo(p, histo);
        return hll_estimate(histo);
    }
    const unsigned char *op = p + HLL_HDR_SIZE, *end = p + len;
    long idx = 0;
    while (op < end) {
        if (SP_IS_ZERO(op)) {
            int run = SP_ZERO_LEN(op);
            idx += run;
            histo[0] += run;
            op++;
        } else if (SP_IS_XZERO(op)) {
            int run = SP_XZERO_LEN(op);
            idx += run;
            histo[0] += run;
            op += 2;
        } else {
            int run = SP_VAL_LEN(op);
            idx += run;
            histo[SP_VAL_VALUE(op)] += run;
            op++;
        }
    }
    if (idx != HLL_REGISTERS) {
        *invalid = 1;
        return 0;
    }
    return hll_estimate(histo);
}

/* ---------------------------------------------------------- debugging */

sds hll_sparse_describe(const unsigned char *p, size_t len) {
    sds out = sds_empty();
    const unsigned char *op = p + HLL_HDR_SIZE, *end = p + len;
    while (op < end) {
        if (SP_IS_ZERO(op)) {
            out = sds_cat_printf(out, "z:%d ", SP_ZERO_LEN(op));
            op++;
        } else if (SP_IS_XZERO(op)) {
            out = sds_cat_printf(out, "Z:%d ", SP_XZERO_LEN(op));
            op += 2;
        } else {
            out = sds_cat_printf(out, "v:%d,%d ", SP_VAL_VALUE(op), SP_VAL_LEN(op));
            op++;
        }
    }
    return sds_trim(out, " ");
}

/* Round trips of every dense register through set and get, against a
 * plain array. */
static int selftest_registers(char *err, size_t errlen) {
    static uint8_t shadow[HLL_REGISTERS];
    unsigned char *r = calloc(1, HLL_DENSE_SIZE - HLL_HDR_SIZE + 1);
    unsigned seed = 1;
    int rc = 0;
    for (int round = 0; round < 100 && rc == 0; round++) {
        for (long i = 0; i < HLL_REGISTERS; i++) {
            seed = seed * 1103515245u + 12345u;
            shadow[i] = (uint8_t)((seed >> 16) & HLL_REGISTER_MAX);
            dense_set(r, i, shadow[i]);
        }
        for (long i = 0; i < HLL_REGISTERS; i++) {
            if (dense_get(r, i) != shadow[i]) {
                snprintf(err, errlen, "TESTFAILED Register error at %ld, %d != %d", i, dense_get(r, i), shadow[i]);
                rc = -1;
                break;
            }
        }
    }
    free(r);
    return rc;
}

/* Adds growing counts of distinct elements to a dense value and (up to
 * 10^4, with no sparse limit so it stays sparse while it can) to a sparse
 * one; the two must agree, and stay within the error bound of m = 16384. */
static int selftest_estimates(char *err, size_t errlen) {
    sds sparse = hll_create(), dense = hll_create();
    hll_to_dense(&dense);
    const double relerr = 1.04 / sqrt((double)HLL_REGISTERS);
    long checkpoint = 1;
    int rc = 0;
    for (long j = 1; j <= 1000000 && rc == 0; j++) {
        uint64_t ele = (uint64_t)j * 0x9e3779b97f4a7c15ULL;
        hll_add(&dense, &ele, sizeof(ele), 0);
        /* Sparse edits are linear in the body: compare up to 10^4 only. */
        if (j <= 10000 && ((unsigned char *)sparse)[4] == HLL_SPARSE)
            hll_add(&sparse, &ele, sizeof(ele), (size_t)-1);
        if (j != checkpoint) continue;
        int invalid = 0;
        uint64_t d = hll_count((unsigned char *)dense, sds_len(dense), &invalid);
        if (j <= 10000 && ((unsigned char *)sparse)[4] == HLL_SPARSE) {
            uint64_t sp = hll_count((unsigned char *)sparse, sds_len(sparse), &invalid);
            if (sp != d || invalid) {
                snprintf(err, errlen, "TESTFAILED dense/sparse disagree: %llu vs %llu", (unsigned long long)d,
                         (unsigned long long)sp);
                rc = -1;
            }
        }
        /* Six standard errors: small counts are nearly exact anyway. */
        double maxerr = relerr * 6 * (double)checkpoint;
        if (maxerr < 1) maxerr = 1;
        if (fabs((double)d - (double)checkpoint) > maxerr) {
            snprintf(err, errlen, "TESTFAILED Too big error. card:%ld abserr:%f", checkpoint,
                     fabs((double)d - (double)checkpoint));
            rc = -1;
        }
        checkpoint *= 10;
    }
    sds_free(sparse);
    sds_free(dense);
    return rc;
}

int hll_selftest(char *err, size_t errlen) {
    if (selftest_registers(err, errlen) == -1) return -1;
    return selftest_estimates(err, errlen);
}
