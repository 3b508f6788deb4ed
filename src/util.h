/* util.h -- pure conversions and helpers shared by every layer: number
 * parsing and formatting with Redis's exact rules, glob matching, random
 * bytes. No globals, no I/O except get_random_bytes reading /dev/urandom. */
#ifndef MINIRED_UTIL_H
#define MINIRED_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Bytes needed for any long long / double in text, terminator included. */
#define LONG_STR_SIZE 21
#define MAX_LONG_DOUBLE_CHARS (5 * 1024)
#define MAX_D2STRING_CHARS 128

/* Strict parse of a whole buffer as a signed 64-bit decimal: no spaces, no
 * '+', no leading zeros (except "0"), "-0" refused, overflow refused.
 * Returns 1 on success (value in *value, may be NULL), 0 otherwise. */
int string2ll(const char *s, size_t slen, long long *value);
int string2l(const char *s, size_t slen, long *value);
/* Unsigned variant with the same strictness. */
int string2ull(const char *s, unsigned long long *value);
/* Writes v in decimal to dst (len bytes incl. NUL); returns the length, or
 * 0 if it does not fit. */
int ll2string(char *dst, size_t dstlen, long long svalue);
int ull2string(char *dst, size_t dstlen, unsigned long long value);
/* Number of decimal digits of v. */
uint32_t digits10(uint64_t v);

/* Parses a double the way Redis does for scores and INCRBYFLOAT: whole
 * buffer, no leading space, "inf"/"-inf"/"+inf" accepted, NaN refused.
 * Returns 1 on success. */
int string2d(const char *s, size_t slen, double *dp);
int string2ld(const char *s, size_t slen, long double *dp);
/* Formats a double as Redis replies with it: "inf", "-inf", "nan", integers
 * within 2^53 without a fraction, else %.17g. Returns the length. */
int d2string(char *buf, size_t len, double value);
/* Formats a long double as INCRBYFLOAT does (humanfriendly: %.17Lf with
 * trailing zeros and a trailing point removed; "inf"/"-inf"). Returns the
 * length, 0 if it does not fit. */
enum ld2string_mode { LD_STR_AUTO, LD_STR_HUMAN, LD_STR_HEX };
int ld2string(char *buf, size_t len, long double value, enum ld2string_mode mode);

/* Glob-style match (* ? [abc] [^a-z] [!a] \x), binary-safe; nocase folds
 * ASCII. Returns 1 on match. Bounded recursion: a pattern cannot blow the
 * stack. */
int string_match_len(const char *pattern, int patternlen, const char *string, int stringlen, int nocase);
int string_match(const char *pattern, const char *string, int nocase);

/* Parses a memory size as redis.conf does ("1gb", "64mb", "100k", "5000",
 * case-insensitive suffixes b k kb m mb g gb; k = 1000, kb = 1024).
 * Returns the value; *err is set to 1 on bad input, else 0. */
unsigned long long memtoull(const char *p, int *err);

/* Fills p with len random bytes (urandom, or a time/pid mix if absent). */
void get_random_bytes(unsigned char *p, size_t len);
/* Fills p with len random hex characters. */
void get_random_hex_chars(char *p, size_t len);

/* Case-insensitive ASCII compare of two NUL-terminated strings. */
int str_eq_nocase(const char *a, const char *b);

#endif
