/* Helpers shared by the integer-path tests: books by method name and random encoded layers. */
#ifndef QB_INTTEST_H
#define QB_INTTEST_H

#include "int/intdot.h"

/* The book of `method` at `bits` (asserts it builds). */
IntBook inttest_book(const char *method, int bits);
/* A k x n layer with codes uniform over the book's magnitudes, random signs and scales in
 * [0.5, 1.5), and n activation codes uniform over 0..2^abits-1. */
void inttest_random(IntWeights *w, uint8_t *a, const IntBook *b, int k, int n, int abits,
                    uint64_t seed);

#endif
