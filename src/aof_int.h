/* aof_int.h -- what the AOF files share among themselves (aof.c: the
 * state, feeding, writing and fsync; aof_manifest.c: the manifest and file
 * names; aof_rewrite.c: BGREWRITEAOF; aof_load.c: loading at start and the
 * check tool). Only aof*.c include it; everyone else uses aof.h. */
#ifndef MINIRED_AOF_INT_H
#define MINIRED_AOF_INT_H

#include <stdio.h>
#include <sys/types.h>

#include "aof.h"
#include "sds.h"

/* Manifest entry types, as Redis 7.0 writes them ("type b"...). */
#define AOF_FILE_BASE 'b'
#define AOF_FILE_HIST 'h'
#define AOF_FILE_INCR 'i'

/* Longest manifest line Redis 7.0 accepts. */
#define AOF_MANIFEST_MAX_LINE 1024
/* Elements per RPUSH / SADD / ZADD / HMSET of a rewrite (Redis's value). */
#define AOF_REWRITE_ITEMS_PER_CMD 64
/* Reuse the AOF buffer after a write while it is smaller than this. */
#define AOF_BUF_REUSE_BYTES 4000
/* everysec: an fsync still running this long lets writes go on anyway. */
#define AOF_MAX_FSYNC_POSTPONE_SEC 2
/* The rewrite child and the base written at start fsync every this many
 * bytes (aof-rewrite-incremental-fsync). */
#define AOF_AUTOSYNC_BYTES (4 * 1024 * 1024)

enum aof_status { AOF_OFF = 0, AOF_ON, AOF_WAIT_REWRITE };

typedef struct aof_file {
    sds name;
    long long seq;
    char type;
} aof_file;

typedef struct aof_manifest {
    aof_file *base;          /* NULL when there is none */
    aof_file *incr;          /* oldest first */
    int incr_len;
    aof_file *hist;
    int hist_len;
    long long base_seq;      /* last base sequence used */
    long long incr_seq;      /* last incr sequence used */
} aof_manifest;

/* The AOF's runtime state: written by aof*.c only. */
struct aof_state {
    int status;                   /* enum aof_status */
    aof_manifest *mf;             /* NULL until loaded or created */
    int fd;                       /* the incr file written to, or -1 */
    sds buf;                      /* effects waiting for before-sleep */
    long long current_size;       /* INFO aof_current_size */
    long long base_size;          /* INFO aof_base_size (auto rewrite's 100%) */
    long long last_incr_size;     /* bytes in the open incr file */
    long long fsync_offset;       /* current_size when the last fsync began */
    time_t last_fsync;
    time_t flush_postponed_start; /* everysec: first postponed write, 0: none */
    long long delayed_fsync;      /* INFO aof_delayed_fsync */
    int last_write_ok;            /* INFO aof_last_write_status */
    int last_write_errno;
    time_t last_write_error_log;  /* rate limit of the error lines */
    long long cur_timestamp;      /* last "#TS:" written (unix seconds) */
    /* rewrite (aof_rewrite.c) */
    pid_t child_pid;              /* -1: none */
    int rewrite_scheduled;
    time_t rewrite_time_start;    /* -1 when no rewrite runs */
    time_t rewrite_time_last;     /* seconds the last one took, -1: none */
    int last_bgrewrite_ok;
    long long stat_rewrites;
    long long rewrite_failures;   /* consecutive */
};
extern struct aof_state aof;

/* ---------------------------------------------------------- aof_manifest.c */

aof_manifest *aof_manifest_new(void);
void aof_manifest_free(aof_manifest *mf);
aof_manifest *aof_manifest_dup(const aof_manifest *mf);
/* Parses manifest text. Returns new, or NULL with *err a new sds. */
aof_manifest *aof_manifest_parse(const char *text, size_t len, sds *err);
/* Returns the manifest text (new sds), Redis's line format and order. */
sds aof_manifest_format(const aof_manifest *mf);
/* Reads <dir>/<appendfilename>.manifest. Returns new (empty when the file
 * does not exist), or NULL after logging why it is unusable. */
aof_manifest *aof_manifest_load(void);
/* Writes the manifest atomically: temp file, fsync, rename, fsync dir.
 * 0, or -1 with the reason logged. */
int aof_manifest_persist(const aof_manifest *mf);
/* New file names. Each returns new sds (the name inside the AOF dir) and
 * records the file in mf: a new base makes the old one history; a new incr
 * is appended. */
sds aof_manifest_new_base(aof_manifest *mf, int rdb);
sds aof_manifest_new_incr(aof_manifest *mf);
/* Moves every incr file but the newest to history (after a rewrite). */
void aof_manifest_incrs_to_history(aof_manifest *mf);
/* Deletes history files (unless aof-disable-auto-gc) and persists. */
void aof_manifest_delete_history(aof_manifest *mf);
/* Returns new "<appenddirname>/<name>". */
sds aof_path(const char *name);
/* Creates the AOF directory if missing: 0 / -1 (errno set). */
int aof_dir_create(void);
/* fsyncs a directory so a rename in it survives a crash: 0 / -1. */
int aof_fsync_dir(const char *dir);
/* Size of the file name inside the AOF dir, 0 if missing. */
long long aof_file_size(const char *name);

/* ---------------------------------------------------------- aof.c */

/* Writes the AOF buffer to the incr file, fsyncing per appendfsync.
 * force: write even while a background fsync runs (everysec). */
void aof_flush(int force);
/* Opens (creating) name in the AOF dir for appending: fd or -1. */
int aof_open_append(const char *name);
/* Hands fd to the background thread to be closed (after any fsync queued
 * on it). */
void aof_bg_close(int fd);
/* Forgets the stream's database so the next effect starts with SELECT (a
 * new incr file must say which database it writes to). */
void aof_reset_select(void);
/* Stops (1) or resumes (0) feeding the AOF from the effects stream. */
void aof_feed_pause(int pause);
/* Appends a "#TS:" line to s when aof-timestamp-enabled and the second
 * changed since the last one (or always, with force). Returns s. */
sds aof_cat_timestamp(sds s, int force);

/* ---------------------------------------------------------- aof_rewrite.c */

/* Writes the dataset as the AOF base file at path (RDB preamble or
 * commands per aof-use-rdb-preamble), fsynced. 0 / -1 (errno set).
 * Usable in a forked child. */
int aof_write_base(const char *path);
/* 1 when a base written now is an RDB (aof-use-rdb-preamble yes). */
int aof_base_is_rdb(void);
/* The cron's part: start a scheduled or automatic rewrite (childproc
 * reaps the child and calls the done handler). */
void aof_rewrite_cron(void);
/* Starts a background rewrite now: 0, or -1 (logged). */
int aof_rewrite_start(void);
/* Kills a running rewrite child and removes its temp files. */
void aof_rewrite_kill(void);
/* 1 while any child process (rewrite or snapshot) runs (childproc). */
int aof_child_active(void);

/* ---------------------------------------------------------- aof_load.c */

/* Loads the AOF named by the manifest (migrating a 6.x file first).
 * Returns AOF_LOAD_* (aof.h); logs Redis's lines. */
int aof_load_files(void);

#endif
