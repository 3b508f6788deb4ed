/* keyspace.c -- generic key commands: TYPE, RENAME, RENAMENX, COPY, MOVE,
 * SWAPDB, TOUCH, UNLINK, KEYS, SCAN, RANDOMKEY.
 *
 * Owns nothing but handlers: every change to a database goes through db.c.
 * Never shows an expired key: KEYS checks each key's time, SCAN and
 * RANDOMKEY delete the expired keys they meet. A handler validates every
 * argument before it changes anything. Each write reports one change
 * (dirty counter), signals every key it touched and emits Redis 7.0's
 * events, in its order; all are replayed as given (the effect is the
 * command itself). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "cluster.h"
#include "commands.h"
#include "db.h"
#include "notify.h"
#include "reply.h"
#include "scan.h"
#include "util.h"
#include "zmalloc.h"

/* Expired keys RANDOMKEY deletes before it stops drawing at random and
 * looks for a live key in order: the command stays O(1) in the usual case
 * and bounded when most keys have just expired. */
#define RANDOMKEY_MAX_EXPIRED 100

/* Parses a DB index like Redis's getIntFromObjectOrReply; on error
 * replies err if given, else Redis's text for a non-integer or for one
 * outside the int range, and returns -1. */
static int keyspace_parse_int(client *c, const sds arg, int *out, const char *err) {
    long long v;
    int is_ll = string2ll(arg, sds_len(arg), &v);
    if (is_ll && v >= INT_MIN && v <= INT_MAX) {
        *out = (int)v;
        return 0;
    }
    if (err) reply_error(c, err);
    else if (!is_ll) reply_error_not_integer(c);
    else reply_error(c, "value is out of range, value must between -2147483648 and 2147483647");
    return -1;
}

static int keyspace_valid_db(int id) {
    return id >= 0 && id < server.dbnum;
}

/* Returns a new deep copy of value o (COPY). An integer string is copied
 * unshared, as Redis does (OBJECT REFCOUNT of the copy is 1). */
static robj *keyspace_dup_value(const robj *o) {
    if (o->type == OBJ_STRING && o->encoding == OBJ_ENCODING_INT)
        return obj_create_string_from_ll_unshared((long long)(intptr_t)o->ptr);
    return obj_dup(o);
}

/* ---------------------------------------------------------- TYPE TOUCH UNLINK */

static void type_command(client *c) {
    robj *o = db_lookup(c->db, c->argv[1], DB_LOOKUP_NOTOUCH);
    reply_status(c, o ? obj_type_name(o) : "none");
}

static void touch_command(client *c) {
    long long n = 0;
    for (int i = 1; i < c->argc; i++)
        if (db_lookup_read(c->db, c->argv[i])) n++;
    reply_integer(c, n);
}

static void unlink_command(client *c) {
    db_del_generic(c, 1);
}

/* ---------------------------------------------------------- RENAME COPY MOVE */

/* RENAME (nx 0) and RENAMENX (nx 1): the value object moves, with its
 * TTL and access data. */
static void rename_generic(client *c, int nx) {
    sds src = c->argv[1], dst = c->argv[2];
    int same = sds_cmp(src, dst) == 0;
    robj *o = db_lookup_write(c->db, src);
    if (o == NULL) {
        reply_error(c, "no such key");
        return;
    }
    if (same) {
        if (nx) reply_integer(c, 0);
        else reply_ok(c);
        return;
    }
    long long when = db_get_expire(c->db, src);
    if (db_lookup_write(c->db, dst)) {
        if (nx) {
            reply_integer(c, 0);
            return;
        }
        db_delete_maybe_lazy(c->db, dst, cfg.lazyfree_lazy_server_del);
    }
    obj_incr_refcount(o);
    db_add_moved(c->db, dst, o);
    if (when != -1) db_set_expire(c->db, dst, when);
    db_delete(c->db, src); /* drops the reference we took above */
    db_signal_modified(c->db, src);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_from", src, c->db_id);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_to", dst, c->db_id);
    db_dirty(1);
    if (nx) reply_integer(c, 1);
    else reply_ok(c);
}

static void rename_command(client *c) {
    rename_generic(c, 0);
}

static void renamenx_command(client *c) {
    rename_generic(c, 1);
}

/* COPY source destination [DB destination-db] [REPLACE] */
static void copy_command(client *c) {
    int replace = 0, dst_id = c->db_id;
    for (int i = 3; i < c->argc; i++) {
        if (strcasecmp(c->argv[i], "replace") == 0) {
            replace = 1;
        } else if (strcasecmp(c->argv[i], "db") == 0 && i + 1 < c->argc) {
            if (keyspace_parse_int(c, c->argv[++i], &dst_id, NULL) < 0) return;
            if (!keyspace_valid_db(dst_id)) {
                reply_error(c, "DB index is out of range");
                return;
            }
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    if (cluster && (dst_id != 0 || c->db_id != 0)) {
        reply_error(c, "Copying to another database is not allowed in cluster mode");
        return;
    }
    db *dst = &server.dbs[dst_id];
    sds key = c->argv[1], newkey = c->argv[2];
    if (dst == c->db && sds_cmp(key, newkey) == 0) {
        reply_error(c, "source and destination objects are the same");
        return;
    }
    robj *o = db_lookup_read(c->db, key);
    if (o == NULL) {
        reply_integer(c, 0);
        return;
    }
    long long when = db_get_expire(c->db, key);
    if (db_lookup_write(dst, newkey)) {
        if (!replace) {
            reply_integer(c, 0);
            return;
        }
        db_delete_maybe_lazy(dst, newkey, cfg.lazyfree_lazy_server_del);
    }
    db_add(dst, newkey, keyspace_dup_value(o));
    if (when != -1) db_set_expire(dst, newkey, when);
    notify_keyspace_event(NOTIFY_GENERIC, "copy_to", newkey, dst_id);
    db_dirty(1);
    reply_integer(c, 1);
}

static void move_command(client *c) {
    int dst_id;
    if (cluster) {
        reply_error(c, "MOVE is not allowed in cluster mode");
        return;
    }
    if (keyspace_parse_int(c, c->argv[2], &dst_id, NULL) < 0) return;
    if (!keyspace_valid_db(dst_id)) {
        reply_error(c, "DB index is out of range");
        return;
    }
    db *src = c->db, *dst = &server.dbs[dst_id];
    if (src == dst) {
        reply_error(c, "source and destination objects are the same");
        return;
    }
    sds key = c->argv[1];
    robj *o = db_lookup_write(src, key);
    if (o == NULL || db_lookup_write(dst, key)) {
        reply_integer(c, 0);
        return;
    }
    long long when = db_get_expire(src, key);
    obj_incr_refcount(o);
    db_add_moved(dst, key, o);
    if (when != -1) db_set_expire(dst, key, when);
    db_delete(src, key); /* drops the reference we took above */
    db_signal_modified(src, key);
    notify_keyspace_event(NOTIFY_GENERIC, "move_from", key, src->id);
    notify_keyspace_event(NOTIFY_GENERIC, "move_to", key, dst_id);
    db_dirty(1);
    reply_integer(c, 1);
}

static void swapdb_command(client *c) {
    int a, b;
    if (cluster) {
        reply_error(c, "SWAPDB is not allowed in cluster mode");
        return;
    }
    if (keyspace_parse_int(c, c->argv[1], &a, "invalid first DB index") < 0) return;
    if (keyspace_parse_int(c, c->argv[2], &b, "invalid second DB index") < 0) return;
    if (!keyspace_valid_db(a) || !keyspace_valid_db(b)) {
        reply_error(c, "DB index is out of range");
        return;
    }
    if (a != b) db_swap(a, b);
    db_dirty(1); /* even a database swapped with itself, as in Redis */
    reply_ok(c);
}

/* ---------------------------------------------------------- KEYS RANDOMKEY */

static void keys_command(client *c) {
    sds pat = c->argv[1];
    int plen = (int)sds_len(pat);
    int all = plen == 1 && pat[0] == '*';
    void *len = reply_deferred_len(c);
    long n = 0;
    dict_iterator it;
    dict_entry *de;
    /* Nothing below changes c->db->keys (expired keys are only skipped),
     * so the cheap non-safe iterator will do. */
    dict_init_iterator(&it, c->db->keys);
    while ((de = dict_next(&it)) != NULL) {
        sds key = dict_get_key(de);
        if (!all && !string_match_len(pat, plen, key, (int)sds_len(key), 0)) continue;
        if (db_is_expired(c->db, key)) continue;
        reply_bulk_sds(c, key);
        n++;
    }
    dict_reset_iterator(&it);
    reply_set_deferred_array_len(c, len, n);
}

/* The first live key in table order, or NULL (RANDOMKEY's fallback). */
static sds keyspace_first_live_key(db *d) {
    dict_iterator it;
    dict_entry *de;
    sds found = NULL;
    dict_init_iterator(&it, d->keys);
    while ((de = dict_next(&it)) != NULL) {
        if (!db_is_expired(d, dict_get_key(de))) {
            found = dict_get_key(de);
            break;
        }
    }
    dict_reset_iterator(&it);
    return found;
}

static void randomkey_command(client *c) {
    db *d = c->db;
    for (int deleted = 0; deleted < RANDOMKEY_MAX_EXPIRED; deleted++) {
        dict_entry *de = dict_get_fair_random_key(d->keys);
        if (de == NULL) {
            reply_null(c);
            return;
        }
        sds key = dict_get_key(de);
        if (!db_is_expired(d, key)) {
            reply_bulk_sds(c, key);
            return;
        }
        db_expire_if_needed(d, key); /* stays while a pause is on */
    }
    sds key = keyspace_first_live_key(d);
    if (key) reply_bulk_sds(c, key);
    else reply_null(c);
}

/* ---------------------------------------------------------- SCAN */

/* SCAN's filter after MATCH: TYPE, and expiry (an expired key is deleted
 * here, its entry with it: it is not read again). */
static int scan_keep_key(client *c, const dict_entry *de, void *ctx) {
    const struct scan_opts *o = ctx;
    sds key = dict_get_key(de);
    if (o->type) {
        /* A lookup of the dict's own sds would free it on expiry and then
         * report the keymiss with it: look up a copy. */
        sds copy = sds_dup(key);
        robj *v = db_lookup(c->db, copy, DB_LOOKUP_NOTOUCH);
        sds_free(copy);
        return v && strcasecmp(o->type, obj_type_name(v)) == 0;
    }
    return !db_expire_if_needed(c->db, key);
}

static void scan_reply_key(client *c, const dict_entry *de, void *ctx) {
    (void)ctx;
    reply_bulk_sds(c, dict_get_key(de));
}

static void scan_command(client *c) {
    unsigned long cursor;
    struct scan_opts o;
    if (scan_parse_cursor(c, c->argv[1], &cursor) < 0) return;
    if (scan_parse_opts(c, 2, 1, &o) < 0) return;
    scan_dict(c, c->db->keys, cursor, &o, 1, scan_keep_key, scan_reply_key, &o);
}

/* ---------------------------------------------------------- table */

redis_command keyspace2_commands[] = {
    {.name = "type", .proc = type_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO, .group = "generic", .since = "1.0.0",
     .summary = "Determine the type stored at key", .complexity = "O(1)"},
    /* RENAME, RENAMENX and COPY have a second key spec in Redis (the
     * destination: OW UPDATE / OW INSERT / OW UPDATE) that the one-spec
     * table entry cannot express yet. */
    {.name = "rename", .proc = rename_command, .arity = 3, .flags = CMD_WRITE, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_OW | KS_UPDATE, .begin_index = 2, .keystep = 1}},
     .group = "generic",
     .since = "1.0.0", .summary = "Rename a key", .complexity = "O(1)"},
    {.name = "renamenx", .proc = renamenx_command, .arity = 3, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = {{.flags = KS_RW | KS_ACCESS | KS_DELETE, .begin_index = 1, .keystep = 1},
                   {.flags = KS_OW | KS_INSERT, .begin_index = 2, .keystep = 1}},
     .group = "generic",
     .since = "1.0.0", .summary = "Rename a key, only if the new key does not exist", .complexity = "O(1)"},
    {.name = "copy", .proc = copy_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = {{.flags = KS_RO | KS_ACCESS, .begin_index = 1, .keystep = 1},
                   {.flags = KS_OW | KS_UPDATE, .begin_index = 2, .keystep = 1}},
     .group = "generic",
     .since = "6.2.0", .summary = "Copy a key",
     .complexity = "O(N) worst case for collections, where N is the number of nested items. O(1) for string "
                   "values."},
    {.name = "move", .proc = move_command, .arity = 3, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "generic",
     .since = "1.0.0", .summary = "Move a key to another database", .complexity = "O(1)"},
    {.name = "swapdb", .proc = swapdb_command, .arity = 3, .flags = CMD_WRITE | CMD_FAST,
     .acl = ACL_KEYSPACE | ACL_DANGEROUS, .group = "server", .since = "4.0.0",
     .summary = "Swaps two Redis databases",
     .complexity = "O(N) where N is the count of clients watching or blocking on keys from both databases."},
    {.name = "touch", .proc = touch_command, .arity = -2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = -1, .key_step = 1, .ks_flags = KS_RO,
     .tips = "request_policy:multi_shard response_policy:agg_sum", .group = "generic", .since = "3.2.1",
     .summary = "Alters the last access time of a key(s). Returns the number of existing keys specified.",
     .complexity = "O(N) where N is the number of keys that will be touched."},
    {.name = "unlink", .proc = unlink_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = -1, .key_step = 1, .ks_flags = KS_RM | KS_DELETE,
     .tips = "request_policy:multi_shard response_policy:agg_sum", .group = "generic", .since = "4.0.0",
     .summary = "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
     .complexity = "O(1) for each key removed regardless of its size. Then the command does O(N) work in a "
                   "different thread in order to reclaim memory, where N is the number of allocations the "
                   "deleted objects where composed of."},
    {.name = "keys", .proc = keys_command, .arity = 2, .flags = CMD_READONLY, .acl = ACL_KEYSPACE | ACL_DANGEROUS,
     .tips = "request_policy:all_shards nondeterministic_output_order", .group = "generic", .since = "1.0.0",
     .summary = "Find all keys matching the given pattern",
     .complexity = "O(N) with N being the number of keys in the database, under the assumption that the key "
                   "names in the database and the given pattern have limited length."},
    {.name = "scan", .proc = scan_command, .arity = -2, .flags = CMD_READONLY, .acl = ACL_KEYSPACE,
     .tips = "nondeterministic_output request_policy:special", .group = "generic", .since = "2.8.0",
     .summary = "Incrementally iterate the keys space",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
                   "cursor to return back to 0. N is the number of elements inside the collection."},
    {.name = "randomkey", .proc = randomkey_command, .arity = 1, .flags = CMD_READONLY, .acl = ACL_KEYSPACE,
     .tips = "request_policy:all_shards nondeterministic_output", .group = "generic", .since = "1.0.0",
     .summary = "Return a random key from the keyspace", .complexity = "O(1)"},
    {0}};
