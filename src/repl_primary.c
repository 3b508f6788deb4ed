/* repl_primary.c -- the primary side of replication (see replication.h):
 * replicas attached to this server. SKELETON: the repl_primary helper
 * replaces it. */
#include "replication.h"

#include "commands.h"

void repl_primary_init(void) {}
void repl_primary_cron(void) {}
void repl_primary_before_sleep(void) {}
void repl_primary_feed(const char *buf, size_t len) {
    (void)buf, (void)len;
}
unsigned long repl_primary_replica_count(void) {
    return 0;
}
int repl_primary_good_replicas(void) {
    return 0;
}
void repl_primary_disconnect_replicas(void) {}
sds repl_primary_info(sds s) {
    return sds_cat(s, "connected_slaves:0\r\nmaster_failover_state:no-failover\r\n");
}
void repl_primary_client_freed(client *c) {
    (void)c;
}

void repl_primary_request_acks(void) {}
int repl_primary_find_replica(const char *host, int port, char *host_out, size_t cap, int *port_out,
                              long long *ack) {
    (void)host, (void)port, (void)host_out, (void)cap, (void)port_out, (void)ack;
    return 0;
}

redis_command repl_primary_commands[] = {
    {0},
};
