/* testctl.c -- the MINIRED command family: test controls for client
 * authors, off unless enable-test-controls allows them.
 *
 * MINIRED is minired's own name, so it can never collide with a Redis
 * command. Its subcommands are protected commands: cmd_resolve asks
 * cmd_protected_refusal, which asks testctl_refusal here, before any of
 * them runs. The clock lives in vclock.c, fault injection in fault.c; this
 * file owns only the gate and the container. */
#include "testctl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "config.h"
#include "debug_more.h"
#include "reply.h"

void testctl_init(void) {
    cfg.test_controls_locked = cfg.enable_test_controls == PROTECTED_CONFIGS_NO;
}

sds testctl_refusal(client *c) {
    int mode = cfg.enable_test_controls;
    if (mode == PROTECTED_CONFIGS_YES || (mode == PROTECTED_CONFIGS_LOCAL && client_is_local(c))) return NULL;
    return sds_new("MINIRED command not allowed. If the enable-test-controls option is set to \"local\", you can "
                   "run it from a local connection, otherwise you need to set this option in the configuration "
                   "file, and then restart the server.");
}

static void minired_help_command(client *c) {
    static const char *help[] = {
        "CLOCK FREEZE",
        "    Stop the clock the data reads (TTLs, TIME, stream IDs, idle times, LRU/LFU).",
        "CLOCK ADVANCE <milliseconds>",
        "    Move the data clock forward (it stays frozen or running); keys whose TTL passes expire at once.",
        "CLOCK SET <unix-time-milliseconds>",
        "    Set the data clock to the given time and freeze it there; it may not go back.",
        "CLOCK RESUME",
        "    Let the data clock run again from where it stands (no jump).",
        "CLOCK GET",
        "    Return the data clock in milliseconds and whether it is frozen.",
        "FAULT ADD <id> <match> <action> [COUNT <n>] [PROBABILITY <p>] [CLIENT <name-or-id>]",
        "    Inject a fault into the commands other clients send that match (never into",
        "    a client that has issued MINIRED); the first fault added that matches fires.",
        "    Inside MULTI a fault meets each command as it is queued, and EXEC as one.",
        "    <match> is one of:",
        "    * ANY",
        "    * COMMAND <name>|<container|subcommand>",
        "    * KEY <pattern>: a key of the command matches the glob-style pattern.",
        "    <action> is one of:",
        "    * ERROR <text>: reply -<text> instead of running the command when <text>",
        "      starts with a code in capitals (LOADING, MOVED, BUSY...), else -ERR <text>.",
        "    * DELAY <milliseconds>: run it; hold its reply and the client's later",
        "      commands that long (other clients are served meanwhile).",
        "    * CLOSE [BEFORE|AFTER]: close the connection before the command runs",
        "      (default), or after it ran without sending its reply.",
        "    * DROP-REPLY: run it; never send its reply.",
        "    * PARTIAL <bytes> [STALL|CLOSE]: run it; send only the first bytes of its",
        "      reply, then stall the connection (default) or close it.",
        "    * SLOW-READ <milliseconds>: run it; then stop reading the client that long.",
        "    COUNT: fire n times, then remove the fault. PROBABILITY: fire with chance p",
        "    (0 to 1). CLIENT: only the client with that CLIENT SETNAME name or CLIENT ID.",
        "FAULT DEL <id>",
        "    Remove a fault.",
        "FAULT LIST",
        "    List the faults (id, match, action, count left, probability, client) and",
        "    how often each fired.",
        "FAULT RESET",
        "    Remove every fault.",
        NULL};
    reply_help(c, help);
}

/* ---------------------------------------------------------- table */

#define TESTCTL_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_PROTECTED)

static redis_command minired_subcommands[] = {
    {.name = "clock", .proc = testctl_clock_command, .arity = -3, .flags = TESTCTL_FLAGS, .group = "server",
     .since = "7.0.0", .summary = "Read, freeze, advance or set the clock the data reads", .complexity = "O(1)"},
    {.name = "fault", .proc = testctl_fault_command, .arity = -3, .flags = TESTCTL_FLAGS, .group = "server",
     .since = "7.0.0", .summary = "Add, remove or list injected faults",
     .complexity = "O(N) where N is the number of faults"},
    {.name = "help", .proc = minired_help_command, .arity = 2, .flags = TESTCTL_FLAGS, .group = "server",
     .since = "7.0.0", .summary = "Show helpful text about the different subcommands", .complexity = "O(1)"},
    {0}};

redis_command testctl_commands[] = {
    {.name = "minired", .arity = -2, .group = "server", .since = "7.0.0",
     .summary = "A container for minired's test controls (virtual clock, fault injection)",
     .complexity = "Depends on subcommand.", .subcommands = minired_subcommands},
    {0}};
