/* One fake-quantized linear layer run through the same code as training (layer_quantize,
 * net_forward with its quantizer init on the first batch), so the tensors the integer path
 * encodes are exactly the ones a trained network computes with. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "core/layers/layers.h"
#include "core/layers/qhooks.h"
#include "intcheck.h"

int int_layer_build(Net *net, const char *wmethod, const char *amethod, int wbits, int abits,
                       int k, int n, QbErr *err)
{
    net_init(net, (Dims){n, 1, 1});
    int li = layer_linear(net, "fc", NET_INPUT, k, 0, err);
    if (li < 0)
        return -1;
    Quantizer *wq = quantizer_new(wmethod, QROLE_WEIGHT, wbits, 0, NULL, 0, err);
    if (!wq)
        return -1;
    Quantizer *aq = quantizer_new(amethod, QROLE_ACT, abits, 0, NULL, 0, err);
    if (!aq) {
        quantizer_delete(wq);
        return -1;
    }
    if (layer_quantize(net, li, wq, aq, err) < 0 || net_alloc(net, 1, 1, err) < 0)
        return -1;
    net->train = 1;
    return 0;
}

#define INT_MAX_GRID 512 /* levels of an 8-bit signed grid, with room */

/* The top code Qp of a uniform grid k/Qp. */
static double grid_top_code(const Quantizer *q)
{
    double lv[INT_MAX_GRID];
    int n = quantizer_grid(q, lv, INT_MAX_GRID);
    QB_ASSERT(n >= 2 && n <= INT_MAX_GRID);
    return rint(1.0 / (lv[n - 1] - lv[n - 2]));
}

float int_code_scale(const Quantizer *q, int g)
{
    double s = q->ops->scale(q, g).out_scale;
    return (float)(q->ops->int_path[q->role] == QINT_UNIFORM ? s / grid_top_code(q) : s);
}

static float *copy_floats(const float *src, size_t n)
{
    float *d = malloc(n * sizeof *d);
    QB_ASSERT(d);
    memcpy(d, src, n * sizeof *d);
    return d;
}

/* Per-channel weight scales: the method's alpha_c (a per-layer one repeated) or LSQ's step. */
static void weight_scales(const Quantizer *wq, int k, float *out)
{
    for (int c = 0; c < k; c++)
        out[c] = int_code_scale(wq, c);
}

int int_layer_run(const char *wmethod, const char *amethod, int wbits, int abits, int k, int n,
                  const float *w, const float *u, IntLayerRun *r, QbErr *err)
{
    memset(r, 0, sizeof *r);
    Net net;
    if (int_layer_build(&net, wmethod, amethod, wbits, abits, k, n, err) < 0) {
        net_free(&net);
        return -1;
    }
    memcpy(net_param(&net, "fc.weight")->w, w, (size_t)k * n * sizeof *w);
    memcpy(net.input.data, u, (size_t)n * sizeof *u);
    net_forward(&net); /* initialises the quantizers (FORMULAS.md §1.4) */
    const Quantizer *aq = layer_input_quantizer(&net.layers[0]);
    float s = int_code_scale(aq, 0);
    for (int i = 0; i < n; i++)
        net.input.data[i] = u[i] * s;
    net_forward(&net);
    QuantHooks *h = layer_hooks(&net.layers[0]);
    r->k = k;
    r->n = n;
    r->w_hat = copy_floats(h->wq_data, (size_t)k * n);
    r->x_hat = copy_floats(h->xq.data, (size_t)n);
    r->y = copy_floats(net_output(&net)->data, (size_t)k);
    r->wscale = malloc((size_t)k * sizeof *r->wscale);
    QB_ASSERT(r->wscale);
    weight_scales(layer_weight_quantizer(&net.layers[0]), k, r->wscale);
    r->step = int_code_scale(aq, 0);
    net_free(&net);
    return 0;
}

void int_layer_run_free(IntLayerRun *r)
{
    free(r->w_hat);
    free(r->x_hat);
    free(r->y);
    free(r->wscale);
    memset(r, 0, sizeof *r);
}
