/* db.h -- the keyspace: numbered databases of sds keys to robj values,
 * with expiry times. Every key access goes through here so that an expired
 * key is never visible to a command. */
#ifndef MINIRED_DB_H
#define MINIRED_DB_H

#include "server.h"

/* Unix ms "now" for expiry decisions: fixed for the running command. */
long long db_now_ms(void);
/* Creates n empty databases (server.dbs). */
void db_init(int n);
/* Returns the live value of key or NULL, deleting it first if expired.
 * The _read form counts keyspace hits/misses. Borrowed reference. */
robj *db_lookup_read(db *d, const sds key);
robj *db_lookup_write(db *d, const sds key);
/* Takes val; key is copied. The key must not exist. */
void db_add(db *d, const sds key, robj *val);
/* Takes val: adds or overwrites key. keep_ttl 0 drops an existing TTL. */
void db_set_key(db *d, const sds key, robj *val, int keep_ttl);
/* Returns 1 if the key existed and was removed. */
int db_delete(db *d, const sds key);
/* Sets key's expiry (unix ms). The key must exist. */
void db_set_expire(db *d, const sds key, long long when_ms);
/* Unix ms when key expires, -1 if it has no TTL. */
long long db_get_expire(db *d, const sds key);
/* Removes every key of one database (dbnum >= 0) or of all (-1); returns
 * how many were removed. */
long long db_empty(int dbnum);
/* Number of keys in d (expired-but-not-yet-removed keys included). */
unsigned long db_size(const db *d);
/* Cron duty: a little incremental rehashing of the keyspace dicts. */
void db_cron_rehash(void);
/* Replies WRONGTYPE and returns 1 if o is not NULL and not of type. */
int db_check_type(client *c, const robj *o, int type);

#endif
