/* check_rdb.h -- minired-check-rdb, the RDB checker built into the server
 * binary (run when argv[0] names it, as redis-check-rdb is run). */
#ifndef MINIRED_CHECK_RDB_H
#define MINIRED_CHECK_RDB_H

/* The checker's main: prints the report, returns the exit status. */
int check_rdb_main(int argc, char **argv);

#endif
