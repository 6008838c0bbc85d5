#include "optim.h"

#include <math.h>
#include <omp.h>
#include <string.h>

void optim_defaults(Optimizer *o, float weight_decay)
{
    memset(o, 0, sizeof *o);
    for (int g = 0; g < PGROUP_COUNT; g++)
        o->group[g] = (GroupOptim){OPTIM_SGD, 1.0f, weight_decay, 0.9f, 0, 0.9f, 0.999f, 1e-8f};
}

/* A stretch of a group's storage stepped by one optimizer kind with one learning rate and
 * weight decay: the whole group, or a run of its parameters with equal factors and kind. m
 * and v are the two state slots (v unused by SGD). */
typedef struct {
    float *w, *g, *m, *v;
    long n;
    float lr, wd;
    OptimKind kind;
} Span;

/* PyTorch SGD on elements [lo, hi) of a span: d = g + wd*w; buf = m*buf + d;
 * d = nesterov ? d + m*buf : buf; w -= lr*d. A zero buffer makes the first step buf = d, as
 * PyTorch's lazy init does. */
static void sgd_range(const GroupOptim *c, const Span *s, long lo, long hi, long t)
{
    (void)t;
    const float wd = s->wd, m = c->momentum, lr = s->lr;
    float *w = s->w, *g = s->g, *buf = s->m;
#pragma omp simd
    for (long i = lo; i < hi; i++) {
        float d = g[i] + wd * w[i];
        float b = m * buf[i] + d;
        buf[i] = b;
        w[i] -= lr * (c->nesterov ? d + m * b : b);
    }
}

/* Adam (PyTorch's, decay added to the gradient) on elements [lo, hi) at step t. */
static void adam_range(const GroupOptim *c, const Span *s, long lo, long hi, long t)
{
    const float b1 = c->beta1, b2 = c->beta2, wd = s->wd, lr = s->lr;
    const float c1 = 1.0f - powf(b1, (float)t), c2 = 1.0f - powf(b2, (float)t);
    float *w = s->w, *g = s->g, *m = s->m, *v = s->v;
#pragma omp simd
    for (long i = lo; i < hi; i++) {
        float d = g[i] + wd * w[i];
        m[i] = b1 * m[i] + (1.0f - b1) * d;
        v[i] = b2 * v[i] + (1.0f - b2) * d * d;
        w[i] -= lr * (m[i] / c1) / (sqrtf(v[i] / c2) + c->eps);
    }
}

/* Below this many floats a span is stepped on the calling thread: a factored group's runs
 * are a few quantizer scalars each, where waking the thread team costs more than the work.
 * Every element's update is independent, so the split changes no result. */
#define OPTIM_PARALLEL_MIN 4096

static void step_span(const GroupOptim *c, const Span *s, long t)
{
    void (*range)(const GroupOptim *, const Span *, long, long, long) =
        s->kind == OPTIM_ADAM ? adam_range : sgd_range;
    if (s->n < OPTIM_PARALLEL_MIN) {
        range(c, s, 0, s->n, t);
        return;
    }
#pragma omp parallel
    {
        const long k = omp_get_thread_num(), team = omp_get_num_threads();
        range(c, s, s->n * k / team, s->n * (k + 1) / team, t);
    }
}

/* A factored group: one span per run of neighbouring parameters with equal factors. A
 * group's parameters lie in its storage in registration order, so a run is contiguous. */
static void step_factored(const GroupOptim *c, Net *net, int gi, float lr, long t)
{
    const ParamGroup *grp = &net->groups[gi];
    Span s = {0};
    for (int i = 0; i <= net->nparams; i++) {
        const Param *p = i < net->nparams ? &net->params[i] : NULL;
        if (p && p->group != (ParamGroupId)gi)
            continue;
        float plr = p ? lr * p->lr_factor : 0.0f, pwd = p ? c->weight_decay * p->wd_factor : 0.0f;
        OptimKind kind = p && p->optim != OPTIM_OF_GROUP ? p->optim : c->kind;
        if (s.n && p && plr == s.lr && pwd == s.wd && kind == s.kind) {
            s.n += (long)p->numel;
            continue;
        }
        if (s.n)
            step_span(c, &s, t);
        if (p)
            s = (Span){p->w, p->g, p->state, p->state + grp->n, (long)p->numel, plr, pwd, kind};
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
        if (p->factored) {
            step_factored(c, net, gi, lr * c->lr_mult, o->step);
            continue;
        }
        Span all = {p->w, p->g, p->state, p->state + p->n, (long)p->n, lr * c->lr_mult,
                    c->weight_decay, c->kind}; /* the flat loop over the whole group */
        step_span(c, &all, o->step);
    }
    net_post_step(net);
}

const OptimKindInfo optim_kinds[] = {
    [OPTIM_SGD] = {"sgd", "SGD"},
    [OPTIM_ADAM] = {"adam", "Adam"},
};
const NameTable optim_kind_names = NAMETABLE_INIT(optim_kinds, OptimKindInfo, name);

int optim_kind_parse(const char *s, OptimKind *out)
{
    int i = nametable_index(optim_kind_names, s);
    if (i >= 0)
        *out = (OptimKind)i;
    return i < 0 ? -1 : 0;
}
