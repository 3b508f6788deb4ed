/* acl_absent.c -- the Redis 7.0 commands minired lacked, as the ACL rules
 * know them, and the commands minired has that Redis 7.0 lacks.
 *
 * Every entry of the list is in the table now (MIGRATE and RESTORE-ASKING
 * were the last), so each is dropped at start; the list stays for commands
 * Redis may add that minired does not have yet.
 *
 * Why: Redis describes a user's commands by best-fitting categories on
 * command counts, so every command of its table weighs in ACL LIST's text,
 * and an aclfile Redis wrote may name these commands ("-migrate"). Each
 * absent command gets a bitmap id after the table's, follows category
 * rules and can be named in a rule; it can never run. An entry whose name
 * the table has (the feature arrived) is dropped at start, so this list
 * only ever shrinks. Owns nothing else; never replies. */
#include "acl_absent.h"

#include <string.h>
#include <strings.h>

#include "acl.h"

/* Redis 7.0.15's COMMAND INFO categories. */
static redis_command absent[] = {
    {.name = "migrate", .acl = ACL_KEYSPACE | ACL_WRITE | ACL_SLOW | ACL_DANGEROUS},
    {.name = "restore-asking", .acl = ACL_KEYSPACE | ACL_WRITE | ACL_SLOW | ACL_DANGEROUS},
};
#define ABSENT_COUNT ((int)(sizeof(absent) / sizeof(absent[0])))

/* Set at init: 0 for an entry the table now has. */
static int absent_live[ABSENT_COUNT];

struct name_probe {
    const char *name;
    int found;
};

static void name_probe_one(redis_command *cmd, void *arg) {
    struct name_probe *p = arg;
    if (cmd->parent == NULL && strcasecmp(cmd->name, p->name) == 0) p->found = 1;
}

/* Whether the table has a top-level command called name. Walks the static
 * table, not the lookup dict: ACL may start before the dict exists (the
 * check-aof / check-rdb modes, unit tests). */
static int table_has(const char *name) {
    struct name_probe p = {name, 0};
    cmd_foreach(name_probe_one, &p);
    return p.found;
}

int acl_absent_init(int first_id) {
    int id = first_id;
    for (int i = 0; i < ABSENT_COUNT; i++) {
        redis_command *c = &absent[i];
        absent_live[i] = !table_has(c->name);
        if (!absent_live[i]) continue;
        c->fullname = c->name;
        c->id = id++;
    }
    return id;
}

void acl_absent_foreach(void (*fn)(redis_command *cmd, void *ctx), void *ctx) {
    for (int i = 0; i < ABSENT_COUNT; i++)
        if (absent_live[i]) fn(&absent[i], ctx);
}

redis_command *acl_absent_lookup(const char *name) {
    for (int i = 0; i < ABSENT_COUNT; i++)
        if (absent_live[i] && strcasecmp(absent[i].name, name) == 0) return &absent[i];
    return NULL;
}

/* minired's own (MINIRED ...) and the 7.2 CLIENT subcommands minired
 * answers as 7.2 does. */
int acl_absent_not_in_redis(const redis_command *cmd) {
    const char *n = cmd->fullname;
    return strcmp(n, "client|setinfo") == 0 || strcmp(n, "client|no-touch") == 0 || strncmp(n, "minired", 7) == 0;
}
