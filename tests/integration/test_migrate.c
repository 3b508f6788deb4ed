/* test_migrate.c -- MIGRATE and RESTORE-ASKING: arity and argument errors,
 * +NOKEY, moving every type with its TTL (KEYS form, COPY, REPLACE,
 * another database), AUTH / AUTH2 against a password and an ACL user,
 * the target's errors relayed (BUSYKEY with the other keys still moved),
 * the I/O errors (a refused port, a port that cannot resolve, a target
 * that never answers within the timeout), the cached socket (reused, no
 * second SELECT, a closed one retried once, closed after 10 s idle), the
 * DEL effect of the moved keys (DEBUG EFFECTS and the AOF), the keys
 * COMMAND GETKEYS finds, RESTORE-ASKING, and, when redis-server is
 * installed, both directions with Redis 7.0.
 *
 * Every expected reply and text was read from Redis 7.0.15 doing the
 * same. Targets are further minired servers (or Redis) on free ports. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define IDLE_CLOSE_WAIT_MS 16000 /* 10 s idle plus the once-a-second check */
#define NO_ANSWER_TIMEOUT_MS 200
#define TTL_MS 100000
#define BUSYKEY_RELAYED "ERR Target instance replied with error: BUSYKEY Target key name already exists."
#define IOERR_READING "IOERR error or timeout reading to target instance"
#define IOERR_WRITING "IOERR error or timeout writing to target instance"
#define IOERR_CONNECTING "IOERR error or timeout connecting to the client"

static hs_server *src, *dst;
static redisContext *cs, *cd;
static char dst_port[16];

static void setup(void) {
    src = hs_start(NULL);
    cs = hs_connect(src);
    dst = hs_start(NULL);
    cd = hs_connect(dst);
    snprintf(dst_port, sizeof(dst_port), "%d", dst->port);
}

static void teardown(void) {
    redisFree(cs);
    redisFree(cd);
    hs_stop(src);
    hs_stop(dst);
}

/* Runs a command that must not fail. */
static void run(redisContext *c, const char *const *args) {
    redisReply *r = hs_command(c, args);
    ck_assert_msg(r->type != REDIS_REPLY_ERROR, "%s: %s", args[0], r->str);
    freeReplyObject(r);
}

/* "calls=N" of a command in INFO commandstats (0 when never called). */
static long long cmd_calls(redisContext *c, const char *name) {
    char field[64];
    snprintf(field, sizeof(field), "cmdstat_%s", name);
    hs_buf v = hs_info_field(c, "commandstats", field);
    long long n = v.data ? atoll(v.data + strlen("calls=")) : 0;
    hs_buf_free(&v);
    return n;
}

/* DUMP of key on c (a new buffer; data NULL when the key is missing). */
static hs_buf dump(redisContext *c, const char *key) {
    hs_buf b = {0};
    redisReply *r = hs_command(c, HS_ARGS("DUMP", key));
    if (r->type == REDIS_REPLY_STRING) hs_buf_cat(&b, r->str, r->len);
    freeReplyObject(r);
    return b;
}

/* DEBUG DIGEST-VALUE of key: equal values have equal digests on either
 * server (DUMP bytes differ for hash tables, whose order is the table's). */
static hs_buf digest(redisContext *c, const char *key) {
    hs_buf b = {0};
    redisReply *r = hs_command(c, HS_ARGS("DEBUG", "DIGEST-VALUE", key));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    hs_buf_cat(&b, r->element[0]->str, r->element[0]->len);
    freeReplyObject(r);
    return b;
}

/* Fails unless key holds the same value on both sides. */
static void expect_same_value(redisContext *a, redisContext *b, const char *key) {
    hs_buf x = digest(a, key), y = digest(b, key);
    ck_assert_msg(strcmp(x.data, y.data) == 0 && strcmp(x.data, "0000000000000000000000000000000000000000") != 0,
                  "%s differs (%s %s)", key, x.data, y.data);
    hs_buf_free(&x);
    hs_buf_free(&y);
}

/* One key of each type (and encodings worth a payload of their own). */
static const char *const type_keys[] = {"str", "int", "list", "set", "iset", "hash", "zset", "stream", "big", NULL};

static void populate(redisContext *c) {
    run(c, HS_ARGS("SET", "str", "hello"));
    run(c, HS_ARGS("SET", "int", "12345"));
    run(c, HS_ARGS("RPUSH", "list", "a", "b", "c", "1"));
    run(c, HS_ARGS("SADD", "set", "x", "y", "z"));
    run(c, HS_ARGS("SADD", "iset", "1", "2", "3"));
    run(c, HS_ARGS("HSET", "hash", "f1", "v1", "f2", "v2"));
    run(c, HS_ARGS("ZADD", "zset", "1.5", "a", "2", "b"));
    run(c, HS_ARGS("XADD", "stream", "1-1", "f", "v"));
    char *big = malloc(200001);
    memset(big, 'x', 200000);
    big[200000] = '\0';
    run(c, HS_ARGS("SET", "big", big)); /* several 64 KB write chunks */
    free(big);
}

/* MIGRATE to dst with the given key argument and options. */
#define MIGRATE(key, db, ...) "MIGRATE", "127.0.0.1", dst_port, key, db, "5000", __VA_ARGS__

START_TEST(test_arity_and_arguments) {
    HS_EXPECT_ARITY(cs, "migrate", "MIGRATE", "127.0.0.1", dst_port, "k", "0");
    HS_EXPECT_ARITY(cs, "restore-asking", "RESTORE-ASKING", "k", "0");
    HS_EXPECT_ERROR(cs, "ERR syntax error", MIGRATE("k", "0", "foo"));
    HS_EXPECT_ERROR(cs, "ERR syntax error", MIGRATE("k", "0", "COPY", "bogus"));
    HS_EXPECT_ERROR(cs, "ERR syntax error", MIGRATE("k", "0", "AUTH"));
    HS_EXPECT_ERROR(cs, "ERR syntax error", MIGRATE("k", "0", "AUTH2", "user"));
    HS_EXPECT_ERROR(cs, "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
                    MIGRATE("k", "0", "KEYS", "a"));
    HS_EXPECT_ERROR(cs, "ERR value is not an integer or out of range", "MIGRATE", "h", "1", "k", "x", "1000");
    HS_EXPECT_ERROR(cs, "ERR value is not an integer or out of range", "MIGRATE", "h", "1", "k", "0", "1.5");
    /* No key here: +NOKEY before any connection is tried. */
    HS_EXPECT_STATUS(cs, "NOKEY", "MIGRATE", "127.0.0.1", "1", "k", "0", "1000");
    HS_EXPECT_STATUS(cs, "NOKEY", MIGRATE("", "0", "KEYS"));
    HS_EXPECT_STATUS(cs, "NOKEY", MIGRATE("", "0", "COPY", "KEYS", "a", "b"));
    ck_assert_int_eq(hs_info_ll(cs, "stats", "migrate_cached_sockets"), 0);
}
END_TEST

/* Every type moves with KEYS (a missing key among them is skipped), its
 * value byte for byte and its TTL; the source keys are gone. */
START_TEST(test_moves_every_type) {
    populate(cs);
    run(cs, HS_ARGS("SET", "ttl", "v", "PX", "100000"));
    hs_buf before[16];
    int n = 0;
    for (; type_keys[n]; n++) before[n] = digest(cs, type_keys[n]);
    HS_EXPECT_OK(cs, MIGRATE("", "0", "KEYS", "str", "int", "list", "set", "iset", "hash", "zset", "stream", "big",
                             "nokey", "ttl"));
    for (int i = 0; i < n; i++) {
        hs_buf after = digest(cd, type_keys[i]);
        ck_assert_msg(strcmp(after.data, before[i].data) == 0, "%s differs on the target", type_keys[i]);
        hs_buf_free(&after);
        hs_buf_free(&before[i]);
        HS_EXPECT_INT(cs, 0, "EXISTS", type_keys[i]);
    }
    redisReply *r = hs_command(cd, HS_ARGS("PTTL", "ttl"));
    ck_assert_int_gt(r->integer, TTL_MS - 10000);
    ck_assert_int_le(r->integer, TTL_MS);
    freeReplyObject(r);
    HS_EXPECT_INT(cd, -1, "PTTL", "str");
    HS_EXPECT_INT(cd, 0, "EXISTS", "nokey");
    HS_EXPECT_INT(cs, 0, "DBSIZE");
}
END_TEST

/* COPY keeps the source key; without REPLACE an existing target key is
 * refused (BUSYKEY relayed); REPLACE overwrites; another database. */
START_TEST(test_copy_replace_and_db) {
    run(cs, HS_ARGS("SET", "k", "v1"));
    HS_EXPECT_OK(cs, MIGRATE("k", "0", "COPY"));
    HS_EXPECT_BULK(cs, "v1", "GET", "k");
    HS_EXPECT_BULK(cd, "v1", "GET", "k");
    run(cs, HS_ARGS("SET", "k", "v2"));
    HS_EXPECT_ERROR(cs, BUSYKEY_RELAYED, MIGRATE("k", "0", "COPY"));
    HS_EXPECT_BULK(cd, "v1", "GET", "k");
    HS_EXPECT_OK(cs, MIGRATE("k", "0", "COPY", "REPLACE"));
    HS_EXPECT_BULK(cd, "v2", "GET", "k");
    HS_EXPECT_OK(cs, MIGRATE("k", "3", "REPLACE"));
    HS_EXPECT_INT(cs, 0, "EXISTS", "k");
    run(cd, HS_ARGS("SELECT", "3"));
    HS_EXPECT_BULK(cd, "v2", "GET", "k");
    /* The target refuses the database: its error, relayed; nothing moved. */
    run(cs, HS_ARGS("SET", "k", "v3"));
    HS_EXPECT_ERROR(cs, "ERR Target instance replied with error: ERR DB index is out of range",
                    MIGRATE("k", "99", "REPLACE"));
    HS_EXPECT_BULK(cs, "v3", "GET", "k");
}
END_TEST

/* One key refused among several: the first error is relayed, the others
 * still move and only they are deleted and propagated (DEL s l). */
START_TEST(test_partial_failure_and_effects) {
    HS_EXPECT_OK(cs, "DEBUG", "EFFECTS", "ON");
    run(cs, HS_ARGS("MSET", "s", "1", "i", "2", "l", "3"));
    run(cd, HS_ARGS("SET", "i", "busy"));
    freeReplyObject(hs_command(cs, HS_ARGS("DEBUG", "EFFECTS", "GET")));
    long long dirty = hs_dirty(cs);
    HS_EXPECT_ERROR(cs, BUSYKEY_RELAYED, MIGRATE("", "0", "KEYS", "s", "i", "l"));
    ck_assert_int_eq(hs_dirty(cs) - dirty, 2);
    HS_EXPECT_BULKS(cs, HS_ARGS("i"), "KEYS", "*");
    HS_EXPECT_BULK(cd, "busy", "GET", "i");
    HS_EXPECT_BULK(cd, "3", "GET", "l");
    HS_EXPECT_BULK(cs, "*3\r\n$3\r\nDEL\r\n$1\r\ns\r\n$1\r\nl\r\n", "DEBUG", "EFFECTS", "GET");
    /* COPY changes nothing here: no effect. */
    HS_EXPECT_OK(cs, MIGRATE("i", "0", "COPY", "REPLACE"));
    HS_EXPECT_BULK(cs, "", "DEBUG", "EFFECTS", "GET");
    HS_EXPECT_BULK(cd, "2", "GET", "i");
}
END_TEST

/* The AOF gets the moved keys as DEL, as Redis writes it. */
START_TEST(test_aof_gets_del) {
    hs_server *s = hs_start(HS_ARGS("--appendonly", "yes"));
    redisContext *c = hs_connect(s);
    run(c, HS_ARGS("SET", "a", "1"));
    run(c, HS_ARGS("SET", "b", "2"));
    HS_EXPECT_OK(c, MIGRATE("", "0", "KEYS", "a", "b"));
    HS_EXPECT_STATUS(c, "NOKEY", MIGRATE("", "0", "COPY", "REPLACE", "KEYS", "a", "b"));
    char path[400];
    snprintf(path, sizeof(path), "%s/appendonlydir/appendonly.aof.1.incr.aof", s->dir);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char buf[4096];
    size_t len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    const char *want = "*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nb\r\n";
    ck_assert_msg(strstr(buf, want) != NULL, "AOF: %s", buf);
    ck_assert_msg(strstr(buf, "MIGRATE") == NULL && strstr(buf, "migrate") == NULL, "AOF: %s", buf);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* A target with a password and an ACL user: no AUTH is refused (its
 * NOAUTH relayed), a wrong password too (WRONGPASS, AUTH's own error
 * reported rather than the RESTORE's), AUTH and AUTH2 work. */
START_TEST(test_auth_and_auth2) {
    hs_server *t = hs_start(HS_ARGS("--requirepass", "pw"));
    redisContext *ct = hs_connect(t);
    HS_EXPECT_OK(ct, "AUTH", "pw");
    HS_EXPECT_OK(ct, "ACL", "SETUSER", "u", "on", ">p", "~*", "+@all");
    char port[16];
    snprintf(port, sizeof(port), "%d", t->port);
    run(cs, HS_ARGS("SET", "k", "v"));
    HS_EXPECT_ERROR(cs, "ERR Target instance replied with error: NOAUTH Authentication required.", "MIGRATE",
                    "127.0.0.1", port, "k", "0", "5000", "COPY");
    HS_EXPECT_ERROR(cs,
                    "ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is "
                    "disabled.",
                    "MIGRATE", "127.0.0.1", port, "k", "0", "5000", "COPY", "AUTH", "bad");
    HS_EXPECT_ERROR(cs,
                    "ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is "
                    "disabled.",
                    "MIGRATE", "127.0.0.1", port, "k", "0", "5000", "COPY", "AUTH2", "u", "bad");
    HS_EXPECT_OK(cs, "MIGRATE", "127.0.0.1", port, "k", "0", "5000", "COPY", "AUTH", "pw");
    HS_EXPECT_BULK(ct, "v", "GET", "k");
    HS_EXPECT_OK(cs, "MIGRATE", "127.0.0.1", port, "k", "0", "5000", "REPLACE", "AUTH2", "u", "p");
    HS_EXPECT_INT(cs, 0, "EXISTS", "k");
    /* AUTH is sent on every MIGRATE that names it, even on a socket that
     * is already authenticated. */
    ck_assert_int_eq(cmd_calls(ct, "auth"), 5);
    redisFree(ct);
    hs_stop(t);
}
END_TEST

/* One socket per target, reused: one connection, SELECT only when the
 * database changes (and after a target error). */
START_TEST(test_socket_reused) {
    long long conns = hs_info_ll(cd, "stats", "total_connections_received");
    for (int i = 0; i < 3; i++) {
        run(cs, HS_ARGS("SET", "k", "v"));
        HS_EXPECT_OK(cs, MIGRATE("k", "0", "REPLACE"));
    }
    ck_assert_int_eq(hs_info_ll(cd, "stats", "total_connections_received") - conns, 1);
    ck_assert_int_eq(hs_info_ll(cs, "stats", "migrate_cached_sockets"), 1);
    ck_assert_int_eq(cmd_calls(cd, "select"), 1);
    run(cs, HS_ARGS("SET", "k", "v"));
    HS_EXPECT_OK(cs, MIGRATE("k", "2", "REPLACE"));
    ck_assert_int_eq(cmd_calls(cd, "select"), 2);
    run(cs, HS_ARGS("SET", "k", "v"));
    HS_EXPECT_ERROR(cs, BUSYKEY_RELAYED, MIGRATE("k", "2", "COPY"));
    HS_EXPECT_OK(cs, MIGRATE("k", "2", "REPLACE"));
    ck_assert_int_eq(cmd_calls(cd, "select"), 3);
    ck_assert_int_eq(hs_info_ll(cd, "stats", "total_connections_received") - conns, 1);
}
END_TEST

/* At most 64 cached sockets: a 65th target evicts one ("host:port" as
 * written names the socket, so leading zeros make new names for the
 * same target). */
START_TEST(test_cache_holds_64) {
    for (int i = 0; i < 65; i++) {
        char port[96];
        snprintf(port, sizeof(port), "%0*d", (int)strlen(dst_port) + i, dst->port);
        run(cs, HS_ARGS("SET", "k", "v"));
        HS_EXPECT_OK(cs, "MIGRATE", "127.0.0.1", port, "k", "0", "5000", "REPLACE");
        ck_assert_int_eq(hs_info_ll(cs, "stats", "migrate_cached_sockets"), i < 64 ? i + 1 : 64);
    }
    hs_sleep_ms(200); /* the target sees the evicted socket close */
    ck_assert_int_eq(hs_info_ll(cd, "clients", "connected_clients"), 65);
}
END_TEST

/* The target closed the cached socket: MIGRATE reconnects once and
 * succeeds, without the caller seeing an error. */
START_TEST(test_closed_socket_retried) {
    run(cs, HS_ARGS("SET", "k", "v"));
    HS_EXPECT_OK(cs, MIGRATE("k", "0", "COPY"));
    long long conns = hs_info_ll(cd, "stats", "total_connections_received");
    HS_EXPECT_INT(cd, 1, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
    hs_sleep_ms(100);
    HS_EXPECT_OK(cs, MIGRATE("k", "0", "REPLACE"));
    ck_assert_int_eq(hs_info_ll(cd, "stats", "total_connections_received") - conns, 1);
    HS_EXPECT_INT(cs, 0, "EXISTS", "k");
    HS_EXPECT_BULK(cd, "v", "GET", "k");
}
END_TEST

/* migrate_cron closes a socket idle for 10 s. */
START_TEST(test_idle_socket_closed) {
    run(cs, HS_ARGS("SET", "k", "v"));
    HS_EXPECT_OK(cs, MIGRATE("k", "0", "COPY"));
    ck_assert_int_eq(hs_info_ll(cs, "stats", "migrate_cached_sockets"), 1);
    hs_sleep_ms(5000);
    ck_assert_int_eq(hs_info_ll(cs, "stats", "migrate_cached_sockets"), 1);
    long long start = hs_now_ms();
    while (hs_info_ll(cs, "stats", "migrate_cached_sockets") != 0 && hs_now_ms() - start < IDLE_CLOSE_WAIT_MS)
        hs_sleep_ms(200);
    ck_assert_int_eq(hs_info_ll(cs, "stats", "migrate_cached_sockets"), 0);
    hs_sleep_ms(200); /* the target sees the close */
    ck_assert_int_eq(hs_info_ll(cd, "clients", "connected_clients"), 1);
}
END_TEST

/* A socket listening on a free port that never accepts nor answers. */
static int silent_listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(fd, 16), 0);
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

/* I/O failures: refused (after a retry: "writing"), an address that
 * cannot be resolved ("connecting"), a target silent past the timeout
 * ("reading", no retry); the key stays, the socket is not kept. */
START_TEST(test_io_errors) {
    run(cs, HS_ARGS("SET", "k", "v"));
    char port[16];
    snprintf(port, sizeof(port), "%d", hs_free_port());
    HS_EXPECT_ERROR(cs, IOERR_WRITING, "MIGRATE", "127.0.0.1", port, "k", "0", "1000");
    HS_EXPECT_ERROR(cs, IOERR_CONNECTING, "MIGRATE", "127.0.0.1", "-5", "k", "0", "1000");
    int lport, lfd = silent_listener(&lport);
    snprintf(port, sizeof(port), "%d", lport);
    long long t0 = hs_now_ms();
    HS_EXPECT_ERROR(cs, IOERR_READING, "MIGRATE", "127.0.0.1", port, "k", "0", "200");
    long long took = hs_now_ms() - t0;
    ck_assert_int_ge(took, NO_ANSWER_TIMEOUT_MS - 20);
    ck_assert_int_lt(took, 3000); /* no retry after a timeout */
    close(lfd);
    HS_EXPECT_BULK(cs, "v", "GET", "k");
    ck_assert_int_eq(hs_info_ll(cs, "stats", "migrate_cached_sockets"), 0);
    hs_buf es = hs_info_field(cs, "errorstats", "errorstat_IOERR");
    ck_assert_str_eq(es.data, "count=3");
    hs_buf_free(&es);
    /* The server still serves after all this. */
    HS_EXPECT_OK(cs, MIGRATE("k", "0", "COPY"));
}
END_TEST

/* The keys Redis 7.0 finds: the key argument, or those after KEYS (not
 * when KEYS is the last argument, nor the value of AUTH / AUTH2; none
 * at all when KEYS comes with a key argument). */
START_TEST(test_getkeys) {
#define GETKEYS "COMMAND", "GETKEYS", "MIGRATE", "h", "p"
    HS_EXPECT_BULKS(cs, HS_ARGS("k"), GETKEYS, "k", "0", "0");
    HS_EXPECT_BULKS(cs, HS_ARGS(""), GETKEYS, "", "0", "0");
    HS_EXPECT_BULKS(cs, HS_ARGS("a", "b"), GETKEYS, "", "0", "0", "COPY", "KEYS", "a", "b");
    HS_EXPECT_BULKS(cs, HS_ARGS(""), GETKEYS, "", "0", "0", "KEYS");
    HS_EXPECT_BULKS(cs, HS_ARGS("k"), GETKEYS, "k", "0", "0", "KEYS");
    HS_EXPECT_BULKS(cs, HS_ARGS("keys"), GETKEYS, "", "0", "0", "KEYS", "keys");
    HS_EXPECT_BULKS(cs, HS_ARGS(""), GETKEYS, "", "0", "0", "AUTH", "keys", "a");
    HS_EXPECT_BULKS(cs, HS_ARGS(""), GETKEYS, "", "0", "0", "AUTH2", "x", "keys", "a");
    HS_EXPECT_BULKS(cs, HS_ARGS("a", "b"), GETKEYS, "", "0", "0", "AUTH", "keys", "keys", "a", "b");
    HS_EXPECT_ERROR(cs, "ERR Invalid arguments specified for command", GETKEYS, "k", "0", "0", "KEYS", "a");
#undef GETKEYS
    redisReply *r = hs_command(cs, HS_ARGS("COMMAND", "INFO", "migrate", "restore-asking"));
    ck_assert_int_eq(r->element[0]->element[1]->integer, -6);
    ck_assert_str_eq(r->element[0]->element[2]->element[1]->str, "movablekeys");
    ck_assert_int_eq(r->element[1]->element[1]->integer, -4);
    ck_assert_str_eq(r->element[1]->element[2]->element[2]->str, "asking");
    freeReplyObject(r);
}
END_TEST

/* RESTORE-ASKING is RESTORE: the same payload rules, BUSYKEY, REPLACE,
 * TTL, and its effect. */
START_TEST(test_restore_asking) {
    run(cs, HS_ARGS("SET", "k", "v"));
    hs_buf p = dump(cs, "k");
    redisReply *r = redisCommand(cs, "RESTORE-ASKING k 0 %b", p.data, p.len);
    HS_CHECK_ERROR(r, "BUSYKEY Target key name already exists.");
    freeReplyObject(r);
    r = redisCommand(cs, "RESTORE-ASKING k2 5000 %b", p.data, p.len);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_BULK(cs, "v", "GET", "k2");
    r = hs_command(cs, HS_ARGS("PTTL", "k2"));
    ck_assert_int_gt(r->integer, 0);
    freeReplyObject(r);
    r = redisCommand(cs, "RESTORE-ASKING k 0 %b REPLACE", p.data, p.len);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_ERROR(cs, "ERR DUMP payload version or checksum are wrong", "RESTORE-ASKING", "k3", "0", "xx");
    HS_EXPECT_ERROR(cs, "ERR Invalid TTL value, must be >= 0", "RESTORE-ASKING", "k3", "-1", "xx");
    HS_EXPECT_ERROR(cs, "ERR syntax error", "RESTORE-ASKING", "k3", "0", "xx", "bogus");
    HS_EXPECT_ERROR(cs, "ERR value is not an integer or out of range", "RESTORE-ASKING", "k3", "x", "xx");
    hs_buf_free(&p);
}
END_TEST

/* In cluster mode the source sends RESTORE-ASKING (the target may be
 * importing the slot). Skipped with a note while this node cannot serve
 * keys (no slots: the cluster commands are not in yet). */
START_TEST(test_cluster_mode_sends_restore_asking) {
    hs_server *s = hs_start(HS_ARGS("--cluster-enabled", "yes", "--cluster-config-file", "{dir}/nodes.conf"));
    redisContext *c = hs_connect(s);
    freeReplyObject(hs_command(c, HS_ARGS("CLUSTER", "ADDSLOTSRANGE", "0", "16383")));
    long long start = hs_now_ms();
    redisReply *r = NULL;
    do {
        if (r) {
            freeReplyObject(r);
            hs_sleep_ms(100);
        }
        r = hs_command(c, HS_ARGS("SET", "k", "v"));
    } while (r->type == REDIS_REPLY_ERROR && hs_now_ms() - start < 5000);
    if (r->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "note: cluster node serves no key (%s), RESTORE-ASKING check skipped\n", r->str);
    } else {
        HS_EXPECT_OK(c, MIGRATE("k", "0", "COPY"));
        ck_assert_int_eq(cmd_calls(cd, "restore-asking"), 1);
        ck_assert_int_eq(cmd_calls(cd, "restore"), 0);
        HS_EXPECT_BULK(cd, "v", "GET", "k");
    }
    freeReplyObject(r);
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* Both directions with Redis 7.0: every type copied keeps its payload,
 * AUTH2 with an ACL user, a BUSYKEY refusal, then the keys moved. */
static void interop_one_way(redisContext *from, redisContext *to, int to_port, const char *user) {
    char port[16];
    snprintf(port, sizeof(port), "%d", to_port);
    populate(from);
    run(from, HS_ARGS("SET", "ttl", "v", "PX", "100000"));
    HS_EXPECT_OK(from, "MIGRATE", "127.0.0.1", port, "", "0", "5000", "COPY", "AUTH2", user, "p", "KEYS", "str",
                 "int", "list", "set", "iset", "hash", "zset", "stream", "big", "ttl");
    for (int i = 0; type_keys[i]; i++) expect_same_value(from, to, type_keys[i]);
    redisReply *r = hs_command(to, HS_ARGS("PTTL", "ttl"));
    ck_assert_int_gt(r->integer, TTL_MS - 10000);
    freeReplyObject(r);
    HS_EXPECT_ERROR(from, BUSYKEY_RELAYED, "MIGRATE", "127.0.0.1", port, "str", "0", "5000", "AUTH2", user, "p");
    HS_EXPECT_OK(from, "MIGRATE", "127.0.0.1", port, "", "0", "5000", "REPLACE", "AUTH2", user, "p", "KEYS", "str",
                 "list");
    HS_EXPECT_INT(from, 0, "EXISTS", "str", "list");
    HS_EXPECT_INT(to, 2, "EXISTS", "str", "list");
}

START_TEST(test_interop_redis_both_ways) {
    hs_server *rd = hs_start_redis(NULL);
    if (rd == NULL) {
        fprintf(stderr, "note: redis-server not installed, MIGRATE interop skipped\n");
        return;
    }
    redisContext *cr = hs_connect(rd);
    run(cr, HS_ARGS("ACL", "SETUSER", "ru", "on", ">p", "~*", "+@all"));
    run(cd, HS_ARGS("ACL", "SETUSER", "mu", "on", ">p", "~*", "+@all"));
    interop_one_way(cs, cr, rd->port, "ru"); /* minired to Redis */
    run(cr, HS_ARGS("FLUSHALL"));
    interop_one_way(cr, cd, dst->port, "mu"); /* Redis to minired */
    redisFree(cr);
    hs_stop(rd);
}
END_TEST

static Suite *migrate_suite(void) {
    Suite *s = suite_create("migrate");
    TCase *tc = hs_tcase(s, "core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_arity_and_arguments);
    tcase_add_test(tc, test_moves_every_type);
    tcase_add_test(tc, test_copy_replace_and_db);
    tcase_add_test(tc, test_partial_failure_and_effects);
    tcase_add_test(tc, test_aof_gets_del);
    tcase_add_test(tc, test_auth_and_auth2);
    tcase_add_test(tc, test_socket_reused);
    tcase_add_test(tc, test_cache_holds_64);
    tcase_add_test(tc, test_closed_socket_retried);
    tcase_add_test(tc, test_idle_socket_closed);
    tcase_add_test(tc, test_io_errors);
    tcase_add_test(tc, test_getkeys);
    tcase_add_test(tc, test_restore_asking);
    tcase_add_test(tc, test_cluster_mode_sends_restore_asking);
    tcase_add_test(tc, test_interop_redis_both_ways);
    return s;
}

int main(void) {
    return hs_run_suite(migrate_suite());
}
