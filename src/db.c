/* db.c -- databases, key lookup with lazy expiry, and the generic keyspace
 * commands of the foundation (SELECT, DEL, EXISTS, DBSIZE, FLUSHDB,
 * FLUSHALL).
 *
 * Owns server.dbs and the keyspace hit/miss/expired counters. Invariant:
 * a key in `expires` is always in `keys`, and shares its sds (only `keys`
 * frees it); no lookup ever returns a key whose time has passed. */
#include "db.h"

#include <string.h>
#include <strings.h>

#include "commands.h"
#include "monotonic.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

/* Milliseconds of rehashing per database per cron tick. */
#define DB_CRON_REHASH_MS 1

static uint64_t db_key_hash(const void *key) {
    return dict_gen_hash_function(key, sds_len((sds)key));
}

static int db_key_compare(dict *d, const void *a, const void *b) {
    (void)d;
    size_t la = sds_len((sds)a);
    return la == sds_len((sds)b) && memcmp(a, b, la) == 0;
}

static void db_key_free(dict *d, void *key) {
    (void)d;
    sds_free(key);
}

static void db_val_free(dict *d, void *val) {
    (void)d;
    obj_decr_refcount(val);
}

static dict_type keyspace_type = {
    .hash = db_key_hash,
    .key_compare = db_key_compare,
    .key_destructor = db_key_free,
    .val_destructor = db_val_free,
};

static dict_type expires_type = {
    .hash = db_key_hash,
    .key_compare = db_key_compare,
};

void db_init(int n) {
    server.dbs = zcalloc(sizeof(db) * (size_t)n);
    server.dbnum = n;
    for (int i = 0; i < n; i++) {
        server.dbs[i].keys = dict_create(&keyspace_type);
        server.dbs[i].expires = dict_create(&expires_type);
        server.dbs[i].id = i;
    }
}

long long db_now_ms(void) {
    if (server.cmd_time_ms == 0) server.cmd_time_ms = mstime();
    return server.cmd_time_ms;
}

long long db_get_expire(db *d, const sds key) {
    if (dict_size(d->expires) == 0) return -1;
    dict_entry *de = dict_find(d->expires, key);
    return de ? dict_get_signed_int_val(de) : -1;
}

/* Deletes key if its time has passed; returns 1 if it did. */
static int db_expire_if_needed(db *d, const sds key) {
    long long when = db_get_expire(d, key);
    if (when < 0 || when > db_now_ms()) return 0;
    db_delete(d, key);
    server.stat_expired_keys++;
    return 1;
}

robj *db_lookup_write(db *d, const sds key) {
    db_expire_if_needed(d, key);
    dict_entry *de = dict_find(d->keys, key);
    return de ? dict_get_val(de) : NULL;
}

robj *db_lookup_read(db *d, const sds key) {
    robj *o = db_lookup_write(d, key);
    if (o) server.stat_keyspace_hits++;
    else server.stat_keyspace_misses++;
    return o;
}

void db_add(db *d, const sds key, robj *val) {
    dict_add(d->keys, sds_dup(key), val);
}

void db_set_key(db *d, const sds key, robj *val, int keep_ttl) {
    dict_entry *existing;
    dict_entry *de = dict_add_raw(d->keys, (void *)key, &existing);
    if (de) {
        /* dict_add_raw stored our borrowed pointer: give it its own copy. */
        dict_set_key(d->keys, de, sds_dup(key));
        dict_set_val(d->keys, de, val);
        return;
    }
    robj *old = dict_get_val(existing);
    dict_set_val(d->keys, existing, val);
    obj_decr_refcount(old);
    if (!keep_ttl && dict_size(d->expires)) dict_delete(d->expires, key);
}

int db_delete(db *d, const sds key) {
    if (dict_size(d->expires)) dict_delete(d->expires, key);
    return dict_delete(d->keys, key) == DICT_OK;
}

void db_set_expire(db *d, const sds key, long long when_ms) {
    dict_entry *kde = dict_find(d->keys, key);
    if (kde == NULL) return;
    dict_entry *de = dict_add_or_find(d->expires, dict_get_key(kde));
    dict_set_signed_int_val(de, when_ms);
}

unsigned long db_size(const db *d) {
    return dict_size(d->keys);
}

long long db_empty(int dbnum) {
    long long removed = 0;
    int start = dbnum < 0 ? 0 : dbnum, end = dbnum < 0 ? server.dbnum - 1 : dbnum;
    for (int i = start; i <= end; i++) {
        db *d = &server.dbs[i];
        removed += (long long)dict_size(d->keys);
        dict_empty(d->expires, NULL);
        dict_empty(d->keys, NULL);
    }
    return removed;
}

void db_cron_rehash(void) {
    for (int i = 0; i < server.dbnum; i++) {
        db *d = &server.dbs[i];
        if (dict_is_rehashing(d->keys)) dict_rehash_ms(d->keys, DB_CRON_REHASH_MS);
        if (dict_is_rehashing(d->expires)) dict_rehash_ms(d->expires, DB_CRON_REHASH_MS);
    }
}

int db_check_type(client *c, const robj *o, int type) {
    if (o && (int)o->type != type) {
        reply_error(c, "-WRONGTYPE Operation against a key holding the wrong kind of value");
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------- commands */

void select_command(client *c) {
    long long id;
    if (!string2ll(c->argv[1], sds_len(c->argv[1]), &id)) {
        reply_error_not_integer(c);
        return;
    }
    if (id < INT32_MIN || id > INT32_MAX) {
        reply_error(c, "value is out of range, value must between -2147483648 and 2147483647");
        return;
    }
    if (id < 0 || id >= server.dbnum) {
        reply_error(c, "DB index is out of range");
        return;
    }
    c->db_id = (int)id;
    c->db = &server.dbs[id];
    reply_ok(c);
}

void del_command(client *c) {
    long long deleted = 0;
    for (int i = 1; i < c->argc; i++) {
        db_expire_if_needed(c->db, c->argv[i]);
        deleted += db_delete(c->db, c->argv[i]);
    }
    reply_integer(c, deleted);
}

void exists_command(client *c) {
    long long count = 0;
    for (int i = 1; i < c->argc; i++)
        if (db_lookup_write(c->db, c->argv[i])) count++;
    reply_integer(c, count);
}

void dbsize_command(client *c) {
    reply_integer(c, (long long)db_size(c->db));
}

/* FLUSHDB/FLUSHALL [ASYNC|SYNC]: both modes free synchronously for now; the
 * reply is the same. Returns 0 and replies on a bad argument. */
static int flush_parse_mode(client *c) {
    if (c->argc == 1) return 1;
    if (c->argc == 2 && (strcasecmp(c->argv[1], "async") == 0 || strcasecmp(c->argv[1], "sync") == 0)) return 1;
    reply_error_syntax(c);
    return 0;
}

void flushdb_command(client *c) {
    if (!flush_parse_mode(c)) return;
    db_empty(c->db_id);
    reply_ok(c);
}

void flushall_command(client *c) {
    if (!flush_parse_mode(c)) return;
    db_empty(-1);
    reply_ok(c);
}

/* ---------------------------------------------------------- table */

redis_command keyspace_commands[] = {
    {.name = "select", .proc = select_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl = ACL_CONNECTION, .group = "connection", .since = "1.0.0",
     .summary = "Change the selected database for the current connection", .complexity = "O(1)"},
    {.name = "del", .proc = del_command, .arity = -2, .flags = CMD_WRITE, .acl = ACL_KEYSPACE, .first_key = 1,
     .last_key = -1, .key_step = 1, .ks_flags = KS_RM | KS_DELETE,
     .tips = "request_policy:multi_shard response_policy:agg_sum", .group = "generic", .since = "1.0.0",
     .summary = "Delete a key",
     .complexity = "O(N) where N is the number of keys that will be removed. When a key to remove holds a value "
                   "other than a string, the individual complexity for this key is O(M) where M is the number of "
                   "elements in the list, set, sorted set or hash. Removing a single key that holds a string value "
                   "is O(1)."},
    {.name = "exists", .proc = exists_command, .arity = -2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_KEYSPACE,
     .first_key = 1, .last_key = -1, .key_step = 1, .ks_flags = KS_RO,
     .tips = "request_policy:multi_shard response_policy:agg_sum", .group = "generic", .since = "1.0.0",
     .summary = "Determine if a key exists", .complexity = "O(N) where N is the number of keys to check."},
    {.name = "dbsize", .proc = dbsize_command, .arity = 1, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_KEYSPACE,
     .tips = "request_policy:all_shards response_policy:agg_sum", .group = "server", .since = "1.0.0",
     .summary = "Return the number of keys in the selected database", .complexity = "O(1)"},
    {.name = "flushdb", .proc = flushdb_command, .arity = -1, .flags = CMD_WRITE,
     .acl = ACL_KEYSPACE | ACL_DANGEROUS, .tips = ALL_SHARDS_OK, .group = "server", .since = "1.0.0",
     .summary = "Remove all keys from the current database",
     .complexity = "O(N) where N is the number of keys in the selected database"},
    {.name = "flushall", .proc = flushall_command, .arity = -1, .flags = CMD_WRITE,
     .acl = ACL_KEYSPACE | ACL_DANGEROUS, .tips = ALL_SHARDS_OK, .group = "server", .since = "1.0.0",
     .summary = "Remove all keys from all databases",
     .complexity = "O(N) where N is the total number of keys in all databases"},
    {0}};
