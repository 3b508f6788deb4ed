/* aof_check.c -- minired-check-aof, the server binary run under that name:
 * checks an AOF (a manifest and its files, or one old-style file) the way
 * redis-check-aof 7.0 does, with its output lines, and with --fix cuts a
 * torn tail of the last file after asking.
 *
 * Runs before (instead of) the server: no event loop, no clients. An RDB
 * preamble is checked by loading it into a private keyspace with the RDB
 * loader (its warnings name what is wrong); the command tail after it is
 * checked as any AOF. */
#include "aof_int.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "function.h"
#include "db.h"
#include "rdb.h"
#include "zmalloc.h"

#define CHECK_LINE_MAX 1024

enum check_result { CHECK_OK, CHECK_TRUNCATED, CHECK_FORMAT_ERROR, CHECK_NOT_FOUND, CHECK_EMPTY };

/* Parser state shared across the files of one run (Redis counts lines
 * over the whole manifest). */
static long long line_no = 1;
static off_t err_pos;
static char error[1024];

#define CHECK_ERROR(...)                                                                    \
    do {                                                                                    \
        char b_[900];                                                                       \
        snprintf(b_, sizeof(b_), __VA_ARGS__);                                              \
        snprintf(error, sizeof(error), "0x%16llx: %s", (unsigned long long)err_pos, b_);    \
    } while (0)

static int consume_newline(const char *p) {
    if (strncmp(p, "\r\n", 2) != 0) {
        CHECK_ERROR("Expected \\r\\n, got: %02x%02x", (unsigned char)p[0], (unsigned char)p[1]);
        return 0;
    }
    line_no++;
    return 1;
}

static int read_long(FILE *fp, char prefix, long *target) {
    char buf[128], *eol;
    if (fgets(buf, sizeof(buf), fp) == NULL) return 0;
    err_pos = ftello(fp);
    if (buf[0] != prefix) {
        CHECK_ERROR("Expected prefix '%c', got: '%c'", prefix, buf[0]);
        return 0;
    }
    *target = strtol(buf + 1, &eol, 10);
    return consume_newline(eol);
}

static int read_string(FILE *fp, char **target) {
    long len;
    *target = NULL;
    if (!read_long(fp, '$', &len)) return 0;
    if (len < 0 || len > 512L * 1024 * 1024 * 4) {
        CHECK_ERROR("Expected to read string of %ld bytes, which is not in the suitable range", len);
        return 0;
    }
    char *data = zmalloc((size_t)len + 2);
    size_t got = fread(data, 1, (size_t)len + 2, fp);
    if (got != (size_t)len + 2) {
        CHECK_ERROR("Expected to read %ld bytes, got %ld bytes", len + 2, (long)got);
        zfree(data);
        return 0;
    }
    if (!consume_newline(data + len)) {
        zfree(data);
        return 0;
    }
    data[len] = '\0';
    *target = data;
    return 1;
}

/* Walks commands from the current position. Returns the offset up to
 * which the file is valid; *result says how it ended. */
static off_t check_commands(FILE *fp, const char *filename, enum check_result *result) {
    off_t pos = 0;
    int multi = 0;
    *result = CHECK_OK;
    for (;;) {
        if (!multi) pos = ftello(fp);
        char buf[CHECK_LINE_MAX];
        if (fgets(buf, sizeof(buf), fp) == NULL) break;
        if (fseeko(fp, ftello(fp) - (off_t)strlen(buf), SEEK_SET) == -1) break;
        if (buf[0] == '#') {
            /* An annotation: a line of its own. */
            if (fgets(buf, sizeof(buf), fp) == NULL) break;
            line_no++;
            continue;
        }
        if (buf[0] != '*') {
            printf("AOF %s format error\n", filename);
            *result = CHECK_FORMAT_ERROR;
            return pos;
        }
        long argc;
        if (!read_long(fp, '*', &argc)) break;
        long i;
        for (i = 0; i < argc; i++) {
            char *str;
            if (!read_string(fp, &str)) break;
            if (i == 0) {
                if (strcasecmp(str, "multi") == 0) {
                    if (multi++) {
                        CHECK_ERROR("Unexpected MULTI");
                        zfree(str);
                        break;
                    }
                } else if (strcasecmp(str, "exec") == 0) {
                    if (--multi) {
                        CHECK_ERROR("Unexpected EXEC");
                        zfree(str);
                        break;
                    }
                }
            }
            zfree(str);
        }
        if (i < argc) break;
    }
    if (feof(fp) && multi && error[0] == '\0') CHECK_ERROR("Reached EOF before reading EXEC for MULTI");
    if (error[0]) {
        printf("%s\n", error);
        *result = CHECK_TRUNCATED;
    }
    return pos;
}

/* Loads the RDB at the start of fp into a scratch keyspace, leaving fp
 * after it. 1 when it loaded. */
static int check_preamble(FILE *fp) {
    static int ready;
    if (!ready) {
        char *quiet[2] = {"loglevel", "warning"};
        sds err = NULL;
        if (config_set_pairs(2, quiet, 1, &err) == -1) sds_free(err);
        db_init(cfg.databases);
        function_lua_init(); /* a preamble may hold libraries */
        ready = 1;
    }
    rio r;
    rio_init_file(&r, fp);
    int ok = rdb_load_rio(&r, RDB_LOAD_AOF_PREAMBLE, NULL) == RDB_OK;
    db_empty(-1);
    fn_flush_all();
    return ok;
}

static int is_rdb(FILE *fp) {
    char sig[5];
    int rdb = fread(sig, 1, 5, fp) == 5 && memcmp(sig, "REDIS", 5) == 0;
    fseeko(fp, 0, SEEK_SET);
    return rdb;
}

/* Checks one file; with fix, a torn tail may be cut (after asking). */
static enum check_result check_file(const char *path, const char *shown, int fix, int preamble_ok) {
    FILE *fp = fopen(path, fix ? "r+" : "r");
    if (fp == NULL) {
        printf("Cannot open file %s: %s\n", path, strerror(errno));
        exit(1);
    }
    struct stat st;
    if (fstat(fileno(fp), &st) == -1) {
        printf("Cannot stat file: %s, aborting...\n", path);
        exit(1);
    }
    off_t size = st.st_size;
    if (size == 0) {
        fclose(fp);
        return CHECK_EMPTY;
    }
    error[0] = '\0';
    enum check_result res;
    off_t pos;
    if (preamble_ok && is_rdb(fp)) {
        if (!check_preamble(fp)) {
            printf("RDB preamble of AOF file is not sane, aborting.\n");
            exit(1);
        }
        printf("RDB preamble is OK, proceeding with AOF tail...\n");
    }
    pos = check_commands(fp, shown, &res);
    off_t diff = size - pos;
    printf("AOF analyzed: filename=%s, size=%lld, ok_up_to=%lld, ok_up_to_line=%lld, diff=%lld\n", shown,
           (long long)size, (long long)pos, line_no, (long long)diff);
    if (diff > 0 && res == CHECK_OK) res = CHECK_TRUNCATED;
    if (res != CHECK_OK && fix && res == CHECK_TRUNCATED) {
        printf("This will shrink the AOF %s from %lld bytes, with %lld bytes, to %lld bytes\n", shown, (long long)size,
               (long long)diff, (long long)pos);
        printf("Continue? [y/N]: ");
        fflush(stdout);
        char buf[2];
        if (fgets(buf, sizeof(buf), stdin) == NULL || strncasecmp(buf, "y", 1) != 0) {
            printf("Aborting...\n");
            exit(1);
        }
        if (ftruncate(fileno(fp), pos) == -1) {
            printf("Failed to truncate AOF %s\n", shown);
            exit(1);
        }
        printf("Successfully truncated AOF %s\n", shown);
        res = CHECK_OK;
    }
    fclose(fp);
    return res;
}

static void report_invalid(const char *shown) {
    printf("AOF %s is not valid. Use the --fix option to try fixing it.\n", shown);
    exit(1);
}

static int check_manifest(const char *path, int fix) {
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        printf("Cannot open file %s: %s\n", path, strerror(errno));
        exit(1);
    }
    sds text = sds_empty();
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) text = sds_cat_len(text, chunk, n);
    fclose(fp);
    sds err = NULL;
    aof_manifest *mf = aof_manifest_parse(text, sds_len(text), &err);
    sds_free(text);
    if (mf == NULL) {
        printf("Invalid AOF manifest file format: %s\n", err);
        exit(1);
    }
    char *copy = zstrdup(path);
    sds dir = sds_new(dirname(copy));
    zfree(copy);
    printf("Start checking Multi Part AOF\n");
    if (mf->base) {
        sds bpath = sds_cat_printf(sds_dup(dir), "/%s", mf->base->name);
        FILE *bf = fopen(bpath, "r");
        int rdb = bf && is_rdb(bf);
        if (bf) fclose(bf);
        printf("Start to check BASE AOF (%s format).\n", rdb ? "RDB" : "RESP");
        enum check_result r = check_file(bpath, mf->base->name, fix && mf->incr_len == 0, 1);
        sds_free(bpath);
        if (r == CHECK_EMPTY) printf("BASE AOF %s is empty\n", mf->base->name);
        else if (r == CHECK_OK) printf("BASE AOF %s is valid\n", mf->base->name);
        else report_invalid(mf->base->name);
    }
    if (mf->incr_len) printf("Start to check INCR files.\n");
    for (int i = 0; i < mf->incr_len; i++) {
        const char *name = mf->incr[i].name;
        sds ipath = sds_cat_printf(sds_dup(dir), "/%s", name);
        enum check_result r = check_file(ipath, name, fix && i == mf->incr_len - 1, 0);
        sds_free(ipath);
        if (r == CHECK_EMPTY) printf("INCR AOF %s is empty\n", name);
        else if (r == CHECK_OK) printf("INCR AOF %s is valid\n", name);
        else report_invalid(name);
    }
    printf("All AOF files and manifest are valid\n");
    sds_free(dir);
    aof_manifest_free(mf);
    return 0;
}

/* A manifest starts with "file " (or a comment) on its first line. */
static int looks_like_manifest(const char *path) {
    FILE *fp = fopen(path, "r");
    if (fp == NULL) return 0;
    char buf[CHECK_LINE_MAX];
    int yes = fgets(buf, sizeof(buf), fp) != NULL && (strncmp(buf, "file ", 5) == 0 || buf[0] == '#');
    fclose(fp);
    return yes;
}

int aof_check_main(int argc, char **argv) {
    config_init_defaults();
    const char *file = NULL;
    int fix = 0;
    const char *prog = "minired-check-aof";
    if (argc == 2) {
        file = argv[1];
    } else if (argc == 3 && strcmp(argv[1], "--fix") == 0) {
        file = argv[2];
        fix = 1;
    }
    if (file == NULL) {
        printf("Usage: %s [--fix] <file.manifest|file.aof>\n", prog);
        return 1;
    }
    if (looks_like_manifest(file)) return check_manifest(file, fix);
    printf("Start checking Old-Style AOF\n");
    enum check_result r = check_file(file, file, fix, 1);
    if (r == CHECK_OK || r == CHECK_EMPTY) {
        printf("AOF %s is valid\n", file);
        return 0;
    }
    report_invalid(file);
    return 1;
}
