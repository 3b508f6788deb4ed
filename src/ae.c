/* ae.c -- the event loop: per-fd handler table, timers, sleep hooks.
 *
 * Owns the fd table (indexed by fd, setsize long), the fired array the
 * backend fills, and the timers (a min-heap on due time plus an id index).
 * It must never know about clients or the server, log, or keep globals.
 * Invariant: el->events[fd].mask is exactly what the backend watches for fd
 * (plus AE_BARRIER), and every timer is in the heap unless its proc is
 * running right now. */
#include "ae.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>

#include "ae_backend.h"
#include "monotonic.h"
#include "zmalloc.h"

#define AE_RW (AE_READABLE | AE_WRITABLE)
/* Timer index starts this small; it doubles as timers are added. */
#define AE_TIMER_BUCKETS_INITIAL 16
#define AE_TIMER_HEAP_INITIAL 16
#define AE_US_PER_MS 1000LL
/* Longest delay a timer accepts; beyond it now + delay could overflow. */
#define AE_TIMER_MAX_MS (LLONG_MAX / AE_US_PER_MS / 2)

typedef struct ae_file_event {
    int mask; /* AE_READABLE | AE_WRITABLE | AE_BARRIER, or AE_NONE */
    ae_file_proc *rproc;
    ae_file_proc *wproc;
    void *client_data;
} ae_file_event;

typedef struct ae_timer {
    long long id;
    monotime when_us; /* due time on the monotonic clock */
    /* Order of (re)insertion: breaks ties on when_us, and tells a pass which
     * timers existed when it started (see ae_process_time_events). */
    uint64_t seq;
    ae_time_proc *proc;
    ae_event_finalizer_proc *finalizer;
    void *client_data;
    int heap_index; /* -1 while its proc runs (out of the heap) */
    int deleted;    /* deleted while its proc was running */
    struct ae_timer *id_next; /* chain in the id index */
} ae_timer;

struct ae_event_loop {
    int setsize;
    int maxfd; /* highest fd with a non-empty mask, -1 if none */
    ae_file_event *events;
    ae_fired_event *fired;
    int fired_cap; /* only grows, so a resize inside a handler keeps it valid */
    ae_api_state *api;

    ae_timer **heap;
    int heap_len;
    int heap_cap;
    /* id -> timer, chained; ids are sequential so id & mask spreads well. */
    ae_timer **by_id;
    size_t by_id_buckets; /* power of two */
    size_t timer_count;
    long long next_timer_id;
    uint64_t next_seq;

    int stop;
    int dont_wait;
    ae_sleep_proc *before_sleep;
    ae_sleep_proc *after_sleep;
};

/* ------------------------------------------------------------ loop */

ae_event_loop *ae_create(int setsize) {
    if (setsize <= 0) {
        errno = EINVAL;
        return NULL;
    }
    ae_api_state *api = ae_api_create(setsize);
    if (api == NULL) return NULL;

    ae_event_loop *el = zcalloc(sizeof(*el));
    el->api = api;
    el->setsize = setsize;
    el->maxfd = -1;
    el->events = zcalloc(sizeof(ae_file_event) * (size_t)setsize);
    el->fired = zcalloc(sizeof(ae_fired_event) * (size_t)setsize);
    el->fired_cap = setsize;
    el->by_id_buckets = AE_TIMER_BUCKETS_INITIAL;
    el->by_id = zcalloc(sizeof(ae_timer *) * el->by_id_buckets);
    return el;
}

void ae_delete(ae_event_loop *el) {
    if (el == NULL) return;
    for (size_t b = 0; b < el->by_id_buckets; b++) {
        ae_timer *t = el->by_id[b];
        while (t != NULL) {
            ae_timer *next = t->id_next;
            zfree(t);
            t = next;
        }
    }
    zfree(el->by_id);
    zfree(el->heap);
    ae_api_free(el->api);
    zfree(el->events);
    zfree(el->fired);
    zfree(el);
}

void ae_stop(ae_event_loop *el) {
    el->stop = 1;
}

void ae_main(ae_event_loop *el) {
    el->stop = 0;
    while (!el->stop) ae_process_events(el, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP | AE_CALL_AFTER_SLEEP);
}

void ae_set_before_sleep_proc(ae_event_loop *el, ae_sleep_proc *proc) {
    el->before_sleep = proc;
}

void ae_set_after_sleep_proc(ae_event_loop *el, ae_sleep_proc *proc) {
    el->after_sleep = proc;
}

void ae_set_dont_wait(ae_event_loop *el, int no_wait) {
    el->dont_wait = no_wait ? 1 : 0;
}

int ae_max_set_size(void) {
    return ae_api_max_set_size();
}

int ae_get_set_size(ae_event_loop *el) {
    return el->setsize;
}

int ae_resize_set_size(ae_event_loop *el, int setsize) {
    if (setsize == el->setsize) return AE_OK;
    if (setsize <= 0 || el->maxfd >= setsize) return AE_ERR;
    if (ae_api_resize(el->api, setsize) == -1) return AE_ERR;

    el->events = zrealloc(el->events, sizeof(ae_file_event) * (size_t)setsize);
    for (int fd = el->setsize; fd < setsize; fd++) memset(&el->events[fd], 0, sizeof(ae_file_event));
    if (setsize > el->fired_cap) {
        el->fired = zrealloc(el->fired, sizeof(ae_fired_event) * (size_t)setsize);
        el->fired_cap = setsize;
    }
    el->setsize = setsize;
    return AE_OK;
}

const char *ae_get_api_name(void) {
    return ae_api_name();
}

/* ------------------------------------------------------------ file events */

int ae_create_file_event(ae_event_loop *el, int fd, int mask, ae_file_proc *proc, void *client_data) {
    if (fd < 0 || fd >= el->setsize) {
        errno = ERANGE;
        return AE_ERR;
    }
    ae_file_event *fe = &el->events[fd];
    int new_bits = mask & AE_RW & ~fe->mask;
    if (new_bits && ae_api_add_event(el->api, fd, fe->mask & AE_RW, new_bits) == -1) return AE_ERR;

    fe->mask |= mask;
    if (mask & AE_READABLE) fe->rproc = proc;
    if (mask & AE_WRITABLE) fe->wproc = proc;
    fe->client_data = client_data;
    if ((fe->mask & AE_RW) && fd > el->maxfd) el->maxfd = fd;
    return AE_OK;
}

void ae_delete_file_event(ae_event_loop *el, int fd, int mask) {
    if (fd < 0 || fd >= el->setsize) return;
    ae_file_event *fe = &el->events[fd];
    if (fe->mask == AE_NONE) return;

    /* A barrier only means something next to a writable handler. */
    if (mask & AE_WRITABLE) mask |= AE_BARRIER;
    int del_bits = mask & fe->mask & AE_RW;
    if (del_bits) ae_api_del_event(el->api, fd, fe->mask & AE_RW, del_bits);
    fe->mask &= ~mask;
    if ((fe->mask & AE_RW) == 0) fe->mask = AE_NONE;

    if (fd == el->maxfd && fe->mask == AE_NONE) {
        int j = fd - 1;
        while (j >= 0 && el->events[j].mask == AE_NONE) j--;
        el->maxfd = j;
    }
}

int ae_get_file_events(ae_event_loop *el, int fd) {
    if (fd < 0 || fd >= el->setsize) return AE_NONE;
    return el->events[fd].mask;
}

/* The entry for fd, or NULL if a handler shrank the set below it. Handlers
 * may also grow the set (moving the table), so callers re-fetch after every
 * handler call. */
static ae_file_event *ae_event_at(ae_event_loop *el, int fd) {
    return fd < el->setsize ? &el->events[fd] : NULL;
}

/* Runs the handlers of one fired fd. Readable goes first so a request can be
 * answered in the same iteration, unless AE_BARRIER asks for writable first.
 * The mask is re-read before each call: the first handler may have removed
 * the other event or closed the fd. */
static void ae_fire_one(ae_event_loop *el, int fd, int fired_mask) {
    ae_file_event *fe = ae_event_at(el, fd);
    if (fe == NULL) return;
    int mask = fired_mask & fe->mask & AE_RW;
    int invert = fe->mask & AE_BARRIER;
    int calls = 0;

    if (!invert && (fe->mask & mask & AE_READABLE)) {
        fe->rproc(el, fd, fe->client_data, mask);
        calls++;
        if ((fe = ae_event_at(el, fd)) == NULL) return;
    }
    if (fe->mask & mask & AE_WRITABLE) {
        if (!calls || fe->wproc != fe->rproc) {
            fe->wproc(el, fd, fe->client_data, mask);
            calls++;
        }
        if ((fe = ae_event_at(el, fd)) == NULL) return;
    }
    if (invert && (fe->mask & mask & AE_READABLE)) {
        if (!calls || fe->wproc != fe->rproc) fe->rproc(el, fd, fe->client_data, mask);
    }
}

static int ae_process_file_events(ae_event_loop *el, int numevents) {
    for (int j = 0; j < numevents; j++) {
        /* el->fired never shrinks, so index j stays valid across handlers. */
        ae_fire_one(el, el->fired[j].fd, el->fired[j].mask);
    }
    return numevents;
}

/* ------------------------------------------------------------ timer heap */

static int ae_timer_before(const ae_timer *a, const ae_timer *b) {
    if (a->when_us != b->when_us) return a->when_us < b->when_us;
    return a->seq < b->seq;
}

static void ae_heap_set(ae_event_loop *el, int i, ae_timer *t) {
    el->heap[i] = t;
    t->heap_index = i;
}

static void ae_heap_sift_up(ae_event_loop *el, int i) {
    ae_timer *t = el->heap[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!ae_timer_before(t, el->heap[parent])) break;
        ae_heap_set(el, i, el->heap[parent]);
        i = parent;
    }
    ae_heap_set(el, i, t);
}

static void ae_heap_sift_down(ae_event_loop *el, int i) {
    ae_timer *t = el->heap[i];
    for (;;) {
        int child = 2 * i + 1;
        if (child >= el->heap_len) break;
        if (child + 1 < el->heap_len && ae_timer_before(el->heap[child + 1], el->heap[child])) child++;
        if (!ae_timer_before(el->heap[child], t)) break;
        ae_heap_set(el, i, el->heap[child]);
        i = child;
    }
    ae_heap_set(el, i, t);
}

/* Borrows t: the heap holds it until ae_heap_remove. */
static void ae_heap_push(ae_event_loop *el, ae_timer *t) {
    if (el->heap_len == el->heap_cap) {
        el->heap_cap = el->heap_cap ? el->heap_cap * 2 : AE_TIMER_HEAP_INITIAL;
        el->heap = zrealloc(el->heap, sizeof(ae_timer *) * (size_t)el->heap_cap);
    }
    ae_heap_set(el, el->heap_len++, t);
    ae_heap_sift_up(el, t->heap_index);
}

static void ae_heap_remove(ae_event_loop *el, ae_timer *t) {
    int i = t->heap_index;
    ae_timer *last = el->heap[--el->heap_len];
    t->heap_index = -1;
    if (last == t) return;
    ae_heap_set(el, i, last);
    ae_heap_sift_up(el, i);
    ae_heap_sift_down(el, last->heap_index);
}

/* ------------------------------------------------------------ timer index */

static size_t ae_id_bucket(const ae_event_loop *el, long long id) {
    return (size_t)id & (el->by_id_buckets - 1);
}

static void ae_id_grow(ae_event_loop *el) {
    size_t old_n = el->by_id_buckets;
    ae_timer **old = el->by_id;
    el->by_id_buckets = old_n * 2;
    el->by_id = zcalloc(sizeof(ae_timer *) * el->by_id_buckets);
    for (size_t b = 0; b < old_n; b++) {
        ae_timer *t = old[b];
        while (t != NULL) {
            ae_timer *next = t->id_next;
            size_t nb = ae_id_bucket(el, t->id);
            t->id_next = el->by_id[nb];
            el->by_id[nb] = t;
            t = next;
        }
    }
    zfree(old);
}

static void ae_id_insert(ae_event_loop *el, ae_timer *t) {
    if (el->timer_count >= el->by_id_buckets) ae_id_grow(el);
    size_t b = ae_id_bucket(el, t->id);
    t->id_next = el->by_id[b];
    el->by_id[b] = t;
    el->timer_count++;
}

/* Unlinks and returns the timer with this id, or NULL. */
static ae_timer *ae_id_take(ae_event_loop *el, long long id) {
    if (id < 0) return NULL;
    ae_timer **link = &el->by_id[ae_id_bucket(el, id)];
    while (*link != NULL && (*link)->id != id) link = &(*link)->id_next;
    ae_timer *t = *link;
    if (t != NULL) {
        *link = t->id_next;
        el->timer_count--;
    }
    return t;
}

/* ------------------------------------------------------------ timers */

static monotime ae_due_after_ms(long long milliseconds) {
    if (milliseconds < 0) milliseconds = 0;
    if (milliseconds > AE_TIMER_MAX_MS) milliseconds = AE_TIMER_MAX_MS;
    return mono_now_us() + (monotime)milliseconds * AE_US_PER_MS;
}

long long ae_create_time_event(ae_event_loop *el, long long milliseconds, ae_time_proc *proc,
                               void *client_data, ae_event_finalizer_proc *finalizer) {
    ae_timer *t = zcalloc(sizeof(*t));
    t->id = el->next_timer_id++;
    t->when_us = ae_due_after_ms(milliseconds);
    t->seq = el->next_seq++;
    t->proc = proc;
    t->finalizer = finalizer;
    t->client_data = client_data;
    ae_id_insert(el, t);
    ae_heap_push(el, t);
    return t->id;
}

/* Takes t, which is in neither the heap nor the index any more. */
static void ae_timer_finish(ae_event_loop *el, ae_timer *t) {
    if (t->finalizer) t->finalizer(el, t->client_data);
    zfree(t);
}

int ae_delete_time_event(ae_event_loop *el, long long id) {
    ae_timer *t = ae_id_take(el, id);
    if (t == NULL) return AE_ERR;
    if (t->heap_index < 0) {
        /* Its proc is on the stack: free it when the proc returns. */
        t->deleted = 1;
        return AE_OK;
    }
    ae_heap_remove(el, t);
    ae_timer_finish(el, t);
    return AE_OK;
}

/* Runs the timers that were due, and already existed, when the pass began.
 * Anything created or rescheduled during the pass gets a seq past the
 * pass's limit, so a proc returning 0 or adding a 0 ms timer cannot keep
 * the pass going forever. Ties on when_us break by seq, so once the top of
 * the heap is a new timer, every older due timer has already run. */
static int ae_process_time_events(ae_event_loop *el) {
    monotime now = mono_now_us();
    uint64_t seq_limit = el->next_seq;
    int processed = 0;

    while (el->heap_len > 0) {
        ae_timer *t = el->heap[0];
        if (t->when_us > now || t->seq >= seq_limit) break;
        ae_heap_remove(el, t);
        int next_ms = t->proc(el, t->id, t->client_data);
        processed++;

        if (t->deleted) {
            ae_timer_finish(el, t);
        } else if (next_ms == AE_NOMORE) {
            ae_id_take(el, t->id);
            ae_timer_finish(el, t);
        } else {
            t->when_us = ae_due_after_ms(next_ms);
            t->seq = el->next_seq++;
            ae_heap_push(el, t);
        }
    }
    return processed;
}

/* ------------------------------------------------------------ iteration */

static long long ae_wait_timeout_us(ae_event_loop *el, int flags) {
    if ((flags & AE_DONT_WAIT) || el->dont_wait) return 0;
    if ((flags & AE_TIME_EVENTS) && el->heap_len > 0) {
        monotime now = mono_now_us();
        monotime when = el->heap[0]->when_us;
        return when > now ? (long long)(when - now) : 0;
    }
    return AE_API_WAIT_FOREVER;
}

int ae_process_events(ae_event_loop *el, int flags) {
    int processed = 0;
    if (!(flags & AE_ALL_EVENTS)) return 0;

    /* Poll even with no fds when a timer wait is wanted: it is the sleep. */
    if (el->maxfd != -1 || ((flags & AE_TIME_EVENTS) && !(flags & AE_DONT_WAIT))) {
        if (el->before_sleep && (flags & AE_CALL_BEFORE_SLEEP)) el->before_sleep(el);
        /* After before_sleep: it may add timers or ask not to wait. */
        long long timeout_us = ae_wait_timeout_us(el, flags);
        int numevents = ae_api_poll(el->api, timeout_us, el->fired);
        if (el->after_sleep && (flags & AE_CALL_AFTER_SLEEP)) el->after_sleep(el);
        if (flags & AE_FILE_EVENTS) processed += ae_process_file_events(el, numevents);
    }
    if (flags & AE_TIME_EVENTS) processed += ae_process_time_events(el);
    return processed;
}

/* An error or hang-up is reported as the directions asked for, so the
 * caller goes on to read/write and sees the error itself. */
int ae_wait(int fd, int mask, long long milliseconds) {
    struct pollfd pfd = {.fd = fd, .events = 0, .revents = 0};
    if (mask & AE_READABLE) pfd.events |= POLLIN;
    if (mask & AE_WRITABLE) pfd.events |= POLLOUT;
    int timeout_ms = milliseconds < 0 ? -1 : milliseconds > INT_MAX ? INT_MAX : (int)milliseconds;

    int ret = poll(&pfd, 1, timeout_ms);
    if (ret <= 0) return ret;
    if (pfd.revents & POLLNVAL) {
        errno = EBADF;
        return -1;
    }
    int ready = 0;
    if (pfd.revents & POLLIN) ready |= AE_READABLE;
    if (pfd.revents & POLLOUT) ready |= AE_WRITABLE;
    if (pfd.revents & (POLLERR | POLLHUP)) ready |= mask & AE_RW;
    return ready;
}
