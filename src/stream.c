/* stream.c -- placeholder until its helper lands the implementation (see stream.h). */
#include <stddef.h>
typedef int stream_placeholder_unit;
