/* fuzz_common.h -- what the server-level fuzz targets (fuzz_rdb_load,
 * fuzz_restore) share: bringing up the server state they need without a
 * main (configuration defaults, clocks, the databases), silencing the
 * log, and fixing up a CRC64 trailer so mutated inputs get past the
 * checksum into the decoder. Test code: it may set cfg directly. */
#ifndef MINIRED_FUZZ_COMMON_H
#define MINIRED_FUZZ_COMMON_H

#include <stdint.h>
#include <string.h>

#include "config.h"
#include "crc64.h"
#include "db.h"
#include "log.h"
#include "monotonic.h"
#include "server.h"

#define FUZZ_CRC_BYTES 8

static inline void fuzz_server_init(void) {
    config_init_defaults();
    cfg.verbosity = LL_NOTHING; /* refusals are logged: keep the fuzzer quiet */
    mono_init();
    db_init(cfg.databases);
}

/* Overwrites the last 8 bytes of buf (len >= 8) with the little-endian
 * CRC64 of the bytes before them. */
static inline void fuzz_fix_crc(unsigned char *buf, size_t len) {
    uint64_t crc = crc64(0, buf, len - FUZZ_CRC_BYTES);
    for (int i = 0; i < FUZZ_CRC_BYTES; i++) buf[len - FUZZ_CRC_BYTES + i] = (unsigned char)(crc >> (8 * i));
}

#endif
