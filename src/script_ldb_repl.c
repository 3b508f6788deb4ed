/* script_ldb_repl.c -- the Lua debugger's loop: deciding in the line hook
 * whether to stop, reading debugger commands from the client and running
 * them against the script's Lua state (print, trace, eval), and the log
 * lines the engine adds for redis.call / redis.debug while debugging.
 *
 * It never touches a socket itself (the engine's ldb_io does the blocking
 * read/write) and never runs a Redis command (io->redis_cmd does). Each
 * text is Redis 7.0.15's (tests/unit/fixtures/ldb/). */
#include <lauxlib.h>
#include <string.h>

#include "resp.h"
#include "script_ldb.h"
#include "zmalloc.h"

/* A debugger command larger than this is a protocol error (the client is
 * dropped), so a bad peer cannot make the stopped server buffer without
 * bound. */
#define LDB_MAX_REQUEST_BYTES (1024 * 1024)
#define LDB_READ_CHUNK_BYTES 4096
/* What Lua 5.1 names a stack slot that holds no variable. */
#define LDB_TEMPORARY_NAME "(*temporary)"

/* ------------------------------------------------------------ print */

static void ldb_log_named_value(ldb_session *s, lua_State *L, const char *name, int idx) {
    sds line = name ? sds_cat_printf(sds_empty(), "<value> %s = ", name) : sds_new("<value> ");
    ldb_log_trimmed(s, ldb_cat_lua_value(line, L, idx));
}

static int ldb_get_global(lua_State *L) {
    lua_getglobal(L, lua_tostring(L, 1));
    return 1;
}

/* All locals of the stopped function (level 0), or the named one: the
 * last local of that name wins (the innermost), then the globals KEYS and
 * ARGV, read raw so the sandbox's guards are not involved. */
void ldb_cmd_print(ldb_session *s, lua_State *L, int argc, const sds *argv) {
    lua_Debug ar;
    const char *want = argc == 2 ? argv[1] : NULL;
    int found = 0;
    if (lua_getstack(L, 0, &ar)) {
        const char *name;
        for (int i = 1; (name = lua_getlocal(L, &ar, i)) != NULL; i++) {
            if (!strcmp(name, LDB_TEMPORARY_NAME)) {
                /* A stack slot, not a variable: Redis hides it. */
            } else if (!want) {
                ldb_log_named_value(s, L, name, -1);
                found = 1;
            } else if (!strcmp(name, want)) {
                if (found) sds_free(s->log[--s->nlog]); /* a later one shadows it */
                ldb_log_named_value(s, L, NULL, -1);
                found = 1;
            }
            lua_pop(L, 1);
        }
    }
    if (found) return;
    if (!want) {
        ldb_log(s, sds_new("No local variables in the current context."));
        return;
    }
    if (!strcmp(want, "KEYS") || !strcmp(want, "ARGV")) {
        /* Through the globals' guards (the engine may keep them behind a
         * proxy), protected: a missing global raises in the sandbox. */
        lua_pushcfunction(L, ldb_get_global);
        lua_pushstring(L, want);
        if (lua_pcall(L, 1, 1, 0) == 0 && !lua_isnil(L, -1)) {
            ldb_log_named_value(s, L, NULL, -1);
            lua_pop(L, 1);
            return;
        }
        lua_pop(L, 1);
    }
    ldb_log(s, sds_new("No such variable."));
}

/* ------------------------------------------------------------ trace */

/* "In f:" / "From top level:" and the line of each Lua frame. */
void ldb_cmd_trace(ldb_session *s, lua_State *L) {
    lua_Debug ar;
    int shown = 0;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Snl", &ar);
        if (ar.currentline < 0) continue; /* C functions (pcall, ...) */
        ldb_log(s, sds_cat_printf(sds_empty(), "%s %s:", shown ? "From" : "In",
                                  ar.name ? ar.name : "top level"));
        ldb_log(s, ldb_source_row(s, ar.currentline));
        shown = 1;
    }
}

/* ------------------------------------------------------------ eval */

/* Runs code in the script's state, first as "return <code>" (so an
 * expression shows its value), else as written. Chunk name "@ldb_eval"
 * gives Redis's "ldb_eval:1:" error positions. */
void ldb_cmd_eval(ldb_session *s, lua_State *L, int argc, const sds *argv) {
    sds code = sds_join((char **)argv + 1, argc - 1, " ");
    sds expr = sds_cat_sds(sds_new("return "), code);
    int top = lua_gettop(L);
    if (luaL_loadbuffer(L, expr, sds_len(expr), "@ldb_eval")) {
        lua_pop(L, 1);
        if (luaL_loadbuffer(L, code, sds_len(code), "@ldb_eval")) goto error;
    }
    if (lua_pcall(L, 0, 1, 0)) goto error;
    ldb_log_trimmed(s, ldb_cat_lua_value(sds_new("<retval> "), L, -1));
    goto done;
error:
    if (lua_isstring(L, -1))
        ldb_log(s, sds_cat(sds_new("<error> "), lua_tostring(L, -1)));
    else
        ldb_log(s, ldb_cat_lua_value(sds_new("<error> "), L, -1));
done:
    lua_settop(L, top);
    sds_free(code);
    sds_free(expr);
}

/* ------------------------------------------------------------ logging */

void ldb_log_debug_call(ldb_session *s, lua_State *L) {
    lua_Debug ar;
    int line = 0;
    if (lua_getstack(L, 1, &ar)) {
        lua_getinfo(L, "l", &ar);
        line = ar.currentline;
    }
    sds out = sds_cat_printf(sds_empty(), "<debug> line %d: ", line);
    for (int i = 1; i <= lua_gettop(L); i++) {
        if (i > 1) out = sds_cat(out, ", ");
        out = ldb_cat_lua_value(out, L, i);
    }
    ldb_log_trimmed(s, out);
}

void ldb_log_redis_cmd(ldb_session *s, int argc, const sds *argv) {
    sds line = sds_new("<redis>");
    for (int i = 0; i < argc; i++) {
        line = sds_cat(line, " ");
        line = sds_cat_sds(line, argv[i]);
    }
    ldb_log(s, line);
}

void ldb_log_redis_reply(ldb_session *s, const char *resp, size_t len) {
    size_t used;
    ldb_log_trimmed(s, ldb_cat_resp_human(sds_new("<reply> "), resp, len, &used));
}

void ldb_log_error(ldb_session *s, const char *msg) {
    ldb_log(s, sds_cat(sds_new("<error> "), msg));
}

/* ------------------------------------------------------------ the loop */

static int ldb_flush(ldb_session *s, const ldb_io *io) {
    sds out = ldb_log_to_resp(s, sds_empty());
    int rc = io->write(io->ctx, out, sds_len(out));
    sds_free(out);
    return rc;
}

int ldb_end_session(ldb_session *s, const ldb_io *io) {
    ldb_log(s, sds_new("<endsession>"));
    return ldb_flush(s, io);
}

/* Blocks until one whole command is parsed into p; keeps unparsed bytes
 * in *buf. -1 when the client left, sent too much or broke the protocol. */
static int ldb_read_command(const ldb_io *io, resp_parser *p, sds *buf) {
    resp_limits lim = {.max_bulk_len = LDB_MAX_REQUEST_BYTES, .authenticated = 1};
    for (;;) {
        size_t used = 0;
        resp_parse_result r = resp_parse(p, *buf, sds_len(*buf), &lim, &used);
        sds_range(*buf, (ssize_t)used, -1);
        if (r == RESP_PARSE_OK) return 0;
        if (r == RESP_PARSE_ERROR || sds_len(*buf) > LDB_MAX_REQUEST_BYTES) return -1;
        *buf = sds_make_room_for(*buf, LDB_READ_CHUNK_BYTES);
        ssize_t n = io->read(io->ctx, *buf + sds_len(*buf), LDB_READ_CHUNK_BYTES);
        if (n <= 0) return -1;
        sds_incr_len(*buf, n);
    }
}

/* One command; returns 1 when the script should go on running. */
static int ldb_dispatch(ldb_session *s, lua_State *L, const ldb_io *io, int argc, sds *argv,
                        ldb_outcome *outcome) {
    const sds *cargv = (const sds *)argv;
    switch (ldb_cmd_parse(argc, cargv)) {
    case LDB_CMD_STEP: s->step = 1; return 1;
    case LDB_CMD_CONTINUE: return 1;
    case LDB_CMD_ABORT: *outcome = LDB_ABORT; return 1;
    case LDB_CMD_LIST: ldb_cmd_list(s, argc, cargv); break;
    case LDB_CMD_WHOLE: ldb_cmd_whole(s); break;
    case LDB_CMD_PRINT: ldb_cmd_print(s, L, argc, cargv); break;
    case LDB_CMD_BREAK: ldb_cmd_break(s, argc, cargv); break;
    case LDB_CMD_TRACE: ldb_cmd_trace(s, L); break;
    case LDB_CMD_EVAL: ldb_cmd_eval(s, L, argc, cargv); break;
    case LDB_CMD_REDIS: io->redis_cmd(io->ctx, s, L, argc - 1, argv + 1); break;
    case LDB_CMD_MAXLEN: ldb_cmd_maxlen(s, argc, cargv); break;
    case LDB_CMD_HELP: ldb_cmd_help(s); break;
    case LDB_CMD_UNKNOWN: ldb_log_unknown(s); break;
    }
    return 0;
}

static ldb_outcome ldb_repl(ldb_session *s, lua_State *L, const ldb_io *io) {
    resp_parser p;
    ldb_outcome outcome = LDB_RESUME;
    resp_parser_init(&p);
    for (;;) {
        if (ldb_flush(s, io) == -1 || ldb_read_command(io, &p, &s->inbuf) == -1) {
            outcome = LDB_LOST;
            break;
        }
        int go = ldb_dispatch(s, L, io, p.argc, p.argv, &outcome);
        resp_parser_reset(&p);
        if (go) break;
    }
    resp_parser_free(&p);
    return outcome;
}

ldb_outcome ldb_on_line(ldb_session *s, lua_State *L, lua_Debug *ar, const ldb_io *io) {
    lua_getinfo(L, "Sl", ar);
    int line = ar->currentline;
    int at_break = ldb_break_is_set(s, line);
    if (!s->step && !s->luabp && !at_break && !s->timeout) return LDB_RESUME;
    /* A breakpoint names itself even when stepping onto it. */
    const char *reason = "step over";
    if (s->luabp) reason = "redis.breakpoint() called";
    else if (at_break) reason = "break point";
    else if (!s->step && s->timeout) reason = "timeout reached, infinite loop?";
    s->step = s->luabp = s->timeout = 0;
    s->stops++;
    s->current_line = line;
    ldb_log(s, sds_cat_printf(sds_empty(), "* Stopped at %d, stop reason = %s", line, reason));
    ldb_log(s, ldb_source_row(s, line));
    return ldb_repl(s, L, io);
}
