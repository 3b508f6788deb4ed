/* anet.c -- socket helpers: TCP/Unix listeners, accept, connect, options.
 *
 * Owns nothing beyond the fds it returns to the caller. It must never log,
 * exit or touch globals: every failure is ANET_ERR plus a one-line reason
 * in the caller's err buffer (which may be NULL), with errno left as the
 * failing call set it. Invariant: an fd it created is either returned or
 * closed before returning. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4 on Linux; the Makefile defines it already */
#endif
#include "anet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Keepalive probes sent before the peer is declared dead. Probes go out
 * every interval / ANET_KEEPALIVE_PROBES seconds (at least
 * ANET_KEEPALIVE_MIN_INTERVAL_SEC), so after 'interval' idle seconds the
 * unanswered probes take about one more interval: dead in ~2 * interval. */
#define ANET_KEEPALIVE_PROBES 3
#define ANET_KEEPALIVE_MIN_INTERVAL_SEC 1
#define ANET_PORT_STR_LEN 16

/* printf-like; keeps errno as the caller saw it. */
static void anet_set_error(char *err, const char *fmt, ...) {
    if (err == NULL) return;
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, ANET_ERR_LEN, fmt, ap);
    va_end(ap);
    errno = saved;
}

static void anet_close_keep_errno(int fd) {
    int saved = errno;
    close(fd);
    errno = saved;
}

/* ------------------------------------------------------------ fd flags */

static int anet_set_block(char *err, int fd, int non_block) {
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1) {
        anet_set_error(err, "fcntl(F_GETFL): %s", strerror(errno));
        return ANET_ERR;
    }
    int wanted = non_block ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (wanted != flags && fcntl(fd, F_SETFL, wanted) == -1) {
        anet_set_error(err, "fcntl(F_SETFL,O_NONBLOCK): %s", strerror(errno));
        return ANET_ERR;
    }
    return ANET_OK;
}

int anet_non_block(char *err, int fd) {
    return anet_set_block(err, fd, 1);
}

int anet_block(char *err, int fd) {
    return anet_set_block(err, fd, 0);
}

int anet_cloexec(int fd) {
    int flags;
    do {
        flags = fcntl(fd, F_GETFD);
    } while (flags == -1 && errno == EINTR);
    if (flags == -1) return ANET_ERR;
    if (flags & FD_CLOEXEC) return ANET_OK;
    int r;
    do {
        r = fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    } while (r == -1 && errno == EINTR);
    return r == -1 ? ANET_ERR : ANET_OK;
}

/* ------------------------------------------------------------ socket options */

int anet_enable_tcp_nodelay(char *err, int fd) {
    int yes = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes)) == -1) {
        anet_set_error(err, "setsockopt TCP_NODELAY: %s", strerror(errno));
        return ANET_ERR;
    }
    return ANET_OK;
}

static int anet_set_tcp_int(char *err, int fd, int opt, const char *name, int value) {
    if (setsockopt(fd, IPPROTO_TCP, opt, &value, sizeof(value)) == -1) {
        anet_set_error(err, "setsockopt %s: %s", name, strerror(errno));
        return ANET_ERR;
    }
    return ANET_OK;
}

/* The default kernel idle time is two hours; a dead peer (a host that
 * vanished without a FIN) would hold its client slot that long. */
int anet_keepalive(char *err, int fd, int interval) {
    int yes = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes)) == -1) {
        anet_set_error(err, "setsockopt SO_KEEPALIVE: %s", strerror(errno));
        return ANET_ERR;
    }
    if (interval <= 0) return ANET_OK;
    int probe_every = interval / ANET_KEEPALIVE_PROBES;
    if (probe_every < ANET_KEEPALIVE_MIN_INTERVAL_SEC) probe_every = ANET_KEEPALIVE_MIN_INTERVAL_SEC;
    (void)probe_every; /* unused where the OS has no TCP_KEEPINTVL */

#if defined(TCP_KEEPIDLE)
    if (anet_set_tcp_int(err, fd, TCP_KEEPIDLE, "TCP_KEEPIDLE", interval) == ANET_ERR) return ANET_ERR;
#elif defined(TCP_KEEPALIVE)
    /* macOS names the idle time TCP_KEEPALIVE. */
    if (anet_set_tcp_int(err, fd, TCP_KEEPALIVE, "TCP_KEEPALIVE", interval) == ANET_ERR) return ANET_ERR;
#endif
#if defined(TCP_KEEPINTVL)
    if (anet_set_tcp_int(err, fd, TCP_KEEPINTVL, "TCP_KEEPINTVL", probe_every) == ANET_ERR) return ANET_ERR;
#endif
#if defined(TCP_KEEPCNT)
    if (anet_set_tcp_int(err, fd, TCP_KEEPCNT, "TCP_KEEPCNT", ANET_KEEPALIVE_PROBES) == ANET_ERR) return ANET_ERR;
#endif
    (void)anet_set_tcp_int;
    return ANET_OK;
}

/* ------------------------------------------------------------ listeners */

/* Binds and listens fd; closes it and returns ANET_ERR on failure. */
static int anet_bind_listen(char *err, int fd, const struct sockaddr *sa, socklen_t len, int backlog) {
    if (bind(fd, sa, len) == -1) {
        anet_set_error(err, "bind: %s", strerror(errno));
        anet_close_keep_errno(fd);
        return ANET_ERR;
    }
    if (listen(fd, backlog) == -1) {
        anet_set_error(err, "listen: %s", strerror(errno));
        anet_close_keep_errno(fd);
        return ANET_ERR;
    }
    return fd;
}

/* A new socket of this family with the listener options set, or -1. */
static int anet_listen_socket(char *err, const struct addrinfo *ai) {
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd == -1) {
        anet_set_error(err, "socket: %s", strerror(errno));
        return -1;
    }
    int yes = 1;
    /* Lets a restarted server bind while old connections sit in TIME_WAIT. */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) == -1) {
        anet_set_error(err, "setsockopt SO_REUSEADDR: %s", strerror(errno));
        anet_close_keep_errno(fd);
        return -1;
    }
    /* "::" must not swallow IPv4 too: "*" is bound separately, as in Redis. */
    if (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes)) == -1) {
        anet_set_error(err, "setsockopt IPV6_V6ONLY: %s", strerror(errno));
        anet_close_keep_errno(fd);
        return -1;
    }
    return fd;
}

int anet_tcp_server(char *err, int port, const char *bindaddr, int backlog) {
    const char *node = bindaddr;
    int family = AF_INET;
    if (bindaddr == NULL || strcmp(bindaddr, "*") == 0) {
        node = NULL;
    } else if (strcmp(bindaddr, "::*") == 0) {
        node = NULL;
        family = AF_INET6;
    } else if (strchr(bindaddr, ':') != NULL) {
        family = AF_INET6;
    }

    char port_str[ANET_PORT_STR_LEN];
    snprintf(port_str, sizeof(port_str), "%d", port);
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rv = getaddrinfo(node, port_str, &hints, &res);
    if (rv != 0) {
        anet_set_error(err, "%s", gai_strerror(rv));
        return ANET_ERR;
    }

    int fd = ANET_ERR;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int s = anet_listen_socket(err, ai);
        if (s == -1) continue;
        fd = anet_bind_listen(err, s, ai->ai_addr, ai->ai_addrlen, backlog);
        /* A bind error on the first address is the answer (port in use). */
        break;
    }
    freeaddrinfo(res);
    return fd;
}

int anet_unix_server(char *err, const char *path, mode_t perm, int backlog) {
    struct sockaddr_un sa;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        anet_set_error(err, "unix socket path too long (%zu bytes max)", sizeof(sa.sun_path) - 1);
        return ANET_ERR;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd == -1) {
        anet_set_error(err, "socket: %s", strerror(errno));
        return ANET_ERR;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    /* A socket file left by a previous run would make bind fail. */
    unlink(path);
    if (anet_bind_listen(err, fd, (struct sockaddr *)&sa, sizeof(sa), backlog) == ANET_ERR) return ANET_ERR;
    if (perm != 0 && chmod(path, perm) == -1) {
        anet_set_error(err, "chmod: %s", strerror(errno));
        anet_close_keep_errno(fd);
        return ANET_ERR;
    }
    return fd;
}

/* ------------------------------------------------------------ accept / connect */

/* The new fd is close-on-exec, so a forked child that execs (a persistence
 * helper, a script) does not hold clients open. */
static int anet_generic_accept(char *err, int serversock, struct sockaddr *sa, socklen_t *len) {
    int fd;
    for (;;) {
#if defined(SOCK_CLOEXEC) && defined(__linux__)
        fd = accept4(serversock, sa, len, SOCK_CLOEXEC);
#else
        fd = accept(serversock, sa, len);
#endif
        if (fd != -1) break;
        if (errno == EINTR) continue;
        anet_set_error(err, "accept: %s", strerror(errno));
        return ANET_ERR;
    }
#if !(defined(SOCK_CLOEXEC) && defined(__linux__))
    if (anet_cloexec(fd) == ANET_ERR) {
        anet_set_error(err, "fcntl(F_SETFD,FD_CLOEXEC): %s", strerror(errno));
        anet_close_keep_errno(fd);
        return ANET_ERR;
    }
#endif
    return fd;
}

/* Fills ip/port from an address; Unix sockets become "/unixsocket", 0. */
static int anet_addr_to_string(const struct sockaddr_storage *ss, char *ip, size_t ip_len, int *port) {
    const void *addr = NULL;
    int p = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
        addr = &s->sin_addr;
        p = ntohs(s->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
        addr = &s->sin6_addr;
        p = ntohs(s->sin6_port);
    } else if (ss->ss_family == AF_UNIX) {
        if (ip) snprintf(ip, ip_len, "/unixsocket");
        if (port) *port = 0;
        return ANET_OK;
    } else {
        errno = EAFNOSUPPORT;
        return ANET_ERR;
    }
    if (ip && inet_ntop(ss->ss_family, addr, ip, (socklen_t)ip_len) == NULL) return ANET_ERR;
    if (port) *port = p;
    return ANET_OK;
}

int anet_tcp_accept(char *err, int serversock, char *ip, size_t ip_len, int *port) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int fd = anet_generic_accept(err, serversock, (struct sockaddr *)&ss, &len);
    if (fd == ANET_ERR) return ANET_ERR;
    if (anet_addr_to_string(&ss, ip, ip_len, port) == ANET_ERR) {
        anet_set_error(err, "inet_ntop: %s", strerror(errno));
        anet_close_keep_errno(fd);
        return ANET_ERR;
    }
    return fd;
}

int anet_unix_accept(char *err, int serversock) {
    struct sockaddr_un sa;
    socklen_t len = sizeof(sa);
    return anet_generic_accept(err, serversock, (struct sockaddr *)&sa, &len);
}

/* Connects to addr:port, trying each resolved address; nonblock: the
 * socket is made non-blocking first and a connect still in progress
 * (EINPROGRESS) counts as success (the caller waits for writability). */
static int anet_tcp_generic_connect(char *err, const char *addr, int port, int nonblock) {
    char port_str[ANET_PORT_STR_LEN];
    snprintf(port_str, sizeof(port_str), "%d", port);
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rv = getaddrinfo(addr, port_str, &hints, &res);
    if (rv != 0) {
        anet_set_error(err, "%s", gai_strerror(rv));
        return ANET_ERR;
    }

    int fd = ANET_ERR;
    for (struct addrinfo *ai = res; ai != NULL && fd == ANET_ERR; ai = ai->ai_next) {
        int s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (s == -1) {
            anet_set_error(err, "socket: %s", strerror(errno));
            continue;
        }
        if (nonblock && anet_non_block(err, s) == ANET_ERR) {
            anet_close_keep_errno(s);
            continue;
        }
        int r;
        do {
            r = connect(s, ai->ai_addr, ai->ai_addrlen);
        } while (r == -1 && errno == EINTR);
        if (r == -1 && !(nonblock && errno == EINPROGRESS)) {
            anet_set_error(err, "connect: %s", strerror(errno));
            anet_close_keep_errno(s);
            continue;
        }
        fd = s;
    }
    freeaddrinfo(res);
    return fd;
}

int anet_tcp_connect(char *err, const char *addr, int port) {
    return anet_tcp_generic_connect(err, addr, port, 0);
}

int anet_tcp_nonblock_connect(char *err, const char *addr, int port) {
    return anet_tcp_generic_connect(err, addr, port, 1);
}

/* ------------------------------------------------------------ addresses */

int anet_fd_to_string(int fd, char *ip, size_t ip_len, int *port, int remote) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    int r = remote ? getpeername(fd, (struct sockaddr *)&ss, &len) : getsockname(fd, (struct sockaddr *)&ss, &len);
    if (r == -1 || anet_addr_to_string(&ss, ip, ip_len, port) == ANET_ERR) {
        /* Callers print the result as is; "?" reads better than garbage. */
        if (ip && ip_len >= 2) {
            ip[0] = '?';
            ip[1] = '\0';
        } else if (ip && ip_len == 1) {
            ip[0] = '\0';
        }
        if (port) *port = 0;
        return ANET_ERR;
    }
    return ANET_OK;
}

int anet_format_addr(char *buf, size_t buf_len, const char *ip, int port) {
    const char *fmt = strchr(ip, ':') ? "[%s]:%d" : "%s:%d";
    return snprintf(buf, buf_len, fmt, ip, port);
}
