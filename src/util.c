/* util.c -- number parsing/formatting with Redis's exact rules, glob
 * matching, memory-size parsing and random bytes.
 *
 * Owns no state: every function is pure except get_random_bytes, which reads
 * /dev/urandom. Must never log, touch server globals or allocate outside
 * zmalloc. Key invariant: a parser accepts a buffer only if the whole buffer
 * is the number (no leading/trailing junk), so the formatters' output always
 * parses back to the same value. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include "zmalloc.h"

/* Redis gives up on a glob after this many nested '*' groups; matching
 * that limit keeps KEYS answers identical for absurd patterns. */
#define STRING_MATCH_MAX_STAR_GROUPS 1000
/* Longest digit run memtoull copies (as redis.conf parsing does). */
#define MEMTOULL_MAX_DIGITS 127
/* Where get_random_bytes draws from first. */
#define URANDOM_PATH "/dev/urandom"
/* Significant digits that make any double round-trip through text. */
#define DOUBLE_ROUNDTRIP_DIGITS 17
/* Fraction digits INCRBYFLOAT prints before trimming trailing zeros. */
#define LD_HUMAN_FRACTION_DIGITS 17
/* |v| below this is an exact integer in a double (2^53). */
#define DOUBLE_EXACT_INT_LIMIT 9007199254740992.0

/* ------------------------------------------------------------- integers */

uint32_t digits10(uint64_t v) {
    uint32_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

int ull2string(char *dst, size_t dstlen, unsigned long long value) {
    uint32_t n = digits10(value);
    if (dstlen == 0) return 0;
    if ((size_t)n + 1 > dstlen) {
        dst[0] = '\0';
        return 0;
    }
    dst[n] = '\0';
    for (uint32_t i = n; i > 0; i--) {
        dst[i - 1] = (char)('0' + value % 10);
        value /= 10;
    }
    return (int)n;
}

int ll2string(char *dst, size_t dstlen, long long svalue) {
    /* Negate in unsigned arithmetic so LLONG_MIN has a magnitude. */
    unsigned long long mag = svalue < 0 ? 0ULL - (unsigned long long)svalue
                                        : (unsigned long long)svalue;
    if (svalue >= 0) return ull2string(dst, dstlen, mag);
    if (dstlen < 2) {
        if (dstlen) dst[0] = '\0';
        return 0;
    }
    int n = ull2string(dst + 1, dstlen - 1, mag);
    if (n == 0) {
        dst[0] = '\0';
        return 0;
    }
    dst[0] = '-';
    return n + 1;
}

/* Parses s[0..slen) as digits with no leading zero (unless it is "0") into
 * *out, refusing anything above limit. */
static int parse_magnitude(const char *s, size_t slen, unsigned long long limit,
                           unsigned long long *out) {
    if (slen == 0) return 0;
    if (slen == 1 && s[0] == '0') {
        *out = 0;
        return 1;
    }
    if (s[0] < '1' || s[0] > '9') return 0;
    unsigned long long v = 0;
    for (size_t i = 0; i < slen; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

int string2ll(const char *s, size_t slen, long long *value) {
    unsigned long long mag;
    if (slen > 0 && s[0] == '-') {
        /* "-0" is refused: parse_magnitude accepts "0", so check here. */
        if (slen == 2 && s[1] == '0') return 0;
        if (!parse_magnitude(s + 1, slen - 1, (unsigned long long)LLONG_MAX + 1, &mag))
            return 0;
        if (value) *value = mag == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)mag;
        return 1;
    }
    if (!parse_magnitude(s, slen, (unsigned long long)LLONG_MAX, &mag)) return 0;
    if (value) *value = (long long)mag;
    return 1;
}

int string2l(const char *s, size_t slen, long *lval) {
    long long ll;
    if (!string2ll(s, slen, &ll)) return 0;
    if (ll < LONG_MIN || ll > LONG_MAX) return 0;
    if (lval) *lval = (long)ll;
    return 1;
}

int string2ull(const char *s, unsigned long long *value) {
    unsigned long long v;
    if (!parse_magnitude(s, strlen(s), ULLONG_MAX, &v)) return 0;
    if (value) *value = v;
    return 1;
}

/* --------------------------------------------------------------- doubles */

/* Copies s[0..slen) into a NUL-terminated buffer for strtod/strtold: the
 * caller's buffer need not be terminated. Uses stack when it fits. */
static char *terminated_copy(const char *s, size_t slen, char *stackbuf, size_t stacklen) {
    char *buf = slen < stacklen ? stackbuf : zmalloc(slen + 1);
    memcpy(buf, s, slen);
    buf[slen] = '\0';
    return buf;
}

int string2d(const char *s, size_t slen, double *dp) {
    char stackbuf[MAX_D2STRING_CHARS];
    if (slen == 0 || isspace((unsigned char)s[0])) return 0;
    char *buf = terminated_copy(s, slen, stackbuf, sizeof(stackbuf));
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    /* ERANGE with a huge or zero result is overflow/underflow; glibc also
     * raises it for subnormals, which Redis accepts. */
    int ok = (size_t)(end - buf) == slen && !isnan(v) &&
             !(errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0.0));
    if (buf != stackbuf) zfree(buf);
    if (ok && dp) *dp = v;
    return ok;
}

int string2ld(const char *s, size_t slen, long double *dp) {
    char stackbuf[MAX_D2STRING_CHARS];
    /* Same bound Redis uses: nothing that long is a number it wrote. */
    if (slen == 0 || slen >= MAX_LONG_DOUBLE_CHARS || isspace((unsigned char)s[0])) return 0;
    char *buf = terminated_copy(s, slen, stackbuf, sizeof(stackbuf));
    char *end;
    errno = 0;
    long double v = strtold(buf, &end);
    int ok = (size_t)(end - buf) == slen && !isnan(v) && errno != EINVAL &&
             !(errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0.0L));
    if (buf != stackbuf) zfree(buf);
    if (ok && dp) *dp = v;
    return ok;
}

/* snprintf wrapper: returns the length, or 0 (and "") if it did not fit. */
static int fit(char *buf, size_t len, int n) {
    if (n < 0 || (size_t)n >= len) {
        if (len) buf[0] = '\0';
        return 0;
    }
    return n;
}

int d2string(char *buf, size_t len, double value) {
    if (isnan(value)) return fit(buf, len, snprintf(buf, len, "nan"));
    if (isinf(value)) return fit(buf, len, snprintf(buf, len, value > 0 ? "inf" : "-inf"));
    /* Exact integers print without exponent or fraction; this also folds
     * -0 into "0", as Redis's listpack-encoded scores come back. */
    if (value > -DOUBLE_EXACT_INT_LIMIT && value < DOUBLE_EXACT_INT_LIMIT &&
        value == (double)(long long)value)
        return ll2string(buf, len, (long long)value);
    return fit(buf, len, snprintf(buf, len, "%.*g", DOUBLE_ROUNDTRIP_DIGITS, value));
}

/* Strips trailing fraction zeros (and a bare '.') from a %Lf result of
 * length l; "-0" becomes "0". Returns the new length. */
static int humanize(char *buf, int l) {
    if (memchr(buf, '.', (size_t)l) != NULL) {
        while (buf[l - 1] == '0') l--;
        if (buf[l - 1] == '.') l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        l = 1;
    }
    buf[l] = '\0';
    return l;
}

int ld2string(char *buf, size_t len, long double value, enum ld2string_mode mode) {
    if (isinf(value)) return fit(buf, len, snprintf(buf, len, value > 0 ? "inf" : "-inf"));
    switch (mode) {
    case LD_STR_AUTO:
        return fit(buf, len, snprintf(buf, len, "%.*Lg", DOUBLE_ROUNDTRIP_DIGITS, value));
    case LD_STR_HEX:
        return fit(buf, len, snprintf(buf, len, "%La", value));
    case LD_STR_HUMAN: {
        /* 17 fraction digits: with 80-bit long doubles this rounds most
         * short decimals back to what the user typed (10.5+0.1 = "10.6"). */
        int l = fit(buf, len, snprintf(buf, len, "%.*Lf", LD_HUMAN_FRACTION_DIGITS, value));
        if (l == 0) return 0;
        return humanize(buf, l);
    }
    }
    return fit(buf, len, -1);
}

/* ------------------------------------------------------------------ glob */

/* ASCII-only lowering: the locale must not change what a pattern or a
 * config name matches. */
static int ascii_lower(int c) {
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int fold(int c, int nocase) {
    return nocase ? ascii_lower(c) : c;
}

/* Matches the single-character element at p[*pi] (not '*') against c and
 * advances *pi past it. The element's length never depends on c, which is
 * what lets string_match_len backtrack to the last star only. Mirrors
 * Redis's reading of odd classes: "[^]" is any char, an unterminated class
 * runs to the end, "x-" with nothing after it is two literals. */
static int match_element(const char *p, int plen, int *pi, unsigned char c, int nocase) {
    int i = *pi;
    int fc = fold(c, nocase);
    if (p[i] == '?') {
        *pi = i + 1;
        return 1;
    }
    if (p[i] == '[') {
        int neg, hit = 0;
        i++;
        neg = i < plen && p[i] == '^';
        if (neg) i++;
        while (i < plen) {
            if (p[i] == '\\' && plen - i >= 2) {
                hit |= fold((unsigned char)p[i + 1], nocase) == fc;
                i += 2;
            } else if (p[i] == ']') {
                i++;
                break;
            } else if (plen - i >= 3 && p[i + 1] == '-') {
                int lo = fold((unsigned char)p[i], nocase);
                int hi = fold((unsigned char)p[i + 2], nocase);
                if (lo > hi) {
                    int t = lo;
                    lo = hi;
                    hi = t;
                }
                hit |= fc >= lo && fc <= hi;
                i += 3;
            } else {
                hit |= fold((unsigned char)p[i], nocase) == fc;
                i++;
            }
        }
        *pi = i;
        return neg ? !hit : hit;
    }
    if (p[i] == '\\' && plen - i >= 2) i++; /* a lone trailing '\' is literal */
    *pi = i + 1;
    return fold((unsigned char)p[i], nocase) == fc;
}

/* Iterative glob: on a mismatch only the most recent '*' is retried one
 * character further, since any earlier star's choice is subsumed by it.
 * That bounds the work to O(patternlen * stringlen) and uses no recursion,
 * where naive backtracking is exponential on "*a*a*a...b". */
int string_match_len(const char *pattern, int patternlen, const char *string, int stringlen,
                     int nocase) {
    int pi = 0, si = 0;
    int star_pi = -1, star_si = 0, star_groups = 0, star_groups_at_star = 0;
    /* Redis never lets a '*' match against an empty subject: "*" does not
     * match "" (KEYS special-cases a lone "*" before calling). */
    if (stringlen == 0) return patternlen == 0;
    while (si < stringlen) {
        if (pi < patternlen && pattern[pi] == '*') {
            while (pi < patternlen && pattern[pi] == '*') pi++;
            if (pi == patternlen) return 1;
            if (++star_groups > STRING_MATCH_MAX_STAR_GROUPS) return 0;
            star_pi = pi;
            star_si = si;
            star_groups_at_star = star_groups;
            continue;
        }
        if (pi < patternlen &&
            match_element(pattern, patternlen, &pi, (unsigned char)string[si], nocase)) {
            si++;
            continue;
        }
        if (star_pi < 0) return 0;
        si = ++star_si;
        pi = star_pi;
        star_groups = star_groups_at_star;
    }
    while (pi < patternlen && pattern[pi] == '*') pi++;
    return pi == patternlen;
}

int string_match(const char *pattern, const char *string, int nocase) {
    return string_match_len(pattern, (int)strlen(pattern), string, (int)strlen(string), nocase);
}

/* ---------------------------------------------------------- memory sizes */

/* Multiplier for a unit suffix, 0 when it is not one redis.conf knows. */
static unsigned long long unit_multiplier(const char *u) {
    static const struct {
        const char *name;
        unsigned long long mul;
    } units[] = {
        {"", 1}, {"b", 1},
        {"k", 1000ULL}, {"kb", 1024ULL},
        {"m", 1000ULL * 1000}, {"mb", 1024ULL * 1024},
        {"g", 1000ULL * 1000 * 1000}, {"gb", 1024ULL * 1024 * 1024},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(u, units[i].name) == 0) return units[i].mul;
    return 0;
}

/* Matches redis.conf exactly, quirks included (checked against Redis 7.0
 * CONFIG SET maxmemory): "" and a bare unit are 0, a digit run too large
 * saturates at ULLONG_MAX, and the unit product wraps modulo 2^64. */
unsigned long long memtoull(const char *p, int *err) {
    const char *u = p;
    if (err) *err = 0;
    while (*u >= '0' && *u <= '9') u++;
    unsigned long long mul = unit_multiplier(u);
    size_t digits = (size_t)(u - p);
    if (mul == 0 || digits > MEMTOULL_MAX_DIGITS) {
        if (err) *err = 1;
        return 0;
    }
    unsigned long long val = 0;
    for (size_t i = 0; i < digits; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (val > (ULLONG_MAX - d) / 10) {
            val = ULLONG_MAX;
            break;
        }
        val = val * 10 + d;
    }
    return val * mul;
}

/* ---------------------------------------------------------------- random */

/* splitmix64 step: a full-period mixer, good enough to spread a weak seed
 * when /dev/urandom is missing (chroots, early boot). */
static uint64_t mix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void fallback_random_bytes(unsigned char *p, size_t len) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    /* The buffer's address adds ASLR entropy to time and pid. */
    uint64_t state = ((uint64_t)tv.tv_sec << 20) ^ (uint64_t)tv.tv_usec ^
                     ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)p;
    for (size_t i = 0; i < len; i += sizeof(uint64_t)) {
        uint64_t r = mix64(&state);
        size_t n = len - i < sizeof(r) ? len - i : sizeof(r);
        memcpy(p + i, &r, n);
    }
}

void get_random_bytes(unsigned char *p, size_t len) {
    int fd = open(URANDOM_PATH, O_RDONLY | O_CLOEXEC);
    size_t got = 0;
    if (fd != -1) {
        while (got < len) {
            ssize_t n = read(fd, p + got, len - got);
            if (n > 0) got += (size_t)n;
            else if (n == -1 && errno == EINTR) continue;
            else break;
        }
        close(fd);
    }
    if (got < len) fallback_random_bytes(p + got, len - got);
}

void get_random_hex_chars(char *p, size_t len) {
    static const char hex[] = "0123456789abcdef";
    get_random_bytes((unsigned char *)p, len);
    for (size_t i = 0; i < len; i++) p[i] = hex[(unsigned char)p[i] & 0x0f];
}

int str_eq_nocase(const char *a, const char *b) {
    while (*a && *b) {
        if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b)) return 0;
        a++;
        b++;
    }
    return *a == *b;
}
