/* test_cluster_cmd.c -- integration tests for the CLUSTER command and
 * ASKING / READONLY / READWRITE (cluster_cmd.c): each subcommand's success
 * path, wrong arity, bad arguments and error texts (all taken from a Redis
 * 7.0.15 node), the answers without cluster-enabled, and RESP3 shapes.
 *
 * Three fixtures: a server without cluster, a lone cluster node, and a
 * cluster node started from a nodes.conf naming two peers that never
 * answer (so replicas, SETSLOT towards other nodes, FORGET and REPLICATE
 * can be checked without a bus). Ports are free ones, bus ports too. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PEER_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2"
#define PEER_C "ccccccccccccccccccccccccccccccccccccccc3"
#define MYSELF_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"
#define DISABLED "ERR This instance has cluster support disabled"
#define STATE_WAIT_MS 10000 /* a primary waits 2 s after start before ok */

static hs_server *srv;
static redisContext *rc;

/* ---------------------------------------------------------- fixtures */

static void setup_plain(void) {
    srv = hs_start(NULL);
    rc = hs_connect(srv);
}

static void setup_node(void) {
    char bus[32];
    snprintf(bus, sizeof(bus), "%d", hs_free_port());
    srv = hs_start(HS_ARGS("--cluster-enabled", "yes", "--cluster-config-file", "{dir}/nodes.conf",
                           "--cluster-port", bus, "--cluster-node-timeout", "60000"));
    rc = hs_connect(srv);
}

static void teardown(void) {
    redisFree(rc);
    hs_stop(srv);
}

/* The peers fixture runs from a config file of its own, next to a
 * nodes.conf written before start. */
static hs_conf_server peers;

static void setup_peers(void) {
    hs_conf_server_init(&peers, "clcmd");
    char path[600];
    snprintf(path, sizeof(path), "%s/nodes.conf", peers.dir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp,
            MYSELF_A " 127.0.0.1:%d@%d myself,master - 0 0 1 connected 0-99\n" PEER_B
                     " 127.0.0.1:1@11 master - 0 0 2 connected 100-199\n" PEER_C
                     " 127.0.0.1:2@12 slave " PEER_B " 0 0 2 connected\n"
                     "vars currentEpoch 2 lastVoteEpoch 0\n",
            peers.port, peers.port + 1);
    fclose(fp);
    fp = fopen(peers.conf, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp,
            "port %d\nbind 127.0.0.1\ndir %s\nsave \"\"\ncluster-enabled yes\ncluster-config-file nodes.conf\n"
            "cluster-port %d\ncluster-node-timeout 60000\n",
            peers.port, peers.dir, hs_free_port());
    fclose(fp);
    hs_conf_server_start(&peers, hs_server_path());
    rc = redisConnect("127.0.0.1", peers.port);
    ck_assert(rc && !rc->err);
}

static void teardown_peers(void) {
    redisFree(rc);
    hs_conf_server_stop(&peers);
}

/* ---------------------------------------------------------- helpers */

static hs_buf bulk_of(const char *const *args) {
    redisReply *r = hs_command(rc, args);
    ck_assert_msg(r->type == REDIS_REPLY_STRING, "type %d", r->type);
    hs_buf b = {0};
    hs_buf_cat(&b, r->str, r->len);
    freeReplyObject(r);
    return b;
}

static hs_buf cluster_nodes(void) {
    return bulk_of(HS_ARGS("CLUSTER", "NODES"));
}

/* The value of one CLUSTER INFO field, as an integer (or -1 if absent). */
static long long cluster_info_ll(const char *field) {
    hs_buf b = bulk_of(HS_ARGS("CLUSTER", "INFO"));
    char key[128];
    snprintf(key, sizeof(key), "%s:", field);
    const char *p = strstr(b.data, key);
    long long v = p ? atoll(p + strlen(key)) : -1;
    hs_buf_free(&b);
    return v;
}

static void wait_cluster_state_ok(void) {
    long long until = hs_now_ms() + STATE_WAIT_MS;
    for (;;) {
        hs_buf b = bulk_of(HS_ARGS("CLUSTER", "INFO"));
        int ok = strncmp(b.data, "cluster_state:ok\r\n", 18) == 0;
        hs_buf_free(&b);
        if (ok) return;
        ck_assert_msg(hs_now_ms() < until, "cluster_state never became ok");
        hs_sleep_ms(20);
    }
}

static void expect_nodes_has(const char *needle) {
    hs_buf b = cluster_nodes();
    ck_assert_msg(strstr(b.data, needle) != NULL, "no '%s' in:\n%s", needle, b.data);
    hs_buf_free(&b);
}

static void expect_nodes_lacks(const char *needle) {
    hs_buf b = cluster_nodes();
    ck_assert_msg(strstr(b.data, needle) == NULL, "'%s' in:\n%s", needle, b.data);
    hs_buf_free(&b);
}

static void myid(char out[41]) {
    hs_buf b = bulk_of(HS_ARGS("CLUSTER", "MYID"));
    ck_assert_uint_eq(b.len, 40);
    memcpy(out, b.data, 41);
    hs_buf_free(&b);
}

/* ---------------------------------------------------------- without cluster */

START_TEST(test_disabled_answers) {
    static const char *const subs[][4] = {
        {"INFO"}, {"MYID"}, {"NODES"}, {"SLOTS"}, {"SHARDS"}, {"LINKS"}, {"HELP"}, {"SAVECONFIG"},
        {"BUMPEPOCH"}, {"FLUSHSLOTS"}, {"FAILOVER"}, {"RESET"}, {"KEYSLOT", "foo"}, {"COUNTKEYSINSLOT", "1"},
        {"GETKEYSINSLOT", "1", "1"}, {"ADDSLOTS", "1"}, {"ADDSLOTSRANGE", "1", "2"}, {"DELSLOTS", "1"},
        {"DELSLOTSRANGE", "1", "2"}, {"SETSLOT", "1", "STABLE"}, {"MEET", "127.0.0.1", "7000"},
        {"FORGET", "x"}, {"REPLICATE", "x"}, {"REPLICAS", "x"}, {"SLAVES", "x"}, {"SET-CONFIG-EPOCH", "1"},
        {"COUNT-FAILURE-REPORTS", "x"}};
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        const char *argv[5] = {"CLUSTER"};
        int argc = 1;
        for (int j = 0; j < 4 && subs[i][j]; j++) argv[argc++] = subs[i][j];
        redisReply *r = hs_command_argv(rc, argc, argv, NULL);
        HS_CHECK_ERROR(r, DISABLED);
        freeReplyObject(r);
    }
    HS_EXPECT_ERROR(rc, DISABLED, "ASKING");
    HS_EXPECT_ERROR(rc, DISABLED, "READONLY");
    HS_EXPECT_ERROR(rc, DISABLED, "READWRITE");
    /* The arity check and the unknown subcommand come first. */
    HS_EXPECT_ARITY(rc, "cluster", "CLUSTER");
    HS_EXPECT_ARITY(rc, "cluster|info", "CLUSTER", "INFO", "x");
    HS_EXPECT_ARITY(rc, "cluster|keyslot", "CLUSTER", "KEYSLOT");
    HS_EXPECT_ARITY(rc, "asking", "ASKING", "x");
    HS_EXPECT_ARITY(rc, "readonly", "READONLY", "x");
    HS_EXPECT_ARITY(rc, "readwrite", "READWRITE", "x");
    HS_EXPECT_ERROR(rc, "ERR unknown subcommand 'foo'. Try CLUSTER HELP.", "CLUSTER", "foo");
}
END_TEST

START_TEST(test_command_table) {
    redisReply *r = hs_command(rc, HS_ARGS("COMMAND", "INFO", "asking", "cluster|setslot"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 2);
    ck_assert_str_eq(r->element[0]->element[0]->str, "asking");
    ck_assert_int_eq(r->element[0]->element[1]->integer, 1);
    ck_assert_str_eq(r->element[1]->element[0]->str, "cluster|setslot");
    ck_assert_int_eq(r->element[1]->element[1]->integer, -4);
    freeReplyObject(r);
    r = hs_command(rc, HS_ARGS("COMMAND", "INFO", "cluster"));
    ck_assert_uint_eq(r->element[0]->element[9]->elements, 27); /* subcommands */
    freeReplyObject(r);
}
END_TEST

/* ---------------------------------------------------------- a lone node */

START_TEST(test_myid_info_nodes) {
    char id[41];
    myid(id);
    for (int i = 0; i < 40; i++) ck_assert(isdigit((unsigned char)id[i]) || (id[i] >= 'a' && id[i] <= 'f'));
    /* cluster_size is 1 for a primary's first 2 s, then 0, as Redis's. */
    hs_buf info = bulk_of(HS_ARGS("CLUSTER", "INFO"));
    char *size = strstr(info.data, "\r\ncluster_size:");
    ck_assert_ptr_nonnull(size);
    size[15] = 'N';
    const char *want = "cluster_state:fail\r\ncluster_slots_assigned:0\r\ncluster_slots_ok:0\r\n"
                       "cluster_slots_pfail:0\r\ncluster_slots_fail:0\r\ncluster_known_nodes:1\r\n"
                       "cluster_size:N\r\ncluster_current_epoch:0\r\ncluster_my_epoch:0\r\n"
                       "cluster_stats_messages_sent:0\r\ncluster_stats_messages_received:0\r\n"
                       "total_cluster_links_buffer_limit_exceeded:0\r\n";
    HS_CHECK_BYTES(info, want);
    hs_buf_free(&info);
    char line[128];
    snprintf(line, sizeof(line), "%s :%d@", id, srv->port);
    expect_nodes_has(line);
    expect_nodes_has(" myself,master - 0 0 0 connected\n");
    HS_EXPECT_ARITY(rc, "cluster|myid", "CLUSTER", "MYID", "x");
    HS_EXPECT_ARITY(rc, "cluster|nodes", "CLUSTER", "NODES", "x");
    HS_EXPECT_ARITY(rc, "cluster|info", "CLUSTER", "INFO", "x");
    redisReply *r = hs_command(rc, HS_ARGS("CLUSTER", "LINKS"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_ARITY(rc, "cluster|links", "CLUSTER", "LINKS", "x");
}
END_TEST

START_TEST(test_keyslot) {
    HS_EXPECT_INT(rc, 12182, "CLUSTER", "KEYSLOT", "foo");
    HS_EXPECT_INT(rc, 15495, "CLUSTER", "KEYSLOT", "{a}b");
    HS_EXPECT_INT(rc, 12182, "CLUSTER", "KEYSLOT", "{foo}bar");
    HS_EXPECT_ARITY(rc, "cluster|keyslot", "CLUSTER", "KEYSLOT");
    HS_EXPECT_ARITY(rc, "cluster|keyslot", "CLUSTER", "KEYSLOT", "a", "b");
}
END_TEST

START_TEST(test_addslots_delslots) {
    HS_EXPECT_ERROR(rc, "ERR Invalid or out of range slot", "CLUSTER", "ADDSLOTS", "abc");
    HS_EXPECT_ERROR(rc, "ERR Invalid or out of range slot", "CLUSTER", "ADDSLOTS", "16384");
    HS_EXPECT_ERROR(rc, "ERR Invalid or out of range slot", "CLUSTER", "ADDSLOTS", "-1");
    HS_EXPECT_ERROR(rc, "ERR Invalid or out of range slot", "CLUSTER", "ADDSLOTS", "05");
    HS_EXPECT_ERROR(rc, "ERR Slot 1 specified multiple times", "CLUSTER", "ADDSLOTS", "1", "1");
    HS_EXPECT_ARITY(rc, "cluster|addslots", "CLUSTER", "ADDSLOTS");
    HS_EXPECT_OK(rc, "CLUSTER", "ADDSLOTS", "1", "2", "3");
    HS_EXPECT_ERROR(rc, "ERR Slot 2 is already busy", "CLUSTER", "ADDSLOTS", "2");
    HS_EXPECT_ERROR(rc, "ERR Invalid or out of range slot", "CLUSTER", "ADDSLOTS", "6", "abc");
    HS_EXPECT_ERROR(rc, "ERR Slot 6 specified multiple times", "CLUSTER", "ADDSLOTS", "6", "7", "6", "1");
    expect_nodes_has(" connected 1-3\n");
    ck_assert_int_eq(cluster_info_ll("cluster_slots_assigned"), 3);
    HS_EXPECT_ERROR(rc, "ERR Slot 100 is already unassigned", "CLUSTER", "DELSLOTS", "100");
    HS_EXPECT_ERROR(rc, "ERR Slot 1 specified multiple times", "CLUSTER", "DELSLOTS", "1", "1");
    HS_EXPECT_ERROR(rc, "ERR Slot 4 is already unassigned", "CLUSTER", "DELSLOTS", "3", "4");
    HS_EXPECT_ARITY(rc, "cluster|delslots", "CLUSTER", "DELSLOTS");
    HS_EXPECT_OK(rc, "CLUSTER", "DELSLOTS", "2");
    expect_nodes_has(" connected 1 3\n");
    HS_EXPECT_ARITY(rc, "cluster|flushslots", "CLUSTER", "FLUSHSLOTS", "x");
    HS_EXPECT_OK(rc, "CLUSTER", "FLUSHSLOTS");
    expect_nodes_has(" connected\n");
    ck_assert_int_eq(cluster_info_ll("cluster_slots_assigned"), 0);
}
END_TEST

START_TEST(test_slot_ranges) {
    HS_EXPECT_ARITY(rc, "cluster|addslotsrange", "CLUSTER", "ADDSLOTSRANGE", "1");
    HS_EXPECT_ARITY(rc, "cluster|addslotsrange", "CLUSTER", "ADDSLOTSRANGE", "1", "2", "3");
    HS_EXPECT_ERROR(rc, "ERR start slot number 5 is greater than end slot number 4", "CLUSTER", "ADDSLOTSRANGE",
                    "5", "4");
    HS_EXPECT_ERROR(rc, "ERR Invalid or out of range slot", "CLUSTER", "ADDSLOTSRANGE", "abc", "4");
    HS_EXPECT_ERROR(rc, "ERR Invalid or out of range slot", "CLUSTER", "ADDSLOTSRANGE", "3", "16384");
    HS_EXPECT_ERROR(rc, "ERR Slot 11 specified multiple times", "CLUSTER", "ADDSLOTSRANGE", "10", "12", "11",
                    "13");
    HS_EXPECT_OK(rc, "CLUSTER", "ADDSLOTSRANGE", "100", "200", "300", "400");
    /* Pairs are checked in turn: a busy slot of the first pair is reported
     * before a bad number in the second. */
    HS_EXPECT_ERROR(rc, "ERR Slot 100 is already busy", "CLUSTER", "ADDSLOTSRANGE", "99", "101", "abc", "1");
    HS_EXPECT_ERROR(rc, "ERR start slot number 14 is greater than end slot number 13", "CLUSTER",
                    "ADDSLOTSRANGE", "10", "12", "14", "13");
    expect_nodes_has(" connected 100-200 300-400\n");
    HS_EXPECT_ARITY(rc, "cluster|delslotsrange", "CLUSTER", "DELSLOTSRANGE", "1", "2", "3");
    HS_EXPECT_ERROR(rc, "ERR start slot number 2 is greater than end slot number 1", "CLUSTER", "DELSLOTSRANGE",
                    "2", "1");
    HS_EXPECT_ERROR(rc, "ERR Slot 500 is already unassigned", "CLUSTER", "DELSLOTSRANGE", "150", "160", "500",
                    "501");
    HS_EXPECT_OK(rc, "CLUSTER", "DELSLOTSRANGE", "150", "160", "400", "400");
    expect_nodes_has(" connected 100-149 161-200 300-399\n");
    /* SLOTS: one entry per run of slots, in slot order. */
    redisReply *r = hs_command(rc, HS_ARGS("CLUSTER", "SLOTS"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 3);
    ck_assert_int_eq(r->element[1]->element[0]->integer, 161);
    ck_assert_int_eq(r->element[1]->element[1]->integer, 200);
    ck_assert_uint_eq(r->element[1]->element[2]->elements, 4);
    ck_assert_int_eq(r->element[1]->element[2]->element[1]->integer, srv->port);
    freeReplyObject(r);
    HS_EXPECT_ARITY(rc, "cluster|slots", "CLUSTER", "SLOTS", "x");
}
END_TEST

START_TEST(test_keys_in_slot) {
    HS_EXPECT_OK(rc, "CLUSTER", "ADDSLOTSRANGE", "0", "16383");
    wait_cluster_state_ok();
    HS_EXPECT_OK(rc, "SET", "foo", "1");
    HS_EXPECT_OK(rc, "SET", "{foo}x", "2");
    HS_EXPECT_INT(rc, 2, "CLUSTER", "COUNTKEYSINSLOT", "12182");
    HS_EXPECT_INT(rc, 0, "CLUSTER", "COUNTKEYSINSLOT", "0");
    HS_EXPECT_ERROR(rc, "ERR Invalid slot", "CLUSTER", "COUNTKEYSINSLOT", "16384");
    HS_EXPECT_ERROR(rc, "ERR Invalid slot", "CLUSTER", "COUNTKEYSINSLOT", "-1");
    HS_EXPECT_ERROR(rc, "ERR value is not an integer or out of range", "CLUSTER", "COUNTKEYSINSLOT", "x");
    HS_EXPECT_ARITY(rc, "cluster|countkeysinslot", "CLUSTER", "COUNTKEYSINSLOT");
    redisReply *r = hs_command(rc, HS_ARGS("CLUSTER", "GETKEYSINSLOT", "12182", "10"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 2);
    ck_assert((!strcmp(r->element[0]->str, "foo") && !strcmp(r->element[1]->str, "{foo}x")) ||
              (!strcmp(r->element[1]->str, "foo") && !strcmp(r->element[0]->str, "{foo}x")));
    freeReplyObject(r);
    r = hs_command(rc, HS_ARGS("CLUSTER", "GETKEYSINSLOT", "12182", "1"));
    ck_assert_uint_eq(r->elements, 1);
    freeReplyObject(r);
    r = hs_command(rc, HS_ARGS("CLUSTER", "GETKEYSINSLOT", "12182", "0"));
    ck_assert_uint_eq(r->elements, 0);
    freeReplyObject(r);
    r = hs_command(rc, HS_ARGS("CLUSTER", "GETKEYSINSLOT", "1", "9223372036854775807"));
    ck_assert_uint_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(rc, "ERR Invalid slot or number of keys", "CLUSTER", "GETKEYSINSLOT", "1", "-1");
    HS_EXPECT_ERROR(rc, "ERR Invalid slot or number of keys", "CLUSTER", "GETKEYSINSLOT", "16384", "1");
    HS_EXPECT_ERROR(rc, "ERR value is not an integer or out of range", "CLUSTER", "GETKEYSINSLOT", "x", "1");
    HS_EXPECT_ERROR(rc, "ERR value is not an integer or out of range", "CLUSTER", "GETKEYSINSLOT", "1", "x");
    HS_EXPECT_ARITY(rc, "cluster|getkeysinslot", "CLUSTER", "GETKEYSINSLOT", "1");
    /* A node holding keys keeps its slots and its role. */
    HS_EXPECT_ERROR(rc, "ERR DB must be empty to perform CLUSTER FLUSHSLOTS.", "CLUSTER", "FLUSHSLOTS");
    HS_EXPECT_ERROR(rc, "ERR CLUSTER RESET can't be called with master nodes containing keys", "CLUSTER",
                    "RESET");
    HS_EXPECT_ERROR(rc, "ERR CLUSTER RESET can't be called with master nodes containing keys", "CLUSTER", "RESET",
                    "HARD");
}
END_TEST

START_TEST(test_setslot_alone) {
    char id[41];
    myid(id);
    HS_EXPECT_OK(rc, "CLUSTER", "ADDSLOTS", "1");
    HS_EXPECT_ARITY(rc, "cluster|setslot", "CLUSTER", "SETSLOT", "5");
    HS_EXPECT_ERROR(rc, "ERR Invalid or out of range slot", "CLUSTER", "SETSLOT", "abc", "STABLE");
    HS_EXPECT_ERROR(rc, "ERR Invalid or out of range slot", "CLUSTER", "SETSLOT", "16384", "STABLE");
    const char *bad = "ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP";
    HS_EXPECT_ERROR(rc, bad, "CLUSTER", "SETSLOT", "5", "foo");
    HS_EXPECT_ERROR(rc, bad, "CLUSTER", "SETSLOT", "5", "STABLE", "x");
    HS_EXPECT_ERROR(rc, bad, "CLUSTER", "SETSLOT", "5", "IMPORTING");
    HS_EXPECT_ERROR(rc, bad, "CLUSTER", "SETSLOT", "5", "NODE");
    HS_EXPECT_ERROR(rc, bad, "CLUSTER", "SETSLOT", "5", "NODE", id, "x");
    HS_EXPECT_ERROR(rc, "ERR I'm already the owner of hash slot 1", "CLUSTER", "SETSLOT", "1", "IMPORTING", id);
    HS_EXPECT_ERROR(rc, "ERR I'm not the owner of hash slot 2", "CLUSTER", "SETSLOT", "2", "MIGRATING", id);
    HS_EXPECT_ERROR(rc, "ERR I don't know about node zzz", "CLUSTER", "SETSLOT", "1", "MIGRATING", "zzz");
    HS_EXPECT_ERROR(rc, "ERR I don't know about node zzz", "CLUSTER", "SETSLOT", "2", "IMPORTING", "zzz");
    HS_EXPECT_ERROR(rc, "ERR Unknown node zzz", "CLUSTER", "SETSLOT", "2", "NODE", "zzz");
    HS_EXPECT_OK(rc, "CLUSTER", "SETSLOT", "1", "MIGRATING", id);
    HS_EXPECT_OK(rc, "CLUSTER", "SETSLOT", "1000", "importing", id);
    char open[200];
    snprintf(open, sizeof(open), " connected 1 [1->-%s] [1000-<-%s]\n", id, id);
    expect_nodes_has(open);
    /* Taking an importing slot closes the import with a new epoch; an
     * empty migrating slot given to anyone stops migrating. */
    HS_EXPECT_OK(rc, "CLUSTER", "SETSLOT", "1000", "NODE", id);
    HS_EXPECT_OK(rc, "CLUSTER", "SETSLOT", "1", "NODE", id);
    expect_nodes_has(" myself,master - 0 0 1 connected 1 1000\n");
    ck_assert_int_eq(cluster_info_ll("cluster_current_epoch"), 1);
    HS_EXPECT_OK(rc, "CLUSTER", "SETSLOT", "2", "IMPORTING", id);
    HS_EXPECT_OK(rc, "CLUSTER", "SETSLOT", "2", "STABLE");
    expect_nodes_lacks("[");
}
END_TEST

START_TEST(test_meet_errors) {
    HS_EXPECT_ARITY(rc, "cluster|meet", "CLUSTER", "MEET", "127.0.0.1");
    HS_EXPECT_ERROR(rc, "ERR Invalid TCP base port specified: abc", "CLUSTER", "MEET", "127.0.0.1", "abc");
    HS_EXPECT_ERROR(rc, "ERR Invalid TCP bus port specified: abc", "CLUSTER", "MEET", "127.0.0.1", "7399", "abc");
    HS_EXPECT_ERROR(rc, "ERR Invalid node address specified: 1.2.3.4.5:7399", "CLUSTER", "MEET", "1.2.3.4.5",
                    "7399");
    HS_EXPECT_ERROR(rc, "ERR Invalid node address specified: localhost:7399", "CLUSTER", "MEET", "localhost",
                    "7399");
    HS_EXPECT_ERROR(rc, "ERR Invalid node address specified: 127.0.0.1:70000", "CLUSTER", "MEET", "127.0.0.1",
                    "70000");
    HS_EXPECT_ERROR(rc, "ERR Invalid node address specified: 127.0.0.1:0", "CLUSTER", "MEET", "127.0.0.1", "0");
    HS_EXPECT_ERROR(rc, "ERR Invalid node address specified: 127.0.0.1:-1", "CLUSTER", "MEET", "127.0.0.1", "-1");
    HS_EXPECT_ERROR(rc, "ERR Invalid node address specified: 127.0.0.1:7399", "CLUSTER", "MEET", "127.0.0.1",
                    "7399", "70000");
    HS_EXPECT_ERROR(rc, "ERR Invalid node address specified: 127.0.0.1:4294974695", "CLUSTER", "MEET",
                    "127.0.0.1", "4294974695");
    HS_EXPECT_ERROR(rc, "ERR unknown subcommand or wrong number of arguments for 'meet'. Try CLUSTER HELP.",
                    "CLUSTER", "meet", "127.0.0.1", "7399", "17399", "x");
}
END_TEST

/* MEET of an address nobody answers on: accepted, the node waits in
 * handshake (CLUSTER NODES shows it; nodes.conf does not). */
START_TEST(test_meet_handshake) {
    char port[16];
    snprintf(port, sizeof(port), "%d", hs_free_port() % 50000 + 1);
    HS_EXPECT_OK(rc, "CLUSTER", "MEET", "127.0.0.1", port);
    char addr[64];
    snprintf(addr, sizeof(addr), " 127.0.0.1:%s@", port);
    expect_nodes_has(addr);
    expect_nodes_has(" handshake - 0 0 0 ");
}
END_TEST

START_TEST(test_epochs) {
    HS_EXPECT_ERROR(rc, "ERR value is not an integer or out of range", "CLUSTER", "SET-CONFIG-EPOCH", "abc");
    HS_EXPECT_ERROR(rc, "ERR Invalid config epoch specified: -1", "CLUSTER", "SET-CONFIG-EPOCH", "-1");
    HS_EXPECT_ARITY(rc, "cluster|set-config-epoch", "CLUSTER", "SET-CONFIG-EPOCH");
    HS_EXPECT_OK(rc, "CLUSTER", "SET-CONFIG-EPOCH", "0");
    HS_EXPECT_OK(rc, "CLUSTER", "SET-CONFIG-EPOCH", "7");
    HS_EXPECT_ERROR(rc, "ERR Node config epoch is already non-zero", "CLUSTER", "SET-CONFIG-EPOCH", "8");
    ck_assert_int_eq(cluster_info_ll("cluster_current_epoch"), 7);
    ck_assert_int_eq(cluster_info_ll("cluster_my_epoch"), 7);
    HS_EXPECT_STATUS(rc, "STILL 7", "CLUSTER", "BUMPEPOCH");
    HS_EXPECT_ARITY(rc, "cluster|bumpepoch", "CLUSTER", "BUMPEPOCH", "x");
    HS_EXPECT_OK(rc, "CLUSTER", "RESET", "HARD");
    ck_assert_int_eq(cluster_info_ll("cluster_current_epoch"), 0);
    HS_EXPECT_STATUS(rc, "BUMPED 1", "CLUSTER", "BUMPEPOCH");
    HS_EXPECT_STATUS(rc, "STILL 1", "CLUSTER", "BUMPEPOCH");
}
END_TEST

START_TEST(test_reset_saveconfig) {
    char before[41], after[41];
    myid(before);
    HS_EXPECT_OK(rc, "CLUSTER", "ADDSLOTS", "7");
    HS_EXPECT_ERROR(rc, "ERR syntax error", "CLUSTER", "RESET", "foo");
    HS_EXPECT_ERROR(rc, "ERR unknown subcommand or wrong number of arguments for 'reset'. Try CLUSTER HELP.",
                    "CLUSTER", "reset", "hard", "x");
    HS_EXPECT_OK(rc, "CLUSTER", "RESET");
    myid(after);
    ck_assert_str_eq(before, after);
    expect_nodes_has(" connected\n");
    HS_EXPECT_OK(rc, "CLUSTER", "RESET", "soft");
    HS_EXPECT_OK(rc, "CLUSTER", "RESET", "HARD");
    myid(after);
    ck_assert_str_ne(before, after);
    HS_EXPECT_OK(rc, "CLUSTER", "ADDSLOTS", "9");
    HS_EXPECT_OK(rc, "CLUSTER", "SAVECONFIG");
    HS_EXPECT_ARITY(rc, "cluster|saveconfig", "CLUSTER", "SAVECONFIG", "x");
    char path[400];
    snprintf(path, sizeof(path), "%s/nodes.conf", srv->dir);
    FILE *fp = fopen(path, "r");
    ck_assert_ptr_nonnull(fp);
    char text[4096];
    size_t n = fread(text, 1, sizeof(text) - 1, fp);
    fclose(fp);
    text[n] = '\0';
    ck_assert_msg(strstr(text, after) && strstr(text, " myself,master - 0 0 0 connected 9\n") &&
                      strstr(text, "vars currentEpoch 0 lastVoteEpoch 0\n"),
                  "nodes.conf:\n%s", text);
}
END_TEST

START_TEST(test_lone_node_lookups) {
    char id[41];
    myid(id);
    HS_EXPECT_ERROR(rc, "ERR Unknown node zzz", "CLUSTER", "FORGET", "zzz");
    HS_EXPECT_ERROR(rc, "ERR I tried hard but I can't forget myself...", "CLUSTER", "FORGET", id);
    HS_EXPECT_ARITY(rc, "cluster|forget", "CLUSTER", "FORGET");
    HS_EXPECT_ERROR(rc, "ERR Unknown node zzz", "CLUSTER", "REPLICATE", "zzz");
    HS_EXPECT_ERROR(rc, "ERR Can't replicate myself", "CLUSTER", "REPLICATE", id);
    HS_EXPECT_ARITY(rc, "cluster|replicate", "CLUSTER", "REPLICATE");
    HS_EXPECT_ERROR(rc, "ERR Unknown node zzz", "CLUSTER", "REPLICAS", "zzz");
    HS_EXPECT_ERROR(rc, "ERR Unknown node zzz", "CLUSTER", "SLAVES", "zzz");
    HS_EXPECT_ARITY(rc, "cluster|replicas", "CLUSTER", "REPLICAS");
    HS_EXPECT_ARITY(rc, "cluster|slaves", "CLUSTER", "SLAVES", "a", "b");
    redisReply *r = hs_command(rc, HS_ARGS("CLUSTER", "REPLICAS", id));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(rc, "ERR Unknown node zzz", "CLUSTER", "COUNT-FAILURE-REPORTS", "zzz");
    HS_EXPECT_INT(rc, 0, "CLUSTER", "COUNT-FAILURE-REPORTS", id);
    HS_EXPECT_ARITY(rc, "cluster|count-failure-reports", "CLUSTER", "COUNT-FAILURE-REPORTS");
    HS_EXPECT_ERROR(rc, "ERR syntax error", "CLUSTER", "FAILOVER", "foo");
    HS_EXPECT_ERROR(rc, "ERR unknown subcommand or wrong number of arguments for 'failover'. Try CLUSTER HELP.",
                    "CLUSTER", "failover", "force", "x");
    HS_EXPECT_ERROR(rc, "ERR You should send CLUSTER FAILOVER to a replica", "CLUSTER", "FAILOVER");
    HS_EXPECT_ERROR(rc, "ERR You should send CLUSTER FAILOVER to a replica", "CLUSTER", "FAILOVER", "TAKEOVER");
}
END_TEST

START_TEST(test_connection_commands) {
    HS_EXPECT_OK(rc, "ASKING");
    HS_EXPECT_OK(rc, "READONLY");
    HS_EXPECT_OK(rc, "READWRITE");
    HS_EXPECT_ARITY(rc, "asking", "ASKING", "x");
    HS_EXPECT_ARITY(rc, "readonly", "READONLY", "x");
    HS_EXPECT_ARITY(rc, "readwrite", "READWRITE", "x");
}
END_TEST

START_TEST(test_help) {
    redisReply *r = hs_command(rc, HS_ARGS("CLUSTER", "HELP"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 56);
    ck_assert_str_eq(r->element[0]->str, "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    ck_assert_str_eq(r->element[40]->str,
                     "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)");
    ck_assert_str_eq(r->element[53]->str,
                     "    Output format is an array where each array element is a map containing attributes of a "
                     "link");
    ck_assert_str_eq(r->element[55]->str, "    Prints this help.");
    freeReplyObject(r);
    HS_EXPECT_ARITY(rc, "cluster|help", "CLUSTER", "HELP", "x");
}
END_TEST

/* RESP3: INFO and NODES are verbatim text, SLOTS' networking metadata and
 * SHARDS' entries are maps. */
START_TEST(test_resp3_shapes) {
    HS_EXPECT_OK(rc, "CLUSTER", "ADDSLOTS", "5");
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n");
    hs_buf hello = hs_raw_read_until(fd, "\r\n*0\r\n", 10000);
    hs_buf_free(&hello);
    HS_RAW_SEND_STR(fd, "*2\r\n$7\r\nCLUSTER\r\n$4\r\nINFO\r\n");
    hs_buf got = hs_raw_read_until(fd, "total_cluster_links_buffer_limit_exceeded:0\r\n\r\n", 10000);
    ck_assert_msg(strncmp(got.data, "=", 1) == 0 && strstr(got.data, "\r\ntxt:cluster_state:fail\r\n"), "%s",
                  got.data);
    hs_buf_free(&got);
    HS_RAW_SEND_STR(fd, "*2\r\n$7\r\nCLUSTER\r\n$5\r\nNODES\r\n");
    got = hs_raw_read_until(fd, " connected 5\n\r\n", 10000);
    ck_assert_msg(got.data[0] == '=' && strstr(got.data, "\r\ntxt:"), "%s", got.data);
    hs_buf_free(&got);
    HS_RAW_SEND_STR(fd, "*2\r\n$7\r\nCLUSTER\r\n$5\r\nSLOTS\r\n");
    got = hs_raw_read_until(fd, "%0\r\n", 10000);
    char want[256];
    snprintf(want, sizeof(want), "*1\r\n*3\r\n:5\r\n:5\r\n*4\r\n$0\r\n\r\n:%d\r\n$40\r\n", srv->port);
    ck_assert_msg(strncmp(got.data, want, strlen(want)) == 0, "%s", got.data);
    hs_buf_free(&got);
    HS_RAW_SEND_STR(fd, "*2\r\n$7\r\nCLUSTER\r\n$6\r\nSHARDS\r\n");
    got = hs_raw_read_until(fd, "$6\r\nhealth\r\n$6\r\nonline\r\n", 10000);
    const char *head = "*1\r\n%2\r\n$5\r\nslots\r\n*2\r\n:5\r\n:5\r\n$5\r\nnodes\r\n*1\r\n%7\r\n$2\r\nid\r\n";
    ck_assert_msg(strncmp(got.data, head, strlen(head)) == 0, "%s", got.data);
    ck_assert_ptr_nonnull(strstr(got.data, "$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:"));
    hs_buf_free(&got);
    HS_RAW_SEND_STR(fd, "*2\r\n$7\r\nCLUSTER\r\n$5\r\nLINKS\r\n");
    got = hs_raw_read_until(fd, "*0\r\n", 10000);
    HS_CHECK_BYTES(got, "*0\r\n");
    hs_buf_free(&got);
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- with peers */

START_TEST(test_peers_replicas) {
    expect_nodes_has(PEER_C " 127.0.0.1:2@12 slave " PEER_B " ");
    redisReply *r = hs_command(rc, HS_ARGS("CLUSTER", "REPLICAS", PEER_B));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 1);
    ck_assert_ptr_nonnull(strstr(r->element[0]->str, PEER_C " 127.0.0.1:2@12 slave " PEER_B " "));
    ck_assert_ptr_null(strchr(r->element[0]->str, '\n'));
    freeReplyObject(r);
    r = hs_command(rc, HS_ARGS("CLUSTER", "SLAVES", PEER_B));
    ck_assert_uint_eq(r->elements, 1);
    freeReplyObject(r);
    HS_EXPECT_ERROR(rc, "ERR The specified node is not a master", "CLUSTER", "REPLICAS", PEER_C);
    HS_EXPECT_INT(rc, 0, "CLUSTER", "COUNT-FAILURE-REPORTS", PEER_B);
    /* SLOTS leaves out a replica that holds no data yet. */
    r = hs_command(rc, HS_ARGS("CLUSTER", "SLOTS"));
    ck_assert_uint_eq(r->elements, 2);
    ck_assert_int_eq(r->element[1]->element[0]->integer, 100);
    ck_assert_uint_eq(r->element[1]->elements, 3);
    freeReplyObject(r);
    r = hs_command(rc, HS_ARGS("CLUSTER", "SHARDS"));
    ck_assert_uint_eq(r->elements, 2);
    freeReplyObject(r);
    ck_assert_int_eq(cluster_info_ll("cluster_known_nodes"), 3);
    ck_assert_int_eq(cluster_info_ll("cluster_slots_assigned"), 200);
    ck_assert_int_eq(cluster_info_ll("cluster_current_epoch"), 2);
    ck_assert_int_eq(cluster_info_ll("cluster_my_epoch"), 1);
}
END_TEST

START_TEST(test_peers_setslot) {
    HS_EXPECT_ERROR(rc, "ERR I'm already the owner of hash slot 5", "CLUSTER", "SETSLOT", "5", "IMPORTING", PEER_B);
    HS_EXPECT_ERROR(rc, "ERR Target node is not a master", "CLUSTER", "SETSLOT", "150", "IMPORTING", PEER_C);
    HS_EXPECT_ERROR(rc, "ERR Target node is not a master", "CLUSTER", "SETSLOT", "5", "MIGRATING", PEER_C);
    HS_EXPECT_ERROR(rc, "ERR Target node is not a master", "CLUSTER", "SETSLOT", "5", "NODE", PEER_C);
    HS_EXPECT_ERROR(rc, "ERR I'm not the owner of hash slot 150", "CLUSTER", "SETSLOT", "150", "MIGRATING", PEER_B);
    HS_EXPECT_OK(rc, "CLUSTER", "SETSLOT", "5", "MIGRATING", PEER_B);
    HS_EXPECT_OK(rc, "CLUSTER", "SETSLOT", "150", "IMPORTING", PEER_B);
    expect_nodes_has(" connected 0-99 [5->-" PEER_B "] [150-<-" PEER_B "]\n");
    /* Our empty slot 6 goes to B; the import of 150 ends with a new
     * epoch for us. */
    HS_EXPECT_OK(rc, "CLUSTER", "SETSLOT", "6", "NODE", PEER_B);
    HS_EXPECT_OK(rc, "CLUSTER", "SETSLOT", "150", "NODE", MYSELF_A);
    expect_nodes_has(" myself,master - 0 0 3 connected 0-5 7-99 150 [5->-" PEER_B "]\n");
    expect_nodes_has(" 2 disconnected 6 100-149 151-199\n");
    ck_assert_int_eq(cluster_info_ll("cluster_current_epoch"), 3);
    HS_EXPECT_STATUS(rc, "STILL 3", "CLUSTER", "BUMPEPOCH");
    HS_EXPECT_ERROR(rc, "ERR The user can assign a config epoch only when the node does not know any other node.",
                    "CLUSTER", "SET-CONFIG-EPOCH", "9");
    /* Keys of a slot keep it here. */
    HS_EXPECT_OK(rc, "CLUSTER", "ADDSLOTSRANGE", "200", "16383");
    wait_cluster_state_ok();
    HS_EXPECT_OK(rc, "SET", "{a}b", "1"); /* slot 15495 */
    HS_EXPECT_INT(rc, 1, "CLUSTER", "COUNTKEYSINSLOT", "15495");
    HS_EXPECT_ERROR(rc,
                    "ERR Can't assign hashslot 15495 to a different node while I still hold keys for this hash "
                    "slot.",
                    "CLUSTER", "SETSLOT", "15495", "NODE", PEER_B);
}
END_TEST

START_TEST(test_peers_forget_replicate) {
    HS_EXPECT_ERROR(rc, "ERR I can only replicate a master, not a replica.", "CLUSTER", "REPLICATE", PEER_C);
    HS_EXPECT_ERROR(rc, "ERR To set a master the node must be empty and without assigned slots.", "CLUSTER",
                    "REPLICATE", PEER_B);
    HS_EXPECT_OK(rc, "CLUSTER", "FORGET", PEER_C);
    expect_nodes_lacks(PEER_C);
    HS_EXPECT_ERROR(rc, "ERR Unknown node " PEER_C, "CLUSTER", "FORGET", PEER_C);
    ck_assert_int_eq(cluster_info_ll("cluster_known_nodes"), 2);
    HS_EXPECT_OK(rc, "CLUSTER", "FLUSHSLOTS");
    HS_EXPECT_OK(rc, "CLUSTER", "REPLICATE", PEER_B);
    expect_nodes_has(" myself,slave " PEER_B " ");
    HS_EXPECT_ERROR(rc, "ERR Can't forget my master!", "CLUSTER", "FORGET", PEER_B);
    HS_EXPECT_ERROR(rc, "ERR Please use SETSLOT only with masters.", "CLUSTER", "SETSLOT", "abc", "STABLE");
    ck_assert_int_eq(cluster_info_ll("cluster_my_epoch"), 2); /* a replica shows its primary's */
    redisReply *r = hs_command(rc, HS_ARGS("CLUSTER", "REPLICAS", PEER_B));
    ck_assert_uint_eq(r->elements, 1);
    ck_assert_ptr_nonnull(strstr(r->element[0]->str, MYSELF_A " "));
    freeReplyObject(r);
    /* A replica may always be reset, keys or not. */
    HS_EXPECT_OK(rc, "CLUSTER", "RESET");
    expect_nodes_has(" myself,master - ");
    expect_nodes_lacks(PEER_B);
}
END_TEST

static Suite *cluster_cmd_suite(void) {
    Suite *s = suite_create("cluster_cmd");
    TCase *tc = hs_tcase(s, "disabled");
    tcase_add_checked_fixture(tc, setup_plain, teardown);
    tcase_add_test(tc, test_disabled_answers);
    tcase_add_test(tc, test_command_table);
    tc = hs_tcase(s, "node");
    tcase_add_checked_fixture(tc, setup_node, teardown);
    tcase_add_test(tc, test_myid_info_nodes);
    tcase_add_test(tc, test_keyslot);
    tcase_add_test(tc, test_addslots_delslots);
    tcase_add_test(tc, test_slot_ranges);
    tcase_add_test(tc, test_keys_in_slot);
    tcase_add_test(tc, test_setslot_alone);
    tcase_add_test(tc, test_meet_errors);
    tcase_add_test(tc, test_meet_handshake);
    tcase_add_test(tc, test_epochs);
    tcase_add_test(tc, test_reset_saveconfig);
    tcase_add_test(tc, test_lone_node_lookups);
    tcase_add_test(tc, test_connection_commands);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_resp3_shapes);
    tc = hs_tcase(s, "peers");
    tcase_add_checked_fixture(tc, setup_peers, teardown_peers);
    tcase_add_test(tc, test_peers_replicas);
    tcase_add_test(tc, test_peers_setslot);
    tcase_add_test(tc, test_peers_forget_replicate);
    return s;
}

int main(void) {
    return hs_run_suite(cluster_cmd_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
