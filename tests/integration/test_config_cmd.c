/* test_config_cmd.c -- integration tests for CONFIG GET / SET / REWRITE
 * over the wire: several pairs set atomically, bad values of each kind of
 * directive with Redis 7.0's texts, glob patterns and old names (aliases),
 * and a CONFIG REWRITE that survives a restart of a server
 * started with a config file.
 *
 * The restart test spawns the server itself: the harness passes options
 * only, and a config file must be the server's first argument. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.h"

#define SET_FAILED(name, why) "ERR CONFIG SET failed (possibly related to argument '" name "') - " why

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

/* Checks that CONFIG GET pattern answers exactly the given name/value
 * pairs, in any order (Redis's order is its dict's). */
static void expect_get_set(const char *pattern, const char *const *pairs) {
    redisReply *r = hs_command(ctx, HS_ARGS("CONFIG", "GET", pattern));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    size_t n = 0;
    while (pairs[n]) n++;
    ck_assert_msg(r->elements == n, "CONFIG GET %s: %zu elements, want %zu", pattern, r->elements, n);
    for (size_t i = 0; i < n; i += 2) {
        int found = 0;
        for (size_t j = 0; j < r->elements && !found; j += 2)
            found = !strcmp(r->element[j]->str, pairs[i]) && !strcmp(r->element[j + 1]->str, pairs[i + 1]);
        ck_assert_msg(found, "CONFIG GET %s lacks %s=%s", pattern, pairs[i], pairs[i + 1]);
    }
    freeReplyObject(r);
}

/* ---------------------------------------------------------- SET / GET */

START_TEST(test_set_several_atomically) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory", "10mb", "maxmemory-policy", "allkeys-lru", "notify-keyspace-events",
                 "KEA", "hash-max-ziplist-entries", "100");
    expect_get_set("maxmemory", HS_ARGS("maxmemory", "10485760"));
    expect_get_set("notify-keyspace-events", HS_ARGS("notify-keyspace-events", "AKE"));
    expect_get_set("hash-max-listpack-entries", HS_ARGS("hash-max-listpack-entries", "100"));
    /* one bad value: none of the pairs takes effect */
    HS_EXPECT_ERROR(ctx, SET_FAILED("maxmemory-samples", "argument must be between 1 and 2147483647 inclusive"),
                    "CONFIG", "SET", "maxmemory", "20mb", "maxmemory-policy", "volatile-ttl", "maxmemory-samples", "0");
    expect_get_set("maxmemory", HS_ARGS("maxmemory", "10485760"));
    expect_get_set("maxmemory-policy", HS_ARGS("maxmemory-policy", "allkeys-lru"));
    /* an unknown name is found before any value is stored */
    HS_EXPECT_ERROR(ctx, "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'", "CONFIG", "SET",
                    "maxmemory", "30mb", "nosuch", "1");
    expect_get_set("maxmemory", HS_ARGS("maxmemory", "10485760"));
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "CONFIG", "SET", "maxmemory", "1", "hz");
}
END_TEST

START_TEST(test_set_bad_values) {
    HS_EXPECT_ERROR(ctx, SET_FAILED("maxmemory", "argument must be a memory value"), "CONFIG", "SET", "maxmemory",
                    "1.5mb");
    HS_EXPECT_ERROR(ctx, SET_FAILED("maxmemory", "argument must be a memory value"), "CONFIG", "SET", "maxmemory",
                    "-1");
    HS_EXPECT_ERROR(ctx,
                    SET_FAILED("maxmemory-policy", "argument(s) must be one of the following: volatile-lru, "
                                                   "volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, "
                                                   "allkeys-lfu, allkeys-random, noeviction"),
                    "CONFIG", "SET", "maxmemory-policy", "lru");
    HS_EXPECT_ERROR(ctx, SET_FAILED("active-expire-effort", "argument must be between 1 and 10 inclusive"), "CONFIG",
                    "SET", "active-expire-effort", "0");
    HS_EXPECT_ERROR(ctx, SET_FAILED("lazyfree-lazy-user-del", "argument must be 'yes' or 'no'"), "CONFIG", "SET",
                    "lazyfree-lazy-user-del", "1");
    HS_EXPECT_ERROR(ctx, SET_FAILED("slowlog-log-slower-than", "argument couldn't be parsed into an integer"),
                    "CONFIG", "SET", "slowlog-log-slower-than", "1ms");
    HS_EXPECT_ERROR(ctx,
                    SET_FAILED("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
                    "CONFIG", "SET", "notify-keyspace-events", "KEy");
    HS_EXPECT_ERROR(ctx,
                    SET_FAILED("client-output-buffer-limit",
                               "Invalid client class specified in buffer limit configuration."),
                    "CONFIG", "SET", "client-output-buffer-limit", "master 1 1 1");
    HS_EXPECT_ERROR(ctx, SET_FAILED("rdbchecksum", "can't set immutable config"), "CONFIG", "SET", "rdbchecksum",
                    "no");
    HS_EXPECT_ERROR(ctx, SET_FAILED("appenddirname", "can't set immutable config"), "CONFIG", "SET", "appenddirname",
                    "x");
    HS_EXPECT_ERROR(ctx,
                    SET_FAILED("auto-aof-rewrite-percentage", "argument must be between 0 and 2147483647 inclusive"),
                    "CONFIG", "SET", "auto-aof-rewrite-percentage", "-1");
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "appendonly", "no");
    /* the error names the parameter as given, old name or not */
    HS_EXPECT_ERROR(ctx,
                    SET_FAILED("list-max-ziplist-size", "argument must be between -2147483648 and 2147483647 inclusive"),
                    "CONFIG", "SET", "list-max-ziplist-size", "2147483648");
}
END_TEST

START_TEST(test_get_globs_and_aliases) {
    expect_get_set("maxmemory*", HS_ARGS("maxmemory", "0", "maxmemory-policy", "noeviction", "maxmemory-samples", "5",
                                         "maxmemory-eviction-tenacity", "10", "maxmemory-clients", "0"));
    expect_get_set("*max-listpack*",
                   HS_ARGS("hash-max-listpack-entries", "512", "hash-max-listpack-value", "64",
                           "list-max-listpack-size", "-2", "zset-max-listpack-entries", "128",
                           "zset-max-listpack-value", "64"));
    expect_get_set("*max-ziplist*",
                   HS_ARGS("hash-max-ziplist-entries", "512", "hash-max-ziplist-value", "64", "list-max-ziplist-size",
                           "-2", "zset-max-ziplist-entries", "128", "zset-max-ziplist-value", "64"));
    /* the old name sets and reads the same value, answered as asked */
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "zset-max-ziplist-value", "100");
    expect_get_set("ZSET-MAX-ZIPLIST-VALUE", HS_ARGS("ZSET-MAX-ZIPLIST-VALUE", "100"));
    expect_get_set("zset-max-listpack-value", HS_ARGS("zset-max-listpack-value", "100"));
    expect_get_set("lua-time-limit", HS_ARGS("lua-time-limit", "5000"));
    expect_get_set("slave-read-only", HS_ARGS("slave-read-only", "yes"));
    /* "*" lists every directive, old names included, each once */
    redisReply *r = hs_command(ctx, HS_ARGS("CONFIG", "GET", "*"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    const char *must[] = {"maxmemory", "notify-keyspace-events", "client-output-buffer-limit", "appendonly",
                          "hash-max-ziplist-entries", "busy-reply-threshold", "lua-time-limit", "dbfilename"};
    for (size_t m = 0; m < sizeof(must) / sizeof(must[0]); m++) {
        int count = 0;
        for (size_t j = 0; j < r->elements; j += 2) count += !strcmp(r->element[j]->str, must[m]);
        ck_assert_msg(count == 1, "CONFIG GET * lists %s %d times", must[m], count);
    }
    freeReplyObject(r);
}
END_TEST

/* ---------------------------------------------------------- REWRITE */

START_TEST(test_rewrite_survives_restart) {
    hs_conf_server s = {0};
    hs_conf_server_init(&s, "cfgtest");
    FILE *fp = fopen(s.conf, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "# test config\nport %d\nbind 127.0.0.1\ndir %s\nsave \"\"\nhash-max-ziplist-entries 100\n", s.port,
            s.dir);
    fclose(fp);
    hs_conf_server_start(&s, hs_server_path());
    redisContext *c = redisConnect("127.0.0.1", s.port);
    ck_assert(c && !c->err);
    HS_EXPECT_OK(c, "CONFIG", "SET", "maxmemory", "3mb", "maxmemory-policy", "volatile-lfu", "notify-keyspace-events",
                 "Ex", "hash-max-ziplist-entries", "200", "client-output-buffer-limit", "pubsub 1mb 512kb 10",
                 "slowlog-log-slower-than", "-1");
    HS_EXPECT_OK(c, "CONFIG", "REWRITE");
    redisFree(c);
    hs_conf_server_stop(&s);
    hs_conf_server_start(&s, hs_server_path());
    c = redisConnect("127.0.0.1", s.port);
    ck_assert(c && !c->err);
    HS_EXPECT_BULKS(c, HS_ARGS("maxmemory", "3145728"), "CONFIG", "GET", "maxmemory");
    HS_EXPECT_BULKS(c, HS_ARGS("maxmemory-policy", "volatile-lfu"), "CONFIG", "GET", "maxmemory-policy");
    HS_EXPECT_BULKS(c, HS_ARGS("notify-keyspace-events", "xE"), "CONFIG", "GET", "notify-keyspace-events");
    HS_EXPECT_BULKS(c, HS_ARGS("hash-max-listpack-entries", "200"), "CONFIG", "GET", "hash-max-listpack-entries");
    HS_EXPECT_BULKS(c, HS_ARGS("slowlog-log-slower-than", "-1"), "CONFIG", "GET", "slowlog-log-slower-than");
    HS_EXPECT_BULKS(c,
                    HS_ARGS("client-output-buffer-limit",
                            "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 10"),
                    "CONFIG", "GET", "client-output-buffer-limit");
    redisFree(c);
    hs_conf_server_stop(&s);
    /* the old name in the file became the new one, in place */
    fp = fopen(s.conf, "r");
    ck_assert_ptr_nonnull(fp);
    char text[4096];
    size_t n = fread(text, 1, sizeof(text) - 1, fp);
    fclose(fp);
    text[n] = '\0';
    ck_assert_ptr_nonnull(strstr(text, "save \"\"\nhash-max-listpack-entries 200\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nmaxmemory 3mb\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nclient-output-buffer-limit pubsub 1mb 512kb 10\n"));
    ck_assert_ptr_null(strstr(text, "ziplist"));
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", s.dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* As Redis 7.0: CONFIG REWRITE writes the users as they are now (ACL
 * SETUSER / DELUSER included), over the file's user lines in order, the
 * rest (here the default user) at the end. */
START_TEST(test_rewrite_user_lines) {
    hs_conf_server s = {0};
    hs_conf_server_init(&s, "cfgtest");
    FILE *fp = fopen(s.conf, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "port %d\nbind 127.0.0.1\ndir %s\nsave \"\"\nuser alice on >pw ~a* +get\nuser bob off\n", s.port, s.dir);
    fclose(fp);
    hs_conf_server_start(&s, hs_server_path());
    redisContext *c = redisConnect("127.0.0.1", s.port);
    ck_assert(c && !c->err);
    HS_EXPECT_OK(c, "ACL", "SETUSER", "carol", "on", "nopass", "~*", "+@read");
    HS_EXPECT_INT(c, 1, "ACL", "DELUSER", "bob");
    HS_EXPECT_OK(c, "CONFIG", "REWRITE");
    redisFree(c);
    hs_conf_server_stop(&s);
    fp = fopen(s.conf, "r");
    ck_assert_ptr_nonnull(fp);
    char text[4096];
    size_t n = fread(text, 1, sizeof(text) - 1, fp);
    fclose(fp);
    text[n] = '\0';
    const char *in_place = "save \"\"\nuser alice on "
                           "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~a* resetchannels "
                           "-@all +get\nuser carol on nopass ~* resetchannels -@all +@read\n\n# Generated by CONFIG "
                           "REWRITE\n";
    ck_assert_msg(strstr(text, in_place) != NULL, "rewritten file:\n%s", text);
    ck_assert_ptr_nonnull(strstr(text, "\nuser default on nopass ~* &* +@all\n"));
    ck_assert_ptr_null(strstr(text, "bob"));
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", s.dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *config_cmd_suite(void) {
    Suite *s = suite_create("config_cmd");
    TCase *tc = hs_tcase(s, "config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_set_several_atomically);
    tcase_add_test(tc, test_set_bad_values);
    tcase_add_test(tc, test_get_globs_and_aliases);
    tc = hs_tcase(s, "rewrite");
    tcase_add_test(tc, test_rewrite_survives_restart);
    tcase_add_test(tc, test_rewrite_user_lines);
    return s;
}

int main(void) {
    return hs_run_suite(config_cmd_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
