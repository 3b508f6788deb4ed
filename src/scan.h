/* scan.h -- argument parsing shared by SCAN, HSCAN, SSCAN and ZSCAN. */
#ifndef MINIRED_SCAN_H
#define MINIRED_SCAN_H

#include "server.h"

/* Elements a scan call aims to return when COUNT is not given. */
#define SCAN_DEFAULT_COUNT 10

struct scan_opts {
    long count;
    sds pattern; /* borrowed from argv; NULL: everything ("*" too) */
    sds type;    /* SCAN's TYPE (borrowed); NULL: every type */
};

/* Parses a cursor as Redis does (strtoul: a sign is allowed, an empty
 * string is 0, no leading space, nothing after the digits). Replies
 * "invalid cursor" and returns -1 on error. */
int scan_parse_cursor(client *c, const sds arg, unsigned long *cursor);
/* Parses COUNT / MATCH (and TYPE if allow_type) pairs from argv[first] on;
 * a later repetition wins. Replies and returns -1 on error. */
int scan_parse_opts(client *c, int first, int allow_type, struct scan_opts *o);
/* 1 if s passes the MATCH pattern (always, without one). */
int scan_match(const sds pattern, const char *s, size_t len);

#endif
