/* notify.h -- keyspace notifications (notify-keyspace-events).
 *
 * Command handlers, expiry and eviction call notify_keyspace_event at the
 * place a change happens, in the order Redis 7.0 emits its events. The
 * event is published on __keyspace@<db>__:<key> (class K) and
 * __keyevent@<db>__:<event> (class E) when its class is enabled. */
#ifndef MINIRED_NOTIFY_H
#define MINIRED_NOTIFY_H

#include "server.h"

/* type is one NOTIFY_* class bit (config.h); event a Redis event name
 * ("set", "lpush", "expired"...); key is borrowed. */
void notify_keyspace_event(int type, const char *event, const sds key, int dbid);

/* Delivers message on channel to its subscribers (pubsub.c registers it
 * at start; until then events go nowhere). Both are borrowed. */
typedef void notify_publish_fn(const sds channel, const sds message);
void notify_set_publisher(notify_publish_fn *fn);

#endif
