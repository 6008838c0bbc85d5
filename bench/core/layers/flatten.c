/* flatten: (C,H,W) -> (C*H*W,1,1), the bridge from the conv trunk to a linear head. */
#include <string.h>

#include "common.h"

static int flatten_plan(Net *net, Layer *L, QbErr *err)
{
    (void)net;
    (void)err;
    L->out_dims = (Dims){(int)dims_numel(L->in_dims[0]), 1, 1};
    return 0;
}

/* Same memory order: forward and backward are copies (a view would save little here). */
static void flatten_forward(Net *net, Layer *L)
{
    (void)net;
    memcpy(L->y.data, L->x[0].data, tensor_numel(&L->y) * sizeof(float));
}

static void flatten_backward(Net *net, Layer *L)
{
    (void)net;
    if (!L->dx[0].data)
        return;
    size_t n = tensor_numel(&L->y);
    if (!L->dx_add[0]) {
        memcpy(L->dx[0].data, L->dy.data, n * sizeof(float));
        return;
    }
    for (size_t i = 0; i < n; i++)
        L->dx[0].data[i] += L->dy.data[i];
}

const LayerOps flatten_ops = {
    .kind = "flatten",
    .out_sign = LAYER_SIGN_OF_INPUT,
    .plan = flatten_plan,
    .bind = layer_bind_none,
    .forward = flatten_forward,
    .backward = flatten_backward,
};

int layer_flatten(Net *net, const char *name, int in, QbErr *err)
{
    return layer_add_simple(net, &flatten_ops, name, 1, &in, NULL, 0, err);
}
