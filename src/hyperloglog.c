/* hyperloglog.c -- PFADD PFCOUNT PFMERGE PFSELFTEST PFDEBUG.
 *
 * Owns the handlers only: the registers, encodings and estimator live in
 * hll.c. A HyperLogLog is a string key whose bytes hll_check accepts;
 * anything else is refused with Redis's WRONGTYPE text before a change.
 * Key invariant: a value is written in place only when it is a RAW string
 * with a refcount of 1 (Redis's dbUnshareStringValue), and every write
 * leaves the cached cardinality either exact or marked stale, so a
 * one-key PFCOUNT with a valid cache costs a header read. PFCOUNT storing
 * a fresh count is a change as in Redis 7.0 (dirty, modified key, its
 * argv propagated), though the command is read-only. */
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "hll.h"
#include "notify.h"
#include "reply.h"
#include "zmalloc.h"

#define ERR_HLL_NOT_HLL "-WRONGTYPE Key is not a valid HyperLogLog string value."
#define ERR_HLL_CORRUPT "-INVALIDOBJ Corrupted HLL object detected"
#define HLL_SELFTEST_ERR_BYTES 256

/* Replies WRONGTYPE (wrong type, or a string that is no HyperLogLog) and
 * returns 0, or returns 1 when o is a HyperLogLog. INT-encoded strings
 * are never one (Redis checks for an sds encoding first). */
static int hll_check_or_reply(client *c, const robj *o) {
    if (db_check_type(c, o, OBJ_STRING)) return 0;
    if (o->encoding == OBJ_ENCODING_INT || hll_check(o->ptr, sds_len(o->ptr)) != 0) {
        reply_error(c, ERR_HLL_NOT_HLL);
        return 0;
    }
    return 1;
}

/* o itself when only key holds it as a RAW sds, else a RAW copy that
 * replaces it (TTL kept): the value may then be edited in place. */
static robj *hll_unshare(client *c, const sds key, robj *o) {
    if (o->refcount == 1 && o->encoding == OBJ_ENCODING_RAW) return o;
    robj *copy = obj_dup_string_raw(o);
    db_replace_unshared(c->db, key, copy);
    return copy;
}

/* The key's HyperLogLog for writing, created (sparse, empty) when missing
 * (*created = 1). NULL after an error reply. Borrowed reference. */
static robj *hll_lookup_writable(client *c, const sds key, int *created) {
    robj *o = db_lookup_write(c->db, key);
    *created = 0;
    if (o == NULL) {
        o = obj_create_raw_string(hll_create());
        db_add(c->db, key, o);
        *created = 1;
        return o;
    }
    if (!hll_check_or_reply(c, o)) return NULL;
    return hll_unshare(c, key, o);
}

/* ---------------------------------------------------------- PFADD */

static void pfadd_command(client *c) {
    int created;
    robj *o = hll_lookup_writable(c, c->argv[1], &created);
    if (o == NULL) return;
    long long updated = created;
    size_t sparse_max = cfg.hll_sparse_max_bytes;
    for (int j = 2; j < c->argc; j++) {
        sds s = o->ptr;
        int r = hll_add(&s, c->argv[j], sds_len(c->argv[j]), sparse_max);
        o->ptr = s;
        if (r == -1) {
            reply_error(c, ERR_HLL_CORRUPT);
            return;
        }
        updated += r;
    }
    if (updated) {
        hll_cache_invalidate(o->ptr);
        db_signal_modified(c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_STRING, "pfadd", c->argv[1], c->db_id);
        db_dirty(updated);
    }
    reply_integer(c, updated ? 1 : 0);
}

/* ---------------------------------------------------------- PFCOUNT */

/* Several keys: the estimate of their union, from a scratch register
 * array (nothing is written). Missing keys count as empty. */
static void pfcount_union(client *c) {
    uint8_t *max = zcalloc(HLL_REGISTERS);
    for (int j = 1; j < c->argc; j++) {
        robj *o = db_lookup_read(c->db, c->argv[j]);
        if (o == NULL) continue;
        if (!hll_check_or_reply(c, o)) goto done;
        if (hll_merge(max, o->ptr, sds_len(o->ptr)) == -1) {
            reply_error(c, ERR_HLL_CORRUPT);
            goto done;
        }
    }
    reply_integer(c, (long long)hll_count_raw(max));
done:
    zfree(max);
}

static void pfcount_command(client *c) {
    if (c->argc > 2) {
        pfcount_union(c);
        return;
    }
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_integer(c, 0);
        return;
    }
    if (!hll_check_or_reply(c, o)) return;
    o = hll_unshare(c, c->argv[1], o);
    unsigned char *p = o->ptr;
    if (hll_cache_valid(p)) {
        reply_integer(c, (long long)hll_cache_get(p));
        return;
    }
    int invalid = 0;
    uint64_t card = hll_count(p, sds_len(o->ptr), &invalid);
    if (invalid) {
        reply_error(c, ERR_HLL_CORRUPT);
        return;
    }
    /* Storing the count changes the value's bytes: a replica or the AOF
     * must see the same bytes, so it counts and propagates as a write. */
    hll_cache_set(p, card);
    db_signal_modified(c->db, c->argv[1]);
    db_dirty(1);
    reply_integer(c, (long long)card);
}

/* ---------------------------------------------------------- PFMERGE */

/* Raises dest's registers to max (ascending, as Redis does: a sparse
 * destination may be promoted on the way). Returns -1 if corrupt. */
static int pfmerge_apply(robj *dest, const uint8_t *max) {
    size_t sparse_max = cfg.hll_sparse_max_bytes;
    for (long i = 0; i < HLL_REGISTERS; i++) {
        if (max[i] == 0) continue;
        sds s = dest->ptr;
        int r = hll_set(&s, i, max[i], sparse_max);
        dest->ptr = s;
        if (r == -1) return -1;
    }
    return 0;
}

static void pfmerge_command(client *c) {
    uint8_t *max = zcalloc(HLL_REGISTERS);
    int use_dense = 0;
    /* The destination's own registers take part when it exists. */
    for (int j = 1; j < c->argc; j++) {
        robj *o = db_lookup_read(c->db, c->argv[j]);
        if (o == NULL) continue;
        if (!hll_check_or_reply(c, o)) goto done;
        if (hll_encoding(o->ptr) == HLL_DENSE) use_dense = 1;
        if (hll_merge(max, o->ptr, sds_len(o->ptr)) == -1) {
            reply_error(c, ERR_HLL_CORRUPT);
            goto done;
        }
    }
    int created;
    robj *dest = hll_lookup_writable(c, c->argv[1], &created);
    if (dest == NULL) goto done; /* checked above: cannot happen */
    /* A dense input makes a dense result, whatever the register values. */
    if (use_dense) {
        sds s = dest->ptr;
        int r = hll_to_dense(&s);
        dest->ptr = s;
        if (r == -1) {
            reply_error(c, ERR_HLL_CORRUPT);
            goto done;
        }
    }
    if (pfmerge_apply(dest, max) == -1) {
        reply_error(c, ERR_HLL_CORRUPT);
        goto done;
    }
    hll_cache_invalidate(dest->ptr);
    db_signal_modified(c->db, c->argv[1]);
    /* Redis reports a merge as the mass add it is. */
    notify_keyspace_event(NOTIFY_STRING, "pfadd", c->argv[1], c->db_id);
    db_dirty(1);
    reply_ok(c);
done:
    zfree(max);
}

/* ---------------------------------------------------------- PFSELFTEST PFDEBUG */

static void pfselftest_command(client *c) {
    char err[HLL_SELFTEST_ERR_BYTES];
    if (hll_selftest(err, sizeof(err)) == -1) {
        reply_error(c, err);
        return;
    }
    reply_ok(c);
}

/* Converts o to dense for PFDEBUG; a conversion is a change (counted so
 * that the command propagates). Returns 0 after a corrupt-value reply. */
static int pfdebug_make_dense(client *c, robj *o, int *converted) {
    *converted = 0;
    if (hll_encoding(o->ptr) == HLL_DENSE) return 1;
    sds s = o->ptr;
    int r = hll_to_dense(&s);
    o->ptr = s;
    if (r == -1) {
        reply_error(c, ERR_HLL_CORRUPT);
        return 0;
    }
    *converted = 1;
    db_dirty(1);
    return 1;
}

static void pfdebug_getreg(client *c, robj *o) {
    int converted;
    if (!pfdebug_make_dense(c, o, &converted)) return;
    uint8_t *regs = zmalloc(HLL_REGISTERS);
    hll_dense_registers(o->ptr, regs);
    reply_array_len(c, HLL_REGISTERS);
    for (long i = 0; i < HLL_REGISTERS; i++) reply_integer(c, regs[i]);
    zfree(regs);
}

static void pfdebug_command(client *c) {
    const char *sub = c->argv[1];
    robj *o = db_lookup_write(c->db, c->argv[2]);
    if (o == NULL) {
        reply_error(c, "The specified key does not exist");
        return;
    }
    if (!hll_check_or_reply(c, o)) return;
    o = hll_unshare(c, c->argv[2], o);
    if (strcasecmp(sub, "getreg") == 0) {
        pfdebug_getreg(c, o);
    } else if (strcasecmp(sub, "decode") == 0) {
        if (hll_encoding(o->ptr) != HLL_SPARSE) {
            reply_error(c, "HLL encoding is not sparse");
            return;
        }
        sds text = hll_sparse_describe(o->ptr, sds_len(o->ptr));
        reply_bulk_sds(c, text);
        sds_free(text);
    } else if (strcasecmp(sub, "encoding") == 0) {
        reply_status(c, hll_encoding(o->ptr) == HLL_DENSE ? "dense" : "sparse");
    } else if (strcasecmp(sub, "todense") == 0) {
        int converted;
        if (!pfdebug_make_dense(c, o, &converted)) return;
        reply_integer(c, converted);
    } else {
        reply_error_format(c, "Unknown PFDEBUG subcommand '%s'", sub);
    }
}

/* ---------------------------------------------------------- table */

redis_command hll_commands[] = {
    {.name = "pfadd", .proc = pfadd_command, .arity = -2, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_HYPERLOGLOG, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_INSERT,
     .group = "hyperloglog", .since = "2.8.9", .summary = "Adds the specified elements to the specified HyperLogLog.",
     .complexity = "O(1) to add every element."},
    /* Read-only, yet it may store the count it computed (see above):
     * may_replicate, so CLIENT PAUSE WRITE holds it as Redis does. */
    {.name = "pfcount", .proc = pfcount_command, .arity = -2, .flags = CMD_READONLY | CMD_MAY_REPLICATE,
     .acl = ACL_HYPERLOGLOG,
     .first_key = 1, .last_key = -1, .key_step = 1, .ks_flags = KS_RW | KS_ACCESS,
     .ks_notes = "RW because it may change the internal representation of the key, and propagate to replicas",
     .group = "hyperloglog", .since = "2.8.9",
     .summary = "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
     .complexity = "O(1) with a very small average constant time when called with a single key. O(N) with N "
                   "being the number of keys, and much bigger constant times, when called with multiple keys."},
    {.name = "pfmerge", .proc = pfmerge_command, .arity = -2, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_HYPERLOGLOG, .first_key = 1, .last_key = -1, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_INSERT, .begin_index = 1, .keystep = 1},
                   {.flags = KS_RO | KS_ACCESS, .begin_index = 2, .lastkey = -1, .keystep = 1}},
     .group = "hyperloglog", .since = "2.8.9", .summary = "Merge N different HyperLogLogs into a single one.",
     .complexity = "O(N) to merge N HyperLogLogs, but with high constant times."},
    {.name = "pfselftest", .proc = pfselftest_command, .arity = 1, .flags = CMD_ADMIN,
     .acl = ACL_HYPERLOGLOG | ACL_DANGEROUS, .group = "hyperloglog", .since = "2.8.9",
     .summary = "An internal command for testing HyperLogLog values", .complexity = "N/A"},
    {.name = "pfdebug", .proc = pfdebug_command, .arity = 3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_ADMIN,
     .acl = ACL_HYPERLOGLOG | ACL_DANGEROUS, .first_key = 2, .last_key = 2, .key_step = 1,
     .ks_flags = KS_RW | KS_ACCESS, .group = "hyperloglog", .since = "2.8.9",
     .summary = "Internal commands for debugging HyperLogLog values", .complexity = "N/A"},
    {0},
};
