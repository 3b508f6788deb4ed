/* aof.h -- the append-only file (Redis 7.0's multi-part AOF): a consumer of
 * the effects stream, its fsync policy, rewrites and loading at start.
 * (Until the AOF lands, only the INFO fields exist, with their values for a
 * server whose AOF is off.) */
#ifndef MINIRED_AOF_H
#define MINIRED_AOF_H

#include "sds.h"

/* INFO persistence lines from aof_enabled to aof_last_cow_size. */
sds aof_info_fields(sds s);
/* The aof_* lines INFO adds when the AOF is on (aof_current_size...), or
 * nothing. */
sds aof_info_extra(sds s);

/* 1 when appendonly is on (INFO, SHUTDOWN, the loader's choice). */
int aof_is_enabled(void);
/* SHUTDOWN: flush and fsync what the AOF holds. 0, or -1 when the AOF
 * could not be made durable (SHUTDOWN fails unless FORCE). */
int aof_on_shutdown(void);

#endif
