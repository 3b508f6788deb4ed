/* cluster_msg.c -- encodes and decodes Redis 7.0 cluster bus messages (the
 * layout is documented in cluster_msg.h).
 *
 * Pure library code: buffers in, structs out and back. The decoder must
 * never read outside the buffer it is given, whatever its bytes say: every
 * count and length from the wire is checked against the bytes actually
 * there before it is used, with 64-bit sums so no length can wrap. The
 * writer keeps totlen, count and extensions of the message it builds in
 * step with the bytes it appends. */
#include "cluster_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Header field offsets (see the table in cluster_msg.h). */
#define OFF_TOTLEN 4
#define OFF_VER 8
#define OFF_PORT 10
#define OFF_TYPE 12
#define OFF_COUNT 14
#define OFF_CURRENT_EPOCH 16
#define OFF_CONFIG_EPOCH 24
#define OFF_OFFSET 32
#define OFF_SENDER 40
#define OFF_MYSLOTS 80
#define OFF_REPLICAOF 2128
#define OFF_MYIP 2168
#define OFF_EXTENSIONS 2214
#define OFF_RESERVED 2216
#define OFF_PPORT 2246
#define OFF_CPORT 2248
#define OFF_FLAGS 2250
#define OFF_STATE 2252
#define OFF_MFLAGS 2253

/* Gossip section offsets. */
#define G_OFF_PING_SENT 40
#define G_OFF_PONG_RECEIVED 44
#define G_OFF_IP 48
#define G_OFF_PORT 94
#define G_OFF_CPORT 96
#define G_OFF_FLAGS 98
#define G_OFF_PPORT 100
#define G_OFF_RESERVED 102

/* ---------------------------------------------------------- byte order */

static uint16_t get16(const unsigned char *p) {
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t get64(const unsigned char *p) {
    return ((uint64_t)get32(p) << 32) | get32(p + 4);
}

static void put16(unsigned char *p, uint16_t v) {
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put64(unsigned char *p, uint64_t v) {
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

/* --------------------------------------------------------------- misc */

int clmsg_slot_test(const unsigned char *bitmap, int slot) {
    return (bitmap[slot >> 3] >> (slot & 7)) & 1;
}

void clmsg_slot_set(unsigned char *bitmap, int slot) {
    bitmap[slot >> 3] |= (unsigned char)(1 << (slot & 7));
}

const char *clmsg_type_name(uint16_t type) {
    static const char *const names[CLMSG_TYPE_COUNT] = {
        [CLMSG_TYPE_PING] = "ping",
        [CLMSG_TYPE_PONG] = "pong",
        [CLMSG_TYPE_MEET] = "meet",
        [CLMSG_TYPE_FAIL] = "fail",
        [CLMSG_TYPE_PUBLISH] = "publish",
        [CLMSG_TYPE_FAILOVER_AUTH_REQUEST] = "auth-req",
        [CLMSG_TYPE_FAILOVER_AUTH_ACK] = "auth-ack",
        [CLMSG_TYPE_UPDATE] = "update",
        [CLMSG_TYPE_MFSTART] = "mfstart",
        [CLMSG_TYPE_MODULE] = "module",
        [CLMSG_TYPE_PUBLISHSHARD] = "publishshard",
    };
    return type < CLMSG_TYPE_COUNT ? names[type] : "unknown";
}

static int fail_with(char *err, size_t errlen, int code, const char *fmt, ...) {
    if (errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ------------------------------------------------------------- decode */

int clmsg_peek_length(const unsigned char *buf, size_t len, uint32_t *msglen) {
    if (len < CLMSG_PEEK_LEN) return 0;
    uint32_t totlen = get32(buf + OFF_TOTLEN);
    if (memcmp(buf, CLMSG_SIGNATURE, 4) != 0 || totlen < CLMSG_HDR_LEN) return -1;
    *msglen = totlen;
    return 1;
}

/* Fills h from the first CLMSG_HDR_LEN bytes of p. */
static void decode_header(const unsigned char *p, clmsg_hdr *h) {
    h->totlen = get32(p + OFF_TOTLEN);
    h->ver = get16(p + OFF_VER);
    h->port = get16(p + OFF_PORT);
    h->type = get16(p + OFF_TYPE);
    h->count = get16(p + OFF_COUNT);
    h->current_epoch = get64(p + OFF_CURRENT_EPOCH);
    h->config_epoch = get64(p + OFF_CONFIG_EPOCH);
    h->offset = get64(p + OFF_OFFSET);
    memcpy(h->sender, p + OFF_SENDER, CLMSG_NAME_LEN);
    memcpy(h->myslots, p + OFF_MYSLOTS, CLMSG_SLOT_BYTES);
    memcpy(h->replicaof, p + OFF_REPLICAOF, CLMSG_NAME_LEN);
    memcpy(h->myip, p + OFF_MYIP, CLMSG_IP_LEN);
    h->extensions = get16(p + OFF_EXTENSIONS);
    memcpy(h->reserved, p + OFF_RESERVED, CLMSG_RESERVED_LEN);
    h->pport = get16(p + OFF_PPORT);
    h->cport = get16(p + OFF_CPORT);
    h->flags = get16(p + OFF_FLAGS);
    h->state = p[OFF_STATE];
    memcpy(h->mflags, p + OFF_MFLAGS, 3);
}

/* PING / PONG / MEET: count gossip sections, then (with the EXT_DATA flag)
 * the extensions, which must fill the message exactly. Redis requires each
 * extension's length to be a multiple of 8 and to fit in what is left; we
 * also require it to hold at least its own header, which Redis's senders
 * always satisfy and without which a walk could not advance. */
static int decode_ping(const unsigned char *buf, size_t len, clmsg *m, char *err, size_t errlen) {
    uint64_t gossip_end = CLMSG_HDR_LEN + (uint64_t)m->hdr.count * CLMSG_GOSSIP_LEN;
    if (gossip_end > len)
        return fail_with(err, errlen, CLMSG_ERR_MALFORMED,
                         "%s with %u gossip sections needs %llu bytes, has %zu",
                         clmsg_type_name(m->hdr.type), m->hdr.count,
                         (unsigned long long)gossip_end, len);
    m->body.ping.gossip = buf + CLMSG_HDR_LEN;
    m->body.ping.exts = buf + gossip_end;
    m->body.ping.exts_len = 0;
    size_t pos = (size_t)gossip_end;
    if (m->hdr.mflags[0] & CLMSG_MF0_EXT_DATA) {
        for (unsigned i = 0; i < m->hdr.extensions; i++) {
            if (len - pos < CLMSG_EXT_HDR_LEN)
                return fail_with(err, errlen, CLMSG_ERR_MALFORMED,
                                 "extension %u header past the end of the message", i);
            uint32_t extlen = get32(buf + pos);
            if (extlen % CLMSG_EXT_ALIGN != 0)
                return fail_with(err, errlen, CLMSG_ERR_MALFORMED,
                                 "extension %u without proper padding (%u bytes)", i, extlen);
            if (extlen < CLMSG_EXT_HDR_LEN || extlen > len - pos)
                return fail_with(err, errlen, CLMSG_ERR_MALFORMED,
                                 "extension %u of %u bytes does not fit the message", i, extlen);
            pos += extlen;
        }
        m->body.ping.exts_len = pos - (size_t)gossip_end;
    }
    if (pos != len)
        return fail_with(err, errlen, CLMSG_ERR_MALFORMED,
                         "%s of length %zu but expected length %zu",
                         clmsg_type_name(m->hdr.type), len, pos);
    return CLMSG_OK;
}

/* A body of exactly want bytes after the header. */
static int expect_len(const clmsg *m, size_t len, uint64_t want, char *err, size_t errlen) {
    if (len == want) return CLMSG_OK;
    return fail_with(err, errlen, CLMSG_ERR_MALFORMED, "%s of length %zu but expected length %llu",
                     clmsg_type_name(m->hdr.type), len, (unsigned long long)want);
}

static int decode_publish(const unsigned char *buf, size_t len, clmsg *m, char *err,
                          size_t errlen) {
    const unsigned char *p = buf + CLMSG_HDR_LEN;
    if (len < CLMSG_HDR_LEN + CLMSG_PUBLISH_FIXED_LEN)
        return expect_len(m, len, CLMSG_HDR_LEN + CLMSG_PUBLISH_FIXED_LEN, err, errlen);
    m->body.publish.channel_len = get32(p);
    m->body.publish.message_len = get32(p + 4);
    m->body.publish.channel = p + CLMSG_PUBLISH_FIXED_LEN;
    uint64_t want = (uint64_t)CLMSG_HDR_LEN + CLMSG_PUBLISH_FIXED_LEN +
                    m->body.publish.channel_len + m->body.publish.message_len;
    if (expect_len(m, len, want, err, errlen) != CLMSG_OK) return CLMSG_ERR_MALFORMED;
    m->body.publish.message = m->body.publish.channel + m->body.publish.channel_len;
    return CLMSG_OK;
}

static int decode_module(const unsigned char *buf, size_t len, clmsg *m, char *err,
                         size_t errlen) {
    const unsigned char *p = buf + CLMSG_HDR_LEN;
    if (len < CLMSG_HDR_LEN + CLMSG_MODULE_FIXED_LEN)
        return expect_len(m, len, CLMSG_HDR_LEN + CLMSG_MODULE_FIXED_LEN, err, errlen);
    memcpy(m->body.module.module_id, p, CLMSG_MODULE_ID_LEN);
    m->body.module.len = get32(p + 8);
    m->body.module.type = p[12];
    m->body.module.payload = p + CLMSG_MODULE_FIXED_LEN;
    uint64_t want = (uint64_t)CLMSG_HDR_LEN + CLMSG_MODULE_FIXED_LEN + m->body.module.len;
    return expect_len(m, len, want, err, errlen);
}

/* The body, by type; the header is decoded and len == totlen. */
static int decode_body(const unsigned char *buf, size_t len, clmsg *m, char *err, size_t errlen) {
    const unsigned char *p = buf + CLMSG_HDR_LEN;
    switch (m->hdr.type) {
    case CLMSG_TYPE_PING:
    case CLMSG_TYPE_PONG:
    case CLMSG_TYPE_MEET:
        return decode_ping(buf, len, m, err, errlen);
    case CLMSG_TYPE_FAIL:
        if (expect_len(m, len, CLMSG_HDR_LEN + CLMSG_FAIL_LEN, err, errlen) != CLMSG_OK)
            return CLMSG_ERR_MALFORMED;
        memcpy(m->body.fail.name, p, CLMSG_NAME_LEN);
        return CLMSG_OK;
    case CLMSG_TYPE_PUBLISH:
    case CLMSG_TYPE_PUBLISHSHARD:
        return decode_publish(buf, len, m, err, errlen);
    case CLMSG_TYPE_FAILOVER_AUTH_REQUEST:
    case CLMSG_TYPE_FAILOVER_AUTH_ACK:
    case CLMSG_TYPE_MFSTART:
        return expect_len(m, len, CLMSG_HDR_LEN, err, errlen);
    case CLMSG_TYPE_UPDATE:
        if (expect_len(m, len, CLMSG_HDR_LEN + CLMSG_UPDATE_LEN, err, errlen) != CLMSG_OK)
            return CLMSG_ERR_MALFORMED;
        m->body.update.config_epoch = get64(p);
        memcpy(m->body.update.name, p + 8, CLMSG_NAME_LEN);
        memcpy(m->body.update.slots, p + 8 + CLMSG_NAME_LEN, CLMSG_SLOT_BYTES);
        return CLMSG_OK;
    case CLMSG_TYPE_MODULE:
        return decode_module(buf, len, m, err, errlen);
    default:
        /* Redis checks no length for a type it does not know, and
         * ignores the message. */
        m->body.unknown.data = p;
        m->body.unknown.len = len - CLMSG_HDR_LEN;
        return CLMSG_OK;
    }
}

int clmsg_decode(const unsigned char *buf, size_t len, clmsg *out, char *err, size_t errlen) {
    if (errlen > 0) err[0] = '\0';
    memset(out, 0, sizeof(*out));
    if (len < CLMSG_HDR_LEN)
        return fail_with(err, errlen, CLMSG_ERR_MALFORMED,
                         "message of %zu bytes is shorter than the %d-byte header", len,
                         CLMSG_HDR_LEN);
    if (memcmp(buf, CLMSG_SIGNATURE, 4) != 0)
        return fail_with(err, errlen, CLMSG_ERR_MALFORMED, "bad signature");
    decode_header(buf, &out->hdr);
    if (out->hdr.totlen != len)
        return fail_with(err, errlen, CLMSG_ERR_MALFORMED,
                         "total length %u does not match the %zu bytes given", out->hdr.totlen,
                         len);
    if (out->hdr.ver != CLMSG_PROTO_VER)
        return fail_with(err, errlen, CLMSG_ERR_VERSION, "protocol version %u, not %d",
                         out->hdr.ver, CLMSG_PROTO_VER);
    return decode_body(buf, len, out, err, errlen);
}

void clmsg_gossip_at(const clmsg *m, uint16_t i, clmsg_gossip *g) {
    const unsigned char *p = m->body.ping.gossip + (size_t)i * CLMSG_GOSSIP_LEN;
    memcpy(g->name, p, CLMSG_NAME_LEN);
    g->ping_sent = get32(p + G_OFF_PING_SENT);
    g->pong_received = get32(p + G_OFF_PONG_RECEIVED);
    memcpy(g->ip, p + G_OFF_IP, CLMSG_IP_LEN);
    g->port = get16(p + G_OFF_PORT);
    g->cport = get16(p + G_OFF_CPORT);
    g->flags = get16(p + G_OFF_FLAGS);
    g->pport = get16(p + G_OFF_PPORT);
    g->reserved = get16(p + G_OFF_RESERVED);
}

/* The walk was validated by clmsg_decode: every length is >= 8, a
 * multiple of 8 and inside exts_len. */
int clmsg_ext_next(const clmsg *m, size_t *cursor, clmsg_ext *e) {
    if (*cursor >= m->body.ping.exts_len) return 0;
    const unsigned char *p = m->body.ping.exts + *cursor;
    uint32_t extlen = get32(p);
    e->type = get16(p + 4);
    e->reserved = get16(p + 6);
    e->data = p + CLMSG_EXT_HDR_LEN;
    e->len = extlen - CLMSG_EXT_HDR_LEN;
    *cursor += extlen;
    return 1;
}

int clmsg_ext_hostname(const clmsg_ext *e, const char **name, size_t *len) {
    if (e->type != CLMSG_EXT_HOSTNAME) return -1;
    const unsigned char *nul = memchr(e->data, '\0', e->len);
    if (nul == NULL) return -1;
    *name = (const char *)e->data;
    *len = (size_t)(nul - e->data);
    return 0;
}

/* ------------------------------------------------------------- encode */

/* Appends n zero bytes and returns a pointer to them in w->buf. */
static unsigned char *grow(clmsg_writer *w, size_t n) {
    size_t at = sds_len(w->buf);
    w->buf = sds_grow_zero(w->buf, at + n);
    return (unsigned char *)w->buf + at;
}

static unsigned char *msg(clmsg_writer *w) {
    return (unsigned char *)w->buf + w->start;
}

void clmsg_begin(clmsg_writer *w, sds buf, const clmsg_hdr *h) {
    w->buf = buf;
    w->start = sds_len(buf);
    unsigned char *p = grow(w, CLMSG_HDR_LEN);
    memcpy(p, CLMSG_SIGNATURE, 4);
    put16(p + OFF_VER, h->ver);
    put16(p + OFF_PORT, h->port);
    put16(p + OFF_TYPE, h->type);
    put64(p + OFF_CURRENT_EPOCH, h->current_epoch);
    put64(p + OFF_CONFIG_EPOCH, h->config_epoch);
    put64(p + OFF_OFFSET, h->offset);
    memcpy(p + OFF_SENDER, h->sender, CLMSG_NAME_LEN);
    memcpy(p + OFF_MYSLOTS, h->myslots, CLMSG_SLOT_BYTES);
    memcpy(p + OFF_REPLICAOF, h->replicaof, CLMSG_NAME_LEN);
    memcpy(p + OFF_MYIP, h->myip, CLMSG_IP_LEN);
    memcpy(p + OFF_RESERVED, h->reserved, CLMSG_RESERVED_LEN);
    put16(p + OFF_PPORT, h->pport);
    put16(p + OFF_CPORT, h->cport);
    put16(p + OFF_FLAGS, h->flags);
    p[OFF_STATE] = h->state;
    memcpy(p + OFF_MFLAGS, h->mflags, 3);
}

void clmsg_add_gossip(clmsg_writer *w, const clmsg_gossip *g) {
    unsigned char *p = grow(w, CLMSG_GOSSIP_LEN);
    memcpy(p, g->name, CLMSG_NAME_LEN);
    put32(p + G_OFF_PING_SENT, g->ping_sent);
    put32(p + G_OFF_PONG_RECEIVED, g->pong_received);
    memcpy(p + G_OFF_IP, g->ip, CLMSG_IP_LEN);
    put16(p + G_OFF_PORT, g->port);
    put16(p + G_OFF_CPORT, g->cport);
    put16(p + G_OFF_FLAGS, g->flags);
    put16(p + G_OFF_PPORT, g->pport);
    put16(p + G_OFF_RESERVED, g->reserved);
    put16(msg(w) + OFF_COUNT, (uint16_t)(get16(msg(w) + OFF_COUNT) + 1));
}

/* Header, then len bytes of data and extra zero bytes (a hostname's NUL),
 * padded with zeros to a multiple of 8. */
static void add_ext_padded(clmsg_writer *w, uint16_t type, const void *data, size_t len,
                           size_t extra) {
    size_t payload = len + extra;
    size_t padded = (payload + CLMSG_EXT_ALIGN - 1) / CLMSG_EXT_ALIGN * CLMSG_EXT_ALIGN;
    unsigned char *p = grow(w, CLMSG_EXT_HDR_LEN + padded);
    put32(p, (uint32_t)(CLMSG_EXT_HDR_LEN + padded));
    put16(p + 4, type);
    if (len > 0) memcpy(p + CLMSG_EXT_HDR_LEN, data, len);
    unsigned char *h = msg(w);
    put16(h + OFF_EXTENSIONS, (uint16_t)(get16(h + OFF_EXTENSIONS) + 1));
    h[OFF_MFLAGS] |= CLMSG_MF0_EXT_DATA;
}

void clmsg_add_ext(clmsg_writer *w, uint16_t type, const void *data, size_t len) {
    add_ext_padded(w, type, data, len, 0);
}

void clmsg_add_hostname(clmsg_writer *w, const char *name, size_t len) {
    add_ext_padded(w, CLMSG_EXT_HOSTNAME, name, len, 1);
}

void clmsg_add_fail(clmsg_writer *w, const char name[CLMSG_NAME_LEN]) {
    memcpy(grow(w, CLMSG_NAME_LEN), name, CLMSG_NAME_LEN);
}

void clmsg_add_publish(clmsg_writer *w, const void *channel, uint32_t channel_len,
                       const void *message, uint32_t message_len) {
    unsigned char *p = grow(w, CLMSG_PUBLISH_FIXED_LEN + (size_t)channel_len + message_len);
    put32(p, channel_len);
    put32(p + 4, message_len);
    if (channel_len > 0) memcpy(p + CLMSG_PUBLISH_FIXED_LEN, channel, channel_len);
    if (message_len > 0) memcpy(p + CLMSG_PUBLISH_FIXED_LEN + channel_len, message, message_len);
}

void clmsg_add_update(clmsg_writer *w, uint64_t config_epoch, const char name[CLMSG_NAME_LEN],
                      const unsigned char slots[CLMSG_SLOT_BYTES]) {
    unsigned char *p = grow(w, CLMSG_UPDATE_LEN);
    put64(p, config_epoch);
    memcpy(p + 8, name, CLMSG_NAME_LEN);
    memcpy(p + 8 + CLMSG_NAME_LEN, slots, CLMSG_SLOT_BYTES);
}

void clmsg_add_module(clmsg_writer *w, const unsigned char module_id[CLMSG_MODULE_ID_LEN], uint8_t type,
                      const void *payload,
                      uint32_t len) {
    unsigned char *p = grow(w, CLMSG_MODULE_FIXED_LEN + (size_t)len);
    memcpy(p, module_id, CLMSG_MODULE_ID_LEN);
    put32(p + 8, len);
    p[12] = type;
    if (len > 0) memcpy(p + CLMSG_MODULE_FIXED_LEN, payload, len);
}

void clmsg_add_raw(clmsg_writer *w, const void *data, size_t len) {
    if (len > 0) memcpy(grow(w, len), data, len);
}

sds clmsg_finish(clmsg_writer *w) {
    put32(msg(w) + OFF_TOTLEN, (uint32_t)(sds_len(w->buf) - w->start));
    return w->buf;
}

/* The body of a decoded PING/PONG/MEET, section by section. */
static void encode_ping_body(clmsg_writer *w, const clmsg *m) {
    for (uint16_t i = 0; i < m->hdr.count; i++) {
        clmsg_gossip g;
        clmsg_gossip_at(m, i, &g);
        clmsg_add_gossip(w, &g);
    }
    size_t cursor = 0;
    clmsg_ext e;
    while (clmsg_ext_next(m, &cursor, &e)) {
        clmsg_add_ext(w, e.type, e.data, e.len);
        /* The reserved half-word, as received (Redis sends zero). */
        put16((unsigned char *)w->buf + sds_len(w->buf) - e.len - CLMSG_EXT_HDR_LEN + 6, e.reserved);
    }
}

sds clmsg_encode(sds buf, const clmsg *m) {
    clmsg_writer w;
    clmsg_begin(&w, buf, &m->hdr);
    switch (m->hdr.type) {
    case CLMSG_TYPE_PING:
    case CLMSG_TYPE_PONG:
    case CLMSG_TYPE_MEET:
        encode_ping_body(&w, m);
        break;
    case CLMSG_TYPE_FAIL:
        clmsg_add_fail(&w, m->body.fail.name);
        break;
    case CLMSG_TYPE_PUBLISH:
    case CLMSG_TYPE_PUBLISHSHARD:
        clmsg_add_publish(&w, m->body.publish.channel, m->body.publish.channel_len,
                          m->body.publish.message, m->body.publish.message_len);
        break;
    case CLMSG_TYPE_FAILOVER_AUTH_REQUEST:
    case CLMSG_TYPE_FAILOVER_AUTH_ACK:
    case CLMSG_TYPE_MFSTART:
        break;
    case CLMSG_TYPE_UPDATE:
        clmsg_add_update(&w, m->body.update.config_epoch, m->body.update.name,
                         m->body.update.slots);
        break;
    case CLMSG_TYPE_MODULE:
        clmsg_add_module(&w, m->body.module.module_id, m->body.module.type,
                         m->body.module.payload, m->body.module.len);
        break;
    default:
        clmsg_add_raw(&w, m->body.unknown.data, m->body.unknown.len);
        break;
    }
    /* The header's counts and flags as received: any type may carry a
     * count or extensions field that its body does not use, and
     * extensions may be nonzero without the EXT_DATA flag. */
    unsigned char *h = msg(&w);
    put16(h + OFF_COUNT, m->hdr.count);
    put16(h + OFF_EXTENSIONS, m->hdr.extensions);
    memcpy(h + OFF_MFLAGS, m->hdr.mflags, 3);
    return clmsg_finish(&w);
}
