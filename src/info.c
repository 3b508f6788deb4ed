/* info.c -- the INFO command: Redis 7.0's sections and field names, in
 * Redis's order, because monitoring agents and client libraries parse them
 * line by line.
 *
 * Reads server state and stats; owns only the instantaneous-rate samples
 * (info_track_sample is called from the cron), the memory peak and the
 * error statistics (info_count_error, called by reply.c for every error
 * reply). Never writes server state. A field minired has no subsystem for
 * yet is printed with the value an idle Redis without it would show. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "admin.h"
#include "childproc.h"
#include "cluster.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "eval.h"
#include "expire.h"
#include "info.h"
#include "aof.h"
#include "lazyfree.h"
#include "latency.h"
#include "monotonic.h"
#include "networking.h"
#include "pubsub.h"
#include "supervise.h"
#include "reply.h"
#include "snapshot.h"
#include "util.h"
#include "zmalloc.h"
#include "vclock.h"
#include "replication.h"

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

/* Redis keeps at most this many distinct error codes; others are only
 * counted in total_error_replies. */
#define ERRORSTATS_MAX_CODES 128
/* The code is the first word of the error, looked for this far. */
#define ERRORSTATS_CODE_MAX_LEN 32

struct errorstat {
    char code[ERRORSTATS_CODE_MAX_LEN];
    long long count;
};
static struct errorstat errorstats[ERRORSTATS_MAX_CODES]; /* sorted by code */
static int errorstat_count;

/* Byte order of a stored code against (code, len), as Redis's rax sorts. */
static int errorstat_cmp(const char *stored, const char *code, size_t len) {
    size_t slen = strlen(stored), n = slen < len ? slen : len;
    int c = memcmp(stored, code, n);
    if (c) return c;
    return slen < len ? -1 : slen > len;
}

static void errorstat_incr(const char *code, size_t len) {
    int lo = 0, hi = errorstat_count;
    while (lo < hi) { /* first entry >= code */
        int mid = (lo + hi) / 2;
        if (errorstat_cmp(errorstats[mid].code, code, len) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo < errorstat_count && errorstat_cmp(errorstats[lo].code, code, len) == 0) {
        errorstats[lo].count++;
        return;
    }
    if (errorstat_count == ERRORSTATS_MAX_CODES) return;
    memmove(&errorstats[lo + 1], &errorstats[lo], (size_t)(errorstat_count - lo) * sizeof(errorstats[0]));
    memcpy(errorstats[lo].code, code, len);
    errorstats[lo].code[len] = '\0';
    errorstats[lo].count = 1;
    errorstat_count++;
}

void info_count_error(const char *msg, size_t len) {
    if (len == 0 || msg[0] != '-') {
        errorstat_incr("ERR", 3);
        return;
    }
    const char *space = memchr(msg, ' ', len < ERRORSTATS_CODE_MAX_LEN ? len : ERRORSTATS_CODE_MAX_LEN);
    if (space) errorstat_incr(msg + 1, (size_t)(space - msg - 1));
    else errorstat_incr("ERR", 3);
}

static size_t startup_memory;

void info_reset_stats(void) {
    memset(rates, 0, sizeof(rates));
    peak_memory = zmalloc_used_memory();
    if (startup_memory == 0) startup_memory = peak_memory; /* first call: end of start-up */
    errorstat_count = 0;
    latency_reset_histograms();
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
                       "process_supervised:%s\r\n"
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
                       (long)server.pid, supervise_info_name(), server.runid, cfg.port, vclock_us(), uptime, uptime / 86400, cfg.hz, cfg.hz,
                       (long long)db_lru_clock(), server.executable ? server.executable : "",
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
    /* Clients held by CLIENT PAUSE count as blocked, as in Redis. */
    return sds_cat_printf(s,
                          "# Clients\r\n"
                          "connected_clients:%lu\r\n"
                          "cluster_connections:%lu\r\n"
                          "maxclients:%u\r\n"
                          "client_recent_max_input_buffer:%zu\r\n"
                          "client_recent_max_output_buffer:%zu\r\n"
                          "blocked_clients:%lu\r\n"
                          "tracking_clients:%lu\r\n"
                          "clients_in_timeout_table:0\r\n",
                          server.client_count, cluster ? cluster_bus_link_count() : 0UL, cfg.maxclients, max_in, max_out,
                          server.blocked_clients + admin_postponed_count(), server.tracking_clients);
}

static long long total_system_memory(void) {
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (long long)pages * size : 0;
}

/* Memory held by client connections (structs, query and reply buffers). */
static size_t clients_memory(void) {
    size_t n = 0;
    for (client *c = server.clients; c; c = c->next)
        n += sizeof(client) + sds_alloc_size(c->querybuf) + c->reply_bytes;
    return n;
}

void info_mem_db(int id, size_t *main_bytes, size_t *expires_bytes) {
    const db *d = &server.dbs[id];
    *main_bytes = dict_size(d->keys) * (sizeof(dict_entry) + sizeof(robj)) + dict_slots(d->keys) * sizeof(dict_entry *);
    *expires_bytes = dict_size(d->expires) * sizeof(dict_entry) + dict_slots(d->expires) * sizeof(dict_entry *);
}

static double ratio(size_t a, size_t b) {
    return b ? (double)a / (double)b : 0.0;
}

void info_mem_compute(info_mem *m) {
    memset(m, 0, sizeof(*m));
    m->used = zmalloc_used_memory();
    m->rss = zmalloc_get_rss();
    if (m->used > peak_memory) peak_memory = m->used;
    m->peak = peak_memory;
    m->startup = startup_memory;
    m->clients_normal = clients_memory();
    m->nclients = server.client_count;
    m->aof_buffer = aof_buffer_mem();
    script_memory_stats st;
    eval_memory_stats(&st);
    m->lua_caches = (size_t)st.scripts_eval;
    m->functions_caches = (size_t)st.functions;
    m->overhead = m->startup + m->clients_normal + m->aof_buffer + m->lua_caches + m->functions_caches;
    for (int i = 0; i < server.dbnum; i++) {
        size_t mainb, expb;
        if (dict_size(server.dbs[i].keys) == 0) continue;
        info_mem_db(i, &mainb, &expb);
        m->overhead += mainb + expb;
        m->keys += dict_size(server.dbs[i].keys);
    }
    m->dataset = m->used > m->overhead ? m->used - m->overhead : 0;
    m->net = m->used > m->startup ? m->used - m->startup : 0;
    size_t vm = (size_t)(st.vm_eval + st.vm_functions);
    m->alloc_allocated = m->used;
    m->alloc_resident = m->rss > vm ? m->rss - vm : 0;
    m->alloc_active = m->alloc_resident;
}

static sds info_memory(sds s) {
    info_mem m;
    info_mem_compute(&m);
    size_t used = m.used, rss = m.rss, overhead = m.overhead, dataset = m.dataset, net = m.net;
    char h_used[32], h_rss[32], h_peak[32], h_sys[32], h_max[32];
    long long sys = total_system_memory();
    bytes_to_human(h_used, sizeof(h_used), used);
    bytes_to_human(h_rss, sizeof(h_rss), rss);
    bytes_to_human(h_peak, sizeof(h_peak), peak_memory);
    bytes_to_human(h_sys, sizeof(h_sys), (unsigned long long)sys);
    bytes_to_human(h_max, sizeof(h_max), cfg.maxmemory);
    sds policy = config_get_value("maxmemory-policy");
    s = sds_cat_printf(s,
                       "# Memory\r\n"
                       "used_memory:%zu\r\n"
                       "used_memory_human:%s\r\n"
                       "used_memory_rss:%zu\r\n"
                       "used_memory_rss_human:%s\r\n"
                       "used_memory_peak:%zu\r\n"
                       "used_memory_peak_human:%s\r\n"
                       "used_memory_peak_perc:%.2f%%\r\n"
                       "used_memory_overhead:%zu\r\n"
                       "used_memory_startup:%zu\r\n"
                       "used_memory_dataset:%zu\r\n"
                       "used_memory_dataset_perc:%.2f%%\r\n"
                       "allocator_allocated:%zu\r\n"
                       "allocator_active:%zu\r\n"
                       "allocator_resident:%zu\r\n"
                       "total_system_memory:%lld\r\n"
                       "total_system_memory_human:%s\r\n",
                       used, h_used, rss, h_rss, peak_memory, h_peak, ratio(used, peak_memory) * 100, overhead,
                       startup_memory, dataset, ratio(dataset, net) * 100, m.alloc_allocated, m.alloc_active,
                       m.alloc_resident, sys, h_sys);
    script_memory_stats st;
    eval_memory_stats(&st);
    char h_lua[32], h_vm[32], h_scripts[32];
    bytes_to_human(h_lua, sizeof(h_lua), (unsigned long long)st.vm_eval);
    bytes_to_human(h_vm, sizeof(h_vm), (unsigned long long)(st.vm_eval + st.vm_functions));
    bytes_to_human(h_scripts, sizeof(h_scripts), (unsigned long long)(st.scripts_eval + st.functions));
    s = sds_cat_printf(s,
                       "used_memory_lua:%lld\r\n"
                       "used_memory_vm_eval:%lld\r\n"
                       "used_memory_lua_human:%s\r\n"
                       "used_memory_scripts_eval:%lld\r\n"
                       "number_of_cached_scripts:%lld\r\n"
                       "number_of_functions:%lld\r\n"
                       "number_of_libraries:%lld\r\n"
                       "used_memory_vm_functions:%lld\r\n"
                       "used_memory_vm_total:%lld\r\n"
                       "used_memory_vm_total_human:%s\r\n"
                       "used_memory_functions:%lld\r\n"
                       "used_memory_scripts:%lld\r\n"
                       "used_memory_scripts_human:%s\r\n",
                       st.vm_eval, st.vm_eval, h_lua, st.scripts_eval, st.cached_scripts, st.number_of_functions,
                       st.number_of_libraries, st.vm_functions, st.vm_eval + st.vm_functions, h_vm, st.functions,
                       st.scripts_eval + st.functions, h_scripts);
    s = sds_cat_printf(s,
                       "maxmemory:%llu\r\n"
                       "maxmemory_human:%s\r\n"
                       "maxmemory_policy:%s\r\n"
                       "allocator_frag_ratio:%.2f\r\n"
                       "allocator_frag_bytes:%lld\r\n"
                       "allocator_rss_ratio:%.2f\r\n"
                       "allocator_rss_bytes:%lld\r\n"
                       "rss_overhead_ratio:%.2f\r\n"
                       "rss_overhead_bytes:%lld\r\n"
                       "mem_fragmentation_ratio:%.2f\r\n"
                       "mem_fragmentation_bytes:%lld\r\n"
                       "mem_not_counted_for_evict:0\r\n"
                       "mem_replication_backlog:0\r\n"
                       "mem_total_replication_buffers:0\r\n"
                       "mem_clients_slaves:0\r\n"
                       "mem_clients_normal:%zu\r\n"
                       "mem_cluster_links:%zu\r\n"
                       "mem_aof_buffer:%zu\r\n"
                       "mem_allocator:libc\r\n"
                       "active_defrag_running:0\r\n"
                       "lazyfree_pending_objects:%lu\r\n"
                       "lazyfreed_objects:%llu\r\n",
                       cfg.maxmemory, h_max, policy ? policy : "noeviction",
                       ratio(m.alloc_active, m.alloc_allocated), (long long)m.alloc_active - (long long)m.alloc_allocated,
                       ratio(m.alloc_resident, m.alloc_active), (long long)m.alloc_resident - (long long)m.alloc_active,
                       ratio(rss, m.alloc_resident), (long long)rss - (long long)m.alloc_resident, ratio(rss, used),
                       (long long)rss - (long long)used, m.clients_normal, cluster ? cluster_bus_links_memory() : (size_t)0, m.aof_buffer, lazyfree_pending_objects(), lazyfree_freed_objects());
    sds_free(policy);
    return s;
}

/* The rdb_* and loading lines belong to the snapshot code, the aof_* ones
 * to aof.c; this only keeps Redis 7.0's order. */
static sds info_persistence(sds s) {
    s = sds_cat(s, "# Persistence\r\n");
    s = snapshot_info_fields(s);
    s = aof_info_fields(s);
    s = sds_cat(s, "module_fork_in_progress:0\r\n"
                   "module_fork_last_cow_size:0\r\n");
    s = aof_info_extra(s);
    return snapshot_info_loading(s);
}

static sds info_stats(sds s) {
    expire_stats ex;
    expire_get_stats(&ex);
    repl_sync_stats rs;
    repl_primary_sync_stats(&rs);
    s = sds_cat_printf(s,
                       "# Stats\r\n"
                       "total_connections_received:%lld\r\n"
                       "total_commands_processed:%lld\r\n"
                       "instantaneous_ops_per_sec:%lld\r\n"
                       "total_net_input_bytes:%lld\r\n"
                       "total_net_output_bytes:%lld\r\n"
                       "total_net_repl_input_bytes:0\r\n"
                       "total_net_repl_output_bytes:0\r\n"
                       "instantaneous_input_kbps:%.2f\r\n"
                       "instantaneous_output_kbps:%.2f\r\n"
                       "instantaneous_input_repl_kbps:0.00\r\n"
                       "instantaneous_output_repl_kbps:0.00\r\n"
                       "rejected_connections:%lld\r\n"
                       "sync_full:%lld\r\n"
                       "sync_partial_ok:%lld\r\n"
                       "sync_partial_err:%lld\r\n"
                       "expired_keys:%lld\r\n"
                       "expired_stale_perc:%.2f\r\n"
                       "expired_time_cap_reached_count:%lld\r\n"
                       "expire_cycle_cpu_milliseconds:%lld\r\n"
                       "evicted_keys:%lld\r\n"
                       "evicted_clients:0\r\n"
                       "total_eviction_exceeded_time:0\r\n"
                       "current_eviction_exceeded_time:0\r\n"
                       "keyspace_hits:%lld\r\n"
                       "keyspace_misses:%lld\r\n",
                       server.stat_numconnections, server.stat_numcommands, rate_get(&rates[RATE_OPS]),
                       server.stat_net_input_bytes, server.stat_net_output_bytes,
                       (double)rate_get(&rates[RATE_NET_IN]) / 1024, (double)rate_get(&rates[RATE_NET_OUT]) / 1024,
                       server.stat_rejected_conn, rs.full, rs.partial_ok, rs.partial_err, server.stat_expired_keys,
                       ex.stale_perc,
                       ex.time_cap_reached_count, ex.cycle_cpu_ms, server.stat_evicted_keys, server.stat_keyspace_hits,
                       server.stat_keyspace_misses);
    s = sds_cat_printf(s, "pubsub_channels:%lu\r\npubsub_patterns:%lu\r\npubsubshard_channels:%lu\r\n",
                       pubsub_channel_count(), pubsub_pattern_count(), pubsub_shard_channel_count());
    childproc_stats cs;
    childproc_get_stats(&cs);
    return sds_cat_printf(s,
                          "latest_fork_usec:%lld\r\n"
                          "total_forks:%lld\r\n"
                          "migrate_cached_sockets:%d\r\n"
                          "slave_expires_tracked_keys:%lu\r\n"
                          "active_defrag_hits:0\r\n"
                          "active_defrag_misses:0\r\n"
                          "active_defrag_key_hits:0\r\n"
                          "active_defrag_key_misses:0\r\n"
                          "total_active_defrag_time:0\r\n"
                          "current_active_defrag_time:0\r\n"
                          "tracking_total_keys:%llu\r\n"
                          "tracking_total_items:%llu\r\n"
                          "tracking_total_prefixes:%llu\r\n"
                          "unexpected_error_replies:%lld\r\n"
                          "total_error_replies:%lld\r\n"
                          "dump_payload_sanitizations:0\r\n"
                          "total_reads_processed:0\r\n"
                          "total_writes_processed:0\r\n"
                          "io_threaded_reads_processed:0\r\n"
                          "io_threaded_writes_processed:0\r\n"
                          "reply_buffer_shrinks:0\r\n"
                          "reply_buffer_expands:0\r\n",
                          cs.latest_fork_usec, cs.total_forks, migrate_cached_sockets(),
                          db_replica_keys() ? dict_size(db_replica_keys()) : 0UL, server.tracking_keys,
                          server.tracking_items, server.tracking_prefixes,
                          server.stat_unexpected_error_replies, server.stat_total_error_replies);
}

static sds cat_timeval(sds s, const char *name, struct timeval tv) {
    return sds_cat_printf(s, "%s:%ld.%06ld\r\n", name, (long)tv.tv_sec, (long)tv.tv_usec);
}

static sds info_cpu(sds s) {
    struct rusage self, children, thread;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
#ifdef RUSAGE_THREAD
    getrusage(RUSAGE_THREAD, &thread);
#else
    thread = self; /* single-threaded: the process is the main thread */
#endif
    s = sds_cat(s, "# CPU\r\n");
    s = cat_timeval(s, "used_cpu_sys", self.ru_stime);
    s = cat_timeval(s, "used_cpu_user", self.ru_utime);
    s = cat_timeval(s, "used_cpu_sys_children", children.ru_stime);
    s = cat_timeval(s, "used_cpu_user_children", children.ru_utime);
    s = cat_timeval(s, "used_cpu_sys_main_thread", thread.ru_stime);
    return cat_timeval(s, "used_cpu_user_main_thread", thread.ru_utime);
}

static sds info_modules(sds s) {
    return sds_cat(s, "# Modules\r\n");
}

static void cat_commandstat(redis_command *cmd, void *ctx) {
    sds *s = ctx;
    if (!cmd->calls && !cmd->failed_calls && !cmd->rejected_calls) return;
    *s = sds_cat_printf(*s, "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,failed_calls=%lld\r\n",
                        cmd->fullname, cmd->calls, cmd->usec,
                        cmd->calls ? (double)cmd->usec / (double)cmd->calls : 0.0, cmd->rejected_calls,
                        cmd->failed_calls);
}

static sds info_commandstats(sds s) {
    s = sds_cat(s, "# Commandstats\r\n");
    cmd_foreach(cat_commandstat, &s);
    return s;
}

static sds info_errorstats(sds s) {
    s = sds_cat(s, "# Errorstats\r\n");
    for (int i = 0; i < errorstat_count; i++)
        s = sds_cat_printf(s, "errorstat_%s:count=%lld\r\n", errorstats[i].code, errorstats[i].count);
    return s;
}

static sds info_latencystats(sds s) {
    return latency_cat_info(sds_cat(s, "# Latencystats\r\n"));
}

static sds info_cluster(sds s) {
    return cluster_info_section(s);
}

/* Keys sampled for avg_ttl: Redis's figure is an estimate too. */
#define AVG_TTL_SAMPLES 64

static long long avg_ttl_ms(db *d) {
    dict_entry *des[AVG_TTL_SAMPLES];
    unsigned int n = dict_get_some_keys(d->expires, des, AVG_TTL_SAMPLES);
    long long now = vclock_ms(), sum = 0, live = 0;
    for (unsigned int i = 0; i < n; i++) {
        long long ttl = dict_get_signed_int_val(des[i]) - now;
        if (ttl > 0) {
            sum += ttl;
            live++;
        }
    }
    return live ? sum / live : 0;
}

static sds info_keyspace(sds s) {
    s = sds_cat(s, "# Keyspace\r\n");
    for (int i = 0; i < server.dbnum; i++) {
        db *d = &server.dbs[i];
        unsigned long keys = dict_size(d->keys), expires = dict_size(d->expires);
        if (keys)
            s = sds_cat_printf(s, "db%d:keys=%lu,expires=%lu,avg_ttl=%lld\r\n", i, keys, expires,
                               expires ? avg_ttl_ms(d) : 0);
    }
    return s;
}

typedef sds info_section_fn(sds s);
/* In the order Redis prints them; "default" marks what INFO alone shows. */
static const struct {
    const char *name;
    info_section_fn *fn;
    int is_default;
} sections[] = {
    {"server", info_server, 1},
    {"clients", info_clients, 1},
    {"memory", info_memory, 1},
    {"persistence", info_persistence, 1},
    {"stats", info_stats, 1},
    {"replication", repl_info, 1},
    {"cpu", info_cpu, 1},
    {"modules", info_modules, 1},
    {"commandstats", info_commandstats, 0},
    {"errorstats", info_errorstats, 1},
    {"latencystats", info_latencystats, 0},
    {"cluster", info_cluster, 1},
    {"keyspace", info_keyspace, 1},
};
#define SECTION_COUNT (sizeof(sections) / sizeof(sections[0]))

/* Returns new sds with the sections argv selects (none: the defaults).
 * "all" and "everything" select every section (there are no module
 * sections for "everything" to add); unknown names select nothing. */
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

static void info_command(client *c) {
    sds s = info_generate(c->argc - 1, c->argv + 1);
    reply_verbatim(c, s, sds_len(s), "txt");
    sds_free(s);
}

/* ---------------------------------------------------------- table */

redis_command info_commands[] = {
    {.name = "info", .proc = info_command, .arity = -1, .flags = CMD_LOADING | CMD_STALE | CMD_SENTINEL,
     .acl = ACL_DANGEROUS, .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .group = "server", .since = "1.0.0", .summary = "Get information and statistics about the server",
     .complexity = "O(1)"},
    {0}};
