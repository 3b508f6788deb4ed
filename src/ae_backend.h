/* ae_backend.h -- the private interface every ae backend fills in.
 *
 * Exactly one of ae_epoll.c, ae_kqueue.c, ae_poll.c, ae_select.c is linked
 * with ae.c; each defines struct ae_api_state and the functions below. A
 * backend only mirrors the kernel's view of which fds are watched for what:
 * ae.c owns the handlers, the fired array and the timers, and never looks
 * inside the state. Only ae.c includes this header. */
#ifndef MINIRED_AE_BACKEND_H
#define MINIRED_AE_BACKEND_H

/* ae_api_poll's timeout for "block until an fd is ready". */
#define AE_API_WAIT_FOREVER (-1LL)

/* One ready fd as reported by a poll: mask is AE_READABLE | AE_WRITABLE.
 * An error or hang-up on the fd is reported as every direction that was
 * registered, so the handler runs and sees the error on read/write. */
typedef struct ae_fired_event {
    int fd;
    int mask;
} ae_fired_event;

typedef struct ae_api_state ae_api_state;

/* Returns a new state able to watch fds 0..setsize-1, or NULL (errno set)
 * if the kernel object cannot be made or setsize is beyond the backend's
 * limit. */
ae_api_state *ae_api_create(int setsize);
/* The largest setsize the backend can hold (select: FD_SETSIZE). */
int ae_api_max_set_size(void);
/* Grows or shrinks the state to setsize; the caller guarantees no fd >=
 * setsize is registered. Returns 0, or -1 if the backend cannot hold it. */
int ae_api_resize(ae_api_state *state, int setsize);
/* Takes state. */
void ae_api_free(ae_api_state *state);
/* Starts watching fd for add_mask on top of old_mask (what is already
 * registered). Returns 0, or -1 with errno from the kernel. */
int ae_api_add_event(ae_api_state *state, int fd, int old_mask, int add_mask);
/* Stops watching fd for del_mask; old_mask is what was registered before. */
void ae_api_del_event(ae_api_state *state, int fd, int old_mask, int del_mask);
/* Waits up to timeout_us microseconds (0: just look; AE_API_WAIT_FOREVER:
 * no limit) and writes the ready fds into fired, which has room for setsize
 * entries, one entry per fd. Returns how many; 0 on timeout or EINTR. */
int ae_api_poll(ae_api_state *state, long long timeout_us, ae_fired_event *fired);
/* "epoll", "kqueue", "poll" or "select". */
const char *ae_api_name(void);

#endif
