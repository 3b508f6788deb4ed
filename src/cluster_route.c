/* cluster_route.c -- which node serves a command: the redirections of a
 * cluster node (see cluster.h), with Redis 7.0's rules and texts.
 *
 * Owns the routing decision only: it reads the slot map (cluster.c's),
 * never changes it, and replies nothing itself except to clients it
 * unblocks. Invariant: a command this node serves has all its keys (and
 * shard channels) in one slot, and that slot is served here, or imported
 * under ASKING, or read on a replica under READONLY. */
#include <string.h>

#include "blocking.h"
#include "cluster.h"
#include "commands.h"
#include "db.h"
#include "multi.h"
#include "pubsub.h"
#include "script.h"
#include "zmalloc.h"

/* Key positions of a command with up to this many arguments are found on
 * the stack; longer ones (MSET of thousands) allocate. */
#define ROUTE_STACK_ARGS 32

/* What a query resolves to (Redis's CLUSTER_REDIR_* outcomes). */
enum route_verdict {
    ROUTE_SERVE = 0,
    ROUTE_MOVED,
    ROUTE_ASK,
    ROUTE_CROSSSLOT,
    ROUTE_TRYAGAIN,   /* multi-key command on a slot being moved */
    ROUTE_DOWN,       /* the cluster is down */
    ROUTE_DOWN_RO,    /* down, reads only, and this is a write */
    ROUTE_UNBOUND,    /* the slot has no owner */
};

/* What the keys of a query (one command, or EXEC's whole queue) say. */
typedef struct route_scan {
    int slot;            /* of the first key; -1 before any */
    const char *first;   /* the first key (borrowed) */
    size_t first_len;
    cluster_node *owner; /* the slot's owner */
    int migrating;       /* myself owns the slot and moves it out */
    int importing;       /* the slot is being moved in */
    int multiple_keys;   /* a key other than the first */
    int missing, existing; /* keys of an open slot absent / present here */
    int shard_pubsub;    /* SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH among them */
} route_scan;

static int is_named(const redis_command *cmd, const char *name) {
    return cmd->parent == NULL && strcmp(cmd->name, name) == 0;
}

/* Whether cmd can name keys at all: commands without any key spec (and
 * EXEC, routed by its queue) never reach the slot map. */
static int cmd_has_keys(const redis_command *cmd) {
    return cmd->getkeys || cmd->simple_key || cmd->key_specs[0].flags;
}

/* One key (or shard channel) of the query. Returns ROUTE_SERVE to go on. */
static enum route_verdict route_scan_key(route_scan *s, const char *key, size_t len) {
    int slot = (int)cluster_keyslot(key, len);
    if (s->slot == -1) {
        s->slot = slot;
        s->first = key;
        s->first_len = len;
        s->owner = cluster->slots[slot];
        if (s->owner == NULL) return ROUTE_UNBOUND;
        if (s->owner == cluster->myself && cluster->migrating_slots_to[slot]) s->migrating = 1;
        else if (cluster->importing_slots_from[slot]) s->importing = 1;
    } else if (len != s->first_len || memcmp(key, s->first, len) != 0) {
        if (slot != s->slot) return ROUTE_CROSSSLOT;
        s->multiple_keys = 1;
    }
    /* Keys of a slot on the move decide between serving here and ASK;
     * shard channels are not keys, never looked up. */
    if ((s->migrating || s->importing) && !s->shard_pubsub) {
        sds k = sds_new_len(key, len);
        robj *o = db_lookup(&server.dbs[0], k, DB_LOOKUP_NOTOUCH | DB_LOOKUP_NOSTATS | DB_LOOKUP_NONOTIFY);
        sds_free(k);
        if (o == NULL) s->missing++;
        else s->existing++;
    }
    return ROUTE_SERVE;
}

/* Adds one command's keys to the scan. */
static enum route_verdict route_scan_command(route_scan *s, const redis_command *cmd, sds *argv, int argc) {
    if (!cmd_has_keys(cmd)) return ROUTE_SERVE;
    if (pubsub_is_shard_command(cmd)) s->shard_pubsub = 1;
    int stack_idx[ROUTE_STACK_ARGS], stack_flags[ROUTE_STACK_ARGS];
    int *idx = stack_idx, *flags = stack_flags;
    if (argc > ROUTE_STACK_ARGS) {
        idx = zmalloc(sizeof(int) * (size_t)argc);
        flags = zmalloc(sizeof(int) * (size_t)argc);
    }
    /* Arguments that name no keys as the specs expect (a bad numkeys):
     * served, the command itself replies its error. */
    int n = cmd_key_positions(cmd, argv, argc, idx, flags);
    enum route_verdict v = ROUTE_SERVE;
    for (int i = 0; i < n && v == ROUTE_SERVE; i++) v = route_scan_key(s, argv[idx[i]], sds_len(argv[idx[i]]));
    if (idx != stack_idx) {
        zfree(idx);
        zfree(flags);
    }
    return v;
}

/* Redis 7.0's getNodeByQuery: where c's command cmd (flags: its flags as
 * the down check sees them) must run. Fills *slot (-1: no key) and *to
 * (the node of MOVED / ASK). */
static enum route_verdict route_query(client *c, const redis_command *cmd, sds *argv, int argc, uint64_t flags,
                                      int *slot, cluster_node **to) {
    route_scan s = {.slot = -1};
    enum route_verdict v = ROUTE_SERVE;
    int is_exec = is_named(cmd, "exec");
    *slot = -1;
    if (is_exec) {
        /* EXEC outside MULTI replies its own error. */
        if (!(c->flags & CLIENT_MULTI)) return ROUTE_SERVE;
        long count = multi_queued_count(c);
        for (long i = 0; i < count && v == ROUTE_SERVE; i++) {
            sds *qargv;
            int qargc;
            const redis_command *q = multi_queued_command(c, i, &qargv, &qargc);
            v = route_scan_command(&s, q, qargv, qargc);
        }
    } else {
        v = route_scan_command(&s, cmd, argv, argc);
    }
    if (v != ROUTE_SERVE) return v;
    if (s.owner == NULL) return ROUTE_SERVE; /* no keys at all */
    if (cluster->state != CLUSTER_OK) {
        if (s.shard_pubsub) {
            if (!cfg.cluster_allow_pubsubshard_when_down) return ROUTE_DOWN;
        } else if (!cfg.cluster_allow_reads_when_down) {
            return ROUTE_DOWN;
        } else if (flags & CMD_WRITE) {
            return ROUTE_DOWN_RO;
        }
    }
    *slot = s.slot;
    /* MIGRATE works on the local keys of an open slot. */
    if ((s.migrating || s.importing) && is_named(cmd, "migrate")) return ROUTE_SERVE;
    if (s.migrating && s.missing) {
        if (s.existing) return ROUTE_TRYAGAIN;
        *to = cluster->migrating_slots_to[s.slot];
        return ROUTE_ASK;
    }
    if (s.importing && ((c->flags & CLIENT_ASKING) || (flags & CMD_ASKING)))
        return s.multiple_keys && s.missing ? ROUTE_TRYAGAIN : ROUTE_SERVE;
    /* A replica serves its primary's slots to READONLY clients (and shard
     * channels to anyone) for anything but writes. */
    int is_write = (flags & CMD_WRITE) || (is_exec && (multi_queued_flags(c) & CMD_WRITE));
    cluster_node *me = cluster->myself;
    if (((c->flags & CLIENT_READONLY) || s.shard_pubsub) && !is_write && (me->flags & CLCONF_NODE_SLAVE) &&
        me->primary == s.owner)
        return ROUTE_SERVE;
    if (s.owner != me) {
        *to = s.owner;
        return ROUTE_MOVED;
    }
    return ROUTE_SERVE;
}

/* The error a client gets (new sds, "-CODE text"). */
static sds route_error(enum route_verdict v, int slot, const cluster_node *to) {
    switch (v) {
    case ROUTE_MOVED:
    case ROUTE_ASK:
        return sds_cat_printf(sds_empty(), "-%s %d %s:%d", v == ROUTE_ASK ? "ASK" : "MOVED", slot,
                              cluster_node_preferred_endpoint(to), to->port);
    case ROUTE_CROSSSLOT: return sds_new("-CROSSSLOT Keys in request don't hash to the same slot");
    case ROUTE_TRYAGAIN: return sds_new("-TRYAGAIN Multiple keys request during rehashing of slot");
    case ROUTE_DOWN: return sds_new("-CLUSTERDOWN The cluster is down");
    case ROUTE_DOWN_RO: return sds_new("-CLUSTERDOWN The cluster is down and only accepts read commands");
    case ROUTE_UNBOUND: return sds_new("-CLUSTERDOWN Hash slot not served");
    case ROUTE_SERVE: break;
    }
    return NULL;
}

/* A command a script calls (c: the script's client): its keys must be
 * served here, and (unless the script allows cross-slot keys) stay in
 * the slot of the caller's command, Redis 7.0's texts. */
static sds route_script_call(client *c, const redis_command *cmd) {
    script_run *r = script_current();
    if (r == NULL) return NULL;
    client *caller = r->caller;
    /* Our primary's stream and the AOF replay what already ran once. */
    if (caller->flags & (CLIENT_PRIMARY | CLIENT_REPLAY)) return NULL;
    c->flags = (c->flags & ~(CLIENT_READONLY | CLIENT_ASKING)) | (caller->flags & (CLIENT_READONLY | CLIENT_ASKING));
    int slot;
    cluster_node *to = NULL;
    enum route_verdict v = route_query(c, cmd, c->argv, c->argc, cmd_effective_flags(c, cmd), &slot, &to);
    if (v == ROUTE_DOWN_RO)
        return sds_new("Script attempted to execute a write command while the cluster is down and readonly");
    if (v == ROUTE_DOWN) return sds_new("Script attempted to execute a command while the cluster is down");
    if (v != ROUTE_SERVE) return sds_new("Script attempted to access a non local key in a cluster node");
    /* EVAL without a shebang keeps its old freedom. */
    if (slot != -1 && !(r->flags & (SCRIPT_FLAG_ALLOW_CROSS_SLOT | SCRIPT_FLAG_EVAL_COMPAT_MODE))) {
        if (caller->cluster_slot == -1) caller->cluster_slot = slot;
        else if (caller->cluster_slot != slot)
            return sds_new("Script attempted to access keys that do not hash to the same slot");
    }
    return NULL;
}

sds cluster_route(client *c, const redis_command *cmd, int from_script) {
    if (from_script) return route_script_call(c, cmd);
    /* The slot a script of this command may use starts afresh (Redis
     * resets it with each command). */
    c->cluster_slot = -1;
    /* Most commands have keys: the name is compared only for the rest. */
    int is_exec = !cmd_has_keys(cmd) && is_named(cmd, "exec");
    if (!cmd_has_keys(cmd) && !is_exec) return NULL;
    int slot;
    cluster_node *to = NULL;
    /* EXEC is judged by its own flags for the down check, by its queue's
     * for READONLY (as Redis). */
    uint64_t flags = is_exec ? cmd->flags : cmd_effective_flags(c, cmd);
    enum route_verdict v = route_query(c, cmd, c->argv, c->argc, flags, &slot, &to);
    if (v == ROUTE_SERVE) {
        c->cluster_slot = slot;
        return NULL;
    }
    return route_error(v, slot, to);
}

/* ------------------------------------------------------------ blocked clients */

/* Redis 7.0's clusterRedirectBlockedClientIfNeeded: the error a client
 * blocked on keys gets when this node stops serving them, or NULL. */
static sds route_blocked_error(client *c) {
    int numkeys;
    const sds *keys = blocking_keys(c, &numkeys);
    if (keys == NULL || numkeys == 0) return NULL;
    /* Even with reads allowed while down: only a write could serve the
     * client, and none will come. */
    if (cluster->state == CLUSTER_FAIL) return route_error(ROUTE_DOWN, 0, NULL);
    /* All its keys share one slot: the first tells. */
    int slot = (int)cluster_keyslot(keys[0], sds_len(keys[0]));
    cluster_node *owner = cluster->slots[slot];
    cluster_node *me = cluster->myself;
    const redis_command *cmd = c->cmd ? c->cmd : c->lastcmd;
    if ((c->flags & CLIENT_READONLY) && cmd && !(cmd->flags & CMD_WRITE) && (me->flags & CLCONF_NODE_SLAVE) &&
        me->primary == owner)
        owner = me;
    if (owner == me || cluster->importing_slots_from[slot]) return NULL;
    if (owner == NULL) return route_error(ROUTE_UNBOUND, slot, NULL);
    return route_error(ROUTE_MOVED, slot, owner);
}

/* cluster.c calls it when slot owners or the health may have changed
 * (Redis checks each blocked client from its clients cron instead). */
void cluster_route_redirect_blocked(void) {
    if (server.blocked_clients == 0) return;
    for (client *c = server.clients; c; c = c->next) {
        if (!(c->flags & CLIENT_BLOCKED)) continue;
        sds err = route_blocked_error(c);
        if (err == NULL) continue;
        blocking_unblock_error(c, err);
        sds_free(err);
    }
}

/* ------------------------------------------------------------ shard channels */

static int channel_in_slot(const sds name, void *ctx) {
    return (int)cluster_keyslot(name, sds_len(name)) == *(int *)ctx;
}

void cluster_route_slot_lost(int slot) {
    if (pubsub_shard_channel_count() == 0) return;
    pubsub_shard_drop(channel_in_slot, &slot);
}
