/* acl.c -- the ACL user model: users, passwords (hex SHA-256), selectors
 * (command bitmaps, key and channel patterns), the rule parser of ACL
 * SETUSER, the description ACL LIST / GETUSER print, and the permission
 * check cmd_resolve asks.
 *
 * Owns the user list; never replies (acl_cmd.c does). Invariant: a
 * selector is its bitmap, its base flag (+@all / -@all) and its
 * first-argument rules, nothing else: the description is derived from
 * them, as Redis 7.0 derives it, so replaying ACL LIST recreates the
 * same bitmap. The default user exists from acl_init on. */
#include "acl.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl_absent.h"
#include "commands.h"
#include "log.h"
#include "sha256.h"
#include "util.h"
#include "zmalloc.h"

static const struct {
    const char *name;
    uint64_t bit;
} categories[] = {
    {"keyspace", ACL_KEYSPACE},   {"read", ACL_READ},           {"write", ACL_WRITE},
    {"set", ACL_SET},             {"sortedset", ACL_SORTEDSET}, {"list", ACL_LIST},
    {"hash", ACL_HASH},           {"string", ACL_STRING},       {"bitmap", ACL_BITMAP},
    {"hyperloglog", ACL_HYPERLOGLOG}, {"geo", ACL_GEO},         {"stream", ACL_STREAM},
    {"pubsub", ACL_PUBSUB},       {"admin", ACL_ADMIN},         {"fast", ACL_FAST},
    {"slow", ACL_SLOW},           {"blocking", ACL_BLOCKING},   {"dangerous", ACL_DANGEROUS},
    {"connection", ACL_CONNECTION}, {"transaction", ACL_TRANSACTION}, {"scripting", ACL_SCRIPTING},
};
#define CATEGORY_COUNT ((int)(sizeof(categories) / sizeof(categories[0])))

uint64_t acl_category_by_name(const char *name) {
    for (int i = 0; i < CATEGORY_COUNT; i++)
        if (strcasecmp(name, categories[i].name) == 0) return categories[i].bit;
    return 0;
}

int acl_category_count(void) {
    return CATEGORY_COUNT;
}

const char *acl_category_name(int i) {
    return categories[i].name;
}

/* ---------------------------------------------------------- users */

/* Sorted by name, as Redis keeps them (ACL LIST / USERS order). */
static acl_user **users;
static int nusers;
static acl_user *default_user;

static int bitmap_get(const acl_selector *s, int id) {
    return (s->allowed[id / 64] >> (id % 64)) & 1;
}

static void bitmap_set(acl_selector *s, int id, int on) {
    if (on) s->allowed[id / 64] |= 1ULL << (id % 64);
    else s->allowed[id / 64] &= ~(1ULL << (id % 64));
}

static void selector_clear_keys(acl_selector *s) {
    for (int i = 0; i < s->nkeys; i++) sds_free(s->keys[i].pattern);
    zfree(s->keys);
    s->keys = NULL;
    s->nkeys = 0;
}

static void selector_clear_channels(acl_selector *s) {
    for (int i = 0; i < s->nchannels; i++) sds_free(s->channels[i]);
    zfree(s->channels);
    s->channels = NULL;
    s->nchannels = 0;
}

static void selector_clear_fargs(acl_selector *s) {
    for (int i = 0; i < s->nfargs; i++) sds_free(s->fargs[i].arg);
    zfree(s->fargs);
    s->fargs = NULL;
    s->nfargs = 0;
}

/* Any rule that decides a command's bit drops its first-argument rules. */
static void fargs_remove(acl_selector *s, int id) {
    int kept = 0;
    for (int i = 0; i < s->nfargs; i++) {
        if (s->fargs[i].id == id) sds_free(s->fargs[i].arg);
        else s->fargs[kept++] = s->fargs[i];
    }
    s->nfargs = kept;
}

static void selector_free_contents(acl_selector *s) {
    selector_clear_fargs(s);
    selector_clear_keys(s);
    selector_clear_channels(s);
}

static void selector_copy(acl_selector *dst, const acl_selector *src) {
    *dst = *src;
    dst->keys = src->nkeys ? zmalloc(sizeof(acl_key_pattern) * (size_t)src->nkeys) : NULL;
    for (int i = 0; i < src->nkeys; i++) {
        dst->keys[i].perm = src->keys[i].perm;
        dst->keys[i].prefix_len = src->keys[i].prefix_len;
        dst->keys[i].pattern = sds_dup(src->keys[i].pattern);
    }
    dst->fargs = src->nfargs ? zmalloc(sizeof(acl_first_arg) * (size_t)src->nfargs) : NULL;
    for (int i = 0; i < src->nfargs; i++) {
        dst->fargs[i].id = src->fargs[i].id;
        dst->fargs[i].arg = sds_dup(src->fargs[i].arg);
    }
    dst->channels = src->nchannels ? zmalloc(sizeof(sds) * (size_t)src->nchannels) : NULL;
    for (int i = 0; i < src->nchannels; i++) dst->channels[i] = sds_dup(src->channels[i]);
}

static void selector_clear_selectors(acl_user *u) {
    for (int i = 0; i < u->nselectors; i++) {
        selector_free_contents(u->selectors[i]);
        zfree(u->selectors[i]);
    }
    zfree(u->selectors);
    u->selectors = NULL;
    u->nselectors = 0;
}

static int all_bits_set(const acl_selector *s);

/* The one flag the hot path tests: every command, key and channel, no
 * selectors to look at. */
static void user_update_unrestricted(acl_user *u) {
    int all = ACL_SEL_ALLKEYS | ACL_SEL_ALLCHANNELS | ACL_SEL_ALLCOMMANDS;
    u->unrestricted = (u->root.flags & all) == all && all_bits_set(&u->root);
}

acl_user *acl_find_user(const char *name, size_t len) {
    for (int i = 0; i < nusers; i++)
        if (sds_len(users[i]->name) == len && memcmp(users[i]->name, name, len) == 0) return users[i];
    return NULL;
}

static acl_user *user_new(const char *name, size_t len) {
    acl_user *u = zcalloc(sizeof(*u));
    u->name = sds_new_len(name, len);
    return u;
}

acl_user *acl_create_user(const char *name, size_t len) {
    if (acl_find_user(name, len)) return NULL;
    acl_user *u = user_new(name, len);
    int at = 0;
    while (at < nusers && strcmp(users[at]->name, u->name) < 0) at++;
    users = zrealloc(users, sizeof(acl_user *) * (size_t)(nusers + 1));
    memmove(users + at + 1, users + at, sizeof(acl_user *) * (size_t)(nusers - at));
    users[at] = u;
    nusers++;
    return u;
}

static void user_free_contents(acl_user *u) {
    for (int i = 0; i < u->npasswords; i++) sds_free(u->passwords[i]);
    zfree(u->passwords);
    selector_free_contents(&u->root);
    selector_clear_selectors(u);
}

void acl_free_user(acl_user *u) {
    user_free_contents(u);
    sds_free(u->name);
    zfree(u);
}

acl_user *acl_dup_user(const acl_user *src) {
    acl_user *u = user_new(src->name, sds_len(src->name));
    u->enabled = src->enabled;
    u->nopass = src->nopass;
    u->sanitize = src->sanitize;
    u->npasswords = src->npasswords;
    u->passwords = src->npasswords ? zmalloc(sizeof(sds) * (size_t)src->npasswords) : NULL;
    for (int i = 0; i < src->npasswords; i++) u->passwords[i] = sds_dup(src->passwords[i]);
    selector_copy(&u->root, &src->root);
    u->nselectors = src->nselectors;
    u->selectors = src->nselectors ? zmalloc(sizeof(acl_selector *) * (size_t)src->nselectors) : NULL;
    for (int i = 0; i < src->nselectors; i++) {
        u->selectors[i] = zmalloc(sizeof(acl_selector));
        selector_copy(u->selectors[i], src->selectors[i]);
    }
    u->unrestricted = src->unrestricted;
    return u;
}

/* Moves src's rules into dst (keeping dst's name and identity, which
 * clients point at) and frees src. */
static void user_take_contents(acl_user *dst, acl_user *src) {
    user_free_contents(dst);
    sds name = dst->name;
    *dst = *src;
    dst->name = name;
    sds_free(src->name);
    zfree(src);
}

int acl_users(acl_user ***out) {
    *out = users;
    return nusers;
}

int acl_delete_user(const char *name) {
    for (int i = 0; i < nusers; i++) {
        if (strcmp(users[i]->name, name) != 0) continue;
        acl_free_user(users[i]);
        memmove(users + i, users + i + 1, sizeof(acl_user *) * (size_t)(nusers - i - 1));
        nusers--;
        return 1;
    }
    return 0;
}

/* Created on first use too, so code that makes clients without the
 * server's start-up (unit tests) finds it. */
acl_user *acl_default_user(void) {
    if (default_user == NULL) acl_init();
    return default_user;
}

static void max_command_id(redis_command *cmd, void *arg) {
    int *max = arg;
    if (cmd->id > *max) *max = cmd->id;
}

void acl_init(void) {
    if (default_user) return;
    /* The bitmaps are fixed-size: a table outgrowing them is a build
     * mistake, caught before any rule could write past them. */
    int max = 0;
    cmd_foreach(max_command_id, &max);
    int next = acl_absent_init(max + 1);
    if (next > ACL_MAX_COMMANDS) {
        log_warning("ACL: %d commands exceed ACL_MAX_COMMANDS (%d)", next, ACL_MAX_COMMANDS);
        abort();
    }
    default_user = acl_create_user("default", 7);
    const char *err;
    const char *rules[] = {"on", "nopass", "~*", "&*", "+@all"};
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        acl_apply_rule(default_user, rules[i], strlen(rules[i]), &err);
    if (cfg.requirepass) acl_requirepass_changed(NULL, 0);
}

/* As Redis: an empty requirepass means nopass, else exactly that one
 * password. */
int acl_requirepass_changed(char *errbuf, size_t errlen) {
    (void)errbuf;
    (void)errlen;
    const char *err;
    acl_user *default_user = acl_default_user();
    acl_apply_rule(default_user, "resetpass", 9, &err);
    if (cfg.requirepass == NULL) {
        acl_apply_rule(default_user, "nopass", 6, &err);
        return 0;
    }
    sds op = sds_cat(sds_new(">"), cfg.requirepass);
    acl_apply_rule(default_user, op, sds_len(op), &err);
    sds_free(op);
    return 0;
}

/* ---------------------------------------------------------- command rules */

/* Every command a rule can name: the table's, then Redis's that minired
 * lacks (acl_absent.c). */
static void acl_foreach(void (*fn)(redis_command *cmd, void *ctx), void *ctx) {
    cmd_foreach(fn, ctx);
    acl_absent_foreach(fn, ctx);
}

/* What a command rule names: a category (bit), or a command (cmd). */
struct rule_target {
    uint64_t category;
    redis_command *cmd;
    const char *first_arg; /* within the parsed name; len first_arg_len */
    size_t first_arg_len;
};

static void set_command_bits(acl_selector *s, redis_command *cmd, int on) {
    bitmap_set(s, cmd->id, on);
    if (s->nfargs) fargs_remove(s, cmd->id);
    if (cmd->subcommands)
        for (redis_command *sub = cmd->subcommands; sub->name; sub++) bitmap_set(s, sub->id, on);
}

struct category_ctx {
    acl_selector *s;
    uint64_t bit;
    int on;
};

/* A container in the category takes all its subcommands with it, as in
 * Redis (whatever their own categories). */
static void set_category_one(redis_command *cmd, void *arg) {
    struct category_ctx *ctx = arg;
    if (cmd->acl & ctx->bit) set_command_bits(ctx->s, cmd, ctx->on);
}

static void apply_target(acl_selector *s, const struct rule_target *t, int on) {
    if (t->cmd) {
        set_command_bits(s, t->cmd, on);
    } else {
        struct category_ctx ctx = {s, t->category, on};
        acl_foreach(set_category_one, &ctx);
    }
}

/* "get", "config", "config|get" (a container's subcommand, nothing
 * deeper), as Redis looks names up for rules; NULL if none. */
static redis_command *lookup_rule_command(const char *name, size_t len) {
    char buf[128];
    if (len >= sizeof(buf)) return NULL;
    memcpy(buf, name, len);
    buf[len] = '\0';
    char *bar = strchr(buf, '|');
    if (bar) *bar++ = '\0';
    if (bar && strchr(bar, '|')) return NULL;
    redis_command *cmd = cmd_lookup(buf, strlen(buf));
    if (cmd == NULL) cmd = acl_absent_lookup(buf);
    if (cmd == NULL || bar == NULL) return cmd;
    return cmd->subcommands ? cmd_lookup_subcommand(cmd, bar) : NULL;
}

#define ERR_SYNTAX "Syntax error"
#define ERR_UNKNOWN_CMD ACL_ERR_UNKNOWN_CMD
#define ERR_SUBCOMMAND_FIRST_ARG "Allowing first-arg of a subcommand is not supported"

/* Parses the name of a "+name" (plus) or "-name" rule: "@read", "get",
 * "client|id", or "select|0" (first_arg set; plus only), checking in
 * Redis's order so the same error comes out. 0, or -1 with *err. */
static int parse_target(const char *name, size_t len, int plus, struct rule_target *t, const char **err) {
    memset(t, 0, sizeof(*t));
    *err = ERR_UNKNOWN_CMD;
    if (len >= 1 && name[0] == '@') {
        char cat[64];
        if (len - 1 >= sizeof(cat)) return -1;
        memcpy(cat, name + 1, len - 1);
        cat[len - 1] = '\0';
        return (t->category = acl_category_by_name(cat)) != 0 ? 0 : -1;
    }
    const char *bar = plus ? memrchr(name, '|', len) : NULL;
    if (bar == NULL) return (t->cmd = lookup_rule_command(name, len)) != NULL ? 0 : -1;
    /* "+x|y": x must name a command (or a container's subcommand). */
    redis_command *cmd = lookup_rule_command(name, (size_t)(bar - name));
    if (cmd == NULL) return -1;
    if (cmd->parent) {
        *err = ERR_SUBCOMMAND_FIRST_ARG;
        return -1;
    }
    if (bar + 1 == name + len) {
        *err = ERR_SYNTAX;
        return -1;
    }
    if (cmd->subcommands) return (t->cmd = lookup_rule_command(name, len)) != NULL ? 0 : -1;
    t->cmd = cmd;
    t->first_arg = bar + 1;
    t->first_arg_len = len - (size_t)(bar + 1 - name);
    return 0;
}

static void set_all_commands(acl_selector *s, int on) {
    memset(s->allowed, on ? 0xff : 0, sizeof(s->allowed));
    selector_clear_fargs(s);
    if (on) s->flags |= ACL_SEL_ALLCOMMANDS;
    else s->flags &= ~ACL_SEL_ALLCOMMANDS;
}

/* "+select|0": the first argument is allowed unless the whole command
 * already is (Redis's deprecated first-argument rules). */
static void add_first_arg(acl_selector *s, const redis_command *cmd, const char *arg, size_t len) {
    if (bitmap_get(s, cmd->id)) return;
    for (int i = 0; i < s->nfargs; i++)
        if (s->fargs[i].id == cmd->id && sds_len(s->fargs[i].arg) == len && strncasecmp(s->fargs[i].arg, arg, len) == 0)
            return;
    s->fargs = zrealloc(s->fargs, sizeof(acl_first_arg) * (size_t)(s->nfargs + 1));
    s->fargs[s->nfargs].id = cmd->id;
    s->fargs[s->nfargs++].arg = sds_new_len(arg, len);
}

static int first_arg_allowed(const acl_selector *s, const redis_command *cmd, sds *argv, int argc) {
    if (argc < 2) return 0;
    for (int i = 0; i < s->nfargs; i++)
        if (s->fargs[i].id == cmd->id && sds_len(s->fargs[i].arg) == sds_len(argv[1]) &&
            strcasecmp(s->fargs[i].arg, argv[1]) == 0)
            return 1;
    return 0;
}

/* ---------------------------------------------------------- selector rules */

#define ERR_KEYS_AFTER_ALL                                                                                \
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any " \
    "effect. Try 'resetkeys' to start with an empty list of patterns"
#define ERR_CHANNELS_AFTER_ALL                                                                               \
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any " \
    "effect. Try 'resetchannels' to start with an empty list of channels"

/* The common "cache:*" shape, matched with one memcmp instead of the glob
 * matcher (ACL checks run on every command of a restricted user): the
 * literal prefix length, or -1 when the pattern is any other glob. */
static int literal_prefix_len(const char *pat, size_t len) {
    if (len == 0 || pat[len - 1] != '*' || len - 1 > INT_MAX) return -1;
    for (size_t i = 0; i + 1 < len; i++)
        if (pat[i] == '*' || pat[i] == '?' || pat[i] == '[' || pat[i] == '\\') return -1;
    return (int)(len - 1);
}

static int add_key_pattern(acl_selector *s, int perm, const char *pat, size_t len, const char **err) {
    if (s->flags & ACL_SEL_ALLKEYS) {
        *err = ERR_KEYS_AFTER_ALL;
        return -1;
    }
    /* "%RW~*" is a pattern like any other, as in Redis: only allkeys /
     * "~*" (selector_apply) give all keys. */
    for (int i = 0; i < s->nkeys; i++) {
        if (sds_len(s->keys[i].pattern) == len && memcmp(s->keys[i].pattern, pat, len) == 0) {
            s->keys[i].perm |= perm;
            return 0;
        }
    }
    s->keys = zrealloc(s->keys, sizeof(acl_key_pattern) * (size_t)(s->nkeys + 1));
    s->keys[s->nkeys].perm = perm;
    s->keys[s->nkeys].prefix_len = literal_prefix_len(pat, len);
    s->keys[s->nkeys++].pattern = sds_new_len(pat, len);
    return 0;
}

/* "%R~pat", "%W~pat", "%RW~pat" (letters in any order). */
static int parse_percent_keys(acl_selector *s, const char *op, size_t len, const char **err) {
    int perm = 0;
    size_t i = 1;
    for (; i < len && op[i] != '~'; i++) {
        if (op[i] == 'R' || op[i] == 'r') perm |= ACL_PERM_READ;
        else if (op[i] == 'W' || op[i] == 'w') perm |= ACL_PERM_WRITE;
        else break;
    }
    if ((i < len && op[i] != '~') || perm == 0) {
        *err = ERR_SYNTAX;
        return -1;
    }
    if (i >= len) return add_key_pattern(s, perm, "", 0, err); /* "%R": Redis takes an empty pattern */
    return add_key_pattern(s, perm, op + i + 1, len - i - 1, err);
}

static int add_channel(acl_selector *s, const char *pat, size_t len, const char **err) {
    if (s->flags & ACL_SEL_ALLCHANNELS) {
        *err = ERR_CHANNELS_AFTER_ALL;
        return -1;
    }
    if (len == 1 && pat[0] == '*') {
        selector_clear_channels(s);
        s->flags |= ACL_SEL_ALLCHANNELS;
        return 0;
    }
    for (int i = 0; i < s->nchannels; i++)
        if (sds_len(s->channels[i]) == len && memcmp(s->channels[i], pat, len) == 0) return 0;
    s->channels = zrealloc(s->channels, sizeof(sds) * (size_t)(s->nchannels + 1));
    s->channels[s->nchannels++] = sds_new_len(pat, len);
    return 0;
}

static int op_is(const char *op, size_t len, const char *word) {
    return strlen(word) == len && strncasecmp(op, word, len) == 0;
}

/* Rules that a selector (root or "(...)") understands. */
static int selector_apply(acl_selector *s, const char *op, size_t len, const char **err) {
    /* "allkeys" / "~*" and "allchannels" / "&*" are accepted again when
     * already given (only another pattern after them is an error). */
    if (op_is(op, len, "allkeys") || op_is(op, len, "~*")) {
        selector_clear_keys(s);
        s->flags |= ACL_SEL_ALLKEYS;
        return 0;
    }
    if (op_is(op, len, "allchannels") || op_is(op, len, "&*")) {
        selector_clear_channels(s);
        s->flags |= ACL_SEL_ALLCHANNELS;
        return 0;
    }
    if (op_is(op, len, "resetkeys")) {
        selector_clear_keys(s);
        s->flags &= ~ACL_SEL_ALLKEYS;
        return 0;
    }
    if (op_is(op, len, "resetchannels")) {
        selector_clear_channels(s);
        s->flags &= ~ACL_SEL_ALLCHANNELS;
        return 0;
    }
    if (op_is(op, len, "allcommands") || op_is(op, len, "+@all")) {
        set_all_commands(s, 1);
        return 0;
    }
    if (op_is(op, len, "nocommands") || op_is(op, len, "-@all")) {
        set_all_commands(s, 0);
        return 0;
    }
    if (len >= 1 && op[0] == '~') return add_key_pattern(s, ACL_PERM_ALL, op + 1, len - 1, err);
    if (len >= 1 && op[0] == '%') return parse_percent_keys(s, op, len, err);
    if (len >= 1 && op[0] == '&') return add_channel(s, op + 1, len - 1, err);
    if (len >= 1 && (op[0] == '+' || op[0] == '-')) {
        struct rule_target t;
        if (parse_target(op + 1, len - 1, op[0] == '+', &t, err) == -1) return -1;
        if (t.first_arg) {
            add_first_arg(s, t.cmd, t.first_arg, t.first_arg_len);
            return 0;
        }
        apply_target(s, &t, op[0] == '+');
        return 0;
    }
    *err = ERR_SYNTAX;
    return -1;
}

/* ---------------------------------------------------------- user rules */

static int is_hex_digest(const char *p, size_t len) {
    if (len != SHA256_HEX_CHARS) return 0;
    for (size_t i = 0; i < len; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) return 0;
    return 1;
}

static int password_index(const acl_user *u, const char *hex) {
    for (int i = 0; i < u->npasswords; i++)
        if (strcmp(u->passwords[i], hex) == 0) return i;
    return -1;
}

static void password_add(acl_user *u, const char *hex) {
    u->nopass = 0;
    if (password_index(u, hex) >= 0) return;
    u->passwords = zrealloc(u->passwords, sizeof(sds) * (size_t)(u->npasswords + 1));
    u->passwords[u->npasswords++] = sds_new(hex);
}

static int password_remove(acl_user *u, const char *hex, const char **err) {
    int i = password_index(u, hex);
    if (i < 0) {
        *err = "The password you are trying to remove from the user does not exist";
        return -1;
    }
    sds_free(u->passwords[i]);
    memmove(u->passwords + i, u->passwords + i + 1, sizeof(sds) * (size_t)(u->npasswords - i - 1));
    u->npasswords--;
    u->nopass = 0;
    return 0;
}

static void reset_passwords(acl_user *u) {
    for (int i = 0; i < u->npasswords; i++) sds_free(u->passwords[i]);
    zfree(u->passwords);
    u->passwords = NULL;
    u->npasswords = 0;
    u->nopass = 0;
}

/* "(rule rule ...)": a new selector built from the rules inside. */
static int add_selector(acl_user *u, const char *op, size_t len, const char **err) {
    acl_selector *s = zcalloc(sizeof(*s));
    sds inner = sds_new_len(op + 1, len - 2);
    int n;
    sds *parts = sds_split_len(inner, sds_len(inner), " ", 1, &n);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        if (sds_len(parts[i])) rc = selector_apply(s, parts[i], sds_len(parts[i]), err);
    sds_free_split_res(parts, n);
    sds_free(inner);
    if (rc) {
        selector_free_contents(s);
        zfree(s);
        return -1;
    }
    u->selectors = zrealloc(u->selectors, sizeof(acl_selector *) * (size_t)(u->nselectors + 1));
    u->selectors[u->nselectors++] = s;
    return 0;
}

static int user_apply(acl_user *u, const char *op, size_t len, const char **err) {
    char hex[SHA256_HEX_CHARS + 1];
    if (op_is(op, len, "on")) u->enabled = 1;
    else if (op_is(op, len, "off")) u->enabled = 0;
    else if (op_is(op, len, "nopass")) {
        reset_passwords(u);
        u->nopass = 1;
    } else if (op_is(op, len, "resetpass")) reset_passwords(u);
    else if (op_is(op, len, "sanitize-payload")) u->sanitize = ACL_SANITIZE_ALWAYS;
    else if (op_is(op, len, "skip-sanitize-payload")) u->sanitize = ACL_SANITIZE_SKIP;
    else if (op_is(op, len, "clearselectors")) selector_clear_selectors(u);
    else if (op_is(op, len, "reset")) {
        const char *rules[] = {"resetpass", "resetkeys", "resetchannels", "off", "-@all", "clearselectors",
                               "sanitize-payload"};
        for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
            user_apply(u, rules[i], strlen(rules[i]), err);
        if (cfg.acl_pubsub_default_all) add_channel(&u->root, "*", 1, err);
    } else if (len >= 1 && (op[0] == '>' || op[0] == '<')) {
        sha256_hex(op + 1, len - 1, hex);
        if (op[0] == '>') password_add(u, hex);
        else if (password_remove(u, hex, err)) return -1;
    } else if (len >= 1 && (op[0] == '#' || op[0] == '!')) {
        if (!is_hex_digest(op + 1, len - 1)) {
            *err = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
                   "characters";
            return -1;
        }
        memcpy(hex, op + 1, SHA256_HEX_CHARS);
        hex[SHA256_HEX_CHARS] = '\0';
        if (op[0] == '#') password_add(u, hex);
        else if (password_remove(u, hex, err)) return -1;
    } else if (len >= 2 && op[0] == '(' && op[len - 1] == ')') {
        return add_selector(u, op, len, err);
    } else {
        return selector_apply(&u->root, op, len, err);
    }
    return 0;
}

int acl_apply_rule(acl_user *u, const char *op, size_t len, const char **err) {
    int rc = user_apply(u, op, len, err);
    user_update_unrestricted(u);
    return rc;
}

/* Joins the arguments of a selector Redis's clients split on spaces:
 * "(~x*" "+set)" is one rule. Returns the joined rules (new array of new
 * sds), or NULL with *err on an unmatched parenthesis. */
sds *acl_merge_selector_args(sds *argv, int argc, int *outc, sds *err) {
    sds *out = zmalloc(sizeof(sds) * (size_t)(argc ? argc : 1));
    int n = 0;
    for (int i = 0; i < argc; i++) {
        size_t len = sds_len(argv[i]);
        if (len == 0 || argv[i][0] != '(' || argv[i][len - 1] == ')') {
            out[n++] = sds_dup(argv[i]);
            continue;
        }
        sds joined = sds_dup(argv[i]);
        int j = i + 1;
        for (; j < argc; j++) {
            joined = sds_cat_printf(joined, " %s", argv[j]);
            if (sds_len(argv[j]) && argv[j][sds_len(argv[j]) - 1] == ')') break;
        }
        if (j == argc) {
            *err = sds_cat_printf(sds_empty(), "Unmatched parenthesis in acl selector starting at '%s'.", argv[i]);
            sds_free(joined);
            for (int k = 0; k < n; k++) sds_free(out[k]);
            zfree(out);
            return NULL;
        }
        out[n++] = joined;
        i = j;
    }
    *outc = n;
    return out;
}

int acl_setuser_args(acl_user *u, sds *argv, int argc, sds *err) {
    *err = NULL;
    int n;
    sds *rules = acl_merge_selector_args(argv, argc, &n, err);
    if (rules == NULL) return -1;
    acl_user *copy = acl_dup_user(u);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const char *why;
        if (acl_apply_rule(copy, rules[i], sds_len(rules[i]), &why) == -1) {
            *err = sds_cat_printf(sds_empty(), "Error in ACL SETUSER modifier '%s': %s", rules[i], why);
            rc = -1;
        }
    }
    for (int i = 0; i < n; i++) sds_free(rules[i]);
    zfree(rules);
    if (rc) {
        acl_free_user(copy);
        return -1;
    }
    user_take_contents(u, copy);
    return 0;
}

/* ---------------------------------------------------------- description */

struct fixup_ctx {
    const acl_selector *real;
    acl_selector *fake;
    sds out;
};

static void fixup_one(redis_command *cmd, void *arg) {
    struct fixup_ctx *f = arg;
    int want = bitmap_get(f->real, cmd->id);
    if (want != bitmap_get(f->fake, cmd->id)) {
        f->out = sds_cat_printf(f->out, " %c%s", want ? '+' : '-', cmd->fullname);
        set_command_bits(f->fake, cmd, want);
    }
    for (int i = 0; i < f->real->nfargs; i++)
        if (f->real->fargs[i].id == cmd->id) f->out = sds_cat_printf(f->out, " +%s|%s", cmd->fullname, f->real->fargs[i].arg);
}

struct count_ctx {
    const acl_selector *s;
    uint64_t bit;
    int on, off;
};

/* Counts as Redis 7.0 counts: over its command table, not minired's. */
static void count_one(redis_command *cmd, void *arg) {
    struct count_ctx *c = arg;
    if (!(cmd->acl & c->bit) || acl_absent_not_in_redis(cmd)) return;
    if (bitmap_get(c->s, cmd->id)) c->on++;
    else c->off++;
}

static void all_bits_one(redis_command *cmd, void *arg) {
    if (!bitmap_get(arg, cmd->id)) ((acl_selector *)arg)->flags |= ACL_SEL_ALLKEYS;
}

/* Whether every command of the table is allowed (a scratch copy carries
 * the answer in a flag bit, as cmd_foreach has no early exit). */
static int all_bits_set(const acl_selector *s) {
    acl_selector probe;
    memcpy(probe.allowed, s->allowed, sizeof(probe.allowed));
    probe.flags = 0;
    cmd_foreach(all_bits_one, &probe);
    return probe.flags == 0;
}

/* Redis 7.0 keeps no rule history: ACL LIST describes the bitmap. From the
 * base (+@all if the selector was given all commands, future ones
 * included, else -@all) it repeatedly picks the category that best fits
 * what is still unexplained (fewest commands that differ, then most that
 * agree; it must agree more than it differs), then names the single
 * commands left over. The left-over commands come in table order; Redis
 * prints them in its command dict's order, which its random hash seed
 * changes at every start. */
sds acl_describe_selector_commands(const acl_selector *s) {
    int additive = !(s->flags & ACL_SEL_ALLCOMMANDS);
    sds out = sds_new(additive ? "-@all" : "+@all");
    acl_selector fake, temp;
    memset(&fake, 0, sizeof(fake));
    memset(&temp, 0, sizeof(temp));
    set_all_commands(&fake, !additive);
    memcpy(temp.allowed, s->allowed, sizeof(temp.allowed));
    for (;;) {
        int best = -1, mindiff = INT_MAX, maxsame = 0;
        for (int j = 0; j < CATEGORY_COUNT; j++) {
            struct count_ctx c = {&temp, categories[j].bit, 0, 0};
            acl_foreach(count_one, &c);
            int diff = additive ? c.off : c.on, same = additive ? c.on : c.off;
            if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
                best = j;
                mindiff = diff;
                maxsame = same;
            }
        }
        if (best < 0) break;
        struct rule_target t = {.category = categories[best].bit};
        apply_target(&fake, &t, additive);
        apply_target(&temp, &t, !additive);
        out = sds_cat_printf(out, " %c@%s", additive ? '+' : '-', categories[best].name);
    }
    struct fixup_ctx f = {s, &fake, out};
    acl_foreach(fixup_one, &f);
    return f.out;
}

sds acl_describe_selector_keys(const acl_selector *s) {
    if (s->flags & ACL_SEL_ALLKEYS) return sds_new("~*");
    sds out = sds_empty();
    for (int i = 0; i < s->nkeys; i++) {
        if (i) out = sds_cat_len(out, " ", 1);
        const char *prefix = s->keys[i].perm == ACL_PERM_ALL ? "~" : s->keys[i].perm == ACL_PERM_READ ? "%R~" : "%W~";
        out = sds_cat_printf(out, "%s%s", prefix, s->keys[i].pattern);
    }
    return out;
}

sds acl_describe_selector_channels(const acl_selector *s) {
    if (s->flags & ACL_SEL_ALLCHANNELS) return sds_new("&*");
    sds out = sds_empty();
    for (int i = 0; i < s->nchannels; i++) out = sds_cat_printf(out, "%s&%s", i ? " " : "", s->channels[i]);
    return out;
}

/* "keys channels commands" as ACL LIST shows a selector; channels are
 * "resetchannels &a &b" unless all. */
static sds describe_selector(sds out, const acl_selector *s) {
    sds keys = acl_describe_selector_keys(s);
    if (sds_len(keys)) out = sds_cat_printf(out, "%s ", keys);
    sds_free(keys);
    sds ch = acl_describe_selector_channels(s);
    if (s->flags & ACL_SEL_ALLCHANNELS) out = sds_cat_printf(out, "%s ", ch);
    else out = sds_cat_printf(out, "resetchannels%s%s ", sds_len(ch) ? " " : "", ch);
    sds_free(ch);
    sds cmds = acl_describe_selector_commands(s);
    out = sds_cat_sds(out, cmds);
    sds_free(cmds);
    return out;
}

sds acl_describe_user(const acl_user *u) {
    sds out = sds_new(u->enabled ? "on" : "off");
    if (u->nopass) out = sds_cat(out, " nopass");
    if (u->sanitize)
        out = sds_cat(out, u->sanitize == ACL_SANITIZE_SKIP ? " skip-sanitize-payload" : " sanitize-payload");
    for (int i = 0; i < u->npasswords; i++) out = sds_cat_printf(out, " #%s", u->passwords[i]);
    out = sds_cat_len(out, " ", 1);
    out = describe_selector(out, &u->root);
    for (int i = 0; i < u->nselectors; i++) {
        out = sds_cat(out, " (");
        out = describe_selector(out, u->selectors[i]);
        out = sds_cat(out, ")");
    }
    return out;
}

/* ---------------------------------------------------------- checks */

int acl_check_password(const acl_user *u, const char *pass, size_t len) {
    if (!u->enabled) return 0;
    if (u->nopass) return 1;
    char hex[SHA256_HEX_CHARS + 1];
    sha256_hex(pass, len, hex);
    /* Compared through the digest, so timing says nothing of the text. */
    return password_index(u, hex) >= 0;
}

/* Access a key spec asks for: reads for access, writes for insert /
 * update / delete; a spec saying neither (MEMORY USAGE, TYPE) needs only
 * a pattern matching the name, of any kind, as in Redis. */
static int key_spec_perm(int ks_flags) {
    int perm = 0;
    if (ks_flags & KS_ACCESS) perm |= ACL_PERM_READ;
    if (ks_flags & (KS_INSERT | KS_UPDATE | KS_DELETE)) perm |= ACL_PERM_WRITE;
    return perm;
}

static inline __attribute__((always_inline)) int key_allowed(const acl_selector *s, const sds key, int perm) {
    if (s->flags & ACL_SEL_ALLKEYS) return 1;
    for (int i = 0; i < s->nkeys; i++) {
        const acl_key_pattern *k = &s->keys[i];
        if ((k->perm & perm) != perm) continue;
        if (k->prefix_len >= 0) {
            if (sds_len(key) >= (size_t)k->prefix_len && memcmp(key, k->pattern, (size_t)k->prefix_len) == 0)
                return 1;
        } else if (string_match_len(k->pattern, (int)sds_len(k->pattern), key, (int)sds_len(key), 0)) {
            return 1;
        }
    }
    return 0;
}

/* A pattern subscription must name one of the user's patterns exactly;
 * a channel must match one. */
static int channel_allowed(const acl_selector *s, const sds ch, int is_pattern) {
    if (s->flags & ACL_SEL_ALLCHANNELS) return 1;
    for (int i = 0; i < s->nchannels; i++) {
        if (is_pattern) {
            if (sds_len(s->channels[i]) == sds_len(ch) && memcmp(s->channels[i], ch, sds_len(ch)) == 0) return 1;
        } else if (string_match_len(s->channels[i], (int)sds_len(s->channels[i]), ch, (int)sds_len(ch), 0)) {
            return 1;
        }
    }
    return 0;
}

/* Arguments of cmd that are channels: [first, argc) step 1, or none. */
static int channel_args(const redis_command *cmd, int argc, int *first, int *last, int *is_pattern) {
    const char *n = cmd->fullname;
    *is_pattern = 0;
    *first = 1;
    if (strcmp(n, "publish") == 0 || strcmp(n, "spublish") == 0) *last = 1;
    else if (strcmp(n, "subscribe") == 0 || strcmp(n, "ssubscribe") == 0) *last = argc - 1;
    else if (strcmp(n, "psubscribe") == 0) {
        *last = argc - 1;
        *is_pattern = 1;
    } else return 0;
    return 1;
}

#define ACL_STACK_KEYS 16

/* SET's key spec has variable flags: it reads the old value only with
 * GET, so without it a write-only pattern (%W~) is enough, as in Redis.
 * Returns 1 when the spec's access flag stands. */
static int set_reads_old_value(const redis_command *cmd, sds *argv, int argc) {
    if (!(cmd->key_specs[0].flags & KS_VARIABLE_FLAGS) || strcmp(cmd->fullname, "set") != 0) return 1;
    for (int i = 3; i < argc; i++)
        if (strcasecmp(argv[i], "get") == 0) return 1;
    return 0;
}

/* The keys of cmd the selector may not use, found by the general walk of
 * the key specs (several keys, keywords, key counts). */
static enum acl_denial selector_check_keys(const acl_selector *s, const redis_command *cmd, sds *argv, int argc,
                                           int *pos) {
    int stack_idx[ACL_STACK_KEYS], stack_flags[ACL_STACK_KEYS];
    int *idx = stack_idx, *flags = stack_flags;
    if (argc > ACL_STACK_KEYS) {
        idx = zmalloc(sizeof(int) * (size_t)argc);
        flags = zmalloc(sizeof(int) * (size_t)argc);
    }
    int n = cmd_key_positions(cmd, argv, argc, idx, flags);
    enum acl_denial d = ACL_OK;
    int set_reads = set_reads_old_value(cmd, argv, argc);
    /* A spec flagged not-key (SPUBLISH / SSUBSCRIBE's shard channel) is
     * checked as a channel, never as a key, as in Redis. */
    for (int i = 0; i < n && d == ACL_OK; i++)
        if (!(flags[i] & KS_NOT_KEY) &&
            !key_allowed(s, argv[idx[i]], key_spec_perm(set_reads ? flags[i] : flags[i] & ~KS_ACCESS))) {
            d = ACL_DENIED_KEY;
            *pos = idx[i];
        }
    if (idx != stack_idx) {
        zfree(idx);
        zfree(flags);
    }
    return d;
}

static inline __attribute__((always_inline)) enum acl_denial selector_check(const acl_selector *s, const redis_command *cmd, sds *argv, int argc,
                                      int *pos) {
    *pos = 0;
    /* Commands a client may send before authenticating (AUTH, HELLO...)
     * are never denied, as in Redis. */
    if (!bitmap_get(s, cmd->id) && !(cmd->flags & CMD_NO_AUTH) && !(s->nfargs && first_arg_allowed(s, cmd, argv, argc)))
        return ACL_DENIED_CMD;
    if (!(s->flags & ACL_SEL_ALLKEYS)) {
        int k = cmd->simple_key, ks_flags = cmd->key_specs[0].flags;
        if (k && !(ks_flags & (KS_VARIABLE_FLAGS | KS_NOT_KEY))) {
            /* One key at a fixed index (GET, HSET...): no walk. Past the
             * arguments the specs find no key, as the walk would say. */
            if (k < argc && !key_allowed(s, argv[k], key_spec_perm(ks_flags))) {
                *pos = k;
                return ACL_DENIED_KEY;
            }
        } else {
            enum acl_denial d = selector_check_keys(s, cmd, argv, argc, pos);
            if (d != ACL_OK) return d;
        }
    }
    if (!(s->flags & ACL_SEL_ALLCHANNELS) && (cmd->acl & ACL_PUBSUB)) {
        int first, last, is_pattern;
        if (channel_args(cmd, argc, &first, &last, &is_pattern))
            for (int i = first; i <= last && i < argc; i++)
                if (!channel_allowed(s, argv[i], is_pattern)) {
                    *pos = i;
                    return ACL_DENIED_CHANNEL;
                }
    }
    return ACL_OK;
}

enum acl_denial acl_check(const acl_user *u, const redis_command *cmd, sds *argv, int argc, int *pos) {
    *pos = 0;
    if (u->unrestricted) return ACL_OK;
    enum acl_denial d = selector_check(&u->root, cmd, argv, argc, pos);
    if (d == ACL_OK) return ACL_OK;
    /* As Redis: the most specific denial of any selector is reported
     * (channel over key over command); among equals, the one at the
     * later argument. */
    for (int i = 0; i < u->nselectors; i++) {
        int p;
        enum acl_denial sd = selector_check(u->selectors[i], cmd, argv, argc, &p);
        if (sd == ACL_OK) return ACL_OK;
        if (sd > d || (sd == d && p > *pos)) {
            d = sd;
            *pos = p;
        }
    }
    return d;
}

/* ---------------------------------------------------------- reloading */

/* The user list set aside while a file is loaded into an empty one. */
struct acl_snapshot {
    acl_user **users;
    int n;
};

acl_snapshot *acl_snapshot_take(void) {
    acl_snapshot *s = zmalloc(sizeof(*s));
    s->users = users;
    s->n = nusers;
    users = NULL;
    nusers = 0;
    return s;
}

static void free_user_list(acl_user **list, int n) {
    for (int i = 0; i < n; i++) acl_free_user(list[i]);
    zfree(list);
}

void acl_snapshot_restore(acl_snapshot *s) {
    free_user_list(users, nusers);
    users = s->users;
    nusers = s->n;
    zfree(s);
}

/* The file had no default user: a fresh one, as at start (without
 * requirepass, which only redis.conf gives). */
void acl_snapshot_keep_default(acl_snapshot *s) {
    (void)s;
    acl_user *d = acl_create_user("default", 7);
    const char *err;
    const char *rules[] = {"on", "nopass", "~*", "&*", "+@all"};
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) acl_apply_rule(d, rules[i], strlen(rules[i]), &err);
}

/* Keeps the loaded users. As Redis 7.0: the default user keeps its
 * object (its clients stay, under the new rules); every other old user is
 * dropped and its clients closed, even when the file kept it unchanged. */
void acl_snapshot_release(acl_snapshot *s) {
    for (int i = 0; i < nusers; i++) {
        if (strcmp(users[i]->name, "default") != 0) continue;
        for (int j = 0; j < s->n; j++) {
            if (s->users[j] != default_user) continue;
            s->users[j] = NULL;
            user_take_contents(default_user, users[i]);
            users[i] = default_user;
            break;
        }
    }
    default_user = acl_find_user("default", 7);
    for (int j = 0; j < s->n; j++) {
        if (s->users[j] == NULL) continue;
        acl_kill_clients_of(s->users[j]);
        acl_free_user(s->users[j]);
    }
    zfree(s->users);
    zfree(s);
}

int acl_channel_allowed(const acl_user *u, const sds ch, int is_pattern) {
    if (channel_allowed(&u->root, ch, is_pattern)) return 1;
    for (int i = 0; i < u->nselectors; i++)
        if (channel_allowed(u->selectors[i], ch, is_pattern)) return 1;
    return 0;
}

static int selector_reads_all_keys(const acl_selector *s) {
    if (s->flags & ACL_SEL_ALLKEYS) return 1;
    for (int i = 0; i < s->nkeys; i++)
        if ((s->keys[i].perm & ACL_PERM_READ) && strcmp(s->keys[i].pattern, "*") == 0) return 1;
    return 0;
}

int acl_reads_all_keys(const acl_user *u, const redis_command *cmd, sds *argv, int argc) {
    if (u == NULL || u->unrestricted) return 1;
    if (cmd == NULL) return 0;
    int pos;
    if (selector_reads_all_keys(&u->root) && selector_check(&u->root, cmd, argv, argc, &pos) == ACL_OK) return 1;
    for (int i = 0; i < u->nselectors; i++)
        if (selector_reads_all_keys(u->selectors[i]) && selector_check(u->selectors[i], cmd, argv, argc, &pos) == ACL_OK)
            return 1;
    return 0;
}
