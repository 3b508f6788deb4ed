/* admin.h -- hooks the dispatcher and networking.c call for the diagnostics
 * and controls owned by admin.c: the slow log and latency recording after
 * each command, MONITOR, and CLIENT PAUSE's postponing of commands. */
#ifndef MINIRED_ADMIN_H
#define MINIRED_ADMIN_H

#include "server.h"

/* After a command ran (borrows c and cmd; c->argv still readable): records
 * it in the slow log, the latency histograms and events, and sends it to
 * MONITOR clients if admin_feed_monitors staged it. */
void admin_after_command(client *c, redis_command *cmd, long long duration_us);
/* Before a command runs, when monitors exist: stages the command's text
 * (taken now, while every argument is intact); admin_after_command sends
 * it, as Redis 7.0 shows commands once they have run (with the db they
 * leave selected). */
void admin_feed_monitors(client *c);
/* Sends c's command to the monitors at once, before what it runs: EVAL
 * (flagged skip_monitor) shows ahead of its script's commands, as in
 * Redis. */
void admin_feed_monitors_now(client *c);
/* networking.c: c is being freed; forget it (monitor list, paused list). */
void admin_client_freed(client *c);
/* "-ERR unknown subcommand or wrong number of arguments for '<argv[1]>'.
 * Try <ARGV[0]> HELP." (a subcommand given the wrong arguments). */
void admin_reply_subcommand_syntax(client *c);

/* ---------------------------------------------------------- CLIENT PAUSE
 * While a pause is on, networking.c asks admin_postpone_command before it
 * runs each parsed command; a postponed command stays parsed in its
 * client (c->argv set) and admin.c calls net_resume_postponed for each
 * such client, in arrival order, once the pause ends (timeout or UNPAUSE),
 * always from a timer, never from inside another client's command. */
enum admin_pause_mode { ADMIN_PAUSE_OFF = 0, ADMIN_PAUSE_WRITE, ADMIN_PAUSE_ALL };
/* Who pauses: each purpose starts and ends its own pause. */
enum admin_pause_purpose { ADMIN_PAUSE_BY_CLIENT = 0, ADMIN_PAUSE_SHUTDOWN, ADMIN_PAUSE_FAILOVER, ADMIN_PAUSE_PURPOSES };

/* Non-zero while a pause is on (written by admin.c only). */
extern int admin_pause_active;

/* Starts or extends purpose's pause until end_ms (unix ms); a pause
 * already on for that purpose keeps the later end and the stricter mode,
 * as Redis does. */
void admin_pause(enum admin_pause_purpose purpose, enum admin_pause_mode mode, long long end_ms);
/* Ends purpose's pause now (the others go on); postponed clients are
 * resumed from a timer when nothing pauses any more. */
void admin_unpause(enum admin_pause_purpose purpose);
/* 1 if c's parsed command (c->argv) must wait for the pause to end; c is
 * then remembered. Commands that cmd_resolve refuses (unknown, arity,
 * NOAUTH, no-multi) are not postponed, so their error comes at once, as
 * in Redis; an EXEC waits under PAUSE WRITE if it queued a write. */
int admin_postpone_command(client *c);
static inline int admin_should_postpone(client *c) {
    return admin_pause_active && admin_postpone_command(c);
}
/* 1 if c waits for the end of a pause (CLIENT LIST flag 'b'). */
int admin_client_is_postponed(const client *c);
/* Clients waiting for the end of a pause (INFO blocked_clients). */
unsigned long admin_postponed_count(void);

#endif
