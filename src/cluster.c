/* cluster.c -- the state of a cluster node: nodes, slots, epochs,
 * nodes.conf, the cluster's health (see cluster.h).
 *
 * Placeholder while the core is written: cluster stays NULL. */
#include "cluster.h"

#include "config.h"

cluster_state *cluster;

void cluster_init(void) {}
void cluster_cron(void) {}
void cluster_before_sleep(void) {}
void cluster_verify_data(void) {}
cluster_node *cluster_node_create(const char *name, unsigned int flags) {
    (void)name, (void)flags;
    return NULL;
}
int cluster_node_add(cluster_node *n) {
    (void)n;
    return -1;
}
void cluster_node_delete(cluster_node *n) {
    (void)n;
}
cluster_node *cluster_node_lookup(const char *name, size_t len) {
    (void)name, (void)len;
    return NULL;
}
void cluster_node_rename(cluster_node *n, const char *newname) {
    (void)n, (void)newname;
}
int cluster_node_add_replica(cluster_node *primary, cluster_node *replica) {
    (void)primary, (void)replica;
    return 0;
}
int cluster_node_remove_replica(cluster_node *primary, cluster_node *replica) {
    (void)primary, (void)replica;
    return 0;
}
int cluster_node_ok_replicas(const cluster_node *n) {
    (void)n;
    return 0;
}
void cluster_node_set_primary_flags(cluster_node *n) {
    (void)n;
}
int cluster_node_is_primary(const cluster_node *n) {
    return (n->flags & CLCONF_NODE_MASTER) != 0;
}
int cluster_node_failed(const cluster_node *n) {
    return (n->flags & CLCONF_NODE_FAIL) != 0;
}
int cluster_node_timed_out(const cluster_node *n) {
    return (n->flags & CLCONF_NODE_PFAIL) != 0;
}
int cluster_node_add_failure_report(cluster_node *failing, cluster_node *sender) {
    (void)failing, (void)sender;
    return 0;
}
int cluster_node_del_failure_report(cluster_node *failing, cluster_node *sender) {
    (void)failing, (void)sender;
    return 0;
}
int cluster_node_failure_reports_count(cluster_node *n) {
    (void)n;
    return 0;
}
void cluster_blacklist_add(const char *name) {
    (void)name;
}
int cluster_blacklist_exists(const char *name, size_t len) {
    (void)name, (void)len;
    return 0;
}
int cluster_add_slot(cluster_node *n, int slot) {
    (void)n, (void)slot;
    return -1;
}
int cluster_del_slot(int slot) {
    (void)slot;
    return -1;
}
int cluster_del_node_slots(cluster_node *n) {
    (void)n;
    return 0;
}
int cluster_node_has_slot(const cluster_node *n, int slot) {
    return clmsg_slot_test(n->slots, slot);
}
unsigned long long cluster_count_keys_in_slot(unsigned int slot) {
    (void)slot;
    return 0;
}
unsigned long cluster_delete_keys_in_slot(unsigned int slot) {
    (void)slot;
    return 0;
}
uint64_t cluster_max_epoch(void) {
    return 0;
}
int cluster_bump_config_epoch(int force) {
    (void)force;
    return 0;
}
void cluster_handle_config_epoch_collision(cluster_node *sender) {
    (void)sender;
}
void cluster_update_state(void) {}
int cluster_save_config(int do_fsync) {
    (void)do_fsync;
    return 0;
}
void cluster_update_slots_config_with(cluster_node *sender, uint64_t epoch, const unsigned char *slots) {
    (void)sender, (void)epoch, (void)slots;
}
void cluster_set_my_primary(cluster_node *n) {
    (void)n;
}
void cluster_reset(int hard) {
    (void)hard;
}
int cluster_myself_is_empty(void) {
    return 1;
}
sds cluster_nodes_text(sds s, int filter_handshake) {
    (void)filter_handshake;
    return s;
}
sds cluster_node_line(sds s, const cluster_node *n) {
    (void)n;
    return s;
}
const char *cluster_node_preferred_endpoint(const cluster_node *n) {
    (void)n;
    return "?";
}
sds cluster_info_section(sds s) {
    return sds_cat(s, "# Cluster\r\ncluster_enabled:0\r\n");
}
