/* geohash.c -- geohash cells, neighbours, search cells and distances for
 * the geo commands (library code: no server header, no globals).
 *
 * Bit layout: latitude bits on even positions, longitude bits on odd ones,
 * so a 64-bit word holds two 32-bit lanes. Every formula here follows the
 * published geometry of Redis 7.0's geo commands (same operation order, so
 * the same doubles come out): members found, cell order and distances must
 * match Redis byte for byte. */
#include "geohash.h"

#include <math.h>
#include <stddef.h>

#define EVEN_BITS 0x5555555555555555ULL /* the latitude lane */

static const char GEOHASH_ALPHABET[] = "0123456789bcdefghjkmnpqrstuvwxyz";

/* Spreads the 32 bits of v onto the even positions of a 64-bit word. */
static uint64_t spread32(uint32_t v) {
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & EVEN_BITS;
    return x;
}

/* Gathers the even positions of x into a 32-bit value (spread32's inverse). */
static uint32_t gather32(uint64_t x) {
    x &= EVEN_BITS;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

static uint64_t interleave(uint32_t lat_idx, uint32_t lon_idx) {
    return spread32(lat_idx) | (spread32(lon_idx) << 1);
}

static double deg_rad(double deg) {
    return deg * (M_PI / 180.0);
}

static double rad_deg(double rad) {
    return rad / (M_PI / 180.0);
}

static const geohash_range WGS84_LON = {GEO_LONG_MIN, GEO_LONG_MAX};
static const geohash_range WGS84_LAT = {GEO_LAT_MIN, GEO_LAT_MAX};

int geohash_encode(const geohash_range *lon_r, const geohash_range *lat_r, double lon, double lat, int step,
                   geohash_bits *out) {
    out->bits = 0;
    out->step = (uint8_t)step;
    if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return 0;
    if (lat < lat_r->min || lat > lat_r->max || lon < lon_r->min || lon > lon_r->max) return 0;
    double lat_off = (lat - lat_r->min) / (lat_r->max - lat_r->min);
    double lon_off = (lon - lon_r->min) / (lon_r->max - lon_r->min);
    lat_off *= (double)(1ULL << step);
    lon_off *= (double)(1ULL << step);
    /* The maximum itself maps to 2^step, one past the last cell: kept as
     * is (it lands above the cell's bits), as Redis does. */
    out->bits = interleave((uint32_t)lat_off, (uint32_t)lon_off);
    return 1;
}

int geohash_encode_wgs84(double lon, double lat, int step, geohash_bits *out) {
    return geohash_encode(&WGS84_LON, &WGS84_LAT, lon, lat, step, out);
}

void geohash_decode(const geohash_range *lon_r, const geohash_range *lat_r, geohash_bits h, geohash_area *area) {
    uint32_t lat_idx = gather32(h.bits), lon_idx = gather32(h.bits >> 1);
    double cells = (double)(1ULL << h.step);
    double lat_scale = lat_r->max - lat_r->min, lon_scale = lon_r->max - lon_r->min;
    area->lat.min = lat_r->min + (lat_idx * 1.0 / cells) * lat_scale;
    area->lat.max = lat_r->min + ((uint32_t)(lat_idx + 1) * 1.0 / cells) * lat_scale;
    area->lon.min = lon_r->min + (lon_idx * 1.0 / cells) * lon_scale;
    area->lon.max = lon_r->min + ((uint32_t)(lon_idx + 1) * 1.0 / cells) * lon_scale;
}

uint64_t geohash_align52(geohash_bits h) {
    return h.bits << (GEO_STEP_MAX * 2 - h.step * 2);
}

static void area_centre(const geohash_area *a, double xy[2]) {
    xy[0] = (a->lon.min + a->lon.max) / 2;
    if (xy[0] > GEO_LONG_MAX) xy[0] = GEO_LONG_MAX;
    if (xy[0] < GEO_LONG_MIN) xy[0] = GEO_LONG_MIN;
    xy[1] = (a->lat.min + a->lat.max) / 2;
    if (xy[1] > GEO_LAT_MAX) xy[1] = GEO_LAT_MAX;
    if (xy[1] < GEO_LAT_MIN) xy[1] = GEO_LAT_MIN;
}

/* The bits of a score. A geo score is an integer in [0, 2^53]; any other
 * (a plain sorted set read as geo) converts as Redis's cast does on
 * x86-64, spelled out here because the C cast is undefined out of range. */
static uint64_t score_bits(double score) {
    if (score >= 0 && score < 18446744073709551616.0) return (uint64_t)score;
    if (score < 0 && score > -9223372036854775808.0) return (uint64_t)(int64_t)score;
    return score > 0 ? 0 : 1ULL << 63; /* +inf and >= 2^64; NaN, -inf, <= -2^63 */
}

void geohash_decode_score(double score, double xy[2]) {
    geohash_bits h = {score_bits(score), GEO_STEP_MAX};
    geohash_area a;
    geohash_decode(&WGS84_LON, &WGS84_LAT, h, &a);
    area_centre(&a, xy);
}

void geohash_to_string(double lon, double lat, char out[GEOHASH_STR_LEN + 1]) {
    static const geohash_range std_lon = {-180, 180}, std_lat = {-90, 90};
    geohash_bits h;
    geohash_encode(&std_lon, &std_lat, lon, lat, GEO_STEP_MAX, &h);
    for (int i = 0; i < GEOHASH_STR_LEN; i++) {
        /* 52 bits make 10.4 characters: the 11th is always '0', as the
         * 11-character form Redis has always shown. */
        int idx = i == GEOHASH_STR_LEN - 1 ? 0 : (int)((h.bits >> (52 - (i + 1) * 5)) & 0x1f);
        out[i] = GEOHASH_ALPHABET[idx];
    }
    out[GEOHASH_STR_LEN] = '\0';
}

/* ---------------------------------------------------------- neighbours */

/* Moves a cell by dlon, dlat (each -1, 0 or 1) cells, wrapping around;
 * an unmoved lane keeps its bits untouched. */
static geohash_bits cell_move(geohash_bits h, int dlon, int dlat) {
    uint64_t lane_mask = h.step ? (1ULL << h.step) - 1 : 0;
    uint64_t lat_lane = h.bits & EVEN_BITS, lon_lane = h.bits & (EVEN_BITS << 1);
    if (dlon) lon_lane = spread32((uint32_t)((gather32(h.bits >> 1) + (uint64_t)(int64_t)dlon) & lane_mask)) << 1;
    if (dlat) lat_lane = spread32((uint32_t)((gather32(h.bits) + (uint64_t)(int64_t)dlat) & lane_mask));
    h.bits = lat_lane | lon_lane;
    return h;
}

/* Search order of the cells (see geohash_search). */
enum { CELL_CENTRE, CELL_N, CELL_S, CELL_E, CELL_W, CELL_NE, CELL_NW, CELL_SE, CELL_SW };

static void fill_cells(geohash_bits centre, geohash_search *s) {
    static const int moves[GEOHASH_SEARCH_CELLS][2] = {
        [CELL_CENTRE] = {0, 0}, [CELL_N] = {0, 1},   [CELL_S] = {0, -1},  [CELL_E] = {1, 0},   [CELL_W] = {-1, 0},
        [CELL_NE] = {1, 1},     [CELL_NW] = {-1, 1}, [CELL_SE] = {1, -1}, [CELL_SW] = {-1, -1},
    };
    for (int i = 0; i < GEOHASH_SEARCH_CELLS; i++) s->cells[i] = cell_move(centre, moves[i][0], moves[i][1]);
}

static void cell_zero(geohash_search *s, int a, int b, int c) {
    s->cells[a] = s->cells[b] = s->cells[c] = (geohash_bits){0, 0};
}

/* ---------------------------------------------------------- distances */

/* Distance along a meridian between two latitudes. */
static double lat_distance(double lat1, double lat2) {
    return GEO_EARTH_RADIUS_M * fabs(deg_rad(lat2) - deg_rad(lat1));
}

double geohash_distance(double lon1, double lat1, double lon2, double lat2) {
    double lon1r = deg_rad(lon1), lon2r = deg_rad(lon2);
    double v = sin((lon2r - lon1r) / 2);
    /* On one meridian the distance is the latitude difference's arc: Redis
     * 7.0 takes that shortcut, and its result can differ from the full
     * formula in the last bit (STOREDIST shows all 17 digits). */
    if (v == 0.0) return lat_distance(lat1, lat2);
    double lat1r = deg_rad(lat1), lat2r = deg_rad(lat2);
    double u = sin((lat2r - lat1r) / 2);
    double a = u * u + cos(lat1r) * cos(lat2r) * v * v;
    return 2.0 * GEO_EARTH_RADIUS_M * asin(sqrt(a));
}

int geohash_estimate_steps(double range_m, double lat) {
    if (range_m == 0) return GEO_STEP_MAX;
    int step = 1;
    while (range_m < GEO_MERCATOR_MAX_M) {
        range_m *= 2;
        step++;
    }
    /* Two steps coarser, so the range fits the centre cell and its
     * neighbours in most cases. */
    step -= 2;
    /* Cells narrow towards the poles: coarser still there. */
    if (lat > 66 || lat < -66) {
        step--;
        if (lat > 80 || lat < -80) step--;
    }
    if (step < 1) step = 1;
    if (step > GEO_STEP_MAX) step = GEO_STEP_MAX;
    return step;
}

void geohash_bounding_box(const geo_shape *shape, double bounds[4]) {
    double lon = shape->xy[0], lat = shape->xy[1];
    double half_h = shape->conversion * (shape->type == GEO_SHAPE_RADIUS ? shape->radius : shape->height / 2);
    double half_w = shape->conversion * (shape->type == GEO_SHAPE_RADIUS ? shape->radius : shape->width / 2);
    double lat_delta = rad_deg(half_h / GEO_EARTH_RADIUS_M);
    double lon_delta_top = rad_deg(half_w / GEO_EARTH_RADIUS_M / cos(deg_rad(lat + lat_delta)));
    double lon_delta_bottom = rad_deg(half_w / GEO_EARTH_RADIUS_M / cos(deg_rad(lat - lat_delta)));
    /* The widest edge is the one nearer the pole: the top edge in the
     * northern hemisphere, the bottom one in the southern. */
    double lon_delta = lat < 0 ? lon_delta_bottom : lon_delta_top;
    bounds[0] = lon - lon_delta;
    bounds[1] = lat - lat_delta;
    bounds[2] = lon + lon_delta;
    bounds[3] = lat + lat_delta;
}

/* Encodes the shape's centre at step and fills its cells and area. */
static void centre_cells(const geo_shape *shape, int step, geohash_search *s, geohash_area *area) {
    geohash_bits h;
    geohash_encode(&WGS84_LON, &WGS84_LAT, shape->xy[0], shape->xy[1], step, &h);
    fill_cells(h, s);
    geohash_decode(&WGS84_LON, &WGS84_LAT, h, area);
}

void geohash_search_areas(const geo_shape *shape, geohash_search *out) {
    double b[4];
    geohash_bounding_box(shape, b);
    /* A box is covered by the circle through its corners. */
    double radius_m = shape->type == GEO_SHAPE_RADIUS
                          ? shape->radius
                          : sqrt((shape->width / 2) * (shape->width / 2) + (shape->height / 2) * (shape->height / 2));
    radius_m *= shape->conversion;
    int steps = geohash_estimate_steps(radius_m, shape->xy[1]);
    geohash_area area, n, s, e, w;
    centre_cells(shape, steps, out, &area);
    /* Near a cell's edge the estimated step may leave part of the box
     * outside the neighbours: one step coarser then. */
    geohash_decode(&WGS84_LON, &WGS84_LAT, out->cells[CELL_N], &n);
    geohash_decode(&WGS84_LON, &WGS84_LAT, out->cells[CELL_S], &s);
    geohash_decode(&WGS84_LON, &WGS84_LAT, out->cells[CELL_E], &e);
    geohash_decode(&WGS84_LON, &WGS84_LAT, out->cells[CELL_W], &w);
    int coarser = n.lat.max < b[3] || s.lat.min > b[1] || e.lon.max < b[2] || w.lon.min > b[0];
    if (steps > 1 && coarser) {
        steps--;
        centre_cells(shape, steps, out, &area);
    }
    /* Neighbours entirely outside the box are not walked. */
    if (steps >= 2) {
        if (area.lat.min < b[1]) cell_zero(out, CELL_S, CELL_SW, CELL_SE);
        if (area.lat.max > b[3]) cell_zero(out, CELL_N, CELL_NE, CELL_NW);
        if (area.lon.min < b[0]) cell_zero(out, CELL_W, CELL_SW, CELL_NW);
        if (area.lon.max > b[2]) cell_zero(out, CELL_E, CELL_SE, CELL_NE);
    }
}

int geohash_in_shape(const geo_shape *shape, double lon, double lat, double *dist_m) {
    double cx = shape->xy[0], cy = shape->xy[1];
    if (shape->type == GEO_SHAPE_RADIUS) {
        double d = geohash_distance(cx, cy, lon, lat);
        if (d > shape->radius * shape->conversion) return 0;
        *dist_m = d;
        return 1;
    }
    /* Box: the point's distance from the centre's parallel, then (along
     * its own parallel) from the centre's meridian, each against half a
     * side; the latitude test is the cheap one, so it goes first. */
    if (lat_distance(lat, cy) > shape->height * shape->conversion / 2) return 0;
    if (geohash_distance(lon, lat, cx, lat) > shape->width * shape->conversion / 2) return 0;
    *dist_m = geohash_distance(cx, cy, lon, lat);
    return 1;
}
