/* relu and relu6: clamps with the subgradient 0 at the kinks (as PyTorch). */
#include <math.h>

#include "common.h"

/* Clamp to [0, hi]; hi < 0 means no upper bound. */
static void clamp_forward(const Tensor *x, Tensor *y, float hi)
{
    const long n = (long)tensor_numel(x);
    const float *p = x->data;
    float *q = y->data;
    if (hi < 0.0f) {
#pragma omp parallel for simd schedule(static)
        for (long i = 0; i < n; i++)
            q[i] = p[i] < 0.0f ? 0.0f : p[i]; /* NaN passes through */
    } else {
#pragma omp parallel for simd schedule(static)
        for (long i = 0; i < n; i++)
            q[i] = p[i] < 0.0f ? 0.0f : (p[i] > hi ? hi : p[i]);
    }
}

static void clamp_backward(const Layer *L, float hi)
{
    if (!L->dx[0].data)
        return;
    const long n = (long)tensor_numel(&L->x[0]);
    const float *p = L->x[0].data, *d = L->dy.data;
    float *q = L->dx[0].data;
    const int add = L->dx_add[0];
    const float top = hi < 0.0f ? HUGE_VALF : hi;
    if (add) {
#pragma omp parallel for simd schedule(static)
        for (long i = 0; i < n; i++)
            q[i] += (p[i] > 0.0f && p[i] < top) ? d[i] : 0.0f;
    } else {
#pragma omp parallel for simd schedule(static)
        for (long i = 0; i < n; i++)
            q[i] = (p[i] > 0.0f && p[i] < top) ? d[i] : 0.0f;
    }
}

static void relu_forward(Net *net, Layer *L)
{
    (void)net;
    clamp_forward(&L->x[0], &L->y, -1.0f);
}

static void relu_backward(Net *net, Layer *L)
{
    (void)net;
    clamp_backward(L, -1.0f);
}

static void relu6_forward(Net *net, Layer *L)
{
    (void)net;
    clamp_forward(&L->x[0], &L->y, 6.0f);
}

static void relu6_backward(Net *net, Layer *L)
{
    (void)net;
    clamp_backward(L, 6.0f);
}

const LayerOps relu_ops = {
    .kind = "relu",
    .out_sign = LAYER_SIGN_NONNEG,
    .plan = layer_plan_same,
    .bind = layer_bind_none,
    .forward = relu_forward,
    .backward = relu_backward,
    .cost = layer_cost_elementwise,
};
const LayerOps relu6_ops = {
    .kind = "relu6",
    .out_sign = LAYER_SIGN_NONNEG,
    .plan = layer_plan_same,
    .bind = layer_bind_none,
    .forward = relu6_forward,
    .backward = relu6_backward,
    .cost = layer_cost_elementwise,
};

int layer_relu(Net *net, const char *name, int in, QbErr *err)
{
    return layer_add_simple(net, &relu_ops, name, 1, &in, NULL, 0, err);
}

int layer_relu6(Net *net, const char *name, int in, QbErr *err)
{
    return layer_add_simple(net, &relu6_ops, name, 1, &in, NULL, 0, err);
}
