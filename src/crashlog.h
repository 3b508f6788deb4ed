/* crashlog.h -- the bug report a crashing server leaves in its log, in
 * Redis's layout (the START / END marker lines tools grep for), for fatal
 * signals, panics, failed assertions and out-of-memory. */
#ifndef MINIRED_CRASHLOG_H
#define MINIRED_CRASHLOG_H

#include <stddef.h>

#include "server.h"

/* Installs the fatal-signal handlers (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT) and the allocator's out-of-memory handler. Sanitizer builds
 * keep the sanitizer's own SIGSEGV report instead. */
void crash_setup(void);

/* Logs a "Guru Meditation" report with msg and where it came from, then
 * aborts. Never returns. */
void crash_panic(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

/* Logs an assertion-failed report (with c's command, if c is not NULL)
 * for the expression text expr, then aborts. Never returns. */
void crash_assert_failed(const client *c, const char *file, int line, const char *expr) __attribute__((noreturn));

#endif
