/* module_cmd.c -- the MODULE command of a server that loads no modules.
 *
 * minired has no module API: MODULE LIST is always empty, and LOAD /
 * LOADEX / UNLOAD fail as Redis fails them for a library it cannot open or
 * a name it does not know. Those three are protected commands: with
 * enable-module-command no (the default) cmd_resolve refuses them first,
 * with Redis's text. Owns no state. */
#include <strings.h>

#include "commands.h"
#include "log.h"
#include "reply.h"

static void module_list_command(client *c) {
    reply_array_len(c, 0);
}

/* LOAD path [arg ...] and LOADEX path [CONFIG name value ...] [ARGS ...]:
 * nothing can be loaded; the log says why, the reply is Redis's. */
static void module_load_command(client *c) {
    log_warning("Module %s failed to load: modules are not supported by this server", c->argv[2]);
    reply_error(c, "Error loading the extension. Please check the server logs.");
}

static void module_unload_command(client *c) {
    reply_error(c, "Error unloading module: no such module with that name");
}

static void module_help_command(client *c) {
    static const char *help[] = {
        "LIST",
        "    Return a list of loaded modules.",
        "LOAD <path> [<arg> ...]",
        "    Load a module library from <path>, passing to it any optional arguments.",
        "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
        "    Load a module library from <path>, while passing it module configurations and optional arguments.",
        "UNLOAD <name>",
        "    Unload a module.",
        NULL};
    reply_help(c, help);
}

/* ---------------------------------------------------------- table */

#define MODULE_ADMIN_FLAGS (CMD_ADMIN | CMD_NOSCRIPT)
#define MODULE_LOAD_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_PROTECTED)

static redis_command module_subcommands[] = {
    {.name = "list", .proc = module_list_command, .arity = 2, .flags = MODULE_ADMIN_FLAGS,
     .tips = "nondeterministic_output_order", .group = "server", .since = "4.0.0",
     .summary = "List all modules loaded by the server", .complexity = "O(N) where N is the number of loaded modules."},
    {.name = "load", .proc = module_load_command, .arity = -3, .flags = MODULE_LOAD_FLAGS, .group = "server",
     .since = "4.0.0", .summary = "Load a module", .complexity = "O(1)"},
    {.name = "loadex", .proc = module_load_command, .arity = -3, .flags = MODULE_LOAD_FLAGS, .group = "server",
     .since = "7.0.0", .summary = "Load a module with extended parameters", .complexity = "O(1)"},
    {.name = "unload", .proc = module_unload_command, .arity = 3, .flags = MODULE_LOAD_FLAGS, .group = "server",
     .since = "4.0.0", .summary = "Unload a module", .complexity = "O(1)"},
    {.name = "help", .proc = module_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE, .group = "server",
     .since = "5.0.0", .summary = "Show helpful text about the different subcommands", .complexity = "O(1)"},
    {0}};

redis_command module_commands[] = {
    {.name = "module", .arity = -2, .group = "server", .since = "4.0.0", .summary = "A container for module commands",
     .complexity = "Depends on subcommand.", .subcommands = module_subcommands},
    {0}};
