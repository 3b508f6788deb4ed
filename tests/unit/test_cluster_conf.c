/* test_cluster_conf.c -- Check suite for the nodes.conf library: files and
 * CLUSTER NODES replies Redis 7.0.15 produced are parsed and formatted back
 * to the same bytes; hand-made files get the verdict Redis gave them at
 * start (fixtures/cluster_conf_fixture_redis7.h, made by
 * fixtures/make_cluster_conf_fixture.py); truncated and mutated files never
 * crash the parser; the in-place write pads and truncates as Redis does. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster_conf.h"
#include "fixtures/cluster_conf_fixture_redis7.h"
#include "zmalloc.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const struct clconf_real *find_real(const struct clconf_real *set, size_t n,
                                           const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i].name, name) == 0) return &set[i];
    ck_abort_msg("no fixture %s", name);
    return NULL;
}

static void parse_ok(const struct clconf_real *f, clconf *c) {
    char err[128];
    size_t line;
    clconf_status st = clconf_parse(f->text, f->len, c, err, sizeof(err), &line);
    ck_assert_msg(st == CLCONF_OK, "%s: %d (%s at line %zu)", f->name, st, err, line);
}

static int has_slot(const clconf_node *n, int s) {
    return (n->slots[s / 8] >> (s % 8)) & 1;
}

START_TEST(test_real_files_round_trip) {
    for (size_t i = 0; i < N_ELEMS(redis7_conf_files); i++) {
        const struct clconf_real *f = &redis7_conf_files[i];
        clconf c;
        parse_ok(f, &c);
        sds out = clconf_format_file(&c);
        ck_assert_msg(sds_len(out) == f->len && memcmp(out, f->text, f->len) == 0,
                      "%s: formatted\n%s\nRedis wrote\n%.*s", f->name, out, (int)f->len, f->text);
        sds_free(out);
        clconf_free(&c);
    }
}
END_TEST

START_TEST(test_nodes_replies_round_trip) {
    for (size_t i = 0; i < N_ELEMS(redis7_nodes_replies); i++) {
        const struct clconf_real *f = &redis7_nodes_replies[i];
        clconf c;
        parse_ok(f, &c);
        sds out = clconf_format_nodes_reply(&c);
        ck_assert_msg(sds_len(out) == f->len && memcmp(out, f->text, f->len) == 0,
                      "%s: formatted\n%s\nRedis replied\n%.*s", f->name, out, (int)f->len, f->text);
        sds_free(out);
        clconf_free(&c);
    }
}
END_TEST

START_TEST(test_handshake_nodes_not_saved) {
    /* CLUSTER NODES shows the node being met; the file Redis saved at the
     * same moment does not have it. */
    clconf c;
    parse_ok(find_real(redis7_nodes_replies, N_ELEMS(redis7_nodes_replies), "handshake-7311.nodes"), &c);
    ck_assert_uint_eq(c.count, 5);
    sds reply = clconf_format_nodes_reply(&c);
    sds file = clconf_format_file(&c);
    ck_assert_ptr_nonnull(strstr(reply, " handshake - 0 0 0 disconnected\n"));
    ck_assert_ptr_null(strstr(file, "handshake"));
    sds_free(reply);
    sds_free(file);
    clconf_free(&c);
}
END_TEST

START_TEST(test_fields_of_open_slots) {
    clconf c;
    parse_ok(find_real(redis7_conf_files, N_ELEMS(redis7_conf_files), "migr-7301.conf"), &c);
    ck_assert_uint_eq(c.count, 6);
    ck_assert_uint_eq(c.current_epoch, 6);
    ck_assert_uint_eq(c.last_vote_epoch, 0);
    clconf_node *me = clconf_myself(&c);
    ck_assert_ptr_nonnull(me);
    ck_assert_str_eq(me->name, "1ce017efef4d2a0ea50b44bae3e4028a6283fce4");
    ck_assert_str_eq(me->ip, "127.0.0.1");
    ck_assert_int_eq(me->port, 7301);
    ck_assert_int_eq(me->cport, 17301);
    ck_assert_ptr_null(me->hostname);
    ck_assert_uint_eq(me->flags, CLCONF_NODE_MYSELF | CLCONF_NODE_MASTER);
    ck_assert_str_eq(me->master, "");
    ck_assert_uint_eq(me->config_epoch, 1);
    ck_assert_int_eq(me->connected, 1);
    ck_assert(has_slot(me, 0) && has_slot(me, 5460) && !has_slot(me, 5461));
    ck_assert_uint_eq(me->nmigrations, 3);
    ck_assert_uint_eq(me->migrations[0].slot, 100);
    ck_assert_int_eq(me->migrations[0].importing, 0);
    ck_assert_str_eq(me->migrations[0].node, "9121973c86572edaca8806926b10b343f0882c15");
    ck_assert_uint_eq(me->migrations[2].slot, 10000);
    ck_assert_int_eq(me->migrations[2].importing, 1);
    clconf_free(&c);
}
END_TEST

START_TEST(test_fields_of_replicas_hosts_and_failures) {
    clconf c;
    parse_ok(find_real(redis7_conf_files, N_ELEMS(redis7_conf_files), "hostname-7314.conf"), &c);
    clconf_node *me = clconf_myself(&c);
    ck_assert_uint_eq(me->flags, CLCONF_NODE_MYSELF | CLCONF_NODE_SLAVE | CLCONF_NODE_NOFAILOVER);
    ck_assert_str_eq(me->hostname, "host-7314.example.com");
    ck_assert_str_eq(me->master, "977243508cdf040832744823e585295e70832f86");
    clconf_free(&c);

    parse_ok(find_real(redis7_conf_files, N_ELEMS(redis7_conf_files), "noaddr-7320.conf"), &c);
    ck_assert_str_eq(c.nodes[0].ip, "");
    ck_assert_int_eq(c.nodes[0].port, 0);
    ck_assert_uint_eq(c.nodes[0].flags, CLCONF_NODE_MASTER | CLCONF_NODE_NOADDR);
    ck_assert_int_eq(c.nodes[0].connected, 0);
    ck_assert_int_eq(c.nodes[0].ping_sent, 1796523386327LL);
    clconf_free(&c);

    parse_ok(find_real(redis7_conf_files, N_ELEMS(redis7_conf_files), "failover-7301.conf"), &c);
    ck_assert_uint_eq(c.current_epoch, 7);
    ck_assert_uint_eq(c.last_vote_epoch, 7);
    clconf_free(&c);

    parse_ok(find_real(redis7_nodes_replies, N_ELEMS(redis7_nodes_replies), "pfail-7301.nodes"), &c);
    int pfail = 0;
    for (size_t i = 0; i < c.count; i++) pfail += (c.nodes[i].flags & CLCONF_NODE_PFAIL) != 0;
    ck_assert_int_eq(pfail, 1);
    clconf_free(&c);
}
END_TEST

START_TEST(test_cases_get_redis_verdicts) {
    for (size_t i = 0; i < N_ELEMS(redis7_conf_cases); i++) {
        const struct clconf_case *t = &redis7_conf_cases[i];
        clconf c;
        char err[128];
        size_t line;
        clconf_status want = CLCONF_CORRUPT; /* "corrupt", and "crash": refused here */
        if (strcmp(t->verdict, "ok") == 0) want = CLCONF_OK;
        if (strcmp(t->verdict, "empty") == 0) want = CLCONF_EMPTY;
        /* Redis starts with an ip longer than its 46-byte buffer (an
         * overflow); minired refuses it. */
        if (strcmp(t->name, "longip.conf") == 0) want = CLCONF_CORRUPT;
        clconf_status st = clconf_parse(t->text, t->len, &c, err, sizeof(err), &line);
        ck_assert_msg(st == want, "%s: got %d (%s, line %zu), Redis: %s", t->name, st, err, line,
                      t->verdict);
        if (st == CLCONF_OK) clconf_free(&c);
    }
}
END_TEST

static const struct clconf_case *find_case(const char *name) {
    for (size_t i = 0; i < N_ELEMS(redis7_conf_cases); i++)
        if (strcmp(redis7_conf_cases[i].name, name) == 0) return &redis7_conf_cases[i];
    ck_abort_msg("no case %s", name);
    return NULL;
}

static void parse_case(const char *name, clconf *c) {
    const struct clconf_case *t = find_case(name);
    ck_assert_int_eq(clconf_parse(t->text, t->len, c, NULL, 0, NULL), CLCONF_OK);
}

START_TEST(test_quirks_read_as_redis_reads_them) {
    /* What Redis saved back after loading each case (CLUSTER SAVECONFIG). */
    clconf c;
    parse_case("slotneg.conf", &c); /* "-1" is the range ""-"1": 0-1 */
    ck_assert(has_slot(&c.nodes[0], 0) && has_slot(&c.nodes[0], 1) && !has_slot(&c.nodes[0], 2));
    clconf_free(&c);
    parse_case("revrange.conf", &c); /* "5-2" lists nothing */
    sds s = clconf_format_node(sds_empty(), &c.nodes[0]);
    ck_assert_ptr_nonnull(strstr(s, " connected 0-10"));
    ck_assert_uint_eq(sds_len(s), strstr(s, " 0-10") - s + 5);
    sds_free(s);
    clconf_free(&c);
    parse_case("migr-badop.conf", &c); /* not '>' after the '-': importing */
    ck_assert_int_eq(c.nodes[0].migrations[0].importing, 1);
    clconf_free(&c);
    parse_case("noat.conf", &c); /* no "@cport": port + 10000 */
    ck_assert_int_eq(c.nodes[0].cport, 17330);
    clconf_free(&c);
    parse_case("epochneg.conf", &c);
    ck_assert_uint_eq(c.nodes[0].config_epoch, UINT64_MAX);
    ck_assert_uint_eq(c.current_epoch, UINT64_MAX);
    clconf_free(&c);
    parse_case("varsalpha.conf", &c);
    ck_assert_uint_eq(c.current_epoch, 0);
    ck_assert_uint_eq(c.last_vote_epoch, 7);
    clconf_free(&c);
    parse_case("epochmax.conf", &c); /* currentEpoch raised to the largest config epoch */
    ck_assert_uint_eq(c.current_epoch, 9);
    clconf_free(&c);
    parse_case("unkvar.conf", &c);
    ck_assert_uint_eq(c.nunknown_vars, 1);
    ck_assert_str_eq(c.unknown_vars[0], "foo");
    clconf_free(&c);
    parse_case("quoted.conf", &c);
    ck_assert_int_eq(c.nodes[0].port, 7330);
    clconf_free(&c);
    parse_case("hexq.conf", &c); /* "\x33" inside double quotes is '3' */
    ck_assert_int_eq(c.nodes[0].port, 7330);
    clconf_free(&c);
    parse_case("ipv6.conf", &c);
    ck_assert_str_eq(c.nodes[0].ip, "::1");
    clconf_free(&c);
    parse_case("emptyhost.conf", &c);
    ck_assert_ptr_null(c.nodes[1].hostname);
    clconf_free(&c);
    parse_case("nulbyte.conf", &c); /* the line ends at the NUL */
    ck_assert(has_slot(&c.nodes[0], 10));
    clconf_free(&c);
}
END_TEST

START_TEST(test_format_flags_and_slot_runs) {
    sds s = clconf_format_flags(sds_empty(), 0);
    ck_assert_str_eq(s, "noflags");
    sds_clear(s);
    s = clconf_format_flags(s, CLCONF_NODE_NOFAILOVER | CLCONF_NODE_FAIL | CLCONF_NODE_SLAVE |
                                   CLCONF_NODE_MEET | CLCONF_NODE_MIGRATE_TO);
    ck_assert_str_eq(s, "slave,fail,nofailover");
    sds_free(s);
    clconf_node n;
    memset(&n, 0, sizeof(n));
    memcpy(n.name, "0123456789012345678901234567890123456789", CLCONF_NAMELEN + 1);
    n.flags = CLCONF_NODE_MASTER;
    n.port = 1;
    n.cport = 2;
    for (int sl = 0; sl < CLUSTER_SLOTS; sl++)
        if (sl == 5 || (sl >= 7 && sl <= 9) || sl == 16383) n.slots[sl / 8] |= 1u << (sl % 8);
    s = clconf_format_node(sds_empty(), &n);
    ck_assert_str_eq(s, "0123456789012345678901234567890123456789 :1@2 master - 0 0 0 disconnected "
                        "5 7-9 16383");
    sds_free(s);
}
END_TEST

/* Parses the len bytes from an exact-size heap copy (ASan sees overreads);
 * when accepted, formatting and parsing again is stable. */
static void parse_any(const char *text, size_t len) {
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    clconf c;
    clconf_status st = clconf_parse(copy, len, &c, NULL, 0, NULL);
    free(copy);
    if (st != CLCONF_OK) return;
    sds once = clconf_format_file(&c);
    clconf_free(&c);
    ck_assert_int_eq(clconf_parse(once, sds_len(once), &c, NULL, 0, NULL), CLCONF_OK);
    sds twice = clconf_format_file(&c);
    ck_assert_str_eq(once, twice);
    sds_free(once);
    sds_free(twice);
    clconf_free(&c);
}

/* Every prefix of a file costs a parse of up to the whole file: only the
 * small files (all but the one listing 8,193 single slots) are cut. */
#define FUZZ_MAX_FILE_BYTES 4096

START_TEST(test_truncated_and_mutated_never_crash) {
    const struct clconf_real *small[N_ELEMS(redis7_conf_files)];
    size_t nsmall = 0;
    for (size_t i = 0; i < N_ELEMS(redis7_conf_files); i++)
        if (redis7_conf_files[i].len <= FUZZ_MAX_FILE_BYTES) small[nsmall++] = &redis7_conf_files[i];
    ck_assert_uint_gt(nsmall, 20);
    for (size_t i = 0; i < nsmall; i++)
        for (size_t len = 0; len <= small[i]->len; len++) parse_any(small[i]->text, len);
    srand(14);
    static const char alphabet[] = " \n\t\"'\\[]{}-<>,:@x0123456789abcdef\0\xff";
    for (int iter = 0; iter < 20000; iter++) {
        const struct clconf_real *f = small[(size_t)rand() % nsmall];
        char *buf = malloc(f->len);
        memcpy(buf, f->text, f->len);
        int edits = 1 + rand() % 4;
        for (int e = 0; e < edits; e++)
            buf[(size_t)rand() % f->len] = alphabet[(size_t)rand() % (sizeof(alphabet) - 1)];
        parse_any(buf, f->len);
        free(buf);
    }
}
END_TEST

START_TEST(test_write_file_in_place) {
    char dir[] = "/tmp/test_cluster_conf.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/nodes.conf", dir);
    const char *longer = "a line that is long\nvars currentEpoch 0 lastVoteEpoch 0\n";
    const char *shorter = "short\n";
    ck_assert_int_eq(clconf_write_file(path, longer, strlen(longer), 1, NULL, 0), 0);
    ck_assert_int_eq(clconf_write_file(path, shorter, strlen(shorter), 0, NULL, 0), 0);
    char got[256];
    FILE *fp = fopen(path, "rb");
    size_t n = fread(got, 1, sizeof(got), fp);
    fclose(fp);
    ck_assert_uint_eq(n, strlen(shorter));
    ck_assert(memcmp(got, shorter, n) == 0);
    /* The lock: a second taker (another open file description, as another
     * process would have) is refused until the first fd is closed. */
    int fd = clconf_lock_file(path);
    ck_assert_int_ge(fd, 0);
    errno = 0;
    ck_assert_int_eq(clconf_lock_file(path), -1);
    ck_assert_int_eq(errno, EWOULDBLOCK);
    close(fd);
    fd = clconf_lock_file(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(path);
    rmdir(dir);
    char err[32];
    errno = 0;
    ck_assert_int_eq(clconf_write_file("/nonexistent-dir/nodes.conf", "x", 1, 1, err, sizeof(err)), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_str_eq(err, "open");
}
END_TEST

static Suite *cluster_conf_suite(void) {
    Suite *s = suite_create("cluster_conf");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_real_files_round_trip);
    tcase_add_test(tc, test_nodes_replies_round_trip);
    tcase_add_test(tc, test_handshake_nodes_not_saved);
    tcase_add_test(tc, test_fields_of_open_slots);
    tcase_add_test(tc, test_fields_of_replicas_hosts_and_failures);
    tcase_add_test(tc, test_cases_get_redis_verdicts);
    tcase_add_test(tc, test_quirks_read_as_redis_reads_them);
    tcase_add_test(tc, test_format_flags_and_slot_runs);
    tcase_add_test(tc, test_truncated_and_mutated_never_crash);
    tcase_add_test(tc, test_write_file_in_place);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(cluster_conf_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
