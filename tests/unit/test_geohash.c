/* test_geohash.c -- Check suite for geohash: scores, decoded coordinates
 * (as GEOPOS prints them), GEOHASH strings and distances equal to what
 * Redis 7.0.15 returned for the same points; the limits; neighbours and
 * their wrap-around; step estimation; and search cells that always cover
 * the shape (every point inside a random shape lies in a walked cell). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geohash.h"
#include "util.h"

/* A point added with GEOADD and what Redis answered for it. */
struct redis_point {
    double lon, lat;
    uint64_t score;
    const char *pos_lon, *pos_lat; /* GEOPOS */
    const char *hash;              /* GEOHASH */
};

static const struct redis_point points[] = {
    {13.361389, 38.115556, 3479099956230698ULL, "13.36138933897018433", "38.11555639549629859", "sqc8b49rny0"},
    {-122.4194155, 37.7749295, 1367859919124776ULL, "-122.41941779851913452", "37.77493042721969374", "9q8yyk8yuv0"},
    {151.2092955, -33.8688197, 3252046221958827ULL, "151.20929449796676636", "-33.86881866238967831", "r3gx2f75zf0"},
    {-0.1277583, 51.5073509, 2163557714754256ULL, "-0.12775629758834839", "51.50735008547815141", "gcpvj0dup10"},
    {0.0, 0.0, 3377699720527872ULL, "0.00000268220901489", "0.00000126736058093", "s0000000000"},
    {-179.123456, -84.987654, 35411030318ULL, "-179.12345677614212036", "-84.9876530253672513", "00bsebqr0c0"},
    {179.999999, 85.05, 4503599627287214ULL, "179.99999731779098511", "85.04999956172351006", "zzpgzfzupv0"},
    /* the limits themselves: 180 maps one past the last cell, as in Redis */
    {180, 85.05112878, 13510798882111488ULL, "180", "85.0511287799999991", "bp05b5048p0"},
    {-180, -85.05112878, 0ULL, "-179.99999731779098511", "-85.05112751263942528", "00bh0hbj200"},
};

/* GEODIST (meters) between points[a] and points[b], as Redis printed it. */
static const struct {
    int a, b;
    const char *dist;
} dists[] = {
    {0, 1, "10441390.7799"}, {1, 2, "11951033.4247"}, {2, 3, "16998729.5688"},
    {3, 4, "5728984.4306"},  {5, 6, "18912691.4562"}, {0, 0, "0.0000"},
};

#define NPOINTS (sizeof(points) / sizeof(points[0]))
/* Random shapes checked for coverage, and points tried per shape. */
#define COVER_SHAPES 300
#define COVER_POINTS 300

static uint64_t score_of(double lon, double lat) {
    geohash_bits h;
    ck_assert_int_eq(geohash_encode_wgs84(lon, lat, GEO_STEP_MAX, &h), 1);
    return geohash_align52(h);
}

static void check_coord(double v, const char *want) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    int len = ld2string(buf, sizeof(buf), (long double)v, LD_STR_HUMAN);
    ck_assert_str_eq(buf, want);
    ck_assert_int_eq(len, (int)strlen(want));
}

START_TEST(test_matches_redis) {
    for (size_t i = 0; i < NPOINTS; i++) {
        const struct redis_point *p = &points[i];
        ck_assert_uint_eq(score_of(p->lon, p->lat), p->score);
        double xy[2];
        geohash_decode_score((double)p->score, xy);
        check_coord(xy[0], p->pos_lon);
        check_coord(xy[1], p->pos_lat);
        char hash[GEOHASH_STR_LEN + 1];
        geohash_to_string(xy[0], xy[1], hash);
        ck_assert_str_eq(hash, p->hash);
    }
    for (size_t i = 0; i < sizeof(dists) / sizeof(dists[0]); i++) {
        double a[2], b[2];
        geohash_decode_score((double)points[dists[i].a].score, a);
        geohash_decode_score((double)points[dists[i].b].score, b);
        char buf[64];
        snprintf(buf, sizeof(buf), "%.4f", geohash_distance(a[0], a[1], b[0], b[1]));
        ck_assert_str_eq(buf, dists[i].dist);
    }
}
END_TEST

START_TEST(test_limits) {
    geohash_bits h;
    ck_assert_int_eq(geohash_encode_wgs84(180.0000001, 0, GEO_STEP_MAX, &h), 0);
    ck_assert_int_eq(geohash_encode_wgs84(-180.0000001, 0, GEO_STEP_MAX, &h), 0);
    ck_assert_int_eq(geohash_encode_wgs84(0, 85.0511288, GEO_STEP_MAX, &h), 0);
    ck_assert_int_eq(geohash_encode_wgs84(0, -85.0511288, GEO_STEP_MAX, &h), 0);
    ck_assert_uint_eq(h.bits, 0);
    /* decoded points never leave the limits */
    double xy[2];
    geohash_decode_score((double)(1ULL << 52) * 3, xy);
    ck_assert(xy[0] <= GEO_LONG_MAX && xy[1] <= GEO_LAT_MAX);
}
END_TEST

/* The area of cell h moved by (dlon, dlat) cells, from its decoded area. */
static void cell_area(geohash_bits h, geohash_area *a) {
    static const geohash_range lon = {GEO_LONG_MIN, GEO_LONG_MAX}, lat = {GEO_LAT_MIN, GEO_LAT_MAX};
    geohash_decode(&lon, &lat, h, a);
}

START_TEST(test_search_cells_are_neighbours) {
    geo_shape s = {.type = GEO_SHAPE_RADIUS, .xy = {2.35, 48.85}, .conversion = 1, .radius = 1000};
    geohash_search cells;
    geohash_search_areas(&s, &cells);
    geohash_area c, n, e, sw;
    cell_area(cells.cells[0], &c);
    /* order: centre, N, S, E, W, NE, NW, SE, SW (any may be skipped) */
    if (cells.cells[1].step) {
        cell_area(cells.cells[1], &n);
        ck_assert(fabs(n.lat.min - c.lat.max) < 1e-9 && fabs(n.lon.min - c.lon.min) < 1e-9);
    }
    if (cells.cells[3].step) {
        cell_area(cells.cells[3], &e);
        ck_assert(fabs(e.lon.min - c.lon.max) < 1e-9 && fabs(e.lat.min - c.lat.min) < 1e-9);
    }
    if (cells.cells[8].step) {
        cell_area(cells.cells[8], &sw);
        ck_assert(fabs(sw.lon.max - c.lon.min) < 1e-9 && fabs(sw.lat.max - c.lat.min) < 1e-9);
    }
    /* the east neighbour of the last column wraps to the first */
    geo_shape w = {.type = GEO_SHAPE_RADIUS, .xy = {179.99, 0}, .conversion = 1, .radius = 5000};
    geohash_search_areas(&w, &cells);
    cell_area(cells.cells[0], &c);
    ck_assert(c.lon.max > 179.99);
    ck_assert_uint_ne(cells.cells[3].step, 0); /* not skipped: the box crosses 180 */
    cell_area(cells.cells[3], &e);
    ck_assert(fabs(e.lon.min - GEO_LONG_MIN) < 1e-9);
}
END_TEST

START_TEST(test_estimate_steps) {
    ck_assert_int_eq(geohash_estimate_steps(0, 0), GEO_STEP_MAX);
    ck_assert_int_eq(geohash_estimate_steps(0.001, 0), GEO_STEP_MAX);
    ck_assert_int_eq(geohash_estimate_steps(1e8, 0), 1);
    /* coarser towards the poles */
    ck_assert_int_eq(geohash_estimate_steps(1000, 70), geohash_estimate_steps(1000, 10) - 1);
    ck_assert_int_eq(geohash_estimate_steps(1000, -81), geohash_estimate_steps(1000, 10) - 2);
    /* a range twice as wide is one step coarser */
    ck_assert_int_eq(geohash_estimate_steps(2000, 0), geohash_estimate_steps(1000, 0) - 1);
}
END_TEST

/* 1 if the 52-bit score lies in one of the walked cells. */
static int in_walked_cell(const geohash_search *s, uint64_t score) {
    for (int i = 0; i < GEOHASH_SEARCH_CELLS; i++) {
        geohash_bits h = s->cells[i], next = h;
        if (h.bits == 0 && h.step == 0) continue;
        next.bits++;
        if (score >= geohash_align52(h) && score < geohash_align52(next)) return 1;
    }
    return 0;
}

START_TEST(test_cells_cover_shape) {
    srand(1);
    for (int n = 0; n < COVER_SHAPES; n++) {
        geo_shape s = {.conversion = 1};
        s.type = n % 2 ? GEO_SHAPE_BOX : GEO_SHAPE_RADIUS;
        s.xy[0] = -170 + 340.0 * rand() / RAND_MAX;
        s.xy[1] = -75 + 150.0 * rand() / RAND_MAX;
        double size = pow(10, 1 + 5.0 * rand() / RAND_MAX);
        s.radius = size;
        s.width = size * (0.5 + (double)rand() / RAND_MAX);
        s.height = size * (0.5 + (double)rand() / RAND_MAX);
        geohash_search cells;
        geohash_search_areas(&s, &cells);
        double b[4];
        geohash_bounding_box(&s, b);
        for (int k = 0; k < COVER_POINTS; k++) {
            double lon = b[0] + (b[2] - b[0]) * rand() / RAND_MAX;
            double lat = b[1] + (b[3] - b[1]) * rand() / RAND_MAX;
            if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) continue;
            uint64_t score = score_of(lon, lat);
            double xy[2], dist;
            geohash_decode_score((double)score, xy);
            if (!geohash_in_shape(&s, xy[0], xy[1], &dist)) continue;
            if (!in_walked_cell(&cells, score))
                ck_abort_msg("shape %d: point %.6f,%.6f inside but in no walked cell", n, lon, lat);
        }
    }
}
END_TEST

START_TEST(test_in_shape) {
    geo_shape r = {.type = GEO_SHAPE_RADIUS, .xy = {0, 0}, .conversion = 1000, .radius = 100};
    double d;
    ck_assert_int_eq(geohash_in_shape(&r, 0.8, 0, &d), 1);
    ck_assert(d > 88000 && d < 90000);
    ck_assert_int_eq(geohash_in_shape(&r, 0.7, 0.7, &d), 0);
    geo_shape b = {.type = GEO_SHAPE_BOX, .xy = {0, 0}, .conversion = 1000, .width = 200, .height = 100};
    ck_assert_int_eq(geohash_in_shape(&b, 0.8, 0.4, &d), 1);
    ck_assert_int_eq(geohash_in_shape(&b, 0.8, 0.5, &d), 0);
    ck_assert_int_eq(geohash_in_shape(&b, 0.9, 0.1, &d), 0);
}
END_TEST

static Suite *geohash_suite(void) {
    Suite *s = suite_create("geohash");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_matches_redis);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_search_cells_are_neighbours);
    tcase_add_test(tc, test_estimate_steps);
    tcase_add_test(tc, test_cells_cover_shape);
    tcase_add_test(tc, test_in_shape);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(geohash_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
