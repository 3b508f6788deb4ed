/* networking.c -- client connections: accept, read, parse, dispatch, write.
 *
 * Owns the client list, the pending-write list and the network stats, and
 * is the only file that calls read()/write() on client sockets. Replies are
 * flushed in the before-sleep hook (one write per client per loop pass,
 * often with no syscall for epoll), and a writable event is installed only
 * when a socket would block. A client is never freed while one of its
 * commands is running: such frees are deferred to CLOSE_ASAP. */
#include "networking.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "acl.h"
#include "admin.h"
#include "aof.h"
#include "blocking.h"
#include "commands.h"
#include "fault.h"
#include "log.h"
#include "monotonic.h"
#include "multi.h"
#include "pubsub.h"
#include "reply.h"
#include "tracking.h"
#include "util.h"
#include "zmalloc.h"
#include "vclock.h"
#include "replication.h"

/* Most iovecs handed to one writev: the fixed buffer plus blocks. */
#define NET_MAX_IOV 16
/* Arguments handed to the keyspace without a copy: only the first this
 * many slots of argv (one bit each in client.argv_stolen). */
#define NET_MAX_PINNED_ARGS 64
/* The cron gives back a query buffer's spare room, as Redis 7.0 does,
 * only when more than NET_QUERYBUF_WASTE_BYTES is spare: all of it once
 * the client has been idle NET_QUERYBUF_IDLE_MS, or, for a buffer past
 * NET_QUERYBUF_RESIZE_BYTES, down to what it held at most since the last
 * pass when that is under half its size (a big argument's buffer falls
 * back within two passes). Not on every read: a busy client would free
 * and allocate its buffer for each request. */
#define NET_QUERYBUF_WASTE_BYTES (4 * 1024)
#define NET_QUERYBUF_RESIZE_BYTES (32 * 1024)
#define NET_QUERYBUF_IDLE_MS 2000

static void net_read_handler(ae_event_loop *el, int fd, void *privdata, int mask);
static void net_write_handler(ae_event_loop *el, int fd, void *privdata, int mask);
static void net_release_stolen(client *c);

/* ---------------------------------------------------------- lifecycle */

static void net_link_client(client *c) {
    c->prev = NULL;
    c->next = server.clients;
    if (server.clients) server.clients->prev = c;
    server.clients = c;
    server.client_count++;
}

static void net_unlink_client(client *c) {
    if (c->prev) c->prev->next = c->next;
    else server.clients = c->next;
    if (c->next) c->next->prev = c->prev;
    server.client_count--;
    if (c->flags & CLIENT_PENDING_WRITE) {
        client **pp = &server.pending_write;
        while (*pp && *pp != c) pp = &(*pp)->pw_next;
        if (*pp) *pp = c->pw_next;
        c->flags &= ~CLIENT_PENDING_WRITE;
    }
}

client *net_create_client(int fd) {
    client *c = zmalloc(sizeof(*c));
    memset(c, 0, offsetof(client, buf));
    c->fd = fd;
    c->id = server.next_client_id++;
    c->resp = 2;
    acl_client_init(c);
    c->db_id = 0;
    c->db = &server.dbs[0];
    c->cluster_slot = -1;
    c->querybuf = sds_empty();
    resp_parser_init(&c->parser);
    c->ctime = (time_t)vclock_s(); /* age= and idle= are on the data clock */
    c->last_interaction_ms = vclock_ms();
    if (fd != -1) {
        char err[ANET_ERR_LEN];
        anet_non_block(err, fd);
        anet_enable_tcp_nodelay(err, fd);
        if (cfg.tcp_keepalive_sec) anet_keepalive(err, fd, cfg.tcp_keepalive_sec);
        if (ae_create_file_event(server.el, fd, AE_READABLE, net_read_handler, c) == AE_ERR) {
            close(fd);
            resp_parser_free(&c->parser);
            sds_free(c->querybuf);
            zfree(c);
            return NULL;
        }
        net_link_client(c);
    }
    return c;
}

static void net_free_reply_blocks(client *c) {
    reply_block *b = c->reply_head;
    while (b) {
        reply_block *next = b->next;
        zfree(b);
        b = next;
    }
    c->reply_head = c->reply_tail = NULL;
    c->reply_bytes = 0;
    c->reply_blocks = 0;
}

void net_free_client(client *c) {
    if (server.current_client == c) {
        net_close_async(c);
        return;
    }
    admin_client_freed(c); /* MONITOR list, CLIENT PAUSE's waiting list */
    blocking_client_freed(c);
    multi_client_reset(c);
    tracking_client_freed(c);
    pubsub_client_reset(c);
    if ((c->flags & CLIENT_REPLICA) || c->repl) repl_primary_client_freed(c); /* REPLCONF alone made c->repl */
    if (c->flags & CLIENT_PRIMARY) repl_replica_client_freed(c);
    if (c->fd != -1) {
        ae_delete_file_event(server.el, c->fd, AE_READABLE | AE_WRITABLE);
        close(c->fd);
        net_unlink_client(c);
    }
    c->argv = NULL;
    c->argc = 0;
    if (c->argv_stolen) net_release_stolen(c);
    zfree(c->argv_objs);
    resp_parser_free(&c->parser);
    sds_free(c->querybuf);
    sds_free(c->name);
    sds_free(c->lib_name);
    sds_free(c->lib_ver);
    net_free_reply_blocks(c);
    zfree(c);
}

void net_reserve_client_id(void) {
    server.next_client_id++;
}

void net_close_async(client *c) {
    c->flags |= CLIENT_CLOSE_ASAP;
}

void net_free_clients_async(void) {
    client *c = server.clients;
    while (c) {
        client *next = c->next;
        if ((c->flags & CLIENT_CLOSE_ASAP) && c != server.current_client) net_free_client(c);
        c = next;
    }
}

/* ---------------------------------------------------------- accepting */

static int net_is_loopback(const char *ip, int is_unix) {
    if (is_unix) return 1;
    return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0;
}

#define PROTECTED_MODE_ERROR                                                                        \
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password " \
    "is set for the default user. In this mode connections are only accepted from the loopback "    \
    "interface. If you want to connect from external computers to Redis you may adopt one of the "  \
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "          \
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the " \
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "\
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable "  \
    "the protected mode by editing the Redis configuration file, and setting the protected mode "   \
    "option to 'no', and then restarting the server. 3) If you started the server manually just "   \
    "for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication "   \
    "password for the default user. NOTE: You only need to do one of the above things in order "    \
    "for the server to start accepting connections from the outside.\r\n"

/* Writes a one-shot error to a socket we are about to close; a short
 * write does not matter. */
static void net_refuse(int fd, const char *msg) {
    ssize_t r = write(fd, msg, strlen(msg));
    (void)r;
    close(fd);
}

static void net_accept_common(int fd, const char *ip, int port, int is_unix) {
    if (server.client_count >= cfg.maxclients) {
        net_refuse(fd, "-ERR max number of clients reached\r\n");
        server.stat_rejected_conn++;
        return;
    }
    if (cfg.protected_mode && acl_default_nopass() && !net_is_loopback(ip, is_unix)) {
        net_refuse(fd, PROTECTED_MODE_ERROR);
        server.stat_rejected_conn++;
        return;
    }
    client *c = net_create_client(fd);
    if (c == NULL) {
        log_warning("Error registering fd event for the new client (fd=%d)", fd);
        return;
    }
    server.stat_numconnections++;
    if (is_unix) {
        c->flags |= CLIENT_UNIX_SOCKET;
        snprintf(c->addr, sizeof(c->addr), "%s:0", cfg.unixsocket ? cfg.unixsocket : "");
        snprintf(c->laddr, sizeof(c->laddr), "%s:0", cfg.unixsocket ? cfg.unixsocket : "");
    } else {
        char lip[NET_ADDR_STR_LEN];
        int lport = 0;
        anet_format_addr(c->addr, sizeof(c->addr), ip, port);
        if (anet_fd_to_string(fd, lip, sizeof(lip), &lport, 0) == ANET_OK)
            anet_format_addr(c->laddr, sizeof(c->laddr), lip, lport);
    }
    log_verbose("Accepted %s", c->addr);
}

void net_accept_tcp_handler(ae_event_loop *el, int fd, void *privdata, int mask) {
    (void)el, (void)privdata, (void)mask;
    char err[ANET_ERR_LEN], ip[NET_ADDR_STR_LEN];
    for (int i = 0; i < MAX_ACCEPTS_PER_CALL; i++) {
        int port;
        int cfd = anet_tcp_accept(err, fd, ip, sizeof(ip), &port);
        if (cfd == ANET_ERR) {
            if (errno != EWOULDBLOCK && errno != EAGAIN) log_warning("Accepting client connection: %s", err);
            return;
        }
        net_accept_common(cfd, ip, port, 0);
    }
}

void net_accept_unix_handler(ae_event_loop *el, int fd, void *privdata, int mask) {
    (void)el, (void)privdata, (void)mask;
    char err[ANET_ERR_LEN];
    for (int i = 0; i < MAX_ACCEPTS_PER_CALL; i++) {
        int cfd = anet_unix_accept(err, fd);
        if (cfd == ANET_ERR) {
            if (errno != EWOULDBLOCK && errno != EAGAIN) log_warning("Accepting client connection: %s", err);
            return;
        }
        net_accept_common(cfd, NULL, 0, 1);
    }
}

/* ---------------------------------------------------------- reading */

sds net_steal_arg(client *c, int i) {
    if (i >= NET_MAX_PINNED_ARGS) return sds_dup(c->argv[i]);
    c->argv_stolen |= 1ULL << i;
    return c->argv[i];
}

robj *net_arg_to_object(client *c, int i) {
    sds arg = c->argv[i];
    size_t len = sds_len(arg);
    long long v;
    if (i >= NET_MAX_PINNED_ARGS || len <= OBJ_EMBSTR_MAX_BYTES || (len <= LONG_STR_SIZE && string2ll(arg, len, &v)))
        return obj_create_string(arg, len);
    /* The object takes the sds; one extra reference keeps it alive until
     * the command ends, even if the command itself drops the value (MSET k
     * v1 k v2), so argv[i] stays readable for the slow log. */
    robj *o = obj_create_raw_string(net_steal_arg(c, i));
    if (c->argv_objs == NULL) c->argv_objs = zcalloc(sizeof(robj *) * NET_MAX_PINNED_ARGS);
    obj_incr_refcount(o);
    c->argv_objs[i] = o;
    return o;
}

void net_release_stolen_in(client *c, sds *argv, int argc) {
    for (int i = 0; i < NET_MAX_PINNED_ARGS && i < argc; i++) {
        if (!(c->argv_stolen & (1ULL << i))) continue;
        argv[i] = NULL;
        if (c->argv_objs && c->argv_objs[i]) {
            obj_decr_refcount(c->argv_objs[i]);
            c->argv_objs[i] = NULL;
        }
    }
    c->argv_stolen = 0;
}

/* Forgets argv slots the keyspace took and drops their pins. */
static void net_release_stolen(client *c) {
    net_release_stolen_in(c, c->parser.argv, c->parser.argc);
}

void net_reset_client(client *c) {
    if (c->argv_stolen) net_release_stolen(c);
    resp_parser_reset(&c->parser);
    c->argv_len_sum = 0;
    c->argv_counted = 0;
    c->argv = NULL;
    c->argc = 0;
    tracking_command_reset(c);
    /* ASKING lets exactly the next command into an importing slot (or a
     * whole transaction, MULTI to EXEC), as Redis's resetClient. */
    if ((c->flags & (CLIENT_ASKING | CLIENT_MULTI)) == CLIENT_ASKING &&
        !(c->cmd && c->cmd->parent == NULL && strcmp(c->cmd->name, "asking") == 0))
        c->flags &= ~CLIENT_ASKING;
    c->cmd = NULL;
    /* CLIENT REPLY SKIP silences exactly the command after it. */
    c->flags &= ~CLIENT_REPLY_SKIP;
    if (c->flags & CLIENT_REPLY_SKIP_NEXT) {
        c->flags |= CLIENT_REPLY_SKIP;
        c->flags &= ~CLIENT_REPLY_SKIP_NEXT;
    }
}

/* Parses and runs every complete command in the query buffer. */
static void net_process_input(client *c) {
    /* Our primary's stream: applied with no checks, bytes proxied. */
    if (__builtin_expect((c->flags & CLIENT_PRIMARY) != 0, 0)) {
        repl_replica_process_input(c);
        return;
    }
    size_t len = sds_len(c->querybuf);
    server.current_client = c;
    /* CLIENT PAUSE (admin.c): c->argv is already set when a parsed command
     * was postponed; it runs first, without parsing again. */
    /* Input that arrives for a client whose blocked command was served but
     * not yet resumed: finish that command first. */
    if (c->flags & CLIENT_UNBLOCKED) {
        c->flags &= ~CLIENT_UNBLOCKED;
        net_reset_client(c);
    }
    while (c->argv || c->qb_pos < len) {
        /* A blocked client's later commands wait until it is served (and
         * a client an injected fault holds, until the fault lets go). */
        if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP | CLIENT_BLOCKED | CLIENT_FAULT_HOLD_INPUT))
            break;
        if (c->argv == NULL) {
            resp_limits lim = {cfg.proto_max_bulk_len, c->authenticated};
            size_t consumed;
            resp_parse_result r =
                resp_parse(&c->parser, c->querybuf + c->qb_pos, len - c->qb_pos, &lim, &consumed);
            c->qb_pos += consumed;
            if (r == RESP_PARSE_NEED_MORE) {
                /* Count arguments of a partial command once each, so the
                 * query-buffer limit sees them without rescanning argv. */
                for (; c->argv_counted < c->parser.argc; c->argv_counted++)
                    c->argv_len_sum += sds_len(c->parser.argv[c->argv_counted]);
                break;
            }
            if (r == RESP_PARSE_ERROR) {
                log_verbose("Protocol error (%s) from client: id=%llu addr=%s", c->parser.error,
                            (unsigned long long)c->id, c->addr);
                reply_error(c, c->parser.error);
                c->flags |= CLIENT_CLOSE_AFTER_REPLY | CLIENT_PROTOCOL_ERROR;
                break;
            }
            c->argc = c->parser.argc;
            c->argv = c->parser.argv;
        }
        /* CLIENT PAUSE: the command waits, parsed, until admin.c calls
         * net_resume_postponed. */
        if (admin_should_postpone(c)) break;
        /* With no fault defined this costs one predictable branch. */
        if (__builtin_expect(fault_armed, 0)) fault_process(c);
        else cmd_process(c);
        c->commands_processed++;
        if (c->flags & CLIENT_BLOCKED) break; /* argv kept for re-execution */
        net_reset_client(c);
    }
    server.current_client = NULL;
    if (c->qb_pos) {
        sds_range(c->querybuf, (ssize_t)c->qb_pos, -1);
        c->qb_pos = 0;
    }
}

/* A script running past busy-reply-threshold lets the loop serve other
 * sockets; its caller's socket is not read meanwhile, so its next command
 * cannot run inside the one still running. */
void net_protect_client(client *c) {
    ae_delete_file_event(server.el, c->fd, AE_READABLE);
}

void net_unprotect_client(client *c) {
    ae_create_file_event(server.el, c->fd, AE_READABLE, net_read_handler, c);
}

/* CLIENT PAUSE ended (admin.c, from a timer): runs c's postponed command
 * and whatever input followed it. Declared in admin.h. */
void net_resume_postponed(client *c) {
    net_process_input(c);
}

void net_handle_unblocked(void) {
    client *c;
    while ((c = server.unblocked) != NULL) {
        server.unblocked = c->ub_next;
        c->ub_next = NULL;
        /* Cleared when new input already resumed it (net_process_input). */
        if (!(c->flags & CLIENT_UNBLOCKED)) continue;
        c->flags &= ~CLIENT_UNBLOCKED;
        net_reset_client(c);
        if (!(c->flags & (CLIENT_CLOSE_ASAP | CLIENT_BLOCKED))) net_process_input(c);
    }
}

/* Bytes of input still buffered. Redis 7.0 counts only these against
 * client-query-buffer-limit, not arguments already split out (argv_len_sum
 * is kept for CLIENT LIST's argv-mem and a future stricter mode). */
static size_t net_pending_input_bytes(const client *c) {
    return sds_len(c->querybuf) - c->qb_pos;
}

static void net_read_handler(ae_event_loop *el, int fd, void *privdata, int mask) {
    (void)el, (void)mask;
    client *c = privdata;
    size_t readlen = PROTO_IOBUF_LEN;
    int big_arg = 0;
    /* Reading a big argument: ask for exactly what is missing, so the
     * buffer grows once instead of in 16 KB steps. */
    if (c->parser.req_type == RESP_REQ_MULTIBULK && c->parser.bulk_len >= RESP_BIG_ARG_BYTES) {
        size_t have = sds_len(c->querybuf) - c->qb_pos;
        size_t want = (size_t)c->parser.bulk_len + 2;
        if (want > have && want - have > readlen) {
            readlen = want - have;
            big_arg = 1;
        }
    }
    size_t qblen = sds_len(c->querybuf);
    if (c->querybuf_peak < qblen + readlen) c->querybuf_peak = qblen + readlen;
    /* Exact room for a big argument or a first buffer (as Redis: a new
     * client's buffer is PROTO_IOBUF_LEN, not double); else room to grow. */
    if (big_arg || sds_alloc(c->querybuf) < PROTO_IOBUF_LEN)
        c->querybuf = sds_make_room_for_non_greedy(c->querybuf, readlen);
    else
        c->querybuf = sds_make_room_for(c->querybuf, readlen);
    ssize_t n = read(fd, c->querybuf + qblen, readlen);
    if (n == -1) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        log_verbose("Reading from client: %s", strerror(errno));
        net_free_client(c);
        return;
    }
    if (n == 0) {
        log_verbose("Client closed connection id=%llu addr=%s", (unsigned long long)c->id, c->addr);
        net_free_client(c);
        return;
    }
    sds_incr_len(c->querybuf, n);
    c->last_interaction_ms = vclock_ms_from_real(server.loop_ms);
    server.stat_net_input_bytes += n;
    /* The primary's stream is exempt: a big transaction waits for its EXEC
     * in the buffer. */
    if (net_pending_input_bytes(c) > cfg.client_max_querybuf_len && !(c->flags & CLIENT_PRIMARY)) {
        log_warning("Closing client that reached max query buffer length: id=%llu addr=%s (qbuf initial bytes: ...)",
                    (unsigned long long)c->id, c->addr);
        net_free_client(c);
        return;
    }
    net_process_input(c);
}

/* ---------------------------------------------------------- writing */

static inline int net_has_pending_output(const client *c) {
    return c->bufpos > 0 || c->reply_head != NULL;
}

size_t net_client_output_len(const client *c) {
    size_t n = c->bufpos - c->sentlen;
    for (reply_block *b = c->reply_head; b; b = b->next) n += b->used;
    return n;
}

/* Drops n written bytes from the front of the output. */
static void net_consume_output(client *c, size_t n) {
    if (c->bufpos > 0) {
        size_t avail = c->bufpos - c->sentlen;
        if (n < avail) {
            c->sentlen += n;
            return;
        }
        n -= avail;
        c->bufpos = 0;
        c->sentlen = 0;
    }
    while (c->reply_head) {
        reply_block *b = c->reply_head;
        size_t avail = b->used - c->sentlen;
        if (n < avail) {
            c->sentlen += n;
            return;
        }
        n -= avail;
        c->reply_head = b->next;
        if (c->reply_head == NULL) c->reply_tail = NULL;
        c->reply_bytes -= b->size;
        c->reply_blocks--;
        c->sentlen = 0;
        zfree(b);
    }
}

/* Returns -1 if the client was freed. */
static int net_write_to_client(client *c) {
    ssize_t total = 0, n = 0;
    while (net_has_pending_output(c)) {
        struct iovec iov[NET_MAX_IOV];
        int cnt = 0;
        size_t offset = c->sentlen;
        if (c->bufpos > 0) {
            iov[cnt].iov_base = c->buf + c->sentlen;
            iov[cnt++].iov_len = c->bufpos - c->sentlen;
            offset = 0;
        }
        for (reply_block *b = c->reply_head; b && cnt < NET_MAX_IOV; b = b->next) {
            if (b->used > offset) {
                iov[cnt].iov_base = b->buf + offset;
                iov[cnt++].iov_len = b->used - offset;
            }
            offset = 0;
        }
        if (cnt == 0) { /* only empty blocks are left */
            net_consume_output(c, 0);
            break;
        }
        n = writev(c->fd, iov, cnt);
        if (n <= 0) break;
        total += n;
        net_consume_output(c, (size_t)n);
        if (total >= NET_MAX_WRITES_PER_EVENT) break;
    }
    server.stat_net_output_bytes += total;
    if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        log_verbose("Error writing to client: %s", strerror(errno));
        net_free_client(c);
        return -1;
    }
    if (total > 0) c->last_interaction_ms = vclock_ms_from_real(server.loop_ms);
    if (!net_has_pending_output(c)) {
        if (c->flags & CLIENT_WRITE_HANDLER) {
            ae_delete_file_event(server.el, c->fd, AE_WRITABLE);
            c->flags &= ~CLIENT_WRITE_HANDLER;
        }
        if (c->flags & CLIENT_CLOSE_AFTER_REPLY) {
            net_free_client(c);
            return -1;
        }
    }
    return 0;
}

static void net_write_handler(ae_event_loop *el, int fd, void *privdata, int mask) {
    (void)el, (void)fd, (void)mask;
    /* A reply may only leave once its effects are in the AOF. */
    aof_flush_before_reply();
    net_write_to_client(privdata);
}

void net_schedule_write(client *c) {
    c->flags |= CLIENT_PENDING_WRITE;
    c->pw_next = server.pending_write;
    server.pending_write = c;
}

void net_handle_pending_writes(void) {
    client *c;
    while ((c = server.pending_write) != NULL) {
        server.pending_write = c->pw_next;
        c->pw_next = NULL;
        c->flags &= ~CLIENT_PENDING_WRITE;
        if (c->flags & (CLIENT_CLOSE_ASAP | CLIENT_WRITE_HANDLER | CLIENT_FAULT_HOLD_OUTPUT)) continue;
        if (net_write_to_client(c) == -1) continue;
        if (net_has_pending_output(c)) {
            if (ae_create_file_event(server.el, c->fd, AE_WRITABLE, net_write_handler, c) == AE_ERR)
                net_close_async(c);
            else
                c->flags |= CLIENT_WRITE_HANDLER;
        }
    }
}

/* ---------------------------------------------------------- fault holds */

void net_hold_output(client *c) {
    c->flags |= CLIENT_FAULT_HOLD_OUTPUT;
    /* A writable event would keep firing (level-triggered) while held. */
    if (c->flags & CLIENT_WRITE_HANDLER) {
        ae_delete_file_event(server.el, c->fd, AE_WRITABLE);
        c->flags &= ~CLIENT_WRITE_HANDLER;
    }
}

void net_release_output(client *c) {
    c->flags &= ~CLIENT_FAULT_HOLD_OUTPUT;
    if (net_has_pending_output(c) && !(c->flags & (CLIENT_PENDING_WRITE | CLIENT_WRITE_HANDLER)))
        net_schedule_write(c);
}

void net_truncate_output(client *c, size_t keep) {
    size_t offset = c->sentlen; /* where the head block's pending bytes start */
    if (c->bufpos > 0) {
        size_t avail = c->bufpos - c->sentlen;
        if (keep < avail) c->bufpos = c->sentlen + keep;
        keep -= keep < avail ? keep : avail;
        offset = 0;
    }
    /* Keep blocks while keep lasts (cutting the one it ends in), free the
     * rest. */
    reply_block **link = &c->reply_head, *b;
    c->reply_tail = NULL;
    while ((b = *link) != NULL && keep > 0) {
        size_t avail = b->used - offset;
        if (keep < avail) b->used = offset + keep;
        keep -= keep < avail ? keep : avail;
        c->reply_tail = b;
        link = &b->next;
        offset = 0;
    }
    while ((b = *link) != NULL) {
        *link = b->next;
        c->reply_bytes -= b->size;
        c->reply_blocks--;
        zfree(b);
    }
    /* Nothing pending is an empty buffer, so no zero-length write waits. */
    if (c->reply_head == NULL && c->bufpos == c->sentlen) c->bufpos = c->sentlen = 0;
}

/* ---------------------------------------------------------- output limits */

void net_check_output_limits(client *c) {
    /* Our primary's link has no limit; a replica is in the replica class;
     * a client with subscriptions in the pubsub class, as in Redis. */
    if (c->flags & CLIENT_PRIMARY) return;
    if ((c->flags & CLIENT_REPLICA) && repl_primary_output_unlimited(c)) return;
    int cls = (c->flags & CLIENT_REPLICA)  ? CLIENT_CLASS_REPLICA
              : (c->flags & CLIENT_PUBSUB) ? CLIENT_CLASS_PUBSUB
                                           : CLIENT_CLASS_NORMAL;
    const struct config_obuf_limit *l = &cfg.client_obuf_limits[cls];
    if (c->fd == -1 || (c->flags & CLIENT_CLOSE_ASAP) || (l->hard_bytes == 0 && l->soft_bytes == 0)) return;
    unsigned long long used = c->reply_bytes;
    int hard = l->hard_bytes && used >= l->hard_bytes;
    int soft = 0;
    if (l->soft_bytes && used >= l->soft_bytes) {
        if (c->obuf_soft_since_ms == 0) c->obuf_soft_since_ms = server.loop_ms;
        else soft = server.loop_ms - c->obuf_soft_since_ms >= l->soft_seconds * 1000;
    } else {
        c->obuf_soft_since_ms = 0;
    }
    if (!hard && !soft) return;
    log_warning("Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.",
                (unsigned long long)c->id, c->addr);
    net_close_async(c);
}

/* ---------------------------------------------------------- cron, info */

/* Gives back the spare room of c's query buffer (see NET_QUERYBUF_*),
 * then starts a new peak from what it holds now (or the bulk being read,
 * whose bytes will soon be needed). */
static void net_shrink_querybuf(client *c, long long now_ms) {
    size_t len = sds_len(c->querybuf), alloc = sds_alloc(c->querybuf);
    size_t bulk = c->parser.req_type == RESP_REQ_MULTIBULK && c->parser.bulk_len >= 0
                      ? (size_t)c->parser.bulk_len + 2 : 0;
    if (sds_avail(c->querybuf) > NET_QUERYBUF_WASTE_BYTES) {
        if (now_ms - c->last_interaction_ms > NET_QUERYBUF_IDLE_MS) {
            c->querybuf = sds_remove_free_space(c->querybuf);
        } else if (alloc > NET_QUERYBUF_RESIZE_BYTES && alloc / 2 > c->querybuf_peak) {
            size_t keep = len > c->querybuf_peak ? len : c->querybuf_peak;
            if (keep < bulk) keep = bulk;
            c->querybuf = sds_remove_free_space(c->querybuf);
            if (keep > len) c->querybuf = sds_make_room_for_non_greedy(c->querybuf, keep - len);
        }
    }
    c->querybuf_peak = len > bulk ? len : bulk;
}

void net_clients_cron(long long now_ms) {
    long long limit_ms = (long long)cfg.timeout_sec * 1000;
    client *c = server.clients;
    while (c) {
        client *next = c->next;
        net_shrink_querybuf(c, now_ms);
        if (cfg.timeout_sec <= 0) {
            c = next;
            continue;
        }
        /* Blocked clients wait by their own timeout, as in Redis; replication
         * links have repl-timeout instead. */
        if (!(c->flags & (CLIENT_BLOCKED | CLIENT_REPLICA | CLIENT_PRIMARY)) &&
            now_ms - c->last_interaction_ms > limit_ms) {
            log_verbose("Closing idle client id=%llu", (unsigned long long)c->id);
            net_free_client(c);
        }
        c = next;
    }
}

static sds net_cat_flags(sds s, const client *c) {
    char flags[16], *p = flags;
    /* Letters in Redis's order (7.2 for 'T'). */
    if (c->flags & CLIENT_MONITOR) *p++ = 'O';
    else if (c->flags & CLIENT_REPLICA) *p++ = 'S';
    if (c->flags & CLIENT_PRIMARY) *p++ = 'M';
    if (c->flags & CLIENT_PUBSUB) *p++ = 'P';
    if (c->flags & (CLIENT_MULTI | CLIENT_IN_EXEC)) *p++ = 'x'; /* still 'x' while EXEC runs, as Redis */
    if ((c->flags & CLIENT_BLOCKED) || admin_client_is_postponed(c)) *p++ = 'b';
    if (c->flags & CLIENT_TRACKING) *p++ = 't';
    if (c->flags & CLIENT_TRACKING_BROKEN_REDIR) *p++ = 'R';
    if (c->flags & CLIENT_TRACKING_BCAST) *p++ = 'B';
    if (c->flags & CLIENT_DIRTY_CAS) *p++ = 'd';
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) *p++ = 'c';
    if (c->flags & CLIENT_CLOSE_ASAP) *p++ = 'A';
    if (c->flags & CLIENT_UNIX_SOCKET) *p++ = 'U';
    if (c->flags & CLIENT_READONLY) *p++ = 'r';
    if (c->flags & CLIENT_NO_EVICT) *p++ = 'e';
    if (c->flags & CLIENT_NO_TOUCH) *p++ = 'T';
    if (p == flags) *p++ = 'N';
    *p = '\0';
    return sds_cat(s, flags);
}

static size_t net_client_argv_mem(const client *c) {
    size_t argv_mem = 0;
    for (int i = 0; i < c->argc; i++)
        if (c->argv[i]) argv_mem += sds_len(c->argv[i]);
    return argv_mem;
}

size_t net_client_tot_mem(const client *c) {
    return sizeof(client) + sds_alloc_size(c->querybuf) + c->reply_bytes + net_client_argv_mem(c);
}

sds net_cat_client_info(sds s, client *c) {
    long long now = vclock_ms();
    int ev = c->fd == -1 ? 0 : ae_get_file_events(server.el, c->fd);
    size_t argv_mem = net_client_argv_mem(c);
    size_t qbuf = sds_len(c->querybuf);
    size_t qfree = sds_avail(c->querybuf);
    size_t tot = net_client_tot_mem(c);
    unsigned long sub, psub, ssub;
    pubsub_client_counts(c, &sub, &psub, &ssub);
    s = sds_cat_printf(s, "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=",
                       (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
                       (long long)(now / 1000 - c->ctime), (now - c->last_interaction_ms) / 1000);
    s = net_cat_flags(s, c);
    s = sds_cat_printf(s,
                       " db=%d sub=%lu psub=%lu ssub=%lu multi=%ld qbuf=%zu qbuf-free=%zu argv-mem=%zu"
                       " multi-mem=%zu rbs=%zu rbp=%zu obl=%zu oll=%lu omem=%zu tot-mem=%zu events=%s%s"
                       " cmd=%s user=%s redir=%lld resp=%d lib-name=%s lib-ver=%s",
                       c->db_id, sub, psub, ssub, multi_queued_count(c), qbuf, qfree, argv_mem,
                       multi_queued_bytes(c), sizeof(c->buf), c->bufpos, c->bufpos,
                       c->reply_blocks, c->reply_bytes, tot, (ev & AE_READABLE) ? "r" : "",
                       (ev & AE_WRITABLE) ? "w" : "", c->lastcmd ? c->lastcmd->fullname : "NULL", acl_client_username(c),
                       tracking_client_redirect(c), c->resp, c->lib_name ? c->lib_name : "",
                       c->lib_ver ? c->lib_ver : "");
    return s;
}

/* ------------------------------------------------------------ sync I/O */

/* Waits until c's socket is ready for events (POLLIN / POLLOUT); -1 when
 * it failed or was hung up with nothing left to read. */
static int net_wait_fd(int fd, short events) {
    struct pollfd pfd = {.fd = fd, .events = events};
    for (;;) {
        int n = poll(&pfd, 1, -1);
        if (n == 1) return (pfd.revents & (events | POLLHUP)) ? 0 : -1;
        if (n == -1 && errno != EINTR) return -1;
    }
}

ssize_t net_read_sync(client *c, char *buf, size_t cap) {
    for (;;) {
        ssize_t n = read(c->fd, buf, cap);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if ((errno != EAGAIN && errno != EWOULDBLOCK) || net_wait_fd(c->fd, POLLIN) == -1) return -1;
    }
}

int net_write_sync(client *c, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(c->fd, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n == -1 && errno == EINTR) {
            continue;
        } else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (net_wait_fd(c->fd, POLLOUT) == -1) return -1;
        } else {
            return -1;
        }
    }
    return 0;
}
