/* The parameter-free "option A" ResNet shortcut (He et al. 2016, CIFAR): subsample by
 * `stride` and pad the channels with zeros, half before and half after, as the classic
 * CIFAR code does with F.pad(x[:, :, ::2, ::2], (..., planes//4, planes//4)). */
#include <string.h>

#include "common.h"

typedef struct {
    int cout, stride;
} ShortcutCfg;

static int shortcut_plan(Net *net, Layer *L, QbErr *err)
{
    (void)net;
    const ShortcutCfg *c = L->cfg;
    Dims in = L->in_dims[0];
    if (c->stride < 1 || c->cout < in.c || (c->cout - in.c) % 2)
        return qb_fail(err, "cannot map %d channels to %d (needs an even increase) at stride %d",
                       in.c, c->cout, c->stride);
    L->out_dims = (Dims){c->cout, (in.h + c->stride - 1) / c->stride,
                         (in.w + c->stride - 1) / c->stride};
    return 0;
}

static void shortcut_forward(Net *net, Layer *L)
{
    (void)net;
    const ShortcutCfg *c = L->cfg;
    const Tensor *x = &L->x[0];
    Tensor *y = &L->y;
    const int lo = (c->cout - x->c) / 2, s = c->stride;
#pragma omp parallel for schedule(static)
    for (long p = 0; p < (long)y->n * y->c; p++) {
        int n = (int)(p / y->c), k = (int)(p % y->c), ci = k - lo;
        float *yp = y->data + p * y->h * y->w;
        if (ci < 0 || ci >= x->c) {
            memset(yp, 0, sizeof(float) * y->h * y->w);
            continue;
        }
        const float *xp = x->data + ((size_t)n * x->c + ci) * x->h * x->w;
        for (int i = 0; i < y->h; i++)
            for (int j = 0; j < y->w; j++)
                yp[i * y->w + j] = xp[i * s * x->w + j * s];
    }
}

static void shortcut_backward(Net *net, Layer *L)
{
    (void)net;
    const ShortcutCfg *c = L->cfg;
    const Tensor *dy = &L->dy;
    Tensor *dx = &L->dx[0];
    if (!dx->data)
        return;
    const int lo = (c->cout - dx->c) / 2, s = c->stride;
#pragma omp parallel for schedule(static)
    for (long p = 0; p < (long)dx->n * dx->c; p++) {
        int n = (int)(p / dx->c), ci = (int)(p % dx->c);
        float *q = dx->data + p * dx->h * dx->w;
        const float *d = dy->data + ((size_t)n * dy->c + ci + lo) * dy->h * dy->w;
        if (!L->dx_add[0])
            memset(q, 0, sizeof(float) * dx->h * dx->w);
        for (int i = 0; i < dy->h; i++)
            for (int j = 0; j < dy->w; j++)
                q[i * s * dx->w + j * s] += d[i * dy->w + j];
    }
}

/* Subsampling and zero channels keep the input's sign. */
const LayerOps shortcut_a_ops = {
    .kind = "shortcut_a",
    .out_sign = LAYER_SIGN_OF_INPUT,
    .plan = shortcut_plan,
    .bind = layer_bind_none,
    .forward = shortcut_forward,
    .backward = shortcut_backward,
    .cost = layer_cost_elementwise,
};

int layer_shortcut_a(Net *net, const char *name, int in, int cout, int stride, QbErr *err)
{
    ShortcutCfg c = {cout, stride};
    return layer_add_simple(net, &shortcut_a_ops, name, 1, &in, &c, sizeof c, err);
}

int layer_shortcut_a_stride(const Layer *L)
{
    QB_ASSERT(L->ops == &shortcut_a_ops);
    return ((const ShortcutCfg *)L->cfg)->stride;
}
