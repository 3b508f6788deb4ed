/* lua_cmsgpack.c -- the `cmsgpack` table Redis 7.0 gives scripts:
 * MessagePack pack/unpack between Lua values and bytes.
 *
 * Library code: it knows Lua's C API and nothing of the server. Written
 * from the MessagePack specification; every observable choice (size class
 * picked for a number, when a table is an array, the nesting limit, error
 * texts, the offsets unpack_one/unpack_limit return, how deep a decode may
 * go before the Lua stack refuses) follows what a live Redis 7.0.15 does.
 * Invariant: decoding checks that the bytes a header announces are there
 * before reading them, so no input reads past its end or allocates on
 * trust. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_libs.h"

/* Tables deeper than this are packed as nil (Redis's limit). */
#define MP_MAX_NESTING 16
#define MP_BUF_INITIAL_BYTES 64

/* ------------------------------------------------------------ packing */

/* The output buffer lives in a Lua userdata kept at stack slot `slot`, so a
 * Lua error in the middle of packing frees it with the rest of the state. */
typedef struct {
    lua_State *L;
    int slot;
    unsigned char *data;
    size_t len, cap;
} mp_buf;

static void mp_buf_init(lua_State *L, mp_buf *b) {
    b->L = L;
    b->data = lua_newuserdata(L, MP_BUF_INITIAL_BYTES);
    b->slot = lua_gettop(L);
    b->len = 0;
    b->cap = MP_BUF_INITIAL_BYTES;
}

static void mp_buf_append(mp_buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap * 2;
        while (cap < b->len + n) cap *= 2;
        unsigned char *grown = lua_newuserdata(b->L, cap);
        memcpy(grown, b->data, b->len);
        lua_replace(b->L, b->slot);
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* Appends a type byte followed by `nbytes` of v, big-endian. */
static void mp_put_be(mp_buf *b, unsigned char type, uint64_t v, int nbytes) {
    unsigned char out[9];
    out[0] = type;
    for (int i = nbytes; i >= 1; i--) {
        out[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
    mp_buf_append(b, out, (size_t)nbytes + 1);
}

static void mp_pack_int(mp_buf *b, int64_t v) {
    if (v >= 0) {
        uint64_t u = (uint64_t)v;
        if (u < 128) mp_put_be(b, (unsigned char)u, 0, 0);
        else if (u <= UINT8_MAX) mp_put_be(b, 0xcc, u, 1);
        else if (u <= UINT16_MAX) mp_put_be(b, 0xcd, u, 2);
        else if (u <= UINT32_MAX) mp_put_be(b, 0xce, u, 4);
        else mp_put_be(b, 0xcf, u, 8);
    } else {
        if (v >= -32) mp_put_be(b, (unsigned char)(v & 0xff), 0, 0);
        else if (v >= INT8_MIN) mp_put_be(b, 0xd0, (uint64_t)v, 1);
        else if (v >= INT16_MIN) mp_put_be(b, 0xd1, (uint64_t)v, 2);
        else if (v >= INT32_MIN) mp_put_be(b, 0xd2, (uint64_t)v, 4);
        else mp_put_be(b, 0xd3, (uint64_t)v, 8);
    }
}

/* Integral values in int64 range become integers; the rest a float32 when
 * that keeps the value exactly (infinities do), else a float64 (NaN). */
static void mp_pack_number(mp_buf *b, lua_Number n) {
    if (n >= -9223372036854775808.0 && n < 9223372036854775808.0 && n == (lua_Number)(int64_t)n) {
        mp_pack_int(b, (int64_t)n);
    } else if ((lua_Number)(float)n == n) {
        float f = (float)n;
        uint32_t bits;
        memcpy(&bits, &f, sizeof(bits));
        mp_put_be(b, 0xca, bits, 4);
    } else {
        uint64_t bits;
        memcpy(&bits, &n, sizeof(bits));
        mp_put_be(b, 0xcb, bits, 8);
    }
}

static void mp_pack_string(mp_buf *b, const char *s, size_t len) {
    if (len < 32) mp_put_be(b, (unsigned char)(0xa0 | len), 0, 0);
    else if (len <= UINT8_MAX) mp_put_be(b, 0xd9, len, 1);
    else if (len <= UINT16_MAX) mp_put_be(b, 0xda, len, 2);
    else mp_put_be(b, 0xdb, len, 4);
    mp_buf_append(b, s, len);
}

/* A table is an array when every key is a positive integer and the keys
 * are exactly 1..n (so {} is an empty array). Returns n, or -1. */
static long long mp_table_array_len(lua_State *L, int idx) {
    long long count = 0, max = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TNUMBER) {
            lua_pop(L, 1);
            return -1;
        }
        lua_Number k = lua_tonumber(L, -1);
        if (!(k > 0 && k < 9223372036854775808.0 && k == (lua_Number)(long long)k)) {
            lua_pop(L, 1);
            return -1;
        }
        if ((long long)k > max) max = (long long)k;
        count++;
    }
    return max == count ? count : -1;
}

static void mp_pack_value(lua_State *L, mp_buf *b, int level);

static void mp_pack_table(lua_State *L, mp_buf *b, int level) {
    int idx = lua_gettop(L);
    long long n = mp_table_array_len(L, idx);
    if (n >= 0) {
        if (n < 16) mp_put_be(b, (unsigned char)(0x90 | n), 0, 0);
        else if (n <= UINT16_MAX) mp_put_be(b, 0xdc, (uint64_t)n, 2);
        else mp_put_be(b, 0xdd, (uint64_t)n, 4);
        for (long long i = 1; i <= n; i++) {
            lua_rawgeti(L, idx, (int)i);
            mp_pack_value(L, b, level + 1);
            lua_pop(L, 1);
        }
        return;
    }
    uint64_t pairs = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        pairs++;
    }
    if (pairs < 16) mp_put_be(b, (unsigned char)(0x80 | pairs), 0, 0);
    else if (pairs <= UINT16_MAX) mp_put_be(b, 0xde, pairs, 2);
    else mp_put_be(b, 0xdf, pairs, 4);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pushvalue(L, -2); /* pack a copy: packing must not touch the key next() needs */
        mp_pack_value(L, b, level + 1);
        lua_pop(L, 1);
        mp_pack_value(L, b, level + 1);
        lua_pop(L, 1);
    }
}

/* Packs the value on top of the stack (left there). */
static void mp_pack_value(lua_State *L, mp_buf *b, int level) {
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        mp_pack_string(b, s, len);
        break;
    }
    case LUA_TBOOLEAN: mp_put_be(b, lua_toboolean(L, -1) ? 0xc3 : 0xc2, 0, 0); break;
    case LUA_TNUMBER: mp_pack_number(b, lua_tonumber(L, -1)); break;
    case LUA_TTABLE:
        if (level >= MP_MAX_NESTING) {
            mp_put_be(b, 0xc0, 0, 0);
        } else {
            luaL_checkstack(L, 4, "in function mp_pack_table");
            mp_pack_table(L, b, level);
        }
        break;
    default: mp_put_be(b, 0xc0, 0, 0); break; /* nil, functions, userdata, threads */
    }
}

/* cmsgpack.pack(v1, ...): the encodings of every argument, concatenated. */
static int mp_pack(lua_State *L) {
    int nargs = lua_gettop(L);
    luaL_argcheck(L, nargs > 0, 0, "MessagePack pack needs input.");
    mp_buf b;
    mp_buf_init(L, &b);
    for (int i = 1; i <= nargs; i++) {
        lua_pushvalue(L, i);
        mp_pack_value(L, &b, 0);
        lua_pop(L, 1);
    }
    lua_pushlstring(L, (const char *)b.data, b.len);
    return 1;
}

/* ---------------------------------------------------------- unpacking */

typedef enum { MP_OK = 0, MP_ERR_MISSING, MP_ERR_FORMAT } mp_status;

typedef struct {
    const unsigned char *p;
    size_t left;
    mp_status err;
} mp_cur;

/* Reads an n-byte big-endian unsigned number; sets MP_ERR_MISSING if short. */
static uint64_t mp_take_be(mp_cur *c, int n) {
    if (c->left < (size_t)n) {
        c->err = MP_ERR_MISSING;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = (v << 8) | c->p[i];
    c->p += n;
    c->left -= (size_t)n;
    return v;
}

static void mp_unpack_value(lua_State *L, mp_cur *c);

static void mp_unpack_bytes(lua_State *L, mp_cur *c, uint64_t len) {
    if (c->left < len) {
        c->err = MP_ERR_MISSING;
        return;
    }
    lua_pushlstring(L, (const char *)c->p, (size_t)len);
    c->p += len;
    c->left -= (size_t)len;
}

/* Each nesting level holds the table and the index being filled on the Lua
 * stack, so a deep input ends in Lua's "stack overflow" error as in Redis. */
static void mp_unpack_array(lua_State *L, mp_cur *c, uint64_t n) {
    lua_newtable(L);
    luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
    for (uint64_t i = 1; i <= n && c->err == MP_OK; i++) {
        lua_pushnumber(L, (lua_Number)i);
        mp_unpack_value(L, c);
        if (c->err != MP_OK) {
            lua_pop(L, 1);
            break;
        }
        lua_settable(L, -3);
    }
}

static void mp_unpack_map(lua_State *L, mp_cur *c, uint64_t n) {
    lua_newtable(L);
    for (uint64_t i = 0; i < n; i++) {
        mp_unpack_value(L, c);
        if (c->err != MP_OK) break;
        mp_unpack_value(L, c);
        if (c->err != MP_OK) {
            lua_pop(L, 1);
            break;
        }
        lua_settable(L, -3); /* a nil or NaN key raises Lua's own error */
    }
}

static void mp_unpack_float(lua_State *L, mp_cur *c, int nbytes) {
    uint64_t bits = mp_take_be(c, nbytes);
    if (c->err != MP_OK) return;
    if (nbytes == 4) {
        uint32_t b32 = (uint32_t)bits;
        float f;
        memcpy(&f, &b32, sizeof(f));
        lua_pushnumber(L, (lua_Number)f);
    } else {
        double d;
        memcpy(&d, &bits, sizeof(d));
        lua_pushnumber(L, (lua_Number)d);
    }
}

/* Pushes one decoded value, or pushes nothing and sets c->err. */
static void mp_unpack_value(lua_State *L, mp_cur *c) {
    luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
    unsigned type = (unsigned)mp_take_be(c, 1);
    if (c->err != MP_OK) return;
    uint64_t v;
    if (type < 0x80) { lua_pushnumber(L, (lua_Number)type); return; }
    if (type >= 0xe0) { lua_pushnumber(L, (lua_Number)(int8_t)type); return; }
    if ((type & 0xe0) == 0xa0) { mp_unpack_bytes(L, c, type & 0x1f); return; }
    if ((type & 0xf0) == 0x90) { mp_unpack_array(L, c, type & 0x0f); return; }
    if ((type & 0xf0) == 0x80) { mp_unpack_map(L, c, type & 0x0f); return; }
    switch (type) {
    case 0xc0: lua_pushnil(L); return;
    case 0xc2: lua_pushboolean(L, 0); return;
    case 0xc3: lua_pushboolean(L, 1); return;
    case 0xca: mp_unpack_float(L, c, 4); return;
    case 0xcb: mp_unpack_float(L, c, 8); return;
    case 0xcc: case 0xcd: case 0xce: {
        v = mp_take_be(c, 1 << (type - 0xcc));
        if (c->err == MP_OK) lua_pushnumber(L, (lua_Number)v);
        return;
    }
    case 0xcf: /* Redis reads a uint64 as a signed integer (so 2^64-1 is -1) */
        v = mp_take_be(c, 8);
        if (c->err == MP_OK) lua_pushnumber(L, (lua_Number)(int64_t)v);
        return;
    case 0xd0: v = mp_take_be(c, 1); if (c->err == MP_OK) lua_pushnumber(L, (int8_t)v); return;
    case 0xd1: v = mp_take_be(c, 2); if (c->err == MP_OK) lua_pushnumber(L, (int16_t)v); return;
    case 0xd2: v = mp_take_be(c, 4); if (c->err == MP_OK) lua_pushnumber(L, (int32_t)v); return;
    case 0xd3: v = mp_take_be(c, 8); if (c->err == MP_OK) lua_pushnumber(L, (lua_Number)(int64_t)v); return;
    case 0xd9: v = mp_take_be(c, 1); break;
    case 0xda: v = mp_take_be(c, 2); break;
    case 0xdb: v = mp_take_be(c, 4); break;
    case 0xdc: v = mp_take_be(c, 2); if (c->err == MP_OK) mp_unpack_array(L, c, v); return;
    case 0xdd: v = mp_take_be(c, 4); if (c->err == MP_OK) mp_unpack_array(L, c, v); return;
    case 0xde: v = mp_take_be(c, 2); if (c->err == MP_OK) mp_unpack_map(L, c, v); return;
    case 0xdf: v = mp_take_be(c, 4); if (c->err == MP_OK) mp_unpack_map(L, c, v); return;
    default: c->err = MP_ERR_FORMAT; return; /* 0xc1, bin8..32 and ext types, as in Redis */
    }
    if (c->err == MP_OK) mp_unpack_bytes(L, c, v); /* str8..32 */
}

/* Shared body: limit 0 with offset 0 decodes everything and returns only
 * the values; any other call returns the next offset (or -1 when the input
 * is used up) before the values, as Redis's unpack_one/unpack_limit do. */
static int mp_unpack_full(lua_State *L, int limit, int offset) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    if (offset < 0 || limit < 0)
        return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", offset, (int)len);
    if ((size_t)offset > len)
        return luaL_error(L, "Start offset %d greater than input length %d.", offset, (int)len);
    int decode_all = limit == 0 && offset == 0;
    if (decode_all) limit = INT_MAX;
    lua_settop(L, 1);
    mp_cur c = {(const unsigned char *)s + offset, len - (size_t)offset, MP_OK};
    int count = 0;
    while (c.left > 0 && count < limit) {
        mp_unpack_value(L, &c);
        if (c.err == MP_ERR_MISSING) return luaL_error(L, "Missing bytes in input.");
        if (c.err == MP_ERR_FORMAT) return luaL_error(L, "Bad data format in input.");
        count++;
    }
    if (!decode_all) {
        luaL_checkstack(L, 1, "in function mp_unpack_full");
        lua_pushinteger(L, c.left == 0 ? -1 : (lua_Integer)(len - c.left));
        lua_insert(L, 2);
        count++;
    }
    return count;
}

static int mp_unpack(lua_State *L) {
    return mp_unpack_full(L, 0, 0);
}

static int mp_unpack_one(lua_State *L) {
    int offset = luaL_optint(L, 2, 0);
    return mp_unpack_full(L, 1, offset);
}

static int mp_unpack_limit(lua_State *L) {
    int limit = luaL_checkint(L, 2);
    int offset = luaL_optint(L, 3, 0);
    return mp_unpack_full(L, limit, offset);
}

static const luaL_Reg mp_funcs[] = {
    {"pack", mp_pack},
    {"unpack", mp_unpack},
    {"unpack_one", mp_unpack_one},
    {"unpack_limit", mp_unpack_limit},
    {NULL, NULL},
};

int luaopen_cmsgpack(lua_State *L) {
    luaL_register(L, "cmsgpack", mp_funcs);
    lua_pushliteral(L, "cmsgpack");
    lua_setfield(L, -2, "_NAME");
    lua_pushliteral(L, "lua-cmsgpack 0.4.0");
    lua_setfield(L, -2, "_VERSION");
    lua_pushliteral(L, "Copyright (C) 2012, Salvatore Sanfilippo");
    lua_setfield(L, -2, "_COPYRIGHT");
    lua_pushliteral(L, "MessagePack C implementation for Lua");
    lua_setfield(L, -2, "_DESCRIPTION");
    return 1;
}
