/* test_sentinel.c -- what Redis Sentinel 7.0 asks of a server it
 * monitors, one piece at a time, with no Sentinel and (where possible) no
 * replication: the INFO fields it parses (run_id, role, the replica-side
 * fields), its hello channel (CLIENT SETNAME, SUBSCRIBE and PUBLISH on
 * __sentinel__:hello), the reconfiguration transaction it sends (MULTI;
 * SLAVEOF; CONFIG REWRITE; CLIENT KILL TYPE normal; CLIENT KILL TYPE
 * pubsub; EXEC, pipelined, from a client the kills must spare), the
 * CLIENT KILL types it uses, and SCRIPT KILL / SHUTDOWN NOSAVE on a
 * server busy in a script (Sentinel sends SCRIPT KILL when PING answers
 * -BUSY).
 *
 * Each scenario runs on a minired started from a config file and, when
 * redis-server is installed, on Redis the same way: the raw bytes each
 * connection receives must be equal, and the scenario's own assertions
 * hold on both. Steps that need SLAVEOF run once minired has it. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "hs_setups.h"

/* How long a connection must stay quiet for its reply to be complete. */
#define IDLE_MS 150
#define REPLY_WAIT_MS 5000
#define BUSY_THRESHOLD_MS "100"
#define EXIT_WAIT_MS 10000
/* How long a replication link may take to come up or go down. */
#define LINK_WAIT_MS 15000
/* A port nothing listens on: the replica's primary stays unreachable. */
#define DEAD_PRIMARY_PORT "1"
/* A hello as Sentinel publishes it (84 bytes). */
#define HELLO_PAYLOAD "127.0.0.1,26379,0123456789abcdef0123456789abcdef01234567,0,mymaster,127.0.0.1,6379,0"

typedef struct run_ctx {
    hs_conf_server srv;
    hs_buf t;        /* the transcript compared across servers */
    int have_slaveof; /* the server under test has SLAVEOF */
    int exited;      /* the scenario shut the server down */
} run_ctx;

typedef void (*scenario_fn)(run_ctx *x);

static int conn(run_ctx *x) {
    hs_server fake = {.port = x->srv.port};
    return hs_raw_connect(&fake);
}

/* MONITOR lines without what differs between runs: "+<time> [<db>
 * <addr>] ..." becomes "+[<db>] ...". Returns new. */
static hs_buf monitor_normalized(const hs_buf *in) {
    hs_buf out = {0};
    hs_buf_cat(&out, "", 0);
    for (size_t i = 0; i < in->len; i++) {
        if (in->data[i] == '+' && (i == 0 || in->data[i - 1] == '\n')) {
            const char *open = memchr(in->data + i, '[', in->len - i);
            const char *sp = open ? memchr(open, ' ', in->len - (size_t)(open - in->data)) : NULL;
            const char *close = sp ? memchr(sp, ']', in->len - (size_t)(sp - in->data)) : NULL;
            if (close) {
                hs_buf_cat(&out, "+", 1);
                hs_buf_cat(&out, open, (size_t)(sp - open));
                i = (size_t)(close - in->data) - 1;
                continue;
            }
        }
        hs_buf_cat(&out, in->data + i, 1);
    }
    return out;
}

static void transcript_add(run_ctx *x, const char *label, const hs_buf *got, int closed) {
    hs_buf_printf(&x->t, "%s: ", label);
    if (strcmp(label, "monitor") == 0) {
        hs_buf norm = monitor_normalized(got);
        hs_buf_cat_repr(&x->t, norm.data, norm.len, 4096);
        hs_buf_free(&norm);
    } else {
        hs_buf_cat_repr(&x->t, got->data, got->len, 4096);
    }
    hs_buf_printf(&x->t, "%s\n", closed ? " <closed>" : "");
}

/* Sends raw bytes (may be empty) on fd, reads until it is idle, appends
 * "label: <bytes>" to the transcript and returns what came, followed by
 * "<closed>" if the server closed (caller frees). For replies of unknown
 * length. */
static hs_buf say(run_ctx *x, int fd, const char *label, const char *bytes) {
    if (bytes[0]) hs_raw_send(fd, bytes, strlen(bytes));
    int closed = 0;
    hs_buf got = hs_raw_read_all(fd, IDLE_MS, &closed);
    if (got.data == NULL) hs_buf_cat(&got, "", 0);
    transcript_add(x, label, &got, closed);
    if (closed) hs_buf_cat(&got, "<closed>", 8);
    return got;
}

/* say() when only the transcript needs the reply. */
static void say_note(run_ctx *x, int fd, const char *label, const char *bytes) {
    hs_buf got = say(x, fd, label, bytes);
    hs_buf_free(&got);
}

/* The same for a known reply: reads exactly its length (or, for
 * "<closed>", until the server closes), so no idle wait is needed. */
static void say_expect(run_ctx *x, int fd, const char *label, const char *bytes, const char *want) {
    if (bytes[0]) hs_raw_send(fd, bytes, strlen(bytes));
    hs_buf got = {0};
    int closed = 0;
    if (strcmp(want, "<closed>") == 0) {
        closed = hs_raw_wait_closed(fd, REPLY_WAIT_MS);
        hs_buf_cat(&got, closed ? "<closed>" : "", closed ? 8 : 0);
    } else {
        got = hs_raw_read_n(fd, strlen(want), REPLY_WAIT_MS);
        if (got.data == NULL) hs_buf_cat(&got, "", 0);
    }
    transcript_add(x, label, &got, 0);
    hs_check_bytes(__FILE__, __LINE__, got.data, got.len, want, strlen(want));
    hs_buf_free(&got);
}

/* The names of INFO <section>'s fields, in order (values vary). */
static void info_field_names(run_ctx *x, int fd, const char *section) {
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "INFO %s\r\n", section);
    hs_raw_send(fd, cmd, strlen(cmd));
    int closed;
    hs_buf got = hs_raw_read_all(fd, IDLE_MS, &closed);
    hs_buf_printf(&x->t, "INFO %s fields:", section);
    for (char *line = got.data ? strstr(got.data, "\r\n") : NULL; line; line = strstr(line + 2, "\r\n")) {
        char *colon = strchr(line + 2, ':');
        char *end = strstr(line + 2, "\r\n");
        if (colon && end && colon < end) hs_buf_printf(&x->t, " %.*s", (int)(colon - line - 2), line + 2);
    }
    hs_buf_cat(&x->t, "\n", 1);
    hs_buf_free(&got);
}

/* The config file's replicaof lines, into the transcript. */
static int conf_replicaof_lines(run_ctx *x) {
    FILE *fp = fopen(x->srv.conf, "r");
    ck_assert_ptr_nonnull(fp);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof(line), fp)) {
        if (strncmp(line, "replicaof", 9) == 0 || strncmp(line, "slaveof", 7) == 0) {
            hs_buf_printf(&x->t, "conf: %s", line);
            n++;
        }
    }
    fclose(fp);
    return n;
}

static int server_has(const char *binary, const char *command) {
    hs_conf_server s;
    hs_conf_server_init(&s, "sentinel-probe");
    FILE *fp = fopen(s.conf, "w");
    fprintf(fp, "port %d\nsave \"\"\n", s.port);
    fclose(fp);
    hs_conf_server_start(&s, binary);
    redisContext *c = redisConnect("127.0.0.1", s.port);
    redisReply *r = redisCommand(c, "COMMAND INFO %s", command);
    int has = r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY;
    freeReplyObject(r);
    redisFree(c);
    hs_conf_server_stop(&s);
    hs_shell("rm -rf '%s'", s.dir);
    return has;
}

/* ------------------------------------------------------------ scenarios */

/* Sentinel's two links: "<name>-cmd" publishes hellos, "<name>-pubsub"
 * listens to them; a RESP3 subscriber gets the same as a push. */
static void scenario_hello(run_ctx *x) {
    int sub = conn(x), sub3 = conn(x), cmd = conn(x);
    say_expect(x, sub, "sub", "CLIENT SETNAME sentinel-1a2b3c4d-pubsub\r\nSUBSCRIBE __sentinel__:hello\r\n",
               "+OK\r\n*3\r\n$9\r\nsubscribe\r\n$18\r\n__sentinel__:hello\r\n:1\r\n");
    hs_buf h = say(x, sub3, "sub3", "HELLO 3\r\nSUBSCRIBE __sentinel__:hello\r\n");
    hs_buf_free(&h);
    say_expect(x, cmd, "cmd", "CLIENT SETNAME sentinel-1a2b3c4d-cmd\r\n", "+OK\r\n");
    say_expect(x, cmd, "publish", "PUBLISH __sentinel__:hello " HELLO_PAYLOAD "\r\n", ":2\r\n");
    say_expect(x, sub, "sub", "",
               "*3\r\n$7\r\nmessage\r\n$18\r\n__sentinel__:hello\r\n$84\r\n" HELLO_PAYLOAD "\r\n");
    say_expect(x, sub3, "sub3", "",
               ">3\r\n$7\r\nmessage\r\n$18\r\n__sentinel__:hello\r\n$84\r\n" HELLO_PAYLOAD "\r\n");
    say_note(x, cmd, "numsub", "PUBSUB NUMSUB __sentinel__:hello\r\n");
    hs_buf names = say(x, cmd, "getname", "CLIENT GETNAME\r\n");
    hs_buf_free(&names);
    hs_raw_send(cmd, "CLIENT LIST TYPE pubsub\r\n", 25);
    int closed;
    hs_buf list = hs_raw_read_all(cmd, IDLE_MS, &closed);
    ck_assert_msg(list.data && strstr(list.data, "name=sentinel-1a2b3c4d-pubsub"), "CLIENT LIST: %s", list.data);
    hs_buf_free(&list);
    close(sub), close(sub3), close(cmd);
}

/* The reconfiguration transaction, as Sentinel pipelines it. */
static void reconfigure(run_ctx *x, int tx, const char *slaveof_args, const char *want_exec) {
    char req[512];
    char slaveof[128] = "";
    if (x->have_slaveof) snprintf(slaveof, sizeof(slaveof), "SLAVEOF %s\r\n", slaveof_args);
    snprintf(req, sizeof(req),
             "MULTI\r\n%sCONFIG REWRITE\r\nCLIENT KILL TYPE normal\r\nCLIENT KILL TYPE pubsub\r\nEXEC\r\n", slaveof);
    char want[256];
    snprintf(want, sizeof(want), "+OK\r\n%s+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n%s", x->have_slaveof ? "+QUEUED\r\n" : "",
             want_exec);
    say_expect(x, tx, "tx", req, want);
}

static void scenario_reconfigure(run_ctx *x) {
    int other = conn(x), sub = conn(x), mon = conn(x), tx = conn(x);
    say_expect(x, other, "other", "PING\r\n", "+PONG\r\n");
    say_note(x, sub, "sub", "CLIENT SETNAME sentinel-1a2b3c4d-pubsub\r\nSUBSCRIBE __sentinel__:hello\r\n");
    say_expect(x, mon, "monitor", "MONITOR\r\n", "+OK\r\n");
    say_expect(x, tx, "tx", "CLIENT SETNAME sentinel-1a2b3c4d-cmd\r\n", "+OK\r\n");
    /* The kills spare the transaction's own client (SKIPME yes): normal
     * counts the other client and the monitor. */
    reconfigure(x, tx, "127.0.0.1 " DEAD_PRIMARY_PORT,
                x->have_slaveof ? "*4\r\n+OK\r\n+OK\r\n:2\r\n:1\r\n" : "*3\r\n+OK\r\n:2\r\n:1\r\n");
    say_expect(x, other, "other", "", "<closed>");
    say_expect(x, sub, "sub", "", "<closed>");
    hs_buf m = say(x, mon, "monitor", "");
    ck_assert_msg(m.len >= 8 && memcmp(m.data + m.len - 8, "<closed>", 8) == 0, "monitor not closed");
    hs_buf_free(&m);
    say_expect(x, tx, "tx", "PING\r\n", "+PONG\r\n");
    if (!x->have_slaveof) {
        conf_replicaof_lines(x);
        close(other), close(sub), close(mon), close(tx);
        return;
    }
    ck_assert_int_eq(conf_replicaof_lines(x), 1);
    info_field_names(x, tx, "replication");
    say_note(x, tx, "role", "ROLE\r\n");
    say_expect(x, tx, "kill", "CLIENT KILL TYPE master\r\nCLIENT KILL TYPE slave\r\nCLIENT KILL TYPE replica\r\n",
               ":0\r\n:0\r\n:0\r\n");
    /* The promotion: SLAVEOF NO ONE in the same transaction. */
    reconfigure(x, tx, "NO ONE", "*4\r\n+OK\r\n+OK\r\n:0\r\n:0\r\n");
    ck_assert_int_eq(conf_replicaof_lines(x), 0);
    info_field_names(x, tx, "replication");
    close(other), close(sub), close(mon), close(tx);
}

/* The fields Sentinel parses: run_id, role, the replication section. */
static void scenario_info(run_ctx *x) {
    int c = conn(x);
    info_field_names(x, c, "replication");
    hs_raw_send(c, "INFO server\r\n", 13);
    int closed;
    hs_buf got = hs_raw_read_all(c, IDLE_MS, &closed);
    char *id = got.data ? strstr(got.data, "\r\nrun_id:") : NULL;
    ck_assert_msg(id != NULL, "no run_id in INFO server");
    id += strlen("\r\nrun_id:");
    ck_assert_int_eq((int)strspn(id, "0123456789abcdef"), 40);
    ck_assert(id[40] == '\r');
    hs_buf_free(&got);
    close(c);
}

/* Sentinel answers a -BUSY PING with SCRIPT KILL; SHUTDOWN NOSAVE is the
 * other command a busy server takes. */
static void scenario_busy(run_ctx *x) {
    int a = conn(x), b = conn(x);
    say_expect(x, a, "a", "CONFIG SET busy-reply-threshold " BUSY_THRESHOLD_MS "\r\n", "+OK\r\n");
    say_note(x, b, "b", "SCRIPT KILL\r\n");
    hs_raw_send(a, "EVAL 'while true do end' 0\r\n", 28);
    hs_sleep_ms(300);
    const char *busy = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
    say_expect(x, b, "ping", "PING\r\n", busy);
    say_expect(x, b, "info", "INFO replication\r\n", busy);
    say_expect(x, b, "setname", "CLIENT SETNAME sentinel-1a2b3c4d-cmd\r\n", busy);
    say_expect(x, b, "publish", "PUBLISH __sentinel__:hello x\r\n", busy);
    say_expect(x, b, "shutdown", "SHUTDOWN\r\n", busy);
    say_expect(x, b, "kill", "SCRIPT KILL\r\n", "+OK\r\n");
    say_note(x, a, "eval", "");
    say_expect(x, b, "ping", "PING\r\n", "+PONG\r\n");
    /* A function: SCRIPT KILL does not stop it, and the text says so. */
    say_note(x, a, "load",
        "FUNCTION LOAD \"#!lua name=spin\\nredis.register_function('spin', function() while true do end end)\"\r\n");
    hs_raw_send(a, "FCALL spin 0\r\n", 14);
    hs_sleep_ms(300);
    say_note(x, b, "ping", "PING\r\n");
    say_note(x, b, "script kill", "SCRIPT KILL\r\n");
    say_note(x, b, "function kill", "FUNCTION KILL\r\n");
    say_note(x, a, "fcall", "");
    hs_raw_send(a, "EVAL 'while true do end' 0\r\n", 28);
    hs_sleep_ms(300);
    say_expect(x, b, "shutdown nosave", "SHUTDOWN NOSAVE\r\n", "<closed>");
    int st = 0;
    long long deadline = hs_now_ms() + EXIT_WAIT_MS;
    while (waitpid(x->srv.pid, &st, WNOHANG) == 0 && hs_now_ms() < deadline) hs_sleep_ms(20);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status 0x%x after SHUTDOWN NOSAVE", st);
    x->exited = 1;
    close(a), close(b);
}

/* Polls INFO replication on fd until it holds want (bounded). */
static void wait_info_has(int fd, const char *want) {
    long long deadline = hs_now_ms() + LINK_WAIT_MS;
    for (;;) {
        hs_raw_send(fd, "INFO replication\r\n", 18);
        int closed;
        hs_buf got = hs_raw_read_all(fd, IDLE_MS, &closed);
        int ok = got.data && strstr(got.data, want);
        hs_buf_free(&got);
        if (ok) return;
        ck_assert_msg(hs_now_ms() < deadline, "INFO replication never showed %s", want);
        hs_sleep_ms(50);
    }
}

/* A primary with a Redis replica attached: the fields Sentinel reads to
 * find replicas (the slaveN line's keys, its state). */
static void scenario_info_primary(run_ctx *x) {
    char port[16];
    snprintf(port, sizeof(port), "%d", x->srv.port);
    hs_server *r = hs_start_redis(HS_ARGS("--replicaof", "127.0.0.1", port));
    ck_assert_ptr_nonnull(r);
    int c = conn(x);
    wait_info_has(c, "state=online");
    info_field_names(x, c, "replication");
    hs_raw_send(c, "INFO replication\r\n", 18);
    int closed;
    hs_buf got = hs_raw_read_all(c, IDLE_MS, &closed);
    char *line = got.data ? strstr(got.data, "\r\nslave0:") : NULL;
    ck_assert_msg(line != NULL, "no slave0 line");
    /* slave0:ip=127.0.0.1,port=N,state=online,offset=N,lag=N: keys and
     * the words that do not vary. */
    hs_buf_cat(&x->t, "slave0:", 7);
    for (char *p = line + 9; *p && *p != '\r';) {
        size_t klen = strcspn(p, "=,\r");
        hs_buf_cat(&x->t, p, klen);
        p += klen;
        if (*p == '=') {
            size_t vlen = strcspn(p + 1, ",\r");
            if (strncmp(p - 5, "state", 5) == 0 || strncmp(p - 2, "ip", 2) == 0) hs_buf_cat(&x->t, p, vlen + 1);
            p += vlen + 1;
        }
        if (*p == ',') hs_buf_cat(&x->t, p++, 1);
    }
    hs_buf_cat(&x->t, "\n", 1);
    hs_buf_free(&got);
    close(c);
    hs_stop(r);
}

/* A replica of a Redis primary, link up: the replica-side fields
 * Sentinel reads (master_link_status, slave_repl_offset, slave_priority,
 * replica_announced...), then the link down. */
static void scenario_info_replica(run_ctx *x) {
    hs_server *r = hs_start_redis(HS_ARGS("--repl-diskless-sync-delay", "0"));
    ck_assert_ptr_nonnull(r);
    int c = conn(x);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "SLAVEOF 127.0.0.1 %d\r\n", r->port);
    say_expect(x, c, "slaveof", cmd, "+OK\r\n");
    wait_info_has(c, "master_link_status:up");
    info_field_names(x, c, "replication");
    hs_kill(r);
    wait_info_has(c, "master_link_status:down");
    info_field_names(x, c, "replication");
    say_expect(x, c, "slaveof", "SLAVEOF NO ONE\r\n", "+OK\r\n");
    close(c);
}

/* ------------------------------------------------------------ runner */

static hs_buf run_on(const char *binary, scenario_fn fn, int have_slaveof) {
    run_ctx x = {.have_slaveof = have_slaveof};
    hs_conf_server_init(&x.srv, "sentinel");
    FILE *fp = fopen(x.srv.conf, "w");
    ck_assert_ptr_nonnull(fp);
    /* A full sync starts at once instead of waiting for more replicas. */
    fprintf(fp, "port %d\nsave \"\"\ndir %s\nrepl-diskless-sync-delay 0\n", x.srv.port, x.srv.dir);
    fclose(fp);
    hs_conf_server_start(&x.srv, binary);
    fn(&x);
    if (!x.exited) hs_conf_server_stop(&x.srv);
    hs_shell("rm -rf '%s'", x.srv.dir);
    return x.t;
}

/* What a scenario needs of minired beyond Sentinel's basics. */
enum { NEEDS_NOTHING, NEEDS_SLAVEOF, NEEDS_PSYNC };

static void run_scenario_needing(scenario_fn fn, int needs) {
    int have_slaveof = server_has(hs_server_path(), "slaveof");
    if ((needs == NEEDS_SLAVEOF && !have_slaveof) || (needs == NEEDS_PSYNC && !server_has(hs_server_path(), "psync"))) {
        fprintf(stderr, "note: minired has no %s yet: scenario skipped\n", needs == NEEDS_SLAVEOF ? "SLAVEOF" : "PSYNC");
        return;
    }
    if (needs != NEEDS_NOTHING && hs_redis_server_path() == NULL) {
        fprintf(stderr, "note: redis-server not installed: scenario skipped\n");
        return;
    }
    hs_buf mine = run_on(hs_server_path(), fn, have_slaveof);
    /* HS_DUMP_TRANSCRIPT=1 shows what is compared. */
    if (getenv("HS_DUMP_TRANSCRIPT")) fprintf(stderr, "%s", mine.data ? mine.data : "");
    const char *redis = hs_redis_server_path();
    if (redis == NULL) {
        fprintf(stderr, "note: redis-server not installed, no comparison\n");
    } else {
        hs_buf ref = run_on(redis, fn, have_slaveof);
        hs_check_bytes(__FILE__, __LINE__, mine.data, mine.len, ref.data, ref.len);
        hs_buf_free(&ref);
    }
    hs_buf_free(&mine);
}

static void run_scenario(scenario_fn fn) {
    run_scenario_needing(fn, NEEDS_NOTHING);
}

START_TEST(test_info_fields) {
    run_scenario(scenario_info);
}
END_TEST

START_TEST(test_hello_channel) {
    run_scenario(scenario_hello);
}
END_TEST

START_TEST(test_reconfigure_transaction) {
    run_scenario(scenario_reconfigure);
}
END_TEST

START_TEST(test_busy_script) {
    run_scenario(scenario_busy);
}
END_TEST

START_TEST(test_info_as_primary) {
    run_scenario_needing(scenario_info_primary, NEEDS_PSYNC);
}
END_TEST

START_TEST(test_info_as_replica) {
    run_scenario_needing(scenario_info_replica, NEEDS_SLAVEOF);
}
END_TEST

static Suite *sentinel_suite(void) {
    Suite *s = suite_create("sentinel");
    TCase *tc = hs_tcase(s, "sentinel");
    tcase_add_test(tc, test_info_fields);
    tcase_add_test(tc, test_hello_channel);
    tcase_add_test(tc, test_reconfigure_transaction);
    tcase_add_test(tc, test_busy_script);
    tcase_add_test(tc, test_info_as_primary);
    tcase_add_test(tc, test_info_as_replica);
    return s;
}

int main(void) {
    return hs_run_suite(sentinel_suite());
}
