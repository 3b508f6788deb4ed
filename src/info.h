/* info.h -- INFO text generation and the rate samples behind it. */
#ifndef MINIRED_INFO_H
#define MINIRED_INFO_H

#include <stddef.h>

#include "sds.h"

/* Cron duty: samples counters for the instantaneous_* fields. */
void info_track_sample(void);
/* CONFIG RESETSTAT: forgets samples, the memory peak, the error
 * statistics and the latency histograms. */
void info_reset_stats(void);
/* reply.c, for every error reply: counts it under its code (the first
 * word of "-CODE message", "ERR" for a message without its own code). */
void info_count_error(const char *msg, size_t len);
/* Returns new sds: the INFO text for the given section names. */
sds info_generate(int argc, sds *argv);
/* DEBUG CHANGE-REPL-ID: draws a new master_replid. */
void info_change_repl_id(void);

#endif
