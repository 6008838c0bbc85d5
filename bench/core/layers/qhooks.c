#include "qhooks.h"

#include "layers.h"

#include <stdlib.h>

static int quantizer_plan_common(Quantizer *q, Net *net, const char *tag, QbErr *err)
{
    char name[PARAM_NAME_MAX];
    snprintf(name, sizeof name, "%s.%s.initialised", q->prefix, tag);
    net_add_buffer(net, name, 1);
    return q->ops->plan(q, net, err);
}

int qhooks_attach(QuantHooks *h, Net *net, Layer *L, Tensor wshape, Quantizer *wq,
                  Quantizer *aq, QbErr *err)
{
    h->wq = wq;
    h->aq = aq;
    if (wq) {
        snprintf(wq->prefix, sizeof wq->prefix, "%s", L->name);
        wq->shape = wshape;
        wq->shape.data = NULL;
        if (quantizer_plan_common(wq, net, "wq", err) < 0)
            return qb_wrap(err, "layer %s weight quantizer %s: ", L->name, wq->ops->name);
    }
    if (aq) {
        snprintf(aq->prefix, sizeof aq->prefix, "%s", L->name);
        aq->shape = tensor_view(0, L->in_dims[0], NULL);
        if (quantizer_plan_common(aq, net, "aq", err) < 0)
            return qb_wrap(err, "layer %s input quantizer %s: ", L->name, aq->ops->name);
    }
    return 0;
}

static void bind_flag(Quantizer *q, Net *net, const char *tag)
{
    char name[PARAM_NAME_MAX];
    snprintf(name, sizeof name, "%s.%s.initialised", q->prefix, tag);
    Buffer *b = net_buffer(net, name);
    QB_ASSERT(b);
    q->initialised = b->data;
}

void qhooks_bind(QuantHooks *h, Net *net, Layer *L, Arena *act)
{
    const Param *W = &net->params[h->w_param];
    if (h->wq) {
        bind_flag(h->wq, net, "wq");
        h->wq_data = arena_floats(act, W->numel);
        h->dwq = arena_floats(act, W->numel);
        h->wq->ops->bind(h->wq, net, act);
    }
    if (h->aq) {
        bind_flag(h->aq, net, "aq");
        size_t n = tensor_numel(&L->x[0]);
        h->xq = L->x[0];
        h->xq.data = arena_floats(act, n);
        h->dxq = L->x[0];
        /* Always: the quantizer's own parameters need dL/dQa(x) even at the net input. */
        h->dxq.data = arena_floats(act, n);
        h->aq->shape = tensor_view(L->x[0].n, L->in_dims[0], NULL);
        h->aq->ops->bind(h->aq, net, act);
    }
}

/* FORMULAS.md §1.4: a quantizer initialises from the first tensor it sees, once; the flag is a
 * checkpointed buffer so a resumed run never re-initialises. */
static void maybe_init(Quantizer *q, const Tensor *x)
{
    if (*q->initialised == 0.0f && q->ops->init) {
        q->ops->init(q, x);
        *q->initialised = 1.0f;
    }
}

/* A calibration pass (quantizer.h's calibrate): the quantizer sees x until it says it is
 * calibrated, which initialises it; the layer computes with x itself. */
static void calibration_sees(Quantizer *q, const Net *net, const Tensor *x)
{
    if (q->ops->calibrate && *q->initialised == 0.0f && !q->ops->calibrate(q, x, net->calib_index))
        *q->initialised = 1.0f;
}

static int calibration_pending(const Quantizer *q)
{
    return q && q->ops->calibrate && *q->initialised == 0.0f;
}

int net_calibrations_pending(const Net *net, const char **first)
{
    int n = 0;
    for (int i = 0; i < net->nlayers; i++) {
        const Layer *L = &net->layers[i];
        const QuantHooks *h = layer_hooks(L);
        int k = h ? calibration_pending(h->wq) + calibration_pending(h->aq) : 0;
        if (k && !n && first)
            *first = L->name;
        n += k;
    }
    return n;
}

const float *qhooks_weight_forward(QuantHooks *h, Net *net)
{
    Param *W = &net->params[h->w_param];
    if (!h->wq)
        return W->w;
    Tensor w = h->wq->shape, y = h->wq->shape;
    w.data = W->w;
    y.data = h->wq_data;
    if (net->calibrating) {
        calibration_sees(h->wq, net, &w);
        return W->w;
    }
    maybe_init(h->wq, &w);
    h->wq->ops->forward(h->wq, &w, &y);
    return h->wq_data;
}

const Tensor *qhooks_input_forward(QuantHooks *h, Net *net, Layer *L)
{
    if (!h->aq)
        return &L->x[0];
    if (net->calibrating) {
        calibration_sees(h->aq, net, &L->x[0]);
        return &L->x[0];
    }
    h->xq.n = h->dxq.n = L->x[0].n;
    h->aq->shape.n = L->x[0].n;
    maybe_init(h->aq, &L->x[0]);
    h->aq->ops->forward(h->aq, &L->x[0], &h->xq);
    return &h->xq;
}

float *qhooks_weight_grad(QuantHooks *h, Net *net, int *add)
{
    if (!h->wq) {
        *add = 1;
        return net->params[h->w_param].g;
    }
    *add = 0;
    return h->dwq;
}

void qhooks_weight_backward(QuantHooks *h, Net *net)
{
    if (!h->wq)
        return;
    Param *W = &net->params[h->w_param];
    Tensor w = h->wq->shape, dy = h->wq->shape, dw = h->wq->shape;
    w.data = W->w;
    dy.data = h->dwq;
    dw.data = W->g;
    h->wq->ops->backward(h->wq, &w, &dy, &dw, 1);
}

Tensor *qhooks_input_grad(QuantHooks *h, Layer *L, int *add)
{
    if (!h->aq) {
        *add = L->dx_add[0];
        return &L->dx[0];
    }
    *add = 0;
    return &h->dxq;
}

void qhooks_input_backward(QuantHooks *h, Layer *L)
{
    if (h->aq) /* dx NULL at the net input: only the quantizer's own gradients */
        h->aq->ops->backward(h->aq, &L->x[0], &h->dxq, L->dx[0].data ? &L->dx[0] : NULL,
                             L->dx_add[0]);
}

/* The optimizer calls this after each step (net_post_step): each quantizer's state update
 * from the step's forward (QuantizerOps.step_update), then its guards. */
void qhooks_post_step(QuantHooks *h)
{
    if (h->wq && h->wq->ops->step_update)
        h->wq->ops->step_update(h->wq);
    if (h->aq && h->aq->ops->step_update)
        h->aq->ops->step_update(h->aq);
    if (h->wq && h->wq->ops->post_step)
        h->wq->ops->post_step(h->wq);
    if (h->aq && h->aq->ops->post_step)
        h->aq->ops->post_step(h->aq);
}

void qhooks_cost_bits(const QuantHooks *h, LayerCost *lc)
{
    lc->wbits = h->wq ? h->wq->bits : 32;
    lc->abits = h->aq ? h->aq->bits : 32;
}

void qhooks_destroy(QuantHooks *h)
{
    quantizer_delete(h->wq);
    quantizer_delete(h->aq);
    h->wq = h->aq = NULL;
}

int layer_is_compute(const Layer *L) { return L->ops->hooks != NULL; }

QuantHooks *layer_hooks(const Layer *L) { return L->ops->hooks ? L->ops->hooks((Layer *)L) : NULL; }

int layer_quantize(Net *net, int li, Quantizer *wq, Quantizer *aq, QbErr *err)
{
    QB_ASSERT(li >= 0 && li < net->nlayers && !net->param_arena.base);
    Layer *L = &net->layers[li];
    QuantHooks *h = layer_hooks(L);
    if (!h) {
        quantizer_delete(wq);
        quantizer_delete(aq);
        return qb_fail(err, "layer %s is a %s; only conv2d and linear layers are quantized",
                       L->name, L->ops->kind);
    }
    if (h->wq || h->aq)
        qhooks_destroy(h);
    const Param *W = &net->params[h->w_param];
    Tensor ws = {W->shape[0], W->ndim > 1 ? W->shape[1] : 1, W->ndim > 2 ? W->shape[2] : 1,
                 W->ndim > 3 ? W->shape[3] : 1, NULL};
    return qhooks_attach(h, net, L, ws, wq, aq, err);
}

Quantizer *layer_weight_quantizer(const Layer *L)
{
    QuantHooks *h = layer_hooks(L);
    return h ? h->wq : NULL;
}

Quantizer *layer_input_quantizer(const Layer *L)
{
    QuantHooks *h = layer_hooks(L);
    return h ? h->aq : NULL;
}
