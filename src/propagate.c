/* propagate.c -- the effects stream (see propagate.h).
 *
 * Owns the pending effects of the running execution unit, the database
 * the stream last SELECTed, and the list of consumers. Builds nothing when
 * no consumer listens: the dirty counter alone is kept, so a server
 * without AOF or replicas pays a compare per command. */
#include "propagate.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "reply.h"
#include "util.h"
#include "zmalloc.h"

typedef struct prop_op {
    int dbid, argc;
    sds *argv;
} prop_op;

struct prop_override {
    int argc;
    sds *argv;
};

typedef struct prop_consumer {
    prop_consumer_fn *fn;
    void *ctx;
    int replica; /* a replica's view: also gets DEBUG REPLICATE's commands */
} prop_consumer;

#define PROP_MAX_CONSUMERS 16

static prop_op *ops;
static int ops_len, ops_cap;
static prop_consumer consumers[PROP_MAX_CONSUMERS];
static int consumer_count;
static int stream_db = -1; /* database the stream last selected */

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

void prop_add(int dbid, int argc, sds *argv) {
    if (!consumer_count) {
        argv_free(argc, argv);
        return;
    }
    if (ops_len == ops_cap) {
        ops_cap = ops_cap ? ops_cap * 2 : 8;
        ops = zrealloc(ops, sizeof(prop_op) * (size_t)ops_cap);
    }
    ops[ops_len++] = (prop_op){.dbid = dbid, .argc = argc, .argv = argv};
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

void prop_command_done(client *c, long long dirty) {
    if (dirty && consumer_count && !(c->flags & CLIENT_PREVENT_PROP)) {
        if (c->prop) {
            prop_add(c->db->id, c->prop->argc, c->prop->argv);
            zfree(c->prop);
            c->prop = NULL;
        } else {
            sds *argv = zmalloc(sizeof(sds) * (size_t)c->argc);
            for (int i = 0; i < c->argc; i++) argv[i] = sds_dup(c->argv[i]);
            prop_add(c->db->id, c->argc, argv);
        }
    }
    override_free(c);
    c->flags &= ~CLIENT_PREVENT_PROP;
}

/* ---------------------------------------------------------- emitting */

static sds cat_command(sds s, int argc, sds *argv) {
    s = sds_cat_printf(s, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        s = sds_cat_printf(s, "$%zu\r\n", sds_len(argv[i]));
        s = sds_cat_len(s, argv[i], sds_len(argv[i]));
        s = sds_cat_len(s, "\r\n", 2);
    }
    return s;
}

static sds cat_select(sds s, int dbid) {
    if (dbid == stream_db) return s;
    char num[24];
    int len = ll2string(num, sizeof(num), dbid);
    s = sds_cat_printf(s, "*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n", len, num);
    stream_db = dbid;
    return s;
}

void prop_flush(void) {
    if (ops_len == 0) return;
    sds out = sds_empty();
    int wrap = ops_len > 1;
    if (wrap) {
        /* SELECT goes before MULTI, for the first effect's database. */
        out = cat_select(out, ops[0].dbid);
        out = sds_cat(out, "*1\r\n$5\r\nMULTI\r\n");
    }
    for (int i = 0; i < ops_len; i++) {
        out = cat_select(out, ops[i].dbid);
        out = cat_command(out, ops[i].argc, ops[i].argv);
        argv_free(ops[i].argc, ops[i].argv);
    }
    if (wrap) out = sds_cat(out, "*1\r\n$4\r\nEXEC\r\n");
    ops_len = 0;
    for (int i = 0; i < consumer_count; i++) consumers[i].fn(out, sds_len(out), consumers[i].ctx);
    sds_free(out);
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
    consumers[consumer_count++] = (prop_consumer){fn, ctx, replica};
    stream_db = -1; /* a new reader must be told the database first */
}

void prop_add_consumer(prop_consumer_fn *fn, void *ctx) {
    add_consumer(fn, ctx, 0);
}

void prop_add_replica_consumer(prop_consumer_fn *fn, void *ctx) {
    add_consumer(fn, ctx, 1);
}

void prop_force_select(void) {
    stream_db = -1;
}

void prop_remove_consumer(prop_consumer_fn *fn, void *ctx) {
    for (int i = 0; i < consumer_count; i++) {
        if (consumers[i].fn != fn || consumers[i].ctx != ctx) continue;
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
        stream_db = -1;
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
