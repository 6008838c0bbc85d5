/* BatchSource: what a data source hands the training and evaluation loops (core/train.h), a
 * callback that fills one batch. Data sources (loader.h) produce it without knowing the
 * loops, and the loops consume it without knowing any data format. */
#ifndef QB_BATCH_H
#define QB_BATCH_H

#include "core/err.h"
#include "core/tensor.h"

/* Fills batch `index` of `epoch` into x (n = net batch) and labels; returns the number of
 * samples filled (a short last batch is allowed for evaluation), or -1 with err. */
typedef struct {
    int (*fill)(void *user, int epoch, int index, Tensor *x, int *labels, QbErr *err);
    void *user;
    int batches;   /* per epoch */
} BatchSource;

#endif
