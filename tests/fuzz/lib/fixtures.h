/* Valid small inputs shared by the fuzz targets (the files a mutated one is paired with) and
 * by the seed generator: idx files and the checkpoint target's network. */
#ifndef QB_FUZZ_FIXTURES_H
#define QB_FUZZ_FIXTURES_H

#include <stddef.h>

#include "core/net.h"

enum { FUZZ_IDX_COUNT = 2, FUZZ_IDX_MAX = 16 + FUZZ_IDX_COUNT * 28 * 28 };

/* An uncompressed idx file of FUZZ_IDX_COUNT 28x28 images (labels == 0) or labels
 * (labels == 1) into out (FUZZ_IDX_MAX bytes); returns its size. zlib's gzread reads an
 * uncompressed file as it is, so it stands for a .gz too. */
size_t fuzz_idx_bytes(unsigned char *out, int labels);

/* small_cnn at width 0.125 on 1x8x8 inputs, allocated for batch 1 and initialised from a
 * fixed seed: the network the checkpoint seeds are saved from. */
void fuzz_net_build(Net *net);

#endif
