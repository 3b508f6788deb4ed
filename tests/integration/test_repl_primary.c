/* test_repl_primary.c -- minired as a primary: raw-socket replicas (PSYNC
 * by hand: +FULLRESYNC, the RDB's framing on disk and diskless paths, the
 * stream's exact bytes, +CONTINUE after a reconnect, a backlog too small
 * forcing a full sync), and real Redis 7.0 replicas (redis-server
 * --replicaof: DEBUG DIGEST equal after a write load, WAIT counts,
 * NOREPLICAS, INFO's slave lines), redis-cli --rdb checked by
 * redis-check-rdb. Tests needing Redis pass with a note when it is not
 * installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SYNC_WAIT_MS 15000
#define REPL_ID_LEN 40

/* ---------------------------------------------------------- helpers */

static redisReply *cmd(redisContext *c, const char *line) {
    return hs_command_line(c, line);
}

static void ok(redisContext *c, const char *line) {
    redisReply *r = cmd(c, line);
    ck_assert_msg(r->type != REDIS_REPLY_ERROR, "%s: %s", line, r->str);
    freeReplyObject(r);
}

static void raw_cmd(int fd, const char *line) {
    hs_buf b = {0};
    hs_cat_command_resp(&b, line);
    hs_raw_send(fd, b.data, b.len);
    hs_buf_free(&b);
}

/* Reads one "\r\n"-ended line, skipping the "\n" keep-alives a primary
 * sends while a replica waits for its RDB. Caller frees. */
static hs_buf read_line(int fd) {
    for (;;) {
        hs_buf b = hs_raw_read_until(fd, "\n", SYNC_WAIT_MS);
        if (b.len == 1 && b.data[0] == '\n') {
            hs_buf_free(&b);
            continue;
        }
        ck_assert_msg(b.len >= 2 && b.data[b.len - 2] == '\r', "no line from the primary: %s", b.data);
        return b;
    }
}

/* A raw replica's handshake up to PSYNC's first line; fills replid and
 * offset from +FULLRESYNC. Returns the socket. */
static int raw_replica(hs_server *s, int eof, const char *psync, char *replid, long long *offset) {
    int fd = hs_raw_connect(s);
    HS_RAW_EXPECT(fd, "*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n6399\r\n", "+OK\r\n");
    if (eof) HS_RAW_EXPECT(fd, "*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n", "+OK\r\n");
    raw_cmd(fd, psync);
    hs_buf line = read_line(fd);
    if (replid) {
        ck_assert_msg(sscanf(line.data, "+FULLRESYNC %40s %lld", replid, offset) == 2, "got %s", line.data);
        ck_assert_int_eq(strlen(replid), REPL_ID_LEN);
    }
    hs_buf_free(&line);
    return fd;
}

/* Reads a disk-path RDB ("$<len>\r\n" + payload) within ms; returns the
 * payload. */
static hs_buf read_disk_rdb_within(int fd, int ms) {
    hs_buf line = read_line(fd);
    long long len = 0;
    ck_assert_msg(sscanf(line.data, "$%lld", &len) == 1, "got %s", line.data);
    hs_buf_free(&line);
    hs_buf rdb = hs_raw_read_n(fd, (size_t)len, ms);
    ck_assert_int_eq(rdb.len, len);
    ck_assert(memcmp(rdb.data, "REDIS0010", 9) == 0);
    return rdb;
}

static hs_buf read_disk_rdb(int fd) {
    return read_disk_rdb_within(fd, SYNC_WAIT_MS);
}

#define STREAM_PING "*1\r\n$4\r\nPING\r\n"

/* The next stream bytes are want, after any PINGs the primary's cron
 * put first (every repl-ping-replica-period: a slow run meets them). */
static void expect_stream(int fd, const char *want) {
    size_t plen = strlen(STREAM_PING), wlen = strlen(want);
    ck_assert(wlen >= plen);
    for (;;) {
        hs_buf got = hs_raw_read_n(fd, plen, SYNC_WAIT_MS);
        if (got.len == plen && memcmp(got.data, STREAM_PING, plen) == 0 && memcmp(want, STREAM_PING, plen) != 0) {
            hs_buf_free(&got);
            continue;
        }
        hs_buf rest = hs_raw_read_n(fd, wlen - plen, SYNC_WAIT_MS);
        hs_buf_cat(&got, rest.data, rest.len);
        hs_buf_free(&rest);
        HS_CHECK_BYTES(got, want);
        hs_buf_free(&got);
        return;
    }
}

#define SELECT0 "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
#define SET_K_V "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"

/* Waits until the replica's offset reaches the primary's. */
static void wait_caught_up(redisContext *primary, redisContext *replica) {
    long long deadline = hs_now_ms() + SYNC_WAIT_MS;
    for (;;) {
        hs_buf link = hs_info_field(replica, "replication", "master_link_status");
        int up = link.data && strcmp(link.data, "up") == 0;
        hs_buf_free(&link);
        if (up) {
            long long p = hs_info_ll(primary, "replication", "master_repl_offset");
            long long r = hs_info_ll(replica, "replication", "slave_repl_offset");
            if (p == r) return;
        }
        ck_assert_msg(hs_now_ms() < deadline, "the replica did not catch up");
        hs_sleep_ms(50);
    }
}

static char *digest(redisContext *c) {
    redisReply *r = cmd(c, "DEBUG DIGEST");
    ck_assert_int_eq(r->type, REDIS_REPLY_STATUS);
    char *d = strdup(r->str);
    freeReplyObject(r);
    return d;
}

/* A real Redis replica of m (NULL when Redis is not installed). */
static hs_server *redis_replica_of(hs_server *m) {
    char port[16];
    snprintf(port, sizeof(port), "%d", m->port);
    return hs_start_redis(HS_ARGS("--replicaof", "127.0.0.1", port));
}

/* ---------------------------------------------------------- commands */

START_TEST(test_replconf_and_wait_errors) {
    hs_server *s = hs_start(NULL);
    redisContext *c = hs_connect(s);
    HS_EXPECT_OK(c, "REPLCONF");
    HS_EXPECT_ERROR(c, "ERR syntax error", "REPLCONF", "a");
    HS_EXPECT_ERROR(c, "ERR Unrecognized REPLCONF option: a", "REPLCONF", "a", "b");
    HS_EXPECT_ERROR(c, "ERR value is not an integer or out of range", "REPLCONF", "listening-port", "x");
    HS_EXPECT_OK(c, "REPLCONF", "listening-port", "6380", "capa", "eof", "capa", "psync2");
    HS_EXPECT_ERROR(c, "ERR value is out of range, value must between 0 and 1", "REPLCONF", "rdb-only", "2");
    HS_EXPECT_ERROR(c, "ERR Unsupported rdb-filter-only option: foo", "REPLCONF", "rdb-filter-only", "foo");
    HS_EXPECT_ARITY(c, "psync", "PSYNC", "a");
    HS_EXPECT_ARITY(c, "sync", "SYNC", "x");
    HS_EXPECT_ERROR(c, "ERR value is not an integer or out of range", "PSYNC", "?", "x");
    HS_EXPECT_ERROR(c, "ERR PSYNC FAILOVER can't be sent to a master.", "PSYNC", "?", "-1", "FAILOVER");
    HS_EXPECT_ARITY(c, "wait", "WAIT", "1");
    HS_EXPECT_ERROR(c, "ERR value is not an integer or out of range", "WAIT", "x", "0");
    HS_EXPECT_ERROR(c, "ERR timeout is not an integer or out of range", "WAIT", "0", "x");
    HS_EXPECT_ERROR(c, "ERR timeout is negative", "WAIT", "0", "-1");
    HS_EXPECT_INT(c, 0, "WAIT", "0", "0");
    long long t0 = hs_now_ms();
    HS_EXPECT_INT(c, 0, "WAIT", "1", "100");
    ck_assert_int_ge(hs_now_ms() - t0, 90);
    /* RESP3: the same shapes. */
    int fd = hs_raw_connect(s);
    raw_cmd(fd, "HELLO 3");
    int closed = 0;
    hs_buf hello = hs_raw_read_all(fd, 200, &closed);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "*3\r\n$4\r\nWAIT\r\n$1\r\n0\r\n$1\r\n0\r\n", ":0\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n", "+OK\r\n");
    HS_RAW_EXPECT(fd, "*2\r\n$4\r\nWAIT\r\n$1\r\n0\r\n", "-ERR wrong number of arguments for 'wait' command\r\n");
    close(fd);
    /* ACK and GETACK never reply: the PING's answer comes next. */
    fd = hs_raw_connect(s);
    HS_RAW_EXPECT(fd, "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n5\r\n*1\r\n$4\r\nPING\r\n", "+PONG\r\n");
    HS_RAW_EXPECT(fd, "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n*1\r\n$4\r\nPING\r\n", "+PONG\r\n");
    close(fd);
    /* WAIT blocked, then CLIENT UNBLOCK: answered with the count. */
    redisContext *w = hs_connect(s);
    char unblock[64];
    snprintf(unblock, sizeof(unblock), "CLIENT UNBLOCK %lld", hs_client_id(w));
    hs_send_only(w, HS_ARGS("WAIT", "1", "0"));
    hs_wait_blocked(c, 1);
    HS_DO(c, HS_CHECK_INT(hs_r_, 1), "CLIENT", "UNBLOCK", unblock + 15);
    redisReply *r = hs_get_reply(w);
    HS_CHECK_INT(r, 0);
    freeReplyObject(r);
    redisFree(w);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* ---------------------------------------------------------- raw replicas */

START_TEST(test_raw_full_sync_disk) {
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "no"));
    redisContext *c = hs_connect(s);
    ok(c, "SET before 1");
    char replid[REPL_ID_LEN + 1];
    long long off;
    int fd = raw_replica(s, 1, "PSYNC ? -1", replid, &off);
    hs_buf rdb = read_disk_rdb(fd);
    /* The RDB carries the history it starts: repl-id and repl-offset. */
    ck_assert(memmem(rdb.data, rdb.len, replid, REPL_ID_LEN) != NULL);
    ck_assert(memmem(rdb.data, rdb.len, "before", 6) != NULL);
    hs_buf_free(&rdb);
    ok(c, "SET k v");
    expect_stream(fd, SELECT0 SET_K_V);
    /* INFO: one online replica, its announced port. */
    hs_buf st = hs_info_field(c, "replication", "slave0");
    const char *want_st = "ip=127.0.0.1,port=6399,state=online,offset=0,lag=";
    ck_assert_msg(st.data && strncmp(st.data, want_st, strlen(want_st)) == 0,
                  "slave0:%s", st.data);
    hs_buf_free(&st);
    ck_assert_int_eq(hs_info_ll(c, "replication", "connected_slaves"), 1);
    long long mro = hs_info_ll(c, "replication", "master_repl_offset");
    ck_assert_int_ge(mro, off + (long long)strlen(SELECT0 SET_K_V)); /* (and any PING) */
    /* The replica acks; WAIT counts it. */
    char ack[64];
    snprintf(ack, sizeof(ack), "REPLCONF ACK %lld", mro);
    raw_cmd(fd, ack);
    HS_EXPECT_INT(c, 1, "WAIT", "1", "1000");
    close(fd);
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_raw_full_sync_diskless) {
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"));
    redisContext *c = hs_connect(s);
    ok(c, "SET before 1");
    char replid[REPL_ID_LEN + 1];
    long long off;
    int fd = raw_replica(s, 1, "PSYNC ? -1", replid, &off);
    hs_buf line = read_line(fd);
    ck_assert_msg(line.len == 5 + REPL_ID_LEN + 2 && strncmp(line.data, "$EOF:", 5) == 0, "got %s", line.data);
    char mark[REPL_ID_LEN + 1];
    memcpy(mark, line.data + 5, REPL_ID_LEN);
    mark[REPL_ID_LEN] = '\0';
    hs_buf_free(&line);
    hs_buf rdb = hs_raw_read_until(fd, mark, SYNC_WAIT_MS);
    ck_assert(rdb.len > 9 + REPL_ID_LEN && memcmp(rdb.data, "REDIS0010", 9) == 0);
    ck_assert(memmem(rdb.data, rdb.len, replid, REPL_ID_LEN) != NULL);
    hs_buf_free(&rdb);
    /* The stream waits for the replica's first ACK (so the mark ends what
     * it reads), then flows. */
    ok(c, "SET k v");
    int closed = 0;
    hs_buf none = hs_raw_read_all(fd, 300, &closed);
    ck_assert_int_eq(none.len, 0);
    hs_buf_free(&none);
    raw_cmd(fd, "REPLCONF ACK 0");
    expect_stream(fd, SELECT0 SET_K_V);
    close(fd);
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_raw_sync_old_protocol) {
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "no"));
    redisContext *c = hs_connect(s);
    int fd = hs_raw_connect(s);
    raw_cmd(fd, "SYNC");
    hs_buf rdb = read_disk_rdb(fd); /* no +FULLRESYNC line */
    hs_buf_free(&rdb);
    ok(c, "SET k v");
    expect_stream(fd, SELECT0 SET_K_V);
    close(fd);
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_partial_resync) {
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "no"));
    redisContext *c = hs_connect(s);
    char replid[REPL_ID_LEN + 1];
    long long off;
    int fd = raw_replica(s, 0, "PSYNC ? -1", replid, &off);
    hs_buf rdb = read_disk_rdb(fd);
    hs_buf_free(&rdb);
    ok(c, "SET k v");
    expect_stream(fd, SELECT0 SET_K_V);
    long long have = hs_info_ll(c, "replication", "master_repl_offset"); /* all it read (PINGs too) */
    ck_assert_int_ge(have, off + (long long)strlen(SELECT0 SET_K_V));
    close(fd);
    ok(c, "SET k v");
    ok(c, "SET k v");
    /* Back with the offset after the last byte it has: +CONTINUE <id>
     * and exactly the bytes it missed. */
    char psync[128];
    snprintf(psync, sizeof(psync), "PSYNC %s %lld", replid, have + 1);
    fd = hs_raw_connect(s);
    HS_RAW_EXPECT(fd, "*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n", "+OK\r\n");
    raw_cmd(fd, psync);
    hs_buf line = read_line(fd);
    char want[128];
    snprintf(want, sizeof(want), "+CONTINUE %s\r\n", replid);
    HS_CHECK_BYTES(line, want);
    hs_buf_free(&line);
    expect_stream(fd, SET_K_V SET_K_V);
    close(fd);
    /* Without capa psync2: a bare +CONTINUE. */
    fd = hs_raw_connect(s);
    snprintf(psync, sizeof(psync), "PSYNC %s %lld", replid, have + 1);
    raw_cmd(fd, psync);
    line = read_line(fd);
    HS_CHECK_BYTES(line, "+CONTINUE\r\n");
    hs_buf_free(&line);
    close(fd);
    /* An unknown history or an offset past the end: a full sync. */
    char other[REPL_ID_LEN + 1];
    long long off2;
    fd = raw_replica(s, 0, "PSYNC 0123456789012345678901234567890123456789 5", other, &off2);
    ck_assert_str_eq(other, replid);
    close(fd);
    snprintf(psync, sizeof(psync), "PSYNC %s %lld", replid, have + 1000);
    fd = raw_replica(s, 0, psync, other, &off2);
    close(fd);
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_backlog_overflow_full_sync) {
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "no", "--repl-backlog-size", "16384"));
    redisContext *c = hs_connect(s);
    char replid[REPL_ID_LEN + 1];
    long long off;
    int fd = raw_replica(s, 0, "PSYNC ? -1", replid, &off);
    hs_buf rdb = read_disk_rdb(fd);
    hs_buf_free(&rdb);
    close(fd);
    /* 40 KB of stream: more than the backlog holds. */
    char line[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(line, sizeof(line), "SET key:%d value-%030d", i, i);
        ok(c, line);
    }
    ck_assert_int_eq(hs_info_ll(c, "replication", "repl_backlog_histlen"), 16384);
    char psync[128];
    snprintf(psync, sizeof(psync), "PSYNC %s %lld", replid, off + 1);
    char again[REPL_ID_LEN + 1];
    long long off2;
    fd = raw_replica(s, 0, psync, again, &off2);
    ck_assert_str_eq(again, replid);
    ck_assert_int_eq(off2, hs_info_ll(c, "replication", "master_repl_offset"));
    close(fd);
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_rdb_not_counted_in_output_limit) {
    /* A 10 MB RDB to a replica slow to read, under a 128 KB hard limit:
     * the RDB's bytes are not the stream's, the sync completes. */
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "no", "--rdbcompression", "no",
                                    "--client-output-buffer-limit", "replica 128kb 0 0"));
    redisContext *c = hs_connect(s);
    ok(c, "DEBUG POPULATE 10000 key 1000");
    int fd = raw_replica(s, 0, "PSYNC ? -1", NULL, NULL);
    hs_sleep_ms(500);
    hs_buf rdb = read_disk_rdb_within(fd, 45000); /* a sanitizer build is slow */
    ck_assert_int_gt(rdb.len, 10000 * 1000);
    hs_buf_free(&rdb);
    ok(c, "SET k v");
    expect_stream(fd, SELECT0 SET_K_V);
    ck_assert_int_eq(hs_info_ll(c, "replication", "connected_slaves"), 1);
    close(fd);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* A diskless receiver that stops reading stalls the child (and every
 * other receiver with it): after repl-timeout seconds without progress it
 * is dropped and the child stopped, as Redis does. */
START_TEST(test_stalled_diskless_replica_dropped) {
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
                                    "--repl-timeout", "1", "--rdbcompression", "no"));
    redisContext *c = hs_connect(s);
    ok(c, "DEBUG POPULATE 20000 key 1000"); /* 20 MB: far more than the socket buffers hold */
    int fd = raw_replica(s, 1, "PSYNC ? -1", NULL, NULL);
    ck_assert_int_eq(hs_info_ll(c, "replication", "connected_slaves"), 1);
    hs_buf line = hs_info_field(c, "replication", "slave0");
    ck_assert_msg(strstr(line.data, "state=wait_bgsave") && strstr(line.data, "lag=0"), "got %s", line.data);
    hs_buf_free(&line);
    /* The replica never reads again. */
    for (int waited = 0; hs_info_ll(c, "replication", "connected_slaves") != 0; waited += 50) {
        ck_assert_msg(waited < SYNC_WAIT_MS, "the stalled replica was never dropped");
        hs_sleep_ms(50);
    }
    for (int waited = 0; hs_info_ll(c, "persistence", "rdb_bgsave_in_progress") != 0; waited += 50) {
        ck_assert_msg(waited < SYNC_WAIT_MS, "the transfer's child was never stopped");
        hs_sleep_ms(50);
    }
    hs_buf log = hs_read_log(s);
    ck_assert(strstr(log.data, "Disconnecting timedout replica (full sync)") != NULL);
    hs_buf_free(&log);
    close(fd);
    HS_EXPECT_STATUS(c, "PONG", "PING");
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* FAILOVER's pause is its own, as in Redis 7.0: CLIENT UNPAUSE leaves
 * writes waiting for the failover, and FAILOVER ABORT leaves a CLIENT
 * PAUSE in place. */
START_TEST(test_failover_pause_is_its_own) {
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "no"));
    redisContext *c = hs_connect(s), *w = hs_connect(s);
    char replid[REPL_ID_LEN + 1];
    long long off;
    int fd = raw_replica(s, 0, "PSYNC ? -1", replid, &off);
    hs_buf rdb = read_disk_rdb(fd);
    hs_buf_free(&rdb);
    raw_cmd(fd, "REPLCONF ACK 0");
    ok(c, "SET pre 1"); /* never acked: the failover waits for its replica */
    HS_EXPECT_OK(c, "FAILOVER", "TIMEOUT", "20000");
    hs_buf st = hs_info_field(c, "replication", "master_failover_state");
    ck_assert_str_eq(st.data, "waiting-for-sync");
    hs_buf_free(&st);
    HS_EXPECT_OK(c, "CLIENT", "UNPAUSE");
    hs_send_only(w, HS_ARGS("SET", "k", "1"));
    hs_wait_blocked(c, 1); /* the write still waits */
    HS_EXPECT_OK(c, "CLIENT", "PAUSE", "100000", "WRITE");
    HS_EXPECT_OK(c, "FAILOVER", "ABORT");
    hs_sleep_ms(100);
    ck_assert_int_eq(hs_info_ll(c, "clients", "blocked_clients"), 1); /* now CLIENT PAUSE holds it */
    HS_EXPECT_OK(c, "CLIENT", "UNPAUSE");
    redisReply *r = hs_get_reply(w);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    close(fd);
    redisFree(w);
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_diskless_max_replicas_share_child) {
    /* With a long delay, the second replica reaching
     * repl-diskless-sync-max-replicas starts the child at once; both read
     * the same RDB (same offset, same EOF mark). */
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "60",
                                    "--repl-diskless-sync-max-replicas", "2"));
    redisContext *c = hs_connect(s);
    ok(c, "SET k v");
    long long t0 = hs_now_ms();
    int fd1 = hs_raw_connect(s);
    HS_RAW_EXPECT(fd1, "*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n", "+OK\r\n");
    raw_cmd(fd1, "PSYNC ? -1");
    int fd2 = hs_raw_connect(s);
    HS_RAW_EXPECT(fd2, "*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n", "+OK\r\n");
    raw_cmd(fd2, "PSYNC ? -1");
    hs_buf a = read_line(fd1), b = read_line(fd2);
    ck_assert_msg(strncmp(a.data, "+FULLRESYNC ", 12) == 0, "got %s", a.data);
    HS_CHECK_BYTES(b, a.data);
    hs_buf ma = read_line(fd1), mb = read_line(fd2);
    ck_assert(strncmp(ma.data, "$EOF:", 5) == 0);
    HS_CHECK_BYTES(mb, ma.data);
    ck_assert_int_lt(hs_now_ms() - t0, 10000);
    hs_buf log = hs_read_log(s);
    ck_assert(strstr(log.data, "Delay next BGSAVE for diskless SYNC") != NULL);
    hs_buf_free(&log);
    hs_buf_free(&a);
    hs_buf_free(&b);
    hs_buf_free(&ma);
    hs_buf_free(&mb);
    close(fd1);
    close(fd2);
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_disk_child_joined) {
    /* A replica arriving while a disk child serves another shares it: the
     * same +FULLRESYNC offset, and the stream since the fork. */
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "no", "--rdb-key-save-delay", "200000"));
    redisContext *c = hs_connect(s);
    ok(c, "DEBUG POPULATE 10");
    char id1[REPL_ID_LEN + 1], id2[REPL_ID_LEN + 1];
    long long off1, off2;
    int fd1 = raw_replica(s, 0, "PSYNC ? -1", id1, &off1);
    ok(c, "SET k v");
    int fd2 = raw_replica(s, 0, "PSYNC ? -1", id2, &off2);
    ck_assert_str_eq(id1, id2);
    ck_assert_int_eq(off1, off2);
    hs_buf r1 = read_disk_rdb(fd1), r2 = read_disk_rdb(fd2);
    ck_assert_int_eq(r1.len, r2.len);
    hs_buf_free(&r1);
    hs_buf_free(&r2);
    expect_stream(fd1, SELECT0 SET_K_V);
    expect_stream(fd2, SELECT0 SET_K_V);
    hs_buf log = hs_read_log(s);
    ck_assert(strstr(log.data, "Waiting for end of BGSAVE for SYNC") != NULL);
    hs_buf_free(&log);
    close(fd1);
    close(fd2);
    redisFree(c);
    hs_stop(s);
}
END_TEST

START_TEST(test_replica_output_limit) {
    /* A replica that never reads is dropped past the replica class's hard
     * limit, and its slot is freed. */
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "no", "--client-output-buffer-limit",
                                    "replica 256kb 0 0"));
    redisContext *c = hs_connect(s);
    int fd = raw_replica(s, 0, "PSYNC ? -1", NULL, NULL);
    hs_buf rdb = read_disk_rdb(fd);
    hs_buf_free(&rdb);
    char *big = malloc(100000);
    memset(big, 'x', 99999);
    big[99999] = '\0';
    for (int i = 0; i < 200 && hs_info_ll(c, "replication", "connected_slaves") > 0; i++) {
        redisReply *r = hs_command(c, HS_ARGS("SET", "big", big));
        freeReplyObject(r);
    }
    free(big);
    ck_assert_int_eq(hs_info_ll(c, "replication", "connected_slaves"), 0);
    close(fd);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* ---------------------------------------------------------- real replicas */

/* A write load through redis-benchmark when it is installed, else a
 * loop of commands of several types. */
static void write_load(hs_server *s, redisContext *c) {
    char line[256];
    snprintf(line, sizeof(line),
             "redis-benchmark -p %d -q -t set,lpush,sadd,zadd,hset -r 1000 -n 3000 -c 20 >/dev/null 2>&1", s->port);
    if (system(line) == 0) return;
    for (int i = 0; i < 2000; i++) {
        snprintf(line, sizeof(line), "SET k:%d %d", i % 300, i);
        ok(c, line);
        snprintf(line, sizeof(line), "LPUSH l:%d %d", i % 7, i);
        ok(c, line);
        snprintf(line, sizeof(line), "ZADD z %d m%d", i, i % 500);
        ok(c, line);
    }
}

static void redis_replica_digest(const char *diskless) {
    hs_server *m = hs_start(HS_ARGS("--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0"));
    redisContext *cm = hs_connect(m);
    write_load(m, cm);
    ok(cm, "SELECT 3");
    ok(cm, "SET other-db 1");
    ok(cm, "EXPIRE other-db 1000");
    hs_server *r = redis_replica_of(m);
    if (r == NULL) {
        fprintf(stderr, "note: redis-server not installed, replica checks skipped\n");
        redisFree(cm);
        hs_stop(m);
        return;
    }
    redisContext *cr = hs_connect(r);
    write_load(m, cm); /* during and after the sync */
    ok(cm, "SET after-load 1");
    wait_caught_up(cm, cr);
    char *a = digest(cm), *b = digest(cr);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    HS_EXPECT_INT(cm, 1, "WAIT", "1", "5000");
    hs_buf st = hs_info_field(cm, "replication", "slave0");
    char want[64];
    snprintf(want, sizeof(want), "ip=127.0.0.1,port=%d,state=online,", r->port);
    ck_assert_msg(st.data && strncmp(st.data, want, strlen(want)) == 0, "slave0:%s", st.data);
    hs_buf_free(&st);
    /* The link dropped: the replica comes back with a partial resync. */
    ok(cm, "CLIENT KILL TYPE replica");
    ok(cm, "SET during-reconnect 1");
    wait_caught_up(cm, cr);
    a = digest(cm);
    b = digest(cr);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    ck_assert_int_eq(hs_info_ll(cm, "stats", "sync_full"), 1);
    ck_assert_int_eq(hs_info_ll(cm, "stats", "sync_partial_ok"), 1);
    hs_buf log = hs_read_log(m);
    ck_assert_msg(strstr(log.data, "Partial resynchronization request from") != NULL, "no partial resync");
    hs_buf_free(&log);
    redisFree(cr);
    hs_stop(r);
    redisFree(cm);
    hs_stop(m);
}

START_TEST(test_redis_replica_diskless) {
    redis_replica_digest("yes");
}
END_TEST

START_TEST(test_redis_replica_disk) {
    redis_replica_digest("no");
}
END_TEST

/* Waits until the replica says its link is up (no offset check). */
static void wait_link_up(redisContext *replica) {
    long long deadline = hs_now_ms() + SYNC_WAIT_MS;
    for (;;) {
        hs_buf link = hs_info_field(replica, "replication", "master_link_status");
        int up = link.data && strcmp(link.data, "up") == 0;
        hs_buf_free(&link);
        if (up) return;
        ck_assert_msg(hs_now_ms() < deadline, "the replica's link never came up");
        hs_sleep_ms(5);
    }
}

/* After a socket transfer the stream starts at the replica's first ACK,
 * which it sends once loaded, often before the primary reaps its child:
 * that ACK counts, so a write right after the link is up reaches the
 * replica well before the next periodic ACK (a second later). */
START_TEST(test_stream_starts_after_diskless_sync) {
    hs_server *m = hs_start(HS_ARGS("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"));
    redisContext *cm = hs_connect(m);
    char port[16];
    snprintf(port, sizeof(port), "%d", m->port);
    for (int round = 0; round < 2; round++) { /* a new replica: a full sync each */
        hs_server *r = hs_start(NULL);
        redisContext *cr = hs_connect(r);
        HS_EXPECT_OK(cr, "REPLICAOF", "127.0.0.1", port);
        wait_link_up(cr);
        char val[16];
        snprintf(val, sizeof(val), "v%d", round);
        HS_EXPECT_OK(cm, "SET", "k", val);
        long long t0 = hs_now_ms();
        for (;;) {
            redisReply *rep = hs_command(cr, HS_ARGS("GET", "k"));
            int got = rep && rep->type == REDIS_REPLY_STRING && strcmp(rep->str, val) == 0;
            freeReplyObject(rep);
            if (got) break;
            ck_assert_msg(hs_now_ms() - t0 < 600, "round %d: the write was not on the replica after 600 ms", round);
            hs_sleep_ms(5);
        }
        redisFree(cr);
        hs_stop(r);
    }
    redisFree(cm);
    hs_stop(m);
}
END_TEST

START_TEST(test_wait_and_noreplicas) {
    hs_server *m = hs_start(HS_ARGS("--repl-diskless-sync-delay", "0", "--min-replicas-to-write", "1"));
    redisContext *cm = hs_connect(m);
    HS_EXPECT_ERROR(cm, "NOREPLICAS Not enough good replicas to write.", "SET", "k", "v");
    hs_server *r = redis_replica_of(m);
    if (r == NULL) {
        redisFree(cm);
        hs_stop(m);
        return;
    }
    redisContext *cr = hs_connect(r);
    wait_caught_up(cm, cr);
    /* Good once it has acked (a replica acks every second). */
    long long deadline = hs_now_ms() + SYNC_WAIT_MS;
    while (hs_info_ll(cm, "replication", "min_slaves_good_slaves") < 1) {
        ck_assert(hs_now_ms() < deadline);
        hs_sleep_ms(50);
    }
    HS_EXPECT_OK(cm, "SET", "k", "v");
    HS_EXPECT_INT(cm, 1, "WAIT", "1", "0");
    long long t0 = hs_now_ms();
    HS_EXPECT_INT(cm, 1, "WAIT", "2", "200");
    ck_assert_int_ge(hs_now_ms() - t0, 190);
    HS_EXPECT_BULK(cr, "v", "GET", "k");
    redisFree(cr);
    hs_stop(r);
    redisFree(cm);
    hs_stop(m);
}
END_TEST

START_TEST(test_redis_cli_rdb) {
    hs_server *m = hs_start(HS_ARGS("--repl-diskless-sync-delay", "0"));
    redisContext *cm = hs_connect(m);
    ok(cm, "SET a 1");
    ok(cm, "RPUSH l x y z");
    char line[600];
    snprintf(line, sizeof(line), "timeout 20 redis-cli -p %d --rdb %s/cli.rdb >/dev/null 2>&1", m->port, m->dir);
    if (system("command -v redis-cli >/dev/null 2>&1") != 0) {
        redisFree(cm);
        hs_stop(m);
        return;
    }
    ck_assert_int_eq(system(line), 0);
    snprintf(line, sizeof(line), "redis-check-rdb %s/cli.rdb >/dev/null 2>&1", m->dir);
    if (system("command -v redis-check-rdb >/dev/null 2>&1") == 0) ck_assert_int_eq(system(line), 0);
    /* rdb-only replicas leave once served. */
    ck_assert_int_eq(hs_info_ll(cm, "replication", "connected_slaves"), 0);
    /* --functions-rdb: the libraries, no keys. */
    ok(cm, "SET only-in-data 1");
    redisReply *r = hs_command(cm, HS_ARGS("FUNCTION", "LOAD",
                                           "#!lua name=replib\nredis.register_function('f1', function() return 1 end)"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    freeReplyObject(r);
    snprintf(line, sizeof(line), "timeout 20 redis-cli -p %d --functions-rdb %s/fn.rdb >/dev/null 2>&1", m->port,
             m->dir);
    ck_assert_int_eq(system(line), 0);
    snprintf(line, sizeof(line), "%s/fn.rdb", m->dir);
    FILE *f = fopen(line, "rb");
    ck_assert(f != NULL);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    ck_assert(memmem(buf, n, "replib", 6) != NULL);
    ck_assert(memmem(buf, n, "only-in-data", 12) == NULL);
    /* --replica: the RDB, then the stream as commands. */
    snprintf(line, sizeof(line), "(timeout 4 redis-cli -p %d --replica > %s/replica.out 2>&1 &)", m->port, m->dir);
    ck_assert_int_eq(system(line), 0);
    hs_sleep_ms(1500);
    ok(cm, "SET from-replica-mode 1");
    hs_sleep_ms(3500);
    snprintf(line, sizeof(line), "%s/replica.out", m->dir);
    f = fopen(line, "rb");
    ck_assert(f != NULL);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    ck_assert_msg(strstr(buf, "\"SET\",\"from-replica-mode\",\"1\"") != NULL ||
                      strstr(buf, "\"set\",\"from-replica-mode\",\"1\"") != NULL,
                  "redis-cli --replica printed: %s", buf);
    redisFree(cm);
    hs_stop(m);
}
END_TEST

START_TEST(test_shutdown_waits_for_replicas) {
    /* A replica that never acks: SHUTDOWN waits shutdown-timeout, writes
     * paused meanwhile; SHUTDOWN ABORT ends the wait (the waiting caller
     * hears the failure) and writes resume. */
    hs_server *s = hs_start(HS_ARGS("--repl-diskless-sync", "no", "--shutdown-timeout", "2"));
    redisContext *c = hs_connect(s);
    int fd = raw_replica(s, 0, "PSYNC ? -1", NULL, NULL);
    hs_buf rdb = read_disk_rdb(fd);
    hs_buf_free(&rdb);
    ok(c, "SET k v");
    redisContext *w = hs_connect(s);
    hs_send_only(w, HS_ARGS("SHUTDOWN"));
    hs_wait_blocked(c, 1);
    HS_EXPECT_OK(c, "SHUTDOWN", "ABORT");
    redisReply *r = hs_get_reply(w);
    HS_CHECK_ERROR(r, "ERR Errors trying to SHUTDOWN. Check logs.");
    freeReplyObject(r);
    HS_EXPECT_ERROR(c, "ERR No shutdown in progress.", "SHUTDOWN", "ABORT");
    HS_EXPECT_OK(c, "SET", "k", "v2");
    /* Again, to the end: it exits after the timeout, not before. */
    long long t0 = hs_now_ms();
    hs_send_only(w, HS_ARGS("SHUTDOWN", "NOSAVE"));
    ck_assert_int_eq(hs_wait_exit(s, 10000) != -1, 1);
    ck_assert_int_ge(hs_now_ms() - t0, 1500);
    hs_buf log = hs_read_log(s);
    ck_assert(strstr(log.data, "Waiting for replicas before shutting down.") != NULL);
    ck_assert(strstr(log.data, "0 of 1 replicas are in sync when shutting down.") != NULL);
    hs_buf_free(&log);
    close(fd);
    redisFree(w);
    redisFree(c);
    hs_kill(s);
}
END_TEST

START_TEST(test_shutdown_with_redis_replica) {
    /* A live replica acks at once when asked: the shutdown does not wait
     * for the timeout, and the replica has the last write. */
    hs_server *m = hs_start(HS_ARGS("--repl-diskless-sync-delay", "0", "--shutdown-timeout", "20"));
    redisContext *cm = hs_connect(m);
    hs_server *r = redis_replica_of(m);
    if (r == NULL) {
        redisFree(cm);
        hs_stop(m);
        return;
    }
    redisContext *cr = hs_connect(r);
    wait_caught_up(cm, cr);
    ok(cm, "SET last-write 1");
    long long t0 = hs_now_ms();
    hs_send_only(cm, HS_ARGS("SHUTDOWN"));
    ck_assert_int_eq(hs_wait_exit(m, 10000), 0);
    ck_assert_int_lt(hs_now_ms() - t0, 5000);
    HS_EXPECT_BULK(cr, "1", "GET", "last-write");
    hs_buf log = hs_read_log(m);
    ck_assert(strstr(log.data, "1 of 1 replicas are in sync when shutting down.") != NULL);
    hs_buf_free(&log);
    redisFree(cr);
    hs_stop(r);
    redisFree(cm);
    hs_kill(m);
}
END_TEST

static Suite *repl_primary_suite(void) {
    Suite *s = suite_create("repl_primary");
    TCase *tc = hs_tcase(s, "commands");
    tcase_add_test(tc, test_replconf_and_wait_errors);
    tc = hs_tcase(s, "raw");
    tcase_add_test(tc, test_raw_full_sync_disk);
    tcase_add_test(tc, test_raw_full_sync_diskless);
    tcase_add_test(tc, test_raw_sync_old_protocol);
    tcase_add_test(tc, test_partial_resync);
    tcase_add_test(tc, test_backlog_overflow_full_sync);
    tcase_add_test(tc, test_replica_output_limit);
    tcase_add_test(tc, test_rdb_not_counted_in_output_limit);
    tcase_add_test(tc, test_stalled_diskless_replica_dropped);
    tcase_add_test(tc, test_failover_pause_is_its_own);
    tcase_add_test(tc, test_diskless_max_replicas_share_child);
    tcase_add_test(tc, test_disk_child_joined);
    tcase_add_test(tc, test_stream_starts_after_diskless_sync);
    tc = hs_tcase(s, "redis");
    tcase_add_test(tc, test_redis_replica_diskless);
    tcase_add_test(tc, test_redis_replica_disk);
    tcase_add_test(tc, test_wait_and_noreplicas);
    tcase_add_test(tc, test_redis_cli_rdb);
    tc = hs_tcase(s, "shutdown");
    tcase_add_test(tc, test_shutdown_waits_for_replicas);
    tcase_add_test(tc, test_shutdown_with_redis_replica);
    return s;
}

int main(void) {
    return hs_run_suite(repl_primary_suite());
}
