/* Tensor: a view of float32 NCHW data (shape + pointer). It never owns memory; arenas do. */
#ifndef QB_TENSOR_H
#define QB_TENSOR_H

#include <stddef.h>

/* Per-sample dimensions (C, H, W); a vector is (F, 1, 1). */
typedef struct {
    int c, h, w;
} Dims;

typedef struct {
    int n, c, h, w;
    float *data;
} Tensor;

static inline size_t dims_numel(Dims d) { return (size_t)d.c * d.h * d.w; }
static inline size_t tensor_numel(const Tensor *t) { return (size_t)t->n * t->c * t->h * t->w; }
static inline Tensor tensor_view(int n, Dims d, float *data)
{
    Tensor t = {n, d.c, d.h, d.w, data};
    return t;
}
static inline Dims tensor_dims(const Tensor *t)
{
    Dims d = {t->c, t->h, t->w};
    return d;
}

#endif
