/* slot_index.h -- the keys of a cluster node's keyspace, listed per hash
 * slot (CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT, resharding, dropping the
 * keys of a slot the node lost).
 *
 * A library (no server headers, no globals). The lists are intrusive: each
 * keyspace dict entry carries SLOT_INDEX_META_BYTES of metadata
 * (dict_type.entry_metadata_bytes) holding its neighbours in its slot's
 * list, so indexing costs 16 bytes per key and O(1) per insert or delete;
 * the index itself holds a head and a count per slot. Keys are sds (their
 * length is read with sds_len). Entries never move in a dict, so the links
 * stay valid until the entry is unlinked; an entry must be unlinked before
 * it is freed, or the whole index reset when its dict is emptied. */
#ifndef MINIRED_SLOT_INDEX_H
#define MINIRED_SLOT_INDEX_H

#include "cluster_slot.h"
#include "dict.h"

#define SLOT_INDEX_META_BYTES (2 * sizeof(dict_entry *))

typedef struct slot_index slot_index;

/* A new, empty index (about 256 KB: a head and a count per slot). */
slot_index *slot_index_create(void);
void slot_index_free(slot_index *ix);
/* Forgets every key at once (the dict was emptied or replaced). */
void slot_index_reset(slot_index *ix);

/* Adds the entry (just added to the dict, its key an sds) to its slot. */
void slot_index_link(slot_index *ix, dict_entry *de);
/* Removes the entry from its slot (before the dict frees it). */
void slot_index_unlink(slot_index *ix, dict_entry *de);

/* Keys in slot (0 .. CLUSTER_SLOTS-1). */
unsigned long long slot_index_count(const slot_index *ix, unsigned int slot);
/* Keys in every slot together. */
unsigned long long slot_index_total(const slot_index *ix);
/* The slot's first entry, then each next one (NULL at the end), newest
 * first. To unlink while walking, read the next entry first. */
dict_entry *slot_index_first(const slot_index *ix, unsigned int slot);
dict_entry *slot_index_next(const dict_entry *de);

#endif
