/* snapshot.c -- RDB snapshots as the server drives them: SAVE, BGSAVE
 * (SCHEDULE), LASTSAVE, the save points, SHUTDOWN's final save, the
 * dataset loaded at start with clients served (-LOADING) meanwhile, and
 * INFO's rdb_* / loading_* fields.
 *
 * Owns the save bookkeeping (last save, last BGSAVE status, retry clock)
 * and the loading state; resets server.dirty when a save covered it. The
 * serializer is rdb.c's: this file only opens, names, syncs and renames
 * files. A BGSAVE child only writes its temp file and exits. */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aof.h"
#include "childproc.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "monotonic.h"
#include "rdb.h"
#include "reply.h"
#include "rio.h"
#include "server.h"
#include "zmalloc.h"
#include "vclock.h"

/* After a failed BGSAVE, the save points try again only this often. */
#define CONFIG_BGSAVE_RETRY_DELAY_SEC 5
/* While loading, serve clients at most this often (besides every
 * RDB_LOAD_PROGRESS_BYTES of input, which is when the loader calls). */
#define LOADING_EVENTS_PERIOD_MS 2
#define TEMP_NAME_LEN 64

static struct {
    time_t lastsave;              /* last successful save, real time (save points) */
    long long lastsave_data;      /* the same on the data clock (LASTSAVE, INFO) */
    time_t lastbgsave_try;        /* last BGSAVE attempt, for the retry delay */
    int lastbgsave_ok;            /* rdb_last_bgsave_status */
    long long save_time_last;     /* rdb_last_bgsave_time_sec; -1 none */
    time_t save_time_start;       /* of the running BGSAVE; -1 none */
    long long saves;              /* rdb_saves: attempts, as Redis counts */
    long long dirty_before_bgsave;
    int bgsave_scheduled;
    int shutting_down;
    /* loading */
    int loading;
    int async_loading;            /* clients run against the old dataset meanwhile */
    time_t loading_start_time;
    long long loading_start_ms;
    off_t loading_total_bytes, loading_loaded_bytes;
    long long loading_events_last_ms;
    long long last_load_keys_loaded, last_load_keys_expired;
    char loaded_repl_id[41]; /* the RDB loaded at start: its aux repl-* */
    long long loaded_repl_offset;
    int loaded_repl_db;
} snap = {.lastbgsave_ok = 1, .save_time_last = -1, .save_time_start = -1};

/* ---------------------------------------------------------- test knobs */

/* rdb-key-save-delay / key-load-delay, as Redis sleeps: microseconds, or
 * for a negative value a 1 us sleep once in -value times. */
static void knob_delay(int usec) {
    if (usec < 0) usec = (rand() % -usec) == 0 ? 1 : 0;
    if (usec) usleep((useconds_t)usec);
}

/* Called by the serializer after each key it saves: the save delay knob
 * acts per key, as in Redis, and a child reports its progress (keys saved,
 * copy-on-write) every CHILD_PROGRESS_KEYS keys (childproc rate-limits the
 * costly part further). */
#define CHILD_PROGRESS_KEYS 1024
static size_t child_keys_saved;

static void save_progress(size_t keys_saved) {
    if (cfg.rdb_key_save_delay) knob_delay(cfg.rdb_key_save_delay);
    if (!childproc_in_child()) return;
    child_keys_saved = keys_saved;
    if (keys_saved % CHILD_PROGRESS_KEYS == 0) childproc_child_progress(keys_saved);
}

static size_t (*file_read_orig)(rio *r, void *buf, size_t len);

/* A slowed load also serves clients on a clock, not only every
 * RDB_LOAD_PROGRESS_BYTES, so tests see -LOADING without a huge file. */
#define SLOW_LOAD_EVENTS_PERIOD_MS 50

static void loading_serve(void);

static size_t delayed_read(rio *r, void *buf, size_t len) {
    knob_delay(cfg.key_load_delay);
    size_t n = file_read_orig(r, buf, len);
    static long long last_ms;
    long long now = mstime();
    if (now - last_ms >= SLOW_LOAD_EVENTS_PERIOD_MS) {
        last_ms = now;
        snapshot_loading_progress((off_t)r->processed_bytes);
    }
    return n;
}

/* ---------------------------------------------------------- saving */

/* SAVE and the BGSAVE child write through the serializer's own
 * temp-file, fsync and rename path. */
static snapshot_repl_info_fn *repl_info_hook;

void snapshot_set_repl_info_hook(snapshot_repl_info_fn *fn) {
    repl_info_hook = fn;
}

int snapshot_loaded_repl_info(char *id, long long *offset, int *dbid) {
    if (snap.loaded_repl_id[0] == '\0') return 0;
    memcpy(id, snap.loaded_repl_id, sizeof(snap.loaded_repl_id));
    *offset = snap.loaded_repl_offset;
    *dbid = snap.loaded_repl_db;
    return 1;
}

static int save_to(const char *filename, const rdb_save_opts *repl_opts) {
    rdb_save_opts opts = {0};
    if (repl_opts == NULL && repl_info_hook) repl_info_hook(&opts);
    return rdb_save_file(filename, repl_opts ? repl_opts : &opts);
}

int snapshot_save_sync(void) {
    if (save_to(cfg.dbfilename, NULL) == -1) return -1;
    server.dirty = 0;
    snap.lastsave = time(NULL);
    snap.lastsave_data = vclock_s();
    snap.lastbgsave_ok = 1;
    return 0;
}

/* Starts a BGSAVE (repl_opts: replication's, with its aux fields; NULL:
 * a plain one). 0, or -1 (fork failed: logged, status err). */
static int bgsave_start_with(const rdb_save_opts *repl_opts) {
    if (childproc_active()) return -1;
    snap.saves++;
    snap.dirty_before_bgsave = server.dirty;
    snap.lastbgsave_try = time(NULL);
    pid_t pid = childproc_fork(CHILD_RDB);
    if (pid == 0) {
        int rc = save_to(cfg.dbfilename, repl_opts);
        if (rc == 0) childproc_child_send_cow(child_keys_saved);
        childproc_child_exit(rc == 0 ? 0 : 1);
    }
    if (pid == -1) {
        snap.lastbgsave_ok = 0;
        log_warning("Can't save in background: fork: %s", strerror(errno));
        return -1;
    }
    log_notice("Background saving started by pid %ld", (long)pid);
    snap.save_time_start = time(NULL);
    return 0;
}

static int bgsave_start(void) {
    return bgsave_start_with(NULL);
}

/* ---------------------------------------------------------- replication */

/* The running CHILD_RDB child writes to replicas' sockets (a pipe), not
 * to the dump file: its end is no save. */
static int child_is_socket;
static snapshot_repl_done_fn *repl_done_hook;

int snapshot_bgsave_for_replication(const rdb_save_opts *opts) {
    child_is_socket = 0;
    return bgsave_start_with(opts);
}

pid_t snapshot_fork_for_replication(void) {
    if (childproc_active()) {
        errno = EBUSY;
        return -1;
    }
    pid_t pid = childproc_fork(CHILD_RDB);
    if (pid > 0) {
        child_is_socket = 1;
        snap.save_time_start = time(NULL);
    }
    return pid;
}

void snapshot_set_repl_done_hook(snapshot_repl_done_fn *fn) {
    repl_done_hook = fn;
}

size_t snapshot_child_keys_saved(void) {
    return child_keys_saved;
}

void snapshot_after_flushall(void) {
    if (childproc_kind() == CHILD_RDB) childproc_kill();
    if (cfg.save_param_count > 0) snapshot_save_sync();
}

static void bgsave_done(int exitcode, int bysignal) {
    if (child_is_socket) {
        child_is_socket = 0;
        if (!bysignal && exitcode == 0) log_notice("Background RDB transfer terminated with success");
        else if (!bysignal) log_warning("Background RDB transfer error");
        else log_warning("Background RDB transfer terminated by signal %d", bysignal);
        snap.save_time_start = -1;
        if (repl_done_hook) repl_done_hook(!bysignal && exitcode == 0, 1);
        return;
    }
    if (!bysignal && exitcode == 0) {
        log_notice("Background saving terminated with success");
        server.dirty -= snap.dirty_before_bgsave;
        snap.lastsave = time(NULL);
        snap.lastsave_data = vclock_s();
        snap.lastbgsave_ok = 1;
    } else if (!bysignal) {
        log_warning("Background saving error");
        snap.lastbgsave_ok = 0;
    } else {
        /* SIGUSR1 is a kill on purpose (SHUTDOWN, FLUSHALL): no error. */
        if (!snap.shutting_down) log_warning("Background saving terminated by signal %d", bysignal);
        char tmp[TEMP_NAME_LEN];
        snprintf(tmp, sizeof(tmp), "temp-%d.rdb", (int)childproc_pid());
        unlink(tmp);
        if (bysignal != SIGUSR1) snap.lastbgsave_ok = 0;
    }
    snap.save_time_last = (long long)(time(NULL) - snap.save_time_start);
    snap.save_time_start = -1;
    /* Replicas waiting for this file (or for the next child) learn it. */
    if (repl_done_hook) repl_done_hook(!bysignal && exitcode == 0, 0);
}

void snapshot_reset_stats(void) {
    snap.saves = 0;
}

void snapshot_init(void) {
    snap.lastsave = time(NULL);
    snap.lastsave_data = vclock_s();
    childproc_set_done_handler(CHILD_RDB, bgsave_done);
    rdb_set_save_progress_hook(save_progress);
}

void snapshot_cron(void) {
    if (childproc_active() || snap.loading) return;
    time_t now = time(NULL);
    int may_retry = now - snap.lastbgsave_try > CONFIG_BGSAVE_RETRY_DELAY_SEC || snap.lastbgsave_ok;
    if (snap.bgsave_scheduled && may_retry) {
        if (bgsave_start() == 0) snap.bgsave_scheduled = 0;
        return;
    }
    for (int i = 0; i < cfg.save_param_count; i++) {
        const struct config_save_param *sp = &cfg.save_params[i];
        if (server.dirty >= sp->changes && now - snap.lastsave > sp->seconds && may_retry) {
            log_notice("%lld changes in %lld seconds. Saving...", sp->changes, sp->seconds);
            bgsave_start();
            break;
        }
    }
}

/* ---------------------------------------------------------- shutdown */

int snapshot_on_shutdown(int flags) {
    int force = flags & SHUTDOWN_FORCE;
    snap.shutting_down = 1;
    if (childproc_kind() == CHILD_RDB) {
        log_warning("There is a child saving an .rdb. Killing it!");
        childproc_kill();
    }
    if (aof_is_enabled()) {
        if (childproc_kind() == CHILD_AOF) {
            log_warning("There is a child rewriting the AOF. Killing it!");
            childproc_kill();
        }
        if (aof_on_shutdown() == -1 && !force) goto error;
    }
    if ((cfg.save_param_count > 0 && !(flags & SHUTDOWN_NOSAVE)) || (flags & SHUTDOWN_SAVE)) {
        log_notice("Saving the final RDB snapshot before exiting.");
        if (snapshot_save_sync() == -1) {
            if (!force) {
                log_warning("Error trying to save the DB, can't exit.");
                goto error;
            }
            log_warning("Error trying to save the DB. Exit anyway.");
        }
    }
    return 0;
error:
    snap.shutting_down = 0;
    return -1;
}

/* ---------------------------------------------------------- MISCONF */

sds snapshot_write_error(void) {
    if (!cfg.stop_writes_on_bgsave_error || cfg.save_param_count == 0 || snap.lastbgsave_ok) return NULL;
    return sds_new("-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
                   "disk. Commands that may modify the data set are disabled, because this instance is configured "
                   "to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). "
                   "Please check the Redis logs for details about the RDB error.");
}

/* ---------------------------------------------------------- loading */

static void (*loading_signal_fn)(void);
static void (*loading_exchange_fn)(void);

static void loading_hook(size_t loaded) {
    snapshot_loading_progress((off_t)loaded);
}

void snapshot_loading_begin(off_t total_bytes) {
    snap.loading = 1;
    snap.async_loading = 0;
    snap.loading_start_time = time(NULL);
    snap.loading_start_ms = mstime();
    snap.loading_total_bytes = total_bytes;
    snap.loading_loaded_bytes = 0;
    snap.loading_events_last_ms = 0;
}

void snapshot_loading_progress(off_t loaded_bytes) {
    snap.loading_loaded_bytes = loaded_bytes;
    long long now = mstime();
    if (now - snap.loading_events_last_ms < LOADING_EVENTS_PERIOD_MS) return;
    snap.loading_events_last_ms = now;
    loading_serve();
}

/* Serves clients (they get -LOADING) and reacts to SIGTERM/SIGINT. A few
 * passes, as Redis makes, so a new connection is accepted, read and
 * answered at one progress point. */
#define LOADING_EVENT_PASSES 4
static void loading_serve(void) {
    /* A swapdb load puts the dataset clients see back for the passes (the
     * exchange is its own inverse: the same call takes it out again). */
    void (*exchange)(void) = loading_exchange_fn;
    if (exchange) exchange();
    for (int i = 0; i < LOADING_EVENT_PASSES; i++) {
        int n = ae_process_events(server.el,
                                  AE_FILE_EVENTS | AE_DONT_WAIT | AE_CALL_BEFORE_SLEEP | AE_CALL_AFTER_SLEEP);
        if (n <= 0) break;
    }
    if (exchange) exchange();
    if (server.shutdown_asap && loading_signal_fn) loading_signal_fn();
}

void snapshot_loading_set_exchange(void (*fn)(void)) {
    loading_exchange_fn = fn;
}

void snapshot_loading_set_async(int on) {
    snap.async_loading = on != 0;
}

int snapshot_async_loading(void) { return snap.loading && snap.async_loading; }

/* key-load-delay: r's reads sleep first. */
static void loading_delay_reads(rio *r) {
    if (!cfg.key_load_delay) return;
    file_read_orig = r->read;
    r->read = delayed_read;
}

void snapshot_loading_attach(rio *r) {
    rdb_set_progress_hook(loading_hook);
    loading_delay_reads(r);
}

int snapshot_load_file(const char *path, rdb_load_stats *ls) {
    rdb_set_progress_hook(loading_hook);
    int rc = rdb_load_file_via(path, 0, ls, loading_delay_reads);
    rdb_set_progress_hook(NULL);
    return rc;
}

void snapshot_loading_detach(void) {
    rdb_set_progress_hook(NULL);
}

void snapshot_loading_record(const rdb_load_stats *ls) {
    snap.last_load_keys_loaded = ls->keys_loaded;
    snap.last_load_keys_expired = ls->keys_expired;
}

void snapshot_set_loading_signal_hook(void (*fn)(void)) {
    loading_signal_fn = fn;
}

void snapshot_loading_end(void) {
    snap.loading = 0;
    snap.async_loading = 0;
}

int snapshot_loading(void) { return snap.loading; }

/* Redis's start-up: a missing file is an empty dataset; anything else that
 * fails to load stops the server rather than serve (and later save over
 * the file) a partial dataset. */
void snapshot_load_at_start(void) {
    long long start = ustime();
    FILE *fp = fopen(cfg.dbfilename, "r");
    if (fp == NULL) {
        if (errno == ENOENT) return;
        log_warning("Fatal error loading the DB: %s. Exiting.", strerror(errno));
        exit(1);
    }
    struct stat st;
    snapshot_loading_begin(fstat(fileno(fp), &st) == 0 ? st.st_size : 0);
    fclose(fp);
    rdb_load_stats ls = {0};
    int rc = snapshot_load_file(cfg.dbfilename, &ls);
    snapshot_loading_end();
    if (rc != RDB_OK) {
        /* rdb.c logged the offset and the reason. */
        log_warning("Terminating server after rdb file reading failure.");
        exit(1);
    }
    snapshot_loading_record(&ls);
    memcpy(snap.loaded_repl_id, ls.repl_id, sizeof(snap.loaded_repl_id));
    snap.loaded_repl_offset = ls.repl_offset;
    snap.loaded_repl_db = ls.repl_stream_db;
    log_notice("DB loaded from disk: %.3f seconds", (double)(ustime() - start) / 1000000);
}

/* ---------------------------------------------------------- INFO */

sds snapshot_info_fields(sds s) {
    childproc_stats cs;
    childproc_get_stats(&cs);
    time_t now = time(NULL);
    int bgsave = childproc_kind() == CHILD_RDB;
    /* While loading, the load's own counts so far, as Redis shows them. */
    const rdb_load_stats *cur = snap.loading ? rdb_load_current() : NULL;
    return sds_cat_printf(s,
                          "loading:%d\r\n"
                          "async_loading:%d\r\n"
                          "current_cow_peak:%zu\r\n"
                          "current_cow_size:%zu\r\n"
                          "current_cow_size_age:%lu\r\n"
                          "current_fork_perc:%.2f\r\n"
                          "current_save_keys_processed:%zu\r\n"
                          "current_save_keys_total:%zu\r\n"
                          "rdb_changes_since_last_save:%lld\r\n"
                          "rdb_bgsave_in_progress:%d\r\n"
                          "rdb_last_save_time:%lld\r\n"
                          "rdb_last_bgsave_status:%s\r\n"
                          "rdb_last_bgsave_time_sec:%lld\r\n"
                          "rdb_current_bgsave_time_sec:%lld\r\n"
                          "rdb_saves:%lld\r\n"
                          "rdb_last_cow_size:%zu\r\n"
                          "rdb_last_load_keys_expired:%lld\r\n"
                          "rdb_last_load_keys_loaded:%lld\r\n",
                          snap.loading && !snap.async_loading, snap.loading && snap.async_loading,
                          cs.current_cow_peak, cs.current_cow_size, cs.current_cow_size_age,
                          cs.current_fork_perc, cs.current_save_keys_processed, cs.current_save_keys_total,
                          server.dirty, bgsave, snap.lastsave_data, snap.lastbgsave_ok ? "ok" : "err",
                          snap.save_time_last,
                          bgsave && snap.save_time_start != -1 ? (long long)(now - snap.save_time_start) : -1LL,
                          snap.saves, cs.rdb_last_cow_size, cur ? cur->keys_expired : snap.last_load_keys_expired,
                          cur ? cur->keys_loaded : snap.last_load_keys_loaded);
}

sds snapshot_info_loading(sds s) {
    if (!snap.loading) return s;
    /* A stream of unknown length (a diskless sync's EOF mark) measures
     * progress against the memory the RDB says its dataset used, as
     * Redis does. */
    const rdb_load_stats *cur = rdb_load_current();
    long long used_mem = cur ? cur->used_mem : 0;
    long long total = snap.loading_total_bytes ? (long long)snap.loading_total_bytes : used_mem;
    double perc = (double)snap.loading_loaded_bytes / (double)(total + 1) * 100;
    long long elapsed = (long long)(time(NULL) - snap.loading_start_time);
    long long eta = 1;
    if (elapsed && snap.loading_loaded_bytes)
        eta = elapsed * total / (long long)snap.loading_loaded_bytes - elapsed;
    return sds_cat_printf(s,
                          "loading_start_time:%lld\r\n"
                          "loading_total_bytes:%lld\r\n"
                          "loading_rdb_used_mem:%lld\r\n"
                          "loading_loaded_bytes:%lld\r\n"
                          "loading_loaded_perc:%.2f\r\n"
                          "loading_eta_seconds:%lld\r\n",
                          (long long)snap.loading_start_time, (long long)snap.loading_total_bytes, used_mem,
                          (long long)snap.loading_loaded_bytes, perc, eta);
}

/* ---------------------------------------------------------- commands */

static void save_command(client *c) {
    if (childproc_kind() == CHILD_RDB) {
        reply_error(c, "Background save already in progress");
        return;
    }
    snap.saves++; /* rdb_saves counts SAVE and BGSAVE attempts, as Redis's */
    if (snapshot_save_sync() == 0) reply_ok(c);
    else reply_error(c, "-ERR");
}

static void bgsave_command(client *c) {
    int schedule = 0;
    if (c->argc > 1) {
        if (c->argc == 2 && strcasecmp(c->argv[1], "schedule") == 0) {
            schedule = 1;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    int in_exec = (c->flags & CLIENT_IN_EXEC) != 0;
    if (childproc_kind() == CHILD_RDB) {
        reply_error(c, "Background save already in progress");
    } else if (childproc_active() || in_exec) {
        if (schedule || in_exec) {
            snap.bgsave_scheduled = 1;
            reply_status(c, "Background saving scheduled");
        } else {
            reply_error(c, "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE "
                           "in order to schedule a BGSAVE whenever possible.");
        }
    } else if (bgsave_start() == 0) {
        reply_status(c, "Background saving started");
    } else {
        reply_error(c, "-ERR");
    }
}

static void lastsave_command(client *c) {
    reply_integer(c, snap.lastsave_data);
}

redis_command snapshot_commands[] = {
    {.name = "save", .proc = save_command, .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI, .group = "server", .since = "1.0.0",
     .summary = "Synchronously save the dataset to disk",
     .complexity = "O(N) where N is the total number of keys in all databases"},
    {.name = "bgsave", .proc = bgsave_command, .arity = -1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING, .group = "server", .since = "1.0.0",
     .summary = "Asynchronously save the dataset to disk",
     .complexity = "O(1)"},
    {.name = "lastsave", .proc = lastsave_command, .arity = 1, .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl = ACL_ADMIN | ACL_DANGEROUS, .tips = "nondeterministic_output", .group = "server", .since = "1.0.0",
     .summary = "Get the UNIX time stamp of the last successful save to disk", .complexity = "O(1)"},
    {0}};
