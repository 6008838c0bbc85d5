/* Pooling: max-pool, average-pool (padding counts as zeros in the mean, PyTorch's
 * count_include_pad=True) and global average pool to (C, 1, 1). */
#include <math.h>
#include <string.h>

#include "core/kernels/im2col.h"
#include "common.h"

typedef struct {
    int k, stride, pad;
} PoolCfg;

static int pool_plan(Net *net, Layer *L, QbErr *err)
{
    (void)net;
    const PoolCfg *c = L->cfg;
    Dims in = L->in_dims[0];
    if (c->k < 1 || c->stride < 1 || c->pad < 0 || 2 * c->pad > c->k)
        return qb_fail(err, "bad pool k=%d stride=%d pad=%d (pad must be <= k/2)", c->k,
                       c->stride, c->pad);
    int ho = conv_out_size(in.h, c->k, c->stride, c->pad);
    int wo = conv_out_size(in.w, c->k, c->stride, c->pad);
    if (ho < 1 || wo < 1)
        return qb_fail(err, "input %dx%dx%d is smaller than window %d", in.c, in.h, in.w, c->k);
    L->out_dims = (Dims){in.c, ho, wo};
    return 0;
}

/* Index (within the plane) of the window's maximum; the first one wins ties. */
static int window_argmax(const PoolCfg *c, const float *x, int h, int w, int oy, int ox)
{
    int best = -1;
    float bv = -HUGE_VALF;
    for (int i = 0; i < c->k; i++) {
        int iy = oy * c->stride - c->pad + i;
        if (iy < 0 || iy >= h)
            continue;
        for (int j = 0; j < c->k; j++) {
            int ix = ox * c->stride - c->pad + j;
            if (ix >= 0 && ix < w && (best < 0 || x[iy * w + ix] > bv)) {
                bv = x[iy * w + ix];
                best = iy * w + ix;
            }
        }
    }
    return best;
}

static void maxpool_forward(Net *net, Layer *L)
{
    (void)net;
    const PoolCfg *c = L->cfg;
    const Tensor *x = &L->x[0];
    const int ho = L->y.h, wo = L->y.w;
#pragma omp parallel for schedule(static)
    for (long p = 0; p < (long)x->n * x->c; p++) {
        const float *xp = x->data + p * x->h * x->w;
        float *yp = L->y.data + p * ho * wo;
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++)
                yp[oy * wo + ox] = xp[window_argmax(c, xp, x->h, x->w, oy, ox)];
    }
}

static void maxpool_backward(Net *net, Layer *L)
{
    (void)net;
    const PoolCfg *c = L->cfg;
    const Tensor *x = &L->x[0];
    if (!L->dx[0].data)
        return;
    const int ho = L->y.h, wo = L->y.w, hw = x->h * x->w;
#pragma omp parallel for schedule(static)
    for (long p = 0; p < (long)x->n * x->c; p++) {
        float *dxp = L->dx[0].data + p * hw;
        const float *dyp = L->dy.data + p * ho * wo;
        if (!L->dx_add[0])
            memset(dxp, 0, sizeof(float) * hw);
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++)
                dxp[window_argmax(c, x->data + p * hw, x->h, x->w, oy, ox)] += dyp[oy * wo + ox];
    }
}

static void avgpool_forward(Net *net, Layer *L)
{
    (void)net;
    const PoolCfg *c = L->cfg;
    const Tensor *x = &L->x[0];
    const int ho = L->y.h, wo = L->y.w;
    const float inv = 1.0f / (float)(c->k * c->k);
#pragma omp parallel for schedule(static)
    for (long p = 0; p < (long)x->n * x->c; p++) {
        const float *xp = x->data + p * x->h * x->w;
        float *yp = L->y.data + p * ho * wo;
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                float s = 0.0f;
                for (int i = 0; i < c->k; i++) {
                    int iy = oy * c->stride - c->pad + i;
                    for (int j = 0; j < c->k; j++) {
                        int ix = ox * c->stride - c->pad + j;
                        if (iy >= 0 && iy < x->h && ix >= 0 && ix < x->w)
                            s += xp[iy * x->w + ix];
                    }
                }
                yp[oy * wo + ox] = s * inv;
            }
    }
}

static void avgpool_backward(Net *net, Layer *L)
{
    (void)net;
    const PoolCfg *c = L->cfg;
    const Tensor *x = &L->x[0];
    if (!L->dx[0].data)
        return;
    const int ho = L->y.h, wo = L->y.w, hw = x->h * x->w;
    const float inv = 1.0f / (float)(c->k * c->k);
#pragma omp parallel for schedule(static)
    for (long p = 0; p < (long)x->n * x->c; p++) {
        float *dxp = L->dx[0].data + p * hw;
        const float *dyp = L->dy.data + p * ho * wo;
        if (!L->dx_add[0])
            memset(dxp, 0, sizeof(float) * hw);
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                float d = dyp[oy * wo + ox] * inv;
                for (int i = 0; i < c->k; i++) {
                    int iy = oy * c->stride - c->pad + i;
                    for (int j = 0; j < c->k; j++) {
                        int ix = ox * c->stride - c->pad + j;
                        if (iy >= 0 && iy < x->h && ix >= 0 && ix < x->w)
                            dxp[iy * x->w + ix] += d;
                    }
                }
            }
    }
}

static void pool_cost(const Net *net, const Layer *L, LayerCost *lc)
{
    (void)net;
    const PoolCfg *c = L->cfg;
    lc->other_ops = (double)dims_numel(L->out_dims) * c->k * c->k;
    lc->wbits = lc->abits = 32;
}

static int gap_plan(Net *net, Layer *L, QbErr *err)
{
    (void)net;
    (void)err;
    L->out_dims = (Dims){L->in_dims[0].c, 1, 1};
    return 0;
}

static void gap_forward(Net *net, Layer *L)
{
    (void)net;
    const Tensor *x = &L->x[0];
    const size_t hw = (size_t)x->h * x->w;
#pragma omp parallel for schedule(static)
    for (long p = 0; p < (long)x->n * x->c; p++) {
        const float *xp = x->data + p * hw;
        float s = 0.0f;
        for (size_t i = 0; i < hw; i++)
            s += xp[i];
        L->y.data[p] = s / (float)hw;
    }
}

static void gap_backward(Net *net, Layer *L)
{
    (void)net;
    const Tensor *x = &L->x[0];
    if (!L->dx[0].data)
        return;
    const size_t hw = (size_t)x->h * x->w;
    const int add = L->dx_add[0];
#pragma omp parallel for schedule(static)
    for (long p = 0; p < (long)x->n * x->c; p++) {
        float d = L->dy.data[p] / (float)hw, *q = L->dx[0].data + p * hw;
        for (size_t i = 0; i < hw; i++)
            q[i] = add ? q[i] + d : d;
    }
}

static void gap_cost(const Net *net, const Layer *L, LayerCost *lc)
{
    (void)net;
    lc->other_ops = (double)dims_numel(L->in_dims[0]);
    lc->wbits = lc->abits = 32;
}

const LayerOps maxpool_ops = {
    .kind = "maxpool",
    .out_sign = LAYER_SIGN_OF_INPUT,
    .plan = pool_plan,
    .bind = layer_bind_none,
    .forward = maxpool_forward,
    .backward = maxpool_backward,
    .cost = pool_cost,
};
const LayerOps avgpool_ops = {
    .kind = "avgpool",
    .out_sign = LAYER_SIGN_OF_INPUT,
    .plan = pool_plan,
    .bind = layer_bind_none,
    .forward = avgpool_forward,
    .backward = avgpool_backward,
    .cost = pool_cost,
};
const LayerOps gap_ops = {
    .kind = "gap",
    .out_sign = LAYER_SIGN_OF_INPUT,
    .plan = gap_plan,
    .bind = layer_bind_none,
    .forward = gap_forward,
    .backward = gap_backward,
    .cost = gap_cost,
};

void layer_pool_window(const Layer *L, int *k, int *stride, int *pad)
{
    QB_ASSERT(L->ops == &maxpool_ops || L->ops == &avgpool_ops);
    const PoolCfg *c = L->cfg;
    *k = c->k;
    *stride = c->stride;
    *pad = c->pad;
}

int layer_maxpool(Net *net, const char *name, int in, int k, int stride, int pad, QbErr *err)
{
    PoolCfg c = {k, stride, pad};
    return layer_add_simple(net, &maxpool_ops, name, 1, &in, &c, sizeof c, err);
}

int layer_avgpool(Net *net, const char *name, int in, int k, int stride, int pad, QbErr *err)
{
    PoolCfg c = {k, stride, pad};
    return layer_add_simple(net, &avgpool_ops, name, 1, &in, &c, sizeof c, err);
}

int layer_gap(Net *net, const char *name, int in, QbErr *err)
{
    return layer_add_simple(net, &gap_ops, name, 1, &in, NULL, 0, err);
}
