/* server_main.h -- the two calls main() makes once configuration is
 * loaded: build the server, then run the event loop until shutdown. */
#ifndef MINIRED_SERVER_MAIN_H
#define MINIRED_SERVER_MAIN_H

/* Used for the pidfile when daemonizing without one configured. */
#define DEFAULT_DAEMON_PIDFILE "/var/run/minired.pid"

void server_init(void);
void server_run(void);

#endif
