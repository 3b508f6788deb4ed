/* test_ae.c -- the event loop, run once per compiled-in backend.
 *
 * Every test builds its own loop on pipes/socketpairs and ends by checking
 * that zmalloc's counter is back where it started (nothing leaked). Waits
 * are a few ms at most, and assertions are about order and counts, never
 * about how long something took. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ae.h"
#include "monotonic.h"
#include "zmalloc.h"

#define SETSIZE 64
/* Upper bound on loop iterations while waiting for timers (each sleeps
 * until the next timer, so this is never reached when things work). */
#define MAX_ITERATIONS 10000
#define MAX_LOG 64
#define US_PER_MS 1000

static size_t mem_at_start;

static void setup(void) {
    mem_at_start = zmalloc_used_memory();
}

static void assert_no_leak(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

static ae_event_loop *new_loop(int setsize) {
    ae_event_loop *el = ae_create(setsize);
    ck_assert_ptr_nonnull(el);
    return el;
}

static void make_pipe(int fds[2]) {
    ck_assert_int_eq(pipe(fds), 0);
}

static void make_socketpair(int fds[2]) {
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
}

static void put_byte(int fd) {
    ck_assert_int_eq(write(fd, "x", 1), 1);
}

/* What handlers saw, in order. */
typedef struct event_log {
    int n;
    char what[MAX_LOG]; /* 'r', 'w', 'b' (one proc for both), or a tag */
    int fd[MAX_LOG];
    int mask[MAX_LOG];
    void *data[MAX_LOG];
} event_log;

static void log_event(event_log *log, char what, int fd, int mask, void *data) {
    ck_assert_int_lt(log->n, MAX_LOG);
    log->what[log->n] = what;
    log->fd[log->n] = fd;
    log->mask[log->n] = mask;
    log->data[log->n] = data;
    log->n++;
}

static event_log g_log;

static void on_read(ae_event_loop *el, int fd, void *data, int mask) {
    (void)el;
    log_event(&g_log, 'r', fd, mask, data);
}

static void on_write(ae_event_loop *el, int fd, void *data, int mask) {
    (void)el;
    log_event(&g_log, 'w', fd, mask, data);
}

static void on_both(ae_event_loop *el, int fd, void *data, int mask) {
    (void)el;
    log_event(&g_log, 'b', fd, mask, data);
}

static int run_files_once(ae_event_loop *el) {
    return ae_process_events(el, AE_FILE_EVENTS | AE_DONT_WAIT);
}

/* ------------------------------------------------------------ file events */

START_TEST(test_readable_fires_with_mask) {
    ae_event_loop *el = new_loop(SETSIZE);
    int p[2];
    make_pipe(p);
    int cookie = 7;
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, p[0], AE_READABLE, on_read, &cookie), AE_OK);
    ck_assert_int_eq(ae_get_file_events(el, p[0]), AE_READABLE);

    /* Nothing to read yet: the handler must not run. */
    ck_assert_int_eq(run_files_once(el), 0);
    ck_assert_int_eq(g_log.n, 0);

    put_byte(p[1]);
    ck_assert_int_eq(run_files_once(el), 1);
    ck_assert_int_eq(g_log.n, 1);
    ck_assert_int_eq(g_log.what[0], 'r');
    ck_assert_int_eq(g_log.fd[0], p[0]);
    ck_assert_int_eq(g_log.mask[0], AE_READABLE);
    ck_assert_ptr_eq(g_log.data[0], &cookie);

    ae_delete(el);
    close(p[0]);
    close(p[1]);
    assert_no_leak();
}
END_TEST

START_TEST(test_writable_fires) {
    ae_event_loop *el = new_loop(SETSIZE);
    int s[2];
    make_socketpair(s);
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_WRITABLE, on_write, NULL), AE_OK);
    ck_assert_int_eq(run_files_once(el), 1);
    ck_assert_int_eq(g_log.n, 1);
    ck_assert_int_eq(g_log.what[0], 'w');
    ck_assert_int_eq(g_log.mask[0], AE_WRITABLE);

    /* Removing it stops it, even though the socket stays writable. */
    ae_delete_file_event(el, s[0], AE_WRITABLE);
    ck_assert_int_eq(ae_get_file_events(el, s[0]), AE_NONE);
    ck_assert_int_eq(run_files_once(el), 0);
    ck_assert_int_eq(g_log.n, 1);

    ae_delete(el);
    close(s[0]);
    close(s[1]);
    assert_no_leak();
}
END_TEST

START_TEST(test_read_and_write_separately_registered) {
    ae_event_loop *el = new_loop(SETSIZE);
    int s[2];
    make_socketpair(s);
    put_byte(s[1]);
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_READABLE, on_read, NULL), AE_OK);
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_WRITABLE, on_write, NULL), AE_OK);
    ck_assert_int_eq(ae_get_file_events(el, s[0]), AE_READABLE | AE_WRITABLE);

    ck_assert_int_eq(run_files_once(el), 1);
    ck_assert_int_eq(g_log.n, 2);
    ck_assert_int_eq(g_log.what[0], 'r');
    ck_assert_int_eq(g_log.what[1], 'w');

    /* Dropping the read half keeps the write half. */
    ae_delete_file_event(el, s[0], AE_READABLE);
    ck_assert_int_eq(ae_get_file_events(el, s[0]), AE_WRITABLE);
    g_log.n = 0;
    ck_assert_int_eq(run_files_once(el), 1);
    ck_assert_int_eq(g_log.n, 1);
    ck_assert_int_eq(g_log.what[0], 'w');

    ae_delete(el);
    close(s[0]);
    close(s[1]);
    assert_no_leak();
}
END_TEST

static void delete_self(ae_event_loop *el, int fd, void *data, int mask) {
    (void)data;
    log_event(&g_log, 'r', fd, mask, NULL);
    ae_delete_file_event(el, fd, AE_READABLE);
}

START_TEST(test_delete_own_event_in_callback) {
    ae_event_loop *el = new_loop(SETSIZE);
    int p[2];
    make_pipe(p);
    put_byte(p[1]);
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, p[0], AE_READABLE, delete_self, NULL), AE_OK);

    ck_assert_int_eq(run_files_once(el), 1);
    ck_assert_int_eq(g_log.n, 1);
    ck_assert_int_eq(ae_get_file_events(el, p[0]), AE_NONE);
    /* The byte is still unread, but nobody watches the fd now. */
    run_files_once(el);
    ck_assert_int_eq(g_log.n, 1);

    ae_delete(el);
    close(p[0]);
    close(p[1]);
    assert_no_leak();
}
END_TEST

/* Each handler removes the other fd's read event: whichever runs first,
 * the other is already reported ready and must be skipped. */
static int g_other_fd[2];

static void delete_other(ae_event_loop *el, int fd, void *data, int mask) {
    int me = (int)(long)data;
    log_event(&g_log, 'r', fd, mask, data);
    ae_delete_file_event(el, g_other_fd[1 - me], AE_READABLE);
}

START_TEST(test_delete_other_event_same_iteration) {
    ae_event_loop *el = new_loop(SETSIZE);
    int a[2], b[2];
    make_pipe(a);
    make_pipe(b);
    put_byte(a[1]);
    put_byte(b[1]);
    g_other_fd[0] = a[0];
    g_other_fd[1] = b[0];
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, a[0], AE_READABLE, delete_other, (void *)0L), AE_OK);
    ck_assert_int_eq(ae_create_file_event(el, b[0], AE_READABLE, delete_other, (void *)1L), AE_OK);

    run_files_once(el);
    ck_assert_int_eq(g_log.n, 1);
    int survivor = g_log.fd[0];
    int victim = survivor == a[0] ? b[0] : a[0];
    ck_assert_int_eq(ae_get_file_events(el, victim), AE_NONE);
    ck_assert_int_eq(ae_get_file_events(el, survivor), AE_READABLE);

    ae_delete(el);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    assert_no_leak();
}
END_TEST

static void read_then_close(ae_event_loop *el, int fd, void *data, int mask) {
    (void)data;
    log_event(&g_log, 'r', fd, mask, NULL);
    ae_delete_file_event(el, fd, AE_READABLE | AE_WRITABLE);
    close(fd);
}

/* A handler that closes its fd must not see its writable half run after. */
START_TEST(test_close_in_read_handler_skips_write) {
    ae_event_loop *el = new_loop(SETSIZE);
    int s[2];
    make_socketpair(s);
    put_byte(s[1]);
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_READABLE, read_then_close, NULL), AE_OK);
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_WRITABLE, on_write, NULL), AE_OK);
    run_files_once(el);
    ck_assert_int_eq(g_log.n, 1);
    ck_assert_int_eq(g_log.what[0], 'r');
    ae_delete(el);
    close(s[1]);
    assert_no_leak();
}
END_TEST

START_TEST(test_barrier_orders_write_first) {
    ae_event_loop *el = new_loop(SETSIZE);
    int s[2];
    make_socketpair(s);
    put_byte(s[1]);
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_READABLE, on_read, NULL), AE_OK);
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_WRITABLE | AE_BARRIER, on_write, NULL), AE_OK);
    ck_assert_int_eq(ae_get_file_events(el, s[0]), AE_READABLE | AE_WRITABLE | AE_BARRIER);

    run_files_once(el);
    ck_assert_int_eq(g_log.n, 2);
    ck_assert_int_eq(g_log.what[0], 'w');
    ck_assert_int_eq(g_log.what[1], 'r');

    /* Removing the writable half removes the barrier with it. */
    ae_delete_file_event(el, s[0], AE_WRITABLE);
    ck_assert_int_eq(ae_get_file_events(el, s[0]), AE_READABLE);
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_WRITABLE, on_write, NULL), AE_OK);
    g_log.n = 0;
    run_files_once(el);
    ck_assert_int_eq(g_log.n, 2);
    ck_assert_int_eq(g_log.what[0], 'r');
    ck_assert_int_eq(g_log.what[1], 'w');

    ae_delete(el);
    close(s[0]);
    close(s[1]);
    assert_no_leak();
}
END_TEST

START_TEST(test_same_proc_for_both_runs_once) {
    ae_event_loop *el = new_loop(SETSIZE);
    int s[2];
    make_socketpair(s);
    put_byte(s[1]);
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_READABLE | AE_WRITABLE, on_both, NULL), AE_OK);
    run_files_once(el);
    ck_assert_int_eq(g_log.n, 1);
    ck_assert_int_eq(g_log.mask[0], AE_READABLE | AE_WRITABLE);

    /* Same with a barrier: still one call. */
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_WRITABLE | AE_BARRIER, on_both, NULL), AE_OK);
    g_log.n = 0;
    run_files_once(el);
    ck_assert_int_eq(g_log.n, 1);

    ae_delete(el);
    close(s[0]);
    close(s[1]);
    assert_no_leak();
}
END_TEST

/* A peer that goes away must still wake the reader (it reads EOF). */
START_TEST(test_peer_close_fires_readable) {
    ae_event_loop *el = new_loop(SETSIZE);
    int s[2];
    make_socketpair(s);
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_READABLE, on_read, NULL), AE_OK);
    close(s[1]);
    run_files_once(el);
    ck_assert_int_eq(g_log.n, 1);
    ck_assert_int_eq(g_log.mask[0], AE_READABLE);
    char c;
    ck_assert_int_eq(read(s[0], &c, 1), 0);
    ae_delete(el);
    close(s[0]);
    assert_no_leak();
}
END_TEST

/* An error with no data to read (the write end of a pipe whose reader is
 * gone, watched for reading) must still run the handler. */
START_TEST(test_error_condition_fires_handler) {
    ae_event_loop *el = new_loop(SETSIZE);
    int p[2];
    make_pipe(p);
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, p[1], AE_READABLE, on_read, NULL), AE_OK);
    run_files_once(el);
    ck_assert_int_eq(g_log.n, 0);
    close(p[0]);
    run_files_once(el);
    ck_assert_int_eq(g_log.n, 1);
    ck_assert_int_eq(g_log.mask[0], AE_READABLE);
    ae_delete(el);
    close(p[1]);
    assert_no_leak();
}
END_TEST

#define CHURN_FDS 8

/* Registers and removes fds in a scrambled order; after every change the
 * fds that fire must be exactly the registered ones (all are readable).
 * Catches backends whose bookkeeping (poll's slot map, select's max fd)
 * goes stale on removal. */
START_TEST(test_add_delete_churn) {
    ae_event_loop *el = new_loop(SETSIZE);
    int p[CHURN_FDS][2];
    int registered[SETSIZE] = {0};
    for (int i = 0; i < CHURN_FDS; i++) {
        make_pipe(p[i]);
        put_byte(p[i][1]);
    }
    /* 'a'dd or 'd'elete pipe number idx. */
    static const struct {
        char op;
        int idx;
    } steps[] = {{'a', 0}, {'a', 1}, {'a', 2}, {'a', 3}, {'a', 4}, {'a', 5}, {'a', 6}, {'a', 7},
                 {'d', 2}, {'d', 0}, {'d', 7}, {'a', 2}, {'a', 7}, {'d', 4}, {'d', 5}, {'d', 1},
                 {'a', 0}, {'d', 3}, {'d', 2}, {'d', 7}, {'d', 6}, {'d', 0}};
    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
        int fd = p[steps[k].idx][0];
        if (steps[k].op == 'd') {
            ae_delete_file_event(el, fd, AE_READABLE);
            registered[fd] = 0;
        } else {
            ck_assert_int_eq(ae_create_file_event(el, fd, AE_READABLE, on_read, NULL), AE_OK);
            registered[fd] = 1;
        }
        memset(&g_log, 0, sizeof(g_log));
        run_files_once(el);
        int seen[SETSIZE] = {0}, expected = 0;
        for (int i = 0; i < g_log.n; i++) {
            ck_assert_int_eq(registered[g_log.fd[i]], 1);
            ck_assert_int_eq(seen[g_log.fd[i]]++, 0);
        }
        for (int f = 0; f < SETSIZE; f++) expected += registered[f];
        ck_assert_int_eq(g_log.n, expected);
    }
    ae_delete(el);
    for (int i = 0; i < CHURN_FDS; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
    assert_no_leak();
}
END_TEST

START_TEST(test_fd_beyond_setsize_is_erange) {
    ae_event_loop *el = new_loop(SETSIZE);
    errno = 0;
    ck_assert_int_eq(ae_create_file_event(el, SETSIZE, AE_READABLE, on_read, NULL), AE_ERR);
    ck_assert_int_eq(errno, ERANGE);
    errno = 0;
    ck_assert_int_eq(ae_create_file_event(el, -1, AE_READABLE, on_read, NULL), AE_ERR);
    ck_assert_int_eq(errno, ERANGE);
    ck_assert_int_eq(ae_get_file_events(el, SETSIZE + 5), AE_NONE);
    ae_delete_file_event(el, SETSIZE + 5, AE_READABLE); /* ignored */
    ae_delete(el);
    assert_no_leak();
}
END_TEST

/* The backend states its capacity, and a loop of exactly that size can be
 * made; select's ends at FD_SETSIZE (one more is refused), so a server can
 * size its loop to fit instead of failing to start. */
START_TEST(test_max_set_size_is_the_limit) {
    int cap = ae_max_set_size();
    ck_assert_int_gt(cap, 0);
    if (strcmp(ae_get_api_name(), "select") == 0) {
        ck_assert_int_eq(cap, FD_SETSIZE);
        ae_event_loop *el = new_loop(cap);
        ck_assert_ptr_null(ae_create(cap + 1));
        ck_assert_int_eq(ae_resize_set_size(el, cap + 1), AE_ERR);
        ae_delete(el);
    } else {
        ck_assert_int_eq(cap, INT_MAX);
    }
    assert_no_leak();
}
END_TEST

START_TEST(test_register_closed_fd_fails) {
    /* epoll/kqueue refuse a closed fd; poll/select cannot tell at add time. */
    ae_event_loop *el = new_loop(SETSIZE);
    int p[2];
    make_pipe(p);
    close(p[0]);
    close(p[1]);
    int r = ae_create_file_event(el, p[0], AE_READABLE, on_read, NULL);
    const char *api = ae_get_api_name();
    if (strcmp(api, "epoll") == 0 || strcmp(api, "kqueue") == 0) {
        ck_assert_int_eq(r, AE_ERR);
        ck_assert_int_eq(ae_get_file_events(el, p[0]), AE_NONE);
    } else {
        ck_assert_int_eq(r, AE_OK);
        ae_delete_file_event(el, p[0], AE_READABLE);
    }
    ae_delete(el);
    assert_no_leak();
}
END_TEST

START_TEST(test_resize) {
    ae_event_loop *el = new_loop(SETSIZE);
    int p[2];
    make_pipe(p);
    ck_assert_int_eq(ae_get_set_size(el), SETSIZE);
    ck_assert_int_eq(ae_create_file_event(el, p[0], AE_READABLE, on_read, NULL), AE_OK);
    /* Cannot shrink below a registered fd. */
    ck_assert_int_eq(ae_resize_set_size(el, p[0]), AE_ERR);
    ck_assert_int_eq(ae_get_set_size(el), SETSIZE);
    ck_assert_int_eq(ae_resize_set_size(el, p[0] + 1), AE_OK);
    ck_assert_int_eq(ae_get_set_size(el), p[0] + 1);

    /* Grow, then use an fd that did not fit before. */
    int big_fd = SETSIZE + 10;
    ck_assert_int_eq(ae_create_file_event(el, big_fd, AE_READABLE, on_read, NULL), AE_ERR);
    ck_assert_int_eq(ae_resize_set_size(el, SETSIZE * 2), AE_OK);
    ck_assert_int_eq(dup2(p[0], big_fd), big_fd);
    ck_assert_int_eq(ae_create_file_event(el, big_fd, AE_READABLE, on_read, NULL), AE_OK);
    ck_assert_int_eq(ae_resize_set_size(el, SETSIZE), AE_ERR);

    memset(&g_log, 0, sizeof(g_log));
    put_byte(p[1]);
    run_files_once(el);
    ck_assert_int_eq(g_log.n, 2); /* p[0] and its dup both readable */
    ck_assert(g_log.fd[0] == big_fd || g_log.fd[1] == big_fd);

    ae_delete_file_event(el, big_fd, AE_READABLE);
    ck_assert_int_eq(ae_resize_set_size(el, SETSIZE), AE_OK);
    ae_delete(el);
    close(big_fd);
    close(p[0]);
    close(p[1]);
    assert_no_leak();
}
END_TEST

/* Growing the set moves the fd table: the loop must not keep a stale
 * pointer into it across the handler call (ASan would catch it). */
static void grow_in_handler(ae_event_loop *el, int fd, void *data, int mask) {
    (void)data;
    log_event(&g_log, 'r', fd, mask, NULL);
    ck_assert_int_eq(ae_resize_set_size(el, FD_SETSIZE), AE_OK);
}

START_TEST(test_resize_inside_handler) {
    ae_event_loop *el = new_loop(SETSIZE);
    int s[2];
    make_socketpair(s);
    put_byte(s[1]);
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_READABLE, grow_in_handler, NULL), AE_OK);
    ck_assert_int_eq(ae_create_file_event(el, s[0], AE_WRITABLE, on_write, NULL), AE_OK);
    run_files_once(el);
    ck_assert_int_eq(g_log.n, 2);
    ck_assert_int_eq(g_log.what[1], 'w');
    ck_assert_int_eq(ae_get_set_size(el), FD_SETSIZE);
    ae_delete(el);
    close(s[0]);
    close(s[1]);
    assert_no_leak();
}
END_TEST

START_TEST(test_select_limits_setsize) {
    ae_event_loop *el = ae_create(FD_SETSIZE + 1);
    if (strcmp(ae_get_api_name(), "select") == 0) {
        ck_assert_ptr_null(el);
        el = new_loop(SETSIZE);
        ck_assert_int_eq(ae_resize_set_size(el, FD_SETSIZE + 1), AE_ERR);
        ck_assert_int_eq(ae_get_set_size(el), SETSIZE);
    } else {
        ck_assert_ptr_nonnull(el);
    }
    ae_delete(el);
    ck_assert_ptr_null(ae_create(0));
    assert_no_leak();
}
END_TEST

/* ------------------------------------------------------------ timers */

typedef struct timer_tally {
    int runs;
    int finalized;
    int runs_before_stop; /* reschedule until runs reaches this */
    int next_ms;
    long long victim; /* timer to delete from inside this one, -1 none */
} timer_tally;

static int g_order[2048];
static int g_order_n;

static int record_order(ae_event_loop *el, long long id, void *data) {
    (void)el;
    (void)id;
    g_order[g_order_n++] = (int)(long)data;
    return AE_NOMORE;
}

static void run_timers_until(ae_event_loop *el, const int *counter, int target) {
    for (int i = 0; i < MAX_ITERATIONS && *counter < target; i++) ae_process_events(el, AE_TIME_EVENTS);
}

START_TEST(test_timers_fire_in_due_order) {
    ae_event_loop *el = new_loop(SETSIZE);
    g_order_n = 0;
    monotime start = mono_now_us();
    ck_assert_int_ge(ae_create_time_event(el, 30, record_order, (void *)30L, NULL), 0);
    ck_assert_int_ge(ae_create_time_event(el, 10, record_order, (void *)10L, NULL), 0);
    ck_assert_int_ge(ae_create_time_event(el, 20, record_order, (void *)20L, NULL), 0);
    monotime spread_us = mono_now_us() - start;
    run_timers_until(el, &g_order_n, 3);
    ck_assert_int_eq(g_order_n, 3);
    /* The 10 and 20 ms timers were created in that order: always ordered.
     * The 30 ms one was created first, so it is only certainly last if the
     * three creations took under 10 ms (a heavily loaded box may not). */
    int pos[31] = {0};
    for (int i = 0; i < 3; i++) pos[g_order[i]] = i;
    ck_assert_int_lt(pos[10], pos[20]);
    if (spread_us < 10 * US_PER_MS) {
        ck_assert_int_eq(g_order[0], 10);
        ck_assert_int_eq(g_order[1], 20);
        ck_assert_int_eq(g_order[2], 30);
    }
    ae_delete(el);
    assert_no_leak();
}
END_TEST

START_TEST(test_timer_ids_increase) {
    ae_event_loop *el = new_loop(SETSIZE);
    long long a = ae_create_time_event(el, 1000, record_order, NULL, NULL);
    long long b = ae_create_time_event(el, 1000, record_order, NULL, NULL);
    ck_assert_int_ge(a, 0);
    ck_assert_int_gt(b, a);
    ck_assert_int_eq(ae_delete_time_event(el, a), AE_OK);
    ck_assert_int_eq(ae_delete_time_event(el, a), AE_ERR);
    ck_assert_int_eq(ae_delete_time_event(el, 12345), AE_ERR);
    ck_assert_int_eq(ae_delete_time_event(el, -1), AE_ERR);
    /* ae_delete frees remaining timers without running finalizers. */
    ae_delete(el);
    assert_no_leak();
}
END_TEST

static void tally_finalize(ae_event_loop *el, void *data) {
    (void)el;
    ((timer_tally *)data)->finalized++;
}

static int tally_proc(ae_event_loop *el, long long id, void *data) {
    timer_tally *t = data;
    t->runs++;
    if (t->victim >= 0) {
        ck_assert_int_eq(ae_delete_time_event(el, t->victim), AE_OK);
        t->victim = -1;
    }
    if (t->victim == -2) { /* delete myself, then ask to run again */
        ck_assert_int_eq(ae_delete_time_event(el, id), AE_OK);
        ck_assert_int_eq(ae_delete_time_event(el, id), AE_ERR);
        return t->next_ms;
    }
    return t->runs < t->runs_before_stop ? t->next_ms : AE_NOMORE;
}

START_TEST(test_rescheduling_timer_then_nomore) {
    ae_event_loop *el = new_loop(SETSIZE);
    timer_tally t = {.runs_before_stop = 5, .next_ms = 1, .victim = -1};
    long long id = ae_create_time_event(el, 1, tally_proc, &t, tally_finalize);
    run_timers_until(el, &t.finalized, 1);
    ck_assert_int_eq(t.runs, 5);
    ck_assert_int_eq(t.finalized, 1);
    ck_assert_int_eq(ae_delete_time_event(el, id), AE_ERR);
    ae_delete(el);
    assert_no_leak();
}
END_TEST

START_TEST(test_zero_ms_reschedule_runs_once_per_pass) {
    ae_event_loop *el = new_loop(SETSIZE);
    timer_tally t = {.runs_before_stop = 1000000, .next_ms = 0, .victim = -1};
    long long id = ae_create_time_event(el, 0, tally_proc, &t, tally_finalize);
    ck_assert_int_eq(ae_process_events(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    ck_assert_int_eq(t.runs, 1);
    ck_assert_int_eq(ae_process_events(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    ck_assert_int_eq(t.runs, 2);
    ck_assert_int_eq(ae_delete_time_event(el, id), AE_OK);
    ck_assert_int_eq(t.finalized, 1);
    ae_delete(el);
    assert_no_leak();
}
END_TEST

static int g_spawned;

static int spawn_zero_timer(ae_event_loop *el, long long id, void *data) {
    (void)id;
    (void)data;
    g_spawned++;
    ae_create_time_event(el, 0, spawn_zero_timer, NULL, NULL);
    return AE_NOMORE;
}

START_TEST(test_timer_added_in_pass_waits_for_next) {
    ae_event_loop *el = new_loop(SETSIZE);
    g_spawned = 0;
    ae_create_time_event(el, 0, spawn_zero_timer, NULL, NULL);
    ck_assert_int_eq(ae_process_events(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    ck_assert_int_eq(g_spawned, 1);
    ck_assert_int_eq(ae_process_events(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    ck_assert_int_eq(g_spawned, 2);
    ae_delete(el);
    assert_no_leak();
}
END_TEST

START_TEST(test_delete_timer_due_in_same_pass) {
    ae_event_loop *el = new_loop(SETSIZE);
    timer_tally killer = {.runs_before_stop = 1, .victim = -1};
    timer_tally victim = {.runs_before_stop = 1, .victim = -1};
    /* Same due time; the killer was created first so it runs first. */
    long long kid = ae_create_time_event(el, 0, tally_proc, &killer, tally_finalize);
    long long vid = ae_create_time_event(el, 0, tally_proc, &victim, tally_finalize);
    ck_assert_int_gt(vid, kid);
    killer.victim = vid;
    ae_process_events(el, AE_TIME_EVENTS | AE_DONT_WAIT);
    ck_assert_int_eq(killer.runs, 1);
    ck_assert_int_eq(killer.finalized, 1);
    ck_assert_int_eq(victim.runs, 0);
    ck_assert_int_eq(victim.finalized, 1);
    ck_assert_int_eq(ae_delete_time_event(el, vid), AE_ERR);
    ae_delete(el);
    assert_no_leak();
}
END_TEST

START_TEST(test_timer_deletes_itself) {
    ae_event_loop *el = new_loop(SETSIZE);
    /* Deletes itself yet returns 1 ms: deletion wins, finalizer runs once. */
    timer_tally t = {.runs_before_stop = 100, .next_ms = 1, .victim = -2};
    long long id = ae_create_time_event(el, 0, tally_proc, &t, tally_finalize);
    ae_process_events(el, AE_TIME_EVENTS | AE_DONT_WAIT);
    ck_assert_int_eq(t.runs, 1);
    ck_assert_int_eq(t.finalized, 1);
    ck_assert_int_eq(ae_delete_time_event(el, id), AE_ERR);
    /* Nothing left: another pass runs nothing. */
    ck_assert_int_eq(ae_process_events(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
    ck_assert_int_eq(t.runs, 1);
    ae_delete(el);
    assert_no_leak();
}
END_TEST

#define MANY_TIMERS 1000
#define MANY_TIMERS_STEP_MS 5
#define MANY_TIMERS_DELAYS 5

static int g_many_finalized;

static void many_finalize(ae_event_loop *el, void *data) {
    (void)el;
    (void)data;
    g_many_finalized++;
}

/* The test cannot see due times, only bracket them: timer i is due at
 * some point in [before[i], before[i + 1]] + delay[i]. Two checks follow
 * without depending on how fast the timers were created:
 * - equal delays: due times rise with creation (ties go to the older), so
 *   such timers must fire exactly in creation order;
 * - any two consecutive firings a then b: due(a) <= due(b), so
 *   before[a] + delay[a] <= before[b + 1] + delay[b]. */
START_TEST(test_many_timers_heap_order) {
    ae_event_loop *el = new_loop(SETSIZE);
    static long long ids[MANY_TIMERS];
    static int delay_ms[MANY_TIMERS];
    static monotime before[MANY_TIMERS + 1];
    unsigned seed = 12345;
    g_order_n = 0;
    g_many_finalized = 0;
    for (int i = 0; i < MANY_TIMERS; i++) {
        seed = seed * 1103515245u + 12345u;
        delay_ms[i] = (int)((seed >> 16) % MANY_TIMERS_DELAYS) * MANY_TIMERS_STEP_MS;
        before[i] = mono_now_us();
        ids[i] = ae_create_time_event(el, delay_ms[i], record_order, (void *)(long)i, many_finalize);
    }
    before[MANY_TIMERS] = mono_now_us();
    /* Deleting from the middle of the heap keeps it a heap. */
    int deleted = 0;
    for (int i = 0; i < MANY_TIMERS; i += 3, deleted++) ck_assert_int_eq(ae_delete_time_event(el, ids[i]), AE_OK);
    ck_assert_int_eq(g_many_finalized, deleted);

    int expected = MANY_TIMERS - deleted;
    run_timers_until(el, &g_order_n, expected);
    ck_assert_int_eq(g_order_n, expected);
    ck_assert_int_eq(g_many_finalized, MANY_TIMERS);

    int last_of_delay[MANY_TIMERS_DELAYS * MANY_TIMERS_STEP_MS + 1];
    for (size_t d = 0; d < sizeof(last_of_delay) / sizeof(last_of_delay[0]); d++) last_of_delay[d] = -1;
    for (int k = 0; k < g_order_n; k++) {
        int b = g_order[k];
        ck_assert_int_ne(b % 3, 0);
        ck_assert_int_lt(last_of_delay[delay_ms[b]], b);
        last_of_delay[delay_ms[b]] = b;
        if (k > 0) {
            int a = g_order[k - 1];
            ck_assert_uint_le(before[a] + (monotime)delay_ms[a] * US_PER_MS,
                              before[b + 1] + (monotime)delay_ms[b] * US_PER_MS);
        }
    }
    ae_delete(el);
    assert_no_leak();
}
END_TEST

/* ------------------------------------------------------------ iteration */

static int g_before, g_after;

static void count_before(ae_event_loop *el) {
    (void)el;
    g_before++;
}

static void count_after(ae_event_loop *el) {
    (void)el;
    ck_assert_int_eq(g_after + 1, g_before); /* after follows before */
    g_after++;
}

START_TEST(test_sleep_hooks) {
    ae_event_loop *el = new_loop(SETSIZE);
    int p[2];
    make_pipe(p);
    g_before = g_after = 0;
    ae_set_before_sleep_proc(el, count_before);
    ae_set_after_sleep_proc(el, count_after);
    ck_assert_int_eq(ae_create_file_event(el, p[0], AE_READABLE, on_read, NULL), AE_OK);

    ae_process_events(el, AE_ALL_EVENTS | AE_DONT_WAIT);
    ck_assert_int_eq(g_before, 0);
    ck_assert_int_eq(g_after, 0);
    ae_process_events(el, AE_ALL_EVENTS | AE_DONT_WAIT | AE_CALL_BEFORE_SLEEP);
    ck_assert_int_eq(g_before, 1);
    ck_assert_int_eq(g_after, 0);
    g_before = 0;
    ae_process_events(el, AE_ALL_EVENTS | AE_DONT_WAIT | AE_CALL_BEFORE_SLEEP | AE_CALL_AFTER_SLEEP);
    ck_assert_int_eq(g_before, 1);
    ck_assert_int_eq(g_after, 1);

    ae_set_before_sleep_proc(el, NULL);
    ae_set_after_sleep_proc(el, NULL);
    ae_process_events(el, AE_ALL_EVENTS | AE_DONT_WAIT | AE_CALL_BEFORE_SLEEP | AE_CALL_AFTER_SLEEP);
    ck_assert_int_eq(g_before, 1);
    ae_delete(el);
    close(p[0]);
    close(p[1]);
    assert_no_leak();
}
END_TEST

/* If these waited, the 60 s timer / silent pipe would hang the test past
 * Check's timeout: returning at all is the assertion. */
START_TEST(test_dont_wait_does_not_block) {
    ae_event_loop *el = new_loop(SETSIZE);
    int p[2];
    make_pipe(p);
    memset(&g_log, 0, sizeof(g_log));
    ck_assert_int_eq(ae_create_file_event(el, p[0], AE_READABLE, on_read, NULL), AE_OK);
    timer_tally t = {.runs_before_stop = 1, .victim = -1};
    ae_create_time_event(el, 60000, tally_proc, &t, NULL);

    ck_assert_int_eq(ae_process_events(el, AE_ALL_EVENTS | AE_DONT_WAIT), 0);
    ae_set_dont_wait(el, 1);
    ck_assert_int_eq(ae_process_events(el, AE_ALL_EVENTS), 0);
    ck_assert_int_eq(g_log.n, 0);
    ck_assert_int_eq(t.runs, 0);
    ae_delete(el);
    close(p[0]);
    close(p[1]);
    assert_no_leak();
}
END_TEST

static void set_dont_wait_before_sleep(ae_event_loop *el) {
    ae_set_dont_wait(el, 1);
}

START_TEST(test_before_sleep_can_cancel_wait) {
    ae_event_loop *el = new_loop(SETSIZE);
    timer_tally t = {.runs_before_stop = 1, .victim = -1};
    ae_create_time_event(el, 60000, tally_proc, &t, NULL);
    ae_set_before_sleep_proc(el, set_dont_wait_before_sleep);
    ck_assert_int_eq(ae_process_events(el, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP), 0);
    ae_delete(el);
    assert_no_leak();
}
END_TEST

static int stop_after_three(ae_event_loop *el, long long id, void *data) {
    (void)id;
    int *n = data;
    if (++*n == 3) ae_stop(el);
    return 1;
}

START_TEST(test_main_until_stop) {
    ae_event_loop *el = new_loop(SETSIZE);
    int runs = 0;
    g_before = g_after = 0;
    ae_set_before_sleep_proc(el, count_before);
    ae_set_after_sleep_proc(el, count_after);
    ae_create_time_event(el, 1, stop_after_three, &runs, NULL);
    ae_main(el);
    ck_assert_int_eq(runs, 3);
    ck_assert_int_ge(g_before, 3);
    ck_assert_int_eq(g_after, g_before);
    ae_delete(el);
    assert_no_leak();
}
END_TEST

START_TEST(test_wait_single_fd) {
    int p[2];
    make_pipe(p);
    ck_assert_int_eq(ae_wait(p[0], AE_READABLE, 0), 0);
    ck_assert_int_eq(ae_wait(p[1], AE_WRITABLE, 0), AE_WRITABLE);
    put_byte(p[1]);
    ck_assert_int_eq(ae_wait(p[0], AE_READABLE, 10), AE_READABLE);
    close(p[1]);
    /* Hang-up reads as ready for what was asked. */
    char c;
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    ck_assert_int_eq(ae_wait(p[0], AE_READABLE, 10), AE_READABLE);
    close(p[0]);
    ck_assert_int_eq(ae_wait(p[0], AE_READABLE, 0), -1);
}
END_TEST

static Suite *ae_suite(void) {
    static char name[64];
    snprintf(name, sizeof(name), "ae (%s)", ae_get_api_name());
    Suite *s = suite_create(name);
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_readable_fires_with_mask);
    tcase_add_test(tc, test_writable_fires);
    tcase_add_test(tc, test_read_and_write_separately_registered);
    tcase_add_test(tc, test_delete_own_event_in_callback);
    tcase_add_test(tc, test_delete_other_event_same_iteration);
    tcase_add_test(tc, test_close_in_read_handler_skips_write);
    tcase_add_test(tc, test_barrier_orders_write_first);
    tcase_add_test(tc, test_same_proc_for_both_runs_once);
    tcase_add_test(tc, test_peer_close_fires_readable);
    tcase_add_test(tc, test_error_condition_fires_handler);
    tcase_add_test(tc, test_add_delete_churn);
    tcase_add_test(tc, test_fd_beyond_setsize_is_erange);
    tcase_add_test(tc, test_max_set_size_is_the_limit);
    tcase_add_test(tc, test_register_closed_fd_fails);
    tcase_add_test(tc, test_resize);
    tcase_add_test(tc, test_resize_inside_handler);
    tcase_add_test(tc, test_select_limits_setsize);
    tcase_add_test(tc, test_timers_fire_in_due_order);
    tcase_add_test(tc, test_timer_ids_increase);
    tcase_add_test(tc, test_rescheduling_timer_then_nomore);
    tcase_add_test(tc, test_zero_ms_reschedule_runs_once_per_pass);
    tcase_add_test(tc, test_timer_added_in_pass_waits_for_next);
    tcase_add_test(tc, test_delete_timer_due_in_same_pass);
    tcase_add_test(tc, test_timer_deletes_itself);
    tcase_add_test(tc, test_many_timers_heap_order);
    tcase_add_test(tc, test_sleep_hooks);
    tcase_add_test(tc, test_dont_wait_does_not_block);
    tcase_add_test(tc, test_before_sleep_can_cancel_wait);
    tcase_add_test(tc, test_main_until_stop);
    tcase_add_test(tc, test_wait_single_fd);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(ae_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
