/* server.c -- start-up, listeners, the cron, the before-sleep hook,
 * signals and shutdown; TIME and SHUTDOWN.
 *
 * Owns the event loop, the listeners and the process-level fields of
 * `server`. Signal handlers only set a flag; the cron acts on it, so no
 * shutdown work ever runs inside a signal handler. */
#include "server.h"
#include "testctl.h"
#include "supervise.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl.h"
#include "aof.h"
#include "childproc.h"
#include "cluster.h"
#include "commands.h"
#include "crashlog.h"
#include "debug_extra.h"
#include "eval.h"
#include "function.h"
#include "script.h"
#include "db.h"
#include "evict.h"
#include "expire.h"
#include "info.h"
#include "log.h"
#include "monotonic.h"
#include "propagate.h"
#include "pubsub.h"
#include "networking.h"
#include "replication.h"
#include "reply.h"
#include "server_main.h"
#include "snapshot.h"
#include "tracking.h"
#include "util.h"
#include "zmalloc.h"
#include "vclock.h"

struct server_state server;

/* How often the rate samples behind INFO's instantaneous_* are taken. */
#define INFO_SAMPLE_PERIOD_MS 100
/* Replication's periodic work (pings, timeouts, acks) runs once a second,
 * as Redis's replicationCron. */
#define REPL_CRON_PERIOD_MS 1000

/* ---------------------------------------------------------- listeners */

static void server_close_listeners(void) {
    for (int i = 0; i < server.listener_count; i++) {
        listener *l = &server.listeners[i];
        ae_delete_file_event(server.el, l->fd, AE_READABLE);
        close(l->fd);
        if (l->is_unix && cfg.unixsocket) unlink(cfg.unixsocket);
    }
    server.listener_count = 0;
}

/* Opens one TCP listener per bind address. An address written "-addr" is
 * optional: if it can't be bound because it does not exist here, skip it. */
static int server_open_tcp(char *err, size_t errlen) {
    if (cfg.port == 0) return 0;
    for (int i = 0; i < cfg.bind_count; i++) {
        const char *addr = cfg.bind[i];
        int optional = addr[0] == '-';
        if (optional) addr++;
        char aerr[ANET_ERR_LEN];
        int fd = anet_tcp_server(aerr, cfg.port, addr, cfg.tcp_backlog);
        if (fd == ANET_ERR) {
            int unavailable = errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT ||
                              errno == ESOCKTNOSUPPORT || errno == EINVAL;
            if (optional && unavailable) continue;
            snprintf(err, errlen, "Could not create server TCP listening socket %s:%d: %s", addr, cfg.port, aerr);
            return -1;
        }
        anet_non_block(aerr, fd);
        anet_cloexec(fd);
        listener *l = &server.listeners[server.listener_count++];
        l->fd = fd;
        l->is_unix = 0;
        snprintf(l->addr, sizeof(l->addr), "%s", addr);
        if (ae_create_file_event(server.el, fd, AE_READABLE, net_accept_tcp_handler, NULL) == AE_ERR) {
            snprintf(err, errlen, "Unrecoverable error creating TCP socket accept handler.");
            return -1;
        }
    }
    return 0;
}

static int server_open_unix(char *err, size_t errlen) {
    if (cfg.unixsocket == NULL) return 0;
    char aerr[ANET_ERR_LEN];
    int fd = anet_unix_server(aerr, cfg.unixsocket, cfg.unixsocketperm, cfg.tcp_backlog);
    if (fd == ANET_ERR) {
        snprintf(err, errlen, "Failed opening Unix socket: %s", aerr);
        return -1;
    }
    anet_non_block(aerr, fd);
    anet_cloexec(fd);
    listener *l = &server.listeners[server.listener_count++];
    l->fd = fd;
    l->is_unix = 1;
    snprintf(l->addr, sizeof(l->addr), "%s", cfg.unixsocket);
    if (ae_create_file_event(server.el, fd, AE_READABLE, net_accept_unix_handler, NULL) == AE_ERR) {
        snprintf(err, errlen, "Unrecoverable error creating Unix socket accept handler.");
        return -1;
    }
    return 0;
}

static int server_open_listeners(char *err, size_t errlen) {
    if (server_open_tcp(err, errlen) == -1 || server_open_unix(err, errlen) == -1) {
        server_close_listeners();
        return -1;
    }
    return 0;
}

/* CONFIG SET bind/port: reopen every listener with the new settings. */
static int server_listeners_changed(char *err, size_t errlen) {
    server_close_listeners();
    return server_open_listeners(err, errlen);
}

/* CONFIG SET repl-backlog-size: the live backlog takes the new size. */
static int server_repl_backlog_changed(char *err, size_t errlen) {
    (void)err, (void)errlen;
    repl_backlog_resize_to_config();
    return 0;
}

static int server_maxclients_changed(char *err, size_t errlen) {
    int setsize = (int)cfg.maxclients + CONFIG_MIN_RESERVED_FDS;
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < (rlim_t)setsize) {
        lim.rlim_cur = (rlim_t)setsize;
        if (lim.rlim_max < lim.rlim_cur) lim.rlim_max = lim.rlim_cur;
        if (setrlimit(RLIMIT_NOFILE, &lim) == -1) {
            struct rlimit now;
            getrlimit(RLIMIT_NOFILE, &now);
            snprintf(err, errlen, "The operating system is not able to handle the specified number of clients, try with %u",
                     (unsigned)(now.rlim_cur > CONFIG_MIN_RESERVED_FDS ? now.rlim_cur - CONFIG_MIN_RESERVED_FDS : 1));
            return -1;
        }
    }
    if (setsize > ae_get_set_size(server.el) && ae_resize_set_size(server.el, setsize) == AE_ERR) {
        snprintf(err, errlen, "The event loop API used by Redis is not able to handle the specified number of clients");
        return -1;
    }
    return 0;
}

static void server_reset_stats(void) {
    server.stat_numcommands = 0;
    server.stat_numconnections = 0;
    server.stat_rejected_conn = 0;
    server.stat_net_input_bytes = 0;
    server.stat_net_output_bytes = 0;
    server.stat_total_error_replies = 0;
    server.stat_keyspace_hits = 0;
    server.stat_keyspace_misses = 0;
    server.stat_expired_keys = 0;
    server.stat_unexpected_error_replies = 0;
    server.stat_evicted_keys = 0;
    cmd_reset_stats();
    info_reset_stats();
    childproc_reset_stats();
    snapshot_reset_stats();
    repl_primary_reset_stats();
}

/* ---------------------------------------------------------- loop hooks */

static int server_prepare_shutdown(int flags);
/* After replicas caught up (replication's shutdown wait): exits, or
 * returns -1 when the shutdown failed. */
static int server_finish_shutdown(int flags) {
    if (server_prepare_shutdown(flags) == 0) exit(0);
    return -1;
}
/* The signal that set shutdown_asap (SIGTERM or SIGINT). */
static volatile sig_atomic_t last_signal;

/* A SIGTERM/SIGINT shutdown with the flags shutdown-on-sigterm /
 * shutdown-on-sigint give; when it fails (a final save failed), the
 * server goes on serving, as Redis does. */
static void server_shutdown_on_signal(void) {
    if (repl_primary_shutdown_pending()) return;
    int flags = last_signal == SIGINT ? cfg.shutdown_on_sigint : cfg.shutdown_on_sigterm;
    if (repl_primary_shutdown_wait(NULL, flags, server_finish_shutdown)) return;
    if (server_prepare_shutdown(flags) == 0) exit(0);
}

/* A signal while loading: stop at once without saving a partial dataset. */
static void server_shutdown_while_loading(void) {
    if (server_prepare_shutdown(SHUTDOWN_NOSAVE) == 0) exit(0);
}

static int server_cron(ae_event_loop *el, long long id, void *data) {
    (void)el, (void)id, (void)data;
    /* DEBUG PAUSE-CRON: no periodic work at all (as Redis's serverCron). */
    if (debug_cron_paused()) return 1000 / cfg.hz;
    long long now = mstime();
    static long long last_sample_ms;
    if (now - last_sample_ms >= INFO_SAMPLE_PERIOD_MS) {
        info_track_sample();
        last_sample_ms = now;
    }
    net_clients_cron(vclock_ms_from_real(now)); /* idle times are on the data clock */
    childproc_cron();
    snapshot_cron();
    db_cron_rehash();
    expire_cron();
    /* Also here, so a table over a lowered tracking-table-max-keys shrinks
     * on an idle server. */
    tracking_limit_table();
    aof_cron();
    static long long last_repl_cron_ms;
    if (now - last_repl_cron_ms >= REPL_CRON_PERIOD_MS) {
        repl_cron();
        last_repl_cron_ms = now;
    }
    static long long last_cluster_cron_ms;
    if (cluster && now - last_cluster_cron_ms >= CLUSTER_CRON_PERIOD_MS) {
        cluster_cron();
        last_cluster_cron_ms = now;
    }
    migrate_cron();
    if (server.shutdown_asap) server_shutdown_on_signal();
    server.cron_loops++;
    return 1000 / cfg.hz;
}

/* One clock read per wake-up serves every idle-time stamp of the pass. */
static void server_after_sleep(ae_event_loop *el) {
    (void)el;
    server.loop_ms = mstime();
}

static void server_before_sleep(ae_event_loop *el) {
    (void)el;
    expire_before_sleep();
    /* Effects of work done outside any command (timers) reach the stream
     * before clients hear of it. */
    if (prop_pending()) prop_flush();
    if (server.unblocked) net_handle_unblocked();
    tracking_before_sleep();
    /* WAIT's acks asked and answered, replicas' pending stream bytes. */
    repl_before_sleep();
    if (cluster) cluster_before_sleep();
    /* The AOF is written (and with appendfsync always, fsynced) before any
     * reply goes out. */
    aof_before_sleep();
    net_handle_pending_writes();
    net_free_clients_async();
}

/* ---------------------------------------------------------- signals */

static void server_signal_handler(int sig) {
    if (server.shutdown_asap && sig == SIGINT) {
        log_raw_signal_safe("You insist... exiting now.\n");
        if (cfg.pidfile) unlink(cfg.pidfile);
        _exit(1);
    }
    if (snapshot_loading()) log_raw_signal_safe("Received shutdown signal during loading, scheduling shutdown.\n");
    else
        log_raw_signal_safe(sig == SIGINT ? "Received SIGINT scheduling shutdown...\n"
                                          : "Received SIGTERM scheduling shutdown...\n");
    server.shutdown_asap = 1;
    last_signal = sig;
}

static void server_setup_signals(void) {
    struct sigaction act;
    memset(&act, 0, sizeof(act));
    sigemptyset(&act.sa_mask);
    act.sa_handler = server_signal_handler;
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
}

/* ---------------------------------------------------------- start, stop */

/* Redis 7.0's shutdown: returns 0 when the process may exit now, or -1
 * (logged; the server keeps running) when a final save or the AOF could
 * not be made durable and flags lack SHUTDOWN_FORCE. Redis first waits up
 * to shutdown-timeout for replicas to catch up (unless SHUTDOWN_NOW), and
 * SHUTDOWN ABORT cancels that wait; without replicas there is nothing to
 * wait for, so the shutdown always completes (or fails) at once. */
static int server_prepare_shutdown(int flags) {
    /* Saving a half-loaded dataset would overwrite the good file. */
    if (snapshot_loading()) flags = (flags & ~SHUTDOWN_SAVE) | SHUTDOWN_NOSAVE;
    log_warning("User requested shutdown...");
    supervise_stopping();
    if (snapshot_on_shutdown(flags) == -1) {
        log_warning("Errors trying to shut down the server. Check the logs for more information.");
        server.shutdown_asap = 0;
        return -1;
    }
    int background = cfg.daemonize && !supervise_active();
    const char *pidfile = cfg.pidfile ? cfg.pidfile : (background ? DEFAULT_DAEMON_PIDFILE : NULL);
    if (pidfile) {
        log_notice("Removing the pid file.");
        unlink(pidfile);
    }
    server_close_listeners();
    log_warning("%s is now ready to exit, bye bye...", "minired");
    return 0;
}

/* CONFIG GET / REWRITE `replicaof`: the primary followed now. */
static const char *server_replica_primary(int *port) {
    *port = repl_replica_primary_port();
    return repl_replica_primary_host();
}

/* Stores a lowered maxclients at start (hooks are not registered yet, so
 * nothing is applied twice). */
static void server_store_maxclients(unsigned int n) {
    char num[16];
    snprintf(num, sizeof(num), "%u", n);
    char *pair[2] = {"maxclients", num};
    sds cerr = NULL;
    if (config_set_pairs(2, pair, 1, &cerr) == -1) sds_free(cerr);
}

/* select can only watch fds below FD_SETSIZE: rather than refuse to start
 * on the default maxclients, serve as many clients as the backend holds,
 * warning as Redis does when it has to lower maxclients. */
static void server_fit_maxclients_to_backend(void) {
    unsigned long long want = (unsigned long long)cfg.maxclients + CONFIG_MIN_RESERVED_FDS;
    int cap = ae_max_set_size();
    if (want <= (unsigned long long)cap || cap <= CONFIG_MIN_RESERVED_FDS) return;
    unsigned int fit = (unsigned int)(cap - CONFIG_MIN_RESERVED_FDS);
    log_warning("You requested maxclients of %u requiring at least %llu max file descriptors.", cfg.maxclients,
                want);
    log_warning("The %s event loop API can watch at most %d file descriptors.", ae_get_api_name(), cap);
    log_warning("Current maximum file descriptors is %d. maxclients has been reduced to %u to compensate for "
                "the event loop's limit. If you need higher maxclients build with another AE_BACKEND.",
                cap, fit);
    server_store_maxclients(fit);
}

/* Raises the open-files limit to maxclients + the reserve, as Redis 7.0
 * does at start: if the OS refuses, the highest limit it grants (tried
 * down in steps of FD_LIMIT_STEP) decides maxclients, with Redis's three
 * warning lines; below the reserve the server cannot run at all. */
#define FD_LIMIT_STEP 16
static void server_raise_fd_limit(void) {
    rlim_t want = (rlim_t)cfg.maxclients + CONFIG_MIN_RESERVED_FDS;
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == -1) {
        log_warning("Unable to obtain the current NOFILE limit (%s), assuming 1024 and setting the max clients "
                    "configuration accordingly.", strerror(errno));
        server_store_maxclients(1024 - CONFIG_MIN_RESERVED_FDS);
        return;
    }
    rlim_t old = lim.rlim_cur;
    if (old >= want) return;
    rlim_t best = want;
    int error = 0;
    while (best > old) {
        struct rlimit try = {.rlim_cur = best, .rlim_max = lim.rlim_max > best ? lim.rlim_max : best};
        if (setrlimit(RLIMIT_NOFILE, &try) != -1) break;
        error = errno;
        best = best < FD_LIMIT_STEP ? old : best - FD_LIMIT_STEP;
    }
    if (best < old) best = old;
    if (best >= want) {
        log_notice("Increased maximum number of open files to %llu (it was originally set to %llu).",
                   (unsigned long long)want, (unsigned long long)old);
        return;
    }
    if (best <= CONFIG_MIN_RESERVED_FDS) {
        log_warning("Your current 'ulimit -n' of %llu is not enough for the server to start. Please increase your "
                    "open file limit to at least %llu. Exiting.", (unsigned long long)old, (unsigned long long)want);
        exit(1);
    }
    unsigned int fit = (unsigned int)(best - CONFIG_MIN_RESERVED_FDS);
    log_warning("You requested maxclients of %u requiring at least %llu max file descriptors.", cfg.maxclients,
                (unsigned long long)want);
    log_warning("Server can't set maximum open files to %llu because of OS error: %s.", (unsigned long long)want,
                strerror(error));
    log_warning("Current maximum open files is %llu. maxclients has been reduced to %u to compensate for low "
                "ulimit. If you need higher maxclients increase 'ulimit -n'.", (unsigned long long)best, fit);
    server_store_maxclients(fit);
}

/* "rename-command" lines, applied once the command table exists (config
 * is read before it is built). A bad one is fatal, as in Redis, with the
 * banner of a config error (without the line number Redis knows). */
static void server_apply_renames(void) {
    char *const *pairs;
    int n = config_command_renames(&pairs);
    for (int i = 0; i < n; i++) {
        const char *why;
        if (cmd_rename(pairs[2 * i], pairs[2 * i + 1], &why) == 0) continue;
        fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (%s) ***\n>>> 'rename-command \"%s\" \"%s\"'\n%s\n",
                CONFIG_SERVER_NAME_VERSION, pairs[2 * i], pairs[2 * i + 1], why);
        exit(1);
    }
}

void server_init(void) {
    unsigned char seed[16];
    get_random_bytes(seed, sizeof(seed));
    dict_set_hash_seed(seed);
    get_random_hex_chars(server.runid, 40);
    server.runid[40] = '\0';
    server.pid = getpid();
    server.start_time = time(NULL);
    mono_init();
    server.start_mono_us = (long long)mono_now_us();
    server.next_client_id = 1;
    server_setup_signals();
    crash_setup();
    debug_set_prepare_shutdown(server_prepare_shutdown);
    cmd_init();
    server_apply_renames();
    testctl_init();
    acl_init();
    if (acl_load_startup() == -1) exit(1);
    eval_init();
    function_lua_init();
    db_init(cfg.databases);
    tracking_init();
    pubsub_init();
    snapshot_init();
    snapshot_set_loading_signal_hook(server_shutdown_while_loading);
    server_fit_maxclients_to_backend();
    server_raise_fd_limit();
    server.el = ae_create((int)cfg.maxclients + CONFIG_MIN_RESERVED_FDS);
    if (server.el == NULL) {
        log_warning("Failed creating the event loop. Error message: '%s'", strerror(errno));
        exit(1);
    }
    static const struct config_hooks hooks = {
        .listeners_changed = server_listeners_changed,
        .maxclients_changed = server_maxclients_changed,
        .maxmemory_changed = evict_maxmemory_changed,
        .resetstat = server_reset_stats,
        .appendonly_changed = aof_config_changed,
        .requirepass_changed = acl_requirepass_changed,
        .repl_backlog_changed = server_repl_backlog_changed,
        .acl_user_lines = acl_config_user_lines,
        .replica_primary = server_replica_primary,
        .cluster_announce_changed = cluster_announce_changed,
    };
    config_set_hooks(&hooks);
    char err[512];
    if (server_open_listeners(err, sizeof(err)) == -1) {
        log_warning("%s", err);
        exit(1);
    }
    if (server.listener_count == 0) {
        log_warning("Configured to not listen anywhere, exiting.");
        exit(1);
    }
    ae_create_time_event(server.el, 1, server_cron, NULL, NULL);
    ae_set_before_sleep_proc(server.el, server_before_sleep);
    ae_set_after_sleep_proc(server.el, server_after_sleep);
    server.loop_ms = mstime();
    info_reset_stats();
}

void server_run(void) {
    log_warning("Server initialized");
    /* With appendonly yes the AOF is the dataset (Redis 7.0 then never
     * reads the RDB, even when there is no AOF yet); either way the AOF is
     * opened (or created from what was loaded) after. */
    repl_role_from_config();
    /* The node's identity and bus come before its data, as in Redis. */
    cluster_init();
    if (cfg.appendonly) aof_load_at_start();
    else snapshot_load_at_start();
    aof_open_at_start();
    if (cluster) cluster_verify_data();
    repl_init();
    log_notice("Ready to accept connections");
    supervise_ready();
    ae_main(server.el);
}

/* ---------------------------------------------------------- commands */

static void time_command(client *c) {
    long long us = vclock_us();
    reply_array_len(c, 2);
    reply_bulk_ll(c, us / 1000000);
    reply_bulk_ll(c, us % 1000000);
}

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success the process
 * exits and the client hears nothing; a failed shutdown replies. */
static void shutdown_command(client *c) {
    int flags = SHUTDOWN_NOFLAGS, abort_flag = 0;
    for (int i = 1; i < c->argc; i++) {
        const char *a = c->argv[i];
        if (strcasecmp(a, "nosave") == 0) flags |= SHUTDOWN_NOSAVE;
        else if (strcasecmp(a, "save") == 0) flags |= SHUTDOWN_SAVE;
        else if (strcasecmp(a, "now") == 0) flags |= SHUTDOWN_NOW;
        else if (strcasecmp(a, "force") == 0) flags |= SHUTDOWN_FORCE;
        else if (strcasecmp(a, "abort") == 0) abort_flag = 1;
        else {
            reply_error_syntax(c);
            return;
        }
    }
    if ((abort_flag && flags != SHUTDOWN_NOFLAGS) || ((flags & SHUTDOWN_NOSAVE) && (flags & SHUTDOWN_SAVE))) {
        reply_error_syntax(c);
        return;
    }
    if (abort_flag) {
        /* A shutdown waiting for replicas, or a signal's not yet begun. */
        if (repl_primary_shutdown_abort() == 0) {
            server.shutdown_asap = 0;
            reply_ok(c);
        } else if (server.shutdown_asap) {
            server.shutdown_asap = 0;
            log_notice("Shutdown manually aborted.");
            reply_ok(c);
        } else {
            reply_error(c, "No shutdown in progress.");
        }
        return;
    }
    /* A script running too long would be cut in the middle: only NOSAVE
     * (which saves nothing half-done) may stop the server then. */
    const char *busy = script_busy_text();
    if (busy && !(flags & SHUTDOWN_NOSAVE)) {
        reply_error(c, busy);
        return;
    }
    /* With replicas behind, c waits for them (blocked) first. */
    if (repl_primary_shutdown_wait(c, flags, server_finish_shutdown)) return;
    if (server_prepare_shutdown(flags) == 0) exit(0);
    reply_error(c, "Errors trying to SHUTDOWN. Check logs.");
}

/* ---------------------------------------------------------- table */

redis_command server_commands[] = {
    {.name = "time", .proc = time_command, .arity = 1, .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .tips = "nondeterministic_output", .group = "server", .since = "2.6.0", .summary = "Return the current server time",
     .complexity = "O(1)"},
    {.name = "shutdown", .proc = shutdown_command, .arity = -1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_NO_MULTI | CMD_SENTINEL | CMD_ALLOW_BUSY,
     .group = "server", .since = "1.0.0", .summary = "Synchronously save the dataset to disk and then shut down the server",
     .complexity = "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)"},
    {0}};
