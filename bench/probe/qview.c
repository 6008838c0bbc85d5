#include "qview.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../quantizers/asq.h"
#include "../../quantizers/qcommon.h"
#include "../core/layers/layers.h"
#include "../core/layers/qhooks.h"

#define APOT_SIGMA_MIN 1e-8   /* spec §5.2 guard, as apot.c applies it */

/* The quantizer's own parameter `name`: one value per group, or one shared by all. */
typedef struct {
    const float *w;
    int shared;
} QParam;

static QParam qparam(const QView *v, Net *net, const char *name)
{
    char full[PARAM_NAME_MAX];
    qc_param_name(v->q, name, full, sizeof full);
    const Param *p = net_param(net, full);
    QB_ASSERT(p && (p->numel == 1 || p->numel == (size_t)v->ngroups));
    return (QParam){p->w, p->numel == 1};
}

static float qparam_at(QParam p, int g) { return p.w[p.shared ? 0 : g]; }

static void scales_set(QView *v, int g, double s) { v->scale[g] = v->yscale[g] = s; }

/* The method's level set from its `levels` op. */
static int op_levels(QView *v, QbErr *err)
{
    const Quantizer *q = v->q;
    int n = q->ops->levels(q->bits, q->role, q->opts, q->nopts, NULL, 0, err);
    if (n < 1)
        return -1;
    v->levels = malloc(sizeof(double) * (size_t)n);
    QB_ASSERT(v->levels);
    v->nlevels = q->ops->levels(q->bits, q->role, q->opts, q->nopts, v->levels, n, err);
    return 0;
}

/* The uniform grid k/qp, k = qn..qp (spec §1.2: signed when the tensor is); returns qp. */
static int grid_levels(QView *v, int symmetric)
{
    int qn, qp;
    qc_int_range(v->q->bits, v->q->role == QROLE_WEIGHT || v->q->is_signed, symmetric, &qn, &qp);
    v->nlevels = qp - qn + 1;
    v->levels = malloc(sizeof(double) * (size_t)v->nlevels);
    QB_ASSERT(v->levels);
    qc_levels_uniform(qn, qp, qp, v->levels, v->nlevels);
    return qp;
}

/* LSQ (spec §2): code k sits at k·s, so one normalised unit is s·Qp. */
static int lsq_rule(QView *v, Net *net, QbErr *err)
{
    (void)err;
    int sym = v->q->role == QROLE_WEIGHT &&
              !strcmp(quantizer_opt(v->q, "lsq_weight_range"), "symmetric");
    int qp = grid_levels(v, sym);
    QParam step = qparam(v, net, "step");
    for (int g = 0; g < v->ngroups; g++)
        scales_set(v, g, (double)qparam_at(step, g) * qp);
    return 0;
}

/* ASQ (spec §7.3): sample n's step is s·β_n, formed in float as asq.c does. */
static int asq_rule(QView *v, Net *net, QbErr *err)
{
    (void)err;
    int qp = grid_levels(v, 0);
    QParam step = qparam(v, net, "step");
    for (int g = 0; g < v->ngroups; g++)
        scales_set(v, g, (double)(qparam_at(step, 0) * asq_beta(v->q, g)) * qp);
    return 0;
}

/* Uniform (spec §8): s = max|w|/Qp for weights, the frozen running max over Qp for
 * activations, positivity-guarded in float as uniform.c does. */
static int uniform_rule(QView *v, Net *net, QbErr *err)
{
    int qp = grid_levels(v, 1);
    float m = 0.0f;
    if (v->q->role == QROLE_WEIGHT) {
        if (strcmp(quantizer_opt(v->q, "uniform_weight_scale"), "max_abs") != 0)
            return qb_fail(err, "layer %s: the probe reads uniform weights scaled by max|w| only",
                           v->q->prefix);
        for (size_t i = 0; i < v->n; i++)
            m = fabsf(v->x[i]) > m ? fabsf(v->x[i]) : m;
    } else {
        char name[PARAM_NAME_MAX];
        qc_param_name(v->q, "running_max", name, sizeof name);
        Buffer *b = net_buffer(net, name);
        QB_ASSERT(b);
        m = b->data[0];
    }
    double s = (double)qc_positive(m / (float)qp) * qp;
    for (int g = 0; g < v->ngroups; g++)
        scales_set(v, g, s);
    return 0;
}

/* POT and POST (spec §4.2, §6.2): levels ±α·ℓ, α per output channel (one for activations). */
static int power_rule(QView *v, Net *net, QbErr *err)
{
    if (op_levels(v, err) < 0)
        return -1;
    QParam alpha = qparam(v, net, "alpha");
    for (int g = 0; g < v->ngroups; g++)
        scales_set(v, g, qparam_at(alpha, g));
    return 0;
}

/* APoT (spec §5.2-5.4): weights are normalised per layer first, W' = (W - μ)/σ (unbiased σ),
 * and quantized to α·ℓ in W' units; so ℓ sits at μ + σ·α·ℓ in weight units. */
static int apot_rule(QView *v, Net *net, QbErr *err)
{
    if (op_levels(v, err) < 0)
        return -1;
    double a = qparam_at(qparam(v, net, "alpha"), 0), sigma = 1.0;
    if (v->q->role == QROLE_WEIGHT) {
        double s = 0.0, ss = 0.0;
        for (size_t i = 0; i < v->n; i++)
            s += v->x[i];
        v->offset = s / (double)v->n;
        for (size_t i = 0; i < v->n; i++)
            ss += (v->x[i] - v->offset) * (v->x[i] - v->offset);
        sigma = v->n > 1 ? sqrt(ss / (double)(v->n - 1)) : 0.0;
        sigma = sigma < APOT_SIGMA_MIN ? APOT_SIGMA_MIN : sigma;
    }
    for (int g = 0; g < v->ngroups; g++) {
        v->scale[g] = sigma * a;
        v->yscale[g] = a;
    }
    return 0;
}

typedef int (*ViewRule)(QView *v, Net *net, QbErr *err);

static const struct {
    const char *method;
    ViewRule rule;
} rules[] = {
    {"lsq", lsq_rule},     {"asq", asq_rule},   {"uniform", uniform_rule},
    {"pot", power_rule},   {"post", power_rule}, {"apot", apot_rule},
};

static ViewRule rule_find(const char *method)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (!strcmp(rules[i].method, method))
            return rules[i].rule;
    return NULL;
}

static QuantHooks *hooks_of(Layer *L)
{
    if (L->ops == &conv2d_ops)
        return conv2d_hooks(L);
    return L->ops == &linear_ops ? linear_hooks(L) : NULL;
}

int qview_open(QView *v, Net *net, Layer *L, QuantRole role, QbErr *err)
{
    memset(v, 0, sizeof *v);
    QuantHooks *h = hooks_of(L);
    int w = role == QROLE_WEIGHT;
    v->q = h ? (w ? h->wq : h->aq) : NULL;
    if (!v->q)
        return qb_fail(err, "layer %s has no %s quantizer", L->name, w ? "weight" : "input");
    ViewRule rule = rule_find(v->q->ops->name);
    if (!rule)
        return qb_fail(err, "layer %s: the probe has no scale rule for method %s (it reads lsq, "
                            "asq, uniform, pot, post and apot)", L->name, v->q->ops->name);
    const Tensor *t = w ? &v->q->shape : &h->xq;
    v->x = w ? net->params[h->w_param].w : L->x[0].data;
    v->y = w ? h->wq_data : h->xq.data;
    v->ngroups = t->n;
    v->group_len = (size_t)t->c * t->h * t->w;
    v->n = (size_t)v->ngroups * v->group_len;
    v->scale = malloc(sizeof(double) * (size_t)v->ngroups);
    v->yscale = malloc(sizeof(double) * (size_t)v->ngroups);
    QB_ASSERT(v->scale && v->yscale);
    if (rule(v, net, err) < 0) {
        qview_close(v);
        return -1;
    }
    return 0;
}

void qview_close(QView *v)
{
    free(v->scale);
    free(v->yscale);
    free(v->levels);
    v->scale = v->yscale = v->levels = NULL;
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
