/* notify.c -- builds keyspace-notification messages and hands them to the
 * publisher pubsub.c registered.
 *
 * Owns nothing but the publisher hook. Must stay cheap when notifications
 * are off (the default): the first test returns before any allocation. */
#include "notify.h"

#include "util.h"

static notify_publish_fn *publisher;

void notify_set_publisher(notify_publish_fn *fn) {
    publisher = fn;
}

void notify_keyspace_event(int type, const char *event, const sds key, int dbid) {
    int enabled = cfg.notify_keyspace_events;
    if (!(enabled & type) || publisher == NULL) return;
    char dbbuf[24];
    int dblen = ll2string(dbbuf, sizeof(dbbuf), dbid);
    if (enabled & NOTIFY_KEYSPACE) {
        sds chan = sds_new_len("__keyspace@", 11);
        chan = sds_cat_len(chan, dbbuf, (size_t)dblen);
        chan = sds_cat_len(chan, "__:", 3);
        chan = sds_cat_sds(chan, key);
        sds msg = sds_new(event);
        publisher(chan, msg);
        sds_free(msg);
        sds_free(chan);
    }
    if (enabled & NOTIFY_KEYEVENT) {
        sds chan = sds_new_len("__keyevent@", 11);
        chan = sds_cat_len(chan, dbbuf, (size_t)dblen);
        chan = sds_cat_len(chan, "__:", 3);
        chan = sds_cat(chan, event);
        publisher(chan, key);
        sds_free(chan);
    }
}
