/* test_cluster_msg.c -- Check suite for the cluster bus codec: messages
 * captured between real Redis 7.0.15 nodes (fixtures/cluster_msg_fixture_
 * redis7.h) decode to the fields the capture set up and re-encode to the
 * same bytes; messages built from scratch decode back; every rule the
 * decoder enforces has a failing case; truncated and randomly corrupted
 * messages (in buffers of their exact size, so ASan sees any overread)
 * are refused or decoded, never read past. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_msg.h"
#include "sds.h"
#include "zmalloc.h"

#include "fixtures/cluster_msg_fixture_redis7.h"

#define NFIXTURES (sizeof(clmsg_fixtures) / sizeof(clmsg_fixtures[0]))

static const unsigned char *fixture(const char *name, size_t *len) {
    for (size_t i = 0; i < NFIXTURES; i++) {
        if (strcmp(clmsg_fixtures[i].name, name) == 0) {
            *len = clmsg_fixtures[i].len;
            return clmsg_fixtures[i].buf;
        }
    }
    ck_abort_msg("no fixture %s", name);
    return NULL;
}

/* Decodes a fixture, failing the test unless it is CLMSG_OK. */
static void decode_fixture(const char *name, clmsg *m) {
    size_t len;
    const unsigned char *buf = fixture(name, &len);
    char err[128];
    int rc = clmsg_decode(buf, len, m, err, sizeof(err));
    ck_assert_msg(rc == CLMSG_OK, "%s: %s", name, err);
}

static void assert_name(const char *field, const char *want) {
    ck_assert_int_eq(strlen(want), CLMSG_NAME_LEN);
    ck_assert_msg(memcmp(field, want, CLMSG_NAME_LEN) == 0, "name %.40s, want %s", field, want);
}

static int is_zero(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

/* Exactly the slots lo..hi (inclusive) are set. */
static void assert_slot_range(const unsigned char *bitmap, int lo, int hi) {
    for (int s = 0; s < CLMSG_SLOTS; s++)
        ck_assert_msg(clmsg_slot_test(bitmap, s) == (s >= lo && s <= hi), "slot %d", s);
}

/* The one extension of a message, which must be a hostname. */
static void assert_hostname(const clmsg *m, const char *want) {
    size_t cursor = 0, n;
    clmsg_ext e;
    const char *name;
    ck_assert(clmsg_ext_next(m, &cursor, &e));
    ck_assert_int_eq(clmsg_ext_hostname(&e, &name, &n), 0);
    ck_assert_int_eq(n, strlen(want));
    ck_assert(memcmp(name, want, n) == 0);
    ck_assert(!clmsg_ext_next(m, &cursor, &e));
}

/* ------------------------------------------------------ captured data */

static const char *const node_ids[7] = {NULL, CLMSG_FIX_NODE1_ID, CLMSG_FIX_NODE2_ID,
                                        CLMSG_FIX_NODE3_ID, CLMSG_FIX_NODE4_ID,
                                        CLMSG_FIX_NODE5_ID, CLMSG_FIX_NODE6_ID};

/* Which node (1-6) a port belongs to; the sender's name must match it. */
static int sender_node(const clmsg *m) {
    int k = m->hdr.port - CLMSG_FIX_BASE_PORT + 1;
    ck_assert(k >= 1 && k <= 6);
    assert_name(m->hdr.sender, node_ids[k]);
    ck_assert_uint_eq(m->hdr.cport, m->hdr.port + 10020);
    return k;
}

/* The slots primary k (1-3) was given. */
static void assert_primary_slots(const unsigned char *bitmap, int k) {
    static const int lo[] = {0, 0, 5461, 10923}, hi[] = {0, 5460, 10922, 16383};
    assert_slot_range(bitmap, lo[k], hi[k]);
}

/* Odd nodes announce nodeN.example.org; even ones send no extension. */
static void assert_node_hostname(const clmsg *m, int k) {
    char want[32];
    snprintf(want, sizeof(want), "node%d.example.org", k);
    ck_assert(k % 2 == 1);
    assert_hostname(m, want);
}

START_TEST(test_fixtures_round_trip) {
    ck_assert_int_ge(NFIXTURES, 13);
    for (size_t i = 0; i < NFIXTURES; i++) {
        const unsigned char *buf = clmsg_fixtures[i].buf;
        size_t len = clmsg_fixtures[i].len;
        uint32_t peeked = 0;
        ck_assert_int_eq(clmsg_peek_length(buf, CLMSG_PEEK_LEN, &peeked), 1);
        ck_assert_uint_eq(peeked, len);
        clmsg m;
        decode_fixture(clmsg_fixtures[i].name, &m);
        ck_assert_uint_eq(m.hdr.ver, CLMSG_PROTO_VER);
        sds out = clmsg_encode(sds_new_len("xy", 2), &m);
        ck_assert_uint_eq(sds_len(out), len + 2);
        ck_assert_msg(memcmp(out + 2, buf, len) == 0, "%s re-encodes differently",
                      clmsg_fixtures[i].name);
        sds_free(out);
    }
}
END_TEST

START_TEST(test_meet_and_ping_with_gossip) {
    clmsg m;
    decode_fixture("meet", &m); /* node 1 meets the others */
    ck_assert_uint_eq(m.hdr.type, CLMSG_TYPE_MEET);
    ck_assert_int_eq(sender_node(&m), 1);
    ck_assert_uint_eq(m.hdr.flags, CLMSG_NODE_MASTER | CLMSG_NODE_MYSELF);
    ck_assert(is_zero(m.hdr.replicaof, CLMSG_NAME_LEN));
    ck_assert(is_zero(m.hdr.myip, CLMSG_IP_LEN));
    ck_assert(m.hdr.mflags[0] & CLMSG_MF0_EXT_DATA);
    ck_assert_uint_eq(m.hdr.extensions, 1);
    assert_node_hostname(&m, 1);

    decode_fixture("ping_gossip_hostname", &m);
    ck_assert_uint_eq(m.hdr.type, CLMSG_TYPE_PING);
    int self = sender_node(&m);
    ck_assert_uint_ge(m.hdr.count, 2);
    for (uint16_t i = 0; i < m.hdr.count; i++) {
        clmsg_gossip g;
        clmsg_gossip_at(&m, i, &g);
        int k = g.port - CLMSG_FIX_BASE_PORT + 1;
        ck_assert(k >= 1 && k <= 6 && k != self); /* never the sender itself */
        assert_name(g.name, node_ids[k]);
        ck_assert_uint_eq(g.cport, g.port + 10020);
        ck_assert_str_eq(g.ip, "127.0.0.1");
        ck_assert(g.pong_received > 1700000000u || g.ping_sent > 1700000000u); /* unix s */
        ck_assert(g.flags & (CLMSG_NODE_MASTER | CLMSG_NODE_SLAVE));
    }
    assert_node_hostname(&m, self);

    decode_fixture("ping_no_ext", &m); /* an even node: no hostname */
    ck_assert_int_eq(sender_node(&m) % 2, 0);
    ck_assert_uint_eq(m.hdr.extensions, 0);
    ck_assert(!(m.hdr.mflags[0] & CLMSG_MF0_EXT_DATA));
    size_t cursor = 0;
    clmsg_ext e;
    ck_assert(!clmsg_ext_next(&m, &cursor, &e));
}
END_TEST

START_TEST(test_pong_slots_and_replica) {
    clmsg m;
    decode_fixture("pong_hostname", &m);
    ck_assert_uint_eq(m.hdr.type, CLMSG_TYPE_PONG);
    int k = sender_node(&m);
    assert_node_hostname(&m, k);
    ck_assert(m.hdr.flags & CLMSG_NODE_MASTER ? k <= 3 : k >= 4);
    assert_primary_slots(m.hdr.myslots, k <= 3 ? k : k - 3);

    /* A replica sends its primary's slots and names it. */
    decode_fixture("pong_replica", &m);
    k = sender_node(&m);
    ck_assert(k >= 4);
    assert_name(m.hdr.replicaof, node_ids[k - 3]);
    ck_assert_uint_eq(m.hdr.flags, CLMSG_NODE_SLAVE | CLMSG_NODE_MYSELF);
    assert_primary_slots(m.hdr.myslots, k - 3);
}
END_TEST

START_TEST(test_fail_publish_update) {
    clmsg m;
    decode_fixture("fail", &m); /* node 2 was stopped with SIGSTOP */
    ck_assert_uint_eq(m.hdr.type, CLMSG_TYPE_FAIL);
    assert_name(m.body.fail.name, CLMSG_FIX_NODE2_ID);

    decode_fixture("publish", &m);
    ck_assert_uint_eq(m.hdr.type, CLMSG_TYPE_PUBLISH);
    ck_assert_int_eq(sender_node(&m), 1);
    ck_assert_uint_eq(m.body.publish.channel_len, 4);
    ck_assert(memcmp(m.body.publish.channel, "news", 4) == 0);
    ck_assert_uint_eq(m.body.publish.message_len, 11);
    ck_assert(memcmp(m.body.publish.message, "hello world", 11) == 0);

    decode_fixture("publishshard", &m);
    ck_assert_uint_eq(m.hdr.type, CLMSG_TYPE_PUBLISHSHARD);
    ck_assert_uint_eq(m.body.publish.channel_len, 3);
    ck_assert(memcmp(m.body.publish.channel, "sch", 3) == 0);
    ck_assert_uint_eq(m.body.publish.message_len, 13);
    ck_assert(memcmp(m.body.publish.message, "shard message", 13) == 0);

    /* Node 2 came back claiming the slots node 5 took over. */
    decode_fixture("update", &m);
    ck_assert_uint_eq(m.hdr.type, CLMSG_TYPE_UPDATE);
    assert_name(m.body.update.name, CLMSG_FIX_NODE5_ID);
    ck_assert(m.body.update.config_epoch >= 1);
    assert_primary_slots(m.body.update.slots, 2);
}
END_TEST

START_TEST(test_manual_failover_messages) {
    clmsg m;
    decode_fixture("mfstart", &m); /* node 4, replica of node 1 */
    ck_assert_uint_eq(m.hdr.type, CLMSG_TYPE_MFSTART);
    ck_assert_int_eq(sender_node(&m), 4);
    assert_name(m.hdr.replicaof, CLMSG_FIX_NODE1_ID);
    ck_assert_uint_eq(m.hdr.totlen, CLMSG_HDR_LEN);

    decode_fixture("ping_paused", &m); /* node 1 paused for it */
    ck_assert_int_eq(sender_node(&m), 1);
    ck_assert(m.hdr.mflags[0] & CLMSG_MF0_PAUSED);

    decode_fixture("auth_request", &m);
    ck_assert_uint_eq(m.hdr.type, CLMSG_TYPE_FAILOVER_AUTH_REQUEST);
    ck_assert_int_eq(sender_node(&m), 4);
    ck_assert(m.hdr.mflags[0] & CLMSG_MF0_FORCEACK); /* a manual failover's */
    assert_primary_slots(m.hdr.myslots, 1);

    decode_fixture("auth_ack", &m);
    ck_assert_uint_eq(m.hdr.type, CLMSG_TYPE_FAILOVER_AUTH_ACK);
    ck_assert(m.hdr.flags & CLMSG_NODE_MASTER);
    ck_assert_str_eq(clmsg_type_name(m.hdr.type), "auth-ack");
    ck_assert_str_eq(clmsg_type_name(CLMSG_TYPE_COUNT), "unknown");
}
END_TEST

/* ------------------------------------------------------ built messages */

static void fill_hdr(clmsg_hdr *h, uint16_t type) {
    memset(h, 0, sizeof(*h));
    h->ver = CLMSG_PROTO_VER;
    h->type = type;
    h->port = 7000;
    h->cport = 17000;
    h->current_epoch = 0x0102030405060708ull;
    h->config_epoch = 9;
    h->offset = 12345;
    memset(h->sender, 'a', CLMSG_NAME_LEN);
    h->flags = CLMSG_NODE_MASTER | CLMSG_NODE_MYSELF;
    clmsg_slot_set(h->myslots, 0);
    clmsg_slot_set(h->myslots, 16383);
}

START_TEST(test_build_ping_with_extensions) {
    clmsg_hdr h;
    fill_hdr(&h, CLMSG_TYPE_PONG);
    clmsg_writer w;
    clmsg_begin(&w, sds_new("prefix"), &h);
    clmsg_gossip g = {.ping_sent = 1, .pong_received = 2, .port = 7001, .cport = 17001,
                      .flags = CLMSG_NODE_SLAVE | CLMSG_NODE_PFAIL, .pport = 6001};
    memset(g.name, 'b', CLMSG_NAME_LEN);
    strcpy(g.ip, "::1");
    clmsg_add_gossip(&w, &g);
    clmsg_add_gossip(&w, &g);
    /* Redis pads name + NUL to 8 bytes: 7 -> 8, 8 -> 16, 0 -> 8. */
    clmsg_add_hostname(&w, "abcdefg", 7);
    clmsg_add_hostname(&w, "abcdefgh", 8);
    clmsg_add_hostname(&w, "", 0);
    clmsg_add_ext(&w, 77, "xyz", 3); /* unknown types are kept */
    sds s = clmsg_finish(&w);
    size_t want = CLMSG_HDR_LEN + 2 * CLMSG_GOSSIP_LEN + (8 + 8) + (8 + 16) + (8 + 8) + (8 + 8);
    ck_assert_uint_eq(sds_len(s), 6 + want);

    clmsg m;
    char err[128];
    const unsigned char *p = (const unsigned char *)s + 6;
    ck_assert_int_eq(clmsg_decode(p, want, &m, err, sizeof(err)), CLMSG_OK);
    ck_assert_uint_eq(m.hdr.count, 2);
    ck_assert_uint_eq(m.hdr.extensions, 4);
    ck_assert_uint_eq(m.hdr.mflags[0], CLMSG_MF0_EXT_DATA);
    ck_assert(m.hdr.current_epoch == 0x0102030405060708ull);
    ck_assert(clmsg_slot_test(m.hdr.myslots, 16383) && !clmsg_slot_test(m.hdr.myslots, 1));
    clmsg_gossip g2;
    clmsg_gossip_at(&m, 1, &g2);
    ck_assert(memcmp(&g, &g2, sizeof(g)) == 0);

    const char *names[] = {"abcdefg", "abcdefgh", ""};
    size_t cursor = 0, n;
    clmsg_ext e;
    const char *name;
    for (int i = 0; i < 3; i++) {
        ck_assert(clmsg_ext_next(&m, &cursor, &e));
        ck_assert_int_eq(clmsg_ext_hostname(&e, &name, &n), 0);
        ck_assert_uint_eq(n, strlen(names[i]));
        ck_assert(memcmp(name, names[i], n) == 0);
    }
    ck_assert(clmsg_ext_next(&m, &cursor, &e));
    ck_assert_uint_eq(e.type, 77);
    ck_assert_uint_eq(e.len, 8);
    ck_assert(memcmp(e.data, "xyz\0\0\0\0\0", 8) == 0);
    ck_assert_int_eq(clmsg_ext_hostname(&e, &name, &n), -1);
    ck_assert(!clmsg_ext_next(&m, &cursor, &e));
    sds_free(s);
}
END_TEST

START_TEST(test_build_module_and_unknown) {
    clmsg_hdr h;
    fill_hdr(&h, CLMSG_TYPE_MODULE);
    clmsg_writer w;
    clmsg_begin(&w, sds_empty(), &h);
    clmsg_add_module(&w, (const unsigned char *)"modid-01", 3, "payload", 7);
    size_t first = sds_len(w.buf);
    sds s = clmsg_finish(&w);
    /* A second message in the same buffer. */
    fill_hdr(&h, 200);
    clmsg_begin(&w, s, &h);
    clmsg_add_raw(&w, "anything", 8);
    s = clmsg_finish(&w);
    ck_assert_uint_eq(first, CLMSG_HDR_LEN + 13 + 7);

    clmsg m;
    char err[128];
    ck_assert_int_eq(clmsg_decode((unsigned char *)s, first, &m, err, sizeof(err)), CLMSG_OK);
    ck_assert(memcmp(m.body.module.module_id, "modid-01", 8) == 0);
    ck_assert(memcmp(s + CLMSG_HDR_LEN, "modid-01\0\0\0\x07\x03payload", 20) == 0);
    ck_assert_uint_eq(m.body.module.type, 3);
    ck_assert_uint_eq(m.body.module.len, 7);
    ck_assert(memcmp(m.body.module.payload, "payload", 7) == 0);
    sds again = clmsg_encode(sds_empty(), &m);
    ck_assert(sds_len(again) == first && memcmp(again, s, first) == 0);
    sds_free(again);

    const unsigned char *p2 = (unsigned char *)s + first;
    ck_assert_int_eq(clmsg_decode(p2, sds_len(s) - first, &m, err, sizeof(err)), CLMSG_OK);
    ck_assert_uint_eq(m.hdr.type, 200);
    ck_assert_uint_eq(m.body.unknown.len, 8);
    again = clmsg_encode(sds_empty(), &m);
    ck_assert(sds_len(again) == sds_len(s) - first && memcmp(again, p2, sds_len(again)) == 0);
    sds_free(again);
    sds_free(s);
}
END_TEST

/* ----------------------------------------------------------- rejects */

/* A private copy of a fixture to damage. */
static unsigned char *copy_fixture(const char *name, size_t *len) {
    const unsigned char *src = fixture(name, len);
    unsigned char *p = zmalloc(*len);
    memcpy(p, src, *len);
    return p;
}

static void set16(unsigned char *p, uint16_t v) {
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void set32(unsigned char *p, uint32_t v) {
    set16(p, (uint16_t)(v >> 16));
    set16(p + 2, (uint16_t)v);
}

static int decode_err(const unsigned char *p, size_t len, const char *want) {
    clmsg m;
    char err[128];
    int rc = clmsg_decode(p, len, &m, err, sizeof(err));
    if (want) ck_assert_msg(strstr(err, want) != NULL, "error '%s', want '%s'", err, want);
    return rc;
}

START_TEST(test_rejects_bad_header) {
    size_t len;
    unsigned char *p = copy_fixture("auth_ack", &len);
    uint32_t n;
    ck_assert_int_eq(clmsg_peek_length(p, 7, &n), 0);
    ck_assert_int_eq(decode_err(p, 100, "shorter"), CLMSG_ERR_MALFORMED);
    ck_assert_int_eq(decode_err(p, len - 1, "shorter"), CLMSG_ERR_MALFORMED);
    set32(p + 4, (uint32_t)len + 1);
    ck_assert_int_eq(decode_err(p, len, "total length 2257"), CLMSG_ERR_MALFORMED);
    set32(p + 4, CLMSG_HDR_LEN - 1);
    ck_assert_int_eq(clmsg_peek_length(p, len, &n), -1);
    set32(p + 4, (uint32_t)len);
    set16(p + 8, 2);
    ck_assert_int_eq(decode_err(p, len, "version"), CLMSG_ERR_VERSION);
    set16(p + 8, 1);
    p[0] = 'X';
    ck_assert_int_eq(clmsg_peek_length(p, len, &n), -1);
    ck_assert_int_eq(decode_err(p, len, "signature"), CLMSG_ERR_MALFORMED);
    p[0] = 'R';
    set16(p + 12, CLMSG_TYPE_FAIL); /* a FAIL needs a 40-byte name */
    ck_assert_int_eq(decode_err(p, len, "fail of length 2256 but expected length 2296"),
                     CLMSG_ERR_MALFORMED);
    set16(p + 12, CLMSG_TYPE_PUBLISH);
    ck_assert_int_eq(decode_err(p, len, "publish"), CLMSG_ERR_MALFORMED);
    set16(p + 12, CLMSG_TYPE_MODULE);
    ck_assert_int_eq(decode_err(p, len, "module"), CLMSG_ERR_MALFORMED);
    set16(p + 12, CLMSG_TYPE_UPDATE);
    ck_assert_int_eq(decode_err(p, len, "update"), CLMSG_ERR_MALFORMED);
    set16(p + 12, CLMSG_TYPE_MFSTART);
    ck_assert_int_eq(decode_err(p, len, NULL), CLMSG_OK);
    zfree(p);
}
END_TEST

START_TEST(test_rejects_bad_bodies) {
    size_t len;
    unsigned char *p = copy_fixture("ping_gossip_hostname", &len);
    size_t ext = CLMSG_HDR_LEN + 3 * CLMSG_GOSSIP_LEN;
    set16(p + 14, 4); /* one gossip section more than there is */
    ck_assert_int_eq(decode_err(p, len, "4 gossip sections"), CLMSG_ERR_MALFORMED);
    set16(p + 14, 60000);
    ck_assert_int_eq(decode_err(p, len, "60000 gossip sections"), CLMSG_ERR_MALFORMED);
    set16(p + 14, 3);
    set32(p + ext, 28);
    ck_assert_int_eq(decode_err(p, len, "padding"), CLMSG_ERR_MALFORMED);
    set32(p + ext, 40);
    ck_assert_int_eq(decode_err(p, len, "does not fit"), CLMSG_ERR_MALFORMED);
    set32(p + ext, 0);
    ck_assert_int_eq(decode_err(p, len, "does not fit"), CLMSG_ERR_MALFORMED);
    set32(p + ext, 32);
    set16(p + 2214, 2); /* a second extension the message has no room for */
    ck_assert_int_eq(decode_err(p, len, "past the end"), CLMSG_ERR_MALFORMED);
    set16(p + 2214, 0);
    ck_assert_int_eq(decode_err(p, len, "expected length"), CLMSG_ERR_MALFORMED);
    p[2253] = 0; /* without the flag the extensions are not walked */
    set16(p + 2214, 1);
    ck_assert_int_eq(decode_err(p, len, "expected length"), CLMSG_ERR_MALFORMED);
    zfree(p);

    p = copy_fixture("publish", &len);
    set32(p + CLMSG_HDR_LEN, 0xffffffffu); /* lengths must not wrap */
    ck_assert_int_eq(decode_err(p, len, "expected length"), CLMSG_ERR_MALFORMED);
    set32(p + CLMSG_HDR_LEN, 3);
    set32(p + CLMSG_HDR_LEN + 4, 12); /* moved bytes: still the same sum */
    ck_assert_int_eq(decode_err(p, len, NULL), CLMSG_OK);
    set32(p + CLMSG_HDR_LEN + 4, 13);
    ck_assert_int_eq(decode_err(p, len, "expected length"), CLMSG_ERR_MALFORMED);
    zfree(p);

    /* A hostname extension with no NUL is refused by the accessor. */
    clmsg_hdr h;
    fill_hdr(&h, CLMSG_TYPE_PING);
    clmsg_writer w;
    clmsg_begin(&w, sds_empty(), &h);
    clmsg_add_ext(&w, CLMSG_EXT_HOSTNAME, "12345678", 8);
    sds s = clmsg_finish(&w);
    clmsg m;
    ck_assert_int_eq(clmsg_decode((unsigned char *)s, sds_len(s), &m, NULL, 0), CLMSG_OK);
    size_t cursor = 0, n;
    clmsg_ext e;
    const char *name;
    ck_assert(clmsg_ext_next(&m, &cursor, &e));
    ck_assert_int_eq(clmsg_ext_hostname(&e, &name, &n), -1);
    sds_free(s);
}
END_TEST

/* ------------------------------------------------- never read past len */

/* Decodes buf[0..len) from a heap copy of exactly len bytes; when it
 * decodes, walks everything and checks the round trip. */
static void decode_exact(const unsigned char *buf, size_t len) {
    unsigned char *p = zmalloc(len ? len : 1);
    memcpy(p, buf, len);
    clmsg m;
    char err[64];
    if (clmsg_decode(p, len, &m, err, sizeof(err)) == CLMSG_OK) {
        if (m.hdr.type <= CLMSG_TYPE_MEET) {
            clmsg_gossip g;
            for (uint16_t i = 0; i < m.hdr.count; i++) clmsg_gossip_at(&m, i, &g);
            size_t cursor = 0, n;
            clmsg_ext e;
            const char *name;
            while (clmsg_ext_next(&m, &cursor, &e)) clmsg_ext_hostname(&e, &name, &n);
        }
        sds out = clmsg_encode(sds_empty(), &m);
        if (!(sds_len(out) == len && memcmp(out, p, len) == 0)) {
            size_t at = 0;
            while (at < len && at < sds_len(out) && out[at] == (char)p[at]) at++;
            ck_abort_msg("type %u len %zu re-encoded as %zu, first difference at %zu",
                         m.hdr.type, len, sds_len(out), at);
        }
        sds_free(out);
    }
    uint32_t n;
    clmsg_peek_length(p, len, &n);
    zfree(p);
}

START_TEST(test_truncated_inputs) {
    for (size_t i = 0; i < NFIXTURES; i++) {
        size_t len = clmsg_fixtures[i].len;
        unsigned char *p = zmalloc(len);
        memcpy(p, clmsg_fixtures[i].buf, len);
        for (size_t k = 0; k < len; k++) {
            decode_exact(p, k); /* totlen disagrees */
            if (k >= 8) {
                uint32_t keep = (uint32_t)len;
                set32(p + 4, (uint32_t)k); /* totlen agrees: the body is short */
                decode_exact(p, k);
                set32(p + 4, keep);
            }
        }
        zfree(p);
    }
}
END_TEST

START_TEST(test_random_corruption) {
    srand(1234);
    /* Fields that steer the decoder get most of the damage. */
    static const size_t hot[] = {4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 2214, 2215, 2253,
                                 2256, 2257, 2258, 2259, 2260, 2261, 2262, 2263, 2268};
    for (int iter = 0; iter < 20000; iter++) {
        const unsigned char *src = clmsg_fixtures[iter % NFIXTURES].buf;
        size_t len = clmsg_fixtures[iter % NFIXTURES].len;
        unsigned char *p = zmalloc(len);
        memcpy(p, src, len);
        int flips = 1 + rand() % 4;
        for (int f = 0; f < flips; f++) {
            size_t at = rand() % 2 ? hot[rand() % (sizeof(hot) / sizeof(hot[0]))] : rand() % len;
            if (rand() % 3 == 0 && len > 2256 + 104 * 3) at = 2256 + 104 * 3 + rand() % 8;
            if (at < len) p[at] = (unsigned char)rand();
        }
        if (rand() % 2) set32(p + 4, (uint32_t)len); /* keep totlen right half the time */
        decode_exact(p, len);
        zfree(p);
    }
}
END_TEST

static Suite *cluster_msg_suite(void) {
    Suite *s = suite_create("cluster_msg");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fixtures_round_trip);
    tcase_add_test(tc, test_meet_and_ping_with_gossip);
    tcase_add_test(tc, test_pong_slots_and_replica);
    tcase_add_test(tc, test_fail_publish_update);
    tcase_add_test(tc, test_manual_failover_messages);
    tcase_add_test(tc, test_build_ping_with_extensions);
    tcase_add_test(tc, test_build_module_and_unknown);
    tcase_add_test(tc, test_rejects_bad_header);
    tcase_add_test(tc, test_rejects_bad_bodies);
    tcase_add_test(tc, test_truncated_inputs);
    tcase_add_test(tc, test_random_corruption);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(cluster_msg_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
