/* lolwut.c -- LOLWUT [VERSION <n>]: the server version, after a piece of
 * computer art for the versions that have one.
 *
 * Redis 7.0 has no art of its own: LOLWUT and any VERSION other than 5 or
 * 6 reply just "Redis ver. <version>\n". Versions 5 and 6 draw randomised
 * art (a different picture each call), which minired does not draw yet:
 * it replies only the version line for them too. Owns no state. */
#include <strings.h>

#include "commands.h"
#include "reply.h"
#include "util.h"

static void lolwut_command(client *c) {
    long long version = 0;
    if (c->argc >= 3 && strcasecmp(c->argv[1], "version") == 0 &&
        !string2ll(c->argv[2], sds_len(c->argv[2]), &version)) {
        reply_error_not_integer(c);
        return;
    }
    (void)version; /* only 5 and 6 would draw something first */
    reply_verbatim(c, "Redis ver. " MINIRED_REDIS_COMPAT_VERSION "\n",
                   sizeof("Redis ver. " MINIRED_REDIS_COMPAT_VERSION "\n") - 1, "txt");
}

redis_command lolwut_commands[] = {
    {.name = "lolwut", .proc = lolwut_command, .arity = -1, .flags = CMD_READONLY | CMD_FAST, .group = "server",
     .since = "5.0.0", .summary = "Display some computer art and the Redis version", .complexity = NULL},
    {0}};
