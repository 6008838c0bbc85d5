/* APoT, additive powers-of-two (Li, Dong, Wang, ICLR 2020; FORMULAS.md §5): levels are sums of
 * power-of-two terms (the official code's hand-written term sets), weights are normalised
 * per layer and quantized with one clip alpha through the reparameterised clipping function;
 * 2-bit weights are ternary. Defaults follow the CIFAR code (unmasked weight gradient, mu and
 * sigma held constant, its learning rates for the clips); options select the ImageNet code's
 * behaviour, the quantizer group's learning rate for the clips, or take out weight
 * normalisation or the RCF for the paper's ablations. Activations (one alpha over a large
 * tensor) go through a step table of apot_value (qcommon.h, QcSteps). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"

#define APOT_MAX_LEVELS 64
#define APOT_SIGMA_MIN 1e-8   /* FORMULAS.md §5.2 guard */
#define APOT_WEIGHT_ALPHA 3.0f /* in units of sigma, FORMULAS.md §5.6 */
/* apot_clip_lr: code (FORMULAS.md §1.7): the CIFAR code trains activation alpha at lr 0.1
 * and weight alpha at 0.02 against its base lr 0.04, both at the network's weight decay. */
#define APOT_ACT_ALPHA_LR 2.5f
#define APOT_WEIGHT_ALPHA_LR 0.5f

typedef struct {
    double mag[APOT_MAX_LEVELS];  /* normalised magnitudes, ascending (ternary: {0, 1}) */
    int nmag;
    QcProjector proj;             /* onto mag */
    int ternary;      /* 2-bit weights: alpha * rnd(c), FORMULAS.md §5.5 */
    int masked;       /* apot_weight_grad: masked */
    int wn_full;      /* apot_wn_grad: full */
    int wn_off;       /* apot_weight_norm: off (W' = W) */
    int plain_clip;   /* apot_clip_grad: clip (no RCF) */
    int p_alpha;
    Param *alpha;
    float *wn;        /* weights: the normalised W' of the last forward */
    double mu, sigma;
    double *dalpha;   /* activations: per sample */
    QcSteps steps;    /* activations: the quantizer tabulated at alpha */
} Apot;

static const QuantOptionSpec apot_options[] = {
    {"apot_weight_grad", "unmasked|masked", "unmasked",
     "dy/dW' = 1 everywhere (CIFAR code) or only inside the clip (ImageNet code, b >= 3)"},
    {"apot_wn_grad", "const|full", "const",
     "weight normalisation backward: mu and sigma held constant (CIFAR code) or differentiated "
     "(ImageNet code)"},
    {"apot_act_init", "8|6|calibrated", "8",
     "activation alpha init: 8 (CIFAR code), 6 (ImageNet code), or calibrated: the clip LSQ's "
     "initial step reaches on the first training batch, 2 mean|x| sqrt(2^b - 1) "
     "(FORMULAS.md §1.4)"},
    {"apot_weight_norm", "on|off", "on",
     "weights normalised per layer before quantizing (FORMULAS.md §5.2), or off: the paper's "
     "ablation without it, alpha_w starting at 3 std(W) so the first grid is the same"},
    {"apot_clip_grad", "rcf|clip", "rcf",
     "alpha's gradient: the reparameterised clipping function's (FORMULAS.md §5.3), or clip: "
     "the paper's ablation without it (zero inside the range, the sign beyond)"},
    {"apot_act_grid", "apot|uniform", "apot",
     "activation levels: APoT's sums of powers of two (FORMULAS.md §5.1; at 2 bits {0, 1/4, 1/2, "
     "1}·alpha), or uniform: k/(2^b - 1)·alpha, an ablation that keeps APoT's clip, RCF and "
     "initialisation and changes only the level set"},
    {"apot_clip_lr", "code|shared", "code",
     "alpha's learning rate: the CIFAR code's, x2.5 the quantizer group's for activation alpha "
     "and x0.5 for weight alpha (FORMULAS.md §1.7), or shared: the group's own for both "
     "(the ImageNet code's single group)"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps apot_ops;

/* The code's term sets per magnitude bit count m (FORMULAS.md §5.1 table), as 2^-k exponents;
 * 0 marks the empty term, listed first. */
static const int apot_terms[5][3][4] = {
    /* m = 2 */ {{0, 1, 2, 3}, {0}, {0}},
    /* m = 3 */ {{0, 1, 2, 4}, {0, 3}, {0}},
    /* m = 4 */ {{0, 1, 3, 5}, {0, 2, 4, 6}, {0}},
    /* m = 5 */ {{0, 1, 3, 6}, {0, 2, 4, 7}, {0, 5}},
    /* m = 6 */ {{0, 1, 4, 7}, {0, 2, 5, 8}, {0, 3, 6, 9}},
};
static const int apot_nterms[5][3] = {{4, 1, 1}, {4, 2, 1}, {4, 4, 1}, {4, 4, 2}, {4, 4, 4}};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Every sum of one value per term, sorted, deduplicated, divided by the largest. */
static int apot_magnitudes(int m, double *out)
{
    const int (*t)[4] = apot_terms[m - 2];
    const int *nt = apot_nterms[m - 2];
    int n = 0;
    for (int a = 0; a < nt[0]; a++)
        for (int b = 0; b < nt[1]; b++)
            for (int c = 0; c < nt[2]; c++) {
                double v = (t[0][a] ? ldexp(1.0, -t[0][a]) : 0.0) +
                           (t[1][b] ? ldexp(1.0, -t[1][b]) : 0.0) +
                           (t[2][c] ? ldexp(1.0, -t[2][c]) : 0.0);
                out[n++] = v;
            }
    qsort(out, (size_t)n, sizeof(double), cmp_double);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (k == 0 || out[i] != out[k - 1])
            out[k++] = out[i];
    for (int i = 0; i < k; i++)
        out[i] /= out[k - 1];
    return k;
}

/* Weights use m = b - 1 magnitude bits (b = 2: ternary), activations m = b (FORMULAS.md §5.1);
 * uniform_act: activations at k/(2^b - 1) instead (apot_act_grid: uniform). */
static int apot_set(int bits, QuantRole role, int uniform_act, double *mag, int *ternary)
{
    *ternary = role == QROLE_WEIGHT && bits == 2;
    if (*ternary) {
        mag[0] = 0.0;
        mag[1] = 1.0;
        return 2;
    }
    if (role == QROLE_ACT && uniform_act) {
        int top = (1 << bits) - 1;
        for (int k = 0; k <= top; k++)
            mag[k] = (double)k / top;
        return top + 1;
    }
    return apot_magnitudes(role == QROLE_WEIGHT ? bits - 1 : bits, mag);
}

static int uniform_act_grid(const char *value) { return !strcmp(value, "uniform"); }

static int apot_levels(int bits, QuantRole role, const QuantOption *o, int nopts, double *out,
                       int cap, QbErr *err)
{
    if (qc_bits_check(&apot_ops, role, bits, err) < 0)
        return -1;
    double mag[APOT_MAX_LEVELS];
    int ternary, uniform = uniform_act_grid(quantizer_ops_opt(&apot_ops, o, nopts, "apot_act_grid"));
    int m = apot_set(bits, role, uniform, mag, &ternary);
    return qc_levels_from_magnitudes(mag, m, role == QROLE_WEIGHT, out, cap);
}

static int apot_plan(Quantizer *q, Net *net, QbErr *err)
{
    if (q->is_signed)
        return qb_fail(err, "apot activations are unsigned: a signed input needs another method "
                            "(the first layer uses lsq)");
    Apot *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    st->nmag = apot_set(q->bits, q->role, uniform_act_grid(quantizer_opt(q, "apot_act_grid")),
                        st->mag, &st->ternary);
    qc_projector_init(&st->proj, st->mag, st->nmag);
    st->masked = !strcmp(quantizer_opt(q, "apot_weight_grad"), "masked");
    st->wn_full = !strcmp(quantizer_opt(q, "apot_wn_grad"), "full");
    st->wn_off = !strcmp(quantizer_opt(q, "apot_weight_norm"), "off");
    st->plain_clip = !strcmp(quantizer_opt(q, "apot_clip_grad"), "clip");
    if (st->wn_off && st->wn_full)
        return qb_fail(err, "apot_wn_grad: full differentiates the weight normalisation, which "
                            "apot_weight_norm: off removes; drop one of the two");
    int shape[1] = {1};
    st->p_alpha = qc_param_add(net, q, "alpha", 1, shape);
    if (!strcmp(quantizer_opt(q, "apot_clip_lr"), "code"))
        net_param_factors(net, st->p_alpha,
                          q->role == QROLE_ACT ? APOT_ACT_ALPHA_LR : APOT_WEIGHT_ALPHA_LR, 1.0f);
    return 0;
}

static void apot_bind(Quantizer *q, Net *net, Arena *act)
{
    Apot *st = q->state;
    st->alpha = &net->params[st->p_alpha];
    if (q->role == QROLE_WEIGHT)
        st->wn = arena_floats(act, tensor_numel(&q->shape));
    else
        st->dalpha = qc_arena_doubles(act, (size_t)q->shape.n);
}

/* The weights' mean and unbiased std over the whole tensor (std guarded, FORMULAS.md §5.2). */
static void weight_stats(const Tensor *w, double *mu, double *sigma)
{
    qc_mean_std(w->data, tensor_numel(w), mu, sigma);
    if (*sigma < APOT_SIGMA_MIN)
        *sigma = APOT_SIGMA_MIN;
}

/* FORMULAS.md §5.2: W' = (W - mu)/sigma; without normalisation W' = W (mu = 0, sigma = 1). */
static void apot_normalise(Apot *st, const Tensor *w)
{
    size_t n = tensor_numel(w);
    if (st->wn_off)
        st->mu = 0.0, st->sigma = 1.0;
    else
        weight_stats(w, &st->mu, &st->sigma);
    for (size_t i = 0; i < n; i++)
        st->wn[i] = (float)((w->data[i] - st->mu) / st->sigma);
}

/* alpha_w = 3 in units of sigma (FORMULAS.md §5.6); without normalisation the same clip width
 * in weight units, 3 std of the first weights, so the ablation starts where APoT starts.
 * alpha_a = 8 or 6, or calibrated from the first training batch as the clip LSQ's initial
 * step reaches (§1.4). */
static void apot_init(Quantizer *q, const Tensor *x)
{
    Apot *st = q->state;
    double mu, sigma = 1.0;
    if (q->role == QROLE_ACT) {
        const char *init = quantizer_opt(q, "apot_act_init");
        st->alpha->w[0] = strcmp(init, "calibrated")
                              ? (float)atof(init)
                              : qc_lsq_clip_init(x->data, tensor_numel(x), q->bits);
        return;
    }
    if (st->wn_off)
        weight_stats(x, &mu, &sigma);
    st->alpha->w[0] = (float)(APOT_WEIGHT_ALPHA * sigma);
}

/* The signed quantizer value sign(c)·P_L(|c|) (ternary: rnd(c)) of c in [-1, 1]. */
static double apot_q(const Apot *st, double c)
{
    if (st->ternary)
        return nearbyint(c);
    double m = qc_projector_apply(&st->proj, fabs(c));
    return c < 0 ? -m : m;
}

/* The fake quantizer of one element (of W' for weights): y = α·q with q = sign(c)·P_L(|c|),
 * c = clip(x/α) to [-1, 1] (weights) or [0, 1] (activations); the reference every fast path
 * reproduces. */
static void apot_value(const void *ctx, float x, float *y, double *qv)
{
    const Quantizer *q = ctx;
    const Apot *st = q->state;
    const float a = st->alpha->w[0];
    const double lo = q->role == QROLE_WEIGHT ? -1.0 : 0.0;
    double v = (double)(x / a), c = v < lo ? lo : (v > 1.0 ? 1.0 : v);
    *qv = apot_q(st, c);
    *y = a * (float)*qv;
}

static void apot_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Apot *st = q->state;
    const long n = (long)tensor_numel(x);
    if (q->role == QROLE_ACT) {
        const QcSteps *steps = qc_steps_at(&st->steps, st->alpha->w[0], apot_value, q);
        qc_steps_forward(steps, x->data, y->data, (size_t)n);
        return;
    }
    apot_normalise(st, x);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
        double qv;
        float wn = st->wn[i];
        apot_value(q, wn, &y->data[i], &qv);
        if (wn != wn)
            y->data[i] = wn;
    }
}

/* Weights (FORMULAS.md §5.2-5.5): G = dL/dW' (unmasked by default), dL/dalpha from the RCF (or
 * a plain clip's), then through the normalisation: G/sigma, or the full Jacobian with mu and
 * sigma differentiated (sigma = 1 without normalisation). */
static void apot_weight_backward(Quantizer *q, const Tensor *dy, Tensor *dx, int add)
{
    Apot *st = q->state;
    const float a = st->alpha->w[0];
    const size_t n = tensor_numel(dy);
    double dalpha = 0.0, sum_g = 0.0, sum_gw = 0.0;
    float *g = dx ? dx->data : NULL;
    for (size_t i = 0; i < n; i++) {
        double v = (double)(st->wn[i] / a), c = v < -1.0 ? -1.0 : (v > 1.0 ? 1.0 : v);
        int inside = c == v;
        dalpha += (double)dy->data[i] * (inside ? (st->plain_clip ? 0.0 : apot_q(st, c) - v) : c);
        double gi = st->masked && !st->ternary && !inside ? 0.0 : (double)dy->data[i];
        sum_g += gi;
        sum_gw += gi * st->wn[i];
    }
    st->alpha->g[0] += (float)dalpha;
    if (!g)
        return;
    const double mean_g = sum_g / (double)n, k = n > 1 ? sum_gw / (double)(n - 1) : 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = (double)(st->wn[i] / a);
        int inside = v >= -1.0 && v <= 1.0;
        double gi = st->masked && !st->ternary && !inside ? 0.0 : (double)dy->data[i];
        double d = st->wn_full ? (gi - mean_g - st->wn[i] * k) / st->sigma : gi / st->sigma;
        g[i] = (add ? g[i] : 0.0f) + (float)d;
    }
}

/* Activations: dx = dy inside [0, alpha]; dalpha = P_L(c) - x/alpha inside (0 with a plain
 * clip), 1 above. */
static void apot_act_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Apot *st = q->state;
    const float a = st->alpha->w[0];
    const QcSteps *steps = qc_steps_at(&st->steps, st->alpha->w[0], apot_value, q);
    const size_t len = (size_t)x->c * x->h * x->w;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < x->n; b++)
        st->dalpha[b] = qc_steps_act_backward(steps, a, st->plain_clip, x->data + b * len,
                                              dy->data + b * len, dx ? dx->data + b * len : NULL,
                                              add, len);
    st->alpha->g[0] += (float)qc_sum(st->dalpha, x->n);
}

static void apot_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    if (q->role == QROLE_WEIGHT)
        apot_weight_backward(q, dy, dx, add);
    else
        apot_act_backward(q, x, dy, dx, add);
}

static void apot_post_step(Quantizer *q)
{
    Apot *st = q->state;
    qc_positive_all(st->alpha->w, 1);
}

/* Weights are normalised first, so level ℓ sits at μ + σ·α·ℓ in weight units and the output
 * is α·ℓ in W' units (FORMULAS.md §5.2-5.4); activations are α·ℓ. */
static QuantScale apot_scale(const Quantizer *q, int g)
{
    (void)g;
    const Apot *st = q->state;
    double a = st->alpha->w[0];
    if (q->role == QROLE_WEIGHT)
        return (QuantScale){st->sigma * a, st->mu, a, 0.0};
    return (QuantScale){a, 0.0, a, 0.0};
}

const QuantizerOps apot_ops = {
    .name = "apot",
    .roles = (1u << QROLE_WEIGHT) | (1u << QROLE_ACT),
    .min_bits = {2, 2},
    .max_bits = {7, 6}, /* the code defines term sets for m = 2..6 only (FORMULAS.md §5.1) */
    .version = 2, /* 2: the CIFAR code's alpha learning rates by default (apot_clip_lr) */
    .options = apot_options,
    .int_path = {QINT_SHIFT_ADD, QINT_NONE}, /* weights: sums of powers of two (FORMULAS.md §5.1) */
    .plan = apot_plan,
    .bind = apot_bind,
    .init = apot_init,
    .forward = apot_forward,
    .backward = apot_backward,
    .post_step = apot_post_step,
    .levels = apot_levels,
    .scale = apot_scale,
    .destroy = qc_state_free,
};
