/* snapshot.h -- RDB snapshots as the server uses them: SAVE, BGSAVE (in
 * the child of childproc.c), LASTSAVE, the save points of the cron, the
 * final save of SHUTDOWN, loading the dataset at start (and the loading
 * state any loader shares: INFO loading_*, -LOADING), and the rdb_* /
 * loading_* lines of INFO persistence. The format itself is rdb.c's. */
#ifndef MINIRED_SNAPSHOT_H
#define MINIRED_SNAPSHOT_H

#include <sys/types.h>

#include "sds.h"

/* Registers the BGSAVE done handler and starts the clocks (at start, the
 * dataset counts as saved now, as in Redis). */
void snapshot_init(void);
/* CONFIG RESETSTAT: rdb_saves back to 0. */
void snapshot_reset_stats(void);
/* Cron: a scheduled BGSAVE, then the save points (after a failed BGSAVE,
 * retried only every CONFIG_BGSAVE_RETRY_DELAY_SEC). Call after
 * childproc_cron(). */
void snapshot_cron(void);

/* Loads dir/dbfilename into the keyspace at start (the call site chooses
 * it when appendonly is no). A missing file means an empty dataset; a
 * refused one ends the process (exit 1) after Redis's log lines. */
void snapshot_load_at_start(void);

/* The loading state, shared with any other loader (the AOF at start):
 * begin with the input's size, report progress (bytes read so far: it
 * serves clients, who get -LOADING, at most every few ms), end. While
 * loading, INFO shows loading:1 and the loading_* fields. */
void snapshot_loading_begin(off_t total_bytes);
void snapshot_loading_progress(off_t loaded_bytes);
void snapshot_loading_end(void);
/* The server's reaction to SIGTERM/SIGINT arriving while loading (Redis
 * shuts down at once, without saving); called from the progress step. */
void snapshot_set_loading_signal_hook(void (*fn)(void));
/* 1 while a dataset is being loaded. */
int snapshot_loading(void);
/* repl-diskless-load swapdb. set_exchange: fn is called before and after
 * the clients are served during the load (it puts the dataset they see in
 * place and takes it out again); NULL ends it. set_async (after begin):
 * the load is an async one: INFO shows async_loading:1 instead of
 * loading:1 and only commands flagged no-async-loading get -LOADING. */
void snapshot_loading_set_exchange(void (*fn)(void));
void snapshot_loading_set_async(int on);
int snapshot_async_loading(void);
/* A loader reading a stream of its own (a replica's diskless sync) serves
 * clients through the RDB progress hook, and reads r through the
 * key-load-delay knob when set; detach after the load. */
struct rio;
void snapshot_loading_attach(struct rio *r);
void snapshot_loading_detach(void);
/* Loads the RDB file at path the same way (start-up, a replica's disk
 * sync): clients served, key-load-delay honoured. rdb_load_file's codes. */
struct rdb_load_stats;
int snapshot_load_file(const char *path, struct rdb_load_stats *ls);
/* INFO rdb_last_load_keys_loaded / _expired after such a load. */
void snapshot_loading_record(const struct rdb_load_stats *ls);

/* Writes a synchronous snapshot to dir/dbfilename (SAVE, SHUTDOWN, DEBUG
 * RELOAD). Returns 0, or -1 with the reason logged. */
int snapshot_save_sync(void);

/* Replication's full sync (repl_primary's repl_sync.c). A BGSAVE of the
 * dump file whose aux fields carry opts' replication id and offset, with
 * BGSAVE's bookkeeping: 0, or -1 (logged). */
struct rdb_save_opts;
int snapshot_bgsave_for_replication(const struct rdb_save_opts *opts);
/* Forks the CHILD_RDB child of a diskless sync; returns as fork does (0 in
 * the child, which writes its RDB and leaves with childproc_child_exit; -1
 * with errno). Its end is no save: LASTSAVE and the dirty count stay. */
pid_t snapshot_fork_for_replication(void);
/* In such a child: keys its save has written (for childproc_child_send_cow). */
size_t snapshot_child_keys_saved(void);
/* Called in the parent after any CHILD_RDB child ended (a BGSAVE too:
 * replicas waiting for a fork may start one now): ok when it succeeded,
 * socket when it was a diskless sync's. */
/* A replica's SAVE / BGSAVE records its primary's history (aux repl-id,
 * repl-offset, repl-stream-db) so a restart can continue it with a
 * partial resync: the hook fills opts (returns 1) or leaves it (0). And
 * what the RDB loaded at start carried: 1 with the id (41 bytes), the
 * offset and the stream's database, or 0. */
struct rdb_save_opts;
typedef int snapshot_repl_info_fn(struct rdb_save_opts *opts);
void snapshot_set_repl_info_hook(snapshot_repl_info_fn *fn);
int snapshot_loaded_repl_info(char *id, long long *offset, int *dbid);
typedef void snapshot_repl_done_fn(int ok, int socket);
void snapshot_set_repl_done_hook(snapshot_repl_done_fn *fn);

/* FLUSHALL: kills a running BGSAVE (its data is gone) and, when save
 * points exist, saves the empty dataset at once, as Redis does. */
void snapshot_after_flushall(void);

/* SHUTDOWN's persistence part, in Redis 7.0's order: kill a running child,
 * let the AOF flush (aof_on_shutdown), then the final save when save
 * points exist and flags lack SHUTDOWN_NOSAVE, or flags hold
 * SHUTDOWN_SAVE. Failures are ignored with SHUTDOWN_FORCE. Returns 0 when
 * the server may exit, -1 (logged) when it must keep running. */
int snapshot_on_shutdown(int flags);

/* The error text (new sds, Redis's -MISCONF) write commands and PING get
 * when the last BGSAVE failed, save points exist and
 * stop-writes-on-bgsave-error is yes; NULL when writes are allowed. */
sds snapshot_write_error(void);

/* INFO persistence: the lines from loading: to rdb_last_load_keys_loaded,
 * and (only while loading) the loading_* lines Redis puts after the aof_*
 * ones. */
sds snapshot_info_fields(sds s);
sds snapshot_info_loading(sds s);

#endif
