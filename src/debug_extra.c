/* debug_extra.c -- DEBUG subcommands for internals and for testing
 * persistence and crashes: HTSTATS, HTSTATS-KEY, SDSLEN, STRUCTSIZE,
 * CLIENT-EVICTION, LEAK, PAUSE-CRON, AOF-FLUSH-SLEEP, REPLICATE,
 * SET-SKIP-CHECKSUM-VALIDATION, CONFIG-REWRITE-FORCE-ALL, the cluster ones
 * a non-cluster Redis answers, and SEGFAULT / PANIC / ASSERT / OOM /
 * RESTART / CRASH-AND-RECOVER, which end the process.
 *
 * Owns the PAUSE-CRON switch and the strings LEAK keeps. Every other
 * setting lives with the module it steers (aof.c, rdb.c, propagate.c);
 * this file only sets it. Reply texts and arities are Redis 7.0's. */
#include "debug_extra.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "aof.h"
#include "config.h"
#include "crashlog.h"
#include "db.h"
#include "dict.h"
#include "log.h"
#include "networking.h"
#include "propagate.h"
#include "rdb.h"
#include "reply.h"
#include "t_zset.h"
#include "util.h"
#include "zmalloc.h"

extern char **environ;

/* Redis's dictGetStats buffer: longer stats are cut there. */
#define HTSTATS_BUF_BYTES 4096

static int cron_paused;
static debug_prepare_shutdown_fn *prepare_shutdown;

int debug_cron_paused(void) {
    return cron_paused;
}

void debug_set_prepare_shutdown(debug_prepare_shutdown_fn *fn) {
    prepare_shutdown = fn;
}

/* ---------------------------------------------------------- HTSTATS */

static sds cat_dict_stats(sds s, dict *d) {
    char buf[HTSTATS_BUF_BYTES];
    dict_get_stats(buf, sizeof(buf), d);
    return sds_cat(s, buf);
}

/* HTSTATS <dbid>: the keys' and the expires' tables of one database. */
static void debug_htstats(client *c) {
    long long id;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &id)) {
        reply_error_not_integer(c);
        return;
    }
    if (id < 0 || id >= server.dbnum) {
        reply_error(c, "Out of range database");
        return;
    }
    db *d = &server.dbs[id];
    sds s = cat_dict_stats(sds_new("[Dictionary HT]\n"), d->keys);
    s = cat_dict_stats(sds_cat(s, "[Expires HT]\n"), d->expires);
    reply_verbatim(c, s, sds_len(s), "txt");
    sds_free(s);
}

/* HTSTATS-KEY <key>: the table of a hash or set stored as one, or of a
 * skiplist sorted set's member index. */
static void debug_htstats_key(client *c) {
    robj *o = db_lookup(c->db, c->argv[2], DB_LOOKUP_NOTOUCH | DB_LOOKUP_NONOTIFY);
    if (o == NULL) {
        reply_error(c, "no such key");
        return;
    }
    dict *d = NULL;
    if (o->encoding == OBJ_ENCODING_HT) d = o->ptr;
    else if (o->encoding == OBJ_ENCODING_SKIPLIST) d = ((zset *)o->ptr)->dict;
    if (d == NULL) {
        reply_error(c, "The value stored at the specified key is not represented using an hash table");
        return;
    }
    sds s = cat_dict_stats(sds_empty(), d);
    reply_verbatim(c, s, sds_len(s), "txt");
    sds_free(s);
}

/* ---------------------------------------------------------- SDSLEN, STRUCTSIZE */

/* Bytes the allocator gave a string value's sds: its own block, or for
 * EMBSTR the object's block less the object header. */
static size_t string_sds_block(const robj *o) {
    if (o->encoding == OBJ_ENCODING_EMBSTR) return zmalloc_size(o) - sizeof(robj);
    return sds_alloc_size(o->ptr);
}

static void debug_sdslen(client *c) {
    dict_entry *de = dict_find(c->db->keys, c->argv[2]);
    if (de == NULL) {
        reply_error(c, "no such key");
        return;
    }
    robj *val = dict_get_val(de);
    sds key = dict_get_key(de);
    if (val->type != OBJ_STRING || (val->encoding != OBJ_ENCODING_RAW && val->encoding != OBJ_ENCODING_EMBSTR)) {
        reply_error(c, "Not an sds encoded string.");
        return;
    }
    sds s = sds_cat_printf(sds_empty(),
                           "key_sds_len:%lld, key_sds_avail:%lld, key_zmalloc: %lld, val_sds_len:%lld, "
                           "val_sds_avail:%lld, val_zmalloc: %lld",
                           (long long)sds_len(key), (long long)sds_avail(key), (long long)sds_alloc_size(key),
                           (long long)sds_len(val->ptr), (long long)sds_avail(val->ptr),
                           (long long)string_sds_block(val));
    reply_status(c, s);
    sds_free(s);
}

/* The sizes of minired's core structures, in Redis's layout. minired has
 * no sdshdr5 (its smallest header is sdshdr8), so the field is absent. */
static void debug_structsize(client *c) {
    sds s = sds_cat_printf(sds_empty(), "bits:%d robj:%d dictentry:%d sdshdr8:%d sdshdr16:%d sdshdr32:%d sdshdr64:%d ",
                           (int)sizeof(void *) * CHAR_BIT, (int)sizeof(robj), (int)sizeof(dict_entry),
                           (int)sizeof(struct sdshdr8), (int)sizeof(struct sdshdr16), (int)sizeof(struct sdshdr32),
                           (int)sizeof(struct sdshdr64));
    reply_bulk_sds(c, s);
    sds_free(s);
}

/* ---------------------------------------------------------- CLIENT-EVICTION */

/* Redis's client memory buckets: the first holds up to 32 KB, each next
 * one twice as much, the last everything from 4 GB on. */
#define CLIENT_MEM_BUCKETS 19
#define CLIENT_MEM_BUCKET_MIN_LOG 15

static int client_mem_bucket(size_t mem) {
    int b = 0;
    while (b < CLIENT_MEM_BUCKETS - 1 && mem >= ((size_t)1 << (b + CLIENT_MEM_BUCKET_MIN_LOG))) b++;
    return b;
}

/* CLIENT-EVICTION: the buckets client eviction would pick from, filled
 * with the clients it could evict (not NO-EVICT ones, not internal ones).
 * minired does not evict clients yet; the figures are its own. */
static void debug_client_eviction(client *c) {
    sds limit = config_get_value("maxmemory-clients");
    int disabled = limit == NULL || strcmp(limit, "0") == 0;
    sds_free(limit);
    if (disabled) {
        reply_error(c, "maxmemory-clients is disabled.");
        return;
    }
    size_t mem[CLIENT_MEM_BUCKETS] = {0};
    unsigned long count[CLIENT_MEM_BUCKETS] = {0};
    for (client *cl = server.clients; cl; cl = cl->next) {
        if (cl->flags & (CLIENT_NO_EVICT | CLIENT_NO_SOCKET)) continue;
        size_t m = net_client_tot_mem(cl);
        int b = client_mem_bucket(m);
        mem[b] += m;
        count[b]++;
    }
    sds s = sds_empty();
    for (int j = 0; j < CLIENT_MEM_BUCKETS; j++) {
        if (j == 0) s = sds_cat(s, "bucket          0");
        else s = sds_cat_printf(s, "bucket %10zu", (size_t)1 << (j - 1 + CLIENT_MEM_BUCKET_MIN_LOG));
        if (j == CLIENT_MEM_BUCKETS - 1) s = sds_cat(s, "+            : ");
        else s = sds_cat_printf(s, " - %10zu: ", ((size_t)1 << (j + CLIENT_MEM_BUCKET_MIN_LOG)) - 1);
        s = sds_cat_printf(s, "tot-mem: %10zu, clients: %lu\n", mem[j], count[j]);
    }
    reply_verbatim(c, s, sds_len(s), "txt");
    sds_free(s);
}

/* ---------------------------------------------------------- small switches */

/* LEAK <string>: a copy that is never freed, so memory tests can see a
 * leak. Kept on a list (still reachable: a sanitizer build must not fail
 * at exit), but never released. */
typedef struct leaked {
    struct leaked *next;
    sds s;
} leaked;
static leaked *leaks;

static void debug_leak(client *c) {
    leaked *l = zmalloc(sizeof(*l));
    l->s = sds_dup(c->argv[2]);
    l->next = leaks;
    leaks = l;
    reply_ok(c);
}

/* REPLICATE <arg> ...: the command goes to the effects stream's readers
 * only (Redis's replicas; here the AOF), not to the local dataset. */
static void debug_replicate(client *c) {
    prop_feed_raw(c->argc - 2, c->argv + 2);
    reply_ok(c);
}

/* DROP-CLUSTER-PACKET-FILTER <type>: stored by a non-cluster Redis too
 * (it has no bus to filter); minired has no cluster bus, only the check. */
static void debug_drop_cluster_packet_filter(client *c) {
    long long type;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &type) || type < LONG_MIN || type > LONG_MAX) {
        reply_error_not_integer(c);
        return;
    }
    cluster_bus_drop_filter = (long)type;
    reply_ok(c);
}

/* DEBUG CLUSTERLINK KILL <to|from|all> <node-id>. Redis 7.0 replies +OK
 * after an unknown direction's error too (two replies); one is enough. */
static void debug_clusterlink_kill(client *c) {
    if (cluster == NULL) {
        reply_error(c, "Debug option only available for cluster mode enabled setup!");
        return;
    }
    sds err = cluster_bus_debug_kill_link(c->argv[3], c->argv[4]);
    if (err) {
        reply_error(c, err);
        sds_free(err);
        return;
    }
    reply_ok(c);
}

static void debug_config_rewrite_force_all(client *c) {
    sds err;
    if (config_rewrite_ex(1, &err) == -1) {
        int saved = errno;
        sds_free(err);
        reply_error_format(c, "CONFIG-REWRITE-FORCE-ALL failed: %s", strerror(saved));
        return;
    }
    reply_ok(c);
}

/* ---------------------------------------------------------- crashes, restarts */

/* A write to a read-only page: a real fault, with its address. */
static void debug_segfault(void) {
    long page = sysconf(_SC_PAGESIZE);
    volatile char *p = mmap(NULL, (size_t)page, PROT_READ, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (p == MAP_FAILED) p = NULL;
    *p = 'x';
    raise(SIGSEGV); /* not reached */
}

static void debug_oom(void) {
    /* More than any allocator can give: the out-of-memory handler runs. */
    volatile size_t huge = SIZE_MAX / 2;
    void *p = zmalloc(huge);
    zfree(p); /* not reached */
}

/* Re-executes the binary with the same argv, as Redis's restart: after
 * SHUTDOWN's preparation (save, pidfile) and a config rewrite when
 * graceful; straight away otherwise (a crash the data may not survive).
 * Returns only on failure, logged as Redis logs it. */
static int debug_restart_server(int graceful, long long delay_ms) {
    if (access(server.executable, X_OK) == -1) {
        log_warning("Can't restart: this process has no permissions to execute %s", server.executable);
        return -1;
    }
    if (graceful && server.configfile) {
        sds err;
        if (config_rewrite(&err) == -1) {
            log_warning("Can't restart: configuration rewrite process failed: %s", err);
            sds_free(err);
            return -1;
        }
    }
    if (graceful && (prepare_shutdown == NULL || prepare_shutdown(SHUTDOWN_NOFLAGS) != 0)) {
        log_warning("Can't restart: error preparing for shutdown");
        return -1;
    }
    /* Every descriptor but the standard three goes: the new process opens
     * its own listeners, files and clients. */
    long maxfd = (long)cfg.maxclients + CONFIG_MIN_RESERVED_FDS;
    for (int fd = 3; fd < maxfd; fd++)
        if (fcntl(fd, F_GETFD) != -1) close(fd);
    if (delay_ms > 0) usleep((useconds_t)(delay_ms * 1000));
    execve(server.executable, server.exec_argv, environ);
    _exit(1); /* the listeners are closed: nothing left to serve */
}

static void debug_restart(client *c, int graceful) {
    long long delay = 0;
    if (c->argc >= 3 && !string2ll(c->argv[2], sds_len(c->argv[2]), &delay)) {
        reply_error_not_integer(c);
        return;
    }
    debug_restart_server(graceful, delay);
    reply_error(c, "failed to restart the server. Check server logs.");
}

/* ---------------------------------------------------------- dispatch */

static int is(const client *c, const char *name, int min_argc, int max_argc) {
    return c->argc >= min_argc && c->argc <= max_argc && strcasecmp(c->argv[1], name) == 0;
}

/* The subcommands whose whole work is a setter: 1 if c was one. */
static int debug_extra_switches(client *c) {
    if (is(c, "pause-cron", 3, 3)) cron_paused = atoi(c->argv[2]) != 0; /* atoi, as Redis */
    else if (is(c, "aof-flush-sleep", 3, 3)) aof_set_flush_sleep(atoi(c->argv[2]));
    else if (is(c, "set-skip-checksum-validation", 3, 3)) rdb_set_skip_checksum(atoi(c->argv[2]));
    else return 0;
    reply_ok(c);
    return 1;
}

int debug_extra_dispatch(client *c) {
    if (debug_extra_switches(c)) return 1;
    if (is(c, "htstats", 3, 3)) debug_htstats(c);
    else if (is(c, "htstats-key", 3, 3)) debug_htstats_key(c);
    else if (is(c, "sdslen", 3, 3)) debug_sdslen(c);
    else if (is(c, "structsize", 2, 2)) debug_structsize(c);
    else if (is(c, "client-eviction", 2, 2)) debug_client_eviction(c);
    else if (is(c, "leak", 3, 3)) debug_leak(c);
    else if (is(c, "replicate", 3, INT_MAX)) debug_replicate(c);
    else if (is(c, "drop-cluster-packet-filter", 3, 3)) debug_drop_cluster_packet_filter(c);
    else if (is(c, "clusterlink", 5, 5) && strcasecmp(c->argv[2], "kill") == 0) debug_clusterlink_kill(c);
    else if (is(c, "config-rewrite-force-all", 2, 2)) debug_config_rewrite_force_all(c);
    else if (is(c, "restart", 2, INT_MAX)) debug_restart(c, 1);
    else if (is(c, "crash-and-recover", 2, INT_MAX)) debug_restart(c, 0);
    else if (is(c, "segfault", 2, INT_MAX)) debug_segfault();
    else if (is(c, "panic", 2, INT_MAX)) crash_panic(__FILE__, __LINE__, "DEBUG PANIC called at Unix time %lld", (long long)time(NULL));
    else if (is(c, "assert", 2, INT_MAX)) crash_assert_failed(c, __FILE__, __LINE__, "1 == 2");
    else if (is(c, "oom", 2, INT_MAX)) debug_oom();
    else return 0;
    return 1;
}
