/* script_ldb.h -- the Lua debugger of SCRIPT DEBUG (what `redis-cli --ldb`
 * speaks), its pure parts: the session state (source lines, breakpoints,
 * maxlen, the pending log), debugger command parsing, the source listing,
 * and the "<value>"/"<reply>" renderings of Lua values and RESP replies.
 *
 * Nothing here touches a socket or the server: the engine's line hook
 * (script_lua) feeds commands in and sends ldb_log_to_resp()'s bytes out.
 * Every text below was read from Redis 7.0.15's replies (fixtures in
 * tests/unit/fixtures/ldb/). */
#ifndef MINIRED_SCRIPT_LDB_H
#define MINIRED_SCRIPT_LDB_H

#include <lua.h>

#include "sds.h"

/* Redis keeps at most this many breakpoints; more are refused. */
#define LDB_BREAKPOINTS_MAX 64
/* Default trimming of logged replies and value dumps, in bytes. */
#define LDB_MAXLEN_DEFAULT_BYTES 256
/* A maxlen below this (but not 0, "unlimited") is raised to it. */
#define LDB_MAXLEN_MIN_BYTES 60
/* Lines shown before/after the target by "list" without a ctx. */
#define LDB_LIST_CONTEXT_LINES 5

/* The debugger commands (the first argument, full or one-letter). */
typedef enum ldb_cmd {
    LDB_CMD_UNKNOWN = 0, /* also: a known name with too few arguments */
    LDB_CMD_STEP,        /* s, step, n, next */
    LDB_CMD_CONTINUE,    /* c, continue */
    LDB_CMD_LIST,        /* l, list [line] [ctx] */
    LDB_CMD_WHOLE,       /* w, whole */
    LDB_CMD_PRINT,       /* p, print [var] */
    LDB_CMD_BREAK,       /* b, break [line|-line|0]... */
    LDB_CMD_TRACE,       /* t, trace */
    LDB_CMD_EVAL,        /* e, eval <code>... */
    LDB_CMD_REDIS,       /* r, redis <cmd> [arg...] */
    LDB_CMD_MAXLEN,      /* m, maxlen [len] */
    LDB_CMD_ABORT,       /* a, abort */
    LDB_CMD_HELP         /* h, help */
} ldb_cmd;

/* Which command argv names; argc counts the name. Case-insensitive as in
 * Redis. "redis" needs at least one argument; extra arguments to the
 * others are ignored, as Redis ignores them. */
ldb_cmd ldb_cmd_parse(int argc, const sds *argv);

/* One debugging session's state. */
typedef struct ldb_session {
    sds *lines;       /* the script's source, one sds per line (owned) */
    int nlines;       /* trailing empty lines are not counted (as Redis) */
    int breaks[LDB_BREAKPOINTS_MAX];
    int nbreaks;
    long maxlen;      /* bytes; 0: unlimited */
    int current_line; /* line where the script stopped; 0 before start */
    sds *log;         /* pending log lines, sent as one multibulk */
    int nlog, logcap;
    /* Stepping state, read by ldb_on_line (script_ldb_repl.c). */
    int step;         /* stop at the next line (set at start: Redis stops
                       * on the first line) */
    int luabp;        /* redis.breakpoint() was called */
    sds inbuf;        /* bytes read past the last command, kept between
                       * stops (a client may pipeline commands) */
    long stops;       /* times the script stopped (the engine restarts
                       * its run-time clock after each) */
    int timeout;      /* the engine saw the script run past the busy
                       * threshold since the last stop */
} ldb_session;

/* Starts a session on a script body (borrows body: the lines are
 * copied). */
void ldb_session_init(ldb_session *s, const char *body, size_t len);
void ldb_session_free(ldb_session *s);

/* Source line n (1-based), or NULL outside the script. */
const char *ldb_source_line(const ldb_session *s, int n);

/* One listing row: "-> 3   text", "  #8   text", "   1   text" (returns
 * new). */
sds ldb_source_row(const ldb_session *s, int line);

/* 1 if a breakpoint is set at line. */
int ldb_break_is_set(const ldb_session *s, int line);
/* Adds a breakpoint: 1 done, 0 when the line does not exist, is already
 * set, or the table is full. */
int ldb_break_add(ldb_session *s, int line);
/* Removes one: 1 done, 0 when none was set there. */
int ldb_break_del(ldb_session *s, int line);

/* Appends a line to the pending log (takes line). */
void ldb_log(ldb_session *s, sds line);
/* Same, trimmed to maxlen bytes plus " ..." when longer (for values and
 * replies, which may be large). */
void ldb_log_trimmed(ldb_session *s, sds line);
/* Appends the pending log as "*N" + one "+line" status per line (CR and
 * LF inside a line become spaces) to out, clears it; returns out. */
sds ldb_log_to_resp(ldb_session *s, sds out);

/* Logs lines [around-ctx, around+ctx] that exist, marking the current
 * line "->" and breakpoints "#". around <= 0 means the current line. */
void ldb_list(ldb_session *s, int around, int ctx);

/* The pure debugger commands: each logs its output. argv as received
 * (argv[0] is the command name). */
void ldb_cmd_list(ldb_session *s, int argc, const sds *argv);
void ldb_cmd_whole(ldb_session *s);
void ldb_cmd_break(ldb_session *s, int argc, const sds *argv);
void ldb_cmd_maxlen(ldb_session *s, int argc, const sds *argv);
void ldb_cmd_help(ldb_session *s);
/* "<error> Unknown Redis Lua debugger command ..." */
void ldb_log_unknown(ldb_session *s);

/* Appends the debugger's rendering of the Lua value at idx (e.g.
 * {1; 2; "x"; {["k"]="v"}}, "function@0x..."); returns out. Does not
 * change the stack's height. */
sds ldb_cat_lua_value(sds out, lua_State *L, int idx);

/* Appends the debugger's rendering of one RESP2/RESP3 reply at p (e.g.
 * "+OK" quoted, [..], {k => v}, (double) 1.5); *used receives the bytes
 * read. Returns NULL-free out; on a malformed or truncated reply it
 * appends what it could and sets *used to len. */
sds ldb_cat_resp_human(sds out, const char *p, size_t len, size_t *used);

/* ------------------------------------------------------------ the REPL
 * (script_ldb_repl.c): runs inside the engine's Lua line hook. */

/* What the engine provides. Each call blocks; the session runs while the
 * server is stopped (SYNC) or in a forked child (YES). */
typedef struct ldb_io {
    void *ctx;
    /* Reads up to cap bytes from the debugging client: >0 bytes read,
     * 0 or -1 when the client is gone. */
    ssize_t (*read)(void *ctx, char *buf, size_t cap);
    /* Writes all of buf: 0, or -1 when the client is gone. */
    int (*write)(void *ctx, const char *buf, size_t len);
    /* Runs the "redis <cmd> ..." debugger command (argv[0] is the command
     * name): the engine calls it as redis.call would and logs it with the
     * ldb_log_redis_* helpers below. */
    void (*redis_cmd)(void *ctx, ldb_session *s, lua_State *L, int argc, sds *argv);
} ldb_io;

typedef enum ldb_outcome {
    LDB_RESUME = 0, /* keep running the script */
    LDB_ABORT,      /* "abort": raise "script aborted for user request" */
    LDB_LOST        /* the client left or sent a bad request: abort too */
} ldb_outcome;

/* The line hook's body: stops when stepping, at a breakpoint, after
 * redis.breakpoint() or on timeout, then serves commands until step,
 * continue or abort. ar is the hook's record (its currentline is read). */
ldb_outcome ldb_on_line(ldb_session *s, lua_State *L, lua_Debug *ar, const ldb_io *io);

/* The debugger commands that read the script's Lua state; each logs. */
void ldb_cmd_print(ldb_session *s, lua_State *L, int argc, const sds *argv);
void ldb_cmd_trace(ldb_session *s, lua_State *L);
void ldb_cmd_eval(ldb_session *s, lua_State *L, int argc, const sds *argv);

/* redis.debug(...) while debugging: "<debug> line N: v1, v2" for the
 * values on L's stack (N: the calling Lua line). */
void ldb_log_debug_call(ldb_session *s, lua_State *L);

/* For the engine's redis.call while debugging (and "redis <cmd>"):
 * "<redis> a b c", "<reply> <rendering>" (trimmed), "<error> text". */
void ldb_log_redis_cmd(ldb_session *s, int argc, const sds *argv);
void ldb_log_redis_reply(ldb_session *s, const char *resp, size_t len);
void ldb_log_error(ldb_session *s, const char *msg);

/* When the script ends (any way): sends the pending log plus
 * "<endsession>" as one multibulk. The engine then sends the script's
 * reply and closes the client, in both modes. 0, or -1 on a write error. */
int ldb_end_session(ldb_session *s, const ldb_io *io);

#endif
