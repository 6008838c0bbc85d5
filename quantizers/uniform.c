/* Uniform min-max quantizer, the floor of the comparisons (FORMULAS.md §8): no learned parameters.
 * Weights: s = max|w|/Qp per tensor, recomputed every forward, symmetric codes −Qp..Qp.
 * Activations: s = m/Qp with m a running max (momentum 0.9) that is frozen in evaluation.
 * Option uniform_weight_scale: apot_ref is APoT's first/last-layer weight rule (FORMULAS.md §1.3):
 * s = max(w)/Qp (the signed max) and no clipping. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"

#define UNIFORM_MOMENTUM 0.9f

typedef struct {
    const Net *net;     /* its train flag: the running max moves only in training */
    int qn, qp;
    int apot_ref;       /* weights: scale by max(w), do not clip */
    float lo, hi;       /* clip bounds in units of the step */
    int b_max;          /* activations: buffer index of the running max (checkpointed) */
    float *run_max;
    float step;         /* the step of the last forward, reused by backward */
} Uniform;

static const QuantOptionSpec uniform_options[] = {
    {"uniform_weight_scale", "max_abs|apot_ref", "max_abs",
     "weights: s = max|w|/Qp with clipping, or APoT's first/last-layer rule s = max(w)/Qp "
     "without clipping (FORMULAS.md §1.3)"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps uniform_ops;

/* Signed tensors (weights, a signed input) use symmetric codes: max|x| maps onto Qp. */
static void uniform_range(int bits, int is_signed, int *qn, int *qp)
{
    qc_int_range(bits, is_signed, 1, qn, qp);
}

static int uniform_plan(Quantizer *q, Net *net, QbErr *err)
{
    (void)err;
    Uniform *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    st->net = net;
    uniform_range(q->bits, q->role == QROLE_WEIGHT || q->is_signed, &st->qn, &st->qp);
    st->apot_ref = q->role == QROLE_WEIGHT &&
                   strcmp(quantizer_opt(q, "uniform_weight_scale"), "apot_ref") == 0;
    st->lo = st->apot_ref ? -INFINITY : (float)st->qn;
    st->hi = st->apot_ref ? INFINITY : (float)st->qp;
    if (q->role == QROLE_ACT) {
        char name[PARAM_NAME_MAX];
        qc_param_name(q, "running_max", name, sizeof name);
        st->b_max = net_add_buffer(net, name, 1);
    }
    return 0;
}

static void uniform_bind(Quantizer *q, Net *net, Arena *act)
{
    (void)act;
    Uniform *st = q->state;
    if (q->role == QROLE_ACT)
        st->run_max = net->buffers[st->b_max].data;
}

/* Max of x (or of |x| when abs), at least 0. Max is exact, so the reduction order does not
 * matter. */
static float batch_max(const Tensor *x, int abs)
{
    const float *d = x->data;
    long n = (long)tensor_numel(x);
    float m = 0.0f;
#pragma omp parallel for schedule(static) reduction(max : m)
    for (long i = 0; i < n; i++) {
        float v = abs ? fabsf(d[i]) : d[i];
        m = v > m ? v : m;
    }
    return m;
}

static void uniform_init(Quantizer *q, const Tensor *x)
{
    Uniform *st = q->state;
    if (q->role == QROLE_ACT)
        *st->run_max = batch_max(x, q->is_signed);
}

static void uniform_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Uniform *st = q->state;
    float m;
    if (q->role == QROLE_WEIGHT) {
        m = batch_max(x, !st->apot_ref);
    } else {
        if (st->net->train)
            *st->run_max = UNIFORM_MOMENTUM * *st->run_max +
                           (1.0f - UNIFORM_MOMENTUM) * batch_max(x, q->is_signed);
        m = *st->run_max;
    }
    st->step = qc_positive(m / (float)st->qp);
    qc_uniform_forward(x->data, y->data, x->n, (size_t)x->c * x->h * x->w, &st->step, 0,
                       st->lo, st->hi);
}

/* STE with the clip mask 1[Qn <= v <= Qp] (none under apot_ref, which does not clip); there
 * is no parameter to train. */
static void uniform_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Uniform *st = q->state;
    if (dx)
        qc_uniform_backward(x->data, dy->data, dx->data, add, x->n, (size_t)x->c * x->h * x->w,
                            &st->step, 0, st->lo, st->hi, NULL);
}

static int uniform_levels(int bits, QuantRole role, const QuantOption *opts, int nopts,
                          double *out, int cap, QbErr *err)
{
    (void)opts;
    (void)nopts;
    if (qc_bits_check(&uniform_ops, role, bits, err) < 0)
        return -1;
    int qn, qp;
    uniform_range(bits, role == QROLE_WEIGHT, &qn, &qp);
    return qc_levels_uniform(qn, qp, qp, out, cap);
}

/* A signed activation takes the symmetric signed range, as plan sets it. */
static int uniform_grid(const Quantizer *q, double *out, int cap)
{
    int qn, qp;
    uniform_range(q->bits, q->role == QROLE_WEIGHT || q->is_signed, &qn, &qp);
    return qc_levels_uniform(qn, qp, qp, out, cap);
}

/* One step for the whole tensor, the one the last forward used. */
static QuantScale uniform_scale(const Quantizer *q, int g)
{
    (void)g;
    const Uniform *st = q->state;
    double s = (double)st->step * st->qp;
    return (QuantScale){s, 0.0, s, 0.0};
}

const QuantizerOps uniform_ops = {
    .name = "uniform",
    .roles = (1u << QROLE_WEIGHT) | (1u << QROLE_ACT),
    .signed_act = 1,
    .min_bits = {2, 2},
    .max_bits = {8, 8},
    .version = 1,
    .options = uniform_options,
    .plan = uniform_plan,
    .bind = uniform_bind,
    .init = uniform_init,
    .forward = uniform_forward,
    .backward = uniform_backward,
    .post_step = NULL,
    .levels = uniform_levels,
    .grid = uniform_grid,
    .scale = uniform_scale,
    .destroy = qc_state_free,
};
