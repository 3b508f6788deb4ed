/* cluster.c -- the state of a cluster node: the node table, slot owners,
 * epochs, nodes.conf, the cluster's health (see cluster.h for the split
 * between the cluster files).
 *
 * The table is a dict from 40-character names to nodes; slot owners are an
 * array of 16384 node pointers beside each node's own bitmap, kept in step
 * by cluster_add_slot / cluster_del_slot only. nodes.conf is read and
 * written through cluster_conf (the format library): a node is converted
 * to a clconf_node for each line, so the file and CLUSTER NODES share one
 * formatter. Work that several events may ask for in one pass (saving the
 * file, recomputing the health, failover steps) is flagged in
 * todo_before_sleep and done once before the loop sleeps, as Redis does. */
#include "cluster.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "monotonic.h"
#include "notify.h"
#include "propagate.h"
#include "replication.h"
#include "util.h"
#include "zmalloc.h"

cluster_state *cluster;

/* A primary that was in the minority waits this long after the cluster
 * looks healthy again before it accepts writes (Redis's rejoin delay, from
 * cluster-node-timeout clamped to these bounds), and a restarted primary
 * waits CLUSTER_WRITABLE_DELAY before its first "ok". */
#define CLUSTER_MIN_REJOIN_DELAY 500
#define CLUSTER_MAX_REJOIN_DELAY 5000
#define CLUSTER_WRITABLE_DELAY 2000

/* The node table and the blacklist: sds names owned by the dict. */
static dict_type names_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
};

/* ------------------------------------------------------------ nodes */

cluster_node *cluster_node_create(const char *name, unsigned int flags) {
    cluster_node *n = zcalloc(sizeof(*n));
    if (name) memcpy(n->name, name, CLUSTER_NAMELEN);
    else get_random_hex_chars(n->name, CLUSTER_NAMELEN);
    n->name[CLUSTER_NAMELEN] = '\0';
    n->ctime = mstime();
    n->flags = flags;
    n->hostname = sds_empty();
    return n;
}

int cluster_node_add(cluster_node *n) {
    return dict_add(cluster->nodes, sds_new_len(n->name, CLUSTER_NAMELEN), n) == DICT_OK ? 0 : -1;
}

cluster_node *cluster_node_lookup(const char *name, size_t len) {
    if (len != CLUSTER_NAMELEN) return NULL;
    /* One lookup key reused: the bus looks nodes up for every message. */
    static sds key;
    if (key == NULL) key = sds_empty();
    sds_clear(key);
    key = sds_cat_len(key, name, len);
    return dict_fetch_value(cluster->nodes, key);
}

int cluster_node_add_replica(cluster_node *primary, cluster_node *replica) {
    for (int i = 0; i < primary->num_replicas; i++)
        if (primary->replicas[i] == replica) return 0;
    primary->replicas = zrealloc(primary->replicas, sizeof(cluster_node *) * (size_t)(primary->num_replicas + 1));
    primary->replicas[primary->num_replicas++] = replica;
    primary->flags |= CLCONF_NODE_MIGRATE_TO;
    return 1;
}

int cluster_node_remove_replica(cluster_node *primary, cluster_node *replica) {
    for (int i = 0; i < primary->num_replicas; i++) {
        if (primary->replicas[i] != replica) continue;
        memmove(primary->replicas + i, primary->replicas + i + 1,
                sizeof(cluster_node *) * (size_t)(primary->num_replicas - i - 1));
        primary->num_replicas--;
        /* A primary left without replicas is no target for migration. */
        if (primary->num_replicas == 0) primary->flags &= ~CLCONF_NODE_MIGRATE_TO;
        return 1;
    }
    return 0;
}

int cluster_node_ok_replicas(const cluster_node *n) {
    int ok = 0;
    for (int i = 0; i < n->num_replicas; i++)
        if (!cluster_node_failed(n->replicas[i])) ok++;
    return ok;
}

void cluster_node_set_primary_flags(cluster_node *n) {
    if (cluster_node_is_primary(n)) return;
    if (n->primary) {
        cluster_node_remove_replica(n->primary, n);
        if (n != cluster->myself) n->flags |= CLCONF_NODE_MIGRATE_TO;
    }
    n->flags &= ~CLCONF_NODE_SLAVE;
    n->flags |= CLCONF_NODE_MASTER;
    n->primary = NULL;
    cluster->todo_before_sleep |= CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE;
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

/* Removes n and every trace of it: slots it owned or that were open
 * towards it, the reports it made about others, its replica links, its
 * bus links; then frees it. */
void cluster_node_delete(cluster_node *n) {
    for (int j = 0; j < CLUSTER_SLOTS; j++) {
        if (cluster->importing_slots_from[j] == n) cluster->importing_slots_from[j] = NULL;
        if (cluster->migrating_slots_to[j] == n) cluster->migrating_slots_to[j] = NULL;
        if (cluster->slots[j] == n) cluster_del_slot(j);
    }
    dict_iterator it;
    dict_init_safe_iterator(&it, cluster->nodes);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        cluster_node *other = de->v.val;
        if (other != n) cluster_node_del_failure_report(other, n);
    }
    dict_reset_iterator(&it);
    if (cluster_node_is_primary(n)) {
        for (int i = 0; i < n->num_replicas; i++) n->replicas[i]->primary = NULL;
    } else if (n->primary) {
        cluster_node_remove_replica(n->primary, n);
    }
    if (n->link) cluster_bus_link_free(n->link);
    if (n->inbound_link) cluster_bus_link_free(n->inbound_link);
    sds key = sds_new_len(n->name, CLUSTER_NAMELEN);
    dict_delete(cluster->nodes, key);
    sds_free(key);
    sds_free(n->hostname);
    zfree(n->replicas);
    zfree(n->fail_reports);
    zfree(n);
}

void cluster_node_rename(cluster_node *n, const char *newname) {
    log_debug("Renaming node %.40s into %.40s", n->name, newname);
    sds key = sds_new_len(n->name, CLUSTER_NAMELEN);
    dict_delete(cluster->nodes, key);
    sds_free(key);
    memcpy(n->name, newname, CLUSTER_NAMELEN);
    cluster_node_add(n);
}

/* ------------------------------------------------------------ failure reports */

/* Reports older than twice the node timeout no longer count. */
static void fail_reports_expire(cluster_node *n) {
    long long maxtime = cfg.cluster_node_timeout * CLUSTER_FAIL_REPORT_VALIDITY_MULT;
    long long now = mstime();
    int kept = 0;
    for (int i = 0; i < n->num_fail_reports; i++)
        if (now - n->fail_reports[i].time <= maxtime) n->fail_reports[kept++] = n->fail_reports[i];
    n->num_fail_reports = kept;
}

int cluster_node_add_failure_report(cluster_node *failing, cluster_node *sender) {
    for (int i = 0; i < failing->num_fail_reports; i++) {
        if (failing->fail_reports[i].node == sender) {
            failing->fail_reports[i].time = mstime();
            return 0;
        }
    }
    failing->fail_reports =
        zrealloc(failing->fail_reports, sizeof(cluster_fail_report) * (size_t)(failing->num_fail_reports + 1));
    failing->fail_reports[failing->num_fail_reports].node = sender;
    failing->fail_reports[failing->num_fail_reports].time = mstime();
    failing->num_fail_reports++;
    return 1;
}

int cluster_node_del_failure_report(cluster_node *failing, cluster_node *sender) {
    for (int i = 0; i < failing->num_fail_reports; i++) {
        if (failing->fail_reports[i].node != sender) continue;
        failing->fail_reports[i] = failing->fail_reports[failing->num_fail_reports - 1];
        failing->num_fail_reports--;
        fail_reports_expire(failing);
        return 1;
    }
    return 0;
}

int cluster_node_failure_reports_count(cluster_node *n) {
    fail_reports_expire(n);
    return n->num_fail_reports;
}

/* ------------------------------------------------------------ blacklist */

static void blacklist_expire(void) {
    long long now = time(NULL);
    dict_iterator it;
    dict_init_safe_iterator(&it, cluster->blacklist);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL)
        if (de->v.s64 < now) dict_delete(cluster->blacklist, de->key);
    dict_reset_iterator(&it);
}

void cluster_blacklist_add(const char *name) {
    blacklist_expire();
    sds key = sds_new_len(name, CLUSTER_NAMELEN);
    dict_entry *de = dict_add_or_find(cluster->blacklist, key);
    if (de->key != key) sds_free(key);
    dict_set_signed_int_val(de, (int64_t)time(NULL) + CLUSTER_BLACKLIST_TTL);
}

int cluster_blacklist_exists(const char *name, size_t len) {
    blacklist_expire();
    sds key = sds_new_len(name, len);
    int found = dict_find(cluster->blacklist, key) != NULL;
    sds_free(key);
    return found;
}

/* ------------------------------------------------------------ slots */

/* Whether some primary has replicas: a primary getting its first slot is
 * then a target for replica migration. */
static int primaries_have_replicas(void) {
    dict_iterator it;
    dict_init_iterator(&it, cluster->nodes);
    dict_entry *de;
    int found = 0;
    while (!found && (de = dict_next(&it)) != NULL) {
        cluster_node *n = de->v.val;
        if (cluster_node_is_primary(n) && n->num_replicas) found = 1;
    }
    dict_reset_iterator(&it);
    return found;
}

int cluster_node_has_slot(const cluster_node *n, int slot) {
    return clmsg_slot_test(n->slots, slot);
}

int cluster_add_slot(cluster_node *n, int slot) {
    if (cluster->slots[slot]) return -1;
    n->slots[slot >> 3] |= (unsigned char)(1u << (slot & 7));
    n->numslots++;
    if (n->numslots == 1 && primaries_have_replicas()) n->flags |= CLCONF_NODE_MIGRATE_TO;
    cluster->slots[slot] = n;
    return 0;
}

/* Whether myself is n or one of its replicas (serves n's slots). */
static int myself_serves_slots_of(const cluster_node *n) {
    cluster_node *me = cluster->myself;
    return me == n || (!cluster_node_is_primary(me) && me->primary == n);
}

int cluster_del_slot(int slot) {
    cluster_node *n = cluster->slots[slot];
    if (n == NULL) return -1;
    /* Subscribers of the slot's shard channels are told it is gone. */
    if (myself_serves_slots_of(n)) cluster_route_slot_lost(slot);
    n->slots[slot >> 3] &= (unsigned char)~(1u << (slot & 7));
    n->numslots--;
    cluster->slots[slot] = NULL;
    return 0;
}

int cluster_del_node_slots(cluster_node *n) {
    int deleted = 0;
    for (int j = 0; j < CLUSTER_SLOTS; j++) {
        if (cluster_node_has_slot(n, j)) {
            cluster_del_slot(j);
            deleted++;
        }
    }
    return deleted;
}

unsigned long long cluster_count_keys_in_slot(unsigned int slot) {
    return db_slot_count(&server.dbs[0], slot);
}

/* Deletes the keys of a slot as the server's own deletions: each is
 * announced (keyspace event, WATCH, tracking) and reaches replicas and
 * the AOF as a DEL, as Redis does when a node drops a slot's keys. */
unsigned long cluster_delete_keys_in_slot(unsigned int slot) {
    db *d = &server.dbs[0];
    unsigned long long count = db_slot_count(d, slot);
    if (count == 0) return 0;
    sds *names = zmalloc(sizeof(sds) * (size_t)count);
    unsigned long got = db_slot_keys(d, slot, (unsigned long)count, names);
    for (unsigned long i = 0; i < got; i++) {
        db_delete_maybe_lazy(d, names[i], cfg.lazyfree_lazy_server_del);
        db_signal_modified(d, names[i]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", names[i], d->id);
        prop_addf(d->id, "cs", cfg.lazyfree_lazy_server_del ? "UNLINK" : "DEL", names[i]);
        db_dirty(1);
        sds_free(names[i]);
    }
    zfree(names);
    return got;
}

/* Drops myself's open slots (a node becoming a replica, a reset). */
static void close_all_slots(void) {
    memset(cluster->migrating_slots_to, 0, sizeof(cluster->migrating_slots_to));
    memset(cluster->importing_slots_from, 0, sizeof(cluster->importing_slots_from));
}

/* ------------------------------------------------------------ epochs */

uint64_t cluster_max_epoch(void) {
    uint64_t max = cluster->current_epoch;
    dict_iterator it;
    dict_init_iterator(&it, cluster->nodes);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        cluster_node *n = de->v.val;
        if (n->config_epoch > max) max = n->config_epoch;
    }
    dict_reset_iterator(&it);
    return max;
}

int cluster_bump_config_epoch(int force) {
    uint64_t max = cluster_max_epoch();
    cluster_node *me = cluster->myself;
    if (!force && me->config_epoch != 0 && me->config_epoch == max) return 0;
    cluster->current_epoch++;
    me->config_epoch = cluster->current_epoch;
    cluster->todo_before_sleep |= CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_FSYNC_CONFIG;
    log_warning("New configEpoch set to %llu", (unsigned long long)me->config_epoch);
    return 1;
}

void cluster_handle_config_epoch_collision(cluster_node *sender) {
    cluster_node *me = cluster->myself;
    if (sender->config_epoch != me->config_epoch || !cluster_node_is_primary(sender) ||
        !cluster_node_is_primary(me))
        return;
    /* Of the two, the node with the smaller name moves on. */
    if (memcmp(sender->name, me->name, CLUSTER_NAMELEN) <= 0) return;
    cluster->current_epoch++;
    me->config_epoch = cluster->current_epoch;
    cluster_save_config(1);
    log_verbose("WARNING: configEpoch collision with node %.40s. configEpoch set to %llu", sender->name,
                (unsigned long long)me->config_epoch);
}

/* ------------------------------------------------------------ health */

void cluster_update_state(void) {
    static long long among_minority_time;
    static long long first_call_time;
    long long now = mstime();
    cluster->todo_before_sleep &= ~CLUSTER_TODO_UPDATE_STATE;
    if (first_call_time == 0) first_call_time = now;
    /* A primary just started may hold an old slot map: give the cluster a
     * moment to correct it before saying ok. */
    if (cluster_node_is_primary(cluster->myself) && cluster->state == CLUSTER_FAIL &&
        now - first_call_time < CLUSTER_WRITABLE_DELAY)
        return;
    int new_state = CLUSTER_OK;
    if (cfg.cluster_require_full_coverage) {
        for (int j = 0; j < CLUSTER_SLOTS; j++) {
            if (cluster->slots[j] == NULL || cluster_node_failed(cluster->slots[j])) {
                new_state = CLUSTER_FAIL;
                break;
            }
        }
    }
    int size = 0, reachable = 0;
    dict_iterator it;
    dict_init_iterator(&it, cluster->nodes);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        cluster_node *n = de->v.val;
        if (!cluster_node_is_primary(n) || n->numslots == 0) continue;
        size++;
        if (!(n->flags & (CLCONF_NODE_FAIL | CLCONF_NODE_PFAIL))) reachable++;
    }
    dict_reset_iterator(&it);
    cluster->size = size;
    if (reachable < size / 2 + 1) {
        new_state = CLUSTER_FAIL;
        among_minority_time = now;
    }
    if (new_state == cluster->state) return;
    long long rejoin_delay = cfg.cluster_node_timeout;
    if (rejoin_delay > CLUSTER_MAX_REJOIN_DELAY) rejoin_delay = CLUSTER_MAX_REJOIN_DELAY;
    if (rejoin_delay < CLUSTER_MIN_REJOIN_DELAY) rejoin_delay = CLUSTER_MIN_REJOIN_DELAY;
    if (new_state == CLUSTER_OK && cluster_node_is_primary(cluster->myself) && now - among_minority_time < rejoin_delay)
        return;
    log_warning("Cluster state changed: %s", new_state == CLUSTER_OK ? "ok" : "fail");
    cluster->state = new_state;
    if (server.blocked_clients) cluster_route_redirect_blocked();
}

/* ------------------------------------------------------------ the slot map */

/* Counts the bits of a slot bitmap. */
static int slots_count(const unsigned char *slots) {
    int n = 0;
    for (int j = 0; j < CLUSTER_SLOTS / 8; j++) n += __builtin_popcount(slots[j]);
    return n;
}

/* After losing slots: myself follows the node that took them (a primary
 * left without slots, or the replica of one), or, keeping other slots,
 * drops the keys of the slots lost (Redis's rules). */
static void follow_new_owner(cluster_node *sender, cluster_node *newprimary, int sender_slots, int migrated,
                             const int *dirty, int ndirty) {
    cluster_node *me = cluster->myself;
    cluster_node *curprimary = cluster_node_is_primary(me) ? me : me->primary;
    if (newprimary && curprimary && curprimary->numslots == 0 &&
        (cfg.cluster_allow_replica_migration || sender_slots == migrated)) {
        log_warning("Configuration change detected. Reconfiguring myself as a replica of %.40s", sender->name);
        cluster_set_my_primary(sender);
        cluster->todo_before_sleep |=
            CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE | CLUSTER_TODO_FSYNC_CONFIG;
    } else if (me->primary && me->primary->primary && me->primary->primary != me) {
        /* Our primary became a replica itself: follow its primary. */
        log_notice("I'm a sub-replica! Reconfiguring myself as a replica of grandmaster %.40s",
                   me->primary->primary->name);
        cluster_set_my_primary(me->primary->primary);
        cluster->todo_before_sleep |=
            CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE | CLUSTER_TODO_FSYNC_CONFIG;
    } else {
        for (int i = 0; i < ndirty; i++) cluster_delete_keys_in_slot((unsigned int)dirty[i]);
    }
}

void cluster_update_slots_config_with(cluster_node *sender, uint64_t epoch, const unsigned char *slots) {
    cluster_node *me = cluster->myself;
    if (sender == me) {
        log_notice("Discarding UPDATE message about myself.");
        return;
    }
    cluster_node *curprimary = cluster_node_is_primary(me) ? me : me->primary;
    cluster_node *newprimary = NULL;
    int migrated = 0, ndirty = 0;
    static int dirty[CLUSTER_SLOTS];
    for (int j = 0; j < CLUSTER_SLOTS; j++) {
        if (!clmsg_slot_test(slots, j)) continue;
        cluster_node *owner = cluster->slots[j];
        if (owner == sender) continue;
        /* A slot being imported is ours to settle (SETSLOT NODE). */
        if (cluster->importing_slots_from[j]) continue;
        if (owner != NULL && owner->config_epoch >= epoch) continue;
        /* Keys we hold for a slot someone else now claims: they go, unless
         * we end up following the new owner anyway. */
        if (owner == me && cluster_count_keys_in_slot((unsigned int)j) && sender != me) dirty[ndirty++] = j;
        if (owner != NULL && owner == curprimary) {
            newprimary = sender;
            migrated++;
        }
        cluster_del_slot(j);
        cluster_add_slot(sender, j);
        cluster->todo_before_sleep |=
            CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE | CLUSTER_TODO_FSYNC_CONFIG;
    }
    follow_new_owner(sender, newprimary, slots_count(slots), migrated, dirty, ndirty);
}

void cluster_set_my_primary(cluster_node *n) {
    cluster_node *me = cluster->myself;
    if (n == me || me->numslots != 0) return;
    if (cluster_node_is_primary(me)) {
        me->flags &= ~(CLCONF_NODE_MASTER | CLCONF_NODE_MIGRATE_TO);
        me->flags |= CLCONF_NODE_SLAVE;
        close_all_slots();
    } else if (me->primary) {
        cluster_node_remove_replica(me->primary, me);
    }
    me->primary = n;
    cluster_node_add_replica(n, me);
    /* Replication follows the primary's address; the bus's cron starts it
     * later when the address is not known yet. */
    if (n->ip[0] && (!server.is_replica || repl_replica_primary_port() != n->port ||
                     strcmp(repl_replica_primary_host() ? repl_replica_primary_host() : "", n->ip) != 0))
        repl_replica_set_primary(n->ip, n->port);
    cluster_failover_reset_manual();
    cluster->todo_before_sleep |= CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE;
}

int cluster_myself_is_empty(void) {
    return cluster->myself->numslots == 0 && db_size(&server.dbs[0]) == 0;
}

void cluster_reset(int hard) {
    cluster_node *me = cluster->myself;
    if (!cluster_node_is_primary(me)) {
        cluster_node_set_primary_flags(me);
        repl_replica_unset_primary();
        db_empty(-1);
    }
    close_all_slots();
    cluster_failover_reset_manual();
    for (int j = 0; j < CLUSTER_SLOTS; j++) cluster_del_slot(j);
    dict_iterator it;
    dict_init_safe_iterator(&it, cluster->nodes);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        cluster_node *n = de->v.val;
        if (n != me) cluster_node_delete(n);
    }
    dict_reset_iterator(&it);
    if (hard) {
        cluster->current_epoch = 0;
        cluster->last_vote_epoch = 0;
        me->config_epoch = 0;
        log_warning("configEpoch set to 0 via CLUSTER RESET HARD");
        char name[CLUSTER_NAMELEN];
        get_random_hex_chars(name, CLUSTER_NAMELEN);
        cluster_node_rename(me, name);
        log_notice("Node hard reset, now I'm %.40s", me->name);
    }
    cluster->todo_before_sleep |= CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE | CLUSTER_TODO_FSYNC_CONFIG;
}

/* ------------------------------------------------------------ nodes text */

/* Describes n as the format library wants it. The hostname and the
 * migrations are borrowed from n and from *migs (caller frees *migs). */
static void node_to_clconf(const cluster_node *n, clconf_node *out, clconf_migration **migs) {
    memset(out, 0, sizeof(*out));
    memcpy(out->name, n->name, CLUSTER_NAMELEN + 1);
    memcpy(out->ip, n->ip, sizeof(out->ip));
    out->port = n->port;
    out->cport = n->cport;
    out->hostname = sds_len(n->hostname) ? n->hostname : NULL;
    out->flags = n->flags;
    if (n->primary) memcpy(out->master, n->primary->name, CLUSTER_NAMELEN + 1);
    out->ping_sent = n->ping_sent;
    out->pong_received = n->pong_received;
    /* A replica is shown with its primary's epoch, as Redis prints it. */
    out->config_epoch =
        (!cluster_node_is_primary(n) && n->primary) ? n->primary->config_epoch : n->config_epoch;
    /* A link still connecting (to a peer that may refuse it at once)
     * counts as down, so a dead peer never flickers to "connected". */
    out->connected = (n->link != NULL && !n->link->connecting) || (n->flags & CLCONF_NODE_MYSELF);
    memcpy(out->slots, n->slots, sizeof(out->slots));
    *migs = NULL;
    if (n != cluster->myself) return;
    size_t count = 0;
    for (int j = 0; j < CLUSTER_SLOTS; j++) {
        if (!cluster->migrating_slots_to[j] && !cluster->importing_slots_from[j]) continue;
        *migs = zrealloc(*migs, sizeof(clconf_migration) * (count + 2));
        if (cluster->migrating_slots_to[j]) {
            (*migs)[count] = (clconf_migration){.slot = (unsigned)j, .importing = 0};
            memcpy((*migs)[count++].node, cluster->migrating_slots_to[j]->name, CLUSTER_NAMELEN + 1);
        }
        if (cluster->importing_slots_from[j]) {
            (*migs)[count] = (clconf_migration){.slot = (unsigned)j, .importing = 1};
            memcpy((*migs)[count++].node, cluster->importing_slots_from[j]->name, CLUSTER_NAMELEN + 1);
        }
    }
    out->migrations = *migs;
    out->nmigrations = count;
}

sds cluster_node_line(sds s, const cluster_node *n) {
    clconf_node cn;
    clconf_migration *migs;
    node_to_clconf(n, &cn, &migs);
    s = clconf_format_node(s, &cn);
    zfree(migs);
    return s;
}

sds cluster_nodes_text(sds s, int filter_handshake) {
    dict_iterator it;
    dict_init_iterator(&it, cluster->nodes);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        cluster_node *n = de->v.val;
        if (filter_handshake && (n->flags & CLCONF_NODE_HANDSHAKE)) continue;
        s = cluster_node_line(s, n);
        s = sds_cat_len(s, "\n", 1);
    }
    dict_reset_iterator(&it);
    return s;
}

const char *cluster_node_preferred_endpoint(const cluster_node *n) {
    switch (cfg.cluster_preferred_endpoint_type) {
    case CLUSTER_ENDPOINT_IP:
        return n->ip; /* empty until learned, as Redis shows it */
    case CLUSTER_ENDPOINT_HOSTNAME:
        return sds_len(n->hostname) ? n->hostname : "?";
    default:
        return "?";
    }
}

sds cluster_info_section(sds s) {
    return sds_cat_printf(s, "# Cluster\r\ncluster_enabled:%d\r\n", cluster != NULL);
}

/* ------------------------------------------------------------ nodes.conf */

int cluster_save_config(int do_fsync) {
    cluster->todo_before_sleep &= ~CLUSTER_TODO_SAVE_CONFIG;
    sds text = cluster_nodes_text(sds_empty(), 1);
    text = sds_cat_printf(text, "vars currentEpoch %llu lastVoteEpoch %llu\n",
                          (unsigned long long)cluster->current_epoch, (unsigned long long)cluster->last_vote_epoch);
    char err[256];
    int rc = clconf_write_file(cfg.cluster_config_file, text, sds_len(text), do_fsync, err, sizeof(err));
    sds_free(text);
    if (rc == -1) log_warning("Could not save the cluster config file %s: %s", cfg.cluster_config_file, err);
    return rc;
}

/* Redis stops when it cannot record a change it already made. */
static void save_config_or_die(int do_fsync) {
    if (cluster_save_config(do_fsync) == -1) {
        log_warning("Fatal: can't update cluster config file.");
        exit(1);
    }
}

/* The node named in the file, created (flagless, as Redis) on first
 * mention: a replica's line may come before its primary's. */
static cluster_node *load_node(const char *name) {
    cluster_node *n = cluster_node_lookup(name, CLUSTER_NAMELEN);
    if (n == NULL) {
        n = cluster_node_create(name, 0);
        cluster_node_add(n);
    }
    return n;
}

static void load_line(const clconf *c, const clconf_node *cn) {
    cluster_node *n = load_node(cn->name);
    memcpy(n->ip, cn->ip, sizeof(n->ip));
    n->port = n->pport = cn->port;
    n->cport = cn->cport;
    sds_free(n->hostname);
    n->hostname = sds_new(cn->hostname ? cn->hostname : "");
    n->flags = cn->flags;
    if (n->flags & CLCONF_NODE_MYSELF) cluster->myself = n;
    if (cn->master[0]) {
        cluster_node *p = load_node(cn->master);
        n->primary = p;
        cluster_node_add_replica(p, n);
    }
    n->ping_sent = cn->ping_sent;
    n->pong_received = cn->pong_received;
    n->config_epoch = cn->config_epoch;
    for (int j = 0; j < CLUSTER_SLOTS; j++) {
        if (!clmsg_slot_test(cn->slots, j) || cluster->slots[j]) continue;
        cluster_add_slot(n, j);
    }
    for (size_t i = 0; i < cn->nmigrations; i++) {
        const clconf_migration *m = &cn->migrations[i];
        cluster_node *other = load_node(m->node);
        if (m->importing) cluster->importing_slots_from[m->slot] = other;
        else cluster->migrating_slots_to[m->slot] = other;
    }
    (void)c;
}

/* Reads up to len bytes of fd into buf; returns how many (short only at
 * end of file) or -1. */
static ssize_t read_whole(int fd, char *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t r = read(fd, buf + done, len - done);
        if (r == -1 && errno == EINTR) continue;
        if (r == -1) return -1;
        if (r == 0) break;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

/* Reads cluster-config-file into the state. Returns 0 when loaded, -1
 * when there is none (or it is empty): a new node. Exits on corruption. */
static int load_config(void) {
    int fd = open(cfg.cluster_config_file, O_RDONLY);
    if (fd == -1) return -1;
    struct stat st;
    if (fstat(fd, &st) == -1 || st.st_size == 0) {
        close(fd);
        return -1;
    }
    char *buf = zmalloc((size_t)st.st_size);
    ssize_t got = read_whole(fd, buf, (size_t)st.st_size);
    close(fd);
    clconf c;
    char err[128];
    size_t err_line = 0;
    clconf_status rc = got == st.st_size ? clconf_parse(buf, (size_t)got, &c, err, sizeof(err), &err_line)
                                         : CLCONF_CORRUPT;
    zfree(buf);
    if (rc == CLCONF_EMPTY) return -1;
    if (rc != CLCONF_OK) {
        log_warning(CLCONF_CORRUPT_LOG_MSG);
        exit(1);
    }
    for (size_t i = 0; i < c.nunknown_vars; i++) log_warning(CLCONF_UNKNOWN_VAR_LOG_FMT, c.unknown_vars[i]);
    for (size_t i = 0; i < c.count; i++) load_line(&c, &c.nodes[i]);
    cluster->current_epoch = c.current_epoch;
    cluster->last_vote_epoch = c.last_vote_epoch;
    clconf_free(&c);
    log_notice(CLCONF_LOADED_LOG_FMT, cluster->myself->name);
    return 0;
}

/* ------------------------------------------------------------ lifecycle */

/* Myself's ports as announced (cluster-announce-*), else the real ones. */
static void update_my_ports(void) {
    cluster_node *me = cluster->myself;
    int port = cfg.cluster_announce_port ? (int)cfg.cluster_announce_port : cfg.port;
    int cport = cfg.cluster_announce_bus_port ? (int)cfg.cluster_announce_bus_port
                : cfg.cluster_port            ? (int)cfg.cluster_port
                                              : cfg.port + CLUSTER_PORT_INCR;
    me->port = me->pport = port;
    me->cport = cport;
    /* An announced ip is myself's; without one, peers tell us ours (the
     * address they reach us at), learned again after a change. */
    static char last_announced[CLCONF_IP_STR_LEN];
    const char *ip = cfg.cluster_announce_ip ? cfg.cluster_announce_ip : "";
    if (strcmp(ip, last_announced) != 0) {
        snprintf(me->ip, sizeof(me->ip), "%s", ip);
        snprintf(last_announced, sizeof(last_announced), "%s", ip);
    }
    sds_free(me->hostname);
    me->hostname = sds_new(cfg.cluster_announce_hostname);
}

int cluster_announce_changed(char *err, size_t errlen) {
    (void)err, (void)errlen;
    if (cluster) {
        update_my_ports();
        cluster->todo_before_sleep |= CLUSTER_TODO_SAVE_CONFIG;
    }
    return 0;
}

void cluster_init(void) {
    if (!cfg.cluster_enabled) return;
    cluster = zcalloc(sizeof(*cluster));
    cluster->state = CLUSTER_FAIL;
    cluster->size = 1;
    cluster->nodes = dict_create(&names_type);
    cluster->blacklist = dict_create(&names_type);
    cluster->lock_fd = -1;
    if (load_config() == -1) {
        cluster->myself = cluster_node_create(NULL, CLCONF_NODE_MYSELF | CLCONF_NODE_MASTER);
        log_notice(CLCONF_NEW_NODE_LOG_FMT, cluster->myself->name);
        cluster_node_add(cluster->myself);
        save_config_or_die(1);
    }
    cluster->lock_fd = clconf_lock_file(cfg.cluster_config_file);
    if (cluster->lock_fd == -1) {
        if (errno == EWOULDBLOCK) log_warning(CLCONF_LOCKED_LOG_FMT, cfg.cluster_config_file);
        else log_warning("Can't open %s in order to acquire a lock: %s", cfg.cluster_config_file, strerror(errno));
        exit(1);
    }
    if (cfg.port > 65535 - CLUSTER_PORT_INCR && cfg.cluster_port == 0) {
        log_warning("Redis port number too high. Cluster communication port is 10,000 port numbers higher "
                    "than your Redis port. Your Redis port number must be 55535 or less.");
        exit(1);
    }
    if (cluster_bus_listen() == -1) exit(1);
    update_my_ports();
    cluster_failover_reset_manual();
}

void cluster_verify_data(void) {
    for (int i = 1; i < server.dbnum; i++) {
        if (db_size(&server.dbs[i])) {
            log_warning("You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.");
            exit(1);
        }
    }
    /* A replica takes whatever its primary sends. */
    if (!cluster_node_is_primary(cluster->myself)) return;
    int changed = 0;
    for (int j = 0; j < CLUSTER_SLOTS; j++) {
        if (cluster_count_keys_in_slot((unsigned)j) == 0) continue;
        if (cluster->slots[j] == cluster->myself || cluster->importing_slots_from[j]) continue;
        changed = 1;
        if (cluster->slots[j] == NULL) {
            log_notice("I have keys for unassigned slot %d. Taking responsibility for it.", j);
            cluster_add_slot(cluster->myself, j);
        } else {
            log_notice("I have keys for slot %d, but the slot is assigned to another node. Setting it to "
                       "importing state.",
                       j);
            cluster->importing_slots_from[j] = cluster->slots[j];
        }
    }
    if (changed) save_config_or_die(1);
}

void cluster_cron(void) {
    cluster_bus_cron();
    cluster_failover_cron();
    if (!cluster_node_is_primary(cluster->myself)) cluster_failover_handle();
    if ((cluster->todo_before_sleep & CLUSTER_TODO_UPDATE_STATE) || cluster->state == CLUSTER_FAIL)
        cluster_update_state();
}

void cluster_before_sleep(void) {
    int todo = cluster->todo_before_sleep;
    cluster->todo_before_sleep = 0;
    if ((todo & (CLUSTER_TODO_HANDLE_FAILOVER | CLUSTER_TODO_HANDLE_MANUALFAILOVER)) &&
        !cluster_node_is_primary(cluster->myself))
        cluster_failover_handle();
    if (todo & CLUSTER_TODO_UPDATE_STATE) cluster_update_state();
    if (todo & CLUSTER_TODO_SAVE_CONFIG) save_config_or_die((todo & CLUSTER_TODO_FSYNC_CONFIG) != 0);
    /* Slot owners or the health changed (both flag these): clients
     * blocked on keys this node no longer serves are redirected. */
    if (server.blocked_clients && (todo & (CLUSTER_TODO_UPDATE_STATE | CLUSTER_TODO_SAVE_CONFIG)))
        cluster_route_redirect_blocked();
}
