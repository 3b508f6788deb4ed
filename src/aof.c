/* aof.c -- the append-only file's runtime: a consumer of the effects
 * stream that buffers each unit, the write of that buffer in before-sleep
 * (before any reply leaves), fsync per appendfsync, write errors and the
 * MISCONF refusal they cause, turning the AOF on and off, and INFO.
 *
 * Invariant: with appendfsync always, bytes of a unit are written and
 * fsynced before the reply of the command that produced them can be sent
 * (aof_before_sleep runs before replies are written, and a reply written
 * from a writable event flushes first). The only thread here fsyncs and
 * closes files; it touches nothing else. */
#include "aof_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "childproc.h"
#include "config.h"
#include "log.h"
#include "propagate.h"
#include "server.h"
#include "zmalloc.h"

/* Error lines of a failing write are repeated at most this often. */
#define AOF_WRITE_LOG_ERROR_RATE_SEC 30

struct aof_state aof = {
    .fd = -1,
    .child_pid = -1,
    .rewrite_time_start = -1,
    .rewrite_time_last = -1,
    .last_bgrewrite_ok = 1,
    .last_write_ok = 1,
};

static int aof_fsync(int fd) {
#ifdef __linux__
    return fdatasync(fd);
#else
    return fsync(fd);
#endif
}

/* ---------------------------------------------------------- fsync thread */

/* Jobs run in order, so a close queued after an fsync of the same fd
 * never closes it under the fsync. They come from libc's malloc, not
 * zmalloc: the thread frees them, and zmalloc's slabs are main-thread only. */
typedef struct bio_job {
    struct bio_job *next;
    int fd;
    int close; /* close after the fsync */
} bio_job;

static pthread_mutex_t bio_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bio_cv = PTHREAD_COND_INITIALIZER;
static bio_job *bio_head, *bio_tail;
static int bio_started;
static int bio_pending_fsync; /* fsync jobs queued or running (INFO) */
static int bio_fsync_errno;   /* last background fsync failure, 0: ok */

static void *bio_main(void *arg) {
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals belong to the main thread */
    pthread_mutex_lock(&bio_mu);
    for (;;) {
        while (bio_head == NULL) pthread_cond_wait(&bio_cv, &bio_mu);
        bio_job *j = bio_head;
        pthread_mutex_unlock(&bio_mu);
        int err = 0;
        if (aof_fsync(j->fd) == -1 && errno != EBADF && errno != EINVAL) err = errno;
        if (j->close) close(j->fd);
        pthread_mutex_lock(&bio_mu);
        if (!j->close) {
            bio_fsync_errno = err;
            bio_pending_fsync--;
        }
        bio_head = j->next;
        if (bio_head == NULL) bio_tail = NULL;
        free(j);
    }
    return NULL;
}

static void bio_submit(int fd, int close_it) {
    bio_job *j = malloc(sizeof(*j));
    if (j == NULL) abort();
    *j = (bio_job){.fd = fd, .close = close_it};
    pthread_mutex_lock(&bio_mu);
    if (!bio_started) {
        pthread_t t;
        if (pthread_create(&t, NULL, bio_main, NULL) != 0) {
            pthread_mutex_unlock(&bio_mu);
            /* No thread: do it here, slower but still correct. */
            aof_fsync(fd);
            if (close_it) close(fd);
            free(j);
            return;
        }
        pthread_detach(t);
        bio_started = 1;
    }
    if (bio_tail) bio_tail->next = j;
    else bio_head = j;
    bio_tail = j;
    if (!close_it) bio_pending_fsync++;
    pthread_cond_signal(&bio_cv);
    pthread_mutex_unlock(&bio_mu);
}

static int bio_fsync_pending(void) {
    pthread_mutex_lock(&bio_mu);
    int n = bio_pending_fsync;
    pthread_mutex_unlock(&bio_mu);
    return n;
}

static int bio_fsync_error(void) {
    pthread_mutex_lock(&bio_mu);
    int e = bio_fsync_errno;
    pthread_mutex_unlock(&bio_mu);
    return e;
}

void aof_bg_close(int fd) {
    if (fd != -1) bio_submit(fd, 1);
}

/* ---------------------------------------------------------- feeding */

sds aof_cat_timestamp(sds s, int force) {
    if (!cfg.aof_timestamp_enabled) return s;
    long long now = (long long)time(NULL);
    if (!force && aof.cur_timestamp >= now) return s;
    aof.cur_timestamp = now;
    return sds_cat_printf(s, "#TS:%lld\r\n", now);
}

/* The effects stream's consumer: one unit, SELECT and MULTI/EXEC already
 * in place. While waiting for the first rewrite, only what happens after
 * its fork needs keeping (the child's base holds the rest). */
static void aof_feed(const char *buf, size_t len, void *ctx) {
    (void)ctx;
    if (aof.status == AOF_WAIT_REWRITE && aof.child_pid == -1) return;
    aof.buf = aof_cat_timestamp(aof.buf, 0);
    aof.buf = sds_cat_len(aof.buf, buf, len);
}

static int feeding; /* aof_feed is registered with the effects stream */

static void feed_start(void) {
    if (!feeding) prop_add_consumer(aof_feed, NULL);
    feeding = 1;
}

static void feed_stop(void) {
    if (feeding) prop_remove_consumer(aof_feed, NULL);
    feeding = 0;
}

void aof_feed_pause(int pause) {
    if (pause) feed_stop();
    else if (aof.status != AOF_OFF) feed_start();
}

void aof_reset_select(void) {
    /* A newly added consumer is told the database first (propagate.c). */
    if (!feeding) return;
    feed_stop();
    feed_start();
}

/* ---------------------------------------------------------- writing */

int aof_open_append(const char *name) {
    sds path = aof_path(name);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    sds_free(path);
    return fd;
}

static void log_write_error(ssize_t nwritten, size_t expected, int err) {
    time_t now = time(NULL);
    if (now - aof.last_write_error_log < AOF_WRITE_LOG_ERROR_RATE_SEC) return;
    aof.last_write_error_log = now;
    if (nwritten == -1)
        log_warning("Error writing to the AOF file: %s", strerror(err));
    else
        log_warning("Short write while writing to the AOF file: (nwritten=%lld, expected=%lld)",
                    (long long)nwritten, (long long)expected);
}

/* A failed or short write: what Redis does (exit under "always", else
 * keep what was written, remember the error and refuse writes). */
static void handle_write_error(ssize_t nwritten, size_t expected, int err) {
    log_write_error(nwritten, expected, err);
    if (nwritten > 0) {
        /* Take the partial command back out, so the file stays loadable. */
        if (ftruncate(aof.fd, (off_t)aof.last_incr_size) == -1) {
            log_warning("Could not remove short write from the append-only file.  Redis may refuse to load the "
                        "AOF the next time it starts.  ftruncate: %s", strerror(errno));
        } else {
            nwritten = -1;
        }
        err = ENOSPC;
    }
    if (cfg.appendfsync == APPENDFSYNC_ALWAYS) {
        log_warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
        exit(1);
    }
    aof.last_write_ok = 0;
    aof.last_write_errno = err;
    if (nwritten > 0) {
        aof.current_size += nwritten;
        aof.last_incr_size += nwritten;
        sds_range(aof.buf, nwritten, -1);
    }
}

static ssize_t write_all(int fd, const char *p, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n == -1) {
            if (errno == EINTR) continue;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static void try_fsync(void) {
    if (cfg.no_appendfsync_on_rewrite && aof_child_active()) return;
    time_t now = time(NULL);
    if (cfg.appendfsync == APPENDFSYNC_ALWAYS) {
        if (aof_fsync(aof.fd) == -1) {
            log_warning("Can't persist AOF for fsync error when the AOF fsync policy is 'always': %s. Exiting...",
                        strerror(errno));
            exit(1);
        }
        aof.fsync_offset = aof.current_size;
        aof.last_fsync = now;
    } else if (cfg.appendfsync == APPENDFSYNC_EVERYSEC && now > aof.last_fsync) {
        if (!bio_fsync_pending()) {
            bio_submit(aof.fd, 0);
            aof.fsync_offset = aof.current_size;
        }
        aof.last_fsync = now;
    }
}

static long aof_flush_sleep_us; /* DEBUG AOF-FLUSH-SLEEP */

void aof_set_flush_sleep(long us) {
    aof_flush_sleep_us = us;
}

void aof_flush(int force) {
    if (aof.fd == -1) return;
    if (aof.buf == NULL || sds_len(aof.buf) == 0) {
        /* Nothing new, but an everysec fsync may still be due for what an
         * earlier pass wrote. */
        if (cfg.appendfsync == APPENDFSYNC_EVERYSEC && aof.fsync_offset != aof.current_size &&
            time(NULL) > aof.last_fsync && !bio_fsync_pending() &&
            !(cfg.no_appendfsync_on_rewrite && aof_child_active())) {
            bio_submit(aof.fd, 0);
            aof.fsync_offset = aof.current_size;
            aof.last_fsync = time(NULL);
        }
        return;
    }
    if (cfg.appendfsync == APPENDFSYNC_EVERYSEC && !force && bio_fsync_pending()) {
        /* write(2) would block behind the running fsync: wait up to two
         * seconds before writing anyway, as Redis does. */
        time_t now = time(NULL);
        if (aof.flush_postponed_start == 0) {
            aof.flush_postponed_start = now;
            return;
        }
        if (now - aof.flush_postponed_start < AOF_MAX_FSYNC_POSTPONE_SEC) return;
        aof.delayed_fsync++;
        log_notice("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without "
                   "waiting for fsync to complete, this may slow down Redis.");
    }
    if (aof_flush_sleep_us > 0) usleep((useconds_t)aof_flush_sleep_us);
    size_t len = sds_len(aof.buf);
    ssize_t n = write_all(aof.fd, aof.buf, len);
    aof.flush_postponed_start = 0;
    if (n != (ssize_t)len) {
        handle_write_error(n, len, n == -1 ? errno : ENOSPC);
        return;
    }
    if (!aof.last_write_ok) {
        log_warning("AOF write error looks solved, Redis can write again.");
        aof.last_write_ok = 1;
    }
    aof.current_size += n;
    aof.last_incr_size += n;
    if (sds_alloc(aof.buf) < AOF_BUF_REUSE_BYTES) {
        sds_clear(aof.buf);
    } else {
        sds_free(aof.buf);
        aof.buf = sds_empty();
    }
    try_fsync();
}

void aof_before_sleep(void) {
    if (aof.status != AOF_OFF) aof_flush(0);
}

void aof_flush_before_reply(void) {
    if (aof.status != AOF_OFF && cfg.appendfsync == APPENDFSYNC_ALWAYS && aof.buf && sds_len(aof.buf))
        aof_flush(1);
}

void aof_cron(void) {
    if (aof.status != AOF_OFF && aof.flush_postponed_start) aof_flush(0);
    /* A failed write is retried every pass: writes come back once it
     * succeeds. */
    if (aof.status != AOF_OFF && !aof.last_write_ok) aof_flush(0);
    aof_rewrite_cron();
}

/* ---------------------------------------------------------- on and off */

static void aof_stop(void) {
    aof_flush(1);
    if (aof.fd != -1) {
        if (aof_fsync(aof.fd) == -1) log_warning("Fail to fsync the AOF file: %s", strerror(errno));
        close(aof.fd);
        aof.fd = -1;
    }
    aof.fsync_offset = aof.current_size;
    aof.status = AOF_OFF;
    aof.rewrite_scheduled = 0;
    aof_rewrite_kill();
    feed_stop();
    sds_free(aof.buf);
    aof.buf = NULL;
}

/* CONFIG SET appendonly yes: the base is made by a rewrite, whose incr file
 * receives what happens meanwhile. */
static int aof_start(void) {
    if (aof.child_pid != -1) {
        log_warning("AOF was enabled but there is already an AOF rewriting in background. Stopping background "
                    "AOF and starting a rewrite now.");
        aof_rewrite_kill();
    }
    aof.status = AOF_WAIT_REWRITE;
    if (aof.buf == NULL) aof.buf = sds_empty();
    feed_start();
    if (aof_child_active()) {
        aof.rewrite_scheduled = 1;
        log_warning("AOF was enabled but there is already another background operation. An AOF background was "
                    "scheduled to start when possible.");
    } else if (aof_rewrite_start() == -1) {
        aof.status = AOF_OFF;
        feed_stop();
        log_warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check "
                    "the above logs for more info about the error.");
        return -1;
    }
    aof.last_fsync = time(NULL);
    return 0;
}

int aof_config_changed(char *err, size_t errlen) {
    if (cfg.appendonly && aof.status == AOF_OFF) {
        if (aof_start() == -1) {
            snprintf(err, errlen, "Unable to turn on AOF. Check server logs.");
            return -1;
        }
    } else if (!cfg.appendonly && aof.status != AOF_OFF) {
        aof_stop();
    }
    return 0;
}

void aof_open_at_start(void) {
    if (!cfg.appendonly) return;
    /* History left by a crash between a rewrite's manifest and its
     * deletions goes now, as Redis does at start. */
    if (aof.mf && aof.mf->hist_len) aof_manifest_delete_history(aof.mf);
    if (aof_dir_create() == -1) {
        log_warning("Can't open or create append-only dir %s: %s", cfg.appenddirname, strerror(errno));
        exit(1);
    }
    if (aof.mf == NULL) aof.mf = aof_manifest_new();
    aof_manifest *mf = aof.mf;
    int dirty = 0;
    if (mf->base == NULL && mf->incr_len == 0) {
        sds name = aof_manifest_new_base(mf, aof_base_is_rdb());
        sds path = aof_path(name);
        log_notice("Creating AOF base file %s on server start", name);
        if (aof_write_base(path) == -1) {
            log_warning("Can't create the AOF base file %s: %s", name, strerror(errno));
            exit(1);
        }
        sds_free(path);
        sds_free(name);
        dirty = 1;
    }
    const char *incr;
    sds created = NULL;
    if (mf->incr_len == 0) {
        created = aof_manifest_new_incr(mf);
        incr = created;
        log_notice("Creating AOF incr file %s on server start", incr);
        dirty = 1;
    } else {
        incr = mf->incr[mf->incr_len - 1].name;
        log_notice("Opening AOF incr file %s on server start", incr);
    }
    aof.fd = aof_open_append(incr);
    if (aof.fd == -1) {
        log_warning("Can't open the append-only file %s: %s", incr, strerror(errno));
        exit(1);
    }
    if (dirty && aof_manifest_persist(mf) == -1) {
        log_warning("Can't persist the AOF manifest on server start");
        exit(1);
    }
    aof.last_incr_size = aof_file_size(incr);
    sds_free(created);
    aof.status = AOF_ON;
    aof.buf = sds_empty();
    aof.fsync_offset = aof.current_size;
    aof.last_fsync = time(NULL);
    feed_start();
}

int aof_on_shutdown(void) {
    if (aof.child_pid != -1) {
        log_warning("There is a child rewriting the AOF. Killing it!");
        aof_rewrite_kill();
    }
    if (aof.status == AOF_OFF) return 0;
    log_notice("Calling fsync() on the AOF file.");
    aof_flush(1);
    if (aof.buf && sds_len(aof.buf)) return -1;
    if (aof.fd != -1 && aof_fsync(aof.fd) == -1) {
        log_warning("Fail to fsync the AOF file: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- questions */

int aof_is_enabled(void) {
    return aof.status != AOF_OFF;
}

int aof_child_active(void) {
    return childproc_active();
}

int aof_rewrite_in_progress(void) {
    return aof.child_pid != -1;
}

sds aof_write_refusal(void) {
    if (aof.status == AOF_OFF) return NULL;
    int err = !aof.last_write_ok ? aof.last_write_errno : bio_fsync_error();
    if (err == 0) return NULL;
    return sds_cat_printf(sds_empty(), "-MISCONF Errors writing to the AOF file: %s", strerror(err));
}

size_t aof_buffer_mem(void) {
    return aof.buf ? sds_alloc(aof.buf) : 0;
}

sds aof_info_fields(sds s) {
    int write_ok = aof.last_write_ok && bio_fsync_error() == 0;
    childproc_stats cs;
    childproc_get_stats(&cs);
    long long cur = aof.child_pid != -1 ? (long long)(time(NULL) - aof.rewrite_time_start) : -1;
    return sds_cat_printf(s,
                          "aof_enabled:%d\r\n"
                          "aof_rewrite_in_progress:%d\r\n"
                          "aof_rewrite_scheduled:%d\r\n"
                          "aof_last_rewrite_time_sec:%lld\r\n"
                          "aof_current_rewrite_time_sec:%lld\r\n"
                          "aof_last_bgrewrite_status:%s\r\n"
                          "aof_rewrites:%lld\r\n"
                          "aof_rewrites_consecutive_failures:%lld\r\n"
                          "aof_last_write_status:%s\r\n"
                          "aof_last_cow_size:%zu\r\n",
                          aof.status != AOF_OFF, aof.child_pid != -1, aof.rewrite_scheduled,
                          (long long)aof.rewrite_time_last, cur, aof.last_bgrewrite_ok ? "ok" : "err",
                          aof.stat_rewrites, aof.rewrite_failures, write_ok ? "ok" : "err", cs.aof_last_cow_size);
}

sds aof_info_extra(sds s) {
    if (aof.status == AOF_OFF) return s;
    return sds_cat_printf(s,
                          "aof_current_size:%lld\r\n"
                          "aof_base_size:%lld\r\n"
                          "aof_pending_rewrite:%d\r\n"
                          "aof_buffer_length:%zu\r\n"
                          "aof_pending_bio_fsync:%d\r\n"
                          "aof_delayed_fsync:%lld\r\n",
                          aof.current_size, aof.base_size, aof.rewrite_scheduled, aof.buf ? sds_len(aof.buf) : 0,
                          bio_fsync_pending(), aof.delayed_fsync);
}
