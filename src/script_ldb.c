/* script_ldb.c -- the pure half of the Lua debugger (SCRIPT DEBUG): session
 * state, command parsing, source listing, breakpoints, the log that goes
 * back to redis-cli, and the renderings of Lua values and RESP replies.
 *
 * It must never read or write a socket, run a command or fork: the engine
 * drives it from its line hook. Invariant: every text it produces is the
 * one Redis 7.0.15 sends, byte for byte (see tests/unit/fixtures/ldb/,
 * transcripts captured from a live redis-server). */
#include "script_ldb.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zmalloc.h"

/* Lua tables nested deeper than this are shown as "..." so that a table
 * holding itself cannot recurse forever. */
#define LDB_VALUE_MAX_DEPTH 16
#define LDB_RESP_MAX_DEPTH 64

/* ------------------------------------------------------------ commands */

struct ldb_cmd_name {
    const char *shortname, *longname;
    ldb_cmd cmd;
    int min_argc;
};

static const struct ldb_cmd_name ldb_cmd_names[] = {
    {"s", "step", LDB_CMD_STEP, 1},       {"n", "next", LDB_CMD_STEP, 1},
    {"c", "continue", LDB_CMD_CONTINUE, 1}, {"l", "list", LDB_CMD_LIST, 1},
    {"w", "whole", LDB_CMD_WHOLE, 1},     {"p", "print", LDB_CMD_PRINT, 1},
    {"b", "break", LDB_CMD_BREAK, 1},     {"t", "trace", LDB_CMD_TRACE, 1},
    {"e", "eval", LDB_CMD_EVAL, 1},       {"r", "redis", LDB_CMD_REDIS, 2},
    {"m", "maxlen", LDB_CMD_MAXLEN, 1},   {"a", "abort", LDB_CMD_ABORT, 1},
    {"h", "help", LDB_CMD_HELP, 1},
};

ldb_cmd ldb_cmd_parse(int argc, const sds *argv) {
    if (argc < 1) return LDB_CMD_UNKNOWN;
    for (size_t i = 0; i < sizeof(ldb_cmd_names) / sizeof(ldb_cmd_names[0]); i++) {
        const struct ldb_cmd_name *n = &ldb_cmd_names[i];
        if (strcasecmp(argv[0], n->shortname) && strcasecmp(argv[0], n->longname))
            continue;
        return argc >= n->min_argc ? n->cmd : LDB_CMD_UNKNOWN;
    }
    return LDB_CMD_UNKNOWN;
}

/* ------------------------------------------------------------ session */

void ldb_session_init(ldb_session *s, const char *body, size_t len) {
    memset(s, 0, sizeof(*s));
    s->maxlen = LDB_MAXLEN_DEFAULT_BYTES;
    s->inbuf = sds_empty();
    s->lines = sds_split_len(body, (ssize_t)len, "\n", 1, &s->nlines);
    /* Redis lists no empty lines after the last one with text. */
    while (s->nlines > 0 && sds_len(s->lines[s->nlines - 1]) == 0) {
        sds_free(s->lines[s->nlines - 1]);
        s->nlines--;
    }
}

void ldb_session_free(ldb_session *s) {
    sds_free_split_res(s->lines, s->nlines);
    for (int i = 0; i < s->nlog; i++) sds_free(s->log[i]);
    zfree(s->log);
    sds_free(s->inbuf);
    memset(s, 0, sizeof(*s));
}

const char *ldb_source_line(const ldb_session *s, int n) {
    if (n < 1 || n > s->nlines) return NULL;
    return s->lines[n - 1];
}

/* ------------------------------------------------------------ breakpoints */

int ldb_break_is_set(const ldb_session *s, int line) {
    for (int i = 0; i < s->nbreaks; i++)
        if (s->breaks[i] == line) return 1;
    return 0;
}

int ldb_break_add(ldb_session *s, int line) {
    if (!ldb_source_line(s, line) || ldb_break_is_set(s, line) ||
        s->nbreaks == LDB_BREAKPOINTS_MAX)
        return 0;
    s->breaks[s->nbreaks++] = line;
    return 1;
}

int ldb_break_del(ldb_session *s, int line) {
    for (int i = 0; i < s->nbreaks; i++) {
        if (s->breaks[i] != line) continue;
        s->breaks[i] = s->breaks[--s->nbreaks];
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------ the log */

void ldb_log(ldb_session *s, sds line) {
    if (s->nlog == s->logcap) {
        s->logcap = s->logcap ? s->logcap * 2 : 16;
        s->log = zrealloc(s->log, sizeof(sds) * (size_t)s->logcap);
    }
    s->log[s->nlog++] = line;
}

void ldb_log_trimmed(ldb_session *s, sds line) {
    if (s->maxlen > 0 && sds_len(line) > (size_t)s->maxlen) {
        sds_range(line, 0, s->maxlen - 1);
        line = sds_cat(line, " ...");
    }
    ldb_log(s, line);
}

sds ldb_log_to_resp(ldb_session *s, sds out) {
    out = sds_cat_printf(out, "*%d\r\n", s->nlog);
    for (int i = 0; i < s->nlog; i++) {
        sds l = s->log[i];
        /* A status line cannot hold CR or LF: Redis turns them to spaces. */
        for (size_t j = 0; j < sds_len(l); j++)
            if (l[j] == '\r' || l[j] == '\n') l[j] = ' ';
        out = sds_cat_len(out, "+", 1);
        out = sds_cat_sds(out, l);
        out = sds_cat_len(out, "\r\n", 2);
        sds_free(l);
    }
    s->nlog = 0;
    return out;
}

/* ------------------------------------------------------------ listing */

/* "-> 3   text", "  #8   text", "->#3   text", "   1   text". */
sds ldb_source_row(const ldb_session *s, int line) {
    const char *src = ldb_source_line(s, line);
    sds row = sds_new(line == s->current_line ? "->" : "  ");
    row = sds_cat(row, ldb_break_is_set(s, line) ? "#" : " ");
    return sds_cat_printf(row, "%-3d %s", line, src ? src : "<unknown>");
}

void ldb_list(ldb_session *s, int around, int ctx) {
    if (around <= 0) around = s->current_line;
    for (long j = (long)around - ctx; j <= (long)around + ctx; j++) {
        if (j < 1 || j > s->nlines) continue;
        ldb_log(s, ldb_source_row(s, (int)j));
    }
}

void ldb_cmd_list(ldb_session *s, int argc, const sds *argv) {
    int around = argc > 1 ? atoi(argv[1]) : 0;
    int ctx = argc > 2 ? atoi(argv[2]) : LDB_LIST_CONTEXT_LINES;
    ldb_list(s, around, ctx);
}

/* Redis's alias: "list 1 1000000". */
#define LDB_WHOLE_CONTEXT_LINES 1000000
void ldb_cmd_whole(ldb_session *s) {
    ldb_list(s, 1, LDB_WHOLE_CONTEXT_LINES);
}

static void ldb_break_show(ldb_session *s) {
    if (s->nbreaks == 0) {
        ldb_log(s, sds_new("No breakpoints set. Use 'b <line>' to add one."));
        return;
    }
    ldb_log(s, sds_cat_printf(sds_empty(), "%d breakpoints set:", s->nbreaks));
    for (int i = 0; i < s->nbreaks; i++) ldb_log(s, ldb_source_row(s, s->breaks[i]));
}

/* Each argument in turn: N adds (and shows it with one line around), -N
 * removes, 0 removes all; a non-number is refused by name. */
void ldb_cmd_break(ldb_session *s, int argc, const sds *argv) {
    if (argc == 1) {
        ldb_break_show(s);
        return;
    }
    for (int i = 1; i < argc; i++) {
        char *end;
        long line = strtol(argv[i], &end, 10);
        if (end == argv[i] || *end != '\0') {
            ldb_log(s, sds_cat_printf(sds_empty(), "Invalid argument:'%s'", argv[i]));
        } else if (line == 0) {
            s->nbreaks = 0;
            ldb_log(s, sds_new("All breakpoints removed."));
        } else if (line > 0) {
            if (line <= s->nlines && ldb_break_add(s, (int)line))
                ldb_list(s, (int)line, 1);
            else
                ldb_log(s, sds_new("Wrong line number."));
        } else {
            if (line >= -(long)s->nlines && ldb_break_del(s, (int)-line))
                ldb_log(s, sds_new("Breakpoint removed."));
            else
                ldb_log(s, sds_new("No breakpoint in the specified line."));
        }
    }
}

/* "maxlen" shows the setting; "maxlen N" sets it (0: unlimited; below
 * the minimum, including negatives and non-numbers that parse as a
 * negative, raised to it). With more arguments Redis only shows it. */
void ldb_cmd_maxlen(ldb_session *s, int argc, const sds *argv) {
    if (argc == 2) {
        long v = atol(argv[1]);
        if (v != 0 && v < LDB_MAXLEN_MIN_BYTES) v = LDB_MAXLEN_MIN_BYTES;
        s->maxlen = v;
    }
    if (s->maxlen)
        ldb_log(s, sds_cat_printf(sds_empty(), "<value> replies are truncated at %ld bytes.",
                                  s->maxlen));
    else
        ldb_log(s, sds_new("<value> replies are unlimited."));
}

static const char *const ldb_help_lines[] = {
    "Redis Lua debugger help:",
    "[h]elp               Show this help.",
    "[s]tep               Run current line and stop again.",
    "[n]ext               Alias for step.",
    "[c]ontinue           Run till next breakpoint.",
    "[l]ist               List source code around current line.",
    "[l]ist [line]        List source code around [line].",
    "                     line = 0 means: current position.",
    "[l]ist [line] [ctx]  In this form [ctx] specifies how many lines",
    "                     to show before/after [line].",
    "[w]hole              List all source code. Alias for 'list 1 1000000'.",
    "[p]rint              Show all the local variables.",
    "[p]rint <var>        Show the value of the specified variable.",
    "                     Can also show global vars KEYS and ARGV.",
    "[b]reak              Show all breakpoints.",
    "[b]reak <line>       Add a breakpoint to the specified line.",
    "[b]reak -<line>      Remove breakpoint from the specified line.",
    "[b]reak 0            Remove all breakpoints.",
    "[t]race              Show a backtrace.",
    "[e]val <code>        Execute some Lua code (in a different callframe).",
    "[r]edis <cmd>        Execute a Redis command.",
    "[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.",
    "                     Specifying zero as <len> means unlimited.",
    "[a]bort              Stop the execution of the script. In sync",
    "                     mode dataset changes will be retained.",
    "",
    "Debugger functions you can call from Lua scripts:",
    "redis.debug()        Produce logs in the debugger console.",
    "redis.breakpoint()   Stop execution like if there was a breakpoint in the",
    "                     next line of code.",
};

void ldb_cmd_help(ldb_session *s) {
    for (size_t i = 0; i < sizeof(ldb_help_lines) / sizeof(ldb_help_lines[0]); i++)
        ldb_log(s, sds_new(ldb_help_lines[i]));
}

void ldb_log_unknown(ldb_session *s) {
    ldb_log(s, sds_new("<error> Unknown Redis Lua debugger command or wrong number of arguments."));
}

/* ------------------------------------------------------------ Lua values */

static sds ldb_cat_value_rec(sds out, lua_State *L, int idx, int depth);

/* A table prints as {v1; v2} when its keys, in lua_next order, are
 * exactly 1, 2, 3...; otherwise as {[k]=v; ...}. Both forms are built in
 * one walk and the right one kept. */
static sds ldb_cat_table(sds out, lua_State *L, int idx, int depth) {
    sds arr = sds_empty(), map = sds_empty();
    int is_array = 1;
    long expected = 1;
    if (!lua_checkstack(L, 4)) return sds_cat(out, "...");
    /* The engine shows scripts read-only library tables as empty proxies
     * whose __index is the real table (Redis's VM patch needs none): an
     * empty table is rendered as its __index table, so `coroutine` shows
     * its functions as in Redis. */
    lua_pushnil(L);
    int empty = !lua_next(L, idx);
    if (!empty) lua_pop(L, 2); /* the first key and value */
    if (empty && lua_getmetatable(L, idx)) {
        lua_getfield(L, -1, "__index");
        if (lua_istable(L, -1) && depth < LDB_VALUE_MAX_DEPTH) {
            sds_free(arr);
            sds_free(map);
            out = ldb_cat_table(out, L, lua_gettop(L), depth + 1);
            lua_pop(L, 2);
            return out;
        }
        lua_pop(L, 2);
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        /* stack: key at -2, value at -1 */
        if (is_array) {
            if (lua_type(L, -2) == LUA_TNUMBER && lua_tonumber(L, -2) == (lua_Number)expected)
                expected++;
            else
                is_array = 0;
        }
        if (sds_len(map)) map = sds_cat(map, "; ");
        if (sds_len(arr)) arr = sds_cat(arr, "; ");
        map = sds_cat(map, "[");
        map = ldb_cat_value_rec(map, L, lua_gettop(L) - 1, depth + 1);
        map = sds_cat(map, "]=");
        map = ldb_cat_value_rec(map, L, lua_gettop(L), depth + 1);
        if (is_array) arr = ldb_cat_value_rec(arr, L, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
    out = sds_cat(out, "{");
    out = sds_cat_sds(out, is_array ? arr : map);
    out = sds_cat(out, "}");
    sds_free(arr);
    sds_free(map);
    return out;
}

static sds ldb_cat_value_rec(sds out, lua_State *L, int idx, int depth) {
    if (depth > LDB_VALUE_MAX_DEPTH) return sds_cat(out, "...");
    switch (lua_type(L, idx)) {
    case LUA_TNIL: return sds_cat(out, "nil");
    case LUA_TBOOLEAN: return sds_cat(out, lua_toboolean(L, idx) ? "true" : "false");
    case LUA_TNUMBER: return sds_cat_printf(out, "%g", (double)lua_tonumber(L, idx));
    case LUA_TSTRING: {
        size_t len;
        const char *p = lua_tolstring(L, idx, &len);
        return sds_cat_repr(out, p, len);
    }
    case LUA_TTABLE: return ldb_cat_table(out, L, idx, depth);
    default:
        /* functions, userdata, threads: "<type>@<address>" in quotes. */
        return sds_cat_printf(out, "\"%s@%p\"", lua_typename(L, lua_type(L, idx)),
                              lua_topointer(L, idx));
    }
}

sds ldb_cat_lua_value(sds out, lua_State *L, int idx) {
    if (idx < 0 && idx > LUA_REGISTRYINDEX) idx = lua_gettop(L) + idx + 1;
    return ldb_cat_value_rec(out, L, idx, 0);
}

/* ------------------------------------------------------------ replies */

/* The line after a type byte: [p+1, CRLF). NULL when incomplete. */
static const char *ldb_resp_line_end(const char *p, const char *end) {
    for (const char *q = p; q + 1 < end; q++)
        if (q[0] == '\r' && q[1] == '\n') return q;
    return NULL;
}

static const char *ldb_resp_rec(sds *out, const char *p, const char *end, int depth);

/* n elements, each rendered; sep between, kv for maps ("k => v"). */
static const char *ldb_resp_seq(sds *out, const char *p, const char *end, long n,
                                int is_map, int depth) {
    for (long i = 0; i < n && p && p < end; i++) {
        if (i) *out = sds_cat(*out, ",");
        p = ldb_resp_rec(out, p, end, depth + 1);
        if (is_map && p) {
            *out = sds_cat(*out, " => ");
            p = ldb_resp_rec(out, p, end, depth + 1);
        }
    }
    return p;
}

static const char *ldb_resp_rec(sds *out, const char *p, const char *end, int depth) {
    const char *eol = ldb_resp_line_end(p, end);
    if (!eol || depth > LDB_RESP_MAX_DEPTH) return NULL;
    const char *next = eol + 2;
    long n = strtol(p + 1, NULL, 10);
    switch (*p) {
    case '+':
    case '-': *out = sds_cat_repr(*out, p, (size_t)(eol - p)); return next;
    case ':': *out = sds_cat_len(*out, p + 1, (size_t)(eol - p - 1)); return next;
    case ',':
        *out = sds_cat(*out, "(double) ");
        *out = sds_cat_len(*out, p + 1, (size_t)(eol - p - 1));
        return next;
    case '(':
        *out = sds_cat(*out, "(big number) ");
        *out = sds_cat_len(*out, p + 1, (size_t)(eol - p - 1));
        return next;
    case '#': *out = sds_cat(*out, p[1] == 't' ? "#true" : "#false"); return next;
    case '_': *out = sds_cat(*out, "(null)"); return next;
    case '$':
    case '=':
        if (n < 0) {
            *out = sds_cat(*out, "NULL");
            return next;
        }
        if (end - next < n + 2) return NULL;
        *out = sds_cat_repr(*out, next, (size_t)n);
        return next + n + 2;
    case '*':
    case '>':
        if (n < 0) {
            *out = sds_cat(*out, "NULL");
            return next;
        }
        *out = sds_cat(*out, "[");
        next = ldb_resp_seq(out, next, end, n, 0, depth);
        *out = sds_cat(*out, "]");
        return next;
    case '~':
        *out = sds_cat(*out, "~(");
        next = ldb_resp_seq(out, next, end, n, 0, depth);
        *out = sds_cat(*out, ")");
        return next;
    case '%':
        *out = sds_cat(*out, "{");
        next = ldb_resp_seq(out, next, end, n, 1, depth);
        *out = sds_cat(*out, "}");
        return next;
    default: return NULL;
    }
}

sds ldb_cat_resp_human(sds out, const char *p, size_t len, size_t *used) {
    const char *next = len ? ldb_resp_rec(&out, p, p + len, 0) : NULL;
    *used = next ? (size_t)(next - p) : len;
    return out;
}
