/* test_repl_async_load.c -- a minired replica with repl-diskless-load
 * swapdb loading a full sync asynchronously, as Redis 7.0 does when the
 * primary continues the history the replica already follows: clients keep
 * reading the old keys and calling the old functions meanwhile (INFO
 * async_loading:1, loading:0), no-async-loading commands get -LOADING, and
 * at the swap WATCHers fail, blocked readers wake and tracking clients are
 * told everything is gone. A load that breaks keeps the old keys and
 * functions; a new history loads the ordinary way (loading:1, -LOADING).
 * The primary is a real Redis 7.0 (skipped with a note when redis-server
 * is not installed) and a minired one. The loads are slowed with
 * key-load-delay; every wait polls with a deadline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl_harness.h"

#define WAIT_MS 15000
#define POLL_MS 10
#define OLD_KEYS 8000
/* The same-history full sync: the primary drops its replica and, in the
 * same transaction, writes more than its 16 KB backlog holds, so the
 * replica's PSYNC cannot continue. */
#define BACKLOG_BYTES "16384"
#define OVERFLOW_BYTES 40000

#define LIB_V1                                                                                                   \
    "#!lua name=lib\nredis.register_function{function_name='f', callback=function() return 'v1' end, "          \
    "flags={'no-writes'}}"
#define LIB_V2                                                                                                   \
    "#!lua name=lib\nredis.register_function{function_name='f', callback=function() return 'v2' end, "          \
    "flags={'no-writes'}}"

static const char *persistence_field(redisContext *c, const char *field, char *out, size_t len) {
    hs_buf v = hs_info_field(c, "persistence", field);
    snprintf(out, len, "%s", v.data ? v.data : "");
    hs_buf_free(&v);
    return out;
}

/* Polls until INFO persistence's field reads value. */
static void wait_persistence(redisContext *c, const char *field, const char *value) {
    char got[64];
    for (int waited = 0; strcmp(persistence_field(c, field, got, sizeof(got)), value) != 0; waited += POLL_MS) {
        ck_assert_msg(waited < WAIT_MS, "%s never became %s (is %s)", field, value, got);
        hs_sleep_ms(POLL_MS);
    }
}

/* A primary of kind k with OLD_KEYS keys and library v1, and a minired
 * replica (swapdb) synced to it. */
static void start_pair(hr_kind k, hs_server **p, hs_server **r, redisContext **pc, redisContext **rc) {
    *p = hr_start(k, HS_ARGS("--repl-diskless-sync-delay", "0", "--repl-backlog-size", BACKLOG_BYTES));
    *pc = hs_connect(*p);
    HS_EXPECT_OK(*pc, "DEBUG", "POPULATE", "8000", "key");
    HS_EXPECT_BULK(*pc, "lib", "FUNCTION", "LOAD", LIB_V1);
    *r = hs_start(HS_ARGS("--repl-diskless-load", "swapdb"));
    *rc = hs_connect(*r);
    hr_replicaof(*rc, *p);
    hr_wait_synced(*pc, rc, 1, HR_SYNC_TIMEOUT_MS);
    HS_EXPECT_INT(*rc, OLD_KEYS, "DBSIZE");
}

/* Writes the new data (a marker key, the stream entry, library v2) where
 * the replica cannot see it come, forcing a full sync of the same history. */
static void force_full_sync(redisContext *pc) {
    char *big = malloc(OVERFLOW_BYTES + 1);
    memset(big, 'x', OVERFLOW_BYTES);
    big[OVERFLOW_BYTES] = '\0';
    HS_EXPECT_OK(pc, "MULTI");
    HS_EXPECT_STATUS(pc, "QUEUED", "CLIENT", "KILL", "TYPE", "replica");
    HS_EXPECT_STATUS(pc, "QUEUED", "SET", "big", big);
    HS_EXPECT_STATUS(pc, "QUEUED", "SET", "marker", "new");
    HS_EXPECT_STATUS(pc, "QUEUED", "XADD", "stream", "1-1", "f", "v");
    HS_EXPECT_STATUS(pc, "QUEUED", "FUNCTION", "LOAD", "REPLACE", LIB_V2);
    redisReply *r = hs_command(pc, HS_ARGS("EXEC"));
    ck_assert_msg(r && r->type == REDIS_REPLY_ARRAY && r->elements == 5, "EXEC failed");
    freeReplyObject(r);
    free(big);
}

static void expect_loading_error(redisContext *c, const char *const *args) {
    redisReply *r = hs_command(c, args);
    HS_CHECK_ERROR(r, "LOADING Redis is loading the dataset in memory");
    freeReplyObject(r);
}

/* ---------------------------------------------------------- tests */

static void serves_old_data(hr_kind k) {
    hs_server *p, *r;
    redisContext *pc, *rc;
    start_pair(k, &p, &r, &pc, &rc);
    /* Watchers of an existing and a missing key, a blocked reader of the
     * stream only the new data has, a RESP3 tracking client. */
    redisContext *w1 = hs_connect(r), *w2 = hs_connect(r);
    HS_EXPECT_OK(w1, "WATCH", "key:1");
    HS_EXPECT_OK(w2, "WATCH", "nokey");
    redisContext *xr = hs_block_client(r, rc, HS_ARGS("XREAD", "BLOCK", "0", "STREAMS", "stream", "0"), 1);
    int t = hs_raw_connect(r);
    HS_RAW_SEND_STR(t, "HELLO 3\r\n");
    hs_buf hello = hs_raw_read_until(t, "\r\n", 2000);
    hs_buf_free(&hello);
    int closed = 0;
    hs_buf rest = hs_raw_read_all(t, 100, &closed);
    hs_buf_free(&rest);
    HS_RAW_EXPECT(t, "CLIENT TRACKING on\r\n", "+OK\r\n");
    HS_RAW_EXPECT(t, "GET key:2\r\n", "$7\r\nvalue:2\r\n");

    HS_EXPECT_OK(rc, "CONFIG", "SET", "key-load-delay", "1");
    force_full_sync(pc);
    wait_persistence(rc, "async_loading", "1");
    char v[64];
    ck_assert_str_eq(persistence_field(rc, "loading", v, sizeof(v)), "0");
    ck_assert_msg(persistence_field(rc, "loading_loaded_bytes", v, sizeof(v))[0] != '\0', "no loading_* fields");
    ck_assert_int_eq(hs_info_ll(rc, "replication", "master_sync_in_progress"), 1);
    /* The old dataset and library answer; writes and saves wait. */
    HS_EXPECT_INT(rc, OLD_KEYS, "DBSIZE");
    HS_EXPECT_NIL(rc, "GET", "marker");
    HS_EXPECT_BULK(rc, "value:1", "GET", "key:1");
    HS_EXPECT_BULK(rc, "v1", "FCALL_RO", "f", "0");
    hs_buf ks = hs_info_field(rc, "keyspace", "db0");
    ck_assert_msg(ks.data && strncmp(ks.data, "keys=8000,", 10) == 0, "INFO keyspace: %s", ks.data);
    hs_buf_free(&ks);
    expect_loading_error(rc, HS_ARGS("BGSAVE"));
    expect_loading_error(rc, HS_ARGS("SAVE"));
    expect_loading_error(rc, HS_ARGS("REPLICAOF", "NO", "ONE"));
    expect_loading_error(rc, HS_ARGS("SLAVEOF", "NO", "ONE"));
    expect_loading_error(rc, HS_ARGS("BGREWRITEAOF"));
    /* In RESP3 too, and queued in a transaction it aborts the EXEC. */
    HS_RAW_EXPECT(t, "BGSAVE\r\n", "-LOADING Redis is loading the dataset in memory\r\n");
    HS_EXPECT_OK(rc, "MULTI");
    expect_loading_error(rc, HS_ARGS("BGSAVE"));
    HS_EXPECT_ERROR(rc, "EXECABORT Transaction discarded because of previous errors.", "EXEC");

    /* Finish quickly and look at the swap. */
    HS_EXPECT_OK(rc, "CONFIG", "SET", "key-load-delay", "0");
    wait_persistence(rc, "async_loading", "0");
    hr_wait_synced(pc, &rc, 1, HR_SYNC_TIMEOUT_MS);
    HS_EXPECT_BULK(rc, "new", "GET", "marker");
    HS_EXPECT_INT(rc, OLD_KEYS + 3, "DBSIZE");
    HS_EXPECT_BULK(rc, "v2", "FCALL_RO", "f", "0");
    HS_EXPECT_OK(w1, "MULTI");
    HS_EXPECT_STATUS(w1, "QUEUED", "PING");
    HS_EXPECT_NIL(w1, "EXEC");
    HS_EXPECT_OK(w2, "MULTI");
    HS_EXPECT_STATUS(w2, "QUEUED", "PING");
    redisReply *e = hs_command(w2, HS_ARGS("EXEC"));
    ck_assert_msg(e && e->type == REDIS_REPLY_ARRAY && e->elements == 1, "EXEC of an untouched watch failed");
    freeReplyObject(e);
    redisReply *x = hs_get_reply(xr);
    ck_assert_msg(x && x->type == REDIS_REPLY_ARRAY && x->elements == 1, "the blocked XREAD was not served");
    freeReplyObject(x);
    hs_buf inv = hs_raw_read_until(t, ">2\r\n$10\r\ninvalidate\r\n_\r\n", 5000);
    HS_CHECK_BYTES(inv, ">2\r\n$10\r\ninvalidate\r\n_\r\n");
    hs_buf_free(&inv);
    hs_buf log = hs_read_log(r);
    ck_assert_msg(strstr(log.data, "MASTER <-> REPLICA sync: Swapping active DB with loaded DB"), "no swap logged");
    hs_buf_free(&log);
    close(t);
    redisFree(xr);
    redisFree(w1);
    redisFree(w2);
    redisFree(rc);
    hs_stop(r);
    redisFree(pc);
    hs_stop(p);
}

START_TEST(test_serves_old_data_redis_primary) {
    if (hr_skip("test_serves_old_data_redis_primary", 1, (hr_kind[]){HR_REDIS}, (hr_role[]){HR_PRIMARY})) return;
    serves_old_data(HR_REDIS);
}
END_TEST

START_TEST(test_serves_old_data_minired_primary) {
    if (hr_skip("test_serves_old_data_minired_primary", 1, (hr_kind[]){HR_MINIRED}, (hr_role[]){HR_PRIMARY}))
        return;
    serves_old_data(HR_MINIRED);
}
END_TEST

/* The link breaks mid-load: the old keys and library stay, and the next
 * full sync brings the new ones. */
static void failure_keeps_old(hr_kind k, int kill_primary) {
    hs_server *p, *r;
    redisContext *pc, *rc;
    start_pair(k, &p, &r, &pc, &rc);
    HS_EXPECT_OK(rc, "CONFIG", "SET", "key-load-delay", "1");
    /* The primary sends slowly too, so the transfer is still running (not
     * all waiting in the socket buffers) when the link breaks. */
    HS_EXPECT_OK(pc, "CONFIG", "SET", "rdb-key-save-delay", "300");
    force_full_sync(pc);
    wait_persistence(rc, "async_loading", "1");
    if (kill_primary) {
        hs_kill(p);
    } else {
        redisReply *kr = hs_command(pc, HS_ARGS("CLIENT", "KILL", "TYPE", "replica"));
        ck_assert_msg(kr && kr->type == REDIS_REPLY_INTEGER && kr->integer == 1, "CLIENT KILL found no replica");
        freeReplyObject(kr);
    }
    for (int waited = 0;; waited += POLL_MS) {
        hs_buf log = hs_read_log(r);
        int failed = strstr(log.data, "Discarding temporary DB in background") != NULL;
        hs_buf_free(&log);
        if (failed) break;
        ck_assert_msg(waited < WAIT_MS, "the load never failed");
        hs_sleep_ms(POLL_MS);
    }
    HS_EXPECT_OK(rc, "CONFIG", "SET", "key-load-delay", "0");
    if (kill_primary) {
        wait_persistence(rc, "async_loading", "0");
        HS_EXPECT_INT(rc, OLD_KEYS, "DBSIZE");
        HS_EXPECT_NIL(rc, "GET", "marker");
        HS_EXPECT_BULK(rc, "v1", "FCALL_RO", "f", "0");
        hs_buf lib = hs_info_field(rc, "keyspace", "db0");
        ck_assert_msg(lib.data && strncmp(lib.data, "keys=8000,", 10) == 0, "INFO keyspace: %s", lib.data);
        hs_buf_free(&lib);
    } else {
        /* The replica reconnects at once and this time gets all of it. */
        HS_EXPECT_OK(pc, "CONFIG", "SET", "rdb-key-save-delay", "0");
        hr_wait_synced(pc, &rc, 1, HR_SYNC_TIMEOUT_MS);
        HS_EXPECT_BULK(rc, "new", "GET", "marker");
        HS_EXPECT_BULK(rc, "v2", "FCALL_RO", "f", "0");
    }
    redisFree(rc);
    hs_stop(r);
    redisFree(pc);
    if (!kill_primary) hs_stop(p);
}

START_TEST(test_failure_keeps_old_redis_primary) {
    if (hr_skip("test_failure_keeps_old_redis_primary", 1, (hr_kind[]){HR_REDIS}, (hr_role[]){HR_PRIMARY})) return;
    failure_keeps_old(HR_REDIS, 1);
    failure_keeps_old(HR_REDIS, 0);
}
END_TEST

START_TEST(test_failure_keeps_old_minired_primary) {
    if (hr_skip("test_failure_keeps_old_minired_primary", 1, (hr_kind[]){HR_MINIRED}, (hr_role[]){HR_PRIMARY}))
        return;
    failure_keeps_old(HR_MINIRED, 1);
    failure_keeps_old(HR_MINIRED, 0);
}
END_TEST

/* REPLICAOF another primary: its history is new, so the swapdb load is
 * the ordinary one, whose clients get -LOADING. */
START_TEST(test_new_history_is_not_async) {
    if (hr_skip("test_new_history_is_not_async", 1, (hr_kind[]){HR_MINIRED}, (hr_role[]){HR_PRIMARY})) return;
    hs_server *p, *r;
    redisContext *pc, *rc;
    start_pair(HR_MINIRED, &p, &r, &pc, &rc);
    hs_server *p2 = hr_start(HR_MINIRED, HS_ARGS("--repl-diskless-sync-delay", "0"));
    redisContext *pc2 = hs_connect(p2);
    HS_EXPECT_OK(pc2, "DEBUG", "POPULATE", "8000", "other");
    HS_EXPECT_OK(rc, "CONFIG", "SET", "key-load-delay", "1");
    hr_replicaof(rc, p2);
    wait_persistence(rc, "loading", "1");
    char v[64];
    ck_assert_str_eq(persistence_field(rc, "async_loading", v, sizeof(v)), "0");
    expect_loading_error(rc, HS_ARGS("GET", "key:1"));
    expect_loading_error(rc, HS_ARGS("FCALL_RO", "f", "0"));
    expect_loading_error(rc, HS_ARGS("DBSIZE"));
    /* INFO keyspace (INFO may run while loading) still shows the old data. */
    hs_buf ks = hs_info_field(rc, "keyspace", "db0");
    ck_assert_msg(ks.data && strncmp(ks.data, "keys=8000,", 10) == 0, "INFO keyspace: %s", ks.data);
    hs_buf_free(&ks);
    HS_EXPECT_OK(rc, "CONFIG", "SET", "key-load-delay", "0");
    hr_wait_synced(pc2, &rc, 1, HR_SYNC_TIMEOUT_MS);
    HS_EXPECT_BULK(rc, "value:1", "GET", "other:1");
    HS_EXPECT_NIL(rc, "GET", "key:1");
    /* The new primary has no library: the old one went with the swap. */
    HS_EXPECT_ERROR(rc, "ERR Function not found", "FCALL_RO", "f", "0");
    redisFree(pc2);
    hs_stop(p2);
    redisFree(rc);
    hs_stop(r);
    redisFree(pc);
    hs_stop(p);
}
END_TEST

/* A writable replica's own writes during the load (even ones that replace
 * whole tables: SWAPDB, FLUSHALL, FUNCTION FLUSH) land in the old data and
 * go with it at the swap: the loaded data is the primary's, intact. */
START_TEST(test_writable_replica_writes_vanish) {
    if (hr_skip("test_writable_replica_writes_vanish", 1, (hr_kind[]){HR_MINIRED}, (hr_role[]){HR_PRIMARY}))
        return;
    hs_server *p, *r;
    redisContext *pc, *rc;
    start_pair(HR_MINIRED, &p, &r, &pc, &rc);
    HS_EXPECT_OK(rc, "CONFIG", "SET", "replica-read-only", "no");
    HS_EXPECT_OK(rc, "CONFIG", "SET", "key-load-delay", "1");
    force_full_sync(pc);
    wait_persistence(rc, "async_loading", "1");
    HS_EXPECT_OK(rc, "SET", "mine", "1");
    HS_EXPECT_OK(rc, "SWAPDB", "0", "1");
    HS_EXPECT_INT(rc, 0, "DBSIZE");
    HS_EXPECT_OK(rc, "FLUSHALL");
    HS_EXPECT_OK(rc, "FUNCTION", "FLUSH");
    HS_EXPECT_ERROR(rc, "ERR Function not found", "FCALL_RO", "f", "0");
    HS_EXPECT_OK(rc, "DEBUG", "POPULATE", "10", "zz");
    HS_EXPECT_OK(rc, "FLUSHALL", "ASYNC");
    HS_EXPECT_INT(rc, 0, "DBSIZE");
    char v[64];
    ck_assert_str_eq(persistence_field(rc, "async_loading", v, sizeof(v)), "1");
    HS_EXPECT_OK(rc, "CONFIG", "SET", "key-load-delay", "0");
    wait_persistence(rc, "async_loading", "0");
    const char *names[] = {"replica"};
    hr_expect_same_dataset(pc, &rc, names, 1, HR_SYNC_TIMEOUT_MS);
    HS_EXPECT_INT(rc, OLD_KEYS + 3, "DBSIZE");
    HS_EXPECT_BULK(rc, "v2", "FCALL_RO", "f", "0");
    redisFree(rc);
    hs_stop(r);
    redisFree(pc);
    hs_stop(p);
}
END_TEST

static Suite *repl_async_load_suite(void) {
    Suite *s = suite_create("repl_async_load");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, HS_TCASE_TIMEOUT_SEC);
    tcase_add_test(tc, test_serves_old_data_redis_primary);
    tcase_add_test(tc, test_serves_old_data_minired_primary);
    tcase_add_test(tc, test_failure_keeps_old_redis_primary);
    tcase_add_test(tc, test_failure_keeps_old_minired_primary);
    tcase_add_test(tc, test_new_history_is_not_async);
    tcase_add_test(tc, test_writable_replica_writes_vanish);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return hs_run_suite(repl_async_load_suite());
}
