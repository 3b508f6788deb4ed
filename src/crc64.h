/* crc64.h -- CRC-64/Jones, the checksum of RDB files and DUMP payloads:
 * polynomial 0xad93d23594c935a9, reflected in and out, initial value 0, no
 * final xor (the check value of "123456789" is 0xe9c6d914c4b8d9ca).
 *
 * Pure function, no state: the tables are built on first use (idempotent,
 * so a race between threads at worst builds them twice with equal bytes). */
#ifndef MINIRED_CRC64_H
#define MINIRED_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* Returns crc advanced over len bytes at p: crc64(0, ...) starts a
 * checksum, feeding its result back continues it over more bytes. */
uint64_t crc64(uint64_t crc, const void *p, size_t len);

#endif
