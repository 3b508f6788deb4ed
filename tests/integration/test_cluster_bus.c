/* test_cluster_bus.c -- the cluster bus between live nodes: CLUSTER MEET
 * joins two minired nodes, gossip spreads a third one, a killed node is
 * marked fail? then fail, PUBLISH crosses nodes, a real Redis 7.0 node and
 * a minired node meet and see each other, and garbage, truncated or
 * malformed bytes on the bus port cost a link, never the server.
 *
 * Nodes run with a short cluster-node-timeout so failure detection takes
 * about a second. Each node gets its own free bus port (cluster-port): a
 * free client port may be too high for port + 10000. The Redis test
 * passes with a note when redis-server is not installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define NODE_TIMEOUT_MS "1000"
#define WAIT_MS 15000
#define POLL_MS 50
#define NAME_LEN 40
#define CLMSG_HDR_LEN 2256

typedef struct node {
    hs_server *srv;
    redisContext *ctx;
    int bus_port;
    char id[NAME_LEN + 1];
} node;

/* Returns 0 when this build has no CLUSTER command yet (the bus landed
 * before the commands: the tests then pass with a note). */
static int node_read_id(node *n) {
    redisReply *r = hs_command(n->ctx, HS_ARGS("CLUSTER", "MYID"));
    if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "ERR unknown command", 19) == 0) {
        freeReplyObject(r);
        return 0;
    }
    ck_assert_msg(r->type == REDIS_REPLY_STRING && r->len == NAME_LEN, "CLUSTER MYID");
    memcpy(n->id, r->str, NAME_LEN);
    n->id[NAME_LEN] = '\0';
    freeReplyObject(r);
    return 1;
}

static void node_stop(node *n) {
    if (n->srv == NULL) return;
    redisFree(n->ctx);
    hs_stop(n->srv);
    n->srv = NULL;
}

/* A cluster node: minired, or Redis (redis 1) when installed (returns 0
 * when not). */
static int node_start(node *n, int redis) {
    char bus[16];
    n->bus_port = hs_free_port();
    snprintf(bus, sizeof(bus), "%d", n->bus_port);
    const char *const *args = HS_ARGS("--cluster-enabled", "yes", "--cluster-port", bus, "--cluster-node-timeout",
                                      NODE_TIMEOUT_MS);
    n->srv = redis ? hs_start_redis(args) : hs_start(args);
    if (n->srv == NULL) return 0;
    n->ctx = hs_connect(n->srv);
    if (!node_read_id(n)) {
        printf("no CLUSTER command in this build: cluster bus test skipped\n");
        node_stop(n);
        return 0;
    }
    return 1;
}

static void node_kill(node *n) {
    redisFree(n->ctx);
    hs_kill(n->srv);
    n->srv = NULL;
}

static void meet(node *a, const node *b) {
    char port[16], bus[16];
    snprintf(port, sizeof(port), "%d", b->srv->port);
    snprintf(bus, sizeof(bus), "%d", b->bus_port);
    HS_EXPECT_OK(a->ctx, "CLUSTER", "MEET", "127.0.0.1", port, bus);
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* a's CLUSTER NODES line about b's id (new string), or NULL. */
static char *nodes_line(node *a, const char *id) {
    redisReply *r = hs_command(a->ctx, HS_ARGS("CLUSTER", "NODES"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    char *found = NULL;
    for (char *line = strtok(r->str, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, id, NAME_LEN) == 0) found = strdup(line);
    freeReplyObject(r);
    return found;
}

/* Whether a's line about id has flags exactly `flags` and link `state`
 * (the 3rd and 8th fields). */
static int line_matches(const char *line, const char *flags, const char *state) {
    char f[128], st[32];
    if (sscanf(line, "%*s %*s %127s %*s %*s %*s %*s %31s", f, st) != 2) return 0;
    return strcmp(f, flags) == 0 && (state == NULL || strcmp(st, state) == 0);
}

/* Polls until a sees id with these flags (and link state), else fails. */
static void wait_node(node *a, const node *b, const char *flags, const char *state) {
    char *line = NULL;
    for (int waited = 0; waited < WAIT_MS; waited += POLL_MS) {
        free(line);
        line = nodes_line(a, b->id);
        if (line && line_matches(line, flags, state)) {
            free(line);
            return;
        }
        sleep_ms(POLL_MS);
    }
    ck_abort_msg("node %d never saw %.40s as %s %s; last line: %s", a->srv->port, b->id, flags, state ? state : "",
                 line ? line : "(none)");
}

/* A numeric field of CLUSTER INFO. */
static long long cluster_info_ll(node *n, const char *field) {
    redisReply *r = hs_command(n->ctx, HS_ARGS("CLUSTER", "INFO"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    size_t flen = strlen(field);
    long long v = -1;
    for (char *line = strtok(r->str, "\r\n"); line; line = strtok(NULL, "\r\n"))
        if (strncmp(line, field, flen) == 0 && line[flen] == ':') v = atoll(line + flen + 1);
    freeReplyObject(r);
    ck_assert_msg(v != -1, "CLUSTER INFO has no %s", field);
    return v;
}

static void wait_count(node *a, long long want) {
    for (int waited = 0; waited < WAIT_MS; waited += POLL_MS) {
        if (cluster_info_ll(a, "cluster_known_nodes") == want) return;
        sleep_ms(POLL_MS);
    }
    ck_abort_msg("node %d never knew %lld nodes", a->srv->port, want);
}

/* ---------------------------------------------------------- tests */

START_TEST(test_meet_gossip_fail) {
    node a = {0}, b = {0}, c = {0};
    if (!node_start(&a, 0)) return;
    node_start(&b, 0);
    node_start(&c, 0);
    meet(&a, &b);
    wait_node(&a, &b, "master", "connected");
    wait_node(&b, &a, "master", "connected");
    /* Only b meets c: a learns it from b's gossip. */
    meet(&b, &c);
    wait_node(&a, &c, "master", "connected");
    wait_node(&c, &a, "master", "connected");
    wait_count(&a, 3);
    ck_assert_int_eq(hs_info_ll(a.ctx, "clients", "cluster_connections"), 4);
    ck_assert(hs_info_ll(a.ctx, "memory", "mem_cluster_links") > 0);
    /* A second MEET of a known node changes nothing. */
    meet(&a, &c);
    sleep_ms(1500);
    wait_count(&a, 3);
    /* c dies: fail? (no PONG within the timeout), then fail once b
     * agrees (no slots: myself alone is a majority of zero). */
    node_kill(&c);
    wait_node(&a, &c, "master,fail", "disconnected");
    wait_node(&b, &c, "master,fail", "disconnected");
    node_stop(&a);
    node_stop(&b);
}
END_TEST

START_TEST(test_publish_crosses_nodes) {
    node a = {0}, b = {0};
    if (!node_start(&a, 0)) return;
    node_start(&b, 0);
    meet(&a, &b);
    wait_node(&a, &b, "master", "connected");
    wait_node(&b, &a, "master", "connected");
    redisContext *sub = hs_connect(b.srv);
    redisReply *r = hs_command(sub, HS_ARGS("SUBSCRIBE", "news"));
    freeReplyObject(r);
    r = hs_command(sub, HS_ARGS("PSUBSCRIBE", "n*"));
    freeReplyObject(r);
    /* The local count (0 subscribers on a); the message crosses the bus. */
    HS_EXPECT_INT(a.ctx, 0, "PUBLISH", "news", "hello");
    r = hs_get_reply(sub);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("message", "news", "hello"));
    freeReplyObject(r);
    r = hs_get_reply(sub);
    hs_check_bulks(__FILE__, __LINE__, r, HS_ARGS("pmessage", "n*", "news", "hello"));
    freeReplyObject(r);
    ck_assert(cluster_info_ll(&a, "cluster_stats_messages_publish_sent") >= 1);
    ck_assert(cluster_info_ll(&b, "cluster_stats_messages_publish_received") >= 1);
    redisFree(sub);
    node_stop(&a);
    node_stop(&b);
}
END_TEST

START_TEST(test_redis_and_minired_meet) {
    node r = {0}, m = {0}, m2 = {0};
    if (!node_start(&r, 1)) {
        printf("redis-server not installed: Redis interop skipped\n");
        return;
    }
    if (!node_start(&m, 0)) {
        node_stop(&r);
        return;
    }
    node_start(&m2, 0);
    /* Redis meets minired, minired meets another minired: the Redis node
     * learns the second one by gossip, and PUBLISH goes both ways. */
    meet(&r, &m);
    meet(&m, &m2);
    wait_node(&r, &m, "master", "connected");
    wait_node(&m, &r, "master", "connected");
    wait_node(&r, &m2, "master", "connected");
    wait_node(&m2, &r, "master", "connected");
    redisContext *sub = hs_connect(m2.srv);
    redisReply *rep = hs_command(sub, HS_ARGS("SUBSCRIBE", "ch"));
    freeReplyObject(rep);
    HS_EXPECT_INT(r.ctx, 0, "PUBLISH", "ch", "from-redis");
    rep = hs_get_reply(sub);
    hs_check_bulks(__FILE__, __LINE__, rep, HS_ARGS("message", "ch", "from-redis"));
    freeReplyObject(rep);
    redisFree(sub);
    /* minired dies: Redis marks it failing. */
    node_kill(&m2);
    wait_node(&r, &m2, "master,fail", NULL);
    wait_node(&m, &m2, "master,fail", NULL);
    node_stop(&r);
    node_stop(&m);
}
END_TEST

/* Opens a raw connection to n's bus port. */
static int bus_connect(const node *n) {
    hs_server fake = {0};
    fake.port = n->bus_port;
    return hs_raw_connect(&fake);
}

/* Whether the peer closed fd within WAIT_MS. */
static int closed_by_peer(int fd) {
    int closed = 0;
    for (int waited = 0; waited < WAIT_MS && !closed; waited += 200) {
        hs_buf b = hs_raw_read_all(fd, 200, &closed);
        hs_buf_free(&b);
    }
    return closed;
}

static void put32(unsigned char *p, unsigned v) {
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

START_TEST(test_bad_bytes_on_bus) {
    node a = {0};
    if (!node_start(&a, 0)) return;
    /* A bad signature drops the link. */
    int fd = bus_connect(&a);
    HS_RAW_SEND_STR(fd, "GARBAGE-GARBAGE-GARBAGE");
    ck_assert(closed_by_peer(fd));
    close(fd);
    /* So does a length shorter than a header. */
    unsigned char hdr[CLMSG_HDR_LEN] = {0};
    memcpy(hdr, "RCmb", 4);
    put32(hdr + 4, 100);
    fd = bus_connect(&a);
    hs_raw_send(fd, hdr, 8);
    ck_assert(closed_by_peer(fd));
    close(fd);
    /* A truncated message, then the peer goes away. */
    put32(hdr + 4, CLMSG_HDR_LEN + 104);
    fd = bus_connect(&a);
    hs_raw_send(fd, hdr, 100);
    close(fd);
    /* A whole PING whose gossip count does not fit its length is ignored
     * (Redis keeps the link); a huge announced length costs nothing until
     * the bytes come. */
    put32(hdr + 4, CLMSG_HDR_LEN);
    hdr[9] = 1;   /* version 1 */
    hdr[15] = 5;  /* 5 gossip sections, none present */
    fd = bus_connect(&a);
    hs_raw_send(fd, hdr, sizeof(hdr));
    unsigned char big[8];
    memcpy(big, "RCmb", 4);
    put32(big + 4, 0xfffffff0u);
    hs_raw_send(fd, big, sizeof(big));
    hs_raw_send(fd, hdr, 512);
    close(fd);
    HS_EXPECT_STATUS(a.ctx, "PONG", "PING");
    ck_assert_int_eq(cluster_info_ll(&a, "cluster_known_nodes"), 1);
    ck_assert(cluster_info_ll(&a, "cluster_stats_messages_ping_received") >= 1);
    hs_buf log = hs_read_log(a.srv);
    ck_assert_msg(strstr(log.data, "Bad message length or signature received from Cluster bus.") != NULL,
                  "no log line for the bad signature");
    ck_assert_msg(strstr(log.data, "Received invalid ping packet with gossip count 5 that exceeds total packet length "
                                   "(2256)") != NULL,
                  "no log line for the bad gossip count");
    hs_buf_free(&log);
    node_stop(&a);
}
END_TEST

static Suite *cluster_bus_suite(void) {
    Suite *s = suite_create("cluster_bus");
    TCase *tc = hs_tcase(s, "cluster_bus");
    tcase_add_test(tc, test_meet_gossip_fail);
    tcase_add_test(tc, test_publish_crosses_nodes);
    tcase_add_test(tc, test_redis_and_minired_meet);
    tcase_add_test(tc, test_bad_bytes_on_bus);
    return s;
}

int main(void) {
    return hs_run_suite(cluster_bus_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
