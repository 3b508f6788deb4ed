/* config_stored.h -- the directives Redis 7.0 accepts that minired has no
 * use for (cluster, TLS, defrag, threads, syslog...), and the replication
 * rows (R_*: real settings with fields in cfg, kept here for config.c's
 * size).
 *
 * Included by config.c only, after its row helpers: a table fragment kept
 * apart so config.c stays readable. These rows are accepted in a config
 * file and on the command line, set by CONFIG SET when Redis lets them be
 * (the same bounds and error texts, asked of redis-server 7.0.15), shown by
 * CONFIG GET and written back by CONFIG REWRITE, so Debian's redis.conf and
 * tools that read these values work. Nothing in the server reads the S_*
 * rows: when a feature lands, its row gets a field in cfg (R_* here, or a
 * row in config.c). */
#ifndef MINIRED_CONFIG_STORED_H
#define MINIRED_CONFIG_STORED_H

#define PORT_MAX 65535
/* Bounds Redis gives oom-score-adj-values (the kernel's oom_score_adj). */
#define OOM_SCORE_ADJ_MIN (-2000)
#define OOM_SCORE_ADJ_MAX 2000
#define OOM_SCORE_CLASSES 3

/* Where the stored values live: owned here, read by no one else. */
static struct {
    int activedefrag, crash_log_enabled, crash_memcheck_enabled;
    int disable_thp, io_threads_do_reads, jemalloc_bg_thread;
    int latency_tracking, oom_score_adj, propagation_error_behavior;
    int replica_ignore_disk_write_errors;
    int syslog_enabled, tls_auth_clients, tls_cluster;
    int tls_prefer_server_ciphers, tls_replication, tls_session_caching;
    long long defrag_cycle_max, defrag_cycle_min, defrag_ignore_bytes, defrag_max_scan_fields;
    long long defrag_threshold_lower, defrag_threshold_upper;
    long long cluster_announce_tls_port, io_threads;
    long long socket_mark_id, tls_port, tls_session_cache_size;
    long long tls_session_cache_timeout;
    char *aof_rewrite_cpulist, *bgsave_cpulist, *bind_source_addr, *bio_cpulist;
    char *ignore_warnings;
    char *latency_percentiles, *maxmemory_clients, *oom_score_adj_values;
    char *proc_title_template, *server_cpulist, *syslog_facility;
    char *syslog_ident, *tls_ca_cert_dir, *tls_ca_cert_file, *tls_cert_file, *tls_ciphers, *tls_ciphersuites;
    char *tls_client_cert_file, *tls_client_key_file, *tls_client_key_file_pass, *tls_dh_params_file;
    char *tls_key_file, *tls_key_file_pass, *tls_protocols;
} stored;

static const struct config_enum endpoint_enum[] = {
    {"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}, {NULL, 0}};
static const struct config_enum oom_score_enum[] = {
    {"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}, {NULL, 0}};
static const struct config_enum propagation_error_enum[] = {
    {"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}, {NULL, 0}};
static const struct config_enum diskless_load_enum[] = {
    {"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}, {NULL, 0}};
static const struct config_enum tls_auth_enum[] = {{"no", 0}, {"yes", 1}, {"optional", 2}, {NULL, 0}};

/* "maxmemory-clients": a percentage of maxmemory ("10%", kept as
 * written) or a memory value (kept as bytes, as CONFIG GET shows it). */
static int memory_pct_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    (void)argc;
    (void)append;
    const char *v = argv[0];
    size_t len = strlen(v);
    long long pct;
    int bad = 0;
    sds now = NULL;
    if (len > 1 && v[len - 1] == '%') {
        if (string2ll(v, len - 1, &pct) && pct >= 0) now = sds_cat_printf(sds_empty(), "%lld%%", pct);
    } else if (v[0] != '-') {
        unsigned long long u = memtoull(v, &bad);
        if (!bad && u <= LLONG_MAX) now = sds_cat_printf(sds_empty(), "%llu", u);
    }
    if (!now) {
        snprintf(err, errlen, "argument must be a memory or percent value");
        return -1;
    }
    char **slot = r->field;
    zfree(*slot);
    *slot = zstrdup(now);
    sds_free(now);
    return 0;
}

static sds memory_pct_get(const config_row *r, sds s) {
    return sds_cat(s, *(char **)r->field ? *(char **)r->field : "0");
}

static void memory_pct_rewrite(const config_row *r, struct line_vec *out) {
    const char *v = *(char **)r->field ? *(char **)r->field : "0";
    sds line = sds_cat_printf(sds_empty(), "%s ", r->name);
    if (strchr(v, '%')) line = sds_cat(line, v);
    else line = cat_memory(line, strtoull(v, NULL, 10));
    line_vec_push(out, line);
}

static const struct special_ops memory_pct_ops = {
    .set = memory_pct_set, .get = memory_pct_get, .rewrite = memory_pct_rewrite};

/* minired's allocator cannot move live allocations: like a Redis built
 * without its bundled jemalloc, it refuses to turn defragmentation on. */
static int validate_activedefrag(const char *v, char *err, size_t errlen) {
    if (!str_eq_nocase(v, "yes")) return 0;
    snprintf(err, errlen, "Active defragmentation cannot be enabled: it requires a Redis server compiled with a "
                          "modified Jemalloc like the one shipped by default with the Redis source distribution");
    return -1;
}

/* "latency-tracking-info-percentiles": space separated numbers in
 * [0, 100] (an empty list is allowed). */
static int validate_percentiles(const char *v, char *err, size_t errlen) {
    int n;
    sds *w = sds_split_len(v, (ssize_t)strlen(v), " ", 1, &n);
    int rc = 0;
    for (int i = 0; i < n && rc == 0 && v[0]; i++) {
        char *end;
        double d = strtod(w[i], &end);
        if (w[i][0] == '\0' || *end != '\0') {
            snprintf(err, errlen, "Invalid latency-tracking-info-percentiles parameters");
            rc = -1;
        } else if (d < 0.0 || d > 100.0) {
            snprintf(err, errlen, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
            rc = -1;
        }
    }
    if (w) sds_free_split_res(w, n);
    return rc;
}

/* "oom-score-adj-values": three integers, one per process class. */
static int validate_oom_values(const char *v, char *err, size_t errlen) {
    int n;
    sds *w = sds_split_len(v, (ssize_t)strlen(v), " ", 1, &n);
    int rc = 0;
    if (n != OOM_SCORE_CLASSES) {
        snprintf(err, errlen, "wrong number of arguments");
        rc = -1;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        long long x;
        if (!string2ll(w[i], sds_len(w[i]), &x) || x < OOM_SCORE_ADJ_MIN || x > OOM_SCORE_ADJ_MAX) {
            snprintf(err, errlen, "Invalid oom-score-adj-values, elements must be between %d and %d.",
                     OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX);
            rc = -1;
        }
    }
    if (w) sds_free_split_res(w, n);
    return rc;
}

/* "replicaof host port" (or "no one"); "" is the default: no primary. */
static int validate_replicaof(const char *v, char *err, size_t errlen) {
    int n;
    sds *w = sds_split_len(v, (ssize_t)strlen(v), " ", 1, &n);
    if (w) sds_free_split_res(w, n);
    if (v[0] == '\0' || n == 2) return 0;
    snprintf(err, errlen, "wrong number of arguments");
    return -1;
}

/* Multi-word rows kept as the words joined by single spaces. */
static int words_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    (void)append;
    sds joined = sds_empty();
    for (int i = 0; i < argc; i++) joined = sds_cat_printf(joined, "%s%s", i ? " " : "", argv[i]);
    if (r->validate && r->validate(joined, err, errlen) == -1) {
        sds_free(joined);
        return -1;
    }
    char **slot = r->field;
    zfree(*slot);
    *slot = zstrdup(joined);
    sds_free(joined);
    return 0;
}

static sds words_get(const config_row *r, sds s) {
    const char *v = *(char **)r->field;
    return sds_cat(s, v ? v : "");
}

/* Each word on its own, unquoted, as Redis writes these lists back;
 * an empty list is written as the directive alone with "". */
static void words_rewrite(const config_row *r, struct line_vec *out) {
    const char *v = *(char **)r->field;
    sds line = sds_cat_printf(sds_empty(), "%s %s", r->name, v && v[0] ? v : "\"\"");
    line_vec_push(out, line);
}

static const struct special_ops words_ops = {.set = words_set, .get = words_get, .rewrite = words_rewrite};

/* `replicaof` shows the primary followed now, which REPLICAOF changes
 * after the start (the replication hook); without the hook, the value
 * read at start ("no one" is no primary). */
static const char *replicaof_now(const config_row *r, int *port, sds *scratch) {
    if (hooks.replica_primary) return hooks.replica_primary(port);
    const char *v = *(char **)r->field;
    if (v == NULL || v[0] == '\0' || strcasecmp(v, "no one") == 0) return NULL;
    const char *sp = strrchr(v, ' ');
    *port = sp ? atoi(sp + 1) : 0;
    *scratch = sds_new_len(v, sp ? (size_t)(sp - v) : strlen(v));
    return *scratch;
}

static sds replicaof_get(const config_row *r, sds s) {
    int port = 0;
    sds scratch = NULL;
    const char *host = replicaof_now(r, &port, &scratch);
    if (host) s = sds_cat_printf(s, "%s %d", host, port);
    sds_free(scratch);
    return s;
}

/* As Redis: "replicaof host port" unquoted, and no line at all (the old
 * ones blanked) when this server follows no one. */
static void replicaof_rewrite(const config_row *r, struct line_vec *out) {
    int port = 0;
    sds scratch = NULL;
    const char *host = replicaof_now(r, &port, &scratch);
    if (host) line_vec_push(out, sds_cat_printf(sds_empty(), "%s %s %d", r->name, host, port));
    sds_free(scratch);
}

static const struct special_ops replicaof_ops = {.set = words_set, .get = replicaof_get, .rewrite = replicaof_rewrite};

/* Percentiles are kept as Redis shows them: "%f" without trailing zeros
 * ("50.0" and "5e1" read back as "50"). */
static int percentiles_set(const config_row *r, int argc, char **argv, int append, char *err, size_t errlen) {
    if (words_set(r, argc, argv, append, err, errlen) == -1) return -1;
    char **slot = r->field;
    int n;
    sds *w = sds_split_len(*slot, (ssize_t)strlen(*slot), " ", 1, &n);
    sds out = sds_empty();
    for (int i = 0; i < n && (*slot)[0]; i++) {
        char num[64];
        snprintf(num, sizeof(num), "%f", strtod(w[i], NULL));
        char *end = num + strlen(num) - 1;
        while (*end == '0') *end-- = '\0';
        if (*end == '.') *end = '\0';
        out = sds_cat_printf(out, "%s%s", i ? " " : "", num);
    }
    if (w) sds_free_split_res(w, n);
    zfree(*slot);
    *slot = zstrdup(out);
    sds_free(out);
    return 0;
}

static const struct special_ops percentiles_ops = {
    .set = percentiles_set, .get = words_get, .rewrite = words_rewrite};

#define S_BOOL(n, a, f, d, fl) {.name = n, .alias = a, .type = CT_BOOL, .flags = fl, .field = &stored.f, .def = d}
#define S_LL(n, a, f, lo, hi, d, fl)                                                                          \
    {.name = n, .alias = a, .type = CT_LL, .flags = fl, .field = &stored.f, .min = lo, .max = hi, .def = d}
#define S_STR(n, a, f, d, fl) {.name = n, .alias = a, .type = CT_STRING, .flags = fl, .field = &stored.f, .def = d}
#define S_ENUM(n, f, e, d, fl) {.name = n, .type = CT_ENUM, .flags = fl, .field = &stored.f, .def = d, .enums = e}
#define S_WORDS(n, a, f, d, fl, v)                                                                            \
    {.name = n, .alias = a, .type = CT_SPECIAL, .flags = CF_MULTI_ARG | (fl), .field = &stored.f, .def = d,   \
     .ops = &words_ops, .validate = v}

/* CONFIG SET repl-backlog-size: Redis raises a value under 16kb to 16kb
 * (at start any value is kept), then the live backlog is resized. */
#define REPL_BACKLOG_MIN_BYTES (16 * 1024)
static int apply_repl_backlog_size(char *err, size_t errlen) {
    if (cfg.repl_backlog_size < REPL_BACKLOG_MIN_BYTES) cfg.repl_backlog_size = REPL_BACKLOG_MIN_BYTES;
    return hooks.repl_backlog_changed ? hooks.repl_backlog_changed(err, errlen) : 0;
}

static int apply_cluster_announce(char *err, size_t errlen) {
    return hooks.cluster_announce_changed ? hooks.cluster_announce_changed(err, errlen) : 0;
}

/* The replication rows: real settings now (fields in cfg, read by the
 * replication files), kept in this table for config.c's size. */
#define R_BOOL(n, a, f, d, fl) {.name = n, .alias = a, .type = CT_BOOL, .flags = fl, .field = &cfg.f, .def = d}
#define R_LL(n, a, f, lo, hi, d, fl)                                                                          \
    {.name = n, .alias = a, .type = CT_LL, .flags = fl, .field = &cfg.f, .min = lo, .max = hi, .def = d}
#define R_STR(n, a, f, d, fl) {.name = n, .alias = a, .type = CT_STRING, .flags = fl, .field = &cfg.f, .def = d}
#define R_ENUM(n, f, e, d, fl) {.name = n, .type = CT_ENUM, .flags = fl, .field = &cfg.f, .def = d, .enums = e}
#define R_WORDS(n, a, f, d, fl, v)                                                                            \
    {.name = n, .alias = a, .type = CT_SPECIAL, .flags = CF_MULTI_ARG | (fl), .field = &cfg.f, .def = d,      \
     .ops = &words_ops, .validate = v}

/* Redis 7.0.15's defaults, bounds and mutability (CONFIG SET of each with
 * a bad word, -2^63+1, 2^63-1 and "1k"). */
static const config_row stored_table[] = {
    {.name = "activedefrag", .type = CT_BOOL, .field = &stored.activedefrag, .def = "no",
     .validate = validate_activedefrag},
    S_LL("active-defrag-cycle-max", NULL, defrag_cycle_max, 1, 99, "25", 0),
    S_LL("active-defrag-cycle-min", NULL, defrag_cycle_min, 1, 99, "1", 0),
    S_LL("active-defrag-ignore-bytes", NULL, defrag_ignore_bytes, 1, LLONG_MAX, "104857600", CF_MEMORY),
    S_LL("active-defrag-max-scan-fields", NULL, defrag_max_scan_fields, 1, LLONG_MAX, "1000", 0),
    S_LL("active-defrag-threshold-lower", NULL, defrag_threshold_lower, 0, 1000, "10", 0),
    S_LL("active-defrag-threshold-upper", NULL, defrag_threshold_upper, 0, 1000, "100", 0),
    S_STR("aof_rewrite_cpulist", NULL, aof_rewrite_cpulist, "", CF_IMMUTABLE),
    S_STR("bgsave_cpulist", NULL, bgsave_cpulist, "", CF_IMMUTABLE),
    S_STR("bind-source-addr", NULL, bind_source_addr, "", 0),
    S_STR("bio_cpulist", NULL, bio_cpulist, "", CF_IMMUTABLE),
    R_BOOL("cluster-allow-pubsubshard-when-down", NULL, cluster_allow_pubsubshard_when_down, "yes", 0),
    R_BOOL("cluster-allow-reads-when-down", NULL, cluster_allow_reads_when_down, "no", 0),
    R_BOOL("cluster-allow-replica-migration", NULL, cluster_allow_replica_migration, "yes", 0),
    {.name = "cluster-announce-bus-port", .type = CT_LL, .field = &cfg.cluster_announce_bus_port, .min = 0, .max = PORT_MAX, .def = "0",
     .apply = apply_cluster_announce},
    {.name = "cluster-announce-hostname", .type = CT_STRING, .field = &cfg.cluster_announce_hostname, .def = "", .apply = apply_cluster_announce},
    {.name = "cluster-announce-ip", .type = CT_STRING, .field = &cfg.cluster_announce_ip, .def = "", .apply = apply_cluster_announce},
    {.name = "cluster-announce-port", .type = CT_LL, .field = &cfg.cluster_announce_port, .min = 0, .max = PORT_MAX, .def = "0",
     .apply = apply_cluster_announce},
    S_LL("cluster-announce-tls-port", NULL, cluster_announce_tls_port, 0, PORT_MAX, "0", 0),
    R_STR("cluster-config-file", NULL, cluster_config_file, "nodes.conf", CF_IMMUTABLE),
    R_BOOL("cluster-enabled", NULL, cluster_enabled, "no", CF_IMMUTABLE),
    R_LL("cluster-link-sendbuf-limit", NULL, cluster_link_sendbuf_limit, 0, LLONG_MAX, "0", CF_MEMORY),
    R_LL("cluster-migration-barrier", NULL, cluster_migration_barrier, 0, INT_MAX, "1", 0),
    R_LL("cluster-node-timeout", NULL, cluster_node_timeout, 0, LLONG_MAX, "15000", 0),
    R_LL("cluster-port", NULL, cluster_port, 0, PORT_MAX, "0", CF_IMMUTABLE),
    R_ENUM("cluster-preferred-endpoint-type", cluster_preferred_endpoint_type, endpoint_enum, "ip", 0),
    R_BOOL("cluster-replica-no-failover", "cluster-slave-no-failover", cluster_replica_no_failover, "no", 0),
    R_LL("cluster-replica-validity-factor", "cluster-slave-validity-factor", cluster_replica_validity_factor, 0,
         INT_MAX, "10", 0),
    R_BOOL("cluster-require-full-coverage", NULL, cluster_require_full_coverage, "yes", 0),
    S_BOOL("crash-log-enabled", NULL, crash_log_enabled, "yes", 0),
    S_BOOL("crash-memcheck-enabled", NULL, crash_memcheck_enabled, "yes", 0),
    S_BOOL("disable-thp", NULL, disable_thp, "yes", CF_IMMUTABLE),
    S_STR("ignore-warnings", NULL, ignore_warnings, "", 0),
    S_LL("io-threads", NULL, io_threads, 1, 128, "1", CF_IMMUTABLE),
    S_BOOL("io-threads-do-reads", NULL, io_threads_do_reads, "no", CF_IMMUTABLE),
    S_BOOL("jemalloc-bg-thread", NULL, jemalloc_bg_thread, "yes", 0),
    S_BOOL("latency-tracking", NULL, latency_tracking, "yes", 0),
    {.name = "latency-tracking-info-percentiles", .type = CT_SPECIAL, .flags = CF_MULTI_ARG | CF_REWRITE_ALWAYS,
     .field = &stored.latency_percentiles, .def = "50 99 99.9", .ops = &percentiles_ops,
     .validate = validate_percentiles},
    R_STR("masterauth", NULL, masterauth, "", 0),
    R_STR("masteruser", NULL, masteruser, "", 0),
    {.name = "maxmemory-clients", .type = CT_SPECIAL, .field = &stored.maxmemory_clients, .def = "0",
     .ops = &memory_pct_ops},
    R_LL("min-replicas-max-lag", "min-slaves-max-lag", min_replicas_max_lag, 0, INT_MAX, "10", 0),
    R_LL("min-replicas-to-write", "min-slaves-to-write", min_replicas_to_write, 0, INT_MAX, "0", 0),
    S_ENUM("oom-score-adj", oom_score_adj, oom_score_enum, "no", 0),
    S_WORDS("oom-score-adj-values", NULL, oom_score_adj_values, "0 200 800", 0, validate_oom_values),
    S_STR("proc-title-template", NULL, proc_title_template, "{title} {listen-addr} {server-mode}", 0),
    S_ENUM("propagation-error-behavior", propagation_error_behavior, propagation_error_enum, "ignore", 0),
    {.name = "repl-backlog-size", .type = CT_LL, .flags = CF_MEMORY, .field = &cfg.repl_backlog_size, .min = 1,
     .max = LLONG_MAX, .def = "1048576", .apply = apply_repl_backlog_size},
    R_LL("repl-backlog-ttl", NULL, repl_backlog_ttl, 0, LLONG_MAX, "3600", 0),
    R_BOOL("repl-disable-tcp-nodelay", NULL, repl_disable_tcp_nodelay, "no", 0),
    R_ENUM("repl-diskless-load", repl_diskless_load, diskless_load_enum, "disabled", 0),
    R_BOOL("repl-diskless-sync", NULL, repl_diskless_sync, "yes", 0),
    R_LL("repl-diskless-sync-delay", NULL, repl_diskless_sync_delay, 0, INT_MAX, "5", 0),
    R_LL("repl-diskless-sync-max-replicas", NULL, repl_diskless_sync_max_replicas, 0, INT_MAX, "0", 0),
    R_LL("repl-ping-replica-period", "repl-ping-slave-period", repl_ping_replica_period, 1, INT_MAX, "10", 0),
    R_LL("repl-timeout", NULL, repl_timeout, 1, INT_MAX, "60", 0),
    R_STR("replica-announce-ip", "slave-announce-ip", replica_announce_ip, "", 0),
    R_LL("replica-announce-port", "slave-announce-port", replica_announce_port, 0, PORT_MAX, "0", 0),
    R_BOOL("replica-announced", NULL, replica_announced, "yes", 0),
    S_BOOL("replica-ignore-disk-write-errors", NULL, replica_ignore_disk_write_errors, "no", 0),
    R_BOOL("replica-ignore-maxmemory", "slave-ignore-maxmemory", replica_ignore_maxmemory, "yes", 0),
    R_BOOL("replica-lazy-flush", "slave-lazy-flush", replica_lazy_flush, "no", 0),
    R_LL("replica-priority", "slave-priority", replica_priority, 0, INT_MAX, "100", 0),
    {.name = "replicaof", .alias = "slaveof", .type = CT_SPECIAL, .flags = CF_MULTI_ARG | CF_IMMUTABLE,
     .field = &cfg.replicaof, .def = "", .ops = &replicaof_ops, .validate = validate_replicaof},
    S_STR("server_cpulist", NULL, server_cpulist, "", CF_IMMUTABLE),
    S_LL("socket-mark-id", NULL, socket_mark_id, 0, UINT_MAX, "0", CF_IMMUTABLE),
    S_BOOL("syslog-enabled", NULL, syslog_enabled, "no", CF_IMMUTABLE),
    S_STR("syslog-facility", NULL, syslog_facility, "local0", CF_IMMUTABLE),
    S_STR("syslog-ident", NULL, syslog_ident, "redis", CF_IMMUTABLE),
    S_ENUM("tls-auth-clients", tls_auth_clients, tls_auth_enum, "yes", 0),
    S_STR("tls-ca-cert-dir", NULL, tls_ca_cert_dir, "", 0),
    S_STR("tls-ca-cert-file", NULL, tls_ca_cert_file, "", 0),
    S_STR("tls-cert-file", NULL, tls_cert_file, "", 0),
    S_STR("tls-ciphers", NULL, tls_ciphers, "", 0),
    S_STR("tls-ciphersuites", NULL, tls_ciphersuites, "", 0),
    S_STR("tls-client-cert-file", NULL, tls_client_cert_file, "", 0),
    S_STR("tls-client-key-file", NULL, tls_client_key_file, "", 0),
    S_STR("tls-client-key-file-pass", NULL, tls_client_key_file_pass, "", 0),
    S_BOOL("tls-cluster", NULL, tls_cluster, "no", 0),
    S_STR("tls-dh-params-file", NULL, tls_dh_params_file, "", 0),
    S_STR("tls-key-file", NULL, tls_key_file, "", 0),
    S_STR("tls-key-file-pass", NULL, tls_key_file_pass, "", 0),
    S_LL("tls-port", NULL, tls_port, 0, PORT_MAX, "0", 0),
    S_BOOL("tls-prefer-server-ciphers", NULL, tls_prefer_server_ciphers, "no", 0),
    S_STR("tls-protocols", NULL, tls_protocols, "", 0),
    S_BOOL("tls-replication", NULL, tls_replication, "no", 0),
    S_LL("tls-session-cache-size", NULL, tls_session_cache_size, 0, INT_MAX, "20480", 0),
    S_LL("tls-session-cache-timeout", NULL, tls_session_cache_timeout, 0, INT_MAX, "300", 0),
    S_BOOL("tls-session-caching", NULL, tls_session_caching, "yes", 0),
};

#define STORED_ROWS ((int)(sizeof(stored_table) / sizeof(stored_table[0])))

/* Frees every string the stored rows own. */
static void stored_release(void) {
    for (int i = 0; i < STORED_ROWS; i++) {
        const config_row *r = &stored_table[i];
        if (r->type == CT_STRING || r->ops == &words_ops || r->ops == &replicaof_ops || r->ops == &memory_pct_ops ||
            r->ops == &percentiles_ops) {
            zfree(*(char **)r->field);
            *(char **)r->field = NULL;
        }
    }
}

#endif
