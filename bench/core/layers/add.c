/* The residual adds: add and add_relu (relu(a + b), the join of a ResNet block) of two
 * same-shaped inputs. */
#include <math.h>

#include "common.h"

static int add_plan(Net *net, Layer *L, QbErr *err)
{
    (void)net;
    Dims a = L->in_dims[0], b = L->in_dims[1];
    if (a.c != b.c || a.h != b.h || a.w != b.w)
        return qb_fail(err, "cannot add %dx%dx%d and %dx%dx%d", a.c, a.h, a.w, b.c, b.h, b.w);
    L->out_dims = a;
    return 0;
}

/* add_relu (the residual join) clamps at 0; plain add has no lower bound. */
static float add_floor(const Layer *L) { return L->ops == &add_relu_ops ? 0.0f : -HUGE_VALF; }

static void add_forward(Net *net, Layer *L)
{
    (void)net;
    const long n = (long)tensor_numel(&L->y);
    const float *a = L->x[0].data, *b = L->x[1].data, lo = add_floor(L);
    float *y = L->y.data;
#pragma omp parallel for simd schedule(static)
    for (long i = 0; i < n; i++) {
        float v = a[i] + b[i];
        y[i] = v < lo ? lo : v; /* NaN passes through, so divergence stays visible */
    }
}

static void add_backward(Net *net, Layer *L)
{
    (void)net;
    const long n = (long)tensor_numel(&L->y);
    const float *d = L->dy.data;
    if (L->ops == &add_relu_ops) { /* mask dy once, in place: nothing reads it afterwards */
        const float *y = L->y.data;
        float *m = L->dy.data;
#pragma omp parallel for simd schedule(static)
        for (long i = 0; i < n; i++)
            m[i] = y[i] > 0.0f ? m[i] : 0.0f;
    }
    for (int k = 0; k < 2; k++) {
        float *q = L->dx[k].data;
        if (!q)
            continue;
        if (!L->dx_add[k]) {
#pragma omp parallel for simd schedule(static)
            for (long i = 0; i < n; i++)
                q[i] = d[i];
            continue;
        }
#pragma omp parallel for simd schedule(static)
        for (long i = 0; i < n; i++)
            q[i] += d[i];
    }
}

const LayerOps add_ops = {
    .kind = "add",
    .out_sign = LAYER_SIGN_ANY,
    .plan = add_plan,
    .bind = layer_bind_none,
    .forward = add_forward,
    .backward = add_backward,
    .cost = layer_cost_elementwise,
};
const LayerOps add_relu_ops = {
    .kind = "add_relu",
    .out_sign = LAYER_SIGN_NONNEG,
    .plan = add_plan,
    .bind = layer_bind_none,
    .forward = add_forward,
    .backward = add_backward,
    .cost = layer_cost_elementwise,
};

int layer_add(Net *net, const char *name, int a, int b, QbErr *err)
{
    int in[2] = {a, b};
    return layer_add_simple(net, &add_ops, name, 2, in, NULL, 0, err);
}

int layer_add_relu(Net *net, const char *name, int a, int b, QbErr *err)
{
    int in[2] = {a, b};
    return layer_add_simple(net, &add_relu_ops, name, 2, in, NULL, 0, err);
}
