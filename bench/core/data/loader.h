/* Loader: batches of normalised float samples from a Dataset. Every batch is a pure function
 * of (seed, epoch, batch index): the epoch's order is a seeded permutation and each sample's
 * augmentation has its own random stream, so a resumed run needs only the epoch number and
 * any thread count gives the same bytes. */
#ifndef QB_LOADER_H
#define QB_LOADER_H

#include <stdint.h>

#include "core/rng.h"
#include "batch.h"
#include "dataset.h"

typedef struct {
    int batch;
    int shuffle;    /* permute the samples every epoch; 0: dataset order */
    int drop_last;  /* drop the last partial batch, so every training step sees `batch` samples */
    int pad;        /* random crop with this much zero padding; 0: none */
    int flip;       /* random horizontal flip */
    uint64_t seed;
    int subset;     /* use only this many samples (a fixed seeded choice); 0: all */
} LoaderConfig;

/* A keyed permutation of [0, n) (loader.c). */
typedef struct {
    uint64_t keys[6];
    uint64_t mask;
    int half;
    int n;
} Perm;

typedef struct {
    const Dataset *data;
    LoaderConfig cfg;
    int count;      /* samples in use: the subset size or the whole split */
    int batches;    /* per epoch: count / batch with drop_last, else rounded up */
    Rng order, augment;
    Perm pick;      /* which samples form the subset */
} Loader;

/* Training: {batch, 1, 1, pad, flip, seed}; evaluation: {batch, 0, 0, 0, 0, seed}. Fails
 * when the split cannot fill one batch. The dataset must outlive the loader. */
int loader_init(Loader *l, const Dataset *d, const LoaderConfig *cfg, QbErr *err);
/* Dataset index of the sample at `position` in `epoch`'s order. */
int loader_order(const Loader *l, int epoch, int position);
/* Fills the first n samples of x (x->n >= batch, dims those of the data) and labels[0..n)
 * with batch `index` of `epoch`; returns n (short only for the last batch without
 * drop_last). Samples are filled in an OpenMP loop. */
int loader_batch(const Loader *l, int epoch, int index, Tensor *x, int *labels);
/* The loader as the training loop's batch source. */
BatchSource loader_source(Loader *l);

#endif
