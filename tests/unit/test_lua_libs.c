/* test_lua_libs.c -- Check suite for the script state's C libraries
 * (cmsgpack, struct, cjson, bit): each case of fixtures/lua_libs/<lib>.txt runs
 * in a plain lua_State holding the libraries and must give the very string
 * Redis 7.0.15 gave for it (fixtures/lua_libs_fixture_redis7.h, made by
 * make_lua_libs_fixture.py): msgpack size classes and round trips, struct
 * formats, cjson edge cases and settings, bit ops, and every error text. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "lua_libs.h"

#include "fixtures/lua_libs_fixture_redis7.h"

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))

static lua_State *new_state(void) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    int top = lua_gettop(L);
    lua_libs_open(L);
    ck_assert_int_eq(lua_gettop(L), top);
    return L;
}

/* Runs one case as Redis names a script's chunk, so positions read
 * "user_script:1:" on both sides. Cases share the state in file order (the
 * cjson settings a case changes hold for the next ones, as in Redis). */
static void run_cases(const struct lua_case *cases, size_t n) {
    lua_State *L = new_state();
    for (size_t i = 0; i < n; i++) {
        lua_settop(L, 0);
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        luaL_addstring(&b, LUA_CASE_WRAPPER);
        luaL_addstring(&b, cases[i].script);
        luaL_addstring(&b, LUA_CASE_WRAPPER_END);
        luaL_pushresult(&b);
        size_t len;
        const char *code = lua_tolstring(L, -1, &len);
        int rc = luaL_loadbuffer(L, code, len, "@user_script");
        if (rc == 0) rc = lua_pcall(L, 0, 1, 0);
        const char *got = lua_tostring(L, -1);
        if (rc != 0 || got == NULL || strcmp(got, cases[i].expected) != 0)
            ck_abort_msg("case %zu: %s\n  redis: %s\n  ours:  %s", i, cases[i].script, cases[i].expected,
                         got ? got : "(not a string)");
    }
    lua_close(L);
}

START_TEST(test_cmsgpack_matches_redis) {
    run_cases(lua_cases_cmsgpack, N_CASES(lua_cases_cmsgpack));
}
END_TEST

START_TEST(test_struct_matches_redis) {
    run_cases(lua_cases_struct, N_CASES(lua_cases_struct));
}
END_TEST

START_TEST(test_cjson_matches_redis) {
    run_cases(lua_cases_cjson, N_CASES(lua_cases_cjson));
}
END_TEST

START_TEST(test_bit_matches_redis) {
    run_cases(lua_cases_bit, N_CASES(lua_cases_bit));
}
END_TEST

/* Every msgpack byte string of up to two bytes, and random longer ones,
 * decode or fail with one of the two texts; nothing reads out of bounds
 * (the ASan build checks that). */
START_TEST(test_cmsgpack_unpack_never_crashes) {
    lua_State *L = new_state();
    unsigned seed = 12345;
    for (int i = 0; i < 65536 + 20000; i++) {
        unsigned char buf[40];
        size_t len;
        if (i < 65536) {
            buf[0] = (unsigned char)(i >> 8);
            buf[1] = (unsigned char)i;
            len = 2;
        } else {
            len = 1 + (seed = seed * 1103515245 + 12345) % sizeof(buf);
            for (size_t j = 0; j < len; j++) buf[j] = (unsigned char)((seed = seed * 1103515245 + 12345) >> 16);
        }
        lua_settop(L, 0);
        lua_getglobal(L, "pcall");
        lua_getglobal(L, "cmsgpack");
        lua_getfield(L, -1, "unpack");
        lua_remove(L, -2);
        lua_pushlstring(L, (const char *)buf, len);
        lua_call(L, 2, LUA_MULTRET);
        if (!lua_toboolean(L, 1)) {
            const char *err = lua_tostring(L, 2);
            ck_assert_ptr_nonnull(err);
            ck_assert_msg(strstr(err, "Missing bytes in input.") || strstr(err, "Bad data format in input.") ||
                              strstr(err, "table index is"),
                          "unexpected error: %s", err);
        }
    }
    lua_close(L);
}
END_TEST

/* struct.unpack with offsets and formats around the data's end never
 * reads outside it: a negative offset is a huge position, refused. */
START_TEST(test_struct_unpack_bounds) {
    lua_State *L = new_state();
    const char *script =
        "local fmts = {'c5', 'c0', 'b c0', 's', 'i8', '!8 b d', 'I3 c2', 'x', ' '} "
        "local n = 0 "
        "for _, f in ipairs(fmts) do for off = -3, 6 do "
        "  local ok, err = pcall(struct.unpack, f, '\\3abc', off) "
        "  if not ok then n = n + 1 end "
        "end end return n";
    ck_assert_int_eq(luaL_loadstring(L, script), 0);
    ck_assert_int_eq(lua_pcall(L, 0, 1, 0), 0);
    ck_assert_int_gt((int)lua_tointeger(L, -1), 0);
    lua_close(L);
}
END_TEST

static Suite *lua_libs_suite(void) {
    Suite *s = suite_create("lua_libs");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_cmsgpack_matches_redis);
    tcase_add_test(tc, test_struct_matches_redis);
    tcase_add_test(tc, test_cjson_matches_redis);
    tcase_add_test(tc, test_bit_matches_redis);
    tcase_add_test(tc, test_cmsgpack_unpack_never_crashes);
    tcase_add_test(tc, test_struct_unpack_bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(lua_libs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
