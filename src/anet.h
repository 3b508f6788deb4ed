/* anet.h -- thin socket helpers: listeners, accept, socket options.
 *
 * Every function that can fail returns ANET_OK / ANET_ERR and writes a
 * one-line reason into the caller's err buffer (ANET_ERR_LEN bytes); none of
 * them logs or touches global state. */
#ifndef MINIRED_ANET_H
#define MINIRED_ANET_H

#include <stddef.h>
#include <sys/types.h>

#define ANET_OK 0
#define ANET_ERR -1
#define ANET_ERR_LEN 256

/* Listens on bindaddr:port (bindaddr NULL: all IPv4 addresses); IPv4 or
 * IPv6 is chosen from the address ("::1", "*", "::*" as in redis.conf).
 * SO_REUSEADDR is set; IPv6 sockets are IPV6_V6ONLY. Returns the fd. */
int anet_tcp_server(char *err, int port, const char *bindaddr, int backlog);
/* Listens on a Unix socket at path (an old file there is removed first);
 * perm != 0 is applied with chmod. Returns the fd. */
int anet_unix_server(char *err, const char *path, mode_t perm, int backlog);
/* Accepts one connection (EINTR retried); ip/port filled if non-NULL.
 * Returns the fd, or ANET_ERR (errno EAGAIN/EWOULDBLOCK when none is
 * waiting on a non-blocking listener). */
int anet_tcp_accept(char *err, int serversock, char *ip, size_t ip_len, int *port);
int anet_unix_accept(char *err, int serversock);
/* Connects (blocking) to addr:port; returns the fd. For tools and tests. */
int anet_tcp_connect(char *err, const char *addr, int port);
/* Same, non-blocking: returns the fd at once with the connect possibly in
 * progress (wait for writability, then read SO_ERROR). */
int anet_tcp_nonblock_connect(char *err, const char *addr, int port);

int anet_non_block(char *err, int fd);
int anet_block(char *err, int fd);
int anet_cloexec(int fd);
int anet_enable_tcp_nodelay(char *err, int fd);
/* Turns on SO_KEEPALIVE and, where the OS allows, sets the idle time and
 * probe interval so a dead peer is found in about 'interval' seconds. */
int anet_keepalive(char *err, int fd, int interval);
/* Peer (remote=1) or local (remote=0) address of fd. A Unix socket gives
 * ip "/unixsocket" and port 0. */
int anet_fd_to_string(int fd, char *ip, size_t ip_len, int *port, int remote);
/* Writes "ip:port", with brackets for IPv6 ("[::1]:6379"); returns length. */
int anet_format_addr(char *buf, size_t buf_len, const char *ip, int port);

#endif
