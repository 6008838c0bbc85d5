/* DoReFa weights, as PACT uses them (FORMULAS.md §3): tanh, normalise by the layer's max|tanh| into
 * [0, 1], 2^b uniform levels mapped back to [−1, 1] (no zero level). No parameters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"

typedef struct {
    int qp;
    int exact;       /* dorefa_grad: exact differentiates tanh and the division */
    float tmax;      /* max|tanh(w)| of the last forward */
} Dorefa;

static const QuantOptionSpec dorefa_options[] = {
    {"dorefa_grad", "ste|exact", "ste",
     "weight gradient: identity STE (distiller, PACT CIFAR code) or (1 - tanh(w)^2)/max|tanh(w)| "
     "with max|tanh| held constant"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps dorefa_ops;

static int dorefa_plan(Quantizer *q, Net *net, QbErr *err)
{
    (void)net;
    (void)err;
    Dorefa *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    st->qp = (1 << q->bits) - 1;
    st->exact = strcmp(quantizer_opt(q, "dorefa_grad"), "exact") == 0;
    return 0;
}

/* Nothing batch-sized: DoReFa keeps one scalar, in its state. */
static void dorefa_bind(Quantizer *q, Net *net, Arena *act)
{
    (void)q;
    (void)net;
    (void)act;
}

/* t = tanh(w), u = t/(2·max|t|) + 1/2, y = 2·rnd(u·(2^b − 1))/(2^b − 1) − 1. max|t| is
 * guarded like a scale (§1.5) so an all-zero layer maps to a level instead of 0/0. */
static void dorefa_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Dorefa *st = q->state;
    const long n = (long)tensor_numel(x);
    const float *xd = x->data;
    float *yd = y->data;
    float m = 0.0f;
#pragma omp parallel for schedule(static) reduction(max : m)
    for (long i = 0; i < n; i++) {
        yd[i] = tanhf(xd[i]);
        float a = fabsf(yd[i]);
        m = a > m ? a : m;
    }
    st->tmax = qc_positive(m);
    const float two_m = 2.0f * st->tmax, qp = (float)st->qp;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++)
        yd[i] = 2.0f * rintf((yd[i] / two_m + 0.5f) * qp) / qp - 1.0f;
}

static void dorefa_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Dorefa *st = q->state;
    if (!dx)
        return;
    const long n = (long)tensor_numel(x);
    const float *xd = x->data, *gd = dy->data;
    float *dd = dx->data;
    const float m = st->tmax;
    const int exact = st->exact;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
        float t = exact ? tanhf(xd[i]) : 0.0f;
        float g = exact ? gd[i] * (1.0f - t * t) / m : gd[i];
        dd[i] = add ? dd[i] + g : g;
    }
}

/* 2k/(2^b − 1) − 1, k = 0..2^b − 1. */
static int dorefa_levels(int bits, QuantRole role, const QuantOption *opts, int nopts,
                         double *out, int cap, QbErr *err)
{
    (void)opts;
    (void)nopts;
    if (qc_bits_check(&dorefa_ops, role, bits, err) < 0)
        return -1;
    int qp = (1 << bits) - 1;
    for (int k = 0; k <= qp && k < cap; k++)
        out[k] = (double)(2 * k - qp) / qp;
    return qp + 1;
}

const QuantizerOps dorefa_ops = {
    .name = "dorefa",
    .roles = 1u << QROLE_WEIGHT,
    .min_bits = {2, 0},
    .max_bits = {8, 0},
    .version = 1,
    .options = dorefa_options,
    .plan = dorefa_plan,
    .bind = dorefa_bind,
    .init = NULL,
    .forward = dorefa_forward,
    .backward = dorefa_backward,
    .post_step = NULL,
    .levels = dorefa_levels,
    .destroy = qc_state_free,
};
