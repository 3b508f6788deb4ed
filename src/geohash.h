/* geohash.h -- 52-bit geohash encoding (library code, L0): placeholder until
 * the geo helper lands its API. */
#ifndef MINIRED_GEOHASH_H
#define MINIRED_GEOHASH_H
#endif
