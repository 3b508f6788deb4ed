/* harness.h -- integration-test harness: start and stop a server process,
 * talk to it through hiredis or a raw socket, and assert exact replies.
 *
 * Every function that can fail fails the running Check test itself (with
 * the caller's file and line), so tests read as a list of expectations.
 * The server under test is the binary named by $MINIRED_SERVER. */
#ifndef MINIRED_TEST_HARNESS_H
#define MINIRED_TEST_HARNESS_H

#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <check.h>
#include <hiredis/hiredis.h>


/* Generous enough for a server built with AddressSanitizer. */
#define HS_TCASE_TIMEOUT_SEC 60
#define HS_START_TIMEOUT_MS 10000
#define HS_STOP_TIMEOUT_MS 20000
#define HS_REPLY_TIMEOUT_MS 30000
#define HS_MAX_ARGS 64

typedef struct hs_server {
    pid_t pid;            /* 0 once reaped */
    int status;           /* wait status once reaped */
    int port;
    char dir[256];        /* private temp dir, removed by hs_stop */
    char log_path[300];   /* server stdout+stderr */
    char sock_path[300];  /* <dir>/redis.sock, used if asked for */
    char **argv;          /* the command line it runs with (for hs_restart) */
} hs_server;

/* A growable byte buffer, always NUL-terminated (data may hold NULs).
 * The harness does not use the server's sds: hiredis ships its own sds.h
 * with the same struct names, so the two cannot share a file. */
typedef struct hs_buf {
    char *data;
    size_t len;
} hs_buf;

/* Appends len bytes / a formatted string to b (which may be {0}). */
void hs_buf_cat(hs_buf *b, const void *p, size_t len);
void hs_buf_printf(hs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends p quoted and escaped, cut at max bytes. */
void hs_buf_cat_repr(hs_buf *b, const char *p, size_t len, size_t max);
void hs_buf_free(hs_buf *b);

/* A command or an expected list: a NULL-terminated array of C strings. */
#define HS_ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---------------------------------------------------------- server */

/* Absolute path of the server binary under test (borrowed). */
const char *hs_server_path(void);

/* Starts a server on a free 127.0.0.1 port in a new temp dir, with the
 * extra command-line arguments (NULL-terminated, or NULL for none). The
 * token "{dir}" inside an extra argument is replaced by the temp dir.
 * Waits until it answers a PING. Returns new; hs_stop frees it. */
hs_server *hs_start(const char *const *extra_args);

/* Interop tests: the reference Redis server ($REDIS_SERVER, else
 * redis-server on $PATH), or NULL when it is not installed. */
const char *hs_redis_server_path(void);
/* Starts that Redis server as hs_start starts minired (temp dir, free
 * port, `--save ""`), with DEBUG enabled and the extra arguments; NULL
 * when Redis is not installed (the caller skips its checks). hs_stop
 * stops it. */
hs_server *hs_start_redis(const char *const *extra_args);

/* SIGTERM, wait, then fail the test unless the server exited with status
 * 0 and its log holds no sanitizer report. Removes the dir; frees s. */
void hs_stop(hs_server *s);

/* kill -9 (crash tests): no shutdown work runs; the server's own dir is
 * removed and s freed, whatever the exit status. */
void hs_kill(hs_server *s);

/* Restarts (replication tests): hs_crash is kill -9 and hs_halt a clean
 * SIGTERM (which fails the test unless the server exits with status 0);
 * both keep the dir (RDB, AOF, log) and the port, so hs_restart runs the
 * same command line again on them and waits until it answers. A server
 * crashed and never restarted is then stopped by hs_stop as a clean one. */
void hs_crash(hs_server *s);
void hs_halt(hs_server *s);
void hs_restart(hs_server *s);

/* Forks and runs argv (argv[0] a path) with stdout and stderr appended to
 * log_path and stdin from /dev/null; the child dies with the test. For
 * helper tools (redis-benchmark, redis-cli). Returns its pid. */
pid_t hs_spawn_process(char *const *argv, const char *log_path);

/* Waits up to timeout_ms for the server to exit by itself. Returns its
 * wait status, or -1 on timeout (the server is then still running). */
int hs_wait_exit(hs_server *s, int timeout_ms);

/* Fails the test if the server log holds a sanitizer report. */
void hs_check_log_clean(const hs_server *s);

/* Returns the server log (caller frees with hs_buf_free). */
hs_buf hs_read_log(const hs_server *s);

/* Runs the server with exactly these args (after argv[0]) and no extras,
 * waits for it to exit (it must within timeout_ms, else it is killed and
 * the test fails). Returns its wait status; *output gets stdout+stderr
 * (caller frees). For start-up errors. */
int hs_run_server_once(const char *const *args, int timeout_ms, hs_buf *output);

/* A server a test runs from a config file of its own ("<binary> <conf>",
 * output to log), for what hs_start's command line cannot show: CONFIG
 * REWRITE, a whole redis.conf. The test fills dir / conf / log / port
 * (hs_free_port); the helpers fork, wait and stop it. */
typedef struct hs_conf_server {
    pid_t pid;
    int port;
    char dir[128], conf[512], log[192];
} hs_conf_server;
/* A loopback TCP port free right now. */
int hs_free_port(void);
/* A free port p <= 55535 with p + 10000 free too: a cluster node's client
 * and bus ports. hs_start and hs_start_redis pick such a port by
 * themselves when the extra arguments hold "--cluster-enabled", "yes". */
int hs_free_cluster_port(void);
/* Fills s for a new temp dir /tmp/minired-<tag>-XXXXXX: conf is
 * <dir>/minired.conf (the test writes it), log <dir>/server.log, a free
 * port. */
void hs_conf_server_init(hs_conf_server *s, const char *tag);
/* Starts it and waits until it accepts connections (fails the test if it
 * exits or does not accept within HS_CONF_SERVER_START_MS). */
void hs_conf_server_start(hs_conf_server *s, const char *binary);
/* SIGTERM; fails the test unless it exits with status 0 in time. */
void hs_conf_server_stop(hs_conf_server *s);

/* ---------------------------------------------------------- hiredis */

/* Connects over TCP / the unix socket; fails the test on error. Returns
 * new (free with redisFree). Replies time out after HS_REPLY_TIMEOUT_MS. */
redisContext *hs_connect(const hs_server *s);
redisContext *hs_connect_unix(const char *path);

/* Runs a binary-safe command; fails the test if no reply could be read.
 * Returns a new reply (freeReplyObject). */
redisReply *hs_command_argv(redisContext *c, int argc, const char **argv, const size_t *lens);
/* Same for a NULL-terminated array of C strings. */
redisReply *hs_command(redisContext *c, const char *const *args);

/* Reads the reply to a command appended earlier (redisAppendCommand). */
redisReply *hs_get_reply(redisContext *c);

/* Checks borrowed reply r against an expectation; fails the test with a
 * readable dump of r on mismatch. Used by the HS_EXPECT_* macros. */
void hs_check_status(const char *file, int line, const redisReply *r, const char *status);
void hs_check_error(const char *file, int line, const redisReply *r, const char *error);
void hs_check_error_prefix(const char *file, int line, const redisReply *r, const char *prefix);
void hs_check_integer(const char *file, int line, const redisReply *r, long long v);
void hs_check_bulk(const char *file, int line, const redisReply *r, const char *v, size_t len);
void hs_check_nil(const char *file, int line, const redisReply *r);
void hs_check_bulks(const char *file, int line, const redisReply *r, const char *const *items);

/* Sends args on c and checks the reply in one step. */
#define HS_DO(c, check, ...)                                 \
    do {                                                     \
        redisReply *hs_r_ = hs_command((c), HS_ARGS(__VA_ARGS__)); \
        check;                                               \
        freeReplyObject(hs_r_);                              \
    } while (0)
#define HS_EXPECT_STATUS(c, st, ...) HS_DO(c, hs_check_status(__FILE__, __LINE__, hs_r_, st), __VA_ARGS__)
#define HS_EXPECT_OK(c, ...) HS_EXPECT_STATUS(c, "OK", __VA_ARGS__)
#define HS_EXPECT_ERROR(c, err, ...) HS_DO(c, hs_check_error(__FILE__, __LINE__, hs_r_, err), __VA_ARGS__)
#define HS_EXPECT_ERROR_PREFIX(c, p, ...) \
    HS_DO(c, hs_check_error_prefix(__FILE__, __LINE__, hs_r_, p), __VA_ARGS__)
#define HS_EXPECT_INT(c, v, ...) HS_DO(c, hs_check_integer(__FILE__, __LINE__, hs_r_, v), __VA_ARGS__)
#define HS_EXPECT_BULK(c, v, ...) HS_DO(c, hs_check_bulk(__FILE__, __LINE__, hs_r_, v, strlen(v)), __VA_ARGS__)
#define HS_EXPECT_NIL(c, ...) HS_DO(c, hs_check_nil(__FILE__, __LINE__, hs_r_), __VA_ARGS__)
#define HS_EXPECT_BULKS(c, items, ...) HS_DO(c, hs_check_bulks(__FILE__, __LINE__, hs_r_, items), __VA_ARGS__)
#define HS_EXPECT_ARITY(c, name, ...) \
    HS_EXPECT_ERROR(c, "ERR wrong number of arguments for '" name "' command", __VA_ARGS__)

/* The same checks on a reply already in hand. */
#define HS_CHECK_STATUS(r, st) hs_check_status(__FILE__, __LINE__, r, st)
#define HS_CHECK_ERROR(r, e) hs_check_error(__FILE__, __LINE__, r, e)
#define HS_CHECK_INT(r, v) hs_check_integer(__FILE__, __LINE__, r, v)
#define HS_CHECK_BULK(r, v, len) hs_check_bulk(__FILE__, __LINE__, r, v, len)
#define HS_CHECK_NIL(r) hs_check_nil(__FILE__, __LINE__, r)

/* Appends a readable dump of r to b. */
void hs_cat_reply(hs_buf *b, const redisReply *r);

/* Returns the value of "field:" in INFO <section> (caller frees); its
 * data is NULL if the field is absent. */
hs_buf hs_info_field(redisContext *c, const char *section, const char *field);
/* CLIENT ID of c's connection. */
long long hs_client_id(redisContext *c);
/* The integer value of an INFO field; fails the test if it is missing. */
long long hs_info_ll(redisContext *c, const char *section, const char *field);
/* The change counter (INFO persistence rdb_changes_since_last_save). */
long long hs_dirty(redisContext *c);
/* Runs a command written as space-separated words ('' stands for an empty
 * word); returns a new reply. */
redisReply *hs_command_line(redisContext *c, const char *line);
/* Appends the RESP multibulk of such a line to b (what the effects stream
 * holds for that command). */
void hs_cat_command_resp(hs_buf *b, const char *line);

/* ---------------------------------------------------------- raw socket */

/* Opens a blocking TCP socket to the server; fails the test on error. */
int hs_raw_connect(const hs_server *s);
/* Writes all of buf; fails the test on error. */
void hs_raw_send(int fd, const void *buf, size_t len);
/* Writes as much of buf as the peer takes: returns 0 if all of it was
 * sent, -1 if the peer closed or reset first. */
int hs_raw_try_send(int fd, const void *buf, size_t len);
#define HS_RAW_SEND_STR(fd, str) hs_raw_send(fd, str, strlen(str))
/* Reads until the peer closes or nothing arrives for idle_ms. *closed is
 * set to 1 if it closed (EOF or reset). Caller frees the result. */
hs_buf hs_raw_read_all(int fd, int idle_ms, int *closed);
/* Reads until exactly len bytes arrived, the peer closed, or timeout_ms
 * passed (shorter than len if it did not arrive). Caller frees. */
hs_buf hs_raw_read_n(int fd, size_t len, int timeout_ms);
/* Reads until the data ends with suffix, the peer closed, or timeout_ms
 * passed. Caller frees. For replies of unknown length with a known end. */
hs_buf hs_raw_read_until(int fd, const char *suffix, int timeout_ms);
/* Sends req and fails the test unless exactly expect (len bytes) comes
 * back; extra bytes are not read. */
void hs_raw_expect(const char *file, int line, int fd, const void *req, size_t req_len, const void *expect,
                   size_t expect_len);
#define HS_RAW_EXPECT(fd, req, expect) \
    hs_raw_expect(__FILE__, __LINE__, fd, req, strlen(req), expect, strlen(expect))
/* Fails the test unless got equals want (len bytes), showing both. */
void hs_check_bytes(const char *file, int line, const char *got, size_t got_len, const char *want,
                    size_t want_len);
#define HS_CHECK_BYTES(got, want) hs_check_bytes(__FILE__, __LINE__, (got).data, (got).len, want, strlen(want))

/* Blocking commands: INFO's blocked_clients; polls (bounded, failing the
 * test past HS_BLOCK_WAIT_MS) until it equals n; sends a command without
 * reading its reply; and the three together: a new connection of s that is
 * blocked in args once the server counts expect_blocked blocked clients. */
#define HS_BLOCK_WAIT_MS 10000
long hs_blocked_clients(redisContext *c);
void hs_wait_blocked(redisContext *c, long n);
void hs_send_only(redisContext *c, const char *const *args);
redisContext *hs_block_client(const hs_server *s, redisContext *observer, const char *const *args,
                              long expect_blocked);

/* Returns 1 if the peer of fd closed within timeout_ms (any bytes that
 * arrive meanwhile are discarded). */
int hs_raw_wait_closed(int fd, int timeout_ms);

/* ---------------------------------------------------------- misc */

/* Sleeps ms milliseconds. */
void hs_sleep_ms(int ms);
/* Monotonic milliseconds. */
long long hs_now_ms(void);
/* Runs the suite in fork mode; returns the number of failures. */
int hs_run_suite(Suite *s);
/* Adds a tcase with HS_TCASE_TIMEOUT_SEC to suite; returns it. */
TCase *hs_tcase(Suite *suite, const char *name);

#endif
