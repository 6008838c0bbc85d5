#include "qview.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "core/layers/layers.h"
#include "core/layers/qhooks.h"

static int has_scale(const QuantizerOps *ops) { return ops->scale != NULL; }

static int method_refused(const Layer *L, const Quantizer *q, QbErr *err)
{
    char known[256];
    quantizer_names_where(has_scale, NULL, known, sizeof known);
    return qb_fail(err, "layer %s: the probe has no scale rule for method %s (it reads %s)",
                   L->name, q->ops->name, known);
}

static void grid_take(QView *v)
{
    v->nlevels = quantizer_grid(v->q, NULL, 0);
    QB_ASSERT(v->nlevels > 0);
    v->levels = malloc(sizeof(double) * (size_t)v->nlevels);
    QB_ASSERT(v->levels);
    quantizer_grid(v->q, v->levels, v->nlevels);
}

int qview_open(QView *v, Net *net, Layer *L, QuantRole role, QbErr *err)
{
    memset(v, 0, sizeof *v);
    QuantHooks *h = layer_hooks(L);
    int w = role == QROLE_WEIGHT;
    v->q = h ? (w ? h->wq : h->aq) : NULL;
    if (!v->q)
        return qb_fail(err, "layer %s has no %s quantizer", L->name, w ? "weight" : "input");
    if (!v->q->ops->scale)
        return method_refused(L, v->q, err);
    const Tensor *t = w ? &v->q->shape : &h->xq;
    v->x = w ? net->params[h->w_param].w : L->x[0].data;
    v->y = w ? h->wq_data : h->xq.data;
    v->ngroups = t->n;
    v->group_len = (size_t)t->c * t->h * t->w;
    v->n = (size_t)v->ngroups * v->group_len;
    v->scale = malloc(sizeof *v->scale * (size_t)v->ngroups);
    QB_ASSERT(v->scale);
    for (int g = 0; g < v->ngroups; g++)
        v->scale[g] = v->q->ops->scale(v->q, g);
    grid_take(v);
    return 0;
}

void qview_close(QView *v)
{
    free(v->scale);
    free(v->levels);
    v->scale = NULL;
    v->levels = NULL;
}

int qview_level(const QView *v, double u)
{
    int lo = 0, hi = v->nlevels - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (v->levels[mid] <= u)
            lo = mid;
        else
            hi = mid;
    }
    return fabs(u - v->levels[lo]) <= fabs(v->levels[hi] - u) ? lo : hi;
}
