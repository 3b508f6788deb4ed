/* geohash.c -- placeholder until its helper lands the implementation (see geohash.h). */
#include <stddef.h>
typedef int geohash_placeholder_unit;
