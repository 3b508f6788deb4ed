/* ae_poll.c -- portable ae backend on poll(2).
 *
 * Owns a dense pollfd array (only watched fds, so poll's cost follows the
 * number of fds, not the highest fd) and an fd -> slot map. It never calls
 * handlers. Invariant: slot_of[fd] == i  <=>  pfds[i].fd == fd, and every
 * slot below nfds has a non-empty event set; removal swaps the last slot
 * into the hole, so it is O(1). */
#include <limits.h>
#include <poll.h>

#include "ae.h"
#include "ae_backend.h"
#include "zmalloc.h"

#define AE_POLL_US_PER_MS 1000LL
#define AE_POLL_NO_SLOT (-1)

struct ae_api_state {
    int setsize;
    int nfds;
    struct pollfd *pfds; /* setsize long, first nfds used */
    int *slot_of;        /* setsize long, AE_POLL_NO_SLOT if not watched */
};

int ae_api_max_set_size(void) {
    return INT_MAX; /* pollfd arrays grow with the set */
}

ae_api_state *ae_api_create(int setsize) {
    ae_api_state *state = zmalloc(sizeof(*state));
    state->setsize = setsize;
    state->nfds = 0;
    state->pfds = zmalloc(sizeof(struct pollfd) * (size_t)setsize);
    state->slot_of = zmalloc(sizeof(int) * (size_t)setsize);
    for (int fd = 0; fd < setsize; fd++) state->slot_of[fd] = AE_POLL_NO_SLOT;
    return state;
}

int ae_api_resize(ae_api_state *state, int setsize) {
    /* No watched fd is >= setsize, so nfds <= setsize still holds. */
    state->pfds = zrealloc(state->pfds, sizeof(struct pollfd) * (size_t)setsize);
    state->slot_of = zrealloc(state->slot_of, sizeof(int) * (size_t)setsize);
    for (int fd = state->setsize; fd < setsize; fd++) state->slot_of[fd] = AE_POLL_NO_SLOT;
    state->setsize = setsize;
    return 0;
}

void ae_api_free(ae_api_state *state) {
    zfree(state->pfds);
    zfree(state->slot_of);
    zfree(state);
}

static short ae_poll_bits(int mask) {
    short bits = 0;
    if (mask & AE_READABLE) bits |= POLLIN;
    if (mask & AE_WRITABLE) bits |= POLLOUT;
    return bits;
}

int ae_api_add_event(ae_api_state *state, int fd, int old_mask, int add_mask) {
    int slot = state->slot_of[fd];
    if (slot == AE_POLL_NO_SLOT) {
        slot = state->nfds++;
        state->slot_of[fd] = slot;
        state->pfds[slot].fd = fd;
        state->pfds[slot].revents = 0;
    }
    state->pfds[slot].events = ae_poll_bits(old_mask | add_mask);
    return 0;
}

void ae_api_del_event(ae_api_state *state, int fd, int old_mask, int del_mask) {
    int slot = state->slot_of[fd];
    if (slot == AE_POLL_NO_SLOT) return;
    int remaining = old_mask & ~del_mask;
    if (remaining != AE_NONE) {
        state->pfds[slot].events = ae_poll_bits(remaining);
        return;
    }
    int last = --state->nfds;
    if (slot != last) {
        state->pfds[slot] = state->pfds[last];
        state->slot_of[state->pfds[slot].fd] = slot;
    }
    state->slot_of[fd] = AE_POLL_NO_SLOT;
}

/* Rounds up so a timer wait never wakes just before the timer is due. */
static int ae_poll_timeout_ms(long long timeout_us) {
    if (timeout_us < 0) return -1;
    long long ms = (timeout_us + AE_POLL_US_PER_MS - 1) / AE_POLL_US_PER_MS;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

int ae_api_poll(ae_api_state *state, long long timeout_us, ae_fired_event *fired) {
    int ready = poll(state->pfds, (nfds_t)state->nfds, ae_poll_timeout_ms(timeout_us));
    if (ready <= 0) return 0;
    int n = 0;
    for (int i = 0; i < state->nfds && n < ready; i++) {
        short rev = state->pfds[i].revents;
        if (rev == 0) continue;
        int mask = 0;
        if (rev & POLLIN) mask |= AE_READABLE;
        if (rev & POLLOUT) mask |= AE_WRITABLE;
        /* POLLNVAL: the fd was closed while watched; let the handler see it
         * (ae.c keeps only the registered directions). */
        if (rev & (POLLERR | POLLHUP | POLLNVAL)) mask |= AE_READABLE | AE_WRITABLE;
        fired[n].fd = state->pfds[i].fd;
        fired[n].mask = mask;
        n++;
    }
    return n;
}

const char *ae_api_name(void) {
    return "poll";
}
