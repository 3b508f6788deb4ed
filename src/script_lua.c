/* script_lua.c -- the Lua 5.1 engine: sandbox, the `redis` table, and the
 * conversions between Lua values and RESP, as Redis 7.0 does them.
 *
 * Debian's liblua5.1 has no read-only tables (Redis patches its VM for
 * them), so protection is built from metatables: the globals table the
 * scripts see is an empty proxy whose __index is the real table and whose
 * __newindex raises "Attempt to modify a readonly table"; library tables
 * are proxied the same way; rawset and setmetatable refuse the proxies.
 * next(), rawget() and pairs() are wrapped to read through a proxy to its
 * table (without ever returning the table itself).
 * Never calls into eval.c: everything it needs of the running
 * script comes through script.h. */
#include "script_lua.h"
#include "script_debug.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "reply.h"
#include "sha1.h"
#include "util.h"
#include "zmalloc.h"

/* Script calls between two incremental garbage-collection steps. */
#define LUA_GC_CYCLE_CALLS 50
/* Instructions between two calls of the busy hook (as Redis). */
#define LUA_HOOK_INSTRUCTIONS 100000
/* Nesting of a RESP reply converted to Lua, and of a Lua table replied. */
#define LUA_MAX_NESTING 1000
#define LUA_REAL_GLOBALS "__minired_globals"
/* Field of a read-only proxy's metatable. */
#define READONLY_MARK "__minired_readonly"
/* Marks an error table made of a command's error reply (as Redis 7.0). */
#define ERR_NO_STATS_FIELD "ignore_error_stats_update"
#define REDIS_VERSION_NUM_VALUE 0x07000f /* 7.0.15 */

/* ---------------------------------------------------------- registry of libs */

#define MAX_EXTRA 32
static struct {
    const char *name;
    lua_CFunction fn;
} extra_libs[MAX_EXTRA], extra_redis_fns[MAX_EXTRA];
static int extra_lib_count, extra_redis_fn_count;

void script_lua_register_lib(const char *name, lua_CFunction open) {
    if (extra_lib_count < MAX_EXTRA) extra_libs[extra_lib_count++] = (typeof(extra_libs[0])){name, open};
}

void script_lua_register_redis_fn(const char *name, lua_CFunction fn) {
    if (extra_redis_fn_count < MAX_EXTRA) extra_redis_fns[extra_redis_fn_count++] = (typeof(extra_redis_fns[0])){name, fn};
}

/* ---------------------------------------------------------- errors */

void script_lua_push_error(lua_State *L, const char *msg) {
    sds code, text;
    if (msg[0] == '-') {
        const char *sp = strchr(msg, ' ');
        if (sp) {
            code = sds_new_len(msg + 1, (size_t)(sp - msg - 1));
            text = sds_new(sp + 1);
        } else {
            code = sds_new("ERR");
            text = sds_new(msg + 1);
        }
    } else {
        code = sds_new("ERR");
        text = sds_new(msg);
    }
    text = sds_trim(text, "\r\n");
    code = sds_cat_printf(code, " %s", text);
    lua_newtable(L);
    lua_pushstring(L, "err");
    lua_pushlstring(L, code, sds_len(code));
    lua_rawset(L, -3);
    sds_free(code);
    sds_free(text);
}

/* The message handler of every call: errors become {err=, source=, line=}
 * pointing at the script's line (past a C function that raised it). */
static int lua_error_handler(lua_State *L) {
    lua_Debug ar;
    int have = 0;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
        have = 1;
        if (strcmp(ar.what, "C") == 0) have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "Sl", &ar);
    }
    if (!lua_istable(L, 1)) {
        const char *s = lua_isstring(L, 1) ? lua_tostring(L, 1) : lua_isnil(L, 1) ? "nil" : lua_typename(L, lua_type(L, 1));
        sds m = sds_cat_printf(sds_new("ERR "), "%s", s);
        lua_newtable(L);
        lua_pushstring(L, "err");
        lua_pushlstring(L, m, sds_len(m));
        lua_rawset(L, -3);
        sds_free(m);
        lua_replace(L, 1);
        lua_settop(L, 1);
    }
    if (have) {
        lua_pushstring(L, "source");
        lua_pushstring(L, ar.source);
        lua_rawset(L, 1);
        lua_pushstring(L, "line");
        lua_pushinteger(L, ar.currentline);
        lua_rawset(L, 1);
    }
    lua_settop(L, 1);
    return 1;
}

/* ---------------------------------------------------------- RESP -> Lua */

static const char *resp_line_end(const char *p, const char *end) {
    const char *cr = memchr(p, '\r', (size_t)(end - p));
    return (cr && cr + 1 < end) ? cr : NULL;
}

static void lua_set_field_pop(lua_State *L, const char *field) {
    lua_pushstring(L, field);
    lua_insert(L, -2);
    lua_rawset(L, -3);
}

static const char *push_resp(lua_State *L, const char *p, const char *end, int depth);

/* An aggregate of n elements (maps: n pairs) at p. */
static const char *push_resp_aggregate(lua_State *L, char type, long long n, const char *p, const char *end,
                                       int depth) {
    lua_newtable(L);
    if (type == '%' || type == '~') lua_newtable(L);
    for (long long i = 0; i < n && p; i++) {
        if (type == '%') {
            p = p ? push_resp(L, p, end, depth + 1) : p;
            p = p ? push_resp(L, p, end, depth + 1) : p;
            if (p) lua_settable(L, -3);
        } else if (type == '~') {
            p = push_resp(L, p, end, depth + 1);
            if (p) {
                lua_pushboolean(L, 1);
                lua_settable(L, -3);
            }
        } else {
            lua_pushinteger(L, (lua_Integer)(i + 1));
            p = push_resp(L, p, end, depth + 1);
            if (p) lua_settable(L, -3);
        }
    }
    if (type == '%') lua_set_field_pop(L, "map");
    else if (type == '~') lua_set_field_pop(L, "set");
    return p;
}

/* The payload of a bulk string ('$'), a blob error ('!') or a verbatim
 * string ('=', "txt:..." -> {verbatim_string = {format =, string =}}). */
static void push_resp_bulk(lua_State *L, char type, const char *p, size_t n) {
    if (type == '$') {
        lua_pushlstring(L, p, n);
    } else if (type == '!') {
        lua_newtable(L);
        lua_pushlstring(L, p, n);
        lua_set_field_pop(L, "err");
    } else {
        lua_newtable(L);
        lua_newtable(L);
        lua_pushlstring(L, p, n >= 3 ? 3 : n);
        lua_set_field_pop(L, "format");
        lua_pushlstring(L, n >= 4 ? p + 4 : p, n >= 4 ? n - 4 : 0);
        lua_set_field_pop(L, "string");
        lua_set_field_pop(L, "verbatim_string");
    }
}

static const char *push_resp(lua_State *L, const char *p, const char *end, int depth) {
    if (p >= end || depth > LUA_MAX_NESTING || !lua_checkstack(L, 8)) return NULL;
    const char *le = resp_line_end(p, end);
    if (le == NULL) return NULL;
    char type = *p;
    const char *s = p + 1;
    size_t slen = (size_t)(le - s);
    const char *next = le + 2;
    long long n = 0;
    switch (type) {
    case '+':
    case '-':
        lua_newtable(L);
        lua_pushlstring(L, s, slen);
        lua_set_field_pop(L, type == '+' ? "ok" : "err");
        return next;
    case ':':
        string2ll(s, slen, &n);
        lua_pushnumber(L, (lua_Number)n);
        return next;
    case '_':
        lua_pushnil(L);
        return next;
    case '#':
        lua_pushboolean(L, *s == 't');
        return next;
    case ',': {
        char buf[128];
        size_t l = slen < sizeof(buf) - 1 ? slen : sizeof(buf) - 1;
        memcpy(buf, s, l);
        buf[l] = '\0';
        lua_newtable(L);
        lua_pushnumber(L, strtod(buf, NULL));
        lua_set_field_pop(L, "double");
        return next;
    }
    case '(':
        lua_newtable(L);
        lua_pushlstring(L, s, slen);
        lua_set_field_pop(L, "big_number");
        return next;
    case '$':
    case '=':
    case '!':
        string2ll(s, slen, &n);
        if (n < 0) {
            lua_pushboolean(L, 0);
            return next;
        }
        if (next + n + 2 > end) return NULL;
        push_resp_bulk(L, type, next, (size_t)n);
        return next + n + 2;
    case '*':
    case '>':
    case '%':
    case '~':
        string2ll(s, slen, &n);
        if (n < 0) {
            lua_pushboolean(L, 0);
            return next;
        }
        return push_resp_aggregate(L, type, n, next, end, depth);
    case '|':
        /* Attributes carry nothing a script sees: skip, take the value. */
        string2ll(s, slen, &n);
        {
            int top = lua_gettop(L);
            next = push_resp_aggregate(L, '%', n, next, end, depth);
            lua_settop(L, top);
        }
        return next ? push_resp(L, next, end, depth) : NULL;
    }
    return NULL;
}

size_t script_lua_push_resp(lua_State *L, const char *p, size_t len) {
    int top = lua_gettop(L);
    const char *e = push_resp(L, p, p + len, 0);
    if (e == NULL) {
        lua_settop(L, top);
        lua_pushnil(L);
        return 0;
    }
    return (size_t)(e - p);
}

/* ---------------------------------------------------------- Lua -> reply */

/* t[field] (raw) of the table at -1, pushed; returns its type. */
static int raw_field(lua_State *L, const char *field) {
    lua_pushstring(L, field);
    lua_rawget(L, -2);
    return lua_type(L, -1);
}

static void reply_lua_value(client *c, lua_State *L, int resp, int depth);

/* Replies e ("-CODE msg") to c, counted in the error statistics unless
 * the error table at -1 says its command already was. */
static void reply_lua_error_text(client *c, lua_State *L, sds e) {
    lua_pushstring(L, ERR_NO_STATS_FIELD);
    lua_rawget(L, -2);
    int counted = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (!counted) {
        reply_error(c, e);
        return;
    }
    /* Not counted again, but the script's command still failed. */
    if (c->cmd) c->cmd->failed_calls++;
    for (size_t i = 0; i < sds_len(e); i++)
        if (e[i] == '\r' || e[i] == '\n') e[i] = ' ';
    reply_proto(c, e, sds_len(e));
    reply_proto(c, "\r\n", 2);
}

static void reply_lua_error_table(client *c, lua_State *L) {
    /* The table's err field, plus " script: ..." only from a raised
     * error (eval.c adds it); a returned {err=} is replied as it is. */
    raw_field(L, "err");
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    sds e = sds_new("-");
    e = sds_cat_len(e, msg, len);
    lua_pop(L, 1);
    reply_lua_error_text(c, L, e);
    sds_free(e);
}

/* Replies s (len bytes) with CR and LF turned to spaces: as a status,
 * or as a big number ("(" in RESP3, a bulk string in RESP2). */
static void reply_lua_line(client *c, const char *s, size_t len, int big_number) {
    sds line = sds_new_len(s, len);
    for (size_t i = 0; i < sds_len(line); i++)
        if (line[i] == '\r' || line[i] == '\n') line[i] = ' ';
    if (!big_number) {
        reply_status(c, line);
    } else if (c->resp == 2) {
        reply_bulk(c, line, sds_len(line));
    } else {
        sds p = sds_cat_printf(sds_new("("), "%s\r\n", line);
        reply_proto(c, p, sds_len(p));
        sds_free(p);
    }
    sds_free(line);
}

/* {map = t}: the table at -1 as a map. */
static void reply_lua_map(client *c, lua_State *L, int resp, int depth) {
    void *hdr = reply_deferred_len(c);
    long n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pushvalue(L, -2); /* key copy on top: replied first */
        reply_lua_value(c, L, resp, depth + 1);
        reply_lua_value(c, L, resp, depth + 1);
        n++;
    }
    reply_set_deferred_map_len(c, hdr, n);
}

/* {set = t}: the keys of the table at -1 as a set. */
static void reply_lua_set(client *c, lua_State *L, int resp, int depth) {
    void *hdr = reply_deferred_len(c);
    long n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        reply_lua_value(c, L, resp, depth + 1);
        n++;
    }
    reply_set_deferred_set_len(c, hdr, n);
}

/* {verbatim_string = {format =, string =}} (table at -1); 0 if either
 * field is not a string (the outer table is then an array). */
static int reply_lua_verbatim(client *c, lua_State *L) {
    int ft = raw_field(L, "format");
    lua_pushstring(L, "string");
    lua_rawget(L, -3);
    int ok = ft == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING;
    if (ok) {
        size_t flen, slen;
        const char *fmt = lua_tolstring(L, -2, &flen);
        const char *s = lua_tolstring(L, -1, &slen);
        char ext[4] = {0};
        memcpy(ext, fmt, flen < 3 ? flen : 3);
        reply_verbatim(c, s, slen, ext);
    }
    lua_pop(L, 2);
    return ok;
}

/* A table's special field, as Redis 7.0 checks them in this order: the
 * field's value is at -1; returns 1 if it made the reply. */
static int reply_lua_special(client *c, lua_State *L, const char *field, int t, int resp, int depth) {
    size_t len;
    if (strcmp(field, "ok") == 0 && t == LUA_TSTRING) {
        const char *s = lua_tolstring(L, -1, &len);
        reply_lua_line(c, s, len, 0);
    } else if (strcmp(field, "double") == 0 && t == LUA_TNUMBER) {
        reply_double(c, lua_tonumber(L, -1));
    } else if (strcmp(field, "big_number") == 0 && t == LUA_TSTRING) {
        const char *s = lua_tolstring(L, -1, &len);
        reply_lua_line(c, s, len, 1);
    } else if (strcmp(field, "map") == 0 && t == LUA_TTABLE) {
        reply_lua_map(c, L, resp, depth);
    } else if (strcmp(field, "set") == 0 && t == LUA_TTABLE) {
        reply_lua_set(c, L, resp, depth);
    } else if (strcmp(field, "verbatim_string") == 0 && t == LUA_TTABLE) {
        return reply_lua_verbatim(c, L);
    } else {
        return 0;
    }
    return 1;
}

static void reply_lua_table(client *c, lua_State *L, int resp, int depth) {
    static const char *fields[] = {"ok", "double", "big_number", "map", "set", "verbatim_string"};
    if (raw_field(L, "err") == LUA_TSTRING) {
        lua_pop(L, 1);
        reply_lua_error_table(c, L);
        return;
    }
    lua_pop(L, 1);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        int t = raw_field(L, fields[i]);
        int done = reply_lua_special(c, L, fields[i], t, resp, depth);
        lua_pop(L, 1);
        if (done) return;
    }
    /* An array: 1, 2, ... up to the first nil. */
    void *hdr = reply_deferred_len(c);
    long n = 0;
    for (;;) {
        lua_pushinteger(L, n + 1);
        lua_rawget(L, -2);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
        }
        reply_lua_value(c, L, resp, depth + 1);
        n++;
    }
    reply_set_deferred_array_len(c, hdr, n);
}

/* Replies the value on top of L and pops it. */
static void reply_lua_value(client *c, lua_State *L, int resp, int depth) {
    if (depth > LUA_MAX_NESTING || !lua_checkstack(L, 8)) {
        reply_error(c, "reached lua stack limit");
        lua_pop(L, 1);
        return;
    }
    size_t len;
    const char *s;
    switch (lua_type(L, -1)) {
    case LUA_TSTRING:
        s = lua_tolstring(L, -1, &len);
        reply_bulk(c, s, len);
        break;
    case LUA_TBOOLEAN:
        if (resp == 2) {
            if (lua_toboolean(L, -1)) reply_integer(c, 1);
            else reply_null(c);
        } else {
            reply_bool(c, lua_toboolean(L, -1));
        }
        break;
    case LUA_TNUMBER:
        reply_integer(c, (long long)lua_tonumber(L, -1));
        break;
    case LUA_TTABLE:
        reply_lua_table(c, L, resp, depth);
        break;
    default:
        reply_null(c);
    }
    lua_pop(L, 1);
}

void script_lua_reply(client *c, lua_State *L, int resp) {
    reply_lua_value(c, L, resp, 0);
}

/* ---------------------------------------------------------- redis.* */

/* Builds argv from the call's arguments (strings, or numbers as %.17g).
 * Returns NULL (error table pushed) when one is of another type. */
/* Numbers under this magnitude that hold an integer are converted with
 * integer formatting (exact: well below 2^53). */
#define LUA_ARG_INT_FAST_MAX 1e15

static sds *lua_args_to_argv(lua_State *L, int argc) {
    sds *argv = zmalloc(sizeof(sds) * (size_t)argc);
    for (int j = 0; j < argc; j++) {
        int t = lua_type(L, j + 1);
        if (t == LUA_TNUMBER) {
            double v = (double)lua_tonumber(L, j + 1);
            /* Integral values below 1e15 print the same digits under
             * "%.17g" as an integer does, without printf's float path
             * (LTRIM k 0 9, INCRBY k 5: the common case). -0 keeps its
             * sign through "%.17g". */
            if (v > -LUA_ARG_INT_FAST_MAX && v < LUA_ARG_INT_FAST_MAX && v == (double)(long long)v &&
                !(v == 0 && signbit(v))) {
                argv[j] = sds_from_ll((long long)v);
                continue;
            }
            char buf[64];
            int n = snprintf(buf, sizeof(buf), "%.17g", v);
            argv[j] = sds_new_len(buf, (size_t)n);
        } else if (t == LUA_TSTRING) {
            size_t len;
            const char *s = lua_tolstring(L, j + 1, &len);
            argv[j] = sds_new_len(s, len);
        } else {
            for (int k = 0; k < j; k++) sds_free(argv[k]);
            zfree(argv);
            script_lua_push_error(L, "Lua redis lib command arguments must be strings or integers");
            return NULL;
        }
    }
    return argv;
}

/* Raises {err = "ERR msg"} without a position (Redis's luaPushError +
 * luaError); the handler adds the script's line to the reply. */
static int lua_raise(lua_State *L, const char *msg) {
    script_lua_push_error(L, msg);
    return lua_error(L);
}

/* redis.call (raise 1) and redis.pcall (raise 0). */
static int lua_redis_generic_call(lua_State *L, int raise) {
    script_run *r = script_current();
    int argc = lua_gettop(L);
    if (r == NULL) {
        script_lua_push_error(L, "redis.call/pcall can only be called inside a script invocation");
        return lua_error(L);
    }
    if (argc == 0) {
        script_lua_push_error(L, "Please specify at least one argument for this redis lib call");
        return raise ? lua_error(L) : 1;
    }
    sds *argv = lua_args_to_argv(L, argc);
    if (argv == NULL) return raise ? lua_error(L) : 1;
    sds err = NULL;
    sds reply = script_call(r, argc, argv, &err);
    if (script_debug_active()) script_debug_log_call(argc, argv, reply, reply ? sds_len(reply) : 0, err);
    for (int j = 0; j < argc; j++) sds_free(argv[j]);
    zfree(argv);
    if (err) {
        script_lua_push_error(L, err);
        sds_free(err);
        return raise ? lua_error(L) : 1;
    }
    script_lua_push_resp(L, reply, sds_len(reply));
    int is_error = sds_len(reply) > 0 && (reply[0] == '-' || reply[0] == '!');
    sds_free(reply);
    if (is_error && lua_istable(L, -1)) {
        /* The command's error was counted when it was replied to the
         * script: the script's own error reply made of it is not. */
        lua_pushstring(L, ERR_NO_STATS_FIELD);
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
    }
    if (raise && is_error) return lua_error(L);
    return 1;
}

static int lua_redis_call(lua_State *L) {
    return lua_redis_generic_call(L, 1);
}

static int lua_redis_pcall(lua_State *L) {
    return lua_redis_generic_call(L, 0);
}

/* redis.error_reply / redis.status_reply: {err=} / {ok=}. */
static int lua_redis_reply_table(lua_State *L, const char *field) {
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
        script_lua_push_error(L, "wrong number or type of arguments");
        return 1;
    }
    if (field[0] == 'e') {
        /* Parsed as an error reply ("-CODE msg"), '-' added if missing. */
        const char *s = lua_tostring(L, 1);
        sds e = s[0] == '-' ? sds_new(s) : sds_cat(sds_new("-"), s);
        script_lua_push_error(L, e);
        sds_free(e);
        return 1;
    }
    lua_newtable(L);
    lua_pushstring(L, field);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    return 1;
}

static int lua_redis_error_reply(lua_State *L) {
    return lua_redis_reply_table(L, "err");
}

static int lua_redis_status_reply(lua_State *L) {
    return lua_redis_reply_table(L, "ok");
}

static int lua_redis_sha1hex(lua_State *L) {
    if (lua_gettop(L) != 1) {
        return lua_raise(L, "wrong number of arguments");
    }
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    if (s == NULL) s = "", len = 0;
    unsigned char d[SHA1_DIGEST_BYTES];
    char hex[41];
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, s, len);
    sha1_final(&ctx, d);
    for (int i = 0; i < SHA1_DIGEST_BYTES; i++) snprintf(hex + i * 2, 3, "%02x", d[i]);
    lua_pushstring(L, hex);
    return 1;
}

static int lua_redis_log(lua_State *L) {
    int argc = lua_gettop(L);
    if (argc < 2) {
        return lua_raise(L, "redis.log() requires two arguments or more.");
    }
    if (!lua_isnumber(L, 1)) {
        return lua_raise(L, "First argument must be a number (log level).");
    }
    int level = (int)lua_tonumber(L, 1);
    if (level < LL_DEBUG || level > LL_WARNING) {
        return lua_raise(L, "Invalid debug level.");
    }
    sds msg = sds_empty();
    for (int j = 2; j <= argc; j++) {
        size_t len;
        const char *s = lua_tolstring(L, j, &len);
        if (s) {
            if (j != 2) msg = sds_cat_len(msg, " ", 1);
            msg = sds_cat_len(msg, s, len);
        }
    }
    log_msg(level, "%s", msg);
    sds_free(msg);
    return 0;
}

static int lua_redis_setresp(lua_State *L) {
    script_run *r = script_current();
    if (lua_gettop(L) != 1) {
        return lua_raise(L, "redis.setresp() requires one argument.");
    }
    int resp = (int)lua_tonumber(L, -1);
    if (resp != 2 && resp != 3) {
        return lua_raise(L, "RESP version must be 2 or 3.");
    }
    if (r) r->sc->resp = resp;
    return 0;
}

static int lua_redis_set_repl(lua_State *L) {
    if (lua_gettop(L) != 1) {
        return lua_raise(L, "redis.set_repl() requires two arguments.");
    }
    long long flags = (long long)lua_tonumber(L, -1);
    if ((flags & ~3LL) != 0) {
        return lua_raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    }
    /* REPL_AOF is 1, REPL_REPLICA 2: what is not asked for is taken away. */
    script_run *r = script_current();
    if (r) r->repl_off = (int)(~flags & 3);
    return 0;
}

static int lua_redis_replicate_commands(lua_State *L) {
    lua_pushboolean(L, 1);
    return 1;
}

/* redis.debug / redis.breakpoint live in script_debug.c (no-ops outside
 * a debugging session). */

static int lua_redis_acl_check_cmd(lua_State *L) {
    script_run *r = script_current();
    int argc = lua_gettop(L);
    if (argc == 0) {
        script_lua_push_error(L, "Please specify at least one argument for this redis lib call");
        return lua_error(L);
    }
    sds *argv = lua_args_to_argv(L, argc);
    if (argv == NULL) return lua_error(L);
    redis_command *cmd = cmd_lookup_sds(argv[0]);
    int ok = cmd != NULL;
    if (cmd && cmd->subcommands && argc > 1) ok = cmd_lookup_subcommand(cmd, argv[1]) != NULL;
    for (int j = 0; j < argc; j++) sds_free(argv[j]);
    zfree(argv);
    (void)r;
    if (!ok) {
        script_lua_push_error(L, "Invalid command passed to redis.acl_check_cmd()");
        return lua_error(L);
    }
    /* Without ACL users every command is allowed to the default user. */
    lua_pushboolean(L, 1);
    return 1;
}

static void lua_set_number(lua_State *L, const char *name, lua_Number v) {
    lua_pushstring(L, name);
    lua_pushnumber(L, v);
    lua_rawset(L, -3);
}

static void lua_set_fn(lua_State *L, const char *name, lua_CFunction fn) {
    lua_pushstring(L, name);
    lua_pushcfunction(L, fn);
    lua_rawset(L, -3);
}

static void lua_load_redis_table(lua_State *L) {
    lua_newtable(L);
    lua_set_fn(L, "call", lua_redis_call);
    lua_set_fn(L, "pcall", lua_redis_pcall);
    lua_set_fn(L, "error_reply", lua_redis_error_reply);
    lua_set_fn(L, "status_reply", lua_redis_status_reply);
    lua_set_fn(L, "sha1hex", lua_redis_sha1hex);
    lua_set_fn(L, "log", lua_redis_log);
    lua_set_fn(L, "setresp", lua_redis_setresp);
    lua_set_fn(L, "set_repl", lua_redis_set_repl);
    lua_set_fn(L, "replicate_commands", lua_redis_replicate_commands);
    lua_set_fn(L, "breakpoint", script_debug_lua_breakpoint);
    lua_set_fn(L, "debug", script_debug_lua_debug);
    lua_set_fn(L, "acl_check_cmd", lua_redis_acl_check_cmd);
    lua_set_number(L, "LOG_DEBUG", LL_DEBUG);
    lua_set_number(L, "LOG_VERBOSE", LL_VERBOSE);
    lua_set_number(L, "LOG_NOTICE", LL_NOTICE);
    lua_set_number(L, "LOG_WARNING", LL_WARNING);
    lua_set_number(L, "REPL_NONE", 0);
    lua_set_number(L, "REPL_AOF", 1);
    lua_set_number(L, "REPL_SLAVE", 2);
    lua_set_number(L, "REPL_REPLICA", 2);
    lua_set_number(L, "REPL_ALL", 3);
    lua_pushstring(L, "REDIS_VERSION");
    lua_pushstring(L, MINIRED_REDIS_COMPAT_VERSION);
    lua_rawset(L, -3);
    lua_set_number(L, "REDIS_VERSION_NUM", REDIS_VERSION_NUM_VALUE);
    for (int i = 0; i < extra_redis_fn_count; i++) lua_set_fn(L, extra_redis_fns[i].name, extra_redis_fns[i].fn);
    lua_setglobal(L, "redis");
}

/* ---------------------------------------------------------- math.random */

/* Redis 7.0's math.random: a 48-bit linear congruential generator shared
 * by every script and kept across SCRIPT FLUSH (not reseeded per script),
 * starting from the classic lrand48 state. */
static uint64_t rand48_state = 0x1234ABCD330EULL;
#define RAND48_MAX 2147483647LL

static long long rand48_next(void) {
    rand48_state = (rand48_state * 0x5DEECE66DULL + 0xB) & ((1ULL << 48) - 1);
    return (long long)(rand48_state >> 17);
}

static int lua_math_random(lua_State *L) {
    lua_Number r = (lua_Number)(rand48_next() % RAND48_MAX) / (lua_Number)RAND48_MAX;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, r);
        break;
    case 1: {
        int u = luaL_checkint(L, 1);
        luaL_argcheck(L, 1 <= u, 1, "interval is empty");
        lua_pushnumber(L, floor(r * u) + 1);
        break;
    }
    case 2: {
        int l = luaL_checkint(L, 1);
        int u = luaL_checkint(L, 2);
        luaL_argcheck(L, l <= u, 2, "interval is empty");
        lua_pushnumber(L, floor(r * (u - l + 1)) + l);
        break;
    }
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    return 1;
}

static int lua_math_randomseed(lua_State *L) {
    rand48_state = ((uint64_t)(uint32_t)luaL_checkint(L, 1) << 16) | 0x330E;
    return 0;
}

/* The base library's pcall, as Redis 7.0 replaces it: an error table
 * with an err field (what redis.call raises) is caught as its err string;
 * a message handler (xpcall) still sees the table. */
static int lua_redis_pcall_global(lua_State *L) {
    int argc = lua_gettop(L);
    if (argc == 0) {
        /* Redis's wrapper calls nothing and fails: false and a message. */
        lua_pushboolean(L, 0);
        lua_pushstring(L, "attempt to call a nil value");
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
        lua_remove(L, 1);
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            if (lua_isstring(L, -1)) lua_replace(L, -2);
            else lua_pop(L, 1);
        }
        lua_pushboolean(L, 0);
        lua_insert(L, 1);
    }
    return lua_gettop(L);
}

/* ---------------------------------------------------------- sandbox */

static int lua_global_missing(lua_State *L) {
    const char *name = lua_isstring(L, 2) ? lua_tostring(L, 2) : "?";
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name);
}

static int lua_readonly_error(lua_State *L) {
    /* With the script's position, as Redis 7.0's VM-level refusal. */
    return luaL_error(L, "Attempt to modify a readonly table");
}

/* Replaces the table at -1 by a read-only proxy of it. */
static void lua_push_readonly_proxy(lua_State *L, int missing_raises) {
    int real = lua_gettop(L);
    if (missing_raises) {
        lua_newtable(L);
        lua_pushcfunction(L, lua_global_missing);
        lua_setfield(L, -2, "__index");
        lua_setmetatable(L, real);
    }
    lua_newtable(L); /* proxy */
    lua_newtable(L); /* its metatable */
    lua_pushvalue(L, real);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lua_readonly_error);
    lua_setfield(L, -2, "__newindex");
    /* getmetatable() shows an empty table (Redis shows one with no
     * array part), never the real one. */
    lua_newtable(L);
    lua_setfield(L, -2, "__metatable");
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, READONLY_MARK);
    lua_setmetatable(L, -2);
    lua_replace(L, real);
}

/* Whether the value at idx is a read-only proxy. */
static int lua_is_readonly(lua_State *L, int idx) {
    if (!lua_istable(L, idx) || !lua_getmetatable(L, idx)) return 0;
    lua_pushstring(L, READONLY_MARK);
    lua_rawget(L, -2);
    int ro = lua_toboolean(L, -1);
    lua_pop(L, 2);
    return ro;
}

/* rawset and setmetatable refuse read-only tables with Redis's text (its
 * VM refuses them; here the proxies would take a raw write). */
/* Calls the saved original (registry name) with the arguments as they are
 * on the stack, returning all its results. */
static int lua_call_original(lua_State *L, const char *original) {
    lua_getfield(L, LUA_REGISTRYINDEX, original);
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int lua_guarded_call(lua_State *L, const char *original) {
    if (lua_is_readonly(L, 1)) {
        script_lua_push_error(L, "Attempt to modify a readonly table");
        return lua_error(L);
    }
    return lua_call_original(L, original);
}

static int lua_guarded_rawset(lua_State *L) {
    return lua_guarded_call(L, "__minired_rawset");
}

static int lua_guarded_setmetatable(lua_State *L) {
    return lua_guarded_call(L, "__minired_setmetatable");
}

/* next, rawget and pairs read through a read-only proxy to its table, as
 * Redis's read-only tables can be walked: the walk sees the real table's
 * keys and values but never hands out the table itself (a script could
 * then write into it). */
static void lua_unproxy_first_arg(lua_State *L) {
    if (!lua_is_readonly(L, 1)) return;
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__index");
    lua_replace(L, 1);
    lua_pop(L, 1);
}

static int lua_guarded_next(lua_State *L) {
    lua_unproxy_first_arg(L);
    return lua_call_original(L, "__minired_next");
}

static int lua_guarded_rawget(lua_State *L) {
    lua_unproxy_first_arg(L);
    return lua_call_original(L, "__minired_rawget");
}

static int lua_guarded_pairs(lua_State *L) {
    if (!lua_is_readonly(L, 1)) return lua_call_original(L, "__minired_pairs");
    /* The proxy stays the state: each step asks the guarded next. */
    lua_pushcfunction(L, lua_guarded_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static void lua_guard_global(lua_State *L, const char *name, const char *saved_as, lua_CFunction guard) {
    lua_getglobal(L, name);
    lua_setfield(L, LUA_REGISTRYINDEX, saved_as);
    lua_pushcfunction(L, guard);
    lua_setglobal(L, name);
}

static void lua_remove_global(lua_State *L, const char *name) {
    lua_pushnil(L);
    lua_setglobal(L, name);
}

lua_State *script_lua_new_state(void) {
    lua_State *L = lua_open();
    static const luaL_Reg libs[] = {
        {"", luaopen_base},
        {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string},
        {LUA_MATHLIBNAME, luaopen_math},
    };
    for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
        lua_pushcfunction(L, libs[i].func);
        lua_pushstring(L, libs[i].name);
        lua_call(L, 1, 0);
    }
    for (int i = 0; i < extra_lib_count; i++) {
        lua_pushcfunction(L, extra_libs[i].fn);
        lua_pushstring(L, extra_libs[i].name);
        lua_call(L, 1, 1);
        if (lua_istable(L, -1)) lua_setglobal(L, extra_libs[i].name);
        else lua_pop(L, 1);
    }
    static const char *removed[] = {"loadfile", "dofile", "print", "getfenv", "setfenv", "newproxy", "module", "require"};
    for (size_t i = 0; i < sizeof(removed) / sizeof(removed[0]); i++) lua_remove_global(L, removed[i]);
    lua_getglobal(L, "math");
    lua_pushcfunction(L, lua_math_random);
    lua_setfield(L, -2, "random");
    lua_pushcfunction(L, lua_math_randomseed);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);
    lua_pushcfunction(L, lua_redis_pcall_global);
    lua_setglobal(L, "pcall");
    lua_guard_global(L, "rawset", "__minired_rawset", lua_guarded_rawset);
    lua_guard_global(L, "setmetatable", "__minired_setmetatable", lua_guarded_setmetatable);
    lua_guard_global(L, "next", "__minired_next", lua_guarded_next);
    lua_guard_global(L, "rawget", "__minired_rawget", lua_guarded_rawget);
    lua_guard_global(L, "pairs", "__minired_pairs", lua_guarded_pairs);
    lua_load_redis_table(L);
    lua_pushcfunction(L, lua_error_handler);
    lua_setfield(L, LUA_REGISTRYINDEX, "__redis__err__handler");
    return L;
}

/* Library tables (every global table but _G) become read-only proxies;
 * then _G itself: scripts see a proxy whose reads of a missing name
 * raise, and whose writes are refused. */
void script_lua_protect_globals(lua_State *L) {
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    int g = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, g)) {
        if (lua_istable(L, -1) && !lua_rawequal(L, -1, g)) {
            lua_push_readonly_proxy(L, 0);
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, g);
        } else {
            lua_pop(L, 1);
        }
    }
    /* Strings' methods come from the string library's proxy too, so
     * getmetatable('').__index == string, as in Redis. */
    lua_pushstring(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_getfield(L, g, "string");
        lua_setfield(L, -2, "__index");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_pushvalue(L, g);
    lua_setfield(L, LUA_REGISTRYINDEX, LUA_REAL_GLOBALS);
    lua_pushvalue(L, g);
    lua_push_readonly_proxy(L, 1);
    /* _G names the proxy, and the proxy becomes the thread's globals. */
    lua_pushstring(L, "_G");
    lua_pushvalue(L, -2);
    lua_rawset(L, g);
    lua_replace(L, LUA_GLOBALSINDEX);
    lua_settop(L, g - 1);
}

void script_lua_set_global_raw(lua_State *L, const char *name) {
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_REAL_GLOBALS);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_setglobal(L, name);
        return;
    }
    lua_pushstring(L, name);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pop(L, 2);
}

long long script_lua_memory(lua_State *L) {
    return (long long)lua_gc(L, LUA_GCCOUNT, 0) * 1024LL + lua_gc(L, LUA_GCCOUNTB, 0);
}

int script_lua_compile(lua_State *L, const char *body, size_t len, const char *name, sds *err) {
    if (luaL_loadbuffer(L, body, len, name) != 0) {
        *err = sds_new(lua_tostring(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- running */

static void lua_push_array(lua_State *L, sds *elems, int n) {
    lua_createtable(L, n, 0);
    for (int j = 0; j < n; j++) {
        lua_pushlstring(L, elems[j], sds_len(elems[j]));
        lua_rawseti(L, -2, j + 1);
    }
}

static void lua_busy_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    script_run *r = script_current();
    if (r && script_interrupt(r)) {
        log_warning("Lua script killed by user with SCRIPT KILL.");
        /* Raised again at every line, so a pcall cannot swallow it. */
        lua_sethook(L, lua_busy_hook, LUA_MASKLINE, 0);
        script_lua_push_error(L, "Script killed by user with SCRIPT KILL...");
        lua_error(L);
    }
}

/* The reply of a failed call: "-<err> script: <name>, on <source>:<line>."
 * from the handler's table, or Redis's text for anything else. */
static void lua_reply_failure(client *c, lua_State *L, const char *funcname) {
    if (!lua_istable(L, -1)) {
        const char *msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
        reply_error_format(c, "Error running script %s, %.100s\n", funcname, msg);
        return;
    }
    lua_pushstring(L, "err");
    lua_rawget(L, -2);
    const char *msg = lua_tostring(L, -1);
    sds e = sds_cat_printf(sds_new("-"), "%s", msg ? msg : "");
    lua_pop(L, 1);
    lua_pushstring(L, "source");
    lua_rawget(L, -2);
    lua_pushstring(L, "line");
    lua_rawget(L, -3);
    if (lua_isstring(L, -2) && lua_isnumber(L, -1))
        e = sds_cat_printf(e, " script: %s, on %s:%lld.", funcname, lua_tostring(L, -2),
                           (long long)lua_tonumber(L, -1));
    lua_pop(L, 2);
    reply_lua_error_text(c, L, e);
    sds_free(e);
}

void script_lua_call(lua_State *L, script_run *r, sds *keys, int nkeys, sds *args, int nargs, int eval_globals) {
    int fn = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, "__redis__err__handler");
    lua_insert(L, fn);
    int nparams = 0;
    lua_push_array(L, keys, nkeys);
    lua_push_array(L, args, nargs);
    if (eval_globals) {
        script_lua_set_global_raw(L, "ARGV");
        script_lua_set_global_raw(L, "KEYS");
    } else {
        nparams = 2;
    }
    if (script_debug_active()) lua_sethook(L, script_debug_hook, LUA_MASKLINE | LUA_MASKCOUNT, LUA_HOOK_INSTRUCTIONS);
    else if (cfg.busy_reply_threshold_ms > 0) lua_sethook(L, lua_busy_hook, LUA_MASKCOUNT, LUA_HOOK_INSTRUCTIONS);
    int failed = lua_pcall(L, nparams, 1, fn);
    lua_sethook(L, NULL, 0, 0);
    if (failed) lua_reply_failure(r->caller, L, r->funcname);
    else script_lua_reply(r->caller, L, r->sc->resp);
    lua_settop(L, fn - 1);
    /* Garbage is collected in steps every LUA_GC_CYCLE_CALLS calls, as
     * Redis does: cheaper than a step after each. */
    static int calls_since_gc;
    if (++calls_since_gc >= LUA_GC_CYCLE_CALLS) {
        lua_gc(L, LUA_GCSTEP, LUA_GC_CYCLE_CALLS);
        calls_since_gc = 0;
    }
}
