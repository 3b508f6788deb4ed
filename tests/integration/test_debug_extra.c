/* test_debug_extra.c -- integration tests for the DEBUG subcommands of
 * debug_extra.c: HTSTATS, HTSTATS-KEY, SDSLEN, STRUCTSIZE, CLIENT-EVICTION,
 * LEAK, PAUSE-CRON, AOF-FLUSH-SLEEP, REPLICATE, SET-SKIP-CHECKSUM-VALIDATION,
 * CONFIG-REWRITE-FORCE-ALL, the cluster ones, the crash ones (the process
 * dies with a bug report in its log) and RESTART / CRASH-AND-RECOVER (the
 * binary re-executes itself in the same process).
 *
 * Error texts and arities are Redis 7.0's (tests/diff/debug_internals.txt
 * compares the deterministic replies byte for byte). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define SUBCMD_ERR(name) "ERR unknown subcommand or wrong number of arguments for '" name "'. Try DEBUG HELP."
#define EMPTY_STATS "Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n"
#define NOT_HT "ERR The value stored at the specified key is not represented using an hash table"
#define CRASH_WAIT_MS 10000
#define RESTART_WAIT_MS 10000

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

/* The reply as text: bulk, status or verbatim (the "txt:" prefix is
 * stripped by hiredis). Caller frees the reply. */
static redisReply *text_reply(redisContext *c, const char *const *args, int want_type) {
    redisReply *r = hs_command(c, args);
    ck_assert_ptr_nonnull(r);
    ck_assert_msg(r->type == want_type, "reply type %d, want %d (%s)", r->type, want_type,
                  r->type == REDIS_REPLY_ERROR ? r->str : "");
    return r;
}

/* ---------------------------------------------------------- HTSTATS */

/* Reads and drops HELLO 3's reply (a map ending with the modules array). */
static void drop_hello_reply(int fd) {
    hs_buf b = hs_raw_read_until(fd, "*0\r\n", 2000);
    ck_assert_ptr_eq(strstr(b.data, "%"), b.data);
    hs_buf_free(&b);
}

START_TEST(test_htstats) {
    redisReply *r = text_reply(ctx, HS_ARGS("DEBUG", "HTSTATS", "0"), REDIS_REPLY_STRING);
    ck_assert_str_eq(r->str, "[Dictionary HT]\n" EMPTY_STATS "[Expires HT]\n" EMPTY_STATS);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "SET", "a", "1");
    HS_EXPECT_OK(ctx, "SET", "b", "1");
    HS_EXPECT_OK(ctx, "SET", "c", "1", "EX", "100");
    r = text_reply(ctx, HS_ARGS("DEBUG", "HTSTATS", "0"), REDIS_REPLY_STRING);
    ck_assert_ptr_nonnull(strstr(r->str, "[Dictionary HT]\nHash table 0 stats (main hash table):\n table size: 4\n"
                                         " number of elements: 3\n"));
    ck_assert_ptr_nonnull(strstr(r->str, "[Expires HT]\nHash table 0 stats (main hash table):\n table size: 4\n"
                                         " number of elements: 1\n different slots: 1\n max chain length: 1\n"));
    ck_assert_ptr_nonnull(strstr(r->str, " Chain length distribution:\n   0: 3 (75.00%)\n   1: 1 (25.00%)\n"));
    freeReplyObject(r);
    r = text_reply(ctx, HS_ARGS("DEBUG", "HTSTATS", "15"), REDIS_REPLY_STRING);
    ck_assert_str_eq(r->str, "[Dictionary HT]\n" EMPTY_STATS "[Expires HT]\n" EMPTY_STATS);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR Out of range database", "DEBUG", "HTSTATS", "16");
    HS_EXPECT_ERROR(ctx, "ERR Out of range database", "DEBUG", "HTSTATS", "-1");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "DEBUG", "HTSTATS", "abc");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("HTSTATS"), "DEBUG", "HTSTATS");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("HTSTATS"), "DEBUG", "HTSTATS", "0", "FULL");
    /* RESP3: a verbatim string */
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    drop_hello_reply(fd);
    HS_RAW_EXPECT(fd, "DEBUG HTSTATS 1\r\n",
                  "=193\r\ntxt:[Dictionary HT]\n" EMPTY_STATS "[Expires HT]\n" EMPTY_STATS "\r\n");
    HS_RAW_EXPECT(fd, "DEBUG HTSTATS-KEY nokey\r\n", "-ERR no such key\r\n");
    close(fd);
}
END_TEST

START_TEST(test_htstats_key) {
    HS_EXPECT_INT(ctx, 2, "SADD", "s", "a", "b");
    redisReply *r = text_reply(ctx, HS_ARGS("DEBUG", "HTSTATS-KEY", "s"), REDIS_REPLY_STRING);
    ck_assert_ptr_nonnull(strstr(r->str, "Hash table 0 stats (main hash table):\n table size: 4\n"
                                         " number of elements: 2\n"));
    freeReplyObject(r);
    /* a skiplist sorted set: its member table */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "zset-max-listpack-entries", "0");
    HS_EXPECT_INT(ctx, 3, "ZADD", "z", "1", "a", "2", "b", "3", "c");
    r = text_reply(ctx, HS_ARGS("DEBUG", "HTSTATS-KEY", "z"), REDIS_REPLY_STRING);
    ck_assert_ptr_nonnull(strstr(r->str, " number of elements: 3\n"));
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 1, "HSET", "h", "f", "v");
    HS_EXPECT_ERROR(ctx, NOT_HT, "DEBUG", "HTSTATS-KEY", "h");
    HS_EXPECT_INT(ctx, 3, "SADD", "ints", "1", "2", "3");
    HS_EXPECT_ERROR(ctx, NOT_HT, "DEBUG", "HTSTATS-KEY", "ints");
    HS_EXPECT_OK(ctx, "SET", "str", "x");
    HS_EXPECT_ERROR(ctx, NOT_HT, "DEBUG", "HTSTATS-KEY", "str");
    HS_EXPECT_ERROR(ctx, "ERR no such key", "DEBUG", "HTSTATS-KEY", "nokey");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("HTSTATS-KEY"), "DEBUG", "HTSTATS-KEY");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("HTSTATS-KEY"), "DEBUG", "HTSTATS-KEY", "s", "FULL");
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    drop_hello_reply(fd);
    HS_RAW_SEND_STR(fd, "DEBUG HTSTATS-KEY s\r\n");
    hs_buf got = hs_raw_read_until(fd, "\n\r\n", 2000);
    ck_assert_ptr_eq(strstr(got.data, "=2"), got.data);
    ck_assert_ptr_nonnull(strstr(got.data, "\r\ntxt:Hash table 0 stats (main hash table):\n"));
    hs_buf_free(&got);
    close(fd);
}
END_TEST

/* ---------------------------------------------------------- SDSLEN, STRUCTSIZE */

START_TEST(test_sdslen) {
    HS_EXPECT_OK(ctx, "SET", "foo", "bar");
    redisReply *r = text_reply(ctx, HS_ARGS("DEBUG", "SDSLEN", "foo"), REDIS_REPLY_STATUS);
    unsigned long long kl, ka, kz, vl, va, vz;
    ck_assert_int_eq(sscanf(r->str,
                            "key_sds_len:%llu, key_sds_avail:%llu, key_zmalloc: %llu, val_sds_len:%llu, "
                            "val_sds_avail:%llu, val_zmalloc: %llu",
                            &kl, &ka, &kz, &vl, &va, &vz),
                     6);
    ck_assert_uint_eq(kl, 3);
    ck_assert_uint_eq(vl, 3);
    ck_assert_uint_ge(kz, kl + ka);
    freeReplyObject(r);
    char big[200];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    HS_EXPECT_OK(ctx, "SET", "big", big);
    r = text_reply(ctx, HS_ARGS("DEBUG", "SDSLEN", "big"), REDIS_REPLY_STATUS);
    ck_assert_ptr_nonnull(strstr(r->str, ", val_sds_len:199, "));
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "SET", "n", "123");
    HS_EXPECT_ERROR(ctx, "ERR Not an sds encoded string.", "DEBUG", "SDSLEN", "n");
    HS_EXPECT_INT(ctx, 1, "RPUSH", "l", "a");
    HS_EXPECT_ERROR(ctx, "ERR Not an sds encoded string.", "DEBUG", "SDSLEN", "l");
    HS_EXPECT_ERROR(ctx, "ERR no such key", "DEBUG", "SDSLEN", "nokey");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("SDSLEN"), "DEBUG", "SDSLEN");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("SDSLEN"), "DEBUG", "SDSLEN", "foo", "x");
}
END_TEST

START_TEST(test_structsize) {
    redisReply *r = text_reply(ctx, HS_ARGS("DEBUG", "STRUCTSIZE"), REDIS_REPLY_STRING);
    ck_assert_str_eq(r->str, "bits:64 robj:16 dictentry:24 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 ");
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("STRUCTSIZE"), "DEBUG", "STRUCTSIZE", "x");
}
END_TEST

START_TEST(test_client_eviction) {
    HS_EXPECT_ERROR(ctx, "ERR maxmemory-clients is disabled.", "DEBUG", "CLIENT-EVICTION");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-clients", "10mb");
    redisReply *r = text_reply(ctx, HS_ARGS("DEBUG", "CLIENT-EVICTION"), REDIS_REPLY_STRING);
    int lines = 0;
    for (const char *p = r->str; *p; p++) lines += *p == '\n';
    ck_assert_int_eq(lines, 19);
    ck_assert_ptr_eq(strstr(r->str, "bucket          0 -      32767: tot-mem: "), r->str);
    ck_assert_ptr_nonnull(strstr(r->str, ", clients: 1\n"));
    ck_assert_ptr_nonnull(strstr(r->str, "\nbucket 4294967296+            : tot-mem:          0, clients: 0\n"));
    freeReplyObject(r);
    /* a NO-EVICT client is not in any bucket */
    HS_EXPECT_OK(ctx, "CLIENT", "NO-EVICT", "on");
    r = text_reply(ctx, HS_ARGS("DEBUG", "CLIENT-EVICTION"), REDIS_REPLY_STRING);
    ck_assert_ptr_null(strstr(r->str, ", clients: 1\n"));
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("CLIENT-EVICTION"), "DEBUG", "CLIENT-EVICTION", "x");
}
END_TEST

/* ---------------------------------------------------------- switches */

START_TEST(test_pause_cron) {
    HS_EXPECT_OK(ctx, "DEBUG", "PAUSE-CRON", "1");
    HS_EXPECT_OK(ctx, "SET", "k", "v", "PX", "50");
    hs_sleep_ms(500);
    /* no active expiry while the cron is paused (DBSIZE expires nothing) */
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
    HS_EXPECT_OK(ctx, "DEBUG", "PAUSE-CRON", "0");
    long long deadline = hs_now_ms() + 3000;
    long long n = 1;
    while (n != 0 && hs_now_ms() < deadline) {
        redisReply *r = hs_command(ctx, HS_ARGS("DBSIZE"));
        n = r->integer;
        freeReplyObject(r);
        if (n) hs_sleep_ms(20);
    }
    ck_assert_int_eq(n, 0);
    HS_EXPECT_OK(ctx, "DEBUG", "PAUSE-CRON", "abc"); /* atoi, as Redis: 0 */
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("PAUSE-CRON"), "DEBUG", "PAUSE-CRON");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("PAUSE-CRON"), "DEBUG", "PAUSE-CRON", "1", "2");
}
END_TEST

START_TEST(test_replicate) {
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
    HS_EXPECT_OK(ctx, "DEBUG", "REPLICATE", "set", "x", "y");
    HS_EXPECT_OK(ctx, "SELECT", "3");
    HS_EXPECT_OK(ctx, "DEBUG", "REPLICATE", "foo");
    HS_EXPECT_BULK(ctx, "*3\r\n$3\r\nset\r\n$1\r\nx\r\n$1\r\ny\r\n*1\r\n$3\r\nfoo\r\n", "DEBUG", "EFFECTS", "GET");
    HS_EXPECT_OK(ctx, "SELECT", "0");
    HS_EXPECT_NIL(ctx, "GET", "x"); /* replicas only: the dataset is untouched */
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("REPLICATE"), "DEBUG", "REPLICATE");
}
END_TEST

/* "bar" as a DUMP payload (RDB 10) with a zeroed CRC. */
#define BAD_CRC_PAYLOAD "\x00\x03" "bar" "\x0a\x00" "\x00\x00\x00\x00\x00\x00\x00\x00"
#define BAD_CRC_LEN 15

static redisReply *restore_bad(const char *key) {
    const char *argv[] = {"RESTORE", key, "0", BAD_CRC_PAYLOAD};
    size_t lens[] = {7, strlen(key), 1, BAD_CRC_LEN};
    return hs_command_argv(ctx, 4, argv, lens);
}

START_TEST(test_skip_checksum_restore) {
    redisReply *r = restore_bad("k");
    ck_assert_int_eq(r->type, REDIS_REPLY_ERROR);
    ck_assert_str_eq(r->str, "ERR DUMP payload version or checksum are wrong");
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1");
    r = restore_bad("k");
    ck_assert_int_eq(r->type, REDIS_REPLY_STATUS);
    freeReplyObject(r);
    HS_EXPECT_BULK(ctx, "bar", "GET", "k");
    HS_EXPECT_OK(ctx, "DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0");
    r = restore_bad("k2");
    ck_assert_int_eq(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("SET-SKIP-CHECKSUM-VALIDATION"), "DEBUG", "SET-SKIP-CHECKSUM-VALIDATION");
}
END_TEST

/* An RDB whose trailing CRC is wrong loads only with the check skipped. */
START_TEST(test_skip_checksum_rdb) {
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_OK(ctx, "SAVE");
    char path[400];
    snprintf(path, sizeof(path), "%s/dump.rdb", srv->dir);
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    off_t end = lseek(fd, 0, SEEK_END);
    unsigned char last;
    ck_assert_int_eq(pread(fd, &last, 1, end - 1), 1);
    last ^= 0xff;
    ck_assert_int_eq(pwrite(fd, &last, 1, end - 1), 1);
    close(fd);
    HS_EXPECT_ERROR(ctx, "ERR Error trying to load the RDB dump", "DEBUG", "RELOAD", "NOSAVE");
    HS_EXPECT_OK(ctx, "DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1");
    HS_EXPECT_OK(ctx, "DEBUG", "RELOAD", "NOSAVE");
    HS_EXPECT_BULK(ctx, "v", "GET", "k");
}
END_TEST

START_TEST(test_aof_flush_sleep) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "appendonly", "yes");
    /* wait for the first rewrite to finish, so writes go to the AOF */
    long long deadline = hs_now_ms() + 5000;
    while (hs_info_ll(ctx, "persistence", "aof_rewrite_in_progress") != 0 && hs_now_ms() < deadline) hs_sleep_ms(20);
    HS_EXPECT_OK(ctx, "DEBUG", "AOF-FLUSH-SLEEP", "300000");
    long long t0 = hs_now_ms();
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    ck_assert_int_ge(hs_now_ms() - t0, 250);
    HS_EXPECT_OK(ctx, "DEBUG", "AOF-FLUSH-SLEEP", "0");
    t0 = hs_now_ms();
    HS_EXPECT_OK(ctx, "SET", "k", "v2");
    ck_assert_int_lt(hs_now_ms() - t0, 250);
    HS_EXPECT_OK(ctx, "DEBUG", "AOF-FLUSH-SLEEP", "abc"); /* atoi, as Redis */
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("AOF-FLUSH-SLEEP"), "DEBUG", "AOF-FLUSH-SLEEP");
    /* DEBUG REPLICATE feeds replicas only: the AOF never gets the bogus
     * command, so it still loads (and keeps k). */
    HS_EXPECT_OK(ctx, "DEBUG", "REPLICATE", "nosuchcommand", "x");
    HS_EXPECT_OK(ctx, "DEBUG", "LOADAOF");
    HS_EXPECT_BULK(ctx, "v2", "GET", "k");
}
END_TEST

START_TEST(test_leak_and_cluster) {
    HS_EXPECT_OK(ctx, "DEBUG", "LEAK", "some string");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("LEAK"), "DEBUG", "LEAK");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("LEAK"), "DEBUG", "LEAK", "a", "b");
    HS_EXPECT_OK(ctx, "DEBUG", "DROP-CLUSTER-PACKET-FILTER", "-1");
    HS_EXPECT_OK(ctx, "DEBUG", "DROP-CLUSTER-PACKET-FILTER", "5");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "DEBUG", "DROP-CLUSTER-PACKET-FILTER", "x");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("DROP-CLUSTER-PACKET-FILTER"), "DEBUG", "DROP-CLUSTER-PACKET-FILTER");
    HS_EXPECT_ERROR(ctx, "ERR Debug option only available for cluster mode enabled setup!", "DEBUG", "CLUSTERLINK",
                    "KILL", "to", "abc");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("CLUSTERLINK"), "DEBUG", "CLUSTERLINK", "foo", "to", "abc");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("CLUSTERLINK"), "DEBUG", "CLUSTERLINK", "kill", "to");
    /* Redis 7.0 crashes here (it reads a missing argument); minired refuses */
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("CLUSTERLINK"), "DEBUG", "CLUSTERLINK");
    HS_EXPECT_STATUS(ctx, "PONG", "PING");
}
END_TEST

/* ---------------------------------------------------------- CONFIG-REWRITE-FORCE-ALL */

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    ck_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    ck_assert(getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static char *slurp(const char *path) {
    FILE *fp = fopen(path, "r");
    ck_assert_ptr_nonnull(fp);
    static char text[65536];
    size_t n = fread(text, 1, sizeof(text) - 1, fp);
    fclose(fp);
    text[n] = '\0';
    return text;
}

/* Connects, retrying until the server answers (it may be starting). */
static redisContext *connect_retry(int port, int timeout_ms) {
    long long deadline = hs_now_ms() + timeout_ms;
    for (;;) {
        redisContext *c = redisConnect("127.0.0.1", port);
        if (c && !c->err) {
            redisReply *r = redisCommand(c, "PING");
            int up = r && r->type == REDIS_REPLY_STATUS;
            if (r) freeReplyObject(r);
            if (up) return c;
        }
        if (c) redisFree(c);
        ck_assert_msg(hs_now_ms() < deadline, "server did not come back on port %d", port);
        hs_sleep_ms(20);
    }
}

START_TEST(test_config_rewrite_force_all) {
    HS_EXPECT_ERROR(ctx, "ERR CONFIG-REWRITE-FORCE-ALL failed: Bad address", "DEBUG", "CONFIG-REWRITE-FORCE-ALL");
    HS_EXPECT_ERROR(ctx, SUBCMD_ERR("CONFIG-REWRITE-FORCE-ALL"), "DEBUG", "CONFIG-REWRITE-FORCE-ALL", "x");
    char dir[] = "/tmp/minired-dbgextra-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char conf[128], log[128];
    snprintf(conf, sizeof(conf), "%s/minired.conf", dir);
    snprintf(log, sizeof(log), "%s/server.log", dir);
    int port = free_port();
    FILE *fp = fopen(conf, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "# my comment\nport %d\nbind 127.0.0.1\ndir %s\nsave \"\"\nenable-debug-command yes\n", port, dir);
    fclose(fp);
    pid_t parent = getpid(), pid = fork();
    ck_assert(pid != -1);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execl(hs_server_path(), hs_server_path(), conf, (char *)NULL);
        _exit(127);
    }
    redisContext *c = connect_retry(port, RESTART_WAIT_MS);
    HS_EXPECT_OK(c, "CONFIG", "REWRITE");
    ck_assert_ptr_null(strstr(slurp(conf), "\nhz 10\n")); /* defaults are left out */
    HS_EXPECT_OK(c, "DEBUG", "CONFIG-REWRITE-FORCE-ALL");
    const char *text = slurp(conf);
    ck_assert_ptr_eq(strstr(text, "# my comment\n"), text);
    ck_assert_ptr_nonnull(strstr(text, "\n# Generated by CONFIG REWRITE\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nhz 10\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nmaxmemory 0\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nappendonly no\n"));
    redisFree(c);
    /* the file written loads back */
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execl(hs_server_path(), hs_server_path(), conf, "--logfile", log, (char *)NULL);
        _exit(127);
    }
    c = connect_retry(port, RESTART_WAIT_MS);
    redisFree(c);
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---------------------------------------------------------- crashes */

/* Sends DEBUG <sub> and checks the server died of sig with a bug report
 * naming what in its log. A sanitizer build may report instead. */
static void expect_crash(const char *sub, int sig, const char *what) {
    hs_server *s = hs_start(NULL);
    redisContext *c = hs_connect(s);
    redisReply *r = redisCommand(c, "DEBUG %s", sub);
    ck_assert_ptr_null(r); /* the connection dropped: no reply */
    redisFree(c);
    int st = hs_wait_exit(s, CRASH_WAIT_MS);
    ck_assert_int_ne(st, -1);
    hs_buf log = hs_read_log(s);
    int sanitizer = strstr(log.data, "Sanitizer") != NULL;
    if (!sanitizer) {
        ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == sig, "DEBUG %s: wait status 0x%x", sub, st);
        const char *start = strstr(log.data, "\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n");
        ck_assert_ptr_nonnull(start);
        ck_assert_ptr_nonnull(strstr(start, what));
        ck_assert_ptr_nonnull(strstr(start, "------ STACK TRACE ------"));
        ck_assert_ptr_nonnull(strstr(start, "argv[1]: '\""));
        ck_assert_ptr_nonnull(strstr(start, "\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n"));
    } else {
        ck_assert(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0));
    }
    hs_buf_free(&log);
    hs_kill(s);
}

START_TEST(test_crash_segfault) {
    expect_crash("SEGFAULT", SIGSEGV, "crashed by signal: 11");
}
END_TEST

START_TEST(test_crash_panic) {
    expect_crash("PANIC", SIGABRT, "Guru Meditation: DEBUG PANIC called at Unix time ");
}
END_TEST

START_TEST(test_crash_assert) {
    expect_crash("ASSERT", SIGABRT, "=== ASSERTION FAILED ===");
}
END_TEST

START_TEST(test_crash_oom) {
    expect_crash("OOM", SIGABRT, "Guru Meditation: minired aborting for OUT OF MEMORY. Allocating ");
}
END_TEST

/* ---------------------------------------------------------- RESTART */

static hs_buf run_id(redisContext *c) {
    return hs_info_field(c, "server", "run_id");
}

START_TEST(test_restart) {
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "DEBUG", "RESTART", "abc");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "DEBUG", "CRASH-AND-RECOVER", "abc");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "save", "3600 1");
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    hs_buf id1 = run_id(ctx);
    /* graceful: saved at shutdown, loaded by the new process */
    ck_assert_ptr_null(redisCommand(ctx, "DEBUG RESTART 10"));
    redisFree(ctx);
    ctx = connect_retry(srv->port, RESTART_WAIT_MS);
    HS_EXPECT_BULK(ctx, "v", "GET", "k");
    hs_buf id2 = run_id(ctx);
    ck_assert_str_ne(id1.data, id2.data);
    ck_assert_int_eq(kill(srv->pid, 0), 0); /* the same process, re-executed */
    /* crash: nothing saved (argv's --save "" is back in force anyway) */
    HS_EXPECT_OK(ctx, "SET", "k2", "v2");
    ck_assert_ptr_null(redisCommand(ctx, "DEBUG CRASH-AND-RECOVER"));
    redisFree(ctx);
    ctx = connect_retry(srv->port, RESTART_WAIT_MS);
    HS_EXPECT_NIL(ctx, "GET", "k2");
    HS_EXPECT_BULK(ctx, "v", "GET", "k");
    hs_buf_free(&id1);
    hs_buf_free(&id2);
    hs_buf log = hs_read_log(srv);
    ck_assert_ptr_nonnull(strstr(log.data, "User requested shutdown..."));
    hs_buf_free(&log);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("debug_extra");
    TCase *tc = tcase_create("debug_extra");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_htstats);
    tcase_add_test(tc, test_htstats_key);
    tcase_add_test(tc, test_sdslen);
    tcase_add_test(tc, test_structsize);
    tcase_add_test(tc, test_client_eviction);
    tcase_add_test(tc, test_pause_cron);
    tcase_add_test(tc, test_replicate);
    tcase_add_test(tc, test_skip_checksum_restore);
    tcase_add_test(tc, test_skip_checksum_rdb);
    tcase_add_test(tc, test_aof_flush_sleep);
    tcase_add_test(tc, test_leak_and_cluster);
    tcase_add_test(tc, test_config_rewrite_force_all);
    tcase_add_test(tc, test_crash_segfault);
    tcase_add_test(tc, test_crash_panic);
    tcase_add_test(tc, test_crash_assert);
    tcase_add_test(tc, test_crash_oom);
    tcase_add_test(tc, test_restart);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return hs_run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
