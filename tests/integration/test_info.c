/* test_info.c -- integration tests for INFO: every section of Redis 7.0
 * with its exact field names in Redis's order (the lists below come from
 * `redis-cli INFO everything` of Redis 7.0.15), section selection,
 * errorstats, commandstats, latencystats, keyspace, and CONFIG RESETSTAT.
 * One server per test. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *const fields_server[] = {
    "redis_version", "redis_git_sha1", "redis_git_dirty", "redis_build_id", "redis_mode", "os", "arch_bits",
    "monotonic_clock", "multiplexing_api", "atomicvar_api", "gcc_version", "process_id", "process_supervised",
    "run_id", "tcp_port", "server_time_usec", "uptime_in_seconds", "uptime_in_days", "hz", "configured_hz",
    "lru_clock", "executable", "config_file", "io_threads_active", NULL};
static const char *const fields_clients[] = {
    "connected_clients", "cluster_connections", "maxclients", "client_recent_max_input_buffer",
    "client_recent_max_output_buffer", "blocked_clients", "tracking_clients", "clients_in_timeout_table", NULL};
static const char *const fields_memory[] = {
    "used_memory", "used_memory_human", "used_memory_rss", "used_memory_rss_human", "used_memory_peak",
    "used_memory_peak_human", "used_memory_peak_perc", "used_memory_overhead", "used_memory_startup",
    "used_memory_dataset", "used_memory_dataset_perc", "allocator_allocated", "allocator_active",
    "allocator_resident", "total_system_memory", "total_system_memory_human", "used_memory_lua",
    "used_memory_vm_eval", "used_memory_lua_human", "used_memory_scripts_eval", "number_of_cached_scripts",
    "number_of_functions", "number_of_libraries", "used_memory_vm_functions", "used_memory_vm_total",
    "used_memory_vm_total_human", "used_memory_functions", "used_memory_scripts", "used_memory_scripts_human",
    "maxmemory", "maxmemory_human", "maxmemory_policy", "allocator_frag_ratio", "allocator_frag_bytes",
    "allocator_rss_ratio", "allocator_rss_bytes", "rss_overhead_ratio", "rss_overhead_bytes",
    "mem_fragmentation_ratio", "mem_fragmentation_bytes", "mem_not_counted_for_evict",
    "mem_replication_backlog", "mem_total_replication_buffers", "mem_clients_slaves", "mem_clients_normal",
    "mem_cluster_links", "mem_aof_buffer", "mem_allocator", "active_defrag_running",
    "lazyfree_pending_objects", "lazyfreed_objects", NULL};
static const char *const fields_persistence[] = {
    "loading", "async_loading", "current_cow_peak", "current_cow_size", "current_cow_size_age",
    "current_fork_perc", "current_save_keys_processed", "current_save_keys_total",
    "rdb_changes_since_last_save", "rdb_bgsave_in_progress", "rdb_last_save_time", "rdb_last_bgsave_status",
    "rdb_last_bgsave_time_sec", "rdb_current_bgsave_time_sec", "rdb_saves", "rdb_last_cow_size",
    "rdb_last_load_keys_expired", "rdb_last_load_keys_loaded", "aof_enabled", "aof_rewrite_in_progress",
    "aof_rewrite_scheduled", "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec",
    "aof_last_bgrewrite_status", "aof_rewrites", "aof_rewrites_consecutive_failures", "aof_last_write_status",
    "aof_last_cow_size", "module_fork_in_progress", "module_fork_last_cow_size", NULL};
static const char *const fields_stats[] = {
    "total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
    "total_net_input_bytes", "total_net_output_bytes", "total_net_repl_input_bytes",
    "total_net_repl_output_bytes", "instantaneous_input_kbps", "instantaneous_output_kbps",
    "instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps", "rejected_connections", "sync_full",
    "sync_partial_ok", "sync_partial_err", "expired_keys", "expired_stale_perc",
    "expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys", "evicted_clients",
    "total_eviction_exceeded_time", "current_eviction_exceeded_time", "keyspace_hits", "keyspace_misses",
    "pubsub_channels", "pubsub_patterns", "pubsubshard_channels", "latest_fork_usec", "total_forks",
    "migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
    "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
    "current_active_defrag_time", "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes",
    "unexpected_error_replies", "total_error_replies", "dump_payload_sanitizations", "total_reads_processed",
    "total_writes_processed", "io_threaded_reads_processed", "io_threaded_writes_processed",
    "reply_buffer_shrinks", "reply_buffer_expands", NULL};
static const char *const fields_replication[] = {
    "role", "connected_slaves", "master_failover_state", "master_replid", "master_replid2",
    "master_repl_offset", "second_repl_offset", "repl_backlog_active", "repl_backlog_size",
    "repl_backlog_first_byte_offset", "repl_backlog_histlen", NULL};
static const char *const fields_cpu[] = {
    "used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
    "used_cpu_sys_main_thread", "used_cpu_user_main_thread", NULL};
static const char *const fields_cluster[] = {
    "cluster_enabled", NULL};

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

/* INFO args... as one string (new buffer). */
static hs_buf info(const char *const *args) {
    redisReply *r = hs_command(ctx, args);
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    hs_buf out = {0};
    hs_buf_cat(&out, r->str, r->len);
    freeReplyObject(r);
    return out;
}

/* The "# Name" headers of an INFO text, joined by ','. */
static hs_buf headers(const char *text) {
    hs_buf out = {0};
    hs_buf_cat(&out, "", 0);
    for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
        if (p[0] == '#') {
            if (out.len) hs_buf_cat(&out, ",", 1);
            hs_buf_cat(&out, p + 2, strcspn(p + 2, "\r"));
        }
        if (strchr(p, '\n') == NULL) break;
    }
    return out;
}

/* Every line is "# Header", empty, or "field:value" with a field of
 * [a-z0-9_|] characters; every line ends in CRLF. */
static void check_lines(const char *text) {
    const char *p = text;
    while (*p) {
        const char *nl = strstr(p, "\r\n");
        ck_assert_msg(nl != NULL, "line without CRLF: %s", p);
        size_t len = (size_t)(nl - p);
        if (len && p[0] != '#') {
            const char *colon = memchr(p, ':', len);
            ck_assert_msg(colon != NULL && colon > p, "not field:value: %.*s", (int)len, p);
            for (const char *q = p; q < colon; q++)
                ck_assert_msg(islower((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_' || *q == '|',
                              "bad field name: %.*s", (int)len, p);
        }
        p = nl + 2;
    }
}

/* Fails unless the section's fields are Redis's, in Redis's order (minired
 * may add its own only at the end of Server). */
static void check_fields(const char *section, const char *const *want) {
    hs_buf text = info(HS_ARGS("INFO", section));
    check_lines(text.data);
    const char *p = strstr(text.data, "\r\n") + 2; /* after the header */
    for (int i = 0; want[i]; i++) {
        ck_assert_msg(*p, "INFO %s: missing %s and after", section, want[i]);
        size_t flen = strcspn(p, ":");
        ck_assert_msg(strlen(want[i]) == flen && strncmp(p, want[i], flen) == 0, "INFO %s: expected %s, got %.*s",
                      section, want[i], (int)strcspn(p, "\r"), p);
        p = strstr(p, "\r\n") + 2;
    }
    if (strcmp(section, "server") == 0 && strncmp(p, "minired_version:", 16) == 0) p = strstr(p, "\r\n") + 2;
    ck_assert_msg(*p == '\0', "INFO %s: unexpected extra lines: %s", section, p);
    hs_buf_free(&text);
}

/* Value of field in INFO section as a new C string (test-owned). */
static hs_buf field(const char *section, const char *name) {
    hs_buf v = hs_info_field(ctx, section, name);
    ck_assert_msg(v.data != NULL, "INFO %s has no %s", section, name);
    return v;
}

START_TEST(test_every_field_name) {
    check_fields("server", fields_server);
    check_fields("clients", fields_clients);
    check_fields("memory", fields_memory);
    check_fields("persistence", fields_persistence);
    check_fields("stats", fields_stats);
    check_fields("replication", fields_replication);
    check_fields("cpu", fields_cpu);
    check_fields("cluster", fields_cluster);
}
END_TEST

START_TEST(test_section_selection) {
    const char *def = "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Errorstats,Cluster,Keyspace";
    const char *all = "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Commandstats,Errorstats,"
                      "Latencystats,Cluster,Keyspace";
    struct {
        const char *const *args;
        const char *want;
    } cases[] = {
        {HS_ARGS("INFO"), def},
        {HS_ARGS("INFO", "default"), def},
        {HS_ARGS("INFO", "all"), all},
        {HS_ARGS("INFO", "EVERYTHING"), all},
        {HS_ARGS("INFO", "keyspace", "SERVER"), "Server,Keyspace"}, /* Redis's order, not the arguments' */
        {HS_ARGS("INFO", "CommandStats"), "Commandstats"},
        {HS_ARGS("INFO", "default", "commandstats"), "Server,Clients,Memory,Persistence,Stats,Replication,CPU,"
                                                     "Modules,Commandstats,Errorstats,Cluster,Keyspace"},
        {HS_ARGS("INFO", "modules"), "Modules"},
        {HS_ARGS("INFO", "nosuch"), ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hs_buf text = info(cases[i].args);
        check_lines(text.data);
        hs_buf h = headers(text.data);
        ck_assert_str_eq(h.data, cases[i].want);
        hs_buf_free(&h);
        hs_buf_free(&text);
    }
    hs_buf text = info(HS_ARGS("INFO", "nosuch"));
    ck_assert_int_eq(text.len, 0);
    hs_buf_free(&text);
    /* sections are separated by one empty line */
    text = info(HS_ARGS("INFO", "modules", "cluster"));
    ck_assert_str_eq(text.data, "# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n");
    hs_buf_free(&text);
}
END_TEST

START_TEST(test_errorstats) {
    hs_buf text = info(HS_ARGS("INFO", "errorstats"));
    ck_assert_str_eq(text.data, "# Errorstats\r\n");
    hs_buf_free(&text);
    HS_EXPECT_OK(ctx, "SET", "s", "abc");
    HS_EXPECT_ERROR_PREFIX(ctx, "ERR", "INCR", "s");
    HS_EXPECT_ERROR_PREFIX(ctx, "ERR unknown command", "NOSUCH");
    HS_EXPECT_ARITY(ctx, "get", "GET");
    HS_EXPECT_ERROR_PREFIX(ctx, "WRONGPASS", "AUTH", "nobody", "pw");
    HS_EXPECT_ERROR_PREFIX(ctx, "NOPROTO", "HELLO", "4");
    HS_EXPECT_ERROR_PREFIX(ctx, "NOPROTO", "HELLO", "5");
    text = info(HS_ARGS("INFO", "errorstats"));
    ck_assert_str_eq(text.data, "# Errorstats\r\n"
                                "errorstat_ERR:count=3\r\n"
                                "errorstat_NOPROTO:count=2\r\n"
                                "errorstat_WRONGPASS:count=1\r\n");
    hs_buf_free(&text);
    hs_buf total = field("stats", "total_error_replies");
    ck_assert_str_eq(total.data, "6");
    hs_buf_free(&total);
    HS_EXPECT_OK(ctx, "CONFIG", "RESETSTAT");
    text = info(HS_ARGS("INFO", "errorstats"));
    ck_assert_str_eq(text.data, "# Errorstats\r\n");
    hs_buf_free(&text);
}
END_TEST

START_TEST(test_commandstats) {
    HS_EXPECT_OK(ctx, "CONFIG", "RESETSTAT");
    HS_EXPECT_OK(ctx, "SET", "s", "abc");
    HS_EXPECT_BULK(ctx, "abc", "GET", "s");
    HS_EXPECT_BULK(ctx, "abc", "GET", "s");
    HS_EXPECT_ARITY(ctx, "get", "GET");
    HS_EXPECT_ERROR_PREFIX(ctx, "ERR", "INCR", "s");
    HS_DO(ctx, (void)hs_r_, "CLIENT", "ID");
    hs_buf text = info(HS_ARGS("INFO", "commandstats"));
    check_lines(text.data);
    ck_assert_msg(strstr(text.data, "\r\ncmdstat_get:calls=2,usec=") != NULL, "%s", text.data);
    const char *get = strstr(text.data, "cmdstat_get:");
    ck_assert_ptr_nonnull(strstr(get, ",rejected_calls=1,failed_calls=0\r\n"));
    ck_assert_ptr_nonnull(strstr(text.data, "cmdstat_incr:calls=1,"));
    ck_assert_ptr_nonnull(strstr(strstr(text.data, "cmdstat_incr:"), ",rejected_calls=0,failed_calls=1\r\n"));
    ck_assert_ptr_nonnull(strstr(text.data, "\r\ncmdstat_client|id:calls=1,"));
    ck_assert_ptr_nonnull(strstr(text.data, "\r\ncmdstat_config|resetstat:calls=1,"));
    /* usec_per_call has two decimals */
    const char *upc = strstr(get, "usec_per_call=");
    ck_assert_ptr_nonnull(upc);
    upc += strlen("usec_per_call=");
    char *end;
    strtod(upc, &end);
    ck_assert(end > upc && end[0] == ',' && end[-3] == '.');
    hs_buf_free(&text);
    HS_EXPECT_OK(ctx, "CONFIG", "RESETSTAT");
    text = info(HS_ARGS("INFO", "commandstats"));
    ck_assert_ptr_null(strstr(text.data, "cmdstat_get:"));
    hs_buf_free(&text);
}
END_TEST

START_TEST(test_latencystats) {
    HS_EXPECT_OK(ctx, "SET", "s", "abc");
    hs_buf text = info(HS_ARGS("INFO", "latencystats"));
    check_lines(text.data);
    const char *line = strstr(text.data, "\r\nlatency_percentiles_usec_set:p50=");
    ck_assert_msg(line != NULL, "%s", text.data);
    double p50, p99, p999;
    ck_assert_int_eq(sscanf(line + 2, "latency_percentiles_usec_set:p50=%lf,p99=%lf,p99.9=%lf", &p50, &p99, &p999),
                     3);
    ck_assert(p50 > 0 && p50 <= p99 && p99 <= p999);
    hs_buf_free(&text);
    HS_EXPECT_OK(ctx, "CONFIG", "RESETSTAT");
    text = info(HS_ARGS("INFO", "latencystats"));
    ck_assert_ptr_null(strstr(text.data, "latency_percentiles_usec_set:"));
    hs_buf_free(&text);
}
END_TEST

START_TEST(test_keyspace_and_stats_values) {
    HS_EXPECT_OK(ctx, "SET", "a", "1");
    HS_EXPECT_OK(ctx, "SET", "b", "2", "EX", "100");
    HS_EXPECT_OK(ctx, "SELECT", "3");
    HS_EXPECT_OK(ctx, "SET", "c", "3");
    HS_EXPECT_NIL(ctx, "GET", "missing");
    HS_EXPECT_BULK(ctx, "3", "GET", "c");
    hs_buf db0 = field("keyspace", "db0");
    long long keys, expires, avg_ttl;
    ck_assert_int_eq(sscanf(db0.data, "keys=%lld,expires=%lld,avg_ttl=%lld", &keys, &expires, &avg_ttl), 3);
    ck_assert_int_eq(keys, 2);
    ck_assert_int_eq(expires, 1);
    ck_assert(avg_ttl > 90000 && avg_ttl <= 100000);
    hs_buf_free(&db0);
    hs_buf db3 = field("keyspace", "db3");
    ck_assert_str_eq(db3.data, "keys=1,expires=0,avg_ttl=0");
    hs_buf_free(&db3);
    hs_buf v = field("stats", "keyspace_hits");
    ck_assert_str_eq(v.data, "1");
    hs_buf_free(&v);
    v = field("stats", "keyspace_misses");
    ck_assert_str_eq(v.data, "1");
    hs_buf_free(&v);
    v = field("replication", "master_replid");
    ck_assert_int_eq(v.len, 40);
    for (size_t i = 0; i < v.len; i++) ck_assert(isxdigit((unsigned char)v.data[i]));
    hs_buf_free(&v);
    v = field("replication", "role");
    ck_assert_str_eq(v.data, "master");
    hs_buf_free(&v);
    v = field("persistence", "rdb_last_bgsave_status");
    ck_assert_str_eq(v.data, "ok");
    hs_buf_free(&v);
    v = field("cpu", "used_cpu_user");
    char *end;
    strtod(v.data, &end);
    ck_assert(*end == '\0' && strchr(v.data, '.') != NULL);
    hs_buf_free(&v);
    v = field("clients", "connected_clients");
    ck_assert_str_eq(v.data, "1");
    hs_buf_free(&v);
    v = field("memory", "maxmemory_policy");
    ck_assert_str_eq(v.data, "noeviction");
    hs_buf_free(&v);
}
END_TEST

START_TEST(test_info_resp3) {
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n*2\r\n$4\r\nINFO\r\n$7\r\ncluster\r\n");
    const char *want = "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n";
    hs_buf got = hs_raw_read_until(fd, want, 10000);
    ck_assert_msg(got.len > strlen(want) && strcmp(got.data + got.len - strlen(want), want) == 0, "%s", got.data);
    hs_buf_free(&got);
    close(fd);
}
END_TEST

static Suite *info_suite(void) {
    Suite *s = suite_create("info");
    TCase *tc = hs_tcase(s, "info");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_every_field_name);
    tcase_add_test(tc, test_section_selection);
    tcase_add_test(tc, test_errorstats);
    tcase_add_test(tc, test_commandstats);
    tcase_add_test(tc, test_latencystats);
    tcase_add_test(tc, test_keyspace_and_stats_values);
    tcase_add_test(tc, test_info_resp3);
    return s;
}

int main(void) {
    return hs_run_suite(info_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
