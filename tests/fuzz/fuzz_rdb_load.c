/* fuzz_rdb_load.c -- libFuzzer target for RDB loading: the whole input is
 * an RDB stream fed to rdb_load_rio on an empty keyspace, which must
 * either load it or refuse it with a reason, never crash, leak or read
 * out of bounds (sanitizers catch those).
 *
 * Input: an RDB file as is (it starts with "REDIS"), or one settings
 * byte followed by the stream. Bit 0 of that byte fixes up the CRC64
 * trailer so mutations reach the end of the file instead of stopping at
 * the checksum (which is only checked after everything was parsed, so
 * both paths matter); bit 1 turns on sanitize-dump-payload (deep checks of
 * every packed encoding). After a successful load the keyspace is
 * emptied, so every input starts from nothing. Seeds: tests/fuzz/seeds/rdb
 * (files written by Redis 7.0, used as they are). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "rdb.h"
#include "rio.h"
#include "sds.h"

#define FLAG_FIX_CRC 0x01
#define FLAG_DEEP 0x02
#define RDB_MAGIC_BYTES 5

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fuzz_server_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int raw = size >= RDB_MAGIC_BYTES && memcmp(data, "REDIS", RDB_MAGIC_BYTES) == 0;
    int flags = raw ? 0 : data[0];
    sds s = raw ? sds_new_len(data, size) : sds_new_len(data + 1, size - 1);
    if ((flags & FLAG_FIX_CRC) && sds_len(s) >= FUZZ_CRC_BYTES) fuzz_fix_crc((unsigned char *)s, sds_len(s));
    cfg.sanitize_dump_payload = (flags & FLAG_DEEP) ? SANITIZE_DUMP_YES : SANITIZE_DUMP_NO;
    rio r;
    rio_init_buffer(&r, s);
    rdb_load_stats st;
    rdb_load_rio(&r, 0, &st);
    db_empty(-1);
    sds_free(s);
    return 0;
}
