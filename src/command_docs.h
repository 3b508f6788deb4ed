/* command_docs.h -- Redis 7.0's documentation of each command (COMMAND
 * DOCS): the data generated into command_docs_a_k.c / _l_z.c by
 * utils/gen_command_docs.py, next to the command table it completes. */
#ifndef MINIRED_COMMAND_DOCS_H
#define MINIRED_COMMAND_DOCS_H

#include <stddef.h>

/* An argument's flags, in the order Redis lists them. */
#define DOC_ARG_OPTIONAL 1
#define DOC_ARG_MULTIPLE 2
#define DOC_ARG_MULTIPLE_TOKEN 4

/* A command's doc flags. */
#define DOC_DEPRECATED 1
#define DOC_SYSCMD 2

/* One argument; NULL strings and key_spec_index -1 are not shown. Blocks
 * and oneofs hold their own arguments. */
typedef struct cmd_doc_arg {
    const char *name, *type;
    int key_spec_index;
    const char *token, *summary, *since, *deprecated_since;
    int flags;
    const char *value;
    int nargs;
    const struct cmd_doc_arg *args;
} cmd_doc_arg;

/* One command or subcommand, by full name ("xgroup|create"); history holds
 * nhistory (version, text) pairs. */
typedef struct cmd_doc {
    const char *fullname;
    const char *summary, *since, *group, *complexity;
    int doc_flags;
    const char *deprecated_since, *replaced_by;
    int nhistory;
    const char *const *history;
    int nargs;
    const cmd_doc_arg *args;
} cmd_doc;

/* The generated tables, each sorted by full name; every name in the
 * first sorts before every name in the second. */
extern const cmd_doc command_docs_a_k[];
extern const size_t command_docs_a_k_count;
extern const cmd_doc command_docs_l_z[];
extern const size_t command_docs_l_z_count;
/* minired's own commands, written by hand (command_docs_minired.c). */
extern const cmd_doc command_docs_minired[];
extern const size_t command_docs_minired_count;

/* The docs of fullname, or NULL if Redis has none (minired-only). */
const cmd_doc *command_doc_find(const char *fullname);

#endif
