/* fault.c -- fault injection of MINIRED FAULT (placeholder until fault
 * injection lands: every subcommand answers that it is not built yet). */
#include "reply.h"
#include "testctl.h"

void testctl_fault_command(client *c) {
    reply_error(c, "MINIRED FAULT is not built yet");
}
