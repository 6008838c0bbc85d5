/* PACT activations (FORMULAS.md §3): clip to a learned α, then 2^b uniform levels on [0, α]. The
 * gradient of the clip goes to α on [α, ∞), the one exception to the inclusive-bound rule.
 * α starts at 10, or calibrated from the first training batch (option pact_alpha_init). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"

#define PACT_ALPHA_INIT 10.0f /* PACT paper and its CIFAR re-implementation (FORMULAS.md §3) */

typedef struct {
    int qp;
    int calibrated;   /* pact_alpha_init: calibrated */
    int p_alpha;
    Param *alpha;
    double *dalpha;   /* per sample: Σ dy·1[x >= α] */
} Pact;

static const QuantOptionSpec pact_options[] = {
    {"pact_alpha_init", "10|calibrated", "10",
     "alpha's start: 10 (PACT paper), or calibrated: the clip LSQ's initial step reaches on "
     "the first training batch, 2 mean|x| sqrt(2^b - 1) (FORMULAS.md §1.4)"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps pact_ops;

static int pact_plan(Quantizer *q, Net *net, QbErr *err)
{
    if (q->is_signed)
        return qb_fail(err, "pact clips to [0, alpha]: a signed input needs another method "
                            "(the first layer uses lsq)");
    Pact *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    st->qp = (1 << q->bits) - 1;
    st->calibrated = !strcmp(quantizer_opt(q, "pact_alpha_init"), "calibrated");
    int shape[1] = {1};
    st->p_alpha = qc_param_add(net, q, "alpha", 1, shape);
    return 0;
}

static void pact_bind(Quantizer *q, Net *net, Arena *act)
{
    Pact *st = q->state;
    st->alpha = &net->params[st->p_alpha];
    st->dalpha = qc_arena_doubles(act, (size_t)q->shape.n);
}

/* FORMULAS.md §3: α = 10, or (calibrated, §1.4) where LSQ's range starts on this batch. */
static void pact_init(Quantizer *q, const Tensor *x)
{
    Pact *st = q->state;
    st->alpha->w[0] = st->calibrated ? qc_lsq_clip_init(x->data, tensor_numel(x), q->bits)
                                     : PACT_ALPHA_INIT;
}

/* y = rnd(clip(x, 0, α)·(2^b − 1)/α)·α/(2^b − 1); comparisons keep a NaN a NaN. */
static void pact_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Pact *st = q->state;
    const float a = st->alpha->w[0], qp = (float)st->qp;
    const long n = (long)tensor_numel(x);
    const float *xd = x->data;
    float *yd = y->data;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
        float u = xd[i] < 0.0f ? 0.0f : (xd[i] > a ? a : xd[i]);
        yd[i] = rintf(u * qp / a) * a / qp;
    }
}

/* FORMULAS.md §3: ∂y/∂x = 1[0 <= x < α], ∂y/∂α = 1[x >= α], no gradient scaling. */
static void pact_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Pact *st = q->state;
    const float a = st->alpha->w[0];
    const size_t len = (size_t)x->c * x->h * x->w;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < x->n; b++) {
        const float *xb = x->data + b * len, *gb = dy->data + b * len;
        float *db = dx ? dx->data + b * len : NULL;
        double acc = 0.0;
        for (size_t i = 0; i < len; i++) {
            if (xb[i] >= a)
                acc += gb[i];
            if (db)
                db[i] = (add ? db[i] : 0.0f) + (xb[i] >= 0.0f && xb[i] < a ? gb[i] : 0.0f);
        }
        st->dalpha[b] = acc;
    }
    st->alpha->g[0] += (float)(qc_sum(st->dalpha, x->n));
}

static void pact_post_step(Quantizer *q)
{
    Pact *st = q->state;
    qc_positive_all(st->alpha->w, 1);
}

/* k/(2^b − 1), k = 0..2^b − 1. */
static int pact_levels(int bits, QuantRole role, const QuantOption *opts, int nopts, double *out,
                       int cap, QbErr *err)
{
    (void)opts;
    (void)nopts;
    if (qc_bits_check(&pact_ops, role, bits, err) < 0)
        return -1;
    int qp = (1 << bits) - 1;
    return qc_levels_uniform(0, qp, qp, out, cap);
}

/* Levels α·k/(2^b − 1): one α for the layer. */
static QuantScale pact_scale(const Quantizer *q, int g)
{
    (void)g;
    const Pact *st = q->state;
    double a = st->alpha->w[0];
    return (QuantScale){a, 0.0, a, 0.0};
}

const QuantizerOps pact_ops = {
    .name = "pact",
    .roles = 1u << QROLE_ACT,
    .min_bits = {0, 2},
    .max_bits = {0, 8},
    .version = 1,
    .options = pact_options,
    .plan = pact_plan,
    .bind = pact_bind,
    .init = pact_init,
    .forward = pact_forward,
    .backward = pact_backward,
    .post_step = pact_post_step,
    .levels = pact_levels,
    .scale = pact_scale,
    .destroy = qc_state_free,
};
