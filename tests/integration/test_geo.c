/* test_geo.c -- integration tests for the geo commands: GEOADD (NX, XX,
 * CH, range errors), GEOPOS, GEODIST (units), GEOHASH, GEOSEARCH and
 * GEOSEARCHSTORE (every FROM / BY / option), GEORADIUS[BYMEMBER][_RO]
 * (STORE, STOREDIST, refused in _RO), arity, WRONGTYPE, the keyspace
 * events and effects of the writes, and RESP3 shapes.
 *
 * Expected replies are Redis 7.0's (asked of redis-server 7.0.15): RESP2
 * through hiredis, RESP3 through a raw socket. One server per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define SYNTAX "ERR syntax error"
#define NOT_INT "ERR value is not an integer or out of range"
#define NOT_FLOAT "ERR value is not a valid float"
#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define BAD_UNIT "ERR unsupported unit provided. please use M, KM, FT, MI"
#define NO_MEMBER "ERR could not decode requested zset member"
/* Redis's scores for the two Sicily points below. */
#define PALERMO_SCORE 3479099956230698LL
#define CATANIA_SCORE 3479447370796909LL
/* Members of the large (skiplist) set, on a 30 x 30 grid. */
#define GRID_SIDE 30

static hs_server *srv;
static redisContext *ctx;

static void setup(void) {
    srv = hs_start(NULL);
    ctx = hs_connect(srv);
}

static void teardown(void) {
    redisFree(ctx);
    hs_stop(srv);
}

static void add_sicily(const char *key) {
    HS_EXPECT_INT(ctx, 2, "GEOADD", key, "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
}

static int resp3_connect(void) {
    int fd = hs_raw_connect(srv);
    hs_raw_send(fd, "HELLO 3\r\n", 9);
    hs_buf hello = hs_raw_read_until(fd, "*0\r\n", HS_REPLY_TIMEOUT_MS);
    hs_buf_free(&hello);
    return fd;
}

/* ---------------------------------------------------------- GEOADD */

START_TEST(test_geoadd) {
    add_sicily("g");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo", "3479099956230698", "Catania", "3479447370796909"), "ZRANGE", "g", "0",
                    "-1", "WITHSCORES");
    HS_EXPECT_INT(ctx, 0, "GEOADD", "g", "13.361389", "38.115556", "Palermo");
    HS_EXPECT_INT(ctx, 1, "GEOADD", "g", "CH", "13.361389", "38.115556", "Palermo", "1", "1", "Catania");
    HS_EXPECT_INT(ctx, 1, "GEOADD", "g", "NX", "2", "2", "Catania", "3", "3", "new");
    HS_EXPECT_INT(ctx, 0, "GEOADD", "g", "XX", "4", "4", "new", "5", "5", "other");
    HS_EXPECT_INT(ctx, 1, "GEOADD", "g", "xx", "ch", "15.087269", "37.502669", "Catania", "5", "5", "other");
    HS_EXPECT_NIL(ctx, "ZSCORE", "g", "other");
    HS_EXPECT_INT(ctx, 0, "GEOADD", "nokey", "XX", "1", "1", "a");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "nokey");
    HS_EXPECT_STATUS(ctx, "zset", "TYPE", "g");
    HS_EXPECT_BULK(ctx, "listpack", "OBJECT", "ENCODING", "g");
    /* option and shape errors */
    HS_EXPECT_ERROR(ctx, SYNTAX, "GEOADD", "g", "NX", "XX", "1", "1", "a");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GEOADD", "g", "1", "1", "a", "2");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GEOADD", "g", "NX", "1", "1");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "GEOADD", "g", "abc", "1", "a");
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "GEOADD", "g", "1", "nan", "a");
    HS_EXPECT_ERROR(ctx, "ERR invalid longitude,latitude pair 200.000000,100.000000", "GEOADD", "g", "200", "100",
                    "a");
    HS_EXPECT_ERROR(ctx, "ERR invalid longitude,latitude pair 1.000000,85.051130", "GEOADD", "g", "1", "85.05113",
                    "a");
    /* an error in a later triple adds nothing */
    HS_EXPECT_ERROR_PREFIX(ctx, "ERR invalid longitude", "GEOADD", "g", "1", "1", "ok", "-181", "0", "bad");
    HS_EXPECT_NIL(ctx, "ZSCORE", "g", "ok");
    /* the limits themselves are accepted */
    HS_EXPECT_INT(ctx, 2, "GEOADD", "g", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw");
    HS_EXPECT_BULK(ctx, "13510798882111488", "ZSCORE", "g", "ne");
    HS_EXPECT_BULK(ctx, "0", "ZSCORE", "g", "sw");
}
END_TEST

/* ---------------------------------------------------------- GEOPOS GEODIST GEOHASH */

START_TEST(test_geopos_geodist_geohash) {
    add_sicily("g");
    redisReply *r = hs_command(ctx, HS_ARGS("GEOPOS", "g", "Palermo", "nobody", "Catania"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 3);
    ck_assert_str_eq(r->element[0]->element[0]->str, "13.36138933897018433");
    ck_assert_str_eq(r->element[0]->element[1]->str, "38.11555639549629859");
    ck_assert_int_eq(r->element[1]->type, REDIS_REPLY_NIL);
    ck_assert_str_eq(r->element[2]->element[0]->str, "15.08726745843887329");
    ck_assert_str_eq(r->element[2]->element[1]->str, "37.50266842333162032");
    freeReplyObject(r);
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "GEOPOS", "g");
    HS_EXPECT_BULK(ctx, "166274.1516", "GEODIST", "g", "Palermo", "Catania");
    HS_EXPECT_BULK(ctx, "166274.1516", "GEODIST", "g", "Palermo", "Catania", "m");
    HS_EXPECT_BULK(ctx, "166.2742", "GEODIST", "g", "Palermo", "Catania", "KM");
    HS_EXPECT_BULK(ctx, "103.3182", "GEODIST", "g", "Palermo", "Catania", "mi");
    HS_EXPECT_BULK(ctx, "545518.8700", "GEODIST", "g", "Palermo", "Catania", "ft");
    HS_EXPECT_BULK(ctx, "0.0000", "GEODIST", "g", "Palermo", "Palermo");
    HS_EXPECT_NIL(ctx, "GEODIST", "g", "Palermo", "nobody");
    HS_EXPECT_NIL(ctx, "GEODIST", "nokey", "a", "b");
    HS_EXPECT_ERROR(ctx, BAD_UNIT, "GEODIST", "g", "Palermo", "Catania", "yd");
    HS_EXPECT_ERROR(ctx, BAD_UNIT, "GEODIST", "nokey", "a", "b", "yd");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GEODIST", "g", "Palermo", "Catania", "km", "x");
    r = hs_command(ctx, HS_ARGS("GEOHASH", "g", "Palermo", "Catania", "nobody"));
    ck_assert_int_eq(r->elements, 3);
    ck_assert_str_eq(r->element[0]->str, "sqc8b49rny0");
    ck_assert_str_eq(r->element[1]->str, "sqdtr74hyu0");
    ck_assert_int_eq(r->element[2]->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 2, "GEOADD", "g", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw");
    HS_EXPECT_BULKS(ctx, HS_ARGS("bp05b5048p0", "00bh0hbj200"), "GEOHASH", "g", "ne", "sw");
    r = hs_command(ctx, HS_ARGS("GEOPOS", "g", "ne", "sw"));
    ck_assert_str_eq(r->element[0]->element[0]->str, "180");
    ck_assert_str_eq(r->element[0]->element[1]->str, "85.0511287799999991");
    ck_assert_str_eq(r->element[1]->element[0]->str, "-179.99999731779098511");
    ck_assert_str_eq(r->element[1]->element[1]->str, "-85.05112751263942528");
    freeReplyObject(r);
}
END_TEST

/* ---------------------------------------------------------- searches */

START_TEST(test_georadius) {
    add_sicily("g");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo", "Catania"), "GEORADIUS", "g", "15", "37", "200", "km");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Catania", "Palermo"), "GEORADIUS", "g", "15", "37", "200", "km", "ASC");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Catania"), "GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "1");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo"), "GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "1", "DESC");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo"), "GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "1", "ANY");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Catania"), "GEORADIUS_RO", "g", "15", "37", "100", "km");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "GEORADIUS", "g", "15", "37", "1", "km");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "GEORADIUS", "nokey", "15", "37", "1", "km");
    redisReply *r = hs_command(ctx, HS_ARGS("GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "WITHHASH",
                                            "WITHCOORD", "ASC"));
    ck_assert_int_eq(r->elements, 2);
    redisReply *e = r->element[0];
    ck_assert_int_eq(e->elements, 4);
    ck_assert_str_eq(e->element[0]->str, "Catania");
    ck_assert_str_eq(e->element[1]->str, "56.4413");
    ck_assert_int_eq(e->element[2]->integer, CATANIA_SCORE);
    ck_assert_str_eq(e->element[3]->element[0]->str, "15.08726745843887329");
    ck_assert_str_eq(r->element[1]->element[1]->str, "190.4424");
    ck_assert_int_eq(r->element[1]->element[2]->integer, PALERMO_SCORE);
    freeReplyObject(r);
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo", "Catania"), "GEORADIUSBYMEMBER", "g", "Palermo", "200", "km");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo"), "GEORADIUSBYMEMBER_RO", "g", "Palermo", "100", "km");
    /* errors, in Redis's order */
    HS_EXPECT_ERROR(ctx, NOT_FLOAT, "GEORADIUS", "g", "abc", "37", "1", "km");
    HS_EXPECT_ERROR(ctx, "ERR need numeric radius", "GEORADIUS", "g", "15", "37", "abc", "km");
    HS_EXPECT_ERROR(ctx, "ERR radius cannot be negative", "GEORADIUS", "g", "15", "37", "-1", "km");
    HS_EXPECT_ERROR(ctx, BAD_UNIT, "GEORADIUS", "g", "15", "37", "1", "yd");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GEORADIUS", "g", "15", "37", "1", "km", "BOGUS");
    HS_EXPECT_ERROR(ctx, "ERR COUNT must be > 0", "GEORADIUS", "g", "15", "37", "1", "km", "COUNT", "0");
    HS_EXPECT_ERROR(ctx, NOT_INT, "GEORADIUS", "g", "15", "37", "1", "km", "COUNT", "x");
    HS_EXPECT_ERROR(ctx, "ERR the ANY argument requires COUNT argument", "GEORADIUS", "g", "15", "37", "1", "km",
                    "ANY");
    HS_EXPECT_ERROR(ctx, "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD "
                    "options", "GEORADIUS", "g", "15", "37", "1", "km", "STORE", "d", "WITHDIST");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GEORADIUS_RO", "g", "15", "37", "1", "km", "STORE", "d");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GEORADIUS", "g", "15", "37", "1", "km", "FROMLONLAT", "1", "1");
    HS_EXPECT_ERROR(ctx, NO_MEMBER, "GEORADIUSBYMEMBER", "g", "nobody", "-1", "km");
    HS_EXPECT_ERROR(ctx, "ERR radius cannot be negative", "GEORADIUSBYMEMBER", "g", "Palermo", "-1", "km");
    /* a missing source reads neither member nor radius */
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "GEORADIUSBYMEMBER", "nokey", "x", "abc", "yd");
}
END_TEST

START_TEST(test_geosearch) {
    add_sicily("g");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Catania", "Palermo"), "GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS",
                    "200", "km", "ASC");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Catania", "Palermo"), "GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYBOX", "400",
                    "400", "km", "ASC");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Catania"), "GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYBOX", "200", "200", "km");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo"), "GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "10", "10", "km");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo", "Catania"), "GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS",
                    "200", "km", "ASC", "COUNT", "5");
    HS_EXPECT_BULKS(ctx, HS_ARGS(NULL), "GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "km");
    const char *which = "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH";
    HS_EXPECT_ERROR(ctx, which, "GEOSEARCH", "g", "BYRADIUS", "1", "km", "ASC", "WITHDIST");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GEOSEARCH", "g", "FROMLONLAT", "1", "1", "FROMMEMBER", "Palermo", "BYRADIUS",
                    "1", "km");
    HS_EXPECT_ERROR(ctx, "ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch", "geosearch", "g",
                    "FROMLONLAT", "1", "1", "ASC", "ANY");
    HS_EXPECT_ERROR(ctx, "ERR need numeric width", "GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYBOX", "a", "1",
                    "km");
    HS_EXPECT_ERROR(ctx, "ERR need numeric height", "GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYBOX", "1", "a",
                    "km");
    HS_EXPECT_ERROR(ctx, "ERR height or width cannot be negative", "GEOSEARCH", "g", "FROMLONLAT", "1", "1",
                    "BYBOX", "1", "-1", "km");
    HS_EXPECT_ERROR(ctx, NO_MEMBER, "GEOSEARCH", "g", "FROMMEMBER", "nobody", "BYRADIUS", "1", "km");
    HS_EXPECT_ERROR(ctx, SYNTAX, "GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "STORE", "d");
    HS_EXPECT_ERROR(ctx, "ERR the ANY argument requires COUNT argument", "GEOSEARCH", "nokey", "FROMLONLAT", "1",
                    "1", "BYRADIUS", "1", "km", "ANY");
}
END_TEST

START_TEST(test_store) {
    add_sicily("g");
    HS_EXPECT_INT(ctx, 2, "GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo", "3479099956230698", "Catania", "3479447370796909"), "ZRANGE", "d", "0",
                    "-1", "WITHSCORES");
    HS_EXPECT_INT(ctx, 2, "GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km",
                  "STOREDIST");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Catania", "56.441257870158204", "Palermo", "190.44242984775784"), "ZRANGE", "d",
                    "0", "-1", "WITHSCORES");
    HS_EXPECT_INT(ctx, 1, "GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d2", "COUNT", "1");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Catania"), "ZRANGE", "d2", "0", "-1");
    HS_EXPECT_INT(ctx, 1, "GEORADIUSBYMEMBER", "g", "Palermo", "10", "km", "STOREDIST", "d2");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo", "0"), "ZRANGE", "d2", "0", "-1", "WITHSCORES");
    /* nothing found deletes the destination */
    HS_EXPECT_INT(ctx, 0, "GEORADIUS", "g", "15", "37", "1", "m", "STORE", "d2");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d2");
    HS_EXPECT_INT(ctx, 0, "GEOSEARCHSTORE", "d", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km");
    HS_EXPECT_INT(ctx, 0, "EXISTS", "d");
    HS_EXPECT_ERROR(ctx, "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
                    "GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHHASH");
    /* the destination may be another type: it is replaced */
    HS_EXPECT_OK(ctx, "SET", "s", "v");
    HS_EXPECT_INT(ctx, 2, "GEOSEARCHSTORE", "s", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km");
    HS_EXPECT_STATUS(ctx, "zset", "TYPE", "s");
    /* or the source itself */
    HS_EXPECT_INT(ctx, 1, "GEOSEARCHSTORE", "g", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km");
    HS_EXPECT_BULKS(ctx, HS_ARGS("Palermo"), "ZRANGE", "g", "0", "-1");
}
END_TEST

/* A grid large enough for the skiplist encoding: searches by radius and
 * box find exactly the grid points a brute-force check finds. */
START_TEST(test_skiplist_grid) {
    for (int i = 0; i < GRID_SIDE; i++) {
        for (int j = 0; j < GRID_SIDE; j++) {
            char lon[32], lat[32], m[32];
            snprintf(lon, sizeof(lon), "%.4f", 10 + i * 0.01);
            snprintf(lat, sizeof(lat), "%.4f", 45 + j * 0.01);
            snprintf(m, sizeof(m), "p%d_%d", i, j);
            HS_EXPECT_INT(ctx, 1, "GEOADD", "grid", lon, lat, m);
        }
    }
    HS_EXPECT_BULK(ctx, "skiplist", "OBJECT", "ENCODING", "grid");
    HS_EXPECT_INT(ctx, GRID_SIDE * GRID_SIDE, "ZCARD", "grid");
    /* ~785 m apart in longitude, ~1112 m in latitude: a 1200 m radius
     * from an inner point holds itself and its 4 nearest neighbours
     * (diagonals at ~1360 m and two columns at ~1570 m are out). */
    redisReply *r = hs_command(ctx, HS_ARGS("GEOSEARCH", "grid", "FROMMEMBER", "p10_10", "BYRADIUS", "1200", "m",
                                            "ASC", "WITHDIST"));
    ck_assert_int_eq(r->type, REDIS_REPLY_ARRAY);
    ck_assert_int_eq(r->elements, 5);
    ck_assert_str_eq(r->element[0]->element[0]->str, "p10_10");
    ck_assert_str_eq(r->element[0]->element[1]->str, "0.0000");
    freeReplyObject(r);
    r = hs_command(ctx, HS_ARGS("GEOSEARCH", "grid", "FROMMEMBER", "p10_10", "BYBOX", "3", "3", "km"));
    ck_assert_int_eq(r->elements, 9); /* 1.5 km each way: one column and one row on each side */
    freeReplyObject(r);
    HS_EXPECT_INT(ctx, 3, "GEOSEARCHSTORE", "d", "grid", "FROMMEMBER", "p0_0", "BYRADIUS", "5", "km", "COUNT", "3");
    HS_EXPECT_BULK(ctx, "listpack", "OBJECT", "ENCODING", "d");
    HS_EXPECT_INT(ctx, GRID_SIDE * GRID_SIDE, "GEOSEARCHSTORE", "d", "grid", "FROMMEMBER", "p0_0", "BYRADIUS",
                  "500", "km");
    HS_EXPECT_BULK(ctx, "skiplist", "OBJECT", "ENCODING", "d");
    r = hs_command(ctx, HS_ARGS("GEOSEARCH", "grid", "FROMLONLAT", "10.1", "45.1", "BYRADIUS", "100", "km",
                                "COUNT", "7", "ANY"));
    ck_assert_int_eq(r->elements, 7);
    freeReplyObject(r);
}
END_TEST

START_TEST(test_arity_wrongtype) {
    HS_EXPECT_ARITY(ctx, "geoadd", "GEOADD", "k", "1", "1");
    HS_EXPECT_ARITY(ctx, "geodist", "GEODIST", "k", "a");
    HS_EXPECT_ARITY(ctx, "geohash", "GEOHASH");
    HS_EXPECT_ARITY(ctx, "geopos", "GEOPOS");
    HS_EXPECT_ARITY(ctx, "georadius", "GEORADIUS", "k", "1", "1", "1");
    HS_EXPECT_ARITY(ctx, "georadius_ro", "GEORADIUS_RO", "k", "1", "1", "1");
    HS_EXPECT_ARITY(ctx, "georadiusbymember", "GEORADIUSBYMEMBER", "k", "m", "1");
    HS_EXPECT_ARITY(ctx, "georadiusbymember_ro", "GEORADIUSBYMEMBER_RO", "k", "m", "1");
    HS_EXPECT_ARITY(ctx, "geosearch", "GEOSEARCH", "k", "FROMLONLAT", "1", "1", "BYRADIUS");
    HS_EXPECT_ARITY(ctx, "geosearchstore", "GEOSEARCHSTORE", "d", "k", "FROMLONLAT", "1", "1", "BYRADIUS");
    HS_EXPECT_OK(ctx, "SET", "s", "v");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GEOADD", "s", "1", "1", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GEOPOS", "s", "a");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GEODIST", "s", "a", "b");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GEOHASH", "s", "a");
    /* the source's type is checked before any argument */
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GEORADIUS", "s", "x", "1", "1", "km");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GEORADIUS_RO", "s", "1", "1", "1", "km");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GEORADIUSBYMEMBER", "s", "a", "1", "km");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GEORADIUSBYMEMBER_RO", "s", "a", "1", "km");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GEOSEARCH", "s", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "yd");
    HS_EXPECT_ERROR(ctx, WRONGTYPE, "GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km");
    /* GEODIST checks its unit before the key */
    HS_EXPECT_ERROR(ctx, BAD_UNIT, "GEODIST", "s", "a", "b", "yd");
}
END_TEST

START_TEST(test_events_and_effects) {
    HS_EXPECT_OK(ctx, "CONFIG", "SET", "notify-keyspace-events", "KEA");
    redisContext *sub = hs_connect(srv);
    redisReply *r = hs_command(sub, HS_ARGS("PSUBSCRIBE", "__keyevent@0__:*"));
    freeReplyObject(r);
    HS_EXPECT_OK(ctx, "DEBUG", "EFFECTS", "ON");
    add_sicily("g");
    HS_EXPECT_INT(ctx, 0, "GEOADD", "g", "NX", "1", "1", "Palermo");
    HS_EXPECT_INT(ctx, 2, "GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km");
    HS_EXPECT_INT(ctx, 1, "GEORADIUS", "g", "15", "37", "100", "km", "STORE", "d");
    HS_EXPECT_INT(ctx, 0, "GEORADIUS", "g", "15", "37", "1", "m", "STORE", "d");
    const char *want[][2] = {{"__keyevent@0__:zadd", "g"},
                             {"__keyevent@0__:geosearchstore", "d"},
                             {"__keyevent@0__:georadiusstore", "d"},
                             {"__keyevent@0__:del", "d"}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        r = hs_get_reply(sub);
        ck_assert_int_eq(r->elements, 4);
        ck_assert_str_eq(r->element[2]->str, want[i][0]);
        ck_assert_str_eq(r->element[3]->str, want[i][1]);
        freeReplyObject(r);
    }
    redisFree(sub);
    r = hs_command(ctx, HS_ARGS("DEBUG", "EFFECTS", "GET"));
    ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
    ck_assert_ptr_nonnull(strstr(r->str, "*6\r\n$4\r\nzadd\r\n$1\r\ng\r\n$16\r\n3479099956230698\r\n$7\r\nPalermo\r\n"
                                         "$16\r\n3479447370796909\r\n$7\r\nCatania\r\n"));
    ck_assert_ptr_null(strstr(r->str, "NX"));
    ck_assert_ptr_nonnull(strstr(r->str, "$14\r\nGEOSEARCHSTORE\r\n"));
    ck_assert_ptr_nonnull(strstr(r->str, "$5\r\nSTORE\r\n$1\r\nd\r\n"));
    freeReplyObject(r);
}
END_TEST

START_TEST(test_resp3) {
    add_sicily("g");
    int fd = resp3_connect();
    HS_RAW_EXPECT(fd, "GEOPOS g Palermo nobody\r\n",
                  "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n");
    HS_RAW_EXPECT(fd, "GEODIST g Palermo Catania km\r\n", "$8\r\n166.2742\r\n");
    HS_RAW_EXPECT(fd, "GEODIST g Palermo nobody\r\n", "_\r\n");
    HS_RAW_EXPECT(fd, "GEOHASH g Palermo nobody\r\n", "*2\r\n$11\r\nsqc8b49rny0\r\n_\r\n");
    HS_RAW_EXPECT(fd, "GEORADIUS g 15 37 100 km WITHDIST WITHHASH WITHCOORD\r\n",
                  "*1\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n"
                  "*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n");
    HS_RAW_EXPECT(fd, "GEOSEARCH nokey FROMLONLAT 1 1 BYRADIUS 1 km\r\n", "*0\r\n");
    close(fd);
}
END_TEST

/* GEORADIUS and GEORADIUSBYMEMBER (and their _RO forms) are documented
 * as deprecated; the STORE keys are found by keyword, in key-spec order
 * (STORE's before STOREDIST's), as Redis lists them. */
START_TEST(test_command_docs_and_keys) {
    /* The argument trees nest deeper than hiredis parses: read raw. */
    int fd = hs_raw_connect(srv);
    HS_RAW_SEND_STR(fd, "COMMAND DOCS georadius geosearch\r\n");
    int closed = 0;
    hs_buf docs = hs_raw_read_all(fd, 300, &closed);
    const char *head = "*4\r\n$9\r\ngeoradius\r\n*18\r\n"; /* history and arguments too */
    ck_assert_msg(strncmp(docs.data, head, strlen(head)) == 0, "%.60s", docs.data);
    const char *geosearch = strstr(docs.data, "$9\r\ngeosearch\r\n*12\r\n");
    const char *flags = strstr(docs.data, "$9\r\ndoc_flags\r\n*1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n"
                                          "$5\r\n6.2.0\r\n$11\r\nreplaced_by\r\n$61\r\n`GEOSEARCH` and "
                                          "`GEOSEARCHSTORE` with the `BYRADIUS` argument\r\n");
    ck_assert(geosearch != NULL && flags != NULL && flags < geosearch);
    ck_assert(strstr(geosearch, "doc_flags") == NULL); /* GEOSEARCH is not deprecated */
    hs_buf_free(&docs);
    close(fd);
    HS_EXPECT_BULKS(ctx, HS_ARGS("k", "d"), "COMMAND", "GETKEYS", "georadius", "k", "0", "0", "1", "km", "store",
                    "d");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k", "e", "d"), "COMMAND", "GETKEYS", "georadiusbymember", "k", "m", "1", "km",
                    "STOREDIST", "d", "STORE", "e");
    HS_EXPECT_BULKS(ctx, HS_ARGS("k"), "COMMAND", "GETKEYS", "georadius", "k", "0", "0", "1", "km");
}
END_TEST

static Suite *geo_suite(void) {
    Suite *s = suite_create("geo");
    TCase *tc = hs_tcase(s, "geo");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_geoadd);
    tcase_add_test(tc, test_geopos_geodist_geohash);
    tcase_add_test(tc, test_georadius);
    tcase_add_test(tc, test_geosearch);
    tcase_add_test(tc, test_store);
    tcase_add_test(tc, test_skiplist_grid);
    tcase_add_test(tc, test_arity_wrongtype);
    tcase_add_test(tc, test_events_and_effects);
    tcase_add_test(tc, test_resp3);
    tcase_add_test(tc, test_command_docs_and_keys);
    return s;
}

int main(void) {
    return hs_run_suite(geo_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
