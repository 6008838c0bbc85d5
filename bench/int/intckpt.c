/* A trained layer's float weights for the integer check: the net is built with the scheme
 * attached, so both a full-precision checkpoint and one trained under that scheme load
 * (CKPT_WEIGHTS: quantizer tensors may be absent). */
#include <stdlib.h>
#include <string.h>

#include "quantizers/schemes.h"
#include "core/checkpoint.h"
#include "core/layers/layers.h"
#include "intcheck.h"

static int layer_weights_copy(Net *net, const char *layer, IntLayerWeights *out, QbErr *err)
{
    int li = layer_find(net, layer);
    if (li < 0 || !layer_is_compute(&net->layers[li]))
        return qb_fail(err, "--layer %s: %s", layer,
                       li < 0 ? "no layer of that name" : "not a conv2d or linear layer");
    char name[PARAM_NAME_MAX];
    snprintf(name, sizeof name, "%s.weight", layer);
    const Param *p = net_param(net, name);
    QB_ASSERT(p);
    out->k = p->shape[0];
    out->n = (int)(p->numel / (size_t)out->k); /* (K, C/g, kh, kw): one row per output */
    out->w = malloc(p->numel * sizeof *out->w);
    QB_ASSERT(out->w);
    memcpy(out->w, p->w, p->numel * sizeof *out->w);
    return 0;
}

int int_layer_weights(const IntCkptSpec *s, IntLayerWeights *out, QbErr *err)
{
    memset(out, 0, sizeof *out);
    Net net;
    SchemeOptions so = {.abits = s->abits}; /* the weights' width is scheme_apply's bits */
    net_init(&net, s->net_opts.input); /* net_build leaves it untouched on an unknown name */
    int rc = net_build(&net, s->net, &s->net_opts, err);
    if (rc == 0)
        rc = scheme_apply(&net, s->scheme, s->wbits, &so, err);
    if (rc == 0)
        rc = net_alloc(&net, 1, 1, err);
    if (rc == 0)
        rc = checkpoint_load(s->path, &net, NULL, NULL, CKPT_WEIGHTS, err);
    if (rc == 0)
        rc = layer_weights_copy(&net, s->layer, out, err);
    net_free(&net);
    return rc;
}
