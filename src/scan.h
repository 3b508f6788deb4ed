/* scan.h -- what SCAN, HSCAN, SSCAN and ZSCAN share: argument parsing,
 * the dict_scan loop over a hash table, and the reply frame. */
#ifndef MINIRED_SCAN_H
#define MINIRED_SCAN_H

#include "server.h"

/* Elements a scan call aims to return when COUNT is not given. */
#define SCAN_DEFAULT_COUNT 10
/* dict_scan calls per requested element before a call returns what it
 * has: a sparse table (many empty buckets) must not stall the server. */
#define SCAN_STEPS_PER_ELEMENT 10

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

/* Extra filter of a table's entries after MATCH (SCAN's TYPE and expiry):
 * 1 keeps de. May delete the entry (an expired key) if it returns 0. */
typedef int scan_keep_fn(client *c, const dict_entry *de, void *ctx);
/* Replies one kept entry: its key, or key and value (HSCAN, ZSCAN). */
typedef void scan_reply_fn(client *c, const dict_entry *de, void *ctx);

/* One call of a SCAN-family command over hash table d, from cursor: calls
 * dict_scan until o->count entries are collected (one per entry, as Redis
 * 7.0 counts for every type) or o->count * SCAN_STEPS_PER_ELEMENT calls
 * were made; keeps the entries whose key matches o->pattern and passes
 * keep (NULL: all); replies the next cursor and, per kept entry,
 * items_per_entry items written by reply. dict_scan returns every entry
 * present for the whole scan at least once, whatever rehashing happens
 * between calls. */
void scan_dict(client *c, dict *d, unsigned long cursor, const struct scan_opts *o, int items_per_entry,
               scan_keep_fn *keep, scan_reply_fn *reply, void *ctx);
/* The frame of every scan reply: [cursor, [n items...]] (the items
 * follow). Compact encodings return everything at once with cursor 0. */
void scan_reply_header(client *c, unsigned long cursor, long n_items);
/* The reply for a missing key: cursor 0, no items. */
void scan_reply_empty(client *c);

#endif
