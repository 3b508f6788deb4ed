/* debug_extra.h -- the DEBUG subcommands for internals, persistence and
 * crash testing (HTSTATS, SDSLEN, STRUCTSIZE, PAUSE-CRON, REPLICATE,
 * RESTART, SEGFAULT, ...). */
#ifndef DEBUG_EXTRA_H
#define DEBUG_EXTRA_H

#include "server.h"

/* Runs c's DEBUG subcommand if it is one of these; returns 1 when it was
 * (a reply was sent, or the process is gone), 0 to let debug.c go on. */
int debug_extra_dispatch(client *c);

/* DEBUG PAUSE-CRON: 1 while the server's cron must skip its work. */
int debug_cron_paused(void);

/* server.c hands over its shutdown preparation (SHUTDOWN's, with flags
 * SHUTDOWN_*): RESTART runs it before re-executing the binary; it returns
 * 0 when the process may go. */
typedef int debug_prepare_shutdown_fn(int flags);
void debug_set_prepare_shutdown(debug_prepare_shutdown_fn *fn);

#endif
