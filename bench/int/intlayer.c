/* One fake-quantized linear layer run through the same code as training (layer_quantize,
 * net_forward with its quantizer init on the first batch), so the tensors the integer path
 * encodes are exactly the ones a trained network computes with. */
#include <stdlib.h>
#include <string.h>

#include "../../quantizers/asq.h"
#include "../../quantizers/registry.h"
#include "../core/layers/layers.h"
#include "../core/layers/qhooks.h"
#include "intcheck.h"

static int layer_build(Net *net, const char *wmethod, const char *amethod, int wbits, int abits,
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

/* The step the activation quantizer used on the last input: LSQ's s, ASQ's s·beta_0. */
static float act_step(Net *net)
{
    const Quantizer *aq = layer_input_quantizer(&net->layers[0]);
    float s = net_param(net, "fc.aq.step")->w[0];
    return strcmp(aq->ops->name, "asq") ? s : s * asq_beta(aq, 0);
}

static float *copy_floats(const float *src, size_t n)
{
    float *d = malloc(n * sizeof *d);
    QB_ASSERT(d);
    memcpy(d, src, n * sizeof *d);
    return d;
}

/* Per-channel weight scales: the method's alpha (POT/POST per channel, APoT per layer) or
 * LSQ's step. */
static void weight_scales(Net *net, int k, float *out)
{
    Param *p = net_param(net, "fc.wq.alpha");
    if (!p)
        p = net_param(net, "fc.wq.step");
    QB_ASSERT(p);
    for (int c = 0; c < k; c++)
        out[c] = p->w[p->numel == (size_t)k ? c : 0];
}

int int_layer_run(const char *wmethod, const char *amethod, int wbits, int abits, int k, int n,
                  const float *w, const float *u, IntLayerRun *r, QbErr *err)
{
    memset(r, 0, sizeof *r);
    Net net;
    if (layer_build(&net, wmethod, amethod, wbits, abits, k, n, err) < 0) {
        net_free(&net);
        return -1;
    }
    memcpy(net_param(&net, "fc.weight")->w, w, (size_t)k * n * sizeof *w);
    memcpy(net.input.data, u, (size_t)n * sizeof *u);
    net_forward(&net); /* initialises the quantizers (spec §1.4) */
    float s = act_step(&net);
    for (int i = 0; i < n; i++)
        net.input.data[i] = u[i] * s;
    net_forward(&net);
    QuantHooks *h = linear_hooks(&net.layers[0]);
    r->k = k;
    r->n = n;
    r->w_hat = copy_floats(h->wq_data, (size_t)k * n);
    r->x_hat = copy_floats(h->xq.data, (size_t)n);
    r->y = copy_floats(net_output(&net)->data, (size_t)k);
    r->wscale = malloc((size_t)k * sizeof *r->wscale);
    QB_ASSERT(r->wscale);
    weight_scales(&net, k, r->wscale);
    r->step = act_step(&net);
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
