/* pubsub.c -- publish/subscribe: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, their
 * UNSUBSCRIBEs, PUBLISH, SPUBLISH and PUBSUB, plus delivery of keyspace
 * notifications.
 *
 * Owns three server indexes (channel, pattern, shard channel -> the array
 * of subscribed clients) and each client's pubsub_state (the same three as
 * sets). Invariant: a client is in index[k][name] exactly when name is in
 * its set k, and it carries CLIENT_PUBSUB exactly when it has at least one
 * subscription of any kind. A publish builds the message bytes once and
 * copies them into each subscriber's output: nothing is allocated per
 * subscriber. Never frees or closes a client. */
#include "pubsub.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster.h"
#include "commands.h"
#include "notify.h"
#include "propagate.h"
#include "reply.h"
#include "util.h"
#include "zmalloc.h"

enum pubsub_kind { PS_CHANNEL = 0, PS_PATTERN, PS_SHARD, PS_KINDS };

/* The clients subscribed to one name, in subscription order. */
typedef struct subscribers {
    client **v;
    size_t len, cap;
} subscribers;

struct pubsub_state {
    /* sds name -> subscription sequence number (v.u64); created on first
     * use. The number orders a bare PUNSUBSCRIBE's replies. */
    dict *sets[PS_KINDS];
};

/* Words of the confirmation replies, per kind. */
static const char *const sub_word[PS_KINDS] = {"subscribe", "psubscribe", "ssubscribe"};
static const char *const unsub_word[PS_KINDS] = {"unsubscribe", "punsubscribe", "sunsubscribe"};

static dict *indexes[PS_KINDS];
static uint64_t next_subscription_seq;

/* Reused for every published message; trimmed back after a big one. */
static sds msg_buf;

static void subscribers_free(dict *d, void *val) {
    (void)d;
    subscribers *s = val;
    zfree(s->v);
    zfree(s);
}

static dict_type index_dict_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
    .val_destructor = subscribers_free,
};

static dict_type set_dict_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
};

static void pubsub_notify_publish(const sds channel, const sds message) {
    pubsub_publish(channel, message);
}

void pubsub_init(void) {
    for (int k = 0; k < PS_KINDS; k++) indexes[k] = dict_create(&index_dict_type);
    msg_buf = sds_empty();
    notify_set_publisher(pubsub_notify_publish);
}

/* ---------------------------------------------------------- counts */

static unsigned long client_kind_count(const client *c, int kind) {
    if (c->pubsub == NULL || c->pubsub->sets[kind] == NULL) return 0;
    return dict_size(c->pubsub->sets[kind]);
}

void pubsub_client_counts(const client *c, unsigned long *channels, unsigned long *patterns,
                          unsigned long *shard_channels) {
    *channels = client_kind_count(c, PS_CHANNEL);
    *patterns = client_kind_count(c, PS_PATTERN);
    *shard_channels = client_kind_count(c, PS_SHARD);
}

int pubsub_client_all(const client *c, int (*fn)(const sds name, int is_pattern, void *ctx), void *ctx) {
    if (c->pubsub == NULL) return 1;
    for (int kind = 0; kind < PS_KINDS; kind++) {
        dict *d = c->pubsub->sets[kind];
        if (d == NULL) continue;
        dict_iterator it;
        dict_init_iterator(&it, d);
        dict_entry *de;
        int ok = 1;
        while (ok && (de = dict_next(&it)) != NULL) ok = fn(dict_get_key(de), kind == PS_PATTERN, ctx);
        dict_reset_iterator(&it);
        if (!ok) return 0;
    }
    return 1;
}

unsigned long pubsub_channel_count(void) {
    return dict_size(indexes[PS_CHANNEL]);
}

unsigned long pubsub_pattern_count(void) {
    return dict_size(indexes[PS_PATTERN]);
}

unsigned long pubsub_shard_channel_count(void) {
    return dict_size(indexes[PS_SHARD]);
}

/* The count a (un)subscribe confirmation reports: shard channels count
 * apart; channels and patterns together (as Redis 7.0 replies). */
static long long confirm_count(const client *c, int kind) {
    if (kind == PS_SHARD) return (long long)client_kind_count(c, PS_SHARD);
    return (long long)(client_kind_count(c, PS_CHANNEL) + client_kind_count(c, PS_PATTERN));
}

static void update_flag(client *c) {
    if (client_kind_count(c, PS_CHANNEL) + client_kind_count(c, PS_PATTERN) + client_kind_count(c, PS_SHARD))
        c->flags |= CLIENT_PUBSUB;
    else
        c->flags &= ~CLIENT_PUBSUB;
}

/* ---------------------------------------------------------- index upkeep */

/* Returns c's set of the kind, creating it (and the state) if asked. */
static dict *client_set(client *c, int kind, int create) {
    if (c->pubsub == NULL) {
        if (!create) return NULL;
        c->pubsub = zcalloc(sizeof(*c->pubsub));
    }
    if (c->pubsub->sets[kind] == NULL && create) c->pubsub->sets[kind] = dict_create(&set_dict_type);
    return c->pubsub->sets[kind];
}

/* Adds c to name's subscribers; returns 0 if it already was one. */
static int subscribe_one(client *c, int kind, const sds name) {
    dict *set = client_set(c, kind, 1);
    if (dict_find(set, name)) return 0;
    dict_set_unsigned_int_val(dict_add_raw(set, sds_dup(name), NULL), next_subscription_seq++);
    dict_entry *de = dict_find(indexes[kind], name);
    subscribers *s;
    if (de == NULL) {
        s = zcalloc(sizeof(*s));
        dict_add(indexes[kind], sds_dup(name), s);
    } else {
        s = dict_get_val(de);
    }
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->v = zrealloc(s->v, s->cap * sizeof(client *));
    }
    s->v[s->len++] = c;
    c->flags |= CLIENT_PUBSUB;
    return 1;
}

/* Removes c from name's subscribers; returns 0 if it was none. The
 * caller updates CLIENT_PUBSUB. */
static int unsubscribe_one(client *c, int kind, const sds name) {
    dict *set = client_set(c, kind, 0);
    if (set == NULL || dict_delete(set, name) != DICT_OK) return 0;
    dict_entry *de = dict_find(indexes[kind], name);
    if (de == NULL) return 1; /* cannot happen: the invariant holds */
    subscribers *s = dict_get_val(de);
    for (size_t i = 0; i < s->len; i++) {
        if (s->v[i] != c) continue;
        memmove(s->v + i, s->v + i + 1, (s->len - i - 1) * sizeof(client *));
        s->len--;
        break;
    }
    if (s->len == 0) dict_delete(indexes[kind], name);
    return 1;
}

/* ---------------------------------------------------------- replies */

/* "subscribe"-style confirmation: [word, name (NULL: null), count], a
 * push in RESP3. Sent even under CLIENT REPLY OFF/SKIP, as Redis does. */
static void reply_confirmation(client *c, const char *word, const sds name, long long count) {
    char hdr[RESP_HEADER_MAX];
    size_t wlen = strlen(word);
    sds out = sds_new_len(c->resp == 2 ? "*3\r\n" : ">3\r\n", 4);
    out = sds_cat_len(out, hdr, resp_fmt_header(hdr, '$', (long long)wlen));
    out = sds_cat_len(out, word, wlen);
    out = sds_cat_len(out, "\r\n", 2);
    if (name) {
        out = sds_cat_len(out, hdr, resp_fmt_header(hdr, '$', (long long)sds_len(name)));
        out = sds_cat_len(out, name, sds_len(name));
        out = sds_cat_len(out, "\r\n", 2);
    } else {
        out = sds_cat(out, c->resp == 2 ? "$-1\r\n" : "_\r\n");
    }
    out = sds_cat_len(out, hdr, resp_fmt_header(hdr, ':', count));
    reply_push_proto(c, out, sds_len(out));
    sds_free(out);
}

typedef struct named_seq {
    sds name;
    uint64_t seq;
} named_seq;

static int named_seq_cmp(const void *a, const void *b) {
    uint64_t x = ((const named_seq *)a)->seq, y = ((const named_seq *)b)->seq;
    return x < y ? -1 : x > y;
}

/* Drops every subscription of one kind; with notify, confirms each (or
 * once with a null name when there was none), as a bare UNSUBSCRIBE does.
 * Patterns go in subscription order (Redis keeps them in a list);
 * channels in hash order, as Redis's dict gives them. */
static void unsubscribe_all(client *c, int kind, int notify) {
    dict *set = client_set(c, kind, 0);
    unsigned long n = set ? dict_size(set) : 0;
    if (n) {
        /* Copy the names first: unsubscribing deletes them from the set. */
        named_seq *names = zmalloc(sizeof(*names) * n);
        unsigned long i = 0;
        dict_iterator it;
        dict_init_iterator(&it, set);
        dict_entry *de;
        while ((de = dict_next(&it)) != NULL && i < n) {
            names[i].name = sds_dup(dict_get_key(de));
            names[i++].seq = dict_get_unsigned_int_val(de);
        }
        dict_reset_iterator(&it);
        if (kind == PS_PATTERN) qsort(names, i, sizeof(*names), named_seq_cmp);
        for (unsigned long j = 0; j < i; j++) {
            unsubscribe_one(c, kind, names[j].name);
            if (notify) reply_confirmation(c, unsub_word[kind], names[j].name, confirm_count(c, kind));
            sds_free(names[j].name);
        }
        zfree(names);
    } else if (notify) {
        reply_confirmation(c, unsub_word[kind], NULL, confirm_count(c, kind));
    }
}

void pubsub_client_reset(client *c) {
    if (c->pubsub == NULL) return;
    for (int k = 0; k < PS_KINDS; k++) {
        unsubscribe_all(c, k, 0);
        if (c->pubsub->sets[k]) dict_release(c->pubsub->sets[k]);
    }
    zfree(c->pubsub);
    c->pubsub = NULL;
    c->flags &= ~CLIENT_PUBSUB;
}

static int sds_ptr_cmp(const void *a, const void *b) {
    return sds_cmp(*(const sds *)a, *(const sds *)b);
}

/* Unsubscribes every subscriber of one shard channel, telling each. */
static void shard_drop_channel(const sds name) {
    dict_entry *de = dict_find(indexes[PS_SHARD], name);
    if (de == NULL) return;
    subscribers *s = dict_get_val(de);
    /* A copy: each unsubscribe shrinks (and finally frees) the array. */
    size_t n = s->len;
    client **v = zmalloc(sizeof(client *) * n);
    memcpy(v, s->v, sizeof(client *) * n);
    for (size_t i = 0; i < n; i++) {
        unsubscribe_one(v[i], PS_SHARD, name);
        reply_confirmation(v[i], unsub_word[PS_SHARD], name, confirm_count(v[i], PS_SHARD));
        update_flag(v[i]);
    }
    zfree(v);
}

void pubsub_shard_drop(int (*drop)(const sds name, void *ctx), void *ctx) {
    unsigned long total = dict_size(indexes[PS_SHARD]);
    if (total == 0) return;
    /* Names first: dropping a channel deletes it from the index. */
    sds *names = zmalloc(sizeof(sds) * total);
    unsigned long n = 0;
    dict_iterator it;
    dict_init_iterator(&it, indexes[PS_SHARD]);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL && n < total)
        if (drop(dict_get_key(de), ctx)) names[n++] = sds_dup(dict_get_key(de));
    dict_reset_iterator(&it);
    qsort(names, n, sizeof(sds), sds_ptr_cmp);
    for (unsigned long i = 0; i < n; i++) {
        shard_drop_channel(names[i]);
        sds_free(names[i]);
    }
    zfree(names);
}

/* ---------------------------------------------------------- publishing */

/* Appends "$<len>\r\n<p>\r\n" to msg_buf. */
static void buf_cat_bulk(const char *p, size_t len) {
    char hdr[RESP_HEADER_MAX];
    msg_buf = sds_cat_len(msg_buf, hdr, resp_fmt_header(hdr, '$', (long long)len));
    msg_buf = sds_cat_len(msg_buf, p, len);
    msg_buf = sds_cat_len(msg_buf, "\r\n", 2);
}

/* Copies msg_buf to every client of s (first byte '*' for RESP2, '>' for
 * RESP3); returns how many. */
static long long deliver(const subscribers *s) {
    size_t len = sds_len(msg_buf);
    for (size_t i = 0; i < s->len; i++) {
        client *c = s->v[i];
        msg_buf[0] = c->resp == 2 ? '*' : '>';
        reply_push_proto(c, msg_buf, len);
    }
    return (long long)s->len;
}

/* Publishes on an exact-name index (channels or shard channels). */
static long long publish_exact(int kind, const char *word, size_t word_len, const sds channel, const sds message) {
    dict *idx = indexes[kind];
    if (dict_size(idx) == 0) return 0;
    dict_entry *de = dict_find(idx, channel);
    if (de == NULL) return 0;
    sds_clear(msg_buf);
    msg_buf = sds_cat_len(msg_buf, "*3\r\n", 4);
    buf_cat_bulk(word, word_len);
    buf_cat_bulk(channel, sds_len(channel));
    buf_cat_bulk(message, sds_len(message));
    return deliver(dict_get_val(de));
}

static long long publish_patterns(const sds channel, const sds message) {
    size_t channel_len = sds_len(channel);
    dict *idx = indexes[PS_PATTERN];
    if (dict_size(idx) == 0) return 0;
    long long receivers = 0;
    dict_iterator it;
    dict_init_iterator(&it, idx);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        sds pattern = dict_get_key(de);
        if (!string_match_len(pattern, (int)sds_len(pattern), channel, (int)channel_len, 0)) continue;
        sds_clear(msg_buf);
        msg_buf = sds_cat_len(msg_buf, "*4\r\n", 4);
        buf_cat_bulk("pmessage", 8);
        buf_cat_bulk(pattern, sds_len(pattern));
        buf_cat_bulk(channel, channel_len);
        buf_cat_bulk(message, sds_len(message));
        receivers += deliver(dict_get_val(de));
    }
    dict_reset_iterator(&it);
    return receivers;
}

/* msg_buf is kept between publishes (no allocation per message), but not
 * at the size of an exceptional big one. */
#define MSG_BUF_KEEP_BYTES (64 * 1024)

static void msg_buf_trim(void) {
    if (sds_alloc(msg_buf) > MSG_BUF_KEEP_BYTES) {
        sds_free(msg_buf);
        msg_buf = sds_empty();
    }
}

long long pubsub_publish(const sds channel, const sds message) {
    long long n = publish_exact(PS_CHANNEL, "message", 7, channel, message) + publish_patterns(channel, message);
    msg_buf_trim();
    return n;
}

/* ---------------------------------------------------------- commands */

static void subscribe_generic(client *c, int kind) {
    for (int i = 1; i < c->argc; i++) {
        subscribe_one(c, kind, c->argv[i]);
        reply_confirmation(c, sub_word[kind], c->argv[i], confirm_count(c, kind));
    }
}

static void unsubscribe_generic(client *c, int kind) {
    if (c->argc == 1) {
        unsubscribe_all(c, kind, 1);
    } else {
        /* A name c was not subscribed to is confirmed all the same. */
        for (int i = 1; i < c->argc; i++) {
            unsubscribe_one(c, kind, c->argv[i]);
            reply_confirmation(c, unsub_word[kind], c->argv[i], confirm_count(c, kind));
        }
    }
    update_flag(c);
}

static void subscribe_command(client *c) {
    subscribe_generic(c, PS_CHANNEL);
}

static void unsubscribe_command(client *c) {
    unsubscribe_generic(c, PS_CHANNEL);
}

static void psubscribe_command(client *c) {
    subscribe_generic(c, PS_PATTERN);
}

static void punsubscribe_command(client *c) {
    unsubscribe_generic(c, PS_PATTERN);
}

static void ssubscribe_command(client *c) {
    subscribe_generic(c, PS_SHARD);
}

static void sunsubscribe_command(client *c) {
    unsubscribe_generic(c, PS_SHARD);
}

long long pubsub_publish_shard(const sds channel, const sds message) {
    long long n = publish_exact(PS_SHARD, "smessage", 8, channel, message);
    msg_buf_trim();
    return n;
}

/* PUBLISH and SPUBLISH also reach replicas (never the AOF), so clients
 * subscribed on a replica hear them, as in Redis. A cluster node sends
 * them over the cluster bus instead (PUBLISH to every node, SPUBLISH to
 * its shard), which reaches its replicas too. */
static void publish_command(client *c) {
    reply_integer(c, pubsub_publish(c->argv[1], c->argv[2]));
    if (cluster) cluster_bus_send_publish(c->argv[1], c->argv[2], 0);
    else prop_force_replicas(c);
}

static void spublish_command(client *c) {
    if (cluster) cluster_bus_send_publish(c->argv[1], c->argv[2], 1);
    else prop_force_replicas(c);
    reply_integer(c, pubsub_publish_shard(c->argv[1], c->argv[2]));
}

int pubsub_is_shard_command(const redis_command *cmd) {
    command_proc *p = cmd->proc;
    return p == ssubscribe_command || p == sunsubscribe_command || p == spublish_command;
}

int pubsub_allowed_in_context(const redis_command *cmd) {
    command_proc *p = cmd->proc;
    return p == subscribe_command || p == unsubscribe_command || p == psubscribe_command ||
           p == punsubscribe_command || p == ssubscribe_command || p == sunsubscribe_command ||
           (cmd->parent == NULL &&
            (strcmp(cmd->name, "ping") == 0 || strcmp(cmd->name, "quit") == 0 || strcmp(cmd->name, "reset") == 0));
}

/* ---------------------------------------------------------- PUBSUB */

/* PUBSUB CHANNELS / SHARDCHANNELS [pattern]: names with subscribers. */
static void pubsub_list_names(client *c, int kind) {
    if (c->argc > 3) {
        reply_error_format(c, "unknown subcommand or wrong number of arguments for '%.128s'. Try PUBSUB HELP.",
                           c->argv[1]);
        return;
    }
    sds pattern = c->argc == 3 ? c->argv[2] : NULL;
    dict *idx = indexes[kind];
    sds *names = zmalloc(sizeof(sds) * (dict_size(idx) + 1));
    long n = 0;
    dict_iterator it;
    dict_init_iterator(&it, idx);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        sds name = dict_get_key(de);
        if (pattern == NULL || string_match_len(pattern, (int)sds_len(pattern), name, (int)sds_len(name), 0))
            names[n++] = name;
    }
    dict_reset_iterator(&it);
    reply_array_len(c, n);
    for (long i = 0; i < n; i++) reply_bulk_sds(c, names[i]);
    zfree(names);
}

/* PUBSUB NUMSUB / SHARDNUMSUB name...: [name, count] pairs, flat. */
static void pubsub_count_subscribers(client *c, int kind) {
    reply_array_len(c, (long)(c->argc - 2) * 2);
    for (int i = 2; i < c->argc; i++) {
        subscribers *s = dict_fetch_value(indexes[kind], c->argv[i]);
        reply_bulk_sds(c, c->argv[i]);
        reply_integer(c, s ? (long long)s->len : 0);
    }
}

static void pubsub_channels_command(client *c) {
    pubsub_list_names(c, PS_CHANNEL);
}

static void pubsub_shardchannels_command(client *c) {
    pubsub_list_names(c, PS_SHARD);
}

static void pubsub_numsub_command(client *c) {
    pubsub_count_subscribers(c, PS_CHANNEL);
}

static void pubsub_shardnumsub_command(client *c) {
    pubsub_count_subscribers(c, PS_SHARD);
}

static void pubsub_numpat_command(client *c) {
    reply_integer(c, (long long)dict_size(indexes[PS_PATTERN]));
}

static void pubsub_help_command(client *c) {
    static const char *help[] = {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        NULL,
    };
    reply_help(c, help);
}

/* ---------------------------------------------------------- table */

#define SUB_FLAGS (CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define PUBSUB_SUB_FLAGS (CMD_PUBSUB | CMD_LOADING | CMD_STALE)

static redis_command pubsub_subcommands[] = {
    {.name = "numsub", .proc = pubsub_numsub_command, .arity = -2, .flags = PUBSUB_SUB_FLAGS, .group = "pubsub",
     .since = "2.8.0", .summary = "Get the count of subscribers for channels",
     .complexity = "O(N) for the NUMSUB subcommand, where N is the number of requested channels"},
    {.name = "shardchannels", .proc = pubsub_shardchannels_command, .arity = -2, .flags = PUBSUB_SUB_FLAGS,
     .group = "pubsub", .since = "7.0.0", .summary = "List active shard channels",
     .complexity = "O(N) where N is the number of active shard channels, and assuming constant time pattern "
                   "matching (relatively short shard channels)."},
    {.name = "shardnumsub", .proc = pubsub_shardnumsub_command, .arity = -2, .flags = PUBSUB_SUB_FLAGS,
     .group = "pubsub", .since = "7.0.0", .summary = "Get the count of subscribers for shard channels",
     .complexity = "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels"},
    {.name = "channels", .proc = pubsub_channels_command, .arity = -2, .flags = PUBSUB_SUB_FLAGS,
     .group = "pubsub", .since = "2.8.0", .summary = "List active channels",
     .complexity = "O(N) where N is the number of active channels, and assuming constant time pattern matching "
                   "(relatively short channels and patterns)"},
    {.name = "numpat", .proc = pubsub_numpat_command, .arity = 2, .flags = PUBSUB_SUB_FLAGS, .group = "pubsub",
     .since = "2.8.0", .summary = "Get the count of unique patterns pattern subscriptions", .complexity = "O(1)"},
    {.name = "help", .proc = pubsub_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE, .group = "pubsub",
     .since = "6.2.0", .summary = "Show helpful text about the different subcommands", .complexity = "O(1)"},
    {0}};

redis_command pubsub_commands[] = {
    {.name = "subscribe", .proc = subscribe_command, .arity = -2, .flags = SUB_FLAGS, .group = "pubsub",
     .since = "2.0.0", .summary = "Listen for messages published to the given channels",
     .complexity = "O(N) where N is the number of channels to subscribe to."},
    {.name = "unsubscribe", .proc = unsubscribe_command, .arity = -1, .flags = SUB_FLAGS, .group = "pubsub",
     .since = "2.0.0", .summary = "Stop listening for messages posted to the given channels",
     .complexity = "O(N) where N is the number of clients already subscribed to a channel."},
    {.name = "psubscribe", .proc = psubscribe_command, .arity = -2, .flags = SUB_FLAGS, .group = "pubsub",
     .since = "2.0.0", .summary = "Listen for messages published to channels matching the given patterns",
     .complexity = "O(N) where N is the number of patterns the client is already subscribed to."},
    {.name = "punsubscribe", .proc = punsubscribe_command, .arity = -1, .flags = SUB_FLAGS, .group = "pubsub",
     .since = "2.0.0", .summary = "Stop listening for messages posted to channels matching the given patterns",
     .complexity = "O(N+M) where N is the number of patterns the client is already subscribed and M is the "
                   "number of total patterns subscribed in the system (by any client)."},
    {.name = "publish", .proc = publish_command, .arity = 3, .flags = CMD_PUBSUB | CMD_LOADING | CMD_STALE | CMD_FAST,
     .group = "pubsub", .since = "2.0.0", .summary = "Post a message to a channel",
     .complexity = "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the "
                   "total number of subscribed patterns (by any client)."},
    {.name = "ssubscribe", .proc = ssubscribe_command, .arity = -2, .flags = SUB_FLAGS, .first_key = 1,
     .last_key = -1, .key_step = 1, .ks_flags = KS_NOT_KEY, .group = "pubsub", .since = "7.0.0",
     .summary = "Listen for messages published to the given shard channels",
     .complexity = "O(N) where N is the number of shard channels to subscribe to."},
    {.name = "sunsubscribe", .proc = sunsubscribe_command, .arity = -1, .flags = SUB_FLAGS, .first_key = 1,
     .last_key = -1, .key_step = 1, .ks_flags = KS_NOT_KEY, .group = "pubsub", .since = "7.0.0",
     .summary = "Stop listening for messages posted to the given shard channels",
     .complexity = "O(N) where N is the number of clients already subscribed to a shard channel."},
    {.name = "spublish", .proc = spublish_command, .arity = 3, .flags = CMD_PUBSUB | CMD_LOADING | CMD_STALE | CMD_FAST,
     .first_key = 1, .last_key = 1, .key_step = 1, .ks_flags = KS_NOT_KEY, .group = "pubsub", .since = "7.0.0",
     .summary = "Post a message to a shard channel",
     .complexity = "O(N) where N is the number of clients subscribed to the receiving shard channel."},
    {.name = "pubsub", .arity = -2, .group = "pubsub", .since = "2.8.0", .summary = "A container for Pub/Sub commands",
     .complexity = "Depends on subcommand.", .subcommands = pubsub_subcommands},
    {0}};
