/* function_int.h -- what function.c (the registry) shares with
 * function_cmd.c (the FUNCTION and FCALL commands): scratch library sets
 * and the all-or-nothing merge that swaps them in. */
#ifndef MINIRED_FUNCTION_INT_H
#define MINIRED_FUNCTION_INT_H

#include "function.h"

/* A set of libraries plus the index of their functions. */
typedef struct fn_libset {
    dict *libraries; /* name -> fn_library*, owned */
    dict *functions; /* name -> fn_function*, borrowed from the libraries */
} fn_libset;

fn_libset *fn_libset_new(void);
void fn_libset_free(fn_libset *s);
/* The registry's set (created on first use). */
fn_libset *fn_current(void);
/* Replaces the registry's set (the old one is freed). Takes s. */
void fn_set_current(fn_libset *s);
/* Deletes the library called name from s: 0, or -1 when none. */
int fn_libset_delete(fn_libset *s, const char *name);
const char *fn_compile(fn_libset *into, fn_libset *existing, int replace, const char *code, size_t len, sds *err);
int fn_merge(fn_libset *dst, fn_libset *src, int replace, sds *err);
/* FUNCTION DUMP's payload (new sds); FUNCTION RESTORE's parse. */
sds fn_dump_payload(void);
fn_libset *fn_restore_payload(const char *p, size_t len, sds *err);

const fn_engine *fn_find_engine(const char *name);
int fn_engine_count(void);
const fn_engine *fn_engine_at(int i);
/* Fills out with the names of flags' bits, in LIST order; returns how many. */
int fn_flag_names(int flags, const char **out);
void fn_set_running(const fn_function *f);

#endif
