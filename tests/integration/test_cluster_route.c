/* test_cluster_route.c -- which node serves a command on a cluster node:
 * -MOVED, -ASK, -CROSSSLOT, -TRYAGAIN, -CLUSTERDOWN, ASKING on an
 * importing slot, READONLY reads on a replica, EXEC routed by its queue,
 * scripts' key rules, blocked clients of a slot that moved, shard channels
 * of a lost slot, and the commands a cluster node refuses.
 *
 * One primary A (slots 0-5460) and one replica of it run for real; the
 * other primaries B (5461-10922) and C (10923-16383) exist only in their
 * nodes.conf (nothing listens on their ports, and the node timeout is long
 * enough that nobody suspects them), so the slot map is fixed from the
 * start and no timing of the bus enters a test. Every text was checked
 * against a Redis 7.0.15 cluster (3 primaries + 3 replicas). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "harness.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_C "cccccccccccccccccccccccccccccccccccccccc"
#define ID_R "dddddddddddddddddddddddddddddddddddddddd"
/* Nobody is suspected during the tests (PFAIL needs this much silence). */
#define NODE_TIMEOUT_MS 600000
/* A primary's first "ok" comes 2 s after start; allow for a slow build. */
#define STATE_WAIT_MS 15000
#define POLL_MS 20
#define RAW_WAIT_MS 3000
/* Slots of the hash tags used below (CLUSTER KEYSLOT). */
#define SLOT_B_TAG "3300"   /* {b}, A's */
#define SLOT_BAR "5061"     /* {bar}, A's */
#define SLOT_F "3168"       /* {f}, A's: moved to B and back */
#define SLOT_S "3828"       /* {s}, A's: migrating to B */
#define SLOT_W "3696"       /* {w}, A's: deleted (down tests) */
#define SLOT_LOST "675"     /* {lost}, A's: deleted (shard channels) */
#define SLOT_G "7233"       /* {g}, B's: importing from B */
#define CROSSSLOT "CROSSSLOT Keys in request don't hash to the same slot"
#define TRYAGAIN "TRYAGAIN Multiple keys request during rehashing of slot"
#define DOWN "CLUSTERDOWN The cluster is down"
#define DOWN_RO "CLUSTERDOWN The cluster is down and only accepts read commands"
#define UNBOUND "CLUSTERDOWN Hash slot not served"
#define NON_LOCAL "ERR Script attempted to access a non local key in a cluster node script: "

static hs_conf_server node_a, node_r;
static int port_b, port_c;
static char moved_c_foo[64], moved_b_c[64], moved_a_ro[64], ask_s[64], moved_g[64], moved_f[64];

/* ---------------------------------------------------------- fixture */

static void write_file(const char *path, const char *text) {
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

/* nodes.conf of the node `me` (ID_A or ID_R): the same map, myself marked. */
static void write_nodes_conf(const hs_conf_server *s, const char *me, int bus_a, int bus_r) {
    char path[300], text[2048];
    snprintf(path, sizeof(path), "%s/nodes.conf", s->dir);
    int is_a = strcmp(me, ID_A) == 0;
    snprintf(text, sizeof(text),
             ID_A " 127.0.0.1:%d@%d %s - 0 0 1 connected 0-5460\n"
             ID_B " 127.0.0.1:%d@%d master - 0 0 2 connected 5461-10922\n"
             ID_C " 127.0.0.1:%d@%d master - 0 0 3 connected 10923-16383\n"
             ID_R " 127.0.0.1:%d@%d %s " ID_A " 0 0 1 connected\n"
             "vars currentEpoch 3 lastVoteEpoch 0\n",
             node_a.port, bus_a, is_a ? "myself,master" : "master", port_b, port_b + 1, port_c, port_c + 1,
             node_r.port, bus_r, is_a ? "slave" : "myself,slave");
    write_file(path, text);
}

static void write_conf(const hs_conf_server *s, int bus_port) {
    char text[1024];
    snprintf(text, sizeof(text),
             "port %d\nbind 127.0.0.1\ndir %s\nsave \"\"\ncluster-enabled yes\ncluster-config-file nodes.conf\n"
             "cluster-port %d\ncluster-node-timeout %d\n",
             s->port, s->dir, bus_port, NODE_TIMEOUT_MS);
    write_file(s->conf, text);
}

static redisContext *connect_port(int port) {
    redisContext *c = redisConnect("127.0.0.1", port);
    ck_assert_msg(c && !c->err, "connect to %d", port);
    struct timeval tv = {HS_REPLY_TIMEOUT_MS / 1000, 0};
    redisSetTimeout(c, tv);
    return c;
}

/* Waits until CLUSTER INFO says cluster_state:<state>. */
static void wait_state(int port, const char *state) {
    redisContext *c = connect_port(port);
    char want[64];
    snprintf(want, sizeof(want), "cluster_state:%s\r\n", state);
    long long deadline = hs_now_ms() + STATE_WAIT_MS;
    for (;;) {
        redisReply *r = hs_command(c, HS_ARGS("CLUSTER", "INFO"));
        int ok = r->type == REDIS_REPLY_STRING && strstr(r->str, want) != NULL;
        freeReplyObject(r);
        if (ok) break;
        ck_assert_msg(hs_now_ms() < deadline, "port %d never reached %s", port, want);
        hs_sleep_ms(POLL_MS);
    }
    redisFree(c);
}

static void start_nodes(void) {
    hs_conf_server_init(&node_a, "clroute-a");
    hs_conf_server_init(&node_r, "clroute-r");
    int bus_a = hs_free_port(), bus_r = hs_free_port();
    /* B and C: ports nobody listens on (their bus ports are port + 1). */
    port_b = hs_free_port();
    port_c = hs_free_port();
    write_nodes_conf(&node_a, ID_A, bus_a, bus_r);
    write_nodes_conf(&node_r, ID_R, bus_a, bus_r);
    write_conf(&node_a, bus_a);
    write_conf(&node_r, bus_r);
    hs_conf_server_start(&node_a, hs_server_path());
    hs_conf_server_start(&node_r, hs_server_path());
    wait_state(node_a.port, "ok");
    wait_state(node_r.port, "ok");
    snprintf(moved_c_foo, sizeof(moved_c_foo), "MOVED 12182 127.0.0.1:%d", port_c);
    snprintf(moved_b_c, sizeof(moved_b_c), "MOVED 7365 127.0.0.1:%d", port_b);
    snprintf(moved_a_ro, sizeof(moved_a_ro), "MOVED " SLOT_BAR " 127.0.0.1:%d", node_a.port);
    snprintf(ask_s, sizeof(ask_s), "ASK " SLOT_S " 127.0.0.1:%d", port_b);
    snprintf(moved_g, sizeof(moved_g), "MOVED " SLOT_G " 127.0.0.1:%d", port_b);
    snprintf(moved_f, sizeof(moved_f), "MOVED " SLOT_F " 127.0.0.1:%d", port_b);
}

static void stop_nodes(void) {
    hs_conf_server_stop(&node_r);
    hs_conf_server_stop(&node_a);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s", node_a.dir, node_r.dir);
    if (getenv("KEEPDIRS") == NULL) ck_assert_int_eq(system(cmd), 0);
}

/* ---------------------------------------------------------- helpers */

static int raw_connect_port(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ne(fd, -1);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

/* Reads until want arrived (fails the test otherwise). */
static void raw_expect_bytes(int fd, const char *want) {
    hs_buf got = hs_raw_read_until(fd, want, RAW_WAIT_MS);
    HS_CHECK_BYTES(got, want);
    hs_buf_free(&got);
}

/* A new connection to A blocked in args, once A counts n blocked clients. */
static redisContext *block_on_a(redisContext *observer, const char *const *args, long n) {
    redisContext *c = connect_port(node_a.port);
    hs_send_only(c, args);
    hs_wait_blocked(observer, n);
    return c;
}

/* ---------------------------------------------------------- keys */

START_TEST(test_keys_served_moved_crossslot) {
    redisContext *c = connect_port(node_a.port);
    HS_EXPECT_OK(c, "SET", "{b}1", "v");
    HS_EXPECT_BULK(c, "v", "GET", "{b}1");
    HS_EXPECT_ERROR(c, moved_c_foo, "GET", "foo");
    HS_EXPECT_ERROR(c, moved_c_foo, "SET", "foo", "1");
    HS_EXPECT_ERROR(c, moved_b_c, "MGET", "c", "{c}2");
    HS_EXPECT_ERROR(c, CROSSSLOT, "MSET", "{b}1", "x", "{bar}1", "y");
    /* the first key's slot decides, the others must follow it */
    HS_EXPECT_ERROR(c, CROSSSLOT, "MGET", "{b}1", "foo");
    HS_EXPECT_ERROR(c, moved_c_foo, "MGET", "foo", "{foo}x");
    HS_EXPECT_OK(c, "MSET", "{b}1", "x", "{b}2", "y");
    HS_EXPECT_INT(c, 2, "EXISTS", "{b}1", "{b}1");
    HS_EXPECT_INT(c, 2, "DEL", "{b}1", "{b}2", "{b}1");
    /* keys named by keywords and counts */
    HS_EXPECT_ERROR(c, CROSSSLOT, "XREAD", "STREAMS", "{b}s", "{bar}s", "0", "0");
    HS_EXPECT_ERROR(c, CROSSSLOT, "ZUNIONSTORE", "{b}d", "2", "{b}x", "{bar}x");
    HS_EXPECT_ERROR(c, moved_c_foo, "EVAL", "return 1", "1", "foo");
    HS_EXPECT_ERROR(c, CROSSSLOT, "EVAL", "return 1", "2", "{b}1", "{bar}1");
    /* commands without keys, and key arguments the specs cannot place
     * (the command replies its own error) */
    HS_EXPECT_STATUS(c, "PONG", "PING");
    HS_EXPECT_INT(c, 0, "DBSIZE");
    HS_EXPECT_ERROR(c, "ERR value is not an integer or out of range", "EVAL", "return 1", "x", "foo");
    HS_EXPECT_ERROR(c, "ERR Number of keys can't be greater than number of args", "EVAL", "return 1", "5", "foo");
    HS_EXPECT_ERROR(c, "ERR at least 1 input key is needed for 'zunionstore' command", "ZUNIONSTORE", "{b}d", "0",
                    "foo");
    /* shard channels route like keys */
    HS_EXPECT_INT(c, 0, "SPUBLISH", "{b}ch", "m");
    HS_EXPECT_ERROR(c, moved_c_foo, "SPUBLISH", "foo", "m");
    HS_EXPECT_ERROR(c, moved_c_foo, "SSUBSCRIBE", "foo");
    HS_EXPECT_ERROR(c, CROSSSLOT, "SSUBSCRIBE", "{b}x", "{bar}x");
    /* the arity check comes first */
    HS_EXPECT_ARITY(c, "get", "GET");
    HS_EXPECT_ARITY(c, "get", "GET", "foo", "x");
    redisFree(c);
}
END_TEST

START_TEST(test_exec_routed_by_queue) {
    redisContext *c = connect_port(node_a.port);
    /* each queued command is local, together they are not: EXEC itself
     * is redirected and the transaction is gone */
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "SET", "{b}1", "1");
    HS_EXPECT_STATUS(c, "QUEUED", "SET", "{bar}1", "1");
    HS_EXPECT_ERROR(c, CROSSSLOT, "EXEC");
    HS_EXPECT_ERROR(c, "ERR EXEC without MULTI", "EXEC");
    HS_EXPECT_INT(c, 0, "EXISTS", "{b}1");
    /* a queued command of another node dooms the transaction */
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "SET", "{b}1", "1");
    HS_EXPECT_ERROR(c, moved_c_foo, "GET", "foo");
    HS_EXPECT_ERROR(c, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
    /* one slot, or no key at all */
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "SET", "{b}1", "1");
    HS_EXPECT_STATUS(c, "QUEUED", "GET", "{b}1");
    HS_EXPECT_STATUS(c, "QUEUED", "PING");
    redisReply *r = hs_command(c, HS_ARGS("EXEC"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq((int)r->elements, 3);
    freeReplyObject(r);
    HS_EXPECT_INT(c, 1, "DEL", "{b}1");
    redisFree(c);
}
END_TEST

/* ---------------------------------------------------------- refusals */

START_TEST(test_cluster_mode_refusals) {
    redisContext *c = connect_port(node_a.port);
    HS_EXPECT_OK(c, "SET", "{b}k", "v");
    HS_EXPECT_ERROR(c, "ERR SELECT is not allowed in cluster mode", "SELECT", "1");
    HS_EXPECT_ERROR(c, "ERR SELECT is not allowed in cluster mode", "SELECT", "100");
    HS_EXPECT_ERROR(c, "ERR value is not an integer or out of range", "SELECT", "x");
    HS_EXPECT_OK(c, "SELECT", "0");
    HS_EXPECT_ERROR(c, "ERR MOVE is not allowed in cluster mode", "MOVE", "{b}k", "1");
    HS_EXPECT_ERROR(c, "ERR MOVE is not allowed in cluster mode", "MOVE", "{b}k", "x");
    HS_EXPECT_ERROR(c, "ERR SWAPDB is not allowed in cluster mode", "SWAPDB", "0", "1");
    HS_EXPECT_ERROR(c, "ERR SWAPDB is not allowed in cluster mode", "SWAPDB", "x", "y");
    HS_EXPECT_ERROR(c, "ERR Copying to another database is not allowed in cluster mode", "COPY", "{b}k", "{b}k2", "DB",
                    "1");
    HS_EXPECT_ERROR(c, "ERR DB index is out of range", "COPY", "{b}k", "{b}k2", "DB", "100");
    HS_EXPECT_ERROR(c, "ERR syntax error", "COPY", "{b}k", "{b}k2", "DB", "1", "XX");
    HS_EXPECT_INT(c, 1, "COPY", "{b}k", "{b}k2", "DB", "0");
    HS_EXPECT_ERROR(c, "ERR REPLICAOF not allowed in cluster mode.", "REPLICAOF", "NO", "ONE");
    HS_EXPECT_ERROR(c, "ERR REPLICAOF not allowed in cluster mode.", "SLAVEOF", "127.0.0.1", "1");
    HS_EXPECT_ERROR(c, "ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.", "FAILOVER");
    HS_EXPECT_ERROR(c, "ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.", "FAILOVER",
                    "ABORT");
    HS_EXPECT_ERROR(c, "ERR BY option of SORT denied in Cluster mode.", "SORT", "{b}l", "BY", "w*");
    HS_EXPECT_ERROR(c, "ERR GET option of SORT denied in Cluster mode.", "SORT", "{b}l", "GET", "#");
    HS_EXPECT_ERROR(c, "ERR GET option of SORT denied in Cluster mode.", "SORT_RO", "{b}l", "GET", "#");
    HS_EXPECT_ERROR(c, "ERR value is not an integer or out of range", "SORT", "{b}l", "LIMIT", "0", "x", "GET", "#");
    HS_EXPECT_BULKS(c, HS_ARGS(NULL), "SORT", "{b}l", "BY", "nosort");
    /* inside a transaction and a script too */
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "SELECT", "1");
    redisReply *r = hs_command(c, HS_ARGS("EXEC"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq((int)r->elements, 1);
    HS_CHECK_ERROR(r->element[0], "ERR SELECT is not allowed in cluster mode");
    freeReplyObject(r);
    HS_EXPECT_ERROR_PREFIX(c, "ERR SELECT is not allowed in cluster mode script: ", "EVAL",
                           "return redis.call('select',1)", "0");
    HS_EXPECT_ERROR(c, "ERR Can not run script on cluster, 'no-cluster' flag is set.", "EVAL",
                    "#!lua flags=no-cluster\nreturn 1", "0");
    HS_EXPECT_INT(c, 2, "DEL", "{b}k", "{b}k2");
    redisFree(c);
    /* a replicaof directive is refused at start */
    hs_buf out = {0};
    int st = hs_run_server_once(HS_ARGS("--port", "0", "--cluster-enabled", "yes", "--replicaof", "127.0.0.1", "1"),
                                HS_START_TIMEOUT_MS, &out);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status 0x%x", st);
    ck_assert_msg(strstr(out.data, "\n*** FATAL CONFIG FILE ERROR (") != NULL &&
                      strstr(out.data, ") ***\nreplicaof directive not allowed in cluster mode\n") != NULL,
                  "%s", out.data);
    hs_buf_free(&out);
}
END_TEST

/* ---------------------------------------------------------- scripts */

START_TEST(test_script_keys) {
    redisContext *c = connect_port(node_a.port);
    HS_EXPECT_OK(c, "SET", "{b}1", "x");
    HS_EXPECT_OK(c, "SET", "{bar}1", "y");
    HS_EXPECT_ERROR_PREFIX(c, NON_LOCAL, "EVAL", "return redis.call('get','foo')", "0");
    HS_EXPECT_ERROR_PREFIX(c, NON_LOCAL, "EVAL", "#!lua\nreturn redis.call('get','foo')", "0");
    /* pcall gets the bare text */
    HS_EXPECT_ERROR(c, "ERR Script attempted to access a non local key in a cluster node", "EVAL",
                    "return redis.pcall('get','foo')", "0");
    /* local keys of two slots: only EVAL without a shebang may */
    HS_EXPECT_BULK(c, "y", "EVAL", "redis.call('get','{b}1'); return redis.call('get','{bar}1')", "0");
    HS_EXPECT_ERROR_PREFIX(c, "ERR Script attempted to access keys that do not hash to the same slot script: ", "EVAL",
                           "#!lua\nredis.call('get','{b}1'); return redis.call('get','{bar}1')", "0");
    HS_EXPECT_ERROR_PREFIX(c, "ERR Script attempted to access keys that do not hash to the same slot script: ", "EVAL",
                           "#!lua\nreturn redis.call('get','{bar}1')", "1", "{b}1");
    HS_EXPECT_BULK(c, "y", "EVAL",
                   "#!lua flags=allow-cross-slot-keys\nredis.call('get','{b}1'); return redis.call('get','{bar}1')",
                   "1", "{b}1");
    /* the slot is the running command's: a new command starts afresh,
     * a transaction keeps one for all its commands */
    HS_EXPECT_BULK(c, "x", "GET", "{b}1");
    HS_EXPECT_BULK(c, "y", "EVAL", "#!lua\nreturn redis.call('get','{bar}1')", "0");
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "GET", "{b}1");
    HS_EXPECT_STATUS(c, "QUEUED", "EVAL", "#!lua\nreturn redis.call('get','{bar}1')", "0");
    redisReply *r = hs_command(c, HS_ARGS("EXEC"));
    ck_assert_int_eq((int)r->elements, 2);
    HS_CHECK_BULK(r->element[0], "x", 1);
    ck_assert_int_eq(r->element[1]->type, REDIS_REPLY_ERROR);
    ck_assert_ptr_nonnull(strstr(r->element[1]->str, "do not hash to the same slot"));
    freeReplyObject(r);
    /* functions */
    HS_EXPECT_BULK(c, "rt", "FUNCTION", "LOAD", "REPLACE",
                   "#!lua name=rt\nredis.register_function('g', function(k, a) return redis.call('get', a[1]) end)");
    HS_EXPECT_ERROR(c,
                    "ERR Script attempted to access keys that do not hash to the same slot script: g, on "
                    "@user_function:2.",
                    "FCALL", "g", "1", "{bar}1", "{b}1");
    HS_EXPECT_BULK(c, "y", "FCALL", "g", "1", "{bar}1", "{bar}1");
    HS_EXPECT_BULK(c, "y", "FCALL", "g", "0", "{bar}1");
    HS_EXPECT_ERROR(c, NON_LOCAL "g, on @user_function:2.", "FCALL", "g", "0", "foo");
    HS_EXPECT_ERROR(c, moved_c_foo, "FCALL", "g", "1", "foo", "foo");
    HS_EXPECT_OK(c, "FUNCTION", "FLUSH");
    HS_EXPECT_INT(c, 1, "DEL", "{b}1");
    HS_EXPECT_INT(c, 1, "DEL", "{bar}1");
    redisFree(c);
}
END_TEST

/* ---------------------------------------------------------- open slots */

START_TEST(test_migrating_slot) {
    redisContext *c = connect_port(node_a.port);
    HS_EXPECT_OK(c, "SET", "{s}1", "v");
    HS_EXPECT_OK(c, "CLUSTER", "SETSLOT", SLOT_S, "MIGRATING", ID_B);
    HS_EXPECT_BULK(c, "v", "GET", "{s}1");
    HS_EXPECT_ERROR(c, ask_s, "GET", "{s}2");
    HS_EXPECT_ERROR(c, ask_s, "SET", "{s}2", "x");
    HS_EXPECT_ERROR(c, ask_s, "MGET", "{s}2", "{s}3");
    HS_EXPECT_ERROR(c, ask_s, "MGET", "{s}2", "{s}2");
    HS_EXPECT_ERROR(c, TRYAGAIN, "MGET", "{s}1", "{s}2");
    HS_EXPECT_ERROR(c, TRYAGAIN, "DEL", "{s}2", "{s}1");
    HS_EXPECT_BULKS(c, HS_ARGS("v", "v"), "MGET", "{s}1", "{s}1");
    /* shard channels are not keys: never asked for */
    HS_EXPECT_INT(c, 0, "SPUBLISH", "{s}2", "m");
    HS_EXPECT_ERROR(c, ask_s, "EVAL", "return redis.call('get',KEYS[1])", "1", "{s}2");
    HS_EXPECT_ERROR_PREFIX(c, NON_LOCAL, "EVAL", "return redis.call('get','{s}2')", "0");
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "GET", "{s}1");
    HS_EXPECT_ERROR(c, ask_s, "GET", "{s}2");
    HS_EXPECT_ERROR(c, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
    /* ASKING is for the importing side */
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_ERROR(c, ask_s, "GET", "{s}2");
    HS_EXPECT_OK(c, "CLUSTER", "SETSLOT", SLOT_S, "STABLE");
    HS_EXPECT_NIL(c, "GET", "{s}2");
    HS_EXPECT_INT(c, 1, "DEL", "{s}1");
    redisFree(c);
}
END_TEST

START_TEST(test_importing_slot_asking) {
    redisContext *c = connect_port(node_a.port);
    HS_EXPECT_OK(c, "CLUSTER", "SETSLOT", SLOT_G, "IMPORTING", ID_B);
    HS_EXPECT_ERROR(c, moved_g, "GET", "{g}1");
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_NIL(c, "GET", "{g}1");
    /* for one command only */
    HS_EXPECT_ERROR(c, moved_g, "GET", "{g}1");
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_OK(c, "SET", "{g}1", "5");
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_ERROR(c, TRYAGAIN, "MGET", "{g}1", "{g}2");
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_BULKS(c, HS_ARGS("5", "5"), "MGET", "{g}1", "{g}1");
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_STATUS(c, "PONG", "PING");
    HS_EXPECT_ERROR(c, moved_g, "GET", "{g}1");
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_ERROR_PREFIX(c, "ERR unknown command 'NOSUCH'", "NOSUCH");
    HS_EXPECT_ERROR(c, moved_g, "GET", "{g}1");
    /* ASKING covers a whole transaction, MULTI to EXEC */
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "GET", "{g}1");
    HS_EXPECT_STATUS(c, "QUEUED", "SET", "{g}1", "6");
    redisReply *r = hs_command(c, HS_ARGS("EXEC"));
    ck_assert_int_eq((int)r->elements, 2);
    HS_CHECK_BULK(r->element[0], "5", 1);
    freeReplyObject(r);
    HS_EXPECT_ERROR(c, moved_g, "GET", "{g}1");
    /* ... but ASKING queued inside one is too late */
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "ASKING");
    HS_EXPECT_ERROR(c, moved_g, "GET", "{g}1");
    HS_EXPECT_ERROR(c, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
    /* a script's commands under its caller's ASKING */
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_BULK(c, "6", "EVAL", "return redis.call('get',KEYS[1])", "1", "{g}1");
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_BULK(c, "6", "EVAL", "#!lua\nreturn redis.call('get','{g}1')", "0");
    /* ASKING opens an importing slot only */
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_ERROR(c, moved_b_c, "GET", "c");
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_ERROR(c, TRYAGAIN, "DEL", "{g}1", "{g}2");
    HS_EXPECT_OK(c, "ASKING");
    HS_EXPECT_INT(c, 1, "DEL", "{g}1");
    HS_EXPECT_OK(c, "CLUSTER", "SETSLOT", SLOT_G, "STABLE");
    HS_EXPECT_ERROR(c, moved_g, "GET", "{g}1");
    redisFree(c);
}
END_TEST

/* ---------------------------------------------------------- replica */

START_TEST(test_replica_readonly) {
    redisContext *c = connect_port(node_r.port);
    HS_EXPECT_ERROR(c, moved_a_ro, "GET", "{bar}ro");
    /* shard channels of its primary: served to anyone */
    HS_EXPECT_INT(c, 0, "SPUBLISH", "{bar}c", "m");
    HS_EXPECT_ERROR(c, moved_c_foo, "SPUBLISH", "foo", "m");
    HS_EXPECT_OK(c, "READONLY");
    HS_EXPECT_NIL(c, "GET", "{bar}ro");
    HS_EXPECT_ERROR(c, moved_a_ro, "SET", "{bar}ro", "x");
    HS_EXPECT_ERROR(c, moved_c_foo, "GET", "foo");
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "GET", "{bar}ro");
    redisReply *r = hs_command(c, HS_ARGS("EXEC"));
    ck_assert_int_eq((int)r->elements, 1);
    freeReplyObject(r);
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "GET", "{bar}ro");
    HS_EXPECT_ERROR(c, moved_a_ro, "SET", "{bar}ro", "x");
    HS_EXPECT_ERROR(c, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
    /* EVAL without a shebang is no write; with one it is, unless no-writes */
    HS_EXPECT_NIL(c, "EVAL", "return redis.call('get',KEYS[1])", "1", "{bar}ro");
    HS_EXPECT_ERROR(c, moved_a_ro, "EVAL", "#!lua\nreturn redis.call('get',KEYS[1])", "1", "{bar}ro");
    HS_EXPECT_NIL(c, "EVAL", "#!lua flags=no-writes\nreturn redis.call('get',KEYS[1])", "1", "{bar}ro");
    HS_EXPECT_ERROR_PREFIX(c, NON_LOCAL, "EVAL", "#!lua flags=no-writes\nreturn redis.call('get','foo')", "0");
    HS_EXPECT_OK(c, "READWRITE");
    HS_EXPECT_ERROR(c, moved_a_ro, "GET", "{bar}ro");
    /* CLIENT LIST's 'r'; RESET forgets READONLY */
    HS_EXPECT_OK(c, "READONLY");
    redisReply *info = hs_command(c, HS_ARGS("CLIENT", "INFO"));
    ck_assert_ptr_nonnull(strstr(info->str, " flags=r "));
    freeReplyObject(info);
    HS_EXPECT_STATUS(c, "RESET", "RESET");
    HS_EXPECT_ERROR(c, moved_a_ro, "GET", "{bar}ro");
    redisFree(c);
}
END_TEST

/* ---------------------------------------------------------- down */

START_TEST(test_cluster_down) {
    redisContext *c = connect_port(node_a.port);
    redisContext *bl = block_on_a(c, HS_ARGS("BLPOP", "{b}l", "0"), 1);
    /* a slot without owner: the cluster is down (full coverage) */
    HS_EXPECT_OK(c, "CLUSTER", "DELSLOTS", SLOT_W);
    wait_state(node_a.port, "fail");
    redisReply *r = hs_get_reply(bl);
    HS_CHECK_ERROR(r, DOWN);
    freeReplyObject(r);
    redisFree(bl);
    HS_EXPECT_ERROR(c, UNBOUND, "GET", "{w}1");
    HS_EXPECT_ERROR(c, DOWN, "GET", "{b}1");
    HS_EXPECT_ERROR(c, DOWN, "SET", "{b}1", "x");
    HS_EXPECT_STATUS(c, "PONG", "PING");
    HS_EXPECT_INT(c, 0, "SPUBLISH", "{b}c", "m");
    HS_EXPECT_ERROR_PREFIX(c, "ERR Script attempted to execute a command while the cluster is down script: ", "EVAL",
                           "#!lua\nreturn redis.call('get','{b}1')", "0");
    HS_EXPECT_OK(c, "CONFIG", "SET", "cluster-allow-reads-when-down", "yes");
    HS_EXPECT_NIL(c, "GET", "{b}1");
    HS_EXPECT_ERROR(c, DOWN_RO, "SET", "{b}1", "x");
    HS_EXPECT_ERROR(c, UNBOUND, "GET", "{w}1");
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_ERROR(c, DOWN_RO, "SET", "{b}1", "x");
    HS_EXPECT_ERROR(c, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
    HS_EXPECT_ERROR(c, DOWN_RO, "EVAL", "#!lua\nreturn redis.call('set',KEYS[1],1)", "1", "{b}1");
    HS_EXPECT_ERROR_PREFIX(c,
                           "ERR Script attempted to execute a write command while the cluster is down and readonly "
                           "script: ",
                           "EVAL", "return redis.call('set',KEYS[1],1)", "1", "{b}1");
    HS_EXPECT_OK(c, "CONFIG", "SET", "cluster-allow-pubsubshard-when-down", "no");
    HS_EXPECT_ERROR(c, DOWN, "SPUBLISH", "{b}c", "m");
    HS_EXPECT_OK(c, "CONFIG", "SET", "cluster-allow-pubsubshard-when-down", "yes", "cluster-allow-reads-when-down",
                 "no");
    /* without full coverage the cluster is up, the slot still unserved;
     * a client blocked on a slot that loses its owner learns it */
    HS_EXPECT_OK(c, "CONFIG", "SET", "cluster-require-full-coverage", "no");
    wait_state(node_a.port, "ok");
    HS_EXPECT_ERROR(c, UNBOUND, "GET", "{w}1");
    bl = block_on_a(c, HS_ARGS("BLPOP", "{b}l", "0"), 1);
    HS_EXPECT_OK(c, "CLUSTER", "DELSLOTS", SLOT_B_TAG);
    r = hs_get_reply(bl);
    HS_CHECK_ERROR(r, UNBOUND);
    freeReplyObject(r);
    redisFree(bl);
    HS_EXPECT_OK(c, "CLUSTER", "ADDSLOTS", SLOT_B_TAG, SLOT_W);
    HS_EXPECT_OK(c, "CONFIG", "SET", "cluster-require-full-coverage", "yes");
    wait_state(node_a.port, "ok");
    HS_EXPECT_NIL(c, "GET", "{w}1");
    redisFree(c);
}
END_TEST

/* ---------------------------------------------------------- moved slots */

START_TEST(test_blocked_clients_of_moved_slot) {
    redisContext *c = connect_port(node_a.port);
    redisContext *b1 = block_on_a(c, HS_ARGS("BLPOP", "{f}l", "0"), 1);
    redisContext *b2 = block_on_a(c, HS_ARGS("XREAD", "BLOCK", "0", "STREAMS", "{f}s", "$"), 2);
    redisContext *b3 = block_on_a(c, HS_ARGS("BLPOP", "{b}l", "0"), 3);
    redisContext *b4 = block_on_a(c, HS_ARGS("WAIT", "5", "0"), 4);
    HS_EXPECT_OK(c, "CLUSTER", "SETSLOT", SLOT_F, "NODE", ID_B);
    redisReply *r = hs_get_reply(b1);
    HS_CHECK_ERROR(r, moved_f);
    freeReplyObject(r);
    r = hs_get_reply(b2);
    HS_CHECK_ERROR(r, moved_f);
    freeReplyObject(r);
    /* other slots' waiters and WAIT stay */
    hs_wait_blocked(c, 2);
    HS_EXPECT_ERROR(c, moved_f, "GET", "{f}1");
    /* the slot comes back */
    HS_EXPECT_OK(c, "CLUSTER", "SETSLOT", SLOT_F, "NODE", ID_A);
    HS_EXPECT_NIL(c, "GET", "{f}1");
    HS_EXPECT_INT(c, 1, "RPUSH", "{b}l", "v");
    r = hs_get_reply(b3);
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    redisFree(b1);
    redisFree(b2);
    redisFree(b3);
    redisFree(b4);
    hs_wait_blocked(c, 0);
    redisFree(c);
}
END_TEST

START_TEST(test_lost_slot_unsubscribes_shard_channels) {
    int s2 = raw_connect_port(node_a.port);
    HS_RAW_SEND_STR(s2, "SSUBSCRIBE {lost}a {lost}b\r\nSUBSCRIBE {lost}a\r\n");
    raw_expect_bytes(s2, "*3\r\n$10\r\nssubscribe\r\n$7\r\n{lost}a\r\n:1\r\n"
                         "*3\r\n$10\r\nssubscribe\r\n$7\r\n{lost}b\r\n:2\r\n"
                         "*3\r\n$9\r\nsubscribe\r\n$7\r\n{lost}a\r\n:1\r\n");
    int s3 = raw_connect_port(node_a.port);
    HS_RAW_SEND_STR(s3, "HELLO 3\r\n");
    hs_buf hello = hs_raw_read_until(s3, "*0\r\n", RAW_WAIT_MS);
    hs_buf_free(&hello);
    HS_RAW_SEND_STR(s3, "SSUBSCRIBE {lost}b\r\n");
    raw_expect_bytes(s3, ">3\r\n$10\r\nssubscribe\r\n$7\r\n{lost}b\r\n:1\r\n");
    redisContext *c = connect_port(node_a.port);
    HS_EXPECT_INT(c, 2, "SPUBLISH", "{lost}b", "m");
    raw_expect_bytes(s2, "*3\r\n$8\r\nsmessage\r\n$7\r\n{lost}b\r\n$1\r\nm\r\n");
    raw_expect_bytes(s3, ">3\r\n$8\r\nsmessage\r\n$7\r\n{lost}b\r\n$1\r\nm\r\n");
    HS_EXPECT_OK(c, "CLUSTER", "DELSLOTS", SLOT_LOST);
    raw_expect_bytes(s2, "*3\r\n$12\r\nsunsubscribe\r\n$7\r\n{lost}a\r\n:1\r\n"
                         "*3\r\n$12\r\nsunsubscribe\r\n$7\r\n{lost}b\r\n:0\r\n");
    raw_expect_bytes(s3, ">3\r\n$12\r\nsunsubscribe\r\n$7\r\n{lost}b\r\n:0\r\n");
    /* still subscribed to the plain channel */
    HS_RAW_SEND_STR(s2, "PING\r\n");
    raw_expect_bytes(s2, "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    HS_RAW_SEND_STR(s3, "PING\r\n");
    raw_expect_bytes(s3, "+PONG\r\n");
    HS_EXPECT_OK(c, "CLUSTER", "ADDSLOTS", SLOT_LOST);
    wait_state(node_a.port, "ok");
    HS_EXPECT_INT(c, 0, "SPUBLISH", "{lost}b", "m");
    close(s2);
    close(s3);
    redisFree(c);
}
END_TEST

int main(void) {
    Suite *s = suite_create("cluster_route");
    TCase *tc = hs_tcase(s, "cluster_route");
    tcase_add_unchecked_fixture(tc, start_nodes, stop_nodes);
    tcase_add_test(tc, test_keys_served_moved_crossslot);
    tcase_add_test(tc, test_exec_routed_by_queue);
    tcase_add_test(tc, test_cluster_mode_refusals);
    tcase_add_test(tc, test_script_keys);
    tcase_add_test(tc, test_migrating_slot);
    tcase_add_test(tc, test_importing_slot_asking);
    tcase_add_test(tc, test_replica_readonly);
    tcase_add_test(tc, test_cluster_down);
    tcase_add_test(tc, test_blocked_clients_of_moved_slot);
    tcase_add_test(tc, test_lost_slot_unsubscribes_shard_channels);
    return hs_run_suite(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
