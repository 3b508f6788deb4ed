/* cluster_cmd.c -- the CLUSTER command and ASKING / READONLY / READWRITE
 * (see cluster.h): argument checks, Redis 7.0's replies and error texts.
 *
 * Owns no state: every change goes through cluster.c's functions (slots,
 * nodes, epochs, reset) or the bus's and failover's, and then asks for the
 * before-sleep work Redis asks for (save the config, update the state).
 * Without cluster-enabled every command here answers Redis's "cluster
 * support disabled" error after the arity check, as Redis 7.0 does.
 * Replies never hold a pointer to a node across a call that may free it. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "cluster.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "replication.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

#define CLUSTER_PORT_MAX 65535
/* The slot and key counts of a GETKEYSINSLOT reply are bounded by what a
 * slot holds; this caps one allocation step. */
#define GETKEYSINSLOT_BATCH 1024
/* CLUSTER NODES shows nodes in handshake (nodes.conf leaves them out). */
#define NODES_SHOW_HANDSHAKE 0

#define CLUSTER_TODO_STATE_AND_SAVE (CLUSTER_TODO_UPDATE_STATE | CLUSTER_TODO_SAVE_CONFIG)

/* ---------------------------------------------------------- helpers */

/* Redis answers every cluster command so when cluster-enabled is no
 * (client libraries probe CLUSTER INFO and fall back to one node). */
static int cluster_disabled_reply(client *c) {
    if (cluster) return 0;
    reply_error(c, "This instance has cluster support disabled");
    return 1;
}

/* "unknown subcommand or wrong number of arguments for 'meet'. Try
 * CLUSTER HELP." (too many arguments for a subcommand with options). */
static void reply_subcommand_syntax(client *c) {
    reply_error_format(c, "unknown subcommand or wrong number of arguments for '%.128s'. Try CLUSTER HELP.",
                       c->argv[1]);
}

/* A slot number (Redis's getSlotOrReply): -1 after replying the error. */
static int slot_or_reply(client *c, const sds arg) {
    long long slot;
    if (!string2ll(arg, sds_len(arg), &slot) || slot < 0 || slot >= CLUSTER_SLOTS) {
        reply_error(c, "Invalid or out of range slot");
        return -1;
    }
    return (int)slot;
}

static cluster_node *node_by_arg(const sds arg) {
    return cluster_node_lookup(arg, sds_len(arg));
}

/* A node id argument that must name a known node: NULL after replying
 * "Unknown node <id>". */
static cluster_node *known_node_or_reply(client *c, const sds arg) {
    cluster_node *n = node_by_arg(arg);
    if (!n) reply_error_format(c, "Unknown node %s", arg);
    return n;
}

static int myself_is_replica(void) {
    return !cluster_node_is_primary(cluster->myself);
}

/* Redis's nodeEpoch: a replica shows its primary's config epoch. */
static uint64_t node_epoch(const cluster_node *n) {
    if (!cluster_node_is_primary(n) && n->primary) return n->primary->config_epoch;
    return n->config_epoch;
}

/* The replication offset a node is known at: ours, or the last one it
 * told us. */
static long long node_repl_offset(const cluster_node *n) {
    if (n == cluster->myself) return repl.offset;
    return n->repl_offset;
}

/* ---------------------------------------------------------- reading */

/* CLUSTER INFO's text, fields in Redis 7.0.15's order. */
static sds cluster_info_text(void) {
    int assigned = 0, ok = 0, pfail = 0, fail = 0;
    for (int j = 0; j < CLUSTER_SLOTS; j++) {
        const cluster_node *n = cluster->slots[j];
        if (!n) continue;
        assigned++;
        if (cluster_node_failed(n)) fail++;
        else if (cluster_node_timed_out(n)) pfail++;
        else ok++;
    }
    sds s = sds_cat_printf(sds_empty(),
                           "cluster_state:%s\r\n"
                           "cluster_slots_assigned:%d\r\n"
                           "cluster_slots_ok:%d\r\n"
                           "cluster_slots_pfail:%d\r\n"
                           "cluster_slots_fail:%d\r\n"
                           "cluster_known_nodes:%lu\r\n"
                           "cluster_size:%d\r\n"
                           "cluster_current_epoch:%llu\r\n"
                           "cluster_my_epoch:%llu\r\n",
                           cluster->state == CLUSTER_OK ? "ok" : "fail", assigned, ok, pfail, fail,
                           (unsigned long)dict_size(cluster->nodes), cluster->size,
                           (unsigned long long)cluster->current_epoch,
                           (unsigned long long)node_epoch(cluster->myself));
    /* Per message type, only the types seen, then the total. */
    for (int dir = 0; dir < 2; dir++) {
        const long long *counts = dir == 0 ? cluster->stats_bus_messages_sent : cluster->stats_bus_messages_received;
        const char *what = dir == 0 ? "sent" : "received";
        long long total = 0;
        for (int t = 0; t < CLMSG_TYPE_COUNT; t++) {
            if (!counts[t]) continue;
            total += counts[t];
            s = sds_cat_printf(s, "cluster_stats_messages_%s_%s:%lld\r\n", clmsg_type_name((uint16_t)t), what,
                               counts[t]);
        }
        s = sds_cat_printf(s, "cluster_stats_messages_%s:%lld\r\n", what, total);
    }
    s = sds_cat_printf(s, "total_cluster_links_buffer_limit_exceeded:%llu\r\n",
                       cluster->stat_cluster_links_buffer_limit_exceeded);
    return s;
}

static void info_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    sds s = cluster_info_text();
    reply_verbatim(c, s, sds_len(s), "txt");
    sds_free(s);
}

static void myid_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    reply_bulk(c, cluster->myself->name, CLUSTER_NAMELEN);
}

static void nodes_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    sds s = cluster_nodes_text(sds_empty(), NODES_SHOW_HANDSHAKE);
    reply_verbatim(c, s, sds_len(s), "txt");
    sds_free(s);
}

/* REPLICAS / SLAVES <node-id>: the replicas' CLUSTER NODES lines. */
static void replicas_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    cluster_node *n = known_node_or_reply(c, c->argv[2]);
    if (!n) return;
    if (!cluster_node_is_primary(n)) {
        reply_error(c, "The specified node is not a master");
        return;
    }
    reply_array_len(c, n->num_replicas);
    for (int j = 0; j < n->num_replicas; j++) {
        sds line = cluster_node_line(sds_empty(), n->replicas[j]);
        reply_bulk_sds(c, line);
        sds_free(line);
    }
}

static void keyslot_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    reply_integer(c, cluster_keyslot(c->argv[2], sds_len(c->argv[2])));
}

static void countkeysinslot_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    long long slot;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &slot)) {
        reply_error_not_integer(c);
        return;
    }
    if (slot < 0 || slot >= CLUSTER_SLOTS) {
        reply_error(c, "Invalid slot");
        return;
    }
    reply_integer(c, (long long)cluster_count_keys_in_slot((unsigned int)slot));
}

static void getkeysinslot_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    long long slot, maxkeys;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &slot) ||
        !string2ll(c->argv[3], sds_len(c->argv[3]), &maxkeys)) {
        reply_error_not_integer(c);
        return;
    }
    if (maxkeys < 0 || slot < 0 || slot >= CLUSTER_SLOTS) {
        reply_error(c, "Invalid slot or number of keys");
        return;
    }
    const db *d = &server.dbs[0];
    unsigned long long held = db_slot_count(d, (unsigned int)slot);
    unsigned long n = (unsigned long)((unsigned long long)maxkeys < held ? (unsigned long long)maxkeys : held);
    sds *keys = zmalloc(sizeof(sds) * (n ? n : 1));
    n = db_slot_keys(d, (unsigned int)slot, n, keys);
    reply_array_len(c, (long)n);
    for (unsigned long j = 0; j < n; j++) reply_bulk_sds(c, keys[j]);
    zfree(keys);
}

/* ---------------------------------------------------------- slots */

/* ADDSLOTS / DELSLOTS and their RANGE forms check every slot before
 * changing any: busy (add) or unassigned (del), and named once. seen
 * counts mentions per slot. Returns 0, or -1 after replying. */
static int slot_check_or_reply(client *c, unsigned char *seen, int slot, int del) {
    if (del && cluster->slots[slot] == NULL) {
        reply_error_format(c, "Slot %d is already unassigned", slot);
        return -1;
    }
    if (!del && cluster->slots[slot] != NULL) {
        reply_error_format(c, "Slot %d is already busy", slot);
        return -1;
    }
    if (seen[slot]++) {
        reply_error_format(c, "Slot %d specified multiple times", slot);
        return -1;
    }
    return 0;
}

/* Applies a checked ADDSLOTS / DELSLOTS: myself takes (or nobody keeps)
 * every slot in seen. A slot we take is no longer importing: we are its
 * owner now. */
static void slots_apply(client *c, const unsigned char *seen, int del) {
    for (int j = 0; j < CLUSTER_SLOTS; j++) {
        if (!seen[j]) continue;
        if (del) {
            cluster_del_slot(j);
        } else {
            cluster->importing_slots_from[j] = NULL;
            cluster_add_slot(cluster->myself, j);
        }
    }
    cluster->todo_before_sleep |= CLUSTER_TODO_STATE_AND_SAVE;
    reply_ok(c);
}

static void addslots_generic(client *c, int del) {
    if (cluster_disabled_reply(c)) return;
    unsigned char *seen = zcalloc(CLUSTER_SLOTS);
    for (int j = 2; j < c->argc; j++) {
        int slot = slot_or_reply(c, c->argv[j]);
        if (slot < 0 || slot_check_or_reply(c, seen, slot, del) < 0) goto done;
    }
    slots_apply(c, seen, del);
done:
    zfree(seen);
}

/* Pairs of start and end slots, each pair parsed and checked in turn (a
 * later pair's bad number is reported after an earlier pair's busy slot,
 * as Redis does). */
static void addslotsrange_generic(client *c, int del) {
    if (cluster_disabled_reply(c)) return;
    if (c->argc % 2 == 1) {
        reply_error_arity(c);
        return;
    }
    unsigned char *seen = zcalloc(CLUSTER_SLOTS);
    for (int j = 2; j < c->argc; j += 2) {
        int start = slot_or_reply(c, c->argv[j]);
        if (start < 0) goto done;
        int end = slot_or_reply(c, c->argv[j + 1]);
        if (end < 0) goto done;
        if (start > end) {
            reply_error_format(c, "start slot number %d is greater than end slot number %d", start, end);
            goto done;
        }
        for (int slot = start; slot <= end; slot++)
            if (slot_check_or_reply(c, seen, slot, del) < 0) goto done;
    }
    slots_apply(c, seen, del);
done:
    zfree(seen);
}

static void addslots_command(client *c) {
    addslots_generic(c, 0);
}
static void delslots_command(client *c) {
    addslots_generic(c, 1);
}
static void addslotsrange_command(client *c) {
    addslotsrange_generic(c, 0);
}
static void delslotsrange_command(client *c) {
    addslotsrange_generic(c, 1);
}

static void flushslots_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    if (db_size(&server.dbs[0]) != 0) {
        reply_error(c, "DB must be empty to perform CLUSTER FLUSHSLOTS.");
        return;
    }
    cluster_del_node_slots(cluster->myself);
    cluster->todo_before_sleep |= CLUSTER_TODO_STATE_AND_SAVE;
    reply_ok(c);
}

/* SETSLOT <slot> MIGRATING|IMPORTING <node>: the target must be a known
 * primary; we must own a slot we migrate and not own one we import. */
static int setslot_open(client *c, int slot, int importing) {
    if (!importing && cluster->slots[slot] != cluster->myself) {
        reply_error_format(c, "I'm not the owner of hash slot %u", (unsigned)slot);
        return -1;
    }
    if (importing && cluster->slots[slot] == cluster->myself) {
        reply_error_format(c, "I'm already the owner of hash slot %u", (unsigned)slot);
        return -1;
    }
    cluster_node *n = node_by_arg(c->argv[4]);
    if (!n) {
        reply_error_format(c, "I don't know about node %s", c->argv[4]);
        return -1;
    }
    if (!cluster_node_is_primary(n)) {
        reply_error(c, "Target node is not a master");
        return -1;
    }
    if (importing) cluster->importing_slots_from[slot] = n;
    else cluster->migrating_slots_to[slot] = n;
    return 0;
}

/* SETSLOT <slot> NODE <node>: the slot is n's from now on. Giving away a
 * slot we still hold keys of is refused; an emptied migrating slot stops
 * migrating; an importing slot that becomes ours closes the import with a
 * config epoch of our own (no consensus needed: resharding is an operator's
 * decision), announced at once. */
static int setslot_node(client *c, int slot) {
    cluster_node *n = node_by_arg(c->argv[4]);
    if (!n) {
        reply_error_format(c, "Unknown node %s", c->argv[4]);
        return -1;
    }
    if (!cluster_node_is_primary(n)) {
        reply_error(c, "Target node is not a master");
        return -1;
    }
    unsigned long long keys = cluster_count_keys_in_slot((unsigned int)slot);
    if (cluster->slots[slot] == cluster->myself && n != cluster->myself && keys != 0) {
        reply_error_format(c,
                           "Can't assign hashslot %d to a different node while I still hold keys for this hash slot.",
                           slot);
        return -1;
    }
    if (keys == 0) cluster->migrating_slots_to[slot] = NULL;
    if (n == cluster->myself && cluster->importing_slots_from[slot]) {
        if (cluster_bump_config_epoch(0)) log_warning("configEpoch updated after importing slot %d", slot);
        cluster->importing_slots_from[slot] = NULL;
        cluster_bus_broadcast_ping_pong(CLMSG_TYPE_PONG);
    }
    cluster_del_slot(slot);
    cluster_add_slot(n, slot);
    return 0;
}

static void setslot_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    if (myself_is_replica()) {
        reply_error(c, "Please use SETSLOT only with masters.");
        return;
    }
    int slot = slot_or_reply(c, c->argv[2]);
    if (slot < 0) return;
    const char *action = c->argv[3];
    int rc;
    if (!strcasecmp(action, "migrating") && c->argc == 5) {
        rc = setslot_open(c, slot, 0);
    } else if (!strcasecmp(action, "importing") && c->argc == 5) {
        rc = setslot_open(c, slot, 1);
    } else if (!strcasecmp(action, "stable") && c->argc == 4) {
        cluster->migrating_slots_to[slot] = NULL;
        cluster->importing_slots_from[slot] = NULL;
        rc = 0;
    } else if (!strcasecmp(action, "node") && c->argc == 5) {
        rc = setslot_node(c, slot);
    } else {
        reply_error(c, "Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP");
        return;
    }
    if (rc < 0) return;
    cluster->todo_before_sleep |= CLUSTER_TODO_STATE_AND_SAVE;
    reply_ok(c);
}

/* ---------------------------------------------------------- nodes */

/* MEET <ip> <port> [<bus-port>]: the bus port defaults to port + 10000.
 * Ports out of range are refused here (before any narrowing) with the
 * text the handshake's own refusal gets. */
static void meet_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    if (c->argc > 5) {
        reply_subcommand_syntax(c);
        return;
    }
    long long port, cport;
    if (!string2ll(c->argv[3], sds_len(c->argv[3]), &port)) {
        reply_error_format(c, "Invalid TCP base port specified: %s", c->argv[3]);
        return;
    }
    if (c->argc == 5) {
        if (!string2ll(c->argv[4], sds_len(c->argv[4]), &cport)) {
            reply_error_format(c, "Invalid TCP bus port specified: %s", c->argv[4]);
            return;
        }
    } else {
        cport = port + CLUSTER_PORT_INCR;
    }
    if (port <= 0 || port > CLUSTER_PORT_MAX || cport <= 0 || cport > CLUSTER_PORT_MAX ||
        cluster_bus_start_handshake(c->argv[2], (int)port, (int)cport) < 0) {
        reply_error_format(c, "Invalid node address specified: %s:%s", c->argv[2], c->argv[3]);
        return;
    }
    reply_ok(c);
}

/* FORGET <node-id>: removes the node and keeps gossip from bringing it
 * back for CLUSTER_BLACKLIST_TTL seconds. */
static void forget_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    cluster_node *n = known_node_or_reply(c, c->argv[2]);
    if (!n) return;
    if (n == cluster->myself) {
        reply_error(c, "I tried hard but I can't forget myself...");
        return;
    }
    if (myself_is_replica() && cluster->myself->primary == n) {
        reply_error(c, "Can't forget my master!");
        return;
    }
    cluster_blacklist_add(n->name);
    cluster_node_delete(n);
    cluster->todo_before_sleep |= CLUSTER_TODO_STATE_AND_SAVE;
    reply_ok(c);
}

/* REPLICATE <node-id>: a primary may become a replica only while it has
 * no slots and no keys. */
static void replicate_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    cluster_node *n = known_node_or_reply(c, c->argv[2]);
    if (!n) return;
    if (n == cluster->myself) {
        reply_error(c, "Can't replicate myself");
        return;
    }
    if (!cluster_node_is_primary(n)) {
        reply_error(c, "I can only replicate a master, not a replica.");
        return;
    }
    if (!myself_is_replica() && !cluster_myself_is_empty()) {
        reply_error(c, "To set a master the node must be empty and without assigned slots.");
        return;
    }
    cluster_set_my_primary(n);
    cluster->todo_before_sleep |= CLUSTER_TODO_STATE_AND_SAVE;
    reply_ok(c);
}

/* RESET [HARD|SOFT] (soft by default); a primary holding keys refuses. */
static void reset_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    int hard = 0;
    if (c->argc == 3) {
        if (!strcasecmp(c->argv[2], "hard")) {
            hard = 1;
        } else if (strcasecmp(c->argv[2], "soft")) {
            reply_error_syntax(c);
            return;
        }
    } else if (c->argc > 3) {
        reply_subcommand_syntax(c);
        return;
    }
    if (!myself_is_replica() && db_size(&server.dbs[0]) != 0) {
        reply_error(c, "CLUSTER RESET can't be called with master nodes containing keys");
        return;
    }
    cluster_reset(hard);
    reply_ok(c);
}

static void saveconfig_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    if (cluster_save_config(1) < 0) {
        reply_error_format(c, "error saving the cluster node config: %s", strerror(errno));
        return;
    }
    reply_ok(c);
}

/* SET-CONFIG-EPOCH <epoch>: only for a node alone and still at epoch 0
 * (how redis-cli --cluster create gives each primary its own epoch).
 * Writes myself's epoch itself: cluster.c has no setter for this. */
static void set_config_epoch_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    long long epoch;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &epoch)) {
        reply_error_not_integer(c);
        return;
    }
    if (epoch < 0) {
        reply_error_format(c, "Invalid config epoch specified: %lld", epoch);
        return;
    }
    if (dict_size(cluster->nodes) > 1) {
        reply_error(c, "The user can assign a config epoch only when the node does not know any other node.");
        return;
    }
    if (cluster->myself->config_epoch != 0) {
        reply_error(c, "Node config epoch is already non-zero");
        return;
    }
    cluster->myself->config_epoch = (uint64_t)epoch;
    log_warning("configEpoch set to %llu via CLUSTER SET-CONFIG-EPOCH", (unsigned long long)epoch);
    if (cluster->current_epoch < (uint64_t)epoch) cluster->current_epoch = (uint64_t)epoch;
    cluster->todo_before_sleep |= CLUSTER_TODO_STATE_AND_SAVE;
    reply_ok(c);
}

static void bumpepoch_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    int bumped = cluster_bump_config_epoch(0);
    sds s = sds_cat_printf(sds_empty(), "%s %llu", bumped ? "BUMPED" : "STILL",
                           (unsigned long long)cluster->myself->config_epoch);
    reply_status(c, s);
    sds_free(s);
}

static void count_failure_reports_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    cluster_node *n = known_node_or_reply(c, c->argv[2]);
    if (!n) return;
    reply_integer(c, cluster_node_failure_reports_count(n));
}

/* FAILOVER [FORCE|TAKEOVER]: parsed here, checked and started by
 * cluster_failover.c. */
static void failover_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    int mode = 0;
    if (c->argc == 3) {
        if (!strcasecmp(c->argv[2], "force")) {
            mode = 1;
        } else if (!strcasecmp(c->argv[2], "takeover")) {
            mode = 2;
        } else {
            reply_error_syntax(c);
            return;
        }
    } else if (c->argc > 3) {
        reply_subcommand_syntax(c);
        return;
    }
    const char *err = cluster_failover_manual(mode);
    if (err) {
        reply_error(c, err);
        return;
    }
    reply_ok(c);
}

/* ---------------------------------------------------------- topology */

/* One node of a CLUSTER SLOTS range: endpoint, port, id, then a map of
 * the networking facts the endpoint left out (the ip unless it is the
 * endpoint, the hostname when known and not the endpoint). */
static void slots_reply_node(client *c, const cluster_node *n) {
    int type = cfg.cluster_preferred_endpoint_type;
    int has_hostname = n->hostname && sds_len(n->hostname) != 0;
    reply_array_len(c, 4);
    if (type == CLUSTER_ENDPOINT_IP) reply_bulk_cstr(c, n->ip);
    else if (type == CLUSTER_ENDPOINT_HOSTNAME) reply_bulk_cstr(c, has_hostname ? n->hostname : "?");
    else reply_null(c);
    reply_integer(c, n->port);
    reply_bulk(c, n->name, CLUSTER_NAMELEN);
    int with_ip = type != CLUSTER_ENDPOINT_IP;
    int with_hostname = type != CLUSTER_ENDPOINT_HOSTNAME && has_hostname;
    reply_map_len(c, with_ip + with_hostname);
    if (with_ip) {
        reply_bulk_cstr(c, "ip");
        reply_bulk_cstr(c, n->ip);
    }
    if (with_hostname) {
        reply_bulk_cstr(c, "hostname");
        reply_bulk_sds(c, n->hostname);
    }
}

/* One range: start, end, its primary, then its replicas not in FAIL. */
static void slots_reply_range(client *c, const cluster_node *n, int start, int end) {
    int replicas = 0;
    for (int j = 0; j < n->num_replicas; j++)
        if (!cluster_node_failed(n->replicas[j])) replicas++;
    reply_array_len(c, 3 + replicas);
    reply_integer(c, start);
    reply_integer(c, end);
    slots_reply_node(c, n);
    for (int j = 0; j < n->num_replicas; j++)
        if (!cluster_node_failed(n->replicas[j])) slots_reply_node(c, n->replicas[j]);
}

/* SLOTS: every run of consecutive slots with one owner, in slot order. */
static void slots_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    void *len = reply_deferred_len(c);
    long ranges = 0;
    int start = -1;
    for (int j = 0; j <= CLUSTER_SLOTS; j++) {
        const cluster_node *n = j < CLUSTER_SLOTS ? cluster->slots[j] : NULL;
        if (start >= 0 && (j == CLUSTER_SLOTS || n != cluster->slots[start])) {
            slots_reply_range(c, cluster->slots[start], start, j - 1);
            ranges++;
            start = -1;
        }
        if (n && start < 0) start = j;
    }
    reply_set_deferred_array_len(c, len, ranges);
}

/* "online", "fail", or "loading" (a replica that has no data yet). */
static const char *node_health(const cluster_node *n) {
    if (cluster_node_failed(n)) return "fail";
    if (!cluster_node_is_primary(n) && node_repl_offset(n) == 0) return "loading";
    return "online";
}

static void shards_reply_node(client *c, const cluster_node *n) {
    int has_hostname = n->hostname && sds_len(n->hostname) != 0;
    reply_map_len(c, 7 + has_hostname);
    reply_bulk_cstr(c, "id");
    reply_bulk(c, n->name, CLUSTER_NAMELEN);
    reply_bulk_cstr(c, "port");
    reply_integer(c, n->port);
    reply_bulk_cstr(c, "ip");
    reply_bulk_cstr(c, n->ip);
    reply_bulk_cstr(c, "endpoint");
    reply_bulk_cstr(c, cluster_node_preferred_endpoint(n));
    if (has_hostname) {
        reply_bulk_cstr(c, "hostname");
        reply_bulk_sds(c, n->hostname);
    }
    reply_bulk_cstr(c, "role");
    reply_bulk_cstr(c, cluster_node_is_primary(n) ? "master" : "replica");
    reply_bulk_cstr(c, "replication-offset");
    reply_integer(c, node_repl_offset(n));
    reply_bulk_cstr(c, "health");
    reply_bulk_cstr(c, node_health(n));
}

/* One shard: a primary's slot ranges (start, end pairs) and its nodes,
 * the primary first. */
static void shards_reply_shard(client *c, const cluster_node *primary) {
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "slots");
    void *len = reply_deferred_len(c);
    long bounds = 0;
    for (int j = 0; j < CLUSTER_SLOTS; j++) {
        if (!cluster_node_has_slot(primary, j)) continue;
        int end = j;
        while (end + 1 < CLUSTER_SLOTS && cluster_node_has_slot(primary, end + 1)) end++;
        reply_integer(c, j);
        reply_integer(c, end);
        bounds += 2;
        j = end;
    }
    reply_set_deferred_array_len(c, len, bounds);
    reply_bulk_cstr(c, "nodes");
    reply_array_len(c, 1 + primary->num_replicas);
    shards_reply_node(c, primary);
    for (int j = 0; j < primary->num_replicas; j++) shards_reply_node(c, primary->replicas[j]);
}

/* SHARDS: one entry per primary, with or without slots. */
static void shards_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    void *len = reply_deferred_len(c);
    long shards = 0;
    dict_iterator it;
    dict_init_iterator(&it, cluster->nodes);
    dict_entry *de;
    while ((de = dict_next(&it))) {
        const cluster_node *n = dict_get_val(de);
        if (!cluster_node_is_primary(n)) continue;
        shards_reply_shard(c, n);
        shards++;
    }
    dict_reset_iterator(&it);
    reply_set_deferred_array_len(c, len, shards);
}

/* LINKS: every bus link that knows its node, as a map of Redis 7.0's six
 * fields. events: "r" always (a link is always read), "w" while bytes
 * wait to be sent. */
typedef struct links_ctx {
    client *c;
    long count;
} links_ctx;

static void links_reply_one(const cluster_link *l, void *arg) {
    links_ctx *ctx = arg;
    client *c = ctx->c;
    if (!l->node) return;
    size_t pending = l->sndbuf ? sds_len(l->sndbuf) - l->sndpos : 0;
    reply_map_len(c, 6);
    reply_bulk_cstr(c, "direction");
    reply_bulk_cstr(c, l->inbound ? "from" : "to");
    reply_bulk_cstr(c, "node");
    reply_bulk(c, l->node->name, CLUSTER_NAMELEN);
    reply_bulk_cstr(c, "create-time");
    reply_integer(c, l->ctime);
    reply_bulk_cstr(c, "events");
    reply_bulk_cstr(c, pending ? "rw" : "r");
    reply_bulk_cstr(c, "send-buffer-allocated");
    reply_integer(c, l->sndbuf ? (long long)sds_alloc(l->sndbuf) : 0);
    reply_bulk_cstr(c, "send-buffer-used");
    reply_integer(c, (long long)pending);
    ctx->count++;
}

static void links_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    links_ctx ctx = {c, 0};
    void *len = reply_deferred_len(c);
    cluster_bus_foreach_link(links_reply_one, &ctx);
    reply_set_deferred_array_len(c, len, ctx.count);
}

static void help_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    static const char *help[] = {
        "ADDSLOTS <slot> [<slot> ...]",
        "    Assign slots to current node.",
        "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
        "    Assign slots which are between <start-slot> and <end-slot> to current node.",
        "BUMPEPOCH",
        "    Advance the cluster config epoch.",
        "COUNT-FAILURE-REPORTS <node-id>",
        "    Return number of failure reports for <node-id>.",
        "COUNTKEYSINSLOT <slot>",
        "    Return the number of keys in <slot>.",
        "DELSLOTS <slot> [<slot> ...]",
        "    Delete slots information from current node.",
        "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
        "    Delete slots information which are between <start-slot> and <end-slot> from current node.",
        "FAILOVER [FORCE|TAKEOVER]",
        "    Promote current replica node to being a master.",
        "FORGET <node-id>",
        "    Remove a node from the cluster.",
        "GETKEYSINSLOT <slot> <count>",
        "    Return key names stored by current node in a slot.",
        "FLUSHSLOTS",
        "    Delete current node own slots information.",
        "INFO",
        "    Return information about the cluster.",
        "KEYSLOT <key>",
        "    Return the hash slot for <key>.",
        "MEET <ip> <port> [<bus-port>]",
        "    Connect nodes into a working cluster.",
        "MYID",
        "    Return the node id.",
        "NODES",
        "    Return cluster configuration seen by node. Output format:",
        "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
        "REPLICATE <node-id>",
        "    Configure current node as replica to <node-id>.",
        "RESET [HARD|SOFT]",
        "    Reset current node (default: soft).",
        "SET-CONFIG-EPOCH <epoch>",
        "    Set config epoch of current node.",
        "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
        "    Set slot state.",
        "REPLICAS <node-id>",
        "    Return <node-id> replicas.",
        "SAVECONFIG",
        "    Force saving cluster configuration on disk.",
        "SLOTS",
        "    Return information about slots range mappings. Each range is made of:",
        "    start, end, master and replicas IP addresses, ports and ids",
        "SHARDS",
        "    Return information about slot range mappings and the nodes associated with them.",
        "LINKS",
        "    Return information about all network links between this node and its peers.",
        "    Output format is an array where each array element is a map containing attributes of a link",
        NULL,
    };
    reply_help(c, help);
}

/* ---------------------------------------------------------- connection */

/* ASKING: the next command may touch an importing slot (cleared after
 * it; see cluster_route). */
static void asking_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    c->flags |= CLIENT_ASKING;
    reply_ok(c);
}

/* READONLY / READWRITE: whether a replica serves this client's reads of
 * its primary's slots. */
static void readonly_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    c->flags |= CLIENT_READONLY;
    reply_ok(c);
}

static void readwrite_command(client *c) {
    if (cluster_disabled_reply(c)) return;
    c->flags &= ~CLIENT_READONLY;
    reply_ok(c);
}

/* ---------------------------------------------------------- table */

/* Redis 7.0.15's COMMAND INFO and COMMAND DOCS for every entry. */
#define ADMIN_FLAGS (CMD_ADMIN | CMD_STALE | CMD_NO_ASYNC_LOADING)
#define ADMIN_ACL (ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS)

static redis_command cluster_subcommands[] = {
    {.name = "addslots", .proc = addslots_command, .arity = -3, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Assign new hash slots to receiving node",
     .complexity = "O(N) where N is the total number of hash slot arguments"},
    {.name = "addslotsrange", .proc = addslotsrange_command, .arity = -4, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "7.0.0",
     .summary = "Assign new hash slots to receiving node",
     .complexity = "O(N) where N is the total number of the slots between the start slot and end slot arguments."},
    {.name = "bumpepoch", .proc = bumpepoch_command, .arity = 2, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .tips = "nondeterministic_output", .group = "cluster", .since = "3.0.0",
     .summary = "Advance the cluster config epoch",
     .complexity = "O(1)"},
    {.name = "count-failure-reports", .proc = count_failure_reports_command, .arity = 3, .flags = CMD_ADMIN | CMD_STALE,
     .acl = ADMIN_ACL, .tips = "nondeterministic_output", .group = "cluster", .since = "3.0.0",
     .summary = "Return the number of failure reports active for a given node",
     .complexity = "O(N) where N is the number of failure reports"},
    {.name = "countkeysinslot", .proc = countkeysinslot_command, .arity = 3, .flags = CMD_STALE,
     .acl = ACL_SLOW, .group = "cluster", .since = "3.0.0",
     .summary = "Return the number of local keys in the specified hash slot",
     .complexity = "O(1)"},
    {.name = "delslots", .proc = delslots_command, .arity = -3, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Set hash slots as unbound in receiving node",
     .complexity = "O(N) where N is the total number of hash slot arguments"},
    {.name = "delslotsrange", .proc = delslotsrange_command, .arity = -4, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "7.0.0",
     .summary = "Set hash slots as unbound in receiving node",
     .complexity = "O(N) where N is the total number of the slots between the start slot and end slot arguments."},
    {.name = "failover", .proc = failover_command, .arity = -2, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Forces a replica to perform a manual failover of its master.",
     .complexity = "O(1)"},
    {.name = "forget", .proc = forget_command, .arity = 3, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Remove a node from the nodes table",
     .complexity = "O(1)"},
    {.name = "getkeysinslot", .proc = getkeysinslot_command, .arity = 4, .flags = CMD_STALE,
     .acl = ACL_SLOW, .tips = "nondeterministic_output", .group = "cluster", .since = "3.0.0",
     .summary = "Return local key names in the specified hash slot",
     .complexity = "O(log(N)) where N is the number of requested keys"},
    {.name = "info", .proc = info_command, .arity = 2, .flags = CMD_STALE,
     .acl = ACL_SLOW, .tips = "nondeterministic_output", .group = "cluster", .since = "3.0.0",
     .summary = "Provides info about Redis Cluster node state",
     .complexity = "O(1)"},
    {.name = "keyslot", .proc = keyslot_command, .arity = 3, .flags = CMD_STALE,
     .acl = ACL_SLOW, .group = "cluster", .since = "3.0.0",
     .summary = "Returns the hash slot of the specified key",
     .complexity = "O(N) where N is the number of bytes in the key"},
    {.name = "links", .proc = links_command, .arity = 2, .flags = CMD_STALE,
     .acl = ACL_SLOW, .tips = "nondeterministic_output", .group = "cluster", .since = "7.0.0",
     .summary = "Returns a list of all TCP links to and from peer nodes in cluster",
     .complexity = "O(N) where N is the total number of Cluster nodes"},
    {.name = "meet", .proc = meet_command, .arity = -4, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Force a node cluster to handshake with another node",
     .complexity = "O(1)"},
    {.name = "myid", .proc = myid_command, .arity = 2, .flags = CMD_STALE,
     .acl = ACL_SLOW, .group = "cluster", .since = "3.0.0",
     .summary = "Return the node id",
     .complexity = "O(1)"},
    {.name = "nodes", .proc = nodes_command, .arity = 2, .flags = CMD_STALE,
     .acl = ACL_SLOW, .tips = "nondeterministic_output", .group = "cluster", .since = "3.0.0",
     .summary = "Get Cluster config for the node",
     .complexity = "O(N) where N is the total number of Cluster nodes"},
    {.name = "replicate", .proc = replicate_command, .arity = 3, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Reconfigure a node as a replica of the specified master node",
     .complexity = "O(1)"},
    {.name = "reset", .proc = reset_command, .arity = -2, .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_STALE,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Reset a Redis Cluster node",
     .complexity = "O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect."},
    {.name = "saveconfig", .proc = saveconfig_command, .arity = 2, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Forces the node to save cluster state on disk",
     .complexity = "O(1)"},
    {.name = "set-config-epoch", .proc = set_config_epoch_command, .arity = 3, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Set the configuration epoch in a new node",
     .complexity = "O(1)"},
    {.name = "setslot", .proc = setslot_command, .arity = -4, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Bind a hash slot to a specific node",
     .complexity = "O(1)"},
    {.name = "shards", .proc = shards_command, .arity = 2, .flags = CMD_STALE,
     .acl = ACL_SLOW, .tips = "nondeterministic_output", .group = "cluster", .since = "7.0.0",
     .summary = "Get array of cluster slots to node mappings",
     .complexity = "O(N) where N is the total number of cluster nodes"},
    {.name = "replicas", .proc = replicas_command, .arity = 3, .flags = CMD_ADMIN | CMD_STALE,
     .acl = ADMIN_ACL, .tips = "nondeterministic_output", .group = "cluster", .since = "5.0.0",
     .summary = "List replica nodes of the specified master node",
     .complexity = "O(1)"},
    {.name = "slaves", .proc = replicas_command, .arity = 3, .flags = CMD_ADMIN | CMD_STALE,
     .acl = ADMIN_ACL, .tips = "nondeterministic_output", .group = "cluster", .since = "3.0.0",
     .summary = "List replica nodes of the specified master node",
     .complexity = "O(1)", .deprecated_since = "5.0.0",
     .replaced_by = "`CLUSTER REPLICAS`"},
    {.name = "slots", .proc = slots_command, .arity = 2, .flags = CMD_STALE,
     .acl = ACL_SLOW, .tips = "nondeterministic_output", .group = "cluster", .since = "3.0.0",
     .summary = "Get array of Cluster slot to node mappings",
     .complexity = "O(N) where N is the total number of Cluster nodes",
     .deprecated_since = "7.0.0", .replaced_by = "`CLUSTER SHARDS`"},
    {.name = "flushslots", .proc = flushslots_command, .arity = 2, .flags = ADMIN_FLAGS,
     .acl = ADMIN_ACL, .group = "cluster", .since = "3.0.0",
     .summary = "Delete a node's own slots information",
     .complexity = "O(1)"},
    {.name = "help", .proc = help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW, .group = "cluster", .since = "5.0.0",
     .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    {0},
};

redis_command cluster_commands[] = {
    {.name = "cluster", .arity = -2, .group = "cluster", .since = "3.0.0",
     .summary = "A container for cluster commands", .complexity = "Depends on subcommand.",
     .subcommands = cluster_subcommands},
    {.name = "asking", .proc = asking_command, .arity = 1, .flags = CMD_FAST,
     .acl = ACL_FAST | ACL_CONNECTION, .group = "cluster", .since = "3.0.0",
     .summary = "Sent by cluster clients after an -ASK redirect",
     .complexity = "O(1)"},
    {.name = "readonly", .proc = readonly_command, .arity = 1, .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl = ACL_FAST | ACL_CONNECTION, .group = "cluster", .since = "3.0.0",
     .summary = "Enables read queries for a connection to a cluster replica node",
     .complexity = "O(1)"},
    {.name = "readwrite", .proc = readwrite_command, .arity = 1, .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl = ACL_FAST | ACL_CONNECTION, .group = "cluster", .since = "3.0.0",
     .summary = "Disables read queries for a connection to a cluster replica node",
     .complexity = "O(1)"},
    {0},
};
