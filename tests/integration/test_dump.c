/* test_dump.c -- integration tests for DUMP and RESTORE: arity and option
 * errors, the order of checks, payload refusals (version, checksum, bad
 * data, sanitize-dump-payload deciding deep checks), TTL / ABSTTL /
 * IDLETIME / FREQ, and a round trip of every type and encoding.
 *
 * Expected replies are Redis 7.0's (checked against redis-server 7.0.15,
 * including which crafted payloads it accepts). Payloads are built here
 * with the library's crc64. One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc64.h"
#include "harness.h"

#define CHECKSUM_ERR "ERR DUMP payload version or checksum are wrong"
#define BAD_FORMAT "ERR Bad data format"
#define MAX_PAYLOAD 256
#define CRC_BYTES 8
/* Redis 7.0's DUMP of the string "v". */
#define DUMP_V "\x00\x01v\n\x00\x91\b\xce\xb2\x19" "8\x8a\xce"
#define DUMP_V_LEN 13

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

typedef struct payload {
    char buf[MAX_PAYLOAD];
    size_t len;
} payload;

/* body followed by its CRC64 (little endian). */
static payload with_crc(const char *body, size_t len) {
    payload p;
    ck_assert_uint_le(len + CRC_BYTES, MAX_PAYLOAD);
    memcpy(p.buf, body, len);
    uint64_t crc = crc64(0, body, len);
    for (int i = 0; i < CRC_BYTES; i++) p.buf[len + i] = (char)(crc >> (8 * i));
    p.len = len + CRC_BYTES;
    return p;
}

/* RESTORE key 0 payload [opts], opts being space-separated words; the
 * reply (caller frees). */
static redisReply *restore(const char *key, const char *p, size_t len, const char *opts) {
    char fmt[128];
    snprintf(fmt, sizeof(fmt), "RESTORE %%s 0 %%b %s", opts ? opts : "");
    redisReply *r = redisCommand(ctx, fmt, key, p, len);
    ck_assert_ptr_nonnull(r);
    return r;
}

static void expect_restore(const char *key, payload p, const char *opt, const char *want) {
    redisReply *r = restore(key, p.buf, p.len, opt);
    if (strcmp(want, "OK") == 0) HS_CHECK_STATUS(r, "OK");
    else HS_CHECK_ERROR(r, want);
    freeReplyObject(r);
}

START_TEST(test_dump_basics) {
    HS_EXPECT_ARITY(ctx, "dump", "DUMP");
    HS_EXPECT_ARITY(ctx, "dump", "DUMP", "a", "b");
    HS_EXPECT_NIL(ctx, "DUMP", "nosuch");
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    redisReply *r = hs_command(ctx, HS_ARGS("DUMP", "k"));
    HS_CHECK_BULK(r, DUMP_V, DUMP_V_LEN); /* byte for byte Redis 7.0's */
    freeReplyObject(r);
}
END_TEST

START_TEST(test_restore_argument_errors) {
    HS_EXPECT_ARITY(ctx, "restore", "RESTORE");
    HS_EXPECT_ARITY(ctx, "restore", "RESTORE", "k", "0");
    HS_EXPECT_OK(ctx, "SET", "k", "v");
    /* BUSYKEY comes before the TTL and the payload are looked at... */
    HS_EXPECT_ERROR(ctx, "BUSYKEY Target key name already exists.", "RESTORE", "k", "abc", "x");
    HS_EXPECT_ERROR(ctx, "BUSYKEY Target key name already exists.", "RESTORE", "k", "-1", "x");
    /* ...but after the options. */
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "RESTORE", "k", "0", "x", "REPLACE", "foo");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "RESTORE", "nk", "abc", "x");
    HS_EXPECT_ERROR(ctx, "ERR Invalid TTL value, must be >= 0", "RESTORE", "nk", "-1", "x");
    HS_EXPECT_ERROR(ctx, "ERR Invalid IDLETIME value, must be >= 0", "RESTORE", "nk", "abc", "x", "IDLETIME", "-1");
    HS_EXPECT_ERROR(ctx, "ERR value is not an integer or out of range", "RESTORE", "nk", "0", "x", "IDLETIME",
                    "abc");
    HS_EXPECT_ERROR(ctx, "ERR Invalid FREQ value, must be >= 0 and <= 255", "RESTORE", "nk", "0", "x", "FREQ",
                    "256");
    HS_EXPECT_ERROR(ctx, "ERR Invalid FREQ value, must be >= 0 and <= 255", "RESTORE", "nk", "0", "x", "freq",
                    "-1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "RESTORE", "nk", "0", "x", "IDLETIME");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "RESTORE", "nk", "0", "x", "IDLETIME", "1", "FREQ", "1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "RESTORE", "nk", "0", "x", "FREQ", "1", "IDLETIME", "1");
    HS_EXPECT_ERROR(ctx, "ERR syntax error", "RESTORE", "nk", "0", "x", "foo");
    HS_EXPECT_ERROR(ctx, CHECKSUM_ERR, "RESTORE", "nk", "0", "x", "ABSTTL", "absttl", "REPLACE", "replace");
    HS_EXPECT_ERROR(ctx, CHECKSUM_ERR, "RESTORE", "nk", "0", "");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nk");
}
END_TEST

/* Which crafted payloads Redis 7.0 accepts and how it refuses the rest. */
START_TEST(test_restore_payload_checks) {
    payload good = with_crc("\x00\x01v\n\x00", 5);
    expect_restore("a", good, NULL, "OK");
    HS_EXPECT_BULK(ctx, "v", "GET", "a");
    expect_restore("a", good, NULL, "BUSYKEY Target key name already exists.");
    expect_restore("a", good, "REPLACE", "OK");
    good.buf[good.len - 1] ^= 1;
    expect_restore("b", good, NULL, CHECKSUM_ERR);
    expect_restore("b", with_crc("\x00\x01v\x0b\x00", 5), NULL, CHECKSUM_ERR); /* RDB 11: too new */
    expect_restore("b", with_crc("\x00\x01v\x09\x00", 5), NULL, "OK");        /* RDB 9: fine */
    expect_restore("c", with_crc("\x30\x01v\n\x00", 5), NULL, BAD_FORMAT);    /* no such type */
    expect_restore("c", with_crc("\x0a\x00", 2), NULL, BAD_FORMAT);           /* no value at all */
    payload zero_crc = {.len = 13};
    memcpy(zero_crc.buf, "\x00\x01v\n\x00\x00\x00\x00\x00\x00\x00\x00\x00", 13);
    expect_restore("c", zero_crc, NULL, CHECKSUM_ERR); /* unlike an RDB file, 0 is no waiver */
    redisReply *r = restore("c", "\x00\x00\x00\x00\x00\x00\x00\x00\x00", 9, NULL);
    HS_CHECK_ERROR(r, CHECKSUM_ERR); /* shorter than version + CRC */
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "c");
    /* A plain set (type 2) naming a member twice, integer or not: refused
     * (an integer duplicate was once freed twice: fuzz_rdb_load found it). */
    expect_restore("d", with_crc("\x02\x02\xc0\x01\xc0\x01\n\x00", 8), NULL, BAD_FORMAT);
    expect_restore("d", with_crc("\x02\x02\x01x\x01x\n\x00", 8), NULL, BAD_FORMAT);
    expect_restore("d", with_crc("\x02\x02\x01x\x01y\n\x00", 8), NULL, "OK");
}
END_TEST

/* sanitize-dump-payload decides the deep checks Redis makes optional: a
 * hash listpack holding a field twice is accepted under "no" (as Redis
 * 7.0 does) and refused under "yes" and "clients". A listpack that is
 * broken in structure (a wrong back-length) is refused whatever the
 * setting: Redis 7.0 accepts it under "no" and crashes when it is read
 * later; minired never crashes on bad input (a deliberate difference). */
START_TEST(test_restore_sanitize) {
    static const char dup_lp[] = "\x10\x13\x13\x00\x00\x00\x04\x00\x81" "f\x02\x81v\x02\x81" "f\x02\x81w\x02\xff\n\x00";
    static const char bad_lp[] = "\x10\r\r\x00\x00\x00\x02\x00\x81" "f\x02\x81v\x03\xff\n\x00";
    payload dup = with_crc(dup_lp, sizeof(dup_lp) - 1), bad = with_crc(bad_lp, sizeof(bad_lp) - 1);
    HS_EXPECT_BULKS(ctx, HS_ARGS("sanitize-dump-payload", "no"), "CONFIG", "GET", "sanitize-dump-payload");
    expect_restore("h", dup, NULL, "OK");
    HS_EXPECT_INT(ctx, 1, "DEL", "h");
    expect_restore("h", bad, NULL, BAD_FORMAT);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "sanitize-dump-payload", "yes");
    expect_restore("h", dup, NULL, BAD_FORMAT);
    expect_restore("h", bad, NULL, BAD_FORMAT);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "sanitize-dump-payload", "clients");
    expect_restore("h", dup, NULL, BAD_FORMAT);
    HS_EXPECT_ERROR(ctx,
                    "ERR CONFIG SET failed (possibly related to argument 'sanitize-dump-payload') - argument(s) "
                    "must be one of the following: no, yes, clients",
                    "CONFIG", "SET", "sanitize-dump-payload", "maybe");
    /* A sound payload passes the deep check. */
    static const char good_lp[] = "\x10\r\r\x00\x00\x00\x02\x00\x81" "f\x02\x81v\x02\xff\n\x00";
    expect_restore("h", with_crc(good_lp, sizeof(good_lp) - 1), NULL, "OK");
    HS_EXPECT_BULK(ctx, "v", "HGET", "h", "f");
}
END_TEST

START_TEST(test_restore_ttl_and_access) {
    payload v = with_crc("\x00\x01v\n\x00", 5);
    redisReply *r = redisCommand(ctx, "RESTORE t 100000 %b", v.buf, v.len);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    redisReply *ttl = hs_command(ctx, HS_ARGS("PTTL", "t"));
    ck_assert(ttl->integer > 90000 && ttl->integer <= 100000);
    freeReplyObject(ttl);
    r = redisCommand(ctx, "RESTORE t2 4102444800000 %b ABSTTL", v.buf, v.len);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 4102444800000LL, "PEXPIRETIME", "t2");
    /* Already expired: OK, nothing added; with REPLACE the old key goes. */
    r = redisCommand(ctx, "RESTORE gone 1 %b ABSTTL", v.buf, v.len);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "gone");
    r = redisCommand(ctx, "RESTORE t2 1 %b ABSTTL REPLACE", v.buf, v.len);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 0, "EXISTS", "t2");
    expect_restore("idle", v, "IDLETIME 1000", "OK");
    redisReply *idle = hs_command(ctx, HS_ARGS("OBJECT", "IDLETIME", "idle"));
    ck_assert(idle->integer >= 999 && idle->integer <= 1001);
    freeReplyObject(idle);
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
    expect_restore("f", v, "FREQ 100", "OK");
    HS_EXPECT_INT(ctx, 100, "OBJECT", "FREQ", "f");
    expect_restore("f2", v, "IDLETIME 5", "OK"); /* ignored under LFU: a new key's counter */
    HS_EXPECT_INT(ctx, 5, "OBJECT", "FREQ", "f2");
}
END_TEST

static void expect_round_trip(const char *key) {
    redisReply *d = hs_command(ctx, HS_ARGS("DUMP", key));
    ck_assert_int_eq(d->type, REDIS_REPLY_STRING);
    redisReply *r = redisCommand(ctx, "RESTORE copy 0 %b REPLACE", d->str, d->len);
    HS_CHECK_STATUS(r, "OK");
    redisReply *a = redisCommand(ctx, "DEBUG DIGEST-VALUE %s copy", key);
    ck_assert_int_eq(a->type, REDIS_REPLY_ARRAY);
    ck_assert_str_eq(a->element[0]->str, a->element[1]->str);
    redisReply *e1 = redisCommand(ctx, "OBJECT ENCODING %s", key), *e2 = redisCommand(ctx, "OBJECT ENCODING copy");
    ck_assert_str_eq(e1->str, e2->str);
    /* Same bytes again, but for hash tables (their dump follows the
     * table's order, which depends on its history). */
    redisReply *d2 = hs_command(ctx, HS_ARGS("DUMP", "copy"));
    if (strcmp(e1->str, "hashtable") != 0)
        ck_assert_msg(d2->len == d->len && memcmp(d2->str, d->str, d->len) == 0, "DUMP of %s changed", key);
    freeReplyObject(d2);
    freeReplyObject(e1);
    freeReplyObject(e2);
    freeReplyObject(a);
    freeReplyObject(r);
    freeReplyObject(d);
}

START_TEST(test_round_trip_every_encoding) {
    char big[300];
    memset(big, 'a', sizeof(big));
    HS_EXPECT_OK(ctx, "SET", "int", "-123456789");
    HS_EXPECT_OK(ctx, "SET", "emb", "hello");
    freeReplyObject(redisCommand(ctx, "SET comp %b", big, sizeof(big)));
    freeReplyObject(redisCommand(ctx, "RPUSH l a 1 -2 three 99999999999"));
    for (int i = 0; i < 1000; i++) freeReplyObject(redisCommand(ctx, "RPUSH lnodes elem-%d", i));
    freeReplyObject(redisCommand(ctx, "SADD si 1 2 -3 70000 5000000000"));
    freeReplyObject(redisCommand(ctx, "SADD sh a b c"));
    freeReplyObject(redisCommand(ctx, "HSET hl f v n 1"));
    for (int i = 0; i < 600; i++) freeReplyObject(redisCommand(ctx, "HSET hh f%d v%d", i, i));
    freeReplyObject(redisCommand(ctx, "ZADD zl 1 a 2.5 b inf c -inf d"));
    for (int i = 0; i < 200; i++) freeReplyObject(redisCommand(ctx, "ZADD zs %d.25 m%d", i, i));
    const char *keys[] = {"int", "emb", "comp", "l", "lnodes", "si", "sh", "hl", "hh", "zl", "zs"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) expect_round_trip(keys[i]);
}
END_TEST

static Suite *dump_suite(void) {
    Suite *s = suite_create("dump");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, HS_TCASE_TIMEOUT_SEC);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dump_basics);
    tcase_add_test(tc, test_restore_argument_errors);
    tcase_add_test(tc, test_restore_payload_checks);
    tcase_add_test(tc, test_restore_sanitize);
    tcase_add_test(tc, test_restore_ttl_and_access);
    tcase_add_test(tc, test_round_trip_every_encoding);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return hs_run_suite(dump_suite());
}
