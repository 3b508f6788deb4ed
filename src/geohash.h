/* geohash.h -- 52-bit interleaved geohashes as Redis's geo commands use
 * them (library code, L0: no server header, no globals).
 *
 * A cell is `step` bits of longitude and `step` bits of latitude,
 * interleaved with the longitude bit first (most significant), so a cell's
 * members are one contiguous range of 52-bit scores. Latitudes are limited
 * to the Web Mercator band (GEO_LAT_MIN..GEO_LAT_MAX) as Redis limits them.
 * The search helpers reproduce Redis 7.0's published geometry (bounding
 * box, step estimate, the nine cells and which of them are skipped) so a
 * search visits the same cells in the same order and finds the same
 * members. */
#ifndef MINIRED_GEOHASH_H
#define MINIRED_GEOHASH_H

#include <stdint.h>

#define GEO_STEP_MAX 26 /* bits per coordinate: 52-bit scores */
#define GEO_LAT_MIN -85.05112878
#define GEO_LAT_MAX 85.05112878
#define GEO_LONG_MIN -180.0
#define GEO_LONG_MAX 180.0
/* Earth's radius in meters, the value Redis's distances use. */
#define GEO_EARTH_RADIUS_M 6372797.560856
/* Half the Mercator projection's width in meters (step estimation). */
#define GEO_MERCATOR_MAX_M 20037726.37
/* Length of a GEOHASH string. */
#define GEOHASH_STR_LEN 11

typedef struct geohash_bits {
    uint64_t bits;
    uint8_t step; /* 0 with bits 0: "no cell" (a skipped neighbour) */
} geohash_bits;

typedef struct geohash_range {
    double min, max;
} geohash_range;

/* The rectangle a cell covers. */
typedef struct geohash_area {
    geohash_range lon, lat;
} geohash_area;

enum geo_shape_type { GEO_SHAPE_RADIUS, GEO_SHAPE_BOX };

/* A search shape: a centre (xy[0] longitude, xy[1] latitude) and a radius
 * or a box (full width and height), in units of `conversion` meters. */
typedef struct geo_shape {
    enum geo_shape_type type;
    double xy[2];
    double conversion;
    double radius;
    double width, height;
} geo_shape;

/* Cells a search walks, in Redis's order: the centre, then north, south,
 * east, west, north-east, north-west, south-east, south-west. A zeroed
 * entry (bits 0, step 0) is skipped. */
#define GEOHASH_SEARCH_CELLS 9
typedef struct geohash_search {
    geohash_bits cells[GEOHASH_SEARCH_CELLS];
} geohash_search;

/* Encodes lon, lat inside the given ranges with step bits each. Returns 0
 * (out zeroed but for step) when a coordinate is outside Redis's limits or
 * the ranges, else 1. */
int geohash_encode(const geohash_range *lon_r, const geohash_range *lat_r, double lon, double lat, int step,
                   geohash_bits *out);
/* Same, in the ranges GEOADD uses (-180..180, GEO_LAT_MIN..GEO_LAT_MAX). */
int geohash_encode_wgs84(double lon, double lat, int step, geohash_bits *out);
/* The area a cell covers in the given ranges. */
void geohash_decode(const geohash_range *lon_r, const geohash_range *lat_r, geohash_bits h, geohash_area *area);
/* Left-aligns a cell to the 52-bit score space. */
uint64_t geohash_align52(geohash_bits h);
/* The point a geo score stands for (the centre of its 52-bit cell,
 * clamped to the limits): xy[0] longitude, xy[1] latitude. */
void geohash_decode_score(double score, double xy[2]);
/* Fills out (NUL-terminated, GEOHASH_STR_LEN chars) with the standard
 * base32 geohash of lon, lat (latitude range -90..90), as GEOHASH shows. */
void geohash_to_string(double lon, double lat, char out[GEOHASH_STR_LEN + 1]);

/* Great-circle distance in meters (haversine on GEO_EARTH_RADIUS_M). */
double geohash_distance(double lon1, double lat1, double lon2, double lat2);
/* The step whose cells are about range_m wide at latitude lat. */
int geohash_estimate_steps(double range_m, double lat);
/* The shape's bounding box: bounds = min lon, min lat, max lon, max lat. */
void geohash_bounding_box(const geo_shape *shape, double bounds[4]);
/* The cells to walk for shape, in search order. */
void geohash_search_areas(const geo_shape *shape, geohash_search *out);
/* Returns 1 and the distance in meters from the shape's centre when the
 * point lon, lat is inside shape, else 0. */
int geohash_in_shape(const geo_shape *shape, double lon, double lat, double *dist_m);

#endif
