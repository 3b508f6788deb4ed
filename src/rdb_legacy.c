/* rdb_legacy.c -- the RDB 7-9 packed encodings (see rdb_legacy.h).
 *
 * A stub until the ziplist and zipmap readers land: every legacy type is
 * refused with a clear reason, never read half-way. */
#include "rdb_legacy.h"

robj *rdb_load_legacy_object(rio *r, int type, int deep, sds *err) {
    (void)r;
    (void)type;
    (void)deep;
    if (*err == NULL) *err = sds_new("legacy encoding not supported yet");
    return NULL;
}
