/* lathist.c -- a log-linear latency histogram with the bucket layout of
 * an HDR histogram of 2 significant digits (the one Redis 7.0 keeps per
 * command), so percentiles and cumulative steps print Redis's numbers.
 *
 * Pure: no allocation, no globals. Invariant: counts[lat_hist_index(v)]
 * counts every recorded v (clamped into LAT_HIST_MIN_NS..LAT_HIST_MAX_NS). */
#include "lathist.h"

/* Buckets below 2^8 hold one value per counter (256 counters). */
#define LAT_HIST_FIRST_BUCKET_MAGNITUDE 8
/* LATENCY HISTOGRAM's first reported step and its growth factor. */
#define LAT_HIST_CDF_FIRST_NS 1024
#define LAT_HIST_CDF_BASE 2

static int lat_hist_bucket(int64_t v) {
    return 64 - __builtin_clzll((uint64_t)v | 255) - LAT_HIST_FIRST_BUCKET_MAGNITUDE;
}

int lat_hist_index(int64_t v) {
    int bucket = lat_hist_bucket(v);
    return bucket * LAT_HIST_SUB_BUCKET_HALF + (int)(v >> bucket);
}

static int64_t lat_hist_value_at_index(int idx) {
    int bucket = idx / LAT_HIST_SUB_BUCKET_HALF - 1;
    int64_t sub = idx % LAT_HIST_SUB_BUCKET_HALF + LAT_HIST_SUB_BUCKET_HALF;
    if (bucket < 0) {
        sub -= LAT_HIST_SUB_BUCKET_HALF;
        bucket = 0;
    }
    return sub << bucket;
}

static int64_t lat_hist_lowest_equivalent(int64_t v) {
    int bucket = lat_hist_bucket(v);
    return (v >> bucket) << bucket;
}

int64_t lat_hist_highest_equivalent(int64_t v) {
    int bucket = lat_hist_bucket(v);
    return lat_hist_lowest_equivalent(v) + ((int64_t)1 << bucket) - 1;
}

void lat_hist_record(lat_hist *h, int64_t v) {
    if (v < LAT_HIST_MIN_NS) v = LAT_HIST_MIN_NS;
    if (v > LAT_HIST_MAX_NS) v = LAT_HIST_MAX_NS;
    h->counts[lat_hist_index(v)]++;
    h->total++;
}

int64_t lat_hist_value_at_percentile(const lat_hist *h, double percentile) {
    if (percentile > 100.0) percentile = 100.0;
    int64_t want = (int64_t)(percentile / 100 * (double)h->total + 0.5);
    if (want < 1) want = 1;
    uint64_t seen = 0;
    for (int i = 0; i < LAT_HIST_COUNTS; i++) {
        seen += h->counts[i];
        if (seen >= (uint64_t)want) {
            int64_t v = lat_hist_value_at_index(i);
            return percentile == 0.0 ? lat_hist_lowest_equivalent(v) : lat_hist_highest_equivalent(v);
        }
    }
    return 0;
}

/* Mirrors an HDR logarithmic iterator: each step reports the counter
 * reached when the walk first passes the step's level, so the values are
 * the same (odd-looking) 1, 2, 4, 8, 16, 33, 66... that Redis prints. */
int lat_hist_cdf(const lat_hist *h, void (*fn)(int64_t upper_ns, uint64_t cumulative, void *ctx), void *ctx) {
    int64_t level = LAT_HIST_CDF_FIRST_NS;
    int64_t level_low = lat_hist_lowest_equivalent(level);
    uint64_t cum = 0, prev = 0;
    int idx = -1, reported = 0;
    int64_t value = 0;
    for (;;) {
        int more = cum < h->total ||
                   (idx + 1 < LAT_HIST_COUNTS && lat_hist_value_at_index(idx + 1) > level_low);
        if (!more) break;
        while (value < level_low) {
            if (++idx >= LAT_HIST_COUNTS) return reported;
            cum += h->counts[idx];
            value = lat_hist_value_at_index(idx);
        }
        if (cum > prev) {
            fn(lat_hist_highest_equivalent(value), cum, ctx);
            reported++;
        }
        prev = cum;
        level *= LAT_HIST_CDF_BASE;
        level_low = lat_hist_lowest_equivalent(level);
    }
    return reported;
}

