/* slot_index.c -- per-slot lists of a cluster node's keys, threaded
 * through the keyspace dict's entry metadata (see slot_index.h).
 *
 * Owns only the heads and counts; the links live in the entries, which
 * the dict owns. Never allocates per key. */
#include "slot_index.h"

#include <string.h>

#include "sds.h"
#include "zmalloc.h"

struct slot_links {
    dict_entry *prev, *next;
};

struct slot_index {
    dict_entry *head[CLUSTER_SLOTS];
    unsigned long long count[CLUSTER_SLOTS];
    unsigned long long total;
};

static struct slot_links *links(const dict_entry *de) {
    return dict_entry_metadata((dict_entry *)de);
}

static unsigned int entry_slot(const dict_entry *de) {
    sds key = dict_get_key(de);
    return cluster_keyslot(key, sds_len(key));
}

slot_index *slot_index_create(void) {
    return zcalloc(sizeof(slot_index));
}

void slot_index_free(slot_index *ix) {
    zfree(ix);
}

void slot_index_reset(slot_index *ix) {
    memset(ix, 0, sizeof(*ix));
}

void slot_index_link(slot_index *ix, dict_entry *de) {
    unsigned int slot = entry_slot(de);
    struct slot_links *l = links(de);
    l->prev = NULL;
    l->next = ix->head[slot];
    if (l->next) links(l->next)->prev = de;
    ix->head[slot] = de;
    ix->count[slot]++;
    ix->total++;
}

void slot_index_unlink(slot_index *ix, dict_entry *de) {
    unsigned int slot = entry_slot(de);
    struct slot_links *l = links(de);
    if (l->prev) links(l->prev)->next = l->next;
    else ix->head[slot] = l->next;
    if (l->next) links(l->next)->prev = l->prev;
    l->prev = l->next = NULL;
    ix->count[slot]--;
    ix->total--;
}

unsigned long long slot_index_count(const slot_index *ix, unsigned int slot) {
    return slot < CLUSTER_SLOTS ? ix->count[slot] : 0;
}

unsigned long long slot_index_total(const slot_index *ix) {
    return ix->total;
}

dict_entry *slot_index_first(const slot_index *ix, unsigned int slot) {
    return slot < CLUSTER_SLOTS ? ix->head[slot] : NULL;
}

dict_entry *slot_index_next(const dict_entry *de) {
    return links(de)->next;
}
