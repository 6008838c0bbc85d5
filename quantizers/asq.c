/* ASQ activations (FORMULAS.md §7): LSQ with the step rescaled per sample, ŝ_n = s·β_n, where β_n
 * comes from a small trainable adapter on the pooled input. The adapter's parameters are
 * ordinary quant-group params ("<layer>.aq.adapter.fc1.weight", ...). */
#include "asq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "qcommon.h"

#define ASQ_BETA_MIN 1e-8f   /* β = max(ReLU(u), 1e-8) */
#define ASQ_DEAD_BETA 0.1f   /* P-A2: a sample below this is logged as dead */
#define ASQ_LAST_STD 0.01f   /* §7.2: last layer N(0, 0.01²), bias 1 */

typedef struct {
    int qn, qp;
    int per_sample;      /* N = C·H·W in g instead of the batch numel */
    int c, hid;          /* input channels; hidden width, 0 for the one-layer adapter */
    int p_step, p_w1, p_b1, p_w2, p_b2; /* w2/b2: the last (or only) layer */
    Param *step, *w1, *b1, *w2, *b2;
    float *z;            /* (N, C) pooled input */
    float *a;            /* (N, hid) first-layer pre-activation */
    float *u;            /* (N) last-layer output */
    float *beta, *shat;  /* (N) β_n and s·β_n */
    double *gsum;        /* (N) G_n = Σ_{sample n} dy·∂y/∂ŝ_n */
    float *delta;        /* (N) ∂L/∂u_n */
    float *da;           /* (N, hid) ∂L/∂a_n */
    double dead;
} Asq;

static const QuantOptionSpec asq_options[] = {
    {"adapter_ratio", "int", "4",
     "adapter reduction r: hidden width floor(C/r), one linear layer when C < 2r (FORMULAS.md §7.1)"},
    {"lsq_grad_scale", "batch|per_sample", "batch",
     "N in the step's g = 1/sqrt(N·Qp): the whole batch's numel or one sample's (FORMULAS.md §1.6)"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps asq_ops;

static int asq_ratio(const QuantOption *opts, int nopts, QbErr *err)
{
    int r = atoi(quantizer_ops_opt(&asq_ops, opts, nopts, "adapter_ratio"));
    if (r < 1)
        return qb_fail(err, "asq option adapter_ratio: expected an integer >= 1, got %d", r);
    return r;
}

static int asq_hidden(int c, int r) { return c >= 2 * r ? c / r : 0; }

static void adapter_size(long c, long h, long *params, long *macs)
{
    *params = h ? c * h + 2 * h + 1 : c + 1;
    *macs = h ? c * h + h : c;
}

void asq_adapter_size(int channels, int ratio, long *params, long *macs)
{
    adapter_size(channels, asq_hidden(channels, ratio), params, macs);
}

static int asq_plan(Quantizer *q, Net *net, QbErr *err)
{
    int r = asq_ratio(q->opts, q->nopts, err);
    if (r < 0)
        return -1;
    Asq *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    qc_int_range(q->bits, q->is_signed, 0, &st->qn, &st->qp);
    st->per_sample = strcmp(quantizer_opt(q, "lsq_grad_scale"), "per_sample") == 0;
    st->c = q->shape.c;
    st->hid = asq_hidden(st->c, r);
    int one[1] = {1};
    st->p_step = qc_param_add(net, q, "step", 1, one);
    int last_in = st->hid ? st->hid : st->c;
    if (st->hid) {
        int w1[2] = {st->hid, st->c}, b1[1] = {st->hid};
        st->p_w1 = qc_param_add(net, q, "adapter.fc1.weight", 2, w1);
        st->p_b1 = qc_param_add(net, q, "adapter.fc1.bias", 1, b1);
    }
    int w2[2] = {1, last_in};
    st->p_w2 = qc_param_add(net, q, st->hid ? "adapter.fc2.weight" : "adapter.fc.weight", 2, w2);
    st->p_b2 = qc_param_add(net, q, st->hid ? "adapter.fc2.bias" : "adapter.fc.bias", 1, one);
    return 0;
}

static void asq_bind(Quantizer *q, Net *net, Arena *act)
{
    Asq *st = q->state;
    size_t n = (size_t)q->shape.n;
    st->step = &net->params[st->p_step];
    st->w1 = st->hid ? &net->params[st->p_w1] : NULL;
    st->b1 = st->hid ? &net->params[st->p_b1] : NULL;
    st->w2 = &net->params[st->p_w2];
    st->b2 = &net->params[st->p_b2];
    st->z = arena_floats(act, n * st->c);
    st->a = arena_floats(act, n * st->hid);
    st->da = arena_floats(act, n * st->hid);
    st->u = arena_floats(act, n);
    st->beta = arena_floats(act, n);
    st->shat = arena_floats(act, n);
    st->delta = arena_floats(act, n);
    st->gsum = qc_arena_doubles(act, n);
}

/* One stream per parameter, named after it, so the adapter's draws move nothing else. */
static Rng param_rng(const Quantizer *q, const Param *p)
{
    return rng_stream(q->seed, p->name);
}

/* FORMULAS.md §7.2: the last layer N(0, 0.01²) with bias 1 (β starts near 1, ASQ starts as LSQ);
 * the first layer PyTorch's Linear default U(−1/sqrt(C), 1/sqrt(C)); then LSQ's step init
 * on the raw batch. */
static void asq_init(Quantizer *q, const Tensor *x)
{
    Asq *st = q->state;
    if (st->hid) {
        float bound = 1.0f / sqrtf((float)st->c);
        Param *first[2] = {st->w1, st->b1};
        for (int k = 0; k < 2; k++) {
            Rng r = param_rng(q, first[k]);
            for (size_t i = 0; i < first[k]->numel; i++)
                first[k]->w[i] = (2.0f * rng_uniform(&r) - 1.0f) * bound;
        }
    }
    Rng r = param_rng(q, st->w2);
    for (size_t i = 0; i < st->w2->numel; i++)
        st->w2->w[i] = ASQ_LAST_STD * rng_normal(&r);
    st->b2->w[0] = 1.0f;
    st->step->w[0] = qc_lsq_step_init(x->data, tensor_numel(x), st->qp);
}

/* z_n = GAP(x_n); a_n = W1·z_n + b1; u_n = W2·ReLU(a_n) + b2 (or W·z_n + b); β_n. */
static void adapter_forward(Asq *st, const Tensor *x)
{
    const int C = st->c, H = st->hid, hw = x->h * x->w;
    const int last_in = H ? H : C;
#pragma omp parallel for schedule(static)
    for (int n = 0; n < x->n; n++) {
        float *z = st->z + (size_t)n * C, *a = st->a + (size_t)n * H;
        for (int c = 0; c < C; c++) {
            const float *p = x->data + ((size_t)n * C + c) * hw;
            float s = 0.0f;
            for (int i = 0; i < hw; i++)
                s += p[i];
            z[c] = s / (float)hw;
        }
        for (int j = 0; j < H; j++) {
            float s = st->b1->w[j];
            for (int c = 0; c < C; c++)
                s += st->w1->w[(size_t)j * C + c] * z[c];
            a[j] = s;
        }
        float u = st->b2->w[0];
        for (int j = 0; j < last_in; j++)
            u += st->w2->w[j] * (H ? fmaxf(a[j], 0.0f) : z[j]);
        st->u[n] = u;
        float rel = u > 0.0f ? u : 0.0f;
        st->beta[n] = rel > ASQ_BETA_MIN ? rel : ASQ_BETA_MIN;
    }
}

static void asq_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Asq *st = q->state;
    adapter_forward(st, x);
    int dead = 0;
    for (int n = 0; n < x->n; n++) {
        st->shat[n] = st->step->w[0] * st->beta[n];
        dead += st->beta[n] < ASQ_DEAD_BETA;
    }
    st->dead = (double)dead / x->n;
    qc_uniform_forward(x->data, y->data, x->n, (size_t)x->c * x->h * x->w, st->shat, 1,
                       (float)st->qn, (float)st->qp);
}

/* Last layer: dW2 += Σ_n δ_n·in_n, db2 += Σ_n δ_n; first layer from ∂L/∂a_n. Each output
 * element is owned by one thread and summed over samples in order. */
static void adapter_param_grads(Asq *st, int N)
{
    const int C = st->c, H = st->hid, last_in = H ? H : C;
#pragma omp parallel for schedule(static)
    for (int j = 0; j < last_in; j++) {
        float s = 0.0f;
        for (int n = 0; n < N; n++)
            s += st->delta[n] * (H ? fmaxf(st->a[(size_t)n * H + j], 0.0f) : st->z[(size_t)n * C + j]);
        st->w2->g[j] += s;
    }
    float db2 = 0.0f;
    for (int n = 0; n < N; n++)
        db2 += st->delta[n];
    st->b2->g[0] += db2;
#pragma omp parallel for schedule(static)
    for (int j = 0; j < H; j++) {
        float sb = 0.0f;
        for (int n = 0; n < N; n++)
            sb += st->da[(size_t)n * H + j];
        st->b1->g[j] += sb;
        for (int c = 0; c < C; c++) {
            float s = 0.0f;
            for (int n = 0; n < N; n++)
                s += st->da[(size_t)n * H + j] * st->z[(size_t)n * C + c];
            st->w1->g[(size_t)j * C + c] += s;
        }
    }
}

/* The adapter path into dx: ∂L/∂x_{n,c,·} += (∂L/∂z_{n,c})/(H·W), with ∂L/∂z_n = W1ᵀ·∂L/∂a_n
 * (two layers) or Wᵀ·δ_n (one layer). */
static void adapter_input_grad(Asq *st, const Tensor *x, float *dx)
{
    const int C = st->c, H = st->hid, hw = x->h * x->w;
#pragma omp parallel for schedule(static)
    for (int n = 0; n < x->n; n++) {
        for (int c = 0; c < C; c++) {
            float dz = 0.0f;
            if (H)
                for (int j = 0; j < H; j++)
                    dz += st->w1->w[(size_t)j * C + c] * st->da[(size_t)n * H + j];
            else
                dz = st->w2->w[c] * st->delta[n];
            float *d = dx + ((size_t)n * C + c) * hw;
            const float g = dz / (float)hw;
            for (int i = 0; i < hw; i++)
                d[i] += g;
        }
    }
}

/* FORMULAS.md §7.4: ∂L/∂s = g·Σ_n β_n·G_n; ∂L/∂β_n = s·G_n (no g); ∂β/∂u = 1[u >= 1e-8]; the
 * input gradient is the STE path plus the adapter path. */
static void asq_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Asq *st = q->state;
    const int N = x->n, H = st->hid;
    const size_t len = (size_t)x->c * x->h * x->w;
    qc_uniform_backward(x->data, dy->data, dx ? dx->data : NULL, add, N, len, st->shat, 1,
                        (float)st->qn, (float)st->qp, st->gsum);
    const float s = st->step->w[0];
    double ds = 0.0;
    for (int n = 0; n < N; n++) {
        ds += st->beta[n] * st->gsum[n];
        st->delta[n] = st->u[n] >= ASQ_BETA_MIN ? (float)(s * st->gsum[n]) : 0.0f;
        for (int j = 0; j < H; j++) {
            size_t k = (size_t)n * H + j;
            st->da[k] = st->a[k] > 0.0f ? st->w2->w[j] * st->delta[n] : 0.0f;
        }
    }
    double g = qc_grad_scale(st->per_sample ? (double)len : (double)N * len, st->qp);
    st->step->g[0] += (float)(g * ds);
    adapter_param_grads(st, N);
    if (dx)
        adapter_input_grad(st, x, dx->data);
}

static void asq_post_step(Quantizer *q)
{
    Asq *st = q->state;
    qc_positive_all(st->step->w, 1);
}

/* LSQ's activation levels k/Qp, k = 0..Qp; β rescales the step, not the grid. */
static int asq_levels(int bits, QuantRole role, const QuantOption *opts, int nopts, double *out,
                      int cap, QbErr *err)
{
    if (qc_bits_check(&asq_ops, role, bits, err) < 0 || asq_ratio(opts, nopts, err) < 0)
        return -1;
    int qp = (1 << bits) - 1;
    return qc_levels_uniform(0, qp, qp, out, cap);
}

static int asq_grid(const Quantizer *q, double *out, int cap)
{
    int qn, qp;
    qc_int_range(q->bits, q->is_signed, 0, &qn, &qp);
    return qc_levels_uniform(qn, qp, qp, out, cap);
}

/* Sample g's step ŝ_g = s·β_g, as the last forward formed it in float. */
static QuantScale asq_scale(const Quantizer *q, int g)
{
    const Asq *st = q->state;
    double s = (double)st->shat[g] * st->qp;
    return (QuantScale){s, 0.0, s, 0.0};
}

/* The adapter runs at inference; the step folds into the layer (FORMULAS.md §9.3). */
static void asq_inference_cost(const Quantizer *q, double *params, double *macs)
{
    const Asq *st = q->state;
    long p, m;
    adapter_size(st->c, st->hid, &p, &m);
    *params = (double)p;
    *macs = (double)m;
}

double asq_dead_fraction(const Quantizer *q)
{
    return q->ops == &asq_ops ? ((const Asq *)q->state)->dead : -1.0;
}

float asq_beta(const Quantizer *q, int n)
{
    QB_ASSERT(q->ops == &asq_ops && n >= 0 && n < q->shape.n);
    return ((const Asq *)q->state)->beta[n];
}

const QuantizerOps asq_ops = {
    .name = "asq",
    .roles = 1u << QROLE_ACT,
    .signed_act = 1,
    .min_bits = {0, 2},
    .max_bits = {0, 8},
    .version = 1,
    .options = asq_options,
    .int_path = {QINT_NONE, QINT_UNIFORM},
    .plan = asq_plan,
    .bind = asq_bind,
    .init = asq_init,
    .forward = asq_forward,
    .backward = asq_backward,
    .post_step = asq_post_step,
    .levels = asq_levels,
    .grid = asq_grid,
    .scale = asq_scale,
    .inference_cost = asq_inference_cost,
    .destroy = qc_state_free,
};
