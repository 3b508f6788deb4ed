/* t_string.c -- string commands: GET/SET and their variants, the counters
 * (INCR family, INCRBYFLOAT), ranges (GETRANGE, SETRANGE, APPEND) and LCS.
 *
 * Owns nothing but handlers: values are created through object.c and
 * stored through db.c. Every handler validates all of its arguments before
 * it changes anything, so a command that replies with an error has had no
 * effect. A value is changed in place only when this key alone holds it as
 * a RAW string (or, for counters, an unshared INT); otherwise it is copied
 * first, so a shared integer is never written.
 *
 * Each change is reported as Redis 7.0 reports it: the dirty counter, the
 * key's modification signal (db_add / db_set_key give it; in-place edits
 * call string_changed), its keyspace event, and an effect that replays the
 * same result (relative times become absolute PXAT / PEXPIREAT ones). */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "lcs.h"
#include "monotonic.h"
#include "networking.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

#define SET_NX (1 << 0)
#define SET_XX (1 << 1)
#define SET_GET (1 << 2)
#define SET_KEEPTTL (1 << 3)
#define SET_EX (1 << 4)
#define SET_PX (1 << 5)
#define SET_EXAT (1 << 6)
#define SET_PXAT (1 << 7)
#define SET_ANY_EXPIRE (SET_EX | SET_PX | SET_EXAT | SET_PXAT | SET_KEEPTTL)
#define GETEX_PERSIST (1 << 8)

struct set_args {
    int flags;
    long long expire_ms; /* absolute unix ms, valid when an expire flag set */
};

/* Reports an in-place change of key (not through db_add / db_set_key):
 * its modification signal, event, and one change to the dirty counter. */
static void string_changed(client *c, const sds key, const char *event) {
    db_signal_modified(c->db, key);
    notify_keyspace_event(NOTIFY_STRING, event, key, c->db_id);
    db_dirty(1);
}

/* Turns the EX/PX/EXAT/PXAT argument into absolute unix ms; replies and
 * returns 0 when it is not a positive integer or overflows. */
static int set_parse_expire(client *c, const sds arg, int unit_flag, long long *when_ms) {
    long long v;
    if (!string2ll(arg, sds_len(arg), &v)) {
        reply_error_not_integer(c);
        return 0;
    }
    int in_seconds = unit_flag & (SET_EX | SET_EXAT);
    int relative = unit_flag & (SET_EX | SET_PX);
    if (v <= 0 || (in_seconds && v > LLONG_MAX / 1000)) {
        reply_error_format(c, "invalid expire time in '%s' command", c->cmd->fullname);
        return 0;
    }
    if (in_seconds) v *= 1000;
    if (relative) {
        long long now = db_now_ms();
        if (v > LLONG_MAX - now) {
            reply_error_format(c, "invalid expire time in '%s' command", c->cmd->fullname);
            return 0;
        }
        v += now;
    }
    *when_ms = v;
    return 1;
}

/* Parses SET's options from argv[3]; replies and returns 0 on error. */
static int set_parse_args(client *c, struct set_args *a) {
    int expire_arg = 0;
    a->flags = 0;
    a->expire_ms = 0;
    for (int i = 3; i < c->argc; i++) {
        const char *opt = c->argv[i];
        int has_next = i + 1 < c->argc;
        int unit = 0;
        if (strcasecmp(opt, "nx") == 0 && !(a->flags & SET_XX)) a->flags |= SET_NX;
        else if (strcasecmp(opt, "xx") == 0 && !(a->flags & SET_NX)) a->flags |= SET_XX;
        else if (strcasecmp(opt, "get") == 0) a->flags |= SET_GET;
        else if (strcasecmp(opt, "keepttl") == 0 && !(a->flags & (SET_ANY_EXPIRE & ~SET_KEEPTTL)))
            a->flags |= SET_KEEPTTL;
        else if (strcasecmp(opt, "ex") == 0) unit = SET_EX;
        else if (strcasecmp(opt, "px") == 0) unit = SET_PX;
        else if (strcasecmp(opt, "exat") == 0) unit = SET_EXAT;
        else if (strcasecmp(opt, "pxat") == 0) unit = SET_PXAT;
        else {
            reply_error_syntax(c);
            return 0;
        }
        if (unit == 0) continue;
        /* Repeating the same unit is allowed (the last wins); mixing is not. */
        if ((a->flags & SET_ANY_EXPIRE & ~unit) || !has_next) {
            reply_error_syntax(c);
            return 0;
        }
        a->flags |= unit;
        expire_arg = ++i;
    }
    /* The time is checked only once every option parsed: a syntax error
     * anywhere wins over a bad number, as in Redis. */
    if (expire_arg && !set_parse_expire(c, c->argv[expire_arg], a->flags & SET_ANY_EXPIRE, &a->expire_ms))
        return 0;
    return 1;
}

/* SET's effect: with a time, "SET key value PXAT ms" whatever else was
 * given (NX, XX, GET, KEEPTTL are dropped); without one, its own argv
 * minus every GET (a replica has no reply to give). */
static void set_propagate(client *c, const struct set_args *a) {
    if (a->flags & (SET_EX | SET_PX | SET_EXAT | SET_PXAT)) {
        prop_replacef(c, "csscl", "SET", c->argv[1], c->argv[2], "PXAT", a->expire_ms);
        return;
    }
    if (!(a->flags & SET_GET) || !prop_active()) return;
    sds *argv = zmalloc(sizeof(sds) * (size_t)c->argc);
    int argc = 0;
    for (int i = 0; i < c->argc; i++)
        if (i < 3 || strcasecmp(c->argv[i], "get") != 0) argv[argc++] = sds_dup(c->argv[i]);
    prop_replace(c, argc, argv);
}

/* Stores val under key with SET's TTL options and reports it (SET, SETNX,
 * SETEX, PSETEX): "set", then "expire" when a time was given. */
static void set_store(client *c, robj *val, const struct set_args *a) {
    sds key = c->argv[1];
    db_set_key(c->db, key, val, a->flags & SET_KEEPTTL);
    db_dirty(1);
    notify_keyspace_event(NOTIFY_STRING, "set", key, c->db_id);
    if (a->flags & (SET_EX | SET_PX | SET_EXAT | SET_PXAT)) {
        db_set_expire(c->db, key, a->expire_ms);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", key, c->db_id);
    }
}

void set_command(client *c) {
    struct set_args a;
    if (!set_parse_args(c, &a)) return;
    sds key = c->argv[1];
    /* With GET the old value is read as GET reads it (keyspace hit or
     * miss, "keymiss" event). */
    robj *old = a.flags & SET_GET ? db_lookup_read(c->db, key) : db_lookup_write(c->db, key);
    if (a.flags & SET_GET) {
        if (db_check_type(c, old, OBJ_STRING)) return;
        if (old) reply_bulk_obj(c, old);
        else reply_null(c);
    }
    if ((a.flags & SET_NX && old) || (a.flags & SET_XX && !old)) {
        if (!(a.flags & SET_GET)) reply_null(c);
        return;
    }
    /* Take the value's sds from the parser instead of copying it. */
    set_store(c, net_arg_to_object(c, 2), &a);
    set_propagate(c, &a);
    if (!(a.flags & SET_GET)) reply_ok(c);
}

void get_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (db_check_type(c, o, OBJ_STRING)) return;
    reply_bulk_obj(c, o);
}

/* ---------------------------------------------------------- helpers */

/* Redis's limit on any string a command builds: replies and returns 0 when
 * size + append bytes would pass proto-max-bulk-len (or overflow). */
static int string_check_length(client *c, long long size, long long append) {
    long long total;
    if (__builtin_add_overflow(size, append, &total) || total > cfg.proto_max_bulk_len) {
        reply_error(c, "string exceeds maximum allowed size (proto-max-bulk-len)");
        return 0;
    }
    return 1;
}

/* Returns key's value as an object this caller may modify in place: o
 * itself when only this key holds it as a RAW sds, else a RAW copy that
 * replaces it in the keyspace (TTL kept). Borrowed reference. */
static robj *string_unshare(db *d, const sds key, robj *o) {
    if (o->refcount == 1 && o->encoding == OBJ_ENCODING_RAW) return o;
    robj *copy = obj_dup_string_raw(o);
    db_replace_unshared(d, key, copy);
    return copy;
}

/* Parses argv[i] as a long long; replies and returns 0 if it is not one. */
static int string_arg_ll(client *c, int i, long long *v) {
    if (string2ll(c->argv[i], sds_len(c->argv[i]), v)) return 1;
    reply_error_not_integer(c);
    return 0;
}

/* ---------------------------------------------------------- SET variants */

static void setnx_command(client *c) {
    if (db_lookup_write(c->db, c->argv[1])) {
        reply_integer(c, 0);
        return;
    }
    db_add(c->db, c->argv[1], net_arg_to_object(c, 2));
    db_dirty(1);
    notify_keyspace_event(NOTIFY_STRING, "set", c->argv[1], c->db_id);
    reply_integer(c, 1);
}

/* SETEX key seconds value / PSETEX key ms value: "SET key value PXAT
 * ms" in effect. */
static void setex_generic(client *c, int unit_flag) {
    struct set_args a = {.flags = unit_flag};
    if (!set_parse_expire(c, c->argv[2], unit_flag, &a.expire_ms)) return;
    db_lookup_write(c->db, c->argv[1]); /* an expired old value counts as expired */
    set_store(c, net_arg_to_object(c, 3), &a);
    prop_replacef(c, "csscl", "SET", c->argv[1], c->argv[3], "PXAT", a.expire_ms);
    reply_ok(c);
}

static void setex_command(client *c) {
    setex_generic(c, SET_EX);
}

static void psetex_command(client *c) {
    setex_generic(c, SET_PX);
}

/* GETSET and GETDEL first reply as GET does. Returns -1 after a WRONGTYPE
 * reply, 0 after a null (no key), 1 after the value. */
static int string_reply_value(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_null(c);
        return 0;
    }
    if (db_check_type(c, o, OBJ_STRING)) return -1;
    reply_bulk_obj(c, o);
    return 1;
}

/* GETSET: "SET key value" in effect. */
static void getset_command(client *c) {
    if (string_reply_value(c) < 0) return;
    db_set_key(c->db, c->argv[1], net_arg_to_object(c, 2), 0);
    db_dirty(1);
    notify_keyspace_event(NOTIFY_STRING, "set", c->argv[1], c->db_id);
    prop_replacef(c, "css", "SET", c->argv[1], c->argv[2]);
}

/* GETDEL: "DEL key", or "UNLINK key" under lazyfree-lazy-user-del. */
static void getdel_command(client *c) {
    int lazy = cfg.lazyfree_lazy_user_del;
    if (string_reply_value(c) <= 0 || !db_delete_maybe_lazy(c->db, c->argv[1], lazy)) return;
    db_signal_modified(c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[1], c->db_id);
    db_dirty(1);
    prop_replacef(c, "cs", lazy ? "UNLINK" : "DEL", c->argv[1]);
}

/* Parses GETEX's options; replies and returns 0 on a syntax error. *flags
 * receives SET_EX...SET_PXAT or GETEX_PERSIST, *expire_arg the index of
 * the time argument (0 if none). */
static int getex_parse_args(client *c, int *flags, int *expire_arg) {
    *flags = 0;
    *expire_arg = 0;
    for (int i = 2; i < c->argc; i++) {
        const char *opt = c->argv[i];
        int unit = 0;
        if (strcasecmp(opt, "persist") == 0 && !(*flags & ~GETEX_PERSIST)) {
            *flags |= GETEX_PERSIST;
            continue;
        }
        if (strcasecmp(opt, "ex") == 0) unit = SET_EX;
        else if (strcasecmp(opt, "px") == 0) unit = SET_PX;
        else if (strcasecmp(opt, "exat") == 0) unit = SET_EXAT;
        else if (strcasecmp(opt, "pxat") == 0) unit = SET_PXAT;
        /* Another unit, PERSIST, or no time after it: all a syntax error. */
        if (unit == 0 || (*flags & ~unit) || i + 1 >= c->argc) {
            reply_error_syntax(c);
            return 0;
        }
        *flags |= unit;
        *expire_arg = ++i;
    }
    return 1;
}

static void getex_command(client *c) {
    int flags, expire_arg;
    if (!getex_parse_args(c, &flags, &expire_arg)) return;
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_null(c);
        return;
    }
    if (db_check_type(c, o, OBJ_STRING)) return;
    /* As in Redis, the time is validated only for an existing string. */
    long long when = 0;
    if (expire_arg && !set_parse_expire(c, c->argv[expire_arg], flags, &when)) return;
    reply_bulk_obj(c, o);
    sds key = c->argv[1];
    if (expire_arg && db_expire_time_passed(when)) {
        /* A time already past deletes the key at once: a "del", replayed
         * as DEL or UNLINK as lazyfree-lazy-expire frees it. */
        int lazy = cfg.lazyfree_lazy_expire;
        db_delete_maybe_lazy(c->db, key, lazy);
        prop_replacef(c, "cs", lazy ? "UNLINK" : "DEL", key);
        db_signal_modified(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db_id);
    } else if (expire_arg) {
        db_set_expire(c->db, key, when);
        prop_replacef(c, "csl", "PEXPIREAT", key, when);
        db_signal_modified(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", key, c->db_id);
    } else if ((flags & GETEX_PERSIST) && db_remove_expire(c->db, key)) {
        prop_replacef(c, "cs", "PERSIST", key);
        db_signal_modified(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "persist", key, c->db_id);
    } else {
        return; /* a plain GET: nothing changed */
    }
    db_dirty(1);
}

/* ---------------------------------------------------------- multi-key */

static void mget_command(client *c) {
    reply_array_len(c, c->argc - 1);
    for (int i = 1; i < c->argc; i++) {
        robj *o = db_lookup_read(c->db, c->argv[i]);
        if (o == NULL || o->type != OBJ_STRING) reply_null(c);
        else reply_bulk_obj(c, o);
    }
}

/* MSET / MSETNX: sets every key-value pair, or (nx) none if any key
 * exists. Returns 1 if set, 0 if not (nx), -1 after the arity error reply
 * for an odd argument count (Redis's text for it). */
static int mset_generic(client *c, int nx) {
    if (c->argc % 2 == 0) {
        reply_error_arity(c);
        return -1;
    }
    if (nx) {
        for (int i = 1; i < c->argc; i += 2)
            if (db_lookup_write(c->db, c->argv[i])) return 0;
    }
    for (int i = 1; i < c->argc; i += 2) {
        db_lookup_write(c->db, c->argv[i]); /* an expired old value counts as expired */
        db_set_key(c->db, c->argv[i], net_arg_to_object(c, i + 1), 0);
        notify_keyspace_event(NOTIFY_STRING, "set", c->argv[i], c->db_id);
    }
    db_dirty((c->argc - 1) / 2);
    return 1;
}

static void mset_command(client *c) {
    if (mset_generic(c, 0) >= 0) reply_ok(c);
}

static void msetnx_command(client *c) {
    int set = mset_generic(c, 1);
    if (set >= 0) reply_integer(c, set);
}

/* ---------------------------------------------------------- length, append */

static void strlen_command(client *c) {
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_STRING)) return;
    reply_integer(c, o ? (long long)obj_string_len(o) : 0);
}

static void append_command(client *c) {
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (o == NULL) {
        o = net_arg_to_object(c, 2);
        db_add(c->db, c->argv[1], o);
        notify_keyspace_event(NOTIFY_STRING, "append", c->argv[1], c->db_id);
        db_dirty(1);
        reply_integer(c, (long long)obj_string_len(o));
        return;
    }
    if (db_check_type(c, o, OBJ_STRING)) return;
    const sds tail = c->argv[2];
    if (!string_check_length(c, (long long)obj_string_len(o), (long long)sds_len(tail))) return;
    o = string_unshare(c->db, c->argv[1], o);
    o->ptr = sds_cat_len(o->ptr, tail, sds_len(tail));
    /* Even an empty tail counts as a change, as in Redis. */
    string_changed(c, c->argv[1], "append");
    reply_integer(c, (long long)sds_len(o->ptr));
}

/* ---------------------------------------------------------- counters */

/* Adds incr to key's integer value (0 if missing), keeping its TTL. */
static void incr_generic(client *c, long long incr) {
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_STRING)) return;
    long long value = 0;
    if (o && !obj_get_long_long(o, &value)) {
        reply_error_not_integer(c);
        return;
    }
    if (__builtin_add_overflow(value, incr, &value)) {
        reply_error(c, "increment or decrement would overflow");
        return;
    }
    /* Update an unshared INT in place (no allocation) unless the result is
     * one of the shared integers, which the key should then point to. */
    if (o && o->refcount == 1 && o->encoding == OBJ_ENCODING_INT &&
        (value < 0 || value >= OBJ_SHARED_INTEGERS)) {
        o->ptr = (void *)(intptr_t)value;
    } else if (o) {
        db_set_key(c->db, c->argv[1], obj_create_string_from_ll(value), 1);
    } else {
        db_add(c->db, c->argv[1], obj_create_string_from_ll(value));
    }
    string_changed(c, c->argv[1], "incrby");
    reply_integer(c, value);
}

static void incr_command(client *c) {
    incr_generic(c, 1);
}

static void decr_command(client *c) {
    incr_generic(c, -1);
}

static void incrby_command(client *c) {
    long long incr;
    if (string_arg_ll(c, 2, &incr)) incr_generic(c, incr);
}

static void decrby_command(client *c) {
    long long decr;
    if (!string_arg_ll(c, 2, &decr)) return;
    if (decr == LLONG_MIN) {
        reply_error(c, "decrement would overflow");
        return;
    }
    incr_generic(c, -decr);
}

/* Reads a string object (NULL: 0) as a long double; replies and returns 0
 * if it is not a valid float. */
static int string_obj_ld(client *c, const robj *o, long double *v) {
    long long ll;
    if (o == NULL) {
        *v = 0;
        return 1;
    }
    if (o->encoding == OBJ_ENCODING_INT && obj_get_long_long(o, &ll)) {
        *v = (long double)ll;
        return 1;
    }
    if (string2ld(o->ptr, sds_len(o->ptr), v)) return 1;
    reply_error(c, "value is not a valid float");
    return 0;
}

static void incrbyfloat_command(client *c) {
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (db_check_type(c, o, OBJ_STRING)) return;
    long double value, incr;
    if (!string_obj_ld(c, o, &value)) return;
    if (!string2ld(c->argv[2], sds_len(c->argv[2]), &incr)) {
        reply_error(c, "value is not a valid float");
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(c, "increment would produce NaN or Infinity");
        return;
    }
    char buf[MAX_LONG_DOUBLE_CHARS];
    int len = ld2string(buf, sizeof(buf), value, LD_STR_HUMAN);
    robj *n = obj_create_string_noint(buf, (size_t)len);
    if (o) db_set_key(c->db, c->argv[1], n, 1);
    else db_add(c->db, c->argv[1], n);
    string_changed(c, c->argv[1], "incrbyfloat");
    /* Replayed as the result, so float rounding cannot drift. */
    prop_replacef(c, "csbc", "SET", c->argv[1], buf, (size_t)len, "KEEPTTL");
    reply_bulk(c, buf, (size_t)len);
}

/* ---------------------------------------------------------- ranges */

/* GETRANGE / SUBSTR key start end: inclusive, negative counts from the end,
 * clamped to the string; an empty range gives an empty string. */
static void getrange_command(client *c) {
    long long start, end;
    if (!string_arg_ll(c, 2, &start) || !string_arg_ll(c, 3, &end)) return;
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_bulk(c, "", 0);
        return;
    }
    if (db_check_type(c, o, OBJ_STRING)) return;
    char buf[LONG_STR_SIZE];
    size_t slen;
    const char *p = obj_string_bytes(o, buf, &slen);
    long long len = (long long)slen;
    /* Both from the end and crossed: empty even where clamping would not
     * make them so ("-1 -5"). */
    if (start < 0 && end < 0 && start > end) {
        reply_bulk(c, "", 0);
        return;
    }
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= len) end = len - 1;
    if (len == 0 || start > end) reply_bulk(c, "", 0);
    else reply_bulk(c, p + start, (size_t)(end - start + 1));
}

static void setrange_command(client *c) {
    long long offset;
    if (!string_arg_ll(c, 2, &offset)) return;
    if (offset < 0) {
        reply_error(c, "offset is out of range");
        return;
    }
    const sds value = c->argv[3];
    size_t vlen = sds_len(value);
    robj *o = db_lookup_write(c->db, c->argv[1]);
    if (o == NULL) {
        /* Nothing to write creates nothing. */
        if (vlen == 0) {
            reply_integer(c, 0);
            return;
        }
        if (!string_check_length(c, offset, (long long)vlen)) return;
        o = obj_create_raw_string(sds_new_len(NULL, (size_t)offset + vlen));
        db_add(c->db, c->argv[1], o);
    } else {
        if (db_check_type(c, o, OBJ_STRING)) return;
        if (vlen == 0) {
            reply_integer(c, (long long)obj_string_len(o));
            return;
        }
        if (!string_check_length(c, offset, (long long)vlen)) return;
        o = string_unshare(c->db, c->argv[1], o);
        o->ptr = sds_grow_zero(o->ptr, (size_t)offset + vlen);
    }
    memcpy((char *)o->ptr + offset, value, vlen);
    string_changed(c, c->argv[1], "setrange");
    reply_integer(c, (long long)sds_len(o->ptr));
}

/* ---------------------------------------------------------- LCS */

struct lcs_args {
    int want_len, want_idx, with_match_len;
    long long min_match_len;
};

/* Parses LCS's options from argv[3]; replies and returns 0 on error. */
static int lcs_parse_args(client *c, struct lcs_args *a) {
    memset(a, 0, sizeof(*a));
    for (int i = 3; i < c->argc; i++) {
        const char *opt = c->argv[i];
        if (strcasecmp(opt, "idx") == 0) a->want_idx = 1;
        else if (strcasecmp(opt, "len") == 0) a->want_len = 1;
        else if (strcasecmp(opt, "withmatchlen") == 0) a->with_match_len = 1;
        else if (strcasecmp(opt, "minmatchlen") == 0 && i + 1 < c->argc) {
            if (!string_arg_ll(c, ++i, &a->min_match_len)) return 0;
            if (a->min_match_len < 0) a->min_match_len = 0;
        } else {
            reply_error_syntax(c);
            return 0;
        }
    }
    if (a->want_idx && a->want_len) {
        reply_error(c, "If you want both the length and indexes, please just use IDX.");
        return 0;
    }
    return 1;
}

/* Replies with IDX's map: the runs (last first) of at least min_match_len
 * bytes, and the LCS length. */
static void lcs_reply_idx(client *c, const lcs_table *t, const struct lcs_args *a) {
    uint32_t len = lcs_table_length(t);
    lcs_match *m = zmalloc(sizeof(*m) * (len ? len : 1));
    size_t n = lcs_table_walk(t, NULL, m);
    long shown = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i].a_end - m[i].a_start + 1 >= a->min_match_len) shown++;
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "matches");
    reply_array_len(c, shown);
    for (size_t i = 0; i < n; i++) {
        long long run_len = (long long)m[i].a_end - m[i].a_start + 1;
        if (run_len < a->min_match_len) continue;
        reply_array_len(c, a->with_match_len ? 3 : 2);
        reply_array_len(c, 2);
        reply_integer(c, m[i].a_start);
        reply_integer(c, m[i].a_end);
        reply_array_len(c, 2);
        reply_integer(c, m[i].b_start);
        reply_integer(c, m[i].b_end);
        if (a->with_match_len) reply_integer(c, run_len);
    }
    reply_bulk_cstr(c, "len");
    reply_integer(c, len);
    zfree(m);
}

static void lcs_command(client *c) {
    robj *oa = db_lookup_read(c->db, c->argv[1]);
    robj *ob = db_lookup_read(c->db, c->argv[2]);
    if ((oa && oa->type != OBJ_STRING) || (ob && ob->type != OBJ_STRING)) {
        reply_error(c, "The specified keys must contain string values");
        return;
    }
    struct lcs_args args;
    if (!lcs_parse_args(c, &args)) return;
    char abuf[LONG_STR_SIZE], bbuf[LONG_STR_SIZE];
    size_t alen = 0, blen = 0;
    const char *a = oa ? obj_string_bytes(oa, abuf, &alen) : "";
    const char *b = ob ? obj_string_bytes(ob, bbuf, &blen) : "";
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
        reply_error(c, "String too long for LCS");
        return;
    }
    /* Redis bounds the table (not the answer) by proto-max-bulk-len, even
     * for LEN, which here needs only two rows of it. */
    if (lcs_table_bytes(alen, blen) > (uint64_t)cfg.proto_max_bulk_len) {
        reply_error(c, "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        return;
    }
    if (args.want_len) {
        reply_integer(c, lcs_length(a, (uint32_t)alen, b, (uint32_t)blen));
        return;
    }
    lcs_table *t = lcs_table_build(a, (uint32_t)alen, b, (uint32_t)blen);
    if (args.want_idx) {
        lcs_reply_idx(c, t, &args);
    } else {
        sds seq = sds_new_len_uninit(lcs_table_length(t));
        lcs_table_walk(t, seq, NULL);
        reply_bulk_sds(c, seq);
        sds_free(seq);
    }
    lcs_table_free(t);
}

/* ---------------------------------------------------------- table */

#define GETRANGE_COMPLEXITY                                                                                  \
    "O(N) where N is the length of the returned string. The complexity is ultimately determined by the "   \
    "returned length, but because creating a substring from an existing string is very cheap, it can be " \
    "considered O(1) for small strings."

redis_command string_commands[] = {
    {.name = "get", .proc = get_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "string",
     .since = "1.0.0", .summary = "Get the value of a key", .complexity = "O(1)"},
    {.name = "set", .proc = set_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE | KS_VARIABLE_FLAGS,
     .ks_notes = "RW and ACCESS due to the optional `GET` argument", .group = "string", .since = "1.0.0",
     .summary = "Set the string value of a key", .complexity = "O(1)"},
    {.name = "setnx", .proc = setnx_command, .arity = 3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_STRING, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_OW | KS_INSERT,
     .group = "string", .since = "1.0.0", .summary = "Set the value of a key, only if the key does not exist",
     .complexity = "O(1)"},
    {.name = "setex", .proc = setex_command, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_OW | KS_UPDATE, .group = "string",
     .since = "2.0.0", .summary = "Set the value and expiration of a key", .complexity = "O(1)"},
    {.name = "psetex", .proc = psetex_command, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_OW | KS_UPDATE, .group = "string",
     .since = "2.6.0", .summary = "Set the value and expiration in milliseconds of a key", .complexity = "O(1)"},
    {.name = "getset", .proc = getset_command, .arity = 3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_STRING, .first_key = 1, .last_key = 1, .key_step = 1,
     .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "string", .since = "1.0.0",
     .summary = "Set the string value of a key and return its old value", .complexity = "O(1)"},
    {.name = "getdel", .proc = getdel_command, .arity = 2, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_ACCESS | KS_DELETE,
     .group = "string", .since = "6.2.0", .summary = "Get the value of a key and delete the key",
     .complexity = "O(1)"},
    {.name = "getex", .proc = getex_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE,
     .ks_notes = "RW and UPDATE because it changes the TTL", .group = "string", .since = "6.2.0",
     .summary = "Get the value of a key and optionally set its expiration", .complexity = "O(1)"},
    {.name = "mget", .proc = mget_command, .arity = -2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_STRING,
     .first_key = 1, .last_key = -1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS,
     .tips = "request_policy:multi_shard", .group = "string", .since = "1.0.0",
     .summary = "Get the values of all the given keys",
     .complexity = "O(N) where N is the number of keys to retrieve."},
    {.name = "mset", .proc = mset_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_STRING,
     .first_key = 1, .last_key = -1, .key_step = 2, .ks_flags = KS_OW | KS_UPDATE,
     .tips = "request_policy:multi_shard response_policy:all_succeeded", .group = "string", .since = "1.0.1",
     .summary = "Set multiple keys to multiple values",
     .complexity = "O(N) where N is the number of keys to set."},
    {.name = "msetnx", .proc = msetnx_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_STRING,
     .first_key = 1, .last_key = -1, .key_step = 2, .ks_flags = KS_OW | KS_INSERT,
     .tips = "request_policy:multi_shard response_policy:agg_min", .group = "string", .since = "1.0.1",
     .summary = "Set multiple keys to multiple values, only if none of the keys exist",
     .complexity = "O(N) where N is the number of keys to set."},
    {.name = "append", .proc = append_command, .arity = 3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_STRING, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_INSERT,
     .group = "string", .since = "2.0.0", .summary = "Append a value to a key",
     .complexity = "O(1). The amortized time complexity is O(1) assuming the appended value is small and the "
                   "already present value is of any size, since the dynamic string library used by Redis will "
                   "double the free space available on every reallocation."},
    {.name = "strlen", .proc = strlen_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO, .group = "string", .since = "2.2.0",
     .summary = "Get the length of the value stored in a key", .complexity = "O(1)"},
    {.name = "incr", .proc = incr_command, .arity = 2, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_STRING, .first_key = 1, .last_key = 1, .key_step = 1,
     .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "string", .since = "1.0.0",
     .summary = "Increment the integer value of a key by one", .complexity = "O(1)"},
    {.name = "decr", .proc = decr_command, .arity = 2, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_STRING, .first_key = 1, .last_key = 1, .key_step = 1,
     .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "string", .since = "1.0.0",
     .summary = "Decrement the integer value of a key by one", .complexity = "O(1)"},
    {.name = "incrby", .proc = incrby_command, .arity = 3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_STRING, .first_key = 1, .last_key = 1, .key_step = 1,
     .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "string", .since = "1.0.0",
     .summary = "Increment the integer value of a key by the given amount", .complexity = "O(1)"},
    {.name = "decrby", .proc = decrby_command, .arity = 3, .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .acl = ACL_STRING, .first_key = 1, .last_key = 1, .key_step = 1,
     .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "string", .since = "1.0.0",
     .summary = "Decrement the integer value of a key by the given number", .complexity = "O(1)"},
    {.name = "incrbyfloat", .proc = incrbyfloat_command, .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = ACL_STRING, .first_key = 1, .last_key = 1,
     .key_step = 1, .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "string", .since = "2.6.0",
     .summary = "Increment the float value of a key by the given amount", .complexity = "O(1)"},
    {.name = "getrange", .proc = getrange_command, .arity = 4, .flags = CMD_READONLY, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "string",
     .since = "2.4.0", .summary = "Get a substring of the string stored at a key", .complexity = GETRANGE_COMPLEXITY},
    {.name = "substr", .proc = getrange_command, .arity = 4, .flags = CMD_READONLY, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "string",
     .since = "1.0.0", .summary = "Get a substring of the string stored at a key", .complexity = GETRANGE_COMPLEXITY},
    {.name = "setrange", .proc = setrange_command, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_STRING, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_UPDATE,
     .group = "string", .since = "2.2.0", .summary = "Overwrite part of a string at key starting at the specified offset",
     .complexity = "O(1), not counting the time taken to copy the new string in place. Usually, this string is "
                   "very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being "
                   "the length of the value argument."},
    {.name = "lcs", .proc = lcs_command, .arity = -3, .flags = CMD_READONLY, .acl = ACL_STRING, .first_key = 1,
     .last_key = 2, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "string", .since = "7.0.0",
     .summary = "Find longest common substring",
     .complexity = "O(N*M) where N and M are the lengths of s1 and s2, respectively"},
    {0}};
