/* test_cmd_call.c -- Check tests for the one way into a command: a client
 * with no socket runs commands through cmd_resolve / cmd_call and reads
 * its reply; each caller kind gets exactly Redis's checks; EXEC's effects
 * are one unit, wrapped as Redis 7.0 wraps a transaction.
 *
 * Links every server object but main.o and drives the real dispatcher,
 * keyspace and effects stream in this process: no socket, no DEBUG. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "db.h"
#include "monotonic.h"
#include "multi.h"
#include "networking.h"
#include "propagate.h"
#include "reply.h"
#include "acl.h"
#include "server.h"
#include "zmalloc.h"

#define BIG_ECHO_BYTES (3 * PROTO_REPLY_CHUNK_BYTES + 17)
#define MAX_TEST_ARGS 8

static client *cl;

static void set_config(const char *name, const char *value) {
    char *pair[2] = {(char *)name, (char *)value};
    sds err = NULL;
    ck_assert_msg(config_set_pairs(2, pair, 1, &err) == 0, "config %s: %s", name, err ? err : "");
}

static void setup(void) {
    static int started;
    if (!started) {
        config_init_defaults();
        mono_init();
        cmd_init();
        db_init(cfg.databases);
        /* requirepass is the default user's password (server.c's hook). */
        static const struct config_hooks hooks = {.requirepass_changed = acl_requirepass_changed};
        config_set_hooks(&hooks);
        started = 1;
    }
    set_config("requirepass", "");
    set_config("maxmemory", "0");
    cl = net_create_client(-1);
    cl->flags |= CLIENT_NO_SOCKET;
}

static void teardown(void) {
    net_free_client(cl);
    db_empty(-1);
}

/* Runs a NULL-terminated list of C strings as one command of c with the
 * checks of kind; returns the reply bytes (new). */
static sds run(client *c, enum cmd_caller kind, const char *const *args) {
    sds argv[MAX_TEST_ARGS] = {0};
    int argc = 0;
    for (; args[argc]; argc++) argv[argc] = sds_new(args[argc]);
    sds out = cmd_run_argv(c, kind, argc, argv);
    for (int i = 0; i < argc; i++) sds_free(argv[i]);
    return out;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define EXPECT_REPLY(c, kind, want, ...)                                                      \
    do {                                                                                      \
        sds got_ = run((c), (kind), ARGS(__VA_ARGS__));                                       \
        ck_assert_msg(sds_len(got_) == strlen(want) && memcmp(got_, want, strlen(want)) == 0, \
                      "got [%s], want [%s]", got_, want);                                     \
        sds_free(got_);                                                                       \
    } while (0)

/* The reply of a socketless client stays with it for the caller; nothing
 * is queued for a socket write. */
START_TEST(test_socketless_reply) {
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+PONG\r\n", "PING");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "SET", "k", "v");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "$1\r\nv\r\n", "GET", "k");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, ":1\r\n", "RPUSH", "l", "a-long-enough-value-to-be-taken-by-the-keyspace");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "*1\r\n$47\r\na-long-enough-value-to-be-taken-by-the-keyspace\r\n",
                 "LRANGE", "l", "0", "-1");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "-ERR unknown command 'nosuch', with args beginning with: 'x' \r\n",
                 "nosuch", "x");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "-ERR wrong number of arguments for 'get' command\r\n", "GET");
    ck_assert_ptr_null(server.pending_write);
    /* a reply bigger than the fixed buffer comes back whole, from blocks */
    sds big = sds_new_len(NULL, BIG_ECHO_BYTES);
    memset(big, 'x', BIG_ECHO_BYTES);
    sds argv[2] = {sds_new("ECHO"), big};
    sds out = cmd_run_argv(cl, CMD_CALLER_CLIENT, 2, argv);
    sds want = sds_cat_printf(sds_empty(), "$%d\r\n", BIG_ECHO_BYTES);
    want = sds_cat_len(want, big, BIG_ECHO_BYTES);
    want = sds_cat_len(want, "\r\n", 2);
    ck_assert_uint_eq(sds_len(out), sds_len(want));
    ck_assert(memcmp(out, want, sds_len(want)) == 0);
    ck_assert_uint_eq(net_client_output_len(cl), 0);
    sds_free(out);
    sds_free(want);
    sds_free(argv[0]);
    sds_free(argv[1]);
    /* MULTI works the same way: queued, then run by EXEC */
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "MULTI");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+QUEUED\r\n", "INCR", "n");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+QUEUED\r\n", "INCR", "n");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "*2\r\n:1\r\n:2\r\n", "EXEC");
    /* a blocking command cannot wait without a socket: it times out at once */
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "*-1\r\n", "BLPOP", "nolist", "0");
    ck_assert_int_eq(cl->flags & CLIENT_BLOCKED, 0);
}
END_TEST

/* Authentication: checked for socket clients, CLIENT PAUSE's question
 * and MULTI; the AOF loader, the primary's link and scripts skip it. */
START_TEST(test_auth_exemptions) {
    set_config("requirepass", "pw");
    client *c = net_create_client(-1);
    c->flags |= CLIENT_NO_SOCKET;
    ck_assert_int_eq(c->authenticated, 0);
    EXPECT_REPLY(c, CMD_CALLER_CLIENT, "-NOAUTH Authentication required.\r\n", "GET", "k");
    EXPECT_REPLY(c, CMD_CALLER_LOADER, "$-1\r\n", "GET", "k");
    EXPECT_REPLY(c, CMD_CALLER_PRIMARY, "+OK\r\n", "SET", "k", "v");
    EXPECT_REPLY(c, CMD_CALLER_SCRIPT, "$1\r\nv\r\n", "GET", "k");
    /* lookup and arity come first, for every kind */
    EXPECT_REPLY(c, CMD_CALLER_CLIENT, "-ERR wrong number of arguments for 'get' command\r\n", "GET");
    EXPECT_REPLY(c, CMD_CALLER_LOADER, "-ERR wrong number of arguments for 'get' command\r\n", "GET");
    EXPECT_REPLY(c, CMD_CALLER_PRIMARY, "-ERR unknown subcommand 'nope'. Try CLIENT HELP.\r\n", "CLIENT",
                 "nope");
    /* the PAUSE question: the same refusal, and nothing runs */
    sds argv[2] = {sds_new("GET"), sds_new("k")};
    c->argv = argv;
    c->argc = 2;
    sds err;
    redis_command *cmd = cmd_resolve(c, CMD_CALLER_PAUSE, &err);
    ck_assert_ptr_nonnull(cmd);
    ck_assert_str_eq(cmd->name, "get");
    ck_assert_str_eq(err, "-NOAUTH Authentication required.");
    sds_free(err);
    c->argv = NULL;
    c->argc = 0;
    sds_free(argv[0]);
    sds_free(argv[1]);
    EXPECT_REPLY(c, CMD_CALLER_CLIENT, "+OK\r\n", "AUTH", "pw");
    EXPECT_REPLY(c, CMD_CALLER_CLIENT, "$1\r\nv\r\n", "GET", "k");
    net_free_client(c);
}
END_TEST

/* Over maxmemory: denyoom refused for socket clients, never for the
 * loader or the primary, nor by cmd_resolve for a script (script.c has
 * Redis's own OOM rule for scripts: only before their first write); CLIENT PAUSE's question never evicts
 * nor refuses; while queueing, everything but EXEC/DISCARD/QUIT/RESET. */
START_TEST(test_oom_exemptions) {
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "SET", "k", "v");
    set_config("maxmemory", "1");
    const char *oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, oom, "SET", "a", "1");
    EXPECT_REPLY(cl, CMD_CALLER_SCRIPT, "+OK\r\n", "SET", "a", "1");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "$1\r\nv\r\n", "GET", "k");
    EXPECT_REPLY(cl, CMD_CALLER_LOADER, "+OK\r\n", "SET", "a", "1");
    EXPECT_REPLY(cl, CMD_CALLER_PRIMARY, "+OK\r\n", "SET", "b", "1");
    sds argv[3] = {sds_new("SET"), sds_new("c"), sds_new("1")};
    cl->argv = argv;
    cl->argc = 3;
    sds err;
    ck_assert_ptr_nonnull(cmd_resolve(cl, CMD_CALLER_PAUSE, &err));
    ck_assert_ptr_null(err);
    cl->argv = NULL;
    cl->argc = 0;
    for (int i = 0; i < 3; i++) sds_free(argv[i]);
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "MULTI");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, oom, "GET", "k");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC");
    set_config("maxmemory", "0");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "MULTI");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+QUEUED\r\n", "SET", "x", "1");
    set_config("maxmemory", "1");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT,
                 "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > "
                 "'maxmemory'.\r\n",
                 "EXEC");
    ck_assert_int_eq(cl->flags & CLIENT_MULTI, 0);
    set_config("maxmemory", "0");
}
END_TEST

/* Scripts: noscript commands refused, and Redis's script texts for an
 * unknown command or a wrong argument count. */
START_TEST(test_script_checks) {
    EXPECT_REPLY(cl, CMD_CALLER_SCRIPT, "-ERR This Redis command is not allowed from script\r\n", "MULTI");
    EXPECT_REPLY(cl, CMD_CALLER_SCRIPT, "-ERR Unknown Redis command called from script\r\n", "nosuch");
    EXPECT_REPLY(cl, CMD_CALLER_SCRIPT, "-ERR Unknown Redis command called from script\r\n", "CLIENT", "nope");
    EXPECT_REPLY(cl, CMD_CALLER_SCRIPT, "-ERR Wrong number of args calling Redis command from script\r\n", "GET");
    EXPECT_REPLY(cl, CMD_CALLER_SCRIPT, "+PONG\r\n", "PING");
}
END_TEST

/* ---------------------------------------------------------- EXEC effects */

static sds captured;

static void capture(const char *buf, size_t len, void *ctx) {
    (void)ctx;
    captured = sds_cat_len(captured, buf, len);
}

/* Stand-ins for writes: no command of the table advances the dirty
 * counter yet in every build, so these do, as a write that changed one
 * key would. */
static void fake_write_proc(client *c) {
    db_dirty(1);
    reply_ok(c);
}

static void fake_fail_proc(client *c) {
    reply_error(c, "-WRONGTYPE Operation against a key holding the wrong kind of value");
}

static redis_command fake_write = {.name = "set", .fullname = "set", .proc = fake_write_proc, .arity = -3,
                                   .flags = CMD_WRITE};
static redis_command fake_fail = {.name = "lpush", .fullname = "lpush", .proc = fake_fail_proc, .arity = -3,
                                  .flags = CMD_WRITE};

/* Queues argv as cmd in cl's transaction. */
static void queue(redis_command *cmd, const char *const *args) {
    sds argv[MAX_TEST_ARGS] = {0};
    int argc = 0;
    for (; args[argc]; argc++) argv[argc] = sds_new(args[argc]);
    cl->argv = argv;
    cl->argc = argc;
    cl->cmd = cmd;
    multi_queue_command(cl);
    sds out = reply_take_output(cl);
    ck_assert_str_eq(out, "+QUEUED\r\n");
    sds_free(out);
    for (int i = 0; i < argc; i++) sds_free(argv[i]);
    cl->argv = NULL;
    cl->argc = 0;
}

static void expect_effects(const char *want) {
    ck_assert_msg(sds_len(captured) == strlen(want) && memcmp(captured, want, strlen(want)) == 0,
                  "effects [%s], want [%s]", captured, want);
    sds_clear(captured);
}

#define RESP_SELECT(n) "*2\r\n$6\r\nSELECT\r\n$1\r\n" n "\r\n"
#define RESP_SET(k, v) "*3\r\n$3\r\nset\r\n$1\r\n" k "\r\n$1\r\n" v "\r\n"
#define RESP_MULTI "*1\r\n$5\r\nMULTI\r\n"
#define RESP_EXEC "*1\r\n$4\r\nEXEC\r\n"

/* Each expected stream is what Redis 7.0.15 sent its replica for the same
 * transaction (SYNC link, SELECT first since the link is new). */
START_TEST(test_exec_effects) {
    captured = sds_empty();
    prop_add_consumer(capture, NULL);
    /* one write: no MULTI/EXEC around it */
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "MULTI");
    queue(&fake_write, ARGS("set", "a", "1"));
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "*1\r\n+OK\r\n", "EXEC");
    expect_effects(RESP_SELECT("0") RESP_SET("a", "1"));
    /* several: wrapped; a failed command adds nothing */
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "MULTI");
    queue(&fake_write, ARGS("set", "a", "1"));
    queue(&fake_fail, ARGS("lpush", "a", "x"));
    queue(&fake_write, ARGS("set", "b", "2"));
    sds out = run(cl, CMD_CALLER_CLIENT, ARGS("EXEC"));
    ck_assert(strncmp(out, "*3\r\n+OK\r\n-WRONGTYPE", 19) == 0);
    sds_free(out);
    expect_effects(RESP_MULTI RESP_SET("a", "1") RESP_SET("b", "2") RESP_EXEC);
    /* reads only, or nothing: no effect at all */
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "MULTI");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+QUEUED\r\n", "GET", "a");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "*1\r\n$-1\r\n", "EXEC");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "MULTI");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "*0\r\n", "EXEC");
    expect_effects("");
    /* SELECT inside: the write carries its database; SELECT before MULTI
     * when the first write is elsewhere, inside it when a later one is */
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "MULTI");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+QUEUED\r\n", "SELECT", "1");
    queue(&fake_write, ARGS("set", "a", "1"));
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "*2\r\n+OK\r\n+OK\r\n", "EXEC");
    expect_effects(RESP_SELECT("1") RESP_SET("a", "1"));
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+OK\r\n", "MULTI");
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+QUEUED\r\n", "SELECT", "2");
    queue(&fake_write, ARGS("set", "b", "1"));
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "+QUEUED\r\n", "SELECT", "0");
    queue(&fake_write, ARGS("set", "c", "1"));
    EXPECT_REPLY(cl, CMD_CALLER_CLIENT, "*4\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n", "EXEC");
    expect_effects(RESP_SELECT("2") RESP_MULTI RESP_SET("b", "1") RESP_SELECT("0") RESP_SET("c", "1") RESP_EXEC);
    prop_remove_consumer(capture, NULL);
    sds_free(captured);
}
END_TEST

static Suite *cmd_call_suite(void) {
    Suite *s = suite_create("cmd_call");
    TCase *tc = tcase_create("cmd_call");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_socketless_reply);
    tcase_add_test(tc, test_auth_exemptions);
    tcase_add_test(tc, test_oom_exemptions);
    tcase_add_test(tc, test_script_checks);
    tcase_add_test(tc, test_exec_effects);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(cmd_call_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
