/* latency.h -- the latency monitor (LATENCY LATEST / HISTORY / RESET /
 * GRAPH / DOCTOR) and the per-command latency histograms behind INFO
 * latencystats and LATENCY HISTOGRAM. */
#ifndef MINIRED_LATENCY_H
#define MINIRED_LATENCY_H

#include "server.h"

/* Samples kept per event: one per second at most (Redis's LATENCY_TS_LEN). */
#define LATENCY_TS_LEN 160

/* ---------------------------------------------------------- server side */

/* After every command: counts its duration in the command's histogram
 * and, past latency-monitor-threshold, records a "command" or
 * "fast-command" event. */
void latency_after_command(redis_command *cmd, long long duration_us);
/* Records a sample for an event when ms >= latency-monitor-threshold. */
void latency_add_sample_if_needed(const char *event, long long ms);
/* Appends INFO latencystats lines to s; returns s. */
sds latency_cat_info(sds s);
/* CONFIG RESETSTAT: drops every command's histogram. */
void latency_reset_histograms(void);

#endif
