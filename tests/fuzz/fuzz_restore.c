/* fuzz_restore.c -- libFuzzer target for RESTORE payloads: the input is
 * decoded by rdb_restore_payload, which must return an object or refuse
 * with a reason, never crash or read out of bounds.
 *
 * Input: one settings byte, then the payload. Bit 0 selects deep
 * validation (sanitize-dump-payload yes), bit 1 fixes up the CRC64
 * trailer so mutations reach the decoder. With deep validation an
 * accepted value must be fully usable: it is dumped again, that payload
 * must restore (deeply) to a value of the same type, encoding and
 * DEBUG DIGEST-VALUE digest (walking every element), and its serialized
 * length must match the payload's size minus the type byte, the RDB
 * version and the CRC. Without deep validation Redis only promises the
 * headers were checked, so the value is only freed. Seeds:
 * tests/fuzz/seeds/restore (DUMP output of Redis 7.0, settings byte 0 or
 * 1 in front). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "fuzz_common.h"
#include "object.h"
#include "rdb.h"
#include "sds.h"

#define FLAG_DEEP 0x01
#define FLAG_FIX_CRC 0x02
/* A payload's trailer: 2-byte RDB version, 8-byte CRC64; plus the type. */
#define PAYLOAD_OVERHEAD (1 + 2 + 8)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fuzz_server_init();
    return 0;
}

/* An accepted (deeply checked) value survives a second round trip. */
static void check_round_trip(const robj *o) {
    sds p1 = rdb_dump_payload(o);
    if (rdb_object_serialized_len(o) + PAYLOAD_OVERHEAD != sds_len(p1)) abort();
    sds err = NULL;
    robj *o2 = rdb_restore_payload(p1, sds_len(p1), 1, &err);
    if (o2 == NULL) abort(); /* our own dump of a valid value must load */
    /* Equal values: same type and encoding, same digest (hash tables
     * may dump in another order, so bytes are not compared). */
    unsigned char d1[SHA1_DIGEST_BYTES], d2[SHA1_DIGEST_BYTES];
    sds key = sds_new("fuzz");
    digest_value(&server.dbs[0], key, o, d1);
    digest_value(&server.dbs[0], key, o2, d2);
    if (o->type != o2->type || o->encoding != o2->encoding || memcmp(d1, d2, sizeof(d1)) != 0) abort();
    sds_free(key);
    sds_free(p1);
    obj_decr_refcount(o2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int flags = data[0];
    int deep = flags & FLAG_DEEP;
    sds p = sds_new_len(data + 1, size - 1);
    if ((flags & FLAG_FIX_CRC) && sds_len(p) >= FUZZ_CRC_BYTES) fuzz_fix_crc((unsigned char *)p, sds_len(p));
    sds err = NULL;
    robj *o = rdb_restore_payload(p, sds_len(p), deep, &err);
    if (o) {
        if (deep) check_round_trip(o);
        obj_decr_refcount(o);
    } else if (err == NULL) {
        abort(); /* a refusal always says why */
    }
    sds_free(err);
    sds_free(p);
    return 0;
}
