/* lathist.h -- a log-linear latency histogram, pure (no server state):
 * what Redis 7.0 keeps per command for INFO latencystats and LATENCY
 * HISTOGRAM. */
#ifndef MINIRED_LATHIST_H
#define MINIRED_LATHIST_H

#include <stdint.h>

/* Bucket layout of an HDR histogram of 2 significant digits over 1..1e9
 * nanoseconds, so percentiles and LATENCY HISTOGRAM steps print the same
 * numbers Redis prints. */
#define LAT_HIST_MIN_NS 1
#define LAT_HIST_MAX_NS 1000000000LL
#define LAT_HIST_SUB_BUCKET_HALF 128    /* sub-buckets per doubling */
#define LAT_HIST_BUCKETS 23             /* doublings to cover LAT_HIST_MAX_NS */
#define LAT_HIST_COUNTS ((LAT_HIST_BUCKETS + 1) * LAT_HIST_SUB_BUCKET_HALF)

typedef struct lat_hist {
    uint64_t total;
    uint64_t counts[LAT_HIST_COUNTS];
} lat_hist;

/* Counts one value (nanoseconds; clamped into MIN..MAX). */
void lat_hist_record(lat_hist *h, int64_t value_ns);
/* Index of the counter a value falls in. */
int lat_hist_index(int64_t value_ns);
/* Highest value that falls in the same counter as value_ns. */
int64_t lat_hist_highest_equivalent(int64_t value_ns);
/* The value at a percentile (0..100), as hdr_value_at_percentile reports
 * it; 0 for an empty histogram. */
int64_t lat_hist_value_at_percentile(const lat_hist *h, double percentile);
/* Walks the cumulative distribution at 1024 ns, 2048 ns, ... (the steps
 * LATENCY HISTOGRAM reports), calling fn(bucket_upper_ns, cumulative_count)
 * for each step whose cumulative count grew. Returns the number of calls. */
int lat_hist_cdf(const lat_hist *h, void (*fn)(int64_t upper_ns, uint64_t cumulative, void *ctx), void *ctx);

#endif
