/* pubsub.h -- publish/subscribe: channels, patterns and shard channels.
 *
 * pubsub.c owns the server's channel -> subscribers indexes and each
 * client's subscription sets (c->pubsub). A client with at least one
 * subscription of any kind carries CLIENT_PUBSUB; in RESP2 that flag puts
 * it in subscribed mode (commands.c refuses other commands) and in the
 * pubsub class of client-output-buffer-limit (networking.c). */
#ifndef MINIRED_PUBSUB_H
#define MINIRED_PUBSUB_H

#include "server.h"

/* Creates the indexes and registers the keyspace-notification publisher
 * (notify.h); call once at start. */
void pubsub_init(void);

/* Drops every subscription of c without replying (client freed, RESET)
 * and clears CLIENT_PUBSUB. */
void pubsub_client_reset(client *c);

/* Subscription counts of c (CLIENT LIST sub= psub= ssub=). */
void pubsub_client_counts(const client *c, unsigned long *channels, unsigned long *patterns,
                          unsigned long *shard_channels);

/* Server-wide counts (INFO stats pubsub_channels, pubsub_patterns,
 * pubsubshard_channels): channels and shard channels with at least one
 * subscriber, distinct patterns. */
/* Whether fn (borrowing each name) says yes for every channel and
 * pattern c is subscribed to; stops at the first no. */
int pubsub_client_all(const client *c, int (*fn)(const sds name, int is_pattern, void *ctx), void *ctx);
unsigned long pubsub_channel_count(void);
unsigned long pubsub_pattern_count(void);
unsigned long pubsub_shard_channel_count(void);

/* Delivers message on channel to its subscribers and to subscribers of
 * matching patterns. Both borrowed. Returns the number of deliveries
 * (PUBLISH's reply). */
long long pubsub_publish(const sds channel, const sds message);
/* Delivers message on the shard channel to its subscribers (SPUBLISH,
 * a PUBLISHSHARD from the cluster bus). Both borrowed. Returns the number
 * of deliveries. */
long long pubsub_publish_shard(const sds channel, const sds message);

/* 1 if cmd may run in RESP2 subscribed mode ((P|S)SUBSCRIBE,
 * (P|S)UNSUBSCRIBE, PING, QUIT, RESET). */
int pubsub_allowed_in_context(const redis_command *cmd);

/* 1 if cmd is SSUBSCRIBE, SUNSUBSCRIBE or SPUBLISH (a cluster node
 * routes them by their shard channels' slot). */
int pubsub_is_shard_command(const redis_command *cmd);
/* Every shard channel for which drop(name, ctx) says 1 loses all its
 * subscribers, each told with a "sunsubscribe" push, channels in byte
 * order (a cluster node that lost the channels' slot, as Redis 7.0). */
void pubsub_shard_drop(int (*drop)(const sds name, void *ctx), void *ctx);

/* The table (registered in commands.c). */
extern redis_command pubsub_commands[];

#endif
