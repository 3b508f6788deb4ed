/* cluster_msg.h -- Redis 7.0's cluster bus messages, byte for byte: decode
 * a received message into a struct, build one into an sds buffer.
 *
 * A library (no server headers, no sockets, no globals, no logging). The
 * layout was checked against messages captured between real Redis 7.0.15
 * nodes (tests/unit/fixtures/make_cluster_msg_fixture.py).
 *
 * Wire format. Every multi-byte integer is big-endian. A message is a
 * fixed 2256-byte header followed by a body whose shape depends on type:
 *
 *   off  size  field
 *     0     4  signature "RCmb"
 *     4     4  totlen: the whole message, header included
 *     8     2  protocol version (1)
 *    10     2  port: the sender's client port (TLS port when TLS is on)
 *    12     2  type (CLMSG_TYPE_*)
 *    14     2  count: gossip sections in a PING / PONG / MEET
 *    16     8  currentEpoch
 *    24     8  configEpoch (the sender's, or its primary's if a replica)
 *    32     8  replication offset
 *    40    40  sender node name (hex, not NUL-terminated)
 *    80  2048  slot bitmap: slot n is bit (n & 7) of byte n / 8
 *  2128    40  name of the sender's primary (all zero bytes if none)
 *  2168    46  sender ip: cluster-announce-ip, else all zero (the receiver
 *              then uses the link's peer address)
 *  2214     2  number of ping extensions
 *  2216    30  reserved, zero
 *  2246     2  pport: plaintext client port when port is the TLS one
 *  2248     2  cport: the sender's cluster bus port
 *  2250     2  sender node flags (CLMSG_NODE_*)
 *  2252     1  cluster state seen by the sender (CLMSG_STATE_*)
 *  2253     3  mflags[0..2] (CLMSG_MF0_*)
 *
 * Bodies:
 *   PING / PONG / MEET: count gossip sections of 104 bytes (name 40,
 *     ping_sent 4, pong_received 4 (both in seconds), ip 46, port 2,
 *     cport 2, flags 2, pport 2, reserved 2), then, when mflags[0] has
 *     CLMSG_MF0_EXT_DATA, `extensions` extensions: length 4 (of the whole
 *     extension, header included, a multiple of 8), type 2, reserved 2,
 *     payload zero-padded to the length. Redis 7.0.15 sends one type:
 *     the hostname (NUL-terminated; sent only when cluster-announce-hostname
 *     is set) and logs and skips any other.
 *   FAIL: the failing node's name (40).
 *   PUBLISH / PUBLISHSHARD: channel_len 4, message_len 4, channel, message.
 *   UPDATE: configEpoch 8, node name 40, slot bitmap 2048.
 *   FAILOVER_AUTH_REQUEST / FAILOVER_AUTH_ACK / MFSTART: no body.
 *   MODULE: module id 8 (not byte-order converted by Redis), payload
 *     length 4, module message type 1, payload.
 *
 * Ownership: a decoded clmsg borrows the buffer it was decoded from (body
 * pointers point into it); it holds no allocation and needs no freeing.
 * The writer appends to an sds the caller owns. */
#ifndef MINIRED_CLUSTER_MSG_H
#define MINIRED_CLUSTER_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "sds.h"

#define CLMSG_SIGNATURE "RCmb"
#define CLMSG_PROTO_VER 1
#define CLMSG_NAME_LEN 40          /* node names: 40 hex characters */
#define CLMSG_IP_LEN 46            /* INET6_ADDRSTRLEN */
#define CLMSG_SLOTS 16384
#define CLMSG_SLOT_BYTES (CLMSG_SLOTS / 8)
#define CLMSG_RESERVED_LEN 30      /* header bytes 2216..2245 */
#define CLMSG_HDR_LEN 2256         /* also the shortest valid message */
#define CLMSG_GOSSIP_LEN 104
#define CLMSG_EXT_HDR_LEN 8
#define CLMSG_EXT_ALIGN 8          /* extensions are padded to 8 bytes */
#define CLMSG_FAIL_LEN CLMSG_NAME_LEN
#define CLMSG_UPDATE_LEN (8 + CLMSG_NAME_LEN + CLMSG_SLOT_BYTES)
#define CLMSG_PUBLISH_FIXED_LEN 8  /* the two lengths before the bytes */
#define CLMSG_MODULE_ID_LEN 8
#define CLMSG_MODULE_FIXED_LEN 13  /* id, length, type before the payload */
#define CLMSG_PEEK_LEN 8           /* bytes needed to learn a message's length */

/* Message types (header offset 12). */
enum {
    CLMSG_TYPE_PING = 0,
    CLMSG_TYPE_PONG = 1,
    CLMSG_TYPE_MEET = 2,
    CLMSG_TYPE_FAIL = 3,
    CLMSG_TYPE_PUBLISH = 4,
    CLMSG_TYPE_FAILOVER_AUTH_REQUEST = 5,
    CLMSG_TYPE_FAILOVER_AUTH_ACK = 6,
    CLMSG_TYPE_UPDATE = 7,
    CLMSG_TYPE_MFSTART = 8,
    CLMSG_TYPE_MODULE = 9,
    CLMSG_TYPE_PUBLISHSHARD = 10,
    CLMSG_TYPE_COUNT = 11 /* types >= this are unknown: Redis ignores them */
};

/* Node flags, in the header (the sender) and in gossip sections. */
#define CLMSG_NODE_MASTER 1
#define CLMSG_NODE_SLAVE 2
#define CLMSG_NODE_PFAIL 4
#define CLMSG_NODE_FAIL 8
#define CLMSG_NODE_MYSELF 16
#define CLMSG_NODE_HANDSHAKE 32
#define CLMSG_NODE_NOADDR 64
#define CLMSG_NODE_MEET 128
#define CLMSG_NODE_MIGRATE_TO 256
#define CLMSG_NODE_NOFAILOVER 512

/* Cluster state in the header. */
#define CLMSG_STATE_OK 0
#define CLMSG_STATE_FAIL 1

/* mflags[0] bits. */
#define CLMSG_MF0_PAUSED 1   /* primary paused for a manual failover */
#define CLMSG_MF0_FORCEACK 2 /* AUTH_REQUEST: vote even if the primary is up */
#define CLMSG_MF0_EXT_DATA 4 /* extensions follow the gossip sections */

/* Ping extension types. */
#define CLMSG_EXT_HOSTNAME 0

/* The fixed header, field for field (see the table above). totlen, count
 * and extensions are what was received when decoding; the writer computes
 * them and ignores these fields. */
typedef struct clmsg_hdr {
    uint32_t totlen;
    uint16_t ver;
    uint16_t port;
    uint16_t type;
    uint16_t count;
    uint64_t current_epoch;
    uint64_t config_epoch;
    uint64_t offset;
    char sender[CLMSG_NAME_LEN];
    unsigned char myslots[CLMSG_SLOT_BYTES];
    char replicaof[CLMSG_NAME_LEN];
    char myip[CLMSG_IP_LEN];
    uint16_t extensions;
    unsigned char reserved[CLMSG_RESERVED_LEN];
    uint16_t pport;
    uint16_t cport;
    uint16_t flags;
    uint8_t state;
    uint8_t mflags[3];
} clmsg_hdr;

/* One gossip section: what the sender knows of another node. */
typedef struct clmsg_gossip {
    char name[CLMSG_NAME_LEN];
    uint32_t ping_sent;     /* seconds (unix time), 0 if no ping pending */
    uint32_t pong_received; /* seconds (unix time) */
    char ip[CLMSG_IP_LEN];  /* NUL-padded */
    uint16_t port;
    uint16_t cport;
    uint16_t flags;
    uint16_t pport;
    uint16_t reserved;
} clmsg_gossip;

/* One ping extension; data borrows the message (payload with padding). */
typedef struct clmsg_ext {
    uint16_t type;
    uint16_t reserved;
    const unsigned char *data;
    size_t len; /* extension length minus its 8-byte header */
} clmsg_ext;

/* A decoded message. The body member that applies is the one for
 * hdr.type; every pointer borrows the decoded buffer. */
typedef struct clmsg {
    clmsg_hdr hdr;
    union {
        struct {                         /* PING, PONG, MEET */
            const unsigned char *gossip; /* hdr.count sections */
            const unsigned char *exts;   /* validated extensions */
            size_t exts_len;             /* 0 without CLMSG_MF0_EXT_DATA */
        } ping;
        struct {
            char name[CLMSG_NAME_LEN];
        } fail;
        struct {                         /* PUBLISH, PUBLISHSHARD */
            const unsigned char *channel;
            uint32_t channel_len;
            const unsigned char *message;
            uint32_t message_len;
        } publish;
        struct {
            uint64_t config_epoch;
            char name[CLMSG_NAME_LEN];
            unsigned char slots[CLMSG_SLOT_BYTES];
        } update;
        struct {
            /* The module's 64-bit id: Redis copies it without byte-order
             * conversion (it is only compared), so it is kept as the 8
             * bytes received. */
            unsigned char module_id[CLMSG_MODULE_ID_LEN];
            uint8_t type;
            const unsigned char *payload;
            uint32_t len;
        } module;
        struct {                 /* a type >= CLMSG_TYPE_COUNT */
            const unsigned char *data;
            size_t len;
        } unknown;
    } body;
} clmsg;

/* Results of clmsg_decode. */
enum {
    CLMSG_OK = 0,
    CLMSG_ERR_MALFORMED = -1, /* err says why; the link should be dropped */
    CLMSG_ERR_VERSION = -2    /* well-formed header of another protocol
                                 version: Redis ignores such a message.
                                 Only out->hdr is filled. */
};

/* Reading a stream: given the first len bytes received, sets *msglen to
 * the length of the message they start. Returns 1 when *msglen is known,
 * 0 when fewer than CLMSG_PEEK_LEN bytes are there yet, -1 when the
 * signature is wrong or the length is below CLMSG_HDR_LEN (Redis drops the
 * link). No upper bound is imposed: totlen can reach 4 GiB, and how much
 * to buffer is the caller's choice. */
int clmsg_peek_length(const unsigned char *buf, size_t len, uint32_t *msglen);

/* Decodes one whole message: len must equal its totlen. Checks what Redis
 * 7.0 checks before it acts on a message (signature, length for the type,
 * gossip count against the length, each extension's padding and bounds)
 * and never reads outside buf[0..len). Borrows buf, which must outlive
 * out. Returns CLMSG_OK, or an error code with a message in err (errlen
 * bytes, may be 0). Unknown types decode as CLMSG_OK with a raw body. */
int clmsg_decode(const unsigned char *buf, size_t len, clmsg *out, char *err, size_t errlen);

/* Gossip section i (< hdr.count) of a decoded PING/PONG/MEET. */
void clmsg_gossip_at(const clmsg *m, uint16_t i, clmsg_gossip *g);

/* Iterates over a decoded PING/PONG/MEET's extensions: start with
 * *cursor = 0; returns 1 and fills e for each, 0 after the last. */
int clmsg_ext_next(const clmsg *m, size_t *cursor, clmsg_ext *e);

/* The hostname carried by a CLMSG_EXT_HOSTNAME extension: *name borrows
 * the message, *len excludes the NUL. Returns -1 if e is no hostname
 * extension or its payload has no NUL. */
int clmsg_ext_hostname(const clmsg_ext *e, const char **name, size_t *len);

/* Slot bitmap helpers (myslots, UPDATE's slots). */
int clmsg_slot_test(const unsigned char *bitmap, int slot);
void clmsg_slot_set(unsigned char *bitmap, int slot);

/* The name Redis gives a type in CLUSTER INFO's cluster_stats_messages_*
 * fields ("ping", "auth-req", ...; "unknown" for others). */
const char *clmsg_type_name(uint16_t type);

/* Building a message. clmsg_begin appends a header (from h, with totlen,
 * count and extensions 0) to buf; each clmsg_add_* appends a body part
 * (and bumps count or extensions in the header); clmsg_finish writes
 * totlen and returns the buffer. The buffer may move: always use w->buf
 * (or what clmsg_finish returns), never the sds passed to clmsg_begin.
 * Several messages may be built one after another in one buffer. */
typedef struct clmsg_writer {
    sds buf;      /* the caller's; reallocated as it grows */
    size_t start; /* offset of this message's header in buf */
} clmsg_writer;

void clmsg_begin(clmsg_writer *w, sds buf, const clmsg_hdr *h);
void clmsg_add_gossip(clmsg_writer *w, const clmsg_gossip *g);
/* An extension of type with len payload bytes (borrowed), zero-padded to
 * a multiple of 8; sets CLMSG_MF0_EXT_DATA, as Redis does when it sends
 * extensions. */
void clmsg_add_ext(clmsg_writer *w, uint16_t type, const void *data, size_t len);
/* The hostname extension: name (len bytes, borrowed), its NUL, padding. */
void clmsg_add_hostname(clmsg_writer *w, const char *name, size_t len);
void clmsg_add_fail(clmsg_writer *w, const char name[CLMSG_NAME_LEN]);
void clmsg_add_publish(clmsg_writer *w, const void *channel, uint32_t channel_len,
                       const void *message, uint32_t message_len);
void clmsg_add_update(clmsg_writer *w, uint64_t config_epoch, const char name[CLMSG_NAME_LEN],
                      const unsigned char slots[CLMSG_SLOT_BYTES]);
void clmsg_add_module(clmsg_writer *w, const unsigned char module_id[CLMSG_MODULE_ID_LEN], uint8_t type,
                      const void *payload, uint32_t len);
/* Raw bytes after the header (the body of an unknown type). */
void clmsg_add_raw(clmsg_writer *w, const void *data, size_t len);
sds clmsg_finish(clmsg_writer *w);

/* Re-encodes a decoded message (CLMSG_OK from clmsg_decode) onto buf:
 * the same bytes as were decoded. Returns the buffer (it may move). */
sds clmsg_encode(sds buf, const clmsg *m);

#endif
