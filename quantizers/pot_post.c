/* POT and POST (FORMULAS.md §4, §6): one "power" quantizer whose magnitudes are powers of a base,
 * 2 for POT (Miyashita et al.) and sqrt(2) for POST (the ASQ paper), otherwise identical:
 * weights with one clip alpha per output channel (initialised at the 99th percentile of
 * |w|), activations with one alpha per layer (init 8.0). Levels are computed in double and
 * never flushed: POT's smallest 8-bit weight level, 2^-127, is a float32 subnormal.
 * Activations (one alpha) go through a step table of power_value_at (qcommon.h, QcSteps). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"

#define POWER_ACT_ALPHA_INIT 8.0f /* FORMULAS.md §4.2 (APoT-code style) */
#define POWER_QUANTILE 0.99       /* FORMULAS.md §4.2 */
#define POWER_MAX_LEVELS 256      /* 8-bit activations: 2^8 magnitudes */

typedef struct {
    double log2_base;              /* 1 (POT) or 1/2 (POST): magnitudes are exact 2^(-n·this) */
    double mag[POWER_MAX_LEVELS];  /* magnitudes, ascending, mag[0] = 0, mag[n-1] = 1 */
    int nmag;
    QcProjector proj;              /* onto mag */
    int p_alpha;
    Param *alpha;
    double *dalpha;                /* per block (channel or sample) */
    float *scratch;                /* percentile scratch, one channel */
    QcSteps steps;                 /* activations: the quantizer tabulated at alpha */
} Power;

static const QuantOptionSpec power_options[] = {
    {"levels", "default|codable", "default",
     "default: 2^(b-1) non-zero weight magnitudes (paper formula, ASQ code; 2^b+1 signed levels); "
     "codable: drop the smallest (2^b-1 levels, a b-bit sign-magnitude code)"},
    {"allow_degenerate", "false|true", "false",
     "accept 2-bit weights ({0, +-1/2, +-1} under the default set; FORMULAS.md §4.4)"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps pot_ops, post_ops;

/* log2 of the base: POST's sqrt(2)^-n is 2^(-n/2), exact in double for even n. */
static double power_log2_base(const QuantizerOps *ops) { return ops == &post_ops ? 0.5 : 1.0; }

/* Magnitudes {0} ∪ {base^-n : n = 0..top}, ascending: weights top = 2^(b-1) - 1 (one less
 * when codable), activations top = 2^b - 2 (FORMULAS.md §4.1, §6.1, §6.2). */
static int power_magnitudes(double log2_base, int bits, QuantRole role, int codable, double *mag)
{
    int top = role == QROLE_WEIGHT ? (1 << (bits - 1)) - 1 - codable : (1 << bits) - 2;
    int n = 0;
    mag[n++] = 0.0;
    for (int e = top; e >= 0; e--)
        mag[n++] = exp2(-(double)e * log2_base);
    return n;
}

static int power_check(const QuantizerOps *ops, int bits, QuantRole role, const QuantOption *o,
                       int n, QbErr *err)
{
    if (qc_bits_check(ops, role, bits, err) < 0)
        return -1;
    if (role == QROLE_WEIGHT && bits == 2 && strcmp(quantizer_ops_opt(ops, o, n, "allow_degenerate"), "true"))
        return qb_fail(err, "%s needs 3..8 bits for weights, got 2 (2 only with "
                            "allow_degenerate: true; FORMULAS.md §4.4)", ops->name);
    return 0;
}

static int power_levels(const QuantizerOps *ops, int bits, QuantRole role, const QuantOption *o,
                        int nopts, double *out, int cap, QbErr *err)
{
    if (power_check(ops, bits, role, o, nopts, err) < 0)
        return -1;
    double mag[POWER_MAX_LEVELS];
    int codable = !strcmp(quantizer_ops_opt(ops, o, nopts, "levels"), "codable");
    int m = power_magnitudes(power_log2_base(ops), bits, role, codable, mag);
    return qc_levels_from_magnitudes(mag, m, role == QROLE_WEIGHT, out, cap);
}

static int pot_levels(int bits, QuantRole role, const QuantOption *o, int n, double *out, int cap,
                      QbErr *err)
{
    return power_levels(&pot_ops, bits, role, o, n, out, cap, err);
}

static int post_levels(int bits, QuantRole role, const QuantOption *o, int n, double *out,
                       int cap, QbErr *err)
{
    return power_levels(&post_ops, bits, role, o, n, out, cap, err);
}

static int power_plan(Quantizer *q, Net *net, QbErr *err)
{
    if (q->is_signed)
        return qb_fail(err, "%s activations are unsigned: a signed input needs another method "
                            "(the first layer uses lsq)", q->ops->name);
    if (power_check(q->ops, q->bits, q->role, q->opts, q->nopts, err) < 0)
        return -1;
    Power *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    st->log2_base = power_log2_base(q->ops);
    st->nmag = power_magnitudes(st->log2_base, q->bits, q->role,
                                !strcmp(quantizer_opt(q, "levels"), "codable"), st->mag);
    qc_projector_init(&st->proj, st->mag, st->nmag);
    int shape[1] = {q->role == QROLE_WEIGHT ? q->shape.n : 1};
    st->p_alpha = qc_param_add(net, q, "alpha", 1, shape);
    return 0;
}

static void power_bind(Quantizer *q, Net *net, Arena *act)
{
    Power *st = q->state;
    st->alpha = &net->params[st->p_alpha];
    st->dalpha = qc_arena_doubles(act, (size_t)q->shape.n);
    st->scratch = q->role == QROLE_WEIGHT
                      ? arena_floats(act, (size_t)q->shape.c * q->shape.h * q->shape.w)
                      : NULL;
}

static void power_init(Quantizer *q, const Tensor *x)
{
    Power *st = q->state;
    if (q->role == QROLE_ACT) {
        st->alpha->w[0] = POWER_ACT_ALPHA_INIT;
        return;
    }
    size_t len = (size_t)x->c * x->h * x->w;
    for (int k = 0; k < x->n; k++)
        st->alpha->w[k] = qc_positive(qc_abs_quantile(x->data + k * len, len, POWER_QUANTILE,
                                                      st->scratch));
}

/* Weights: v = w/α clipped to [-1, 1]; activations: clipped to [0, 1]. */
static double power_clip(const Quantizer *q, double v)
{
    double lo = q->role == QROLE_WEIGHT ? -1.0 : 0.0;
    return v < lo ? lo : (v > 1.0 ? 1.0 : v);
}

/* The fake quantizer of one element of block b: y = α·q, q = sign(c)·P(|c|), c = clip(x/α);
 * the reference the activations' table reproduces. */
static void power_value_at(const Quantizer *q, float a, float x, float *y, double *qv)
{
    const Power *st = q->state;
    double c = power_clip(q, (double)(x / a));
    double m = qc_projector_apply(&st->proj, fabs(c));
    *qv = c < 0 ? -m : m;
    *y = a * (float)*qv;
}

static void power_act_value(const void *ctx, float x, float *y, double *qv)
{
    const Quantizer *q = ctx;
    power_value_at(q, ((const Power *)q->state)->alpha->w[0], x, y, qv);
}

static void power_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Power *st = q->state;
    if (q->role == QROLE_ACT) {
        const QcSteps *steps = qc_steps_at(&st->steps, st->alpha->w[0], power_act_value, q);
        qc_steps_forward(steps, x->data, y->data, tensor_numel(x));
        return;
    }
    const size_t len = (size_t)x->c * x->h * x->w;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < x->n; b++) {
        const float a = st->alpha->w[b];
        const float *xb = x->data + b * len;
        float *yb = y->data + b * len;
        for (size_t i = 0; i < len; i++) {
            double qv;
            power_value_at(q, a, xb[i], &yb[i], &qv);
            if (xb[i] != xb[i])
                yb[i] = xb[i];
        }
    }
}

/* ∂y/∂x = 1 inside the clip range; ∂y/∂α = q - v inside, the clipped value's sign (weights)
 * or 1 (activations above α) outside, 0 below 0 for activations (FORMULAS.md §4.2). Weights scale
 * α's gradient by g = 1/sqrt(N_c) (FORMULAS.md §1.6 with Qp := 1); activations do not. */
static void power_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Power *st = q->state;
    const size_t len = (size_t)x->c * x->h * x->w;
    if (q->role == QROLE_ACT) {
        const QcSteps *steps = qc_steps_at(&st->steps, st->alpha->w[0], power_act_value, q);
#pragma omp parallel for schedule(static)
        for (int b = 0; b < x->n; b++)
            st->dalpha[b] = qc_steps_act_backward(steps, st->alpha->w[0], 0, x->data + b * len,
                                                  dy->data + b * len,
                                                  dx ? dx->data + b * len : NULL, add, len);
        st->alpha->g[0] += (float)qc_sum(st->dalpha, x->n);
        return;
    }
#pragma omp parallel for schedule(static)
    for (int b = 0; b < x->n; b++) {
        const float a = st->alpha->w[b];
        const float *xb = x->data + b * len, *gb = dy->data + b * len;
        float *db = dx ? dx->data + b * len : NULL;
        double acc = 0.0;
        for (size_t i = 0; i < len; i++) {
            double v = (double)(xb[i] / a), c = power_clip(q, v), qv;
            float unused;
            power_value_at(q, a, xb[i], &unused, &qv);
            int inside = c == v;
            acc += (double)gb[i] * (inside ? qv - v : c);
            if (db)
                db[i] = (add ? db[i] : 0.0f) + (inside ? gb[i] : 0.0f);
        }
        st->dalpha[b] = acc;
    }
    float g = qc_grad_scale((double)len, 1.0);
    for (int k = 0; k < x->n; k++)
        st->alpha->g[k] += (float)(g * st->dalpha[k]);
}

static void power_post_step(Quantizer *q)
{
    Power *st = q->state;
    qc_positive_all(st->alpha->w, st->alpha->numel);
}

/* Levels ±α·ℓ: α per output channel (weights) or one (activations). */
static QuantScale power_scale(const Quantizer *q, int g)
{
    const Power *st = q->state;
    double a = st->alpha->w[q->role == QROLE_WEIGHT ? g : 0];
    return (QuantScale){a, 0.0, a, 0.0};
}

/* Weights only: POT magnitudes are shifts, POST's powers of sqrt(2) split into two shift
 * accumulators (FORMULAS.md §4, §6.3). */
#define POWER_OPS(NAME, LEVELS, WEIGHT_INT_PATH)                                        \
    {                                                                                    \
        .name = NAME, .roles = (1u << QROLE_WEIGHT) | (1u << QROLE_ACT),                 \
        .min_bits = {2, 2}, .max_bits = {8, 7}, .version = 1, .options = power_options,  \
        .int_path = {WEIGHT_INT_PATH, QINT_NONE},                                        \
        .plan = power_plan, .bind = power_bind, .init = power_init,                      \
        .forward = power_forward, .backward = power_backward,                            \
        .post_step = power_post_step, .levels = LEVELS, .scale = power_scale,            \
        .destroy = qc_state_free,                                                        \
    }

const QuantizerOps pot_ops = POWER_OPS("pot", pot_levels, QINT_SHIFT);
const QuantizerOps post_ops = POWER_OPS("post", post_levels, QINT_SQRT2);
