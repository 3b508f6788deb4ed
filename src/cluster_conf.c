/* cluster_conf.c -- nodes.conf of Redis 7.0: parse, format, write in place.
 *
 * Owns only the text format: what a line means for the cluster state
 * (which node gets a slot listed twice, creating nodes named as a primary
 * or in an open slot) is the caller's. Never logs, never exits: a file
 * Redis refuses (or crashes on) is CLCONF_CORRUPT, and no input makes the
 * parser read outside its buffer. Formatting is byte-for-byte Redis's. */
#include "cluster_conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zmalloc.h"

/* Redis reads a line as at least this many fields before the slots. */
#define CLCONF_MIN_NODE_FIELDS 8
/* Without "@cport" (files of Redis < 4.0) the bus port is port + this. */
#define CLCONF_CPORT_INCR 10000

static void set_err(char *err, size_t errlen, const char *msg) {
    if (err && errlen) snprintf(err, errlen, "%s", msg);
}

/* Redis reads ids as 40 characters of [a-z0-9] (not only hex). */
static int valid_node_id(const char *s, size_t len) {
    if (len != CLCONF_NAMELEN) return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))) return 0;
    return 1;
}

/* atoi() as Redis applies it to ports and slots: leading spaces, a sign,
 * then digits up to the first other byte; "abc" is 0. Clamped instead of
 * overflowing. */
static long long lenient_ll(const char *s) {
    while (isspace((unsigned char)*s)) s++;
    int neg = 0;
    if (*s == '+' || *s == '-') neg = (*s++ == '-');
    long long v = 0;
    while (*s >= '0' && *s <= '9') {
        if (v < 1000000000000LL) v = v * 10 + (*s - '0');
        s++;
    }
    return neg ? -v : v;
}

static int flag_from_name(const char *name, unsigned int *flag) {
    static const struct {
        const char *name;
        unsigned int flag;
    } names[] = {
        {"myself", CLCONF_NODE_MYSELF},       {"master", CLCONF_NODE_MASTER},
        {"slave", CLCONF_NODE_SLAVE},         {"fail?", CLCONF_NODE_PFAIL},
        {"fail", CLCONF_NODE_FAIL},           {"handshake", CLCONF_NODE_HANDSHAKE},
        {"noaddr", CLCONF_NODE_NOADDR},       {"nofailover", CLCONF_NODE_NOFAILOVER},
        {"noflags", 0},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i].name) == 0) {
            *flag = names[i].flag;
            return 0;
        }
    }
    return -1;
}

/* "a,b,c": every name must be known (Redis panics on an unknown or empty
 * one, so they are refused here). */
static int parse_flags(const char *text, unsigned int *flags) {
    char buf[64];
    *flags = 0;
    for (const char *p = text;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 0 || n >= sizeof(buf)) return -1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        unsigned int f;
        if (flag_from_name(buf, &f) == -1) return -1;
        *flags |= f;
        if (!comma) return 0;
        p = comma + 1;
    }
}

/* "ip:port@cport,hostname" (token owned by the caller, cut in place).
 * The ip is everything before the last ':' (IPv6 has colons). */
static int parse_address(char *tok, clconf_node *n) {
    char *comma = strchr(tok, ',');
    if (comma) {
        *comma = '\0';
        if (comma[1]) n->hostname = zstrdup(comma + 1);
    }
    char *at = strchr(tok, '@');
    if (at) *at = '\0';
    char *colon = strrchr(tok, ':');
    if (!colon) return -1;
    *colon = '\0';
    if (strlen(tok) >= CLCONF_IP_STR_LEN) return -1;
    memcpy(n->ip, tok, strlen(tok) + 1);
    n->port = (int)lenient_ll(colon + 1);
    n->cport = at ? (int)lenient_ll(at + 1) : n->port + CLCONF_CPORT_INCR;
    return 0;
}

/* "[slot->-id]" or "[slot-<-id]": Redis reads the slot with atoi after
 * the '[', the direction from the byte after the first '-', the id from 3
 * bytes after that '-' up to the last byte (not checked to be ']'). */
static int parse_migration(const char *tok, clconf_node *n) {
    const char *dash = strchr(tok, '-');
    if (!dash || strlen(dash) < 3) return -1;
    long long slot = lenient_ll(tok + 1);
    if (slot < 0 || slot >= CLUSTER_SLOTS) return -1;
    const char *id = dash + 3;
    size_t idlen = strlen(id);
    if (idlen == 0 || !valid_node_id(id, idlen - 1)) return -1;
    n->migrations = zrealloc(n->migrations, sizeof(*n->migrations) * (n->nmigrations + 1));
    clconf_migration *m = &n->migrations[n->nmigrations++];
    m->slot = (unsigned int)slot;
    m->importing = dash[1] != '>';
    memcpy(m->node, id, CLCONF_NAMELEN);
    m->node[CLCONF_NAMELEN] = '\0';
    return 0;
}

/* "a-b" or "a" (token owned by the caller, cut in place). A reversed
 * range lists nothing, as in Redis. */
static int parse_slots(char *tok, clconf_node *n) {
    char *dash = strchr(tok, '-');
    if (dash) *dash = '\0';
    long long start = lenient_ll(tok);
    long long stop = dash ? lenient_ll(dash + 1) : start;
    if (start < 0 || start >= CLUSTER_SLOTS || stop < 0 || stop >= CLUSTER_SLOTS) return -1;
    for (long long s = start; s <= stop; s++) n->slots[s / 8] |= (unsigned char)(1u << (s % 8));
    return 0;
}

static void node_release(clconf_node *n) {
    zfree(n->hostname);
    zfree(n->migrations);
}

/* One node line, already split. Returns NULL or the reason it is refused. */
static const char *parse_node(sds *argv, int argc, clconf_node *n) {
    memset(n, 0, sizeof(*n));
    if (argc < CLCONF_MIN_NODE_FIELDS) return "fewer than 8 fields";
    if (!valid_node_id(argv[0], sds_len(argv[0]))) return "bad node id";
    memcpy(n->name, argv[0], CLCONF_NAMELEN + 1);
    if (parse_address(argv[1], n) == -1) return "bad address";
    if (parse_flags(argv[2], &n->flags) == -1) return "unknown flag";
    if (strcmp(argv[3], "-") != 0) {
        if (!valid_node_id(argv[3], sds_len(argv[3]))) return "bad primary id";
        memcpy(n->master, argv[3], CLCONF_NAMELEN + 1);
    }
    n->ping_sent = strtoll(argv[4], NULL, 10);
    n->pong_received = strtoll(argv[5], NULL, 10);
    n->config_epoch = strtoull(argv[6], NULL, 10);
    n->connected = strcmp(argv[7], "connected") == 0;
    for (int j = CLCONF_MIN_NODE_FIELDS; j < argc; j++) {
        if (argv[j][0] == '[') {
            if (parse_migration(argv[j], n) == -1) return "bad open slot";
        } else if (parse_slots(argv[j], n) == -1) {
            return "bad slot";
        }
    }
    return NULL;
}

/* "vars name value ...": pairs, names case-insensitive, unknown ones
 * skipped (Redis logs them), values read by strtoull. */
static const char *parse_vars(sds *argv, int argc, clconf *c) {
    if ((argc - 1) % 2 != 0) return "vars without a value";
    for (int j = 1; j + 1 < argc; j += 2) {
        uint64_t v = strtoull(argv[j + 1], NULL, 10);
        if (strcasecmp(argv[j], "currentEpoch") == 0)
            c->current_epoch = v;
        else if (strcasecmp(argv[j], "lastVoteEpoch") == 0)
            c->last_vote_epoch = v;
        else {
            c->unknown_vars = zrealloc(c->unknown_vars, sizeof(sds) * (c->nunknown_vars + 1));
            c->unknown_vars[c->nunknown_vars++] = sds_dup(argv[j]);
        }
    }
    return NULL;
}

static const char *parse_line(const char *line, clconf *c, size_t *cap) {
    int argc;
    sds *argv = sds_split_args(line, &argc);
    if (argv == NULL) return "unbalanced quotes";
    const char *why = NULL;
    if (argc == 0) {
        why = "blank line of spaces"; /* Redis crashes on it */
    } else if (strcasecmp(argv[0], "vars") == 0) {
        why = parse_vars(argv, argc, c);
    } else {
        if (c->count == *cap) {
            *cap = *cap ? *cap * 2 : 8;
            c->nodes = zrealloc(c->nodes, sizeof(*c->nodes) * *cap);
        }
        clconf_node *n = &c->nodes[c->count];
        why = parse_node(argv, argc, n);
        if (!why && (n->flags & CLCONF_NODE_MYSELF) && clconf_myself(c))
            why = "two myself lines"; /* Redis crashes on it */
        if (why)
            node_release(n);
        else
            c->count++;
    }
    sds_free_split_res(argv, argc);
    return why;
}

clconf_status clconf_parse(const char *buf, size_t len, clconf *out, char *err, size_t errlen,
                           size_t *err_line) {
    memset(out, 0, sizeof(*out));
    if (err_line) *err_line = 0;
    set_err(err, errlen, "");
    if (len == 0) return CLCONF_EMPTY;
    size_t cap = 0, lineno = 0;
    sds line = sds_empty();
    const char *why = NULL;
    for (size_t pos = 0; pos < len && !why;) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        lineno++;
        /* As fgets() + C strings: a line ends at '\n' or at a NUL byte;
         * an empty line is padding left by an interrupted write. */
        line = sds_cpy_len(line, buf + pos, end - pos);
        pos = end;
        if (line[0] == '\n' || line[0] == '\0') continue;
        why = parse_line(line, out, &cap);
    }
    sds_free(line);
    if (!why && !clconf_myself(out)) {
        why = "no myself line";
        lineno = 0;
    }
    if (why) {
        set_err(err, errlen, why);
        if (err_line) *err_line = lineno;
        clconf_free(out);
        return CLCONF_CORRUPT;
    }
    for (size_t i = 0; i < out->count; i++)
        if (out->nodes[i].config_epoch > out->current_epoch)
            out->current_epoch = out->nodes[i].config_epoch;
    return CLCONF_OK;
}

void clconf_free(clconf *c) {
    for (size_t i = 0; i < c->count; i++) node_release(&c->nodes[i]);
    zfree(c->nodes);
    for (size_t i = 0; i < c->nunknown_vars; i++) sds_free(c->unknown_vars[i]);
    zfree(c->unknown_vars);
    memset(c, 0, sizeof(*c));
}

clconf_node *clconf_myself(const clconf *c) {
    for (size_t i = 0; i < c->count; i++)
        if (c->nodes[i].flags & CLCONF_NODE_MYSELF) return &c->nodes[i];
    return NULL;
}

sds clconf_format_flags(sds s, unsigned int flags) {
    /* Redis's order, which clients that parse CLUSTER NODES see. */
    static const struct {
        unsigned int flag;
        const char *name;
    } order[] = {
        {CLCONF_NODE_MYSELF, "myself"},       {CLCONF_NODE_MASTER, "master"},
        {CLCONF_NODE_SLAVE, "slave"},         {CLCONF_NODE_PFAIL, "fail?"},
        {CLCONF_NODE_FAIL, "fail"},           {CLCONF_NODE_HANDSHAKE, "handshake"},
        {CLCONF_NODE_NOADDR, "noaddr"},       {CLCONF_NODE_NOFAILOVER, "nofailover"},
    };
    int any = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (!(flags & order[i].flag)) continue;
        if (any) s = sds_cat_len(s, ",", 1);
        s = sds_cat(s, order[i].name);
        any = 1;
    }
    return any ? s : sds_cat(s, "noflags");
}

static int slot_bit(const clconf_node *n, int s) {
    return (n->slots[s / 8] >> (s % 8)) & 1;
}

/* " a-b" per run of listed slots, " a" for a run of one. */
static sds format_slots(sds s, const clconf_node *n) {
    for (int start = 0; start < CLUSTER_SLOTS;) {
        if (!slot_bit(n, start)) {
            start++;
            continue;
        }
        int stop = start;
        while (stop + 1 < CLUSTER_SLOTS && slot_bit(n, stop + 1)) stop++;
        if (stop == start)
            s = sds_cat_printf(s, " %d", start);
        else
            s = sds_cat_printf(s, " %d-%d", start, stop);
        start = stop + 1;
    }
    return s;
}

sds clconf_format_node(sds s, const clconf_node *n) {
    s = sds_cat_printf(s, "%s %s:%d@%d", n->name, n->ip, n->port, n->cport);
    if (n->hostname && n->hostname[0]) s = sds_cat_printf(s, ",%s", n->hostname);
    s = sds_cat_len(s, " ", 1);
    s = clconf_format_flags(s, n->flags);
    s = sds_cat_printf(s, " %s %lld %lld %" PRIu64 " %s", n->master[0] ? n->master : "-",
                       n->ping_sent, n->pong_received, n->config_epoch,
                       n->connected ? "connected" : "disconnected");
    s = format_slots(s, n);
    for (size_t i = 0; i < n->nmigrations; i++) {
        const clconf_migration *m = &n->migrations[i];
        s = sds_cat_printf(s, " [%u%s%s]", m->slot, m->importing ? "-<-" : "->-", m->node);
    }
    return s;
}

sds clconf_format_nodes_reply(const clconf *c) {
    sds s = sds_empty();
    for (size_t i = 0; i < c->count; i++) {
        s = clconf_format_node(s, &c->nodes[i]);
        s = sds_cat_len(s, "\n", 1);
    }
    return s;
}

sds clconf_format_file(const clconf *c) {
    sds s = sds_empty();
    for (size_t i = 0; i < c->count; i++) {
        /* A node still in handshake may be a wrong address: not saved. */
        if (c->nodes[i].flags & CLCONF_NODE_HANDSHAKE) continue;
        s = clconf_format_node(s, &c->nodes[i]);
        s = sds_cat_len(s, "\n", 1);
    }
    return sds_cat_printf(s, "vars currentEpoch %" PRIu64 " lastVoteEpoch %" PRIu64 "\n",
                          c->current_epoch, c->last_vote_epoch);
}

static int write_all(int fd, const char *p, size_t len) {
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int clconf_write_file(const char *path, const char *text, size_t len, int do_fsync, char *err,
                      size_t errlen) {
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd == -1) {
        set_err(err, errlen, "open");
        return -1;
    }
    struct stat st;
    const char *step = NULL;
    char *padded = NULL;
    size_t total = len;
    if (fstat(fd, &st) == -1) {
        step = "fstat";
    } else {
        if (st.st_size > 0 && (size_t)st.st_size > len) {
            /* Overwrite the old tail with newlines first, truncate after:
             * whatever point a crash stops at, the file parses. */
            total = (size_t)st.st_size;
            padded = zmalloc(total);
            memcpy(padded, text, len);
            memset(padded + len, '\n', total - len);
        }
        if (write_all(fd, padded ? padded : text, total) == -1)
            step = "write";
        else if (do_fsync && fsync(fd) == -1)
            step = "fsync";
        /* As in Redis, a failed truncate is not an error: the newline
         * padding left behind parses as blank lines. */
        else if (total != len && ftruncate(fd, (off_t)len) == -1)
            step = NULL;
    }
    int saved = errno;
    zfree(padded);
    close(fd);
    if (step) {
        set_err(err, errlen, step);
        errno = saved;
        return -1;
    }
    return 0;
}

int clconf_lock_file(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd == -1) return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
