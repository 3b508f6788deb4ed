/* scan.c -- the argument rules common to the SCAN family.
 *
 * Owns nothing; replies only with the family's errors. Each command keeps
 * its own walk (dict_scan over a table, or a whole compact encoding at
 * once with cursor 0), so this file holds only what would otherwise be
 * written four times. */
#include "scan.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "reply.h"
#include "util.h"

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
