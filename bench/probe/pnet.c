#include "pnet.h"

#include <string.h>

#include "nets/registry.h"
#include "core/rng.h"

int pnet_build(Net *net, const PnetSpec *s, QbErr *err)
{
    memset(net, 0, sizeof *net); /* net_free is safe on it whatever fails */
    NetOptions o;
    net_options_defaults(&o);
    o.input = s->input;
    o.classes = s->classes;
    o.width = s->width;
    return net_build(net, s->name, &o, err);
}

int pnet_load(Net *net, const PnetSpec *s, const char *ckpt, CkptMeta *meta, QbErr *err)
{
    if (net_alloc(net, s->batch, s->threads, err) < 0)
        return -1;
    Rng init = rng_stream(s->seed, "init");
    net_init_params(net, &init);
    return checkpoint_load(ckpt, net, NULL, meta, CKPT_WEIGHTS, err);
}

static void forward(Net *net, const Tensor *x, int train)
{
    QB_ASSERT(x->n == net->batch && tensor_numel(x) == tensor_numel(&net->input));
    net_set_batch(net, x->n);
    memcpy(net->input.data, x->data, tensor_numel(x) * sizeof(float));
    net->train = train;
    net_forward(net);
    net->train = 0;
}

int pnet_calibrate(Net *net, const char *ckpt, const Tensor *init, QbErr *err)
{
    forward(net, init, 1);
    return checkpoint_load(ckpt, net, NULL, NULL, CKPT_WEIGHTS, err);
}

void pnet_forward(Net *net, const Tensor *x) { forward(net, x, 0); }
