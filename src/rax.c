/* rax.c -- placeholder until its helper lands the implementation (see rax.h). */
#include <stddef.h>
typedef int rax_placeholder_unit;
