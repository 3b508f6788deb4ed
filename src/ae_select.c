/* ae_select.c -- last-resort ae backend on select(2).
 *
 * Owns the master read/write fd_sets (select overwrites the sets it is
 * given, so it gets copies) and the highest watched fd. It never calls
 * handlers. select cannot watch an fd >= FD_SETSIZE, so a set size beyond
 * FD_SETSIZE is refused at create/resize time rather than overflowing an
 * fd_set later. */
#include <errno.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>

#include "ae.h"
#include "ae_backend.h"
#include "zmalloc.h"

#define AE_SELECT_US_PER_SEC 1000000LL

struct ae_api_state {
    fd_set rfds;
    fd_set wfds;
    int maxfd; /* highest fd in either set, -1 if none */
};

int ae_api_max_set_size(void) {
    return FD_SETSIZE; /* an fd_set has FD_SETSIZE bits, fds 0..FD_SETSIZE-1 */
}

ae_api_state *ae_api_create(int setsize) {
    if (setsize > FD_SETSIZE) {
        errno = EINVAL;
        return NULL;
    }
    ae_api_state *state = zmalloc(sizeof(*state));
    FD_ZERO(&state->rfds);
    FD_ZERO(&state->wfds);
    state->maxfd = -1;
    return state;
}

int ae_api_resize(ae_api_state *state, int setsize) {
    (void)state;
    if (setsize > FD_SETSIZE) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

void ae_api_free(ae_api_state *state) {
    zfree(state);
}

int ae_api_add_event(ae_api_state *state, int fd, int old_mask, int add_mask) {
    (void)old_mask;
    if (add_mask & AE_READABLE) FD_SET(fd, &state->rfds);
    if (add_mask & AE_WRITABLE) FD_SET(fd, &state->wfds);
    if (fd > state->maxfd) state->maxfd = fd;
    return 0;
}

void ae_api_del_event(ae_api_state *state, int fd, int old_mask, int del_mask) {
    (void)old_mask;
    if (del_mask & AE_READABLE) FD_CLR(fd, &state->rfds);
    if (del_mask & AE_WRITABLE) FD_CLR(fd, &state->wfds);
    while (state->maxfd >= 0 && !FD_ISSET(state->maxfd, &state->rfds) && !FD_ISSET(state->maxfd, &state->wfds))
        state->maxfd--;
}

int ae_api_poll(ae_api_state *state, long long timeout_us, ae_fired_event *fired) {
    fd_set rfds, wfds;
    memcpy(&rfds, &state->rfds, sizeof(fd_set));
    memcpy(&wfds, &state->wfds, sizeof(fd_set));
    struct timeval tv, *tvp = NULL;
    if (timeout_us >= 0) {
        tv.tv_sec = (time_t)(timeout_us / AE_SELECT_US_PER_SEC);
        tv.tv_usec = (suseconds_t)(timeout_us % AE_SELECT_US_PER_SEC);
        tvp = &tv;
    }

    int ready = select(state->maxfd + 1, &rfds, &wfds, NULL, tvp);
    if (ready <= 0) return 0;
    int n = 0;
    for (int fd = 0; fd <= state->maxfd; fd++) {
        int mask = 0;
        if (FD_ISSET(fd, &rfds)) mask |= AE_READABLE;
        if (FD_ISSET(fd, &wfds)) mask |= AE_WRITABLE;
        if (mask == 0) continue;
        fired[n].fd = fd;
        fired[n].mask = mask;
        n++;
    }
    return n;
}

const char *ae_api_name(void) {
    return "select";
}
