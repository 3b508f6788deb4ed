/* scan.c -- what the SCAN family shares: the argument rules, the one
 * dict_scan loop over a hash table (how many calls, what COUNT counts,
 * the overflow guard on COUNT * steps), and the reply frame.
 *
 * Owns nothing. Each command keeps only what differs: how an entry is
 * replied (key; field and value; member and score), SCAN's TYPE filter,
 * and the walk of a compact encoding (whole, cursor 0). */
#include "scan.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "reply.h"
#include "util.h"
#include "zmalloc.h"

int scan_parse_cursor(client *c, const sds arg, unsigned long *cursor) {
    char *end;
    errno = 0;
    *cursor = strtoul(arg, &end, 10);
    if (isspace((unsigned char)arg[0]) || *end != '\0' || errno == ERANGE) {
        reply_error(c, "invalid cursor");
        return -1;
    }
    return 0;
}

int scan_parse_opts(client *c, int first, int allow_type, struct scan_opts *o) {
    o->count = SCAN_DEFAULT_COUNT;
    o->pattern = o->type = NULL;
    for (int i = first; i < c->argc; i += 2) {
        const char *opt = c->argv[i];
        int has_arg = i + 1 < c->argc;
        if (strcasecmp(opt, "count") == 0 && has_arg) {
            long long v;
            if (!string2ll(c->argv[i + 1], sds_len(c->argv[i + 1]), &v) || v < LONG_MIN || v > LONG_MAX) {
                reply_error_not_integer(c);
                return -1;
            }
            if (v < 1) {
                reply_error_syntax(c);
                return -1;
            }
            o->count = (long)v;
        } else if (strcasecmp(opt, "match") == 0 && has_arg) {
            sds p = c->argv[i + 1];
            o->pattern = sds_len(p) == 1 && p[0] == '*' ? NULL : p;
        } else if (allow_type && strcasecmp(opt, "type") == 0 && has_arg) {
            o->type = c->argv[i + 1];
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    return 0;
}

int scan_match(const sds pattern, const char *s, size_t len) {
    return pattern == NULL || string_match_len(pattern, (int)sds_len(pattern), s, (int)len, 0);
}

void scan_reply_header(client *c, unsigned long cursor, long n_items) {
    char buf[LONG_STR_SIZE];
    int len = ull2string(buf, sizeof(buf), cursor);
    reply_array_len(c, 2);
    reply_bulk(c, buf, (size_t)len);
    reply_array_len(c, n_items);
}

void scan_reply_empty(client *c) {
    scan_reply_header(c, 0, 0);
}

/* Entries dict_scan handed over: borrowed from the table. */
struct scan_batch {
    const dict_entry **des;
    size_t len, cap;
};

static void scan_collect(void *privdata, const dict_entry *de) {
    struct scan_batch *b = privdata;
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : SCAN_DEFAULT_COUNT * 2;
        b->des = zrealloc(b->des, b->cap * sizeof(*b->des));
    }
    b->des[b->len++] = de;
}

void scan_dict(client *c, dict *d, unsigned long cursor, const struct scan_opts *o, int items_per_entry,
               scan_keep_fn *keep, scan_reply_fn *reply, void *ctx) {
    struct scan_batch b = {0};
    /* COUNT may be as big as LONG_MAX: the product must not overflow. */
    long steps = o->count > LONG_MAX / SCAN_STEPS_PER_ELEMENT ? LONG_MAX : o->count * SCAN_STEPS_PER_ELEMENT;
    do {
        cursor = dict_scan(d, cursor, scan_collect, &b);
    } while (cursor && steps-- && b.len < (size_t)o->count);
    size_t kept = 0;
    for (size_t i = 0; i < b.len; i++) {
        sds key = dict_get_key(b.des[i]);
        if (!scan_match(o->pattern, key, sds_len(key))) continue;
        if (keep && !keep(c, b.des[i], ctx)) continue;
        b.des[kept++] = b.des[i];
    }
    scan_reply_header(c, cursor, (long)kept * items_per_entry);
    for (size_t i = 0; i < kept; i++) reply(c, b.des[i], ctx);
    zfree(b.des);
}
