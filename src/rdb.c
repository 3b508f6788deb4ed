/* rdb.c -- the whole dataset as an RDB file (version 10, as Redis 7.0
 * writes it): header, aux fields, per database SELECTDB and RESIZEDB, each
 * key with its expiry and LRU/LFU opcodes, EOF and the CRC64 trailer.
 * Values themselves are rdb_object.c's business.
 *
 * Saving only reads the keyspace and logs nothing from rdb_save_rio, so a
 * forked child may call it. Loading adds keys without any of the change
 * path (no WATCH touch, no event, no dirty) and, on any failure, logs one
 * reason with the byte offset where it was found and returns RDB_FAILED
 * (keys loaded before the failure stay; the caller decides what then). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "function.h"
#include "log.h"
#include "monotonic.h"
#include "rdb_internal.h"
#include "util.h"
#include "zmalloc.h"
#include "vclock.h"

#define RDB_MAGIC "REDIS"
#define RDB_MAGIC_LEN 5
#define RDB_HEADER_LEN 9 /* "REDIS" and four version digits */
/* A big save fsyncs every this many bytes (rdb-save-incremental-fsync) so
 * the final fsync has little left to flush. */
#define RDB_AUTOSYNC_BYTES (4 * 1024 * 1024)
/* stdio buffer for reading a file: fewer read() calls for small fields. */
#define RDB_READ_BUFFER_BYTES (64 * 1024)
/* Without a known input size, RESIZEDB hints are believed up to this. */
#define RDB_RESIZE_HINT_MAX (1UL << 24)
/* Empty keys are named in the log this many times, then only counted. */
#define RDB_EMPTY_KEYS_LOGGED 10
/* Bytes a key/value pair takes at least (type, key length, value). */
#define RDB_MIN_PAIR_BYTES 3

static rdb_progress_fn *progress_hook;

static rdb_save_progress_fn *save_progress_hook;
static size_t keys_saved; /* by the save in progress */

void rdb_set_save_progress_hook(rdb_save_progress_fn *fn) {
    save_progress_hook = fn;
}

void rdb_set_progress_hook(rdb_progress_fn *fn) {
    progress_hook = fn;
}

/* ============================================================ saving */

static int rdb_save_aux(rio *r, const char *key, const char *val, size_t vlen) {
    if (rdb_save_type(r, RDB_OPCODE_AUX) == -1) return -1;
    if (rdb_save_string_ex(r, key, strlen(key), cfg.rdbcompression) == -1) return -1;
    return rdb_save_string_ex(r, val, vlen, cfg.rdbcompression) == -1 ? -1 : 0;
}

/* Integers go through their decimal text, as Redis writes them (so small
 * ones end up in the integer string encodings). */
static int rdb_save_aux_int(rio *r, const char *key, long long v) {
    char buf[LONG_STR_SIZE];
    int n = ll2string(buf, sizeof(buf), v);
    return rdb_save_aux(r, key, buf, (size_t)n);
}

static int rdb_save_aux_fields(rio *r, const rdb_save_opts *opts) {
    const char *ver = MINIRED_REDIS_COMPAT_VERSION;
    if (rdb_save_aux(r, "redis-ver", ver, strlen(ver)) == -1) return -1;
    if (rdb_save_aux_int(r, "redis-bits", (long long)sizeof(void *) * 8) == -1) return -1;
    if (rdb_save_aux_int(r, "ctime", (long long)time(NULL)) == -1) return -1;
    if (rdb_save_aux_int(r, "used-mem", (long long)zmalloc_used_memory()) == -1) return -1;
    if (opts && opts->repl_id) {
        if (rdb_save_aux_int(r, "repl-stream-db", opts->repl_stream_db) == -1) return -1;
        if (rdb_save_aux(r, "repl-id", opts->repl_id, strlen(opts->repl_id)) == -1) return -1;
        if (rdb_save_aux_int(r, "repl-offset", opts->repl_offset) == -1) return -1;
    }
    return rdb_save_aux_int(r, "aof-base", opts && opts->aof_preamble ? 1 : 0);
}

static int rdb_save_millis(rio *r, long long ms) {
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)((unsigned long long)ms >> (8 * i));
    return rio_write(r, b, 8) ? 0 : -1;
}

/* One key: its expiry, its access data when the eviction policy keeps
 * it (as Redis: IDLE under an LRU policy, FREQ under an LFU one), the
 * type, the key and the value. */
static int rdb_save_key_value(rio *r, sds key, const robj *o, long long expire_ms) {
    if (expire_ms != -1) {
        if (rdb_save_type(r, RDB_OPCODE_EXPIRETIME_MS) == -1 || rdb_save_millis(r, expire_ms) == -1) return -1;
    }
    if (MAXMEMORY_POLICY_IS_LRU(cfg.maxmemory_policy)) {
        if (rdb_save_type(r, RDB_OPCODE_IDLE) == -1 || rdb_save_len(r, db_obj_idle_ms(o) / 1000) == -1) return -1;
    } else if (MAXMEMORY_POLICY_IS_LFU(cfg.maxmemory_policy)) {
        unsigned char freq = (unsigned char)db_lfu_counter(o);
        if (rdb_save_type(r, RDB_OPCODE_FREQ) == -1 || !rio_write(r, &freq, 1)) return -1;
    }
    if (rdb_save_object_type(r, o) == -1) return -1;
    if (rdb_save_raw_string(r, key, sds_len(key)) == -1) return -1;
    return rdb_save_object(r, o);
}

/* Saving a big keyspace is bound by memory latency: each key costs cache
 * misses on its entry, its key and its value, one after the other. So the
 * tables are walked directly (saving changes nothing, so no iterator is
 * needed; while a rehash runs, every entry is in exactly one table) with
 * the entries of the buckets RDB_PREFETCH_ENTRY_AHEAD slots ahead, and
 * the keys and values of those RDB_PREFETCH_DATA_AHEAD ahead, requested
 * early so the misses overlap. */
#define RDB_PREFETCH_ENTRY_AHEAD 32
#define RDB_PREFETCH_DATA_AHEAD 16

static void rdb_prefetch_bucket_data(dict_entry *he) {
    for (; he; he = he->next) {
        __builtin_prefetch(he->key);
        __builtin_prefetch(he->v.val);
    }
}

static int rdb_save_table(rio *r, db *d, int t) {
    dict_entry **table = d->keys->ht_table[t];
    unsigned long size = DICT_HT_SIZE(d->keys->ht_size_exp[t]);
    int has_expires = dict_size(d->expires) > 0;
    for (unsigned long i = 0; i < size; i++) {
        if (i + RDB_PREFETCH_ENTRY_AHEAD < size) __builtin_prefetch(table[i + RDB_PREFETCH_ENTRY_AHEAD]);
        if (i + RDB_PREFETCH_DATA_AHEAD < size) rdb_prefetch_bucket_data(table[i + RDB_PREFETCH_DATA_AHEAD]);
        for (dict_entry *he = table[i]; he; he = he->next) {
            sds key = he->key;
            long long expire = -1;
            if (has_expires) {
                dict_entry *ee = dict_find(d->expires, key);
                if (ee) expire = dict_get_signed_int_val(ee);
            }
            if (rdb_save_key_value(r, key, he->v.val, expire) == -1) return -1;
            keys_saved++;
            if (save_progress_hook) save_progress_hook(keys_saved);
        }
    }
    return 0;
}

static int rdb_save_db(rio *r, db *d) {
    if (dict_size(d->keys) == 0) return 0;
    if (rdb_save_type(r, RDB_OPCODE_SELECTDB) == -1 || rdb_save_len(r, (uint64_t)d->id) == -1) return -1;
    if (rdb_save_type(r, RDB_OPCODE_RESIZEDB) == -1 || rdb_save_len(r, dict_size(d->keys)) == -1 ||
        rdb_save_len(r, dict_size(d->expires)) == -1)
        return -1;
    if (rdb_save_table(r, d, 0) == -1) return -1;
    return dict_is_rehashing(d->keys) ? rdb_save_table(r, d, 1) : 0;
}

int rdb_save_rio(rio *r, const rdb_save_opts *opts) {
    char magic[RDB_HEADER_LEN + 1];
    r->update_cksum = cfg.rdbchecksum ? 1 : 0;
    r->cksum = 0;
    snprintf(magic, sizeof(magic), "REDIS%04d", RDB_VERSION);
    if (!rio_write(r, magic, RDB_HEADER_LEN)) goto werr;
    if (rdb_save_aux_fields(r, opts) == -1) goto werr;
    /* Functions come before the keyspace, as Redis 7.0 writes them. */
    if (!(opts && opts->exclude_functions) && fn_rdb_save(r) == -1) goto werr;
    keys_saved = 0;
    for (int i = 0; i < server.dbnum && !(opts && opts->exclude_data); i++)
        if (rdb_save_db(r, &server.dbs[i]) == -1) goto werr;
    if (rdb_save_type(r, RDB_OPCODE_EOF) == -1) goto werr;
    /* The checksum covers everything before it; 0 when checksums are off
     * (a loader then skips the check). */
    if (rdb_save_millis(r, (long long)r->cksum) == -1) goto werr;
    return 0;
werr:
    if (errno == 0) errno = EIO;
    return -1;
}

/* The directory part of path, into buf. */
static void rdb_dir_of(const char *path, char *buf, size_t len) {
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    snprintf(buf, len, "%s", dirname(tmp));
}

/* fsync on the directory makes a rename durable. */
static int rdb_fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY);
    if (fd == -1) return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int rdb_save_file(const char *path, const rdb_save_opts *opts) {
    char dir[PATH_MAX], tmpfile[PATH_MAX + 32], cwd[PATH_MAX];
    rdb_dir_of(path, dir, sizeof(dir));
    /* A bare file name (dbfilename lives in "dir", the working directory)
     * gets a bare temp name, as Redis logs it. */
    if (strchr(path, '/')) snprintf(tmpfile, sizeof(tmpfile), "%s/temp-%d.rdb", dir, (int)getpid());
    else snprintf(tmpfile, sizeof(tmpfile), "temp-%d.rdb", (int)getpid());
    if (getcwd(cwd, sizeof(cwd)) == NULL) snprintf(cwd, sizeof(cwd), "unknown");
    FILE *fp = fopen(tmpfile, "w");
    if (fp == NULL) {
        log_warning("Failed opening the temp RDB file %s (in server root dir %s) for saving: %s", tmpfile, cwd,
                    strerror(errno));
        return -1;
    }
    rio r;
    rio_init_file(&r, fp);
    if (cfg.rdb_save_incremental_fsync) rio_set_autosync(&r, RDB_AUTOSYNC_BYTES);
    errno = 0;
    if (rdb_save_rio(&r, opts) == -1 || fflush(fp) != 0 || fsync(fileno(fp)) == -1) {
        log_warning("Write error saving DB on disk: %s", strerror(errno ? errno : EIO));
        fclose(fp);
        unlink(tmpfile);
        return -1;
    }
    if (fclose(fp) != 0) {
        log_warning("Write error saving DB on disk: %s", strerror(errno));
        unlink(tmpfile);
        return -1;
    }
    if (rename(tmpfile, path) == -1) {
        log_warning("Error moving temp DB file %s on the final destination %s (in server root dir %s): %s", tmpfile,
                    path, cwd, strerror(errno));
        unlink(tmpfile);
        return -1;
    }
    if (rdb_fsync_dir(dir) == -1) {
        log_warning("Failed to fsync directory while saving DB: %s", strerror(errno));
        return -1;
    }
    log_notice("DB saved on disk");
    return 0;
}

/* ============================================================ loading */

/* State of one load. */
typedef struct rdb_loader {
    rio *r;
    int flags;
    rdb_load_stats *st;
    int version;
    size_t input_size;        /* bytes of the file, or (size_t)-1 unknown */
    size_t next_progress;     /* processed_bytes at which to call the hook */
    long long empty_skipped;
    sds err;                  /* the reason of a failure */
    int err_line;             /* where it was noticed (as Redis's report) */
} rdb_loader;

#define RDB_FAIL(l, ...)                                         \
    do {                                                         \
        if ((l)->err == NULL) (l)->err = sds_cat_printf(sds_empty(), __VA_ARGS__); \
        (l)->err_line = __LINE__;                                \
        return -1;                                               \
    } while (0)

/* The one failure line, naming offset and reason (a short read is also
 * announced first, as Redis announces it). */
static void rdb_log_failure(rdb_loader *l) {
    const char *why = l->err ? l->err : "Unknown error";
    if (strncmp(why, "Unexpected EOF", 14) == 0)
        log_warning("Short read or OOM loading DB. Unrecoverable error, aborting now.");
    log_warning("Internal error in RDB reading offset %llu, function at rdb.c:%d -> %s",
                (unsigned long long)l->r->processed_bytes, l->err_line, why);
}

static rdb_loader *progress_loader; /* the load in progress, for the rio callback */

/* loading-process-events-interval-bytes (RDB_LOAD_PROGRESS_BYTES before
 * the configuration is read). */
static size_t rdb_load_progress_bytes(void) {
    return cfg.loading_process_events_interval_bytes > 0 ? (size_t)cfg.loading_process_events_interval_bytes
                                                         : RDB_LOAD_PROGRESS_BYTES;
}

const rdb_load_stats *rdb_load_current(void) {
    return progress_loader ? progress_loader->st : NULL;
}

static void rdb_load_progress(rio *r, size_t processed) {
    (void)r;
    rdb_loader *l = progress_loader;
    if (l == NULL || processed < l->next_progress) return;
    l->next_progress = processed + rdb_load_progress_bytes();
    if (progress_hook) progress_hook(processed);
}

/* A RESIZEDB hint, believed only as far as the input could hold keys. */
static unsigned long rdb_sane_hint(rdb_loader *l, uint64_t n) {
    size_t limit = l->input_size != (size_t)-1 ? l->input_size / RDB_MIN_PAIR_BYTES : RDB_RESIZE_HINT_MAX;
    size_t left = rio_buffer_left(l->r);
    if (left != (size_t)-1) limit = left / RDB_MIN_PAIR_BYTES;
    return n > limit ? 0 : (unsigned long)n;
}

/* Reads and checks "REDIS" + version. */
static int rdb_load_magic(rdb_loader *l) {
    char buf[RDB_HEADER_LEN + 1];
    if (!rio_read(l->r, buf, RDB_HEADER_LEN)) RDB_FAIL(l, "Unexpected EOF reading RDB file");
    buf[RDB_HEADER_LEN] = '\0';
    if (memcmp(buf, RDB_MAGIC, RDB_MAGIC_LEN) != 0) RDB_FAIL(l, "Wrong signature trying to load DB from file");
    int ver = atoi(buf + RDB_MAGIC_LEN);
    if (ver < RDB_LOAD_MIN_VERSION || ver > RDB_VERSION) RDB_FAIL(l, "Can't handle RDB format version %d", ver);
    l->version = ver;
    return 0;
}

static void rdb_apply_aux(rdb_loader *l, sds key, sds val) {
    rdb_load_stats *st = l->st;
    if (!strcasecmp(key, "redis-ver")) {
        log_notice("Loading RDB produced by version %s", val);
    } else if (!strcasecmp(key, "ctime")) {
        time_t age = time(NULL) - (time_t)strtoll(val, NULL, 10);
        if (age < 0) age = 0;
        st->ctime = strtoll(val, NULL, 10);
        log_notice("RDB age %ld seconds", (long)age);
    } else if (!strcasecmp(key, "used-mem")) {
        long long used = strtoll(val, NULL, 10);
        st->used_mem = used;
        log_notice("RDB memory usage when created %.2f Mb", (double)used / (1024 * 1024));
    } else if (!strcasecmp(key, "aof-base") || !strcasecmp(key, "aof-preamble")) {
        st->aof_preamble = atoi(val) != 0;
        if (st->aof_preamble) log_notice("RDB is base AOF");
    } else if (!strcasecmp(key, "repl-id")) {
        if (sds_len(val) == sizeof(st->repl_id) - 1) memcpy(st->repl_id, val, sizeof(st->repl_id));
    } else if (!strcasecmp(key, "repl-offset")) {
        st->repl_offset = strtoll(val, NULL, 10);
    } else if (!strcasecmp(key, "repl-stream-db")) {
        st->repl_stream_db = atoi(val);
    } else if (!strcasecmp(key, "lua") || !strcasecmp(key, "redis-bits")) {
        /* scripts are not reloaded from RDB files (as Redis 7.0); bits unused */
    } else {
        log_debug("Unrecognized RDB AUX field: '%s'", key);
    }
}

static int rdb_load_aux(rdb_loader *l) {
    sds key = rdb_load_string(l->r, &l->err);
    sds val = key ? rdb_load_string(l->r, &l->err) : NULL;
    if (val == NULL) {
        sds_free(key);
        RDB_FAIL(l, "Unexpected EOF reading RDB file");
    }
    rdb_apply_aux(l, key, val);
    sds_free(key);
    sds_free(val);
    return 0;
}

/* What the opcodes before a key said about it. */
typedef struct rdb_key_meta {
    long long expire_ms; /* -1: none */
    long long idle_s;    /* -1: none */
    int freq;            /* -1: none */
} rdb_key_meta;

/* RDB_LOAD_ALLOW_DUP: the file's value replaces the one in memory. 1 when
 * it was added. */
static int rdb_replace_dup(db *d, const sds key, robj *val) {
    db_delete(d, key);
    return db_add_loaded(d, key, val);
}

/* Reads the key and value of a pair whose type byte was type, and adds it
 * to d unless it expired (or was an empty collection, which Redis skips). */
static int rdb_load_pair(rdb_loader *l, db *d, int type, rdb_key_meta *m, long long now_ms) {
    sds key = rdb_load_string(l->r, &l->err);
    if (key == NULL) RDB_FAIL(l, "Unexpected EOF reading RDB file");
    int empty;
    /* sanitize-dump-payload yes deep-checks files too, as in Redis. */
    int deep = cfg.sanitize_dump_payload == SANITIZE_DUMP_YES;
    robj *val = rdb_load_object_ex(l->r, type, deep, &l->err, &empty);
    if (val == NULL && empty) {
        if (l->empty_skipped++ < RDB_EMPTY_KEYS_LOGGED) log_notice("rdbLoadObject skipping empty key: %s", key);
        sds_free(key);
        return 0;
    }
    if (val == NULL) {
        sds_free(key);
        RDB_FAIL(l, "Unknown error loading a value");
    }
    /* A primary drops keys that expired while the file sat on disk; the
     * base of an AOF keeps them (the AOF that follows says what happens),
     * and so does a replica (its primary's DELs will). */
    if (m->expire_ms != -1 && m->expire_ms < now_ms && !(l->flags & RDB_LOAD_AOF_PREAMBLE) && !server.is_replica) {
        sds_free(key);
        obj_decr_refcount(val);
        l->st->keys_expired++;
        return 0;
    }
    if (!db_add_loaded(d, key, val) && (!(l->flags & RDB_LOAD_ALLOW_DUP) || !rdb_replace_dup(d, key, val))) {
        log_warning("RDB has duplicated key '%s' in DB %d", key, d->id);
        sds_free(key);
        obj_decr_refcount(val);
        RDB_FAIL(l, "Duplicated key found in RDB file");
    }
    if (m->expire_ms != -1) db_set_expire(d, key, m->expire_ms);
    db_set_loaded_access(val, m->idle_s, m->freq);
    l->st->keys_loaded++;
    return 0;
}

/* Reads an 8-byte little-endian integer (expiry ms, checksum). */
static int rdb_load_le64(rdb_loader *l, uint64_t *v) {
    unsigned char b[8];
    if (!rio_read(l->r, b, 8)) RDB_FAIL(l, "Unexpected EOF reading RDB file");
    *v = 0;
    for (int i = 7; i >= 0; i--) *v = *v << 8 | b[i];
    return 0;
}

/* Handles one opcode (not a pair). Returns 1 at EOF, 0 to go on, -1. */
static int rdb_load_opcode(rdb_loader *l, int op, db **d, rdb_key_meta *m) {
    rio *r = l->r;
    uint64_t v, v2;
    unsigned char b[4];
    switch (op) {
    case RDB_OPCODE_EOF: return 1;
    case RDB_OPCODE_EXPIRETIME:
        if (!rio_read(r, b, 4)) RDB_FAIL(l, "Unexpected EOF reading RDB file");
        m->expire_ms = (long long)(int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                                            (uint32_t)b[3] << 24) * 1000;
        return 0;
    case RDB_OPCODE_EXPIRETIME_MS:
        if (rdb_load_le64(l, &v) == -1) return -1;
        m->expire_ms = (long long)v;
        return 0;
    case RDB_OPCODE_FREQ:
        if (!rio_read(r, b, 1)) RDB_FAIL(l, "Unexpected EOF reading RDB file");
        m->freq = b[0];
        return 0;
    case RDB_OPCODE_IDLE:
        if (rdb_load_len(r, &v, NULL, &l->err) == -1) RDB_FAIL(l, "Unexpected EOF reading RDB file");
        m->idle_s = v > LLONG_MAX / 1000 ? LLONG_MAX / 1000 : (long long)v;
        return 0;
    case RDB_OPCODE_SELECTDB:
        if (rdb_load_len(r, &v, NULL, &l->err) == -1) RDB_FAIL(l, "Unexpected EOF reading RDB file");
        if (v >= (uint64_t)server.dbnum) {
            log_warning("FATAL: Data file was created with a Redis server configured to handle more than %d "
                        "databases. Exiting\n", server.dbnum);
            RDB_FAIL(l, "SELECTDB %llu is out of range (databases %d)", (unsigned long long)v, server.dbnum);
        }
        *d = &server.dbs[v];
        return 0;
    case RDB_OPCODE_RESIZEDB:
        if (rdb_load_len(r, &v, NULL, &l->err) == -1 || rdb_load_len(r, &v2, NULL, &l->err) == -1)
            RDB_FAIL(l, "Unexpected EOF reading RDB file");
        if (rdb_sane_hint(l, v) > dict_size((*d)->keys)) dict_try_expand((*d)->keys, rdb_sane_hint(l, v));
        if (rdb_sane_hint(l, v2) > dict_size((*d)->expires)) dict_try_expand((*d)->expires, rdb_sane_hint(l, v2));
        return 0;
    case RDB_OPCODE_AUX: return rdb_load_aux(l);
    case RDB_OPCODE_MODULE_AUX:
        RDB_FAIL(l, "The RDB file contains AUX module data I can't load: modules are not supported");
    case RDB_OPCODE_FUNCTION2: {
        /* One library's code, compiled as FUNCTION LOAD would. A library
         * already there is an error unless the load may replace (MERGE). */
        sds why = NULL;
        if (fn_rdb_load(r, (l->flags & RDB_LOAD_ALLOW_DUP) != 0, &why) == -1) {
            log_warning("Failed loading library, %s", why);
            sds_free(why);
            RDB_FAIL(l, "Failed loading library");
        }
        return 0;
    }
    case RDB_OPCODE_FUNCTION:
        RDB_FAIL(l, "Pre-release function format not supported.");
    default: RDB_FAIL(l, "Unknown RDB encoding type %d", op);
    }
}

static int skip_checksum; /* DEBUG SET-SKIP-CHECKSUM-VALIDATION */

void rdb_set_skip_checksum(int on) {
    skip_checksum = on != 0;
}

int rdb_skip_checksum(void) {
    return skip_checksum;
}

/* After EOF: the trailer (RDB 5 on). A zero checksum means the writer had
 * checksums off: nothing to verify. */
static int rdb_load_trailer(rdb_loader *l) {
    if (l->version < 5) return 0;
    uint64_t expected = l->r->cksum, got;
    if (rdb_load_le64(l, &got) == -1) return -1;
    if (!cfg.rdbchecksum || skip_checksum) return 0;
    if (got == 0) {
        log_warning("RDB file was saved with checksum disabled: no check performed.");
    } else if (got != expected) {
        log_warning("Wrong RDB checksum expected: (%llx) but got (%llx). Aborting now.",
                    (unsigned long long)expected, (unsigned long long)got);
        RDB_FAIL(l, "RDB CRC error");
    }
    return 0;
}

static int rdb_load_body(rdb_loader *l) {
    if (rdb_load_magic(l) == -1) return -1;
    db *d = &server.dbs[0];
    rdb_key_meta m = {-1, -1, -1};
    long long now_ms = vclock_ms(); /* keys already expired are skipped */
    while (1) {
        int type;
        if (rdb_load_type(l->r, &type, &l->err) == -1) RDB_FAIL(l, "Unexpected EOF reading RDB file");
        if (RDB_IS_OBJECT_TYPE(type)) {
            if (rdb_load_pair(l, d, type, &m, now_ms) == -1) return -1;
            m = (rdb_key_meta){-1, -1, -1};
            continue;
        }
        int rc = rdb_load_opcode(l, type, &d, &m);
        if (rc == -1) return -1;
        if (rc == 1) break;
    }
    return rdb_load_trailer(l);
}

static int rdb_load_rio_sized(rio *r, int flags, rdb_load_stats *st, size_t input_size) {
    rdb_load_stats local;
    if (st == NULL) st = &local;
    memset(st, 0, sizeof(*st));
    rdb_loader l = {.r = r, .flags = flags, .st = st, .input_size = input_size,
                    .next_progress = r->processed_bytes + rdb_load_progress_bytes()};
    r->update_cksum = cfg.rdbchecksum ? 1 : 0;
    r->cksum = 0;
    r->progress = rdb_load_progress;
    /* Big values are read in pieces so the hook runs during them too. */
    size_t saved_chunk = r->max_chunk;
    if (r->max_chunk == 0 || r->max_chunk > rdb_load_progress_bytes()) r->max_chunk = rdb_load_progress_bytes();
    rdb_loader *outer = progress_loader;
    progress_loader = &l;
    int rc = rdb_load_body(&l);
    progress_loader = outer;
    r->progress = NULL;
    r->max_chunk = saved_chunk;
    if (rc == -1) {
        rdb_log_failure(&l);
        sds_free(l.err);
        return RDB_FAILED;
    }
    if (l.empty_skipped)
        log_notice("Done loading RDB, keys loaded: %lld, keys expired: %lld, empty keys skipped: %lld.",
                   st->keys_loaded, st->keys_expired, l.empty_skipped);
    else
        log_notice("Done loading RDB, keys loaded: %lld, keys expired: %lld.", st->keys_loaded, st->keys_expired);
    return RDB_OK;
}

int rdb_load_rio(rio *r, int flags, rdb_load_stats *st) {
    return rdb_load_rio_sized(r, flags, st, (size_t)-1);
}

int rdb_load_file(const char *path, int flags, rdb_load_stats *st) {
    return rdb_load_file_via(path, flags, st, NULL);
}

int rdb_load_file_via(const char *path, int flags, rdb_load_stats *st, void (*prepare)(rio *r)) {
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        if (errno == ENOENT) return RDB_NOT_EXIST;
        log_warning("Fatal error loading the DB: %s. Exiting.", strerror(errno));
        return RDB_FAILED;
    }
    setvbuf(fp, NULL, _IOFBF, RDB_READ_BUFFER_BYTES);
    rio r;
    rio_init_file(&r, fp);
    if (prepare) prepare(&r);
    struct stat sb;
    size_t size = fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) ? (size_t)sb.st_size : (size_t)-1;
    int rc = rdb_load_rio_sized(&r, flags, st, size);
    fclose(fp);
    return rc;
}
