/* aof_rewrite.c -- BGREWRITEAOF and the automatic rewrite, as Redis 7.0
 * does them without a rewrite buffer: at the start the parent opens a new
 * incr file (what happens from now on goes there), a forked child writes
 * the dataset as a new base file (an RDB preamble, or commands in batches
 * of 64 with PEXPIREAT for TTLs), and on success the parent renames it into
 * the AOF directory, turns the older incr files into history, replaces the
 * manifest atomically and deletes the history.
 *
 * The child only reads the keyspace and writes its temp file; it never
 * touches a client or the parent's files. */
#include "aof_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "childproc.h"
#include "commands.h"
#include "config.h"
#include "function.h"
#include "intset.h"
#include "listpack.h"
#include "log.h"
#include "quicklist.h"
#include "rdb.h"
#include "reply.h"
#include "server.h"
#include "skiplist.h"
#include "stream.h"
#include "t_zset.h"
#include "zmalloc.h"


static int rewrite_rdb; /* the running rewrite writes an RDB preamble */

/* ---------------------------------------------------------- command base */

static int cat_bulk(FILE *fp, const char *p, size_t len) {
    return fprintf(fp, "$%zu\r\n", len) > 0 && (len == 0 || fwrite(p, len, 1, fp) == 1) && fwrite("\r\n", 2, 1, fp) == 1;
}

static int cat_bulk_ll(FILE *fp, long long v) {
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%lld", v);
    return cat_bulk(fp, buf, (size_t)n);
}

static int cat_bulk_double(FILE *fp, double d) {
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "%.17g", d); /* Redis 7.0's rioWriteBulkDouble */
    return cat_bulk(fp, buf, (size_t)n);
}

/* A listpack entry as a bulk string. */
static int cat_lp_entry(FILE *fp, const unsigned char *e) {
    int64_t iv;
    const unsigned char *s;
    uint32_t len;
    unsigned char buf[LP_INTBUF_SIZE];
    if (lp_get(e, &iv, &s, &len, buf) == LP_KIND_INT && s == NULL) return cat_bulk_ll(fp, iv);
    return cat_bulk(fp, (const char *)s, len);
}

static double lp_entry_double(const unsigned char *e) {
    int64_t iv;
    const unsigned char *s;
    uint32_t len;
    unsigned char buf[LP_INTBUF_SIZE];
    if (lp_get(e, &iv, &s, &len, buf) == LP_KIND_INT && s == NULL) return (double)iv;
    char tmp[256];
    size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return strtod(tmp, NULL);
}

/* Starts a batch command when none is open: "*<2+n*per>" CMD key. Returns
 * how many items the batch takes. */
static int batch_open(FILE *fp, const char *cmd, sds key, unsigned long remaining, int per_item, int *ok) {
    int n = remaining > AOF_REWRITE_ITEMS_PER_CMD ? AOF_REWRITE_ITEMS_PER_CMD : (int)remaining;
    *ok = *ok && fprintf(fp, "*%d\r\n", 2 + n * per_item) > 0 && cat_bulk(fp, cmd, strlen(cmd)) &&
          cat_bulk(fp, key, sds_len(key));
    return n;
}

static int write_list(FILE *fp, sds key, robj *o) {
    quicklist *ql = o->ptr;
    unsigned long left = ql->count;
    int ok = 1, in_batch = 0;
    ql_iter it;
    ql_entry e;
    ql_iter_init(ql, &it, QL_HEAD_TO_TAIL);
    while (ok && ql_next(&it, &e)) {
        if (in_batch == 0) in_batch = batch_open(fp, "RPUSH", key, left, 1, &ok);
        ok = ok && (e.str ? cat_bulk(fp, (const char *)e.str, e.len) : cat_bulk_ll(fp, e.ival));
        in_batch--;
        left--;
    }
    return ok;
}

static int write_set(FILE *fp, sds key, robj *o) {
    int ok = 1, in_batch = 0;
    if (o->encoding == OBJ_ENCODING_INTSET) {
        intset *is = o->ptr;
        unsigned long left = intset_len(is);
        for (uint32_t i = 0; ok && i < intset_len(is); i++) {
            int64_t v;
            intset_get(is, i, &v);
            if (in_batch == 0) in_batch = batch_open(fp, "SADD", key, left, 1, &ok);
            ok = ok && cat_bulk_ll(fp, v);
            in_batch--;
            left--;
        }
        return ok;
    }
    dict *d = o->ptr;
    unsigned long left = dict_size(d);
    dict_iterator di;
    dict_entry *de;
    dict_init_safe_iterator(&di, d);
    while (ok && (de = dict_next(&di)) != NULL) {
        sds m = dict_get_key(de);
        if (in_batch == 0) in_batch = batch_open(fp, "SADD", key, left, 1, &ok);
        ok = ok && cat_bulk(fp, m, sds_len(m));
        in_batch--;
        left--;
    }
    dict_reset_iterator(&di);
    return ok;
}

static int write_zset(FILE *fp, sds key, robj *o) {
    int ok = 1, in_batch = 0;
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned long left = lp_length(lp) / 2;
        for (unsigned char *m = lp_first(lp); ok && m; m = lp_next(lp, lp_next(lp, m))) {
            unsigned char *sc = lp_next(lp, m);
            if (in_batch == 0) in_batch = batch_open(fp, "ZADD", key, left, 2, &ok);
            ok = ok && cat_bulk_double(fp, lp_entry_double(sc)) && cat_lp_entry(fp, m);
            in_batch--;
            left--;
        }
        return ok;
    }
    zset *zs = o->ptr;
    unsigned long left = zs->zsl->length;
    for (zsl_node *n = zs->zsl->header->level[0].forward; ok && n; n = n->level[0].forward) {
        if (in_batch == 0) in_batch = batch_open(fp, "ZADD", key, left, 2, &ok);
        ok = ok && cat_bulk_double(fp, n->score) && cat_bulk(fp, n->ele, sds_len(n->ele));
        in_batch--;
        left--;
    }
    return ok;
}

static int write_hash(FILE *fp, sds key, robj *o) {
    int ok = 1, in_batch = 0;
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = o->ptr;
        unsigned long left = lp_length(lp) / 2;
        for (unsigned char *f = lp_first(lp); ok && f; f = lp_next(lp, lp_next(lp, f))) {
            if (in_batch == 0) in_batch = batch_open(fp, "HMSET", key, left, 2, &ok);
            ok = ok && cat_lp_entry(fp, f) && cat_lp_entry(fp, lp_next(lp, f));
            in_batch--;
            left--;
        }
        return ok;
    }
    dict *d = o->ptr;
    unsigned long left = dict_size(d);
    dict_iterator di;
    dict_entry *de;
    dict_init_safe_iterator(&di, d);
    while (ok && (de = dict_next(&di)) != NULL) {
        sds f = dict_get_key(de), v = dict_get_val(de);
        if (in_batch == 0) in_batch = batch_open(fp, "HMSET", key, left, 2, &ok);
        ok = ok && cat_bulk(fp, f, sds_len(f)) && cat_bulk(fp, v, sds_len(v));
        in_batch--;
        left--;
    }
    dict_reset_iterator(&di);
    return ok;
}

/* ---------------------------------------------------------- streams
 * As Redis 7.0 rewrites a stream: one XADD per entry (an empty stream is
 * made by XADD ... MAXLEN 0 0-1 x y), XSETID with the last ID, entries
 * added and max deleted ID, then per group XGROUP CREATE ... ENTRIESREAD,
 * and per consumer one XCLAIM ... FORCE per pending entry (time and count
 * kept) or, with none pending, XGROUP CREATECONSUMER. */

static int cat_bulk_id(FILE *fp, const stream_id *id) {
    char buf[STREAM_ID_STR_LEN];
    int n = stream_id_format(buf, id);
    return cat_bulk(fp, buf, (size_t)n);
}

/* "*argc", the command name and its first argument. */
static int cat_cmd(FILE *fp, int argc, const char *name, const char *arg, size_t arglen) {
    return fprintf(fp, "*%d\r\n", argc) > 0 && cat_bulk(fp, name, strlen(name)) && cat_bulk(fp, arg, arglen);
}

static int write_stream_entries(FILE *fp, sds key, stream *s) {
    if (s->length == 0) {
        stream_id one = {0, 1};
        return cat_cmd(fp, 7, "XADD", key, sds_len(key)) && cat_bulk(fp, "MAXLEN", 6) && cat_bulk(fp, "0", 1) &&
               cat_bulk_id(fp, &one) && cat_bulk(fp, "x", 1) && cat_bulk(fp, "y", 1);
    }
    int ok = 1;
    stream_iter it;
    stream_id id;
    int64_t numfields;
    stream_iter_start(&it, s, NULL, NULL, 0);
    while (ok && stream_iter_next(&it, &id, &numfields)) {
        ok = cat_cmd(fp, 3 + (int)numfields * 2, "XADD", key, sds_len(key)) && cat_bulk_id(fp, &id);
        while (numfields--) {
            const unsigned char *f, *v;
            size_t flen, vlen;
            stream_iter_field(&it, &f, &flen, &v, &vlen);
            ok = ok && cat_bulk(fp, (const char *)f, flen) && cat_bulk(fp, (const char *)v, vlen);
        }
    }
    stream_iter_stop(&it);
    return ok;
}

static int write_stream_consumer(FILE *fp, sds key, const unsigned char *group, size_t glen, stream_consumer *cons) {
    if (rax_size(cons->pel) == 0)
        return cat_cmd(fp, 5, "XGROUP", "CREATECONSUMER", 14) && cat_bulk(fp, key, sds_len(key)) &&
               cat_bulk(fp, (const char *)group, glen) && cat_bulk(fp, cons->name, sds_len(cons->name));
    int ok = 1;
    rax_iter it;
    rax_start(&it, cons->pel);
    rax_seek(&it, "^", NULL, 0);
    while (ok && rax_next(&it)) {
        stream_nack *nack = it.data;
        stream_id id;
        stream_id_decode(it.key, &id);
        ok = cat_cmd(fp, 12, "XCLAIM", key, sds_len(key)) && cat_bulk(fp, (const char *)group, glen) &&
             cat_bulk(fp, cons->name, sds_len(cons->name)) && cat_bulk(fp, "0", 1) && cat_bulk_id(fp, &id) &&
             cat_bulk(fp, "TIME", 4) && cat_bulk_ll(fp, nack->delivery_time) && cat_bulk(fp, "RETRYCOUNT", 10) &&
             cat_bulk_ll(fp, (long long)nack->delivery_count) && cat_bulk(fp, "JUSTID", 6) && cat_bulk(fp, "FORCE", 5);
    }
    rax_stop(&it);
    return ok;
}

static int write_stream(FILE *fp, sds key, robj *o) {
    stream *s = o->ptr;
    int ok = write_stream_entries(fp, key, s) && cat_cmd(fp, 7, "XSETID", key, sds_len(key)) &&
             cat_bulk_id(fp, &s->last_id) && cat_bulk(fp, "ENTRIESADDED", 12) &&
             cat_bulk_ll(fp, (long long)s->entries_added) && cat_bulk(fp, "MAXDELETEDID", 12) && cat_bulk_id(fp, &s->max_deleted_entry_id);
    if (!ok || s->cgroups == NULL) return ok;
    rax_iter gi;
    rax_start(&gi, s->cgroups);
    rax_seek(&gi, "^", NULL, 0);
    while (ok && rax_next(&gi)) {
        stream_cg *cg = gi.data;
        ok = cat_cmd(fp, 7, "XGROUP", "CREATE", 6) && cat_bulk(fp, key, sds_len(key)) &&
             cat_bulk(fp, (const char *)gi.key, gi.key_len) && cat_bulk_id(fp, &cg->last_id) &&
             cat_bulk(fp, "ENTRIESREAD", 11) && cat_bulk_ll(fp, cg->entries_read);
        rax_iter ci;
        rax_start(&ci, cg->consumers);
        rax_seek(&ci, "^", NULL, 0);
        while (ok && rax_next(&ci)) ok = write_stream_consumer(fp, key, gi.key, gi.key_len, ci.data);
        rax_stop(&ci);
    }
    rax_stop(&gi);
    return ok;
}

static int write_key(FILE *fp, db *d, sds key, robj *o) {
    int ok;
    switch (o->type) {
    case OBJ_STRING: {
        char buf[32];
        size_t len;
        const char *p = obj_string_bytes(o, buf, &len);
        ok = fputs("*3\r\n$3\r\nSET\r\n", fp) >= 0 && cat_bulk(fp, key, sds_len(key)) && cat_bulk(fp, p, len);
        break;
    }
    case OBJ_LIST: ok = write_list(fp, key, o); break;
    case OBJ_SET: ok = write_set(fp, key, o); break;
    case OBJ_ZSET: ok = write_zset(fp, key, o); break;
    case OBJ_HASH: ok = write_hash(fp, key, o); break;
    case OBJ_STREAM: ok = write_stream(fp, key, o); break;
    default: return 1; /* a type this writer does not know: skipped */
    }
    dict_entry *de = ok ? dict_find(d->expires, key) : NULL;
    if (de)
        ok = fputs("*3\r\n$9\r\nPEXPIREAT\r\n", fp) >= 0 && cat_bulk(fp, key, sds_len(key)) &&
             cat_bulk_ll(fp, dict_get_signed_int_val(de));
    return ok;
}

static int write_commands(FILE *fp) {
    sds ts = aof_cat_timestamp(sds_empty(), 1);
    int ok = fwrite(ts, 1, sds_len(ts), fp) == sds_len(ts);
    sds_free(ts);
    /* Libraries first, as FUNCTION LOAD commands (Redis 7.0's order). */
    sds fns = fn_aof_rewrite(sds_empty());
    ok = ok && fwrite(fns, 1, sds_len(fns), fp) == sds_len(fns);
    sds_free(fns);
    for (int j = 0; ok && j < server.dbnum; j++) {
        db *d = &server.dbs[j];
        if (dict_size(d->keys) == 0) continue;
        ok = fputs("*2\r\n$6\r\nSELECT\r\n", fp) >= 0 && cat_bulk_ll(fp, j);
        dict_iterator di;
        dict_entry *de;
        dict_init_safe_iterator(&di, d->keys);
        while (ok && (de = dict_next(&di)) != NULL) ok = write_key(fp, d, dict_get_key(de), dict_get_val(de));
        dict_reset_iterator(&di);
    }
    return ok ? 0 : -1;
}

/* ---------------------------------------------------------- base file */

static int write_base_to(FILE *fp, int rdb) {
    if (!rdb) return write_commands(fp);
    rio r;
    rio_init_file(&r, fp);
    if (cfg.aof_rewrite_incremental_fsync) rio_set_autosync(&r, AOF_AUTOSYNC_BYTES);
    rdb_save_opts opts = {.aof_preamble = 1};
    return rdb_save_rio(&r, &opts);
}

static int write_base(const char *path, int rdb) {
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-rewriteaof-%d.aof", (int)getpid());
    FILE *fp = fopen(tmp, "w");
    if (fp == NULL) {
        log_warning("Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): %s", strerror(errno));
        return -1;
    }
    int rc = write_base_to(fp, rdb);
    if (rc == 0 && (fflush(fp) == EOF || fsync(fileno(fp)) == -1)) rc = -1;
    int saved = errno;
    if (fclose(fp) == EOF) rc = -1;
    if (rc == 0 && rename(tmp, path) == -1) rc = -1;
    if (rc == -1) {
        saved = errno;
        log_warning("Write error writing append only file on disk: %s", strerror(saved));
        unlink(tmp);
        errno = saved;
    }
    return rc;
}

int aof_base_is_rdb(void) {
    return cfg.aof_use_rdb_preamble;
}

int aof_write_base(const char *path) {
    return write_base(path, aof_base_is_rdb());
}

/* ---------------------------------------------------------- start */

static sds temp_incr_name(void) {
    return sds_cat_printf(sds_new("temp-"), "%s.incr", cfg.appendfilename);
}

static void temp_base_name(char *buf, size_t len, pid_t pid) {
    snprintf(buf, len, "temp-rewriteaof-bg-%d.aof", (int)pid);
}

/* What is written from now on goes to a new incr file (a temp one while
 * the AOF waits for its first base). 0, or -1 (logged). */
static int open_new_incr(void) {
    if (aof.status == AOF_OFF) return 0;
    sds name;
    aof_manifest *mf = NULL;
    int fd;
    if (aof.status == AOF_WAIT_REWRITE) {
        name = temp_incr_name();
        sds path = aof_path(name);
        fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0644);
        sds_free(path);
    } else {
        mf = aof_manifest_dup(aof.mf);
        name = aof_manifest_new_incr(mf);
        fd = aof_open_append(name);
    }
    if (fd == -1) {
        log_warning("Can't open the append-only file %s: %s", name, strerror(errno));
        goto fail;
    }
    if (mf && aof_manifest_persist(mf) == -1) {
        close(fd);
        sds path = aof_path(name);
        unlink(path);
        sds_free(path);
        goto fail;
    }
    log_notice("Creating AOF incr file %s on background rewrite", name);
    if (mf) {
        aof_manifest_free(aof.mf);
        aof.mf = mf;
    }
    if (aof.fd != -1) aof_bg_close(aof.fd); /* fsynced there, then closed */
    aof.fd = fd;
    aof.last_incr_size = 0;
    aof_reset_select();
    sds_free(name);
    return 0;
fail:
    aof_manifest_free(mf);
    sds_free(name);
    return -1;
}

static void rewrite_done(int exitcode, int bysignal);

int aof_rewrite_start(void) {
    if (aof_dir_create() == -1) {
        log_warning("Can't open or create append-only dir %s: %s", cfg.appenddirname, strerror(errno));
        aof.last_bgrewrite_ok = 0;
        return -1;
    }
    aof_flush(1);
    if (open_new_incr() == -1) {
        aof.last_bgrewrite_ok = 0;
        return -1;
    }
    rewrite_rdb = aof_base_is_rdb();
    childproc_set_done_handler(CHILD_AOF, rewrite_done);
    pid_t pid = childproc_fork(CHILD_AOF);
    if (pid == 0) {
        char tmp[64];
        temp_base_name(tmp, sizeof(tmp), getpid());
        if (write_base(tmp, rewrite_rdb) == 0) {
            log_notice("Successfully created the temporary AOF base file %s", tmp);
            childproc_child_send_cow(0);
            childproc_child_exit(0);
        }
        childproc_child_exit(1);
    }
    if (pid == -1) {
        log_warning("Can't rewrite append only file in background: fork: %s", strerror(errno));
        aof.last_bgrewrite_ok = 0;
        return -1;
    }
    log_notice("Background append only file rewriting started by pid %ld", (long)pid);
    aof.child_pid = pid;
    aof.rewrite_scheduled = 0;
    aof.rewrite_time_start = time(NULL);
    aof.stat_rewrites++;
    return 0;
}

/* ---------------------------------------------------------- done */

/* The child's base replaces the old one. 0, or -1 (logged). */
static int install_new_base(pid_t pid) {
    char tmp[64];
    temp_base_name(tmp, sizeof(tmp), pid);
    aof_manifest *mf = aof.mf ? aof_manifest_dup(aof.mf) : aof_manifest_new();
    sds base = aof_manifest_new_base(mf, rewrite_rdb);
    sds base_path = aof_path(base);
    sds incr = NULL, tmp_incr = NULL;
    int rc = -1;
    if (rename(tmp, base_path) == -1) {
        log_warning("Error trying to rename the temporary AOF base file %s into %s: %s", tmp, base, strerror(errno));
        unlink(tmp);
        goto done;
    }
    log_notice("Successfully renamed the temporary AOF base file %s into %s", tmp, base);
    if (aof.status == AOF_WAIT_REWRITE) {
        tmp_incr = temp_incr_name();
        incr = aof_manifest_new_incr(mf);
        sds from = aof_path(tmp_incr), to = aof_path(incr);
        int r = rename(from, to);
        sds_free(from);
        sds_free(to);
        if (r == -1) {
            log_warning("Error trying to rename the temporary AOF incr file %s into %s: %s", tmp_incr, incr,
                        strerror(errno));
            unlink(base_path);
            goto done;
        }
        log_notice("Successfully renamed the temporary AOF incr file %s into %s", tmp_incr, incr);
    }
    aof_manifest_incrs_to_history(mf);
    if (aof_manifest_persist(mf) == -1) {
        unlink(base_path);
        goto done;
    }
    aof_fsync_dir(cfg.appenddirname);
    aof_manifest_free(aof.mf);
    aof.mf = mf;
    mf = NULL;
    if (aof.status == AOF_WAIT_REWRITE) aof.status = AOF_ON;
    aof.current_size = aof_file_size(base) + aof.last_incr_size;
    aof.base_size = aof.current_size;
    aof.fsync_offset = aof.current_size;
    aof_manifest_delete_history(aof.mf);
    rc = 0;
done:
    aof_manifest_free(mf);
    sds_free(base);
    sds_free(base_path);
    sds_free(incr);
    sds_free(tmp_incr);
    return rc;
}

/* A failed rewrite leaves no temp file behind; a rewrite meant to turn the
 * AOF on is tried again. */
static void rewrite_cleanup_failed(pid_t pid) {
    char tmp[64];
    temp_base_name(tmp, sizeof(tmp), pid);
    unlink(tmp);
    sds name = temp_incr_name(), path = aof_path(name);
    unlink(path); /* only ever there while the AOF waits for its base */
    sds_free(name);
    sds_free(path);
    if (aof.status == AOF_WAIT_REWRITE) {
        if (aof.fd != -1) aof_bg_close(aof.fd);
        aof.fd = -1;
        aof.rewrite_scheduled = 1;
    }
}

/* childproc's done handler for CHILD_AOF. */
static void rewrite_done(int exitcode, int bysignal) {
    pid_t pid = childproc_pid();
    int ok = 0;
    if (!bysignal && exitcode == 0) {
        log_notice("Background AOF rewrite terminated with success");
        if (install_new_base(pid) == 0) {
            log_notice("Background AOF rewrite finished successfully");
            ok = 1;
        }
    } else if (!bysignal) {
        log_warning("Background AOF rewrite terminated with error");
    } else {
        log_warning("Background AOF rewrite terminated by signal %d", bysignal);
        if (bysignal == SIGUSR1) ok = -1; /* killed on purpose: not an error */
    }
    if (ok != 1) rewrite_cleanup_failed(pid);
    if (ok == 1) aof.rewrite_failures = 0;
    else if (ok == 0) aof.rewrite_failures++;
    if (ok != -1) aof.last_bgrewrite_ok = ok == 1;
    aof.rewrite_time_last = time(NULL) - aof.rewrite_time_start;
    aof.rewrite_time_start = -1;
    aof.child_pid = -1;
}

void aof_rewrite_kill(void) {
    if (aof.child_pid == -1) return;
    log_notice("Killing running AOF rewrite child: %ld", (long)aof.child_pid);
    int was_waiting = aof.status == AOF_WAIT_REWRITE;
    childproc_kill(); /* calls rewrite_done with SIGUSR1 */
    if (!was_waiting) aof.rewrite_scheduled = 0;
}

void aof_rewrite_cron(void) {
    if (childproc_active()) return;
    if (aof.rewrite_scheduled) {
        aof_rewrite_start();
        return;
    }
    if (aof.status == AOF_ON && cfg.aof_rewrite_perc && aof.current_size > cfg.aof_rewrite_min_size) {
        long long base = aof.base_size ? aof.base_size : 1;
        long long growth = (aof.current_size * 100 / base) - 100;
        if (growth >= cfg.aof_rewrite_perc) {
            log_notice("Starting automatic rewriting of AOF on %lld%% growth", growth);
            aof_rewrite_start();
        }
    }
}

/* ---------------------------------------------------------- command */

static void bgrewriteaof_command(client *c) {
    if (aof.child_pid != -1) {
        reply_error(c, "Background append only file rewriting already in progress");
    } else if (aof_child_active()) {
        aof.rewrite_scheduled = 1;
        reply_status(c, "Background append only file rewriting scheduled");
    } else if (aof_rewrite_start() == 0) {
        reply_status(c, "Background append only file rewriting started");
    } else {
        reply_error(c, "Can't execute an AOF background rewriting. Please check the server logs for more "
                       "information.");
    }
}

redis_command aof_commands[] = {
    {.name = "bgrewriteaof", .proc = bgrewriteaof_command, .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING, .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS,
     .group = "server", .since = "1.0.0", .summary = "Asynchronously rewrite the append-only file",
     .complexity = "O(1)"},
    {0}};
