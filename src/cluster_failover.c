/* cluster_failover.c -- replica election and promotion, votes, manual
 * failover and replica migration of a cluster node (see cluster.h), with
 * Redis 7.0's rules so minired and Redis nodes elect each other.
 *
 * Owns cluster->failover_* and cluster->mf_* (and writes last_vote_epoch,
 * a node's voted_time and orphaned_time); sends through cluster_bus_send_*
 * and never touches a link's bytes. Invariant: an election is keyed by
 * failover_auth_time: a vote counts only for failover_auth_epoch, and a
 * new election is scheduled only once the previous one is stale (twice
 * its timeout), so one replica never runs two elections at once. */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "ae.h"
#include "config.h"
#include "log.h"
#include "monotonic.h"
#include "replication.h"
#include "util.h"

/* Election timing (Redis 7.0's): the FAIL message gets a fixed head start
 * plus a random spread so replicas of one primary rarely collide, and each
 * rank (replicas with a better offset) adds a second. */
#define FAILOVER_FIXED_DELAY_MS 500
#define FAILOVER_RANDOM_DELAY_MS 500
#define FAILOVER_RANK_DELAY_MS 1000
/* An election lasts node_timeout * 2, never less than this. */
#define FAILOVER_MIN_AUTH_TIMEOUT_MS 2000
/* "Currently unable to failover" repeats its reason only this often, and
 * not while the primary failed recently (node_timeout + this). */
#define FAILOVER_CANT_RELOG_PERIOD_S 300
#define FAILOVER_NOLOG_AFTER_FAIL_MS 5000

/* --------------------------------------------------------------- helpers */

static long long failover_auth_timeout(void) {
    long long t = cfg.cluster_node_timeout * 2;
    return t < FAILOVER_MIN_AUTH_TIMEOUT_MS ? FAILOVER_MIN_AUTH_TIMEOUT_MS : t;
}

/* Our replication offset as the election compares it (what we applied). */
static long long failover_my_offset(void) {
    return repl.offset;
}

/* A replica's election is stalled: say why, once per reason (and again
 * after the relog period), staying quiet in the first seconds after the
 * primary's FAIL when waiting is normal. */
static void failover_log_cant(int reason) {
    static time_t last_logged;
    const char *why = "Unknown reason code.";
    cluster_node *primary = cluster->myself->primary;

    if (reason == cluster->cant_failover_reason && time(NULL) - last_logged < FAILOVER_CANT_RELOG_PERIOD_S) return;
    cluster->cant_failover_reason = reason;
    if (primary && cluster_node_failed(primary) &&
        mstime() - primary->fail_time < cfg.cluster_node_timeout + FAILOVER_NOLOG_AFTER_FAIL_MS)
        return;
    switch (reason) {
    case CLUSTER_CANT_FAILOVER_DATA_AGE:
        why = "Disconnected from master for longer than allowed. Please check the "
              "'cluster-replica-validity-factor' configuration option.";
        break;
    case CLUSTER_CANT_FAILOVER_WAITING_DELAY: why = "Waiting the delay before I can start a new failover."; break;
    case CLUSTER_CANT_FAILOVER_EXPIRED: why = "Failover attempt expired."; break;
    case CLUSTER_CANT_FAILOVER_WAITING_VOTES: why = "Waiting for votes, but majority still not reached."; break;
    }
    last_logged = time(NULL);
    log_warning("Currently unable to failover: %s", why);
}

/* Our rank among our primary's replicas: how many of the others that may
 * fail over announced a greater offset than ours (0 is the best). */
static int failover_rank(void) {
    cluster_node *primary = cluster->myself->primary;
    long long mine = failover_my_offset();
    int rank = 0;

    if (!primary) return 0;
    for (int i = 0; i < primary->num_replicas; i++) {
        const cluster_node *r = primary->replicas[i];
        if (r == cluster->myself || (r->flags & CLCONF_NODE_NOFAILOVER)) continue;
        if (r->repl_offset > mine) rank++;
    }
    return rank;
}

/* PONG to the other replicas of our primary, so they learn our offset
 * before they rank themselves (Redis's CLUSTER_BROADCAST_LOCAL_SLAVES). */
static void failover_pong_sibling_replicas(void) {
    cluster_node *me = cluster->myself;
    dict_iterator it;
    dict_entry *de;

    dict_init_safe_iterator(&it, cluster->nodes);
    while ((de = dict_next(&it)) != NULL) {
        cluster_node *n = dict_get_val(de);
        if (n == me || !n->link || (n->flags & CLCONF_NODE_HANDSHAKE)) continue;
        if (!(n->flags & CLCONF_NODE_SLAVE) || !n->primary) continue;
        if (n->primary != me && n->primary != me->primary) continue;
        cluster_bus_send_ping(n->link, CLMSG_TYPE_PONG);
    }
    dict_reset_iterator(&it);
}

/* ------------------------------------------------------ replica election */

/* Whether this replica may run an election at all; resets the logged
 * reason when it may not (nothing is stalled then). */
static int failover_possible(int manual) {
    cluster_node *me = cluster->myself;
    cluster_node *primary = me->primary;

    if (cluster_node_is_primary(me) || !primary || (!cluster_node_failed(primary) && !manual) ||
        (cfg.cluster_replica_no_failover && !manual) || primary->numslots == 0) {
        cluster->cant_failover_reason = CLUSTER_CANT_FAILOVER_NONE;
        return 0;
    }
    return 1;
}

/* Our data is too old to serve the slots: disconnected (minus the time it
 * took to notice) for longer than the ping period plus node_timeout times
 * cluster-replica-validity-factor (0: any age goes). */
static int failover_data_too_old(void) {
    long long age = repl_replica_data_age_ms();
    long long limit = cfg.repl_ping_replica_period * 1000 + cfg.cluster_node_timeout * cfg.cluster_replica_validity_factor;

    if (age > cfg.cluster_node_timeout) age -= cfg.cluster_node_timeout;
    return cfg.cluster_replica_validity_factor && age > limit;
}

/* The election starts when its delay ends, not at the next cron tick
 * (up to CLUSTER_CRON_PERIOD_MS later): a one-shot timer runs the
 * failover steps then. */
static long long election_timer_id = -1;

static int election_timer(ae_event_loop *el, long long id, void *data) {
    (void)el, (void)id, (void)data;
    election_timer_id = -1;
    if (cluster && !cluster_node_is_primary(cluster->myself)) cluster_failover_handle();
    return AE_NOMORE;
}

static void election_timer_arm(void) {
    long long delay = cluster->failover_auth_time - mstime();

    if (election_timer_id != -1) ae_delete_time_event(server.el, election_timer_id);
    election_timer_id = ae_create_time_event(server.el, delay > 0 ? delay : 0, election_timer, NULL, NULL);
}

/* Schedules a new election: after the delay in auto mode, now in a manual
 * failover (no rank: the primary agreed). */
static void failover_schedule(void) {
    unsigned int spread;
    long long now = mstime();

    get_random_bytes((unsigned char *)&spread, sizeof(spread));
    cluster->failover_auth_count = 0;
    cluster->failover_auth_sent = 0;
    cluster->failover_auth_rank = failover_rank();
    cluster->failover_auth_time = now + FAILOVER_FIXED_DELAY_MS + spread % FAILOVER_RANDOM_DELAY_MS +
                                  (long long)cluster->failover_auth_rank * FAILOVER_RANK_DELAY_MS;
    if (cluster->mf_end) {
        cluster->failover_auth_time = now;
        cluster->failover_auth_rank = 0;
        cluster->todo_before_sleep |= CLUSTER_TODO_HANDLE_FAILOVER;
    }
    log_warning("Start of election delayed for %lld milliseconds (rank #%d, offset %lld).",
                cluster->failover_auth_time - now, cluster->failover_auth_rank, failover_my_offset());
    failover_pong_sibling_replicas();
    election_timer_arm();
}

/* While waiting to ask for votes, a sibling may have told us a better
 * offset: fall back a second per rank lost (not in a manual failover). */
static void failover_rerank(void) {
    int rank;

    if (cluster->failover_auth_sent || cluster->mf_end) return;
    rank = failover_rank();
    if (rank <= cluster->failover_auth_rank) return;
    long long added = (long long)(rank - cluster->failover_auth_rank) * FAILOVER_RANK_DELAY_MS;
    cluster->failover_auth_time += added;
    cluster->failover_auth_rank = rank;
    log_warning("Replica rank updated to #%d, added %lld milliseconds of delay.", rank, added);
    election_timer_arm();
}

/* Opens the vote: a new epoch, AUTH_REQUEST to everyone, and the epoch
 * saved (fsynced) before any reply can arrive. */
static void failover_request_votes(void) {
    cluster->current_epoch++;
    cluster->failover_auth_epoch = cluster->current_epoch;
    log_warning("Starting a failover election for epoch %llu.", (unsigned long long)cluster->current_epoch);
    cluster_bus_send_auth_request();
    cluster->failover_auth_sent = 1;
    cluster->todo_before_sleep |= CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE | CLUSTER_TODO_FSYNC_CONFIG;
}

/* A manual failover on a replica: once the paused primary's offset is
 * known and our stream reached it, the election may start. */
static void failover_check_manual(void) {
    if (!cluster->mf_end || cluster->mf_can_start || cluster->mf_primary_offset == -1) return;
    if (cluster->mf_primary_offset == failover_my_offset()) {
        cluster->mf_can_start = 1;
        log_warning("All master replication stream processed, manual failover can start.");
        cluster->todo_before_sleep |= CLUSTER_TODO_HANDLE_FAILOVER;
        return;
    }
    cluster->todo_before_sleep |= CLUSTER_TODO_HANDLE_MANUALFAILOVER;
}

void cluster_failover_handle(void) {
    long long now, auth_age, timeout;
    int manual;

    cluster->todo_before_sleep &= ~CLUSTER_TODO_HANDLE_FAILOVER;
    if (cluster_node_is_primary(cluster->myself)) return;
    failover_check_manual();
    manual = cluster->mf_end != 0 && cluster->mf_can_start;
    if (!failover_possible(manual)) return;
    if (failover_data_too_old() && !manual) {
        failover_log_cant(CLUSTER_CANT_FAILOVER_DATA_AGE);
        return;
    }
    now = mstime();
    auth_age = now - cluster->failover_auth_time;
    timeout = failover_auth_timeout();
    if (auth_age > timeout * 2) { /* the last election is stale: a new one */
        failover_schedule();
        return;
    }
    failover_rerank();
    if (now < cluster->failover_auth_time) {
        failover_log_cant(CLUSTER_CANT_FAILOVER_WAITING_DELAY);
        return;
    }
    if (auth_age > timeout) {
        failover_log_cant(CLUSTER_CANT_FAILOVER_EXPIRED);
        return;
    }
    if (!cluster->failover_auth_sent) {
        failover_request_votes();
        return;
    }
    if (cluster->failover_auth_count < cluster->size / 2 + 1) {
        failover_log_cant(CLUSTER_CANT_FAILOVER_WAITING_VOTES);
        return;
    }
    log_warning("Failover election won: I'm the new master.");
    if (cluster->myself->config_epoch < cluster->failover_auth_epoch) {
        cluster->myself->config_epoch = cluster->failover_auth_epoch;
        log_warning("configEpoch set to %llu after successful failover",
                    (unsigned long long)cluster->myself->config_epoch);
    }
    cluster_failover_promote();
}

void cluster_failover_promote(void) {
    cluster_node *me = cluster->myself;
    cluster_node *old = me->primary;

    if (cluster_node_is_primary(me) || !old) return;
    cluster_node_set_primary_flags(me);
    repl_replica_unset_primary();
    for (int slot = 0; slot < CLUSTER_SLOTS; slot++) {
        if (!cluster_node_has_slot(old, slot)) continue;
        cluster_del_slot(slot);
        cluster_add_slot(me, slot);
    }
    cluster_update_state();
    /* The new epoch and slots must be on disk before anyone hears of
     * them: a restart must not bring back the old role. */
    if (cluster_save_config(1) == -1) {
        log_warning("Fatal: can't update cluster config file.");
        exit(1);
    }
    cluster_bus_broadcast_ping_pong(CLMSG_TYPE_PONG);
    cluster_failover_reset_manual();
}

/* ------------------------------------------------------------- voting */

/* The first slot the requester claims that a primary with a newer config
 * epoch than the request's serves, or -1 when there is none. */
static int failover_stale_claim(const unsigned char *claimed, uint64_t req_config_epoch) {
    for (int slot = 0; slot < CLUSTER_SLOTS; slot++) {
        if (!clmsg_slot_test(claimed, slot)) continue;
        if (cluster->slots[slot] && cluster->slots[slot]->config_epoch > req_config_epoch) return slot;
    }
    return -1;
}

/* Redis's reasons to refuse a vote about who the requester is: NULL when
 * it is a replica whose primary we know failed (or FORCEACK). */
static const char *failover_requester_refusal(const cluster_node *sender, int force_ack) {
    if (cluster_node_is_primary(sender)) return "it is a master node";
    if (!sender->primary) return "I don't know its master";
    if (!cluster_node_failed(sender->primary) && !force_ack) return "its master is up";
    return NULL;
}

void cluster_failover_auth_request(cluster_node *sender, const clmsg *m) {
    cluster_node *me = cluster->myself;
    uint64_t req_epoch = m->hdr.current_epoch, req_config_epoch = m->hdr.config_epoch;
    const char *refusal;
    long long since;
    int slot;

    /* Only primaries serving slots make up the cluster's size: only they
     * vote. */
    if (!sender || !cluster_node_is_primary(me) || me->numslots == 0) return;
    if (req_epoch < cluster->current_epoch) {
        log_warning("Failover auth denied to %.40s: reqEpoch (%llu) < curEpoch(%llu)", sender->name,
                    (unsigned long long)req_epoch, (unsigned long long)cluster->current_epoch);
        return;
    }
    if (cluster->last_vote_epoch == cluster->current_epoch) {
        log_warning("Failover auth denied to %.40s: already voted for epoch %llu", sender->name,
                    (unsigned long long)cluster->current_epoch);
        return;
    }
    refusal = failover_requester_refusal(sender, (m->hdr.mflags[0] & CLMSG_MF0_FORCEACK) != 0);
    if (refusal) {
        log_warning("Failover auth denied to %.40s: %s", sender->name, refusal);
        return;
    }
    /* One vote per failed primary every node_timeout * 2: not needed for
     * safety, but it keeps competing replicas from splitting votes. */
    since = mstime() - sender->primary->voted_time;
    if (since < cfg.cluster_node_timeout * 2) {
        log_warning("Failover auth denied to %.40s: can't vote about this master before %lld milliseconds",
                    sender->name, cfg.cluster_node_timeout * 2 - since);
        return;
    }
    slot = failover_stale_claim(m->hdr.myslots, req_config_epoch);
    if (slot != -1) {
        log_warning("Failover auth denied to %.40s: slot %d epoch (%llu) > reqEpoch (%llu)", sender->name, slot,
                    (unsigned long long)cluster->slots[slot]->config_epoch, (unsigned long long)req_config_epoch);
        return;
    }
    cluster->last_vote_epoch = cluster->current_epoch;
    sender->primary->voted_time = mstime();
    cluster->todo_before_sleep |= CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_FSYNC_CONFIG;
    cluster_bus_send_auth_ack(sender);
    log_warning("Failover auth granted to %.40s for epoch %llu", sender->name,
                (unsigned long long)cluster->current_epoch);
}

void cluster_failover_auth_ack(cluster_node *sender, const clmsg *m) {
    /* A vote counts when it comes from a primary with slots (a member of
     * the cluster's size) that knew our election's epoch. */
    if (!sender || !cluster_node_is_primary(sender) || sender->numslots == 0) return;
    if (m->hdr.current_epoch < cluster->failover_auth_epoch) return;
    cluster->failover_auth_count++;
    cluster->todo_before_sleep |= CLUSTER_TODO_HANDLE_FAILOVER;
}

/* ------------------------------------------------------ manual failover */

void cluster_failover_reset_manual(void) {
    /* Whatever the outcome, a primary that paused its writers frees them. */
    if (cluster->mf_replica) admin_unpause(ADMIN_PAUSE_FAILOVER);
    cluster->mf_end = 0;
    cluster->mf_can_start = 0;
    cluster->mf_replica = NULL;
    cluster->mf_primary_offset = -1;
}

void cluster_failover_mfstart(cluster_node *sender) {
    long long now = mstime();

    /* Only our own replica may ask us to step down. */
    if (!sender || !cluster_node_is_primary(cluster->myself) || sender->primary != cluster->myself) return;
    cluster_failover_reset_manual();
    cluster->mf_end = now + CLUSTER_MF_TIMEOUT;
    cluster->mf_replica = sender;
    admin_pause(ADMIN_PAUSE_FAILOVER, ADMIN_PAUSE_WRITE, now + CLUSTER_MF_TIMEOUT * CLUSTER_MF_PAUSE_MULT);
    log_warning("Manual failover requested by replica %.40s.", sender->name);
    /* A PING now tells the replica our offset (with PAUSED set), so it
     * need not wait for the next scheduled one. */
    if (sender->link)
        cluster_bus_send_ping(sender->link, CLMSG_TYPE_PING);
    else if (sender->inbound_link)
        cluster_bus_send_ping(sender->inbound_link, CLMSG_TYPE_PING);
}

void cluster_failover_primary_paused(cluster_node *sender, long long offset) {
    cluster_node *me = cluster->myself;

    if (!sender || !cluster->mf_end || cluster_node_is_primary(me) || me->primary != sender) return;
    if (cluster->mf_primary_offset != -1) return; /* the first paused offset is the one */
    cluster->mf_primary_offset = offset;
    cluster->todo_before_sleep |= CLUSTER_TODO_HANDLE_MANUALFAILOVER;
    log_warning("Received replication offset for paused master manual failover: %lld", offset);
}

const char *cluster_failover_manual(int mode) {
    cluster_node *me = cluster->myself;
    int force = mode != 0;

    if (cluster_node_is_primary(me)) return "-ERR You should send CLUSTER FAILOVER to a replica";
    if (!me->primary) return "-ERR I'm a replica but my master is unknown to me";
    if (!force && (cluster_node_failed(me->primary) || !me->primary->link))
        return "-ERR Master is down or failed, please use CLUSTER FAILOVER FORCE";
    cluster_failover_reset_manual();
    cluster->mf_end = mstime() + CLUSTER_MF_TIMEOUT;
    /* A new election, even if the last one is recent: Redis 7.0 would
     * reuse its votes and epoch (a win with an old epoch, undone at once
     * by the primary's newer one). */
    cluster->failover_auth_time = 0;
    if (mode == 2) {
        /* TAKEOVER: no vote, no agreement; a fresh config epoch decides. */
        log_warning("Taking over the master (user request).");
        cluster_bump_config_epoch(0);
        cluster_failover_promote();
    } else if (mode == 1) {
        log_warning("Forced failover user request accepted.");
        cluster->mf_can_start = 1;
    } else {
        log_warning("Manual failover user request accepted.");
        cluster_bus_send_mfstart(me->primary);
    }
    return NULL;
}

/* -------------------------------------------------------------- cron */

/* Counts what replica migration needs, over every primary we see as up:
 * how many are orphaned, the most ok replicas any has, and our own
 * primary's count. */
static void migration_survey(int *orphaned, int *max_ok, int *mine) {
    cluster_node *me = cluster->myself;
    dict_iterator it;
    dict_entry *de;

    *orphaned = *max_ok = *mine = 0;
    dict_init_safe_iterator(&it, cluster->nodes);
    while ((de = dict_next(&it)) != NULL) {
        cluster_node *n = dict_get_val(de);
        if (n->flags & (CLCONF_NODE_MYSELF | CLCONF_NODE_NOADDR | CLCONF_NODE_HANDSHAKE)) continue;
        if (!cluster_node_is_primary(n) || cluster_node_failed(n)) continue;
        int ok = cluster_node_ok_replicas(n);
        if (ok == 0 && n->numslots > 0 && (n->flags & CLCONF_NODE_MIGRATE_TO)) (*orphaned)++;
        if (ok > *max_ok) *max_ok = ok;
        if (me->primary == n) *mine = ok;
    }
    dict_reset_iterator(&it);
}

/* Replicas of our primary neither FAIL nor PFAIL: what it keeps if we go. */
static int migration_primary_keeps(const cluster_node *primary) {
    int ok = 0;
    for (int i = 0; i < primary->num_replicas; i++) {
        const cluster_node *r = primary->replicas[i];
        if (!cluster_node_failed(r) && !cluster_node_timed_out(r)) ok++;
    }
    return ok;
}

/* One pass over the nodes: the first orphaned primary with slots (the
 * target; every orphaned primary's orphaned_time is kept), and the
 * candidate: the replica with the smallest name among the primaries with
 * max_ok replicas (myself if none is smaller). */
static cluster_node *migration_pick(int max_ok, cluster_node **candidate) {
    cluster_node *target = NULL;
    dict_iterator it;
    dict_entry *de;

    *candidate = cluster->myself;
    dict_init_safe_iterator(&it, cluster->nodes);
    while ((de = dict_next(&it)) != NULL) {
        cluster_node *n = dict_get_val(de);
        int ok = cluster_node_is_primary(n) ? cluster_node_ok_replicas(n) : 0;
        int orphan = cluster_node_is_primary(n) && !cluster_node_failed(n) && (n->flags & CLCONF_NODE_MIGRATE_TO) &&
                     ok == 0;

        if (!orphan) {
            n->orphaned_time = 0;
        } else {
            if (!target && n->numslots > 0) target = n;
            if (!n->orphaned_time) n->orphaned_time = mstime();
        }
        if (ok != max_ok) continue;
        for (int i = 0; i < n->num_replicas; i++)
            if (memcmp(n->replicas[i]->name, (*candidate)->name, CLUSTER_NAMELEN) < 0) *candidate = n->replicas[i];
    }
    dict_reset_iterator(&it);
    return target;
}

/* Replica migration: a primary left with no working replica borrows one
 * from the primary with the most, the replica with the smallest name
 * going, once the orphan state lasted CLUSTER_REPLICA_MIGRATION_DELAY
 * (time for its own replicas to report after a failover). */
static void migration_run(int max_ok) {
    cluster_node *me = cluster->myself, *candidate, *target;

    if (cluster->state != CLUSTER_OK || !me->primary) return;
    if (migration_primary_keeps(me->primary) <= cfg.cluster_migration_barrier) return;
    target = migration_pick(max_ok, &candidate);
    if (!target || candidate != me || mstime() - target->orphaned_time <= CLUSTER_REPLICA_MIGRATION_DELAY) return;
    log_warning("Migrating to orphaned master %.40s", target->name);
    cluster_set_my_primary(target);
}

void cluster_failover_cron(void) {
    int orphaned, max_ok, mine;

    if (cluster->mf_end && cluster->mf_end < mstime()) {
        log_warning("Manual failover timed out.");
        cluster_failover_reset_manual();
    }
    if (cluster_node_is_primary(cluster->myself)) return;
    migration_survey(&orphaned, &max_ok, &mine);
    /* Moving makes sense only from a primary with two working replicas or
     * more, and only for the replicas of the best-served primaries. */
    if (orphaned && max_ok >= 2 && mine == max_ok && cfg.cluster_allow_replica_migration) migration_run(max_ok);
}
