/* rdb.h -- Redis 7.0's RDB format (version 10): the dataset to and from a
 * stream of bytes, and single values to and from DUMP payloads.
 *
 * Everything here works on a rio (rio.h), so one serializer serves files
 * (SAVE, BGSAVE, the AOF base), memory buffers (DUMP/RESTORE, DEBUG
 * OBJECT's serializedlength) and later sockets (replication). Saving only
 * reads the keyspace, so a forked child may call it. Loading never trusts
 * its input: a corrupt or truncated stream is refused with a reason,
 * never a crash. */
#ifndef MINIRED_RDB_H
#define MINIRED_RDB_H

#include "rio.h"
#include "server.h"

/* The version this server writes, and the oldest and newest it loads. */
#define RDB_VERSION 10
#define RDB_LOAD_MIN_VERSION 1

/* rdb_load_* results. */
#define RDB_OK 0
#define RDB_NOT_EXIST 1 /* no such file: start empty */
#define RDB_FAILED 2    /* refused; the reason was logged (offset + why) */

/* What a save writes besides the keyspace. */
typedef struct rdb_save_opts {
    int aof_preamble;          /* aux aof-base 1 (the AOF base file) */
    const char *repl_id;       /* aux repl-id / repl-offset / repl-stream-db */
    long long repl_offset;     /*   when repl_id is not NULL */
    int repl_stream_db;
    int exclude_data;          /* no keys (REPLCONF rdb-filter-only) */
    int exclude_functions;     /* no function libraries */
} rdb_save_opts;

/* What a load saw. */
typedef struct rdb_load_stats {
    long long keys_loaded;     /* INFO rdb_last_load_keys_loaded */
    long long keys_expired;    /* rdb_last_load_keys_expired */
    int aof_preamble;          /* the aux field aof-base was 1 */
    char repl_id[41];          /* "" when the file carried none */
    long long repl_offset;
    int repl_stream_db;
    long long ctime;           /* the aux field ctime, or 0 */
    long long used_mem;        /* the aux field used-mem, or 0 */
} rdb_load_stats;

/* Load flags. */
#define RDB_LOAD_AOF_PREAMBLE (1 << 0) /* the base of an AOF (log texts differ) */
#define RDB_LOAD_EMPTY_FIRST (1 << 1)  /* (reserved for replication) */
#define RDB_LOAD_ALLOW_DUP (1 << 2)    /* a key already present is replaced (DEBUG RELOAD MERGE) */

/* ------------------------------------------------------------ whole dataset */

/* Writes every database (and aux fields, SELECTDB, RESIZEDB, expiries,
 * LRU/LFU opcodes as maxmemory-policy asks, the CRC64 trailer when
 * rdbchecksum is yes) to r. Returns 0, or -1 with errno set. Usable in a
 * forked child (never logs through the server, never touches clients). */
int rdb_save_rio(rio *r, const rdb_save_opts *opts);
/* Writes the dataset to path: a temp file in the same directory, fsynced,
 * then renamed over path. Returns 0, or -1 with the reason logged. */
int rdb_save_file(const char *path, const rdb_save_opts *opts);

/* Loads a stream into the keyspace, which the caller has emptied: as in
 * Redis 7.0, a key already there (a key twice in the file) fails the load
 * ("Duplicated key found in RDB file"), keys whose expiry has passed are
 * skipped and counted in keys_expired (kept with RDB_LOAD_AOF_PREAMBLE),
 * empty collections are skipped with a notice. Loading fires no keyspace
 * event, touches no WATCH and counts no dirty change. Returns RDB_OK or
 * RDB_FAILED (reason logged, with the offset; keys loaded before the
 * failure stay). st may be NULL. */
int rdb_load_rio(rio *r, int flags, rdb_load_stats *st);
/* Same from a file: RDB_NOT_EXIST when it does not exist. */
int rdb_load_file(const char *path, int flags, rdb_load_stats *st);
/* The same, with prepare (when not NULL) called on the file's rio before
 * the load reads it (a loader that slows or watches the reads). */
int rdb_load_file_via(const char *path, int flags, rdb_load_stats *st, void (*prepare)(rio *r));

/* DEBUG SET-SKIP-CHECKSUM-VALIDATION: when on, RDB loads and DUMP payloads
 * (RESTORE, FUNCTION RESTORE) are taken without checking their CRC64 (the
 * payload's version is still checked). */
void rdb_set_skip_checksum(int on);
int rdb_skip_checksum(void);

/* While a load runs, called about every loading-process-events-interval-
 * bytes (default RDB_LOAD_PROGRESS_BYTES) so the server can serve clients
 * (-LOADING) and update INFO's loading_* fields. loaded: bytes read so far. */
#define RDB_LOAD_PROGRESS_BYTES (2 * 1024 * 1024)
typedef void rdb_progress_fn(size_t loaded);
void rdb_set_progress_hook(rdb_progress_fn *fn);
/* The statistics of the load in progress, as far as it got (INFO shows
 * its used-mem and keys while loading), or NULL when none runs. */
const rdb_load_stats *rdb_load_current(void);

/* While a save runs, called after each key with the number of keys
 * written so far by this save (BGSAVE progress in INFO, the
 * rdb-key-save-delay test knob). Called in the child for BGSAVE. */
typedef void rdb_save_progress_fn(size_t keys_saved);
void rdb_set_save_progress_hook(rdb_save_progress_fn *fn);

/* ------------------------------------------------------------ single values */

/* The type byte and the value of o, as they appear in a dump. 0 / -1. */
int rdb_save_object_type(rio *r, const robj *o);
int rdb_save_object(rio *r, const robj *o);
/* Bytes rdb_save_object writes for o (DEBUG OBJECT serializedlength). */
size_t rdb_object_serialized_len(const robj *o);
/* Returns a new object read from r for the given type byte, converted to
 * the encoding this server would use. NULL on bad input, with *err set to
 * a new sds saying why. deep: validate every entry of packed encodings
 * (sanitize-dump-payload). */
robj *rdb_load_object(rio *r, int type, int deep, sds *err);

/* DUMP: returns a new sds holding type, value, the 2-byte RDB version and
 * the CRC64 of all that (little endian). */
sds rdb_dump_payload(const robj *o);
/* RESTORE: checks version and CRC and returns a new object, or NULL with
 * *err a new sds holding Redis's reply text without "ERR ": "DUMP payload
 * version or checksum are wrong" or "Bad data format". The value must end
 * before the 10-byte footer. */
robj *rdb_restore_payload(const char *p, size_t len, int deep, sds *err);

#endif
