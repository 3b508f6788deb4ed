/* supervise.c -- the init-system side of start and stop: systemd's
 * sd_notify datagrams and upstart's self-SIGSTOP.
 *
 * Owns only the resolved supervision mode. Never blocks: a notify socket
 * that is missing or full costs one log line, never the server. The texts
 * and the order of messages are those of Redis 7.0 (checked with a
 * datagram listener on $NOTIFY_SOCKET). */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "supervise.h"

static int supervised_as = SUPERVISED_NONE; /* what "auto" resolved to */

int supervise_notify(const char *msg) {
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !path[0]) return -1;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    if (len >= sizeof(sa.sun_path)) return -1;
    memcpy(sa.sun_path, path, len);
    if (path[0] == '@') sa.sun_path[0] = '\0'; /* abstract socket */
    socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd == -1) return -1;
    ssize_t n = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&sa, salen);
    int saved = errno;
    close(fd);
    if (n == -1) {
        log_warning("systemd supervision error: sd_notify: %d", -saved);
        return -1;
    }
    return 0;
}

int supervise_start(int mode) {
    if (mode == SUPERVISED_AUTODETECT) {
        if (getenv("UPSTART_JOB")) mode = SUPERVISED_UPSTART;
        else if (getenv("NOTIFY_SOCKET")) mode = SUPERVISED_SYSTEMD;
        else mode = SUPERVISED_NONE;
    }
    if (mode == SUPERVISED_UPSTART) {
        if (!getenv("UPSTART_JOB")) {
            log_verbose("upstart supervision requested, but UPSTART_JOB not found!");
            return 0;
        }
        log_notice("supervised by upstart, will stop to signal readiness.");
        raise(SIGSTOP);
        unsetenv("UPSTART_JOB");
        supervised_as = SUPERVISED_UPSTART;
        return 1;
    }
    if (mode == SUPERVISED_SYSTEMD) {
        log_notice("Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and "
                   "TimeoutStopSec in your service unit.");
        if (!getenv("NOTIFY_SOCKET")) {
            log_warning("systemd supervision requested or auto-detected, but NOTIFY_SOCKET not found!");
            return 0;
        }
        supervised_as = SUPERVISED_SYSTEMD;
        supervise_notify("STATUS=Redis is loading...\n");
        return 1;
    }
    return 0;
}

void supervise_ready(void) {
    if (supervised_as != SUPERVISED_SYSTEMD) return;
    supervise_notify("STATUS=Ready to accept connections\n");
    supervise_notify("READY=1\n");
}

void supervise_stopping(void) {
    if (supervised_as == SUPERVISED_SYSTEMD) supervise_notify("STOPPING=1\n");
}

const char *supervise_info_name(void) {
    switch (supervised_as) {
    case SUPERVISED_SYSTEMD: return "systemd";
    case SUPERVISED_UPSTART: return "upstart";
    default: return "no";
    }
}

int supervise_active(void) {
    return supervised_as != SUPERVISED_NONE;
}
