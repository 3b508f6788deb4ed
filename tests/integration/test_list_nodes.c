/* test_list_nodes.c -- list commands over compressed and PLAIN quicklist
 * nodes, checked against a model array.
 *
 * With list-compress-depth 1 every inner node is LZF-compressed and with
 * DEBUG QUICKLIST-PACKED-THRESHOLD 200 every value of 200+ bytes gets a
 * PLAIN node; random LPUSH / RPUSH / LINSERT / LSET / LREM / LTRIM / pops /
 * LMOVE / LPOS / LINDEX / LRANGE must read back what the model holds, and
 * so must the list after DEBUG RELOAD (RDB PLAIN containers and LZF nodes)
 * and after DUMP / RESTORE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc64.h"
#include "harness.h"

#define MODEL_MAX 4000
#define VAL_MAX 600

static hs_server *srv;
static redisContext *ctx;
static char *model[MODEL_MAX];
static size_t model_n;
static unsigned long long rng = 0x9E3779B97F4A7C15ULL;

static unsigned long long rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void setup(void) {
    srv = hs_start(HS_ARGS("--list-compress-depth", "1"));
    ctx = hs_connect(srv);
}

static void teardown(void) {
    for (size_t i = 0; i < model_n; i++) free(model[i]);
    model_n = 0;
    HS_EXPECT_OK(ctx, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0");
    redisFree(ctx);
    hs_stop(srv);
}

/* A compressible JSON-like record, sometimes long enough to be PLAIN,
 * sometimes a small integer. */
static char *random_value(void) {
    char *v = malloc(VAL_MAX + 1);
    unsigned kind = (unsigned)(rnd() % 10);
    if (kind == 0) {
        snprintf(v, VAL_MAX, "%llu", rnd() % 1000);
    } else {
        int n = snprintf(v, VAL_MAX, "{\"id\":%llu,\"name\":\"user\",\"tags\":[\"a\",\"b\"]}", rnd() % 50);
        if (kind == 1) { /* large: a PLAIN node */
            size_t len = 200 + rnd() % 300;
            memset(v + n, 'x', len - (size_t)n);
            v[len] = '\0';
        }
    }
    return v;
}

static void model_insert(size_t at, char *v) {
    memmove(&model[at + 1], &model[at], (model_n - at) * sizeof(char *));
    model[at] = v;
    model_n++;
}

static void model_delete(size_t at) {
    free(model[at]);
    memmove(&model[at], &model[at + 1], (model_n - at - 1) * sizeof(char *));
    model_n--;
}

static void check_all(const char *key) {
    redisReply *r = hs_command(ctx, HS_ARGS("LRANGE", key, "0", "-1"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_uint_eq(r->elements, model_n);
    for (size_t i = 0; i < model_n; i++) ck_assert_str_eq(r->element[i]->str, model[i]);
    freeReplyObject(r);
}

static void one_op(void) {
    char idx[32], cnt[32];
    unsigned op = (unsigned)(rnd() % 100);
    if (model_n > 1500 && op < 40) op += 40;
    if (op < 40 || model_n == 0) {
        char *v = random_value();
        int head = (int)(rnd() % 2);
        redisReply *r = hs_command(ctx, HS_ARGS(head ? "LPUSH" : "RPUSH", "l", v));
        freeReplyObject(r);
        model_insert(head ? 0 : model_n, v);
    } else if (op < 50) {
        size_t at = rnd() % model_n;
        char *v = random_value();
        int after = (int)(rnd() % 2);
        /* LINSERT goes by the first occurrence of the pivot. */
        size_t first = 0;
        while (strcmp(model[first], model[at]) != 0) first++;
        HS_EXPECT_INT(ctx, (long long)model_n + 1, "LINSERT", "l", after ? "AFTER" : "BEFORE", model[at], v);
        model_insert(first + (size_t)after, v);
    } else if (op < 60) {
        size_t at = rnd() % model_n;
        char *v = random_value();
        snprintf(idx, sizeof(idx), "%ld", rnd() % 2 ? (long)at : (long)at - (long)model_n);
        HS_EXPECT_OK(ctx, "LSET", "l", idx, v);
        free(model[at]);
        model[at] = v;
    } else if (op < 66) {
        size_t at = rnd() % model_n;
        char *pivot = strdup(model[at]);
        long k = (long)(rnd() % 3) - 1, removed = 0;
        snprintf(cnt, sizeof(cnt), "%ld", k);
        if (k >= 0) {
            for (size_t i = 0; i < model_n && (k == 0 || removed < k);)
                if (strcmp(model[i], pivot) == 0) model_delete(i), removed++;
                else i++;
        } else {
            for (long i = (long)model_n - 1; i >= 0 && removed < -k; i--)
                if (strcmp(model[i], pivot) == 0) model_delete((size_t)i), removed++;
        }
        HS_EXPECT_INT(ctx, removed, "LREM", "l", cnt, pivot);
        free(pivot);
    } else if (op < 72) {
        /* Keeps [start, stop], stop given from the tail. */
        long start = (long)(rnd() % 5), from_tail = (long)(rnd() % 5) + 1;
        snprintf(idx, sizeof(idx), "%ld", start);
        snprintf(cnt, sizeof(cnt), "%ld", -from_tail);
        HS_EXPECT_OK(ctx, "LTRIM", "l", idx, cnt);
        long stop = (long)model_n - from_tail;
        if (stop < start) {
            while (model_n) model_delete(model_n - 1);
        } else {
            while ((long)model_n > stop + 1) model_delete(model_n - 1);
            for (long i = 0; i < start; i++) model_delete(0);
        }
    } else if (op < 80) {
        int head = (int)(rnd() % 2);
        size_t k = 1 + rnd() % 3;
        snprintf(cnt, sizeof(cnt), "%zu", k);
        redisReply *r = hs_command(ctx, HS_ARGS(head ? "LPOP" : "RPOP", "l", cnt));
        ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
        for (size_t i = 0; i < r->elements; i++) {
            size_t at = head ? 0 : model_n - 1;
            ck_assert_str_eq(r->element[i]->str, model[at]);
            model_delete(at);
        }
        freeReplyObject(r);
    } else if (op < 86) {
        /* LMOVE l l LEFT RIGHT: rotation through both ends. */
        HS_EXPECT_BULK(ctx, model[0], "LMOVE", "l", "l", "LEFT", "RIGHT");
        char *v = model[0];
        memmove(&model[0], &model[1], (model_n - 1) * sizeof(char *));
        model[model_n - 1] = v;
    } else if (op < 92) {
        size_t at = rnd() % model_n;
        long want = 0;
        while (strcmp(model[want], model[at]) != 0) want++;
        HS_EXPECT_INT(ctx, want, "LPOS", "l", model[at]);
    } else {
        size_t at = rnd() % model_n;
        snprintf(idx, sizeof(idx), "%ld", rnd() % 2 ? (long)at : (long)at - (long)model_n);
        HS_EXPECT_BULK(ctx, model[at], "LINDEX", "l", idx);
    }
}

static void run_model(int ops) {
    for (int i = 0; i < ops; i++) {
        one_op();
        if (i % 200 == 0) check_all("l");
    }
    check_all("l");
}

START_TEST(test_compressed_and_plain) {
    HS_EXPECT_OK(ctx, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "200");
    run_model(3000);
    /* Inner nodes really are compressed. */
    redisReply *r = hs_command(ctx, HS_ARGS("DEBUG", "OBJECT", "l"));
    ck_assert_ptr_nonnull(strstr(r->str, "ql_compressed:1"));
    freeReplyObject(r);
    /* RDB round trip: PLAIN containers and LZF nodes come back. */
    HS_EXPECT_OK(ctx, "DEBUG", "RELOAD");
    check_all("l");
    run_model(300);
    /* DUMP / RESTORE round trip gives the same bytes again. */
    redisReply *d = hs_command(ctx, HS_ARGS("DUMP", "l"));
    ck_assert_int_eq(d->type, REDIS_REPLY_STRING);
    const char *argv[] = {"RESTORE", "l2", "0", d->str};
    size_t lens[] = {7, 2, 1, d->len};
    redisReply *ok = hs_command_argv(ctx, 4, argv, lens);
    HS_CHECK_STATUS(ok, "OK");
    freeReplyObject(ok);
    check_all("l2");
    redisReply *d2 = hs_command(ctx, HS_ARGS("DUMP", "l2"));
    ck_assert_uint_eq(d2->len, d->len);
    ck_assert_int_eq(memcmp(d2->str, d->str, d->len), 0);
    freeReplyObject(d2);
    freeReplyObject(d);
}
END_TEST

START_TEST(test_threshold_arguments) {
    static const char *const ok[] = {"0", "1", "100", "1k", "1kb", "3gb", "4293918720", NULL};
    static const char *const bad[] = {"4gb", "4293918721", "-1", "abc", "1.5", NULL};
    for (int i = 0; ok[i]; i++) HS_EXPECT_OK(ctx, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", ok[i]);
    for (int i = 0; bad[i]; i++)
        HS_EXPECT_ERROR(ctx, "ERR argument must be a memory value bigger than 1 and smaller than 4gb", "DEBUG",
                        "QUICKLIST-PACKED-THRESHOLD", bad[i]);
    HS_EXPECT_ERROR_PREFIX(ctx, "ERR unknown subcommand or wrong number of arguments for 'quicklist-packed",
                           "DEBUG", "quicklist-packed-threshold");
}
END_TEST

/* Fills key with n compressible records (many inner nodes at depth 1). */
static void fill_records(const char *key, int n) {
    char v[128];
    for (int i = 0; i < n; i++) {
        snprintf(v, sizeof(v), "{\"id\":%d,\"name\":\"user%d\",\"role\":\"member\",\"active\":true}", i, i % 7);
        HS_EXPECT_INT(ctx, i + 1, "RPUSH", key, v);
    }
}

static long long memory_usage(const char *key) {
    redisReply *r = hs_command(ctx, HS_ARGS("MEMORY", "USAGE", key, "SAMPLES", "0"));
    ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
    long long v = r->integer;
    freeReplyObject(r);
    return v;
}

static redisReply *dump(const char *key) {
    redisReply *r = hs_command(ctx, HS_ARGS("DUMP", key));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    return r;
}

/* A read decompresses one inner node and leaves it plain until another
 * read or a change; MEMORY USAGE and DUMP must still see the list as
 * Redis holds it (every inner node compressed), and reading a second list
 * must leave the first one whole. */
START_TEST(test_reads_leave_no_trace) {
    fill_records("a", 600);
    fill_records("b", 600);
    long long mem_a = memory_usage("a");
    redisReply *d1 = dump("a");
    redisReply *r = hs_command(ctx, HS_ARGS("LINDEX", "a", "300"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_ptr_nonnull(strstr(r->str, "\"id\":300,"));
    freeReplyObject(r);
    ck_assert_int_eq(memory_usage("a"), mem_a);
    redisReply *d2 = dump("a");
    ck_assert_uint_eq(d2->len, d1->len);
    ck_assert_int_eq(memcmp(d2->str, d1->str, d1->len), 0);
    /* Interleaved reads of two lists, then a full read of each. */
    for (int i = 0; i < 20; i++) {
        char idx[16];
        snprintf(idx, sizeof(idx), "%d", 37 * i % 600);
        freeReplyObject(hs_command(ctx, HS_ARGS("LINDEX", "a", idx)));
        freeReplyObject(hs_command(ctx, HS_ARGS("LRANGE", "b", idx, "-100")));
    }
    const char *keys[] = {"a", "b"};
    for (int k = 0; k < 2; k++) {
        r = hs_command(ctx, HS_ARGS("LRANGE", keys[k], "0", "-1"));
        ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
        ck_assert_uint_eq(r->elements, 600);
        for (size_t i = 0; i < r->elements; i++) {
            char want[32];
            snprintf(want, sizeof(want), "\"id\":%zu,", i);
            ck_assert_ptr_nonnull(strstr(r->element[i]->str, want));
        }
        freeReplyObject(r);
    }
    redisReply *d3 = dump("a");
    ck_assert_uint_eq(d3->len, d1->len);
    ck_assert_int_eq(memcmp(d3->str, d1->str, d1->len), 0);
    freeReplyObject(d1);
    freeReplyObject(d2);
    freeReplyObject(d3);
}
END_TEST

/* A RESTORE payload (QUICKLIST_2) of one packed node holding n entries
 * "0".."n%100" as small integers; returns its length. */
static size_t payload_big_node(unsigned char *out, unsigned n) {
    size_t lp_len = 6 + 2 * (size_t)n + 1, k = 0;
    out[k++] = 18; /* RDB_TYPE_LIST_QUICKLIST_2 */
    out[k++] = 1;  /* one node */
    out[k++] = 2;  /* PACKED */
    out[k++] = 0x80; /* 32-bit length follows, big endian */
    for (int sh = 24; sh >= 0; sh -= 8) out[k++] = (unsigned char)(lp_len >> sh);
    for (int sh = 0; sh < 32; sh += 8) out[k++] = (unsigned char)(lp_len >> sh);
    out[k++] = n > 65535 ? 0xff : (unsigned char)n; /* count unknown past 65535 */
    out[k++] = n > 65535 ? 0xff : (unsigned char)(n >> 8);
    for (unsigned i = 0; i < n; i++) {
        out[k++] = (unsigned char)(i % 100); /* 7-bit unsigned integer */
        out[k++] = 1;                        /* its backlen */
    }
    out[k++] = 0xff;
    out[k++] = 10; /* RDB version 10 */
    out[k++] = 0;
    uint64_t crc = crc64(0, out, k);
    for (int i = 0; i < 8; i++) out[k++] = (unsigned char)(crc >> (8 * i));
    return k;
}

/* A node of more entries than a node may count (a crafted payload) is
 * taken apart into nodes within the fill; nothing breaks. */
START_TEST(test_restore_oversized_node) {
    static unsigned char payload[200000];
    size_t len = payload_big_node(payload, 70000);
    const char *argv[] = {"RESTORE", "big", "0", (const char *)payload};
    size_t lens[] = {7, 3, 1, len};
    redisReply *r = hs_command_argv(ctx, 4, argv, lens);
    HS_CHECK_STATUS(r, "OK");
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 70000, "LLEN", "big");
    HS_EXPECT_BULK(ctx, "99", "LINDEX", "big", "69999");
    r = hs_command(ctx, HS_ARGS("DEBUG", "OBJECT", "big"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STATUS);
    ck_assert_ptr_null(strstr(r->str, "ql_nodes:1 "));
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "DEBUG", "RELOAD");
    HS_EXPECT_INT(ctx, 70000, "LLEN", "big");
}
END_TEST

static Suite *list_nodes_suite(void) {
    Suite *s = suite_create("list_nodes");
    TCase *tc = hs_tcase(s, "list_nodes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_compressed_and_plain);
    tcase_add_test(tc, test_threshold_arguments);
    tcase_add_test(tc, test_reads_leave_no_trace);
    tcase_add_test(tc, test_restore_oversized_node);
    return s;
}

int main(void) {
    return hs_run_suite(list_nodes_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
