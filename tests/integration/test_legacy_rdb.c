/* test_legacy_rdb.c -- RDB files written as Redis 3.2 to 6.2 wrote them
 * (RDB 7, 8 and 9: ziplists, zipmaps, quicklists of ziplists, intsets,
 * expiries, idle/freq, several databases) load at start with exactly the
 * contents Redis 7.0 shows for them; empty encodings are skipped or
 * refused as Redis 7.0 does; corrupt blobs stop start-up with the reason
 * in the log. DUMP payloads of those versions RESTORE as on Redis 7.0.
 *
 * The fixtures and their expected contents come from
 * tests/persist/make_legacy_rdb.py and are compared by
 * tests/persist/check_legacy_rdb.py (proven on redis-server 7.0.15 with
 * the same script); RESTORE by tests/persist/check_legacy_restore.py. This
 * file runs those scripts against $MINIRED_SERVER, one test per group.
 * Run from the repository root. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "harness.h"

#define CHECKER "tests/persist/check_legacy_rdb.py"
#define RESTORE_CHECKER "tests/persist/check_legacy_restore.py"
#define CHECKER_CMD_BYTES 2048

/* Runs script with args against the server under test; fails the test
 * with its report unless it exits 0. */
static void run_checker(const char *script, const char *args) {
    ck_assert_msg(access(script, R_OK) == 0, "%s not found: run from the repository root", script);
    char cmd[CHECKER_CMD_BYTES];
    snprintf(cmd, sizeof(cmd), "python3 %s --server '%s' %s 2>&1", script, hs_server_path(), args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    hs_buf out = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) hs_buf_cat(&out, chunk, n);
    int status = pclose(p);
    /* Shows SKIPPED while the server does not load an RDB at start. */
    if (out.data && strstr(out.data, "SKIPPED")) fprintf(stderr, "%s", out.data);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", out.data ? out.data : "(no output)");
    hs_buf_free(&out);
}

/* The fixtures whose names start with prefix. */
static void check_fixtures(const char *prefix) {
    char args[256];
    snprintf(args, sizeof(args), "--prefix %s", prefix);
    run_checker(CHECKER, args);
}

/* Every type and legacy encoding, in RDB 7, 8 and 9 files, LFU too. */
START_TEST(test_legacy_files) {
    check_fixtures("legacy_");
}
END_TEST

/* Empty ziplists / quicklists skipped, empty zipmap and intset refused. */
START_TEST(test_empty_encodings) {
    check_fixtures("edge_");
}
END_TEST

/* Damaged ziplists and zipmaps: start-up stops, the log names why. */
START_TEST(test_corrupt_blobs) {
    check_fixtures("corrupt_");
}
END_TEST

/* DUMP payloads of Redis 5.0-6.2 (RDB 9 inside) through RESTORE. */
START_TEST(test_restore_payloads) {
    run_checker(RESTORE_CHECKER, "");
}
END_TEST

static Suite *legacy_rdb_suite(void) {
    Suite *s = suite_create("legacy_rdb");
    TCase *tc = tcase_create("legacy_rdb");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_legacy_files);
    tcase_add_test(tc, test_empty_encodings);
    tcase_add_test(tc, test_corrupt_blobs);
    tcase_add_test(tc, test_restore_payloads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(legacy_rdb_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
