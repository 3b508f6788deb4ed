/* repl_harness.h -- several servers in one test: replication topologies of
 * minired and Redis 7.0 servers, waiting for replicas to catch up,
 * comparing datasets by DEBUG DIGEST, and a redis-benchmark write load.
 *
 * Built on harness.h (hs_start / hs_start_redis / hs_crash / hs_restart);
 * every helper fails the running Check test itself. Each role's server is
 * a parameter (hr_kind), so one test body covers every pairing. */
#ifndef MINIRED_TEST_REPL_HARNESS_H
#define MINIRED_TEST_REPL_HARNESS_H

#include "harness.h"

/* How long a replica may take to catch up (a full sync of a small dataset
 * on a loaded 2-core machine, with sanitizers). */
#define HR_SYNC_TIMEOUT_MS 30000
/* The 50 clients of the write load. */
#define HR_LOAD_CLIENTS 50

typedef enum hr_kind { HR_MINIRED, HR_REDIS } hr_kind;

/* "minired" / "redis". */
const char *hr_kind_name(hr_kind k);

/* Whether a test may use kind k in a role: Redis when redis-server is
 * installed; minired as a primary once it has PSYNC, as a replica once it
 * has REPLICAOF (asked of a throw-away server through COMMAND INFO, once
 * per process). With $MINIRED_REPL_AS_REDIS=1 every minired role runs
 * redis-server instead: the tests' own logic checked against Redis alone.
 * Returns NULL if usable, else why not (for the skip note). */
typedef enum hr_role { HR_PRIMARY, HR_REPLICA } hr_role;
const char *hr_unusable(hr_kind k, hr_role role);

/* Prints "note: <test>: skipped: <why>" and returns 1 if any of the n
 * (kind, role) pairs is unusable; the caller returns at once. */
int hr_skip(const char *test, int n, const hr_kind *kinds, const hr_role *roles);

/* Starts a server of kind k (as hs_start / hs_start_redis, so DEBUG is on
 * and the dir is private). Returns new; stop with hs_stop. */
hs_server *hr_start(hr_kind k, const char *const *extra_args);

/* REPLICAOF 127.0.0.1 <primary's port> on c (must reply +OK); NO ONE when
 * primary is NULL. */
void hr_replicaof(redisContext *c, const hs_server *primary);

/* Waits until every replica's master_link_status is up and its
 * master_repl_offset equals the primary's (read before the replica's, so
 * a PING sent meanwhile only delays the match). Fails the test after
 * timeout_ms, showing each server's INFO replication. */
void hr_wait_synced(redisContext *primary, redisContext *const *replicas, int n, int timeout_ms);

/* DEBUG DIGEST of c (returns new; 40 hex digits). */
hs_buf hr_digest(redisContext *c);

/* Waits until the replicas are synced and every DEBUG DIGEST equals the
 * primary's, the primary's own digest unchanged across the reads (its
 * active expiry may still be deleting keys: then it retries). Fails the
 * test after timeout_ms with each server's digest and DBSIZE. names label
 * the replicas in the message. */
void hr_expect_same_dataset(redisContext *primary, redisContext *const *replicas, const char *const *names, int n,
                            int timeout_ms);

/* Waits past the short TTLs (HR_SHORT_TTL_MAX_MS), then SCANs the whole
 * keyspace of databases 0..ndbs-1 on c (a primary), which deletes the keys
 * found expired (and propagates their DELs): none is left for a restart to
 * drop silently. Leaves c in database 0. */
#define HR_SHORT_TTL_MAX_MS 200
void hr_purge_expired(redisContext *c, int ndbs);

/* The same question without failing: 1 when equal within timeout_ms, else
 * 0 with the digests, the first keys that differ (type, PEXPIRETIME, DEBUG
 * DIGEST-VALUE, a string's value) and each server's INFO replication in
 * *why (new; may be NULL). The connections end in database 0. */
int hr_same_dataset(redisContext *primary, redisContext *const *replicas, const char *const *names, int n,
                    int timeout_ms, hs_buf *why);

/* The integer value of INFO replication's field on c. */
long long hr_repl_ll(redisContext *c, const char *field);

/* A write load on a server: HR_LOAD_CLIENTS redis-benchmark clients, split
 * over one process per command (SET, INCR, LPUSH, SADD, ZADD, HSET, XADD
 * on random keys of a keyspace of `keys`, EXPIRE on the SET keys, and SET
 * with a short PX so the primary's expiry deletes keys meanwhile), about
 * `requests` requests in all. */
typedef struct hr_load {
    int nprocs;
    pid_t pids[16];
    char log_path[300];
} hr_load;

/* Path of redis-benchmark ($REDIS_BENCHMARK, else on $PATH), or NULL. */
const char *hr_benchmark_path(void);
/* Starts the load in the background (its output goes to <dir>/load.log of
 * s); hr_load_wait waits for it and fails the test if a process failed
 * (unless allow_fail: the server was killed under it). */
void hr_load_start(hr_load *l, const hs_server *s, long requests, int keys);
void hr_load_wait(hr_load *l, int allow_fail);
/* Both in one. */
void hr_load_run(const hs_server *s, long requests, int keys);

#endif
