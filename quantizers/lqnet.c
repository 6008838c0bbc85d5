/* LQ-Net, learned quantizer basis (FORMULAS.md §15): the levels are the 2^K values vᵀe of a
 * basis v ∈ R^K over binary codes e (±1 for weights, one basis per output channel; {0, 1} for
 * activations, one basis per layer). The forward encodes each input to the level whose
 * midpoint interval holds it (strict >: an input on a threshold takes the lower level); the
 * backward is the identity for weights and the mask 1[x <= largest level] for activations.
 * No gradient trains the basis: once per training step (QuantizerOps.step_update) it becomes
 * the least-squares fit of the step's inputs by their codes (QEM), through a zero-debiased
 * moving average. The basis, the average and its step count are checkpointed buffers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"
#include "qsurrogate.h"

#define LQ_MAX_BITS 8
/* §15.3: δ of the reference's weight update. The reference solves activations without it;
 * qbench uses it for both roles, since BᵀB is singular as soon as one code bit is constant
 * over the batch (it moves v* by about δ/N relative). */
#define LQ_RIDGE 1e-4
#define LQ_EMA 0.9           /* §15.3: the reference's moving-average decay */
#define LQ_PHI_075 0.6745    /* §15.4: Φ⁻¹(0.75), as the reference writes it */

typedef struct {
    int K, nlev;          /* basis size (bits), levels 2^K */
    int weights;          /* codes ±1 (weights) or {0, 1} (activations) */
    int groups;           /* bases: output channels (weights) or 1 */
    int plain_ema;        /* lqnet_ema: plain */
    int data_init;        /* lqnet_w_init: data */
    const Net *net;       /* its train flag: only a training forward feeds the update */
    int b_basis, b_avg, b_steps;
    float *basis, *avg, *steps; /* groups·K basis and biased average; the update count */
    double *lv, *thr;     /* per group: nlev sorted levels, nlev − 1 thresholds */
    int *code;            /* per group: the code (bit k = e_k is +1 or 1) of each sorted level */
    double *cnt, *sum;    /* per block (channel or sample) and level: count and Σx, training */
    int blocks;           /* blocks of the last training forward, 0 once consumed */
} LqNet;

static const QuantOptionSpec lqnet_options[] = {
    {"lqnet_ema", "debiased|plain", "debiased",
     "the basis after each step: the zero-debiased moving average of the least-squares "
     "solutions (the reference code, TensorFlow's default), or the plain average "
     "v <- 0.9·v + 0.1·v* started from the initial basis (FORMULAS.md §15.3)"},
    {"lqnet_w_init", "reference|data", "reference",
     "initial weight basis: from the He fan-out standard deviation sqrt(2/n) (the reference), "
     "or from each channel's RMS (FORMULAS.md §15.4)"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps lqnet_ops;

static int lq_add_buffer(Net *net, const Quantizer *q, const char *name, size_t numel)
{
    char full[PARAM_NAME_MAX];
    qc_param_name(q, name, full, sizeof full);
    return net_add_buffer(net, full, numel);
}

static int lqnet_plan(Quantizer *q, Net *net, QbErr *err)
{
    if (q->is_signed)
        return qb_fail(err, "lqnet's activation codes are {0, 1}, for inputs after a ReLU: a "
                            "signed input needs another method (the scheme puts lsq there)");
    LqNet *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    st->K = q->bits;
    st->nlev = 1 << q->bits;
    st->weights = q->role == QROLE_WEIGHT;
    st->groups = st->weights ? q->shape.n : 1;
    st->plain_ema = !strcmp(quantizer_opt(q, "lqnet_ema"), "plain");
    st->data_init = !strcmp(quantizer_opt(q, "lqnet_w_init"), "data");
    st->net = net;
    size_t nb = (size_t)st->groups * (size_t)st->K;
    st->b_basis = lq_add_buffer(net, q, "basis", nb);
    st->b_avg = lq_add_buffer(net, q, "basis_avg", nb);
    st->b_steps = lq_add_buffer(net, q, "basis_steps", 1);
    st->lv = calloc((size_t)st->groups * st->nlev, sizeof *st->lv);
    st->thr = calloc((size_t)st->groups * st->nlev, sizeof *st->thr);
    st->code = calloc((size_t)st->groups * st->nlev, sizeof *st->code);
    QB_ASSERT(st->lv && st->thr && st->code);
    return 0;
}

static void lqnet_bind(Quantizer *q, Net *net, Arena *act)
{
    LqNet *st = q->state;
    st->basis = net->buffers[st->b_basis].data;
    st->avg = net->buffers[st->b_avg].data;
    st->steps = net->buffers[st->b_steps].data;
    size_t n = (size_t)q->shape.n * (size_t)st->nlev;
    st->cnt = qc_arena_doubles(act, n);
    st->sum = qc_arena_doubles(act, n);
    st->blocks = 0;
}

/* §15.4: weights v_k = 2^k·base, base = 0.6745·σ/2^(K−1) with σ = sqrt(2/n) over the fan-out
 * n = kh·kw·Cout (or the channel's RMS under lqnet_w_init: data); activations
 * v_k = 2^k·2·0.6745/(2^K − 1). The average and its count start at 0. */
static void lqnet_init(Quantizer *q, const Tensor *x)
{
    LqNet *st = q->state;
    size_t len = (size_t)x->c * x->h * x->w;
    double fan_out = (double)x->n * x->h * x->w;
    for (int g = 0; g < st->groups; g++) {
        double top;
        if (st->weights) {
            double sd = sqrt(2.0 / fan_out);
            if (st->data_init) {
                double ss = 0.0;
                for (size_t i = 0; i < len; i++)
                    ss += (double)x->data[g * len + i] * x->data[g * len + i];
                sd = ss > 0.0 ? sqrt(ss / (double)len) : sd;
            }
            top = LQ_PHI_075 * sd / (double)(1 << (st->K - 1));
        } else {
            top = 2.0 * LQ_PHI_075 / (double)(st->nlev - 1);
        }
        for (int k = 0; k < st->K; k++) {
            st->basis[g * st->K + k] = (float)(top * (double)(1 << k));
            st->avg[g * st->K + k] = 0.0f;
        }
    }
    *st->steps = 0.0f;
}

/* e_k of code c: bit k set is +1 (both roles), clear is −1 (weights) or 0 (activations). */
static inline double lq_bit(const LqNet *st, int c, int k)
{
    return (c >> k & 1) ? 1.0 : (st->weights ? -1.0 : 0.0);
}

/* Group g's levels vᵀe of every code, sorted ascending with their codes (ties keep the code
 * order), and the midpoints between neighbours (§15.1). In double, from the float basis. The
 * lowest activation level is q_0 with its code, where the reference starts at 0 with code 0:
 * the same while the basis is non-negative, and the level set stays the one the codes give. */
static void lq_levels_of(LqNet *st, int g)
{
    const float *v = st->basis + (size_t)g * st->K;
    double *lv = st->lv + (size_t)g * st->nlev, *thr = st->thr + (size_t)g * st->nlev;
    int *code = st->code + (size_t)g * st->nlev;
    for (int c = 0; c < st->nlev; c++) {
        double l = 0.0;
        for (int k = 0; k < st->K; k++)
            l += lq_bit(st, c, k) * v[k];
        int j = c; /* insertion sort: at most 256 levels */
        while (j > 0 && lv[j - 1] > l) {
            lv[j] = lv[j - 1];
            code[j] = code[j - 1];
            j--;
        }
        lv[j] = l;
        code[j] = c;
    }
    for (int j = 1; j < st->nlev; j++)
        thr[j - 1] = 0.5 * (lv[j - 1] + lv[j]);
}

/* The number of thresholds strictly below x: the index of x's level (§15.1). */
static inline int lq_encode(const double *thr, int nthr, double x)
{
    int lo = 0, hi = nthr;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (x > thr[mid])
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* y = the level of each input; a NaN stays NaN. In training each block (an output channel, or
 * a sample) also counts its inputs per level and sums them: the least-squares update of this
 * step needs nothing else (§15.3), and it runs after the optimizer has moved the weights, so
 * the forward's own inputs must be summarised here. Activations use the whole batch (the
 * reference feeds one GPU's share). */
static void lqnet_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    LqNet *st = q->state;
    for (int g = 0; g < st->groups; g++)
        lq_levels_of(st, g);
    const int train = st->net->train, nlev = st->nlev;
    const size_t len = (size_t)x->c * x->h * x->w;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < x->n; b++) {
        const int g = st->weights ? b : 0;
        const double *lv = st->lv + (size_t)g * nlev, *thr = st->thr + (size_t)g * nlev;
        double *cnt = st->cnt + (size_t)b * nlev, *sum = st->sum + (size_t)b * nlev;
        if (train)
            for (int j = 0; j < nlev; j++)
                cnt[j] = sum[j] = 0.0;
        const float *xb = x->data + b * len;
        float *yb = y->data + b * len;
        for (size_t i = 0; i < len; i++) {
            if (isnan(xb[i])) {
                yb[i] = xb[i];
                continue;
            }
            int j = lq_encode(thr, nlev - 1, xb[i]);
            yb[i] = (float)lv[j];
            if (train) {
                cnt[j] += 1.0;
                sum[j] += xb[i];
            }
        }
    }
    st->blocks = train ? x->n : st->blocks;
}

/* §15.2: weights dx = dy (identity, no clip); activations dx = dy·1[x <= q_max] with q_max the
 * largest level of the forward's basis (inclusive, TensorFlow's Minimum gradient). */
static void lqnet_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    LqNet *st = q->state;
    if (!dx)
        return;
    const double qmax = st->lv[st->nlev - 1];
    const long total = (long)tensor_numel(x);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < total; i++) {
        float g = st->weights || x->data[i] <= qmax ? dy->data[i] : 0.0f;
        dx->data[i] = (add ? dx->data[i] : 0.0f) + g;
    }
}

/* Solves (A) v = r in place for a K×K symmetric positive definite A by Cholesky (A's lower
 * triangle becomes L); 0, or -1 when a pivot is not positive (v untouched). */
static int lq_cholesky_solve(double *A, double *r, int K)
{
    for (int j = 0; j < K; j++) {
        double d = A[j * K + j];
        for (int k = 0; k < j; k++)
            d -= A[j * K + k] * A[j * K + k];
        if (!(d > 0.0))
            return -1;
        A[j * K + j] = sqrt(d);
        for (int i = j + 1; i < K; i++) {
            double s = A[i * K + j];
            for (int k = 0; k < j; k++)
                s -= A[i * K + k] * A[j * K + k];
            A[i * K + j] = s / A[j * K + j];
        }
    }
    for (int i = 0; i < K; i++) { /* L z = r */
        for (int k = 0; k < i; k++)
            r[i] -= A[i * K + k] * r[k];
        r[i] /= A[i * K + i];
    }
    for (int i = K - 1; i >= 0; i--) { /* Lᵀ v = z */
        for (int k = i + 1; k < K; k++)
            r[i] -= A[k * K + i] * r[k];
        r[i] /= A[i * K + i];
    }
    return 0;
}

/* §15.3, group g: v* = (BᵀB + δI)^{-1}(Bᵀx + δ·v) from the counts and sums per level, where
 * BᵀB = Σ_j n_j·e_j·e_jᵀ and Bᵀx = Σ_j (Σx)_j·e_j over the levels j. The blocks of the group
 * are added in block order (deterministic for any thread count). 0, or -1 when the system
 * cannot be solved (the basis then keeps its value for this step). */
static int lqnet_qem(const LqNet *st, int g, double *vstar)
{
    const int K = st->K, nlev = st->nlev;
    double A[LQ_MAX_BITS * LQ_MAX_BITS] = {0};
    const float *v = st->basis + (size_t)g * K;
    const int *code = st->code + (size_t)g * nlev;
    for (int k = 0; k < K; k++) {
        A[k * K + k] = LQ_RIDGE;
        vstar[k] = LQ_RIDGE * v[k];
    }
    int b0 = st->weights ? g : 0, b1 = st->weights ? g + 1 : st->blocks;
    for (int b = b0; b < b1; b++)
        for (int j = 0; j < nlev; j++) {
            double n = st->cnt[(size_t)b * nlev + j], s = st->sum[(size_t)b * nlev + j];
            if (n == 0.0)
                continue;
            for (int k = 0; k < K; k++) {
                double ek = lq_bit(st, code[j], k);
                vstar[k] += s * ek;
                for (int l = 0; l <= k; l++)
                    A[k * K + l] += n * ek * lq_bit(st, code[j], l);
            }
        }
    for (int k = 0; k < K; k++)
        for (int l = k + 1; l < K; l++)
            A[k * K + l] = A[l * K + k];
    for (int k = 0; k < K; k++)
        if (!isfinite(vstar[k]))
            return -1;
    return lq_cholesky_solve(A, vstar, K);
}

/* §15.3: once per training step, after its forward and backward (which used v_t): each
 * basis moves to the moving average of its least-squares solutions. Debiased (the
 * reference): t <- t + 1, m <- 0.9·m + 0.1·v*, v <- m/(1 − 0.9^t), so v = v*_1 after the
 * first step; plain: v <- 0.9·v + 0.1·v*. */
static void lqnet_step_update(Quantizer *q)
{
    LqNet *st = q->state;
    if (!st->blocks)
        return; /* no training forward since the last update */
    const int K = st->K;
    const double t = (double)*st->steps + 1.0, debias = 1.0 - pow(LQ_EMA, t);
    for (int g = 0; g < st->groups; g++) {
        double vs[LQ_MAX_BITS];
        float *v = st->basis + (size_t)g * K, *m = st->avg + (size_t)g * K;
        if (lqnet_qem(st, g, vs) < 0)
            for (int k = 0; k < K; k++)
                vs[k] = v[k];
        for (int k = 0; k < K; k++) {
            m[k] = (float)(LQ_EMA * m[k] + (1.0 - LQ_EMA) * vs[k]);
            v[k] = (float)(st->plain_ema ? LQ_EMA * v[k] + (1.0 - LQ_EMA) * vs[k]
                                         : m[k] / debias);
        }
    }
    *st->steps = (float)t;
    st->blocks = 0;
}

/* The levels at the initial basis (a uniform grid, §15.4) in units of the largest: weights
 * (2i − (2^K − 1))/(2^K − 1), no zero level; activations i/(2^K − 1), i = 0..2^K − 1. */
static int lqnet_levels(int bits, QuantRole role, const QuantOption *opts, int nopts, double *out,
                        int cap, QbErr *err)
{
    (void)opts;
    (void)nopts;
    if (qc_bits_check(&lqnet_ops, role, bits, err) < 0)
        return -1;
    int n = (1 << bits) - 1;
    for (int i = 0; i <= n && i < cap; i++)
        out[i] = role == QROLE_ACT ? (double)i / n : (double)(2 * i - n) / n;
    return n + 1;
}

/* Group g's largest level |q| in the last forward, in and out: the levels are the grid in
 * these units while the basis keeps its initial ratios (1 : 2 : 4 ...); a trained basis's
 * levels lie off the grid, and lqnet_position gives the registry checks the estimator
 * itself. */
static double lq_top(const LqNet *st, int g)
{
    const double *lv = st->lv + (size_t)(st->weights ? g : 0) * st->nlev;
    return fmax(fabs(lv[0]), fabs(lv[st->nlev - 1]));
}

static QuantScale lqnet_scale(const Quantizer *q, int g)
{
    double s = lq_top(q->state, g);
    return (QuantScale){s, 0.0, s, 0.0};
}

/* qsurrogate.h: x in units of the group's largest level, unclipped for weights (identity
 * STE); activations clipped above q_max only (no lower mask after a ReLU). */
double lqnet_position(const Quantizer *q, int g, double x, int *region)
{
    const LqNet *st = q->state;
    double top = lq_top(st, g), qmax = st->lv[(size_t)(st->weights ? g : 0) * st->nlev + st->nlev - 1];
    *region = !st->weights && x > qmax ? 2 : 1;
    return *region == 2 ? qmax / top : x / top;
}

static void lqnet_destroy(Quantizer *q)
{
    LqNet *st = q->state;
    if (st) {
        free(st->lv);
        free(st->thr);
        free(st->code);
    }
    qc_state_free(q);
}

/* The binary-basis integer path (§15.6): popcounts of the codes' bit planes, combined by the
 * basis products; the cost model's BitOPs (MACs·K_w·K_a) count exactly those bit products. */
const QuantizerOps lqnet_ops = {
    .name = "lqnet",
    .roles = (1u << QROLE_WEIGHT) | (1u << QROLE_ACT),
    .min_bits = {2, 2},
    .max_bits = {LQ_MAX_BITS, LQ_MAX_BITS},
    .version = 1,
    .options = lqnet_options,
    .int_path = {QINT_BINARY_BASIS, QINT_BINARY_BASIS}, /* reads the buffer "basis" */
    .plan = lqnet_plan,
    .bind = lqnet_bind,
    .init = lqnet_init,
    .forward = lqnet_forward,
    .backward = lqnet_backward,
    .step_update = lqnet_step_update,
    .levels = lqnet_levels,
    .scale = lqnet_scale,
    .destroy = lqnet_destroy,
};
