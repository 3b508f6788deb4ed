/* cluster_bus.c -- the cluster bus: listener, links, message I/O and the
 * handlers of Redis 7.0's bus messages (see cluster.h).
 *
 * Placeholder until the bus lands: every entry point does nothing. */
#include "cluster.h"

int cluster_bus_listen(void) {
    return 0;
}
void cluster_bus_cron(void) {}
int cluster_bus_start_handshake(const char *ip, int port, int cport) {
    (void)ip, (void)port, (void)cport;
    return -1;
}
void cluster_bus_link_free(cluster_link *l) {
    (void)l;
}
void cluster_bus_broadcast_ping_pong(int type) {
    (void)type;
}
void cluster_bus_send_ping(cluster_link *l, int type) {
    (void)l, (void)type;
}
void cluster_bus_send_fail(const char *nodename) {
    (void)nodename;
}
void cluster_bus_send_update(cluster_link *l, const cluster_node *n) {
    (void)l, (void)n;
}
void cluster_bus_send_publish(const sds channel, const sds message, int sharded) {
    (void)channel, (void)message, (void)sharded;
}
void cluster_bus_send_auth_request(void) {}
void cluster_bus_send_auth_ack(cluster_node *n) {
    (void)n;
}
void cluster_bus_send_mfstart(cluster_node *n) {
    (void)n;
}
void cluster_bus_fill_header(clmsg_hdr *h, int type) {
    (void)h, (void)type;
}
void cluster_bus_mark_failing_if_needed(cluster_node *n) {
    (void)n;
}
void cluster_bus_foreach_link(cluster_link_visit_fn *fn, void *ctx) {
    (void)fn, (void)ctx;
}
size_t cluster_bus_links_memory(void) {
    return 0;
}
unsigned long cluster_bus_link_count(void) {
    return 0;
}
