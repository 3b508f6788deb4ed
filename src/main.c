/* main.c -- the minired-server command line: flags, configuration file
 * and --directive options (as redis-server takes them), daemonizing and
 * the pidfile. Owns nothing after start-up; hands over to server.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ae.h"
#include "aof.h"
#include "check_rdb.h"
#include "config.h"
#include "log.h"
#include "server.h"
#include "supervise.h"
#include "server_main.h"
#include "zmalloc.h"


static void print_version(void) {
    printf("minired server v=%s redis-compat=%s malloc=libc bits=%d ae=%s\n", MINIRED_VERSION,
           MINIRED_REDIS_COMPAT_VERSION, (int)sizeof(long) * 8, ae_get_api_name());
}

static void print_usage(void) {
    fprintf(stderr,
            "Usage: ./minired-server [/path/to/redis.conf] [options] [-]\n"
            "       ./minired-server - (read config from stdin)\n"
            "       ./minired-server -v or --version\n"
            "       ./minired-server -h or --help\n"
            "\n"
            "Options are redis.conf directives written as --directive value,\n"
            "applied after the configuration file (see redis.conf.example).\n"
            "Every directive Redis 7.0 accepts is accepted; \"--supervised systemd\"\n"
            "reports readiness over $NOTIFY_SOCKET.\n"
            "\n"
            "Examples:\n"
            "       ./minired-server (run the server with default config)\n"
            "       ./minired-server /etc/redis/6379.conf\n"
            "       ./minired-server --port 7777\n"
            "       ./minired-server --port 7777 --bind 127.0.0.1 --requirepass secret\n"
            "       ./minired-server --port 7777 --replicaof 127.0.0.1 8888\n"
            "       ./minired-server --port 7001 --cluster-enabled yes --cluster-config-file nodes-7001.conf\n"
            "       ./minired-server /etc/myredis.conf --loglevel verbose -\n"
            "       ./minired-server /etc/myredis.conf --loglevel verbose\n"
            "\n"
            "Invoked as minired-check-rdb <file.rdb> or minired-check-aof [--fix]\n"
            "<file.manifest|file.aof> (links to this binary), it checks persistence\n"
            "files as redis-check-rdb / redis-check-aof do.\n");
}

static void daemonize(void) {
    if (fork() != 0) exit(0); /* parent exits */
    setsid();
    int fd = open("/dev/null", O_RDWR, 0);
    if (fd != -1) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) close(fd);
    }
}

static void create_pidfile(void) {
    const char *path = cfg.pidfile ? cfg.pidfile : DEFAULT_DAEMON_PIDFILE;
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        log_warning("Failed to write PID file: %s", strerror(errno));
        return;
    }
    fprintf(fp, "%d\n", (int)getpid());
    fclose(fp);
}

/* glibc hands the top of the heap back to the kernel whenever more than
 * its trim threshold (128 KB) is free there. Output blocks of subscribers
 * and slow readers come and go by the megabyte each loop pass, so the heap
 * was shrunk and grown thousands of times a second (brk, then page
 * faults on every regrowth): PUBLISH to 100 subscribers cost 5x more CPU.
 * Keeping up to this much free at the top costs little memory. */
#define MAIN_MALLOC_TRIM_THRESHOLD_BYTES (16 * 1024 * 1024)

/* The binary is also minired-check-aof and minired-check-rdb (links to
 * it), as redis-server is redis-check-aof and redis-check-rdb: the name it
 * was run under decides. */
static int invoked_as(const char *argv0, const char *name) {
    const char *base = strrchr(argv0, '/');
    base = base ? base + 1 : argv0;
    return strcmp(base, name) == 0;
}

int main(int argc, char **argv) {
    if (invoked_as(argv[0], "minired-check-aof")) return aof_check_main(argc, argv);
#ifdef M_TRIM_THRESHOLD
    mallopt(M_TRIM_THRESHOLD, MAIN_MALLOC_TRIM_THRESHOLD_BYTES);
#endif
    config_init_defaults();
    if (invoked_as(argv[0], "minired-check-rdb")) return check_rdb_main(argc, argv); /* after the defaults: values are decoded */
    server.executable = argv[0];
    server.exec_argv = argv;
    char resolved[PATH_MAX];
    if (realpath(argv[0], resolved)) server.executable = zstrdup(resolved);
    int first_opt = 1;
    const char *configfile = NULL;
    if (argc >= 2) {
        if (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0) {
            print_version();
            return 0;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
            print_usage();
            return 0;
        }
        if (argv[1][0] != '-' || (argv[1][1] == '\0' && argc == 2)) {
            configfile = argv[1];
            first_opt = 2;
        }
    }
    sds options = config_options_from_argv(argc - first_opt, argv + first_opt);
    sds err = NULL;
    int rc;
    if (configfile) {
        if (strcmp(configfile, "-") != 0 && realpath(configfile, resolved))
            server.configfile = zstrdup(resolved);
        rc = config_load_file(configfile, options, &err);
    } else {
        rc = config_load_file(NULL, options, &err);
    }
    sds_free(options);
    if (rc == -1) {
        fprintf(stderr, "%s", err);
        sds_free(err);
        return 1;
    }
    if (server.configfile) config_set_file_path(server.configfile);
    /* As Redis: a supervised server stays in the foreground (the init
     * system tracks its pid) even with daemonize yes. */
    int supervised = supervise_start(cfg.supervised);
    if (cfg.daemonize && !supervised) daemonize();
    log_warning("oO0OoO0OoO0Oo minired is starting oO0OoO0OoO0Oo");
    log_warning("minired version=%s, redis-compat=%s, bits=%d, pid=%d, just started", MINIRED_VERSION,
               MINIRED_REDIS_COMPAT_VERSION, (int)sizeof(long) * 8, (int)getpid());
    if (!configfile)
        log_warning("Warning: no config file specified, using the default config. In order to specify a config "
                    "file use %s /path/to/redis.conf", argv[0]);
    else
        log_warning("Configuration loaded");
    server_init();
    if ((cfg.daemonize && !supervised) || cfg.pidfile) create_pidfile();
    log_notice("Running mode=standalone, port=%d.", cfg.port);
    server_run();
    return 0;
}
