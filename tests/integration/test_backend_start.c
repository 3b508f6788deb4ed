/* test_backend_start.c -- the server starts and serves on default settings
 * whatever ae backend it was built with.
 *
 * select can only watch fds below FD_SETSIZE: a select build once refused
 * to start ("Failed creating the event loop") because the default
 * maxclients (10000) needs more. It must lower maxclients to what the
 * backend holds, say so in the log as Redis does when it lowers
 * maxclients, and serve. `make test` runs this suite against the default
 * build and, from check-ae-backends, against a select build. */
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "harness.h"

#define DEFAULT_MAXCLIENTS 10000
#define RESERVED_FDS 32

static long long maxclients(redisContext *c) {
    redisReply *r = hs_command(c, HS_ARGS("CONFIG", "GET", "maxclients"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 2);
    long long n = strtoll(r->element[1]->str, NULL, 10);
    freeReplyObject(r);
    return n;
}

START_TEST(test_starts_on_defaults) {
    hs_server *srv = hs_start(NULL);
    redisContext *c = hs_connect(srv);
    HS_EXPECT_STATUS(c, "PONG", "PING");
    HS_EXPECT_OK(c, "SET", "k", "v");
    HS_EXPECT_BULK(c, "v", "GET", "k");
    hs_buf api = hs_info_field(c, "server", "multiplexing_api");
    ck_assert_ptr_nonnull(api.data);
    hs_buf log = hs_read_log(srv);
    long long mc = maxclients(c);
    if (strcmp(api.data, "select") == 0) {
        ck_assert_int_eq(mc, FD_SETSIZE - RESERVED_FDS);
        ck_assert_ptr_nonnull(strstr(log.data, "You requested maxclients of 10000 requiring at least 10032 max "
                                               "file descriptors."));
        ck_assert_ptr_nonnull(strstr(log.data, "maxclients has been reduced to"));
        /* More than the backend holds is refused with Redis's text. */
        HS_EXPECT_ERROR(c,
                        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - The event loop "
                        "API used by Redis is not able to handle the specified number of clients",
                        "CONFIG", "SET", "maxclients", "5000");
        ck_assert_int_eq(maxclients(c), FD_SETSIZE - RESERVED_FDS);
    } else {
        ck_assert_int_ge(mc, 1);
        ck_assert_ptr_null(strstr(log.data, "event loop API can watch at most"));
    }
    hs_buf_free(&log);
    hs_buf_free(&api);
    redisFree(c);
    hs_stop(srv);
}
END_TEST

static Suite *backend_start_suite(void) {
    Suite *s = suite_create("backend-start");
    TCase *tc = hs_tcase(s, "backend-start");
    tcase_add_test(tc, test_starts_on_defaults);
    return s;
}

int main(void) {
    return hs_run_suite(backend_start_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
