/* info.c -- the INFO command: Redis's sections and field names, because
 * monitoring agents and client libraries parse them line by line.
 *
 * Reads server state and stats; owns only the instantaneous-rate samples
 * (info_track_sample is called from the cron). Never writes server state. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "commands.h"
#include "db.h"
#include "info.h"
#include "monotonic.h"
#include "networking.h"
#include "reply.h"
#include "zmalloc.h"

#define INFO_SAMPLES 16

struct rate_samples {
    long long last_value, last_ms;
    long long samples[INFO_SAMPLES];
    int idx;
};

enum { RATE_OPS, RATE_NET_IN, RATE_NET_OUT, RATE_COUNT };
static struct rate_samples rates[RATE_COUNT];
static size_t peak_memory;

static void rate_add(struct rate_samples *r, long long value, long long now_ms) {
    if (r->last_ms > 0 && now_ms > r->last_ms) {
        r->samples[r->idx] = (value - r->last_value) * 1000 / (now_ms - r->last_ms);
        r->idx = (r->idx + 1) % INFO_SAMPLES;
    }
    r->last_value = value;
    r->last_ms = now_ms;
}

static long long rate_get(const struct rate_samples *r) {
    long long sum = 0;
    for (int i = 0; i < INFO_SAMPLES; i++) sum += r->samples[i];
    return sum / INFO_SAMPLES;
}

void info_track_sample(void) {
    long long now = mstime();
    rate_add(&rates[RATE_OPS], server.stat_numcommands, now);
    rate_add(&rates[RATE_NET_IN], server.stat_net_input_bytes, now);
    rate_add(&rates[RATE_NET_OUT], server.stat_net_output_bytes, now);
    size_t used = zmalloc_used_memory();
    if (used > peak_memory) peak_memory = used;
}

void info_reset_stats(void) {
    memset(rates, 0, sizeof(rates));
    peak_memory = zmalloc_used_memory();
}

/* Redis's human-readable byte counts: 1023B, 1.00K, 1.50M, 2.00G... */
static void bytes_to_human(char *s, size_t len, unsigned long long n) {
    static const char units[] = "KMGTPE";
    if (n < 1024) {
        snprintf(s, len, "%lluB", n);
        return;
    }
    double d = (double)n / 1024;
    int u = 0;
    while (d >= 1024 && u < 5) {
        d /= 1024;
        u++;
    }
    snprintf(s, len, "%.2f%c", d, units[u]);
}

static sds info_server(sds s) {
    struct utsname name;
    uname(&name);
    long long uptime = (long long)(time(NULL) - server.start_time);
    s = sds_cat_printf(s,
                       "# Server\r\n"
                       "redis_version:%s\r\n"
                       "redis_git_sha1:00000000\r\n"
                       "redis_git_dirty:0\r\n"
                       "redis_build_id:0\r\n"
                       "redis_mode:standalone\r\n"
                       "os:%s %s %s\r\n"
                       "arch_bits:%d\r\n"
                       "monotonic_clock:%s\r\n"
                       "multiplexing_api:%s\r\n"
                       "atomicvar_api:c11-builtin\r\n"
                       "gcc_version:%d.%d.%d\r\n"
                       "process_id:%ld\r\n"
                       "process_supervised:no\r\n"
                       "run_id:%s\r\n"
                       "tcp_port:%d\r\n"
                       "server_time_usec:%lld\r\n"
                       "uptime_in_seconds:%lld\r\n"
                       "uptime_in_days:%lld\r\n"
                       "hz:%d\r\n"
                       "configured_hz:%d\r\n"
                       "lru_clock:%lld\r\n"
                       "executable:%s\r\n"
                       "config_file:%s\r\n"
                       "io_threads_active:0\r\n"
                       "minired_version:%s\r\n",
                       MINIRED_REDIS_COMPAT_VERSION, name.sysname, name.release, name.machine,
                       (int)sizeof(void *) * 8, mono_clock_name(), ae_get_api_name(),
#ifdef __GNUC__
                       __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
#else
                       0, 0, 0,
#endif
                       (long)server.pid, server.runid, cfg.port, ustime(), uptime, uptime / 86400, cfg.hz, cfg.hz,
                       (mstime() / 1000) & ((1 << OBJ_LRU_BITS) - 1), server.executable ? server.executable : "",
                       server.configfile ? server.configfile : "", MINIRED_VERSION);
    return s;
}

static sds info_clients(sds s) {
    size_t max_in = 0, max_out = 0;
    for (client *c = server.clients; c; c = c->next) {
        size_t in = sds_alloc_size(c->querybuf), out = net_client_output_len(c);
        if (in > max_in) max_in = in;
        if (out > max_out) max_out = out;
    }
    return sds_cat_printf(s,
                          "# Clients\r\n"
                          "connected_clients:%lu\r\n"
                          "cluster_connections:0\r\n"
                          "maxclients:%u\r\n"
                          "client_recent_max_input_buffer:%zu\r\n"
                          "client_recent_max_output_buffer:%zu\r\n"
                          "blocked_clients:0\r\n"
                          "tracking_clients:0\r\n"
                          "clients_in_timeout_table:0\r\n",
                          server.client_count, cfg.maxclients, max_in, max_out);
}

static long long total_system_memory(void) {
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (long long)pages * size : 0;
}

static sds info_memory(sds s) {
    size_t used = zmalloc_used_memory(), rss = zmalloc_get_rss();
    if (used > peak_memory) peak_memory = used;
    char h_used[32], h_rss[32], h_peak[32], h_sys[32];
    long long sys = total_system_memory();
    bytes_to_human(h_used, sizeof(h_used), used);
    bytes_to_human(h_rss, sizeof(h_rss), rss);
    bytes_to_human(h_peak, sizeof(h_peak), peak_memory);
    bytes_to_human(h_sys, sizeof(h_sys), (unsigned long long)sys);
    return sds_cat_printf(s,
                          "# Memory\r\n"
                          "used_memory:%zu\r\n"
                          "used_memory_human:%s\r\n"
                          "used_memory_rss:%zu\r\n"
                          "used_memory_rss_human:%s\r\n"
                          "used_memory_peak:%zu\r\n"
                          "used_memory_peak_human:%s\r\n"
                          "used_memory_peak_perc:%.2f%%\r\n"
                          "total_system_memory:%lld\r\n"
                          "total_system_memory_human:%s\r\n"
                          "maxmemory:0\r\n"
                          "maxmemory_human:0B\r\n"
                          "maxmemory_policy:noeviction\r\n"
                          "mem_fragmentation_ratio:%.2f\r\n"
                          "mem_allocator:libc\r\n",
                          used, h_used, rss, h_rss, peak_memory, h_peak,
                          peak_memory ? (double)used * 100 / (double)peak_memory : 0.0, sys, h_sys,
                          used ? (double)rss / (double)used : 0.0);
}

static sds info_stats(sds s) {
    return sds_cat_printf(s,
                          "# Stats\r\n"
                          "total_connections_received:%lld\r\n"
                          "total_commands_processed:%lld\r\n"
                          "instantaneous_ops_per_sec:%lld\r\n"
                          "total_net_input_bytes:%lld\r\n"
                          "total_net_output_bytes:%lld\r\n"
                          "instantaneous_input_kbps:%.2f\r\n"
                          "instantaneous_output_kbps:%.2f\r\n"
                          "rejected_connections:%lld\r\n"
                          "expired_keys:%lld\r\n"
                          "evicted_keys:0\r\n"
                          "keyspace_hits:%lld\r\n"
                          "keyspace_misses:%lld\r\n"
                          "pubsub_channels:0\r\n"
                          "pubsub_patterns:0\r\n"
                          "total_error_replies:%lld\r\n"
                          "unexpected_error_replies:%lld\r\n",
                          server.stat_numconnections, server.stat_numcommands, rate_get(&rates[RATE_OPS]),
                          server.stat_net_input_bytes, server.stat_net_output_bytes,
                          (double)rate_get(&rates[RATE_NET_IN]) / 1024, (double)rate_get(&rates[RATE_NET_OUT]) / 1024,
                          server.stat_rejected_conn, server.stat_expired_keys, server.stat_keyspace_hits,
                          server.stat_keyspace_misses, server.stat_total_error_replies,
                          server.stat_unexpected_error_replies);
}

static sds info_keyspace(sds s) {
    s = sds_cat(s, "# Keyspace\r\n");
    for (int i = 0; i < server.dbnum; i++) {
        db *d = &server.dbs[i];
        unsigned long keys = dict_size(d->keys), expires = dict_size(d->expires);
        if (keys) s = sds_cat_printf(s, "db%d:keys=%lu,expires=%lu,avg_ttl=0\r\n", i, keys, expires);
    }
    return s;
}

typedef sds info_section_fn(sds s);
static const struct {
    const char *name;
    info_section_fn *fn;
    int is_default;
} sections[] = {
    {"server", info_server, 1}, {"clients", info_clients, 1}, {"memory", info_memory, 1},
    {"stats", info_stats, 1},   {"keyspace", info_keyspace, 1},
};
#define SECTION_COUNT (sizeof(sections) / sizeof(sections[0]))

/* Returns new sds with the sections argv selects (none: the defaults). */
sds info_generate(int argc, sds *argv) {
    int want[SECTION_COUNT] = {0};
    if (argc == 0) {
        for (size_t i = 0; i < SECTION_COUNT; i++) want[i] = sections[i].is_default;
    }
    for (int a = 0; a < argc; a++) {
        int all = strcasecmp(argv[a], "all") == 0 || strcasecmp(argv[a], "everything") == 0;
        int def = strcasecmp(argv[a], "default") == 0;
        for (size_t i = 0; i < SECTION_COUNT; i++)
            if (all || (def && sections[i].is_default) || strcasecmp(argv[a], sections[i].name) == 0) want[i] = 1;
    }
    sds s = sds_empty();
    for (size_t i = 0; i < SECTION_COUNT; i++) {
        if (!want[i]) continue;
        if (sds_len(s)) s = sds_cat(s, "\r\n");
        s = sections[i].fn(s);
    }
    return s;
}

void info_command(client *c) {
    sds s = info_generate(c->argc - 1, c->argv + 1);
    reply_verbatim(c, s, sds_len(s), "txt");
    sds_free(s);
}
