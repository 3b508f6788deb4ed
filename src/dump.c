/* dump.c -- DUMP and RESTORE: one value to and from Redis's serialization
 * (the RDB encoding of the value, the 2-byte RDB version, a CRC64), so a
 * value moves between minired and Redis 7.0 in either direction.
 *
 * Owns no state. The payload format is rdb.c's (rdb_dump_payload,
 * rdb_restore_payload); this file owns the commands' argument rules, their
 * error texts and order of checks, and their changes (keyspace event
 * "restore", the dirty counter, the effect with an absolute TTL), all as
 * Redis 7.0 does them. A payload is never trusted: a bad one is refused
 * with an error, never a crash. */
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "log.h"
#include "notify.h"
#include "propagate.h"
#include "rdb.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

#define RESTORE_CHECKSUM_ERR "DUMP payload version or checksum are wrong"
#define RESTORE_FREQ_MAX 255

/* ---------------------------------------------------------- DUMP */

static void dump_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    sds payload = rdb_dump_payload(o);
    reply_bulk_sds(c, payload);
    sds_free(payload);
}

/* ---------------------------------------------------------- RESTORE */

typedef struct restore_opts {
    int replace, absttl;
    long long idle_s;  /* -1: not given */
    long long freq;    /* -1: not given */
} restore_opts;

/* Parses the options after the payload. Replies and returns -1 on error.
 * IDLETIME and FREQ exclude each other (a syntax error, as in Redis). */
static int restore_parse_opts(client *c, restore_opts *o) {
    o->replace = o->absttl = 0;
    o->idle_s = o->freq = -1;
    for (int j = 4; j < c->argc; j++) {
        int more = j + 1 < c->argc;
        const char *a = c->argv[j];
        if (strcasecmp(a, "replace") == 0) {
            o->replace = 1;
        } else if (strcasecmp(a, "absttl") == 0) {
            o->absttl = 1;
        } else if (strcasecmp(a, "idletime") == 0 && more && o->freq == -1) {
            if (!string2ll(c->argv[j + 1], sds_len(c->argv[j + 1]), &o->idle_s)) {
                reply_error_not_integer(c);
                return -1;
            }
            if (o->idle_s < 0) {
                reply_error(c, "Invalid IDLETIME value, must be >= 0");
                return -1;
            }
            j++;
        } else if (strcasecmp(a, "freq") == 0 && more && o->idle_s == -1) {
            if (!string2ll(c->argv[j + 1], sds_len(c->argv[j + 1]), &o->freq)) {
                reply_error_not_integer(c);
                return -1;
            }
            if (o->freq < 0 || o->freq > RESTORE_FREQ_MAX) {
                reply_error(c, "Invalid FREQ value, must be >= 0 and <= 255");
                return -1;
            }
            j++;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    return 0;
}

/* Whether to validate every entry of packed encodings. "clients" spares
 * the internal callers that replay what already ran once (the AOF
 * loader, a primary's link: the socketless clients), as Redis spares the
 * loader and its primary. */
static int restore_deep_check(const client *c) {
    switch (cfg.sanitize_dump_payload) {
    case SANITIZE_DUMP_YES: return 1;
    case SANITIZE_DUMP_CLIENTS: return !(c->flags & CLIENT_NO_SOCKET);
    default: return 0;
    }
}

/* Decodes argv[3] into a new object, or replies the error and returns
 * NULL: a wrong version or checksum has its own text, anything the
 * decoder refuses is "Bad data format" (the reason goes to the log). */
static robj *restore_decode(client *c) {
    sds err = NULL;
    robj *o = rdb_restore_payload(c->argv[3], sds_len(c->argv[3]), restore_deep_check(c), &err);
    if (o) return o;
    if (err && strcmp(err, RESTORE_CHECKSUM_ERR) == 0) {
        reply_error(c, RESTORE_CHECKSUM_ERR);
    } else {
        log_verbose("RESTORE refused a payload: %s", err ? err : "bad data");
        reply_error(c, "Bad data format");
    }
    sds_free(err);
    return NULL;
}

/* The effect of a RESTORE with a relative TTL: the same command with the
 * absolute expiry (unix ms) and ABSTTL appended, as Redis rewrites it. */
static void restore_propagate_absttl(client *c, long long when_ms) {
    sds *argv = zmalloc(sizeof(sds) * (size_t)(c->argc + 1));
    for (int j = 0; j < c->argc; j++) argv[j] = j == 2 ? sds_from_ll(when_ms) : sds_dup(c->argv[j]);
    argv[c->argc] = sds_new("ABSTTL");
    prop_replace(c, c->argc + 1, argv);
}

/* The value is already expired: nothing is added; a key REPLACE removed
 * is a deletion, propagated as DEL (Redis 7.0 writes DEL even under
 * lazyfree-lazy-server-del). */
static void restore_expired(client *c, robj *o, int deleted) {
    obj_decr_refcount(o);
    if (deleted) {
        prop_replacef(c, "cs", "DEL", c->argv[1]);
        db_signal_modified(c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[1], c->db_id);
        db_dirty(1);
    } else {
        prop_prevent(c);
    }
    reply_ok(c);
}

/* RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f].
 * Checks in Redis's order: options, an existing key (BUSYKEY), the TTL,
 * then the payload. A relative TTL is propagated as an absolute one
 * (ABSTTL appended), so a replica or the AOF gets the same expiry. */
void restore_command(client *c) {
    restore_opts opt;
    if (restore_parse_opts(c, &opt) == -1) return;
    sds key = c->argv[1];
    if (!opt.replace && db_lookup_write(c->db, key) != NULL) {
        reply_error(c, "-BUSYKEY Target key name already exists.");
        return;
    }
    long long ttl;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &ttl)) {
        reply_error_not_integer(c);
        return;
    }
    if (ttl < 0) {
        reply_error(c, "Invalid TTL value, must be >= 0");
        return;
    }
    robj *o = restore_decode(c);
    if (o == NULL) return;

    int deleted = opt.replace && db_delete(c->db, key);
    /* A relative TTL that overflows wraps negative, so it reads as
     * expired, as in Redis (computed unsigned: no undefined overflow). */
    if (ttl && !opt.absttl) ttl = (long long)((unsigned long long)ttl + (unsigned long long)db_now_ms());
    /* The loader and a primary's link add the key anyway: it expires
     * there as it did where the command first ran. */
    if (ttl && db_expire_time_passed(ttl) && !(c->flags & CLIENT_NO_SOCKET)) {
        restore_expired(c, o, deleted);
        return;
    }
    db_add(c->db, key, o);
    if (ttl) {
        db_set_expire(c->db, key, ttl);
        if (!opt.absttl) restore_propagate_absttl(c, ttl);
    }
    db_set_loaded_access(o, opt.idle_s, (int)opt.freq);
    db_signal_modified(c->db, key);
    notify_keyspace_event(NOTIFY_GENERIC, "restore", key, c->db_id);
    db_dirty(1);
    reply_ok(c);
}

/* ---------------------------------------------------------- table */

redis_command dump_commands[] = {
    {.name = "dump", .proc = dump_command, .arity = 2, .flags = CMD_READONLY, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS,
     .tips = "nondeterministic_output", .group = "generic", .since = "2.6.0",
     .summary = "Return a serialized version of the value stored at the specified key.",
     .complexity = "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis "
                   "objects composing the value and M their average size. For small string values the time "
                   "complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."},
    {.name = "restore", .proc = restore_command, .arity = -4, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_KEYSPACE | ACL_DANGEROUS, .first_key = 1, .last_key = 1, .key_step = 1,
     .ks_flags = KS_OW | KS_UPDATE, .group = "generic", .since = "2.6.0",
     .summary = "Create a key using the provided serialized value, previously obtained using DUMP.",
     .complexity = RESTORE_COMPLEXITY},
    {0}};
