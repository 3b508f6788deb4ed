/* vclock.c -- the virtual clock of MINIRED CLOCK (placeholder until the
 * clock lands: every subcommand answers that it is not built yet). */
#include "reply.h"
#include "testctl.h"

void testctl_clock_command(client *c) {
    reply_error(c, "MINIRED CLOCK is not built yet");
}
