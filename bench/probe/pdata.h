/* The probe's two batches: the first training batch (shuffled by the seed, no augmentation),
 * on which the quantizers initialise as in a training run's first step (FORMULAS.md §1.4), and the
 * first test batch, on which every figure is measured. */
#ifndef QB_PROBE_PDATA_H
#define QB_PROBE_PDATA_H

#include <stdint.h>

#include "core/data/dataset.h"

typedef struct {
    Dataset train, test;
    float *buf;               /* both batches */
    Tensor init, measure;     /* batch x dims, views into buf */
} ProbeData;

/* format: a dataset_open format (fmnist, synth, ...); dir NULL for the default. synth makes
 * only `batch` samples per split. */
int pdata_open(ProbeData *d, const char *format, const char *dir, int batch, uint64_t seed,
               QbErr *err);
void pdata_close(ProbeData *d);

#endif
