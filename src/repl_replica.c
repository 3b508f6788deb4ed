/* repl_replica.c -- the replica side of replication (see replication.h):
 * this server's link to its primary. SKELETON: the repl_replica helper
 * replaces it. */
#include "replication.h"

#include "commands.h"

void repl_replica_init(void) {}
void repl_replica_cron(void) {}
void repl_replica_set_primary(const char *host, int port) {
    (void)host, (void)port;
}
void repl_replica_unset_primary(void) {}
int repl_replica_link_up(void) {
    return 0;
}
sds repl_replica_info(sds s) {
    return s;
}
void repl_replica_client_freed(client *c) {
    (void)c;
}

void repl_replica_set_primary_failover(const char *host, int port) {
    (void)host, (void)port;
}
const char *repl_replica_primary_host(void) {
    return NULL;
}
int repl_replica_primary_port(void) {
    return 0;
}

redis_command repl_replica_commands[] = {
    {0},
};
