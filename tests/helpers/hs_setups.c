/* hs_setups.c -- what integration tests need to run the utils/ setup
 * scripts (see hs_setups.h). Owns nothing between calls. Only
 * hs_setup_stop_check_logs fails a test: the rest may run outside one
 * (in unchecked fixtures). */
#include "hs_setups.h"

#include <arpa/inet.h>
#include <check.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* <repo>/build/<variant>/minired-server: the repo is two levels up. */
#define HS_SERVER_DEPTH 2
#define HS_SHELL_CMD_MAX 4096

static int is_file(const char *path) {
    return access(path, R_OK) == 0;
}

static int absolute(const char *path, char *out, size_t cap) {
    char real[PATH_MAX];
    if (realpath(path, real) == NULL || strlen(real) >= cap) return -1;
    memcpy(out, real, strlen(real) + 1);
    return 0;
}

int hs_utils_path(const char *name, char *out, size_t cap) {
    char path[PATH_MAX * 2];
    snprintf(path, sizeof(path), "utils/%s", name);
    if (is_file(path)) return absolute(path, out, cap);
    const char *server = getenv("MINIRED_SERVER");
    char dir[PATH_MAX];
    if (server == NULL || strlen(server) >= sizeof(dir)) return -1;
    memcpy(dir, server, strlen(server) + 1);
    for (int up = 0; up <= HS_SERVER_DEPTH; up++) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL) return -1;
        *slash = '\0';
        snprintf(path, sizeof(path), "%s/utils/%s", dir, name);
        if (is_file(path)) return absolute(path, out, cap);
    }
    return -1;
}

int hs_find_program(const char *name, char *out, size_t cap) {
    const char *env = getenv("PATH");
    char dirs[PATH_MAX * 2];
    snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin:/usr/local/sbin", env ? env : "/usr/bin:/bin");
    char *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", d, name) >= sizeof(path)) continue;
        if (access(path, X_OK) == 0 && strlen(path) < cap) {
            memcpy(out, path, strlen(path) + 1);
            return 0;
        }
    }
    return -1;
}

int hs_shell(const char *fmt, ...) {
    char cmd[HS_SHELL_CMD_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(cmd)) return -1;
    fflush(stdout);
    fflush(stderr);
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st)) return -1;
    return WEXITSTATUS(st);
}

static int one_free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1) return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

int hs_pick_ports(int *ports, int n) {
    for (int i = 0; i < n; i++) {
        int tries = 0, dup;
        do {
            ports[i] = one_free_port();
            if (ports[i] == -1 || ++tries > 100) return -1;
            dup = 0;
            for (int j = 0; j < i; j++) dup |= ports[j] == ports[i];
        } while (dup);
    }
    return 0;
}

long hs_read_number_file(const char *path) {
    FILE *fp = fopen(path, "r");
    if (fp == NULL) return -1;
    long v = -1;
    if (fscanf(fp, "%ld", &v) != 1) v = -1;
    fclose(fp);
    return v;
}

void hs_setup_stop_check_logs(const char *script, const char *dir) {
    ck_assert_msg(hs_shell("'%s' stop --dir '%s' --keep >/dev/null", script, dir) == 0, "%s stop failed", script);
    int found = hs_shell("grep -l 'Sanitizer\\|runtime error' '%s'/*/*.log", dir) == 0;
    ck_assert_msg(!found, "a sanitizer report in the logs under %s", dir);
}

int hs_make_temp_dir(const char *tag, char *out, size_t cap) {
    char tmpl[PATH_MAX];
    snprintf(tmpl, sizeof(tmpl), "/tmp/minired-%s-XXXXXX", tag);
    if (mkdtemp(tmpl) == NULL || strlen(tmpl) >= cap) return -1;
    memcpy(out, tmpl, strlen(tmpl) + 1);
    return 0;
}
