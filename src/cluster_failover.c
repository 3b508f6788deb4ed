/* cluster_failover.c -- replica election and promotion, votes, manual
 * failover and replica migration of a cluster node (see cluster.h).
 *
 * Placeholder until failover lands: every entry point does nothing. */
#include "cluster.h"

void cluster_failover_handle(void) {}
void cluster_failover_cron(void) {}
void cluster_failover_auth_request(cluster_node *sender, const clmsg *m) {
    (void)sender, (void)m;
}
void cluster_failover_auth_ack(cluster_node *sender, const clmsg *m) {
    (void)sender, (void)m;
}
void cluster_failover_mfstart(cluster_node *sender) {
    (void)sender;
}
void cluster_failover_primary_paused(cluster_node *sender, long long offset) {
    (void)sender, (void)offset;
}
const char *cluster_failover_manual(int mode) {
    (void)mode;
    return "-ERR not supported yet";
}
void cluster_failover_reset_manual(void) {}
void cluster_failover_promote(void) {}
