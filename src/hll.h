/* hll.h -- HyperLogLog registers (library code, L0): placeholder until the
 * HyperLogLog helper lands its API. */
#ifndef MINIRED_HLL_H
#define MINIRED_HLL_H
#endif
