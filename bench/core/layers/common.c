#include "common.h"

#include <stdlib.h>
#include <string.h>

int layer_plan_same(Net *net, Layer *L, QbErr *err)
{
    (void)net;
    (void)err;
    L->out_dims = L->in_dims[0];
    return 0;
}

void layer_bind_none(Net *net, Layer *L, Arena *act)
{
    (void)net;
    (void)L;
    (void)act;
}

void layer_cost_elementwise(const Net *net, const Layer *L, LayerCost *lc)
{
    (void)net;
    lc->other_ops = (double)dims_numel(L->out_dims);
    lc->wbits = lc->abits = 32;
}

int layer_add_simple(Net *net, const LayerOps *ops, const char *name, int nin, const int *in,
                     const void *cfg, size_t size, QbErr *err)
{
    void *c = calloc(1, size ? size : 1);
    QB_ASSERT(c);
    if (size)
        memcpy(c, cfg, size);
    return net_add_layer(net, ops, name, nin, in, c, err);
}
