/* crc64.c -- CRC-64/Jones (see crc64.h), slicing by 8: eight 256-entry
 * tables let the loop fold one 64-bit word per step instead of one byte,
 * which keeps the checksum far below the cost of writing an RDB file.
 *
 * Owns only its tables; never allocates. The result is the same bytewise
 * reflected CRC whichever loop handles a given byte. */
#include "crc64.h"


/* The Jones polynomial 0xad93d23594c935a9, bit-reversed for the reflected
 * (LSB-first) algorithm. */
#define CRC64_JONES_POLY_REFLECTED 0x95ac9329ac4bc9b5ULL
#define CRC64_SLICES 8

static uint64_t crc64_table[CRC64_SLICES][256];
static volatile int crc64_ready;

static void crc64_build_tables(void) {
    for (int i = 0; i < 256; i++) {
        uint64_t c = (uint64_t)i;
        for (int b = 0; b < 8; b++) c = (c & 1) ? (c >> 1) ^ CRC64_JONES_POLY_REFLECTED : c >> 1;
        crc64_table[0][i] = c;
    }
    for (int i = 0; i < 256; i++) {
        uint64_t c = crc64_table[0][i];
        for (int s = 1; s < CRC64_SLICES; s++) {
            c = crc64_table[0][c & 0xff] ^ (c >> 8);
            crc64_table[s][i] = c;
        }
    }
    crc64_ready = 1;
}

/* Reads 8 bytes as a little-endian word whatever the host order. */
static uint64_t crc64_load_le(const unsigned char *p) {
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

uint64_t crc64(uint64_t crc, const void *p, size_t len) {
    const unsigned char *s = p;
    if (!crc64_ready) crc64_build_tables();
    while (len >= CRC64_SLICES) {
        uint64_t w = crc ^ crc64_load_le(s);
        crc = crc64_table[7][w & 0xff] ^ crc64_table[6][(w >> 8) & 0xff] ^ crc64_table[5][(w >> 16) & 0xff] ^
              crc64_table[4][(w >> 24) & 0xff] ^ crc64_table[3][(w >> 32) & 0xff] ^
              crc64_table[2][(w >> 40) & 0xff] ^ crc64_table[1][(w >> 48) & 0xff] ^ crc64_table[0][w >> 56];
        s += CRC64_SLICES;
        len -= CRC64_SLICES;
    }
    while (len--) crc = crc64_table[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return crc;
}
