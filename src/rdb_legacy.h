/* rdb_legacy.h -- loading the packed encodings of RDB versions 7 to 9
 * (Redis 3.2 to 6.x): zipmap hashes (9), ziplist lists (10), ziplist sorted
 * sets (12), ziplist hashes (13) and quicklists of ziplists (14). Values
 * come out in today's encodings. */
#ifndef MINIRED_RDB_LEGACY_H
#define MINIRED_RDB_LEGACY_H

#include "rio.h"
#include "server.h"

/* Reads the value of a legacy type byte from r (the primitives in
 * rdb_internal.h read its strings and lengths). Returns a new object, or
 * NULL with *err a new sds saying why, or NULL with *empty = 1 (and no
 * *err) for an empty collection, which Redis 7.0 skips on load. deep is
 * accepted for symmetry: these conversions always validate every entry
 * and refuse duplicates, as Redis's do. */
robj *rdb_load_legacy_object(rio *r, int type, int deep, sds *err, int *empty);

#endif
