/* DSQ, differentiable soft quantization (FORMULAS.md §13): a uniform grid of n = 2^b − 1
 * intervals on a learned range [l, u], one (l, u, α) per weight tensor and per activation
 * tensor. The forward is the hard level in training and at evaluation; the backward
 * differentiates the tanh soft quantizer φ (slope (sK/2)(1 − t²) instead of the STE's 1), so
 * l, u and α all learn from it. Option dsq_forward: soft outputs φ itself in training. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"
#include "qsurrogate.h"

#define DSQ_ALPHA_INIT 0.2f  /* §13.5: the paper's Algorithm 1 as ported by ricky40403/DSQ */
#define DSQ_ALPHA_MIN 1e-3f  /* §13.5: α in [1e-3, 0.999]; the learned values reach 0.57 */
#define DSQ_ALPHA_MAX 0.999f
#define DSQ_RANGE_SIGMAS 2.6 /* §13.5: weights start at μ ± 2.6σ (MQBench's rule) */

typedef struct {
    int n;              /* intervals, 2^b − 1 */
    int weights;        /* normalised levels −1..1 (weights) or 0..1 (activations) */
    int soft;           /* dsq_forward: soft */
    const Net *net;     /* its train flag: the soft forward is for training only */
    int p_lower, p_upper, p_alpha; /* p_lower < 0: l fixed at 0 (dsq_act_lower: fixed0) */
    Param *lower, *upper, *alpha;
    float zero;         /* l when it is fixed */
    double *dl, *du, *da; /* per block (output channel or sample) */
} Dsq;

static const QuantOptionSpec dsq_options[] = {
    {"dsq_forward", "hard|soft", "hard",
     "training forward: the hard level with the tanh gradient (paper's Algorithm 1, MQBench), "
     "or the soft value itself (the Figure 1 reading; evaluation stays hard) (FORMULAS.md §13.3)"},
    {"dsq_act_lower", "learned|fixed0", "learned",
     "activations after a ReLU: learn the lower bound l (paper), or keep l = 0 so no small "
     "activation is lifted to l (FORMULAS.md §13.5)"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps dsq_ops;

static const float *dsq_lower(const Dsq *st) { return st->lower ? st->lower->w : &st->zero; }

static int dsq_plan(Quantizer *q, Net *net, QbErr *err)
{
    (void)err;
    Dsq *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    st->n = (1 << q->bits) - 1;
    st->weights = q->role == QROLE_WEIGHT;
    st->soft = !strcmp(quantizer_opt(q, "dsq_forward"), "soft");
    st->net = net;
    /* fixed0 is for post-ReLU inputs: a signed input keeps its learned lower bound. */
    int fixed0 = !st->weights && !q->is_signed &&
                 !strcmp(quantizer_opt(q, "dsq_act_lower"), "fixed0");
    /* §13.6: l, u and α without weight decay, which would pull α towards 0 (a spike). */
    st->p_lower = fixed0 ? -1 : qc_param_add_undecayed(net, q, "lower");
    st->p_upper = qc_param_add_undecayed(net, q, "upper");
    st->p_alpha = qc_param_add_undecayed(net, q, "alpha");
    return 0;
}

static void dsq_bind(Quantizer *q, Net *net, Arena *act)
{
    Dsq *st = q->state;
    st->lower = st->p_lower >= 0 ? &net->params[st->p_lower] : NULL;
    st->upper = &net->params[st->p_upper];
    st->alpha = &net->params[st->p_alpha];
    st->dl = qc_arena_doubles(act, (size_t)q->shape.n);
    st->du = qc_arena_doubles(act, (size_t)q->shape.n);
    st->da = qc_arena_doubles(act, (size_t)q->shape.n);
}

/* §13.5: u >= l + 1e-6·max(1, |l|, |u|), so Δ stays positive; a NaN stays NaN. */
static float dsq_upper_guard(float l, float u)
{
    float m = fmaxf(1.0f, fmaxf(fabsf(l), fabsf(u)));
    float lo = l + 1e-6f * m;
    return u < lo ? lo : u;
}

/* §13.5: weights μ ± 2.6σ over the tensor (σ unbiased); activations the means over samples of
 * each sample's min and max on the first batch (BatchMinMax); α = 0.2. */
static void dsq_init(Quantizer *q, const Tensor *x)
{
    Dsq *st = q->state;
    size_t total = tensor_numel(x), len = total / (size_t)x->n;
    double lo = 0.0, hi = 0.0;
    if (st->weights) {
        double mean, sd;
        qc_mean_std(x->data, total, &mean, &sd);
        lo = mean - DSQ_RANGE_SIGMAS * sd;
        hi = mean + DSQ_RANGE_SIGMAS * sd;
    } else {
        for (int b = 0; b < x->n; b++) {
            const float *xb = x->data + (size_t)b * len;
            float mn = xb[0], mx = xb[0];
            for (size_t i = 1; i < len; i++) {
                mn = fminf(mn, xb[i]);
                mx = fmaxf(mx, xb[i]);
            }
            lo += mn;
            hi += mx;
        }
        lo /= x->n;
        hi /= x->n;
    }
    if (st->lower)
        st->lower->w[0] = (float)lo;
    float l = dsq_lower(st)[0];
    st->upper->w[0] = dsq_upper_guard(l, (float)hi);
    st->alpha->w[0] = DSQ_ALPHA_INIT;
}

/* The soft quantizer at one point (§13.2), in double: s·tanh(K/2) = 1 exactly in theory, and
 * s reaches 1000 at α = 0.999. */
typedef struct {
    double l, delta, s, k;  /* k = K = ln(2/α − 1) */
    int n;
} DsqGeom;

typedef struct {
    double v, r, t, q, dq;  /* dq = dφ/dv */
} DsqPoint;

static DsqGeom dsq_geom(const Dsq *st)
{
    double l = dsq_lower(st)[0], u = st->upper->w[0], a = st->alpha->w[0];
    return (DsqGeom){l, (u - l) / st->n, 1.0 / (1.0 - a), log(2.0 / a - 1.0), st->n};
}

/* x within [l, u]: v = (x − l)/Δ, i = min(⌊v⌋, n − 1), so x = u is r = 1 of the last
 * interval; φ = i + (1 + s·tanh(K(r − ½)))/2. */
static DsqPoint dsq_point(const DsqGeom *g, double x)
{
    DsqPoint p;
    p.v = (x - g->l) / g->delta;
    double i = floor(p.v);
    i = i > g->n - 1 ? g->n - 1 : (i < 0 ? 0 : i);
    p.r = p.v - i;
    p.t = tanh(g->k * (p.r - 0.5));
    p.q = i + 0.5 * (1.0 + g->s * p.t);
    p.dq = 0.5 * g->s * g->k * (1.0 - p.t * p.t);
    return p;
}

/* The hard code rnd(clip(v, 0, n)) as the forward computes it, in float (ties to even). */
static inline float dsq_code(float x, float l, float delta, float n)
{
    float v = (x - l) / delta;
    return rintf(v < 0.0f ? 0.0f : (v > n ? n : v)); /* a NaN stays NaN */
}

/* Hard: y = l + Δ·rnd(clip(v, 0, n)) (§13.3). Soft, in training: y = l + Δ·φ(v), clamped to
 * [l, u] outside. */
static void dsq_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Dsq *st = q->state;
    const float l = dsq_lower(st)[0], n = (float)st->n;
    const float delta = (st->upper->w[0] - l) / n;
    const long total = (long)tensor_numel(x);
    if (st->soft && st->net->train) {
        const DsqGeom g = dsq_geom(st);
        const float u = st->upper->w[0];
#pragma omp parallel for schedule(static)
        for (long i = 0; i < total; i++) {
            float xi = x->data[i];
            y->data[i] = xi < l ? l : (xi > u ? u : (float)(g.l + g.delta * dsq_point(&g, xi).q));
        }
        return;
    }
#pragma omp parallel for schedule(static)
    for (long i = 0; i < total; i++)
        y->data[i] = l + delta * dsq_code(x->data[i], l, delta, n);
}

/* §13.4, per element inside [l, u] (bounds included): ∂y/∂x = φ', ∂y/∂u = (k − v·φ')/n,
 * ∂y/∂l = 1 − φ' − ∂y/∂u, ∂y/∂α = Δ·∂φ/∂α, with k the hard code (φ itself under
 * dsq_forward: soft); below l all of it goes to l, above u to u. No gradient scaling. */
static void dsq_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Dsq *st = q->state;
    const DsqGeom g = dsq_geom(st);
    const float l = dsq_lower(st)[0], u = st->upper->w[0], n = (float)st->n;
    const float delta = (u - l) / n;
    const double a = st->alpha->w[0], dk = -2.0 / (a * (2.0 - a)); /* dK/dα */
    const size_t len = (size_t)x->c * x->h * x->w;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < x->n; b++) {
        const float *xb = x->data + b * len, *gb = dy->data + b * len;
        float *db = dx ? dx->data + b * len : NULL;
        double sl = 0.0, su = 0.0, sa = 0.0;
        for (size_t i = 0; i < len; i++) {
            double gy = gb[i], gx = 0.0;
            if (xb[i] < l) {
                sl += gy;
            } else if (xb[i] > u) {
                su += gy;
            } else {
                DsqPoint p = dsq_point(&g, xb[i]);
                double k = st->soft ? p.q : dsq_code(xb[i], l, delta, n);
                double du = (k - p.v * p.dq) / g.n;
                gx = gy * p.dq;
                su += gy * du;
                sl += gy * (1.0 - p.dq - du);
                sa += gy * g.delta * 0.5 *
                      (g.s * g.s * p.t + g.s * (1.0 - p.t * p.t) * (p.r - 0.5) * dk);
            }
            if (db)
                db[i] = (add ? db[i] : 0.0f) + (float)gx;
        }
        st->dl[b] = sl;
        st->du[b] = su;
        st->da[b] = sa;
    }
    if (st->lower)
        st->lower->g[0] += (float)qc_sum(st->dl, x->n);
    st->upper->g[0] += (float)qc_sum(st->du, x->n);
    st->alpha->g[0] += (float)qc_sum(st->da, x->n);
}

/* §13.5: α within [1e-3, 0.999], u above l, l = 0 kept under fixed0 (it is no parameter). */
static void dsq_post_step(Quantizer *q)
{
    Dsq *st = q->state;
    float *a = st->alpha->w;
    a[0] = a[0] < DSQ_ALPHA_MIN ? DSQ_ALPHA_MIN : (a[0] > DSQ_ALPHA_MAX ? DSQ_ALPHA_MAX : a[0]);
    st->upper->w[0] = dsq_upper_guard(dsq_lower(st)[0], st->upper->w[0]);
}

/* Weights: −1 + 2k/n, activations k/n, k = 0..n: the grid in units of its range. */
static int dsq_levels(int bits, QuantRole role, const QuantOption *opts, int nopts, double *out,
                      int cap, QbErr *err)
{
    (void)opts;
    (void)nopts;
    if (qc_bits_check(&dsq_ops, role, bits, err) < 0)
        return -1;
    return qc_levels_intervals((1 << bits) - 1, role, out, cap);
}

/* An affine grid: activations [0, 1] over [l, u] (offset l), weights [−1, 1] over [l, u]
 * (offset the centre), in and out. */
static QuantScale dsq_scale(const Quantizer *q, int g)
{
    (void)g;
    const Dsq *st = q->state;
    double l = dsq_lower(st)[0], u = st->upper->w[0];
    if (st->weights)
        return (QuantScale){(u - l) / 2, (l + u) / 2, (u - l) / 2, (l + u) / 2};
    return (QuantScale){u - l, l, u - l, l};
}

/* qsurrogate.h: φ(v) in normalised level units; regions below l, inside, above u. */
double dsq_position(const Quantizer *q, int g, double x, int *region)
{
    (void)g;
    const Dsq *st = q->state;
    const DsqGeom geo = dsq_geom(st);
    double u = st->upper->w[0], v;
    *region = x < geo.l ? 0 : (x > u ? 2 : 1);
    v = *region == 0 ? 0.0 : (*region == 2 ? geo.n : dsq_point(&geo, x).q);
    return st->weights ? 2.0 * v / geo.n - 1.0 : v / geo.n;
}

/* Not uniform on integer hardware as qbench's integer path runs it: the grid is affine (a
 * learned l, so zero is no level and zero padding is no code) and the integer path codes
 * tensors as integers times one step, with no zero point (§13.8). */
const QuantizerOps dsq_ops = {
    .name = "dsq",
    .roles = (1u << QROLE_WEIGHT) | (1u << QROLE_ACT),
    .signed_act = 1, /* the learned l follows a signed input */
    .min_bits = {2, 2},
    .max_bits = {8, 8},
    .version = 1,
    .options = dsq_options,
    .plan = dsq_plan,
    .bind = dsq_bind,
    .init = dsq_init,
    .forward = dsq_forward,
    .backward = dsq_backward,
    .post_step = dsq_post_step,
    .levels = dsq_levels,
    .scale = dsq_scale,
    .destroy = qc_state_free,
};
