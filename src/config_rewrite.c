/* config_rewrite.c -- CONFIG REWRITE: the configuration file written back
 * with the current values, as Redis 7.0 does it. Each directive's lines
 * are replaced where they stand (comments and order kept, every line
 * trimmed as Redis reads it back); directives the file lacks and that are
 * not at their default go after Redis's signature comment at the end. The
 * new file is written beside the old one, fsynced and renamed over it.
 *
 * A pure module like config.c: it sees the directive table only through
 * config_internal.h and owns nothing between calls. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_internal.h"
#include "sds.h"
#include "zmalloc.h"

/* The file as lines, and for each table row the indexes of its lines. */
struct rewrite_state {
    struct line_vec lines;
    int **occ;  /* config_row_count() entries */
    int *nocc;
    int has_signature;
    int force_all; /* write rows at their default too */
};

static void rewrite_index_line(struct rewrite_state *st, int idx) {
    const char *line = st->lines.v[idx];
    while (*line == ' ' || *line == '\t') line++;
    if (line[0] == '#') {
        if (strncmp(line, CONFIG_REWRITE_SIGNATURE, strlen(CONFIG_REWRITE_SIGNATURE)) == 0) st->has_signature = 1;
        return;
    }
    int argc;
    sds *argv = sds_split_args(line, &argc);
    if (!argv) return;
    int i = argc > 0 ? config_row_index_of(argv[0]) : -1;
    sds_free_split_res(argv, argc);
    if (i < 0) return;
    st->occ[i] = zrealloc(st->occ[i], sizeof(int) * (size_t)(st->nocc[i] + 1));
    st->occ[i][st->nocc[i]++] = idx;
}

static void rewrite_read(struct rewrite_state *st, const char *text) {
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        /* Redis trims every line it reads back, comments included. */
        sds line = sds_trim(sds_new_len(p, len), " \t\r\n");
        config_line_vec_push(&st->lines, line);
        rewrite_index_line(st, st->lines.n - 1);
        p += len + (nl ? 1 : 0);
    }
}

/* Replaces the row's lines in place; extra old lines become blank. Extra
 * new lines (more save points than save lines) stay with the last old one
 * rather than at the end of the file as Redis puts them, so a directive's
 * lines stay together. A row absent from the file goes to *tail, unless it
 * is at its default. */
static void rewrite_row(struct rewrite_state *st, int i, struct line_vec *tail) {
    const config_row *r = config_row_at(i);
    int nocc = st->nocc[i];
    if (nocc == 0 && !st->force_all && !config_row_needs_line(r)) return;
    struct line_vec now = {0};
    config_row_lines(r, &now);
    for (int k = 0; k < now.n; k++) {
        if (nocc == 0) {
            config_line_vec_push(tail, now.v[k]);
        } else if (k < nocc) {
            sds_free(st->lines.v[st->occ[i][k]]);
            st->lines.v[st->occ[i][k]] = now.v[k];
        } else if (config_row_extra_at_end(r)) {
            config_line_vec_push(tail, now.v[k]);
        } else {
            sds *last = &st->lines.v[st->occ[i][nocc - 1]];
            *last = sds_cat_sds(sds_cat(*last, "\n"), now.v[k]);
            sds_free(now.v[k]);
        }
    }
    for (int k = now.n; k < nocc; k++) sds_clear(st->lines.v[st->occ[i][k]]);
    zfree(now.v);
}

/* Joins the lines, turning every run of blank lines into one. */
static sds rewrite_content(struct rewrite_state *st, struct line_vec *tail) {
    if (tail->n && !st->has_signature) {
        config_line_vec_push(&st->lines, sds_empty());
        config_line_vec_push(&st->lines, sds_new(CONFIG_REWRITE_SIGNATURE));
    }
    for (int i = 0; i < tail->n; i++) config_line_vec_push(&st->lines, tail->v[i]);
    tail->n = 0;
    sds out = sds_empty();
    int was_blank = 0;
    for (int i = 0; i < st->lines.n; i++) {
        int blank = sds_len(st->lines.v[i]) == 0;
        if (blank && was_blank) continue;
        was_blank = blank;
        out = sds_cat(sds_cat_sds(out, st->lines.v[i]), "\n");
    }
    return out;
}

static int write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Writes content next to path, fsyncs and renames over it, keeping the
 * old file's mode, so a crash never leaves a half-written config. */
static int rewrite_replace_file(const char *path, const sds content, sds *err) {
    sds tmp = sds_cat_printf(sds_empty(), "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    int ok = fd != -1;
    if (ok) {
        struct stat sb;
        mode_t mode = stat(path, &sb) == 0 ? (sb.st_mode & 07777) : 0644;
        ok = write_all(fd, content, sds_len(content)) == 0 && fchmod(fd, mode) == 0 && fsync(fd) == 0;
        int saved = errno;
        close(fd);
        if (ok && rename(tmp, path) == -1) {
            ok = 0;
            saved = errno;
        }
        if (!ok) unlink(tmp);
        errno = saved;
    }
    if (!ok) *err = sds_cat_printf(sds_empty(), "Rewriting config file: %s", strerror(errno));
    sds_free(tmp);
    return ok ? 0 : -1;
}

int config_rewrite(sds *err) {
    return config_rewrite_ex(0, err);
}

int config_rewrite_ex(int force_all, sds *err) {
    *err = NULL;
    const char *config_path = config_file_path();
    if (!config_path) {
        errno = EFAULT; /* what Redis's fopen(NULL) leaves */
        *err = sds_new("The server is running without a config file");
        return -1;
    }
    sds text = config_read_file(config_path);
    if (!text && errno != ENOENT) {
        *err = sds_cat_printf(sds_empty(), "Rewriting config file: %s", strerror(errno));
        return -1;
    }
    int nrows = config_row_count();
    struct rewrite_state st;
    memset(&st, 0, sizeof(st));
    st.occ = zcalloc(sizeof(int *) * (size_t)nrows);
    st.nocc = zcalloc(sizeof(int) * (size_t)nrows);
    st.force_all = force_all;
    rewrite_read(&st, text ? text : "");
    sds_free(text);
    struct line_vec tail = {0};
    for (int i = 0; i < nrows; i++) rewrite_row(&st, i, &tail);
    sds content = rewrite_content(&st, &tail);
    int rc = rewrite_replace_file(config_path, content, err);
    sds_free(content);
    config_line_vec_free(&tail);
    config_line_vec_free(&st.lines);
    for (int i = 0; i < nrows; i++) zfree(st.occ[i]);
    zfree(st.occ);
    zfree(st.nocc);
    return rc;
}
