/* test_slot_index.c -- Check suite for the per-slot key lists: keys of one
 * hash tag share a list, counts follow inserts and deletes, lists survive
 * the dict's rehashing, walking while unlinking, reset, and a randomized
 * comparison with counts computed from the keys themselves. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "sds.h"
#include "slot_index.h"
#include "zmalloc.h"

static dict_type keys_type = {
    .hash = dict_sds_hash,
    .key_compare = dict_sds_compare,
    .key_destructor = dict_sds_free,
    .entry_metadata_bytes = SLOT_INDEX_META_BYTES,
};

static dict_entry *add(dict *d, slot_index *ix, const char *key) {
    dict_entry *de = dict_add_raw(d, sds_new(key), NULL);
    ck_assert_ptr_nonnull(de);
    slot_index_link(ix, de);
    return de;
}

static void del(dict *d, slot_index *ix, const char *key) {
    sds k = sds_new(key);
    dict_entry *de = dict_unlink(d, k);
    ck_assert_ptr_nonnull(de);
    slot_index_unlink(ix, de);
    dict_free_unlinked_entry(d, de);
    sds_free(k);
}

/* Every list holds exactly the dict's keys of its slot, once each. */
static void check_consistent(dict *d, const slot_index *ix) {
    unsigned long long seen = 0;
    for (unsigned int slot = 0; slot < CLUSTER_SLOTS; slot++) {
        unsigned long long n = 0;
        for (dict_entry *de = slot_index_first(ix, slot); de; de = slot_index_next(de)) {
            sds k = dict_get_key(de);
            ck_assert_uint_eq(cluster_keyslot(k, sds_len(k)), slot);
            ck_assert_ptr_eq(dict_find(d, k), de);
            n++;
        }
        ck_assert_uint_eq(n, slot_index_count(ix, slot));
        seen += n;
    }
    ck_assert_uint_eq(seen, dict_size(d));
    ck_assert_uint_eq(slot_index_total(ix), dict_size(d));
}

START_TEST(test_tags_share_a_slot) {
    dict *d = dict_create(&keys_type);
    slot_index *ix = slot_index_create();
    add(d, ix, "{user1}.name");
    add(d, ix, "{user1}.mail");
    add(d, ix, "user1");
    unsigned int slot = cluster_keyslot("user1", 5);
    ck_assert_uint_eq(slot_index_count(ix, slot), 3);
    /* Newest first. */
    dict_entry *de = slot_index_first(ix, slot);
    ck_assert_str_eq(dict_get_key(de), "user1");
    ck_assert_str_eq(dict_get_key(slot_index_next(de)), "{user1}.mail");
    del(d, ix, "{user1}.mail"); /* from the middle */
    de = slot_index_first(ix, slot);
    ck_assert_str_eq(dict_get_key(slot_index_next(de)), "{user1}.name");
    ck_assert_ptr_null(slot_index_next(slot_index_next(de)));
    del(d, ix, "user1"); /* the head */
    del(d, ix, "{user1}.name"); /* the last */
    ck_assert_uint_eq(slot_index_count(ix, slot), 0);
    ck_assert_ptr_null(slot_index_first(ix, slot));
    ck_assert_uint_eq(slot_index_count(ix, CLUSTER_SLOTS), 0); /* out of range */
    ck_assert_ptr_null(slot_index_first(ix, CLUSTER_SLOTS));
    slot_index_free(ix);
    dict_release(d);
}
END_TEST

START_TEST(test_walk_and_unlink_one_slot) {
    dict *d = dict_create(&keys_type);
    slot_index *ix = slot_index_create();
    char key[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "{t}%d", i);
        add(d, ix, key);
        snprintf(key, sizeof(key), "other:%d", i);
        add(d, ix, key);
    }
    unsigned int slot = cluster_keyslot("t", 1);
    ck_assert_uint_eq(slot_index_count(ix, slot), 1000);
    /* Drop the slot's keys as a node losing the slot does. */
    for (dict_entry *de = slot_index_first(ix, slot), *next; de; de = next) {
        next = slot_index_next(de);
        slot_index_unlink(ix, de);
        dict_entry *gone = dict_unlink(d, dict_get_key(de));
        ck_assert_ptr_eq(gone, de);
        dict_free_unlinked_entry(d, gone);
    }
    ck_assert_uint_eq(slot_index_count(ix, slot), 0);
    ck_assert_uint_eq(dict_size(d), 1000);
    check_consistent(d, ix);
    slot_index_free(ix);
    dict_release(d);
}
END_TEST

/* Random inserts and deletes across a growing and shrinking dict (its
 * tables rehash meanwhile): the lists always match the keys. */
START_TEST(test_randomized) {
    dict *d = dict_create(&keys_type);
    slot_index *ix = slot_index_create();
    static char live[20000];
    char key[64];
    srand(1234);
    for (int round = 0; round < 60000; round++) {
        int k = rand() % 20000;
        /* One key in seven shares a tag with others: crowded slots. */
        if (k % 7) snprintf(key, sizeof(key), "key:%d", k);
        else snprintf(key, sizeof(key), "{tag%d}x%d", k % 50, k);
        if (live[k]) {
            del(d, ix, key);
            live[k] = 0;
        } else {
            add(d, ix, key);
            live[k] = 1;
        }
        if (round % 20000 == 0) check_consistent(d, ix);
    }
    check_consistent(d, ix);
    dict_empty(d, NULL);
    slot_index_reset(ix);
    check_consistent(d, ix);
    ck_assert_uint_eq(slot_index_total(ix), 0);
    slot_index_free(ix);
    dict_release(d);
}
END_TEST

static Suite *slot_index_suite(void) {
    Suite *s = suite_create("slot_index");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_tags_share_a_slot);
    tcase_add_test(tc, test_walk_and_unlink_one_slot);
    tcase_add_test(tc, test_randomized);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(slot_index_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
