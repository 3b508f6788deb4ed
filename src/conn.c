/* conn.c -- connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH and
 * the CLIENT family (CLIENT PAUSE's state lives in admin.c).
 *
 * Owns the per-connection state a client changes about itself (protocol,
 * name, library info, authentication, reply mode). Never closes a socket
 * directly: a client that must go is flagged and networking.c frees it
 * once it is safe. */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "admin.h"
#include "blocking.h"
#include "multi.h"
#include "commands.h"
#include "monotonic.h"
#include "networking.h"
#include "pubsub.h"
#include "reply.h"
#include "tracking.h"
#include "util.h"
#include "zmalloc.h"

#define NOAUTH_HELLO_ERROR                                                                     \
    "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO " \
    "AUTH <user> <pass> option can be used to authenticate the client and select the " \
    "RESP protocol version at the same time"
#define WRONGPASS_ERROR "-WRONGPASS invalid username-password pair or user is disabled."

static void ping_command(client *c) {
    if (c->argc > 2) {
        reply_error_arity(c);
        return;
    }
    /* RESP2 subscribed mode answers in the shape of a message, as Redis
     * does: ["pong", argument or ""]. */
    if ((c->flags & CLIENT_PUBSUB) && c->resp == 2) {
        reply_array_len(c, 2);
        reply_bulk(c, "pong", 4);
        if (c->argc == 1) reply_bulk(c, "", 0);
        else reply_bulk_sds(c, c->argv[1]);
        return;
    }
    if (c->argc == 1) reply_proto(c, "+PONG\r\n", 7);
    else reply_bulk_sds(c, c->argv[1]);
}

static void echo_command(client *c) {
    reply_bulk_sds(c, c->argv[1]);
}

static void quit_command(client *c) {
    reply_ok(c);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

static void auth_command(client *c) {
    if (c->argc > 3) {
        reply_error_syntax(c);
        return;
    }
    sds user, pass;
    sds def = NULL;
    if (c->argc == 2) {
        if (acl_default_nopass()) {
            reply_error(c, "AUTH <password> called without any password configured for the default user. "
                           "Are you sure your configuration is correct?");
            return;
        }
        user = def = sds_new("default");
        pass = c->argv[1];
    } else {
        user = c->argv[1];
        pass = c->argv[2];
    }
    int ok = acl_authenticate(c, user, pass);
    sds_free(def);
    if (!ok) {
        reply_error(c, WRONGPASS_ERROR);
        return;
    }
    reply_ok(c);
}

/* Names may hold only printable ASCII other than space. */
static int name_is_valid(const sds name) {
    size_t len = sds_len(name);
    for (size_t i = 0; i < len; i++)
        if (name[i] < '!' || name[i] > '~') return 0;
    return 1;
}

static void set_name(client *c, const sds name) {
    sds_free(c->name);
    c->name = sds_len(name) ? sds_dup(name) : NULL;
}

static void reply_hello_map(client *c) {
    reply_map_len(c, 7);
    reply_bulk_cstr(c, "server");
    reply_bulk_cstr(c, "redis");
    reply_bulk_cstr(c, "version");
    reply_bulk_cstr(c, MINIRED_REDIS_COMPAT_VERSION);
    reply_bulk_cstr(c, "proto");
    reply_integer(c, c->resp);
    reply_bulk_cstr(c, "id");
    reply_integer(c, (long long)c->id);
    reply_bulk_cstr(c, "mode");
    reply_bulk_cstr(c, "standalone");
    reply_bulk_cstr(c, "role");
    reply_bulk_cstr(c, server.is_replica ? "replica" : "master");
    reply_bulk_cstr(c, "modules");
    reply_array_len(c, 0);
}

static void hello_command(client *c) {
    long long ver = 0;
    int next = 1;
    if (c->argc >= 2) {
        if (!string2ll(c->argv[1], sds_len(c->argv[1]), &ver)) {
            reply_error(c, "Protocol version is not an integer or out of range");
            return;
        }
        next = 2;
        if (ver < 2 || ver > 3) {
            reply_error(c, "-NOPROTO unsupported protocol version");
            return;
        }
    }
    sds user = NULL, pass = NULL, name = NULL;
    for (int j = next; j < c->argc; j++) {
        int more = c->argc - j - 1;
        const char *opt = c->argv[j];
        if (strcasecmp(opt, "auth") == 0 && more >= 2) {
            user = c->argv[j + 1];
            pass = c->argv[j + 2];
            j += 2;
        } else if (strcasecmp(opt, "setname") == 0 && more >= 1) {
            name = c->argv[j + 1];
            if (!name_is_valid(name)) {
                reply_error(c, "Client names cannot contain spaces, newlines or special characters.");
                return;
            }
            j++;
        } else {
            reply_error_format(c, "Syntax error in HELLO option '%s'", opt);
            return;
        }
    }
    if (user) {
        if (!acl_authenticate(c, user, pass)) {
            reply_error(c, WRONGPASS_ERROR);
            return;
        }
    }
    if (!c->authenticated) {
        reply_error(c, NOAUTH_HELLO_ERROR);
        return;
    }
    if (name) set_name(c, name);
    if (ver) c->resp = (int)ver;
    reply_hello_map(c);
}

static void reset_command(client *c) {
    multi_client_reset(c);
    tracking_client_reset(c);
    pubsub_client_reset(c);
    c->resp = 2;
    c->db_id = 0;
    c->db = &server.dbs[0];
    c->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_REPLY_SKIP_NEXT | CLIENT_ASKING | CLIENT_READONLY);
    acl_client_init(c);
    sds_free(c->name);
    c->name = NULL;
    reply_status(c, "RESET");
}

/* ---------------------------------------------------------- CLIENT */

static void client_id_command(client *c) {
    reply_integer(c, (long long)c->id);
}

static void client_setname_command(client *c) {
    if (!name_is_valid(c->argv[2])) {
        reply_error(c, "Client names cannot contain spaces, newlines or special characters.");
        return;
    }
    set_name(c, c->argv[2]);
    reply_ok(c);
}

static void client_getname_command(client *c) {
    if (c->name) reply_bulk_sds(c, c->name);
    else reply_null(c);
}

static int client_type_valid(const char *t) {
    return strcasecmp(t, "normal") == 0 || strcasecmp(t, "master") == 0 || strcasecmp(t, "replica") == 0 ||
           strcasecmp(t, "slave") == 0 || strcasecmp(t, "pubsub") == 0;
}

/* Redis's client types: our primary's link is "master", a replica
 * "replica" (or "slave"), a client with subscriptions "pubsub", every other
 * one (MONITOR too) "normal". */
static int client_is_type(const client *c, const char *t) {
    if (c->flags & CLIENT_PRIMARY) return strcasecmp(t, "master") == 0;
    if ((c->flags & CLIENT_REPLICA) && !(c->flags & CLIENT_MONITOR))
        return strcasecmp(t, "replica") == 0 || strcasecmp(t, "slave") == 0;
    if (c->flags & CLIENT_PUBSUB) return strcasecmp(t, "pubsub") == 0;
    return strcasecmp(t, "normal") == 0;
}

static void client_list_command(client *c) {
    const char *type = NULL;
    long long *ids = NULL;
    int nids = 0;
    if (c->argc == 4 && strcasecmp(c->argv[2], "type") == 0) {
        type = c->argv[3];
        if (!client_type_valid(type)) {
            reply_error_format(c, "Unknown client type '%s'", type);
            return;
        }
    } else if (c->argc > 3 && strcasecmp(c->argv[2], "id") == 0) {
        nids = c->argc - 3;
        ids = zmalloc(sizeof(long long) * (size_t)nids);
        for (int i = 0; i < nids; i++) {
            if (!string2ll(c->argv[i + 3], sds_len(c->argv[i + 3]), &ids[i])) {
                zfree(ids);
                reply_error(c, "Invalid client ID");
                return;
            }
        }
    } else if (c->argc != 2) {
        reply_error_syntax(c);
        return;
    }
    sds out = sds_empty();
    /* Oldest first, as Redis lists them (server.clients is newest first). */
    client *last = server.clients;
    while (last && last->next) last = last->next;
    for (client *o = last; o; o = o->prev) {
        if (type && !client_is_type(o, type)) continue;
        if (ids) {
            int hit = 0;
            for (int i = 0; i < nids && !hit; i++) hit = (uint64_t)ids[i] == o->id;
            if (!hit) continue;
        }
        out = net_cat_client_info(out, o);
        out = sds_cat_len(out, "\n", 1);
    }
    zfree(ids);
    reply_verbatim(c, out, sds_len(out), "txt");
    sds_free(out);
}

static void client_info_command(client *c) {
    sds out = net_cat_client_info(sds_empty(), c);
    out = sds_cat_len(out, "\n", 1);
    reply_verbatim(c, out, sds_len(out), "txt");
    sds_free(out);
}

struct kill_filter {
    const char *addr, *laddr, *type, *user;
    uint64_t id;
    int skipme;
};

/* Parses CLIENT KILL's filters; replies and returns 0 on error. */
static int kill_parse_filters(client *c, struct kill_filter *f) {
    memset(f, 0, sizeof(*f));
    f->skipme = 1;
    if ((c->argc - 2) % 2) {
        reply_error_syntax(c);
        return 0;
    }
    for (int i = 2; i < c->argc; i += 2) {
        const char *opt = c->argv[i], *val = c->argv[i + 1];
        if (strcasecmp(opt, "id") == 0) {
            long long id;
            if (!string2ll(val, sds_len(c->argv[i + 1]), &id) || id <= 0) {
                reply_error(c, "client-id should be greater than 0");
                return 0;
            }
            f->id = (uint64_t)id;
        } else if (strcasecmp(opt, "type") == 0) {
            if (!client_type_valid(val)) {
                reply_error_format(c, "Unknown client type '%s'", val);
                return 0;
            }
            f->type = val;
        } else if (strcasecmp(opt, "addr") == 0) {
            f->addr = val;
        } else if (strcasecmp(opt, "laddr") == 0) {
            f->laddr = val;
        } else if (strcasecmp(opt, "user") == 0) {
            if (acl_find_user(val, sds_len(c->argv[i + 1])) == NULL) {
                reply_error_format(c, "No such user '%s'", val);
                return 0;
            }
            f->user = val;
        } else if (strcasecmp(opt, "skipme") == 0) {
            if (strcasecmp(val, "yes") == 0) f->skipme = 1;
            else if (strcasecmp(val, "no") == 0) f->skipme = 0;
            else {
                reply_error_syntax(c);
                return 0;
            }
        } else {
            reply_error_syntax(c);
            return 0;
        }
    }
    return 1;
}

static int kill_matches(const struct kill_filter *f, const client *self, const client *o) {
    if (f->addr && strcmp(o->addr, f->addr) != 0) return 0;
    if (f->laddr && strcmp(o->laddr, f->laddr) != 0) return 0;
    if (f->type && !client_is_type(o, f->type)) return 0;
    if (f->user && strcmp(acl_client_username(o), f->user) != 0) return 0;
    if (f->id && o->id != f->id) return 0;
    if (o == self && f->skipme) return 0;
    return 1;
}

/* Closes o: the caller's own connection only after its reply is sent. */
static void kill_client(client *self, client *o) {
    if (o == self) self->flags |= CLIENT_CLOSE_AFTER_REPLY;
    else net_free_client(o);
}

static void client_kill_command(client *c) {
    struct kill_filter f;
    if (c->argc == 3) { /* old form: CLIENT KILL ip:port */
        memset(&f, 0, sizeof(f));
        f.addr = c->argv[2];
    } else if (!kill_parse_filters(c, &f)) {
        return;
    }
    long long killed = 0;
    int kill_self = 0;
    client *o = server.clients;
    while (o) {
        client *next = o->next;
        if (kill_matches(&f, c, o)) {
            if (o == c) kill_self = 1;
            else kill_client(c, o);
            killed++;
        }
        o = next;
    }
    if (c->argc == 3) {
        if (killed == 0) reply_error(c, "No such client");
        else reply_ok(c);
    } else {
        reply_integer(c, killed);
    }
    if (kill_self) kill_client(c, c);
}

static void client_reply_command(client *c) {
    const char *mode = c->argv[2];
    if (strcasecmp(mode, "on") == 0) {
        c->flags &= ~(CLIENT_REPLY_SKIP | CLIENT_REPLY_OFF);
        reply_ok(c);
    } else if (strcasecmp(mode, "off") == 0) {
        c->flags |= CLIENT_REPLY_OFF;
    } else if (strcasecmp(mode, "skip") == 0) {
        if (!(c->flags & CLIENT_REPLY_OFF)) c->flags |= CLIENT_REPLY_SKIP_NEXT;
    } else {
        reply_error_syntax(c);
    }
}

/* CLIENT SETINFO <LIB-NAME|LIB-VER> value [...]: Redis 7.2's command,
 * which go-redis and others send on every connect. Several attributes in
 * one call are accepted because some clients send them that way. */
static void client_setinfo_command(client *c) {
    if (c->argc % 2) {
        reply_error_arity(c);
        return;
    }
    for (int i = 2; i < c->argc; i += 2) {
        const char *attr = c->argv[i];
        if (strcasecmp(attr, "lib-name") != 0 && strcasecmp(attr, "lib-ver") != 0) {
            reply_error_format(c, "Unrecognized option '%s'", attr);
            return;
        }
        if (!name_is_valid(c->argv[i + 1])) {
            reply_error_format(c, "%s cannot contain spaces, newlines or special characters.", attr);
            return;
        }
    }
    for (int i = 2; i < c->argc; i += 2) {
        sds *slot = strcasecmp(c->argv[i], "lib-name") == 0 ? &c->lib_name : &c->lib_ver;
        sds_free(*slot);
        *slot = sds_len(c->argv[i + 1]) ? sds_dup(c->argv[i + 1]) : NULL;
    }
    reply_ok(c);
}

/* ON / OFF of CLIENT NO-EVICT and NO-TOUCH; replies a syntax error and
 * returns -1 for anything else. */
static int parse_on_off(client *c, const char *arg, int *on) {
    if (strcasecmp(arg, "on") == 0) *on = 1;
    else if (strcasecmp(arg, "off") == 0) *on = 0;
    else {
        reply_error_syntax(c);
        return -1;
    }
    return 0;
}

static void client_set_flag_command(client *c, int flag) {
    int on;
    if (parse_on_off(c, c->argv[2], &on) == -1) return;
    if (on) c->flags |= flag;
    else c->flags &= ~flag;
    reply_ok(c);
}

/* CLIENT NO-EVICT ON|OFF: exempts this connection from client eviction. */
static void client_no_evict_command(client *c) {
    client_set_flag_command(c, CLIENT_NO_EVICT);
}

/* CLIENT NO-TOUCH ON|OFF (Redis 7.2): this connection's reads leave the
 * keys' LRU/LFU data alone (db.c honours the flag). */
static void client_no_touch_command(client *c) {
    client_set_flag_command(c, CLIENT_NO_TOUCH);
}

/* CLIENT PAUSE timeout [WRITE|ALL]: timeout in milliseconds. Redis checks
 * the mode before the timeout. */
static void client_pause_command(client *c) {
    enum admin_pause_mode mode = ADMIN_PAUSE_ALL;
    if (c->argc > 4) {
        admin_reply_subcommand_syntax(c);
        return;
    }
    if (c->argc == 4) {
        if (strcasecmp(c->argv[3], "write") == 0) mode = ADMIN_PAUSE_WRITE;
        else if (strcasecmp(c->argv[3], "all") != 0) {
            reply_error(c, "CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    long long ms;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &ms)) {
        reply_error(c, "timeout is not an integer or out of range");
        return;
    }
    if (ms < 0) {
        reply_error(c, "timeout is negative");
        return;
    }
    long long now = mstime();
    admin_pause(ADMIN_PAUSE_BY_CLIENT, mode, ms > LLONG_MAX - now ? LLONG_MAX : now + ms);
    reply_ok(c);
}

static void client_unpause_command(client *c) {
    admin_unpause(ADMIN_PAUSE_BY_CLIENT);
    reply_ok(c);
}

static void client_help_command(client *c) {
    static const char *help[] = {
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)",
        "    Will not touch LRU/LFU stats when this mode is on.",
        NULL};
    reply_help(c, help);
}

/* CLIENT UNBLOCK <id> [TIMEOUT|ERROR]: ends another client's blocking
 * command as if it timed out, or with an -UNBLOCKED error. */
static void client_unblock_command(client *c) {
    if (c->argc > 4) {
        admin_reply_subcommand_syntax(c);
        return;
    }
    long long id;
    if (!string2ll(c->argv[2], sds_len(c->argv[2]), &id)) {
        reply_error_not_integer(c);
        return;
    }
    enum blocking_unblock_reason why = BLOCK_UNBLOCK_TIMEOUT;
    if (c->argc == 4) {
        if (strcasecmp(c->argv[3], "timeout") == 0) {
            why = BLOCK_UNBLOCK_TIMEOUT;
        } else if (strcasecmp(c->argv[3], "error") == 0) {
            why = BLOCK_UNBLOCK_ERROR;
        } else {
            reply_error(c, "CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    for (client *o = server.clients; o; o = o->next) {
        if ((long long)o->id != id) continue;
        if (!(o->flags & CLIENT_BLOCKED)) break;
        blocking_unblock(o, why);
        reply_integer(c, 1);
        return;
    }
    reply_integer(c, 0);
}

/* ---------------------------------------------------------- table */

#define CONN_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static redis_command client_subcommands[] = {
    {.name = "id", .proc = client_id_command, .arity = 2, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "5.0.0", .summary = "Returns the client ID for the current connection",
     .complexity = "O(1)"},
    {.name = "setname", .proc = client_setname_command, .arity = 3, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "2.6.9", .summary = "Set the current connection name", .complexity = "O(1)"},
    {.name = "getname", .proc = client_getname_command, .arity = 2, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "2.6.9", .summary = "Get the current connection name", .complexity = "O(1)"},
    {.name = "list", .proc = client_list_command, .arity = -2, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .tips = "nondeterministic_output", .group = "connection", .since = "2.4.0",
     .summary = "Get the list of client connections", .complexity = "O(N) where N is the number of client connections"},
    {.name = "info", .proc = client_info_command, .arity = 2, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .tips = "nondeterministic_output", .group = "connection", .since = "6.2.0",
     .summary = "Returns information about the current client connection.", .complexity = "O(1)"},
    {.name = "kill", .proc = client_kill_command, .arity = -3, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "2.4.0",
     .summary = "Kill the connection of a client", .complexity = "O(N) where N is the number of client connections"},
    {.name = "reply", .proc = client_reply_command, .arity = 3, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "3.2.0", .summary = "Instruct the server whether to reply to commands",
     .complexity = "O(1)"},
    {.name = "setinfo", .proc = client_setinfo_command, .arity = -4, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .tips = "request_policy:all_nodes response_policy:all_succeeded", .group = "connection", .since = "7.2.0",
     .summary = "Set client or connection specific info", .complexity = "O(1)"},
    {.name = "pause", .proc = client_pause_command, .arity = -3, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "2.9.50",
     .summary = "Stop processing commands from clients for some time", .complexity = "O(1)"},
    {.name = "unpause", .proc = client_unpause_command, .arity = 2, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "6.2.0",
     .summary = "Resume processing of clients that were paused",
     .complexity = "O(N) Where N is the number of paused clients"},
    {.name = "no-evict", .proc = client_no_evict_command, .arity = 3, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "7.0.0",
     .summary = "Set client eviction mode for the current connection", .complexity = "O(1)"},
    /* Redis 7.2's (7.0 has no NO-TOUCH): asked for by clients that scan
     * without disturbing eviction order. */
    {.name = "no-touch", .proc = client_no_touch_command, .arity = 3, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "7.2.0",
     .summary = "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.",
     .complexity = "O(1)"},
    {.name = "unblock", .proc = client_unblock_command, .arity = -3, .flags = CMD_ADMIN | CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "5.0.0",
     .summary = "Unblock a client blocked in a blocking command from a different connection",
     .complexity = "O(log N) where N is the number of client connections"},
    {.name = "help", .proc = client_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_CONNECTION, .group = "connection", .since = "5.0.0", .summary = "Show helpful text about the different subcommands",
     .complexity = "O(1)"},
    /* Client-side caching (handlers in tracking.c). */
    {.name = "tracking", .proc = client_tracking_command, .arity = -3, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "6.0.0", .summary = "Enable or disable server assisted client side caching support",
     .complexity = "O(1). Some options may introduce additional complexity."},
    {.name = "caching", .proc = client_caching_command, .arity = 3, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "6.0.0",
     .summary = "Instruct the server about tracking or not keys in the next request", .complexity = "O(1)"},
    {.name = "getredir", .proc = client_getredir_command, .arity = 2, .flags = CONN_FLAGS, .acl = ACL_CONNECTION,
     .group = "connection", .since = "6.0.0", .summary = "Get tracking notifications redirection client ID if any",
     .complexity = "O(1)"},
    {.name = "trackinginfo", .proc = client_trackinginfo_command, .arity = 2, .flags = CONN_FLAGS,
     .acl = ACL_CONNECTION, .group = "connection", .since = "6.2.0",
     .summary = "Return information about server assisted client side caching for the current connection",
     .complexity = "O(1)"},
    {0}};

redis_command conn_commands[] = {
    {.name = "ping", .proc = ping_command, .arity = -1, .flags = CMD_FAST | CMD_SENTINEL, .acl = ACL_CONNECTION,
     .tips = ALL_SHARDS_OK, .group = "connection", .since = "1.0.0", .summary = "Ping the server", .complexity = "O(1)"},
    {.name = "echo", .proc = echo_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE | CMD_FAST, .acl = ACL_CONNECTION,
     .group = "connection", .since = "1.0.0", .summary = "Echo the given string", .complexity = "O(1)"},
    {.name = "quit", .proc = quit_command, .arity = -1,
     .flags = CMD_ALLOW_BUSY | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH,
     .acl = ACL_CONNECTION, .group = "connection", .since = "1.0.0", .summary = "Close the connection",
     .complexity = "O(1)"},
    {.name = "reset", .proc = reset_command, .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY,
     .acl = ACL_CONNECTION, .group = "connection", .since = "6.2.0", .summary = "Reset the connection",
     .complexity = "O(1)"},
    {.name = "hello", .proc = hello_command, .arity = -1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL | CMD_ALLOW_BUSY,
     .acl = ACL_CONNECTION, .group = "connection", .since = "6.0.0", .summary = "Handshake with Redis",
     .complexity = "O(1)"},
    {.name = "auth", .proc = auth_command, .arity = -2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL | CMD_ALLOW_BUSY,
     .acl = ACL_CONNECTION, .group = "connection", .since = "1.0.0", .summary = "Authenticate to the server",
     .complexity = "O(N) where N is the number of passwords defined for the user"},
    {.name = "client", .arity = -2, .flags = CMD_SENTINEL, .group = "connection", .since = "2.4.0",
     .summary = "A container for client connection commands", .complexity = "Depends on subcommand.",
     .subcommands = client_subcommands},
    {0}};
