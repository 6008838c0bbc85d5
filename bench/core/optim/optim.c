#include "optim.h"

#include <math.h>
#include <string.h>

void optim_defaults(Optimizer *o, float weight_decay)
{
    memset(o, 0, sizeof *o);
    for (int g = 0; g < PGROUP_COUNT; g++)
        o->group[g] = (GroupOptim){OPTIM_SGD, 1.0f, weight_decay, 0.9f, 0, 0.9f, 0.999f, 1e-8f};
}

/* PyTorch SGD: d = g + wd*w; buf = m*buf + d; d = nesterov ? d + m*buf : buf; w -= lr*d.
 * A zero buffer makes the first step buf = d, as PyTorch's lazy init does. */
static void sgd_group(const GroupOptim *c, ParamGroup *p, float lr)
{
    const float wd = c->weight_decay, m = c->momentum;
    float *w = p->w, *g = p->g, *buf = p->state;
    const long n = (long)p->n;
#pragma omp parallel for simd schedule(static)
    for (long i = 0; i < n; i++) {
        float d = g[i] + wd * w[i];
        float b = m * buf[i] + d;
        buf[i] = b;
        w[i] -= lr * (c->nesterov ? d + m * b : b);
    }
}

static void adam_group(const GroupOptim *c, ParamGroup *p, float lr, long t)
{
    const float b1 = c->beta1, b2 = c->beta2, wd = c->weight_decay;
    const float c1 = 1.0f - powf(b1, (float)t), c2 = 1.0f - powf(b2, (float)t);
    float *w = p->w, *g = p->g, *m = p->state, *v = p->state + p->n;
    const long n = (long)p->n;
#pragma omp parallel for simd schedule(static)
    for (long i = 0; i < n; i++) {
        float d = g[i] + wd * w[i];
        m[i] = b1 * m[i] + (1.0f - b1) * d;
        v[i] = b2 * v[i] + (1.0f - b2) * d * d;
        w[i] -= lr * (m[i] / c1) / (sqrtf(v[i] / c2) + c->eps);
    }
}

void optim_step(Optimizer *o, Net *net, float lr)
{
    o->step++;
    for (int gi = 0; gi < PGROUP_COUNT; gi++) {
        const GroupOptim *c = &o->group[gi];
        ParamGroup *p = &net->groups[gi];
        if (!p->n)
            continue;
        if (c->kind == OPTIM_ADAM)
            adam_group(c, p, lr * c->lr_mult, o->step);
        else
            sgd_group(c, p, lr * c->lr_mult);
    }
    net_post_step(net);
}

int optim_kind_parse(const char *s, OptimKind *out)
{
    if (!strcmp(s, "sgd"))
        *out = OPTIM_SGD;
    else if (!strcmp(s, "adam"))
        *out = OPTIM_ADAM;
    else
        return -1;
    return 0;
}
