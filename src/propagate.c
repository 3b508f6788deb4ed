/* propagate.c -- the effects stream (see propagate.h).
 *
 * Owns the pending effects of the running execution unit and the list of
 * consumers, each with the database its stream last SELECTed (the AOF and
 * the replication stream select on their own, as in Redis). Builds nothing when
 * no consumer listens: the dirty counter alone is kept, so a server
 * without AOF or replicas pays a compare per command. */
#include "propagate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "reply.h"
#include "util.h"
#include "zmalloc.h"

/* One effect of the running unit: its RESP bytes are pending[start ..
 * start+len), written when the effect is added (no argv kept alive). */
typedef struct prop_op {
    int dbid;
    int targets; /* PROP_TO_AOF | PROP_TO_REPLICAS: who reads it */
    size_t start, len;
} prop_op;

struct prop_override {
    int argc;
    sds *argv;
};

typedef struct prop_consumer {
    prop_consumer_fn *fn;
    void *ctx;
    int replica; /* a replica's view: also gets DEBUG REPLICATE's commands
                  * and replica-only effects */
    int db;      /* database this consumer's stream last selected; -1: none */
} prop_consumer;

#define PROP_MAX_CONSUMERS 16
/* An effect's readers: plain consumers (the AOF) and replica consumers. */
#define PROP_TO_AOF 1
#define PROP_TO_REPLICAS 2
#define PROP_TO_ALL (PROP_TO_AOF | PROP_TO_REPLICAS)
/* The pending buffer kept between units (larger ones are freed). */
#define PROP_PENDING_KEEP_BYTES (64 * 1024)

static prop_op *ops;
static int ops_len, ops_cap;
static sds pending; /* the unit's effects as RESP, back to back */
static prop_consumer consumers[PROP_MAX_CONSUMERS];
static int consumer_count;
static int replica_consumers; /* how many of them have the replica view */

int prop_active(void) {
    return consumer_count > 0;
}

int prop_pending(void) {
    return ops_len;
}

static void argv_free(int argc, sds *argv) {
    for (int i = 0; i < argc; i++) sds_free(argv[i]);
    zfree(argv);
}

static sds cat_command(sds s, int argc, sds *argv);

/* Serializes argv (borrowed) as one more effect of the unit. */
static void add_op(int dbid, int argc, sds *argv, int targets) {
    if (ops_len == ops_cap) {
        ops_cap = ops_cap ? ops_cap * 2 : 8;
        ops = zrealloc(ops, sizeof(prop_op) * (size_t)ops_cap);
    }
    if (pending == NULL) pending = sds_empty();
    size_t start = sds_len(pending);
    pending = cat_command(pending, argc, argv);
    ops[ops_len++] = (prop_op){
        .dbid = dbid, .targets = targets, .start = start, .len = sds_len(pending) - start};
}

void prop_add(int dbid, int argc, sds *argv) {
    if (consumer_count) add_op(dbid, argc, argv, PROP_TO_ALL);
    argv_free(argc, argv);
}

/* Builds an argv from fmt (see prop_addf); returns its length. */
static int argv_from_fmt(sds **out, const char *fmt, va_list ap) {
    int argc = (int)strlen(fmt);
    sds *argv = zmalloc(sizeof(sds) * (size_t)argc);
    for (int i = 0; i < argc; i++) {
        switch (fmt[i]) {
        case 's': argv[i] = sds_dup(va_arg(ap, sds)); break;
        case 'c': argv[i] = sds_new(va_arg(ap, const char *)); break;
        case 'b': {
            const char *p = va_arg(ap, const char *);
            argv[i] = sds_new_len(p, va_arg(ap, size_t));
            break;
        }
        case 'l': argv[i] = sds_from_ll(va_arg(ap, long long)); break;
        default: argv[i] = sds_empty(); break;
        }
    }
    *out = argv;
    return argc;
}

void prop_addf(int dbid, const char *fmt, ...) {
    if (!consumer_count) return;
    va_list ap;
    va_start(ap, fmt);
    sds *argv;
    int argc = argv_from_fmt(&argv, fmt, ap);
    va_end(ap);
    prop_add(dbid, argc, argv);
}

static void override_free(client *c) {
    if (c->prop == NULL) return;
    argv_free(c->prop->argc, c->prop->argv);
    zfree(c->prop);
    c->prop = NULL;
}

void prop_replace(client *c, int argc, sds *argv) {
    if (!consumer_count) {
        argv_free(argc, argv);
        return;
    }
    override_free(c);
    c->prop = zmalloc(sizeof(*c->prop));
    c->prop->argc = argc;
    c->prop->argv = argv;
}

void prop_replacef(client *c, const char *fmt, ...) {
    if (!consumer_count) return;
    va_list ap;
    va_start(ap, fmt);
    sds *argv;
    int argc = argv_from_fmt(&argv, fmt, ap);
    va_end(ap);
    prop_replace(c, argc, argv);
}

void prop_prevent(client *c) {
    c->flags |= CLIENT_PREVENT_PROP;
}

void prop_force_replicas(client *c) {
    c->flags |= CLIENT_FORCE_REPL;
}

void prop_command_done(client *c, long long dirty) {
    /* A change goes to everyone; a command that changed nothing but must
     * reach replicas (PUBLISH) goes to them alone, as Redis's forced
     * replication does; a script's redis.set_repl() takes readers away. */
    int targets = dirty ? PROP_TO_ALL : 0;
    if ((c->flags & CLIENT_FORCE_REPL) && replica_consumers) targets |= PROP_TO_REPLICAS;
    if (c->flags & CLIENT_PREVENT_AOF_PROP) targets &= ~PROP_TO_AOF;
    if (c->flags & CLIENT_PREVENT_REPL_PROP) targets &= ~PROP_TO_REPLICAS;
    if (targets && consumer_count && !(c->flags & CLIENT_PREVENT_PROP)) {
        if (c->prop) add_op(c->db->id, c->prop->argc, c->prop->argv, targets);
        else add_op(c->db->id, c->argc, c->argv, targets);
    }
    override_free(c);
    c->flags &= ~(CLIENT_PREVENT_PROP | CLIENT_FORCE_REPL | CLIENT_PREVENT_AOF_PROP | CLIENT_PREVENT_REPL_PROP);
}

/* ---------------------------------------------------------- emitting */

/* Appends "<prefix><n>\r\n" (a multibulk or bulk header). */
static sds cat_header(sds s, char prefix, size_t n) {
    char hdr[32];
    hdr[0] = prefix;
    int len = ull2string(hdr + 1, sizeof(hdr) - 3, n) + 1;
    hdr[len++] = '\r';
    hdr[len++] = '\n';
    return sds_cat_len(s, hdr, (size_t)len);
}

/* The command as RESP (every write with consumers passes here: no
 * printf, one room check for the whole command). */
static sds cat_command(sds s, int argc, sds *argv) {
    size_t need = 16;
    for (int i = 0; i < argc; i++) need += sds_len(argv[i]) + 24;
    s = sds_make_room_for(s, need);
    s = cat_header(s, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) {
        s = cat_header(s, '$', sds_len(argv[i]));
        s = sds_cat_len(s, argv[i], sds_len(argv[i]));
        s = sds_cat_len(s, "\r\n", 2);
    }
    return s;
}

/* Writes SELECT dbid as RESP into buf (64 bytes); returns its length. */
static size_t select_bytes(char *buf, int dbid) {
    char num[24];
    int len = ll2string(num, sizeof(num), dbid);
    return (size_t)snprintf(buf, 64, "*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n", len, num);
}

static sds cat_select(sds s, int dbid) {
    char buf[64];
    return sds_cat_len(s, buf, select_bytes(buf, dbid));
}

/* One view of the unit: the bytes a consumer gets after its leading
 * SELECT (which depends on the database it last selected). buf points
 * into pending (a lone effect: no copy) or into owned. */
typedef struct prop_view {
    const char *buf;
    size_t len;
    sds owned;
    int first_db, last_db;
} prop_view;

/* Builds the view of the effects that reach target (PROP_TO_AOF or
 * PROP_TO_REPLICAS): wrapped in MULTI/EXEC when the unit holds several
 * effects (as Redis decides it, counting those of the other readers too:
 * the AOF may get a lone write wrapped), SELECT wherever the database
 * changes inside the unit. len is 0 when the view is empty. */
static prop_view build_view(int target) {
    prop_view v = {.buf = NULL, .len = 0, .owned = NULL, .first_db = -1, .last_db = -1};
    if (ops_len == 1) {
        if (!(ops[0].targets & target)) return v;
        v.buf = pending + ops[0].start;
        v.len = ops[0].len;
        v.first_db = v.last_db = ops[0].dbid;
        return v;
    }
    int n = 0;
    for (int i = 0; i < ops_len; i++) n += (ops[i].targets & target) != 0;
    if (n == 0) return v;
    sds body = sds_make_room_for(sds_empty(), sds_len(pending) + 32);
    body = sds_cat(body, "*1\r\n$5\r\nMULTI\r\n");
    for (int i = 0; i < ops_len; i++) {
        if (!(ops[i].targets & target)) continue;
        if (v.first_db == -1) v.first_db = ops[i].dbid;
        else if (ops[i].dbid != v.last_db) body = cat_select(body, ops[i].dbid);
        v.last_db = ops[i].dbid;
        body = sds_cat_len(body, pending + ops[i].start, ops[i].len);
    }
    body = sds_cat(body, "*1\r\n$4\r\nEXEC\r\n");
    v.owned = body;
    v.buf = body;
    v.len = sds_len(body);
    return v;
}

/* Hands a view to one consumer: SELECT first when its stream is on
 * another database (it goes before MULTI, as Redis writes it). */
static void emit_view(prop_consumer *pc, const prop_view *v) {
    if (v->len == 0) return;
    if (pc->db != v->first_db) {
        char sel[64];
        size_t n = select_bytes(sel, v->first_db);
        pc->fn(sel, n, pc->ctx);
    }
    pc->db = v->last_db;
    pc->fn(v->buf, v->len, pc->ctx);
}

void prop_flush(void) {
    if (ops_len == 0) return;
    int mixed = 0;
    for (int i = 0; i < ops_len && !mixed; i++) mixed = ops[i].targets != PROP_TO_ALL;
    prop_view repl_view = build_view(PROP_TO_REPLICAS);
    prop_view aof_view = mixed ? build_view(PROP_TO_AOF) : repl_view;
    for (int i = 0; i < consumer_count; i++)
        emit_view(&consumers[i], consumers[i].replica ? &repl_view : &aof_view);
    sds_free(repl_view.owned);
    if (mixed) sds_free(aof_view.owned);
    ops_len = 0;
    /* Keep a small buffer for the next unit; give a big one back. */
    if (sds_alloc(pending) > PROP_PENDING_KEEP_BYTES) {
        sds_free(pending);
        pending = NULL;
    } else {
        sds_clear(pending);
    }
}

int prop_consumer_db(prop_consumer_fn *fn, void *ctx) {
    for (int i = 0; i < consumer_count; i++)
        if (consumers[i].fn == fn && consumers[i].ctx == ctx) return consumers[i].db;
    return -1;
}

void prop_feed_raw(int argc, sds *argv) {
    if (!consumer_count) return;
    sds out = cat_command(sds_empty(), argc, argv);
    for (int i = 0; i < consumer_count; i++)
        if (consumers[i].replica) consumers[i].fn(out, sds_len(out), consumers[i].ctx);
    sds_free(out);
}

/* ---------------------------------------------------------- consumers */

static void add_consumer(prop_consumer_fn *fn, void *ctx, int replica) {
    if (consumer_count == PROP_MAX_CONSUMERS) return;
    /* A new reader must be told the database first. */
    consumers[consumer_count++] = (prop_consumer){.fn = fn, .ctx = ctx, .replica = replica, .db = -1};
    replica_consumers += replica;
}

void prop_add_consumer(prop_consumer_fn *fn, void *ctx) {
    add_consumer(fn, ctx, 0);
}

void prop_add_replica_consumer(prop_consumer_fn *fn, void *ctx) {
    add_consumer(fn, ctx, 1);
}

void prop_consumer_reselect(prop_consumer_fn *fn, void *ctx) {
    for (int i = 0; i < consumer_count; i++)
        if (consumers[i].fn == fn && consumers[i].ctx == ctx) consumers[i].db = -1;
}

void prop_remove_consumer(prop_consumer_fn *fn, void *ctx) {
    for (int i = 0; i < consumer_count; i++) {
        if (consumers[i].fn != fn || consumers[i].ctx != ctx) continue;
        replica_consumers -= consumers[i].replica;
        consumers[i] = consumers[--consumer_count];
        return;
    }
}

/* ---------------------------------------------------------- DEBUG EFFECTS */

static sds capture;

static void capture_consume(const char *buf, size_t len, void *ctx) {
    (void)ctx;
    capture = sds_cat_len(capture, buf, len);
}

/* DEBUG EFFECTS ON: start capturing (from an empty capture); GET: reply
 * the captured bytes and empty the capture; OFF: stop. */
void prop_debug_command(client *c) {
    if (c->argc != 3) {
        reply_error_syntax(c);
        return;
    }
    const char *arg = c->argv[2];
    if (strcasecmp(arg, "on") == 0) {
        if (capture == NULL) {
            capture = sds_empty();
            prop_add_replica_consumer(capture_consume, NULL); /* shows what a replica gets */
        }
        sds_clear(capture);
        prop_consumer_reselect(capture_consume, NULL);
        reply_ok(c);
    } else if (strcasecmp(arg, "off") == 0) {
        if (capture) {
            prop_remove_consumer(capture_consume, NULL);
            sds_free(capture);
            capture = NULL;
        }
        reply_ok(c);
    } else if (strcasecmp(arg, "get") == 0) {
        if (capture == NULL) {
            reply_error(c, "effects capture is off (DEBUG EFFECTS ON)");
            return;
        }
        reply_bulk(c, capture, sds_len(capture));
        sds_clear(capture);
    } else {
        reply_error_syntax(c);
    }
}
