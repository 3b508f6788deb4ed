/* sds.h -- binary-safe dynamic strings.
 *
 * An sds is a char * that points just past a small header holding the
 * length and the allocated size, so it can be passed to any C function that
 * reads a NUL-terminated string, yet it may hold NUL bytes itself. The string
 * is always followed by a terminating NUL that is not counted in its length.
 * Functions that may grow the string return the (possibly moved) new pointer:
 * always use the returned value, as with realloc. */
#ifndef MINIRED_SDS_H
#define MINIRED_SDS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Strings at or above this size grow by this many bytes instead of
 * doubling, so a 512 MB value does not reserve a further 512 MB. */
#define SDS_MAX_PREALLOC (1024 * 1024)

typedef char *sds;

/* Header layouts; the smallest one that fits the length is used. flags'
 * low 3 bits name the type. */
struct __attribute__((__packed__)) sdshdr8 { uint8_t len; uint8_t alloc; unsigned char flags; char buf[]; };
struct __attribute__((__packed__)) sdshdr16 { uint16_t len; uint16_t alloc; unsigned char flags; char buf[]; };
struct __attribute__((__packed__)) sdshdr32 { uint32_t len; uint32_t alloc; unsigned char flags; char buf[]; };
struct __attribute__((__packed__)) sdshdr64 { uint64_t len; uint64_t alloc; unsigned char flags; char buf[]; };

#define SDS_TYPE_8 1
#define SDS_TYPE_16 2
#define SDS_TYPE_32 3
#define SDS_TYPE_64 4
#define SDS_TYPE_MASK 7
#define SDS_HDR(T, s) ((struct sdshdr##T *)((s) - (sizeof(struct sdshdr##T))))

/* Length in bytes, not counting the terminator. */
static inline size_t sds_len(const sds s) {
    unsigned char flags = (unsigned char)s[-1];
    switch (flags & SDS_TYPE_MASK) {
    case SDS_TYPE_8: return SDS_HDR(8, s)->len;
    case SDS_TYPE_16: return SDS_HDR(16, s)->len;
    case SDS_TYPE_32: return SDS_HDR(32, s)->len;
    case SDS_TYPE_64: return SDS_HDR(64, s)->len;
    }
    return 0;
}

/* Free bytes after the string that can be written without reallocating. */
static inline size_t sds_avail(const sds s) {
    unsigned char flags = (unsigned char)s[-1];
    switch (flags & SDS_TYPE_MASK) {
    case SDS_TYPE_8: return (size_t)(SDS_HDR(8, s)->alloc - SDS_HDR(8, s)->len);
    case SDS_TYPE_16: return (size_t)(SDS_HDR(16, s)->alloc - SDS_HDR(16, s)->len);
    case SDS_TYPE_32: return (size_t)(SDS_HDR(32, s)->alloc - SDS_HDR(32, s)->len);
    case SDS_TYPE_64: return (size_t)(SDS_HDR(64, s)->alloc - SDS_HDR(64, s)->len);
    }
    return 0;
}

/* Returns new sds holding a copy of len bytes of init (init NULL: zeros). */
sds sds_new_len(const void *init, size_t len);
/* Returns new sds with len bytes of unspecified content (no zeroing). */
sds sds_new_len_uninit(size_t len);
/* Returns new sds copied from a C string (NULL gives ""). */
sds sds_new(const char *init);
/* Returns new empty sds. */
sds sds_empty(void);
/* Returns new copy of s. */
sds sds_dup(const sds s);
/* Takes s (NULL is a no-op). */
void sds_free(sds s);

/* Sets the length (must be <= allocated size) and writes the terminator. */
void sds_set_len(sds s, size_t len);
/* Adds incr (may be negative) to the length after the caller wrote into the
 * free space, and writes the terminator. */
void sds_incr_len(sds s, ssize_t incr);
/* Total bytes allocated for the string body (not counting header/NUL). */
size_t sds_alloc(const sds s);
/* Bytes used by the whole allocation (header, body, free space, NUL). */
size_t sds_alloc_size(const sds s);
/* Sets length to 0, keeping the allocation. */
void sds_clear(sds s);

/* The functions below take s and return the possibly moved result. */
sds sds_make_room_for(sds s, size_t addlen);   /* greedy: may preallocate */
sds sds_make_room_for_non_greedy(sds s, size_t addlen); /* exactly addlen */
sds sds_remove_free_space(sds s);
sds sds_grow_zero(sds s, size_t len);          /* zero-extends to len */
sds sds_cat_len(sds s, const void *t, size_t len);
sds sds_cat(sds s, const char *t);
sds sds_cat_sds(sds s, const sds t);
sds sds_cpy_len(sds s, const char *t, size_t len);
sds sds_cpy(sds s, const char *t);
sds sds_cat_vprintf(sds s, const char *fmt, va_list ap);
sds sds_cat_printf(sds s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends p as a quoted, escaped string, the way redis-cli prints it
 * ("a\x00b\n"). */
sds sds_cat_repr(sds s, const char *p, size_t len);
/* Appends a signed integer in decimal. */
sds sds_cat_ll(sds s, long long v);
/* Removes from both ends any of the characters in cset. */
sds sds_trim(sds s, const char *cset);

/* In place: keep bytes [start, end], indexes may be negative (from end);
 * an empty range leaves "". */
void sds_range(sds s, ssize_t start, ssize_t end);
void sds_to_lower(sds s);
void sds_to_upper(sds s);
/* memcmp-style comparison, shorter string first on a common prefix. */
int sds_cmp(const sds a, const sds b);

/* Returns new sds holding the decimal form of v. */
sds sds_from_ll(long long v);

/* Splits s by the separator sep (binary-safe). Returns a new array of *count
 * new sds, freed by sds_free_split_res; NULL with *count = 0 on bad input. */
sds *sds_split_len(const char *s, ssize_t len, const char *sep, int seplen, int *count);
/* Splits a line into arguments the way redis-cli and redis.conf do: spaces
 * separate, "double quotes" allow \n \r \t \b \a \\ \" and \xHH escapes,
 * 'single quotes' allow \'; a closing quote must be followed by a space or
 * the end. Returns a new array of *argc new sds, or NULL on unbalanced
 * quotes. An empty or all-space line returns a non-NULL array with *argc 0. */
sds *sds_split_args(const char *line, int *argc);
/* Takes an array returned by the split functions. */
void sds_free_split_res(sds *tokens, int count);
/* Returns new sds with argv joined by sep. */
sds sds_join(char **argv, int argc, const char *sep);

#endif
