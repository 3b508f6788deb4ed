/* testctl.h -- test controls for client authors (issue 12): the MINIRED
 * command family (MINIRED CLOCK, MINIRED FAULT, MINIRED HELP), allowed only
 * as enable-test-controls says (no | yes | local, like
 * enable-debug-command; CONFIG SET may change it only when it was enabled
 * at start).
 *
 * testctl.c owns the gate and the container; vclock.c the virtual clock
 * (MINIRED CLOCK); fault.c fault injection (MINIRED FAULT). */
#ifndef MINIRED_TESTCTL_H
#define MINIRED_TESTCTL_H

#include "server.h"

/* Called once after the configuration is loaded: remembers whether test
 * controls were enabled at start (CONFIG SET may only change them then). */
void testctl_init(void);
/* The refusal text for a client that may not run MINIRED now (NULL when
 * allowed); called by cmd_protected_refusal. */
sds testctl_refusal(client *c);

/* MINIRED CLOCK <FREEZE|ADVANCE ms|SET unix-ms|RESUME|GET> (vclock.c). */
void testctl_clock_command(client *c);
/* MINIRED FAULT <ADD ...|DEL id|LIST|RESET> (fault.c). */
void testctl_fault_command(client *c);

#endif
