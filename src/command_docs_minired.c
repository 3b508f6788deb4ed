/* command_docs_minired.c -- the documentation of minired's own commands
 * (those Redis does not have, so utils/gen_command_docs.py cannot generate
 * them): written by hand in the same form as the generated tables, so
 * COMMAND DOCS and redis-cli's hints treat them like any other command.
 * Sorted by full name, as command_doc_find searches it. */
#include "command_docs.h"

/* MINIRED CLOCK <FREEZE | ADVANCE ms | SET unix-ms | RESUME | GET> */
static const cmd_doc_arg m_clock_advance[] = {
    {"advance", "pure-token", -1, "ADVANCE", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"milliseconds", "integer", -1, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL},
};
static const cmd_doc_arg m_clock_set[] = {
    {"set", "pure-token", -1, "SET", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"unix-time-milliseconds", "unix-time", -1, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL},
};
static const cmd_doc_arg m_clock_ops[] = {
    {"freeze", "pure-token", -1, "FREEZE", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"advance-block", "block", -1, NULL, NULL, NULL, NULL, 0, NULL, 2, m_clock_advance},
    {"set-block", "block", -1, NULL, NULL, NULL, NULL, 0, NULL, 2, m_clock_set},
    {"resume", "pure-token", -1, "RESUME", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"get", "pure-token", -1, "GET", NULL, NULL, NULL, 0, NULL, 0, NULL},
};
static const cmd_doc_arg m_clock[] = {
    {"operation", "oneof", -1, NULL, NULL, NULL, NULL, 0, NULL, 5, m_clock_ops},
};

/* MINIRED FAULT: its argument tree is fault.c's grammar (kept in step by
 * the fault tests). */
static const cmd_doc_arg m_fault[] = {
    {"operation", "string", -1, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"arg", "string", -1, NULL, NULL, NULL, NULL, DOC_ARG_OPTIONAL | DOC_ARG_MULTIPLE, NULL, 0, NULL},
};

const cmd_doc command_docs_minired[] = {
    {"minired", "A container for minired's test controls (virtual clock, fault injection)", "7.0.0", "server",
     "Depends on subcommand.", 0, NULL, NULL, 0, NULL, 0, NULL},
    {"minired|clock", "Read, freeze, advance or set the clock the data reads", "7.0.0", "server", "O(1)", 0, NULL,
     NULL, 0, NULL, 1, m_clock},
    {"minired|fault", "Add, remove or list injected faults", "7.0.0", "server",
     "O(N) where N is the number of faults", 0, NULL, NULL, 0, NULL, 2, m_fault},
    {"minired|help", "Show helpful text about the different subcommands", "7.0.0", "server", "O(1)", 0, NULL,
     NULL, 0, NULL, 0, NULL},
};
const size_t command_docs_minired_count = sizeof(command_docs_minired) / sizeof(command_docs_minired[0]);
