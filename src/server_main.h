/* server_main.h -- the two calls main() makes once configuration is
 * loaded: build the server, then run the event loop until shutdown. */
#ifndef MINIRED_SERVER_MAIN_H
#define MINIRED_SERVER_MAIN_H

void server_init(void);
void server_run(void);

#endif
