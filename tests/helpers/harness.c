/* harness.c -- integration-test harness: server processes, hiredis and
 * raw-socket clients, reply assertions.
 *
 * Owns the server child processes it starts and their temp dirs: every
 * server it starts is stopped and its dir removed, by hs_stop or, when a
 * test fails half-way (Check exits the test process), by an atexit hook.
 * Never leaves a server running after the test process is gone: the
 * server gets SIGKILL if its parent dies (PR_SET_PDEATHSIG). */
#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zmalloc.h"

/* A lost race for a free port shows up as a server that can't bind. */
#define HS_START_ATTEMPTS 3
#define HS_POLL_INTERVAL_MS 10
#define HS_MAX_LIVE_SERVERS 16
#define HS_MAX_SERVER_ARGS 96
/* How much of a log is printed when a test fails. */
#define HS_LOG_TAIL_BYTES 8192
#define HS_DUMP_MAX_BYTES 512
/* After a mismatch, how long to keep reading to show the whole reply. */
#define HS_MISMATCH_GRACE_MS 100

/* Servers started by this process and not yet stopped, for the atexit
 * hook; a forked test process inherits the table but only reaps its own. */
static hs_server *live_servers[HS_MAX_LIVE_SERVERS];
static pid_t live_owner[HS_MAX_LIVE_SERVERS];
static int atexit_registered;
/* Every server dir of a run lives in here, so the runner can sweep what a
 * failed test left: Check ends a failed forked test with _exit, which
 * skips atexit hooks. Empty outside hs_run_suite. */
static char run_dir[128];

static void hs_print_log(const hs_server *s, const char *why);
static void hs_remove_dir(const char *path);

/* ---------------------------------------------------------- buffers */

void hs_buf_cat(hs_buf *b, const void *p, size_t len) {
    b->data = zrealloc(b->data, b->len + len + 1);
    if (len) memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
}

static void hs_buf_vprintf(hs_buf *b, const char *fmt, va_list ap) {
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    b->data = zrealloc(b->data, b->len + (size_t)n + 1);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void hs_buf_printf(hs_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hs_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void hs_buf_cat_repr(hs_buf *b, const char *p, size_t len, size_t max) {
    size_t n = len < max ? len : max;
    hs_buf_cat(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch == '\\' || ch == '"') hs_buf_printf(b, "\\%c", ch);
        else if (ch == '\r') hs_buf_cat(b, "\\r", 2);
        else if (ch == '\n') hs_buf_cat(b, "\\n", 2);
        else if (ch < 0x20 || ch >= 0x7f) hs_buf_printf(b, "\\x%02x", ch);
        else hs_buf_cat(b, &p[i], 1);
    }
    hs_buf_cat(b, "\"", 1);
    if (n < len) hs_buf_printf(b, "...(%zu bytes)", len);
}

void hs_buf_free(hs_buf *b) {
    zfree(b->data);
    b->data = NULL;
    b->len = 0;
}

/* ---------------------------------------------------------- misc */

void hs_sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

long long hs_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TCase *hs_tcase(Suite *suite, const char *name) {
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, HS_TCASE_TIMEOUT_SEC);
    suite_add_tcase(suite, tc);
    return tc;
}

/* Removes the server dirs that tests left behind (those that failed),
 * printing each one's server log first, then the run dir itself. */
static void hs_sweep_run_dir(void) {
    DIR *d = opendir(run_dir);
    if (d == NULL) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        hs_server left = {0};
        snprintf(left.dir, sizeof(left.dir), "%s/%.100s", run_dir, e->d_name);
        snprintf(left.log_path, sizeof(left.log_path), "%s/server.log", left.dir);
        /* A dir whose server never wrote a line (a test that only needed
         * the path, or a server killed at once) has nothing to show. */
        struct stat st;
        if (stat(left.log_path, &st) == 0 && st.st_size > 0) hs_print_log(&left, "left by a failed test");
        hs_remove_dir(left.dir);
    }
    closedir(d);
    rmdir(run_dir);
}

int hs_run_suite(Suite *s) {
    snprintf(run_dir, sizeof(run_dir), "/tmp/minired-itest-XXXXXX");
    if (mkdtemp(run_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY=verbose lists each test */
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    hs_sweep_run_dir();
    return failed;
}

const char *hs_server_path(void) {
    const char *p = getenv("MINIRED_SERVER");
    if (p == NULL || *p == '\0') ck_abort_msg("MINIRED_SERVER is not set: run through `make integration-test`");
    return p;
}

/* Returns the file's content (empty if unreadable). */
static hs_buf hs_read_file(const char *path) {
    hs_buf b = {0};
    hs_buf_cat(&b, "", 0);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) return b;
    char buf[16384];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) hs_buf_cat(&b, buf, n);
    fclose(fp);
    return b;
}

hs_buf hs_read_log(const hs_server *s) {
    return hs_read_file(s->log_path);
}

static void hs_print_log(const hs_server *s, const char *why) {
    hs_buf log = hs_read_log(s);
    size_t len = log.len;
    const char *from = len > HS_LOG_TAIL_BYTES ? log.data + len - HS_LOG_TAIL_BYTES : log.data;
    fprintf(stderr, "---- server log (%s) %s%s ----\n%s\n---- end of server log ----\n", why, s->log_path,
            len > HS_LOG_TAIL_BYTES ? ", tail" : "", from);
    hs_buf_free(&log);
}

/* Removes the (flat) temp dir and everything in it. */
static void hs_remove_dir(const char *path) {
    DIR *d = opendir(path);
    if (d == NULL) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char p[600];
        snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(path);
}

/* ---------------------------------------------------------- live table */

static void hs_cleanup_at_exit(void) {
    for (int i = 0; i < HS_MAX_LIVE_SERVERS; i++) {
        hs_server *s = live_servers[i];
        if (s == NULL || live_owner[i] != getpid()) continue;
        if (s->pid > 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
            hs_print_log(s, "test ended with the server still running");
        }
        hs_remove_dir(s->dir);
        live_servers[i] = NULL;
    }
}

static void hs_track(hs_server *s) {
    if (!atexit_registered) {
        atexit(hs_cleanup_at_exit);
        atexit_registered = 1;
    }
    for (int i = 0; i < HS_MAX_LIVE_SERVERS; i++) {
        if (live_servers[i] == NULL) {
            live_servers[i] = s;
            live_owner[i] = getpid();
            return;
        }
    }
    ck_abort_msg("more than %d servers at once", HS_MAX_LIVE_SERVERS);
}

static void hs_untrack(hs_server *s) {
    for (int i = 0; i < HS_MAX_LIVE_SERVERS; i++)
        if (live_servers[i] == s) live_servers[i] = NULL;
}

/* ---------------------------------------------------------- processes */

/* Creates s->dir: inside the run dir when there is one. */
static void hs_make_server_dir(hs_server *s) {
    snprintf(s->dir, sizeof(s->dir), "%s/srv-XXXXXX", run_dir[0] ? run_dir : "/tmp/minired-itest");
    if (!run_dir[0]) mkdir("/tmp/minired-itest", 0700);
    ck_assert_msg(mkdtemp(s->dir) != NULL, "mkdtemp %s: %s", s->dir, strerror(errno));
}

/* Asks the kernel for a free port; the server may still lose the race. */
int hs_free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_msg(fd != -1, "socket: %s", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 || getsockname(fd, (struct sockaddr *)&sa, &sl) == -1)
        ck_abort_msg("bind/getsockname: %s", strerror(errno));
    close(fd);
    return ntohs(sa.sin_port);
}

/* A free port for a cluster node: its bus listens 10000 ports higher
 * (Redis refuses a client port over 55535 without cluster-port), so both
 * must be free. */
int hs_free_cluster_port(void) {
    for (int attempt = 0; attempt < 500; attempt++) {
        int port = hs_free_port();
        if (port > 55535) continue;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_msg(fd != -1, "socket: %s", strerror(errno));
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(port + 10000))};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        close(fd);
        if (ok) return port;
    }
    ck_abort_msg("no free port pair for a cluster node");
    return -1;
}

/* Whether the extra arguments start a cluster node. */
static int hs_args_cluster(const char *const *extra) {
    for (int i = 0; extra && extra[i] && extra[i + 1]; i++)
        if (strcmp(extra[i], "--cluster-enabled") == 0 && strcmp(extra[i + 1], "yes") == 0) return 1;
    return 0;
}

/* Forks and execs argv with stdout and stderr appended to log_path. */
static pid_t hs_spawn(char *const *argv, const char *log_path) {
    pid_t parent = getpid();
    pid_t pid = fork();
    ck_assert_msg(pid != -1, "fork: %s", strerror(errno));
    if (pid > 0) return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int devnull = open("/dev/null", O_RDONLY);
    if (log == -1 || devnull == -1) _exit(127);
    dup2(devnull, STDIN_FILENO);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execv(argv[0], argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Replaces each "{dir}" in arg with dir; returns a new string. */
static char *hs_expand_arg(const char *arg, const char *dir) {
    hs_buf out = {0};
    const char *p;
    while ((p = strstr(arg, "{dir}")) != NULL) {
        hs_buf_cat(&out, arg, (size_t)(p - arg));
        hs_buf_cat(&out, dir, strlen(dir));
        arg = p + 5;
    }
    hs_buf_cat(&out, arg, strlen(arg));
    return out.data;
}

static int hs_tcp_connect_port(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1) return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reaps pid if it exited; returns 1 and stores its status if so. */
static int hs_try_reap(hs_server *s) {
    if (s->pid <= 0) return 1;
    int st;
    pid_t r = waitpid(s->pid, &st, WNOHANG);
    if (r == s->pid) {
        s->pid = 0;
        s->status = st;
        return 1;
    }
    return 0;
}

/* A listening socket accepts before the event loop runs (and before a
 * unix socket is created): the server is ready once it answers a PING,
 * with +PONG or -NOAUTH alike. */
static int hs_probe_answers(int fd, long long deadline) {
    if (send(fd, "PING\r\n", 6, MSG_NOSIGNAL) != 6) return 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    long long left = deadline - hs_now_ms();
    if (left <= 0 || poll(&p, 1, (int)left) <= 0) return 0;
    char c;
    return read(fd, &c, 1) == 1;
}

/* Waits until the server answers: 1 ready, 0 it exited (status kept). */
static int hs_wait_ready(hs_server *s) {
    long long deadline = hs_now_ms() + HS_START_TIMEOUT_MS;
    while (hs_now_ms() < deadline) {
        if (hs_try_reap(s)) return 0;
        int fd = hs_tcp_connect_port(s->port);
        if (fd != -1) {
            int answered = hs_probe_answers(fd, deadline);
            close(fd);
            if (answered) return 1;
        }
        hs_sleep_ms(HS_POLL_INTERVAL_MS);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    hs_print_log(s, "server did not accept connections in time");
    ck_abort_msg("server did not start within %d ms", HS_START_TIMEOUT_MS);
    return 0;
}

/* Builds the full argv for one start attempt (all elements new). */
static int hs_build_argv(const hs_server *s, const char *binary, const char *const *extra, char **argv) {
    int n = 0;
    char port[16];
    snprintf(port, sizeof(port), "%d", s->port);
    const char *fixed[] = {binary, "--port", port, "--bind", "127.0.0.1", "--dir", s->dir,
                           "--save", ""};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) argv[n++] = hs_expand_arg(fixed[i], "");
    for (int i = 0; extra && extra[i]; i++) {
        ck_assert_msg(n < HS_MAX_SERVER_ARGS - 1, "too many server arguments");
        argv[n++] = hs_expand_arg(extra[i], s->dir);
    }
    argv[n] = NULL;
    return n;
}

/* Starts binary (a minired or a Redis server) as hs_start describes. */
static hs_server *hs_start_binary(const char *binary, const char *const *extra_args) {
    hs_server *s = zcalloc(sizeof(*s));
    hs_make_server_dir(s);
    snprintf(s->log_path, sizeof(s->log_path), "%s/server.log", s->dir);
    snprintf(s->sock_path, sizeof(s->sock_path), "%s/redis.sock", s->dir);
    hs_track(s);
    for (int attempt = 1;; attempt++) {
        s->port = hs_args_cluster(extra_args) ? hs_free_cluster_port() : hs_free_port();
        char *argv[HS_MAX_SERVER_ARGS];
        int argc = hs_build_argv(s, binary, extra_args, argv);
        s->pid = hs_spawn(argv, s->log_path);
        if (hs_wait_ready(s)) {
            s->argv = zmalloc(sizeof(char *) * (size_t)(argc + 1));
            memcpy(s->argv, argv, sizeof(char *) * (size_t)(argc + 1));
            return s;
        }
        for (int i = 0; i < argc; i++) zfree(argv[i]);
        hs_buf log = hs_read_log(s);
        int bind_race = strstr(log.data, "Address already in use") != NULL;
        hs_buf_free(&log);
        if (!bind_race || attempt == HS_START_ATTEMPTS) {
            hs_print_log(s, "server exited during start-up");
            ck_abort_msg("server exited during start-up (wait status 0x%x)", s->status);
        }
    }
}

/* Tests may use DEBUG, which (as in Redis 7.0) is refused by default; a
 * test's own --enable-debug-command comes later and wins. */
hs_server *hs_start(const char *const *extra_args) {
    const char *args[HS_MAX_SERVER_ARGS];
    int n = 0;
    args[n++] = "--enable-debug-command";
    args[n++] = "yes";
    for (int i = 0; extra_args && extra_args[i] && n < HS_MAX_SERVER_ARGS - 1; i++) args[n++] = extra_args[i];
    args[n] = NULL;
    return hs_start_binary(hs_server_path(), args);
}

const char *hs_redis_server_path(void) {
    static char found[PATH_MAX];
    const char *env = getenv("REDIS_SERVER");
    if (env && *env) return access(env, X_OK) == 0 ? env : NULL;
    const char *path = getenv("PATH");
    if (path == NULL) return NULL;
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && n + sizeof("/redis-server") < sizeof(found)) {
            snprintf(found, sizeof(found), "%.*s/redis-server", (int)n, path);
            if (access(found, X_OK) == 0) return found;
        }
        path += n + (path[n] == ':');
    }
    return NULL;
}

hs_server *hs_start_redis(const char *const *extra_args) {
    const char *bin = hs_redis_server_path();
    if (bin == NULL) return NULL;
    const char *args[HS_MAX_SERVER_ARGS];
    int n = 0;
    args[n++] = "--enable-debug-command";
    args[n++] = "yes";
    for (int i = 0; extra_args && extra_args[i] && n < HS_MAX_SERVER_ARGS - 1; i++) args[n++] = extra_args[i];
    args[n] = NULL;
    return hs_start_binary(bin, args);
}

int hs_wait_exit(hs_server *s, int timeout_ms) {
    long long deadline = hs_now_ms() + timeout_ms;
    for (;;) {
        if (hs_try_reap(s)) return s->status;
        if (hs_now_ms() >= deadline) return -1;
        hs_sleep_ms(HS_POLL_INTERVAL_MS);
    }
}

/* Returns the first sanitizer report marker found in log, or NULL. */
static const char *hs_sanitizer_marker(const char *log) {
    static const char *markers[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                                    "WARNING: AddressSanitizer", "ERROR: UndefinedBehaviorSanitizer"};
    for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
        if (strstr(log, markers[i])) return markers[i];
    return NULL;
}

void hs_check_log_clean(const hs_server *s) {
    hs_buf log = hs_read_log(s);
    const char *m = hs_sanitizer_marker(log.data);
    hs_buf_free(&log);
    if (m) {
        hs_print_log(s, "sanitizer report");
        ck_abort_msg("server log holds a sanitizer report (\"%s\")", m);
    }
}

static void hs_free_argv(hs_server *s) {
    for (int i = 0; s->argv && s->argv[i]; i++) zfree(s->argv[i]);
    zfree(s->argv);
    s->argv = NULL;
}

void hs_crash(hs_server *s) {
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    s->status = 0;
}

void hs_halt(hs_server *s) {
    if (s->pid > 0) kill(s->pid, SIGTERM);
    int st = hs_wait_exit(s, HS_STOP_TIMEOUT_MS);
    if (st == -1) {
        hs_crash(s);
        hs_print_log(s, "server did not exit on SIGTERM");
        ck_abort_msg("server did not exit within %d ms of SIGTERM", HS_STOP_TIMEOUT_MS);
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        hs_print_log(s, "server halt failed");
        ck_abort_msg("server exited with wait status 0x%x on SIGTERM", st);
    }
    hs_check_log_clean(s);
}

void hs_restart(hs_server *s) {
    ck_assert_msg(s->pid == 0, "hs_restart: the server on port %d is still running", s->port);
    ck_assert_msg(s->argv != NULL, "hs_restart: no saved command line");
    s->pid = hs_spawn(s->argv, s->log_path);
    if (!hs_wait_ready(s)) {
        hs_print_log(s, "server exited during restart");
        ck_abort_msg("server on port %d exited during restart (wait status 0x%x)", s->port, s->status);
    }
}

pid_t hs_spawn_process(char *const *argv, const char *log_path) {
    return hs_spawn(argv, log_path);
}

void hs_stop(hs_server *s) {
    if (s->pid > 0) kill(s->pid, SIGTERM);
    int st = hs_wait_exit(s, HS_STOP_TIMEOUT_MS);
    if (st == -1) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    hs_buf log = hs_read_log(s);
    const char *marker = hs_sanitizer_marker(log.data);
    hs_buf_free(&log);
    int clean_exit = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (!clean_exit || marker) hs_print_log(s, "server stop failed");
    hs_untrack(s);
    hs_remove_dir(s->dir);
    hs_free_argv(s);
    zfree(s);
    if (st == -1) ck_abort_msg("server did not exit within %d ms of SIGTERM", HS_STOP_TIMEOUT_MS);
    if (WIFSIGNALED(st)) ck_abort_msg("server was killed by signal %d", WTERMSIG(st));
    if (!clean_exit) ck_abort_msg("server exited with status %d", WEXITSTATUS(st));
    if (marker) ck_abort_msg("server log holds a sanitizer report (\"%s\")", marker);
}

void hs_kill(hs_server *s) {
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    hs_untrack(s);
    hs_remove_dir(s->dir);
    hs_free_argv(s);
    zfree(s);
}

int hs_run_server_once(const char *const *args, int timeout_ms, hs_buf *output) {
    hs_server *s = zcalloc(sizeof(*s));
    hs_make_server_dir(s);
    snprintf(s->log_path, sizeof(s->log_path), "%s/server.log", s->dir);
    hs_track(s);
    char *argv[HS_MAX_SERVER_ARGS];
    int n = 0;
    argv[n++] = (char *)hs_server_path();
    for (int i = 0; args[i] && n < HS_MAX_SERVER_ARGS - 1; i++) argv[n++] = (char *)args[i];
    argv[n] = NULL;
    s->pid = hs_spawn(argv, s->log_path);
    int st = hs_wait_exit(s, timeout_ms);
    *output = hs_read_log(s);
    hs_untrack(s);
    if (st == -1) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        hs_remove_dir(s->dir);
        zfree(s);
        ck_abort_msg("server did not exit within %d ms; output:\n%s", timeout_ms, output->data);
    }
    hs_remove_dir(s->dir);
    zfree(s);
    return st;
}

/* ---------------------------------------------------------- hiredis */

static struct timeval hs_tv(int ms) {
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    return tv;
}

static redisContext *hs_connected(redisContext *c, const char *where) {
    if (c == NULL || c->err) {
        ck_abort_msg("connect to %s: %s", where, c ? c->errstr : "out of memory");
    }
    redisSetTimeout(c, hs_tv(HS_REPLY_TIMEOUT_MS));
    return c;
}

redisContext *hs_connect(const hs_server *s) {
    char where[64];
    snprintf(where, sizeof(where), "127.0.0.1:%d", s->port);
    return hs_connected(redisConnectWithTimeout("127.0.0.1", s->port, hs_tv(HS_START_TIMEOUT_MS)), where);
}

redisContext *hs_connect_unix(const char *path) {
    return hs_connected(redisConnectUnixWithTimeout(path, hs_tv(HS_START_TIMEOUT_MS)), path);
}

redisReply *hs_command_argv(redisContext *c, int argc, const char **argv, const size_t *lens) {
    redisReply *r = redisCommandArgv(c, argc, argv, lens);
    if (r == NULL) ck_abort_msg("no reply to '%s': %s", argv[0], c->errstr);
    return r;
}

redisReply *hs_command(redisContext *c, const char *const *args) {
    const char *argv[HS_MAX_ARGS];
    int argc = 0;
    while (args[argc]) {
        ck_assert_msg(argc < HS_MAX_ARGS, "too many arguments");
        argv[argc] = args[argc];
        argc++;
    }
    return hs_command_argv(c, argc, argv, NULL);
}

redisReply *hs_get_reply(redisContext *c) {
    void *r = NULL;
    if (redisGetReply(c, &r) != REDIS_OK || r == NULL) ck_abort_msg("no reply: %s", c->errstr);
    return r;
}

void hs_cat_reply(hs_buf *b, const redisReply *r) {
    switch (r->type) {
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
    case REDIS_REPLY_STRING:
        hs_buf_printf(b, "%s ", r->type == REDIS_REPLY_STATUS ? "status" : r->type == REDIS_REPLY_ERROR ? "error" : "bulk");
        hs_buf_cat_repr(b, r->str, r->len, HS_DUMP_MAX_BYTES);
        break;
    case REDIS_REPLY_INTEGER: hs_buf_printf(b, "integer %lld", r->integer); break;
    case REDIS_REPLY_NIL: hs_buf_printf(b, "nil"); break;
    case REDIS_REPLY_ARRAY:
        hs_buf_printf(b, "array(%zu)[", r->elements);
        for (size_t i = 0; i < r->elements && i < 16; i++) {
            if (i) hs_buf_printf(b, ", ");
            hs_cat_reply(b, r->element[i]);
        }
        hs_buf_printf(b, r->elements > 16 ? ", ...]" : "]");
        break;
    default: hs_buf_printf(b, "type %d", r->type);
    }
}

/* Fails the test: "expected <want>, got <dump of r>". */
static void hs_fail_reply(const char *file, int line, const redisReply *r, const hs_buf *want) {
    hs_buf got = {0};
    hs_cat_reply(&got, r);
    ck_abort_msg("%s:%d: expected %s, got %s", file, line, want->data, got.data);
}

/* Same with a literal expectation. */
static void hs_fail_reply_str(const char *file, int line, const redisReply *r, const char *kind, const char *v,
                              size_t len) {
    hs_buf want = {0};
    hs_buf_printf(&want, "%s ", kind);
    if (v) hs_buf_cat_repr(&want, v, len, HS_DUMP_MAX_BYTES);
    hs_fail_reply(file, line, r, &want);
}

static int hs_reply_is(const redisReply *r, int type, const char *v, size_t len) {
    return r->type == type && r->len == len && memcmp(r->str, v, len) == 0;
}

void hs_check_status(const char *file, int line, const redisReply *r, const char *status) {
    if (!hs_reply_is(r, REDIS_REPLY_STATUS, status, strlen(status)))
        hs_fail_reply_str(file, line, r, "status", status, strlen(status));
}

void hs_check_error(const char *file, int line, const redisReply *r, const char *error) {
    if (!hs_reply_is(r, REDIS_REPLY_ERROR, error, strlen(error)))
        hs_fail_reply_str(file, line, r, "error", error, strlen(error));
}

void hs_check_error_prefix(const char *file, int line, const redisReply *r, const char *prefix) {
    size_t n = strlen(prefix);
    if (r->type != REDIS_REPLY_ERROR || r->len < n || memcmp(r->str, prefix, n) != 0)
        hs_fail_reply_str(file, line, r, "error starting with", prefix, n);
}

void hs_check_integer(const char *file, int line, const redisReply *r, long long v) {
    if (r->type != REDIS_REPLY_INTEGER || r->integer != v) {
        hs_buf want = {0};
        hs_buf_printf(&want, "integer %lld", v);
        hs_fail_reply(file, line, r, &want);
    }
}

void hs_check_bulk(const char *file, int line, const redisReply *r, const char *v, size_t len) {
    if (!hs_reply_is(r, REDIS_REPLY_STRING, v, len)) hs_fail_reply_str(file, line, r, "bulk", v, len);
}

void hs_check_nil(const char *file, int line, const redisReply *r) {
    if (r->type != REDIS_REPLY_NIL) hs_fail_reply_str(file, line, r, "nil", NULL, 0);
}

void hs_check_bulks(const char *file, int line, const redisReply *r, const char *const *items) {
    size_t n = 0;
    while (items[n]) n++;
    int ok = r->type == REDIS_REPLY_ARRAY && r->elements == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = hs_reply_is(r->element[i], REDIS_REPLY_STRING, items[i], strlen(items[i]));
    if (ok) return;
    hs_buf want = {0};
    hs_buf_printf(&want, "array(%zu)[", n);
    for (size_t i = 0; i < n; i++) {
        if (i) hs_buf_printf(&want, ", ");
        hs_buf_cat_repr(&want, items[i], strlen(items[i]), HS_DUMP_MAX_BYTES);
    }
    hs_buf_printf(&want, "]");
    hs_fail_reply(file, line, r, &want);
}

/* ---------------------------------------------------------- raw socket */

int hs_raw_connect(const hs_server *s) {
    int fd = hs_tcp_connect_port(s->port);
    ck_assert_msg(fd != -1, "connect to 127.0.0.1:%d: %s", s->port, strerror(errno));
    return fd;
}

int hs_raw_try_send(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n == -1 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

void hs_raw_send(int fd, const void *buf, size_t len) {
    if (hs_raw_try_send(fd, buf, len) == -1) ck_abort_msg("send: %s", strerror(errno));
}

/* Waits up to ms for fd to be readable; returns 1 if it is. */
static int hs_readable(int fd, int ms) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r;
    do r = poll(&p, 1, ms);
    while (r == -1 && errno == EINTR);
    return r > 0;
}

/* One read appended to b; returns bytes read, 0 on EOF, -1 on error. */
static ssize_t hs_read_some(int fd, hs_buf *b, size_t max) {
    char buf[65536];
    size_t want = max < sizeof(buf) ? max : sizeof(buf);
    ssize_t n;
    do n = read(fd, buf, want);
    while (n == -1 && errno == EINTR);
    if (n > 0) hs_buf_cat(b, buf, (size_t)n);
    return n;
}

hs_buf hs_raw_read_all(int fd, int idle_ms, int *closed) {
    hs_buf s = {0};
    hs_buf_cat(&s, "", 0);
    *closed = 0;
    while (hs_readable(fd, idle_ms)) {
        if (hs_read_some(fd, &s, SIZE_MAX) <= 0) {
            *closed = 1;
            break;
        }
    }
    return s;
}

hs_buf hs_raw_read_n(int fd, size_t len, int timeout_ms) {
    hs_buf s = {0};
    hs_buf_cat(&s, "", 0);
    long long deadline = hs_now_ms() + timeout_ms;
    while (s.len < len) {
        long long left = deadline - hs_now_ms();
        if (left <= 0 || !hs_readable(fd, (int)left)) break;
        if (hs_read_some(fd, &s, len - s.len) <= 0) break;
    }
    return s;
}

hs_buf hs_raw_read_until(int fd, const char *suffix, int timeout_ms) {
    hs_buf s = {0};
    hs_buf_cat(&s, "", 0);
    size_t sl = strlen(suffix);
    long long deadline = hs_now_ms() + timeout_ms;
    while (s.len < sl || memcmp(s.data + s.len - sl, suffix, sl) != 0) {
        long long left = deadline - hs_now_ms();
        if (left <= 0 || !hs_readable(fd, (int)left)) break;
        if (hs_read_some(fd, &s, 1) <= 0) break; /* byte by byte: never past the suffix */
    }
    return s;
}

void hs_check_bytes(const char *file, int line, const char *got, size_t got_len, const char *want,
                    size_t want_len) {
    if (got_len == want_len && memcmp(got, want, want_len) == 0) return;
    hs_buf g = {0}, w = {0};
    hs_buf_cat_repr(&g, got, got_len, HS_DUMP_MAX_BYTES);
    hs_buf_cat_repr(&w, want, want_len, HS_DUMP_MAX_BYTES);
    ck_abort_msg("%s:%d: expected bytes %s, got %s", file, line, w.data, g.data);
}

void hs_raw_expect(const char *file, int line, int fd, const void *req, size_t req_len, const void *expect,
                   size_t expect_len) {
    hs_raw_send(fd, req, req_len);
    hs_buf got = {0};
    hs_buf_cat(&got, "", 0);
    long long deadline = hs_now_ms() + HS_REPLY_TIMEOUT_MS;
    /* Stop at the first byte that differs: a short reply would otherwise
     * make us wait for the whole timeout. */
    while (got.len < expect_len && memcmp(got.data, expect, got.len) == 0) {
        long long left = deadline - hs_now_ms();
        if (left <= 0 || !hs_readable(fd, (int)left)) break;
        if (hs_read_some(fd, &got, expect_len - got.len) <= 0) break;
    }
    if (got.len != expect_len || memcmp(got.data, expect, expect_len) != 0) {
        int closed;
        hs_buf rest = hs_raw_read_all(fd, HS_MISMATCH_GRACE_MS, &closed);
        hs_buf_cat(&got, rest.data, rest.len);
        hs_buf_free(&rest);
    }
    hs_check_bytes(file, line, got.data, got.len, expect, expect_len);
    hs_buf_free(&got);
}

int hs_raw_wait_closed(int fd, int timeout_ms) {
    long long deadline = hs_now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - hs_now_ms();
        if (left <= 0 || !hs_readable(fd, (int)left)) return 0;
        hs_buf junk = {0};
        ssize_t n = hs_read_some(fd, &junk, SIZE_MAX);
        hs_buf_free(&junk);
        if (n <= 0) return 1;
    }
}

/* ---------------------------------------------------------- shortcuts */

hs_buf hs_info_field(redisContext *c, const char *section, const char *field) {
    redisReply *r = hs_command(c, HS_ARGS("INFO", section));
    ck_assert_msg(r->type == REDIS_REPLY_STRING, "INFO %s did not return a bulk", section);
    hs_buf key = {0}, val = {0};
    hs_buf_printf(&key, "\n%s:", field);
    const char *p = strncmp(r->str, key.data + 1, key.len - 1) == 0 ? r->str : strstr(r->str, key.data);
    if (p) {
        p = strchr(p, ':') + 1;
        hs_buf_cat(&val, p, strcspn(p, "\r\n"));
    }
    hs_buf_free(&key);
    freeReplyObject(r);
    return val;
}

long long hs_client_id(redisContext *c) {
    redisReply *r = hs_command(c, HS_ARGS("CLIENT", "ID"));
    ck_assert_msg(r->type == REDIS_REPLY_INTEGER && r->integer > 0, "CLIENT ID did not return an id");
    long long id = r->integer;
    freeReplyObject(r);
    return id;
}

long long hs_info_ll(redisContext *c, const char *section, const char *field) {
    hs_buf v = hs_info_field(c, section, field);
    ck_assert_msg(v.data != NULL, "INFO %s has no field %s", section, field);
    long long n = strtoll(v.data, NULL, 10);
    hs_buf_free(&v);
    return n;
}

long long hs_dirty(redisContext *c) {
    return hs_info_ll(c, "persistence", "rdb_changes_since_last_save");
}

/* Longest command line the line helpers take. */
#define HS_LINE_MAX 1024

/* Splits line at spaces into argv (pointers into buf, which holds
 * HS_LINE_MAX bytes); returns argc. */
static int hs_split_line(const char *line, char *buf, const char **argv) {
    ck_assert_msg(strlen(line) < HS_LINE_MAX, "command line too long: %s", line);
    strcpy(buf, line);
    int argc = 0;
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        ck_assert_msg(argc < HS_MAX_ARGS, "too many words in: %s", line);
        argv[argc++] = strcmp(w, "''") == 0 ? "" : w;
    }
    argv[argc] = NULL;
    return argc;
}

redisReply *hs_command_line(redisContext *c, const char *line) {
    char buf[HS_LINE_MAX];
    const char *argv[HS_MAX_ARGS + 1];
    hs_split_line(line, buf, argv);
    return hs_command(c, argv);
}

void hs_cat_command_resp(hs_buf *b, const char *line) {
    char buf[HS_LINE_MAX];
    const char *argv[HS_MAX_ARGS + 1];
    int n = hs_split_line(line, buf, argv);
    hs_buf_printf(b, "*%d\r\n", n);
    for (int i = 0; i < n; i++) hs_buf_printf(b, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
}

/* ---------------------------------------------------------- blocking */

#define HS_BLOCK_POLL_MS 5

long hs_blocked_clients(redisContext *c) {
    hs_buf v = hs_info_field(c, "clients", "blocked_clients");
    ck_assert_ptr_nonnull(v.data);
    long n = strtol(v.data, NULL, 10);
    hs_buf_free(&v);
    return n;
}

void hs_wait_blocked(redisContext *c, long n) {
    long long deadline = hs_now_ms() + HS_BLOCK_WAIT_MS;
    while (hs_blocked_clients(c) != n) {
        ck_assert_msg(hs_now_ms() < deadline, "blocked_clients never reached %ld", n);
        hs_sleep_ms(HS_BLOCK_POLL_MS);
    }
}

void hs_send_only(redisContext *c, const char *const *args) {
    int argc = 0;
    while (args[argc]) argc++;
    ck_assert_int_eq(redisAppendCommandArgv(c, argc, (const char **)args, NULL), REDIS_OK);
    int done = 0;
    while (!done) ck_assert_int_eq(redisBufferWrite(c, &done), REDIS_OK);
}

redisContext *hs_block_client(const hs_server *s, redisContext *observer, const char *const *args,
                              long expect_blocked) {
    redisContext *c = hs_connect(s);
    hs_send_only(c, args);
    hs_wait_blocked(observer, expect_blocked);
    return c;
}

/* ---------------------------------------------------------- conf servers */

#define HS_CONF_SERVER_START_MS 10000
#define HS_CONF_SERVER_STOP_MS 20000
#define HS_CONF_SERVER_POLL_MS 20

void hs_conf_server_init(hs_conf_server *s, const char *tag) {
    snprintf(s->dir, sizeof(s->dir), "/tmp/minired-%s-XXXXXX", tag);
    ck_assert_msg(mkdtemp(s->dir) != NULL, "mkdtemp %s: %s", s->dir, strerror(errno));
    snprintf(s->conf, sizeof(s->conf), "%s/minired.conf", s->dir);
    snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
    s->port = hs_free_port();
}

void hs_conf_server_start(hs_conf_server *s, const char *binary) {
    char *argv[] = {(char *)binary, s->conf, NULL};
    s->pid = hs_spawn(argv, s->log);
    long long deadline = hs_now_ms() + HS_CONF_SERVER_START_MS;
    for (;;) {
        redisContext *c = redisConnect("127.0.0.1", s->port);
        int up = c && !c->err;
        if (c) redisFree(c);
        if (up) return;
        ck_assert_msg(waitpid(s->pid, NULL, WNOHANG) == 0, "%s exited at start (log %s)", binary, s->log);
        ck_assert_msg(hs_now_ms() < deadline, "%s did not start (log %s)", binary, s->log);
        hs_sleep_ms(HS_CONF_SERVER_POLL_MS);
    }
}

void hs_conf_server_stop(hs_conf_server *s) {
    kill(s->pid, SIGTERM);
    long long deadline = hs_now_ms() + HS_CONF_SERVER_STOP_MS;
    int st = 0;
    while (waitpid(s->pid, &st, WNOHANG) == 0) {
        if (hs_now_ms() > deadline) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
            ck_abort_msg("server did not stop");
        }
        hs_sleep_ms(HS_CONF_SERVER_POLL_MS);
    }
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "server exit status 0x%x", st);
}
