/* ae_kqueue.c -- ae backend on BSD/macOS kqueue.
 *
 * Owns one kqueue fd, the kevent buffer it fills and a per-fd scratch mask.
 * It never calls handlers. kqueue has one filter per direction, so one fd
 * can come back as two kevents (read and write, not necessarily adjacent);
 * they are merged so that ae.c sees each fd at most once per poll.
 * Invariant: the scratch mask is all zero between polls. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ae.h"
#include "ae_backend.h"
#include "zmalloc.h"

#define AE_KQUEUE_US_PER_SEC 1000000LL
#define AE_KQUEUE_NS_PER_US 1000LL
/* An fd can yield one kevent per filter: read and write. */
#define AE_KQUEUE_FILTERS_PER_FD 2

struct ae_api_state {
    int kqfd;
    int setsize;
    struct kevent *events;       /* setsize * AE_KQUEUE_FILTERS_PER_FD */
    unsigned char *merged_mask;  /* setsize long scratch, zero between polls */
};

static void ae_kqueue_size_buffers(ae_api_state *state, int setsize) {
    size_t nevents = (size_t)setsize * AE_KQUEUE_FILTERS_PER_FD;
    state->events = zrealloc(state->events, sizeof(struct kevent) * nevents);
    state->merged_mask = zrealloc(state->merged_mask, (size_t)setsize);
    if (setsize > state->setsize)
        memset(state->merged_mask + state->setsize, 0, (size_t)(setsize - state->setsize));
    state->setsize = setsize;
}

int ae_api_max_set_size(void) {
    return INT_MAX; /* the kernel object has no fd ceiling of its own */
}

ae_api_state *ae_api_create(int setsize) {
    int kqfd = kqueue();
    if (kqfd == -1) return NULL;
    /* Keep the kqueue out of exec'd children (there is no kqueue1 on macOS). */
    fcntl(kqfd, F_SETFD, FD_CLOEXEC);
    ae_api_state *state = zcalloc(sizeof(*state));
    state->kqfd = kqfd;
    ae_kqueue_size_buffers(state, setsize);
    return state;
}

int ae_api_resize(ae_api_state *state, int setsize) {
    ae_kqueue_size_buffers(state, setsize);
    return 0;
}

void ae_api_free(ae_api_state *state) {
    close(state->kqfd);
    zfree(state->events);
    zfree(state->merged_mask);
    zfree(state);
}

static int ae_kqueue_change(ae_api_state *state, int fd, short filter, unsigned short flags) {
    struct kevent ke;
    EV_SET(&ke, (uintptr_t)fd, filter, flags, 0, 0, 0);
    return kevent(state->kqfd, &ke, 1, NULL, 0, NULL);
}

int ae_api_add_event(ae_api_state *state, int fd, int old_mask, int add_mask) {
    (void)old_mask;
    if ((add_mask & AE_READABLE) && ae_kqueue_change(state, fd, EVFILT_READ, EV_ADD) == -1) return -1;
    if ((add_mask & AE_WRITABLE) && ae_kqueue_change(state, fd, EVFILT_WRITE, EV_ADD) == -1) {
        /* Undo the read half so the kernel matches ae.c's unchanged mask. */
        int saved = errno;
        if (add_mask & AE_READABLE) ae_kqueue_change(state, fd, EVFILT_READ, EV_DELETE);
        errno = saved;
        return -1;
    }
    return 0;
}

void ae_api_del_event(ae_api_state *state, int fd, int old_mask, int del_mask) {
    (void)old_mask;
    /* Errors are ignored: closing the fd already removed its filters. */
    if (del_mask & AE_READABLE) ae_kqueue_change(state, fd, EVFILT_READ, EV_DELETE);
    if (del_mask & AE_WRITABLE) ae_kqueue_change(state, fd, EVFILT_WRITE, EV_DELETE);
}

int ae_api_poll(ae_api_state *state, long long timeout_us, ae_fired_event *fired) {
    struct timespec ts, *tsp = NULL;
    if (timeout_us >= 0) {
        ts.tv_sec = (time_t)(timeout_us / AE_KQUEUE_US_PER_SEC);
        ts.tv_nsec = (long)((timeout_us % AE_KQUEUE_US_PER_SEC) * AE_KQUEUE_NS_PER_US);
        tsp = &ts;
    }
    int nevents = state->setsize * AE_KQUEUE_FILTERS_PER_FD;
    int got = kevent(state->kqfd, NULL, 0, state->events, nevents, tsp);
    if (got <= 0) return 0;

    /* First pass: fds in first-seen order, directions OR-ed per fd. */
    int n = 0;
    for (int j = 0; j < got; j++) {
        const struct kevent *e = &state->events[j];
        int fd = (int)e->ident;
        int bit = e->filter == EVFILT_READ ? AE_READABLE : e->filter == EVFILT_WRITE ? AE_WRITABLE : 0;
        if (bit == 0 || fd < 0 || fd >= state->setsize) continue;
        if (state->merged_mask[fd] == 0) fired[n++].fd = fd;
        state->merged_mask[fd] |= (unsigned char)bit;
    }
    /* Second pass: hand out the masks and leave the scratch zeroed. */
    for (int j = 0; j < n; j++) {
        int fd = fired[j].fd;
        fired[j].mask = state->merged_mask[fd];
        state->merged_mask[fd] = 0;
    }
    return n;
}

const char *ae_api_name(void) {
    return "kqueue";
}
