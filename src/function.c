/* function.c -- Redis 7.0 functions: the library registry and its
 * persistence (RDB FUNCTION2 opcode, FUNCTION DUMP payloads, the AOF base).
 *
 * Owns the set of libraries and the function-name index over them. Every
 * change is built aside in a scratch set and swapped in only when it is
 * complete and collides with nothing, so a failing LOAD / RESTORE / RDB
 * library leaves the registry exactly as it was. Knows no Lua: compiling
 * and calling go through the engine (fn_engine). The commands live in
 * function_cmd.c. */
#include "function.h"

#include <string.h>
#include <strings.h>

#include "crc64.h"
#include "rdb_internal.h"
#include "function_int.h"
#include "zmalloc.h"

#define FN_MAX_ENGINES 4

static const fn_engine *engines[FN_MAX_ENGINES];
static int engine_count;
static fn_libset *current;
static const fn_function *running_fn;

static const struct {
    const char *name;
    int flag;
} flag_names[] = {
    {"no-writes", FN_FLAG_NO_WRITES},   {"allow-oom", FN_FLAG_ALLOW_OOM},
    {"allow-stale", FN_FLAG_ALLOW_STALE}, {"no-cluster", FN_FLAG_NO_CLUSTER},
    {"allow-cross-slot-keys", FN_FLAG_ALLOW_CROSS_SLOT},
};

void fn_register_engine(const fn_engine *e) {
    if (engine_count < FN_MAX_ENGINES) engines[engine_count++] = e;
}

const fn_engine *fn_find_engine(const char *name) {
    for (int i = 0; i < engine_count; i++)
        if (strcasecmp(engines[i]->name, name) == 0) return engines[i];
    return NULL;
}

int fn_engine_count(void) { return engine_count; }
const fn_engine *fn_engine_at(int i) { return engines[i]; }

int fn_flag_from_name(const char *s) {
    for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
        if (strcmp(flag_names[i].name, s) == 0) return flag_names[i].flag;
    return 0;
}

int fn_flag_names(int flags, const char **out) {
    int n = 0;
    for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
        if (flags & flag_names[i].flag) out[n++] = flag_names[i].name;
    return n;
}

int fn_valid_name(const char *s, size_t len) {
    if (len == 0) return 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ libraries */

static void fn_function_free(fn_function *f) {
    if (f->priv && f->lib && f->lib->engine) f->lib->engine->free_function(f->priv);
    sds_free(f->name);
    sds_free(f->desc);
    zfree(f);
}

static void fn_functions_dict_free_val(dict *d, void *v) {
    (void)d;
    fn_function_free(v);
}

/* name -> fn_function*, owned (a library's own functions). */
static dict_type fn_owned_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .val_destructor = fn_functions_dict_free_val,
};
/* name -> fn_function*, borrowed (the index over all libraries). Case
 * blind, as Redis 7.0's: FCALL MYFUNC finds myfunc, and a library may not
 * register MYFUNC while another has myfunc. Library names, and names
 * inside one library, stay case sensitive as in Redis. */
static dict_type fn_index_type = {
    .hash = dict_sds_case_hash,
    .key_compare = dict_sds_case_compare,
};

static void fn_library_free(fn_library *lib) {
    dict_release(lib->functions);
    sds_free(lib->name);
    sds_free(lib->code);
    zfree(lib);
}

static void fn_libraries_dict_free_val(dict *d, void *v) {
    (void)d;
    if (v) fn_library_free(v);
}

/* name -> fn_library*, owned. */
static dict_type fn_library_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .val_destructor = fn_libraries_dict_free_val,
};

int fn_library_add_function(fn_library *lib, sds name, sds desc, int flags, void *priv, sds *err) {
    fn_function *f = zcalloc(sizeof(*f));
    f->name = name;
    f->desc = desc;
    f->flags = flags;
    f->priv = priv;
    f->lib = lib;
    if (!fn_valid_name(name, sds_len(name))) {
        *err = sds_new("Library names can only contain letters, numbers, or underscores(_) and must be at least "
                       "one character long");
        fn_function_free(f);
        return -1;
    }
    if (dict_add(lib->functions, name, f) != DICT_OK) {
        *err = sds_new("Function already exists in the library");
        fn_function_free(f);
        return -1;
    }
    return 0;
}

fn_libset *fn_libset_new(void) {
    fn_libset *s = zmalloc(sizeof(*s));
    s->libraries = dict_create(&fn_library_type);
    s->functions = dict_create(&fn_index_type);
    return s;
}

void fn_libset_free(fn_libset *s) {
    dict_release(s->functions);
    dict_release(s->libraries);
    zfree(s);
}

fn_libset *fn_current(void) {
    if (current == NULL) current = fn_libset_new();
    return current;
}

/* Takes lib into s; its names must be free there. */
static void fn_libset_link(fn_libset *s, fn_library *lib) {
    dict_add(s->libraries, lib->name, lib);
    dict_iterator it;
    dict_init_iterator(&it, lib->functions);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) dict_add(s->functions, dict_get_key(de), dict_get_val(de));
    dict_reset_iterator(&it);
}

/* Removes lib from s without freeing it; returns it. */
static fn_library *fn_libset_unlink(fn_libset *s, const char *name) {
    dict_entry *de = dict_find(s->libraries, name);
    if (de == NULL) return NULL;
    fn_library *lib = dict_get_val(de);
    dict_iterator it;
    dict_init_iterator(&it, lib->functions);
    while ((de = dict_next(&it)) != NULL) dict_delete(s->functions, dict_get_key(de));
    dict_reset_iterator(&it);
    dict_entry *le = dict_unlink(s->libraries, name);
    /* Release just the entry: the destructor skips a NULL value. */
    le->v.val = NULL;
    dict_free_unlinked_entry(s->libraries, le);
    return lib;
}

int fn_libset_delete(fn_libset *s, const char *name) {
    fn_library *lib = fn_libset_unlink(s, name);
    if (lib == NULL) return -1;
    fn_library_free(lib);
    return 0;
}

/* Parses the shebang line: engine and library name as new sds. */
static int fn_parse_metadata(const char *code, size_t len, sds *engine, sds *name, sds *err) {
    *engine = *name = NULL;
    if (len < 2 || code[0] != '#' || code[1] != '!') {
        *err = sds_new("Missing library metadata");
        return -1;
    }
    const char *nl = memchr(code, '\n', len);
    if (nl == NULL) {
        *err = sds_new("Invalid library metadata");
        return -1;
    }
    /* Split as Redis does: the whole line, so "#!" alone is engine "". */
    sds line = sds_new_len(code, (size_t)(nl - code));
    int argc;
    sds *argv = sds_split_args(line, &argc);
    sds_free(line);
    if (argv == NULL || argc == 0) {
        if (argv) sds_free_split_res(argv, argc);
        *err = sds_new("Invalid library metadata");
        return -1;
    }
    *engine = sds_new(sds_len(argv[0]) >= 2 ? argv[0] + 2 : "");
    for (int i = 1; i < argc; i++) {
        if (strncasecmp(argv[i], "name=", 5) == 0) {
            if (*name) {
                *err = sds_new("Invalid metadata value, name argument was given multiple times");
                goto fail;
            }
            *name = sds_new(argv[i] + 5);
            continue;
        }
        *err = sds_cat_printf(sds_empty(), "Invalid metadata value given: %s", argv[i]);
        goto fail;
    }
    sds_free_split_res(argv, argc);
    if (*name == NULL) {
        *err = sds_new("Library name was not given");
        sds_free(*engine);
        *engine = NULL;
        return -1;
    }
    return 0;
fail:
    sds_free_split_res(argv, argc);
    sds_free(*engine);
    sds_free(*name);
    *engine = *name = NULL;
    return -1;
}

/* Compiles code into a new library and links it into into (a scratch set;
 * a library or function already there is an error). existing: the set the
 * library will join, checked for the name unless replace (LOAD's check
 * comes before the code runs). Returns the library name (borrowed from
 * the library) or NULL with *err. */
const char *fn_compile(fn_libset *into, fn_libset *existing, int replace, const char *code, size_t len, sds *err) {
    sds engine_name, name;
    if (fn_parse_metadata(code, len, &engine_name, &name, err) == -1) return NULL;
    const fn_engine *engine = fn_find_engine(engine_name);
    if (engine == NULL) {
        *err = sds_cat_printf(sds_empty(), "Engine '%s' not found", engine_name);
        goto fail;
    }
    if (!fn_valid_name(name, sds_len(name))) {
        *err = sds_new("Library names can only contain letters, numbers, or underscores(_) and must be at least "
                       "one character long");
        goto fail;
    }
    if (dict_find(into->libraries, name) || (existing && !replace && dict_find(existing->libraries, name))) {
        *err = sds_cat_printf(sds_empty(), "Library '%s' already exists", name);
        goto fail;
    }
    fn_library *lib = zcalloc(sizeof(*lib));
    lib->name = name;
    lib->code = sds_new_len(code, len);
    lib->functions = dict_create(&fn_owned_type);
    lib->engine = engine;
    sds_free(engine_name);
    if (engine->create(lib, code, len, err) == -1) {
        fn_library_free(lib);
        return NULL;
    }
    if (dict_size(lib->functions) == 0) {
        *err = sds_new("No functions registered");
        fn_library_free(lib);
        return NULL;
    }
    dict_iterator it;
    dict_init_iterator(&it, lib->functions);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        if (dict_find(into->functions, dict_get_key(de))) {
            *err = sds_cat_printf(sds_empty(), "Function %s already exists", (sds)dict_get_key(de));
            dict_reset_iterator(&it);
            fn_library_free(lib);
            return NULL;
        }
    }
    dict_reset_iterator(&it);
    fn_libset_link(into, lib);
    return lib->name;
fail:
    sds_free(engine_name);
    sds_free(name);
    return NULL;
}

/* Moves every library of src into dst. replace: a library of the same name
 * in dst is replaced; else it is an error (quoted: 0 "Library x already
 * exists" as RESTORE says it, 1 with quotes as LOAD does). A function name
 * that another library of dst holds is an error. On error nothing
 * changes. src is freed either way. */
int fn_merge(fn_libset *dst, fn_libset *src, int replace, sds *err) {
    dict_iterator it;
    dict_entry *de;
    /* Check first, change after: the merge is all or nothing. */
    dict_init_iterator(&it, src->libraries);
    while ((de = dict_next(&it)) != NULL) {
        fn_library *lib = dict_get_val(de);
        if (!replace && dict_find(dst->libraries, lib->name)) {
            *err = sds_cat_printf(sds_empty(), "Library %s already exists", lib->name);
            goto fail;
        }
    }
    dict_reset_iterator(&it);
    dict_init_iterator(&it, src->functions);
    while ((de = dict_next(&it)) != NULL) {
        fn_function *old = dict_fetch_value(dst->functions, dict_get_key(de));
        fn_function *f = dict_get_val(de);
        if (old && !(replace && strcmp(old->lib->name, f->lib->name) == 0)) {
            *err = sds_cat_printf(sds_empty(), "Function %s already exists", f->name);
            goto fail;
        }
    }
    dict_reset_iterator(&it);
    dict_init_iterator(&it, src->libraries);
    while ((de = dict_next(&it)) != NULL) fn_libset_delete(dst, dict_get_key(de));
    dict_reset_iterator(&it);
    while (dict_size(src->libraries) > 0) {
        dict_init_iterator(&it, src->libraries);
        de = dict_next(&it);
        dict_reset_iterator(&it);
        fn_libset_link(dst, fn_libset_unlink(src, dict_get_key(de)));
    }
    fn_libset_free(src);
    return 0;
fail:
    dict_reset_iterator(&it);
    fn_libset_free(src);
    return -1;
}

void fn_set_current(fn_libset *s) {
    if (current) fn_libset_free(current);
    current = s;
}

void fn_flush_all(void) { fn_set_current(fn_libset_new()); }

/* The engine keeps nothing per set (each function holds its own compiled
 * code), so a set can be put aside and brought back whole. */
fn_libset *fn_save_and_empty(void) {
    fn_libset *old = fn_current();
    current = fn_libset_new();
    return old;
}

void fn_exchange_saved(fn_libset **saved) {
    fn_libset *s = fn_current();
    current = *saved;
    *saved = s;
}

void fn_restore_saved(fn_libset *saved) { fn_set_current(saved); }

void fn_drop_saved(fn_libset *saved) { fn_libset_free(saved); }

void fn_set_running(const fn_function *f) { running_fn = f; }
const fn_function *fn_running(void) { return running_fn; }

/* ------------------------------------------------------------ INFO */

size_t fn_vm_memory(void) {
    size_t n = 0;
    for (int i = 0; i < engine_count; i++)
        if (engines[i]->vm_memory) n += engines[i]->vm_memory();
    return n;
}

/* An estimate of the registry's own allocations: names, code, dicts. */
size_t fn_overhead_memory(void) {
    fn_libset *s = fn_current();
    size_t n = sizeof(*s);
    n += dict_slots(s->libraries) * sizeof(dict_entry *) + dict_slots(s->functions) * sizeof(dict_entry *);
    dict_iterator it;
    dict_init_iterator(&it, s->libraries);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        fn_library *lib = dict_get_val(de);
        n += sizeof(*lib) + sds_len(lib->name) + sds_len(lib->code) + sizeof(dict_entry);
        n += dict_size(lib->functions) * (sizeof(fn_function) + 2 * sizeof(dict_entry));
    }
    dict_reset_iterator(&it);
    return n;
}

unsigned long fn_function_count(void) { return dict_size(fn_current()->functions); }
unsigned long fn_library_count(void) { return dict_size(fn_current()->libraries); }

/* ------------------------------------------------------------ persistence */

int fn_rdb_save(rio *r) {
    if (current == NULL) return 0;
    dict_iterator it;
    dict_init_iterator(&it, current->libraries);
    dict_entry *de;
    int rc = 0;
    while ((de = dict_next(&it)) != NULL) {
        fn_library *lib = dict_get_val(de);
        if (rdb_save_type(r, RDB_OPCODE_FUNCTION2) == -1 || rdb_save_raw_string(r, lib->code, sds_len(lib->code)) == -1) {
            rc = -1;
            break;
        }
    }
    dict_reset_iterator(&it);
    return rc;
}

/* Reads one library's code (after its opcode) and compiles it into s. */
static int fn_load_one(rio *r, fn_libset *s, sds *err) {
    sds reason = NULL;
    sds code = rdb_load_string(r, &reason);
    if (code == NULL) {
        sds_free(reason);
        *err = sds_new("Failed loading library payload");
        return -1;
    }
    const char *name = fn_compile(s, NULL, 0, code, sds_len(code), err);
    sds_free(code);
    return name ? 0 : -1;
}

int fn_rdb_load(rio *r, int replace, sds *err) {
    fn_libset *s = fn_libset_new();
    if (fn_load_one(r, s, err) == -1) {
        fn_libset_free(s);
        return -1;
    }
    return fn_merge(fn_current(), s, replace, err);
}

sds fn_dump_payload(void) {
    rio r;
    rio_init_buffer(&r, sds_empty());
    r.update_cksum = 0;
    fn_rdb_save(&r);
    sds s = r.io.buffer.ptr;
    unsigned char footer[10];
    footer[0] = RDB_VERSION & 0xff;
    footer[1] = (RDB_VERSION >> 8) & 0xff;
    s = sds_cat_len(s, footer, 2);
    uint64_t crc = crc64(0, (const unsigned char *)s, sds_len(s));
    for (int i = 0; i < 8; i++) footer[i] = (unsigned char)(crc >> (8 * i));
    return sds_cat_len(s, footer, 8);
}

/* FUNCTION RESTORE's payload into a new scratch set, or NULL with *err.
 * As in Redis, libraries are read while the position is before the
 * footer (a string may run into it: the checksum already vouched for the
 * bytes). */
fn_libset *fn_restore_payload(const char *p, size_t len, sds *err) {
    if (len < 10) goto bad_footer;
    const unsigned char *footer = (const unsigned char *)p + len - 10;
    unsigned version = footer[0] | footer[1] << 8;
    if (version > RDB_VERSION) goto bad_footer;
    uint64_t crc = crc64(0, (const unsigned char *)p, len - 8), got = 0;
    for (int i = 7; i >= 0; i--) got = got << 8 | footer[2 + i];
    if (crc != got && !rdb_skip_checksum()) goto bad_footer;

    fn_libset *s = fn_libset_new();
    rio r;
    rio_init_buffer(&r, sds_new_len(p, len));
    r.update_cksum = 0;
    while ((size_t)rio_tell(&r) < len - 10) {
        int type;
        sds reason = NULL;
        if (rdb_load_type(&r, &type, &reason) == -1) {
            sds_free(reason);
            *err = sds_new("Failed loading library payload");
            goto fail;
        }
        if (type == RDB_OPCODE_FUNCTION) {
            *err = sds_new("Failed loading engine name");
            goto fail;
        }
        if (type != RDB_OPCODE_FUNCTION2) {
            *err = sds_new("given type is not a function");
            goto fail;
        }
        if (fn_load_one(&r, s, err) == -1) goto fail;
    }
    sds_free(r.io.buffer.ptr);
    return s;
fail:
    sds_free(r.io.buffer.ptr);
    fn_libset_free(s);
    return NULL;
bad_footer:
    *err = sds_new("DUMP payload version or checksum are wrong");
    return NULL;
}

/* One RESP bulk string. */
static sds fn_cat_bulk(sds buf, const char *p, size_t len) {
    buf = sds_cat_printf(buf, "$%zu\r\n", len);
    buf = sds_cat_len(buf, p, len);
    return sds_cat_len(buf, "\r\n", 2);
}

sds fn_aof_rewrite(sds buf) {
    if (current == NULL) return buf;
    dict_iterator it;
    dict_init_iterator(&it, current->libraries);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        fn_library *lib = dict_get_val(de);
        buf = sds_cat(buf, "*3\r\n");
        buf = fn_cat_bulk(buf, "FUNCTION", 8);
        buf = fn_cat_bulk(buf, "LOAD", 4);
        buf = fn_cat_bulk(buf, lib->code, sds_len(lib->code));
    }
    dict_reset_iterator(&it);
    return buf;
}
