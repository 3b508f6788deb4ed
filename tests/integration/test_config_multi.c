/* test_config_multi.c -- the operations side of the configuration:
 * Debian's own redis.conf (Redis 7.0's shipped file) starts minired with
 * only port, dir, daemonize and log lines changed; CONFIG REWRITE of that
 * file writes what Redis 7.0 writes for the same CONFIG SETs; "supervised
 * systemd" speaks the notify protocol to a datagram listener of the test's
 * own; INFO parses as a Prometheus exporter parses it.
 *
 * Servers are spawned here: a config file must be the first argument and
 * the harness passes options only. Checks against Redis are skipped when
 * redis-server (or Debian's file) is not installed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "harness.h"

#define DEBIAN_CONF "/etc/redis/redis.conf"
#define START_WAIT_MS 10000
#define POLL_MS 20
#define NOTIFY_WAIT_MS 5000
#define FILE_MAX_BYTES (1 << 20)

/* Returns the whole file (caller frees), or NULL if unreadable. */
static char *slurp(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    char *buf = malloc(FILE_MAX_BYTES);
    size_t n = fread(buf, 1, FILE_MAX_BYTES - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

/* A temp dir with <dir>/redis.conf: Debian's file with the port, dir,
 * daemonize, logfile and pidfile lines replaced, as an operator would. */
static int own_prepare(hs_conf_server *s, const char *tag) {
    char *text = slurp(DEBIAN_CONF);
    if (!text) return -1;
    snprintf(s->dir, sizeof(s->dir), "/tmp/minired-%s-XXXXXX", tag);
    ck_assert_ptr_nonnull(mkdtemp(s->dir));
    snprintf(s->conf, sizeof(s->conf), "%s/redis.conf", s->dir);
    snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
    s->port = hs_free_port();
    FILE *out = fopen(s->conf, "w");
    ck_assert_ptr_nonnull(out);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "port ", 5)) fprintf(out, "port %d\n", s->port);
        else if (!strncmp(line, "dir ", 4)) fprintf(out, "dir %s\n", s->dir);
        else if (!strncmp(line, "daemonize ", 10)) fprintf(out, "daemonize no\n");
        else if (!strncmp(line, "logfile ", 8)) fprintf(out, "logfile \"\"\n");
        else if (!strncmp(line, "pidfile ", 8)) fprintf(out, "pidfile %s/server.pid\n", s->dir);
        else fprintf(out, "%s\n", line);
    }
    fclose(out);
    free(text);
    return 0;
}

static void own_cleanup(hs_conf_server *s) {
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
    ck_assert_int_eq(system(cmd), 0);
}

static redisContext *own_connect(const hs_conf_server *s) {
    redisContext *c = redisConnect("127.0.0.1", s->port);
    ck_assert(c && !c->err);
    return c;
}

/* ---------------------------------------------------------- Debian's file */

START_TEST(test_debian_conf_starts) {
    hs_conf_server s = {0};
    if (own_prepare(&s, "debconf") == -1) {
        fprintf(stderr, "note: %s not readable, Debian config check skipped\n", DEBIAN_CONF);
        return;
    }
    hs_conf_server_start(&s, hs_server_path());
    redisContext *c = own_connect(&s);
    HS_EXPECT_STATUS(c, "PONG", "PING");
    /* directives minired only stores keep the file's values */
    HS_EXPECT_BULKS(c, HS_ARGS("repl-diskless-sync", "yes"), "CONFIG", "GET", "repl-diskless-sync");
    HS_EXPECT_BULKS(c, HS_ARGS("oom-score-adj-values", "0 200 800"), "CONFIG", "GET", "oom-score-adj-values");
    HS_EXPECT_BULKS(c, HS_ARGS("replica-priority", "100"), "CONFIG", "GET", "replica-priority");
    redisFree(c);
    hs_conf_server_stop(&s);
    char *log = slurp(s.log);
    ck_assert_ptr_nonnull(log);
    ck_assert_msg(strstr(log, "# Configuration loaded\n") != NULL, "no 'Configuration loaded' in log:\n%s", log);
    ck_assert_ptr_null(strstr(log, "no config file specified"));
    ck_assert_ptr_nonnull(strstr(log, "signal-handler ("));
    ck_assert_ptr_nonnull(strstr(log, "Received SIGTERM scheduling shutdown...\n"));
    free(log);
    own_cleanup(&s);
}
END_TEST

/* rename-command: a renamed command answers under its new name only, ""
 * removes one, an unknown one stops the start; CONFIG REWRITE keeps the
 * lines as they are. */
START_TEST(test_rename_command) {
    hs_conf_server s = {0};
    hs_conf_server_init(&s, "rename");
    FILE *fp = fopen(s.conf, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "port %d\nbind 127.0.0.1\ndir %s\nsave \"\"\nrename-command flushall myflush\n"
                "rename-command DEBUG \"\"\n",
            s.port, s.dir);
    fclose(fp);
    hs_conf_server_start(&s, hs_server_path());
    redisContext *c = own_connect(&s);
    HS_EXPECT_OK(c, "MYFLUSH");
    HS_EXPECT_ERROR_PREFIX(c, "ERR unknown command 'FLUSHALL'", "FLUSHALL");
    HS_EXPECT_ERROR_PREFIX(c, "ERR unknown command 'DEBUG'", "DEBUG", "SLEEP", "0");
    HS_EXPECT_OK(c, "CONFIG", "SET", "timeout", "7");
    HS_EXPECT_OK(c, "CONFIG", "REWRITE");
    redisFree(c);
    hs_conf_server_stop(&s);
    char *text = slurp(s.conf);
    ck_assert_ptr_nonnull(strstr(text, "\nrename-command flushall myflush\nrename-command DEBUG \"\"\n"));
    ck_assert_ptr_nonnull(strstr(text, "\ntimeout 7\n"));
    free(text);
    hs_buf out = {0};
    int st = hs_run_server_once(HS_ARGS("--port", "0", "--rename-command", "nosuch", "x"), START_WAIT_MS, &out);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status 0x%x", st);
    ck_assert_ptr_nonnull(strstr(out.data, "No such command in rename-command"));
    hs_buf_free(&out);
    own_cleanup(&s);
}
END_TEST

/* ---------------------------------------------------------- REWRITE */

/* The same CONFIG SETs on both servers: in-place lines, removed
 * defaults, stored-only directives and appended ones. */
static void apply_changes(redisContext *c) {
    HS_EXPECT_OK(c, "CONFIG", "SET", "maxmemory", "10mb", "maxmemory-policy", "allkeys-lru", "repl-backlog-size",
                 "5mb", "replica-priority", "50", "masterauth", "a b", "save", "100 10");
    HS_EXPECT_OK(c, "CONFIG", "SET", "oom-score-adj-values", "1 2 3", "maxmemory-clients", "5%", "activerehashing",
                 "no", "hash-max-ziplist-entries", "100", "tcp-keepalive", "300");
    HS_EXPECT_OK(c, "CONFIG", "REWRITE");
}

/* Splits text at the signature into the in-place part and the appended
 * lines; drops lines naming this instance (port, dir, pidfile) and ACL
 * "user" lines (ACL is another part of the work). */
static void split_rewritten(char *text, hs_buf *head, char ***tail, int *ntail) {
    *head = (hs_buf){0};
    *tail = calloc(256, sizeof(char *));
    *ntail = 0;
    int in_tail = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "port ", 5) || !strncmp(line, "dir ", 4) || !strncmp(line, "pidfile ", 8) ||
            !strncmp(line, "user ", 5))
            continue;
        if (!strcmp(line, "# Generated by CONFIG REWRITE")) in_tail = 1;
        if (in_tail && *ntail < 255) (*tail)[(*ntail)++] = line;
        else hs_buf_printf(head, "%s\n", line);
    }
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(test_rewrite_like_redis) {
    const char *redis = hs_redis_server_path();
    hs_conf_server m = {0}, r = {0};
    if (!redis || own_prepare(&m, "rwm") == -1 || own_prepare(&r, "rwr") == -1) {
        fprintf(stderr, "note: redis-server or %s missing, rewrite comparison skipped\n", DEBIAN_CONF);
        return;
    }
    hs_conf_server_start(&m, hs_server_path());
    hs_conf_server_start(&r, redis);
    redisContext *cm = own_connect(&m), *cr = own_connect(&r);
    apply_changes(cm);
    apply_changes(cr);
    redisFree(cm);
    redisFree(cr);
    hs_conf_server_stop(&m);
    hs_conf_server_stop(&r);
    char *tm = slurp(m.conf), *tr = slurp(r.conf);
    hs_buf hm, hr;
    char **lm, **lr;
    int nm, nr;
    split_rewritten(tm, &hm, &lm, &nm);
    split_rewritten(tr, &hr, &lr, &nr);
    ck_assert_msg(hm.len == hr.len && !memcmp(hm.data, hr.data, hm.len), "in-place part differs: diff %s %s",
                  m.conf, r.conf);
    /* Redis appends in its dict's (seeded, random) order: compare sorted. */
    qsort(lm, (size_t)nm, sizeof(char *), cmp_str);
    qsort(lr, (size_t)nr, sizeof(char *), cmp_str);
    ck_assert_int_eq(nm, nr);
    for (int i = 0; i < nm; i++) ck_assert_str_eq(lm[i], lr[i]);
    hs_buf_free(&hm);
    hs_buf_free(&hr);
    free(lm);
    free(lr);
    free(tm);
    free(tr);
    own_cleanup(&m);
    own_cleanup(&r);
}
END_TEST

/* ---------------------------------------------------------- supervised */

/* Reads notify datagrams until want arrived (or the wait ends); returns
 * them concatenated (caller frees). */
static hs_buf notify_collect(int fd, const char *want) {
    hs_buf got = {0};
    hs_buf_cat(&got, "", 0);
    long long deadline = hs_now_ms() + NOTIFY_WAIT_MS;
    while (hs_now_ms() < deadline && !strstr(got.data, want)) {
        char buf[512];
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) hs_buf_cat(&got, buf, (size_t)n);
        else hs_sleep_ms(POLL_MS);
    }
    return got;
}

START_TEST(test_supervised_systemd_notifies) {
    hs_conf_server s = {0};
    hs_conf_server_init(&s, "notify");
    char sock_path[192];
    snprintf(sock_path, sizeof(sock_path), "%s/notify.sock", s.dir);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, sock_path);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    FILE *fp = fopen(s.conf, "w");
    ck_assert_ptr_nonnull(fp);
    /* daemonize yes: a supervised server stays in the foreground anyway */
    fprintf(fp, "port %d\nbind 127.0.0.1\ndir %s\nsave \"\"\nsupervised auto\ndaemonize yes\n", s.port, s.dir);
    fclose(fp);
    setenv("NOTIFY_SOCKET", sock_path, 1);
    hs_conf_server_start(&s, hs_server_path());
    unsetenv("NOTIFY_SOCKET");
    hs_buf got = notify_collect(fd, "READY=1\n");
    ck_assert_str_eq(got.data, "STATUS=Redis is loading...\nSTATUS=Ready to accept connections\nREADY=1\n");
    hs_buf_free(&got);
    redisContext *c = own_connect(&s);
    hs_buf sup = hs_info_field(c, "server", "process_supervised");
    ck_assert_str_eq(sup.data, "systemd");
    hs_buf_free(&sup);
    redisFree(c);
    hs_conf_server_stop(&s); /* the pid we forked is the server: it did not daemonize */
    got = notify_collect(fd, "STOPPING=1\n");
    ck_assert_str_eq(got.data, "STOPPING=1\n");
    hs_buf_free(&got);
    close(fd);
    char *log = slurp(s.log);
    ck_assert_ptr_nonnull(strstr(log, "Supervised by systemd. Please make sure you set appropriate values for "
                                      "TimeoutStartSec and TimeoutStopSec in your service unit."));
    free(log);
    own_cleanup(&s);
}
END_TEST

/* ---------------------------------------------------------- install */

/* make install + utils/install-server.sh into a staging root: the tree
 * holds the server, the check-tool links, the commented config, the unit,
 * and a config that starts the server (data and log dirs redirected). */
START_TEST(test_install_into_destdir) {
    if (access("Makefile", R_OK) != 0 || access("utils/install-server.sh", R_OK) != 0) {
        fprintf(stderr, "note: not run from the repo root, install check skipped\n");
        return;
    }
    char root[] = "/tmp/minired-install-XXXXXX", cmd[1024], path[512];
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(cmd, sizeof(cmd), "make -s install PREFIX=/usr DESTDIR=%s >%s/make.log 2>&1", root, root);
    ck_assert_msg(system(cmd) == 0, "make install failed (see %s/make.log)", root);
    snprintf(cmd, sizeof(cmd), "DESTDIR=%s PREFIX=/usr PORT=7000 sh utils/install-server.sh >%s/inst.log 2>&1",
             root, root);
    ck_assert_msg(system(cmd) == 0, "install-server.sh failed (see %s/inst.log)", root);
    const char *must[] = {"/usr/bin/minired-server", "/usr/bin/minired-check-aof", "/usr/bin/minired-check-rdb",
                          "/usr/share/minired/redis.conf.example", "/usr/lib/systemd/system/minired.service",
                          "/etc/minired/minired.conf", "/var/lib/minired", "/var/log/minired"};
    for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", root, must[i]);
        ck_assert_msg(access(path, F_OK) == 0, "missing %s", path);
    }
    snprintf(path, sizeof(path), "%s/usr/lib/systemd/system/minired.service", root);
    char *unit = slurp(path);
    ck_assert_ptr_nonnull(strstr(unit, "\nType=notify\n"));
    ck_assert_ptr_nonnull(
        strstr(unit, "ExecStart=/usr/bin/minired-server /etc/minired/minired.conf --supervised systemd"));
    ck_assert_ptr_null(strstr(unit, "@"));
    free(unit);
    snprintf(path, sizeof(path), "%s/etc/minired/minired.conf", root);
    char *conf = slurp(path);
    ck_assert_ptr_nonnull(strstr(conf, "\nport 7000\n"));
    ck_assert_ptr_nonnull(strstr(conf, "\ndir /var/lib/minired\n"));
    ck_assert_ptr_nonnull(strstr(conf, "\nsupervised auto\n"));
    free(conf);
    /* the generated config starts the installed server */
    hs_conf_server s = {0};
    snprintf(s.dir, sizeof(s.dir), "%s", root);
    snprintf(s.conf, sizeof(s.conf), "%s", path);
    snprintf(s.log, sizeof(s.log), "%s/server.log", root);
    s.port = hs_free_port();
    /* the staged dirs stand in for /var (dir must exist when read) */
    snprintf(cmd, sizeof(cmd), "sed -i -e 's|^dir .*|dir %s/var/lib/minired|' -e 's|^logfile .*|logfile \"\"|' %s",
             root, path);
    ck_assert_int_eq(system(cmd), 0);
    FILE *fp = fopen(path, "a");
    fprintf(fp, "port %d\n", s.port);
    fclose(fp);
    snprintf(cmd, sizeof(cmd), "%s/usr/bin/minired-server", root);
    hs_conf_server_start(&s, cmd);
    hs_conf_server_stop(&s);
    own_cleanup(&s);
}
END_TEST

/* supervised upstart: the server stops itself (SIGSTOP) once configured
 * and runs on when upstart continues it. */
START_TEST(test_supervised_upstart_stops) {
    hs_conf_server s = {0};
    strcpy(s.dir, "/tmp/minired-upstart-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s.dir));
    snprintf(s.log, sizeof(s.log), "%s/server.log", s.dir);
    s.port = hs_free_port();
    char port[16];
    snprintf(port, sizeof(port), "%d", s.port);
    pid_t parent = getpid();
    s.pid = fork();
    ck_assert(s.pid != -1);
    if (s.pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int fd = open(s.log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd == -1) _exit(127);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        setenv("UPSTART_JOB", "minired", 1);
        execl(hs_server_path(), hs_server_path(), "--port", port, "--bind", "127.0.0.1", "--dir", s.dir, "--save",
              "", "--supervised", "upstart", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    ck_assert_int_eq(waitpid(s.pid, &st, WUNTRACED), s.pid);
    ck_assert_msg(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "not stopped by SIGSTOP: 0x%x", st);
    kill(s.pid, SIGCONT);
    long long deadline = hs_now_ms() + START_WAIT_MS;
    redisContext *c = NULL;
    while (!c) {
        c = redisConnect("127.0.0.1", s.port);
        if (c && c->err) {
            redisFree(c);
            c = NULL;
            ck_assert_msg(hs_now_ms() < deadline, "server did not start after SIGCONT");
            hs_sleep_ms(POLL_MS);
        }
    }
    hs_buf sup = hs_info_field(c, "server", "process_supervised");
    ck_assert_str_eq(sup.data, "upstart");
    hs_buf_free(&sup);
    redisFree(c);
    hs_conf_server_stop(&s);
    char *log = slurp(s.log);
    ck_assert_ptr_nonnull(strstr(log, "supervised by upstart, will stop to signal readiness."));
    ck_assert_ptr_nonnull(strstr(log, "no config file specified, using the default config"));
    free(log);
    own_cleanup(&s);
}
END_TEST

/* ---------------------------------------------------------- INFO */

/* The rules of prometheus redis_exporter's INFO parser: a line is empty,
 * "# Section", or "key:value" with a key of [a-z0-9_] and no blanks at
 * either end of key or value. */
START_TEST(test_info_parses_as_exporter) {
    hs_server *srv = hs_start(NULL);
    redisContext *c = hs_connect(srv);
    redisReply *r = hs_command(c, HS_ARGS("INFO", "everything"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    char *text = strdup(r->str);
    freeReplyObject(r);
    int lines = 0;
    for (char *save, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t len = strlen(line);
        ck_assert_msg(len > 0 && line[len - 1] == '\r', "INFO line without CRLF: '%s'", line);
        line[--len] = '\0';
        lines++;
        if (len == 0) continue;
        if (line[0] == '#') {
            ck_assert_msg(line[1] == ' ' && line[2] != ' ' && line[len - 1] != ' ', "bad section '%s'", line);
            continue;
        }
        char *colon = strchr(line, ':');
        ck_assert_msg(colon && colon != line, "INFO line not key:value: '%s'", line);
        for (char *k = line; k < colon; k++)
            ck_assert_msg((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_' ||
                              (*k >= 'A' && *k <= 'Z'),
                          "bad INFO key in '%s'", line);
        ck_assert_msg(colon[1] != ' ' && line[len - 1] != ' ', "blank around INFO value: '%s'", line);
    }
    ck_assert_int_gt(lines, 50);
    free(text);
    redisFree(c);
    hs_stop(srv);
}
END_TEST

static Suite *config_multi_suite(void) {
    Suite *s = suite_create("config_multi");
    TCase *tc = hs_tcase(s, "operations");
    tcase_add_test(tc, test_debian_conf_starts);
    tcase_add_test(tc, test_rewrite_like_redis);
    tcase_add_test(tc, test_rename_command);
    tcase_add_test(tc, test_supervised_systemd_notifies);
    tcase_add_test(tc, test_info_parses_as_exporter);
    tcase_add_test(tc, test_install_into_destdir);
    tcase_add_test(tc, test_supervised_upstart_stops);
    return s;
}

int main(void) {
    return hs_run_suite(config_multi_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
