/* t_stream_group.h -- what t_stream_group.c (XREAD, XREADGROUP, XGROUP,
 * XACK, XPENDING) shares with t_stream_claim.c (XCLAIM, XAUTOCLAIM): the
 * consumer lookup that creates and refreshes, PEL removal, entry replies
 * and the effects Redis 7.0 propagates for group changes. Only those two
 * files include it. */
#ifndef MINIRED_T_STREAM_GROUP_H
#define MINIRED_T_STREAM_GROUP_H

#include "t_stream.h"

/* Parses a long long; on failure replies err (NULL: the generic "value is
 * not an integer or out of range") and returns -1. */
int sgroup_parse_ll(client *c, const sds arg, long long *v, const char *err);
/* 1 if the stream holds a live entry with this ID. */
int sgroup_entry_exists(stream *s, const stream_id *id);
/* Replies the entry as [id, [field, value, ...]] and returns 1; replies
 * nothing and returns 0 when there is no such entry. */
int sgroup_reply_entry(client *c, stream *s, const stream_id *id);
/* The consumer name of cg (borrowed), its seen time set to now; created
 * when missing, with its dirty count and "xgroup-createconsumer" event
 * on key, as Redis's consumer lookups from XREADGROUP / XCLAIM do;
 * *created (may be NULL) tells which. */
stream_consumer *sgroup_consumer(stream_cg *cg, const sds name, const sds key, int dbid, long long now,
                                 int *created);
/* Removes the nack of key (16-byte ID) from both PELs and frees it. */
void sgroup_nack_unlink(stream_cg *cg, const unsigned char key[16], stream_nack *nack);
/* Adds the effect Redis 7.0 propagates for a nack's state:
 * XCLAIM key group owner 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID
 * group-last-id. id is the text to propagate (idlen bytes). */
void sgroup_prop_xclaim(int dbid, const sds key, const sds group, const char *id, size_t idlen,
                        const stream_cg *cg, const stream_nack *nack);
/* XGROUP SETID key group last-id ENTRIESREAD n. */
void sgroup_prop_setid(int dbid, const sds key, const sds group, const stream_cg *cg);

#endif
