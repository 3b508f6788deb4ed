/* lua_struct.c -- the `struct` table Redis 7.0 gives scripts: pack, unpack
 * and size of binary records described by a format string, with the format
 * letters of Roberto Ierusalimschy's struct library (">" "<" "!n" "x" "b" "B"
 * "h" "H" "l" "L" "T" "i[n]" "I[n]" "f" "d" "s" "c[n]").
 *
 * Library code: it knows Lua's C API and nothing of the server. Written
 * from the format's description; the corner cases (no "=" option, how an
 * alignment that is not a power of two pads, integers wider than 8 bytes,
 * out-of-range numbers, error texts) are what a live Redis 7.0.15 does on
 * x86-64. Invariant: unpack never reads outside the data string. */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_libs.h"

/* Widest integer a format may ask for ("i32"). */
#define ST_MAX_INT_BYTES 32

/* The alignment "!" without a number selects: the strictest native one. */
struct st_align_probe {
    char c;
    union {
        double d;
        void *p;
        long l;
    } u;
};
#define ST_NATIVE_ALIGN offsetof(struct st_align_probe, u)

typedef enum { ST_LITTLE = 0, ST_BIG = 1 } st_endian;

typedef struct {
    st_endian endian;
    size_t align;
} st_header;

static st_endian st_native_endian(void) {
    const uint16_t one = 1;
    return *(const unsigned char *)&one ? ST_LITTLE : ST_BIG;
}

static void st_header_init(st_header *h) {
    h->endian = st_native_endian();
    h->align = 1;
}

/* Reads the decimal number following an option, or returns df. */
static int st_getnum(lua_State *L, const char **fmt, int df) {
    if (!isdigit((unsigned char)**fmt)) return df;
    int a = 0;
    do {
        int digit = **fmt - '0';
        if (a > INT_MAX / 10 || a * 10 > INT_MAX - digit) luaL_error(L, "integral size overflow");
        a = a * 10 + digit;
        (*fmt)++;
    } while (isdigit((unsigned char)**fmt));
    return a;
}

/* Bytes an option occupies (0 for control options, "s" and "c0"). */
static size_t st_optsize(lua_State *L, char opt, const char **fmt) {
    switch (opt) {
    case 'B': case 'b': return 1;
    case 'H': case 'h': return sizeof(short);
    case 'L': case 'l': return sizeof(long);
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'x': return 1;
    case 'c': return (size_t)st_getnum(L, fmt, 1);
    case 'i': case 'I': {
        int sz = st_getnum(L, fmt, (int)sizeof(int));
        if (sz > ST_MAX_INT_BYTES)
            luaL_error(L, "integral size %d is larger than limit of %d", sz, ST_MAX_INT_BYTES);
        return (size_t)sz;
    }
    default: return 0;
    }
}

/* Padding before an option at offset len. The arithmetic is kept as it is
 * even for sizes that are not powers of two ("!8 i3" pads to offset 3), as
 * Redis does; "c" is never aligned. */
static size_t st_padding(size_t len, const st_header *h, char opt, size_t size) {
    if (size == 0 || opt == 'c') return 0;
    if (size > h->align) size = h->align;
    return (size - (len & (size - 1))) & (size - 1);
}

static void st_control(lua_State *L, char opt, const char **fmt, st_header *h) {
    switch (opt) {
    case ' ': return;
    case '>': h->endian = ST_BIG; return;
    case '<': h->endian = ST_LITTLE; return;
    case '!': {
        int a = st_getnum(L, fmt, (int)ST_NATIVE_ALIGN);
        if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
        h->align = (size_t)a;
        return;
    }
    default: {
        const char *msg = lua_pushfstring(L, "invalid format option '%c'", opt);
        luaL_argerror(L, 1, msg);
    }
    }
}

/* Converts as the C casts in Redis's build do on x86-64: negatives through
 * int64 (too small gives INT64_MIN), others through uint64 (2^64 and more
 * give 0, NaN gives 2^63). */
static uint64_t st_number_bits(lua_Number n) {
    const lua_Number two63 = 9223372036854775808.0;
    if (n < 0) return n >= -two63 ? (uint64_t)(int64_t)n : (uint64_t)INT64_MIN;
    if (n >= two63) {
        lua_Number rest = n - two63;
        return rest < two63 ? (uint64_t)(int64_t)rest ^ (uint64_t)INT64_MIN : 0;
    }
    if (n != n) return (uint64_t)INT64_MIN;
    return (uint64_t)(int64_t)n;
}

static void st_put_int(lua_State *L, luaL_Buffer *b, int arg, st_endian e, size_t size) {
    uint64_t v = st_number_bits(luaL_checknumber(L, arg));
    char out[ST_MAX_INT_BYTES];
    for (size_t i = 0; i < size; i++) { /* bytes past the 8th are zero */
        out[e == ST_LITTLE ? i : size - 1 - i] = (char)(v & 0xff);
        v >>= 8;
    }
    luaL_addlstring(b, out, size);
}

/* Copies n bytes of a native-order float/double in the wanted order. */
static void st_put_native(luaL_Buffer *b, const void *p, size_t n, st_endian e) {
    char out[sizeof(double)];
    memcpy(out, p, n);
    if (e != st_native_endian()) {
        for (size_t i = 0; i < n / 2; i++) {
            char t = out[i];
            out[i] = out[n - 1 - i];
            out[n - 1 - i] = t;
        }
    }
    luaL_addlstring(b, out, n);
}

/* struct.pack(fmt, v1, ...) -> string */
static int st_pack(lua_State *L) {
    const char *fmt = luaL_checkstring(L, 1);
    st_header h;
    st_header_init(&h);
    int arg = 2;
    size_t total = 0;
    luaL_Buffer b;
    lua_pushnil(L); /* as Redis: a missing argument right after the last reads as nil */
    luaL_buffinit(L, &b);
    while (*fmt) {
        char opt = *fmt++;
        size_t size = st_optsize(L, opt, &fmt);
        size_t pad = st_padding(total, &h, opt, size);
        total += pad;
        while (pad-- > 0) luaL_addchar(&b, '\0');
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
            st_put_int(L, &b, arg++, h.endian, size);
            break;
        case 'x': luaL_addchar(&b, '\0'); break;
        case 'f': {
            float f = (float)luaL_checknumber(L, arg++);
            st_put_native(&b, &f, sizeof(f), h.endian);
            break;
        }
        case 'd': {
            double d = (double)luaL_checknumber(L, arg++);
            st_put_native(&b, &d, sizeof(d), h.endian);
            break;
        }
        case 'c': case 's': {
            size_t len;
            const char *s = luaL_checklstring(L, arg++, &len);
            if (size == 0) size = len;
            luaL_argcheck(L, len >= size, arg, "string too short");
            luaL_addlstring(&b, s, size);
            if (opt == 's') {
                luaL_addchar(&b, '\0');
                size++;
            }
            break;
        }
        default: st_control(L, opt, &fmt, &h); break;
        }
        total += size;
    }
    luaL_pushresult(&b);
    return 1;
}

/* Reads a size-byte integer; bytes past the 8th are shifted out and the
 * sign mask uses the shift count modulo 64, as x86-64 runs Redis's code. */
static lua_Number st_get_int(const unsigned char *p, st_endian e, int is_signed, size_t size) {
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++) v = (v << 8) | p[e == ST_BIG ? i : size - 1 - i];
    if (!is_signed) return (lua_Number)v;
    uint64_t mask = ~(uint64_t)0 << ((size * 8 - 1) & 63);
    if (v & mask) v |= mask;
    return (lua_Number)(int64_t)v;
}

static lua_Number st_get_native(const unsigned char *p, size_t n, st_endian e) {
    unsigned char in[sizeof(double)];
    memcpy(in, p, n);
    if (e != st_native_endian()) {
        for (size_t i = 0; i < n / 2; i++) {
            unsigned char t = in[i];
            in[i] = in[n - 1 - i];
            in[n - 1 - i] = t;
        }
    }
    if (n == sizeof(float)) {
        float f;
        memcpy(&f, in, sizeof(f));
        return (lua_Number)f;
    }
    double d;
    memcpy(&d, in, sizeof(d));
    return (lua_Number)d;
}

/* Unpacks one data option at pos; returns the bytes it used (size, or the
 * length a "c0"/"s" found). n counts the values pushed so far. */
static size_t st_unpack_opt(lua_State *L, char opt, size_t size, const char *data, size_t ld,
                            size_t pos, int *n, const st_header *h) {
    const unsigned char *p = (const unsigned char *)data + pos;
    switch (opt) {
    case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        lua_pushnumber(L, st_get_int(p, h->endian, islower((unsigned char)opt), size));
        (*n)++;
        return size;
    case 'f': case 'd':
        lua_pushnumber(L, st_get_native(p, size, h->endian));
        (*n)++;
        return size;
    case 'c':
        if (size == 0) { /* "c0": the length is the value unpacked just before */
            if (*n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
            size = (size_t)lua_tonumber(L, -1);
            lua_pop(L, 1);
            (*n)--;
            luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        (*n)++;
        return size;
    case 's': {
        const char *end = memchr(data + pos, '\0', ld - pos);
        if (end == NULL) luaL_error(L, "unfinished string in data");
        lua_pushlstring(L, data + pos, (size_t)(end - (data + pos)));
        (*n)++;
        return (size_t)(end - (data + pos)) + 1;
    }
    default: return size; /* 'x' */
    }
}

/* struct.unpack(fmt, data [, pos]) -> values..., next position */
static int st_unpack(lua_State *L) {
    const char *fmt = luaL_checkstring(L, 1);
    size_t ld;
    const char *data = luaL_checklstring(L, 2, &ld);
    size_t pos = (size_t)luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
    pos--;
    st_header h;
    st_header_init(&h);
    int n = 0;
    while (*fmt) {
        char opt = *fmt++;
        size_t size = st_optsize(L, opt, &fmt);
        pos += st_padding(pos, &h, opt, size);
        /* Written so a huge pos (a negative offset) cannot wrap around. */
        luaL_argcheck(L, pos <= ld && size <= ld - pos, 2, "data string too short");
        luaL_checkstack(L, 2, "too many results");
        if (strchr("bBhHlLTiIfdcsx", opt) != NULL)
            size = st_unpack_opt(L, opt, size, data, ld, pos, &n, &h);
        else
            st_control(L, opt, &fmt, &h);
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)(pos + 1));
    return n + 1;
}

/* struct.size(fmt) -> bytes a pack of fmt produces */
static int st_size(lua_State *L) {
    const char *fmt = luaL_checkstring(L, 1);
    st_header h;
    st_header_init(&h);
    size_t pos = 0;
    while (*fmt) {
        char opt = *fmt++;
        size_t size = st_optsize(L, opt, &fmt);
        pos += st_padding(pos, &h, opt, size);
        if (opt == 's') luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (opt == 'c' && size == 0) luaL_argerror(L, 1, "option 'c0' has no fixed size");
        /* Redis only checks non-alphanumeric options here: size("z") is 0. */
        if (!isalnum((unsigned char)opt)) st_control(L, opt, &fmt, &h);
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

static const luaL_Reg st_funcs[] = {
    {"pack", st_pack},
    {"unpack", st_unpack},
    {"size", st_size},
    {NULL, NULL},
};

int luaopen_struct(lua_State *L) {
    luaL_register(L, "struct", st_funcs);
    return 1;
}
