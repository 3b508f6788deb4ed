/* debug_more.c -- the DEBUG subcommands tools and client test suites use
 * beyond the core ones in debug.c: PROTOCOL (one sample reply of every
 * RESP type), LISTPACK and QUICKLIST (encoding dumps on stdout),
 * REPLYBUFFER, STRINGMATCH-TEST, CHANGE-REPL-ID; and the gate for
 * protected commands (enable-debug-command / enable-module-command).
 *
 * Owns only the two REPLYBUFFER settings. minired is built without
 * jemalloc, so MALLCTL / MALLCTL-STR are not recognised (a Redis built with
 * libc malloc replies the subcommand syntax error for them). Reply texts
 * are Redis 7.0's. */
#include "debug_more.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "config.h"
#include "db.h"
#include "info.h"
#include "listpack.h"
#include "quicklist.h"
#include "reply.h"
#include "testctl.h"
#include "util.h"
#include "replication.h"

/* ---------------------------------------------------------- protected */

int client_is_local(const client *c) {
    if (c->flags & CLIENT_UNIX_SOCKET) return 1;
    return strncmp(c->addr, "127.0.0.1:", strlen("127.0.0.1:")) == 0 ||
           strncmp(c->addr, "[::1]:", strlen("[::1]:")) == 0;
}

sds cmd_protected_refusal(client *c, const redis_command *cmd) {
    const redis_command *top = cmd->parent ? cmd->parent : cmd;
    if (strcmp(top->name, "minired") == 0) return testctl_refusal(c);
    int is_debug = strcmp(top->name, "debug") == 0;
    int mode = is_debug ? cfg.enable_debug_cmd : cfg.enable_module_cmd;
    if (mode == PROTECTED_CONFIGS_YES || (mode == PROTECTED_CONFIGS_LOCAL && client_is_local(c))) return NULL;
    return sds_cat_printf(sds_empty(),
                          "%s command not allowed. If the %s option is set to \"local\", you can run it from a "
                          "local connection, otherwise you need to set this option in the configuration file, "
                          "and then restart the server.",
                          is_debug ? "DEBUG" : "MODULE", is_debug ? "enable-debug-command" : "enable-module-command");
}

/* ---------------------------------------------------------- PROTOCOL */

static void protocol_raw(client *c, const char *resp3, const char *resp2) {
    if (c->resp == 2) reply_proto(c, resp2, strlen(resp2));
    else reply_proto(c, resp3, strlen(resp3));
}

/* PROTOCOL <type>: a fixed sample of each type, degraded in RESP2 as Redis
 * degrades it (booleans become 1/0, a big number a bulk string, an
 * attribute is dropped, a push refused). */
void debug_protocol(client *c) {
    const char *t = c->argv[2];
    if (strcasecmp(t, "string") == 0) {
        reply_bulk_cstr(c, "Hello World");
    } else if (strcasecmp(t, "integer") == 0) {
        reply_integer(c, 12345);
    } else if (strcasecmp(t, "double") == 0) {
        reply_double(c, 3.141);
    } else if (strcasecmp(t, "bignum") == 0) {
        protocol_raw(c, "(1234567999999999999999999999999999999\r\n",
                     "$37\r\n1234567999999999999999999999999999999\r\n");
    } else if (strcasecmp(t, "null") == 0) {
        reply_null(c);
    } else if (strcasecmp(t, "array") == 0 || strcasecmp(t, "set") == 0) {
        if (strcasecmp(t, "array") == 0) reply_array_len(c, 3);
        else reply_set_len(c, 3);
        for (int j = 0; j < 3; j++) reply_integer(c, j);
    } else if (strcasecmp(t, "map") == 0) {
        reply_map_len(c, 3);
        for (int j = 0; j < 3; j++) {
            reply_integer(c, j);
            reply_bool(c, j == 1);
        }
    } else if (strcasecmp(t, "attrib") == 0) {
        if (c->resp >= 3) {
            const char *attr = "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n";
            reply_proto(c, attr, strlen(attr));
        }
        reply_bulk_cstr(c, "Some real reply following the attribute");
    } else if (strcasecmp(t, "push") == 0) {
        if (c->resp < 3) {
            reply_error(c, "RESP2 is not supported by this command");
            return;
        }
        reply_push_len(c, 2);
        reply_bulk_cstr(c, "server-cpu-usage");
        reply_integer(c, 42);
        reply_bulk_cstr(c, "Some real reply following the push reply");
    } else if (strcasecmp(t, "true") == 0 || strcasecmp(t, "false") == 0) {
        reply_bool(c, strcasecmp(t, "true") == 0);
    } else if (strcasecmp(t, "verbatim") == 0) {
        const char *v = "This is a verbatim\nstring";
        reply_verbatim(c, v, strlen(v), "txt");
    } else {
        reply_error(c, "Wrong protocol type name. Please use one of the following: "
                       "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
    }
}

/* ---------------------------------------------------------- LISTPACK / QUICKLIST */

static robj *debug_lookup(client *c) {
    dict_entry *de = dict_find(c->db->keys, c->argv[2]);
    if (de == NULL) {
        reply_error(c, "no such key");
        return NULL;
    }
    return dict_get_val(de);
}

/* Bytes of the back-length field that ends an entry of enc bytes. */
static size_t lp_backlen_size(size_t enc) {
    return enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
}

/* Header bytes of the entry at p: strings of 12 and 32-bit lengths have
 * 2 and 5; every other encoding counts 1 (Redis reports the rest of an
 * integer as payload). */
static unsigned lp_header_size(const unsigned char *p) {
    if ((p[0] & 0xF0) == 0xE0) return 2;
    if (p[0] == 0xF0) return 5;
    return 1;
}

#define LP_REPR_MAX_STR 40 /* longer strings are cut, as Redis prints them */

/* One entry in Redis's lpRepr layout. */
static void print_listpack_entry(unsigned char *lp, unsigned char *p, int index) {
    unsigned char *next = lp_next(lp, p);
    size_t total = (size_t)((next ? next : lp + lp_bytes(lp) - 1) - p);
    size_t back = 1;
    while (back < 5 && lp_backlen_size(total - back) != back) back++;
    unsigned hdr = lp_header_size(p);
    printf("{\n\taddr: 0x%08lx,\n\tindex: %2d,\n\toffset: %1lu,\n\thdr+entrylen+backlen: %2lu,\n"
           "\thdrlen: %3u,\n\tbacklen: %2lu,\n\tpayload: %1u\n",
           (unsigned long)(uintptr_t)p, index, (unsigned long)(p - lp), (unsigned long)total, hdr,
           (unsigned long)back, (unsigned)(total - back - hdr));
    printf("\tbytes: ");
    for (size_t i = 0; i < total; i++) printf("%02x|", p[i]);
    printf("\n");
    const unsigned char *str;
    uint32_t len;
    unsigned char buf[LP_INTBUF_SIZE];
    lp_get(p, NULL, &str, &len, buf);
    if (len > LP_REPR_MAX_STR) printf("\t[str]%.*s...\n}\n", LP_REPR_MAX_STR, (const char *)str);
    else printf("\t[str]%.*s\n}\n", (int)len, (const char *)str);
}

/* The whole listpack, in Redis's lpRepr layout (stdout). */
static void print_listpack(unsigned char *lp) {
    printf("{total bytes %zu} {num entries %lu}\n", lp_bytes(lp), lp_length(lp));
    int index = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) print_listpack_entry(lp, p, index++);
    printf("{end}\n\n");
}

void debug_listpack(client *c) {
    robj *o = debug_lookup(c);
    if (o == NULL) return;
    if (o->encoding != OBJ_ENCODING_LISTPACK) {
        reply_error(c, "Not a listpack encoded object.");
        return;
    }
    print_listpack(o->ptr);
    fflush(stdout);
    reply_status(c, "Listpack structure printed on stdout");
}

/* QUICKLIST <key> [<0|1>]: the list's header and its nodes; with a
 * non-zero level (atoi, as Redis) each node's entries too. */
void debug_quicklist(client *c) {
    robj *o = debug_lookup(c);
    if (o == NULL) return;
    if (o->encoding != OBJ_ENCODING_QUICKLIST) {
        reply_error(c, "Not a quicklist encoded object.");
        return;
    }
    int full = c->argc == 4 ? atoi(c->argv[3]) : 0;
    quicklist *ql = o->ptr;
    printf("{count : %lu}\n{len : %lu}\n{fill : %d}\n{compress : %d}\n{bookmark_count : 0}\n", ql->count,
           ql->len, ql->fill, ql->compress);
    int i = 0;
    for (ql_node *n = ql->head; n; n = n->next, i++) {
        size_t lzf_len;
        int lzf = ql_node_lzf(n, &lzf_len) != NULL;
        printf("{quicklist node(%d)\n", i);
        printf("{container : %s, encoding: %s, size: %zu, count: %u, recompress: 0, attempted_compress: 0}\n",
               n->plain ? "PLAIN" : "PACKED", lzf ? "LZF" : "RAW", ql_node_data_bytes(n), (unsigned)n->count);
        if (!full) continue;
        /* Reading a compressed node decompresses it; ql_settle below
         * compresses it back, so printing leaves the list as it was. */
        unsigned char *lp = ql_node_listpack(ql, n);
        if (n->plain) {
            /* The element alone, printed as a C string as Redis does. */
            const unsigned char *v;
            uint32_t len;
            unsigned char ibuf[LP_INTBUF_SIZE];
            lp_get(lp_first(lp), NULL, &v, &len, ibuf);
            printf("{ entry : %.*s }\n", (int)strnlen((const char *)v, (size_t)len), v);
        } else {
            printf("{ listpack:\n");
            print_listpack(lp);
            printf("}\n");
        }
        printf("}\n");
    }
    ql_settle(ql);
    fflush(stdout);
    reply_status(c, "Quicklist structure printed on stdout");
}

/* ---------------------------------------------------------- REPLYBUFFER */

/* Redis's defaults: peaks reset every 5 s; resizing on. minired keeps no
 * per-client reply buffer peak, so these are stored for the command's
 * sake only. */
#define REPLY_BUFFER_DEFAULT_PEAK_RESET_MS 5000
static long reply_buffer_peak_reset_ms = REPLY_BUFFER_DEFAULT_PEAK_RESET_MS;
static int reply_buffer_resizing = 1;

/* REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|ms> | RESIZING <0|1> */
void debug_replybuffer(client *c) {
    const char *what = c->argv[2], *v = c->argv[3];
    if (strcasecmp(what, "peak-reset-time") == 0) {
        long long ms;
        if (strcasecmp(v, "never") == 0) {
            reply_buffer_peak_reset_ms = -1;
        } else if (strcasecmp(v, "reset") == 0) {
            reply_buffer_peak_reset_ms = REPLY_BUFFER_DEFAULT_PEAK_RESET_MS;
        } else if (string2ll(v, sds_len(c->argv[3]), &ms)) {
            reply_buffer_peak_reset_ms = (long)ms; /* Redis takes any long, negative too */
        } else {
            reply_error_not_integer(c);
            return;
        }
    } else if (strcasecmp(what, "resizing") == 0) {
        reply_buffer_resizing = atoi(v); /* Redis reads it with atoi */
    } else {
        admin_reply_subcommand_syntax(c);
        return;
    }
    reply_ok(c);
}

/* ---------------------------------------------------------- STRINGMATCH-TEST */

#define STRINGMATCH_FUZZ_CYCLES 100000
#define STRINGMATCH_FUZZ_MAX_LEN 32

/* Random byte strings drawn mostly from glob metacharacters, so patterns
 * hit every branch of the matcher (brackets, ranges, escapes, stars). */
static int fuzz_fill(char *buf) {
    static const char alphabet[] = "*?[]^-\\ab";
    int len = rand() % STRINGMATCH_FUZZ_MAX_LEN;
    for (int i = 0; i < len; i++)
        buf[i] = (rand() % 4) ? alphabet[rand() % (sizeof(alphabet) - 1)] : (char)(rand() % 256);
    return len;
}

void debug_stringmatch_test(client *c) {
    char pat[STRINGMATCH_FUZZ_MAX_LEN], str[STRINGMATCH_FUZZ_MAX_LEN];
    for (int i = 0; i < STRINGMATCH_FUZZ_CYCLES; i++) {
        int plen = fuzz_fill(pat), slen = fuzz_fill(str);
        string_match_len(pat, plen, str, slen, i & 1);
    }
    reply_status(c, "Apparently Redis did not crash: test passed");
}

/* ---------------------------------------------------------- CHANGE-REPL-ID */

void debug_change_repl_id(client *c) {
    repl_change_replid();
    reply_ok(c);
}

int debug_reply_buffer_resizing(void) {
    return reply_buffer_resizing;
}

long debug_reply_buffer_peak_reset_ms(void) {
    return reply_buffer_peak_reset_ms;
}
