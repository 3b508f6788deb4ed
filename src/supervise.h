/* supervise.h -- talking to an init system: systemd's notify protocol
 * (READY=1, STATUS=..., STOPPING=1 over $NOTIFY_SOCKET) and upstart's
 * SIGSTOP, chosen by the "supervised" directive as Redis 7.0 does. */
#ifndef MINIRED_SUPERVISE_H
#define MINIRED_SUPERVISE_H

/* Resolves "supervised" (auto: $UPSTART_JOB, then $NOTIFY_SOCKET), logs
 * what Redis logs, and tells the supervisor the server is loading (systemd)
 * or stops itself until upstart continues it. Call once, after the config
 * is loaded and before daemonizing. Returns 1 when supervised. */
int supervise_start(int configured_mode);
/* Loading done, listening: STATUS=Ready to accept connections, READY=1. */
void supervise_ready(void);
/* A shutdown begins: STOPPING=1. */
void supervise_stopping(void);
/* Whether supervise_start found a supervisor (a daemonize yes server then
 * stayed in the foreground and wrote no default pid file). */
int supervise_active(void);
/* The INFO "process_supervised" word: no, systemd, upstart. Borrowed. */
const char *supervise_info_name(void);
/* Sends one notify datagram to $NOTIFY_SOCKET (a path, or '@' for the
 * abstract namespace). Returns 0, or -1 when unset or unreachable. */
int supervise_notify(const char *msg);

#endif
