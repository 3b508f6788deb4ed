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

/* MINIRED FAULT ADD <id> <match> <action> [COUNT n] [PROBABILITY p]
 * [CLIENT name-or-id] | DEL <id> | LIST | RESET: fault.c's grammar (the
 * fault tests check COMMAND DOCS has it). */
static const cmd_doc_arg m_fault_match[] = {
    {"any", "pure-token", -1, "ANY", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"name", "string", -1, "COMMAND", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"pattern", "pattern", -1, "KEY", NULL, NULL, NULL, 0, NULL, 0, NULL},
};
static const cmd_doc_arg m_fault_close_when[] = {
    {"before", "pure-token", -1, "BEFORE", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"after", "pure-token", -1, "AFTER", NULL, NULL, NULL, 0, NULL, 0, NULL},
};
static const cmd_doc_arg m_fault_close[] = {
    {"close", "pure-token", -1, "CLOSE", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"when", "oneof", -1, NULL, NULL, NULL, NULL, DOC_ARG_OPTIONAL, NULL, 2, m_fault_close_when},
};
static const cmd_doc_arg m_fault_partial_then[] = {
    {"stall", "pure-token", -1, "STALL", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"close", "pure-token", -1, "CLOSE", NULL, NULL, NULL, 0, NULL, 0, NULL},
};
static const cmd_doc_arg m_fault_partial[] = {
    {"bytes", "integer", -1, "PARTIAL", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"then", "oneof", -1, NULL, NULL, NULL, NULL, DOC_ARG_OPTIONAL, NULL, 2, m_fault_partial_then},
};
static const cmd_doc_arg m_fault_action[] = {
    {"text", "string", -1, "ERROR", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"milliseconds", "integer", -1, "DELAY", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"close-block", "block", -1, NULL, NULL, NULL, NULL, 0, NULL, 2, m_fault_close},
    {"drop-reply", "pure-token", -1, "DROP-REPLY", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"partial-block", "block", -1, NULL, NULL, NULL, NULL, 0, NULL, 2, m_fault_partial},
    {"milliseconds", "integer", -1, "SLOW-READ", NULL, NULL, NULL, 0, NULL, 0, NULL},
};
static const cmd_doc_arg m_fault_add[] = {
    {"add", "pure-token", -1, "ADD", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"id", "string", -1, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"match", "oneof", -1, NULL, NULL, NULL, NULL, 0, NULL, 3, m_fault_match},
    {"action", "oneof", -1, NULL, NULL, NULL, NULL, 0, NULL, 6, m_fault_action},
    {"count", "integer", -1, "COUNT", NULL, NULL, NULL, DOC_ARG_OPTIONAL, NULL, 0, NULL},
    {"probability", "double", -1, "PROBABILITY", NULL, NULL, NULL, DOC_ARG_OPTIONAL, NULL, 0, NULL},
    {"name-or-id", "string", -1, "CLIENT", NULL, NULL, NULL, DOC_ARG_OPTIONAL, NULL, 0, NULL},
};
static const cmd_doc_arg m_fault_del[] = {
    {"del", "pure-token", -1, "DEL", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"id", "string", -1, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL},
};
static const cmd_doc_arg m_fault_ops[] = {
    {"add-block", "block", -1, NULL, NULL, NULL, NULL, 0, NULL, 7, m_fault_add},
    {"del-block", "block", -1, NULL, NULL, NULL, NULL, 0, NULL, 2, m_fault_del},
    {"list", "pure-token", -1, "LIST", NULL, NULL, NULL, 0, NULL, 0, NULL},
    {"reset", "pure-token", -1, "RESET", NULL, NULL, NULL, 0, NULL, 0, NULL},
};
static const cmd_doc_arg m_fault[] = {
    {"operation", "oneof", -1, NULL, NULL, NULL, NULL, 0, NULL, 4, m_fault_ops},
};

const cmd_doc command_docs_minired[] = {
    {"minired", "A container for minired's test controls (virtual clock, fault injection)", "7.0.0", "server",
     "Depends on subcommand.", 0, NULL, NULL, 0, NULL, 0, NULL},
    {"minired|clock", "Read, freeze, advance or set the clock the data reads", "7.0.0", "server", "O(1)", 0, NULL,
     NULL, 0, NULL, 1, m_clock},
    {"minired|fault", "Add, remove or list injected faults", "7.0.0", "server",
     "O(N) where N is the number of faults", 0, NULL, NULL, 0, NULL, 1, m_fault},
    {"minired|help", "Show helpful text about the different subcommands", "7.0.0", "server", "O(1)", 0, NULL,
     NULL, 0, NULL, 0, NULL},
};
const size_t command_docs_minired_count = sizeof(command_docs_minired) / sizeof(command_docs_minired[0]);
