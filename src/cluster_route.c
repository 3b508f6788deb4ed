/* cluster_route.c -- which node serves a command: the redirections of a
 * cluster node (see cluster.h).
 *
 * Placeholder until routing lands: this node serves everything. */
#include "cluster.h"

sds cluster_route(client *c, const redis_command *cmd, int from_script) {
    (void)c, (void)cmd, (void)from_script;
    return NULL;
}
void cluster_route_redirect_blocked(void) {}
void cluster_route_slot_lost(int slot) {
    (void)slot;
}
