/* test_cluster_failover.c -- replica election and promotion in a cluster
 * of 3 primaries + 3 replicas built by `redis-cli --cluster create`
 * (issue 14): a replica takes over after kill -9 of its primary, CLUSTER
 * FAILOVER (default, FORCE, TAKEOVER) swaps roles without losing an
 * acknowledged write, and in a mixed cluster a minired replica of a Redis
 * primary and a Redis replica of a minired primary are both elected
 * (votes cast both ways).
 *
 * cluster-node-timeout is short (1000 ms) so each failover takes a few
 * seconds. MINIRED_REPL_AS_REDIS=1 runs redis-server in every role (checks
 * the test itself); without redis-server the mixed test is skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.h"
#include "repl_harness.h"

#define NODES 6
#define NODE_TIMEOUT_MS "1000"
/* A failover after kill -9: FAIL after ~2 node timeouts, then the
 * election delay (up to 1 s plus ranks); generous for a loaded machine. */
#define FAILOVER_WAIT_MS 20000
#define CLUSTER_OK_WAIT_MS 20000
#define KEYS_PER_STEP 50
#define WHOLE_TEST_TIMEOUT_S 120

typedef struct cnode {
    hs_server *s;
    redisContext *c;
    int cport;
    int dead;
} cnode;

/* ------------------------------------------------------------ setup */

static void start_node(cnode *n, hr_kind kind) {
    char cport[16];
    n->cport = hs_free_port();
    snprintf(cport, sizeof(cport), "%d", n->cport);
    /* An explicit bus port: port + 10000 of an ephemeral port may be out
     * of range or taken. */
    n->s = hr_start(kind, HS_ARGS("--cluster-enabled", "yes", "--cluster-config-file", "{dir}/nodes.conf",
                                  "--cluster-node-timeout", NODE_TIMEOUT_MS, "--cluster-port", cport,
                                  "--appendonly", "no", "--repl-diskless-sync-delay", "0"));
    n->c = hs_connect(n->s);
    n->dead = 0;
}

/* Whether a minired cluster node has what these tests need (the CLUSTER
 * command and a bus listener): NULL if so, else why not. Asked once. */
static const char *cluster_missing(void) {
    static int asked;
    static const char *why;
    if (asked) return why;
    asked = 1;
    cnode n;
    start_node(&n, HR_MINIRED);
    redisReply *r = hs_command(n.c, HS_ARGS("CLUSTER", "MYID"));
    if (r->type != REDIS_REPLY_STRING || r->len != 40) why = "no CLUSTER command yet";
    freeReplyObject(r);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)n.cport)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!why && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) why = "no cluster bus yet";
    close(fd);
    redisFree(n.c);
    hs_stop(n.s);
    return why;
}

/* Prints the skip note and returns 1 when the cluster is not built. */
static int skip_without_cluster(const char *test) {
    const char *why = cluster_missing();
    if (why) printf("note: %s: skipped: %s\n", test, why);
    return why != NULL;
}

/* Runs redis-cli --cluster create over the nodes (the first 3 become
 * primaries, node i+3 replicates node i) and waits for every node to see
 * the cluster ok. */
static void create_cluster(cnode *nodes) {
    char cmd[1024];
    int len = snprintf(cmd, sizeof(cmd), "redis-cli --cluster create");
    for (int i = 0; i < NODES; i++) len += snprintf(cmd + len, sizeof(cmd) - (size_t)len, " 127.0.0.1:%d", nodes[i].s->port);
    snprintf(cmd + len, sizeof(cmd) - (size_t)len, " --cluster-replicas 1 --cluster-yes 2>&1");
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    hs_buf out = {0};
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), p)) > 0) hs_buf_cat(&out, buf, got);
    int st = pclose(p);
    hs_buf_cat(&out, "", 0);
    ck_assert_msg(st == 0 && strstr(out.data, "[OK] All 16384 slots covered."), "cluster create failed:\n%s", out.data);
    hs_buf_free(&out);
}

static void stop_nodes(cnode *nodes, int n) {
    for (int i = 0; i < n; i++) {
        if (nodes[i].c) redisFree(nodes[i].c);
        if (!nodes[i].dead) hs_stop(nodes[i].s);
    }
}

static void kill_node(cnode *n) {
    redisFree(n->c);
    n->c = NULL;
    hs_kill(n->s);
    n->dead = 1;
}

/* ------------------------------------------------------------ reading the cluster */

/* In c's CLUSTER NODES, the line of node `who` (its id, or NULL for
 * myself): its id and its primary's id ("-" for a primary) into id /
 * primary (41 bytes each). Returns 1 if it is a primary, 0 a replica, -1
 * when c does not list it. */
static int node_seen(redisContext *c, const char *who, char *id, char *primary) {
    redisReply *r = hs_command(c, HS_ARGS("CLUSTER", "NODES"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    int role = -1;
    for (char *l = r->str; l && *l;) {
        char *nl = strchr(l, '\n');
        if (nl) *nl = '\0';
        char f_id[64], f_addr[128], f_flags[128], f_primary[64];
        if (sscanf(l, "%63s %127s %127s %63s", f_id, f_addr, f_flags, f_primary) == 4 &&
            (who ? strcmp(f_id, who) == 0 : strstr(f_flags, "myself") != NULL)) {
            snprintf(id, 41, "%.40s", f_id);
            snprintf(primary, 41, "%.40s", f_primary);
            role = strstr(f_flags, "master") != NULL;
        }
        l = nl ? nl + 1 : NULL;
    }
    freeReplyObject(r);
    return role;
}

static int node_identity(redisContext *c, char *id, char *primary) {
    int role = node_seen(c, NULL, id, primary);
    ck_assert_msg(role != -1, "no myself line in CLUSTER NODES");
    return role;
}

/* redis-cli picks which primary each replica follows: make node i+3 the
 * replica of node i (CLUSTER REPLICATE where it is not), and wait until
 * every node sees that and each primary has its replica in sync. */
static void arrange_replicas(cnode *nodes) {
    char ids[NODES][41], prim[41];
    for (int i = 0; i < NODES; i++) node_identity(nodes[i].c, ids[i], prim);
    for (int i = 3; i < NODES; i++) {
        node_identity(nodes[i].c, ids[i], prim);
        if (strcmp(prim, ids[i - 3]) != 0) HS_EXPECT_OK(nodes[i].c, "CLUSTER", "REPLICATE", ids[i - 3]);
    }
    long long deadline = hs_now_ms() + CLUSTER_OK_WAIT_MS;
    for (int j = 0; j < NODES; j++) {
        for (int i = 3; i < NODES; i++) {
            char id[41];
            while (node_seen(nodes[j].c, ids[i], id, prim) != 0 || strcmp(prim, ids[i - 3]) != 0) {
                ck_assert_msg(hs_now_ms() < deadline, "node %d never saw node %d replicate node %d", j, i, i - 3);
                hs_sleep_ms(50);
            }
        }
    }
    for (int i = 0; i < 3; i++) {
        while (hr_repl_ll(nodes[i].c, "connected_slaves") != 1) {
            ck_assert_msg(hs_now_ms() < deadline, "node %d does not have exactly one replica", i);
            hs_sleep_ms(50);
        }
    }
}

static int is_primary(redisContext *c) {
    char id[41], primary[41];
    return node_identity(c, id, primary);
}

/* Whether CLUSTER INFO on c says cluster_state:ok. */
static int cluster_ok(redisContext *c) {
    redisReply *r = hs_command(c, HS_ARGS("CLUSTER", "INFO"));
    int ok = r->type == REDIS_REPLY_STRING && strstr(r->str, "cluster_state:ok") != NULL;
    freeReplyObject(r);
    return ok;
}

static void wait_cluster_ok(cnode *nodes) {
    long long deadline = hs_now_ms() + CLUSTER_OK_WAIT_MS;
    for (int i = 0; i < NODES; i++) {
        if (nodes[i].dead) continue;
        while (!cluster_ok(nodes[i].c)) {
            ck_assert_msg(hs_now_ms() < deadline, "node %d (port %d) never saw cluster_state:ok", i, nodes[i].s->port);
            hs_sleep_ms(50);
        }
    }
}

/* Waits until node n is a primary and node old (when not NULL, alive) a
 * replica of it; returns the time it took. */
/* n is a primary; the old primary (when alive) follows it, and n knows
 * it as its replica (a manual failover back needs that: a primary
 * ignores MFSTART from a node it does not see as its replica). */
static int promoted(cnode *n, cnode *old) {
    char id[41], p[41], oid[41], op[41];
    if (!node_identity(n->c, id, p)) return 0;
    if (!old) return 1;
    if (node_identity(old->c, oid, op) || strcmp(op, id) != 0) return 0;
    return node_seen(n->c, oid, oid, op) == 0 && strcmp(op, id) == 0;
}

static long long wait_promoted_at(int line, cnode *n, cnode *old) {
    long long start = hs_now_ms(), deadline = start + FAILOVER_WAIT_MS;
    for (;;) {
        if (promoted(n, old)) break;
        if (hs_now_ms() >= deadline) {
            redisReply *r = hs_command(n->c, HS_ARGS("CLUSTER", "NODES"));
            ck_abort_msg("line %d: node on port %d was not promoted in time; it sees:\n%s", line, n->s->port,
                         r->str ? r->str : "?");
        }
        hs_sleep_ms(20);
    }
    return hs_now_ms() - start;
}
#define wait_promoted(n, old) wait_promoted_at(__LINE__, n, old)

/* A key that node c serves (its slots): SET it there; keys of other
 * slots get -MOVED. The key's hash tag is then used for every key of a
 * step, so they all land in that slot. */
static void key_tag_for(redisContext *c, char *tag, size_t cap) {
    for (int i = 0; i < 100000; i++) {
        snprintf(tag, cap, "t%d", i);
        char key[64];
        snprintf(key, sizeof(key), "{%s}probe", tag);
        redisReply *r = hs_command(c, HS_ARGS("SET", key, "1"));
        int mine = r->type == REDIS_REPLY_STATUS;
        freeReplyObject(r);
        if (mine) return;
    }
    ck_abort_msg("no key of this node's slots found");
}

/* Writes KEYS_PER_STEP keys "{tag}:step:i" on c (all must succeed). */
static void write_step(redisContext *c, const char *tag, int step) {
    for (int i = 0; i < KEYS_PER_STEP; i++) {
        char key[96], val[32];
        snprintf(key, sizeof(key), "{%s}:%d:%d", tag, step, i);
        snprintf(val, sizeof(val), "v%d", i);
        HS_EXPECT_OK(c, "SET", key, val);
    }
}

/* Every key of steps 0..upto is on c (a primary) with its value. */
static void expect_steps(redisContext *c, const char *tag, int upto) {
    for (int step = 0; step <= upto; step++) {
        for (int i = 0; i < KEYS_PER_STEP; i++) {
            char key[96], val[32];
            snprintf(key, sizeof(key), "{%s}:%d:%d", tag, step, i);
            snprintf(val, sizeof(val), "v%d", i);
            HS_EXPECT_BULK(c, val, "GET", key);
        }
    }
}

/* WAIT for the one replica: the writes are acknowledged by it. */
static void wait_replicated(redisContext *c) {
    HS_EXPECT_INT(c, 1, "WAIT", "1", "10000");
}

/* Redis 7.0 keeps a replica's last election (its votes, its epoch) for
 * twice the election timeout (node_timeout * 2, at least 2 s, doubled): a
 * CLUSTER FAILOVER sooner "wins" with those stale votes and an old epoch,
 * and loses its slots again. minired starts a new election for each
 * CLUSTER FAILOVER; with MINIRED_REPL_AS_REDIS=1 the test waits that long. */
#define REDIS_ELECTION_RETRY_MS 4500
static void redis_election_gap(long long last_election) {
    const char *e = getenv("MINIRED_REPL_AS_REDIS");
    if (!e || strcmp(e, "1") != 0) return;
    long long left = last_election + REDIS_ELECTION_RETRY_MS - hs_now_ms();
    if (left > 0) hs_sleep_ms((int)left);
}

/* ------------------------------------------------------------ tests */

START_TEST(test_failover_errors) {
    if (skip_without_cluster("test_failover_errors")) return;
    cnode n;
    start_node(&n, HR_MINIRED);
    redisContext *c = n.c;
    HS_EXPECT_ERROR(c, "ERR You should send CLUSTER FAILOVER to a replica", "CLUSTER", "FAILOVER");
    HS_EXPECT_ERROR(c, "ERR You should send CLUSTER FAILOVER to a replica", "CLUSTER", "FAILOVER", "force");
    HS_EXPECT_ERROR(c, "ERR You should send CLUSTER FAILOVER to a replica", "CLUSTER", "FAILOVER", "TAKEOVER");
    HS_EXPECT_ERROR(c, "ERR syntax error", "CLUSTER", "FAILOVER", "SOON");
    HS_EXPECT_ERROR(c, "ERR unknown subcommand or wrong number of arguments for 'FAILOVER'. Try CLUSTER HELP.",
                    "CLUSTER", "FAILOVER", "FORCE", "NOW");
    stop_nodes(&n, 1);
}
END_TEST

/* A second replica of node p: a new node meets the cluster and
 * replicates p; returns once p streams to both replicas and every node
 * knows the new one. */
static void add_replica(cnode *extra, cnode *nodes, int p) {
    char port[16], cport[16], pid[41], xid[41], prim[41], id[41];
    start_node(extra, HR_MINIRED);
    snprintf(port, sizeof(port), "%d", nodes[0].s->port);
    snprintf(cport, sizeof(cport), "%d", nodes[0].cport);
    HS_EXPECT_OK(extra->c, "CLUSTER", "MEET", "127.0.0.1", port, cport);
    node_identity(nodes[p].c, pid, prim);
    node_identity(extra->c, xid, prim);
    long long deadline = hs_now_ms() + CLUSTER_OK_WAIT_MS;
    while (node_seen(extra->c, pid, id, prim) != 1) {
        ck_assert_msg(hs_now_ms() < deadline, "the new node never learned node %d", p);
        hs_sleep_ms(50);
    }
    HS_EXPECT_OK(extra->c, "CLUSTER", "REPLICATE", pid);
    for (int j = 0; j < NODES; j++) {
        while (node_seen(nodes[j].c, xid, id, prim) != 0 || strcmp(prim, pid) != 0) {
            ck_assert_msg(hs_now_ms() < deadline, "node %d never saw the new replica", j);
            hs_sleep_ms(50);
        }
    }
    while (hr_repl_ll(nodes[p].c, "connected_slaves") != 2) {
        ck_assert_msg(hs_now_ms() < deadline, "node %d does not stream to two replicas", p);
        hs_sleep_ms(50);
    }
}

/* Replica migration: once the orphaned primary n has been without a
 * replica for CLUSTER_REPLICA_MIGRATION_DELAY, one replica of the primary
 * with two (the one with the smaller name) moves to it. */
static void wait_migrated_to(cnode *n) {
    long long deadline = hs_now_ms() + FAILOVER_WAIT_MS;
    while (hr_repl_ll(n->c, "connected_slaves") != 1) {
        ck_assert_msg(hs_now_ms() < deadline, "no replica migrated to the orphaned primary");
        hs_sleep_ms(100);
    }
}

/* kill -9 of a primary: its replica wins the election, serves the slots
 * with the acknowledged writes, the cluster is ok again, writes work; then
 * a spare replica migrates to the new primary, left without one. */
START_TEST(test_failover_after_kill) {
    if (skip_without_cluster("test_failover_after_kill")) return;
    cnode nodes[NODES], extra;
    for (int i = 0; i < NODES; i++) start_node(&nodes[i], HR_MINIRED);
    create_cluster(nodes);
    arrange_replicas(nodes);
    wait_cluster_ok(nodes);
    add_replica(&extra, nodes, 1);
    char tag[32];
    key_tag_for(nodes[0].c, tag, sizeof(tag));
    write_step(nodes[0].c, tag, 0);
    wait_replicated(nodes[0].c);
    kill_node(&nodes[0]);
    wait_promoted(&nodes[3], NULL);
    wait_cluster_ok(nodes);
    expect_steps(nodes[3].c, tag, 0);
    write_step(nodes[3].c, tag, 1);
    expect_steps(nodes[3].c, tag, 1);
    /* Other nodes redirect the slot to the new primary. */
    char key[96];
    snprintf(key, sizeof(key), "{%s}:1:0", tag);
    redisReply *r = hs_command(nodes[1].c, HS_ARGS("GET", key));
    char want[64];
    snprintf(want, sizeof(want), ":%d", nodes[3].s->port);
    ck_assert_msg(r->type == REDIS_REPLY_ERROR && strncmp(r->str, "MOVED ", 6) == 0 && strstr(r->str, want),
                  "GET on another primary: %s", r->str ? r->str : "(not an error)");
    freeReplyObject(r);
    /* The promoted node has no replica; node 1 has two: one moves. */
    wait_migrated_to(&nodes[3]);
    HS_EXPECT_INT(nodes[3].c, 1, "WAIT", "1", "10000");
    stop_nodes(nodes, NODES);
    stop_nodes(&extra, 1);
}
END_TEST

/* CLUSTER FAILOVER in each mode, back and forth between one primary and
 * its replica: every write acknowledged before is on the new primary. The
 * default mode needs no WAIT (the primary pauses writers until its replica
 * caught up); FORCE and TAKEOVER do not wait, so the test WAITs first. */
START_TEST(test_manual_failover) {
    if (skip_without_cluster("test_manual_failover")) return;
    cnode nodes[NODES];
    for (int i = 0; i < NODES; i++) start_node(&nodes[i], HR_MINIRED);
    create_cluster(nodes);
    arrange_replicas(nodes);
    wait_cluster_ok(nodes);
    cnode *a = &nodes[1], *b = &nodes[4];
    char tag[32];
    key_tag_for(a->c, tag, sizeof(tag));
    wait_replicated(a->c);

    write_step(a->c, tag, 0);
    HS_EXPECT_OK(b->c, "CLUSTER", "FAILOVER");
    long long b_elected_at = hs_now_ms();
    wait_promoted(b, a);
    expect_steps(b->c, tag, 0);

    write_step(b->c, tag, 1);
    HS_EXPECT_OK(a->c, "CLUSTER", "FAILOVER");
    wait_promoted(a, b);
    expect_steps(a->c, tag, 1);

    write_step(a->c, tag, 2);
    wait_replicated(a->c);
    redis_election_gap(b_elected_at);
    HS_EXPECT_OK(b->c, "CLUSTER", "FAILOVER", "FORCE");
    b_elected_at = hs_now_ms();
    wait_promoted(b, a);
    expect_steps(b->c, tag, 2);

    write_step(b->c, tag, 3);
    wait_replicated(b->c);
    HS_EXPECT_OK(a->c, "CLUSTER", "FAILOVER", "TAKEOVER");
    wait_promoted(a, b);
    expect_steps(a->c, tag, 3);
    wait_cluster_ok(nodes);

    /* A replica of a dead primary refuses the default mode; FORCE goes. */
    HS_EXPECT_OK(b->c, "CONFIG", "SET", "cluster-replica-no-failover", "yes");
    wait_replicated(a->c);
    kill_node(a);
    long long deadline = hs_now_ms() + FAILOVER_WAIT_MS;
    for (;;) {
        redisReply *r = hs_command(b->c, HS_ARGS("CLUSTER", "FAILOVER"));
        int refused = r->type == REDIS_REPLY_ERROR;
        if (refused) HS_CHECK_ERROR(r, "ERR Master is down or failed, please use CLUSTER FAILOVER FORCE");
        freeReplyObject(r);
        if (refused) break;
        ck_assert_msg(hs_now_ms() < deadline, "CLUSTER FAILOVER never refused with the primary down");
        hs_sleep_ms(50);
        /* A default request accepted before the link dropped just times
         * out (no primary to pause). */
    }
    redis_election_gap(b_elected_at);
    HS_EXPECT_OK(b->c, "CLUSTER", "FAILOVER", "FORCE");
    wait_promoted(b, NULL);
    expect_steps(b->c, tag, 3);
    wait_cluster_ok(nodes);
    stop_nodes(nodes, NODES);
}
END_TEST

/* Primaries Redis, minired, Redis; replica i+3 of primary i is minired,
 * Redis, minired. kill -9 the first primary: a minired replica is elected
 * by a minired and a Redis primary. Then kill -9 the minired primary: its
 * Redis replica is elected by the promoted minired node and a Redis one. */
START_TEST(test_mixed_failover) {
    if (skip_without_cluster("test_mixed_failover")) return;
    static const hr_kind kinds[NODES] = {HR_REDIS, HR_MINIRED, HR_REDIS, HR_MINIRED, HR_REDIS, HR_MINIRED};
    if (hs_redis_server_path() == NULL) {
        printf("note: test_mixed_failover: skipped: redis-server not installed\n");
        return;
    }
    cnode nodes[NODES];
    for (int i = 0; i < NODES; i++) start_node(&nodes[i], kinds[i]);
    create_cluster(nodes);
    arrange_replicas(nodes);
    wait_cluster_ok(nodes);
    char tag0[32], tag1[32];
    key_tag_for(nodes[0].c, tag0, sizeof(tag0));
    key_tag_for(nodes[1].c, tag1, sizeof(tag1));
    write_step(nodes[0].c, tag0, 0);
    write_step(nodes[1].c, tag1, 0);
    wait_replicated(nodes[0].c);
    wait_replicated(nodes[1].c);

    kill_node(&nodes[0]);
    wait_promoted(&nodes[3], NULL);
    wait_cluster_ok(nodes);
    expect_steps(nodes[3].c, tag0, 0);

    kill_node(&nodes[1]);
    wait_promoted(&nodes[4], NULL);
    wait_cluster_ok(nodes);
    expect_steps(nodes[4].c, tag1, 0);
    write_step(nodes[4].c, tag1, 1);
    write_step(nodes[3].c, tag0, 1);
    ck_assert(is_primary(nodes[3].c) && is_primary(nodes[4].c));
    stop_nodes(nodes, NODES);
}
END_TEST

int main(void) {
    Suite *s = suite_create("cluster_failover");
    TCase *tc = hs_tcase(s, "errors");
    tcase_add_test(tc, test_failover_errors);
    tc = hs_tcase(s, "kill");
    tcase_set_timeout(tc, WHOLE_TEST_TIMEOUT_S);
    tcase_add_test(tc, test_failover_after_kill);
    tc = hs_tcase(s, "manual");
    tcase_set_timeout(tc, WHOLE_TEST_TIMEOUT_S);
    tcase_add_test(tc, test_manual_failover);
    tc = hs_tcase(s, "mixed");
    tcase_set_timeout(tc, WHOLE_TEST_TIMEOUT_S);
    tcase_add_test(tc, test_mixed_failover);
    return hs_run_suite(s) == 0 ? 0 : 1;
}
