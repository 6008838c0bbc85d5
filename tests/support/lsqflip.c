#include "lsqflip.h"

#include <stdlib.h>

extern const QuantizerOps lsq_ops;

QuantizerOps lsqflip_ops;

/* LSQ's backward of −dy: its parameter gradients (linear in dy) accumulate with the wrong
 * sign; the input gradient it writes is negated back, so only the parameters are wrong. */
static void lsqflip_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    size_t n = tensor_numel(dy);
    float *neg = malloc((n + 1) * sizeof(float)), *mine = malloc((n + 1) * sizeof(float));
    QB_ASSERT(neg && mine);
    for (size_t i = 0; i < n; i++)
        neg[i] = -dy->data[i];
    Tensor ndy = *dy, ndx = *x;
    ndy.data = neg;
    ndx.data = mine;
    lsq_ops.backward(q, x, &ndy, dx ? &ndx : NULL, 0);
    for (size_t i = 0; dx && i < n; i++)
        dx->data[i] = (add ? dx->data[i] : 0.0f) - mine[i];
    free(neg);
    free(mine);
}

const QuantizerOps *lsqflip_fill(void)
{
    lsqflip_ops = lsq_ops;
    lsqflip_ops.name = "lsqflip";
    lsqflip_ops.backward = lsqflip_backward;
    return &lsqflip_ops;
}
