/* slowlog.h -- the slow log: the last slowlog-max-len commands that took
 * at least slowlog-log-slower-than microseconds (SLOWLOG GET/LEN/RESET). */
#ifndef MINIRED_SLOWLOG_H
#define MINIRED_SLOWLOG_H

#include "server.h"

/* Redis's limits on what an entry keeps of a command. */
#define SLOWLOG_ENTRY_MAX_ARGC 32
#define SLOWLOG_ENTRY_MAX_STRING 128

/* Records c's command (borrows c; argv is copied, truncated as Redis
 * does, with redacted arguments replaced) if it qualifies under the current
 * configuration, then trims the log to slowlog-max-len. */
void slowlog_push_if_needed(client *c, redis_command *cmd, long long duration_us);
/* The argument a log (slow log, MONITOR) shows in place of argv[i], or
 * NULL to show it as is: AUTH's and HELLO AUTH's secrets are redacted. */
const char *slowlog_redacted_arg(const client *c, const redis_command *cmd, int i);
/* Number of entries (SLOWLOG LEN). */
unsigned long slowlog_len(void);
/* Drops every entry (SLOWLOG RESET); ids keep counting up. */
void slowlog_reset(void);

#endif
