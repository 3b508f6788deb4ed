/* listpack.h -- a list of strings and integers packed in one allocation,
 * byte-compatible with Redis 7 (the "Listpack specification").
 *
 * Layout: <total-bytes u32 LE> <count u16 LE> <entry>... <0xFF>. Each entry
 * is <encoding+data><backlen>, where backlen (1..5 bytes, 7 bits a byte,
 * readable right to left) is the size of encoding+data, so the list walks
 * both ways. A count of LP_HDR_COUNT_UNKNOWN means "65535 or more: walk to
 * count". Strings that are canonical int64 decimals are stored as integers.
 *
 * A listpack is a plain `unsigned char *` from zmalloc. Entries are pointers
 * into it ("entry" below): any call that may reallocate returns the new
 * listpack and invalidates every entry pointer the caller held, except the
 * ones it hands back. Listpacks must stay below 4 GB (the header is 32-bit);
 * callers keep them far smaller (see lp_safe_to_add). */
#ifndef MINIRED_LISTPACK_H
#define MINIRED_LISTPACK_H

#include <stddef.h>
#include <stdint.h>

/* Header: 32-bit total bytes + 16-bit element count. */
#define LP_HDR_BYTES 6
/* Count value meaning "unknown, walk the list to count". */
#define LP_HDR_COUNT_UNKNOWN 65535
/* The end-of-listpack byte. */
#define LP_EOF 0xFF
/* Size of the buffer lp_get needs to render an integer as text. */
#define LP_INTBUF_SIZE 21
/* Largest listpack the server lets a collection grow to (1 GB): the header
 * could record 4 GB, but a conversion to a real structure is due long
 * before, and staying well below keeps size arithmetic far from overflow. */
#define LP_MAX_SAFE_BYTES ((size_t)1 << 30)

/* Where lp_insert puts the new entry relative to the given one. */
enum lp_where { LP_BEFORE = 0, LP_AFTER = 1 };

/* What lp_get found in an entry. */
enum lp_kind { LP_KIND_INT = 0, LP_KIND_STR = 1 };

/* One value to write with lp_batch_append: an integer when is_int, else the
 * len bytes at str (converted to an integer if canonical, as always). */
typedef struct lp_item {
    const unsigned char *str;
    uint32_t len;
    int is_int;
    int64_t ival;
} lp_item;

/* Called by lp_validate_entries for each entry once its bounds are proven;
 * returns 0 to go on, -1 to declare the listpack invalid. */
typedef int lp_validate_cb(const unsigned char *entry, unsigned long index, void *userdata);

/* ------------------------------------------------------------ lifecycle */

/* Returns a new empty listpack with room for capacity bytes (at least the
 * 7 an empty one needs), so that appends up to that size never realloc. */
unsigned char *lp_new(size_t capacity);
/* Takes lp (NULL is a no-op). */
void lp_free(unsigned char *lp);
/* Takes lp, returns it reallocated to exactly lp_bytes(lp). */
unsigned char *lp_shrink_to_fit(unsigned char *lp);
/* Returns a new copy of lp. */
unsigned char *lp_dup(const unsigned char *lp);

/* ------------------------------------------------------------ queries */

/* Total size in bytes, header and terminator included (the header field). */
size_t lp_bytes(const unsigned char *lp);
/* Number of entries. Walks when the header says unknown, and then stores
 * the count back in the header if it fits (hence not const). */
unsigned long lp_length(unsigned char *lp);
/* 1 if adding add_bytes keeps lp under LP_MAX_SAFE_BYTES, else 0. */
int lp_safe_to_add(const unsigned char *lp, size_t add_bytes);

/* ------------------------------------------------------------ walking
 * All borrow lp and return a pointer into it, or NULL when there is no such
 * entry. They assume a well-formed listpack (validate untrusted ones). */

unsigned char *lp_first(unsigned char *lp);
unsigned char *lp_last(unsigned char *lp);
unsigned char *lp_next(unsigned char *lp, unsigned char *entry);
unsigned char *lp_prev(unsigned char *lp, unsigned char *entry);
/* Entry at index (0 first; -1 last, -2 the one before...). Walks from the
 * nearer end when the count is known. */
unsigned char *lp_seek(unsigned char *lp, long index);

/* Reads entry. Returns LP_KIND_INT with *ival set, or LP_KIND_STR with *str
 * pointing into the listpack (borrowed, not NUL-terminated) and *len set.
 * When buf (LP_INTBUF_SIZE bytes) is given, an integer is also rendered as
 * decimal text there and *str / *len describe it, so a caller that wants
 * text only looks at str. Any of ival, str, len may be NULL. */
enum lp_kind lp_get(const unsigned char *entry, int64_t *ival, const unsigned char **str, uint32_t *len,
                    unsigned char *buf);
/* 1 if entry holds the value the len bytes at s would be stored as. */
int lp_entry_eq(const unsigned char *entry, const unsigned char *s, uint32_t len);
/* From entry on, the first entry equal to s, comparing one entry then
 * skipping `skip` (skip 1 visits only the fields of field/value pairs).
 * Returns NULL if none. */
unsigned char *lp_find(unsigned char *lp, unsigned char *entry, const unsigned char *s, uint32_t len,
                       unsigned int skip);

/* Strict decimal parse with Redis's rules: whole buffer, optional '-', no
 * '+', no spaces, no leading zeros, no "-0", within int64. Only strings it
 * accepts are stored as integers. Returns 1 and sets *value (may be NULL)
 * on success, else 0. */
int lp_string_to_int64(const unsigned char *s, size_t len, int64_t *value);

/* ------------------------------------------------------------ writing
 * All take lp and return the (possibly moved) listpack, or NULL when the
 * result would not fit the 32-bit header, in which case lp is unchanged
 * and still owned by the caller. Values are copied (s is borrowed). */

unsigned char *lp_append(unsigned char *lp, const unsigned char *s, uint32_t len);
unsigned char *lp_prepend(unsigned char *lp, const unsigned char *s, uint32_t len);
unsigned char *lp_append_integer(unsigned char *lp, int64_t value);
unsigned char *lp_prepend_integer(unsigned char *lp, int64_t value);
/* Inserts before or after entry; *newentry (may be NULL) gets the new
 * entry's address in the returned listpack. */
unsigned char *lp_insert(unsigned char *lp, const unsigned char *s, uint32_t len, unsigned char *entry,
                         enum lp_where where, unsigned char **newentry);
unsigned char *lp_insert_integer(unsigned char *lp, int64_t value, unsigned char *entry,
                                 enum lp_where where, unsigned char **newentry);
/* Replaces *entry's value; *entry is updated to the entry in the returned
 * listpack. Same-size replacements move no memory. */
unsigned char *lp_replace(unsigned char *lp, unsigned char **entry, const unsigned char *s, uint32_t len);
unsigned char *lp_replace_integer(unsigned char *lp, unsigned char **entry, int64_t value);
/* Appends n items with at most one reallocation (e.g. a field/value pair). */
unsigned char *lp_batch_append(unsigned char *lp, const lp_item *items, size_t n);

/* ------------------------------------------------------------ deleting
 * Take lp, return the (possibly moved) listpack; never fail. */

/* Deletes entry; *next (may be NULL) gets the entry that followed it, or
 * NULL if it was the last. */
unsigned char *lp_delete(unsigned char *lp, unsigned char *entry, unsigned char **next);
/* Deletes up to count entries starting at index (negative from the end). */
unsigned char *lp_delete_range(unsigned char *lp, long index, unsigned long count);
/* Deletes up to count entries starting at *entry; *entry gets the entry
 * that now follows the gap, or NULL. */
unsigned char *lp_delete_range_entry(unsigned char *lp, unsigned char **entry, unsigned long count);

/* ------------------------------------------------------------ untrusted input */

/* Checks a blob of size bytes read from outside (an RDB file, RESTORE).
 * Shallow: header size, total bytes and terminator. Deep: also every entry's
 * encoding, bounds and backlen, and the header count. Never reads outside
 * [bytes, bytes + size). Returns 0 if valid, -1 if not. */
int lp_validate_integrity(const unsigned char *bytes, size_t size, int deep);
/* Deep validation that also calls cb (may be NULL) on each entry, so a
 * loader can check pairs or duplicates in the same pass. */
int lp_validate_entries(const unsigned char *bytes, size_t size, lp_validate_cb *cb, void *userdata);

#endif
