/* hs_setups.h -- integration tests that run the utils/ setup scripts
 * (shards_setup.sh, ha_setup.sh): find the scripts and the programs they
 * need, pick ports, run a shell command, read what the scripts leave.
 *
 * The scripts start processes in sessions of their own that outlive the
 * test process, so a test stops them from an unchecked fixture's teardown
 * (run by the runner even when the test failed or timed out). */
#ifndef MINIRED_TEST_HS_SETUPS_H
#define MINIRED_TEST_HS_SETUPS_H

#include <stddef.h>

/* Absolute path of utils/<name> in this source tree, found from the
 * working directory or from $MINIRED_SERVER (<repo>/build/<variant>/...),
 * written to out (cap bytes). Returns 0, or -1 when not found. */
int hs_utils_path(const char *name, char *out, size_t cap);

/* Absolute path of a program on $PATH, /usr/sbin or /sbin (Debian puts
 * nutcracker in /usr/sbin), written to out. Returns 0, or -1. */
int hs_find_program(const char *name, char *out, size_t cap);

/* Runs a shell command line through /bin/sh; its output goes to the test's
 * output. Returns its exit status, or -1 when it did not exit normally. */
int hs_shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* n distinct loopback ports free right now. No ck_assert: usable in an
 * unchecked fixture. Returns 0, or -1. */
int hs_pick_ports(int *ports, int n);

/* The first number in a file (a PID file), or -1. */
long hs_read_number_file(const char *path);

/* Stops a setup started by a utils/ setup script (`<script> stop --dir
 * dir --keep`), then fails the test if any log under dir/<role>/ holds a
 * sanitizer report (those of a server's exit included). The runner's
 * teardown removes the dir (stop again, without --keep). */
void hs_setup_stop_check_logs(const char *script, const char *dir);

/* A new empty directory /tmp/minired-<tag>-XXXXXX, written to out.
 * Returns 0, or -1. */
int hs_make_temp_dir(const char *tag, char *out, size_t cap);

#endif
