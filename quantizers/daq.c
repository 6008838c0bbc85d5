/* DAQ, distance-aware quantization (FORMULAS.md §16), as the authors' CIFAR code computes it
 * for any bit-width. Weights are normalised over the tensor, W' = (W − μ)/σ (μ and σ held in
 * the backward), and mapped onto n = 2^b − 1 intervals of a learned range [l, u]; activations
 * onto [0, u] with a learned u. The forward is the hard level, f + 1[r > ½] with ties to the
 * floor, which is exactly what the code's distance-aware soft rounding outputs with its
 * temperature controller; the backward differentiates that soft rounding with the
 * temperature detached (closed form, §16.3), and an element clipped by the range passes no
 * gradient at all. Outputs stay normalised: weights |β|·(2o − n)/n, activations o/n. The
 * code trains l, u and β with Adam beside the network's SGD (§16.5). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"
#include "qsurrogate.h"

#define DAQ_W_LOWER -3.0f  /* §16.4: the weight range in units of σ */
#define DAQ_W_UPPER 3.0f
#define DAQ_A_STDS 3.0     /* §16.4: u_A = 3·std of the first batch */
#define DAQ_SD_MIN 1e-8    /* §16.1: the weights' σ guard (as APoT's) */
#define DAQ_KNOB_MAX 1e3   /* σ and T: (0, 1e3] */

typedef struct {
    int n;              /* intervals, 2^b − 1 */
    int weights;
    double kappa;       /* the kernel's weight of the other candidate, e^(−1/σ²) */
    double temp;        /* T */
    double gain;        /* T/(2 sinh T): the backward's constant */
    int p_lower, p_upper, p_beta; /* activations: upper only (l = 0) */
    Param *lower, *upper, *beta;
    double mu, sd;      /* weights: the last forward's normalisation (held in the backward) */
    double *dl, *du, *db; /* per block (output channel or sample) */
} Daq;

static const QuantOptionSpec daq_options[] = {
    {"daq_w_sigma", "float", "1",
     "weights: the distance kernel's width σ, in (0, 1e3] (code's w_sig; FORMULAS.md §16.2)"},
    {"daq_w_temp", "float", "2",
     "weights: the temperature controller's T, in (0, 1e3] (code's w_temp; FORMULAS.md §16.2)"},
    {"daq_a_sigma", "float", "2",
     "activations: the kernel's width σ, in (0, 1e3] (code's a_sig; FORMULAS.md §16.2)"},
    {"daq_a_temp", "float", "2",
     "activations: the temperature controller's T, in (0, 1e3] (code's a_temp; FORMULAS.md "
     "§16.2)"},
    {"daq_optimizer", "adam|group", "adam",
     "l, u and β: by Adam beside the network's optimizer, without weight decay (code), or by the "
     "quantizer group's optimizer (an SGD substitute; FORMULAS.md §16.5)"},
    {"daq_adam_lr", "float", "1e-3",
     "their Adam learning rate as a fraction of the quantizer group's, in [0, 1e3] (the code's "
     "1e-4 beside SGD's 0.1; FORMULAS.md §16.5)"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps daq_ops;

/* The option's number in (lo, hi] (or [lo, hi] when closed), else -1 with a located error. */
static int daq_number(const QuantOption *opts, int nopts, const char *name, double lo, double hi,
                      int closed, double *out, QbErr *err)
{
    const char *v = quantizer_ops_opt(&daq_ops, opts, nopts, name);
    char *end;
    double x = strtod(v, &end);
    if (*end || !(closed ? x >= lo : x > lo) || !(x <= hi))
        return qb_fail(err, "daq option %s: expected a number in %c%g, %g], got '%s'", name,
                       closed ? '[' : '(', lo, hi, v);
    *out = x;
    return 0;
}

/* σ and T of a role, after checking every numeric option (levels() runs this first, so a plan
 * never sees a bad value). */
static int daq_knobs(QuantRole role, const QuantOption *opts, int nopts, double *sigma,
                     double *temp, double *adam_lr, QbErr *err)
{
    double ws = 0, wt = 0, as = 0, at = 0;
    if (daq_number(opts, nopts, "daq_w_sigma", 0, DAQ_KNOB_MAX, 0, &ws, err) < 0 ||
        daq_number(opts, nopts, "daq_w_temp", 0, DAQ_KNOB_MAX, 0, &wt, err) < 0 ||
        daq_number(opts, nopts, "daq_a_sigma", 0, DAQ_KNOB_MAX, 0, &as, err) < 0 ||
        daq_number(opts, nopts, "daq_a_temp", 0, DAQ_KNOB_MAX, 0, &at, err) < 0 ||
        daq_number(opts, nopts, "daq_adam_lr", 0, DAQ_KNOB_MAX, 1, adam_lr, err) < 0)
        return -1;
    *sigma = role == QROLE_WEIGHT ? ws : as;
    *temp = role == QROLE_WEIGHT ? wt : at;
    return 0;
}

/* T/(2 sinh T) = T·e^(−T)/(1 − e^(−2T)): ½ as T → 0, no overflow for a large T. */
static double daq_gain(double t) { return t * exp(-t) / -expm1(-2.0 * t); }

/* One parameter of the method's own optimizer group (§16.5): undecayed, and under
 * daq_optimizer: adam stepped by Adam at daq_adam_lr times the group's learning rate. */
static int daq_param(Net *net, const Quantizer *q, const char *name, int adam, double adam_lr)
{
    int idx = qc_param_add_undecayed(net, q, name);
    if (adam) {
        net_param_factors(net, idx, (float)adam_lr, 0.0f);
        net_param_optimizer(net, idx, OPTIM_ADAM);
    }
    return idx;
}

static int daq_plan(Quantizer *q, Net *net, QbErr *err)
{
    if (q->is_signed)
        return qb_fail(err, "daq maps activations onto [0, u]: a signed input needs another "
                            "method (the scheme puts lsq there)");
    double sigma, adam_lr;
    Daq *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    int rc = daq_knobs(q->role, q->opts, q->nopts, &sigma, &st->temp, &adam_lr, err);
    QB_ASSERT(rc == 0); /* quantizer_new ran levels(), which checks the same */
    st->n = (1 << q->bits) - 1;
    st->weights = q->role == QROLE_WEIGHT;
    st->kappa = exp(-1.0 / (sigma * sigma));
    st->gain = daq_gain(st->temp);
    int adam = !strcmp(quantizer_opt(q, "daq_optimizer"), "adam");
    st->p_lower = st->weights ? daq_param(net, q, "lower", adam, adam_lr) : -1;
    st->p_upper = daq_param(net, q, "upper", adam, adam_lr);
    st->p_beta = st->weights ? daq_param(net, q, "beta", adam, adam_lr) : -1;
    return 0;
}

static void daq_bind(Quantizer *q, Net *net, Arena *act)
{
    Daq *st = q->state;
    st->lower = st->p_lower >= 0 ? &net->params[st->p_lower] : NULL;
    st->upper = &net->params[st->p_upper];
    st->beta = st->p_beta >= 0 ? &net->params[st->p_beta] : NULL;
    st->dl = qc_arena_doubles(act, (size_t)q->shape.n);
    st->du = qc_arena_doubles(act, (size_t)q->shape.n);
    st->db = qc_arena_doubles(act, (size_t)q->shape.n);
}

/* §16.4: weights l = −3, u = 3 (σ units) and β = 1 (daq_beta_init: one, the code's ratio
 * needs the layer's convolution: §16.4 says why 1 is equivalent); activations u = 3·std(x)
 * over the whole first batch (unbiased), guarded. */
static void daq_init(Quantizer *q, const Tensor *x)
{
    Daq *st = q->state;
    if (st->weights) {
        st->lower->w[0] = DAQ_W_LOWER;
        st->upper->w[0] = DAQ_W_UPPER;
        st->beta->w[0] = 1.0f;
        return;
    }
    double mean, sd;
    qc_mean_std(x->data, tensor_numel(x), &mean, &sd);
    st->upper->w[0] = qc_positive((float)(DAQ_A_STDS * sd));
}

/* The range in the input's units: u_A over [0, u_A] for activations, the normalised [l, u]
 * for weights; v = (x' − lo)/Δ. */
typedef struct {
    double lo, width, delta; /* delta = width/n */
} DaqRange;

static DaqRange daq_range(const Daq *st)
{
    double lo = st->lower ? st->lower->w[0] : 0.0, w = st->upper->w[0] - lo;
    return (DaqRange){lo, w, w / st->n};
}

/* x in the range's units: W' = (W − μ)/σ for weights, x itself for activations. */
static inline double daq_unit(const Daq *st, double x)
{
    return st->weights ? (x - st->mu) / st->sd : x;
}

/* The hard code o = f + 1[r > ½] of v = clamp(v_raw, 0, n) (ties to the floor); a NaN stays
 * NaN. */
static inline float daq_code(double v, int n)
{
    if (v != v)
        return (float)v;
    v = v < 0.0 ? 0.0 : (v > n ? n : v);
    double f = floor(v);
    return (float)(f + (v - f > 0.5));
}

/* The distance scores of r ∈ [0, 1) with the kernel on the nearer candidate (j* = 1 when
 * r > ½): S_0 = k_0·e^(−r), S_1 = k_1·e^(−(1−r)). */
typedef struct {
    double s0, s1;
    int far;            /* j* */
} DaqScores;

static DaqScores daq_scores(const Daq *st, double r)
{
    DaqScores s;
    s.far = r > 0.5;
    s.s0 = (s.far ? st->kappa : 1.0) * exp(-r);
    s.s1 = (s.far ? 1.0 : st->kappa) * exp(r - 1.0);
    return s;
}

/* §16.3: do/dv = T/(2 sinh T)·(S_0 + S_1)/|S_1 − S_0|, the soft rounding's slope with the
 * temperature β* = T/|S_0 − S_1| held. */
static double daq_slope(const Daq *st, double v)
{
    double r = v - floor(v);
    DaqScores s = daq_scores(st, r);
    return st->gain * (s.s0 + s.s1) / fabs(s.s1 - s.s0);
}

/* Weights: μ and σ of this tensor, then ŵ = (2o − n)·(|β|/n); activations y = o·(1/n): an
 * integer code times one float step, as the integer path reads it. */
static void daq_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Daq *st = q->state;
    const long total = (long)tensor_numel(x);
    if (st->weights) {
        qc_mean_std(x->data, (size_t)total, &st->mu, &st->sd);
        st->sd = st->sd < DAQ_SD_MIN ? DAQ_SD_MIN : st->sd;
    }
    const DaqRange g = daq_range(st);
    const int n = st->n;
    const float step = st->weights ? fabsf(st->beta->w[0]) / (float)n : 1.0f / (float)n;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < total; i++) {
        float o = daq_code((daq_unit(st, x->data[i]) - g.lo) / g.delta, n);
        y->data[i] = (st->weights ? 2.0f * o - (float)n : o) * step;
    }
}

/* §16.3, inside the range (0 <= v_raw <= n, bounds included): with o' the slope and
 * G = dL/dy, weights: dW = G·|β|(2/n)o'/(Δσ), dl = G·|β|(2/n)o'(v/w − 1/Δ), du = −G·|β|(2/n)o'v/w
 * (w = u − l); activations: dx = G·o'/(nΔ), du = −G·o'v/(n·u). Outside: nothing. Weights'
 * dβ = Σ G·sign(β)(2o − n)/n over every element. */
static void daq_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Daq *st = q->state;
    const DaqRange g = daq_range(st);
    const int n = st->n;
    const double b = st->weights ? st->beta->w[0] : 1.0, ab = fabs(b);
    const double sb = (b > 0) - (b < 0), k = st->weights ? 2.0 * ab / n : 1.0 / n;
    const double unit = st->weights ? st->sd : 1.0; /* dW' /dW = 1/σ */
    const size_t len = (size_t)x->c * x->h * x->w;
#pragma omp parallel for schedule(static)
    for (int blk = 0; blk < x->n; blk++) {
        const float *xb = x->data + blk * len, *gb = dy->data + blk * len;
        float *db = dx ? dx->data + blk * len : NULL;
        double sl = 0.0, su = 0.0, sbeta = 0.0;
        for (size_t i = 0; i < len; i++) {
            double gy = gb[i], gx = 0.0, v = (daq_unit(st, xb[i]) - g.lo) / g.delta;
            if (st->weights)
                sbeta += gy * sb * (2.0 * daq_code(v, n) - n) / n;
            if (v >= 0.0 && v <= n) {
                double dv = gy * k * daq_slope(st, v); /* dL/dv */
                gx = dv / (g.delta * unit);
                su -= dv * v / g.width;
                sl += dv * (v / g.width - 1.0 / g.delta);
            }
            if (db)
                db[i] = (add ? db[i] : 0.0f) + (float)gx;
        }
        st->dl[blk] = sl;
        st->du[blk] = su;
        st->db[blk] = sbeta;
    }
    st->upper->g[0] += (float)qc_sum(st->du, x->n);
    if (st->weights) {
        st->lower->g[0] += (float)qc_sum(st->dl, x->n);
        st->beta->g[0] += (float)qc_sum(st->db, x->n);
    }
}

/* Keeps the range non-empty: u at least l + 1e-6·max(1, |l|, |u|) (weights), u_A positive
 * (§1.5); the code has no guard, and a NaN stays NaN. */
static void daq_post_step(Quantizer *q)
{
    Daq *st = q->state;
    float *u = st->upper->w;
    if (!st->lower) {
        u[0] = qc_positive(u[0]);
        return;
    }
    float l = st->lower->w[0], gap = 1e-6f * fmaxf(1.0f, fmaxf(fabsf(l), fabsf(u[0])));
    if (u[0] < l + gap)
        u[0] = l + gap;
}

/* Weights (2k − n)/n, no zero level; activations k/n; k = 0..n. */
static int daq_levels(int bits, QuantRole role, const QuantOption *opts, int nopts, double *out,
                      int cap, QbErr *err)
{
    double sigma, temp, adam_lr;
    if (qc_bits_check(&daq_ops, role, bits, err) < 0 ||
        daq_knobs(role, opts, nopts, &sigma, &temp, &adam_lr, err) < 0)
        return -1;
    return qc_levels_intervals((1 << bits) - 1, role, out, cap);
}

/* Weights: ŵ/|β| is the level ℓ = 2v/n − 1, v = (W' − l)/Δ, so x enters at offset
 * μ + σ(l + u)/2 and scale σ(u − l)/2, and leaves times |β|; activations: x/u_A, out as is. */
static QuantScale daq_scale(const Quantizer *q, int g)
{
    (void)g;
    const Daq *st = q->state;
    const DaqRange r = daq_range(st);
    if (!st->weights)
        return (QuantScale){r.width, 0.0, 1.0, 0.0};
    return (QuantScale){st->sd * r.width / 2, st->mu + st->sd * (r.lo + r.width / 2),
                        fabs(st->beta->w[0]), 0.0};
}

/* qsurrogate.h: P(v) = ∫_0^v o'(t) dt, whose slope is the backward's o'(v), in the normalised
 * level units. On the lower half of an interval o' = −T/(2 sinh T)·d/dr ln(S_0 − S_1), on the
 * upper half +T/(2 sinh T)·d/dr ln(S_1 − S_0); each half adds H = T/(2 sinh T)·ln(a/b), with
 * a = 1 − κ/e the score gap at the interval's ends and b = (1 − κ)/√e at its middle. o' is
 * continuous across both, so the only kinks are the clip bounds. */
double daq_position(const Quantizer *q, int g, double x, int *region)
{
    (void)g;
    const Daq *st = q->state;
    const DaqRange r = daq_range(st);
    const double a = 1.0 - st->kappa * exp(-1.0), b = (1.0 - st->kappa) * exp(-0.5);
    const double h = st->gain * log(a / b);
    double v = (daq_unit(st, x) - r.lo) / r.delta;
    *region = v < 0.0 ? 0 : (v > st->n ? 2 : 1);
    v = v < 0.0 ? 0.0 : (v > st->n ? st->n : v);
    double f = floor(v);
    DaqScores sc = daq_scores(st, v - f);
    double p = 2.0 * h * f + (sc.far ? h + st->gain * log((sc.s1 - sc.s0) / b)
                                     : st->gain * log(a / (sc.s0 - sc.s1)));
    return st->weights ? 2.0 * p / st->n - 1.0 : p / st->n;
}

const QuantizerOps daq_ops = {
    .name = "daq",
    .roles = (1u << QROLE_WEIGHT) | (1u << QROLE_ACT),
    .min_bits = {2, 2},
    .max_bits = {8, 8},
    .version = 1,
    .options = daq_options,
    /* activations: codes o times the step 1/n; weights: the odd codes 2o − n times |β|/n */
    .int_path = {QINT_UNIFORM, QINT_UNIFORM},
    .plan = daq_plan,
    .bind = daq_bind,
    .init = daq_init,
    .forward = daq_forward,
    .backward = daq_backward,
    .post_step = daq_post_step,
    .levels = daq_levels,
    .scale = daq_scale,
    .destroy = qc_state_free,
};
