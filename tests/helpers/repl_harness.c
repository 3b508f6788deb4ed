/* repl_harness.c -- replication topologies for integration tests: which
 * server runs each role, catching up, dataset comparison, write loads.
 *
 * Owns no server state of its own: servers are harness.c's (hs_server),
 * load processes are children it reaps in hr_load_wait. It never decides
 * a result from timing alone: every wait polls a server-reported fact
 * (link status, offsets, digests) and fails with those facts shown. */
#include "repl_harness.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "zmalloc.h"

#define HR_POLL_MS 20
/* A short TTL, so the primary's active expiry deletes keys during a load. */
#define HR_SHORT_TTL_MS "200" /* HR_SHORT_TTL_MAX_MS */
#define HR_PURGE_MARGIN_MS 100
#define HR_LONG_TTL_S "100000"
#define HR_DIGEST_LEN 40
#define HR_LOAD_TIMEOUT_MS 120000
/* What a digest mismatch report shows: keys, databases, value bytes. */
#define HR_DIFF_MAX_KEYS 5
#define HR_DIFF_DBS 16
#define HR_DIFF_VALUE_BYTES 80
/* A load whose server was killed under it: how long it may take to give up. */
#define HR_LOAD_FAIL_WAIT_MS 5000

/* ---------------------------------------------------------- roles */

const char *hr_kind_name(hr_kind k) {
    return k == HR_MINIRED ? "minired" : "redis";
}

static int hr_as_redis(void) {
    const char *e = getenv("MINIRED_REPL_AS_REDIS");
    return e && strcmp(e, "1") == 0;
}

/* 1 when COMMAND INFO <name> on c describes a command (not a nil). */
static int hr_has_command(redisContext *c, const char *name) {
    redisReply *r = hs_command(c, HS_ARGS("COMMAND", "INFO", name));
    int has = r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY;
    freeReplyObject(r);
    return has;
}

/* Asks a throw-away minired whether it has PSYNC and REPLICAOF; cached
 * for this process (each Check test is its own process: one probe each). */
static void hr_probe_minired(int *primary, int *replica) {
    static int probed, has_psync, has_replicaof;
    if (!probed) {
        hs_server *s = hs_start(NULL);
        redisContext *c = hs_connect(s);
        has_psync = hr_has_command(c, "psync");
        has_replicaof = hr_has_command(c, "replicaof");
        redisFree(c);
        hs_stop(s);
        probed = 1;
    }
    *primary = has_psync;
    *replica = has_replicaof;
}

const char *hr_unusable(hr_kind k, hr_role role) {
    if (k == HR_REDIS || hr_as_redis())
        return hs_redis_server_path() ? NULL : "redis-server is not installed";
    int primary, replica;
    hr_probe_minired(&primary, &replica);
    if (role == HR_PRIMARY && !primary) return "minired has no replication yet (PSYNC is an unknown command)";
    if (role == HR_REPLICA && !replica) return "minired has no replication yet (REPLICAOF is an unknown command)";
    return NULL;
}

int hr_skip(const char *test, int n, const hr_kind *kinds, const hr_role *roles) {
    for (int i = 0; i < n; i++) {
        const char *why = hr_unusable(kinds[i], roles[i]);
        if (why) {
            fprintf(stderr, "note: %s: skipped: %s\n", test, why);
            return 1;
        }
    }
    return 0;
}

hs_server *hr_start(hr_kind k, const char *const *extra_args) {
    if (k == HR_MINIRED && !hr_as_redis()) return hs_start(extra_args);
    hs_server *s = hs_start_redis(extra_args);
    ck_assert_msg(s != NULL, "redis-server is not installed");
    return s;
}

/* ---------------------------------------------------------- replication */

void hr_replicaof(redisContext *c, const hs_server *primary) {
    char port[16];
    snprintf(port, sizeof(port), "%d", primary ? primary->port : 0);
    redisReply *r = primary ? hs_command(c, HS_ARGS("REPLICAOF", "127.0.0.1", port))
                            : hs_command(c, HS_ARGS("REPLICAOF", "NO", "ONE"));
    ck_assert_msg(r->type == REDIS_REPLY_STATUS && strncmp(r->str, "OK", 2) == 0, "REPLICAOF %s: %s",
                  primary ? port : "NO ONE", r->str ? r->str : "(not a status)");
    freeReplyObject(r);
}

long long hr_repl_ll(redisContext *c, const char *field) {
    return hs_info_ll(c, "replication", field);
}

/* 1 when the replica's link is up and it has applied the primary's offset. */
static int hr_caught_up(redisContext *replica, long long primary_offset) {
    hs_buf link = hs_info_field(replica, "replication", "master_link_status");
    int up = link.data && strcmp(link.data, "up") == 0;
    hs_buf_free(&link);
    return up && hr_repl_ll(replica, "master_repl_offset") == primary_offset;
}

/* Appends each server's INFO replication to b, for a failure message. */
static void hr_cat_states(hs_buf *b, redisContext *primary, redisContext *const *replicas, int n) {
    for (int i = -1; i < n; i++) {
        redisReply *r = hs_command(i < 0 ? primary : replicas[i], HS_ARGS("INFO", "replication"));
        hs_buf_printf(b, "---- %s %d:\n%s\n", i < 0 ? "primary" : "replica", i, r->str ? r->str : "?");
        freeReplyObject(r);
    }
}

void hr_wait_synced(redisContext *primary, redisContext *const *replicas, int n, int timeout_ms) {
    long long deadline = hs_now_ms() + timeout_ms;
    for (;;) {
        long long offset = hr_repl_ll(primary, "master_repl_offset");
        int synced = 0;
        while (synced < n && hr_caught_up(replicas[synced], offset)) synced++;
        if (synced == n) return;
        if (hs_now_ms() > deadline) {
            hs_buf b = {0};
            hr_cat_states(&b, primary, replicas, n);
            ck_abort_msg("replica %d not synced within %d ms:\n%s", synced, timeout_ms, b.data);
        }
        hs_sleep_ms(HR_POLL_MS);
    }
}

hs_buf hr_digest(redisContext *c) {
    redisReply *r = hs_command(c, HS_ARGS("DEBUG", "DIGEST"));
    ck_assert_msg(r->type == REDIS_REPLY_STATUS && r->len == HR_DIGEST_LEN, "DEBUG DIGEST: %s",
                  r->str ? r->str : "(not a status)");
    hs_buf d = {0};
    hs_buf_cat(&d, r->str, r->len);
    freeReplyObject(r);
    return d;
}

/* DBSIZE of the selected database (0 for these connections). */
static long long hr_dbsize(redisContext *c) {
    redisReply *r = hs_command(c, HS_ARGS("DBSIZE"));
    long long n = r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    freeReplyObject(r);
    return n;
}

/* One comparison round: 1 when every digest equals the primary's and the
 * primary's did not change meanwhile. Describes the round into b. */
static int hr_digests_agree(redisContext *primary, redisContext *const *replicas, const char *const *names, int n,
                            hs_buf *b) {
    hs_buf before = hr_digest(primary);
    int same = 1;
    hs_buf_printf(b, "primary %s (db 0 size %lld)\n", before.data, hr_dbsize(primary));
    for (int i = 0; i < n; i++) {
        hs_buf d = hr_digest(replicas[i]);
        if (strcmp(d.data, before.data) != 0) same = 0;
        hs_buf_printf(b, "%s %s (db 0 size %lld)\n", names ? names[i] : "replica", d.data, hr_dbsize(replicas[i]));
        hs_buf_free(&d);
    }
    hs_buf after = hr_digest(primary);
    if (strcmp(after.data, before.data) != 0) same = 0;
    hs_buf_free(&before);
    hs_buf_free(&after);
    return same;
}

/* Appends "<type> pexpiretime=<ms> digest=<value digest>[ value=<string>]"
 * for key on c (in the selected database) to b. */
static void hr_cat_key(hs_buf *b, redisContext *c, const char *key, size_t klen) {
    const char *argv[2] = {"TYPE", key};
    size_t lens[2] = {4, klen};
    redisReply *t = hs_command_argv(c, 2, argv, lens);
    hs_buf_printf(b, "%s", t->str ? t->str : "?");
    int is_string = t->str && strcmp(t->str, "string") == 0;
    freeReplyObject(t);
    argv[0] = "PEXPIRETIME", lens[0] = 11;
    redisReply *e = hs_command_argv(c, 2, argv, lens);
    hs_buf_printf(b, " pexpiretime=%lld", e->integer);
    freeReplyObject(e);
    const char *dargv[3] = {"DEBUG", "DIGEST-VALUE", key};
    size_t dlens[3] = {5, 12, klen};
    redisReply *d = hs_command_argv(c, 3, dargv, dlens);
    if (d->type == REDIS_REPLY_ARRAY && d->elements == 1) hs_buf_printf(b, " digest=%s", d->element[0]->str);
    freeReplyObject(d);
    if (is_string) {
        argv[0] = "GET", lens[0] = 3;
        redisReply *v = hs_command_argv(c, 2, argv, lens);
        hs_buf_cat(b, " value=", 7);
        if (v->str) hs_buf_cat_repr(b, v->str, v->len, HR_DIFF_VALUE_BYTES);
        freeReplyObject(v);
    }
}

/* Every key of the selected database on c (SCAN), each as its length
 * (size_t) then its bytes. Returns new. */
static hs_buf hr_all_keys(redisContext *c) {
    hs_buf keys = {0};
    char cursor[32] = "0";
    do {
        redisReply *r = hs_command(c, HS_ARGS("SCAN", cursor, "COUNT", "1000"));
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            redisReply *k = r->element[1]->element[i];
            size_t len = k->len;
            hs_buf_cat(&keys, &len, sizeof(len));
            hs_buf_cat(&keys, k->str, len);
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return keys;
}

/* Compares key by key what `from` holds against `to`, appending up to
 * *budget differing keys to b (both sides described). */
static void hr_cat_side_diffs(hs_buf *b, redisContext *from, redisContext *to, const char *from_name,
                              const char *to_name, int db, int *budget) {
    hs_buf keys = hr_all_keys(from);
    for (size_t off = 0; off < keys.len && *budget > 0;) {
        size_t len;
        memcpy(&len, keys.data + off, sizeof(len));
        const char *k = keys.data + off + sizeof(len);
        off += sizeof(len) + len;
        hs_buf a = {0}, o = {0};
        hr_cat_key(&a, from, k, len);
        hr_cat_key(&o, to, k, len);
        if (strcmp(a.data, o.data) != 0) {
            hs_buf_printf(b, "  db %d key ", db);
            hs_buf_cat_repr(b, k, len, HR_DIFF_VALUE_BYTES);
            hs_buf_printf(b, "\n    %s: %s\n    %s: %s\n", from_name, a.data, to_name, o.data);
            (*budget)--;
        }
        hs_buf_free(&a);
        hs_buf_free(&o);
    }
    hs_buf_free(&keys);
}

/* Appends the first keys on which replica differs from primary (every
 * database), to tell what a digest mismatch is about. Leaves both
 * connections in database 0. */
static void hr_cat_key_diffs(hs_buf *b, redisContext *primary, redisContext *replica, const char *name) {
    int budget = HR_DIFF_MAX_KEYS;
    hs_buf_printf(b, "first keys that differ on %s:\n", name);
    for (int db = 0; db < HR_DIFF_DBS && budget > 0; db++) {
        char dbs[16];
        snprintf(dbs, sizeof(dbs), "%d", db);
        redisReply *r1 = hs_command(primary, HS_ARGS("SELECT", dbs));
        redisReply *r2 = hs_command(replica, HS_ARGS("SELECT", dbs));
        int ok = r1->type == REDIS_REPLY_STATUS && r2->type == REDIS_REPLY_STATUS;
        freeReplyObject(r1);
        freeReplyObject(r2);
        if (!ok) break; /* fewer databases configured */
        hr_cat_side_diffs(b, primary, replica, "primary", name, db, &budget);
        hr_cat_side_diffs(b, replica, primary, name, "primary", db, &budget);
    }
    freeReplyObject(hs_command(primary, HS_ARGS("SELECT", "0")));
    freeReplyObject(hs_command(replica, HS_ARGS("SELECT", "0")));
}

int hr_same_dataset(redisContext *primary, redisContext *const *replicas, const char *const *names, int n,
                    int timeout_ms, hs_buf *why) {
    long long deadline = hs_now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - hs_now_ms();
        hr_wait_synced(primary, replicas, n, left > 0 ? (int)left : 1);
        hs_buf b = {0};
        if (hr_digests_agree(primary, replicas, names, n, &b)) {
            hs_buf_free(&b);
            return 1;
        }
        if (hs_now_ms() > deadline) {
            hs_buf pd = hr_digest(primary);
            for (int i = 0; i < n; i++) {
                hs_buf d = hr_digest(replicas[i]);
                if (strcmp(d.data, pd.data) != 0) hr_cat_key_diffs(&b, primary, replicas[i], names ? names[i] : "replica");
                hs_buf_free(&d);
            }
            hs_buf_free(&pd);
            hr_cat_states(&b, primary, replicas, n);
            if (why) *why = b;
            else hs_buf_free(&b);
            return 0;
        }
        hs_buf_free(&b);
        hs_sleep_ms(HR_POLL_MS * 5);
    }
}

void hr_expect_same_dataset(redisContext *primary, redisContext *const *replicas, const char *const *names, int n,
                            int timeout_ms) {
    hs_buf why = {0};
    if (!hr_same_dataset(primary, replicas, names, n, timeout_ms, &why))
        ck_abort_msg("datasets differ after %d ms:\n%s", timeout_ms, why.data);
}

void hr_purge_expired(redisContext *c, int ndbs) {
    hs_sleep_ms(HR_SHORT_TTL_MAX_MS + HR_PURGE_MARGIN_MS);
    for (int db = ndbs - 1; db >= 0; db--) {
        char dbs[16], cursor[32] = "0";
        snprintf(dbs, sizeof(dbs), "%d", db);
        HS_EXPECT_OK(c, "SELECT", dbs);
        do {
            redisReply *r = hs_command(c, HS_ARGS("SCAN", cursor, "COUNT", "1000"));
            ck_assert_msg(r->type == REDIS_REPLY_ARRAY && r->elements == 2, "SCAN did not return [cursor, keys]");
            snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
            freeReplyObject(r);
        } while (strcmp(cursor, "0") != 0);
    }
}

/* ---------------------------------------------------------- write load */

const char *hr_benchmark_path(void) {
    static char found[PATH_MAX];
    const char *env = getenv("REDIS_BENCHMARK");
    if (env && *env) return access(env, X_OK) == 0 ? env : NULL;
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && n + sizeof("/redis-benchmark") < sizeof(found)) {
            snprintf(found, sizeof(found), "%.*s/redis-benchmark", (int)n, path);
            if (access(found, X_OK) == 0) return found;
        }
        path += n + (path[n] == ':');
    }
    return NULL;
}

/* One redis-benchmark process of the mix: its share of the clients and
 * its command (random parts written __rand_int__). */
typedef struct hr_mix {
    int clients;
    const char *argv[8];
} hr_mix;

static const hr_mix hr_load_mix[] = {
    {10, {"SET", "key:__rand_int__", "__rand_int__", NULL}},
    {5, {"INCR", "counter:__rand_int__", NULL}},
    {5, {"LPUSH", "list:__rand_int__", "__rand_int__", NULL}},
    {5, {"SADD", "set:__rand_int__", "__rand_int__", NULL}},
    {5, {"ZADD", "zset:__rand_int__", "__rand_int__", "m:__rand_int__", NULL}},
    {5, {"HSET", "hash:__rand_int__", "f:__rand_int__", "__rand_int__", NULL}},
    {5, {"XADD", "stream:__rand_int__", "*", "f", "__rand_int__", NULL}},
    {5, {"EXPIRE", "key:__rand_int__", HR_LONG_TTL_S, NULL}},
    {5, {"SET", "tmp:__rand_int__", "__rand_int__", "PX", HR_SHORT_TTL_MS, NULL}},
};
#define HR_MIX_LEN ((int)(sizeof(hr_load_mix) / sizeof(hr_load_mix[0])))

void hr_load_start(hr_load *l, const hs_server *s, long requests, int keys) {
    const char *bench = hr_benchmark_path();
    ck_assert_msg(bench != NULL, "redis-benchmark is not installed");
    memset(l, 0, sizeof(*l));
    snprintf(l->log_path, sizeof(l->log_path), "%s/load.log", s->dir);
    char port[16], keyspace[24];
    snprintf(port, sizeof(port), "%d", s->port);
    snprintf(keyspace, sizeof(keyspace), "%d", keys);
    for (int i = 0; i < HR_MIX_LEN; i++) {
        const hr_mix *m = &hr_load_mix[i];
        char clients[16], n[24];
        snprintf(clients, sizeof(clients), "%d", m->clients);
        long share = requests * m->clients / HR_LOAD_CLIENTS;
        snprintf(n, sizeof(n), "%ld", share > 0 ? share : 1);
        const char *argv[24] = {bench, "-h", "127.0.0.1", "-p", port, "-c", clients, "-n", n, "-r", keyspace, "-q"};
        int argc = 12;
        for (int j = 0; m->argv[j]; j++) argv[argc++] = m->argv[j];
        argv[argc] = NULL;
        l->pids[l->nprocs++] = hs_spawn_process((char *const *)argv, l->log_path);
    }
}

/* Waits for pid until deadline, then kills it. Returns its wait status
 * (-1 when it had to be killed). */
static int hr_reap_by(pid_t pid, long long deadline) {
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r == -1 && errno != EINTR)) return st;
        if (hs_now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return -1;
        }
        hs_sleep_ms(HR_POLL_MS);
    }
}

void hr_load_wait(hr_load *l, int allow_fail) {
    int failed = 0;
    /* A load against a killed server may wait for it forever. */
    long long deadline = hs_now_ms() + (allow_fail ? HR_LOAD_FAIL_WAIT_MS : HR_LOAD_TIMEOUT_MS);
    for (int i = 0; i < l->nprocs; i++) {
        int st = hr_reap_by(l->pids[i], deadline);
        if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) failed++;
    }
    l->nprocs = 0;
    if (failed && !allow_fail) {
        hs_server fake = {0};
        snprintf(fake.log_path, sizeof(fake.log_path), "%s", l->log_path);
        hs_buf log = hs_read_log(&fake);
        ck_abort_msg("%d redis-benchmark processes failed; their output:\n%.4000s", failed, log.data);
    }
}

void hr_load_run(const hs_server *s, long requests, int keys) {
    hr_load l;
    hr_load_start(&l, s, requests, keys);
    hr_load_wait(&l, 0);
}
