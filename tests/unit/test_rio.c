/* test_rio.c -- Check suite for rio: buffer, stdio file and fd backends
 * move the bytes they are given, keep the running CRC64 and the byte
 * count, chunk large moves (progress callback), and make errors sticky
 * (a short read fails and every later call fails too). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc64.h"
#include "rio.h"
#include "sds.h"
#include "zmalloc.h"

static size_t mem_at_start;

static void setup(void) {
    mem_at_start = zmalloc_used_memory();
}

static void teardown(void) {
    ck_assert_uint_eq(zmalloc_used_memory(), mem_at_start);
}

START_TEST(test_buffer_write_then_read) {
    rio w;
    rio_init_buffer(&w, sds_empty());
    ck_assert_uint_eq(rio_write(&w, "hello ", 6), 1);
    ck_assert_uint_eq(rio_write(&w, "world", 5), 1);
    ck_assert_int_eq(rio_tell(&w), 11);
    ck_assert_uint_eq(w.processed_bytes, 11);
    ck_assert_uint_eq(w.cksum, crc64(0, "hello world", 11));
    ck_assert_int_eq(rio_flush(&w), 1);
    sds s = w.io.buffer.ptr;
    ck_assert_uint_eq(sds_len(s), 11);

    rio r;
    rio_init_buffer(&r, s);
    char buf[16];
    ck_assert_uint_eq(rio_buffer_left(&r), 11);
    ck_assert_uint_eq(rio_read(&r, buf, 5), 1);
    ck_assert_mem_eq(buf, "hello", 5);
    ck_assert_uint_eq(rio_buffer_left(&r), 6);
    ck_assert_uint_eq(rio_read(&r, buf, 6), 1);
    ck_assert_uint_eq(r.cksum, crc64(0, "hello world", 11));
    /* Reading past the end fails, sets eof and error, and sticks. */
    ck_assert_uint_eq(rio_read(&r, buf, 1), 0);
    ck_assert_int_eq(r.error, 1);
    ck_assert_int_eq(r.eof, 1);
    ck_assert_uint_eq(rio_read(&r, buf, 0), 0);
    sds_free(s);
}
END_TEST

static size_t progress_calls, progress_last;

static void on_progress(rio *r, size_t processed) {
    (void)r;
    progress_calls++;
    progress_last = processed;
}

START_TEST(test_chunking_and_progress) {
    rio w;
    rio_init_buffer(&w, sds_empty());
    w.max_chunk = 100;
    w.progress = on_progress;
    progress_calls = 0;
    char big[1050];
    memset(big, 'x', sizeof(big));
    ck_assert_uint_eq(rio_write(&w, big, sizeof(big)), 1);
    ck_assert_uint_eq(progress_calls, 11);
    ck_assert_uint_eq(progress_last, 1050);
    ck_assert_uint_eq(w.cksum, crc64(0, big, sizeof(big)));
    /* No checksum when update_cksum is off. */
    rio n;
    rio_init_buffer(&n, w.io.buffer.ptr);
    n.update_cksum = 0;
    ck_assert_uint_eq(rio_read(&n, big, sizeof(big)), 1);
    ck_assert_uint_eq(n.cksum, 0);
    sds_free(w.io.buffer.ptr);
}
END_TEST

START_TEST(test_file_backend) {
    char path[] = "/tmp/test_rio_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "w+");
    rio w;
    rio_init_file(&w, fp);
    rio_set_autosync(&w, 4); /* exercise the periodic fsync path */
    ck_assert_uint_eq(rio_write(&w, "REDIS0010", 9), 1);
    ck_assert_uint_eq(rio_write(&w, "abc", 3), 1);
    ck_assert_int_eq(rio_flush(&w), 1);
    ck_assert_int_eq(rio_tell(&w), 12);
    rewind(fp);
    rio r;
    rio_init_file(&r, fp);
    ck_assert_uint_eq(rio_buffer_left(&r), (size_t)-1);
    char buf[16];
    ck_assert_uint_eq(rio_read(&r, buf, 12), 1);
    ck_assert_mem_eq(buf, "REDIS0010abc", 12);
    ck_assert_uint_eq(r.cksum, w.cksum);
    ck_assert_uint_eq(rio_read(&r, buf, 1), 0);
    ck_assert_int_eq(r.eof, 1);
    ck_assert_int_eq(r.error, 1);
    fclose(fp);
    unlink(path);
}
END_TEST

START_TEST(test_fd_backend) {
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    rio w;
    rio_init_fd(&w, p[1]);
    ck_assert_uint_eq(rio_write(&w, "abc", 3), 1);
    ck_assert_int_eq(rio_tell(&w), 3);
    ck_assert_int_eq(rio_flush(&w), 1);
    char buf[8];
    ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 3);
    ck_assert_mem_eq(buf, "abc", 3);
    ck_assert_uint_eq(rio_read(&w, buf, 1), 0); /* write only */
    ck_assert_int_eq(w.error, 1);
    rio_free_fd(&w);
    /* A write to a closed pipe fails and sticks. */
    rio w2;
    rio_init_fd(&w2, p[1]);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    ck_assert_uint_eq(rio_write(&w2, "x", 1), 1); /* buffered */
    ck_assert_int_eq(rio_flush(&w2), 0);
    ck_assert_int_eq(w2.error, 1);
    ck_assert_uint_eq(rio_write(&w2, "x", 1), 0);
    rio_free_fd(&w2);
    close(p[1]);
}
END_TEST

static Suite *rio_suite(void) {
    Suite *s = suite_create("rio");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_buffer_write_then_read);
    tcase_add_test(tc, test_chunking_and_progress);
    tcase_add_test(tc, test_file_backend);
    tcase_add_test(tc, test_fd_backend);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(rio_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
