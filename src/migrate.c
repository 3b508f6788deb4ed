/* migrate.c -- MIGRATE and RESTORE-ASKING (see cluster.h), with and
 * without cluster mode, as Redis 7.0 runs them.
 *
 * MIGRATE is synchronous, as in Redis: the whole server waits while it
 * talks to the target, over its own blocking-with-timeout socket (poll on
 * one fd, never the event loop, never a client's socket). Sockets are
 * cached per "host:port" (at most MIGRATE_CACHE_ITEMS, a random one
 * evicted when full) with the database last SELECTed on them, and closed
 * after MIGRATE_CACHE_TTL_MS idle by migrate_cron. The payloads are
 * DUMP's (rdb_dump_payload); RESTORE-ASKING is RESTORE's own handler
 * (dump.c) with the asking flag. Owns only the socket cache. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "anet.h"
#include "cluster.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "monotonic.h"
#include "notify.h"
#include "propagate.h"
#include "rdb.h"
#include "reply.h"
#include "resp.h"
#include "util.h"
#include "zmalloc.h"

#define MIGRATE_CACHE_ITEMS 64          /* Redis's MIGRATE_SOCKET_CACHE_ITEMS */
#define MIGRATE_CACHE_TTL_MS 10000      /* idle sockets closed after this */
#define MIGRATE_CRON_PERIOD_MS 1000     /* the idle check runs this often */
#define MIGRATE_DEFAULT_TIMEOUT_MS 1000 /* a timeout <= 0 means this */
#define MIGRATE_WRITE_CHUNK 65536       /* each chunk gets the whole timeout */
#define MIGRATE_LINE_MAX 1024           /* reply text kept per line (Redis's buffer) */
#define MIGRATE_RBUF_LEN 4096           /* bytes read ahead per socket */

#define MIGRATE_ERR_CONNECT "-IOERR error or timeout connecting to the client"
#define MIGRATE_ERR_IO "-IOERR error or timeout %s to target instance"

/* One cached connection to a target. name NULL: the slot is free. */
typedef struct migrate_conn {
    sds name;              /* "host:port" as the client wrote them */
    int fd;
    long long last_dbid;   /* database selected on it, -1: SELECT next time */
    long long last_use_ms; /* unix ms of the last MIGRATE that used it */
    char rbuf[MIGRATE_RBUF_LEN]; /* reply bytes read but not yet consumed */
    size_t rpos, rlen;
} migrate_conn;

static migrate_conn cache[MIGRATE_CACHE_ITEMS];
static int cache_used;

/* ---------------------------------------------------------- blocking I/O */

/* Outcome of one bounded operation. A timeout is told apart because
 * MIGRATE never retries after one (the target may still be working). */
enum migrate_io { MIO_OK = 0, MIO_ERR = -1, MIO_TIMEOUT = -2 };

static long long mono_ms(void) {
    return (long long)(mono_now_us() / 1000);
}

/* Waits until fd is ready for events or deadline (monotonic ms) passes. */
static enum migrate_io mio_wait(int fd, short events, long long deadline) {
    for (;;) {
        long long left = deadline - mono_ms();
        if (left <= 0) return MIO_TIMEOUT;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)(left > 1000000 ? 1000000 : left));
        if (r > 0) return MIO_OK;
        if (r == 0) return MIO_TIMEOUT;
        if (errno != EINTR) return MIO_ERR;
    }
}

/* Writes all of p, each MIGRATE_WRITE_CHUNK bounded by timeout_ms. */
static enum migrate_io mio_write(int fd, const char *p, size_t len, long long timeout_ms) {
    size_t off = 0;
    while (off < len) {
        size_t chunk_end = off + (len - off > MIGRATE_WRITE_CHUNK ? MIGRATE_WRITE_CHUNK : len - off);
        long long deadline = mono_ms() + timeout_ms;
        while (off < chunk_end) {
            ssize_t n = send(fd, p + off, chunk_end - off, MSG_NOSIGNAL);
            if (n > 0) {
                off += (size_t)n;
                continue;
            }
            if (n == -1 && errno == EINTR) continue;
            if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) return MIO_ERR;
            enum migrate_io w = mio_wait(fd, POLLOUT, deadline);
            if (w != MIO_OK) return w;
        }
    }
    return MIO_OK;
}

/* Reads one reply line (CRLF removed) into out, keeping at most outsz-1
 * bytes of it, within timeout_ms. A bare "\n" is a failure, as for
 * Redis's line reader; the peer closing is an error, not a timeout. */
static enum migrate_io mio_read_line(migrate_conn *mc, char *out, size_t outsz, long long timeout_ms) {
    long long deadline = mono_ms() + timeout_ms;
    size_t n = 0;
    for (;;) {
        while (mc->rpos < mc->rlen) {
            char ch = mc->rbuf[mc->rpos++];
            if (ch == '\n') {
                size_t kept = n < outsz - 1 ? n : outsz - 1;
                if (kept > 0 && kept == n && out[kept - 1] == '\r') kept--;
                out[kept] = '\0';
                return n > 0 ? MIO_OK : MIO_ERR; /* "\r\n" counts as a line */
            }
            if (n < outsz - 1) out[n] = ch;
            n++;
        }
        mc->rpos = mc->rlen = 0;
        ssize_t r = recv(mc->fd, mc->rbuf, sizeof(mc->rbuf), 0);
        if (r > 0) {
            mc->rlen = (size_t)r;
            continue;
        }
        if (r == 0) return MIO_ERR;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return MIO_ERR;
        enum migrate_io w = mio_wait(mc->fd, POLLIN, deadline);
        if (w != MIO_OK) return w;
    }
}

/* ---------------------------------------------------------- socket cache */

static sds conn_name(const sds host, const sds port) {
    sds name = sds_dup(host);
    name = sds_cat_len(name, ":", 1);
    return sds_cat_sds(name, port);
}

static void conn_close(migrate_conn *mc) {
    close(mc->fd);
    sds_free(mc->name);
    memset(mc, 0, sizeof(*mc));
    mc->fd = -1;
    cache_used--;
}

static migrate_conn *conn_find(const sds name) {
    for (int i = 0; i < MIGRATE_CACHE_ITEMS; i++)
        if (cache[i].name && sds_len(cache[i].name) == sds_len(name) &&
            memcmp(cache[i].name, name, sds_len(name)) == 0)
            return &cache[i];
    return NULL;
}

/* Closes the cached socket to host:port, if any (after an I/O error: the
 * next MIGRATE reconnects and SELECTs again). */
static void conn_forget(const sds host, const sds port) {
    sds name = conn_name(host, port);
    migrate_conn *mc = conn_find(name);
    if (mc) conn_close(mc);
    sds_free(name);
}

/* A free slot, evicting a random socket when all are taken (Redis's rule:
 * the cache is small and any victim just reconnects). */
static migrate_conn *conn_free_slot(void) {
    if (cache_used == MIGRATE_CACHE_ITEMS) {
        unsigned char r;
        get_random_bytes(&r, 1);
        conn_close(&cache[r % MIGRATE_CACHE_ITEMS]);
    }
    for (int i = 0; i < MIGRATE_CACHE_ITEMS; i++)
        if (!cache[i].name) return &cache[i];
    return NULL; /* not reached: a slot was freed above */
}

/* The cached socket to host:port, or a new one. The port is read as
 * atoi reads it, as Redis does. The connect waits at most timeout_ms for
 * the socket to become writable and goes on either way, as Redis's
 * blocking connect: a refused or slow connect then fails at the first
 * write. Only a connect that cannot start (an unknown host) fails here:
 * replies the error and returns NULL. */
static migrate_conn *conn_get(client *c, const sds host, const sds port, long long timeout_ms) {
    sds name = conn_name(host, port);
    migrate_conn *mc = conn_find(name);
    if (mc) {
        sds_free(name);
        mc->last_use_ms = mstime();
        return mc;
    }
    char err[ANET_ERR_LEN];
    long p = strtol(port, NULL, 10);
    int fd = anet_tcp_nonblock_connect(err, host, (int)(p > 0x7fffffff || p < -0x7fffffff ? 0 : p));
    if (fd == ANET_ERR) {
        sds_free(name);
        reply_error(c, MIGRATE_ERR_CONNECT);
        return NULL;
    }
    anet_cloexec(fd);
    (void)mio_wait(fd, POLLOUT, mono_ms() + timeout_ms);
    anet_enable_tcp_nodelay(err, fd);
    mc = conn_free_slot();
    mc->name = name;
    mc->fd = fd;
    mc->last_dbid = -1;
    mc->last_use_ms = mstime();
    mc->rpos = mc->rlen = 0;
    cache_used++;
    return mc;
}

void migrate_cron(void) {
    static long long last_run_ms;
    long long now = mstime();
    if (now - last_run_ms < MIGRATE_CRON_PERIOD_MS) return;
    last_run_ms = now;
    for (int i = 0; i < MIGRATE_CACHE_ITEMS; i++)
        if (cache[i].name && now - cache[i].last_use_ms > MIGRATE_CACHE_TTL_MS) conn_close(&cache[i]);
}

int migrate_cached_sockets(void) {
    return cache_used;
}

/* ---------------------------------------------------------- MIGRATE */

typedef struct migrate_args {
    int copy, replace;
    sds user, pass;   /* borrowed from argv; NULL when not given */
    int first_key, num_keys;
    long long dbid, timeout_ms;
} migrate_args;

/* What one attempt ended with: done (replied), or retry once on a fresh
 * socket (a cached one the target closed is the common case). */
enum { MIGRATE_DONE, MIGRATE_RETRY };

/* Options after the timeout, then the numbers. Replies and returns -1 on
 * error. KEYS ends the options: everything after it is a key. */
static int migrate_parse(client *c, migrate_args *a) {
    memset(a, 0, sizeof(*a));
    a->first_key = 3;
    a->num_keys = 1;
    for (int j = 6; j < c->argc; j++) {
        int more = c->argc - j - 1;
        const char *opt = c->argv[j];
        if (strcasecmp(opt, "copy") == 0) {
            a->copy = 1;
        } else if (strcasecmp(opt, "replace") == 0) {
            a->replace = 1;
        } else if (strcasecmp(opt, "auth") == 0 && more >= 1) {
            a->pass = c->argv[++j];
        } else if (strcasecmp(opt, "auth2") == 0 && more >= 2) {
            a->user = c->argv[++j];
            a->pass = c->argv[++j];
        } else if (strcasecmp(opt, "keys") == 0) {
            if (sds_len(c->argv[3]) != 0) {
                reply_error(c, "When using MIGRATE KEYS option, the key argument must be set to the empty string");
                return -1;
            }
            a->first_key = j + 1;
            a->num_keys = c->argc - j - 1;
            break;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    if (!string2ll(c->argv[5], sds_len(c->argv[5]), &a->timeout_ms) ||
        !string2ll(c->argv[4], sds_len(c->argv[4]), &a->dbid)) {
        reply_error_not_integer(c);
        return -1;
    }
    if (a->timeout_ms <= 0) a->timeout_ms = MIGRATE_DEFAULT_TIMEOUT_MS;
    return 0;
}

static sds cat_bulk_cstr(sds s, const char *p) {
    return resp_cat_bulk(s, p, strlen(p));
}

static sds cat_bulk_ll(sds s, long long v) {
    char num[32];
    int len = snprintf(num, sizeof(num), "%lld", v);
    return resp_cat_bulk(s, num, (size_t)len);
}

/* The pipeline of one attempt: AUTH when asked, SELECT when the socket
 * has another database, then RESTORE (RESTORE-ASKING in cluster mode: the
 * target may be importing the slot) per key with its remaining TTL. */
static sds migrate_build(client *c, const migrate_args *a, sds *keys, robj **vals, int n, int select) {
    sds s = sds_empty();
    if (a->pass) {
        s = resp_cat_array_len(s, a->user ? 3 : 2);
        s = cat_bulk_cstr(s, "AUTH");
        if (a->user) s = resp_cat_bulk(s, a->user, sds_len(a->user));
        s = resp_cat_bulk(s, a->pass, sds_len(a->pass));
    }
    if (select) {
        s = resp_cat_array_len(s, 2);
        s = cat_bulk_cstr(s, "SELECT");
        s = cat_bulk_ll(s, a->dbid);
    }
    for (int j = 0; j < n; j++) {
        long long ttl = 0, when = db_get_expire(c->db, keys[j]);
        if (when != -1) {
            ttl = when - db_now_ms();
            if (ttl < 1) ttl = 1; /* 0 would mean "no TTL" to RESTORE */
        }
        sds payload = rdb_dump_payload(vals[j]);
        s = resp_cat_array_len(s, a->replace ? 5 : 4);
        s = cat_bulk_cstr(s, cluster ? "RESTORE-ASKING" : "RESTORE");
        s = resp_cat_bulk(s, keys[j], sds_len(keys[j]));
        s = cat_bulk_ll(s, ttl);
        s = resp_cat_bulk(s, payload, sds_len(payload));
        if (a->replace) s = cat_bulk_cstr(s, "REPLACE");
        sds_free(payload);
    }
    return s;
}

/* A socket error: the socket is closed (the next MIGRATE reconnects);
 * retried once unless it timed out, else reported. */
static int migrate_io_failed(client *c, enum migrate_io io, int may_retry, const char *doing) {
    conn_forget(c->argv[1], c->argv[2]);
    if (io != MIO_TIMEOUT && may_retry) return MIGRATE_RETRY;
    reply_error_format(c, MIGRATE_ERR_IO, doing);
    return MIGRATE_DONE;
}

/* A key the target acknowledged leaves this node (unless COPY). */
static void migrate_delete(client *c, const sds key) {
    db_delete_maybe_lazy(c->db, key, cfg.lazyfree_lazy_server_del);
    db_signal_modified(c->db, key);
    notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db_id);
    db_dirty(1);
}

/* Reads the RESTORE replies. The first error of the target (AUTH's or
 * SELECT's when those failed) is relayed once; every key acknowledged is
 * deleted here (unless COPY) even when others failed, and those deletions
 * are the command's effect: DEL of the moved keys, for replicas and the
 * AOF. A socket error before any reply is retried (nothing was done);
 * after some replies it is reported, keeping what was done. */
static int migrate_read_replies(client *c, const migrate_args *a, migrate_conn *mc, sds *keys, int n,
                                const char *target_err, int may_retry) {
    int target_failed = 0, j;
    enum migrate_io io = MIO_OK;
    sds *del = a->copy ? NULL : zmalloc(sizeof(sds) * (size_t)(n + 1));
    int ndel = 0;
    char line[MIGRATE_LINE_MAX];
    for (j = 0; j < n; j++) {
        io = mio_read_line(mc, line, sizeof(line), a->timeout_ms);
        if (io != MIO_OK) break;
        const char *err = target_err ? target_err : line[0] == '-' ? line : NULL;
        if (err) {
            if (!target_failed) {
                mc->last_dbid = -1; /* the target's state is unknown now */
                target_failed = 1;
                reply_error_format(c, "Target instance replied with error: %s", err + 1);
            }
        } else if (!a->copy) {
            migrate_delete(c, keys[j]);
            del[++ndel] = sds_dup(keys[j]);
        }
    }
    if (io != MIO_OK && !target_failed && j == 0 && may_retry && io != MIO_TIMEOUT) {
        zfree(del);
        return migrate_io_failed(c, io, may_retry, "reading");
    }
    if (io != MIO_OK) conn_forget(c->argv[1], c->argv[2]);
    if (ndel > 0) {
        del[0] = sds_new("DEL");
        prop_replace(c, ndel + 1, del);
    } else {
        zfree(del);
    }
    if (target_failed) return MIGRATE_DONE;
    if (io != MIO_OK) {
        reply_error_format(c, MIGRATE_ERR_IO, "reading");
        return MIGRATE_DONE;
    }
    mc->last_dbid = a->dbid;
    reply_ok(c);
    return MIGRATE_DONE;
}

/* One try: get the socket, send everything, read the replies. */
static int migrate_attempt(client *c, const migrate_args *a, sds *keys, robj **vals, int n, int may_retry) {
    migrate_conn *mc = conn_get(c, c->argv[1], c->argv[2], a->timeout_ms);
    if (mc == NULL) return MIGRATE_DONE;
    int select = mc->last_dbid != a->dbid;
    sds buf = migrate_build(c, a, keys, vals, n, select);
    enum migrate_io io = mio_write(mc->fd, buf, sds_len(buf), a->timeout_ms);
    sds_free(buf);
    if (io != MIO_OK) return migrate_io_failed(c, io, may_retry, "writing");

    char auth_line[MIGRATE_LINE_MAX], select_line[MIGRATE_LINE_MAX];
    if (a->pass && (io = mio_read_line(mc, auth_line, sizeof(auth_line), a->timeout_ms)) != MIO_OK)
        return migrate_io_failed(c, io, may_retry, "reading");
    if (select && (io = mio_read_line(mc, select_line, sizeof(select_line), a->timeout_ms)) != MIO_OK)
        return migrate_io_failed(c, io, may_retry, "reading");
    const char *target_err = NULL;
    if (a->pass && auth_line[0] == '-') target_err = auth_line;
    else if (select && select_line[0] == '-') target_err = select_line;
    return migrate_read_replies(c, a, mc, keys, n, target_err, may_retry);
}

/* MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
 *   [AUTH password] [AUTH2 username password] [KEYS key [key ...]]
 * "+NOKEY" when none of the keys exists here. */
static void migrate_command(client *c) {
    migrate_args a;
    if (migrate_parse(c, &a) == -1) return;
    /* Bounded so deadlines never overflow (about 31 years). */
    if (a.timeout_ms > 1000000000000LL) a.timeout_ms = 1000000000000LL;
    sds *keys = zmalloc(sizeof(sds) * (size_t)(a.num_keys + 1));
    robj **vals = zmalloc(sizeof(robj *) * (size_t)(a.num_keys + 1));
    int n = 0;
    for (int j = 0; j < a.num_keys; j++) {
        sds key = c->argv[a.first_key + j];
        robj *o = db_lookup_read(c->db, key);
        if (o == NULL) continue;
        keys[n] = key;
        vals[n++] = o;
    }
    if (n == 0) {
        reply_status(c, "NOKEY");
    } else if (migrate_attempt(c, &a, keys, vals, n, 1) == MIGRATE_RETRY) {
        migrate_attempt(c, &a, keys, vals, n, 0);
    }
    zfree(keys);
    zfree(vals);
}

/* MIGRATE's keys as Redis 7.0 finds them: its key specs first, where the
 * KEYS keyword is searched backwards from the second-to-last argument
 * (KEYS as the last argument names no key: the key is argv[3]); when the
 * keyword is there, the spec is incomplete and Redis asks the command's
 * own finder, which skips AUTH / AUTH2 arguments and finds no key at all
 * when KEYS comes with a non-empty key argument. */
static int migrate_getkeys(sds *argv, int argc, int *idx, int *flags) {
    int first = 3, num = 1, keyword = 0;
    for (int i = argc - 2; i >= 1 && !keyword; i--) keyword = strcasecmp(argv[i], "keys") == 0;
    for (int i = 6; keyword && i < argc; i++) {
        if (strcasecmp(argv[i], "auth") == 0) {
            i++;
        } else if (strcasecmp(argv[i], "auth2") == 0) {
            i += 2;
        } else if (strcasecmp(argv[i], "keys") == 0) {
            if (sds_len(argv[3]) > 0) return 0;
            first = i + 1;
            num = argc - first;
            break;
        }
    }
    for (int j = 0; j < num; j++) {
        idx[j] = first + j;
        flags[j] = KS_RW | KS_ACCESS | KS_DELETE;
    }
    return num;
}

/* ---------------------------------------------------------- table */

#define MIGRATE_KS_FLAGS (KS_RW | KS_ACCESS | KS_DELETE)

redis_command migrate_commands[] = {
    {.name = "migrate", .proc = migrate_command, .arity = -6, .flags = CMD_WRITE | CMD_MOVABLE_KEYS,
     .acl = ACL_KEYSPACE | ACL_DANGEROUS, .first_key = 3, .last_key = 3, .key_step = 1,
     .key_specs = {{.flags = MIGRATE_KS_FLAGS, .begin_index = 3, .keystep = 1},
                   {.flags = MIGRATE_KS_FLAGS | KS_INCOMPLETE, .bs_keyword = "KEYS", .bs_startfrom = -2,
                    .lastkey = -1, .keystep = 1}},
     .getkeys = migrate_getkeys, .tips = "nondeterministic_output", .group = "generic", .since = "2.6.0",
     .summary = "Atomically transfer a key from a Redis instance to another one.",
     .complexity = "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target "
                   "instance. See the pages of these commands for time complexity. Also an O(N) data transfer "
                   "between the two instances is performed."},
    {.name = "restore-asking", .proc = restore_command, .arity = -4, .flags = CMD_WRITE | CMD_DENYOOM | CMD_ASKING,
     .acl = ACL_KEYSPACE | ACL_DANGEROUS, .first_key = 1, .last_key = 1, .key_step = 1,
     .ks_flags = KS_OW | KS_UPDATE, .group = "server", .since = "3.0.0",
     .summary = "An internal command for migrating keys in a cluster",
     .complexity = RESTORE_COMPLEXITY},
    {0}};
