/* ae_epoll.c -- ae backend on Linux epoll.
 *
 * Owns one epoll fd and the buffer epoll_wait fills. It never calls
 * handlers or keeps its own per-fd masks: ae.c passes the old mask, which
 * picks EPOLL_CTL_ADD, MOD or DEL. Invariant: the kernel's interest set for
 * an fd equals the mask ae.c holds for it. */
#include <errno.h>
#include <limits.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ae.h"
#include "ae_backend.h"
#include "zmalloc.h"

#define AE_EPOLL_US_PER_MS 1000LL

struct ae_api_state {
    int epfd;
    int setsize;
    struct epoll_event *events; /* setsize long: one entry per fd at most */
};

int ae_api_max_set_size(void) {
    return INT_MAX; /* the kernel object has no fd ceiling of its own */
}

ae_api_state *ae_api_create(int setsize) {
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd == -1) return NULL;
    ae_api_state *state = zmalloc(sizeof(*state));
    state->epfd = epfd;
    state->setsize = setsize;
    state->events = zmalloc(sizeof(struct epoll_event) * (size_t)setsize);
    return state;
}

int ae_api_resize(ae_api_state *state, int setsize) {
    state->events = zrealloc(state->events, sizeof(struct epoll_event) * (size_t)setsize);
    state->setsize = setsize;
    return 0;
}

void ae_api_free(ae_api_state *state) {
    close(state->epfd);
    zfree(state->events);
    zfree(state);
}

static uint32_t ae_epoll_bits(int mask) {
    uint32_t bits = 0;
    if (mask & AE_READABLE) bits |= EPOLLIN;
    if (mask & AE_WRITABLE) bits |= EPOLLOUT;
    return bits;
}

int ae_api_add_event(ae_api_state *state, int fd, int old_mask, int add_mask) {
    struct epoll_event ee = {0};
    ee.events = ae_epoll_bits(old_mask | add_mask);
    ee.data.fd = fd;
    int op = old_mask == AE_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    return epoll_ctl(state->epfd, op, fd, &ee) == -1 ? -1 : 0;
}

void ae_api_del_event(ae_api_state *state, int fd, int old_mask, int del_mask) {
    struct epoll_event ee = {0};
    int remaining = old_mask & ~del_mask;
    ee.events = ae_epoll_bits(remaining);
    ee.data.fd = fd;
    /* Errors are ignored: the fd may already be closed, which removed it. */
    if (remaining == AE_NONE)
        epoll_ctl(state->epfd, EPOLL_CTL_DEL, fd, &ee);
    else
        epoll_ctl(state->epfd, EPOLL_CTL_MOD, fd, &ee);
}

/* Rounds up so a timer wait never wakes just before the timer is due. */
static int ae_epoll_timeout_ms(long long timeout_us) {
    if (timeout_us < 0) return -1;
    long long ms = (timeout_us + AE_EPOLL_US_PER_MS - 1) / AE_EPOLL_US_PER_MS;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

int ae_api_poll(ae_api_state *state, long long timeout_us, ae_fired_event *fired) {
    int n = epoll_wait(state->epfd, state->events, state->setsize, ae_epoll_timeout_ms(timeout_us));
    if (n <= 0) return 0;
    for (int j = 0; j < n; j++) {
        uint32_t ev = state->events[j].events;
        int mask = 0;
        if (ev & EPOLLIN) mask |= AE_READABLE;
        if (ev & EPOLLOUT) mask |= AE_WRITABLE;
        /* ae.c keeps only the registered directions of this. */
        if (ev & (EPOLLERR | EPOLLHUP)) mask |= AE_READABLE | AE_WRITABLE;
        fired[j].fd = state->events[j].data.fd;
        fired[j].mask = mask;
    }
    return n;
}

const char *ae_api_name(void) {
    return "epoll";
}
