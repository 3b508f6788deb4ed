/* config_internal.h -- what config.c shares with config_rewrite.c (CONFIG
 * REWRITE): the directive table seen row by row, and the line list the
 * rewrite builds. Not for any other file. */
#ifndef MINIRED_CONFIG_INTERNAL_H
#define MINIRED_CONFIG_INTERNAL_H

#include "sds.h"

typedef struct config_row config_row;

/* A growable list of owned lines (CONFIG REWRITE). */
struct line_vec {
    sds *v;
    int n, cap;
};
void config_line_vec_push(struct line_vec *lv, sds line); /* takes line */
void config_line_vec_free(struct line_vec *lv);

/* The directive table, in its order. */
int config_row_count(void);
const config_row *config_row_at(int i);
/* The row index of a directive name (or alias); -1: unknown. */
int config_row_index_of(const char *name);
/* 1 when CONFIG REWRITE must write the row even if the file lacks it (not
 * at its default, or always written). */
int config_row_needs_line(const config_row *r);
/* 1 when lines beyond those in the file go to the file's end. */
int config_row_extra_at_end(const config_row *r);
/* The row's current lines, as CONFIG REWRITE writes them. */
void config_row_lines(const config_row *r, struct line_vec *out);
/* The whole file (NULL with errno set when it cannot be read). */
sds config_read_file(const char *path);

#endif
