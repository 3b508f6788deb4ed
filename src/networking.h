/* networking.h -- clients and their sockets: accept, read, parse, run,
 * write. The only module that calls read()/write() on client sockets. */
#ifndef MINIRED_NETWORKING_H
#define MINIRED_NETWORKING_H

#include "server.h"

/* Accept handlers for TCP and Unix listeners (ae file procs). */
void net_accept_tcp_handler(ae_event_loop *el, int fd, void *privdata, int mask);
void net_accept_unix_handler(ae_event_loop *el, int fd, void *privdata, int mask);
/* Returns a new client on fd (fd -1: a fake client with no socket). */
client *net_create_client(int fd);
/* Takes c: closes its socket and frees it now. Never call it on the
 * current client from inside a command: use net_close_async. */
void net_free_client(client *c);
/* Closes c at the next before-sleep. */
void net_close_async(client *c);
/* Skips one client id (a client Redis would create where minired needs
 * none, so later ids match Redis's). */
void net_reserve_client_id(void);
/* Puts c on the pending-write list (called by reply.c). */
void net_schedule_write(client *c);
/* Writes pending output of every client; installs writable handlers for
 * sockets that would block. Called from before-sleep. */
void net_handle_pending_writes(void);
/* Frees clients marked CLOSE_ASAP. */
void net_free_clients_async(void);
/* Cron duty: closes idle clients past cfg.timeout_sec. */
/* now_ms: the data clock (idle times and `timeout` are on it). */
void net_clients_cron(long long now_ms);
/* Frees the current command's arguments and readies c for the next. */
void net_reset_client(client *c);
/* Hands argument i of the running command to the caller (to store in the
 * keyspace without copying). c->argv[i] stays readable until the command
 * ends (slow log, MONITOR); it is then forgotten instead of freed. */
sds net_steal_arg(client *c, int i);
/* Like the end-of-command cleanup, for an argument vector other than the
 * parser's (EXEC's queued commands): slots the keyspace took are set to
 * NULL in argv and their pins dropped. */
void net_release_stolen_in(client *c, sds *argv, int argc);
/* Returns a new string object for argument i: small and integer values are
 * copied into their compact encodings, big ones take the argument's sds
 * (net_steal_arg) without copying. */
robj *net_arg_to_object(client *c, int i);
/* Runs the postponed (CLIENT PAUSE) command of c and the rest of its
 * buffered input. */
void net_resume_postponed(client *c);
/* Stops / resumes reading c's socket (c has one): a long script's caller
 * while the script lets the loop serve other clients. */
void net_protect_client(client *c);
void net_unprotect_client(client *c);
/* Before-sleep duty: resumes the input of clients whose blocked command
 * was served or timed out. */
void net_handle_unblocked(void);
/* Called when c's output grew by a block: closes c (asynchronously) if it
 * is past its class's client-output-buffer-limit. */
void net_check_output_limits(client *c);
/* Bytes of output pending for c. */
size_t net_client_output_len(const client *c);
/* Fault injection (fault.c): holds c's output (not written until
 * released), releases it (scheduling the write), and cuts c's pending
 * output to its first keep bytes. */
void net_hold_output(client *c);
void net_release_output(client *c);
void net_truncate_output(client *c, size_t keep);
/* Appends the CLIENT LIST line of c (no newline) to s; returns s. */
sds net_cat_client_info(sds s, client *c);
/* The memory CLIENT LIST reports as tot-mem for c. */
size_t net_client_tot_mem(const client *c);

/* SCRIPT DEBUG's session talks to its client while the script is stopped,
 * outside the event loop: these wait on the socket (poll) until it is
 * ready. net_read_sync returns the bytes read, 0 or -1 when the peer is
 * gone; net_write_sync writes all of buf (0) or fails (-1). */
ssize_t net_read_sync(client *c, char *buf, size_t cap);
int net_write_sync(client *c, const char *buf, size_t len);

#endif
