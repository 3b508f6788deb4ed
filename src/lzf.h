/* lzf.h -- LZF compression in the stream format of liblzf, which RDB files
 * use for long strings (RDB_ENC_LZF). The compressor makes the same
 * choices as the liblzf build Redis ships (16-bit hash table, "very fast"
 * rehash after a match), so equal input gives equal bytes in both.
 *
 * Stream format: a sequence of runs. Control byte c:
 *   c < 32        literal run: the next c + 1 bytes are copied as they are
 *   c >= 32       back reference: length L = c >> 5 (7: add the next byte),
 *                 offset = ((c & 31) << 8 | next byte) + 1 back from the
 *                 output end; L + 2 bytes are copied (overlap allowed).
 * Pure functions, no state; never read or write outside the given bounds. */
#ifndef MINIRED_LZF_H
#define MINIRED_LZF_H

#include <stddef.h>

/* Compresses in_len bytes into out (out_len bytes). Returns the compressed
 * size, or 0 when the result would not fit out_len (or in_len is 0):
 * callers pass out_len < in_len to keep only compression that pays. */
size_t lzf_compress(const void *in, size_t in_len, void *out, size_t out_len);

/* Decompresses in_len bytes into out (out_len bytes). Returns the
 * decompressed size, or 0 when the input is malformed (a run past the end,
 * a reference before the start) or the output does not fit out_len. */
size_t lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len);

#endif
