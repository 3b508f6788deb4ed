/* aof_manifest.c -- the AOF manifest: which base, incremental and history
 * files make up the AOF, and their names, in Redis 7.0's exact format
 * ("file <name> seq <n> type b|h|i", base first, then history, then incr).
 *
 * The manifest on disk is only ever replaced whole (temp file, fsync,
 * rename, fsync of the directory), so a crash leaves the old one or the
 * new one, never a mix. Never touches the keyspace or clients. */
#include "aof_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "util.h"
#include "zmalloc.h"

aof_manifest *aof_manifest_new(void) {
    return zcalloc(sizeof(aof_manifest));
}

static void file_free(aof_file *f) {
    sds_free(f->name);
}

void aof_manifest_free(aof_manifest *mf) {
    if (mf == NULL) return;
    if (mf->base) {
        file_free(mf->base);
        zfree(mf->base);
    }
    for (int i = 0; i < mf->incr_len; i++) file_free(&mf->incr[i]);
    for (int i = 0; i < mf->hist_len; i++) file_free(&mf->hist[i]);
    zfree(mf->incr);
    zfree(mf->hist);
    zfree(mf);
}

static void list_push(aof_file **list, int *len, const char *name, long long seq, char type) {
    *list = zrealloc(*list, sizeof(aof_file) * (size_t)(*len + 1));
    (*list)[*len] = (aof_file){.name = sds_new(name), .seq = seq, .type = type};
    (*len)++;
}

/* History entries go to the front, as Redis adds them (so its deletion
 * order and the manifest's "h" lines match Redis's). */
static void hist_push_front(aof_manifest *mf, const char *name, long long seq) {
    mf->hist = zrealloc(mf->hist, sizeof(aof_file) * (size_t)(mf->hist_len + 1));
    memmove(mf->hist + 1, mf->hist, sizeof(aof_file) * (size_t)mf->hist_len);
    mf->hist[0] = (aof_file){.name = sds_new(name), .seq = seq, .type = AOF_FILE_HIST};
    mf->hist_len++;
}

aof_manifest *aof_manifest_dup(const aof_manifest *mf) {
    aof_manifest *d = aof_manifest_new();
    if (mf->base) {
        d->base = zmalloc(sizeof(aof_file));
        *d->base = (aof_file){.name = sds_dup(mf->base->name), .seq = mf->base->seq, .type = AOF_FILE_BASE};
    }
    for (int i = 0; i < mf->incr_len; i++) list_push(&d->incr, &d->incr_len, mf->incr[i].name, mf->incr[i].seq, 'i');
    for (int i = 0; i < mf->hist_len; i++) list_push(&d->hist, &d->hist_len, mf->hist[i].name, mf->hist[i].seq, 'h');
    d->base_seq = mf->base_seq;
    d->incr_seq = mf->incr_seq;
    return d;
}

/* ---------------------------------------------------------- text */

/* A name that a split on spaces would not read back is written quoted. */
static int needs_repr(const char *s) {
    for (; *s; s++)
        if (*s == ' ' || *s == '"' || *s == '\'' || *s == '\\' || *s < 33 || *s > 126) return 1;
    return 0;
}

static sds cat_file(sds s, const aof_file *f) {
    s = sds_cat(s, "file ");
    s = needs_repr(f->name) ? sds_cat_repr(s, f->name, sds_len(f->name)) : sds_cat_sds(s, f->name);
    return sds_cat_printf(s, " seq %lld type %c\n", f->seq, f->type);
}

sds aof_manifest_format(const aof_manifest *mf) {
    sds s = sds_empty();
    if (mf->base) s = cat_file(s, mf->base);
    for (int i = 0; i < mf->hist_len; i++) s = cat_file(s, &mf->hist[i]);
    for (int i = 0; i < mf->incr_len; i++) s = cat_file(s, &mf->incr[i]);
    return s;
}

/* One line's key/value pairs into f; NULL or an error text. */
static const char *parse_line(sds *argv, int argc, aof_file *f) {
    if (argc < 6 || argc % 2) return "Invalid AOF manifest file format";
    f->name = NULL;
    f->seq = -1;
    f->type = 0;
    for (int i = 0; i < argc; i += 2) {
        if (strcasecmp(argv[i], "file") == 0) {
            sds_free(f->name);
            f->name = sds_dup(argv[i + 1]);
        } else if (strcasecmp(argv[i], "seq") == 0) {
            if (!string2ll(argv[i + 1], sds_len(argv[i + 1]), &f->seq)) f->seq = -1;
        } else if (strcasecmp(argv[i], "type") == 0) {
            f->type = argv[i + 1][0];
        }
        /* Unknown keys are ignored, so newer manifests still load. */
    }
    if (f->name == NULL || f->seq < 0 || f->type == 0) {
        sds_free(f->name);
        return "Invalid AOF manifest file format";
    }
    return NULL;
}

static const char *add_parsed(aof_manifest *mf, aof_file *f) {
    const char *err = NULL;
    if (f->type == AOF_FILE_BASE) {
        if (mf->base) {
            err = "Found duplicate base file information";
        } else {
            mf->base = zmalloc(sizeof(aof_file));
            *mf->base = *f;
            mf->base_seq = f->seq;
            return NULL;
        }
    } else if (f->type == AOF_FILE_HIST) {
        list_push(&mf->hist, &mf->hist_len, f->name, f->seq, AOF_FILE_HIST);
    } else if (f->type == AOF_FILE_INCR) {
        if (f->seq <= mf->incr_seq) {
            err = "Found a non-monotonic sequence number";
        } else {
            list_push(&mf->incr, &mf->incr_len, f->name, f->seq, AOF_FILE_INCR);
            mf->incr_seq = f->seq;
        }
    } else {
        err = "Unknown AOF file type";
    }
    sds_free(f->name);
    return err;
}

aof_manifest *aof_manifest_parse(const char *text, size_t len, sds *err) {
    aof_manifest *mf = aof_manifest_new();
    const char *p = text, *end = text + len;
    int lines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (ll >= AOF_MANIFEST_MAX_LINE) {
            *err = sds_new("The AOF manifest file contains too long line");
            goto fail;
        }
        sds line = sds_trim(sds_new_len(p, ll), " \t\r\n");
        p += ll + (nl ? 1 : 0);
        if (sds_len(line) == 0 || line[0] == '#') {
            sds_free(line);
            continue;
        }
        int argc;
        sds *argv = sds_split_args(line, &argc);
        sds_free(line);
        aof_file f;
        const char *e = argv ? parse_line(argv, argc, &f) : "Invalid AOF manifest file format";
        if (argv) sds_free_split_res(argv, argc);
        if (e == NULL) e = add_parsed(mf, &f);
        if (e) {
            *err = sds_new(e);
            goto fail;
        }
        lines++;
    }
    if (lines == 0) {
        *err = sds_new("Found an empty AOF manifest");
        goto fail;
    }
    return mf;
fail:
    aof_manifest_free(mf);
    return NULL;
}

/* ---------------------------------------------------------- files */

sds aof_path(const char *name) {
    return sds_cat_printf(sds_new(cfg.appenddirname), "/%s", name);
}

static sds manifest_name(void) {
    return sds_cat_printf(sds_new(cfg.appendfilename), ".manifest");
}

int aof_dir_create(void) {
    if (mkdir(cfg.appenddirname, 0755) == 0 || errno == EEXIST) return 0;
    return -1;
}

int aof_fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY);
    if (fd == -1) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

long long aof_file_size(const char *name) {
    sds path = aof_path(name);
    struct stat st;
    long long size = stat(path, &st) == 0 ? (long long)st.st_size : 0;
    sds_free(path);
    return size;
}

aof_manifest *aof_manifest_load(void) {
    sds name = manifest_name();
    sds path = aof_path(name);
    sds_free(name);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        int missing = errno == ENOENT;
        if (!missing) log_warning("Fail to open AOF manifest %s, error: %s", path, strerror(errno));
        sds_free(path);
        return missing ? aof_manifest_new() : NULL;
    }
    sds text = sds_empty();
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) text = sds_cat_len(text, chunk, n);
    int rerr = ferror(fp);
    fclose(fp);
    aof_manifest *mf = NULL;
    if (rerr) {
        log_warning("Read AOF manifest failed");
    } else {
        sds err = NULL;
        mf = aof_manifest_parse(text, sds_len(text), &err);
        if (mf == NULL) {
            log_warning("%s", err);
            sds_free(err);
        }
    }
    sds_free(text);
    sds_free(path);
    return mf;
}

int aof_manifest_persist(const aof_manifest *mf) {
    sds name = manifest_name();
    sds tmp_name = sds_cat_printf(sds_new("temp-"), "%s", name);
    sds path = aof_path(name), tmp = aof_path(tmp_name);
    sds text = aof_manifest_format(mf);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd == -1) {
        log_warning("Can't open the AOF manifest file %s: %s", tmp_name, strerror(errno));
        goto done;
    }
    ssize_t w = write(fd, text, sds_len(text));
    if (w != (ssize_t)sds_len(text) || fsync(fd) == -1) {
        log_warning("Error trying to write the temporary AOF manifest file %s: %s", tmp_name,
                    w == -1 || w == (ssize_t)sds_len(text) ? strerror(errno) : "short write");
        close(fd);
        unlink(tmp);
        goto done;
    }
    close(fd);
    if (rename(tmp, path) == -1) {
        log_warning("Error trying to rename the temporary AOF manifest file %s into %s: %s", tmp_name, name,
                    strerror(errno));
        unlink(tmp);
        goto done;
    }
    aof_fsync_dir(cfg.appenddirname);
    rc = 0;
done:
    sds_free(text);
    sds_free(name);
    sds_free(tmp_name);
    sds_free(path);
    sds_free(tmp);
    return rc;
}

/* ---------------------------------------------------------- changes */

sds aof_manifest_new_base(aof_manifest *mf, int rdb) {
    if (mf->base) {
        hist_push_front(mf, mf->base->name, mf->base->seq);
        file_free(mf->base);
    } else {
        mf->base = zmalloc(sizeof(aof_file));
    }
    mf->base_seq++;
    sds name = sds_cat_printf(sds_new(cfg.appendfilename), ".%lld.base.%s", mf->base_seq, rdb ? "rdb" : "aof");
    *mf->base = (aof_file){.name = sds_dup(name), .seq = mf->base_seq, .type = AOF_FILE_BASE};
    return name;
}

sds aof_manifest_new_incr(aof_manifest *mf) {
    mf->incr_seq++;
    sds name = sds_cat_printf(sds_new(cfg.appendfilename), ".%lld.incr.aof", mf->incr_seq);
    list_push(&mf->incr, &mf->incr_len, name, mf->incr_seq, AOF_FILE_INCR);
    return name;
}

void aof_manifest_incrs_to_history(aof_manifest *mf) {
    if (mf->incr_len <= 1) return;
    for (int i = 0; i < mf->incr_len - 1; i++) {
        hist_push_front(mf, mf->incr[i].name, mf->incr[i].seq);
        file_free(&mf->incr[i]);
    }
    mf->incr[0] = mf->incr[mf->incr_len - 1];
    mf->incr_len = 1;
}

void aof_manifest_delete_history(aof_manifest *mf) {
    if (cfg.aof_disable_auto_gc || mf->hist_len == 0) return;
    for (int i = 0; i < mf->hist_len; i++) {
        log_notice("Removing the history file %s in the background", mf->hist[i].name);
        sds path = aof_path(mf->hist[i].name);
        unlink(path);
        sds_free(path);
        file_free(&mf->hist[i]);
    }
    mf->hist_len = 0;
    aof_manifest_persist(mf);
}
