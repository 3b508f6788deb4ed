/* test_check_rdb.c -- minired-check-rdb: the server binary invoked under
 * that name (a symlink made here, as the Makefile makes one) checks an
 * RDB file and prints redis-check-rdb's report.
 *
 * Files: RDB files written by Redis 7.0 (tests/fuzz/seeds/rdb), and
 * damaged copies (truncated, a flipped CRC, a bad signature, a version
 * too new). The report must be redis-check-rdb 7.0's, line for line: the
 * expected text is fixed here, and when redis-check-rdb is installed its
 * own output for the same file is compared too. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define SEEDS "tests/fuzz/seeds/rdb/"
#define OUT_MAX 8192

static char tmpdir[PATH_MAX];
static char tool[PATH_MAX + 32];

static void setup(void) {
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/minired-checkrdb-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(tool, sizeof(tool), "%s/minired-check-rdb", tmpdir);
    ck_assert_int_eq(symlink(hs_server_path(), tool), 0);
}

static void teardown(void) {
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Runs "prog args" from the repository root; returns its exit status and
 * stdout (+stderr when with_stderr) in out. */
static int run_tool(const char *prog, const char *args, int with_stderr, char *out) {
    char cmd[2 * PATH_MAX];
    snprintf(cmd, sizeof(cmd), "%s %s %s", prog, args, with_stderr ? "2>&1" : "2>/dev/null");
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, OUT_MAX - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Writes a copy of src to tmpdir/name, cut to len bytes (0: whole) and
 * with the byte at patch_at set to patch (-1: none); returns its path. */
static const char *damaged_copy(const char *src, const char *name, long len, long patch_at, char patch) {
    static char path[PATH_MAX + 64];
    FILE *in = fopen(src, "rb");
    ck_assert_ptr_nonnull(in);
    static unsigned char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof(buf), in);
    fclose(in);
    if (len > 0 && (size_t)len < n) n = (size_t)len;
    if (patch_at >= 0 && (size_t)patch_at < n) buf[patch_at] = (unsigned char)patch;
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *out = fopen(path, "wb");
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(out);
    return path;
}

/* Our report equals want (when given) and redis-check-rdb's (when
 * installed); returns our exit status. */
static int check_file(const char *file, const char *want) {
    static char ours[OUT_MAX], theirs[OUT_MAX];
    int rc = run_tool(tool, file, 0, ours);
    if (want) ck_assert_str_eq(ours, want);
    if (system("command -v redis-check-rdb >/dev/null 2>&1") == 0) {
        int rrc = run_tool("redis-check-rdb", file, 0, theirs);
        ck_assert_str_eq(ours, theirs);
        ck_assert_int_eq(rc, rrc);
    }
    return rc;
}

START_TEST(test_good_files) {
    /* redis-check-rdb 7.0.15's report on this file (written by Redis 7.0.15
     * as a primary: it carries the replication aux fields). */
    const char *want = "[offset 0] Checking RDB file " SEEDS "multi_db.rdb\n"
                       "[offset 27] AUX FIELD redis-ver = '7.0.15'\n"
                       "[offset 41] AUX FIELD redis-bits = '64'\n"
                       "[offset 53] AUX FIELD ctime = '1796477484'\n"
                       "[offset 68] AUX FIELD used-mem = '1807152'\n"
                       "[offset 86] AUX FIELD repl-stream-db = '3'\n"
                       "[offset 136] AUX FIELD repl-id = 'f7c0f130e6253d93258595c6baab0ab8e0838a7f'\n"
                       "[offset 154] AUX FIELD repl-offset = '223209'\n"
                       "[offset 166] AUX FIELD aof-base = '0'\n"
                       "[offset 168] Selecting DB ID 0\n"
                       "[offset 178] Selecting DB ID 3\n"
                       "[offset 212] Checksum OK\n"
                       "[offset 212] \\o/ RDB looks OK! \\o/\n"
                       "[info] 3 keys read\n"
                       "[info] 0 expires\n"
                       "[info] 0 already expired\n";
    ck_assert_int_eq(check_file(SEEDS "multi_db.rdb", want), 0);
    const char *files[] = {"list_small", "list_nodes", "list_bigelem", "set_intset", "set_ht", "hash_lp",
                           "hash_ht",    "zset_lp",    "zset_sl"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), SEEDS "%s.rdb", files[i]);
        ck_assert_int_eq(check_file(path, NULL), 0);
    }
}
END_TEST

START_TEST(test_damaged_files) {
    ck_assert_int_eq(check_file(damaged_copy(SEEDS "list_nodes.rdb", "trunc.rdb", 3000, -1, 0), NULL), 1);
    ck_assert_int_eq(check_file(damaged_copy(SEEDS "list_nodes.rdb", "trunc2.rdb", 50, -1, 0), NULL), 1);
    ck_assert_int_eq(check_file(damaged_copy(SEEDS "hash_lp.rdb", "crc.rdb", 0, 200, 0x55), NULL), 1);
    ck_assert_int_eq(check_file(damaged_copy(SEEDS "hash_lp.rdb", "sig.rdb", 0, 0, 'X'), NULL), 1);
    ck_assert_int_eq(check_file(damaged_copy(SEEDS "hash_lp.rdb", "ver.rdb", 0, 8, '9'), NULL), 1);
    char out[OUT_MAX];
    char missing[PATH_MAX + 16];
    snprintf(missing, sizeof(missing), "%s/nosuch.rdb", tmpdir);
    ck_assert_int_eq(run_tool(tool, missing, 1, out), 1);
    ck_assert_int_eq(run_tool(tool, "", 1, out), 1);
    ck_assert_msg(strstr(out, "Usage: ") && strstr(out, "minired-check-rdb <rdb-file-name>"), "%s", out);
}
END_TEST

static Suite *check_rdb_suite(void) {
    Suite *s = suite_create("check_rdb");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, HS_TCASE_TIMEOUT_SEC);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_good_files);
    tcase_add_test(tc, test_damaged_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return hs_run_suite(check_rdb_suite());
}
