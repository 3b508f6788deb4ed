/* crashlog.c -- the bug report a crash leaves in the log: a fatal signal,
 * a panic, a failed assertion, an allocation that failed. The report sits
 * between Redis's two marker lines ("=== REDIS BUG REPORT START: ..." and
 * "=== REDIS BUG REPORT END. ..."), which tools and test suites grep for;
 * what lies between is minired's own: the cause, a stack trace, INFO, the
 * client list and the command that was running.
 *
 * Owns no state besides the handlers. Runs on a process that is dying: it
 * formats with the ordinary allocator (as Redis does), and always ends by
 * killing the process with the signal that brought it here, or SIGABRT. */
#include "crashlog.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <execinfo.h>
#endif

#include "config.h"
#include "info.h"
#include "log.h"
#include "networking.h"
#include "zmalloc.h"

/* Sanitizer builds: the sanitizer's SIGSEGV report is worth more. */
#if defined(__SANITIZE_ADDRESS__)
#define CRASH_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CRASH_UNDER_SANITIZER 1
#endif
#endif

#define CRASH_MAX_FRAMES 100
#define CRASH_MSG_BYTES 1024

static void crash_report_start(void) {
    log_raw("\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n");
}

static void crash_stack_trace(void) {
    log_raw("\n------ STACK TRACE ------\n");
#ifdef __GLIBC__
    void *frames[CRASH_MAX_FRAMES];
    int n = backtrace(frames, CRASH_MAX_FRAMES);
    char **names = backtrace_symbols(frames, n);
    for (int i = 0; names && i < n; i++) {
        log_raw(names[i]);
        log_raw("\n");
    }
    free(names);
#else
    log_raw("(no backtrace support on this platform)\n");
#endif
}

/* INFO, the client list and the running command: what the server was
 * doing when it died. */
static void crash_dump_state(void) {
    log_raw("\n------ INFO OUTPUT ------\n");
    sds all = sds_new("all");
    sds info = info_generate(1, &all);
    log_raw(info);
    sds_free(info);
    sds_free(all);
    log_raw("\n------ CLIENT LIST OUTPUT ------\n");
    for (client *c = server.clients; c; c = c->next) {
        sds line = sds_cat(net_cat_client_info(sds_empty(), c), "\n");
        log_raw(line);
        sds_free(line);
    }
    client *cur = server.current_client;
    if (cur == NULL) return;
    log_raw("\n------ CURRENT CLIENT INFO ------\n");
    sds s = sds_cat(net_cat_client_info(sds_empty(), cur), "\n");
    for (int j = 0; j < cur->argc && cur->argv && cur->argv[j]; j++) {
        s = sds_cat_printf(s, "argv[%d]: '", j);
        s = sds_cat(sds_cat_repr(s, cur->argv[j], sds_len(cur->argv[j])), "'\n");
    }
    log_raw(s);
    sds_free(s);
}

/* Ends the report and the process: with sig re-raised under its default
 * action (a core, the right exit status), or with abort(). */
__attribute__((noreturn)) static void crash_report_end(int sig) {
    crash_stack_trace();
    crash_dump_state();
    log_raw("\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n\n"
            "       minired crashed. Please report it with the lines above, from START\n"
            "       to END, and what the server was doing.\n\n");
    if (cfg.pidfile && cfg.daemonize) unlink(cfg.pidfile);
    if (sig == 0) sig = SIGABRT;
    struct sigaction act;
    memset(&act, 0, sizeof(act));
    sigemptyset(&act.sa_mask);
    act.sa_handler = SIG_DFL;
    sigaction(sig, &act, NULL);
    if (sig == SIGABRT) abort();
    raise(sig);
    abort(); /* a signal the default action ignored cannot leave us alive */
}

void crash_panic(const char *file, int line, const char *fmt, ...) {
    char msg[CRASH_MSG_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    crash_report_start();
    log_warning("------------------------------------------------");
    log_warning("!!! Software Failure. Press left mouse button to continue");
    log_warning("Guru Meditation: %s #%s:%d", msg, file, line);
    crash_report_end(0);
}

void crash_assert_failed(const client *c, const char *file, int line, const char *expr) {
    crash_report_start();
    if (c) {
        log_warning("=== ASSERTION FAILED CLIENT CONTEXT ===");
        log_warning("client->flags = %llu", (unsigned long long)c->flags);
        log_warning("client->conn = fd=%d", c->fd);
        log_warning("client->argc = %d", c->argc);
        for (int j = 0; j < c->argc && c->argv && c->argv[j]; j++)
            log_warning("client->argv[%d] = \"%s\"", j, c->argv[j]);
    }
    log_warning("=== ASSERTION FAILED ===");
    log_warning("==> %s:%d '%s' is not true", file, line, expr);
    crash_report_end(0);
}

static void crash_oom(size_t size) {
    log_warning("Out Of Memory allocating %zu bytes!", size);
    crash_panic(__FILE__, __LINE__, "minired aborting for OUT OF MEMORY. Allocating %zu bytes!", size);
}

#ifndef CRASH_UNDER_SANITIZER
static void crash_signal_handler(int sig, siginfo_t *info, void *secret) {
    (void)secret;
    crash_report_start();
    log_warning("minired %s crashed by signal: %d, si_code: %d", MINIRED_VERSION, sig, info->si_code);
    if (sig == SIGSEGV || sig == SIGBUS) log_warning("Accessing address: %p", info->si_addr);
    if (info->si_code == SI_USER || info->si_code == SI_TKILL)
        log_warning("Killed by PID: %ld, UID: %d", (long)info->si_pid, (int)info->si_uid);
    crash_report_end(sig);
}
#endif

void crash_setup(void) {
    zmalloc_set_oom_handler(crash_oom);
#ifndef CRASH_UNDER_SANITIZER
    struct sigaction act;
    memset(&act, 0, sizeof(act));
    sigemptyset(&act.sa_mask);
    /* NODEFER and RESETHAND: a fault inside the report itself kills the
     * process at once instead of looping. */
    act.sa_flags = SA_NODEFER | SA_RESETHAND | SA_SIGINFO;
    act.sa_sigaction = crash_signal_handler;
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) sigaction(fatal[i], &act, NULL);
#endif
}
