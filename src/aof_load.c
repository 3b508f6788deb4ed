/* aof_load.c -- loading the AOF at start, as Redis 7.0 does: a Redis 6.x
 * single file found in dir is first moved into the AOF directory under a
 * new manifest; then the base (RDB preamble or commands) and each incr
 * file are replayed through the command path on a socketless client.
 *
 * A torn tail of the last file (or a MULTI without its EXEC) is cut away
 * when aof-load-truncated is yes, and refused otherwise; anything else
 * malformed is fatal, with Redis's log lines. Never writes the AOF. */
#include "aof_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "db.h"
#include "function.h"
#include "reply.h"
#include "log.h"
#include "networking.h"
#include "propagate.h"
#include "rdb.h"
#include "server.h"
#include "snapshot.h"
#include "zmalloc.h"


/* Longest line read as a header or annotation (Redis's buffer size). */
#define AOF_LINE_MAX 1024
/* Loading progress (INFO loading_*, clients served -LOADING) is reported
 * every this many commands. */
#define AOF_PROGRESS_EVERY_COMMANDS 1024

/* At start, loading reports progress through the shared loading state;
 * DEBUG LOADAOF (inside a command) does not serve clients meanwhile. */
static int report_progress;
static off_t progress_base; /* bytes of the files already loaded */

static void rdb_progress(size_t loaded) {
    snapshot_loading_progress(progress_base + (off_t)loaded);
}

static long long now_us(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Runs one parsed command; 0, or -1 when its name is unknown. */
static int run_command(client *c, int argc, sds *argv, const char *name, int *in_multi) {
    if (cmd_lookup_sds(argv[0]) == NULL) {
        log_warning("Unknown command '%s' reading the append only file %s", argv[0], name);
        return -1;
    }
    sds reply = cmd_run_argv(c, CMD_CALLER_LOADER, argc, argv);
    sds_free(reply);
    *in_multi = (c->flags & CLIENT_MULTI) != 0;
    return 0;
}

enum parse_result { PARSE_OK, PARSE_EOF, PARSE_TRUNCATED, PARSE_FORMAT, PARSE_READ_ERROR };

/* Reads one command into argv (new array of new sds). */
static enum parse_result read_command(FILE *fp, int *argc_out, sds **argv_out) {
    char buf[AOF_LINE_MAX];
    for (;;) {
        if (fgets(buf, sizeof(buf), fp) == NULL) return feof(fp) ? PARSE_EOF : PARSE_READ_ERROR;
        if (buf[0] != '#') break; /* annotations (#TS:...) are skipped */
    }
    if (buf[0] != '*') return PARSE_FORMAT;
    if (buf[1] == '\0') return PARSE_TRUNCATED;
    long argc = strtol(buf + 1, NULL, 10);
    if (argc < 1 || argc > 1024 * 1024 * 1024) return PARSE_FORMAT;
    sds *argv = zcalloc(sizeof(sds) * (size_t)argc);
    enum parse_result r = PARSE_OK;
    long j;
    for (j = 0; j < argc; j++) {
        if (fgets(buf, sizeof(buf), fp) == NULL) {
            r = feof(fp) ? PARSE_TRUNCATED : PARSE_READ_ERROR;
            break;
        }
        if (buf[0] != '$') {
            r = PARSE_FORMAT;
            break;
        }
        long len = strtol(buf + 1, NULL, 10);
        if (len < 0 || len > cfg.proto_max_bulk_len * 4) {
            r = PARSE_FORMAT;
            break;
        }
        argv[j] = sds_new_len_uninit((size_t)len);
        char crlf[2];
        if ((len && fread(argv[j], (size_t)len, 1, fp) == 0) || fread(crlf, 2, 1, fp) == 0) {
            r = feof(fp) ? PARSE_TRUNCATED : PARSE_READ_ERROR;
            break;
        }
    }
    if (r != PARSE_OK) {
        for (long i = 0; i < argc; i++) sds_free(argv[i]);
        zfree(argv);
        return r;
    }
    *argc_out = (int)argc;
    *argv_out = argv;
    return PARSE_OK;
}

/* Cuts a torn tail away (aof-load-truncated), else says how to fix it. */
static int handle_truncated(const char *name, const char *path, off_t valid_up_to) {
    if (cfg.aof_load_truncated) {
        log_warning("!!! Warning: short read while loading the AOF file %s!!!", name);
        log_warning("!!! Truncating the AOF %s at offset %llu !!!", name, (unsigned long long)valid_up_to);
        if (truncate(path, valid_up_to) == -1) {
            log_warning("Error truncating the AOF file %s: %s", name, strerror(errno));
        } else {
            log_warning("AOF %s loaded anyway because aof-load-truncated is enabled", name);
            return AOF_LOAD_TRUNCATED;
        }
    }
    log_warning("Unexpected end of file reading the append only file %s. You can: 1) Make a backup of your AOF "
                "file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the "
                "'aof-load-truncated' configuration option to yes and restart the server.",
                name);
    return AOF_LOAD_FAILED;
}

/* An RDB preamble (the file starts with "REDIS"): loaded through the RDB
 * loader, after which commands may follow (a 6.x preamble AOF). */
static int load_preamble(FILE *fp, const char *name) {
    int old_style = strcmp(name, cfg.appendfilename) == 0;
    log_notice(old_style ? "Reading RDB preamble from AOF file..." : "Reading RDB base file on AOF loading...");
    rio r;
    rio_init_file(&r, fp);
    if (report_progress) rdb_set_progress_hook(rdb_progress);
    int rc = rdb_load_rio(&r, RDB_LOAD_AOF_PREAMBLE, NULL);
    if (report_progress) rdb_set_progress_hook(NULL);
    if (rc != RDB_OK) {
        if (old_style)
            log_warning("Error reading the RDB preamble of the AOF file %s, AOF loading aborted", name);
        else
            log_warning("Error reading the RDB base file %s, AOF loading aborted", name);
        return -1;
    }
    if (old_style) log_notice("Reading the remaining AOF tail...");
    return 0;
}

static int replay(FILE *fp, const char *name, const char *path, client *c) {
    off_t valid_up_to = ftello(fp), valid_before_multi = valid_up_to;
    int in_multi = 0;
    for (long long n = 1;; n++) {
        if (report_progress && n % AOF_PROGRESS_EVERY_COMMANDS == 0)
            snapshot_loading_progress(progress_base + ftello(fp));
        int argc;
        sds *argv;
        off_t start = ftello(fp);
        enum parse_result r = read_command(fp, &argc, &argv);
        if (r == PARSE_EOF) break;
        if (r == PARSE_FORMAT) {
            log_warning("Bad file format reading the append only file %s: make a backup of your AOF file, then "
                        "use ./redis-check-aof --fix <filename.manifest>",
                        name);
            return AOF_LOAD_FAILED;
        }
        if (r == PARSE_READ_ERROR) {
            log_warning("Unrecoverable error reading the append only file %s: %s", name, strerror(errno));
            return AOF_LOAD_FAILED;
        }
        if (r == PARSE_TRUNCATED) return handle_truncated(name, path, valid_up_to);
        if (!in_multi && strcasecmp(argv[0], "multi") == 0) valid_before_multi = start;
        int rc = run_command(c, argc, argv, name, &in_multi);
        for (int i = 0; i < argc; i++) sds_free(argv[i]);
        zfree(argv);
        if (rc == -1) return AOF_LOAD_FAILED;
        valid_up_to = ftello(fp);
    }
    if (in_multi) {
        /* A transaction without its EXEC is a torn tail too. */
        log_warning("Revert incomplete MULTI/EXEC transaction in AOF file %s", name);
        return handle_truncated(name, path, valid_before_multi);
    }
    return AOF_LOAD_OK;
}

/* Loads one file of the AOF directory (name as in the manifest). */
static int load_one(const char *name, client *c) {
    sds path = aof_path(name);
    int ret = AOF_LOAD_FAILED;
    FILE *fp = fopen(path, "r");
    struct stat st;
    if (fp == NULL) {
        int en = errno;
        if (stat(path, &st) == 0 || errno != ENOENT) {
            log_warning("Fatal error: can't open the append log file %s for reading: %s", name, strerror(en));
        } else {
            log_warning("The append log file %s doesn't exist: %s", name, strerror(errno));
            ret = AOF_LOAD_NOT_EXIST;
        }
        sds_free(path);
        return ret;
    }
    if (fstat(fileno(fp), &st) == 0 && st.st_size == 0) {
        ret = AOF_LOAD_EMPTY;
        goto done;
    }
    char sig[5];
    int is_rdb = fread(sig, 1, 5, fp) == 5 && memcmp(sig, "REDIS", 5) == 0;
    if (fseeko(fp, 0, SEEK_SET) == -1) goto done;
    if (is_rdb && load_preamble(fp, name) == -1) goto done;
    ret = replay(fp, name, path, c);
done:
    fclose(fp);
    sds_free(path);
    return ret;
}

/* A Redis 6.x appendonly.aof in dir becomes the base of a new manifest
 * inside the AOF directory. Exits on failure, as Redis does. */
static void migrate_old_style(aof_manifest *mf) {
    if (aof_dir_create() == -1) {
        log_warning("Can't open or create append-only dir %s: %s", cfg.appenddirname, strerror(errno));
        exit(1);
    }
    if (mf->base) {
        sds_free(mf->base->name);
        zfree(mf->base);
    }
    mf->base = zmalloc(sizeof(aof_file));
    *mf->base = (aof_file){.name = sds_new(cfg.appendfilename), .seq = 1, .type = AOF_FILE_BASE};
    mf->base_seq = 1;
    if (aof_manifest_persist(mf) == -1) exit(1);
    sds to = aof_path(cfg.appendfilename);
    if (rename(cfg.appendfilename, to) == -1) {
        log_warning("Error trying to rename the existing AOF to the AOF directory, old name: %s, new name: %s: %s",
                    cfg.appendfilename, to, strerror(errno));
        exit(1);
    }
    sds_free(to);
    aof_fsync_dir(cfg.appenddirname);
    log_notice("Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).", cfg.appendfilename,
               cfg.appenddirname);
}

static int needs_migration(const aof_manifest *mf) {
    struct stat st;
    if (stat(cfg.appendfilename, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    if (stat(cfg.appenddirname, &st) != 0) return 1;
    if (mf->base == NULL && mf->incr_len == 0) return 1;
    /* A migration interrupted after the manifest was written. */
    return mf->base && mf->incr_len == 0 && strcmp(mf->base->name, cfg.appendfilename) == 0 &&
           aof_file_size(cfg.appendfilename) == 0;
}

/* Base then incr files; the truncated one must be the last. */
static int load_all(aof_manifest *mf, client *c) {
    int total = (mf->base ? 1 : 0) + mf->incr_len, idx = 0;
    int ret = AOF_LOAD_OK;
    long long loaded_bytes = 0;
    for (int i = -1; i < mf->incr_len; i++) {
        if (i == -1 && mf->base == NULL) continue;
        const char *name = i == -1 ? mf->base->name : mf->incr[i].name;
        int last = ++idx == total;
        long long start = now_us();
        progress_base = (off_t)loaded_bytes;
        ret = load_one(name, c);
        if (ret == AOF_LOAD_OK || (ret == AOF_LOAD_TRUNCATED && last))
            log_notice("DB loaded from %s file %s: %.3f seconds", i == -1 ? "base" : "incr", name,
                       (double)(now_us() - start) / 1000000);
        if (ret == AOF_LOAD_EMPTY) ret = AOF_LOAD_OK;
        if (ret == AOF_LOAD_TRUNCATED && !last) {
            log_warning("Fatal error: the truncated file is not the last file");
            ret = AOF_LOAD_FAILED;
        }
        if (ret != AOF_LOAD_OK && ret != AOF_LOAD_TRUNCATED) return ret == AOF_LOAD_NOT_EXIST ? AOF_LOAD_FAILED : ret;
        long long sz = aof_file_size(name);
        if (i == -1) aof.base_size = sz;
        loaded_bytes += sz;
    }
    aof.current_size = loaded_bytes;
    aof.fsync_offset = loaded_bytes;
    return ret;
}

int aof_load_files(void) {
    long long current = aof.current_size, last_incr = aof.last_incr_size;
    aof_manifest *mf = aof_manifest_load();
    if (mf == NULL) return AOF_LOAD_FAILED;
    if (needs_migration(mf)) migrate_old_style(mf);
    aof_manifest_free(aof.mf);
    aof.mf = mf;
    if (mf->base == NULL && mf->incr_len == 0) return AOF_LOAD_NOT_EXIST;
    long long total = mf->base ? aof_file_size(mf->base->name) : 0;
    for (int i = 0; i < mf->incr_len; i++) total += aof_file_size(mf->incr[i].name);
    if (total == 0) {
        aof.base_size = aof.current_size = 0;
        return AOF_LOAD_EMPTY;
    }
    if (report_progress) snapshot_loading_begin((off_t)total);
    client *c = net_create_client(-1);
    c->flags |= CLIENT_NO_SOCKET | CLIENT_REPLAY;
    long long numcommands = server.stat_numcommands;
    int ret = load_all(mf, c);
    /* Replayed commands are not the clients' commands. */
    server.stat_numcommands = numcommands;
    net_free_client(c);
    if (report_progress) snapshot_loading_end();
    if (aof.fd != -1) { /* DEBUG LOADAOF: the open incr file goes on */
        aof.current_size = current;
        aof.last_incr_size = last_incr;
    }
    return ret;
}

int aof_load_at_start(void) {
    long long start = now_us();
    report_progress = 1;
    int ret = aof_load_files();
    report_progress = 0;
    if (ret == AOF_LOAD_FAILED) exit(1);
    if (ret != AOF_LOAD_NOT_EXIST)
        log_notice("DB loaded from append only file: %.3f seconds", (double)(now_us() - start) / 1000000);
    cmd_reset_stats();
    return ret;
}

/* DEBUG LOADAOF: flush, empty the keyspace and load the AOF again (the
 * replayed commands are not fed back into the AOF). Exits when the AOF
 * cannot be loaded, as Redis does. */
void aof_debug_loadaof(client *c) {
    if (aof.status == AOF_ON) aof_flush(1);
    aof_feed_pause(1);
    db_empty(-1);
    fn_flush_all(); /* the AOF holds the functions too */
    long long numcommands = server.stat_numcommands;
    int ret = aof_load_files();
    server.stat_numcommands = numcommands;
    aof_feed_pause(0);
    if (ret != AOF_LOAD_OK && ret != AOF_LOAD_EMPTY && ret != AOF_LOAD_NOT_EXIST) exit(1);
    if (aof.mf) aof_manifest_delete_history(aof.mf);
    /* The replay moved the change counter; DEBUG itself is no effect. */
    prop_prevent(c);
    log_notice("Append Only File loaded by DEBUG LOADAOF");
    reply_ok(c);
}
