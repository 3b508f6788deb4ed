/* test_aof.c -- integration tests for the AOF: restart with every fsync
 * policy, the manifest and file names Redis 7.0 writes, BGREWRITEAOF while
 * writes go on, a torn tail with aof-load-truncated yes and no, a MULTI
 * without EXEC, CONFIG SET appendonly at runtime, the 6.x migration,
 * minired-check-aof, AOF directories moving both ways between minired and
 * a live redis-server 7.0 (when installed), and the crash test: a
 * pipelining writer under appendfsync always, kill -9, restart, every
 * acknowledged write present (MINIRED_AOF_CRASH_ROUNDS rounds, default 15).
 *
 * Each test keeps its data in its own directory (passed as --dir after
 * the harness's), so a server can be restarted on the same files. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define AOF_MAX_ARGS 40
#define REWRITE_WAIT_MS 20000
#define CRASH_DEFAULT_ROUNDS 15
#define CRASH_WRITE_MS 150
#define CRASH_BATCH 64

/* ---------------------------------------------------------- helpers */

static int free_port(void);

static char *make_dir(void) {
    char *d = strdup("/tmp/minired-aof-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void remove_dir(char *d) {
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
    ck_assert_int_eq(system(cmd), 0);
    free(d);
}

/* Starts a server on dir with appendonly yes (unless extra says other)
 * and the extra directives (NULL-terminated). */
static hs_server *start_in(const char *dir, const char *const *extra) {
    const char *args[AOF_MAX_ARGS];
    int n = 0;
    args[n++] = "--dir";
    args[n++] = dir;
    args[n++] = "--appendonly";
    args[n++] = "yes";
    for (int i = 0; extra && extra[i] && n < AOF_MAX_ARGS - 1; i++) args[n++] = extra[i];
    args[n] = NULL;
    hs_server *s = hs_start(args);
    /* Clients get -LOADING until the AOF is loaded: wait for it. */
    redisContext *c = hs_connect(s);
    long long deadline = hs_now_ms() + REWRITE_WAIT_MS;
    while (hs_info_ll(c, "persistence", "loading") != 0) {
        ck_assert_msg(hs_now_ms() < deadline, "still loading");
        hs_sleep_ms(10);
    }
    redisFree(c);
    return s;
}

static hs_buf read_path(const char *path) {
    hs_buf b = {0};
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) return b;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) hs_buf_cat(&b, chunk, n);
    fclose(fp);
    if (b.data == NULL) hs_buf_cat(&b, "", 0);
    return b;
}

static hs_buf read_aof(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonlydir/%s", dir, name);
    return read_path(path);
}

static void append_aof(const char *dir, const char *name, const char *bytes) {
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonlydir/%s", dir, name);
    FILE *fp = fopen(path, "ab");
    ck_assert_ptr_nonnull(fp);
    fputs(bytes, fp);
    fclose(fp);
}

static long long aof_size(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonlydir/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void expect_manifest(const char *dir, const char *want) {
    hs_buf m = read_aof(dir, "appendonly.aof.manifest");
    ck_assert_msg(m.data != NULL, "no manifest");
    HS_CHECK_BYTES(m, want);
    hs_buf_free(&m);
}

static int log_has(const hs_server *s, const char *text) {
    hs_buf log = hs_read_log(s);
    int yes = log.data && strstr(log.data, text) != NULL;
    hs_buf_free(&log);
    return yes;
}

static void wait_rewrite_done(redisContext *c) {
    long long deadline = hs_now_ms() + REWRITE_WAIT_MS;
    while (hs_info_ll(c, "persistence", "aof_rewrite_in_progress") != 0 ||
           hs_info_ll(c, "persistence", "aof_rewrite_scheduled") != 0) {
        ck_assert_msg(hs_now_ms() < deadline, "rewrite did not finish");
        hs_sleep_ms(20);
    }
}

/* A dataset touching every type, TTLs, a transaction and two databases. */
static void write_dataset(redisContext *c) {
    HS_EXPECT_OK(c, "SET", "str", "hello");
    HS_EXPECT_INT(c, 2, "INCRBY", "num", "2");
    HS_EXPECT_INT(c, 3, "RPUSH", "list", "a", "b", "c");
    HS_EXPECT_INT(c, 2, "HSET", "hash", "f1", "v1", "f2", "v2");
    HS_EXPECT_INT(c, 3, "SADD", "set", "1", "2", "x");
    HS_EXPECT_INT(c, 2, "ZADD", "zset", "1.5", "m1", "-2", "m2");
    HS_EXPECT_INT(c, 1, "EXPIRE", "str", "1000");
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "INCR", "num");
    HS_EXPECT_STATUS(c, "QUEUED", "LPUSH", "list", "z");
    HS_DO(c, ck_assert_int_eq(hs_r_->type, REDIS_REPLY_ARRAY), "EXEC");
    HS_EXPECT_OK(c, "SELECT", "3");
    HS_EXPECT_OK(c, "SET", "db3key", "v3");
    HS_EXPECT_OK(c, "SELECT", "0");
}

static void check_dataset(redisContext *c) {
    HS_EXPECT_BULK(c, "hello", "GET", "str");
    HS_DO(c, ck_assert(hs_r_->type == REDIS_REPLY_INTEGER && hs_r_->integer > 900), "TTL", "str");
    HS_EXPECT_BULK(c, "3", "GET", "num");
    HS_EXPECT_BULKS(c, HS_ARGS("z", "a", "b", "c"), "LRANGE", "list", "0", "-1");
    HS_EXPECT_BULK(c, "v2", "HGET", "hash", "f2");
    HS_EXPECT_INT(c, 3, "SCARD", "set");
    HS_EXPECT_BULKS(c, HS_ARGS("m2", "-2", "m1", "1.5"), "ZRANGE", "zset", "0", "-1", "WITHSCORES");
    HS_EXPECT_OK(c, "SELECT", "3");
    HS_EXPECT_BULK(c, "v3", "GET", "db3key");
    HS_EXPECT_OK(c, "SELECT", "0");
}

/* ---------------------------------------------------------- restart */

static void restart_with_policy(const char *policy) {
    char *dir = make_dir();
    const char *const extra[] = {"--appendfsync", policy, NULL};
    hs_server *s = start_in(dir, extra);
    redisContext *c = hs_connect(s);
    write_dataset(c);
    redisFree(c);
    hs_stop(s);
    s = start_in(dir, extra);
    c = hs_connect(s);
    check_dataset(c);
    ck_assert(log_has(s, "DB loaded from append only file"));
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}

START_TEST(test_restart_always) {
    restart_with_policy("always");
}
END_TEST

START_TEST(test_restart_everysec) {
    restart_with_policy("everysec");
}
END_TEST

START_TEST(test_restart_no) {
    restart_with_policy("no");
}
END_TEST

/* ---------------------------------------------------------- manifest */

START_TEST(test_manifest_and_rewrite) {
    char *dir = make_dir();
    const char *const extra[] = {"--aof-use-rdb-preamble", "no", NULL};
    hs_server *s = start_in(dir, extra);
    ck_assert(log_has(s, "Creating AOF base file appendonly.aof.1.base.aof on server start"));
    ck_assert(log_has(s, "Creating AOF incr file appendonly.aof.1.incr.aof on server start"));
    expect_manifest(dir, "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "SET", "k", "v");
    hs_buf incr = read_aof(dir, "appendonly.aof.1.incr.aof");
    HS_CHECK_BYTES(incr, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    hs_buf_free(&incr);
    HS_EXPECT_INT(c, 1, "RPUSH", "l", "a");
    HS_EXPECT_STATUS(c, "Background append only file rewriting started", "BGREWRITEAOF");
    HS_EXPECT_ERROR(c, "ERR Background append only file rewriting already in progress", "BGREWRITEAOF");
    wait_rewrite_done(c);
    expect_manifest(dir, "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    ck_assert_int_eq(aof_size(dir, "appendonly.aof.1.base.aof"), -1);
    ck_assert_int_eq(aof_size(dir, "appendonly.aof.1.incr.aof"), -1);
    hs_buf base = read_aof(dir, "appendonly.aof.2.base.aof");
    ck_assert(base.data && strncmp(base.data, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n", 23) == 0);
    ck_assert(strstr(base.data, "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n") != NULL);
    ck_assert(strstr(base.data, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n") != NULL);
    hs_buf_free(&base);
    ck_assert_int_eq(hs_info_ll(c, "persistence", "aof_rewrites"), 1);
    hs_buf st = hs_info_field(c, "persistence", "aof_last_bgrewrite_status");
    ck_assert_str_eq(st.data, "ok");
    hs_buf_free(&st);
    ck_assert_int_eq(hs_info_ll(c, "persistence", "aof_base_size"), aof_size(dir, "appendonly.aof.2.base.aof"));
    ck_assert(log_has(s, "Removing the history file appendonly.aof.1.incr.aof in the background"));
    ck_assert(log_has(s, "Background AOF rewrite finished successfully"));
    /* The new incr file starts with its database. */
    HS_EXPECT_OK(c, "SET", "k2", "v");
    incr = read_aof(dir, "appendonly.aof.2.incr.aof");
    ck_assert(incr.data && strncmp(incr.data, "*2\r\n$6\r\nSELECT\r\n", 16) == 0);
    hs_buf_free(&incr);
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

/* redis.set_repl() decides what reaches the AOF: REPL_AOF and REPL_ALL
 * writes are there, REPL_REPLICA and REPL_NONE ones are not; PUBLISH never
 * is (it goes to replicas only). */
START_TEST(test_script_set_repl_targets) {
    char *dir = make_dir();
    /* appendfsync always: each write is in the file before its reply. */
    const char *const extra[] = {"--appendfsync", "always", NULL};
    hs_server *s = start_in(dir, extra);
    redisContext *c = hs_connect(s);
    HS_EXPECT_INT(c, 1, "EVAL",
                  "redis.set_repl(redis.REPL_REPLICA); redis.call('SET', 'to-replica', 1);"
                  "redis.set_repl(redis.REPL_AOF); redis.call('SET', 'to-aof', 1);"
                  "redis.set_repl(redis.REPL_NONE); redis.call('SET', 'to-none', 1);"
                  "redis.set_repl(redis.REPL_ALL); redis.call('SET', 'to-all', 1); return 1",
                  "0");
    HS_EXPECT_INT(c, 0, "PUBLISH", "news", "hello");
    HS_EXPECT_OK(c, "SET", "after", "1");
    hs_buf incr = read_aof(dir, "appendonly.aof.1.incr.aof");
    ck_assert(incr.data != NULL);
    ck_assert(strstr(incr.data, "to-aof") != NULL);
    ck_assert(strstr(incr.data, "to-all") != NULL);
    ck_assert(strstr(incr.data, "to-replica") == NULL);
    ck_assert(strstr(incr.data, "to-none") == NULL);
    ck_assert(strstr(incr.data, "PUBLISH") == NULL);
    ck_assert(strstr(incr.data, "after") != NULL);
    hs_buf_free(&incr);
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

/* A rewrite of every type in batches, TTLs as PEXPIREAT: what Redis 7.0
 * writes without a preamble loads back identically. */
START_TEST(test_rewrite_batches_roundtrip) {
    char *dir = make_dir();
    const char *const extra[] = {"--aof-use-rdb-preamble", "no", NULL};
    hs_server *s = start_in(dir, extra);
    redisContext *c = hs_connect(s);
    write_dataset(c);
    for (int i = 0; i < 200; i++) {
        char v[16];
        snprintf(v, sizeof(v), "%d", i);
        HS_DO(c, (void)0, "RPUSH", "big", v);
        HS_DO(c, (void)0, "SADD", "bigset", v);
        HS_DO(c, (void)0, "HSET", "bighash", v, v);
        HS_DO(c, (void)0, "ZADD", "bigz", v, v);
    }
    HS_EXPECT_STATUS(c, "Background append only file rewriting started", "BGREWRITEAOF");
    wait_rewrite_done(c);
    hs_buf base = read_aof(dir, "appendonly.aof.2.base.aof");
    /* 200 elements: batches of 64, 64, 64 and 8. */
    ck_assert(strstr(base.data, "*66\r\n$5\r\nRPUSH\r\n$3\r\nbig\r\n") != NULL);
    ck_assert(strstr(base.data, "*10\r\n$5\r\nRPUSH\r\n$3\r\nbig\r\n") != NULL);
    ck_assert(strstr(base.data, "*130\r\n$4\r\nZADD\r\n$4\r\nbigz\r\n") != NULL);
    ck_assert(strstr(base.data, "*130\r\n$5\r\nHMSET\r\n$7\r\nbighash\r\n") != NULL);
    ck_assert(strstr(base.data, "$9\r\nPEXPIREAT\r\n$3\r\nstr\r\n") != NULL);
    hs_buf_free(&base);
    redisFree(c);
    hs_stop(s);
    s = start_in(dir, extra);
    c = hs_connect(s);
    check_dataset(c);
    HS_EXPECT_INT(c, 200, "LLEN", "big");
    HS_EXPECT_INT(c, 200, "SCARD", "bigset");
    HS_EXPECT_INT(c, 200, "HLEN", "bighash");
    HS_EXPECT_INT(c, 200, "ZCARD", "bigz");
    HS_EXPECT_BULK(c, "199", "LINDEX", "big", "-1");
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

/* Writes keep coming while two rewrites run: none is lost. */
START_TEST(test_rewrite_while_writing) {
    char *dir = make_dir();
    hs_server *s = start_in(dir, NULL);
    redisContext *c = hs_connect(s);
    redisContext *admin = hs_connect(s);
    const int total = 20000;
    for (int i = 0; i < total; i++) {
        redisAppendCommand(c, "INCR counter");
        redisAppendCommand(c, "RPUSH log %d", i);
        if (i == total / 4 || i == total * 3 / 4) {
            redisReply *r = hs_command(admin, HS_ARGS("BGREWRITEAOF"));
            freeReplyObject(r);
        }
        if (i % 500 == 499) {
            for (int j = 0; j < 1000; j++) freeReplyObject(hs_get_reply(c));
        }
    }
    wait_rewrite_done(admin);
    HS_EXPECT_BULK(c, "20000", "GET", "counter");
    ck_assert_int_ge(hs_info_ll(admin, "persistence", "aof_rewrites"), 1);
    redisFree(c);
    redisFree(admin);
    hs_stop(s);
    s = start_in(dir, NULL);
    c = hs_connect(s);
    HS_EXPECT_BULK(c, "20000", "GET", "counter");
    HS_EXPECT_INT(c, total, "LLEN", "log");
    HS_EXPECT_BULK(c, "19999", "LINDEX", "log", "-1");
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

/* The AOF grew past auto-aof-rewrite-min-size and by the percentage over
 * its base: the cron starts a rewrite by itself. */
START_TEST(test_auto_rewrite) {
    char *dir = make_dir();
    const char *const extra[] = {"--auto-aof-rewrite-min-size", "10kb", "--auto-aof-rewrite-percentage", "100", NULL};
    hs_server *s = start_in(dir, extra);
    redisContext *c = hs_connect(s);
    char big[512];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    for (int i = 0; i < 40; i++) HS_EXPECT_OK(c, "SET", "k", big);
    long long deadline = hs_now_ms() + REWRITE_WAIT_MS;
    while (hs_info_ll(c, "persistence", "aof_rewrites") < 1) {
        ck_assert_msg(hs_now_ms() < deadline, "no automatic rewrite");
        hs_sleep_ms(20);
    }
    wait_rewrite_done(c);
    ck_assert(log_has(s, "Starting automatic rewriting of AOF on"));
    ck_assert_int_lt(hs_info_ll(c, "persistence", "aof_current_size"), 10 * 1024);
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

/* ---------------------------------------------------------- torn tails */

static char *dir_with_torn_tail(const char *tail) {
    char *dir = make_dir();
    hs_server *s = start_in(dir, NULL);
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "SET", "kept", "1");
    redisFree(c);
    hs_stop(s);
    append_aof(dir, "appendonly.aof.1.incr.aof", tail);
    return dir;
}

#define TORN_SET "*3\r\n$3\r\nset\r\n$3\r\nfoo\r\n$2\r\nb"

START_TEST(test_truncated_tail_loaded) {
    char *dir = dir_with_torn_tail(TORN_SET);
    long long valid = aof_size(dir, "appendonly.aof.1.incr.aof") - (long long)strlen(TORN_SET);
    hs_server *s = start_in(dir, NULL);
    char line[200];
    snprintf(line, sizeof(line), "!!! Truncating the AOF appendonly.aof.1.incr.aof at offset %lld !!!", valid);
    ck_assert(log_has(s, "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!"));
    ck_assert(log_has(s, line));
    ck_assert(log_has(s, "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled"));
    ck_assert_int_eq(aof_size(dir, "appendonly.aof.1.incr.aof"), valid);
    redisContext *c = hs_connect(s);
    HS_EXPECT_BULK(c, "1", "GET", "kept");
    HS_EXPECT_NIL(c, "GET", "foo");
    /* Appending goes on after the cut. */
    HS_EXPECT_OK(c, "SET", "after", "2");
    redisFree(c);
    hs_stop(s);
    s = start_in(dir, NULL);
    c = hs_connect(s);
    HS_EXPECT_BULK(c, "2", "GET", "after");
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

START_TEST(test_truncated_tail_refused) {
    char *dir = dir_with_torn_tail(TORN_SET);
    hs_buf out = {0};
    char port[16];
    snprintf(port, sizeof(port), "%d", free_port());
    const char *const args[] = {"--port", port, "--dir", dir, "--appendonly", "yes", "--aof-load-truncated", "no",
                                NULL};
    int st = hs_run_server_once(args, 20000, &out);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    ck_assert_msg(strstr(out.data, "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. "
                                   "You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
                                   "<filename.manifest>.") != NULL,
                  "%s", out.data);
    hs_buf_free(&out);
    remove_dir(dir);
}
END_TEST

START_TEST(test_multi_without_exec_reverted) {
    char *dir = dir_with_torn_tail("*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nset\r\n$3\r\nfoo\r\n$3\r\nbar\r\n");
    hs_server *s = start_in(dir, NULL);
    ck_assert(log_has(s, "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof"));
    redisContext *c = hs_connect(s);
    HS_EXPECT_NIL(c, "GET", "foo");
    HS_EXPECT_BULK(c, "1", "GET", "kept");
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

/* Garbage in a file that is not the last one is fatal. */
START_TEST(test_bad_format_fatal) {
    char *dir = make_dir();
    const char *const extra[] = {"--aof-use-rdb-preamble", "no", NULL};
    hs_server *s = start_in(dir, extra);
    hs_stop(s);
    append_aof(dir, "appendonly.aof.1.base.aof", "garbage\r\n");
    hs_buf out = {0};
    char port[16];
    snprintf(port, sizeof(port), "%d", free_port());
    const char *const args[] = {"--port", port, "--dir", dir, "--appendonly", "yes", NULL};
    int st = hs_run_server_once(args, 20000, &out);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    ck_assert_msg(strstr(out.data, "Bad file format reading the append only file appendonly.aof.1.base.aof") != NULL,
                  "%s", out.data);
    hs_buf_free(&out);
    remove_dir(dir);
}
END_TEST

/* ---------------------------------------------------------- runtime */

START_TEST(test_config_set_appendonly) {
    char *dir = make_dir();
    const char *const off[] = {"--appendonly", "no", NULL};
    hs_server *s = start_in(dir, off);
    redisContext *c = hs_connect(s);
    hs_buf en = hs_info_field(c, "persistence", "aof_current_size");
    ck_assert_ptr_null(en.data); /* no extra block while off */
    hs_buf_free(&en);
    HS_EXPECT_OK(c, "SET", "before", "1");
    HS_EXPECT_OK(c, "CONFIG", "SET", "appendonly", "yes");
    ck_assert_int_eq(hs_info_ll(c, "persistence", "aof_enabled"), 1);
    HS_EXPECT_OK(c, "SET", "during", "2");
    wait_rewrite_done(c);
    ck_assert(log_has(s, "Creating AOF incr file temp-appendonly.aof.incr on background rewrite"));
    ck_assert(log_has(s, "Successfully renamed the temporary AOF incr file temp-appendonly.aof.incr into "
                         "appendonly.aof.1.incr.aof"));
    HS_EXPECT_OK(c, "SET", "after", "3");
    HS_EXPECT_OK(c, "CONFIG", "SET", "appendonly", "yes"); /* already on: nothing */
    ck_assert_int_ge(hs_info_ll(c, "persistence", "aof_current_size"), 1);
    redisFree(c);
    hs_stop(s);
    s = start_in(dir, NULL);
    c = hs_connect(s);
    HS_EXPECT_BULK(c, "1", "GET", "before");
    HS_EXPECT_BULK(c, "2", "GET", "during");
    HS_EXPECT_BULK(c, "3", "GET", "after");
    /* Off again: writes stop reaching the file. */
    HS_EXPECT_OK(c, "CONFIG", "SET", "appendonly", "no");
    ck_assert_int_eq(hs_info_ll(c, "persistence", "aof_enabled"), 0);
    HS_EXPECT_OK(c, "SET", "lost", "4");
    redisFree(c);
    hs_stop(s);
    s = start_in(dir, NULL);
    c = hs_connect(s);
    HS_EXPECT_NIL(c, "GET", "lost");
    HS_EXPECT_BULK(c, "3", "GET", "after");
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

/* Writes that cannot reach the file (the incr file is /dev/full here, as
 * the same trick does on Redis 7.0.15) refuse further writes and PING with
 * MISCONF; reads go on; turning the AOF off lifts it. */
START_TEST(test_write_error_misconf) {
    char *dir = make_dir();
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonlydir", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/appendonlydir/temp-appendonly.aof.incr", dir);
    ck_assert_int_eq(symlink("/dev/full", path), 0);
    const char *const off[] = {"--appendonly", "no", NULL};
    hs_server *s = start_in(dir, off);
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "CONFIG", "SET", "appendonly", "yes");
    wait_rewrite_done(c);
    HS_EXPECT_OK(c, "SET", "k", "v"); /* its reply was due before the write failed */
    HS_EXPECT_ERROR(c, "MISCONF Errors writing to the AOF file: No space left on device", "SET", "k2", "v");
    HS_EXPECT_ERROR(c, "MISCONF Errors writing to the AOF file: No space left on device", "PING");
    HS_EXPECT_BULK(c, "v", "GET", "k");
    hs_buf st = hs_info_field(c, "persistence", "aof_last_write_status");
    ck_assert_str_eq(st.data, "err");
    hs_buf_free(&st);
    ck_assert(log_has(s, "Error writing to the AOF file: No space left on device"));
    HS_EXPECT_OK(c, "CONFIG", "SET", "appendonly", "no");
    HS_EXPECT_OK(c, "SET", "k3", "v");
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

START_TEST(test_migrate_old_style) {
    char *dir = make_dir();
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonly.aof", dir);
    FILE *fp = fopen(path, "wb");
    fputs("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$3\r\nold\r\n$3\r\nval\r\n", fp);
    fclose(fp);
    hs_server *s = start_in(dir, NULL);
    ck_assert(log_has(s, "Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory "
                         "(appendonlydir)."));
    ck_assert(log_has(s, "DB loaded from base file appendonly.aof:"));
    expect_manifest(dir, "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    struct stat st;
    ck_assert_int_ne(stat(path, &st), 0); /* moved into the directory */
    redisContext *c = hs_connect(s);
    HS_EXPECT_BULK(c, "val", "GET", "old");
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

START_TEST(test_timestamps) {
    char *dir = make_dir();
    const char *const extra[] = {"--aof-timestamp-enabled", "yes", NULL};
    hs_server *s = start_in(dir, extra);
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "SET", "k", "v");
    hs_sleep_ms(1100); /* annotations come when the second changes */
    HS_EXPECT_OK(c, "SET", "k2", "v");
    hs_buf incr = read_aof(dir, "appendonly.aof.1.incr.aof");
    ck_assert(incr.data && strstr(incr.data, "#TS:") != NULL);
    hs_buf_free(&incr);
    redisFree(c);
    hs_stop(s);
    s = start_in(dir, extra);
    c = hs_connect(s);
    HS_EXPECT_BULK(c, "v", "GET", "k");
    HS_EXPECT_BULK(c, "v", "GET", "k2");
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

START_TEST(test_info_fields) {
    char *dir = make_dir();
    hs_server *s = start_in(dir, NULL);
    redisContext *c = hs_connect(s);
    const char *fields[] = {"aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled",
                            "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec", "aof_rewrites",
                            "aof_rewrites_consecutive_failures", "aof_last_cow_size", "aof_current_size",
                            "aof_base_size", "aof_pending_rewrite", "aof_buffer_length", "aof_pending_bio_fsync",
                            "aof_delayed_fsync"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) hs_info_ll(c, "persistence", fields[i]);
    ck_assert_int_eq(hs_info_ll(c, "persistence", "aof_enabled"), 1);
    long long before = hs_info_ll(c, "persistence", "aof_current_size");
    HS_EXPECT_OK(c, "SET", "k", "v");
    ck_assert_int_gt(hs_info_ll(c, "persistence", "aof_current_size"), before);
    hs_buf st = hs_info_field(c, "persistence", "aof_last_write_status");
    ck_assert_str_eq(st.data, "ok");
    hs_buf_free(&st);
    hs_info_ll(c, "memory", "mem_aof_buffer");
    /* DEBUG LOADAOF: the keyspace comes back from the files, and the
     * replay is not appended again. */
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "INCR", "n");
    HS_EXPECT_STATUS(c, "QUEUED", "SET", "m", "x");
    HS_DO(c, (void)0, "EXEC");
    long long size = hs_info_ll(c, "persistence", "aof_current_size");
    HS_EXPECT_OK(c, "DEBUG", "LOADAOF");
    HS_EXPECT_BULK(c, "1", "GET", "n");
    HS_EXPECT_BULK(c, "x", "GET", "m");
    HS_EXPECT_BULK(c, "v", "GET", "k");
    ck_assert_int_eq(hs_info_ll(c, "persistence", "aof_current_size"), size);
    ck_assert(log_has(s, "Append Only File loaded by DEBUG LOADAOF"));
    HS_EXPECT_ARITY(c, "bgrewriteaof", "BGREWRITEAOF", "x");
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

/* ---------------------------------------------------------- check tool */

static int run_check(const char *args, hs_buf *out) {
    char tool[512], cmd[1200], outpath[64];
    snprintf(tool, sizeof(tool), "%s", hs_server_path());
    char *slash = strrchr(tool, '/');
    snprintf(slash + 1, sizeof(tool) - (size_t)(slash + 1 - tool), "minired-check-aof");
    snprintf(outpath, sizeof(outpath), "/tmp/minired-check-aof-%d.out", (int)getpid());
    snprintf(cmd, sizeof(cmd), "%s %s > %s 2>&1", tool, args, outpath);
    int st = system(cmd);
    *out = read_path(outpath);
    unlink(outpath);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_check_aof) {
    char *dir = make_dir();
    const char *const extra[] = {"--aof-use-rdb-preamble", "no", NULL};
    hs_server *s = start_in(dir, extra);
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "SET", "k", "v");
    redisFree(c);
    hs_stop(s);
    char args[600];
    snprintf(args, sizeof(args), "%s/appendonlydir/appendonly.aof.manifest", dir);
    hs_buf out;
    /* Byte for byte what redis-check-aof 7.0.15 prints for these files. */
    ck_assert_int_eq(run_check(args, &out), 0);
    HS_CHECK_BYTES(out, "Start checking Multi Part AOF\n"
                        "Start to check BASE AOF (RESP format).\n"
                        "BASE AOF appendonly.aof.1.base.aof is empty\n"
                        "Start to check INCR files.\n"
                        "AOF analyzed: filename=appendonly.aof.1.incr.aof, size=50, ok_up_to=50, ok_up_to_line=13, "
                        "diff=0\n"
                        "INCR AOF appendonly.aof.1.incr.aof is valid\n"
                        "All AOF files and manifest are valid\n");
    hs_buf_free(&out);
    append_aof(dir, "appendonly.aof.1.incr.aof", TORN_SET);
    ck_assert_int_eq(run_check(args, &out), 1);
    HS_CHECK_BYTES(out, "Start checking Multi Part AOF\n"
                        "Start to check BASE AOF (RESP format).\n"
                        "BASE AOF appendonly.aof.1.base.aof is empty\n"
                        "Start to check INCR files.\n"
                        "0x              4c: Expected to read 4 bytes, got 1 bytes\n"
                        "AOF analyzed: filename=appendonly.aof.1.incr.aof, size=77, ok_up_to=50, ok_up_to_line=19, "
                        "diff=27\n"
                        "AOF appendonly.aof.1.incr.aof is not valid. Use the --fix option to try fixing it.\n");
    hs_buf_free(&out);
    char fix[700];
    snprintf(fix, sizeof(fix), "--fix %s < /dev/null", args);
    ck_assert_int_eq(run_check(fix, &out), 1); /* not confirmed */
    ck_assert(strstr(out.data, "Aborting...") != NULL);
    hs_buf_free(&out);
    ck_assert_int_eq(aof_size(dir, "appendonly.aof.1.incr.aof"), 77);
    char shfix[800];
    snprintf(shfix, sizeof(shfix), "--fix %s < %s/yes.txt", args, dir);
    char yes[600];
    snprintf(yes, sizeof(yes), "%s/yes.txt", dir);
    FILE *fp = fopen(yes, "w");
    fputs("y\n", fp);
    fclose(fp);
    ck_assert_int_eq(run_check(shfix, &out), 0);
    ck_assert_msg(strstr(out.data, "This will shrink the AOF appendonly.aof.1.incr.aof from 77 bytes, with 27 bytes, "
                                   "to 50 bytes\nContinue? [y/N]: Successfully truncated AOF "
                                   "appendonly.aof.1.incr.aof\n"),
                  "%s", out.data);
    hs_buf_free(&out);
    ck_assert_int_eq(aof_size(dir, "appendonly.aof.1.incr.aof"), 50);
    ck_assert_int_eq(run_check("", &out), 1);
    ck_assert(strstr(out.data, "Usage: minired-check-aof [--fix] <file.manifest|file.aof>") != NULL);
    hs_buf_free(&out);
    remove_dir(dir);
}
END_TEST

/* ---------------------------------------------------------- crash */

/* Reads replies (":n\r\n") from fd; returns the highest n acknowledged.
 * wait_ms: how long to wait for more (0: only what is there). */
static long long drain_acks(int fd, long long acked, int wait_ms, int *closed) {
    static char pending[64];
    static size_t plen;
    char buf[65536];
    long long deadline = hs_now_ms() + wait_ms;
    for (;;) {
        fd_set rf;
        FD_ZERO(&rf);
        FD_SET(fd, &rf);
        long long left = deadline - hs_now_ms();
        struct timeval tv = {0, left > 0 ? (int)left * 1000 : 0};
        if (select(fd + 1, &rf, NULL, NULL, &tv) <= 0) return acked;
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0) {
            *closed = 1;
            plen = 0;
            return acked;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (plen < sizeof(pending) - 1) pending[plen++] = buf[i];
            if (buf[i] == '\n') {
                pending[plen] = '\0';
                if (pending[0] == ':') {
                    long long v = atoll(pending + 1);
                    if (v > acked) acked = v;
                }
                plen = 0;
            }
        }
    }
}

static void send_batch(int fd, long long *next) {
    char buf[CRASH_BATCH * 48];
    size_t len = 0;
    for (int i = 0; i < CRASH_BATCH; i++, (*next)++) {
        char num[24];
        int nl = snprintf(num, sizeof(num), "%lld", *next);
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "*3\r\n$5\r\nRPUSH\r\n$5\r\ncrash\r\n$%d\r\n%s\r\n", nl,
                                num);
    }
    hs_raw_try_send(fd, buf, len);
}

START_TEST(test_crash_always) {
    const char *env = getenv("MINIRED_AOF_CRASH_ROUNDS");
    int rounds = env ? atoi(env) : CRASH_DEFAULT_ROUNDS;
    char *dir = make_dir();
    const char *const extra[] = {"--appendfsync", "always", NULL};
    long long expected_min = 0;
    for (int round = 0; round < rounds; round++) {
        hs_server *s = start_in(dir, extra);
        redisContext *c = hs_connect(s);
        redisReply *r = hs_command(c, HS_ARGS("LLEN", "crash"));
        ck_assert_msg(r->integer >= expected_min, "round %d: %lld acknowledged pushes, only %lld survived", round,
                      expected_min, r->integer);
        long long next = r->integer + 1;
        freeReplyObject(r);
        if (round % 10 == 9) { /* a rewrite now and then, so kills hit those too */
            r = hs_command(c, HS_ARGS("BGREWRITEAOF"));
            freeReplyObject(r);
        }
        redisFree(c);
        int fd = hs_raw_connect(s);
        int closed = 0;
        long long acked = expected_min;
        long long until = hs_now_ms() + CRASH_WRITE_MS + (round * 37) % 100;
        while (hs_now_ms() < until) {
            send_batch(fd, &next);
            acked = drain_acks(fd, acked, 1, &closed);
        }
        send_batch(fd, &next);
        acked = drain_acks(fd, acked, 0, &closed);
        kill(s->pid, SIGKILL);
        while (!closed) acked = drain_acks(fd, acked, 1000, &closed);
        close(fd);
        hs_kill(s);
        expected_min = acked;
    }
    hs_server *s = start_in(dir, extra);
    redisContext *c = hs_connect(s);
    redisReply *r = hs_command(c, HS_ARGS("LLEN", "crash"));
    ck_assert_msg(r->integer >= expected_min, "last round: %lld acknowledged, %lld survived", expected_min,
                  r->integer);
    freeReplyObject(r);
    /* In order and without holes: the last element is the length. */
    r = hs_command(c, HS_ARGS("LINDEX", "crash", "-1"));
    ck_assert(r->type == REDIS_REPLY_STRING);
    long long last = atoll(r->str);
    freeReplyObject(r);
    r = hs_command(c, HS_ARGS("LLEN", "crash"));
    ck_assert_int_eq(last, r->integer);
    fprintf(stderr, "crash test: %d rounds of kill -9, %lld pushes acknowledged, %lld present after restart\n",
            rounds, expected_min, r->integer);
    freeReplyObject(r);
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

/* ---------------------------------------------------------- interop */

static const char *redis_server_path(void) {
    static const char *paths[] = {"/usr/bin/redis-server", "/usr/local/bin/redis-server", NULL};
    for (int i = 0; paths[i]; i++)
        if (access(paths[i], X_OK) == 0) return paths[i];
    return NULL;
}

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    socklen_t len = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    close(fd);
    return ntohs(sa.sin_port);
}

/* Runs redis-server on dir; returns its pid once it answers PING. */
static pid_t start_redis(const char *dir, int port, const char *preamble) {
    char portbuf[16];
    snprintf(portbuf, sizeof(portbuf), "%d", port);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(redis_server_path(), "redis-server", "--port", portbuf, "--bind", "127.0.0.1", "--dir", dir, "--save",
              "", "--appendonly", "yes", "--aof-use-rdb-preamble", preamble, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        redisContext *c = redisConnect("127.0.0.1", port);
        int ok = 0;
        if (c && !c->err) {
            redisReply *r = redisCommand(c, "PING");
            ok = r && r->type == REDIS_REPLY_STATUS;
            if (r) freeReplyObject(r);
        }
        if (c) redisFree(c);
        if (ok) return pid;
        hs_sleep_ms(50);
    }
    ck_abort_msg("redis-server did not start");
    return -1;
}

static void stop_redis(pid_t pid) {
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static void interop(const char *preamble) {
    if (redis_server_path() == NULL) return; /* CI installs it; skip elsewhere */
    char *dir = make_dir();
    /* Redis 7.0 writes, minired reads. */
    int port = free_port();
    pid_t rp = start_redis(dir, port, preamble);
    redisContext *c = redisConnect("127.0.0.1", port);
    write_dataset(c);
    HS_EXPECT_STATUS(c, "Background append only file rewriting started", "BGREWRITEAOF");
    wait_rewrite_done(c);
    HS_EXPECT_OK(c, "SET", "after-rewrite", "yes");
    redisFree(c);
    stop_redis(rp);
    const char *const extra[] = {"--aof-use-rdb-preamble", preamble, NULL};
    hs_server *s = start_in(dir, extra);
    c = hs_connect(s);
    check_dataset(c);
    HS_EXPECT_BULK(c, "yes", "GET", "after-rewrite");
    /* minired writes (incr, then a rewrite of its own), Redis 7.0 reads. */
    HS_EXPECT_OK(c, "SET", "from-minired", "1");
    HS_EXPECT_STATUS(c, "Background append only file rewriting started", "BGREWRITEAOF");
    wait_rewrite_done(c);
    HS_EXPECT_INT(c, 1, "RPUSH", "late", "x");
    redisFree(c);
    hs_stop(s);
    rp = start_redis(dir, port, preamble);
    c = redisConnect("127.0.0.1", port);
    check_dataset(c);
    HS_EXPECT_BULK(c, "1", "GET", "from-minired");
    HS_EXPECT_INT(c, 1, "LLEN", "late");
    redisFree(c);
    stop_redis(rp);
    remove_dir(dir);
}

START_TEST(test_interop_commands_base) {
    interop("no");
}
END_TEST

START_TEST(test_interop_rdb_preamble) {
    interop("yes");
}
END_TEST

/* A Redis 6.x AOF with an RDB preamble and a command tail migrates and
 * loads both parts. */
START_TEST(test_migrate_preamble_with_tail) {
    char *dir = make_dir();
    hs_server *s = start_in(dir, NULL);
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "SET", "inrdb", "1");
    HS_EXPECT_STATUS(c, "Background append only file rewriting started", "BGREWRITEAOF");
    wait_rewrite_done(c);
    redisFree(c);
    hs_stop(s);
    /* Build the old single file: the RDB base followed by commands. */
    hs_buf base = read_aof(dir, "appendonly.aof.2.base.rdb");
    ck_assert(base.data && base.len > 9 && memcmp(base.data, "REDIS", 5) == 0);
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonly.aof", dir);
    FILE *fp = fopen(path, "wb");
    fwrite(base.data, 1, base.len, fp);
    fputs("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$6\r\nintail\r\n$1\r\n2\r\n", fp);
    fclose(fp);
    hs_buf_free(&base);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s/appendonlydir'", dir);
    ck_assert_int_eq(system(cmd), 0);
    s = start_in(dir, NULL);
    ck_assert(log_has(s, "Reading RDB preamble from AOF file..."));
    ck_assert(log_has(s, "Reading the remaining AOF tail..."));
    c = hs_connect(s);
    HS_EXPECT_BULK(c, "1", "GET", "inrdb");
    HS_EXPECT_BULK(c, "2", "GET", "intail");
    redisFree(c);
    hs_stop(s);
    remove_dir(dir);
}
END_TEST

/* ---------------------------------------------------------- suite */

static Suite *aof_suite(void) {
    Suite *s = suite_create("aof");
    TCase *tc = hs_tcase(s, "aof");
    tcase_add_test(tc, test_restart_always);
    tcase_add_test(tc, test_restart_everysec);
    tcase_add_test(tc, test_restart_no);
    tcase_add_test(tc, test_manifest_and_rewrite);
    tcase_add_test(tc, test_rewrite_batches_roundtrip);
    tcase_add_test(tc, test_rewrite_while_writing);
    tcase_add_test(tc, test_auto_rewrite);
    tcase_add_test(tc, test_truncated_tail_loaded);
    tcase_add_test(tc, test_truncated_tail_refused);
    tcase_add_test(tc, test_multi_without_exec_reverted);
    tcase_add_test(tc, test_bad_format_fatal);
    tcase_add_test(tc, test_config_set_appendonly);
    tcase_add_test(tc, test_write_error_misconf);
    tcase_add_test(tc, test_migrate_old_style);
    tcase_add_test(tc, test_timestamps);
    tcase_add_test(tc, test_info_fields);
    tcase_add_test(tc, test_check_aof);
    tcase_add_test(tc, test_interop_commands_base);
    tcase_add_test(tc, test_interop_rdb_preamble);
    tcase_add_test(tc, test_script_set_repl_targets);
    tcase_add_test(tc, test_migrate_preamble_with_tail);
    TCase *crash = hs_tcase(s, "crash");
    tcase_set_timeout(crash, 600);
    tcase_add_test(crash, test_crash_always);
    return s;
}

int main(void) {
    return hs_run_suite(aof_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
