/* test_cluster_state.c -- a cluster node's own state across starts: its
 * nodes.conf (created, reloaded, refused when corrupt or locked), the
 * start-up checks Redis 7.0 makes (port range, keys outside db 0, keys of
 * slots it does not own), and what cluster mode changes for one node
 * (INFO, MEMORY USAGE's per-key links, announced ports).
 *
 * Texts were taken from redis-server 7.0.15 started the same way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"

#define CLUSTER_ON "--cluster-enabled", "yes"
/* The slot of "foo" (CLUSTER KEYSLOT foo on Redis). */
#define FOO_SLOT "12182"

static hs_buf read_file(const char *path) {
    hs_buf b = {0};
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) hs_buf_cat(&b, chunk, n);
    fclose(f);
    if (b.data == NULL) hs_buf_cat(&b, "", 0);
    return b;
}

static hs_buf nodes_conf(const hs_server *s) {
    char path[400];
    snprintf(path, sizeof(path), "%s/nodes.conf", s->dir);
    return read_file(path);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

/* The 40-character id after `marker` in the log ("... I'm <id>"). */
static void logged_id(const hs_server *s, const char *marker, char id[41]) {
    hs_buf log = hs_read_log(s);
    const char *p = strstr(log.data, marker);
    ck_assert_msg(p != NULL, "log lacks \"%s\":\n%s", marker, log.data);
    p += strlen(marker);
    ck_assert_int_ge(strlen(p), 40);
    memcpy(id, p, 40);
    id[40] = '\0';
    hs_buf_free(&log);
}

static void expect_log(const hs_server *s, const char *text) {
    hs_buf log = hs_read_log(s);
    ck_assert_msg(strstr(log.data, text) != NULL, "log lacks \"%s\":\n%s", text, log.data);
    hs_buf_free(&log);
}

/* A temp dir holding the RDB of a standalone server given these writes
 * (NULL-terminated command list). Caller removes it (remove_dir). */
static void dir_with_rdb(char *dir, size_t cap, const char *const *const *cmds) {
    hs_server *src = hs_start(NULL);
    redisContext *c = hs_connect(src);
    for (int i = 0; cmds[i]; i++) freeReplyObject(hs_command(c, cmds[i]));
    HS_EXPECT_OK(c, "SAVE");
    redisFree(c);
    snprintf(dir, cap, "/tmp/minired-clstate-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "cp '%s/dump.rdb' '%s/dump.rdb'", src->dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    hs_stop(src);
}

static void remove_dir(const char *dir) {
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_new_node_then_reload) {
    hs_server *srv = hs_start(HS_ARGS(CLUSTER_ON));
    char id[41];
    logged_id(srv, "No cluster configuration found, I'm ", id);
    hs_buf conf = nodes_conf(srv);
    char want[200];
    snprintf(want, sizeof(want), "%s :0@0 myself,master - 0 0 0 connected\n", id);
    ck_assert_msg(strncmp(conf.data, want, strlen(want)) == 0, "nodes.conf:\n%s", conf.data);
    ck_assert_ptr_nonnull(strstr(conf.data, "vars currentEpoch 0 lastVoteEpoch 0\n"));
    hs_buf_free(&conf);
    redisContext *c = hs_connect(srv);
    hs_buf enabled = hs_info_field(c, "cluster", "cluster_enabled");
    ck_assert_str_eq(enabled.data, "1");
    hs_buf_free(&enabled);
    redisFree(c);
    /* The same identity after a restart, from the file. */
    hs_halt(srv);
    hs_restart(srv);
    char again[41];
    logged_id(srv, "Node configuration loaded, I'm ", again);
    ck_assert_str_eq(again, id);
    hs_stop(srv);
}
END_TEST

START_TEST(test_standalone_info) {
    hs_server *srv = hs_start(NULL);
    redisContext *c = hs_connect(srv);
    hs_buf enabled = hs_info_field(c, "cluster", "cluster_enabled");
    ck_assert_str_eq(enabled.data, "0");
    hs_buf_free(&enabled);
    redisFree(c);
    hs_stop(srv);
}
END_TEST

/* Runs a cluster node once in dir with these extra arguments and expects
 * it to exit 1 with text in its output. */
static void expect_refused(const char *dir, const char *conf, const char *text) {
    char port[16];
    snprintf(port, sizeof(port), "%d", hs_free_cluster_port());
    hs_buf out = {0};
    int st = hs_run_server_once(HS_ARGS("--port", port, "--bind", "127.0.0.1", "--dir", dir, "--save", "",
                                        "--cluster-enabled", "yes", "--cluster-config-file", conf),
                                10000, &out);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status 0x%x, output:\n%s", st, out.data);
    ck_assert_msg(strstr(out.data, text) != NULL, "output lacks \"%s\":\n%s", text, out.data);
    hs_buf_free(&out);
}

START_TEST(test_corrupt_file_refused) {
    char dir[64] = "/tmp/minired-clstate-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/nodes.conf", dir);
    write_file(path, "this is not a nodes file\n");
    expect_refused(dir, "nodes.conf", "Unrecoverable error: corrupted cluster config file.");
    /* Left as it was: Redis never rewrites a file it cannot read. */
    hs_buf conf = read_file(path);
    ck_assert_str_eq(conf.data, "this is not a nodes file\n");
    hs_buf_free(&conf);
    remove_dir(dir);
}
END_TEST

START_TEST(test_locked_file_refused) {
    hs_server *srv = hs_start(HS_ARGS(CLUSTER_ON));
    char dir[64] = "/tmp/minired-clstate-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char conf[400];
    snprintf(conf, sizeof(conf), "%s/nodes.conf", srv->dir);
    char want[600];
    snprintf(want, sizeof(want),
             "Sorry, the cluster configuration file %s is already used by a different Redis Cluster node.", conf);
    expect_refused(dir, conf, want);
    remove_dir(dir);
    hs_stop(srv);
}
END_TEST

START_TEST(test_port_too_high_refused) {
    char dir[64] = "/tmp/minired-clstate-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* A free port over 55535 (its bus port would be over 65535). */
    int p = hs_free_port();
    for (int i = 0; i < 1000 && p <= 55535; i++) p = hs_free_port();
    ck_assert_int_gt(p, 55535);
    char port[16];
    snprintf(port, sizeof(port), "%d", p);
    hs_buf out = {0};
    int st = hs_run_server_once(HS_ARGS("--port", port, "--bind", "127.0.0.1", "--dir", dir, "--save", "",
                                        "--cluster-enabled", "yes"),
                                10000, &out);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status 0x%x:\n%s", st, out.data);
    ck_assert_ptr_nonnull(strstr(out.data, "Your Redis port number must be 55535 or less."));
    hs_buf_free(&out);
    remove_dir(dir);
}
END_TEST

START_TEST(test_keys_outside_db0_refused) {
    char dir[64];
    dir_with_rdb(dir, sizeof(dir),
                 (const char *const *const[]){HS_ARGS("SELECT", "1"), HS_ARGS("SET", "a", "b"), NULL});
    expect_refused(dir, "nodes.conf",
                   "You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.");
    remove_dir(dir);
}
END_TEST

START_TEST(test_keys_of_unassigned_slot_claimed) {
    char dir[64];
    dir_with_rdb(dir, sizeof(dir), (const char *const *const[]){HS_ARGS("SET", "foo", "bar"), NULL});
    hs_server *srv = hs_start(HS_ARGS(CLUSTER_ON, "--dir", dir));
    expect_log(srv, "I have keys for unassigned slot " FOO_SLOT ". Taking responsibility for it.");
    char path[128];
    snprintf(path, sizeof(path), "%s/nodes.conf", dir);
    hs_buf conf = read_file(path);
    ck_assert_msg(strstr(conf.data, "myself,master - 0 0 0 connected " FOO_SLOT "\n") != NULL, "nodes.conf:\n%s",
                  conf.data);
    hs_buf_free(&conf);
    hs_stop(srv);
    remove_dir(dir);
}
END_TEST

START_TEST(test_keys_of_others_slot_imported) {
    char dir[64];
    dir_with_rdb(dir, sizeof(dir), (const char *const *const[]){HS_ARGS("SET", "foo", "bar"), NULL});
    const char *me = "1111111111111111111111111111111111111111";
    const char *other = "2222222222222222222222222222222222222222";
    char path[128], text[600];
    snprintf(path, sizeof(path), "%s/nodes.conf", dir);
    snprintf(text, sizeof(text),
             "%s 127.0.0.1:1@2 master - 0 0 2 disconnected " FOO_SLOT "\n"
             "%s :0@0 myself,master - 0 0 1 connected\n"
             "vars currentEpoch 2 lastVoteEpoch 0\n",
             other, me);
    write_file(path, text);
    hs_server *srv = hs_start(HS_ARGS(CLUSTER_ON, "--dir", dir));
    expect_log(srv, "I have keys for slot " FOO_SLOT
                    ", but the slot is assigned to another node. Setting it to importing state.");
    hs_buf conf = read_file(path);
    char want[200];
    snprintf(want, sizeof(want), "myself,master - 0 0 1 connected [" FOO_SLOT "-<-%s]\n", other);
    ck_assert_msg(strstr(conf.data, want) != NULL, "nodes.conf:\n%s", conf.data);
    ck_assert_ptr_nonnull(strstr(conf.data, "vars currentEpoch 2 lastVoteEpoch 0\n"));
    hs_buf_free(&conf);
    hs_stop(srv);
    remove_dir(dir);
}
END_TEST

/* Until the node owns every slot and says ok, keyed commands would be
 * redirected or refused. */
static void own_all_slots(redisContext *c) {
    freeReplyObject(hs_command(c, HS_ARGS("CLUSTER", "ADDSLOTSRANGE", "0", "16383")));
    for (int i = 0; i < 100; i++) {
        redisReply *r = hs_command(c, HS_ARGS("CLUSTER", "INFO"));
        int ok = r->type != REDIS_REPLY_STRING || strstr(r->str, "cluster_state:ok") != NULL;
        freeReplyObject(r);
        if (ok) return;
        usleep(100 * 1000);
    }
    ck_abort_msg("cluster_state never became ok");
}

static long long memory_usage(redisContext *c, const char *key) {
    redisReply *r = hs_command(c, HS_ARGS("MEMORY", "USAGE", key));
    ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
    long long n = r->integer;
    freeReplyObject(r);
    return n;
}

START_TEST(test_memory_usage_counts_slot_links) {
    hs_server *plain = hs_start(NULL);
    hs_server *node = hs_start(HS_ARGS(CLUSTER_ON));
    redisContext *a = hs_connect(plain);
    redisContext *b = hs_connect(node);
    own_all_slots(b);
    HS_EXPECT_OK(a, "SET", "k12345", "v");
    HS_EXPECT_OK(b, "SET", "k12345", "v");
    /* Two pointers of slot-list links per key, as Redis 7.0's 80 vs 64. */
    ck_assert_int_eq(memory_usage(b, "k12345") - memory_usage(a, "k12345"), 16);
    redisFree(a);
    redisFree(b);
    hs_stop(plain);
    hs_stop(node);
}
END_TEST

START_TEST(test_announced_port_saved) {
    hs_server *srv = hs_start(HS_ARGS(CLUSTER_ON));
    redisContext *c = hs_connect(srv);
    HS_EXPECT_OK(c, "CONFIG", "SET", "cluster-announce-port", "12345");
    HS_EXPECT_OK(c, "CONFIG", "SET", "cluster-announce-bus-port", "23456");
    HS_EXPECT_STATUS(c, "PONG", "PING");
    hs_buf conf = nodes_conf(srv);
    ck_assert_msg(strstr(conf.data, ":12345@23456 myself,master") != NULL, "nodes.conf:\n%s", conf.data);
    hs_buf_free(&conf);
    redisFree(c);
    hs_stop(srv);
}
END_TEST

START_TEST(test_debug_clusterlink) {
    hs_server *plain = hs_start(NULL);
    redisContext *a = hs_connect(plain);
    HS_EXPECT_ERROR(a, "ERR Debug option only available for cluster mode enabled setup!", "DEBUG", "CLUSTERLINK",
                    "KILL", "all", "x");
    redisFree(a);
    hs_stop(plain);
    hs_server *srv = hs_start(HS_ARGS(CLUSTER_ON));
    redisContext *c = hs_connect(srv);
    char id[41];
    logged_id(srv, "No cluster configuration found, I'm ", id);
    HS_EXPECT_ERROR(c, "ERR Unknown node nosuchnode", "DEBUG", "CLUSTERLINK", "KILL", "all", "nosuchnode");
    HS_EXPECT_ERROR(c, "ERR Unknown direction sideways", "DEBUG", "CLUSTERLINK", "KILL", "sideways", id);
    HS_EXPECT_OK(c, "DEBUG", "CLUSTERLINK", "KILL", "ALL", id);
    HS_EXPECT_OK(c, "DEBUG", "DROP-CLUSTER-PACKET-FILTER", "1");
    HS_EXPECT_ERROR(c, "ERR value is not an integer or out of range", "DEBUG", "DROP-CLUSTER-PACKET-FILTER", "x");
    HS_EXPECT_OK(c, "DEBUG", "DROP-CLUSTER-PACKET-FILTER", "-1");
    redisFree(c);
    hs_stop(srv);
}
END_TEST

static Suite *cluster_state_suite(void) {
    Suite *s = suite_create("cluster-state");
    TCase *tc = hs_tcase(s, "cluster-state");
    tcase_add_test(tc, test_new_node_then_reload);
    tcase_add_test(tc, test_standalone_info);
    tcase_add_test(tc, test_corrupt_file_refused);
    tcase_add_test(tc, test_locked_file_refused);
    tcase_add_test(tc, test_port_too_high_refused);
    tcase_add_test(tc, test_keys_outside_db0_refused);
    tcase_add_test(tc, test_keys_of_unassigned_slot_claimed);
    tcase_add_test(tc, test_keys_of_others_slot_imported);
    tcase_add_test(tc, test_memory_usage_counts_slot_links);
    tcase_add_test(tc, test_announced_port_saved);
    tcase_add_test(tc, test_debug_clusterlink);
    return s;
}

int main(void) {
    return hs_run_suite(cluster_state_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
