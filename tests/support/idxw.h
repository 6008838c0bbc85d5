/* Writing idx files (MNIST's format) in tests and fuzz seeds: big-endian words and the
 * header. Plain bytes, no test framework, so the fuzz library links it too. */
#ifndef QB_TEST_IDXW_H
#define QB_TEST_IDXW_H

#include <stddef.h>

void put_be32(unsigned char *p, unsigned v);
/* Images: magic 0x803, count, rows, cols (16 bytes); labels: 0x801, count (8 bytes).
 * Returns the header's length; the samples follow it. */
size_t idx_header(unsigned char *out, int labels, unsigned count, unsigned rows, unsigned cols);

#endif
