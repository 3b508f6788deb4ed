/* debug_more.h -- DEBUG subcommands beyond debug.c's core ones, and the
 * enable-debug-command / enable-module-command gate. */
#ifndef DEBUG_MORE_H
#define DEBUG_MORE_H

#include "server.h"

/* NULL if c may run the protected command cmd (DEBUG, MODULE LOAD /
 * LOADEX / UNLOAD), else Redis's refusal text (caller frees). */
sds cmd_protected_refusal(client *c, const redis_command *cmd);
/* 1 if c came over the unix socket or a loopback address ("local" in
 * enable-debug-command and its kin). */
int client_is_local(const client *c);

void debug_protocol(client *c);         /* PROTOCOL <type> */
void debug_listpack(client *c);         /* LISTPACK <key> */
void debug_quicklist(client *c);        /* QUICKLIST <key> [<0|1>] */
void debug_replybuffer(client *c);      /* REPLYBUFFER <what> <value> */
void debug_stringmatch_test(client *c); /* STRINGMATCH-TEST */
void debug_change_repl_id(client *c);   /* CHANGE-REPL-ID */

/* The REPLYBUFFER settings (-1: peaks never reset). */
int debug_reply_buffer_resizing(void);
long debug_reply_buffer_peak_reset_ms(void);

#endif
