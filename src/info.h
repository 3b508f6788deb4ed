/* info.h -- INFO text generation and the rate samples behind it. */
#ifndef MINIRED_INFO_H
#define MINIRED_INFO_H

#include "sds.h"

/* Cron duty: samples counters for the instantaneous_* fields. */
void info_track_sample(void);
/* CONFIG RESETSTAT: forgets samples and the memory peak. */
void info_reset_stats(void);
/* Returns new sds: the INFO text for the given section names. */
sds info_generate(int argc, sds *argv);

#endif
