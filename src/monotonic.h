/* monotonic.h -- a clock that never goes backwards, in microseconds, for
 * timers and latency measurement (wall-clock time can jump). */
#ifndef MINIRED_MONOTONIC_H
#define MINIRED_MONOTONIC_H

#include <stdint.h>

typedef uint64_t monotime;

/* Microseconds since an arbitrary fixed point. */
monotime mono_now_us(void);
/* Milliseconds / microseconds of wall-clock time since the Unix epoch. */
long long ustime(void);
long long mstime(void);

#endif
