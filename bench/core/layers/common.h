/* Pieces shared by the parameter-free layer kinds. */
#ifndef QB_LAYERS_COMMON_H
#define QB_LAYERS_COMMON_H

#include "layers.h"

/* Output dims = input dims; no params. */
int layer_plan_same(Net *net, Layer *L, QbErr *err);
void layer_bind_none(Net *net, Layer *L, Arena *act);
/* Elementwise work of one op per output element. */
void layer_cost_elementwise(const Net *net, const Layer *L, LayerCost *lc);
/* Adds a parameter-free layer whose cfg is a copy of `cfg` (size bytes, may be 0). */
int layer_add_simple(Net *net, const LayerOps *ops, const char *name, int nin, const int *in,
                     const void *cfg, size_t size, QbErr *err);

#endif
