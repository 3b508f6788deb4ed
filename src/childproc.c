/* childproc.c -- forks the background child (snapshot or AOF rewrite),
 * reaps it from the cron and carries its progress reports (copy-on-write
 * size, keys processed) back to the parent over a pipe.
 *
 * Owns the child state and the fork statistics; nothing else forks. The
 * child must never touch the parent's clients or free anything big (every
 * page it writes is copied): it only closes the listeners and leaves with
 * _exit. At most one child exists at a time. */
#include "childproc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dict.h"
#include "log.h"
#include "monotonic.h"
#include "server.h"

/* The child measures copy-on-write (a walk over /proc/self/smaps, which
 * costs milliseconds on a big heap) at most this often. */
#define CHILD_REPORT_PERIOD_MS 1000

/* One message on the child-info pipe: small and fixed-size, so each write
 * is atomic (below PIPE_BUF) and a read sees whole messages only. */
enum { CHILD_INFO_CURRENT = 1, CHILD_INFO_FINAL = 2 };
typedef struct child_info_msg {
    int type;
    size_t keys_processed;
    size_t cow_bytes;
} child_info_msg;

static struct {
    pid_t pid;                 /* -1: none */
    int kind;
    time_t start_time;
    int info_pipe[2];          /* [0] parent reads, [1] child writes; -1 */
    int in_child;
    long long child_last_report_ms; /* in the child */
    size_t child_cow_peak, child_cow_sum, child_cow_samples; /* in the child */
    /* what the running child reported (INFO current_*) */
    size_t cow_peak, cow_size;
    long long cow_updated_ms;  /* 0: no report yet */
    size_t keys_processed, keys_total;
    /* stats */
    size_t rdb_last_cow, aof_last_cow;
    long long total_forks, latest_fork_usec;
    childproc_done_fn *done[CHILD_KIND_COUNT];
} cp = {.pid = -1, .info_pipe = {-1, -1}};

void childproc_set_done_handler(int kind, childproc_done_fn *fn) {
    if (kind > CHILD_NONE && kind < CHILD_KIND_COUNT) cp.done[kind] = fn;
}

int childproc_active(void) { return cp.pid != -1; }
int childproc_kind(void) { return cp.pid != -1 ? cp.kind : CHILD_NONE; }
pid_t childproc_pid(void) { return cp.pid; }
time_t childproc_start_time(void) { return cp.pid != -1 ? cp.start_time : 0; }
int childproc_in_child(void) { return cp.in_child; }

/* ---------------------------------------------------------- info pipe */

static void info_pipe_close(void) {
    for (int i = 0; i < 2; i++) {
        if (cp.info_pipe[i] != -1) close(cp.info_pipe[i]);
        cp.info_pipe[i] = -1;
    }
}

/* Without the pipe the child still works; INFO just shows no progress. */
static void info_pipe_open(void) {
    if (pipe(cp.info_pipe) == -1) {
        cp.info_pipe[0] = cp.info_pipe[1] = -1;
        return;
    }
    for (int i = 0; i < 2; i++) fcntl(cp.info_pipe[i], F_SETFD, FD_CLOEXEC);
    fcntl(cp.info_pipe[0], F_SETFL, O_NONBLOCK);
}

static void child_send(int type, size_t keys, size_t cow) {
    if (cp.info_pipe[1] == -1) return;
    child_info_msg m = {.type = type, .keys_processed = keys, .cow_bytes = cow};
    ssize_t w = write(cp.info_pipe[1], &m, sizeof(m));
    (void)w; /* a full pipe only loses a progress sample */
}

/* Parent: drains the pipe, keeping the latest report. */
static void info_pipe_receive(void) {
    if (cp.info_pipe[0] == -1) return;
    child_info_msg m;
    while (read(cp.info_pipe[0], &m, sizeof(m)) == (ssize_t)sizeof(m)) {
        cp.keys_processed = m.keys_processed;
        cp.cow_size = m.cow_bytes;
        if (m.cow_bytes > cp.cow_peak) cp.cow_peak = m.cow_bytes;
        cp.cow_updated_ms = mstime();
        if (m.type == CHILD_INFO_FINAL) {
            if (cp.kind == CHILD_RDB) cp.rdb_last_cow = m.cow_bytes;
            else if (cp.kind == CHILD_AOF) cp.aof_last_cow = m.cow_bytes;
        }
    }
}

/* ---------------------------------------------------------- copy-on-write */

/* smaps_rollup (Linux 4.14+) holds the same sums as smaps in one short
 * record; smaps is the fallback. Both count Private_Dirty in kB. */
size_t childproc_private_dirty_bytes(void) {
    static const char *paths[] = {"/proc/self/smaps_rollup", "/proc/self/smaps"};
    for (int p = 0; p < 2; p++) {
        FILE *fp = fopen(paths[p], "r");
        if (fp == NULL) continue;
        char line[256];
        size_t total = 0;
        while (fgets(line, sizeof(line), fp)) {
            if (strncmp(line, "Private_Dirty:", 14) == 0) total += strtoull(line + 14, NULL, 10) * 1024;
        }
        fclose(fp);
        return total;
    }
    return 0;
}

/* ---------------------------------------------------------- fork */

static size_t total_keys(void) {
    size_t n = 0;
    for (int i = 0; i < server.dbnum; i++) n += dict_size(server.dbs[i].keys);
    return n;
}

/* In the child: drop what belongs to the parent's serving. Closing (not
 * deleting from the poller) matters: the epoll set is shared with the
 * parent, and removing an fd from it here would remove it there too. */
static void child_setup(int kind) {
    cp.in_child = 1;
    cp.kind = kind;
    cp.pid = -1;
    if (cp.info_pipe[0] != -1) close(cp.info_pipe[0]);
    cp.info_pipe[0] = -1;
    for (int i = 0; i < server.listener_count; i++) close(server.listeners[i].fd);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    log_set_role('C');
    cp.child_last_report_ms = mstime();
}

pid_t childproc_fork(int kind) {
    if (cp.pid != -1) {
        errno = EBUSY;
        return -1;
    }
    info_pipe_open();
    long long start = ustime();
    pid_t pid = fork();
    if (pid == 0) {
        child_setup(kind);
        return 0;
    }
    if (pid == -1) {
        int saved = errno;
        info_pipe_close();
        errno = saved;
        return -1;
    }
    cp.latest_fork_usec = ustime() - start;
    cp.total_forks++;
    close(cp.info_pipe[1]);
    cp.info_pipe[1] = -1;
    cp.pid = pid;
    cp.kind = kind;
    cp.start_time = time(NULL);
    cp.cow_peak = cp.cow_size = 0;
    cp.cow_updated_ms = 0;
    cp.keys_processed = 0;
    cp.keys_total = total_keys();
    dict_set_resize_enabled(0);
    return pid;
}

/* SCRIPT DEBUG YES children, reaped by the cron. Redis bounds them only
 * by the clients that ask; past this many a debugging EVAL fails to fork. */
#define CHILDPROC_LDB_MAX 64
static pid_t ldb_pids[CHILDPROC_LDB_MAX];
static int ldb_npids;

pid_t childproc_fork_ldb(void) {
    if (ldb_npids == CHILDPROC_LDB_MAX) {
        errno = EAGAIN;
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        child_setup(CHILD_LDB);
        ldb_npids = 0;
        return 0;
    }
    if (pid > 0) ldb_pids[ldb_npids++] = pid;
    return pid;
}

int childproc_ldb_children(void) {
    return ldb_npids;
}

static void ldb_reap(void) {
    for (int i = 0; i < ldb_npids;) {
        int status;
        pid_t r = waitpid(ldb_pids[i], &status, WNOHANG);
        if (r == ldb_pids[i] || (r == -1 && errno == ECHILD))
            ldb_pids[i] = ldb_pids[--ldb_npids];
        else
            i++;
    }
}

/* Parent: the child is gone; hand it to its done handler, then forget it. */
static void child_ended(int status) {
    info_pipe_receive();
    int exitcode = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    int bysignal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    childproc_done_fn *fn = cp.done[cp.kind];
    if (fn) fn(exitcode, bysignal);
    info_pipe_close();
    cp.pid = -1;
    cp.kind = CHILD_NONE;
    cp.start_time = 0;
    cp.cow_peak = cp.cow_size = 0;
    cp.cow_updated_ms = 0;
    cp.keys_processed = cp.keys_total = 0;
    dict_set_resize_enabled(1);
}

void childproc_cron(void) {
    if (ldb_npids) ldb_reap();
    if (cp.pid == -1) return;
    info_pipe_receive();
    int status;
    pid_t r = waitpid(cp.pid, &status, WNOHANG);
    if (r == cp.pid) {
        child_ended(status);
    } else if (r == -1 && errno == ECHILD) {
        /* Someone else reaped it: say it failed rather than wait forever. */
        log_warning("waitpid() returned an error: %s. child_type: %s, child_pid = %d", strerror(errno),
                    cp.kind == CHILD_RDB ? "RDB" : "AOF", (int)cp.pid);
        child_ended(1 << 8);
    }
}

void childproc_kill(void) {
    if (cp.pid == -1) return;
    kill(cp.pid, SIGUSR1);
    int status = 0;
    while (waitpid(cp.pid, &status, 0) == -1) {
        if (errno != EINTR) {
            status = SIGUSR1; /* WIFSIGNALED: treat as killed on purpose */
            break;
        }
    }
    child_ended(status);
}

/* ---------------------------------------------------------- in the child */

void childproc_child_progress(size_t keys_processed) {
    long long now = mstime();
    if (now - cp.child_last_report_ms < CHILD_REPORT_PERIOD_MS) return;
    cp.child_last_report_ms = now;
    size_t cow = childproc_private_dirty_bytes();
    if (cow > cp.child_cow_peak) cp.child_cow_peak = cow;
    cp.child_cow_sum += cow;
    cp.child_cow_samples++;
    child_send(CHILD_INFO_CURRENT, keys_processed, cow);
}

void childproc_child_send_cow(size_t keys_processed) {
    size_t cow = childproc_private_dirty_bytes();
    if (cow > cp.child_cow_peak) cp.child_cow_peak = cow;
    cp.child_cow_sum += cow;
    cp.child_cow_samples++;
    log_notice("Fork CoW for %s: current %zu MB, peak %zu MB, average %zu MB",
               cp.kind == CHILD_AOF ? "AOF rewrite" : "RDB",
               cow >> 20, cp.child_cow_peak >> 20, (cp.child_cow_sum / cp.child_cow_samples) >> 20);
    child_send(CHILD_INFO_FINAL, keys_processed, cow);
}

void childproc_child_exit(int code) {
    if (cp.info_pipe[1] != -1) close(cp.info_pipe[1]);
    _exit(code);
}

/* ---------------------------------------------------------- INFO */

void childproc_get_stats(childproc_stats *st) {
    if (cp.pid != -1) info_pipe_receive();
    memset(st, 0, sizeof(*st));
    st->current_cow_peak = cp.cow_peak;
    st->current_cow_size = cp.cow_size;
    st->current_cow_size_age = cp.cow_updated_ms ? (unsigned long)((mstime() - cp.cow_updated_ms) / 1000) : 0;
    st->current_save_keys_processed = cp.keys_processed;
    st->current_save_keys_total = cp.keys_total;
    st->current_fork_perc = cp.keys_total ? (double)cp.keys_processed * 100.0 / (double)cp.keys_total : 0;
    st->rdb_last_cow_size = cp.rdb_last_cow;
    st->aof_last_cow_size = cp.aof_last_cow;
    st->total_forks = cp.total_forks;
    st->latest_fork_usec = cp.latest_fork_usec;
}

void childproc_reset_stats(void) {
    cp.total_forks = 0;
    cp.latest_fork_usec = 0;
}
