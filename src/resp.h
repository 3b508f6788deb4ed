/* resp.h -- the RESP wire protocol: a pure request parser (bytes in, argv
 * out) and pure reply encoders (values in, RESP2/RESP3 bytes out).
 *
 * Nothing here knows about clients, sockets or the server: the parser works
 * on a byte buffer the caller owns and the encoders write into buffers the
 * caller owns, so both are unit-tested on their own. */
#ifndef MINIRED_RESP_H
#define MINIRED_RESP_H

#include <stddef.h>
#include "sds.h"

/* ---------------------------------------------------------------- parser */

/* Longest inline request and longest "*N"/"$N" header line accepted. */
#define RESP_INLINE_MAX_BYTES (64 * 1024)
/* Before AUTH succeeds (when a password is set) requests are capped hard so
 * an anonymous peer cannot make the server buffer large data. */
#define RESP_UNAUTH_MAX_MULTIBULK 10
#define RESP_UNAUTH_MAX_BULK 16384
/* Bulk arguments at least this big are worth reading straight into a
 * buffer of their own (the caller may use bulk_len to size its buffer). */
#define RESP_BIG_ARG_BYTES (32 * 1024)

typedef enum {
    RESP_PARSE_OK,        /* a whole command is in p->argv / p->argc */
    RESP_PARSE_NEED_MORE, /* every byte seen so far is consumed or kept */
    RESP_PARSE_ERROR      /* protocol error; p->error holds Redis's text */
} resp_parse_result;

typedef struct resp_limits {
    long long max_bulk_len; /* proto-max-bulk-len */
    int authenticated;      /* 0: the RESP_UNAUTH_* caps apply */
} resp_limits;

enum { RESP_REQ_NONE = 0, RESP_REQ_INLINE, RESP_REQ_MULTIBULK };

typedef struct resp_parser {
    int req_type;           /* RESP_REQ_*, NONE between commands */
    long multibulk_len;     /* arguments still to read */
    long long bulk_len;     /* length of the bulk being read, -1: none */
    int argc;               /* arguments parsed so far */
    int argv_cap;           /* allocated slots in argv */
    sds *argv;              /* owned by the parser until reset */
    const char *error;      /* static text, without "-ERR " and CRLF */
    char error_buf[64];     /* storage when error needs formatting */
} resp_parser;

void resp_parser_init(resp_parser *p);
/* Frees the arguments (slots the caller set to NULL are skipped) and
 * readies the parser for the next command; keeps the argv array. */
void resp_parser_reset(resp_parser *p);
/* Frees everything the parser holds. */
void resp_parser_free(resp_parser *p);

/* Parses from buf[0..len). Sets *consumed to the number of bytes the caller
 * may drop from the front of its buffer (always set, for all three results;
 * with NEED_MORE the unconsumed tail must be presented again, followed by
 * more bytes). Empty inline lines and "*0"/"*-1" multibulks are skipped.
 * On OK the command is in p->argv[0..argc); the caller may take ownership
 * of any argument by setting its slot to NULL, and must call
 * resp_parser_reset before parsing again. On ERROR the connection must be
 * closed after replying "-ERR <p->error>". */
resp_parse_result resp_parse(resp_parser *p, const char *buf, size_t len,
                             const resp_limits *lim, size_t *consumed);

/* -------------------------------------------------------------- encoders */

#define RESP_PROTO_2 2
#define RESP_PROTO_3 3
/* Enough for any header line: prefix, 20 digits, sign, CRLF, NUL. */
#define RESP_HEADER_MAX 32
/* Enough for any encoded double in either protocol. */
#define RESP_DOUBLE_MAX 64

/* Writes "<prefix><n>\r\n" (e.g. '*', '$', ':', '%', '~', '>'); returns its
 * length. buf holds at least RESP_HEADER_MAX bytes. */
size_t resp_fmt_header(char *buf, char prefix, long long n);
/* Writes a double: RESP3 ",<d>\r\n", RESP2 as a bulk string. Formatting is
 * Redis's (inf, -inf, %.17g). buf holds RESP_DOUBLE_MAX bytes. */
size_t resp_fmt_double(char *buf, int proto, double d);

/* Appenders onto an sds, for callers that are not on the hot path and for
 * tests. Each takes s and returns the possibly moved result. */
sds resp_cat_simple(sds s, const char *str);            /* +str */
sds resp_cat_error(sds s, const char *str);             /* -str (no prefix added) */
sds resp_cat_integer(sds s, long long v);               /* :v */
sds resp_cat_bulk(sds s, const char *p, size_t len);    /* $len p */
sds resp_cat_null(sds s, int proto);                    /* $-1 or _ */
sds resp_cat_null_array(sds s, int proto);              /* *-1 or _ */
sds resp_cat_array_len(sds s, long n);                  /* *n */
sds resp_cat_map_len(sds s, int proto, long pairs);     /* %n or *2n */
sds resp_cat_set_len(sds s, int proto, long n);         /* ~n or *n */
sds resp_cat_push_len(sds s, int proto, long n);        /* >n or *n */
sds resp_cat_double(sds s, int proto, double d);
sds resp_cat_bool(sds s, int proto, int v);             /* #t/#f or :1/:0 */
sds resp_cat_verbatim(sds s, int proto, const char *p, size_t len, const char *ext); /* =len ext:p or bulk */
sds resp_cat_bignum(sds s, int proto, const char *p, size_t len); /* (p or bulk */

#endif
