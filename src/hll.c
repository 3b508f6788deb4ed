/* hll.c -- placeholder until its helper lands the implementation (see hll.h). */
#include <stddef.h>
typedef int hll_placeholder_unit;
