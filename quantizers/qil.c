/* QIL, quantization interval learning (FORMULAS.md §14): a learned interval, centre c and
 * half-width d, per weight tensor and per activation tensor. Weights: magnitudes below c − d
 * are pruned to 0, above c + d clipped to ±1, and in between mapped to ±u^γ with a learned
 * power γ; activations are mapped linearly onto [0, 1]. Both are then rounded onto a
 * uniform grid and leave normalised (weights in [−1, 1], activations in [0, 1]): the next
 * batch norm absorbs the scale. Parameter gradients carry the paper's constant 0.01. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"
#include "qsurrogate.h"

#define QIL_GRAD_SCALE 0.01 /* §14.2: c and d in the paper (per MQBench's account); γ too */
#define QIL_U_MIN 1e-6      /* §14.2: u^(γ−1) and ln u are taken at max(u, 1e-6) */
#define QIL_D_MIN 1e-8f     /* §14.3 */
#define QIL_GAMMA_MIN 0.1f  /* §14.3 */

typedef struct {
    int q;              /* top code: 2^(b−1) − 1 (weights, symmetric), 2^b − 1 (activations) */
    int weights;
    int learn_gamma;    /* weights under qil_gamma: learned */
    int lsq_scale;      /* qil_grad_scale: lsq */
    int p_center, p_distance, p_gamma; /* p_gamma < 0: γ ≡ 1 */
    Param *center, *distance, *gamma;
    double *dc, *dd, *dg; /* per block (output channel or sample) */
} Qil;

static const QuantOptionSpec qil_options[] = {
    {"qil_gamma", "learned|fixed", "learned",
     "weights' power γ: learned from 1 (paper), or fixed at 1, which MQBench found more "
     "stable (FORMULAS.md §14.3)"},
    {"qil_grad_scale", "paper|lsq", "paper",
     "gradients of c, d and γ times 0.01 (paper), or times 1/sqrt(numel·Qp), MQBench's "
     "replacement (FORMULAS.md §14.2)"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps qil_ops;

static int qil_plan(Quantizer *q, Net *net, QbErr *err)
{
    if (q->is_signed)
        return qb_fail(err, "qil maps activations onto [0, 1]: a signed input needs another "
                            "method (the scheme puts lsq there)");
    Qil *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    st->weights = q->role == QROLE_WEIGHT;
    st->q = st->weights ? (1 << (q->bits - 1)) - 1 : (1 << q->bits) - 1;
    st->learn_gamma = st->weights && !strcmp(quantizer_opt(q, "qil_gamma"), "learned");
    st->lsq_scale = !strcmp(quantizer_opt(q, "qil_grad_scale"), "lsq");
    /* §14.3: the interval and γ without weight decay; their learning rate is the group's,
     * with the 0.01 in the gradient. */
    st->p_center = qc_param_add_undecayed(net, q, "center");
    st->p_distance = qc_param_add_undecayed(net, q, "distance");
    st->p_gamma = st->learn_gamma ? qc_param_add_undecayed(net, q, "gamma") : -1;
    return 0;
}

static void qil_bind(Quantizer *q, Net *net, Arena *act)
{
    Qil *st = q->state;
    st->center = &net->params[st->p_center];
    st->distance = &net->params[st->p_distance];
    st->gamma = st->p_gamma >= 0 ? &net->params[st->p_gamma] : NULL;
    st->dc = qc_arena_doubles(act, (size_t)q->shape.n);
    st->dd = qc_arena_doubles(act, (size_t)q->shape.n);
    st->dg = qc_arena_doubles(act, (size_t)q->shape.n);
}

/* §14.3: c = d = max|x|/2, so the interval is [0, max|x|] (no pruning, no clipping); γ = 1. */
static void qil_init(Quantizer *q, const Tensor *x)
{
    Qil *st = q->state;
    size_t n = tensor_numel(x);
    float m = 0.0f;
    for (size_t i = 0; i < n; i++)
        m = fmaxf(m, fabsf(x->data[i]));
    st->center->w[0] = st->distance->w[0] = qc_positive(0.5f * m);
    if (st->gamma)
        st->gamma->w[0] = 1.0f;
}

static float qil_gamma(const Qil *st) { return st->gamma ? st->gamma->w[0] : 1.0f; }

/* u = (|x| − c)/(2d) + ½ for weights, (x − c)/(2d) + ½ for activations: the interval's own
 * coordinate, 0 at c − d and 1 at c + d. */
static inline float qil_u(float x, float c, float d, int weights)
{
    return ((weights ? fabsf(x) : x) - c) / (2.0f * d) + 0.5f;
}

static inline float qil_sign(float x) { return (float)((x > 0.0f) - (x < 0.0f)); }

/* The transformer (§14.1) before rounding: weights 0 below the interval, ±1 above, ±u^γ in
 * it; activations clip(u, 0, 1). A NaN stays NaN. */
static inline float qil_transform(float x, float c, float d, float gamma, int weights)
{
    float u = qil_u(x, c, d, weights);
    float cu = u < 0.0f ? 0.0f : (u > 1.0f ? 1.0f : u);
    if (!weights)
        return cu;
    if (x != x)
        return x;
    return qil_sign(x) * (gamma == 1.0f ? cu : powf(cu, gamma));
}

/* The discretizer: rnd(t·Qp) times the step 1/Qp, so that integer codes times one step
 * reproduce the output bit for bit (the integer path's contract). */
static void qil_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Qil *st = q->state;
    const float c = st->center->w[0], d = st->distance->w[0], gamma = qil_gamma(st);
    const float qp = (float)st->q, step = 1.0f / qp;
    const long total = (long)tensor_numel(x);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < total; i++)
        y->data[i] = rintf(qil_transform(x->data[i], c, d, gamma, st->weights) * qp) * step;
}

/* Per-element derivatives of the transform inside the interval (0 <= u <= 1, bounds
 * included), §14.2; outside everything is 0. */
typedef struct {
    double dx, dc, dd, dg;
} QilGrad;

static QilGrad qil_grad(float x, float c, float d, float gamma, int weights)
{
    QilGrad g = {0, 0, 0, 0};
    double u = qil_u(x, c, d, weights);
    if (!(u >= 0.0 && u <= 1.0))
        return g;
    double ax = weights ? fabs(x) : x, sg = weights ? qil_sign(x) : 1.0;
    double ug = u > QIL_U_MIN ? u : QIL_U_MIN, slope = gamma * pow(ug, gamma - 1.0) / (2.0 * d);
    g.dx = slope;
    g.dc = -sg * slope;
    g.dd = -sg * slope * (ax - c) / d;
    g.dg = weights ? sg * pow(u, gamma) * log(ug) : 0.0;
    return g;
}

static void qil_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Qil *st = q->state;
    const float c = st->center->w[0], d = st->distance->w[0], gamma = qil_gamma(st);
    const size_t len = (size_t)x->c * x->h * x->w;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < x->n; b++) {
        const float *xb = x->data + b * len, *gb = dy->data + b * len;
        float *db = dx ? dx->data + b * len : NULL;
        double sc = 0.0, sd = 0.0, sgm = 0.0;
        for (size_t i = 0; i < len; i++) {
            QilGrad g = qil_grad(xb[i], c, d, gamma, st->weights);
            sc += gb[i] * g.dc;
            sd += gb[i] * g.dd;
            sgm += gb[i] * g.dg;
            if (db)
                db[i] = (add ? db[i] : 0.0f) + (float)(gb[i] * g.dx);
        }
        st->dc[b] = sc;
        st->dd[b] = sd;
        st->dg[b] = sgm;
    }
    double k = st->lsq_scale ? qc_grad_scale((double)tensor_numel(x), st->q) : QIL_GRAD_SCALE;
    st->center->g[0] += (float)(k * qc_sum(st->dc, x->n));
    st->distance->g[0] += (float)(k * qc_sum(st->dd, x->n));
    if (st->gamma)
        st->gamma->g[0] += (float)(k * qc_sum(st->dg, x->n));
}

/* §14.3: c ← |c|, d ← max(|d|, 1e-8), γ ← max(γ, 0.1); a NaN stays NaN. */
static void qil_post_step(Quantizer *q)
{
    Qil *st = q->state;
    float *c = st->center->w, *d = st->distance->w;
    c[0] = fabsf(c[0]);
    d[0] = fabsf(d[0]) < QIL_D_MIN ? QIL_D_MIN : fabsf(d[0]);
    if (st->gamma && st->gamma->w[0] < QIL_GAMMA_MIN)
        st->gamma->w[0] = QIL_GAMMA_MIN;
}

/* Weights k/Qp, |k| <= Qp = 2^(b−1) − 1 (2^b − 1 symmetric levels: ternary at 2 bits);
 * activations k/Qp, k = 0..2^b − 1. */
static int qil_levels(int bits, QuantRole role, const QuantOption *opts, int nopts, double *out,
                      int cap, QbErr *err)
{
    (void)opts;
    (void)nopts;
    if (qc_bits_check(&qil_ops, role, bits, err) < 0)
        return -1;
    int qp = role == QROLE_WEIGHT ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    return qc_levels_uniform(role == QROLE_WEIGHT ? -qp : 0, qp, qp, out, cap);
}

/* The output is the normalised level itself (out_scale 1). Activations enter at
 * (x − (c − d))/(2d). Weights are no affine map of w in general (the pruned band is one
 * wide level, γ bends the rest): the scale reports w/(c + d), which is exact while c = d and
 * γ = 1 (the initial interval); the registry checks use the transform itself (qil_position). */
static QuantScale qil_scale(const Quantizer *q, int g)
{
    (void)g;
    const Qil *st = q->state;
    double c = st->center->w[0], d = st->distance->w[0];
    if (st->weights)
        return (QuantScale){c + d, 0.0, 1.0, 0.0};
    return (QuantScale){2.0 * d, c - d, 1.0, 0.0};
}

/* qsurrogate.h: the transform before rounding (in double, as the backward differentiates
 * it); regions pruned, inside, clipped, with the sign of a weight. */
double qil_position(const Quantizer *q, int g, double x, int *region)
{
    (void)g;
    const Qil *st = q->state;
    double c = st->center->w[0], d = st->distance->w[0];
    double u = ((st->weights ? fabs(x) : x) - c) / (2.0 * d) + 0.5;
    *region = (u < 0.0 ? 0 : (u > 1.0 ? 2 : 1)) + (st->weights && x < 0.0 ? 3 : 0);
    double cu = u < 0.0 ? 0.0 : (u > 1.0 ? 1.0 : u);
    return st->weights ? (double)qil_sign((float)x) * pow(cu, qil_gamma(st)) : cu;
}

const QuantizerOps qil_ops = {
    .name = "qil",
    .roles = (1u << QROLE_WEIGHT) | (1u << QROLE_ACT),
    .min_bits = {2, 2},
    .max_bits = {8, 8},
    .version = 1,
    .options = qil_options,
    /* integer codes times the step 1/Qp, symmetric for weights, unsigned for activations */
    .int_path = {QINT_UNIFORM, QINT_UNIFORM},
    .plan = qil_plan,
    .bind = qil_bind,
    .init = qil_init,
    .forward = qil_forward,
    .backward = qil_backward,
    .post_step = qil_post_step,
    .levels = qil_levels,
    .scale = qil_scale,
    .destroy = qc_state_free,
};
