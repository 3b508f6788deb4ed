/* test_sentinel_failover.c -- Debian's redis-sentinel fails a minired
 * primary over to one of its two minired replicas. The setup is
 * utils/ha_setup.sh's (primary, two replicas, three Sentinels, each a
 * process of its own), with down-after-milliseconds 1000 so the test
 * stays short.
 *
 * A write acknowledged by WAIT 2 goes in; the primary is killed with
 * SIGKILL; every Sentinel must then name a promoted replica, that replica
 * must accept writes and hold the acknowledged write, and the other
 * replica must follow it. Once with minired everywhere (until minired has
 * both sides of replication, the same setup with redis-server, saying
 * so), once with a Redis primary and minired replicas. Passes with a note
 * when redis-sentinel is not installed (make test installs it). */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hs_setups.h"

#define MASTER_NAME "mymaster"
#define DOWN_AFTER_MS 1000
#define FAILOVER_TIMEOUT_MS 5000
#define SETUP_WAIT_S 20
#define PROMOTION_WAIT_MS 20000
#define WRITE_WAIT_MS 5000
#define FOLLOW_WAIT_MS 10000
#define POLL_MS 20
#define PORTS 6 /* primary, two replicas, three Sentinels */
/* The all-minired run has passwords: Sentinel's auth-pass, the replicas'
 * masterauth. */
#define SERVER_PASSWORD "s3cret"

static char script[PATH_MAX];
static char dir[PATH_MAX];
static int ports[PORTS];

/* In the runner process (unchecked fixture), so the teardown stops what
 * the forked test started even if it failed. */
static void pick(void) {
    if (hs_utils_path("ha_setup.sh", script, sizeof(script)) == -1) script[0] = '\0';
    if (hs_pick_ports(ports, PORTS) == -1 || hs_make_temp_dir("ha", dir, sizeof(dir)) == -1) {
        fprintf(stderr, "test_sentinel_failover: cannot pick ports or a temp dir\n");
        exit(1);
    }
}

static void stop_all(void) {
    if (script[0]) hs_shell("'%s' stop --dir '%s' >/dev/null", script, dir);
}

static redisContext *try_connect(int port) {
    struct timeval tv = {2, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (c == NULL || c->err) {
        if (c) redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
    return c;
}

/* The servers' password (NULL: none); the Sentinels have none. */
static const char *server_auth;

/* A connection to a server, authenticated (NULL when it cannot be had). */
static redisContext *try_server(int port) {
    redisContext *c = try_connect(port);
    if (c == NULL || server_auth == NULL) return c;
    redisReply *r = redisCommand(c, "AUTH %s", server_auth);
    int ok = r && r->type == REDIS_REPLY_STATUS;
    if (r) freeReplyObject(r);
    if (!ok) {
        redisFree(c);
        return NULL;
    }
    return c;
}

static redisContext *must_connect(int port) {
    redisContext *c = try_server(port);
    ck_assert_msg(c != NULL, "cannot connect to port %d", port);
    return c;
}

/* 1 when the server under test has the command. */
static int minired_has(const char *command) {
    hs_server *s = hs_start(NULL);
    redisContext *c = hs_connect(s);
    redisReply *r = hs_command(c, HS_ARGS("COMMAND", "INFO", command));
    int has = r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY;
    freeReplyObject(r);
    redisFree(c);
    hs_stop(s);
    return has;
}

static const char *redis_or_fail(void) {
    const char *redis = hs_redis_server_path();
    ck_assert_msg(redis != NULL, "redis-server is not installed");
    return redis;
}

/* The port Sentinel names for the primary (0 when it does not answer). */
static int sentinel_primary_port(int sentinel_port) {
    redisContext *c = try_connect(sentinel_port);
    if (c == NULL) return 0;
    redisReply *r = redisCommand(c, "SENTINEL get-master-addr-by-name %s", MASTER_NAME);
    int port = 0;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) port = atoi(r->element[1]->str);
    if (r) freeReplyObject(r);
    redisFree(c);
    return port;
}

/* Polls until a SET on port succeeds; returns the ms it took or -1. */
static long long wait_writable(int port, long long since) {
    long long deadline = hs_now_ms() + WRITE_WAIT_MS;
    while (hs_now_ms() < deadline) {
        redisContext *c = try_server(port);
        if (c) {
            redisReply *r = redisCommand(c, "SET failover:probe 1");
            int ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0;
            if (r) freeReplyObject(r);
            redisFree(c);
            if (ok) return hs_now_ms() - since;
        }
        hs_sleep_ms(POLL_MS);
    }
    return -1;
}

static int follows(int replica_port, int primary_port) {
    redisContext *c = try_server(replica_port);
    if (c == NULL) return 0;
    redisReply *r = redisCommand(c, "INFO replication");
    int ok = 0;
    if (r && r->type == REDIS_REPLY_STRING) {
        char want[64];
        snprintf(want, sizeof(want), "master_port:%d\r\n", primary_port);
        ok = strstr(r->str, want) != NULL && strstr(r->str, "master_link_status:up\r\n") != NULL;
    }
    if (r) freeReplyObject(r);
    redisFree(c);
    return ok;
}

/* The whole failover: primary_bin serves the primary, replica_bin the
 * replicas. with_follow: the other replica must follow the promoted one
 * (its binary serves replicas: PSYNC). */
static void run_failover(const char *primary_bin, const char *replica_bin, int with_follow, const char *priorities,
                         const char *auth) {
    char sentinel[PATH_MAX];
    server_auth = auth;
    ck_assert_msg(script[0], "utils/ha_setup.sh not found (run from the source tree)");
    ck_assert_int_eq(hs_find_program("redis-sentinel", sentinel, sizeof(sentinel)), 0);
    int rc = hs_shell("'%s' start --server '%s' --replica-server '%s' --sentinel '%s' --dir '%s' "
                      "--server-ports %d,%d,%d --sentinel-ports %d,%d,%d --down-after %d --failover-timeout %d "
                      "--wait-timeout %d --replica-priority %s %s%s >/dev/null",
                      script, primary_bin, replica_bin, sentinel, dir, ports[0], ports[1], ports[2], ports[3],
                      ports[4], ports[5], DOWN_AFTER_MS, FAILOVER_TIMEOUT_MS, SETUP_WAIT_S, priorities,
                      auth ? "--auth " : "", auth ? auth : "");
    ck_assert_msg(rc == 0, "ha_setup.sh start failed (%d)", rc);

    redisContext *p = must_connect(ports[0]);
    HS_EXPECT_OK(p, "SET", "failover:acked", "before-the-kill");
    HS_EXPECT_INT(p, 2, "WAIT", "2", "5000");
    redisFree(p);

    char pidfile[PATH_MAX + 32];
    snprintf(pidfile, sizeof(pidfile), "%s/primary/pid", dir);
    long pid = hs_read_number_file(pidfile);
    ck_assert_msg(pid > 0, "no primary pid in %s", pidfile);
    long long killed_at = hs_now_ms();
    ck_assert_int_eq(kill((pid_t)pid, SIGKILL), 0);

    int promoted = 0;
    while (!promoted && hs_now_ms() - killed_at < PROMOTION_WAIT_MS) {
        int port = sentinel_primary_port(ports[3]);
        if (port && port != ports[0]) promoted = port;
        else hs_sleep_ms(POLL_MS);
    }
    ck_assert_msg(promoted == ports[1] || promoted == ports[2], "no replica promoted (Sentinel names %d)", promoted);
    /* replica-priority 0 (slave_priority in INFO): never promoted. */
    if (strncmp(priorities, "0,", 2) == 0) ck_assert_int_eq(promoted, ports[2]);
    long long took = wait_writable(promoted, killed_at);
    ck_assert_msg(took >= 0, "the promoted replica (port %d) refuses writes", promoted);
    fprintf(stderr, "failover: %lld ms from kill -9 to a writable primary (port %d)\n", took, promoted);

    redisContext *n = must_connect(promoted);
    HS_EXPECT_BULK(n, "before-the-kill", "GET", "failover:acked");
    HS_DO(n, ck_assert(hs_r_->type == REDIS_REPLY_ARRAY && strcmp(hs_r_->element[0]->str, "master") == 0), "ROLE");
    redisFree(n);

    /* The three Sentinels agree, and the other replica follows. */
    for (int s = 4; s < PORTS; s++) {
        long long deadline = hs_now_ms() + FOLLOW_WAIT_MS;
        while (sentinel_primary_port(ports[s]) != promoted && hs_now_ms() < deadline) hs_sleep_ms(POLL_MS);
        ck_assert_int_eq(sentinel_primary_port(ports[s]), promoted);
    }
    if (with_follow) {
        int other = promoted == ports[1] ? ports[2] : ports[1];
        long long deadline = hs_now_ms() + FOLLOW_WAIT_MS;
        while (!follows(other, promoted) && hs_now_ms() < deadline) hs_sleep_ms(POLL_MS);
        ck_assert_msg(follows(other, promoted), "the other replica (port %d) does not follow %d", other, promoted);
        redisContext *o = must_connect(other);
        HS_EXPECT_BULK(o, "before-the-kill", "GET", "failover:acked");
        redisFree(o);
    }
    hs_setup_stop_check_logs(script, dir);
}

static int have_sentinel(void) {
    char sentinel[PATH_MAX];
    if (hs_find_program("redis-sentinel", sentinel, sizeof(sentinel)) == 0) return 1;
    fprintf(stderr, "note: redis-sentinel not installed (Debian package redis-sentinel), test skipped\n");
    return 0;
}

/* Every server a minired, with requirepass (Sentinel authenticates with
 * auth-pass, the replicas with masterauth). Until minired has both sides
 * of replication, the same run with redis-server, which keeps the script
 * and the test honest. */
START_TEST(test_failover_minired) {
    if (!have_sentinel()) return;
    if (minired_has("replicaof") && minired_has("psync")) {
        run_failover(hs_server_path(), hs_server_path(), 1, "100,100", SERVER_PASSWORD);
    } else {
        fprintf(stderr, "note: minired has no REPLICAOF/PSYNC yet: the Sentinel setup runs with redis-server\n");
        run_failover(redis_or_fail(), redis_or_fail(), 1, "100,100", SERVER_PASSWORD);
    }
}
END_TEST

/* A Redis primary with two minired replicas: Sentinel promotes a minired
 * replica (its reconfiguration transaction, SLAVEOF NO ONE); the other
 * follows it once minired serves replicas too. The first replica has
 * replica-priority 0, so Sentinel must pass it over (it reads
 * slave_priority from the replica's INFO). */
START_TEST(test_failover_redis_primary) {
    if (!have_sentinel()) return;
    if (!minired_has("replicaof")) {
        fprintf(stderr, "note: minired has no REPLICAOF yet: test skipped\n");
        return;
    }
    run_failover(redis_or_fail(), hs_server_path(), minired_has("psync"), "0,100", NULL);
}
END_TEST

static Suite *sentinel_failover_suite(void) {
    Suite *s = suite_create("sentinel_failover");
    /* One tcase each: unchecked fixtures run once per tcase. */
    TCase *tc = hs_tcase(s, "minired");
    tcase_add_unchecked_fixture(tc, pick, stop_all);
    tcase_add_test(tc, test_failover_minired);
    tc = hs_tcase(s, "redis_primary");
    tcase_add_unchecked_fixture(tc, pick, stop_all);
    tcase_add_test(tc, test_failover_redis_primary);
    return s;
}

int main(void) {
    return hs_run_suite(sentinel_failover_suite());
}
