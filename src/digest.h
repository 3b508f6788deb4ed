/* digest.h -- DEBUG DIGEST and DEBUG DIGEST-VALUE: SHA-1 digests of the
 * dataset and of single values, equal to Redis 7.0's for an equal dataset,
 * so a minired and a Redis server (or a server before and after a reload)
 * can be compared by one string. */
#ifndef MINIRED_DIGEST_H
#define MINIRED_DIGEST_H

#include "server.h"
#include "sha1.h"

/* The digest of every database (20 zero bytes when all are empty). */
void digest_dataset(unsigned char out[SHA1_DIGEST_BYTES]);
/* The digest of one value o stored at key in d (its type, contents and
 * whether it has a TTL), as DEBUG DIGEST-VALUE reports it. */
void digest_value(db *d, const sds key, const robj *o, unsigned char out[SHA1_DIGEST_BYTES]);

/* DEBUG DIGEST / DEBUG DIGEST-VALUE key...: the replies. */
void digest_debug_digest(client *c);
void digest_debug_digest_value(client *c);

#endif
