/* test_acl.c -- integration tests for ACL: user rules as ACL LIST shows
 * them, each subcommand (success, arity, bad arguments), AUTH / HELLO
 * with a user, permission checks for commands, keys (%R / %W), channels
 * and selectors, MULTI (EXECABORT) and scripts, ACL LOG, CLIENT KILL USER
 * and user= in CLIENT LIST.
 *
 * Every expected reply is Redis 7.0.15's, byte for byte; one server per
 * test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define WRONGPASS "WRONGPASS invalid username-password pair or user is disabled."
#define NOPERM_KEYS "NOPERM this user has no permissions to access one of the keys used as arguments"
#define NOPERM_CHANNELS "NOPERM this user has no permissions to access one of the channels used as arguments"
#define PW_HASH "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4" /* sha256("pw") */

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

/* A new connection authenticated as user with password pw. */
static redisContext *connect_as(const char *user, const char *pw) {
    redisContext *c = hs_connect(srv);
    HS_EXPECT_OK(c, "AUTH", user, pw);
    return c;
}

START_TEST(test_default_user) {
    HS_EXPECT_BULKS(ctx, HS_ARGS("user default on nopass ~* &* +@all"), "ACL", "LIST");
    HS_EXPECT_BULKS(ctx, HS_ARGS("default"), "ACL", "USERS");
    HS_EXPECT_BULK(ctx, "default", "ACL", "WHOAMI");
    HS_EXPECT_ERROR(ctx, "ERR The 'default' user cannot be removed", "ACL", "DELUSER", "default");
    HS_EXPECT_ARITY(ctx, "acl|whoami", "ACL", "WHOAMI", "x");
    HS_EXPECT_ARITY(ctx, "acl|list", "ACL", "LIST", "x");
    HS_EXPECT_ARITY(ctx, "acl|users", "ACL", "USERS", "x");
    HS_EXPECT_ARITY(ctx, "acl|setuser", "ACL", "SETUSER");
    HS_EXPECT_ARITY(ctx, "acl|getuser", "ACL", "GETUSER");
    HS_EXPECT_ARITY(ctx, "acl|deluser", "ACL", "DELUSER");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'NOPE'. Try ACL HELP.", "ACL", "NOPE");
}
END_TEST

/* Each rule, and how ACL LIST normalises it (as Redis 7.0 printed). */
START_TEST(test_rule_descriptions) {
    static const struct {
        const char *rules[6];
        const char *line;
    } cases[] = {
        {{"on", ">pw", "~cache:*", "+@read", "-get"}, "user t on #" PW_HASH " ~cache:* resetchannels -@all +@read -get"},
        {{"+get", "+get", "-get"}, "user t off resetchannels -@all"},
        {{"+@read", "+@read", "-@read"}, "user t off resetchannels -@all"},
        {{"+@all", "-@all", "+get"}, "user t off resetchannels -@all +get"},
        {{"allcommands", "-@read", "+get"}, "user t off resetchannels +@all -@read +get"},
        {{"+client|id", "+client"}, "user t off resetchannels -@all +client"},
        {{"+client", "+client|id"}, "user t off resetchannels -@all +client"},
        {{"+@all", "-client", "+client|id"}, "user t off resetchannels +@all -client +client|id"},
        {{"+get", "-@read"}, "user t off resetchannels -@all"},
        {{"+@read", "-@write"}, "user t off resetchannels -@all +@read"},
        {{"+@all", "-get", "-@read"}, "user t off resetchannels +@all -@read"},
        {{"~a", "allkeys"}, "user t off ~* resetchannels -@all"},
        {{"resetkeys", "~a", "%W~b", "%RW~c", "%R~d"}, "user t off ~a %W~b ~c %R~d resetchannels -@all"},
        {{"allchannels", "resetchannels", "&x", "&y"}, "user t off resetchannels &x &y -@all"},
        {{"on", "nopass", "allcommands", "allkeys", "allchannels"}, "user t on nopass ~* &* +@all"},
        {{"on", ">a", ">b", "<a"}, "user t on #3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d "
                                   "resetchannels -@all"},
        {{"reset"}, "user t off sanitize-payload resetchannels -@all"},
        {{"skip-sanitize-payload", "nopass"}, "user t off nopass skip-sanitize-payload resetchannels -@all"},
        {{"(~a +get)", "(&b +set)", "clearselectors", "(+del)"}, "user t off resetchannels -@all (resetchannels -@all +del)"},
        {{"+GET", "-SET"}, "user t off resetchannels -@all +get"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *argv[10] = {"ACL", "SETUSER", "t"};
        int argc = 3;
        for (int j = 0; cases[i].rules[j]; j++) argv[argc++] = cases[i].rules[j];
        redisReply *r = hs_command(ctx, HS_ARGS("ACL", "DELUSER", "t"));
        freeReplyObject(r);
        r = hs_command_argv(ctx, argc, argv, NULL);
        HS_CHECK_STATUS(r, "OK");
        freeReplyObject(r);
        HS_EXPECT_BULKS(ctx, HS_ARGS("user default on nopass ~* &* +@all", cases[i].line), "ACL", "LIST");
    }
}
END_TEST

START_TEST(test_setuser_errors) {
    HS_EXPECT_ERROR(ctx,
                    "ERR Error in ACL SETUSER modifier '~a': Adding a pattern after the * pattern (or the 'allkeys' "
                    "flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list "
                    "of patterns",
                    "ACL", "SETUSER", "t", "allkeys", "~a");
    HS_EXPECT_ERROR(ctx,
                    "ERR Error in ACL SETUSER modifier '&b': Adding a pattern after the * pattern (or the "
                    "'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start "
                    "with an empty list of channels",
                    "ACL", "SETUSER", "t", "&a", "allchannels", "&b");
    HS_EXPECT_ERROR(ctx,
                    "ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and "
                    "contain only lowercase hexadecimal characters",
                    "ACL", "SETUSER", "t", "#abc");
    HS_EXPECT_ERROR(ctx,
                    "ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user "
                    "does not exist",
                    "ACL", "SETUSER", "t", "<nope");
    HS_EXPECT_ERROR(ctx, "ERR Usernames can't contain spaces or null characters", "ACL", "SETUSER", "a b");
    HS_EXPECT_ERROR(ctx, "ERR Unmatched parenthesis in acl selector starting at '(~a'.", "ACL", "SETUSER", "t", "(~a");
    HS_EXPECT_ERROR(ctx, "ERR Error in ACL SETUSER modifier '(foo)': Syntax error", "ACL", "SETUSER", "t", "(foo)");
    HS_EXPECT_ERROR(ctx, "ERR Error in ACL SETUSER modifier 'bogus': Syntax error", "ACL", "SETUSER", "t", "bogus");
    HS_EXPECT_ERROR(ctx, "ERR Error in ACL SETUSER modifier '+nope': Unknown command or category name in ACL", "ACL",
                    "SETUSER", "t", "+nope");
    HS_EXPECT_ERROR(ctx, "ERR Error in ACL SETUSER modifier '+@nope': Unknown command or category name in ACL",
                    "ACL", "SETUSER", "t", "+@nope");
    /* A failed SETUSER changes nothing, and creates no user. */
    HS_EXPECT_BULKS(ctx, HS_ARGS("default"), "ACL", "USERS");
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "t", "on", "+get");
    HS_EXPECT_ERROR_PREFIX(ctx, "ERR Error in ACL SETUSER modifier 'x'", "ACL", "SETUSER", "t", "+set", "x");
    HS_EXPECT_BULKS(ctx, HS_ARGS("user default on nopass ~* &* +@all", "user t on resetchannels -@all +get"), "ACL",
                    "LIST");
}
END_TEST

START_TEST(test_getuser) {
    HS_EXPECT_NIL(ctx, "ACL", "GETUSER", "nobody");
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "u1", "on", ">pw", "~cache:*", "%R~r*", "&ch*", "+@read", "(+set", "~x*)");
    redisReply *r = hs_command(ctx, HS_ARGS("ACL", "GETUSER", "u1"));
    hs_buf b = {0};
    hs_cat_reply(&b, r);
    freeReplyObject(r);
    ck_assert_msg(strstr(b.data, PW_HASH) && strstr(b.data, "-@all +@read") && strstr(b.data, "~cache:* %R~r*") &&
                      strstr(b.data, "&ch*") && strstr(b.data, "-@all +set") && strstr(b.data, "~x*"),
                  "GETUSER: %s", b.data);
    hs_buf_free(&b);
    HS_EXPECT_INT(ctx, 1, "ACL", "DELUSER", "u1", "nobody");
    HS_EXPECT_NIL(ctx, "ACL", "GETUSER", "u1");
}
END_TEST

START_TEST(test_auth_and_hello) {
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "u", "on", ">pw", "+@all", "~*");
    redisContext *c = hs_connect(srv);
    HS_EXPECT_ERROR(c, WRONGPASS, "AUTH", "u", "bad");
    HS_EXPECT_ERROR(c, WRONGPASS, "AUTH", "nobody", "pw");
    HS_EXPECT_OK(c, "AUTH", "u", "pw");
    HS_EXPECT_BULK(c, "u", "ACL", "WHOAMI");
    HS_EXPECT_ERROR(c, WRONGPASS, "HELLO", "3", "AUTH", "u", "bad");
    redisReply *r = hs_command(c, HS_ARGS("HELLO", "2", "AUTH", "default", "anything"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    HS_EXPECT_BULK(c, "default", "ACL", "WHOAMI");
    /* A disabled user cannot log in, even with the right password. */
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "u", "off");
    HS_EXPECT_ERROR(c, WRONGPASS, "AUTH", "u", "pw");
    redisFree(c);
    /* Failed logins are in the log, reason auth. */
    r = hs_command(ctx, HS_ARGS("ACL", "LOG", "1"));
    hs_buf b = {0};
    hs_cat_reply(&b, r);
    freeReplyObject(r);
    ck_assert_msg(strstr(b.data, "\"auth\"") && strstr(b.data, "\"hello\"") == NULL && strstr(b.data, "toplevel"),
                  "%s", b.data);
    hs_buf_free(&b);
}
END_TEST

START_TEST(test_permissions) {
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "r", "on", ">pw", "~cache:*", "%R~ro:*", "%W~wo:*", "+@read", "+set",
                 "+publish", "&news*", "(~sel:*", "+del)");
    redisContext *c = connect_as("r", "pw");
    HS_EXPECT_NIL(c, "GET", "cache:a");
    HS_EXPECT_ERROR(c, NOPERM_KEYS, "GET", "other");
    HS_EXPECT_ERROR(c, NOPERM_KEYS, "SET", "ro:1", "x");
    HS_EXPECT_OK(c, "SET", "wo:1", "x");
    HS_EXPECT_ERROR(c, NOPERM_KEYS, "SET", "wo:1", "x", "GET");
    HS_EXPECT_ERROR(c, NOPERM_KEYS, "GET", "wo:1");
    HS_EXPECT_NIL(c, "GET", "ro:1");
    HS_EXPECT_ERROR(c, "NOPERM this user has no permissions to run the 'hset' command", "HSET", "cache:a", "f", "v");
    HS_EXPECT_ERROR(c, "NOPERM this user has no permissions to run the 'client|id' command", "CLIENT", "ID");
    /* The selector allows DEL on its keys; elsewhere the key is the
     * reason (the most specific denial wins). */
    HS_EXPECT_INT(c, 0, "DEL", "sel:a");
    HS_EXPECT_ERROR(c, NOPERM_KEYS, "DEL", "cache:a");
    HS_EXPECT_INT(c, 0, "PUBLISH", "news1", "x");
    HS_EXPECT_ERROR(c, NOPERM_CHANNELS, "PUBLISH", "other", "x");
    /* DRYRUN answers for any user without running anything. */
    HS_EXPECT_OK(ctx, "ACL", "DRYRUN", "r", "GET", "cache:x");
    HS_EXPECT_BULK(ctx, "This user has no permissions to access the 'zz' key", "ACL", "DRYRUN", "r", "GET", "zz");
    HS_EXPECT_BULK(ctx, "This user has no permissions to run the 'hset' command", "ACL", "DRYRUN", "r", "HSET", "a",
                   "b", "c");
    HS_EXPECT_ERROR(ctx, "ERR User 'nobody' not found", "ACL", "DRYRUN", "nobody", "GET", "a");
    HS_EXPECT_ERROR(ctx, "ERR Command 'nocmd' not found", "ACL", "DRYRUN", "r", "nocmd");
    HS_EXPECT_ARITY(ctx, "get", "ACL", "DRYRUN", "r", "GET");
    redisFree(c);
}
END_TEST

START_TEST(test_multi_and_scripts) {
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "r", "on", ">pw", "~cache:*", "+@read", "+multi", "+exec", "+eval");
    redisContext *c = connect_as("r", "pw");
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_ERROR(c, "NOPERM this user has no permissions to run the 'hset' command", "HSET", "cache:a", "f", "v");
    HS_EXPECT_STATUS(c, "QUEUED", "GET", "cache:a");
    HS_EXPECT_ERROR(c, "EXECABORT Transaction discarded because of previous errors.", "EXEC");
    HS_EXPECT_ERROR_PREFIX(c, "ERR The user executing the script can't run this command or subcommand script:",
                           "EVAL", "return redis.call('hset','cache:a','f','v')", "0");
    HS_EXPECT_ERROR_PREFIX(c,
                           "ERR The user executing the script can't access at least one of the keys mentioned in "
                           "the command arguments script:",
                           "EVAL", "return redis.call('get','zz')", "0");
    redisFree(c);
    redisReply *r = hs_command(ctx, HS_ARGS("ACL", "LOG"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq((int)r->elements, 3);
    hs_buf b = {0};
    hs_cat_reply(&b, r);
    freeReplyObject(r);
    ck_assert_msg(strstr(b.data, "lua") && strstr(b.data, "multi") && strstr(b.data, "user=r"), "%s", b.data);
    hs_buf_free(&b);
    HS_EXPECT_OK(ctx, "ACL", "LOG", "RESET");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "ACL", "LOG");
}
END_TEST

START_TEST(test_cat_genpass_help) {
    redisReply *r = hs_command(ctx, HS_ARGS("ACL", "CAT"));
    ck_assert_int_eq((int)r->elements, 21);
    ck_assert_str_eq(r->element[0]->str, "keyspace");
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR Unknown category 'foo'", "ACL", "CAT", "foo");
    r = hs_command(ctx, HS_ARGS("ACL", "GENPASS"));
    ck_assert_int_eq((int)r->len, 64);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("ACL", "GENPASS", "5"));
    ck_assert_int_eq((int)r->len, 2);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx,
                    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number "
                    "up to 4096",
                    "ACL", "GENPASS", "0");
    r = hs_command(ctx, HS_ARGS("ACL", "HELP"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx,
                    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via "
                    "the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
                    "configuration file set) in order to store users in the Redis configuration.",
                    "ACL", "LOAD");
}
END_TEST

START_TEST(test_deluser_kills_and_client_list) {
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "k", "on", "nopass", "+@all", "~*");
    redisContext *c = connect_as("k", "x");
    redisReply *r = hs_command(c, HS_ARGS("CLIENT", "INFO"));
    ck_assert_msg(strstr(r->str, " user=k "), "%s", r->str);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 1, "CLIENT", "KILL", "USER", "k");
    HS_EXPECT_ERROR(ctx, "ERR No such user 'nobody'", "CLIENT", "KILL", "USER", "nobody");
    redisFree(c);
    c = connect_as("k", "x");
    HS_EXPECT_INT(ctx, 1, "ACL", "DELUSER", "k");
    r = redisCommand(c, "PING");
    ck_assert_msg(r == NULL, "client of a deleted user still served");
    if (r) freeReplyObject(r);
    redisFree(c);
}
END_TEST

/* ACL SAVE writes what ACL LIST shows; ACL LOAD reads it back, and a bad
 * file changes nothing. */
START_TEST(test_aclfile_round_trip) {
    char path[] = "/tmp/minired-acl-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *text = "user default on nopass ~* &* +@all\nuser y on >p ~* +get\n";
    ck_assert_int_eq((int)write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    hs_server *s = hs_start(HS_ARGS("--aclfile", path));
    redisContext *c = hs_connect(s);
    const char *y_line = "user y on #148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940 ~* resetchannels -@all +get";
    HS_EXPECT_BULKS(c, HS_ARGS("user default on nopass ~* &* +@all", y_line), "ACL", "LIST");
    HS_EXPECT_OK(c, "ACL", "SETUSER", "q", "on", "+@read", "~k*");
    HS_EXPECT_OK(c, "ACL", "SAVE");
    HS_EXPECT_INT(c, 1, "ACL", "DELUSER", "q");
    HS_EXPECT_OK(c, "ACL", "LOAD");
    HS_EXPECT_BULKS(c, HS_ARGS("user default on nopass ~* &* +@all", "user q on ~k* resetchannels -@all +@read", y_line),
                    "ACL", "LIST");
    FILE *f = fopen(path, "w");
    fputs("user default on nopass ~* &* +@all\nuser x on +nope\n", f);
    fclose(f);
    HS_EXPECT_ERROR_PREFIX(c, "ERR /tmp/minired-acl-", "ACL", "LOAD");
    HS_EXPECT_BULKS(c, HS_ARGS("user default on nopass ~* &* +@all", "user q on ~k* resetchannels -@all +@read", y_line),
                    "ACL", "LIST");
    redisFree(c);
    hs_stop(s);
    unlink(path);
}
END_TEST

/* ACL LOAD as Redis 7.0: clients of every non-default user are closed
 * (kept users too), the default user's stay; every line is looked at and
 * all errors are listed, with nothing changed. */
START_TEST(test_acl_load_clients_and_errors) {
    char path[] = "/tmp/minired-acl-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *text = "user default on nopass ~* &* +@all\nuser a on nopass ~* &* +@all\n";
    ck_assert_int_eq((int)write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    hs_server *s = hs_start(HS_ARGS("--aclfile", path));
    redisContext *c = hs_connect(s);
    redisContext *a = hs_connect(s);
    HS_EXPECT_OK(a, "AUTH", "a", "x");
    HS_EXPECT_OK(c, "ACL", "LOAD");
    redisReply *r = redisCommand(a, "PING");
    ck_assert_msg(r == NULL, "client of a reloaded user kept");
    if (r) freeReplyObject(r);
    redisFree(a);
    HS_EXPECT_STATUS(c, "PONG", "PING");
    FILE *f = fopen(path, "w");
    fputs("user default on nopass ~* &* +@all\nuser a on +nope ~* ~x +nope2\nfoo\nuser a on\n"
          "user b on (~a* +get) ( +set ~b )\n",
          f);
    fclose(f);
    char want[2048];
    snprintf(want, sizeof(want),
                              "ERR %s:2: Error in applying operation '+nope': Unknown command or category name in ACL. "
                              "%s:2: Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and "
                              "does not have any effect. Try 'resetkeys' to start with an empty list of patterns. "
                              "%s:2: Error in applying operation '+nope2': Unknown command or category name in ACL. "
                              "%s:3 should start with user keyword followed by the username. WARNING: Duplicate user "
                              "'a' found on line 4. WARNING: ACL errors detected, no change to the previously active "
                              "ACL rules was performed",
                              path, path, path, path);
    HS_EXPECT_ERROR(c, want, "ACL", "LOAD");
    HS_EXPECT_BULKS(c, HS_ARGS("user a on nopass ~* &* +@all", "user default on nopass ~* &* +@all"), "ACL", "LIST");
    f = fopen(path, "w");
    fputs("user default on nopass ~* &* +@all\nuser b on (~a* +get) ( +set ~b )\n", f);
    fclose(f);
    HS_EXPECT_OK(c, "ACL", "LOAD");
    HS_EXPECT_BULKS(c,
                    HS_ARGS("user b on resetchannels -@all (~a* resetchannels -@all +get) (~b resetchannels -@all "
                            "+set)",
                            "user default on nopass ~* &* +@all"),
                    "ACL", "LIST");
    redisFree(c);
    hs_stop(s);
    unlink(path);
}
END_TEST

static int reply_has(const redisReply *r, const char *s) {
    for (size_t i = 0; i < r->elements; i++)
        if (strcmp(r->element[i]->str, s) == 0) return 1;
    return 0;
}

/* ACL CAT lists containers (CLIENT is @slow) and Redis's commands the rules
 * know though minired lacks them, as Redis 7.0 does. */
START_TEST(test_cat_lists_containers) {
    redisReply *r = hs_command(ctx, HS_ARGS("ACL", "CAT", "slow"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert(reply_has(r, "client") && reply_has(r, "client|kill") && reply_has(r, "cluster|info"));
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("ACL", "CAT", "connection"));
    ck_assert(reply_has(r, "command") && reply_has(r, "wait") && !reply_has(r, "get"));
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "ab", "+@all", "-migrate", "-cluster|reset", "+cluster|info");
    /* Single commands come in table order (Redis: its dict's, which
     * changes at every start), so either order is Redis's. */
    r = hs_command(ctx, HS_ARGS("ACL", "LIST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 2);
    const char *ab = r->element[0]->str;
    ck_assert_msg(strcmp(ab, "user ab off resetchannels +@all -cluster|reset -migrate") == 0 ||
                      strcmp(ab, "user ab off resetchannels +@all -migrate -cluster|reset") == 0,
                  "%s", ab);
    ck_assert_str_eq(r->element[1]->str, "user default on nopass ~* &* +@all");
    freeReplyObject(r);
}
END_TEST

/* Rules changed between MULTI and EXEC: EXEC looks again, per command. */
START_TEST(test_exec_rechecks) {
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "m", "on", "nopass", "+@all", "~*");
    redisContext *c = connect_as("m", "x");
    HS_EXPECT_OK(c, "MULTI");
    HS_EXPECT_STATUS(c, "QUEUED", "SET", "k", "1");
    HS_EXPECT_STATUS(c, "QUEUED", "GET", "k");
    HS_EXPECT_STATUS(c, "QUEUED", "GET", "z");
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "m", "-set", "resetkeys", "~z");
    redisReply *r = hs_command(c, HS_ARGS("EXEC"));
    ck_assert_int_eq((int)r->elements, 3);
    HS_CHECK_ERROR(r->element[0], "NOPERM ACLs rules changed between the moment the transaction was accumulated and "
                                  "the EXEC call. This command is no longer allowed for the following reason: no "
                                  "permission to execute the command or subcommand");
    HS_CHECK_ERROR(r->element[1], "NOPERM ACLs rules changed between the moment the transaction was accumulated and "
                                  "the EXEC call. This command is no longer allowed for the following reason: no "
                                  "permission to touch the specified keys");
    HS_CHECK_NIL(r->element[2]);
    freeReplyObject(r);
    redisFree(c);
    HS_EXPECT_NIL(ctx, "GET", "k");
}
END_TEST

/* A subscriber whose user loses the channel is disconnected. */
START_TEST(test_channel_change_kills_subscriber) {
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "ps", "on", "nopass", "+@all", "resetchannels", "&a*");
    redisContext *c = connect_as("ps", "x");
    redisReply *r = hs_command(c, HS_ARGS("SUBSCRIBE", "a1"));
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "ps", "&b*");
    r = hs_command(c, HS_ARGS("PING"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "ACL", "SETUSER", "ps", "resetchannels", "&b*");
    r = redisCommand(c, "PING");
    ck_assert_msg(r == NULL, "subscriber kept after losing its channel");
    if (r) freeReplyObject(r);
    redisFree(c);
}
END_TEST

/* `user` lines of the configuration: a new user is created as given, an
 * existing one (default) is reset first. */
START_TEST(test_config_user_lines) {
    hs_server *s = hs_start(HS_ARGS("--user", "u1", "on", ">pw", "~a*", "+get", "--user", "default", "on", "nopass",
                                    "~*", "&*", "+@all"));
    redisContext *c = hs_connect(s);
    HS_EXPECT_BULKS(c,
                    HS_ARGS("user default on nopass sanitize-payload ~* &* +@all",
                            "user u1 on #" PW_HASH " ~a* resetchannels -@all +get"),
                    "ACL", "LIST");
    HS_EXPECT_OK(c, "AUTH", "u1", "pw");
    HS_EXPECT_NIL(c, "GET", "a1");
    HS_EXPECT_ERROR(c, NOPERM_KEYS, "GET", "b1");
    redisFree(c);
    hs_stop(s);
}
END_TEST

static Suite *acl_suite(void) {
    Suite *s = suite_create("acl");
    TCase *tc = hs_tcase(s, "acl");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_default_user);
    tcase_add_test(tc, test_rule_descriptions);
    tcase_add_test(tc, test_setuser_errors);
    tcase_add_test(tc, test_getuser);
    tcase_add_test(tc, test_auth_and_hello);
    tcase_add_test(tc, test_permissions);
    tcase_add_test(tc, test_multi_and_scripts);
    tcase_add_test(tc, test_cat_genpass_help);
    tcase_add_test(tc, test_cat_lists_containers);
    tcase_add_test(tc, test_deluser_kills_and_client_list);
    tcase_add_test(tc, test_exec_rechecks);
    tcase_add_test(tc, test_channel_change_kills_subscriber);
    TCase *files = hs_tcase(s, "aclfile");
    tcase_add_test(files, test_aclfile_round_trip);
    tcase_add_test(files, test_config_user_lines);
    tcase_add_test(files, test_acl_load_clients_and_errors);
    return s;
}

int main(void) {
    return hs_run_suite(acl_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
