/* test_propagate.c -- Check tests for the effects stream (propagate.c):
 * nothing is built without a consumer; one effect is emitted bare, several
 * are wrapped in MULTI/EXEC; SELECT precedes the first effect of a
 * database other than the stream's; a command's own argv, its replacement
 * or nothing (prevented, or no change) is what prop_command_done adds;
 * each consumer selects on its own; forced-replication commands (PUBLISH)
 * reach only replica consumers.
 *
 * The reply functions DEBUG EFFECTS uses are stubbed (no client output in
 * a unit test). Every test ends with zmalloc's byte count back where it
 * started. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "propagate.h"
#include "zmalloc.h"

struct server_state server;
struct server_config cfg;

#define NOT_HERE(name) ck_abort_msg(name " called from a unit test")
void reply_ok(struct client *c) { (void)c; NOT_HERE("reply_ok"); }
void reply_error(struct client *c, const char *m) { (void)c; (void)m; NOT_HERE("reply_error"); }
void reply_error_syntax(struct client *c) { (void)c; NOT_HERE("reply_error_syntax"); }
void reply_bulk(struct client *c, const char *p, size_t l) { (void)c; (void)p; (void)l; NOT_HERE("reply_bulk"); }

/* ---------------------------------------------------------- a consumer */

static sds seen;

static void consume(const char *buf, size_t len, void *ctx) {
    (void)ctx;
    seen = sds_cat_len(seen, buf, len);
}

static size_t mem_before;

static void setup(void) {
    mem_before = zmalloc_used_memory();
    seen = sds_empty();
    prop_add_consumer(consume, NULL);
}

static void teardown(void) {
    prop_flush();
    prop_remove_consumer(consume, NULL);
    sds_free(seen);
}

/* The stream a test expects, with "|" for CRLF to keep tests readable. */
static void assert_seen(const char *expected) {
    sds want = sds_empty();
    for (const char *p = expected; *p; p++) want = *p == '|' ? sds_cat_len(want, "\r\n", 2) : sds_cat_len(want, p, 1);
    ck_assert_msg(sds_len(seen) == sds_len(want) && memcmp(seen, want, sds_len(want)) == 0,
                  "stream differs:\n got: %s\nwant: %s", seen, want);
    sds_free(want);
    sds_clear(seen);
}

/* ---------------------------------------------------------- tests */

START_TEST(test_no_consumer_builds_nothing) {
    prop_remove_consumer(consume, NULL);
    ck_assert_int_eq(prop_active(), 0);
    prop_addf(0, "cs", "DEL", (sds) "k");
    ck_assert_int_eq(prop_pending(), 0);
    prop_add_consumer(consume, NULL);
    ck_assert_int_eq(prop_active(), 1);
}
END_TEST

START_TEST(test_single_effect_is_bare_after_select) {
    sds key = sds_new("key");
    prop_addf(3, "csl", "PEXPIREAT", key, 1700000000000LL);
    ck_assert_int_eq(prop_pending(), 1);
    prop_flush();
    ck_assert_int_eq(prop_pending(), 0);
    assert_seen("*2|$6|SELECT|$1|3|*3|$9|PEXPIREAT|$3|key|$13|1700000000000|");
    /* Same database: no second SELECT; arguments are binary-safe. */
    prop_addf(3, "cb", "DEL", "a\0b", (size_t)3);
    prop_flush();
    static const char want[] = "*2\r\n$3\r\nDEL\r\n$3\r\na\0b\r\n";
    ck_assert_uint_eq(sds_len(seen), sizeof(want) - 1);
    ck_assert(memcmp(seen, want, sizeof(want) - 1) == 0);
    sds_clear(seen);
    sds_free(key);
}
END_TEST

START_TEST(test_several_effects_wrapped) {
    prop_addf(0, "cc", "DEL", "x");
    prop_addf(0, "ccc", "set", "x", "1");
    prop_addf(2, "ccc", "set", "y", "2");
    prop_flush();
    assert_seen("*2|$6|SELECT|$1|0|*1|$5|MULTI|*2|$3|DEL|$1|x|*3|$3|set|$1|x|$1|1|"
                "*2|$6|SELECT|$1|2|*3|$3|set|$1|y|$1|2|*1|$4|EXEC|");
}
END_TEST

/* A client with just enough for prop_command_done. */
static client *fake_client(db *d, int argc, const char **args) {
    client *c = zcalloc(sizeof(*c));
    c->db = d;
    c->argc = argc;
    c->argv = zmalloc(sizeof(sds) * (size_t)argc);
    for (int i = 0; i < argc; i++) c->argv[i] = sds_new(args[i]);
    return c;
}

static void fake_client_free(client *c) {
    for (int i = 0; i < c->argc; i++) sds_free(c->argv[i]);
    zfree(c->argv);
    zfree(c);
}

START_TEST(test_command_done_rules) {
    db d = {.id = 0};
    const char *args[] = {"incrbyfloat", "f", "1.5"};
    client *c = fake_client(&d, 3, args);
    /* No change: nothing. */
    prop_command_done(c, 0);
    ck_assert_int_eq(prop_pending(), 0);
    /* A change: the argv as the client sent it. */
    prop_command_done(c, 1);
    prop_flush();
    assert_seen("*2|$6|SELECT|$1|0|*3|$11|incrbyfloat|$1|f|$3|1.5|");
    /* Replaced: the rewrite, after effects added meanwhile. */
    prop_replacef(c, "cscc", "SET", c->argv[1], "1.5", "KEEPTTL");
    prop_addf(0, "cc", "DEL", "gone");
    prop_command_done(c, 1);
    ck_assert_ptr_null(c->prop);
    prop_flush();
    assert_seen("*1|$5|MULTI|*2|$3|DEL|$4|gone|*4|$3|SET|$1|f|$3|1.5|$7|KEEPTTL|*1|$4|EXEC|");
    /* Prevented: nothing of its own, and the flag does not outlive it. */
    prop_prevent(c);
    prop_command_done(c, 2);
    ck_assert_int_eq(prop_pending(), 0);
    ck_assert(!(c->flags & CLIENT_PREVENT_PROP));
    /* A replacement for a command that changed nothing is dropped. */
    prop_replacef(c, "cs", "DEL", c->argv[1]);
    prop_command_done(c, 0);
    ck_assert_int_eq(prop_pending(), 0);
    ck_assert_ptr_null(c->prop);
    fake_client_free(c);
}
END_TEST

START_TEST(test_new_consumer_gets_select) {
    prop_addf(5, "cc", "DEL", "a");
    prop_flush();
    sds_clear(seen);
    /* A consumer joining mid-stream must be told the database again. */
    prop_remove_consumer(consume, NULL);
    prop_add_consumer(consume, NULL);
    prop_addf(5, "cc", "DEL", "b");
    prop_flush();
    assert_seen("*2|$6|SELECT|$1|5|*2|$3|DEL|$1|b|");
}
END_TEST

/* A second consumer with the replica view, recording apart. */
static sds seen_replica;

static void consume_replica(const char *buf, size_t len, void *ctx) {
    (void)ctx;
    seen_replica = sds_cat_len(seen_replica, buf, len);
}

static void assert_bytes(sds got, const char *expected) {
    sds want = sds_empty();
    for (const char *p = expected; *p; p++) want = *p == '|' ? sds_cat_len(want, "\r\n", 2) : sds_cat_len(want, p, 1);
    ck_assert_msg(sds_len(got) == sds_len(want) && memcmp(got, want, sds_len(want)) == 0,
                  "stream differs:\n got: %s\nwant: %s", got, want);
    sds_free(want);
}

START_TEST(test_consumers_select_apart) {
    prop_addf(2, "cc", "DEL", "a");
    prop_flush();
    sds_clear(seen);
    /* The replica consumer joins later: only it is told the database. */
    seen_replica = sds_empty();
    prop_add_replica_consumer(consume_replica, NULL);
    prop_addf(2, "cc", "DEL", "b");
    prop_flush();
    assert_seen("*2|$3|DEL|$1|b|");
    assert_bytes(seen_replica, "*2|$6|SELECT|$1|2|*2|$3|DEL|$1|b|");
    /* Reselect one consumer: the other keeps its stream as it was. */
    sds_clear(seen_replica);
    prop_consumer_reselect(consume_replica, NULL);
    prop_addf(2, "cc", "DEL", "c");
    prop_flush();
    assert_seen("*2|$3|DEL|$1|c|");
    assert_bytes(seen_replica, "*2|$6|SELECT|$1|2|*2|$3|DEL|$1|c|");
    prop_remove_consumer(consume_replica, NULL);
    sds_free(seen_replica);
}
END_TEST

START_TEST(test_forced_replication_reaches_replicas_only) {
    db d = {.id = 1};
    const char *args[] = {"PUBLISH", "ch", "m"};
    client *c = fake_client(&d, 3, args);
    /* No replica consumer: a forced command adds nothing. */
    prop_force_replicas(c);
    prop_command_done(c, 0);
    ck_assert_int_eq(prop_pending(), 0);
    ck_assert(!(c->flags & CLIENT_FORCE_REPL));
    seen_replica = sds_empty();
    prop_add_replica_consumer(consume_replica, NULL);
    /* Alone in its unit: replicas get it, the plain consumer nothing. */
    prop_force_replicas(c);
    prop_command_done(c, 0);
    prop_flush();
    assert_seen("");
    assert_bytes(seen_replica, "*2|$6|SELECT|$1|1|*3|$7|PUBLISH|$2|ch|$1|m|");
    /* With a write in the unit: replicas see both in MULTI, the plain
     * consumer the write alone, still wrapped as Redis feeds its AOF. */
    sds_clear(seen_replica);
    prop_addf(1, "cc", "DEL", "k");
    prop_force_replicas(c);
    prop_command_done(c, 0);
    prop_flush();
    assert_seen("*2|$6|SELECT|$1|1|*1|$5|MULTI|*2|$3|DEL|$1|k|*1|$4|EXEC|");
    assert_bytes(seen_replica, "*1|$5|MULTI|*2|$3|DEL|$1|k|*3|$7|PUBLISH|$2|ch|$1|m|*1|$4|EXEC|");
    prop_remove_consumer(consume_replica, NULL);
    sds_free(seen_replica);
    fake_client_free(c);
}
END_TEST

START_TEST(test_memory_back) {
    prop_addf(0, "cc", "DEL", "a");
    prop_addf(0, "cc", "DEL", "b");
    prop_flush();
    sds_clear(seen);
}
END_TEST

static void check_memory(void) {
    teardown();
    /* The pending-ops array is kept between units: allow its size. */
    ck_assert_uint_le(zmalloc_used_memory(), mem_before + 1024);
}

static Suite *propagate_suite(void) {
    Suite *s = suite_create("propagate");
    TCase *tc = tcase_create("stream");
    tcase_add_checked_fixture(tc, setup, check_memory);
    tcase_add_test(tc, test_no_consumer_builds_nothing);
    tcase_add_test(tc, test_single_effect_is_bare_after_select);
    tcase_add_test(tc, test_several_effects_wrapped);
    tcase_add_test(tc, test_command_done_rules);
    tcase_add_test(tc, test_new_consumer_gets_select);
    tcase_add_test(tc, test_consumers_select_apart);
    tcase_add_test(tc, test_forced_replication_reaches_replicas_only);
    tcase_add_test(tc, test_memory_back);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(propagate_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
