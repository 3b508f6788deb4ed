/* cluster_bus.c -- the cluster bus of Redis 7.0 (see cluster.h): the
 * listener, the links, message I/O, the handlers of every bus message,
 * gossip and failure detection (PFAIL -> FAIL).
 *
 * Owns every cluster_link (a registry of all of them, inbound or not) and
 * the bus statistics of cluster_state. It never writes the slot map
 * itself: slot changes go through cluster.c (update_slots_config_with).
 * Invariant: a link is reachable from at most one node field (node->link
 * for our outbound one, node->inbound_link for the accepted one), and a
 * freed link is forgotten there in the same call. Every byte read from the
 * bus is checked by cluster_msg.c before any field is trusted. */
#include "cluster.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ae.h"
#include "anet.h"
#include "config.h"
#include "log.h"
#include "monotonic.h"
#include "pubsub.h"
#include "replication.h"
#include "zmalloc.h"

/* Accepts handled per wake-up of the listener, so a flood of connections
 * does not starve the rest of the loop. */
#define BUS_MAX_ACCEPTS_PER_CALL 1000
#define BUS_LISTEN_BACKLOG 511
/* Bytes read per read(2) call; a message longer than this is read in
 * several calls. */
#define BUS_READ_CHUNK_BYTES 16384
/* A receive buffer grown past this is given back after its message. */
#define BUS_RCVBUF_KEEP_BYTES 1024
/* Gossip: at least this many sections per PING, else a tenth of the nodes. */
#define BUS_GOSSIP_MIN_WANTED 3
#define BUS_GOSSIP_FRACTION 10
/* A PING goes to the node with the oldest PONG among this many random
 * ones every BUS_RANDOM_PING_PERIOD cron calls (about once a second). */
#define BUS_RANDOM_PING_SAMPLES 5
#define BUS_RANDOM_PING_PERIOD 10
/* A handshake never lasts less than this (ms), even with a tiny timeout. */
#define BUS_MIN_HANDSHAKE_TIMEOUT_MS 1000
/* A gossiped PONG time may be this far in the future (clock skew, ms). */
#define BUS_PONG_FUTURE_TOLERANCE_MS 500

/* Every link, inbound or outbound (for foreach, count, memory). */
static cluster_link **links;
static size_t links_count, links_cap;
/* The bus listeners (one per bind address). */
static int listen_fds[CONFIG_MAX_BIND_ADDRS];
static int listen_count;
/* The link whose message is being handled: a handler may free it (a node
 * deleted, an address changed); its memory then stays until the handler
 * returns, so the read loop can see it is gone. */
static cluster_link *processing_link;
static int processing_link_freed;
static long long cron_iteration;

static void link_read_handler(ae_event_loop *el, int fd, void *data, int mask);
static void link_write_handler(ae_event_loop *el, int fd, void *data, int mask);

/* ---------------------------------------------------------- helpers */

static int node_in_handshake(const cluster_node *n) {
    return (n->flags & CLCONF_NODE_HANDSHAKE) != 0;
}

static int node_is_replica(const cluster_node *n) {
    return (n->flags & CLCONF_NODE_SLAVE) != 0;
}

static int node_has_addr(const cluster_node *n) {
    return !(n->flags & CLCONF_NODE_NOADDR);
}

static cluster_node *myself(void) {
    return cluster->myself;
}

static void todo(int bits) {
    cluster->todo_before_sleep |= bits;
}

/* A fixed-size name field of a message (not NUL-terminated) as a string. */
static void name_copy(char dst[CLUSTER_NAMELEN + 1], const char *src) {
    memcpy(dst, src, CLUSTER_NAMELEN);
    dst[CLUSTER_NAMELEN] = '\0';
}

/* The bus port we listen on (cluster-port, or port + 10000). */
static int bus_port(void) {
    return cfg.cluster_port ? (int)cfg.cluster_port : cfg.port + CLUSTER_PORT_INCR;
}

/* Every node in the table, in a new array the caller frees (handlers may
 * delete nodes while the caller walks it: check with the table first). */
static cluster_node **nodes_snapshot(size_t *count) {
    size_t n = dict_size(cluster->nodes), i = 0;
    cluster_node **arr = zmalloc(sizeof(*arr) * (n ? n : 1));
    dict_iterator *it = dict_get_iterator(cluster->nodes);
    dict_entry *de;
    while ((de = dict_next(it)) != NULL && i < n) arr[i++] = dict_get_val(de);
    dict_release_iterator(it);
    *count = i;
    return arr;
}

/* ---------------------------------------------------------- links */

static cluster_link *link_create(cluster_node *node, int fd, int inbound) {
    cluster_link *l = zcalloc(sizeof(*l));
    l->ctime = mstime();
    l->fd = fd;
    l->inbound = inbound;
    l->sndbuf = sds_empty();
    l->rcvbuf_alloc = BUS_RCVBUF_KEEP_BYTES;
    l->rcvbuf = zmalloc(l->rcvbuf_alloc);
    l->node = node;
    if (links_count == links_cap) {
        links_cap = links_cap ? links_cap * 2 : 16;
        links = zrealloc(links, sizeof(*links) * links_cap);
    }
    links[links_count++] = l;
    return l;
}

void cluster_bus_link_free(cluster_link *l) {
    if (l == NULL) return;
    for (size_t i = 0; i < links_count; i++) {
        if (links[i] == l) {
            links[i] = links[--links_count];
            break;
        }
    }
    if (l->fd != -1) {
        ae_delete_file_event(server.el, l->fd, AE_READABLE | AE_WRITABLE);
        close(l->fd);
        l->fd = -1;
    }
    if (l->node) {
        if (l->node->link == l) l->node->link = NULL;
        if (l->node->inbound_link == l) l->node->inbound_link = NULL;
        l->node = NULL;
    }
    if (l == processing_link) {
        processing_link_freed = 1; /* the read loop frees it */
        return;
    }
    sds_free(l->sndbuf);
    zfree(l->rcvbuf);
    zfree(l);
}

/* An inbound link names its node once a message tells who sent it; an
 * older inbound link of that node is replaced, as Redis does. */
static void link_set_inbound_node(cluster_link *l, cluster_node *n) {
    if (n->inbound_link == l) return;
    if (n->inbound_link) {
        log_debug("Replacing inbound link fd %d from node %.40s with fd %d", n->inbound_link->fd, n->name, l->fd);
        cluster_bus_link_free(n->inbound_link);
    }
    n->inbound_link = l;
    l->node = n;
}

/* ---------------------------------------------------------- sending */

/* Queues len bytes of one message of type on l; the writable handler
 * sends them (a link still connecting sends once connected). */
static void link_send(cluster_link *l, const char *buf, size_t len, int type) {
    if (l == NULL || len == 0) return;
    int was_empty = sds_len(l->sndbuf) == l->sndpos;
    l->sndbuf = sds_cat_len(l->sndbuf, buf, len);
    l->msgs_sent++;
    l->last_send_ms = mstime();
    if (type >= 0 && type < CLMSG_TYPE_COUNT) cluster->stats_bus_messages_sent[type]++;
    if (was_empty && !l->connecting && l->fd != -1)
        ae_create_file_event(server.el, l->fd, AE_WRITABLE | AE_BARRIER, link_write_handler, l);
}

static void link_write_handler(ae_event_loop *el, int fd, void *data, int mask) {
    (void)el, (void)mask;
    cluster_link *l = data;
    size_t pending = sds_len(l->sndbuf) - l->sndpos;
    ssize_t n = pending ? write(fd, l->sndbuf + l->sndpos, pending) : 0;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0 && pending) {
        log_debug("I/O error writing to node link: %s", n == -1 ? strerror(errno) : "short write");
        cluster_bus_link_free(l);
        return;
    }
    l->sndpos += (size_t)n;
    if (l->sndpos == sds_len(l->sndbuf)) {
        sds_clear(l->sndbuf);
        l->sndpos = 0;
        ae_delete_file_event(server.el, fd, AE_WRITABLE);
    } else if (l->sndpos > BUS_READ_CHUNK_BYTES && l->sndpos > sds_len(l->sndbuf) / 2) {
        sds_range(l->sndbuf, (ssize_t)l->sndpos, -1);
        l->sndpos = 0;
    }
}

/* Sends one built message to every node we talk to (not myself, not a
 * node in handshake), on our outbound link. */
static void broadcast(const char *buf, size_t len, int type) {
    size_t n;
    cluster_node **arr = nodes_snapshot(&n);
    for (size_t i = 0; i < n; i++) {
        if (arr[i]->flags & (CLCONF_NODE_MYSELF | CLCONF_NODE_HANDSHAKE)) continue;
        link_send(arr[i]->link, buf, len, type);
    }
    zfree(arr);
}

/* ---------------------------------------------------------- headers */

void cluster_bus_fill_header(clmsg_hdr *h, int type) {
    cluster_node *me = myself();
    /* A replica speaks for its primary's slots and config epoch (its
     * flags say it is a replica, so nobody takes it for the owner). */
    cluster_node *primary = (node_is_replica(me) && me->primary) ? me->primary : me;
    memset(h, 0, sizeof(*h));
    h->ver = CLMSG_PROTO_VER;
    h->type = (uint16_t)type;
    memcpy(h->sender, me->name, CLMSG_NAME_LEN);
    if (cfg.cluster_announce_ip && cfg.cluster_announce_ip[0])
        strncpy(h->myip, cfg.cluster_announce_ip, CLMSG_IP_LEN - 1);
    h->port = (uint16_t)(cfg.cluster_announce_port ? cfg.cluster_announce_port : cfg.port);
    h->pport = 0; /* no TLS port: the plaintext port is port itself */
    h->cport = (uint16_t)(cfg.cluster_announce_bus_port ? cfg.cluster_announce_bus_port : bus_port());
    memcpy(h->myslots, primary->slots, sizeof(h->myslots));
    if (me->primary) memcpy(h->replicaof, me->primary->name, CLMSG_NAME_LEN);
    h->flags = (uint16_t)me->flags;
    h->state = cluster->state == CLUSTER_OK ? CLMSG_STATE_OK : CLMSG_STATE_FAIL;
    h->current_epoch = cluster->current_epoch;
    h->config_epoch = primary->config_epoch;
    h->offset = (uint64_t)repl.offset;
    /* A primary paused for a replica's manual failover says so, so the
     * replica knows the offset it must reach is final. */
    if (cluster_node_is_primary(me) && cluster->mf_end) h->mflags[0] |= CLMSG_MF0_PAUSED;
}

/* A header-only (or small body) message: begin, let add fill the body,
 * finish, send to one link or (l NULL) broadcast. */
static sds msg_begin(clmsg_writer *w, int type) {
    clmsg_hdr h;
    cluster_bus_fill_header(&h, type);
    clmsg_begin(w, sds_empty(), &h);
    return w->buf;
}

static void msg_finish_send(clmsg_writer *w, cluster_link *l, int type, int to_all) {
    sds buf = clmsg_finish(w);
    if (to_all) broadcast(buf, sds_len(buf), type);
    else link_send(l, buf, sds_len(buf), type);
    sds_free(buf);
}

static void gossip_of(clmsg_gossip *g, const cluster_node *n) {
    memset(g, 0, sizeof(*g));
    memcpy(g->name, n->name, CLMSG_NAME_LEN);
    g->ping_sent = (uint32_t)(n->ping_sent / 1000);
    g->pong_received = (uint32_t)(n->pong_received / 1000);
    memcpy(g->ip, n->ip, CLMSG_IP_LEN);
    g->ip[CLMSG_IP_LEN - 1] = '\0';
    g->port = (uint16_t)n->port;
    g->cport = (uint16_t)n->cport;
    g->flags = (uint16_t)n->flags;
    g->pport = (uint16_t)n->pport;
}

/* Picks the gossip sections of a PING/PONG/MEET as Redis 7.0: about a
 * tenth of the nodes (at least 3) chosen at random among those worth
 * telling about, then every node we think is failing (PFAIL), so failure
 * reports spread fast. Returns how many were written into out. */
static size_t gossip_pick(cluster_node **all, size_t n, const cluster_link *to, cluster_node **out) {
    long fresh = (long)n - 2; /* minus myself and the receiver */
    long wanted = (long)n / BUS_GOSSIP_FRACTION;
    if (wanted < BUS_GOSSIP_MIN_WANTED) wanted = BUS_GOSSIP_MIN_WANTED;
    if (wanted > fresh) wanted = fresh;
    size_t count = 0;
    long tries = wanted * 3;
    (void)to;
    while (fresh > 0 && (long)count < wanted && tries-- > 0) {
        cluster_node *c = all[(size_t)random() % n];
        if (c == myself() || (c->flags & CLCONF_NODE_PFAIL)) continue;
        if ((c->flags & (CLCONF_NODE_HANDSHAKE | CLCONF_NODE_NOADDR)) || (c->link == NULL && c->numslots == 0)) {
            fresh--; /* never worth it: count it as used up */
            continue;
        }
        int dup = 0;
        for (size_t i = 0; i < count && !dup; i++) dup = out[i] == c;
        if (dup) continue;
        out[count++] = c;
        fresh--;
    }
    for (size_t i = 0; i < n; i++) {
        cluster_node *c = all[i];
        if (!(c->flags & CLCONF_NODE_PFAIL) || (c->flags & (CLCONF_NODE_HANDSHAKE | CLCONF_NODE_NOADDR))) continue;
        out[count++] = c;
    }
    return count;
}

void cluster_bus_send_ping(cluster_link *l, int type) {
    if (l == NULL) return;
    /* Our PING starts the wait for its PONG (failure detection). */
    if (!l->inbound && type == CLMSG_TYPE_PING && l->node) l->node->ping_sent = mstime();
    size_t n;
    cluster_node **all = nodes_snapshot(&n);
    cluster_node **picked = zmalloc(sizeof(*picked) * (n * 2 + 1));
    size_t count = n ? gossip_pick(all, n, l, picked) : 0;
    clmsg_writer w;
    msg_begin(&w, type);
    for (size_t i = 0; i < count; i++) {
        clmsg_gossip g;
        gossip_of(&g, picked[i]);
        clmsg_add_gossip(&w, &g);
    }
    const char *host = cfg.cluster_announce_hostname;
    if (host && host[0]) clmsg_add_hostname(&w, host, strlen(host));
    msg_finish_send(&w, l, type, 0);
    zfree(picked);
    zfree(all);
}

void cluster_bus_broadcast_ping_pong(int type) {
    size_t n;
    cluster_node **arr = nodes_snapshot(&n);
    for (size_t i = 0; i < n; i++) {
        cluster_node *c = arr[i];
        if (c->link == NULL || c == myself() || node_in_handshake(c)) continue;
        cluster_bus_send_ping(c->link, type);
    }
    zfree(arr);
}

void cluster_bus_send_fail(const char *nodename) {
    clmsg_writer w;
    msg_begin(&w, CLMSG_TYPE_FAIL);
    clmsg_add_fail(&w, nodename);
    msg_finish_send(&w, NULL, CLMSG_TYPE_FAIL, 1);
}

void cluster_bus_send_update(cluster_link *l, const cluster_node *n) {
    if (l == NULL) return;
    clmsg_writer w;
    msg_begin(&w, CLMSG_TYPE_UPDATE);
    clmsg_add_update(&w, n->config_epoch, n->name, n->slots);
    msg_finish_send(&w, l, CLMSG_TYPE_UPDATE, 0);
}

/* PUBLISH goes to every node; SPUBLISH to the other nodes of myself's
 * shard (its primary and that primary's replicas). */
void cluster_bus_send_publish(const sds channel, const sds message, int sharded) {
    int type = sharded ? CLMSG_TYPE_PUBLISHSHARD : CLMSG_TYPE_PUBLISH;
    clmsg_writer w;
    msg_begin(&w, type);
    clmsg_add_publish(&w, channel, (uint32_t)sds_len(channel), message, (uint32_t)sds_len(message));
    if (!sharded) {
        msg_finish_send(&w, NULL, type, 1);
        return;
    }
    sds buf = clmsg_finish(&w);
    cluster_node *me = myself();
    cluster_node *primary = (node_is_replica(me) && me->primary) ? me->primary : me;
    if (primary != me) link_send(primary->link, buf, sds_len(buf), type);
    for (int i = 0; i < primary->num_replicas; i++)
        if (primary->replicas[i] != me) link_send(primary->replicas[i]->link, buf, sds_len(buf), type);
    sds_free(buf);
}

/* A replica asks every node for its vote (only primaries answer). */
void cluster_bus_send_auth_request(void) {
    clmsg_writer w;
    clmsg_hdr h;
    cluster_bus_fill_header(&h, CLMSG_TYPE_FAILOVER_AUTH_REQUEST);
    /* A manual failover asks for votes even though the primary is up. */
    if (cluster->mf_end) h.mflags[0] |= CLMSG_MF0_FORCEACK;
    clmsg_begin(&w, sds_empty(), &h);
    msg_finish_send(&w, NULL, CLMSG_TYPE_FAILOVER_AUTH_REQUEST, 1);
}

void cluster_bus_send_auth_ack(cluster_node *n) {
    if (n->link == NULL) return;
    clmsg_writer w;
    msg_begin(&w, CLMSG_TYPE_FAILOVER_AUTH_ACK);
    msg_finish_send(&w, n->link, CLMSG_TYPE_FAILOVER_AUTH_ACK, 0);
}

void cluster_bus_send_mfstart(cluster_node *n) {
    if (n->link == NULL) return;
    clmsg_writer w;
    msg_begin(&w, CLMSG_TYPE_MFSTART);
    msg_finish_send(&w, n->link, CLMSG_TYPE_MFSTART, 0);
}

/* ---------------------------------------------------------- addresses */

/* The address a node is known by: the one it announces in the header,
 * else the address its link comes from. */
static void link_peer_ip(const cluster_link *l, const clmsg_hdr *h, char ip[CLCONF_IP_STR_LEN]) {
    if (h->myip[0] != '\0') {
        memcpy(ip, h->myip, CLMSG_IP_LEN);
        ip[CLCONF_IP_STR_LEN - 1] = '\0';
        return;
    }
    int port;
    if (anet_fd_to_string(l->fd, ip, CLCONF_IP_STR_LEN, &port, 1) != ANET_OK) ip[0] = '\0';
}

/* A PING (or the end of a handshake) from a node whose address changed:
 * take the new one and reconnect. Returns 1 when it changed. */
static int node_update_address(cluster_node *n, cluster_link *l, const clmsg_hdr *h) {
    if (l == n->link) return 0; /* our own link reached it where we know */
    char ip[CLCONF_IP_STR_LEN];
    link_peer_ip(l, h, ip);
    if (n->port == h->port && n->cport == h->cport && n->pport == h->pport && strcmp(ip, n->ip) == 0) return 0;
    memcpy(n->ip, ip, sizeof(n->ip));
    n->port = h->port;
    n->pport = h->pport;
    n->cport = h->cport;
    if (n->link) cluster_bus_link_free(n->link);
    n->flags &= ~CLCONF_NODE_NOADDR;
    log_warning("Address updated for node %.40s, now %s:%d", n->name, n->ip, n->port);
    /* Our primary moved: follow it. */
    if (node_is_replica(myself()) && myself()->primary == n) repl_replica_set_primary(n->ip, n->port);
    return 1;
}

/* MEET (and any PING while we do not know our own address) tells us the
 * address others reach us at: the local end of the link. */
static void learn_my_ip(const cluster_link *l, int type) {
    if (cfg.cluster_announce_ip && cfg.cluster_announce_ip[0]) return;
    if (type != CLMSG_TYPE_MEET && myself()->ip[0] != '\0') return;
    char ip[CLCONF_IP_STR_LEN];
    int port;
    if (anet_fd_to_string(l->fd, ip, sizeof(ip), &port, 0) != ANET_OK) return;
    if (strcmp(ip, myself()->ip) == 0) return;
    memcpy(myself()->ip, ip, sizeof(myself()->ip));
    log_warning("IP address for this node updated to %s", myself()->ip);
    todo(CLUSTER_TODO_SAVE_CONFIG);
}

/* ---------------------------------------------------------- gossip in */

/* A failure report from a primary, or its withdrawal, about a node we
 * know; then the majority check. */
static void gossip_failure_report(cluster_node *sender, cluster_node *n, unsigned flags) {
    if (!sender || !cluster_node_is_primary(sender) || n == myself()) return;
    if (flags & (CLCONF_NODE_FAIL | CLCONF_NODE_PFAIL)) {
        if (cluster_node_add_failure_report(n, sender))
            log_verbose("Node %.40s reported node %.40s as not reachable.", sender->name, n->name);
        cluster_bus_mark_failing_if_needed(n);
    } else if (cluster_node_del_failure_report(n, sender)) {
        log_verbose("Node %.40s reported node %.40s is back online.", sender->name, n->name);
    }
}

static void gossip_known_node(cluster_node *sender, cluster_node *n, const clmsg_gossip *g, const char *ip) {
    unsigned flags = g->flags;
    gossip_failure_report(sender, n, flags);
    /* Nobody doubts it and we wait for nothing from it: a newer PONG
     * seen by someone else counts as ours (not from the future). */
    if (!(flags & (CLCONF_NODE_FAIL | CLCONF_NODE_PFAIL)) && n->ping_sent == 0 &&
        cluster_node_failure_reports_count(n) == 0) {
        long long pong = (long long)g->pong_received * 1000;
        if (pong <= mstime() + BUS_PONG_FUTURE_TOLERANCE_MS && pong > n->pong_received) n->pong_received = pong;
    }
    /* We lost it but someone reaches it elsewhere: take that address and
     * reconnect there. */
    if ((n->flags & (CLCONF_NODE_FAIL | CLCONF_NODE_PFAIL)) && !(flags & CLCONF_NODE_NOADDR) &&
        !(flags & (CLCONF_NODE_FAIL | CLCONF_NODE_PFAIL)) &&
        (strcasecmp(n->ip, ip) != 0 || n->port != g->port || n->cport != g->cport)) {
        if (n->link) cluster_bus_link_free(n->link);
        memcpy(n->ip, ip, sizeof(n->ip));
        n->port = g->port;
        n->pport = g->pport;
        n->cport = g->cport;
        n->flags &= ~CLCONF_NODE_NOADDR;
    }
}

/* The gossip sections of a PING/PONG/MEET. A node we do not know is added
 * under its real name (the cron connects to it) only when a known node
 * tells us, it has an address, and it was not forgotten lately. */
static void process_gossip(const clmsg *m, cluster_node *sender) {
    for (uint16_t i = 0; i < m->hdr.count; i++) {
        clmsg_gossip g;
        clmsg_gossip_at(m, i, &g);
        char ip[CLCONF_IP_STR_LEN];
        memcpy(ip, g.ip, CLMSG_IP_LEN);
        ip[CLCONF_IP_STR_LEN - 1] = '\0';
        cluster_node *n = cluster_node_lookup(g.name, CLUSTER_NAMELEN);
        if (n) {
            gossip_known_node(sender, n, &g, ip);
            continue;
        }
        if (!sender || (g.flags & CLCONF_NODE_NOADDR) || cluster_blacklist_exists(g.name, CLUSTER_NAMELEN)) continue;
        char name[CLUSTER_NAMELEN + 1];
        name_copy(name, g.name);
        unsigned flags = g.flags & ~(unsigned)(CLCONF_NODE_MYSELF | CLCONF_NODE_MEET);
        n = cluster_node_create(name, flags);
        if (n == NULL) continue;
        memcpy(n->ip, ip, sizeof(n->ip));
        n->port = g.port;
        n->pport = g.pport;
        n->cport = g.cport;
        cluster_node_add(n);
    }
}

/* Ping extensions: the announced hostname (none sent: none announced). */
static void process_ping_ext(const clmsg *m, cluster_node *sender) {
    const char *host = NULL;
    size_t host_len = 0;
    size_t cursor = 0;
    clmsg_ext e;
    while (clmsg_ext_next(m, &cursor, &e)) {
        if (e.type == CLMSG_EXT_HOSTNAME) {
            if (clmsg_ext_hostname(&e, &host, &host_len) != 0) host = NULL;
        } else {
            log_warning("Received unknown extension type %d", e.type);
        }
    }
    if (host == NULL) {
        if (sender->hostname && sds_len(sender->hostname)) sds_clear(sender->hostname);
        return;
    }
    if (sender->hostname && sds_len(sender->hostname) == host_len && memcmp(sender->hostname, host, host_len) == 0)
        return;
    if (sender->hostname) sender->hostname = sds_cpy_len(sender->hostname, host, host_len);
    else sender->hostname = sds_new_len(host, host_len);
}

/* ---------------------------------------------------------- PING, PONG, MEET */

/* A PONG (or PING) on our outbound link to a node in handshake: it is the
 * first word from that node. Returns 0 when the link is gone. */
static int handshake_reply(cluster_link *l, const clmsg *m, cluster_node *sender) {
    cluster_node *n = l->node;
    if (node_in_handshake(n)) {
        if (sender) {
            /* We met a node we already know under another address. */
            log_verbose("Handshake: we already know node %.40s, updating the address if needed.", sender->name);
            if (node_update_address(sender, l, &m->hdr)) todo(CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE);
            cluster_node_delete(n); /* frees l too */
            return 0;
        }
        char name[CLUSTER_NAMELEN + 1];
        name_copy(name, m->hdr.sender);
        cluster_node_rename(n, name);
        log_debug("Handshake with node %.40s completed.", n->name);
        n->flags &= ~CLCONF_NODE_HANDSHAKE;
        n->flags |= m->hdr.flags & (CLCONF_NODE_MASTER | CLCONF_NODE_SLAVE);
        todo(CLUSTER_TODO_SAVE_CONFIG);
        return 1;
    }
    if (memcmp(n->name, m->hdr.sender, CLUSTER_NAMELEN) != 0) {
        /* Someone else answers at this address: forget the address. */
        log_debug("PONG contains mismatching sender ID. About node %.40s added %d ms ago, having flags %d",
                  n->name, (int)(mstime() - n->ctime), (int)n->flags);
        n->flags |= CLCONF_NODE_NOADDR;
        n->ip[0] = '\0';
        n->port = n->pport = n->cport = 0;
        cluster_bus_link_free(l);
        todo(CLUSTER_TODO_SAVE_CONFIG);
        return 0;
    }
    return 1;
}

/* A FAIL flag is lifted when the node answers again and either holds no
 * slots (a replica, an empty primary) or its slots found no new owner for
 * a long time. */
static void clear_fail_if_needed(cluster_node *n) {
    long long now = mstime();
    if (node_is_replica(n) || n->numslots == 0) {
        log_notice("Clear FAIL state for node %.40s: %s is reachable again.", n->name,
                   node_is_replica(n) ? "replica" : "master without slots");
        n->flags &= ~CLCONF_NODE_FAIL;
        todo(CLUSTER_TODO_UPDATE_STATE | CLUSTER_TODO_SAVE_CONFIG);
    }
    if (cluster_node_is_primary(n) && n->numslots > 0 &&
        now - n->fail_time > cfg.cluster_node_timeout * CLUSTER_FAIL_UNDO_TIME_MULT) {
        log_notice("Clear FAIL state for node %.40s: is reachable again and nobody is serving its slots after some time.",
                   n->name);
        n->flags &= ~CLCONF_NODE_FAIL;
        todo(CLUSTER_TODO_UPDATE_STATE | CLUSTER_TODO_SAVE_CONFIG);
    }
}

/* The sender says it is a primary, or a replica of replicaof. */
static void process_role(cluster_node *sender, const clmsg_hdr *h) {
    static const char no_name[CLMSG_NAME_LEN];
    if (memcmp(h->replicaof, no_name, CLMSG_NAME_LEN) == 0) {
        if (!cluster_node_is_primary(sender)) {
            cluster_node_set_primary_flags(sender);
            todo(CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE);
        }
        return;
    }
    cluster_node *primary = cluster_node_lookup(h->replicaof, CLUSTER_NAMELEN);
    if (cluster_node_is_primary(sender)) {
        /* A primary turned into a replica: it serves nothing now. */
        cluster_del_node_slots(sender);
        sender->flags &= ~(CLCONF_NODE_MASTER | CLCONF_NODE_MIGRATE_TO);
        sender->flags |= CLCONF_NODE_SLAVE;
        todo(CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE);
    }
    if (primary && sender->primary != primary && primary != sender) {
        if (sender->primary) cluster_node_remove_replica(sender->primary, sender);
        cluster_node_add_replica(primary, sender);
        sender->primary = primary;
        todo(CLUSTER_TODO_SAVE_CONFIG);
    }
}

/* The slots the sender claims (its own, or its primary's for a replica). */
static void process_slots(cluster_node *sender, const clmsg_hdr *h) {
    cluster_node *owner = cluster_node_is_primary(sender) ? sender : sender->primary;
    if (owner == NULL || memcmp(owner->slots, h->myslots, sizeof(h->myslots)) == 0) return;
    /* A primary with a new slot set: maybe we learn new owners. */
    if (cluster_node_is_primary(sender)) cluster_update_slots_config_with(sender, h->config_epoch, h->myslots);
    /* It claims a slot that someone with a newer epoch serves: tell it
     * (one UPDATE, about the first such owner, as Redis 7.0). */
    for (int j = 0; j < CLUSTER_SLOTS; j++) {
        if (!clmsg_slot_test(h->myslots, j)) continue;
        cluster_node *cur = cluster->slots[j];
        if (cur == sender || cur == NULL) continue;
        if (cur->config_epoch > h->config_epoch) {
            log_verbose("Node %.40s has old slots configuration, sending an UPDATE message about %.40s",
                        sender->name, cur->name);
            cluster_bus_send_update(sender->link, cur);
            break;
        }
    }
}

/* The part common to PING, PONG and MEET once we know who sent it. */
static void process_ping_sender(cluster_link *l, const clmsg *m, cluster_node *sender) {
    const clmsg_hdr *h = &m->hdr;
    sender->flags &= ~CLCONF_NODE_NOFAILOVER;
    sender->flags |= h->flags & CLCONF_NODE_NOFAILOVER;
    if (h->type == CLMSG_TYPE_PING && !node_in_handshake(sender) && node_update_address(sender, l, h))
        todo(CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE);
}

/* Returns 0 when the link was freed. */
static int process_ping(cluster_link *l, const clmsg *m, cluster_node *sender) {
    int type = m->hdr.type;
    if (type == CLMSG_TYPE_PING || type == CLMSG_TYPE_MEET) {
        learn_my_ip(l, type);
        if (!sender && type == CLMSG_TYPE_MEET) {
            /* A node we do not know meets us: add it (the handshake of
             * our own link to it gives it its name), trust its gossip. */
            cluster_node *n = cluster_node_create(NULL, CLCONF_NODE_HANDSHAKE);
            if (n) {
                link_peer_ip(l, &m->hdr, n->ip);
                n->port = m->hdr.port;
                n->pport = m->hdr.pport;
                n->cport = m->hdr.cport;
                cluster_node_add(n);
                todo(CLUSTER_TODO_SAVE_CONFIG);
            }
            process_gossip(m, NULL);
        }
        cluster_bus_send_ping(l, CLMSG_TYPE_PONG);
    }
    if (!l->inbound && l->node && !handshake_reply(l, m, sender)) return 0;
    if (sender) process_ping_sender(l, m, sender);
    if (!l->inbound && l->node && type == CLMSG_TYPE_PONG) {
        cluster_node *n = l->node;
        n->pong_received = mstime();
        n->ping_sent = 0;
        if (cluster_node_timed_out(n)) {
            n->flags &= ~CLCONF_NODE_PFAIL;
            todo(CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE);
        } else if (cluster_node_failed(n)) {
            clear_fail_if_needed(n);
        }
    }
    if (!sender) return 1;
    process_role(sender, &m->hdr);
    process_slots(sender, &m->hdr);
    if (cluster_node_is_primary(myself()) && cluster_node_is_primary(sender) &&
        m->hdr.config_epoch == myself()->config_epoch)
        cluster_handle_config_epoch_collision(sender);
    process_gossip(m, sender);
    process_ping_ext(m, sender);
    return 1;
}

/* ---------------------------------------------------------- other messages */

static void process_fail(const clmsg *m, cluster_node *sender) {
    if (!sender) {
        log_notice("Ignoring FAIL message from unknown node %.40s about %.40s", m->hdr.sender, m->body.fail.name);
        return;
    }
    cluster_node *failing = cluster_node_lookup(m->body.fail.name, CLUSTER_NAMELEN);
    if (!failing || (failing->flags & (CLCONF_NODE_FAIL | CLCONF_NODE_MYSELF))) return;
    log_notice("FAIL message received from %.40s about %.40s", m->hdr.sender, m->body.fail.name);
    failing->flags |= CLCONF_NODE_FAIL;
    failing->fail_time = mstime();
    failing->flags &= ~CLCONF_NODE_PFAIL;
    todo(CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE);
    if (myself()->primary == failing) todo(CLUSTER_TODO_HANDLE_FAILOVER);
}

static void process_publish(const clmsg *m) {
    sds channel = sds_new_len(m->body.publish.channel, m->body.publish.channel_len);
    sds message = sds_new_len(m->body.publish.message, m->body.publish.message_len);
    if (m->hdr.type == CLMSG_TYPE_PUBLISHSHARD) pubsub_publish_shard(channel, message);
    else pubsub_publish(channel, message);
    sds_free(channel);
    sds_free(message);
}

/* UPDATE: the owner of slots we may have wrong, with its config epoch. */
static void process_update(const clmsg *m) {
    cluster_node *n = cluster_node_lookup(m->body.update.name, CLUSTER_NAMELEN);
    if (!n || n->config_epoch >= m->body.update.config_epoch) return; /* nothing new */
    if (node_is_replica(n)) cluster_node_set_primary_flags(n);
    n->config_epoch = m->body.update.config_epoch;
    todo(CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_FSYNC_CONFIG);
    cluster_update_slots_config_with(n, m->body.update.config_epoch, m->body.update.slots);
}

/* What every message tells about a known sender: its epochs (ours follow
 * the largest), its replication offset, and a paused primary's final
 * offset during our manual failover. */
static void process_sender_header(cluster_node *sender, const clmsg_hdr *h) {
    if (h->current_epoch > cluster->current_epoch) {
        cluster->current_epoch = h->current_epoch;
        todo(CLUSTER_TODO_SAVE_CONFIG);
    }
    if (h->config_epoch > sender->config_epoch) {
        sender->config_epoch = h->config_epoch;
        todo(CLUSTER_TODO_SAVE_CONFIG | CLUSTER_TODO_UPDATE_STATE);
    }
    sender->repl_offset = (long long)h->offset;
    sender->repl_offset_time = mstime();
    if (cluster->mf_end && node_is_replica(myself()) && myself()->primary == sender &&
        (h->mflags[0] & CLMSG_MF0_PAUSED))
        cluster_failover_primary_paused(sender, sender->repl_offset);
}

/* Logs why a whole message was refused in Redis's words, from what the
 * decoder said (err) about a message of type with count gossip sections
 * and len bytes. */
static void log_invalid(uint16_t type, uint16_t count, size_t len, const char *err) {
    const char *name = clmsg_type_name(type);
    size_t name_len = strlen(name);
    unsigned ext_index, ext_len;
    if (strstr(err, "gossip sections") != NULL) {
        log_warning("Received invalid %s packet with gossip count %d that exceeds total packet length (%lld)", name,
                    (int)count, (long long)len);
    } else if (sscanf(err, "extension %u without proper padding (%u bytes)", &ext_index, &ext_len) == 2) {
        log_warning("Received a %s packet without proper padding (%d bytes)", name, (int)ext_len);
    } else if (strncmp(err, "extension ", 10) == 0) {
        log_warning("Received invalid %s packet with extension data that exceeds total packet length (%lld)", name,
                    (long long)len);
    } else if (strncmp(err, name, name_len) == 0 && strncmp(err + name_len, " of length ", 11) == 0) {
        log_warning("Received invalid %s packet%s", name, err + name_len);
    } else {
        log_warning("Received invalid %s packet of length %lld: %s", name, (long long)len, err);
    }
}

/* Handles the whole message in l->rcvbuf. Returns 0 when l was freed. */
static int process_message(cluster_link *l) {
    clmsg m;
    char err[256];
    int rc = clmsg_decode(l->rcvbuf, l->rcvbuf_len, &m, err, sizeof(err));
    /* Counted by type before any check, as Redis does (the reader made
     * sure a whole header is there). */
    uint16_t type = (uint16_t)((l->rcvbuf[12] << 8) | l->rcvbuf[13]);
    if (type < CLMSG_TYPE_COUNT) cluster->stats_bus_messages_received[type]++;
    l->msgs_received++;
    if (rc == CLMSG_ERR_VERSION) return 1; /* another protocol: ignored */
    if (rc != CLMSG_OK) {
        /* Redis ignores a message whose length does not fit its type. */
        log_invalid(type, (uint16_t)((l->rcvbuf[14] << 8) | l->rcvbuf[15]), l->rcvbuf_len, err);
        return 1;
    }
    if ((long)type == cluster_bus_drop_filter) {
        log_warning("Dropping packet that matches debug drop filter");
        return 1;
    }
    long long now = mstime();
    cluster_node *sender = (l->node && !node_in_handshake(l->node)) ? l->node
                                                                    : cluster_node_lookup(m.hdr.sender, CLUSTER_NAMELEN);
    if (sender && l->inbound && l->node == NULL) link_set_inbound_node(l, sender);
    if (sender) sender->data_received = now;
    if (sender && !node_in_handshake(sender)) process_sender_header(sender, &m.hdr);
    switch (m.hdr.type) {
    case CLMSG_TYPE_PING:
    case CLMSG_TYPE_PONG:
    case CLMSG_TYPE_MEET:
        return process_ping(l, &m, sender);
    case CLMSG_TYPE_FAIL:
        process_fail(&m, sender);
        break;
    case CLMSG_TYPE_PUBLISH:
    case CLMSG_TYPE_PUBLISHSHARD:
        if (sender) process_publish(&m);
        break;
    case CLMSG_TYPE_FAILOVER_AUTH_REQUEST:
        if (sender) cluster_failover_auth_request(sender, &m);
        break;
    case CLMSG_TYPE_FAILOVER_AUTH_ACK:
        if (sender) cluster_failover_auth_ack(sender, &m);
        break;
    case CLMSG_TYPE_MFSTART:
        if (sender && sender->primary == myself()) cluster_failover_mfstart(sender);
        break;
    case CLMSG_TYPE_UPDATE:
        if (sender) process_update(&m);
        break;
    case CLMSG_TYPE_MODULE:
        break; /* no modules: nothing listens */
    default:
        log_warning("Received unknown packet type: %d", m.hdr.type);
        break;
    }
    return 1;
}

/* ---------------------------------------------------------- reading */

/* Reads what is there, one message at a time: its first 8 bytes tell
 * its length (a bad signature or length drops the link), then the rest
 * is read into rcvbuf, grown as bytes arrive (never ahead of them, so a
 * lying length costs nothing until the bytes come). */
static void link_read_handler(ae_event_loop *el, int fd, void *data, int mask) {
    (void)el, (void)mask;
    cluster_link *l = data;
    for (;;) {
        uint32_t msglen = 0;
        int known = clmsg_peek_length(l->rcvbuf, l->rcvbuf_len, &msglen);
        if (known == -1) {
            log_warning("Bad message length or signature received from Cluster bus.");
            cluster_bus_link_free(l);
            return;
        }
        size_t want = known ? msglen - l->rcvbuf_len : CLMSG_PEEK_LEN - l->rcvbuf_len;
        if (want > BUS_READ_CHUNK_BYTES) want = BUS_READ_CHUNK_BYTES;
        if (l->rcvbuf_alloc - l->rcvbuf_len < want) {
            size_t need = l->rcvbuf_len + want;
            l->rcvbuf_alloc = need < (1 << 20) ? need * 2 : need + (1 << 20);
            if (known && l->rcvbuf_alloc > msglen) l->rcvbuf_alloc = msglen;
            l->rcvbuf = zrealloc(l->rcvbuf, l->rcvbuf_alloc);
        }
        ssize_t n = read(fd, l->rcvbuf + l->rcvbuf_len, want);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n <= 0) {
            log_debug("I/O error reading from node link: %s", n == 0 ? "connection closed" : strerror(errno));
            cluster_bus_link_free(l);
            return;
        }
        l->rcvbuf_len += (size_t)n;
        if (!known || l->rcvbuf_len < msglen) continue;
        processing_link = l;
        processing_link_freed = 0;
        int alive = process_message(l);
        processing_link = NULL;
        if (processing_link_freed || !alive) {
            if (processing_link_freed) {
                sds_free(l->sndbuf);
                zfree(l->rcvbuf);
                zfree(l);
            }
            return;
        }
        l->rcvbuf_len = 0;
        if (l->rcvbuf_alloc > BUS_RCVBUF_KEEP_BYTES) {
            zfree(l->rcvbuf);
            l->rcvbuf_alloc = BUS_RCVBUF_KEEP_BYTES;
            l->rcvbuf = zmalloc(l->rcvbuf_alloc);
        }
    }
}

/* ---------------------------------------------------------- listener */

static void bus_accept_handler(ae_event_loop *el, int fd, void *data, int mask) {
    (void)el, (void)data, (void)mask;
    for (int i = 0; i < BUS_MAX_ACCEPTS_PER_CALL; i++) {
        char err[ANET_ERR_LEN], ip[CLCONF_IP_STR_LEN];
        int port;
        int cfd = anet_tcp_accept(err, fd, ip, sizeof(ip), &port);
        if (cfd == ANET_ERR) {
            if (errno != EWOULDBLOCK && errno != EAGAIN) log_verbose("Error accepting cluster node: %s", err);
            return;
        }
        anet_non_block(err, cfd);
        anet_enable_tcp_nodelay(err, cfd);
        anet_cloexec(cfd);
        log_verbose("Accepting cluster node connection from %s:%d", ip, port);
        cluster_link *l = link_create(NULL, cfd, 1);
        if (ae_create_file_event(server.el, cfd, AE_READABLE, link_read_handler, l) == AE_ERR) {
            cluster_bus_link_free(l);
            return;
        }
    }
}

/* One listener per bind address, as the client port's ("-addr" is
 * optional: skipped where it does not exist). */
int cluster_bus_listen(void) {
    int port = bus_port();
    for (int i = 0; i < cfg.bind_count; i++) {
        const char *addr = cfg.bind[i];
        int optional = addr[0] == '-';
        if (optional) addr++;
        char err[ANET_ERR_LEN];
        int fd = anet_tcp_server(err, port, addr, BUS_LISTEN_BACKLOG);
        if (fd == ANET_ERR) {
            int unavailable = errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT ||
                              errno == ESOCKTNOSUPPORT || errno == EINVAL;
            if (optional && unavailable) continue;
            log_warning("Warning: Could not create server TCP listening socket %s:%d: %s", addr, port, err);
            log_warning("Failed listening on port %u (cluster), aborting.", (unsigned)port);
            for (int j = 0; j < listen_count; j++) {
                ae_delete_file_event(server.el, listen_fds[j], AE_READABLE);
                close(listen_fds[j]);
            }
            listen_count = 0;
            return -1;
        }
        anet_non_block(err, fd);
        anet_cloexec(fd);
        listen_fds[listen_count++] = fd;
        ae_create_file_event(server.el, fd, AE_READABLE, bus_accept_handler, NULL);
    }
    return 0;
}

/* ---------------------------------------------------------- connecting */

/* Our connect() finished: read from now on, and send MEET (a node met by
 * CLUSTER MEET) or PING first thing, so failure detection starts at once. */
static void link_connect_handler(ae_event_loop *el, int fd, void *data, int mask) {
    (void)el, (void)mask;
    cluster_link *l = data;
    cluster_node *n = l->node;
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1) soerr = errno;
    if (soerr) {
        log_verbose("Connection with Node %.40s at %s:%d failed: %s", n->name, n->ip, n->cport, strerror(soerr));
        cluster_bus_link_free(l);
        return;
    }
    ae_delete_file_event(server.el, fd, AE_WRITABLE);
    l->connecting = 0;
    ae_create_file_event(server.el, fd, AE_READABLE, link_read_handler, l);
    if (sds_len(l->sndbuf) > l->sndpos) ae_create_file_event(server.el, fd, AE_WRITABLE | AE_BARRIER, link_write_handler, l);
    long long old_ping_sent = n->ping_sent;
    cluster_bus_send_ping(l, (n->flags & CLCONF_NODE_MEET) ? CLMSG_TYPE_MEET : CLMSG_TYPE_PING);
    /* A ping that was pending before the reconnection keeps its age. */
    if (old_ping_sent) n->ping_sent = old_ping_sent;
    /* MEET goes once: after it, a PONG ends the handshake and plain PINGs
     * follow. */
    n->flags &= ~CLCONF_NODE_MEET;
    log_debug("Connecting with Node %.40s at %s:%d", n->name, n->ip, n->cport);
}

static void node_connect(cluster_node *n) {
    char err[ANET_ERR_LEN];
    int fd = anet_tcp_nonblock_connect(err, n->ip, n->cport);
    if (fd == ANET_ERR) {
        /* No link means no PING: count one as sent so the node can still
         * time out. */
        if (n->ping_sent == 0) n->ping_sent = mstime();
        log_debug("Unable to connect to Cluster Node [%s]:%d -> %s", n->ip, n->cport, err);
        return;
    }
    anet_enable_tcp_nodelay(err, fd);
    anet_cloexec(fd);
    cluster_link *l = link_create(n, fd, 0);
    l->connecting = 1;
    if (ae_create_file_event(server.el, fd, AE_WRITABLE, link_connect_handler, l) == AE_ERR) {
        cluster_bus_link_free(l);
        return;
    }
    n->link = l;
}

/* ---------------------------------------------------------- cron */

/* The memory of a link's send buffer. An empty one counts as nothing:
 * after link_shrink_sndbuf it holds only the allocator's rounding (Redis
 * reports 0 there). */
static size_t link_sndbuf_mem(const cluster_link *l) {
    return sds_len(l->sndbuf) == l->sndpos ? 0 : sds_alloc(l->sndbuf);
}

/* A link whose unsent bytes passed cluster-link-sendbuf-limit is freed
 * (the peer does not read; the cron reconnects). */
static void link_check_sendbuf_limit(cluster_link *l) {
    if (l == NULL || cfg.cluster_link_sendbuf_limit == 0) return;
    unsigned long long used = link_sndbuf_mem(l);
    if (used <= (unsigned long long)cfg.cluster_link_sendbuf_limit) return;
    log_warning("Freeing cluster link(%s node %.40s, used memory: %llu) due to exceeding send buffer memory limit.",
                l->inbound ? "from" : "to", l->node ? l->node->name : "", used);
    cluster_bus_link_free(l);
    cluster->stat_cluster_links_buffer_limit_exceeded++;
}

/* A send buffer mostly unused gives its space back (sds_cat grows it
 * greedily; a quiet link then holds nothing, as in Redis). */
static void link_shrink_sndbuf(cluster_link *l) {
    if (l == NULL) return;
    size_t used = sds_len(l->sndbuf) - l->sndpos;
    if (sds_avail(l->sndbuf) / 4 <= used) return;
    if (l->sndpos) {
        sds_range(l->sndbuf, (ssize_t)l->sndpos, -1);
        l->sndpos = 0;
    }
    l->sndbuf = sds_remove_free_space(l->sndbuf);
}

/* Per node: buffer limits, the handshake's lifespan, a link for every
 * node we have an address for. Returns 1 when the node was deleted. */
static int cron_node_links(cluster_node *n, long long handshake_timeout, long long now) {
    link_shrink_sndbuf(n->link);
    link_shrink_sndbuf(n->inbound_link);
    link_check_sendbuf_limit(n->link);
    link_check_sendbuf_limit(n->inbound_link);
    if (n->flags & (CLCONF_NODE_MYSELF | CLCONF_NODE_NOADDR)) return 0;
    if (n->flags & CLCONF_NODE_PFAIL) cluster->stats_pfail_nodes++;
    if (node_in_handshake(n) && now - n->ctime > handshake_timeout) {
        cluster_node_delete(n);
        return 1;
    }
    if (n->link == NULL) node_connect(n);
    return 0;
}

/* The node with the oldest PONG among a few random ones gets a PING, so
 * every node hears from us about once a second on average. */
static void cron_random_ping(cluster_node **all, size_t n) {
    cluster_node *oldest = NULL;
    for (int j = 0; j < BUS_RANDOM_PING_SAMPLES && n; j++) {
        cluster_node *c = all[(size_t)random() % n];
        if (c->link == NULL || c->ping_sent != 0) continue;
        if (c->flags & (CLCONF_NODE_MYSELF | CLCONF_NODE_HANDSHAKE)) continue;
        if (oldest == NULL || c->pong_received < oldest->pong_received) oldest = c;
    }
    if (oldest) {
        log_debug("Pinging node %.40s", oldest->name);
        cluster_bus_send_ping(oldest->link, CLMSG_TYPE_PING);
    }
}

/* Pings that are due, links that went silent, PFAIL. Returns 1 when a
 * node became PFAIL. */
static int cron_node_liveness(cluster_node *n, long long now) {
    long long timeout = cfg.cluster_node_timeout;
    if (n->flags & (CLCONF_NODE_MYSELF | CLCONF_NODE_NOADDR | CLCONF_NODE_HANDSHAKE)) return 0;
    long long ping_delay = now - n->ping_sent;
    long long data_delay = now - n->data_received;
    /* A PING waits for half the timeout with no byte at all from the
     * node: the connection may be the problem, so make a new one. */
    if (n->link && now - n->link->ctime > timeout && n->ping_sent && ping_delay > timeout / 2 &&
        data_delay > timeout / 2)
        cluster_bus_link_free(n->link);
    if (n->link && n->ping_sent == 0 && now - n->pong_received > timeout / 2) {
        cluster_bus_send_ping(n->link, CLMSG_TYPE_PING);
        return 0;
    }
    /* Our replica in a manual failover hears from us continuously. */
    if (cluster->mf_end && cluster_node_is_primary(myself()) && cluster->mf_replica == n && n->link) {
        cluster_bus_send_ping(n->link, CLMSG_TYPE_PING);
        return 0;
    }
    if (n->ping_sent == 0) return 0;
    /* Any data counts as a sign of life (a busy link may delay PONGs). */
    long long delay = ping_delay < data_delay ? ping_delay : data_delay;
    if (delay > timeout && !(n->flags & (CLCONF_NODE_PFAIL | CLCONF_NODE_FAIL))) {
        log_debug("*** NODE %.40s possibly failing", n->name);
        n->flags |= CLCONF_NODE_PFAIL;
        return 1;
    }
    return 0;
}

void cluster_bus_cron(void) {
    long long now = mstime();
    long long handshake_timeout = cfg.cluster_node_timeout;
    if (handshake_timeout < BUS_MIN_HANDSHAKE_TIMEOUT_MS) handshake_timeout = BUS_MIN_HANDSHAKE_TIMEOUT_MS;
    cron_iteration++;
    cluster->stats_pfail_nodes = 0;
    size_t n;
    cluster_node **all = nodes_snapshot(&n);
    for (size_t i = 0; i < n; i++) {
        if (cron_node_links(all[i], handshake_timeout, now)) all[i] = NULL;
    }
    size_t live = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i]) all[live++] = all[i];
    if (cron_iteration % BUS_RANDOM_PING_PERIOD == 0) cron_random_ping(all, live);
    int update_state = 0;
    for (size_t i = 0; i < live; i++) update_state |= cron_node_liveness(all[i], mstime());
    zfree(all);
    /* A replica whose replication is off while its primary's address is
     * known follows it again. */
    cluster_node *me = myself();
    if (node_is_replica(me) && me->primary && node_has_addr(me->primary) && me->primary->ip[0] &&
        repl_replica_primary_host() == NULL)
        repl_replica_set_primary(me->primary->ip, me->primary->port);
    if (update_state) todo(CLUSTER_TODO_UPDATE_STATE);
}

/* ---------------------------------------------------------- handshake, FAIL */

static int handshake_in_progress(const char *ip, int port, int cport) {
    size_t n;
    cluster_node **all = nodes_snapshot(&n);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        cluster_node *c = all[i];
        found = node_in_handshake(c) && strcasecmp(c->ip, ip) == 0 && c->port == port && c->cport == cport;
    }
    zfree(all);
    return found;
}

int cluster_bus_start_handshake(const char *ip, int port, int cport) {
    unsigned char addr[sizeof(struct in6_addr)];
    char norm[CLCONF_IP_STR_LEN];
    int family;
    if (inet_pton(AF_INET, ip, addr) == 1) family = AF_INET;
    else if (inet_pton(AF_INET6, ip, addr) == 1) family = AF_INET6;
    else {
        errno = EINVAL;
        return -1;
    }
    if (port <= 0 || port > 65535 || cport <= 0 || cport > 65535) {
        errno = EINVAL;
        return -1;
    }
    /* One spelling per address, so a second MEET is seen as the same. */
    if (inet_ntop(family, addr, norm, sizeof(norm)) == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (handshake_in_progress(norm, port, cport)) return 0; /* already on its way */
    /* A random name until the node's first PONG tells its real one. */
    cluster_node *n = cluster_node_create(NULL, CLCONF_NODE_HANDSHAKE | CLCONF_NODE_MEET);
    if (n == NULL) {
        errno = EINVAL;
        return -1;
    }
    memcpy(n->ip, norm, sizeof(n->ip));
    n->port = port;
    n->cport = cport;
    cluster_node_add(n);
    return 0;
}

/* PFAIL becomes FAIL when a majority of the primaries that serve slots
 * reported it (myself counts when a primary); everyone is then told. */
void cluster_bus_mark_failing_if_needed(cluster_node *n) {
    int needed = cluster->size / 2 + 1;
    if (!cluster_node_timed_out(n) || cluster_node_failed(n)) return;
    int failures = cluster_node_failure_reports_count(n);
    if (cluster_node_is_primary(myself())) failures++;
    if (failures < needed) return;
    log_notice("Marking node %.40s as failing (quorum reached).", n->name);
    n->flags &= ~CLCONF_NODE_PFAIL;
    n->flags |= CLCONF_NODE_FAIL;
    n->fail_time = mstime();
    /* Sent by replicas too: the reports came from primaries, a replica
     * only helps spread the news. */
    cluster_bus_send_fail(n->name);
    todo(CLUSTER_TODO_UPDATE_STATE | CLUSTER_TODO_SAVE_CONFIG);
    /* Our primary failed: the election is scheduled now, not at the
     * next cron tick. */
    if (myself()->primary == n) todo(CLUSTER_TODO_HANDLE_FAILOVER);
}

/* ---------------------------------------------------------- introspection */

/* As Redis's CLUSTER LINKS: node by node, its outbound link then its
 * inbound one; an inbound link that has not yet named its node is not
 * listed (l->node is never NULL for fn). */
void cluster_bus_foreach_link(cluster_link_visit_fn *fn, void *ctx) {
    size_t n;
    cluster_node **all = nodes_snapshot(&n);
    for (size_t i = 0; i < n; i++) {
        if (all[i]->link) fn(all[i]->link, ctx);
        if (all[i]->inbound_link) fn(all[i]->inbound_link, ctx);
    }
    zfree(all);
}

size_t cluster_bus_links_memory(void) {
    size_t total = 0;
    for (size_t i = 0; i < links_count; i++)
        total += sizeof(cluster_link) + link_sndbuf_mem(links[i]) + links[i]->rcvbuf_alloc;
    return total;
}

/* What Redis 7.0 reports as cluster_connections: two per other node (one
 * each way), whether or not they are up at the moment. */
long cluster_bus_drop_filter = -1;

sds cluster_bus_debug_kill_link(const sds dir, const sds node) {
    cluster_node *n = cluster_node_lookup(node, sds_len(node));
    if (n == NULL) return sds_cat_printf(sds_empty(), "Unknown node %s", node);
    int to = strcasecmp(dir, "to") == 0, from = strcasecmp(dir, "from") == 0, all = strcasecmp(dir, "all") == 0;
    if (!to && !from && !all) return sds_cat_printf(sds_empty(), "Unknown direction %s", dir);
    /* The cron reconnects our side; the peer reconnects its own. */
    if ((to || all) && n->link) cluster_bus_link_free(n->link);
    if ((from || all) && n->inbound_link) cluster_bus_link_free(n->inbound_link);
    return NULL;
}

unsigned long cluster_bus_link_count(void) {
    size_t n = dict_size(cluster->nodes);
    return n > 1 ? (unsigned long)(n - 1) * 2 : 0;
}
