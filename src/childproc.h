/* childproc.h -- the one place that forks: the background child that
 * writes a snapshot (BGSAVE) or rewrites the AOF (BGREWRITEAOF).
 *
 * As in Redis, at most one child runs at a time. The parent learns that
 * the child ended from the cron (waitpid with WNOHANG), which then calls
 * the done handler registered for the child's kind. While the child runs,
 * it reports its copy-on-write size and the keys it has processed through
 * a pipe; the parent shows them in INFO (current_cow_*, current_fork_perc,
 * current_save_keys_*, rdb_last_cow_size / aof_last_cow_size, and the
 * stats latest_fork_usec / total_forks).
 *
 * Typical use (parent side):
 *
 *     childproc_set_done_handler(CHILD_RDB, bgsave_done);   // once, at start
 *     pid_t pid = childproc_fork(CHILD_RDB);
 *     if (pid == 0) {                 // in the child
 *         int ok = write_the_file(...);   // calls childproc_child_progress()
 *         childproc_child_send_cow(ok ? keys : 0);
 *         childproc_child_exit(ok ? 0 : 1);
 *     } else if (pid == -1) {         // errno: EBUSY (a child runs) or fork's
 *         ...
 *     }
 */
#ifndef MINIRED_CHILDPROC_H
#define MINIRED_CHILDPROC_H

#include <stddef.h>
#include <sys/types.h>

#include "sds.h"

/* What a child does (INFO and the done handler tell them apart). */
enum childproc_kind {
    CHILD_NONE = 0,
    CHILD_RDB = 1, /* BGSAVE, SHUTDOWN never forks */
    CHILD_AOF = 2, /* BGREWRITEAOF */
    CHILD_LDB = 3, /* SCRIPT DEBUG YES session (childproc_fork_ldb) */
    CHILD_KIND_COUNT
};

/* Called in the parent, from the cron, once the child has ended:
 * exitcode is its exit status (0: success), bysignal the signal that
 * killed it (0: it exited). SIGUSR1 means childproc_kill() stopped it on
 * purpose: Redis records no error for that. childproc_pid() and
 * childproc_kind() still describe the ended child during the call (the
 * temp file is named after the pid); afterwards no child is active. */
typedef void childproc_done_fn(int exitcode, int bysignal);
void childproc_set_done_handler(int kind, childproc_done_fn *fn);

/* Forks a child of the given kind. Returns 0 in the child, the child's pid
 * in the parent, or -1 with errno set: EBUSY when a child already runs
 * (only one at a time, as Redis allows), else fork's own errno (the
 * caller logs it: "Can't save in background: fork: %s").
 * In the child: the listening sockets are closed (a restarted server can
 * bind while an old child still writes), SIGTERM/SIGINT get their default
 * action back, log lines carry the role 'C'. In the parent: total_forks
 * and latest_fork_usec are updated and dict resizing is disabled until the
 * child ends, so copy-on-write stays small. */
pid_t childproc_fork(int kind);

/* Forks the child of a SCRIPT DEBUG YES session. As in Redis these run
 * beside the one BGSAVE/BGREWRITEAOF child (several at once, none counted
 * by childproc_active or INFO): the child gets the same setup, and the
 * cron reaps them. Returns as fork does (0 in the child, -1 on error). */
pid_t childproc_fork_ldb(void);
/* Debugging-session children not yet reaped. */
int childproc_ldb_children(void);

/* 1 while a child runs (until its done handler has been called). */
int childproc_active(void);
/* CHILD_NONE, CHILD_RDB or CHILD_AOF. */
int childproc_kind(void);
/* The running child's pid, or -1. */
pid_t childproc_pid(void);
/* Unix time (seconds) the running child was forked; 0 when none. */
time_t childproc_start_time(void);

/* Stops the running child (SIGUSR1, which Redis treats as "killed on
 * purpose", no error recorded), waits for it to exit and calls its done
 * handler with bysignal = SIGUSR1. Nothing when no child runs. */
void childproc_kill(void);

/* Cron work: reads what the child reported and reaps it when it ended
 * (calling the done handler). Cheap when no child runs. */
void childproc_cron(void);

/* ------------------------------------------------------------ in the child */

/* 1 in a child made by childproc_fork (e.g. to skip work only the parent
 * does). */
int childproc_in_child(void);
/* Progress of the child's work: keys processed so far. At most once a
 * second (the call is cheap otherwise) it measures the copy-on-write size
 * and sends both to the parent (INFO current_cow_size,
 * current_save_keys_processed, current_fork_perc). */
void childproc_child_progress(size_t keys_processed);
/* At the end of successful work: measures copy-on-write once more, logs
 * "Fork CoW for <RDB|AOF rewrite>: current N MB, peak N MB, average N MB"
 * as Redis does, and sends it to the
 * parent (INFO rdb_last_cow_size / aof_last_cow_size). */
void childproc_child_send_cow(size_t keys_processed);
/* Leaves the child at once (_exit: no atexit handlers, no stdio flush of
 * the parent's buffers, nothing big freed). */
void childproc_child_exit(int code) __attribute__((noreturn));

/* ------------------------------------------------------------ INFO */

typedef struct childproc_stats {
    size_t current_cow_peak;           /* bytes, during the running child */
    size_t current_cow_size;
    unsigned long current_cow_size_age; /* seconds since the last report */
    double current_fork_perc;          /* keys processed / total * 100 */
    size_t current_save_keys_processed;
    size_t current_save_keys_total;
    size_t rdb_last_cow_size;          /* of the last successful RDB child */
    size_t aof_last_cow_size;          /* of the last successful AOF child */
    long long total_forks;
    long long latest_fork_usec;
} childproc_stats;
void childproc_get_stats(childproc_stats *st);
/* CONFIG RESETSTAT: total_forks and latest_fork_usec back to 0. */
void childproc_reset_stats(void);

/* Sum of Private_Dirty of this process (/proc/self/smaps), in bytes: what
 * a forked child has copied so far. 0 where /proc is not available. */
size_t childproc_private_dirty_bytes(void);

#endif
