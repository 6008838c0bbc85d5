/* The method author's template (quantizers/README.md): an LSQ+-style affine activation
 * quantizer, a learned step s and a learned offset β (Bhalgat et al., 2020),
 *     y = s·rnd(clip((x − β)/s, 0, Qp)) + β,   Qp = 2^b − 1,
 * initialised from the first training batch as LSQ+ does (s = (max − min)/Qp, β = min).
 * It is compiled into the library and walked by tests/quantizers/test_registry.c like every
 * registered method, but it is not in the registry. To start a method: copy this file to
 * quantizers/<name>.c, rename affine_template_ops to <name>_ops and .name to "<name>", then
 * register it in quantizers/registry.c with `extern const QuantizerOps <name>_ops;` beside
 * the others and `&<name>_ops,` in methods[]; `qbench validate --method <name> --check` runs
 * the registry checks on it (quantizers/README.md). */
#include <math.h>
#include <stdlib.h>

#include "qcommon.h"

typedef struct {
    int qp;
    int p_step, p_offset;  /* parameter indices: plan registers, bind takes pointers */
    Param *step, *offset;
    double *dstep, *doffset; /* per sample: partial sums, added in sample order */
} AffineTemplate;

extern const QuantizerOps affine_template_ops;

static int affine_plan(Quantizer *q, Net *net, QbErr *err)
{
    (void)err;
    AffineTemplate *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    st->qp = (1 << q->bits) - 1;
    int one[1] = {1};
    st->p_step = qc_param_add(net, q, "step", 1, one);
    st->p_offset = qc_param_add(net, q, "offset", 1, one);
    return 0;
}

static void affine_bind(Quantizer *q, Net *net, Arena *act)
{
    AffineTemplate *st = q->state;
    st->step = &net->params[st->p_step];
    st->offset = &net->params[st->p_offset];
    st->dstep = qc_arena_doubles(act, (size_t)q->shape.n);
    st->doffset = qc_arena_doubles(act, (size_t)q->shape.n);
}

/* LSQ+'s min-max start: the batch range spans the grid. */
static void affine_init(Quantizer *q, const Tensor *x)
{
    AffineTemplate *st = q->state;
    size_t n = tensor_numel(x);
    float lo = x->data[0], hi = x->data[0];
    for (size_t i = 1; i < n; i++) {
        lo = fminf(lo, x->data[i]);
        hi = fmaxf(hi, x->data[i]);
    }
    st->step->w[0] = qc_positive((hi - lo) / (float)st->qp);
    st->offset->w[0] = lo;
}

static void affine_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    AffineTemplate *st = q->state;
    const float s = st->step->w[0], b = st->offset->w[0], qp = (float)st->qp;
    const long n = (long)tensor_numel(x);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
        float v = (x->data[i] - b) / s;
        float c = v < 0.0f ? 0.0f : (v > qp ? qp : v); /* a NaN stays NaN */
        y->data[i] = rintf(c) * s + b;
    }
}

/* STE: ∂y/∂x = 1 inside [0, Qp]; ∂y/∂s = rnd(v) − v inside, the clip bound outside (as LSQ);
 * ∂y/∂β = 1 − ∂y/∂x. Partial sums per sample keep the result independent of the threads. */
static void affine_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    AffineTemplate *st = q->state;
    const float s = st->step->w[0], b = st->offset->w[0], qp = (float)st->qp;
    const size_t len = (size_t)x->c * x->h * x->w;
#pragma omp parallel for schedule(static)
    for (int n = 0; n < x->n; n++) {
        const float *xn = x->data + n * len, *gn = dy->data + n * len;
        float *dn = dx ? dx->data + n * len : NULL;
        double ds = 0.0, db = 0.0;
        for (size_t i = 0; i < len; i++) {
            float v = (xn[i] - b) / s;
            int inside = v >= 0.0f && v <= qp;
            ds += (double)gn[i] * (inside ? rintf(v) - v : (v < 0.0f ? 0.0f : qp));
            db += inside ? 0.0 : (double)gn[i];
            if (dn)
                dn[i] = (add ? dn[i] : 0.0f) + (inside ? gn[i] : 0.0f);
        }
        st->dstep[n] = ds;
        st->doffset[n] = db;
    }
    double g = qc_grad_scale((double)tensor_numel(x), st->qp); /* LSQ's g (FORMULAS.md §1.6) */
    st->step->g[0] += (float)(g * qc_sum(st->dstep, x->n));
    st->offset->g[0] += (float)(g * qc_sum(st->doffset, x->n));
}

static void affine_post_step(Quantizer *q)
{
    AffineTemplate *st = q->state;
    qc_positive_all(st->step->w, 1);
}

/* k/Qp, k = 0..Qp: the grid in units of s·Qp above β. */
static int affine_levels(int bits, QuantRole role, const QuantOption *opts, int nopts,
                         double *out, int cap, QbErr *err)
{
    (void)opts;
    (void)nopts;
    if (qc_bits_check(&affine_template_ops, role, bits, err) < 0)
        return -1;
    int qp = (1 << bits) - 1;
    return qc_levels_uniform(0, qp, qp, out, cap);
}

/* An affine grid: level ℓ sits at β + s·Qp·ℓ, in and out. */
static QuantScale affine_scale(const Quantizer *q, int g)
{
    (void)g;
    const AffineTemplate *st = q->state;
    double s = (double)st->step->w[0] * st->qp, b = st->offset->w[0];
    return (QuantScale){s, b, s, b};
}

const QuantizerOps affine_template_ops = {
    .name = "affine_template",
    .roles = 1u << QROLE_ACT,
    .signed_act = 1, /* the offset follows a signed input */
    .min_bits = {0, 2},
    .max_bits = {0, 8},
    .version = 1,
    .options = NULL,
    .plan = affine_plan,
    .bind = affine_bind,
    .init = affine_init,
    .forward = affine_forward,
    .backward = affine_backward,
    .post_step = affine_post_step,
    .levels = affine_levels,
    .scale = affine_scale,
    .destroy = qc_state_free,
};
