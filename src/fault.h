/* fault.h -- fault injection (MINIRED FAULT, issue 12): faults that other
 * clients' commands meet on their way in, so client authors can test
 * retries, redirections and timeouts against a real server.
 *
 * networking.c asks fault_process instead of cmd_process while
 * fault_armed is set; with no fault defined that is one predictable
 * branch on the command path. */
#ifndef MINIRED_FAULT_H
#define MINIRED_FAULT_H

#include "server.h"

/* Nonzero while at least one fault is defined (written by fault.c only). */
extern int fault_armed;

/* Runs the socket client c's parsed command (c->argv) as cmd_process does,
 * unless a fault matches it: then the fault's action replaces, wraps or
 * follows the command. Never faults a client that has issued MINIRED. */
void fault_process(client *c);

#endif
