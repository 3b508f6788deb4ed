/* monotonic.c -- monotonic and wall clocks.
 *
 * Owns one process-wide constant: the TSC rate found by mono_init. Reading
 * the clock happens several times per command (timing, timers), and under
 * virtualization clock_gettime costs ~50-100 ns while the CPU's invariant
 * TSC costs a few; so on x86-64 with constant_tsc and nonstop_tsc the TSC
 * is used, calibrated once against CLOCK_MONOTONIC. Elsewhere, or before
 * mono_init, CLOCK_MONOTONIC is read directly. Never goes backwards. */
#include "monotonic.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

/* Calibration window: long enough that clock_gettime's granularity is
 * noise (0.01% at 1 us resolution), short enough not to delay start-up. */
#define MONO_CALIBRATION_US 10000
#define MONO_CPUINFO_LINE_BYTES 4096

static monotime posix_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (monotime)ts.tv_sec * 1000000 + (monotime)(ts.tv_nsec / 1000);
}

#if defined(__x86_64__)
static double tsc_us_per_tick; /* 0: TSC not in use */

static int cpu_has_invariant_tsc(void) {
    FILE *fp = fopen("/proc/cpuinfo", "r");
    if (fp == NULL) return 0;
    char line[MONO_CPUINFO_LINE_BYTES];
    int ok = 0;
    while (fgets(line, sizeof(line), fp)) {
        if (strncmp(line, "flags", 5) != 0) continue;
        ok = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
        break;
    }
    fclose(fp);
    return ok;
}

static void mono_calibrate_tsc(void) {
    monotime t0 = posix_now_us();
    unsigned long long c0 = __rdtsc();
    monotime t1;
    do {
        t1 = posix_now_us();
    } while (t1 - t0 < MONO_CALIBRATION_US);
    unsigned long long c1 = __rdtsc();
    if (c1 <= c0) return;
    tsc_us_per_tick = (double)(t1 - t0) / (double)(c1 - c0);
}
#endif

void mono_init(void) {
#if defined(__x86_64__)
    if (tsc_us_per_tick == 0 && cpu_has_invariant_tsc()) mono_calibrate_tsc();
#endif
}

const char *mono_clock_name(void) {
#if defined(__x86_64__)
    if (tsc_us_per_tick > 0) return "X86 TSC";
#endif
    return "POSIX clock_gettime";
}

monotime mono_now_us(void) {
#if defined(__x86_64__)
    if (tsc_us_per_tick > 0) return (monotime)((double)__rdtsc() * tsc_us_per_tick);
#endif
    return posix_now_us();
}

long long ustime(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

long long mstime(void) {
    return ustime() / 1000;
}
