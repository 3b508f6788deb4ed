/* bitops.c -- bit operations on strings: SETBIT GETBIT BITCOUNT BITPOS
 * BITOP BITFIELD BITFIELD_RO.
 *
 * Owns only handlers and argument parsing; the bit math lives in
 * bitfield.c. Never changes a key before every argument has been checked.
 * Key invariant: a string is written in place only when it is RAW with a
 * refcount of 1 (INT, EMBSTR and shared values are copied to RAW first),
 * and readers of an INT-encoded value see its decimal bytes.
 * A write is a change (dirty counter, modification signal, event) only
 * when it creates or grows the string or changes a bit, as in Redis 7.0:
 * SETBIT of the bit already there changes nothing. */
#include <string.h>
#include <strings.h>

#include "bitfield.h"
#include "commands.h"
#include "db.h"
#include "notify.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

#define ERR_BIT_OFFSET "bit offset is not an integer or out of range"
#define ERR_BIT_VALUE "bit is not an integer or out of range"
#define ERR_BITPOS_BIT "The bit argument must be 1 or 0."
#define ERR_BITOP_NOT "BITOP NOT must be called with a single source key."
#define ERR_BITFIELD_TYPE \
    "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
#define ERR_BITFIELD_OVERFLOW "Invalid OVERFLOW type specified"
#define ERR_BITFIELD_RO "BITFIELD_RO only supports the GET subcommand"

/* ---------------------------------------------------------- helpers */

/* Parses a bit offset (with "#N" when hash_bits > 0) under the
 * proto-max-bulk-len limit; replies and returns 0 when it is refused. */
static int bitops_get_offset(client *c, const sds arg, int hash_bits, uint64_t *offset) {
    if (bitfield_parse_offset(arg, sds_len(arg), hash_bits, cfg.proto_max_bulk_len, offset) == 0) return 1;
    reply_error(c, ERR_BIT_OFFSET);
    return 0;
}

/* Strict integer argument; replies "not an integer" and returns 0 if not. */
static int bitops_get_ll(client *c, const sds arg, long long *v) {
    if (string2ll(arg, sds_len(arg), v)) return 1;
    reply_error_not_integer(c);
    return 0;
}

/* Parses a BYTE|BIT unit (case-insensitive); replies a syntax error and
 * returns 0 for anything else. */
static int bitops_get_unit(client *c, const sds arg, int *in_bits) {
    if (strcasecmp(arg, "bit") == 0) *in_bits = 1;
    else if (strcasecmp(arg, "byte") == 0) *in_bits = 0;
    else {
        reply_error_syntax(c);
        return 0;
    }
    return 1;
}

/* Returns key's string value ready to be written in place and at least
 * `bytes` long (zero-filled), creating the key when missing; the TTL is
 * kept. *grown is set to 1 when the key was created or lengthened (a
 * change whatever is then written). Returns NULL after replying
 * WRONGTYPE. Borrowed reference. */
static robj *bitops_lookup_writable(client *c, const sds key, size_t bytes, int *grown) {
    robj *o = db_lookup_write(c->db, key);
    *grown = 1;
    if (o == NULL) {
        o = obj_create_raw_string(sds_new_len(NULL, bytes));
        db_add(c->db, key, o);
        return o;
    }
    if (db_check_type(c, o, OBJ_STRING)) return NULL;
    *grown = obj_string_len(o) < bytes;
    if (o->encoding == OBJ_ENCODING_RAW && o->refcount == 1) {
        o->ptr = sds_grow_zero(o->ptr, bytes);
        return o;
    }
    /* Shared, INT or EMBSTR: build the private copy at its final size. */
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = obj_string_bytes(o, buf, &len);
    sds s = sds_new_len(NULL, len > bytes ? len : bytes);
    memcpy(s, p, len);
    robj *copy = obj_create_raw_string(s);
    db_replace_unshared(c->db, key, copy);
    return copy;
}

/* ---------------------------------------------------------- SETBIT GETBIT */

static void setbit_command(client *c) {
    uint64_t offset;
    if (!bitops_get_offset(c, c->argv[2], 0, &offset)) return;
    const sds v = c->argv[3];
    if (sds_len(v) != 1 || (v[0] != '0' && v[0] != '1')) {
        reply_error(c, ERR_BIT_VALUE);
        return;
    }
    int grown;
    robj *o = bitops_lookup_writable(c, c->argv[1], (size_t)(offset >> 3) + 1, &grown);
    if (o == NULL) return;
    unsigned char *byte = (unsigned char *)o->ptr + (offset >> 3);
    unsigned mask = 1u << (7 - (offset & 7));
    int old = (*byte & mask) != 0, on = v[0] == '1';
    if (on) *byte = (unsigned char)(*byte | mask);
    else *byte = (unsigned char)(*byte & ~mask);
    if (grown || old != on) {
        db_signal_modified(c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_STRING, "setbit", c->argv[1], c->db_id);
        db_dirty(1);
    }
    reply_integer(c, old);
}

static void getbit_command(client *c) {
    uint64_t offset;
    if (!bitops_get_offset(c, c->argv[2], 0, &offset)) return;
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_integer(c, 0);
        return;
    }
    if (db_check_type(c, o, OBJ_STRING)) return;
    char buf[LONG_STR_SIZE];
    size_t len;
    const unsigned char *p = (const unsigned char *)obj_string_bytes(o, buf, &len);
    uint64_t byte = offset >> 3;
    reply_integer(c, byte < len ? (p[byte] >> (7 - (offset & 7))) & 1 : 0);
}

/* ---------------------------------------------------------- BITCOUNT */

static void bitcount_command(client *c) {
    /* A missing key counts 0 whatever the other arguments are (7.0). */
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_integer(c, 0);
        return;
    }
    if (db_check_type(c, o, OBJ_STRING)) return;
    char buf[LONG_STR_SIZE];
    size_t len;
    const unsigned char *p = (const unsigned char *)obj_string_bytes(o, buf, &len);
    if (c->argc == 2) {
        reply_integer(c, (long long)bitfield_popcount(p, len));
        return;
    }
    if (c->argc != 4 && c->argc != 5) {
        reply_error_syntax(c);
        return;
    }
    long long start, end;
    int in_bits = 0;
    if (!bitops_get_ll(c, c->argv[2], &start) || !bitops_get_ll(c, c->argv[3], &end)) return;
    if (c->argc == 5 && !bitops_get_unit(c, c->argv[4], &in_bits)) return;
    uint64_t first, last;
    /* Both ends negative and reversed is empty before clamping, even when
     * clamping would bring both to the first byte. */
    if ((start < 0 && end < 0 && start > end) || !bitfield_range(start, end, len, in_bits, &first, &last)) {
        reply_integer(c, 0);
        return;
    }
    reply_integer(c, (long long)bitfield_count_range(p, first, last));
}

/* ---------------------------------------------------------- BITPOS */

static void bitpos_command(client *c) {
    long long bit;
    if (!bitops_get_ll(c, c->argv[2], &bit)) return;
    if (bit != 0 && bit != 1) {
        reply_error(c, ERR_BITPOS_BIT);
        return;
    }
    /* A missing key is an endless run of zeros. */
    robj *o = db_lookup_read(c->db, c->argv[1]);
    if (o == NULL) {
        reply_integer(c, bit ? -1 : 0);
        return;
    }
    if (db_check_type(c, o, OBJ_STRING)) return;
    if (c->argc > 6) {
        reply_error_syntax(c);
        return;
    }
    char buf[LONG_STR_SIZE];
    size_t len;
    const unsigned char *p = (const unsigned char *)obj_string_bytes(o, buf, &len);
    long long start = 0, end = -1;
    int in_bits = 0, end_given = c->argc >= 5;
    if (c->argc >= 4 && !bitops_get_ll(c, c->argv[3], &start)) return;
    if (c->argc == 6 && !bitops_get_unit(c, c->argv[5], &in_bits)) return;
    if (end_given && !bitops_get_ll(c, c->argv[4], &end)) return;
    uint64_t first, last;
    if (!bitfield_range(start, end, len, in_bits, &first, &last)) {
        reply_integer(c, -1);
        return;
    }
    long long pos = bitfield_find(p, first, last, (int)bit);
    /* Without an explicit end the string is seen as followed by zeros, so
     * a clear bit is always found: the first one past the end. */
    if (pos < 0 && bit == 0 && !end_given) pos = (long long)last + 1;
    reply_integer(c, pos);
}

/* ---------------------------------------------------------- BITOP */

struct bitop_source {
    const unsigned char *p;
    size_t len;
    char buf[LONG_STR_SIZE]; /* bytes of an INT-encoded source */
};

static void bitop_command(client *c) {
    const char *opname = c->argv[1];
    bitfield_op op;
    if (strcasecmp(opname, "and") == 0) op = BITFIELD_OP_AND;
    else if (strcasecmp(opname, "or") == 0) op = BITFIELD_OP_OR;
    else if (strcasecmp(opname, "xor") == 0) op = BITFIELD_OP_XOR;
    else if (strcasecmp(opname, "not") == 0) op = BITFIELD_OP_NOT;
    else {
        reply_error_syntax(c);
        return;
    }
    if (op == BITFIELD_OP_NOT && c->argc != 4) {
        reply_error(c, ERR_BITOP_NOT);
        return;
    }
    size_t n = (size_t)c->argc - 3, maxlen = 0;
    /* One block: the sources, then the pointer and length arrays. */
    struct bitop_source *src = zmalloc(n * (sizeof(*src) + sizeof(unsigned char *) + sizeof(size_t)));
    const unsigned char **ptrs = (const unsigned char **)(src + n);
    size_t *lens = (size_t *)(ptrs + n);
    for (size_t j = 0; j < n; j++) {
        robj *o = db_lookup_read(c->db, c->argv[j + 3]);
        if (o && db_check_type(c, o, OBJ_STRING)) {
            zfree(src);
            return;
        }
        src[j].len = 0;
        src[j].p = o ? (const unsigned char *)obj_string_bytes(o, src[j].buf, &src[j].len) : NULL;
        ptrs[j] = src[j].p;
        lens[j] = src[j].len;
        if (src[j].len > maxlen) maxlen = src[j].len;
    }
    if (maxlen == 0) {
        /* Every source empty: the destination goes, if it was there. */
        if (db_delete(c->db, c->argv[2])) {
            db_signal_modified(c->db, c->argv[2]);
            notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[2], c->db_id);
            db_dirty(1);
        }
        zfree(src);
        reply_integer(c, 0);
        return;
    }
    /* Computed into a new string before the destination is replaced: the
     * destination may be one of the sources. */
    sds res = sds_new_len_uninit(maxlen);
    bitfield_combine(op, (unsigned char *)res, maxlen, ptrs, lens, n);
    zfree(src);
    db_set_key(c->db, c->argv[2], obj_create_raw_string(res), 0);
    notify_keyspace_event(NOTIFY_STRING, "set", c->argv[2], c->db_id);
    db_dirty(1);
    reply_integer(c, (long long)maxlen);
}

/* ---------------------------------------------------------- BITFIELD */

enum { BF_GET, BF_SET, BF_INCRBY };

typedef struct bitfield_step {
    uint64_t offset;
    long long value; /* SET value or INCRBY increment */
    int opcode;      /* BF_* */
    int is_signed;
    int bits;
    bitfield_overflow overflow;
} bitfield_step;

/* Parses the subcommands from argv[2] into steps (room for argc - 2).
 * Returns the step count, or -1 after replying an error. *writes counts
 * the SET and INCRBY steps. */
static int bitfield_parse(client *c, bitfield_step *steps, int *writes) {
    int n = 0;
    bitfield_overflow overflow = BITFIELD_WRAP;
    *writes = 0;
    for (int j = 2; j < c->argc; j++) {
        int remaining = c->argc - j - 1;
        const char *sub = c->argv[j];
        bitfield_step *st = &steps[n];
        if (strcasecmp(sub, "get") == 0 && remaining >= 2) st->opcode = BF_GET;
        else if (strcasecmp(sub, "set") == 0 && remaining >= 3) st->opcode = BF_SET;
        else if (strcasecmp(sub, "incrby") == 0 && remaining >= 3) st->opcode = BF_INCRBY;
        else if (strcasecmp(sub, "overflow") == 0 && remaining >= 1) {
            const char *mode = c->argv[++j];
            if (strcasecmp(mode, "wrap") == 0) overflow = BITFIELD_WRAP;
            else if (strcasecmp(mode, "sat") == 0) overflow = BITFIELD_SAT;
            else if (strcasecmp(mode, "fail") == 0) overflow = BITFIELD_FAIL;
            else {
                reply_error(c, ERR_BITFIELD_OVERFLOW);
                return -1;
            }
            continue;
        } else {
            reply_error_syntax(c);
            return -1;
        }
        const sds type = c->argv[j + 1];
        if (bitfield_parse_type(type, sds_len(type), &st->is_signed, &st->bits) != 0) {
            reply_error(c, ERR_BITFIELD_TYPE);
            return -1;
        }
        if (!bitops_get_offset(c, c->argv[j + 2], st->bits, &st->offset)) return -1;
        st->value = 0;
        if (st->opcode != BF_GET) {
            if (!bitops_get_ll(c, c->argv[j + 3], &st->value)) return -1;
            (*writes)++;
            j++;
        }
        st->overflow = overflow;
        j += 2;
        n++;
    }
    return n;
}

/* Runs one step on p (len bytes; writable when the step writes) and
 * replies its result: the value read, the old value (SET), the new value
 * (INCRBY), or null when FAIL refused the change. Returns BF_WROTE_SAME or
 * BF_WROTE_NEW for a write done (the field's value kept or changed),
 * BF_NO_WRITE for a GET or a refused write. */
enum { BF_NO_WRITE, BF_WROTE_SAME, BF_WROTE_NEW };
static int bitfield_run_step(client *c, const bitfield_step *st, unsigned char *p, size_t len) {
    int dir;
    if (st->is_signed) {
        int64_t old = bitfield_get_signed(p, len, st->offset, st->bits), res;
        if (st->opcode == BF_GET) {
            reply_integer(c, old);
            return BF_NO_WRITE;
        }
        if (st->opcode == BF_SET) dir = bitfield_add_signed(st->value, 0, st->bits, st->overflow, &res);
        else dir = bitfield_add_signed(old, st->value, st->bits, st->overflow, &res);
        if (dir != BITFIELD_IN_RANGE && st->overflow == BITFIELD_FAIL) {
            reply_null(c);
            return BF_NO_WRITE;
        }
        bitfield_set(p, st->offset, st->bits, (uint64_t)res);
        reply_integer(c, st->opcode == BF_SET ? old : res);
        return res == old ? BF_WROTE_SAME : BF_WROTE_NEW;
    }
    uint64_t old = bitfield_get_unsigned(p, len, st->offset, st->bits), res;
    if (st->opcode == BF_GET) {
        reply_integer(c, (long long)old);
        return BF_NO_WRITE;
    }
    /* A SET value is taken as its 64-bit pattern: -1 is far above u8. */
    if (st->opcode == BF_SET) dir = bitfield_add_unsigned((uint64_t)st->value, 0, st->bits, st->overflow, &res);
    else dir = bitfield_add_unsigned(old, st->value, st->bits, st->overflow, &res);
    if (dir != BITFIELD_IN_RANGE && st->overflow == BITFIELD_FAIL) {
        reply_null(c);
        return BF_NO_WRITE;
    }
    bitfield_set(p, st->offset, st->bits, res);
    reply_integer(c, (long long)(st->opcode == BF_SET ? old : res));
    return res == old ? BF_WROTE_SAME : BF_WROTE_NEW;
}

static void bitfield_generic(client *c, int readonly) {
    bitfield_step *steps = zmalloc(sizeof(*steps) * (size_t)(c->argc - 2 > 0 ? c->argc - 2 : 1));
    int writes;
    int n = bitfield_parse(c, steps, &writes);
    if (n < 0) goto done;
    if (readonly && writes) {
        reply_error(c, ERR_BITFIELD_RO);
        goto done;
    }
    robj *o;
    int grown = 0;
    if (writes) {
        /* Grown once to hold every written field, before any step runs;
         * the key is created even if FAIL then refuses every change. */
        uint64_t need = 0;
        for (int i = 0; i < n; i++) {
            uint64_t end = steps[i].offset + (uint64_t)steps[i].bits;
            if (steps[i].opcode != BF_GET && end > need) need = end;
        }
        o = bitops_lookup_writable(c, c->argv[1], (size_t)((need + 7) >> 3), &grown);
        if (o == NULL) goto done;
    } else {
        o = db_lookup_read(c->db, c->argv[1]);
        if (o && db_check_type(c, o, OBJ_STRING)) goto done;
    }
    char buf[LONG_STR_SIZE];
    size_t len = 0;
    unsigned char *p = NULL;
    /* Read-only steps never write through p, so an INT's bytes in buf or
     * a shared value may back it. */
    if (o) p = (unsigned char *)obj_string_bytes(o, buf, &len);
    reply_array_len(c, n);
    /* A write counts when it changed its field or the key was created or
     * grown for it; a FAIL-refused one never does (the key may then exist
     * with no change reported, as in Redis). */
    long long changes = 0;
    for (int i = 0; i < n; i++) {
        int r = bitfield_run_step(c, &steps[i], p, len);
        if (r == BF_WROTE_NEW || (r == BF_WROTE_SAME && grown)) changes++;
    }
    if (changes) {
        db_signal_modified(c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_STRING, "setbit", c->argv[1], c->db_id);
        db_dirty(changes);
    }
done:
    zfree(steps);
}

static void bitfield_command(client *c) {
    bitfield_generic(c, 0);
}

static void bitfield_ro_command(client *c) {
    bitfield_generic(c, 1);
}

/* ---------------------------------------------------------- table */

redis_command bitops_commands[] = {
    {.name = "setbit", .proc = setbit_command, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_BITMAP,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE, .group = "bitmap",
     .since = "2.2.0", .summary = "Sets or clears the bit at offset in the string value stored at key",
     .complexity = "O(1)"},
    {.name = "getbit", .proc = getbit_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST, .acl = ACL_BITMAP,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "bitmap",
     .since = "2.2.0", .summary = "Returns the bit value at offset in the string value stored at key",
     .complexity = "O(1)"},
    {.name = "bitcount", .proc = bitcount_command, .arity = -2, .flags = CMD_READONLY, .acl = ACL_BITMAP,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "bitmap",
     .since = "2.6.0", .summary = "Count set bits in a string", .complexity = "O(N)"},
    {.name = "bitpos", .proc = bitpos_command, .arity = -3, .flags = CMD_READONLY, .acl = ACL_BITMAP,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS, .group = "bitmap",
     .since = "2.8.7", .summary = "Find first bit set or clear in a string", .complexity = "O(N)"},
    /* Redis gives BITOP two key specs (destination OW UPDATE at 2, sources
     * RO ACCESS from 3 on); the table holds one: the destination's. */
    {.name = "bitop", .proc = bitop_command, .arity = -4, .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_BITMAP,
     .first_key = 2, .last_key = -1, .key_step = 1,
     .key_specs = {{.flags = KS_OW | KS_UPDATE, .begin_index = 2, .keystep = 1},
                   {.flags = KS_RO | KS_ACCESS, .begin_index = 3, .lastkey = -1, .keystep = 1}},
     .group = "bitmap",
     .since = "2.6.0", .summary = "Perform bitwise operations between strings", .complexity = "O(N)"},
    {.name = "bitfield", .proc = bitfield_command, .arity = -2, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_BITMAP, .first_key = 1, .last_key = 1, .key_step = 1,
     .ks_flags = KS_RW | KS_ACCESS | KS_UPDATE | KS_VARIABLE_FLAGS,
     .ks_notes = "This command allows both access and modification of the key", .group = "bitmap",
     .since = "3.2.0", .summary = "Perform arbitrary bitfield integer operations on strings",
     .complexity = "O(1) for each subcommand specified"},
    {.name = "bitfield_ro", .proc = bitfield_ro_command, .arity = -2, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_BITMAP, .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_RO | KS_ACCESS,
     .group = "bitmap", .since = "6.0.0",
     .summary = "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
     .complexity = "O(1) for each subcommand specified"},
    {0}};
