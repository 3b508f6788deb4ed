/* test_anet.c -- socket helpers against real loopback sockets.
 *
 * Listeners bind port 0 and learn their port with anet_fd_to_string, so
 * tests never collide with each other or with a running server. IPv6 tests
 * run when ::1 can be bound and are skipped (with a note) when it cannot. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "anet.h"

#define BACKLOG 16
#define IP_LEN 64
#define KEEPALIVE_SEC 300

static char err[ANET_ERR_LEN];

static int listen_local(const char *addr, int *port) {
    err[0] = '\0';
    int fd = anet_tcp_server(err, 0, addr, BACKLOG);
    ck_assert_msg(fd >= 0, "anet_tcp_server(%s): %s", addr ? addr : "NULL", err);
    char ip[IP_LEN];
    ck_assert_int_eq(anet_fd_to_string(fd, ip, sizeof(ip), port, 0), ANET_OK);
    ck_assert_int_gt(*port, 0);
    return fd;
}

static int int_sockopt(int fd, int level, int opt) {
    int v = -1;
    socklen_t len = sizeof(v);
    ck_assert_int_eq(getsockopt(fd, level, opt, &v, &len), 0);
    return v;
}

/* Whether this machine can bind ::1 at all (containers often cannot). */
static int have_ipv6_loopback(void) {
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd == -1) return 0;
    struct sockaddr_in6 sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    int ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return ok;
}

START_TEST(test_tcp_listen_connect_accept) {
    int port;
    int lfd = listen_local("127.0.0.1", &port);
    char ip[IP_LEN];
    int p;
    ck_assert_int_eq(anet_fd_to_string(lfd, ip, sizeof(ip), &p, 0), ANET_OK);
    ck_assert_str_eq(ip, "127.0.0.1");
    ck_assert_int_eq(int_sockopt(lfd, SOL_SOCKET, SO_REUSEADDR), 1);

    int cfd = anet_tcp_connect(err, "127.0.0.1", port);
    ck_assert_msg(cfd >= 0, "connect: %s", err);
    int client_port;
    ck_assert_int_eq(anet_fd_to_string(cfd, ip, sizeof(ip), &client_port, 0), ANET_OK);
    ck_assert_int_eq(anet_fd_to_string(cfd, ip, sizeof(ip), &p, 1), ANET_OK);
    ck_assert_str_eq(ip, "127.0.0.1");
    ck_assert_int_eq(p, port);

    char peer_ip[IP_LEN] = "";
    int peer_port = -1;
    int afd = anet_tcp_accept(err, lfd, peer_ip, sizeof(peer_ip), &peer_port);
    ck_assert_msg(afd >= 0, "accept: %s", err);
    ck_assert_str_eq(peer_ip, "127.0.0.1");
    ck_assert_int_eq(peer_port, client_port);
    /* Accepted fds must not leak into exec'd children. */
    ck_assert_int_ne(fcntl(afd, F_GETFD) & FD_CLOEXEC, 0);

    char buf[4] = "";
    ck_assert_int_eq(write(cfd, "hey", 3), 3);
    ck_assert_int_eq(read(afd, buf, 3), 3);
    ck_assert_str_eq(buf, "hey");

    /* NULL ip/port are allowed. */
    int cfd2 = anet_tcp_connect(NULL, "127.0.0.1", port);
    ck_assert_int_ge(cfd2, 0);
    int afd2 = anet_tcp_accept(NULL, lfd, NULL, 0, NULL);
    ck_assert_int_ge(afd2, 0);

    close(afd2);
    close(cfd2);
    close(afd);
    close(cfd);
    close(lfd);
}
END_TEST

START_TEST(test_wildcard_addresses) {
    char ip[IP_LEN];
    int port;
    int fd = listen_local(NULL, &port);
    ck_assert_int_eq(anet_fd_to_string(fd, ip, sizeof(ip), &port, 0), ANET_OK);
    ck_assert_str_eq(ip, "0.0.0.0");
    close(fd);

    fd = listen_local("*", &port);
    ck_assert_int_eq(anet_fd_to_string(fd, ip, sizeof(ip), &port, 0), ANET_OK);
    ck_assert_str_eq(ip, "0.0.0.0");
    close(fd);

    if (!have_ipv6_loopback()) {
        fprintf(stderr, "test_wildcard_addresses: no IPv6 here, \"::*\" not checked\n");
        return;
    }
    fd = listen_local("::*", &port);
    ck_assert_int_eq(anet_fd_to_string(fd, ip, sizeof(ip), &port, 0), ANET_OK);
    ck_assert_str_eq(ip, "::");
    ck_assert_int_eq(int_sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
    /* V6ONLY: the IPv6 wildcard does not take IPv4 clients ("*" does). */
    ck_assert_int_eq(anet_tcp_connect(err, "127.0.0.1", port), ANET_ERR);
    int cfd = anet_tcp_connect(err, "::1", port);
    ck_assert_msg(cfd >= 0, "connect [::1]: %s", err);
    close(cfd);
    close(fd);
}
END_TEST

START_TEST(test_ipv6_loopback) {
    if (!have_ipv6_loopback()) {
        fprintf(stderr, "test_ipv6_loopback: no IPv6 here, skipped\n");
        return;
    }
    int port;
    int lfd = listen_local("::1", &port);
    char ip[IP_LEN];
    int p;
    ck_assert_int_eq(anet_fd_to_string(lfd, ip, sizeof(ip), &p, 0), ANET_OK);
    ck_assert_str_eq(ip, "::1");
    ck_assert_int_eq(int_sockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY), 1);

    int cfd = anet_tcp_connect(err, "::1", port);
    ck_assert_msg(cfd >= 0, "connect: %s", err);
    int afd = anet_tcp_accept(err, lfd, ip, sizeof(ip), &p);
    ck_assert_msg(afd >= 0, "accept: %s", err);
    ck_assert_str_eq(ip, "::1");

    char buf[IP_LEN + 16], want[IP_LEN + 16];
    snprintf(want, sizeof(want), "[::1]:%d", p);
    ck_assert_int_eq(anet_format_addr(buf, sizeof(buf), ip, p), (int)strlen(want));
    ck_assert_str_eq(buf, want);

    close(afd);
    close(cfd);
    close(lfd);
}
END_TEST

START_TEST(test_bind_in_use_reports_error) {
    int port;
    int lfd = listen_local("127.0.0.1", &port);
    err[0] = '\0';
    errno = 0;
    ck_assert_int_eq(anet_tcp_server(err, port, "127.0.0.1", BACKLOG), ANET_ERR);
    ck_assert_int_eq(errno, EADDRINUSE);
    ck_assert_str_eq(err, "bind: Address already in use");
    close(lfd);

    /* An address this host does not own. 192.0.2.0/24 is TEST-NET-1. */
    err[0] = '\0';
    ck_assert_int_eq(anet_tcp_server(err, 0, "192.0.2.1", BACKLOG), ANET_ERR);
    ck_assert_str_eq(err, "bind: Cannot assign requested address");
    /* No err buffer: still fails cleanly. */
    ck_assert_int_eq(anet_tcp_server(NULL, 0, "192.0.2.1", BACKLOG), ANET_ERR);
}
END_TEST

START_TEST(test_connect_refused) {
    int port;
    int lfd = listen_local("127.0.0.1", &port);
    close(lfd); /* nothing listens on port now */
    err[0] = '\0';
    ck_assert_int_eq(anet_tcp_connect(err, "127.0.0.1", port), ANET_ERR);
    ck_assert_str_eq(err, "connect: Connection refused");
}
END_TEST

START_TEST(test_non_block_accept_eagain) {
    int port;
    int lfd = listen_local("127.0.0.1", &port);
    ck_assert_int_eq(anet_non_block(err, lfd), ANET_OK);
    ck_assert_int_ne(fcntl(lfd, F_GETFL) & O_NONBLOCK, 0);
    err[0] = '\0';
    errno = 0;
    ck_assert_int_eq(anet_tcp_accept(err, lfd, NULL, 0, NULL), ANET_ERR);
    ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
    ck_assert_int_eq(strncmp(err, "accept: ", 8), 0);

    ck_assert_int_eq(anet_block(err, lfd), ANET_OK);
    ck_assert_int_eq(fcntl(lfd, F_GETFL) & O_NONBLOCK, 0);
    close(lfd);

    /* A closed fd: the error names the call. */
    err[0] = '\0';
    ck_assert_int_eq(anet_non_block(err, lfd), ANET_ERR);
    ck_assert_str_eq(err, "fcntl(F_GETFL): Bad file descriptor");
}
END_TEST

START_TEST(test_cloexec) {
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, 0);
    ck_assert_int_eq(anet_cloexec(fds[0]), ANET_OK);
    ck_assert_int_ne(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, 0);
    close(fds[0]);
    close(fds[1]);
    ck_assert_int_eq(anet_cloexec(fds[0]), ANET_ERR);
}
END_TEST

START_TEST(test_nodelay_and_keepalive) {
    int port;
    int lfd = listen_local("127.0.0.1", &port);
    int cfd = anet_tcp_connect(err, "127.0.0.1", port);
    ck_assert_int_ge(cfd, 0);

    ck_assert_int_eq(int_sockopt(cfd, IPPROTO_TCP, TCP_NODELAY), 0);
    ck_assert_int_eq(anet_enable_tcp_nodelay(err, cfd), ANET_OK);
    ck_assert_int_ne(int_sockopt(cfd, IPPROTO_TCP, TCP_NODELAY), 0);

    ck_assert_int_eq(int_sockopt(cfd, SOL_SOCKET, SO_KEEPALIVE), 0);
    ck_assert_int_eq(anet_keepalive(err, cfd, KEEPALIVE_SEC), ANET_OK);
    ck_assert_int_ne(int_sockopt(cfd, SOL_SOCKET, SO_KEEPALIVE), 0);
#ifdef TCP_KEEPIDLE
    ck_assert_int_eq(int_sockopt(cfd, IPPROTO_TCP, TCP_KEEPIDLE), KEEPALIVE_SEC);
#endif
#ifdef TCP_KEEPINTVL
    ck_assert_int_eq(int_sockopt(cfd, IPPROTO_TCP, TCP_KEEPINTVL), KEEPALIVE_SEC / 3);
#endif
#ifdef TCP_KEEPCNT
    ck_assert_int_eq(int_sockopt(cfd, IPPROTO_TCP, TCP_KEEPCNT), 3);
#endif
    /* A tiny interval still probes at least once a second. */
    ck_assert_int_eq(anet_keepalive(err, cfd, 2), ANET_OK);
#ifdef TCP_KEEPINTVL
    ck_assert_int_eq(int_sockopt(cfd, IPPROTO_TCP, TCP_KEEPINTVL), 1);
#endif

    /* On a non-TCP fd the options fail with a named reason. */
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    err[0] = '\0';
    ck_assert_int_eq(anet_enable_tcp_nodelay(err, fds[0]), ANET_ERR);
    ck_assert_int_eq(strncmp(err, "setsockopt TCP_NODELAY: ", 24), 0);
    close(fds[0]);
    close(fds[1]);
    close(cfd);
    close(lfd);
}
END_TEST

START_TEST(test_unix_server) {
    char dir[] = "/tmp/test_anet_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/sock", dir);
    /* A stale file at the path is replaced. */
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);

    int lfd = anet_unix_server(err, path, 0700, BACKLOG);
    ck_assert_msg(lfd >= 0, "unix server: %s", err);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    ck_assert_int_eq(st.st_mode & 0777, 0700);

    int cfd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, path);
    ck_assert_int_eq(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    int afd = anet_unix_accept(err, lfd);
    ck_assert_msg(afd >= 0, "unix accept: %s", err);
    ck_assert_int_ne(fcntl(afd, F_GETFD) & FD_CLOEXEC, 0);

    char ip[IP_LEN];
    int port = -1;
    ck_assert_int_eq(anet_fd_to_string(afd, ip, sizeof(ip), &port, 1), ANET_OK);
    ck_assert_str_eq(ip, "/unixsocket");
    ck_assert_int_eq(port, 0);

    close(afd);
    close(cfd);
    close(lfd);
    /* perm 0 leaves the mode alone (umask decides). */
    lfd = anet_unix_server(err, path, 0, BACKLOG);
    ck_assert_int_ge(lfd, 0);
    close(lfd);
    unlink(path);
    rmdir(dir);

    char longpath[sizeof(sa.sun_path) + 8];
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[0] = '/';
    longpath[sizeof(longpath) - 1] = '\0';
    err[0] = '\0';
    ck_assert_int_eq(anet_unix_server(err, longpath, 0, BACKLOG), ANET_ERR);
    ck_assert_int_ne(err[0], '\0');
}
END_TEST

START_TEST(test_fd_to_string_bad_fd) {
    char ip[IP_LEN] = "junk";
    int port = 99;
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(anet_fd_to_string(fds[0], ip, sizeof(ip), &port, 1), ANET_ERR);
    ck_assert_str_eq(ip, "?");
    ck_assert_int_eq(port, 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(test_format_addr) {
    char buf[64];
    ck_assert_int_eq(anet_format_addr(buf, sizeof(buf), "127.0.0.1", 6379), 14);
    ck_assert_str_eq(buf, "127.0.0.1:6379");
    ck_assert_int_eq(anet_format_addr(buf, sizeof(buf), "::1", 6379), 10);
    ck_assert_str_eq(buf, "[::1]:6379");
    ck_assert_int_eq(anet_format_addr(buf, sizeof(buf), "fe80::1:2", 0), 13);
    ck_assert_str_eq(buf, "[fe80::1:2]:0");
    /* Truncates safely and still reports the full length. */
    char small[6];
    ck_assert_int_eq(anet_format_addr(small, sizeof(small), "127.0.0.1", 6379), 14);
    ck_assert_str_eq(small, "127.0");
}
END_TEST

static Suite *anet_suite(void) {
    Suite *s = suite_create("anet");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_tcp_listen_connect_accept);
    tcase_add_test(tc, test_wildcard_addresses);
    tcase_add_test(tc, test_ipv6_loopback);
    tcase_add_test(tc, test_bind_in_use_reports_error);
    tcase_add_test(tc, test_connect_refused);
    tcase_add_test(tc, test_non_block_accept_eagain);
    tcase_add_test(tc, test_cloexec);
    tcase_add_test(tc, test_nodelay_and_keepalive);
    tcase_add_test(tc, test_unix_server);
    tcase_add_test(tc, test_fd_to_string_bad_fd);
    tcase_add_test(tc, test_format_addr);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(anet_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
