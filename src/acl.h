#ifndef MINIRED_ACL_H
#define MINIRED_ACL_H

#include "commands.h"
#include "server.h"

/* Command ids are given by commands.c (redis_command.id); the bitmaps of
 * allowed commands hold this many. */
#define ACL_MAX_COMMANDS 1024

/* Key pattern permissions (%R~ / %W~ / ~). */
#define ACL_PERM_READ (1 << 0)
#define ACL_PERM_WRITE (1 << 1)
#define ACL_PERM_ALL (ACL_PERM_READ | ACL_PERM_WRITE)

/* Selector flags. */
#define ACL_SEL_ALLKEYS (1 << 0)
#define ACL_SEL_ALLCHANNELS (1 << 1)
#define ACL_SEL_ALLCOMMANDS (1 << 2) /* base is +@all (else -@all) */

enum { ACL_SANITIZE_DEFAULT = 0, ACL_SANITIZE_SKIP, ACL_SANITIZE_ALWAYS };

typedef struct acl_key_pattern {
    int perm;
    int prefix_len; /* pattern is this many literal bytes then one '*'; -1: any other glob */
    sds pattern;
} acl_key_pattern;

typedef struct acl_first_arg {
    int id; /* command id */
    sds arg;
} acl_first_arg;

typedef struct acl_selector {
    int flags;
    uint64_t allowed[ACL_MAX_COMMANDS / 64];
    acl_key_pattern *keys;
    int nkeys;
    struct acl_first_arg *fargs; /* "+select|0": first arguments allowed for
                                  * a command whose bit is off */
    int nfargs;
    sds *channels;
    int nchannels;
} acl_selector;

typedef struct acl_user {
    sds name;
    int enabled;
    int nopass;
    int sanitize; /* ACL_SANITIZE_*: the user's RESTORE payload rule */
    sds *passwords; /* hex SHA-256 digests */
    int npasswords;
    acl_selector root;
    acl_selector **selectors; /* the "(...)" ones */
    int nselectors;
    int unrestricted; /* allcommands + allkeys + allchannels, no selectors */
} acl_user;

/* Why acl_check refused. */
enum acl_denial { ACL_OK = 0, ACL_DENIED_CMD, ACL_DENIED_KEY, ACL_DENIED_CHANNEL };

void acl_init(void);
/* CONFIG SET requirepass: the default user gets that password (or nopass). */
int acl_requirepass_changed(char *err, size_t errlen);
acl_user *acl_default_user(void);
acl_user *acl_find_user(const char *name, size_t len);
/* Creates user name (empty rules, off); NULL if it exists. */
acl_user *acl_create_user(const char *name, size_t len);
void acl_free_user(acl_user *u);
acl_user *acl_dup_user(const acl_user *u);
/* Applies one rule to u; on error returns -1 and sets *err (static text). */
int acl_apply_rule(acl_user *u, const char *op, size_t len, const char **err);
/* The one rule error Redis calls "missing" (ENOENT): ACL LOAD reports
 * each of these, but only the first error of any other kind per line. */
#define ACL_ERR_UNKNOWN_CMD "Unknown command or category name in ACL"
/* Joins the arguments of a selector split on spaces ("(~x*" "+set)" is
 * one rule): new array of new sds, or NULL with *err (new sds) on an
 * unmatched parenthesis. */
sds *acl_merge_selector_args(sds *argv, int argc, int *outc, sds *err);
/* Applies argv[0..argc) to a copy of u (merging "(...)" selectors split on
 * spaces); on success replaces u's contents, returns 0; on error replies
 * nothing and returns -1 with *err a new sds (Redis's text). */
int acl_setuser_args(acl_user *u, sds *argv, int argc, sds *err);
/* "on nopass ~* &* +@all" for ACL LIST (returns new). */
sds acl_describe_user(const acl_user *u);
sds acl_describe_selector_commands(const acl_selector *s);
sds acl_describe_selector_keys(const acl_selector *s);
sds acl_describe_selector_channels(const acl_selector *s);
/* Whether pass (clear text) authenticates u (enabled, nopass or digest). */
int acl_check_password(const acl_user *u, const char *pass, size_t len);
/* Whether u may run cmd with argv; on denial *pos is the offending
 * argument index (0 for the command). */
enum acl_denial acl_check(const acl_user *u, const struct redis_command *cmd, sds *argv, int argc, int *pos);
/* Whether a selector of u that allows this call reads every key (SORT's
 * BY / GET patterns name keys no ACL check sees). */
int acl_reads_all_keys(const acl_user *u, const struct redis_command *cmd, sds *argv, int argc);
/* Whether any selector of u lets it use channel (or pattern) ch. */
int acl_channel_allowed(const acl_user *u, const sds ch, int is_pattern);
/* Category bit by name (without '@'), 0 when unknown. */
uint64_t acl_category_by_name(const char *name);
int acl_category_count(void);
const char *acl_category_name(int i);
/* Every user, by name order of insertion; returns the count. */
int acl_users(acl_user ***out);
int acl_delete_user(const char *name);


/* Loading a file all or nothing (acl_file.c): take sets the users aside
 * and starts an empty list; restore puts them back (dropping what was
 * loaded); release keeps the loaded ones. */
typedef struct acl_snapshot acl_snapshot;
acl_snapshot *acl_snapshot_take(void);
void acl_snapshot_restore(acl_snapshot *s);
void acl_snapshot_keep_default(acl_snapshot *s);
void acl_snapshot_release(acl_snapshot *s);

/* acl_file.c */
/* Replaces the users with the file's; NULL, or the error (new sds). */
sds acl_load_file(const char *path);
/* Writes ACL LIST's lines to path atomically; NULL, or the error. */
sds acl_save_file(const char *path);
/* CONFIG REWRITE's user lines ("user name rules\n" each) from the users
 * as they are; empty when an aclfile holds them (returns new). */
sds acl_config_user_lines(void);
/* Applies redis.conf's user lines and the aclfile at start; -1 (logged)
 * when the server must not start. */
int acl_load_startup(void);

/* acl_cmd.c */
/* Closes every client running as u (the running client after its reply),
 * so none keeps a freed user. */
void acl_kill_clients_of(acl_user *u);
/* NULL when c's user may run cmd with c->argv; else the -NOPERM error
 * (new sds), with an ACL LOG entry in kind's context. */
sds acl_check_client(client *c, const struct redis_command *cmd, enum cmd_caller kind);
/* EXEC's second look at a queued command (the rules may have changed
 * since it was queued): NULL, or Redis's -NOPERM text (new sds). */
sds acl_check_exec(client *c, const struct redis_command *cmd);
/* Checks user/pass; on success c runs as that user (returns 1); a failure
 * is logged (returns 0). */
int acl_authenticate(client *c, const sds username, const sds pass);
/* Whether the default user needs no password (new clients start
 * authenticated; protected mode applies). */
int acl_default_nopass(void);
void acl_client_init(client *c);
const char *acl_client_username(const client *c);

#endif
