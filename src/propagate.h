/* propagate.h -- the effects stream: what each write did, as commands.
 *
 * A command that moved the dirty counter propagates its own argv unless it
 * replaced it (prop_replace*: relative or random commands rewritten to
 * their deterministic effect) or suppressed it (prop_prevent, typically
 * after adding its effects with prop_add*). Effects gathered during one
 * execution unit (a top-level command with everything it caused, one
 * active-expiry or eviction deletion) are emitted together by prop_flush:
 * wrapped in MULTI/EXEC when there are several, preceded by SELECT when
 * the database changes, exactly as Redis 7.0 feeds its AOF and replicas.
 * AOF and replication consume the stream; until they exist, DEBUG EFFECTS
 * captures it for tests. */
#ifndef MINIRED_PROPAGATE_H
#define MINIRED_PROPAGATE_H

#include "server.h"

/* 1 when some consumer reads the stream (effects are built only then). */
int prop_active(void);

/* Adds one effect to the running unit. Takes argv (zmalloc'd) and its
 * strings. */
void prop_add(int dbid, int argc, sds *argv);
/* Same, built from fmt, one letter per argument:
 *   s  sds (copied)          c  C string (copied)
 *   b  const char *, size_t  l  long long (as decimal text) */
void prop_addf(int dbid, const char *fmt, ...);
/* Replaces c's own argv as its effect (added when the command ends, after
 * effects added meanwhile). Takes argv and its strings. */
void prop_replace(client *c, int argc, sds *argv);
void prop_replacef(client *c, const char *fmt, ...);
/* c's own argv is not propagated (its effects were added explicitly, or
 * it changed nothing worth replaying). */
void prop_prevent(client *c);
/* c's own argv reaches the replica consumers even though it changed
 * nothing (PUBLISH / SPUBLISH: subscribers of replicas hear it), never the
 * AOF, as Redis's forced replication. */
void prop_force_replicas(client *c);

/* commands.c: called when c's command returns; dirty is how far it moved
 * the counter. Adds c's effect (own or replaced argv) and clears c's
 * override. */
void prop_command_done(client *c, long long dirty);
/* Ends an execution unit: emits its effects to the consumers. */
void prop_flush(void);
/* DEBUG REPLICATE: hands argv (borrowed) at once to the replica consumers
 * only (never the AOF, which could not load it back), as one command
 * outside any unit: no SELECT, no MULTI/EXEC, as Redis feeds its replicas
 * this command (the data may diverge: that is the point). */
void prop_feed_raw(int argc, sds *argv);
/* Effects waiting for prop_flush. */
int prop_pending(void);

/* Consumers receive the RESP bytes of each flushed unit. */
typedef void prop_consumer_fn(const char *buf, size_t len, void *ctx);
void prop_add_consumer(prop_consumer_fn *fn, void *ctx);
/* Same for a reader that sees what a replica sees (replication, DEBUG
 * EFFECTS): it also gets DEBUG REPLICATE's raw commands. */
void prop_add_replica_consumer(prop_consumer_fn *fn, void *ctx);
void prop_remove_consumer(prop_consumer_fn *fn, void *ctx);
/* The consumer's next unit starts with a SELECT (a replica about to load
 * a snapshot, a new AOF file). */
void prop_consumer_reselect(prop_consumer_fn *fn, void *ctx);
/* The database the consumer's stream selected last (-1: none yet, or no
 * such consumer). */
int prop_consumer_db(prop_consumer_fn *fn, void *ctx);

/* DEBUG EFFECTS ON | OFF | GET (a capture consumer for tests). */
void prop_debug_command(client *c);

#endif
