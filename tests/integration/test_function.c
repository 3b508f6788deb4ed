/* test_function.c -- integration tests for Redis 7.0 functions: every
 * FUNCTION subcommand (success, arity, bad arguments, error texts), the
 * library shebang and both forms of redis.register_function, the
 * load-time sandbox, FCALL / FCALL_RO with keys and arguments, flags,
 * INFO figures, and persistence: RDB (restart and DEBUG RELOAD), the AOF
 * (effects and a rewritten base without preamble), FUNCTION DUMP/RESTORE.
 *
 * Expected replies and payloads are Redis 7.0.15's (asked of
 * redis-server). The interop case runs against a live redis-server and is
 * skipped when none is installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define LIB1 "#!lua name=mylib\n" \
             "redis.register_function('echo_key', function(keys, args) return keys[1] end)\n" \
             "redis.register_function{function_name='ro', callback=function(k, a) return #k + #a end, " \
             "flags={'no-writes'}, description='counts'}\n" \
             "redis.register_function('setter', function(k, a) return redis.call('SET', k[1], a[1]) end)"
/* Redis 7.0.15's FUNCTION DUMP of L1 (LZF did not shrink it). */
#define L1 "#!lua name=l1\nredis.register_function('f', function() return 7 end)"
#define L1_DUMP "\xf5\x40\x43" L1 "\x0a\x00\xf6\xf8\x7e\x0f\x0d\x29\xe7\x14"
#define L1_DUMP_LEN (3 + sizeof(L1) - 1 + 10)
/* Redis 7.0.15's FUNCTION DUMP with no library. */
#define EMPTY_DUMP "\n\x00]\x9b\\@\x0f\x7f\xa2\xda"
#define CHECKSUM_ERR "ERR DUMP payload version or checksum are wrong"
#define REG_ERR "ERR Error registering functions: "

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

/* FUNCTION LOAD of code, expecting err (or the library name when NULL). */
static void load_expect(redisContext *c, const char *code, const char *err) {
    redisReply *r = hs_command(c, HS_ARGS("FUNCTION", "LOAD", code));
    if (err)
        HS_CHECK_ERROR(r, err);
    else
        ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    freeReplyObject(r);
}

static void load_fn(const char *lib, const char *body) {
    char code[512];
    snprintf(code, sizeof(code), "#!lua name=%s\n%s", lib, body);
    load_expect(ctx, code, NULL);
}

START_TEST(test_load_list) {
    HS_EXPECT_BULK(ctx, "mylib", "FUNCTION", "LOAD", LIB1);
    HS_EXPECT_INT(ctx, 3, "FCALL", "ro", "2", "a", "b", "c");
    /* LIST, RESP2: name, engine, functions (each name, description, flags). */
    redisReply *r = hs_command(ctx, HS_ARGS("FUNCTION", "LIST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, 1);
    redisReply *lib = r->element[0];
    ck_assert_uint_eq(lib->elements, 6);
    ck_assert_str_eq(lib->element[0]->str, "library_name");
    ck_assert_str_eq(lib->element[1]->str, "mylib");
    ck_assert_str_eq(lib->element[2]->str, "engine");
    ck_assert_str_eq(lib->element[3]->str, "LUA");
    ck_assert_str_eq(lib->element[4]->str, "functions");
    ck_assert_uint_eq(lib->element[5]->elements, 3);
    int seen = 0;
    for (size_t i = 0; i < 3; i++) {
        redisReply *f = lib->element[5]->element[i];
        ck_assert_uint_eq(f->elements, 6);
        if (strcmp(f->element[1]->str, "ro") == 0) {
            ck_assert_str_eq(f->element[3]->str, "counts");
            ck_assert_uint_eq(f->element[5]->elements, 1);
            ck_assert_int_eq(f->element[5]->element[0]->type, REDIS_REPLY_STATUS);
            ck_assert_str_eq(f->element[5]->element[0]->str, "no-writes");
            seen++;
        } else {
            ck_assert_int_eq(f->element[3]->type, REDIS_REPLY_NIL);
            ck_assert_uint_eq(f->element[5]->elements, 0);
        }
    }
    ck_assert_int_eq(seen, 1);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "MY*"));
    ck_assert_uint_eq(r->elements, 1);
    ck_assert_uint_eq(r->element[0]->elements, 8);
    ck_assert_str_eq(r->element[0]->element[6]->str, "library_code");
    ck_assert_str_eq(r->element[0]->element[7]->str, LIB1);
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("FUNCTION", "LIST", "LIBRARYNAME", "other*"));
    ck_assert_uint_eq(r->elements, 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR library name argument was not given", "FUNCTION", "LIST", "LIBRARYNAME");
    HS_EXPECT_ERROR(ctx, "ERR Unknown argument foo", "FUNCTION", "LIST", "foo");
    HS_EXPECT_ERROR(ctx, "ERR Unknown argument withcode", "FUNCTION", "LIST", "withcode", "withcode");
    HS_EXPECT_ERROR(ctx, "ERR Unknown argument libraryname", "FUNCTION", "LIST", "libraryname", "a", "libraryname",
                    "b");
    /* LOAD again: refused; REPLACE: allowed; options. */
    HS_EXPECT_ERROR(ctx, "ERR Library 'mylib' already exists", "FUNCTION", "LOAD", LIB1);
    HS_EXPECT_BULK(ctx, "mylib", "FUNCTION", "LOAD", "REPLACE", LIB1);
    HS_EXPECT_ERROR(ctx, "ERR Unknown option given: x", "FUNCTION", "LOAD", "replace", "x", "y");
    HS_EXPECT_ERROR(ctx, "ERR Missing library metadata", "FUNCTION", "LOAD", "replace");
    HS_EXPECT_ARITY(ctx, "function|load", "FUNCTION", "LOAD");
    /* A function name another library holds. */
    HS_EXPECT_ERROR(ctx, "ERR Function echo_key already exists", "FUNCTION", "LOAD",
                    "#!lua name=other\nredis.register_function('echo_key', function() return 1 end)");
}
END_TEST

START_TEST(test_list_resp3) {
    load_fn("l", "redis.register_function{function_name='f', callback=function() return 1 end, "
                 "flags={'no-writes', 'allow-oom'}}");
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "HELLO 3\r\n");
    hs_buf b = hs_raw_read_until(fd, "*0\r\n", 2000);
    hs_buf_free(&b);
    HS_RAW_EXPECT(fd, "FUNCTION LIST\r\n",
                  "*1\r\n%3\r\n$12\r\nlibrary_name\r\n$1\r\nl\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n"
                  "*1\r\n%3\r\n$4\r\nname\r\n$1\r\nf\r\n$11\r\ndescription\r\n_\r\n$5\r\nflags\r\n~2\r\n"
                  "+no-writes\r\n+allow-oom\r\n");
    HS_RAW_EXPECT(fd, "FUNCTION STATS\r\n",
                  "%2\r\n$14\r\nrunning_script\r\n_\r\n$7\r\nengines\r\n%1\r\n$3\r\nLUA\r\n%2\r\n"
                  "$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:1\r\n");
    close(fd);
}
END_TEST

START_TEST(test_metadata_errors) {
    load_expect(ctx, "return 1", "ERR Missing library metadata");
    load_expect(ctx, "#!lua", "ERR Invalid library metadata");
    load_expect(ctx, "#!lua\nreturn 1", "ERR Library name was not given");
    load_expect(ctx, "#!\nreturn 1", "ERR Library name was not given");
    load_expect(ctx, "#!lua foo\nreturn 1", "ERR Invalid metadata value given: foo");
    load_expect(ctx, "#!lua name=x foo=bar\nreturn 1", "ERR Invalid metadata value given: foo=bar");
    load_expect(ctx, "#!lua name=x flags=no-writes\nreturn 1", "ERR Invalid metadata value given: flags=no-writes");
    load_expect(ctx, "#!lua name=a name=b\nreturn 1",
                "ERR Invalid metadata value, name argument was given multiple times");
    load_expect(ctx, "#!js name=x\nreturn 1", "ERR Engine 'js' not found");
    load_expect(ctx, "#! name=x\nreturn 1", "ERR Engine '' not found");
    load_expect(ctx, "#!lua name=x@\nreturn 1",
                "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one "
                "character long");
    load_expect(ctx, "#!lua name=\nreturn 1",
                "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one "
                "character long");
    load_expect(ctx, "#!lua name=x\nreturn 1", "ERR No functions registered");
    load_expect(ctx, "#!LUA  name=x\r\nreturn 1", "ERR No functions registered");
    load_expect(ctx, "#!lua name=x\n ) syntax", "ERR Error compiling function: user_function:2: unexpected symbol near ')'");
}
END_TEST

START_TEST(test_register_errors) {
    static const struct {
        const char *body, *err;
    } cases[] = {
        {"redis.register_function('a b', function() return 1 end)",
         "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character "
         "long"},
        {"redis.register_function('f', function() end) redis.register_function('f', function() end)",
         "ERR Function already exists in the library"},
        {"redis.register_function{function_name='g', callback=function() end, flags={'bad'}}",
         "ERR unknown flag given"},
        {"redis.register_function{function_name='g', callback=function() end, flags={1}}", "ERR unknown flag given"},
        {"redis.register_function{function_name='g', callback=function() end, flags='no-writes'}",
         "ERR flags argument to redis.register_function must be a table representing function flags"},
        {"redis.register_function{function_name='g', callback=function() end, foo=1}",
         "ERR unknown argument given to redis.register_function"},
        {"redis.register_function{function_name='g', callback=function() end, description={}}",
         "ERR description argument given to redis.register_function must be a string"},
        {"redis.register_function{callback=function() end}",
         "ERR redis.register_function must get a function name argument"},
        {"redis.register_function{function_name='x'}", "ERR redis.register_function must get a callback argument"},
        {"redis.register_function('g')",
         "ERR calling redis.register_function with a single argument is only applicable to Lua table (representing "
         "named arguments)."},
        {"redis.register_function('g', 2)", "ERR second argument to redis.register_function must be a function"},
        {"redis.register_function('g', function() end, 3)", "ERR wrong number of arguments to redis.register_function"},
        /* The load-time sandbox: only register_function, log and constants. */
        {"redis.call('ping')", "ERR user_function:2: Script attempted to access nonexistent global variable 'call'"},
        {"local a = redis.setresp",
         "ERR user_function:2: Script attempted to access nonexistent global variable 'setresp'"},
        {"local a = string.format", "ERR user_function:2: Script attempted to access nonexistent global variable 'string'"},
        {"error('boom')", "ERR user_function:2: Script attempted to access nonexistent global variable 'error'"},
        {"x = 5", "ERR user_function:2: Attempt to modify a readonly table"},
        {"redis.foo = 1", "ERR user_function:2: Attempt to modify a readonly table"},
        {"local x = nil\nx()", "ERR user_function:3: attempt to call local 'x' (a nil value)"},
        {"while true do end", "ERR FUNCTION LOAD timeout"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char code[512], err[512];
        snprintf(code, sizeof(code), "#!lua name=x\n%s", cases[i].body);
        snprintf(err, sizeof(err), REG_ERR "%s", cases[i].err);
        load_expect(ctx, code, err);
    }
    /* Nothing stayed behind. */
    redisReply *r = hs_command(ctx, HS_ARGS("FUNCTION", "LIST"));
    ck_assert_uint_eq(r->elements, 0);
    freeReplyObject(r);
    /* What the load API does allow. */
    load_fn("x", "redis.log(redis.LOG_WARNING, 'loading') local v = redis.REDIS_VERSION .. redis.REDIS_VERSION_NUM\n"
                 "redis.register_function{function_name=5, callback=function() return 1 end, description=3}");
    HS_EXPECT_INT(ctx, 1, "FCALL", "5", "0");
}
END_TEST

START_TEST(test_fcall) {
    HS_EXPECT_BULK(ctx, "mylib", "FUNCTION", "LOAD", LIB1);
    HS_EXPECT_BULK(ctx, "k1", "FCALL", "echo_key", "1", "k1", "a1");
    HS_EXPECT_NIL(ctx, "FCALL", "echo_key", "0");
    HS_EXPECT_OK(ctx, "FCALL", "setter", "1", "k", "v");
    HS_EXPECT_BULK(ctx, "v", "GET", "k");
    HS_EXPECT_INT(ctx, 3, "FCALL_RO", "ro", "1", "a", "b", "c");
    HS_EXPECT_ERROR(ctx, "ERR Can not execute a script with write flag using *_ro command.", "FCALL_RO", "setter",
                    "1", "k", "v");
    HS_EXPECT_ERROR(ctx, "ERR Function not found", "FCALL", "nope", "0");
    HS_EXPECT_ERROR(ctx, "ERR Function not found", "FCALL_RO", "nope", "x");
    HS_EXPECT_ERROR(ctx, "ERR Bad number of keys provided", "FCALL", "ro", "x");
    HS_EXPECT_ERROR(ctx, "ERR Number of keys can't be negative", "FCALL", "ro", "-1");
    HS_EXPECT_ERROR(ctx, "ERR Number of keys can't be greater than number of args", "FCALL", "ro", "5", "a");
    HS_EXPECT_ARITY(ctx, "fcall", "FCALL", "ro");
    HS_EXPECT_ARITY(ctx, "fcall_ro", "FCALL_RO", "ro");
    /* A no-writes function that writes: refused by the script engine. */
    load_fn("w", "redis.register_function{function_name='sneaky', callback=function(k) "
                 "return redis.call('set', k[1], 'v') end, flags={'no-writes'}}");
    HS_EXPECT_ERROR(ctx, "ERR Write commands are not allowed from read-only scripts. script: sneaky, on "
                         "@user_function:2.", "FCALL", "sneaky", "1", "x");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "x");
    /* Runtime errors name the function. */
    load_fn("e", "redis.register_function('g', function(k,a) x = 5 end)\n"
                 "redis.register_function('h', function(k,a) return y end)");
    HS_EXPECT_ERROR(ctx, "ERR user_function:2: Attempt to modify a readonly table script: g, on @user_function:2.",
                    "FCALL", "g", "0");
    HS_EXPECT_ERROR(ctx, "ERR user_function:3: Script attempted to access nonexistent global variable 'y' script: "
                         "h, on @user_function:3.", "FCALL", "h", "0");
}
END_TEST

START_TEST(test_delete_flush_stats_help) {
    HS_EXPECT_BULK(ctx, "mylib", "FUNCTION", "LOAD", LIB1);
    HS_EXPECT_ERROR(ctx, "ERR Library not found", "FUNCTION", "DELETE", "nope");
    HS_EXPECT_ARITY(ctx, "function|delete", "FUNCTION", "DELETE");
    HS_EXPECT_OK(ctx, "FUNCTION", "DELETE", "mylib");
    HS_EXPECT_ERROR(ctx, "ERR Function not found", "FCALL", "ro", "0");
    HS_EXPECT_BULK(ctx, "mylib", "FUNCTION", "LOAD", LIB1);
    HS_EXPECT_ERROR(ctx, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option", "FUNCTION", "FLUSH", "foo");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.",
                    "FUNCTION", "FLUSH", "sync", "x");
    HS_EXPECT_OK(ctx, "FUNCTION", "FLUSH", "async");
    HS_EXPECT_OK(ctx, "FUNCTION", "FLUSH");
    HS_EXPECT_OK(ctx, "FUNCTION", "FLUSH", "SYNC");
    redisReply *r = hs_command(ctx, HS_ARGS("FUNCTION", "STATS"));
    ck_assert_uint_eq(r->elements, 4);
    ck_assert_str_eq(r->element[0]->str, "running_script");
    ck_assert_int_eq(r->element[1]->type, REDIS_REPLY_NIL);
    ck_assert_str_eq(r->element[3]->element[0]->str, "LUA");
    ck_assert_int_eq(r->element[3]->element[1]->element[1]->integer, 0);
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "NOTBUSY No scripts in execution right now.", "FUNCTION", "KILL");
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand 'foo'. Try FUNCTION HELP.", "FUNCTION", "foo");
    HS_EXPECT_ARITY(ctx, "function", "FUNCTION");
    HS_EXPECT_ARITY(ctx, "function|stats", "FUNCTION", "STATS", "x");
    r = hs_command(ctx, HS_ARGS("FUNCTION", "HELP"));
    ck_assert_uint_eq(r->elements, 40);
    ck_assert_str_eq(r->element[0]->str, "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    ck_assert_str_eq(r->element[39]->str, "    Prints this help.");
    freeReplyObject(r);
}
END_TEST

static redisReply *restore(const char *p, size_t len, const char *policy) {
    redisReply *r = policy ? redisCommand(ctx, "FUNCTION RESTORE %b %s", p, len, policy)
                           : redisCommand(ctx, "FUNCTION RESTORE %b", p, len);
    ck_assert_ptr_nonnull(r);
    return r;
}

START_TEST(test_dump_restore) {
    /* Empty, then Redis's exact bytes. */
    redisReply *r = hs_command(ctx, HS_ARGS("FUNCTION", "DUMP"));
    HS_CHECK_BULK(r, EMPTY_DUMP, 10);
    freeReplyObject(r);
    load_expect(ctx, L1, NULL);
    r = hs_command(ctx, HS_ARGS("FUNCTION", "DUMP"));
    HS_CHECK_BULK(r, L1_DUMP, L1_DUMP_LEN);
    freeReplyObject(r);
    /* Policies. */
    r = restore(L1_DUMP, L1_DUMP_LEN, NULL);
    HS_CHECK_ERROR(r, "ERR Library l1 already exists");
    freeReplyObject(r);
    r = restore(L1_DUMP, L1_DUMP_LEN, "APPEND");
    HS_CHECK_ERROR(r, "ERR Library l1 already exists");
    freeReplyObject(r);
    r = restore(L1_DUMP, L1_DUMP_LEN, "REPLACE");
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    r = restore(L1_DUMP, L1_DUMP_LEN, "bogus");
    HS_CHECK_ERROR(r, "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    freeReplyObject(r);
    load_fn("other", "redis.register_function('o', function() return 2 end)");
    r = restore(L1_DUMP, L1_DUMP_LEN, "FLUSH");
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR Function not found", "FCALL", "o", "0");
    HS_EXPECT_INT(ctx, 7, "FCALL", "f", "0");
    /* A function collision with another library: nothing changes. */
    HS_EXPECT_OK(ctx, "FUNCTION", "FLUSH");
    load_fn("z", "redis.register_function('f', function() return 3 end)");
    r = restore(L1_DUMP, L1_DUMP_LEN, "REPLACE");
    HS_CHECK_ERROR(r, "ERR Function f already exists");
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 3, "FCALL", "f", "0");
    /* Bad payloads. */
    r = restore(L1_DUMP, L1_DUMP_LEN - 1, NULL);
    HS_CHECK_ERROR(r, CHECKSUM_ERR);
    freeReplyObject(r);
    r = restore("xx", 2, "FLUSH");
    HS_CHECK_ERROR(r, CHECKSUM_ERR);
    freeReplyObject(r);
    r = restore(EMPTY_DUMP, 10, NULL);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_ERROR(ctx, "ERR unknown subcommand or wrong number of arguments for 'RESTORE'. Try FUNCTION HELP.",
                    "FUNCTION", "RESTORE", "a", "b", "c");
    HS_EXPECT_ARITY(ctx, "function|restore", "FUNCTION", "RESTORE");
    HS_EXPECT_ARITY(ctx, "function|dump", "FUNCTION", "DUMP", "x");
}
END_TEST

START_TEST(test_info) {
    HS_EXPECT_BULK(ctx, "mylib", "FUNCTION", "LOAD", LIB1);
    ck_assert_int_eq(hs_info_ll(ctx, "memory", "number_of_functions"), 3);
    ck_assert_int_eq(hs_info_ll(ctx, "memory", "number_of_libraries"), 1);
    ck_assert_int_gt(hs_info_ll(ctx, "memory", "used_memory_vm_functions"), 0);
    ck_assert_int_gt(hs_info_ll(ctx, "memory", "used_memory_functions"), 0);
    HS_EXPECT_OK(ctx, "FUNCTION", "FLUSH");
    ck_assert_int_eq(hs_info_ll(ctx, "memory", "number_of_functions"), 0);
    ck_assert_int_eq(hs_info_ll(ctx, "memory", "number_of_libraries"), 0);
}
END_TEST

/* The effects stream carries the commands as sent (as Redis's AOF). */
START_TEST(test_effects) {
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
    const char *code = "#!lua name=e\nredis.register_function('f', function() return 1 end)";
    load_expect(ctx, code, NULL);
    load_expect(ctx, code, "ERR Library 'e' already exists");
    HS_EXPECT_ERROR(ctx, "ERR Library not found", "FUNCTION", "DELETE", "nope");
    HS_EXPECT_OK(ctx, "FUNCTION", "DELETE", "e");
    HS_EXPECT_OK(ctx, "FUNCTION", "FLUSH");
    /* FCALL: its commands in MULTI/EXEC, not FCALL itself. */
    load_fn("w", "redis.register_function('setter', function(k, a) redis.call('set', k[1], a[1]) "
                 "return redis.call('incr', 'cnt') end)");
    HS_EXPECT_INT(ctx, 1, "FCALL", "setter", "1", "x", "y");
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    hs_buf want = {0};
    hs_buf_printf(&want, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$%zu\r\n%s\r\n",
                  strlen(code), code);
    hs_cat_command_resp(&want, "FUNCTION DELETE e");
    hs_cat_command_resp(&want, "FUNCTION FLUSH");
    const char *wcode = "#!lua name=w\nredis.register_function('setter', function(k, a) redis.call('set', k[1], "
                        "a[1]) return redis.call('incr', 'cnt') end)";
    hs_buf_printf(&want, "*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$%zu\r\n%s\r\n", strlen(wcode), wcode);
    hs_cat_command_resp(&want, "MULTI");
    hs_cat_command_resp(&want, "set x y");
    hs_cat_command_resp(&want, "incr cnt");
    hs_cat_command_resp(&want, "EXEC");
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    hs_check_bytes(__FILE__, __LINE__, r->str, r->len, want.data, want.len);
    hs_buf_free(&want);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_rdb_restart_and_reload) {
    HS_EXPECT_BULK(ctx, "mylib", "FUNCTION", "LOAD", LIB1);
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_OK(ctx, "DEBUG", "RELOAD");
    HS_EXPECT_INT(ctx, 2, "FCALL", "ro", "1", "a", "b");
    HS_EXPECT_ERROR(ctx, "ERR Error trying to load the RDB dump", "DEBUG", "RELOAD", "NOFLUSH");
    HS_EXPECT_OK(ctx, "DEBUG", "RELOAD", "MERGE");
    HS_EXPECT_OK(ctx, "SAVE");
    /* A new server on the same directory. */
    char dirarg[300];
    snprintf(dirarg, sizeof(dirarg), "%s", srv->dir);
    hs_server *s2 = hs_start(HS_ARGS("--dir", dirarg));
    redisContext *c2 = hs_connect(s2);
    HS_EXPECT_INT(c2, 2, "FCALL", "ro", "1", "a", "b");
    HS_EXPECT_BULK(c2, "v", "GET", "k");
    redisFree(c2);
    hs_stop(s2);
}
END_TEST

START_TEST(test_aof_restart) {
    hs_server *s = hs_start(HS_ARGS("--appendonly", "yes", "--aof-use-rdb-preamble", "no"));
    redisContext *c = hs_connect(s);
    load_expect(c, "#!lua name=a1\nredis.register_function('one', function() return 1 end)", NULL);
    load_expect(c, "#!lua name=a2\nredis.register_function('two', function() return 2 end)", NULL);
    HS_EXPECT_OK(c, "FUNCTION", "DELETE", "a2");
    HS_EXPECT_OK(c, "DEBUG", "LOADAOF");
    HS_EXPECT_INT(c, 1, "FCALL", "one", "0");
    HS_EXPECT_ERROR(c, "ERR Function not found", "FCALL", "two", "0");
    /* A rewritten base of commands re-creates the library. */
    redisReply *r = hs_command(c, HS_ARGS("BGREWRITEAOF"));
    freeReplyObject(r);
    for (int i = 0; i < 200 && hs_info_ll(c, "persistence", "aof_rewrite_in_progress"); i++) hs_sleep_ms(20);
    hs_sleep_ms(100);
    HS_EXPECT_OK(c, "DEBUG", "LOADAOF");
    HS_EXPECT_INT(c, 1, "FCALL", "one", "0");
    redisFree(c);
    hs_stop(s);
}
END_TEST


#define BUSY_FN "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
#define BUSY_EVAL "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."

/* A looping function: BUSY for others, STATS shows it, FUNCTION KILL ends
 * it (SCRIPT KILL may not); a looping EVAL: FUNCTION STATS / KILL refuse. */
START_TEST(test_kill_busy) {
    hs_server *s = hs_start(HS_ARGS("--busy-reply-threshold", "100"));
    redisContext *c = hs_connect(s), *c2 = hs_connect(s);
    load_expect(c, "#!lua name=busy\nredis.register_function('spin', function() local i = 0 "
                   "while true do i = i + 1 end end)", NULL);
    hs_send_only(c, HS_ARGS("FCALL", "spin", "0"));
    hs_sleep_ms(300);
    HS_EXPECT_ERROR(c2, BUSY_FN, "PING");
    redisReply *r = hs_command(c2, HS_ARGS("FUNCTION", "STATS"));
    ck_assert_uint_eq(r->elements, 4);
    redisReply *run = r->element[1];
    ck_assert_uint_eq(run->elements, 6);
    ck_assert_str_eq(run->element[1]->str, "spin");
    ck_assert_uint_eq(run->element[3]->elements, 3);
    ck_assert_str_eq(run->element[3]->element[0]->str, "FCALL");
    ck_assert_str_eq(run->element[4]->str, "duration_ms");
    ck_assert_int_ge(run->element[5]->integer, 100);
    freeReplyObject(r);
    HS_EXPECT_ERROR(c2, BUSY_FN, "SCRIPT", "KILL");
    HS_EXPECT_OK(c2, "FUNCTION", "KILL");
    r = hs_get_reply(c);
    HS_CHECK_ERROR(r, "ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.");
    freeReplyObject(r);
    HS_EXPECT_STATUS(c2, "PONG", "PING");
    hs_send_only(c, HS_ARGS("EVAL", "while true do end", "0"));
    hs_sleep_ms(300);
    HS_EXPECT_ERROR(c2, BUSY_EVAL, "FUNCTION", "STATS");
    HS_EXPECT_ERROR(c2, BUSY_EVAL, "FUNCTION", "KILL");
    HS_EXPECT_OK(c2, "SCRIPT", "KILL");
    r = hs_get_reply(c);
    ck_assert_int_eq(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    redisFree(c);
    redisFree(c2);
    hs_stop(s);
}
END_TEST

/* The check tools read libraries in an RDB (and an AOF's RDB preamble). */
START_TEST(test_check_tools) {
    load_expect(ctx, L1, NULL);
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    HS_EXPECT_OK(ctx, "SAVE");
    char rdb[400], cmd[1200];
    snprintf(rdb, sizeof(rdb), "%s/dump.rdb", srv->dir);
    /* minired-check-rdb is the same binary under another name. */
    snprintf(cmd, sizeof(cmd), "ln -sf %s %s/minired-check-rdb && %s/minired-check-rdb %s >/dev/null 2>&1",
             hs_server_path(), srv->dir, srv->dir, rdb);
    ck_assert_int_eq(system(cmd), 0);
    /* An AOF whose base is an RDB preamble holding the library. */
    hs_server *s = hs_start(HS_ARGS("--appendonly", "yes"));
    redisContext *c = hs_connect(s);
    load_expect(c, L1, NULL);
    redisReply *r = hs_command(c, HS_ARGS("BGREWRITEAOF"));
    freeReplyObject(r);
    for (int i = 0; i < 200 && hs_info_ll(c, "persistence", "aof_rewrite_in_progress"); i++) hs_sleep_ms(20);
    hs_sleep_ms(100);
    snprintf(cmd, sizeof(cmd),
             "ln -sf %s %s/minired-check-aof && %s/minired-check-aof %s/appendonlydir/appendonly.aof.manifest "
             ">/dev/null 2>&1",
             hs_server_path(), s->dir, s->dir, s->dir);
    ck_assert_int_eq(system(cmd), 0);
    HS_EXPECT_OK(c, "DEBUG", "LOADAOF");
    HS_EXPECT_INT(c, 7, "FCALL", "f", "0");
    redisFree(c);
    hs_stop(s);
}
END_TEST

/* Against a live Redis 7.0: DUMP payloads and RDB files both ways. */
START_TEST(test_interop_redis) {
    hs_server *rd = hs_start_redis(NULL);
    if (rd == NULL) return;
    redisContext *cr = hs_connect(rd);
    load_expect(cr, LIB1, NULL);
    redisReply *d = hs_command(cr, HS_ARGS("FUNCTION", "DUMP"));
    redisReply *r = restore(d->str, d->len, NULL);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    freeReplyObject(d);
    HS_EXPECT_INT(ctx, 1, "FCALL", "ro", "0", "x");
    /* Ours into Redis. */
    load_expect(ctx, L1, NULL);
    d = hs_command(ctx, HS_ARGS("FUNCTION", "DUMP"));
    r = redisCommand(cr, "FUNCTION RESTORE %b REPLACE", d->str, d->len);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    freeReplyObject(d);
    HS_EXPECT_INT(cr, 7, "FCALL", "f", "0");
    /* Redis's RDB loaded at our start, ours loaded by Redis. */
    HS_EXPECT_OK(cr, "SAVE");
    hs_server *m2 = hs_start(HS_ARGS("--dir", rd->dir));
    redisContext *c2 = hs_connect(m2);
    HS_EXPECT_INT(c2, 2, "FCALL", "ro", "1", "a", "b");
    HS_EXPECT_INT(c2, 7, "FCALL", "f", "0");
    HS_EXPECT_OK(cr, "FUNCTION", "FLUSH");
    HS_EXPECT_OK(c2, "SAVE");
    HS_EXPECT_OK(cr, "DEBUG", "RELOAD", "NOSAVE");
    HS_EXPECT_INT(cr, 7, "FCALL", "f", "0");
    redisFree(c2);
    hs_stop(m2);
    redisFree(cr);
    hs_stop(rd);
}
END_TEST

static Suite *function_suite(void) {
    Suite *s = suite_create("function");
    TCase *tc = hs_tcase(s, "core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_load_list);
    tcase_add_test(tc, test_list_resp3);
    tcase_add_test(tc, test_metadata_errors);
    tcase_add_test(tc, test_register_errors);
    tcase_add_test(tc, test_fcall);
    tcase_add_test(tc, test_delete_flush_stats_help);
    tcase_add_test(tc, test_dump_restore);
    tcase_add_test(tc, test_info);
    tcase_add_test(tc, test_effects);
    tcase_add_test(tc, test_rdb_restart_and_reload);
    tcase_add_test(tc, test_aof_restart);
    tcase_add_test(tc, test_kill_busy);
    tcase_add_test(tc, test_check_tools);
    tcase_add_test(tc, test_interop_redis);
    return s;
}

int main(void) {
    return hs_run_suite(function_suite());
}
