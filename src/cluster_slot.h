/* cluster_slot.h -- Redis Cluster's key -> hash slot mapping.
 *
 * A library (no server headers, no state): the slot of a key is the
 * CRC16 (XMODEM variant: polynomial 0x1021, initial value 0, no bit
 * reflection, no final xor; "123456789" -> 0x31c3) of the key, or of its
 * hash tag, modulo CLUSTER_SLOTS. The hash tag is the text between the
 * first '{' and the first '}' after it, when that text is not empty; so
 * "{user1}.a" and "{user1}.b" share a slot, while "{}x" hashes whole. */
#ifndef MINIRED_CLUSTER_SLOT_H
#define MINIRED_CLUSTER_SLOT_H

#include <stddef.h>
#include <stdint.h>

/* Number of hash slots of a cluster (a power of two: the slot is the low
 * 14 bits of the CRC). */
#define CLUSTER_SLOTS 16384

/* CRC16-XMODEM of len bytes (borrowed), table-driven. */
uint16_t cluster_crc16(const void *buf, size_t len);

/* The hash slot (0 .. CLUSTER_SLOTS-1) of a key of len bytes (borrowed;
 * binary safe, NULs included). */
unsigned int cluster_keyslot(const void *key, size_t len);

#endif
