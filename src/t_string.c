/* t_string.c -- string commands: GET/SET and their variants, the counters
 * (INCR family, INCRBYFLOAT), ranges (GETRANGE, SETRANGE, APPEND) and LCS.
 *
 * Owns nothing but handlers: values are created through object.c and
 * stored through db.c. Every handler validates all of its arguments before
 * it changes anything, so a command that replies with an error has had no
 * effect. A value is changed in place only when this key alone holds it as
 * a RAW string (or, for counters, an unshared INT); otherwise it is copied
 * first, so a shared integer is never written. */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "db.h"
#include "lcs.h"
#include "monotonic.h"
#include "networking.h"
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

struct set_args {
    int flags;
    long long expire_ms; /* absolute unix ms, valid when an expire flag set */
};

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

void set_command(client *c) {
    struct set_args a;
    if (!set_parse_args(c, &a)) return;
    sds key = c->argv[1];
    robj *old = db_lookup_write(c->db, key);
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
    robj *val = net_arg_to_object(c, 2);
    db_set_key(c->db, key, val, a.flags & SET_KEEPTTL);
    if (a.flags & (SET_EX | SET_PX | SET_EXAT | SET_PXAT)) db_set_expire(c->db, key, a.expire_ms);
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

/* ---------------------------------------------------------- table */

redis_command string_commands[] = {
    {.name = "get", .proc = get_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "string",
     .since = "1.0.0", .summary = "Get the value of a key", .complexity = "O(1)"},
    {.name = "set", .proc = set_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_STRING,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE | KS_VARIABLE_FLAGS,
     .ks_notes = "RW and ACCESS due to the optional `GET` argument", .group = "string", .since = "1.0.0",
     .summary = "Set the string value of a key", .complexity = "O(1)"},
    {0}};
