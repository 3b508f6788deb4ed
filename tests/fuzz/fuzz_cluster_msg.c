/* fuzz_cluster_msg.c -- libFuzzer target for the cluster bus codec
 * (cluster_msg.c).
 *
 * Any bytes go to clmsg_peek_length and clmsg_decode; what decodes is
 * walked (gossip sections, extensions, the hostname) and encoded again,
 * and must come back byte for byte: the decoder accepts only what the
 * encoder writes. Sanitizers catch reads past the input. */
#include <stdint.h>
#include <string.h>

#include "cluster_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    clmsg m;
    char err[64];
    uint32_t n;
    clmsg_peek_length(data, size, &n);
    if (clmsg_decode(data, size, &m, err, sizeof(err)) != CLMSG_OK) return 0;
    if (m.hdr.type == CLMSG_TYPE_PING || m.hdr.type == CLMSG_TYPE_PONG || m.hdr.type == CLMSG_TYPE_MEET) {
        clmsg_gossip g;
        for (uint16_t i = 0; i < m.hdr.count; i++) clmsg_gossip_at(&m, i, &g);
        size_t cursor = 0, len;
        clmsg_ext e;
        const char *name;
        while (clmsg_ext_next(&m, &cursor, &e)) clmsg_ext_hostname(&e, &name, &len);
    }
    sds again = clmsg_encode(sds_empty(), &m);
    if (sds_len(again) != size || memcmp(again, data, size) != 0) __builtin_trap();
    sds_free(again);
    return 0;
}
