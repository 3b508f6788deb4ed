/* monotonic.c -- monotonic and wall clocks.
 *
 * Owns no state. CLOCK_MONOTONIC never jumps with NTP or settimeofday, so
 * timers and latency figures stay right when the wall clock moves. */
#include "monotonic.h"

#include <sys/time.h>
#include <time.h>

monotime mono_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (monotime)ts.tv_sec * 1000000 + (monotime)(ts.tv_nsec / 1000);
}

long long ustime(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

long long mstime(void) {
    return ustime() / 1000;
}
