/* test_snapshot.c -- integration tests for RDB snapshots as the server
 * drives them: SAVE, BGSAVE [SCHEDULE], LASTSAVE, save points, MISCONF,
 * the final save of SHUTDOWN / SIGTERM / SIGINT and the reload at start,
 * -LOADING and INFO's loading fields while a slow load runs.
 *
 * Replies are Redis 7.0.15's, checked against redis-server by hand. Each
 * test starts the servers it needs; a restart reuses the first server's
 * dir (--dir), so the second one loads what the first one saved. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define EXIT_WAIT_MS 20000
#define BGSAVE_WAIT_MS 20000
/* Redis's default save points (the harness starts servers with save ""). */
#define DEFAULT_SAVE "3600 1 300 100 60 10000"
#define MISCONF_ERR                                                                                               \
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands " \
    "that may modify the data set are disabled, because this instance is configured to report errors during "   \
    "writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for "   \
    "details about the RDB error."

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static void dump_path(const hs_server *s, char *buf, size_t len) {
    snprintf(buf, len, "%s/dump.rdb", s->dir);
}

/* The value of an INFO persistence field (new string, caller frees). */
static char *info_str(redisContext *c, const char *field) {
    hs_buf b = hs_info_field(c, "persistence", field);
    ck_assert_msg(b.data != NULL, "INFO persistence has no %s", field);
    char *copy = strdup(b.data);
    hs_buf_free(&b);
    return copy;
}

static void expect_info(redisContext *c, const char *field, const char *want) {
    char *got = info_str(c, field);
    ck_assert_msg(strcmp(got, want) == 0, "%s is '%s', want '%s'", field, got, want);
    free(got);
}

/* Polls until INFO field equals want, failing past timeout_ms. */
static void wait_info(redisContext *c, const char *field, const char *want, int timeout_ms) {
    long long deadline = hs_now_ms() + timeout_ms;
    for (;;) {
        char *got = info_str(c, field);
        int same = strcmp(got, want) == 0;
        free(got);
        if (same) return;
        ck_assert_msg(hs_now_ms() < deadline, "%s never became '%s'", field, want);
        hs_sleep_ms(20);
    }
}

static void expect_exit_ok(hs_server *s, const char *why) {
    int st = hs_wait_exit(s, EXIT_WAIT_MS);
    ck_assert_msg(st != -1, "server still running after %s", why);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: exit status 0x%x", why, st);
}

/* Sends SHUTDOWN with args on a raw socket: on success the server closes
 * the connection without a reply. */
static void shutdown_and_wait(hs_server *s, const char *line) {
    int fd = hs_raw_connect(s);
    HS_RAW_SEND_STR(fd, line);
    int closed;
    hs_buf got = hs_raw_read_all(fd, EXIT_WAIT_MS, &closed);
    HS_CHECK_BYTES(got, "");
    ck_assert(closed);
    hs_buf_free(&got);
    close(fd);
    expect_exit_ok(s, line);
}

static void log_expect(const hs_server *s, const char *text) {
    hs_buf log = hs_read_log(s);
    ck_assert_msg(strstr(log.data, text) != NULL, "no \"%s\" in the log:\n%s", text, log.data);
    hs_buf_free(&log);
}

static void fill(redisContext *c) {
    HS_EXPECT_OK(c, "SET", "str", "hello");
    HS_EXPECT_INT(c, 3, "RPUSH", "list", "a", "b", "c");
    HS_EXPECT_INT(c, 2, "HSET", "hash", "f1", "v1", "f2", "v2");
    HS_EXPECT_INT(c, 1, "SADD", "set", "m");
    HS_EXPECT_INT(c, 1, "ZADD", "zset", "1.5", "z");
    HS_EXPECT_OK(c, "SET", "ttl", "x", "EX", "1000");
    HS_EXPECT_OK(c, "SELECT", "3");
    HS_EXPECT_OK(c, "SET", "in3", "three");
    HS_EXPECT_OK(c, "SELECT", "0");
}

/* What fill() wrote, as a restarted server must show it. */
static void expect_filled(redisContext *c) {
    HS_EXPECT_BULK(c, "hello", "GET", "str");
    HS_EXPECT_BULKS(c, HS_ARGS("a", "b", "c"), "LRANGE", "list", "0", "-1");
    HS_EXPECT_BULK(c, "v2", "HGET", "hash", "f2");
    HS_EXPECT_INT(c, 1, "SISMEMBER", "set", "m");
    HS_EXPECT_BULK(c, "1.5", "ZSCORE", "zset", "z");
    redisReply *r = hs_command(c, HS_ARGS("TTL", "ttl"));
    ck_assert(r->type == REDIS_REPLY_INTEGER && r->integer > 900 && r->integer <= 1000);
    freeReplyObject(r);
    HS_EXPECT_OK(c, "SELECT", "3");
    HS_EXPECT_BULK(c, "three", "GET", "in3");
    HS_EXPECT_OK(c, "SELECT", "0");
    HS_EXPECT_INT(c, 6, "DBSIZE");
}

/* A second server on the first one's dir (it loads its dump.rdb). */
static hs_server *restart_on(const hs_server *first) {
    return hs_start(HS_ARGS("--dir", first->dir));
}

/* ---------------------------------------------------------- commands */

START_TEST(test_save_bgsave_lastsave) {
    hs_server *s = hs_start(NULL);
    redisContext *c = hs_connect(s);
    char path[400];
    dump_path(s, path, sizeof(path));
    long long before = (long long)time(NULL);
    HS_EXPECT_ARITY(c, "save", "SAVE", "x");
    HS_EXPECT_ARITY(c, "lastsave", "LASTSAVE", "x");
    HS_EXPECT_ERROR(c, "ERR syntax error", "BGSAVE", "x");
    HS_EXPECT_ERROR(c, "ERR syntax error", "BGSAVE", "SCHEDULE", "x");
    fill(c);
    ck_assert_int_eq(hs_dirty(c), 10);
    HS_EXPECT_OK(c, "SAVE");
    ck_assert(file_exists(path));
    ck_assert_int_eq(hs_dirty(c), 0);
    redisReply *r = hs_command(c, HS_ARGS("LASTSAVE"));
    ck_assert(r->type == REDIS_REPLY_INTEGER && r->integer >= before && r->integer <= (long long)time(NULL));
    freeReplyObject(r);
    expect_info(c, "rdb_saves", "1");
    unlink(path);
    HS_EXPECT_OK(c, "SET", "more", "1");
    HS_EXPECT_STATUS(c, "Background saving started", "BGSAVE");
    wait_info(c, "rdb_bgsave_in_progress", "0", BGSAVE_WAIT_MS);
    ck_assert(file_exists(path));
    expect_info(c, "rdb_last_bgsave_status", "ok");
    expect_info(c, "rdb_changes_since_last_save", "0");
    /* Whole seconds between two clock reads: a quick save that crosses a
     * second boundary (or a slow machine) reads 1 or more. */
    char *bt = info_str(c, "rdb_last_bgsave_time_sec");
    ck_assert_msg(atoi(bt) >= 0 && atoi(bt) <= 5 && strcmp(bt, "-1") != 0, "rdb_last_bgsave_time_sec is %s", bt);
    free(bt);
    expect_info(c, "rdb_saves", "2");
    ck_assert_int_eq(hs_info_ll(c, "stats", "total_forks"), 1);
    ck_assert(hs_info_ll(c, "stats", "latest_fork_usec") > 0);
    log_expect(s, "Background saving terminated with success");
    HS_EXPECT_OK(c, "CONFIG", "RESETSTAT");
    expect_info(c, "rdb_saves", "0");
    ck_assert_int_eq(hs_info_ll(c, "stats", "total_forks"), 0);
    ck_assert_int_eq(hs_info_ll(c, "stats", "latest_fork_usec"), 0);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* rdb-key-save-delay makes the child last; meanwhile the other commands
 * see it, and writes made during it stay counted after it ends. */
START_TEST(test_bgsave_in_progress) {
    hs_server *s = hs_start(NULL);
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "DEBUG", "POPULATE", "3000");
    HS_EXPECT_OK(c, "CONFIG", "SET", "rdb-key-save-delay", "1000");
    HS_EXPECT_STATUS(c, "Background saving started", "BGSAVE");
    HS_EXPECT_ERROR(c, "ERR Background save already in progress", "BGSAVE");
    HS_EXPECT_ERROR(c, "ERR Background save already in progress", "BGSAVE", "SCHEDULE");
    HS_EXPECT_ERROR(c, "ERR Background save already in progress", "SAVE");
    expect_info(c, "rdb_bgsave_in_progress", "1");
    expect_info(c, "current_save_keys_total", "3000");
    /* The child reports its progress about once a second, per 1024 keys:
     * the first report comes at key 1024 (about 1 s in). */
    long long deadline = hs_now_ms() + BGSAVE_WAIT_MS;
    long long processed = 0;
    while (processed == 0 && hs_now_ms() < deadline) {
        char *p = info_str(c, "current_save_keys_processed");
        processed = atoll(p);
        free(p);
        if (processed == 0) hs_sleep_ms(50);
    }
    ck_assert_msg(processed >= 1024 && processed < 3000, "current_save_keys_processed is %lld", processed);
    char *perc = info_str(c, "current_fork_perc");
    ck_assert_msg(atof(perc) > 30 && atof(perc) < 100, "current_fork_perc is %s", perc);
    free(perc);
    char *t = info_str(c, "rdb_current_bgsave_time_sec");
    ck_assert_msg(strcmp(t, "-1") != 0, "rdb_current_bgsave_time_sec is -1 during a BGSAVE");
    free(t);
    HS_EXPECT_OK(c, "SET", "during", "1");
    HS_EXPECT_OK(c, "CONFIG", "SET", "rdb-key-save-delay", "0");
    wait_info(c, "rdb_bgsave_in_progress", "0", BGSAVE_WAIT_MS);
    expect_info(c, "rdb_last_bgsave_status", "ok");
    expect_info(c, "rdb_changes_since_last_save", "1");
    expect_info(c, "rdb_current_bgsave_time_sec", "-1");
    expect_info(c, "current_save_keys_total", "0");
    char *cow = info_str(c, "rdb_last_cow_size");
    ck_assert_msg(atoll(cow) > 0, "rdb_last_cow_size is %s", cow);
    free(cow);
    log_expect(s, "Fork CoW for RDB: current ");
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_save_points) {
    hs_server *s = hs_start(NULL);
    redisContext *c = hs_connect(s);
    char path[400];
    dump_path(s, path, sizeof(path));
    HS_EXPECT_OK(c, "CONFIG", "SET", "save", "1 1");
    HS_EXPECT_OK(c, "SET", "k", "v");
    long long deadline = hs_now_ms() + BGSAVE_WAIT_MS;
    while (!file_exists(path)) {
        ck_assert_msg(hs_now_ms() < deadline, "no BGSAVE from the save point");
        hs_sleep_ms(50);
    }
    wait_info(c, "rdb_bgsave_in_progress", "0", BGSAVE_WAIT_MS);
    expect_info(c, "rdb_changes_since_last_save", "0");
    log_expect(s, "1 changes in 1 seconds. Saving...");
    /* save "" turns the points off: no more forks. */
    HS_EXPECT_OK(c, "CONFIG", "SET", "save", "");
    long long forks = hs_info_ll(c, "stats", "total_forks");
    HS_EXPECT_OK(c, "SET", "k2", "v");
    hs_sleep_ms(2200);
    ck_assert_int_eq(hs_info_ll(c, "stats", "total_forks"), forks);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* A dir that disappears makes BGSAVE fail: writes and PING are refused
 * with MISCONF, reads still work, SAVE and SHUTDOWN report the failure. */
START_TEST(test_misconf) {
    hs_server *s = hs_start(HS_ARGS("--enable-protected-configs", "yes"));
    redisContext *c = hs_connect(s);
    char gone[400];
    snprintf(gone, sizeof(gone), "%s/gone", s->dir);
    ck_assert_int_eq(mkdir(gone, 0700), 0);
    HS_EXPECT_OK(c, "CONFIG", "SET", "dir", gone);
    ck_assert_int_eq(rmdir(gone), 0);
    HS_EXPECT_OK(c, "SET", "a", "b");
    HS_EXPECT_OK(c, "CONFIG", "SET", "save", "1 1");
    wait_info(c, "rdb_last_bgsave_status", "err", BGSAVE_WAIT_MS);
    HS_EXPECT_ERROR(c, MISCONF_ERR, "SET", "a", "c");
    HS_EXPECT_ERROR(c, MISCONF_ERR, "PING");
    HS_EXPECT_ERROR(c, MISCONF_ERR, "DEL", "a");
    HS_EXPECT_BULK(c, "b", "GET", "a");
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_ERROR(c, MISCONF_ERR, "SET", "a", "c");
    HS_EXPECT_ERROR(c, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
    HS_EXPECT_ERROR(c, "ERR", "SAVE");
    HS_EXPECT_ERROR(c, "ERR Errors trying to SHUTDOWN. Check logs.", "SHUTDOWN");
    log_expect(s, "Error trying to save the DB, can't exit.");
    log_expect(s, "Failed opening the temp RDB file temp-");
    /* Still serving; without save points writes are allowed again. */
    HS_EXPECT_OK(c, "CONFIG", "SET", "stop-writes-on-bgsave-error", "no");
    HS_EXPECT_OK(c, "SET", "a", "c");
    HS_EXPECT_OK(c, "CONFIG", "SET", "stop-writes-on-bgsave-error", "yes");
    HS_EXPECT_ERROR(c, MISCONF_ERR, "SET", "a", "d");
    /* A successful save clears the error. */
    HS_EXPECT_OK(c, "CONFIG", "SET", "dir", s->dir);
    HS_EXPECT_OK(c, "SAVE");
    HS_EXPECT_OK(c, "SET", "a", "d");
    HS_EXPECT_STATUS(c, "PONG", "PING");
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* FLUSHALL kills a running BGSAVE of the old data (no error recorded)
 * and, with save points, saves the empty dataset at once. */
START_TEST(test_flushall_resets_snapshot) {
    hs_server *s = hs_start(NULL);
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "DEBUG", "POPULATE", "50");
    HS_EXPECT_OK(c, "CONFIG", "SET", "rdb-key-save-delay", "50000");
    HS_EXPECT_STATUS(c, "Background saving started", "BGSAVE");
    HS_EXPECT_OK(c, "CONFIG", "SET", "rdb-key-save-delay", "0");
    HS_EXPECT_OK(c, "FLUSHALL");
    expect_info(c, "rdb_bgsave_in_progress", "0");
    expect_info(c, "rdb_last_bgsave_status", "ok");
    log_expect(s, "Background saving terminated by signal 10");
    expect_info(c, "rdb_changes_since_last_save", "50");
    HS_EXPECT_OK(c, "SET", "k", "v");
    HS_EXPECT_OK(c, "CONFIG", "SET", "save", "3600 1");
    char path[400];
    dump_path(s, path, sizeof(path));
    ck_assert(!file_exists(path));
    HS_EXPECT_OK(c, "FLUSHALL");
    ck_assert(file_exists(path));
    expect_info(c, "rdb_changes_since_last_save", "0");
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* ---------------------------------------------------------- restarts */

START_TEST(test_shutdown_saves_and_reloads) {
    hs_server *s = hs_start(NULL);
    redisContext *c = hs_connect(s);
    fill(c);
    HS_EXPECT_ERROR(c, "ERR syntax error", "SHUTDOWN", "SAVE", "NOSAVE");
    HS_EXPECT_ERROR(c, "ERR syntax error", "SHUTDOWN", "NOW", "ABORT");
    HS_EXPECT_ERROR(c, "ERR No shutdown in progress.", "SHUTDOWN", "ABORT");
    redisFree(c);
    /* No save points (save ""): SAVE asks for the final save anyway. */
    shutdown_and_wait(s, "SHUTDOWN SAVE NOW FORCE\r\n");
    log_expect(s, "Saving the final RDB snapshot before exiting.");
    log_expect(s, "DB saved on disk");
    hs_server *s2 = restart_on(s);
    c = hs_connect(s2);
    expect_filled(c);
    expect_info(c, "rdb_last_load_keys_loaded", "7");
    redisFree(c);
    hs_stop(s2);
    hs_stop(s);
}
END_TEST

START_TEST(test_shutdown_nosave_loses) {
    hs_server *s = hs_start(HS_ARGS("--save", DEFAULT_SAVE));
    redisContext *c = hs_connect(s);
    fill(c);
    redisFree(c);
    shutdown_and_wait(s, "SHUTDOWN NOSAVE\r\n");
    char path[400];
    dump_path(s, path, sizeof(path));
    ck_assert(!file_exists(path));
    hs_server *s2 = restart_on(s);
    c = hs_connect(s2);
    HS_EXPECT_INT(c, 0, "DBSIZE");
    redisFree(c);
    hs_stop(s2);
    hs_stop(s);
}
END_TEST

/* What systemctl restart does: SIGTERM with the default configuration
 * (save points on, shutdown-on-sigterm default) saves; the next start
 * loads it. SIGINT does the same. */
static void signal_restart(int sig) {
    hs_server *s = hs_start(HS_ARGS("--save", DEFAULT_SAVE));
    redisContext *c = hs_connect(s);
    fill(c);
    redisFree(c);
    kill(s->pid, sig);
    expect_exit_ok(s, sig == SIGTERM ? "SIGTERM" : "SIGINT");
    log_expect(s, sig == SIGTERM ? "Received SIGTERM scheduling shutdown..."
                                 : "Received SIGINT scheduling shutdown...");
    log_expect(s, "User requested shutdown...");
    log_expect(s, "Saving the final RDB snapshot before exiting.");
    log_expect(s, "is now ready to exit, bye bye...");
    hs_server *s2 = restart_on(s);
    c = hs_connect(s2);
    expect_filled(c);
    redisFree(c);
    hs_stop(s2);
    hs_stop(s);
}

START_TEST(test_sigterm_saves_and_reloads) {
    signal_restart(SIGTERM);
}
END_TEST

START_TEST(test_sigint_saves_and_reloads) {
    signal_restart(SIGINT);
}
END_TEST

/* shutdown-on-sigterm nosave: the signal exits without saving. */
START_TEST(test_sigterm_nosave) {
    hs_server *s = hs_start(HS_ARGS("--save", DEFAULT_SAVE, "--shutdown-on-sigterm", "nosave"));
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "SET", "k", "v");
    redisFree(c);
    kill(s->pid, SIGTERM);
    expect_exit_ok(s, "SIGTERM");
    char path[400];
    dump_path(s, path, sizeof(path));
    ck_assert(!file_exists(path));
    hs_stop(s);
}
END_TEST

/* A final save that fails: SIGTERM leaves the server running (Redis's
 * rule: better serve than lose the data); SHUTDOWN FORCE exits anyway. */
START_TEST(test_failed_final_save) {
    hs_server *s = hs_start(HS_ARGS("--enable-protected-configs", "yes", "--save", DEFAULT_SAVE));
    redisContext *c = hs_connect(s);
    char gone[400];
    snprintf(gone, sizeof(gone), "%s/gone", s->dir);
    ck_assert_int_eq(mkdir(gone, 0700), 0);
    HS_EXPECT_OK(c, "CONFIG", "SET", "dir", gone);
    ck_assert_int_eq(rmdir(gone), 0);
    HS_EXPECT_OK(c, "SET", "k", "v");
    kill(s->pid, SIGTERM);
    long long deadline = hs_now_ms() + EXIT_WAIT_MS;
    for (;;) {
        hs_buf log = hs_read_log(s);
        int seen = strstr(log.data, "Errors trying to shut down the server. Check the logs for more "
                                    "information.") != NULL;
        hs_buf_free(&log);
        if (seen) break;
        ck_assert_msg(hs_now_ms() < deadline, "no failed shutdown in the log");
        hs_sleep_ms(20);
    }
    HS_EXPECT_BULK(c, "v", "GET", "k");
    redisFree(c);
    shutdown_and_wait(s, "SHUTDOWN FORCE\r\n");
    log_expect(s, "Error trying to save the DB. Exit anyway.");
    hs_stop(s);
}
END_TEST

/* ---------------------------------------------------------- loading */

#define LOAD_KEYS "4000"
#define LOAD_VALUE_BYTES "2500"

/* A 10 MB uncompressed dump loaded with key-load-delay: clients are served
 * meanwhile, with -LOADING for commands without the loading flag. */
START_TEST(test_loading_serves_clients) {
    hs_server *s = hs_start(HS_ARGS("--rdbcompression", "no"));
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "DEBUG", "POPULATE", LOAD_KEYS, "key", LOAD_VALUE_BYTES);
    HS_EXPECT_OK(c, "SAVE");
    redisFree(c);
    shutdown_and_wait(s, "SHUTDOWN NOSAVE\r\n");
    hs_server *s2 = hs_start(HS_ARGS("--dir", s->dir, "--key-load-delay", "100"));
    c = hs_connect(s2);
    HS_EXPECT_ERROR(c, "LOADING Redis is loading the dataset in memory", "PING");
    HS_EXPECT_ERROR(c, "LOADING Redis is loading the dataset in memory", "GET", "key:1");
    expect_info(c, "loading", "1");
    char *total = info_str(c, "loading_total_bytes");
    ck_assert_msg(atoll(total) > 10000000, "loading_total_bytes %s", total);
    free(total);
    char *loaded = info_str(c, "loading_loaded_bytes");
    ck_assert_msg(atoll(loaded) > 0, "loading_loaded_bytes %s", loaded);
    free(loaded);
    char *perc = info_str(c, "loading_loaded_perc");
    ck_assert_msg(atof(perc) > 0 && atof(perc) < 100, "loading_loaded_perc %s", perc);
    free(perc);
    char *start = info_str(c, "loading_start_time");
    ck_assert_msg(atoll(start) > 0, "loading_start_time %s", start);
    free(start);
    redisReply *r = hs_command(c, HS_ARGS("LASTSAVE"));
    ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
    freeReplyObject(r);
    wait_info(c, "loading", "0", EXIT_WAIT_MS);
    hs_buf gone = hs_info_field(c, "persistence", "loading_total_bytes");
    ck_assert(gone.data == NULL);
    hs_buf_free(&gone);
    HS_EXPECT_INT(c, 4000, "DBSIZE");
    HS_EXPECT_STATUS(c, "PONG", "PING");
    expect_info(c, "rdb_last_load_keys_loaded", LOAD_KEYS);
    log_expect(s2, "DB loaded from disk: ");
    redisFree(c);
    hs_stop(s2);
    hs_stop(s);
}
END_TEST

/* SIGTERM while loading: the server stops at once, without saving the
 * half-loaded dataset over the file (even with save points). */
START_TEST(test_sigterm_while_loading) {
    hs_server *s = hs_start(HS_ARGS("--rdbcompression", "no"));
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "DEBUG", "POPULATE", LOAD_KEYS, "key", LOAD_VALUE_BYTES);
    HS_EXPECT_OK(c, "SAVE");
    redisFree(c);
    shutdown_and_wait(s, "SHUTDOWN NOSAVE\r\n");
    char path[400];
    dump_path(s, path, sizeof(path));
    struct stat before;
    ck_assert_int_eq(stat(path, &before), 0);
    hs_server *s2 = hs_start(HS_ARGS("--dir", s->dir, "--key-load-delay", "100", "--save", DEFAULT_SAVE));
    c = hs_connect(s2);
    expect_info(c, "loading", "1");
    kill(s2->pid, SIGTERM);
    expect_exit_ok(s2, "SIGTERM while loading");
    log_expect(s2, "Received shutdown signal during loading, scheduling shutdown.");
    hs_buf log = hs_read_log(s2);
    ck_assert_msg(strstr(log.data, "Saving the final RDB snapshot") == NULL, "saved while loading:\n%s", log.data);
    hs_buf_free(&log);
    struct stat after;
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert_int_eq(after.st_size, before.st_size);
    redisFree(c);
    hs_stop(s2);
    hs_stop(s);
}
END_TEST

/* A file that is not an RDB stops the start-up (exit 1), never a crash. */
START_TEST(test_bad_file_stops_start) {
    char dir[] = "/tmp/minired-snapshot-XXXXXX";
    ck_assert(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    FILE *fp = fopen(path, "w");
    ck_assert(fp != NULL);
    fputs("hello, this is not an RDB file\n", fp);
    fclose(fp);
    char sock[128];
    snprintf(sock, sizeof(sock), "%s/s.sock", dir);
    hs_buf out = {0};
    int st = hs_run_server_once(HS_ARGS("--port", "0", "--unixsocket", sock, "--dir", dir), EXIT_WAIT_MS, &out);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status 0x%x:\n%s", st, out.data);
    ck_assert_msg(strstr(out.data, "Wrong signature trying to load DB from file") != NULL, "log:\n%s", out.data);
    hs_buf_free(&out);
    unlink(path);
    unlink(sock);
    rmdir(dir);
}
END_TEST

static Suite *snapshot_suite(void) {
    Suite *s = suite_create("snapshot");
    TCase *tc = hs_tcase(s, "commands");
    tcase_add_test(tc, test_save_bgsave_lastsave);
    tcase_add_test(tc, test_bgsave_in_progress);
    tcase_add_test(tc, test_save_points);
    tcase_add_test(tc, test_misconf);
    tcase_add_test(tc, test_flushall_resets_snapshot);
    TCase *rs = hs_tcase(s, "restart");
    tcase_add_test(rs, test_shutdown_saves_and_reloads);
    tcase_add_test(rs, test_shutdown_nosave_loses);
    tcase_add_test(rs, test_sigterm_saves_and_reloads);
    tcase_add_test(rs, test_sigint_saves_and_reloads);
    tcase_add_test(rs, test_sigterm_nosave);
    tcase_add_test(rs, test_failed_final_save);
    tcase_add_test(rs, test_loading_serves_clients);
    tcase_add_test(rs, test_sigterm_while_loading);
    tcase_add_test(rs, test_bad_file_stops_start);
    return s;
}

int main(void) {
    return hs_run_suite(snapshot_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
