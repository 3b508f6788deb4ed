/* log.h -- leveled logging to stdout or the configured logfile, in
 * Redis's line format: "pid:role dd Mon yyyy hh:mm:ss.mmm <mark> message". */
#ifndef MINIRED_LOG_H
#define MINIRED_LOG_H

#include "config.h"

/* Writes one line if level >= cfg.verbosity. */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The role letter of every line ('M' by default; 'C' in a forked child). */
void log_set_role(char role);
/* Writes text as is, with no prefix and no level filter (a crash report's
 * banner and dumps). */
void log_raw(const char *text);
/* Async-signal-safe: writes a preformatted message (no timestamp). */
void log_raw_signal_safe(const char *msg);

#define log_debug(...) log_msg(LL_DEBUG, __VA_ARGS__)
#define log_verbose(...) log_msg(LL_VERBOSE, __VA_ARGS__)
#define log_notice(...) log_msg(LL_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LL_WARNING, __VA_ARGS__)

#endif
