/* aof.c -- the append-only file. Placeholder until the AOF lands: reports
 * the INFO fields of a server whose AOF is off. */
#include "aof.h"

sds aof_info_fields(sds s) {
    return sds_cat(s, "aof_enabled:0\r\n"
                      "aof_rewrite_in_progress:0\r\n"
                      "aof_rewrite_scheduled:0\r\n"
                      "aof_last_rewrite_time_sec:-1\r\n"
                      "aof_current_rewrite_time_sec:-1\r\n"
                      "aof_last_bgrewrite_status:ok\r\n"
                      "aof_rewrites:0\r\n"
                      "aof_rewrites_consecutive_failures:0\r\n"
                      "aof_last_write_status:ok\r\n"
                      "aof_last_cow_size:0\r\n");
}

sds aof_info_extra(sds s) {
    return s;
}

int aof_is_enabled(void) {
    return 0;
}

int aof_on_shutdown(void) {
    return 0;
}
