/* kqueue_shim/sys/event.h -- just enough of BSD kqueue on top of poll(2) to
 * run src/ae_kqueue.c, unchanged, on Linux in tests (run_kqueue_shim.sh).
 *
 * Emulates: kqueue(), kevent() with EV_ADD / EV_DELETE changes and
 * EVFILT_READ / EVFILT_WRITE filters, EV_SET, EV_EOF on hang-up, ENOENT on
 * deleting a filter that is not registered, EBADF on adding a closed fd,
 * and a closed fd silently dropping its filters. To exercise the backend's
 * merging, all read kevents are returned before all write kevents, so the
 * two halves of one fd are never adjacent. Test-only: not thread-safe. */
#ifndef KQUEUE_SHIM_SYS_EVENT_H
#define KQUEUE_SHIM_SYS_EVENT_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)
#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_ERROR 0x4000
#define EV_EOF 0x8000

struct kevent {
    uintptr_t ident;
    short filter;
    unsigned short flags;
    unsigned int fflags;
    intptr_t data;
    void *udata;
};

#define EV_SET(kevp, a, b, c, d, e, f)                 \
    do {                                               \
        struct kevent *shim_kev_ = (kevp);             \
        shim_kev_->ident = (a);                        \
        shim_kev_->filter = (b);                       \
        shim_kev_->flags = (c);                        \
        shim_kev_->fflags = (d);                       \
        shim_kev_->data = (e);                         \
        shim_kev_->udata = (void *)(uintptr_t)(f);     \
    } while (0)

typedef struct shim_kq_reg {
    int fd;
    short filter;
} shim_kq_reg;

typedef struct shim_kq {
    int kqfd;
    int nregs;
    int cap;
    shim_kq_reg *regs;
    struct shim_kq *next;
} shim_kq;

/* All queues ever made; records stay reachable (a closed kqueue fd's record
 * is reused when the number comes back). */
static inline shim_kq **shim_kq_head(void) {
    static shim_kq *head;
    return &head;
}

static inline shim_kq *shim_kq_find(int kqfd) {
    for (shim_kq *q = *shim_kq_head(); q != NULL; q = q->next)
        if (q->kqfd == kqfd) return q;
    return NULL;
}

static inline int kqueue(void) {
    /* A real fd stands for the queue so that close() works on it. */
    int fd = open("/dev/null", O_RDONLY);
    if (fd == -1) return -1;
    shim_kq *q = shim_kq_find(fd);
    if (q == NULL) {
        q = calloc(1, sizeof(*q));
        if (q == NULL) abort();
        q->kqfd = fd;
        q->next = *shim_kq_head();
        *shim_kq_head() = q;
    }
    q->nregs = 0;
    return fd;
}

static inline int shim_kq_index(shim_kq *q, int fd, short filter) {
    for (int i = 0; i < q->nregs; i++)
        if (q->regs[i].fd == fd && q->regs[i].filter == filter) return i;
    return -1;
}

static inline void shim_kq_remove_at(shim_kq *q, int i) {
    q->regs[i] = q->regs[--q->nregs];
}

static inline int shim_kq_apply(shim_kq *q, const struct kevent *ch) {
    int fd = (int)ch->ident;
    if (ch->filter != EVFILT_READ && ch->filter != EVFILT_WRITE) {
        errno = EINVAL;
        return -1;
    }
    int i = shim_kq_index(q, fd, ch->filter);
    if (ch->flags & EV_DELETE) {
        if (i < 0) {
            errno = ENOENT;
            return -1;
        }
        shim_kq_remove_at(q, i);
        return 0;
    }
    if (ch->flags & EV_ADD) {
        if (fcntl(fd, F_GETFD) == -1) {
            errno = EBADF;
            return -1;
        }
        if (i >= 0) return 0;
        if (q->nregs == q->cap) {
            q->cap = q->cap ? q->cap * 2 : 16;
            q->regs = realloc(q->regs, sizeof(shim_kq_reg) * (size_t)q->cap);
            if (q->regs == NULL) abort();
        }
        q->regs[q->nregs].fd = fd;
        q->regs[q->nregs].filter = ch->filter;
        q->nregs++;
        return 0;
    }
    errno = EINVAL;
    return -1;
}

/* Emits one kevent per (ready fd, filter); reads first, then writes. */
static inline int shim_kq_collect(shim_kq *q, struct pollfd *pfds, int npfds, struct kevent *out, int nout) {
    static const short filters[2] = {EVFILT_READ, EVFILT_WRITE};
    int n = 0;
    for (int f = 0; f < 2; f++) {
        short want = filters[f] == EVFILT_READ ? (POLLIN | POLLHUP | POLLERR) : (POLLOUT | POLLHUP | POLLERR);
        for (int p = 0; p < npfds && n < nout; p++) {
            if (!(pfds[p].revents & want)) continue;
            if (shim_kq_index(q, pfds[p].fd, filters[f]) < 0) continue;
            EV_SET(&out[n], (uintptr_t)pfds[p].fd, filters[f], (pfds[p].revents & POLLHUP) ? EV_EOF : 0, 0, 0, 0);
            n++;
        }
    }
    return n;
}

static inline int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int nevents,
                         const struct timespec *timeout) {
    shim_kq *q = shim_kq_find(kq);
    if (q == NULL || fcntl(kq, F_GETFD) == -1) {
        errno = EBADF;
        return -1;
    }
    for (int c = 0; c < nchanges; c++)
        if (shim_kq_apply(q, &changelist[c]) == -1) return -1;
    if (nevents <= 0) return 0;

    struct pollfd *pfds = calloc((size_t)q->nregs + 1, sizeof(struct pollfd));
    if (pfds == NULL) abort();
    int npfds = 0;
    for (int i = 0; i < q->nregs; i++) {
        int p = 0;
        while (p < npfds && pfds[p].fd != q->regs[i].fd) p++;
        if (p == npfds) pfds[npfds++].fd = q->regs[i].fd;
        pfds[p].events |= q->regs[i].filter == EVFILT_READ ? POLLIN : POLLOUT;
    }
    int timeout_ms = -1;
    if (timeout != NULL) timeout_ms = (int)(timeout->tv_sec * 1000 + (timeout->tv_nsec + 999999) / 1000000);

    int ready = poll(pfds, (nfds_t)npfds, timeout_ms);
    int n = ready;
    if (ready > 0) {
        /* Like kqueue, a closed fd loses its filters instead of firing. */
        for (int p = 0; p < npfds; p++) {
            if (!(pfds[p].revents & POLLNVAL)) continue;
            for (int i = q->nregs - 1; i >= 0; i--)
                if (q->regs[i].fd == pfds[p].fd) shim_kq_remove_at(q, i);
        }
        n = shim_kq_collect(q, pfds, npfds, eventlist, nevents);
    }
    free(pfds);
    return n;
}

#endif
