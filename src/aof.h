/* aof.h -- the append-only file, as Redis 7.0 keeps it: a directory
 * (appenddirname) holding a manifest, a base file (an RDB preamble or
 * commands) and incremental files fed by the effects stream; the fsync
 * policy; rewrites in a child; loading at start; minired-check-aof. */
#ifndef MINIRED_AOF_H
#define MINIRED_AOF_H

#include "sds.h"

struct client;

/* INFO persistence lines from aof_enabled to aof_last_cow_size. */
sds aof_info_fields(sds s);
/* The aof_* lines INFO adds when the AOF is on (aof_current_size...), or
 * nothing. */
sds aof_info_extra(sds s);
/* INFO memory mem_aof_buffer: bytes held by the AOF buffer. */
size_t aof_buffer_mem(void);

/* 1 when appendonly is on (INFO, SHUTDOWN, the loader's choice). */
int aof_is_enabled(void);
/* SHUTDOWN: kill a rewrite child, flush and fsync what the AOF holds. 0,
 * or -1 when the AOF could not be made durable (SHUTDOWN fails unless
 * FORCE). */
int aof_on_shutdown(void);

/* aof_load_at_start results. */
#define AOF_LOAD_OK 0
#define AOF_LOAD_NOT_EXIST 1 /* no AOF at all: start empty */
#define AOF_LOAD_EMPTY 2     /* files exist but hold nothing */
#define AOF_LOAD_TRUNCATED 3 /* a torn tail was cut away (aof-load-truncated) */
#define AOF_LOAD_FAILED 4    /* refused, reason logged */

/* Start-up, with appendonly yes, instead of loading the RDB (Redis 7.0
 * never reads dump.rdb when the AOF is on): migrates a Redis 6.x
 * single-file AOF into the directory, loads base and incr files, logs
 * "DB loaded from append only file". Exits the process (status 1) when
 * the AOF is unusable, as Redis does. Returns AOF_LOAD_*. */
int aof_load_at_start(void);
/* Start-up, after the dataset is loaded (whatever appendonly says): with
 * appendonly yes, creates the base file from the loaded data when there is
 * none, opens or creates the incr file, and starts feeding it. */
void aof_open_at_start(void);

/* The event loop's before-sleep, BEFORE client replies are written: the
 * buffered effects reach the file (and, with appendfsync always, the
 * disk) before anyone hears of them. */
void aof_before_sleep(void);
/* Called by networking.c before it writes replies outside before-sleep
 * (a writable event): with appendfsync always, flushes first. */
void aof_flush_before_reply(void);
/* Once per cron pass: everysec fsync, retrying failed writes, reaping and
 * starting rewrites. */
void aof_cron(void);

/* cmd_resolve: a new sds "-MISCONF Errors writing to the AOF file: ..."
 * while the AOF cannot be written (writes and PING are refused), or NULL. */
sds aof_write_refusal(void);

/* CONFIG SET appendonly (the config hook). */
int aof_config_changed(char *err, size_t errlen);

/* 1 while a rewrite child runs (a BGSAVE must wait). */
int aof_rewrite_in_progress(void);

/* DEBUG LOADAOF: replies OK after reloading the keyspace from the AOF. */
void aof_debug_loadaof(struct client *c);
/* DEBUG AOF-FLUSH-SLEEP: sleep this many microseconds before each write of
 * the AOF buffer (0: never), so tests can catch a flush in progress. */
void aof_set_flush_sleep(long us);

/* minired-check-aof [--fix] <file.manifest|file.aof>: the whole tool, run
 * when the binary is invoked under that name. Returns the exit status. */
int aof_check_main(int argc, char **argv);

#endif
