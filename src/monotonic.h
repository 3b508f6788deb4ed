/* monotonic.h -- a clock that never goes backwards, in microseconds, for
 * timers and latency measurement (wall-clock time can jump). */
#ifndef MINIRED_MONOTONIC_H
#define MINIRED_MONOTONIC_H

#include <stdint.h>

typedef uint64_t monotime;

/* Picks the fastest trustworthy clock source (once, at start-up; takes
 * about 10 ms to calibrate the TSC). Optional: without it the POSIX
 * monotonic clock is used. */
void mono_init(void);
/* "X86 TSC" or "POSIX clock_gettime" (INFO's monotonic_clock). */
const char *mono_clock_name(void);
/* Microseconds since an arbitrary fixed point. */
monotime mono_now_us(void);
/* Milliseconds / microseconds of wall-clock time since the Unix epoch. */
long long ustime(void);
long long mstime(void);

#endif
