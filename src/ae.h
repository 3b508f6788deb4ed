/* ae.h -- a small event library: file events (readable/writable) and time
 * events in one loop, with before-sleep and after-sleep hooks.
 *
 * It knows nothing of clients or of the server and keeps no globals; every
 * call takes the loop explicitly. One backend is compiled in (epoll, kqueue,
 * poll or select) behind the same private interface (ae_backend.h). Timers
 * run on the monotonic clock and live in a min-heap, so adding, deleting
 * and finding the next timer are O(log n). Adding or deleting any event
 * (including the one being handled, or a timer) from inside a callback is
 * safe. */
#ifndef MINIRED_AE_H
#define MINIRED_AE_H

#define AE_OK 0
#define AE_ERR -1

#define AE_NONE 0
#define AE_READABLE 1
#define AE_WRITABLE 2
/* With AE_WRITABLE: in one iteration run the writable handler before the
 * readable one (lets a server fsync before replying). */
#define AE_BARRIER 4

/* Flags for ae_process_events. */
#define AE_FILE_EVENTS (1 << 0)
#define AE_TIME_EVENTS (1 << 1)
#define AE_ALL_EVENTS (AE_FILE_EVENTS | AE_TIME_EVENTS)
#define AE_DONT_WAIT (1 << 2)
#define AE_CALL_BEFORE_SLEEP (1 << 3)
#define AE_CALL_AFTER_SLEEP (1 << 4)

/* A time proc returns the delay in ms before it runs again, or AE_NOMORE to
 * be deleted. */
#define AE_NOMORE -1

typedef struct ae_event_loop ae_event_loop;

typedef void ae_file_proc(ae_event_loop *el, int fd, void *client_data, int mask);
typedef int ae_time_proc(ae_event_loop *el, long long id, void *client_data);
typedef void ae_event_finalizer_proc(ae_event_loop *el, void *client_data);
typedef void ae_sleep_proc(ae_event_loop *el);

/* Returns a new loop able to watch fds 0..setsize-1, or NULL on failure. */
ae_event_loop *ae_create(int setsize);
/* The largest setsize the compiled backend can watch (select's is
 * FD_SETSIZE; the others have no limit of their own), so a caller can size
 * its loop to fit rather than fail. */
int ae_max_set_size(void);
/* Takes el. Runs no finalizers. */
void ae_delete(ae_event_loop *el);
/* Makes ae_main return after the current iteration. */
void ae_stop(ae_event_loop *el);
/* Runs iterations until ae_stop. */
void ae_main(ae_event_loop *el);
/* Runs one iteration; returns the number of events processed. */
int ae_process_events(ae_event_loop *el, int flags);

/* AE_ERR with errno ERANGE if fd >= setsize. */
int ae_create_file_event(ae_event_loop *el, int fd, int mask, ae_file_proc *proc, void *client_data);
void ae_delete_file_event(ae_event_loop *el, int fd, int mask);
/* The mask currently registered for fd. */
int ae_get_file_events(ae_event_loop *el, int fd);

/* Returns the timer id (>= 0). The finalizer, if any, runs when the timer is
 * deleted. */
long long ae_create_time_event(ae_event_loop *el, long long milliseconds, ae_time_proc *proc,
                               void *client_data, ae_event_finalizer_proc *finalizer);
/* AE_ERR if no such timer. */
int ae_delete_time_event(ae_event_loop *el, long long id);

void ae_set_before_sleep_proc(ae_event_loop *el, ae_sleep_proc *proc);
void ae_set_after_sleep_proc(ae_event_loop *el, ae_sleep_proc *proc);
/* When set, the next waits do not block (used when work is pending). */
void ae_set_dont_wait(ae_event_loop *el, int no_wait);

int ae_get_set_size(ae_event_loop *el);
/* AE_ERR if an fd >= setsize is in use. */
int ae_resize_set_size(ae_event_loop *el, int setsize);
/* Name of the compiled-in backend: "epoll", "kqueue", "poll", "select". */
const char *ae_get_api_name(void);

/* Waits up to milliseconds for one fd; returns the ready mask, 0 on timeout,
 * -1 on error. */
int ae_wait(int fd, int mask, long long milliseconds);

#endif
