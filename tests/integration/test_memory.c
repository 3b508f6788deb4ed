/* test_memory.c -- MEMORY USAGE and MEMORY HELP, and redis-cli's --memkeys
 * and --bigkeys --memkeys (which need MEMORY USAGE) when redis-cli is
 * installed.
 *
 * Replies and error texts are Redis 7.0's. Sizes are estimates whose exact
 * bytes depend on the allocator (a sanitizer build uses plain malloc), so
 * each type and encoding is checked against what Redis 7.0.15 reported for
 * the same key within a factor of two, plus the properties any estimate
 * must have (bigger values are bigger, SAMPLES 0 measures everything). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

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

static long long usage(const char *key, const char *samples) {
    redisReply *r = samples ? hs_command(ctx, HS_ARGS("MEMORY", "USAGE", key, "SAMPLES", samples))
                            : hs_command(ctx, HS_ARGS("MEMORY", "USAGE", key));
    ck_assert_msg(r->type == REDIS_REPLY_INTEGER, "MEMORY USAGE %s: reply type %d", key, r->type);
    long long n = r->integer;
    freeReplyObject(r);
    return n;
}

/* Sends one command built from a format with a single %d (for loops). */
static void fill(const char *fmt, int from, int to) {
    for (int i = from; i < to; i++) {
        redisReply *r = redisCommand(ctx, fmt, i, i);
        ck_assert_ptr_nonnull(r);
        ck_assert_int_ne(r->type, REDIS_REPLY_ERROR);
        freeReplyObject(r);
    }
}

START_TEST(test_help_and_errors) {
    static const char *const help[] = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.",
    };
    redisReply *r = hs_command(ctx, HS_ARGS("MEMORY", "HELP"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, sizeof(help) / sizeof(help[0]));
    for (size_t i = 0; i < r->elements; i++) ck_assert_str_eq(r->element[i]->str, help[i]);
    freeReplyObject(r);
    HS_EXPECT_ARITY(ctx, "memory", "MEMORY");
    HS_EXPECT_ARITY(ctx, "memory|usage", "MEMORY", "USAGE");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'foo'. Try MEMORY HELP.", "MEMORY", "foo");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'purgex'. Try MEMORY HELP.", "MEMORY", "purgex");
    HS_EXPECT_NIL(ctx, "MEMORY", "USAGE", "nokey");
    HS_EXPECT_NIL(ctx, "MEMORY", "USAGE", "nokey", "SAMPLES", "3");
    HS_EXPECT_OK(ctx, "SET", "s", "hello");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "MEMORY", "USAGE", "s", "SAMPLES");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "MEMORY", "USAGE", "s", "SAMPLES", "-1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "MEMORY", "USAGE", "s", "SAMPLES", "5", "x");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "MEMORY", "USAGE", "s", "foo", "1");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "MEMORY", "USAGE", "s", "SAMPLES", "abc");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "MEMORY", "USAGE", "s", "samples",
                    "99999999999999999999");
    /* Arguments are checked before the key is looked up. */
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "MEMORY", "USAGE", "nokey", "SAMPLES",
                    "abc");
    /* The last SAMPLES wins; any count is accepted. */
    ck_assert_int_gt(usage("s", "0"), 0);
    redisReply *twice = hs_command(ctx, HS_ARGS("MEMORY", "USAGE", "s", "SAMPLES", "1", "SAMPLES", "2"));
    HS_CHECK_INT(twice, usage("s", NULL));
    freeReplyObject(twice);
}
END_TEST

/* RESP3: a missing key is a null ("_"), a size an integer. */
START_TEST(test_resp3_shapes) {
    int fd = hs_raw_connect(srv);
    hs_raw_send(fd, "HELLO 3\r\n", 9);
    hs_buf hello = hs_raw_read_until(fd, "*0\r\n", HS_REPLY_TIMEOUT_MS);
    hs_buf_free(&hello);
    HS_RAW_EXPECT(fd, "MEMORY USAGE nokey\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "SET k 12345\r\n", "+OK\r\n");
    hs_raw_send(fd, "MEMORY USAGE k\r\n", 16);
    hs_buf got = hs_raw_read_until(fd, "\r\n", HS_REPLY_TIMEOUT_MS);
    ck_assert_msg(got.len > 3 && got.data[0] == ':', "reply %s", got.data);
    hs_buf_free(&got);
    close(fd);
}
END_TEST

struct sample {
    const char *key;
    const char *encoding;
    long long redis_bytes; /* MEMORY USAGE on Redis 7.0.15 for the same key */
};

/* Builds one key per type and encoding, as utils' comparison did. */
static void build_samples(void) {
    HS_EXPECT_OK(ctx, "SET", "str:int", "12345");
    HS_EXPECT_OK(ctx, "SET", "str:embstr", "hello world");
    char big[10001];
    memset(big, 'x', 10000);
    big[10000] = '\0';
    HS_EXPECT_OK(ctx, "SET", "str:raw10k", big);
    fill("RPUSH list:small a%d", 0, 10);
    fill("RPUSH list:big elem-%d", 0, 10000);
    fill("SADD set:intset %d", 0, 100);
    fill("SADD set:ht member-%d", 0, 1000);
    fill("HSET hash:lp f%d v%d", 0, 10);
    fill("HSET hash:ht field-%d value-%d", 0, 1000);
    fill("ZADD zset:lp %d m%d", 0, 10);
    fill("ZADD zset:sl %d member-%d", 0, 1000);
}

START_TEST(test_estimates_by_type) {
    static const struct sample samples[] = {
        {"str:int", "int", 56},           {"str:embstr", "embstr", 72},       {"str:raw10k", "raw", 10296},
        {"list:small", "quicklist", 184}, {"list:big", "quicklist", 115344},  {"set:intset", "intset", 280},
        {"set:ht", "hashtable", 48296},   {"hash:lp", "listpack", 152},       {"hash:ht", "hashtable", 64304},
        {"zset:lp", "listpack", 136},     {"zset:sl", "skiplist", 112992},
    };
    build_samples();
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        HS_EXPECT_BULK(ctx, samples[i].encoding, "OBJECT", "ENCODING", samples[i].key);
        long long got = usage(samples[i].key, NULL);
        ck_assert_msg(got * 2 >= samples[i].redis_bytes && got <= samples[i].redis_bytes * 2,
                      "%s (%s): %lld bytes, Redis 7.0 says %lld", samples[i].key, samples[i].encoding, got,
                      samples[i].redis_bytes);
        long long all = usage(samples[i].key, "0");
        ck_assert_msg(all * 2 >= samples[i].redis_bytes && all <= samples[i].redis_bytes * 2,
                      "%s SAMPLES 0: %lld bytes", samples[i].key, all);
    }
    /* Bigger values are bigger. */
    ck_assert_int_gt(usage("str:raw10k", NULL), 10000);
    ck_assert_int_gt(usage("list:big", NULL), usage("list:small", NULL) * 100);
    ck_assert_int_gt(usage("hash:ht", NULL), usage("hash:lp", NULL) * 50);
    ck_assert_int_gt(usage("zset:sl", NULL), usage("zset:lp", NULL) * 50);
    ck_assert_int_gt(usage("set:ht", NULL), usage("set:intset", NULL) * 50);
    /* A longer key name costs more. */
    HS_EXPECT_OK(ctx, "SET", "a-much-longer-key-name-than-the-other-one-by-far-indeed", "12345");
    ck_assert_int_gt(usage("a-much-longer-key-name-than-the-other-one-by-far-indeed", NULL), usage("str:int", NULL));
}
END_TEST

/* Like Redis, MEMORY USAGE reads the dict directly: a key past its TTL
 * that nothing has expired yet is still measured (and left in place), and
 * the lookup counts no hit or miss. */
START_TEST(test_expired_key_and_stats) {
    HS_EXPECT_OK(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
    HS_EXPECT_OK(ctx, "SET", "ek", "v", "PX", "1");
    hs_sleep_ms(20);
    ck_assert_int_gt(usage("ek", NULL), 0);
    HS_EXPECT_INT(ctx, 1, "DBSIZE");
    HS_EXPECT_NIL(ctx, "MEMORY", "USAGE", "nokey");
    hs_buf hits = hs_info_field(ctx, "stats", "keyspace_hits");
    hs_buf misses = hs_info_field(ctx, "stats", "keyspace_misses");
    ck_assert_str_eq(hits.data, "0");
    ck_assert_str_eq(misses.data, "0");
    hs_buf_free(&hits);
    hs_buf_free(&misses);
}
END_TEST

/* Runs redis-cli with args against srv; returns its output (caller frees)
 * or {0} if redis-cli is not installed. Fails the test if it fails. */
static hs_buf run_cli(const char *args) {
    hs_buf out = {0};
    if (system("command -v redis-cli >/dev/null 2>&1") != 0) return out;
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "redis-cli -p %d %s 2>&1", srv->port, args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) hs_buf_cat(&out, chunk, n);
    int status = pclose(p);
    ck_assert_msg(status == 0, "redis-cli %s failed:\n%s", args, out.data ? out.data : "");
    if (out.data == NULL) hs_buf_cat(&out, "", 0);
    return out;
}

START_TEST(test_redis_cli_memkeys) {
    build_samples();
    /* The newer types too: a stream and an HLL (a string to redis-cli). */
    fill("XADD stream:s * f %d", 0, 50);
    fill("PFADD hll:h e%d", 0, 50);
    hs_buf mem = run_cli("--memkeys");
    if (mem.data == NULL) return; /* no redis-cli here */
    ck_assert_msg(strstr(mem.data, "Biggest stream found '\"stream:s\"' has ") != NULL, "%s", mem.data);
    ck_assert_msg(strstr(mem.data, "1 streams with ") != NULL, "%s", mem.data);
    ck_assert_ptr_null(strstr(mem.data, "ERR"));
    ck_assert_msg(strstr(mem.data, "Biggest   list found '\"list:big\"' has ") != NULL, "%s", mem.data);
    ck_assert_msg(strstr(mem.data, "Biggest   zset found '\"zset:sl\"' has ") != NULL, "%s", mem.data);
    ck_assert_msg(strstr(mem.data, "Biggest string found '\"str:raw10k\"' has ") != NULL, "%s", mem.data);
    ck_assert_msg(strstr(mem.data, "2 lists with ") != NULL && strstr(mem.data, " bytes (") != NULL, "%s",
                  mem.data);
    hs_buf_free(&mem);
    hs_buf both = run_cli("--bigkeys --memkeys");
    ck_assert_msg(strstr(both.data, "Biggest   zset found '\"zset:sl\"' has 1000 members") != NULL, "%s",
                  both.data);
    ck_assert_ptr_null(strstr(both.data, "ERR"));
    hs_buf_free(&both);
    hs_buf big = run_cli("--bigkeys");
    ck_assert_msg(strstr(big.data, "Biggest stream found '\"stream:s\"' has 50 entries") != NULL, "%s", big.data);
    ck_assert_ptr_null(strstr(big.data, "ERR"));
    hs_buf_free(&big);
}
END_TEST

static Suite *memory_suite(void) {
    Suite *s = suite_create("memory");
    TCase *tc = hs_tcase(s, "memory");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_help_and_errors);
    tcase_add_test(tc, test_resp3_shapes);
    tcase_add_test(tc, test_estimates_by_type);
    tcase_add_test(tc, test_expired_key_and_stats);
    tcase_add_test(tc, test_redis_cli_memkeys);
    return s;
}

int main(void) {
    return hs_run_suite(memory_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
