/* log.c -- leveled log lines to stdout or cfg.logfile.
 *
 * Owns nothing but the line format. The file is opened and closed for every
 * line, as Redis does, so log rotation by rename needs no signal; logging
 * is rare enough that this costs nothing measurable. Never allocates. */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LOG_MAX_LINE_BYTES 1024

static char log_role = 'M';

void log_set_role(char role) { log_role = role; }

static FILE *log_open(int *to_close) {
    *to_close = 0;
    if (cfg.logfile == NULL || cfg.logfile[0] == '\0') return stdout;
    FILE *fp = fopen(cfg.logfile, "a");
    if (fp == NULL) return NULL;
    *to_close = 1;
    return fp;
}

void log_msg(int level, const char *fmt, ...) {
    static const char marks[] = ".-*#";
    if (level < cfg.verbosity || level >= LL_NOTHING) return;
    char msg[LOG_MAX_LINE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    int to_close;
    FILE *fp = log_open(&to_close);
    if (fp == NULL) return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char when[64];
    size_t off = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(when + off, sizeof(when) - off, "%03d", (int)(tv.tv_usec / 1000));
    fprintf(fp, "%d:%c %s %c %s\n", (int)getpid(), log_role, when, marks[level], msg);
    fflush(fp);
    if (to_close) fclose(fp);
}

void log_raw(const char *text) {
    int to_close;
    FILE *fp = log_open(&to_close);
    if (fp == NULL) return;
    fputs(text, fp);
    fflush(fp);
    if (to_close) fclose(fp);
}

/* Writes v in decimal at the end of buf[0..len); returns where it starts
 * (no snprintf: it is not async-signal-safe). */
static char *log_ulong_digits(char *buf, size_t len, unsigned long v) {
    char *p = buf + len;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v && p > buf);
    return p;
}

void log_raw_signal_safe(const char *msg) {
    /* Redis's handler lines: "<pid>:signal-handler (<unix time>) <msg>". */
    char line[256], pid[24], now[24];
    const char *pid_s = log_ulong_digits(pid, sizeof(pid) - 1, (unsigned long)getpid());
    const char *now_s = log_ulong_digits(now, sizeof(now) - 1, (unsigned long)time(NULL));
    pid[sizeof(pid) - 1] = now[sizeof(now) - 1] = '\0';
    size_t used = 0;
    const char *parts[] = {pid_s, ":signal-handler (", now_s, ") ", msg};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t n = strlen(parts[i]);
        if (used + n >= sizeof(line)) n = sizeof(line) - 1 - used;
        memcpy(line + used, parts[i], n);
        used += n;
    }
    line[used] = '\0';
    msg = line;
    int fd = STDOUT_FILENO;
    int opened = 0;
    if (cfg.logfile && cfg.logfile[0]) {
        fd = open(cfg.logfile, O_APPEND | O_CREAT | O_WRONLY, 0644);
        if (fd == -1) return;
        opened = 1;
    }
    ssize_t r = write(fd, msg, strlen(msg));
    (void)r;
    if (opened) close(fd);
}
